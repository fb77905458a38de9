"""The propagation section, its exports and ``ripplemeter cascades``, checked by hand and
against networkx."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
from typer.testing import CliRunner

from ripplemeter.campaign import load_campaign
from ripplemeter.cli import app
from ripplemeter.pipeline import run_report

REPOSTS = """post_id,parent_id,account_id,created_at,text
r1,,brand,2026-03-02 10:00:00,Launch day
a,r1,u1,2026-03-02 10:05:00,rt
b,r1,u2,2026-03-02 10:06:00,rt
c,a,u3,2026-03-02 10:30:00,rt
d,c,u4,2026-03-02 11:00:00,rt
e,c,u5,2026-03-02 12:00:00,rt
f,zz,u6,2026-03-02 12:30:00,orphan
r2,,brand,2026-03-05 09:00:00,Second
g,r2,u1,2026-03-05 09:10:00,rt
r0,,brand,2026-01-05 09:00:00,Before the campaign
h,r0,u7,2026-01-05 09:10:00,rt
"""


@pytest.fixture
def hand(tmp_path):
    (tmp_path / "reposts.csv").write_text(REPOSTS)
    (tmp_path / "campaign.toml").write_text(
        '[campaign]\nname = "Cascades"\nstart = 2026-03-01\nend = 2026-03-31\n'
        '[[sources]]\npath = "reposts.csv"\nformat = "reposts"\nplatform = "weibo"\n'
    )
    res, paths = run_report(load_campaign(tmp_path / "campaign.toml"), tmp_path / "out")
    return res, paths


def test_hand_computed_cascades(hand):
    res, _ = hand
    g = res.value("propagation")
    assert (g["cascades"], g["nodes"], g["outside_window"]) == (2, 8, 1)
    big = g["top"][0]
    assert big["root_id"] == "weibo:r1"
    # r1 -> a -> c -> {d, e}; r1 -> b: 6 posts, 3 hops, levels 2/1/2
    assert (big["size"], big["depth"], big["max_breadth"]) == (6, 3, 2)
    assert big["broadcast_share"] == pytest.approx(2 / 5)
    # half of 6 posts (3) by b at +6 min; 90% (all 6) by e at +2 h
    assert (big["t50"], big["t90"]) == (360, 7200)
    tree = nx.Graph([("r1", "a"), ("r1", "b"), ("a", "c"), ("c", "d"), ("c", "e")])
    assert big["structural_virality"] == pytest.approx(nx.average_shortest_path_length(tree))
    # u1 reposted a (3 posts below it) and g (none): carried 3 over 2 cascades
    assert g["key_spreaders"][0] == {
        "rank": 1,
        "account_id": "weibo:u1",
        "carried": 3,
        "cascades": 2,
        "reposts": 2,
    }
    assert g["anomalies"]["orphans"] == 1  # f names a parent that is not in the data
    assert any("started outside the campaign window" in n for n in res.notes)
    assert res.value("sections.propagation.status") == "ok"


def test_exports_edges_and_gexf(hand):
    _, paths = hand
    names = {p.name for p in paths.extra}
    assert names == {"cascade_edges.csv", "cascades.gexf"}
    out = paths.html.parent
    with open(out / "cascade_edges.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 6  # the reposts of the two cascades in the window
    assert {(r["parent_id"], r["post_id"]) for r in rows} >= {("weibo:c", "weibo:d")}
    g = nx.read_gexf(out / "cascades.gexf")
    assert g["weibo:brand"]["weibo:u1"]["weight"] == 2  # u1 reposted the brand twice
    assert g["weibo:u3"]["weibo:u4"]["weight"] == 1
    root = ET.parse(out / "cascades.gexf").getroot()
    assert root.tag.endswith("gexf") and root.get("version") == "1.3"


def test_report_shows_the_section_with_traceable_numbers(hand):
    _, paths = hand
    html = paths.html.read_text()
    assert 'id="propagation"' in html
    assert 'data-path="propagation.top.0.size" data-value="6"' in html
    assert "chart-cascade-sunburst" in html


# ---------------------------------------------------------------- real cascades
@pytest.mark.real_data
def test_weibo_campaign_from_real_cascades(tmp_path, real_data):
    folder = real_data("weibo_ced_repost_cascades")
    (tmp_path / "campaign.toml").write_text(
        f"""
[campaign]
name = "Weibo cascades"
start = 2010-01-01
end = 2018-12-31
timezone = "Asia/Shanghai"
[[sources]]
path = "{folder}/rumor-repost/1*.json"
format = "weibo-ced"
[propagation]
top_cascades = 5
"""
    )
    camp = load_campaign(tmp_path / "campaign.toml")
    files = [s.path for s in camp.sources]
    assert len(files) >= 5
    res, paths = run_report(camp, tmp_path / "out")
    g = res.value("propagation")
    per = {c["root_id"]: c for c in g["per_cascade"]}
    checked = 0
    for path in files:
        records = json.loads(path.read_text(encoding="utf-8"))
        mid = path.stem.split("_")[1]
        first = {}
        for r in records:  # a repeated mid keeps its first record
            first.setdefault(r["mid"], r)
        tree = nx.Graph()
        tree.add_node(mid)
        for r in first.values():
            tree.add_edge(r["parent"] or mid, r["mid"])
        root = f"weibo:{mid}"
        if root not in per:
            assert len(first) == 0
            continue
        c = per[root]
        assert c["size"] == len(first) + 1, path.name
        depths = nx.single_source_shortest_path_length(tree, mid)
        assert c["depth"] == max(depths.values()), path.name
        levels = {}
        for d in depths.values():
            levels[d] = levels.get(d, 0) + 1
        assert c["max_breadth"] == max(v for k, v in levels.items() if k > 0), path.name
        assert c["structural_virality"] == pytest.approx(nx.average_shortest_path_length(tree)), (
            path.name
        )
        checked += 1
    assert checked >= 5
    html = paths.html.read_text()
    assert 'data-metric="structural_virality"' in html


@pytest.mark.real_data
def test_cascades_command_on_twitter16_matches_networkx(tmp_path, real_data):
    import shutil

    src = real_data("twitter15_16_propagation/twitter16/tree")
    sample = sorted(src.glob("*.txt"))[:12]
    for f in sample:
        shutil.copy(f, tmp_path / f.name)
    out = CliRunner().invoke(
        app, ["cascades", str(tmp_path), "--format", "twitter-trees", "--json"]
    )
    assert out.exit_code == 0, out.output
    got = {c["root_id"]: c for c in json.loads(out.stdout)}
    assert len(got) == len(sample)
    for f in sample:
        # independently: users as nodes; per child the parent rules of the issue are not
        # needed for size (distinct user ids) and are checked in the importer tests
        users = set()
        for line in f.read_text().splitlines():
            left, right = line.split("->")
            child = eval(right)[0]  # noqa: S307 - the file's own list literal
            users.add(child)
        matches = [c for rid, c in got.items() if rid.startswith(f"x:{f.stem}/")]
        assert len(matches) == 1, f.name
        assert matches[0]["size"] == len(users), f.name
        assert matches[0]["structural_virality"] > 0


def test_influence_notable_media_and_seed_shares(tmp_path):
    (tmp_path / "reposts.csv").write_text(REPOSTS)
    (tmp_path / "accounts.csv").write_text(
        "account_id,platform,followers,role\n"
        "brand,weibo,50000,owned\nu1,weibo,900,public\nu2,weibo,120000,media\n"
        "u3,weibo,80000,kol\nu4,weibo,10,public\nu5,weibo,20,public\nu6,weibo,5,public\n"
        "u7,weibo,1,public\n"
    )
    (tmp_path / "campaign.toml").write_text(
        '[campaign]\nname = "Cascades"\nstart = 2026-03-01\nend = 2026-03-31\n'
        '[[sources]]\npath = "reposts.csv"\nformat = "reposts"\nplatform = "weibo"\n'
        '[[sources]]\npath = "accounts.csv"\nformat = "accounts"\n'
        "[propagation]\nnotable_top_share = 0.4\n"
    )
    res, paths = run_report(load_campaign(tmp_path / "campaign.toml"), tmp_path / "out")
    inf = res.value("propagation.influence")
    # participants of the window's cascades: u1 (twice), u2, u3, u4, u5 -> 5 accounts, top
    # 40% = 2 by followers: u2 (120,000, media) and u3 (80,000, kol)
    assert inf["ranked_by"] == "followers" and inf["participants"] == 5
    assert [a["account_id"] for a in inf["notable"]] == ["weibo:u2", "weibo:u3"]
    assert inf["notable"][1]["carried"] == 2  # d and e came through u3's repost c
    assert inf["media"] == [
        {"account_id": "weibo:u2", "first_seconds": 360, "reposts": 1, "carried": 0}
    ]
    # all cascade posts of the window start from the brand: one seed with the whole spread
    assert inf["seeds"] == [{"account_id": "weibo:brand", "cascades": 2, "posts": 8, "share": 1.0}]
    html = paths.html.read_text()
    assert "Media that followed up" in html and "Notable accounts" in html


def test_registered_role_and_known_followers_win_over_a_public_row(tmp_path):
    """An account named twice (a file that calls u2 and u3 the public, with no followers,
    then the accounts file that registers them): the registered role and the known
    followers hold, whichever row is read first, so the result is that of the test above."""
    (tmp_path / "reposts.csv").write_text(REPOSTS)
    (tmp_path / "public.csv").write_text(
        "account_id,platform,followers,role\nu2,weibo,,public\nu3,weibo,,public\n"
    )
    (tmp_path / "accounts.csv").write_text(
        "account_id,platform,followers,role\n"
        "brand,weibo,50000,owned\nu1,weibo,900,public\nu2,weibo,120000,media\n"
        "u3,weibo,80000,kol\nu4,weibo,10,public\nu5,weibo,20,public\nu6,weibo,5,public\n"
        "u7,weibo,1,public\n"
    )
    for first, second in (("public", "accounts"), ("accounts", "public")):
        (tmp_path / "campaign.toml").write_text(
            '[campaign]\nname = "Cascades"\nstart = 2026-03-01\nend = 2026-03-31\n'
            '[[sources]]\npath = "reposts.csv"\nformat = "reposts"\nplatform = "weibo"\n'
            f'[[sources]]\npath = "{first}.csv"\nformat = "accounts"\n'
            f'[[sources]]\npath = "{second}.csv"\nformat = "accounts"\n'
            "[propagation]\nnotable_top_share = 0.4\n"
        )
        res, _ = run_report(load_campaign(tmp_path / "campaign.toml"), tmp_path / f"out-{first}")
        inf = res.value("propagation.influence")
        assert inf["ranked_by"] == "followers", first
        assert [(a["account_id"], a["role"], a["followers"]) for a in inf["notable"]] == [
            ("weibo:u2", "media", 120000),
            ("weibo:u3", "kol", 80000),
        ], first
        assert [a["account_id"] for a in inf["media"]] == ["weibo:u2"], first


def test_real_spread_meets_the_seeding_plan(tmp_path):
    """Generated data: cascades simulated on the demo's follows graph (no shared data set
    has both follows and cascades)."""
    from ripplemeter.pipeline import import_and_evaluate
    from test_section_contract import demo_with_cascades

    res = import_and_evaluate(load_campaign(demo_with_cascades(tmp_path)), tmp_path / "ws.duckdb")
    vp = res.value("propagation.versus_plan")
    assert vp["plan_seeds"] == res.value("seeding.seeds")  # the same plan as the section's
    assert vp["used_seeds"] == ["x:lumentea"]  # every simulated cascade starts at the brand
    keys = [k["account_id"] for k in res.value("propagation.key_spreaders")]  # top 10 shown
    assert len(vp["carriers"]) == len(vp["plan_seeds"])
    assert vp["carriers"][: len(keys)] == keys[: len(vp["carriers"])]
    both = set(vp["plan_seeds"]) & set(vp["carriers"])
    assert vp["overlap"] == sorted(both)
    union = set(vp["plan_seeds"]) | set(vp["carriers"])
    assert vp["jaccard"] == pytest.approx(len(both) / len(union))
    sp = vp["used_seeds_spread"]
    assert 1 <= sp["mean"] <= res.value("seeding.graph.nodes")
    assert sp["ci95"][0] <= sp["mean"] <= sp["ci95"][1]


def test_secondary_sources(hand):
    res, _ = hand
    sec = res.value("propagation.secondary_sources")
    # c drew d and e; a drew c; in the other cascade g drew nothing
    assert [(s["post_id"], s["direct_reposts"]) for s in sec] == [("weibo:c", 2), ("weibo:a", 1)]


def _campaign_of(tmp_path, csv_text: str):
    (tmp_path / "r.csv").write_text(csv_text)
    (tmp_path / "campaign.toml").write_text(
        '[campaign]\nname = "E"\nstart = 2021-08-01\nend = 2021-08-31\n'
        '[[sources]]\npath = "r.csv"\nformat = "reposts"\nplatform = "weibo"\n'
    )
    res, _ = run_report(load_campaign(tmp_path / "campaign.toml"), tmp_path / "out")
    return res


def test_reposts_without_accounts(tmp_path):
    res = _campaign_of(
        tmp_path,
        "post_id,parent_id,created_at\n1,,2021-08-02T10:00:00Z\n2,1,2021-08-02T11:00:00Z\n"
        "3,2,2021-08-02T12:00:00Z\n4,1,2021-08-02T13:00:00Z\n",
    )
    g = res.value("propagation")
    assert (g["cascades"], g["nodes"], g["top"][0]["depth"]) == (1, 4, 2)
    assert g["key_spreaders"] == [] and g["influence"]["notable"] == []


def test_only_fragments_are_counted_not_hidden(tmp_path):
    res = _campaign_of(
        tmp_path,
        "post_id,parent_id,account_id,created_at,text\n2,1,a,2021-08-02 10:00:00,x\n"
        "3,2,b,2021-08-02 11:00:00,x\n5,4,c,2021-08-03 10:00:00,x\n",
    )
    r = res["propagation"]
    assert r.status == "no data"
    assert "3 repost(s) in 2 fragment(s) whose root post is not among the sources" in r.reason


def test_a_root_without_time_takes_its_earliest_repost(tmp_path):
    res = _campaign_of(
        tmp_path,
        "post_id,parent_id,account_id,created_at,text\n1,,brand,,hi\n"
        "2,1,a,2019-01-01 10:00:00,x\n3,1,b,2019-01-02 10:00:00,x\n",
    )
    assert res["propagation"].reason.endswith("(1 started outside it)")


def test_cascades_without_any_time_are_kept_with_a_note(tmp_path):
    res = _campaign_of(tmp_path, "post_id,parent_id,account_id\n1,,a\n2,1,b\n3,2,c\n")
    assert res.value("propagation.cascades") == 1
    assert any("have no time at all" in n for n in res.notes)


def test_sunburst_embeds_only_what_can_be_seen():
    import pandas as pd

    from ripplemeter.report.charts import cascade_sunburst

    n = 5000  # a star: the root and 4,999 direct reposts
    nodes = pd.DataFrame(
        {
            "post_id": [f"p{i}" for i in range(n)],
            "parent_id": [None] + ["p0"] * (n - 1),
            "account_id": [f"a{i}" for i in range(n)],
            "depth": [0] + [1] * (n - 1),
            "subtree_size": [n] + [1] * (n - 1),
        }
    )
    trace = cascade_sunburst(nodes, max_children=12).data[0]
    assert len(trace.ids) == 1 + 12 + 1  # root, 12 largest reposts, one "others" wedge
    assert trace.values[-1] == n - 1 - 12 and trace.labels[-1] == f"{n - 1 - 12} more"


def test_cascades_json_carries_every_metric(tmp_path):
    (tmp_path / "r.csv").write_text(REPOSTS)
    out = CliRunner().invoke(
        app, ["cascades", str(tmp_path / "r.csv"), "--format", "reposts", "--json"]
    )
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert {"broadcast_share", "t50", "t90", "before_parent", "anomalies"} <= set(rows[0])
    bad = CliRunner().invoke(app, ["cascades", str(tmp_path), "--format", "twiter-trees"])
    assert bad.exit_code == 2 and "not a cascade format" in bad.output


def test_seed_audiences_overlap_on_participants(tmp_path):
    res = _campaign_of(
        tmp_path,
        "post_id,parent_id,account_id,created_at,text\n"
        "r1,,s1,2021-08-02 10:00:00,a\nx1,r1,u1,2021-08-02 10:05:00,\n"
        "x2,r1,u2,2021-08-02 10:06:00,\nr2,,s2,2021-08-03 10:00:00,b\n"
        "y1,r2,u2,2021-08-03 10:05:00,\ny2,r2,u3,2021-08-03 10:06:00,\n",
    )
    inf = res.value("propagation.influence")
    assert inf["audience_basis"] == "cascade participants"
    # {u1, u2} and {u2, u3}: one shared of three
    assert inf["audience_overlap"] == [
        {
            "a": "weibo:s1",
            "b": "weibo:s2",
            "shared": 1,
            "jaccard": pytest.approx(1 / 3),
            "known": True,
        }
    ]


def test_flat_cascade_reads_in_plain_words(tmp_path):
    """One hop, nobody reposted in turn: singular 'hop', no column of zeros, no empty comparison."""
    _campaign_of(
        tmp_path,
        "post_id,parent_id,account_id,created_at\n1,,brand,2021-08-02T10:00:00Z\n"
        "2,1,u1,2021-08-02T11:00:00Z\n3,1,u2,2021-08-02T12:00:00Z\n",
    )
    html = (tmp_path / "out" / "report.html").read_text()
    section = html[html.index('id="propagation"') :]
    assert 'data-path="propagation.top.0.depth" data-value="1"' in section
    assert "</span> hop deep." in section and "hops deep" not in section
    notable = section[section.index("Notable accounts") :]
    notable = notable[: notable.index("</table>")]
    assert "None of them was reposted or answered in turn" in notable
    assert "posts that came through them" not in notable


def test_overlap_is_unknown_for_starters_outside_the_follows_graph():
    import pandas as pd

    from ripplemeter.evaluate.propagation import audience_overlap

    follows = pd.DataFrame(
        {"src_account_id": ["f1", "f2", "f3"], "dst_account_id": ["s1", "s2", "s2"]}
    )
    pairs, basis, outside = audience_overlap(["s1", "s2", "ig"], pd.DataFrame(), follows)
    assert basis == "followers" and outside == ["ig"]
    # s1 {f1} and s2 {f2, f3}: no one shared of three; ig is in no follows row: unknown
    assert pairs == [
        {"a": "s1", "b": "s2", "shared": 0, "jaccard": 0.0, "known": True},
        {"a": "s1", "b": "ig", "shared": None, "jaccard": None, "known": False},
        {"a": "s2", "b": "ig", "shared": None, "jaccard": None, "known": False},
    ]


def test_report_names_cascades_by_text_and_says_when_overlap_is_unknown(tmp_path):
    (tmp_path / "reposts.csv").write_text(
        "post_id,parent_id,account_id,created_at,text\n"
        'r1,,s1,2026-03-02 10:00:00,"<b>Matcha</b> launch day: come and taste the new '
        'blend at our stores from Monday on"\n'
        "a,r1,u1,2026-03-02 10:05:00,rt\nb,r1,u2,2026-03-02 10:06:00,rt\n"
        "r2,,s2,2026-03-03 10:00:00,Second post\nc,r2,u1,2026-03-03 10:05:00,rt\n"
        "r3,,ig,2026-03-04 10:00:00,\nd,r3,u2,2026-03-04 10:05:00,rt\n"
    )
    (tmp_path / "follows.csv").write_text(
        "src_account_id,dst_account_id\nweibo:f1,weibo:s1\nweibo:f2,weibo:s2\n"
    )
    (tmp_path / "accounts.csv").write_text(
        "account_id,platform,handle,role\nu1,weibo,teafan,public\n"
    )
    (tmp_path / "campaign.toml").write_text(
        '[campaign]\nname = "C"\nstart = 2026-03-01\nend = 2026-03-31\n'
        '[[sources]]\npath = "reposts.csv"\nformat = "reposts"\nplatform = "weibo"\n'
        '[[sources]]\npath = "follows.csv"\nformat = "generic"\ntable = "follows"\n'
        '[[sources]]\npath = "accounts.csv"\nformat = "accounts"\n'
        "[propagation]\nnotable_top_share = 1.0\n[seeding]\nk = 1\nmc_runs = 100\n"
    )
    res, paths = run_report(load_campaign(tmp_path / "campaign.toml"), tmp_path / "out")
    inf = res.value("propagation.influence")
    assert inf["seeds_not_in_follows"] == ["weibo:ig"] and inf["audience_accounts"] == 3
    top = {c["root_id"]: c["root_text"] for c in res.value("propagation.top")}
    # the first 60 characters cut at a word with "…"; no text: no name (the id is shown)
    assert top == {
        "weibo:r1": "<b>Matcha</b> launch day: come and taste the new blend at…",
        "weibo:r2": "Second post",
        "weibo:r3": None,
    }
    page = paths.html.read_text()
    html = page[page.index('<section id="propagation">') :]
    html = html[: html.index("</section>")]
    assert "do not overlap" not in html
    assert (
        "1 of the 3 starting accounts listed above (weibo:ig) is not in the follows graph" in html
    )
    assert "overlap with the others' is unknown" in html
    assert "Among the 1 pair(s) of starting accounts whose audiences (followers) are known" in html
    assert '<td title="weibo:r1">&lt;b&gt;Matcha&lt;/b&gt; launch day' in html  # escaped
    assert "<b>Matcha</b>" not in html
    assert "member of the public" in html and "role public" not in html
    assert '<span title="weibo:u1">@teafan</span>' in html  # a name, the id in a tooltip


def test_cascades_table_reads_in_words_with_rounded_virality(tmp_path):
    """The table: headings in words, virality to 2 decimals. r1's tree (r1-a, r1-b, a-c, c-d,
    c-e): the 15 pairs of its 6 posts are 32 steps apart in all, 32 / 15 = 2.13 (by hand)."""
    (tmp_path / "r.csv").write_text(REPOSTS)
    out = CliRunner().invoke(
        app,
        ["cascades", str(tmp_path / "r.csv"), "--format", "reposts"],
        env={"COLUMNS": "200"},
    )
    assert out.exit_code == 0, out.output
    assert "first post" in out.stdout and "widest level" in out.stdout
    assert "max_breadth" not in out.stdout and "root_id" not in out.stdout
    assert "2.13" in out.stdout and "2.1333" not in out.stdout


def test_starting_accounts_are_named_counted_and_shares_read_as_percentages(tmp_path):
    """Three accounts start one cascade each: s1's r1 (3 posts, both reposts straight from the
    root), s2's r2 (2 posts) and ig's r3 (2 posts). With 2 accounts listed, the table holds s1
    and ig (2 posts, ig before s2 by id); the sentence about the follows graph speaks of
    those 2, and the 3 starting accounts in all carry the seed_accounts metric."""
    (tmp_path / "reposts.csv").write_text(
        "post_id,parent_id,account_id,created_at,text\n"
        "r1,,s1,2026-03-02 10:00:00,One\na,r1,u1,2026-03-02 10:05:00,rt\n"
        "b,r1,u2,2026-03-02 10:06:00,rt\n"
        "r2,,s2,2026-03-03 10:00:00,Two\nc,r2,u1,2026-03-03 10:05:00,rt\n"
        "r3,,ig,2026-03-04 10:00:00,Three\nd,r3,u2,2026-03-04 10:05:00,rt\n"
    )
    (tmp_path / "follows.csv").write_text(
        "src_account_id,dst_account_id\nweibo:f1,weibo:s1\nweibo:f2,weibo:s2\n"
    )
    (tmp_path / "campaign.toml").write_text(
        '[campaign]\nname = "C"\nstart = 2026-03-01\nend = 2026-03-31\n'
        '[[sources]]\npath = "reposts.csv"\nformat = "reposts"\nplatform = "weibo"\n'
        '[[sources]]\npath = "follows.csv"\nformat = "generic"\ntable = "follows"\n'
        "[propagation]\ntop_accounts = 2\n[seeding]\nk = 1\nmc_runs = 100\n"
    )
    res, paths = run_report(load_campaign(tmp_path / "campaign.toml"), tmp_path / "out")
    inf = res.value("propagation.influence")
    assert inf["seed_accounts"] == 3
    assert [a["account_id"] for a in inf["seeds"]] == ["weibo:s1", "weibo:ig"]
    page = paths.html.read_text()
    html = page[page.index('<section id="propagation">') :]
    html = html[: html.index("</section>")]
    assert (
        "The 2 starting accounts whose cascades hold the most posts, of the "
        '<span class="fig" data-metric="seed_accounts" data-path="propagation.influence.'
        'seed_accounts" data-value="3"'
    ) in html
    assert (
        "1 of the 2 starting accounts listed above (weibo:ig) is not in the follows graph" in html
    )
    # the cascades column carries its metric: one cascade each
    for i in (0, 1):
        assert (
            f'data-metric="seed_cascades" data-path="propagation.influence.seeds.{i}.cascades" '
            'data-value="1"'
        ) in html
    # r1: both reposts straight from the root, 2 / 2 = 100.00%, not "1"
    cell = html[html.index('data-path="propagation.top.0.broadcast_share"') :]
    assert cell[: cell.index("</span>")].endswith(">100.00%")
    # s1's share of the 7 cascade posts: 3 / 7 = 42.86%
    cell = html[html.index('data-path="propagation.influence.seeds.0.share"') :]
    assert cell[: cell.index("</span>")].endswith(">42.86%")
