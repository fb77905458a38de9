"""The cascade importers: twitter-trees, weibo-ced and deephawkes.

On the real files (through the ``real_data`` fixture, skipping when absent) every count is
computed again here from the raw files with ast/json/gzip, not with the importers' code; on
small hand-made files each rule is checked on its own.
"""

from __future__ import annotations

import ast
import collections
import datetime as dt
import gzip
import itertools
import json
import re
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from ripplemeter.errors import FormatError
from ripplemeter.formats import SourceContext, get_format
from ripplemeter.formats.deephawkes import read_cascades
from ripplemeter.formats.twitter_trees import read_tree
from ripplemeter.formats.weibo_ced import read_cascade

TW = "twitter15_16_propagation"
CED = "weibo_ced_repost_cascades"
DH = "weibo_deephawkes_sample/dataset.txt"


def tree_graph(posts: pd.DataFrame) -> nx.DiGraph:
    """The parent -> post edges of imported posts, as a networkx graph."""
    kept = posts[posts.parent_id.notna()]
    return nx.DiGraph(list(zip(kept.parent_id, kept.post_id, strict=True)))


# --------------------------------------------------------------------- twitter: the oracle
def raw_tree(path: Path) -> dict:
    """Counts of one tree file, computed from its lines with ast (the rules of issue 9)."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        lines = [ln for ln in f.read().split("\n") if ln]
    edges = [tuple(ast.literal_eval(side) for side in ln.split("->")) for ln in lines]
    root_idx = [i for i, (p, _c) in enumerate(edges) if p[0] == "ROOT"]
    assert len(root_idx) == 1
    root = edges[root_idx[0]][1]
    delay = {root[0]: float(root[2])}
    for p, c in edges:
        if p[0] != "ROOT":
            delay.setdefault(c[0], float(c[2]))
            delay.setdefault(p[0], float(p[2]))
    seen, dups, selfe, into, cands = set(), 0, 0, 0, collections.defaultdict(list)
    for p, c in edges:
        if p[0] == "ROOT":
            continue
        if (p[0], c[0]) in seen:
            dups += 1
            continue
        seen.add((p[0], c[0]))
        if p[0] == c[0]:
            selfe += 1
        elif c[0] == root[0]:
            into += 1
        else:
            cands[c[0]].append(p[0])
    chosen = {}
    for c, ps in cands.items():
        ok = [p for p in ps if delay[p] <= delay[c]]
        chosen[c] = max(ok, key=lambda p: delay[p]) if ok else ps[0]  # max keeps the first
    # cycles among the chosen parents: nodes that cannot reach the root
    g = nx.DiGraph([(p, c) for c, p in chosen.items()])
    g.add_node(root[0])
    cycles = len(list(nx.simple_cycles(g)))
    return {
        "lines": len(lines),
        "root_line": root_idx[0] + 1,
        "root": root,
        "nodes": len(delay),
        "duplicates": dups,
        "self_edges": selfe,
        "into_root": into,
        "extra_parents": sum(len(ps) - 1 for ps in cands.values()),
        "multi_parent_users": sum(1 for ps in cands.values() if len(ps) > 1),
        "cycles": cycles,
        "delay": delay,
        "cands": cands,
        "chosen": chosen,
    }


TREES = [
    "twitter16/tree/656955120626880512.txt",  # an ordinary tree
    "twitter16/tree/690680149164085248.txt",  # ROOT on line 18; ROOT tweet differs
    "twitter16/tree/766808183696351233.txt",  # ROOT on line 2; a child before its parent
    "twitter16/tree/663515735231062016.txt",  # equal delays make a cycle
    "twitter15/tree_gz/514067907475959808.txt.gz",  # gzipped; a cycle
    "twitter15/tree_gz/683731779342188545.txt.gz",  # a cycle
    "twitter15/tree_gz/519929168864497664.txt.gz",  # ROOT on line 159
    "twitter15/tree_gz/523123779124600833.txt.gz",  # ROOT tweet differs
]


@pytest.mark.parametrize("rel", TREES)
def test_twitter_tree_counts_match_raw_file(real_data, rel):
    path = real_data(f"{TW}/{rel}")
    raw = raw_tree(path)
    rows, st = read_tree(path)
    posts = rows.tables["posts"]
    assert st.lines == raw["lines"]
    assert st.root_line == raw["root_line"]
    assert st.nodes == raw["nodes"] == len(posts) == posts.post_id.nunique()
    assert st.duplicates == raw["duplicates"]
    assert st.self_edges == raw["self_edges"]
    assert st.into_root == raw["into_root"]
    assert st.extra_parents == raw["extra_parents"]
    assert st.multi_parent_users == raw["multi_parent_users"]
    assert st.cycles_broken == raw["cycles"]
    # every line is counted exactly once
    assert (
        1 + st.kept + st.duplicates + st.self_edges + st.into_root + st.extra_parents
        == raw["lines"]
    )
    # the result is one tree over all users, rooted at the ROOT line's user
    root_pid = f"x:{path.name.split('.')[0]}/{raw['root'][0]}"
    kept = posts.dropna(subset=["parent_id"])
    assert len(kept) == st.kept == raw["nodes"] - 1
    g = nx.DiGraph(list(zip(kept.parent_id, kept.post_id, strict=True)))
    assert nx.is_arborescence(g) and root_pid in g and g.in_degree(root_pid) == 0
    assert (posts.root_id == root_pid).all()
    # the rule: outside cycles, each user has the parent the oracle chose
    pre = f"x:{path.name.split('.')[0]}/"
    got = {c[len(pre) :]: p[len(pre) :] for c, p in zip(kept.post_id, kept.parent_id, strict=True)}
    differs = [c for c, p in raw["chosen"].items() if got[c] != p]
    assert len(differs) == st.cycles_broken
    # children timed before their parent, on the kept edges, from the raw delays
    d = raw["delay"]
    before = sorted(pre + c for c, p in got.items() if d[c] < d[p])
    assert st.before_parent == len(before)
    flags = rows.tables.get("annotations", pd.DataFrame(columns=["task", "subject_id"]))
    assert sorted(flags[flags.task == "cascade_flag"].subject_id) == before
    # delays in seconds after the root
    root_delay = float(raw["root"][2])
    want = {pre + u: (v - root_delay) * 60 for u, v in d.items()}
    assert dict(zip(posts.post_id, posts.delay_seconds, strict=True)) == pytest.approx(want)
    # times: the root tweet's Snowflake time plus each delay
    born = pd.Timestamp((int(raw["root"][1]) >> 22) + 1288834974657, unit="ms")
    for pid_, delay_s, at in zip(posts.post_id, posts.delay_seconds, posts.created_at, strict=True):
        assert abs(at - (born + pd.Timedelta(seconds=delay_s))) < pd.Timedelta(milliseconds=1), pid_


def test_twitter_odd_files_are_named_in_the_notes(real_data):
    path = real_data(f"{TW}/twitter16/tree/690680149164085248.txt")
    rows, st = read_tree(path)
    notes = "\n".join(rows.notes)
    assert st.root_line == 18 and st.root_tweet == "690676539323740161"
    assert "the ROOT line is line 18, not the first" in notes
    assert "the ROOT tweet 690676539323740161 is not the file's tweet" in notes
    assert "-14.35 minutes" in notes
    posts = rows.tables["posts"]
    root = posts[posts.kind == "original"].iloc[0]
    assert root.delay_seconds == 0 and root.text is None  # the text is the labelled tweet's


def test_twitter_label_and_source_text_joined(real_data):
    path = real_data(f"{TW}/twitter15/tree_gz/514067907475959808.txt.gz")
    labels = dict(
        reversed(line.split(":", 1))
        for line in (path.parent.parent / "label.txt").read_text().split("\n")
        if line
    )
    texts = dict(
        line.split("\t", 1)
        for line in (path.parent.parent / "source_tweets.txt").read_text().split("\n")
        if line
    )
    rows, _ = read_tree(path)
    ann = rows.tables["annotations"]
    lab = ann[ann.task == "veracity"].iloc[0]
    root = rows.tables["posts"].iloc[0]
    assert lab.subject_id == root.post_id == "x:514067907475959808/292777349"
    assert lab.label == labels["514067907475959808"]
    assert (lab.model, lab.model_version) == ("dataset label", "twitter15")
    assert root.text == texts["514067907475959808"]
    assert root.kind == "original" and pd.isna(root.parent_id)


def test_twitter16_totals_match_provenance(real_data):
    """All 818 Twitter16 trees: edge lines and repeats as PROVENANCE.md states them, and the
    users, self-edges, edges into the root and extra parents as counted here."""
    folder = real_data(f"{TW}/twitter16/tree")
    got = collections.Counter()
    want = collections.Counter()
    for path in sorted(folder.glob("*.txt")):
        raw = raw_tree(path)
        _, st = read_tree(path)
        for k in ("lines", "nodes", "duplicates", "self_edges", "into_root", "extra_parents"):
            got[k] += getattr(st, k)
            want[k] += raw[k]
        got["cycles"] += st.cycles_broken
        want["cycles"] += raw["cycles"]
        got["files"] += 1
    assert got == want | {"files": 818}
    assert got["lines"] == 363_536 and got["lines"] - got["duplicates"] == 352_987


# --------------------------------------------------------------------- twitter: hand-made
def tree_file(tmp_path: Path, lines: list[str], name: str = "1001.txt") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def L(p: tuple, c: tuple) -> str:  # noqa: N802 - reads like the file
    return f"{list(map(str, p))}->{list(map(str, c))}"


R = ("ROOT", "ROOT", "0.0")


def test_twitter_rules_by_hand(tmp_path):
    a, b, c, d, e = (
        ("1", "1001", "0.0"),
        ("2", "1001", "1.0"),
        ("3", "1001", "2.0"),
        ("4", "1001", "5.0"),
        ("5", "1001", "0.5"),
    )
    path = tree_file(
        tmp_path,
        [
            L(a, b),
            L(R, a),  # ROOT not first
            L(a, c),
            L(a, b),  # repeated edge
            L(b, b),  # self-edge
            L(c, a),  # edge into the root: a cycle
            L(b, d),
            L(c, d),  # d has parents b (1.0) and c (2.0): c is latest, not after 5.0
            L(d, e),  # e (0.5) is before its only parent d (5.0): kept, flagged
        ],
    )
    rows, st = read_tree(path)
    assert (st.duplicates, st.self_edges, st.into_root, st.extra_parents) == (1, 1, 1, 1)
    assert (st.kept, st.nodes, st.before_parent, st.root_line) == (4, 5, 1, 2)
    posts = rows.tables["posts"].set_index("post_id")
    assert posts.loc["x:1001/4", "parent_id"] == "x:1001/3"
    assert posts.loc["x:1001/5", "parent_id"] == "x:1001/4"
    assert posts.loc["x:1001/1", "kind"] == "original"
    assert posts.loc["x:1001/2", "delay_seconds"] == 60.0
    assert posts.loc["x:1001/4", "source_row"] == 8
    ann = rows.tables["annotations"]
    assert list(ann.subject_id) == ["x:1001/5"] and ann.label.iloc[0] == "timed_before_parent"
    notes = "\n".join(rows.notes)
    assert "1 repeated edge dropped" in notes and "1 self-edge" in notes
    assert "1 edge into the root dropped as cycles" in notes
    assert "1 extra parent of 1 user with several parents" in notes
    assert "1 user timed before their parent" in notes


def test_twitter_no_parent_before_child_takes_first_listed(tmp_path):
    a, b, c, d = (
        ("1", "1001", "0.0"),
        ("2", "1001", "9.0"),
        ("3", "1001", "8.0"),
        ("4", "1001", "3.0"),
    )
    path = tree_file(tmp_path, [L(R, a), L(a, b), L(a, c), L(b, d), L(c, d)])
    rows, st = read_tree(path)
    posts = rows.tables["posts"].set_index("post_id")
    assert posts.loc["x:1001/4", "parent_id"] == "x:1001/2"  # first listed
    assert st.before_parent == 1 and st.extra_parents == 1


def test_twitter_equal_delays_cycle_is_broken(tmp_path):
    a, b, c = ("1", "1001", "0.0"), ("2", "1001", "3.0"), ("3", "1001", "3.0")
    path = tree_file(tmp_path, [L(R, a), L(a, b), L(c, b), L(a, c), L(b, c)])
    rows, st = read_tree(path)
    assert st.cycles_broken == 1 and st.detached == 0
    posts = rows.tables["posts"]
    g = tree_graph(posts)
    assert nx.is_arborescence(g)
    assert "1 cycle between users with equal delays broken" in "\n".join(rows.notes)


def test_twitter_root_tweet_differs_delays_relative_to_root(tmp_path):
    a, b = ("7", "999", "-10.0"), ("8", "1001", "2.0")
    rows, st = read_tree(tree_file(tmp_path, [L(R, a), L(a, b)]))
    posts = rows.tables["posts"].set_index("post_id")
    assert posts.loc["x:1001/7", "delay_seconds"] == 0.0
    assert posts.loc["x:1001/8", "delay_seconds"] == 720.0
    assert st.negative_delays == 1
    assert "the ROOT tweet 999 is not the file's tweet 1001" in "\n".join(rows.notes)


def test_twitter_gzip_and_labels_from_parent_folder(tmp_path):
    (tmp_path / "tree_gz").mkdir()
    (tmp_path / "label.txt").write_text("unverified:1001\ntrue:1002\n")
    (tmp_path / "source_tweets.txt").write_text("1001\tsomething happened URL\n")
    path = tmp_path / "tree_gz" / "1001.txt.gz"
    path.write_bytes(gzip.compress(f"{L(R, ('1', '1001', '0.0'))}\n".encode()))
    rows, _ = read_tree(path)
    assert rows.tables["posts"].text.iloc[0] == "something happened URL"
    ann = rows.tables["annotations"]
    assert list(ann.label) == ["unverified"] and list(ann.model_version) == [tmp_path.name]


@pytest.mark.parametrize(
    ("lines", "row", "column", "words"),
    [
        ([L(R, ("1", "1001", "0.0")), "['1', '1001', '0.0']->['2', '1001'"], 2, None, "truncated"),
        ([L(R, ("1", "1001", "0.0")), L(("1", "1001", "0.0"), ("2", "1001", "x"))], 2,
         "child delay", "a delay in minutes"),
        ([L(("1", "1001", "0.0"), ("2", "1001", "1.0"))], None, None, "no ['ROOT'"),
        ([L(R, ("1", "1001", "0.0")), L(R, ("2", "1001", "0.0"))], 2, None, "second ROOT"),
        (["post_id,parent_id", "1,2"], 1, None, "a tree line"),
    ],
)  # fmt: skip
def test_twitter_errors_name_line_and_field(tmp_path, lines, row, column, words):
    path = tmp_path / "1001.txt"
    path.write_text("\n".join(lines))
    with pytest.raises(FormatError) as info:
        read_tree(path)
    exc = info.value
    assert "1001.txt" in str(exc) and words in str(exc)
    assert exc.row == row and exc.column == column


def test_twitter_bad_gzip(tmp_path):
    path = tmp_path / "1001.txt.gz"
    path.write_bytes(b"not gzip at all")
    with pytest.raises(FormatError, match="not a readable gzip file"):
        read_tree(path)


def test_twitter_reimport_changes_nothing(real_data, workspace):
    path = real_data(f"{TW}/twitter16/tree/690680149164085248.txt")
    first = workspace.import_file(path, "twitter-trees")
    second = workspace.import_file(path, "twitter-trees")
    assert second.skipped and second.import_id == first.import_id
    n = workspace.con.execute("SELECT count(*), count(DISTINCT post_id) FROM posts").fetchone()
    assert n == (544, 544)
    lab = workspace.con.execute("SELECT label FROM annotations WHERE task = 'veracity'").fetchall()
    assert lab == [("non-rumor",)]


# ------------------------------------------------------------------------ weibo: the oracle
def beijing_to_utc(s: str) -> pd.Timestamp:
    return pd.Timestamp(dt.datetime.strptime(s, "%Y-%m-%d %H:%M:%S") - dt.timedelta(hours=8))


def ced_files(real_data) -> list[Path]:
    root = real_data(CED)
    return sorted(root.glob("*-repost/*.json"))


def test_weibo_all_400_cascades_against_raw_json(real_data):
    files = ced_files(real_data)
    assert len(files) == 400
    files_with_repeats = extra = differ = year_less = time_strings = nodes = 0
    got = collections.Counter()
    for path in files:
        recs = json.loads(path.read_text(encoding="utf-8"))
        orig = json.loads((path.parent.parent / "original-microblog" / path.name).read_text())
        firsts: dict[str, dict] = {}
        rep = 0
        for r in recs:
            if r["mid"] in firsts:
                rep += 1
                differ += firsts[r["mid"]] != r
            else:
                firsts[r["mid"]] = r
        files_with_repeats += rep > 0
        extra += rep
        year_less += sum("月" in r["date"] for r in firsts.values())
        time_strings += isinstance(orig["time"], str)
        nodes += len(firsts) + 1
        rows, st = read_cascade(path)
        posts = rows.tables["posts"]
        assert len(posts) == posts.post_id.nunique() == len(firsts) + 1
        assert st.with_parent == sum(1 for r in firsts.values() if r["parent"])
        # parent is authoritative: the kids lists are not used
        want = {
            f"weibo:{m}": f"weibo:{r['parent']}" if r["parent"] else None for m, r in firsts.items()
        }
        p = posts.iloc[1:]
        root = posts.post_id.iloc[0]
        parents = [None if x == root else x for x in p.parent_id]
        assert dict(zip(p.post_id, parents, strict=True)) == want
        got["repeated"] += st.repeated_mids
        got["files"] += st.repeated_mids > 0
        got["differ"] += st.repeated_differ
        got["year_less"] += st.year_less
        got["time_strings"] += st.original_time_string
        got["nodes"] += len(posts)
    assert got == {
        "repeated": extra,
        "files": files_with_repeats,
        "differ": differ,
        "year_less": year_less,
        "time_strings": time_strings,
        "nodes": nodes,
    }
    # as the issue and PROVENANCE.md say
    assert files_with_repeats == 39 and year_less == 7 and time_strings == 5
    assert nodes - 400 + extra == 150_315


def test_weibo_dates_to_utc_and_year_less_dates(real_data):
    root = real_data(CED)
    path = next(root.glob("*-repost/2412_A0N2Zyah4_3211221340.json"))
    recs = json.loads(path.read_text(encoding="utf-8"))
    orig = json.loads((root / "original-microblog" / path.name).read_text())
    rows, st = read_cascade(path)
    posts = rows.tables["posts"].set_index("post_id")
    assert posts.loc["weibo:A0N2Zyah4", "created_at"] == pd.Timestamp(orig["time"], unit="s")
    for r in recs[:50]:
        if "月" not in r["date"]:
            assert posts.loc[f"weibo:{r['mid']}", "created_at"] == beijing_to_utc(r["date"])
    (yl,) = [r for r in recs if "月" in r["date"]]
    assert yl["date"] == "02月13日 09:17"
    # the original post is of July 2013: February 2013 would precede it, so 2014
    assert posts.loc[f"weibo:{yl['mid']}", "created_at"] == pd.Timestamp("2014-02-13 01:17")
    assert (st.year_less, st.year_less_next_year) == (1, 1)
    other = next(root.glob("*-repost/168_znKBW6Xu3_2663042385.json"))
    rows, st = read_cascade(other)
    (mid,) = [r["mid"] for r in json.loads(other.read_text()) if "月" in r["date"]]
    got = rows.tables["posts"].set_index("post_id").loc[f"weibo:{mid}", "created_at"]
    assert got == pd.Timestamp("2013-03-23 11:24") and st.year_less_next_year == 0
    assert "took the original post's year 2013" in "\n".join(rows.notes)


def test_weibo_original_time_as_string_and_label(real_data):
    root = real_data(CED)
    path = next(root.glob("*-repost/926_z4xpMAzV4_1657835102.json"))
    rows, st = read_cascade(path)
    assert st.original_time_string and st.original_user_missing
    assert rows.tables["posts"].created_at.iloc[0] == pd.Timestamp("2012-11-10 06:06:53")
    ann = rows.tables["annotations"]
    assert list(ann.label) == ["rumor" if path.parent.name == "rumor-repost" else "non-rumor"]


def test_weibo_repeated_mid_keeps_first(real_data):
    for path in ced_files(real_data):
        recs = json.loads(path.read_text(encoding="utf-8"))
        mids = collections.Counter(r["mid"] for r in recs)
        rep = [m for m, k in mids.items() if k > 1]
        if not rep:
            continue
        first = next(r for r in recs if r["mid"] == rep[0])
        rows, _ = read_cascade(path)
        row = rows.tables["posts"].set_index("post_id").loc[f"weibo:{rep[0]}"]
        assert row.created_at == beijing_to_utc(first["date"])
        assert row.text == (first["text"] or None)
        return
    pytest.fail("no cascade repeats a mid")


def test_weibo_import_is_idempotent(real_data, workspace):
    path = ced_files(real_data)[0]
    first = workspace.import_file(path, "weibo-ced")
    assert workspace.import_file(path, "weibo-ced").skipped
    assert first.rows["posts"] == len(json.loads(path.read_text())) + 1


# ------------------------------------------------------------------------ weibo: hand-made
def ced(tmp_path: Path, records: list, original: dict | None = None, folder="rumor-repost",
        name="7_zROOT_42.json") -> Path:  # fmt: skip
    (tmp_path / folder).mkdir(exist_ok=True)
    path = tmp_path / folder / name
    path.write_text(json.dumps(records, ensure_ascii=False, indent=0))
    if original is not None:
        (tmp_path / "original-microblog").mkdir(exist_ok=True)
        (tmp_path / "original-microblog" / name).write_text(json.dumps(original))
    return path


def rec(mid, parent="", date="2013-01-02 10:00:00", uid="9", text="", kids=()):
    return {"mid": mid, "uid": uid, "parent": parent, "kids": list(kids), "text": text,
            "date": date}  # fmt: skip


ORIG = {
    "text": "原微博",
    "time": 1356998400,
    "reposts": 5,
    "comments": 2,
    "likes": 1,
    "user": {"followers": 100, "verified": True},
}  # 2013-01-01 00:00 UTC; fmt: skip


def test_weibo_rules_by_hand(tmp_path):
    path = ced(
        tmp_path,
        [
            rec("a", date="2013-01-01 09:00:00", kids=["c"]),  # kids contradicts c's parent
            rec("b", parent="a", date="2013-01-01 08:30:00"),  # before its parent a
            rec("c", parent="b", date="12月31日 23:00"),  # year-less, after the original
            rec("a", date="2013-01-05 09:00:00", text="different"),  # repeated mid
            rec("d", date="01月01日 07:00"),  # year-less: 2013-01-01 07:00 +08 is before
            rec("e", parent="zz", uid="some_slug"),  # parent not in the file
        ],
        ORIG,
    )
    rows, st = read_cascade(path)
    posts = rows.tables["posts"].set_index("post_id")
    assert posts.loc["weibo:zROOT", "kind"] == "original"
    assert posts.loc["weibo:a", "created_at"] == pd.Timestamp("2013-01-01 01:00")
    assert posts.loc["weibo:a", "parent_id"] == "weibo:zROOT"
    assert posts.loc["weibo:c", "parent_id"] == "weibo:b"
    assert posts.loc["weibo:c", "created_at"] == pd.Timestamp("2013-12-31 15:00")
    assert posts.loc["weibo:d", "created_at"] == pd.Timestamp("2014-01-01 07:00") - pd.Timedelta(
        hours=8
    )
    assert posts.loc["weibo:e", "parent_id"] == "weibo:zz"
    assert (st.repeated_mids, st.repeated_differ, st.kids_disagree) == (1, 1, 1)
    assert (st.year_less, st.year_less_next_year, st.before_parent) == (2, 1, 1)
    assert (st.missing_parent, st.slug_uids) == (1, 1)
    flags = rows.tables["annotations"]
    assert list(flags[flags.task == "cascade_flag"].subject_id) == ["weibo:b"]
    assert list(flags[flags.task == "veracity"].label) == ["rumor"]
    m = rows.tables["post_metrics"].iloc[0]
    assert (m.reposts, m.replies, m.likes) == (5, 2, 1)
    assert rows.tables["accounts"].followers.iloc[0] == 100
    notes = "\n".join(rows.notes)
    assert "5 reposts and comments of the original post zROOT" in notes
    assert "1 mid repeated (1 extra record, 1 of them with different content)" in notes
    assert "2 dates written without a year" in notes and "the next year 2014" in notes
    assert rows.source_timezone == "Asia/Shanghai"


def test_weibo_without_original_post(tmp_path):
    path = ced(tmp_path, [rec("a"), rec("b", date="03月04日 10:00")], folder="x")
    rows, st = read_cascade(path)
    posts = rows.tables["posts"]
    assert posts.post_id.iloc[0] == "weibo:zROOT" and pd.isna(posts.created_at.iloc[0])
    assert st.year_less_undated == 1 and pd.isna(posts.created_at.iloc[2])
    assert "annotations" not in rows.tables and "post_metrics" not in rows.tables
    assert "the original post was not found" in "\n".join(rows.notes)


def test_weibo_time_zone_setting(tmp_path):
    path = ced(tmp_path, [rec("a", date="2013-01-02 10:00:00")], ORIG)
    rows, _ = read_cascade(path, SourceContext(timezone="UTC"))
    assert rows.tables["posts"].created_at.iloc[1] == pd.Timestamp("2013-01-02 10:00")


@pytest.mark.parametrize(
    ("records", "row", "column", "words"),
    [  # indent=0: record 2 opens on line 10
        ([rec("a"), rec("b", date="yesterday")], 10, "date", "MM月DD日"),
        ([rec("a"), {"mid": "b", "uid": "1", "date": "2013-01-01 00:00:00"}], 10, "parent", "no 'parent'"),
        ([rec("a"), rec("", parent="a")], 10, "mid", "expected a mid"),
    ],
)  # fmt: skip
def test_weibo_errors_name_record_and_field(tmp_path, records, row, column, words):
    path = ced(tmp_path, records)
    with pytest.raises(FormatError) as info:
        read_cascade(path)
    assert info.value.row == row and info.value.column == column
    assert words in str(info.value) and path.name in str(info.value)


def test_weibo_bad_name_and_truncation(tmp_path):
    path = ced(tmp_path, [rec("a")], name="cascade.json")
    with pytest.raises(FormatError, match="<idx>_<original mid>_<original uid>.json"):
        read_cascade(path)
    cut = ced(tmp_path, [rec("a"), rec("b")])
    cut.write_text(cut.read_text()[:-30])
    with pytest.raises(FormatError, match="truncated"):
        read_cascade(cut)


# ------------------------------------------------------------------------------ deephawkes
def test_deephawkes_sample_against_raw_lines(real_data):
    path = real_data(DH)
    lines = [ln for ln in path.read_text().split("\n") if ln]
    rows, st = read_cascades(path)
    posts = rows.tables["posts"]
    # PROVENANCE.md says 29 lines: the file has 29 line breaks and no final one, so 30 lines
    assert len(lines) == len(st.cascades) == 30
    users = participants = repeats = 0
    for row, line in enumerate(lines, 1):
        cid, ruser, t0, n, parts = line.split("\t")
        tokens = parts.split(" ")
        assert int(n) == len(tokens)
        participants += len(tokens)
        last = [re.split("[/:]", tok)[-2] for tok in tokens]
        users += len(set(last))
        repeats += len(last) - len(set(last))
        mine = posts[posts.source_row == row]
        assert len(mine) == len(set(last))
        assert mine.root_id.iloc[0] == f"weibo:deephawkes-{cid}/{ruser}"
        # each user at its earliest participation; its parent is the path's previous user
        best: dict[str, tuple[int, str | None]] = {}
        for tok in tokens:
            p, d = tok.rsplit(":", 1)
            us = [u for i, u in enumerate(p.split("/")) if i == 0 or u != p.split("/")[i - 1]]
            if us[-1] == ruser:
                continue
            if us[-1] not in best or int(d) < best[us[-1]][0]:
                best[us[-1]] = (int(d), us[-2])
        pre = f"weibo:deephawkes-{cid}/"
        got = mine.set_index("post_id")
        for u, (d, par) in best.items():
            assert got.loc[pre + u, "delay_seconds"] == d
            assert got.loc[pre + u, "parent_id"] == pre + par
            assert got.loc[pre + u, "created_at"] == pd.Timestamp(int(t0) + d, unit="s")
        g = tree_graph(mine)
        assert nx.is_arborescence(g)
    assert st.total("participants") == participants == 7147
    assert st.total("users") == users == len(posts)
    assert st.total("repeated") + st.total("root_reentries") == repeats
    assert st.total("collapsed_repeats") == sum(
        1
        for ln in lines
        for tok in ln.split("\t")[4].split(" ")
        if any(a == b for a, b in itertools.pairwise(tok.split(":")[0].split("/")))
    )


def test_deephawkes_rules_by_hand(tmp_path):
    path = tmp_path / "cascades.txt"
    path.write_text(
        "5\t1\t1000\t7\t1:0 1/2:50 1/2:40 1/3:60 1/3/3/4:90 1/1:70 1/4/1:95\n"
        "6\t1\t2000\t3\t1:0 1/2/9:10 1/2:20\n"
    )
    rows, st = read_cascades(path)
    posts = rows.tables["posts"].set_index("post_id")
    assert posts.loc["weibo:deephawkes-5/2", "delay_seconds"] == 40  # the earliest kept
    assert posts.loc["weibo:deephawkes-5/4", "parent_id"] == "weibo:deephawkes-5/3"
    assert posts.loc["weibo:deephawkes-6/9", "parent_id"] == "weibo:deephawkes-6/2"
    c5, c6 = st.cascades
    assert (c5.repeated, c5.collapsed_repeats, c5.root_reentries, c5.users) == (1, 2, 2, 4)
    assert c6.before_parent == 1 and c6.users == 3
    assert list(rows.tables["annotations"].subject_id) == ["weibo:deephawkes-6/9"]
    assert posts.loc["weibo:deephawkes-6/1", "created_at"] == pd.Timestamp(2000, unit="s")


@pytest.mark.parametrize(
    ("text", "row", "column", "words"),
    [
        ("5\t1\t1000\t3\t1:0 1/2:50\n", 1, "participants", "expected 3 participants"),
        ("5\t1\t1000\t2\t1:0 7/2:50\n", 1, "participants", "does not start at the root"),
        ("5\t1\tnoon\t2\t1:0 1/2:50\n", 1, "publish_time", "a whole number"),
        ("5\t1\t1000\t2\t1:0 1/2\n", 1, "participants", "user/user/...:seconds"),
        ("5,1,1000,2,1:0 1/2:50\n", 1, None, "separated by commas"),
        ("5\t1\t1000\t2\t1:0 1/2:50\n6\t1\t10", 2, None, "truncated"),
    ],
)
def test_deephawkes_errors(tmp_path, text, row, column, words):
    path = tmp_path / "d.txt"
    path.write_text(text)
    with pytest.raises(FormatError) as info:
        read_cascades(path)
    assert info.value.row == row and info.value.column == column and words in str(info.value)


def test_registered_readers_are_these(tmp_path):
    for name in ("twitter-trees", "weibo-ced", "deephawkes"):
        assert get_format(name).summary
