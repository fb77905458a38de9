"""One graph for seeding: a follows CSV read as a graph file and the same rows imported into a
workspace give the same graph, the same probabilities and the same seeds."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from ripplemeter.cli import app
from ripplemeter.errors import GraphError
from ripplemeter.network.graph import from_workspace
from ripplemeter.network.seedgraph import seeding_graph
from ripplemeter.workspace import Workspace

# Influence flows src -> dst (dst follows src). x:c's in-weights sum to 1.5 (LT must
# normalise), x:a -> x:b is listed twice (IC: 1 - 0.6 * 0.7, LT: 0.7), x:e -> x:e is a
# self-loop, and x:h is a hub with twelve followers.
EDGES = [
    ("x:a", "x:b", 0.4),
    ("x:a", "x:c", 0.7),
    ("x:b", "x:c", 0.6),
    ("x:d", "x:c", 0.2),
    ("x:c", "x:e", 0.5),
    ("x:a", "x:b", 0.3),
    ("x:e", "x:e", 0.9),
    ("x:e", "x:a", 0.1),
    ("x:b", "x:f", 0.25),
    *[("x:h", f"x:fan{i}", 0.3) for i in range(12)],
    ("x:fan0", "x:h", 0.05),
]
OTHER = [("y:1", "y:2", 0.5), ("y:2", "y:3", 0.5), ("x:h", "y:1", 0.5)]

CASES = [
    # (weighted source, model, probability, expected probability_model, expected notes)
    (False, "ic", None, "wc", ["weighted cascade"]),
    (False, "lt", None, "wc", ["weighted cascade"]),
    (True, "ic", None, "given", []),
    (True, "lt", None, "lt", ["LT in-weights of 1 node(s) sum to more than 1 (at most 1.5)"]),
    (True, "ic", "constant:0.05", "constant:0.05", []),
    (False, "ic", "constant:0.2", "constant:0.2", []),
    (True, "ic", 0.2, "constant:0.2", []),
    (False, "lt", "lt", "lt", []),
    (True, "lt", "lt", "lt", []),
    (True, "ic", "trivalency", "trivalency", []),
    (True, "ic", "given", "given", []),
    (False, "ic", "given", "unweighted", []),
]


def write_csv(path, edges, *, weighted):
    rows = ["src,dst,p" if weighted else "src,dst"]
    rows += [f"{s},{d},{p}" if weighted else f"{s},{d}" for s, d, p in edges]
    path.write_text("\n".join(rows) + "\n")
    return path


def import_follows(csv, ws_path, *, weighted):
    """`ripplemeter import` with the generic format: a row src,dst means dst follows src."""
    args = ["import", str(csv), "--format", "generic", "--workspace", str(ws_path)]
    args += ["--table", "follows"]
    args += ["--column", "src_account_id=dst", "--column", "dst_account_id=src"]
    if weighted:
        args += ["--column", "weight=p"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    with Workspace(ws_path, read_only=True) as ws:
        log = ws.imports()
    return int(log.loc[log["path"].astype(str).str.endswith(csv.name), "import_id"].iloc[-1])


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    """{weighted: (graph file, workspace file)}."""
    tmp = tmp_path_factory.mktemp("seedgraph")
    out = {}
    for weighted in (False, True):
        tag = "w" if weighted else "u"
        csv = write_csv(tmp / f"follows_{tag}.csv", EDGES, weighted=weighted)
        ws = tmp / f"ws_{tag}.duckdb"
        import_follows(csv, ws, weighted=weighted)
        out[weighted] = (csv, ws)
    return out


def assert_same_graph(a, b):
    assert a.n == b.n and a.m == b.m
    assert a.ids.tolist() == b.ids.tolist()
    for name in ("indptr", "indices", "rev_indptr", "rev_indices", "rev_perm"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    np.testing.assert_array_equal(a.probs, b.probs)
    np.testing.assert_array_equal(a.rev_probs, b.rev_probs)
    np.testing.assert_array_equal(a.given_probs, b.given_probs)
    for name in ("probability_model", "given_model", "combine", "undirected"):
        assert getattr(a.stats, name) == getattr(b.stats, name), name
    for name in ("self_loops_dropped", "parallel_edges_combined", "lines_read", "edges_read"):
        assert getattr(a.stats, name) == getattr(b.stats, name), name


@pytest.mark.parametrize("weighted, model, probability, label, notes", CASES)
def test_file_and_workspace_give_the_same_graph(
    sources, weighted, model, probability, label, notes
):
    csv, ws_path = sources[weighted]
    kw = {"model": model, "probability": probability, "random_state": 3}
    g_file, notes_file = seeding_graph(csv, **kw)
    g_path, notes_path = seeding_graph(ws_path, **kw)
    with Workspace(ws_path, read_only=True) as ws:
        g_ws, notes_ws = seeding_graph(ws, **kw)
    assert_same_graph(g_file, g_ws)
    assert_same_graph(g_file, g_path)
    assert notes_file == notes_ws == notes_path
    assert g_file.stats.probability_model == label
    assert len(notes_file) == len(notes) and all(
        want in got for want, got in zip(notes, notes_file, strict=True)
    )
    assert g_file.stats.self_loops_dropped == 1 and g_file.stats.parallel_edges_combined == 1
    assert g_file.stats.combine == model
    assert g_file.ids.dtype == object  # account ids, text in both


def test_the_rules_by_hand(sources):
    """What the rules do, computed on the edge list directly."""
    csv, _ = sources[True]
    g, _ = seeding_graph(csv)  # IC, given: parallel copies combine to 1 - prod(1 - p)
    e = g.edges().set_index(["src", "dst"])["p"]
    assert e[("x:a", "x:b")] == pytest.approx(1 - 0.6 * 0.7)
    g, _ = seeding_graph(csv, model="lt")  # LT: weights add, then x:c's 1.5 is divided out
    e = g.edges().set_index(["src", "dst"])["p"]
    assert e[("x:a", "x:b")] == pytest.approx(0.7)
    assert e[("x:a", "x:c")] == pytest.approx(0.7 / 1.5)  # 0.7 + 0.6 + 0.2 into x:c
    insum = g.edges().groupby("dst")["p"].sum()
    assert insum.max() <= 1.0 + 1e-12
    csv_u, _ = sources[False]
    g, _ = seeding_graph(csv_u)  # weighted cascade: 1 / distinct in-neighbours
    e = g.edges().set_index(["src", "dst"])["p"]
    assert e[("x:d", "x:c")] == pytest.approx(1 / 3) and e[("x:h", "x:fan3")] == 1.0


def test_undirected_reads_follows_rows_both_ways(sources):
    csv, ws_path = sources[True]
    g_file, _ = seeding_graph(csv, undirected=True)
    g_ws, _ = seeding_graph(ws_path, undirected=True)
    assert_same_graph(g_file, g_ws)
    assert g_ws.stats.undirected and g_ws.m > seeding_graph(ws_path)[0].m


@pytest.mark.parametrize(
    "weighted, extra",
    [
        (False, []),
        (True, []),
        (True, ["--model", "lt"]),
        (False, ["--model", "lt"]),
        (True, ["--probability", "constant:0.3"]),
        (False, ["--probability", "trivalency"]),
        (True, ["--algorithm", "opim-c", "--probability", "wc"]),
    ],
)
def test_seeds_command_same_answer_from_file_and_workspace(sources, weighted, extra):
    csv, ws_path = sources[weighted]
    run = CliRunner().invoke
    base = ["--k", "2", "--json", "--mc-runs", "400", "--seed", "11", *extra]
    docs = []
    for src in (csv, ws_path):
        res = run(app, ["seeds", str(src), *base])
        assert res.exit_code == 0, res.output
        doc = json.loads(res.stdout)
        doc.pop("seconds")
        docs.append(doc)
    assert docs[0] == docs[1]
    assert "x:h" in docs[0]["seeds"]
    assert docs[0]["graph"] == {"nodes": 19, "edges": 20}


def test_import_ids_scope_the_follows_rows(tmp_path):
    csv1 = write_csv(tmp_path / "one.csv", EDGES, weighted=True)
    csv2 = write_csv(tmp_path / "two.csv", OTHER, weighted=True)
    ws_path = tmp_path / "ws.duckdb"
    first = import_follows(csv1, ws_path, weighted=True)
    second = import_follows(csv2, ws_path, weighted=True)
    assert first != second
    with Workspace(ws_path, read_only=True) as ws:
        g_all, _ = seeding_graph(ws)
        g_one, _ = seeding_graph(ws, import_ids=[first])
        g_two, _ = seeding_graph(ws, import_ids=[second], model="lt")
        g_both, _ = seeding_graph(ws, import_ids=[second, first])
        assert from_workspace(ws, import_ids=[second]).m == len(OTHER)
        with pytest.raises(GraphError, match="no follows rows in imports none"):
            seeding_graph(ws, import_ids=[])
        with pytest.raises(GraphError, match=f"no follows rows in imports {second + 7}"):
            seeding_graph(ws, import_ids=[second + 7])
    # the first import alone is exactly the first file
    assert_same_graph(g_one, seeding_graph(csv1)[0])
    assert "y:1" not in set(g_one.ids.tolist()) and g_one.m == len(EDGES) - 2
    # the second alone has none of the first's rows: x:h appears only through y:1
    assert sorted(g_two.ids.tolist()) == ["x:h", "y:1", "y:2", "y:3"]
    assert_same_graph(g_two, seeding_graph(csv2, model="lt")[0])
    assert g_all.m == g_one.m + g_two.m and g_all.n == g_one.n + 3
    assert_same_graph(g_both, g_all)
    with pytest.raises(GraphError, match="not a graph file"):
        seeding_graph(csv1, import_ids=[first])


def test_seeding_graph_errors(tmp_path, workspace):
    with pytest.raises(GraphError, match="unknown diffusion model 'sir'"):
        seeding_graph(tmp_path / "g.csv", model="sir")
    with pytest.raises(GraphError, match="missing.duckdb: no such workspace file"):
        seeding_graph(tmp_path / "missing.duckdb")
    with pytest.raises(GraphError, match="no such graph file"):
        seeding_graph(tmp_path / "missing.txt")
    with pytest.raises(GraphError, match="ws.duckdb: the workspace has no follows rows;"):
        seeding_graph(workspace)
    csv = write_csv(tmp_path / "g.csv", EDGES[:3], weighted=True)
    with pytest.raises(GraphError, match="unknown probability model 'magic'"):
        seeding_graph(csv, probability="magic")


def test_seeds_table_output_in_plain_words(tmp_path):
    """The guarantee and the overlap between seeds are sentences, with no 'RR sets'."""
    # two hubs sharing both followers a and b, probability 1: each hub reaches itself, a
    # and b (3 accounts); together they reach 4, so adding up one by one gives 6
    g = tmp_path / "g.txt"
    g.write_text("# Directed graph\nh1 a 1\nh1 b 1\nh2 a 1\nh2 b 1\n")
    out = CliRunner().invoke(
        app, ["seeds", str(g), "-k", "2", "--probability", "given", "--mc-runs", "100"]
    )
    assert out.exit_code == 0, out.output
    text = " ".join(out.output.split())
    assert "The selection method is proven to choose accounts" in text
    assert "1 in 4" in text  # 4 accounts in the graph
    assert "added up one by one come to 6.0 accounts, but together they reach 4.0" in text
    for jargon in ("RR sets", "w.p.", "shared reach", "1/n^"):
        assert jargon not in text
