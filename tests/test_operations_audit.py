"""The seven-mistakes audit: near-duplicates (real posts with known edits) and each mistake's
score, threshold, verdict and findings on a small workspace computed by hand."""

from __future__ import annotations

import csv
import glob
import json
import os

import pytest

from ripplemeter.operations.minhash import jaccard, near_duplicates, normalise, shingles

# ------------------------------------------------------------------ near-duplicates


def _real_posts(real_data) -> tuple[list[str], list[str]]:
    """English tweets of the X export and Chinese Weibo originals (CED), with ids."""
    x = real_data(
        "platform_exports/x_twitter_analytics/debruine_30DCC-2022/"
        "tweet_activity_metrics_LisaDeBruine_20210801_20210901_en.csv"
    )
    with open(x, encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if len(r["Tweet text"]) > 80]
    ids = [f"x:{r['Tweet id']}" for r in rows[:40]]
    texts = [r["Tweet text"] for r in rows[:40]]
    ced = real_data("weibo_ced_repost_cascades/original-microblog")
    for p in sorted(glob.glob(os.path.join(ced, "*.json")))[:60]:
        with open(p, encoding="utf-8") as f:
            t = json.load(f)["text"]
        if len(t) > 40:
            ids.append("weibo:" + os.path.basename(p).split("_")[1])
            texts.append(t)
    return ids, texts


def _reorder(t: str) -> str:
    import re

    parts = [p for p in re.split(r"(?<=[.!?。！？])\s*", t) if p.strip()]
    return " ".join(parts[1:] + parts[:1]) if len(parts) > 1 else t


def _swap_tags(t: str) -> str:
    import re

    t = re.sub(r"#[^#\n]{1,40}#", "#另一话题#", t)
    t = re.sub(r"#[A-Za-z]\w*", "#Other", t, flags=re.ASCII)
    return t + " #NewTag"


def _emoji(t: str) -> str:
    return "🔥 " + t.replace(" ", " ✨ ", 2) + " 😀🎉"


def test_real_posts_with_known_edits_are_found(real_data):
    ids, texts = _real_posts(real_data)
    assert len(ids) > 50
    edited_ids, edited = [], []
    for i, t in zip(ids, texts, strict=True):
        for name, f in (("reorder", _reorder), ("tags", _swap_tags), ("emoji", _emoji)):
            edited_ids.append(f"{i}|{name}")
            edited.append(f(t))
    pairs = near_duplicates(edited_ids, edited, ids, texts, threshold=0.6)
    found = {(a, b) for a, b in zip(pairs["left_id"], pairs["right_id"], strict=True)}
    esh = [shingles(t) for t in edited]
    osh = [shingles(t) for t in texts]
    expected = {
        (e, e.split("|")[0])
        for e, sh in zip(edited_ids, esh, strict=True)
        if len(sh) >= 8 and len(osh[ids.index(e.split("|")[0])]) >= 8
    }
    assert len(expected) > 150
    # every edited copy finds its original
    missed = [e for e in expected if e not in found]
    assert not missed, missed[:5]
    # hashtag swaps and emoji change nothing at all after normalisation
    for e, t in zip(edited_ids, edited, strict=True):
        src = texts[ids.index(e.split("|")[0])]
        if e.endswith("|emoji") or e.endswith("|tags"):
            assert shingles(t) == shingles(src), e
    # the similarity reported is the exact Jaccard of the shingle sets (recomputed here)
    for a, b, s in zip(pairs["left_id"], pairs["right_id"], pairs["similarity"], strict=True):
        ta = edited[edited_ids.index(a)]
        tb = texts[ids.index(b)]
        sa, sb = shingles(ta), shingles(tb)
        assert s == pytest.approx(len(sa & sb) / len(sa | sb))
    # no false pairs between different real posts (checked by brute force over all pairs)
    wrong = [(a, b) for a, b in found if a.split("|")[0] != b]
    brute = {
        (e, j)
        for e, a in zip(edited_ids, esh, strict=True)
        for j, b in zip(ids, osh, strict=True)
        if j != e.split("|")[0] and len(a) >= 8 and len(b) >= 8 and jaccard(a, b) >= 0.6
    }
    assert set(wrong) == brute


def test_normalise_and_cjk_shingles():
    assert normalise("Hi @bob! See https://t.co/x #Sale 🎉") == "hi ! see"
    assert normalise("#双十一# 今天 上新") == "今天 上新"
    assert shingles("今天上新") == frozenset({"今天", "天上", "上新"})
    assert shingles("Hello world") == frozenset(
        {"hello", "ellow", "llowo", "lowor", "oworl", "world"}
    )
    # sentence order does not matter
    assert shingles("Buy now. Great deal!") == shingles("Great deal! Buy now.")
    assert jaccard(frozenset(), frozenset()) == 0.0


def test_near_duplicates_refuses_bad_threshold():
    with pytest.raises(ValueError, match="threshold"):
        near_duplicates([], [], [], [], threshold=0)
