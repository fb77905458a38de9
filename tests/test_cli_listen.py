"""``ripplemeter listen collect|report|watch`` and ``ripplemeter alerts detect``."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from ripplemeter.cli import app
from ripplemeter.cli.listen import parse_every
from ripplemeter.workspace import Workspace

runner = CliRunner()

PROJECT = """\
[project]
name = "Tea listening"
timezone = "Asia/Shanghai"

[[topics]]
id = "lumen"
name = "Lumen Tea"
role = "brand"
query = '"lumen tea" OR 路明茶'

[[topics]]
id = "acme"
name = "Acme"
role = "competitor"
query = "acme"
"""
MENTIONS = """id,platform,author,created_at,text
m1,x,u1,2026-03-02T01:00:00Z,Lumen Tea is lovely
m2,x,u2,2026-03-02T03:00:00Z,lumen tea again
m3,weibo,w1,2026-03-03T04:00:00Z,路明茶很好喝
m4,x,u3,2026-03-03T05:00:00Z,acme tea is fine
m5,x,u4,2026-03-04T06:00:00Z,nothing to see
"""


def _project(tmp_path: Path, extra: str = "") -> Path:
    p = tmp_path / "listen.toml"
    p.write_text(PROJECT + extra, encoding="utf-8")
    f = tmp_path / "mentions.csv"
    f.write_text(MENTIONS, encoding="utf-8")
    with Workspace(tmp_path / "listen.duckdb") as ws:  # the project's default workspace
        ws.import_file(f, "comments")
    return p


def test_listen_report_writes_html_and_metrics(tmp_path):
    p = _project(tmp_path)
    out = tmp_path / "out"
    r = runner.invoke(app, ["listen", "report", str(p), "--out", str(out), "--no-sentiment"])
    assert r.exit_code == 0, r.output
    doc = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    t = doc["listening"]["topics"]
    # lumen: m1 m2 m3; acme: m4 (m5 matches nothing); window: first to last day with posts
    assert (t["lumen"]["mentions"], t["acme"]["mentions"]) == (3, 1)
    assert t["lumen"]["share_of_voice"]["mentions"] == 0.75
    assert doc["listening"]["start"] == "2026-03-02" and doc["listening"]["end"] == "2026-03-04"
    assert doc["sections"] == {
        "listening": {"title": doc["sections"]["listening"]["title"], "status": "ok"}
    }
    assert (out / "report.html").is_file()


def test_listen_report_window_and_slips(tmp_path):
    p = _project(tmp_path)
    out = tmp_path / "out"
    args = ["listen", "report", str(p), "--out", str(out), "--no-sentiment"]
    r = runner.invoke(app, [*args, "--start", "2026-03-03", "--end", "2026-03-03"])
    assert r.exit_code == 0, r.output
    doc = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert doc["listening"]["topics"]["lumen"]["mentions"] == 1  # m3 only
    r = runner.invoke(app, [*args, "--start", "3 March"])
    assert r.exit_code == 2 and "expected a date such as 2026-03-01" in r.output
    r = runner.invoke(app, ["listen", "report", str(tmp_path / "none.toml")])
    assert r.exit_code == 2 and "not found" in r.output and "Traceback" not in r.output
    (tmp_path / "listen.duckdb").unlink()
    r = runner.invoke(app, [*args])
    assert r.exit_code == 2 and "listen collect" in r.output


def test_listen_report_starts_at_the_first_mention_or_the_project_start(tmp_path):
    """A post of 2016 that mentions no topic (an archive) does not open the window in 2016."""
    p = _project(tmp_path)
    old = tmp_path / "old.csv"
    old.write_text(
        "id,platform,author,created_at,text\n"
        "o1,x,u9,2016-03-01T10:00:00Z,an old post about nothing\n"
        "o2,x,u9,2016-03-02T10:00:00Z,see pic.twitter.com/acme (only a link)\n",
        encoding="utf-8",
    )
    with Workspace(tmp_path / "listen.duckdb") as ws:
        ws.import_file(old, "comments")
    out = tmp_path / "out"
    args = ["listen", "report", str(p), "--out", str(out), "--no-sentiment"]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    doc = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    # first mention m1, 2026-03-02 01:00 UTC = 09:00 in Shanghai; last post m5, 4 March
    assert (doc["listening"]["start"], doc["listening"]["end"]) == ("2026-03-02", "2026-03-04")
    assert doc["listening"]["topics"]["acme"]["mentions"] == 1  # m4; o2's link is no mention
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "from 2 Mar 2026 to 4 Mar 2026" in html
    # [project] start wins
    p.write_text(
        PROJECT.replace(
            'timezone = "Asia/Shanghai"', 'timezone = "Asia/Shanghai"\nstart = 2026-03-03'
        ),
        encoding="utf-8",
    )
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    doc = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert doc["listening"]["start"] == "2026-03-03"
    assert doc["listening"]["topics"]["lumen"]["mentions"] == 1  # m3


def _series(tmp_path: Path) -> Path:
    """Twelve days of 10 mentions an hour, and 100 at 05:00 on the eleventh day."""
    idx = pd.date_range("2026-01-01", periods=24 * 12, freq="h")
    v = [10] * len(idx)
    v[24 * 10 + 5] = 100
    f = tmp_path / "series.csv"
    pd.DataFrame({"hour": idx.strftime("%Y-%m-%d %H:%M:%S"), "mentions": v}).to_csv(f, index=False)
    return f


def test_alerts_detect_json_on_a_hand_series(tmp_path):
    f = _series(tmp_path)
    args = ["alerts", "detect", str(f), "--time-column", "hour", "--value-column", "mentions"]
    r = runner.invoke(app, [*args, "--rule", "meltwater", "--json"])
    assert r.exit_code == 0, r.output
    alerts = json.loads(r.stdout)
    assert len(alerts) == 1
    a = alerts[0]
    # by hand: the 24-hour mean jumps from 10 to (23 * 10 + 100) / 24 = 13.75 at the spike,
    # against the previous 7 days' mean 10 + 3 standard deviations 0
    assert (a["rule"], a["start"]) == ("meltwater", "2026-01-11T05:00:00")  # naive in, naive out
    assert a["observed"] == 13.75 and a["expected"] == 10 and a["threshold"] == 10
    r = runner.invoke(app, [*args, "--json"])  # the tuned rule by default
    assert r.exit_code == 0
    tuned = json.loads(r.stdout)
    assert [x["rule"] for x in tuned] == ["tuned"] and tuned[0]["start"] == "2026-01-11T05:00:00"
    assert tuned[0]["observed"] == 100


def test_alerts_detect_prints_the_whole_burst(tmp_path):
    """The trial's series: about 4 an hour, then 40 an hour for four hours: one alert of four."""
    idx = pd.date_range("2026-11-01", periods=24 * 20, freq="h")
    x = [(3, 5, 4, 4)[i % 4] for i in range(len(idx))]
    burst = idx.get_loc(pd.Timestamp("2026-11-19 10:00"))
    x[burst : burst + 4] = [40] * 4
    f = tmp_path / "series.csv"
    pd.DataFrame({"hour": idx.strftime("%Y-%m-%d %H:%M"), "mentions": x}).to_csv(f, index=False)
    r = runner.invoke(
        app, ["alerts", "detect", str(f), "--time-column", "hour", "--value-column", "mentions"]
    )
    assert r.exit_code == 0, r.output
    lines = [x for x in r.stdout.splitlines() if "[tuned]" in x]
    assert len(lines) == 1
    assert lines[0].startswith("19 Nov 2026, 10:00 to 19 Nov 2026, 13:00 [tuned]")


def test_alerts_detect_slips(tmp_path):
    f = _series(tmp_path)
    r = runner.invoke(
        app, ["alerts", "detect", str(f), "--time-column", "hour", "--value-column", "count"]
    )
    assert r.exit_code == 2 and "count" in r.output and "Traceback" not in r.output
    r = runner.invoke(
        app,
        [
            "alerts",
            "detect",
            str(f),
            "--time-column",
            "hour",
            "--value-column",
            "mentions",
            "--rule",
            "magic",
        ],
    )
    assert r.exit_code == 2 and "unknown alert rule" in r.output


def test_parse_every():
    assert parse_every("15m") == 900 and parse_every("1h") == 3600 and parse_every("30s") == 30
    assert parse_every("90") == 90
    from ripplemeter.errors import RippleError

    for bad in ("0m", "soon", "-5m"):
        with pytest.raises(RippleError, match="--every"):
            parse_every(bad)


def _closed_port() -> int:
    """A local port nothing listens on (bound, then released): connections are refused."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_collect_reports_a_failing_source_and_goes_on(tmp_path, monkeypatch):
    # three sources: one unreachable (a closed local port), one whose credentials variable is
    # not set, one whose credentials file does not exist; each fails with one error line that
    # names it once, with its line in listen.toml, and says what to do; exit status 2
    port = _closed_port()
    monkeypatch.delenv("RIPPLEMETER_TEST_NO_SUCH_TOKEN", raising=False)
    token_file = tmp_path.parent / f"{tmp_path.name}-missing-token.txt"
    extra = f"""
[[sources]]
id = "gone"
kind = "rss"
url = "http://127.0.0.1:{port}/feed.xml"
max_retries = 0

[[sources]]
id = "tag"
kind = "mastodon"
instance = "http://127.0.0.1:{port}"
hashtags = ["tea"]
credentials = "env:RIPPLEMETER_TEST_NO_SUCH_TOKEN"

[[sources]]
id = "yt"
kind = "youtube"
searches = ["tea"]
credentials = "file:{token_file}"
"""
    p = _project(tmp_path, extra)
    r = runner.invoke(app, ["listen", "collect", str(p)])
    assert r.exit_code == 2
    # PROJECT has 15 lines and `extra` starts with a blank one: the sources are at 17, 23, 30
    docs = 'see "Credentials" in docs/collectors.md for where each platform\'s key comes from'
    assert r.stdout.splitlines() == [
        "gone: failed, nothing collected (see the error below)",
        "tag: failed, nothing collected (see the error below)",
        "yt: failed, nothing collected (see the error below)",
    ]
    errors = [x for x in r.stderr.splitlines() if x.startswith("error:")]
    assert errors == [
        "error: listen.toml, line 17, source 'gone': the server could not be reached "
        f"(connection refused): http://127.0.0.1:{port}/feed.xml; gave up after 1 attempt. "
        "Check the host and port of `url` in listen.toml, or try again once the server is up",
        "error: listen.toml, line 23, source 'tag': the environment variable "
        "RIPPLEMETER_TEST_NO_SUCH_TOKEN is not set (or is empty); set it to the token or key "
        "in the shell that runs ripplemeter, e.g. `export RIPPLEMETER_TEST_NO_SUCH_TOKEN=...`; "
        + docs,
        f"error: listen.toml, line 30, source 'yt': the credentials file {token_file} does not "
        "exist; write the token or key on its first line (keep the file outside the project "
        "folder); " + docs,
    ]
    assert r.stderr.splitlines()[-1] == "3 of 3 sources failed: gone, tag, yt"
    assert "ConnectError" not in r.output and "Traceback" not in r.output


def test_missing_listen_toml_names_its_path(tmp_path):
    missing = tmp_path / "nonexist" / "listen.toml"
    r = runner.invoke(app, ["listen", "report", str(missing)])
    assert r.exit_code == 2
    assert r.stderr == f"error: {missing}: listening project file not found\n"
    r = runner.invoke(app, ["listen", "collect", str(tmp_path)])  # a folder without one
    assert r.stderr == f"error: {tmp_path / 'listen.toml'}: listening project file not found\n"


@pytest.mark.parametrize(
    ("added", "skipped", "pages", "expected"),
    [
        (
            {"accounts": 1, "post_metrics": 1, "posts": 1},
            {},
            1,
            "tag: 1 account, 1 post_metrics row, 1 post (1 page)",
        ),
        (
            {"accounts": 17, "post_metrics": 20, "posts": 20, "follows": 0},
            {"malformed reply": 1},
            2,
            "tag: 17 accounts, 20 post_metrics, 20 posts (2 pages); 1 record skipped: "
            "1 malformed reply",
        ),
        ({}, {"a": 2, "b": 1}, 0, "tag: nothing new (0 pages); 3 records skipped: 2 a, 1 b"),
    ],
)
def test_collect_summary_counts_in_the_right_number(added, skipped, pages, expected):
    from ripplemeter.cli.listen import _summary
    from ripplemeter.listen.collectors import CollectResult

    r = CollectResult("tag", added=added, skipped=skipped, pages=pages)
    assert _summary(r) == expected


def test_collect_summary_of_a_failed_source_says_it_failed():
    from ripplemeter.cli.listen import _summary
    from ripplemeter.listen.collectors import CollectResult

    r = CollectResult("yt", error="source 'yt': x", detail="x")
    assert _summary(r) == "yt: failed, nothing collected (see the error below)"
    r = CollectResult("tag", added={"posts": 7, "accounts": 0}, pages=1, error="x", detail="x")
    assert _summary(r) == "tag: 7 posts (1 page), then failed (see the error below)"


def test_watch_runs_rounds_and_stops(tmp_path):
    p = _project(tmp_path)
    r = runner.invoke(
        app, ["listen", "watch", str(p), "--every", "0.01s", "--max-rounds", "2", "--no-sentiment"]
    )
    assert r.exit_code == 0, r.output
    assert (
        "round 1:" in r.output and "round 2:" in r.output and "watch stopped (2 rounds)" in r.output
    )


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_watch_stops_on_sigterm(tmp_path, signum):
    """SIGTERM and Ctrl-C (SIGINT) while the watch waits for its next round: exit 0."""
    p = _project(tmp_path)
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ripplemeter.cli",
            "listen",
            "watch",
            str(p),
            "--every",
            "1h",
            "--no-sentiment",
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        lines = []
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            lines.append(line)
            if "round 1:" in line:
                break
        assert any("round 1:" in x for x in lines), "".join(lines)
        proc.send_signal(signum)  # while it waits an hour for the next round
        rest = proc.communicate(timeout=60)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert rest == "note: watch stopped (1 round)\n"


def test_watch_delivers_an_alert_once_across_restarts(tmp_path, monkeypatch):
    """Two watchers in a row (a restart) over a burst two hours ago: one webhook POST."""
    import hashlib
    import hmac
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from ripplemeter.listen.project import load_listen_project, watch

    received: list[tuple[dict, bytes]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *a):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("RM_TEST_HOOK_SECRET", "s3cret-for-test")
    # twelve days of 2 Acme mentions an hour up to now, and 30 more three hours ago
    now = pd.Timestamp.now(tz="UTC").floor("h")
    rows = ["id,platform,author,created_at,text"]
    for i, h in enumerate(
        pd.date_range(now - pd.Timedelta(days=12), now, freq="h", inclusive="left")
    ):
        for k in range(2):
            rows.append(
                f"a{i}_{k},x,u{i % 5},{h + pd.Timedelta(minutes=5 + 20 * k):%Y-%m-%dT%H:%M:%SZ},acme ok"
            )
    burst = now - pd.Timedelta(hours=3)
    for k in range(30):
        rows.append(
            f"b{k},x,v{k},{burst + pd.Timedelta(minutes=k):%Y-%m-%dT%H:%M:%SZ},acme is broken"
        )
    (tmp_path / "m.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    toml = tmp_path / "listen.toml"
    toml.write_text(
        PROJECT
        + f"""
[alerts]
rule = "meltwater"

[[alerts.deliver]]
kind = "webhook"
id = "hook"
url = "http://127.0.0.1:{server.server_address[1]}/alerts"
secret = "env:RM_TEST_HOOK_SECRET"
""",
        encoding="utf-8",
    )
    with Workspace(tmp_path / "listen.duckdb") as ws:
        ws.import_file(tmp_path / "m.csv", "comments")
    proj = load_listen_project(toml)
    try:
        first = watch(proj, every=0, max_rounds=1, annotate=False)
        again = watch(proj, every=0, max_rounds=1, annotate=False)  # a restart
    finally:
        server.shutdown()
    assert [a.rule for a in first[0].alerts] == ["meltwater"]
    assert first[0].alerts[0].start == burst.tz_convert("Asia/Shanghai")
    assert [d.status for d in first[0].deliveries] == ["delivered"]
    assert [d.status for d in again[0].deliveries] == ["already-delivered"]
    assert len(received) == 1
    headers, body = received[0]
    assert first[0].alerts[0].key in body.decode("utf-8")
    # the body is signed with the secret (HMAC-SHA256), which itself is never sent
    digest = hmac.new(b"s3cret-for-test", body, hashlib.sha256).hexdigest()
    assert any(digest in v for v in headers.values())
    assert "s3cret-for-test" not in json.dumps(headers) + body.decode("utf-8")
    # the watcher names the project and the topic and says the event is still going on (the
    # 24-hour mean stays above the bar for a day after the burst three hours ago)
    payload = json.loads(body)
    rec = payload["alert"]
    assert (rec["project"], rec["topic_name"], rec["series"], rec["ongoing"]) == (
        "Tea listening",
        "Acme",
        "acme",
        True,
    )
    assert payload["text"].startswith("Tea listening: spike in Acme mentions.")
    assert "still going on" in payload["text"]


def _burst_project(tmp_path: Path, deliver: str) -> Path:
    """Twelve days of 2 Acme mentions an hour up to now and 30 more three hours ago."""
    now = pd.Timestamp.now(tz="UTC").floor("h")
    rows = ["id,platform,author,created_at,text"]
    for i, h in enumerate(
        pd.date_range(now - pd.Timedelta(days=12), now, freq="h", inclusive="left")
    ):
        for k in range(2):
            t = h + pd.Timedelta(minutes=5 + 20 * k)
            rows.append(f"a{i}_{k},x,u{i % 5},{t:%Y-%m-%dT%H:%M:%SZ},acme ok")
    burst = now - pd.Timedelta(hours=3)
    for k in range(30):
        t = burst + pd.Timedelta(minutes=k)
        rows.append(f"b{k},x,v{k},{t:%Y-%m-%dT%H:%M:%SZ},acme is broken")
    (tmp_path / "m.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    toml = tmp_path / "listen.toml"
    toml.write_text(PROJECT + '\n[alerts]\nrule = "meltwater"\n' + deliver, encoding="utf-8")
    with Workspace(tmp_path / "listen.duckdb") as ws:
        ws.import_file(tmp_path / "m.csv", "comments")
    return toml


@pytest.mark.parametrize("failure", ["missing secret", "401", "server down"])
def test_watch_exits_1_when_an_alert_is_not_delivered(tmp_path, monkeypatch, failure):
    """cron must notice: a due alert that no channel took is exit status 1, with the reason."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Refuse(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(401)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *a):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Refuse)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    if failure == "server down":
        server.shutdown()
        server.server_close()
    monkeypatch.delenv("RM_TEST_ABSENT_SECRET", raising=False)
    monkeypatch.setenv("RM_TEST_HOOK_SECRET", "s3cret-for-test")
    secret = "RM_TEST_ABSENT_SECRET" if failure == "missing secret" else "RM_TEST_HOOK_SECRET"
    toml = _burst_project(
        tmp_path,
        f"""
[[alerts.deliver]]
kind = "webhook"
id = "team-chat"
url = "http://127.0.0.1:{port}/alerts"
secret = "env:{secret}"
max_attempts = 1
""",
    )
    try:
        r = runner.invoke(
            app, ["listen", "watch", str(toml), "--max-rounds", "1", "--no-sentiment"]
        )
    finally:
        if failure != "server down":
            server.shutdown()
            server.server_close()
    assert r.exit_code == 1, r.output
    assert "1 alert could not be delivered to team-chat" in r.output
    why = {
        "missing secret": "RM_TEST_ABSENT_SECRET",
        "401": "HTTP 401",
        "server down": "the webhook could not be reached (connection refused)",
    }
    assert why[failure] in r.output
    assert "Error" not in r.output  # no exception class names (ConnectError ...)
    assert "s3cret-for-test" not in r.output


def test_watch_exits_0_when_the_alert_is_delivered(tmp_path, monkeypatch):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Take(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *a):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Take)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("RM_TEST_HOOK_SECRET", "s3cret-for-test")
    toml = _burst_project(
        tmp_path,
        f"""
[[alerts.deliver]]
kind = "webhook"
url = "http://127.0.0.1:{server.server_address[1]}/alerts"
secret = "env:RM_TEST_HOOK_SECRET"
""",
    )
    try:
        r = runner.invoke(
            app, ["listen", "watch", str(toml), "--max-rounds", "1", "--no-sentiment"]
        )
    finally:
        server.shutdown()
        server.server_close()
    assert r.exit_code == 0, r.output
    assert "1 delivered" in r.output


def test_watch_interrupted_after_a_failed_delivery_still_exits_1(tmp_path, monkeypatch):
    """Ctrl-C after a round whose alert was not delivered: exit 1, not 0 (cron must notice)."""
    import types

    import ripplemeter.listen.project as project

    monkeypatch.setenv("RM_TEST_HOOK_SECRET", "s3cret-for-test")
    toml = _burst_project(
        tmp_path,
        """
[[alerts.deliver]]
kind = "webhook"
id = "team-chat"
url = "http://127.0.0.1:9/alerts"
secret = "env:RM_TEST_HOOK_SECRET"
max_attempts = 1
""",
    )
    failed = types.SimpleNamespace(
        key="k1", channel="team-chat", status="failed", detail="HTTP 401"
    )
    round1 = types.SimpleNamespace(
        number=1, collected=[], alerts=[], deliveries=[failed], error=None
    )

    def fake_watch(proj, *, on_round, **kw):
        on_round(round1)
        raise KeyboardInterrupt  # what the second Ctrl-C raises during round 2

    monkeypatch.setattr(project, "watch", fake_watch)
    r = runner.invoke(app, ["listen", "watch", str(toml), "--no-sentiment"])
    assert r.exit_code == 130, r.output
    # one line, which still says what was not delivered
    assert r.stderr.splitlines()[-1] == (
        "note: watch stopped at once: round 2 was left unfinished (the next run resumes where "
        "it stopped); 1 alert could not be delivered to team-chat (the next run tries again)"
    )
    assert "Traceback" not in r.output

    def stopped_watch(proj, *, on_round, stop, **kw):
        on_round(round1)
        stop.set()  # a first Ctrl-C: the round ends, the watch stops, the failure counts
        return [round1]

    monkeypatch.setattr(project, "watch", stopped_watch)
    r = runner.invoke(app, ["listen", "watch", str(toml), "--no-sentiment"])
    assert r.exit_code == 1, r.output
    assert "1 alert could not be delivered to team-chat" in r.output


def _signals_in_evaluation(monkeypatch, *signums):
    """Make the round's evaluation raise these signals in this process, as a user's Ctrl-C
    (SIGINT) or a supervisor's SIGTERM would arrive in the middle of a round."""
    import ripplemeter.listen.project as project

    real = project.evaluate_listening
    calls = []

    def evaluate(*a, **kw):
        calls.append(1)
        for sig in signums:
            signal.raise_signal(sig)
        return real(*a, **kw)

    monkeypatch.setattr(project, "evaluate_listening", evaluate)
    return calls


@pytest.mark.parametrize(
    ("signum", "said"),
    [
        (signal.SIGINT, "note: stopping after this round (Ctrl-C again to stop at once)"),
        (signal.SIGTERM, "note: stopping after this round"),
    ],
)
def test_watch_stop_signal_during_a_round_finishes_the_round(tmp_path, monkeypatch, signum, said):
    """Ctrl-C as SIGTERM: the round ends (its line is printed), no other round, exit 0."""
    p = _project(tmp_path)
    calls = _signals_in_evaluation(monkeypatch, signum)
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    r = runner.invoke(app, ["listen", "watch", str(p), "--every", "1h", "--no-sentiment"])
    assert r.exit_code == 0, r.output
    assert r.stderr.splitlines() == [
        said,
        "note: round 1: 0 posts collected; 0 alerts going on",
        "note: watch stopped (1 round)",
    ]
    assert len(calls) == 1  # an hour's wait would follow a round 2: the stop came first
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


def test_watch_second_ctrl_c_stops_at_once(tmp_path, monkeypatch):
    p = _project(tmp_path)
    _signals_in_evaluation(monkeypatch, signal.SIGINT, signal.SIGINT)
    r = runner.invoke(app, ["listen", "watch", str(p), "--every", "1h", "--no-sentiment"])
    assert r.exit_code == 130, r.output
    assert r.stderr.splitlines() == [
        "note: stopping after this round (Ctrl-C again to stop at once)",
        "note: watch stopped at once: round 1 was left unfinished (the next run resumes where "
        "it stopped)",
    ]
    assert r.stdout == ""


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 0)])
def test_watch_stop_signal_during_start_up(tmp_path, monkeypatch, signum, status):
    """While listen.toml is read (before any round): one line, exit 0 (TERM) or 130 (INT)."""
    import ripplemeter.listen.project as project

    p = _project(tmp_path)
    real = project.load_listen_project

    def load(path):
        signal.raise_signal(signum)
        return real(path)

    monkeypatch.setattr(project, "load_listen_project", load)
    r = runner.invoke(app, ["listen", "watch", str(p), "--no-sentiment"])
    assert r.exit_code == status, r.output
    assert r.output == "note: watch stopped before its first round\n"


def test_alerts_detect_scale_for_a_quiet_topic(tmp_path):
    """A quiet topic (0-2 mentions an hour) that jumps to 40 an hour: an alert on the default
    log scale and on the linear scale with the linear default (z = 10); z = 50 puts the linear
    bar at 1 + 50 x 1 (the Poisson floor of the scale for one expected mention) = 51 > 40.

    Log scale by hand, at 20 Jan 21:00 (hour 477, phase 1 of the 0,1,2,1 cycle): the same
    hour of the week +/- 1 h one and two weeks back holds 1, 2, 0 twice; log(1 + x) has
    median log 2 and MAD log 1.5 (deviations 0, 0, 0.405, 0.405, 0.693, 0.693), so the scale
    is 1.4826 log 1.5 = 0.601 (above the Poisson floor 0.4895 for one mention) and
    z = (log 41 - log 2) / 0.601 = 5.03 > 4; the bar is e^(log 2 + 4 x 0.601) - 1 = 21.1.
    Before 2 December 2026 the floor was 1 and the bar e^(log 2 + 4) - 1 = 108: no alert."""
    idx = pd.date_range("2026-01-01", periods=24 * 20, freq="h")
    x = [(0, 1, 2, 1)[i % 4] for i in range(len(idx))]  # the same hour of every week alike
    x[-3:] = [40] * 3
    f = tmp_path / "quiet.csv"
    pd.DataFrame({"hour": idx.strftime("%Y-%m-%d %H:%M"), "mentions": x}).to_csv(f, index=False)
    args = ["alerts", "detect", str(f), "--time-column", "hour", "--value-column", "mentions"]
    r = runner.invoke(app, [*args, "--json"])
    assert r.exit_code == 0, r.output
    (g,) = json.loads(r.stdout)
    assert (g["rule"], g["start"], g["observed"], g["expected"]) == (
        "tuned",
        "2026-01-20T21:00:00",
        40,
        1,
    )
    scale = 1.4826 * math.log(1.5)
    assert g["threshold"] == pytest.approx(math.expm1(math.log(2) + 4 * scale), rel=1e-5)
    r = runner.invoke(app, [*args, "--scale", "linear", "--json"])
    assert r.exit_code == 0, r.output
    (a,) = json.loads(r.stdout)
    # the same hour of the week and the hours either side over two weeks: median 1
    assert (a["rule"], a["start"], a["observed"], a["expected"]) == (
        "tuned",
        "2026-01-20T21:00:00",
        40,
        1,
    )
    r = runner.invoke(app, [*args, "--scale", "linear", "--threshold", "50", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout) == []
    r = runner.invoke(app, [*args, "--scale", "linear", "--rule", "meltwater"])
    assert r.exit_code == 2 and "tuned rule" in r.output and "Traceback" not in r.output
    r = runner.invoke(app, [*args, "--scale", "cubic"])
    assert r.exit_code == 2 and "log or linear" in r.output
