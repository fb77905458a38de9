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

Examples
--------
>>> m = HostilityModel.load("en")
>>> m.predict(["you are a pathetic idiot, shut up", "Sorry, we cannot refund this order."])
['hostile', 'ok']
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ripplemeter.errors import RippleError
from ripplemeter.text.features import FeatureConfig, featurize
from ripplemeter.text.ngram_linear import HashedLinear, load_linear, rows_to_list, save_linear

__all__ = ["CLASSES", "LANGUAGES", "HostilityModel", "HostilityUnavailable"]

CLASSES: tuple[str, str] = ("hostile", "ok")
"""The labels, in the column order of :meth:`HostilityModel.predict_proba`."""

LANGUAGES: tuple[str, ...] = ("en", "zh", "ko")

_CACHE: dict[str, HostilityModel] = {}
_LOCK = threading.Lock()


class HostilityUnavailable(RippleError):
    """No shipped hostility model for this language."""


def model_file(lang: str) -> Path:
    """Path of the shipped weights for ``lang`` (``models/hostility-<lang>.npz``)."""
    return Path(str(resources.files("ripplemeter.text") / "models" / f"hostility-{lang}.npz"))


class HostilityModel:
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

    classes_: tuple[str, str] = CLASSES

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
    def load(cls, lang: str) -> HostilityModel:
        """The shipped model for a language (read once, then cached).

        Raises
        ------
        HostilityUnavailable
            If ``lang`` is not one of ``en``, ``zh``, ``ko`` or its weights are missing.
        """
        if lang not in LANGUAGES:
            raise HostilityUnavailable(
                f"no hostility model for the language {lang!r}: choose {', '.join(LANGUAGES)}"
            )
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
