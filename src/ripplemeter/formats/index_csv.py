"""Search-index series other than Google Trends' own downloads: pytrends, Baidu Index, Naver.

Three formats, each into ``index_series`` as :mod:`ripplemeter.formats.google_trends` does:

- ``pytrends``: a DataFrame from pytrends' ``TrendReq.interest_over_time()`` saved with
  ``to_csv()``: ``date,<term>,<term>...,isPartial`` (or with ``to_json()``, any orient).
  Source ``google_trends`` (it is Google Trends data, fetched by another route).
- ``baidu-index``: Baidu Index (百度指数) series as the usual download tools write them
  (Baidu's site has no CSV button): long, one row per date and keyword
  (``date,keyword,index`` with optional ``type`` all/pc/wise and ``area``; Chinese headers
  ``日期,关键词,搜索指数`` too), or wide (``date,<keyword>,<keyword>...``). Source
  ``baidu_index``.
- ``naver-datalab``: Naver DataLab search trends (검색어트렌드): the Search Trend API's JSON
  answer (``startDate``, ``endDate``, ``timeUnit``, ``results[].title/keywords/data[].period/
  ratio``), or a CSV of it, long (``period,title,ratio``) or wide (``날짜``/``period``, then
  one column per keyword group). Source ``naver_datalab``.

**Partial periods.** A period that was not over when the data was taken is flagged
``is_partial``: pytrends says so in ``isPartial``; a Naver API answer whose ``endDate`` ends
inside the last period has a partial last period; otherwise (CSV) a last period that ends
after the import time cannot be complete yet. The ``indices`` section leaves partial periods
out of its means and says so. A CSV imported long after its download cannot show that its
last period was running then: import downloads promptly, or rely on ``isPartial``.

Values are what each source publishes: pytrends and Naver ratios are 0-100 relative to the
chart's peak (Naver: "the largest value in the results set to 100"); Baidu Index values are
Baidu's own weighted search volume, not capped at 100.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ripplemeter.errors import FormatError
from ripplemeter.formats import Rows, SourceContext, register
from ripplemeter.formats._io import (
    Table,
    csv_error_location,
    json_error,
    read_table,
    read_text,
    require_final_line_break,
    sniff_delimiter_problem,
    split_records,
)

PYTRENDS = "pytrends"
BAIDU = "baidu-index"
NAVER = "naver-datalab"

#: pytrends' flag column, written by ``interest_over_time()`` after the term columns.
PARTIAL_COLUMN = "isPartial"

#: Baidu Index long layout: our name -> headers it goes by (case-insensitive).
BAIDU_COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("date", "日期", "时间"),
    "keyword": ("keyword", "word", "关键词", "关键字"),
    "index": ("index", "value", "搜索指数", "百度指数", "指数"),
    "type": ("type", "device", "类型", "终端"),
    "area": ("area", "region", "地区", "地域"),
}
#: Baidu device types: the whole index (PC + mobile) is kept; the split rows are left out.
BAIDU_ALL = {"all", "整体", "全部", "pc+移动", "pc+wise"}
BAIDU_SPLIT = {"pc", "wise", "mobile", "移动", "移动端", "pc端"}
#: Baidu Index without an area covers the whole country.
BAIDU_NATIONWIDE = "全国"

#: Naver DataLab CSV: our name -> headers it goes by.
NAVER_COLUMNS: dict[str, tuple[str, ...]] = {
    "period": ("period", "date", "날짜", "기간"),
    "title": ("title", "group", "groupname", "주제어", "그룹"),
    "ratio": ("ratio", "value", "비율", "검색량"),
}
#: Naver ``timeUnit`` -> our period.
NAVER_UNITS = {"date": "day", "week": "week", "month": "month"}
#: Naver DataLab covers Naver searches in Korea.
NAVER_GEO = "KR"

_DATE_FORMATS = ("%Y-%m-%d", "%Y.%m.%d", "%Y/%m/%d", "%Y%m%d")
_TIME_SUFFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$")


# --------------------------------------------------------------------------- helpers
def period_end(day: dt.date, period: str) -> dt.date:
    """The first day after a period (exclusive end): day +1, week +7, month to the next 1st."""
    if period == "day":
        return day + dt.timedelta(days=1)
    if period == "week":
        return day + dt.timedelta(days=7)
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1) + dt.timedelta(days=last)


def spacing_period(dates: Sequence[dt.date]) -> str | None:
    """day, week or month from the spacing of sorted distinct dates; None when unclear.

    The smallest step decides, so a series with gaps (a week missing) still reads: steps of
    whole days -> day; of whole weeks, at least one of 7 days -> week; dates on one day of
    the month at least 28 days apart, one step under 32 -> month.
    """
    ds = sorted(set(dates))
    if len(ds) < 2:
        return None
    steps = [(b - a).days for a, b in zip(ds, ds[1:], strict=False)]
    if min(steps) == 1:
        return "day"
    if min(steps) == 7 and all(s % 7 == 0 for s in steps):
        return "week"
    if 28 <= min(steps) <= 31 and len({d.day for d in ds}) == 1:
        return "month"
    return None


def _imported_day(ctx: SourceContext) -> dt.datetime:
    t = ctx.imported_at if ctx.imported_at is not None else pd.Timestamp.now(tz="UTC")
    t = pd.Timestamp(t)
    if t.tzinfo is not None:
        t = t.tz_convert("UTC").tz_localize(None)
    return t.to_pydatetime()


def _check_delimiter(path: Path, text: str, table: Table) -> None:
    if len(table.header) == 1:
        first = text.split("\n")[table.header_row - 1]
        problem = sniff_delimiter_problem(first, ",")
        if problem:
            raise FormatError(
                path,
                row=table.header_row,
                message=f"the header is separated by {problem}, expected commas",
            )


def _read_csv(
    path: Path, fmt: str, *, header_names: Sequence[str] = ()
) -> tuple[str, Table, list[str]]:
    """Decode and parse a CSV; ``header_names``: the header is the first record whose first
    cell is one of these (case-insensitive), and the lines above it (a download's title
    block) are skipped; when no record starts so, the first record is the header."""
    dec = read_text(path)
    notes = [dec.note] if dec.note else []
    loc = csv_error_location(dec.text)
    if loc is not None:
        row, field, at_end = loc
        msg = (
            "the file ends inside a quoted value: the last line looks truncated"
            if at_end
            else "expected a comma after a closing quote"
        )
        raise FormatError(path, row=row, message=f"{msg} (field {field + 1})")
    skip = 0
    if header_names:
        wanted = {n.lower() for n in header_names}
        for k, (_row, rec) in enumerate(split_records(dec.text)):
            if rec and rec[0].strip().lstrip("\ufeff").lower() in wanted:
                skip = k
                break
    table = read_table(path, dec.text, format_name=fmt, skip_rows=skip)
    _check_delimiter(path, dec.text, table)
    return dec.text, table, notes


def _col(table: Table, names: Sequence[str]) -> int:
    lowered = [h.strip().lower() for h in table.header]
    for n in names:
        if n.lower() in lowered:
            return lowered.index(n.lower())
    return -1


def _date(path: Path, row: int, column: str, raw: str) -> dt.date:
    s = raw.strip()
    m = _TIME_SUFFIX.match(s)
    if m is not None:
        if (m.group(2), m.group(3), m.group(4) or "00") != ("00", "00", "00"):
            raise FormatError(
                path,
                row=row,
                column=column,
                message=f"'{raw}' is an hour, not a day: hourly series (pytrends timeframes "
                "shorter than a week) do not fit index_series, which holds days, weeks and "
                "months; download a timeframe of a week or more",
            )
        s = m.group(1)
    for f in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(s, f).date()
        except ValueError:
            continue
    raise FormatError(
        path, row=row, column=column, expected="a date (YYYY-MM-DD or YYYY.MM.DD)", found=raw
    )


def _value(path: Path, row: int, column: str, raw: str, *, cap: float | None) -> float | None:
    s = raw.strip().replace(",", "") if cap is None else raw.strip()
    if s == "":
        return None
    try:
        v = float(s)
    except ValueError:
        v = float("nan")
    if not (v >= 0) or (cap is not None and v > cap):
        shown = f"a number from 0 to {cap:g}" if cap is not None else "a number of 0 or more"
        raise FormatError(path, row=row, column=column, expected=shown, found=raw)
    return v


def _frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(
        rows,
        columns=[
            "date",
            "period",
            "source",
            "term",
            "geo",
            "value",
            "below_one",
            "is_partial",
            "source_row",
        ],
    )
    df["value"] = df["value"].astype("float64")
    return df


def _running_last(
    rows: list[dict], period: str, until: dt.datetime, *, inclusive_end: bool = False
) -> int:
    """Flag the periods that end after ``until`` (a period whose data was still coming in).

    ``inclusive_end``: ``until`` is a last covered day (Naver's endDate), so a period is
    complete when its exclusive end is the day after it.
    """
    limit = until.date() + dt.timedelta(days=1) if inclusive_end else until
    n = 0
    for r in rows:
        end = period_end(r["date"], period)
        over = end <= limit if inclusive_end else dt.datetime.combine(end, dt.time()) <= limit
        if not over and not r["is_partial"]:
            r["is_partial"] = True
            n += 1
    return n


def _partial_note(path: Path, rows: list[dict], why: str) -> str:
    days = sorted({r["date"] for r in rows if r["is_partial"]})
    if not days:
        return f"{path.name}: no partial period ({why})"
    shown = ", ".join(d.isoformat() for d in days[:5]) + (" ..." if len(days) > 5 else "")
    return (
        f"{path.name}: {len(days)} period(s) flagged partial ({why}): {shown}; left out of "
        "the search-interest means by default"
    )


def _period_of(path: Path, table: Table, column: str, dates: list[dt.date]) -> str:
    period = spacing_period(dates)
    if period is None:
        raise FormatError(
            path,
            row=table.rows[0],
            column=column,
            message="cannot tell the period (day, week or month) from the spacing of the "
            "dates; expected dates one day, one week or one month apart",
        )
    return period


# --------------------------------------------------------------------------- pytrends
def _is_pytrends(lines: list[str]) -> bool:
    if not lines:
        return False
    first = lines[0].lstrip("\ufeff").lstrip()
    if first.startswith(("{", "[")):
        return f'"{PARTIAL_COLUMN}"' in " ".join(lines[:20])
    head = [c.strip() for c in lines[0].lstrip("\ufeff").split(",")]
    return len(head) >= 3 and head[0] == "date" and head[-1] == PARTIAL_COLUMN


@register(PYTRENDS, recognise=_is_pytrends)
def read_pytrends(path: Path, ctx: SourceContext) -> Rows:
    """pytrends interest_over_time() as CSV (date,<terms...>,isPartial) or JSON -> index_series.

    Parameters
    ----------
    path : Path
        ``DataFrame.to_csv()`` of ``TrendReq.interest_over_time()``: the index column
        ``date`` (``2026-02-01`` for days, weeks and months; ``... 00:00:00`` also read),
        one column per term holding 0-100, and ``isPartial`` (``True``/``False`` in any
        case). Or ``DataFrame.to_json()`` of it in any orient (``columns``, ``index``,
        ``split``, ``table``; ``records`` after ``reset_index()``), dates as epoch
        milliseconds or ISO 8601, ``isPartial`` a JSON boolean or a True/False string.
    ctx : SourceContext
        Not used: pytrends does not write the region or category into the frame.

    Returns
    -------
    Rows
        ``index_series``: one row per date and term; ``source`` ``google_trends``;
        ``period`` from the date spacing; ``geo`` NULL (not in the file; noted);
        ``is_partial`` from ``isPartial``; ``below_one`` False (pytrends gives 0 for '<1').

    Raises
    ------
    FormatError
        No ``date`` or ``isPartial`` column, a bad date or an hourly timestamp, a value
        outside 0-100, an ``isPartial`` other than True/False, a row of another width, no
        final line break (``to_csv`` ends with one: the file was cut); JSON that is not a
        frame with ``isPartial`` for every date, or a cut JSON file.

    References
    ----------
    pytrends README, "Interest Over Time": "Returns pandas.DataFrame" with ``isPartial``
    (github.com/GeneralMills/pytrends).
    """
    path = Path(path)
    head_text = read_text(path).text.lstrip("\ufeff").lstrip()
    if head_text.startswith(("{", "[")):
        notes = []
        terms, items = _pytrends_json(path, head_text)
    else:
        terms, items, notes = _pytrends_csv(path)
    dates = [day for _r, day, _v, _f in items]
    period = spacing_period(dates)
    if period is None:
        raise FormatError(
            path,
            row=items[0][0],
            column="date",
            message="cannot tell the period (day, week or month) from the spacing of the "
            "dates; expected dates one day, one week or one month apart",
        )
    rows: list[dict] = []
    for r, day, values, flag in items:
        for term, raw in zip(terms, values, strict=True):
            rows.append(
                {
                    "date": day,
                    "period": period,
                    "source": "google_trends",
                    "term": term,
                    "geo": None,
                    "value": _value(path, r, term, raw, cap=100.0),
                    "below_one": False,
                    "is_partial": flag,
                    "source_row": r,
                }
            )
    notes.append(
        f"{path.name}: pytrends interest over time, {len(terms)} term(s) x {len(dates)} "
        f"{period}s; values relative to the chart's peak (100); the region is not in the "
        "file (geo NULL)"
    )
    notes.append(_partial_note(path, rows, "isPartial True"))
    out = Rows(notes=notes)
    out.add("index_series", _frame(rows))
    return out


_Item = tuple[int, dt.date, list[str], bool]  # row, date, the terms' cells, isPartial


def _flag(path: Path, row: int, raw: object) -> bool:
    """isPartial: a JSON boolean, or True/False in any case (to_csv, a spreadsheet)."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
        return raw.strip().lower() == "true"
    raise FormatError(
        path, row=row, column=PARTIAL_COLUMN, expected="True or False", found=str(raw)
    )


def _pytrends_csv(path: Path) -> tuple[list[str], list[_Item], list[str]]:
    text, table, notes = _read_csv(path, PYTRENDS)
    head = [h.strip() for h in table.header]
    if not head or head[0].lower() != "date":
        raise FormatError(
            path,
            row=table.header_row,
            column=head[0] if head else None,
            expected="a pytrends interest_over_time CSV starting with the column 'date'",
            found=",".join(head[:4]),
        )
    if head[-1] != PARTIAL_COLUMN:
        raise FormatError(
            path,
            row=table.header_row,
            column=head[-1],
            expected=f"the last column '{PARTIAL_COLUMN}' (pytrends interest_over_time)",
            found=head[-1],
        )
    terms = head[1:-1]
    if not terms:
        raise FormatError(
            path,
            row=table.header_row,
            message=f"no term column between 'date' and '{PARTIAL_COLUMN}'",
        )
    items = [
        (r, _date(path, r, "date", rec[0]), rec[1:-1], _flag(path, r, rec[-1]))
        for r, rec in zip(table.rows, table.records, strict=True)
    ]
    require_final_line_break(path, text, table.rows[-1])
    return terms, items, notes


def _json_day(path: Path, row: int, raw: object) -> dt.date:
    """A date as ``DataFrame.to_json`` writes the index: epoch milliseconds or ISO 8601."""
    if (
        isinstance(raw, int | float)
        and not isinstance(raw, bool)
        or (isinstance(raw, str) and raw.strip().isdigit())
    ):
        t = pd.Timestamp(int(raw), unit="ms")
        return _date(path, row, "date", t.strftime("%Y-%m-%d %H:%M:%S"))
    if isinstance(raw, str):
        s = raw.strip().replace("T", " ").removesuffix("Z")
        return _date(path, row, "date", s.split(".")[0] if ":" in s else s)
    raise FormatError(path, row=row, column="date", expected="a date", found=str(raw))


def _pytrends_json(path: Path, text: str) -> tuple[list[str], list[_Item]]:
    """``interest_over_time().to_json()`` in the orients pandas writes: columns (the
    default), index, split, table, and records after ``reset_index()``."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise json_error(path, text, exc) from None
    records: list[dict] | None = None  # each with "date", the terms and isPartial
    if isinstance(doc, dict) and isinstance(doc.get("data"), list) and "schema" in doc:
        records = doc["data"]  # orient="table"
    elif isinstance(doc, dict) and {"columns", "index", "data"} <= set(doc):
        cols = list(doc["columns"])  # orient="split"
        records = [
            {"date": i, **dict(zip(cols, vals, strict=False))}
            for i, vals in zip(doc["index"], doc["data"], strict=False)
        ]
    elif isinstance(doc, dict) and isinstance(doc.get(PARTIAL_COLUMN), dict):
        keys = list(doc[PARTIAL_COLUMN])  # orient="columns": {column: {date: value}}
        records = [
            {"date": k, **{c: (v or {}).get(k) for c, v in doc.items() if isinstance(v, dict)}}
            for k in keys
        ]
    elif isinstance(doc, dict) and doc and all(isinstance(v, dict) for v in doc.values()):
        records = [{"date": k, **v} for k, v in doc.items()]  # orient="index"
    elif isinstance(doc, list) and doc and all(isinstance(v, dict) for v in doc):
        records = doc  # orient="records" after reset_index()
    if not records or not all(isinstance(r, dict) and PARTIAL_COLUMN in r for r in records):
        raise FormatError(
            path,
            row=1,
            expected="pytrends interest_over_time as JSON (DataFrame.to_json) with "
            f"'{PARTIAL_COLUMN}' for every date",
            found=text.strip()[:60],
        )
    first = records[0]
    date_key = next((k for k in first if str(k).lower() in ("date", "index")), None)
    if date_key is None:
        raise FormatError(
            path, row=1, message="no date in the JSON: save the frame with its index (the dates)"
        )
    terms = [str(k) for k in first if k not in (date_key, PARTIAL_COLUMN)]
    if not terms:
        raise FormatError(path, row=1, message=f"no term besides the date and '{PARTIAL_COLUMN}'")
    items: list[_Item] = []
    for r in records:
        raw_day = r.get(date_key)
        pos = text.find(json.dumps(raw_day) if not isinstance(raw_day, str) else raw_day)
        row = text.count("\n", 0, pos) + 1 if pos >= 0 else 1
        cells = [r.get(t) for t in terms]
        if any(isinstance(c, bool) or not isinstance(c, int | float | str) for c in cells):
            bad = next(
                c for c in cells if isinstance(c, bool) or not isinstance(c, int | float | str)
            )
            term = terms[cells.index(bad)]
            raise FormatError(
                path, row=row, column=term, expected="a number from 0 to 100", found=str(bad)
            )
        items.append(
            (
                row,
                _json_day(path, row, raw_day),
                [str(c) for c in cells],
                _flag(path, row, r.get(PARTIAL_COLUMN)),
            )
        )
    return terms, items


# --------------------------------------------------------------------------- Baidu Index
def _is_baidu(lines: list[str]) -> bool:
    if not lines:
        return False
    head = {c.strip().lower() for c in lines[0].lstrip("\ufeff").split(",")}
    return bool(head & {"搜索指数", "百度指数"}) or (
        "keyword" in head and "index" in head and "date" in head
    )


@register(BAIDU, recognise=_is_baidu)
def read_baidu_index(path: Path, ctx: SourceContext) -> Rows:
    """Baidu Index (百度指数) series CSV, long or wide -> index_series.

    Parameters
    ----------
    path : Path
        Long: ``date,keyword,index`` (also ``日期,关键词,搜索指数``), with optional ``type``
        (``all``/``pc``/``wise``, ``整体``/``PC``/``移动``) and ``area`` (``地区``).
        Wide: ``date`` (``日期``) then one column per keyword. Thousands separators
        (``1,234`` quoted) are read.
    ctx : SourceContext
        ``imported_at``: a last period ending after it is flagged partial.

    Returns
    -------
    Rows
        ``index_series`` with ``source`` ``baidu_index``, ``geo`` from ``area`` or ``全国``
        (nationwide), ``period`` from the date spacing, ``value`` as published (Baidu's
        weighted search volume, not 0-100). With a ``type`` column only the whole-index
        rows (``all``/``整体``) are kept; PC and mobile rows are left out (noted), since
        ``index_series`` has no device column and the whole is their sum.

    Raises
    ------
    FormatError
        No date column, no keyword/index columns (long) or no keyword column (wide), a bad
        date, a negative or non-numeric value, a ``type`` not all/pc/wise, a keyword with
        only PC or mobile rows, a date repeated for a keyword, a row of another width.

    References
    ----------
    Baidu Index help (index.baidu.com): the search index is "以网民在百度的搜索量为数据
    基础 ... 加权" and the overall trend is PC plus mobile.
    """
    path = Path(path)
    text, table, notes = _read_csv(path, BAIDU)
    # without a final line break the last value may be cut short and still parse
    # ("1610" cut to "16"): refused, as for pytrends
    require_final_line_break(path, text, table.rows[-1])
    ci = {k: _col(table, v) for k, v in BAIDU_COLUMNS.items()}
    if ci["date"] < 0:
        raise FormatError(
            path,
            row=table.header_row,
            column=table.header[0],
            expected="a date column ('date' or '日期') in a Baidu Index CSV",
            found=",".join(table.header[:4]),
        )
    dcol = table.header[ci["date"]]
    dates = [
        _date(path, r, dcol, rec[ci["date"]])
        for r, rec in zip(table.rows, table.records, strict=True)
    ]
    raw: list[dict] = []
    if ci["keyword"] >= 0 or ci["index"] >= 0:
        for need in ("keyword", "index"):
            if ci[need] < 0:
                raise FormatError(
                    path,
                    row=table.header_row,
                    column=BAIDU_COLUMNS[need][0],
                    message=f"missing the column '{BAIDU_COLUMNS[need][0]}' (or "
                    f"'{BAIDU_COLUMNS[need][2]}') of a long Baidu Index CSV",
                )
        left_out = 0
        for r, rec, day in zip(table.rows, table.records, dates, strict=True):
            kind = rec[ci["type"]].strip().lower() if ci["type"] >= 0 else "all"
            if kind not in BAIDU_ALL and kind not in BAIDU_SPLIT:
                raise FormatError(
                    path,
                    row=r,
                    column=table.header[ci["type"]],
                    expected="all, pc or wise (整体, PC or 移动)",
                    found=rec[ci["type"]],
                )
            kw = rec[ci["keyword"]].strip()
            if not kw:
                raise FormatError(
                    path, row=r, column=table.header[ci["keyword"]], expected="a keyword", found=""
                )
            area = rec[ci["area"]].strip() if ci["area"] >= 0 else ""
            item = {
                "date": day,
                "term": kw,
                "geo": area or BAIDU_NATIONWIDE,
                "value": _value(path, r, table.header[ci["index"]], rec[ci["index"]], cap=None),
                "source_row": r,
                "all": kind in BAIDU_ALL,
            }
            raw.append(item)
            left_out += kind in BAIDU_SPLIT
        whole = {(x["term"], x["geo"]) for x in raw if x["all"]}
        for x in raw:
            if (x["term"], x["geo"]) not in whole:
                raise FormatError(
                    path,
                    row=x["source_row"],
                    column=table.header[ci["type"]],
                    message=f"keyword '{x['term']}' has only PC or mobile rows; expected its "
                    "whole-index rows (type all / 整体)",
                )
        raw = [x for x in raw if x["all"]]
        if left_out:
            notes.append(
                f"{path.name}: {left_out} PC or mobile row(s) left out; the whole index "
                "(all / 整体) is kept"
            )
    else:
        kws = [(j, h.strip()) for j, h in enumerate(table.header) if j != ci["date"]]
        if not kws:
            raise FormatError(
                path, row=table.header_row, message="no keyword column after the date column"
            )
        for r, rec, day in zip(table.rows, table.records, dates, strict=True):
            for j, kw in kws:
                raw.append(
                    {
                        "date": day,
                        "term": kw,
                        "geo": BAIDU_NATIONWIDE,
                        "value": _value(path, r, kw, rec[j], cap=None),
                        "source_row": r,
                    }
                )
    seen: dict[tuple, int] = {}
    for x in raw:
        key = (x["term"], x["geo"], x["date"])
        if key in seen:
            raise FormatError(
                path,
                row=x["source_row"],
                column=dcol,
                message=f"{x['date'].isoformat()} appears twice for '{x['term']}' "
                f"({x['geo']}), first on row {seen[key]}",
            )
        seen[key] = x["source_row"]
    period = _period_of(path, table, dcol, [x["date"] for x in raw])
    rows = [
        {
            "date": x["date"],
            "period": period,
            "source": "baidu_index",
            "term": x["term"],
            "geo": x["geo"],
            "value": x["value"],
            "below_one": False,
            "is_partial": False,
            "source_row": x["source_row"],
        }
        for x in raw
    ]
    _running_last(rows, period, _imported_day(ctx))
    notes.append(
        f"{path.name}: Baidu Index, {len({x['term'] for x in rows})} keyword(s), {period}s; "
        "values are Baidu's weighted search volume (not 0-100)"
    )
    notes.append(_partial_note(path, rows, "period not over at import time"))
    out = Rows(notes=notes)
    out.add("index_series", _frame(rows))
    return out


# --------------------------------------------------------------------------- Naver DataLab
def _is_naver(lines: list[str]) -> bool:
    if not lines:
        return False
    first = lines[0].lstrip("\ufeff")
    if first.lstrip().startswith("{"):
        head = " ".join(lines[:6])
        return '"timeUnit"' in head or '"results"' in head and '"ratio"' in head
    cells = {c.strip().lower() for c in first.split(",")}
    if {"period", "title", "ratio"} <= cells or "날짜" in cells:
        return True
    # the web download: a title block (데이터랩, 검색어트렌드 ...) above the 날짜 header
    block = " ".join(lines[:12])
    return ("데이터랩" in block or "검색어트렌드" in block) and any(
        ln.lstrip("\ufeff").split(",")[0].strip() == "날짜" for ln in lines[:12]
    )


def _naver_json(path: Path, text: str, ctx: SourceContext, notes: list[str]) -> Rows:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise json_error(path, text, exc) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
        raise FormatError(
            path,
            row=1,
            expected="a Naver DataLab Search Trend answer (an object with 'results')",
            found=text.strip()[:60],
        )
    unit = doc.get("timeUnit")
    if unit not in NAVER_UNITS:
        raise FormatError(
            path, row=1, column="timeUnit", expected="date, week or month", found=str(unit)
        )
    period = NAVER_UNITS[unit]
    end = doc.get("endDate")
    rows: list[dict] = []
    for g, res in enumerate(doc["results"], start=1):
        title = str(res.get("title") or "").strip() if isinstance(res, dict) else ""
        data = res.get("data") if isinstance(res, dict) else None
        if not title or not isinstance(data, list):
            raise FormatError(
                path,
                row=1,
                column=f"results[{g}]",
                expected="a group with 'title' and a 'data' list",
                found=json.dumps(res, ensure_ascii=False)[:60],
            )
        for item in data:
            try:
                day = dt.date.fromisoformat(str(item["period"]))
                ratio = float(item["ratio"])
            except (KeyError, TypeError, ValueError):
                raise FormatError(
                    path,
                    row=1,
                    column=f"results[{g}].data",
                    expected="{'period': 'YYYY-MM-DD', 'ratio': number}",
                    found=json.dumps(item, ensure_ascii=False)[:60],
                ) from None
            if not 0 <= ratio <= 100:
                raise FormatError(
                    path, row=1, column=f"{title} ratio", expected="0 to 100", found=str(ratio)
                )
            rows.append(
                {
                    "date": day,
                    "period": period,
                    "source": "naver_datalab",
                    "term": title,
                    "geo": NAVER_GEO,
                    "value": ratio,
                    "below_one": False,
                    "is_partial": False,
                    "source_row": None,
                }
            )
    if not rows:
        raise FormatError(path, row=1, message="the answer has no data (no period in results)")
    why = "period not over at import time"
    if end:
        try:
            last_day = dt.date.fromisoformat(str(end))
        except ValueError:
            raise FormatError(
                path, row=1, column="endDate", expected="YYYY-MM-DD", found=str(end)
            ) from None
        _running_last(rows, period, dt.datetime.combine(last_day, dt.time()), inclusive_end=True)
        why = f"the query's endDate {last_day.isoformat()} ends inside it"
    _running_last(rows, period, _imported_day(ctx))
    notes.append(
        f"{path.name}: Naver DataLab search trend, {len(doc['results'])} group(s), {period}s; "
        "ratios relative to the largest value of the answer (100)"
    )
    notes.append(_partial_note(path, rows, why))
    out = Rows(notes=notes)
    out.add("index_series", _frame(rows))
    return out


@register(NAVER, recognise=_is_naver)
def read_naver_datalab(path: Path, ctx: SourceContext) -> Rows:
    """Naver DataLab search trend (API JSON answer, or CSV long/wide) -> index_series.

    Parameters
    ----------
    path : Path
        The Search Trend API's JSON answer as saved, or a CSV: long
        ``period,title,ratio`` (the answer's own field names, one row per group and
        period), or wide ``날짜`` (or ``period``/``date``) then one column per group.
    ctx : SourceContext
        ``imported_at``: a last period ending after it is flagged partial.

    Returns
    -------
    Rows
        ``index_series`` with ``source`` ``naver_datalab``, ``term`` the group title
        (주제어), ``geo`` ``KR``, ``value`` the ratio (0-100, the answer's largest value is
        100), ``period`` from ``timeUnit`` (JSON) or the date spacing (CSV). A period that
        ends after the answer's ``endDate`` (JSON) or after the import time is partial.

    Raises
    ------
    FormatError
        Not a DataLab answer or CSV, a bad ``timeUnit``/period/ratio, a period repeated
        for a group, a row of another width.

    References
    ----------
    NAVER Cloud Platform, "Search Trend API: search" (api.ncloud-docs.com): response
    fields ``startDate``, ``endDate``, ``timeUnit``, ``results.title``,
    ``results.keywords``, ``results.data.period`` ("구간별 시작 날짜") and
    ``results.data.ratio`` ("결과 수치 중에 가장 큰 값을 100로 설정한 상대값").
    """
    path = Path(path)
    dec = read_text(path)
    notes = [dec.note] if dec.note else []
    if dec.text.lstrip().startswith("{"):
        return _naver_json(path, dec.text, ctx, notes)
    text, table, more = _read_csv(path, NAVER, header_names=NAVER_COLUMNS["period"])
    notes += more
    require_final_line_break(path, text, table.rows[-1])
    if table.header_row > 1:
        notes.append(
            f"{path.name}: the {table.header_row - 1} line(s) above the header (the "
            "download's title, period and keyword lines) were skipped"
        )
    ci = {k: _col(table, v) for k, v in NAVER_COLUMNS.items()}
    if ci["period"] < 0:
        raise FormatError(
            path,
            row=table.header_row,
            column=table.header[0],
            expected="a Naver DataLab CSV with a 'period' (or '날짜') column",
            found=",".join(table.header[:4]),
        )
    pcol = table.header[ci["period"]]
    dates = [
        _date(path, r, pcol, rec[ci["period"]])
        for r, rec in zip(table.rows, table.records, strict=True)
    ]
    raw: list[tuple[dt.date, str, float | None, int]] = []
    if ci["title"] >= 0 or ci["ratio"] >= 0:
        if ci["title"] < 0 or ci["ratio"] < 0:
            miss = "title" if ci["title"] < 0 else "ratio"
            raise FormatError(
                path,
                row=table.header_row,
                column=miss,
                message=f"missing the column '{miss}' of a long Naver DataLab CSV "
                "(period,title,ratio)",
            )
        tcol, rcol = table.header[ci["title"]], table.header[ci["ratio"]]
        for r, rec, day in zip(table.rows, table.records, dates, strict=True):
            title = rec[ci["title"]].strip()
            if not title:
                raise FormatError(path, row=r, column=tcol, expected="a group title", found="")
            raw.append((day, title, _value(path, r, rcol, rec[ci["ratio"]], cap=100.0), r))
    else:
        # wide: each group column reads the date column nearest on its left, so that the
        # web download's pairs (날짜, group 1, 날짜, group 2 ...) read as well as one date
        # column followed by every group
        names = {n.lower() for n in NAVER_COLUMNS["period"]}
        groups: list[tuple[int, str, int]] = []
        date_at = ci["period"]
        for j, h in enumerate(table.header):
            if h.strip().lower() in names:
                date_at = j
            elif j > ci["period"]:
                groups.append((j, h.strip(), date_at))
        if not groups:
            raise FormatError(
                path, row=table.header_row, message="no group column after the date column"
            )
        for r, rec, day in zip(table.rows, table.records, dates, strict=True):
            for j, title, dj in groups:
                if dj != ci["period"]:
                    if not rec[dj].strip() and not rec[j].strip():
                        continue  # a shorter group of a pair: nothing in this row
                    day = _date(path, r, table.header[dj], rec[dj])
                raw.append((day, title, _value(path, r, title, rec[j], cap=100.0), r))
    seen: dict[tuple, int] = {}
    for day, title, _v, r in raw:
        if (title, day) in seen:
            raise FormatError(
                path,
                row=r,
                column=pcol,
                message=f"{day.isoformat()} appears twice for '{title}', first on row "
                f"{seen[(title, day)]}",
            )
        seen[(title, day)] = r
    period = _period_of(path, table, pcol, [x[0] for x in raw])
    rows = [
        {
            "date": day,
            "period": period,
            "source": "naver_datalab",
            "term": title,
            "geo": NAVER_GEO,
            "value": v,
            "below_one": False,
            "is_partial": False,
            "source_row": r,
        }
        for day, title, v, r in raw
    ]
    _running_last(rows, period, _imported_day(ctx))
    notes.append(
        f"{path.name}: Naver DataLab search trend, {len({x[1] for x in raw})} group(s), "
        f"{period}s; ratios relative to the largest value (100)"
    )
    notes.append(_partial_note(path, rows, "period not over at import time"))
    out = Rows(notes=notes)
    out.add("index_series", _frame(rows))
    return out
