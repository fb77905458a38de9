"""The third-party indices section: search interest (Google Trends, ...) before and after.

Reads ``index_series``. Each export's series is compared within itself (Google Trends scales
every export to its own peak): mean over the periods starting in each window, the lift, and
its bounds with the ``<1`` cells anywhere in [0, 1]. Periods flagged ``is_partial`` (pytrends'
``isPartial``, a period still running when the data was taken) are left out of the means
unless ``[indices] include_partial = true``; the report says how many were left out.
"""

from __future__ import annotations

import ibis.expr.types as ir
import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from ripplemeter.evaluate import metrics as M
from ripplemeter.evaluate.context import EvalContext, Window
from ripplemeter.evaluate.lift import relative_change
from ripplemeter.evaluate.section import (
    Figure,
    SectionResult,
    comparison_figures,
    register_section,
)

BELOW_ONE_AS = M.BELOW_ONE_AS  # Google Trends '<1': the rule is stated in the registry
BELOW_ONE_NOTE = (
    f"Google Trends shows '<1' for search interest above 0 but below 1: it is kept as "
    f"exported, counted as {BELOW_ONE_AS:g} in averages, and the search-interest table also "
    "gives the change with it counted as 0 and as 1."
)

#: Index sources in the words of a reader (the ``source`` column of ``index_series``).
SOURCE_NAMES = {
    "google_trends": "Google Trends",
    "baidu_index": "Baidu Index",
    "wechat_index": "WeChat Index",
    "naver_datalab": "Naver DataLab",
}

PARTIAL_NOTE = (
    "A period marked partial (Google Trends' isPartial, or a week or month not over when the "
    "data was downloaded) holds only part of its searches: {n} such period(s) were left out "
    "of the means ([indices] include_partial = true keeps them)."
)


class Settings(BaseModel):
    """``[indices]`` in campaign.toml.

    Attributes
    ----------
    include_partial : bool
        Keep periods flagged ``is_partial`` in the means (default False: a period that was
        not over when the index was taken reads low, so it is left out).
    """

    model_config = ConfigDict(extra="forbid")
    include_partial: bool = False


def source_name(source: str) -> str:
    """An index source as a reader knows it (``google_trends`` -> ``Google Trends``)."""
    return SOURCE_NAMES.get(str(source), str(source).replace("_", " "))


def index_series_expr(index_series: ir.Table) -> ir.Table:
    """The index rows the section reads, ordered for grouping (Ibis expression)."""
    return index_series.select(
        "import_id", "source", "term", "geo", "period", "date", "value", "below_one", "is_partial"
    ).order_by(["source", "term", "geo", "import_id", "date"])


def third_party(
    series: pd.DataFrame, window: Window, *, include_partial: bool = False
) -> dict[str, dict]:
    """Baseline vs campaign mean of each index series, per source, term and region.

    Periods are compared within one export only. ``<1`` counts as :data:`BELOW_ONE_AS` in
    the headline; the lift is also given with ``<1`` at 0 and at 1 (``lift_bounds``).

    Parameters
    ----------
    series : DataFrame
        Index rows (from :func:`index_series_expr`).
    window : Window
    include_partial : bool
        Keep periods flagged ``is_partial`` (default: left out of both windows' means;
        ``partial_periods_left_out`` counts them).

    Returns
    -------
    dict[source, dict[key, dict]]
        key is the term, or ``term (geo)`` when a term appears for several regions/exports.
    """
    s = series
    out: dict[str, dict] = {}
    if s.empty:
        return out
    groups = list(s.groupby(["source", "term", "geo", "import_id"], sort=True, dropna=False))
    term_count: dict[tuple, int] = {}
    for (src, term, _geo, _imp), _ in groups:
        term_count[(src, term)] = term_count.get((src, term), 0) + 1
    for (src, term, geo, imp), g in groups:
        d = pd.to_datetime(g["date"]).dt.date
        inb = d.between(window.baseline.start, window.baseline.end).to_numpy()
        inc = d.between(window.campaign.start, window.campaign.end).to_numpy()
        partial = (
            g["is_partial"].fillna(False).to_numpy(bool)
            if "is_partial" in g.columns
            else np.zeros(len(g), bool)
        )
        left_out = 0
        if not include_partial:
            left_out = int((partial & (inb | inc)).sum())
            inb, inc = inb & ~partial, inc & ~partial
        below = g["below_one"].fillna(False).to_numpy(bool)
        raw = g["value"].to_numpy(float)

        def mean(
            mask: np.ndarray, fill: float, below: np.ndarray = below, raw: np.ndarray = raw
        ) -> float | None:
            v = np.where(below, fill, raw)[mask]
            v = v[~np.isnan(v)]
            return float(v.mean()) if len(v) else None

        mb, mc = mean(inb, BELOW_ONE_AS), mean(inc, BELOW_ONE_AS)
        reasons: dict[str, str] = {}
        ch = relative_change(mc, mb, what="baseline mean")
        if mb is None:
            reasons["baseline_mean"] = "no period of this export starts in the baseline window"
        if mc is None:
            reasons["campaign_mean"] = "no period of this export starts in the campaign window"
        if ch.reason and mb is not None and mc is not None:
            reasons["lift"] = ch.reason
        elif ch.lift is None:
            reasons["lift"] = "needs both windows in one export (each export is scaled on its own)"
        # '<1' anywhere in [0, 1]: lowest lift with campaign '<1' at 0 and baseline at 1,
        # highest with campaign at 1 and baseline at 0
        low = relative_change(mean(inc, 0.0), mean(inb, 1.0))
        high = relative_change(mean(inc, 1.0), mean(inb, 0.0))
        lo_hi = [x.lift for x in (low, high) if x.lift is not None]
        if low.lift is not None and high.lift is None and mb is not None:
            reasons["lift_bounds"] = "unbounded above: the baseline mean is 0 with '<1' at 0"
        key = str(term) if term_count[(src, term)] == 1 else f"{term} ({geo})"
        if key in out.get(src, {}):
            key = f"{term} ({geo}, import {imp})"
        out.setdefault(str(src), {})[key] = {
            "term": term,
            "geo": geo,
            "source_name": source_name(src),
            "period": g["period"].iloc[0],
            "import_id": int(imp),
            "baseline_mean": mb,
            "campaign_mean": mc,
            "lift": ch.lift,
            "difference": ch.difference,
            "lift_bounds": lo_hi if len(lo_hi) == 2 else None,
            "baseline_periods": int(inb.sum()),
            "campaign_periods": int(inc.sum()),
            "below_one_periods": int(below[inb | inc].sum()),
            "below_one_counted_as": BELOW_ONE_AS,
            "partial_periods_left_out": left_out,
            **({"reasons": reasons} if reasons else {}),
        }
    return out


@register_section
class IndicesSection:
    """Third-party interest indices, baseline vs campaign."""

    id = "indices"
    title = "Search interest"
    order = 60
    headline_group = "search"
    metrics = (M.INDEX_LIFT, M.INDEX_MEAN, M.INDEX_BELOW_ONE, M.DIFFERENCE)
    settings = Settings

    def headline(self, res: SectionResult) -> list[tuple[str, str]]:
        """Headline cards: the change of each term's search interest (those that have one)."""
        return [
            (
                f"quantitative.third_party.{src}.{k}.lift",
                f"search interest in “{v['term']}” ({source_name(src)}) vs baseline",
            )
            for src, terms in res.data["quantitative.third_party"].items()
            for k, v in terms.items()
            if v["lift"] is not None
        ]

    def run(self, ctx: EvalContext) -> SectionResult:
        series = index_series_expr(ctx.tables.index_series).to_pandas()
        if series.empty:
            return SectionResult.no_data(
                "no search-interest index (such as a Google Trends export) among the sources",
                {"quantitative.third_party": {}},
            )
        opts = ctx.settings_for(self) or Settings()
        third = third_party(series, ctx.window, include_partial=opts.include_partial)
        left_out = sum(
            v["partial_periods_left_out"] for terms in third.values() for v in terms.values()
        )
        notes = [BELOW_ONE_NOTE]
        if left_out:
            notes.append(PARTIAL_NOTE.format(n=left_out))
        figs: list[Figure] = []
        for src, terms in third.items():
            for k, v in terms.items():
                figs.append(
                    Figure(
                        f"quantitative.third_party.{src}.{k}.lift",
                        "index_lift",
                        v["lift"],
                        v.get("reasons", {}).get("lift"),
                    )
                )
        for src, terms in third.items():
            for k, v in terms.items():
                p = f"quantitative.third_party.{src}.{k}"
                figs += comparison_figures(
                    p,
                    v,
                    mean_metric="index_mean",
                    interval_metric="index_lift",
                    means=("baseline_mean", "campaign_mean"),
                    interval="lift_bounds",
                )
                figs.append(
                    Figure(
                        f"{p}.below_one_periods", "index_below_one_periods", v["below_one_periods"]
                    )
                )
        return SectionResult(
            figures=figs,
            data={"quantitative.third_party": third},
            frames={"index": series},
            notes=notes,
        )
