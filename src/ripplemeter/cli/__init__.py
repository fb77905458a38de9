"""Command-line interface: thin. Parse arguments, call the library, print with Rich.

One module per command group registers its commands on :data:`app`:

* :mod:`ripplemeter.cli.imports` - ``import``, ``formats``;
* :mod:`ripplemeter.cli.report` - ``report``, ``demo``, ``metrics``;
* :mod:`ripplemeter.cli.seeds` - ``seeds``;
* :mod:`ripplemeter.cli.cascades` - ``cascades``.

Every :class:`~ripplemeter.errors.RippleError` is printed as one line without a traceback and
the process exits with status 2 (:func:`friendly`). Machine-readable output goes to stdout
(:data:`console`); progress, notes and warnings go to stderr (:data:`err_console`).

Start-up stays fast: this package and the command modules import only Typer, Rich and
:mod:`ripplemeter.errors` at module level; pandas, DuckDB, Ibis, Plotly and numba are
imported inside the command that needs them (``tests/test_startup.py`` checks it).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from ripplemeter import __version__
from ripplemeter.errors import RippleError

__all__ = ["app", "console", "err_console", "friendly", "main", "note", "progress", "warn"]

console = Console(soft_wrap=True, emoji=False)  # ids like did:plc:x are not emoji codes
err_console = Console(stderr=True, soft_wrap=True, emoji=False)

F = TypeVar("F", bound=Callable)

# How a value is written in help: plain words, as click does (never "<bool>" or "{campaign}").
_TYPE_WORDS = {"path": "PATH", "str": "TEXT", "int": "INTEGER", "float": "NUMBER"}


class _Argument(TyperArgument):
    """An argument shown as ``CAMPAIGN`` (``[CAMPAIGN]`` when optional) in usage and help."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def _usage_display_name(self) -> str:
        name = self.display_name_raw
        return name if self.required else f"[{name}]"


class _Option(TyperOption):
    """An option shown with a plain value word (``PATH``, ``TEXT``); a flag with none."""

    def display_type_rich(self, ctx: Any) -> str | None:
        if self.metavar is not None:
            return self.metavar
        if self.is_flag:
            return None
        label = self.display_type(ctx).strip("<>")
        if label.startswith("list[") and label.endswith("]"):
            label = label[5:-1]
        return _TYPE_WORDS.get(label, label.upper())


def _literal_help(param: Any) -> None:
    # Typer reads help as Rich markup: "[project] start" would lose "[project]"
    if getattr(param, "help", None):
        from rich.markup import escape

        param.help = escape(param.help)


def _plain(param: Any) -> None:
    if isinstance(param, TyperArgument) and not isinstance(param, _Argument):
        param.__class__ = _Argument
        if param.metavar is None:
            param.metavar = param.name.upper() + ("..." if param.nargs != 1 else "")
        _literal_help(param)
    elif isinstance(param, TyperOption) and not isinstance(param, _Option):
        param.__class__ = _Option
        _literal_help(param)


class _PlainHelp:
    """Shared by commands and the group: parameters render as :class:`_Argument`/`_Option`."""

    def get_params(self, ctx: Any) -> list:
        params = super().get_params(ctx)  # type: ignore[misc]
        for p in params:
            _plain(p)
        return params


def _plain_help_text(help_text: str | None) -> str | None:
    """A command's help as people should read it: paragraphs re-flowed, brackets literal.

    Typer keeps every line break of a docstring inside a paragraph, so a paragraph wrapped
    at 88 columns in the source broke mid-sentence on a wider or narrower terminal; and it
    reads the text as Rich markup, so ``standards.toml [business_hours]`` lost its
    ``[business_hours]``. Lines of a paragraph are joined with spaces unless the paragraph
    is laid out on purpose (a line starting with a space, ``-``, ``*``, ``$``, ``ripplemeter``
    or ``.venv``, or click's ``\\b`` marker); every ``[`` is escaped for Rich.

    Parameters
    ----------
    help_text : str or None
        The command's help (its docstring or ``help=``).

    Returns
    -------
    str or None
        The same help, re-flowed and escaped; None for None.
    """
    if not help_text:
        return help_text
    import inspect

    from rich.markup import escape

    body, sep, tail = inspect.cleandoc(help_text).partition("\f")
    out = []
    for para in body.split("\n\n"):
        lines = para.split("\n")
        kept = para.startswith("\b") or any(
            ln[:1] in (" ", "-", "*", "$", "\t") or ln.startswith(("ripplemeter", ".venv"))
            for ln in lines[1:]
        )
        out.append(para if kept else " ".join(ln.strip() for ln in lines))
    return escape("\n\n".join(out)) + sep + tail


class RippleCommand(_PlainHelp, TyperCommand):
    """A Typer command whose usage line reads ``ripplemeter report [OPTIONS] CAMPAIGN``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _plain_help_text(self.help)


class RippleGroup(_PlainHelp, TyperGroup):
    """The top-level group (``ripplemeter [OPTIONS] COMMAND [ARGS]...``)."""


class _App(typer.Typer):
    """A Typer app whose commands default to :class:`RippleCommand` (other modules' too)."""

    def command(self, *args: Any, cls: Any = None, **kwargs: Any) -> Any:
        return super().command(*args, cls=cls or RippleCommand, **kwargs)


app = _App(
    cls=RippleGroup,
    add_completion=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="ripplemeter: evaluate social media campaigns from platform exports.",
)


def _show_version(value: bool) -> None:
    if value:
        console.print(f"ripplemeter {__version__}", markup=False, highlight=False)
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        "-V",
        help="Show the version and exit.",
        callback=_show_version,
        is_eager=True,
    ),
) -> None:
    """ripplemeter: evaluate social media campaigns from platform exports."""


class _Quiet:
    """Stands in for a Rich progress display when stderr is not a terminal (a pipe, a log,
    a test): nothing is drawn, so stderr holds only notes, warnings and errors."""

    def __enter__(self) -> _Quiet:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def add_task(self, *args: Any, **kwargs: Any) -> int:
        return 0

    def update(self, *args: Any, **kwargs: Any) -> None:
        return None

    def advance(self, *args: Any, **kwargs: Any) -> None:
        return None


def progress(*columns: Any) -> Any:
    """A transient Rich progress display on stderr, or a silent stand-in off a terminal.

    Parameters
    ----------
    *columns
        Rich progress columns (``SpinnerColumn()``, ``TextColumn(...)``, ...).
    """
    if not err_console.is_terminal:
        return _Quiet()
    from rich.progress import Progress

    return Progress(*columns, console=err_console, transient=True)


def warn(message: str) -> None:
    """Print ``warning: MESSAGE`` on stderr, as plain text (brackets kept)."""
    err_console.print(Text.assemble(("warning:", "yellow"), " ", message), highlight=False)


def note(message: str) -> None:
    """Print ``note: MESSAGE`` on stderr, as plain text (brackets kept)."""
    err_console.print(Text.assemble(("note:", "cyan"), " ", message), highlight=False)


def friendly(fn: F) -> F:
    """Turn RippleError into a one-line message and exit status 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except RippleError as exc:
            # the message is plain text: "[[fx]]" or "[campaign]" must never be read as markup
            text = " ".join(str(exc).split("\n"))
            err_console.print(Text.assemble(("error:", "bold red"), " ", text), highlight=False)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


# The command modules register themselves on `app`; they import the names above.
from ripplemeter.cli import (  # noqa: E402, F401
    annotate,
    audit,
    calendar,
    cascades,
    classify,
    imports,
    inbox,
    listen,
    operations,
    opinion_cli,
    publish,
    report,
    seeds,
    text,
)


def main() -> None:  # pragma: no cover - console entry
    app()
