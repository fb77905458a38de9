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


def test_guarantee_in_plain_words():
    from ripplemeter.evaluate.seeding import guarantee_in_words

    # 1 - 1/e - 0.1 = 0.5321 -> 53%; failure chance 1/n with n = 3,000
    w = guarantee_in_words("imm", 0.1, 3000)
    assert "at least 53% of the best possible choice" in w and "1 in 3,000" in w
    # budgeted: (1 - 1/e)/2 - 0.1 = 0.2161 -> 22%
    assert "at least 22% of the best choice the budget can buy" in guarantee_in_words(
        "opim-c-budgeted", 0.1, 10
    )
    assert "no proven guarantee" in guarantee_in_words("degree", None, 10)
    for jargon in ("1/e", "w.p.", "RR", "approximation"):
        assert jargon not in w


@pytest.mark.parametrize(
    "plan, base, verdict",
    [
        # the demo's figures: diff -1.312, se = hypot(2.5786, 2.6708) = 3.712 -> within 1.96 se
        ((1159.59, 2.5786), (1160.902, 2.6708), "same"),
        # diff 10, se = hypot(1, 1) = 1.414, 1.96 se = 2.77
        ((100.0, 1.0), (90.0, 1.0), "better"),
        ((90.0, 1.0), (100.0, 1.0), "worse"),
        # diff 2.7 < 2.77: still the same
        ((102.7, 1.0), (100.0, 1.0), "same"),
    ],
)
def test_plan_against_the_biggest_accounts(plan, base, verdict):
    from ripplemeter.evaluate.seeding import compare_with_top_degree

    got = compare_with_top_degree(
        {"mean": plan[0], "stderr": plan[1]}, {"mean": base[0], "stderr": base[1]}
    )
    assert got == verdict


def test_report_concludes_when_the_plan_is_the_biggest_accounts(tmp_path):
    # a star: the hub is both the plan's seed and the account with the most followers
    rows = ["src_account_id,dst_account_id"] + [f"x:fan{i},x:hub" for i in range(20)]
    (tmp_path / "follows.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "accounts.csv").write_text("account_id,platform,handle\nhub,x,lumentea\n")
    (tmp_path / "campaign.toml").write_text(
        '[campaign]\nname = "s"\nstart = 2026-03-01\nend = 2026-03-31\n'
        '[[sources]]\npath = "follows.csv"\nformat = "generic"\ntable = "follows"\n'
        '[[sources]]\npath = "accounts.csv"\nformat = "accounts"\n'
        '[seeding]\nk = 1\nprobability = "constant:0.5"\nmc_runs = 2000\n'
    )
    res = import_and_evaluate(load_campaign(tmp_path / "campaign.toml"))
    s = res.value("seeding")
    assert s["verdict_vs_top_degree"] == "same" and s["shared_with_top_degree"] == 1
    write_report(res, tmp_path / "out")
    page = (tmp_path / "out" / "report.html").read_text()
    html = page[page.index('<section id="seeding">') :]
    html = html[: html.index("</section>")]  # the section people read (not the Definitions)
    assert "this plan does no better than simply picking the biggest accounts" in html
    assert "Both choices are the very same accounts." in html
    assert "1 in 21" in html  # 21 accounts in the graph
    assert '<span title="x:hub">@lumentea</span>' in html  # a name, the id in a tooltip
    for jargon in ("approximation w.p.", "RR sets", "1/n^"):
        assert jargon not in html


def _section_text(out) -> str:
    """The seeding section's words, tags dropped, spaces collapsed."""
    import re

    page = (out / "report.html").read_text()
    html = page[page.index('<section id="seeding">') :]
    html = html[: html.index("</section>")]
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize(
    ("forced", "expected"),
    [
        # k = 1 and nothing forced: one account, said in the singular
        ("", "If the content is posted by this 1 account, it is expected to reach"),
        # forced accounts come on top of the k chosen (select_seeds: "Seeds to choose, in
        # addition to the forced ones"): 1 chosen + 1 named = 2
        (
            'forced = ["x:leaf1"]\n',
            "If the content is posted by these 2 accounts at the same time (the 1 chosen "
            "plus the 1 you named to post anyway), it is expected to reach",
        ),
    ],
)
def test_seed_count_sentence_says_how_forced_accounts_add_up(tmp_path, forced, expected):
    rows = ["src_account_id,dst_account_id"] + [f"x:fan{i},x:hub" for i in range(20)]
    rows += ["x:fan0,x:leaf1"]
    (tmp_path / "follows.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "campaign.toml").write_text(
        '[campaign]\nname = "s"\nstart = 2026-03-01\nend = 2026-03-31\n'
        '[[sources]]\npath = "follows.csv"\nformat = "generic"\ntable = "follows"\n'
        '[seeding]\nk = 1\nprobability = "constant:0.5"\nmc_runs = 200\n' + forced
    )
    res = import_and_evaluate(load_campaign(tmp_path / "campaign.toml"))
    s = res.value("seeding")
    assert s["seeds"] == (["x:leaf1", "x:hub"] if forced else ["x:hub"])
    write_report(res, tmp_path / "out")
    assert expected in _section_text(tmp_path / "out")


def test_cli_overlap_between_seeds_in_words():
    from ripplemeter.cli.seeds import overlap_sentence

    # the trial's figures: 1,064.3 counted twice or more against a joint 1,136.7
    line = overlap_sentence(1064.3, 1136.7)
    assert "added up one by one come to 2,201.0 accounts" in line  # 1064.3 + 1136.7
    assert "together they reach 1,136.7" in line
    assert "shared reach" not in line
