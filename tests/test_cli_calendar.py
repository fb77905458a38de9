"""Issue 11 on the command line: `ripplemeter calendar ...` (plan, review, list, bulk)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from icalendar import Calendar
from typer.testing import CliRunner

from ripplemeter.cli import app

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
MASTO = "mastodon:109876"
BSKY = "bluesky:did:plc:abc123"


def run(*args, input=None, user=None):
    env = {"RIPPLEMETER_USER": user} if user else None
    return CliRunner().invoke(app, list(args), input=input, env=env)


def ok(res):
    assert res.exit_code == 0, res.output
    return res.stdout


def one_error_line(res) -> str:
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    lines = [ln for ln in res.stderr.strip().splitlines() if not ln.startswith("note:")]
    assert len(lines) == 1, res.stderr
    return lines[0]


@pytest.fixture
def here(tmp_path, monkeypatch):
    """A project folder: the example standards and team, two registered accounts."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RIPPLEMETER_USER", raising=False)
    shutil.copy(EXAMPLES / "standards.toml", tmp_path / "standards.toml")
    shutil.copy(EXAMPLES / "team.toml", tmp_path / "team.toml")
    ok(run("accounts", "add", MASTO, "--role", "owned", "--timezone", "Asia/Seoul", "--as", "mina"))
    ok(run("accounts", "add", BSKY, "--role", "owned", "--timezone", "Asia/Seoul", "--as", "mina"))
    return tmp_path


def test_plan_a_week_for_two_accounts_and_get_it_approved(here):
    out = ok(
        run(
            "calendar", "add", "New beans from Ethiopia #coffee", "-a", MASTO, "-a", BSKY,
            "--at", "2030-01-07 09:00", "--pillar", "product", "--as", "tom",
        )
    )  # fmt: skip
    assert out.strip() == "p1: planned as a draft (state draft, version 1)"
    ok(
        run(
            "calendar",
            "add",
            "Latte art class",
            "-a",
            MASTO,
            "--at",
            "2030-01-09 18:00",
            user="tom",
        )
    )
    assert ok(run("calendar", "submit", "p1", "--as", "tom")).strip() == (
        "p1: sent for review (state in_review, version 1)"
    )
    out = ok(run("calendar", "approve", "p1", "--as", "jisoo", "-m", "lovely"))
    assert out.strip() == "p1: approved (state approved, version 1)"
    out = ok(run("calendar", "schedule", "p1", "--as", "tom"))
    # 09:00 in Seoul is shown in the account's zone
    assert out.strip() == "p1: scheduled for 2030-01-07 09:00 KST (state scheduled, version 1)"

    listing = json.loads(ok(run("calendar", "list", "--json", "--as", "sam")))
    assert [(p["plan_id"], p["state"], p["scheduled_at"]) for p in listing] == [
        ("p1", "scheduled", "2030-01-07T00:00:00+00:00"),
        ("p2", "draft", "2030-01-09T09:00:00+00:00"),
    ]
    assert listing[0]["scheduled_local"] == "2030-01-07T09:00:00+09:00"
    assert listing[0]["approvals"] == ["jisoo"]

    table = ok(
        run(
            "calendar",
            "list",
            "--week",
            "--from",
            "2030-01-08",
            "--tz",
            "Asia/Seoul",
            "--as",
            "sam",
        )
    )
    # a table per account; the Mastodon one has both days, the Bluesky one only Monday
    assert f"{BSKY} (Asia/Seoul)" in table and f"{MASTO} (Asia/Seoul)" in table
    masto = table[table.index(f"{MASTO} (Asia/Seoul)") :]
    assert "Mon 2030-01-07" in masto and "Wed 2030-01-09" in masto
    bsky = table[table.index(f"{BSKY} (Asia/Seoul)") : table.index(f"{MASTO} (Asia/Seoul)")]
    assert "Mon 2030-01-07" in bsky and "Wed 2030-01-09" not in bsky
    assert "Latte art class" not in ok(run("calendar", "list", "--account", BSKY, "--as", "sam"))

    shown = json.loads(ok(run("calendar", "show", "p1", "--json", "--as", "sam")))
    assert [(h["action"], h["from"], h["to"], h["actor"]) for h in shown["history"]] == [
        ("create", None, "draft", "tom"),
        ("submit", "draft", "in_review", "tom"),
        ("approve", "in_review", "approved", "jisoo"),
        ("schedule", "approved", "scheduled", "tom"),
    ]
    assert shown["history"][2]["comment"] == "lovely"


def test_refusals_name_the_rule_and_exit_2(here):
    ok(
        run(
            "calendar",
            "add",
            "Weekend sale #ad",
            "-a",
            MASTO,
            "--at",
            "2030-01-11 10:00",
            "--paid",
            "--as",
            "tom",
        )
    )
    line = one_error_line(run("calendar", "approve", "p1", "--as", "tom"))
    assert line == (
        "error: tom (editor) may not approve posts: rule 'post.approve' lets only admin or "
        "approver approve posts (team.toml gives tom the role editor)"
    )
    line = one_error_line(run("calendar", "approve", "p1", "--as", "jisoo"))
    assert line.endswith("(rule transition 'approve')")
    ok(run("calendar", "submit", "p1", "--as", "tom"))
    res = run("calendar", "approve", "p1", "--as", "wei")
    assert ok(res).strip() == "p1: approval recorded (state in_review, version 1)"
    assert "note: still needed: rule 'paid-two-approvers' needs 2 approvers (has 1)" in res.stderr
    line = one_error_line(run("calendar", "schedule", "p1", "--as", "tom"))
    assert "rule 'paid-two-approvers' needs an approval from the legal group" in line
    assert line.endswith("(rule approvals)")
    line = one_error_line(run("calendar", "add", "x", "-a", MASTO))
    assert "who is acting? pass --as ID or set RIPPLEMETER_USER" in line
    line = one_error_line(run("calendar", "add", "x", "-a", MASTO, "--as", "zed"))
    assert "'zed' is not a member of the team" in line


def test_edit_after_approval_goes_back_to_review(here):
    ok(run("calendar", "add", "Hello", "-a", MASTO, "--at", "2030-01-07 09:00", "--as", "tom"))
    ok(run("calendar", "submit", "p1", "--as", "tom"))
    ok(run("calendar", "approve", "p1", "--as", "jisoo"))
    out = ok(run("calendar", "edit", "p1", "--text", "Hello again", "--as", "tom"))
    assert out.strip() == "p1: edited (state in_review, version 2)"
    shown = json.loads(ok(run("calendar", "show", "p1", "--json", "--as", "tom")))
    assert shown["approvals"] == [] and shown["text"] == "Hello again"
    assert shown["history"][-1]["comment"] == "approvals by jisoo voided"


def test_submit_shows_the_findings(here):
    ok(
        run(
            "calendar",
            "add",
            "이번 주 최고의 원두",
            "-a",
            MASTO,
            "--at",
            "2030-01-07 09:00",
            "--as",
            "tom",
        )
    )
    res = run("calendar", "submit", "p1", "--as", "tom")
    assert res.exit_code == 0
    assert "banned-term" in res.stderr and "required-term" in res.stderr
    line = one_error_line(run("calendar", "approve", "p1", "--as", "jisoo"))
    assert line.endswith("(rule lint)")


def test_hootsuite_export_then_import_through_the_cli(here):
    ok(
        run(
            "calendar",
            "add",
            "=1+1 launch",
            "-a",
            MASTO,
            "--at",
            "2030-01-07 09:00",
            "--link",
            "https://r.example/a",
            "--as",
            "tom",
        )
    )
    ok(
        run(
            "calendar",
            "add",
            "Second, with a comma",
            "-a",
            MASTO,
            "--at",
            "2030-01-08 13:35",
            "--as",
            "tom",
        )
    )
    exported = ok(run("calendar", "export", "--format", "hootsuite", "--as", "sam"))
    assert exported.splitlines() == [
        "07/01/2030 09:00,'=1+1 launch,https://r.example/a",
        '08/01/2030 13:35,"Second, with a comma",',
    ]
    Path("plan.csv").write_text(exported, encoding="utf-8")
    line = one_error_line(run("calendar", "import", "plan.csv", "-a", BSKY, "--as", "tom"))
    assert "--date-order dmy" in line
    before = dt.datetime.now(dt.UTC).date()
    out = ok(
        run("calendar", "import", "plan.csv", "-a", BSKY, "--date-order", "dmy", "--as", "tom")
    )
    after = dt.datetime.now(dt.UTC).date()
    assert out.strip() == "plan.csv: 2 drafts planned (p3 to p4)"
    # the same bytes again, for the same account: nothing added, said plainly (exit 0): the
    # day and the file of the first import and what it planned, not an import-log number
    again = ok(
        run("calendar", "import", "plan.csv", "-a", BSKY, "--date-order", "dmy", "--as", "tom")
    )
    assert again.strip() in {
        f"plan.csv: already imported on {d} from plan.csv (2 drafts for {BSKY}); nothing added"
        for d in (before, after)
    }
    plans = json.loads(ok(run("calendar", "list", "--json", "--account", BSKY, "--as", "sam")))
    assert [(p["text"], p["link"], p["scheduled_local"]) for p in plans] == [
        ("=1+1 launch", "https://r.example/a", "2030-01-07T09:00:00+09:00"),
        ("Second, with a comma", None, "2030-01-08T13:35:00+09:00"),
    ]
    Path("bad.csv").write_text("07/01/2030 09:00,ok,\n07/01/2030 9:03,bad,\n", encoding="utf-8")
    line = one_error_line(
        run("calendar", "import", "bad.csv", "-a", MASTO, "--date-order", "dmy", "--as", "tom")
    )
    assert line.startswith("error: bad.csv, row 2, column 'Date': expected a time ending in 0 or 5")
    assert len(json.loads(ok(run("calendar", "list", "--json", "--as", "sam")))) == 4


def test_ical_export_to_a_file(here):
    ok(run("calendar", "add", "Hello", "-a", MASTO, "--at", "2030-01-07 09:00", "--as", "tom"))
    res = run("calendar", "export", "--format", "ical", "--out", "plan.ics", "--as", "sam")
    assert res.exit_code == 0 and res.stdout == ""
    cal = Calendar.from_ical(Path("plan.ics").read_bytes())
    (ev,) = cal.walk("VEVENT")
    assert str(ev["UID"]) == "p1@ripplemeter" and str(ev["STATUS"]) == "TENTATIVE"


def test_check_the_plan_against_the_standard(here):
    # posts_per_week 3..10 and 20% promotional at most (docs/examples/standards.toml)
    for day in ("07", "08", "09"):
        ok(
            run(
                "calendar",
                "add",
                f"Post {day}",
                "-a",
                MASTO,
                "--at",
                f"2030-01-{day} 09:00",
                "--as",
                "tom",
            )
        )
    ok(
        run(
            "calendar",
            "add",
            "Sale",
            "-a",
            MASTO,
            "--at",
            "2030-01-10 09:00",
            "--promotional",
            "--as",
            "tom",
        )
    )
    res = run(
        "calendar", "check", "--from", "2030-01-07", "--to", "2030-01-13", "--json", "--as", "sam"
    )
    assert res.exit_code == 1  # a finding: Bluesky has no post that week
    doc = json.loads(res.stdout)
    weeks = {(w["account_id"], w["week"]): w for w in doc["weekly"]}
    masto = weeks[(MASTO, "2030-01-07")]
    # 1 promotional of 4 posts = 25%, over the 20% target; 4 posts is within 3..10
    assert (masto["posts"], masto["promotional_share"], masto["over_mix"]) == (4, 0.25, True)
    assert masto["below_frequency"] is False
    bsky = weeks[(BSKY, "2030-01-07")]
    assert (bsky["posts"], bsky["promotional_share"], bsky["below_frequency"]) == (0, None, True)
    assert (doc["weeks_below_frequency"], doc["weeks_over_mix"]) == (1, 1)
    assert doc["waiting"] == [] and doc["failures"] == []


def test_list_shows_each_accounts_outcome(here):
    from ripplemeter.operations.calendar import mark_failed, mark_published
    from ripplemeter.workspace import Workspace

    ok(
        run(
            "calendar",
            "add",
            "Hello",
            "-a",
            MASTO,
            "-a",
            BSKY,
            "--at",
            "2030-01-07 09:00",
            "--as",
            "tom",
        )
    )
    ok(run("calendar", "submit", "p1", "--as", "tom"))
    ok(run("calendar", "approve", "p1", "--as", "jisoo"))
    ok(run("calendar", "schedule", "p1", "--as", "tom"))
    with Workspace("ripplemeter.duckdb") as ws:
        mark_published(ws, "p1", MASTO, "55", "https://m.example/@r/55", "tom")
        mark_failed(ws, "p1", BSKY, "ExpiredToken", "tom")
    masto = ok(run("calendar", "list", "--account", MASTO, "--as", "sam"))
    assert "published" in masto and "failed" not in masto
    bsky = ok(run("calendar", "list", "--account", BSKY, "--as", "sam"))
    assert "failed: ExpiredToken" in bsky


def test_a_workspace_from_before_the_calendar_gets_its_tables(here):
    from ripplemeter.workspace import Workspace

    with Workspace("ripplemeter.duckdb") as ws:  # as an older ripplemeter left it
        for t in ("planned_posts", "planned_variants", "plan_approvals", "plan_transitions"):
            ws.con.execute(f"DROP TABLE {t}")
    res = run("calendar", "list", "--as", "sam")
    assert res.exit_code == 0 and "note: nothing planned" in res.stderr
    assert json.loads(ok(run("calendar", "list", "--json", "--as", "sam"))) == []


def test_an_empty_week_names_the_weeks_that_hold_posts(here):
    """A new user's empty week says where the plan is (issue 11 follow-up): 2037-12-07 and
    -09 are in the week of Monday 7 December, 2037-12-21 in that of Monday 21 December."""
    for text, at in (
        ("New beans #coffee", "2037-12-07 09:00"),
        ("Latte art class", "2037-12-09 18:00"),
        ("Holiday blend #coffee", "2037-12-21 09:00"),
    ):
        ok(run("calendar", "add", text, "-a", MASTO, "--at", at, "--as", "tom"))
    res = run("calendar", "list", "--week", "--from", "2037-11-25", "--as", "sam")
    assert ok(res) == ""
    assert res.stderr.strip() == (
        "note: nothing planned in the week Mon 23 Nov - Sun 29 Nov 2037 (Asia/Seoul); posts "
        "are planned in the weeks of Mon 7 Dec 2037 (2 posts), Mon 21 Dec 2037 (1 post); "
        "pick another week with --from YYYY-MM-DD (any day in it), e.g. --from 2037-12-07 "
        "(the next planned post)"
    )
    # a month: December holds all three
    res = run("calendar", "list", "--month", "--from", "2038-01-15", "--as", "sam")
    assert ok(res) == ""
    assert res.stderr.strip() == (
        "note: nothing planned in the month Fri 1 Jan - Sun 31 Jan 2038 (Asia/Seoul); posts "
        "are planned in December 2037 (3 posts); pick another month with --from YYYY-MM-DD "
        "(any day in it), e.g. --from 2037-12-21 (the last planned post)"
    )


def test_calendar_list_titles_each_account_by_name_then_id(here):
    """A table per account reads '@ripple@mastodon.social (mastodon:109876, Asia/Seoul)':
    the name people know, the id `-a` takes, the zone of its times."""
    ok(
        run(
            "accounts", "add", MASTO, "--role", "owned", "--timezone", "Asia/Seoul",
            "--handle", "ripple@mastodon.social", "--as", "mina",
        )
    )  # fmt: skip
    ok(run("calendar", "add", "New beans", "-a", MASTO, "--at", "2030-01-07 09:00", "--as", "tom"))
    out = CliRunner().invoke(
        app, ["calendar", "list", "--account", MASTO, "--as", "sam"], env={"COLUMNS": "200"}
    )
    assert out.exit_code == 0, out.output
    assert "@ripple@mastodon.social (mastodon:109876, Asia/Seoul)" in out.stdout
