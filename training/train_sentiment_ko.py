"""Train the Korean fast sentiment model (version 3: a ridge regression on all the star ratings).

Data: ``nsmc_raw_movie_reviews_sample`` (480 movies of the raw Naver crawl NSMC was built from;
read its PROVENANCE.md). The binary labels follow NSMC: ratings 1-4 negative, 9-10 positive,
reviews shorter than 140 characters; 5-6 stars are the neutral reviews that place the neutral
band. Version 2 (a binary logistic regression) threw the 5-8 star reviews away (it only
counted 5-6 stars as negatives with weight 0.3). Version 3 learns from every rating:

* **Model**: ridge regression of the star rating (1-10) on the same hashed character 1-4-grams
  (scikit-learn ``Ridge``), every review of the training movies, 7-8 and 3-4 stars included,
  optionally with each feature scaled by a power of its naive-Bayes log-count ratio estimated
  from star-weighted counts (:func:`nb_scale`; NBSVM, Wang and Manning 2012; idea (c) of the
  issue; the scale is folded into the weights).
  Rows are weighted so that the 1-4 and the 9-10 star reviews weigh the same in total (the
  sample is about 80% positive) and the 5-8 star reviews weigh ``mid`` times the 1-4 star
  total. A review is positive when its predicted rating is at least ``threshold``.
* **Choice**: the scaling power, ``alpha``, ``mid`` and ``threshold`` by 5-fold cross-validation over the training
  movies, folds grouped by movie (seeded), scored by balanced accuracy of 1-4 vs 9-10 stars.
  The version 2 recipe (logistic, C = 3, 5-6 stars as negatives x 0.3) is scored on the same
  folds; version 3 is written only if its mean beats version 2's by more than one standard
  error of the paired per-fold differences (else the script stops and writes nothing).
* **Same file format**: the regression score is turned into a logit with one slope fitted on
  the calibration movies (Platt scaling through the threshold: logistic regression of the
  1-4 vs 9-10 label on ``predicted rating - threshold``, no intercept, classes balanced) and
  folded into the weights: ``W = a * w``, ``b = a * (b_ridge - threshold)``. So the fast tier
  reads it as any binary model (positive when the logit is >= 0) and needs no new rule.
* **Neutral band**: on the calibration movies, by three-class macro recall with 5-6 stars as
  neutral (7-8 stars left out, as before).

Split by movie (no movie on two sides), seeded (``sentiment_data.ko_split``): 70% of the movies
train, 10% calibrate (slope and band only), 20% are held out and scored once at the end with
the float16 weights as shipped.

Usage: ``OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python training/train_sentiment_ko.py``
(about three minutes; the log is ``training/logs/ko_fast_v3.log``). ``--card`` afterwards rewrites
the model card from the header.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np

from ripplemeter.text.features import FeatureConfig, featurize
from ripplemeter.text.sentiment import SentimentModel
from sentiment_data import MODELS, SEED, ko_split, ko_star_rows, speed

VERSION = "3"
ALPHAS = (1.0, 3.0, 10.0)
MIDS = (0.5, 1.0, 2.0)  # weight of the 5-8 star reviews, as a share of the 1-4 star total
NB_POWERS = (0.0, 0.5, 1.0)  # features scaled by |star-weighted NB log-ratio| ** power (0: none)
THRESHOLDS = tuple(round(float(t), 1) for t in np.arange(5.8, 7.45, 0.1))
FOLDS = 5
V2 = {"C": 3.0, "neutral_5_6_as_negative_weight": 0.3}  # the version 2 recipe (see the card)
V2_HELD_OUT = {  # version 2's held-out figures, as its card reported them (same test movies)
    "test_balanced_accuracy": 0.7997,
    "test_accuracy": 0.8206,
    "test_macro_recall_3class_with_5_6_stars_as_neutral": 0.5366,
}
CFG = FeatureConfig(bits=20, char_min=1, char_max=4, char_nospace=True, word_ngrams=0)
LABELS3 = ["negative", "neutral", "positive"]
LOG = MODELS.parents[3] / "training" / "logs" / "ko_fast_v3.log"


def row_weights(stars: np.ndarray, mid: float) -> np.ndarray:
    """Ridge row weights: 1-4 and 9-10 stars weigh n/2 each in total, 5-8 stars ``mid`` x n/2."""
    n = len(stars)
    neg, pos = stars <= 4, stars >= 9
    w = np.empty(n)
    w[neg] = n / 2 / neg.sum()
    w[pos] = n / 2 / pos.sum()
    w[~neg & ~pos] = mid * n / 2 / max((~neg & ~pos).sum(), 1)
    return w


def nb_scale(X, stars: np.ndarray, mid: float, power: float) -> np.ndarray:
    """Per-feature scale ``|r| ** power``, shape (n_features,), with ``r`` the naive-Bayes
    log-count ratio (NBSVM, Wang and Manning 2012) estimated from star-weighted counts: each
    review counts ``(stars - 1) / 9`` towards positive and the rest towards negative, times its
    row weight (:func:`row_weights`); add-one smoothing. ``power = 0`` gives no scaling."""
    if power == 0:
        return np.ones(X.shape[1])
    P = X.copy()
    P.data = (P.data != 0).astype(np.float64)
    w = row_weights(stars, mid)
    t = (stars - 1) / 9.0
    pos = 1.0 + P.T @ (w * t)
    neg = 1.0 + P.T @ (w * (1.0 - t))
    return np.abs(np.log((pos / pos.sum()) / (neg / neg.sum()))) ** power


def fit_ridge(
    X, stars: np.ndarray, alpha: float, mid: float, power: float = 0.0
) -> tuple[np.ndarray, float]:
    """Ridge regression of the star rating on ``X`` scaled by :func:`nb_scale`; the scale is
    folded into the returned weights (``X @ w + b`` is the predicted rating)."""
    import scipy.sparse as sp
    from sklearn.linear_model import Ridge

    scale = nb_scale(X, stars, mid, power)
    r = Ridge(alpha=alpha, solver="sparse_cg", max_iter=2000, tol=1e-5)
    r.fit(X @ sp.diags(scale), stars.astype(np.float64), sample_weight=row_weights(stars, mid))
    return r.coef_ * scale, float(r.intercept_)


def fit_v2(X, stars: np.ndarray) -> tuple[np.ndarray, float]:
    """The version 2 recipe on these rows: logistic, 1-4 vs 9-10, 5-6 stars negative x 0.3."""
    from sklearn.linear_model import LogisticRegression

    sel = (stars <= 6) | (stars >= 9)
    s = stars[sel]
    w = np.where((s == 5) | (s == 6), V2["neutral_5_6_as_negative_weight"], 1.0)
    clf = LogisticRegression(C=V2["C"], class_weight="balanced", max_iter=1000, tol=1e-4)
    clf.fit(X[sel], (s >= 9).astype(int), sample_weight=w)
    return clf.coef_[0], float(clf.intercept_[0])


def cross_validate(X, stars: np.ndarray, movies: np.ndarray, log) -> dict:
    """Movie-grouped CV inside the training movies: balanced accuracy per fold of each setting."""
    from sklearn.metrics import balanced_accuracy_score

    names = sorted(set(movies.tolist()))
    order = np.random.default_rng(SEED).permutation(len(names))
    fold_of = {names[i]: rank % FOLDS for rank, i in enumerate(order)}
    fold = np.array([fold_of[m] for m in movies])
    binary = (stars <= 4) | (stars >= 9)
    y = (stars >= 9).astype(int)
    table: dict[str, list[float]] = {}
    for k in range(FOLDS):
        tr, te = fold != k, (fold == k) & binary
        w, b = fit_v2(X[tr], stars[tr])
        pred = (X[te] @ w + b >= 0).astype(int)
        table.setdefault("v2", []).append(balanced_accuracy_score(y[te], pred))
        for power in NB_POWERS:
            for alpha in ALPHAS:
                for mid in MIDS:
                    w, b = fit_ridge(X[tr], stars[tr], alpha, mid, power)
                    score = X[te] @ w + b
                    for t in THRESHOLDS:
                        ba = balanced_accuracy_score(y[te], (score >= t).astype(int))
                        key = f"nb={power:g} alpha={alpha:g} mid={mid:g} threshold={t:.1f}"
                        table.setdefault(key, []).append(ba)
        log(f"  fold {k + 1}/{FOLDS} done")
    return table


def main() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, balanced_accuracy_score, recall_score

    t0 = time.time()
    LOG.parent.mkdir(parents=True, exist_ok=True)
    logf = LOG.open("w", encoding="utf-8")

    def log(msg: str) -> None:
        print(msg, flush=True)
        logf.write(msg + "\n")
        logf.flush()

    split, stats = ko_split()
    part = {m: k for k, rows in split.items() for _, _, m in rows}
    star_rows, star_stats = ko_star_rows()
    stats.update(star_stats)
    # movies with only 7-8 star reviews are in no part of ko_split: left out
    train = [r for r in star_rows if part.get(r[2]) == "train"]
    stats["train_reviews_all_stars"] = len(train)
    stats["train_reviews_7_8_stars"] = sum(7 <= r[1] <= 8 for r in train)
    log("data: " + json.dumps(stats, ensure_ascii=False))
    X = featurize([r[0] for r in train], CFG).tocsr()
    stars = np.array([r[1] for r in train])
    movies = np.array([r[2] for r in train])

    table = cross_validate(X, stars, movies, log)
    mean = {k: float(np.mean(v)) for k, v in table.items()}
    best = max((k for k in table if k != "v2"), key=lambda k: mean[k])
    diff = np.array(table[best]) - np.array(table["v2"])
    se = float(diff.std(ddof=1) / np.sqrt(len(diff)))
    for k in sorted(table, key=lambda k: -mean[k])[:10] + ["v2"]:
        log(f"  cv {k}: {mean[k]:.4f} folds {[round(x, 4) for x in table[k]]}")
    log(
        f"best {best}: {mean[best]:.4f}; version 2 recipe {mean['v2']:.4f}; "
        f"paired difference {diff.mean():+.4f} (standard error {se:.4f})"
    )
    if diff.mean() <= se:
        log("version 3 does not beat version 2 by more than one standard error: nothing written")
        return
    cfg = dict(kv.split("=") for kv in best.split())
    alpha, mid, thr = float(cfg["alpha"]), float(cfg["mid"]), float(cfg["threshold"])
    power = float(cfg["nb"])

    w, b = fit_ridge(X, stars, alpha, mid, power)
    # Platt slope through the threshold, on the calibration movies (1-4 vs 9-10 stars)
    calib = [r for r in split["calib"] if r[1] != "neutral"]
    sc = featurize([r[0] for r in calib], CFG) @ w + b - thr
    platt = LogisticRegression(C=1e6, fit_intercept=False, class_weight="balanced", max_iter=1000)
    platt.fit(sc[:, None], [r[1] for r in calib])
    a = float(platt.coef_[0, 0]) * (1 if platt.classes_[1] == "positive" else -1)
    model = SentimentModel("ko", features=CFG)
    model.kind_ = "binary"
    model.trained_classes_ = ("negative", "positive")
    model.coef_ = (a * w).astype(np.float32)[:, None]
    model.intercept_ = np.array([a * (b - thr)], dtype=np.float32)
    model.meta_ = {}
    model._set_classes()
    cx, cy = [r[0] for r in calib], [r[1] for r in calib]
    calib_ba = balanced_accuracy_score(cy, model.predict_binary(cx))
    # neutral band on the calibration movies, 5-6 stars as neutral
    c3x, c3y = [r[0] for r in split["calib"]], [r[1] for r in split["calib"]]
    p = model.predict_binary_proba(c3x)
    best_band = None
    for lo in np.arange(0.05, 0.5, 0.025):
        for hi in np.arange(0.5, 0.96, 0.025):
            pred = np.where(p <= lo, "negative", np.where(p >= hi, "positive", "neutral"))
            r = recall_score(c3y, pred, labels=LABELS3, average="macro")
            if best_band is None or r > best_band[0]:
                best_band = (r, round(float(lo), 3), round(float(hi), 3))
    model.band = (best_band[1], best_band[2])
    model._set_classes()
    log(f"slope {a:.4f}; calibration balanced accuracy {calib_ba:.4f}; band {best_band}")
    path = MODELS / "sentiment-ko-fast.npz"
    model.save(path, name="sentiment-ko-fast", version=VERSION)
    shipped = SentimentModel.from_file(path)
    hx = [r[0] for r in split["test"] if r[1] != "neutral"]
    hy = [r[1] for r in split["test"] if r[1] != "neutral"]
    h3x, h3y = [r[0] for r in split["test"]], [r[1] for r in split["test"]]
    pb = shipped.predict_binary(hx)
    p3 = shipped.predict(h3x)
    metrics = {
        "model": "ridge regression of the star rating, thresholded (see the description)",
        "alpha": alpha,
        "mid_star_weight": mid,
        "nb_scale_power": power,
        "star_threshold": thr,
        "platt_slope": round(a, 4),
        "cv_folds_by_movie": FOLDS,
        "cv_balanced_accuracy": round(mean[best], 4),
        "cv_balanced_accuracy_folds": [round(x, 4) for x in table[best]],
        "cv_balanced_accuracy_version_2_recipe": round(mean["v2"], 4),
        "cv_balanced_accuracy_version_2_recipe_folds": [round(x, 4) for x in table["v2"]],
        "cv_difference_standard_error": round(se, 4),
        "cv_best_threshold_per_setting": {
            s: max((round(mean[f"{s} threshold={t:.1f}"], 4), t) for t in THRESHOLDS)
            for s in sorted({k.rsplit(" threshold=", 1)[0] for k in table if k != "v2"})
        },
        "calib_balanced_accuracy": round(float(calib_ba), 4),
        "band": list(model.band),
        "calib_macro_recall_3class": round(float(best_band[0]), 4),
        "test_balanced_accuracy": round(float(balanced_accuracy_score(hy, pb)), 4),
        "test_accuracy": round(float(accuracy_score(hy, pb)), 4),
        "test_recall_negative": round(float(recall_score(hy, pb, pos_label="negative")), 4),
        "test_recall_positive": round(float(recall_score(hy, pb, pos_label="positive")), 4),
        "test_macro_recall_3class_with_5_6_stars_as_neutral": round(
            float(recall_score(h3y, p3, labels=LABELS3, average="macro")), 4
        ),
        "test_recall_3class": dict(
            zip(
                LABELS3,
                [round(float(v), 4) for v in recall_score(h3y, p3, labels=LABELS3, average=None)],
                strict=True,
            )
        ),
        "version_2_held_out": V2_HELD_OUT,
    }
    metrics["docs_per_second_one_core_test_reviews"] = speed(shipped.predict, h3x * 3)
    model.save(
        path,
        name="sentiment-ko-fast",
        version=VERSION,
        data=stats,
        metrics=metrics,
        trained=time.strftime("%Y-%m-%d"),
    )
    log(json.dumps({"data": stats, "metrics": metrics}, indent=2, ensure_ascii=False))
    log(f"done in {time.time() - t0:.0f} s")


CARD_DESCRIPTION = """\
- **Data**: `nsmc_raw_movie_reviews_sample` (480 movies of the raw Naver crawl that NSMC
  was built from). Binary labels follow NSMC: ratings 1-4 negative, 9-10 positive, reviews
  under 140 characters; 5-6 stars place the neutral band. Exact duplicate texts kept once
  (dropped when copies disagree).
- **Split by movie** (no movie on two sides), seeded: 70% of the movies train, 10%
  calibrate (probability slope and neutral band only), 20% are held out and scored once.
- **Model (version 3)**: ridge regression of the star rating (1-10) on every review of the
  training movies, the 3-4 and 7-8 star ones included (version 2 threw the 5-8 star reviews
  away but for 5-6 stars counted as negatives x 0.3). Rows weighted so 1-4 and 9-10 stars
  weigh the same in total (the data is about 80% positive) and 5-8 stars `mid_star_weight`
  times that. Positive when the predicted rating is at least `star_threshold`. Each feature
  is scaled by `|r| ** nb_scale_power`, `r` its naive-Bayes log-count ratio (NBSVM, Wang and
  Manning 2012) from star-weighted counts (a review counts (stars-1)/9 as positive), the
  scale folded into the weights. `nb_scale_power`, `alpha`,
  `mid_star_weight` and `star_threshold` were chosen by 5-fold cross-validation over the
  training movies (folds grouped by movie), balanced accuracy of 1-4 vs 9-10 stars; the
  version 2 recipe was scored on the same folds (`cv_*` figures below); version 3 ships
  because it beats it by more than one standard error of the paired fold differences.
  The rating score becomes a logit with one slope fitted on the calibration movies (Platt
  scaling through the threshold), folded into the weights, so the file is an ordinary
  binary model (positive when the logit is >= 0). Features as version 2: hashed character
  1-4-grams of the text with spaces removed,
  so text written without spaces scores as the spaced form does; laughter jamo (ㅋ, ㅎ),
  including a final ㅋ fused into the syllable before them, are removed first. 2^20 signed
  buckets, presence features scaled to unit length; float16 weights.
- **Version 2** on the same held-out movies: balanced accuracy 0.7997, accuracy 0.8206,
  three-class macro recall 0.5366 (`version_2_held_out`).
- **Held-out movies looked at twice**: a first run with plain ridge only (no NB scaling in
  the grid; CV chose alpha 1, mid 0.5, threshold 6.9, CV 0.8100) scored 0.8053 held-out
  balanced accuracy; NB scaling was then added to the cross-validation grid (idea (c) of the
  issue, tried on the training movies' folds only) and the shipped model is what the CV chose,
  scored on the held-out movies a second time. No setting was chosen on held-out figures.
- **CV optimism**: the version 3 CV figure is the best of 459 settings on the same folds
  (the version 2 recipe is one fixed setting), so it is optimistic; the held-out gain
  (+0.0143) is smaller than the CV gain (+0.0187). Development runs before this script
  (soft targets (stars-1)/9 for a logistic model: 0.784, worse; char 1-5-grams: +0.001) used
  folds over the training and calibration movies, never the held-out ones.
- **Other features measured, 2026-12-02** (`training/ko_feature_experiments.py`, log
  `training/logs/ko_feature_experiments.json`; the same movie-grouped folds inside the
  training movies, the best setting of the same grid for each; held-out movies not read):
  cross-validated balanced accuracy 0.8194 with the shipped features; word 1-2-grams added
  0.8229; jamo 2-6-grams (the text decomposed into its letters) 0.8255; both 0.8264;
  morphemes and their tags from the Kiwi analyser (kiwipiepy) 0.8294. The best gain (+0.010)
  leaves the figure below the issue's 0.84 (and the held-out figure has run below the CV
  one), while Kiwi reads about 1,100 reviews per CPU second, far too slow for a fast tier;
  the +0.007 of jamo and word n-grams did not justify a new kind of feature. Unchanged.
- **Metric**: balanced accuracy beside accuracy (the sample is about 80% positive).
- **Reproduce**: `OMP_NUM_THREADS=1 .venv/bin/python training/train_sentiment_ko.py`, then
  `... train_sentiment_ko.py --card` (seeded)."""


def write_card() -> None:
    """Write ``sentiment-ko-fast.md`` with ``write_sentiment_cards`` (Korean only, this text)."""
    import shutil
    import tempfile
    from pathlib import Path

    import write_sentiment_cards as wsc

    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(MODELS / "sentiment-ko-fast.npz", tmp)
        wsc.MODELS = Path(tmp)  # only the Korean model is there: en and zh are skipped
        wsc.DESCRIPTION["ko"] = CARD_DESCRIPTION
        wsc.main()
        shutil.copy(Path(tmp) / "sentiment-ko-fast.md", MODELS / "sentiment-ko-fast.md")


if __name__ == "__main__":
    if "--card" in sys.argv[1:]:
        write_card()
    else:
        main()
