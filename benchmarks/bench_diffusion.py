"""Monte Carlo Independent Cascade throughput: ripplemeter against cynetdiff.

Same graph (NetHEPT with its given probabilities, self-loops dropped and parallel edges
combined by ripplemeter's reader, because cynetdiff refuses self-loops), same seeds (the
top-k nodes by out-degree), same number of runs. Every configuration runs in its own
subprocess, after a warm-up call, so numba compilation (cached on disk) and imports are
not timed. Configurations are interleaved over several rounds and the best round is kept,
since other work on the machine can only slow a round down.

Usage::

    .venv/bin/python benchmarks/bench_diffusion.py [--runs 20000] [--seeds 50] [--rounds 3]

Prints runs/s per configuration (best and median round), the CPU cores the process
actually got (CPU time / wall time), runs per CPU-second, the spread means (both
simulators must agree within a few standard errors) and the ratios ours / cynetdiff.
Targets: >= 1.0 on one core and >= 1.8 on two (wall clock, on an otherwise idle machine).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from array import array

import numpy as np

from ripplemeter.datasets import data_path
from ripplemeter.network.graph import read_edgelist

GRAPH = "nethept/NetHEPT.txt"


def load(k: int):
    g = read_edgelist(data_path(GRAPH))
    seeds = np.argsort(-g.out_degree(), kind="stable")[:k].astype(np.int64)
    return g, seeds


def worker(name: str, n_jobs: int, runs: int, k: int) -> dict:
    g, seeds = load(k)
    if name == "ours":
        from ripplemeter.network.diffusion import simulate_from_indices

        simulate_from_indices(g, seeds, "ic", 200, random_state=1, n_jobs=n_jobs)  # warm-up
        cpu, start = _cpu(), time.perf_counter()
        est = simulate_from_indices(g, seeds, "ic", runs, random_state=0, n_jobs=n_jobs)
        seconds, cpu = time.perf_counter() - start, _cpu() - cpu
        return {"mean": est.mean, "stderr": est.stderr, "seconds": seconds, "cpu": cpu}
    from cynetdiff.models import IndependentCascadeModel

    model = IndependentCascadeModel(
        array("I", g.indptr[:-1].tolist()),
        array("I", g.indices.tolist()),
        activation_probs=array("f", g.probs.tolist()),
        rng=0,
    )
    seed_list = [int(s) for s in seeds]
    model.compute_marginal_gains(seed_list, [], 200)  # warm-up
    cpu, start = _cpu(), time.perf_counter()
    (mean,) = model.compute_marginal_gains(seed_list, [], runs)  # its fastest loop (C++)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    return {"mean": float(mean), "stderr": math.nan, "seconds": seconds, "cpu": cpu}


def _cpu() -> float:
    """CPU seconds used by this process so far (all threads)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run_config(name: str, n_jobs: int, runs: int, k: int) -> dict:
    cmd = [
        sys.executable,
        os.path.abspath(__file__),
        "--worker",
        name,
        "--n-jobs",
        str(n_jobs),
        "--runs",
        str(runs),
        "--seeds",
        str(k),
    ]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=20000)
    ap.add_argument("--seeds", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--worker", choices=["ours", "cynetdiff"])
    ap.add_argument("--n-jobs", type=int, default=1)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.n_jobs, args.runs, args.seeds)))
        return

    t = time.perf_counter()
    g, _ = load(args.seeds)
    read_s = time.perf_counter() - t
    print(f"graph: {GRAPH}  n={g.n} m={g.m} (read in {read_s:.2f} s; {g.stats.lines_read} lines,")
    print(
        f"       {g.stats.self_loops_dropped} self-loops dropped, "
        f"{g.stats.parallel_edges_combined} parallel edges combined), given probabilities"
    )
    try:
        t = time.perf_counter()
        big = read_edgelist(data_path("snap_soc_slashdot0902/soc-Slashdot0902.txt.gz"))
        print(f"read_edgelist soc-Slashdot0902.txt.gz: {time.perf_counter() - t:.2f} s "
              f"({big.stats.lines_read} lines, m={big.m})")  # fmt: skip
    except LookupError:
        pass
    print(f"seeds: top-{args.seeds} by out-degree; runs per measurement: {args.runs}; "
          f"rounds: {args.rounds}; cpus: {os.cpu_count()}")  # fmt: skip

    configs = [("cynetdiff", 1), ("ours", 1), ("ours", 2)]
    results: dict = {c: [] for c in configs}
    for _ in range(args.rounds):
        for name, jobs in configs:
            results[(name, jobs)].append(run_config(name, jobs, args.runs, args.seeds))

    print()
    print(
        f"{'simulator':<22}{'best runs/s':>12}{'median':>9}{'cores used':>11}"
        f"{'runs/cpu-s':>12}  mean spread"
    )
    best = {}
    per_cpu = {}
    used_by = {}
    for (name, jobs), rs in results.items():
        rates = [args.runs / r["seconds"] for r in rs]
        top = max(range(len(rs)), key=lambda i: rates[i])
        best[(name, jobs)] = rates[top]
        per_cpu[(name, jobs)] = max(args.runs / r["cpu"] for r in rs)
        used = rs[top]["cpu"] / rs[top]["seconds"]
        used_by[(name, jobs)] = used
        se = rs[0]["stderr"]
        se_s = f" ± {se:.2f}" if not math.isnan(se) else ""
        label = f"{name} (n_jobs={jobs})"
        print(
            f"{label:<22}{rates[top]:>12.0f}{statistics.median(rates):>9.0f}{used:>11.2f}"
            f"{per_cpu[(name, jobs)]:>12.0f}  {statistics.mean(r['mean'] for r in rs):.2f}{se_s}"
        )
    cy = best[("cynetdiff", 1)]
    print()
    print(f"ratio ours n_jobs=1 / cynetdiff: {best[('ours', 1)] / cy:.2f}  (target >= 1.0)")
    print(f"ratio ours n_jobs=2 / cynetdiff: {best[('ours', 2)] / cy:.2f}  (target >= 1.8)")
    print(f"scaling ours 2 threads / 1 thread: {best[('ours', 2)] / best[('ours', 1)]:.2f}")
    print(
        "work per CPU-second, ours n_jobs=2 / n_jobs=1: "
        f"{per_cpu[('ours', 2)] / per_cpu[('ours', 1)]:.2f} (1.0 = no parallel overhead)"
    )
    short = [f"{n} n_jobs={j}" for (n, j), u in used_by.items() if u < 0.9 * j]
    if short:
        print(
            f"note: other work shared the cores during {', '.join(short)} ('cores used' "
            "below n_jobs); wall-clock figures are then low: rerun on a quiet machine"
        )


if __name__ == "__main__":
    main()
