"""Alert delivery: signed webhooks to a local HTTP server, e-mail to a local aiosmtpd server.

The servers are started by the tests. The webhook server checks the HMAC with the ``hmac``
module itself (not with ripplemeter's signing code), answers 500 then 429 (Retry-After: 7)
then 200, and the delivery must happen once even after a restart (a new Workspace object on
the same file).
"""

from __future__ import annotations

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
    assert doc["text"].startswith("Alert on brand (tuned): from 1 Mar 2026, 10:00 to 1 Mar 2026")
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
    msg = message_from_bytes(content)
    assert "tuned brand alert: 80 vs 10 expected" in msg["Subject"]
    body = msg.get_payload(decode=True).decode()
    assert "brand: 80 mentions per hour against 10 expected" in body
    assert "mastodon:1" in body
    # times in words, as the report writes them (make_alert's times are naive: no zone)
    assert "From 1 Mar 2026, 10:00 to 1 Mar 2026, 12:00 (peak at 1 Mar 2026, 11:00)" in body
    assert body.startswith("Alert on brand (tuned): from 1 Mar 2026, 10:00 to 1 Mar 2026, 12:00")
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
