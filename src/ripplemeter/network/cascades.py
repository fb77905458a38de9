"""Repost cascades: reconstruction of one tree per root, and the metrics of a cascade tree.

A *cascade* is the tree of posts (or users, for sources that only know users) that spread
from one root post. :func:`build_cascades` turns canonical ``posts`` rows into a
:class:`CascadeSet`; the metric functions (:func:`depth`, :func:`breadth_per_level`,
:func:`structural_virality`, ...) are functions over one tree's parent array, in the manner
of networkx, and :meth:`CascadeSet.metrics_frame` computes all of them for every cascade at
once (numba kernels, linear time).

A tree is given by a parent array: ``parent[i]`` is the index of node ``i``'s parent and the
root has ``-1``. Times are seconds after the root (NaN when unknown).

Reconstruction rules (see ``docs/cascades.md``). Nothing is silently dropped: every anomaly
is counted in :attr:`CascadeSet.summary`, per cascade in :meth:`CascadeSet.metrics_frame`,
and listed by id in :attr:`CascadeSet.fragments`, :attr:`CascadeSet.duplicates` and
:attr:`CascadeSet.before_parent`.

* A **root** is a row whose ``parent_id`` is NULL. Each root heads one cascade.
* **Duplicates**: rows repeating a ``post_id`` are kept once (the first row in input
  order) and counted; repeats whose content (parent, account, time, delay, kind, text)
  differs from the first row are counted again as ``duplicates_differing``.
* **Missing parent**: a row whose ``parent_id`` names a post that is not in the data is
  kept and heads a detached *fragment* (with everything that hangs from it). No edge to the
  root is invented, so size, depth and breadth of a cascade count only what truly hangs
  from its root. A fragment whose ``root_id`` (its head's, else the first non-NULL one among
  its nodes in input order) names a root present in the data is *attributed* to that
  cascade and counted in its ``orphans`` / ``orphan_nodes``; otherwise it is unattributed
  (listed, and counted in the summary).
* **Cycles** (``a -> b -> a``, or a post that names itself as its parent) are broken at one
  deterministic place: the parent edge of the cycle's node that comes first in the input is
  removed. That node then heads a fragment (reason ``cycle``), attributed like any other.
* **Timed before its parent**: a node whose time is earlier than its parent's is kept where
  it is and flagged (``before_parent``).

References
----------
Goel, Anderson, Hofman, Watts. "The Structural Virality of Online Diffusion."
Management Science 62(1), 2016.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numba import njit

from ripplemeter.errors import CascadeError

__all__ = [
    "Cascade",
    "CascadeSet",
    "broadcast_share",
    "breadth_per_level",
    "build_cascades",
    "cascade_size",
    "depth",
    "growth_curve",
    "max_breadth",
    "node_depths",
    "structural_virality",
    "subtree_sizes",
    "time_to_fraction",
    "wiener_index",
]

#: fraction -> metrics_frame column for the time-to-size figures
TIME_FRACTIONS = {0.5: "t50", 0.9: "t90"}
#: content columns compared when a post id repeats
_CONTENT = ("parent_id", "account_id", "created_at", "delay_seconds", "kind", "text")


# ----------------------------------------------------------------------------- kernels
@njit(cache=True)
def _break_cycles(parent):  # pragma: no cover - numba
    """Cut one edge per cycle of a parent array (the first node of the cycle by index).

    Returns (cut, on_cycle): boolean arrays; ``parent`` is not modified.
    """
    n = parent.size
    state = np.zeros(n, np.int8)  # 0 unseen, 1 on the current walk, 2 done
    cut = np.zeros(n, np.bool_)
    on_cycle = np.zeros(n, np.bool_)
    for s in range(n):
        if state[s] != 0:
            continue
        v = s
        while v >= 0 and state[v] == 0:
            state[v] = 1
            v = parent[v]
        if v >= 0 and state[v] == 1:
            first = v
            on_cycle[v] = True
            u = parent[v]
            while u != v:
                on_cycle[u] = True
                if u < first:
                    first = u
                u = parent[u]
            cut[first] = True
        v = s
        while v >= 0 and state[v] == 1:
            state[v] = 2
            v = parent[v]
    return cut, on_cycle


@njit(cache=True)
def _layout(parent, heads):  # pragma: no cover - numba
    """Breadth-first order of the trees hanging from ``heads`` (children in index order).

    Returns (order, offsets): ``order[offsets[g]:offsets[g+1]]`` are the nodes of tree g,
    its head first, every parent before its children, depths non-decreasing.
    """
    n = parent.size
    start = np.zeros(n + 1, np.int64)
    for i in range(n):
        p = parent[i]
        if p >= 0:
            start[p + 1] += 1
    for i in range(n):
        start[i + 1] += start[i]
    child = np.empty(start[n], np.int64)
    fill = start[:n].copy()
    for i in range(n):
        p = parent[i]
        if p >= 0:
            child[fill[p]] = i
            fill[p] += 1
    order = np.empty(n, np.int64)
    offsets = np.empty(heads.size + 1, np.int64)
    pos = 0
    for g in range(heads.size):
        offsets[g] = pos
        if pos >= n:
            break
        order[pos] = heads[g]
        q = pos
        pos += 1
        while q < pos:
            v = order[q]
            q += 1
            for k in range(start[v], start[v + 1]):
                if pos < n:
                    order[pos] = child[k]
                pos += 1
    offsets[heads.size] = pos
    return order, offsets


@njit(cache=True)
def _tree_metrics(lparent, offsets, times, q50, q90):  # pragma: no cover - numba
    """Per-tree metrics over trees laid out by :func:`_layout` (local parent indices).

    Returns node arrays (depth, subtree size, direct children, before-parent flag) and tree
    arrays (size, depth, max breadth, Wiener index, root children, t50, t90, times known).
    """
    n_all = lparent.size
    g_n = offsets.size - 1
    d = np.zeros(n_all, np.int64)
    sub = np.ones(n_all, np.int64)
    kids = np.zeros(n_all, np.int64)
    before = np.zeros(n_all, np.bool_)
    size = np.zeros(g_n, np.int64)
    tdepth = np.zeros(g_n, np.int64)
    tbreadth = np.zeros(g_n, np.int64)
    wiener = np.zeros(g_n, np.int64)
    direct = np.zeros(g_n, np.int64)
    t50 = np.full(g_n, np.nan)
    t90 = np.full(g_n, np.nan)
    unknown = np.zeros(g_n, np.int64)
    for g in range(g_n):
        a = offsets[g]
        b = offsets[g + 1]
        n = b - a
        size[g] = n
        if np.isnan(times[a]):
            unknown[g] += 1
        for i in range(a + 1, b):
            p = a + lparent[i]
            d[i] = d[p] + 1
            kids[p] += 1
            if np.isnan(times[i]):
                unknown[g] += 1
            elif times[i] < times[p]:
                before[i] = True
        # breadth: depths are non-decreasing in breadth-first order
        best = 0
        run = 0
        level = 0
        for i in range(a + 1, b):
            if d[i] != level:
                level = d[i]
                run = 0
            run += 1
            if run > best:
                best = run
        tdepth[g] = level
        tbreadth[g] = best
        for i in range(b - 1, a, -1):
            sub[a + lparent[i]] += sub[i]
        w = 0
        for i in range(a + 1, b):
            w += sub[i] * (n - sub[i])
        wiener[g] = w
        direct[g] = kids[a]
        if unknown[g] == 0:
            ts = np.sort(times[a:b])
            t50[g] = ts[max(int(math.ceil(q50 * n - 1e-9)), 1) - 1]
            t90[g] = ts[max(int(math.ceil(q90 * n - 1e-9)), 1) - 1]
    return d, sub, kids, before, size, tdepth, tbreadth, wiener, direct, t50, t90, unknown


# ----------------------------------------------------------------------------- one tree
def _as_parent(parent) -> np.ndarray:
    """Validate one tree's parent array; return it as int64 in breadth-first layout info.

    Raises
    ------
    CascadeError
        Not 1-D integers, an index out of range, not exactly one root, or a cycle.
    """
    arr = np.asarray(parent)
    if arr.ndim != 1:
        raise CascadeError(f"parent must be a 1-D array, got shape {arr.shape}")
    if arr.size == 0:
        raise CascadeError("parent is empty: a cascade has at least its root")
    if not np.issubdtype(arr.dtype, np.integer):
        raise CascadeError(f"parent must hold integers, got {arr.dtype}")
    arr = arr.astype(np.int64, copy=False)
    n = arr.size
    bad = np.flatnonzero((arr < -1) | (arr >= n))
    if bad.size:
        raise CascadeError(f"parent[{bad[0]}] = {arr[bad[0]]} is not a node index or -1")
    roots = np.flatnonzero(arr == -1)
    if roots.size != 1:
        raise CascadeError(f"a cascade tree has exactly one root (parent -1); found {roots.size}")
    return arr


@dataclass(frozen=True)
class _Tree:
    order: np.ndarray  # breadth-first order of the original indices
    lparent: np.ndarray  # parent positions in that order (-1 for the root)


def _tree(parent) -> _Tree:
    arr = _as_parent(parent)
    root = np.flatnonzero(arr == -1)
    order, offsets = _layout(arr, root.astype(np.int64))
    if offsets[-1] != arr.size:
        raise CascadeError(
            f"parent does not describe one tree: {arr.size - offsets[-1]} of {arr.size} nodes "
            "do not lead to the root (a cycle)"
        )
    pos = np.empty(arr.size, np.int64)
    pos[order] = np.arange(arr.size)
    lparent = np.where(arr[order] >= 0, pos[np.maximum(arr[order], 0)], -1)
    return _Tree(order, lparent)


def _metrics_of(parent, times=None):
    t = _tree(parent)
    n = t.order.size
    tt = np.zeros(n) if times is None else np.asarray(times, dtype=np.float64)[t.order]
    offs = np.array([0, n], np.int64)
    return t, _tree_metrics(t.lparent, offs, tt, 0.5, 0.9)


def _unorder(t: _Tree, values: np.ndarray) -> np.ndarray:
    out = np.empty_like(values)
    out[t.order] = values
    return out


def cascade_size(parent: np.ndarray) -> int:
    """Number of nodes of a cascade tree, the root included.

    Parameters
    ----------
    parent : ndarray of int, shape (n,)
        parent[i] is the index of node i's parent; the root has parent -1.

    Returns
    -------
    int
        n.

    Raises
    ------
    CascadeError
        If `parent` does not describe one tree rooted at a single node.
    """
    return int(_tree(parent).order.size)


def node_depths(parent: np.ndarray) -> np.ndarray:
    """Hops from the root to every node.

    Parameters
    ----------
    parent : ndarray of int, shape (n,)
        parent[i] is the index of node i's parent; the root has parent -1.

    Returns
    -------
    ndarray of int64, shape (n,)
        depth[i]; the root has depth 0.

    Raises
    ------
    CascadeError
        If `parent` does not describe one tree rooted at a single node.
    """
    t, m = _metrics_of(parent)
    return _unorder(t, m[0])


def depth(parent: np.ndarray) -> int:
    """Depth of a cascade tree: the largest number of hops from the root to a node.

    Parameters
    ----------
    parent : ndarray of int, shape (n,)
        parent[i] is the index of node i's parent; the root has parent -1.

    Returns
    -------
    int
        0 for a root alone.

    Raises
    ------
    CascadeError
        If `parent` does not describe one tree rooted at a single node.

    References
    ----------
    Goel, Anderson, Hofman, Watts. "The Structural Virality of Online Diffusion."
    Management Science 62(1), 2016 (depth as one of the simple measures of a cascade).
    """
    return int(_metrics_of(parent)[1][5][0])


def breadth_per_level(parent: np.ndarray) -> np.ndarray:
    """Number of nodes on every level of a cascade tree.

    Parameters
    ----------
    parent : ndarray of int, shape (n,)
        parent[i] is the index of node i's parent; the root has parent -1.

    Returns
    -------
    ndarray of int64, shape (depth + 1,)
        breadth[k] = nodes at k hops from the root; breadth[0] == 1 (the root).

    Raises
    ------
    CascadeError
        If `parent` does not describe one tree rooted at a single node.
    """
    return np.bincount(node_depths(parent)).astype(np.int64)


def max_breadth(parent: np.ndarray) -> int:
    """Most nodes on one level below the root.

    Parameters
    ----------
    parent : ndarray of int, shape (n,)
        parent[i] is the index of node i's parent; the root has parent -1.

    Returns
    -------
    int
        max over levels k >= 1 of breadth[k]; 0 for a root alone.

    Raises
    ------
    CascadeError
        If `parent` does not describe one tree rooted at a single node.
    """
    return int(_metrics_of(parent)[1][6][0])


def subtree_sizes(parent: np.ndarray) -> np.ndarray:
    """Size of the subtree hanging from every node, the node included.

    Parameters
    ----------
    parent : ndarray of int, shape (n,)
        parent[i] is the index of node i's parent; the root has parent -1.

    Returns
    -------
    ndarray of int64, shape (n,)
        sizes[i] >= 1; sizes[root] == n. ``sizes[i] - 1`` reposts were carried by node i.

    Raises
    ------
    CascadeError
        If `parent` does not describe one tree rooted at a single node.
    """
    t, m = _metrics_of(parent)
    return _unorder(t, m[1])


def wiener_index(parent: np.ndarray) -> int:
    """Sum of the distances between all unordered pairs of nodes of a tree.

    Parameters
    ----------
    parent : ndarray of int, shape (n,)
        parent[i] is the index of node i's parent; the root has parent -1.

    Returns
    -------
    int
        sum over edges of s * (n - s), s the size of the subtree below the edge.

    Raises
    ------
    CascadeError
        If `parent` does not describe one tree rooted at a single node.

    References
    ----------
    Wiener. "Structural Determination of Paraffin Boiling Points." JACS 69(1), 1947.
    """
    return int(_metrics_of(parent)[1][7][0])


def structural_virality(parent: np.ndarray) -> float:
    """Mean shortest-path distance over all pairs of nodes of a cascade tree.

    Parameters
    ----------
    parent : ndarray of int, shape (n,)
        parent[i] is the index of node i's parent; the root has parent -1.

    Returns
    -------
    float
        Average distance in hops between two distinct nodes; 0.0 for a single node.

    Raises
    ------
    CascadeError
        If `parent` does not describe one tree rooted at a single node.

    Notes
    -----
    Computed in O(n) from subtree sizes: each edge above a subtree of size s lies on
    s * (n - s) of the n * (n - 1) / 2 node pairs (the Wiener index of a tree).
    A star of n nodes scores 2 (n - 1) / n (close to 2: broadcast); a chain scores
    (n + 1) / 3 (viral).

    References
    ----------
    Goel, Anderson, Hofman, Watts. "The Structural Virality of Online Diffusion."
    Management Science 62(1), 2016.
    """
    _, m = _metrics_of(parent)
    n = int(m[4][0])
    return 0.0 if n < 2 else 2.0 * float(m[7][0]) / (n * (n - 1))


def broadcast_share(parent: np.ndarray) -> float:
    """Share of the non-root nodes that reposted the root directly.

    Parameters
    ----------
    parent : ndarray of int, shape (n,)
        parent[i] is the index of node i's parent; the root has parent -1.

    Returns
    -------
    float
        (children of the root) / (n - 1), in [0, 1]; 1 is pure broadcast, lower is viral
        (``1 - broadcast_share`` reposted a repost). NaN for a root alone (no reposts).

    Raises
    ------
    CascadeError
        If `parent` does not describe one tree rooted at a single node.

    References
    ----------
    Goel, Anderson, Hofman, Watts. "The Structural Virality of Online Diffusion."
    Management Science 62(1), 2016 (broadcast versus viral diffusion).
    """
    _, m = _metrics_of(parent)
    n = int(m[4][0])
    return math.nan if n < 2 else float(m[8][0]) / (n - 1)


def time_to_fraction(times: np.ndarray, fraction: float) -> float:
    """Seconds after the root until a cascade reached `fraction` of its final size.

    Parameters
    ----------
    times : ndarray of float, shape (n,)
        Seconds after the root of every node (the root included, usually 0).
    fraction : float
        In (0, 1], e.g. 0.5 or 0.9.

    Returns
    -------
    float
        The k-th smallest time, k = ceil(fraction * n): the first moment at which at least
        that share of the nodes existed. NaN when any time is unknown (NaN): the moment
        cannot be known then.

    Raises
    ------
    ValueError
        If `fraction` is not in (0, 1] or `times` is empty.
    """
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    t = np.asarray(times, dtype=np.float64)
    if t.size == 0:
        raise ValueError("times is empty")
    if np.isnan(t).any():
        return math.nan
    k = max(math.ceil(fraction * t.size - 1e-9), 1)
    return float(np.partition(t, k - 1)[k - 1])


def growth_curve(times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative size of a cascade over time.

    Parameters
    ----------
    times : ndarray of float, shape (n,)
        Seconds after the root of every node; NaN (unknown) times are left out.

    Returns
    -------
    (t, size) : tuple of ndarray, shapes (m,) and (m,)
        Distinct known times in increasing order and the number of nodes with a time at or
        before each; m <= n.
    """
    t = np.asarray(times, dtype=np.float64)
    t = np.sort(t[~np.isnan(t)])
    if t.size == 0:
        return t, np.zeros(0, np.int64)
    last = np.r_[t[1:] != t[:-1], True]
    return t[last], (np.flatnonzero(last) + 1).astype(np.int64)


# ----------------------------------------------------------------------------- the set
@dataclass(frozen=True)
class Cascade:
    """One cascade tree as arrays (node 0 is the root; parents come before children).

    Attributes
    ----------
    root_id : str
    ids : ndarray of object, shape (n,)
        Node ids (post ids, or user ids for user-level sources).
    parent : ndarray of int64, shape (n,)
        Index of each node's parent; -1 for the root.
    times : ndarray of float64, shape (n,)
        Seconds after the root; NaN when unknown.
    accounts : ndarray of object, shape (n,)
        Account id of each node (None when unknown).
    fragments : pandas.DataFrame
        Detached fragments attributed to this cascade (see :attr:`CascadeSet.fragments`).
    """

    root_id: str
    ids: np.ndarray
    parent: np.ndarray
    times: np.ndarray
    accounts: np.ndarray
    fragments: pd.DataFrame = field(repr=False)

    def __len__(self) -> int:
        return int(self.ids.size)


class CascadeSet:
    """Cascades (one tree per root) and detached fragments, laid out as flat arrays.

    Built by :func:`build_cascades`. Every tree (cascade or fragment) occupies a contiguous
    slice ``offsets[g]:offsets[g + 1]`` of the node arrays in breadth-first order, its head
    first; ``parent`` holds indices local to the tree (-1 for the head).

    Attributes
    ----------
    ids, accounts : ndarray of object, shape (N,)
    parent : ndarray of int64, shape (N,)
    times : ndarray of float64, shape (N,)
    offsets : ndarray of int64, shape (G + 1,)
    trees : pandas.DataFrame
        One row per tree: ``head_id``, ``kind`` (``cascade`` or ``fragment``),
        ``root_id`` (the cascade's root; for a fragment the root it is attributed to, or
        NULL), ``reason`` (fragments: ``missing_parent`` or ``cycle``), ``parent_id`` (the
        missing or cut parent of a fragment's head).
    duplicates : pandas.DataFrame
        One row per repeated post id: ``post_id``, ``repeats`` (rows beyond the first),
        ``differing`` (repeats whose content differs from the first row).
    summary : dict[str, int]
        Counts over the whole input; see :func:`build_cascades`.
    """

    def __init__(
        self,
        *,
        ids: np.ndarray,
        parent: np.ndarray,
        times: np.ndarray,
        account_codes: np.ndarray,
        account_names: np.ndarray,
        kind_codes: np.ndarray | None,
        kind_names: np.ndarray | None,
        offsets: np.ndarray,
        trees: pd.DataFrame,
        duplicates: pd.DataFrame,
        dup_counts: np.ndarray,
        dup_differing: np.ndarray,
        summary: dict[str, int],
    ) -> None:
        self.ids = ids
        self.parent = parent
        self.times = times
        self.account_codes = account_codes
        self.account_names = account_names
        self._kind_codes = kind_codes
        self._kind_names = kind_names
        self.offsets = offsets
        self.trees = trees
        self.duplicates = duplicates
        self._dup_counts = dup_counts
        self._dup_differing = dup_differing
        self.summary = summary
        self._cascade_rows = np.flatnonzero(trees["kind"].to_numpy() == "cascade")
        self._index = {r: i for i, r in enumerate(trees["head_id"].to_numpy()[self._cascade_rows])}

    @cached_property
    def accounts(self) -> np.ndarray:
        """Account id of every node (object array; None when unknown)."""
        return _decode(self.account_codes, self.account_names)

    # -- access
    def __len__(self) -> int:
        """Number of cascades (fragments excluded)."""
        return int(self._cascade_rows.size)

    @property
    def roots(self) -> list[str]:
        """Root ids of the cascades, in input order."""
        return list(self._index)

    def __iter__(self) -> Iterator[Cascade]:
        for r in self._index:
            yield self[r]

    def __getitem__(self, root_id: str) -> Cascade:
        """The cascade whose root is ``root_id``.

        Raises
        ------
        KeyError
            No cascade has that root.
        """
        g = self._cascade_rows[self._index[root_id]]
        a, b = self.offsets[g], self.offsets[g + 1]
        frags = self.fragments
        return Cascade(
            root_id,
            self.ids[a:b],
            self.parent[a:b],
            self.times[a:b],
            self.accounts[a:b],
            frags[frags["root_id"] == root_id].reset_index(drop=True),
        )

    def _tree_of_node(self) -> np.ndarray:
        return self._node_tree

    @cached_property
    def _node_tree(self) -> np.ndarray:
        return np.repeat(np.arange(self.offsets.size - 1), np.diff(self.offsets))

    @cached_property
    def _is_cascade_tree(self) -> np.ndarray:
        return self.trees["kind"].to_numpy() == "cascade"

    @cached_property
    def _metrics(self):
        return _tree_metrics(self.parent, self.offsets, self.times, 0.5, 0.9)

    # -- anomalies
    @cached_property
    def fragments(self) -> pd.DataFrame:
        """Detached fragments: ``head_id``, ``parent_id`` (missing or cut), ``reason``
        (``missing_parent`` or ``cycle``), ``size`` (nodes), ``depth``, ``root_id`` (the
        cascade it is attributed to, NULL when none)."""
        m = self._metrics
        rows = np.flatnonzero(self.trees["kind"].to_numpy() == "fragment")
        out = self.trees.iloc[rows][["head_id", "parent_id", "reason", "root_id"]].copy()
        out.insert(3, "size", m[4][rows])
        out.insert(4, "depth", m[5][rows])
        return out.reset_index(drop=True)

    @cached_property
    def before_parent(self) -> pd.DataFrame:
        """Nodes timed before their parent (kept in place): ``post_id``, ``parent_id``,
        ``root_id`` (of the tree's cascade or attributed cascade), ``time``,
        ``parent_time`` (seconds after the root)."""
        flags = self._metrics[3]
        idx = np.flatnonzero(flags)
        tree = self._tree_of_node()[idx]
        pidx = self.offsets[tree] + self.parent[idx]
        return pd.DataFrame(
            {
                "post_id": self.ids[idx],
                "parent_id": self.ids[pidx],
                "root_id": self.trees["root_id"].to_numpy()[tree],
                "time": self.times[idx],
                "parent_time": self.times[pidx],
            }
        )

    # -- metrics
    def metrics_frame(self) -> pd.DataFrame:
        """One row per cascade, in input order of the roots.

        Columns
        -------
        root_id, size (nodes incl. the root), depth, max_breadth, structural_virality,
        wiener_index, broadcast_share (NaN for a root alone), t50, t90 (seconds after the
        root; NaN when a time is unknown, with ``times_unknown`` saying how many),
        times_unknown, reposts, comments, replies, quotes (non-root nodes by ``kind``;
        NULL when the input has no kind), orphans, orphan_nodes (attributed fragments
        headed by a record whose parent is missing, and their nodes), cycles, cycle_nodes
        (attributed fragments headed where a cycle was cut), duplicates,
        duplicates_differing (repeated rows of this cascade's nodes), before_parent,
        anomalies (orphans + cycles + duplicates + before_parent).
        """
        m = self._metrics
        _d, _sub, _kids, before, size, tdepth, tbreadth, wiener, direct, t50, t90, unknown = m
        g = self._cascade_rows
        tree = self._tree_of_node()
        n_trees = self.offsets.size - 1
        size_f = size.astype(np.float64)
        sv = np.where(size > 1, 2.0 * wiener / np.maximum(size_f * (size_f - 1), 1.0), 0.0)
        bshare = np.where(size > 1, direct / np.maximum(size_f - 1, 1.0), np.nan)
        roots = self.trees["head_id"].to_numpy()[g]
        out = pd.DataFrame(
            {
                "root_id": roots,
                "size": size[g],
                "depth": tdepth[g],
                "max_breadth": tbreadth[g],
                "structural_virality": sv[g],
                "wiener_index": wiener[g],
                "broadcast_share": bshare[g],
                "t50": t50[g],
                "t90": t90[g],
                "times_unknown": unknown[g],
            }
        )
        heads_pos = self.offsets[:-1]
        nonroot = np.ones(self.ids.size, bool)
        nonroot[heads_pos] = False
        for kind, col in (
            ("repost", "reposts"),
            ("comment", "comments"),
            ("reply", "replies"),
            ("quote", "quotes"),
        ):
            if self._kind_codes is None:
                out[col] = pd.array([None] * len(out), dtype="Int64")
                continue
            code = np.flatnonzero(self._kind_names == kind)
            hit = nonroot & (self._kind_codes == (code[0] if code.size else -2))
            out[col] = np.bincount(tree[hit], minlength=n_trees)[g]
        # attributed fragments
        frag = self.fragments
        pos_of_root = pd.Index(roots)
        for reason, cnt_col, node_col in (
            ("missing_parent", "orphans", "orphan_nodes"),
            ("cycle", "cycles", "cycle_nodes"),
        ):
            f = frag[(frag["reason"] == reason) & frag["root_id"].notna()]
            at = pos_of_root.get_indexer(f["root_id"])
            ok = at >= 0
            out[cnt_col] = np.bincount(at[ok], minlength=len(out))
            out[node_col] = np.bincount(
                at[ok], weights=f["size"].to_numpy()[ok], minlength=len(out)
            ).astype(np.int64)
        # duplicates and before-parent flags per tree, then summed onto the cascade
        dups = np.bincount(tree, weights=self._dup_counts, minlength=n_trees)
        dif = np.bincount(tree, weights=self._dup_differing, minlength=n_trees)
        bef = np.bincount(tree, weights=before, minlength=n_trees)
        attr = pd.Index(roots).get_indexer(self.trees["root_id"])
        cas_of_tree = np.where(attr >= 0, attr, -1)
        keep = cas_of_tree >= 0
        for col, per_tree in (
            ("duplicates", dups),
            ("duplicates_differing", dif),
            ("before_parent", bef),
        ):
            out[col] = np.bincount(
                cas_of_tree[keep], weights=per_tree[keep], minlength=len(out)
            ).astype(np.int64)
        out["anomalies"] = out["orphans"] + out["cycles"] + out["duplicates"] + out["before_parent"]
        return out

    def breadth_frame(self) -> pd.DataFrame:
        """Breadth per level, long form: ``root_id``, ``level`` (0 = root), ``breadth``."""
        d = self._metrics[0]
        tree = self._tree_of_node()
        keep = self._is_cascade_tree[tree]
        counts = (
            pd.DataFrame({"tree": tree[keep], "level": d[keep]})
            .groupby(["tree", "level"], sort=True)
            .size()
            .rename("breadth")
            .reset_index()
        )
        counts.insert(0, "root_id", self.trees["head_id"].to_numpy()[counts["tree"]])
        return counts.drop(columns="tree")

    def growth_curve(self, root_id: str) -> pd.DataFrame:
        """Cumulative size of one cascade over time: ``seconds`` (after the root), ``size``.

        Nodes with unknown times are left out (``times_unknown`` in :meth:`metrics_frame`
        says how many).
        """
        t, s = growth_curve(self[root_id].times)
        return pd.DataFrame({"seconds": t, "size": s})

    def node_frame(self) -> pd.DataFrame:
        """Every node of every tree: ``tree_head``, ``root_id``, ``in_cascade`` (False for
        fragment nodes), ``post_id``, ``parent_id``, ``account_id``, ``depth`` (from the tree's
        head), ``seconds``, ``subtree_size`` (node included), ``direct_reposts``,
        ``before_parent``."""
        d, sub, kids, before = self._metrics[:4]
        tree = self._tree_of_node()
        pidx = np.where(self.parent >= 0, self.offsets[tree] + self.parent, -1)
        parent_ids = np.where(pidx >= 0, self.ids[np.maximum(pidx, 0)], None)
        return pd.DataFrame(
            {
                "tree_head": self.trees["head_id"].to_numpy()[tree],
                "root_id": self.trees["root_id"].to_numpy()[tree],
                "in_cascade": self._is_cascade_tree[tree],
                "post_id": self.ids,
                "parent_id": parent_ids,
                "account_id": self.accounts,
                "depth": d,
                "seconds": self.times,
                "subtree_size": sub,
                "direct_reposts": kids,
                "before_parent": before,
            }
        )

    def _nonroot_cascade_nodes(self) -> tuple[np.ndarray, np.ndarray]:
        tree = self._tree_of_node()
        in_c = self._is_cascade_tree[tree]
        nonroot = self.parent >= 0
        idx = np.flatnonzero(in_c & nonroot)
        return idx, tree[idx]

    def key_spreaders(self, top: int = 10, *, overall: bool = False) -> pd.DataFrame:
        """Accounts whose reposts carried the largest subtrees (tipping points).

        Parameters
        ----------
        top : int
            Accounts kept per cascade (or overall).
        overall : bool
            False: ``top`` per cascade, ranked by ``carried`` (the largest number of nodes
            that hung below one of the account's reposts in that cascade, the repost itself
            excluded). True: across cascades, ranked by the sum over cascades of that
            per-cascade figure (cascades are disjoint, so nothing is counted twice).

        Returns
        -------
        pandas.DataFrame
            Per cascade: ``root_id``, ``rank``, ``account_id``, ``carried``, ``reposts`` (the
            account's non-root nodes in the cascade), ``post_id`` (its repost that carried
            most; the first in breadth-first order on a tie). Overall: ``rank``,
            ``account_id``, ``carried``, ``cascades``, ``reposts``. Nodes of unknown
            accounts are left out; the root itself is never ranked. Ties are broken by the
            account's first appearance in the input.
        """
        sub = self._metrics[1]
        idx, tree = self._nonroot_cascade_nodes()
        acc = self.account_codes[idx]
        known = acc >= 0
        idx, tree, acc = idx[known], tree[known], acc[known]
        carried = sub[idx] - 1
        n_acc = max(int(self.account_names.size), 1)
        key = tree.astype(np.int64) * n_acc + acc
        o = np.lexsort((-carried, key))  # stable: breadth-first order breaks ties
        key_o = key[o]
        starts = np.flatnonzero(np.r_[True, key_o[1:] != key_o[:-1]]) if o.size else o
        g_tree = tree[o][starts]
        g_acc = acc[o][starts]
        g_carried = carried[o][starts]
        g_reposts = np.diff(np.r_[starts, o.size])
        g_post = idx[o][starts]
        if overall:
            tot = np.bincount(g_acc, weights=g_carried, minlength=n_acc).astype(np.int64)
            cas = np.bincount(g_acc, minlength=n_acc)
            rep = np.bincount(g_acc, weights=g_reposts, minlength=n_acc).astype(np.int64)
            present = np.flatnonzero(cas > 0)
            best = present[np.lexsort((present, -tot[present]))][:top]
            return pd.DataFrame(
                {
                    "rank": np.arange(1, best.size + 1),
                    "account_id": self.account_names[best],
                    "carried": tot[best],
                    "cascades": cas[best],
                    "reposts": rep[best],
                }
            )
        o2 = np.lexsort((g_acc, -g_carried, g_tree))
        g_tree = g_tree[o2]
        first = np.flatnonzero(np.r_[True, g_tree[1:] != g_tree[:-1]]) if o2.size else o2
        rank = np.arange(o2.size) - np.repeat(first, np.diff(np.r_[first, o2.size])) + 1
        keep = rank <= top
        sel = o2[keep]
        return pd.DataFrame(
            {
                "root_id": self.trees["head_id"].to_numpy()[g_tree[keep]],
                "rank": rank[keep],
                "account_id": self.account_names[g_acc[sel]],
                "carried": g_carried[sel],
                "reposts": g_reposts[sel],
                "post_id": self.ids[g_post[sel]],
            }
        )

    def secondary_sources(self, top: int = 10, *, overall: bool = False) -> pd.DataFrame:
        """Non-root posts that drew the most direct reposts.

        Parameters
        ----------
        top : int
            Posts kept per cascade (or overall).
        overall : bool
            Rank across all cascades instead of within each.

        Returns
        -------
        pandas.DataFrame
            ``root_id``, ``rank``, ``post_id``, ``account_id``, ``direct_reposts``,
            ``subtree_size``. Posts without reposts are not listed; ties are broken by
            breadth-first order (nearer the root first).
        """
        sub, kids = self._metrics[1], self._metrics[2]
        idx, tree = self._nonroot_cascade_nodes()
        has = kids[idx] > 0
        idx, tree = idx[has], tree[has]
        k = kids[idx]
        if overall:
            o = np.lexsort((idx, -k))[:top]
            rank = np.arange(1, o.size + 1)
        else:
            o = np.lexsort((idx, -k, tree))
            t_o = tree[o]
            first = np.flatnonzero(np.r_[True, t_o[1:] != t_o[:-1]]) if o.size else o
            rank = np.arange(o.size) - np.repeat(first, np.diff(np.r_[first, o.size])) + 1
            o, rank = o[rank <= top], rank[rank <= top]
        node = idx[o]
        return pd.DataFrame(
            {
                "root_id": self.trees["head_id"].to_numpy()[tree[o]],
                "rank": rank,
                "post_id": self.ids[node],
                "account_id": _decode(self.account_codes[node], self.account_names),
                "direct_reposts": kids[node],
                "subtree_size": sub[node],
            }
        )


# ----------------------------------------------------------------------------- building
def _seconds(values) -> np.ndarray:
    """Timestamps (naive UTC) -> float seconds since the epoch; NaN for NULL."""
    ts = pd.to_datetime(pd.Series(values), errors="raise")
    if getattr(ts.dt, "tz", None) is not None:
        ts = ts.dt.tz_convert("UTC").dt.tz_localize(None)
    arr = ts.to_numpy(dtype="datetime64[us]")
    out = arr.astype(np.int64).astype(np.float64) / 1e6
    out[np.isnat(arr)] = np.nan
    return out


def _arrow(values) -> pa.Array | None:
    """A column as an Arrow string array, or None when it does not hold strings."""
    try:
        arr = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_null(arr.type):
        return arr.cast(pa.string())
    if pa.types.is_large_string(arr.type) or pa.types.is_string_view(arr.type):
        return arr.cast(pa.string())
    return arr if pa.types.is_string(arr.type) else None


def _encode(*columns) -> tuple[list[np.ndarray], np.ndarray]:
    """Codes of several id columns over one shared dictionary (first appearance order).

    Returns (codes per column as int64 with -1 for NULL, uniques as an object array).
    """
    arrs = [_arrow(c) for c in columns]
    sizes = [len(c) for c in columns]
    if all(a is not None for a in arrs):
        enc = pc.dictionary_encode(pa.concat_arrays(arrs))
        codes = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        uniques = enc.dictionary.to_numpy(zero_copy_only=False)
    else:
        allv = np.concatenate([np.asarray(pd.Series(c), dtype=object) for c in columns])
        codes, uniq = pd.factorize(allv, sort=False)
        codes = codes.astype(np.int64)
        uniques = np.asarray(uniq, dtype=object)
    out, at = [], 0
    for n in sizes:
        out.append(codes[at : at + n])
        at += n
    return out, np.asarray(uniques, dtype=object)


def _decode(codes: np.ndarray, names: np.ndarray) -> np.ndarray:
    if names.size == 0:
        return np.full(codes.size, None, dtype=object)
    out = names[np.maximum(codes, 0)]
    out[codes < 0] = None
    return out


def _same(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Element-wise equality with NULL == NULL."""
    na, nb = a.isna().to_numpy(), b.isna().to_numpy()
    eq = (a.to_numpy(dtype=object) == b.to_numpy(dtype=object)) & ~na & ~nb
    return np.asarray(eq, dtype=bool) | (na & nb)


def build_cascades(frame: pd.DataFrame) -> CascadeSet:
    """Reconstruct one cascade tree per root from canonical ``posts`` rows.

    Parameters
    ----------
    frame : pandas.DataFrame, shape (rows, k)
        Columns ``post_id`` (required), ``parent_id`` (required; NULL marks a root),
        and optionally ``root_id``, ``account_id``, ``created_at`` (naive UTC timestamps or
        NULL), ``delay_seconds`` (seconds after the root, when the source gives delays),
        ``kind``, ``text``. Row order matters only to break ties: the first row of a
        repeated id is kept, children are ordered by row, a cycle is cut at its first node.

    Returns
    -------
    CascadeSet
        Its ``summary`` counts: ``rows``, ``no_id`` (rows without a post id, which cannot
        be nodes and are left out), ``nodes`` (distinct post ids), ``cascades``,
        ``cascade_nodes``, ``duplicates``, ``duplicates_differing``, ``orphans`` and
        ``orphan_nodes`` (fragments headed by a record whose parent is missing, and their
        nodes), ``cycles`` and ``cycle_nodes`` (cycles cut, and the nodes of the fragments
        headed where they were cut), ``nodes_on_cycles``,
        ``self_parents`` (cycles of one post naming itself), ``attributed_fragments``,
        ``unattributed_fragments``, ``unattributed_nodes``, ``before_parent``,
        ``times_unknown``. ``nodes == cascade_nodes + nodes in fragments``.

    Raises
    ------
    CascadeError
        If ``post_id`` or ``parent_id`` is not a column, or a time cannot be read.

    Notes
    -----
    Times: a node's seconds after its cascade's root are ``created_at - root.created_at``
    when both are known, else its ``delay_seconds``, else NaN (unknown). The root's own
    time is its ``delay_seconds`` when given, else 0. Fragment nodes are timed against the
    root they are attributed to (their head's ``created_at`` when unattributed).
    Linear in the number of rows: ids are dictionary-encoded by Arrow, cycles cut and trees
    laid out breadth-first by numba kernels.
    """
    for col in ("post_id", "parent_id"):
        if col not in frame.columns:
            raise CascadeError(
                f"build_cascades needs a '{col}' column; the frame has: {', '.join(frame.columns)}"
            )
    rows = len(frame)
    used = ("post_id", "parent_id", "root_id", "account_id", "delay_seconds", "created_at")
    df = frame[[c for c in (*used, "kind", "text") if c in frame.columns]].reset_index(drop=True)
    has_id = df["post_id"].notna().to_numpy()
    no_id = int(rows - has_id.sum())
    if no_id:
        df = df[has_id].reset_index(drop=True)

    # one dictionary for post and parent ids: a parent code >= n is not a post of the data
    (codes, pcodes_rows), uniques = _encode(df["post_id"], df["parent_id"])
    n = int(codes.max()) + 1 if codes.size else 0
    ids = uniques[:n]
    # duplicates: keep the first row of every id, count the rest
    first_row = np.full(n, -1, np.int64)
    order_rows = np.arange(codes.size)
    first_row[codes[::-1]] = order_rows[::-1]  # the last write wins: the first occurrence
    is_first = first_row[codes] == order_rows
    repeat_rows = np.flatnonzero(~is_first)
    dup_counts = np.bincount(codes[repeat_rows], minlength=n).astype(np.int64)
    differing = np.zeros(n, np.int64)
    if repeat_rows.size:
        fr = first_row[codes[repeat_rows]]
        diff = np.zeros(repeat_rows.size, bool)
        for c in _CONTENT:
            if c in df.columns:
                col = df[c]
                diff |= ~_same(
                    col.iloc[repeat_rows].reset_index(drop=True),
                    col.iloc[fr].reset_index(drop=True),
                )
        differing = np.bincount(codes[repeat_rows[diff]], minlength=n).astype(np.int64)
        nodes = df.iloc[first_row].reset_index(drop=True)
    else:
        nodes = df
    pcode = pcodes_rows[first_row] if repeat_rows.size else pcodes_rows

    # parents
    has_parent = pcode >= 0
    parent = np.where(has_parent & (pcode < n), pcode, -1).astype(np.int64)
    missing = has_parent & (pcode >= n)
    self_parent = int((parent == np.arange(n)).sum())
    cut, on_cycle = _break_cycles(parent)
    parent[cut] = -1
    is_root = ~has_parent
    heads = np.flatnonzero(is_root | missing | cut)
    order, offsets = _layout(parent, heads.astype(np.int64))
    assert offsets[-1] == n, "every node hangs from a head once cycles are cut"

    # trees: cascades, fragments, attribution
    pos = np.empty(n, np.int64)
    pos[order] = np.arange(n)
    tree_of = np.repeat(np.arange(heads.size), np.diff(offsets))  # per position
    head_ids = ids[heads]
    head_root = is_root[heads]
    kind = np.where(head_root, "cascade", "fragment").astype(object)
    reason = np.full(heads.size, None, dtype=object)
    reason[~head_root & missing[heads]] = "missing_parent"
    reason[~head_root & ~missing[heads]] = "cycle"
    root_nodes = np.flatnonzero(is_root)
    root_lookup = pd.Index(ids[root_nodes])
    attributed = np.full(heads.size, None, dtype=object)
    attributed[head_root] = head_ids[head_root]
    frag_rows = np.flatnonzero(~head_root)
    if frag_rows.size and "root_id" in nodes.columns:
        fnode = np.flatnonzero(~head_root[tree_of])  # positions of fragment nodes
        rid = nodes["root_id"].to_numpy(dtype=object)[order[fnode]]
        claims = pd.DataFrame({"tree": tree_of[fnode], "root_id": rid}).dropna()
        first_claim = claims.groupby("tree", sort=False)["root_id"].first()
        ok = root_lookup.get_indexer(first_claim.to_numpy()) >= 0
        attributed[first_claim.index.to_numpy()[ok]] = first_claim.to_numpy()[ok]
    frag_parent = np.full(heads.size, None, dtype=object)
    if frag_rows.size:
        fp = pcode[heads[frag_rows]]
        frag_parent[frag_rows] = uniques[fp]
    trees = pd.DataFrame(
        {
            "head_id": head_ids,
            "kind": kind,
            "root_id": attributed,
            "reason": reason,
            "parent_id": frag_parent,
        }
    )

    # times, relative to each tree's (attributed) root
    created = _seconds(nodes["created_at"]) if "created_at" in nodes.columns else None
    delay = (
        pd.to_numeric(nodes["delay_seconds"], errors="raise").to_numpy(dtype=np.float64)
        if "delay_seconds" in nodes.columns
        else None
    )
    ref_node = heads.copy()  # the node each tree is timed against
    att_frag = ~head_root & pd.notna(attributed)
    if att_frag.any():
        at = root_lookup.get_indexer(attributed[att_frag])
        ref_node[att_frag] = root_nodes[at]
    times = np.full(n, np.nan)
    if created is not None:
        times = created[order] - created[ref_node][tree_of]
    if delay is not None:
        times = np.where(np.isnan(times), delay[order], times)
    cascade_heads = offsets[:-1][head_root]
    if delay is not None:
        dh = delay[order][cascade_heads]
        times[cascade_heads] = np.where(np.isnan(dh), 0.0, dh)
    else:
        times[cascade_heads] = 0.0

    lparent = parent[order]
    lparent = np.where(lparent >= 0, pos[np.maximum(lparent, 0)] - offsets[tree_of], -1)
    if "account_id" in nodes.columns:
        (acc_codes,), acc_names = _encode(nodes["account_id"])
        acc_codes = acc_codes[order]
    else:
        acc_codes, acc_names = np.full(n, -1, np.int64), np.empty(0, dtype=object)
    if "kind" in nodes.columns:
        (kind_codes,), kind_names = _encode(nodes["kind"])
        kind_codes = kind_codes[order]
    else:
        kind_codes = kind_names = None
    dup_at = dup_counts > 0
    dup_table = pd.DataFrame(
        {"post_id": ids[dup_at], "repeats": dup_counts[dup_at], "differing": differing[dup_at]}
    )
    cs = CascadeSet(
        ids=ids[order],
        parent=lparent.astype(np.int64),
        times=times.astype(np.float64),
        account_codes=acc_codes,
        account_names=acc_names,
        kind_codes=kind_codes,
        kind_names=kind_names,
        offsets=offsets.astype(np.int64),
        trees=trees,
        duplicates=dup_table,
        dup_counts=dup_counts[order],
        dup_differing=differing[order],
        summary={},
    )
    frag = cs.fragments
    m = cs._metrics
    unatt = frag["root_id"].isna()
    cs.summary.update(
        rows=int(rows),
        no_id=no_id,
        nodes=int(n),
        cascades=int(head_root.sum()),
        cascade_nodes=int(m[4][head_root].sum()),
        duplicates=int(dup_counts.sum()),
        duplicates_differing=int(differing.sum()),
        orphans=int((frag["reason"] == "missing_parent").sum()),
        orphan_nodes=int(frag.loc[frag["reason"] == "missing_parent", "size"].sum()),
        cycles=int(cut.sum()),
        cycle_nodes=int(frag.loc[frag["reason"] == "cycle", "size"].sum()),
        nodes_on_cycles=int(on_cycle.sum()),
        self_parents=self_parent,
        attributed_fragments=int((~unatt).sum()),
        unattributed_fragments=int(unatt.sum()),
        unattributed_nodes=int(frag.loc[unatt, "size"].sum()),
        before_parent=int(m[3].sum()),
        times_unknown=int(np.isnan(cs.times).sum()),
    )
    return cs
