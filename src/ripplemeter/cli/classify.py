"""``ripplemeter classify``: thin; the labels come from :func:`ripplemeter.text.classify.classify`.

numpy, pandas and the model code are imported inside the command, so that ``ripplemeter
--help`` stays quick.
"""

from __future__ import annotations

import csv
import sys
import time
from enum import StrEnum
from typing import Annotated

import typer

from ripplemeter.cli import app, err_console, friendly
from ripplemeter.cli.text import read_texts, warn_forced_language

__all__ = ["classify_command"]


class _Lang(StrEnum):
    auto = "auto"
    en = "en"
    zh = "zh"
    ko = "ko"


class _Tier(StrEnum):
    auto = "auto"
    accurate = "accurate"
    fast = "fast"


class _Task(StrEnum):
    hostility = "hostility"
    bait = "bait"
    promotional = "promotional"
    question = "question"


@app.command("classify")
@friendly
def classify_command(
    file: Annotated[
        str, typer.Argument(help="Text file (one text per line) or CSV; - reads standard input.")
    ],
    task: Annotated[
        _Task,
        typer.Option(
            "--task",
            metavar="hostility|bait|promotional|question",
            help="What to detect.",
        ),
    ],
    lang: Annotated[
        _Lang,
        typer.Option(
            "--lang",
            metavar="auto|en|zh|ko",
            help="Language of the texts; auto detects each text's.",
        ),
    ] = _Lang.auto,
    column: Annotated[
        str | None, typer.Option("--column", metavar="NAME", help="Read this column of a CSV file.")
    ] = None,
    tier: Annotated[
        _Tier,
        typer.Option(
            "--tier",
            metavar="auto|accurate|fast",
            help="hostility only: accurate (sentence embeddings pooled with n-grams, tens of "
            "texts a second) or fast (n-grams); auto is accurate where the language has it.",
        ),
    ] = _Tier.auto,
) -> None:
    """Classify each text: CSV 'label,score' on standard output, in input order.

    label is the task's label (hostile, bait, promotional, question) or ok; score is the model's probability of that label. Empty lines and Japanese texts are left blank.
    """
    from ripplemeter.text.classify import classify

    t0 = time.perf_counter()
    texts = read_texts(file, column)
    if lang is not _Lang.auto:
        warn_forced_language(texts, lang.value)
    res = classify(texts, task=task.value, lang=lang.value, tier=tier.value)
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["label", "score"])
    for label, score in zip(res["label"], res["score"], strict=True):
        out.writerow([label, "" if score != score else f"{score:.4f}"])
    sys.stdout.flush()
    done = int((res["label"] != "").sum())
    flagged = int((~res["label"].isin(["", "ok"])).sum())
    err_console.print(
        f"classified {done:,} of {len(texts):,} texts for {task.value} "
        f"({flagged:,} not ok) in {time.perf_counter() - t0:.1f} s"
    )
    if res.attrs.get("tiers"):
        used = ", ".join(f"{k} {v}" for k, v in res.attrs["tiers"].items())
        err_console.print(f"tiers: {used}", markup=False)
    for note in res.attrs.get("notes", []):
        err_console.print(f"note: {note}", markup=False)
    blank = len(texts) - done
    if blank:
        err_console.print(
            f"note: {blank:,} texts left blank (empty lines or no model for their language)"
        )
