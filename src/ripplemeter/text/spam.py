"""Spam comment filtering: is a comment self-promotion or a scheme rather than an opinion?

Spam is reported as its own share and left out of opinion ratios. The shipped model
(``models/spam_en.npz``, card ``models/spam_en.card.md``) is a logistic regression over hashed
word and character n-grams (:mod:`ripplemeter.text.features`, scored by a numba kernel) of the
comment with its links rewritten as link words (:func:`ripplemeter.text.ngram_linear.spam_text`),
trained by ``training/train_spam.py`` on the UCI YouTube Spam Collection and measured
leave-one-video-out (F1 per held-out video in the card).

A comment that asks for likes on itself ("like this comment if...") gets one extra word,
``zzlikebait`` (:func:`bait_words`), before that rewrite. A sentence-embedding variant
(multilingual-e5-small head pooled with the n-grams, ``training/train_spam_accurate.py``) was
measured under the same nested protocol and not shipped: it lowered held-out videos that the
n-grams alone score better (card, "Accurate tier: tried, not shipped").

Examples
--------
>>> f = SpamFilter.load()
>>> f.predict(["Check out my channel and subscribe!! http://bit.ly/x", "love this song"])
['spam', 'ham']
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ripplemeter.text.ngram_linear import HashedLinear, load_linear, rows_to_list

__all__ = ["SpamFilter", "MODEL_PATH", "bait_words", "embedding_text"]

MODEL_PATH = Path(__file__).resolve().parent / "models" / "spam_en.npz"

_TAG = re.compile(r"<[^>]{0,200}>")

# Asking for likes on the comment itself ("like this comment if...", "thumbs up if you...",
# "give it a like"): the react-baiting of YouTube comments, spam in the collection's labels in
# 42 of 50 cases. Summarised by one word so that the model learns it once whatever the wording.
# Added after reading the Youtube03-LMFAO fold's misses (models/spam_en.card.md).
_LIKE_BAIT = re.compile(
    r"\blike this comment\b"
    r"|(?:^|[.!?,:]\s*|\b(?:please|pls|plz)\s+)(?:like|thumbs? up)(?: this)?(?: comment)?"
    r"(?: if| for| so)\b"
    r"|\bgive (?:it|this|me) a (?:like|thumbs? up)\b"
    r"|\bhow many (?:likes|thumbs? ups?)\b"
    r"|\bthumbs? up if\b",
    re.I,
)


def bait_words(text: object) -> object:
    """The comment followed by `` zzlikebait`` when it asks for likes on itself.

    Applied before the n-gram model's own rewrite (:func:`ripplemeter.text.ngram_linear.
    spam_text`) by the fast and accurate tiers and by ``training/train_spam.py``. Non-text
    passes through unchanged.

    Parameters
    ----------
    text : object

    Returns
    -------
    object
        ``text`` itself or ``text + " zzlikebait"``.
    """
    if isinstance(text, str) and ("like" in text.lower() or "thumb" in text.lower()):
        t = html.unescape(text) if "&" in text else text
        if _LIKE_BAIT.search(t):
            return text + " zzlikebait"
    return text


_SPACE = re.compile(r"\s+")


def embedding_text(text: object) -> str:
    """The comment as the accurate tier's embedder reads it.

    HTML entities are decoded and tags removed (YouTube exports keep ``&#39;`` and
    ``<br />``), runs of white space become one space; case and links are kept (the embedder
    reads "CHECK OUT my channel http://..." as written). Anything not a ``str`` is empty.

    Parameters
    ----------
    text : object

    Returns
    -------
    str
    """
    if not isinstance(text, str):
        return ""
    t = html.unescape(text) if "&" in text else text
    if "<" in t:
        t = _TAG.sub(" ", t)
    return _SPACE.sub(" ", t).strip()


class SpamFilter:
    """The shipped spam classifier (labels ``ham`` and ``spam``).

    Build it with :meth:`load`; weights are learned by ``training/train_spam.py``.

    Parameters
    ----------
    weights : HashedLinear
        Feature settings and the ``spam`` scorer, as written by the training script.
    threshold : float, optional
        P(spam) at or above which a comment is spam; default the model's own (chosen by
        cross-validation inside the training videos, see the card).

    Attributes
    ----------
    classes_ : tuple of str
        ``("ham", "spam")``: the columns of :meth:`predict_proba`.
    name, version : str
        Model name and version, stored with each annotation.
    card : dict
        The training figures (per-fold F1 and counts).
    """

    classes_ = ("ham", "spam")

    def __init__(self, weights: HashedLinear, threshold: float | None = None) -> None:
        self.weights_ = weights
        self.threshold = float(
            weights.meta.get("threshold", 0.5) if threshold is None else threshold
        )
        self.name = str(weights.meta.get("name", "spam_en"))
        self.version = str(weights.meta.get("version", "0"))
        self.card = {"folds": weights.meta.get("folds", [])}

    @classmethod
    def load(cls, path: str | Path | None = None, threshold: float | None = None) -> SpamFilter:
        """Load the committed model (or a file written by the training script).

        Raises
        ------
        RippleError
            If the file is missing or unreadable.
        """
        return cls(load_linear(MODEL_PATH if path is None else path), threshold)

    def predict_proba(self, texts: Sequence[str] | str) -> np.ndarray:
        """Probabilities of ``ham`` and ``spam``.

        Parameters
        ----------
        texts : str or sequence of str
            Comments; ``None``/NaN count as empty text. A comment asking for likes on itself
            gets the like-bait word first (:func:`bait_words`).

        Returns
        -------
        ndarray of float, shape (n_texts, 2)
            Columns in the order of :attr:`classes_`; rows sum to 1.
        """
        rows = [bait_words(t) for t in rows_to_list(texts)]
        z = self.weights_.scores(rows)["spam"][:, 0]
        p = 1.0 / (1.0 + np.exp(-z))
        return np.column_stack([1.0 - p, p])

    def predict(self, texts: Sequence[str] | str) -> list[str]:
        """``"spam"`` or ``"ham"`` for each text, in order."""
        p = self.predict_proba(texts)[:, 1]
        return ["spam" if v >= self.threshold else "ham" for v in p]

    def is_spam(self, texts: Sequence[str] | str) -> np.ndarray:
        """Boolean array, True where the text is spam."""
        return self.predict_proba(texts)[:, 1] >= self.threshold
