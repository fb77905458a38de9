"""Issue 11, the content calendar: states, legal transitions, roles, approvals, audit log.

The team and standards are docs/examples/team.toml and standards.toml: tom is an editor,
jisoo (legal) and wei approvers, sam a viewer, mina an admin. The standard's approval rules
are ``every-post`` (one approver) and ``paid-two-approvers`` (two, one of them from legal).
Every expected state below follows from docs/operations.md's transition table by hand.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ripplemeter.operations import NotAllowed, TeamError
from ripplemeter.operations.accounts import add_account
from ripplemeter.operations.calendar import (
    STATES,
    TRANSITIONS,
    CalendarError,
    Planner,
    due_posts,
    get_plan,
    history,
    list_plans,
    mark_failed,
    mark_published,
)
from ripplemeter.operations.standards import load_standards
from ripplemeter.operations.team import load_team
from ripplemeter.workspace import Workspace

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
MASTO = "mastodon:109876"
BSKY = "bluesky:did:plc:abc123"
T0 = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self, t: dt.datetime) -> None:
        self.t = t

    def __call__(self) -> dt.datetime:
        return self.t


@pytest.fixture
def cal():
    ws = Workspace()
    add_account(ws, MASTO, role="owned", timezone="Asia/Seoul")
    add_account(ws, BSKY, role="owned", timezone="Asia/Seoul")
    add_account(ws, "x:777", role="competitor")
    clock = Clock(T0)
    planner = Planner(
        ws,
        team=load_team(EXAMPLES / "team.toml"),
        standards=load_standards(EXAMPLES / "standards.toml"),
        clock=clock,
    )
    planner.clock_obj = clock
    yield planner
    ws.close()


CLEAN = "New single origin beans from Ethiopia this week #coffee"


def draft(p: Planner, **kw) -> str:
    kw.setdefault("text", CLEAN)
    text = kw.pop("text")
    accounts = kw.pop("accounts", [MASTO, BSKY])
    return p.add("tom", text, accounts, kw.pop("when", "2026-12-07 09:00"), **kw).plan_id


def in_state(p: Planner, state: str) -> str:
    """A post brought to ``state`` through legal steps only."""
    pid = draft(p)
    if state == "draft":
        return pid
    p.submit("tom", pid)
    if state == "in_review":
        return pid
    p.approve("jisoo", pid)
    if state == "approved":
        return pid
    if state == "cancelled":
        p.cancel("tom", pid)
        return pid
    p.schedule("tom", pid)
    if state == "scheduled":
        return pid
    if state == "failed":
        mark_failed(p.ws, pid, MASTO, "422 Validation failed: Text too long", "tom", now=T0)
        return pid
    mark_published(p.ws, pid, MASTO, "1", "https://m/1", "tom", now=T0)
    mark_published(p.ws, pid, BSKY, "at://b/1", "https://b/1", "tom", now=T0)
    assert get_plan(p.ws, pid).state == "published"
    return pid


def act(p: Planner, action: str, pid: str):
    if action == "edit":
        return p.edit("tom", pid, text=CLEAN + " again")
    if action in ("approve", "reject"):
        return getattr(p, action)("wei", pid)
    if action == "publish":
        return mark_published(p.ws, pid, MASTO, "99", "https://m/99", "tom", now=T0)
    if action == "fail":
        return mark_failed(p.ws, pid, MASTO, "500", "tom", now=T0)
    return getattr(p, action)("tom", pid)


def test_the_transition_table_covers_every_state():
    starts = {s for froms, _, _ in TRANSITIONS.values() for s in froms}
    assert starts == set(STATES) - {"published", "cancelled"}  # the two end states


ILLEGAL = [(s, a) for a, (starts, _, _) in TRANSITIONS.items() for s in STATES if s not in starts]


def test_illegal_pairs_are_the_complement_of_the_table():
    # 8 actions x 7 states = 56 pairs; legal: edit 5, submit 1, approve 1, reject 1,
    # schedule 2, publish 2, fail 1, cancel 5 = 18; so 38 illegal
    assert len(ILLEGAL) == 38


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_every_illegal_transition_is_refused_naming_the_rule(cal, state, action):
    pid = in_state(cal, state)
    before = get_plan(cal.ws, pid)
    n_log = len(history(cal.ws))
    with pytest.raises(CalendarError) as exc:
        act(cal, action, pid)
    if action == "schedule" and state in ("draft", "in_review"):
        # scheduling before approval names the approval rule that is not met
        assert exc.value.rule == "approvals"
        # the post is the sentence's subject: "p1 is in review and ...", no colon
        said = state.replace("_", " ")
        assert str(exc.value).startswith(f"{pid} is {said} and cannot be scheduled without the")
        assert "rule 'every-post' needs 1 approver (has none)" in str(exc.value)
    elif action == "edit" and state == "published":
        # the specific rule docs/operations.md names
        assert exc.value.rule == "edit.published"
        assert str(exc.value) == (
            f"{pid} is published and cannot be edited; plan a new post instead "
            "(rule edit.published)"
        )
    else:
        assert exc.value.rule == f"transition '{action}'"
        assert f"rule transition '{action}'" in str(exc.value)
        assert f"that is {state}" in str(exc.value)
    after = get_plan(cal.ws, pid)
    assert (after.state, after.version) == (before.state, before.version)
    assert len(history(cal.ws)) == n_log  # nothing logged for a refused action


# who may do what (team.toml roles; PERMISSIONS of team.py)
REFUSED = [
    ("sam", "add", "post.create"),
    ("jisoo", "add", "post.create"),
    ("sam", "edit", "post.edit"),
    ("wei", "edit", "post.edit"),
    ("sam", "submit", "post.submit"),
    ("jisoo", "submit", "post.submit"),
    ("tom", "approve", "post.approve"),
    ("sam", "approve", "post.approve"),
    ("tom", "reject", "post.approve"),
    ("jisoo", "schedule", "post.schedule"),
    ("sam", "cancel", "post.cancel"),
    ("wei", "cancel", "post.cancel"),
]


@pytest.mark.parametrize(("user", "action", "rule"), REFUSED)
def test_every_unauthorised_action_is_refused_naming_the_rule(cal, user, action, rule):
    state = {"approve": "in_review", "reject": "in_review", "schedule": "approved"}.get(
        action, "draft"
    )
    pid = in_state(cal, state)
    n_log = len(history(cal.ws))
    with pytest.raises(NotAllowed) as exc:
        if action == "add":
            cal.add(user, CLEAN, [MASTO], "2026-12-07 09:00")
        elif action == "edit":
            cal.edit(user, pid, text="changed")
        else:
            getattr(cal, action)(user, pid)
    assert exc.value.rule.startswith(f"{rule}: only")
    assert f"rule '{rule}'" in str(exc.value)
    assert len(history(cal.ws)) == n_log


def test_publisher_roles_and_strangers(cal):
    pid = in_state(cal, "scheduled")
    with pytest.raises(NotAllowed, match="rule 'post.publish'"):
        mark_published(cal.ws, pid, MASTO, "1", None, "jisoo", team=cal.team, now=T0)
    with pytest.raises(NotAllowed, match="rule 'post.publish'"):
        mark_failed(cal.ws, pid, MASTO, "boom", "sam", team=cal.team, now=T0)
    with pytest.raises(TeamError, match="'zed' is not a member"):
        cal.add("zed", CLEAN, [MASTO], "2026-12-07 09:00")
    assert get_plan(cal.ws, pid).state == "scheduled"


def test_lifecycle_and_the_audit_log_holds_every_transition(cal):
    clock = cal.clock_obj
    pid = draft(cal)
    post = get_plan(cal.ws, pid)
    # 2026-12-07 09:00 in Seoul (UTC+9, no daylight saving) is 00:00 UTC
    assert post.scheduled_at == dt.datetime(2026, 12, 7, 0, 0, tzinfo=dt.UTC)
    assert post.timezone == "Asia/Seoul"
    clock.t = T0 + dt.timedelta(minutes=1)
    cal.submit("tom", pid, "ready")
    clock.t = T0 + dt.timedelta(minutes=2)
    assert cal.approve("jisoo", pid).state == "approved"  # every-post: one approver
    clock.t = T0 + dt.timedelta(minutes=3)
    cal.schedule("tom", pid)
    assert due_posts(cal.ws, dt.datetime(2026, 12, 6, 23, 59, tzinfo=dt.UTC)) == []
    due = due_posts(cal.ws, dt.datetime(2026, 12, 7, 0, 0, tzinfo=dt.UTC))
    assert [d.plan_id for d in due] == [pid]
    assert due[0].pending_accounts == (MASTO, BSKY)
    t_pub = dt.datetime(2026, 12, 7, 0, 0, 5, tzinfo=dt.UTC)
    post = mark_published(cal.ws, pid, MASTO, "111", "https://m.example/@r/111", "tom", now=t_pub)
    assert post.state == "scheduled" and post.pending_accounts == (BSKY,)
    # the publisher retrying after a crash records the same id: nothing changes
    again = mark_published(cal.ws, pid, MASTO, "111", "https://m.example/@r/111", "tom", now=t_pub)
    assert again == post
    t_fail = dt.datetime(2026, 12, 7, 0, 0, 9, tzinfo=dt.UTC)
    post = mark_failed(cal.ws, pid, BSKY, "RateLimitExceeded: try later", "tom", now=t_fail)
    assert post.state == "failed"
    assert post.publications[BSKY].error == "RateLimitExceeded: try later"
    clock.t = dt.datetime(2026, 12, 7, 0, 5, tzinfo=dt.UTC)
    assert cal.schedule("tom", pid, "retry").state == "scheduled"  # a retry may be late
    t_done = dt.datetime(2026, 12, 7, 0, 6, tzinfo=dt.UTC)
    post = mark_published(
        cal.ws, pid, BSKY, "at://did/app.bsky.feed.post/3k", None, "tom", now=t_done
    )
    assert post.state == "published"
    with pytest.raises(CalendarError, match="transition 'publish'"):
        mark_published(cal.ws, pid, MASTO, "222", None, "tom", now=t_done)

    log = history(cal.ws, pid)
    rows = [
        (r.action, r.from_state if isinstance(r.from_state, str) else None, r.to_state, r.actor)
        for r in log.itertuples()
    ]
    assert rows == [
        ("create", None, "draft", "tom"),
        ("submit", "draft", "in_review", "tom"),
        ("approve", "in_review", "approved", "jisoo"),
        ("schedule", "approved", "scheduled", "tom"),
        ("publish", "scheduled", "scheduled", "tom"),
        ("fail", "scheduled", "failed", "tom"),
        ("schedule", "failed", "scheduled", "tom"),
        ("publish", "scheduled", "published", "tom"),
    ]
    ats = [r.at.to_pydatetime().replace(tzinfo=dt.UTC) for r in log.itertuples()]
    assert ats == [
        T0,
        T0 + dt.timedelta(minutes=1),
        T0 + dt.timedelta(minutes=2),
        T0 + dt.timedelta(minutes=3),
        t_pub,
        t_fail,
        dt.datetime(2026, 12, 7, 0, 5, tzinfo=dt.UTC),
        t_done,
    ]
    comments = list(log["comment"])
    assert comments[1] == "ready"
    assert comments[5] == f"{BSKY}: RateLimitExceeded: try later"
    assert list(log["seq"]) == sorted(log["seq"])


def test_paid_post_needs_two_approvers_one_from_legal(cal):
    pid = draft(cal, text=CLEAN + " #ad", paid=True)
    cal.submit("tom", pid)
    post = cal.approve("wei", pid)
    assert post.state == "in_review" and post.approvals == ("wei",)
    with pytest.raises(CalendarError) as exc:
        cal.schedule("tom", pid)
    assert exc.value.rule == "approvals"
    assert "rule 'paid-two-approvers' needs 2 approvers (has 1)" in str(exc.value)
    assert "rule 'paid-two-approvers' needs an approval from the legal group" in str(exc.value)
    with pytest.raises(CalendarError, match="rule approvals.twice"):
        cal.approve("wei", pid)
    assert cal.approve("jisoo", pid).state == "approved"
    assert cal.schedule("tom", pid).state == "scheduled"


def test_the_author_never_approves_their_own_post(cal):
    pid = cal.add("mina", CLEAN, [MASTO], "2026-12-07 09:00").plan_id  # mina is an admin
    cal.submit("mina", pid)
    with pytest.raises(CalendarError, match="rule approvals.own-post"):
        cal.approve("mina", pid)
    assert get_plan(cal.ws, pid).approvals == ()


def test_a_member_who_edited_the_post_cannot_approve_it(cal):
    # issue 11 review: tom writes p1 and submits it; mina (admin) rewrites the text and
    # approves it alone. Her words would go out with nobody else reading them.
    pid = draft(cal, accounts=[MASTO])
    cal.submit("tom", pid)
    post = cal.edit("mina", pid, text=CLEAN + " (mina's words)")
    assert post.authors == ("tom", "mina")
    with pytest.raises(CalendarError, match="rule approvals.own-post") as exc:
        cal.approve("mina", pid)
    assert "mina edited this post" in str(exc.value)
    assert get_plan(cal.ws, pid).state == "in_review"
    # nor does her approval count towards the rules (every-post needs one approver)
    assert cal.shortfall(post, ["mina"]) == ["rule 'every-post' needs 1 approver (has none)"]
    assert cal.shortfall(post, ["mina", "wei"]) == []
    assert cal.approve("wei", pid).state == "approved"


@pytest.mark.parametrize("state", ["approved", "scheduled", "failed"])
def test_editing_an_approved_post_sends_it_back_to_review_and_voids_approvals(cal, state):
    pid = in_state(cal, state)
    assert get_plan(cal.ws, pid).approvals == ("jisoo",)
    post = cal.edit("tom", pid, text=CLEAN + " (new price)")
    assert (post.state, post.version, post.approvals) == ("in_review", 2, ())
    last = history(cal.ws, pid).iloc[-1]
    assert (last.action, last.from_state, last.to_state) == ("edit", state, "in_review")
    assert last.comment == "approvals by jisoo voided"
    (voided,) = cal.ws.con.execute(
        "SELECT count(*) FROM plan_approvals WHERE plan_id = ? AND voided_at IS NOT NULL", [pid]
    ).fetchone()
    assert voided == 1
    with pytest.raises(CalendarError, match=r"rule 'every-post' needs 1 approver \(has none\)"):
        cal.schedule("tom", pid)
    assert cal.approve("jisoo", pid).state == "approved"  # approved again, version 2


def test_a_post_published_on_one_account_cannot_be_edited(cal):
    pid = in_state(cal, "scheduled")
    mark_published(cal.ws, pid, MASTO, "1", None, "tom", now=T0)
    mark_failed(cal.ws, pid, BSKY, "expired token", "tom", now=T0)
    with pytest.raises(CalendarError, match="rule edit.published"):
        cal.edit("tom", pid, text="x")


def test_lint_errors_block_approval_and_are_stored(cal):
    # 최고 is banned in Korean and Korean posts must carry 리플커피 (docs/examples/standards.toml)
    pid = draft(cal, text="이번 주 최고의 원두", accounts=[MASTO])
    post = cal.submit("tom", pid)
    assert post.state == "in_review"
    rules = sorted((f["rule"], f["span_start"], f["span_end"]) for f in post.findings)
    # "이번 주 최고의 원두": 최고 starts at code point 5
    assert rules == [("banned-term", 5, 7), ("required-term", None, None)]
    with pytest.raises(CalendarError) as exc:
        cal.approve("jisoo", pid)
    assert exc.value.rule == "lint"
    assert f"banned-term on {MASTO}" in str(exc.value)
    assert get_plan(cal.ws, pid).approvals == ()
    # the next step the message gives is the one that works: edit (it stays in review),
    # then approve again; 'submit' would be refused (it starts only from draft)
    assert "the author fixes it with edit (it stays in review) and it is approved again" in (
        str(exc.value)
    )
    post = cal.edit("tom", pid, text="이번 주 리플커피 원두")
    assert post.state == "in_review"
    assert cal.approve("jisoo", pid).state == "approved"


def test_warnings_do_not_block_approval(cal):
    # a paid post disclosed only after the first 125 characters (the part shown before
    # 'more'): the linter warns, and warnings do not block approval
    long = "a" * 130 + " #ad"
    pid = draft(cal, text=long, accounts=[MASTO], paid=True)
    post = cal.submit("tom", pid)
    sev = {f["rule"]: f["severity"] for f in post.findings}
    assert set(sev.values()) == {"warning"}, post.findings
    cal.approve("jisoo", pid)
    assert cal.approve("wei", pid).state == "approved"


def test_over_length_variant_is_a_finding_at_submit(cal):
    # Bluesky counts graphemes: 301 of them is one over its 300
    text = "Fresh beans " + "☕" * 289
    pid = draft(cal, text=CLEAN, variants={"bluesky": text})
    post = cal.submit("tom", pid)
    (f,) = [f for f in post.findings if f["rule"] == "length.bluesky"]
    assert f["account_id"] == BSKY and f["severity"] == "error"
    assert f["why"] == "301 graphemes on bluesky, over its limit of 300"
    assert not [f for f in post.findings if f["account_id"] == MASTO]
    with pytest.raises(CalendarError, match="length.bluesky"):
        cal.approve("jisoo", pid)


def test_schedule_refuses_a_time_that_has_passed(cal):
    pid = in_state(cal, "approved")
    cal.clock_obj.t = dt.datetime(2026, 12, 7, 0, 0, tzinfo=dt.UTC)  # exactly the planned time
    with pytest.raises(CalendarError, match="rule schedule.future"):
        cal.schedule("tom", pid)


def test_a_time_that_has_passed_is_refused_at_add_and_edit(cal):
    # the clock is T0 = 2026-12-01 00:00 UTC = 09:00 in Seoul (UTC+9, no daylight saving)
    n = len(list_plans(cal.ws))
    with pytest.raises(CalendarError) as exc:
        draft(cal, when="2026-12-01 09:00")  # exactly now: not in the future
    assert exc.value.rule == "schedule.future"
    assert str(exc.value) == (
        "the time 2026-12-01 09:00 KST has passed; give a later time, or none to plan it "
        "without one (rule schedule.future)"
    )
    assert len(list_plans(cal.ws)) == n  # nothing added
    assert get_plan(cal.ws, draft(cal, when="2026-12-01 09:01")).state == "draft"
    untimed = draft(cal, when=None)  # planned without a time: accepted
    assert get_plan(cal.ws, untimed).scheduled_at is None
    pid = in_state(cal, "approved")
    with pytest.raises(CalendarError, match=r"2026-11-30 23:00 KST has passed.*schedule\.future"):
        cal.edit("tom", pid, when="2026-11-30 23:00")
    assert get_plan(cal.ws, pid).state == "approved"  # unchanged
    # an edit that leaves the time alone is not checked again
    assert cal.edit("tom", pid, text=CLEAN + " edited").state == "in_review"


def test_a_local_time_that_does_not_exist_or_happens_twice_is_refused(cal):
    # issue 11 review: 02:30 on Sunday 8 March 2026 does not exist in New York (the clocks
    # jump from 02:00 to 03:00) and 01:30 on Sunday 1 November 2026 happens twice (EDT,
    # UTC-4, then EST, UTC-5); both were accepted silently.
    cal.clock_obj.t = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # both days are still ahead
    with pytest.raises(CalendarError) as exc:
        cal.add("tom", CLEAN, [MASTO], "2026-03-08 02:30", tz="America/New_York")
    assert exc.value.rule == "time.nonexistent"
    assert str(exc.value).startswith(
        "02:30 does not exist on 2026-03-08 in America/New_York: the clocks go forward"
    )
    with pytest.raises(CalendarError) as exc:
        cal.add("tom", CLEAN, [MASTO], dt.datetime(2026, 11, 1, 1, 30), tz="America/New_York")
    assert exc.value.rule == "time.ambiguous"
    assert "01:30 on 2026-11-01 in America/New_York happens twice" in str(exc.value)
    assert "give the offset (2026-11-01 01:30-04:00 or 2026-11-01 01:30-05:00)" in str(exc.value)
    assert list_plans(cal.ws) == []
    # with the offset it is read as written: 01:30 EST is 06:30 UTC
    post = cal.add("tom", CLEAN, [MASTO], "2026-11-01 01:30-05:00", tz="America/New_York")
    assert post.scheduled_at == dt.datetime(2026, 11, 1, 6, 30, tzinfo=dt.UTC)
    # an edit to a nonexistent time is refused too, and the post keeps its time
    with pytest.raises(CalendarError, match="rule time.nonexistent"):
        cal.edit("tom", post.plan_id, when="2026-03-08 02:00", tz="America/New_York")
    assert get_plan(cal.ws, post.plan_id).version == 1


def test_accounts_must_be_registered_and_postable(cal):
    with pytest.raises(CalendarError, match="x:1 is not in the registry"):
        cal.add("tom", CLEAN, ["x:1"], "2026-12-07 09:00")
    with pytest.raises(CalendarError, match="x:777 is a competitor account"):
        cal.add("tom", CLEAN, ["x:777"], "2026-12-07 09:00")
    assert list_plans(cal.ws) == []


def test_list_by_week_and_account(cal):
    a = draft(cal, when="2026-12-07 09:00", accounts=[MASTO])
    b = draft(cal, text=CLEAN + " 2", when="2026-12-13 23:30", accounts=[BSKY])
    c = draft(cal, text=CLEAN + " 3", when="2026-12-14 00:00", accounts=[MASTO])
    kst = dt.timezone(dt.timedelta(hours=9))
    week = list_plans(
        cal.ws,
        start=dt.datetime(2026, 12, 7, tzinfo=kst),
        end=dt.datetime(2026, 12, 14, tzinfo=kst),
    )
    assert [p.plan_id for p in week] == [a, b]  # Monday 00:00 of the next week is out
    assert [p.plan_id for p in list_plans(cal.ws, account=MASTO)] == [a, c]


def test_text_for_a_platform_uses_its_variant_and_the_link(cal):
    pid = draft(cal, link="https://ripple.example/beans", variants={"x": "Short for X"})
    post = get_plan(cal.ws, pid)
    assert post.text_for("x") == "Short for X https://ripple.example/beans"
    assert post.text_for("mastodon") == CLEAN + " https://ripple.example/beans"


def test_plan_health_against_the_standard(cal):
    from ripplemeter.operations.calendar import plan_health

    # posts_per_week 3..10 and at most 20% promotional (docs/examples/standards.toml)
    def plan(when, accounts=(MASTO,), **kw):
        return cal.add("tom", f"{CLEAN} {when}", list(accounts), when, **kw).plan_id

    plan("2026-12-07 09:00", promotional=True)  # week of Mon 7 December, Seoul time
    plan("2026-12-08 09:00")
    plan("2026-12-09 09:00")
    plan("2026-12-13 23:30")  # Sunday night in Seoul: still the first week
    cal.cancel("tom", plan("2026-12-10 09:00", promotional=True))  # cancelled: not counted
    plan("2026-12-14 00:30")  # Monday in Seoul (Sunday 15:30 UTC): the second week
    failed = plan("2026-12-15 09:00")
    plan("2026-12-16 09:00")
    waiting = plan("2026-12-08 10:00", accounts=(BSKY,))
    cal.submit("tom", waiting)
    cal.submit("tom", failed)
    cal.approve("jisoo", failed)
    cal.schedule("tom", failed)
    mark_failed(cal.ws, failed, MASTO, "401 The access token was revoked", "tom", now=T0)

    h = plan_health(cal, dt.date(2026, 12, 7), dt.date(2026, 12, 20))
    got = [
        (r.account_id, r.week.isoformat(), r.posts, r.promotional, r.below_frequency, r.over_mix)
        for r in h.weekly.itertuples()
    ]
    assert sorted(got) == [
        (BSKY, "2026-12-07", 1, 0, True, False),  # 1 < 3
        (BSKY, "2026-12-14", 0, 0, True, False),
        (MASTO, "2026-12-07", 4, 1, False, True),  # 1/4 = 0.25 > 0.2
        (MASTO, "2026-12-14", 3, 0, False, False),  # the failed post was meant to go out
    ]
    masto1 = h.weekly[(h.weekly.account_id == MASTO) & (h.weekly.posts == 4)].iloc[0]
    assert masto1.promotional_share == 0.25 and masto1.max_promotional_share == 0.2
    assert (h.weeks_below_frequency, h.weeks_over_mix) == (2, 1)
    assert list(h.waiting.plan_id) == [waiting]
    assert h.waiting.missing.iloc[0] == "rule 'every-post' needs 1 approver (has none)"
    assert list(zip(h.failures.plan_id, h.failures.account_id, h.failures.error, strict=True)) == [
        (failed, MASTO, "401 The access token was revoked")
    ]


def test_calendar_zone_is_the_accounts_then_the_teams_then_utc(cal):
    """One rule for the days of every calendar view (list --week, check, the report)."""
    from ripplemeter.operations.calendar import calendar_zone, plan_health
    from ripplemeter.operations.standards import Standards, StandardsFile

    add_account(cal.ws, "mastodon:555", role="owned", timezone="America/New_York")
    add_account(cal.ws, "mastodon:556", role="owned")  # no zone registered
    std = cal.standards
    assert std.file.business_hours.timezone == "Asia/Seoul"  # docs/examples/standards.toml
    assert calendar_zone(cal.ws, std, "mastodon:555") == "America/New_York"
    assert calendar_zone(cal.ws, std, MASTO) == "Asia/Seoul"
    assert calendar_zone(cal.ws, std, "mastodon:556") == "Asia/Seoul"  # the team's
    assert calendar_zone(cal.ws, std) == "Asia/Seoul"
    assert calendar_zone(cal.ws, std, "x:not-registered") == "Asia/Seoul"
    plain = Standards(StandardsFile.model_validate({"brand": {"name": "Plain"}}))
    assert calendar_zone(cal.ws, plain, "mastodon:556") == "UTC"  # nothing names a zone
    assert calendar_zone(cal.ws, None) == "UTC"
    assert calendar_zone(cal.ws, plain, "mastodon:555") == "America/New_York"

    # check counts a zone-less account's weeks in the team's zone: Monday 14 December 07:00
    # in Seoul is Sunday 13 December 22:00 UTC, in the second week, not the first
    pid = cal.add("tom", CLEAN, ["mastodon:556"], "2026-12-14 07:00", tz="Asia/Seoul").plan_id
    assert get_plan(cal.ws, pid).scheduled_at == dt.datetime(2026, 12, 13, 22, 0, tzinfo=dt.UTC)
    h = plan_health(cal, dt.date(2026, 12, 7), dt.date(2026, 12, 20), accounts=["mastodon:556"])
    assert [(r.week.isoformat(), r.posts) for r in h.weekly.itertuples()] == [
        ("2026-12-07", 0),
        ("2026-12-14", 1),
    ]
