"""The advertising value equivalent (AVE) section.

Prices the non-paid posts created in the window at rate-card prices: CPM x impressions / 1000
+ CPC x link clicks + per-post price x original posts, per platform. Rate cards come from
campaign.toml ``[[rate_cards]]`` and from files imported with the ``rate-card`` format; a card
given both ways (same platform and unit) is an error naming both places.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import ibis.expr.types as ir
import pandas as pd

from ripplemeter.errors import EvaluationError
from ripplemeter.evaluate import metrics as M
from ripplemeter.evaluate.context import EvalContext, Period, count_sum
from ripplemeter.evaluate.section import Figure, SectionResult, register_section

AMEC_CAVEAT = (
    "AVE prices earned and owned exposure as if it had been bought at rate-card prices. The "
    "AMEC Barcelona Principles 3.0 state that AVEs are not the value of communication: use it "
    "only as a cost-of-exposure reference beside outcomes."
)
QUANTITY_OF = {"cpm": "impressions", "cpc": "link_clicks", "per_post": "original_posts"}


@dataclass(frozen=True)
class PricedCard:
    """A rate card with the place it was given (for messages).

    Attributes
    ----------
    platform, unit : str
    price : float
    currency : str
    where : str
        ``campaign.toml, [[rate_cards]] entry 2`` or ``rates.csv, row 3``.
    """

    platform: str
    unit: str
    price: float
    currency: str
    where: str


@dataclass
class Ave:
    """Advertising value equivalent from the rate cards.

    Attributes
    ----------
    total : float or None
    currency : str
    by_platform : dict[str, dict]
        Per platform: total and each unit's value with the quantity it priced.
    caveat : str
    reasons : dict[str, str]
    warnings : list[str]
    paid_left_out : dict or None
        The paid posts created in the window, which AVE does not price: ``posts``,
        ``impressions`` and ``link_clicks`` (None when no post has the figure).
    other_accounts : dict or None
        The non-paid posts of accounts that are not the campaign's own, which AVE prices
        and the posts table leaves out: ``posts``, ``original_posts``, ``impressions`` and
        ``link_clicks``; None when the campaign does not name its own accounts.
    """

    total: float | None
    currency: str
    by_platform: dict[str, dict]
    caveat: str
    reasons: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    paid_left_out: dict | None = None
    other_accounts: dict | None = None

    def to_dict(self) -> dict:
        d = {
            "total": self.total,
            "currency": self.currency,
            "by_platform": self.by_platform,
            "caveat": self.caveat,
        }
        if self.reasons:
            d["reasons"] = self.reasons
        if self.paid_left_out is not None:
            d["paid_left_out"] = self.paid_left_out
        if self.other_accounts is not None:
            d["other_accounts"] = self.other_accounts
        return d


def rate_cards(ctx: EvalContext) -> list[PricedCard]:
    """Every rate card of the campaign: campaign.toml's, then the imported ones.

    Raises
    ------
    EvaluationError
        The same platform and unit priced twice (in campaign.toml and a rate-card file, or in
        two rate-card rows); the message names both places.
    """
    cards: list[PricedCard] = [
        PricedCard(
            c.platform,
            c.unit,
            float(c.price),
            c.currency,
            c.where or f"{ctx.campaign_file_name}, [[rate_cards]] entry {i + 1}",
        )
        for i, c in enumerate(ctx.rate_cards)
    ]
    rows = (
        ctx.tables.rate_cards.order_by(["import_id", "source_row"]).to_pandas()
        if ctx.tables.has_rows("rate_cards")
        else pd.DataFrame()
    )
    for r in rows.itertuples():
        cards.append(
            PricedCard(
                str(r.platform),
                str(r.unit),
                float(r.price),
                str(r.currency) if pd.notna(r.currency) else ctx.currency,
                f"{ctx.source_name(r.import_id)}, row {r.source_row}",
            )
        )
    seen: dict[tuple[str, str], PricedCard] = {}
    for c in cards:
        first = seen.get((c.platform, c.unit))
        if first is not None:
            raise EvaluationError(
                f"{first.where} and {c.where} both give a {c.unit} price for {c.platform}; "
                "keep one of them (a rate card is given once, in campaign.toml or in a "
                "rate-card file)"
            )
        seen[(c.platform, c.unit)] = c
    return cards


def quantities(latest: ir.Table, period: Period) -> pd.DataFrame:
    """Impressions, link clicks and original posts of non-paid posts per platform."""
    t = latest.filter(
        latest.created_at >= period.lo.to_pydatetime(),
        latest.created_at < period.hi.to_pydatetime(),
        ~latest.is_paid.fill_null(False),
    )
    return (
        t.group_by("platform")
        .aggregate(
            impressions=count_sum(t.impressions),
            link_clicks=count_sum(t.link_clicks),
            original_posts=t.count(where=(t.kind == "original") | t.kind.isnull()),
            posts=t.count(),
        )
        .to_pandas()
    )


def _totals(t: ir.Table) -> dict:
    row = (
        t.aggregate(
            posts=t.count(),
            original_posts=t.count(where=(t.kind == "original") | t.kind.isnull()),
            impressions=count_sum(t.impressions),
            link_clicks=count_sum(t.link_clicks),
        )
        .to_pandas()
        .iloc[0]
    )
    return {k: None if pd.isna(v) else int(v) for k, v in row.items()}


def left_out_and_added(ctx: EvalContext) -> tuple[dict, dict | None]:
    """What makes AVE's quantities differ from the posts table's figures for the same window.

    The posts table (exposure section) counts the campaign's own posts, paid ones included;
    AVE prices the non-paid posts of every account of the sources.

    Returns
    -------
    (dict, dict or None)
        The paid posts created in the window (left out of AVE): ``posts``, ``impressions``,
        ``link_clicks`` (None when no such post has the figure); and the non-paid posts of
        accounts that are not the campaign's own (priced by AVE, not in the posts table),
        with ``original_posts`` too, or None when the campaign names no account of its own
        (then the posts table counts every post).
    """
    from ripplemeter.evaluate.exposure import other_accounts

    period = ctx.window.campaign
    latest = ctx.tables.latest_posts(period)
    t = latest.filter(
        latest.created_at >= period.lo.to_pydatetime(),
        latest.created_at < period.hi.to_pydatetime(),
    )
    paid = _totals(t.filter(t.is_paid.fill_null(False)))
    paid.pop("original_posts")
    others = other_accounts(ctx)
    added = None
    if others is not None:
        added = _totals(t.filter(~t.is_paid.fill_null(False), t.account_id.isin(others.account_id)))
    return paid, added


def ave(ctx: EvalContext, cards: list[PricedCard]) -> Ave:
    """AVE = CPM x impressions / 1000 + CPC x link clicks + per-post price x original posts.

    Counts non-paid posts created in the campaign window (``is_paid`` false or unknown) with
    their latest snapshot. Rate cards in another currency are converted with ``[[fx]]``.

    Raises
    ------
    EvaluationError
        A rate card's currency differs from the campaign's and no ``[[fx]]`` rate is given.
    """
    if not cards:
        return Ave(
            None,
            ctx.currency,
            {},
            AMEC_CAVEAT,
            {"total": "no rate card: none in campaign.toml [[rate_cards]] nor in a rate-card file"},
        )
    q = quantities(ctx.tables.latest_posts(ctx.window.campaign), ctx.window.campaign)
    qty = {str(r.platform): r for r in q.itertuples()}
    by_platform: dict[str, dict] = {}
    total = 0.0
    warnings: list[str] = []
    for card in cards:
        rate = ctx.to_rate(card.currency)
        if rate is None:
            raise EvaluationError(
                f"{card.where}: rate card for {card.platform} ({card.unit}) is in "
                f"{card.currency} but the campaign reports in {ctx.currency}; add [[fx]] "
                f'currency = "{card.currency}" rate = ... (no rate is guessed)'
            )
        r = qty.get(card.platform)
        qname = QUANTITY_OF[card.unit]
        if r is None:
            warnings.append(
                f"rate card {card.platform} ({card.unit}): no non-paid post of platform "
                f"{card.platform!r} was created in the window; nothing priced"
            )
            continue
        raw = getattr(r, qname)
        if pd.isna(raw):
            warnings.append(
                f"rate card {card.platform} ({card.unit}): the posts have no {qname} figure; "
                "nothing priced (a missing figure is not 0)"
            )
            continue
        quantity = float(raw)
        value = card.price * quantity / (1000.0 if card.unit == "cpm" else 1.0) * rate
        entry = by_platform.setdefault(card.platform, {"total": 0.0})
        entry[card.unit] = {
            "value": value,
            "quantity": quantity,
            "quantity_of": qname,
            "price": card.price,
            "price_currency": card.currency,
            "fx_rate": rate,
        }
        entry["total"] += value
        total += value
    if not by_platform:
        return Ave(
            None,
            ctx.currency,
            {},
            AMEC_CAVEAT,
            {"total": "no rate card matched a priced figure; see warnings"},
            warnings,
        )
    paid, added = left_out_and_added(ctx)
    return Ave(total, ctx.currency, by_platform, AMEC_CAVEAT, {}, warnings, paid, added)


@register_section
class AveSection:
    """Advertising value equivalent of the campaign's non-paid posts."""

    id = "ave"
    title = "Advertising value equivalent (AVE)"
    order = 30
    metrics = (M.AVE, M.RATE_CARD_PRICE, M.AVE_QUANTITY, M.AVE_PAID_LEFT_OUT, M.AVE_OTHER_ACCOUNTS)
    settings = None

    def run(self, ctx: EvalContext) -> SectionResult:
        res = ave(ctx, rate_cards(ctx))
        d = res.to_dict()
        figs = [Figure("quantitative.ave.total", "ave", res.total, res.reasons.get("total"))]
        for p, units in res.by_platform.items():
            figs.append(Figure(f"quantitative.ave.by_platform.{p}.total", "ave", units["total"]))
            for unit, u in units.items():
                if unit == "total":
                    continue
                base = f"quantitative.ave.by_platform.{p}.{unit}"
                figs += [
                    Figure(f"{base}.price", "rate_card_price", u["price"]),
                    Figure(f"{base}.quantity", "ave_quantity", u["quantity"]),
                    Figure(f"{base}.value", "ave", u["value"]),
                ]
        for key, metric in (
            ("paid_left_out", "ave_paid_left_out"),
            ("other_accounts", "ave_other_accounts"),
        ):
            part = d.get(key)
            for k, v in (part or {}).items():
                why = None if v is not None else f"no such post has a {k.replace('_', ' ')} figure"
                figs.append(Figure(f"quantitative.ave.{key}.{k}", metric, v, why))
        return SectionResult(
            figures=figs,
            data={"quantitative.ave": d},
            warnings=list(res.warnings),
            notes=[],
            status="ok" if res.total is not None or res.warnings else "no data",
            reason=res.reasons.get("total"),
        )
