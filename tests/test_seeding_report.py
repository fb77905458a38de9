"""The campaign report's seeding section over a workspace follows graph."""

from __future__ import annotations

import json

import pytest

from ripplemeter.campaign import load_campaign
from ripplemeter.pipeline import import_and_evaluate
from ripplemeter.report import write_report


def test_star_graph_plan_picks_the_hub_and_its_exact_spread(tmp_path):
    # 20 accounts follow x:hub; x:leaf1 has one follower. Influence flows followed -> follower.
    rows = ["src_account_id,dst_account_id"]
    rows += [f"x:fan{i},x:hub" for i in range(20)]
    rows += ["x:fan0,x:leaf1"]
    (tmp_path / "follows.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "campaign.toml").write_text(
        """
[campaign]
name = "seeding"
start = 2026-03-01
end = 2026-03-31
[[sources]]
path = "follows.csv"
format = "generic"
table = "follows"
[seeding]
k = 1
probability = "constant:0.5"
mc_runs = 20000
"""
    )
    res = import_and_evaluate(load_campaign(tmp_path / "campaign.toml"))
    s = res.value("seeding")
    assert s["seeds"] == ["x:hub"]  # original ids, never internal indices
    # exact: the hub plus each of its 20 followers with probability 0.5
    assert abs(s["spread"]["mean"] - 11.0) < 4 * s["spread"]["stderr"]
    m = json.loads(write_report(res, tmp_path / "out").metrics.read_text())
    assert m["seeding"]["seeds"] == ["x:hub"]
    assert m["seeding"]["graph"] == {
        "nodes": 22,
        "edges": 21,
        "probability": "constant:0.5",
        "model": "ic",
        "self_loops_dropped": 0,
        "parallel_edges_combined": 0,
    }
    assert m["definitions"]["expected_spread"]["source"].startswith("Kempe")
    html = (tmp_path / "out" / "report.html").read_text()
    assert "Seeding plan" in html and "x:hub" in html


def test_no_follows_no_seeding_section(tmp_path):
    (tmp_path / "o.csv").write_text("date,metric,value\n2026-03-01,orders,1\n")
    (tmp_path / "campaign.toml").write_text(
        '[campaign]\nname = "x"\nstart = 2026-03-01\nend = 2026-03-31\n'
        '[[sources]]\npath = "o.csv"\nformat = "outcomes"\n'
    )
    res = import_and_evaluate(load_campaign(tmp_path / "campaign.toml"))
    assert res.value("seeding") is None
    assert res.metrics()["seeding"] is None


@pytest.mark.parametrize(
    "bad, key",
    [
        ("k = 0", "seeding.k"),
        ('model = "sir"', "seeding.model"),
        ('probability = "constant:2"', "seeding.probability"),
        ("budget = 10", "seeding.costs"),
    ],
)
def test_seeding_settings_are_validated(tmp_path, bad, key):
    from ripplemeter.errors import CampaignError

    (tmp_path / "campaign.toml").write_text(
        f'[campaign]\nname = "x"\nstart = 2026-03-01\nend = 2026-03-31\n[seeding]\n{bad}\n'
    )
    with pytest.raises(CampaignError, match=rf"key '{key}'"):
        load_campaign(tmp_path / "campaign.toml")
