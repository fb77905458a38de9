"""Annotate one million generated comments (English, Chinese, Korean) through the workspace.

Usage::

    .venv/bin/python benchmarks/bench_annotate.py            # 1,000,000 comments
    .venv/bin/python benchmarks/bench_annotate.py --n 50000  # a quick run

A child process generates the comments with the demo's seeded sentence generator
(:func:`ripplemeter.demo._comment_text`: sentences of each sentiment, contrasts, emoji, spam
with links), adds what makes real comment streams mostly distinct (an @-mention, an order
number, a day count), and stores them as ``posts`` of a DuckDB workspace. This process then
runs :func:`ripplemeter.text.annotate.annotate_workspace` over the workspace (language id,
sentiment with the fast tier, spam, aspects; rows written back in one transaction) and
prints the time of each task, docs/s overall, and the peak resident memory of this process
and of its largest child process (the generator's or a spam worker's). A second run over the same workspace
checks that nothing is added. Timing figures are printed, never asserted (tests do not time).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from pathlib import Path


def generate(path: str, n: int, seed: int = 11) -> dict:
    """Write ``n`` comments as posts of a new workspace at ``path`` (run in a child)."""
    import numpy as np
    import pyarrow as pa

    from ripplemeter.demo import _SPAM_TEXTS, _comment_text
    from ripplemeter.workspace import Workspace

    rng = np.random.default_rng(seed)
    langs = rng.choice(["en", "zh", "ko"], size=n, p=[0.5, 0.3, 0.2])
    moods = rng.choice(["positive", "neutral", "negative"], size=n, p=[0.5, 0.25, 0.25])
    spam = rng.random(n) < 0.04
    extra = rng.random(n)
    handles = rng.integers(1, 200_000, n)
    numbers = rng.integers(2, 99_999, n)
    texts = []
    for i in range(n):
        if spam[i]:
            t = _SPAM_TEXTS[i % len(_SPAM_TEXTS)].format(t=int(numbers[i]))
        else:
            t = _comment_text(rng, str(langs[i]), str(moods[i]))
            if extra[i] < 0.45:
                t = f"@user{handles[i]} {t}"
            elif extra[i] < 0.7:
                t = {
                    "en": f"{t} (order #{numbers[i]})",
                    "zh": f"{t} 订单{numbers[i]}",
                    "ko": f"{t} 주문번호 {numbers[i]}",
                }[str(langs[i])]
            elif extra[i] < 0.8:
                t = {
                    "en": f"Day {numbers[i] % 40}: {t}",
                    "zh": f"第{numbers[i] % 40}天:{t}",
                    "ko": f"{numbers[i] % 40}일차: {t}",
                }[str(langs[i])]
        texts.append(t)
    ids = [f"bench:{i}" for i in range(n)]
    start = np.datetime64("2026-03-01T00:00:00")
    created = start + rng.integers(0, 31 * 86400, n).astype("timedelta64[s]")
    table = pa.table(
        {
            "post_id": ids,
            "platform": ["bench"] * n,
            "channel": ["microblog"] * n,
            "created_at": pa.array(created.astype("datetime64[us]")),
            "text": texts,
        }
    )
    with Workspace(path) as ws:
        ws.con.register("_bench", table)
        ws.con.execute(
            "INSERT INTO posts (post_id, platform, channel, created_at, text, import_id) "
            "SELECT post_id, platform, channel, created_at, text, 1 FROM _bench"
        )
    return {"n": n, "distinct": len(set(texts))}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="comments to generate")
    ap.add_argument("--keep", type=Path, default=None, help="workspace file to keep")
    args = ap.parse_args(argv)

    tmp = tempfile.TemporaryDirectory()
    path = str(args.keep or Path(tmp.name) / "bench.duckdb")
    t0 = time.perf_counter()
    with mp.get_context("spawn").Pool(1) as pool:
        info = pool.apply(generate, (path, args.n))
    print(
        f"generated {info['n']:,} comments ({info['distinct']:,} distinct texts) in "
        f"{time.perf_counter() - t0:.1f} s",
        flush=True,
    )

    from ripplemeter.text.annotate import annotate_workspace
    from ripplemeter.workspace import Workspace

    marks: dict[str, float] = {}

    def tick(task: str, done: int, total: int) -> None:
        now = time.perf_counter()
        marks.setdefault(task + ":start", now)
        if done >= total:
            marks[task + ":end"] = now

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with Workspace(path) as ws:
        t = time.perf_counter()
        res = annotate_workspace(ws, progress=tick)
        total = time.perf_counter() - t
        again = annotate_workspace(ws)
        by_task = ws.sql("SELECT task, count(*) AS n FROM annotations GROUP BY task ORDER BY task")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"annotated {res.subjects:,} texts in {total:.1f} s: {res.subjects / total:,.0f} docs/s")
    for task in ("language", "sentiment", "spam", "aspect"):
        if task + ":start" in marks and task + ":end" in marks:
            dt = marks[task + ":end"] - marks[task + ":start"]
            n = res.annotated.get(task, 0)
            rate = f"{n / dt:,.0f} docs/s" if dt > 0 else "-"
            print(f"  {task:<9} {n:>9,} texts {dt:7.1f} s  {rate}")
    print("  (spam runs in worker processes, one per core, beside language and sentiment)")
    print(
        f"rows stored: {res.rows:,} ({', '.join(f'{r.task} {r.n:,}' for r in by_task.itertuples())})"
    )
    print(f"second run added {again.rows} rows in {again.seconds:.1f} s")
    print(
        f"peak resident memory: {peak / 1024:,.0f} MiB in this process (before annotating: "
        f"{rss0 / 1024:,.0f} MiB); largest child (the generator or a spam worker): "
        f"{child / 1024:,.0f} MiB"
    )
    for n in res.notes:
        print("note:", n)
    per_million = total * 1_000_000 / max(res.subjects, 1)
    print(
        f"1,000,000 comments take {per_million:.0f} s at this rate: target 120 s "
        f"({'met' if per_million <= 120 else 'missed'}; ratio {per_million / 120:.2f})"
    )
    tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
