"""Stopword lists per language, one small committed file each (``<lang>.txt``).

Each file names its source in its header comment: English is the Glasgow IR group's list as
scikit-learn ships it; Chinese, Korean and Japanese are short lists chosen by hand for
ripplemeter (function words that survive tokenisation). They serve the listening section's
associated terms (:mod:`ripplemeter.evaluate.listening`), where log-likelihood ranking already
discounts words that are frequent everywhere, so the lists stay short.

>>> "the" in stopwords("en")
True
>>> stopwords("xx")
frozenset()
"""

from __future__ import annotations

from functools import cache
from importlib import resources

__all__ = ["LANGUAGES", "stopwords"]

#: Languages with a committed list.
LANGUAGES: tuple[str, ...] = ("en", "ja", "ko", "zh")


@cache
def stopwords(lang: str | None) -> frozenset[str]:
    """The stopwords of a language (ISO 639-1 code), casefolded; empty for other languages.

    Parameters
    ----------
    lang : str or None
        ``en``, ``zh``, ``ko`` or ``ja`` (``zh-cn``, ``en-US`` ... are cut at the dash).

    Returns
    -------
    frozenset of str
    """
    code = (lang or "").split("-")[0].split("_")[0].lower()
    if code not in LANGUAGES:
        return frozenset()
    text = resources.files(__name__).joinpath(f"{code}.txt").read_text(encoding="utf-8")
    return frozenset(
        w.strip().casefold() for w in text.splitlines() if w.strip() and not w.startswith("#")
    )
