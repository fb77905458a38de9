"""Campaign evaluation: import a campaign's sources and compute its report figures.

>>> from ripplemeter.campaign import load_campaign          # doctest: +SKIP
>>> result = evaluate_campaign(load_campaign("campaign.toml"))  # doctest: +SKIP
>>> result.cpc.value, result.metrics()["quantitative"]["exposure"]["impressions"]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ripplemeter import __version__
from ripplemeter.campaign import Campaign
from ripplemeter.evaluate import metrics as M
from ripplemeter.evaluate import quantitative as Q
from ripplemeter.evaluate.seeding import SeedingResult, plan_seeding
from ripplemeter.formats import SourceContext
from ripplemeter.workspace import ImportResult, Workspace

__all__ = ["CampaignEvaluation", "evaluate_campaign", "default_workspace_path"]


@dataclass
class CampaignEvaluation:
    """Everything the report shows, as typed results and DataFrames.

    Attributes
    ----------
    campaign : Campaign
    imports : list[ImportResult]
        One per source, in campaign.toml order.
    exposure, baseline_exposure : quantitative.Exposure
        Posts created in the campaign / baseline window.
    daily_exposure : dict[str, LiftEstimate]
        Account-level daily series (impressions, engagements) baseline vs campaign.
    ave : quantitative.Ave
    cpc : quantitative.Cpc or None
        None when the campaign has no spend data.
    conversion : dict[str, dict]
    third_party : dict[str, dict]
    series : dict[str, DataFrame]
        ``posts_per_day`` (campaign and baseline windows), ``account_daily``, ``outcomes``,
        ``index`` for charts.
    top_posts : DataFrame
    warnings, notes : list[str]
    """

    campaign: Campaign
    imports: list[ImportResult]
    exposure: Q.Exposure
    baseline_exposure: Q.Exposure
    daily_exposure: dict[str, Q.LiftEstimate]
    ave: Q.Ave
    cpc: Q.Cpc | None
    conversion: dict[str, dict]
    third_party: dict[str, dict]
    series: dict[str, pd.DataFrame] = field(default_factory=dict)
    top_posts: pd.DataFrame | None = None
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seeding: SeedingResult | None = None

    def exposure_lift(self) -> dict[str, dict]:
        """Campaign vs baseline window for each exposure figure: lift and difference.

        Lift = campaign / baseline - 1; null with a reason when the baseline is 0 or missing,
        with the absolute difference beside it.
        """
        out: dict[str, dict] = {}
        for k in ("posts", "original_posts", *(m.id for m in Q.EXPOSURE_SUMS)):
            b, v = self.baseline_exposure.values.get(k), self.exposure.values.get(k)
            r = M.ratio(v, b, what="baseline")
            d: dict = {
                "baseline": b,
                "campaign": v,
                "lift": r.value - 1 if r.value is not None else None,
                "difference": v - b if v is not None and b is not None else None,
            }
            if r.reason:
                d["reason"] = r.reason
            out[k] = d
        return out

    def metrics(self) -> dict:
        """The metrics.json document: every figure, its metric id and the definitions."""
        c = self.campaign
        quant: dict = {
            "exposure": self.exposure.to_dict(),
            "baseline_exposure": self.baseline_exposure.to_dict(),
            "exposure_lift": self.exposure_lift(),
            "daily_exposure": {k: v.to_dict() for k, v in self.daily_exposure.items()},
            "ave": self.ave.to_dict(),
            "conversion": self.conversion,
            "third_party": self.third_party,
        }
        if self.cpc is not None:
            quant["cpc"] = self.cpc.to_dict()
        figures = self._figures(quant)
        seeding = self.seeding.to_dict() if self.seeding is not None else None
        if seeding is not None and seeding.get("spread"):
            figures.append(
                {
                    "path": "seeding.spread.mean",
                    "metric": "expected_spread",
                    "value": seeding["spread"]["mean"],
                }
            )
        used = sorted({f["metric"] for f in figures} | {"posts_per_day"})
        return {
            "ripplemeter_version": __version__,
            "generated_data": c.generated,
            "campaign": {
                "name": c.name,
                "start": c.start.isoformat(),
                "end": c.end.isoformat(),
                "baseline_start": c.baseline_start.isoformat(),
                "baseline_end": c.baseline_end.isoformat(),
                "baseline_defaulted": c.baseline_defaulted,
                "timezone": c.timezone,
                "currency": c.currency,
                "days": c.days,
                "baseline_days": c.baseline_days,
            },
            "sources": [
                {
                    "path": str(r.path),
                    "format": r.format,
                    "import_id": r.import_id,
                    "rows": r.rows,
                    "already_imported": r.skipped,
                    "notes": r.notes,
                }
                for r in self.imports
            ],
            "quantitative": quant,
            "seeding": seeding,
            "figures": figures,
            "warnings": self.warnings,
            "notes": self.notes,
            "definitions": {mid: M.get(mid).definition() for mid in used},
        }

    @staticmethod
    def _figures(quant: dict) -> list[dict]:
        """Map each reported figure's path in metrics.json to its metric id."""
        figs: list[dict] = []

        def add(path: str, metric: str, value: object) -> None:
            figs.append({"path": path, "metric": metric, "value": value})

        for k, v in quant["exposure_lift"].items():
            add(f"quantitative.exposure_lift.{k}.lift", "lift", v["lift"])
        for sect in ("exposure", "baseline_exposure"):
            e = quant[sect]
            for k in (
                "posts",
                "original_posts",
                *(m.id for m in Q.EXPOSURE_SUMS),
                "engagement_rate_impressions",
                "engagement_rate_reach",
            ):
                add(f"quantitative.{sect}.{k}", k, e.get(k))
        for k, v in quant["daily_exposure"].items():
            mid = Q.DAILY_METRICS[k].id
            add(
                f"quantitative.daily_exposure.{k}.baseline_daily_mean",
                mid,
                v["baseline_daily_mean"],
            )
            add(
                f"quantitative.daily_exposure.{k}.campaign_daily_mean",
                mid,
                v["campaign_daily_mean"],
            )
            add(f"quantitative.daily_exposure.{k}.lift", "lift", v["lift"])
        add("quantitative.ave.total", "ave", quant["ave"]["total"])
        if "cpc" in quant:
            add("quantitative.cpc.value", "cpc", quant["cpc"]["value"])
            add("quantitative.cpc.index", "cpc_index", quant["cpc"]["index"])
            add("quantitative.cpc.spend", "spend", quant["cpc"]["spend"])
            if quant["cpc"]["reach"] is not None:
                add("quantitative.cpc.reach", "ad_reach", quant["cpc"]["reach"])
        for k, v in quant["conversion"].items():
            add(f"quantitative.conversion.{k}.lift", "conversion_lift", v["lift"])
        for src, terms in quant["third_party"].items():
            for k, v in terms.items():
                add(f"quantitative.third_party.{src}.{k}.lift", "index_lift", v["lift"])
        return figs


def default_workspace_path(campaign: Campaign) -> Path:
    """``ripplemeter.duckdb`` beside the campaign file (or in the current folder)."""
    return (campaign.path.parent if campaign.path else Path.cwd()) / "ripplemeter.duckdb"


def import_sources(
    ws: Workspace, campaign: Campaign, progress: Callable[[str], None] | None = None
) -> list[ImportResult]:
    """Import every source of the campaign (idempotently) and return the results in order."""
    results = []
    for src in campaign.sources:
        ctx = SourceContext(
            platform=src.platform,
            account=src.account,
            columns=src.columns,
            table=src.table,
            timezone=src.timezone,
            currency=campaign.currency,
        )
        if progress:
            progress(f"importing {src.path.name}")
        results.append(ws.import_file(src.path, src.format, ctx))
    return results


def evaluate_campaign(
    campaign: Campaign,
    workspace: Workspace | str | Path | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    top_n: int = 10,
) -> CampaignEvaluation:
    """Import the campaign's sources and evaluate it.

    Parameters
    ----------
    campaign : Campaign
        From :func:`ripplemeter.campaign.load_campaign`.
    workspace : Workspace, str or Path, optional
        Workspace to use; default ``ripplemeter.duckdb`` beside campaign.toml. Only rows that
        came from the campaign's own sources are evaluated.
    progress : callable, optional
        Receives short stage descriptions.
    top_n : int
        Number of top posts listed.

    Returns
    -------
    CampaignEvaluation

    Raises
    ------
    FormatError
        A source does not match its format (nothing of that source was written).
    EvaluationError
        Currencies mixed without an [[fx]] rate.
    """
    own = not isinstance(workspace, Workspace)
    ws = (
        workspace
        if isinstance(workspace, Workspace)
        else Workspace(workspace if workspace is not None else default_workspace_path(campaign))
    )
    try:
        return _evaluate(ws, campaign, progress, top_n)
    finally:
        if own:
            ws.close()


def _evaluate(
    ws: Workspace, c: Campaign, progress: Callable[[str], None] | None, top_n: int
) -> CampaignEvaluation:
    imports = import_sources(ws, c, progress)
    ids = sorted({r.import_id for r in imports})
    con = ws.con
    if progress:
        progress("evaluating")
    lo, hi = c.window_utc()
    blo, bhi = c.baseline_utc()
    # rank each window's posts once into a temporary table; every figure reads from it
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _rm_campaign AS "
        + Q.latest_posts_sql(ids, created_from=lo, created_before=hi)
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _rm_baseline AS "
        + Q.latest_posts_sql(ids, created_from=blo, created_before=bhi)
    )
    latest, blatest = "SELECT * FROM _rm_campaign", "SELECT * FROM _rm_baseline"
    undated = Q.undated_posts(con, ids)
    exp = Q.exposure(con, latest, lo, hi, undated=undated)
    bexp = Q.exposure(con, blatest, blo, bhi, undated=undated)
    daily = Q.account_daily(con, ids)
    daily_exp = {k: Q.daily_lift(daily, k, c) for k in Q.DAILY_METRICS} if len(daily) else {}
    warnings: list[str] = []
    notes: list[str] = []
    if exp.undated_posts:
        notes.append(
            f"{exp.undated_posts} posts have no creation date (e.g. the UCI Facebook metrics "
            "export keeps only month, weekday and hour) and are left out of every window metric."
        )
    for r in imports:
        notes.extend(r.notes)
    for name, (a, b) in {
        "baseline": (bexp, exp),
        "campaign": (exp, bexp),
    }.items():
        if a.values["posts"] == 0 and b.values["posts"] > 0:
            win = (
                f"{c.baseline_start}..{c.baseline_end}"
                if name == "baseline"
                else f"{c.start}..{c.end}"
            )
            warnings.append(
                f"no imported post was created in the {name} window {win}: check that the post "
                "exports cover it; post-level lifts are left empty"
                + (", compare the daily account exposure instead" if len(daily) else "")
            )
    ave = Q.ave(con, latest, lo, hi, c)
    warnings.extend(ave.warnings)
    cpc = Q.cpc(con, ids, c)
    if cpc is not None:
        warnings.extend(cpc.warnings)
    conv, outcomes = Q.conversion(con, ids, c)
    third, index = Q.third_party(con, ids, c)
    if third:
        notes.append(
            "Google Trends '<1' (more than 0, less than 1) is kept as a flag on import; in "
            "means it counts as 0.5, and lift_bounds give the lift with it at 0 and at 1."
        )
    series = {
        "posts_per_day": Q.posts_per_day(con, latest, c.start, c.end, c.timezone),
        "baseline_posts_per_day": Q.posts_per_day(
            con, blatest, c.baseline_start, c.baseline_end, c.timezone
        ),
        "account_daily": daily,
        "outcomes": outcomes,
        "index": index,
    }
    top = Q.top_posts(con, latest, lo, hi, top_n)
    if progress:
        progress("planning seeds")
    seeding = plan_seeding(ws, c)
    return CampaignEvaluation(
        c,
        imports,
        exp,
        bexp,
        daily_exp,
        ave,
        cpc,
        conv,
        third,
        series,
        top,
        warnings,
        notes,
        seeding,
    )
