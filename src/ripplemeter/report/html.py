"""report.html: one self-contained file that opens offline (Plotly inlined once).

Every figure shown comes from :meth:`CampaignEvaluation.metrics`, and each table row names the
metric id whose definition (formula, unit, source, decision) is printed in the Definitions
section. Untrusted text is HTML-escaped by Jinja2's autoescaping.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2
import plotly.io as pio
from plotly.offline import get_plotlyjs

from ripplemeter.evaluate import CampaignEvaluation
from ripplemeter.report import charts
from ripplemeter.report.exports import scrub, write_json, write_table


@dataclass
class ReportPaths:
    """Files written by :func:`write_report`."""

    html: Path
    metrics: Path
    top_posts_csv: Path | None = None
    top_posts_xlsx: Path | None = None


def _fmt(value: object, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if unit == "ratio":
            return f"{value * 100:.2f}%"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:,.4g}" if abs(value) < 1 else f"{value:,.2f}"
    return str(value)


def _money(value: object) -> str:
    if value is None:
        return "—"
    return f"{float(value):,.2f}"


def _pct(value: object) -> str:
    if value is None:
        return "—"
    return f"{float(value) * 100:+.1f}%"


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


def _figures(result: CampaignEvaluation) -> list[tuple[str, str]]:
    c = result.campaign
    s = result.series
    figs = []
    has_posts = bool(s["posts_per_day"].posts.sum() + s["baseline_posts_per_day"].posts.sum())
    has_daily = s.get("account_daily") is not None and len(s["account_daily"]) > 0
    if has_daily or has_posts:
        figs.append(
            (
                "daily-exposure",
                charts.daily_exposure(
                    c, s.get("account_daily"), s["posts_per_day"], s["baseline_posts_per_day"]
                ),
            )
        )
    if has_posts:
        figs.append(
            (
                "posts-per-day",
                charts.posts_per_day(c, s["posts_per_day"], s["baseline_posts_per_day"]),
            )
        )
    rows = []
    for k, v in result.daily_exposure.items():
        rows.append({"label": f"account {k}", "lift": v.lift, "ci95": v.ci95})
    for k, v in result.conversion.items():
        rows.append({"label": k, "lift": v["lift"], "ci95": v["ci95"]})
    if rows:
        figs.append(("before-after", charts.before_after(rows)))
    if len(s.get("outcomes", [])):
        figs.append(("outcomes", charts.outcomes(c, s["outcomes"])))
    if len(s.get("index", [])):
        figs.append(("index-series", charts.index_series(c, s["index"])))
    if result.seeding is not None and len(result.seeding.table):
        figs.append(("seeding", charts.seeding_gains(result.seeding.table)))
    return [
        (
            div,
            pio.to_html(
                fig,
                full_html=False,
                include_plotlyjs=False,
                div_id=f"chart-{div}",
                config={"displaylogo": False, "responsive": True},
            ),
        )
        for div, fig in figs
    ]


def render_html(result: CampaignEvaluation, doc: dict | None = None) -> str:
    """The report as one HTML string (Plotly inlined once, works offline)."""
    doc = scrub(doc or result.metrics())
    top = result.top_posts
    top_rows = top.to_dict("records") if top is not None else []
    return (
        _env()
        .get_template("report.html")
        .render(
            doc=doc,
            q=doc["quantitative"],
            c=doc["campaign"],
            defs=doc["definitions"],
            seeding=doc.get("seeding"),
            figures=_figures(result),
            plotlyjs=get_plotlyjs(),
            top_posts=top_rows,
        )
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
    if result.top_posts is not None:
        csv_path = write_table(result.top_posts, out / "top_posts.csv")
        xlsx_path = write_table(result.top_posts, out / "top_posts.xlsx")
    return ReportPaths(html_path, metrics_path, csv_path, xlsx_path)
