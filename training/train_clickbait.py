"""Train the headline-hype (clickbait) model of the engagement-bait detector.

Data: ``clickbait_headlines/clickbait.train80.csv`` (Chakraborty et al. 2016, the 80 %
development portion; 25,600 headlines, label 1 = clickbait). We hold out our own 20 %:
:func:`split` sends ``round(0.2 * n_label)`` indices of each label, drawn with
``random.Random(SEED)`` from the label's ascending index list (labels in sorted order, one
shared generator), to the held-out part; the model never sees it. C is chosen among
:data:`CS` on an inner 20 % of the training part (same procedure, seed ``SEED + 1``), then the
model is refitted on the whole training part and scored once on the held-out part.

Model: logistic regression (scikit-learn, liblinear, L2) over the hashed n-gram features of
:mod:`ripplemeter.text.features` (word unigrams and bigrams, character 2-5-grams, 2^20 signed
buckets, presence features scaled to unit length; text case-folded); saved with
:func:`ripplemeter.text.ngram_linear.save_linear` (float16 weights; numpy + numba at run time).

Run: ``.venv/bin/python training/train_clickbait.py`` (writes
``src/ripplemeter/text/models/clickbait_en.npz`` and ``training/logs/clickbait.json``).

``--case-style`` reproduces the experiment of the model card: the headline is followed by its
style words (:func:`ripplemeter.text.bait.headline_shape`: capitalisation, length, leading
digit), C among 16/64/256; it writes ``/tmp/clickbait_en_casestyle.npz`` (not shipped: it
learns the sources' capitalisation conventions) and ``training/logs/clickbait_casestyle.json``.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import sys
from pathlib import Path

import numpy as np

from ripplemeter.datasets import data_path
from ripplemeter.text.bait import headline_shape
from ripplemeter.text.features import FeatureConfig
from ripplemeter.text.ngram_linear import HashedLinear, save_linear

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "ripplemeter" / "text" / "models" / "clickbait_en.npz"
LOG = ROOT / "training" / "logs" / "clickbait.json"
SEED = 20261202
CS = (1.0, 4.0, 16.0, 64.0)
CS_CASE_STYLE = (16.0, 64.0, 256.0)
CASE_STYLE = False  # set by --case-style


def _rewrite(texts: list[str]) -> list[str]:
    return [headline_shape(t) for t in texts] if CASE_STYLE else list(texts)


FEATURES = FeatureConfig(bits=20, char_min=2, char_max=5, word_ngrams=2, negation=0)


def load() -> tuple[list[str], np.ndarray]:
    """Headlines and labels (1 = clickbait) of the development file, in file order.

    Raises
    ------
    ripplemeter.datasets.DataUnavailable
        If the shared data is absent.
    """
    path = data_path("clickbait_headlines/clickbait.train80.csv")
    texts, labels = [], []
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            texts.append(row["headline"])
            labels.append(int(row["label"]))
    return texts, np.array(labels, dtype=np.int64)


def split(y: np.ndarray, seed: int = SEED, share: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, held-out), stratified by label, seeded, each in ascending order."""
    rng = random.Random(seed)
    held: list[int] = []
    for lab in sorted(set(y.tolist())):
        idx = np.flatnonzero(y == lab).tolist()
        rng.shuffle(idx)
        held.extend(idx[: round(share * len(idx))])
    mask = np.zeros(len(y), dtype=bool)
    mask[held] = True
    return np.flatnonzero(~mask), np.flatnonzero(mask)


def _model(coef: np.ndarray, intercept: np.ndarray, meta: dict) -> HashedLinear:
    return HashedLinear(
        FEATURES, "none", {"clickbait": coef[:, None]}, {"clickbait": intercept}, meta
    )


def _fit(texts: list[str], y: np.ndarray, c: float) -> HashedLinear:
    from sklearn.linear_model import LogisticRegression

    empty = _model(np.zeros(1 << FEATURES.bits, np.float32), np.zeros(1), {})
    x = empty.features_of(_rewrite(texts))
    clf = LogisticRegression(C=c, solver="liblinear", max_iter=5000, random_state=SEED)
    clf.fit(x, y)
    return _model(clf.coef_.ravel().astype(np.float32), clf.intercept_.astype(np.float64), {})


def scores(model: HashedLinear, texts: list[str]) -> np.ndarray:
    """P(clickbait) of each text."""
    z = model.scores(_rewrite(texts))["clickbait"][:, 0]
    return 1.0 / (1.0 + np.exp(-z))


def metrics(y: np.ndarray, p: np.ndarray, threshold: float = 0.5) -> dict:
    from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score

    yhat = (p >= threshold).astype(int)
    return {
        "n": int(len(y)),
        "f1": float(f1_score(y, yhat)),
        "precision": float(precision_score(y, yhat)),
        "recall": float(recall_score(y, yhat)),
        "accuracy": float(accuracy_score(y, yhat)),
    }


def main() -> None:
    global CASE_STYLE, OUT, LOG, CS
    if "--case-style" in sys.argv[1:]:
        CASE_STYLE = True
        CS = CS_CASE_STYLE
        OUT = Path("/tmp/clickbait_en_casestyle.npz")
        LOG = ROOT / "training" / "logs" / "clickbait_casestyle.json"
    texts, y = load()
    train, held = split(y)
    inner_tr, inner_va = split(y[train], seed=SEED + 1)
    t_train = [texts[i] for i in train]
    choice = {}
    for c in CS:
        m = _fit([t_train[i] for i in inner_tr], y[train][inner_tr], c)
        choice[c] = metrics(y[train][inner_va], scores(m, [t_train[i] for i in inner_va]))["f1"]
        print(f"C={c}: inner validation F1 {choice[c]:.4f}")
    best = max(CS, key=lambda c: (choice[c], -c))
    model = _fit(t_train, y[train], best)
    res = metrics(y[held], scores(model, [texts[i] for i in held]))
    print(f"held-out ({len(held)} headlines): {res}")
    model.meta = {
        "task": "bait",
        "part": "headline hype (clickbait)",
        "threshold": 0.5,
        "shape": CASE_STYLE,
        "C": best,
        "seed": SEED,
        "heldout": res,
        "trained": dt.date.today().isoformat(),
    }
    save_linear(OUT, model)
    LOG.parent.mkdir(parents=True, exist_ok=True)
    LOG.write_text(
        json.dumps(
            {
                "inner_validation_f1": {str(k): v for k, v in choice.items()},
                "C": best,
                "train": len(train),
                "heldout": res,
                "file_bytes": OUT.stat().st_size,
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
