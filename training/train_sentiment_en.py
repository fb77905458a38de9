"""Train the English fast sentiment model (3 classes) and write its weights and card numbers.

Data (read ../shared/data/*/PROVENANCE.md):

* training pool: ``semeval2017_task4a_english`` (all eleven SemEval 2013-2016 files);
* validation: ``tweeteval_sentiment`` val (2,000 tweets), compiled by TweetEval from the same
  pool. Every val tweet's near-duplicates are removed from the pool before training: a pool
  tweet goes when its normalised 40-character prefix (lower case, mentions, links and
  everything but letters and digits removed) equals a val tweet's, or its whole normalised
  text does. The counts are printed and written into the model's header.

The pool's ``\\u2019``/``\\u002c`` escapes (a download artefact, see PROVENANCE.md) are
decoded; exact duplicate tweets (same id) are kept once.

Hyper-parameters are set by hand (C = 3, balanced class weights, 300 lbfgs iterations),
never tuned on val. The model is fit on the whole de-duplicated pool and scored once on val
(macro-averaged recall, the TweetEval metric) with the float16 weights as shipped. A second
fit on the pool with the near-duplicates left in shows how much they would inflate val.

Usage: ``.venv/bin/python training/train_sentiment_en.py`` (a few CPU minutes, one core).
"""

from __future__ import annotations

import json
import sys
import time

from sklearn.metrics import accuracy_score, confusion_matrix, recall_score

from ripplemeter.text.features import FeatureConfig
from ripplemeter.text.normalize import EMOJI_EMOTICONS
from ripplemeter.text.sentiment import SentimentModel
from sentiment_data import EN_LABELS, MODELS, en_pool, en_val, speed
from sentiment_data import near_duplicate_key as key

LABELS = list(EN_LABELS)
VERSION = "2"  # 2: emoji read as emoticons (same weights as 1)
MAX_ITER = 300  # lbfgs iterations: enough for accuracy, and the machine is shared


def macro_recall(y, p):
    return float(recall_score(y, p, labels=LABELS, average="macro"))


def main() -> None:
    t0 = time.time()
    pool_x, pool_y = en_pool()
    val_x, val_y = en_val()
    val_full = {key(t) for t in val_x}
    val_pref = {key(t)[:40] for t in val_x}
    exact = [key(t) in val_full for t in pool_x]
    prefix = [key(t)[:40] in val_pref for t in pool_x]
    drop = [a or b for a, b in zip(exact, prefix, strict=True)]
    # how many val tweets have at least one near-duplicate in the pool
    pool_full = {key(t) for t in pool_x}
    pool_pref = {key(t)[:40] for t in pool_x}
    val_found_exact = sum(key(t) in pool_full for t in val_x)
    val_found_any = sum((key(t) in pool_full) or (key(t)[:40] in pool_pref) for t in val_x)
    dedup = {
        "pool_tweets": len(pool_x),
        "pool_removed_exact": int(sum(exact)),
        "pool_removed_exact_or_prefix40": int(sum(drop)),
        "val_with_exact_duplicate": val_found_exact,
        "val_with_exact_or_prefix40_duplicate": val_found_any,
    }
    print("dedup:", dedup, flush=True)
    train_x = [t for t, d in zip(pool_x, drop, strict=True) if not d]
    train_y = [y for y, d in zip(pool_y, drop, strict=True) if not d]
    dedup["train_tweets"] = len(train_x)

    cfg = FeatureConfig(
        bits=int(sys.argv[1]) if len(sys.argv) > 1 else 20,
        char_min=2,
        char_max=5,
        word_ngrams=2,
        negation=1,
        emoji_emoticons=True,
    )
    # the pool holds no emoji (they were lost in the download), so the emoji -> emoticon
    # mapping changes no training tweet; it lets the model read emoji as the emoticons it
    # learned
    changed = sum(1 for t in train_x if any(e in t for e in EMOJI_EMOTICONS))
    print(f"training tweets holding a mapped emoji: {changed}", flush=True)
    dedup["train_tweets_with_mapped_emoji"] = changed
    # C = 3 with balanced class weights, set by hand (not searched: one lbfgs fit takes many
    # minutes on the shared machine) and never tuned on val
    best = (None, 3.0, "balanced")
    _, C, cw = best
    model = SentimentModel("en", features=cfg, C=C, class_weight=cw, max_iter=MAX_ITER).fit(
        train_x, train_y
    )
    path = MODELS / "sentiment-en-fast.npz"
    model.save(path, name="sentiment-en-fast", version=VERSION)
    shipped = SentimentModel.from_file(path)  # float16 weights, as users get them
    pred = shipped.predict(val_x)
    metrics = {
        "val_macro_recall": round(macro_recall(val_y, pred), 4),
        "val_accuracy": round(float(accuracy_score(val_y, pred)), 4),
        "val_recall_per_class": dict(
            zip(
                LABELS,
                [
                    round(float(v), 4)
                    for v in recall_score(val_y, pred, labels=LABELS, average=None)
                ],
                strict=True,
            )
        ),
        "val_confusion (rows gold neg/neu/pos)": confusion_matrix(
            val_y, pred, labels=LABELS
        ).tolist(),
        "C": C,
        "class_weight": cw,
    }
    docs = speed(shipped.predict, val_x * 25)
    metrics["docs_per_second_one_core_val_tweets"] = docs
    # leakage check: the same recipe without removing val near-duplicates
    leaky = SentimentModel("en", features=cfg, C=C, class_weight=cw, max_iter=MAX_ITER).fit(
        pool_x, pool_y
    )
    metrics["val_macro_recall_if_near_duplicates_kept"] = round(
        macro_recall(val_y, leaky.predict(val_x)), 4
    )
    model.save(
        path,
        name="sentiment-en-fast",
        version=VERSION,
        dedup=dedup,
        metrics=metrics,
        trained=time.strftime("%Y-%m-%d"),
    )
    print(json.dumps({"dedup": dedup, "metrics": metrics}, indent=2))
    print(f"done in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
