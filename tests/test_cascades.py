"""Cascade reconstruction and metrics: hand-computed trees, anomalies, networkx as oracle."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from ripplemeter.errors import CascadeError
from ripplemeter.network import cascades as cz

CHAIN = np.array([-1, 0, 1, 2, 3])  # 0-1-2-3-4
STAR = np.array([-1, 0, 0, 0, 0])
# broom: a handle 0-1-2 and bristles 3, 4, 5 on node 2
BROOM = np.array([-1, 0, 1, 2, 2, 2])


# ----------------------------------------------------------------------------- one tree
@pytest.mark.parametrize(
    ("parent", "depth", "breadth", "sv", "wiener", "broadcast"),
    [
        (CHAIN, 4, [1, 1, 1, 1, 1], 2.0, 20, 0.25),  # (n + 1) / 3 = 2
        (STAR, 1, [1, 4], 1.6, 16, 1.0),  # 2 (n - 1) / n = 1.6
        (BROOM, 3, [1, 1, 1, 3], 28 / 15, 28, 0.2),
        (np.array([-1]), 0, [1], 0.0, 0, math.nan),
    ],
)
def test_hand_computed(parent, depth, breadth, sv, wiener, broadcast):
    assert cz.cascade_size(parent) == parent.size
    assert cz.depth(parent) == depth
    assert cz.breadth_per_level(parent).tolist() == breadth
    assert cz.max_breadth(parent) == (max(breadth[1:]) if len(breadth) > 1 else 0)
    assert cz.wiener_index(parent) == wiener
    assert cz.structural_virality(parent) == pytest.approx(sv, abs=1e-12)
    got = cz.broadcast_share(parent)
    assert (math.isnan(got) and math.isnan(broadcast)) or got == pytest.approx(broadcast)


def test_subtree_sizes_and_depths_any_order():
    # the broom with its nodes listed children first
    parent = np.array([1, 2, -1, 1, 1, 2])  # root 2; 1 under 2; 0, 3, 4 under 1; 5 under 2
    assert cz.subtree_sizes(parent).tolist() == [1, 4, 6, 1, 1, 1]
    assert cz.node_depths(parent).tolist() == [2, 1, 0, 2, 2, 1]


@pytest.mark.parametrize(
    ("parent", "words"),
    [
        (np.array([0, 0]), "exactly one root"),
        (np.array([-1, -1]), "exactly one root"),
        (np.array([-1, 2, 1]), "cycle"),
        (np.array([-1, 5]), "not a node index"),
        (np.array([-1.0, 0.0]), "integers"),
        (np.array([], dtype=int), "empty"),
    ],
)
def test_not_a_tree(parent, words):
    with pytest.raises(CascadeError, match=words):
        cz.structural_virality(parent)


def test_times():
    t = np.array([0.0, 10, 20, 30, 40, 50, 60, 70, 80, 90])
    assert cz.time_to_fraction(t, 0.5) == 40  # 5 of 10 nodes at t=40
    assert cz.time_to_fraction(t, 0.9) == 80
    assert math.isnan(cz.time_to_fraction(np.array([0.0, np.nan]), 0.5))
    ts, size = cz.growth_curve(np.array([0.0, 5, 5, np.nan, 2]))
    assert ts.tolist() == [0, 2, 5] and size.tolist() == [1, 2, 4]
    with pytest.raises(ValueError):
        cz.time_to_fraction(t, 0)


# ----------------------------------------------------------------------------- networkx
def random_tree(n: int, seed: int) -> np.ndarray:
    """A random recursive tree, its node labels shuffled (parents not before children)."""
    rng = np.random.default_rng(seed)
    parent = np.array([-1] + [int(rng.integers(0, i)) for i in range(1, n)])
    perm = rng.permutation(n)  # new label of old node
    out = np.empty(n, np.int64)
    out[perm] = np.where(parent >= 0, perm[np.maximum(parent, 0)], -1)
    return out


@pytest.mark.parametrize(("n", "seed"), [(200, 1), (777, 2), (2000, 3)])
def test_against_networkx(n, seed):
    parent = random_tree(n, seed)
    g = nx.DiGraph((int(p), i) for i, p in enumerate(parent) if p >= 0)
    root = int(np.flatnonzero(parent == -1)[0])
    dist = nx.shortest_path_length(g, root)
    assert cz.depth(parent) == max(dist.values())
    levels = np.bincount(list(dist.values()))
    assert cz.breadth_per_level(parent).tolist() == levels.tolist()
    assert cz.node_depths(parent).tolist() == [dist[i] for i in range(n)]
    u = g.to_undirected()
    assert cz.wiener_index(parent) == int(nx.wiener_index(u))
    assert cz.structural_virality(parent) == pytest.approx(
        nx.average_shortest_path_length(u), rel=1e-12
    )
    assert cz.subtree_sizes(parent).tolist() == [len(nx.descendants(g, i)) + 1 for i in range(n)]
    assert cz.broadcast_share(parent) == pytest.approx(g.out_degree(root) / (n - 1))


def test_cascade_set_matches_networkx_on_many_trees():
    frames, expected = [], {}
    for k, (n, seed) in enumerate([(200, 4), (500, 5), (1500, 6), (1, 7)]):
        parent = random_tree(n, seed)
        ids = np.array([f"c{k}-{i}" for i in range(n)], dtype=object)
        frames.append(
            pd.DataFrame({"post_id": ids, "parent_id": np.where(parent >= 0, ids[parent], None)})
        )
        u = nx.Graph((int(p), i) for i, p in enumerate(parent) if p >= 0)
        u.add_nodes_from(range(n))
        root = ids[parent == -1][0]
        expected[root] = (n, 0.0 if n == 1 else nx.average_shortest_path_length(u))
    cs = cz.build_cascades(pd.concat(frames, ignore_index=True).sample(frac=1, random_state=0))
    mf = cs.metrics_frame().set_index("root_id")
    assert len(cs) == 4 and cs.summary["orphans"] == 0
    for root, (n, sv) in expected.items():
        assert mf.loc[root, "size"] == n
        assert mf.loc[root, "structural_virality"] == pytest.approx(sv, rel=1e-12)
        c = cs[root]
        assert mf.loc[root, "depth"] == cz.depth(c.parent)
        assert mf.loc[root, "max_breadth"] == cz.max_breadth(c.parent)


# ----------------------------------------------------------------------------- anomalies
def _t(minutes):
    return None if minutes is None else pd.Timestamp("2026-03-01") + pd.Timedelta(minutes=minutes)


def anomalous_frame() -> pd.DataFrame:
    rows = [
        # post, parent, root_id, account, minute
        ("r", None, None, "brand", 0),
        ("a", "r", "r", "kol", 10),
        ("b", "a", "r", "fan1", 12),
        ("c", "a", "r", "fan2", 5),  # timed before its parent a
        ("d", "r", "r", "fan3", 30),
        ("b", "a", "r", "fan1", 12),  # exact duplicate
        ("d", "r", "r", "fan3", 31),  # duplicate, different time
        ("x", "gone", "r", "fan4", 40),  # parent missing: fragment x <- y, attributed to r
        ("y", "x", None, "fan5", 41),
        ("p", "q", "r", "fan6", None),  # cycle p <-> q, cut at p (first in input)
        ("q", "p", None, "fan7", None),
        ("s", "s", None, "fan8", None),  # names itself: a cycle, no root claimed
        ("o", "nowhere", "other", "fan9", 50),  # fragment claiming a root not in the data
        ("r2", None, None, "rival", 100),
        ("e", "r2", "r2", "kol", 101),
    ]
    return pd.DataFrame(
        {
            "post_id": [r[0] for r in rows],
            "parent_id": [r[1] for r in rows],
            "root_id": [r[2] for r in rows],
            "account_id": [r[3] for r in rows],
            "created_at": pd.to_datetime([_t(r[4]) for r in rows]),
            "kind": ["original" if r[1] is None else "repost" for r in rows],
        }
    )


def test_anomalies_counted_exactly():
    cs = cz.build_cascades(anomalous_frame())
    assert cs.summary == {
        "rows": 15,
        "no_id": 0,
        "nodes": 13,
        "cascades": 2,
        "cascade_nodes": 7,
        "duplicates": 2,
        "duplicates_differing": 1,
        "orphans": 2,
        "orphan_nodes": 3,
        "cycles": 2,
        "cycle_nodes": 3,
        "nodes_on_cycles": 3,
        "self_parents": 1,
        "attributed_fragments": 2,
        "unattributed_fragments": 2,
        "unattributed_nodes": 2,
        "before_parent": 1,
        "times_unknown": 3,
    }
    # nodes = cascade nodes + fragment nodes: nothing dropped
    assert cs.summary["nodes"] == cs.summary["cascade_nodes"] + int(cs.fragments["size"].sum())
    frag = cs.fragments.set_index("head_id")
    assert frag.loc["x"].to_dict() == {
        "parent_id": "gone",
        "reason": "missing_parent",
        "size": 2,
        "depth": 1,
        "root_id": "r",
    }
    assert frag.loc["p", "reason"] == "cycle" and frag.loc["p", "parent_id"] == "q"
    assert frag.loc["p", "size"] == 2 and frag.loc["p", "root_id"] == "r"
    assert frag.loc["s", "reason"] == "cycle" and pd.isna(frag.loc["s", "root_id"])
    assert pd.isna(frag.loc["o", "root_id"])  # 'other' is not a root in the data
    assert cs.before_parent.to_dict("records") == [
        {"post_id": "c", "parent_id": "a", "root_id": "r", "time": 300.0, "parent_time": 600.0}
    ]
    assert cs.duplicates.set_index("post_id").to_dict("index") == {
        "b": {"repeats": 1, "differing": 0},
        "d": {"repeats": 1, "differing": 1},
    }
    mf = cs.metrics_frame().set_index("root_id")
    r = mf.loc["r"]
    # the tree of r is r -> a -> {b, c}, r -> d: the fragments add nothing to it
    assert (r["size"], r["depth"], r["max_breadth"]) == (5, 2, 2)
    assert r["broadcast_share"] == 0.5
    assert (r["orphans"], r["orphan_nodes"], r["cycles"], r["cycle_nodes"]) == (1, 2, 1, 2)
    assert (r["duplicates"], r["duplicates_differing"], r["before_parent"]) == (2, 1, 1)
    assert r["anomalies"] == 1 + 1 + 2 + 1
    assert r["t50"] == 600.0 and r["t90"] == 1800.0  # times 0, 5, 10, 12, 30 minutes
    assert mf.loc["r2", "size"] == 2 and mf.loc["r2", "anomalies"] == 0
    assert mf.loc["r", "reposts"] == 4 and mf.loc["r", "comments"] == 0


def test_cycle_cut_is_deterministic():
    df = pd.DataFrame({"post_id": ["b", "c", "a"], "parent_id": ["a", "b", "c"]})
    cs = cz.build_cascades(df)
    assert cs.fragments["head_id"].tolist() == ["b"]  # first of the cycle in input order
    assert cs.fragments["parent_id"].tolist() == ["a"]
    assert cs.summary["cycles"] == 1 and cs.summary["nodes_on_cycles"] == 3


def test_delays_and_unknown_times():
    df = pd.DataFrame(
        {
            "post_id": ["u0", "u1", "u2", "u3"],
            "parent_id": [None, "u0", "u1", "u0"],
            "delay_seconds": [0.0, 60.0, 30.0, 120.0],
        }
    )
    cs = cz.build_cascades(df)
    mf = cs.metrics_frame()
    assert mf["t50"].tolist() == [30.0] and mf["t90"].tolist() == [120.0]
    assert cs.summary["before_parent"] == 1  # u2 at 30 s under u1 at 60 s
    df2 = df.assign(delay_seconds=[0.0, 60.0, None, 120.0])
    mf2 = cz.build_cascades(df2).metrics_frame()
    assert math.isnan(mf2["t50"].iloc[0]) and mf2["times_unknown"].iloc[0] == 1


def test_key_spreaders_and_secondary_sources():
    df = pd.DataFrame(
        {
            "post_id": ["r", "a", "b", "c", "d", "e", "f", "R", "g", "h"],
            "parent_id": [None, "r", "a", "a", "b", "r", "e", None, "R", "g"],
            "account_id": ["brand", "kol", "fan", "fan", "x", "kol", "y", "brand2", "kol", "z"],
        }
    )
    cs = cz.build_cascades(df)
    ks = cs.key_spreaders(2)
    assert ks[ks.root_id == "r"][
        ["account_id", "carried", "reposts", "post_id"]
    ].values.tolist() == [
        ["kol", 3, 2, "a"],
        ["fan", 1, 2, "b"],
    ]
    overall = cs.key_spreaders(3, overall=True)
    assert overall[["account_id", "carried", "cascades"]].values.tolist()[0] == ["kol", 4, 2]
    ss = cs.secondary_sources(10)
    assert ss[ss.root_id == "r"][["post_id", "direct_reposts", "subtree_size"]].values.tolist() == [
        ["a", 2, 4],
        ["e", 1, 2],  # a tie: breadth-first order, e (depth 1) before b (depth 2)
        ["b", 1, 2],
    ]
    assert cs.secondary_sources(1, overall=True)["post_id"].tolist() == ["a"]


def test_views_and_frames():
    cs = cz.build_cascades(anomalous_frame())
    c = cs["r"]
    assert c.ids[0] == "r" and c.parent[0] == -1 and len(c) == 5
    assert (c.parent[1:] < np.arange(1, 5)).all()  # parents before children
    assert c.fragments["head_id"].tolist() == ["x", "p"]
    bf = cs.breadth_frame()
    assert bf[bf.root_id == "r"]["breadth"].tolist() == [1, 2, 2]
    gc = cs.growth_curve("r")
    assert gc["size"].tolist() == [1, 2, 3, 4, 5]
    nf = cs.node_frame()
    assert len(nf) == cs.summary["nodes"] and nf["in_cascade"].sum() == 7
    with pytest.raises(KeyError):
        cs["x"]


def test_missing_columns_and_ids():
    with pytest.raises(CascadeError, match="parent_id"):
        cz.build_cascades(pd.DataFrame({"post_id": ["a"]}))
    cs = cz.build_cascades(pd.DataFrame({"post_id": ["a", None], "parent_id": [None, "a"]}))
    assert cs.summary["no_id"] == 1 and cs.summary["nodes"] == 1


def test_integer_ids():
    cs = cz.build_cascades(pd.DataFrame({"post_id": [1, 2, 3], "parent_id": [None, 1, 2]}))
    assert cs.metrics_frame()["depth"].tolist() == [2]
