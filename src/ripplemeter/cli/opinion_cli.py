"""``ripplemeter aspects``: focus points (aspects and the sentiment toward each) of texts."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from ripplemeter.cli import app, err_console, friendly, note, progress
from ripplemeter.cli.text import read_texts

PLAIN_PROGRESS_LINES = {"fast": 200_000, "accurate": 500}
"""Off a terminal (a log file), inputs of at least this many lines get a plain progress line
on stderr about every tenth of the way; on a terminal a Rich bar always shows."""


def _plain_progress(total: int):
    """A ``(done, total)`` callback printing ``aspects: done of total lines`` on stderr at
    about every tenth of the input."""
    step = max(1, total // 10)
    state = {"next": step}

    def show(done: int, total: int) -> None:
        if done >= state["next"] and done < total:
            err_console.print(
                f"aspects: {done:,} of {total:,} lines", markup=False, highlight=False
            )
            state["next"] = (done // step + 1) * step

    return show


@app.command("aspects")
@friendly
def aspects(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="A text file, one text per line ('-' for stdin). Not needed with --show-taxonomy."
        ),
    ] = None,
    lang: Annotated[
        str, typer.Option(help="Language of the texts: auto (by script), en, zh or ko.")
    ] = "auto",
    taxonomy: Annotated[
        str,
        typer.Option(help="Aspect taxonomy: product, semeval14-restaurants, or a TOML file."),
    ] = "product",
    tier: Annotated[
        str | None,
        typer.Option(
            help="fast (n-grams, for bulk) or accurate (sentence embeddings, tens of lines/s; "
            "English only: other languages use taxonomy terms with the accurate sentiment "
            "model). Default: accurate for a taxonomy with a learned model "
            "(semeval14-restaurants), else fast."
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per input line, in order.")
    ] = False,
    show_taxonomy: Annotated[
        bool,
        typer.Option(
            "--show-taxonomy",
            help="List the taxonomy's aspects, the words that name each and the cue words "
            "that decide its sentiment, then stop.",
        ),
    ] = False,
) -> None:
    """Find the aspects each line talks about and the sentiment toward each.

    Each line of the answer names the aspects found with their sentiment (positive, neutral, negative, or mixed when the line says both good and bad things about it); a cue word that decided the sentiment is shown in brackets. --show-taxonomy lists what the taxonomy looks for.

    Which tier reads which language is said once on stderr before the run; a progress bar shows on stderr when it is a terminal (stdout holds only the answers).
    """
    from ripplemeter.errors import RippleError
    from ripplemeter.text.aspects import load_taxonomy, taxonomy_text

    if show_taxonomy:
        sys.stdout.write(taxonomy_text(load_taxonomy(taxonomy)))
        sys.stdout.flush()
        return
    if file is None:
        raise RippleError(
            "aspects: name a text file (one text per line, '-' for standard input), "
            "or use --show-taxonomy to list the taxonomy"
        )
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn

    from ripplemeter.cli.text import answer_empty, warn_forced_language
    from ripplemeter.text.aspects import AspectModel, shown_polarity

    model = AspectModel(taxonomy, lang=lang, tier=tier)
    texts = read_texts(str(file), None)
    if answer_empty(texts, str(file), None, "no aspects looked for"):  # nothing on stdout
        return
    if lang != "auto":
        warn_forced_language(texts, lang)
    routes = model.routes(texts)
    if routes:
        said = "; ".join(r.describe() for r in routes.values())
        if model.tier == "accurate":
            said += ". The accurate tier reads tens of lines per second: use --tier fast for bulk"
        note(said)
    found: list = []
    if texts:
        columns = (
            TextColumn("aspects"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("lines"),
            TimeRemainingColumn(),
        )
        with progress(*columns) as bar:
            task = bar.add_task("aspects", total=len(texts))
            plain = (
                _plain_progress(len(texts))
                if not err_console.is_terminal and len(texts) >= PLAIN_PROGRESS_LINES[model.tier]
                else None
            )

            def tick(done: int, total: int) -> None:
                bar.update(task, completed=done)
                if plain is not None:
                    plain(done, total)

            found = model.predict(texts, progress=tick)
    if as_json:
        out = sys.stdout
        for hits in found:
            out.write(json.dumps({"aspects": hits}, ensure_ascii=False) + "\n")
        out.flush()
    else:
        for n, hits in enumerate(found, start=1):
            shown = ", ".join(
                f"{model.taxonomy.label(h['aspect'])} {shown_polarity(h['polarity'])}"
                + (f" ({h['cue']})" if h.get("cue") else "")
                for h in hits
            )
            print(f"{n}: {shown or '(no aspect)'}")
    with_aspects = sum(1 for h in found if h)
    ran = "; ".join(
        f"{lg}: {r.tier} tier" if r.detector == "learned" else f"{lg}: terms, {r.tier} sentiment"
        for lg, r in routes.items()
    )
    err_console.print(
        f"{len(found):,} line(s), {with_aspects:,} with at least one aspect "
        f"(taxonomy {model.taxonomy.name}; {ran or 'no text'})",
        markup=False,
        highlight=False,
    )
