"""report.html: one self-contained file that opens offline (Plotly inlined once).

The page is a shell (``templates/report.html``) that includes one template per section: the
section's own ``<id>.html`` beside its module when it has one, else
``templates/sections/<id>.html``. A template shows numbers only through ``fig(path)``, which
looks the figure up in the section's results and writes it in an element carrying
``data-metric`` (its registry id), ``data-path`` (its path in metrics.json) and
``data-value`` (the raw number), so that every number on the page can be traced to its
definition and to metrics.json. Untrusted text is HTML-escaped by Jinja2's autoescaping.
"""

from __future__ import annotations

import copy
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import plotly.io as pio
from markupsafe import Markup, escape
from plotly.offline import get_plotlyjs

from ripplemeter.evaluate import CampaignEvaluation
from ripplemeter.evaluate.section import Figure
from ripplemeter.evaluate.summary import Sentence, comparison_basis, summarise
from ripplemeter.formatting import (
    day,
    fmt,
    format_value,
    money,
    pct,
    platform_name,
    sentence_end,
    table_words,
)
from ripplemeter.report import charts
from ripplemeter.report.exports import scrub, write_json, write_table
from ripplemeter.report.wording import plain

__all__ = ["ReportPaths", "format_figure", "headline_groups", "render_html", "write_report"]

#: Headline groups, in the order the report shows them, with the words it shows.
HEADLINE_GROUPS = {
    "organic": "Organic",
    "paid": "Paid media",
    "outcomes": "Outcomes",
    "search": "Search interest",
    "other": "Other",
}
#: Most headline cards the report shows (the summary and the sections carry the rest).
MAX_HEADLINE = 6


@dataclass
class ReportPaths:
    """Files written by :func:`write_report`."""

    html: Path
    metrics: Path
    top_posts_csv: Path | None = None
    top_posts_xlsx: Path | None = None
    extra: list[Path] = field(default_factory=list)


def format_figure(f: Figure, unit: str) -> str:
    """A figure as a reader sees it: by its metric (signed % for lifts) or its unit."""
    return format_value(f.value, f.metric, unit)


def _raw(v: object) -> str:
    if v is None:
        return ""
    return json.dumps(v)


class _FigureWriter:
    """``fig(path)`` in templates: the figure at ``path`` in a traceable element."""

    def __init__(self, evaluation: CampaignEvaluation, defs: dict) -> None:
        self.index = {f.path: f for f in evaluation.figures}
        self.defs = defs

    def has(self, path: str) -> bool:
        return path in self.index

    def __call__(
        self, path: str, text: str | None = None, *, cls: str = "", tip: str | None = None
    ) -> Markup:
        """The figure's element; ``tip`` says what the number is when the metric's name alone
        does not (a count of negative results is a "First-page search results" metric)."""
        f = self.index.get(path)
        if f is None:
            raise KeyError(f"the template shows {path!r}, which no section reports as a figure")
        unit = self.defs.get(f.metric, {}).get("unit", "")
        shown = text if text is not None else format_figure(f, unit)
        name = tip if tip is not None else self.defs.get(f.metric, {}).get("name", f.metric)
        title = f"{name}: {f.reason}" if f.reason else name
        return Markup(
            f'<span class="fig{(" " + escape(cls)) if cls else ""}" data-metric="{escape(f.metric)}"'
            f' data-path="{escape(f.path)}" data-value="{escape(_raw(f.value))}"'
            f' title="{escape(title)}">{escape(shown)}</span>'
        )


class _Names:
    """``name(metric_id)`` in templates: a metric's name, its formula and id in a tooltip.

    Visible text is the name a reader knows (``Post impressions``); the id and formula stay
    in the ``title`` and in the definitions appendix, which the name links to.
    """

    def __init__(self, defs: dict) -> None:
        self.defs = defs

    def __call__(self, metric: str, text: str | None = None) -> Markup:
        d = self.defs.get(metric)
        if d is None:
            from ripplemeter.evaluate import metrics as M

            m = M.REGISTRY.get(metric)
            d = m.definition() if m is not None else {"name": metric.replace("_", " ")}
        shown = text if text is not None else d["name"]
        tip = f"{d.get('formula', '')} (metric id: {metric})" if d.get("formula") else metric
        href = f"#def-{metric}" if metric in self.defs else None
        if href:
            return Markup(
                f'<a class="mname" href="{escape(href)}" title="{escape(tip)}">{escape(shown)}</a>'
            )
        return Markup(f'<span class="mname" title="{escape(tip)}">{escape(shown)}</span>')


def headline_groups(result: CampaignEvaluation, limit: int = MAX_HEADLINE) -> list[dict]:
    """The headline cards, at most ``limit``, grouped (organic, paid, outcomes, search).

    Sections offer cards through ``headline(result) -> [(path, label), ...]`` (or
    ``(path, label, group)``), most important first; a section's ``headline_group`` names
    the group of its cards (``other`` when it names none). Cards whose figure is missing are
    left out. The named groups take turns, in :data:`HEADLINE_GROUPS` order, so each kind of
    data the campaign has is represented before any group gets a second card; ``other``
    cards fill only the places left. Within a group the sections' cards take turns in
    report order.

    Returns
    -------
    list[dict]
        ``{"id", "title", "cards": [(path, label), ...]}`` per group that has cards, in
        :data:`HEADLINE_GROUPS` order.
    """
    index = {f.path: f for f in result.figures}
    offered: dict[str, list[list[tuple[str, str]]]] = {}
    for sid, res in result.results.items():
        section = result.sections[sid]
        headline = getattr(section, "headline", None)
        if res.status != "ok" or headline is None:
            continue
        default = getattr(section, "headline_group", "other")
        per_group: dict[str, list[tuple[str, str]]] = {}
        for card in headline(res):
            path, label = card[0], card[1]
            group = card[2] if len(card) > 2 else default
            f = index.get(path)
            if f is None or f.value is None:
                continue
            per_group.setdefault(group if group in HEADLINE_GROUPS else "other", []).append(
                (path, label)
            )
        for group, cards in per_group.items():
            offered.setdefault(group, []).append(cards)
    queues: dict[str, list[tuple[str, str]]] = {}
    for group, lists in offered.items():  # sections of a group take turns
        q: list[tuple[str, str]] = []
        for i in range(max(len(x) for x in lists)):
            q += [x[i] for x in lists if i < len(x)]
        queues[group] = q
    chosen: dict[str, list[tuple[str, str]]] = {g: [] for g in HEADLINE_GROUPS}
    named = [g for g in HEADLINE_GROUPS if g != "other"]
    n = 0
    for turn in (named, ["other"]):  # "other" only fills places the named groups leave
        while n < limit and any(queues.get(g) for g in turn):
            for g in turn:
                if n < limit and queues.get(g):
                    chosen[g].append(queues[g].pop(0))
                    n += 1
    return [
        {"id": g, "title": HEADLINE_GROUPS[g], "cards": cards}
        for g, cards in chosen.items()
        if cards
    ]


def _definitions(defs: dict) -> tuple[list[dict], list[str]]:
    """Appendix rows, each distinct decision text once: shared ones become numbered notes."""
    from collections import Counter

    counts = Counter(d.get("decision", "") for d in defs.values() if d.get("decision"))
    shared = [t for t, n in counts.items() if n > 1]
    number = {t: i + 1 for i, t in enumerate(shared)}
    rows = []
    for mid, d in defs.items():
        t = d.get("decision", "")
        rows.append({"id": mid, **d, "note": number.get(t), "decision": "" if t in number else t})
    return rows, shared


def _summary_parts(sentences: list[Sentence], fig: _FigureWriter) -> list[dict]:
    out = []
    for s in sentences:
        html = "".join(
            str(escape(p))
            if isinstance(p, str)
            else str(fig(p.path, cls="minor" if p.minor else ""))
            for p in s.parts
        )
        out.append({"topic": s.topic, "html": Markup(html)})
    return out


def _section_source(section) -> str | None:
    """The template beside the section's module, if it has one."""
    mod = sys.modules.get(type(section).__module__)
    file = getattr(mod, "__file__", None)
    if file:
        beside = Path(file).parent / f"{section.id}.html"
        if beside.is_file():
            return beside.read_text(encoding="utf-8")
    return None


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("ripplemeter.report", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
    )
    env.filters["fmt"] = fmt
    env.filters["pct"] = pct
    env.filters["money"] = money
    env.filters["rows_in_words"] = table_words
    env.filters["platform"] = platform_name
    env.filters["dash"] = _dash
    env.filters["day"] = _day
    env.filters["plain"] = plain
    env.filters["sentence_end"] = sentence_end
    return env


def _day(iso: str) -> str:
    """An ISO date as a reader writes it: ``2026-03-01`` -> ``1 Mar 2026``."""
    import datetime as dt

    return day(dt.date.fromisoformat(str(iso)))


def _dash(value: object) -> object:
    """A cell's text, or ``—`` when it is missing (never ``None`` or ``nan``)."""
    if value is None:
        return "—"
    try:
        import pandas as pd

        if pd.isna(value):
            return "—"
    except (TypeError, ValueError):
        pass
    if isinstance(value, str) and not value.strip():
        return "—"
    return value


def _chart_html(div: str, fig) -> str:
    """A chart's div, then its one-line "How to read this" (``charts.caption_of``)."""
    plot = pio.to_html(
        fig,
        full_html=False,
        include_plotlyjs=False,
        div_id=f"chart-{div}",
        config={"displaylogo": False, "responsive": True},
    )
    caption = charts.caption_of(fig)
    if not caption:
        return plot
    return plot + (
        f'<p class="chart-caption" id="chart-{escape(div)}-caption" '
        'style="margin:0.25rem 0 1.25rem;color:#444;font-size:0.9rem">'
        f"{escape(caption)}</p>"
    )


REPORT_KINDS = ("campaign", "listening")


def listening_document(doc: dict) -> dict:
    """A listening report's metrics.json: the project in place of the campaign block.

    A listening project has a name, a period and a time zone, but no baseline window and no
    currency: ``campaign`` (with its baseline and currency) becomes ``project`` with
    ``name``, ``start``, ``end``, ``days`` and ``timezone``, and ``report`` says
    ``"listening"``. ``sources`` and ``summary`` (empty for a listening evaluation, which
    imports no files) take the listening section's list of sources and its summary sentences,
    as the campaign report's do. Every other key is kept.
    """
    out = {k: v for k, v in doc.items() if k != "campaign"}
    c = doc["campaign"]
    out["report"] = "listening"
    out["project"] = {k: c[k] for k in ("name", "start", "end", "days", "timezone")}
    L = doc.get("listening") or {}
    if not out.get("sources"):
        out["sources"] = list(L.get("sources") or [])
    if not out.get("summary"):
        out["summary"] = list(L.get("summary") or [])
    return out


def _listening_lead(doc: dict, fig: _FigureWriter) -> list[Markup]:
    """One sentence per topic: its mentions, its share of voice, its alerts."""
    L = doc.get("listening") or {}
    topics = L.get("topics") or {}
    out = []
    for tid in L.get("topic_order") or list(topics):
        t = topics[tid]
        p = f"listening.topics.{tid}"
        parts = [Markup("<b>{}</b> ({}): ").format(t.get("name", tid), t.get("role", ""))]
        parts.append(
            Markup("{} mentions").format(fig(f"{p}.mentions"))
            if fig.has(f"{p}.mentions")
            else Markup("no mentions figure")
        )
        sov = f"{p}.share_of_voice.mentions"
        if fig.has(sov) and (t.get("share_of_voice") or {}).get("mentions") is not None:
            parts.append(Markup(", {} share of voice by mentions").format(fig(sov)))
        n = len(t.get("alerts") or [])
        parts.append(
            Markup("; {} alert{}").format(n, "" if n == 1 else "s") if n else Markup("; no alert")
        )
        out.append(Markup("").join(parts) + Markup("."))
    return out


def render_html(
    result: CampaignEvaluation, doc: dict | None = None, *, kind: str = "campaign"
) -> str:
    """The report as one HTML string (Plotly inlined once, works offline).

    A listening report's summary is one line per topic (mentions, share of voice, alerts)
    instead of the campaign's sentences and headline cards.

    Parameters
    ----------
    result : CampaignEvaluation
    doc : dict, optional
        Its metrics.json document (default ``result.metrics()``; for ``kind="listening"``
        either form, see :func:`listening_document`).
    kind : {"campaign", "listening"}
        The shell: a campaign report (window, baseline, currency, summary sentences) or a
        listening report (project name, period and time zone; one line per topic).

    Raises
    ------
    ValueError
        ``kind`` is not one of :data:`REPORT_KINDS`.
    """
    if kind not in REPORT_KINDS:
        raise ValueError(f"report kind {kind!r}; expected one of {', '.join(REPORT_KINDS)}")
    doc = scrub(doc or result.metrics())
    if kind == "listening" and "campaign" in doc:
        doc = listening_document(doc)
    env = _env()
    defs = doc["definitions"]
    fig = _FigureWriter(result, defs)
    base = {
        "doc": doc,
        "q": doc["quantitative"],
        "c": doc["project"] if kind == "listening" else doc["campaign"],
        "kind": kind,
        "defs": defs,
        "fig": fig,
        "has": fig.has,
        "name": _Names(defs),
    }
    parts, absent = [], []
    for sid, res in result.results.items():
        section = result.sections[sid]
        if res.status != "ok":
            absent.append({"id": sid, "title": section.title, "reason": res.reason})
            continue
        src = _section_source(section)
        if src is not None:
            tmpl = env.from_string(src)
        else:
            try:
                tmpl = env.get_template(f"sections/{sid}.html")
            except jinja2.TemplateNotFound:  # a section without a template: its figures listed
                tmpl = env.get_template("sections/_figures.html")
        chart_list = [(d, _chart_html(d, f)) for d, f in charts.charts_for(result, sid)]
        html = tmpl.render(
            **base,
            r=res,
            section=section,
            data=doc,
            charts=chart_list,
            frames=res.frames,
        )
        parts.append({"id": sid.replace("_", "-"), "title": section.title, "html": Markup(html)})
    def_rows, def_notes = _definitions(defs)
    if kind == "listening":
        shell = {"summary": [], "basis": "", "topic_lines": _listening_lead(doc, fig)}
    else:
        c = doc["campaign"]
        shell = {
            "summary": _summary_parts(summarise(result), fig),
            "basis": comparison_basis(c["days"], c["baseline_days"]),
            "topic_lines": [],
        }
    return env.get_template("report.html").render(
        **base,
        **shell,
        sections=parts,
        absent=absent,
        headline=headline_groups(result) if kind == "campaign" else [],
        def_rows=def_rows,
        def_notes=def_notes,
        plotlyjs=get_plotlyjs(),
    )


def write_report(
    result: CampaignEvaluation, out: str | Path, *, kind: str = "campaign"
) -> ReportPaths:
    """Write ``report.html``, ``metrics.json`` and the top-posts CSV/XLSX into ``out``.

    Parameters
    ----------
    result : CampaignEvaluation
    out : str or Path
        Output folder (created).
    kind : {"campaign", "listening"}
        The report's shell (see :func:`render_html`); a listening report's metrics.json
        names the project instead of a campaign (:func:`listening_document`).

    Returns
    -------
    ReportPaths
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    doc = result.metrics()
    if kind == "listening":
        doc = listening_document(doc)
    # rendered before anything is written: a template that fails leaves the folder as it was
    # (never a new metrics.json beside the previous run's report.html)
    html = render_html(result, copy.deepcopy(doc), kind=kind)
    metrics_path = write_json(doc, out / "metrics.json")
    html_path = out / "report.html"
    html_path.write_text(html, encoding="utf-8")
    csv_path = xlsx_path = None
    top = result.frame("top_posts")
    if top is not None:
        csv_path = write_table(top, out / "top_posts.csv")
        xlsx_path = write_table(top, out / "top_posts.xlsx")
    extra: list[Path] = []
    for sid, res in result.results.items():
        exports = getattr(result.sections[sid], "exports", None)
        if exports is not None and res.status == "ok":
            extra += exports(res, out)  # a section's own files (e.g. cascade edges, GEXF)
    return ReportPaths(html_path, metrics_path, csv_path, xlsx_path, extra)
