"""X (Twitter) Analytics exports: tweet activity and daily account activity.

Both files come from analytics.twitter.com, "Tweets" > "Export data" ("By Tweet" or "By day").
X's help page "Tweet activity dashboard" defines the columns: *impressions* are the times a
user was served the Tweet (organic; promoted impressions are reported separately),
*engagements* are all clicks, retweets, replies, follows and likes on the Tweet, and so on.

Quirks handled here (see ``docs/formats-x-trends.md``):

- every field is double-quoted and tweet texts may span several lines (one spreadsheet row);
- counts are written as floats (``312.0``) and are stored as whole numbers;
- promoted columns hold ``-`` when the Tweet was not promoted: stored as NULL, never 0;
- ``time`` is written ``2021-08-31 19:53 +0000`` and stored as naive UTC;
- the export has no "observed at" column: the end of the date range in the file name
  (``tweet_activity_metrics_<handle>_YYYYMMDD_YYYYMMDD_<lang>.csv``) is used when present.
"""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ripplemeter.errors import FormatError
from ripplemeter.formats import Rows, SourceContext, register
from ripplemeter.formats._io import (
    Table,
    csv_error_location,
    header_has,
    int_series,
    parse_dates,
    parse_numbers,
    read_table,
    read_text,
    require_final_line_break,
    sniff_delimiter_problem,
)

PLATFORM = "x"

TWEETS_FORMAT = "x-analytics-tweets"
DAILY_FORMAT = "x-analytics-daily"

_TWEETS_FILE = re.compile(
    r"^tweet_activity_metrics_(?P<handle>.+?)_(?P<start>\d{8})_(?P<end>\d{8})(?:_(?P<lang>[A-Za-z-]+))?\.csv$",
    re.IGNORECASE,
)
_DAILY_FILE = re.compile(
    r"^daily_tweet_activity_metrics_(?P<handle>.+?)_(?P<start>\d{8})_(?P<end>\d{8})(?:_(?P<lang>[A-Za-z-]+))?\.csv$",
    re.IGNORECASE,
)
_PERMALINK = re.compile(
    r"^https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/(?P<handle>[A-Za-z0-9_]+)/status(?:es)?/(?P<id>\d+)",
    re.IGNORECASE,
)
_TWEET_ID = re.compile(r"^\d{1,20}$")

# --------------------------------------------------------------------------- the layouts
# The columns of the two exports as analytics.twitter.com writes them, in file order. The
# importers read these names; ``ripplemeter.demo`` writes its sample files with them.

#: The engagement parts, in file order (each also comes as ``promoted <part>``).
ENGAGEMENT_PARTS: tuple[str, ...] = (
    "retweets",
    "replies",
    "likes",
    "user profile clicks",
    "url clicks",
    "hashtag clicks",
    "detail expands",
    "permalink clicks",
    "app opens",
    "app installs",
    "follows",
    "email tweet",
    "dial phone",
)
#: Organic activity columns, in file order.
METRIC_COLUMNS: tuple[str, ...] = (
    "impressions",
    "engagements",
    "engagement rate",
    *ENGAGEMENT_PARTS,
)
#: Media columns, after the activity columns.
MEDIA_COLUMNS: tuple[str, ...] = ("media views", "media engagements")
#: The promoted copies of the activity and media columns (``-`` when nothing was promoted).
PROMOTED_COLUMNS: tuple[str, ...] = tuple(
    f"promoted {name}" for name in (*METRIC_COLUMNS, *MEDIA_COLUMNS)
)
#: Header of the tweet activity export ("By Tweet"): 40 columns.
TWEETS_HEADER: tuple[str, ...] = (
    "Tweet id",
    "Tweet permalink",
    "Tweet text",
    "time",
    *METRIC_COLUMNS,
    *MEDIA_COLUMNS,
    *PROMOTED_COLUMNS,
)
#: Header of the daily account activity export ("By day"): 38 columns.
DAILY_HEADER: tuple[str, ...] = (
    "Date",
    "Tweets published",
    *METRIC_COLUMNS,
    *MEDIA_COLUMNS,
    *PROMOTED_COLUMNS,
)

# X column -> canonical post_metrics column
TWEET_METRICS: dict[str, str] = {
    "impressions": "impressions",
    "engagements": "engagements",
    "retweets": "reposts",
    "replies": "replies",
    "likes": "likes",
    "user profile clicks": "profile_clicks",
    "url clicks": "link_clicks",
    "hashtag clicks": "hashtag_clicks",
    "detail expands": "detail_expands",
    "media views": "media_views",
    "media engagements": "media_engagements",
    "follows": "follows",
    "promoted impressions": "promoted_impressions",
    "promoted engagements": "promoted_engagements",
}

# X column -> canonical account_daily column
DAILY_METRICS: dict[str, str] = {
    "Tweets published": "posts_published",
    **TWEET_METRICS,
}

# Every numeric column of the exports (checked, and compared for duplicates), with whether
# it holds a ratio rather than a count.
_NUMERIC_COLUMNS: dict[str, bool] = {
    name: name.endswith("engagement rate")
    for base in (*METRIC_COLUMNS, *MEDIA_COLUMNS)
    for name in (base, f"promoted {base}")
}
_NUMERIC_COLUMNS["Tweets published"] = False

_TWEETS_REQUIRED = ("Tweet id", "time", "impressions")
_DAILY_REQUIRED = ("Date", "Tweets published", "impressions")


def _is_tweets_export(lines: list[str]) -> bool:
    return header_has(lines, TWEETS_HEADER[:2])


def _is_daily_export(lines: list[str]) -> bool:
    return header_has(lines, DAILY_HEADER[:2])


# --------------------------------------------------------------------------- shared helpers
def _first_line(text: str) -> tuple[int, str, list[str]]:
    """(row, raw line, cells) of the first non-blank line: the header of an X export."""
    for i, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if line.strip():
            cells = next(csv.reader([line]), [])
            return i, line, [c.strip().lstrip("\ufeff") for c in cells]
    return 1, "", []


def _looks_like(cells: list[str]) -> tuple[str, str] | None:
    """(format name, description) of the export a header looks like, if recognised."""
    lowered = {c.lower() for c in cells}
    if "tweet id" in lowered:
        return TWEETS_FORMAT, "an X tweet activity export"
    if "date" in lowered and "tweets published" in lowered:
        return DAILY_FORMAT, "an X daily activity export"
    if cells and re.match(r"^[^:,]{2,40}[\s\u00a0]*:", cells[0]) and len(cells) <= 2:
        return "google-trends", "a Google Trends export"
    return None


def _check_header(path: Path, text: str, required: tuple[str, ...], own: str) -> None:
    """Raise a FormatError saying what the file looks like when required columns are absent."""
    row, line, cells = _first_line(text)
    lowered = {c.lower() for c in cells}
    missing = [c for c in required if c.lower() not in lowered]
    if not missing:
        return
    problem = sniff_delimiter_problem(line, ",")
    if problem:
        raise FormatError(
            path,
            row=row,
            column=missing[0],
            message=f"the header is separated by {problem}, expected commas (X Analytics "
            "exports are comma-separated; was the file re-saved by a spreadsheet?)",
        )
    guess = _looks_like(cells)
    if guess is not None and guess[0] != own:
        raise FormatError(
            path,
            row=row,
            column=missing[0],
            message=f"missing required column '{missing[0]}': this looks like {guess[1]}; "
            f"use format {guess[0]}",
        )
    raise FormatError(
        path,
        row=row,
        column=missing[0],
        message=f"missing required column '{missing[0]}' for format {own}; the header has: "
        + ", ".join(f"'{h}'" for h in cells[:8])
        + (" ..." if len(cells) > 8 else ""),
    )


def _read(path: Path, text: str, required: tuple[str, ...], own: str) -> Table:
    """read_table with errors that always name the row and the column."""
    _check_header(path, text, required, own)
    _, _, header = _first_line(text)
    loc = csv_error_location(text)
    if loc is not None:
        row, field, at_end = loc
        column = header[field] if field < len(header) else None
        if at_end:
            msg = (
                "the file ends inside this quoted value: the last line looks truncated "
                "(download the export again)"
            )
        else:
            msg = "expected a comma after a closing quote (a quote inside a value must be doubled)"
        raise FormatError(path, row=row, column=column, message=msg)
    try:
        table = read_table(path, text, required=required, format_name=own)
    except FormatError as exc:
        m = re.match(r"expected (\d+) columns as in the header, found (\d+)", exc.detail or "")
        if m is None or exc.row is None or exc.column is not None:
            raise
        width, found = int(m.group(1)), int(m.group(2))
        column = header[found] if found < width else None
        raise FormatError(path, row=exc.row, column=column, message=exc.detail) from None
    require_final_line_break(path, text, table.rows[-1])
    return table


def _numbers(table: Table, columns: dict[str, bool]) -> dict[str, np.ndarray]:
    """Parse every known numeric column present (``-`` and empty -> NaN)."""
    out: dict[str, np.ndarray] = {}
    for name, is_ratio in columns.items():
        idx = table.col_index(name, required=False)
        if idx < 0:
            continue
        out[name] = parse_numbers(
            table, table.column(name), table.header[idx], integer=not is_ratio
        )
    return out


def _account_from_ctx(ctx: SourceContext, platform: str) -> str | None:
    if not ctx.account:
        return None
    acc = ctx.account.strip().lstrip("@")
    if acc.startswith(f"{platform}:"):
        acc = acc[len(platform) + 1 :]
    return acc or None


def _drop_duplicates(
    table: Table,
    keys: list[str],
    key_column: str,
    numbers: dict[str, np.ndarray],
    what: str,
) -> tuple[np.ndarray, int]:
    """Boolean mask keeping the first of identical duplicate keys; raise when numbers differ."""
    keep = np.ones(len(keys), dtype=bool)
    first: dict[str, int] = {}
    mat = np.column_stack(list(numbers.values())) if numbers else np.zeros((len(keys), 0))
    dropped = 0
    for i, k in enumerate(keys):
        j = first.get(k)
        if j is None:
            first[k] = i
            continue
        a, b = mat[i], mat[j]
        same = bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))
        if not same:
            diff = [
                name
                for name, x, y in zip(numbers, a, b, strict=True)
                if not (x == y or (np.isnan(x) and np.isnan(y)))
            ]
            raise FormatError(
                table.path,
                row=table.rows[i],
                column=key_column,
                message=f"duplicate {what} '{k}' with different numbers (first at row "
                f"{table.rows[j]}; differs in {', '.join(repr(d) for d in diff[:3])})",
            )
        keep[i] = False
        dropped += 1
    return keep, dropped


def _export_end(path: Path, pattern: re.Pattern[str]) -> tuple[str | None, pd.Timestamp | None]:
    """(handle, end of range at 00:00 UTC) from an X export's file name, when it carries them."""
    m = pattern.match(path.name)
    if m is None:
        return None, None
    try:
        end = pd.Timestamp(pd.to_datetime(m.group("end"), format="%Y%m%d"))
    except ValueError:
        end = None
    return m.group("handle"), end


# --------------------------------------------------------------------------- tweets
@register(TWEETS_FORMAT, recognise=_is_tweets_export)
def read_x_tweets(path: Path, ctx: SourceContext) -> Rows:
    """X Analytics tweet activity export (By Tweet, 40 columns) -> posts, post_metrics, accounts.

    Parameters
    ----------
    path : Path
        The CSV as downloaded from analytics.twitter.com ("Tweets" > "Export data" >
        "By Tweet"), usually named ``tweet_activity_metrics_<handle>_<start>_<end>_<lang>.csv``.
    ctx : SourceContext
        ``platform`` (default ``x``) prefixes the ids; ``account`` overrides the handle read
        from each Tweet's permalink; ``imported_at`` is the observation time when the file
        name carries no date range.

    Returns
    -------
    Rows
        ``posts``: one row per Tweet; ``post_id`` is ``x:<Tweet id>``, ``channel``
        ``microblog``, ``created_at`` naive UTC, ``kind`` ``reply`` when the text starts with
        ``@`` else ``original`` (a heuristic: the export has no reply flag and holds no
        retweets of others), ``is_paid`` True when promoted impressions are present and > 0.
        ``post_metrics``: one snapshot per Tweet (counts; ``-`` -> NULL). ``observed_at`` is
        the end date of the range in the file name at 00:00 UTC (``observed_at_source``
        ``export_range``), else the import time (``import_time``).
        ``accounts``: one ``owned`` row per handle.
        Every row keeps ``source_row``, the spreadsheet row of the Tweet.

    Raises
    ------
    FormatError
        Missing ``Tweet id``/``time``/``impressions`` (saying which export the file looks
        like, e.g. a daily export), another delimiter, a header without data rows, a
        truncated last line (X exports end with a line break: one that does not was cut
        short), text in a numeric column, an unreadable time, or the same Tweet id twice
        with different numbers. The message names the file, row and column.

    Notes
    -----
    Columns kept: impressions, engagements, retweets (-> reposts), replies, likes, user
    profile clicks (-> profile_clicks), url clicks (-> link_clicks), hashtag clicks, detail
    expands, media views, media engagements, follows, promoted impressions, promoted
    engagements. The engagement rate is not stored (it is engagements / impressions);
    permalink clicks, app opens/installs, email tweet and dial phone are checked but not
    stored. Definitions: X Help Center, "Tweet activity dashboard".
    """
    path = Path(path)
    platform = ctx.platform or PLATFORM
    dec = read_text(path)
    notes: list[str] = []
    if dec.note:
        notes.append(dec.note)
    table = _read(path, dec.text, _TWEETS_REQUIRED, TWEETS_FORMAT)
    n = len(table.records)

    ids = [s.strip() for s in table.column("Tweet id")]
    id_col = table.header[table.col_index("Tweet id")]
    for i, tid in enumerate(ids):
        if not _TWEET_ID.match(tid):
            hint = (
                "a Tweet id (digits); ids written like 1.43E+18 were rounded by a spreadsheet "
                "and cannot be recovered"
                if re.search(r"\d[.,]\d*E\+", tid, re.IGNORECASE)
                else "a Tweet id (digits)"
            )
            raise FormatError(path, row=table.rows[i], column=id_col, expected=hint, found=tid)

    # time: '2021-08-31 19:53 +0000' -> naive UTC
    time_col = table.header[table.col_index("time")]
    created: list[pd.Timestamp] = []
    for i, raw in enumerate(table.column("time")):
        s = raw.strip()
        ts = None
        for fmt in ("%Y-%m-%d %H:%M %z", "%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M"):
            try:
                ts = pd.to_datetime(s, format=fmt, utc=True)
                break
            except ValueError:
                continue
        if ts is None:
            raise FormatError(
                path,
                row=table.rows[i],
                column=time_col,
                expected="a time like '2021-08-31 19:53 +0000'",
                found=raw,
            )
        created.append(ts.tz_convert("UTC").tz_localize(None))

    numbers = _numbers(table, _NUMERIC_COLUMNS)
    missing_metrics = [c for c in TWEET_METRICS if c not in numbers]
    if missing_metrics:
        notes.append(
            f"{path.name}: columns absent from the export, stored as NULL: "
            + ", ".join(missing_metrics)
        )

    keep, dropped = _drop_duplicates(table, ids, id_col, numbers, "post id")
    if dropped:
        notes.append(
            f"{path.name}: {dropped} repeated Tweet row(s) with identical numbers kept once"
        )

    # accounts: ctx.account, else the permalink's handle, else the file name's handle
    permalinks = [(s or "").strip() for s in table.column("Tweet permalink", required=False)]
    file_handle, end = _export_end(path, _TWEETS_FILE)
    forced = _account_from_ctx(ctx, platform)
    handles: list[str] = []
    unknown = 0
    for link in permalinks:
        m = _PERMALINK.match(link)
        h = forced or (m.group("handle") if m else None) or file_handle
        if h is None:
            unknown += 1
            h = "unknown"
        handles.append(h)
    if unknown:
        notes.append(
            f"{path.name}: {unknown} Tweet(s) without a permalink handle or account setting "
            f"stored under account {platform}:unknown"
        )

    texts = table.column("Tweet text", required=False)
    kinds = ["reply" if (t or "").lstrip().startswith("@") else "original" for t in texts]
    promoted = numbers.get("promoted impressions", np.full(n, np.nan))
    is_paid = [bool(v > 0) if not np.isnan(v) else False for v in promoted]

    if end is not None:
        observed = end
        observed_source = "export_range"
        notes.append(
            f"{path.name}: figures observed at the end of the export's range, "
            f"{end.date().isoformat()} 00:00 UTC (from the file name)"
        )
    else:
        observed = ctx.imported_at
        if observed is None:
            observed = pd.Timestamp.now(tz="UTC").tz_localize(None)
        observed_source = "import_time"
        notes.append(
            f"{path.name}: the file name carries no date range; figures observed at import time"
        )
    notes.append(
        f"{path.name}: kind 'reply' when the Tweet text starts with '@' (heuristic; the export "
        "has no reply flag and no retweets of others)"
    )

    rows = [r for r, k in zip(table.rows, keep, strict=True) if k]
    sel = np.flatnonzero(keep)
    post_ids = [f"{platform}:{ids[i]}" for i in sel]
    posts = pd.DataFrame(
        {
            "post_id": post_ids,
            "platform": platform,
            "channel": "microblog",
            "account_id": [f"{platform}:{handles[i]}" for i in sel],
            "created_at": pd.Series([created[i] for i in sel], dtype="datetime64[ns]"),
            # X writes tweet texts HTML-escaped (&amp; &lt; &gt;): store the text as posted
            "text": [html.unescape(texts[i]) if texts[i] else texts[i] for i in sel],
            "url": [permalinks[i] or None for i in sel],
            "kind": [kinds[i] for i in sel],
            "is_paid": [is_paid[i] for i in sel],
            "source_row": rows,
        }
    )
    metrics = pd.DataFrame(
        {
            "post_id": post_ids,
            "observed_at": pd.Series([observed] * len(sel), dtype="datetime64[ns]"),
            "observed_at_source": observed_source,
        }
    )
    for src, dst in TWEET_METRICS.items():
        arr = numbers.get(src, np.full(n, np.nan))[sel]
        metrics[dst] = int_series(arr)
    metrics["source_row"] = rows

    seen: list[str] = []
    for i in sel:
        if handles[i] not in seen and handles[i] != "unknown":
            seen.append(handles[i])
    accounts = pd.DataFrame(
        {
            "account_id": [f"{platform}:{h}" for h in seen],
            "platform": platform,
            "handle": seen,
            "role": "owned",
        }
    )
    out = Rows(notes=notes, source_timezone="UTC")
    out.add("posts", posts)
    out.add("post_metrics", metrics)
    if len(accounts):
        out.add("accounts", accounts)
    return out


# --------------------------------------------------------------------------- daily
@register(DAILY_FORMAT, recognise=_is_daily_export)
def read_x_daily(path: Path, ctx: SourceContext) -> Rows:
    """X Analytics daily activity export (By day, 38 columns) -> account_daily, accounts.

    Parameters
    ----------
    path : Path
        The CSV as downloaded from analytics.twitter.com ("Tweets" > "Export data" >
        "By day"), usually named ``daily_tweet_activity_metrics_<handle>_<start>_<end>_<lang>.csv``.
    ctx : SourceContext
        ``platform`` (default ``x``); ``account`` names the account when the file name does
        not (it wins over the file name).

    Returns
    -------
    Rows
        ``account_daily``: one row per ``Date`` (the export's UTC day label, kept as given)
        with posts_published (Tweets published), impressions, engagements, reposts
        (retweets), replies, likes, profile_clicks, link_clicks (url clicks),
        hashtag_clicks, detail_expands, follows, media_views, media_engagements and the
        promoted impressions/engagements (``-`` -> NULL). ``accounts``: one ``owned`` row
        when the handle is known. The account is ``ctx.account``, else the handle in the
        file name, else ``x:unknown`` (with a note).

    Raises
    ------
    FormatError
        Missing ``Date``/``Tweets published``/``impressions`` (a tweet-level file is named
        as such), another delimiter, a header without data rows, a truncated line (or no
        line break at the end: the download was cut short), a bad date or number, or the
        same date twice with different numbers. The message names the file, row and column.

    Notes
    -----
    Definitions of the columns: X Help Center, "Tweet activity dashboard". Days are UTC
    days as X labels them.
    """
    path = Path(path)
    platform = ctx.platform or PLATFORM
    dec = read_text(path)
    notes: list[str] = []
    if dec.note:
        notes.append(dec.note)
    table = _read(path, dec.text, _DAILY_REQUIRED, DAILY_FORMAT)
    n = len(table.records)
    date_col = table.header[table.col_index("Date")]
    raw_dates = table.column("Date")
    dates = parse_dates(table, raw_dates, date_col, ["%Y-%m-%d"])
    numbers = _numbers(table, _NUMERIC_COLUMNS)
    keep, dropped = _drop_duplicates(
        table, [d.isoformat() for d in dates], date_col, numbers, "date"
    )
    if dropped:
        notes.append(f"{path.name}: {dropped} repeated day row(s) with identical numbers kept once")

    file_handle, _ = _export_end(path, _DAILY_FILE)
    handle = _account_from_ctx(ctx, platform) or file_handle
    if handle is None:
        notes.append(
            f"{path.name}: the account is not in the file name and no account was given; "
            f"stored as {platform}:unknown"
        )
    account_id = f"{platform}:{handle or 'unknown'}"

    sel = np.flatnonzero(keep)
    df = pd.DataFrame(
        {
            "account_id": account_id,
            "platform": platform,
            "date": [dates[i] for i in sel],
        }
    )
    for src, dst in DAILY_METRICS.items():
        df[dst] = int_series(numbers.get(src, np.full(n, np.nan))[sel])
    df["source_row"] = [table.rows[i] for i in sel]
    out = Rows(notes=notes, source_timezone="UTC")
    out.add("account_daily", df)
    if handle is not None:
        out.add(
            "accounts",
            pd.DataFrame(
                {
                    "account_id": [account_id],
                    "platform": platform,
                    "handle": handle,
                    "role": "owned",
                }
            ),
        )
    return out
