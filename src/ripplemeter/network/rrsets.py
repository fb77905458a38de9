"""Reverse-reachable (RR) sets: parallel sampling and greedy maximum coverage, in numba.

An RR set is the set of nodes that reach a uniformly random root in one random
realisation ("live-edge graph") of the diffusion model. For any seed set ``S``,
``n * P(S meets a random RR set)`` equals the expected spread of ``S`` (Borgs et al. 2014),
so influence maximisation becomes maximum coverage over a sample of RR sets.

Storage is flat CSR: the nodes of RR set ``j`` are ``nodes[offsets[j]:offsets[j + 1]]``
(``nodes`` int32, ``offsets`` int64). The node -> RR-set inverted index has the same shape.

Sampling is parallel and reproducible: RR sets are generated in fixed-size chunks under
``numba.prange``; chunk ``c`` draws from its own SplitMix64 stream seeded by
``(random_state, c)``, so the result depends on the seed and the chunk size only, never on
the number of threads or on scheduling.

Sampling on heterogeneous in-edges uses SUBSIM's geometric skipping (Guo et al. 2020):
when a node has many in-edges, the next edge to fire under the largest in-probability
``p_max`` is found with one geometric draw, ``floor(log U / log(1 - p_max))``, and then
accepted with probability ``p / p_max``. When all in-probabilities are equal (weighted
cascade, constant probabilities) no rejection step is needed, and a node of in-degree ``d``
costs about ``1 + d p`` draws instead of ``d``.

References
----------
Borgs, Brautbar, Chayes, Lucier. "Maximizing Social Influence in Nearly Optimal Time."
SODA 2014.

Tang, Shi, Xiao. "Influence Maximization in Near-Linear Time: A Martingale Approach."
SIGMOD 2015.

Guo, Wang, Wei, Chen. "Influence Maximization Revisited: Efficient Reverse Reachable Set
Generation with Bound Tightened." SIGMOD 2020.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numba as nb
import numpy as np
from numba import prange

__all__ = [
    "RRSampler",
    "RRSets",
    "budgeted_greedy_cover",
    "greedy_max_cover",
]

#: RR sets per parallel chunk (part of the reproducibility contract: same seed and chunk
#: size give the same RR sets).
CHUNK_SIZE = 2048

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV53 = 1.0 / 9007199254740992.0  # 2**-53

# in-edge sampling modes per node
_FLIP = 0  # one coin per in-edge
_SKIP_UNIFORM = 1  # equal probabilities: pure geometric skipping
_SKIP_REJECT = 2  # geometric skipping under p_max, then accept with p / p_max


@nb.njit(cache=True, inline="always")
def _mix(z):
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    return z ^ (z >> _S31)


@nb.njit(cache=True, inline="always")
def _uniform(state):
    """Next double in [0, 1) from a SplitMix64 stream kept in ``state[0]``."""
    state[0] += _GOLDEN
    return np.float64(_mix(state[0]) >> _S11) * _INV53


@nb.njit(cache=True, inline="always")
def _uniform_open(state):
    """Next double in (0, 1] (safe for log)."""
    return 1.0 - _uniform(state)


@nb.njit(cache=True)
def _chunk_state(seed, chunk):
    st = np.empty(1, dtype=np.uint64)
    st[0] = _mix(np.uint64(seed) * _GOLDEN + np.uint64(chunk) * _MIX1 + _MIX2)
    return st


@nb.njit(cache=True)
def _grow(buf, need):
    cap = buf.shape[0]
    if need <= cap:
        return buf
    while cap < need:
        cap = cap * 2 + 16
    out = np.empty(cap, dtype=buf.dtype)
    out[: buf.shape[0]] = buf
    return out


@nb.njit(cache=True)
def _chunk_ic(info, ridx, rprob, n, count, seed, chunk):
    """``count`` IC RR sets; ``info[v] = (start, end, log(1 - p_max) or +1 to flip, p_max
    or 0 when all in-probabilities are equal)``, packed so one cache line serves a node."""
    state = _chunk_state(seed, chunk)
    seen = np.zeros(n, dtype=np.bool_)  # cleared after each set: small, cache-resident
    offsets = np.empty(count + 1, dtype=np.int64)
    buf = np.empty(count * 4 + n, dtype=np.int32)
    pos = 0
    offsets[0] = 0
    for j in range(count):
        root = min(int(_uniform(state) * n), n - 1)
        if pos + n > buf.shape[0]:  # an RR set has at most n nodes: no checks per push
            buf = _grow(buf, pos + n)
        buf[pos] = root
        seen[root] = True
        head = pos
        tail = pos + 1
        while head < tail:
            v = buf[head]
            head += 1
            s = int(info[v, 0])
            e = int(info[v, 1])
            lq = info[v, 2]
            if lq > 0.0:
                for i in range(s, e):
                    # coin first: the random access to `seen` only on success
                    if _uniform(state) < rprob[i]:
                        u = ridx[i]
                        if not seen[u]:
                            seen[u] = True
                            buf[tail] = u
                            tail += 1
            else:
                pm = info[v, 3]
                g = np.log(_uniform_open(state)) / lq
                if g >= e - s:
                    continue
                i = s + int(g)
                while True:
                    if pm == 0.0 or _uniform(state) * pm < rprob[i]:
                        u = ridx[i]
                        if not seen[u]:
                            seen[u] = True
                            buf[tail] = u
                            tail += 1
                    g = np.log(_uniform_open(state)) / lq
                    if g >= e - i - 1:
                        break
                    i += 1 + int(g)
        for t in range(pos, tail):
            seen[buf[t]] = False
        pos = tail
        offsets[j + 1] = pos
    return buf[:pos].copy(), offsets


@nb.njit(cache=True)
def _chunk_lt(rptr, ridx, rprob, rcum, mode, pmax, n, count, seed, chunk):
    state = _chunk_state(seed, chunk)
    seen = np.zeros(n, dtype=np.bool_)  # cleared after each set: small, cache-resident
    offsets = np.empty(count + 1, dtype=np.int64)
    buf = np.empty(count * 4 + n, dtype=np.int32)
    pos = 0
    offsets[0] = 0
    for j in range(count):
        v = min(int(_uniform(state) * n), n - 1)
        if pos + n > buf.shape[0]:
            buf = _grow(buf, pos + n)
        buf[pos] = v
        pos += 1
        seen[v] = True
        while True:
            s = rptr[v]
            e = rptr[v + 1]
            if s == e:
                break
            r = _uniform(state)
            if mode[v] == _SKIP_UNIFORM:
                p = pmax[v]
                if r >= p * (e - s):
                    break
                i = s + min(int(r / p), e - s - 1)
            else:
                if r >= rcum[e - 1]:
                    break
                lo = s
                hi = e - 1
                while lo < hi:  # first i with rcum[i] > r
                    mid = (lo + hi) // 2
                    if rcum[mid] > r:
                        hi = mid
                    else:
                        lo = mid + 1
                i = lo
            u = ridx[i]
            if seen[u]:
                break
            seen[u] = True
            buf[pos] = u
            pos += 1
            v = u
        for t in range(offsets[j], pos):
            seen[buf[t]] = False
        offsets[j + 1] = pos
    return buf[:pos].copy(), offsets


@nb.njit(cache=True, parallel=True)
def _sample_parallel(
    rptr, ridx, rprob, rcum, mode, info, pmax, n, count, seed, first_chunk, chunk_size, lt
):
    n_chunks = (count + chunk_size - 1) // chunk_size
    parts_nodes = nb.typed.List()
    parts_offs = nb.typed.List()
    for _ in range(n_chunks):
        parts_nodes.append(np.empty(0, dtype=np.int32))
        parts_offs.append(np.empty(0, dtype=np.int64))
    for c in prange(n_chunks):
        cnt = min(chunk_size, count - c * chunk_size)
        if lt:
            a, o = _chunk_lt(rptr, ridx, rprob, rcum, mode, pmax, n, cnt, seed, first_chunk + c)
        else:
            a, o = _chunk_ic(info, ridx, rprob, n, cnt, seed, first_chunk + c)
        parts_nodes[c] = a
        parts_offs[c] = o
    total = 0
    for c in range(n_chunks):
        total += parts_nodes[c].shape[0]
    nodes = np.empty(total, dtype=np.int32)
    offsets = np.empty(count + 1, dtype=np.int64)
    offsets[0] = 0
    p = 0
    q = 0
    for c in range(n_chunks):
        a = parts_nodes[c]
        o = parts_offs[c]
        nodes[p : p + a.shape[0]] = a
        cnt = o.shape[0] - 1
        for j in range(cnt):
            offsets[q + j + 1] = p + o[j + 1]
        p += a.shape[0]
        q += cnt
    return nodes, offsets


@nb.njit(cache=True)
def _inverted(nodes, offsets, n):
    """node -> RR-set index: (inv_ptr int64 (n+1), inv_sets int32)."""
    counts = np.zeros(n + 1, dtype=np.int64)
    for x in nodes:
        counts[x + 1] += 1
    for v in range(n):
        counts[v + 1] += counts[v]
    inv = np.empty(nodes.shape[0], dtype=np.int32)
    fill = counts[:-1].copy()
    n_sets = offsets.shape[0] - 1
    for j in range(n_sets):
        for t in range(offsets[j], offsets[j + 1]):
            v = nodes[t]
            inv[fill[v]] = j
            fill[v] += 1
    return counts, inv


@nb.njit(cache=True)
def _covered_count(nodes, offsets, seed_mask):
    """Number of RR sets containing at least one node with ``seed_mask`` set."""
    n_sets = offsets.shape[0] - 1
    c = 0
    for j in range(n_sets):
        for t in range(offsets[j], offsets[j + 1]):
            if seed_mask[nodes[t]]:
                c += 1
                break
    return c


# --------------------------------------------------------------------------- heap
@nb.njit(cache=True, inline="always")
def _heap_push(keys, vals, size, key, val):
    i = size
    keys[i] = key
    vals[i] = val
    while i > 0:
        parent = (i - 1) >> 1
        if keys[parent] >= keys[i]:
            break
        keys[parent], keys[i] = keys[i], keys[parent]
        vals[parent], vals[i] = vals[i], vals[parent]
        i = parent
    return size + 1


@nb.njit(cache=True, inline="always")
def _sift_down(keys, vals, size, i):
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        best = left
        right = left + 1
        if right < size and keys[right] > keys[left]:
            best = right
        if keys[i] >= keys[best]:
            break
        keys[best], keys[i] = keys[i], keys[best]
        vals[best], vals[i] = vals[i], vals[best]
        i = best


@nb.njit(cache=True)
def _heap_pop(keys, vals, size):
    key = keys[0]
    val = vals[0]
    size -= 1
    keys[0] = keys[size]
    vals[0] = vals[size]
    _sift_down(keys, vals, size, 0)
    return key, val, size


@nb.njit(cache=True)
def _heapify(keys, vals, size):
    for i in range(size // 2 - 1, -1, -1):
        _sift_down(keys, vals, size, i)


@nb.njit(cache=True)
def _cover_set(j, nodes, offsets, covered, deg):
    covered[j] = True
    for t in range(offsets[j], offsets[j + 1]):
        deg[nodes[t]] -= 1


@nb.njit(cache=True)
def _apply_forced(nodes, offsets, inv_ptr, inv_sets, forced, covered, deg):
    gains = np.zeros(forced.shape[0], dtype=np.int64)
    for f in range(forced.shape[0]):
        v = forced[f]
        for t in range(inv_ptr[v], inv_ptr[v + 1]):
            j = inv_sets[t]
            if not covered[j]:
                gains[f] += 1
                _cover_set(j, nodes, offsets, covered, deg)
    return gains


@nb.njit(cache=True)
def _top_sum(values, k):
    """Sum of the k largest entries (values are non-negative)."""
    if k <= 0 or values.shape[0] == 0:
        return 0
    if k >= values.shape[0]:
        return values.sum()
    part = np.partition(values, values.shape[0] - k)
    return part[values.shape[0] - k :].sum()


@nb.njit(cache=True)
def _top_sum_heap(deg, vals, size, scratch, k):
    for t in range(size):
        scratch[t] = deg[vals[t]]
    return _top_sum(scratch[:size], k)


@nb.njit(cache=True)
def _start_cover(nodes, offsets, inv_ptr, inv_sets, n, forced):
    """Coverage state after the forced seeds: covered sets, degrees, their gains, taken."""
    covered = np.zeros(offsets.shape[0] - 1, dtype=np.bool_)
    deg = np.diff(inv_ptr).astype(np.int64)
    forced_gains = _apply_forced(nodes, offsets, inv_ptr, inv_sets, forced, covered, deg)
    taken = np.zeros(n, dtype=np.bool_)
    for f in forced:
        taken[f] = True
    return covered, deg, forced_gains, forced_gains.sum(), taken


@nb.njit(cache=True)
def _greedy(nodes, offsets, inv_ptr, inv_sets, n, k, cand, forced, want_bound):
    covered, deg, forced_gains, base, taken = _start_cover(
        nodes, offsets, inv_ptr, inv_sets, n, forced
    )
    keys = np.empty(n, dtype=np.float64)
    vals = np.empty(n, dtype=np.int64)
    size = 0
    for v in range(n):
        if cand[v] and not taken[v]:
            keys[size] = deg[v]
            vals[size] = v
            size += 1
    _heapify(keys, vals, size)
    seeds = np.empty(k, dtype=np.int64)
    gains = np.zeros(k, dtype=np.int64)
    n_sel = 0
    total = base
    bound = np.inf
    cand_deg = np.empty(size if want_bound else 0, dtype=np.int64)
    while n_sel < k and size > 0:
        if want_bound:
            b = total + _top_sum_heap(deg, vals, size, cand_deg, k)
            if b < bound:
                bound = b
        # lazy evaluation: a stale key is refreshed and pushed back
        while True:
            key, v, size = _heap_pop(keys, vals, size)
            if key == deg[v] or size == 0:
                break
            size = _heap_push(keys, vals, size, np.float64(deg[v]), v)
        seeds[n_sel] = v
        gains[n_sel] = deg[v]
        taken[v] = True
        for t in range(inv_ptr[v], inv_ptr[v + 1]):
            j = inv_sets[t]
            if not covered[j]:
                _cover_set(j, nodes, offsets, covered, deg)
        total += gains[n_sel]
        n_sel += 1
    if want_bound:
        b = total + _top_sum_heap(deg, vals, size, cand_deg, k)
        if b < bound:
            bound = b
    return seeds[:n_sel], gains[:n_sel], forced_gains, total, bound


@nb.njit(cache=True)
def _budgeted(nodes, offsets, inv_ptr, inv_sets, n, cost, budget, cand, forced):
    covered, deg, forced_gains, base, taken = _start_cover(
        nodes, offsets, inv_ptr, inv_sets, n, forced
    )
    # best single affordable account on top of the forced seeds
    best_single = -1
    best_gain = -1
    for v in range(n):
        if cand[v] and not taken[v] and cost[v] <= budget and deg[v] > best_gain:
            best_gain = deg[v]
            best_single = v
    # cost-effective greedy with lazy ratios
    keys = np.empty(n, dtype=np.float64)
    vals = np.empty(n, dtype=np.int64)
    size = 0
    for v in range(n):
        if cand[v] and not taken[v] and cost[v] <= budget:
            keys[size] = deg[v] / max(cost[v], 1e-12)
            vals[size] = v
            size += 1
    _heapify(keys, vals, size)
    seeds = np.empty(n, dtype=np.int64)
    gains = np.zeros(n, dtype=np.int64)
    n_sel = 0
    spent = 0.0
    total = base
    while size > 0:
        key, v, size = _heap_pop(keys, vals, size)
        if cost[v] > budget - spent + 1e-9 * max(1.0, budget):
            continue  # never affordable again: the remaining budget only shrinks
        cur = deg[v] / max(cost[v], 1e-12)
        if cur < key and size > 0 and cur < keys[0]:
            size = _heap_push(keys, vals, size, cur, v)
            continue
        if deg[v] == 0:
            break
        seeds[n_sel] = v
        gains[n_sel] = deg[v]
        spent += cost[v]
        taken[v] = True
        for t in range(inv_ptr[v], inv_ptr[v + 1]):
            j = inv_sets[t]
            if not covered[j]:
                _cover_set(j, nodes, offsets, covered, deg)
        total += gains[n_sel]
        n_sel += 1
    return seeds[:n_sel], gains[:n_sel], forced_gains, total, best_single, base + best_gain


# --------------------------------------------------------------------------- Python API
def _node_modes(rptr: np.ndarray, rprob: np.ndarray, lt: bool):
    """Per-node sampling mode, log(1 - p_max), p_max and in-segment cumulative weights."""
    n = rptr.shape[0] - 1
    deg = np.diff(rptr)
    m = rprob.shape[0]
    owner = np.repeat(np.arange(n), deg)
    pmax = np.zeros(n, dtype=np.float64)
    pmin = np.ones(n, dtype=np.float64)
    if m:
        np.maximum.at(pmax, owner, rprob)
        np.minimum.at(pmin, owner, rprob)
    uniform = (deg > 0) & (pmax - pmin <= 1e-12 * np.maximum(pmax, 1e-300))
    mode = np.zeros(n, dtype=np.int8)
    with np.errstate(divide="ignore"):
        logq = np.log1p(-np.minimum(pmax, 1.0))
    if lt:
        mode[uniform] = _SKIP_UNIFORM
        cum = np.cumsum(rprob) if m else np.zeros(0)
        start_sum = np.zeros(n, dtype=np.float64)
        nz = deg > 0
        start_sum[nz] = cum[rptr[:-1][nz]] - rprob[rptr[:-1][nz]]
        rcum = cum - np.repeat(start_sum, deg) if m else np.zeros(0)
        return mode, logq, pmax, np.ascontiguousarray(rcum)
    # skipping pays off when a node has many in-edges that rarely fire
    skip = (deg >= 8) & (pmax > 1e-9) & (pmax < 0.25)
    mode[skip & uniform] = _SKIP_UNIFORM
    mode[skip & ~uniform & (pmin >= 0.25 * pmax)] = _SKIP_REJECT
    return mode, logq, pmax, np.zeros(1)


@dataclass
class RRSets:
    """A sample of RR sets in flat CSR form.

    Attributes
    ----------
    n : int
        Number of graph nodes.
    nodes : ndarray of int32
        Concatenated RR sets (internal node indices).
    offsets : ndarray of int64, shape (count + 1,)
        RR set ``j`` is ``nodes[offsets[j]:offsets[j + 1]]``.
    """

    n: int
    nodes: np.ndarray
    offsets: np.ndarray
    _inv: tuple | None = field(default=None, repr=False)

    @property
    def count(self) -> int:
        """Number of RR sets."""
        return int(self.offsets.shape[0] - 1)

    def __len__(self) -> int:
        return self.count

    def extend(self, other: RRSets) -> RRSets:
        """A new collection holding these RR sets followed by ``other``'s."""
        nodes = np.concatenate([self.nodes, other.nodes])
        offsets = np.concatenate([self.offsets, other.offsets[1:] + self.offsets[-1]])
        return RRSets(self.n, nodes, offsets)

    def inverted(self) -> tuple[np.ndarray, np.ndarray]:
        """node -> RR-set index as CSR (``inv_ptr`` int64 (n + 1), ``inv_sets`` int32)."""
        if self._inv is None:
            self._inv = _inverted(self.nodes, self.offsets, self.n)
        return self._inv

    def coverage(self, seeds: np.ndarray) -> int:
        """Number of RR sets that contain at least one of ``seeds`` (internal indices)."""
        mask = np.zeros(self.n, dtype=np.bool_)
        mask[np.asarray(seeds, dtype=np.int64)] = True
        return int(_covered_count(self.nodes, self.offsets, mask))

    def set_masks(self, seeds: np.ndarray) -> np.ndarray:
        """Boolean matrix (len(seeds), count): RR set ``j`` contains seed ``i``."""
        inv_ptr, inv_sets = self.inverted()
        out = np.zeros((len(seeds), self.count), dtype=np.bool_)
        for i, v in enumerate(np.asarray(seeds, dtype=np.int64)):
            out[i, inv_sets[inv_ptr[v] : inv_ptr[v + 1]]] = True
        return out


class RRSampler:
    """Draws RR sets of one graph under IC or LT, reproducibly and in parallel.

    Parameters
    ----------
    rev_indptr, rev_indices, rev_probs : ndarray
        In-edge CSR of the graph (``Graph.rev_indptr`` etc.).
    model : {"ic", "lt"}
        Diffusion model. Under LT each node's in-weights must sum to at most 1.
    random_state : int
        Seed. Successive calls to :meth:`sample` continue the chunk sequence, so a sampler
        yields the same RR sets for the same seed and the same sequence of requests.
    chunk_size : int
        RR sets per parallel chunk.
    """

    def __init__(
        self,
        rev_indptr: np.ndarray,
        rev_indices: np.ndarray,
        rev_probs: np.ndarray,
        model: str = "ic",
        random_state: int = 0,
        chunk_size: int = CHUNK_SIZE,
    ) -> None:
        self.rptr = np.ascontiguousarray(rev_indptr, dtype=np.int64)
        self.ridx = np.ascontiguousarray(rev_indices, dtype=np.int32)
        self.rprob = np.ascontiguousarray(rev_probs, dtype=np.float64)
        self.n = int(self.rptr.shape[0] - 1)
        self.lt = model == "lt"
        self.seed = int(random_state) & 0xFFFFFFFFFFFF
        self.chunk_size = int(chunk_size)
        self.next_chunk = 0
        self.mode, self.logq, self.pmax, self.rcum = _node_modes(self.rptr, self.rprob, self.lt)
        info = np.empty((self.n, 4), dtype=np.float64)
        info[:, 0] = self.rptr[:-1]
        info[:, 1] = self.rptr[1:]
        info[:, 2] = np.where(self.mode == _FLIP, 1.0, self.logq)
        info[:, 3] = np.where(self.mode == _SKIP_REJECT, self.pmax, 0.0)
        self.info = info

    def sample(self, count: int) -> RRSets:
        """Draw ``count`` new RR sets (independent of all earlier ones)."""
        count = int(count)
        if count <= 0 or self.n == 0:
            return RRSets(self.n, np.zeros(0, np.int32), np.zeros(1, np.int64))
        nodes, offsets = _sample_parallel(
            self.rptr,
            self.ridx,
            self.rprob,
            self.rcum,
            self.mode,
            self.info,
            self.pmax,
            self.n,
            count,
            self.seed,
            self.next_chunk,
            self.chunk_size,
            self.lt,
        )
        self.next_chunk += (count + self.chunk_size - 1) // self.chunk_size
        return RRSets(self.n, nodes, offsets)


@dataclass
class CoverResult:
    """Greedy maximum coverage over RR sets (internal indices, counts of RR sets)."""

    seeds: np.ndarray
    gains: np.ndarray
    forced_gains: np.ndarray
    covered: int
    upper_bound: float = np.inf


def _mask(n: int, candidates: np.ndarray | None) -> np.ndarray:
    if candidates is None:
        return np.ones(n, dtype=np.bool_)
    m = np.zeros(n, dtype=np.bool_)
    m[np.asarray(candidates, dtype=np.int64)] = True
    return m


def greedy_max_cover(
    rr: RRSets,
    k: int,
    candidates: np.ndarray | None = None,
    forced: np.ndarray | None = None,
    upper_bound: bool = False,
) -> CoverResult:
    """Pick ``k`` nodes covering the most RR sets (lazy greedy, exact marginal counts).

    Parameters
    ----------
    rr : RRSets
    k : int
        Number of nodes to pick in addition to `forced`.
    candidates : ndarray of int, optional
        Internal indices allowed as seeds (default all).
    forced : ndarray of int, optional
        Internal indices counted as seeds first (their coverage is in ``forced_gains``).
    upper_bound : bool
        Also compute the OPIM-C bound on the best coverage of ``k`` candidates on top of
        `forced`: ``min_i (cov(S_i) + sum of the k largest marginal gains given S_i)``
        over the greedy prefixes ``S_0 .. S_k``.

    Returns
    -------
    CoverResult
        ``gains[i]`` is the number of RR sets newly covered by ``seeds[i]``; ``covered`` the
        total including forced seeds.

    Notes
    -----
    Marginal counts are kept exact by decrementing every node of a newly covered RR set
    (total work linear in the sample size); a max-heap with lazy re-insertion finds the
    next best node. Greedy is a (1 - 1/e)-approximation of maximum coverage
    (Nemhauser, Wolsey, Fisher 1978).
    """
    inv_ptr, inv_sets = rr.inverted()
    f = np.zeros(0, np.int64) if forced is None else np.asarray(forced, dtype=np.int64)
    seeds, gains, fg, total, bound = _greedy(
        rr.nodes,
        rr.offsets,
        inv_ptr,
        inv_sets,
        rr.n,
        int(k),
        _mask(rr.n, candidates),
        f,
        bool(upper_bound),
    )
    return CoverResult(seeds, gains, fg, int(total), float(bound))


def budgeted_greedy_cover(
    rr: RRSets,
    cost: np.ndarray,
    budget: float,
    candidates: np.ndarray | None = None,
    forced: np.ndarray | None = None,
) -> CoverResult:
    """Budgeted maximum coverage: the better of cost-effective greedy and the best single node.

    Parameters
    ----------
    rr : RRSets
    cost : ndarray of float64, shape (n,)
        Price of every node (``inf`` for nodes that cannot be bought).
    budget : float
        Budget left for the nodes picked here.
    candidates, forced : ndarray of int, optional
        As in :func:`greedy_max_cover`.

    Returns
    -------
    CoverResult

    Notes
    -----
    Cost-effective greedy repeatedly adds the affordable node with the largest
    ``marginal coverage / cost`` (lazily re-evaluated; nodes that no longer fit are dropped
    and the scan continues). Taking the better of its result and the single affordable node
    of largest coverage is a ``(1 - 1/e) / 2``-approximation of budgeted maximum coverage
    (Khuller, Moss, Naor 1999; Leskovec et al. 2007).
    """
    inv_ptr, inv_sets = rr.inverted()
    f = np.zeros(0, np.int64) if forced is None else np.asarray(forced, dtype=np.int64)
    seeds, gains, fg, total, single, single_total = _budgeted(
        rr.nodes,
        rr.offsets,
        inv_ptr,
        inv_sets,
        rr.n,
        np.ascontiguousarray(cost, dtype=np.float64),
        float(budget),
        _mask(rr.n, candidates),
        f,
    )
    if single >= 0 and single_total > total:
        return CoverResult(
            np.array([single], dtype=np.int64),
            np.array([single_total - fg.sum()], dtype=np.int64),
            fg,
            int(single_total),
        )
    return CoverResult(seeds, gains, fg, int(total))
