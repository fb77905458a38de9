"""Influence maximisation: choose the accounts to seed a campaign with.

Algorithms over a :class:`~ripplemeter.network.graph.Graph`, all returning a
:class:`SeedPlan` that names original node ids:

* :func:`imm` - IMM (Tang, Shi, Xiao 2015) with Chen's (2018) correction: a
  ``(1 - 1/e - epsilon)``-approximation with probability ``1 - 1/n^ell``;
* :func:`opim_c` - OPIM-C (Tang et al. 2018): the same guarantee, usually from far fewer
  RR sets, with an instance-specific approximation bound;
* :func:`budgeted_seeds` - a price per account and a total budget: cost-effective greedy
  plus the best single account over RR sets (Khuller, Moss, Naor 1999; Leskovec et al.
  2007), with candidate restrictions and forced seeds;
* baselines: :func:`top_degree`, :func:`pagerank_seeds`, :func:`celf` (Monte Carlo greedy
  for small graphs).

RR sets are sampled in parallel by :mod:`ripplemeter.network.rrsets` (numba, reproducible
per seed, SUBSIM-style geometric skipping). Every plan carries an expected spread from an
independent Monte Carlo run (:func:`~ripplemeter.network.diffusion.estimate_spread` with
another random state) unless ``mc_runs=0``. By default (``mc_runs=None``) that run stops
once its 95 % interval is within 1 % of the mean (at most 10,000 runs); a whole number of
runs is simulated exactly.

References
----------
Kempe, Kleinberg, Tardos. "Maximizing the Spread of Influence through a Social Network."
KDD 2003.

Tang, Shi, Xiao. "Influence Maximization in Near-Linear Time: A Martingale Approach."
SIGMOD 2015.

Chen. "An Issue in the Martingale Analysis of the Influence Maximization Algorithm IMM."
CSoNet 2018 (arXiv:1808.09363).

Tang, Tang, Xiao, Yuan. "Online Processing Algorithms for Influence Maximization."
SIGMOD 2018.

Guo, Wang, Wei, Chen. "Influence Maximization Revisited: Efficient Reverse Reachable Set
Generation with Bound Tightened." SIGMOD 2020.

Khuller, Moss, Naor. "The Budgeted Maximum Coverage Problem." Information Processing
Letters 70(1), 1999.

Leskovec, Krause, Guestrin, Faloutsos, VanBriesen, Glance. "Cost-effective Outbreak
Detection in Networks." KDD 2007.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numba
import numpy as np
import pandas as pd
from scipy.special import gammaln, logsumexp

from ripplemeter.errors import GraphError
from ripplemeter.formats.price_list import read_costs
from ripplemeter.network.diffusion import SpreadEstimate, _check_lt_weights, simulate_from_indices
from ripplemeter.network.graph import Graph
from ripplemeter.network.rrsets import (
    CoverResult,
    RRSampler,
    RRSets,
    budgeted_greedy_cover,
    greedy_max_cover,
)

__all__ = [
    "SeedPlan",
    "budgeted_seeds",
    "celf",
    "imm",
    "imm_adjusted_ell",
    "imm_lambda_prime",
    "imm_lambda_star",
    "imm_theta",
    "opim_c",
    "pagerank",
    "pagerank_seeds",
    "read_costs",
    "select_seeds",
    "top_degree",
]

ONE_MINUS_INV_E = 1.0 - 1.0 / math.e
#: Approximation ratio of cost-effective greedy combined with the best single element.
BUDGETED_RATIO = ONE_MINUS_INV_E / 2.0
#: Offset added to ``random_state`` for the independent Monte Carlo check of a plan.
MC_SEED_OFFSET = 1_000_003
#: Seeds shown in the pairwise overlap table.
OVERLAP_TOP = 10


# =========================================================================== formulas
def log_binom(n: int, k: int) -> float:
    """Natural logarithm of the binomial coefficient ``C(n, k)``."""
    if k < 0 or k > n:
        return -math.inf
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def imm_lambda_prime(n: int, k: int, epsilon_prime: float, ell: float) -> float:
    """IMM's ``lambda'`` (Tang et al. 2015, Eq. 9), the sampling-phase constant.

    ``lambda' = (2 + 2/3 eps') (ln C(n, k) + ell ln n + ln log2 n) n / eps'^2``

    with ``2/3`` a real number (a widely copied C++ IMM evaluates it in integer division,
    i.e. as 0). The sampling phase of :func:`imm` uses ``theta_i = lambda' / x_i``.
    """
    n = int(n)
    lb = log_binom(n, k)
    return (
        (2.0 + 2.0 / 3.0 * epsilon_prime)
        * (lb + ell * math.log(n) + math.log(math.log2(n)))
        * n
        / epsilon_prime**2
    )


def imm_lambda_star(
    n: int, k: int, epsilon: float, ell: float, ratio: float = ONE_MINUS_INV_E
) -> float:
    """IMM's ``lambda*`` (Tang et al. 2015, Eq. 6): RR sets needed are ``lambda* / OPT``.

    ``lambda* = 2 n ((1 - 1/e) alpha + beta)^2 / epsilon^2`` with
    ``alpha = sqrt(ell ln n + ln 2)`` and
    ``beta = sqrt((1 - 1/e) (ln C(n, k) + ell ln n + ln 2))``.

    ``ratio`` replaces ``1 - 1/e`` for selection rules with another guarantee (budgeted
    seeding uses ``(1 - 1/e) / 2``).
    """
    n = int(n)
    alpha = math.sqrt(ell * math.log(n) + math.log(2.0))
    beta = math.sqrt(ratio * (log_binom(n, k) + ell * math.log(n) + math.log(2.0)))
    return 2.0 * n * (ratio * alpha + beta) ** 2 / epsilon**2


def imm_adjusted_ell(n: int, ell: float) -> float:
    """The failure exponent IMM runs with, so that both phases together fail w.p. ``n^-ell``.

    Each phase fails with probability at most ``n^-ell'``, so ``2 n^-ell' <= n^-ell`` is
    needed. Tang et al. (2015) raise ``ell`` to ``ell (1 + ln 2 / ln n)``, which gives
    ``2^(1 - ell) n^-ell``: enough for ``ell >= 1`` only. Chen's reference code raises it to
    ``ell + ln 2 / ln n`` (exactly ``n^-ell``). This takes the larger of the two, i.e. the
    paper's value for ``ell >= 1`` and Chen's below.
    """
    shift = math.log(2.0) / math.log(int(n))
    return max(ell * (1.0 + shift), ell + shift)


def log_binom_sum(n: int, k: int) -> float:
    """Natural logarithm of ``sum_{j=0..k} C(n, j)``: the number of sets of at most ``k``."""
    n, k = int(n), int(k)
    if k < 0:
        return -math.inf
    if k >= n:
        return n * math.log(2.0)
    j = np.arange(k + 1, dtype=np.float64)
    return float(logsumexp(gammaln(n + 1.0) - gammaln(j + 1.0) - gammaln(n - j + 1.0)))


def imm_theta(n: int, k: int, epsilon: float, ell: float, lower_bound: float = 1.0) -> int:
    """Number of RR sets IMM's node-selection phase draws: ``ceil(lambda* / LB)``.

    Parameters
    ----------
    n, k : int
        Nodes in the graph and seeds to choose.
    epsilon : float
        Approximation slack (result is ``(1 - 1/e - epsilon)``-approximate).
    ell : float
        Failure exponent *as used by the algorithm* (:func:`imm` first raises the
        user's ``ell`` with :func:`imm_adjusted_ell`; ``plan.details["ell"]`` holds it).
    lower_bound : float
        The lower bound on OPT found by the sampling phase (``plan.details["lower_bound"]``);
        1 gives the worst case.
    """
    return int(math.ceil(imm_lambda_star(n, k, epsilon, ell) / lower_bound))


# =========================================================================== the plan
@dataclass
class SeedPlan:
    """A seed set with what is known about it.

    Attributes
    ----------
    seeds : list
        Original node ids in selection order; forced seeds come first.
    gains : ndarray of float64
        Marginal gain of each seed in expected nodes, estimated from RR-set coverage
        (``n * newly covered RR sets / RR sets``); NaN where not estimated (baselines).
    forced : ndarray of bool
        Which seeds were forced (the brand's own accounts).
    spread : SpreadEstimate or None
        Expected total spread from an independent Monte Carlo run (another random state
        than the RR sets); ``spread.runs`` says how many simulations and
        ``spread.precision`` whether they stopped by the 1 % rule (sequential) or were a
        fixed number.
    rr_estimate : float
        Expected spread estimated from the RR sets themselves (optimistic: the same
        sample chose the seeds).
    rr_sets : int
        RR sets the seeds were chosen on (IMM: the node-selection sample; OPIM-C: both
        halves).
    seconds : float
        Wall-clock time of the selection (sampling + greedy), without the Monte Carlo check.
    algorithm, model : str
    epsilon : float or None
    costs : ndarray of float64 or None
        Price of each seed (budgeted plans).
    budget, spent : float or None
    guarantee : str
        The approximation guarantee in words.
    overlap : pandas.DataFrame or None
        For the top seeds: fraction of RR sets covered by both seeds among those covered by
        either (Jaccard of their RR coverage; 0 = disjoint audiences, 1 = the same).
    redundancy : float
        Sum of the seeds' individual RR spreads minus their joint RR spread, in nodes: how
        much reach the seeds share.
    details : dict
        Algorithm internals (lower bound, ell, sampling-phase RR sets, OPIM-C bounds, ...).
    """

    seeds: list
    gains: np.ndarray
    forced: np.ndarray
    spread: SpreadEstimate | None
    rr_estimate: float
    rr_sets: int
    seconds: float
    algorithm: str
    model: str
    epsilon: float | None = None
    costs: np.ndarray | None = None
    budget: float | None = None
    spent: float | None = None
    guarantee: str = ""
    overlap: pd.DataFrame | None = None
    redundancy: float = math.nan
    details: dict = field(default_factory=dict)

    @property
    def k(self) -> int:
        """Number of seeds."""
        return len(self.seeds)

    def to_frame(self) -> pd.DataFrame:
        """One row per seed: rank, id, forced, marginal gain, cumulative gain, cost."""
        gains = np.asarray(self.gains, dtype=np.float64)
        frame = pd.DataFrame(
            {
                "rank": np.arange(1, self.k + 1),
                "seed": pd.Series(list(self.seeds), dtype=object),
                "forced": np.asarray(self.forced, dtype=bool),
                "marginal_gain": gains,
                "cumulative_gain": np.cumsum(gains),
            }
        )
        if self.costs is not None:
            frame["cost"] = np.asarray(self.costs, dtype=np.float64)
            frame["cumulative_cost"] = np.cumsum(frame["cost"])
        return frame

    def summary(self) -> dict:
        """Plain-JSON summary (the CLI's ``--json`` output)."""
        spread = None
        if self.spread is not None:
            spread = {
                "mean": _num(self.spread.mean),
                "stderr": _num(self.spread.stderr),
                "runs": self.spread.runs,
                "ci95": [_num(x) for x in self.spread.ci95],
                "relative_half_width": _num(self.spread.relative_half_width),
                "stopping": "fixed" if self.spread.precision is None else "sequential",
            }
            if self.spread.precision is not None:
                spread["precision"] = self.spread.precision
        out: dict[str, Any] = {
            "seeds": [_plain(s) for s in self.seeds],
            "spread": spread,
            "rr_sets": int(self.rr_sets),
            "seconds": float(self.seconds),
            "algorithm": self.algorithm,
            "model": self.model,
            "epsilon": self.epsilon,
            "rr_estimate": _num(self.rr_estimate),
            "marginal_gains": [_num(g) for g in np.asarray(self.gains, dtype=float)],
            "guarantee": self.guarantee,
        }
        if self.budget is not None:
            out["budget"] = self.budget
            out["spent"] = self.spent
            out["costs"] = [float(c) for c in self.costs]
        if self.forced is not None and np.any(self.forced):
            out["forced"] = [_plain(s) for s, f in zip(self.seeds, self.forced, strict=True) if f]
        return out


def _plain(x: Any) -> Any:
    return x.item() if isinstance(x, np.generic) else x


def _num(x: Any) -> float | None:
    """A float for JSON: NaN (not estimated) becomes None."""
    x = float(x)
    return None if math.isnan(x) else x


# =========================================================================== helpers
def _prepare(graph: Graph, model: str) -> str:
    if not isinstance(graph, Graph):
        raise GraphError(f"expected a Graph, got {type(graph).__name__}")
    key = str(model).lower()
    if key not in ("ic", "lt"):
        raise GraphError(f"unknown diffusion model '{model}'; expected 'ic' or 'lt'")
    if graph.n < 2:
        raise GraphError(f"the graph has {graph.n} node(s); seed selection needs at least 2")
    if key == "lt" and graph.m:
        _check_lt_weights(graph)
    return key


def _check_epsilon(epsilon: float) -> float:
    eps = float(epsilon)
    if not 0.0 < eps < ONE_MINUS_INV_E:
        raise GraphError(f"epsilon must lie in (0, 1 - 1/e) = (0, 0.632), not {epsilon!r}")
    return eps


def _indices(graph: Graph, ids: Any, what: str) -> np.ndarray:
    if ids is None:
        return np.zeros(0, dtype=np.int64)
    try:
        return np.unique(graph.index_of(ids)).astype(np.int64)
    except GraphError as exc:
        raise GraphError(f"{what}: {exc}") from None


class _Threads:
    """Temporarily set numba's thread count (``n_jobs``)."""

    def __init__(self, n_jobs: int | None) -> None:
        limit = numba.config.NUMBA_NUM_THREADS
        if n_jobs is None or n_jobs == -1:
            self.threads = limit
        elif isinstance(n_jobs, int | np.integer) and n_jobs >= 1:
            self.threads = min(int(n_jobs), limit)
        else:
            raise GraphError(f"n_jobs must be a positive integer, -1 or None, not {n_jobs!r}")

    def __enter__(self) -> _Threads:
        self.previous = numba.get_num_threads()
        numba.set_num_threads(self.threads)
        return self

    def __exit__(self, *exc: object) -> None:
        numba.set_num_threads(self.previous)


def _sampler(graph: Graph, model: str, random_state: int | None) -> RRSampler:
    seed = 0 if random_state is None else int(random_state)
    return RRSampler(graph.rev_indptr, graph.rev_indices, graph.rev_probs, model, seed)


def _overlap(graph: Graph, rr: RRSets, seeds: np.ndarray) -> tuple[pd.DataFrame, float]:
    """Pairwise Jaccard of RR coverage for the top seeds, and the redundancy in nodes."""
    if rr.count == 0 or seeds.size == 0:
        return pd.DataFrame(), math.nan
    inv_ptr, _ = rr.inverted()
    scale = graph.n / rr.count
    individual = (inv_ptr[seeds + 1] - inv_ptr[seeds]).astype(np.float64)
    joint = float(rr.coverage(seeds))
    redundancy = (individual.sum() - joint) * scale
    top = rr.set_masks(seeds[:OVERLAP_TOP]).astype(np.float32)  # at most 10 x count
    both = top @ top.T
    either = individual[:OVERLAP_TOP, None] + individual[None, :OVERLAP_TOP] - both
    with np.errstate(invalid="ignore", divide="ignore"):
        jac = np.where(either > 0, both / either, 0.0)
    labels = [_plain(s) for s in graph.id_of(seeds[:OVERLAP_TOP])]
    return pd.DataFrame(jac, index=labels, columns=labels), float(redundancy)


def _monte_carlo(
    graph: Graph, seeds: np.ndarray, model: str, runs: int | None, random_state: int | None, n_jobs
) -> SpreadEstimate | None:
    if runs is not None and runs <= 0:
        return None
    seed = (0 if random_state is None else int(random_state)) + MC_SEED_OFFSET
    return simulate_from_indices(graph, seeds, model, runs, random_state=seed, n_jobs=n_jobs)


def _finish(
    graph: Graph,
    *,
    model: str,
    algorithm: str,
    epsilon: float | None,
    rr: RRSets | None,
    cover: CoverResult | None,
    forced: np.ndarray,
    chosen: np.ndarray,
    seconds: float,
    rr_sets: int,
    guarantee: str,
    mc_runs: int | None,
    random_state: int | None,
    n_jobs: int | None,
    details: dict,
    cost: np.ndarray | None = None,
    budget: float | None = None,
    charge_forced: bool = True,
) -> SeedPlan:
    all_seeds = np.concatenate([forced, chosen]).astype(np.int64)
    if cover is not None and rr is not None and rr.count:
        scale = graph.n / rr.count
        gains = np.concatenate([cover.forced_gains, cover.gains]).astype(np.float64) * scale
        rr_estimate = cover.covered * scale
        overlap, redundancy = _overlap(graph, rr, all_seeds)
    else:
        gains = np.full(all_seeds.size, np.nan)
        rr_estimate = math.nan
        overlap, redundancy = None, math.nan
    spread = _monte_carlo(graph, all_seeds, model, mc_runs, random_state, n_jobs)
    costs = spent = None
    if cost is not None:
        costs = np.where(np.isfinite(cost[all_seeds]), cost[all_seeds], 0.0)
        charged = costs.copy()
        if not charge_forced:
            charged[: forced.size] = 0.0
        spent = float(charged.sum())
    return SeedPlan(
        seeds=[_plain(x) for x in graph.id_of(all_seeds)],
        gains=gains,
        forced=np.arange(all_seeds.size) < forced.size,
        spread=spread,
        rr_estimate=float(rr_estimate),
        rr_sets=int(rr_sets),
        seconds=float(seconds),
        algorithm=algorithm,
        model=model,
        epsilon=epsilon,
        costs=costs,
        budget=budget,
        spent=spent,
        guarantee=guarantee,
        overlap=overlap,
        redundancy=redundancy,
        details=details,
    )


# =========================================================================== IMM
def _imm_core(
    sampler: RRSampler,
    n: int,
    k: int,
    epsilon: float,
    ell: float,
    select: Callable[[RRSets], CoverResult],
    log_c: float,
    ratio: float,
) -> tuple[CoverResult, RRSets, dict]:
    """IMM's sampling phase (lower bound on OPT) then node selection on fresh RR sets."""
    ell = imm_adjusted_ell(n, ell)
    eps_p = math.sqrt(2.0) * epsilon
    lam_p = (
        (2.0 + 2.0 / 3.0 * eps_p)
        * (log_c + ell * math.log(n) + math.log(math.log2(n)))
        * n
        / eps_p**2
    )
    alpha = math.sqrt(ell * math.log(n) + math.log(2.0))
    beta = math.sqrt(ratio * (log_c + ell * math.log(n) + math.log(2.0)))
    lam_s = 2.0 * n * (ratio * alpha + beta) ** 2 / epsilon**2
    lower = 1.0
    rr = RRSets(n, np.zeros(0, np.int32), np.zeros(1, np.int64))
    rounds = 0
    t0 = time.perf_counter()
    i = 1
    while i <= math.log2(n) - 1:  # Tang et al. 2015, Algorithm 2: i = 1 .. log2(n) - 1
        x = n / 2.0**i
        theta_i = int(math.ceil(lam_p / x))
        rr = rr.extend(sampler.sample(theta_i - rr.count)) if theta_i > rr.count else rr
        rounds = i
        est = n * select(rr).covered / rr.count
        if est >= (1.0 + eps_p) * x:
            lower = est / (1.0 + eps_p)
            break
        i += 1
    sampling = rr.count
    del rr
    theta = int(math.ceil(lam_s / lower))
    t1 = time.perf_counter()
    # Chen (2018): the node-selection sample must be independent of the sampling phase.
    final = sampler.sample(theta)
    t2 = time.perf_counter()
    cover = select(final)
    details = {
        "seconds_sampling_phase": t1 - t0,
        "seconds_rr_sets": t2 - t1,
        "seconds_greedy": time.perf_counter() - t2,
        "ell": ell,
        "epsilon_prime": eps_p,
        "lambda_prime": lam_p,
        "lambda_star": lam_s,
        "lower_bound": lower,
        "theta": theta,
        "sampling_rr_sets": sampling,
        "sampling_rounds": rounds,
        "log_binom": log_c,
        "ratio": ratio,
    }
    return cover, final, details


def imm(
    graph: Graph,
    k: int,
    *,
    model: str = "ic",
    epsilon: float = 0.1,
    ell: float = 1.0,
    candidates: Any = None,
    forced: Any = None,
    random_state: int | None = 0,
    mc_runs: int | None = None,
    n_jobs: int | None = None,
) -> SeedPlan:
    """Seeds by IMM: a ``(1 - 1/e - epsilon)``-approximation w.p. ``1 - 1/n^ell``.

    Parameters
    ----------
    graph : Graph
        Edge probabilities (IC) or weights (LT, in-weights summing to at most 1).
    k : int
        Seeds to choose, in addition to the `forced` ones.
    model : {"ic", "lt"}
    epsilon : float
        Approximation slack, in (0, 1 - 1/e).
    ell : float
        Failure probability exponent: the guarantee holds with probability ``1 - n^-ell``.
    candidates : sequence of ids, optional
        Only these accounts may be chosen (e.g. those that accept sponsorship).
    forced : sequence of ids, optional
        Accounts seeded in any case (the brand's own); counted first, so the chosen seeds
        add to their reach.
    random_state : int
        Seeds the RR sets (and, offset by ``MC_SEED_OFFSET``, the Monte Carlo check).
    mc_runs : int or None
        Simulations of the independent Monte Carlo check of the result. ``None``
        (default): batches of 1,000 until the 95 % interval is within 1 % of the mean, at
        most 10,000 (:func:`~ripplemeter.network.diffusion.simulate_from_indices`); a
        whole number: exactly that many; 0 skips the check.
    n_jobs : int, optional
        Threads (default: all numba threads).

    Returns
    -------
    SeedPlan
        ``rr_sets`` is the node-selection sample size ``theta = ceil(lambda* / LB)``
        (:func:`imm_theta`); ``details`` has the lower bound ``LB``, the adjusted ``ell`` and
        the sampling-phase RR sets.

    Raises
    ------
    GraphError
        Bad model, epsilon, k, unknown ids, or LT weights above 1.

    Notes
    -----
    Sampling phase: for ``x = n/2, n/4, ...`` draw ``lambda' / x`` RR sets, run greedy, and
    stop once the estimated spread reaches ``(1 + eps') x``, ``eps' = sqrt(2) epsilon``;
    ``LB = estimate / (1 + eps')``. Node selection: greedy maximum coverage on ``theta``
    RR sets. Following Chen (2018), the node-selection RR sets are drawn afresh rather than
    extending the sampling-phase ones, which restores the independence the martingale
    analysis needs. ``ell`` is raised to ``ell (1 + ln 2 / ln n)`` (Tang et al. 2015), or
    to ``ell + ln 2 / ln n`` if larger (``ell < 1``), so that both phases together fail
    with probability at most ``n^-ell`` (:func:`imm_adjusted_ell`). The
    union bound counts seed sets among the candidates: ``ln C(n_candidates, k)``.

    With forced seeds F the objective is ``sigma(F + S)``, still monotone and
    submodular; greedy keeps its guarantee relative to the best ``k`` additions.

    References
    ----------
    Tang, Shi, Xiao. "Influence Maximization in Near-Linear Time: A Martingale Approach."
    SIGMOD 2015.

    Chen. "An Issue in the Martingale Analysis of the Influence Maximization Algorithm
    IMM." CSoNet 2018.
    """
    model = _prepare(graph, model)
    epsilon = _check_epsilon(epsilon)
    cand = _indices(graph, candidates, "candidates") if candidates is not None else None
    forced_idx = _indices(graph, forced, "forced seeds")
    k, n_cand = _check_k(graph, k, cand, forced_idx)
    log_c = log_binom(n_cand, k)
    start = time.perf_counter()
    with _Threads(n_jobs):
        sampler = _sampler(graph, model, random_state)

        def select(rr: RRSets) -> CoverResult:
            return greedy_max_cover(rr, k, cand, forced_idx)

        cover, final, details = _imm_core(
            sampler, graph.n, k, epsilon, ell, select, log_c, ONE_MINUS_INV_E
        )
    seconds = time.perf_counter() - start
    return _finish(
        graph,
        model=model,
        algorithm="imm",
        epsilon=epsilon,
        rr=final,
        cover=cover,
        forced=forced_idx,
        chosen=cover.seeds,
        seconds=seconds,
        rr_sets=final.count,
        guarantee=f"(1 - 1/e - {epsilon:g}) approximation w.p. 1 - 1/n^{ell:g}",
        mc_runs=mc_runs,
        random_state=random_state,
        n_jobs=n_jobs,
        details=details,
    )


def _check_k(graph: Graph, k: int, cand: np.ndarray | None, forced: np.ndarray) -> tuple[int, int]:
    if not isinstance(k, int | np.integer) or k < 1:
        raise GraphError(f"k must be a positive whole number of seeds, not {k!r}")
    if cand is None:
        n_cand = graph.n - forced.size
    else:
        n_cand = int(np.setdiff1d(cand, forced).size)
    if n_cand < 1:
        raise GraphError("no candidate accounts left to choose from")
    if k > n_cand:
        raise GraphError(f"k={k} exceeds the {n_cand} candidate accounts")
    return int(k), n_cand


# =========================================================================== OPIM-C
def _opim_bounds(cov1: float, cov2: float, theta1: int, theta2: int, n: int, a: float):
    """OPIM's lower bound on sigma(S*) (from R2) and upper bound on OPT (from R1)."""
    lower = ((math.sqrt(cov2 + 2.0 * a / 9.0) - math.sqrt(a / 2.0)) ** 2 - a / 18.0) * n / theta2
    upper = (math.sqrt(cov1 + a / 2.0) + math.sqrt(a / 2.0)) ** 2 * n / theta1
    return lower, upper


def _opim_core(
    sampler: RRSampler,
    n: int,
    k_lb: int,
    epsilon: float,
    delta: float,
    select: Callable[[RRSets], CoverResult],
    opt_cover_bound: Callable[[CoverResult], float],
    seeds_of: Callable[[CoverResult], np.ndarray],
    log_c: float,
    ratio: float,
) -> tuple[CoverResult, RRSets, RRSets, dict]:
    theta_max = (
        2.0
        * n
        * (
            ratio * math.sqrt(math.log(6.0 / delta))
            + math.sqrt(ratio * (log_c + math.log(6.0 / delta)))
        )
        ** 2
        / (epsilon**2 * k_lb)
    )
    theta_0 = max(1, int(math.ceil(theta_max * epsilon**2 * k_lb / n)))
    i_max = max(1, int(math.ceil(math.log2(max(theta_max / theta_0, 2.0)))))
    a = math.log(3.0 * i_max / delta)
    r1 = sampler.sample(theta_0)
    r2 = sampler.sample(theta_0)
    history = []
    for i in range(1, i_max + 1):
        cover = select(r1)
        cov2 = r2.coverage(seeds_of(cover))
        lower, upper = _opim_bounds(opt_cover_bound(cover), cov2, r1.count, r2.count, n, a)
        approx = lower / upper if upper > 0 else 0.0
        history.append((r1.count, lower, upper, approx))
        if approx >= ratio - epsilon or i == i_max:
            break
        r1 = r1.extend(sampler.sample(r1.count))
        r2 = r2.extend(sampler.sample(r2.count))
    details = {
        "delta": delta,
        "theta_max": theta_max,
        "theta_0": theta_0,
        "i_max": i_max,
        "iterations": len(history),
        "lower_bound": history[-1][1],
        "upper_bound": history[-1][2],
        "approximation": history[-1][3],
        "r2_estimate": n * cov2 / r2.count,
        "log_binom": log_c,
        "ratio": ratio,
    }
    return cover, r1, r2, details


def opim_c(
    graph: Graph,
    k: int,
    *,
    model: str = "ic",
    epsilon: float = 0.1,
    delta: float | None = None,
    candidates: Any = None,
    forced: Any = None,
    random_state: int | None = 0,
    mc_runs: int | None = None,
    n_jobs: int | None = None,
) -> SeedPlan:
    """Seeds by OPIM-C: ``(1 - 1/e - epsilon)``-approximate w.p. ``1 - delta``.

    Parameters
    ----------
    graph, k, model, epsilon, candidates, forced, random_state, mc_runs, n_jobs
        As in :func:`imm`.
    delta : float, optional
        Failure probability; default ``1/n`` (IMM's ``ell = 1``).

    Returns
    -------
    SeedPlan
        ``rr_sets`` counts both samples R1 (selection) and R2 (validation);
        ``details["approximation"]`` is the instance-specific ratio
        ``sigma_lower(S) / sigma_upper(OPT)`` the run certified.

    Notes
    -----
    Two independent samples of equal size start at
    ``theta_0 = theta_max epsilon^2 k / n`` and double until the lower bound on the
    chosen set's spread (from R2, where the seeds were not chosen) over the upper bound on
    the optimum (from R1's greedy, using the tighter bound
    ``min_i cov(S_i) + sum of the k largest marginal coverages given S_i``) reaches
    ``1 - 1/e - epsilon``, or ``theta_max`` is reached, which guarantees it.

    References
    ----------
    Tang, Tang, Xiao, Yuan. "Online Processing Algorithms for Influence Maximization."
    SIGMOD 2018.
    """
    model = _prepare(graph, model)
    epsilon = _check_epsilon(epsilon)
    cand = _indices(graph, candidates, "candidates") if candidates is not None else None
    forced_idx = _indices(graph, forced, "forced seeds")
    k, n_cand = _check_k(graph, k, cand, forced_idx)
    delta = 1.0 / graph.n if delta is None else float(delta)
    if not 0.0 < delta < 1.0:
        raise GraphError(f"delta must lie in (0, 1), not {delta!r}")
    log_c = log_binom(n_cand, k)
    start = time.perf_counter()
    with _Threads(n_jobs):
        sampler = _sampler(graph, model, random_state)

        def select(rr: RRSets) -> CoverResult:
            return greedy_max_cover(rr, k, cand, forced_idx, upper_bound=True)

        def bound(c: CoverResult) -> float:
            greedy_bound = c.covered / (1.0 - (1.0 - 1.0 / k) ** k)
            return min(c.upper_bound, greedy_bound)

        cover, r1, r2, details = _opim_core(
            sampler,
            graph.n,
            k + forced_idx.size,
            epsilon,
            delta,
            select,
            bound,
            lambda c: np.concatenate([forced_idx, c.seeds]),
            log_c,
            ONE_MINUS_INV_E,
        )
    seconds = time.perf_counter() - start
    return _finish(
        graph,
        model=model,
        algorithm="opim-c",
        epsilon=epsilon,
        rr=r1,
        cover=cover,
        forced=forced_idx,
        chosen=cover.seeds,
        seconds=seconds,
        rr_sets=r1.count + r2.count,
        guarantee=f"(1 - 1/e - {epsilon:g}) approximation w.p. 1 - {delta:.3g}",
        mc_runs=mc_runs,
        random_state=random_state,
        n_jobs=n_jobs,
        details=details,
    )


# =========================================================================== budgeted
def _cost_vector(graph: Graph, costs: Mapping[Any, float]) -> tuple[np.ndarray, int]:
    """Cost per internal index (inf where unpriced) and the number of ids not in the graph."""
    cost = np.full(graph.n, np.inf, dtype=np.float64)
    integer_ids = np.issubdtype(np.asarray(graph.ids).dtype, np.integer)
    keys = []
    values = []
    unknown = 0
    for ident, value in costs.items():
        key = ident
        if integer_ids and isinstance(ident, str):
            try:
                key = int(ident)
            except ValueError:
                unknown += 1
                continue
        keys.append(key)
        values.append(float(value))
    if keys:
        idx = graph._id_index.get_indexer(
            pd.Index(keys, dtype=graph._id_index.dtype)
            if integer_ids
            else pd.Index(keys, dtype=object)
        )
        vals = np.asarray(values)
        ok = idx >= 0
        unknown += int((~ok).sum())
        cost[idx[ok]] = vals[ok]
    if np.any(cost < 0):
        raise GraphError("costs must be non-negative")
    return cost, unknown


def budgeted_seeds(
    graph: Graph,
    costs: Mapping[Any, float] | str | Path,
    budget: float,
    *,
    model: str = "ic",
    epsilon: float = 0.1,
    algorithm: str = "imm",
    ell: float = 1.0,
    candidates: Any = None,
    forced: Any = None,
    charge_forced: bool = True,
    random_state: int | None = 0,
    mc_runs: int | None = None,
    n_jobs: int | None = None,
) -> SeedPlan:
    """Seeds under a budget: each account has a price, the total may not exceed `budget`.

    Parameters
    ----------
    graph : Graph
    costs : mapping or path
        Account id -> price, or a CSV price list ``id,cost``
        (:func:`~ripplemeter.formats.price_list.read_costs`). Accounts without a price
        cannot be bought; priced ids absent from the graph are ignored (counted in
        ``details["unknown_cost_ids"]``).
    budget : float
        Total budget, in the price list's currency.
    model, epsilon, ell, random_state, mc_runs, n_jobs
        As in :func:`imm`.
    algorithm : {"imm", "opim-c"}
        How many RR sets to draw (IMM's two phases or OPIM-C's doubling with bounds).
    candidates : sequence of ids, optional
        Only these accounts may be bought (e.g. those accepting sponsorship).
    forced : sequence of ids, optional
        The brand's own accounts, seeded in any case and counted first.
    charge_forced : bool
        Whether forced seeds' prices (if listed; unlisted ones cost 0) count against the
        budget. Default True: the plan never spends more than the budget in total. With
        False, forced seeds are free and the whole budget goes to bought accounts.

    Returns
    -------
    SeedPlan
        ``costs`` per seed, ``spent`` in total, ``budget``.

    Raises
    ------
    GraphError
        Negative budget, forced seeds costing more than the budget, nothing affordable.
    FormatError
        A bad price list file.

    Notes
    -----
    On the RR sets, cost-effective greedy adds the affordable account with the largest
    marginal coverage per unit cost until nothing fits; the best single affordable account
    is computed too, and the better of the two is returned. This combination is a
    ``(1 - 1/e) / 2``-approximation of budgeted maximum coverage (Khuller, Moss, Naor
    1999; Leskovec et al. 2007). Over RR sets the guarantee becomes
    ``(1 - 1/e) / 2 - epsilon`` of the best affordable seed set: IMM / OPIM-C are run with
    that ratio in place of ``1 - 1/e``, with ``k`` replaced by the largest number of
    accounts the budget can buy, ``k_max`` (which bounds the optimum from below), and the
    union bound over seed sets counting every feasible set: ``ln sum_{j <= k_max}
    C(n_candidates, j)`` (:func:`log_binom_sum`), not ``ln C(n_candidates, k_max)``, since
    the plan may hold fewer than ``k_max`` accounts.

    References
    ----------
    Khuller, Moss, Naor. "The Budgeted Maximum Coverage Problem." Information Processing
    Letters 70(1), 1999.

    Leskovec, Krause, Guestrin, Faloutsos, VanBriesen, Glance. "Cost-effective Outbreak
    Detection in Networks." KDD 2007.

    Tang, Shi, Xiao. "Influence Maximization in Near-Linear Time: A Martingale Approach."
    SIGMOD 2015.
    """
    model = _prepare(graph, model)
    epsilon = _check_epsilon(epsilon)
    algorithm = str(algorithm).lower()
    if algorithm not in ("imm", "opim-c"):
        raise GraphError(f"unknown algorithm '{algorithm}'; expected 'imm' or 'opim-c'")
    if not isinstance(costs, Mapping):
        costs = read_costs(costs)
    budget = float(budget)
    if not budget >= 0 or math.isinf(budget):
        raise GraphError(f"budget must be a non-negative number, not {budget!r}")
    cost, unknown = _cost_vector(graph, costs)
    forced_idx = _indices(graph, forced, "forced seeds")
    forced_cost = float(np.where(np.isfinite(cost[forced_idx]), cost[forced_idx], 0.0).sum())
    remaining = budget - forced_cost if charge_forced else budget
    if remaining < 0:
        raise GraphError(f"the forced seeds cost {forced_cost:g}, more than the budget {budget:g}")
    mask = np.isfinite(cost) & (cost <= remaining)
    if candidates is not None:
        cmask = np.zeros(graph.n, dtype=bool)
        cmask[_indices(graph, candidates, "candidates")] = True
        mask &= cmask
    mask[forced_idx] = False
    cand = np.flatnonzero(mask)
    if cand.size == 0:
        raise GraphError(
            f"no priced candidate account costs at most the remaining budget {remaining:g}"
        )
    sorted_cost = np.sort(cost[cand])
    k_max = int(np.searchsorted(np.cumsum(sorted_cost), remaining, side="right"))
    k_max = max(1, min(k_max, cand.size))
    log_c = log_binom_sum(int(cand.size), k_max)  # every feasible set has <= k_max accounts
    start = time.perf_counter()
    with _Threads(n_jobs):
        sampler = _sampler(graph, model, random_state)

        def select(rr: RRSets) -> CoverResult:
            return budgeted_greedy_cover(rr, cost, remaining, cand, forced_idx)

        if algorithm == "imm":
            cover, final, details = _imm_core(
                sampler, graph.n, k_max, epsilon, ell, select, log_c, BUDGETED_RATIO
            )
            rr_sets = final.count
        else:
            delta = 1.0 / graph.n**ell
            cover, final, r2, details = _opim_core(
                sampler,
                graph.n,
                k_max + forced_idx.size,
                epsilon,
                delta,
                select,
                lambda c: c.covered / BUDGETED_RATIO,
                lambda c: np.concatenate([forced_idx, c.seeds]),
                log_c,
                BUDGETED_RATIO,
            )
            rr_sets = final.count + r2.count
    seconds = time.perf_counter() - start
    details.update(
        {
            "k_max": k_max,
            "unknown_cost_ids": unknown,
            "charge_forced": charge_forced,
            "remaining_budget": remaining,
        }
    )
    return _finish(
        graph,
        model=model,
        algorithm=f"{algorithm}-budgeted",
        epsilon=epsilon,
        rr=final,
        cover=cover,
        forced=forced_idx,
        chosen=cover.seeds,
        seconds=seconds,
        rr_sets=rr_sets,
        guarantee=f"((1 - 1/e)/2 - {epsilon:g}) approximation of the best affordable set",
        mc_runs=mc_runs,
        random_state=random_state,
        n_jobs=n_jobs,
        details=details,
        cost=cost,
        budget=budget,
        charge_forced=charge_forced,
    )


# =========================================================================== baselines
def top_degree(
    graph: Graph,
    k: int,
    *,
    model: str = "ic",
    candidates: Any = None,
    mc_runs: int | None = None,
    random_state: int | None = 0,
    n_jobs: int | None = None,
) -> SeedPlan:
    """Baseline: the ``k`` accounts with the most distinct out-neighbours.

    Ties go to the lower internal index (file order). No guarantee; Kempe et al. (2003)
    show it falls well short of greedy.

    References
    ----------
    Kempe, Kleinberg, Tardos. "Maximizing the Spread of Influence through a Social
    Network." KDD 2003.
    """
    model = _prepare(graph, model)
    cand = _indices(graph, candidates, "candidates") if candidates is not None else None
    k, _ = _check_k(graph, k, cand, np.zeros(0, np.int64))
    start = time.perf_counter()
    deg = graph.out_degree().astype(np.float64)
    chosen = _top_k(deg, k, cand)
    return _baseline_plan(graph, "degree", model, chosen, start, mc_runs, random_state, n_jobs)


def _top_k(score: np.ndarray, k: int, cand: np.ndarray | None) -> np.ndarray:
    if cand is not None:
        masked = np.full(score.shape, -np.inf)
        masked[cand] = score[cand]
        score = masked
    order = np.lexsort((np.arange(score.size), -score))
    return order[:k].astype(np.int64)


def _baseline_plan(graph, name, model, chosen, start, mc_runs, random_state, n_jobs):
    return _finish(
        graph,
        model=model,
        algorithm=name,
        epsilon=None,
        rr=None,
        cover=None,
        forced=np.zeros(0, np.int64),
        chosen=chosen,
        seconds=time.perf_counter() - start,
        rr_sets=0,
        guarantee="none (heuristic baseline)",
        mc_runs=mc_runs,
        random_state=random_state,
        n_jobs=n_jobs,
        details={},
    )


def pagerank(
    graph: Graph,
    alpha: float = 0.85,
    *,
    weighted: bool = True,
    tol: float = 1e-10,
    max_iter: int = 1000,
) -> np.ndarray:
    """PageRank of influence: a random walk against the direction of influence.

    The walker at ``v`` moves to an in-neighbour ``u`` (someone who influences ``v``) with
    probability proportional to ``p(u, v)`` (or uniformly if ``weighted=False``), so
    accounts that influence influential accounts score high. Dangling mass (nodes without
    in-edges) and teleportation are spread uniformly; this equals
    ``networkx.pagerank(G.reverse(), alpha, weight="p")``.

    Returns
    -------
    ndarray of float64, shape (n,)
        Scores summing to 1, by internal index.

    Raises
    ------
    GraphError
        If power iteration does not converge in `max_iter` steps.

    References
    ----------
    Page, Brin, Motwani, Winograd. "The PageRank Citation Ranking: Bringing Order to the
    Web." Stanford InfoLab, 1999.

    Chen, Wang, Wang. "Scalable Influence Maximization for Prevalent Viral Marketing in
    Large-Scale Social Networks." KDD 2010 (PageRank on the transposed graph as a baseline).
    """
    n = graph.n
    if n == 0:
        return np.zeros(0)
    src = np.repeat(np.arange(n, dtype=np.int64), np.diff(graph.indptr))
    dst = graph.indices.astype(np.int64)
    w = graph.probs if weighted else np.ones(graph.m)
    insum = np.bincount(dst, weights=w, minlength=n)
    dangling = insum <= 0
    share = np.zeros(graph.m)
    ok = insum[dst] > 0
    share[ok] = w[ok] / insum[dst][ok]
    x = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        new = alpha * np.bincount(src, weights=x[dst] * share, minlength=n)
        new += (alpha * x[dangling].sum() + (1.0 - alpha)) / n
        if np.abs(new - x).sum() < n * tol:
            return new
        x = new
    raise GraphError(f"PageRank did not converge in {max_iter} iterations")


def pagerank_seeds(
    graph: Graph,
    k: int,
    *,
    model: str = "ic",
    alpha: float = 0.85,
    candidates: Any = None,
    mc_runs: int | None = None,
    random_state: int | None = 0,
    n_jobs: int | None = None,
) -> SeedPlan:
    """Baseline: the ``k`` accounts of highest influence PageRank (:func:`pagerank`)."""
    model = _prepare(graph, model)
    cand = _indices(graph, candidates, "candidates") if candidates is not None else None
    k, _ = _check_k(graph, k, cand, np.zeros(0, np.int64))
    start = time.perf_counter()
    chosen = _top_k(pagerank(graph, alpha), k, cand)
    return _baseline_plan(graph, "pagerank", model, chosen, start, mc_runs, random_state, n_jobs)


def celf(
    graph: Graph,
    k: int,
    *,
    model: str = "ic",
    runs: int = 1000,
    candidates: Any = None,
    random_state: int | None = 0,
    mc_runs: int | None = None,
    n_jobs: int | None = None,
) -> SeedPlan:
    """Baseline for small graphs: greedy on Monte Carlo spread with CELF's lazy evaluation.

    Every spread estimate uses `runs` simulations with the same random state (common
    random numbers), so comparisons between candidates are less noisy. Costs
    ``O(n runs)`` simulations in the first round; use it on graphs of a few thousand
    nodes at most.

    Returns
    -------
    SeedPlan
        ``gains`` are the Monte Carlo marginal gains.

    References
    ----------
    Kempe, Kleinberg, Tardos. "Maximizing the Spread of Influence through a Social
    Network." KDD 2003.

    Leskovec, Krause, Guestrin, Faloutsos, VanBriesen, Glance. "Cost-effective Outbreak
    Detection in Networks." KDD 2007.
    """
    model = _prepare(graph, model)
    cand = _indices(graph, candidates, "candidates") if candidates is not None else None
    k, _ = _check_k(graph, k, cand, np.zeros(0, np.int64))
    pool = np.arange(graph.n) if cand is None else cand
    start = time.perf_counter()

    def spread(seeds: list[int]) -> float:
        est = simulate_from_indices(
            graph, seeds, model, runs, random_state=random_state, n_jobs=n_jobs
        )
        return est.mean

    heap = [(-spread([int(v)]), 0, int(v)) for v in pool]
    heapq.heapify(heap)
    chosen: list[int] = []
    gains: list[float] = []
    current = 0.0
    while len(chosen) < k and heap:
        neg, round_, v = heapq.heappop(heap)
        if round_ == len(chosen):
            chosen.append(v)
            gains.append(-neg)
            current += -neg
            continue
        gain = spread(chosen + [v]) - current
        heapq.heappush(heap, (-gain, len(chosen), v))
    plan = _baseline_plan(
        graph,
        "celf",
        model,
        np.asarray(chosen, np.int64),
        start,
        mc_runs,
        random_state,
        n_jobs,
    )
    plan.gains = np.asarray(gains)
    plan.details = {"runs_per_estimate": runs}
    return plan


# =========================================================================== dispatcher
def select_seeds(
    graph: Graph,
    k: int | None = None,
    *,
    algorithm: str = "imm",
    model: str = "ic",
    epsilon: float = 0.1,
    costs: Mapping[Any, float] | str | Path | None = None,
    budget: float | None = None,
    candidates: Any = None,
    forced: Any = None,
    random_state: int | None = 0,
    mc_runs: int | None = None,
    n_jobs: int | None = None,
) -> SeedPlan:
    """One entry point: ``k`` seeds by IMM / OPIM-C, or a budgeted plan with `costs`.

    Parameters
    ----------
    algorithm : {"imm", "opim-c", "degree", "pagerank", "celf"}
    costs, budget
        Both or neither; with them `k` is ignored and :func:`budgeted_seeds` runs.

    Raises
    ------
    GraphError
        Unknown algorithm, `costs` without `budget` (or the reverse), missing `k`.
    """
    algorithm = str(algorithm).lower()
    if (costs is None) != (budget is None):
        raise GraphError("a budgeted plan needs both a price list (costs) and a budget")
    common = dict(model=model, random_state=random_state, mc_runs=mc_runs, n_jobs=n_jobs)
    if costs is not None:
        return budgeted_seeds(
            graph,
            costs,
            budget,
            epsilon=epsilon,
            algorithm=algorithm,
            candidates=candidates,
            forced=forced,
            **common,
        )
    if k is None:
        raise GraphError("give the number of seeds k (or a price list and a budget)")
    if algorithm == "imm":
        return imm(graph, k, epsilon=epsilon, candidates=candidates, forced=forced, **common)
    if algorithm == "opim-c":
        return opim_c(graph, k, epsilon=epsilon, candidates=candidates, forced=forced, **common)
    if forced is not None:
        raise GraphError(f"forced seeds are not supported by the '{algorithm}' baseline")
    if algorithm == "degree":
        return top_degree(graph, k, candidates=candidates, **common)
    if algorithm == "pagerank":
        return pagerank_seeds(graph, k, candidates=candidates, **common)
    if algorithm == "celf":
        return celf(graph, k, candidates=candidates, **common)
    raise GraphError(
        f"unknown algorithm '{algorithm}'; expected imm, opim-c, degree, pagerank or celf"
    )
