"""Google Search Console "Performance" exports (CSV, English or French UI) -> search_console.

Search Console's *Export -> Download CSV* gives a zip of one CSV per tab: ``Queries.csv``,
``Pages.csv``, ``Countries.csv``, ``Devices.csv``, ``Search appearance.csv``,
``Dates.csv`` and ``Filters.csv``. Each table is ``<dimension>,Clicks,Impressions,CTR,
Position``; the header is in the language of the user's interface (a French export is
``Requêtes.csv`` with ``Requêtes les plus fréquentes,Clics,Impressions,CTR,Position``).
One file is one import; the dimension column tells which report it is.

Quirks handled here (see ``docs/formats-opinion.md``):

- CTR is a percentage string whose decimals are dropped when whole (``50%``, ``15.86%``);
  it is stored as a fraction (0.1586). Position is written ``23`` or ``23.45``. A French
  decimal comma (``15,86 %``) is read too.
- Queries are text, even when they look like numbers (part numbers such as ``0120373618``);
  a quoted query or URL may hold a line break or zero-width spaces: stored as exported.
- The interface export stops at 1,000 rows: a file of exactly 1,000 rows is noted as cut,
  so sums over it are lower bounds.
- ``Filters.csv`` beside the file (``Filtres.csv`` in French) says what the export was
  filtered to (search type, date range, page); its lines go into the import notes. A
  ``Filters.csv`` imported on its own is an error saying to import a table instead.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from ripplemeter.errors import FormatError
from ripplemeter.formats import Rows, SourceContext, register
from ripplemeter.formats._io import Table, int_series, parse_numbers
from ripplemeter.formats.generic import parse_date, read_tabular

FORMAT = "search-console"

#: First-column header (lower case, NFC) -> report and the column the value goes to.
DIMENSIONS: dict[str, tuple[str, str]] = {
    # English interface
    "top queries": ("queries", "query"),
    "queries": ("queries", "query"),
    "query": ("queries", "query"),
    "top pages": ("pages", "page"),
    "pages": ("pages", "page"),
    "page": ("pages", "page"),
    "country": ("countries", "country"),
    "countries": ("countries", "country"),
    "device": ("devices", "device"),
    "devices": ("devices", "device"),
    "search appearance": ("appearance", "appearance"),
    "date": ("dates", "date"),
    # French interface
    "requêtes les plus fréquentes": ("queries", "query"),
    "requêtes": ("queries", "query"),
    "pages les plus populaires": ("pages", "page"),
    "pays": ("countries", "country"),
    "appareil": ("devices", "device"),
    "appareils": ("devices", "device"),
    "apparence dans les résultats de recherche": ("appearance", "appearance"),
}
#: Metric column headers (lower case) in each interface language -> canonical column.
METRICS: dict[str, str] = {
    "clicks": "clicks",
    "clics": "clicks",
    "impressions": "impressions",
    "ctr": "ctr",
    "position": "position",
}
#: The columns of a performance table after its dimension, as the English export writes them.
ENGLISH_METRICS: tuple[str, ...] = ("Clicks", "Impressions", "CTR", "Position")
EXPORT_ROW_LIMIT = 1000
FILTER_FILES = ("Filters.csv", "Filtres.csv")

_PERCENT = re.compile(r"^\s*([0-9]+(?:[.,][0-9]+)?)\s*%\s*$")


def _norm(header: str) -> str:
    return unicodedata.normalize("NFC", header).strip().lstrip("\ufeff").lower()


def _recognise(lines: list[str]) -> bool:
    if not lines:
        return False
    cells = [_norm(c).strip('"') for c in lines[0].split(",")]
    return (
        len(cells) == 5
        and cells[0] in DIMENSIONS
        and [METRICS.get(c) for c in cells[1:]] == ["clicks", "impressions", "ctr", "position"]
    )


def _ctr(table: Table, values: list[str], column: str) -> np.ndarray:
    out = np.full(len(values), np.nan)
    for k, raw in enumerate(values):
        if not raw.strip():
            continue
        m = _PERCENT.match(raw)
        if not m:
            raise FormatError(
                table.path,
                row=table.rows[k],
                column=column,
                expected="a percentage such as 15.86% or 0%",
                found=raw,
            )
        v = float(m.group(1).replace(",", "."))
        if v > 100:
            raise FormatError(
                table.path,
                row=table.rows[k],
                column=column,
                expected="a percentage of at most 100%",
                found=raw,
            )
        out[k] = v / 100
    return out


def _filters(path: Path) -> str | None:
    """The lines of a Filters.csv beside ``path``, as one note; None when there is none."""
    for name in FILTER_FILES:
        f = path.with_name(name)
        if f.is_file() and f != path:
            try:
                table, _ = read_tabular(f, format_name=FORMAT)
            except FormatError:
                return f"{path.name}: {name} beside it could not be read"
            pairs = "; ".join(" = ".join(c.strip() for c in r[:2]) for r in table.records)
            return f"{path.name}: exported with the filters of {name}: {pairs}"
    return None


@register(FORMAT, recognise=_recognise)
def read_search_console(path: Path, ctx: SourceContext) -> Rows:
    """Google Search Console performance export (Queries.csv, Pages.csv, ...) -> search_console.

    Parameters
    ----------
    path : Path
        One CSV of the export zip: a dimension column (``Top queries``, ``Top pages``,
        ``Country``, ``Device``, ``Search Appearance``, ``Date``, or their French names)
        followed by ``Clicks``, ``Impressions``, ``CTR`` and ``Position`` (``Clics`` in
        French).
    ctx : SourceContext
        ``account``: the Search Console property (``https://www.example.com/``), stored as
        ``site``.

    Returns
    -------
    Rows
        ``search_console``: ``report`` (queries, pages, countries, devices, appearance,
        dates), the dimension's value in ``query``, ``page``, ``country``, ``device``,
        ``appearance`` or ``date``, ``clicks`` and ``impressions`` (counts), ``ctr``
        (fraction), ``position`` (average position, 1 = top).

    Raises
    ------
    FormatError
        The filters sheet, a header that is not a performance table, a count that is not a
        whole number, a CTR that is not a percentage, a position below 1, an empty query:
        each naming the file, row and column.
    """
    path = Path(path)
    table, notes = read_tabular(path, format_name=FORMAT)
    header = [_norm(h) for h in table.header]
    if header[:2] in (["filter", "value"], ["filtre", "valeur"]):
        raise FormatError(
            path,
            row=table.header_row or None,
            message="this is the export's filters sheet, not a performance table; import "
            "Queries.csv or Pages.csv (the filters are read from beside them)",
        )
    if not header or header[0] not in DIMENSIONS:
        raise FormatError(
            path,
            row=table.header_row or None,
            column=table.header[0] if table.header else None,
            message="expected a Search Console performance table whose first column is Top "
            "queries, Top pages, Country, Device, Search Appearance or Date (or the French "
            "Requêtes les plus fréquentes, Pages les plus populaires, Pays, Appareil); found "
            + ", ".join(f"'{h}'" for h in table.header[:6]),
        )
    report, dim = DIMENSIONS[header[0]]
    cols: dict[str, int] = {}
    for i, h in enumerate(header[1:], start=1):
        if h in METRICS and METRICS[h] not in cols:
            cols[METRICS[h]] = i
    needed = ("clicks", "impressions", "ctr", "position")
    for need, shown in zip(needed, ENGLISH_METRICS, strict=True):
        if need not in cols:
            french = " (in French: 'Clics')" if need == "clicks" else ""
            raise FormatError(
                path,
                row=table.header_row or None,
                column=shown,
                message=f"missing column '{shown}'{french} for format search-console; the "
                "header has: " + ", ".join(f"'{h}'" for h in table.header[:8]),
            )

    def raw(canon: str) -> list[str]:
        i = cols[canon]
        return [r[i] for r in table.records]

    def name(canon: str) -> str:
        return table.header[cols[canon]]

    clicks = parse_numbers(table, raw("clicks"), name("clicks"), integer=True, thousands=True)
    impressions = parse_numbers(
        table, raw("impressions"), name("impressions"), integer=True, thousands=True
    )
    for arr, canon in ((clicks, "clicks"), (impressions, "impressions")):
        neg = np.flatnonzero(arr < 0)
        if neg.size:
            k = int(neg[0])
            raise FormatError(
                path,
                row=table.rows[k],
                column=name(canon),
                expected="a count of 0 or more",
                found=raw(canon)[k],
            )
    ctr = _ctr(table, raw("ctr"), name("ctr"))
    position = parse_numbers(
        table, [v.replace(",", ".") for v in raw("position")], name("position")
    )
    low = np.flatnonzero(position < 1)
    if low.size:
        k = int(low[0])
        raise FormatError(
            path,
            row=table.rows[k],
            column=name("position"),
            expected="an average position of 1 or more",
            found=raw("position")[k],
        )
    values = [r[0] for r in table.records]
    df = pd.DataFrame(index=range(len(values)))
    df["report"] = report
    df["site"] = ctx.account
    if dim == "date":
        df["date"] = pd.Series(
            [parse_date(table, k, table.header[0], v) for k, v in enumerate(values)],
            dtype=object,
        )
    else:
        for k, v in enumerate(values):
            if v == "":
                raise FormatError(
                    path,
                    row=table.rows[k],
                    column=table.header[0],
                    expected=f"a {dim}",
                    found="",
                )
        df[dim] = pd.Series(values, dtype=object)  # as exported, line breaks included
    df["clicks"] = int_series(clicks)
    df["impressions"] = int_series(impressions)
    df["ctr"] = pd.Series(ctr, dtype="Float64")
    df["position"] = pd.Series(position, dtype="Float64")
    df["source_row"] = table.rows
    if "clics" in header:
        notes.append(f"{path.name}: French interface export (headers mapped)")
    if len(df) == EXPORT_ROW_LIMIT:
        notes.append(
            f"{path.name}: {EXPORT_ROW_LIMIT} rows, the most Search Console exports: the list is "
            "probably cut there (the site may have more "
            + report
            + "), so sums over it are lower bounds"
        )
    flt = _filters(path)
    if flt:
        notes.append(flt)
    rows = Rows(notes=notes)
    rows.add("search_console", df)
    return rows
