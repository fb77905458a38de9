"""The outcomes section: conversion lift of daily business outcomes, baseline vs campaign.

Reads ``outcomes`` (registrations, orders, sales, ... per day). For each outcome metric: the
daily means of both windows, the lift with a Welch / delta-method 95% interval
(:func:`ripplemeter.evaluate.lift.welch_lift`) and a weekday-adjusted estimate
(:func:`ripplemeter.evaluate.lift.weekday_adjusted_lift`).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

from ripplemeter.evaluate import metrics as M
from ripplemeter.evaluate.context import EvalContext, Window
from ripplemeter.evaluate.lift import weekday_adjusted_lift, welch_lift
from ripplemeter.evaluate.section import (
    Figure,
    SectionResult,
    comparison_figures,
    register_section,
)


def outcome_name(metric: str) -> str:
    """An outcome metric as a reader says it: ``add_to_cart`` -> ``add to cart``."""
    return str(metric).replace("_", " ")


def daily_outcomes_expr(outcomes: ir.Table) -> ir.Table:
    """Outcomes per day and metric, summed over sources (Ibis expression).

    A day reported by two imports of the same source keeps the later import; sources add up.
    """
    w = ibis.window(group_by=["source", "metric", "date"], order_by=ibis.desc("import_id"))
    o = outcomes.mutate(_rn=ibis.row_number().over(w)).filter(lambda t: t._rn == 0)
    o = o.filter(o.value.notnull())
    return (
        o.group_by(["date", "metric"]).aggregate(value=o.value.sum()).order_by(["metric", "date"])
    )


def conversion(daily: pd.DataFrame, window: Window) -> dict[str, dict]:
    """Baseline vs campaign daily means of each outcome metric with 95% intervals.

    Parameters
    ----------
    daily : DataFrame
        Columns date, metric, value (from :func:`daily_outcomes_expr`).
    window : Window

    Returns
    -------
    dict[str, dict]
        metric -> :meth:`LiftEstimate.to_dict` (Welch headline) plus ``weekday_adjusted``.
    """
    out: dict[str, dict] = {}
    b, c = window.baseline, window.campaign
    for metric, g in daily.groupby("metric", sort=True):
        d = pd.to_datetime(g["date"]).dt.date
        inb = d.between(b.start, b.end)
        inc = d.between(c.start, c.end)
        est = welch_lift(
            g["value"][inb].to_numpy(float),
            g["value"][inc].to_numpy(float),
            baseline_window_days=b.days,
            campaign_window_days=c.days,
        )
        res = est.to_dict()
        adj = weekday_adjusted_lift(
            d[inb], g["value"][inb].to_numpy(float), d[inc], g["value"][inc].to_numpy(float)
        )
        res["weekday_adjusted"] = adj.to_dict() if adj else None
        out[str(metric)] = res
    return out


@register_section
class OutcomesSection:
    """Business outcomes per day, baseline vs campaign, with intervals."""

    id = "outcomes"
    title = "Business outcomes, before and after"
    order = 50
    headline_group = "outcomes"
    metrics = (M.CONVERSION, M.OUTCOME_DAILY_MEAN, M.CONVERSION_WEEKDAY, M.DIFFERENCE)
    settings = None

    def headline(self, res: SectionResult) -> list[tuple[str, str]]:
        """Headline cards: each outcome's lift per day (those that have one)."""
        return [
            (f"quantitative.conversion.{k}.lift", f"{outcome_name(k)} per day vs baseline")
            for k, v in res.data["quantitative.conversion"].items()
            if v["lift"] is not None
        ]

    def run(self, ctx: EvalContext) -> SectionResult:
        daily = daily_outcomes_expr(ctx.tables.outcomes).to_pandas()
        if not len(daily):
            return SectionResult.no_data(
                "no outcomes file (daily registrations, orders, sales ...) among the sources",
                {"quantitative.conversion": {}},
            )
        conv = conversion(daily, ctx.window)
        figs: list[Figure] = []
        for k, v in conv.items():
            figs.append(
                Figure(
                    f"quantitative.conversion.{k}.lift",
                    "conversion_lift",
                    v["lift"],
                    v.get("reasons", {}).get("lift"),
                )
            )
        for k, v in conv.items():
            p = f"quantitative.conversion.{k}"
            figs += comparison_figures(
                p, v, mean_metric="outcome_daily_mean", interval_metric="conversion_lift"
            )
            wa = v.get("weekday_adjusted")
            if wa and wa["lift"] is not None:
                mid = "conversion_lift_weekday_adjusted"
                figs.append(Figure(f"{p}.weekday_adjusted.lift", mid, wa["lift"]))
                if wa["ci95"]:
                    figs += [
                        Figure(f"{p}.weekday_adjusted.ci95.{i}", mid, wa["ci95"][i]) for i in (0, 1)
                    ]
        return SectionResult(
            figures=figs, data={"quantitative.conversion": conv}, frames={"outcomes": daily}
        )
