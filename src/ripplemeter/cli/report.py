"""``ripplemeter report``, ``demo`` and ``metrics``: evaluate a campaign and present it."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from ripplemeter.cli import app, console, err_console, friendly


@app.command()
@friendly
def report(
    campaign: Annotated[Path, typer.Argument(help="The campaign.toml file.")],
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("report"),
    workspace: Annotated[
        Path | None,
        typer.Option(help="DuckDB workspace (default: ripplemeter.duckdb beside CAMPAIGN)."),
    ] = None,
) -> None:
    """Evaluate a campaign and write report.html and metrics.json into OUT."""
    from ripplemeter.campaign import load_campaign
    from ripplemeter.pipeline import run_report

    camp = load_campaign(campaign)
    with _spinner() as stage:
        result, paths = run_report(camp, out, workspace, progress=stage)
    for w in result.warnings:
        err_console.print(Text.assemble(("warning:", "yellow"), " ", w), highlight=False)
    console.print(f"Report written to {paths.html}", markup=False, highlight=False)
    console.print(f"Metrics written to {paths.metrics}", markup=False, highlight=False)


@app.command()
@friendly
def demo(
    out: Annotated[
        Path, typer.Option(help="Folder for the sample campaign and its report.")
    ] = Path("demo"),
    seed: Annotated[int, typer.Option(help="Seed of the data generator.")] = 7,
) -> None:
    """Generate a sample campaign (labelled as generated data), import it and write its report."""
    from ripplemeter.campaign import load_campaign
    from ripplemeter.demo import generate_demo
    from ripplemeter.pipeline import run_report

    out = out.resolve()
    with _spinner() as stage:
        stage("generating sample data")
        toml_path = generate_demo(out / "data", seed=seed)
        camp = load_campaign(toml_path)
        _, paths = run_report(camp, out, out / "ripplemeter.duckdb", progress=stage)
    console.print(f"Sample campaign: {toml_path}", markup=False, highlight=False)
    console.print(f"Report written to {paths.html}", markup=False, highlight=False)
    console.print(f"Open it in a browser: file://{paths.html}", markup=False, highlight=False)


@contextlib.contextmanager
def _spinner():
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("starting", total=None)
        yield lambda stage: bar.update(task, description=stage)


@app.command("metrics")
def metrics_(
    markdown: Annotated[bool, typer.Option(help="Print the registry as Markdown.")] = False,
) -> None:
    """List every metric: id, formula, unit and source (the metric registry)."""
    from ripplemeter.evaluate.metrics import all_metrics, registry_markdown

    if markdown:
        print(registry_markdown())
        return
    table = Table("id", "name", "formula", "unit", "source")
    for m in all_metrics().values():
        table.add_row(m.id, m.name, m.formula, m.unit, m.source)
    console.print(table)
