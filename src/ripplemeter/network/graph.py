"""Directed influence graphs in compressed sparse row (CSR) form.

A :class:`Graph` holds the out-edges and the in-edges of every node as two CSR structures
with one probability (Independent Cascade) or weight (Linear Threshold) per edge. Nodes are
numbered internally ``0 .. n-1``; ``Graph.ids`` keeps the original id of every internal
index, and every public result of :mod:`ripplemeter.network` names original ids.

Builders
--------
:func:`from_edges` builds a graph from arrays and :func:`from_workspace` from a
workspace's ``follows`` table. Graph *files* (SNAP, NetHEPT, CSV edge lists) are read by
:func:`ripplemeter.formats.graph_files.read_edgelist`, which builds its graph here;
``read_edgelist`` is still importable from this module. The graph that ``ripplemeter
seeds`` and the report's seeding section plan on comes from
:func:`ripplemeter.network.seedgraph.seeding_graph`.

Cleaning, always the same way and always counted in :class:`GraphStats`:

* self-loops are dropped (a node cannot influence itself);
* parallel edges ``u -> v`` are combined into one edge. Under the Independent Cascade
  model every copy is an independent chance, so ``p = 1 - prod(1 - p_i)``; under the
  Linear Threshold model weights add up (``combine="lt"``);
* a probability outside ``[0, 1]`` raises :class:`~ripplemeter.errors.GraphError` naming
  the file and line.

References
----------
Kempe, Kleinberg, Tardos. "Maximizing the Spread of Influence through a Social Network."
KDD 2003.

Chen, Wang, Yang. "Efficient Influence Maximization in Social Networks." KDD 2009.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from ripplemeter.errors import GraphError

__all__ = [
    "Graph",
    "GraphStats",
    "PROBABILITY_MODELS",
    "from_edges",
    "from_workspace",
]

#: Names accepted by :meth:`Graph.with_probabilities` (``constant`` takes ``:p``).
PROBABILITY_MODELS = ("given", "wc", "constant:<p>", "trivalency", "lt")

TRIVALENCY_VALUES = (0.1, 0.01, 0.001)


def __getattr__(name: str) -> Any:
    # read_edgelist moved to ripplemeter.formats.graph_files; imported lazily because that
    # module builds its graphs with this one (no import cycle at module import time).
    if name == "read_edgelist":
        from ripplemeter.formats.graph_files import read_edgelist

        return read_edgelist
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class GraphStats:
    """How a graph was read and cleaned.

    Attributes
    ----------
    source : str or None
        The file (or ``"workspace:follows"``, ``"edges"``) the graph came from.
    fmt : str
        ``"snap"``, ``"nethept"``, ``"csv"``, ``"edges"`` or ``"workspace"``.
    lines_read : int
        Edge lines (rows) read, not counting comments, blank lines and headers.
    edges_read : int
        Directed edges those lines stand for (twice ``lines_read`` when undirected).
    self_loops_dropped : int
        Lines ``u u`` dropped (counted once per line, also when undirected).
    parallel_edges_combined : int
        Directed edges merged into an earlier copy of the same ``u -> v`` pair.
    undirected : bool
        Whether every line was read as two directed edges.
    direction_from : str
        What decided `undirected`: ``"caller"`` (an argument or command-line flag),
        ``"header"`` (a SNAP ``# Directed graph`` / ``# Undirected graph`` comment),
        ``"format"`` (a format that is directed by definition: CSV ``src,dst``, the
        NetHEPT / IMM ``n m`` layout, a workspace's follows rows) or ``"lines"`` (a plain
        edge list whose lines run both ways, so it cannot be a list of unordered pairs).
    nodes_added : int
        Nodes without edges added from a node list (:meth:`Graph.with_nodes`).
    notes : tuple of str
        Sentences on what reading found and did about it (a count header that disagrees
        with the file, a flag that overrides the file's header), for the caller to show.
    combine : str
        ``"ic"`` (``1 - prod(1 - p_i)``) or ``"lt"`` (sum of weights).
    probability_model : str
        Where ``probs`` came from: ``"given"``, ``"unweighted"`` (no probability column;
        every edge has 1.0 until a model is chosen), ``"wc"``, ``"constant:p"``,
        ``"trivalency"`` or ``"lt"``.
    header_nodes, header_edges : int or None
        Counts stated by the file itself (NetHEPT header line, SNAP ``# Nodes:`` comment).
    given_model : str
        ``"given"`` or ``"unweighted"``: what ``with_probabilities("given")`` restores.
    """

    source: str | None = None
    fmt: str = "edges"
    lines_read: int = 0
    edges_read: int = 0
    self_loops_dropped: int = 0
    parallel_edges_combined: int = 0
    undirected: bool = False
    direction_from: str = "caller"
    nodes_added: int = 0
    notes: tuple[str, ...] = ()
    combine: str = "ic"
    probability_model: str = "given"
    header_nodes: int | None = None
    header_edges: int | None = None
    given_model: str = "given"


@dataclass(frozen=True, eq=False)
class Graph:
    """A directed graph with one influence probability (or LT weight) per edge.

    Attributes
    ----------
    n : int
        Number of nodes.
    indptr : ndarray of int64, shape (n + 1,)
        Out-edge CSR: the out-neighbours of ``u`` are ``indices[indptr[u]:indptr[u + 1]]``.
    indices : ndarray of int32, shape (m,)
        Out-neighbour of each edge, sorted within each node.
    probs : ndarray of float64, shape (m,)
        IC probability (or LT weight) of each out-edge.
    rev_indptr : ndarray of int64, shape (n + 1,)
        In-edge CSR: the in-neighbours of ``v`` are
        ``rev_indices[rev_indptr[v]:rev_indptr[v + 1]]``.
    rev_indices : ndarray of int32, shape (m,)
    rev_probs : ndarray of float64, shape (m,)
        The same probabilities as ``probs``, in in-edge order.
    ids : ndarray, shape (n,)
        Original id of each internal index (int64 when every id is an integer, else object).
    stats : GraphStats
        How the graph was read and cleaned.
    rev_perm : ndarray of int64, shape (m,)
        ``rev_perm[k]`` is the position in the out-edge arrays of in-edge ``k``, so that
        ``rev_probs == probs[rev_perm]``.
    given_probs : ndarray of float64, shape (m,)
        The probabilities the graph was built with (``with_probabilities("given")``).

    Notes
    -----
    Build graphs with :func:`~ripplemeter.formats.graph_files.read_edgelist`,
    :func:`from_edges` or :func:`from_workspace`; they validate and clean the input. The
    arrays are not copied on access; do not modify them in place.
    """

    n: int
    indptr: np.ndarray
    indices: np.ndarray
    probs: np.ndarray
    rev_indptr: np.ndarray
    rev_indices: np.ndarray
    rev_probs: np.ndarray
    ids: np.ndarray
    stats: GraphStats = field(default_factory=GraphStats)
    rev_perm: np.ndarray | None = field(default=None, repr=False)
    given_probs: np.ndarray | None = field(default=None, repr=False)

    # ------------------------------------------------------------------ sizes
    @property
    def m(self) -> int:
        """Number of directed edges (after cleaning)."""
        return int(self.indices.shape[0])

    def __repr__(self) -> str:
        return (
            f"Graph(n={self.n}, m={self.m}, probability_model="
            f"'{self.stats.probability_model}', source={self.stats.source!r})"
        )

    def out_degree(self) -> np.ndarray:
        """Number of distinct out-neighbours of every node, int64 (n,)."""
        return np.diff(self.indptr)

    def in_degree(self) -> np.ndarray:
        """Number of distinct in-neighbours of every node, int64 (n,)."""
        return np.diff(self.rev_indptr)

    # ------------------------------------------------------------------ ids
    @cached_property
    def _id_index(self) -> pd.Index:
        return pd.Index(self.ids)

    def index_of(self, original_ids: Any) -> np.ndarray:
        """Internal indices of original node ids.

        Parameters
        ----------
        original_ids : scalar or sequence
            Node ids as they appear in the source (file, workspace, arrays).

        Returns
        -------
        ndarray of int64
            One index per id, in order (shape ``(1,)`` for a scalar).

        Raises
        ------
        GraphError
            If an id is not a node of the graph; the message names it.
        """
        if isinstance(original_ids, str | bytes) or np.ndim(original_ids) == 0:
            values = [original_ids]
        else:
            values = list(original_ids)
        if not values:
            return np.zeros(0, dtype=np.int64)
        try:
            idx = self._id_index.get_indexer(pd.Index(values, dtype=self._id_index.dtype))
        except (TypeError, ValueError, OverflowError):
            idx = self._id_index.get_indexer(pd.Index(values, dtype=object))
        idx = np.asarray(idx, dtype=np.int64)
        missing = np.flatnonzero(idx < 0)
        if missing.size:
            shown = ", ".join(_show(values[i]) for i in missing[:5])
            more = f" and {missing.size - 5} more" if missing.size > 5 else ""
            where = f" of {self.stats.source}" if self.stats.source else ""
            raise GraphError(f"unknown node id {shown}{more}: not a node{where}")
        return idx

    def id_of(self, indices: Any) -> np.ndarray:
        """Original ids of internal indices (the inverse of :meth:`index_of`)."""
        idx = np.asarray(indices, dtype=np.int64)
        if idx.size and (idx.min() < 0 or idx.max() >= self.n):
            raise GraphError(f"internal node index outside 0..{self.n - 1}")
        return self.ids[idx]

    def with_nodes(self, node_ids: Any, *, source: str | None = None) -> Graph:
        """The same graph with more nodes: ids not yet in it are added without edges.

        Accounts that follow nobody and that nobody follows are still accounts a campaign
        can seed (each reaches at least itself); a node list brings them in.

        Parameters
        ----------
        node_ids : sequence
            Ids, in the graph's kind: whole numbers (as ints or text such as ``"17"``) for
            a graph with integer ids, text otherwise. Ids already in the graph and repeats
            are ignored.
        source : str, optional
            Where the ids came from (a file name), for error messages.

        Returns
        -------
        Graph
            Old nodes keep their internal indices; new ones follow in the order given, so
            ``n`` grows by ``stats.nodes_added``. Edges and probabilities are unchanged.

        Raises
        ------
        GraphError
            An id that is not a whole number for a graph with integer ids (named, with
            its position).
        """
        values = list(node_ids)
        where = f"{source}: " if source else ""
        if self.ids.dtype.kind in "iu":
            ints = []
            for i, x in enumerate(values):
                try:
                    v = int(str(x).strip()) if not isinstance(x, int | np.integer) else int(x)
                except ValueError:
                    raise GraphError(
                        f"{where}node {i + 1} ({_show(x)}) is not a whole number like the "
                        "graph's ids"
                    ) from None
                ints.append(v)
            new = pd.unique(np.asarray(ints, dtype=np.int64))
        else:
            new = pd.unique(np.asarray([str(x) for x in values], dtype=object))
        if len(new):
            new = new[self._id_index.get_indexer(pd.Index(new, dtype=self.ids.dtype)) < 0]
        k = len(new)
        if k == 0:
            return self
        ids = np.concatenate([self.ids, np.asarray(new, dtype=self.ids.dtype)])
        tail = np.full(k, self.indptr[-1], dtype=self.indptr.dtype)
        rev_tail = np.full(k, self.rev_indptr[-1], dtype=self.rev_indptr.dtype)
        return Graph(
            n=self.n + k,
            indptr=np.concatenate([self.indptr, tail]),
            indices=self.indices,
            probs=self.probs,
            rev_indptr=np.concatenate([self.rev_indptr, rev_tail]),
            rev_indices=self.rev_indices,
            rev_probs=self.rev_probs,
            ids=ids,
            stats=_replace(self.stats, nodes_added=self.stats.nodes_added + k),
            rev_perm=self.rev_perm,
            given_probs=self.given_probs,
        )

    # ------------------------------------------------------------------ models
    def with_probabilities(self, model: str, *, random_state: int | None = 0) -> Graph:
        """The same graph with edge probabilities from a named model.

        Parameters
        ----------
        model : str
            ``"given"``
                The probabilities the graph was built with (file column or ``probs``).
            ``"wc"``
                Weighted cascade: ``p(u, v) = 1 / d_in(v)``, where ``d_in(v)`` counts the
                *distinct* in-neighbours of ``v`` after parallel edges were combined
                (Kempe et al. 2003; Chen et al. 2009). NetHEPT's distributed weights count
                repeated edges instead; use ``"given"`` to keep those.
            ``"constant:p"``
                The same probability ``p`` on every edge, e.g. ``"constant:0.01"``.
            ``"trivalency"``
                Each edge draws ``p`` uniformly from {0.1, 0.01, 0.001} (Chen et al. 2009),
                seeded by `random_state`.
            ``"lt"``
                Linear Threshold weights: the current weights, divided per node by their
                sum wherever the incoming sum exceeds 1, so that every node's in-weights
                sum to at most 1. On an unweighted graph this gives ``1 / d_in(v)``; on a
                graph read with ``combine="lt"`` it gives Kempe et al.'s
                ``c(u, v) / d(v)`` with edge multiplicities ``c``.
        random_state : int or None
            Seed for ``"trivalency"``.

        Returns
        -------
        Graph
            A new graph sharing the structure arrays; ``stats.probability_model`` names
            the model.

        Raises
        ------
        GraphError
            Unknown model name or constant outside [0, 1].

        References
        ----------
        Kempe, Kleinberg, Tardos. "Maximizing the Spread of Influence through a Social
        Network." KDD 2003.

        Chen, Wang, Yang. "Efficient Influence Maximization in Social Networks." KDD 2009.
        """
        name = model.strip().lower()
        dst = self.indices
        if name == "given":
            probs = self.given_probs if self.given_probs is not None else self.probs
            label = self.stats.given_model
        elif name == "wc":
            indeg = self.in_degree().astype(np.float64)
            probs = 1.0 / indeg[dst] if self.m else np.zeros(0)
            label = "wc"
        elif name.startswith("constant"):
            _, _, value = name.partition(":")
            try:
                p = float(value)
            except ValueError:
                raise GraphError(
                    f"probability model '{model}': expected 'constant:p' with a number p, "
                    "e.g. 'constant:0.01'"
                ) from None
            if not 0.0 <= p <= 1.0:
                raise GraphError(f"probability model '{model}': p={p} is outside [0, 1]")
            probs = np.full(self.m, p, dtype=np.float64)
            label = f"constant:{p:g}"
        elif name == "trivalency":
            rng = np.random.default_rng(random_state)
            probs = np.asarray(TRIVALENCY_VALUES)[rng.integers(0, 3, size=self.m)]
            label = "trivalency"
        elif name == "lt":
            insum = np.bincount(dst, weights=self.probs, minlength=self.n)
            scale = np.maximum(insum, 1.0)
            probs = self.probs / scale[dst]
            label = "lt"
        else:
            raise GraphError(
                f"unknown probability model '{model}'; expected one of "
                "'given', 'wc', 'constant:p', 'trivalency', 'lt'"
            )
        probs = np.ascontiguousarray(probs, dtype=np.float64)
        rev_perm = self._rev_perm()
        return Graph(
            n=self.n,
            indptr=self.indptr,
            indices=self.indices,
            probs=probs,
            rev_indptr=self.rev_indptr,
            rev_indices=self.rev_indices,
            rev_probs=np.ascontiguousarray(probs[rev_perm]),
            ids=self.ids,
            stats=_replace(self.stats, probability_model=label),
            rev_perm=rev_perm,
            given_probs=self.given_probs if self.given_probs is not None else self.probs,
        )

    def _rev_perm(self) -> np.ndarray:
        if self.rev_perm is not None:
            return self.rev_perm
        src = np.repeat(np.arange(self.n, dtype=np.int64), np.diff(self.indptr))
        return np.argsort(self.indices.astype(np.int64) * self.n + src, kind="stable")

    # ------------------------------------------------------------------ export
    def edges(self) -> pd.DataFrame:
        """All edges as a DataFrame with columns ``src``, ``dst`` (original ids), ``p``."""
        src = np.repeat(np.arange(self.n), np.diff(self.indptr))
        return pd.DataFrame({"src": self.ids[src], "dst": self.ids[self.indices], "p": self.probs})

    def to_networkx(self):
        """A ``networkx.DiGraph`` on the original ids with edge attribute ``p``.

        Needs networkx (a development dependency); meant for tests and small graphs.
        """
        import networkx as nx

        g = nx.DiGraph()
        g.add_nodes_from(self.ids.tolist())
        e = self.edges()
        g.add_weighted_edges_from(
            zip(e["src"].tolist(), e["dst"].tolist(), e["p"].tolist(), strict=True),
            weight="p",
        )
        return g


def _show(x: Any) -> str:
    """repr of an id without numpy's type wrapper (np.str_('a') -> 'a')."""
    return repr(x.item() if isinstance(x, np.generic) else x)


def _replace(stats: GraphStats, **changes: Any) -> GraphStats:
    from dataclasses import replace

    return replace(stats, **changes)


# ---------------------------------------------------------------------------- building
def _ids_and_codes(
    src: np.ndarray, dst: np.ndarray, ids: Any | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Map original ids to internal indices. Returns (ids, src_idx, dst_idx)."""
    if ids is not None:
        id_arr = np.asarray(ids)
        if id_arr.dtype.kind not in "iu":
            id_arr = np.asarray(list(ids), dtype=object)
        index = pd.Index(id_arr)
        if not index.is_unique:
            dup = index[index.duplicated()][0]
            raise GraphError(f"node ids are not unique: {_show(dup)} appears more than once")
        s = np.asarray(index.get_indexer(src), dtype=np.int64)
        d = np.asarray(index.get_indexer(dst), dtype=np.int64)
        bad = np.flatnonzero((s < 0) | (d < 0))
        if bad.size:
            i = bad[0]
            who = src[i] if s[i] < 0 else dst[i]
            raise GraphError(
                f"edge {i + 1} ({_show(src[i])} -> {_show(dst[i])}): node {_show(who)} not in ids"
            )
        return (id_arr.astype(np.int64) if id_arr.dtype.kind in "iu" else id_arr), s, d
    if src.dtype.kind in "iu" and dst.dtype.kind in "iu":
        src = src.astype(np.int64, copy=False)
        dst = dst.astype(np.int64, copy=False)
        k = src.shape[0]
        if k == 0:
            return np.zeros(0, dtype=np.int64), src, dst
        lo = min(int(src.min()), int(dst.min()))
        hi = max(int(src.max()), int(dst.max()))
        if lo >= 0 and hi < 4 * k + 1024:
            # dense non-negative ids (SNAP, NetHEPT): a lookup table beats sorting
            present = np.zeros(hi + 1, dtype=bool)
            present[src] = True
            present[dst] = True
            uniq = np.flatnonzero(present).astype(np.int64)
            code = np.cumsum(present, dtype=np.int64) - 1
            return uniq, code[src], code[dst]
        uniq, inv = np.unique(np.concatenate([src, dst]), return_inverse=True)
        return uniq, inv[:k].astype(np.int64), inv[k:].astype(np.int64)
    both = np.concatenate([np.asarray(src, dtype=object), np.asarray(dst, dtype=object)])
    codes, uniq = pd.factorize(both, sort=False)
    try:
        order = np.argsort(uniq.astype(str) if uniq.dtype == object else uniq, kind="stable")
        uniq_sorted = np.asarray(uniq, dtype=object)[order]
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        codes = rank[codes]
    except TypeError:  # pragma: no cover - unorderable mixture
        uniq_sorted = np.asarray(uniq, dtype=object)
    k = len(src)
    codes = np.asarray(codes, dtype=np.int64)
    return uniq_sorted, codes[:k], codes[k:]


def _build(
    n: int,
    s: np.ndarray,
    d: np.ndarray,
    p: np.ndarray,
    ids: np.ndarray,
    *,
    combine: str,
    stats: dict,
) -> Graph:
    """Drop self-loops (already done by callers), combine parallel edges, build both CSRs."""
    if combine not in ("ic", "lt"):
        raise GraphError(f"combine must be 'ic' or 'lt', not '{combine}'")
    key = s * n + d
    if key.size < 2 or bool(np.all(key[1:] >= key[:-1])):
        key_s, p_s = key, p  # already in CSR order (SNAP files usually are)
    else:
        order = np.argsort(key, kind="stable")
        key_s = key[order]
        p_s = p[order]
    if key_s.size:
        starts = np.flatnonzero(np.concatenate(([True], key_s[1:] != key_s[:-1])))
    else:
        starts = np.zeros(0, dtype=np.int64)
    parallel = int(key_s.size - starts.size)
    if parallel:
        # combine only the groups that have copies, so single edges keep their exact value
        probs = p_s[starts].copy()
        multi = np.diff(np.append(starts, key_s.size)) > 1
        if combine == "ic":
            probs[multi] = 1.0 - np.multiply.reduceat(1.0 - p_s, starts)[multi]
        else:
            probs[multi] = np.add.reduceat(p_s, starts)[multi]
        ukey = key_s[starts]
    else:
        probs = p_s
        ukey = key_s
    us = ukey // n if n else ukey
    ud = ukey - us * n
    m = ukey.size
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(us, minlength=n), out=indptr[1:])
    indices = ud.astype(np.int32)
    rev_perm = np.argsort(ud * n + us, kind="stable") if m else np.zeros(0, dtype=np.int64)
    rev_indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(ud, minlength=n), out=rev_indptr[1:])
    rev_indices = us[rev_perm].astype(np.int32)
    probs = np.ascontiguousarray(probs, dtype=np.float64)
    stats = dict(stats)
    stats.setdefault("given_model", stats.get("probability_model", "given"))
    stats["parallel_edges_combined"] = parallel
    stats["combine"] = combine
    return Graph(
        n=int(n),
        indptr=indptr,
        indices=indices,
        probs=probs,
        rev_indptr=rev_indptr,
        rev_indices=rev_indices,
        rev_probs=np.ascontiguousarray(probs[rev_perm]),
        ids=ids,
        stats=GraphStats(**stats),
        rev_perm=rev_perm.astype(np.int64),
        given_probs=probs,
    )


def _check_probs(p: np.ndarray, where) -> None:
    """Raise GraphError for the first probability outside [0, 1] (or NaN)."""
    bad = np.flatnonzero(~((p >= 0.0) & (p <= 1.0)))
    if bad.size:
        i = int(bad[0])
        raise GraphError(f"{where(i)}: probability {float(p[i])!r} is outside [0, 1]")


def _apply_probability(g: Graph, probability: Any, random_state: int | None) -> Graph:
    if probability is None:
        return g
    if isinstance(probability, int | float) and not isinstance(probability, bool):
        return g.with_probabilities(f"constant:{float(probability)!r}")
    return g.with_probabilities(str(probability), random_state=random_state)


def from_edges(
    src: Any,
    dst: Any,
    probs: Any = None,
    *,
    ids: Any = None,
    undirected: bool = False,
    combine: str = "ic",
) -> Graph:
    """Build a graph from parallel arrays of edge endpoints.

    Parameters
    ----------
    src, dst : array-like, shape (k,)
        Original node ids of each edge's tail and head (influence flows ``src -> dst``).
    probs : array-like of float, shape (k,), optional
        Probability (IC) or weight (LT) of each edge, in [0, 1]. Without it every edge
        gets 1.0 and ``stats.probability_model`` is ``"unweighted"``; pick a model with
        :meth:`Graph.with_probabilities`.
    ids : array-like, optional
        All node ids, in the internal order to use; include isolated nodes here. By default
        the sorted distinct endpoints.
    undirected : bool
        Read every pair as two directed edges.
    combine : {"ic", "lt"}
        How parallel edges merge: ``1 - prod(1 - p_i)`` or the sum of weights.

    Returns
    -------
    Graph

    Raises
    ------
    GraphError
        Lengths differ, a probability is outside [0, 1] (the message names the edge,
        1-based), or an endpoint is missing from `ids`.
    """
    src = np.asarray(src)
    dst = np.asarray(dst)
    if src.ndim != 1 or src.shape != dst.shape:
        raise GraphError(f"src and dst must be 1-D and equally long ({src.shape} vs {dst.shape})")
    k = src.shape[0]
    if probs is None:
        p = np.ones(k, dtype=np.float64)
        model = "unweighted"
    else:
        try:
            p = np.asarray(probs, dtype=np.float64)
        except (TypeError, ValueError):
            raise GraphError("probs must be numbers in [0, 1]") from None
        if p.shape != src.shape:
            raise GraphError(f"probs has shape {p.shape}, expected {src.shape}")
        _check_probs(p, lambda i: f"edge {i + 1} ({_show(src[i])} -> {_show(dst[i])})")
        model = "given"
    return _from_arrays(
        src,
        dst,
        p,
        ids=ids,
        undirected=undirected,
        combine=combine,
        stats={"source": "edges", "fmt": "edges", "probability_model": model},
    )


def _from_arrays(src, dst, p, *, ids, undirected, combine, stats) -> Graph:
    id_arr, s, d = _ids_and_codes(src, dst, ids)
    n = int(len(id_arr))
    lines = int(s.shape[0])
    loop = s == d
    n_loops = int(loop.sum())
    if n_loops:
        keep = ~loop
        s, d, p = s[keep], d[keep], p[keep]
    if undirected:
        s, d = np.concatenate([s, d]), np.concatenate([d, s])
        p = np.concatenate([p, p])
    stats = dict(stats)
    stats.update(
        lines_read=stats.get("lines_read", lines),
        edges_read=lines * (2 if undirected else 1),
        self_loops_dropped=n_loops,
        undirected=bool(undirected),
    )
    return _build(n, s, d, p, id_arr, combine=combine, stats=stats)


# ---------------------------------------------------------------------------- workspace
def from_workspace(
    workspace: Any,
    *,
    probability: Any = None,
    combine: str = "ic",
    random_state: int | None = 0,
    import_ids: Sequence[int] | None = None,
    undirected: bool = False,
) -> Graph:
    """The influence graph of a workspace's ``follows`` table.

    A row ``src_account_id follows dst_account_id`` means that what ``dst`` posts reaches
    ``src``: influence flows ``dst -> src``, so the graph has the edge ``dst -> src``. Node
    ids are account ids (``platform:native_id``).

    Parameters
    ----------
    workspace : Workspace
        Any object with ``table("follows")`` returning the canonical DataFrame (and
        ``table("follows", import_ids=...)`` when `import_ids` is given).
    probability : None, float or str
        As in :func:`~ripplemeter.formats.graph_files.read_edgelist`. ``None`` uses the
        ``weight`` column when every row has one, else 1.0 per edge (``"unweighted"``).
    combine : {"ic", "lt"}
        How repeated follow rows merge.
    random_state : int or None
        Seed for ``"trivalency"``.
    import_ids : sequence of int, optional
        Read only the follows rows of these imports (a campaign's sources); ``None`` reads
        every row, an empty sequence none.
    undirected : bool
        Read every follow row as two directed edges.

    Raises
    ------
    GraphError
        Empty account ids, some rows weighted and others not, or a weight outside [0, 1]
        (the message names the import and source row).
    """
    if import_ids is None:
        df = workspace.table("follows")
    else:
        df = workspace.table("follows", import_ids=[int(i) for i in import_ids])
    followers = df["src_account_id"]
    followed = df["dst_account_id"]

    def where(i: int) -> str:
        row = df.iloc[i]
        parts = ["follows"]
        if "import_id" in df.columns and pd.notna(row.get("import_id")):
            parts.append(f"import {int(row['import_id'])}")
        if "source_row" in df.columns and pd.notna(row.get("source_row")):
            parts.append(f"row {int(row['source_row'])}")
        else:
            parts.append(f"table row {i + 1}")
        return ", ".join(parts)

    empty = (followers.isna() | followed.isna()).to_numpy()
    if empty.any():
        raise GraphError(f"{where(int(np.flatnonzero(empty)[0]))}: account id is empty")
    w = df["weight"] if "weight" in df.columns else pd.Series(np.nan, index=df.index)
    has_w = w.notna().to_numpy()
    if has_w.all() and len(df):
        p = w.to_numpy(dtype=np.float64)
        _check_probs(p, where)
        model = "given"
    elif not has_w.any():
        p = np.ones(len(df), dtype=np.float64)
        model = "unweighted"
    else:
        i = int(np.flatnonzero(~has_w)[0])
        raise GraphError(
            f"{where(i)}: weight is empty while other follow rows have one; give every row "
            "a weight or none"
        )
    g = _from_arrays(
        followed.astype(str).to_numpy(dtype=object),
        followers.astype(str).to_numpy(dtype=object),
        p,
        ids=None,
        undirected=undirected,
        combine=combine,
        stats={
            "source": "workspace:follows",
            "fmt": "workspace",
            "probability_model": model,
            "direction_from": "caller" if undirected else "format",
        },
    )
    return _apply_probability(g, probability, random_state)
