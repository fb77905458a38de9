"""The ads section: media spend, cost per click against the benchmark, reach, conversions.

Reads ``ad_metrics`` (ads-manager exports: campaign rows, never the account-total row or
breakdown rows), ``ad_conversions`` and ``spend``. CPC = spend / link clicks over the rows
whose reporting period lies inside the campaign window (Meta's own definition, checked
against the export's CPC column).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ripplemeter.errors import EvaluationError
from ripplemeter.evaluate import metrics as M
from ripplemeter.evaluate.context import EvalContext
from ripplemeter.evaluate.section import Figure, SectionResult, clean, register_section


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


def cpc(ctx: EvalContext) -> Cpc | None:
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
    am = ctx.tables.ad_metrics
    ads = am.filter(am.breakdown.isnull()).order_by(["import_id", "source_row"]).to_pandas()
    spend_rows = ctx.tables.spend.order_by(["import_id", "source_row"]).to_pandas()
    if ads.empty and spend_rows.empty:
        return None
    warnings: list[str] = []
    s0, s1 = ctx.window.campaign.start, ctx.window.campaign.end

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
        cur = str(cur) if pd.notna(cur) else ctx.currency
        rate = ctx.to_rate(cur)
        if rate is None:
            raise EvaluationError(
                f"{where}: spend is in {cur} but the campaign reports in {ctx.currency}; "
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
    paths = dict(ctx.source_paths)
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
                    "reach": clean(r.reach),
                    "impressions": clean(r.impressions),
                }
            )
        totals = ads[ads["is_total"].fillna(False).astype(bool)]
        if len(export_ids) == 1:
            t = totals[totals["import_id"] == next(iter(export_ids))]
            if len(t) == 1 and inside(t.iloc[0].reporting_start, t.iloc[0].reporting_end):
                reported = clean(t.iloc[0].cpc_reported)
                reach = clean(t.iloc[0].reach)
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
        conv_rows = ctx.tables.ad_conversions.select(
            "import_id", "source_row", "name", "value"
        ).to_pandas()
        keys = set(counted)
        for r in conv_rows.itertuples():
            if (int(r.import_id), int(r.source_row)) in keys and pd.notna(r.value):
                conversions[r.name] = conversions.get(r.name, 0.0) + float(r.value)
    conv_out = {
        name: {"value": clean(v), "cost_per": (total_spend / v) if v else None}
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
    bench = ctx.benchmarks.get("cpc")
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
        ctx.currency,
        reported,
        agrees if per_campaign else None,
        reach,
        per_campaign,
        warnings,
        reasons,
        conv_out,
    )


def _name(path: object) -> str:
    return Path(str(path)).name if path else "?"


@register_section
class AdsSection:
    """Paid media: spend, CPC against the benchmark, reach and conversions."""

    id = "ads"
    title = "Cost per click"
    order = 40
    metrics = (
        M.SPEND,
        M.CPC,
        M.CPC_INDEX,
        M.CPC_BENCHMARK,
        M.CPC_REPORTED,
        M.AD_REACH,
        M.AD_LINK_CLICKS,
        M.AD_CONVERSIONS,
        M.COST_PER_CONVERSION,
    )
    settings = None

    def headline(self, res: SectionResult) -> list[tuple[str, str]]:
        """Headline cards: spend, CPC, ad reach, the two largest conversions."""
        d = res.data["quantitative.cpc"]
        cur = d["currency"]
        out = [("quantitative.cpc.spend", f"media spend in the window ({cur})")]
        if d["value"] is not None:
            idx = f", {d['index']:.2f}x the benchmark" if d["index"] is not None else ""
            out.append(("quantitative.cpc.value", f"CPC ({cur}){idx}"))
        if d["reach"] is not None:
            out.append(("quantitative.cpc.reach", "people reached by ads (de-duplicated)"))
        for name in list(d["conversions"])[:2]:
            out.append(
                (f"quantitative.cpc.conversions.{name}.value", f"{name.replace('_', ' ')} from ads")
            )
        return out

    def run(self, ctx: EvalContext) -> SectionResult:
        res = cpc(ctx)
        if res is None:
            return SectionResult.no_data("no ads export or spend file among the campaign's sources")
        d = res.to_dict()
        r = d.get("reasons", {})
        p = "quantitative.cpc"
        figs = [
            Figure(f"{p}.value", "cpc", d["value"], r.get("value")),
            Figure(f"{p}.index", "cpc_index", d["index"], r.get("benchmark")),
            Figure(f"{p}.spend", "spend", d["spend"]),
        ]
        if d["reach"] is not None:
            figs.append(Figure(f"{p}.reach", "ad_reach", d["reach"]))
        figs += [
            Figure(f"{p}.link_clicks", "ad_link_clicks", d["link_clicks"]),
            Figure(f"{p}.benchmark", "cpc_benchmark", d["benchmark"], r.get("benchmark")),
            Figure(f"{p}.reported", "cpc_reported", d["reported"], r.get("reported")),
        ]
        for name, cv in d["conversions"].items():
            figs.append(Figure(f"{p}.conversions.{name}.value", "ad_conversions", cv["value"]))
            figs.append(
                Figure(
                    f"{p}.conversions.{name}.cost_per",
                    "cost_per_conversion",
                    cv["cost_per"],
                    None if cv["cost_per"] is not None else "no conversions",
                )
            )
        for i, row in enumerate(d["campaigns"]):
            figs += [
                Figure(f"{p}.campaigns.{i}.spend", "spend", row["spend"]),
                Figure(f"{p}.campaigns.{i}.link_clicks", "ad_link_clicks", row["link_clicks"]),
                Figure(f"{p}.campaigns.{i}.cpc", "cpc", row["cpc"]),
                Figure(f"{p}.campaigns.{i}.cpc_reported", "cpc_reported", row["cpc_reported"]),
            ]
        return SectionResult(figures=figs, data={p: d}, warnings=list(res.warnings))
