"""Command-line interface: thin. Parse arguments, call the library, print with Rich.

One module per command group registers its commands on :data:`app`:

* :mod:`ripplemeter.cli.imports` - ``import``, ``formats``;
* :mod:`ripplemeter.cli.report` - ``report``, ``demo``, ``metrics``;
* :mod:`ripplemeter.cli.seeds` - ``seeds``.

Every :class:`~ripplemeter.errors.RippleError` is printed as one line without a traceback and
the process exits with status 2 (:func:`friendly`). Machine-readable output goes to stdout
(:data:`console`); progress, notes and warnings go to stderr (:data:`err_console`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

import typer
from rich.console import Console
from rich.text import Text

from ripplemeter.errors import RippleError

__all__ = ["app", "console", "err_console", "friendly", "main"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="ripplemeter: evaluate social media campaigns from platform exports.",
)
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

F = TypeVar("F", bound=Callable)


def friendly(fn: F) -> F:
    """Turn RippleError into a one-line message and exit status 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except RippleError as exc:
            # the message is plain text: "[[fx]]" or "[campaign]" must never be read as markup
            err_console.print(Text.assemble(("error:", "bold red"), " ", str(exc)), highlight=False)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


# The command modules register themselves on `app`; they import the names above.
from ripplemeter.cli import cascades, imports, report, seeds  # noqa: E402, F401


def main() -> None:  # pragma: no cover - console entry
    app()
