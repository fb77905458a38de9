"""The top posts section: the posts with most impressions created in the campaign window.

Post texts are untrusted: stored as exported, escaped by the report, neutralised in the
CSV/XLSX exports (:func:`ripplemeter.report.exports.write_table`).
"""

from __future__ import annotations

import ibis
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from ripplemeter.evaluate import metrics as M
from ripplemeter.evaluate.context import EvalContext
from ripplemeter.evaluate.section import Figure, SectionResult, clean, register_section

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


def top_posts(ctx: EvalContext, n: int) -> pd.DataFrame:
    """The ``n`` posts with most impressions created in the campaign window.

    Returns
    -------
    DataFrame
        :data:`COLUMNS` plus ``engagement_rate`` (engagements / impressions, NaN when the
        post has no impressions) and ``created_local`` (creation time in the campaign's
        zone); ties broken by post id.
    """
    p = ctx.window.campaign
    t = ctx.tables.latest_posts(p)
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
    df["created_local"] = local.dt.strftime("%Y-%m-%d %H:%M")
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
        for i, r in enumerate(df.itertuples(index=False)):
            row = {
                "post_id": r.post_id,
                "account_id": r.account_id,
                "created_at": str(r.created_at) if pd.notna(r.created_at) else None,
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
