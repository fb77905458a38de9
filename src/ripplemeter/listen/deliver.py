"""Delivering alerts: signed webhooks and e-mail, logged in the workspace, once per event.

Two channels, each configured by one ``[[alerts.deliver]]`` table of listen.toml:

- :class:`WebhookSettings` (``kind = "webhook"``): a JSON POST (``{"event", "version",
  "sent_at", "text", "alert"}``: ``text`` is :func:`webhook_text`, for a person: the project's
  and the topic's names, counts over the rule's window, times in words in the project's zone,
  whether the event is still going on and the first posts that drove it by author, time,
  text and link; ``alert`` the machine record with ISO 8601 times, the ids, and
  ``topic_name``, ``project``, ``ongoing``) whose raw body is signed with
  HMAC-SHA256 and a shared secret; the signature travels in ``X-Ripplemeter-Signature:
  sha256=<hex>`` (the layout GitHub uses for its webhooks), the send time in
  ``X-Ripplemeter-Timestamp`` (Unix seconds, also inside the signed body, so a receiver can
  refuse replays). Retries with exponential backoff and jitter on 5xx, timeouts and
  connection errors; a 429 waits for its ``Retry-After``; another 4xx is final.
- :class:`EmailSettings` (``kind = "email"``): smtplib, optional STARTTLS and login. Retries
  on a dropped connection and on 4xx replies (transient in SMTP); a 5xx reply is final. The
  subject (:func:`email_subject`) is made of our own words only; the body has a plain-text
  part (:func:`email_text`: the summary and every post that drove it) and an HTML part
  (:func:`email_html`, post texts and links escaped).

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
import math
import random
import smtplib
import time
from collections.abc import Callable, Mapping, Sequence
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


# ---------------------------------------------------------------------------- words
POST_CHARS = 140
"""Characters of a post's text shown in an e-mail or a webhook ``text`` (then ``…``)."""

CHAT_POSTS = 3
"""Posts listed in the webhook ``text`` (a chat message); the e-mail lists all of them."""


@dataclass
class AlertPost:
    """A post that drove an alert, as a person reads it (from the workspace).

    Attributes
    ----------
    post_id : str
        The workspace id (kept in the machine record only).
    author : str
        Name and handle (:func:`ripplemeter.evaluate.listening.author_label`).
    time : str
        When it was posted, in words in the project's zone (``2 Dec 2026, 23:14 KST``).
    excerpt : str
        The text on one line, cut at about :data:`POST_CHARS` characters (untrusted: an
        HTML part escapes it).
    url : str or None
        Its link when the post has an http(s) one.
    """

    post_id: str
    author: str
    time: str
    excerpt: str
    url: str | None = None


@dataclass
class AlertView:
    """What a message about one alert says: names, not ids.

    Attributes
    ----------
    alert : Alert
    project : str or None
        The listening project's name (``[project] name``).
    topic : str
        The topic's name as the report shows it (its id when no name is known).
    ongoing : bool or None
        Still going on in the last hour evaluated; None when the caller did not say.
    timezone : str or None
        IANA zone of the times in words.
    step : pandas.Timedelta
        The step of the series the rule ran on (listening: one hour).
    posts : list of AlertPost
        The posts that drove it, in the alert's order (listening: the most engaging first),
        those found in the workspace.
    """

    alert: Alert
    project: str | None
    topic: str
    ongoing: bool | None
    timezone: str | None
    step: pd.Timedelta
    posts: list[AlertPost]


def _one_line(text: Any) -> str:
    """Our own words for a header: control characters and line breaks become spaces."""
    return " ".join("".join(c if c.isprintable() else " " for c in str(text)).split())


def number_words(x: float) -> str:
    """A number for reading: whole numbers whole, others to 3 significant digits.

    Parameters
    ----------
    x : float
        Any figure of an alert (a count, a rate, a percentage point value).

    Returns
    -------
    str
        ``19``, ``1,250``, ``0.173``, ``4.39``; ``unknown`` when not finite.

    Examples
    --------
    >>> number_words(19.0000001), number_words(0.172608), number_words(1234.5)
    ('19', '0.173', '1,230')
    """
    import math

    if x is None or not math.isfinite(float(x)):
        return "unknown"
    x = float(x)
    if abs(x - round(x)) <= 1e-6 * max(1.0, abs(x)):
        return f"{round(x):,}"
    import numpy as np

    r = round(x, 2 - math.floor(math.log10(abs(x))))
    if abs(r) >= 100:
        return f"{round(r):,}"
    return np.format_float_positional(r, trim="-")


def _about(x: float) -> str:
    """``about 0.173``, ``10`` (whole), ``almost none`` (below 0.0005)."""
    import math

    if x is None or not math.isfinite(float(x)):
        return "an unknown number"
    if abs(float(x)) < 0.0005:
        return "almost none"
    text = number_words(x)
    return text if abs(x - round(x)) <= 1e-6 * max(1.0, abs(x)) else f"about {text}"


def _span(td: pd.Timedelta) -> str:
    """``hour``, ``24 hours``, ``30 minutes``, ``3 days`` (no article)."""
    from ripplemeter.formatting import window_words

    return window_words(td.total_seconds(), days_from=2)


def _mentions(n: float) -> str:
    words = number_words(n)
    return f"{words} mention" + ("" if words == "1" else "s")


def _what(v: AlertView) -> str:
    """``spike in Mastodon mentions`` and the like: the kind of event, by the topic's name."""
    a = v.alert
    if a.rule == "negative_share":
        return f"more negative {v.topic} mentions"
    if a.rule == "changepoint":
        rise = not (a.observed < a.expected)
        return f"lasting {'rise' if rise else 'fall'} in {v.topic} mentions"
    return f"spike in {v.topic} mentions"


def _figures(v: AlertView) -> tuple[str, str]:
    """(the long sentence part, the short subject part) of the alert's numbers, in units."""
    from ripplemeter.listen.alerts import reader_time, window_timedelta

    a = v.alert
    tz = v.timezone
    if a.rule == "negative_share":
        win = window_timedelta(a.window)
        span = f"the {_span(win)}" if win is not None else f"the {a.window}"
        to = reader_time(pd.Timestamp(a.peak_at) + v.step, tz)
        obs, exp = number_words(100 * a.observed), number_words(100 * a.expected)
        thr = number_words(100 * a.threshold)
        return (
            f"{obs}% of the mentions read for sentiment in {span} to {to} were negative, "
            f"against {exp}% over the "
            f"days before (the alert level was {thr}%)",
            f"{obs}% negative against {exp}% usually",
        )
    per = f"per {_span(v.step)}"
    if a.rule == "changepoint":
        known = a.expected is not None and math.isfinite(a.expected) and a.expected != 0
        change = (a.observed - a.expected) / a.expected if known else float("nan")
        pct = f" ({'+' if change >= 0 else ''}{number_words(100 * change)}%)" if known else ""
        return (
            f"{number_words(a.observed)} mentions {per} on average, against "
            f"{_about(a.expected)} {per} before{pct}",
            f"{number_words(a.observed)} {per} against {_about(a.expected)} before",
        )
    win = window_timedelta(a.window) or v.step
    k = win / v.step
    to = reader_time(pd.Timestamp(a.peak_at) + v.step, tz)
    span = _span(win)
    obs = a.observed * k
    return (
        f"{_mentions(obs)} in the {span} to {to}, against {_about(a.expected * k)} expected "
        f"(the alert level was {number_words(a.threshold * k)})",
        f"{number_words(obs)} in {'an ' if span == 'hour' else ''}{span} against "
        f"{_about(a.expected * k)} expected",
    )


def _state(v: AlertView) -> str:
    if v.ongoing is True:
        return "; still going on"
    if v.ongoing is False:
        return "; it has ended"
    return ""


def alert_summary(a: Alert | AlertView) -> str:
    """One or two sentences a person reads: what happened to which topic, in plain units.

    The webhook's ``text`` starts with it and so does the e-mail body. Times are in words
    in the project's zone, as :func:`ripplemeter.listen.alerts.reader_time` writes them in
    the report's alert table; counts are over the rule's window (``tuned``,
    ``meltwater``), per step on average (``changepoint``) or percentages
    (``negative_share``), to 3 significant digits::

        Mastodon vs Twitter (trial): spike in Mastodon mentions. 19 mentions in the 24 hours
        to 3 Dec 2026, 01:00 KST, against about 0.173 expected (the alert level was 4.39);
        from 2 Dec 2026, 23:00 KST to 3 Dec 2026, 06:00 KST, peak at 3 Dec 2026, 00:00 KST;
        still going on.

    Parameters
    ----------
    a : Alert or AlertView
        An alert alone (its topic id stands for the name, no project, hourly steps) or the
        view :func:`deliver` builds (names, state, posts).

    Returns
    -------
    str
        Without the posts (see :func:`webhook_text`).
    """
    from ripplemeter.listen.alerts import reader_time

    v = a if isinstance(a, AlertView) else _bare_view(a)
    al = v.alert
    tz = v.timezone
    head = f"{v.project}: " if v.project else ""
    what = _what(v)
    long, _short = _figures(v)
    return (
        f"{head}{what[0].upper() + what[1:] if not head else what}. {long}; from "
        f"{reader_time(al.start, tz)} to {reader_time(al.end, tz)}, peak at "
        f"{reader_time(al.peak_at, tz)}{_state(v)}."
    )


def _post_line(p: AlertPost) -> str:
    return f"{p.author}, {p.time}: {p.excerpt}" + (f" {p.url}" if p.url else "")


def webhook_text(v: AlertView, limit: int = CHAT_POSTS) -> str:
    """The webhook's ``text``: :func:`alert_summary`, then the first posts that drove it.

    Parameters
    ----------
    v : AlertView
        The alert with its project, topic name, zone and posts (:func:`alert_view`).
    limit : int
        Posts listed (the rest counted: ``... and 16 more``).

    Returns
    -------
    str
        Lines joined by ``\\n``; post texts as written (cut, on one line), unescaped: a
        receiver that renders markup escapes them.
    """
    lines = [alert_summary(v)]
    n = len(v.alert.post_ids)
    if v.posts:
        lines.append(_posts_heading(n, len(v.posts)))
        lines += [f"- {_post_line(p)}" for p in v.posts[:limit]]
        rest = len(v.posts) - min(limit, len(v.posts))
        if rest > 0:
            lines.append(f"... and {rest} more")
    elif n:
        lines.append(f"{n} post(s) drove it (not found in the workspace).")
    return "\n".join(lines)


def _posts_heading(n: int, found: int) -> str:
    what = "post" if n == 1 else "posts"
    tail = "" if found >= n else f"; {n - found} not found in the workspace"
    return f"The {n} {what} that drove it{tail}:"


def _bare_view(a: Alert) -> AlertView:
    state = getattr(a, "ongoing", None)
    topic = a.series or "the series"
    return AlertView(a, None, topic, state, None, pd.Timedelta("1h"), [])


def _posts_of(ws: Workspace, ids: Sequence[str], timezone: str | None) -> dict[str, AlertPost]:
    """The posts ``ids`` as people read them, from ``posts`` and ``accounts``."""
    from ripplemeter.evaluate.listening import author_label
    from ripplemeter.formatting import shorten
    from ripplemeter.listen.alerts import reader_time

    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    rows = ws.con.execute(
        "SELECT p.post_id, p.created_at, p.text, p.url, p.platform, p.account_id, a.handle, "
        "a.name FROM posts p LEFT JOIN (SELECT account_id, any_value(handle) AS handle, "
        "any_value(name) AS name FROM accounts GROUP BY account_id) a "
        f"ON a.account_id = p.account_id WHERE p.post_id IN ({marks})",
        list(ids),
    ).fetchall()
    out: dict[str, AlertPost] = {}
    for pid, created, text, url, platform, account, handle, name in rows:
        if pid in out:
            continue
        if created is None:
            when = "time unknown"
        else:
            t = pd.Timestamp(created)
            t = t.tz_localize("UTC") if t.tzinfo is None else t
            when = reader_time(t, timezone or "UTC")
        link = url.strip() if isinstance(url, str) else ""
        out[pid] = AlertPost(
            post_id=pid,
            author=_one_line(author_label(name, handle, platform, account or pid)),
            time=when,
            excerpt=shorten(text, POST_CHARS, count_ellipsis=False) or "(no text)",
            url=link if link.lower().startswith(("https://", "http://")) else None,
        )
    return out


def alert_view(
    ws: Workspace | None,
    a: Alert,
    *,
    project: Any = None,
    ongoing: bool | None = None,
    step: str | pd.Timedelta = "1h",
) -> AlertView:
    """The names, state and posts a message about ``a`` shows.

    Parameters
    ----------
    ws : Workspace or None
        Where the posts are read (``posts``, ``accounts``); None shows none.
    a : Alert
    project : ListenProject, optional
        Gives the project's name, the topic's name (``[[topics]] name``) and the zone.
    ongoing : bool, optional
        Still going on in the last hour evaluated (the report's "still going on"); None
        reads ``a.ongoing`` when the alert has that attribute.
    step : str or Timedelta
        The step of the series the rule ran on (listening's series are hourly).

    Returns
    -------
    AlertView
    """
    names = {t.id: t.name for t in getattr(project, "topics", None) or ()}
    tz = getattr(project, "timezone", None)
    if tz is None and getattr(pd.Timestamp(a.start), "tzinfo", None) is not None:
        tz = str(pd.Timestamp(a.start).tz)
    if ongoing is None:
        ongoing = getattr(a, "ongoing", None)
    found = _posts_of(ws, a.post_ids, tz) if ws is not None else {}
    return AlertView(
        alert=a,
        project=_one_line(project.name) if getattr(project, "name", None) else None,
        topic=_one_line(names.get(a.series) or a.series or "the series"),
        ongoing=None if ongoing is None else bool(ongoing),
        timezone=tz,
        step=pd.Timedelta(step),
        posts=[found[p] for p in a.post_ids if p in found],
    )


def _record(v: AlertView) -> dict[str, Any]:
    """The machine record: ``Alert.to_json()`` plus ``topic_name``, ``project``, ``ongoing``."""
    doc = v.alert.to_json()
    doc["topic_name"] = v.topic
    doc["project"] = v.project
    doc["ongoing"] = v.ongoing
    return doc


def _payload(v: AlertView, version: int, update: bool, ts: int) -> bytes:
    doc = {
        "event": "alert.updated" if update else "alert",
        "version": version,
        "sent_at": ts,
        "text": webhook_text(v),
        "alert": _record(v),
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
    v: AlertView,
    version: int,
    update: bool,
    sleep: Callable[[float], None],
) -> DeliveryResult:
    import httpx

    from ripplemeter.listen.http import parse_retry_after

    a = v.alert
    secret = _secret(ch.secret, ch.name)
    url = _secret(ch.url, ch.name) if ch.url.startswith(("env:", "file:")) else ch.url
    ts = int(time.time())
    body = _payload(v, version, update, ts)
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
                from ripplemeter.listen.http import unreachable

                # plain words, no exception class; the URL may hold a token: not shown
                what = unreachable(exc, "-", httpx.Timeout(ch.timeout))[0].rsplit(": -", 1)[0]
                detail = what.replace("the server", "the webhook", 1)
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


def email_subject(v: AlertView, prefix: str = "[ripplemeter]", update: bool = False) -> str:
    """The e-mail's subject, built from our own words only (never a post's text).

    ``[ripplemeter] Mastodon vs Twitter (trial): spike in Mastodon mentions (19 in 24 hours
    against about 0.173 expected), still going on``; an update starts ``update:``. Line
    breaks and control characters of the names are made spaces.

    Parameters
    ----------
    v : AlertView
        The alert with its project, topic name, zone and posts (:func:`alert_view`).
    prefix : str
        The subject's first word (``[[alerts.deliver]] subject_prefix``).
    update : bool
        An update of an alert already sent.

    Returns
    -------
    str
        One line.
    """
    _long, short = _figures(v)
    head = f"{v.project}: " if v.project else ""
    state = {True: ", still going on", False: ", ended"}.get(v.ongoing, "")  # type: ignore[arg-type]
    what = "update: " if update else ""
    return _one_line(f"{prefix} {what}{head}{_what(v)} ({short}){state}")


def _why(v: AlertView) -> str:
    a = v.alert
    text = a.explanation or ""
    if a.series and text.startswith(f"{a.series}: "):
        text = text[len(a.series) + 2 :]
    return text


def email_text(v: AlertView, version: int = 1) -> str:
    """The e-mail's plain-text body: the summary, every post that drove it, the rule's reason.

    Post texts are shown as written (on one line, cut at :data:`POST_CHARS` characters):
    a plain-text body cannot make headers, and the subject never holds them.

    Parameters
    ----------
    v : AlertView
        The alert with its project, topic name, zone and posts (:func:`alert_view`).
    version : int
        The alert's version (1, then 2, 3 ... for updates), named with its key at the end.

    Returns
    -------
    str
        Lines joined by ``\n``.
    """
    a = v.alert
    lines = [alert_summary(v)]
    n = len(a.post_ids)
    if v.posts:
        lines += ["", _posts_heading(n, len(v.posts))]
        for p in v.posts:
            lines += ["", f"- {p.author}, {p.time}", f"  {p.excerpt}"]
            if p.url:
                lines.append(f"  {p.url}")
    elif n:
        lines += ["", f"{n} post(s) drove it; none is in the workspace any more."]
    why = _why(v)
    lines += ["", f"How the {a.rule} rule decided: {why}" if why else f"Rule: {a.rule}."]
    lines.append(f"Alert {a.key}, version {version} (the machine record is in the webhook).")
    return "\n".join(lines) + "\n"


def email_html(v: AlertView, version: int = 1) -> str:
    """The e-mail's HTML part: the same words as :func:`email_text`, every text escaped.

    Links are shown only for http(s) addresses (``href`` escaped too).

    Parameters
    ----------
    v : AlertView
        The alert with its project, topic name, zone and posts (:func:`alert_view`).
    version : int
        The alert's version, as in :func:`email_text`.

    Returns
    -------
    str
        An HTML fragment (paragraphs and a list), safe to send as ``text/html``.
    """
    from html import escape

    a = v.alert
    parts = [f"<p>{escape(alert_summary(v))}</p>"]
    n = len(a.post_ids)
    if v.posts:
        parts.append(f"<p>{escape(_posts_heading(n, len(v.posts)))}</p>")
        items = []
        for p in v.posts:
            link = f'<br><a href="{escape(p.url, quote=True)}">{escape(p.url)}</a>' if p.url else ""
            items.append(
                f"<li><b>{escape(p.author)}</b>, {escape(p.time)}<br>{escape(p.excerpt)}{link}</li>"
            )
        parts.append("<ul>" + "".join(items) + "</ul>")
    elif n:
        parts.append(f"<p>{n} post(s) drove it; none is in the workspace any more.</p>")
    why = _why(v)
    rule = f"How the {a.rule} rule decided: {why}" if why else f"Rule: {a.rule}."
    parts.append(f'<p style="color:#555">{escape(rule)}<br>')
    parts.append(f"Alert {escape(a.key)}, version {version}.</p>")
    return "<!DOCTYPE html><html><body>" + "\n".join(parts) + "</body></html>\n"


def _message(ch: EmailSettings, v: AlertView, version: int, update: bool) -> EmailMessage:
    a = v.alert
    msg = EmailMessage()
    msg["Subject"] = email_subject(v, ch.subject_prefix, update)
    msg["From"] = ch.sender
    msg["To"] = ", ".join(ch.to)
    msg["Message-ID"] = f"<{a.key}.{version}@ripplemeter>"
    msg["X-Ripplemeter-Delivery"] = f"{a.key}:{version}"
    msg.set_content(email_text(v, version))
    msg.add_alternative(email_html(v, version), subtype="html")
    return msg


def _send_email(
    ws: Workspace,
    ch: EmailSettings,
    v: AlertView,
    version: int,
    update: bool,
    sleep: Callable[[float], None],
) -> DeliveryResult:
    a = v.alert
    password = _secret(ch.password, ch.name)
    msg = _message(ch, v, version, update)
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
            detail = f"cannot reach the mail server {ch.host}:{ch.port} ({_smtp_reason(exc)})"
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


def _smtp_reason(exc: BaseException) -> str:
    """Why an SMTP connection failed, in plain words (no exception class names)."""
    import socket

    if isinstance(exc, socket.gaierror):
        return "no such host"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionError):
        return "the connection was dropped"
    return "no answer"


def deliver(
    ws: Workspace,
    alerts: Sequence[Alert],
    channels: Sequence[ChannelSettings | dict],
    *,
    sleep: Callable[[float], None] = time.sleep,
    project: Any = None,
    ongoing: Mapping[str, bool] | None = None,
    step: str = "1h",
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
    project : ListenProject, optional
        Its name, its topics' names and its zone are what the messages say (without it, the
        topic's id stands for its name and no project is named).
    ongoing : mapping of str to bool, optional
        Alert key -> still going on in the last hour evaluated (the report's "still going
        on"); an alert missing from it is read from its ``ongoing`` attribute when it has
        one, else not stated (``"ongoing": null`` in the webhook record).
    step : str
        The step of the series the alerts were found on (listening's are hourly): turns the
        rules' "mentions per step" into counts over the rule's window.

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
        view: AlertView | None = None
        for ch in chans:
            done = _delivered_version(ws, a.key, ch.name)
            if done is not None and done >= version:
                out.append(DeliveryResult(a.key, ch.name, version, "already-delivered"))
                continue
            update = done is not None
            if update and not ch.deliver_updates:
                out.append(DeliveryResult(a.key, ch.name, version, "update-not-sent"))
                continue
            if view is None:  # read once per alert, only when something is sent
                state = (ongoing or {}).get(a.key)
                view = alert_view(ws, a, project=project, ongoing=state, step=step)
            try:
                if isinstance(ch, WebhookSettings):
                    out.append(_send_webhook(ws, ch, view, version, update, sleep))
                else:
                    out.append(_send_email(ws, ch, view, version, update, sleep))
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
