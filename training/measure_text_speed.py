"""Measure the spam filter and the learned aspect model on 20,000 texts (one core).

Each model is loaded, warmed up on 200 texts (the numba kernel is compiled or read from its
cache), then timed on ``n`` texts made by cycling real comments or sentences: wall-clock
seconds (``time.perf_counter``) and this process's CPU seconds (``time.process_time``), since
the machine is shared and wall time alone can mislead. The training scripts call these
functions to write the speed into the model cards; run alone it prints both.

Usage: ``NUMBA_NUM_THREADS=1 .venv/bin/python training/measure_text_speed.py``
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


def main() -> None:
    import xml.etree.ElementTree as ET

    import pandas as pd

    from ripplemeter.datasets import data_path
    from ripplemeter.text.aspects import MODEL_DIR

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
