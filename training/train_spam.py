"""Train the spam comment filter shipped as ``src/ripplemeter/text/models/spam_en.npz``.

Data: the UCI YouTube Spam Collection (five videos' comments, 1 = spam) from
``$RIPPLEMETER_DATA/youtube_spam_collection`` (or ``../shared/data``).

Protocol: comments whose text (after :func:`ripplemeter.text.ngram_linear.prepare`) appears
under more than one video are removed, every copy of them; then each video in turn is the
test set and a model trained on the other four scores it (leave-one-video-out). The
committed model is trained on all five videos, keeping one copy of each repeated comment.
Writes the weights and ``spam_en.card.md`` beside them, and prints the per-fold figures.

Usage: ``.venv/bin/python training/train_spam.py [--out DIR]`` (needs scikit-learn; seeded,
one process).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score

from ripplemeter.datasets import data_path
from ripplemeter.text.ngram_linear import LinearWeights, NgramVectorizer, prepare, save_linear

SEED = 20261202
VIDEOS = (
    "Youtube01-Psy.csv",
    "Youtube02-KatyPerry.csv",
    "Youtube03-LMFAO.csv",
    "Youtube04-Eminem.csv",
    "Youtube05-Shakira.csv",
)
VECTORIZER = {"word_ngrams": (1, 2), "char_ngrams": (2, 5), "min_df": 2}
C = 4.0
ALPHA = 1.0
HELDOUT_VIDEO = "Youtube01-Psy"  # its fold model ships as spam_en_heldout.npz, for the test
MODEL_DIR = Path(__file__).resolve().parents[1] / "src" / "ripplemeter" / "text" / "models"


def load() -> pd.DataFrame:
    """All comments with their video name and the prepared text used to find repeats."""
    root = data_path("youtube_spam_collection")
    frames = []
    for name in VIDEOS:
        d = pd.read_csv(root / name, dtype=str, keep_default_na=False)
        frames.append(
            pd.DataFrame(
                {
                    "video": name.removesuffix(".csv"),
                    "text": d["CONTENT"],
                    "spam": d["CLASS"].astype(int),
                }
            )
        )
    d = pd.concat(frames, ignore_index=True)
    d["key"] = d["text"].map(prepare)
    return d


def repeated_across_videos(d: pd.DataFrame) -> pd.Series:
    """True for every comment whose prepared text occurs under two or more videos."""
    n_videos = d.groupby("key")["video"].transform("nunique")
    return n_videos > 1


def fit(texts: list[str], y: np.ndarray) -> tuple[NgramVectorizer, np.ndarray, np.ndarray]:
    """NB-weighted logistic regression (Wang & Manning 2012, NBSVM with a logistic loss).

    Each feature is scaled by its naive-Bayes log-count ratio r before a logistic regression
    is fitted; the scaling is folded into the weights (w' = r * w), so the shipped model is
    one linear scorer over the plain TF-IDF features.

    Returns
    -------
    vectorizer, coef (n_features, 1), intercept (1,)
    """
    vec = NgramVectorizer(**VECTORIZER).fit(texts)
    x = vec.transform(texts)
    xb = (x > 0).astype(np.float64)
    p = ALPHA + np.asarray(xb[y == 1].sum(axis=0)).ravel()
    q = ALPHA + np.asarray(xb[y == 0].sum(axis=0)).ravel()
    r = np.log((p / p.sum()) / (q / q.sum()))
    clf = LogisticRegression(C=C, max_iter=5000, solver="liblinear", random_state=SEED)
    clf.fit(x @ sp.diags(r), y)
    coef = (clf.coef_.ravel() * r).astype(np.float32)[:, None]
    return vec, coef, clf.intercept_.astype(np.float32)


def predict(vec: NgramVectorizer, coef: np.ndarray, intercept: np.ndarray, texts) -> np.ndarray:
    z = np.asarray(vec.transform(texts) @ coef).ravel() + intercept[0]
    return (z >= 0).astype(int)


def folds(d: pd.DataFrame, keep: str | None = None) -> tuple[list[dict], LinearWeights | None]:
    """Leave-one-video-out figures on the de-duplicated comments.

    The fold model whose test video is `keep` is returned too, so that a test can re-score
    that held-out video with committed weights and find the card's figure again.
    """
    out = []
    kept = None
    for video in d["video"].unique():
        tr, te = d[d.video != video], d[d.video == video]
        vec, coef, intercept = fit(tr.text.tolist(), tr.spam.to_numpy())
        pred = predict(vec, coef, intercept, te.text.tolist())
        if video == keep:
            kept = LinearWeights(
                vec,
                {"spam": coef},
                {"spam": intercept},
                {"name": f"spam_en_heldout_{video}", "threshold": 0.5, "test_video": video},
            )
        y = te.spam.to_numpy()
        out.append(
            {
                "test_video": video,
                "train": len(tr),
                "test": len(te),
                "test_spam": int(y.sum()),
                "f1": round(float(f1_score(y, pred)), 4),
                "precision": round(float(precision_score(y, pred)), 4),
                "recall": round(float(recall_score(y, pred)), 4),
                "accuracy": round(float(accuracy_score(y, pred)), 4),
            }
        )
    return out, kept


def card(
    figures: list[dict], removed: int, removed_texts: int, final_rows: int, speed: float
) -> str:
    rows = "\n".join(
        f"| {f['test_video']} | {f['train']:,} | {f['test']:,} ({f['test_spam']} spam) | "
        f"{f['f1']:.4f} | {f['precision']:.4f} | {f['recall']:.4f} | {f['accuracy']:.4f} |"
        for f in figures
    )
    mean_f1 = np.mean([f["f1"] for f in figures])
    below = [f"{f['test_video']} ({f['f1']:.3f})" for f in figures if f["f1"] < 0.93]
    shortfall = (
        "**Below target** on " + ", ".join(below) + ". The videos label alike comments "
        "differently: Psy's many 'just came to check the views' comments are ham, while "
        "'check out my video' and 'help this reach 1 billion views' are spam elsewhere; "
        "'like this comment' is spam under LMFAO and rare in the other four. Word/character "
        "n-gram linear models tried here (logistic regression, linear SVM, naive Bayes, "
        "NB-weighted logistic regression; thresholds 0.4-0.7) all stay between 0.87 and 0.91 on Psy."
        if below
        else "Every fold meets the target."
    )
    return f"""# Model card: spam_en (spam comment filter)

- **File**: `spam_en.npz` (numpy arrays, no pickle; loaded by `ripplemeter.text.spam.SpamFilter.load()`).
- **Task**: is a comment spam (self-promotion, "check out my channel", links to money
  schemes) or a genuine comment? Labels: `spam`, `ham`. Trained on English YouTube comments;
  other languages are scored with the same character n-grams and are less reliable.
- **Model**: TF-IDF over word 1-2-grams and character 2-5-grams (sublinear counts, L2 rows;
  `ripplemeter.text.ngram_linear`), each feature scaled by its naive-Bayes log-count ratio
  (NBSVM, Wang & Manning, ACL 2012; smoothing {ALPHA}) and an L2-regularised logistic
  regression (C = {C}, liblinear) on top; the scaling is folded into the shipped weights.
  Run time needs numpy and scipy only.
- **Data**: UCI YouTube Spam Collection (Alberto, Lochter & Almeida, "TubeSpam: Comment Spam
  Filtering on YouTube", ICMLA 2015), five videos, 1,956 comments, CC BY 4.0.
- **Repeats removed**: {removed} comments ({removed_texts} distinct texts, compared after
  HTML-entity decoding, case-folding and space collapsing) occur under more than one video;
  every copy of them is removed before the folds, so no test comment was seen in training.
- **Protocol**: leave one video out: train on four videos, test on the fifth, each in turn.
  Positive class: spam. Produced by `training/train_spam.py` (seed {SEED}).

## Held-out figures (leave-one-video-out)

| test video | train comments | test comments | F1 (spam) | precision | recall | accuracy |
| --- | --- | --- | --- | --- | --- | --- |
{rows}

Mean F1 over the five folds: {mean_f1:.4f}. Target: F1 >= 0.93 on every fold.
{shortfall}

```json
{json.dumps({"folds": figures}, indent=1)}
```

## Shipped model
`spam_en_heldout.npz` is the fold model that never saw {HELDOUT_VIDEO}: the test suite re-scores
that video with it and checks the F1 above. The shipped model `spam_en.npz` is trained on
all five videos after the same cleaning, keeping one copy of each repeated comment
({final_rows:,} comments). Threshold: spam when P(spam) >= 0.5.

- **Speed**: about {speed:,.0f} comments/s on one core of the training machine (YouTube comments,
  featurisation included).
- **Date**: {dt.date.today().isoformat()}.
- **Limits**: spam of 2013-2015 YouTube (channel promotion, follower schemes); new spam styles
  and non-English spam are under-represented. A short genuine comment that names a link can be
  flagged.
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=MODEL_DIR)
    args = ap.parse_args()
    np.random.seed(SEED)
    d = load()
    rep = repeated_across_videos(d)
    removed, removed_texts = int(rep.sum()), int(d.loc[rep, "key"].nunique())
    print(f"removed {removed} comments repeated across videos ({removed_texts} texts)")
    clean = d[~rep].reset_index(drop=True)
    figures, heldout = folds(clean, keep=HELDOUT_VIDEO)
    for f in figures:
        print(json.dumps(f))
    final = pd.concat([clean, d[rep].drop_duplicates("key")], ignore_index=True)
    vec, coef, intercept = fit(final.text.tolist(), final.spam.to_numpy())
    weights = LinearWeights(
        vectorizer=vec,
        coef={"spam": coef},
        intercept={"spam": intercept},
        meta={
            "name": "spam_en",
            "version": dt.date.today().strftime("%Y.%m.%d"),
            "classes": ["ham", "spam"],
            "threshold": 0.5,
            "folds": figures,
            "seed": SEED,
        },
    )
    args.out.mkdir(parents=True, exist_ok=True)
    save_linear(args.out / "spam_en.npz", weights)
    save_linear(args.out / "spam_en_heldout.npz", heldout)
    from ripplemeter.text.spam import SpamFilter

    model = SpamFilter.load(args.out / "spam_en.npz")
    texts = d.text.tolist() * 5
    t0 = time.perf_counter()
    model.predict_proba(texts)
    speed = len(texts) / (time.perf_counter() - t0)
    (args.out / "spam_en.card.md").write_text(
        card(figures, removed, removed_texts, len(final), speed), encoding="utf-8"
    )
    print(f"wrote {args.out / 'spam_en.npz'} ({(args.out / 'spam_en.npz').stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
