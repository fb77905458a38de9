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
from ripplemeter.cli.text import (
    UNSCORED_LANGUAGES,
    answer_empty,
    read_texts,
    texts_count,
    warn_forced_language,
)

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


_CLASSIFY_HELP = f"""\
Classify each text: CSV 'label,score' on standard output, in input order.

label is the task's label (hostile, bait, promotional, question) or ok. Empty lines and
texts in a language without a model ({UNSCORED_LANGUAGES}) are left blank. score (0.5 to 1)
says how sure the label is, and what it is depends on the task:

hostility: a trained model; score is its probability of the label.

bait, promotional, question: rule sets, not trained models. A text that no rule matches
is ok with the fixed score 0.98 (the rules assume 2% of the texts they do not match are
positive). A text that rules match has the probability 1 - 0.98 x (1 - w) x (1 - w') ...
of the task's label, one factor per kind of rule matched, where w is the weight the rules
set for that kind (0.3 to 0.9: the share of the texts it matches that they assume
positive); from 0.5 the label is the task's with that score, below it ok with 1 minus it.
"""


@app.command("classify", help=_CLASSIFY_HELP)
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
            help="What to detect: hostility (a trained model; score: its probability) or "
            "bait, promotional, question (rule sets; score: 0.98 when no rule matches, "
            "else from the rules' set weights; see above).",
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
    """Classify each text (the command's help is ``_CLASSIFY_HELP``)."""
    from ripplemeter.text.classify import classify

    t0 = time.perf_counter()
    texts = read_texts(file, column)
    if answer_empty(texts, file, column, "nothing classified", header=["label", "score"]):
        return
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
        f"classified {done:,} of {texts_count(len(texts))} for {task.value} "
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
            f"note: {texts_count(blank)} left blank (empty lines or no model for their language)"
        )
