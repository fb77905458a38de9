"""``ripplemeter import`` and ``ripplemeter formats``: files into the workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ripplemeter.cli import app, console, friendly, note, progress
from ripplemeter.errors import RippleError

DEFAULT_WORKSPACE = Path("ripplemeter.duckdb")


@app.command("import")
@friendly
def import_(
    files: Annotated[list[Path], typer.Argument(help="Export files, as downloaded (one or more).")],
    format: Annotated[
        str, typer.Option("--format", "-f", help="Format name (see `ripplemeter formats`).")
    ],
    workspace: Annotated[
        Path,
        typer.Option(
            help="DuckDB workspace file; by default ripplemeter.duckdb in the current folder."
        ),
    ] = DEFAULT_WORKSPACE,
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
    decimal: Annotated[
        str | None,
        typer.Option(
            help="Decimal mark of numbers in the file: ',' (1.234,5) or '.' (1,234.5). "
            "Generic and the small tables (outcomes, spend, rate-card, accounts)."
        ),
    ] = None,
    dayfirst: Annotated[
        bool,
        typer.Option("--dayfirst", help="Dates are written day first (31.03.2026, 31/03/2026)."),
    ] = False,
    monthfirst: Annotated[
        bool,
        typer.Option("--monthfirst", help="Dates are written month first (03/31/2026)."),
    ] = False,
) -> None:
    """Import FILES into the workspace, each in one transaction (idempotent).

    The workspace is ripplemeter.duckdb in the current folder unless --workspace names
    another; the command says which one it used (on stderr). A progress bar counts bytes
    over all files; a file that fails stops the command with its error and leaves the
    workspace as it was before that file (earlier files stay).
    """
    from ripplemeter.formats import SourceContext, check_options, get_format

    columns = None
    if column:
        columns = {}
        for item in column:
            canon, sep, src = item.partition("=")
            if not sep or not canon.strip() or not src.strip():
                raise RippleError(
                    f"--column {item!r}: expected CANONICAL=SOURCE, e.g. text=Content"
                )
            columns[canon.strip()] = src.strip()
    if dayfirst and monthfirst:
        raise RippleError("--dayfirst and --monthfirst: give one of them, not both")
    ctx = SourceContext(
        platform=platform,
        account=account,
        timezone=timezone,
        table=table,
        columns=columns,
        decimal=decimal,
        dayfirst=True if dayfirst else (False if monthfirst else None),
    )
    # everything that can be checked before the workspace is opened, so that a slip
    # writes nothing (not even an empty workspace file)
    info = get_format(format)
    check_options(info, ctx, cli=True)
    for file in files:
        if file.is_dir():
            raise RippleError(f"{file}: is a folder, not a file; give the export files in it")
        if not file.exists():
            raise RippleError(f"{file}: file not found")
    if workspace.is_dir():
        raise RippleError(
            f"--workspace {workspace}: is a folder; give a file such as "
            f"{workspace / DEFAULT_WORKSPACE}"
        )
    _run_imports(files, format, ctx, workspace)


def _run_imports(files: list[Path], format: str, base_ctx, workspace: Path) -> None:
    import dataclasses

    from rich.progress import (
        BarColumn,
        DownloadColumn,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from ripplemeter.workspace import Workspace, remove_if_empty

    existed = workspace.exists()
    sizes = [f.stat().st_size for f in files]
    done = 0
    try:
        with (
            Workspace(workspace) as ws,
            progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                DownloadColumn(),
                TimeElapsedColumn(),
            ) as bar,
        ):
            task = bar.add_task("importing", total=sum(sizes) or None)
            for file, size in zip(files, sizes, strict=True):
                ctx = dataclasses.replace(base_ctx)
                res = ws.import_file(
                    file,
                    format,
                    ctx,
                    progress=lambda stage, name=file.name: bar.update(
                        task, description=f"{stage} {name}"
                    ),
                )
                done += 1
                bar.advance(task, size)
                if res.skipped:
                    console.print(
                        f"{file.name}: already imported (import {res.import_id}); nothing changed",
                        markup=False,
                        highlight=False,
                    )
                else:
                    parts = ", ".join(f"{n} {t}" for t, n in res.rows.items()) or "no rows"
                    console.print(
                        f"{file.name}: imported {parts} (import {res.import_id})",
                        markup=False,
                        highlight=False,
                    )
                for n in res.notes:
                    console.print(f"  note: {n}", highlight=False, markup=False)
    except BaseException:
        if not existed and done == 0:
            remove_if_empty(workspace)  # a failed first import leaves no empty workspace file
        raise
    note(f"workspace used: {workspace.resolve()}" + ("" if existed else " (created)"))


@app.command("formats")
def formats_() -> None:
    """List the formats that `import` and campaign sources accept."""
    from rich.table import Table
    from rich.text import Text

    from ripplemeter.formats import format_summaries

    table = Table()
    table.add_column("format", no_wrap=True)
    # wrapped, never cut: Rich's word wrap can end a line of wide (CJK) characters with "…"
    table.add_column("what it reads", overflow="fold")
    for name, summary in format_summaries():
        table.add_row(Text(name), Text(summary, overflow="fold"))
    console.print(table)
