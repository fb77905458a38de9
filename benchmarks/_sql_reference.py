"""The pre-Ibis exposure path (f-string DuckDB SQL), frozen as a benchmark reference.

This is what ``ripplemeter.evaluate.quantitative`` ran before the evaluation moved to the
portable Ibis layer (:mod:`ripplemeter.evaluate.context`, :mod:`ripplemeter.evaluate.exposure`);
the module was deleted after commit 8357d0c. It is kept here only so that
``benchmarks/bench_evaluate.py`` can measure what the Ibis layer costs against the hand-written
SQL it replaced, on the same data and the same DuckDB. It is not part of the library, is not
maintained beside it and must not be imported by it.

Copied from ``git show 8357d0c:src/ripplemeter/evaluate/quantitative.py`` and trimmed to what
the benchmark needs: :func:`latest_posts_sql`, :func:`undated_posts`, :func:`_agg_sql`,
:func:`exposure`, :func:`posts_per_day`, :func:`_clean` and :class:`Exposure`. The SQL of each
figure (``Metric.sql`` in ``ripplemeter.evaluate.metrics`` at that commit) and the ``Ratio`` /
``ratio`` helpers are inlined, so that a later change of the library cannot change this
reference; ``import_ids`` scoping is kept (the benchmark passes None: every row).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

# (id, aggregate SQL over the latest-snapshot posts), as Metric.sql defined them at 8357d0c
POSTS_SQL = "count(*)"
ORIGINAL_POSTS_SQL = "count(*) FILTER (WHERE kind = 'original' OR kind IS NULL)"
EXPOSURE_SUMS = tuple(
    (c, f"sum({c})")
    for c in ("impressions", "reach", "engagements", "reposts", "replies", "likes", "link_clicks")
)


@dataclass(frozen=True)
class Ratio:
    """A ratio that is null, with a reason, when it cannot be computed."""

    value: float | None
    reason: str | None = None


def ratio(num: float | None, den: float | None, *, what: str = "denominator") -> Ratio:
    """num / den, or a null with a reason: never inf, never a silent 0."""
    if num is None or den is None or _isnan(num) or _isnan(den):
        return Ratio(None, f"{what} is missing" if den is None or _isnan(den) else "no data")
    if den == 0:
        return Ratio(None, f"{what} is 0")
    return Ratio(float(num) / float(den))


def _isnan(x: object) -> bool:
    try:
        return math.isnan(float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _ids(import_ids: Sequence[int]) -> str:
    ids = [int(i) for i in import_ids]
    return ",".join(str(i) for i in ids) if ids else "NULL"


def _where(conds: list[str]) -> str:
    return f"WHERE {' AND '.join(conds)}" if conds else ""


def latest_posts_sql(
    import_ids: Sequence[int] | None = None,
    *,
    posts: str = "posts",
    post_metrics: str = "post_metrics",
    created_from: pd.Timestamp | None = None,
    created_before: pd.Timestamp | None = None,
) -> str:
    """SQL of one row per post joined to its latest metrics snapshot.

    The latest snapshot is the one with the greatest ``observed_at`` (ties: the later import).
    The post's own fields come from the same import as that snapshot when it has a ``posts``
    row, else from the latest import. With a creation window, only posts having some ``posts``
    row in the window are ranked (a semi-join DuckDB turns into a filter on the metrics scan),
    then the window is applied again to the latest row.
    """
    conds: list[str] = []
    if import_ids is not None:
        conds.append(f"import_id IN ({_ids(import_ids)})")
    keep: list[str] = []
    if created_from is not None:
        keep.append(f"created_at >= TIMESTAMP '{created_from}'")
    if created_before is not None:
        keep.append(f"created_at < TIMESTAMP '{created_before}'")
    if keep:
        conds.append(f"post_id IN (SELECT post_id FROM {posts} {_where(conds + keep)})")
    return f"""
        WITH m AS (
            SELECT * EXCLUDE (source_row) RENAME (import_id AS _m_import)
            FROM {post_metrics} {_where(conds)}
            QUALIFY row_number() OVER (PARTITION BY post_id
                                       ORDER BY observed_at DESC NULLS LAST, import_id DESC) = 1
        ), p AS (
            SELECT pp.* EXCLUDE (import_id, source_row)
            FROM (SELECT * FROM {posts} {_where(conds)}) pp
            LEFT JOIN m ON pp.post_id = m.post_id
            QUALIFY row_number() OVER (PARTITION BY pp.post_id
                                       ORDER BY (pp.import_id = m._m_import) DESC NULLS LAST,
                                                pp.import_id DESC) = 1
        )
        SELECT * FROM (SELECT p.*, m.* EXCLUDE (post_id, _m_import)
                       FROM p LEFT JOIN m USING (post_id))
        {_where(keep)}
    """


def undated_posts(
    con: duckdb.DuckDBPyConnection,
    import_ids: Sequence[int] | None = None,
    *,
    posts: str = "posts",
) -> int:
    """Posts whose latest ``posts`` row has no creation time (read from ``posts`` alone)."""
    conds: list[str] = []
    if import_ids is not None:
        conds.append(f"import_id IN ({_ids(import_ids)})")
    cand = f"SELECT post_id FROM {posts} {_where([*conds, 'created_at IS NULL'])}"
    sql = f"""
        SELECT count(*) FROM (
            SELECT created_at FROM {posts} {_where([*conds, f"post_id IN ({cand})"])}
            QUALIFY row_number() OVER (PARTITION BY post_id ORDER BY import_id DESC) = 1
        ) WHERE created_at IS NULL
    """
    return int(con.execute(sql).fetchall()[0][0])


@dataclass
class Exposure:
    """Exposure of posts created in a window (latest snapshots); ``to_dict`` as in metrics.json."""

    values: dict[str, float | int | None]
    engagement_rate_impressions: Ratio
    engagement_rate_reach: Ratio
    by_platform: dict[str, dict] = field(default_factory=dict)
    undated_posts: int = 0
    reasons: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        d: dict = dict(self.values)
        d["engagement_rate_impressions"] = self.engagement_rate_impressions.value
        d["engagement_rate_reach"] = self.engagement_rate_reach.value
        reasons = dict(self.reasons)
        if self.engagement_rate_impressions.reason:
            reasons["engagement_rate_impressions"] = self.engagement_rate_impressions.reason
        if self.engagement_rate_reach.reason:
            reasons["engagement_rate_reach"] = self.engagement_rate_reach.reason
        d["by_platform"] = self.by_platform
        d["undated_posts"] = self.undated_posts
        if reasons:
            d["reasons"] = reasons
        return d


def _agg_sql(latest: str, lo: pd.Timestamp, hi: pd.Timestamp, group: str | None) -> str:
    exprs = [f"{POSTS_SQL} AS posts", f"{ORIGINAL_POSTS_SQL} AS original_posts"]
    exprs += [f"{sql} AS {mid}" for mid, sql in EXPOSURE_SUMS]
    exprs += [
        "sum(engagements) FILTER (WHERE impressions IS NOT NULL) AS _eng_i",
        "sum(impressions) FILTER (WHERE engagements IS NOT NULL) AS _imp_e",
        "sum(engagements) FILTER (WHERE reach IS NOT NULL) AS _eng_r",
        "sum(reach) FILTER (WHERE engagements IS NOT NULL) AS _reach_e",
    ]
    sel = (f"{group}, " if group else "") + ", ".join(exprs)
    return (
        f"SELECT {sel} FROM ({latest}) WHERE created_at >= TIMESTAMP '{lo}' "
        f"AND created_at < TIMESTAMP '{hi}'"
        + (f" GROUP BY {group} ORDER BY {group}" if group else "")
    )


def _clean(v: object) -> float | int | None:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return None if np.isnan(v) else float(v)
    return v  # type: ignore[return-value]


def exposure(
    con: duckdb.DuckDBPyConnection,
    latest: str,
    lo: pd.Timestamp,
    hi: pd.Timestamp,
    *,
    undated: int | None = None,
) -> Exposure:
    """Exposure of posts created in [lo, hi) (naive UTC bounds) of the SQL ``latest``."""
    row = con.execute(_agg_sql(latest, lo, hi, None)).df().iloc[0]
    values = {"posts": int(row["posts"]), "original_posts": int(row["original_posts"])}
    reasons: dict[str, str] = {}
    for mid, _ in EXPOSURE_SUMS:
        values[mid] = _clean(row[mid])
        if values[mid] is None:
            reasons[mid] = "no post in the window has this figure"
    if values["posts"] == 0:
        reasons["posts"] = (
            "no imported post was created in this window; check that the exports cover it"
        )
    er_i = ratio(_clean(row["_eng_i"]), _clean(row["_imp_e"]), what="impressions")
    er_r = ratio(_clean(row["_eng_r"]), _clean(row["_reach_e"]), what="reach")
    if values["posts"] == 0:
        er_i = Ratio(None, "no posts in the window")
        er_r = Ratio(None, "no posts in the window")
    by_platform: dict[str, dict] = {}
    for _, r in con.execute(_agg_sql(latest, lo, hi, "platform")).df().iterrows():
        d = {"posts": int(r["posts"])}
        for mid, _ in EXPOSURE_SUMS:
            d[mid] = _clean(r[mid])
        d["engagement_rate_impressions"] = ratio(_clean(r["_eng_i"]), _clean(r["_imp_e"])).value
        by_platform[str(r["platform"])] = d
    if undated is None:
        sql = f"SELECT count(*) FROM ({latest}) WHERE created_at IS NULL"
        undated = int(con.execute(sql).fetchall()[0][0])
    return Exposure(values, er_i, er_r, by_platform, undated, reasons)


def posts_per_day(
    con: duckdb.DuckDBPyConnection, latest: str, start: dt.date, end: dt.date, tz: str
) -> pd.DataFrame:
    """Posts and their impressions/engagements per local day, zero-filled over [start, end]."""
    df = con.execute(
        f"""SELECT timezone(?, created_at::TIMESTAMPTZ)::DATE AS date, count(*) AS posts,
                   sum(impressions) AS impressions, sum(engagements) AS engagements
            FROM ({latest}) WHERE created_at IS NOT NULL GROUP BY 1""",
        [tz],
    ).df()
    days = pd.DataFrame({"date": pd.date_range(start, end, freq="D").date})
    df["date"] = pd.to_datetime(df["date"]).dt.date
    out = days.merge(df, on="date", how="left")
    out["posts"] = out["posts"].fillna(0).astype(int)
    return out
