"""Train the Chinese fast sentiment model (binary, with a documented neutral band).

Data (read ../shared/data/*/PROVENANCE.md): the development portions of

* ``chnsenticorp_htl_all`` (hotel reviews, Ctrip),
* ``waimai_10k`` (food-delivery reviews),
* ``online_shopping_10_cats`` without its hotel category (酒店), which repeats most of
  ChnSentiCorp.

Rules, in order: empty reviews are dropped; exact duplicates (same text after trimming
spaces) are removed across and within the three sets before any split - a text is kept once,
in the first set that has it (ChnSentiCorp, then waimai, then online_shopping), and dropped
altogether when its copies disagree on the label; then each set is split 80/20, stratified
by label, with a fixed seed. The model (logistic regression over naive-Bayes-scaled
character n-grams, ChnSentiCorp reviews weighted 3) is trained on the three 80% parts
together and scored on each 20% part (accuracy per data set, with the float16 weights as
shipped). The shipped model is the one scored: it never saw the 20% parts. Its settings were
picked among a few variants by their figures on those 20% parts, so the figures are slightly
optimistic (see the comment in ``main``).

There is no neutral training data: the three-class output calls a review neutral when its
probability of being positive lies inside ``BAND``; the card reports how many held-out
reviews fall inside it and the accuracy on the others.

Usage: ``.venv/bin/python training/train_sentiment_zh.py``.
"""

from __future__ import annotations

import json
import time

import numpy as np
from sklearn.metrics import accuracy_score, balanced_accuracy_score

from ripplemeter.text.features import FeatureConfig
from ripplemeter.text.sentiment import SentimentModel
from sentiment_data import MODELS, speed, zh_split

BAND = (0.4, 0.6)
SET_WEIGHT = {"chnsenticorp": 3.0}
C_FIXED = 10.0


def main() -> None:
    t0 = time.time()
    train, held_rows, stats = zh_split()
    print("dedup:", stats, flush=True)
    train_x = [t for t, _, _ in train]
    train_y = [y for _, y, _ in train]
    # ChnSentiCorp is the smallest set and the one the target is set on: its reviews count
    # three times in the loss
    weight = np.array([SET_WEIGHT.get(s, 1.0) for _, _, s in train])
    held = {k: ([t for t, _ in v], [y for _, y in v]) for k, v in held_rows.items()}
    cfg = FeatureConfig(
        bits=20, char_min=1, char_max=3, char_nospace=True, word_ngrams=0, negation=2
    )
    # Fixed during development by comparing a handful of variants (C 10 or 30, naive-Bayes
    # scaling or not, ChnSentiCorp weight 1 or 3, character 1-3 or 1-4-grams) on the 20%
    # held-out parts themselves: the held-out figures below are therefore slightly
    # optimistic; the team's own held-back 20% of each set is the honest check.
    C = C_FIXED
    model = SentimentModel("zh", features=cfg, C=C, band=BAND, nb_scale=True).fit(
        train_x, train_y, sample_weight=weight
    )
    path = MODELS / "sentiment-zh-fast.npz"
    model.save(path, name="sentiment-zh-fast", version="1")
    shipped = SentimentModel.from_file(path)
    metrics = {
        "C": C,
        "nb_scale": True,
        "set_weight": SET_WEIGHT,
        "band": list(BAND),
    }
    for name, (xh, yh) in held.items():
        pb = shipped.predict_binary(xh)
        p = shipped.predict_binary_proba(xh)
        inside = (p > BAND[0]) & (p < BAND[1])
        yh_a = np.asarray(yh)
        metrics[name] = {
            "held_out": len(xh),
            "accuracy": round(float(accuracy_score(yh, pb)), 4),
            "balanced_accuracy": round(float(balanced_accuracy_score(yh, pb)), 4),
            "share_in_neutral_band": round(float(inside.mean()), 4),
            "accuracy_outside_band": round(
                float(accuracy_score(yh_a[~inside], np.asarray(pb)[~inside])), 4
            ),
        }
    all_x = [t for xh, _ in held.values() for t in xh]
    metrics["docs_per_second_one_core_held_out_reviews"] = speed(shipped.predict, all_x)
    model.save(
        path,
        name="sentiment-zh-fast",
        version="1",
        dedup=stats,
        metrics=metrics,
        trained=time.strftime("%Y-%m-%d"),
    )
    print(json.dumps({"dedup": stats, "metrics": metrics}, indent=2, ensure_ascii=False))
    print(f"done in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
