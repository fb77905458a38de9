"""Any CSV, XLSX or JSONL file mapped onto a canonical table by a column mapping.

The ``generic`` format is the escape hatch for sources without an importer of their own: the
caller says which canonical table the file fills (``ctx.table``, default ``posts``) and which
source column holds each canonical column (``ctx.columns``, canonical name -> source
column). Values are converted by the canonical column's DuckDB type in
:mod:`ripplemeter.schema`. Without a mapping, columns named like canonical columns are used.

The readers and converters here are shared with :mod:`ripplemeter.formats.simple`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from ripplemeter import schema
from ripplemeter.errors import FormatError
from ripplemeter.formats import Rows, SourceContext, register
from ripplemeter.formats._io import (
    Table,
    binary_kind,
    no_data_rows,
    not_text_error,
    read_datetime,
    read_table,
    read_text,
)

FORMAT = "generic"

_INT_TYPES = {"BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT"}
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_NUM_SPACE = re.compile(r"[\s\u00a0\u202f]")
_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0"}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d")
_MIDNIGHT = re.compile(r"^(\d{4}[-/]\d{1,2}[-/]\d{1,2})[ T]00:00(:00(\.0+)?)?$")
_TS_FORMATS = (
    "%Y-%m-%d %H:%M %z",
    "%Y-%m-%d %H:%M:%S %z",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%a %b %d %H:%M:%S %z %Y",
)

#: columns holding ids that are namespaced ``platform:native``
ID_COLUMNS = ("post_id", "account_id", "parent_id", "root_id", "src_account_id", "dst_account_id")

#: (table, column) of free text, stored exactly as exported: leading and trailing spaces,
#: tabs and line breaks are kept. Other text columns hold ids, codes and names that rows are
#: matched on; their surrounding spaces are trimmed (a stray space would split one account
#: into two) and the import notes how many values were trimmed.
FREE_TEXT = (
    ("posts", "text"),
    ("accounts", "name"),
    ("serp_results", "title"),
    ("serp_results", "snippet"),
    ("serp_results", "title_text"),
    ("serp_results", "snippet_text"),
)

#: canonical columns a table needs before a row means anything
REQUIRED: dict[str, tuple[str, ...]] = {
    "posts": ("post_id",),
    "post_metrics": ("post_id",),
    "accounts": ("account_id",),
    "follows": ("src_account_id", "dst_account_id"),
    "outcomes": ("date", "metric", "value"),
    "spend": ("amount",),
    "rate_cards": ("platform", "unit", "price"),
    "web_metrics": ("metric", "value"),
    "index_series": ("date", "term"),
    "annotations": ("subject_id", "task", "label"),
    "serp_results": ("engine", "query", "rank"),
}

#: (table, column) whose values are restricted to the list in the column's schema meaning
ENUMERATED = (
    ("accounts", "role"),
    ("accounts", "media_type"),
    ("posts", "channel"),
    ("posts", "kind"),
    ("rate_cards", "unit"),
)


def allowed_values(table: str, column: str) -> tuple[tuple[str, ...], bool]:
    """The values a canonical column accepts, read from its meaning in :mod:`schema`.

    The meaning lists them as ``"owned, partner, competitor, media, kol or public"``; a
    trailing ``NULL`` means the column may be empty.

    Returns
    -------
    (values, nullable) : tuple of (tuple of str, bool)
    """
    col = next(c for c in schema.TABLES[table].columns if c.name == column)
    parts = [p.strip() for p in re.split(r",|\bor\b", col.meaning) if p.strip()]
    nullable = any(p.upper() == "NULL" for p in parts)
    return tuple(p for p in parts if p.upper() != "NULL"), nullable


# ---------------------------------------------------------------------------- reading


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV text: the most frequent of ``, ; TAB |`` in its first line."""
    first = next((ln for ln in text.split("\n") if ln.strip()), "")
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _cell_text(v: object) -> str:
    """A spreadsheet or JSON cell as the text a CSV would hold."""
    if v is None:
        return ""
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        return str(int(v)) if v.is_integer() and abs(v) < 2**53 else repr(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.datetime):
        if (v.hour, v.minute, v.second, v.microsecond) == (0, 0, 0, 0) and v.tzinfo is None:
            return v.date().isoformat()
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, dict | list):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def read_xlsx(path: Path) -> tuple[Table, list[str]]:
    """The first sheet of an ``.xlsx`` workbook as a :class:`Table`.

    The header is the first non-empty row; row numbers are the sheet's (row 1 is the top
    row). Dates become ``YYYY-MM-DD`` (or ``YYYY-MM-DD HH:MM:SS``), whole floats lose their
    ``.0``; cells right of the header are ignored. Text such as ``n/a`` or ``NULL`` is kept
    as written (pandas' default of reading it as missing is switched off), so a converter
    can reject it.

    Raises
    ------
    FormatError
        The file is not an xlsx workbook, or the sheet is empty or has no row under its header.
    """
    notes: list[str] = []
    if path.exists() and path.stat().st_size == 0:
        raise FormatError(path, message="the file is empty")
    try:
        sheets = pd.read_excel(
            path, sheet_name=None, header=None, dtype=object, engine="openpyxl", na_filter=False
        )
    except (zipfile.BadZipFile, ValueError, KeyError, OSError) as exc:
        raise FormatError(
            path,
            message="cannot be opened as an Excel .xlsx workbook: it is damaged or cut short "
            f"(an interrupted download?), or not a workbook ({exc})",
        ) from None
    if not sheets:
        raise FormatError(path, message="the workbook has no sheet")
    name, df = next(iter(sheets.items()))
    if len(sheets) > 1:
        notes.append(f"{path.name}: read sheet '{name}' (the first of {len(sheets)})")
    cells = [[_cell_text(v) for v in row] for row in df.itertuples(index=False, name=None)]
    header_i = next((i for i, r in enumerate(cells) if any(c.strip() for c in r)), None)
    if header_i is None:
        raise FormatError(path, message=f"sheet '{name}' is empty")
    header = [h.strip() for h in cells[header_i]]
    while header and header[-1] == "":
        header.pop()
    width = len(header)
    records, rows = [], []
    for i in range(header_i + 1, len(cells)):
        rec = (cells[i] + [""] * width)[:width]
        if any(c.strip() for c in rec):
            records.append(rec)
            rows.append(i + 1)
    if not records:
        raise no_data_rows(path, header_i + 1)
    return Table(path, header, header_i + 1, records, rows), notes


def read_jsonl(path: Path) -> tuple[Table, list[str]]:
    """A JSON Lines file (one object per line) as a :class:`Table`.

    Nested objects are flattened with dots (``{"user": {"id": 1}}`` -> ``user.id``); lists
    are kept as JSON text. The row number of a record is its line number.

    Raises
    ------
    FormatError
        A line that is not a JSON object (line named).
    """
    dec = read_text(path)
    notes = [dec.note] if dec.note else []
    header: dict[str, None] = {}
    objs: list[dict[str, str]] = []
    rows: list[int] = []
    for n, line in enumerate(dec.text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            if not objs:
                _one_document(path, dec.text)  # a pretty-printed JSON document, not lines
            last = n == len(dec.text.rstrip("\n").split("\n"))
            raise FormatError(
                path,
                row=n,
                message=f"not valid JSON ({exc.msg} at character {exc.colno})"
                + ("; the last line looks truncated" if last else ""),
            ) from None
        if not isinstance(obj, dict):
            raise FormatError(path, row=n, expected="a JSON object", found=line.strip())
        flat: dict[str, str] = {}
        _flatten(obj, "", flat)
        for k in flat:
            header.setdefault(k, None)
        objs.append(flat)
        rows.append(n)
    cols = list(header)
    records = [[o.get(c, "") for c in cols] for o in objs]
    return Table(path, cols, 0, records, rows), notes


def _one_document(path: Path, text: str) -> None:
    """Raise the right error for a file that is one JSON document rather than JSON Lines."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        return
    if isinstance(doc, dict):
        raise FormatError(
            path,
            row=1,
            message="holds one JSON object, not a list of records; give a JSON array of "
            "objects ([{...}, {...}]) or JSON Lines (one object per line, .jsonl)",
        )


def _flatten(obj: dict, prefix: str, out: dict[str, str]) -> None:
    for k, v in obj.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and v:
            _flatten(v, key + ".", out)
        else:
            out[key] = _cell_text(v)


def read_json_array(path: Path) -> tuple[Table, list[str]]:
    """A JSON file holding an array of objects as a :class:`Table`.

    Objects are flattened as in :func:`read_jsonl`; the row number of a record is the line
    on which its object starts.

    Raises
    ------
    FormatError
        Invalid JSON (line named), an element that is not an object, a file holding one
        object rather than a list of them, or text after the closing bracket.
    """
    dec = read_text(path)
    notes = [dec.note] if dec.note else []
    text = dec.text
    start = len(text) - len(text.lstrip())
    decoder = json.JSONDecoder()

    def line_of(pos: int) -> int:
        return text.count("\n", 0, pos) + 1

    def bad(pos: int, what: str) -> FormatError:
        return FormatError(path, row=line_of(pos), message=what)

    if text[start : start + 1] == "{":
        try:
            decoder.raw_decode(text, start)
        except json.JSONDecodeError as exc:
            raise bad(exc.pos, f"not valid JSON ({exc.msg})") from None
        raise FormatError(
            path,
            row=line_of(start),
            message="holds one JSON object, not a list of records; give a JSON array of "
            "objects ([{...}, {...}]) or JSON Lines (one object per line, .jsonl)",
        )
    i = start + 1
    objs: list[dict[str, str]] = []
    rows: list[int] = []
    header: dict[str, None] = {}
    n = len(text)

    def skip(j: int) -> int:
        while j < n and text[j] in " \t\r\n":
            j += 1
        return j

    i = skip(i)
    if i < n and text[i] == "]":
        i += 1
    else:
        while True:
            i = skip(i)
            try:
                obj, end = decoder.raw_decode(text, i)
            except json.JSONDecodeError as exc:
                cut = skip(exc.pos) >= n
                raise bad(
                    exc.pos,
                    f"not valid JSON ({exc.msg})"
                    + ("; the file ends inside the array, so it looks truncated" if cut else ""),
                ) from None
            if not isinstance(obj, dict):
                raise FormatError(
                    path,
                    row=line_of(i),
                    expected="a JSON object in the array",
                    found=text[i:end].strip(),
                )
            flat: dict[str, str] = {}
            _flatten(obj, "", flat)
            for k in flat:
                header.setdefault(k, None)
            objs.append(flat)
            rows.append(line_of(i))
            i = skip(end)
            if i < n and text[i] == ",":
                i += 1
                continue
            if i < n and text[i] == "]":
                i += 1
                break
            raise bad(
                min(i, n - 1),
                "the JSON array is not closed with ']'; the file looks truncated"
                if i >= n
                else "expected ',' or ']' after an object in the JSON array",
            )
    if skip(i) < n:
        raise bad(skip(i), "more text after the JSON array's closing ']'")
    if not objs:
        raise FormatError(path, message="the JSON array is empty; there is nothing to import")
    cols = list(header)
    records = [[o.get(c, "") for c in cols] for o in objs]
    return Table(path, cols, 0, records, rows), notes


def _json_kind(path: Path) -> str | None:
    """``"array"``, ``"lines"`` or None, from the file's first non-blank character."""
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return None
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"["):
        return "array"
    if head.startswith(b"{"):
        return "lines"
    return None


def read_tabular(
    path: Path,
    *,
    format_name: str,
    required: Sequence[str] = (),
    jsonl: bool = False,
    decimal: str | None = None,
    dayfirst: bool | None = None,
) -> tuple[Table, list[str]]:
    """Read a CSV/TSV (delimiter sniffed), XLSX or (if ``jsonl``) JSON file.

    What a file is comes from its bytes, not its name: a workbook saved as ``.csv`` is read
    as a workbook (with a note), a JSON array or JSON Lines file as JSON.

    Parameters
    ----------
    path : Path
    format_name : str
        For messages.
    required : sequence of str
        Columns that must be present (case-insensitive).
    jsonl : bool
        Accept JSON: JSON Lines (one object per line) or a JSON array of objects.
    decimal : {",", "."}, optional
        The decimal mark the source declares (kept on the table for the converters).
    dayfirst : bool, optional
        Whether dates are day first (True) or month first (False); kept on the table.

    Returns
    -------
    (Table, notes)
        Records as text with 1-based row numbers; notes on encoding or sheet.

    Raises
    ------
    FormatError
        Undecodable or empty file, an old ``.xls`` workbook or a ZIP archive, JSON where the
        format reads only CSV/XLSX, a header without data rows, missing required column,
        ragged rows.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if path.is_dir():
        raise FormatError(path, message="is a folder, not a file")
    if path.exists() and path.stat().st_size == 0:
        raise FormatError(path, message="the file is empty")
    kind = binary_kind(path)
    json_kind = _json_kind(path) if kind is None else None
    if kind == "xlsx":
        table, notes = read_xlsx(path)
        if suffix not in (".xlsx", ".xlsm"):
            notes.append(f"{path.name}: an Excel workbook (by its content); read as one")
    elif kind is not None:
        raise not_text_error(path, kind)
    elif json_kind is not None and (jsonl or suffix in (".json", ".jsonl", ".ndjson")):
        if not jsonl:
            raise FormatError(
                path,
                message=f"is a JSON file; format {format_name} reads CSV or Excel (.xlsx) "
                "tables: save it as CSV, or import it with the generic format",
            )
        table, notes = read_json_array(path) if json_kind == "array" else read_jsonl(path)
    else:
        dec = read_text(path)
        notes = [dec.note] if dec.note else []
        delimiter = sniff_delimiter(dec.text)
        table = read_table(
            path,
            dec.text,
            delimiter=delimiter,
            required=required,
            format_name=format_name,
        )
    check_columns(table, required, format_name)
    table.decimal = decimal
    table.dayfirst = dayfirst
    return table, notes


def check_columns(table: Table, required: Sequence[str], format_name: str) -> None:
    """Raise a FormatError naming the first required column the table lacks."""
    lowered = {h.lower() for h in table.header}
    for c in required:
        if c.lower() not in lowered:
            raise FormatError(
                table.path,
                row=table.header_row or None,
                column=c,
                message=f"missing required column '{c}' for format {format_name}; the file "
                "has: "
                + ", ".join(f"'{h}'" for h in table.header[:10])
                + (" ..." if len(table.header) > 10 else ""),
            )


# ---------------------------------------------------------------------------- converting


_DECIMAL_COMMA = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_LOOKS_DECIMAL_COMMA = re.compile(r"^[+-]?[\d.]*\d,\d+$")
_SAY_DECIMAL = (
    'say which mark the file uses: decimal = "," or decimal = "." on this source in '
    "campaign.toml, or --decimal for import"
)


def _number(table: Table, k: int, column: str, raw: str, *, integer: bool) -> float | None:
    """One numeric cell, read with the table's declared decimal mark (see read_tabular).

    Undeclared: ``.`` is the decimal mark and ``1,234`` a thousands group, except in a
    semicolon-separated file, where ``1,234`` may be 1.234 (decimal comma) as well as 1234
    and is refused as ambiguous; ``1,5`` is refused with a hint to declare ``decimal``.
    """
    s = _NUM_SPACE.sub("", raw)
    if s == "":
        return None
    t = s
    scale = 1.0
    if not integer and t.endswith("%"):
        t, scale = t[:-1], 0.01
    expected = "a whole number" if integer else "a number"
    hint = None
    if table.decimal == ",":
        expected += " with a decimal comma (1.234,5)"
        if _DECIMAL_COMMA.match(t):
            t = t.replace(".", "").replace(",", ".")
        else:
            t = "not a number"
    elif _THOUSANDS.match(t):
        if table.decimal is None and table.delimiter == ";":
            raise FormatError(
                table.path,
                row=table.rows[k],
                column=column,
                message=f"'{raw}' is ambiguous in a semicolon-separated file: "
                f"{t.replace(',', '.')} with a decimal comma, {t.replace(',', '')} with a "
                f"thousands separator; {_SAY_DECIMAL}",
            )
        t = t.replace(",", "")
    elif table.decimal is None and _LOOKS_DECIMAL_COMMA.match(t):
        hint = f"it looks written with a decimal comma; {_SAY_DECIMAL}"
    try:
        v = float(t)
    except ValueError:
        v = None
    if v is None or not math.isfinite(v) or (integer and not v.is_integer()):
        err = FormatError(
            table.path, row=table.rows[k], column=column, expected=expected, found=raw
        )
        if hint:
            err = FormatError(
                table.path, row=table.rows[k], column=column, message=f"{err.detail}; {hint}"
            )
        raise err from None
    return v * scale


_DAY_FIRST = ("%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y")
_MONTH_FIRST = ("%m/%d/%Y", "%m-%d-%Y", "%m.%d.%Y")
_SHORT_DATE = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")
_SAY_DAYFIRST = (
    "dayfirst = true (31.03.2026) or dayfirst = false (03/31/2026) on this source in "
    "campaign.toml, or --dayfirst / --monthfirst for import"
)


def parse_date(table: Table, k: int, column: str, raw: str) -> dt.date | None:
    """A calendar date (a midnight time from a spreadsheet is dropped).

    ``YYYY-MM-DD`` and ``YYYY/MM/DD`` always; ``31.03.2026``, ``31/03/2026`` and
    ``31-03-2026`` when the table is declared day first (``table.dayfirst``), ``03/31/2026``
    when declared month first. An undeclared day-or-month-first date is refused, saying
    which order it looks like and how to declare it.
    """
    s = raw.strip()
    if not s:
        return None
    m = _MIDNIGHT.match(s)
    if m:
        s = m.group(1)
    else:
        m2 = re.match(r"^(\d{1,2}[./-]\d{1,2}[./-]\d{4})[ T]00:00(:00)?$", s)
        if m2:
            s = m2.group(1)
    formats = _DATE_FORMATS
    if table.dayfirst is True:
        formats += _DAY_FIRST
    elif table.dayfirst is False:
        formats += _MONTH_FIRST
    for fmt in formats:
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    short = _SHORT_DATE.match(s)
    if short and table.dayfirst is None:
        a, b = int(short.group(1)), int(short.group(2))
        looks = (
            "it is written day first"
            if a > 12 >= b
            else "it is written month first"
            if b > 12 >= a
            else "it can be read day first or month first"
        )
        raise FormatError(
            table.path,
            row=table.rows[k],
            column=column,
            message=f"the date '{raw}' is not year first and {looks}; say which order the "
            f"file uses: {_SAY_DAYFIRST}",
        )
    order = {True: "DD.MM.YYYY, DD/MM/YYYY, ", False: "MM/DD/YYYY, "}.get(table.dayfirst, "")
    raise FormatError(
        table.path,
        row=table.rows[k],
        column=column,
        expected=f"a date ({order}YYYY-MM-DD or YYYY/MM/DD)",
        found=raw,
    )


def parse_timestamp(
    table: Table, k: int, column: str, raw: str, zone: ZoneInfo
) -> tuple[dt.datetime | None, bool]:
    """A timestamp as naive UTC, and whether it was naive (read in ``zone``).

    Accepts ISO 8601 (``2025-03-01T10:00:00+08:00``, ``...Z``, ``2025-03-01 10:00``),
    ``YYYY/MM/DD HH:MM[:SS]``, ``YYYY-MM-DD HH:MM +0000`` and the X/Twitter API form
    ``Wed Oct 10 20:19:24 +0000 2018``.
    """
    s = raw.strip()
    if not s:
        return None, False
    value = read_datetime(s, _TS_FORMATS)
    if value is None:
        raise FormatError(
            table.path,
            row=table.rows[k],
            column=column,
            expected="a date and time (ISO 8601 such as 2025-03-01T10:00:00+08:00)",
            found=raw,
        )
    naive = value.tzinfo is None
    if naive:
        value = value.replace(tzinfo=zone)
    return value.astimezone(dt.UTC).replace(tzinfo=None), naive


def parse_bool(table: Table, k: int, column: str, raw: str) -> bool | None:
    """true/false, yes/no, y/n, t/f, 1/0 (any case); empty is NULL."""
    s = raw.strip().lower()
    if not s:
        return None
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise FormatError(
        table.path,
        row=table.rows[k],
        column=column,
        expected="true or false (yes/no, 1/0)",
        found=raw,
    )


def convert_column(
    table: Table,
    values: Sequence[str],
    column: str,
    sql_type: str,
    *,
    zone: ZoneInfo | None = None,
    verbatim: bool = False,
) -> tuple[pd.Series, int]:
    """Convert raw text cells to a typed series for a canonical column of ``sql_type``.

    Parameters
    ----------
    table : Table
        For messages (path, row numbers).
    values : sequence of str
        One raw cell per record.
    column : str
        The source column's name, for messages.
    sql_type : str
        DuckDB type of the canonical column: integer types (whole numbers; ``1,234``
        thousands groups accepted), ``DOUBLE`` (``12%`` -> 0.12), ``DATE``, ``TIMESTAMP``
        (converted to naive UTC; naive values read in ``zone``), ``BOOLEAN``, else text.
    zone : ZoneInfo, optional
        Zone of naive timestamps (default UTC).
    verbatim : bool
        Text only: keep each cell exactly as exported (surrounding spaces and tabs too);
        otherwise text is trimmed. An empty cell is NULL either way.

    Returns
    -------
    (Series, int)
        Typed values (NULL for empty cells) and how many naive timestamps were converted.

    Raises
    ------
    FormatError
        A cell that does not convert, naming file, row, column and value.
    """
    t = sql_type.upper()
    n_naive = 0
    if t in _INT_TYPES or t == "DOUBLE" or t == "FLOAT" or t.startswith("DECIMAL"):
        integer = t in _INT_TYPES
        out = [_number(table, k, column, v, integer=integer) for k, v in enumerate(values)]
        return pd.Series(pd.array(out, dtype="Int64" if integer else "Float64")), 0
    if t == "DATE":
        return pd.Series(
            [parse_date(table, k, column, v) for k, v in enumerate(values)], dtype=object
        ), 0
    if t == "TIMESTAMP":
        z = zone or ZoneInfo("UTC")
        ts = []
        for k, v in enumerate(values):
            value, naive = parse_timestamp(table, k, column, v, z)
            n_naive += naive
            ts.append(value)
        return pd.Series(pd.to_datetime(ts), dtype="datetime64[us]"), n_naive
    if t == "BOOLEAN":
        out_b = [parse_bool(table, k, column, v) for k, v in enumerate(values)]
        return pd.Series(pd.array(out_b, dtype="boolean")), 0
    if verbatim:
        return pd.Series([v if v != "" else None for v in values], dtype=object), 0
    return pd.Series([v.strip() if v.strip() else None for v in values], dtype=object), 0


def namespace(value: str | None, platform: str | None) -> str | None:
    """``'123'`` -> ``'x:123'``; ids already starting with ``platform:`` are kept."""
    if value is None or platform is None:
        return value
    return value if value.startswith(f"{platform}:") else f"{platform}:{value}"


def zone_of(path: Path, name: str | None) -> ZoneInfo | None:
    """The ZoneInfo for ``name`` (None stays None).

    Raises
    ------
    FormatError
        Unknown zone name.
    """
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise FormatError(
            path, message=f"unknown time zone '{name}'; use an IANA name such as Asia/Shanghai"
        ) from None


def build_frame(
    table: Table,
    tname: str,
    mapping: dict[str, str],
    *,
    zone: ZoneInfo | None = None,
    zone_name: str | None = None,
    notes: list[str] | None = None,
) -> pd.DataFrame:
    """Typed canonical columns from a table, one row per record, plus ``source_row``.

    Parameters
    ----------
    table : Table
    tname : str
        Canonical table name.
    mapping : dict[str, str]
        Canonical column -> source header (as written in the file).
    zone, zone_name : optional
        Zone for naive timestamps; a note is appended to ``notes`` when any were converted.
    notes : list of str, optional
        Receives conversion notes.

    Raises
    ------
    FormatError
        Any cell that does not convert; an enumerated column (role, media_type, unit, ...)
        holding a value outside the schema's list.
    """
    tdef = schema.TABLES[tname]
    types = {c.name: c.type for c in tdef.columns}
    lowered = {h.lower(): i for i, h in reversed(list(enumerate(table.header)))}
    df = pd.DataFrame(index=range(len(table.records)))
    naive_cols = []
    for canon, src in mapping.items():
        i = lowered[src.lower()]
        raw = [r[i] if i < len(r) else "" for r in table.records]
        if (tname, canon) in ENUMERATED:
            raw = [_enum(table, k, tname, canon, src, v) for k, v in enumerate(raw)]
        verbatim = (tname, canon) in FREE_TEXT
        series, n_naive = convert_column(
            table, raw, table.header[i], types[canon], zone=zone, verbatim=verbatim
        )
        if n_naive:
            naive_cols.append(table.header[i])
        if types[canon].upper() == "VARCHAR" and not verbatim and notes is not None:
            trimmed = sum(1 for v in raw if v.strip() and v != v.strip())
            if trimmed:
                notes.append(
                    f"{table.path.name}: {trimmed} value(s) in '{table.header[i]}' had spaces "
                    f"around them, trimmed ({tname}.{canon} is matched against other rows)"
                )
        df[canon] = series.reset_index(drop=True)
    if naive_cols and notes is not None:
        where = zone_name or "UTC"
        extra = "" if zone_name else " (no time zone given; pass one if they are local times)"
        notes.append(
            f"{table.path.name}: times without offset in "
            + ", ".join(f"'{c}'" for c in naive_cols)
            + f" read as {where} and converted to UTC{extra}"
        )
    df["source_row"] = table.rows
    return df


def _enum(table: Table, k: int, tname: str, canon: str, src: str, raw: str) -> str:
    s = raw.strip().lower()
    if not s:
        return ""
    if canon == "unit":
        s = re.sub(r"[\s\-]+", "_", s)
        s = {"post": "per_post", "perpost": "per_post"}.get(s, s)
    values, _ = allowed_values(tname, canon)
    if s not in values:
        raise FormatError(
            table.path,
            row=table.rows[k],
            column=src,
            expected="one of " + ", ".join(values),
            found=raw,
        )
    return s


# ---------------------------------------------------------------------------- the format


@register(FORMAT, options=("decimal", "dayfirst"))
def read_generic(path: Path, ctx: SourceContext) -> Rows:
    """Any CSV, XLSX or JSON file mapped onto one canonical table by a column mapping.

    Parameters
    ----------
    path : Path
        CSV (delimiter sniffed from the first line; encoding detected, see
        :func:`~ripplemeter.formats._io.read_text`), Excel ``.xlsx`` (first sheet; row
        numbers are sheet rows; recognised by its bytes whatever its name), JSON Lines (one
        object per line) or a JSON array of objects (nested keys as ``user.id``; row number
        = the line where the object starts).
    ctx : SourceContext
        ``table``: canonical table to fill (default ``posts``; any table of
        :mod:`ripplemeter.schema`). ``columns``: canonical name -> source column; file
        columns already named like canonical columns (case-insensitive) are used too,
        unless the mapping fills that canonical column or reads that file column (a note
        lists them). ``decimal``, ``dayfirst``: how numbers and dates are written (see
        :class:`~ripplemeter.formats.SourceContext`).
        ``platform``: namespaces ids (``post_id`` ``123`` -> ``x:123``; also account,
        parent, root, follow ids); required for posts unless a ``platform`` column is mapped.
        ``timezone``: IANA zone of timestamps written without an offset (default UTC).

    Returns
    -------
    Rows
        One table. Values are converted by the canonical column's DuckDB type: integers
        (whole numbers; ``1,234`` accepted), DOUBLE (``12%`` -> 0.12), DATE (``YYYY-MM-DD``
        or ``YYYY/MM/DD``), TIMESTAMP (with offset: converted to UTC; naive: read in
        ``timezone`` and converted to UTC, with a note), BOOLEAN (true/false, yes/no, 1/0).
        Empty cells are NULL. Free text (:data:`FREE_TEXT`: a post's text, an account's
        name) is stored exactly as exported, surrounding spaces and tabs included; ids and
        codes are trimmed, with a note. ``post_metrics`` without an ``observed_at`` column are
        observed at import time (``observed_at_source='import_time'``).

    Raises
    ------
    FormatError
        Unknown table or canonical column in the mapping, a mapped source column not in
        the file (named), a required column unmapped (``post_id`` for posts, ...), a cell
        that does not convert (file, row, column, value), posts without a platform.
    """
    tname = ctx.table or "posts"
    if tname not in schema.TABLES:
        raise FormatError(
            path,
            message=f"unknown table '{tname}' for the generic format; tables: "
            + ", ".join(schema.TABLES),
        )
    tdef = schema.TABLES[tname]
    zone = zone_of(path, ctx.timezone)
    table, notes = read_tabular(
        path, format_name=FORMAT, jsonl=True, decimal=ctx.decimal, dayfirst=ctx.dayfirst
    )
    by_lower = {h.lower(): h for h in reversed(table.header)}
    # a posts file may also carry each post's figures: those columns go to post_metrics
    metric_cols = (
        [c for c in schema.POST_METRICS.column_names if c not in schema.POSTS.column_names]
        if tname == "posts"
        else []
    )
    metrics_mapping: dict[str, str] = {}
    if ctx.columns:
        mapping: dict[str, str] = {}
        for canon, src in ctx.columns.items():
            if canon in metric_cols:
                if src.lower() not in by_lower:
                    raise FormatError(
                        path,
                        row=table.header_row or None,
                        column=src,
                        message=f"column '{src}' (mapped to post_metrics.{canon}) is not in "
                        "the file; the file has: " + ", ".join(f"'{h}'" for h in table.header[:12]),
                    )
                metrics_mapping[canon] = by_lower[src.lower()]
                continue
            if canon not in tdef.column_names:
                raise FormatError(
                    path,
                    message=f"'{canon}' is not a column of table {tname}; its columns are: "
                    + ", ".join(tdef.column_names),
                )
            if src.lower() not in by_lower:
                raise FormatError(
                    path,
                    row=table.header_row or None,
                    column=src,
                    message=f"column '{src}' (mapped to {tname}.{canon}) is not in the file; "
                    "the file has: "
                    + ", ".join(f"'{h}'" for h in table.header[:12])
                    + (" ..." if len(table.header) > 12 else ""),
                )
            mapping[canon] = by_lower[src.lower()]
        # a partial mapping keeps the file's columns that already carry canonical names
        used = {h.lower() for h in (*mapping.values(), *metrics_mapping.values())}
        by_name = {
            c: by_lower[c.lower()]
            for c in tdef.column_names
            if c not in mapping and c.lower() in by_lower and c.lower() not in used
        }
        by_name_metrics = {
            c: by_lower[c.lower()]
            for c in metric_cols
            if c not in metrics_mapping and c.lower() in by_lower and c.lower() not in used
        }
        mapping.update(by_name)
        metrics_mapping.update(by_name_metrics)
        if by_name or by_name_metrics:
            shown = sorted([*by_name.values(), *by_name_metrics.values()], key=table.header.index)
            notes.append(
                f"{path.name}: besides the mapping, columns used by name: " + ", ".join(shown)
            )
    else:
        mapping = {c: by_lower[c.lower()] for c in tdef.column_names if c.lower() in by_lower}
        metrics_mapping = {c: by_lower[c.lower()] for c in metric_cols if c.lower() in by_lower}
        if not mapping:
            raise FormatError(
                path,
                row=table.header_row or None,
                message=f"no column of the file is named like a column of table {tname} "
                f"({', '.join(tdef.column_names[:8])}, ...); give a column mapping",
            )
        notes.append(f"{path.name}: columns used by name: " + ", ".join(mapping.values()))
    for req in REQUIRED.get(tname, ()):
        if req not in mapping:
            raise FormatError(
                path,
                column=req,
                message=f"table {tname} needs a '{req}' column; map one (columns "
                f"{{'{req}': '<source column>'}}) or name a file column '{req}'",
            )
    df = build_frame(table, tname, mapping, zone=zone, zone_name=ctx.timezone, notes=notes)
    has_times = any(c.type == "TIMESTAMP" for c in tdef.columns if c.name in mapping)
    rows_tz = ctx.timezone if ctx.timezone and has_times else None

    platform_col = df["platform"] if "platform" in df.columns else None
    if ctx.platform is not None and "platform" in tdef.column_names and "platform" not in df:
        df["platform"] = ctx.platform
    for idc in ID_COLUMNS:
        if idc not in df.columns:
            continue
        vals = df[idc].tolist()
        out = []
        for k, v in enumerate(vals):
            p = ctx.platform
            if p is None and platform_col is not None:
                p = platform_col.iloc[k] if isinstance(platform_col.iloc[k], str) else None
            if v is not None and p is None and tname == "posts" and ":" not in v:
                raise FormatError(
                    path,
                    row=table.rows[k],
                    column=mapping[idc],
                    message="posts need a platform for their ids: pass --platform (or "
                    "SourceContext.platform) or map a 'platform' column",
                )
            out.append(namespace(v, p))
        df[idc] = pd.Series(out, dtype=object)
    if tname == "posts" and "platform" not in df.columns:
        df["platform"] = [v.split(":", 1)[0] if isinstance(v, str) else None for v in df["post_id"]]
    if tname == "post_metrics" and "observed_at" not in mapping:
        observed = ctx.imported_at
        if observed is None:
            observed = pd.Timestamp.now(tz="UTC").tz_localize(None)
        df["observed_at"] = observed
        df["observed_at_source"] = "import_time"
    elif tname == "post_metrics" and "observed_at_source" not in mapping:
        df["observed_at_source"] = "file_column"
    for req in REQUIRED.get(tname, ()):
        if req in df.columns:
            missing = df[req].isna().to_numpy().nonzero()[0]
            if missing.size:
                k = int(missing[0])
                raise FormatError(
                    path,
                    row=table.rows[k],
                    column=mapping.get(req, req),
                    expected=f"a value ({tname}.{req} is required)",
                    found="",
                )
    if tname == "posts" and metrics_mapping:
        m_check = build_frame(
            table, "post_metrics", metrics_mapping, zone=zone, zone_name=ctx.timezone, notes=[]
        )
    else:
        m_check = None
    if tname in ("posts", "post_metrics") and "post_id" in df.columns:
        keep = _check_duplicate_posts(path, table, mapping, df, m_check, tname, notes)
        df = df[keep].reset_index(drop=True)
        table = _subset(table, keep)
    rows = Rows(notes=notes, source_timezone=rows_tz)
    rows.add(tname, df)
    if metrics_mapping:
        m = build_frame(
            table, "post_metrics", metrics_mapping, zone=zone, zone_name=ctx.timezone, notes=notes
        )
        m["post_id"] = df["post_id"].to_numpy()
        if "observed_at" not in metrics_mapping:
            observed = ctx.imported_at
            if observed is None:
                observed = pd.Timestamp.now(tz="UTC").tz_localize(None)
            m["observed_at"] = observed
            m["observed_at_source"] = "import_time"
        else:
            m["observed_at_source"] = "file_column"
        if "source_row" in df.columns and "source_row" not in m.columns:
            m["source_row"] = df["source_row"].to_numpy()
        rows.add("post_metrics", m)
        notes.append(
            f"{path.name}: figures ({', '.join(metrics_mapping)}) stored as post_metrics snapshots"
        )
    return rows


def _subset(table: Table, keep) -> Table:
    """The table restricted to the records where ``keep`` is True."""
    import dataclasses

    import numpy as np

    idx = np.flatnonzero(np.asarray(keep))
    return dataclasses.replace(
        table, records=[table.records[i] for i in idx], rows=[table.rows[i] for i in idx]
    )


def _check_duplicate_posts(path, table, mapping, df, metrics, tname, notes):
    """Rows repeating a post id: identical ones are kept once (noted); different ones fail.

    For ``post_metrics`` a repeat means the same post and the same ``observed_at``.

    Raises
    ------
    FormatError
        Naming the row of the repeat, the first row and the first column that differs.
    """
    key = ["post_id"] + (["observed_at"] if tname == "post_metrics" and "observed_at" in df else [])
    both = df.copy()
    if metrics is not None:
        for c in metrics.columns:
            if c not in both.columns and c != "source_row":
                both[c] = metrics[c].to_numpy()
    cols = [c for c in both.columns if c != "source_row"]
    keep = ~both.duplicated(subset=key, keep="first").to_numpy()
    if keep.all():
        return keep
    first_of: dict = {}
    for i, k in enumerate(both[key].itertuples(index=False, name=None)):
        if k not in first_of:
            first_of[k] = i
            continue
        j = first_of[k]
        a, b = both.iloc[j], both.iloc[i]
        for c in cols:
            va, vb = a[c], b[c]
            same = (pd.isna(va) and pd.isna(vb)) if (pd.isna(va) or pd.isna(vb)) else va == vb
            if not same:
                raise FormatError(
                    path,
                    row=table.rows[i],
                    column=mapping.get(c, c),
                    message=f"duplicate post id {k[0]!r} with different values (first at row "
                    f"{table.rows[j]}; differs in '{mapping.get(c, c)}': {va} vs {vb})",
                )
    notes.append(f"{path.name}: {int((~keep).sum())} row(s) repeat a post exactly; kept once")
    return keep
