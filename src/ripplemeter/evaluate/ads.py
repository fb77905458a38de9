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
from ripplemeter.evaluate.context import EvalContext, Period
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


def window_position(start: object, end: object, window: Period) -> bool | None:
    """Where a reporting period lies relative to a window: inside, outside or straddling.

    Parameters
    ----------
    start, end : date, datetime, pandas.Timestamp or None
        First and last day of the period, inclusive (a timestamp counts by its date; a
        single day is ``start == end``). None, NaN and NaT mean unknown.
    window : Period
        The window, by its local dates ``window.start`` .. ``window.end`` (inclusive).

    Returns
    -------
    bool or None
        True when the whole period lies inside the window, False when it lies entirely
        before or after it, None when it straddles a bound or a date is unknown.

    Examples
    --------
    >>> import datetime as dt
    >>> from ripplemeter.evaluate.context import Period
    >>> w = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31), None, None)
    >>> window_position("2026-03-02", "2026-03-20", w)
    True
    >>> window_position("2026-02-01", "2026-02-28", w)
    False
    >>> window_position("2026-02-20", "2026-03-05", w) is None
    True
    """
    a = pd.Timestamp(start).date() if pd.notna(start) else None
    b = pd.Timestamp(end).date() if pd.notna(end) else None
    if a is None or b is None:
        return None
    if window.start <= a and b <= window.end:
        return True
    if b < window.start or a > window.end:
        return False
    return None  # straddles


def to_campaign_currency(amount: float, currency: object, ctx: EvalContext, where: str) -> float:
    """An amount in the campaign's reporting currency, by the ``[[fx]]`` rate of its own.

    Parameters
    ----------
    amount : float
        Money in ``currency``.
    currency : str or None
        ISO 4217 code of ``amount``; None/NaN means the campaign's currency.
    ctx : EvalContext
        Gives the reporting currency and the ``[[fx]]`` rates.
    where : str
        The row, for the error message (``"spend.csv, row 2"``).

    Returns
    -------
    float
        ``amount`` times the rate (1 for the campaign's own currency).

    Raises
    ------
    EvaluationError
        ``currency`` is not the campaign's and campaign.toml gives no ``[[fx]]`` rate for it
        (no rate is guessed).
    """
    cur = str(currency) if pd.notna(currency) else ctx.currency
    rate = ctx.to_rate(cur)
    if rate is None:
        raise EvaluationError(
            f"{where}: spend is in {cur} but the campaign reports in {ctx.currency}; "
            f'add [[fx]] currency = "{cur}" rate = ... to campaign.toml (no rate is guessed)'
        )
    return amount * rate


def row_location(ctx: EvalContext, import_id: object, source_row: object) -> str:
    """``"<file name>, row <n>"``: a source row named for messages (``?`` for an unknown file)."""
    return f"{_name(ctx.source_paths.get(import_id))}, row {source_row}"


def read_ads_rows(ctx: EvalContext) -> pd.DataFrame:
    """The campaign's ``ad_metrics`` rows without breakdown, by import and source row.

    Campaign rows and account-total rows (``is_total``) both come back; breakdown rows (by
    age, placement, ...) never do.
    """
    am = ctx.tables.ad_metrics
    return am.filter(am.breakdown.isnull()).order_by(["import_id", "source_row"]).to_pandas()


def read_spend_rows(ctx: EvalContext) -> pd.DataFrame:
    """The campaign's ``spend`` rows, by import and source row."""
    return ctx.tables.spend.order_by(["import_id", "source_row"]).to_pandas()


def _is_total(ads: pd.DataFrame) -> pd.Series:
    """Boolean mask of the account-total rows (``is_total`` NULL counts as a campaign row)."""
    return ads["is_total"].fillna(False).astype(bool)


def cpc_disagrees(own: float | None, reported: float | None) -> bool:
    """Whether a row's spend / link clicks differs from the export's own CPC.

    Parameters
    ----------
    own : float or None
        spend / link clicks computed from the row (None: no clicks).
    reported : float or None
        The export's CPC column (None: absent).

    Returns
    -------
    bool
        True when both are known and differ by more than the export's rounding
        (``5e-8 * max(1, reported) + 5e-9``: exports give 8 decimals).
    """
    if own is None or reported is None:
        return False
    return abs(own - reported) > 5e-8 * max(1.0, reported) + 5e-9


def straddling_warning(straddling: list[str], window: Period) -> str:
    """The one warning naming the ads rows left out for straddling the window.

    Parameters
    ----------
    straddling : list[str]
        One description per row (``"file.csv, row 3 (Launch, 2026-02-20..2026-03-05)"``);
        not empty.
    window : Period
        The campaign window.

    Returns
    -------
    str
        The count, the window and the first three rows (then "and N more").
    """
    shown = "; ".join(straddling[:3]) + (
        f"; and {len(straddling) - 3} more" if len(straddling) > 3 else ""
    )
    return (
        f"{len(straddling)} ads row(s) have a reporting period that straddles the window "
        f"{window.start}..{window.end} and are left out: {shown}"
    )


@dataclass
class CountedAds:
    """The ads-export campaign rows counted in the window (see :func:`counted_ads_rows`).

    Attributes
    ----------
    spend : float
        Their spend in the campaign currency, added in row order.
    link_clicks : int
    campaigns : list[dict]
        One dict per counted row: campaign, spend, link_clicks, cpc, cpc_reported, reach,
        impressions.
    keys : list[tuple[int, int]]
        ``(import_id, source_row)`` of each counted row (joins ``ad_conversions``).
    export_ids : set[int]
        Imports that have a counted row.
    agrees : bool
        No counted row's spend / link clicks differs from its exported CPC.
    """

    spend: float = 0.0
    link_clicks: int = 0
    campaigns: list[dict] = field(default_factory=list)
    keys: list[tuple[int, int]] = field(default_factory=list)
    export_ids: set[int] = field(default_factory=set)
    agrees: bool = True


def counted_ads_rows(ads: pd.DataFrame, ctx: EvalContext, warnings: list[str]) -> CountedAds:
    """Add up the ads-export campaign rows whose reporting period lies inside the window.

    Parameters
    ----------
    ads : pandas.DataFrame
        ``ad_metrics`` rows without breakdown (:func:`read_ads_rows`), sorted by import and
        source row.
    ctx : EvalContext
    warnings : list[str]
        Appended to, in this order: exports of one campaign over overlapping periods (only
        the later import counts), each counted row whose spend / link clicks differs from
        the export's CPC, then one warning naming the rows that straddle the window.

    Returns
    -------
    CountedAds

    Raises
    ------
    EvaluationError
        A counted row's spend is in a currency with no ``[[fx]]`` rate.

    Notes
    -----
    Account-total rows are never added; rows entirely outside the window are skipped
    silently; rows straddling it are left out and named.
    """
    out = CountedAds()
    if ads.empty:
        return out
    window = ctx.window.campaign
    rows = _drop_overlapping_exports(ads[~_is_total(ads)], dict(ctx.source_paths), warnings)
    straddling: list[str] = []
    for r in rows.itertuples():
        where = row_location(ctx, r.import_id, r.source_row)
        pos = window_position(r.reporting_start, r.reporting_end, window)
        if pos is None:
            straddling.append(
                f"{where} ({r.campaign}, {r.reporting_start:%Y-%m-%d}..{r.reporting_end:%Y-%m-%d})"
            )
            continue
        if not pos:
            continue
        sp = to_campaign_currency(
            float(r.spend) if pd.notna(r.spend) else 0.0, r.currency, ctx, where
        )
        lc = int(r.link_clicks) if pd.notna(r.link_clicks) else 0
        out.spend += sp
        out.link_clicks += lc
        out.export_ids.add(int(r.import_id))
        out.keys.append((int(r.import_id), int(r.source_row)))
        own = float(r.spend) / lc if lc else None
        rep = float(r.cpc_reported) if pd.notna(r.cpc_reported) else None
        if cpc_disagrees(own, rep):
            out.agrees = False
            warnings.append(
                f"{where} ({r.campaign}): spend / link clicks = {own:.8f} but the "
                f"export's CPC is {rep:.8f}"
            )
        out.campaigns.append(
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
    if straddling:
        warnings.append(straddling_warning(straddling, window))
    return out


def account_total(
    ads: pd.DataFrame, export_ids: set[int], window: Period
) -> tuple[float | None, int | None]:
    """The export's own CPC and de-duplicated reach, from its account-total row.

    Parameters
    ----------
    ads : pandas.DataFrame
        ``ad_metrics`` rows without breakdown (:func:`read_ads_rows`).
    export_ids : set[int]
        Imports whose campaign rows were counted (:attr:`CountedAds.export_ids`).
    window : Period
        The campaign window.

    Returns
    -------
    (reported, reach) : tuple of float or None, int or None
        Both None unless exactly one export is counted and it has exactly one total row,
        whose reporting period lies inside the window.
    """
    if ads.empty or len(export_ids) != 1:
        return None, None
    totals = ads[_is_total(ads)]
    t = totals[totals["import_id"] == next(iter(export_ids))]
    if len(t) == 1 and window_position(t.iloc[0].reporting_start, t.iloc[0].reporting_end, window):
        return clean(t.iloc[0].cpc_reported), clean(t.iloc[0].reach)
    return None, None


def conversions(
    ctx: EvalContext, keys: list[tuple[int, int]], spend: float
) -> dict[str, dict[str, float | None]]:
    """Conversions on the counted ads rows, by name, and the cost of each.

    Parameters
    ----------
    ctx : EvalContext
        ``ad_conversions`` is read through ``ctx.tables`` (only when ``keys`` is not empty).
    keys : list[tuple[int, int]]
        ``(import_id, source_row)`` of the counted ``ad_metrics`` rows.
    spend : float
        Spend of those rows (campaign currency): ``spend`` rows are not included.

    Returns
    -------
    dict
        name -> ``{"value": total, "cost_per": spend / total}`` (``cost_per`` None when the
        total is 0), largest total first. NULL values are left out of the totals.
    """
    if not keys:
        return {}
    rows = (
        ctx.tables.ad_conversions.select("import_id", "source_row", "name", "value")
        .order_by(["import_id", "source_row", "name"])
        .to_pandas()
    )
    counted = set(keys)
    totals: dict[str, float] = {}
    for r in rows.itertuples():
        if (int(r.import_id), int(r.source_row)) in counted and pd.notna(r.value):
            totals[r.name] = totals.get(r.name, 0.0) + float(r.value)
    return {
        name: {"value": clean(v), "cost_per": (spend / v) if v else None}
        for name, v in sorted(totals.items(), key=lambda kv: -kv[1])
    }


def spend_rows(
    rows: pd.DataFrame, ctx: EvalContext, warnings: list[str]
) -> list[tuple[float, int]]:
    """The ``spend`` rows that count in the window: spend (campaign currency) and clicks.

    Parameters
    ----------
    rows : pandas.DataFrame
        ``spend`` rows (:func:`read_spend_rows`), in import and source-row order.
    ctx : EvalContext
    warnings : list[str]
        Appended to: one warning per period row straddling the window (left out).

    Returns
    -------
    list[tuple[float, int]]
        ``(amount, link_clicks)`` per counted row, in row order (NULL amount and clicks: 0).

    Raises
    ------
    EvaluationError
        A counted row's amount is in a currency with no ``[[fx]]`` rate.

    Notes
    -----
    A dated row counts when its date is in the window; an undated row when its whole
    reporting period is. A dated row is never "straddling"; an undated row with no complete
    period is treated as straddling.
    """
    window = ctx.window.campaign
    out: list[tuple[float, int]] = []
    for r in rows.itertuples():
        where = row_location(ctx, r.import_id, r.source_row)
        if pd.notna(r.date):
            pos = window_position(r.date, r.date, window)
        else:
            pos = window_position(r.reporting_start, r.reporting_end, window)
            if pos is None:
                warnings.append(f"{where}: reporting period straddles the window; left out")
                continue
        if not pos:
            continue
        amount = to_campaign_currency(
            float(r.amount) if pd.notna(r.amount) else 0.0, r.currency, ctx, where
        )
        out.append((amount, int(r.link_clicks) if pd.notna(r.link_clicks) else 0))
    return out


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

    Notes
    -----
    The steps: :func:`counted_ads_rows`, :func:`account_total`, :func:`conversions` (cost per
    conversion over the ads rows' spend only), then :func:`spend_rows`, whose amounts are
    added after the ads rows' spend, row by row.
    """
    ads = read_ads_rows(ctx)
    spend = read_spend_rows(ctx)
    if ads.empty and spend.empty:
        return None
    if not ads.empty:
        ads = ads.sort_values(["import_id", "source_row"])
    warnings: list[str] = []
    counted = counted_ads_rows(ads, ctx, warnings)
    reported, reach = account_total(ads, counted.export_ids, ctx.window.campaign)
    conv = conversions(ctx, counted.keys, counted.spend)
    if counted.export_ids and not spend.empty:
        warnings.append(
            "spend comes from both ads exports and spend rows; they are added, so make sure "
            "they do not describe the same spend"
        )
    reasons: dict[str, str] = {}
    if len(counted.export_ids) > 1:
        reasons["reported"] = "several exports are counted; no single export CPC to compare"
    total_spend, total_clicks = counted.spend, counted.link_clicks
    for amount, clicks in spend_rows(spend, ctx, warnings):
        total_spend += amount
        total_clicks += clicks
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
        counted.agrees if counted.campaigns else None,
        reach,
        counted.campaigns,
        warnings,
        reasons,
        conv,
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
            Figure(f"{p}.index", "cpc_index", d["index"], r.get("benchmark") or r.get("value")),
            Figure(f"{p}.spend", "spend", d["spend"]),
        ]
        if d["reach"] is not None:
            figs.append(Figure(f"{p}.reach", "ad_reach", d["reach"]))
        figs += [
            Figure(f"{p}.link_clicks", "ad_link_clicks", d["link_clicks"]),
            Figure(f"{p}.benchmark", "cpc_benchmark", d["benchmark"], r.get("benchmark")),
            Figure(
                f"{p}.reported",
                "cpc_reported",
                d["reported"],
                r.get("reported") or "no single export's account-total row covers the window",
            ),
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
                Figure(
                    f"{p}.campaigns.{i}.cpc",
                    "cpc",
                    row["cpc"],
                    None if row["cpc"] is not None else "no link clicks on this row",
                ),
                Figure(
                    f"{p}.campaigns.{i}.cpc_reported",
                    "cpc_reported",
                    row["cpc_reported"],
                    None if row["cpc_reported"] is not None else "the export gives no CPC here",
                ),
            ]
        return SectionResult(figures=figs, data={p: d}, warnings=list(res.warnings))
