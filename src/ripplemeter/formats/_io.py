"""Shared reading helpers for importers: decoding, CSV records with row numbers, typed columns.

Every helper raises :class:`~ripplemeter.errors.FormatError` with the file, the 1-based row
(as a spreadsheet numbers rows: a quoted field spanning lines stays one row) and the column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ripplemeter.errors import FormatError

csv.field_size_limit(2**31 - 1)

_EAST_ASIAN = ("gb18030", "cp949", "big5", "shift_jis")
_LABELS = {
    "gb18030": "GBK/GB18030 (Chinese)",
    "cp949": "CP949/EUC-KR (Korean)",
    "big5": "Big5 (traditional Chinese)",
    "shift_jis": "Shift-JIS (Japanese)",
}


@dataclass
class Decoded:
    """A decoded text file.

    Attributes
    ----------
    text : str
        The file's text with any byte-order mark removed.
    encoding : str
        ``utf-8``, ``utf-8-sig``, ``utf-16`` or a detected legacy encoding (``gb18030``,
        ``cp949``, ...).
    note : str or None
        Set when the encoding was detected rather than declared (goes to the import log).
    """

    text: str
    encoding: str
    note: str | None = None


def _row_of_offset(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


# The most frequent characters of each script (from public frequency lists: Jun Da's Modern
# Chinese character frequency list; the National Institute of Korean Language syllable counts),
# plus words common in marketing exports. Garbage produced by decoding with the wrong East
# Asian code page is made of rare characters, so the share of common ones tells them apart
# even on short files, where the script alone cannot (GBK bytes are also valid CP949 Hangul).
_COMMON_HANZI = set(
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过"
    "家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本"
    "见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己"
    "话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平"
    "真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报"
    "立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务"
    "制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科"
    "怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运"
    "武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸"
    "钱党倒未持音跑投断首单微博订购销售注册户优惠价格商店铺客评论转发点赞粉丝直播视频图片网站"
    "页浏览访问搜索广告营推活品牌新闻媒体热门话题讨论分享关注"
)
_COMMON_HANGUL = set(
    "이다는에가의을를하고지기리사자한서어나도으로수있없것들그게해요니면만주시보내대아우전정인"
    "상장중부조구비스트디오미마바라치카타파회원입날짜값표지일월년세요개계제경국공관광교금김"
    "남노동드러레로록료류르린말매명모무문물민박반방배번법변별병보복본분불비상새생선설성소속손"
    "송시신실심아안알야약양어업여역연영예오온와요용우운원위유육은음응의이인일임입있자작잠장재"
    "저적전점접정제조존종좋주준중즈증지진질차참창책처천청체초최추출충치친커크키타태터테토통투"
    "트특파판패퍼페편평포표품프피하학한할함합항해했행향허현형호화확회효후휴흐희"
)
_COMMON_KANA = set(
    "のにはをたがでてとしれさかなるいうもすあこおっくきまけせそつらりろわんよやゆめみひふへほ"
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
)


def _script_scores(enc: str, chars: list[str]) -> tuple[float, float]:
    """(share of chars in the encoding's script, share of them among its common characters)."""
    if enc == "cp949":
        script = sum("\uac00" <= ch <= "\ud7a3" for ch in chars)
        common = sum(ch in _COMMON_HANGUL for ch in chars)
    elif enc == "shift_jis":
        script = sum("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in chars)
        common = sum(ch in _COMMON_KANA for ch in chars)
    else:
        script = sum(
            "\u4e00" <= ch <= "\u9fa5" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"
            for ch in chars
        )
        common = sum(ch in _COMMON_HANZI for ch in chars) if enc == "gb18030" else 0
        if enc == "big5":  # traditional forms: count those that are common in simplified too
            common = sum(ch in _COMMON_HANZI for ch in chars) * 0.8
    n = len(chars)
    return script / n, common / n


class AmbiguousEncoding(Exception):
    """Several legacy encodings decode the bytes into plausible text."""

    def __init__(self, candidates: list[str]) -> None:
        self.candidates = candidates
        super().__init__(", ".join(candidates))


def _guess_legacy(data: bytes) -> tuple[str, str] | None:
    """Decode with the East Asian legacy encoding that yields the most plausible text.

    Returns (encoding, text), or None when no candidate decodes into its own script.
    Plausibility: the share of decoded characters in the encoding's script (Hangul for CP949,
    CJK ideographs for GB18030/Big5, kana for Shift-JIS), then the share of that script's most
    frequent characters, which separates real text from mojibake.

    Raises
    ------
    AmbiguousEncoding
        When two encodings remain equally plausible (very short texts).
    """
    cands: list[tuple[float, float, str, str]] = []
    for enc in _EAST_ASIAN:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        non_ascii = [ch for ch in text if ord(ch) > 127]
        if not non_ascii:
            continue
        script, common = _script_scores(enc, non_ascii)
        if script >= 0.6:
            cands.append((common, script, enc, text))
    if not cands:
        return None
    cands.sort(key=lambda c: (-c[0], -c[1]))
    best = cands[0]
    if len(cands) > 1 and best[0] - cands[1][0] < 0.15:
        raise AmbiguousEncoding([best[2], cands[1][2]])
    return best[2], best[3]


_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Excel .xls (and other Office files)


def binary_kind(path: Path, head: bytes | None = None) -> str | None:
    """What a binary file is, from its first bytes: ``"xlsx"``, ``"xls"``, ``"zip"`` or None.

    An ``.xlsx`` workbook is a ZIP archive holding ``xl/workbook.xml``; any other ZIP
    archive is ``"zip"``; the OLE2 compound-file signature is an old Excel ``.xls`` (Excel
    re-saves and some ad platforms still write it). A text file is None.
    """
    if head is None:
        try:
            with open(path, "rb") as f:
                head = f.read(8)
        except OSError:
            return None
    if head.startswith(_OLE2_MAGIC):
        return "xls"
    if not head.startswith(_ZIP_MAGIC):
        return None
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError):
        return "zip"
    return "xlsx" if "xl/workbook.xml" in names else "zip"


def not_text_error(path: Path, kind: str) -> FormatError:
    """The error for a workbook or archive given where a CSV or text export is read."""
    if kind == "xlsx":
        msg = (
            "is an Excel workbook (.xlsx), not the CSV file this format reads; download the "
            "export as CSV, or open it in Excel and save it as 'CSV UTF-8' and import that file"
        )
    elif kind == "xls":
        msg = (
            "is an old Excel workbook (.xls), not a CSV file; open it in Excel and save it as "
            "'CSV UTF-8' (or as .xlsx for the generic and small-table formats)"
        )
    else:
        msg = "is a ZIP archive, not a CSV file; unzip it and import the files inside"
    return FormatError(path, message=msg)


def read_text(path: Path) -> Decoded:
    """Read a text export and decode it.

    UTF-8 (with or without BOM) and UTF-16 with BOM are decoded directly. A file that is not
    valid UTF-8 is tried as GB18030 (GBK), CP949 (Korean), Big5 and Shift-JIS; the encoding
    whose text is most plausible is used and a note records it. An Excel workbook or a ZIP
    archive is recognised by its first bytes (whatever its name) and refused with what to do.

    Raises
    ------
    FormatError
        If the file is empty, is a workbook or an archive (:func:`binary_kind`), or cannot be
        decoded; the message names the row of the first byte that is not UTF-8.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FormatError(path, message="file not found") from None
    except IsADirectoryError:
        raise FormatError(path, message="is a folder, not a file") from None
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise FormatError(path, message="the file is empty")
    kind = binary_kind(path, data[:8])
    if kind is not None:
        raise not_text_error(path, kind)
    if data.startswith(b"\xef\xbb\xbf"):
        data_ = data[3:]
        enc = "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return Decoded(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError as exc:
            raise FormatError(path, message=f"not valid UTF-16: {exc.reason}") from None
    else:
        data_ = data
        enc = "utf-8"
    try:
        return Decoded(data_.decode("utf-8"), enc)
    except UnicodeDecodeError as exc:
        row = _row_of_offset(data_, exc.start)
        try:
            guess = _guess_legacy(data_)
        except AmbiguousEncoding as amb:
            names = " or ".join(_LABELS.get(c, c) for c in amb.candidates)
            raise FormatError(
                path,
                row=row,
                message=f"not valid UTF-8 (first bad byte on this row); it looks like {names} "
                "but the text is too short to tell which; save it as UTF-8",
            ) from None
        if guess is None:
            raise FormatError(
                path,
                row=row,
                message=f"not valid UTF-8 (byte 0x{data_[exc.start]:02x}) and not a "
                "recognised GBK/GB18030, CP949, Big5 or Shift-JIS file; save it as UTF-8",
            ) from None
        enc_name, text = guess
        label = _LABELS.get(enc_name, enc_name)
        return Decoded(
            text,
            enc_name,
            note=f"{path.name}: not UTF-8 (first non-UTF-8 byte on row {row}); "
            f"decoded as {label}, detected from its content",
        )


@dataclass
class Table:
    """CSV records read from a file, with spreadsheet row numbers.

    Attributes
    ----------
    path : Path
    header : list[str]
        Column names, stripped of surrounding spaces.
    header_row : int
        1-based row of the header.
    records : list[list[str]]
        Data records (empty records removed).
    rows : list[int]
        1-based spreadsheet row of each record.
    delimiter : str
        The field delimiter of a CSV (``","`` for workbooks and JSON).
    decimal : {",", "."} or None
        The decimal mark the source declares (None: not declared; see
        :class:`~ripplemeter.formats.SourceContext`).
    dayfirst : bool or None
        Whether dates are written day first (True), month first (False), or only year
        first (None).
    """

    path: Path
    header: list[str]
    header_row: int
    records: list[list[str]]
    rows: list[int]
    delimiter: str = ","
    decimal: str | None = None
    dayfirst: bool | None = None

    def col_index(self, name: str, *, required: bool = True, aliases: Sequence[str] = ()) -> int:
        """Index of a column by name (case-insensitive), or -1 if optional and absent."""
        lowered = [h.lower() for h in self.header]
        for cand in (name, *aliases):
            if cand.lower() in lowered:
                return lowered.index(cand.lower())
        if required:
            raise FormatError(
                self.path,
                row=self.header_row,
                column=name,
                message=f"missing required column '{name}'; the header has: "
                + ", ".join(f"'{h}'" for h in self.header[:12])
                + (" ..." if len(self.header) > 12 else ""),
            )
        return -1

    def column(self, name: str, *, required: bool = True, aliases: Sequence[str] = ()) -> list:
        """The raw string values of one column (None for every row when optional and absent)."""
        idx = self.col_index(name, required=required, aliases=aliases)
        if idx < 0:
            return [None] * len(self.records)
        return [r[idx] if idx < len(r) else "" for r in self.records]

    def frame(self) -> pd.DataFrame:
        """All records as strings in a DataFrame with the original header."""
        return pd.DataFrame(self.records, columns=self.header)


def split_records(text: str, delimiter: str = ",") -> list[tuple[int, list[str]]]:
    """Parse CSV text into (spreadsheet row, record) pairs using the csv module.

    A record is numbered by its position among records, counting blank lines as rows (as a
    spreadsheet shows them). A quote left open at the end of the file raises ``csv.Error``.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    out: list[tuple[int, list[str]]] = []
    # blank lines are records of length 0 in csv, so they keep the row count moving
    for row, rec in enumerate(reader, start=1):
        out.append((row, rec))
    return out


def header_has(lines: Sequence[str], columns: Iterable[str], delimiter: str = ",") -> bool:
    """Whether the first line, read as a CSV header, has every one of ``columns``.

    For format recognisers (:func:`ripplemeter.formats.register`); case-insensitive.
    """
    if not lines:
        return False
    cells = next(csv.reader([lines[0]], delimiter=delimiter), [])
    have = {c.strip().lstrip("\ufeff").lower() for c in cells}
    return all(c.lower() in have for c in columns)


def sniff_delimiter_problem(header_line: str, expected: str) -> str | None:
    """If a header line looks separated by another delimiter, name it."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t", "|")}
    counts.pop(expected, None)
    best = max(counts, key=counts.get)
    if counts[best] >= 1 and header_line.count(expected) == 0:
        names = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "pipes"}
        return names[best]
    return None


def read_table(
    path: Path,
    text: str,
    *,
    delimiter: str = ",",
    skip_rows: int = 0,
    required: Iterable[str] = (),
    format_name: str = "",
    strip_trailing_empty: bool = True,
) -> Table:
    """Parse a CSV text with a header into a :class:`Table`, checking shape.

    Parameters
    ----------
    path : Path
        The file (for messages).
    text : str
        Decoded text.
    delimiter : str
        Expected delimiter.
    skip_rows : int
        Records before the header (comment blocks, title lines).
    required : iterable of str
        Columns that must be present (case-insensitive).
    format_name : str
        Format name for messages ("is this a ... file?").
    strip_trailing_empty : bool
        Drop empty trailing cells beyond the header width (Excel re-saves add them).

    Raises
    ------
    FormatError
        Wrong delimiter, missing column, a record with the wrong number of fields (a
        truncated last line says so), an unterminated quote, or a header without data rows.
    """
    try:
        recs = split_records(text, delimiter)
    except csv.Error:
        raise quote_error(path, text, delimiter) from None
    recs = recs[skip_rows:]
    while recs and not any(c.strip() for c in recs[0][1]):
        recs = recs[1:]
    if not recs:
        raise FormatError(path, message="no header row found; the file has no data")
    header_row, header = recs[0]
    header = [h.strip().lstrip("\ufeff") for h in header]
    if strip_trailing_empty:
        while header and header[-1] == "":
            header.pop()
    width = len(header)
    req = list(required)
    if req:
        lowered = {h.lower() for h in header}
        missing = [c for c in req if c.lower() not in lowered]
        if missing:
            first_line = text.splitlines()[header_row - 1] if text else ""
            problem = sniff_delimiter_problem(first_line, delimiter)
            if problem:
                dname = {",": "commas", ";": "semicolons", "\t": "tabs"}.get(delimiter, delimiter)
                raise FormatError(
                    path,
                    row=header_row,
                    message=f"the header is separated by {problem}, expected {dname}"
                    + (f" (is this a {format_name} file?)" if format_name else ""),
                )
            raise FormatError(
                path,
                row=header_row,
                column=missing[0],
                message=f"missing required column '{missing[0]}'"
                + (f" for format {format_name}" if format_name else "")
                + "; the header has: "
                + ", ".join(f"'{h}'" for h in header[:10])
                + (" ..." if len(header) > 10 else ""),
            )
    records: list[list[str]] = []
    rows: list[int] = []
    last_row = recs[-1][0]
    for row, rec in recs[1:]:
        if not rec or not any(c.strip() for c in rec):
            continue
        if strip_trailing_empty and len(rec) > width:
            while len(rec) > width and rec[-1] == "":
                rec = rec[:-1]
        if len(rec) != width:
            truncated = row == last_row and len(rec) < width and not text.endswith("\n")
            msg = f"expected {width} columns as in the header, found {len(rec)}"
            if truncated:
                msg += "; the last line looks truncated"
            raise FormatError(path, row=row, message=msg)
        records.append(rec)
        rows.append(row)
    if not records:
        raise no_data_rows(path, header_row)
    return Table(path, header, header_row, records, rows, delimiter)


def no_data_rows(path: Path, header_row: int | None) -> FormatError:
    """The error for a file whose header is not followed by any data row."""
    return FormatError(
        path,
        row=header_row or None,
        message="the file has a header but no data rows; there is nothing to import "
        "(was the report empty, or was the file cut short?)",
    )


def json_error(path: Path, text: str, exc: Exception) -> FormatError:
    """The error for a file that is not valid JSON: its line, the parser's reason and where.

    Parameters
    ----------
    path : Path
        The file read.
    text : str
        Its text (to tell a file cut short from one broken in the middle).
    exc : json.JSONDecodeError
        What :func:`json.loads` raised.

    Returns
    -------
    FormatError
        ``row`` is the line of the error; the message reads ``not valid JSON: <reason>
        (character N)``, with ``; the file looks truncated`` when the error is on the last
        line.
    """
    lineno, colno, msg = exc.lineno, exc.colno, exc.msg  # type: ignore[attr-defined]
    last = lineno >= len(text.rstrip().split("\n"))
    return FormatError(
        path,
        row=lineno,
        message=f"not valid JSON: {msg} (character {colno})"
        + ("; the file looks truncated" if last else ""),
    )


def quote_error(path: Path, text: str, delimiter: str = ",") -> FormatError:
    """The error for text that strict CSV parsing rejects, naming the row and field."""
    loc = csv_error_location(text, delimiter)
    if loc is None:  # pragma: no cover - only called after the csv module failed
        return FormatError(path, message="the file is not valid CSV")
    row, field, at_end = loc
    if at_end:
        message = (
            f"a quoted field (field {field + 1}) is never closed; the file ends inside it, "
            "so the last line looks truncated"
        )
    else:
        message = (
            f"a quoted field (field {field + 1}) has more text after its closing quote (a "
            'quote inside a value must be doubled: "")'
        )
    return FormatError(path, row=row, message=message)


def require_final_line_break(path: Path, text: str, last_row: int) -> None:
    """Raise when an export that always ends with a line break does not.

    X Analytics, Meta Ads Manager, Google Trends and Universal Analytics downloads end with
    a line break; one that does not was cut off during the download, and its last row may
    hold a shortened number that still parses. (GA4 downloads and hand-made sheets end
    without one: their importers do not call this.)

    Raises
    ------
    FormatError
        Naming ``last_row``, the row that may be cut off.
    """
    if text and not text.endswith(("\n", "\r")):
        raise FormatError(
            path,
            row=last_row,
            message="the file does not end with a line break as these exports do, so this "
            "last row looks truncated (an interrupted download?); download the export again",
        )


_NUM_CLEAN = re.compile(r"[\s\u00a0\u202f]")


def parse_numbers(
    table: Table,
    values: Sequence[str | None],
    column: str,
    *,
    integer: bool = False,
    missing: Iterable[str] = ("", "-", "--"),
    thousands: bool = False,
    percent: bool = False,
) -> np.ndarray:
    """Convert raw strings of one column to floats (NaN for missing), raising on bad text.

    Parameters
    ----------
    table : Table
        For error messages (path, row numbers).
    values : sequence of str or None
        Raw cells, one per record.
    column : str
        Column name for messages.
    integer : bool
        Require whole numbers (``312.0`` is accepted as 312; ``12.5`` is not).
    missing : iterable of str
        Cell texts that mean "no value" (stored as NULL, never 0).
    thousands : bool
        Accept ``1,234`` thousands separators.
    percent : bool
        Accept a trailing ``%`` and divide by 100.

    Returns
    -------
    ndarray of float64, shape (n,)
    """
    miss = set(missing)
    out = np.full(len(values), np.nan)
    for i, raw in enumerate(values):
        if raw is None:
            continue
        s = raw.strip()
        if s in miss:
            continue
        t = _NUM_CLEAN.sub("", s)
        if thousands:
            t = t.replace(",", "")
        scale = 1.0
        if percent and t.endswith("%"):
            t = t[:-1]
            scale = 0.01
        try:
            v = float(t)
        except ValueError:
            raise FormatError(
                table.path,
                row=table.rows[i],
                column=column,
                expected="a whole number" if integer else "a number",
                found=raw,
            ) from None
        if not np.isfinite(v):
            raise FormatError(
                table.path,
                row=table.rows[i],
                column=column,
                expected="a finite number",
                found=raw,
            )
        if integer and v != int(v):
            raise FormatError(
                table.path,
                row=table.rows[i],
                column=column,
                expected="a whole number",
                found=raw,
            )
        out[i] = v * scale
    return out


def int_series(arr: np.ndarray) -> pd.Series:
    """Float array with NaN -> pandas nullable Int64 series (NaN becomes <NA>)."""
    return pd.Series(pd.array(np.where(np.isnan(arr), None, arr), dtype="Float64")).astype("Int64")


def parse_dates(
    table: Table,
    values: Sequence[str | None],
    column: str,
    formats: Sequence[str],
    *,
    allow_missing: bool = False,
) -> list:
    """Parse date strings with the first matching strptime format; returns datetime.date list.

    Raises
    ------
    FormatError
        Naming the row and column, listing the expected formats.
    """
    import datetime as dt

    out: list = []
    for i, raw in enumerate(values):
        s = (raw or "").strip()
        if not s:
            if allow_missing:
                out.append(None)
                continue
            raise FormatError(
                table.path, row=table.rows[i], column=column, expected="a date", found=raw
            )
        for fmt in formats:
            try:
                out.append(dt.datetime.strptime(s, fmt).date())
                break
            except ValueError:
                continue
        else:
            shown = " or ".join(
                f.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD") for f in formats
            )
            raise FormatError(
                table.path,
                row=table.rows[i],
                column=column,
                expected=f"a date ({shown})",
                found=raw,
            )
    return out


def read_datetime(s: str, formats: Iterable[str]) -> dt.datetime | None:
    """A date-time text read as ISO 8601 (``Z`` included), else by the first of ``formats``.

    Parameters
    ----------
    s : str
        Stripped, non-empty text.
    formats : iterable of str
        ``strptime`` formats tried in order when the text is not ISO 8601.

    Returns
    -------
    datetime or None
        Aware when the text gives an offset, naive otherwise; None when nothing reads it.
    """
    try:
        return dt.datetime.fromisoformat(s[:-1] + "+00:00" if s.endswith(("Z", "z")) else s)
    except ValueError:
        pass
    for fmt in formats:
        try:
            return dt.datetime.strptime(s, fmt)
        except ValueError:
            continue
    return None


def csv_error_location(text: str, delimiter: str = ",") -> tuple[int, int, bool] | None:
    """Where strict CSV parsing of ``text`` fails, for an error message a user can act on.

    Parameters
    ----------
    text : str
        Decoded text.
    delimiter : str
        Expected delimiter.

    Returns
    -------
    tuple of (int, int, bool) or None
        ``(row, field_index, at_end)``: the 1-based spreadsheet row of the record that cannot
        be parsed (rows counted as in :func:`split_records`), the 0-based index of the field
        where parsing fails (a quote opened there and never closed, or a character follows
        its closing quote), and whether the text ends inside that quoted field (a truncated
        last line). ``None`` when the text parses.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    row = 0
    next_line = 1
    try:
        for _rec in reader:
            row += 1
            next_line = reader.line_num + 1
    except csv.Error:
        rest = "\n".join(text.split("\n")[next_line - 1 :])
        field, in_quote, closed, start = 0, False, False, True
        i = 0
        while i < len(rest):
            ch = rest[i]
            if in_quote:
                if ch == '"':
                    if rest[i + 1 : i + 2] == '"':
                        i += 1
                    else:
                        in_quote, closed = False, True
            elif ch == delimiter:
                field, closed, start = field + 1, False, True
                i += 1
                continue
            elif ch in "\r\n":
                break
            elif closed:
                return row + 1, field, False
            elif ch == '"' and start:
                in_quote = True
            start = False
            i += 1
        return row + 1, field, in_quote
    return None
