"""``ripplemeter seeds``: thin; the graph comes from
:func:`ripplemeter.network.seedgraph.seeding_graph`, the seeds from
:func:`ripplemeter.network.seeding.select_seeds`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer

from ripplemeter.cli import app, console, err_console, friendly
from ripplemeter.errors import GraphError

__all__ = ["overlap_sentence", "plan_to_json", "seeds"]


def plan_to_json(plan: Any) -> str:
    """The ``--json`` output of ``ripplemeter seeds``.

    ``{"seeds": [...], "spread": {"mean", "stderr", "runs", "ci95"}, "rr_sets", "seconds",
    ...}``; the spread comes from a Monte Carlo run independent of the RR sets.
    """
    return json.dumps(plan.summary(), indent=2, default=_json_default)


def _json_default(x: Any) -> Any:
    if hasattr(x, "item"):
        return x.item()
    if isinstance(x, float) and math.isnan(x):
        return None
    return str(x)


def _load_ids(graph: Any, text: str | None, option: str = "--candidates") -> list | None:
    """Ids from ``a,b,c`` or from a file (one id per line, optionally under a header line
    such as ``id`` or ``account_id``, or a CSV with an id column); each must be a node."""
    if text is None:
        return None
    from ripplemeter.formats.graph_files import read_id_list

    whole = graph.ids.dtype.kind in "iu"
    path = Path(text)
    looks_like_file = any(text.lower().endswith(x) for x in (".csv", ".txt", ".tsv", ".lst"))
    if looks_like_file and not path.is_file():
        raise GraphError(f"{option} {text}: no such file")
    if path.is_file():
        ids, lines = read_id_list(path, whole_numbers=whole)
        where = [f"{path.name}, line {n}" for n in lines]
    else:
        raw = [x.strip() for x in text.split(",") if x.strip()]
        ids = []
        for x in raw:
            if whole:
                try:
                    x = int(x)
                except ValueError:
                    raise GraphError(
                        f"{option}: node id '{x}' is not a whole number like the graph's ids"
                    ) from None
            ids.append(x)
        where = [option] * len(ids)
    known = set(graph.ids.tolist())
    for x, at in zip(ids, where, strict=True):
        if x not in known:
            raise GraphError(
                f"{at}: account {x} is not in the graph; an account without any edge can be "
                "added with --nodes FILE"
            )
    return ids


@app.command("seeds")
@friendly
def seeds(
    graph: Annotated[
        Path, typer.Argument(help="Graph file (SNAP, NetHEPT, CSV) or a .duckdb workspace.")
    ],
    k: Annotated[int, typer.Option("--k", "-k", help="Seeds to choose.")] = 50,
    model: Annotated[str, typer.Option(help="Diffusion model: ic or lt.")] = "ic",
    probability: Annotated[
        str | None,
        typer.Option(
            help="Edge probabilities: given, wc, constant:0.01, trivalency, lt "
            "(default: the file's own, or wc when it has none)."
        ),
    ] = None,
    epsilon: Annotated[float, typer.Option(help="Approximation slack.")] = 0.1,
    algorithm: Annotated[
        str, typer.Option(help="imm, opim-c, or a baseline: degree, pagerank, celf.")
    ] = "imm",
    costs: Annotated[Path | None, typer.Option(help="Price list CSV with columns id,cost.")] = None,
    budget: Annotated[float | None, typer.Option(help="Total budget (with --costs).")] = None,
    candidates: Annotated[
        str | None,
        typer.Option(help="Only these accounts may be chosen: a file of ids or a,b,c."),
    ] = None,
    forced: Annotated[
        str | None, typer.Option(help="Accounts seeded in any case: a file of ids or a,b,c.")
    ] = None,
    nodes: Annotated[
        Path | None,
        typer.Option(
            help="Accounts to include even without any edge (one id per line, or a CSV with "
            "an id column); they can then be candidates and seeds."
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    mc_runs: Annotated[
        int | None,
        typer.Option(
            help="Monte Carlo runs of the independent spread check (default: batches of "
            "1,000 until the 95% interval is within 1% of the mean, at most 10,000)."
        ),
    ] = None,
    undirected: Annotated[
        bool | None,
        typer.Option(
            "--undirected/--directed",
            help="Read each edge (or follows row) as a two-way or a one-way link (default: "
            "as the file says; a plain edge list listing every pair once must be told).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Choose seed accounts that maximise expected spread (IMM / OPIM-C, optionally budgeted)."""
    from ripplemeter.network.seedgraph import seeding_graph

    if (costs is None) != (budget is None):
        raise GraphError("--costs and --budget go together")
    if mc_runs is not None and mc_runs < 0:
        raise GraphError(f"--mc-runs must be 0 (no check) or more, not {mc_runs}")
    g, notes = seeding_graph(
        graph,
        model=model,
        probability=probability,
        random_state=seed,
        undirected=undirected,
        nodes=nodes,
    )
    note = "; ".join(notes) or None
    plan = _plan(
        g,
        k,
        algorithm=algorithm,
        model=model,
        epsilon=epsilon,
        costs=costs,
        budget=budget,
        candidates=_load_ids(g, candidates, "--candidates"),
        forced=_load_ids(g, forced, "--forced"),
        random_state=seed,
        mc_runs=mc_runs,
    )
    unknown = plan.details.get("unknown_cost_ids") if plan.details else None
    if unknown:
        msg = (
            f"{unknown} account(s) of the price list are not in the graph and were ignored; "
            "check the ids for typos"
        )
        note = f"{note}; {msg}" if note else msg
    if as_json:
        doc = json.loads(plan_to_json(plan))
        doc["probability"] = g.stats.probability_model
        doc["graph"] = {"nodes": int(g.n), "edges": int(g.m)}
        if note:
            doc["note"] = note
        print(json.dumps(doc, indent=2))
        return
    if note:
        err_console.print(f"note: {note}", highlight=False, markup=False)
    from rich.table import Table

    table = Table(
        "rank",
        "account",
        "marginal gain",
        "cumulative",
        *(["cost"] if plan.costs is not None else []),
        title=f"{plan.algorithm} seeds ({plan.model.upper()}, {g.stats.probability_model})",
    )
    frame = plan.to_frame()
    for row in frame.itertuples(index=False):
        cells = [
            str(row.rank),
            f"{row.seed}{' (forced)' if row.forced else ''}",
            _fmt(row.marginal_gain),
            _fmt(row.cumulative_gain),
        ]
        if plan.costs is not None:
            cells.append(f"{row.cost:,.2f}")
        table.add_row(*cells)
    console.print(table)
    if plan.spread is not None:
        console.print(spread_sentence(plan.spread), highlight=False)
    from ripplemeter.evaluate.seeding import guarantee_in_words

    console.print(
        f"Chosen from {plan.rr_sets:,} simulated samples in {plan.seconds:.2f} s. "
        + guarantee_in_words(plan.algorithm, plan.epsilon, int(g.n)),
        highlight=False,
    )
    if plan.budget is not None:
        console.print(f"spent {plan.spent:,.2f} of {plan.budget:,.2f}", highlight=False)
    if not math.isnan(plan.redundancy):
        console.print(overlap_sentence(plan.redundancy, plan.rr_estimate), highlight=False)


def overlap_sentence(redundancy: float, joint: float) -> str:
    """How much the seeds' audiences overlap, in words.

    Parameters
    ----------
    redundancy : float
        :attr:`SeedPlan.redundancy`: the sum of each seed's own expected reach minus the
        reach of all seeds together, in accounts (estimated on the selection sample).
    joint : float
        :attr:`SeedPlan.rr_estimate`: the reach of all seeds together on the same sample.

    Returns
    -------
    str
        E.g. "Overlap between the seeds: their reaches added up one by one come to 2,201.0
        accounts, but together they reach 1,136.7, because many accounts are reached by
        more than one seed (estimated on the selection sample)."
    """
    if not math.isfinite(joint):
        return (
            f"Overlap between the seeds: adding up each seed's reach one by one would count "
            f"{redundancy:,.1f} accounts more than once."
        )
    return (
        f"Overlap between the seeds: their reaches added up one by one come to "
        f"{joint + redundancy:,.1f} accounts, but together they reach {joint:,.1f}, because "
        "many accounts are reached by more than one seed (estimated on the selection sample)."
    )


def spread_sentence(spread: Any) -> str:
    """One line on a :class:`~ripplemeter.network.diffusion.SpreadEstimate`: the mean, its
    95 % interval, and how many runs and why that many."""
    lo, hi = spread.ci95
    rel = spread.relative_half_width
    width = f"±{rel:.1%} of the mean" if math.isfinite(rel) else "width unknown"
    if spread.precision is None:
        why = f"{spread.runs:,} independent Monte Carlo runs, as asked"
    elif spread.converged:
        why = (
            f"{spread.runs:,} independent Monte Carlo runs, stopped once the interval was "
            f"within {spread.precision:.0%} of the mean"
        )
    else:
        why = (
            f"{spread.runs:,} independent Monte Carlo runs, the most the check makes; the "
            f"interval did not narrow to {spread.precision:.0%} of the mean (use --mc-runs "
            "for more)"
        )
    return (
        f"expected spread {spread.mean:,.1f} nodes (95% CI {lo:,.1f} to {hi:,.1f}, {width}; {why})"
    )


def _plan(g: Any, k: int, **kwargs: Any) -> Any:
    """select_seeds, saying on stderr when numba compiles its kernels first (cold cache)."""
    from ripplemeter.network.warmup import cold_kernels, compile_kernels

    if cold_kernels("seeding"):
        msg = (
            "First run after installing: compiling the seeding kernels (about half a minute, "
            "once; later runs load them from numba's cache)"
        )
        if err_console.is_terminal:
            with err_console.status(msg):
                compile_kernels(("seeding",))
        else:  # a log or a pipe: no spinner, one plain line
            err_console.print(f"note: {msg}", markup=False, highlight=False)
            compile_kernels(("seeding",))
    from ripplemeter.network.seeding import select_seeds

    return select_seeds(g, k, **kwargs)


def _fmt(x: float) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:,.1f}"
