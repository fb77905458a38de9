"""Importers: one module per real-world format, each turning a file into canonical rows.

A format registers itself by name with :func:`register`; :func:`get_format` finds it.
An importer is a function ``(path, ctx) -> Rows``; it raises
:class:`~ripplemeter.errors.FormatError`
naming the file, row and column when the file is not what it claims to be. It never writes:
the :class:`~ripplemeter.workspace.Workspace` stores the rows in one transaction.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ripplemeter.errors import UnknownFormatError


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
    """

    platform: str | None = None
    account: str | None = None
    columns: dict[str, str] | None = None
    table: str | None = None
    timezone: str | None = None
    currency: str | None = None
    imported_at: pd.Timestamp | None = None

    def key(self) -> str:
        """A stable string of the settings that change what an import produces."""
        cols = ",".join(f"{k}={v}" for k, v in sorted((self.columns or {}).items()))
        return "|".join(
            str(x or "")
            for x in (self.platform, self.account, cols, self.table, self.timezone, self.currency)
        )


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
        if table in self.tables:
            self.tables[table] = pd.concat([self.tables[table], df], ignore_index=True)
        else:
            self.tables[table] = df

    @property
    def row_count(self) -> int:
        return int(sum(len(df) for df in self.tables.values()))


Importer = Callable[[Path, SourceContext], Rows]


@dataclass(frozen=True)
class FormatInfo:
    """A registered format: its name, importer and one-line description."""

    name: str
    reader: Importer
    summary: str


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
)
_loaded = False


def register(name: str) -> Callable[[Importer], Importer]:
    """Decorator registering an importer under ``name``.

    The first line of the importer's docstring is its summary in ``ripplemeter formats``.
    """

    def deco(fn: Importer) -> Importer:
        summary = (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else ""
        _REGISTRY[name] = FormatInfo(name, fn, summary)
        return fn

    return deco


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
