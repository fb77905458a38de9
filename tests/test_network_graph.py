"""Graph reading and cleaning, checked against counts computed another way (plain Python)."""

from __future__ import annotations

import gzip
from collections import defaultdict

import numpy as np
import pytest

from ripplemeter.errors import GraphError, RippleError
from ripplemeter.formats.graph_files import read_edgelist
from ripplemeter.network.graph import (
    TRIVALENCY_VALUES,
    Graph,
    from_edges,
    from_workspace,
)


# ---------------------------------------------------------------------------- helpers
def edge_dict(g: Graph) -> dict:
    """{(src_id, dst_id): p} from the out-edge CSR."""
    out = {}
    for u in range(g.n):
        for e in range(g.indptr[u], g.indptr[u + 1]):
            out[(g.ids[u], g.ids[g.indices[e]])] = g.probs[e]
    return out


def rev_edge_dict(g: Graph) -> dict:
    """{(src_id, dst_id): p} from the in-edge CSR."""
    out = {}
    for v in range(g.n):
        for k in range(g.rev_indptr[v], g.rev_indptr[v + 1]):
            out[(g.ids[g.rev_indices[k]], g.ids[v])] = g.rev_probs[k]
    return out


def check_csr(g: Graph) -> None:
    assert g.indptr.dtype == np.int64 and g.rev_indptr.dtype == np.int64
    assert g.indices.dtype == np.int32 and g.rev_indices.dtype == np.int32
    assert g.probs.dtype == np.float64 and g.rev_probs.dtype == np.float64
    assert g.indptr.shape == (g.n + 1,) and g.rev_indptr.shape == (g.n + 1,)
    assert g.indptr[-1] == g.m == g.rev_indptr[-1]
    assert len(g.ids) == g.n
    np.testing.assert_array_equal(g.rev_probs, g.probs[g.rev_perm])


def raw_pairs(lines, *, undirected=False):
    """Plain-Python cleaning of (u, v[, p]) tuples: the independent oracle."""
    loops = 0
    pairs: dict = defaultdict(list)
    for u, v, p in lines:
        if u == v:
            loops += 1
            continue
        pairs[(u, v)].append(p)
        if undirected:
            pairs[(v, u)].append(p)
    return loops, pairs


# ---------------------------------------------------------------------------- real data
@pytest.mark.real_data
def test_nethept_counts_and_combined_probabilities(real_data):
    path = real_data("nethept/NetHEPT.txt")
    with open(path) as fh:
        n_header, m_header = map(int, fh.readline().split())
        rows = [(int(a), int(b), float(c)) for a, b, c in (ln.split() for ln in fh if ln.strip())]
    loops, pairs = raw_pairs(rows)
    nodes = {u for u, _, _ in rows} | {v for _, v, _ in rows}

    g = read_edgelist(path)
    check_csr(g)
    assert g.stats.fmt == "nethept"
    assert (g.n, g.stats.header_nodes, g.stats.header_edges) == (n_header, 15233, 58891)
    assert len(nodes) <= g.n == 15233
    assert g.stats.lines_read == len(rows) == 58891
    assert g.stats.self_loops_dropped == loops == 39
    assert g.m == len(pairs)
    assert g.stats.parallel_edges_combined == len(rows) - loops - len(pairs)
    # nodes are 0..n-1, so ids equal internal indices
    np.testing.assert_array_equal(g.ids, np.arange(15233))
    got = edge_dict(g)
    assert set(got) == set(pairs)
    expected = {k: 1.0 - np.prod([1.0 - p for p in ps]) for k, ps in pairs.items()}
    keys = list(expected)
    np.testing.assert_allclose([got[k] for k in keys], [expected[k] for k in keys], rtol=1e-12)
    assert rev_edge_dict(g) == got


@pytest.mark.real_data
def test_nethept_lt_combination_adds_weights(real_data):
    path = real_data("nethept/NetHEPT.txt")
    ic = read_edgelist(path)
    lt = read_edgelist(path, combine="lt")
    assert lt.stats.combine == "lt" and lt.m == ic.m
    with open(path) as fh:
        fh.readline()
        sums: dict = defaultdict(float)
        for ln in fh:
            a, b, c = ln.split()
            if a != b:
                sums[(int(a), int(b))] += float(c)
    got = edge_dict(lt)
    keys = list(sums)
    np.testing.assert_allclose([got[k] for k in keys], [sums[k] for k in keys], rtol=1e-12)
    # NetHEPT's weights are 1 / in-degree counting repeats, rounded to 6 digits: LT
    # in-sums are 1 up to rounding (less where self-loops were dropped) and a little over
    # 1 for some nodes, which with_probabilities("lt") repairs
    insum = np.bincount(lt.indices, weights=lt.probs, minlength=lt.n)
    assert insum.max() == pytest.approx(1.0, abs=1e-3)
    fixed = lt.with_probabilities("lt")
    assert np.bincount(fixed.indices, weights=fixed.probs).max() <= 1.0 + 1e-12


@pytest.mark.real_data
def test_ego_facebook_undirected(real_data):
    path = real_data("snap_ego_facebook/facebook_combined.txt")
    with open(path) as fh:
        rows = [tuple(map(int, ln.split())) + (1.0,) for ln in fh if ln.strip()]
    loops, pairs = raw_pairs(rows, undirected=True)
    g = read_edgelist(path, undirected=True)
    check_csr(g)
    assert g.stats.fmt == "snap" and g.stats.undirected
    assert g.n == 4039
    assert g.stats.lines_read == len(rows) == 88234
    assert g.stats.edges_read == 2 * 88234
    assert loops == g.stats.self_loops_dropped == 0
    assert g.m == len(pairs) == 176468
    assert g.stats.probability_model == "unweighted"
    np.testing.assert_array_equal(g.in_degree(), g.out_degree())
    directed = read_edgelist(path, undirected=False)  # the file cannot say which it is
    assert directed.m == 88234 and directed.stats.direction_from == "caller"


@pytest.mark.real_data
def test_slashdot_gzip(real_data):
    path = real_data("snap_soc_slashdot0902/soc-Slashdot0902.txt.gz")
    header_nodes = header_edges = None
    loops = lines = 0
    pairs = set()
    nodes = set()
    with gzip.open(path, "rt") as fh:
        for ln in fh:
            if ln.startswith("#"):
                if "Nodes:" in ln:
                    tok = ln.split()
                    header_nodes = int(tok[tok.index("Nodes:") + 1])
                    header_edges = int(tok[tok.index("Edges:") + 1])
                continue
            a, b = ln.split()
            lines += 1
            nodes.add(a)
            nodes.add(b)
            if a == b:
                loops += 1
            else:
                pairs.add((a, b))
    g = read_edgelist(path)
    check_csr(g)
    assert (g.stats.header_nodes, g.stats.header_edges) == (header_nodes, header_edges)
    assert g.stats.lines_read == lines == header_edges == 948464
    assert g.n == len(nodes) == header_nodes == 82168
    assert g.stats.self_loops_dropped == loops == 78303
    assert g.m == len(pairs)
    assert g.stats.parallel_edges_combined == lines - loops - len(pairs)


# ---------------------------------------------------------------------------- file errors
def test_probability_outside_range_names_file_and_line(tmp_path):
    path = tmp_path / "weighted.txt"
    path.write_text("4 3\n0 1 0.5\n1 2 1.5\n2 3 0.1\n")
    with pytest.raises(GraphError, match=r"weighted\.txt, line 3: probability 1\.5"):
        read_edgelist(path)
    snap = tmp_path / "snap.txt"
    snap.write_text("# a comment\n# another\n0 1 0.2\n\n1 2 -0.1\n")
    with pytest.raises(GraphError, match=r"snap\.txt, line 5: probability -0\.1"):
        read_edgelist(snap, fmt="snap")
    csv = tmp_path / "edges.csv"
    csv.write_text("src,dst,p\na,b,0.3\nb,c,2\n")
    with pytest.raises(GraphError, match=r"edges\.csv, line 3: probability 2\.0"):
        read_edgelist(csv)
    assert issubclass(GraphError, RippleError)


def test_bad_lines_are_reported(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("# c\n0 1 0.5\n1 2 abc\n")
    with pytest.raises(GraphError, match=r"bad\.txt, line 3: expected a probability"):
        read_edgelist(path, fmt="snap")
    short = tmp_path / "short.txt"
    short.write_text("0 1 0.5\n1\n")
    with pytest.raises(GraphError, match=r"short\.txt, line 2"):
        read_edgelist(short, fmt="snap")
    with pytest.raises(GraphError, match="no such graph file"):
        read_edgelist(tmp_path / "missing.txt")
    header = tmp_path / "nohead.csv"
    header.write_text("a,b\n1,2\n")
    with pytest.raises(GraphError, match="'src' and 'dst'"):
        read_edgelist(header)
    with pytest.raises(GraphError, match="unknown graph format"):
        read_edgelist(path, fmt="graphml")


def test_snap_gzip_detection_and_comments(tmp_path):
    path = tmp_path / "g.edges"
    with gzip.open(path, "wt") as fh:
        fh.write("# Nodes: 4 Edges: 5\n# FromNodeId\tToNodeId\n0\t1\n1\t1\n1\t2\n0\t1\n2\t3\n")
    g = read_edgelist(path, undirected=False)  # every line runs low -> high: must be told
    assert g.stats.fmt == "snap"
    assert (g.stats.header_nodes, g.stats.header_edges) == (4, 5)
    assert g.stats.lines_read == 5 and g.stats.self_loops_dropped == 1
    assert g.stats.parallel_edges_combined == 1
    assert g.m == 3 and g.stats.probability_model == "unweighted"
    assert edge_dict(g) == {(0, 1): 1.0, (1, 2): 1.0, (2, 3): 1.0}


def test_csv_with_weight_column_and_string_ids(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("src,dst,weight\nalice,bob,0.5\nbob,carol,0.25\nalice,bob,0.5\n")
    g = read_edgelist(path)
    assert g.stats.fmt == "csv" and g.ids.dtype == object
    assert edge_dict(g) == {("alice", "bob"): 0.75, ("bob", "carol"): 0.25}
    assert read_edgelist(path, combine="lt").probs.tolist() == [1.0, 0.25]


def test_nethept_header_keeps_isolated_nodes(tmp_path):
    path = tmp_path / "h.txt"
    path.write_text("5 2\n0 1 0.5\n1 2 0.5\n")
    g = read_edgelist(path)
    assert g.stats.fmt == "nethept" and g.n == 5
    np.testing.assert_array_equal(g.out_degree(), [1, 1, 0, 0, 0])


# ---------------------------------------------------------------------------- building
def test_parallel_edges_and_self_loops_from_edges():
    g = from_edges(["a", "a", "a", "b", "c"], ["b", "b", "a", "c", "c"], [0.5, 0.5, 0.9, 0.2, 1])
    check_csr(g)
    assert g.stats.self_loops_dropped == 2 and g.stats.parallel_edges_combined == 1
    assert edge_dict(g) == {("a", "b"): 0.75, ("b", "c"): 0.2}
    lt = from_edges(["a", "a"], ["b", "b"], [0.25, 0.5], combine="lt")
    assert edge_dict(lt) == {("a", "b"): 0.75}
    with pytest.raises(GraphError, match="combine"):
        from_edges([1], [2], combine="max")


def test_undirected_counts_a_loop_once():
    g = from_edges([1, 2, 3], [2, 2, 1], undirected=True)
    assert g.stats.self_loops_dropped == 1
    assert g.stats.edges_read == 6
    # 1-2 and 3-1 in both directions
    assert set(edge_dict(g)) == {(1, 2), (2, 1), (3, 1), (1, 3)}


def test_probability_errors_from_edges():
    with pytest.raises(GraphError, match=r"edge 2 \('y' -> 'z'\): probability 1\.5"):
        from_edges(["x", "y"], ["y", "z"], [0.5, 1.5])
    with pytest.raises(GraphError, match="probability nan"):
        from_edges([0], [1], [float("nan")])
    with pytest.raises(GraphError, match="equally long"):
        from_edges([0, 1], [1])
    with pytest.raises(GraphError, match="not in ids"):
        from_edges([0], [9], ids=[0, 1])


def test_reverse_csr_matches_forward_on_random_graph():
    rng = np.random.default_rng(7)
    src = rng.integers(0, 40, size=400)
    dst = rng.integers(0, 40, size=400)
    p = rng.random(400)
    g = from_edges(src, dst, p)
    check_csr(g)
    assert rev_edge_dict(g) == edge_dict(g)
    # each row of both CSRs is sorted
    for u in range(g.n):
        row = g.indices[g.indptr[u] : g.indptr[u + 1]]
        assert np.all(np.diff(row) > 0)
        col = g.rev_indices[g.rev_indptr[u] : g.rev_indptr[u + 1]]
        assert np.all(np.diff(col) > 0)


def test_id_mapping_round_trip():
    ids = ["weibo:9", "x:alice", "x:bob", "weibo:10"]
    g = from_edges(["x:alice", "x:bob", "weibo:9"], ["x:bob", "weibo:10", "x:alice"])
    assert sorted(g.ids.tolist()) == sorted(ids)
    idx = g.index_of(ids)
    assert g.id_of(idx).tolist() == ids
    assert g.index_of("x:bob").tolist() == [idx[2]]
    with pytest.raises(GraphError, match="unknown node id 'x:carol'"):
        g.index_of(["x:alice", "x:carol"])
    with pytest.raises(GraphError, match="outside"):
        g.id_of([17])
    explicit = from_edges([5, 7], [7, 9], ids=[9, 7, 5, 11])
    assert explicit.ids.tolist() == [9, 7, 5, 11] and explicit.n == 4
    assert explicit.index_of([5, 11]).tolist() == [2, 3]
    sparse = from_edges([10**12, 3], [3, 10**12 + 1])
    assert sparse.ids.tolist() == [3, 10**12, 10**12 + 1]
    with pytest.raises(GraphError, match="unknown node id 4"):
        sparse.index_of(4)


# ---------------------------------------------------------------------------- models
def diamond() -> Graph:
    return from_edges(["a", "a", "b", "c", "a"], ["b", "c", "d", "d", "d"], [0.2, 0.4, 0.6, 0.8, 1])


def test_weighted_cascade_uses_distinct_in_neighbours():
    g = from_edges([0, 0, 1, 2], [1, 1, 2, 1], [0.3, 0.3, 0.3, 0.3]).with_probabilities("wc")
    assert g.stats.probability_model == "wc"
    # node 1 has the distinct in-neighbours {0, 2} (the repeated 0 -> 1 counts once)
    assert edge_dict(g) == {(0, 1): 0.5, (2, 1): 0.5, (1, 2): 1.0}
    check_csr(g)


def test_constant_trivalency_given():
    g = diamond()
    c = g.with_probabilities("constant:0.01")
    assert np.all(c.probs == 0.01) and np.all(c.rev_probs == 0.01)
    assert c.stats.probability_model == "constant:0.01"
    t1 = g.with_probabilities("trivalency", random_state=3)
    t2 = g.with_probabilities("trivalency", random_state=3)
    np.testing.assert_array_equal(t1.probs, t2.probs)
    assert set(t1.probs.tolist()) <= set(TRIVALENCY_VALUES)
    big = from_edges(np.arange(300), np.arange(1, 301)).with_probabilities("trivalency")
    assert set(big.probs.tolist()) == set(TRIVALENCY_VALUES)
    back = c.with_probabilities("given")
    np.testing.assert_array_equal(back.probs, g.probs)
    assert back.stats.probability_model == "given"
    check_csr(t1)
    with pytest.raises(GraphError, match="outside"):
        g.with_probabilities("constant:1.5")
    with pytest.raises(GraphError, match="constant:p"):
        g.with_probabilities("constant")
    with pytest.raises(GraphError, match="unknown probability model"):
        g.with_probabilities("pagerank")


def test_lt_normalisation():
    g = diamond().with_probabilities("lt")
    insum = np.bincount(g.indices, weights=g.probs, minlength=g.n)
    # d had 0.6 + 0.8 + 1.0 = 2.4 coming in; b and c stay as they were
    d = g.index_of("d")[0]
    assert insum[d] == pytest.approx(1.0)
    e = edge_dict(g)
    assert e[("b", "d")] == pytest.approx(0.6 / 2.4) and e[("a", "b")] == 0.2
    unweighted = from_edges([0, 1, 2], [3, 3, 3]).with_probabilities("lt")
    assert unweighted.probs.tolist() == pytest.approx([1 / 3] * 3)


def test_read_edgelist_probability_argument(tmp_path):
    path = tmp_path / "g.txt"
    path.write_text("0 1\n1 2\n0 2\n")
    assert np.all(read_edgelist(path, undirected=False, probability=0.1).probs == 0.1)
    wc = read_edgelist(path, undirected=False, probability="wc")
    assert edge_dict(wc) == {(0, 1): 1.0, (1, 2): 0.5, (0, 2): 0.5}


# ---------------------------------------------------------------------------- workspace
def test_from_workspace_direction(workspace):
    workspace.con.execute(
        "INSERT INTO follows (src_account_id, dst_account_id, weight, import_id, source_row) "
        "VALUES ('x:fan', 'x:brand', 0.3, 1, 2), ('x:fan2', 'x:brand', 0.5, 1, 3), "
        "('x:brand', 'x:kol', 0.1, 1, 4)"
    )
    g = from_workspace(workspace)
    assert g.stats.fmt == "workspace"
    # src follows dst, so influence flows dst -> src
    assert edge_dict(g) == {("x:brand", "x:fan"): 0.3, ("x:brand", "x:fan2"): 0.5,
                            ("x:kol", "x:brand"): 0.1}  # fmt: skip
    assert g.out_degree()[g.index_of("x:brand")[0]] == 2
    wc = from_workspace(workspace, probability="wc")
    assert edge_dict(wc)[("x:kol", "x:brand")] == 1.0


def test_from_workspace_weights(workspace):
    workspace.con.execute(
        "INSERT INTO follows (src_account_id, dst_account_id, weight, import_id, source_row) "
        "VALUES ('a', 'b', NULL, 1, 2), ('c', 'b', NULL, 1, 3)"
    )
    g = from_workspace(workspace)
    assert g.stats.probability_model == "unweighted" and np.all(g.probs == 1.0)
    workspace.con.execute(
        "INSERT INTO follows (src_account_id, dst_account_id, weight, import_id, source_row) "
        "VALUES ('d', 'b', 0.5, 2, 7)"
    )
    with pytest.raises(GraphError, match="import 1, row 2: weight is empty"):
        from_workspace(workspace)
    workspace.con.execute("DELETE FROM follows WHERE weight IS NULL")
    workspace.con.execute(
        "INSERT INTO follows (src_account_id, dst_account_id, weight, import_id, source_row) "
        "VALUES ('e', 'b', 1.5, 2, 8)"
    )
    with pytest.raises(GraphError, match=r"import 2, row 8: probability 1\.5"):
        from_workspace(workspace)
