"""Quantitative campaign evaluation over the canonical tables.

Each function reads canonical tables through a DuckDB connection, restricted to the rows of
the given imports, and returns a typed result with ``to_dict()`` for metrics.json. The
definitions (formulas, units, sources, edge-case decisions) live in
:mod:`ripplemeter.evaluate.metrics`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from ripplemeter.campaign import Campaign
from ripplemeter.errors import EvaluationError
from ripplemeter.evaluate import metrics as M
from ripplemeter.evaluate.lift import LiftEstimate, weekday_adjusted_lift, welch_lift

EXPOSURE_SUMS = (
    M.IMPRESSIONS,
    M.REACH,
    M.ENGAGEMENTS,
    M.REPOSTS,
    M.REPLIES,
    M.LIKES,
    M.LINK_CLICKS,
)


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

    Parameters
    ----------
    import_ids : sequence of int, optional
        Restrict to rows of these imports (None: all rows).
    posts, post_metrics : str
        Relations to read (table names or ``read_parquet(...)`` expressions).
    created_from, created_before : pandas.Timestamp, optional
        Keep only posts created in [created_from, created_before) (naive UTC).

    Notes
    -----
    The latest snapshot is the one with the greatest ``observed_at`` (ties: the later import).
    The post's own fields (text, kind, is_paid, ...) come from the same import as that
    snapshot when it has a ``posts`` row, else from the latest import. With a creation window, only posts
    having some ``posts`` row in the window are ranked (DuckDB turns the semi-join into a
    Bloom filter on the metrics scan), then the window is applied again to the latest row, so
    the result equals filtering the unrestricted view while ranking a fraction of the rows.
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
    """Exposure of posts created in a window (latest snapshots).

    Attributes
    ----------
    values : dict[str, float | int | None]
        posts, original_posts and the sums of EXPOSURE_SUMS (None when no post has the figure).
    engagement_rate_impressions, engagement_rate_reach : metrics.Ratio
    by_platform : dict[str, dict]
        The same sums per platform.
    undated_posts : int
        Posts left out because their creation time is unknown.
    reasons : dict[str, str]
    """

    values: dict[str, float | int | None]
    engagement_rate_impressions: M.Ratio
    engagement_rate_reach: M.Ratio
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
    exprs = [f"{M.POSTS.sql} AS posts", f"{M.ORIGINAL_POSTS.sql} AS original_posts"]
    exprs += [f"{m.sql} AS {m.id}" for m in EXPOSURE_SUMS]
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
    """Exposure of posts created in [lo, hi) (naive UTC bounds).

    Parameters
    ----------
    con : duckdb connection
    latest : str
        SQL of the latest-snapshot posts (see :func:`latest_posts_sql`).
    lo, hi : pandas.Timestamp
        Window bounds in UTC, end exclusive.
    """
    row = con.execute(_agg_sql(latest, lo, hi, None)).df().iloc[0]
    values = {"posts": int(row["posts"]), "original_posts": int(row["original_posts"])}
    reasons: dict[str, str] = {}
    for m in EXPOSURE_SUMS:
        values[m.id] = _clean(row[m.id])
        if values[m.id] is None:
            reasons[m.id] = "no post in the window has this figure"
    if values["posts"] == 0:
        reasons["posts"] = (
            "no imported post was created in this window; check that the exports cover it"
        )
    er_i = M.ratio(_clean(row["_eng_i"]), _clean(row["_imp_e"]), what="impressions")
    er_r = M.ratio(_clean(row["_eng_r"]), _clean(row["_reach_e"]), what="reach")
    if values["posts"] == 0:
        er_i = M.Ratio(None, "no posts in the window")
        er_r = M.Ratio(None, "no posts in the window")
    by_platform: dict[str, dict] = {}
    for _, r in con.execute(_agg_sql(latest, lo, hi, "platform")).df().iterrows():
        d = {"posts": int(r["posts"])}
        for m in EXPOSURE_SUMS:
            d[m.id] = _clean(r[m.id])
        d["engagement_rate_impressions"] = M.ratio(_clean(r["_eng_i"]), _clean(r["_imp_e"])).value
        by_platform[str(r["platform"])] = d
    if undated is None:
        undated = int(
            con.execute(f"SELECT count(*) FROM ({latest}) WHERE created_at IS NULL").fetchall()[0][
                0
            ]
        )
    return Exposure(values, er_i, er_r, by_platform, undated, reasons)


def posts_per_day(
    con: duckdb.DuckDBPyConnection, latest: str, start: dt.date, end: dt.date, tz: str
) -> pd.DataFrame:
    """Posts and their impressions/engagements per local day, zero-filled over [start, end].

    Returns
    -------
    DataFrame with columns date, posts, impressions, engagements (impressions/engagements of
    the posts created that day; NULL-only days give 0 posts and NaN sums).
    """
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


def top_posts(
    con: duckdb.DuckDBPyConnection, latest: str, lo: pd.Timestamp, hi: pd.Timestamp, n: int = 10
) -> pd.DataFrame:
    """The n posts with most impressions created in the window (text is untrusted)."""
    return con.execute(
        f"""SELECT post_id, platform, account_id, created_at, kind, text, url, impressions,
                   engagements, reposts, replies, likes, link_clicks,
                   CASE WHEN impressions > 0 THEN engagements / impressions END AS engagement_rate
            FROM ({latest}) WHERE created_at >= ? AND created_at < ?
            ORDER BY impressions DESC NULLS LAST, post_id LIMIT {int(n)}""",
        [lo.to_pydatetime(), hi.to_pydatetime()],
    ).df()


# ---------------------------------------------------------------- daily account exposure
DAILY_METRICS = {"impressions": M.DAILY_IMPRESSIONS, "engagements": M.DAILY_ENGAGEMENTS}


def account_daily(con: duckdb.DuckDBPyConnection, import_ids: Sequence[int]) -> pd.DataFrame:
    """Account-level daily series summed over accounts, one row per date label.

    A day reported by two imports for the same account keeps the later import.
    """
    return con.execute(
        f"""WITH d AS (
                SELECT * FROM account_daily WHERE import_id IN ({_ids(import_ids)})
                QUALIFY row_number() OVER (PARTITION BY account_id, date
                                           ORDER BY import_id DESC) = 1)
            SELECT date, sum(impressions) AS impressions, sum(engagements) AS engagements,
                   sum(posts_published) AS posts_published, sum(link_clicks) AS link_clicks,
                   sum(promoted_impressions) AS promoted_impressions
            FROM d GROUP BY date ORDER BY date"""
    ).df()


def daily_lift(daily: pd.DataFrame, column: str, campaign: Campaign) -> LiftEstimate:
    """Baseline vs campaign daily mean of a platform-reported daily series (days present)."""
    d = pd.to_datetime(daily["date"]).dt.date if len(daily) else pd.Series([], dtype=object)
    vals = daily[column].astype(float).to_numpy() if len(daily) else np.array([])
    inb = np.array([(campaign.baseline_start <= x <= campaign.baseline_end) for x in d], bool)
    inc = np.array([(campaign.start <= x <= campaign.end) for x in d], bool)
    b = vals[inb] if len(vals) else vals
    c = vals[inc] if len(vals) else vals
    return welch_lift(
        b[~np.isnan(b)],
        c[~np.isnan(c)],
        baseline_window_days=campaign.baseline_days,
        campaign_window_days=campaign.days,
    )


# ---------------------------------------------------------------- AVE
@dataclass
class Ave:
    """Advertising value equivalent from the rate cards.

    Attributes
    ----------
    total : float or None
    currency : str
    by_platform : dict[str, dict]
        Per platform: total and each unit's value with the quantity it priced.
    caveat : str
    reasons : dict[str, str]
    """

    total: float | None
    currency: str
    by_platform: dict[str, dict]
    caveat: str
    reasons: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = {
            "total": self.total,
            "currency": self.currency,
            "by_platform": self.by_platform,
            "caveat": self.caveat,
        }
        if self.reasons:
            d["reasons"] = self.reasons
        return d


AMEC_CAVEAT = (
    "AVE prices earned and owned exposure as if it had been bought at rate-card prices. The "
    "AMEC Barcelona Principles 3.0 state that AVEs are not the value of communication: use it "
    "only as a cost-of-exposure reference beside outcomes."
)


def ave(
    con: duckdb.DuckDBPyConnection,
    latest: str,
    lo: pd.Timestamp,
    hi: pd.Timestamp,
    campaign: Campaign,
) -> Ave:
    """AVE = CPM x impressions / 1000 + CPC x link clicks + per-post price x original posts.

    Counts non-paid posts created in the window (``is_paid`` false or unknown) with their
    latest snapshot. Rate cards in another currency are converted with ``[[fx]]`` rates.

    Raises
    ------
    EvaluationError
        A rate card's currency differs from the campaign's and no ``[[fx]]`` rate is given.
    """
    if not campaign.rate_cards:
        return Ave(
            None,
            campaign.currency,
            {},
            AMEC_CAVEAT,
            {"total": "no [[rate_cards]] in campaign.toml"},
        )
    q = con.execute(
        f"""SELECT platform, sum(impressions) AS impressions, sum(link_clicks) AS link_clicks,
                   count(*) FILTER (WHERE kind = 'original' OR kind IS NULL) AS original_posts,
                   count(*) AS posts
            FROM ({latest}) WHERE created_at >= ? AND created_at < ?
              AND coalesce(is_paid, FALSE) = FALSE GROUP BY platform""",
        [lo.to_pydatetime(), hi.to_pydatetime()],
    ).df()
    qty = {str(r.platform): r for r in q.itertuples()}
    by_platform: dict[str, dict] = {}
    total = 0.0
    warnings: list[str] = []
    for card in campaign.rate_cards:
        rate = campaign.to_rate(card.currency)
        if rate is None:
            raise EvaluationError(
                f"{campaign.path.name if campaign.path else 'campaign.toml'}: rate card for "
                f"{card.platform} ({card.unit}) is in {card.currency} but the campaign reports in "
                f'{campaign.currency}; add [[fx]] currency = "{card.currency}" rate = ... '
                "(no rate is guessed)"
            )
        r = qty.get(card.platform)
        qname = {"cpm": "impressions", "cpc": "link_clicks", "per_post": "original_posts"}[
            card.unit
        ]
        if r is None:
            warnings.append(
                f"rate card {card.platform} ({card.unit}): no non-paid post of platform "
                f"{card.platform!r} was created in the window; nothing priced"
            )
            continue
        raw = getattr(r, qname)
        if pd.isna(raw):
            warnings.append(
                f"rate card {card.platform} ({card.unit}): the posts have no {qname} figure; "
                "nothing priced (a missing figure is not 0)"
            )
            continue
        quantity = float(raw)
        value = card.price * quantity / (1000.0 if card.unit == "cpm" else 1.0) * rate
        entry = by_platform.setdefault(card.platform, {"total": 0.0})
        entry[card.unit] = {
            "value": value,
            "quantity": quantity,
            "quantity_of": qname,
            "price": card.price,
            "price_currency": card.currency,
            "fx_rate": rate,
        }
        entry["total"] += value
        total += value
    if not by_platform:
        return Ave(
            None,
            campaign.currency,
            {},
            AMEC_CAVEAT,
            {"total": "no rate card matched a priced figure; see warnings"},
            warnings,
        )
    return Ave(total, campaign.currency, by_platform, AMEC_CAVEAT, {}, warnings)


# ---------------------------------------------------------------- CPC
@dataclass
class Cpc:
    """Cost per link click against the benchmark.

    Attributes
    ----------
    value : float or None
        spend / link clicks over the counted rows, in the campaign currency.
    benchmark : float or None
    index : float or None
        value / benchmark.
    spend, link_clicks : float, int
    reported : float or None
        The export's own CPC on its account-total row, when the rows counted are one export.
    agrees_with_export : bool or None
        Every counted row's spend / link clicks equals its exported CPC (to 8 decimals).
    reach : int or None
        Reach from the export's total row (de-duplicated by the platform).
    campaigns : list[dict]
        Per campaign row: name, spend, link_clicks, cpc, cpc_reported.
    warnings : list[str]
    reasons : dict[str, str]
    """

    value: float | None
    benchmark: float | None
    index: float | None
    spend: float
    link_clicks: int
    currency: str
    reported: float | None = None
    agrees_with_export: bool | None = None
    reach: int | None = None
    campaigns: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)
    conversions: dict[str, dict] = field(default_factory=dict)

    def to_dict(self) -> dict:
        d = {
            k: getattr(self, k)
            for k in (
                "value",
                "benchmark",
                "index",
                "spend",
                "link_clicks",
                "currency",
                "reported",
                "agrees_with_export",
                "reach",
                "campaigns",
                "conversions",
                "warnings",
            )
        }
        if self.reasons:
            d["reasons"] = self.reasons
        return d


def _drop_overlapping_exports(rows: pd.DataFrame, paths: dict, warnings: list[str]) -> pd.DataFrame:
    """Keep every row of an export (ad sets and ads of one campaign are all added), but when
    two exports report the same platform and campaign over overlapping periods, keep only the
    later import's rows for that campaign and say so: an export's rows are never added to
    another's that covers the same spend."""
    if rows.empty or rows["import_id"].nunique() < 2:
        return rows
    drop: set[int] = set()
    for (_plat, camp), g in rows.groupby(["platform", "campaign"], dropna=False):
        imps = sorted(g["import_id"].unique(), reverse=True)
        for i, later in enumerate(imps):
            a = g[g["import_id"] == later]
            for earlier in imps[i + 1 :]:
                b = g[g["import_id"] == earlier]
                overlap = (a["reporting_start"].min() <= b["reporting_end"].max()) and (
                    b["reporting_start"].min() <= a["reporting_end"].max()
                )
                if overlap and not set(b.index) <= drop:
                    drop.update(b.index)
                    warnings.append(
                        f"{_name(paths.get(earlier))}: campaign {camp!r} is also in "
                        f"{_name(paths.get(later))} over an overlapping period; only the later "
                        "import is counted"
                    )
    return rows.drop(index=list(drop))


def cpc(
    con: duckdb.DuckDBPyConnection, import_ids: Sequence[int], campaign: Campaign
) -> Cpc | None:
    """CPC = spend / link clicks from ads exports' campaign rows and spend rows in the window.

    Ads-manager rows count when their reporting period lies inside the campaign window;
    the account-total row (``is_total``) and breakdown rows are never added. ``spend`` rows
    count when their date (or whole period) is inside the window. Rows straddling the window
    are left out and named in ``warnings``.

    Returns
    -------
    Cpc or None
        None when the campaign has no spend data at all.

    Raises
    ------
    EvaluationError
        Spend in a currency other than the campaign's with no ``[[fx]]`` rate.
    """
    ids = _ids(import_ids)
    ads = con.execute(
        f"""SELECT * FROM ad_metrics WHERE import_id IN ({ids}) AND breakdown IS NULL
            ORDER BY import_id, source_row"""
    ).df()
    spend_rows = con.execute(
        f"SELECT * FROM spend WHERE import_id IN ({ids}) ORDER BY import_id, source_row"
    ).df()
    if ads.empty and spend_rows.empty:
        return None
    warnings: list[str] = []
    s0, s1 = campaign.start, campaign.end

    def inside(a: object, b: object) -> bool | None:
        a = pd.Timestamp(a).date() if pd.notna(a) else None
        b = pd.Timestamp(b).date() if pd.notna(b) else None
        if a is None or b is None:
            return None
        if s0 <= a and b <= s1:
            return True
        if b < s0 or a > s1:
            return False
        return None  # straddles

    def conv(amount: float, cur: object, where: str) -> float:
        cur = str(cur) if pd.notna(cur) else campaign.currency
        rate = campaign.to_rate(cur)
        if rate is None:
            raise EvaluationError(
                f"{where}: spend is in {cur} but the campaign reports in {campaign.currency}; "
                f'add [[fx]] currency = "{cur}" rate = ... to campaign.toml (no rate is guessed)'
            )
        return amount * rate

    reasons: dict[str, str] = {}
    counted: list[tuple[int, int]] = []
    straddling: list[str] = []
    total_spend = 0.0
    total_clicks = 0
    per_campaign: list[dict] = []
    agrees = True
    reported = None
    reach = None
    export_ids = set()
    paths = dict(con.execute("SELECT import_id, path FROM imports").fetchall())
    # de-duplicate the same campaign/period reported by two exports: keep the later import
    if not ads.empty:
        ads = ads.sort_values(["import_id", "source_row"])
        campaign_rows = ads[~ads["is_total"].fillna(False).astype(bool)]
        campaign_rows = _drop_overlapping_exports(campaign_rows, paths, warnings)
        for r in campaign_rows.itertuples():
            where = f"{_name(paths.get(r.import_id))}, row {r.source_row}"
            ok = inside(r.reporting_start, r.reporting_end)
            if ok is None:
                straddling.append(
                    f"{where} ({r.campaign}, {r.reporting_start:%Y-%m-%d}.."
                    f"{r.reporting_end:%Y-%m-%d})"
                )
                continue
            if not ok:
                continue
            sp = conv(float(r.spend) if pd.notna(r.spend) else 0.0, r.currency, where)
            lc = int(r.link_clicks) if pd.notna(r.link_clicks) else 0
            total_spend += sp
            total_clicks += lc
            export_ids.add(int(r.import_id))
            counted.append((int(r.import_id), int(r.source_row)))
            own = float(r.spend) / lc if lc else None
            rep = float(r.cpc_reported) if pd.notna(r.cpc_reported) else None
            if own is not None and rep is not None and abs(own - rep) > 5e-8 * max(1.0, rep) + 5e-9:
                agrees = False
                warnings.append(
                    f"{where} ({r.campaign}): spend / link clicks = {own:.8f} but the "
                    f"export's CPC is {rep:.8f}"
                )
            per_campaign.append(
                {
                    "campaign": r.campaign,
                    "spend": sp,
                    "link_clicks": lc,
                    "cpc": (sp / lc) if lc else None,
                    "cpc_reported": rep,
                    "reach": _clean(r.reach),
                    "impressions": _clean(r.impressions),
                }
            )
        totals = ads[ads["is_total"].fillna(False).astype(bool)]
        if len(export_ids) == 1:
            t = totals[totals["import_id"] == next(iter(export_ids))]
            if len(t) == 1 and inside(t.iloc[0].reporting_start, t.iloc[0].reporting_end):
                reported = _clean(t.iloc[0].cpc_reported)
                reach = _clean(t.iloc[0].reach)
    if straddling:
        shown = "; ".join(straddling[:3]) + (
            f"; and {len(straddling) - 3} more" if len(straddling) > 3 else ""
        )
        warnings.append(
            f"{len(straddling)} ads row(s) have a reporting period that straddles the window "
            f"{s0}..{s1} and are left out: {shown}"
        )
    conversions: dict[str, dict] = {}
    if counted:
        conv_rows = con.execute(
            f"""SELECT import_id, source_row, name, value FROM ad_conversions
                WHERE import_id IN ({ids})"""
        ).df()
        keys = set(counted)
        for r in conv_rows.itertuples():
            if (int(r.import_id), int(r.source_row)) in keys and pd.notna(r.value):
                conversions[r.name] = conversions.get(r.name, 0.0) + float(r.value)
    conv_out = {
        name: {"value": _clean(v), "cost_per": (total_spend / v) if v else None}
        for name, v in sorted(conversions.items(), key=lambda kv: -kv[1])
    }
    if export_ids and not spend_rows.empty:
        warnings.append(
            "spend comes from both ads exports and spend rows; they are added, so make sure "
            "they do not describe the same spend"
        )
    if len(export_ids) > 1:
        reasons["reported"] = "several exports are counted; no single export CPC to compare"
    for r in spend_rows.itertuples():
        where = f"{_name(paths.get(r.import_id))}, row {r.source_row}"
        if pd.notna(r.date):
            ok = inside(r.date, r.date)
        else:
            ok = inside(r.reporting_start, r.reporting_end)
            if ok is None:
                warnings.append(f"{where}: reporting period straddles the window; left out")
                continue
        if not ok:
            continue
        total_spend += conv(float(r.amount) if pd.notna(r.amount) else 0.0, r.currency, where)
        total_clicks += int(r.link_clicks) if pd.notna(r.link_clicks) else 0
    rv = M.ratio(total_spend, total_clicks, what="link clicks")
    if rv.reason:
        reasons["value"] = rv.reason
    bench = campaign.benchmarks.get("cpc")
    index = None
    if bench is None:
        reasons["benchmark"] = "no [benchmarks] cpc in campaign.toml"
    elif rv.value is not None:
        index = rv.value / bench
    return Cpc(
        rv.value,
        bench,
        index,
        total_spend,
        total_clicks,
        campaign.currency,
        reported,
        agrees if per_campaign else None,
        reach,
        per_campaign,
        warnings,
        reasons,
        conv_out,
    )


def _name(path: object) -> str:
    from pathlib import Path

    return Path(str(path)).name if path else "?"


# ---------------------------------------------------------------- conversion
def conversion(
    con: duckdb.DuckDBPyConnection, import_ids: Sequence[int], campaign: Campaign
) -> tuple[dict[str, dict], pd.DataFrame]:
    """Baseline vs campaign daily means of each outcome metric with 95% intervals.

    Returns
    -------
    results : dict[str, dict]
        metric -> LiftEstimate.to_dict() (Welch headline) plus ``weekday_adjusted``.
    daily : DataFrame
        date, metric, value (summed over sources per day) for charts.
    """
    # a day reported by two imports of the same source keeps the later import; sources add up
    daily = con.execute(
        f"""WITH o AS (
                SELECT * FROM outcomes WHERE import_id IN ({_ids(import_ids)})
                QUALIFY row_number() OVER (PARTITION BY source, metric, date
                                           ORDER BY import_id DESC) = 1)
            SELECT date, metric, sum(value) AS value FROM o WHERE value IS NOT NULL
            GROUP BY date, metric ORDER BY metric, date"""
    ).df()
    out: dict[str, dict] = {}
    for metric, g in daily.groupby("metric", sort=True):
        d = pd.to_datetime(g["date"]).dt.date
        inb = d.between(campaign.baseline_start, campaign.baseline_end)
        inc = d.between(campaign.start, campaign.end)
        est = welch_lift(
            g["value"][inb].to_numpy(float),
            g["value"][inc].to_numpy(float),
            baseline_window_days=campaign.baseline_days,
            campaign_window_days=campaign.days,
        )
        res = est.to_dict()
        adj = weekday_adjusted_lift(
            d[inb], g["value"][inb].to_numpy(float), d[inc], g["value"][inc].to_numpy(float)
        )
        res["weekday_adjusted"] = adj.to_dict() if adj else None
        out[str(metric)] = res
    return out, daily


# ---------------------------------------------------------------- third-party indices
def third_party(
    con: duckdb.DuckDBPyConnection, import_ids: Sequence[int], campaign: Campaign
) -> tuple[dict[str, dict], pd.DataFrame]:
    """Baseline vs campaign mean of each index series, per source, term and region.

    Periods are compared within one export only. ``<1`` counts 0.5 in the headline; the
    lift is also given with ``<1`` at 0 and at 1 (``lift_bounds``).

    Returns
    -------
    results : dict[source, dict[key, dict]]
        key is the term, or ``term (geo)`` when a term appears for several regions/exports.
    series : DataFrame
        The index rows of the campaign's imports (for charts).
    """
    s = con.execute(
        f"""SELECT import_id, source, term, geo, period, date, value, below_one FROM index_series
            WHERE import_id IN ({_ids(import_ids)}) ORDER BY source, term, geo, import_id, date"""
    ).df()
    out: dict[str, dict] = {}
    if s.empty:
        return out, s
    groups = list(s.groupby(["source", "term", "geo", "import_id"], sort=True, dropna=False))
    term_count: dict[tuple, int] = {}
    for (src, term, _geo, _imp), _ in groups:
        term_count[(src, term)] = term_count.get((src, term), 0) + 1
    for (src, term, geo, imp), g in groups:
        d = pd.to_datetime(g["date"]).dt.date
        inb = d.between(campaign.baseline_start, campaign.baseline_end).to_numpy()
        inc = d.between(campaign.start, campaign.end).to_numpy()
        below = g["below_one"].fillna(False).to_numpy(bool)
        raw = g["value"].to_numpy(float)

        def mean(
            mask: np.ndarray, fill: float, below: np.ndarray = below, raw: np.ndarray = raw
        ) -> float | None:
            v = np.where(below, fill, raw)[mask]
            v = v[~np.isnan(v)]
            return float(v.mean()) if len(v) else None

        mb, mc = mean(inb, 0.5), mean(inc, 0.5)
        reasons: dict[str, str] = {}
        lift = M.ratio(mc, mb, what="baseline mean")
        if mb is None:
            reasons["baseline_mean"] = "no period of this export starts in the baseline window"
        if mc is None:
            reasons["campaign_mean"] = "no period of this export starts in the campaign window"
        if lift.reason and mb is not None and mc is not None:
            reasons["lift"] = lift.reason
        elif lift.value is None:
            reasons["lift"] = "needs both windows in one export (each export is scaled on its own)"
        # '<1' anywhere in [0, 1]: lowest lift with campaign '<1' at 0 and baseline at 1,
        # highest with campaign at 1 and baseline at 0
        low = M.ratio(mean(inc, 0.0), mean(inb, 1.0))
        high = M.ratio(mean(inc, 1.0), mean(inb, 0.0))
        lo_hi = [x.value - 1 for x in (low, high) if x.value is not None]
        if low.value is not None and high.value is None and mb is not None:
            reasons["lift_bounds"] = "unbounded above: the baseline mean is 0 with '<1' at 0"
        key = str(term) if term_count[(src, term)] == 1 else f"{term} ({geo})"
        if key in out.get(src, {}):
            key = f"{term} ({geo}, import {imp})"
        out.setdefault(str(src), {})[key] = {
            "term": term,
            "geo": geo,
            "period": g["period"].iloc[0],
            "import_id": int(imp),
            "baseline_mean": mb,
            "campaign_mean": mc,
            "lift": lift.value - 1 if lift.value is not None else None,
            "difference": (mc - mb) if mb is not None and mc is not None else None,
            "lift_bounds": lo_hi if len(lo_hi) == 2 else None,
            "baseline_periods": int(inb.sum()),
            "campaign_periods": int(inc.sum()),
            "below_one_periods": int(below[inb | inc].sum()),
            "below_one_counted_as": 0.5,
            **({"reasons": reasons} if reasons else {}),
        }
    return out, s
