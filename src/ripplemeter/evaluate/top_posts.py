"""The top posts section: the posts with most impressions created in the campaign window.

Post texts are untrusted: stored as exported, escaped by the report, neutralised in the
CSV/XLSX exports (:func:`ripplemeter.report.exports.write_table`). Times are shown in the
campaign's time zone, and the zone is named wherever a time is shown (the table's column
``posted (Asia/Shanghai)``, the export's, ISO 8601 with the offset in metrics.json).
"""

from __future__ import annotations

import ibis
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from ripplemeter.evaluate import metrics as M
from ripplemeter.evaluate.context import EvalContext
from ripplemeter.evaluate.section import Figure, SectionResult, clean, register_section
from ripplemeter.formatting import account_name

COLUMNS = (
    "post_id",
    "platform",
    "account_id",
    "created_at",
    "kind",
    "text",
    "url",
    "impressions",
    "engagements",
    "reposts",
    "replies",
    "likes",
    "link_clicks",
)


class TopPostsSettings(BaseModel):
    """``[top_posts]``: how many posts the report lists.

    Attributes
    ----------
    n : int
        Posts listed (and exported to top_posts.csv/xlsx).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    n: int = Field(10, ge=1, le=1000)


def posted_column(timezone: str) -> str:
    """The name of the creation-time column, which names the zone: ``posted (Asia/Shanghai)``."""
    return f"posted ({timezone})"


#: Platforms whose account ids are handles when they are not numbers (x:lumentea).
_HANDLE_IDS = frozenset({"x", "instagram", "tiktok"})


def _account_labels(ctx: EvalContext, ids: list[str]) -> dict[str, str]:
    """Account id -> ``@handle`` (or display name) from the campaign's accounts rows."""
    if not ids:
        return {}
    if not ctx.tables.has_rows("accounts"):
        return {a: account_label(a, {}) for a in ids if account_label(a, {}) != a}
    a = ctx.tables.accounts
    df = (
        a.filter(a.account_id.isin(ids))
        .select("account_id", "handle", "name", "import_id")
        .order_by([ibis.desc("import_id")])
        .to_pandas()
    )
    out: dict[str, str] = {}
    for r in df.itertuples(index=False):
        if r.account_id in out:
            continue
        shown = account_name(r.account_id, r.handle, r.name)
        if shown:
            out[r.account_id] = shown
    for aid in ids:  # no row or no name: an X/Instagram/TikTok id that is a handle
        if aid not in out and account_label(aid, {}) != aid:
            out[aid] = account_label(aid, {})
    return out


def account_label(account_id: object, labels: dict[str, str]) -> str | None:
    """How a post's account reads: its handle, else its name, else its id; None if unknown.

    An X, Instagram or TikTok id that is not a number is the account's handle
    (``x:fan0011`` reads ``@fan0011``).
    """
    if not isinstance(account_id, str) or not account_id:
        return None
    if account_id in labels:
        return labels[account_id]
    platform, _, native = account_id.partition(":")
    if platform in _HANDLE_IDS and native and not native.isdigit():
        return "@" + native  # x:fan0011 is the handle fan0011
    return account_id


def top_posts(ctx: EvalContext, n: int) -> pd.DataFrame:
    """The ``n`` posts with most impressions created in the campaign window.

    The campaign's own posts when its sources name its accounts (see
    :func:`ripplemeter.evaluate.exposure.own_posts`), else every post.

    Returns
    -------
    DataFrame
        post_id, platform, account_id, ``account`` (``@handle`` when an accounts row gives
        it, else the account id; None when unknown), ``posted (<zone>)`` (the creation time,
        timezone-aware, in the campaign's zone), kind, text, url, the post's counts and
        ``engagement_rate`` (engagements / impressions, missing when the post has no
        impressions); ties broken by post id. This frame is what top_posts.csv/xlsx hold.
    """
    from ripplemeter.evaluate.exposure import other_accounts, own_posts

    p = ctx.window.campaign
    t = own_posts(ctx.tables.latest_posts(p), other_accounts(ctx))
    t = t.filter(t.created_at >= p.lo.to_pydatetime(), t.created_at < p.hi.to_pydatetime())
    rate = ibis.ifelse(t.impressions > 0, t.engagements / t.impressions, ibis.null())
    q = (
        t.select(*COLUMNS, engagement_rate=rate)
        .order_by([ibis.desc("impressions", nulls_first=False), "post_id"])
        .limit(int(n))
    )
    df = q.to_pandas()
    for col in ("impressions", "engagements", "reposts", "replies", "likes", "link_clicks"):
        df[col] = df[col].astype("Int64")  # counts stay whole numbers; missing stays missing
    local = (
        pd.to_datetime(df["created_at"]).dt.tz_localize("UTC").dt.tz_convert(ctx.window.timezone)
    )
    labels = _account_labels(ctx, [a for a in df["account_id"].dropna().unique().tolist()])
    account = [account_label(a, labels) for a in df["account_id"]]
    df = df.drop(columns=["created_at"])
    df.insert(df.columns.get_loc("account_id") + 1, "account", account)
    df.insert(df.columns.get_loc("account") + 1, posted_column(ctx.window.timezone), local)
    df["engagement_rate"] = pd.to_numeric(df["engagement_rate"]).astype("Float64")
    return df


@register_section
class TopPostsSection:
    """The campaign's most-seen posts."""

    id = "top_posts"
    title = "Top posts in the campaign window"
    order = 80
    metrics = (M.IMPRESSIONS, M.ENGAGEMENTS, M.POST_ENGAGEMENT_RATE)
    settings = TopPostsSettings

    def run(self, ctx: EvalContext) -> SectionResult:
        s = ctx.settings_for(self)
        df = top_posts(ctx, s.n)
        if df.empty:
            res = SectionResult.no_data("no post was created in the campaign window")
            res.frames["top_posts"] = df  # the exports are written, with their header, anyway
            return res
        rows = []
        figs: list[Figure] = []
        posted = df[posted_column(ctx.window.timezone)]
        for i, r in enumerate(df.itertuples(index=False)):
            t = posted.iloc[i]
            row = {
                "post_id": r.post_id,
                "account_id": r.account_id if isinstance(r.account_id, str) else None,
                "account": r.account,
                # ISO 8601 with the offset of the campaign's zone: one instant, zone stated
                "created_at": t.isoformat(timespec="minutes") if pd.notna(t) else None,
                "impressions": clean(r.impressions),
                "engagements": clean(r.engagements),
                "engagement_rate": clean(r.engagement_rate),
            }
            rows.append(row)
            base = f"quantitative.top_posts.{i}"
            figs += [
                Figure(f"{base}.impressions", "impressions", row["impressions"]),
                Figure(f"{base}.engagements", "engagements", row["engagements"]),
                Figure(
                    f"{base}.engagement_rate",
                    "post_engagement_rate",
                    row["engagement_rate"],
                    None if row["engagement_rate"] is not None else "no impressions figure",
                ),
            ]
        return SectionResult(
            figures=figs, data={"quantitative.top_posts": rows}, frames={"top_posts": df}
        )
