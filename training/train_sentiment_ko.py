"""Train the Korean fast sentiment model (binary, with a neutral band calibrated on 5-6 stars).

Data: ``nsmc_raw_movie_reviews_sample`` (480 movies of the raw Naver crawl NSMC was built from;
read its PROVENANCE.md). Labels follow NSMC: ratings 1-4 negative, 9-10 positive, reviews
shorter than 140 characters; 5-6 stars are the neutral reviews used only to place the neutral
band; 7-8 stars are not used. Empty reviews are dropped and exact duplicate texts kept once
(dropped when their copies disagree on the label).

Split by movie (no movie on two sides), seeded: 70% of the movies train the model, 10%
calibrate (C is chosen there by balanced accuracy, then the neutral band by three-class
macro recall with 5-6 stars as neutral), 20% are held out and scored once with the float16
weights as shipped. Class weights are balanced (the sample is about 80% positive); balanced
accuracy is reported beside accuracy. The training movies' 5-6 star reviews may also count as
negative examples with a small weight (NEG_WEIGHTS: they lean negative, and 5-8 stars are
what NSMC left out); that weight is chosen with C on the calibration movies.

Usage: ``.venv/bin/python training/train_sentiment_ko.py``.
"""

from __future__ import annotations

import json
import time

import numpy as np
from sklearn.metrics import accuracy_score, balanced_accuracy_score, recall_score

from ripplemeter.text.features import FeatureConfig
from ripplemeter.text.sentiment import SentimentModel
from sentiment_data import MODELS, ko_split, speed

NEG_WEIGHTS = (
    0.0,
    0.3,
)  # weight of the training movies' 5-6 star reviews as negative (0.6: see card)


def main() -> None:
    t0 = time.time()
    split, stats = ko_split()
    print("data:", stats, flush=True)

    def xy(k, binary=True):
        v = [r for r in split[k] if not binary or r[1] != "neutral"]
        return [r[0] for r in v], [r[1] for r in v]

    tx, ty = xy("train")
    cx, cy = xy("calib")
    nx = [r[0] for r in split["train"] if r[1] == "neutral"]  # 5-6 stars, training movies

    def training_set(wn):
        if not wn:
            return tx, ty, None
        w = np.r_[np.ones(len(tx)), np.full(len(nx), wn)]
        return tx + nx, ty + ["negative"] * len(nx), w

    cfg = FeatureConfig(bits=20, char_min=1, char_max=4, char_nospace=True, word_ngrams=0)
    best = None
    calib_table = {}
    for wn in NEG_WEIGHTS:
        fx, fy, fw = training_set(wn)
        for C in (1.0, 3.0, 10.0):
            m = SentimentModel("ko", features=cfg, C=C, class_weight="balanced")
            m.fit(fx, fy, sample_weight=fw)
            ba = balanced_accuracy_score(cy, m.predict_binary(cx))
            calib_table[f"5-6 stars as negative x {wn:g}, C={C:g}"] = round(float(ba), 4)
            print(f"  calib: 5-6 stars weight {wn}, C={C}: balanced accuracy {ba:.4f}", flush=True)
            if best is None or ba > best[0]:
                best = (ba, C, wn)
    C, wn = best[1], best[2]
    fx, fy, fw = training_set(wn)
    model = SentimentModel("ko", features=cfg, C=C, class_weight="balanced")
    model.fit(fx, fy, sample_weight=fw)
    # neutral band on the calibration movies, 5-6 stars as neutral
    c3x, c3y = xy("calib", binary=False)
    p = model.predict_binary_proba(c3x)
    labels3 = ["negative", "neutral", "positive"]
    best_band = None
    for lo in np.arange(0.05, 0.5, 0.025):
        for hi in np.arange(0.5, 0.96, 0.025):
            pred = np.where(p <= lo, "negative", np.where(p >= hi, "positive", "neutral"))
            r = recall_score(c3y, pred, labels=labels3, average="macro")
            if best_band is None or r > best_band[0]:
                best_band = (r, round(float(lo), 3), round(float(hi), 3))
    model.band = (best_band[1], best_band[2])
    print("band:", best_band, flush=True)
    path = MODELS / "sentiment-ko-fast.npz"
    model.save(path, name="sentiment-ko-fast", version="2")
    shipped = SentimentModel.from_file(path)
    hx, hy = xy("test")
    pb = shipped.predict_binary(hx)
    h3x, h3y = xy("test", binary=False)
    p3 = shipped.predict(h3x)
    metrics = {
        "C": C,
        "neutral_5_6_as_negative_weight": wn,
        "calib_balanced_accuracy": round(best[0], 4),
        "calib_table": calib_table,
        "band": list(model.band),
        "calib_macro_recall_3class": round(float(best_band[0]), 4),
        "test_balanced_accuracy": round(float(balanced_accuracy_score(hy, pb)), 4),
        "test_accuracy": round(float(accuracy_score(hy, pb)), 4),
        "test_recall_negative": round(float(recall_score(hy, pb, pos_label="negative")), 4),
        "test_recall_positive": round(float(recall_score(hy, pb, pos_label="positive")), 4),
        "test_macro_recall_3class_with_5_6_stars_as_neutral": round(
            float(recall_score(h3y, p3, labels=labels3, average="macro")), 4
        ),
        "test_recall_3class": dict(
            zip(
                labels3,
                [round(float(v), 4) for v in recall_score(h3y, p3, labels=labels3, average=None)],
                strict=True,
            )
        ),
    }
    metrics["docs_per_second_one_core_test_reviews"] = speed(shipped.predict, h3x * 3)
    model.save(
        path,
        name="sentiment-ko-fast",
        version="2",
        data=stats,
        metrics=metrics,
        trained=time.strftime("%Y-%m-%d"),
    )
    print(json.dumps({"data": stats, "metrics": metrics}, indent=2, ensure_ascii=False))
    print(f"done in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
