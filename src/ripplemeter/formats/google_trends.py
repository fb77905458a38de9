"""Google Trends "Download CSV" files: interest over time, by region, related queries.

One format name, ``google-trends``, reads the three exports and tells them apart:

- ``multiTimeline.csv`` (interest over time) -> ``index_series``;
- ``geoMap.csv`` (interest by region, or shares between compared terms) -> ``index_geo``;
- ``relatedQueries.csv`` / ``relatedEntities.csv`` (TOP and RISING) -> ``index_related``.

Google describes the numbers as "search interest relative to the highest point on the chart
for the given region and time. A value of 100 is the peak popularity for the term. A value
of 50 means that the term is half as popular. A score of 0 means there was not enough data
for this term." (Google Trends help, "FAQ about Google Trends data"). A cell written ``<1``
means more than 0 and less than 1: it is kept as a flag (``below_one``), not guessed into
a number.

The exports are localised: the first line is ``Category: All categories`` in English,
``Catégorie : Toutes catégories`` in French (with a no-break space), ``Категория: Все
категории`` in Russian; the time column is ``Week``/``Semaine``/``Неделя``, ... Files
re-saved by Excel carry trailing commas and US ``M/D/YYYY`` dates; both are read.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pandas as pd

from ripplemeter.errors import FormatError
from ripplemeter.formats import Rows, SourceContext, register
from ripplemeter.formats._io import (
    csv_error_location,
    read_text,
    require_final_line_break,
    sniff_delimiter_problem,
    split_records,
)

SOURCE = "google_trends"
FORMAT = "google-trends"

BELOW_ONE_NOTE = "'<1' (more than 0, less than 1) kept as a flag; not a number"

# --------------------------------------------------------------------------- the layout
# An English interest-over-time download (multiTimeline.csv) reads
#
#     Category: All categories
#
#     Week,diet: (Worldwide),exercise: (Worldwide)
#     2021-01-03,87,<1
#
# The importer recognises these lines; ``ripplemeter.demo`` writes its sample with them.

#: The first line: the category the chart was filtered by.
CATEGORY_LINE = "Category: {category}"
#: The category of an unfiltered chart.
ALL_CATEGORIES = "All categories"
#: English header of the time column, by period.
TIME_HEADERS: dict[str, str] = {"day": "Day", "week": "Week", "month": "Month"}
#: A cell of more than 0 and less than 1.
BELOW_ONE = "<1"


def term_column(term: str, paren: str) -> str:
    """A term column's header as Trends writes it: ``term_column('diet', 'Worldwide')``
    is ``'diet: (Worldwide)'``; ``paren`` is the region, or the date range in a geoMap."""
    return f"{term}: ({paren})"


def timeline_header(period: str, terms: list[tuple[str, str]]) -> tuple[str, ...]:
    """Header cells of an English multiTimeline: the time column, then one per (term, region)."""
    return (TIME_HEADERS[period], *(term_column(t, r) for t, r in terms))


# Header word of the time column -> period (English, French, Russian, German, Spanish,
# Portuguese, Italian). Other languages: the period is inferred from the date spacing.
TIME_WORDS: dict[str, str] = {
    **{word.lower(): period for period, word in TIME_HEADERS.items()},
    "jour": "day",
    "semaine": "week",
    "mois": "month",
    "день": "day",
    "неделя": "week",
    "месяц": "month",
    "tag": "day",
    "woche": "week",
    "monat": "month",
    "día": "day",
    "dia": "day",
    "semana": "week",
    "mes": "month",
    "mês": "month",
    "giorno": "day",
    "settimana": "week",
    "mese": "month",
}

# Header word of the place column of a geoMap (a hint; a date range in the term columns'
# parentheses also marks a geoMap).
GEO_WORDS = {
    "country",
    "region",
    "city",
    "metro",
    "dma",
    "subregion",
    "pays",
    "région",
    "ville",
    "zone de diffusion",
    "страна",
    "регион",
    "город",
    "land",
    "stadt",
    "país",
    "región",
    "ciudad",
    "paese",
    "città",
}

SECTIONS = {"TOP": "TOP", "RISING": "RISING"}

_TERM = re.compile(r"^(?P<term>.*\S)\s*[:：]\s*\((?P<paren>.*)\)\s*$", re.S)
_CATEGORY = re.compile(r"^[^:：(),]{2,60}[:：]\s*\S")
_DATE_RANGE = re.compile(r"\d.*\s[-–—]\s.*\d")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_BELOW_ONE = re.compile(rf"^{re.escape(BELOW_ONE)}(%)?$")
_NUMBER = re.compile(r"^(\d+(?:\.\d+)?)(%)?$")
_RISING = re.compile(r"^\+?([\d.,]+)%$")

_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%m/%d/%y")
_DATE_SHOWN = "YYYY-MM-DD, YYYY-MM or M/D/YYYY"


def _trim(cells: list[str]) -> list[str]:
    """Cells without the empty trailing ones Excel adds."""
    out = list(cells)
    while out and not out[-1].strip():
        out.pop()
    return out


def _cell(raw: str) -> tuple[float | None, bool, bool] | None:
    """Parse a 0-100 index or share cell: (value, below_one, is_share), or None if not one.

    ``''`` -> (None, False, False); ``<1`` / ``<\u00a01`` -> (None, True, False);
    ``<1%`` -> (None, True, True); ``70 %`` -> (70.0, False, True).
    """
    s = _SPACES.sub("", raw)
    if s == "":
        return None, False, False
    m = _BELOW_ONE.match(s)
    if m:
        return None, True, m.group(1) is not None
    m = _NUMBER.match(s)
    if m is None:
        return None
    v = float(m.group(1))
    if v > 100:
        return None
    return v, False, m.group(2) is not None


def _records(path: Path, text: str) -> list[tuple[int, list[str]]]:
    loc = csv_error_location(text)
    if loc is not None:
        row, field, at_end = loc
        msg = (
            "the file ends inside a quoted value: the last line looks truncated"
            if at_end
            else "expected a comma after a closing quote"
        )
        raise FormatError(path, row=row, message=f"{msg} (field {field + 1})")
    return split_records(text)


def _not_trends(path: Path, row: int, found: str) -> FormatError:
    return FormatError(
        path,
        row=row,
        expected="a Google Trends export (multiTimeline, geoMap or relatedQueries CSV) "
        f"starting with a line like '{CATEGORY_LINE.format(category=ALL_CATEGORIES)}'",
        found=found,
    )


def _is_trends_export(lines: list[str]) -> bool:
    """An optional 'Category:' line, then a header of terms or a related-queries line."""
    rows = [_trim(next(csv.reader([line]), [])) for line in lines if line.strip()]
    if rows and len(rows[0]) == 1 and _CATEGORY.match(rows[0][0]) and not _TERM.match(rows[0][0]):
        rows = rows[1:]
    if not rows or not rows[0]:
        return False
    head = rows[0]
    if len(head) == 1:
        return bool(_TERM.match(head[0])) or head[0].strip().upper() in SECTIONS
    return all(_TERM.match(c) for c in head[1:])


@register(FORMAT, recognise=_is_trends_export)
def read_google_trends(path: Path, ctx: SourceContext) -> Rows:
    """Google Trends CSV (interest over time, by region, or related queries) -> index tables.

    Parameters
    ----------
    path : Path
        A file from trends.google.com's "Download CSV" button, in any UI language:
        ``multiTimeline.csv``, ``geoMap.csv`` or ``relatedQueries.csv`` (also
        ``relatedEntities.csv``). The kind is detected from the content, not the name.
    ctx : SourceContext
        ``imported_at``: an interest-over-time period that ends after it (the running
        week or month of a fresh download) is flagged ``is_partial``. Terms and regions
        come from the file.

    Returns
    -------
    Rows
        multiTimeline -> ``index_series``: one row per date and term with ``date`` (start
        of the period), ``period`` (day, week or month, from the header word such as
        ``Week``/``Semaine``/``Неделя``, else from the date spacing), ``source``
        ``google_trends``, ``term`` and ``geo`` from headers like ``diet: (Worldwide)``,
        ``value`` (index 0-100), ``below_one`` and ``is_partial`` (the period was not over
        at the import time).
        geoMap -> ``index_geo``: one row per place and term; ``geo_level`` is the first
        header cell (Country, Region, Zone de diffusion, ...), ``period_label`` the date
        range written in the header, ``is_share`` True for percentages (``70 %``) of
        compared terms.
        relatedQueries -> ``index_related``: one row per query in the TOP (0-100) and RISING
        (percent increase, ``"+1,600%"`` -> 1600.0) sections; ``Breakout`` -> ``breakout``
        True and value NULL.
        ``<1`` (``<\u00a01`` in the French UI, ``<1%`` for shares) -> value NULL and
        ``below_one`` True. Every row keeps ``source_row``.

    Raises
    ------
    FormatError
        Not a Trends export (row 1), a header column not like ``term: (region)``, a bad
        date, a value that is not 0-100, ``<1`` or a share, a row with another number of
        columns (a truncated last line says so), no data rows, or no line break at the end
        (Trends downloads end with one: the file was cut short). The message names file,
        row and column.

    Notes
    -----
    Values are relative to the peak of the chart the file was downloaded from, so two
    exports are not on the same scale unless they were downloaded together (Google Trends
    help: "numbers represent search interest relative to the highest point on the chart
    for the given region and time").
    """
    path = Path(path)
    dec = read_text(path)
    notes: list[str] = []
    if dec.note:
        notes.append(dec.note)
    recs = _records(path, dec.text)
    # trailing empty cells (Excel re-saves) are ignored when recognising the file; data rows
    # keep them up to the header's width (an empty geoMap cell is a value)
    lines = [(row, _trim(cells)) for row, cells in recs if _trim(cells)]
    if not lines:
        raise FormatError(path, row=1, message="the file has no data")
    first_row, first = lines[0]
    shown = ",".join(first)
    pos = 0
    if len(first) == 1 and _CATEGORY.match(first[0]) and not _TERM.match(first[0]):
        category = first[0].split(":", 1)[-1].split("：", 1)[-1].strip()
        notes.append(f"{path.name}: Google Trends category '{category}'")
        pos = 1
    elif len(first) >= 2 and all(_TERM.match(c) for c in first[1:]):
        notes.append(f"{path.name}: no 'Category:' line; read as a Google Trends table")
    elif len(first) == 1 and (_TERM.match(first[0]) or first[0].strip().upper() in SECTIONS):
        notes.append(f"{path.name}: no 'Category:' line; read as Google Trends related queries")
    else:
        raise _not_trends(path, first_row, shown)
    if pos >= len(lines):
        raise FormatError(
            path,
            row=first_row,
            message="the file ends after the 'Category:' line; expected a header such as "
            "'Week,term: (Worldwide)'",
        )
    head_row, head = lines[pos]
    raw_lines = dec.text.split("\n")
    raw_head = raw_lines[head_row - 1].rstrip("\r") if head_row <= len(raw_lines) else ""
    problem = sniff_delimiter_problem(raw_head, ",")
    if problem and len(head) == 1:
        raise FormatError(
            path,
            row=head_row,
            message=f"the header is separated by {problem}, expected commas as in the CSV "
            "Google Trends downloads (was it re-saved by a spreadsheet?)",
        )
    if len(head) == 1:
        cell = head[0].strip()
        if _TERM.match(cell) or cell.upper() in SECTIONS:
            rows = _related(path, lines[pos:], notes)
            require_final_line_break(path, dec.text, lines[-1][0])
            return rows
        word = _SPACES.sub(" ", cell).lower()
        if word in TIME_WORDS or word in GEO_WORDS:
            raise FormatError(
                path,
                row=head_row,
                column=cell,
                message="missing the term columns: expected a header such as "
                f"'{cell},term: (Worldwide)'",
            )
        raise FormatError(
            path,
            row=head_row,
            expected="a header such as 'Week,term: (Worldwide)' or a related-queries line "
            "such as 'term: (dates, region)'",
            found=cell,
        )
    rows = _table(path, dec.text, recs, head_row, notes)
    # Trends downloads end with a line break: without one, the last value may be cut short
    require_final_line_break(path, dec.text, lines[-1][0])
    if "index_series" in rows.tables:
        _flag_running_last(path, rows, ctx)
    return rows


def _flag_running_last(path: Path, rows: Rows, ctx: SourceContext) -> None:
    """Flag the periods not over at the import time (``is_partial``), with a note.

    A download of "Past 12 months" ends with the running week, which holds only part of its
    searches and reads low (Trends draws it dotted, "partial data"); as for pytrends,
    Baidu Index and Naver DataLab, it is left out of the search-interest means by default.
    """
    from ripplemeter.formats.index_csv import _imported_day, _partial_note, period_end

    df = rows.tables["index_series"]
    until = _imported_day(ctx)
    ends = [
        dt.datetime.combine(period_end(d, p), dt.time())
        for d, p in zip(df["date"], df["period"], strict=True)
    ]
    df["is_partial"] = [end > until for end in ends]
    recs = df[["date", "is_partial"]].to_dict("records")
    rows.notes.append(_partial_note(path, recs, "period not over at import time"))


# --------------------------------------------------------------------------- timeline / geo
def _table(
    path: Path, text: str, recs: list[tuple[int, list[str]]], header_row: int, notes: list[str]
) -> Rows:
    header = _trim(next(cells for row, cells in recs if row == header_row))
    header = [h.strip().lstrip("\ufeff") for h in header]
    first = header[0]
    terms: list[tuple[str, str]] = []
    for h in header[1:]:
        m = _TERM.match(h)
        if m is None:
            raise FormatError(
                path,
                row=header_row,
                column=h,
                expected=f"a column header like '{term_column('diet', 'Worldwide')}' "
                "(term: (region or dates))",
                found=h,
            )
        terms.append((m.group("term").strip(), m.group("paren").strip()))
    width = len(header)
    data: list[tuple[int, list[str]]] = []
    last_row = recs[-1][0]
    for row, cells in recs:
        if row <= header_row or not any(c.strip() for c in cells):
            continue
        if len(cells) > width and not any(c.strip() for c in cells[width:]):
            cells = cells[:width]
        if len(cells) != width:
            msg = f"expected {width} columns as in the header, found {len(cells)}"
            column = header[len(cells)] if len(cells) < width else None
            if row == last_row and len(cells) < width and not text.endswith("\n"):
                msg += "; the last line looks truncated"
            raise FormatError(path, row=row, column=column, message=msg)
        data.append((row, cells))
    if not data:
        raise FormatError(path, row=header_row, message="no data rows after the header")

    word = _SPACES.sub(" ", first).strip().lower()
    if word in TIME_WORDS:
        return _timeline(path, header, terms, data, TIME_WORDS[word], notes)
    if word in GEO_WORDS or all(_DATE_RANGE.search(p) for _, p in terms):
        return _geo(path, header, terms, data, notes)
    if _parse_date(data[0][1][0]) is not None:
        return _timeline(path, header, terms, data, None, notes)
    raise FormatError(
        path,
        row=header_row,
        column=first,
        expected="a time column (Week, Month, Day, ...) or a place column "
        "(Country, Region, City, ...)",
        found=first,
    )


def _parse_date(s: str, fmt: str | None = None) -> tuple[dt.date, str] | None:
    s = s.strip()
    for f in (fmt,) if fmt else _DATE_FORMATS:
        try:
            return dt.datetime.strptime(s, f).date(), f
        except ValueError:
            continue
    return None


def _spacing_period(dates: list[dt.date]) -> str | None:
    if len(dates) < 2:
        return None
    steps = {(b - a).days for a, b in zip(dates, dates[1:], strict=False)}
    if steps == {1}:
        return "day"
    if steps == {7}:
        return "week"
    if steps <= set(range(28, 32)) and len({d.day for d in dates}) == 1:
        return "month"
    return None


def _dates(path: Path, column: str, data: list[tuple[int, list[str]]]) -> tuple[list, str]:
    """Parse the time column with one format for the whole file (M/D vs D/M by spacing)."""
    raws = [cells[0] for _, cells in data]
    candidates: list[tuple[str, list[dt.date]]] = []
    for fmt in _DATE_FORMATS:
        parsed = [_parse_date(r, fmt) for r in raws]
        if all(p is not None for p in parsed):
            candidates.append((fmt, [p[0] for p in parsed]))
    if candidates:
        for fmt, ds in candidates:
            if len(candidates) == 1 or _spacing_period(ds) is not None:
                return ds, fmt
        return candidates[0][1], candidates[0][0]
    first = _parse_date(raws[0])
    fmt = first[1] if first else None
    for (row, _), raw in zip(data, raws, strict=True):
        if fmt is None or _parse_date(raw, fmt) is None:
            raise FormatError(
                path, row=row, column=column, expected=f"a date ({_DATE_SHOWN})", found=raw
            )
    raise AssertionError("unreachable")  # pragma: no cover


def _values(
    path: Path, row: int, column: str, raw: str, *, share_ok: bool
) -> tuple[float | None, bool, bool]:
    parsed = _cell(raw)
    if parsed is None or (parsed[2] and not share_ok):
        raise FormatError(
            path,
            row=row,
            column=column,
            expected="a value from 0 to 100 or '<1'"
            + (" (or a share like '70%')" if share_ok else ""),
            found=raw,
        )
    return parsed


def _below_one_note(path: Path, n: int) -> str:
    return f"{path.name}: {BELOW_ONE_NOTE} (no number is guessed for it), in {n} cell(s)"


def _timeline(
    path: Path,
    header: list[str],
    terms: list[tuple[str, str]],
    data: list[tuple[int, list[str]]],
    period: str | None,
    notes: list[str],
) -> Rows:
    dates, fmt = _dates(path, header[0], data)
    if fmt in ("%m/%d/%Y", "%m/%d/%y", "%d/%m/%Y"):
        order = "month/day/year" if fmt.startswith("%m") else "day/month/year"
        notes.append(
            f"{path.name}: dates written {'M/D/YYYY' if fmt.startswith('%m') else 'D/M/YYYY'} "
            f"(the file was re-saved by a spreadsheet); read as {order}"
        )
    if period is None:
        period = _spacing_period(dates)
        if period is None:
            if fmt == "%Y-%m":
                period = "month"
            else:
                raise FormatError(
                    path,
                    row=data[0][0],
                    column=header[0],
                    message=f"cannot tell the period from the header '{header[0]}' or the "
                    "dates; expected Day, Week or Month",
                )
        notes.append(f"{path.name}: period '{period}' inferred from the spacing of the dates")
    out: dict[str, list] = {
        "date": [],
        "period": [],
        "source": [],
        "term": [],
        "geo": [],
        "value": [],
        "below_one": [],
        "source_row": [],
    }
    below = 0
    for (row, cells), day in zip(data, dates, strict=True):
        for j, (term, geo) in enumerate(terms, start=1):
            value, below_one, _ = _values(path, row, header[j], cells[j], share_ok=False)
            below += below_one
            out["date"].append(day)
            out["period"].append(period)
            out["source"].append(SOURCE)
            out["term"].append(term)
            out["geo"].append(geo)
            out["value"].append(value)
            out["below_one"].append(below_one)
            out["source_row"].append(row)
    notes.append(
        f"{path.name}: Google Trends interest over time, {len(terms)} term(s) x {len(data)} "
        f"{period}s; values relative to the chart's peak (100)"
    )
    notes.append(_below_one_note(path, below))
    df = pd.DataFrame(out)
    df["value"] = df["value"].astype("float64")
    rows = Rows(notes=notes)
    rows.add("index_series", df)
    return rows


def _geo(
    path: Path,
    header: list[str],
    terms: list[tuple[str, str]],
    data: list[tuple[int, list[str]]],
    notes: list[str],
) -> Rows:
    out: dict[str, list] = {
        "source": [],
        "term": [],
        "period_label": [],
        "geo_level": [],
        "geo": [],
        "value": [],
        "is_share": [],
        "below_one": [],
        "source_row": [],
    }
    below = 0
    empty = 0
    for row, cells in data:
        place = cells[0].strip()
        if not place:
            raise FormatError(path, row=row, column=header[0], expected="a place name", found="")
        for j, (term, label) in enumerate(terms, start=1):
            value, below_one, is_share = _values(path, row, header[j], cells[j], share_ok=True)
            below += below_one
            empty += value is None and not below_one
            out["source"].append(SOURCE)
            out["term"].append(term)
            out["period_label"].append(label)
            out["geo_level"].append(header[0])
            out["geo"].append(place)
            out["value"].append(value)
            out["is_share"].append(is_share)
            out["below_one"].append(below_one)
            out["source_row"].append(row)
    notes.append(
        f"{path.name}: Google Trends interest by {header[0]}, {len(terms)} term(s) x "
        f"{len(data)} places"
    )
    notes.append(_below_one_note(path, below))
    if empty:
        notes.append(f"{path.name}: {empty} empty cell(s) (too little data) stored as NULL")
    df = pd.DataFrame(out)
    df["value"] = df["value"].astype("float64")
    rows = Rows(notes=notes)
    rows.add("index_geo", df)
    return rows


# --------------------------------------------------------------------------- related queries
def _related(path: Path, lines: list[tuple[int, list[str]]], notes: list[str]) -> Rows:
    kind = "topics" if path.name.lower().startswith("relatedentities") else "queries"
    term = None
    pos = 0
    m = _TERM.match(lines[0][1][0])
    if m is not None:
        term = m.group("term").strip()
        notes.append(f"{path.name}: related {kind} for '{term}' ({m.group('paren').strip()})")
        pos = 1
    out: dict[str, list] = {
        "source": [],
        "term": [],
        "kind": [],
        "section": [],
        "query": [],
        "value": [],
        "breakout": [],
        "source_row": [],
    }
    section: str | None = None
    seen_sections: list[str] = []
    below = 0
    for row, cells in lines[pos:]:
        if len(cells) == 1:
            label = cells[0].strip()
            if label.upper() in SECTIONS:
                section = SECTIONS[label.upper()]
            elif len(seen_sections) < 2:
                section = ("TOP", "RISING")[len(seen_sections)]
                notes.append(f"{path.name}: section '{label}' on row {row} read as {section}")
            else:
                raise FormatError(
                    path, row=row, expected="a section line 'TOP' or 'RISING'", found=label
                )
            seen_sections.append(section)
            continue
        if section is None:
            raise FormatError(
                path,
                row=row,
                expected="a section line 'TOP' or 'RISING' first",
                found=",".join(cells),
            )
        if len(cells) != 2:
            raise FormatError(
                path,
                row=row,
                column=section,
                message=f"expected 2 columns (query, value), found {len(cells)}",
            )
        query, raw = cells[0].strip(), cells[1]
        s = _SPACES.sub("", raw)
        value: float | None
        breakout = False
        if section == "RISING":
            rm = _RISING.match(s)
            if s.lower() == "breakout":
                value, breakout = None, True
            elif rm is not None:
                value = float(re.sub(r"[.,]", "", rm.group(1)))
            else:
                raise FormatError(
                    path,
                    row=row,
                    column=section,
                    expected="a percent increase like '+350%' or 'Breakout'",
                    found=raw,
                )
        else:
            parsed = _cell(raw)
            if parsed is None or parsed[2]:
                raise FormatError(
                    path, row=row, column=section, expected="a value from 0 to 100", found=raw
                )
            value = parsed[0]
            below += parsed[1]
        out["source"].append(SOURCE)
        out["term"].append(term)
        out["kind"].append(kind)
        out["section"].append(section)
        out["query"].append(query)
        out["value"].append(value)
        out["breakout"].append(breakout)
        out["source_row"].append(row)
    if not out["query"]:
        raise FormatError(path, row=lines[-1][0], message="no related queries found")
    if below:
        notes.append(
            f"{path.name}: {BELOW_ONE_NOTE}: {below} TOP value(s) written '<1' stored as NULL"
        )
    n_break = sum(out["breakout"])
    notes.append(
        f"{path.name}: 'Breakout' (growth above +5000%) kept as a flag: {n_break} row(s) with "
        "breakout TRUE and value NULL"
    )
    df = pd.DataFrame(out)
    df["value"] = df["value"].astype("float64")
    rows = Rows(notes=notes)
    rows.add("index_related", df)
    return rows
