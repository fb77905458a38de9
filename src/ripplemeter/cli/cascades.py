"""``ripplemeter cascades``: per-cascade metrics straight from repost files."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from ripplemeter.cli import app, console, err_console, friendly

JSON_COLUMNS = (
    "root_id",
    "size",
    "depth",
    "max_breadth",
    "structural_virality",
    "orphans",
    "duplicates",
    "anomalies",
)


def _num(v: object) -> object:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


@app.command("cascades")
@friendly
def cascades(
    path: Annotated[Path, typer.Argument(help="A cascade file, or a folder of them.")],
    format: Annotated[
        str,
        typer.Option("--format", "-f", help="twitter-trees, weibo-ced, deephawkes or reposts."),
    ],
    platform: Annotated[str | None, typer.Option(help="Platform for ids (reposts).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """Rebuild the repost cascades of PATH and print size, depth, breadth and virality."""
    from ripplemeter.network.cascade_files import read_cascades

    with Progress(
        TextColumn("reading"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("reading", total=None)
        cs, notes = read_cascades(
            path,
            format,
            platform=platform,
            progress=lambda done, total, _f: bar.update(task, completed=done, total=total),
        )
    m = cs.metrics_frame()
    if as_json:
        rows = [{k: _num(r[k]) for k in JSON_COLUMNS} for r in m.to_dict("records")]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for n in notes:
        err_console.print(f"note: {n}", markup=False, highlight=False)
    table = Table(*JSON_COLUMNS, title=f"{len(m)} cascade(s)")
    for r in m.sort_values("size", ascending=False).head(50).to_dict("records"):
        table.add_row(*(str(_num(r[k])) for k in JSON_COLUMNS))
    console.print(table)
    s = cs.summary
    err_console.print(
        f"{s.get('cascade_nodes', 0):,} posts in {len(m):,} cascades; "
        f"{s.get('orphans', 0):,} orphan fragment(s), {s.get('duplicates', 0):,} duplicate(s), "
        f"{s.get('cycles', 0):,} cycle(s) cut, {s.get('before_parent', 0):,} timed before "
        "their parent (the 50 largest cascades are shown; --json gives all)",
        markup=False,
        highlight=False,
    )
