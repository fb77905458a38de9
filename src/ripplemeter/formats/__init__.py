"""Importers: one module per real-world format, each turning a file into canonical rows.

A format registers itself by name with :func:`register`; :func:`get_format` finds it.
An importer is a function ``(path, ctx) -> Rows``; it raises
:class:`~ripplemeter.errors.FormatError`
naming the file, row and column when the file is not what it claims to be. It never writes:
the :class:`~ripplemeter.workspace.Workspace` stores the rows in one transaction.

A platform export's format may also register a *recogniser*, a test on the first lines of a
file: when a file fails to import as one format but is recognised as another's export, the
error says which format to use.
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ripplemeter.errors import FormatError, RippleError, UnknownFormatError

if TYPE_CHECKING:  # pandas is imported where rows are built, so that listing formats is quick
    import pandas as pd


@dataclass
class SourceContext:
    """What the caller knows about a file beyond its bytes.

    Attributes
    ----------
    platform : str, optional
        Platform name to use in ids (``x``, ``facebook``, ``weibo``); each format has a default.
    account : str, optional
        The account the export belongs to (handle or id), when the file does not say.
    columns : dict, optional
        Column mapping for the ``generic`` format: canonical name -> source column.
    table : str, optional
        Target canonical table for the ``generic`` format (default ``posts``).
    timezone : str, optional
        IANA zone that naive local times in the file are written in (default: the format's,
        e.g. UTC for X, Asia/Shanghai for Weibo).
    currency : str, optional
        Currency for money columns when the file does not state one.
    imported_at : pandas.Timestamp, optional
        Import time (UTC), used as ``observed_at`` when the export has no date range.
    query : str or list of str, optional
        Search query of a SERP file that does not record one (``serp`` format); a list
        names the file's result lists in order.
    decimal : {",", "."}, optional
        Decimal mark of numbers in a hand-made table (``1.234,5`` with ``","``). Unset: ``.``,
        and a number that reads differently with either mark is refused as ambiguous.
        Formats that take it list ``decimal`` in :attr:`FormatInfo.options`.
    dayfirst : bool, optional
        ``True``: dates such as ``31.03.2026`` or ``31/03/2026`` are day first; ``False``:
        ``03/31/2026`` is month first. Unset: only year-first dates (``2026-03-31``) are read.
    vertical : {"web", "news", "blog"}, optional
        Which search a SERP file holds when its layout does not say (``serp`` format; a
        Naver News dump or a SerpApi ``tbm=nws`` response says it itself). Korean news
        results are read by the news-tone model, other results by the sentiment models.
    """

    platform: str | None = None
    account: str | None = None
    columns: dict[str, str] | None = None
    table: str | None = None
    timezone: str | None = None
    currency: str | None = None
    imported_at: pd.Timestamp | None = None
    query: str | list[str] | None = None
    decimal: str | None = None
    dayfirst: bool | None = None
    vertical: str | None = None

    def key(self) -> str:
        """A stable string of the settings that change what an import produces."""
        cols = ",".join(f"{k}={v}" for k, v in sorted((self.columns or {}).items()))
        key = "|".join(
            str(x or "")
            for x in (self.platform, self.account, cols, self.table, self.timezone, self.currency)
        )
        if self.query is not None:  # appended only when set: older keys stay as they were
            q = self.query if isinstance(self.query, str) else "\x1f".join(self.query)
            key += f"|query={q}"
        if self.decimal is not None:  # likewise
            key += f"|decimal={self.decimal}"
        if self.dayfirst is not None:
            key += f"|dayfirst={self.dayfirst}"
        if self.vertical is not None:
            key += f"|vertical={self.vertical}"
        return key


@dataclass
class Rows:
    """Canonical rows produced by one importer run.

    Attributes
    ----------
    tables : dict[str, pandas.DataFrame]
        Canonical table name -> rows. Columns are canonical names (a subset is fine; missing
        columns are stored as NULL). A ``source_row`` column (1-based file row) is optional.
    notes : list[str]
        Facts the import log and report should carry (time zone converted from, encoding
        detected, rows left out and why).
    source_timezone : str, optional
        The zone local times were converted from, if any.
    """

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    source_timezone: str | None = None

    def add(self, table: str, df: pd.DataFrame) -> None:
        import pandas as pd

        if table in self.tables:
            self.tables[table] = pd.concat([self.tables[table], df], ignore_index=True)
        else:
            self.tables[table] = df

    @property
    def row_count(self) -> int:
        return int(sum(len(df) for df in self.tables.values()))


Importer = Callable[[Path, SourceContext], Rows]
#: A test on the first lines of a decoded file (line ends removed): is it this format's export?
Recogniser = Callable[[list[str]], bool]


@dataclass(frozen=True)
class FormatInfo:
    """A registered format: its name, importer and one-line description.

    ``recognise``, when set, tells this format's exports from other files by their first
    lines; it is used to name the right format when an import as another one fails.
    ``options`` names the reading options of :class:`SourceContext` the format obeys
    (``decimal``, ``dayfirst``); giving another format one of them is refused
    (:func:`check_options`), never silently ignored.
    """

    name: str
    reader: Importer
    summary: str
    recognise: Recogniser | None = None
    options: frozenset[str] = frozenset()

    @property
    def kind(self) -> str:
        """The summary's opening words: what the file is (``'X Analytics daily activity
        export'``)."""
        return self.summary.split(" (", 1)[0].split(" ->", 1)[0].rstrip(". ")


_REGISTRY: dict[str, FormatInfo] = {}

# Modules that register formats; imported lazily on first lookup.
_MODULES = (
    "x_analytics",
    "google_trends",
    "meta_ads",
    "google_analytics",
    "facebook_insights",
    "simple",
    "generic",
    "reposts",
    "twitter_trees",
    "weibo_ced",
    "deephawkes",
    "comments",
    "serp",
    "search_console",
    "x_api",
    "weibo_trends",
    "index_csv",
)
_loaded = False


def register(
    name: str, *, recognise: Recogniser | None = None, options: tuple[str, ...] = ()
) -> Callable[[Importer], Importer]:
    """Decorator registering an importer under ``name``.

    The first line of the importer's docstring is its summary in ``ripplemeter formats``.
    ``recognise`` (optional) tells this format's exports by their first lines. ``options``
    names the reading options the importer obeys (see :attr:`FormatInfo.options`).

    The registered reader is the importer itself, except that a ``FormatError`` on a file
    that another format recognises as its own export says so ("this looks like a file for
    format x-analytics-daily (X Analytics daily activity export): import it with that
    format").
    """

    def deco(fn: Importer) -> Importer:
        summary = (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else ""
        _REGISTRY[name] = FormatInfo(
            name, _naming_other_format(name, fn), summary, recognise, frozenset(options)
        )
        return fn

    return deco


def _naming_other_format(name: str, fn: Importer) -> Importer:
    @functools.wraps(fn)
    def read(path: Path, ctx: SourceContext) -> Rows:
        try:
            return fn(path, ctx)
        except FormatError as exc:
            other = recognised_as(path, exclude=name)
            if other is None or other.name in str(exc):
                raise
            raise FormatError(
                exc.path,
                row=exc.row,
                column=exc.column,
                expected=exc.expected,
                found=exc.found,
                message=f"{exc.detail}; this looks like a file for format {other.name} "
                f"({other.kind}): import it with that format",
            ) from None

    return read


def recognised_as(path: str | Path, *, exclude: str | None = None) -> FormatInfo | None:
    """The registered format whose recogniser claims the file, if exactly one does.

    Parameters
    ----------
    path : str or Path
        The file; only its first lines are looked at. Files that cannot be decoded as text
        (a workbook, an empty file) are claimed by none.
    exclude : str, optional
        A format name left out (the one the file failed to import as).
    """
    from ripplemeter.formats._io import read_text

    _load_all()
    try:
        text = read_text(Path(path)).text
    except (FormatError, OSError):
        return None
    lines = [line.rstrip("\r") for line in text.lstrip().split("\n", 40)[:40]]
    claims = [
        info
        for info in _REGISTRY.values()
        if info.name != exclude and info.recognise is not None and info.recognise(lines)
    ]
    return claims[0] if len(claims) == 1 else None


def _load_all() -> None:
    global _loaded
    if _loaded:
        return
    for mod in _MODULES:
        try:
            importlib.import_module(f"ripplemeter.formats.{mod}")
        except ModuleNotFoundError as exc:  # a format module not written yet
            if exc.name != f"ripplemeter.formats.{mod}":
                raise
    _loaded = True


def get_format(name: str) -> FormatInfo:
    """Return the registered format called ``name``.

    Raises
    ------
    UnknownFormatError
        If no importer is registered under that name; the message lists the known names.
    """
    _load_all()
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise UnknownFormatError(f"unknown format '{name}'; known formats: {known}") from None


def available_formats() -> list[FormatInfo]:
    """All registered formats, sorted by name."""
    _load_all()
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


#: reading options of :class:`SourceContext` that only some formats obey
READING_OPTIONS = ("decimal", "dayfirst")


def check_options(info: FormatInfo, ctx: SourceContext, *, cli: bool = False) -> None:
    """Refuse reading options that ``info``'s importer would not obey, or a bad value.

    Parameters
    ----------
    info : FormatInfo
    ctx : SourceContext
    cli : bool
        Name the options as command-line flags (``--decimal``) rather than as settings.

    Raises
    ------
    RippleError
        ``decimal`` other than ``","`` or ``"."``; ``decimal``/``dayfirst`` given to a
        format that does not read them (the message names the formats that do).
    """
    if ctx.decimal is not None and ctx.decimal not in (",", "."):
        raise RippleError(f"decimal {ctx.decimal!r}: expected ',' or '.'")
    given = [o for o in READING_OPTIONS if getattr(ctx, o) is not None]
    refused = [o for o in given if o not in info.options]
    if refused:
        takers = [f.name for f in available_formats() if set(refused) <= f.options]
        flag = {"dayfirst": "--dayfirst" if ctx.dayfirst else "--monthfirst"}
        shown = " and ".join(flag.get(o, f"--{o}") if cli else o for o in refused)
        raise RippleError(
            f"{shown}: format {info.name} does not take this option (it reads its export as "
            f"the platform writes it); formats that do: {', '.join(takers)}"
        )


def format_summaries() -> list[tuple[str, str]]:
    """``(name, summary)`` of every format, sorted by name, without importing the importers.

    Read from the format modules' source (the ``@register("name")`` decorator and the first
    line of the function's docstring), so that ``ripplemeter formats`` answers at once
    instead of importing pandas, DuckDB and numba. Formats registered by modules outside
    :data:`_MODULES` (already imported) are included from the registry.

    Returns
    -------
    list of (str, str)
        The same names and summaries as :func:`available_formats`.
    """
    found: dict[str, str] = {}
    for mod in _MODULES:
        spec = importlib.util.find_spec(f"ripplemeter.formats.{mod}")
        if spec is None or not spec.origin:
            continue
        found.update(_registered_in(Path(spec.origin)))
    for info in _REGISTRY.values():
        found.setdefault(info.name, info.summary)
    return sorted(found.items())


def _registered_in(path: Path) -> dict[str, str]:
    """Format name -> summary for each ``@register("name", ...)`` function in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {
        n.targets[0].id: n.value.value
        for n in tree.body
        if isinstance(n, ast.Assign)
        and len(n.targets) == 1
        and isinstance(n.targets[0], ast.Name)
        and isinstance(n.value, ast.Constant)
        and isinstance(n.value.value, str)
    }
    out: dict[str, str] = {}
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for deco in node.decorator_list:
            if not (
                isinstance(deco, ast.Call)
                and isinstance(deco.func, ast.Name)
                and deco.func.id == "register"
                and deco.args
            ):
                continue
            arg = deco.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                name = arg.value
            elif isinstance(arg, ast.Name) and arg.id in names:
                name = names[arg.id]
            else:
                continue
            doc = ast.get_docstring(node) or ""
            out[name] = doc.strip().splitlines()[0] if doc.strip() else ""
    return out
