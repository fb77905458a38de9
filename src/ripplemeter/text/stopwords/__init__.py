"""Stopword lists per language, one small committed file each (``<lang>.txt``).

Each file names its source in its header comment: English is the Glasgow IR group's list as
scikit-learn ships it; Chinese, Korean, Japanese, French, German and Spanish are short lists
chosen by hand for ripplemeter (function words that survive tokenisation). A text whose
language is unknown and that is not in a CJK script gets every Latin-script list
(``stopwords(None)``). They serve the listening section's
associated terms (:mod:`ripplemeter.evaluate.listening`), where log-likelihood ranking already
discounts words that are frequent everywhere, so the lists stay short.

>>> "the" in stopwords("en")
True
>>> stopwords("xx")
frozenset()
>>> {"the", "les", "der", "los"} <= stopwords(None)
True
"""

from __future__ import annotations

from functools import cache
from importlib import resources

__all__ = ["LANGUAGES", "stopwords"]

#: Languages with a committed list.
LANGUAGES: tuple[str, ...] = ("de", "en", "es", "fr", "ja", "ko", "zh")
#: Languages written in Latin script: a text of unknown language gets all their lists.
LATIN: tuple[str, ...] = ("de", "en", "es", "fr")


@cache
def stopwords(lang: str | None) -> frozenset[str]:
    """The stopwords of a language (ISO 639-1 code), casefolded; empty for other languages.

    Parameters
    ----------
    lang : str or None
        An ISO 639-1 code of :data:`LANGUAGES` (``zh-cn``, ``en-US`` ... are cut at the
        dash); None (unknown) gives the union of the Latin-script lists.

    Returns
    -------
    frozenset of str
    """
    if lang is None:
        return frozenset().union(*(stopwords(c) for c in LATIN))
    code = lang.split("-")[0].split("_")[0].lower()
    if code not in LANGUAGES:
        return frozenset()
    text = resources.files(__name__).joinpath(f"{code}.txt").read_text(encoding="utf-8")
    return frozenset(
        w.strip().casefold() for w in text.splitlines() if w.strip() and not w.startswith("#")
    )
