"""Linear models over the hashed n-gram features of :mod:`ripplemeter.text.features`.

The spam filter and the learned aspect models share this code. A model is a
:class:`~ripplemeter.text.features.FeatureConfig` (which n-grams, how many hash buckets), a
text rewrite applied before featurisation (:func:`spam_text` for comments, the identity for
aspects), and one or more named linear scorers whose weight columns are stacked into one
matrix, so that :meth:`HashedLinear.scores` computes every output in one pass of the numba
kernel (:func:`ripplemeter.text.features.linear_scores`) without building a feature matrix.

Training scripts (``training/train_spam.py``, ``training/train_aspects.py``) build the same
features with :func:`ripplemeter.text.features.featurize`, fit scikit-learn models and save
them with :func:`save_linear`; run time needs numpy and numba only.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ripplemeter.errors import RippleError
from ripplemeter.text.features import FeatureConfig, featurize, linear_scores

__all__ = [
    "HashedLinear",
    "TEXT_REWRITES",
    "load_linear",
    "prepare",
    "rows_to_list",
    "save_linear",
    "spam_text",
]

_TAG = re.compile(r"<[^>]{0,200}>")
_URL = re.compile(r"(?:https?://|www\.)([^\s/]+)\S*", re.IGNORECASE)
_BARE_URL = re.compile(r"\b([a-z0-9-]+\.)+(com|net|org|ly|co|me|tv|info|biz|us)\b(/\S*)?")
_NONWORD = re.compile(r"\W")
_REPEAT = re.compile(r"(.)\1{2,}", re.DOTALL)
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
    """Normalise one text to compare comments (the key that finds repeated comments).

    HTML entities are decoded and tags removed (YouTube exports keep ``&gt;`` and
    ``<br />``), Unicode NFKC, case-folding, links become ``httpurl`` and their host,
    characters repeated three times or more are cut to two, spaces are collapsed.

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


def _link(m: re.Match) -> str:
    host = m.group(1).lower()
    if host.startswith("www."):
        host = host[4:]
    site = host.split(".")
    # the registered name (youtube, bit, facebook...) as one word, never split by the tokeniser
    name = site[-2] if len(site) >= 2 else site[0]
    name = _NONWORD.sub("", name)
    path = m.group(0).lower()
    kind = ""
    if "youtube" in host or "youtu.be" in host:
        if "/user/" in path or "/channel/" in path or "/c/" in path:
            kind = " zzchannellink"
        elif "watch" in path or "youtu.be" in host:
            kind = " zzvideolink"
    return f" zzlink zzsite{name}{kind} "


def _bare(m: re.Match) -> str:
    host = m.group(0).split("/")[0].split(".")
    name = _NONWORD.sub("", host[-2])
    return f" zzlink zzsite{name} "


def spam_text(text: object) -> str:
    """Rewrite a comment for the spam model's n-grams.

    HTML entities are decoded and tags dropped (``don&#39;t`` reads as ``don't``, ``<br />``
    as a space); each link becomes the word ``zzlink`` followed by ``zzsite<name>`` (the
    site's registered name, ``youtube``, ``bit``, ``facebook``...) and, for YouTube links,
    ``zzchannellink`` or ``zzvideolink``; a bare domain written without ``http``
    (``get-paid-now.com``) counts as a link too. A word ``zzlen<k>`` gives the
    rewritten comment's length in steps of 50 characters (k from 0 to 6); then one word for
    each kind of self-promotion phrase found (``zzcheckout``: "check out", "check my";
    ``zzsubscribe``: "sub", "subscribe", "sub4sub"; ``zzmychannel``: "my channel", "our new
    video"; ``zzmoney``: "free", "money", "cash", "paypal"). The rest of the normalisation
    (case, width, repeats, punctuation) is :func:`ripplemeter.text.features.prepare`'s.

    Parameters
    ----------
    text : str
        A raw comment; anything else counts as empty.

    Returns
    -------
    str
    """
    if not isinstance(text, str) or not text.strip():
        return ""
    t = text
    if "&" in t:
        t = html.unescape(t)
    if "<" in t:
        t = _TAG.sub(" ", t)
    low = t.lower()
    if "http" in low or "www." in low:
        t = _URL.sub(_link, t)
        low = t.lower()
    if "." in low:
        t = _BARE_URL.sub(_bare, low)
    # the comment's length in steps of 50 characters (6: 300 or more): long comments are
    # more often chain messages and schemes, short ones reactions
    t = f"{t} zzlen{min(len(t) // 50, 6)}"
    low = t.lower()
    return t + "".join(
        word for keys, pattern, word in _PROMO if any(k in low for k in keys) and pattern.search(t)
    )


# Phrases of self-promotion, each summarised by one word appended to the comment, so that the
# model learns the phrase once whatever its wording ("check out my", "check our"; "sub",
# "subscribe", "sub4sub"; "my new channel", "our video"; money words). Written after reading
# the misclassified comments of the leave-one-video-out folds (training/train_spam.py).
_PROMO = (
    (("check",), re.compile(r"\bcheck (?:it )?out\b|\bcheck (?:my|our)\b", re.I), " zzcheckout "),
    (
        ("sub",),
        re.compile(r"\b(?:sub|subs|subscribe|subscribers?|subbed|sub4sub)\b", re.I),
        " zzsubscribe ",
    ),
    (
        ("my ", "our "),
        re.compile(
            r"\b(?:my|our) (?:new )?(?:channel|video|vids?|page|music|song|cover|website|site|blog)\b",
            re.I,
        ),
        " zzmychannel ",
    ),
    (
        ("free", "money", "earn", "cash", "$", "paypal", "gift", "win"),
        re.compile(r"\b(?:free|money|earn|cash|\$\d+|paypal|gift ?card|win)\b", re.I),
        " zzmoney ",
    ),
)


def _identity(text: object) -> str:
    return text if isinstance(text, str) else ""


TEXT_REWRITES = {"none": _identity, "spam": spam_text}
"""Text rewrites a saved model may name (its ``rewrite`` setting), applied before featurising."""


@dataclass
class HashedLinear:
    """Named linear scorers over one hashed n-gram feature space.

    Parameters
    ----------
    features : FeatureConfig
        Which n-grams are hashed and into how many buckets.
    rewrite : str
        Key of :data:`TEXT_REWRITES`: the rewrite applied to each raw text first.
    coef : dict of str to ndarray
        Named weight matrices, each of shape ``(2**features.bits, n_outputs)``.
    intercept : dict of str to ndarray
        Matching intercepts, shape ``(n_outputs,)``.
    meta : dict
        JSON-serialisable settings (class names, thresholds, the model card's figures).
    """

    features: FeatureConfig
    rewrite: str
    coef: dict[str, np.ndarray]
    intercept: dict[str, np.ndarray]
    meta: dict

    def __post_init__(self) -> None:
        if self.rewrite not in TEXT_REWRITES:
            raise RippleError(f"unknown text rewrite {self.rewrite!r}")
        self._names = list(self.coef)
        widths = [self.coef[n].shape[1] for n in self._names]
        self._slices = {}
        a = 0
        for n, w in zip(self._names, widths, strict=True):
            self._slices[n] = slice(a, a + w)
            a += w
        self._W = np.ascontiguousarray(
            np.concatenate([self.coef[n] for n in self._names], axis=1), dtype=np.float32
        )
        self._b = np.concatenate([self.intercept[n] for n in self._names]).astype(np.float32)

    def texts(self, texts: Sequence[str]) -> list[str]:
        """The rewritten texts the features are computed from."""
        f = TEXT_REWRITES[self.rewrite]
        return [f(t) for t in texts]

    def features_of(self, texts: Sequence[str]):
        """Sparse feature rows (``scipy.sparse.csr_matrix``, shape (n, 2**bits)), for training."""
        return featurize(self.texts(texts), self.features)

    def scores(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Every scorer's decision values ``x @ coef[name] + intercept[name]``.

        Returns
        -------
        dict of str to ndarray of float64, each of shape (len(texts), n_outputs)
        """
        z = linear_scores(self.texts(texts), self.features, self._W, self._b)
        z = np.asarray(z, dtype=np.float64)
        return {n: z[:, s] for n, s in self._slices.items()}


def save_linear(path: str | Path, model: HashedLinear) -> None:
    """Write a :class:`HashedLinear` to one ``.npz`` file (no pickle).

    Only the hash buckets with a non-zero weight are stored (row numbers and float16
    weights), so a model trained on a few thousand texts stays small.
    """
    arrays = {}
    for name in model.coef:
        w = np.asarray(model.coef[name], dtype=np.float32)
        rows = np.flatnonzero(np.any(w != 0, axis=1)).astype(np.uint32)
        arrays[f"rows__{name}"] = rows
        arrays[f"coef__{name}"] = w[rows].astype(np.float16)
        arrays[f"width__{name}"] = np.array(w.shape[1])
        arrays[f"intercept__{name}"] = np.asarray(model.intercept[name], dtype=np.float32)
    header = {
        "features": model.features.to_dict(),
        "rewrite": model.rewrite,
        "names": list(model.coef),
        "meta": model.meta,
    }
    arrays["config"] = np.frombuffer(
        json.dumps(header, ensure_ascii=False).encode("utf-8"), dtype=np.uint8
    )
    with open(path, "wb") as fh:
        np.savez_compressed(fh, **arrays)


def load_linear(path: str | Path) -> HashedLinear:
    """Read a file written by :func:`save_linear`.

    Raises
    ------
    RippleError
        If the file is missing or not a saved model (the message names the file).
    """
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            config = json.loads(z["config"].tobytes().decode("utf-8"))
            cfg = FeatureConfig(**config["features"])
            coef, intercept = {}, {}
            for n in config["names"]:
                w = np.zeros((1 << cfg.bits, int(z[f"width__{n}"])), dtype=np.float32)
                w[z[f"rows__{n}"].astype(np.int64)] = z[f"coef__{n}"].astype(np.float32)
                coef[n] = w
                intercept[n] = z[f"intercept__{n}"].astype(np.float64)
            return HashedLinear(cfg, config["rewrite"], coef, intercept, config["meta"])
    except (OSError, KeyError, ValueError, TypeError, RippleError) as exc:
        raise RippleError(f"{path.name}: not a readable ripplemeter model ({exc})") from None


def rows_to_list(x: Sequence[str] | str) -> list[str]:
    """Accept one text or a sequence of texts; return a list."""
    return [x] if isinstance(x, str) else list(x)
