"""The ads section: paid media from ads-manager exports and spend files.

Spend, impressions, link clicks, CTR, CPM and CPC (against the benchmark), frequency and
reach from the export's account-total row, results and cost per result, conversions, and the
breakdown exports (age, gender, device, placement) as a table per breakdown.

Reads ``ad_metrics`` (ads-manager exports: campaign rows are added, the account-total row
never is; breakdown rows only make the breakdown tables), ``ad_conversions`` and ``spend``.
CPC = spend / link clicks over the rows whose reporting period lies inside the campaign
window (Meta's own definition, checked against the export's CPC column). Money is shown in
the campaign's currency (converted by its ``[[fx]]`` rates), except the export's own CPC,
which stays in the export's currency and is labelled with it.

References
----------
Meta Business Help Center, Ads Manager metric definitions: "CTR (link click-through rate)",
"CPM (cost per 1,000 impressions)", "Frequency", "Reach", "Results", "Cost per result",
"CPC (cost per link click)" and "About breakdowns".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ripplemeter.errors import EvaluationError
from ripplemeter.evaluate import metrics as M
from ripplemeter.evaluate.context import EvalContext, Period
from ripplemeter.evaluate.metrics import Metric
from ripplemeter.evaluate.section import Figure, SectionResult, clean, register_section
from ripplemeter.formatting import day_span

# ---------------------------------------------------------------- this section's metrics
_META = "Meta Business Help Center, Ads Manager metric"
_ROWS = (
    "Over the ads-export campaign rows counted for spend (reporting period inside the window, "
    "never the account-total row)"
)
_BREAKDOWN_ROWS = (
    "Over the breakdown export's campaign rows with this value whose reporting period lies "
    "inside the window, added across campaigns (the export's account-total row is never "
    "added); money converted to the campaign currency by its [[fx]] rates."
)

AD_IMPRESSIONS = Metric(
    "ad_impressions",
    "Impressions of ads",
    "sum(impressions) over the counted rows",
    "count",
    f"{_META} 'Impressions': the number of times the ads were on a screen",
    f"{_ROWS}, plus spend rows that report impressions; for a breakdown value, over the "
    "breakdown export's rows with that value. Impressions can be added across rows (reach "
    "cannot).",
)
CTR = Metric(
    "ctr",
    "Link click-through rate (CTR)",
    "link clicks / impressions",
    "ratio",
    f"{_META} 'CTR (link click-through rate)': the percentage of times people saw an ad and "
    "performed a link click (link clicks / impressions)",
    "Shown as a percentage. The same rows for both counts: a spend row without impressions "
    "is left out of CTR (and named in a note). A row with no link clicks in the export (an "
    "empty cell) counts 0 clicks, as Ads Manager leaves the cell empty for none. Null when "
    "impressions are 0. Computed for the window, each campaign row and each breakdown value.",
)
CPM = Metric(
    "cpm",
    "Cost per 1,000 impressions (CPM)",
    "spend / impressions x 1,000",
    "currency per 1,000 impressions",
    f"{_META} 'CPM (cost per 1,000 impressions)': the average cost for 1,000 impressions",
    "Spend of the rows that report impressions, in the campaign currency (converted by the "
    "[[fx]] rates). Null when impressions are 0. Computed for the window and each campaign "
    "row.",
)
FREQUENCY = Metric(
    "frequency",
    "Frequency",
    "impressions / reach, both from one row",
    "impressions per person",
    f"{_META} 'Frequency': the average number of times each person saw an ad",
    "Reach is de-duplicated by the platform and cannot be added across rows (the same person "
    "reached by two campaigns would count twice), so frequency is never computed from summed "
    "reach: for the window it comes from the account-total row of the one ads export counted "
    "(its impressions / its reach), and per campaign from that campaign's row. With several "
    "exports, or no total row, the window's frequency is null with its reason; breakdown "
    "values get none (their reach is split across campaigns). Null when reach is 0.",
)
AD_RESULTS = Metric(
    "ad_results",
    "Results",
    "sum(Results) over the counted rows",
    "count",
    f"{_META} 'Results': the number of times the ads achieved an outcome, based on the "
    "objective and settings selected (the result type names the outcome)",
    "Only results of one type are added: when the counted campaigns count different results "
    "(link clicks for one, purchases for another) the window's total is null and each "
    "campaign row shows its own. An empty Results cell counts 0. Null when the export has no "
    "Results column.",
)
COST_PER_RESULT = Metric(
    "cost_per_result",
    "Cost per result",
    "spend / results",
    "currency per result",
    f"{_META} 'Cost per result': the average cost per result from the ads",
    "Spend of the same rows as the results, in the campaign currency. Null when there are no "
    "results, when the campaigns count different result types, or when the export has no "
    "Results column (add it in Ads Manager before exporting). Reach and impressions results "
    "are priced per 1,000 instead (cost_per_1000_results).",
)
COST_PER_1000_RESULTS = Metric(
    "cost_per_1000_results",
    "Cost per 1,000 results",
    "spend / results x 1,000",
    "currency per 1,000 results",
    f"{_META} 'Cost per result' for the reach objective: cost per 1,000 Accounts Center "
    "accounts reached (and per 1,000 impressions for impressions results)",
    "Used instead of cost_per_result when the result indicator is reach or impressions, as "
    "Ads Manager quotes them; same rows and nulls as cost_per_result.",
)


def cost_per_result_metric(basis: int) -> str:
    """The metric id of a cost per result priced per ``basis`` results (1 or 1,000).

    Parameters
    ----------
    basis : int
        :func:`result_basis` of the result type.

    Returns
    -------
    str
        ``cost_per_1000_results`` for 1,000, else ``cost_per_result``.
    """
    return COST_PER_1000_RESULTS.id if basis == 1000 else COST_PER_RESULT.id


BREAKDOWN_SPEND = Metric(
    "breakdown_spend",
    "Spend by breakdown value",
    "sum(amount spent) over a breakdown export's rows with this value",
    "currency",
    f"{_META} 'Amount spent', broken down (Meta Business Help Center, 'About breakdowns')",
    _BREAKDOWN_ROWS + " Ads Manager's breakdown rows can add up to slightly less than the "
    "campaign totals (values it withholds for privacy); the headline spend comes from the "
    "export without breakdown.",
)
BREAKDOWN_LINK_CLICKS = Metric(
    "breakdown_link_clicks",
    "Link clicks by breakdown value",
    "sum(link clicks) over a breakdown export's rows with this value",
    "count",
    f"{_META} 'Link clicks', broken down (Meta Business Help Center, 'About breakdowns')",
    _BREAKDOWN_ROWS,
)
BREAKDOWN_CPC = Metric(
    "breakdown_cpc",
    "CPC by breakdown value",
    "spend / link clicks over a breakdown export's rows with this value",
    "currency per click",
    f"{_META} 'CPC (cost per link click)', broken down",
    _BREAKDOWN_ROWS + " Null when the value has no link clicks.",
)
BREAKDOWN_CONVERSIONS = Metric(
    "breakdown_conversions",
    "Conversions by breakdown value",
    "sum of a named conversion (purchases, adds to cart, ...) over a breakdown export's rows "
    "with this value",
    "count",
    "Meta Ads Manager conversion columns (as attributed by the platform), broken down",
    _BREAKDOWN_ROWS + " Platform-attributed, not a measured lift.",
)

#: Ads Manager's result indicators in words (others: the action name's last part).
RESULT_LABELS: dict[str, str] = {
    "actions:link_click": "link clicks",
    "reach": "people reached",
    "impressions": "impressions",
    "actions:landing_page_view": "landing page views",
    "actions:offsite_conversion.fb_pixel_purchase": "website purchases",
    "actions:offsite_conversion.fb_pixel_add_to_cart": "website adds to cart",
    "actions:offsite_conversion.fb_pixel_initiate_checkout": "website checkouts initiated",
    "actions:offsite_conversion.fb_pixel_lead": "website leads",
    "actions:offsite_conversion.fb_pixel_complete_registration": "website registrations",
    "actions:omni_purchase": "purchases",
    "actions:lead": "leads",
    "actions:onsite_conversion.lead_grouped": "leads (instant forms)",
    "actions:onsite_conversion.messaging_conversation_started_7d": "messaging conversations",
    "actions:post_engagement": "post engagements",
    "actions:page_engagement": "Page engagements",
    "actions:like": "Page likes",
    "actions:video_view": "3-second video plays",
    "video_thruplay_watched_actions": "ThruPlays",
    "estimated_ad_recallers": "people who may remember the ad",
}


#: Result indicators whose cost Ads Manager quotes per 1,000 (Meta's "Cost per result" for
#: the reach objective is the cost per 1,000 Accounts Center accounts reached; for
#: impressions, per 1,000 impressions). Every other result is priced one by one.
PER_THOUSAND_RESULTS = frozenset({"reach", "impressions"})


def result_basis(result_type: object) -> int:
    """How many results one cost per result pays for: 1,000 for reach and impressions, else 1.

    Parameters
    ----------
    result_type : str or None
        As exported (``Result indicator`` such as ``'reach'``, or ``Result type``).

    Returns
    -------
    int
        1000 when Ads Manager quotes the result per thousand (reach, impressions), else 1.

    Examples
    --------
    >>> result_basis("reach"), result_basis("actions:link_click")
    (1000, 1)
    """
    if result_type is None or (isinstance(result_type, float) and result_type != result_type):
        return 1
    t = str(result_type).strip().lower()
    words = {"reach", "impressions", "people reached", "accounts center accounts reached"}
    return 1000 if t in PER_THOUSAND_RESULTS or t in words else 1


def result_label(result_type: object) -> str | None:
    """What a result is, in words, from the export's ``Result type`` or ``Result indicator``.

    Parameters
    ----------
    result_type : str or None
        As exported: ``'Link clicks'`` (Result type) or ``'actions:link_click'`` (Result
        indicator).

    Returns
    -------
    str or None
        ``'link clicks'``; an unknown indicator becomes its action name's last part in
        words (``'actions:onsite_conversion.flow_complete'`` -> ``'flow complete'``); a
        Result type is kept as written, lowercased; None for None/empty.

    Examples
    --------
    >>> result_label("actions:offsite_conversion.fb_pixel_purchase")
    'website purchases'
    >>> result_label("Link clicks")
    'link clicks'
    """
    if result_type is None or (isinstance(result_type, float) and result_type != result_type):
        return None
    t = str(result_type).strip()
    if not t:
        return None
    known = RESULT_LABELS.get(t.lower())
    if known:
        return known
    if " " not in t and (":" in t or "." in t or "_" in t):
        last = t.replace(":", ".").split(".")[-1]
        return last.replace("fb_pixel_", "website ").replace("_", " ").strip() or t
    return t.lower()


# ---------------------------------------------------------------- CPC and paid delivery
@dataclass
class Cpc:
    """Paid media in the window: spend, delivery, cost per click and per result.

    Attributes
    ----------
    value : float or None
        CPC: spend / link clicks over the counted rows, in the campaign currency.
    benchmark : float or None
    index : float or None
        value / benchmark.
    spend, link_clicks : float, int
    currency : str
        The campaign currency: every money figure here is in it, except each campaign row's
        ``cpc_reported`` (in that row's ``currency``).
    reported : float or None
        The export's own CPC on its account-total row, when the rows counted are one export
        (in the export's currency: ``reported_currency``).
    agrees_with_export : bool or None
        Every counted row's spend / link clicks equals its exported CPC (to 8 decimals).
    reach : int or None
        Reach from the export's total row (de-duplicated by the platform).
    campaigns : list[dict]
        Per counted campaign row: campaign, currency (of the export), spend (campaign
        currency), impressions, reach, frequency, link_clicks, ctr, cpm, cpc, cpc_reported
        (export currency), results, result_type, result_label, cost_per_result.
    impressions : int
        Impressions of the counted rows that report them.
    ctr, cpm, frequency : float or None
        Link clicks / impressions; spend / impressions x 1000 (campaign currency); the total
        row's impressions / reach.
    results : float or None
        Results of the counted rows when they all count one result type.
    result_type, result_label : str or None
        That type as exported, and in words.
    cost_per_result : float or None
        Spend of the counted ads rows / results, x 1,000 when ``result_basis`` is 1,000.
    result_basis : int
        Results one cost per result pays for: 1,000 for reach and impressions results (as
        Ads Manager quotes them: cost per 1,000 accounts reached), else 1.
    exported_in : dict[str, float]
        Currency of the counted export and spend rows -> rate to the campaign currency.
    breakdowns : list[dict]
        :meth:`Breakdown.to_dict` of each breakdown export dimension (age, gender, ...).
    warnings : list[str]
    reasons : dict[str, str]
        Why a figure is null (key: the figure, e.g. ``"ctr"``).
    conversions : dict[str, dict]
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
    impressions: int = 0
    ctr: float | None = None
    cpm: float | None = None
    frequency: float | None = None
    results: float | None = None
    result_type: str | None = None
    result_label: str | None = None
    cost_per_result: float | None = None
    result_basis: int = 1
    reported_currency: str | None = None
    exported_in: dict[str, float] = field(default_factory=dict)
    breakdowns: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    only_breakdowns: bool = False

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
                "reported_currency",
                "agrees_with_export",
                "reach",
                "impressions",
                "ctr",
                "cpm",
                "frequency",
                "results",
                "result_type",
                "result_label",
                "cost_per_result",
                "result_basis",
                "exported_in",
                "campaigns",
                "conversions",
                "breakdowns",
                "only_breakdowns",
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


def read_breakdown_rows(ctx: EvalContext) -> pd.DataFrame:
    """The campaign's ``ad_metrics`` breakdown rows (by age, gender, device, placement, ...).

    Returns
    -------
    pandas.DataFrame
        ``ad_metrics`` rows whose ``breakdown`` is not NULL, by import and source row (an
        export's account-total row has no breakdown, so it never comes back).
    """
    am = ctx.tables.ad_metrics
    return am.filter(am.breakdown.notnull()).order_by(["import_id", "source_row"]).to_pandas()


def read_spend_rows(ctx: EvalContext) -> pd.DataFrame:
    """The campaign's ``spend`` rows, by import and source row."""
    return ctx.tables.spend.order_by(["import_id", "source_row"]).to_pandas()


def _nothing_in_window(ctx: EvalContext, d: dict) -> str | None:
    """Why the window has no paid media at all, when the imported rows all lie outside it.

    Parameters
    ----------
    ctx : EvalContext
    d : dict
        :meth:`Cpc.to_dict` of the window.

    Returns
    -------
    str or None
        A reader's sentence naming the dates the ads and spend rows cover (a total of 0 would
        read as "no money was spent", which the exports do not say); None when any row counts.
    """
    if d["campaigns"] or d["breakdowns"] or d["spend"] or d["link_clicks"] or d["impressions"]:
        return None
    if d["warnings"]:  # rows straddling a bound are left out with a warning the reader sees
        return None
    starts, ends = [], []
    for frame, lo, hi in (
        (read_ads_rows(ctx), "reporting_start", "reporting_end"),
        (read_breakdown_rows(ctx), "reporting_start", "reporting_end"),
        (read_spend_rows(ctx), "reporting_start", "reporting_end"),
    ):
        if frame.empty:
            continue
        if "date" in frame:
            starts.append(pd.to_datetime(frame["date"]).min())
            ends.append(pd.to_datetime(frame["date"]).max())
        starts.append(pd.to_datetime(frame[lo]).min())
        ends.append(pd.to_datetime(frame[hi]).max())
    starts = [s for s in starts if pd.notna(s)]
    ends = [e for e in ends if pd.notna(e)]
    w = ctx.window.campaign
    span = day_span(w.start, w.end)
    if not starts or not ends:
        return f"no ads or spend row has dates inside the campaign window ({span})"
    return (
        f"no paid media in the campaign window ({span}): the imported ads and spend rows "
        f"cover {day_span(min(starts), max(ends))}, and only rows whose "
        "reporting period lies inside the window count"
    )


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


def straddling_warning(straddling: list[str], window: Period, what: str = "ads") -> str:
    """The one warning naming the ads rows left out for straddling the window.

    Parameters
    ----------
    straddling : list[str]
        One description per row (``"file.csv, row 3 (Launch, 2026-02-20..2026-03-05)"``);
        not empty.
    window : Period
        The campaign window.
    what : str
        Which rows, in words (``"ads"``, ``"age breakdown"``).

    Returns
    -------
    str
        The count, the window and the first three rows (then "and N more").
    """
    shown = "; ".join(straddling[:3]) + (
        f"; and {len(straddling) - 3} more" if len(straddling) > 3 else ""
    )
    return (
        f"{len(straddling)} {what} row(s) have a reporting period that straddles the window "
        f"{window.start}..{window.end} and are left out: {shown}"
    )


def _frequency_disagrees(own: float | None, reported: object) -> bool:
    """Whether impressions / reach differs from the export's Frequency beyond its 8 decimals."""
    rep = clean(reported)
    if own is None or rep is None:
        return False
    return abs(own - float(rep)) > 5e-8 * max(1.0, float(rep)) + 5e-9


def _int_or_none(v: object) -> int | None:
    v = clean(v)
    return None if v is None else int(v)


@dataclass
class CountedAds:
    """The ads-export campaign rows counted in the window (see :func:`counted_ads_rows`).

    Attributes
    ----------
    spend : float
        Their spend in the campaign currency, added in row order.
    link_clicks : int
    impressions : int
        Impressions of the rows that report them.
    spend_with_impressions : float
        Spend of the rows that report impressions (campaign currency): CPM's numerator.
    clicks_with_impressions : int
        Link clicks of those rows: CTR's numerator.
    campaigns : list[dict]
        One dict per counted row: campaign, currency, spend, impressions, reach, frequency,
        link_clicks, ctr, cpm, cpc, cpc_reported, results, result_type, result_label,
        cost_per_result.
    keys : list[tuple[int, int]]
        ``(import_id, source_row)`` of each counted row (joins ``ad_conversions``).
    export_ids : set[int]
        Imports that have a counted row.
    agrees : bool
        No counted row's spend / link clicks differs from its exported CPC.
    currencies : dict[str, float]
        Currency of each counted row (as exported) -> its rate to the campaign currency.
    without_impressions : list[str]
        Rows (``"file.csv, row 4"``) that report no impressions: left out of CTR and CPM.
    """

    spend: float = 0.0
    link_clicks: int = 0
    impressions: int = 0
    spend_with_impressions: float = 0.0
    clicks_with_impressions: int = 0
    campaigns: list[dict] = field(default_factory=list)
    keys: list[tuple[int, int]] = field(default_factory=list)
    export_ids: set[int] = field(default_factory=set)
    agrees: bool = True
    currencies: dict[str, float] = field(default_factory=dict)
    without_impressions: list[str] = field(default_factory=list)


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
        the export's CPC or whose impressions / reach differs from its Frequency, then one
        warning naming the rows that straddle the window.

    Returns
    -------
    CountedAds
        Per row, money is in the campaign currency except ``cpc_reported`` (the export's
        own figure, in the row's ``currency``); ``frequency`` is the row's impressions /
        reach (one campaign: reach de-duplicated by the platform); ``ctr``, ``cpm``,
        ``cpc`` and ``cost_per_result`` are None when their denominator is 0 or unknown.

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
        raw_spend = float(r.spend) if pd.notna(r.spend) else 0.0
        sp = to_campaign_currency(raw_spend, r.currency, ctx, where)
        cur = str(r.currency) if pd.notna(r.currency) else ctx.currency
        out.currencies[cur] = ctx.to_rate(cur)
        lc = int(r.link_clicks) if pd.notna(r.link_clicks) else 0
        imp = _int_or_none(r.impressions)
        reach = _int_or_none(r.reach)
        out.spend += sp
        out.link_clicks += lc
        if imp is not None:
            out.impressions += imp
            out.spend_with_impressions += sp
            out.clicks_with_impressions += lc
        else:
            out.without_impressions.append(where)
        out.export_ids.add(int(r.import_id))
        out.keys.append((int(r.import_id), int(r.source_row)))
        own = raw_spend / lc if lc else None
        rep = float(r.cpc_reported) if pd.notna(r.cpc_reported) else None
        if cpc_disagrees(own, rep):
            out.agrees = False
            warnings.append(
                f"{where} ({r.campaign}): spend / link clicks = {own:.8f} but the "
                f"export's CPC is {rep:.8f}"
            )
        freq = M.ratio(imp, reach, what="reach").value
        if _frequency_disagrees(freq, r.frequency):
            warnings.append(
                f"{where} ({r.campaign}): impressions / reach = {freq:.8f} but the "
                f"export's frequency is {float(r.frequency):.8f}"
            )
        results = clean(r.results)
        rtype = clean(r.result_type)
        if results is None and rtype is not None:
            results = 0  # Ads Manager leaves Results empty when there are none
        out.campaigns.append(
            {
                "campaign": r.campaign,
                "currency": cur,
                "spend": sp,
                "impressions": imp,
                "reach": reach,
                "frequency": freq,
                "link_clicks": lc,
                "ctr": M.ratio(lc, imp, what="impressions").value,
                "cpm": M.ratio(sp * 1000.0, imp, what="impressions").value,
                "cpc": (sp / lc) if lc else None,
                "cpc_reported": rep,
                "results": results,
                "result_type": rtype,
                "result_label": result_label(rtype),
                "cost_per_result": (sp * result_basis(rtype) / results) if results else None,
                "result_basis": result_basis(rtype),
            }
        )
    if straddling:
        warnings.append(straddling_warning(straddling, window))
    return out


@dataclass(frozen=True)
class AccountTotal:
    """The figures of an export's account-total row that cannot be added up from its rows.

    Attributes
    ----------
    reported : float or None
        The export's own CPC (in the export's currency).
    reach : int or None
        People reached, de-duplicated by the platform.
    impressions : int or None
        Impressions on the same row (frequency's numerator).
    frequency_reported : float or None
        The export's own Frequency on that row.
    currency : str or None
        The export's currency.
    """

    reported: float | None = None
    reach: int | None = None
    impressions: int | None = None
    frequency_reported: float | None = None
    currency: str | None = None

    @property
    def frequency(self) -> float | None:
        """impressions / reach of the total row (None when either is unknown or reach is 0)."""
        return M.ratio(self.impressions, self.reach, what="reach").value


def account_total(ads: pd.DataFrame, export_ids: set[int], window: Period) -> AccountTotal:
    """The export's own CPC, de-duplicated reach and frequency, from its account-total row.

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
    AccountTotal
        All None unless exactly one export is counted and it has exactly one total row,
        whose reporting period lies inside the window.
    """
    if ads.empty or len(export_ids) != 1:
        return AccountTotal()
    totals = ads[_is_total(ads)]
    t = totals[totals["import_id"] == next(iter(export_ids))]
    if len(t) == 1 and window_position(t.iloc[0].reporting_start, t.iloc[0].reporting_end, window):
        r = t.iloc[0]
        return AccountTotal(
            clean(r.cpc_reported),
            _int_or_none(r.reach),
            _int_or_none(r.impressions),
            clean(r.frequency),
            clean(r.currency),
        )
    return AccountTotal()


def _conversion_rows(ctx: EvalContext) -> pd.DataFrame:
    return (
        ctx.tables.ad_conversions.select("import_id", "source_row", "name", "value")
        .order_by(["import_id", "source_row", "name"])
        .to_pandas()
    )


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
    rows = _conversion_rows(ctx)
    counted = set(keys)
    totals: dict[str, float] = {}
    for r in rows.itertuples():
        if (int(r.import_id), int(r.source_row)) in counted and pd.notna(r.value):
            totals[r.name] = totals.get(r.name, 0.0) + float(r.value)
    return {
        name: {"value": clean(v), "cost_per": (spend / v) if v else None}
        for name, v in sorted(totals.items(), key=lambda kv: -kv[1])
    }


@dataclass(frozen=True)
class Results:
    """Results of the counted campaign rows, when they count one kind of result.

    Attributes
    ----------
    value : float or None
    cost_per : float or None
        Spend of the counted ads rows / value (campaign currency).
    result_type, label : str or None
        The one type as exported, and in words.
    reason : str or None
        Why ``value`` is None (several types, no Results column) or ``cost_per`` is (none).
    """

    value: float | None
    cost_per: float | None
    result_type: str | None
    label: str | None
    reason: str | None


def campaign_results(campaigns: list[dict]) -> Results:
    """The window's results and cost per result from the counted campaign rows.

    Parameters
    ----------
    campaigns : list[dict]
        :attr:`CountedAds.campaigns` (spend in the campaign currency).

    Returns
    -------
    Results
        Null with a reason when no row has a Results figure or result type, or when the
        rows count different result types (compared as exported, case-insensitive); a row
        without a type but with results takes the others' type. Cost per result is the
        spend of the rows with results over their results; null when these add up to 0.
    """
    with_results = [c for c in campaigns if c["results"] is not None]
    if not with_results:
        return Results(
            None,
            None,
            None,
            None,
            "the ads export gives no results (its Results column is absent or empty: add "
            "'Results' to the columns in Ads Manager before exporting)",
        )
    types = {str(c["result_type"]).strip().lower() for c in with_results if c["result_type"]}
    if len(types) > 1:
        labels = sorted({c["result_label"] for c in with_results if c["result_label"]})
        return Results(
            None,
            None,
            None,
            None,
            "the campaigns count different results (" + "; ".join(labels) + "), which cannot "
            "be added; each campaign's row shows its own",
        )
    first = next((c for c in with_results if c["result_type"]), None)
    rtype = first["result_type"] if first else None
    total = float(sum(c["results"] for c in with_results))
    spend = sum(c["spend"] for c in with_results)
    cost = spend * result_basis(rtype) / total if total else None
    return Results(
        clean(total),
        cost,
        rtype,
        result_label(rtype),
        None if total else "no results in the window",
    )


def spend_rows(
    rows: pd.DataFrame, ctx: EvalContext, warnings: list[str]
) -> list[tuple[float, int, int | None]]:
    """The ``spend`` rows that count in the window: spend (campaign currency), clicks and
    impressions.

    Parameters
    ----------
    rows : pandas.DataFrame
        ``spend`` rows (:func:`read_spend_rows`), in import and source-row order.
    ctx : EvalContext
    warnings : list[str]
        Appended to: one warning per period row straddling the window (left out).

    Returns
    -------
    list[tuple[float, int, int or None]]
        ``(amount, link_clicks, impressions)`` per counted row, in row order (NULL amount
        and clicks: 0; NULL impressions: None, so that the row stays out of CTR and CPM).

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
    out: list[tuple[float, int, int | None]] = []
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
        out.append(
            (
                amount,
                int(r.link_clicks) if pd.notna(r.link_clicks) else 0,
                _int_or_none(r.impressions),
            )
        )
    return out


# ---------------------------------------------------------------- breakdown exports
def breakdown_label(dimension: str) -> str:
    """A breakdown's name for a heading: ``'device platform'`` -> ``'Device platform'``,
    ``'age | gender'`` -> ``'Age and gender'``."""
    parts = [p.strip() for p in str(dimension).split("|")]
    text = " and ".join(p for p in parts if p)
    return text[:1].upper() + text[1:]


def value_label(value: object) -> str:
    """A breakdown value for a reader: ``'mobile_app'`` -> ``'mobile app'``, ``'18-24 |
    female'`` -> ``'18-24, female'``; a missing value is ``'not given'``."""
    if value is None or (isinstance(value, float) and value != value) or not str(value).strip():
        return "not given"
    return ", ".join(p.strip().replace("_", " ") for p in str(value).split("|"))


def _unknown(label: str) -> bool:
    return label.lower() in ("unknown", "not given", "unknown, unknown")


def _order(rows: list[dict]) -> list[dict]:
    """Age-like values (all starting with a digit) in their own order, others by spend
    (largest first); unknown and not-given values last."""
    known = [r for r in rows if not _unknown(r["label"])]
    rest = [r for r in rows if _unknown(r["label"])]
    if known and all(r["label"][:1].isdigit() for r in known):
        known.sort(key=lambda r: r["label"])
    else:
        known.sort(key=lambda r: (-r["spend"], r["label"]))
    return known + rest


@dataclass
class Breakdown:
    """One breakdown dimension (age, gender, device platform, ...) added up per value.

    Attributes
    ----------
    dimension : str
        As stored in ``ad_metrics.breakdown`` (``'age'``, ``'device platform'``).
    label : str
        For a heading (``'Device platform'``).
    rows : list[dict]
        Per value: value (as exported), label, spend (campaign currency), impressions,
        link_clicks, ctr, cpc, results, conversions (name -> count); ordered as
        :func:`_order` says.
    total : dict
        The same figures over all values.
    conversions : list[str]
        Conversion names present, largest total first.
    has_results : bool
        Results can be shown (a Results figure exists and all rows count one type).
    result_label : str or None
    results_reason : str or None
        Why results are not shown.
    campaigns : int
        Campaigns whose rows were added.
    files : list[str]
        File names of the breakdown exports.
    """

    dimension: str
    label: str
    rows: list[dict]
    total: dict
    conversions: list[str]
    has_results: bool
    result_label: str | None
    results_reason: str | None
    campaigns: int
    files: list[str]

    def to_dict(self) -> dict:
        return {
            "dimension": self.dimension,
            "label": self.label,
            "rows": self.rows,
            "total": self.total,
            "conversions": self.conversions,
            "has_results": self.has_results,
            "result_label": self.result_label,
            "results_reason": self.results_reason,
            "campaigns": self.campaigns,
            "files": self.files,
        }


def _finish(acc: dict, has_results: bool) -> dict:
    """Ratios of one value's (or the total's) sums."""
    imp = acc["impressions"] if acc["with_impressions"] else None
    return {
        **({"value": acc["value"], "label": acc["label"]} if "value" in acc else {}),
        "spend": acc["spend"],
        "impressions": imp,
        "link_clicks": acc["link_clicks"],
        "ctr": M.ratio(acc["clicks_with_impressions"], imp, what="impressions").value,
        "cpc": (acc["spend"] / acc["link_clicks"]) if acc["link_clicks"] else None,
        "results": clean(acc["results"]) if has_results else None,
        "conversions": {k: clean(v) for k, v in acc["conversions"].items()},
    }


def _new_acc(**kw) -> dict:
    return {
        **kw,
        "spend": 0.0,
        "impressions": 0,
        "with_impressions": False,
        "link_clicks": 0,
        "clicks_with_impressions": 0,
        "results": 0.0,
        "conversions": {},
    }


def _add(acc: dict, sp: float, imp: int | None, lc: int, res: float, conv: dict) -> None:
    acc["spend"] += sp
    acc["link_clicks"] += lc
    if imp is not None:
        acc["impressions"] += imp
        acc["with_impressions"] = True
        acc["clicks_with_impressions"] += lc
    acc["results"] += res
    for name, v in conv.items():
        acc["conversions"][name] = acc["conversions"].get(name, 0.0) + v


def breakdown_tables(
    ctx: EvalContext, warnings: list[str], rows: pd.DataFrame | None = None
) -> list[Breakdown]:
    """The breakdown exports (age, gender, device, placement, ...) added up per value.

    Parameters
    ----------
    ctx : EvalContext
    warnings : list[str]
        Appended to: breakdown exports of one campaign over overlapping periods (only the
        later import counts) and, per dimension, one warning naming the rows that straddle
        the window (left out).
    rows : pandas.DataFrame, optional
        :func:`read_breakdown_rows` when already read.

    Returns
    -------
    list[Breakdown]
        One per dimension, in import order; empty when no breakdown export is imported.

    Raises
    ------
    EvaluationError
        A counted row's spend is in a currency with no ``[[fx]]`` rate.

    Notes
    -----
    A breakdown row counts when its reporting period lies inside the window (the rule of
    the campaign rows). Rows of one value are added across campaigns; reach and frequency
    are not, since reach is de-duplicated per campaign by the platform. Empty conversion
    and Results cells count 0 (Ads Manager leaves them empty for none).
    """
    if rows is None:
        rows = read_breakdown_rows(ctx)
    if rows.empty:
        return []
    conv_by_row: dict[tuple[int, int], dict[str, float]] = {}
    for r in _conversion_rows(ctx).itertuples():
        if pd.notna(r.value):
            d = conv_by_row.setdefault((int(r.import_id), int(r.source_row)), {})
            d[r.name] = d.get(r.name, 0.0) + float(r.value)
    window = ctx.window.campaign
    out: list[Breakdown] = []
    for dim in rows["breakdown"].drop_duplicates().tolist():
        sub = _drop_overlapping_exports(
            rows[rows["breakdown"] == dim], dict(ctx.source_paths), warnings
        )
        label = breakdown_label(dim)
        per_value: dict[str, dict] = {}
        total = _new_acc()
        straddling: list[str] = []
        campaigns: set[str] = set()
        files: set[str] = set()
        types: set[str] = set()
        any_results = False
        for r in sub.itertuples():
            where = row_location(ctx, r.import_id, r.source_row)
            pos = window_position(r.reporting_start, r.reporting_end, window)
            if pos is None:
                straddling.append(
                    f"{where} ({r.campaign}, {r.reporting_start:%Y-%m-%d}.."
                    f"{r.reporting_end:%Y-%m-%d})"
                )
                continue
            if not pos:
                continue
            sp = to_campaign_currency(
                float(r.spend) if pd.notna(r.spend) else 0.0, r.currency, ctx, where
            )
            lc = int(r.link_clicks) if pd.notna(r.link_clicks) else 0
            res = clean(r.results)
            if res is not None or pd.notna(r.result_type):
                any_results = True
            if pd.notna(r.result_type) and str(r.result_type).strip():
                types.add(str(r.result_type).strip().lower())
            conv = conv_by_row.get((int(r.import_id), int(r.source_row)), {})
            value = clean(r.breakdown_value)
            vl = value_label(value)
            acc = per_value.setdefault(vl, _new_acc(value=value, label=vl))
            imp = _int_or_none(r.impressions)
            _add(acc, sp, imp, lc, float(res or 0.0), conv)
            _add(total, sp, imp, lc, float(res or 0.0), conv)
            campaigns.add(str(r.campaign))
            files.add(ctx.source_name(r.import_id))
        if straddling:
            warnings.append(straddling_warning(straddling, window, f"{label.lower()} breakdown"))
        if not per_value:
            continue
        has_results = any_results and len(types) <= 1
        reason = None
        if not any_results:
            reason = "the breakdown export has no Results column"
        elif len(types) > 1:
            reason = "its campaigns count different results, which cannot be added"
        conv_names = sorted(total["conversions"], key=lambda n: -total["conversions"][n])
        out.append(
            Breakdown(
                dimension=dim,
                label=label,
                rows=_order([_finish(a, has_results) for a in per_value.values()]),
                total=_finish(total, has_results),
                conversions=conv_names,
                has_results=has_results,
                result_label=result_label(next(iter(types))) if types and has_results else None,
                results_reason=reason,
                campaigns=len(campaigns),
                files=sorted(files),
            )
        )
    return out


# ---------------------------------------------------------------- the window's figures
def _window_ratio(num: float, den: int, rows_with: int, what: str) -> M.Ratio:
    if not rows_with:
        return M.Ratio(None, f"no counted row reports {what}")
    return M.ratio(num, den, what=what)


def cpc(ctx: EvalContext) -> Cpc | None:
    """Paid media in the window: spend, impressions, CTR, CPM, CPC, frequency, results.

    Ads-manager rows count when their reporting period lies inside the campaign window;
    the account-total row (``is_total``) and breakdown rows are never added. ``spend`` rows
    count when their date (or whole period) is inside the window. Rows straddling the window
    are left out and named in ``warnings``.

    Returns
    -------
    Cpc or None
        None when the campaign has no spend data at all (no ads export, breakdown export
        or spend file).

    Raises
    ------
    EvaluationError
        Spend in a currency other than the campaign's with no ``[[fx]]`` rate.

    Notes
    -----
    The steps: :func:`counted_ads_rows`, :func:`account_total`, :func:`conversions` (cost per
    conversion over the ads rows' spend only), :func:`campaign_results`, then
    :func:`spend_rows`, whose amounts are added after the ads rows' spend, row by row, and
    :func:`breakdown_tables`. CTR and CPM are over the rows that report impressions (a spend
    row without impressions is left out of both, with a note). Frequency is the account-total
    row's impressions / reach, never computed from reach added across campaigns.
    """
    ads = read_ads_rows(ctx)
    spend = read_spend_rows(ctx)
    by_value = read_breakdown_rows(ctx)
    if ads.empty and spend.empty and by_value.empty:
        return None
    if not ads.empty:
        ads = ads.sort_values(["import_id", "source_row"])
    warnings: list[str] = []
    notes: list[str] = []
    counted = counted_ads_rows(ads, ctx, warnings)
    total = account_total(ads, counted.export_ids, ctx.window.campaign)
    conv = conversions(ctx, counted.keys, counted.spend)
    results = campaign_results(counted.campaigns)
    if counted.export_ids and not spend.empty:
        warnings.append(
            "spend comes from both ads exports and spend rows; they are added, so make sure "
            "they do not describe the same spend"
        )
    reasons: dict[str, str] = {}
    if len(counted.export_ids) > 1:
        reasons["reported"] = "several exports are counted; no single export CPC to compare"
    total_spend, total_clicks = counted.spend, counted.link_clicks
    impressions = counted.impressions
    spend_i, clicks_i = counted.spend_with_impressions, counted.clicks_with_impressions
    rows_with_impressions = len(counted.campaigns) - len(counted.without_impressions)
    spend_without: list[str] = []
    for k, (amount, clicks, imp) in enumerate(spend_rows(spend, ctx, warnings)):
        total_spend += amount
        total_clicks += clicks
        if imp is None:
            spend_without.append(str(k + 1))
            continue
        impressions += imp
        spend_i += amount
        clicks_i += clicks
        rows_with_impressions += 1
    left_out = len(counted.without_impressions) + len(spend_without)
    if left_out and rows_with_impressions:
        notes.append(
            f"{left_out} counted spend row(s) report no impressions; their spend and link "
            "clicks are left out of CTR and CPM (they still count in spend and CPC)"
        )
    rv = M.ratio(total_spend, total_clicks, what="link clicks")
    if rv.reason:
        reasons["value"] = rv.reason
    ctr = _window_ratio(clicks_i, impressions, rows_with_impressions, "impressions")
    cpm = _window_ratio(spend_i * 1000.0, impressions, rows_with_impressions, "impressions")
    if ctr.reason:
        reasons["ctr"] = ctr.reason
    if cpm.reason:
        reasons["cpm"] = cpm.reason
    freq = total.frequency
    if freq is None:
        if len(counted.export_ids) > 1:
            reasons["frequency"] = (
                "several ads exports are counted and reach cannot be added across them; each "
                "campaign row shows its own frequency"
            )
        elif total.reach is None:
            reasons["frequency"] = (
                "no ads export's account-total row covers the window, and reach cannot be "
                "added across campaigns; each campaign row shows its own frequency"
            )
        else:
            reasons["frequency"] = "reach is 0 on the account-total row"
    elif _frequency_disagrees(freq, total.frequency_reported):
        warnings.append(
            f"the account-total row's impressions / reach = {freq:.8f} but the export's "
            f"frequency is {total.frequency_reported:.8f}"
        )
    if results.reason:
        reasons["results" if results.value is None else "cost_per_result"] = results.reason
    bench = ctx.benchmarks.get("cpc")
    index = None
    if bench is None:
        reasons["benchmark"] = "no [benchmarks] cpc in campaign.toml"
    elif rv.value is not None:
        index = rv.value / bench
    breakdowns = breakdown_tables(ctx, warnings, by_value)
    only_breakdowns = bool(breakdowns) and spend.empty and not (~_is_total(ads)).any()
    if only_breakdowns:
        for k in ("spend", "link_clicks", "impressions", "value", "ctr", "cpm", "frequency"):
            reasons[k] = (
                "only breakdown exports are among the sources, and their rows are never added "
                "to the window's totals"
            )
        notes.append(
            "only breakdown exports are among the sources: spend, CPC and the other totals "
            "come from an ads export without breakdown, so import one for the window's figures"
        )
    for b in breakdowns:
        if (
            counted.campaigns
            and counted.spend
            and abs(b.total["spend"] - counted.spend) > (0.005 * counted.spend)
        ):
            notes.append(
                f"the {b.label.lower()} breakdown adds up to a spend of "
                f"{b.total['spend']:,.2f} {ctx.currency} against {counted.spend:,.2f} "
                f"{ctx.currency} in the ads export without breakdown (different campaigns or "
                "periods exported, or values Ads Manager withholds)"
            )
    return Cpc(
        rv.value,
        bench,
        index,
        total_spend,
        total_clicks,
        ctx.currency,
        total.reported,
        counted.agrees if counted.campaigns else None,
        total.reach,
        counted.campaigns,
        warnings,
        reasons,
        conv,
        impressions=impressions,
        ctr=ctr.value,
        cpm=cpm.value,
        frequency=freq,
        results=results.value,
        result_type=results.result_type,
        result_label=results.label,
        cost_per_result=results.cost_per,
        result_basis=result_basis(results.result_type),
        reported_currency=total.currency if total.reported is not None else None,
        exported_in=dict(counted.currencies),
        breakdowns=[b.to_dict() for b in breakdowns],
        notes=notes,
        only_breakdowns=only_breakdowns,
    )


def _name(path: object) -> str:
    return Path(str(path)).name if path else "?"


def _fig(path: str, metric: str, value: object, why: str) -> Figure:
    """A figure whose null carries ``why``."""
    return Figure(path, metric, value, None if value is not None else why)


def _total(path: str, metric: str, d: dict, reasons: dict) -> Figure:
    """A window total (null, with its reason, when only breakdown exports hold ads rows)."""
    key = path.rsplit(".", 1)[1]
    return Figure(path, metric, d[key], reasons.get(key) if d[key] is None else None)


def _breakdown_figures(p: str, b: dict) -> list[Figure]:
    """The figures of one breakdown table (its rows, then its total)."""
    figs: list[Figure] = []
    cells = [(f"{p}.rows.{j}", row) for j, row in enumerate(b["rows"])] + [
        (f"{p}.total", b["total"])
    ]
    for rp, row in cells:
        figs += [
            Figure(f"{rp}.spend", "breakdown_spend", row["spend"]),
            _fig(
                f"{rp}.impressions",
                "ad_impressions",
                row["impressions"],
                "the export gives no impressions here",
            ),
            Figure(f"{rp}.link_clicks", "breakdown_link_clicks", row["link_clicks"]),
            _fig(f"{rp}.ctr", "ctr", row["ctr"], "no impressions"),
            _fig(f"{rp}.cpc", "breakdown_cpc", row["cpc"], "no link clicks"),
        ]
        if b["has_results"]:
            figs.append(Figure(f"{rp}.results", "ad_results", row["results"]))
        for name in b["conversions"]:
            figs.append(
                Figure(
                    f"{rp}.conversions.{name}",
                    "breakdown_conversions",
                    row["conversions"].get(name, 0),
                )
            )
    return figs


@register_section
class AdsSection:
    """Paid media: spend, delivery (impressions, CTR, CPM, frequency), CPC against the
    benchmark, results and cost per result, conversions, and the breakdown exports."""

    id = "ads"
    title = "Paid media"
    order = 40
    headline_group = "paid"  # the report's headline groups its cards (report/html.py)
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
        AD_IMPRESSIONS,
        CTR,
        CPM,
        FREQUENCY,
        AD_RESULTS,
        COST_PER_RESULT,
        COST_PER_1000_RESULTS,
        BREAKDOWN_SPEND,
        BREAKDOWN_LINK_CLICKS,
        BREAKDOWN_CPC,
        BREAKDOWN_CONVERSIONS,
    )
    settings = None

    def headline(self, res: SectionResult) -> list[tuple[str, str]]:
        """Headline cards: spend, CPC, cost per result, CTR, ad reach, the largest conversion."""
        d = res.data["quantitative.cpc"]
        cur = d["currency"]
        out = [("quantitative.cpc.spend", f"media spend in the window ({cur})")]
        if d["value"] is not None:
            idx = ""
            if d["index"] is not None:  # in words: a bare "0.90x" next to a 0.90 benchmark misleads
                idx = ", at the benchmark"
                if d["index"] != 1:
                    idx = ", below the benchmark" if d["index"] < 1 else ", above the benchmark"
            out.append(("quantitative.cpc.value", f"cost per link click ({cur}){idx}"))
        if d["cost_per_result"] is not None:
            what = d["result_label"] or "result"
            if d.get("result_basis", 1) == 1000:
                what = f"1,000 {what}"
            out.append(("quantitative.cpc.cost_per_result", f"cost per result: {what} ({cur})"))
        if d["ctr"] is not None:
            out.append(("quantitative.cpc.ctr", "of ad impressions led to a link click (CTR)"))
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
        outside = _nothing_in_window(ctx, d)
        if outside:
            return SectionResult.no_data(outside)
        if d["only_breakdowns"]:  # nothing was added up: not a total of 0
            d.update(spend=None, link_clicks=None, impressions=None)
        r = d.get("reasons", {})
        p = "quantitative.cpc"
        figs = [
            Figure(f"{p}.value", "cpc", d["value"], r.get("value")),
            Figure(f"{p}.index", "cpc_index", d["index"], r.get("benchmark") or r.get("value")),
            _total(f"{p}.spend", "spend", d, r),
        ]
        if d["reach"] is not None:
            figs.append(Figure(f"{p}.reach", "ad_reach", d["reach"]))
        figs += [
            _total(f"{p}.link_clicks", "ad_link_clicks", d, r),
            _total(f"{p}.impressions", "ad_impressions", d, r),
            Figure(f"{p}.ctr", "ctr", d["ctr"], r.get("ctr")),
            Figure(f"{p}.cpm", "cpm", d["cpm"], r.get("cpm")),
            Figure(f"{p}.frequency", "frequency", d["frequency"], r.get("frequency")),
            Figure(f"{p}.results", "ad_results", d["results"], r.get("results")),
            Figure(
                f"{p}.cost_per_result",
                cost_per_result_metric(d.get("result_basis", 1)),
                d["cost_per_result"],
                r.get("results") or r.get("cost_per_result"),
            ),
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
            rp = f"{p}.campaigns.{i}"
            figs += [
                Figure(f"{rp}.spend", "spend", row["spend"]),
                _fig(
                    f"{rp}.impressions",
                    "ad_impressions",
                    row["impressions"],
                    "the export gives no impressions on this row",
                ),
                Figure(f"{rp}.link_clicks", "ad_link_clicks", row["link_clicks"]),
                _fig(f"{rp}.ctr", "ctr", row["ctr"], "no impressions on this row"),
                _fig(f"{rp}.cpm", "cpm", row["cpm"], "no impressions on this row"),
                _fig(f"{rp}.frequency", "frequency", row["frequency"], "no reach on this row"),
                _fig(f"{rp}.cpc", "cpc", row["cpc"], "no link clicks on this row"),
                _fig(
                    f"{rp}.cpc_reported",
                    "cpc_reported",
                    row["cpc_reported"],
                    "the export gives no CPC here",
                ),
            ]
            if row["results"] is not None:
                figs += [
                    Figure(f"{rp}.results", "ad_results", row["results"]),
                    _fig(
                        f"{rp}.cost_per_result",
                        cost_per_result_metric(row.get("result_basis", 1)),
                        row["cost_per_result"],
                        "no results on this row",
                    ),
                ]
        frames = {}
        for i, b in enumerate(d["breakdowns"]):
            figs += _breakdown_figures(f"{p}.breakdowns.{i}", b)
            cols = ["label", "spend", "impressions", "link_clicks", "ctr", "cpc"]
            frames[f"breakdown_{i}"] = pd.DataFrame(
                [{k: row[k] for k in cols} for row in b["rows"]], columns=cols
            )
        return SectionResult(
            figures=figs,
            data={p: d},
            frames=frames,
            warnings=list(res.warnings),
            notes=list(res.notes),
        )
