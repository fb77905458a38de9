"""Word and character n-gram features with linear weights, run with numpy and scipy only.

The spam filter and the learned aspect models share this code: training scripts
(`training/train_spam.py`, `training/train_aspects.py`) fit a vocabulary and an idf vector with
:class:`NgramVectorizer` and weights with scikit-learn, then save everything with
:func:`save_linear`; run time loads the arrays with :func:`load_linear` and never needs
scikit-learn. Features are computed by the same Python code in both places, so a shipped
model sees exactly the features it was trained on.
"""

from __future__ import annotations

import html
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from ripplemeter.errors import RippleError

__all__ = ["NgramVectorizer", "LinearWeights", "prepare", "save_linear", "load_linear"]

_TAG = re.compile(r"<[^>]{0,200}>")
_URL = re.compile(r"(?:https?://|www\.)([^\s/]+)\S*", re.IGNORECASE)
_REPEAT = re.compile(r"(.)\1{2,}", re.DOTALL)
_TOKEN = re.compile(r"\w+|[^\w\s]")
_SPACES = re.compile(r"\s+")
_DROP = str.maketrans(
    {
        "\ufeff": " ",
        "\u200b": None,
        "\ufe0f": None,
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
    }
)


def _url(m: re.Match) -> str:
    host = m.group(1).lower()
    if host.startswith("www."):
        host = host[4:]
    return f" httpurl {host} "


def prepare(text: str) -> str:
    """Normalise one text for n-gram features.

    HTML entities are decoded and tags removed (YouTube and forum exports keep ``&gt;`` and
    ``<br />``), Unicode NFKC (full-width letters become ASCII), case-folding, links become
    the token ``httpurl`` followed by their host, characters repeated three times or more are
    cut to two, and spaces are collapsed.

    Parameters
    ----------
    text : str
        Raw text; anything that is not a ``str`` counts as empty.

    Returns
    -------
    str
        The prepared text (may be empty).
    """
    if not isinstance(text, str):
        return ""
    t = text
    if "&" in t:
        t = html.unescape(t)
    if "<" in t:
        t = _TAG.sub(" ", t)
    t = t.translate(_DROP)
    if not t.isascii():
        t = unicodedata.normalize("NFKC", t)
    t = t.casefold()
    if "http" in t or "www." in t:
        t = _URL.sub(_url, t)
    t = _REPEAT.sub(r"\1\1", t)
    return _SPACES.sub(" ", t).strip()


@dataclass
class NgramVectorizer:
    """TF-IDF over word n-grams and character n-grams of :func:`prepare`-d text.

    Parameters
    ----------
    word_ngrams : tuple of int
        Smallest and largest word n-gram (words are ``\\w+`` runs and single punctuation
        marks); ``(0, 0)`` for none.
    char_ngrams : tuple of int
        Smallest and largest character n-gram over the prepared text padded with a space;
        ``(0, 0)`` for none.
    min_df : int
        Keep a feature only if it occurs in at least this many training texts.
    max_features : int or None
        Keep at most this many features (the most frequent).

    Attributes
    ----------
    vocabulary_ : dict of str to int
        Feature string -> column.
    idf_ : ndarray of float32, shape (n_features,)
        Smoothed idf, ``ln((1 + n) / (1 + df)) + 1`` (as scikit-learn's TfidfVectorizer).

    Notes
    -----
    Term counts are sublinear (``1 + ln(tf)``) and each row is scaled to unit L2 norm.
    """

    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    min_df: int = 2
    max_features: int | None = None
    vocabulary_: dict[str, int] = field(default_factory=dict, repr=False)
    idf_: np.ndarray | None = field(default=None, repr=False)

    def analyze(self, prepared: str) -> list[str]:
        """Feature strings of one prepared text (with repeats)."""
        feats: list[str] = []
        lo, hi = self.word_ngrams
        if hi > 0:
            words = _TOKEN.findall(prepared)
            n = len(words)
            for k in range(max(lo, 1), hi + 1):
                if k == 1:
                    feats.extend("w " + w for w in words)
                else:
                    for i in range(n - k + 1):
                        feats.append("w " + " ".join(words[i : i + k]))
        lo, hi = self.char_ngrams
        if hi > 0:
            s = f" {prepared} "
            n = len(s)
            for k in range(max(lo, 1), hi + 1):
                feats.extend("c" + s[i : i + k] for i in range(n - k + 1))
        return feats

    def fit(self, texts: Iterable[str]) -> NgramVectorizer:
        """Learn the vocabulary and idf from raw texts."""
        df: Counter[str] = Counter()
        n = 0
        for t in texts:
            df.update(set(self.analyze(prepare(t))))
            n += 1
        kept = [(f, c) for f, c in df.items() if c >= self.min_df]
        kept.sort(key=lambda fc: (-fc[1], fc[0]))
        if self.max_features is not None:
            kept = kept[: self.max_features]
        kept.sort()
        self.vocabulary_ = {f: i for i, (f, _c) in enumerate(kept)}
        counts = np.array([c for _f, c in kept], dtype=np.float64)
        self.idf_ = (np.log((1 + n) / (1 + counts)) + 1).astype(np.float32)
        return self

    def transform(self, texts: Iterable[str], prepared: bool = False) -> sp.csr_matrix:
        """TF-IDF rows of raw texts (or of already prepared ones).

        Returns
        -------
        scipy.sparse.csr_matrix, shape (n_texts, n_features), float32
        """
        if self.idf_ is None:
            raise RippleError("the n-gram vectorizer has not been fitted")
        vocab = self.vocabulary_
        idf = self.idf_
        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        for t in texts:
            p = t if prepared else prepare(t)
            c = Counter(j for j in map(vocab.get, self.analyze(p)) if j is not None)
            if c:
                cols = list(c.keys())
                vals = np.fromiter(c.values(), dtype=np.float64, count=len(c))
                vals = (1.0 + np.log(vals)) * idf[cols]
                vals /= math.sqrt(float(vals @ vals))
                indices.extend(cols)
                data.extend(vals.tolist())
            indptr.append(len(indices))
        return sp.csr_matrix(
            (
                np.asarray(data, dtype=np.float32),
                np.asarray(indices, dtype=np.int32),
                np.asarray(indptr, dtype=np.int64),
            ),
            shape=(len(indptr) - 1, len(vocab)),
        )


@dataclass
class LinearWeights:
    """A fitted vectorizer with one or more linear scorers over its features.

    Attributes
    ----------
    vectorizer : NgramVectorizer
    coef : dict of str to ndarray
        Named weight matrices, each of shape (n_features, n_outputs), float32.
    intercept : dict of str to ndarray
        Matching intercepts, shape (n_outputs,).
    meta : dict
        JSON-serialisable settings (class names, thresholds, figures of the model card).
    """

    vectorizer: NgramVectorizer
    coef: dict[str, np.ndarray]
    intercept: dict[str, np.ndarray]
    meta: dict

    def decision(self, name: str, x: sp.csr_matrix) -> np.ndarray:
        """Scores ``x @ coef[name] + intercept[name]``, shape (n_rows, n_outputs)."""
        return np.asarray(x @ self.coef[name], dtype=np.float64) + self.intercept[name]


def save_linear(path: str | Path, weights: LinearWeights) -> None:
    """Write a :class:`LinearWeights` to one ``.npz`` file (no pickle).

    Weights are stored as float16 (half the size; scores change by less than 1e-3).
    """
    v = weights.vectorizer
    terms = sorted(v.vocabulary_, key=v.vocabulary_.__getitem__)
    if any("\n" in t for t in terms):
        terms = [t.replace("\n", " ") for t in terms]
    arrays = {
        "vocab": np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8),
        "idf": v.idf_.astype(np.float32),
        "config": np.frombuffer(
            json.dumps(
                {
                    "word_ngrams": list(v.word_ngrams),
                    "char_ngrams": list(v.char_ngrams),
                    "min_df": v.min_df,
                    "max_features": v.max_features,
                    "names": sorted(weights.coef),
                    "meta": weights.meta,
                },
                ensure_ascii=False,
            ).encode("utf-8"),
            dtype=np.uint8,
        ),
    }
    for name in weights.coef:
        arrays[f"coef__{name}"] = weights.coef[name].astype(np.float16)
        arrays[f"intercept__{name}"] = np.asarray(weights.intercept[name], dtype=np.float32)
    with open(path, "wb") as fh:
        np.savez_compressed(fh, **arrays)


def load_linear(path: str | Path) -> LinearWeights:
    """Read a file written by :func:`save_linear`.

    Raises
    ------
    RippleError
        If the file is missing or not a saved model.
    """
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            config = json.loads(z["config"].tobytes().decode("utf-8"))
            terms = z["vocab"].tobytes().decode("utf-8").split("\n")
            v = NgramVectorizer(
                word_ngrams=tuple(config["word_ngrams"]),
                char_ngrams=tuple(config["char_ngrams"]),
                min_df=config["min_df"],
                max_features=config["max_features"],
            )
            v.vocabulary_ = {t: i for i, t in enumerate(terms)}
            v.idf_ = z["idf"].astype(np.float32)
            coef = {n: z[f"coef__{n}"].astype(np.float32) for n in config["names"]}
            intercept = {n: z[f"intercept__{n}"].astype(np.float64) for n in config["names"]}
    except (OSError, KeyError, ValueError) as exc:
        raise RippleError(f"{path.name}: not a readable ripplemeter model ({exc})") from None
    return LinearWeights(v, coef, intercept, config["meta"])


def rows_to_list(x: Sequence[str] | str) -> list[str]:
    """Accept one text or a sequence of texts; return a list."""
    return [x] if isinstance(x, str) else list(x)
