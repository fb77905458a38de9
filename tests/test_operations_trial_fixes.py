"""What a new user tripped over following README.md and docs/operations.md (issue 11 trial).

- the findings table printed by ``calendar submit`` / ``approve`` names the post;
- ``calendar list --week|--month`` prints the days it shows (end included) and, when they are
  empty, which week it looked at and how to pick another (``--from``);
- ``python tests/publish_server.py`` (the rehearsal server) starts without the test tools,
  answers ``--help`` and says in one line what is missing (pyyaml, the data sets).
"""

# ruff: noqa: F811  (fixtures imported from publish_server are parameters here)
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from publish_server import BSKY_PASSWORD, MASTODON_TOKEN, api_samples, platforms  # noqa: F401
from ripplemeter.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "examples"
SERVER = ROOT / "tests" / "publish_server.py"
MASTO = "mastodon:109876"


def run(*args):
    return CliRunner().invoke(app, list(args))


def ok(res):
    assert res.exit_code == 0, res.output
    return res


@pytest.fixture
def here(tmp_path, monkeypatch):
    """The example standards and team, one Seoul account (as docs/operations.md sets up)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RIPPLEMETER_USER", raising=False)
    shutil.copy(EXAMPLES / "standards.toml", tmp_path / "standards.toml")
    shutil.copy(EXAMPLES / "team.toml", tmp_path / "team.toml")
    ok(run("accounts", "add", MASTO, "--role", "owned", "--timezone", "Asia/Seoul", "--as", "mina"))
    return tmp_path


# ---------------------------------------------------------------------------- findings tables
def test_findings_tables_name_the_post_on_submit_and_approve(here):
    ok(
        run(
            "calendar",
            "add",
            "Latte art class",
            "-a",
            MASTO,
            "--at",
            "2030-01-07 09:00",
            "--as",
            "tom",
        )
    )
    # p2: the only disclosure, '#ad', starts at character 130 (after the 125 a feed shows):
    # the example standard's disclosure-late warning, which does not block approval
    text = "x" * 129 + " #ad"
    assert text.index("#ad") == 130
    ok(
        run(
            "calendar",
            "add",
            text,
            "-a",
            MASTO,
            "--at",
            "2030-01-08 09:00",
            "--paid",
            "--as",
            "tom",
        )
    )
    sub = ok(run("calendar", "submit", "p2", "--as", "tom"))
    assert "Findings on p2, version 1" in sub.stderr
    assert "disclosure-late" in sub.stderr
    # why before what: on the terminal (stdout and stderr as one screen) the findings come
    # first, then the outcome line
    screen = sub.output
    assert screen.index("Findings on p2") < screen.index("disclosure-late")
    assert screen.index("disclosure-late") < screen.index("p2: sent for review")
    assert screen.rstrip().endswith("p2: sent for review (state in_review, version 1)")
    app_ = ok(run("calendar", "approve", "p2", "--as", "jisoo"))
    assert app_.stdout.strip() == "p2: approval recorded (state in_review, version 1)"
    assert "Findings on p2, version 1" in app_.stderr  # the warning the approver accepted
    # approve: the findings, then the outcome, then what is still missing (the paid rule's
    # second approver, from legal)
    screen = app_.output
    assert screen.index("disclosure-late") < screen.index("p2: approval recorded")
    assert screen.index("p2: approval recorded") < screen.index("note: still needed")
    # a clean post shows no table at all
    clean = ok(run("calendar", "submit", "p1", "--as", "tom"))
    assert "Findings" not in clean.output


# ---------------------------------------------------------------------------- calendar list
def test_list_week_prints_its_days_with_the_end_included(here):
    ok(
        run(
            "calendar",
            "add",
            "New beans #coffee",
            "-a",
            MASTO,
            "--at",
            "2037-12-07 09:00",
            "--as",
            "tom",
        )
    )
    # 2037-12-09 is a Wednesday; its week runs Monday 7 to Sunday 13 December (by the calendar)
    # without --tz or --account: the team's zone (standards.toml [business_hours])
    res = ok(run("calendar", "list", "--week", "--from", "2037-12-09", "--as", "sam"))
    assert res.stdout.splitlines()[0] == "The week Mon 7 Dec - Sun 13 Dec 2037 (Asia/Seoul)"
    assert "New beans #coffee" in res.stdout
    res = ok(run("calendar", "list", "--month", "--from", "2037-12-31", "--as", "sam"))
    assert res.stdout.splitlines()[0] == "The month Tue 1 Dec - Thu 31 Dec 2037 (Asia/Seoul)"
    # the zone of the bounds is named: the account's own when --account is given
    res = ok(
        run("calendar", "list", "--week", "--from", "2037-12-07", "--account", MASTO, "--as", "sam")
    )
    assert res.stdout.splitlines()[0] == "The week Mon 7 Dec - Sun 13 Dec 2037 (Asia/Seoul)"


def test_an_empty_week_says_which_and_how_to_pick_another(here):
    ok(
        run(
            "calendar",
            "add",
            "New beans #coffee",
            "-a",
            MASTO,
            "--at",
            "2037-12-07 09:00",
            "--as",
            "tom",
        )
    )
    # the week before: Mon 30 Nov - Sun 6 Dec (Seoul); the post is on Monday the 7th
    res = ok(run("calendar", "list", "--week", "--from", "2037-12-02", "--as", "sam"))
    assert res.stdout == ""
    assert res.stderr.strip() == (
        "note: nothing planned in the week Mon 30 Nov - Sun 6 Dec 2037 (Asia/Seoul); posts "
        "are planned in the week of Mon 7 Dec 2037 (1 post); pick another week "
        "with --from YYYY-MM-DD (any day in it), e.g. --from 2037-12-07 (the next planned post)"
    )
    # a week that straddles the new year names both years; the hint looks back
    res = ok(run("calendar", "list", "--week", "--from", "2037-12-31", "--as", "sam"))
    assert res.stderr.strip() == (
        "note: nothing planned in the week Mon 28 Dec 2037 - Sun 3 Jan 2038 (Asia/Seoul); posts "
        "are planned in the week of Mon 7 Dec 2037 (1 post); pick another week with --from YYYY-MM-DD (any day in it), e.g. --from 2037-12-07 (the last planned post)"
    )
    # the hint works: that week shows the post
    res = ok(run("calendar", "list", "--week", "--from", "2037-12-07", "--as", "sam"))
    assert "New beans #coffee" in res.stdout


def test_an_empty_plan_says_how_to_pick_a_week_without_a_hint_date(here):
    res = ok(run("calendar", "list", "--week", "--from", "2037-12-07", "--as", "sam"))
    assert res.stderr.strip() == (
        "note: nothing planned in the week Mon 7 Dec - Sun 13 Dec 2037 (Asia/Seoul); pick "
        "another week "
        "with --from YYYY-MM-DD (any day in it)"
    )


# ---------------------------------------------------------------------------- the week's zone
# Second trial: `calendar list --week` cut its week in UTC while each row shows the account's
# local time, so a Monday 07:00 post in Seoul (Sunday 22:00 UTC) fell into the week before.
# The bounds now follow `calendar check`'s rule (calendar_zone): --tz; else the --account's
# zone; else the team's (standards.toml [business_hours]); UTC only when nothing names one.
MONDAY_7 = "2037-12-07 07:00"  # Seoul; Sunday 6 December 22:00 UTC


def test_a_monday_morning_post_is_in_its_own_local_week(here):
    ok(run("calendar", "add", "Monday beans", "-a", MASTO, "--at", MONDAY_7, "--as", "tom"))
    res = ok(run("calendar", "list", "--week", "--from", "2037-12-07", "--as", "sam"))
    lines = res.stdout.splitlines()
    assert lines[0] == "The week Mon 7 Dec - Sun 13 Dec 2037 (Asia/Seoul)"
    assert "Mon 2037-12-07" in res.stdout and "07:00" in res.stdout
    assert "Monday beans" in res.stdout
    plans = json.loads(
        ok(
            run("calendar", "list", "--week", "--from", "2037-12-07", "--json", "--as", "sam")
        ).stdout
    )
    assert [p["plan_id"] for p in plans] == ["p1"]
    # ... and not in the week before (Mon 30 Nov - Sun 6 Dec, Seoul)
    res = ok(run("calendar", "list", "--week", "--from", "2037-12-06", "--as", "sam"))
    assert res.stdout == ""
    assert "the week Mon 30 Nov - Sun 6 Dec 2037 (Asia/Seoul)" in res.stderr
    # --tz still decides when given: in UTC it is a Sunday post of the week before
    res = ok(
        run("calendar", "list", "--week", "--from", "2037-12-06", "--tz", "UTC", "--as", "sam")
    )
    assert res.stdout.splitlines()[0] == "The week Mon 30 Nov - Sun 6 Dec 2037 (UTC)"
    assert "Monday beans" in res.stdout
    # the month too: 07:00 on 1 December in Seoul is 30 November in UTC
    ok(run("calendar", "add", "December", "-a", MASTO, "--at", "2037-12-01 07:00", "--as", "tom"))
    res = ok(run("calendar", "list", "--month", "--from", "2037-12-15", "--as", "sam"))
    assert res.stdout.splitlines()[0] == "The month Tue 1 Dec - Thu 31 Dec 2037 (Asia/Seoul)"
    assert "December" in res.stdout.split("\n", 1)[1]


def test_the_bounds_zone_is_the_accounts_then_the_teams_then_utc(here):
    ok(run("calendar", "add", "Monday beans", "-a", MASTO, "--at", MONDAY_7, "--as", "tom"))
    # an account in another zone than the team: its own zone, named in the header
    ny = "mastodon:555"
    ok(
        run(
            "accounts",
            "add",
            ny,
            "--role",
            "owned",
            "--timezone",
            "America/New_York",
            "--as",
            "mina",
        )
    )
    res = ok(
        run("calendar", "list", "--week", "--from", "2037-12-07", "--account", ny, "--as", "sam")
    )
    assert res.stderr.startswith(
        f"note: nothing planned for {ny} in the week Mon 7 Dec - Sun 13 Dec 2037 (America/New_York)"
    )
    # an account registered without a zone: the team's
    bare = "mastodon:556"
    ok(run("accounts", "add", bare, "--role", "owned", "--as", "mina"))
    res = ok(
        run("calendar", "list", "--week", "--from", "2037-12-07", "--account", bare, "--as", "sam")
    )
    assert "in the week Mon 7 Dec - Sun 13 Dec 2037 (Asia/Seoul)" in res.stderr
    # a standard without [business_hours] names no zone: UTC, and the Seoul Monday post is
    # then on the Sunday before (22:00 UTC), outside that week
    text = (here / "standards.toml").read_text(encoding="utf-8")
    start = text.index("[business_hours]")
    end = text.index("\n[", start)
    (here / "plain.toml").write_text(text[:start] + text[end + 1 :], encoding="utf-8")
    assert "business_hours" not in (here / "plain.toml").read_text(encoding="utf-8")
    res = ok(
        run(
            "calendar", "list", "--week", "--from", "2037-12-07",
            "--standards", "plain.toml", "--as", "sam",
        )
    )  # fmt: skip
    assert res.stdout == ""
    assert "in the week Mon 7 Dec - Sun 13 Dec 2037 (UTC)" in res.stderr
    # an unknown --tz is one plain error line, exit 2
    res = run("calendar", "list", "--week", "--tz", "Asia/Seol", "--as", "sam")
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "--tz 'Asia/Seol': unknown time zone; expected an IANA name such as Asia/Seoul" in (
        res.stderr
    )


# ---------------------------------------------------------------------------- rehearsal server
# The server runs as a user runs it, in a child process. BLOCK makes `import pytest` (and,
# when asked, `import yaml`) fail in that child, as in the venv `make demo` installs.
BLOCK = """
import runpy, sys
for name in sys.argv[1].split(","):
    if name:
        sys.modules[name] = None  # `import name` now raises ModuleNotFoundError
sys.argv = [{server!r}] + sys.argv[2:]
runpy.run_path({server!r}, run_name="__main__")
""".format(server=str(SERVER))


def server_process(block: str, *args: str, env: dict | None = None, **kw):
    full = {**os.environ, **(env or {})}
    return subprocess.Popen(
        [sys.executable, "-c", BLOCK, block, *args],
        env=full,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def finished(proc) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


def test_server_help_prints_usage_and_does_not_serve():
    code, out, err = finished(server_process("pytest,yaml", "--help"))
    assert code == 0, err
    assert out.splitlines()[0] == "usage: python tests/publish_server.py [--port N]"
    assert "Rehearse against the local test server" in out
    assert "RIPPLEMETER_DATA=/path/to/shared/data" in out
    assert "test server at" not in out and err == ""


def test_server_names_the_fix_when_pyyaml_is_missing():
    code, out, err = finished(server_process("pytest,yaml"))
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "error: the test server needs pyyaml to read the recorded Mastodon answer: run "
        "`make test` (installs the test tools) or `.venv/bin/pip install pyyaml`"
    ]


def test_server_names_the_fix_when_the_data_sets_are_missing(tmp_path):
    missing = tmp_path / "no-data"
    code, out, err = finished(server_process("pytest", env={"RIPPLEMETER_DATA": str(missing)}))
    assert code == 2 and out == ""
    assert err.splitlines() == [
        f"error: the test server reads a recorded Mastodon answer from the public data sets: "
        f"RIPPLEMETER_DATA={missing} is not a folder. Start it as "
        "RIPPLEMETER_DATA=/path/to/shared/data python tests/publish_server.py"
    ]


def test_server_refuses_an_unknown_argument():
    code, out, err = finished(server_process("pytest", "--prot", "8790"))
    assert code == 2 and out == ""
    assert err.strip() == (
        "error: unknown argument '--prot'; see python tests/publish_server.py --help"
    )


def test_server_starts_without_pytest_and_answers_as_mastodon(tmp_path):
    from ripplemeter.datasets import DataUnavailable, data_path

    try:
        data = data_path("api_samples").parent
    except DataUnavailable as exc:
        pytest.skip(f"recorded API responses not available: {exc}")
    from publish_server import MASTODON_ACCOUNT, next_steps

    # from a folder where ../shared/data does not exist: RIPPLEMETER_DATA finds the data
    proc = server_process("pytest", env={"RIPPLEMETER_DATA": str(data)}, cwd=tmp_path)
    try:
        first = proc.stdout.readline()
        assert first.startswith("Mastodon and Bluesky test server at http://127.0.0.1:"), (
            first + proc.stderr.read()
        )
        url = first.rsplit(" ", 1)[1].strip()
        steps = next_steps(url)
        lines = [proc.stdout.readline().rstrip("\n") for _ in steps]
        assert lines == steps  # the next steps, with this server's URL
        assert lines[0].split() == [
            "export",
            f"RM_TEST_MASTODON={MASTODON_TOKEN}",
            "RM_TEST_BSKY=abcd-efgh-ijkl-mnop",
        ]
        assert f"--server mastodon={url} --server bluesky={url}" in lines[-2]
        req = urllib.request.Request(
            url + "/api/v1/accounts/verify_credentials",
            headers={"Authorization": f"Bearer {MASTODON_TOKEN}"},
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert json.loads(resp.read())["id"] == MASTODON_ACCOUNT
    finally:
        proc.terminate()
        rest, _ = proc.communicate(timeout=30)
    # stopped, it says what it received: nothing was posted here
    assert rest.splitlines()[-1] == "0 Mastodon status(es), 0 Bluesky post(s)"


# ---------------------------------------------------------------------------- the rehearsal, as written
def _rehearsal_blocks() -> list[str]:
    import re

    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    start = text.index("### Rehearse against the local test server")
    section = text[start : text.index("\n## ", start)]
    return re.findall(r"^```bash\n(.*?)^```", section, flags=re.S | re.M)


def _commands(block: str) -> list[list[str]]:
    """The commands of a shell block: lines split into words, `&&` chains split, comments
    and continuation backslashes dropped."""
    import shlex

    out = []
    for line in block.replace("\\\n", " ").splitlines():
        if line.strip().startswith("("):
            continue  # a remark in parentheses, not a command
        words = shlex.split(line, comments=True)
        cmd: list[str] = []
        for w in words:
            if w == "&&":
                out.append(cmd)
                cmd = []
            else:
                cmd.append(w)
        out.append(cmd)
    return [c for c in out if c]


def test_the_server_prints_the_docs_steps_with_the_docs_team():
    """The server's next steps, the docs' printed copy of them and the docs' rehearsal
    commands agree, word for word, on one team (docs/examples/team.toml)."""
    import datetime as dt

    from publish_server import next_steps, rehearsal_monday

    steps = next_steps("http://127.0.0.1:8790", dt.date(2026, 12, 1))
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    start = text.index("### Rehearse against the local test server")
    shown = "Mastodon and Bluesky test server at http://127.0.0.1:8790\n" + "\n".join(steps)
    assert f"```\n{shown}\n```" in text[start:]
    docs = [c for b in _rehearsal_blocks() for c in _commands(b) if c[0] == "ripplemeter"]
    printed = [c for c in _commands("\n".join(steps)) if c[0] == "ripplemeter"]
    assert len(printed) == 7
    for cmd in printed:
        assert cmd in docs, cmd
    # the dates move by whole weeks once the docs' Monday is no longer a day ahead
    assert rehearsal_monday(dt.date(2026, 12, 5)) == dt.date(2026, 12, 7)
    assert rehearsal_monday(dt.date(2026, 12, 6)) == dt.date(2026, 12, 14)
    assert rehearsal_monday(dt.date(2027, 3, 3)) == dt.date(2027, 3, 8)
    later = next_steps("http://x", dt.date(2027, 3, 3))
    assert '--at "2027-03-08 09:00"' in later[4] and "--now 2027-03-08T09:01+09:00" in later[-2]


# the permission each command needs (docs/operations.md's table of states and team.toml)
ACTION = {
    ("accounts", "add"): "accounts.edit",
    ("accounts", "import"): "accounts.edit",
    ("calendar", "add"): "post.create",
    ("calendar", "import"): "post.create",
    ("calendar", "edit"): "post.edit",
    ("calendar", "submit"): "post.submit",
    ("calendar", "approve"): "post.approve",
    ("calendar", "reject"): "post.approve",
    ("calendar", "schedule"): "post.schedule",
    ("calendar", "cancel"): "post.cancel",
    ("calendar", "publish"): "post.publish",
}


def test_every_member_the_docs_name_is_on_the_example_team_with_the_right_role():
    """Every `--as NAME` in docs/operations.md, the help examples and the server's steps
    names a member of docs/examples/team.toml allowed to do that command."""
    import datetime as dt

    from publish_server import next_steps
    from ripplemeter.operations.team import load_team

    team = load_team(EXAMPLES / "team.toml")
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    blocks = [
        body
        for lang, body in re.findall(r"^```(\w*)\n(.*?)^```", text, flags=re.S | re.M)
        if lang in ("", "bash")
    ]
    blocks.append("\n".join(next_steps("http://x", dt.date(2026, 12, 1))))
    for group, command in HELP_COMMANDS:
        blocks.append(help_example(run(group, command, "--help").stdout))
    seen = set()
    for block in blocks:
        lines = block.replace("\\\n", " ").replace("$ ripplemeter", "ripplemeter").splitlines()
        for cmd in _commands("\n".join(ln for ln in lines if ln.strip().startswith("ripplemeter"))):
            if cmd[0] != "ripplemeter" or "--as" not in cmd:
                continue
            who = cmd[cmd.index("--as") + 1]
            action = ACTION.get(tuple(cmd[1:3]), "view")
            team.require(who, action)  # NotAllowed (or an unknown member) fails the test
            seen.add((who, action))
    # the walkthroughs use each role of the example team
    assert {w for w, _ in seen} == {"mina", "tom", "jisoo", "wei", "sam"}


def test_readme_points_to_the_rehearsal_section():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/operations.md#rehearse-against-the-local-test-server" in readme
    assert "calendar list --week --from 2026-12-07" in readme
    blocks = _rehearsal_blocks()
    assert blocks[0].strip() == ".venv/bin/python tests/publish_server.py --port 8790"


def test_the_rehearsal_steps_of_docs_operations_work_as_written(platforms, tmp_path, monkeypatch):
    """Every command of docs/operations.md's rehearsal, run in order against the test server
    (started here instead of on port 8790): two posts planned, approved and scheduled, and
    only the due one published once on each platform."""
    import datetime as dt
    import re
    import shlex

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RIPPLEMETER_USER", raising=False)
    for var in ("RM_TEST_MASTODON", "RM_TEST_BSKY"):
        monkeypatch.delenv(var, raising=False)
    # the docs' dates must be in the future for `schedule`; once they are not, move them by
    # whole weeks (same weekdays), as the docs tell the reader to
    shift = dt.timedelta(0)
    while dt.date(2026, 12, 7) + shift <= dt.date.today() + dt.timedelta(days=1):
        shift += dt.timedelta(weeks=1)

    def moved(arg: str) -> str:
        arg = arg.replace("http://127.0.0.1:8790", platforms.base_url)
        return re.sub(
            r"\d{4}-\d{2}-\d{2}",
            lambda m: (dt.date.fromisoformat(m.group()) + shift).isoformat(),
            arg,
        )

    outputs = []
    for block in _rehearsal_blocks()[1:]:
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            comment = line.split("  # ", 1)[1].strip() if "  # " in line else None
            commands = [[]]
            for w in words:
                if w == "&&":
                    commands.append([])
                else:
                    commands[-1].append(w)
            commands = [c for c in commands if c]
            for cmd in commands:
                if cmd[0] in ("mkdir", "cd"):
                    continue  # tmp_path is the scratch folder
                if cmd[0] == "cp":
                    for src in cmd[1:-1]:
                        shutil.copy(src.replace("/path/to/ripplemeter", str(ROOT)), tmp_path)
                    continue
                if cmd[0] == "export":
                    for pair in cmd[1:]:
                        name, _, value = pair.partition("=")
                        if name != "PATH":
                            monkeypatch.setenv(name, value)
                    continue
                assert cmd[0] == "ripplemeter", line
                res = ok(run(*(moved(a) for a in cmd[1:])))
                outputs.append((cmd[1:3], res.stdout))
                if comment and comment.startswith("The week") and not shift:
                    assert res.stdout.splitlines()[0] == comment
    # the variables the docs export are the test server's own credentials
    assert os.environ["RM_TEST_MASTODON"] == MASTODON_TOKEN
    assert os.environ["RM_TEST_BSKY"] == BSKY_PASSWORD
    # one post due: on each platform once
    assert len(platforms.statuses) == 1 and len(platforms.records) == 1
    assert platforms.statuses[0]["content"] == "<p>New beans from Ethiopia #coffee</p>"
    published = outputs[-1][1].splitlines()
    assert [ln.split(":")[0] for ln in published] == ["p1 mastodon", "p1 bluesky"]
    # and again: nothing is published twice
    publish = next(c for c in _rehearsal_blocks()[-1].splitlines() if "publish" in c)
    res = ok(run(*(moved(a) for a in shlex.split(publish)[1:])))
    assert res.stdout.startswith("Nothing due now; next: p2")
    assert len(platforms.statuses) == 1 and len(platforms.records) == 1


# ---------------------------------------------------------------------------- help, as a lead reads it
HELP_COMMANDS = (
    [
        ("calendar", c)
        for c in (
            "add edit submit approve reject schedule cancel show list import export check publish"
        ).split()
    ]
    + [("accounts", c) for c in ("list", "add", "import")]
    + [("standards", c) for c in ("lint", "brochure")]
)
# words of the code, not of a marketing team: ids, the database engine, table names
INTERNAL = re.compile(
    r"\bids?\b|\bDuckDB\b|\bregistry\b|\blinter\b|planned_posts|plan_findings|plan_transitions"
    r"|publish_intents|\bimports\b table|(?-i:PLAN_ID|ACCOUNT_ID)|<\w+>",
    re.IGNORECASE,
)


@pytest.mark.parametrize(("group", "command"), HELP_COMMANDS)
def test_each_command_help_has_an_example_and_plain_words(group, command):
    res = run(group, command, "--help")
    assert res.exit_code == 0, res.output
    text = " ".join(res.stdout.split())
    assert f"Example: ripplemeter {group} {command} " in text, text
    found = INTERNAL.findall(text.replace("ripplemeter.duckdb", ""))
    assert not found, (group, command, found)


@pytest.mark.parametrize("group", ["calendar", "accounts", "standards"])
def test_each_group_help_has_an_example(group):
    res = run(group, "--help")
    assert res.exit_code == 0, res.output
    text = " ".join(res.stdout.split())
    assert f"Example: ripplemeter {group} " in text, text
    assert not INTERNAL.findall(text), text


def help_example(screen: str) -> str:
    """The command of a help screen's ``Example:`` paragraph (its wrapped lines joined)."""
    lines = screen.splitlines()
    i = next(i for i, ln in enumerate(lines) if ln.strip().startswith("Example: "))
    para = []
    for ln in lines[i:]:
        if not ln.strip() or ln.strip().startswith("("):
            break
        para.append(ln.strip())
    return " ".join(para).removeprefix("Example: ")


def _moved_dates():
    """Move the docs' December 2026 dates by whole weeks once they are no longer ahead (as
    the docs tell the reader to: `add --at` refuses a time that has passed)."""
    import datetime as dt

    shift = dt.timedelta(0)
    while dt.date(2026, 12, 7) + shift <= dt.date.today() + dt.timedelta(days=1):
        shift += dt.timedelta(weeks=1)

    def moved(arg: str) -> str:
        return re.sub(
            r"\d{4}-\d{2}-\d{2}",
            lambda m: (dt.date.fromisoformat(m.group()) + shift).isoformat(),
            arg,
        )

    return moved


def test_the_help_examples_run_as_written(here):
    """The examples of the help screens, in the order a team works, run in the docs' set-up
    (the example standards and team, a Seoul Mastodon account)."""
    import shlex

    moved = _moved_dates()

    def ex(group, command=None):
        args = [group, command, "--help"] if command else [group, "--help"]
        words = shlex.split(help_example(run(*args).stdout))
        assert words[:2] == ["ripplemeter", group], words
        return [moved(w) for w in words[1:]]

    ok(run(*ex("accounts", "add")))  # a new version of the fixture's account: tom runs it
    assert ok(run("accounts", "list", "--json")).stdout.count('"tom"') == 1
    assert ok(run(*ex("accounts", "list"))).stderr.startswith("note: no accounts registered")
    lint = run(*ex("standards", "lint"))
    assert lint.exit_code == 1 and "banned-term" in lint.stdout
    assert "disclosure-missing" in lint.stdout and "required-term" in lint.stdout
    assert ok(run(*ex("calendar", "add"))).stdout.startswith("p1: planned as a draft")
    ok(run(*ex("calendar", "edit")))
    ok(run(*ex("calendar", "submit")))
    assert "p1: sent back to draft" in ok(run(*ex("calendar", "reject"))).stdout
    ok(run("calendar", "submit", "p1", "--as", "tom"))
    assert "p1: approved" in ok(run(*ex("calendar", "approve"))).stdout
    assert "p1: scheduled for" in ok(run(*ex("calendar", "schedule"))).stdout
    for cmd in ("list", "show"):  # the tables may wrap the text at 80 columns
        assert "Ethiopia #coffee" in ok(run(*ex("calendar", cmd))).stdout
    ok(run(*ex("calendar")))  # this week's plan (the post may be in a later week)
    ok(run(*ex("calendar", "export")))
    assert "New beans from Ethiopia" in (here / "plan.ics").read_text(encoding="utf-8")
    check = run(*ex("calendar", "check"), "--json")  # 3 to 10 posts a week: 1, then 0
    assert check.exit_code == 1, check.output
    weekly = json.loads(check.stdout)["weekly"]
    assert [(w["week"], w["posts"], w["below_frequency"]) for w in weekly] == [
        (moved("2026-12-07"), 1, True),
        (moved("2026-12-14"), 0, True),
    ]
    assert "p1: cancelled" in ok(run(*ex("calendar", "cancel"))).stdout


# ---------------------------------------------------------------------------- docs/operations.md, as written
def _docs_blocks() -> list[str]:
    """The shell blocks of docs/operations.md before the rehearsal (which has its own test)."""
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    text = text[: text.index("### Rehearse against the local test server")]
    return [
        body
        for lang, body in re.findall(r"^```(\w*)\n(.*?)^```", text, flags=re.S | re.M)
        if lang in ("", "bash")
    ]


def test_every_command_of_docs_operations_runs_as_written(tmp_path, monkeypatch):
    """Each `ripplemeter ...` line of docs/operations.md, in order, in a folder holding
    copies of docs/examples (as the page says), with the documented exit status. Publishing
    is left to the rehearsal test (it needs the test server)."""
    import datetime as dt

    moved = _moved_dates()
    shift = dt.date.fromisoformat(moved("2026-12-07")) - dt.date(2026, 12, 7)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RIPPLEMETER_USER", raising=False)
    for f in EXAMPLES.iterdir():
        text = f.read_text(encoding="utf-8")
        if f.suffix == ".csv":  # the bulk plans' days, moved as the docs' dates are
            text = moved(text)
            text = re.sub(
                r"(\d\d)/(\d\d)/(\d{4})",
                lambda m: f"{dt.date(int(m[3]), int(m[2]), int(m[1])) + shift:%d/%m/%Y}",
                text,
            )
        (tmp_path / f.name).write_text(text, encoding="utf-8")
    ran = []
    for block in _docs_blocks():
        lines = block.replace("\\\n", " ").splitlines()
        for cmd in _commands("\n".join(ln for ln in lines if ln.startswith("ripplemeter "))):
            if cmd[1:3] == ["calendar", "publish"]:
                continue
            out = None
            if ">" in cmd:
                cmd, out = cmd[: cmd.index(">")], cmd[cmd.index(">") + 1]
            res = run(*(moved(a) for a in cmd[1:]))
            expected = 1 if cmd[1:3] in (["standards", "lint"], ["calendar", "check"]) else 0
            assert res.exit_code == expected, (cmd, res.output)
            if out:
                (tmp_path / out).write_text(res.stdout, encoding="utf-8")
            ran.append(tuple(cmd[1:3]))
    assert len(ran) == 18 and ("calendar", "import") in ran and ("accounts", "import") in ran
    # what they did: the example files' accounts, p1 planned by hand and scheduled, the two
    # bulk plans imported as drafts, three exports written
    accounts = json.loads(ok(run("accounts", "list", "--json")).stdout)
    assert [(a["account_id"], a["role"], a["owners"]) for a in accounts] == [
        ("bluesky:did:plc:abc123", "owned", ["tom"]),
        ("instagram:ripplecoffee.kr", "partner", ["mina"]),
        ("mastodon:109876", "owned", ["mina", "tom"]),
        ("x:ripplecoffee", "competitor", []),
    ]
    plans = json.loads(ok(run("calendar", "list", "--json", "--as", "sam")).stdout)
    states = {p["plan_id"]: p["state"] for p in plans}
    assert len(plans) == 1 + 4 + 3  # week.csv has 4 rows, week-buffer.csv 3
    assert states == {"p1": "scheduled", **{f"p{i}": "draft" for i in range(2, 9)}}
    assert (tmp_path / "plan.csv").read_text(encoding="utf-8").count("\n") == 8
    assert (tmp_path / "plan-buffer.csv").read_text(encoding="utf-8").count("\n") == 9
    assert (tmp_path / "plan.ics").read_bytes().count(b"BEGIN:VEVENT") == 8
    assert (tmp_path / "share" / "brochure.html").is_file()


def test_the_docs_linter_examples_print_what_the_docs_show(monkeypatch):
    """The three `$ ripplemeter standards lint ...` examples: the rules, spans and texts
    shown are those the linter finds (run from the checkout, as their paths say)."""
    import shlex

    monkeypatch.chdir(ROOT)
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    examples = re.findall(r"^\$ (ripplemeter standards lint .*)\n((?:.+\n)+)", text, flags=re.M)
    assert len(examples) == 3
    for command, shown in examples:
        res = run(*shlex.split(command)[1:], "--json")
        assert res.exit_code == 1, res.output
        got = [
            (f["rule"], "-" if f["start"] is None else f"{f['start']}-{f['end']}", f["text"])
            for f in json.loads(res.stdout)
        ]
        want = []
        for line in shown.splitlines():
            if line.startswith((" ", "(", "```")):
                continue  # a continued 'why' or the exit status
            rule, at, *rest = line.split()
            want.append((rule, at, rest[0] if at != "-" else ""))
        assert got == want, (command, got)


def test_a_reimported_accounts_file_says_when_and_from_which_file(here):
    """Like the calendar's bulk files: the day and the file of the first import, not the
    workspace's import number (which counts every import, analytics ones included)."""
    import datetime as dt

    shutil.copy(EXAMPLES / "accounts.csv", here / "accounts.csv")
    before = dt.datetime.now(dt.UTC).date()
    first = ok(run("accounts", "import", "accounts.csv", "--as", "mina"))
    after = dt.datetime.now(dt.UTC).date()
    assert first.stdout.startswith("accounts.csv: imported 4 accounts")
    again = ok(run("accounts", "import", "accounts.csv", "--as", "mina"))
    assert again.stdout.strip() in {
        f"accounts.csv: already imported on {d} from accounts.csv; nothing changed"
        for d in (before, after)
    }
    shutil.copy(here / "accounts.csv", here / "copy.csv")
    again = ok(run("accounts", "import", "copy.csv", "--as", "mina"))
    assert again.stdout.strip() in {
        f"copy.csv: already imported on {d} from accounts.csv; nothing changed"
        for d in (before, after)
    }


def test_a_time_for_a_zoneless_account_is_read_in_the_teams_zone(here):
    """--at for an account registered without a zone is the team's local time (Asia/Seoul in
    the example standards), as calendar list cuts its weeks: 09:00 in Seoul = 00:00 UTC."""
    bare = "mastodon:556"
    ok(run("accounts", "add", bare, "--role", "owned", "--as", "mina"))
    ok(run("calendar", "add", "Zone-less", "-a", bare, "--at", "2037-12-07 09:00", "--as", "tom"))
    res = ok(run("calendar", "list", "--account", bare, "--json", "--as", "sam"))
    (row,) = json.loads(res.stdout)
    when = next(v for k, v in row.items() if k in ("scheduled_at", "at", "when"))
    assert when.startswith("2037-12-07T00:00") or when.startswith("2037-12-07 00:00"), row
