"""The daily account exposure section: platform-reported daily series, baseline vs campaign.

Reads ``account_daily`` (X's daily account activity export): impressions and engagements per
day summed over accounts, with the lift of the daily mean and its Welch interval
(:func:`ripplemeter.evaluate.lift.welch_lift`).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from ripplemeter.evaluate import metrics as M
from ripplemeter.evaluate.context import EvalContext, Window, count_sum
from ripplemeter.evaluate.lift import LiftEstimate, welch_lift
from ripplemeter.evaluate.section import (
    Figure,
    SectionResult,
    comparison_figures,
    register_section,
)

DAILY_METRICS = {"impressions": M.DAILY_IMPRESSIONS, "engagements": M.DAILY_ENGAGEMENTS}


def account_daily_expr(account_daily: ir.Table) -> ir.Table:
    """Daily series summed over accounts, one row per date label (Ibis expression).

    A day reported by two imports for the same account keeps the later import.
    """
    w = ibis.window(group_by=["account_id", "date"], order_by=ibis.desc("import_id"))
    d = account_daily.mutate(_rn=ibis.row_number().over(w)).filter(lambda t: t._rn == 0)
    return (
        d.group_by("date")
        .aggregate(
            impressions=count_sum(d.impressions),
            engagements=count_sum(d.engagements),
            posts_published=count_sum(d.posts_published),
            link_clicks=count_sum(d.link_clicks),
            promoted_impressions=count_sum(d.promoted_impressions),
        )
        .order_by("date")
    )


def daily_lift(daily: pd.DataFrame, column: str, window: Window) -> LiftEstimate:
    """Baseline vs campaign daily mean of a platform-reported daily series (days present).

    Parameters
    ----------
    daily : DataFrame
        Columns ``date`` and ``column`` (from :func:`account_daily_expr`).
    column : str
    window : Window
        Date labels are compared with the windows' local dates as the platform labels them.
    """
    d = pd.to_datetime(daily["date"]).dt.date if len(daily) else pd.Series([], dtype=object)
    vals = daily[column].astype(float).to_numpy() if len(daily) else np.array([])
    inb = np.array([window.baseline.contains(x) for x in d], bool)
    inc = np.array([window.campaign.contains(x) for x in d], bool)
    b = vals[inb] if len(vals) else vals
    c = vals[inc] if len(vals) else vals
    return welch_lift(
        b[~np.isnan(b)],
        c[~np.isnan(c)],
        baseline_window_days=window.baseline.days,
        campaign_window_days=window.campaign.days,
    )


@register_section
class DailyExposureSection:
    """Daily account exposure as the platform reports it, baseline vs campaign."""

    id = "daily_exposure"
    title = "Account activity per day (daily export)"
    order = 20
    headline_group = "organic"
    metrics = (
        M.DAILY_IMPRESSIONS,
        M.DAILY_ENGAGEMENTS,
        M.ACCOUNT_DAILY_LIFT,
        M.DIFFERENCE,
        M.DAYS_WITH_DATA,
        M.COVERAGE,
    )
    settings = None

    def headline(self, res: SectionResult) -> list[tuple[str, str]]:
        """Headline card: the lift of the account's impressions per day."""
        d = res.data["quantitative.daily_exposure"].get("impressions")
        if d is None or d["lift"] is None:
            return []
        return [
            (
                "quantitative.daily_exposure.impressions.lift",
                "account impressions per day (daily export) vs baseline",
            )
        ]

    def run(self, ctx: EvalContext) -> SectionResult:
        daily = account_daily_expr(ctx.tables.account_daily).to_pandas()
        if not len(daily):
            return SectionResult.no_data(
                "no daily account export (such as X's daily activity file) among the sources",
                {"quantitative.daily_exposure": {}},
            )
        est = {k: daily_lift(daily, k, ctx.window) for k in DAILY_METRICS}
        data = {k: v.to_dict() for k, v in est.items()}
        figs: list[Figure] = []
        for k, v in data.items():
            p = f"quantitative.daily_exposure.{k}"
            figs.append(
                Figure(
                    f"{p}.lift", "account_daily_lift", v["lift"], v.get("reasons", {}).get("lift")
                )
            )
        for k, v in data.items():
            p = f"quantitative.daily_exposure.{k}"
            figs += comparison_figures(
                p, v, mean_metric=DAILY_METRICS[k].id, interval_metric="account_daily_lift"
            )
            for side in ("baseline", "campaign"):
                figs.append(Figure(f"{p}.{side}_days", "days_with_data", v[f"{side}_days"]))
                figs.append(Figure(f"{p}.{side}_coverage", "coverage", v[f"{side}_coverage"]))
        return SectionResult(
            figures=figs,
            data={"quantitative.daily_exposure": data},
            frames={"account_daily": daily},
        )
