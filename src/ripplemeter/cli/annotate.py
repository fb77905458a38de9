"""``ripplemeter annotate``: store language, sentiment, spam and aspects of a workspace's texts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ripplemeter.cli import app, console, friendly, note, progress

_TASK_WORDS = {
    "language": "language",
    "sentiment": "sentiment",
    "spam": "spam check",
    "aspect": "aspects",
}


@app.command()
@friendly
def annotate(
    workspace: Annotated[
        Path,
        typer.Option(help="DuckDB workspace (ripplemeter.duckdb in this folder by default)."),
    ] = Path("ripplemeter.duckdb"),
    tier: Annotated[
        str, typer.Option(help="Sentiment models: fast or accurate.", metavar="fast|accurate")
    ] = "fast",
    taxonomy: Annotated[
        str, typer.Option(help="Aspect taxonomy: product, semeval14-restaurants or a file.")
    ] = "product",
) -> None:
    """Annotate the texts of a workspace that lack annotations from the current models.

    Language, sentiment (label and probability), spam and aspects (with the sentiment toward each: positive, neutral, negative, or mixed when a text says both) are stored in the workspace's annotations table with each model's name and version. Running again adds nothing; `ripplemeter report` does this before it evaluates. `ripplemeter aspects --show-taxonomy` lists what the aspect taxonomy looks for.
    """
    from ripplemeter.errors import RippleError

    if tier not in ("fast", "accurate"):
        raise RippleError(f"--tier {tier}: choose fast or accurate")
    if not workspace.is_file():
        raise RippleError(
            f"--workspace {workspace}: no workspace there; import files first (`ripplemeter "
            "import` or `ripplemeter report`), or name the workspace with --workspace"
        )
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn

    from ripplemeter.text.annotate import annotate_workspace
    from ripplemeter.workspace import Workspace

    with (
        Workspace(workspace) as ws,
        progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()) as bar,
    ):
        ids: dict[str, int] = {}

        def tick(task: str, done: int, total: int) -> None:
            if task not in ids:
                ids[task] = bar.add_task(_TASK_WORDS.get(task, task), total=total)
            bar.update(ids[task], completed=done, total=total)

        res = annotate_workspace(ws, tier=tier, taxonomy=taxonomy, progress=tick)
    for n in res.notes:
        note(n)
    done = ", ".join(
        f"{res.annotated.get(t, 0):,} {w}" for t, w in _TASK_WORDS.items() if t in res.annotated
    )
    console.print(
        f"{res.subjects:,} texts in the workspace; newly annotated: {done or 'nothing'} "
        f"({res.rows:,} rows added in {res.seconds:.1f} s).",
        markup=False,
        highlight=False,
    )
