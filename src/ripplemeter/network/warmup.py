"""Compile the numba kernels of :mod:`ripplemeter.network` ahead of time, into numba's cache.

The kernels are compiled the first time they run and kept in numba's on-disk cache
(``cache=True``: next to the modules in ``__pycache__``, or in ``NUMBA_CACHE_DIR``). The
first ``ripplemeter seeds`` after an install therefore spends most of its time compiling
(about 20 to 30 s on NetHEPT against 2 to 3 s warm). :func:`compile_kernels` runs every
kernel once on a tiny made-up graph and a tiny repost file so that the compiled code is
cached before anyone waits for it; ``make demo`` calls it through
``python -m ripplemeter.network.warmup``. :func:`cold_kernels` tells whether a command is
about to compile, so that it can say so on screen.

Numba keys a cached kernel by its argument types, so compiling on a tiny graph serves
every graph: all graphs have the same array types (int64 offsets, int32 neighbours,
float64 probabilities).
"""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Callable

__all__ = ["CASCADE_KERNELS", "SEEDING_KERNELS", "cold_kernels", "compile_kernels", "main"]

#: The numba kernels ``ripplemeter seeds`` and the seeding section call from Python, by
#: module (kernels they call from inside compiled code are compiled with them).
SEEDING_KERNELS: dict[str, tuple[str, ...]] = {
    "ripplemeter.network.rrsets": (
        "_sample_parallel",
        "_inverted",
        "_covered_count",
        "_greedy",
        "_budgeted",
    ),
    "ripplemeter.network.diffusion": ("_ic_runs", "_lt_runs"),
}

#: The numba kernels ``ripplemeter cascades`` and the propagation section call.
CASCADE_KERNELS: dict[str, tuple[str, ...]] = {
    "ripplemeter.network.cascades": ("_break_cycles", "_layout", "_tree_metrics"),
}

_GROUPS = {"seeding": SEEDING_KERNELS, "cascades": CASCADE_KERNELS}


def cold_kernels(group: str = "seeding") -> list[str]:
    """The kernels of `group` that have no compiled version in numba's cache.

    Parameters
    ----------
    group : {"seeding", "cascades"}

    Returns
    -------
    list of str
        ``module.kernel`` names; empty when everything is cached (or when numba's cache
        cannot be inspected, in which case nothing is claimed).

    Notes
    -----
    A cache entry written by another numba version, for changed source code or for
    another CPU is not counted as cached (numba's own index check); one compiled for other
    argument types is, which :func:`compile_kernels` makes irrelevant.
    """
    cold = []
    for module, names in _GROUPS[group].items():
        mod = importlib.import_module(module)
        for name in names:
            try:
                index = getattr(mod, name)._cache._cache_file._load_index()
            except Exception:  # numba internals moved: say nothing rather than guess
                return []
            if not index:
                cold.append(f"{module.rsplit('.', 1)[-1]}.{name}")
    return cold


def _seeding_workload() -> None:
    import numpy as np

    from ripplemeter.network.diffusion import estimate_spread
    from ripplemeter.network.graph import from_edges
    from ripplemeter.network.seeding import select_seeds

    rng = np.random.default_rng(7)
    src = rng.integers(0, 40, size=160)
    dst = rng.integers(0, 40, size=160)
    g = from_edges(src, dst, rng.uniform(0.05, 0.4, size=160))
    costs = {int(v): float(1 + v % 3) for v in g.ids}
    for model in ("ic", "lt"):
        h = g.with_probabilities("lt") if model == "lt" else g
        select_seeds(h, 2, model=model, mc_runs=None)
        select_seeds(h, 2, model=model, algorithm="opim-c", mc_runs=200)
        select_seeds(
            h,
            model=model,
            costs=costs,
            budget=4.0,
            candidates=list(g.ids[:30]),
            forced=[g.ids[0]],
            mc_runs=0,
        )
        estimate_spread(h, [g.ids[1]], model, runs=100)


def _cascade_workload() -> None:
    import pandas as pd

    from ripplemeter.network.cascades import build_cascades

    frame = pd.DataFrame(
        {
            "post_id": ["r", "a", "b", "c"],
            "parent_id": [None, "r", "a", "r"],
            "root_id": ["r", "r", "r", "r"],
            "account_id": ["u0", "u1", "u2", "u3"],
            "created_at": pd.to_datetime(
                ["2024-01-01 00:00", "2024-01-01 00:05", "2024-01-01 00:09", "2024-01-01 01:00"]
            ),
        }
    )
    build_cascades(frame).metrics_frame()


def compile_kernels(
    groups: tuple[str, ...] = ("seeding", "cascades"),
    *,
    progress: Callable[[str], None] | None = None,
) -> dict[str, float]:
    """Run every kernel of `groups` once on tiny inputs, so numba compiles and caches them.

    Parameters
    ----------
    groups : tuple of {"seeding", "cascades"}
    progress : callable, optional
        Called with a plain sentence before each group (for a status line).

    Returns
    -------
    dict
        Seconds spent per group (a few tenths when the cache was already warm).

    Raises
    ------
    ValueError
        An unknown group name.
    """
    work = {"seeding": _seeding_workload, "cascades": _cascade_workload}
    out: dict[str, float] = {}
    for group in groups:
        if group not in work:
            raise ValueError(f"unknown kernel group '{group}'; expected seeding or cascades")
        if progress is not None:
            progress(f"compiling the {group} kernels")
        t0 = time.perf_counter()
        work[group]()
        out[group] = time.perf_counter() - t0
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m ripplemeter.network.warmup``: compile and cache all kernels, report on
    stderr."""
    from rich.console import Console

    err = Console(stderr=True)
    cold = cold_kernels("seeding") + cold_kernels("cascades")
    if not cold:
        err.print("numba kernels: already compiled and cached", highlight=False)
        return 0
    with err.status(
        "Compiling the seeding and cascade kernels once (about half a minute); later runs "
        "load them from numba's cache"
    ):
        seconds = compile_kernels()
    err.print(
        f"numba kernels compiled and cached in {sum(seconds.values()):.1f} s",
        highlight=False,
    )
    return 0


if __name__ == "__main__":  # pragma: no cover - command line
    sys.exit(main(sys.argv[1:]))
