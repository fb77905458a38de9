"""The demo's content plan reaches the calendar commands (issue 11 follow-up).

``ripplemeter demo`` writes demo/data/plan.json, which the report's calendar section reads;
the calendar commands read the workspace beside campaign.toml. ``generate_demo`` loads the
plan into that workspace (``load_demo_plan`` -> ``Planner.import_posts``), so that
``calendar list``, ``show`` and ``check`` run in demo/data see the plan the report checks.

Expected figures are read by hand from ``ripplemeter.demo._plan_json``'s docstring (2
accounts planned from Monday 23 February to Sunday 5 April 2026 in Asia/Shanghai; X posts 4
times a week, Mastodon 3; the launch week of 2 March holds 4 + 3 posts).
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from ripplemeter import demo
from ripplemeter.campaign import load_campaign
from ripplemeter.cli import app
from ripplemeter.demo import generate_demo, load_demo_plan
from ripplemeter.operations import NotAllowed, TeamError
from ripplemeter.operations.calendar import (
    CalendarError,
    Planner,
    history,
    list_plans,
)
from ripplemeter.operations.standards import load_standards
from ripplemeter.operations.team import load_team
from ripplemeter.pipeline import import_and_evaluate
from ripplemeter.workspace import Workspace


def run(*args):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def ok(res):
    assert res.exit_code in (0, 1), res.output  # calendar check exits 1 on findings
    return res.stdout


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """One generated demo folder (data files and its workspace) for this module."""
    d = tmp_path_factory.mktemp("demo") / "data"
    generate_demo(d, seed=7)
    return d


@pytest.fixture
def here(data, monkeypatch):
    monkeypatch.chdir(data)
    monkeypatch.delenv("RIPPLEMETER_USER", raising=False)
    return data


def test_the_new_users_week_lists_the_seven_launch_posts(here):
    """The issue's command: the week of 2 March held nothing before the fix."""
    res = run("calendar", "list", "--week", "--from", "2026-03-02", "--as", "sam")
    assert res.exit_code == 0, res.output
    assert "nothing planned" not in res.stderr
    assert res.stdout.splitlines()[0] == "The week Mon 2 Mar - Sun 8 Mar 2026 (Asia/Shanghai)"
    week = json.loads(
        ok(run("calendar", "list", "--week", "--from", "2026-03-02", "--json", "--as", "sam"))
    )
    by_acc = {}
    for p in week:
        by_acc.setdefault(p["accounts"][0], []).append(p["scheduled_local"][:16])
    # X: Mon, Wed, Fri 10:00 and Sat 11:00; Mastodon: Tue, Thu, Sat 12:00
    assert by_acc == {
        "x:lumentea": [
            "2026-03-02T10:00",
            "2026-03-04T10:00",
            "2026-03-06T10:00",
            "2026-03-07T11:00",
        ],
        "mastodon:110552": ["2026-03-03T12:00", "2026-03-05T12:00", "2026-03-07T12:00"],
    }
    # 2 of X's 4 and 1 of Mastodon's 3 are promotional (the launch offers)
    assert sorted((p["accounts"][0], p["promotional"]) for p in week if p["promotional"]) == [
        ("mastodon:110552", True),
        ("x:lumentea", True),
        ("x:lumentea", True),
    ]


def test_the_workspace_plan_is_plan_json_record_for_record(here):
    """`calendar list --json` prints what plan.json says: states, approvals, publications."""
    listed = json.loads(ok(run("calendar", "list", "--json", "--as", "sam")))
    assert listed == json.loads((here / demo.PLAN_FILE).read_text(encoding="utf-8"))
    assert len(listed) == 42  # 6 weeks x (4 + 3), one X post fewer on 16 March, + the paid post


def test_show_names_the_import_in_the_audit_log(here):
    res = run("calendar", "show", "p18", "--as", "sam")
    assert res.exit_code == 0, res.output
    assert "imported from plan.json" in res.stdout
    assert "401 The access token is invalid" in res.stdout
    with Workspace(here / demo.WORKSPACE_FILE, read_only=True) as ws:
        log = history(ws)
    assert len(log) == 42 and set(log["action"]) == {"import"}
    assert set(log["comment"]) == {"imported from plan.json"}
    assert set(log["actor"]) == {"mina"} and log["from_state"].isna().all()
    # the state each post was imported in, counted by hand from _plan_json's docstring
    states = log["to_state"].value_counts().to_dict()
    assert states["failed"] == 1 and states["draft"] == 1 and states["in_review"] == 2
    assert states["cancelled"] == 1


def test_calendar_check_agrees_with_the_report(here, tmp_path):
    """The report's section (reading plan.json) and `calendar check` (reading the workspace)
    count the same posts per account and week, and the same waiting and failed posts."""
    check = json.loads(
        ok(
            run(
                "calendar", "check", "--from", "2026-03-01", "--to", "2026-03-31",
                "--json", "--as", "sam",
            )
        )
    )  # fmt: skip
    text = (here / demo.CAMPAIGN_FILE).read_text(encoding="utf-8")
    calendar = text[text.index("[calendar]") :]
    only = here / "only_calendar.toml"  # the demo's [calendar] and window alone
    only.write_text(
        '[campaign]\nname = "Lumen Tea plan"\nstart = 2026-03-01\nend = 2026-03-31\n'
        'timezone = "Asia/Shanghai"\n' + calendar,
        encoding="utf-8",
    )
    doc = import_and_evaluate(load_campaign(only), tmp_path / "ws.duckdb").value("calendar")

    def weeks(rows):
        return sorted((w["account_id"], w["week"], w["posts"], w["promotional"]) for w in rows)

    assert weeks(check["weekly"]) == weeks(doc["weekly"])
    # by hand: X 4, 4, 4, 2, 5, 4 posts from 23 Feb; Mastodon 3 every week
    assert [w[2] for w in weeks(check["weekly"]) if w[0] == "x:lumentea"] == [4, 4, 4, 2, 5, 4]
    assert [w[2] for w in weeks(check["weekly"]) if w[0] == "mastodon:110552"] == [3] * 6
    assert (
        (check["weeks_below_frequency"], check["weeks_over_mix"])
        == (
            doc["weeks_below_frequency"],
            doc["weeks_over_mix"],
        )
        == (1, 2)
    )
    assert (
        [w["plan_id"] for w in check["waiting"]]
        == [w["plan_id"] for w in doc["waiting_posts"]]
        == ["p35", "p37"]
    )
    assert (
        [f["plan_id"] for f in check["failures"]]
        == [f["plan_id"] for f in doc["failures"]]
        == ["p18"]
    )


def test_generating_the_demo_again_does_not_duplicate_the_plan(tmp_path):
    d = tmp_path / "data"
    generate_demo(d, seed=7)
    generate_demo(d, seed=7)  # `ripplemeter demo` run twice on the same folder
    again = load_demo_plan(d)
    assert again.imported == () and len(again.skipped) == 42
    with Workspace(d / demo.WORKSPACE_FILE, read_only=True) as ws:
        assert len(list_plans(ws)) == 42
        assert len(history(ws)) == 42
        ((n,),) = ws.con.execute("SELECT count(*) FROM plan_approvals").fetchall()
        ((m,),) = ws.con.execute("SELECT count(*) FROM plan_publications").fetchall()
    plan = json.loads((d / demo.PLAN_FILE).read_text(encoding="utf-8"))
    assert n == sum(len(p["approvals"]) for p in plan)
    assert m == sum(len(p["publications"]) for p in plan)


def test_without_load_plan_no_workspace_is_written(tmp_path):
    generate_demo(tmp_path, seed=7, load_plan=False)
    assert not (tmp_path / demo.WORKSPACE_FILE).exists()


# ------------------------------------------------------------ Planner.import_posts rules
@pytest.fixture
def planner_and_posts(data, tmp_path):
    """A fresh workspace with the demo's accounts, and the demo's posts read back."""
    ws = Workspace(tmp_path / "ws.duckdb")
    load_demo_plan(data, ws)  # registers the accounts
    posts = list_plans(ws)
    ws.close()
    ws = Workspace(tmp_path / "fresh.duckdb")
    from ripplemeter.operations.accounts import add_account

    for a in ("x:lumentea", "mastodon:110552"):
        add_account(ws, a, role="owned", timezone="Asia/Shanghai")
    planner = Planner(
        ws,
        team=load_team(data / demo.TEAM_FILE),
        standards=load_standards(data / demo.STANDARDS_FILE),
        clock=lambda: demo.PLAN_EXPORTED,
    )
    yield planner, posts
    ws.close()


def test_an_editor_cannot_import_approved_or_published_states(planner_and_posts):
    planner, posts = planner_and_posts
    with pytest.raises(NotAllowed, match="post.approve"):
        planner.import_posts("tom", posts)  # tom is an editor: he cannot approve
    drafts = [p for p in posts if p.state == "draft"]
    assert len(drafts) == 1
    assert planner.import_posts("tom", drafts).imported == (drafts[0].plan_id,)
    assert len(list_plans(planner.ws)) == 1


def test_import_is_all_or_nothing(planner_and_posts):
    import dataclasses

    planner, posts = planner_and_posts
    stranger = dataclasses.replace(posts[5], plan_id="p999", approvals=("nobody",))
    with pytest.raises(TeamError):
        planner.import_posts("mina", [*posts, stranger])
    unknown = dataclasses.replace(posts[5], plan_id="p998", accounts=("x:someoneelse",))
    with pytest.raises(CalendarError, match="not in the registry"):
        planner.import_posts("mina", [*posts, unknown])
    with pytest.raises(CalendarError, match="given twice"):
        planner.import_posts("mina", [*posts, posts[0]])
    assert list_plans(planner.ws) == []
    done = planner.import_posts("mina", posts, comment="imported from plan.json")
    assert len(done.imported) == 42 and done.skipped == ()
    # a new post continues the numbering after the imported ones
    later = planner.add("tom", "After the import #LumenTea", ["x:lumentea"], "2026-04-10 10:00")
    assert later.plan_id == "p43"


def test_the_demo_plan_accounts_read_by_name_not_number(data, tmp_path):
    # the Mastodon account's id is a number: without its handle the plan tables could only
    # say "Mastodon account 110552"
    from ripplemeter.evaluate.calendar_section import account_names, reader_account

    ws = Workspace(tmp_path / "names.duckdb")
    try:
        load_demo_plan(data, ws)
        names = account_names(ws)
        assert reader_account("mastodon:110552", names) == "@lumentea@mastodon.social"
        assert reader_account("x:lumentea", names) == "@lumentea"
    finally:
        ws.close()
