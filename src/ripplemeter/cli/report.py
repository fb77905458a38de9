"""``ripplemeter report``, ``demo`` and ``metrics``: evaluate a campaign and present it."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer

from ripplemeter.cli import app, console, friendly, note, progress, warn


@app.command()
@friendly
def report(
    campaign: Annotated[
        Path,
        typer.Argument(help="The campaign.toml file, or the folder that holds it."),
    ],
    out: Annotated[
        Path, typer.Option(help="Output folder (created; files in it are replaced).")
    ] = Path("report"),
    workspace: Annotated[
        Path | None,
        typer.Option(help="DuckDB workspace; by default ripplemeter.duckdb beside campaign.toml."),
    ] = None,
    pdf: Annotated[
        bool,
        typer.Option(
            "--pdf",
            help="Also print the report to report.pdf (A4), with the installed Chromium; needs "
            "the pdf extra (Playwright).",
        ),
    ] = False,
) -> None:
    """Evaluate a campaign and write report.html and metrics.json into OUT.

    The sources are imported into the workspace beside campaign.toml (ripplemeter.duckdb)
    unless --workspace names another; the command says which one it used (on stderr).
    """
    from ripplemeter.campaign import load_campaign
    from ripplemeter.pipeline import check_out_folder

    check_out_folder(out)  # before any work: a slip writes nothing
    if pdf:
        from ripplemeter.report.pdf import PdfError, check_pdf_tools

        try:
            check_pdf_tools()  # no Playwright or Chromium: say so now, before any work
        except PdfError as exc:
            raise PdfError(f"--pdf: {exc}; or run without --pdf") from None
    camp = load_campaign(campaign)
    if camp.path is not None and camp.path.resolve() != campaign.resolve():
        note(f"campaign file: {camp.path}")

    from ripplemeter.evaluate import default_workspace_path
    from ripplemeter.pipeline import run_report

    ws_path = workspace if workspace is not None else default_workspace_path(camp)
    with _spinner() as stage:
        result, paths = run_report(camp, out, ws_path, progress=stage)
    for w in result.warnings:
        warn(w)
    note(f"workspace used: {Path(ws_path).resolve()}")
    # said before the PDF is printed: should the browser fail, the report is still there
    console.print(f"Report written to {paths.html}", markup=False, highlight=False)
    console.print(f"Metrics written to {paths.metrics}", markup=False, highlight=False)
    if pdf:
        from ripplemeter.report.pdf import write_pdf

        with _spinner() as stage:
            stage("printing the PDF")
            pdf_path = write_pdf(paths.html, paths.html.with_suffix(".pdf"))
        console.print(f"PDF written to {pdf_path}", markup=False, highlight=False)


@app.command()
@friendly
def demo(
    out: Annotated[
        Path, typer.Option(help="Folder for the sample campaign and its report.")
    ] = Path("demo"),
    seed: Annotated[int, typer.Option(help="Seed of the data generator.")] = 7,
) -> None:
    """Generate a sample campaign (labelled as generated data), import it and write its report.

    The sample campaign goes into OUT/data, with its workspace beside its campaign.toml
    (OUT/data/ripplemeter.duckdb, where `report` and the Python calls look for it); the
    report goes into OUT.
    """
    from ripplemeter.pipeline import check_out_folder

    check_out_folder(out)

    from ripplemeter.campaign import load_campaign
    from ripplemeter.demo import generate_demo
    from ripplemeter.evaluate import default_workspace_path
    from ripplemeter.pipeline import run_report

    out = out.resolve()
    with _spinner() as stage:
        stage("generating sample data")
        toml_path = generate_demo(out / "data", seed=seed)
        camp = load_campaign(toml_path)
        # the workspace `report` and load_campaign(...).import_sources() use for this campaign
        ws_path = default_workspace_path(camp)
        _, paths = run_report(camp, out, ws_path, progress=stage)
    note(f"workspace used: {ws_path}")
    console.print(f"Sample campaign: {toml_path}", markup=False, highlight=False)
    console.print(f"Report written to {paths.html}", markup=False, highlight=False)
    console.print(f"Open it in a browser: file://{paths.html}", markup=False, highlight=False)


@contextlib.contextmanager
def _spinner():
    from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

    with progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn()) as bar:
        task = bar.add_task("starting", total=None)
        yield lambda stage: bar.update(task, description=stage)


@app.command("metrics")
def metrics_(
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print the registry as Markdown.")
    ] = False,
) -> None:
    """List every metric: id, formula, unit and source (the metric registry)."""
    from ripplemeter.evaluate.metrics import all_metrics, registry_markdown

    if markdown:
        print(registry_markdown())
        return
    metrics = list(all_metrics().values())
    if console.width >= METRICS_TABLE_WIDTH:
        console.print(_metrics_table(metrics))
    else:
        for m in metrics:
            console.print(_metric_block(m), soft_wrap=False)


#: Narrower terminals get one block per metric instead of the five-column table, whose
#: formula and source columns would be a few letters wide.
METRICS_TABLE_WIDTH = 120


def _metrics_table(metrics):
    """The registry as a table: ids whole on one line, long words folded, never cut."""
    from rich.table import Table
    from rich.text import Text

    table = Table(expand=True)
    table.add_column("id", no_wrap=True, min_width=max(len(m.id) for m in metrics))
    table.add_column("name", overflow="fold", ratio=2)
    table.add_column("formula", overflow="fold", ratio=3)
    table.add_column("unit", overflow="fold", ratio=1, min_width=6)
    table.add_column("source", overflow="fold", ratio=2)
    for m in metrics:
        table.add_row(*(Text(str(x)) for x in (m.id, m.name, m.formula, m.unit, m.source)))
    return table


def _metric_block(metric):
    """One metric for a narrow terminal: its id and name, then formula, unit and source,
    wrapped at words (a word longer than the line is folded, never cut)."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    head = Text.assemble((metric.id, "bold"), " ", (metric.name, "dim"), overflow="fold")
    rows = Table.grid(padding=(0, 1))
    rows.add_column(no_wrap=True, style="dim", min_width=9)
    rows.add_column(overflow="fold")
    for label in ("formula", "unit", "source"):
        rows.add_row(f"  {label}", Text(str(getattr(metric, label))))
    return Group(head, rows, Text(""))
