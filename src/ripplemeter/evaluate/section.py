"""The one shape every analysis takes: a :class:`Section`, run over an :class:`EvalContext`.

A section declares its id, title, metrics (registry entries) and settings (its own table in
campaign.toml, a pydantic model), and computes a :class:`SectionResult` of figures, frames,
warnings and notes. It never renders: ``report/`` shows the result through the section's
template (``<id>.html`` beside the section's module, else
``report/templates/sections/<id>.html``), and metrics.json is built from the same results.

Sections register by id, the built-in ones exactly as an outside one would: with the
:func:`register_section` decorator, or through the entry-point group ``ripplemeter.sections``
(an entry point names a module, or a section class, that is imported on first use).

>>> from ripplemeter.evaluate.section import available_sections   # doctest: +SKIP
>>> [s.id for s in available_sections()]                           # doctest: +SKIP
['exposure', 'daily_exposure', 'ave', 'ads', 'outcomes', 'indices', 'seeding', 'top_posts']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

import pandas as pd

from ripplemeter.evaluate.metrics import Metric

if TYPE_CHECKING:  # pragma: no cover
    from pydantic import BaseModel

    from ripplemeter.evaluate.context import EvalContext

__all__ = [
    "Figure",
    "Section",
    "SectionResult",
    "available_sections",
    "get_section",
    "register_section",
    "unregister_section",
]

ENTRY_POINT_GROUP = "ripplemeter.sections"


@dataclass(frozen=True)
class Figure:
    """One reported number, addressed by its path in metrics.json.

    Attributes
    ----------
    path : str
        Dotted path of the value in metrics.json (``quantitative.cpc.value``).
    metric : str
        Id of its definition in the metric registry.
    value : float, int or None
        The raw number, in the metric's unit.
    reason : str or None
        Why ``value`` is None (never a silent null).
    """

    path: str
    metric: str
    value: Any
    reason: str | None = None

    def to_dict(self) -> dict:
        d = {"path": self.path, "metric": self.metric, "value": self.value}
        if self.value is None and self.reason:
            d["reason"] = self.reason
        return d


@dataclass
class SectionResult:
    """What a section computed: figures, detail, frames, warnings and notes.

    Attributes
    ----------
    figures : list[Figure]
        Every number the section reports, each with its metric id and its path in metrics.json.
    data : dict[str, object]
        JSON-ready detail placed in metrics.json at each key's dotted path (e.g.
        ``{"quantitative.ave": {...}}``); figure paths point inside it.
    frames : dict[str, pandas.DataFrame]
        Tables and series for charts and exports (not in metrics.json).
    warnings, notes : list[str]
        Plain-language messages for the reader.
    uses : tuple[str, ...]
        Metric ids shown without a figure of their own (a chart's series), whose
        definitions the report must carry.
    status : str
        ``"ok"``, or ``"no data"`` when the campaign's sources hold nothing for the section
        (``reason`` says what is missing; the report leaves the section out).
    reason : str or None
    """

    figures: list[Figure] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    uses: tuple[str, ...] = ()
    status: str = "ok"
    reason: str | None = None

    @classmethod
    def no_data(cls, reason: str, data: dict[str, Any] | None = None) -> SectionResult:
        """A result for a campaign whose sources hold nothing this section reads."""
        return cls(data=dict(data or {}), status="no data", reason=reason)

    def value(self, path: str) -> Any:
        """The value of the figure at ``path``.

        The same rule as :meth:`ripplemeter.evaluate.CampaignEvaluation.value`: a path the
        section does not report raises; a figure it reports without a value (a cost per
        click with no link clicks, a total from breakdown exports only) returns None, and
        the figure's ``reason`` says why.

        Returns
        -------
        int, float, str or None
            None for a reported figure that has no value.

        Raises
        ------
        KeyError
            The section reports no figure at ``path``.
        """
        for f in self.figures:
            if f.path == path:
                return f.value
        raise KeyError(path)


@runtime_checkable
class Section(Protocol):
    """An analysis of a campaign: one module, one template.

    Attributes
    ----------
    id : str
        Stable id: the key of its settings table in campaign.toml and of its template.
    title : str
        Heading shown to readers.
    metrics : tuple[Metric, ...]
        The registry entries it defines (and reports).
    settings : type[pydantic.BaseModel] or None
        Model of its own ``[<id>]`` table in campaign.toml (unknown keys forbidden).
    order : int
        Position in the report (built-ins use multiples of 10).

    Optional: ``headline(result) -> [(path, label), ...]`` offers headline cards, most
    important first, and ``headline_group`` (``"organic"``, ``"paid"``, ``"outcomes"`` or
    ``"search"``) names their group in the report's headline; ``exports(result, out)``
    writes the section's own files beside the report.
    """

    id: ClassVar[str]
    title: ClassVar[str]
    metrics: ClassVar[tuple[Metric, ...]]
    settings: ClassVar[type[BaseModel] | None]
    order: ClassVar[int]

    def run(self, ctx: EvalContext) -> SectionResult:  # pragma: no cover - protocol
        """Compute the section's figures from ``ctx`` (reads nothing else)."""
        ...


_SECTIONS: dict[str, type] = {}
_ADDED_METRICS: dict[str, list[str]] = {}
_LOADED = False


def register_section(cls: type) -> type:
    """Class decorator: add a section to the registry under ``cls.id``.

    Raises
    ------
    ValueError
        Another section already has this id, the class lacks ``id``/``title``/``run``, or it
        declares a metric whose id the registry defines differently.
    """
    for attr in ("id", "title", "run"):
        if not hasattr(cls, attr):
            raise ValueError(f"section {cls.__name__} has no {attr!r}")
    sid = cls.id
    if sid in _SECTIONS and _SECTIONS[sid] is not cls:
        raise ValueError(f"section {sid!r} registered twice")
    for attr, default in (("metrics", ()), ("settings", None), ("order", 1000)):
        if not hasattr(cls, attr):
            setattr(cls, attr, default)
    from ripplemeter.evaluate import metrics as M

    for m in cls.metrics:
        known = M.REGISTRY.get(m.id)
        if known is not None and known != m:
            raise ValueError(
                f"section {sid!r} declares metric {m.id!r} differently from the registry; "
                "a metric is defined once (reuse the registry entry or choose another id)"
            )
    added = [m.id for m in cls.metrics if m.id not in M.REGISTRY]
    for m in cls.metrics:
        if m.id in added:
            M.define(m)
    _ADDED_METRICS[sid] = added
    _SECTIONS[sid] = cls
    return cls


def unregister_section(section_id: str) -> None:
    """Remove a section and the metrics its registration added (tests clean up with this)."""
    from ripplemeter.evaluate import metrics as M

    _SECTIONS.pop(section_id, None)
    for mid in _ADDED_METRICS.pop(section_id, []):
        M.REGISTRY.pop(mid, None)


def _load() -> None:
    """Register every section of the ``ripplemeter.sections`` entry points (built-ins too).

    Raises
    ------
    EvaluationError
        An entry point cannot be loaded (a broken plug-in): the message names it. Nothing is
        remembered, so the next call tries again, and sections are never silently missing.
    """
    global _LOADED
    if _LOADED:
        return
    from importlib.metadata import entry_points

    from ripplemeter.errors import EvaluationError

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
        except Exception as exc:  # a plug-in's own failure, reported by name
            raise EvaluationError(
                f"report section plug-in '{ep.name}' ({ep.value}) could not be loaded: "
                f"{type(exc).__name__}: {exc}; fix or uninstall the package that provides it"
            ) from None
        if isinstance(obj, type) and obj.__dict__.get("id") and obj not in _SECTIONS.values():
            register_section(obj)
    _LOADED = True


def available_sections() -> list[Section]:
    """Every registered section, instantiated, in report order."""
    _load()
    return [cls() for cls in sorted(_SECTIONS.values(), key=lambda c: (c.order, c.id))]


def get_section(section_id: str) -> Section:
    """The registered section with this id.

    Raises
    ------
    KeyError
        No section has this id.
    """
    _load()
    return _SECTIONS[section_id]()


def section_settings_models() -> Mapping[str, type]:
    """Section id -> its settings model, for campaign.toml validation."""
    _load()
    return {sid: cls.settings for sid, cls in _SECTIONS.items() if cls.settings is not None}


def clean(v: Any) -> Any:
    """A JSON-ready Python number: NaN/NA -> None, numpy scalars -> int/float, 3.0 -> 3."""
    import decimal

    import numpy as np

    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, decimal.Decimal):
        v = int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        v = float(v)
    if isinstance(v, float):
        if v != v:  # NaN
            return None
        return int(v) if v.is_integer() else v
    return v


def figures_from(
    prefix: str, data: Mapping[str, Any], spec: Mapping[str, str], reasons: Mapping | None = None
) -> list[Figure]:
    """Figures for the keys of ``data`` named in ``spec`` (key -> metric id), in spec order.

    Keys missing from ``data`` are skipped; a null value takes its reason from ``reasons``
    (or ``data["reasons"]``) when there is one.
    """
    reasons = reasons if reasons is not None else (data.get("reasons") or {})
    out = []
    for key, metric in spec.items():
        if key not in data:
            continue
        v = data[key]
        out.append(Figure(f"{prefix}.{key}", metric, v, reasons.get(key) if v is None else None))
    return out


NO_DIFFERENCE = "needs a value in both windows"


def comparison_figures(
    prefix: str,
    d: Mapping[str, Any],
    *,
    mean_metric: str,
    interval_metric: str,
    means: tuple[str, str] = ("baseline_daily_mean", "campaign_daily_mean"),
    interval: str = "ci95",
) -> list[Figure]:
    """Figures beside a baseline-vs-campaign lift: both means, the difference, the interval.

    Parameters
    ----------
    prefix : str
        Path of the comparison in metrics.json (``quantitative.conversion.orders``).
    d : mapping
        The comparison's dict (a :meth:`LiftEstimate.to_dict` or the same keys), with
        ``reasons`` for nulls.
    mean_metric, interval_metric : str
        Metric ids of the means and of the interval bounds (the lift's metric).
    """
    r = d.get("reasons") or {}
    figs = [Figure(f"{prefix}.{k}", mean_metric, d[k], r.get(k)) for k in means]
    diff = d.get("difference")
    figs.append(
        Figure(
            f"{prefix}.difference", "difference", diff, None if diff is not None else NO_DIFFERENCE
        )
    )
    if d.get(interval):
        figs += [
            Figure(f"{prefix}.{interval}.{i}", interval_metric, d[interval][i]) for i in (0, 1)
        ]
    return figs
