"""Facebook Page post insights in the legacy column layout -> ``posts`` and ``post_metrics``.

The layout is that of the Page "Export Data -> Post data" Insights download as used by the
UCI "Facebook metrics" data set (Moro, Rita & Vala 2016): one row per post with
``Page total likes; Type; Category; Post Month; Post Weekday; Post Hour; Paid`` and the
``Lifetime ...`` metrics, then ``comment; like; share; Total Interactions``. That table has
no post id and no posting date (only month, weekday and hour), so ids are made from the file
name and row, and ``created_at`` stays NULL: no date is invented.

Reference: S. Moro, P. Rita, B. Vala, "Predicting social media performance metrics and
evaluation of the impact on brand building: A data mining approach", Journal of Business
Research 69(9), 2016; UCI Machine Learning Repository, "Facebook metrics" (id 368).
Metric meanings as in Facebook's Page Insights glossary (Lifetime Post Total Reach,
Lifetime Post Consumers, ...).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ripplemeter.errors import FormatError
from ripplemeter.formats import Rows, SourceContext, register
from ripplemeter.formats._io import (
    Table,
    header_has,
    int_series,
    parse_numbers,
    read_table,
    read_text,
)

FORMAT = "facebook-insights-posts"

#: header (lowercased) -> post_metrics column
METRICS: dict[str, str] = {
    "lifetime post total reach": "reach",
    "lifetime post total impressions": "impressions",
    "lifetime engaged users": "engaged_users",
    "lifetime post consumers": "consumers",
    "lifetime post consumptions": "consumptions",
    "lifetime post impressions by people who have liked your page": "fan_impressions",
    "lifetime post reach by people who like your page": "fan_reach",
    "lifetime people who have liked your page and engaged with your post": "fan_engaged_users",
    "comment": "replies",
    "like": "likes",
    "share": "reposts",
    "total interactions": "engagements",
    "page total likes": "page_followers",
}

#: header (lowercased) -> (posts column, lowest, highest) for the posting-time fields
_LOCAL_TIME = {
    "post month": ("local_month", 1, 12),
    "post weekday": ("local_weekday", 1, 7),
    "post hour": ("local_hour", 0, 23),
}
_POST_FIELDS = {"type", "category", "paid", "post id", "permalink", "post message"}
_REQUIRED = ("Type", "Lifetime Post Total Reach", "Lifetime Post Total Impressions")


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def _is_insights_export(lines: list[str]) -> bool:
    delimiter = _delimiter(lines[0]) if lines else ","
    return header_has(lines, _REQUIRED, delimiter)


@register(FORMAT, recognise=_is_insights_export)
def read_facebook_insights_posts(path: Path, ctx: SourceContext) -> Rows:
    """Facebook Page post insights (legacy columns, as in the UCI table) -> posts, post_metrics.

    Parameters
    ----------
    path : Path
        Semicolon-separated (as the UCI file) or comma-separated CSV with the legacy
        Insights headers. ``Type``, ``Lifetime Post Total Reach`` and ``Lifetime Post Total
        Impressions`` are required; the other known columns are used when present.
    ctx : SourceContext
        ``platform`` (default ``'facebook'``) for ids; ``account`` (the Page) for
        ``account_id``; ``imported_at`` is the ``observed_at`` of the metrics.

    Returns
    -------
    Rows
        ``posts``: ``post_id`` ``facebook:<file stem>-row<N>`` (N the file row; the export
        carries no post id, so the id depends on the file name), ``created_at`` NULL,
        ``local_month`` / ``local_weekday`` / ``local_hour`` as exported (weekday numbered as
        the source numbers it, 1-7), ``content_type`` the ``Type`` lowercased, ``category``
        the source's category code, ``is_paid`` from ``Paid`` (NULL where empty).
        ``post_metrics``: one lifetime snapshot per post, ``observed_at`` the import time
        (``observed_at_source='import_time'``), counts mapped as ``comment`` -> replies,
        ``like`` -> likes, ``share`` -> reposts, ``Total Interactions`` -> engagements,
        ``Page total likes`` -> page_followers, the ``Lifetime ...`` columns to reach,
        impressions, engaged_users, consumers, consumptions, fan_impressions, fan_reach,
        fan_engaged_users. Empty cells are NULL, never 0.

    Raises
    ------
    FormatError
        A required column missing, a header without data rows, a count that is not a whole
        number, a month, weekday or hour out of range, a ``Paid`` value other than 0, 1 or
        empty (file, row and column named).
    """
    dec = read_text(path)
    table = read_table(
        path,
        dec.text,
        delimiter=_delimiter(dec.text),
        required=_REQUIRED,
        format_name=FORMAT,
    )
    notes: list[str] = [dec.note] if dec.note else []
    platform = ctx.platform or "facebook"
    lowered = [h.lower() for h in table.header]
    index = {h: i for i, h in reversed(list(enumerate(lowered)))}

    def col(name: str) -> list[str]:
        return [r[index[name]] for r in table.records]

    if "post id" in index:
        native = [v.strip() for v in col("post id")]
        for k, v in enumerate(native):
            if not v:
                raise FormatError(
                    path,
                    row=table.rows[k],
                    column=table.header[index["post id"]],
                    expected="a post id",
                    found=v,
                )
        post_ids = [f"{platform}:{v}" if not v.startswith(f"{platform}:") else v for v in native]
    else:
        post_ids = [f"{platform}:{path.stem}-row{r}" for r in table.rows]
        notes.append(
            f"{path.name}: the export has no post id; ids are made from the file name and row "
            f"({post_ids[0] if post_ids else platform + ':' + path.stem + '-row2'}, ...), so "
            "renaming the file gives new ids"
        )
    notes.append(
        f"{path.name}: no posting date in the export (only month, weekday and hour); "
        "created_at is NULL and metrics are observed at import time"
    )

    posts = pd.DataFrame({"post_id": post_ids})
    posts["platform"] = platform
    posts["channel"] = "sns"
    posts["account_id"] = (
        (ctx.account if ctx.account.startswith(f"{platform}:") else f"{platform}:{ctx.account}")
        if ctx.account
        else None
    )
    posts["created_at"] = None
    posts["kind"] = "original"
    posts["content_type"] = [v.strip().lower() or None for v in col("type")]
    posts["category"] = (
        [v.strip() or None for v in col("category")] if "category" in index else None
    )
    posts["url"] = [v.strip() or None for v in col("permalink")] if "permalink" in index else None
    posts["text"] = [v or None for v in col("post message")] if "post message" in index else None
    for header, (name, lo, hi) in _LOCAL_TIME.items():
        if header not in index:
            posts[name] = None
            continue
        hname = table.header[index[header]]
        arr = parse_numbers(table, col(header), hname, integer=True)
        bad = np.flatnonzero(~np.isnan(arr) & ((arr < lo) | (arr > hi)))
        if bad.size:
            k = int(bad[0])
            raise FormatError(
                path,
                row=table.rows[k],
                column=hname,
                expected=f"a whole number from {lo} to {hi}",
                found=table.records[k][index[header]],
            )
        posts[name] = int_series(arr)
    posts["is_paid"] = _paid(table, index) if "paid" in index else None
    posts["source_row"] = table.rows

    metrics = pd.DataFrame({"post_id": post_ids})
    observed = ctx.imported_at
    if observed is None:
        observed = pd.Timestamp.now(tz="UTC").tz_localize(None)
    metrics["observed_at"] = observed
    metrics["observed_at_source"] = "import_time"
    for header, name in METRICS.items():
        if header in index:
            hname = table.header[index[header]]
            metrics[name] = int_series(parse_numbers(table, col(header), hname, integer=True))
    metrics["source_row"] = table.rows

    known = set(METRICS) | set(_LOCAL_TIME) | _POST_FIELDS
    ignored = [h for h, lo in zip(table.header, lowered, strict=True) if lo not in known]
    if ignored:
        notes.append(f"{path.name}: columns not stored: " + ", ".join(f"'{h}'" for h in ignored))
    rows = Rows(notes=notes)
    rows.add("posts", posts)
    rows.add("post_metrics", metrics)
    return rows


def _paid(table: Table, index: dict[str, int]) -> pd.Series:
    i = index["paid"]
    out: list[bool | None] = []
    for k, rec in enumerate(table.records):
        v = rec[i].strip()
        if v == "":
            out.append(None)
        elif v in ("1", "1.0"):
            out.append(True)
        elif v in ("0", "0.0"):
            out.append(False)
        else:
            raise FormatError(
                table.path,
                row=table.rows[k],
                column=table.header[i],
                expected="0, 1 or empty",
                found=rec[i],
            )
    return pd.Series(pd.array(out, dtype="boolean"))
