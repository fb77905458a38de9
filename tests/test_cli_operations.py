"""Issue 11 on the command line: `accounts list|add|import`, `standards lint|brochure`."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ripplemeter.cli import app

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
TOKEN = base64.urlsafe_b64encode(hashlib.sha256(b"ripplemeter cli").digest()).decode()[:43]
CSV = (
    "account_id,platform,handle,name,role,owners,timezone,credentials_ref\n"
    "109876,mastodon,ripplecoffee,Ripple Coffee,owned,mina,Asia/Seoul,env:MASTODON_TOKEN\n"
    "did:plc:abc123,bluesky,ripple.bsky.social,Ripple [bold]Partner[/],partner,,Asia/Seoul,\n"
)


@pytest.fixture
def here(tmp_path, monkeypatch):
    """A project folder with the example standards (and no team file unless a test adds it)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RIPPLEMETER_USER", raising=False)
    shutil.copy(EXAMPLES / "standards.toml", tmp_path / "standards.toml")
    return tmp_path


def run(*args, input=None, env=None):
    return CliRunner().invoke(app, list(args), input=input, env=env)


def one_error_line(res) -> str:
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    lines = [ln for ln in res.stderr.strip().splitlines() if not ln.startswith("note:")]
    assert len(lines) == 1, res.stderr
    return lines[0]


# ------------------------------------------------------------------ accounts
def test_accounts_add_import_and_list(here):
    res = run(
        "accounts", "add", "x:42", "--role", "kol", "--owner", "mina", "--owner", "tom",
        "--timezone", "Asia/Seoul", "--credentials-ref", "env:X_TOKEN",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() == "x:42: registered as kol"
    assert "no team.toml here: roles are not checked" in res.stderr
    (here / "accounts.csv").write_text(CSV, encoding="utf-8")
    res = run("accounts", "import", "accounts.csv")
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() == "accounts.csv: imported 2 accounts (import 2)"
    res = run("accounts", "list", "--json")
    assert res.exit_code == 0, res.output
    got = json.loads(res.stdout)
    assert [a["account_id"] for a in got] == [
        "bluesky:did:plc:abc123",
        "mastodon:109876",
        "x:42",
    ]
    assert got[2] == {
        "account_id": "x:42",
        "platform": "x",
        "role": "kol",
        "handle": None,
        "name": None,
        "owners": ["mina", "tom"],
        "timezone": "Asia/Seoul",
        "credentials_ref": "env:X_TOKEN",
    }
    res = run("accounts", "list", "--role", "partner")
    assert res.exit_code == 0
    assert "[bold]" in res.stdout  # a name is untrusted text, never Rich markup


def test_accounts_import_bad_row_exits_2_and_writes_nothing(here):
    (here / "accounts.csv").write_text(CSV + "7,x,a,A,fan,,,\n", encoding="utf-8")
    line = one_error_line(run("accounts", "import", "accounts.csv"))
    assert line.startswith("error: accounts.csv, row 4, column 'role': expected one of owned")
    assert not (here / "ripplemeter.duckdb").exists()


def test_accounts_secret_never_printed(here):
    (here / "accounts.csv").write_text(CSV + f"7,x,a,A,kol,,,file:{TOKEN}\n", encoding="utf-8")
    res = run("accounts", "import", "accounts.csv")
    line = one_error_line(res)
    assert "row 4, column 'credentials_ref'" in line and "(not shown)" in line
    (here / "accounts.csv").write_text(CSV + "7,x,a,A,kol,,,file:creds/x.json\n", encoding="utf-8")
    line = one_error_line(run("accounts", "import", "accounts.csv"))
    assert "row 4, column 'credentials_ref': the file named is inside the workspace's" in line
    assert "creds/x.json" not in line
    assert TOKEN[:10] not in res.output
    res = run("accounts", "add", "x:1", "--role", "owned", "--credentials-ref", TOKEN)
    assert "looks like a token or password (not shown)" in one_error_line(res)
    assert TOKEN[:10] not in res.output
    assert not (here / "ripplemeter.duckdb").exists()  # a refused first account: no workspace


def test_accounts_roles_are_checked_when_there_is_a_team(here):
    shutil.copy(EXAMPLES / "team.toml", here / "team.toml")
    line = one_error_line(run("accounts", "add", "x:1", "--role", "owned"))
    assert line.startswith("error: team.toml: who is acting? pass --as ID or set RIPPLEMETER_USER")
    line = one_error_line(run("accounts", "add", "x:1", "--role", "owned", "--as", "bob"))
    assert line.startswith("error: team.toml: 'bob' is not a member of the team")
    line = one_error_line(run("accounts", "add", "x:1", "--role", "owned", "--as", "tom"))
    assert line == (
        "error: tom (editor) may not add or import accounts: rule 'accounts.edit' lets only "
        "admin add or import accounts (team.toml gives tom the role editor)"
    )
    res = run("accounts", "add", "x:1", "--role", "owned", env={"RIPPLEMETER_USER": "mina"})
    assert res.exit_code == 0, res.output


# ------------------------------------------------------------------ standards lint
def test_lint_clean_draft_exits_0(here):
    res = run("standards", "lint", "Autumn blend, in stores now.", "--account", "mastodon:1")
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() == "No findings: the draft follows the standard."
    res = run("standards", "lint", "-", "--json", input="리플커피 가을 블렌드")
    assert res.exit_code == 0 and json.loads(res.stdout) == []


def test_lint_findings_exit_1_with_table_and_json(here):
    draft = "Guaranteed! 这是最好的 #a #b #c #d #e #f"
    # Guaranteed 0-10, !10, space 11, 这12 是13 最14 好15 的16, space 17, then #a at 18,
    # #b 21, #c 24, #d 27, #e 30 and #f 33-35 (the sixth of five allowed)
    res = run("standards", "lint", draft)
    assert res.exit_code == 1, res.output
    for word in ("banned-term", "hashtag-limit", "Guaranteed", "最好", "#f"):
        assert word in res.stdout
    res = run("standards", "lint", draft, "--json")
    assert res.exit_code == 1
    got = [(f["rule"], f["start"], f["end"], f["text"]) for f in json.loads(res.stdout)]
    assert got == [
        ("banned-term", 0, 10, "Guaranteed"),
        ("banned-term", 14, 16, "最好"),
        ("hashtag-limit", 33, 35, "#f"),
    ]


def test_lint_role_comes_from_the_registry(here):
    assert run("accounts", "add", "x:kol1", "--role", "kol").exit_code == 0
    res = run("standards", "lint", "New blend", "--account", "x:kol1", "--json")
    assert res.exit_code == 1
    assert [f["rule"] for f in json.loads(res.stdout)] == ["disclosure-missing"]
    res = run("standards", "lint", "New blend", "--account", "x:other", "--json")
    assert res.exit_code == 0
    assert "x:other is not in the registry" in res.stderr
    res = run("standards", "lint", "New blend", "--role", "partner", "--paid-partnership")
    assert res.exit_code == 0
    # a late disclosure is a warning: shown, exit 0
    res = run("standards", "lint", "x" * 130 + " #ad", "--role", "partner")
    assert res.exit_code == 0 and "disclosure-late" in res.stdout and "(warning)" in res.stdout


def test_lint_bad_input_exits_2(here):
    (here / "bad.toml").write_text('[brand]\nname = "A"\n[rules.limits]\nhashtag = 3\n')
    line = one_error_line(run("standards", "lint", "hi", "--standards", "bad.toml"))
    assert line == (
        "error: bad.toml, line 4, key 'rules.limits.hashtag': unknown key; expected one of "
        "hashtags, links, mentions"
    )
    line = one_error_line(run("standards", "lint", "hi", "--standards", "none.toml"))
    assert line == "error: none.toml: standards file not found"
    line = one_error_line(run("standards", "lint", "hi", "--role", "fan"))
    assert line.startswith("error: role: expected one of owned, partner")


# ------------------------------------------------------------------ brochure
def test_brochure_writes_html_with_the_team_beside(here):
    shutil.copy(EXAMPLES / "team.toml", here / "team.toml")
    res = run("standards", "brochure", "standards.toml", "--out", "share")
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() == f"Brochure written to {Path('share') / 'brochure.html'}"
    html = (here / "share" / "brochure.html").read_text(encoding="utf-8")
    assert "<h1>Ripple Coffee</h1>" in html
    assert "Jisoo Lee" in html  # the team table
    assert "Paid posts need 2 approvers, at least one from the legal group" in html


def test_operations_help_loads_no_heavy_library():
    code = (
        "import sys, json\n"
        "from typer.testing import CliRunner\n"
        "from ripplemeter.cli import app\n"
        "for a in (['accounts', '-h'], ['standards', '-h'], ['standards', 'lint', '-h']):\n"
        "    assert CliRunner().invoke(app, a).exit_code == 0\n"
        "heavy = {'pandas', 'duckdb', 'jinja2', 'holidays', 'ibis', 'numba', 'regex'}\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & heavy)))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout.strip().splitlines()[-1]) == []
