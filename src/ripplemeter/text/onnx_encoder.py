"""Run a fine-tuned BERT-style classifier exported to ONNX (onnxruntime + tokenizers, no torch).

One small reusable piece for every committed ONNX text model (the English accurate sentiment
tier first, ``models/sentiment-en-accurate.onnx``): the session is built once, texts are
tokenised by the model's own ``tokenizer.json`` (Hugging Face ``tokenizers``, WordPiece for
BERT), truncated to ``max_length`` tokens, grouped into batches of similar lengths (less
padding, so less work: the attention cost grows with the longest text of a batch; one text
per run by default, see ``batch_size``), run, and the logits returned in input order.

The ONNX graph takes ``input_ids``, ``attention_mask`` and ``token_type_ids`` (int64, shape
(batch, sequence), both axes dynamic) and returns ``logits`` (float32, (batch, n_classes)),
as ``torch.onnx.export`` writes a ``transformers`` sequence classifier (see
``training/train_sentiment_en_minilm.py``). Weights may be int8 (onnxruntime's dynamic
quantisation, ``quantize_dynamic``; onnxruntime documentation, "Quantize ONNX models").

Missing pieces raise :class:`~ripplemeter.text.sentiment.ModelUnavailable` in plain words:
the onnxruntime or tokenizers package, the model file, or the tokenizer file.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

__all__ = ["ONNXRUNTIME_REQUIREMENT", "TOKENIZERS_REQUIREMENT", "OnnxClassifier"]

ONNXRUNTIME_REQUIREMENT = "onnxruntime>=1.17"
TOKENIZERS_REQUIREMENT = "tokenizers>=0.15"


def _unavailable(message: str):
    from ripplemeter.text.sentiment import ModelUnavailable

    return ModelUnavailable(message)


class OnnxClassifier:
    """A text classifier in ONNX with its tokenizer; :meth:`logits` maps texts to logits.

    Parameters
    ----------
    model_path : str or Path
        The ``.onnx`` file (inputs ``input_ids``, ``attention_mask``, optionally
        ``token_type_ids``; output ``logits``).
    tokenizer_path : str or Path
        The Hugging Face ``tokenizer.json`` the model was trained with.
    max_length : int
        Longest input in tokens, [CLS] and [SEP] included; longer texts are truncated.
    threads : int
        onnxruntime's ``intra_op_num_threads`` (2 by default: the machine's cores).
    batch_size : int
        Texts per run of the session. 1 by default: with int8 weights onnxruntime quantises
        the activations per run (one scale for the whole batch, padding included), so in a
        larger batch a text's answer shifts a little with its neighbours (up to 0.02 in
        probability on tweets); one text per run gives each text one answer, at about 70% of
        the batched speed (English tweets: ~200 against ~280 docs/s).
    feature : str
        What needs the model, as error messages name it.

    Raises
    ------
    ModelUnavailable
        If onnxruntime or tokenizers is not installed, or either file is missing or unreadable.

    Examples
    --------
    >>> clf = OnnxClassifier("model.onnx", "tokenizer.json", max_length=64)  # doctest: +SKIP
    >>> clf.logits(["love it", "broken again"]).shape  # doctest: +SKIP
    (2, 3)
    """

    def __init__(
        self,
        model_path: str | Path,
        tokenizer_path: str | Path,
        max_length: int = 64,
        threads: int = 2,
        batch_size: int = 1,
        feature: str = "this model",
    ) -> None:
        model_path, tokenizer_path = Path(model_path), Path(tokenizer_path)
        try:
            import onnxruntime as ort
        except ImportError:
            raise _unavailable(
                f"{feature} needs the onnxruntime package, which is not installed: run  "
                f"pip install '{ONNXRUNTIME_REQUIREMENT}'  or use --tier fast (nothing was scored)"
            ) from None
        try:
            from tokenizers import Tokenizer
        except ImportError:
            raise _unavailable(
                f"{feature} needs the tokenizers package, which is not installed: run  "
                f"pip install '{TOKENIZERS_REQUIREMENT}'  or use --tier fast (nothing was scored)"
            ) from None
        for p, what in ((model_path, "model"), (tokenizer_path, "tokenizer")):
            if not p.is_file():
                raise _unavailable(
                    f"{feature}: its {what} file is missing: {p} (reinstall ripplemeter or use "
                    "--tier fast; nothing was scored)"
                )
        try:
            tok = Tokenizer.from_file(str(tokenizer_path))
        except Exception as exc:  # tokenizers raises its own Exception type
            raise _unavailable(
                f"{feature}: {tokenizer_path} is not a readable tokenizer.json ({exc})"
            ) from None
        tok.enable_truncation(max_length=max_length)
        tok.no_padding()
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = int(threads)
        opts.inter_op_num_threads = 1
        # idle threads sleep instead of spinning: with another busy process on the machine,
        # spinning threads fight it for the cores (measured on 2,000 tweets, two threads,
        # beside a training job: 208 docs/s spinning, 413 not; one thread: 249 and 254)
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            sess = ort.InferenceSession(
                str(model_path), sess_options=opts, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own Fail/InvalidGraph types
            raise _unavailable(
                f"{feature}: {model_path} is not a readable ONNX model ({exc})"
            ) from None
        self.tokenizer = tok
        self.session = sess
        self.max_length = int(max_length)
        self.batch_size = int(batch_size)
        self.input_names = {i.name for i in sess.get_inputs()}
        self._lock = threading.Lock()

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each text ([CLS] ... [SEP]), truncated to ``max_length``."""
        return [e.ids for e in self.tokenizer.encode_batch([str(t) for t in texts])]

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """The model's logits for each text, in input order.

        Parameters
        ----------
        texts : sequence of str

        Returns
        -------
        ndarray of float64, shape (len(texts), n_classes)
        """
        texts = list(texts)
        n_out = self.session.get_outputs()[0].shape[-1]
        n_out = n_out if isinstance(n_out, int) else None
        if not texts:
            return np.zeros((0, n_out or 0))
        ids = self.token_ids(texts)
        order = np.argsort([len(i) for i in ids], kind="stable")
        out: np.ndarray | None = None
        for s in range(0, len(order), self.batch_size):
            idx = order[s : s + self.batch_size]
            width = max(len(ids[i]) for i in idx)
            a = np.zeros((len(idx), width), dtype=np.int64)
            m = np.zeros((len(idx), width), dtype=np.int64)
            for r, i in enumerate(idx):
                a[r, : len(ids[i])] = ids[i]
                m[r, : len(ids[i])] = 1
            feed = {"input_ids": a, "attention_mask": m}
            if "token_type_ids" in self.input_names:
                feed["token_type_ids"] = np.zeros_like(a)
            with self._lock:  # one run at a time: the session already uses the cores
                z = self.session.run(["logits"], feed)[0]
            if out is None:
                out = np.zeros((len(texts), z.shape[1]), dtype=np.float64)
            out[idx] = z
        return out
