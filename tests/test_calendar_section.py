"""Issue 11 item 6, the ``calendar`` report section: the plan against the standard.

The small plan is the one of tests/test_operations_calendar.py's ``plan_health`` test
(docs/examples/standards.toml: 3 to 10 posts a week, at most 20% promotional; team.toml: tom
an editor, jisoo (legal) and wei approvers), planned in a campaign's workspace; every
expected figure below is counted by hand from the plan written in the test.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from ripplemeter.campaign import load_campaign
from ripplemeter.errors import CampaignError, FormatError
from ripplemeter.operations.accounts import add_account
from ripplemeter.operations.calendar import Planner, list_plans, mark_failed
from ripplemeter.operations.standards import load_standards
from ripplemeter.operations.team import load_team
from ripplemeter.pipeline import import_and_evaluate
from ripplemeter.report import write_report
from ripplemeter.workspace import Workspace

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
MASTO = "mastodon:109876"
BSKY = "bluesky:did:plc:abc123"
T0 = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)
CLEAN = "New single origin beans from Ethiopia this week #coffee"

CAMPAIGN = """[campaign]
name = "December plan"
start = 2026-12-07
end = 2026-12-20
timezone = "Asia/Seoul"
{extra}
"""
CALENDAR = f'[calendar]\nstandards = "{EXAMPLES / "standards.toml"}"\n'


def make_plan(ws_path: Path) -> dict[str, str]:
    """The hand-counted plan, written in the workspace at ``ws_path``; returns plan ids."""
    ws = Workspace(ws_path)
    try:
        add_account(ws, MASTO, role="owned", timezone="Asia/Seoul")
        add_account(ws, BSKY, role="owned", timezone="Asia/Seoul")
        add_account(ws, "x:777", role="competitor")
        team = load_team(EXAMPLES / "team.toml")
        cal = Planner(
            ws, team=team, standards=load_standards(EXAMPLES / "standards.toml"), clock=lambda: T0
        )

        def plan(when, accounts=(MASTO,), **kw):
            return cal.add("tom", f"{CLEAN} {when}", list(accounts), when, **kw).plan_id

        plan("2026-12-07 09:00", promotional=True)  # Mon 7 Dec, Seoul: week 1
        plan("2026-12-08 09:00")
        plan("2026-12-09 09:00")
        plan("2026-12-13 23:30")  # Sunday night in Seoul: still week 1
        cal.cancel("tom", plan("2026-12-10 09:00", promotional=True))  # not counted
        plan("2026-12-14 00:30")  # Monday in Seoul (Sunday 15:30 UTC): week 2
        failed = plan("2026-12-15 09:00")
        plan("2026-12-16 09:00")
        waiting = plan("2026-12-08 10:00", accounts=(BSKY,))
        later = plan("2026-12-22 10:00", accounts=(BSKY,))  # after the campaign
        for pid in (waiting, later, failed):
            cal.submit("tom", pid)
        cal.approve("jisoo", failed)
        cal.schedule("tom", failed)
        mark_failed(ws, failed, MASTO, "401 The access token was revoked", "tom", now=T0)
        return {"waiting": waiting, "later": later, "failed": failed}
    finally:
        ws.close()


def evaluate(tmp: Path, extra: str, ws_name: str = "ws.duckdb"):
    (tmp / "campaign.toml").write_text(CAMPAIGN.format(extra=extra), encoding="utf-8")
    return import_and_evaluate(load_campaign(tmp / "campaign.toml"), tmp / ws_name)


# By hand: MASTO week 1 (7-13 Dec) has 4 posts, 1 promotional (25% > 20%); week 2 has 3
# posts (the failed one counts), none promotional. BSKY week 1 has 1 post (< 3), week 2
# none (< 3). The post of 22 December lies after the campaign: not in a week, not waiting.
WEEKLY = [
    (BSKY, "2026-12-07", 1, 0.0, True, False),
    (BSKY, "2026-12-14", 0, None, True, False),
    (MASTO, "2026-12-07", 4, 0.25, False, True),
    (MASTO, "2026-12-14", 3, 0.0, False, False),
]


def weekly(doc: dict) -> list[tuple]:
    return sorted(
        (
            w["account_id"],
            w["week"],
            w["posts"],
            w["promotional_share"],
            w["below_frequency"],
            w["over_mix"],
        )
        for w in doc["weekly"]
    )


def test_figures_from_the_campaign_workspace_by_hand(tmp_path):
    ids = make_plan(tmp_path / "ws.duckdb")
    res = evaluate(tmp_path, CALENDAR)
    r = res["calendar"]
    assert r.status == "ok", r.reason
    doc = res.value("calendar")
    assert weekly(doc) == WEEKLY
    assert (res.value("calendar.account_weeks"), res.value("calendar.weeks_below_frequency")) == (
        4,
        2,
    )
    assert res.value("calendar.weeks_over_mix") == 1
    assert res.value("calendar.waiting") == 1  # the post of 22 December is outside the window
    assert doc["waiting_posts"] == [
        {
            "plan_id": ids["waiting"],
            "scheduled_local": "2026-12-08 10:00",
            "accounts": BSKY,
            # no handle registered: the platform's name and the native id, not the raw id
            "account_names": "Bluesky account did:plc:abc123",
            "missing": "rule 'every-post' needs 1 approver (has none)",
        }
    ]
    assert res.value("calendar.failed") == 1
    assert doc["failures"] == [
        {
            "plan_id": ids["failed"],
            "account_id": MASTO,
            "account": "Mastodon account 109876",
            "scheduled_local": "2026-12-15 09:00",
            "error": "401 The access token was revoked",
        }
    ]
    assert doc["plan"] == "the campaign's workspace" and doc["standards"] == "standards.toml"
    # the week without posts has a null share with its reason
    empty = [f for f in r.figures if f.metric == "calendar_promotional_share" and f.value is None]
    assert len(empty) == 1 and empty[0].reason == "no post planned that week"


@pytest.mark.parametrize("others_timed", [False, True])
def test_posts_in_review_without_a_time_are_counted_as_waiting(tmp_path, others_timed):
    # issue 11 review: an untimed post in review crashed the section (None <= datetime)
    # when it was the only one, and was dropped silently when others had times.
    ws = Workspace(tmp_path / "ws.duckdb")
    try:
        add_account(ws, MASTO, role="owned", timezone="Asia/Seoul")
        cal = Planner(
            ws,
            team=load_team(EXAMPLES / "team.toml"),
            standards=load_standards(EXAMPLES / "standards.toml"),
            clock=lambda: T0,
        )
        untimed = cal.add("tom", CLEAN, [MASTO]).plan_id
        cal.submit("tom", untimed)
        timed = None
        if others_timed:
            timed = cal.add("tom", CLEAN + " too", [MASTO], "2026-12-08 10:00").plan_id
            cal.submit("tom", timed)
    finally:
        ws.close()
    res = evaluate(tmp_path, CALENDAR)
    assert res["calendar"].status == "ok", res["calendar"].reason
    doc = res.value("calendar")
    need = "rule 'every-post' needs 1 approver (has none)"
    expected = [
        {
            "plan_id": untimed,
            "scheduled_local": "no time set",
            "accounts": MASTO,
            "account_names": "Mastodon account 109876",
        }
    ]
    if others_timed:  # timed posts first, by time; untimed last
        expected.insert(
            0,
            {
                "plan_id": timed,
                "scheduled_local": "2026-12-08 10:00",
                "accounts": MASTO,
                "account_names": "Mastodon account 109876",
            },
        )
    assert doc["waiting_posts"] == [{**e, "missing": need} for e in expected]
    assert res.value("calendar.waiting") == len(expected)


def test_an_exported_plan_gives_the_same_figures(tmp_path):
    """`calendar list --json` written to plan.json and named by [calendar] plan."""
    make_plan(tmp_path / "team.duckdb")
    ws = Workspace(tmp_path / "team.duckdb", read_only=True)
    try:
        posts = [p.to_dict() for p in list_plans(ws)]
    finally:
        ws.close()
    (tmp_path / "plan.json").write_text(json.dumps(posts, ensure_ascii=False), encoding="utf-8")
    a = evaluate(tmp_path, CALENDAR, "team.duckdb").value("calendar")
    b = evaluate(tmp_path, CALENDAR + 'plan = "plan.json"\n').value("calendar")
    assert b["plan"] == "plan.json"
    assert {k: v for k, v in a.items() if k != "plan"} == {
        k: v for k, v in b.items() if k != "plan"
    }


def test_an_exported_plan_names_accounts_from_the_campaign_workspace(tmp_path):
    """The exported plan names accounts by id only (the demo's ``mastodon:110552``); the
    campaign's workspace holds their handle and name, and the section shows those, not
    "Mastodon account 109876"."""
    ids = make_plan(tmp_path / "team.duckdb")
    ws = Workspace(tmp_path / "team.duckdb", read_only=True)
    try:
        posts = [p.to_dict() for p in list_plans(ws)]
    finally:
        ws.close()
    (tmp_path / "plan.json").write_text(json.dumps(posts, ensure_ascii=False), encoding="utf-8")
    ws = Workspace(tmp_path / "ws.duckdb")
    try:
        add_account(ws, MASTO, role="owned", handle="brand@mastodon.social", name="Brand")
        add_account(ws, BSKY, role="owned", name="Brand Sky")  # no handle: the name
    finally:
        ws.close()
    doc = evaluate(tmp_path, CALENDAR + 'plan = "plan.json"\n').value("calendar")
    assert sorted({(w["account_id"], w["account"]) for w in doc["weekly"]}) == [
        (BSKY, "Brand Sky"),
        (MASTO, "@brand@mastodon.social"),
    ]
    assert [(w["plan_id"], w["account_names"]) for w in doc["waiting_posts"]] == [
        (ids["waiting"], "Brand Sky")
    ]
    assert [(f["plan_id"], f["account"]) for f in doc["failures"]] == [
        (ids["failed"], "@brand@mastodon.social")
    ]


def test_without_a_calendar_table_or_a_plan_the_section_says_why(tmp_path):
    r = evaluate(tmp_path, "")["calendar"]
    assert r.status != "ok" and "no [calendar] table" in r.reason
    r = evaluate(tmp_path, CALENDAR)["calendar"]  # a workspace with no planned post
    assert r.status != "ok" and "the campaign's workspace holds no planned post" in r.reason


def test_unknown_setting_is_refused(tmp_path):
    with pytest.raises(CampaignError, match="stanards"):
        evaluate(tmp_path, '[calendar]\nstanards = "standards.toml"\n')


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{", "not JSON"),
        ('{"plan_id": "p1"}', "expected a list of planned posts"),
        ('[{"plan_id": "p1", "state": "draft", "text": "x", "accounts": []}]', "record 1"),
        (
            '[{"plan_id": "p1", "state": "sent", "text": "x", "accounts": ["a:1"], '
            '"scheduled_at": null}]',
            "record 1, field 'state'",
        ),
        (
            '[{"plan_id": "p1", "state": "draft", "text": "x", "accounts": ["a:1"], '
            '"scheduled_at": "2026-12-07 09:00"}]',
            "record 1, field 'scheduled_at': expected an ISO 8601 time with its offset",
        ),
    ],
)
def test_a_bad_plan_file_names_the_record_and_field(tmp_path, content, expected):
    (tmp_path / "plan.json").write_text(content, encoding="utf-8")
    with pytest.raises(FormatError, match="plan.json") as ei:
        evaluate(tmp_path, CALENDAR + 'plan = "plan.json"\n')
    assert expected in str(ei.value)


# ---------------------------------------------------------------- the demo
def test_the_demo_plan_exercises_every_figure(tmp_path):
    """The demo's plan.json through the section, and the section in the report.

    By hand from ripplemeter.demo._plan_json's docstring: 2 accounts x 6 weeks (23 February
    to 5 April); X's week of 16 March has 2 posts (below 3); X's launch week 2 of 4
    promotional (50%) and Mastodon's 1 of 3 (33%) are over 30%; p35 (paid, one approval, none
    from legal) and p37 (no approval) wait; p18 failed on Mastodon.
    """
    from ripplemeter.demo import generate_demo

    data = tmp_path / "data"
    toml = generate_demo(data, seed=7)
    text = toml.read_text(encoding="utf-8")
    assert "[calendar]" in text and 'standards = "standards.toml"' in text
    assert 'plan = "plan.json"' in text
    # the demo's [calendar] and window alone (its other sources are not needed here)
    calendar = text[text.index("[calendar]") :]
    (data / "only_calendar.toml").write_text(
        '[campaign]\nname = "Lumen Tea plan"\nstart = 2026-03-01\nend = 2026-03-31\n'
        'timezone = "Asia/Shanghai"\n' + calendar,
        encoding="utf-8",
    )
    res = import_and_evaluate(load_campaign(data / "only_calendar.toml"), tmp_path / "ws.duckdb")
    doc = res.value("calendar")
    assert (doc["account_weeks"], doc["weeks_below_frequency"], doc["weeks_over_mix"]) == (
        12,
        1,
        2,
    )
    flagged = sorted(
        (w["account_id"], w["week"], w["posts"], w["promotional"])
        for w in doc["weekly"]
        if w["below_frequency"] or w["over_mix"]
    )
    assert flagged == [
        ("mastodon:110552", "2026-03-02", 3, 1),
        ("x:lumentea", "2026-03-02", 4, 2),
        ("x:lumentea", "2026-03-16", 2, 0),
    ]
    assert [(w["plan_id"], w["missing"]) for w in doc["waiting_posts"]] == [
        (
            "p35",
            "rule 'paid-legal' needs 2 approvers (has 1); "
            "rule 'paid-legal' needs an approval from the legal group",
        ),
        ("p37", "rule 'every-post' needs 1 approver (has none)"),
    ]
    assert [(f["plan_id"], f["error"]) for f in doc["failures"]] == [
        ("p18", "401 The access token is invalid")
    ]
    html = write_report(res, tmp_path / "out").html.read_text(encoding="utf-8")
    assert 'data-metric="calendar_weeks_below_frequency"' in html
    assert "401 The access token is invalid" in html


@pytest.mark.slow
def test_the_demo_plan_is_what_the_calendar_itself_records(tmp_path):
    """The demo writes its plan records directly (fast); driving the calendar through the
    same legal steps, with the demo's clock, gives byte-identical JSON."""
    from datetime import datetime

    from ripplemeter import demo

    demo._write_text(tmp_path / "standards.toml", demo._standards_toml())
    demo._write_text(tmp_path / "team.toml", demo._team_toml())
    team = load_team(tmp_path / "team.toml")
    std = load_standards(tmp_path / "standards.toml", team)
    want = json.loads(demo._plan_json())
    ws = Workspace()
    try:
        for acc in (demo.PLAN_X, demo.PLAN_MASTODON):
            add_account(ws, acc, role="owned", timezone="Asia/Shanghai")
        cal = Planner(ws, team=team, standards=std, clock=lambda: T_DEMO)
        from ripplemeter.operations.calendar import mark_published

        for p in want:  # in plan-id order, as the demo created them
            local = datetime.fromisoformat(p["scheduled_local"]).replace(tzinfo=None)
            pid = cal.add(
                p["created_by"],
                p["text"],
                p["accounts"],
                local,
                campaign_id=p["campaign_id"],
                pillar=p["pillar"],
                promotional=p["promotional"],
                paid=p["paid"],
                lang=p["lang"],
            ).plan_id
            assert pid == p["plan_id"]
            acc = p["accounts"][0]
            if p["state"] == "cancelled":
                cal.cancel("tom", pid)
                continue
            if p["state"] == "draft":
                continue
            cal.submit("tom", pid)
            for who in p["approvals"]:
                cal.approve(who, pid)
            if p["state"] == "in_review":
                continue
            cal.schedule("tom", pid)
            pub = p["publications"].get(acc)
            if pub is None:
                continue
            at = datetime.fromisoformat(pub["at"])
            if pub["status"] == "failed":
                mark_failed(ws, pid, acc, pub["error"], "tom", team=team, now=at)
            else:
                mark_published(
                    ws, pid, acc, pub["platform_post_id"], pub["url"], "tom", team=team, now=at
                )
        got = [p.to_dict() for p in list_plans(ws)]
    finally:
        ws.close()
    assert got == want


T_DEMO = dt.datetime(2026, 2, 20, 1, 0, tzinfo=dt.UTC)  # the demo plan's creation time


def test_audit_and_inbox_use_the_calendar_standard_when_they_name_none(tmp_path):
    """A campaign names its standard once, under [calendar]; audit and inbox fall back to it."""
    import shutil
    from types import SimpleNamespace

    from ripplemeter.evaluate.calendar_section import CalendarSettings
    from ripplemeter.evaluate.inbox_section import load_section_standards

    examples = Path(__file__).resolve().parents[1] / "docs" / "examples"
    shutil.copy(examples / "standards.toml", tmp_path / "standards.toml")
    shutil.copy(examples / "team.toml", tmp_path / "team.toml")
    ctx = SimpleNamespace(
        settings={"calendar": CalendarSettings(standards="standards.toml")},
        campaign_file=tmp_path / "campaign.toml",
    )
    assert load_section_standards(ctx, None) is not None
    none = SimpleNamespace(settings={}, campaign_file=tmp_path / "campaign.toml")
    assert load_section_standards(none, None) is None
