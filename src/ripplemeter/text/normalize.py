"""Text normalisation shared by every text model (training and run time use the same code).

The rules exist so that spelling variants that mean the same thing give the same features:

* the typographic apostrophes (U+2019, U+2018, U+02BC, U+0060, U+00B4) become ``'``, so
  ``doesn’t`` and ``doesn't`` are one word;
* Unicode NFKC (full-width letters and digits become ASCII, ligatures are split);
* case-folding, so capitals never change a word (``DOESN'T WORK`` == ``doesn't work``);
* user mentions become ``@user`` (as TweetEval writes them) and links become ``http``;
* Korean laughter jamo (ㅋ, ㅎ) are removed, including a final ㅋ/ㅎ fused into the syllable
  before them (``맛있어욬ㅋㅋ`` == ``맛있어요``); runs of crying jamo (ㅠ, ㅜ) become one
  ``ㅠㅠ`` token;
* then (in the numba tokeniser of :mod:`ripplemeter.text.features`) emoji variation
  selectors and zero-width characters are dropped, any non-digit character repeated three
  times or more is cut to two (``soooo`` -> ``soo``, ``!!!!!`` -> ``!!``), and emoji and
  punctuation are split from the words they are glued to (``ok😡😡`` == ``ok 😡 😡``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = ["EMOJI_EMOTICONS", "emoji_to_emoticons", "normalize", "normalize_many"]

_APOS = ("\u2019", "\u2018", "\u02bc", "\u0060", "\u00b4")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"@\w+")
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def _unescape(m: re.Match) -> str:
    return chr(int(m.group(1), 16))


# Hangul syllables whose final consonant is ㅋ (index 24) or ㅎ (index 27), directly followed by
# laughter jamo: 욬ㅋㅋ -> 요. Syllable = 0xAC00 + (initial * 21 + medial) * 28 + final.
_LAUGH_FUSED = re.compile(r"([\uac00-\ud7a3])(?=[\u314b\u314e])")
_LAUGH = re.compile(r"[\u314b\u314e]+")  # ㅋ ㅎ (compatibility jamo)
_CRY = re.compile(r"[\u315c\u3160]+")  # ㅜ ㅠ


def _unfuse(m: re.Match) -> str:
    code = ord(m.group(1)) - 0xAC00
    final = code % 28
    if final in (24, 27):
        return chr(0xAC00 + code - final)
    return m.group(1)


def _prepare(t: str) -> str:
    """The string rules (C-speed str methods; regexes only when the text needs them)."""
    if "\\u" in t:  # escapes left in by some tweet downloads: "don\\u2019t"
        t = _ESCAPE.sub(_unescape, t)
        try:  # surrogate pairs written as two escapes become one character
            t = t.encode("utf-16", "surrogatepass").decode("utf-16")
        except UnicodeDecodeError:
            pass
    if not t.isascii():
        for a in _APOS:
            if a in t:
                t = t.replace(a, "'")
        if "\u314b" in t or "\u314e" in t:
            t = _LAUGH_FUSED.sub(_unfuse, t)
            t = _LAUGH.sub(" ", t)
        if "\u315c" in t or "\u3160" in t:
            t = _CRY.sub(" \u3160\u3160 ", t)
        t = unicodedata.normalize("NFKC", t)
    t = t.casefold()
    if "http" in t or "www." in t:
        t = _URL.sub(" http ", t)
    if "@" in t:
        t = _MENTION.sub("@user", t)
    return t


def normalize(text: str) -> str:
    """Normalise one text as the text models see it.

    Parameters
    ----------
    text : str
        Raw text (a post, comment or review).

    Returns
    -------
    str
        Its tokens joined by one space, lower case. Empty when the text held nothing but
        spaces, variation selectors or laughter jamo.

    Examples
    --------
    >>> normalize("DOESN’T WORK!!!!!")
    "doesn't work ! !"
    >>> normalize("맛있어욬ㅋㅋ") == normalize("맛있어요")
    True
    """
    return normalize_many([text])[0]


def normalize_many(texts: Iterable[str]) -> list[str]:
    """:func:`normalize` over many texts, in order; ``None`` and NaN count as empty text."""
    from ripplemeter.text.features import tokens

    return tokens(list(texts))


_EMOTICON_GROUPS = {
    ":)": "😀😃😄😁😆😊☺🙂😉😋😎🥰😇🤗👍👌👏🙌💪✨🎉🥳🌟💯✅",
    ":D": "😂🤣😹",
    ":) <3": "😍😘😻❤♥💕💖💗💓💞💘💝🧡💛💚💙💜",  # tweets write <3 as &lt;3
    ":(": "😞😟😔😕🙁☹😣😖😫😩😒🙄👎💔😓😥😰😨😱🤢🤮💩",
    ">:(": "😠😡🤬👿",
    ":'(": "😢😭😿",
}
EMOJI_EMOTICONS: dict[str, str] = {e: emo for emo, group in _EMOTICON_GROUPS.items() for e in group}
"""Common emoji of clear polarity and the emoticon that says the same.

Polarity as in the Emoji Sentiment Ranking: Kralj Novak, Smailović, Sluban, Mozetič.
"Sentiment of Emojis." PLoS ONE 10(12), 2015. Emoji whose sentiment varies (😅, 😐, 🤔, 🔥)
are left out.
"""
_EMOJI_TABLE = {ord(e): f" {e} {emo} " for e, emo in EMOJI_EMOTICONS.items()}


def emoji_to_emoticons(text: str) -> str:
    """Follow each emoji of :data:`EMOJI_EMOTICONS` with its emoticon (``😍`` -> ``😍 :) <3``).

    The English model learned emoticons from tweets that hold no emoji; this lets it read the
    emoji as the emoticons they stand for.
    """
    return text.translate(_EMOJI_TABLE)
