"""The exposure section: posts created in each window and their latest-snapshot figures.

Reads ``posts`` and ``post_metrics`` (latest snapshot per post, see
:func:`ripplemeter.evaluate.context.latest_posts`); reports posts, original posts, the sums of
impressions, reach, engagements, reposts, replies, likes and link clicks, both engagement
rates, the same per platform, and the campaign-vs-baseline lift of each, compared by daily
rates. When the sources name the campaign's accounts (role owned or partner), only their posts
count (:func:`own_posts`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import pandas as pd

from ripplemeter.evaluate import metrics as M
from ripplemeter.evaluate.context import EvalContext, Period, Window, count_sum
from ripplemeter.evaluate.lift import relative_change
from ripplemeter.evaluate.section import (
    Figure,
    SectionResult,
    clean,
    figures_from,
    register_section,
)
from ripplemeter.formatting import day_span

EXPOSURE_SUMS = (
    M.IMPRESSIONS,
    M.REACH,
    M.ENGAGEMENTS,
    M.REPOSTS,
    M.REPLIES,
    M.LIKES,
    M.LINK_CLICKS,
)
COUNTED = ("posts", "original_posts", *(m.id for m in EXPOSURE_SUMS))


@dataclass
class Exposure:
    """Exposure of posts created in a window (latest snapshots).

    Attributes
    ----------
    values : dict[str, int | float | None]
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


#: Account roles whose posts are the campaign's own (accounts imports, ``role`` column).
CAMPAIGN_ROLES = ("owned", "partner")


def other_accounts(ctx: EvalContext) -> ir.Table | None:
    """Accounts of the sources that are not the campaign's own, when the campaign names its own.

    The campaign's own accounts are those whose role is owned or partner (or ``is_partner``)
    in an accounts row of its sources.

    Returns
    -------
    ibis Table or None
        One column ``account_id``: every account of the accounts rows that is not one of the
        campaign's own (authors of mentions and comments, say); when no accounts row names an
        own account, the accounts whose role is ``public`` (the comments importer marks its
        authors so); None when neither exists (then every post counts).
    """
    if not ctx.tables.has_rows("accounts"):
        return None
    a = ctx.tables.accounts
    own = a.filter(a.role.isin(CAMPAIGN_ROLES) | a.is_partner.fill_null(False))
    if not int(own.count().to_pyarrow().as_py()):
        # no own account named: still leave out the accounts the sources mark as the public
        # (authors of a comments/mentions import), never the campaign's posts
        public = a.filter(a.role == "public")
        if not int(public.count().to_pyarrow().as_py()):
            return None
        return public.select("account_id").distinct()
    return a.filter(~a.account_id.isin(own.account_id)).select("account_id").distinct()


def own_posts(latest: ir.Table, others: ir.Table | None) -> ir.Table:
    """The campaign's own posts: all but those of :func:`other_accounts` (every post if None).

    Mentions and comments by other accounts (the listening data of the opinion section) are
    not the campaign's posts: counting them would add the public's posts to "posts
    published" and dilute the engagement rate. A post whose account no accounts row names
    (a page export without account details) is kept.
    """
    if others is None:
        return latest
    return latest.filter(latest.account_id.isnull() | ~latest.account_id.isin(others.account_id))


def _aggregates(t: ir.Table) -> dict:
    """The exposure aggregates of a latest-posts table, as Ibis expressions."""
    orig = (t.kind == "original") | t.kind.isnull()
    aggs = {
        "posts": t.count(),
        "original_posts": t.count(where=orig),
        **{m.id: count_sum(t[m.id]) for m in EXPOSURE_SUMS},
        "_eng_i": count_sum(t.engagements, where=t.impressions.notnull()),
        "_imp_e": count_sum(t.impressions, where=t.engagements.notnull()),
        "_eng_r": count_sum(t.engagements, where=t.reach.notnull()),
        "_reach_e": count_sum(t.reach, where=t.engagements.notnull()),
    }
    return aggs


def exposure_expr(latest: ir.Table, period: Period, *, by: str | None = None) -> ir.Table:
    """Ibis expression of the exposure aggregates of posts created in ``period``.

    Parameters
    ----------
    latest : ibis Table
        Latest-snapshot posts (:meth:`TableAccess.latest_posts`).
    period : Period
        Window; posts with ``lo <= created_at < hi`` count.
    by : str, optional
        Group column (``"platform"``).
    """
    t = latest.filter(
        latest.created_at >= period.lo.to_pydatetime(),
        latest.created_at < period.hi.to_pydatetime(),
    )
    aggs = _aggregates(t)
    if by:
        return t.group_by(by).aggregate(**aggs).order_by(by)
    return t.aggregate(**aggs)


def exposure(latest: ir.Table, period: Period, *, undated: int = 0) -> Exposure:
    """Exposure of posts created in ``period``.

    Parameters
    ----------
    latest : ibis Table
        Latest-snapshot posts.
    period : Period
    undated : int
        Posts without a creation date (counted separately, see
        :meth:`TableAccess.undated_posts`).

    Returns
    -------
    Exposure
        Sums are None (with a reason) when no post has the figure; engagement rates are null
        with a reason when their denominator is 0 or there are no posts.
    """
    row = exposure_expr(latest, period).to_pandas().iloc[0]
    values: dict = {"posts": int(row["posts"]), "original_posts": int(row["original_posts"])}
    reasons: dict[str, str] = {}
    for m in EXPOSURE_SUMS:
        values[m.id] = clean(row[m.id])
        if values[m.id] is None:
            reasons[m.id] = "no post in the window has this figure"
    if values["posts"] == 0:
        reasons["posts"] = (
            "no imported post was created in this window; check that the exports cover it"
        )
    er_i = M.ratio(clean(row["_eng_i"]), clean(row["_imp_e"]), what="impressions")
    er_r = M.ratio(clean(row["_eng_r"]), clean(row["_reach_e"]), what="reach")
    if values["posts"] == 0:
        er_i = M.Ratio(None, "no posts in the window")
        er_r = M.Ratio(None, "no posts in the window")
    by_platform: dict[str, dict] = {}
    for _, r in exposure_expr(latest, period, by="platform").to_pandas().iterrows():
        d = {"posts": int(r["posts"])}
        for m in EXPOSURE_SUMS:
            d[m.id] = clean(r[m.id])
        d["engagement_rate_impressions"] = M.ratio(clean(r["_eng_i"]), clean(r["_imp_e"])).value
        by_platform[str(r["platform"])] = d
    return Exposure(values, er_i, er_r, by_platform, undated, reasons)


def posts_per_day(latest: ir.Table, window: Window, period: Period) -> pd.DataFrame:
    """Posts and their impressions/engagements per local day, zero-filled over the period.

    Each post is assigned to its local day (the campaign's zone) by a range join on the UTC
    bounds of each local day (:meth:`Window.local_days`), which runs on any engine.

    Returns
    -------
    DataFrame
        Columns date, posts, impressions, engagements (sums of the posts created that day;
        days whose posts lack the figure give NaN sums, days without posts 0 posts).
    """
    days = window.local_days(period)
    mem = ibis.memtable(days.rename(columns={"day": "date"}))
    t = latest.filter(latest.created_at.notnull())
    j = t.join(mem, (t.created_at >= mem.lo) & (t.created_at < mem.hi))
    df = (
        j.group_by("date")
        .aggregate(
            posts=j.count(),
            impressions=count_sum(j.impressions),
            engagements=count_sum(j.engagements),
        )
        .to_pandas()
    )
    out = pd.DataFrame({"date": days["day"]})
    df["date"] = pd.to_datetime(df["date"]).dt.date
    out = out.merge(df, on="date", how="left")
    out["posts"] = out["posts"].fillna(0).astype(int)
    out["impressions"] = out["impressions"].astype(float)
    out["engagements"] = out["engagements"].astype(float)
    return out


def exposure_lift(
    campaign: Exposure, baseline: Exposure, campaign_days: int, baseline_days: int
) -> dict[str, dict]:
    """Campaign vs baseline for each counted figure, compared by daily rates.

    Parameters
    ----------
    campaign, baseline : Exposure
        Totals of the posts created in each window.
    campaign_days, baseline_days : int
        Days in each window (the windows may differ in length).

    Returns
    -------
    dict[str, dict]
        Per figure: ``baseline`` and ``campaign`` (totals), ``baseline_per_day`` and
        ``campaign_per_day`` (total / days), ``lift`` (of the daily rates, metric
        ``post_lift``: with windows of equal length the same as the lift of the totals) and
        ``difference`` (campaign per day - baseline per day); ``reason`` when the lift is null.

    Examples
    --------
    A baseline of 28 days with 56 posts (2 a day) against a campaign of 31 days with 93
    (3 a day) is a lift of +50%, not 93 / 56 - 1 = +66%.
    """
    out: dict[str, dict] = {}
    for k in COUNTED:
        b, v = baseline.values.get(k), campaign.values.get(k)
        bd = b / baseline_days if b is not None and baseline_days else None
        cd = v / campaign_days if v is not None and campaign_days else None
        ch = relative_change(cd, bd, what="baseline")
        d: dict = {
            "baseline": b,
            "campaign": v,
            "baseline_per_day": bd,
            "campaign_per_day": cd,
            "lift": ch.lift,
            "difference": ch.difference,
        }
        if ch.reason:
            d["reason"] = ch.reason
        out[k] = d
    return out


_WINDOW_FIGS = {
    **{k: k for k in COUNTED},
    "engagement_rate_impressions": "engagement_rate_impressions",
    "engagement_rate_reach": "engagement_rate_reach",
}
_PLATFORM_FIGS = {
    "posts": "posts",
    "impressions": "impressions",
    "engagements": "engagements",
    "engagement_rate_impressions": "engagement_rate_impressions",
}


@register_section
class ExposureSection:
    """Exposure of the posts created in the campaign and baseline windows."""

    id = "exposure"
    title = "Posts published in each window"
    order = 10
    headline_group = "organic"
    metrics = (
        M.POSTS,
        M.ORIGINAL_POSTS,
        *EXPOSURE_SUMS,
        M.ER_IMPRESSIONS,
        M.ER_REACH,
        M.POST_LIFT,
        M.PER_DAY,
        M.DIFFERENCE_PER_DAY,
        M.POSTS_PER_DAY,
        M.UNDATED_POSTS,
    )
    settings = None

    def headline(self, res: SectionResult) -> list[tuple[str, str]]:
        """Headline cards: (figure path, label)."""
        e = res.data["quantitative.exposure"]
        if not e["posts"]:
            return []
        cards = []
        if e["impressions"] is not None:
            cards.append(
                ("quantitative.exposure.impressions", "post impressions (posts of the campaign)")
            )
        if e["engagements"] is not None:
            cards.append(("quantitative.exposure.engagements", "post engagements"))
        if e["engagement_rate_impressions"] is not None:
            cards.append(
                (
                    "quantitative.exposure.engagement_rate_impressions",
                    "engagement rate (by impressions)",
                )
            )
        cards.append(("quantitative.exposure.posts", "posts published"))
        return cards

    def run(self, ctx: EvalContext) -> SectionResult:
        w = ctx.window
        others = other_accounts(ctx)
        all_c = ctx.tables.latest_posts(w.campaign)
        latest = own_posts(all_c, others)
        blatest = own_posts(ctx.tables.latest_posts(w.baseline), others)
        undated = ctx.tables.undated_posts()
        exp = exposure(latest, w.campaign, undated=undated)
        bexp = exposure(blatest, w.baseline, undated=undated)
        lift = exposure_lift(exp, bexp, w.campaign.days, w.baseline.days)
        data = {
            "quantitative.exposure": exp.to_dict(),
            "quantitative.baseline_exposure": bexp.to_dict(),
            "quantitative.exposure_lift": lift,
        }
        figs: list[Figure] = []
        for k, v in lift.items():
            figs.append(
                Figure(
                    f"quantitative.exposure_lift.{k}.lift", "post_lift", v["lift"], v.get("reason")
                )
            )
        for key in ("exposure", "baseline_exposure"):
            figs += figures_from(f"quantitative.{key}", data[f"quantitative.{key}"], _WINDOW_FIGS)
        # beside the headline figures: differences, per platform, undated posts
        for k, v in lift.items():
            for side in ("baseline", "campaign"):
                figs.append(
                    Figure(
                        f"quantitative.exposure_lift.{k}.{side}_per_day",
                        "per_day",
                        v[f"{side}_per_day"],
                        None if v[f"{side}_per_day"] is not None else f"no {side} total",
                    )
                )
            figs.append(
                Figure(
                    f"quantitative.exposure_lift.{k}.difference",
                    "difference_per_day",
                    v["difference"],
                    None if v["difference"] is not None else "a window has no value to compare",
                )
            )
        for p, d in exp.by_platform.items():
            why = {k: f"no {p} post in the window has this figure" for k in _PLATFORM_FIGS}
            figs += figures_from(f"quantitative.exposure.by_platform.{p}", d, _PLATFORM_FIGS, why)
        figs.append(Figure("quantitative.exposure.undated_posts", "undated_posts", undated))
        warnings: list[str] = []
        notes: list[str] = []
        if others is not None:
            c = all_c.filter(
                all_c.created_at >= w.campaign.lo.to_pydatetime(),
                all_c.created_at < w.campaign.hi.to_pydatetime(),
            )
            n_other = int(c.count().to_pyarrow().as_py()) - int(exp.values["posts"])
            if n_other:
                notes.append(
                    f"Post figures count the campaign's own posts (accounts whose role is owned "
                    f"or partner in an accounts import); {n_other} posts by other accounts in "
                    "the campaign window (mentions, comments, replies) are left out of them."
                )
        if undated:
            notes.append(
                f"{undated} posts have no creation date (e.g. the UCI Facebook metrics export "
                "keeps only month, weekday and hour) and are left out of every window metric."
            )
        has_daily = ctx.tables.has_rows("account_daily")
        for name, (a, b) in {"baseline": (bexp, exp), "campaign": (exp, bexp)}.items():
            if a.values["posts"] == 0 and b.values["posts"] > 0:
                per = w.period(name)
                warnings.append(
                    f"No imported post was created in the {name} window "
                    f"({day_span(per.start, per.end)}): check that the post exports cover it. "
                    "The changes of "
                    "the posts' figures are left empty"
                    + ("; compare the account's daily impressions instead." if has_daily else ".")
                )
        frames = {
            "posts_per_day": posts_per_day(latest, w, w.campaign),
            "baseline_posts_per_day": posts_per_day(blatest, w, w.baseline),
        }
        any_posts = exp.values["posts"] or bexp.values["posts"]
        return SectionResult(
            figures=figs,
            data=data,
            frames=frames,
            warnings=warnings,
            notes=notes,
            uses=("posts_per_day",),
            status="ok" if any_posts or undated else "no data",
            reason=None
            if any_posts or undated
            else "no post of the campaign's sources was created in either window",
        )
