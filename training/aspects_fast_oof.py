"""Out-of-fold outputs of the fast (n-gram) aspect model on the training part.

For the accurate tier's pooling weights and thresholds, the fast tier's detection logits and
polarity log-probabilities of each training sentence must come from a fast model that did not
see it. This refits the fast model of ``train_aspects.py`` (same settings, same seeded split)
on 4/5 of the training part, five times, and scores the left-out fifth: detection logits of
every training sentence (n_train, 5) and the polarity log-probabilities (n_pairs, 4) of every
gold (sentence, category) pair, pairs in ``train_aspects.pairs_of`` order.

Usage: ``.venv/bin/python training/aspects_fast_oof.py OUT.npz --tweet-cache TWEETS.npz``
(the tweet sentiment model of ``train_aspects.py``; deterministic, so a cached copy is the
same model).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import KFold

sys.path.insert(0, str(Path(__file__).resolve().parent))
import train_aspects as ta  # noqa: E402

FOLDS = 5


def folds(n: int):
    """The (fit, score) index pairs over the training part used by every OOF computation."""
    return list(KFold(FOLDS, shuffle=True, random_state=ta.SEED).split(np.arange(n)))


def main() -> None:
    from ripplemeter.text.aspects import LearnedAspects

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--tweet-cache", type=Path, required=True)
    args = ap.parse_args()
    with np.load(args.tweet_cache) as z:
        ta._TWEETS = (z["W"], z["b"])
    sents = ta.load()
    tr, _te = ta.split(len(sents))
    texts = [sents[i][1] for i in tr]
    rows, cats, _pols = map(np.asarray, ta.pairs_of(sents, tr))
    det = np.zeros((len(tr), len(ta.CATEGORIES)))
    pol = np.zeros((len(rows), len(ta.POLARITIES)))
    for f, (a, b) in enumerate(folds(len(tr))):
        t0 = time.time()
        x = ta.featurize([texts[j] for j in a])
        model = LearnedAspects(ta.fit(sents, tr[a], x))
        tb = [texts[j] for j in b]
        det[b] = model.weights_.scores(tb)["detect"]
        m = np.isin(rows, b)
        p = model.polarity_proba([texts[j] for j in rows[m]], [ta.CATEGORIES[k] for k in cats[m]])
        pol[m] = np.log(np.clip(p, 1e-12, None))
        print(f"fold {f}: {time.time() - t0:.0f}s", flush=True)
    np.savez(args.out, detect=det, polarity_logp=pol, train_idx=tr)


if __name__ == "__main__":
    main()
