"""End to end: a listening project collects the recorded Mastodon, Bluesky, Reddit, YouTube and
RSS responses from a local replay server (``tests/replay.py``), and its report shows volume,
share of voice, associated terms and alerts.

The replay server serves the real recordings of ``api_samples`` (see its PROVENANCE.md); where
a recording is one page without paging headers, the server pages over its items as the API
does (Mastodon ``Link`` headers, Bluesky's offset cursor, Reddit's ``after``), as in the
collectors' own tests. Expected counts are read from the recorded JSON directly.
"""

from __future__ import annotations

import json
import re
from datetime import date

from typer.testing import CliRunner

from replay import api_samples, replay_server, serve_recordings  # noqa: F401
from ripplemeter.cli import app
from ripplemeter.listen.query import parse
from ripplemeter.workspace import Workspace

runner = CliRunner()


def test_listening_report_from_the_replayed_platforms(  # noqa: F811
    tmp_path,
    api_samples,  # noqa: F811
    replay_server,  # noqa: F811
    monkeypatch,
):
    served = serve_recordings(replay_server, api_samples)
    monkeypatch.setenv("RM_TEST_YT_KEY", "AIzaFAKE-e2e-key")
    base = replay_server.base_url
    toml = tmp_path / "listen.toml"
    toml.write_text(
        f"""
[project]
name = "Replay listening"
timezone = "UTC"

[[topics]]
id = "mastodon"
name = "Mastodon"
role = "brand"
query = "mastodon OR toot*"

[[topics]]
id = "twitter"
name = "Twitter"
role = "competitor"
query = "twitter OR tweet*"

[[topics]]
id = "surf"
name = "Surfing"
role = "industry"
query = "surf*"

[[sources]]
id = "tag"
kind = "mastodon"
instance = "{base}"
hashtags = ["mastodon"]

[[sources]]
id = "sky"
kind = "bluesky"
service = "{base}"
queries = ["redistricting"]
limit = 10

[[sources]]
id = "askreddit"
kind = "reddit"
base_url = "{base}"
subreddits = ["askreddit"]

[[sources]]
id = "yt"
kind = "youtube"
base_url = "{base}"
searches = ["surfing"]
credentials = "env:RM_TEST_YT_KEY"
replies = false

[[sources]]
id = "guardian"
kind = "rss"
url = "{base}/feed"

[alerts]
rule = "meltwater"
""",
        encoding="utf-8",
    )
    r = runner.invoke(app, ["listen", "collect", str(toml)])
    assert r.exit_code == 0, r.output
    for sid in ("tag", "sky", "askreddit", "yt", "guardian"):
        assert re.search(rf"^{sid}: .*\b[1-9]\d* posts", r.stdout, re.M), r.stdout
    # collecting twice adds nothing twice
    with Workspace(tmp_path / "listen.duckdb") as ws:
        n_posts = ws.con.execute("SELECT count(*) FROM posts").fetchone()[0]
        platforms = {x for (x,) in ws.con.execute("SELECT DISTINCT platform FROM posts").fetchall()}
        frame = ws.sql(
            "SELECT post_id, text, search_text, lang, platform, channel, account_id, NULL AS handle FROM posts"
        )
    assert {"mastodon", "bluesky", "reddit", "youtube"} <= platforms and len(platforms) == 5
    r = runner.invoke(app, ["listen", "collect", str(toml)])
    assert r.exit_code == 0 and r.stdout.count("nothing new") == 5, r.stdout
    with Workspace(tmp_path / "listen.duckdb") as ws:
        assert ws.con.execute("SELECT count(*) FROM posts").fetchone()[0] == n_posts

    out = tmp_path / "report"
    r = runner.invoke(app, ["listen", "report", str(toml), "--out", str(out), "--no-sentiment"])
    assert r.exit_code == 0, r.output
    doc = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    L = doc["listening"]
    t = L["topics"]
    # the same posts as the query matched in Python over the collected rows
    for tid, q in (
        ("mastodon", "mastodon OR toot*"),
        ("twitter", "twitter OR tweet*"),
        ("surf", "surf*"),
    ):
        assert t[tid]["mentions"] == int(parse(q).match(frame).sum()), tid
    # every one of the 20 recorded #mastodon statuses is a Mastodon mention (HTML stripped)
    assert t["mastodon"]["mentions"] >= len(served["mastodon"]) == 20
    surf = sum(bool(re.search(r"(?i)\bsurf", x)) for x in served["youtube"])
    assert surf and t["surf"]["mentions"] >= surf
    # volume, share of voice, associated terms and alerts are all there
    total = t["mastodon"]["mentions"] + t["twitter"]["mentions"]
    assert t["mastodon"]["share_of_voice"]["mentions"] == t["mastodon"]["mentions"] / total
    assert sum(n for _, n in t["mastodon"]["volume"]["day"]) == t["mastodon"]["mentions"]
    assert t["mastodon"]["terms"], t["mastodon"]["reasons"]
    assert all(x["mentions"] >= 3 and x["llr"] > 0 for x in t["mastodon"]["terms"])
    assert isinstance(t["mastodon"]["alerts"], list)
    alerts = [a for x in t.values() for a in x["alerts"]]
    # 17 of the 20 recorded #mastodon statuses fall in one hour (2017-04-21 14:00 UTC), one
    # before and one after, following months of silence: the 24-hour mean rule would fire at
    # the first post (03:00, a bar of 0 after zeros), but min_count (3 mentions in the 24
    # hours, the default) holds it until the burst hour (1 + 17 mentions); it peaks at
    # (1 + 17 + 1) / 24 in the hour after the burst; the posts shown are the burst hour's,
    # the busiest of that 24-hour window
    burst = [a for a in t["mastodon"]["alerts"] if a["start"] == "2017-04-21T14:00:00+00:00"]
    assert len(burst) == 1 and burst[0]["rule"] == "meltwater"
    assert burst[0]["peak_at"] == "2017-04-21T15:00:00+00:00"
    assert burst[0]["observed"] == round(19 / 24, 6)
    with Workspace(tmp_path / "listen.duckdb") as ws:
        in_burst = {
            x
            for (x,) in ws.con.execute(
                "SELECT post_id FROM posts WHERE created_at >= '2017-04-21 14:00' "
                "AND created_at < '2017-04-21 15:00' AND platform = 'mastodon'"
            ).fetchall()
        }
    assert len(in_burst) == 17
    assert len(burst[0]["posts"]) == 3 and {p["post_id"] for p in burst[0]["posts"]} <= in_burst
    # the table names that hour (14:00, not the peak step 15:00) and what the values count:
    # 19 / 24 = 0.7917 mentions per hour over the 24 hours to the end of the peak hour,
    # shown as the 19 mentions of those 24 hours (as the alert e-mail says it)
    assert burst[0]["posts_hour"] == "2017-04-21T14:00:00+00:00"
    assert burst[0]["posts_caption"] == (
        "Posts of the busiest hour of the 24 hours the rule peaked over, the hour from "
        "21 Apr 2017, 14:00 UTC (the most engaging first):"
    )
    assert burst[0]["unit_text"] == (
        "mentions in the 24 hours to 21 Apr 2017, 16:00 UTC (the rule compares them per hour)"
    )
    assert (burst[0]["observed_count"], burst[0]["observed_text"]) == (19.0, "19")
    # the sources, in listen.toml order; all 20 recorded #mastodon statuses are in the window
    assert [x["source"] for x in L["sources"]] == ["tag", "sky", "askreddit", "yt", "guardian"]
    assert [x["kind_text"] for x in L["sources"]] == [
        "Mastodon",
        "Bluesky",
        "Reddit",
        "YouTube",
        "RSS or Atom feed",
    ]
    assert L["sources"][0]["posts"] == 20
    # metrics.json's top-level sources and summary are the listening section's (a new user's
    # trial found them empty)
    assert doc["sources"] == L["sources"] and doc["summary"] == L["summary"]
    assert len(doc["summary"]) >= 1
    for a in alerts:
        assert {"rule", "start", "end", "observed", "expected", "threshold", "window"} <= set(a)
        assert a["observed"] > a["threshold"]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Share of voice" in html and "Associated terms" in html and "Alerts" in html
    assert 'id="listening-sources"' in html and "<td>RSS or Atom feed</td>" in html
    assert "21 Apr 2017, 14:00 UTC (the most engaging first)" in html
    # the shell is a listening report's: the project, its period and zone; no campaign,
    # baseline or currency (Plotly's inlined script aside)
    assert doc["report"] == "listening" and "campaign" not in doc
    assert doc["project"] == {
        "name": "Replay listening",
        "start": L["start"],
        "end": L["end"],
        "days": (date.fromisoformat(L["end"]) - date.fromisoformat(L["start"])).days + 1,
        "timezone": "UTC",
    }
    shell = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    header = shell[shell.index("<header>") : shell.index("</header>")]
    assert "Listening report" in header and "in UTC" in header
    summary = shell[shell.index("<header>") : shell.index('<section id="listening">')]
    sources = shell[
        shell.index('<section id="sources">') : shell.index('<section id="definitions">')
    ]
    for word in ("Campaign", "campaign", "baseline", "money in", "USD"):
        assert word not in summary and word not in sources, word
    lines = re.findall(r'<li class="sentence" data-topic="listening">(.*?)</li>', shell)
    assert len(lines) == 3 and "<b>Mastodon</b> (brand)" in lines[0]
    assert f">{t['mastodon']['mentions']}</span> mentions" in lines[0]
    assert "AIzaFAKE-e2e-key" not in html and "AIzaFAKE-e2e-key" not in json.dumps(doc)


def test_replay_server_runs_standalone_and_checks_webhooks(api_samples, tmp_path):  # noqa: F811
    """``python tests/replay.py`` as the README walkthrough starts it: the recordings are
    served with the #mastodon burst moved into the last day, and /webhook accepts a body
    signed with the shared secret (HMAC-SHA256 computed here with hashlib) and refuses
    a wrong signature."""
    import hashlib
    import hmac
    import os
    import subprocess
    import sys
    from datetime import UTC, datetime, timedelta
    from pathlib import Path

    import httpx

    script = Path(__file__).with_name("replay.py")
    env = {**os.environ, "RM_WALK_SECRET": "s3cret-walk"}
    proc = subprocess.Popen(
        [sys.executable, str(script), "--port", "0", "--recent", "--secret-env", "RM_WALK_SECRET"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        lines = []
        while not lines or lines[-1] != "Ctrl-C stops.":
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            lines.append(line.strip())
        base = re.search(r'instance = "(http://127\.0\.0\.1:\d+)"', "\n".join(lines)).group(1)
        assert "signature check: on (RM_WALK_SECRET)" in lines[-2]
        got = httpx.get(f"{base}/api/v1/timelines/tag/mastodon", params={"limit": 40}).json()
        recorded = json.loads(
            (api_samples / "mastodon/sys1yagi_mastodon4j/tag.json").read_text(encoding="utf-8")
        )

        def t(s):
            return datetime.fromisoformat(s["created_at"].replace("Z", "+00:00"))

        assert len(got) == len(recorded) == 20
        newest = max(t(s) for s in got)
        assert timedelta(0) <= datetime.now(UTC) - newest < timedelta(days=1)
        shift = {s["id"]: t(s) for s in got}
        deltas = {shift[s["id"]] - t(s) for s in recorded}
        assert len(deltas) == 1 and next(iter(deltas)) % timedelta(days=1) == timedelta(0)

        body = json.dumps({"event": "alert", "alert": {"rule": "meltwater"}}).encode()
        sig = "sha256=" + hmac.new(b"s3cret-walk", body, hashlib.sha256).hexdigest()
        ok = httpx.post(f"{base}/webhook", content=body, headers={"X-Ripplemeter-Signature": sig})
        assert ok.status_code == 200
        assert "signature valid; meltwater alert" in proc.stdout.readline()
        bad = httpx.post(
            f"{base}/webhook", content=body, headers={"X-Ripplemeter-Signature": "sha256=00"}
        )
        assert bad.status_code == 401
        assert "signature INVALID" in proc.stdout.readline()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_ctrl_c_during_collect_keeps_what_was_stored_and_resumes(  # noqa: F811
    tmp_path,
    api_samples,  # noqa: F811
    replay_server,  # noqa: F811
    monkeypatch,
):
    """Ctrl-C after the first stored page: exit 130 with one plain line (no "Aborted!", no
    traceback), the page is kept, and the next run ends with exactly the posts and accounts
    of an uninterrupted run (same ids, none twice)."""
    import signal

    import ripplemeter.listen.project as project

    serve_recordings(replay_server, api_samples)
    base = replay_server.base_url
    spec = f"""
[project]
name = "Replay listening"
timezone = "UTC"

[[topics]]
id = "mastodon"
name = "Mastodon"
role = "brand"
query = "mastodon"

[[sources]]
id = "tag"
kind = "mastodon"
instance = "{base}"
hashtags = ["mastodon"]

[[sources]]
id = "askreddit"
kind = "reddit"
base_url = "{base}"
subreddits = ["askreddit"]
"""

    def rows(folder):
        with Workspace(folder / "listen.duckdb") as ws:
            posts = ws.con.execute("SELECT post_id FROM posts ORDER BY 1").fetchall()
            accounts = ws.con.execute("SELECT account_id FROM accounts ORDER BY 1").fetchall()
        return posts, accounts

    whole, cut = tmp_path / "whole", tmp_path / "cut"
    for d in (whole, cut):
        d.mkdir()
        (d / "listen.toml").write_text(spec, encoding="utf-8")
    r = runner.invoke(app, ["listen", "collect", str(whole / "listen.toml")])
    assert r.exit_code == 0, r.output
    expected = rows(whole)
    assert len(expected[0]) > 20  # 20 statuses and the Reddit pages

    real = project.collect_project

    def interrupted(*a, progress=None, **kw):
        def show(source_id, stream, pages, n):
            progress(source_id, stream, pages, n)
            signal.raise_signal(signal.SIGINT)  # Ctrl-C once the first page is stored

        return real(*a, progress=show, **kw)

    monkeypatch.setattr(project, "collect_project", interrupted)
    r = runner.invoke(app, ["listen", "collect", str(cut / "listen.toml")])
    assert r.exit_code == 130, r.output
    assert "Aborted" not in r.output and "Traceback" not in r.output
    (line,) = r.stderr.splitlines()
    assert re.fullmatch(
        r"Stopped \(Ctrl-C\)\. [1-9][\d,]* rows? collected in this run are kept; run the same "
        r"command again to go on from where it stopped\.",
        line,
    ), line
    posts, _ = rows(cut)
    assert 0 < len(posts) < len(expected[0])  # the first page only
    monkeypatch.setattr(project, "collect_project", real)
    r = runner.invoke(app, ["listen", "collect", str(cut / "listen.toml")])
    assert r.exit_code == 0, r.output
    assert rows(cut) == expected
