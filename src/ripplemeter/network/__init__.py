"""Influence networks: graphs in CSR form, diffusion simulation and seed selection.

``graph`` holds and cleans graphs (:class:`Graph`), ``diffusion`` estimates the expected
spread of a seed set under the Independent Cascade and Linear Threshold models,
``seedgraph`` builds the one graph seed selection plans on (:func:`seeding_graph`) and
``seeding`` chooses the seeds. Graph files are read by
:func:`ripplemeter.formats.graph_files.read_edgelist` (also importable from here).
"""

from typing import Any

from ripplemeter.network.diffusion import (
    SpreadEstimate,
    estimate_spread,
    exact_spread,
    simulate_from_indices,
    simulate_ic,
    simulate_lt,
)
from ripplemeter.network.graph import (
    Graph,
    GraphStats,
    from_edges,
    from_workspace,
)
from ripplemeter.network.seedgraph import seeding_graph

__all__ = [
    "SpreadEstimate",
    "estimate_spread",
    "exact_spread",
    "simulate_from_indices",
    "simulate_ic",
    "simulate_lt",
    "Graph",
    "GraphStats",
    "from_edges",
    "from_workspace",
    "read_edgelist",
    "seeding_graph",
]


def __getattr__(name: str) -> Any:
    # formats.graph_files imports network.graph, so it is imported here only when asked for
    if name == "read_edgelist":
        from ripplemeter.formats.graph_files import read_edgelist

        return read_edgelist
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
