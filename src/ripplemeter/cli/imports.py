"""``ripplemeter import`` and ``ripplemeter formats``: files into the workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from ripplemeter.cli import app, console, err_console, friendly


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
                    f"{file.name}: already imported (import {res.import_id}); nothing changed",
                    markup=False,
                )
            else:
                parts = ", ".join(f"{n} {t}" for t, n in res.rows.items()) or "no rows"
                console.print(
                    f"{file.name}: imported {parts} (import {res.import_id})", markup=False
                )
            for note in res.notes:
                console.print(f"  note: {note}", highlight=False, markup=False)


@app.command("formats")
def formats_() -> None:
    """List the formats that `import` and campaign sources accept."""
    from ripplemeter.formats import available_formats

    table = Table("format", "what it reads")
    for info in available_formats():
        table.add_row(info.name, info.summary)
    console.print(table)
