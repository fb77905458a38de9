"""Spread estimation: exact enumeration against hand values and networkx, Monte Carlo
against exact, reproducibility, and a real graph against cynetdiff."""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import pytest

from ripplemeter.errors import GraphError
from ripplemeter.formats.graph_files import read_edgelist
from ripplemeter.network.diffusion import (
    N_CHUNKS,
    SpreadEstimate,
    _combine,
    estimate_spread,
    exact_spread,
    simulate_from_indices,
    simulate_ic,
    simulate_lt,
)
from ripplemeter.network.graph import from_edges


# ---------------------------------------------------------------------------- oracles
def nx_exact_ic(g: nx.DiGraph, seeds) -> float:
    """Sum over all 2**m live-edge subsets, reachability by networkx."""
    edges = list(g.edges(data="p"))
    total = 0.0
    for live in itertools.product((False, True), repeat=len(edges)):
        prob = 1.0
        h = nx.DiGraph()
        h.add_nodes_from(g.nodes)
        for on, (u, v, p) in zip(live, edges, strict=True):
            prob *= p if on else 1.0 - p
            if on:
                h.add_edge(u, v)
        reached = set(seeds)
        for s in seeds:
            reached |= nx.descendants(h, s)
        total += prob * len(reached)
    return total


def nx_exact_lt(g: nx.DiGraph, seeds) -> float:
    """Every node keeps one in-edge (or none) with its weight (Kempe et al., Claim 2.6)."""
    options = []
    for v in g.nodes:
        ins = [(u, v, p) for u, _, p in g.in_edges(v, data="p")]
        rest = 1.0 - sum(p for _, _, p in ins)
        options.append([(e, e[2]) for e in ins] + [(None, rest)])
    total = 0.0
    for world in itertools.product(*options):
        prob = math.prod(p for _, p in world)
        if prob <= 0:
            continue
        h = nx.DiGraph()
        h.add_nodes_from(g.nodes)
        h.add_edges_from((e[0], e[1]) for e, _ in world if e is not None)
        reached = set(seeds)
        for s in seeds:
            reached |= nx.descendants(h, s)
        total += prob * len(reached)
    return total


def random_graph(seed: int, n: int = 7, m: int = 11):
    rng = np.random.default_rng(seed)
    pairs = set()
    while len(pairs) < m:
        u, v = rng.integers(0, n, size=2)
        if u != v:
            pairs.add((f"n{u}", f"n{v}"))
    src, dst = zip(*sorted(pairs), strict=True)
    return from_edges(list(src), list(dst), rng.uniform(0.05, 0.95, size=m))


# ---------------------------------------------------------------------------- exact
def test_exact_path_by_hand():
    g = from_edges(["a", "b"], ["b", "c"], [0.5, 0.5])
    assert exact_spread(g, "a") == pytest.approx(1 + 0.5 + 0.25)
    # LT with one in-edge per node is the same process
    assert exact_spread(g, "a", model="lt") == pytest.approx(1.75)
    assert exact_spread(g, ["a", "c"]) == pytest.approx(2.5)
    assert exact_spread(g, []) == 0.0


def test_exact_diamond_by_hand():
    p_ab, p_ac, p_bd, p_cd = 0.3, 0.6, 0.5, 0.4
    g = from_edges(["a", "a", "b", "c"], ["b", "c", "d", "d"], [p_ab, p_ac, p_bd, p_cd])
    ic_d = 1 - (1 - p_ab * p_bd) * (1 - p_ac * p_cd)
    assert exact_spread(g, "a") == pytest.approx(1 + p_ab + p_ac + ic_d)
    # LT: d keeps b -> d or c -> d (weights 0.5, 0.4) or neither
    lt_d = p_bd * p_ab + p_cd * p_ac
    assert exact_spread(g, "a", model="lt") == pytest.approx(1 + p_ab + p_ac + lt_d)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exact_matches_networkx_enumeration(seed):
    g = random_graph(seed)
    h = g.to_networkx()
    seeds = ["n0", "n3"]
    assert exact_spread(g, seeds) == pytest.approx(nx_exact_ic(h, seeds), rel=1e-12)
    lt = g.with_probabilities("lt")
    assert exact_spread(lt, seeds, model="lt") == pytest.approx(
        nx_exact_lt(lt.to_networkx(), seeds), rel=1e-12
    )


def test_exact_refuses_large_graphs():
    g = from_edges(np.arange(21), np.arange(1, 22), np.full(21, 0.5))
    with pytest.raises(GraphError, match="at most 20 edges"):
        exact_spread(g, 0)
    with pytest.raises(GraphError, match="unknown diffusion model"):
        exact_spread(from_edges([0], [1], [0.5]), 0, model="sir")


# ---------------------------------------------------------------------------- Monte Carlo
@pytest.mark.parametrize("model", ["ic", "lt"])
def test_monte_carlo_within_four_stderr_of_exact(model):
    g = random_graph(5, n=8, m=16)
    if model == "lt":
        g = g.with_probabilities("lt")
    seeds = ["n1", "n4"]
    exact = exact_spread(g, seeds, model=model)
    est = estimate_spread(g, seeds, model=model, runs=40000, random_state=11)
    assert isinstance(est, SpreadEstimate) and est.model == model and est.runs == 40000
    assert est.stderr > 0
    assert abs(est.mean - exact) < 4 * est.stderr
    lo, hi = est.ci95
    assert lo < est.mean < hi and hi - lo == pytest.approx(2 * 1.959963984540054 * est.stderr)


def test_path_estimate_close_to_hand_value():
    g = from_edges(["a", "b"], ["b", "c"], [0.5, 0.5])
    for fn in (simulate_ic, simulate_lt):
        est = fn(g, "a", runs=50000, random_state=1)
        assert abs(est.mean - 1.75) < 4 * est.stderr
        # variance of 1 + B1 + B1 B2 with B ~ Bernoulli(0.5): 11/16
        assert est.stderr == pytest.approx(math.sqrt(11 / 16 / 50000), rel=0.05)


def test_reproducible_and_independent_of_n_jobs():
    g = random_graph(3, n=30, m=90)
    a = simulate_ic(g, ["n0"], runs=3001, random_state=42, n_jobs=1)
    b = simulate_ic(g, ["n0"], runs=3001, random_state=42, n_jobs=2)
    c = simulate_ic(g, ["n0"], runs=3001, random_state=42, n_jobs=2)
    d = simulate_ic(g, ["n0"], runs=3001, random_state=43, n_jobs=2)
    assert (a.mean, a.stderr) == (b.mean, b.stderr) == (c.mean, c.stderr)
    assert d.mean != a.mean
    lt = g.with_probabilities("lt")
    e = simulate_lt(lt, ["n0"], runs=500, random_state=5, n_jobs=1)
    f = simulate_lt(lt, ["n0"], runs=500, random_state=5, n_jobs=2)
    assert (e.mean, e.stderr) == (f.mean, f.stderr)


def test_chunk_statistics_pool_exactly():
    rng = np.random.default_rng(0)
    samples = rng.poisson(30, size=1000).astype(float)
    cuts = [0, 1, 17, 400, 401, 1000]
    parts = [samples[a:b] for a, b in itertools.pairwise(cuts)]
    counts = np.array([len(p) for p in parts])
    means = np.array([p.mean() for p in parts])
    m2s = np.array([((p - p.mean()) ** 2).sum() for p in parts])
    mean, stderr = _combine(counts, means, m2s)
    assert mean == pytest.approx(samples.mean(), rel=1e-12)
    assert stderr == pytest.approx(samples.std(ddof=1) / math.sqrt(1000), rel=1e-10)


@pytest.mark.parametrize("runs", [1, 3, N_CHUNKS, N_CHUNKS + 5, 1000])
def test_deterministic_graph_any_chunking(runs):
    # p = 1 on a path: every run activates all four nodes
    g = from_edges([0, 1, 2], [1, 2, 3], [1.0, 1.0, 1.0])
    est = simulate_ic(g, 0, runs=runs)
    assert est.mean == 4.0 and est.runs == runs
    assert math.isnan(est.stderr) if runs == 1 else est.stderr == 0.0
    assert simulate_lt(g, [1], runs=runs).mean == 3.0


def test_seeds_are_original_ids():
    g = from_edges([10, 20], [20, 30], [1.0, 0.0])
    assert simulate_ic(g, 10, runs=10).mean == 2.0
    assert simulate_ic(g, [20, 20, 20], runs=10).mean == 1.0  # duplicates count once
    assert simulate_ic(g, [], runs=10).mean == 0.0
    # internal indices for callers that already have them: 10 -> 0
    assert simulate_from_indices(g, [0], runs=10).mean == 2.0
    with pytest.raises(GraphError, match="unknown node id 2"):
        simulate_ic(g, [2], runs=10)
    with pytest.raises(GraphError, match="outside"):
        simulate_from_indices(g, [5], runs=10)


def test_argument_errors():
    g = from_edges(["a", "b"], ["c", "c"], [0.7, 0.6])
    with pytest.raises(GraphError, match="sum to 1.3"):
        simulate_lt(g, "a", runs=10)
    with pytest.raises(GraphError, match="runs must be a positive integer"):
        simulate_ic(g, "a", runs=0)
    with pytest.raises(GraphError, match="n_jobs"):
        simulate_ic(g, "a", runs=10, n_jobs=0)
    with pytest.raises(GraphError, match="unknown diffusion model"):
        estimate_spread(g, "a", model="sis")
    assert simulate_ic(g, "a", runs=10, n_jobs=-1).runs == 10


# ---------------------------------------------------------------------------- real data
@pytest.mark.real_data
def test_nethept_agrees_with_cynetdiff(real_data):
    models = pytest.importorskip("cynetdiff.models")
    from array import array

    g = read_edgelist(real_data("nethept/NetHEPT.txt"))
    seeds = np.argsort(-g.out_degree(), kind="stable")[:10]
    ours = simulate_ic(g, g.ids[seeds], runs=4000, random_state=0)
    cy = models.IndependentCascadeModel(
        array("I", g.indptr[:-1].tolist()),
        array("I", g.indices.tolist()),
        activation_probs=array("f", g.probs.tolist()),
        rng=1,
    )
    cy.set_seeds([int(s) for s in seeds])
    sizes = []
    for _ in range(4000):
        cy.reset_model()
        cy.advance_until_completion()
        sizes.append(cy.get_num_activated_nodes())
    sizes = np.asarray(sizes, dtype=float)
    cy_se = sizes.std(ddof=1) / math.sqrt(len(sizes))
    assert abs(ours.mean - sizes.mean()) < 4 * math.hypot(ours.stderr, cy_se)
    assert ours.stderr == pytest.approx(cy_se, rel=0.15)
