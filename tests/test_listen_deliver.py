"""Alert delivery: signed webhooks to a local HTTP server, e-mail to a local aiosmtpd server.

The servers are started by the tests. The webhook server checks the HMAC with the ``hmac``
module itself (not with ripplemeter's signing code), answers 500 then 429 (Retry-After: 7)
then 200, and the delivery must happen once even after a restart (a new Workspace object on
the same file).
"""

from __future__ import annotations

import email.policy
import hashlib
import hmac
import json
import socket
import threading
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd
import pytest

from ripplemeter.listen.alerts import Alert
from ripplemeter.listen.deliver import (
    EmailSettings,
    WebhookSettings,
    deliver,
)
from ripplemeter.workspace import Workspace

SECRET = "s3cr3t-shared-value"


def make_alert(end="2026-03-01 12:00", observed=80.0) -> Alert:
    return Alert(
        rule="tuned",
        start=pd.Timestamp("2026-03-01 10:00"),
        end=pd.Timestamp(end),
        observed=observed,
        expected=10.0,
        threshold=40.0,
        window="1h",
        peak_at=pd.Timestamp("2026-03-01 11:00"),
        post_ids=["mastodon:1", "mastodon:2"],
        explanation="brand: 80 mentions per hour against 10 expected",
        series="brand",
    )


class _Hook(BaseHTTPRequestHandler):
    script: list[tuple[int, dict]] = []
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        type(self).received.append(
            {
                "body": body,
                "signature_ok": hmac.compare_digest(
                    expected, self.headers.get("X-Ripplemeter-Signature", "")
                ),
                "timestamp": self.headers.get("X-Ripplemeter-Timestamp"),
                "delivery": self.headers.get("X-Ripplemeter-Delivery"),
            }
        )
        status, headers = type(self).script.pop(0) if type(self).script else (200, {})
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def hook():
    handler = type("Hook", (_Hook,), {"script": [], "received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield handler, f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def test_webhook_signed_retried_and_delivered_once_across_restart(tmp_path, hook, monkeypatch):
    handler, url = hook
    handler.script = [(500, {}), (429, {"Retry-After": "7"})]
    monkeypatch.setenv("RM_TEST_HOOK_SECRET", SECRET)
    ch = WebhookSettings(url=url, secret="env:RM_TEST_HOOK_SECRET", backoff=2.0, id="ops")
    waits: list[float] = []
    path = tmp_path / "ws.duckdb"

    ws = Workspace(path)
    res = deliver(ws, [make_alert()], [ch], sleep=waits.append)
    ws.close()
    assert [r.status for r in res] == ["delivered"]
    assert res[0].attempts == 3
    assert len(handler.received) == 3
    assert all(r["signature_ok"] for r in handler.received)
    # first retry: equal jitter on a 2 s base -> between 1 and 2 s; second: the Retry-After
    assert 1.0 <= waits[0] <= 2.0 and waits[1] == 7.0 and len(waits) == 2
    doc = json.loads(handler.received[-1]["body"])
    assert doc["event"] == "alert" and doc["version"] == 1
    assert doc["alert"]["observed"] == 80.0 and doc["alert"]["start"] == "2026-03-01T10:00:00"
    # no project given: the topic's id stands for its name; no post of the alert is stored
    assert doc["text"] == (
        "Spike in brand mentions. 80 mentions in the hour to 1 Mar 2026, 12:00, against 10 "
        "expected (the alert level was 40); from 1 Mar 2026, 10:00 to 1 Mar 2026, 12:00, peak "
        "at 1 Mar 2026, 11:00.\n2 post(s) drove it (not found in the workspace)."
    )
    # the machine record keeps every key it had, and gains the topic's name and the state
    assert set(doc["alert"]) == {
        *make_alert().to_json(),
        "topic_name",
        "project",
        "ongoing",
    }
    assert (doc["alert"]["topic_name"], doc["alert"]["project"], doc["alert"]["ongoing"]) == (
        "brand",
        None,
        None,
    )
    assert doc["sent_at"] == int(handler.received[-1]["timestamp"])
    assert SECRET not in handler.received[-1]["body"].decode()

    # restart: a new Workspace object on the same file, the same alert detected again
    ws = Workspace(path)
    res = deliver(ws, [make_alert()], [ch], sleep=waits.append)
    assert [r.status for r in res] == ["already-delivered"]
    assert len(handler.received) == 3
    log = ws.sql("SELECT attempt, status, http_status FROM alert_deliveries ORDER BY attempt")
    assert log.values.tolist() == [[1, "retry", 500], [2, "retry", 429], [3, "delivered", 200]]
    row = ws.sql("SELECT version, delivered_version FROM alerts").iloc[0].tolist()
    assert row == [1, 1]

    # the event goes on: updated in the table, not sent (deliver_updates is false)
    res = deliver(ws, [make_alert(end="2026-03-01 14:00", observed=95.0)], [ch], sleep=waits.append)
    assert [r.status for r in res] == ["update-not-sent"]
    assert ws.sql('SELECT version, "end" FROM alerts').iloc[0].tolist() == [
        2,
        pd.Timestamp("2026-03-01 14:00"),
    ]
    # a channel that wants updates gets version 2 as an update, once
    ch2 = WebhookSettings(url=url, secret="env:RM_TEST_HOOK_SECRET", id="ops", deliver_updates=True)
    res = deliver(ws, [make_alert(end="2026-03-01 14:00", observed=95.0)], [ch2])
    assert [r.status for r in res] == ["delivered"]
    doc = json.loads(handler.received[-1]["body"])
    assert doc["event"] == "alert.updated" and doc["version"] == 2
    assert handler.received[-1]["delivery"].endswith(":2")
    res = deliver(ws, [make_alert(end="2026-03-01 14:00", observed=95.0)], [ch2])
    assert [r.status for r in res] == ["already-delivered"]
    assert len(handler.received) == 4
    ws.close()


def test_webhook_gives_up_on_4xx_and_tries_again_next_run(tmp_path, hook, monkeypatch):
    handler, url = hook
    handler.script = [(404, {})]
    monkeypatch.setenv("RM_TEST_HOOK_SECRET", SECRET)
    monkeypatch.setenv("RM_TEST_HOOK_URL", url)  # a URL that is itself a secret
    ch = WebhookSettings(url="env:RM_TEST_HOOK_URL", secret="env:RM_TEST_HOOK_SECRET")
    ws = Workspace(tmp_path / "ws.duckdb")
    res = deliver(ws, [make_alert()], [ch], sleep=lambda s: None)
    assert res[0].status == "failed" and res[0].attempts == 1 and "404" in res[0].detail
    res = deliver(ws, [make_alert()], [ch], sleep=lambda s: None)
    assert res[0].status == "delivered"
    assert len(handler.received) == 2
    log = ws.sql("SELECT * FROM alert_deliveries")
    assert not log.astype(str).apply(lambda c: c.str.contains("127.0.0.1")).any().any()
    ws.close()


def test_webhook_connection_refused_retries_then_fails(tmp_path, monkeypatch):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    ch = WebhookSettings(url=f"http://127.0.0.1:{port}/", max_attempts=3, backoff=1.0)
    waits: list[float] = []
    ws = Workspace(tmp_path / "ws.duckdb")
    res = deliver(ws, [make_alert()], [ch], sleep=waits.append)
    assert res[0].status == "failed" and res[0].attempts == 3
    assert len(waits) == 2 and 0.5 <= waits[0] <= 1.0 and 1.0 <= waits[1] <= 2.0
    st = ws.sql("SELECT status FROM alert_deliveries ORDER BY attempt").status.tolist()
    assert st == ["retry", "retry", "failed"]
    ws.close()


def test_missing_secret_names_the_variable_not_a_value(tmp_path, monkeypatch):
    monkeypatch.delenv("RM_TEST_ABSENT", raising=False)
    ch = WebhookSettings(url="http://127.0.0.1:9/", secret="env:RM_TEST_ABSENT")
    ws = Workspace(tmp_path / "ws.duckdb")
    # the channel fails (not tried: nothing is sent unsigned), said in its result and the log
    (res,) = deliver(ws, [make_alert()], [ch])
    assert (res.status, res.attempts) == ("failed", 0)
    assert "RM_TEST_ABSENT" in res.detail
    logged = ws.sql("SELECT status, detail FROM alert_deliveries").to_dict("records")
    assert logged == [{"status": "failed", "detail": res.detail}]
    ch = WebhookSettings(url="http://127.0.0.1:9/", secret="hunter2-literal")
    (res,) = deliver(ws, [make_alert()], [ch])
    assert res.status == "failed" and "hunter2" not in res.detail
    assert "hunter2" not in ws.sql("SELECT string_agg(detail, ' ') AS d FROM alert_deliveries").d[0]
    ws.close()


def test_a_channel_without_its_secret_does_not_stop_the_others(tmp_path, hook, monkeypatch):
    handler, url = hook
    monkeypatch.delenv("RM_TEST_ABSENT", raising=False)
    monkeypatch.setenv("RM_TEST_HOOK_SECRET", SECRET)
    broken = WebhookSettings(url=url, secret="env:RM_TEST_ABSENT", id="broken")
    fine = WebhookSettings(url=url, secret="env:RM_TEST_HOOK_SECRET", id="fine")
    ws = Workspace(tmp_path / "ws.duckdb")
    res = deliver(ws, [make_alert()], [broken, fine])
    assert [(r.channel, r.status) for r in res] == [("broken", "failed"), ("fine", "delivered")]
    assert len(handler.received) == 1 and handler.received[0]["signature_ok"]
    ws.close()


def test_settings_forbid_unknown_keys():
    from pydantic import ValidationError

    from ripplemeter.listen.alerts import AlertSettings

    with pytest.raises(ValidationError):
        WebhookSettings(url="http://x/", sekret="env:X")
    s = AlertSettings.model_validate(
        {
            "deliver": [
                {"kind": "webhook", "url": "http://x/"},
                {"kind": "email", "host": "h", "sender": "a@b", "to": ["c@d"]},
            ]
        }
    )
    assert [type(c).__name__ for c in s.deliver] == ["WebhookSettings", "EmailSettings"]
    with pytest.raises(ValidationError):
        AlertSettings.model_validate({"deliver": [{"kind": "pager", "url": "x"}]})


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self):
            self.messages = []
            self.script: list[str] = []  # replies to give before accepting

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
            if self.script:
                return self.script.pop(0)
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
            return "250 Message accepted for delivery"

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    handler = Handler()
    ctl = Controller(handler, hostname="127.0.0.1", port=port)
    ctl.start()
    yield handler, port
    ctl.stop()


def test_email_received_once_across_restart(tmp_path, smtp_server):
    handler, port = smtp_server
    ch = EmailSettings(
        host="127.0.0.1", port=port, sender="alerts@example.org", to=["team@example.org"]
    )
    path = tmp_path / "ws.duckdb"
    ws = Workspace(path)
    res = deliver(ws, [make_alert()], [ch])
    ws.close()
    assert [r.status for r in res] == ["delivered"]
    ws = Workspace(path)
    res = deliver(ws, [make_alert()], [ch])
    ws.close()
    assert [r.status for r in res] == ["already-delivered"]
    assert len(handler.messages) == 1
    sender, rcpts, content = handler.messages[0]
    assert sender == "alerts@example.org" and rcpts == ["team@example.org"]
    msg = message_from_bytes(content, policy=email.policy.default)
    # (Python folds a long subject that starts with "[" right after "Subject:"; unfolded,
    # per RFC 5322 section 2.2.3, it reads the same)
    assert msg["Subject"].strip() == (
        "[ripplemeter] spike in brand mentions (80 in an hour against 10 expected)"
    )
    body = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    # times in words, as the report writes them (make_alert's times are naive: no zone);
    # the rule's own sentence comes last, without the topic id in front
    assert body == (
        "Spike in brand mentions. 80 mentions in the hour to 1 Mar 2026, 12:00, against 10 "
        "expected (the alert level was 40); from 1 Mar 2026, 10:00 to 1 Mar 2026, 12:00, peak "
        "at 1 Mar 2026, 11:00.\n\n2 post(s) drove it; none is in the workspace any more.\n\n"
        "How the tuned rule decided: 80 mentions per hour against 10 expected\n"
        f"Alert {make_alert().key}, version 1 (the machine record is in the webhook).\n"
    )
    assert "mastodon:1" not in body  # ids stay in the machine record
    assert msg["Message-ID"].startswith("<" + make_alert().key)


def test_watcher_cycle_one_event_one_message(tmp_path, hook):
    """detect -> deliver, three runs of a watcher on a growing series, restarting each time."""
    import numpy as np

    from ripplemeter.listen.alerts import detect

    handler, url = hook
    ch = WebhookSettings(url=url)
    x = np.full(24 * 10, 10.0)
    x[24 * 9 + 2 : 24 * 9 + 6] = [100.0, 120.0, 150.0, 90.0]
    full = pd.Series(x, index=pd.date_range("2026-03-02", periods=len(x), freq="h"))
    path = tmp_path / "ws.duckdb"
    statuses = []
    # the surge's first hour (100), its second (120: a new peak), then all of it (peak 150 at
    # 04:00; the 90 at 05:00 is no new record but still above the threshold, 37.97 for a
    # baseline of 10 (see test_listen_alerts), so the event ends at 05:00)
    for upto in (24 * 9 + 3, 24 * 9 + 4, len(x)):
        ws = Workspace(path)  # a new process each time
        alerts = detect(full.iloc[:upto], "tuned", name="brand")
        assert len(alerts) == 1
        statuses += [r.status for r in deliver(ws, alerts, [ch])]
        ws.close()
    assert statuses == ["delivered", "update-not-sent", "update-not-sent"]
    assert len(handler.received) == 1
    ws = Workspace(path)
    row = ws.sql('SELECT version, delivered_version, observed, "end" FROM alerts')
    ws.close()
    assert len(row) == 1
    assert row.iloc[0].tolist() == [3, 1, 150.0, pd.Timestamp("2026-03-11 05:00")]


def test_email_retries_a_4xx_and_stops_on_a_5xx(tmp_path, smtp_server):
    handler, port = smtp_server
    handler.script = ["451 4.3.0 try again later"]
    ch = EmailSettings(host="127.0.0.1", port=port, sender="a@example.org", to=["b@example.org"])
    waits: list[float] = []
    ws = Workspace(tmp_path / "ws.duckdb")
    (res,) = deliver(ws, [make_alert()], [ch], sleep=waits.append)
    assert (res.status, res.attempts, len(waits), len(handler.messages)) == ("delivered", 2, 1, 1)
    log = ws.sql("SELECT status, smtp_reply FROM alert_deliveries ORDER BY attempt")
    assert log.status.tolist() == ["retry", "delivered"]
    assert log.smtp_reply.iloc[0].startswith("451")
    handler.script = ["554 5.7.1 rejected"]
    other = make_alert()
    other.series, other.key = "competitor", ""
    other.__post_init__()
    (res,) = deliver(ws, [other], [ch], sleep=waits.append)
    assert (res.status, res.attempts) == ("failed", 1) and res.detail.startswith("554")
    assert len(handler.messages) == 1
    ws.close()


# ---------------------------------------------------------------------------- the words
# A meltwater alert of the trial's shape (2 Dec 2026, Asia/Seoul): 19 mentions in the 24
# hours to the end of the peak hour, 0.791667 per hour; expected 0.007192 x 24 = 0.172608
# mentions, threshold 0.182906 x 24 = 4.389744. Five posts drove it, four are stored.
LONG = "Lumen Tea <script>x</script> & more\r\nBcc: evil@example.com " + "a" * 200
# shorten(LONG, 140, count_ellipsis=False): white space collapsed, the 58 characters up to
# and including the space after the address, then the long word is cut at 140 characters
LONG_SHOWN = "Lumen Tea <script>x</script> & more Bcc: evil@example.com " + "a" * 82 + "…"


def trial_alert() -> Alert:
    kst = "Asia/Seoul"
    return Alert(
        rule="meltwater",
        start=pd.Timestamp("2026-12-02 23:00", tz=kst),
        end=pd.Timestamp("2026-12-03 06:00", tz=kst),
        observed=0.791667,
        expected=0.007192,
        threshold=0.182906,
        window="24h",
        peak_at=pd.Timestamp("2026-12-03 00:00", tz=kst),
        post_ids=["mastodon:1", "x:2", "gone:4", "rss:3", "mastodon:5"],
        explanation="brand: the 24-hour average of 0.7917 mentions per hour exceeded 0.1829",
        series="brand",
    )


def lumen_project(tmp_path):
    from ripplemeter.evaluate.listening import TopicSettings
    from ripplemeter.listen.project import ListenProject

    return ListenProject(
        name="Lumen launch",
        timezone="Asia/Seoul",
        workspace=tmp_path / "ws.duckdb",
        topics=[
            TopicSettings(id="brand", name="Lumen Tea", role="brand", query="lumen"),
            TopicSettings(id="rival", name="Rival Tea", role="competitor", query="rival"),
        ],
    )


def store_posts(ws: Workspace) -> None:
    posts = pd.DataFrame(
        {
            "post_id": ["mastodon:1", "x:2", "rss:3", "mastodon:5"],
            "platform": ["mastodon", "x", "rss", "mastodon"],
            "account_id": ["mastodon:10", "x:lumenfan", "rss:example.org", "mastodon:11"],
            # UTC: 23:20, 23:40 KST on 2 Dec; 00:05, 00:30 KST on 3 Dec
            "created_at": pd.to_datetime(
                ["2026-12-02 14:20", "2026-12-02 14:40", "2026-12-02 15:05", "2026-12-02 15:30"]
            ),
            "text": [LONG, "Lumen Tea again", "Lumen Tea review", "Lumen\n\nTea  at last"],
            "url": [
                "https://mamot.fr/@adrienne/1",
                "javascript:alert(1)",  # not a web link: not shown
                "http://example.org/a?b=1&c=2",
                None,
            ],
        }
    )
    accounts = pd.DataFrame(
        {
            "account_id": ["mastodon:10", "x:lumenfan", "rss:example.org"],
            "platform": ["mastodon", "x", "rss"],
            "handle": ["adrienne@mamot.fr", "lumenfan", "example.org"],
            "name": ["Adrienne", None, "Tea Times"],
        }
    )
    with ws.transaction():
        ws.con.execute(
            "INSERT INTO imports (import_id, path, format, context_key, rows, rows_by_table, "
            "notes, started_at, status) VALUES (1, 'test://', 'test', '', 0, '{}', '[]', now(), "
            "'ok')"
        )
        ws.insert_rows("posts", posts, 1)
        ws.insert_rows("accounts", accounts, 1)


SUMMARY = (
    "Lumen launch: spike in Lumen Tea mentions. 19 mentions in the 24 hours to 3 Dec 2026, "
    "01:00 KST, against about 0.173 expected (the alert level was 4.39); from 2 Dec 2026, "
    "23:00 KST to 3 Dec 2026, 06:00 KST, peak at 3 Dec 2026, 00:00 KST; still going on."
)


def test_webhook_text_and_record_name_the_topic_project_state_and_posts(tmp_path, hook):
    handler, url = hook
    ws = Workspace(tmp_path / "ws.duckdb")
    store_posts(ws)
    a = trial_alert()
    (res,) = deliver(
        ws, [a], [WebhookSettings(url=url)], project=lumen_project(tmp_path), ongoing={a.key: True}
    )
    ws.close()
    assert res.status == "delivered"
    doc = json.loads(handler.received[-1]["body"])
    assert doc["text"] == (
        SUMMARY + "\n"
        "The 5 posts that drove it; 1 not found in the workspace:\n"
        f"- Adrienne (@adrienne@mamot.fr), 2 Dec 2026, 23:20 KST: {LONG_SHOWN} "
        "https://mamot.fr/@adrienne/1\n"
        "- @lumenfan, 2 Dec 2026, 23:40 KST: Lumen Tea again\n"
        "- Tea Times, 3 Dec 2026, 00:05 KST: Lumen Tea review http://example.org/a?b=1&c=2\n"
        "... and 1 more"
    )
    rec = doc["alert"]
    assert (rec["topic_name"], rec["project"], rec["ongoing"]) == (
        "Lumen Tea",
        "Lumen launch",
        True,
    )
    # the ids and the rule's figures stay in the machine record, as before
    assert rec["post_ids"] == a.post_ids and rec["observed"] == 0.791667
    assert rec["series"] == "brand" and rec["start"] == "2026-12-02T23:00:00+09:00"


def test_email_subject_plain_and_html_parts(tmp_path, smtp_server):
    handler, port = smtp_server
    ws = Workspace(tmp_path / "ws.duckdb")
    store_posts(ws)
    a = trial_alert()
    a.ongoing = False  # an alert that says its own state (alerts_of may fill it)
    ch = EmailSettings(host="127.0.0.1", port=port, sender="a@example.org", to=["b@example.org"])
    (res,) = deliver(ws, [a], [ch], project=lumen_project(tmp_path))
    ws.close()
    assert res.status == "delivered"
    msg = message_from_bytes(handler.messages[0][2], policy=email.policy.default)
    assert msg["Subject"].strip() == (
        "[ripplemeter] Lumen launch: spike in Lumen Tea mentions (19 in 24 hours against "
        "about 0.173 expected), ended"
    )
    # the post's "Bcc:" line stays text inside the body: no header was forged
    assert msg["Bcc"] is None and msg["To"] == "b@example.org"
    summary = SUMMARY.replace("; still going on.", "; it has ended.")
    plain = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert plain == (
        summary + "\n\n"
        "The 5 posts that drove it; 1 not found in the workspace:\n\n"
        "- Adrienne (@adrienne@mamot.fr), 2 Dec 2026, 23:20 KST\n"
        f"  {LONG_SHOWN}\n"
        "  https://mamot.fr/@adrienne/1\n\n"
        "- @lumenfan, 2 Dec 2026, 23:40 KST\n"
        "  Lumen Tea again\n\n"
        "- Tea Times, 3 Dec 2026, 00:05 KST\n"
        "  Lumen Tea review\n"
        "  http://example.org/a?b=1&c=2\n\n"
        "- mastodon:11, 3 Dec 2026, 00:30 KST\n"
        "  Lumen Tea at last\n\n"
        "How the meltwater rule decided: the 24-hour average of 0.7917 mentions per hour "
        "exceeded 0.1829\n"
        f"Alert {a.key}, version 1 (the machine record is in the webhook).\n"
    )
    html = msg.get_body(("html",)).get_content()
    shown = LONG_SHOWN.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert (
        "<li><b>Adrienne (@adrienne@mamot.fr)</b>, 2 Dec 2026, 23:20 KST<br>" + shown + "<br>"
        '<a href="https://mamot.fr/@adrienne/1">https://mamot.fr/@adrienne/1</a></li>'
    ) in html
    assert "<script>" not in html and "javascript:" not in html
    assert '<a href="http://example.org/a?b=1&amp;c=2">' in html


def test_numbers_read_in_plain_units():
    from ripplemeter.listen.deliver import number_words

    got = [number_words(x) for x in (19.000008, 0.172608, 4.389744, 1234.5, 1234567.0, 0.0004)]
    assert got == ["19", "0.173", "4.39", "1,230", "1,234,567", "0.0004"]
    assert number_words(float("nan")) == "unknown"


def test_summary_of_a_shift_and_of_a_negative_share():
    from ripplemeter.listen.deliver import alert_summary

    shift = Alert(
        rule="changepoint",
        start=pd.Timestamp("2026-03-01 10:00"),
        end=pd.Timestamp("2026-03-01 16:00"),
        observed=6.5,
        expected=2.0,
        threshold=3.0,
        window="7h",
        peak_at=pd.Timestamp("2026-03-01 10:00"),
        series="brand",
        unit="mentions per step (segment mean)",
    )
    # (6.5 - 2) / 2 = +225%
    assert alert_summary(shift) == (
        "Lasting rise in brand mentions. 6.5 mentions per hour on average, against 2 per hour "
        "before (+225%); from 1 Mar 2026, 10:00 to 1 Mar 2026, 16:00, peak at 1 Mar 2026, 10:00."
    )
    # an unknown level before (NaN, as alerts_of reads a missing value): no percentage at all
    import dataclasses

    unknown = alert_summary(dataclasses.replace(shift, expected=float("nan")))
    assert "%" not in unknown and "6.5 mentions per hour on average" in unknown
    neg = Alert(
        rule="negative_share",
        start=pd.Timestamp("2026-03-01 12:00"),
        end=pd.Timestamp("2026-03-01 15:00"),
        observed=0.45,
        expected=0.1234,
        threshold=0.3,
        window="6h",
        peak_at=pd.Timestamp("2026-03-01 14:00"),
        series="brand",
        unit="share",
    )
    assert alert_summary(neg) == (
        "More negative brand mentions. 45% of the mentions read for sentiment in the 6 hours to "
        "1 Mar 2026, 15:00 were negative, against 12.3% over the days before (the alert level was 30%); from "
        "1 Mar 2026, 12:00 to 1 Mar 2026, 15:00, peak at 1 Mar 2026, 14:00."
    )


def test_smtp_failure_reads_in_plain_words():
    """An unreachable mail server is said without exception class names."""
    import smtplib
    import socket

    from ripplemeter.listen.deliver import _smtp_reason

    assert _smtp_reason(ConnectionRefusedError(111, "refused")) == "connection refused"
    assert _smtp_reason(socket.gaierror(-2, "Name or service not known")) == "no such host"
    assert _smtp_reason(TimeoutError()) == "timed out"
    assert _smtp_reason(smtplib.SMTPServerDisconnected("gone")) == "the connection was dropped"
    assert _smtp_reason(OSError(101, "Network is unreachable")) == "no answer"
