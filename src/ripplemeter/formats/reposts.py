"""Repost cascades as a plain CSV: one row per post, each naming the post it reposts.

The ``reposts`` format is the generic way into :mod:`ripplemeter.network.cascades`: any
tool that can write ``post_id, parent_id, account_id, created_at, text`` can hand its repost
trees to ripplemeter. A file may hold many cascades: every row without a ``parent_id`` is a
root (its ``created_at`` and ``text`` may be empty, as when only the reposts were exported).

Large files are read by pyarrow's CSV reader with every column typed as text; a file the
fast reader cannot number exactly (blank lines, line breaks inside quoted values, a legacy
encoding, a ragged or cut-off row) is read again by the shared CSV reader, whose errors name
the file, row and column. Both ways give the same rows.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ripplemeter.errors import FormatError
from ripplemeter.formats import Rows, SourceContext, register
from ripplemeter.formats._io import Table, header_has
from ripplemeter.formats.generic import parse_timestamp, read_tabular, zone_of
from ripplemeter.network.cascades import _decode, _encode

FORMAT = "reposts"
#: The file's columns, in the order ripplemeter writes them.
COLUMNS: tuple[str, ...] = ("post_id", "parent_id", "account_id", "created_at", "text")
REQUIRED: tuple[str, ...] = ("post_id", "parent_id")
#: Platform used in ids when the caller names none (``generic:123``).
DEFAULT_PLATFORM = "generic"
_DELIMS = (",", ";", "\t")
_OFFSET = r"([zZ]|[+-]\d\d(:?\d\d)?)$"


def _recognise(lines: list[str]) -> bool:
    return any(header_has(lines, REQUIRED, d) for d in _DELIMS)


def _sniff(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in _DELIMS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _fast_read(path: Path) -> tuple[list[str], dict[str, pa.Array], np.ndarray] | None:
    """(header, columns as text, spreadsheet rows) by pyarrow, or None when unsure."""
    import pyarrow.csv as pacsv

    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".jsonl", ".ndjson"):
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    end = data.find(b"\n")
    first = data[: end if end >= 0 else len(data)].decode("utf-8", "replace").rstrip("\r")
    if not first.strip() or end < 0:
        return None
    delim = _sniff(first)
    header = [h.strip() for h in first.split(delim)]
    lowered = [h.lower() for h in header]
    if len(set(lowered)) != len(lowered) or any(r not in lowered for r in REQUIRED):
        return None
    if b'"' in data[:end]:
        return None
    try:
        tbl = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(
                column_names=[f"c{i}" for i in range(len(header))],
                skip_rows=1,
                block_size=1 << 24,
            ),
            parse_options=pacsv.ParseOptions(delimiter=delim, newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types={f"c{i}": pa.string() for i in range(len(header))},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException, UnicodeDecodeError):
        return None
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if tbl.num_rows == 0 or lines != tbl.num_rows + 1:
        return None  # blank lines or quoted line breaks: rows need exact numbering
    cols = {h: tbl.column(i).combine_chunks() for i, h in enumerate(header)}
    return header, cols, np.arange(2, tbl.num_rows + 2, dtype=np.int64)


def _slow_read(path: Path) -> tuple[list[str], dict[str, pa.Array], np.ndarray, list[str]]:
    table, notes = read_tabular(path, format_name=FORMAT, required=REQUIRED)
    cols = {
        h: pa.array([r[i] if i < len(r) else "" for r in table.records], type=pa.string())
        for i, h in enumerate(table.header)
    }
    return list(table.header), cols, np.asarray(table.rows, dtype=np.int64), notes


def _clean(arr: pa.Array) -> pa.Array:
    """Whitespace trimmed; empty -> NULL."""
    t = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(t, ""), pa.scalar(None, pa.string()), t)


def _namespace(arr: pa.Array, platform: str) -> pa.Array:
    prefix = f"{platform}:"
    joined = pc.binary_join_element_wise(pa.scalar(prefix), arr, "")
    return pc.if_else(pc.starts_with(arr, prefix), arr, joined)


def _timestamps(
    path: Path, raw: pa.Array, rows: np.ndarray, column: str, zone_name: str | None
) -> tuple[np.ndarray, int]:
    """Text -> naive UTC datetime64[us]; naive texts are read in ``zone_name`` (default UTC).

    Returns (values, number of naive texts). Vectorised for ISO 8601; other accepted forms
    (and every error) go through :func:`ripplemeter.formats.generic.parse_timestamp`.
    """
    s = pd.Series(raw.to_numpy(zero_copy_only=False), dtype=object)
    present = s.notna().to_numpy()
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")
    if not present.any():
        return out.to_numpy(), 0
    has_offset = pc.fill_null(pc.match_substring_regex(raw, _OFFSET), False).to_numpy(
        zero_copy_only=False
    )
    naive = present & ~has_offset
    aware = present & has_offset
    if aware.any():
        sub = pc.filter(raw, pa.array(aware))
        try:
            v = pc.cast(sub, pa.timestamp("us", tz="UTC")).cast(pa.timestamp("us"))
            out[aware] = v.to_numpy(zero_copy_only=False)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            v = pd.to_datetime(s[aware], format="ISO8601", utc=True, errors="coerce")
            out[aware] = v.dt.tz_localize(None).astype("datetime64[us]")
    if naive.any():
        sub = pc.filter(raw, pa.array(naive))
        try:
            if zone_name:
                raise pa.ArrowInvalid("local times: converted by pandas below")
            out[naive] = pc.cast(sub, pa.timestamp("us")).to_numpy(zero_copy_only=False)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            v = pd.to_datetime(s[naive], format="ISO8601", errors="coerce")
            if zone_name:
                v = v.dt.tz_localize(zone_name, ambiguous="NaT", nonexistent="NaT")
                v = v.dt.tz_convert("UTC").dt.tz_localize(None)
            out[naive] = v.astype("datetime64[us]")
    left = np.flatnonzero(present & out.isna().to_numpy())
    if left.size:
        zone = zone_of(path, zone_name) or zone_of(path, "UTC")
        table = Table(path, [column], 1, [], [int(r) for r in rows[left]])
        vals = [parse_timestamp(table, k, column, s.iloc[i], zone)[0] for k, i in enumerate(left)]
        out.iloc[left] = pd.to_datetime(pd.Series(vals, dtype=object)).astype("datetime64[us]")
    return out.to_numpy(), int(naive.sum())


def _roots(post: pa.Array, parent: pa.Array) -> tuple[np.ndarray, int]:
    """Root id of every row by following parents (NULL where a parent is missing or the
    chain is a cycle), and the number of rows repeating an earlier post id."""
    (codes, pcode), uniques = _encode(post, parent)
    n = int(codes.max()) + 1
    first = np.full(n, -1, np.int64)
    rows = np.arange(codes.size)
    first[codes[::-1]] = rows[::-1]
    repeats = int(codes.size - n)
    pcode = np.where(pcode < n, pcode, -2)  # -2: names a post that is not in the file
    up = pcode[first]  # per post, its first row's parent
    is_root = up == -1
    anc = np.where(up >= 0, up, np.arange(n))
    for _ in range(int(np.ceil(np.log2(max(n, 2)))) + 2):
        nxt = anc[anc]
        if np.array_equal(nxt, anc):
            break
        anc = nxt
    root_of = np.where(is_root[anc], anc, -1)
    row_root = np.where(pcode == -1, codes, np.where(pcode >= 0, root_of[np.maximum(pcode, 0)], -1))
    return _decode(row_root, uniques), repeats


@register(FORMAT, recognise=_recognise)
def read_reposts(path: Path, ctx: SourceContext) -> Rows:
    """Repost cascades CSV (post_id, parent_id, account_id, created_at, text) -> posts.

    Parameters
    ----------
    path : Path
        CSV with a header; ``,``, ``;`` or TAB separated (sniffed); UTF-8 (legacy East Asian
        encodings are detected). Columns (any case): ``post_id`` and ``parent_id``
        (required), ``account_id``, ``created_at``, ``text`` (optional; absent is NULL).
        Other columns are ignored, with a note. A row whose ``parent_id`` is empty is a
        root; every other row reposts the post its ``parent_id`` names.
    ctx : SourceContext
        ``platform`` namespaces post, parent and account ids (``123`` -> ``weibo:123``; ids
        already starting with ``weibo:`` are kept); default ``generic``, with a note.
        ``timezone``: IANA zone of times written without an offset (default UTC).

    Returns
    -------
    Rows
        ``posts``: ``post_id``, ``platform``, ``account_id``, ``created_at`` (naive UTC),
        ``text``, ``kind`` (``original`` for roots, ``repost`` otherwise), ``parent_id``,
        ``root_id`` (found by following parents; NULL when the chain reaches a post that
        is not in the file, or loops), ``source_row``. Every row is kept, including rows
        that repeat a post id (counted in a note; :func:`~ripplemeter.network.cascades.
        build_cascades` keeps the first and counts the rest).

    Raises
    ------
    FormatError
        Empty file, no data rows, ``post_id`` or ``parent_id`` column missing, a ragged or
        cut-off row, an empty ``post_id``, a time that cannot be read (file, row, column).
    """
    path = Path(path)
    notes: list[str] = []
    fast = _fast_read(path)
    if fast is None:
        header, cols, rows, notes = _slow_read(path)
    else:
        header, cols, rows = fast
    by_lower = {h.lower(): h for h in reversed(header)}
    missing = [c for c in REQUIRED if c not in by_lower]
    if missing:  # pragma: no cover - both readers check the header first
        raise FormatError(path, row=1, column=missing[0], message=f"missing column '{missing[0]}'")
    extra = [h for h in header if h.lower() not in COLUMNS]
    if extra:
        notes.append(f"{path.name}: columns not read by the reposts format: " + ", ".join(extra))
    platform = ctx.platform or DEFAULT_PLATFORM
    if not ctx.platform:
        notes.append(
            f"{path.name}: no platform given; ids are namespaced '{DEFAULT_PLATFORM}:<id>' "
            "(pass --platform to name the platform)"
        )
    n = len(rows)
    text_cols: dict[str, pa.Array] = {}
    for c in COLUMNS:
        if c in by_lower:
            text_cols[c] = _clean(cols[by_lower[c]])
        else:
            text_cols[c] = pa.nulls(n, pa.string())
    null_ids = np.flatnonzero(text_cols["post_id"].is_null().to_numpy(zero_copy_only=False))
    if null_ids.size:
        raise FormatError(
            path,
            row=int(rows[null_ids[0]]),
            column=by_lower["post_id"],
            expected="a post id",
            found="",
        )
    for c in ("post_id", "parent_id", "account_id"):
        text_cols[c] = _namespace(text_cols[c], platform)
    created, n_naive = (
        _timestamps(path, text_cols["created_at"], rows, by_lower["created_at"], ctx.timezone)
        if "created_at" in by_lower
        else (np.full(n, np.datetime64("NaT"), dtype="datetime64[us]"), 0)
    )
    if n_naive:
        where = ctx.timezone or "UTC"
        extra_note = "" if ctx.timezone else " (no time zone given; pass one if they are local)"
        notes.append(
            f"{path.name}: {n_naive} times without offset read as {where} and converted to "
            f"UTC{extra_note}"
        )

    def obj(c: str) -> pd.Series:
        return text_cols[c].to_pandas()  # Arrow-backed text, no copy

    roots, repeats = _roots(text_cols["post_id"], text_cols["parent_id"])
    parent_col = text_cols["parent_id"]
    is_root = parent_col.is_null().to_numpy(zero_copy_only=False)
    df = pd.DataFrame(
        {
            "post_id": obj("post_id"),
            "platform": platform,
            "account_id": obj("account_id"),
            "created_at": created,
            "text": obj("text"),
            "kind": np.where(is_root, "original", "repost").astype(object),
            "parent_id": obj("parent_id"),
            "root_id": pd.Series(roots, dtype="str"),
            "source_row": rows,
        }
    )
    df["platform"] = df["platform"].astype(object)
    if repeats:
        notes.append(
            f"{path.name}: {repeats} row(s) repeat a post id; all rows are stored and "
            "cascade reconstruction keeps the first of each and counts the rest"
        )
    unresolved = int((~is_root & pd.isna(df["root_id"].to_numpy())).sum())
    notes.append(
        f"{path.name}: {int(is_root.sum())} root(s), {n - int(is_root.sum())} repost(s)"
        + (f"; {unresolved} repost(s) whose chain does not reach a root" if unresolved else "")
    )
    out = Rows(notes=notes, source_timezone=ctx.timezone if n_naive else None)
    out.add("posts", df)
    return out
