"""Google Analytics report downloads -> ``web_metrics`` (long form).

Two formats:

- ``ga4``: GA4 *Download file -> Download CSV* from any report, and the multi-table
  *Reports snapshot* download. A ``#`` comment block names the report
  (``# Events: Event name``), account, property, segment and the date range
  (``# Start date: 20250201`` / ``# End date: 20250804``); then a header and rows. The
  snapshot holds several tables separated by blank lines, each preceded by its own date
  comments and sometimes a title (``# Where do your new users come from?``).
- ``ga-universal``: Universal Analytics (GA3) *Export -> CSV*: a ``# ----`` block with the
  view, the report and a ``# YYYYMMDD-YYYYMMDD`` range, the main table (percentages such
  as ``1.06%``, durations ``00:01:57``, quoted thousands ``"68,564"``) ending in a totals row
  with empty dimensions, then a second table ``Day Index,<metric>`` with ``M/D/YY`` dates
  and its own totals row.

Each data cell becomes one row: ``(source, report, dimension, dimension_value,
period_start, period_end, metric, value)``. Leading columns whose values are not numbers
are dimensions; when there are several (UA: ``Search Term`` and ``Exit Page``) their names
and values are joined with `` | ``.

References: Google Analytics Help, "[GA4] Export data from reports" (Share this report ->
Download file); "Export reports" (Universal Analytics).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ripplemeter.errors import FormatError
from ripplemeter.formats import Rows, SourceContext, register
from ripplemeter.formats._io import (
    no_data_rows,
    read_text,
    require_final_line_break,
    sniff_delimiter_problem,
)

JOIN = " | "

_UA_RANGE = re.compile(r"^(\d{8})\s*-\s*(\d{8})$")
_GA4_DATE = re.compile(r"^(Start|End) date:\s*(\d{8})$", re.IGNORECASE)
_DURATION = re.compile(r"^(\d+):([0-5]\d):([0-5]\d)$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_ROLLING = re.compile(r"^(\d+) days?$", re.IGNORECASE)
_COHORT = re.compile(r"^(week|day|month) \d+$", re.IGNORECASE)


@dataclass
class _Block:
    """One table of a report download with the comment lines that preceded it."""

    comments: list[tuple[int, str]]
    header: list[str]
    header_row: int
    records: list[list[str]] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)


def _blocks(path: Path, text: str) -> tuple[list[tuple[int, str]], list[_Block]]:
    """Split a report download into comment lines and tables.

    Row numbers are 1-based records as a spreadsheet shows them (a quoted field spanning
    lines stays one row). Returns (all comments, tables in order).
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    comments: list[tuple[int, str]] = []
    pending: list[tuple[int, str]] = []
    blocks: list[_Block] = []
    current: _Block | None = None
    i = 0
    row = 0
    while i < len(lines):
        line = lines[i].rstrip("\r")
        i += 1
        row += 1
        if line.startswith("#"):
            current = None
            c = (row, line[1:].strip())
            comments.append(c)
            pending.append(c)
            continue
        if not line.strip():
            current = None
            continue
        while line.count('"') % 2 == 1 and i < len(lines):
            line += "\n" + lines[i].rstrip("\r")
            i += 1
        if line.count('"') % 2 == 1:
            raise FormatError(
                path,
                row=row,
                message="a quoted field is never closed; the last line looks truncated",
            )
        rec = next(csv.reader([line]))
        if current is None:
            problem = sniff_delimiter_problem(line, ",") if len(rec) == 1 else None
            if problem:
                raise FormatError(
                    path,
                    row=row,
                    message=f"the table header is separated by {problem}, expected commas as "
                    "in Google Analytics downloads (was the file re-saved by a spreadsheet?)",
                )
            current = _Block(pending, [h.strip() for h in rec], row)
            pending = []
            blocks.append(current)
        else:
            if len(rec) != len(current.header):
                msg = (
                    f"expected {len(current.header)} columns as in the header on row "
                    f"{current.header_row}, found {len(rec)}"
                )
                if i >= len(lines) and not text.endswith(("\n", "\r")):
                    msg += "; the last line looks truncated"
                raise FormatError(path, row=row, message=msg)
            current.records.append(rec)
            current.rows.append(row)
    return comments, blocks


def _is_free_text(c: str) -> bool:
    return bool(c) and not c.startswith("---") and not _GA4_DATE.match(c)


def _number(path: Path, row: int, column: str, raw: str, *, ua: bool) -> float | None:
    """One cell: plain numbers; UA also percentages, durations and quoted thousands."""
    s = raw.strip()
    if s == "":
        return None
    t = s
    scale = 1.0
    if ua:
        m = _DURATION.match(t)
        if m:
            return float(int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3)))
        if t.endswith("%"):
            t = t[:-1].strip()
            scale = 0.01
        if _THOUSANDS.match(t):
            t = t.replace(",", "")
    try:
        v = float(t)
    except ValueError:
        expected = "a number, a percentage (1.06%) or a duration (00:01:57)" if ua else "a number"
        raise FormatError(path, row=row, column=column, expected=expected, found=raw) from None
    if not np.isfinite(v):
        raise FormatError(path, row=row, column=column, expected="a finite number", found=raw)
    return v * scale


def _looks_numeric(raw: str, ua: bool) -> bool:
    try:
        return _number(Path("-"), 0, "", raw, ua=ua) is not None
    except FormatError:
        return False


def _dimension_count(block: _Block, ua: bool) -> int:
    """Leading columns that are dimensions: the first, then those mostly not numbers."""
    n = 1
    for j in range(1, len(block.header)):
        vals = [r[j] for r in block.records if r[j].strip()]
        if not vals:
            break
        numeric = sum(_looks_numeric(v, ua) for v in vals)
        if numeric * 2 >= len(vals):
            break
        n += 1
    return min(n, max(len(block.header) - 1, 1))


def _yyyymmdd(path: Path, row: int, raw: str) -> dt.date:
    try:
        return dt.datetime.strptime(raw, "%Y%m%d").date()
    except ValueError:
        raise FormatError(path, row=row, expected="a date YYYYMMDD", found=raw) from None


def _long_rows(
    path: Path,
    block: _Block,
    *,
    source: str,
    report: str,
    start: dt.date,
    end: dt.date,
    ua: bool,
    notes: list[str],
) -> pd.DataFrame:
    """Melt one table into web_metrics rows."""
    nd = _dimension_count(block, ua)
    dim_names = block.header[:nd]
    dimension = JOIN.join(dim_names)
    metrics = block.header[nd:]
    first = dim_names[0].lower()
    cohort = bool(metrics) and all(_COHORT.match(m) for m in metrics)
    out: dict[str, list] = {
        "dimension_value": [],
        "period_start": [],
        "period_end": [],
        "metric": [],
        "value": [],
        "source_row": [],
    }
    blanked = 0
    empty_values: list[int] = []
    for rec, row in zip(block.records, block.rows, strict=True):
        parts = [c.strip() for c in rec[:nd]]
        if any(parts):
            value_text: str | None = JOIN.join(parts)
        elif ua:
            value_text = None  # UA: the totals row
        else:
            value_text = ""  # GA4 downloads have no totals row: an empty value is a value
            empty_values.append(row)
        p_start, p_end = start, end
        day: dt.date | None = None
        raw0 = parts[0]
        if raw0 and nd == 1:
            if ua and first == "day index":
                day = _ua_day(path, row, block.header[0], raw0)
            elif not ua and first == "date" and re.fullmatch(r"\d{8}", raw0):
                day = _yyyymmdd(path, row, raw0)
            elif not ua and first == "nth day" and raw0.isdigit():
                day = start + dt.timedelta(days=int(raw0))
        for j, metric in enumerate(metrics, start=nd):
            v = _number(path, row, metric, rec[j], ua=ua)
            if cohort and v == -1:
                v = None
                blanked += 1
            if day is not None:
                p_end = day
                m = _ROLLING.match(metric) if first == "nth day" else None
                p_start = day - dt.timedelta(days=int(m.group(1)) - 1) if m else day
            out["dimension_value"].append(value_text)
            out["period_start"].append(p_start)
            out["period_end"].append(p_end)
            out["metric"].append(metric)
            out["value"].append(v)
            out["source_row"].append(row)
    if blanked:
        notes.append(
            f"{path.name}: {blanked} cohort cells written as -1 (not yet observable) stored "
            f"as NULL in the table at row {block.header_row}"
        )
    if empty_values:
        notes.append(
            f"{path.name}: empty {dimension} on row(s) "
            + ", ".join(map(str, empty_values))
            + " kept as an empty value (GA4 downloads have no totals row)"
        )
    df = pd.DataFrame(out)
    df.insert(0, "dimension", dimension)
    df.insert(0, "report", report)
    df.insert(0, "source", source)
    df["value"] = pd.array(df["value"].tolist(), dtype="Float64")
    return df


def _ua_day(path: Path, row: int, column: str, raw: str) -> dt.date:
    for fmt in ("%m/%d/%y", "%m/%d/%Y", "%Y%m%d", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise FormatError(path, row=row, column=column, expected="a date M/D/YY", found=raw)


def _decode(path: Path) -> tuple[str, str | None]:
    dec = read_text(path)
    return dec.text, dec.note


def _comments(lines: list[str]) -> list[str]:
    return [line[1:].strip() for line in lines if line.startswith("#")]


def _is_ga4_download(lines: list[str]) -> bool:
    return bool(lines) and lines[0].startswith("#") and any(map(_GA4_DATE.match, _comments(lines)))


def _is_ua_export(lines: list[str]) -> bool:
    return bool(lines) and lines[0].startswith("#") and any(map(_UA_RANGE.match, _comments(lines)))


@register("ga4", recognise=_is_ga4_download)
def read_ga4(path: Path, ctx: SourceContext) -> Rows:
    """Google Analytics 4 report download (CSV, one or many tables) -> web_metrics rows.

    Parameters
    ----------
    path : Path
        A GA4 *Download file -> Download CSV* export (LF or CRLF line ends), including the
        multi-table ``Reports_snapshot.csv``.
    ctx : SourceContext
        Unused (GA4 exports name their own report and dates).

    Returns
    -------
    Rows
        ``web_metrics`` with ``source='ga4'``, ``report`` the report title (``Events: Event
        name``; in a snapshot, the section's own title when it has one), ``dimension`` the
        first column's name, ``dimension_value`` its value, ``metric`` each other column's
        name and ``value`` the number as exported (GA4 writes ratios as fractions and times
        in seconds). GA4 downloads carry no totals row, so an empty dimension cell is kept
        as an empty string (not NULL). The period is the ``# Start date`` / ``# End date`` in force for the
        table, except: ``Date`` rows (``YYYYMMDD``) and snapshot ``Nth day`` rows (day N
        after the start date) cover that day, and the snapshot's rolling ``30 days`` /
        ``7 days`` metrics cover the window ending that day. In cohort tables (``Week 0``,
        ``Week 1``, ...) GA4 writes ``-1`` for cells not yet observable: stored as NULL.
        Empty cells are NULL. ``source_row`` is the row of the file.

    Raises
    ------
    FormatError
        No ``#`` comment header or no start/end date before a table (not a GA4 download;
        a Universal Analytics file is named as such), a table header separated by another
        delimiter, a row with a different number of columns than its header, no data row
        in any table, or a value that is not a number (file, row, column named). GA4
        downloads end without a line break, so a missing one is not an error.
    """
    text, note = _decode(path)
    comments, blocks = _blocks(path, text)
    if not comments or not text.lstrip().startswith("#"):
        raise FormatError(
            path,
            row=1,
            message="no '#' comment header; a GA4 'Download file' CSV starts with '# ----' and "
            "'# Start date: YYYYMMDD' lines (is this a ga4 file?)",
        )
    if any(_UA_RANGE.match(c) for _, c in comments) and not any(
        _GA4_DATE.match(c) for _, c in comments
    ):
        raise FormatError(
            path,
            row=next(r for r, c in comments if _UA_RANGE.match(c)),
            message="a '# YYYYMMDD-YYYYMMDD' range line: this is a Universal Analytics export; "
            "import it with --format ga-universal",
        )
    notes: list[str] = [note] if note else []
    free = [c for _, c in comments if _is_free_text(c)]
    file_title = free[0] if free else path.stem
    for _, c in comments:
        if c.lower().startswith(("account:", "property:")):
            notes.append(f"{path.name}: {c}")
    state: dict[str, dt.date] = {}
    frames = []
    for k, block in enumerate(blocks):
        title = None
        for r, c in block.comments:
            m = _GA4_DATE.match(c)
            if m:
                state[m.group(1).lower()] = _yyyymmdd(path, r, m.group(2))
            elif _is_free_text(c) and not c.lower().startswith(("account:", "property:")):
                title = c if (k > 0 or title is None) else title
        if "start" not in state or "end" not in state:
            raise FormatError(
                path,
                row=block.header_row,
                message="no '# Start date: YYYYMMDD' and '# End date: YYYYMMDD' lines before "
                "this table (is this a ga4 file?)",
            )
        if state["end"] < state["start"]:
            raise FormatError(path, row=block.header_row, message="end date before start date")
        if k == 0:
            segments = [
                c
                for _, c in block.comments
                if _is_free_text(c) and c != file_title and ":" not in c
            ]
            if segments:
                notes.append(f"{path.name}: segment {', '.join(segments)}")
        report = file_title if (k == 0 or title is None) else title
        if len(block.header) < 2:
            raise FormatError(
                path,
                row=block.header_row,
                message=f"the table header has one column ('{block.header[0]}'); expected a "
                "dimension and at least one metric, separated by commas",
            )
        frames.append(
            _long_rows(
                path,
                block,
                source="ga4",
                report=report,
                start=state["start"],
                end=state["end"],
                ua=False,
                notes=notes,
            )
        )
    if not blocks:
        raise FormatError(path, message="the file has comment lines but no table")
    if not any(b.records for b in blocks):
        raise no_data_rows(path, blocks[0].header_row)
    if len(blocks) > 1:
        empty = sum(1 for b in blocks if not b.records)
        notes.append(f"{path.name}: {len(blocks)} tables" + (f" ({empty} empty)" if empty else ""))
    rows = Rows(notes=notes)
    rows.add("web_metrics", pd.concat(frames, ignore_index=True))
    return rows


@register("ga-universal", recognise=_is_ua_export)
def read_ga_universal(path: Path, ctx: SourceContext) -> Rows:
    """Universal Analytics (GA3) CSV export with its Day Index table -> web_metrics rows.

    Parameters
    ----------
    path : Path
        A UA *Export -> CSV* file: ``# ----`` block with ``# <view>``, ``# <report>`` and
        ``# YYYYMMDD-YYYYMMDD``; the main table; a blank line; ``Day Index,<metric>``.
    ctx : SourceContext
        Unused.

    Returns
    -------
    Rows
        ``web_metrics`` with ``source='ga_universal'`` and ``report`` the report title
        (the last comment line before the range). Main table: ``dimension`` the
        dimension column names joined with `` | `` (``Search Term | Exit Page``),
        period the file's range; the totals row (empty dimensions) has
        ``dimension_value`` NULL. Percentages are stored as fractions (``1.06%`` ->
        0.0106), durations ``HH:MM:SS`` in seconds, quoted thousands without separators.
        ``Day Index`` table: each row covers its own day (``M/D/YY``); its totals row
        covers the whole range with ``dimension_value`` NULL.

    Raises
    ------
    FormatError
        No ``# YYYYMMDD-YYYYMMDD`` range (a GA4 file is named as such), a table header
        separated by another delimiter, a row with the wrong number of columns, no data
        row in any table, a value that is not a number, percentage or duration, a Day
        Index that is not a date, no line break at the end (UA exports end with one: the
        file was cut short).
    """
    text, note = _decode(path)
    comments, blocks = _blocks(path, text)
    notes: list[str] = [note] if note else []
    ranges = [(r, _UA_RANGE.match(c)) for r, c in comments if _UA_RANGE.match(c)]
    if not ranges:
        if any(_GA4_DATE.match(c) for _, c in comments):
            raise FormatError(
                path,
                row=next(r for r, c in comments if _GA4_DATE.match(c)),
                message="'# Start date:' lines: this is a GA4 report download; import it with "
                "--format ga4",
            )
        raise FormatError(
            path,
            row=1,
            message="no '# YYYYMMDD-YYYYMMDD' date range line in the '#' header; a Universal "
            "Analytics CSV export starts with '# ----' lines (is this a ga-universal file?)",
        )
    range_row, m = ranges[0]
    start = _yyyymmdd(path, range_row, m.group(1))
    end = _yyyymmdd(path, range_row, m.group(2))
    if end < start:
        raise FormatError(path, row=range_row, message="range ends before it starts")
    titles = [c for r, c in comments if r < range_row and _is_free_text(c)]
    report = titles[-1] if titles else path.stem
    if len(titles) > 1:
        notes.append(f"{path.name}: view '{titles[0]}'")
    frames = []
    for block in blocks:
        if len(block.header) < 2:
            raise FormatError(
                path,
                row=block.header_row,
                message=f"the table header has one column ('{block.header[0]}'); expected a "
                "dimension and at least one metric, separated by commas",
            )
        frames.append(
            _long_rows(
                path,
                block,
                source="ga_universal",
                report=report,
                start=start,
                end=end,
                ua=True,
                notes=notes,
            )
        )
    if not frames:
        raise FormatError(path, message="the file has a '#' header but no table")
    if not any(b.records for b in blocks):
        raise no_data_rows(path, blocks[0].header_row)
    # UA exports end with a line break: without one, the last value may be cut short
    require_final_line_break(path, text, max(b.rows[-1] for b in blocks if b.rows))
    dims = sorted({f["dimension"].iloc[0] for f in frames if len(f)})
    if any(JOIN in d for d in dims):
        notes.append(
            f"{path.name}: several dimension columns joined with '{JOIN}' in dimension and "
            "dimension_value"
        )
    rows = Rows(notes=notes)
    rows.add("web_metrics", pd.concat(frames, ignore_index=True))
    return rows
