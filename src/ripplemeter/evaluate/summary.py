"""The campaign in a few sentences, generated from the figures.

The report opens with these sentences and metrics.json carries them under ``summary``. Each
sentence is built only when the figures it quotes exist, and quotes them by their path in
metrics.json (a :class:`Quote`), so the report shows each number through the same traceable
element as everywhere else and the ``text`` in metrics.json reads exactly as the page does.
Nothing here computes a figure: words are chosen by comparing figures that sections
reported (for instance whether a 95% interval includes no change).

>>> from ripplemeter.evaluate.summary import summarise          # doctest: +SKIP
>>> for s in summarise(result):                                  # doctest: +SKIP
...     print(s.topic, s.text(result))

Topics, in order: ``exposure`` (what the campaign's posts and account drew), ``outcomes``
(how business outcomes moved against the baseline, with the 95% interval), ``cost`` (spend,
cost per click against the benchmark, cost per result), ``search`` (search interest) and
``cause`` (what a before/after comparison can and cannot show).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ripplemeter.formatting import format_value, sentence_end

if TYPE_CHECKING:  # pragma: no cover
    from ripplemeter.evaluate import CampaignEvaluation
    from ripplemeter.evaluate.section import Figure

__all__ = ["Quote", "Sentence", "comparison_basis", "summarise"]

#: Most outcomes, and search terms, one sentence names.
MAX_LISTED = 3

CAUSE = (
    "A before-and-after comparison shows what changed while the campaign ran, not that the "
    "campaign caused it: a control market (a comparable region without the campaign) or a "
    "holdout group kept from it would show what the campaign itself caused."
)


@dataclass(frozen=True)
class Quote:
    """A figure quoted in a sentence, by its path in metrics.json.

    Attributes
    ----------
    path : str
        Dotted path (``quantitative.conversion.orders.lift``); the figure's metric and value
        come from the section that reported it.
    minor : bool
        A supporting number (an interval's bound), shown with less weight.
    """

    path: str
    minor: bool = False


@dataclass(frozen=True)
class Sentence:
    """One sentence of the summary: words and quoted figures, in reading order.

    Attributes
    ----------
    topic : str
        ``exposure``, ``outcomes``, ``cost``, ``search`` or ``cause``.
    parts : tuple of (str or Quote)
        The sentence: plain words and the figures it quotes.
    """

    topic: str
    parts: tuple[str | Quote, ...]

    @property
    def paths(self) -> tuple[str, ...]:
        """Paths of the figures the sentence quotes, in order."""
        return tuple(p.path for p in self.parts if isinstance(p, Quote))

    def text(self, evaluation: CampaignEvaluation) -> str:
        """The sentence as the report reads it (numbers formatted as on the page)."""
        index = {f.path: f for f in evaluation.figures}
        return "".join(p if isinstance(p, str) else shown(index[p.path]) for p in self.parts)

    def to_dict(self, evaluation: CampaignEvaluation) -> dict:
        """``{"topic", "text", "figures": [{"path", "metric", "value", "shown"}]}`` for metrics.json."""
        index = {f.path: f for f in evaluation.figures}
        return {
            "topic": self.topic,
            "text": self.text(evaluation),
            "figures": [
                {
                    "path": p,
                    "metric": index[p].metric,
                    "value": index[p].value,
                    "shown": shown(index[p]),
                }
                for p in self.paths
            ],
        }


def shown(f: Figure) -> str:
    """A figure as the report shows it (:func:`ripplemeter.formatting.format_value`)."""
    from ripplemeter.evaluate import metrics as M

    unit = M.REGISTRY[f.metric].unit if f.metric in M.REGISTRY else ""
    return format_value(f.value, f.metric, unit)


class _Figures:
    """Figures of an evaluation by path, and the metrics.json detail around them."""

    def __init__(self, evaluation: CampaignEvaluation) -> None:
        self.index = {f.path: f for f in evaluation.figures}
        self.status = {sid: (r.status, r.reason) for sid, r in evaluation.results.items()}
        self.doc: dict = {}
        for res in evaluation.results.values():  # each section's detail at its dotted paths
            for path, value in res.data.items():
                node = self.doc
                *head, last = path.split(".")
                for k in head:
                    node = node.setdefault(k, {})
                node[last] = value

    def ok(self, *paths: str) -> bool:
        """True when every path is a figure with a value."""
        return all(p in self.index and self.index[p].value is not None for p in paths)

    def value(self, path: str) -> Any:
        return self.index[path].value

    def detail(self, *keys: str) -> Any:
        node: Any = self.doc
        for k in keys:
            if not isinstance(node, dict) or k not in node:
                return None
            node = node[k]
        return node


def _join(items: list[list[str | Quote]], last: str = " and ") -> list[str | Quote]:
    out: list[str | Quote] = []
    for i, it in enumerate(items):
        if i:
            out.append(last if i == len(items) - 1 else "; ")
        out += it
    return out


def _interval(f: _Figures, prefix: str, key: str = "ci95") -> list[str | Quote]:
    """`` (95% interval a to b)`` when the interval exists, saying so when it spans no change."""
    if not f.ok(f"{prefix}.{key}.0", f"{prefix}.{key}.1"):
        return []
    lo, hi = f.value(f"{prefix}.{key}.0"), f.value(f"{prefix}.{key}.1")
    tail = ", which includes no change" if lo <= 0 <= hi else ""
    a, b = Quote(f"{prefix}.{key}.0", minor=True), Quote(f"{prefix}.{key}.1", minor=True)
    return [" (95% interval ", a, " to ", b, tail, ")"]


def _exposure(f: _Figures) -> Sentence | None:
    parts: list[str | Quote] = []
    e = "quantitative.exposure"
    lift = "quantitative.exposure_lift.impressions.lift"
    if f.ok(f"{e}.posts", f"{e}.impressions") and f.value(f"{e}.posts"):
        parts += ["The ", Quote(f"{e}.posts"), " posts published during the campaign were seen "]
        parts += [Quote(f"{e}.impressions"), " times"]
        if f.ok(f"{e}.engagements"):
            parts += [" and drew ", Quote(f"{e}.engagements"), " engagements"]
            if f.ok(f"{e}.engagement_rate_impressions"):
                parts += [" (", Quote(f"{e}.engagement_rate_impressions"), " of impressions)"]
        if f.ok(lift):
            parts += ["; per day, post impressions were ", Quote(lift), " against the baseline"]
    elif f.ok(f"{e}.posts", f"{e}.engagements") and f.value(f"{e}.posts"):
        # a post export without impressions (some page exports): what the posts drew
        parts += ["The ", Quote(f"{e}.posts"), " posts published during the campaign drew "]
        parts += [Quote(f"{e}.engagements"), " engagements"]
        if f.ok("quantitative.exposure_lift.engagements.lift"):
            parts += ["; per day, post engagements were "]
            parts += [Quote("quantitative.exposure_lift.engagements.lift"), " against the baseline"]
    d = "quantitative.daily_exposure.impressions"
    if f.ok(f"{d}.lift", f"{d}.campaign_daily_mean"):
        if parts:
            if parts[-1] == " against the baseline":
                parts += [
                    " and the account's daily impressions (all its posts) ",
                    Quote(f"{d}.lift"),
                ]
            else:
                parts += ["; the account's daily impressions (all its posts) changed by "]
                parts += [Quote(f"{d}.lift"), " against the baseline"]
        else:
            parts += ["The account's impressions averaged ", Quote(f"{d}.campaign_daily_mean")]
            parts += [" a day during the campaign (daily export), ", Quote(f"{d}.lift")]
            parts += [" against the baseline"]
        parts += _interval(f, d)
    if not parts:
        return None
    return Sentence("exposure", (*parts, "."))


def _outcomes(f: _Figures) -> Sentence | None:
    from ripplemeter.evaluate.outcomes import outcome_name

    conv = f.detail("quantitative", "conversion") or {}
    items: list[list[str | Quote]] = []
    for k in conv:
        p = f"quantitative.conversion.{k}"
        if not f.ok(f"{p}.lift", f"{p}.campaign_daily_mean", f"{p}.baseline_daily_mean"):
            continue
        item: list[str | Quote] = [outcome_name(k).capitalize() if not items else outcome_name(k)]
        item += [" averaged ", Quote(f"{p}.campaign_daily_mean"), " a day, ", Quote(f"{p}.lift")]
        item += [" against the baseline's ", Quote(f"{p}.baseline_daily_mean", minor=True)]
        item += _interval(f, p)
        items.append(item)
        if len(items) == MAX_LISTED:
            break
    if not items:
        return None
    return Sentence("outcomes", (*_join(items), "."))


def _cost(f: _Figures) -> Sentence | None:
    c = "quantitative.cpc"
    if not f.ok(f"{c}.spend"):
        status, reason = f.status.get("ads", (None, None))
        if status == "no data" and reason:  # the reader asks what it cost: say why it is absent
            return Sentence("cost", (f"No cost figures: {sentence_end(reason)}",))
        return None
    cur = f.detail("quantitative", "cpc", "currency") or ""
    unit = f" {cur}" if cur else ""
    parts: list[str | Quote] = ["Media spend was ", Quote(f"{c}.spend"), unit]
    if f.ok(f"{c}.value", f"{c}.link_clicks"):
        parts += [" for ", Quote(f"{c}.link_clicks"), " link clicks, a cost per click of "]
        parts += [Quote(f"{c}.value"), unit]
        if f.ok(f"{c}.benchmark"):
            cheaper = f.value(f"{c}.value") <= f.value(f"{c}.benchmark")
            word = "below" if cheaper else "above"
            parts += [f", {word} the benchmark of ", Quote(f"{c}.benchmark"), unit]
    label = f.detail("quantitative", "cpc", "result_label")
    if f.ok(f"{c}.results", f"{c}.cost_per_result") and f.value(f"{c}.results"):
        # the export's own result (Meta's 'Results' column), with the platform's cost per result
        what = f" ({label})" if label else ""
        parts += ["; the ad platform counts ", Quote(f"{c}.results"), f" results{what}, at "]
        per = f.detail("quantitative", "cpc", "result_basis") or 1
        parts += [
            Quote(f"{c}.cost_per_result"),
            f"{unit} per 1,000" if per == 1000 else f"{unit} each",
        ]
        return Sentence("cost", (*parts, "."))
    conv = f.detail("quantitative", "cpc", "conversions") or {}
    order = sorted(conv, key=lambda k: (k != "purchases", list(conv).index(k)))
    for k in order:
        p = f"{c}.conversions.{k}"
        if f.ok(f"{p}.value", f"{p}.cost_per") and f.value(f"{p}.value"):
            name = k.replace("_", " ")
            parts += ["; the ad platform counts ", Quote(f"{p}.value"), f" {name}, at "]
            parts += [
                Quote(f"{p}.cost_per"),
                f"{unit} each (the window's whole ad spend divided by them)",
            ]
            break
    return Sentence("cost", (*parts, "."))


def _search(f: _Figures) -> Sentence | None:
    from ripplemeter.evaluate.indices import source_name

    third = f.detail("quantitative", "third_party") or {}
    items: list[list[str | Quote]] = []
    for src, terms in third.items():
        for k, v in terms.items():
            p = f"quantitative.third_party.{src}.{k}"
            if not f.ok(f"{p}.lift"):
                continue
            where = f", {v['geo']}" if v.get("geo") else ""
            item: list[str | Quote] = [f"“{v['term']}” ({source_name(src)}{where}) "]
            item += [Quote(f"{p}.lift")]
            if v.get("below_one_periods") and f.ok(f"{p}.lift_bounds.0", f"{p}.lift_bounds.1"):
                lo = Quote(f"{p}.lift_bounds.0", minor=True)
                item += [" (", lo, " to ", Quote(f"{p}.lift_bounds.1", minor=True)]
                item += [" however the '<1' periods are counted)"]  # Google Trends' marker
            items.append(item)
            if len(items) == MAX_LISTED:
                break
        if len(items) == MAX_LISTED:
            break
    if not items:
        return None
    return Sentence("search", ("Search interest against the baseline: ", *_join(items), "."))


def summarise(evaluation: CampaignEvaluation) -> list[Sentence]:
    """The campaign summary: three to five sentences, each only when its figures exist.

    Parameters
    ----------
    evaluation : CampaignEvaluation

    Returns
    -------
    list[Sentence]
        In reading order: exposure, outcomes, cost, search interest, then the caution that
        a before/after comparison does not by itself show cause (given whenever a sentence
        compares the campaign with the baseline). Empty when no section reported figures.
    """
    f = _Figures(evaluation)
    out = [s for s in (_exposure(f), _outcomes(f), _cost(f), _search(f)) if s is not None]
    if any(s.topic in ("exposure", "outcomes", "search") for s in out):
        out.append(Sentence("cause", (CAUSE,)))
    return out


def comparison_basis(campaign_days: int, baseline_days: int) -> str:
    """The basis of every comparison, stated once: ``The baseline has 28 days and ...``.

    Examples
    --------
    >>> comparison_basis(31, 28)
    'The baseline has 28 days and the campaign 31: comparisons use daily rates (totals are shown beside them).'
    >>> comparison_basis(31, 31)
    'The baseline and the campaign both have 31 days: comparisons use daily rates, which here give the same changes as the totals.'
    """
    if campaign_days == baseline_days:
        return (
            f"The baseline and the campaign both have {campaign_days} days: comparisons use "
            "daily rates, which here give the same changes as the totals."
        )
    return (
        f"The baseline has {baseline_days} days and the campaign {campaign_days}: comparisons "
        "use daily rates (totals are shown beside them)."
    )


def quoted(sentences: Iterable[Sentence]) -> list[str]:
    """Every path the sentences quote, in order (for tests and notebooks)."""
    return [p for s in sentences for p in s.paths]
