"""Measure the spam filter and the learned aspect model on 20,000 texts (one core), and the
English accurate sentiment tier beside VADER on the same tweets (one and two cores).

Each model is loaded, warmed up on 200 texts (the numba kernel is compiled or read from its
cache), then timed on ``n`` texts made by cycling real comments or sentences: wall-clock
seconds (``time.perf_counter``) and this process's CPU seconds (``time.process_time``), since
the machine is shared and wall time alone can mislead. The training scripts call these
functions to write the speed into the model cards; run alone it prints both.

The English accurate tier (a fine-tuned MiniLM-L6 in ONNX int8, onnxruntime) is timed on
``predict`` over the given tweets (at least 1,000), once with two onnxruntime threads and once
with one, after a warm-up on 100 of them; VADER (``SentimentIntensityAnalyzer.polarity_scores``
and its authors' +-0.05 rule) scores the same tweets in the same run, one core; the ratios are
ours / VADER by the wall clock.

Usage: ``NUMBA_NUM_THREADS=1 .venv/bin/python training/measure_text_speed.py [--en-accurate]``
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

N = 20_000


def _time(run: Callable[[list[str]], object], texts: list[str], n: int = N) -> dict:
    batch = [texts[i % len(texts)] for i in range(n)]
    run(batch[:200])
    w0, c0 = time.perf_counter(), time.process_time()
    run(batch)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    return {
        "n": n,
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "docs_per_s": round(n / wall),
        "docs_per_cpu_s": round(n / max(cpu, 1e-9)),
    }


def measure_spam(path: str | Path, texts: list[str], n: int = N) -> dict:
    """Docs/s of ``SpamFilter.predict_proba`` on `n` texts cycled from `texts`."""
    from ripplemeter.text.spam import SpamFilter

    model = SpamFilter.load(path)
    return _time(model.predict_proba, texts, n)


def measure_aspects(path: str | Path, texts: list[str], n: int = N) -> dict:
    """Docs/s of ``LearnedAspects.predict`` (detection and polarity) on `n` texts."""
    from ripplemeter.text.aspects import LearnedAspects

    model = LearnedAspects.load(path)
    return _time(model.predict, texts, n)


def measure_en_accurate(texts: list[str]) -> dict:
    """Docs/s of the English accurate tier (two threads, one thread) and of VADER, same texts.

    Parameters
    ----------
    texts : list of str
        At least 1,000 tweets, scored as given (no repetition).

    Returns
    -------
    dict
        ``two_cores``, ``one_core`` and ``vader`` (each as :func:`_time` gives it, with
        ``n = len(texts)``), and ``ratio_two_cores_to_vader`` and ``ratio_one_core_to_vader``
        (wall clock).

    Raises
    ------
    ValueError
        If fewer than 1,000 texts are given.
    """
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from ripplemeter.text.accurate import OnnxSentimentModel

    if len(texts) < 1000:
        raise ValueError(f"time the accurate tier on at least 1,000 texts, not {len(texts)}")
    n = len(texts)
    out = {}
    for key, threads in (("two_cores", 2), ("one_core", 1)):
        model = OnnxSentimentModel.load("en", threads=threads)
        out[key] = _time(model.predict, texts, n)
    sia = SentimentIntensityAnalyzer()

    def vader(batch):
        return [
            "positive" if c >= 0.05 else ("negative" if c <= -0.05 else "neutral")
            for c in (sia.polarity_scores(t)["compound"] for t in batch)
        ]

    out["vader"] = _time(vader, texts, n)
    for key in ("two_cores", "one_core"):
        out[f"ratio_{key}_to_vader"] = round(out[key]["docs_per_s"] / out["vader"]["docs_per_s"], 4)
    return out


def main() -> None:
    import sys
    import xml.etree.ElementTree as ET

    import pandas as pd

    from ripplemeter.datasets import data_path
    from ripplemeter.text.aspects import MODEL_DIR

    if "--en-accurate" in sys.argv:
        from sentiment_data import en_val

        print("sentiment-en-accurate", json.dumps(measure_en_accurate(en_val()[0])))
        return

    root = data_path("youtube_spam_collection")
    comments = []
    for f in sorted(root.glob("Youtube0*.csv")):
        comments += pd.read_csv(f, dtype=str, keep_default_na=False)["CONTENT"].tolist()
    sents = [
        s.find("text").text
        for s in ET.parse(data_path("semeval2014_absa/Restaurants_Train_v2.xml"))
        .getroot()
        .iter("sentence")
    ]
    print("spam", json.dumps(measure_spam(MODEL_DIR / "spam_en.npz", comments)))
    print(
        "aspects",
        json.dumps(measure_aspects(MODEL_DIR / "aspects_semeval14_restaurants.npz", sents)),
    )


if __name__ == "__main__":
    main()
