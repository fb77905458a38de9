"""Spam comment filtering: is a comment self-promotion or a scheme rather than an opinion?

Spam is reported as its own share and left out of opinion ratios. The shipped model
(``models/spam_en.npz``, card ``models/spam_en.card.md``) is a logistic regression over hashed
word and character n-grams (:mod:`ripplemeter.text.features`, scored by a numba kernel) of the
comment with its links rewritten as link words (:func:`ripplemeter.text.ngram_linear.spam_text`),
trained by ``training/train_spam.py`` on the UCI YouTube Spam Collection and measured
leave-one-video-out (F1 per held-out video in the card).

Examples
--------
>>> f = SpamFilter.load()
>>> f.predict(["Check out my channel and subscribe!! http://bit.ly/x", "love this song"])
['spam', 'ham']
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ripplemeter.text.ngram_linear import HashedLinear, load_linear, rows_to_list

__all__ = ["SpamFilter", "MODEL_PATH"]

MODEL_PATH = Path(__file__).resolve().parent / "models" / "spam_en.npz"


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
            Comments; ``None``/NaN count as empty text.

        Returns
        -------
        ndarray of float, shape (n_texts, 2)
            Columns in the order of :attr:`classes_`; rows sum to 1.
        """
        z = self.weights_.scores(rows_to_list(texts))["spam"][:, 0]
        p = 1.0 / (1.0 + np.exp(-z))
        return np.column_stack([1.0 - p, p])

    def predict(self, texts: Sequence[str] | str) -> list[str]:
        """``"spam"`` or ``"ham"`` for each text, in order."""
        p = self.predict_proba(texts)[:, 1]
        return ["spam" if v >= self.threshold else "ham" for v in p]

    def is_spam(self, texts: Sequence[str] | str) -> np.ndarray:
        """Boolean array, True where the text is spam."""
        return self.predict_proba(texts)[:, 1] >= self.threshold
