"""Expected spread of a seed set under the Independent Cascade and Linear Threshold models.

:func:`estimate_spread` (and :func:`simulate_ic`, :func:`simulate_lt`) run Monte Carlo
simulations in numba kernels, in parallel over run chunks; :func:`exact_spread` enumerates
all live-edge worlds of a tiny graph and is the reference the tests check them against.

Seeds are **original node ids** (as in the file or workspace), converted with
:meth:`Graph.index_of`; :func:`simulate_from_indices` takes internal indices for callers
that already work with them (seed selection).

Reproducibility: the runs are cut into a fixed number of chunks (independent of
``n_jobs``), and chunk ``c`` seeds its own xoshiro256+ generator with the ``c``-th word of
``numpy.random.SeedSequence(random_state)``. The same ``random_state`` therefore gives the
same estimate on one core or two.

How many runs: a whole number of runs is simulated exactly; ``runs=None`` simulates in
batches of :data:`SPREAD_BATCH_RUNS` and stops as soon as the 95 % interval's half-width is
at most :data:`SPREAD_PRECISION` (1 %) of the mean, or at :data:`SPREAD_MAX_RUNS` runs
(a fixed-width sequential interval, Chow & Robbins 1965). ``SpreadEstimate.runs`` says how
many were used and ``SpreadEstimate.precision`` which rule stopped them.

References
----------
Kempe, Kleinberg, Tardos. "Maximizing the Spread of Influence through a Social Network."
KDD 2003.

Chow, Robbins. "On the Asymptotic Theory of Fixed-Width Sequential Confidence Intervals
for the Mean." The Annals of Mathematical Statistics 36(2), 1965.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np
from numba import njit, prange

from ripplemeter.errors import GraphError
from ripplemeter.network.graph import Graph

__all__ = [
    "SPREAD_BATCH_RUNS",
    "SPREAD_MAX_RUNS",
    "SPREAD_PRECISION",
    "SpreadEstimate",
    "estimate_spread",
    "exact_spread",
    "simulate_from_indices",
    "simulate_ic",
    "simulate_lt",
]

#: Runs are split into at most this many chunks, each with its own generator seed.
N_CHUNKS = 64

#: Sequential stopping (``runs=None``): stop once the 95 % interval's half-width is at most
#: this share of the mean.
SPREAD_PRECISION = 0.01
#: Sequential stopping: runs simulated between two looks at the interval (also the fewest
#: runs an estimate uses, so that the standard deviation is itself well estimated).
SPREAD_BATCH_RUNS = 1000
#: Sequential stopping: the most runs simulated when the interval stays wider than the
#: target (the fixed number of runs used before sequential stopping existed).
SPREAD_MAX_RUNS = 10_000

#: z value of a two-sided 95 % normal interval.
Z95 = 1.959963984540054

#: Largest edge count :func:`exact_spread` accepts (it enumerates up to 2**m worlds).
EXACT_MAX_EDGES = 20


@dataclass
class SpreadEstimate:
    """A Monte Carlo estimate of the expected number of activated nodes.

    Attributes
    ----------
    mean : float
        Average number of active nodes at the end of a run, seeds included.
    stderr : float
        Standard error of the mean: sample standard deviation / sqrt(runs) (NaN for one
        run).
    runs : int
        Number of simulated cascades.
    model : str
        ``"ic"`` or ``"lt"``.
    seconds : float
        Wall-clock time of the simulation.
    precision : float or None
        ``None`` when a fixed number of runs was asked for; else the sequential rule's
        target: runs stopped once the 95 % half-width was at most ``precision * mean``
        (or at the run cap; :attr:`converged` says which).
    """

    mean: float
    stderr: float
    runs: int
    model: str
    seconds: float
    precision: float | None = None

    @property
    def ci95(self) -> tuple[float, float]:
        """Normal-approximation 95 % confidence interval ``mean ± 1.96 stderr``."""
        half = self.half_width
        return (self.mean - half, self.mean + half)

    @property
    def half_width(self) -> float:
        """Half-width of the 95 % interval, ``1.96 stderr``, in nodes (NaN for one run)."""
        return Z95 * self.stderr

    @property
    def relative_half_width(self) -> float:
        """Half-width of the 95 % interval as a share of the mean (0.01 = within 1 %).

        0.0 when every run gave the same size (including a mean of 0), NaN for one run.
        """
        if self.stderr == 0:
            return 0.0
        return self.half_width / self.mean if self.mean > 0 else math.inf

    @property
    def converged(self) -> bool | None:
        """Sequential runs only: whether the interval met ``precision`` before the cap."""
        if self.precision is None:
            return None
        return bool(self.relative_half_width <= self.precision)

    @property
    def runs_per_second(self) -> float:
        """Simulation throughput."""
        return self.runs / self.seconds if self.seconds > 0 else math.inf


# ---------------------------------------------------------------------------- kernels
# Random numbers: xoshiro256+ (Blackman & Vigna, "Scrambled linear pseudorandom number
# generators", ACM TOMS 2021), its state seeded by splitmix64 from one 32-bit word of
# numpy's SeedSequence per chunk. The four state words are local variables of the chunk
# loop (registers, no memory shared between threads), so a draw costs a few instructions;
# numba's np.random (MT19937 behind a thread-local lookup) made the IC kernel about twice
# as slow.
@njit(cache=True, inline="always")
def _rng_seed(seed):  # pragma: no cover
    z = np.uint64(seed)
    out = [np.uint64(0)] * 4
    for k in range(4):
        z = z + np.uint64(0x9E3779B97F4A7C15)
        t = z
        t = (t ^ (t >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        t = (t ^ (t >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        out[k] = t ^ (t >> np.uint64(31))
    return out[0], out[1], out[2], out[3]


@njit(cache=True, inline="always")
def _rng_next(s0, s1, s2, s3):  # pragma: no cover
    """One xoshiro256+ step: (new state..., double uniform on [0, 1) with 53 bits)."""
    result = s0 + s3
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = (s3 << np.uint64(45)) | (s3 >> np.uint64(19))
    return s0, s1, s2, s3, float(result >> np.uint64(11)) * 1.1102230246251565e-16


@njit(cache=True, parallel=True)
def _ic_runs(indptr, indices, probs, seeds, n, chunk_runs, chunk_seeds):  # pragma: no cover
    n_chunks = chunk_runs.shape[0]
    means = np.zeros(n_chunks)
    m2s = np.zeros(n_chunks)
    for c in prange(n_chunks):
        s0, s1, s2, s3 = _rng_seed(chunk_seeds[c])
        stamp = np.zeros(n, np.int32)
        queue = np.empty(n, np.int32)
        mean = 0.0
        m2 = 0.0
        for r in range(chunk_runs[c]):
            mark = r + 1
            tail = 0
            for s in seeds:
                if stamp[s] != mark:
                    stamp[s] = mark
                    queue[tail] = s
                    tail += 1
            head = 0
            while head < tail:
                u = queue[head]
                head += 1
                for e in range(indptr[u], indptr[u + 1]):
                    v = indices[e]
                    if stamp[v] != mark:
                        s0, s1, s2, s3, x = _rng_next(s0, s1, s2, s3)
                        if x < probs[e]:
                            stamp[v] = mark
                            queue[tail] = v
                            tail += 1
            size = float(tail)
            delta = size - mean
            mean += delta / (r + 1)
            m2 += delta * (size - mean)
        means[c] = mean
        m2s[c] = m2
    return means, m2s


@njit(cache=True, parallel=True)
def _lt_runs(indptr, indices, weights, seeds, n, chunk_runs, chunk_seeds):  # pragma: no cover
    n_chunks = chunk_runs.shape[0]
    means = np.zeros(n_chunks)
    m2s = np.zeros(n_chunks)
    for c in prange(n_chunks):
        s0, s1, s2, s3 = _rng_seed(chunk_seeds[c])
        active = np.zeros(n, np.int32)
        touched = np.zeros(n, np.int32)
        threshold = np.empty(n, np.float64)
        acc = np.empty(n, np.float64)
        queue = np.empty(n, np.int32)
        mean = 0.0
        m2 = 0.0
        for r in range(chunk_runs[c]):
            mark = r + 1
            tail = 0
            for s in seeds:
                if active[s] != mark:
                    active[s] = mark
                    queue[tail] = s
                    tail += 1
            head = 0
            while head < tail:
                u = queue[head]
                head += 1
                for e in range(indptr[u], indptr[u + 1]):
                    v = indices[e]
                    if active[v] == mark:
                        continue
                    if touched[v] != mark:
                        touched[v] = mark
                        # threshold uniform on (0, 1]: weight sum 1 always activates
                        s0, s1, s2, s3, x = _rng_next(s0, s1, s2, s3)
                        threshold[v] = 1.0 - x
                        acc[v] = 0.0
                    acc[v] += weights[e]
                    if acc[v] >= threshold[v]:
                        active[v] = mark
                        queue[tail] = v
                        tail += 1
            size = float(tail)
            delta = size - mean
            mean += delta / (r + 1)
            m2 += delta * (size - mean)
        means[c] = mean
        m2s[c] = m2
    return means, m2s


@njit(cache=True)
def _reach(indptr, indices, live, seeds, n):  # pragma: no cover
    """Number of nodes reachable from seeds over edges with live[e] true."""
    seen = np.zeros(n, np.bool_)
    queue = np.empty(n, np.int64)
    tail = 0
    for s in seeds:
        if not seen[s]:
            seen[s] = True
            queue[tail] = s
            tail += 1
    head = 0
    while head < tail:
        u = queue[head]
        head += 1
        for e in range(indptr[u], indptr[u + 1]):
            if live[e] and not seen[indices[e]]:
                seen[indices[e]] = True
                queue[tail] = indices[e]
                tail += 1
    return tail


@njit(cache=True)
def _exact_ic(indptr, indices, probs, seeds, n):  # pragma: no cover
    m = indices.shape[0]
    live = np.zeros(m, np.bool_)
    total = 0.0
    for mask in range(1 << m):
        prob = 1.0
        for e in range(m):
            if (mask >> e) & 1:
                live[e] = True
                prob *= probs[e]
            else:
                live[e] = False
                prob *= 1.0 - probs[e]
        if prob > 0.0:
            total += prob * _reach(indptr, indices, live, seeds, n)
    return total


@njit(cache=True)
def _exact_lt(indptr, indices, probs, rev_indptr, rev_perm, seeds, n):  # pragma: no cover
    # Each node v independently keeps at most one in-edge: in-edge k with probability
    # w_k, none with probability 1 - sum_k w_k. Mixed-radix counter over the choices.
    m = indices.shape[0]
    live = np.zeros(m, np.bool_)
    choice = np.zeros(n, np.int64)  # choice[v] == in-degree means "no edge"
    total = 0.0
    while True:
        prob = 1.0
        live[:] = False
        for v in range(n):
            lo = rev_indptr[v]
            d = rev_indptr[v + 1] - lo
            if d == 0:
                continue
            if choice[v] < d:
                e = rev_perm[lo + choice[v]]
                live[e] = True
                prob *= probs[e]
            else:
                rest = 1.0
                for k in range(d):
                    rest -= probs[rev_perm[lo + k]]
                prob *= max(rest, 0.0)
        if prob > 0.0:
            total += prob * _reach(indptr, indices, live, seeds, n)
        # advance the counter
        v = 0
        while v < n:
            d = rev_indptr[v + 1] - rev_indptr[v]
            if d > 0 and choice[v] < d:
                choice[v] += 1
                break
            choice[v] = 0
            v += 1
        if v == n:
            break
    return total


# ---------------------------------------------------------------------------- helpers
def _seed_indices(graph: Graph, seeds: Any) -> np.ndarray:
    if seeds is None:
        raise GraphError("seeds must be a node id or a sequence of node ids, not None")
    idx = graph.index_of(seeds)
    return np.unique(idx).astype(np.int64)


def _threads(n_jobs: int | None) -> int:
    limit = numba.config.NUMBA_NUM_THREADS
    if n_jobs is None or n_jobs == -1:
        return limit
    if not isinstance(n_jobs, int | np.integer) or n_jobs < 1:
        raise GraphError(f"n_jobs must be a positive integer, -1 or None, not {n_jobs!r}")
    return min(int(n_jobs), limit)


def lt_in_weight_sums(graph: Graph) -> np.ndarray:
    """Sum of the in-edge weights of every node, shape (n,)."""
    return np.bincount(graph.indices, weights=graph.probs, minlength=graph.n)


def _check_lt_weights(graph: Graph) -> None:
    """Raise GraphError when some node's LT in-weights sum to more than 1."""
    insum = lt_in_weight_sums(graph)
    if insum.size and insum.max() > 1.0 + 1e-9:
        v = int(np.argmax(insum))
        raise GraphError(
            f"LT weights into node '{graph.ids[v]}' sum to {insum[v]:.6g} > 1; normalise them "
            "per node (graph.with_probabilities('lt'), or --probability lt on the command line)"
        )


def _chunk_plan(runs: int, random_state: Any) -> tuple[np.ndarray, np.ndarray]:
    n_chunks = min(runs, N_CHUNKS)
    base, extra = divmod(runs, n_chunks)
    chunk_runs = np.full(n_chunks, base, dtype=np.int64)
    chunk_runs[:extra] += 1
    seq = (
        random_state
        if isinstance(random_state, np.random.SeedSequence)
        else np.random.SeedSequence(random_state)
    )
    words = seq.generate_state(n_chunks, dtype=np.uint32)
    return chunk_runs, words.astype(np.int64)


def simulate_from_indices(
    graph: Graph,
    seed_indices: Any,
    model: str = "ic",
    runs: int | None = 10000,
    *,
    random_state: int | None = 0,
    n_jobs: int | None = 2,
    precision: float = SPREAD_PRECISION,
    max_runs: int = SPREAD_MAX_RUNS,
    batch_runs: int = SPREAD_BATCH_RUNS,
) -> SpreadEstimate:
    """Monte Carlo spread of seeds given as internal node indices.

    The same as :func:`estimate_spread` except that `seed_indices` are positions
    ``0 .. n-1`` (as produced by :meth:`Graph.index_of`), for callers that work on
    indices, e.g. seed selection.

    Parameters
    ----------
    runs : int or None
        A whole number: exactly that many runs. ``None``: batches of `batch_runs` runs
        until the 95 % half-width is at most ``precision * mean`` or `max_runs` runs were
        simulated (rounded up to whole batches).
    precision, max_runs, batch_runs
        The sequential rule's target (a share of the mean), run cap and batch size; used
        only when ``runs is None``.

    Raises
    ------
    GraphError
        Unknown model, runs < 1, an index outside ``0 .. n-1``, or LT weights into a node
        summing to more than 1.

    Notes
    -----
    Batch ``b`` seeds its chunks from ``SeedSequence(random_state, spawn_key=(b,))``, so a
    sequential estimate is reproducible and its batches independent; the per-chunk
    running moments of all batches are pooled (Chan, Golub, LeVeque 1979). Looking at the
    interval after every batch and stopping when it is narrow enough is the fixed-width
    sequential procedure of Chow and Robbins (1965), whose coverage tends to 95 % as the
    target narrows; the first look comes only after `batch_runs` runs.

    References
    ----------
    Chow, Robbins. "On the Asymptotic Theory of Fixed-Width Sequential Confidence
    Intervals for the Mean." The Annals of Mathematical Statistics 36(2), 1965.
    """
    model = model.lower()
    if model not in ("ic", "lt"):
        raise GraphError(f"unknown diffusion model '{model}'; expected 'ic' or 'lt'")
    sequential = runs is None
    if sequential:
        if not 0.0 < float(precision) < 1.0:
            raise GraphError(f"precision must lie in (0, 1), not {precision!r}")
        for name, value in (("max_runs", max_runs), ("batch_runs", batch_runs)):
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise GraphError(f"{name} must be a positive integer, not {value!r}")
    elif isinstance(runs, bool) or not isinstance(runs, int | np.integer) or runs < 1:
        raise GraphError(f"runs must be a positive integer, not {runs!r}")
    seeds = np.unique(np.asarray(seed_indices, dtype=np.int64).ravel())
    if seeds.size and (seeds[0] < 0 or seeds[-1] >= graph.n):
        raise GraphError(f"seed index outside 0..{graph.n - 1}")
    if model == "lt":
        _check_lt_weights(graph)
    threads = _threads(n_jobs)
    kernel = _ic_runs if model == "ic" else _lt_runs
    start = time.perf_counter()
    if not sequential:
        chunk_runs, chunk_seeds = _chunk_plan(int(runs), random_state)
        means, m2s = _run_chunks(kernel, graph, seeds, chunk_runs, chunk_seeds, threads)
        mean, stderr = _combine(chunk_runs, means, m2s)
        return SpreadEstimate(
            mean=mean,
            stderr=stderr,
            runs=int(runs),
            model=model,
            seconds=time.perf_counter() - start,
        )
    counts: list[np.ndarray] = []
    all_means: list[np.ndarray] = []
    all_m2s: list[np.ndarray] = []
    done = 0
    batch = 0
    while True:
        chunk_runs, chunk_seeds = _chunk_plan(
            int(batch_runs), np.random.SeedSequence(random_state, spawn_key=(batch,))
        )
        means, m2s = _run_chunks(kernel, graph, seeds, chunk_runs, chunk_seeds, threads)
        counts.append(chunk_runs)
        all_means.append(means)
        all_m2s.append(m2s)
        done += int(batch_runs)
        batch += 1
        mean, stderr = _combine(
            np.concatenate(counts), np.concatenate(all_means), np.concatenate(all_m2s)
        )
        tight = stderr == 0 or (mean > 0 and Z95 * stderr <= precision * mean)
        if tight or done >= max_runs:
            break
    return SpreadEstimate(
        mean=mean,
        stderr=stderr,
        runs=done,
        model=model,
        seconds=time.perf_counter() - start,
        precision=float(precision),
    )


def _run_chunks(kernel, graph, seeds, chunk_runs, chunk_seeds, threads):
    previous = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        # chunks are handed out one at a time (dynamic scheduling): a thread slowed down by
        # other work on the machine takes fewer chunks; results do not depend on who ran
        # which chunk
        with numba.parallel_chunksize(1):
            return kernel(
                graph.indptr,
                graph.indices,
                graph.probs,
                seeds,
                graph.n,
                chunk_runs,
                chunk_seeds,
            )
    finally:
        numba.set_num_threads(previous)


def _combine(counts: np.ndarray, means: np.ndarray, m2s: np.ndarray) -> tuple[float, float]:
    """Pool per-chunk Welford statistics into (mean, standard error of the mean).

    ``m2s`` are sums of squared deviations from each chunk's mean; the pooled sum is
    ``sum(m2) + sum(count * (mean_c - mean)**2)`` (Chan, Golub, LeVeque 1979).
    """
    counts = np.asarray(counts, dtype=np.float64)
    total = float(counts.sum())
    mean = float(np.sum(counts * means) / total)
    m2 = float(np.sum(m2s) + np.sum(counts * (np.asarray(means) - mean) ** 2))
    stderr = math.sqrt(max(m2, 0.0) / (total - 1) / total) if total > 1 else math.nan
    return mean, stderr


# ---------------------------------------------------------------------------- public API
def simulate_ic(
    graph: Graph,
    seeds: Any,
    runs: int | None = 10000,
    *,
    random_state: int | None = 0,
    n_jobs: int | None = 2,
) -> SpreadEstimate:
    """Monte Carlo expected spread under the Independent Cascade model.

    When a node becomes active it gets one chance to activate each inactive out-neighbour
    ``v``, succeeding with the edge's probability ``graph.probs``; the cascade ends when no
    node is newly activated. The spread is the number of active nodes, seeds included.

    Parameters
    ----------
    graph : Graph
        Edge probabilities in ``graph.probs`` (see :meth:`Graph.with_probabilities`).
    seeds : scalar or sequence
        Original node ids; duplicates count once.
    runs : int or None
        Number of simulated cascades; ``None`` simulates in batches until the 95 %
        interval is within 1 % of the mean (at most 10,000 runs; see
        :func:`simulate_from_indices`).
    random_state : int or None
        Seed; the same value gives the same estimate for any `n_jobs`.
    n_jobs : int or None
        Threads to use (``-1`` or ``None``: all numba threads).

    Returns
    -------
    SpreadEstimate
        Mean, standard error (sample std / sqrt(runs)), runs, ``"ic"`` and seconds.

    Raises
    ------
    GraphError
        A seed id is not a node (the message names it), or runs < 1.

    Notes
    -----
    Each thread keeps one visit-stamp array and one queue for all its runs, so a run costs
    only the edges it explores; a random number is drawn only for edges into nodes not yet
    active, which leaves the distribution unchanged.

    References
    ----------
    Kempe, Kleinberg, Tardos. "Maximizing the Spread of Influence through a Social
    Network." KDD 2003.
    """
    idx = _seed_indices(graph, seeds)
    return simulate_from_indices(graph, idx, "ic", runs, random_state=random_state, n_jobs=n_jobs)


def simulate_lt(
    graph: Graph,
    seeds: Any,
    runs: int | None = 10000,
    *,
    random_state: int | None = 0,
    n_jobs: int | None = 2,
) -> SpreadEstimate:
    """Monte Carlo expected spread under the Linear Threshold model.

    Every node ``v`` draws a threshold uniformly from (0, 1] and becomes active once the
    weights of its active in-neighbours sum to at least the threshold. Weights are
    ``graph.probs``; into each node they must sum to at most 1 (use
    ``graph.with_probabilities("lt")``).

    Parameters
    ----------
    graph : Graph
    seeds : scalar or sequence
        Original node ids; duplicates count once.
    runs : int or None
    random_state : int or None
    n_jobs : int or None
        As in :func:`simulate_ic`.

    Returns
    -------
    SpreadEstimate

    Raises
    ------
    GraphError
        A seed id is not a node, runs < 1, or in-weights of a node sum to more than 1.

    Notes
    -----
    Thresholds are drawn lazily, the first time a run reaches a node, into per-thread
    arrays reused across runs.

    References
    ----------
    Kempe, Kleinberg, Tardos. "Maximizing the Spread of Influence through a Social
    Network." KDD 2003.
    """
    idx = _seed_indices(graph, seeds)
    return simulate_from_indices(graph, idx, "lt", runs, random_state=random_state, n_jobs=n_jobs)


def estimate_spread(
    graph: Graph,
    seeds: Any,
    model: str = "ic",
    runs: int | None = 10000,
    random_state: int | None = 0,
    n_jobs: int | None = 2,
) -> SpreadEstimate:
    """Monte Carlo expected spread under ``model`` (``"ic"`` or ``"lt"``).

    Dispatches to :func:`simulate_ic` or :func:`simulate_lt`; see those for the parameters.

    Raises
    ------
    GraphError
        Unknown model, unknown seed id, runs < 1.

    References
    ----------
    Kempe, Kleinberg, Tardos. "Maximizing the Spread of Influence through a Social
    Network." KDD 2003.
    """
    key = model.lower()
    if key == "ic":
        return simulate_ic(graph, seeds, runs, random_state=random_state, n_jobs=n_jobs)
    if key == "lt":
        return simulate_lt(graph, seeds, runs, random_state=random_state, n_jobs=n_jobs)
    raise GraphError(f"unknown diffusion model '{model}'; expected 'ic' or 'lt'")


def exact_spread(graph: Graph, seeds: Any, model: str = "ic") -> float:
    """Exact expected spread of a tiny graph by enumerating live-edge worlds.

    Under IC every edge is live independently with its probability; under LT every node
    keeps at most one incoming edge, edge ``(u, v)`` with probability ``w(u, v)`` and none
    with probability ``1 - sum_u w(u, v)``. In both cases the expected spread equals the
    expected number of nodes reachable from the seeds over live edges (Kempe et al. 2003,
    Claims 2.3 and 2.6), summed here over all worlds with their probabilities.

    Parameters
    ----------
    graph : Graph
        At most 20 edges.
    seeds : scalar or sequence
        Original node ids.
    model : {"ic", "lt"}

    Returns
    -------
    float
        Expected number of active nodes, seeds included.

    Raises
    ------
    GraphError
        More than 20 edges, unknown model or seed id, or LT in-weights above 1.

    References
    ----------
    Kempe, Kleinberg, Tardos. "Maximizing the Spread of Influence through a Social
    Network." KDD 2003.
    """
    key = model.lower()
    if key not in ("ic", "lt"):
        raise GraphError(f"unknown diffusion model '{model}'; expected 'ic' or 'lt'")
    if graph.m > EXACT_MAX_EDGES:
        raise GraphError(
            f"exact_spread enumerates 2**m live-edge worlds and accepts at most "
            f"{EXACT_MAX_EDGES} edges; this graph has {graph.m}. Use estimate_spread"
        )
    idx = _seed_indices(graph, seeds)
    if idx.size == 0:
        return 0.0
    if key == "ic":
        return float(_exact_ic(graph.indptr, graph.indices, graph.probs, idx, graph.n))
    _check_lt_weights(graph)
    return float(
        _exact_lt(
            graph.indptr,
            graph.indices,
            graph.probs,
            graph.rev_indptr,
            graph._rev_perm(),
            idx,
            graph.n,
        )
    )
