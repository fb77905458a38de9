"""``ripplemeter aspects``: focus points (aspects and the sentiment toward each) of texts."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from ripplemeter.cli import app, err_console, friendly
from ripplemeter.errors import RippleError


def read_lines(path: Path) -> list[str]:
    """One text per line of a UTF-8 file (``-`` reads standard input), commas and all.

    Raises
    ------
    RippleError
        If the file is missing or a line is not UTF-8 (naming the line).
    """
    if str(path) == "-":
        raw = sys.stdin.buffer.read()
        name = "standard input"
    else:
        if not path.is_file():
            raise RippleError(f"{path}: no such file")
        raw = path.read_bytes()
        name = path.name
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    out = []
    for i, line in enumerate(lines, start=1):
        try:
            out.append(line.rstrip(b"\r").decode("utf-8"))
        except UnicodeDecodeError:
            raise RippleError(
                f"{name}, line {i}: expected UTF-8 text, found bytes that are not"
            ) from None
    return out


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
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per input line, in order.")
    ] = False,
) -> None:
    """Find the aspects each line talks about and the sentiment toward each."""
    from ripplemeter.text.aspects import AspectModel

    model = AspectModel(taxonomy, lang=lang)
    texts = read_lines(file)
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
        f"(taxonomy {model.taxonomy.name})",
        markup=False,
        highlight=False,
    )
