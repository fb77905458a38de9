"""``ripplemeter cascades``: per-cascade metrics straight from repost files."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer

from ripplemeter.cli import app, console, err_console, friendly
from ripplemeter.formatting import fmt

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


#: Table headings in words (``--json`` keeps the field names).
HEADINGS = {
    "root_id": "first post",
    "size": "posts",
    "depth": "levels",
    "max_breadth": "widest level",
    "structural_virality": "virality",
    "orphans": "orphans",
    "duplicates": "duplicates",
    "anomalies": "anomalies",
}


def _num(v: object) -> object:
    """A metric as plain Python: None for NaN, a whole float as an int, numpy scalars unboxed."""
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
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.table import Table

    from ripplemeter.network.cascade_files import read_cascades
    from ripplemeter.network.warmup import cold_kernels

    if cold_kernels("cascades"):
        err_console.print(
            "note: first run after installing: the cascade kernels are compiled once (a few "
            "seconds; later runs load them from numba's cache)",
            markup=False,
            highlight=False,
        )

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
    if len(notes) > 20:
        err_console.print(
            f"{len(notes):,} import notes (first 20 shown; they name their files):",
            markup=False,
            highlight=False,
        )
    for n in notes[:20]:
        err_console.print(f"note: {n}", markup=False, highlight=False)
    if as_json:
        rows = [{k: _num(v) for k, v in r.items()} for r in m.to_dict("records")]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        _summary(cs, len(m), shown=None)
        return
    table = Table(
        *(HEADINGS[k] for k in JSON_COLUMNS),
        title=f"{len(m):,} cascade{'' if len(m) == 1 else 's'}",
        caption="virality: structural virality (Goel et al. 2016), the mean distance between "
        "two posts of the cascade: about 2 for a broadcast (all reposting the first post), "
        "higher when it spread person to person",
    )
    table.columns[0].overflow = "fold"
    for r in m.sort_values("size", ascending=False).head(50).to_dict("records"):
        # whole numbers with thousands separators, others to 2 decimals
        table.add_row(*(fmt(_num(r[k]), places=2) for k in JSON_COLUMNS))
    console.print(table)
    _summary(cs, len(m), shown=min(50, len(m)))


def _summary(cs, n: int, *, shown: int | None) -> None:
    s = cs.summary
    tail = (
        f" (the {shown} largest cascades are shown; --json gives every cascade and metric)"
        if shown is not None and shown < n
        else ""
    )
    err_console.print(
        f"{s.get('cascade_nodes', 0):,} posts in {n:,} cascades; "
        f"{s.get('orphans', 0):,} orphan fragment(s), {s.get('duplicates', 0):,} duplicate(s), "
        f"{s.get('cycles', 0):,} cycle(s) cut, {s.get('before_parent', 0):,} timed before "
        f"their parent{tail}",
        markup=False,
        highlight=False,
    )
