"""``ripplemeter sentiment``: thin; the scores come from
:func:`ripplemeter.text.sentiment.score_texts`.

numpy, pandas and the model code are imported inside the command, so that ``ripplemeter
--help`` stays quick.
"""

from __future__ import annotations

import csv
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ripplemeter.cli import app, err_console, friendly, note
from ripplemeter.errors import RippleError
from ripplemeter.text.lang import LANGUAGE_NAMES, unmodelled_names

__all__ = [
    "UNSCORED_LANGUAGES",
    "answer_empty",
    "no_text_note",
    "read_texts",
    "sentiment",
    "texts_count",
    "warn_forced_language",
]


class _Lang(StrEnum):
    auto = "auto"
    en = "en"
    zh = "zh"
    ko = "ko"


MODELLED: tuple[str, ...] = tuple(m.value for m in _Lang if m is not _Lang.auto)
"""The languages ``--lang`` offers: those with a model (``text.sentiment.MODEL_LANGUAGES``
and ``text.classify.LANGUAGES``, which the tests check; importing them here would load numpy
and pandas for ``--help``)."""

UNSCORED_LANGUAGES = ", ".join(unmodelled_names(MODELLED))
"""The languages recognised but left unscored, as the help texts name them: ``Japanese,
French, German, Spanish, Portuguese, Italian, Dutch``."""


class _Tier(StrEnum):
    fast = "fast"
    accurate = "accurate"


def read_texts(path: str, column: str | None) -> list[str]:
    """Texts from ``path`` (``-`` is standard input), in order.

    Without ``column`` each line is one text, commas and all: lines end at a line feed
    (``\r\n`` too), never at a Unicode line separator inside a comment, so line N of the file
    is text N; a final newline does not add an empty text. With ``column`` the file is read as CSV (header row; quoted fields may hold
    commas and line breaks) and that column's cells are the texts.

    Raises
    ------
    RippleError
        If the file is missing, is not UTF-8 (naming the line), is not valid CSV, or has no
        such column (naming the columns it has).
    """
    name = "standard input" if path == "-" else path
    if path == "-":
        raw = sys.stdin.buffer.read()
    else:
        p = Path(path)
        if not p.is_file():
            raise RippleError(f"{name}: no such file")
        raw = p.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RippleError(
            f"{name}, line {line}: not UTF-8 text (save the file as UTF-8 and try again)"
        ) from None
    if column is None:
        lines = text.split("\n")
        if lines[-1] == "":
            lines.pop()
        return [line.removesuffix("\r") for line in lines]
    import io

    csv.field_size_limit(1 << 24)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise RippleError(
            f"{name}: the file is empty; expected a header row with {column!r}"
        ) from None
    except csv.Error as exc:
        raise RippleError(f"{name}, line 1: not valid CSV ({exc})") from None
    header = [h.strip() for h in header]
    if column not in header:
        raise RippleError(
            f"{name}, line 1: no column {column!r}; the columns are: {', '.join(header)}"
        )
    col = header.index(column)
    out = []
    try:
        for row in reader:
            if not row:
                continue
            out.append(row[col] if col < len(row) else "")
    except csv.Error as exc:
        raise RippleError(f"{name}, line {reader.line_num}: not valid CSV ({exc})") from None
    return out


def texts_count(n: int) -> str:
    """``1 text``, ``5 texts``: a count of texts in the right number."""
    return f"{n:,} text" if n == 1 else f"{n:,} texts"


def no_text_note(path: str, column: str | None, what: str) -> None:
    """Say on stderr that the input held no text, so nothing was done.

    Parameters
    ----------
    path : str
        The file as given (``-`` is standard input).
    column : str or None
        The CSV column read, if any.
    what : str
        What was not done, e.g. ``"nothing scored"``.
    """
    name = "standard input" if path == "-" else path
    where = " (no row under its header)" if column is not None else ""
    note(f"{name} holds no text{where}: {what}")


def answer_empty(
    texts: list[str], path: str, column: str | None, what: str, header: list[str] | None = None
) -> bool:
    """Answer an input that holds no text: the CSV header alone on stdout (as for any input)
    and a plain note on stderr (:func:`no_text_note`).

    Parameters
    ----------
    texts : list of str
        The texts read (:func:`read_texts`).
    path : str
        The file as given (``-`` is standard input).
    column : str or None
        The CSV column read, if any.
    what : str
        What was not done, e.g. ``"nothing scored"``.
    header : list of str, optional
        The CSV header to write; None writes nothing on stdout.

    Returns
    -------
    bool
        True when ``texts`` is empty and the answer was given (the command stops there);
        False, with nothing written, otherwise.
    """
    if texts:
        return False
    if header is not None:
        csv.writer(sys.stdout, lineterminator="\n").writerow(header)
        sys.stdout.flush()
    no_text_note(path, column, what)
    return True


def warn_forced_language(texts: list[str], lang: str) -> int:
    """Warn on stderr when texts read confidently as another language than the one forced
    with ``--lang`` (:func:`ripplemeter.text.lang.other_language_counts`).

    Parameters
    ----------
    texts : list of str
    lang : {"en", "zh", "ko"}

    Returns
    -------
    int
        How many texts read as another language (0: no warning printed).
    """
    from ripplemeter.text.lang import other_language_counts

    counts = other_language_counts(texts, lang)
    n = sum(counts.values())
    if n:
        name = LANGUAGE_NAMES.get(lang, lang)
        which = ", ".join(f"{LANGUAGE_NAMES.get(k, k)} {v:,}" for k, v in counts.items())
        err_console.print(
            f"warning: --lang {lang}, but {n:,} of {len(texts):,} texts read as another "
            f"language ({which}). The {name} model read them anyway, so their answers mean "
            f"little; use --lang auto to read each text in its own language.",
            markup=False,
            highlight=False,
        )
    return n


_SENTIMENT_HELP = f"""\
Score the sentiment of each text: CSV 'label,score' on standard output, in input order.

label is negative, neutral or positive (positive or negative with --binary); score is the
model's probability of that label. Empty lines and texts in a language without a model
({UNSCORED_LANGUAGES}) are left blank.
"""


@app.command("sentiment", help=_SENTIMENT_HELP)
@friendly
def sentiment(
    file: Annotated[
        str, typer.Argument(help="Text file (one text per line) or CSV; - reads standard input.")
    ],
    lang: Annotated[
        _Lang,
        typer.Option(
            "--lang",
            metavar="auto|en|zh|ko",
            help="Language of the texts; auto detects each text's.",
        ),
    ] = _Lang.auto,
    tier: Annotated[
        _Tier,
        typer.Option(
            "--tier",
            metavar="fast|accurate",
            help="fast (n-gram model) or accurate (adds a neural model: about 150 texts/s in English, 200-450 in Chinese and Korean).",
        ),
    ] = _Tier.fast,
    binary: Annotated[
        bool, typer.Option("--binary", help="Answer only positive or negative.")
    ] = False,
    column: Annotated[
        str | None, typer.Option("--column", metavar="NAME", help="Read this column of a CSV file.")
    ] = None,
) -> None:
    """Score the sentiment of each text (the command's help is ``_SENTIMENT_HELP``)."""
    from ripplemeter.text.sentiment import score_texts

    t0 = time.perf_counter()
    texts = read_texts(file, column)
    if answer_empty(texts, file, column, "nothing scored", header=["label", "score"]):
        return
    if lang is not _Lang.auto:
        warn_forced_language(texts, lang.value)
    res = score_texts(texts, lang=lang.value, tier=tier.value, binary=binary)
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["label", "score"])
    for label, score in zip(res["label"], res["score"], strict=True):
        out.writerow([label, "" if score != score else f"{score:.4f}"])
    sys.stdout.flush()
    seconds = time.perf_counter() - t0
    counts = res.loc[res["label"] != "", "lang"].value_counts()
    names = {**LANGUAGE_NAMES, "und": "undetermined (English model)"}
    parts = ", ".join(f"{names.get(k, k)} {v:,}" for k, v in counts.items())
    err_console.print(
        f"scored {int(counts.sum()):,} of {texts_count(len(texts))}"
        + (f" ({parts})" if parts else "")
        + f" in {seconds:.1f} s"
    )
    blank = int((res["label"] == "").sum())
    if blank:
        from ripplemeter.text.sentiment import MODEL_LANGUAGES

        other = res["lang"].isin(set(LANGUAGE_NAMES) - set(MODEL_LANGUAGES))
        unmodelled = res.loc[(res["label"] == "") & other, "lang"]
        empty = blank - len(unmodelled)
        why = [f"{empty:,} empty line{'' if empty == 1 else 's'}"] if empty else []
        why += [
            f"{n:,} in {LANGUAGE_NAMES[k]}, which has no model yet"
            for k, n in unmodelled.value_counts().items()
        ]
        err_console.print(f"note: {texts_count(blank)} left blank ({'; '.join(why)})")
