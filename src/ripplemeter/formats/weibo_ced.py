"""Weibo repost/comment cascades of the CED data set (Song et al. 2018) -> posts.

The unit of import is one cascade file, ``<rumor|non-rumor>-repost/<idx>_<mid>_<uid>.json``:
a JSON array of records ``{"mid", "uid", "parent", "kids", "text", "date"}``. The original
post is not in it: it is read from the same-named file in the sibling folder
``original-microblog/`` (``text``, ``time``, ``reposts``, ``comments``, ``likes``, ``user``),
and its mid and author come from the file name.

A node is a post: ``weibo:<mid>``, authored by ``weibo:<uid>``. The root is the original
post (kind ``original``); every record is stored as kind ``repost``, although the files mix
reposts and comments and do not tell them apart (the notes say "reposts and comments").

Quirks handled here, each counted in the import notes (see ``docs/formats-cascades.md``):

- ``parent`` is authoritative: empty means made from the original post; ``kids`` is ignored
  (it contradicts ``parent``; the disagreements are counted);
- dates are Beijing time (``Asia/Shanghai``, or ``SourceContext.timezone``), stored in UTC;
- a few dates read ``MM月DD日 HH:MM`` without a year: they take the original post's year
  (the next year when that would put them before the original post);
- a few original posts give ``time`` as a date string (``Sat Nov 10 14:06:53 +0800 2012``)
  instead of unix seconds, and ``user`` as the string ``"empty"``;
- a mid repeated in one file (39 of the 400 sample cascades; most repeats differ in content)
  keeps its first record; the rest are counted;
- a repost timed before its parent is kept and flagged (annotation ``cascade_flag`` =
  ``timed_before_parent``); a parent mid missing from the file or a cycle of parents is kept
  as written and counted.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ripplemeter.errors import FormatError
from ripplemeter.formats import Rows, SourceContext, register
from ripplemeter.formats._io import read_text
from ripplemeter.formats.twitter_trees import FLAG_BEFORE_PARENT, FLAG_TASK, before_parent_flags

FORMAT = "weibo-ced"
PLATFORM = "weibo"
TIMEZONE = "Asia/Shanghai"
ORIGINAL_FOLDER = "original-microblog"
#: Fields of a cascade record (``kids`` is read by nobody: ``parent`` is authoritative).
RECORD_FIELDS: tuple[str, ...] = ("mid", "uid", "parent", "kids", "text", "date")
#: Cascade folder -> the data set's label of the original post.
LABELS = {"rumor-repost": "rumor", "non-rumor-repost": "non-rumor"}

_NAME = re.compile(r"^(\d+)_([0-9A-Za-z]+)_(.+)\.json$")
_FULL_DATE = "%Y-%m-%d %H:%M:%S"
_NO_YEAR = re.compile(r"^(\d{1,2})月(\d{1,2})日\s*(\d{1,2}):(\d{2})$")
_ORIGINAL_TIME = "%a %b %d %H:%M:%S %z %Y"


def _recognise(lines: list[str]) -> bool:
    head = "".join(lines[:20])
    return head.lstrip().startswith("[") and '"mid"' in head and '"parent"' in head


@dataclass
class CedStats:
    """What one cascade file held (for the notes and tests)."""

    root_mid: str
    records: int = 0
    kept: int = 0
    with_parent: int = 0
    repeated_mids: int = 0
    repeated_mid_values: int = 0
    repeated_differ: int = 0
    year_less: int = 0
    year_less_next_year: int = 0
    year_less_undated: int = 0
    original_found: bool = False
    original_time_string: bool = False
    original_user_missing: bool = False
    kids_disagree: int = 0
    before_parent: int = 0
    missing_parent: int = 0
    in_cycles: int = 0
    slug_uids: int = 0
    empty_text: int = 0
    label: str | None = None


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def parse_array(path: Path, text: str) -> list[tuple[int, object]]:
    """A JSON array's elements with the line each one starts on.

    Raises
    ------
    FormatError
        Not a JSON array, a syntax error (row named), text after the array, a file cut short.
    """
    dec = json.JSONDecoder()
    n = len(text)
    i = 0

    def ws(k: int) -> int:
        while k < n and text[k] in " \t\r\n":
            k += 1
        return k

    def cut(pos: int) -> FormatError:
        return FormatError(
            path,
            row=_line_of(text, min(pos, n)),
            message="the JSON array ends early; the file looks truncated",
        )

    i = ws(i)
    if i >= n or text[i] != "[":
        found = text[i : i + 30].split("\n", 1)[0]
        raise FormatError(
            path,
            row=_line_of(text, i),
            expected=f"a JSON array of cascade records (is this a {FORMAT} file?)",
            found=found,
        )
    i = ws(i + 1)
    out: list[tuple[int, object]] = []
    if i < n and text[i] == "]":
        i += 1
    else:
        while True:
            if i >= n:
                raise cut(i)
            start = i
            try:
                obj, i = dec.raw_decode(text, i)
            except json.JSONDecodeError as exc:
                if exc.pos >= n - 1 or ws(exc.pos) >= n or "Unterminated" in exc.msg:
                    raise cut(n) from None
                raise FormatError(
                    path, row=exc.lineno, message=f"not valid JSON: {exc.msg}"
                ) from None
            out.append((_line_of(text, start), obj))
            i = ws(i)
            if i >= n:
                raise cut(n)
            if text[i] == ",":
                i = ws(i + 1)
                continue
            if text[i] == "]":
                i += 1
                break
            raise FormatError(
                path,
                row=_line_of(text, i),
                expected="',' or ']' after a record",
                found=text[i : i + 20],
            )
    i = ws(i)
    if i < n:
        raise FormatError(
            path,
            row=_line_of(text, i),
            message="text after the end of the JSON array (is this a JSON Lines file?)",
        )
    return out


def _str(path: Path, row: int, rec: dict, key: str, *, empty_ok: bool = False) -> str:
    v = rec.get(key)
    if isinstance(v, bool) or not isinstance(v, str | int):
        raise FormatError(
            path, row=row, column=key, expected="a string", found=json.dumps(v, ensure_ascii=False)
        )
    s = str(v).strip()
    if not s and not empty_ok:
        raise FormatError(path, row=row, column=key, expected=f"a {key}", found="")
    return s


def _read_original(path: Path, tz: str) -> tuple[dict, pd.Timestamp | None, bool]:
    """The original post's JSON, its UTC time, and whether the time was a date string."""
    text = read_text(path).text
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(path, row=exc.lineno, message=f"not valid JSON: {exc.msg}") from None
    if not isinstance(obj, dict):
        raise FormatError(path, expected="one JSON object (the original post)", found=text[:30])
    t = obj.get("time")
    if isinstance(t, int | float) and not isinstance(t, bool):
        return obj, pd.Timestamp(int(t), unit="s"), False
    if isinstance(t, str):
        s = t.strip()
        if s.isdigit():
            return obj, pd.Timestamp(int(s), unit="s"), False
        try:
            aware = dt.datetime.strptime(s, _ORIGINAL_TIME)
        except ValueError:
            raise FormatError(
                path,
                column="time",
                expected="unix seconds or a date such as 'Sat Nov 10 14:06:53 +0800 2012'",
                found=t,
            ) from None
        return obj, pd.Timestamp(aware).tz_convert("UTC").tz_localize(None), True
    if t is None:
        return obj, None, False
    raise FormatError(path, column="time", expected="unix seconds", found=t)


def _count(path: Path, row: int, obj: dict, key: str) -> int | None:
    v = obj.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int):
        raise FormatError(path, row=row, column=key, expected="a whole number", found=v)
    return v


def read_cascade(path: Path, ctx: SourceContext | None = None) -> tuple[Rows, CedStats]:
    """Read one CED cascade file (and its original post) into rows and counts.

    Parameters
    ----------
    path : Path
        ``<idx>_<original mid>_<original uid>.json`` in a ``*-repost`` folder.
    ctx : SourceContext, optional
        ``timezone`` overrides Asia/Shanghai; ``platform`` overrides ``weibo`` in ids;
        ``imported_at`` is the observation time of the original post's counts.

    Returns
    -------
    rows : Rows
        ``posts`` (the original post and one per distinct mid), ``post_metrics`` (the
        original post's reposts, comments and likes, when its file is found), ``accounts``
        (the original author's followers and verification), ``annotations`` (the folder's
        rumour label and ``timed_before_parent`` flags).
    stats : CedStats

    Raises
    ------
    FormatError
        Not a JSON array of records, a record without mid/uid/date, a date in neither
        format, an original post file that is not one JSON object, or a file name that does
        not carry the original post's mid and author.
    """
    path = Path(path)
    ctx = ctx or SourceContext()
    platform = (ctx.platform or PLATFORM).lower()
    tz = ctx.timezone or TIMEZONE
    text = read_text(path).text
    items = parse_array(path, text)
    if not items:
        raise FormatError(path, message="the JSON array has no records (no data)")
    m = _NAME.match(path.name)
    if m is None:
        raise FormatError(
            path,
            message="expected a CED cascade file named <idx>_<original mid>_<original uid>.json "
            "(the name carries the original post's mid and author)",
        )
    _idx, root_mid, root_uid = m.groups()
    st = CedStats(root_mid, records=len(items))

    # records: validate, keep the first of each mid
    first: dict[str, tuple[int, dict]] = {}
    repeated: dict[str, int] = {}
    for row, rec in items:
        if not isinstance(rec, dict):
            raise FormatError(
                path,
                row=row,
                expected="a record {mid, uid, parent, date, text}",
                found=json.dumps(rec, ensure_ascii=False),
            )
        missing = [k for k in ("mid", "uid", "parent", "date") if k not in rec]
        if missing:
            raise FormatError(
                path,
                row=row,
                column=missing[0],
                message=f"the record has no '{missing[0]}' (fields: "
                + ", ".join(list(rec)[:8])
                + f"; is this a {FORMAT} cascade file?)",
            )
        mid = _str(path, row, rec, "mid")
        if mid in first or mid == root_mid:
            repeated[mid] = repeated.get(mid, 0) + 1
            if mid == root_mid or first[mid][1] != rec:
                st.repeated_differ += 1
            continue
        first[mid] = (row, rec)
    st.repeated_mids = sum(repeated.values())
    st.repeated_mid_values = len(repeated)
    st.kept = len(first)

    # the original post
    orig_path = path.parent.parent / ORIGINAL_FOLDER / path.name
    orig: dict = {}
    orig_utc: pd.Timestamp | None = None
    if orig_path.is_file():
        orig, orig_utc, st.original_time_string = _read_original(orig_path, tz)
        st.original_found = True
    orig_local = (
        None if orig_utc is None else orig_utc.tz_localize("UTC").tz_convert(tz).tz_localize(None)
    )

    # dates (local) -> UTC
    mids = list(first)
    local: list[pd.Timestamp | None] = []
    for mid in mids:
        row, rec = first[mid]
        raw = _str(path, row, rec, "date")
        try:
            local.append(pd.Timestamp(dt.datetime.strptime(raw, _FULL_DATE)))
            continue
        except ValueError:
            pass
        ym = _NO_YEAR.match(raw)
        if ym is None:
            raise FormatError(
                path,
                row=row,
                column="date",
                expected="a date 'YYYY-mm-dd HH:MM:SS' or 'MM月DD日 HH:MM'",
                found=raw,
            )
        st.year_less += 1
        if orig_local is None:
            st.year_less_undated += 1
            local.append(None)
            continue
        mo, d, h, mi = map(int, ym.groups())
        try:
            t = pd.Timestamp(dt.datetime(orig_local.year, mo, d, h, mi))
            if t < orig_local:
                t = pd.Timestamp(dt.datetime(orig_local.year + 1, mo, d, h, mi))
                st.year_less_next_year += 1
        except ValueError:
            raise FormatError(
                path, row=row, column="date", expected="a valid month and day", found=raw
            ) from None
        local.append(t)
    loc = pd.Series(pd.to_datetime(local), dtype="datetime64[ns]")
    utc = loc.dt.tz_localize(tz).dt.tz_convert("UTC").dt.tz_localize(None)
    when = dict(zip(mids, utc, strict=True))

    root_id = f"{platform}:{root_mid}"
    parent_of: dict[str, str] = {}
    for mid in mids:
        row, rec = first[mid]
        parent_of[mid] = _str(path, row, rec, "parent", empty_ok=True)
    # kids lists: counted where they disagree with parent, never used
    for mid in mids:
        kids = first[mid][1].get("kids") or []
        if isinstance(kids, list):
            st.kids_disagree += sum(1 for k in kids if parent_of.get(str(k)) != mid)
    # cycles among parents (kept as written)
    state: dict[str, int] = {}
    for start in mids:
        path_: list[str] = []
        x = start
        while x in parent_of and x not in state:
            state[x] = 1
            path_.append(x)
            x = parent_of[x]
        if x in state and state[x] == 1:
            st.in_cycles += len(path_) - path_.index(x)
        for p in path_:
            state[p] = 2

    cols: dict[str, list] = {
        k: []
        for k in (
            "post_id",
            "account_id",
            "created_at",
            "text",
            "kind",
            "parent_id",
            "source_row",
        )
    }
    root_text = orig.get("text") if isinstance(orig.get("text"), str) else None
    cols["post_id"].append(root_id)
    cols["account_id"].append(f"{platform}:{root_uid}")
    cols["created_at"].append(orig_utc)
    cols["text"].append(root_text or None)
    cols["kind"].append("original")
    cols["parent_id"].append(None)
    cols["source_row"].append(None)
    flagged: list[tuple[str, int]] = []
    for mid in mids:
        row, rec = first[mid]
        uid = _str(path, row, rec, "uid")
        if not uid.isdigit():
            st.slug_uids += 1
        txt = rec.get("text")
        if txt is not None and not isinstance(txt, str):
            raise FormatError(path, row=row, column="text", expected="a string", found=txt)
        if not txt:
            st.empty_text += 1
        par = parent_of[mid]
        if par:
            st.with_parent += 1
            if par not in first:
                st.missing_parent += 1
            parent_time = when.get(par)
        else:
            parent_time = orig_utc
        t = when[mid]
        if parent_time is not None and not pd.isna(t) and t < parent_time:
            st.before_parent += 1
            flagged.append((f"{platform}:{mid}", row))
        cols["post_id"].append(f"{platform}:{mid}")
        cols["account_id"].append(f"{platform}:{uid}")
        cols["created_at"].append(None if pd.isna(t) else t)
        cols["text"].append(txt or None)
        cols["kind"].append("repost")
        cols["parent_id"].append(f"{platform}:{par}" if par else root_id)
        cols["source_row"].append(row)
    posts = pd.DataFrame(cols)
    posts["created_at"] = pd.to_datetime(posts["created_at"]).astype("datetime64[ns]")
    posts["source_row"] = posts["source_row"].astype("Int64")
    posts.insert(1, "platform", platform)
    posts.insert(2, "channel", "microblog")
    posts["root_id"] = root_id
    rows = Rows(source_timezone=tz)
    rows.add("posts", posts)

    if st.original_found:
        counts = {k: _count(orig_path, None, orig, k) for k in ("reposts", "comments", "likes")}
        if any(v is not None for v in counts.values()):
            observed = ctx.imported_at or pd.Timestamp.now(tz="UTC").tz_localize(None)
            rows.add(
                "post_metrics",
                pd.DataFrame(
                    {
                        "post_id": [root_id],
                        "observed_at": [pd.Timestamp(observed)],
                        "observed_at_source": ["import_time"],
                        "reposts": pd.array([counts["reposts"]], dtype="Int64"),
                        "replies": pd.array([counts["comments"]], dtype="Int64"),
                        "likes": pd.array([counts["likes"]], dtype="Int64"),
                    }
                ),
            )
        user = orig.get("user")
        if isinstance(user, dict):
            rows.add(
                "accounts",
                pd.DataFrame(
                    {
                        "account_id": [f"{platform}:{root_uid}"],
                        "platform": [platform],
                        "followers": pd.array(
                            [_count(orig_path, None, user, "followers")], dtype="Int64"
                        ),
                        "verified": pd.array(
                            [
                                user.get("verified")
                                if isinstance(user.get("verified"), bool)
                                else None
                            ],
                            dtype="boolean",
                        ),
                    }
                ),
            )
        else:
            st.original_user_missing = True

    st.label = LABELS.get(path.parent.name)
    ann: list[dict] = []
    if st.label is not None:
        ann.append(
            {
                "subject_id": root_id,
                "task": "veracity",
                "label": st.label,
                "model": "dataset label",
                "model_version": "weibo-ced",
                "source_row": None,
            }
        )
    ann += before_parent_flags(flagged, FORMAT)
    if ann:
        adf = pd.DataFrame(ann)
        adf["source_row"] = adf["source_row"].astype("Int64")
        rows.add("annotations", adf)
    rows.notes = _notes(path, st, orig_path, tz, orig_local)
    return rows, st


def _n(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _notes(
    path: Path, st: CedStats, orig_path: Path, tz: str, orig_local: pd.Timestamp | None
) -> list[str]:
    name = path.name
    direct = st.kept - st.with_parent
    n = [
        f"{name}: {_n(st.kept, 'repost and comment', 'reposts and comments')} of the original "
        f"post {st.root_mid} (the CED files do not tell reposts from comments; all are stored "
        f"as kind 'repost'): {st.with_parent:,} made from another repost or comment (their "
        f"'parent'), {direct:,} from the original post; the 'kids' lists are not used"
        + (
            f" ({_n(st.kids_disagree, 'kids entry', 'kids entries')} disagree with 'parent')"
            if st.kids_disagree
            else ""
        ),
        f"{name}: dates are {tz} local time, stored in UTC",
    ]
    if st.repeated_mids:
        n.append(
            f"{name}: {_n(st.repeated_mid_values, 'mid')} repeated ({_n(st.repeated_mids, 'extra record')}, "
            f"{st.repeated_differ:,} of them with different content): the first record of "
            "each mid is kept"
        )
    if st.year_less:
        msg = f"{name}: {_n(st.year_less, 'date')} written without a year (MM月DD日 HH:MM)"
        if orig_local is not None:
            year = orig_local.year
            same = st.year_less - st.year_less_undated - st.year_less_next_year
            parts = [f"{same:,} took the original post's year {year}"] if same else []
            if st.year_less_next_year:
                parts.append(
                    f"{st.year_less_next_year:,} the next year {year + 1} (the original "
                    "post's year would put them before it)"
                )
            msg += ": " + ", ".join(parts)
        if st.year_less_undated:
            msg += f": {st.year_less_undated:,} left undated (created_at NULL), no original post"
        n.append(msg)
    if not st.original_found:
        n.append(
            f"{name}: the original post was not found at {ORIGINAL_FOLDER}/{name}: the root "
            f"{st.root_mid} is created from the file name, with no time or text"
        )
    else:
        if st.original_time_string:
            n.append(
                f"{name}: the original post's time is a date string, not unix seconds "
                "(read with its own UTC offset)"
            )
        if st.original_user_missing:
            n.append(f"{name}: the original post's user is not given (no account row)")
        n.append(
            f"{name}: the original post's reposts, comments and likes are stored as "
            "post_metrics observed at import time (the crawl date is not in the data)"
        )
    if st.before_parent:
        n.append(
            f"{name}: {_n(st.before_parent, 'repost or comment', 'reposts or comments')} timed "
            f"before their parent (kept, flagged in annotations as "
            f"{FLAG_TASK}={FLAG_BEFORE_PARENT})"
        )
    if st.missing_parent:
        n.append(
            f"{name}: {_n(st.missing_parent, 'record')} name a parent mid that is not in the "
            "file (kept as written; they head detached fragments)"
        )
    if st.in_cycles:
        n.append(
            f"{name}: {_n(st.in_cycles, 'record')} lie on cycles of parents (kept as written; "
            "cascade reconstruction breaks them)"
        )
    if st.slug_uids:
        n.append(
            f"{name}: {_n(st.slug_uids, 'author')} named by a screen-name slug instead of a "
            "numeric user id (kept as written)"
        )
    if st.label is not None:
        n.append(f"{name}: label '{st.label}' from the folder {path.parent.name}")
    return n


@register(FORMAT, recognise=_recognise)
def read_weibo_ced(path: Path, ctx: SourceContext) -> Rows:
    """Weibo CED cascade (one <idx>_<mid>_<uid>.json of reposts and comments) -> posts.

    Parameters
    ----------
    path : Path
        One cascade file of ``rumor-repost/`` or ``non-rumor-repost/``; its original post is
        read from ``../original-microblog/`` when present.
    ctx : SourceContext
        ``timezone`` (default Asia/Shanghai), ``platform`` (default weibo).

    Returns
    -------
    Rows
        See :func:`read_cascade`.

    Raises
    ------
    FormatError
        See :func:`read_cascade`.
    """
    return read_cascade(path, ctx)[0]
