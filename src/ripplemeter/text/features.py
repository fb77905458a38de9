"""Hashed n-gram features for the fast text models (one definition for training and run time).

A text goes through :func:`prepare` (cheap string rules in Python: apostrophes, NFKC,
case-folding, links, mentions, Korean laughter) and then through a numba kernel that

1. drops emoji variation selectors and zero-width characters, cuts any non-digit character
   repeated three times or more to two, and splits the text into tokens: runs of word
   characters (letters, digits, ``_``, ``'``, ``@``, ``#``), each punctuation mark or emoji
   as its own token;
2. hashes word unigrams and bigrams (optional) and character n-grams (over the tokens joined by one space and padded with spaces, or over
   the tokens joined without spaces for Chinese and Korean, so that spacing does not matter);
3. counts words (English) or characters (Chinese) inside a negation's scope with their sign
   flipped (see :class:`FeatureConfig`), so that a negated word pushes the other way;
4. keeps each distinct feature once (presence, not counts), maps it to one of ``2**bits``
   buckets with a sign (signed feature hashing), and divides by the square root of the number
   of distinct features, so that a text repeated ten times gets (nearly) the same vector as
   the text once.

References
----------
Weinberger, Dasgupta, Langford, Smola, Attenberg. "Feature Hashing for Large Scale Multitask
Learning." ICML 2009 (signed hashing).
Pang, Lee, Vaithyanathan. "Thumbs up? Sentiment Classification using Machine Learning
Techniques." EMNLP 2002 (presence features, negation scope to the next punctuation).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numba as nb
import numpy as np

__all__ = ["FeatureConfig", "featurize", "linear_scores", "prepare", "tokens"]


@dataclass(frozen=True)
class FeatureConfig:
    """Which features a model uses; stored beside its weights.

    Parameters
    ----------
    bits : int
        ``2**bits`` hash buckets.
    char_min, char_max : int
        Character n-gram lengths (inclusive); ``char_max = 0`` turns them off.
    char_nospace : bool
        Character n-grams over the tokens joined without spaces (Chinese, Korean).
    word_ngrams : int
        0 (none), 1 (unigrams) or 2 (unigrams and bigrams).
    emoji_emoticons : bool
        Follow each common emoji of clear polarity with the emoticon that says the same
        (😍 -> ``:) <3``, 😡 -> ``>:(``; see :func:`ripplemeter.text.normalize.emoji_to_emoticons`),
        for a model trained on text with emoticons but no emoji (English tweets).
    negation : int
        0: none. 1 (English): the words inside a negation's scope (the three words after
        ``not``, ``no``, ``never``, ``...n't``, fewer at a punctuation mark), and the
        character n-grams lying wholly inside that scope, count with their sign flipped,
        so ``never disappointed`` leans the opposite way of ``disappointed``.
        2 (Chinese): the character n-grams of the three characters after 不/别, or the four
        after 没/沒, up to punctuation, are counted with their sign flipped (不难用: 难用 is
        negated; 没有问题: 有问题 is).
    """

    bits: int = 20
    char_min: int = 2
    char_max: int = 5
    char_nospace: bool = False
    word_ngrams: int = 2
    negation: int = 0
    emoji_emoticons: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


def prepare(text: str) -> str:
    """The string rules applied before tokenising (see :mod:`ripplemeter.text.normalize`)."""
    from ripplemeter.text.normalize import _prepare

    return _prepare(text)


# --------------------------------------------------------------------------------------------
# character classes: 0 space, 1 word, 2 symbol (own token), 3 dropped


def _class_table() -> np.ndarray:
    tab = np.full(0x10000, 2, dtype=np.uint8)
    for i in range(0x10000):
        ch = chr(i)
        if ch.isspace() or unicodedata.category(ch) in ("Cc", "Zs", "Zl", "Zp"):
            tab[i] = 0
        elif ch.isalnum() or ch in "_'@#" or unicodedata.category(ch) in ("Mn", "Mc"):
            tab[i] = 1
    for i in (0xFE0E, 0xFE0F, 0x200B, 0x200C, 0x2060, 0xFEFF):
        tab[i] = 3
    tab[0x200D] = 0
    return tab


_CLASSES: np.ndarray | None = None


def _classes() -> np.ndarray:
    global _CLASSES
    if _CLASSES is None:
        _CLASSES = _class_table()
    return _CLASSES


@nb.njit(cache=True, inline="always")
def _cls(c: np.uint32, tab: np.ndarray) -> int:
    if c < 0x10000:
        return tab[c]
    if 0x1F3FB <= c <= 0x1F3FF:  # skin-tone modifiers
        return 3
    if 0x20000 <= c <= 0x3FFFF:  # CJK extension ideographs
        return 1
    if 0xE0000 <= c <= 0xE007F:  # tags
        return 3
    return 2


@nb.njit(cache=True)
def _tokenize(cp, s, e, tab, buf, tok_s, tok_e):
    """Collapse repeats and split cp[s:e] into tokens written to buf; returns (n_tokens, n_chars)."""
    n = 0  # chars written to buf
    nt = 0
    in_word = False
    p1 = np.uint32(0)  # the last two characters kept (spaces included)
    p2 = np.uint32(0)
    for i in range(s, e):
        c = cp[i]
        k = _cls(c, tab)
        if k == 3:
            continue
        if c == p1 and c == p2 and not (48 <= c <= 57):
            continue  # a third repeat of the same character in a row
        p2 = p1
        p1 = c
        if k == 1:
            if not in_word:
                tok_s[nt] = n
                in_word = True
            buf[n] = c
            n += 1
        else:
            if in_word:
                tok_e[nt] = n
                nt += 1
                in_word = False
            if k == 2:
                tok_s[nt] = n
                buf[n] = c
                n += 1
                tok_e[nt] = n
                nt += 1
    if in_word:
        tok_e[nt] = n
        nt += 1
    # trim apostrophes at both ends of word tokens; drop tokens left empty
    m = 0
    for t in range(nt):
        a = tok_s[t]
        b = tok_e[t]
        while a < b and buf[a] == 39:
            a += 1
        while b > a and buf[b - 1] == 39:
            b -= 1
        if b > a:
            tok_s[m] = a
            tok_e[m] = b
            m += 1
    return m, n


_OFF = np.uint64(0xCBF29CE484222325)
_PRIME = np.uint64(0x100000001B3)


@nb.njit(cache=True, inline="always")
def _fnv(arr, a, b, seed):
    h = _OFF ^ seed
    for i in range(a, b):
        h = (h ^ np.uint64(arr[i])) * _PRIME
    return h


@nb.njit(cache=True, inline="always")
def _mix(h):
    h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


@nb.njit(cache=True, inline="always")
def _is_negator(buf, a, b, neg_hashes):
    # "...n't" and the listed words
    if b - a >= 3 and buf[b - 1] == 116 and buf[b - 2] == 39 and buf[b - 3] == 110:
        return True
    h = _fnv(buf, a, b, np.uint64(0))
    for j in range(neg_hashes.shape[0]):
        if neg_hashes[j] == h:
            return True
    return False


@nb.njit(cache=True, inline="always")
def _ends_scope(c):
    # . , ! ? ; : and their CJK forms end a negation's scope
    return (
        c == 46 or c == 44 or c == 33 or c == 63 or c == 59 or c == 58 or c == 0x3002 or c == 0xFF0C
    )


_NEG_WORDS = 3  # an English negation's scope: at most this many words
_NOFLIP = ~np.uint64(1)
_FLIP = np.uint64(1)


@nb.njit(cache=True, inline="always")
def _is_cjk_negator(c):
    return c == 0x4E0D or c == 0x6CA1 or c == 0x6C92 or c == 0x522B  # 不 没 沒 别


@nb.njit(cache=True)
def _doc_hashes(
    buf,
    nt,
    tok_s,
    tok_e,
    tflag,
    seq,
    scope,
    out,
    cmin,
    cmax,
    nospace,
    word_ngrams,
    negation,
    neg_hashes,
):
    """All feature values of one tokenised document, written to out; returns their count.

    A value is a 64-bit hash whose lowest bit says whether the feature is counted flipped
    (inside a negation's scope)."""
    k = 0
    prev = np.uint64(0)
    in_neg = False
    left = 0
    for t in range(nt):
        a = tok_s[t]
        b = tok_e[t]
        h = _fnv(buf, a, b, np.uint64(0))
        if negation == 1 and b - a == 1 and _ends_scope(buf[a]):
            in_neg = False
        if in_neg:
            left -= 1
            if left < 0:
                in_neg = False
        tflag[t] = 1 if in_neg else 0
        if word_ngrams >= 1:
            v = _mix(h ^ np.uint64(0x1111))
            out[k] = (v | _FLIP) if in_neg else (v & _NOFLIP)
            k += 1
            if word_ngrams >= 2:
                if t == 0:
                    v = _mix(h * np.uint64(31) ^ np.uint64(0x2222))
                else:
                    v = _mix(prev * np.uint64(0x9E3779B97F4A7C15) + h ^ np.uint64(0x2222))
                out[k] = v & _NOFLIP
                k += 1
        if negation == 1 and _is_negator(buf, a, b, neg_hashes):
            in_neg = True
            left = _NEG_WORDS
        prev = h
    if cmax > 0:
        # the characters, and the negation scope holding each (0: none)
        m = 0
        sid = 0
        if not nospace:
            seq[m] = 32
            scope[m] = 0
            m += 1
        for t in range(nt):
            cur = 0
            if negation == 1 and tflag[t] == 1:
                if t == 0 or tflag[t - 1] == 0:
                    sid += 1
                cur = sid
            for i in range(tok_s[t], tok_e[t]):
                seq[m] = buf[i]
                scope[m] = cur
                m += 1
            if not nospace:
                seq[m] = 32
                # the space between two negated words belongs to their scope
                scope[m] = cur if (t + 1 < nt and tflag[t + 1] == 1 and cur != 0) else 0
                m += 1
        if negation == 2:
            i = 0
            while i < m:
                if _is_cjk_negator(seq[i]):
                    sid += 1
                    j = i + 1
                    # 不/别 + three characters; 没/沒 + four (没有问题: 有问题 is negated)
                    end = min(j + (3 if seq[i] == 0x4E0D or seq[i] == 0x522B else 4), m)
                    p = j
                    while p < end and not _ends_scope(seq[p]) and not _is_cjk_negator(seq[p]):
                        scope[p] = sid
                        p += 1
                    i = p
                else:
                    i += 1
        # one FNV pass from each start position; the n-gram of length n is the running hash
        # after n characters, salted with n
        for i in range(0, m):
            h = _OFF
            for n in range(1, cmax + 1):
                if i + n > m:
                    break
                h = (h ^ np.uint64(seq[i + n - 1])) * _PRIME
                if n < cmin or (n == 1 and seq[i] == 32):
                    continue
                v = _mix(h ^ np.uint64(0x4444 + n))
                if scope[i] != 0 and scope[i] == scope[i + n - 1]:
                    out[k] = v | _FLIP
                else:
                    out[k] = v & _NOFLIP
                k += 1
    return k


@nb.njit(cache=True)
def _unique(h, k, table):
    """Keep the distinct values of h[:k] (first occurrences, in order) using an open-addressing
    set ``table`` (zeros; power-of-two size > 2k), which is left as zeros again."""
    size = table.shape[0]
    tmask = np.uint64(size - 1)
    m = 0
    for i in range(k):
        v = h[i] | np.uint64(0x8000000000000000)  # never 0 (0 marks an empty slot)
        j = (v >> np.uint64(20)) & tmask
        while True:
            t = table[j]
            if t == 0:
                table[j] = v
                h[m] = h[i]
                m += 1
                break
            if t == v:
                break
            j = (j + np.uint64(1)) & tmask
    for i in range(m):  # clear the slots used
        v = h[i] | np.uint64(0x8000000000000000)
        j = (v >> np.uint64(20)) & tmask
        while table[j] != 0:
            table[j] = 0
            j = (j + np.uint64(1)) & tmask
    return m


@nb.njit(cache=True)
def _csr_kernel(cp, offsets, tab, cmin, cmax, nospace, word_ngrams, negation, neg_hashes, bits):
    n_docs = offsets.shape[0] - 1
    maxlen = 1
    total = 0
    for d in range(n_docs):
        L = offsets[d + 1] - offsets[d]
        maxlen = max(maxlen, L)
        total += L
    per_char = (cmax - cmin + 1 if cmax > 0 else 0) + word_ngrams + 1
    buf = np.empty(maxlen + 1, np.uint32)
    seq = np.empty(2 * maxlen + 2, np.uint32)
    scope = np.zeros(2 * maxlen + 2, np.int32)
    tflag = np.zeros(maxlen + 1, np.int32)
    tok_s = np.empty(maxlen + 1, np.int64)
    tok_e = np.empty(maxlen + 1, np.int64)
    hb = np.empty(per_char * (2 * maxlen + 2) + 8, np.uint64)
    size = 16
    while size < 2 * hb.shape[0]:
        size *= 2
    table = np.zeros(size, np.uint64)
    cap = per_char * (total + 2 * n_docs) + 8
    indices = np.empty(cap, np.int32)
    data = np.empty(cap, np.float32)
    indptr = np.zeros(n_docs + 1, np.int64)
    mask = np.uint64((1 << bits) - 1)
    p = 0
    for d in range(n_docs):
        nt, _ = _tokenize(cp, offsets[d], offsets[d + 1], tab, buf, tok_s, tok_e)
        k = _doc_hashes(
            buf,
            nt,
            tok_s,
            tok_e,
            tflag,
            seq,
            scope,
            hb,
            cmin,
            cmax,
            nospace,
            word_ngrams,
            negation,
            neg_hashes,
        )
        k = _unique(hb, k, table)
        if k > 0:
            w = np.float32(1.0 / np.sqrt(k))
            for j in range(k):
                h = hb[j]
                indices[p] = np.int32((h >> np.uint64(1)) & mask)
                neg = ((h >> np.uint64(63)) ^ (h & np.uint64(1))) != 0
                data[p] = -w if neg else w
                p += 1
        indptr[d + 1] = p
    return indptr, indices[:p].copy(), data[:p].copy()


@nb.njit(cache=True)
def _score_kernel(
    cp, offsets, tab, cmin, cmax, nospace, word_ngrams, negation, neg_hashes, bits, W, b
):
    n_docs = offsets.shape[0] - 1
    n_cls = W.shape[1]
    maxlen = 1
    for d in range(n_docs):
        maxlen = max(maxlen, offsets[d + 1] - offsets[d])
    per_char = (cmax - cmin + 1 if cmax > 0 else 0) + word_ngrams + 1
    buf = np.empty(maxlen + 1, np.uint32)
    seq = np.empty(2 * maxlen + 2, np.uint32)
    scope = np.zeros(2 * maxlen + 2, np.int32)
    tflag = np.zeros(maxlen + 1, np.int32)
    tok_s = np.empty(maxlen + 1, np.int64)
    tok_e = np.empty(maxlen + 1, np.int64)
    hb = np.empty(per_char * (2 * maxlen + 2) + 8, np.uint64)
    size = 16
    while size < 2 * hb.shape[0]:
        size *= 2
    table = np.zeros(size, np.uint64)
    out = np.empty((n_docs, n_cls), np.float32)
    acc = np.empty(n_cls, np.float32)
    mask = np.uint64((1 << bits) - 1)
    for d in range(n_docs):
        nt, _ = _tokenize(cp, offsets[d], offsets[d + 1], tab, buf, tok_s, tok_e)
        k = _doc_hashes(
            buf,
            nt,
            tok_s,
            tok_e,
            tflag,
            seq,
            scope,
            hb,
            cmin,
            cmax,
            nospace,
            word_ngrams,
            negation,
            neg_hashes,
        )
        k = _unique(hb, k, table)
        for c in range(n_cls):
            acc[c] = 0.0
        if k > 0:
            for j in range(k):
                h = hb[j]
                row = np.int64((h >> np.uint64(1)) & mask)
                if ((h >> np.uint64(63)) ^ (h & np.uint64(1))) == 0:
                    for c in range(n_cls):
                        acc[c] += W[row, c]
                else:
                    for c in range(n_cls):
                        acc[c] -= W[row, c]
            w = np.float32(1.0 / np.sqrt(k))
            for c in range(n_cls):
                acc[c] *= w
        for c in range(n_cls):
            out[d, c] = acc[c] + b[c]
    return out


@nb.njit(cache=True)
def _tokens_kernel(cp, offsets, tab):
    n_docs = offsets.shape[0] - 1
    total = offsets[n_docs]
    out = np.empty(2 * total + n_docs + 1, np.uint32)
    out_off = np.zeros(n_docs + 1, np.int64)
    maxlen = 1
    for d in range(n_docs):
        maxlen = max(maxlen, offsets[d + 1] - offsets[d])
    buf = np.empty(maxlen + 1, np.uint32)
    tok_s = np.empty(maxlen + 1, np.int64)
    tok_e = np.empty(maxlen + 1, np.int64)
    p = 0
    for d in range(n_docs):
        nt, _ = _tokenize(cp, offsets[d], offsets[d + 1], tab, buf, tok_s, tok_e)
        for t in range(nt):
            if t > 0:
                out[p] = 32
                p += 1
            for i in range(tok_s[t], tok_e[t]):
                out[p] = buf[i]
                p += 1
        out_off[d + 1] = p
    return out[:p].copy(), out_off


# --------------------------------------------------------------------------------------------

_NEGATORS = (
    "not no never nothing nobody none nowhere neither nor without cannot cant dont doesnt "
    "didnt isnt wasnt arent werent wont wouldnt shouldnt couldnt hasnt havent hadnt aint "
    "hardly barely lack lacks"
).split()


def _neg_hashes() -> np.ndarray:
    vals = []
    for w in _NEGATORS:
        h = 0xCBF29CE484222325
        for ch in w:
            h = ((h ^ ord(ch)) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
        vals.append(h)
    return np.array(vals, dtype=np.uint64)


_NEG = _neg_hashes()


def _encode(texts: Sequence[str], emoticons: bool = False) -> tuple[np.ndarray, np.ndarray]:
    from ripplemeter.text.normalize import _prepare, emoji_to_emoticons

    prepped = [_prepare(t) if isinstance(t, str) else "" for t in texts]
    if emoticons:
        prepped = [t if t.isascii() else emoji_to_emoticons(t) for t in prepped]
    lens = np.fromiter((len(t) for t in prepped), dtype=np.int64, count=len(prepped))
    offsets = np.zeros(len(prepped) + 1, dtype=np.int64)
    np.cumsum(lens, out=offsets[1:])
    joined = "".join(prepped)
    cp = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return cp, offsets


def _args(cfg: FeatureConfig) -> tuple:
    return (
        cfg.char_min,
        cfg.char_max,
        cfg.char_nospace,
        cfg.word_ngrams,
        cfg.negation,
        _NEG,
        cfg.bits,
    )


def featurize(texts: Sequence[str], cfg: FeatureConfig):
    """Sparse feature matrix of texts (for training and inspection).

    Parameters
    ----------
    texts : sequence of str
        Raw texts; ``None``/NaN count as empty.
    cfg : FeatureConfig

    Returns
    -------
    scipy.sparse.csr_matrix, shape (len(texts), 2**cfg.bits), float32
        Each row has unit L2 norm up to hash collisions (an empty text is an all-zero row).
    """
    import scipy.sparse as sp

    cp, offsets = _encode(texts, cfg.emoji_emoticons)
    indptr, indices, data = _csr_kernel(cp, offsets, _classes(), *_args(cfg))
    m = sp.csr_matrix((data, indices, indptr), shape=(len(offsets) - 1, 1 << cfg.bits))
    m.sum_duplicates()
    return m


def linear_scores(
    texts: Sequence[str], cfg: FeatureConfig, W: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """Decision values ``X @ W + b`` without building X.

    Parameters
    ----------
    texts : sequence of str
    cfg : FeatureConfig
    W : ndarray of float32, shape (2**cfg.bits, n_outputs)
    b : ndarray of float32, shape (n_outputs,)

    Returns
    -------
    ndarray of float32, shape (len(texts), n_outputs)
    """
    cp, offsets = _encode(texts, cfg.emoji_emoticons)
    return _score_kernel(cp, offsets, _classes(), *_args(cfg), W, b)


def tokens(texts: Sequence[str]) -> list[str]:
    """The normalised token stream of each text, tokens joined by one space (for display/tests)."""
    cp, offsets = _encode(texts)
    out, off = _tokens_kernel(cp, offsets, _classes())
    s = out.astype(np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
    # offsets are in code points; utf-32 decoding keeps one char per code point
    return [s[off[i] : off[i + 1]] for i in range(len(off) - 1)]
