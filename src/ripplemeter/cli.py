"""Command-line interface: thin. Parse arguments, call the library, print with Rich.

Every :class:`~ripplemeter.errors.RippleError` is printed as one line without a traceback and
the process exits with status 2.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from ripplemeter.errors import RippleError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="ripplemeter: evaluate social media campaigns from platform exports.",
)
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

F = TypeVar("F", bound=Callable)


def friendly(fn: F) -> F:
    """Turn RippleError into a one-line message and exit status 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except RippleError as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


@app.command("import")
@friendly
def import_(
    files: Annotated[list[Path], typer.Argument(help="Export files, as downloaded (one or more).")],
    format: Annotated[str, typer.Option("--format", "-f", help="Format name (see `formats`).")],
    workspace: Annotated[Path, typer.Option(help="DuckDB workspace file.")] = Path(
        "ripplemeter.duckdb"
    ),
    platform: Annotated[str | None, typer.Option(help="Platform name for ids.")] = None,
    account: Annotated[str | None, typer.Option(help="Account the export belongs to.")] = None,
    timezone: Annotated[
        str | None, typer.Option(help="IANA zone of local times in the file.")
    ] = None,
    table: Annotated[
        str | None, typer.Option(help="Target table for the generic format (default posts).")
    ] = None,
    column: Annotated[
        list[str] | None,
        typer.Option(help="Column mapping for generic: CANONICAL=SOURCE (repeatable)."),
    ] = None,
) -> None:
    """Import FILES into the workspace, each in one transaction (idempotent).

    A progress bar counts bytes over all files; a file that fails stops the command with
    its error and leaves the workspace as it was before that file (earlier files stay).
    """
    from ripplemeter.errors import RippleError as _RippleError
    from ripplemeter.formats import SourceContext
    from ripplemeter.workspace import Workspace

    columns = None
    if column:
        columns = {}
        for item in column:
            canon, sep, src = item.partition("=")
            if not sep or not canon.strip() or not src.strip():
                raise _RippleError(
                    f"--column {item!r}: expected CANONICAL=SOURCE, e.g. text=Content"
                )
            columns[canon.strip()] = src.strip()
    sizes = [f.stat().st_size if f.is_file() else 0 for f in files]
    with (
        Workspace(workspace) as ws,
        Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
        ) as bar,
    ):
        task = bar.add_task("importing", total=sum(sizes) or None)
        for file, size in zip(files, sizes, strict=True):
            ctx = SourceContext(
                platform=platform,
                account=account,
                timezone=timezone,
                table=table,
                columns=columns,
            )
            res = ws.import_file(
                file,
                format,
                ctx,
                progress=lambda stage, name=file.name: bar.update(
                    task, description=f"{stage} {name}"
                ),
            )
            bar.advance(task, size)
            if res.skipped:
                console.print(
                    f"{file.name}: already imported (import {res.import_id}); nothing changed"
                )
            else:
                parts = ", ".join(f"{n} {t}" for t, n in res.rows.items()) or "no rows"
                console.print(f"{file.name}: imported {parts} (import {res.import_id})")
            for note in res.notes:
                console.print(f"  note: {note}", highlight=False)


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
    from ripplemeter.evaluate import evaluate_campaign
    from ripplemeter.report import write_report

    camp = load_campaign(campaign)
    with _spinner() as stage:
        result = evaluate_campaign(camp, workspace=workspace, progress=stage)
        stage("writing the report")
        paths = write_report(result, out)
    for w in result.warnings:
        err_console.print(f"[yellow]warning:[/] {w}", highlight=False)
    console.print(f"Report written to {paths.html}")
    console.print(f"Metrics written to {paths.metrics}")


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
    from ripplemeter.evaluate import evaluate_campaign
    from ripplemeter.report import write_report

    out = out.resolve()
    with _spinner() as stage:
        stage("generating sample data")
        toml_path = generate_demo(out / "data", seed=seed)
        camp = load_campaign(toml_path)
        result = evaluate_campaign(camp, workspace=out / "ripplemeter.duckdb", progress=stage)
        stage("writing the report")
        paths = write_report(result, out)
    console.print(f"Sample campaign: {toml_path}")
    console.print(f"Report written to {paths.html}")
    console.print(f"Open it in a browser: file://{paths.html}")


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
    from ripplemeter.evaluate.metrics import REGISTRY, registry_markdown

    if markdown:
        print(registry_markdown())
        return
    table = Table("id", "name", "formula", "unit", "source")
    for m in REGISTRY.values():
        table.add_row(m.id, m.name, m.formula, m.unit, m.source)
    console.print(table)


@app.command("formats")
def formats_() -> None:
    """List the formats that `import` and campaign sources accept."""
    from ripplemeter.formats import available_formats

    table = Table("format", "what it reads")
    for info in available_formats():
        table.add_row(info.name, info.summary)
    console.print(table)


from ripplemeter.network.commands import seeds  # noqa: E402

app.command("seeds")(friendly(seeds))


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
