"""``ripplemeter aspects``: focus points (aspects and the sentiment toward each) of texts."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from ripplemeter.cli import app, err_console, friendly
from ripplemeter.cli.text import read_texts


@app.command("aspects")
@friendly
def aspects(
    file: Annotated[Path, typer.Argument(help="A text file, one text per line ('-' for stdin).")],
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
            help="fast (n-grams, for bulk) or accurate (sentence embeddings, tens of lines/s). "
            "Default: accurate for a taxonomy with a learned model (semeval14-restaurants), "
            "else fast."
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per input line, in order.")
    ] = False,
) -> None:
    """Find the aspects each line talks about and the sentiment toward each."""
    from ripplemeter.text.aspects import AspectModel

    model = AspectModel(taxonomy, lang=lang, tier=tier)
    texts = read_texts(str(file), None)
    found = model.predict(texts) if texts else []
    if as_json:
        out = sys.stdout
        for hits in found:
            out.write(json.dumps({"aspects": hits}, ensure_ascii=False) + "\n")
        out.flush()
    else:
        for n, hits in enumerate(found, start=1):
            shown = ", ".join(f"{model.taxonomy.label(h['aspect'])} {h['polarity']}" for h in hits)
            print(f"{n}: {shown or '(no aspect)'}")
    with_aspects = sum(1 for h in found if h)
    err_console.print(
        f"{len(found):,} line(s), {with_aspects:,} with at least one aspect "
        f"(taxonomy {model.taxonomy.name}, {model.tier} tier)",
        markup=False,
        highlight=False,
    )
