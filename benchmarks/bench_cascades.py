"""Cascade metrics: ripplemeter's linear-time kernels against a straightforward networkx run.

Generated cascades of 10,000, 100,000 and 1,000,000 nodes (seeded preferential-attachment
trees: each new repost picks its parent with probability proportional to 1 + the reposts
that post already has, half of them reposting the root directly; times grow along each
path). For every size, in a child process of its own (one core: NUMBA_NUM_THREADS=1 and
OMP/BLAS threads 1):

* ``build``: :func:`ripplemeter.network.cascades.build_cascades` from an in-memory posts
  frame (ids as strings, as the workspace gives them);
* ``metrics``: every metric once the CascadeSet is in memory: ``metrics_frame`` (size,
  depth, max breadth, structural virality, t50, t90, broadcast share, anomaly counts),
  ``breadth_frame``, ``growth_curve``, ``key_spreaders`` (per cascade and overall) and
  ``secondary_sources``;
* ``networkx`` (where it can finish: up to ``--nx-max`` nodes): the same figures from a
  ``DiGraph``: depth and breadth per level from ``shortest_path_length`` from the root,
  structural virality from ``average_shortest_path_length`` on the undirected tree (all
  pairs: quadratic), subtree sizes from ``descendants``, broadcast share, t50/t90.
  Figures must agree exactly (structural virality to 1e-9).

Then reading a 1,000,000-row ``reposts`` CSV (written once to ``benchmarks/_data/``) with
:func:`ripplemeter.formats.reposts.read_reposts` into a CascadeSet. When the public
Twitter15/16 trees are present and the ``twitter-trees`` format exists, all their cascades
are timed too (with networkx beside them).

Targets: metrics of the 1M-node cascade under 2 s on one core; reading the 1M-row CSV into
a CascadeSet under 5 s; the 1M / 100k time ratio near 10 (linear).

Usage::

    .venv/bin/python benchmarks/bench_cascades.py [--sizes 10000 100000 1000000] [--nx-max 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
NX_TWITTER = 100  # real cascades also measured with networkx (all pairs per tree)
ONE_CORE = {
    "NUMBA_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


# ----------------------------------------------------------------------------- data
def generate(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(parent, seconds, account) of a seeded preferential-attachment cascade of n nodes."""
    from numba import njit

    @njit(cache=True)
    def _pa(n, u_pick, u_root, gaps):  # pragma: no cover - numba
        parent = np.empty(n, np.int64)
        t = np.zeros(n)
        parent[0] = -1
        targets = np.empty(2 * n, np.int64)  # every node once, plus once per repost it drew
        m = 1
        targets[0] = 0
        for i in range(1, n):
            if u_root[i] < 0.5:
                p = 0
            else:
                p = targets[int(u_pick[i] * m)]
            parent[i] = p
            t[i] = t[p] + gaps[i]
            targets[m] = i
            targets[m + 1] = p
            m += 2
        return parent, t

    rng = np.random.default_rng(seed)
    parent, t = _pa(n, rng.random(n), rng.random(n), rng.exponential(600.0, n))
    accounts = rng.integers(0, max(n // 3, 1), n)
    return parent, t, accounts


def posts_frame(parent, seconds, accounts):
    import pandas as pd

    n = parent.size
    ids = np.char.add("p", np.arange(n).astype(str)).astype(object)
    pid = np.where(parent >= 0, ids[np.maximum(parent, 0)], None)
    start = np.datetime64("2026-03-01T00:00:00", "us")
    created = start + (seconds * 1e6).astype("timedelta64[us]")
    return pd.DataFrame(
        {
            "post_id": ids,
            "parent_id": pid,
            "account_id": np.char.add("u", accounts.astype(str)).astype(object),
            "created_at": created,
            "kind": np.where(parent >= 0, "repost", "original").astype(object),
        }
    )


def reposts_csv(n: int) -> Path:
    """A reposts CSV of n rows (written once)."""
    path = DATA / f"reposts_{n}.csv"
    if path.exists():
        return path
    DATA.mkdir(exist_ok=True)
    df = posts_frame(*generate(n, seed=1))
    df["created_at"] = df["created_at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    df["text"] = "RT so good"
    df[["post_id", "parent_id", "account_id", "created_at", "text"]].to_csv(path, index=False)
    return path


# ----------------------------------------------------------------------------- runs
def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ours(n: int) -> dict:
    from ripplemeter.network.cascades import build_cascades

    df = posts_frame(*generate(n))
    warm = build_cascades(posts_frame(*generate(50, seed=3)))
    _all_metrics(warm)  # numba compilation (cached on disk) is not timed
    base = _rss_mb()
    t0 = time.perf_counter()
    cs = build_cascades(df)
    t1 = time.perf_counter()
    figs = _all_metrics(cs)
    t2 = time.perf_counter()
    return {
        "build": t1 - t0,
        "metrics": t2 - t1,
        "peak_mb": _peak_mb() - base,
        "figures": figs,
    }


def _all_metrics(cs) -> dict:
    mf = cs.metrics_frame()
    cs.breadth_frame()
    cs.key_spreaders(10)
    cs.key_spreaders(10, overall=True)
    cs.secondary_sources(10)
    root = cs.roots[0]
    cs.growth_curve(root)
    row = mf.iloc[0]
    return {
        k: (None if row[k] != row[k] else float(row[k]))
        for k in ("size", "depth", "max_breadth", "structural_virality", "broadcast_share")
    } | {"t50": float(row["t50"]), "t90": float(row["t90"])}


def with_networkx(n: int) -> dict:
    import networkx as nx

    parent, seconds, _acc = generate(n)
    base = _rss_mb()
    t0 = time.perf_counter()
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from((int(p), i) for i, p in enumerate(parent) if p >= 0)
    root = next(v for v in g if g.in_degree(v) == 0)
    dist = nx.shortest_path_length(g, root)
    depth = max(dist.values())
    levels: dict[int, int] = {}
    for d in dist.values():
        levels[d] = levels.get(d, 0) + 1
    max_breadth = max((c for d, c in levels.items() if d > 0), default=0)
    sv = nx.average_shortest_path_length(g.to_undirected()) if n > 1 else 0.0
    subtree = {v: len(nx.descendants(g, v)) + 1 for v in g}
    broadcast = g.out_degree(root) / (n - 1)
    ts = sorted(seconds)
    t50 = ts[int(np.ceil(0.5 * n - 1e-9)) - 1]
    t90 = ts[int(np.ceil(0.9 * n - 1e-9)) - 1]
    _ = max(subtree.values())
    t1 = time.perf_counter()
    return {
        "networkx": t1 - t0,
        "peak_mb": _peak_mb() - base,
        "figures": {
            "size": float(n),
            "depth": float(depth),
            "max_breadth": float(max_breadth),
            "structural_virality": float(sv),
            "broadcast_share": float(broadcast),
            "t50": float(t50),
            "t90": float(t90),
        },
    }


def read_csv_run(n: int) -> dict:
    from ripplemeter.formats import SourceContext
    from ripplemeter.formats.reposts import read_reposts
    from ripplemeter.network.cascades import build_cascades

    path = reposts_csv(n)
    small = reposts_csv(1000)
    build_cascades(read_reposts(small, SourceContext(platform="x")).tables["posts"])  # warm-up
    t0 = time.perf_counter()
    rows = read_reposts(path, SourceContext(platform="x"))
    t1 = time.perf_counter()
    cs = build_cascades(rows.tables["posts"])
    t2 = time.perf_counter()
    cs.metrics_frame()
    t3 = time.perf_counter()
    return {"read": t1 - t0, "build": t2 - t1, "metrics": t3 - t2, "nodes": cs.summary["nodes"]}


def twitter_run() -> dict:
    from ripplemeter.datasets import DataUnavailable, data_path

    try:
        folder = data_path("twitter15_16_propagation")
    except DataUnavailable as exc:
        return {"skipped": f"public data not present: {exc}"}
    try:
        from ripplemeter.formats import twitter_trees  # noqa: F401
    except ImportError:
        return {
            "skipped": "the twitter-trees importer (ripplemeter.formats.twitter_trees) is not "
            "there yet; Twitter15+16 cascades not timed"
        }
    import pandas as pd

    from ripplemeter.formats import SourceContext, get_format
    from ripplemeter.network.cascades import build_cascades

    reader = get_format("twitter-trees").reader
    files = sorted(p for p in folder.rglob("*") if p.is_file() and "tree" in str(p.parent).lower())
    t0 = time.perf_counter()
    frames = []
    for f in files:
        try:
            frames.append(reader(f, SourceContext()).tables["posts"])
        except Exception:  # noqa: BLE001 - label/source files in the folder
            continue
    t1 = time.perf_counter()
    if not frames:
        return {"skipped": f"no tree files read by twitter-trees under {folder}"}
    posts = pd.concat(frames, ignore_index=True)
    _all_metrics(build_cascades(frames[0]))  # numba kernels loaded, not timed
    t2 = time.perf_counter()
    cs = build_cascades(posts)
    _all_metrics(cs)
    t3 = time.perf_counter()
    # networkx on a sample of the real cascades (all pairs per tree), ours on the same sample
    import networkx as nx

    mf = cs.metrics_frame().set_index("root_id")
    sample = cs.roots[:NX_TWITTER]
    t4 = time.perf_counter()
    for r in sample:
        c = cs[r]
        sub = build_cascades(
            pd.DataFrame(
                {"post_id": c.ids, "parent_id": [c.ids[p] if p >= 0 else None for p in c.parent]}
            )
        )
        sub.metrics_frame()
    t5 = time.perf_counter()
    worst = 0.0
    for r in sample:
        c = cs[r]
        g = nx.DiGraph((int(p), i) for i, p in enumerate(c.parent) if p >= 0)
        g.add_nodes_from(range(len(c)))
        dist = nx.shortest_path_length(g, 0)
        sv = nx.average_shortest_path_length(g.to_undirected()) if len(c) > 1 else 0.0
        row = mf.loc[r]
        levels = np.bincount(list(dist.values()))
        assert row["size"] == len(c) and row["depth"] == levels.size - 1
        assert row["max_breadth"] == (levels[1:].max() if levels.size > 1 else 0)
        worst = max(worst, abs(row["structural_virality"] - sv))
    t6 = time.perf_counter()
    return {
        "files": len(frames),
        "cascades": len(cs),
        "nodes": cs.summary["nodes"],
        "summary": cs.summary,
        "read": t1 - t0,
        "build_and_metrics": t3 - t2,
        "nx_sample": len(sample),
        "nx_sample_nodes": int(sum(len(cs[r]) for r in sample)),
        "ours_sample": t5 - t4,
        "nx": t6 - t5,
        "nx_worst_sv_diff": worst,
    }


# ----------------------------------------------------------------------------- parent
def child(args: list[str]) -> dict:
    env = {**os.environ, **ONE_CORE}
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"child {args} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--nx-max", type=int, default=10_000)
    ap.add_argument("--csv-rows", type=int, default=1_000_000)
    ap.add_argument("--child", nargs="+")
    a = ap.parse_args()
    if a.child:
        what, *rest = a.child
        fn = {"ours": ours, "networkx": with_networkx, "csv": read_csv_run}.get(what)
        res = twitter_run() if what == "twitter" else fn(int(rest[0]))
        print(json.dumps(res))
        return

    print(f"one core (NUMBA_NUM_THREADS=1); machine has {os.cpu_count()} cores")
    times = {}
    for n in a.sizes:
        r = child(["ours", str(n)])
        times[n] = r["metrics"]
        line = (
            f"{n:>9,} nodes: build {r['build']:.3f} s, all metrics {r['metrics']:.3f} s, "
            f"peak +{r['peak_mb']:.0f} MB"
        )
        if n <= a.nx_max:
            x = child(["networkx", str(n)])
            ours_total = r["build"] + r["metrics"]
            same = all(
                abs(r["figures"][k] - x["figures"][k]) <= 1e-9 * max(1.0, abs(x["figures"][k]))
                for k in x["figures"]
            )
            line += (
                f" | networkx {x['networkx']:.2f} s, peak +{x['peak_mb']:.0f} MB"
                f" | time networkx/ours {x['networkx'] / ours_total:.0f}x (build+metrics),"
                f" memory ours/networkx {r['peak_mb'] / max(x['peak_mb'], 1e-9):.2f}"
                f" | figures {'agree' if same else 'DIFFER: ' + json.dumps([r, x])}"
            )
        else:
            line += " | networkx: skipped (all-pairs paths are quadratic)"
        print(line, flush=True)
    if 100_000 in times and 1_000_000 in times:
        ratio = times[1_000_000] / times[100_000]
        print(f"metrics time 1M / 100k: {ratio:.1f} (linear growth: near 10)")
    if 1_000_000 in times:
        ok = "met" if times[1_000_000] < 2.0 else "MISSED"
        print(f"target all metrics at 1M < 2 s: {ok} ({times[1_000_000]:.3f} s)")
    c = child(["csv", str(a.csv_rows)])
    total = c["read"] + c["build"]
    ok = "met" if total < 5.0 else "MISSED"
    print(
        f"reposts CSV {a.csv_rows:,} rows -> CascadeSet: read {c['read']:.2f} s + build "
        f"{c['build']:.2f} s = {total:.2f} s (target < 5 s: {ok}); metrics {c['metrics']:.2f} s"
    )
    tw = child(["twitter"])
    if "skipped" in tw:
        print(f"Twitter15+16: skipped: {tw['skipped']}")
    else:
        print(
            f"Twitter15+16: {tw['files']} files, {tw['cascades']} cascades, {tw['nodes']:,} "
            f"nodes: read {tw['read']:.2f} s, build + all metrics {tw['build_and_metrics']:.3f} s"
        )
        print(f"Twitter15+16 anomalies: {json.dumps(tw['summary'])}")
        print(
            f"Twitter15+16, first {tw['nx_sample']} cascades ({tw['nx_sample_nodes']:,} nodes) one "
            f"by one: ours {tw['ours_sample']:.2f} s, networkx {tw['nx']:.2f} s "
            f"({tw['nx'] / tw['ours_sample']:.0f}x); size, depth, max breadth equal, structural "
            f"virality within {tw['nx_worst_sv_diff']:.1e}"
        )


if __name__ == "__main__":
    main()
