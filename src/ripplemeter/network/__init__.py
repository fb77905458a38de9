"""Influence networks: graphs in CSR form, diffusion simulation and seed selection.

``graph`` reads and cleans graphs (:class:`Graph`), ``diffusion`` estimates the expected
spread of a seed set under the Independent Cascade and Linear Threshold models.
"""

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
    read_edgelist,
)

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
]
