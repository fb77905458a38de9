"""The seeding section: a multi-point launch plan over the campaign's follows graph.

Builds the graph with :func:`ripplemeter.network.seedgraph.seeding_graph` (the same function
``ripplemeter seeds`` uses) from the ``follows`` rows of the campaign's own sources, chooses
seeds with :func:`ripplemeter.network.seeding.select_seeds` under the ``[seeding]`` settings,
and compares the plan with the top out-degree seeds of the same size, both measured by an
independent Monte Carlo run.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from ripplemeter.evaluate import metrics as M
from ripplemeter.evaluate.context import EvalContext
from ripplemeter.evaluate.lift import relative_change
from ripplemeter.evaluate.section import Figure, SectionResult, clean, register_section


class SeedingSettings(BaseModel):
    """``[seeding]`` in campaign.toml: how the report plans seeds when there are follows.

    Attributes
    ----------
    k : int
        Seeds to choose (ignored when ``costs`` and ``budget`` are given).
    model : {"ic", "lt"}
    probability : str
        Edge probability model: ``given``, ``wc``, ``constant:P`` or ``trivalency``.
    epsilon : float
        Approximation slack of IMM / OPIM-C, in (0, 1).
    algorithm : {"imm", "opim-c"}
    costs : Path or None
        KOL price list (CSV ``id,cost``) for a budgeted plan, relative to campaign.toml.
    budget : float or None
    forced : tuple[str, ...]
        Accounts that are seeded anyway (the brand's own).
    random_state : int
    mc_runs : int or None
        Monte Carlo simulations of the independent spread checks (the plan's and the
        top-degree comparison's). Unset: each check runs in batches of 1,000 and stops
        once its 95 % interval is within 1 % of the mean (at most 10,000 runs); the runs
        used are reported (``seeding.spread.runs``). A number: exactly that many runs.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    k: int = Field(10, ge=1)
    model: Literal["ic", "lt"] = "ic"
    probability: str = "wc"
    epsilon: float = 0.1
    algorithm: Literal["imm", "opim-c"] = "imm"
    costs: Path | None = None
    budget: float | None = None
    forced: tuple[str, ...] = ()
    random_state: int = Field(0, ge=0)
    mc_runs: int | None = Field(None, ge=1)

    @field_validator("epsilon", mode="before")
    @classmethod
    def _epsilon(cls, v: Any) -> Any:
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0 < v < 1:
            raise ValueError(f"expected a number in (0, 1), found {v!r}")
        return float(v)

    @field_validator("budget", mode="before")
    @classmethod
    def _budget(cls, v: Any) -> Any:
        if v is None:
            return v
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v <= 0:
            raise ValueError(f"expected a positive amount, found {v!r}")
        return float(v)

    @field_validator("probability")
    @classmethod
    def _probability(cls, v: str) -> str:
        if v in ("given", "wc", "trivalency") or re.fullmatch(r"constant:(0(\.\d+)?|1(\.0+)?)", v):
            return v
        raise ValueError(
            f"expected given, wc, trivalency or constant:P with P in [0, 1], found {v!r}"
        )

    @field_validator("forced", mode="before")
    @classmethod
    def _forced(cls, v: Any) -> Any:
        if isinstance(v, list) and all(isinstance(x, str) for x in v):
            return tuple(v)
        raise ValueError("expected a list of account ids such as ['x:brand']")

    @field_validator("costs", mode="before")
    @classmethod
    def _costs(cls, v: Any, info: ValidationInfo) -> Any:
        if v is None:
            return v
        if not isinstance(v, str):
            raise ValueError(f"expected a file path, found {v!r}")
        p = Path(v)
        base = (info.context or {}).get("base")
        if not p.is_absolute() and base is not None:
            p = (Path(base) / p).resolve()
        if not p.is_file():
            raise ValueError(f"file not found: {p}")
        return p

    @model_validator(mode="after")
    def _budget_with_costs(self) -> SeedingSettings:
        if (self.costs is None) != (self.budget is None):
            missing = "budget" if self.costs is not None else "costs"
            raise ValueError(
                f"{missing}: a budgeted plan needs both costs (a price list) and budget"
            )
        return self


#: Selection methods with a proven guarantee: the share of the best possible reach they
#: reach at least, as a function of epsilon (Tang et al. 2015 IMM; Tang et al. 2018
#: OPIM-C; Khuller, Moss, Naor 1999 and Leskovec et al. 2007 for the budgeted greedy's
#: (1 - 1/e) / 2).
_GUARANTEED = {
    "imm": (1 - 1 / math.e, "the best possible choice of the same number of accounts"),
    "opim-c": (1 - 1 / math.e, "the best possible choice of the same number of accounts"),
    "imm-budgeted": ((1 - 1 / math.e) / 2, "the best choice the budget can buy"),
    "opim-c-budgeted": ((1 - 1 / math.e) / 2, "the best choice the budget can buy"),
}


def guarantee_in_words(algorithm: str, epsilon: float | None, nodes: int) -> str:
    """The selection method's proven guarantee in plain words, for a footnote.

    Parameters
    ----------
    algorithm : str
        :attr:`SeedPlan.algorithm`: ``imm``, ``opim-c``, ``imm-budgeted``,
        ``opim-c-budgeted`` or a baseline (``degree``, ``pagerank``, ``celf``).
    epsilon : float or None
        The approximation slack the plan ran with.
    nodes : int
        Accounts in the graph, ``n``: the guarantee fails with probability at most ``1/n``
        (IMM's ``ell = 1``, OPIM-C's default ``delta = 1/n``).

    Returns
    -------
    str
        E.g. "The selection method is proven to choose accounts whose expected reach is at
        least 53% of the best possible choice of the same number of accounts (the chance
        that it does not is at most 1 in 3,000)." For ``imm``/``opim-c`` the share is
        ``1 - 1/e - epsilon`` (Tang et al. 2015, 2018); budgeted,
        ``(1 - 1/e)/2 - epsilon`` (Khuller, Moss, Naor 1999; Leskovec et al. 2007);
        baselines have none.
    """
    known = _GUARANTEED.get(algorithm)
    if known is None or epsilon is None:
        return (
            "This selection is a simple rule with no proven guarantee; it is used for comparison."
        )
    ratio, best = known
    share = max(ratio - float(epsilon), 0.0)
    return (
        f"The selection method is proven to choose accounts whose expected reach is at least "
        f"{share:.0%} of {best} (the chance that it does not is at most 1 in {nodes:,})."
    )


def compare_with_top_degree(spread: dict, baseline: dict) -> str:
    """Whether the plan reaches more, fewer or about as many accounts as the same number of
    biggest accounts.

    A two-sample z test on the two Monte Carlo means: the difference counts only when it
    is larger than 1.96 times its standard error, ``sqrt(stderr_plan^2 + stderr_base^2)``
    (the runs of the two checks are treated as independent).

    Parameters
    ----------
    spread, baseline : dict
        ``{"mean": float, "stderr": float, ...}`` of the plan's and the top out-degree
        seeds' Monte Carlo spread, in accounts.

    Returns
    -------
    {"better", "same", "worse"}
    """
    diff = float(spread["mean"]) - float(baseline["mean"])
    se = math.hypot(float(spread.get("stderr") or 0.0), float(baseline.get("stderr") or 0.0))
    if abs(diff) <= 1.96 * se:
        return "same"
    return "better" if diff > 0 else "worse"


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
    notes : list[str]
        What the graph builder changed (weighted cascade chosen, LT weights normalised).
    """

    summary: dict
    table: pd.DataFrame
    baseline: dict
    graph: dict
    overlap: pd.DataFrame | None
    notes: list[str]

    def to_dict(self) -> dict:
        return {
            **self.summary,
            "plan": self.table.to_dict("records"),
            "baseline_top_degree": self.baseline,
            "graph": self.graph,
        }


class _ScopedFollows:
    """Adapter giving :func:`seeding_graph` the campaign's follows rows (``table(name)``)."""

    def __init__(self, ctx: EvalContext) -> None:
        self.ctx = ctx
        self.path = None

    def table(self, name: str, import_ids: Any = None) -> pd.DataFrame:
        return self.ctx.tables[name].order_by(["import_id", "source_row"]).to_pandas()


def campaign_graph(ctx: EvalContext, s: SeedingSettings):
    """The campaign's follows graph as seed selection sees it, and the builder's notes.

    :func:`ripplemeter.network.seedgraph.seeding_graph` (the one graph ``ripplemeter seeds``
    builds too) over the follows rows of the campaign's own sources, with ``[seeding]``'s
    model, probabilities and random state.
    """
    from ripplemeter.network.seedgraph import seeding_graph

    return seeding_graph(
        _ScopedFollows(ctx),
        model=s.model,
        probability=s.probability,
        random_state=s.random_state,
        import_ids=ctx.scope,
    )


def plan_seeding(ctx: EvalContext, s: SeedingSettings) -> SeedingResult:
    """Plan seeds over the follows rows of the campaign's sources (once per evaluation and
    settings: the result is kept in ``ctx.memo``).

    Raises
    ------
    GraphError
        Invalid follows rows (weights outside [0, 1], mixed weighted/unweighted rows) or
        forced accounts that are not in the graph.
    """
    key = ("seeding_plan", s)
    if key in ctx.memo:  # the seeding section planned it already in this evaluation
        return ctx.memo[key]
    from ripplemeter.network.seeding import select_seeds, top_degree

    g, notes = campaign_graph(ctx, s)
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
    result = SeedingResult(plan.summary(), plan.to_frame(), baseline, graph, plan.overlap, notes)
    ctx.memo[key] = result
    return result


@register_section
class SeedingSection:
    """Seeding plan (multi-point launch) over the campaign's follows graph."""

    id = "seeding"
    title = "Seeding plan (multi-point launch)"
    order = 70
    metrics = (
        M.EXPECTED_SPREAD,
        M.SPREAD_GAIN,
        M.MONTE_CARLO_RUNS,
        M.SEED_COUNT,
        M.GRAPH_NODES,
        M.GRAPH_EDGES,
        M.RR_SETS,
        M.MARGINAL_GAIN,
        M.CUMULATIVE_GAIN,
        M.SEED_COST,
    )
    settings = SeedingSettings

    def run(self, ctx: EvalContext) -> SectionResult:
        if not ctx.tables.has_rows("follows"):
            return SectionResult.no_data(
                "no follows table (who follows whom) among the campaign's sources",
                {"seeding": None},
            )
        res = plan_seeding(ctx, ctx.settings_for(self))
        d = res.to_dict()
        figs: list[Figure] = []
        spread = d.get("spread")
        if spread:
            figs.append(Figure("seeding.spread.mean", "expected_spread", spread["mean"]))
            figs += [
                Figure(f"seeding.spread.ci95.{i}", "expected_spread", spread["ci95"][i])
                for i in (0, 1)
            ]
            figs.append(Figure("seeding.spread.runs", "monte_carlo_runs", spread["runs"]))
        bspread = d["baseline_top_degree"].get("spread")
        if bspread:
            figs.append(
                Figure(
                    "seeding.baseline_top_degree.spread.mean", "expected_spread", bspread["mean"]
                )
            )
        if spread and bspread and d.get("budget") is not None:
            d["gain_vs_top_degree"] = None
            figs.append(
                Figure(
                    "seeding.gain_vs_top_degree",
                    "spread_gain_vs_top_degree",
                    None,
                    "with a budget the plan is not compared with the biggest accounts, which "
                    "the budget may not buy",
                )
            )
        elif spread and bspread:
            ch = relative_change(spread["mean"], bspread["mean"], what="top-degree spread")
            d["gain_vs_top_degree"] = ch.lift
            d["verdict_vs_top_degree"] = compare_with_top_degree(spread, bspread)
            d["shared_with_top_degree"] = len(
                set(d["seeds"]) & set(d["baseline_top_degree"].get("seeds") or ())
            )
            figs.append(
                Figure(
                    "seeding.gain_vs_top_degree", "spread_gain_vs_top_degree", ch.lift, ch.reason
                )
            )
        d["seed_count"] = len(d["seeds"])
        from ripplemeter.evaluate.top_posts import _account_labels

        # account id -> @handle or name from the accounts rows (the id goes in a tooltip)
        d["account_names"] = _account_labels(ctx, [str(x) for x in d["seeds"]])
        d["guarantee_words"] = guarantee_in_words(
            d.get("algorithm", ""), d.get("epsilon"), d["graph"]["nodes"]
        )
        figs += [
            Figure("seeding.seed_count", "seed_count", d["seed_count"]),
            Figure("seeding.graph.nodes", "graph_nodes", d["graph"]["nodes"]),
            Figure("seeding.graph.edges", "graph_edges", d["graph"]["edges"]),
            Figure("seeding.rr_sets", "rr_sets", clean(d.get("rr_sets"))),
        ]
        for i, row in enumerate(d["plan"]):
            figs.append(
                Figure(
                    f"seeding.plan.{i}.marginal_gain",
                    "marginal_gain",
                    clean(row.get("marginal_gain")),
                )
            )
            figs.append(
                Figure(
                    f"seeding.plan.{i}.cumulative_gain",
                    "cumulative_gain",
                    clean(row.get("cumulative_gain")),
                )
            )
            if "cost" in row:
                figs.append(Figure(f"seeding.plan.{i}.cost", "seed_cost", clean(row.get("cost"))))
        return SectionResult(
            figures=figs,
            data={"seeding": d},
            frames={"plan": res.table},
            notes=list(res.notes),
        )
