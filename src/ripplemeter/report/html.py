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

import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import plotly.io as pio
from markupsafe import Markup, escape
from plotly.offline import get_plotlyjs

from ripplemeter.evaluate import CampaignEvaluation
from ripplemeter.evaluate.section import Figure
from ripplemeter.report import charts
from ripplemeter.report.exports import scrub, write_json, write_table

#: Metrics shown as a signed percentage change.
SIGNED_PERCENT = {
    "lift",
    "conversion_lift",
    "conversion_lift_weekday_adjusted",
    "index_lift",
    "spread_gain_vs_top_degree",
}


@dataclass
class ReportPaths:
    """Files written by :func:`write_report`."""

    html: Path
    metrics: Path
    top_posts_csv: Path | None = None
    top_posts_xlsx: Path | None = None
    extra: list[Path] = field(default_factory=list)


def _fmt(value: object, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return "—"
        if unit == "ratio":
            return f"{value * 100:.2f}%"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:,.4g}" if abs(value) < 1 else f"{value:,.2f}"
    return str(value)


def _money(value: object, places: int = 2) -> str:
    if value is None:
        return "—"
    return f"{float(value):,.{places}f}"


def _pct(value: object) -> str:
    if value is None:
        return "—"
    return f"{float(value) * 100:+.1f}%"


def format_figure(f: Figure, unit: str) -> str:
    """A figure as a reader sees it: by its metric (signed % for lifts) or its unit."""
    v = f.value
    if v is None:
        return "—"
    if f.metric in SIGNED_PERCENT:
        return _pct(v)
    if unit == "seconds":
        return _duration(float(v))
    if unit == "currency per click" or unit == "currency per unit":
        return _money(v, 4)
    if unit.startswith("currency"):
        return _money(v)
    if unit in ("accounts",) and isinstance(v, float) and not v.is_integer():
        return f"{v:,.1f}"
    if unit == "count" and isinstance(v, float) and v.is_integer():
        return f"{int(v):,}"
    return _fmt(v, unit)


def _duration(seconds: float) -> str:
    """Seconds as a reader counts them: 45 s, 12 min, 6.8 h, 3.2 days."""
    a = abs(seconds)
    if a < 60:
        return f"{seconds:,.0f} s"
    if a < 3600:
        return f"{seconds / 60:,.0f} min"
    if a < 86400 * 2:
        return f"{seconds / 3600:,.1f} h"
    return f"{seconds / 86400:,.1f} days"


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

    def __call__(self, path: str, text: str | None = None, *, cls: str = "") -> Markup:
        f = self.index.get(path)
        if f is None:
            raise KeyError(f"the template shows {path!r}, which no section reports as a figure")
        unit = self.defs.get(f.metric, {}).get("unit", "")
        shown = text if text is not None else format_figure(f, unit)
        title = f.reason or self.defs.get(f.metric, {}).get("name", f.metric)
        return Markup(
            f'<span class="fig{(" " + escape(cls)) if cls else ""}" data-metric="{escape(f.metric)}"'
            f' data-path="{escape(f.path)}" data-value="{escape(_raw(f.value))}"'
            f' title="{escape(title)}">{escape(shown)}</span>'
        )


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
    env.filters["fmt"] = _fmt
    env.filters["pct"] = _pct
    env.filters["money"] = _money
    return env


def _chart_html(div: str, fig) -> str:
    return pio.to_html(
        fig,
        full_html=False,
        include_plotlyjs=False,
        div_id=f"chart-{div}",
        config={"displaylogo": False, "responsive": True},
    )


def render_html(result: CampaignEvaluation, doc: dict | None = None) -> str:
    """The report as one HTML string (Plotly inlined once, works offline)."""
    doc = scrub(doc or result.metrics())
    env = _env()
    defs = doc["definitions"]
    fig = _FigureWriter(result, defs)
    base = {
        "doc": doc,
        "q": doc["quantitative"],
        "c": doc["campaign"],
        "defs": defs,
        "fig": fig,
        "has": fig.has,
    }
    parts, absent, headline = [], [], []
    for sid, res in result.results.items():
        section = result.sections[sid]
        if res.status != "ok":
            absent.append({"id": sid, "title": section.title, "reason": res.reason})
            continue
        for path, label in getattr(section, "headline", lambda r: [])(res):
            if fig.has(path):
                headline.append((path, label))
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
    return env.get_template("report.html").render(
        **base,
        sections=parts,
        absent=absent,
        headline=headline,
        plotlyjs=get_plotlyjs(),
    )


def write_report(result: CampaignEvaluation, out: str | Path) -> ReportPaths:
    """Write ``report.html``, ``metrics.json`` and the top-posts CSV/XLSX into ``out``.

    Parameters
    ----------
    result : CampaignEvaluation
    out : str or Path
        Output folder (created).

    Returns
    -------
    ReportPaths
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    doc = result.metrics()
    metrics_path = write_json(doc, out / "metrics.json")
    html_path = out / "report.html"
    html_path.write_text(render_html(result, doc), encoding="utf-8")
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
