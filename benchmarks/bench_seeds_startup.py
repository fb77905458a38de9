"""First-run and warm times of ``ripplemeter seeds`` on NetHEPT (issue 7, item 11).

Every case runs the real command line in a fresh process, with ``NUMBA_CACHE_DIR`` set to a
temporary folder, so numba's cache is what the case says it is:

* ``cold``: an empty cache, as after a fresh install: the command compiles its kernels
  first (and says so on stderr);
* ``after warmup``: ``python -m ripplemeter.network.warmup`` (what ``make demo`` runs) filled
  the cache first; the warmup's own time is printed beside it;
* ``warm``: the same command again on the cache the cold run left.

Then, on the warm cache, the spread check's cost: the default (batches of 1,000 runs until
the 95 % interval is within 1 % of the mean) against ``--mc-runs 10000`` (the fixed count
used before), on NetHEPT and, with ``--slashdot``, on soc-Slashdot0902 (weighted cascade).

Usage::

    .venv/bin/python benchmarks/bench_seeds_startup.py              # NetHEPT (about 1-2 min)
    .venv/bin/python benchmarks/bench_seeds_startup.py --slashdot   # + Slashdot (+1-2 min)

Prints wall-clock seconds and ratios; never part of the test pass/fail. The machine may be
shared, so each warm case is run ``--repeat`` times and the fastest is kept; cold cases run
once (a second run would not be cold).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).with_name("ripplemeter")


#: CPU seconds (user + system) of the last run's process, beside its wall-clock time: on a
#: shared machine the wall clock also counts the waiting.
LAST_CPU = [0.0]


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run(args: list[str], cache: str) -> tuple[float, dict, str]:
    env = {**os.environ, "NUMBA_CACHE_DIR": cache}
    c0 = _children_cpu()
    t0 = time.perf_counter()
    res = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - t0
    LAST_CPU[0] = _children_cpu() - c0
    if res.returncode != 0:
        sys.exit(f"failed ({res.returncode}): {' '.join(args)}\n{res.stderr}")
    try:
        doc = json.loads(res.stdout)
    except json.JSONDecodeError:
        doc = {}
    return seconds, doc, res.stderr


def seeds_cmd(path: Path, *extra: str) -> list[str]:
    return [str(BIN), "seeds", str(path), "--k", "50", "--json", *extra]


def best(args: list[str], cache: str, repeat: int) -> tuple[float, dict, float]:
    """Fastest of `repeat` runs: (wall seconds, JSON output, CPU seconds)."""
    runs = []
    for _ in range(repeat):
        t, doc, _ = run(args, cache)
        runs.append((t, doc, LAST_CPU[0]))
    return min(runs, key=lambda r: r[0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--slashdot", action="store_true", help="also time Slashdot")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each warm case")
    opts = ap.parse_args()

    from ripplemeter.datasets import data_path

    nethept = data_path("nethept/NetHEPT.txt")
    print(f"ripplemeter seeds {nethept.name} --k 50 (each a fresh process; NUMBA_CACHE_DIR)")
    with tempfile.TemporaryDirectory() as cold_dir, tempfile.TemporaryDirectory() as pre_dir:
        t_cold, _, err = run(seeds_cmd(nethept), cold_dir)
        c_cold = LAST_CPU[0]
        said = "compiling the seeding kernels" in err
        t_warm, doc, c_warm = best(seeds_cmd(nethept), cold_dir, opts.repeat)
        c0 = _children_cpu()
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "ripplemeter.network.warmup"],
            env={**os.environ, "NUMBA_CACHE_DIR": pre_dir},
            check=True,
            capture_output=True,
        )
        t_warmup, c_warmup = time.perf_counter() - t0, _children_cpu() - c0
        t_after, _, err_after = run(seeds_cmd(nethept), pre_dir)
        c_after = LAST_CPU[0]
        print("  case                                   wall s    CPU s")
        print(f"  cold cache (first run after install) {t_cold:8.2f} {c_cold:8.2f}   said: {said}")
        print(f"  warmup (make demo)                   {t_warmup:8.2f} {c_warmup:8.2f}")
        print(
            f"  first run after the warmup           {t_after:8.2f} {c_after:8.2f}   "
            f"compiled again: {'compiling' in err_after}"
        )
        print(f"  warm cache (best of {opts.repeat})             {t_warm:8.2f} {c_warm:8.2f}")
        print(f"  cold / warm: {t_cold / t_warm:.1f}x wall, {c_cold / c_warm:.1f}x CPU")
        sp = doc["spread"]
        print(
            f"  spread {sp['mean']:,.1f} ± {sp['relative_half_width']:.2%} from {sp['runs']:,} "
            f"runs ({sp['stopping']})"
        )

        cases = [("NetHEPT", nethept, [])]
        if opts.slashdot:
            cases.append(
                (
                    "Slashdot",
                    data_path("snap_soc_slashdot0902/soc-Slashdot0902.txt.gz"),
                    ["--probability", "wc"],
                )
            )
        print("\nthe spread check: default rule against --mc-runs 10000 (warm cache)")
        for label, path, extra in cases:
            t_seq, d_seq, c_seq = best(seeds_cmd(path, *extra), cold_dir, opts.repeat)
            t_fix, d_fix, c_fix = best(
                seeds_cmd(path, *extra, "--mc-runs", "10000"), cold_dir, opts.repeat
            )
            s, f = d_seq["spread"], d_fix["spread"]
            print(
                f"  {label:9s} 1% rule: {t_seq:6.2f} s wall, {c_seq:6.2f} s CPU, {s['runs']:,} "
                f"runs, {s['mean']:,.1f} ± {s['relative_half_width']:.2%}\n"
                f"  {'':9s} fixed:   {t_fix:6.2f} s wall, {c_fix:6.2f} s CPU, {f['runs']:,} "
                f"runs, {f['mean']:,.1f} ± {f['relative_half_width']:.2%}   "
                f"(fixed / rule: {t_fix / t_seq:.2f}x wall, {c_fix / c_seq:.2f}x CPU)"
            )


if __name__ == "__main__":
    main()
