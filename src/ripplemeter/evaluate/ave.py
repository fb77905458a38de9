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
    """

    total: float | None
    currency: str
    by_platform: dict[str, dict]
    caveat: str
    reasons: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = {
            "total": self.total,
            "currency": self.currency,
            "by_platform": self.by_platform,
            "caveat": self.caveat,
        }
        if self.reasons:
            d["reasons"] = self.reasons
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
    return Ave(total, ctx.currency, by_platform, AMEC_CAVEAT, {}, warnings)


@register_section
class AveSection:
    """Advertising value equivalent of the campaign's non-paid posts."""

    id = "ave"
    title = "Advertising value equivalent (AVE)"
    order = 30
    metrics = (M.AVE, M.RATE_CARD_PRICE, M.AVE_QUANTITY)
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
        return SectionResult(
            figures=figs,
            data={"quantitative.ave": d},
            warnings=list(res.warnings),
            notes=[],
            status="ok" if res.total is not None or res.warnings else "no data",
            reason=res.reasons.get("total"),
        )
