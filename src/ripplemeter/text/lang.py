"""Language identification for the languages ripplemeter models: en, zh, ko, ja.

lingua-language-detector decides among English, Chinese, Korean and Japanese only (the
all-language mode loads 1.3 GB and misreads short texts as rarer languages). A text gets
``und`` (undetermined) when it carries too little to decide:

* no letter at all (emoji, digits, punctuation only: "😡😡", "12345", "!!!");
* only Latin letters and fewer than three of them ("ok", "AB-9000");
* lingua finds two languages too close to call.

A text read as English that looks French, German, Spanish, Portuguese, Italian or Dutch (its
function words of those languages outnumber its English ones) is read again by lingua
restricted to those languages and English (:func:`refine_latin`), and gets that language's
code (:data:`OTHER_LATIN`): ripplemeter has no model for them, so such texts are left
unscored rather than read by the English models.

References
----------
Peter M. Stahl, lingua-py (https://github.com/pemistahl/lingua-py), version 2.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

__all__ = [
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "OTHER_LATIN",
    "UNDETERMINED",
    "detect_language",
    "detect_languages",
    "identify_languages",
    "language_names",
    "other_language_counts",
    "refine_latin",
    "unmodelled_names",
]

LANGUAGES: tuple[str, ...] = ("en", "zh", "ko", "ja")
"""ISO 639-1 codes of the languages the main detector decides among (the modelled ones and
Japanese); :data:`OTHER_LATIN` are told apart from English afterwards."""

UNDETERMINED = "und"
"""The ISO 639-2 code for "undetermined"."""

OTHER_LATIN: tuple[str, ...] = ("fr", "de", "es", "pt", "it", "nl")
"""Latin-script languages recognised only so that the English models leave their texts alone
(ripplemeter has no model for them): a French post is ``fr``, unscored, not English."""

LANGUAGE_NAMES = {
    "en": "English",
    "zh": "Chinese",
    "ko": "Korean",
    "ja": "Japanese",
    "fr": "French",
    "de": "German",
    "es": "Spanish",
    "pt": "Portuguese",
    "it": "Italian",
    "nl": "Dutch",
}
"""The name people read for each language code: the one map of them (other modules take
theirs from it, restricted with :func:`language_names` where the set of codes matters)."""


def language_names(codes: Iterable[str]) -> dict[str, str]:
    """:data:`LANGUAGE_NAMES` restricted to some codes, in the order given.

    Parameters
    ----------
    codes : iterable of str
        Codes of :data:`LANGUAGE_NAMES`, e.g. the languages a module has models for.

    Returns
    -------
    dict of str to str
        ``{code: name}`` for those codes.

    Raises
    ------
    KeyError
        If a code has no name in :data:`LANGUAGE_NAMES`.

    Examples
    --------
    >>> language_names(("en", "ko"))
    {'en': 'English', 'ko': 'Korean'}
    """
    return {k: LANGUAGE_NAMES[k] for k in codes}


def unmodelled_names(modelled: Iterable[str]) -> list[str]:
    """Names of the languages recognised (:data:`LANGUAGE_NAMES`) but not modelled.

    Parameters
    ----------
    modelled : iterable of str
        Codes of the languages that have a model (e.g. ``sentiment.MODEL_LANGUAGES``).

    Returns
    -------
    list of str
        The names of ``set(LANGUAGE_NAMES) - set(modelled)``, in :data:`LANGUAGE_NAMES`
        order (:data:`LANGUAGES`, then :data:`OTHER_LATIN`): the languages whose texts are
        left unscored.

    Examples
    --------
    >>> unmodelled_names(("en", "zh", "ko"))
    ['Japanese', 'French', 'German', 'Spanish', 'Portuguese', 'Italian', 'Dutch']
    """
    left = set(LANGUAGE_NAMES) - set(modelled)
    return [name for code, name in LANGUAGE_NAMES.items() if code in left]


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


@functools.cache
def _latin_detector():
    from lingua import Language, LanguageDetectorBuilder

    return (
        LanguageDetectorBuilder.from_languages(
            Language.ENGLISH,
            Language.FRENCH,
            Language.GERMAN,
            Language.SPANISH,
            Language.PORTUGUESE,
            Language.ITALIAN,
            Language.DUTCH,
        )
        .with_minimum_relative_distance(_MIN_RELATIVE_DISTANCE_LATIN)
        .build()
    )


_MIN_RELATIVE_DISTANCE_LATIN = 0.1
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
# function words of Portuguese, Italian and Dutch (French, German and Spanish come from the
# stopword lists); only used to pick the texts lingua looks at again
_PT_IT_NL = frozenset(
    "não uma com para mais muito você isso está são também che di il per non sono della"
    " questo anche molto het een niet ik zijn voor maar wat ook deze".split()
)


@functools.cache
def _function_words() -> tuple[frozenset[str], frozenset[str]]:
    """(English function words, function words of the other Latin-script languages)."""
    from ripplemeter.text.stopwords import stopwords

    english = stopwords("en")
    other = (stopwords("fr") | stopwords("de") | stopwords("es") | _PT_IT_NL) - english
    return english, other


def _maybe_other_latin(text: str) -> bool:
    """Whether an all-Latin text read as English may be French, German, Spanish...: its
    function words of those languages outnumber its English function words (one against
    none is enough: "Ich liebe diesen Tee"; lingua then decides)."""
    english, other = _function_words()
    words = [w.casefold() for w in _WORD.findall(text)]
    n_other = sum(w in other for w in words)
    if n_other == 0:
        return False
    return n_other > sum(w in english for w in words)


def refine_latin(texts: Sequence[str], langs: list[str]) -> list[str]:
    """Re-read texts read as English that look French, German, Spanish, Portuguese, Italian
    or Dutch, with lingua restricted to those languages and English.

    Parameters
    ----------
    texts : sequence of str
    langs : list of str
        Their codes so far (changed in place where a text is another language).

    Returns
    -------
    list of str
        ``langs``, with ``fr``, ``de``, ``es``, ``pt``, ``it`` or ``nl`` where lingua reads a
        text as that language (:data:`OTHER_LATIN`).

    Notes
    -----
    Only texts with function words of those languages outnumbering their English ones are
    looked at again (a cheap test), so English text keeps its reading without a second
    detection; lingua must then prefer the other language by a relative distance of 0.1.
    """
    picked = [
        (i, t)
        for i, (t, g) in enumerate(zip(texts, langs, strict=True))
        if g == "en" and isinstance(t, str) and _maybe_other_latin(t)
    ]
    if picked:
        idx = [i for i, _ in picked]
        found = _latin_detector().detect_languages_in_parallel_of([t for _, t in picked])
        for i, lang in zip(idx, found, strict=True):
            if lang is not None:
                code = lang.iso_code_639_1.name.lower()
                if code in OTHER_LATIN:
                    langs[i] = code
    return langs


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
        One of ``"en"``, ``"zh"``, ``"ko"``, ``"ja"``, a code of :data:`OTHER_LATIN` or
        ``"und"`` per text.

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
    return refine_latin(texts, out)


def detect_language(text: str) -> str:
    """Language code of one text (see :func:`detect_languages`)."""
    return detect_languages([text])[0]


def identify_languages(texts: Sequence[str]) -> list[str]:
    """Language code of each text, as the annotations store it: a script pre-pass
    (:func:`ripplemeter.text.annotate.script_languages`: Latin only is English, Hangul only
    Korean, Han only Chinese) and :func:`detect_languages` for texts mixing scripts.

    Parameters
    ----------
    texts : sequence of str
        ``None`` and NaN count as empty text (``und``).

    Returns
    -------
    list of str
        ``"en"``, ``"zh"``, ``"ko"``, ``"ja"``, a code of :data:`OTHER_LATIN` or ``"und"``
        per text.
    """
    from ripplemeter.text.annotate import script_languages

    clean = [t if isinstance(t, str) else "" for t in texts]
    out = script_languages(clean)
    rest = [i for i, v in enumerate(out) if v is None]
    if rest:
        for i, v in zip(rest, detect_languages([clean[i] for i in rest]), strict=True):
            out[i] = v
    return refine_latin(clean, [str(v) for v in out])


def other_language_counts(texts: Sequence[str], lang: str) -> dict[str, int]:
    """How many texts read as a language other than `lang`, per language, most first.

    For a language forced on the texts (``--lang zh``): a text counts when
    :func:`identify_languages` names another language for it. Texts it cannot decide
    (``und``: emoji, fewer than three Latin letters, or lingua finding two languages too
    close to call) never count, so only confident readings warn.

    Parameters
    ----------
    texts : sequence of str
    lang : {"en", "zh", "ko"}
        The language forced on the texts.

    Returns
    -------
    dict of str to int
        ``{language code: texts}``, e.g. ``{"en": 10}`` for ten English texts under ``zh``;
        empty when every text reads as `lang` or cannot be decided.

    Examples
    --------
    >>> other_language_counts(["Delivery was fast", "很好喝", "ok"], "zh")
    {'en': 1}
    """
    counts: dict[str, int] = {}
    for v in identify_languages(texts):
        if v != lang and v != UNDETERMINED:
            counts[v] = counts.get(v, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
