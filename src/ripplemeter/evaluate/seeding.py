"""The seeding section of a campaign report: a multi-point plan over the follows graph.

Reads the workspace's ``follows`` table (``src follows dst``: influence flows dst -> src),
chooses seeds with :func:`ripplemeter.network.seeding.select_seeds` under the campaign's
``[seeding]`` settings, and compares the plan with the top out-degree baseline of the same
size, both measured by an independent Monte Carlo run.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ripplemeter.campaign import Campaign
from ripplemeter.workspace import Workspace


@dataclass
class SeedingResult:
    """A seeding plan for the report.

    Attributes
    ----------
    summary : dict
        :meth:`SeedPlan.summary` of the chosen plan (seeds as account ids, spread with its
        Monte Carlo error and interval, RR sets, seconds, guarantee, ...).
    table : DataFrame
        One row per seed: rank, seed, forced, marginal_gain, cumulative_gain (and cost).
    baseline : dict
        The top out-degree seed set of the same size and its Monte Carlo spread.
    graph : dict
        nodes, edges, probability model, self-loops dropped, parallel edges combined.
    overlap : DataFrame or None
        Jaccard overlap of the top seeds' reach (RR coverage).
    """

    summary: dict
    table: pd.DataFrame
    baseline: dict
    graph: dict
    overlap: pd.DataFrame | None

    def to_dict(self) -> dict:
        return {
            **self.summary,
            "plan": self.table.to_dict("records"),
            "baseline_top_degree": self.baseline,
            "graph": self.graph,
        }


def plan_seeding(ws: Workspace, campaign: Campaign) -> SeedingResult | None:
    """Plan seeds over the workspace's follows graph, or None when it has no follows.

    Raises
    ------
    GraphError
        Invalid follows rows (weights outside [0, 1], mixed weighted/unweighted rows) or
        forced accounts that are not in the graph.
    """
    n = int(ws.con.execute("SELECT count(*) FROM follows").fetchall()[0][0])
    if n == 0:
        return None
    from ripplemeter.network.graph import from_workspace
    from ripplemeter.network.seeding import select_seeds, top_degree

    s = campaign.seeding
    prob = None if s.probability == "given" else s.probability
    g = from_workspace(ws, probability=prob, random_state=s.random_state)
    plan = select_seeds(
        g,
        s.k,
        algorithm=s.algorithm,
        model=s.model,
        epsilon=s.epsilon,
        costs=s.costs,
        budget=s.budget,
        forced=list(s.forced) or None,
        random_state=s.random_state,
        mc_runs=s.mc_runs,
    )
    base = top_degree(
        g, plan.k, model=s.model, mc_runs=s.mc_runs, random_state=s.random_state
    ).summary()
    baseline = {"seeds": base["seeds"], "spread": base["spread"]}
    st = g.stats
    graph = {
        "nodes": int(g.n),
        "edges": int(g.m),
        "probability": s.probability,
        "model": s.model,
        "self_loops_dropped": int(getattr(st, "self_loops_dropped", 0)),
        "parallel_edges_combined": int(getattr(st, "parallel_edges_combined", 0)),
    }
    return SeedingResult(plan.summary(), plan.to_frame(), baseline, graph, plan.overlap)
