"""Near-duplicate posts by MinHash LSH over character shingles (audit mistake 6: copying).

A post is normalised before it is cut into shingles, so that the edits a copier makes do not
hide the copy: NFKC and case folding; links, @mentions and hashtags removed (``#tag`` and
Weibo's ``#话题#`` alike, so swapping hashtags changes nothing); emoji, symbols and
punctuation other than sentence ends removed. The text is then cut into sentences (``. ! ?
。 ！ ？`` and line breaks) and each sentence into character shingles: 2 characters for
Chinese, Japanese and Korean (one CJK character carries about as much as a Latin word), 5
characters elsewhere, spaces removed inside Latin runs' shingles. Shingling sentence by
sentence makes the set blind to the order of sentences.

Candidates come from :class:`datasketch.MinHashLSH` (Broder 1997; Leskovec, Rajaraman and
Ullman, *Mining of Massive Datasets*, ch. 3); the similarity reported is the exact Jaccard
similarity of the two shingle sets, so a candidate the estimate let through is checked.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["jaccard", "near_duplicates", "normalise", "shingles"]

_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
_MENTION = re.compile(r"@[\w\-.]+")
_WEIBO_TAG = re.compile(r"#[^#\n]{1,40}#")
_TAG_LATIN = r"[0-9A-Za-z_\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]+"
_SENT = re.compile(r"[.!?。！？\n;；]+")
_CJK = (
    r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"
)
_TAG = re.compile(rf"#(?:{_TAG_LATIN}|[{_CJK}]+)")  # a tag stops where the script changes
_RUN = re.compile(rf"[{_CJK}]+|[^\s{_CJK}]+(?:\s+[^\s{_CJK}]+)*")

CJK_K = 2
"""Shingle length for Chinese, Japanese and Korean runs (characters)."""
OTHER_K = 5
"""Shingle length for other runs (characters, spaces removed)."""


def normalise(text: str | None) -> str:
    """The text a copier cannot hide behind: links, mentions, hashtags, emoji removed.

    Parameters
    ----------
    text : str or None

    Returns
    -------
    str
        NFKC, casefolded; links, ``@mentions``, ``#hashtags`` and ``#话题#`` removed; every
        character that is not a letter, a digit, a space or a sentence end dropped; white
        space collapsed.
    """
    if not isinstance(text, str):
        return ""
    t = unicodedata.normalize("NFKC", text).casefold()
    t = _URL.sub(" ", t)
    t = _MENTION.sub(" ", t)
    t = _WEIBO_TAG.sub(" ", t)
    t = _TAG.sub(" ", t)
    out = []
    for ch in t:
        cat = unicodedata.category(ch)
        if cat[0] in "LN" or ch in ".!?。！？\n;；":
            out.append(ch)
        else:
            out.append(" ")
    return re.sub(r"[ \t\r\f\v]+", " ", "".join(out)).strip()


def shingles(text: str | None) -> frozenset[str]:
    """Character shingles of a post, sentence by sentence (see the module notes).

    Returns
    -------
    frozenset of str
        Empty for an empty text; a run shorter than its shingle length is one shingle.
    """
    out: set[str] = set()
    for sent in _SENT.split(normalise(text)):
        for run in _RUN.findall(sent):
            cjk = bool(re.match(rf"[{_CJK}]", run))
            s = run if cjk else run.replace(" ", "")
            k = CJK_K if cjk else OTHER_K
            if not s:
                continue
            if len(s) <= k:
                out.add(s)
            else:
                out.update(s[i : i + k] for i in range(len(s) - k + 1))
    return frozenset(out)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity |a ∩ b| / |a ∪ b| (0 when both are empty)."""
    u = len(a | b)
    return len(a & b) / u if u else 0.0


def near_duplicates(
    left_ids: Sequence[str],
    left_texts: Sequence[str | None],
    right_ids: Sequence[str],
    right_texts: Sequence[str | None],
    *,
    threshold: float = 0.6,
    num_perm: int = 128,
    min_shingles: int = 8,
    seed: int = 1,
) -> pd.DataFrame:
    """Pairs of near-duplicate posts between two sets (e.g. owned and competitors' posts).

    Parameters
    ----------
    left_ids, left_texts : sequences of equal length
        The first set (owned posts).
    right_ids, right_texts : sequences of equal length
        The second set (competitors' posts), indexed in the LSH.
    threshold : float
        Least exact Jaccard similarity of the shingle sets reported (0-1). The LSH is built
        for 0.8 x ``threshold`` so that pairs near the threshold are not missed.
    num_perm : int
        MinHash permutations.
    min_shingles : int
        Posts with fewer shingles (a few words) are skipped: short texts match by chance.
    seed : int
        MinHash seed (results are reproducible).

    Returns
    -------
    DataFrame
        Columns ``left_id``, ``right_id``, ``similarity`` (exact Jaccard, float) and
        ``estimate`` (MinHash estimate); one row per pair at or above ``threshold``, most
        similar first.

    Raises
    ------
    ValueError
        ``threshold`` outside (0, 1] or sequences of unequal length.

    References
    ----------
    A. Z. Broder, "On the resemblance and containment of documents", 1997.
    """
    import pandas as pd
    from datasketch import MinHash, MinHashLSH

    if not 0 < threshold <= 1:
        raise ValueError(f"threshold: expected a share in (0, 1], found {threshold}")
    if len(left_ids) != len(left_texts) or len(right_ids) != len(right_texts):
        raise ValueError("ids and texts must have the same length")

    def mh(sh):
        m = MinHash(num_perm=num_perm, seed=seed)
        m.update_batch([s.encode("utf-8") for s in sh])
        return m

    lsh = MinHashLSH(threshold=max(0.05, 0.8 * threshold), num_perm=num_perm)
    rsh: dict[str, frozenset[str]] = {}
    rmh = {}
    for i, t in enumerate(right_texts):
        sh = shingles(t)
        if len(sh) < min_shingles:
            continue
        key = f"{i}"
        rsh[key] = sh
        rmh[key] = mh(sh)
        lsh.insert(key, rmh[key])
    rid_of = {f"{i}": r for i, r in enumerate(right_ids)}
    rows = []
    for lid, t in zip(left_ids, left_texts, strict=True):
        sh = shingles(t)
        if len(sh) < min_shingles:
            continue
        m = mh(sh)
        for key in lsh.query(m):
            sim = jaccard(sh, rsh[key])
            if sim >= threshold and lid != rid_of[key]:
                rows.append((lid, rid_of[key], sim, m.jaccard(rmh[key])))
    df = pd.DataFrame(rows, columns=["left_id", "right_id", "similarity", "estimate"])
    return df.sort_values(
        ["similarity", "left_id", "right_id"], ascending=[False, True, True]
    ).reset_index(drop=True)
