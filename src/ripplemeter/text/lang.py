"""Language identification restricted to the languages ripplemeter models: en, zh, ko, ja.

lingua-language-detector decides among English, Chinese, Korean and Japanese only (the
all-language mode loads 1.3 GB and misreads short texts as rarer languages). A text gets
``und`` (undetermined) when it carries too little to decide:

* no letter at all (emoji, digits, punctuation only: "😡😡", "12345", "!!!");
* only Latin letters and fewer than three of them ("ok", "AB-9000");
* lingua finds two languages too close to call.

References
----------
Peter M. Stahl, lingua-py (https://github.com/pemistahl/lingua-py), version 2.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

__all__ = ["LANGUAGES", "UNDETERMINED", "detect_language", "detect_languages"]

LANGUAGES: tuple[str, ...] = ("en", "zh", "ko", "ja")
"""ISO 639-1 codes of the languages detected."""

UNDETERMINED = "und"
"""The ISO 639-2 code for "undetermined"."""

_MIN_LATIN_LETTERS = 3
_MIN_RELATIVE_DISTANCE = 0.05


@functools.cache
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    return (
        LanguageDetectorBuilder.from_languages(
            Language.ENGLISH, Language.CHINESE, Language.KOREAN, Language.JAPANESE
        )
        .with_minimum_relative_distance(_MIN_RELATIVE_DISTANCE)
        .build()
    )


def _too_little(text: str) -> bool:
    letters = 0
    for ch in text:
        if ch.isalpha():
            if ord(ch) > 0x024F:  # any non-Latin letter (Hangul, kana, Han) is enough to decide
                return False
            letters += 1
            if letters >= _MIN_LATIN_LETTERS:
                return False
    return True


def detect_languages(texts: Sequence[str]) -> list[str]:
    """Language code of each text, in order.

    Parameters
    ----------
    texts : sequence of str
        Posts, comments or reviews. ``None`` and NaN count as empty text.

    Returns
    -------
    list of str
        One of ``"en"``, ``"zh"``, ``"ko"``, ``"ja"`` or ``"und"`` per text.

    Examples
    --------
    >>> detect_languages(["no complaints at all", "不推荐", "맛있어요", "美味しいです", "😡😡"])
    ['en', 'zh', 'ko', 'ja', 'und']
    """
    out = [UNDETERMINED] * len(texts)
    todo_idx: list[int] = []
    todo: list[str] = []
    for i, t in enumerate(texts):
        if isinstance(t, str) and not _too_little(t):
            todo_idx.append(i)
            todo.append(t)
    if todo:
        found = _detector().detect_languages_in_parallel_of(todo)
        for i, lang in zip(todo_idx, found, strict=True):
            if lang is not None:
                out[i] = lang.iso_code_639_1.name.lower()
    return out


def detect_language(text: str) -> str:
    """Language code of one text (see :func:`detect_languages`)."""
    return detect_languages([text])[0]
