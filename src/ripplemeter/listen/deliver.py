"""Delivering alerts: signed webhooks and e-mail, logged in the workspace, once per event.

Two channels, each configured by one ``[[alerts.deliver]]`` table of listen.toml:

- :class:`WebhookSettings` (``kind = "webhook"``): a JSON POST (``{"event", "version",
  "sent_at", "text", "alert"}``: ``text`` is :func:`alert_summary`, times in words in the
  project's zone; ``alert`` the machine record with ISO 8601 times) whose raw body is signed with
  HMAC-SHA256 and a shared secret; the signature travels in ``X-Ripplemeter-Signature:
  sha256=<hex>`` (the layout GitHub uses for its webhooks), the send time in
  ``X-Ripplemeter-Timestamp`` (Unix seconds, also inside the signed body, so a receiver can
  refuse replays). Retries with exponential backoff and jitter on 5xx, timeouts and
  connection errors; a 429 waits for its ``Retry-After``; another 4xx is final.
- :class:`EmailSettings` (``kind = "email"``): smtplib, optional STARTTLS and login. Retries
  on a dropped connection and on 4xx replies (transient in SMTP); a 5xx reply is final.

Secrets (the webhook secret, the SMTP password) are named as ``env:NAME`` or ``file:PATH``
and read when sending; they are never stored, logged or put in an error message.

Delivered once
--------------
Every alert is recorded in the workspace table ``alerts`` (keyed by the alert's ``key``; an
ongoing event's row is updated and its ``version`` goes up when its end or peak changes).
Every attempt is logged in ``alert_deliveries``. Before sending, :func:`deliver` looks for a
``delivered`` row for (key, channel); a success is logged in the same transaction that marks
the alert delivered (``alerts.delivered_version``), so a watcher that restarts (a new
Workspace on the same file) does not send again. Updates of an ongoing event are sent only
to channels with ``deliver_updates = true`` (default false: one message per event, the
common wish of a team reading alerts in a chat); they carry ``"event": "alert.updated"``.
A crash between the server's acceptance and the commit can still repeat a message once;
receivers can drop such repeats by the ``X-Ripplemeter-Delivery`` header (``key:version``),
which is also the e-mail's Message-ID.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import smtplib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import TYPE_CHECKING, Annotated, Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from ripplemeter.errors import RippleError

if TYPE_CHECKING:
    from ripplemeter.listen.alerts import Alert
    from ripplemeter.workspace import Workspace


class DeliveryError(RippleError):
    """A delivery channel is misconfigured (secret missing, bad address)."""


class _Channel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field("", description="name of the channel in the delivery log")
    max_attempts: int = Field(5, ge=1, le=20)
    backoff: float = Field(1.0, ge=0, description="first retry delay, seconds; doubles each time")
    max_backoff: float = Field(60.0, ge=0)
    max_wait: float = Field(300.0, ge=0, description="longest Retry-After honoured, seconds")
    timeout: float = Field(10.0, gt=0)
    deliver_updates: bool = False

    @property
    def name(self) -> str:
        return self.id or self.kind  # type: ignore[attr-defined]


class WebhookSettings(_Channel):
    """A webhook channel: ``[[alerts.deliver]] kind = "webhook"``.

    Attributes
    ----------
    url : str
        Where the JSON is POSTed (http or https), or ``env:NAME`` / ``file:PATH`` naming it
        when the URL itself is a secret (chat webhooks such as Slack's embed a token). The
        URL never appears in the delivery log or an error message.
    secret : str or None
        ``env:NAME`` or ``file:PATH`` naming the shared HMAC secret; None sends unsigned.
    id, max_attempts, backoff, max_backoff, max_wait, timeout, deliver_updates
        Channel name in the log; retry policy (seconds); send updates of ongoing events.
    """

    kind: Literal["webhook"] = "webhook"
    url: str
    secret: str | None = None


class EmailSettings(_Channel):
    """An e-mail channel: ``[[alerts.deliver]] kind = "email"``.

    Attributes
    ----------
    host : str
    port : int
        25 by default (587 with ``starttls = true`` is the usual submission port).
    starttls : bool
        Upgrade the connection with STARTTLS before logging in.
    username : str or None
    password : str or None
        ``env:NAME`` or ``file:PATH``; never the password itself.
    sender : str
    to : list of str
    subject_prefix : str
    """

    kind: Literal["email"] = "email"
    host: str
    port: int = Field(25, ge=1, le=65535)
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    sender: str
    to: list[str] = Field(min_length=1)
    subject_prefix: str = "[ripplemeter]"


ChannelSettings = WebhookSettings | EmailSettings
_ADAPTER: TypeAdapter[Any] = TypeAdapter(
    list[Annotated[WebhookSettings | EmailSettings, Field(discriminator="kind")]]
)


def parse_channels(raw: Sequence[Any]) -> list[ChannelSettings]:
    """Validate ``[[alerts.deliver]]`` tables (dicts or settings objects) by their ``kind``.

    Raises
    ------
    ValueError
        Unknown kind or keys (pydantic reports the position), as pydantic validators do.
    """
    return _ADAPTER.validate_python(
        [r.model_dump() if isinstance(r, BaseModel) else r for r in raw]
    )


def _secret(spec: str | None, channel: str) -> str | None:
    from ripplemeter.listen.http import CollectError, resolve_credentials

    try:
        return resolve_credentials(spec, source_id=channel)
    except CollectError as exc:
        raise DeliveryError(f"alert channel '{channel}': {str(exc).split(': ', 1)[-1]}") from None


# ---------------------------------------------------------------------------- workspace
def _tables(ws: Workspace) -> None:
    from ripplemeter import schema

    for name in ("alerts", "alert_deliveries"):
        if name not in schema.TABLES:
            raise DeliveryError(f"this ripplemeter has no '{name}' table in schema.py")


def _row_of(a: Alert, version: int, now: pd.Timestamp) -> list[Any]:
    return [
        a.key,
        a.rule,
        a.series,
        _naive(a.start),
        _naive(a.end),
        _naive(a.peak_at),
        float(a.observed),
        float(a.expected),
        float(a.threshold),
        a.window,
        a.unit,
        json.dumps(a.post_ids),
        a.explanation,
        version,
        now.to_pydatetime(),
    ]


def _naive(t: pd.Timestamp) -> Any:
    t = pd.Timestamp(t)
    if t.tzinfo is not None:
        t = t.tz_convert("UTC").tz_localize(None)
    return t.to_pydatetime()


_ALERT_COLS = (
    'key, rule, series, start, "end", peak_at, observed, expected, threshold, "window", '
    "unit, post_ids, explanation, version, updated_at"
)


def record_alerts(
    ws: Workspace, alerts: Sequence[Alert], *, now: pd.Timestamp | None = None
) -> list[tuple[Alert, int, str]]:
    """Store alerts in the workspace's ``alerts`` table, updating ongoing events.

    Returns
    -------
    list of (Alert, version, status)
        ``status`` is ``"new"`` (version 1), ``"updated"`` (end, peak or observed value
        changed: version + 1) or ``"unchanged"``.
    """
    _tables(ws)
    now = now or pd.Timestamp.now(tz="UTC").tz_localize(None)
    out = []
    con = ws.con
    with ws.transaction():
        for a in alerts:
            rows = con.execute(
                'SELECT "end", peak_at, observed, version FROM alerts WHERE key = ?', [a.key]
            ).fetchall()
            if not rows:
                con.execute(
                    f"INSERT INTO alerts ({_ALERT_COLS}) VALUES ({', '.join('?' * 15)})",
                    _row_of(a, 1, now),
                )
                out.append((a, 1, "new"))
                continue
            end, peak, observed, version = rows[0]
            same = (
                pd.Timestamp(end) == pd.Timestamp(_naive(a.end))
                and pd.Timestamp(peak) == pd.Timestamp(_naive(a.peak_at))
                and abs(float(observed) - float(a.observed)) <= 1e-9 * max(1.0, abs(a.observed))
            )
            if same:
                out.append((a, int(version), "unchanged"))
                continue
            v = int(version) + 1
            con.execute(
                'UPDATE alerts SET "end" = ?, peak_at = ?, observed = ?, expected = ?, '
                "threshold = ?, post_ids = ?, explanation = ?, version = ?, updated_at = ? "
                "WHERE key = ?",
                [
                    _naive(a.end),
                    _naive(a.peak_at),
                    float(a.observed),
                    float(a.expected),
                    float(a.threshold),
                    json.dumps(a.post_ids),
                    a.explanation,
                    v,
                    now.to_pydatetime(),
                    a.key,
                ],
            )
            out.append((a, v, "updated"))
    return out


def _log(
    ws: Workspace,
    key: str,
    channel: str,
    version: int,
    attempt: int,
    status: str,
    http_status: int | None,
    smtp_reply: str | None,
    detail: str | None,
) -> None:
    ws.con.execute(
        "INSERT INTO alert_deliveries (alert_key, channel, version, attempt, status, "
        'http_status, smtp_reply, detail, "at") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [
            key,
            channel,
            version,
            attempt,
            status,
            http_status,
            smtp_reply,
            detail,
            pd.Timestamp.now(tz="UTC").tz_localize(None).to_pydatetime(),
        ],
    )


def _delivered_version(ws: Workspace, key: str, channel: str) -> int | None:
    rows = ws.con.execute(
        "SELECT max(version) FROM alert_deliveries WHERE alert_key = ? AND channel = ? "
        "AND status = 'delivered'",
        [key, channel],
    ).fetchall()
    return None if not rows or rows[0][0] is None else int(rows[0][0])


def _mark_delivered(
    ws: Workspace,
    key: str,
    channel: str,
    version: int,
    attempt: int,
    http: int | None,
    smtp: str | None,
) -> None:
    con = ws.con
    with ws.transaction():
        _log(ws, key, channel, version, attempt, "delivered", http, smtp, None)
        con.execute(
            "UPDATE alerts SET delivered_version = greatest(coalesce(delivered_version, 0), ?) "
            "WHERE key = ?",
            [version, key],
        )


# ---------------------------------------------------------------------------- sending
@dataclass
class DeliveryResult:
    """What happened to one alert on one channel in one :func:`deliver` call.

    Attributes
    ----------
    key, channel : str
    version : int
    status : str
        ``delivered``, ``failed`` (all attempts used or a final refusal: tried again on the
        next call), ``already-delivered`` or ``update-not-sent`` (``deliver_updates`` false).
    attempts : int
    detail : str
        The last HTTP status or SMTP reply, or the error, in words (never a secret).
    """

    key: str
    channel: str
    version: int
    status: str
    attempts: int = 0
    detail: str = ""


def alert_summary(a: Alert) -> str:
    """One sentence a person reads in a chat or an e-mail subject line's body.

    Times are in the alert's own zone (the listening project's) as
    :func:`ripplemeter.listen.alerts.reader_time` writes them, the same words as the
    report's alert table: ``Alert on mastodon (meltwater): from 1 Dec 2026, 14:00 UTC to
    2 Dec 2026, 05:00 UTC, peak at 1 Dec 2026, 15:00 UTC; observed 0.7917 against a
    threshold of 0.1829 (expected 0.007192).``

    Parameters
    ----------
    a : Alert
        A detected alert (:mod:`ripplemeter.listen.alerts`).

    Returns
    -------
    str
        One sentence; the webhook's ``text`` field and the e-mail body use it.
    """
    from ripplemeter.listen.alerts import reader_time

    topic = f" on {a.series}" if a.series else ""
    return (
        f"Alert{topic} ({a.rule}): from {reader_time(a.start)} to {reader_time(a.end)}, "
        f"peak at {reader_time(a.peak_at)}; observed {a.observed:.4g} against a threshold of "
        f"{a.threshold:.4g} (expected {a.expected:.4g})."
    )


def _payload(a: Alert, version: int, update: bool, ts: int) -> bytes:
    doc = {
        "event": "alert.updated" if update else "alert",
        "version": version,
        "sent_at": ts,
        "text": alert_summary(a),
        "alert": a.to_json(),
    }
    return json.dumps(doc, ensure_ascii=False, sort_keys=True).encode("utf-8")


def sign(body: bytes, secret: str) -> str:
    """``sha256=<hex>``: the HMAC-SHA256 of the raw body with the shared secret (RFC 2104)."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _delay(ch: _Channel, attempt: int) -> float:
    base = min(ch.max_backoff, ch.backoff * 2 ** (attempt - 1))
    return base / 2 + random.uniform(0, base / 2)  # "equal jitter"


def _send_webhook(
    ws: Workspace,
    ch: WebhookSettings,
    a: Alert,
    version: int,
    update: bool,
    sleep: Callable[[float], None],
) -> DeliveryResult:
    import httpx

    from ripplemeter.listen.http import parse_retry_after

    secret = _secret(ch.secret, ch.name)
    url = _secret(ch.url, ch.name) if ch.url.startswith(("env:", "file:")) else ch.url
    ts = int(time.time())
    body = _payload(a, version, update, ts)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Ripplemeter-Timestamp": str(ts),
        "X-Ripplemeter-Delivery": f"{a.key}:{version}",
        "User-Agent": "ripplemeter-alerts",
    }
    if secret is not None:
        headers["X-Ripplemeter-Signature"] = sign(body, secret)
    detail = ""
    with httpx.Client(timeout=ch.timeout) as client:
        for attempt in range(1, ch.max_attempts + 1):
            status: int | None = None
            wait: float | None = None
            try:
                resp = client.post(url, content=body, headers=headers)
                status = resp.status_code
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                detail = f"{type(exc).__name__}: no answer from the webhook"
            else:
                if 200 <= status < 300:
                    _mark_delivered(ws, a.key, ch.name, version, attempt, status, None)
                    return DeliveryResult(
                        a.key, ch.name, version, "delivered", attempt, str(status)
                    )
                detail = f"HTTP {status}"
                if status == 429:
                    wait = parse_retry_after(resp.headers.get("Retry-After"), time.time())
                    if wait is not None and wait > ch.max_wait:
                        _log(
                            ws,
                            a.key,
                            ch.name,
                            version,
                            attempt,
                            "failed",
                            status,
                            None,
                            f"{detail}: asked to wait {wait:.0f} s, more than max_wait",
                        )
                        return DeliveryResult(a.key, ch.name, version, "failed", attempt, detail)
                elif status < 500 and status != 408:
                    _log(ws, a.key, ch.name, version, attempt, "failed", status, None, detail)
                    return DeliveryResult(a.key, ch.name, version, "failed", attempt, detail)
            last = attempt == ch.max_attempts
            _log(
                ws,
                a.key,
                ch.name,
                version,
                attempt,
                "failed" if last else "retry",
                status,
                None,
                detail,
            )
            if not last:
                sleep(wait if wait is not None else _delay(ch, attempt))
    return DeliveryResult(a.key, ch.name, version, "failed", ch.max_attempts, detail)


def _message(ch: EmailSettings, a: Alert, version: int, update: bool) -> EmailMessage:
    msg = EmailMessage()
    what = "update" if update else "alert"
    topic = f" {a.series}" if a.series else ""
    msg["Subject"] = (
        f"{ch.subject_prefix} {a.rule}{topic} {what}: {a.observed:.4g} vs {a.expected:.4g} expected"
    ).strip()
    msg["From"] = ch.sender
    msg["To"] = ", ".join(ch.to)
    msg["Message-ID"] = f"<{a.key}.{version}@ripplemeter>"
    msg["X-Ripplemeter-Delivery"] = f"{a.key}:{version}"
    from ripplemeter.listen.alerts import reader_time

    j = a.to_json()
    lines = [
        alert_summary(a),
        "",
        a.explanation,
        "",
        f"Rule: {a.rule}",
        f"From {reader_time(a.start)} to {reader_time(a.end)} (peak at {reader_time(a.peak_at)})",
        f"Observed: {j['observed']} {a.unit}; expected {j['expected']}; threshold {j['threshold']}",
        f"Window: {a.window}",
    ]
    if a.post_ids:
        lines += ["", "Posts that drove it:", *a.post_ids]
    msg.set_content("\n".join(lines))
    return msg


def _send_email(
    ws: Workspace,
    ch: EmailSettings,
    a: Alert,
    version: int,
    update: bool,
    sleep: Callable[[float], None],
) -> DeliveryResult:
    password = _secret(ch.password, ch.name)
    msg = _message(ch, a, version, update)
    detail = ""
    for attempt in range(1, ch.max_attempts + 1):
        code: str | None = None
        try:
            with smtplib.SMTP(ch.host, ch.port, timeout=ch.timeout) as smtp:
                smtp.ehlo()
                if ch.starttls:
                    import ssl

                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                if ch.username:
                    smtp.login(ch.username, password or "")
                refused = smtp.send_message(msg)
            if refused:
                detail = f"refused recipients: {', '.join(sorted(refused))}"
            _mark_delivered(ws, a.key, ch.name, version, attempt, None, detail or "250 accepted")
            return DeliveryResult(a.key, ch.name, version, "delivered", attempt, detail or "250")
        except smtplib.SMTPAuthenticationError as exc:
            detail = f"{exc.smtp_code} login refused (check the user and the password source)"
            _log(ws, a.key, ch.name, version, attempt, "failed", None, detail, None)
            return DeliveryResult(a.key, ch.name, version, "failed", attempt, detail)
        except smtplib.SMTPResponseException as exc:
            code = str(exc.smtp_code)
            detail = f"{exc.smtp_code} {exc.smtp_error.decode('utf-8', 'replace')[:200]}"
            if exc.smtp_code >= 500:
                _log(ws, a.key, ch.name, version, attempt, "failed", None, detail, None)
                return DeliveryResult(a.key, ch.name, version, "failed", attempt, detail)
        except smtplib.SMTPRecipientsRefused as exc:
            detail = f"all recipients refused: {', '.join(sorted(exc.recipients))}"
            _log(ws, a.key, ch.name, version, attempt, "failed", None, detail, None)
            return DeliveryResult(a.key, ch.name, version, "failed", attempt, detail)
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            detail = f"{type(exc).__name__}: cannot reach {ch.host}:{ch.port}"
        last = attempt == ch.max_attempts
        _log(
            ws,
            a.key,
            ch.name,
            version,
            attempt,
            "failed" if last else "retry",
            None,
            code and detail,
            detail,
        )
        if not last:
            sleep(_delay(ch, attempt))
    return DeliveryResult(a.key, ch.name, version, "failed", ch.max_attempts, detail)


def deliver(
    ws: Workspace,
    alerts: Sequence[Alert],
    channels: Sequence[ChannelSettings | dict],
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> list[DeliveryResult]:
    """Record alerts in the workspace and send each new one (once) to every channel.

    Parameters
    ----------
    ws : Workspace
        Holds the ``alerts`` and ``alert_deliveries`` tables (the delivery log).
    alerts : sequence of Alert
        This run's alerts (from :func:`ripplemeter.listen.alerts.detect`).
    channels : sequence of WebhookSettings, EmailSettings or dicts
        The ``[[alerts.deliver]]`` tables.
    sleep : callable
        Waits between retries (tests pass a recorder).

    Returns
    -------
    list of DeliveryResult
        One per (alert, channel) pair.

    Raises
    ------
    DeliveryError
        Two channels share an id.

    Notes
    -----
    A channel whose secret cannot be read (an unset variable, a missing file) is not tried:
    its result is ``failed`` with the reason (naming the variable or file, never a value),
    logged in ``alert_deliveries``, and the other channels are still tried.

    Webhook signatures follow RFC 2104 (HMAC) with SHA-256, hex encoded, in the layout of
    GitHub's ``X-Hub-Signature-256``; backoff is exponential with "equal jitter" (AWS
    Architecture Blog, "Exponential Backoff And Jitter", 2015); ``Retry-After`` per RFC 9110
    section 10.2.3.
    """
    chans = parse_channels(list(channels))
    names = [c.name for c in chans]
    if len(set(names)) != len(names):
        raise DeliveryError("alert channels: give each [[alerts.deliver]] a distinct id")
    recorded = record_alerts(ws, alerts)
    out = []
    for a, version, _status in recorded:
        for ch in chans:
            done = _delivered_version(ws, a.key, ch.name)
            if done is not None and done >= version:
                out.append(DeliveryResult(a.key, ch.name, version, "already-delivered"))
                continue
            update = done is not None
            if update and not ch.deliver_updates:
                out.append(DeliveryResult(a.key, ch.name, version, "update-not-sent"))
                continue
            try:
                if isinstance(ch, WebhookSettings):
                    out.append(_send_webhook(ws, ch, a, version, update, sleep))
                else:
                    out.append(_send_email(ws, ch, a, version, update, sleep))
            except DeliveryError as exc:  # a secret that cannot be read: this channel fails
                detail = str(exc)
                _log(ws, a.key, ch.name, version, 0, "failed", None, None, detail)
                out.append(DeliveryResult(a.key, ch.name, version, "failed", 0, detail))
    return out


def validate_channel(raw: dict) -> ChannelSettings:
    """One ``[[alerts.deliver]]`` table, validated (raises DeliveryError with pydantic's words)."""
    try:
        return parse_channels([raw])[0]
    except ValidationError as exc:
        raise DeliveryError(f"[[alerts.deliver]]: {exc}") from None
