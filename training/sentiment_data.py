"""Loading, de-duplication and seeded splits of the sentiment data sets (numpy only).

Shared by the training scripts, ``benchmarks/bench_sentiment.py`` and the tests that re-score
held-out samples with the committed weights, so that all three see exactly the same split.
Read each data set's PROVENANCE.md in ../shared/data for the quirks handled here.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from pathlib import Path

import numpy as np

from ripplemeter.datasets import data_path

SEED = 20240601
EN_LABELS = ("negative", "neutral", "positive")

# ------------------------------------------------------------------------------ English
_ESC = re.compile(r"\\u([0-9a-fA-F]{4})")
_MENTION = re.compile(r"@\w+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_NONALNUM = re.compile(r"[^0-9a-z]+")


def _unescape(text: str) -> str:
    return _ESC.sub(lambda m: chr(int(m.group(1), 16)), text)


def en_pool(get=data_path) -> tuple[list[str], list[str]]:
    """The SemEval 2013-2016 pool: one row per tweet id, ``\\uXXXX`` escapes decoded."""
    folder = get("semeval2017_task4a_english")
    seen: dict[str, tuple[str, str]] = {}
    for f in sorted(Path(folder).glob("twitter-*-A.tsv")):
        for line in f.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) < 3:
                continue
            seen.setdefault(parts[0], (_unescape(parts[2]), parts[1]))
    return [t for t, _ in seen.values()], [y for _, y in seen.values()]


def en_val(get=data_path) -> tuple[list[str], list[str]]:
    """TweetEval sentiment val: 2,000 raw tweets and their labels."""
    folder = Path(get("tweeteval_sentiment"))
    texts = (folder / "val_text.txt").read_text(encoding="utf-8").split("\n")[:2000]
    y = (folder / "val_labels.txt").read_text(encoding="utf-8").split()
    return texts, [EN_LABELS[int(v)] for v in y]


def near_duplicate_key(text: str) -> str:
    """Lower case, escapes decoded, links, mentions, entities and all but [a-z0-9] removed."""
    t = _unescape(text).lower()
    t = _URL.sub(" ", t)
    t = _MENTION.sub(" ", t)
    t = t.replace("&amp;", "&").replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">")
    return _NONALNUM.sub("", t)


# ------------------------------------------------------------------------------ Chinese
ZH_SETS = ("chnsenticorp", "waimai", "online_shopping")


def _read_zh(text: str, has_cat: bool) -> list[tuple[str, str]]:
    rows = []
    for rec in csv.DictReader(io.StringIO(text)):
        if has_cat and rec["cat"] == "酒店":  # repeats most of ChnSentiCorp
            continue
        review = (rec["review"] or "").replace("\ufeff", "").strip()
        if review:
            rows.append((review, "positive" if rec["label"] == "1" else "negative"))
    return rows


def zh_sets(get=data_path) -> tuple[dict[str, list[tuple[str, str]]], dict]:
    """The three Chinese sets, exact duplicates removed across and within them.

    A text (spaces collapsed) is kept once, in the first set that has it (ChnSentiCorp,
    waimai, online_shopping), and dropped altogether when its copies disagree on the label.
    """
    raw = {
        "chnsenticorp": _read_zh(
            Path(get("chnsenticorp_htl_all/ChnSentiCorp_htl_all.train80.csv")).read_text(
                encoding="utf-8"
            ),
            False,
        ),
        "waimai": _read_zh(
            Path(get("waimai_10k/waimai_10k.train80.csv")).read_text(encoding="utf-8"), False
        ),
        "online_shopping": _read_zh(
            gzip.decompress(
                Path(
                    get("online_shopping_10_cats/online_shopping_10_cats.train80.csv.gz")
                ).read_bytes()
            ).decode("utf-8"),
            True,
        ),
    }
    labels: dict[str, set[str]] = {}
    for rows in raw.values():
        for text, y in rows:
            labels.setdefault(" ".join(text.split()), set()).add(y)
    taken: set[str] = set()
    out, stats = {}, {}
    for name, rows in raw.items():
        kept = []
        for text, y in rows:
            k = " ".join(text.split())
            if len(labels[k]) > 1 or k in taken:
                continue
            taken.add(k)
            kept.append((text, y))
        stats[name] = {"rows": len(rows), "kept": len(kept), "removed": len(rows) - len(kept)}
        out[name] = kept
    stats["conflicting_label_texts"] = sum(len(v) > 1 for v in labels.values())
    return out, stats


def stratified_split(labels, frac: float, seed: int = SEED) -> np.ndarray:
    """Boolean mask: True for the held-out ``frac`` of each label (seeded, order-independent
    of other labels)."""
    y = np.asarray(labels)
    mask = np.zeros(len(y), dtype=bool)
    rng = np.random.default_rng(seed)
    for lab in sorted(set(y.tolist())):
        idx = np.flatnonzero(y == lab)
        idx = idx[rng.permutation(len(idx))]
        mask[idx[: int(round(frac * len(idx)))]] = True
    return mask


def zh_split(get=data_path):
    """``(train_rows, held_out_by_set, stats)``: each set split 80/20 by label, seeded.

    Training rows are ``(text, label, set_name)``; held-out rows ``(text, label)``."""
    sets, stats = zh_sets(get)
    train, held = [], {}
    for name in ZH_SETS:
        rows = sets[name]
        mask = stratified_split([y for _, y in rows], 0.2)
        held[name] = [r for r, m in zip(rows, mask, strict=True) if m]
        train += [(t, y, name) for (t, y), m in zip(rows, mask, strict=True) if not m]
        stats[name]["train"] = len(rows) - int(mask.sum())
        stats[name]["held_out"] = int(mask.sum())
    return train, held, stats


# ------------------------------------------------------------------------------ Korean
def ko_label(rating: int) -> str | None:
    """NSMC's rule: 1-4 negative, 9-10 positive; 5-6 neutral (band only); 7-8 unused."""
    if 1 <= rating <= 4:
        return "negative"
    if rating in (5, 6):
        return "neutral"
    if rating in (9, 10):
        return "positive"
    return None


def ko_rows(get=data_path) -> tuple[list[tuple[str, str, str]], dict]:
    """(text, label, movie_id) of reviews under 140 characters; exact duplicates kept once."""
    rows = []
    for f in sorted(Path(get("nsmc_raw_movie_reviews_sample/raw")).glob("*.json")):
        for r in json.loads(f.read_text(encoding="utf-8")):
            text = (r.get("review") or "").strip()
            lab = ko_label(int(r["rating"]))
            if text and lab and len(text) < 140:
                rows.append((text, lab, r["movie_id"]))
    by_text: dict[str, set[str]] = {}
    for t, lab, _ in rows:
        by_text.setdefault(t, set()).add(lab)
    seen, out = set(), []
    for t, lab, mid in rows:
        if len(by_text[t]) > 1 or t in seen:
            continue
        seen.add(t)
        out.append((t, lab, mid))
    stats = {
        "reviews_used": len(rows),
        "duplicates_removed": len(rows) - len(out),
        "conflicting_texts": sum(len(v) > 1 for v in by_text.values()),
    }
    return out, stats


def ko_split(get=data_path):
    """``({"train","calib","test"}: rows, stats)``: 70/10/20% of the movies, seeded."""
    rows, stats = ko_rows(get)
    movies = sorted({m for _, _, m in rows})
    order = np.random.default_rng(SEED).permutation(len(movies))
    n = len(movies)
    part = {}
    for rank, i in enumerate(order):
        part[movies[i]] = "train" if rank < 0.7 * n else ("calib" if rank < 0.8 * n else "test")
    split = {k: [r for r in rows if part[r[2]] == k] for k in ("train", "calib", "test")}
    for k, v in split.items():
        stats[f"{k}_movies"] = sum(1 for m in part.values() if m == k)
        stats[f"{k}_reviews"] = {
            lab: sum(r[1] == lab for r in v) for lab in ("negative", "neutral", "positive")
        }
    return split, stats


# ------------------------------------------------------------------------------ helpers
MODELS = Path(__file__).resolve().parents[1] / "src" / "ripplemeter" / "text" / "models"


def speed(fn, texts: list[str], repeat: int = 3) -> dict:
    """Documents per second of ``fn(texts)``, best of ``repeat`` (after one warm-up call):
    by the wall clock and by the process's CPU time (steadier on a shared machine)."""
    import time

    fn(texts[:100])
    wall = cpu = float("inf")
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn(texts)
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    return {"wall_clock": round(len(texts) / wall), "cpu_time": round(len(texts) / cpu)}


def ko_star_rows(get=data_path) -> tuple[list[tuple[str, int, str]], dict]:
    """(text, stars 1-10, movie_id) of every review under 140 characters, all ratings.

    For the all-stars Korean model (version 3): the same reviews as :func:`ko_rows` plus the
    7-8 star ones. Exact duplicate texts are kept once; a text whose copies carry different
    star ratings is dropped."""
    rows = []
    for f in sorted(Path(get("nsmc_raw_movie_reviews_sample/raw")).glob("*.json")):
        for r in json.loads(f.read_text(encoding="utf-8")):
            text = (r.get("review") or "").strip()
            stars = int(r["rating"])
            if text and 1 <= stars <= 10 and len(text) < 140:
                rows.append((text, stars, r["movie_id"]))
    by_text: dict[str, set[int]] = {}
    for t, s, _ in rows:
        by_text.setdefault(t, set()).add(s)
    seen, out = set(), []
    for t, s, mid in rows:
        if len(by_text[t]) > 1 or t in seen:
            continue
        seen.add(t)
        out.append((t, s, mid))
    stats = {
        "reviews_all_stars": len(rows),
        "duplicates_removed_all_stars": len(rows) - len(out),
        "conflicting_texts_all_stars": sum(len(v) > 1 for v in by_text.values()),
    }
    return out, stats
