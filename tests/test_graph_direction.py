"""Graph files read as what they are (issue 7, item 8): SNAP direction comments obeyed, a
plain once-per-pair edge list refused until told, the ``n m`` count header of the
IMM/OPIM/SUBSIM inputs read as a header, node lists and id lists with headers."""

from __future__ import annotations

import gzip
import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from ripplemeter.cli import app
from ripplemeter.errors import GraphError
from ripplemeter.formats.graph_files import AmbiguousDirection, read_edgelist, read_id_list
from ripplemeter.network.seedgraph import seeding_graph


def run(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


def one_line_error(res) -> str:
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1, res.output
    return lines[0]


# ----------------------------------------------------------------------------- ego-Facebook
@pytest.mark.real_data
def test_ego_facebook_must_be_told_its_direction(real_data):
    path = real_data("snap_ego_facebook/facebook_combined.txt")
    # the rule's premise, counted here: every line has u < v, hence no pair both ways
    pairs = np.loadtxt(path, dtype=np.int64)
    assert (pairs[:, 0] < pairs[:, 1]).all()
    with pytest.raises(AmbiguousDirection):
        read_edgelist(path)
    line = one_line_error(run("seeds", path, "--k", "5"))
    assert line.startswith("error: facebook_combined.txt:")
    assert "--undirected" in line and "--directed" in line
    assert read_edgelist(path, undirected=True).m == 2 * len(pairs)
    assert read_edgelist(path, undirected=False).m == len(pairs)


def _networkx_ic_reference(path, seeds, runs, rng):
    """Expected IC spread on ego-Facebook read by networkx as the friendship graph it is,
    with weighted-cascade probabilities p(u -> v) = 1 / degree(v); plain-Python cascades."""
    import networkx as nx

    friends = nx.read_edgelist(path, nodetype=int, create_using=nx.Graph)
    nbrs = {u: np.fromiter(friends.neighbors(u), dtype=np.int64) for u in friends}
    deg = dict(friends.degree())
    probs = {u: 1.0 / np.array([deg[v] for v in nbrs[u]]) for u in friends}
    sizes = np.empty(runs)
    for r in range(runs):
        active = set(seeds)
        frontier = list(seeds)
        while frontier:
            nxt = []
            for u in frontier:
                hit = nbrs[u][rng.random(nbrs[u].size) < probs[u]]
                for v in hit.tolist():
                    if v not in active:
                        active.add(v)
                        nxt.append(v)
            frontier = nxt
        sizes[r] = len(active)
    return friends, sizes.mean(), sizes.std(ddof=1) / math.sqrt(runs)


@pytest.mark.real_data
def test_ego_facebook_undirected_spread_matches_a_networkx_reference(real_data):
    path = real_data("snap_ego_facebook/facebook_combined.txt")
    res = run("seeds", path, "--k", "10", "--undirected", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    friends, ref_mean, ref_se = _networkx_ic_reference(
        path, doc["seeds"], 400, np.random.default_rng(11)
    )
    assert doc["graph"] == {
        "nodes": friends.number_of_nodes(),
        "edges": 2 * friends.number_of_edges(),
    }
    assert doc["probability"] == "wc"
    ours = doc["spread"]
    assert abs(ours["mean"] - ref_mean) <= 4 * math.hypot(ours["stderr"], ref_se)
    # read one way instead, the same seeds reach clearly more (the silent error of before)
    g, _ = seeding_graph(path, undirected=False)
    from ripplemeter.network.diffusion import estimate_spread

    one_way = estimate_spread(g, doc["seeds"], runs=None, random_state=3)
    assert one_way.mean > ref_mean + 10 * math.hypot(one_way.stderr, ref_se)


# ----------------------------------------------------------------------------- SNAP headers
@pytest.mark.real_data
def test_slashdot_header_keeps_it_directed(real_data):
    path = real_data("snap_soc_slashdot0902/soc-Slashdot0902.txt.gz")
    with gzip.open(path, "rt") as fh:
        first = fh.readline()
    assert first.startswith("# Directed graph (each unordered pair of nodes is saved once)")
    pairs = np.loadtxt(path, dtype=np.int64, comments="#")
    loops = int((pairs[:, 0] == pairs[:, 1]).sum())
    g = read_edgelist(path)
    assert g.stats.direction_from == "header" and not g.stats.undirected
    # every line is one directed edge (the lines are distinct), self-loops dropped
    assert g.m == len(pairs) - loops == 948464 - 78303
    assert g.stats.notes == ()
    # a flag still wins, and the reader is told that it overrode the header
    both = read_edgelist(path, undirected=True)
    assert both.stats.undirected and both.stats.direction_from == "caller"
    assert both.stats.notes == (
        "soc-Slashdot0902.txt.gz: the file's header says it is a directed graph; read in "
        "both directions as asked",
    )


def test_snap_undirected_comment_is_obeyed(tmp_path):
    path = tmp_path / "ca.txt"
    path.write_text("# Undirected graph: ca.txt\n# Nodes: 3 Edges: 2\n0 1\n1 2\n")
    g = read_edgelist(path)
    assert g.stats.undirected and g.stats.direction_from == "header"
    assert sorted(map(tuple, g.edges()[["src", "dst"]].to_numpy().tolist())) == [
        (0, 1),
        (1, 0),
        (1, 2),
        (2, 1),
    ]
    directed = read_edgelist(path, undirected=False)
    assert directed.m == 2 and "says it is an undirected graph" in directed.stats.notes[0]


@pytest.mark.real_data
def test_nethept_stays_as_it_was_read(real_data):
    g = read_edgelist(real_data("nethept/NetHEPT.txt"))
    assert g.stats.fmt == "nethept" and not g.stats.undirected
    assert g.stats.direction_from == "format" and g.stats.notes == ()
    assert (g.n, g.m) == (15233, 32213)  # PROVENANCE: 32,235 pairs less 22 distinct loops


def test_lines_both_ways_are_a_directed_list(tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_text("0 2\n2 1\n0 1\n")  # 2 -> 1 runs against the others
    g = read_edgelist(path)
    assert g.stats.fmt == "snap" and g.stats.direction_from == "lines"
    assert (g.n, g.m) == (3, 3)


def test_one_way_text_ids_are_ambiguous_too(tmp_path):
    path = tmp_path / "names.txt"
    path.write_text("ann bob\nbob cat\n")
    with pytest.raises(AmbiguousDirection, match="names.txt: every line lists the smaller"):
        read_edgelist(path)
    desc = tmp_path / "desc.txt"
    desc.write_text("9 3\n7 2\n")
    with pytest.raises(AmbiguousDirection, match="lists the larger id first"):
        read_edgelist(desc)


# ----------------------------------------------------------------------------- n m header
def test_count_header_of_a_two_column_file(tmp_path):
    path = tmp_path / "subsim.txt"
    path.write_text("5 4\n0 1\n1 2\n2 3\n0 3\n")  # node 4 has no edge
    g = read_edgelist(path)
    assert g.stats.fmt == "nethept"
    assert (g.stats.header_nodes, g.stats.header_edges) == (5, 4)
    assert g.ids.tolist() == [0, 1, 2, 3, 4]  # no phantom nodes 5 and 4 -> 5 edge
    assert g.m == 4 and g.stats.lines_read == 4 and g.stats.notes == ()
    assert g.stats.direction_from == "format" and not g.stats.undirected


def test_count_header_that_disagrees_is_still_a_header_and_said(tmp_path):
    m_wrong = tmp_path / "m.txt"
    m_wrong.write_text("3 5\n0 1\n1 2\n2 0\n")
    g = read_edgelist(m_wrong)
    assert (g.n, g.m) == (3, 3)
    assert g.stats.notes == (
        "m.txt: the first line says 5 edges but 3 edge lines follow; all 3 were read",
    )
    n_wrong = tmp_path / "n.txt"
    n_wrong.write_text("2 3\n0 1\n1 2\n2 0\n")
    g = read_edgelist(n_wrong)
    assert (g.n, g.m) == (3, 3)
    assert g.stats.notes == (
        "n.txt: the first line says 2 nodes but the ids run from 0 to 2; the 3 ids found were kept",
    )
    one_based = tmp_path / "one.txt"
    one_based.write_text("3 3\n1 2\n2 3\n3 1\n")  # ids 1 .. n
    g = read_edgelist(one_based)
    assert g.stats.fmt == "nethept" and g.stats.notes == ()
    assert g.ids.tolist() == [1, 2, 3] and g.m == 3
    isolated = tmp_path / "iso.txt"
    isolated.write_text("4 3\n1 2\n2 3\n3 1\n")  # ids within 0 .. n-1: node 0 has no edge
    assert read_edgelist(isolated).ids.tolist() == [0, 1, 2, 3]


def test_a_first_edge_is_not_mistaken_for_counts(tmp_path):
    path = tmp_path / "edges.txt"
    path.write_text("0 2\n2 1\n1 0\n")  # '0 2': 2 lines follow, but both ids are nodes
    g = read_edgelist(path)
    assert g.stats.fmt == "snap" and g.m == 3


@pytest.mark.real_data
def test_nethept_rewritten_in_the_two_column_layout_gives_the_same_graph(real_data, tmp_path):
    src = real_data("nethept/NetHEPT.txt")
    lines = src.read_text().splitlines()
    two = tmp_path / "nethept_imm.txt"
    two.write_text("\n".join([lines[0]] + [" ".join(ln.split()[:2]) for ln in lines[1:]]) + "\n")
    a, b = read_edgelist(src), read_edgelist(two)
    assert b.stats.fmt == "nethept" and b.stats.notes == ()
    assert a.n == b.n == 15233
    np.testing.assert_array_equal(a.indptr, b.indptr)
    np.testing.assert_array_equal(a.indices, b.indices)


def test_cli_prints_count_notes(tmp_path):
    path = tmp_path / "m.txt"
    path.write_text("4 9\n0 1\n1 2\n2 3\n3 0\n")
    res = run("seeds", path, "--k", "1", "--mc-runs", "0")
    assert res.exit_code == 0, res.output
    assert "m.txt: the first line says 9 edges but 4 edge lines follow" in res.output


# ----------------------------------------------------------------------------- node lists
EDGES = "src,dst\n1,2\n1,3\n1,4\n2,5\n"  # a small directed tree: 1 reaches everyone


def test_nodes_file_brings_isolated_accounts_in(tmp_path):
    graph = tmp_path / "g.csv"
    graph.write_text(EDGES)
    nodes = tmp_path / "nodes.txt"
    nodes.write_text("account_id\n1\n7\n8\n")
    g, notes = seeding_graph(graph, nodes=nodes)
    assert g.n == 7 and g.ids.tolist()[-2:] == [7, 8] and g.stats.nodes_added == 2
    assert g.out_degree()[-2:].tolist() == [0, 0] and g.m == 4
    assert notes[0] == (
        "2 account(s) of the node list have no edges in the graph; they can be chosen but "
        "reach only themselves"
    )
    cands = tmp_path / "cands.txt"
    cands.write_text("kol\n2\n7\n")  # a header line, then one connected and one isolated
    res = run(
        "seeds",
        graph,
        "--k",
        "2",
        "--nodes",
        nodes,
        "--candidates",
        cands,
        "--json",
        "--probability",
        "constant:1",
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    # 2 reaches itself and 5; the isolated 7 is the only other candidate
    assert doc["seeds"] == [2, 7]
    assert doc["spread"]["mean"] == 3.0 and doc["graph"]["nodes"] == 7


def test_isolated_accounts_are_the_only_way_to_use_the_budget(tmp_path):
    graph = tmp_path / "g.csv"
    graph.write_text(EDGES)
    nodes = tmp_path / "nodes.csv"
    nodes.write_text("id,name\n7,Ada\n8,Bo\n")
    costs = tmp_path / "costs.csv"
    costs.write_text("id,cost\n1,5\n2,5\n7,1\n8,1\n")
    args = ["seeds", graph, "--costs", costs, "--budget", "7", "--json"]
    args += ["--probability", "constant:1", "--mc-runs", "500"]
    without = json.loads(run(*args).stdout)
    assert without["seeds"] == [1] and without["spent"] == 5.0
    assert "2 account(s) of the price list are not in the graph" in without["note"]
    res = run(*args, "--nodes", nodes)
    assert res.exit_code == 0, res.output
    plan = json.loads(res.stdout)
    assert sorted(plan["seeds"]) == [1, 7, 8]
    assert plan["spent"] == 7.0 and plan["spread"]["mean"] == 7.0


def test_candidate_not_in_graph_names_file_line_and_nodes_flag(tmp_path):
    graph = tmp_path / "g.csv"
    graph.write_text(EDGES)
    cands = tmp_path / "cands.txt"
    cands.write_text("id\n2\n\n7\n")
    line = one_line_error(run("seeds", graph, "--k", "1", "--candidates", cands))
    assert line == (
        "error: cands.txt, line 4: account 7 is not in the graph; an account without any "
        "edge can be added with --nodes FILE"
    )


def test_id_lists_with_and_without_headers(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("\ufeffAccount_ID\nx:1\n# a comment\nx:2\n")
    assert read_id_list(f) == (["x:1", "x:2"], [2, 4])
    f.write_text("followers\n11\n12\n")  # any non-number header above whole numbers
    assert read_id_list(f, whole_numbers=True) == ([11, 12], [2, 3])
    f.write_text("11\n12\n")
    assert read_id_list(f, whole_numbers=True) == ([11, 12], [1, 2])
    f.write_text("handle\tfollowers\n@a\t10\n@b\t20\n")
    assert read_id_list(f) == (["@a", "@b"], [2, 3])
    f.write_text("name,followers\nA,1\n")
    with pytest.raises(GraphError, match=r"a.txt, line 1: expected a header naming the id"):
        read_id_list(f)
    f.write_text("11\nx12\n")
    with pytest.raises(GraphError, match=r"a.txt, line 2: 'x12' is not a whole number"):
        read_id_list(f, whole_numbers=True)
