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
from rich.table import Table

from ripplemeter.cli import app, console, err_console, friendly
from ripplemeter.errors import GraphError

__all__ = ["plan_to_json", "seeds"]


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
    """Ids from ``a,b,c`` or from a file (one id per line, or a CSV with an ``id`` column)."""
    if text is None:
        return None
    path = Path(text)
    looks_like_file = any(text.lower().endswith(x) for x in (".csv", ".txt", ".tsv", ".lst"))
    if looks_like_file and not path.is_file():
        raise GraphError(f"{option} {text}: no such file")
    if path.is_file():
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8-sig").splitlines()]
        lines = [ln for ln in lines if ln and not ln.startswith("#")]
        if lines and "," in lines[0]:
            header = [h.strip().lower() for h in lines[0].split(",")]
            if "id" not in header:
                raise GraphError(f"{path.name}: expected a CSV header with an 'id' column")
            col = header.index("id")
            raw = [ln.split(",")[col].strip() for ln in lines[1:]]
        elif lines and lines[0].lower() == "id":
            raw = lines[1:]
        else:
            raw = lines
    else:
        raw = [x.strip() for x in text.split(",") if x.strip()]
    import numpy as np

    if np.issubdtype(np.asarray(graph.ids).dtype, np.integer):
        out = []
        for x in raw:
            try:
                out.append(int(x))
            except ValueError:
                raise GraphError(
                    f"{option}: node id '{x}' is not a whole number like the graph's ids"
                ) from None
        return out
    return raw


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
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    mc_runs: Annotated[
        int, typer.Option(help="Monte Carlo runs of the independent spread check.")
    ] = 10000,
    undirected: Annotated[
        bool,
        typer.Option("--undirected", help="Read each edge (or follows row) in both directions."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Choose seed accounts that maximise expected spread (IMM / OPIM-C, optionally budgeted)."""
    from ripplemeter.network.seedgraph import seeding_graph
    from ripplemeter.network.seeding import select_seeds

    if (costs is None) != (budget is None):
        raise GraphError("--costs and --budget go together")
    g, notes = seeding_graph(
        graph, model=model, probability=probability, random_state=seed, undirected=undirected
    )
    note = "; ".join(notes) or None
    plan = select_seeds(
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
        lo, hi = plan.spread.ci95
        console.print(
            f"expected spread {plan.spread.mean:,.1f} nodes (95% CI {lo:,.1f} to {hi:,.1f}; "
            f"{plan.spread.runs:,} independent Monte Carlo runs)"
        )
    console.print(f"{plan.rr_sets:,} RR sets, {plan.seconds:.2f} s; guarantee: {plan.guarantee}")
    if plan.budget is not None:
        console.print(f"spent {plan.spent:,.2f} of {plan.budget:,.2f}")
    if not math.isnan(plan.redundancy):
        console.print(f"shared reach between seeds: {plan.redundancy:,.1f} nodes")


def _fmt(x: float) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:,.1f}"
