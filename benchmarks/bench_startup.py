"""Benchmark: how long the quick commands take to answer, against importing pandas.

Runs each command as a user would, in a fresh process (median of ``--repeat`` runs, 5 by
default), and prints the wall time of

- ``ripplemeter --help``, ``ripplemeter --version`` and ``ripplemeter formats`` (through
  ``python -m ripplemeter.cli``, so that the venv's console script is not needed);
- the peer, ``python -c "import pandas"``: what any pandas-based tool pays before it can
  answer;
- ``python -c "pass"``: the interpreter alone;

with each command's ratio to the peer. The target is "well under a second" and below the
peer (ratio < 1). Times vary with the machine and its load: the ratios are the report; the
test suite never asserts a time (tests/test_startup.py checks which modules load instead).

Usage
-----
::

    .venv/bin/python benchmarks/bench_startup.py
    .venv/bin/python benchmarks/bench_startup.py --repeat 9
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "ripplemeter --help": [sys.executable, "-m", "ripplemeter.cli", "--help"],
    "ripplemeter --version": [sys.executable, "-m", "ripplemeter.cli", "--version"],
    "ripplemeter formats": [sys.executable, "-m", "ripplemeter.cli", "formats"],
    "python -c 'import pandas' (peer)": [sys.executable, "-c", "import pandas"],
    "python -c 'pass'": [sys.executable, "-c", "pass"],
}
PEER = "python -c 'import pandas' (peer)"


def wall(cmd: list[str]) -> float:
    """Seconds from start to exit of one fresh process (its output discarded)."""
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5, help="runs of each command (median)")
    args = ap.parse_args()
    for cmd in COMMANDS.values():  # warm the file cache and .pyc files once
        wall(cmd)
    medians = {}
    for name, cmd in COMMANDS.items():
        runs = [wall(cmd) for _ in range(args.repeat)]
        medians[name] = statistics.median(runs)
    peer = medians[PEER]
    width = max(len(n) for n in COMMANDS)
    print(f"{'command':<{width}}  median s  / peer   (median of {args.repeat} fresh processes)")
    for name, t in medians.items():
        print(f"{name:<{width}}  {t:8.3f}  {t / peer:6.2f}")


if __name__ == "__main__":
    main()
