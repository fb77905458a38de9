"""Publishing scheduled posts to Mastodon and Bluesky, on time and never twice.

:func:`publish_due` is the whole job as one Python call (``ripplemeter calendar publish
--due`` and ``--watch`` only call it): it takes the calendar's due posts
(:func:`ripplemeter.operations.calendar.due_posts`), publishes each on every target account
that does not have it yet, and records the platform's post id and URL
(:func:`~ripplemeter.operations.calendar.mark_published`) or its error
(:func:`~ripplemeter.operations.calendar.mark_failed`).

Never twice, also across a crash
--------------------------------
Before a platform is called, an *intent* row (table ``publish_intents``: plan, account,
the Mastodon ``Idempotency-Key`` or the Bluesky record key, the exact text) is written and
committed in its own transaction. The platform's answer is then written with the plan's
publication. A crash between the two leaves the intent ``pending``; the next run reconciles
it before sending anything:

* Mastodon: within 50 minutes of the first attempt the post is simply sent again with the
  same key (Mastodon answers with the status it already made); later, when the server may
  have forgotten the key (about an hour), the account's recent statuses are read and a
  status with the same text created since the first attempt counts as the post
  (:meth:`~ripplemeter.operations.publish.mastodon.Mastodon.find_existing`);
* Bluesky: ``getRecord`` on the record key chosen from the plan id.

Keys belong to one version of the plan: an intent is only taken up again for the version it
was written for, and while one is pending the calendar refuses to edit or cancel the post
(rules ``edit.pending-publish``, ``cancel.pending-publish``): this run settles it first.

Failures
--------
* the platform refuses the post (Mastodon ``422``, Bluesky ``400 InvalidRequest``), the
  token or password is refused, media cannot be read: the plan is marked ``failed`` with the
  platform's message at once, no retry;
* ``429`` (waits ``Retry-After``), ``5xx``, timeouts, dropped connections: retried with
  exponential backoff and jitter in the run (the collectors' HTTP client); when retries run
  out the intent stays pending and the next run tries again after reconciling; past
  ``give_up_after`` (24 h by default) after the scheduled time the plan is marked failed;
* messages name the account and where its credentials come from (``env:NAME``), never a
  token or password; tokens and sessions live in memory only.

Servers and credentials
-----------------------
An account's server is ``servers[account_id]``, else ``servers[platform]``, else: Mastodon,
the host of a handle written ``name@host`` (``https://host``); Bluesky, ``https://bsky.social``.
Its secret comes from the account's ``credentials_ref`` (``env:NAME`` or ``file:PATH``):
Mastodon, an access token; Bluesky, an app password (or a JSON object with ``password`` and
optionally ``identifier``; the identifier defaults to the DID in the account id, else the
handle).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ripplemeter.operations.publish.base import PlatformClient, Posted, PublishFailure

if TYPE_CHECKING:  # pragma: no cover
    import httpx

    from ripplemeter.operations.accounts import Account
    from ripplemeter.operations.team import Team
    from ripplemeter.workspace import Workspace

__all__ = [
    "PLATFORMS",
    "Outcome",
    "Posted",
    "PublishFailure",
    "Publishers",
    "pending_intents",
    "publish_due",
]

PLATFORMS = ("mastodon", "bluesky")
DEFAULT_SERVERS = {"bluesky": "https://bsky.social"}


@dataclass(frozen=True)
class Outcome:
    """What happened to one planned post on one account in a run.

    Attributes
    ----------
    plan_id, account_id, platform : str
    status : str
        ``published``; ``failed`` (marked failed in the calendar); ``retry`` (a transient
        failure: the next run tries again, after reconciling).
    platform_post_id, url : str or None
        Published: the platform's id (Mastodon status id, Bluesky ``at://`` URI) and link.
    error : str or None
        Failed or retry: the message, with the platform's own words.
    reconciled : bool
        Published: found on the platform (after a crash, a timeout, an outage) instead of
        being sent by this run.
    """

    plan_id: str
    account_id: str
    platform: str
    status: str
    platform_post_id: str | None = None
    url: str | None = None
    error: str | None = None
    reconciled: bool = False

    def to_dict(self) -> dict:
        """JSON-ready dict."""
        return dict(self.__dict__)


@dataclass
class Intent:
    """A row of ``publish_intents``: a post about to be (or being) sent to one account.

    ``key`` is the Mastodon ``Idempotency-Key`` or the Bluesky record key; ``text`` the exact
    text sent; ``created_at`` (aware, UTC) the first attempt, from which Mastodon's one-hour
    key memory is counted.
    """

    plan_id: str
    account_id: str
    platform: str
    version: int
    key: str
    text: str
    status: str
    attempts: int
    created_at: dt.datetime


# ---------------------------------------------------------------------------- intents
def _naive(t: dt.datetime) -> dt.datetime:
    return t.astimezone(dt.UTC).replace(tzinfo=None)


def pending_intents(
    ws: Workspace, plan_id: str | None = None, *, statuses: tuple[str, ...] = ("pending",)
) -> list[Intent]:
    """Intents still ``pending`` (sent, or about to be, with no outcome recorded), oldest
    first; ``statuses`` widens the choice (``("pending", "failed")``)."""
    marks = ", ".join("?" * len(statuses))
    q = (
        "SELECT plan_id, account_id, platform, version, key, text, status, attempts, created_at "
        f"FROM publish_intents WHERE status IN ({marks})"
    )
    params: list = list(statuses)
    if plan_id is not None:
        q += " AND plan_id = ?"
        params.append(plan_id)
    out = []
    for r in ws.con.execute(q + " ORDER BY created_at", params).fetchall():
        out.append(
            Intent(
                r[0],
                r[1],
                r[2],
                int(r[3]),
                r[4],
                r[5],
                r[6],
                int(r[7]),
                r[8].replace(tzinfo=dt.UTC),
            )
        )
    return out


def _tx(ws: Workspace, sql: str, params: list) -> None:
    with ws.transaction():
        ws.con.execute(sql, params)


def _write_intent(ws: Workspace, it: Intent, now: dt.datetime) -> None:
    _tx(
        ws,
        "INSERT INTO publish_intents (plan_id, account_id, platform, version, key, text, status, "
        "attempts, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', 1, ?, ?)",
        [
            it.plan_id,
            it.account_id,
            it.platform,
            it.version,
            it.key,
            it.text,
            _naive(now),
            _naive(now),
        ],
    )


def _touch_intent(ws: Workspace, it: Intent, now: dt.datetime, **cols: object) -> None:
    sets = ", ".join(f"{k} = ?" for k in cols)
    _tx(
        ws,
        f"UPDATE publish_intents SET {sets}{', ' if sets else ''}updated_at = ? "
        "WHERE plan_id = ? AND account_id = ? AND key = ? AND created_at = ?",
        [*cols.values(), _naive(now), it.plan_id, it.account_id, it.key, _naive(it.created_at)],
    )


# ---------------------------------------------------------------------------- connections
def _platform(account: Account) -> str:
    return (account.platform or account.account_id.split(":", 1)[0]).lower()


def _server(account: Account, platform: str, servers: Mapping[str, str]) -> str:
    url = servers.get(account.account_id) or servers.get(platform)
    if url:
        return url
    if platform == "mastodon" and account.handle and "@" in account.handle.strip("@"):
        return "https://" + account.handle.strip("@").split("@", 1)[1]
    if platform in DEFAULT_SERVERS:
        return DEFAULT_SERVERS[platform]
    raise PublishFailure(
        account.account_id,
        f"no {platform} server is known for this account: register its handle as "
        f"name@server, or pass --server {account.account_id}=https://server",
        permanent=True,
    )


def _secret(account: Account, project_dir: Path | None) -> str:
    from ripplemeter.listen.http import CollectError, resolve_credentials

    if not account.credentials_ref:
        raise PublishFailure(
            account.account_id,
            "has no credentials_ref; add one with `ripplemeter accounts add "
            f"{account.account_id} --credentials-ref env:NAME` (the secret stays outside "
            "the workspace)",
            permanent=True,
        )
    try:
        secret = resolve_credentials(
            account.credentials_ref, source_id=account.account_id, project_dir=project_dir
        )
    except CollectError as exc:
        raise PublishFailure(
            account.account_id, str(exc).split(": ", 1)[-1], permanent=True
        ) from None
    assert secret is not None
    return secret


class Publishers:
    """The open platform connections of a run (or of a ``--watch`` loop), one per account.

    Keeps each account's client (and its Bluesky session) between posts and rounds; close
    it at the end (or use it as a context manager).

    Parameters
    ----------
    servers : mapping, optional
        account id or platform -> base URL (see the module docstring for the defaults).
    project_dir : Path, optional
        A ``file:`` credentials path inside it is refused.
    timeout, max_retries, backoff_base, max_wait, sleep, clock, transport
        Passed to :class:`~ripplemeter.operations.publish.base.PlatformClient`.
    """

    def __init__(
        self,
        *,
        servers: Mapping[str, str] | None = None,
        project_dir: Path | None = None,
        timeout: float = 30.0,
        max_retries: int = 4,
        backoff_base: float = 1.0,
        max_wait: float = 900.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.servers = dict(servers or {})
        self.project_dir = project_dir
        self.opts = dict(
            timeout=timeout,
            max_retries=max_retries,
            backoff_base=backoff_base,
            max_wait=max_wait,
            sleep=sleep,
            clock=clock,
            transport=transport,
        )
        self._open: dict[str, object] = {}

    def get(self, account: Account):
        """The publisher of ``account`` (Mastodon or Bluesky), opened on first use.

        Raises
        ------
        PublishFailure
            Unsupported platform, unknown server, missing or unreadable credentials
            (permanent).
        """
        from ripplemeter.operations.publish.bluesky import Bluesky
        from ripplemeter.operations.publish.mastodon import Mastodon

        aid = account.account_id
        if aid in self._open:
            return self._open[aid]
        platform = _platform(account)
        if platform not in PLATFORMS:
            raise PublishFailure(
                aid,
                f"publishing to {platform} is not supported (only {' and '.join(PLATFORMS)}); "
                "post it by hand",
                permanent=True,
            )
        base = _server(account, platform, self.servers)
        secret = _secret(account, self.project_dir)
        client = PlatformClient(aid, base, credentials_name=account.credentials_ref, **self.opts)
        if platform == "mastodon":
            pub: object = Mastodon(client, secret)
        else:
            ident = account.account_id.split(":", 1)[1]
            if not ident.startswith("did:"):
                ident = account.handle or ident
            password = secret
            if secret.lstrip().startswith("{"):
                try:
                    obj = json.loads(secret)
                except ValueError:
                    obj = None
                if not isinstance(obj, dict) or "password" not in obj:
                    raise PublishFailure(
                        aid,
                        f"the credentials named by {account.credentials_ref} look like JSON "
                        "but have no 'password' key",
                        permanent=True,
                    )
                password = str(obj["password"])
                ident = str(obj.get("identifier") or ident)
            pub = Bluesky(client, ident, password)
        self._open[aid] = pub
        return pub

    def close(self) -> None:
        """Close every connection."""
        for pub in self._open.values():
            pub.close()  # type: ignore[attr-defined]
        self._open.clear()

    def __enter__(self) -> Publishers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---------------------------------------------------------------------------- the run
def _media_paths(refs, media_root: Path, account_id: str) -> list[Path]:
    out = []
    for ref in refs:
        if "://" in ref:
            raise PublishFailure(
                account_id,
                f"media {ref!r} is a URL; publishing uploads local files only (download it "
                "and plan the file's path)",
                permanent=True,
            )
        p = Path(ref).expanduser()
        out.append(p if p.is_absolute() else media_root / p)
    return out


def _key(platform: str, plan, account_id: str) -> str:
    if platform == "mastodon":
        from ripplemeter.operations.publish.mastodon import idempotency_key

        return idempotency_key(plan.plan_id, account_id, plan.version)
    from ripplemeter.operations.publish.bluesky import tid_for

    return tid_for(plan.plan_id, account_id, plan.scheduled_at, plan.version)


def publish_due(
    ws: Workspace,
    *,
    now: dt.datetime,
    actor: str,
    team: Team | None = None,
    publishers: Publishers | None = None,
    servers: Mapping[str, str] | None = None,
    media_root: str | Path | None = None,
    visibility: str = "public",
    give_up_after: dt.timedelta = dt.timedelta(hours=24),
    after_answer: Callable[[str, str, Posted], None] | None = None,
) -> list[Outcome]:
    """Publish every due post on each target account that does not have it yet.

    Parameters
    ----------
    ws : Workspace
        Holds the accounts registry, the calendar and ``publish_intents``.
    now : datetime
        Aware; posts scheduled at or before it are due.
    actor : str
        The team member publishing (recorded in the audit log).
    team : Team, optional
        When given, ``actor`` must be allowed ``post.publish``.
    publishers : Publishers, optional
        Open connections to reuse (``--watch``); by default opened for this run (with
        ``servers``) and closed at its end.
    servers : mapping, optional
        account id or platform -> base URL, when ``publishers`` is not given.
    media_root : str or Path, optional
        Folder that relative media paths are read from (default: the workspace's folder,
        else the current folder).
    visibility : str
        Mastodon visibility: public, unlisted, private or direct.
    give_up_after : timedelta
        A post still failing transiently this long after its scheduled time is marked
        failed.
    after_answer : callable, optional
        ``(plan_id, account_id, Posted)`` called after the platform answered and before the
        answer is written (tests use it to kill the process at that point).

    Returns
    -------
    list of Outcome
        One per (due post, pending account), in order.

    Raises
    ------
    NotAllowed
        With ``team``: ``actor`` may not publish.
    OperationsError
        ``now`` is not aware.
    """
    from ripplemeter.operations import OperationsError
    from ripplemeter.operations.accounts import get_account
    from ripplemeter.operations.calendar import due_posts, get_plan, mark_failed, mark_published

    if now.tzinfo is None:
        raise OperationsError("publish_due needs an aware 'now' (a datetime with a time zone)")
    now = now.astimezone(dt.UTC)
    if team is not None:
        team.require(actor, "post.publish")
    project_dir = ws.path.parent.resolve() if ws.path is not None else None
    root = Path(media_root) if media_root is not None else (project_dir or Path.cwd())
    own = publishers is None
    pool = publishers or Publishers(servers=servers, project_dir=project_dir)
    if pool.project_dir is None:  # a credentials file inside the workspace's folder is refused
        pool.project_dir = project_dir
    outcomes: list[Outcome] = []

    def fail(plan_id: str, account_id: str, platform: str, message: str) -> Outcome:
        current = get_plan(ws, plan_id)
        if current.state == "scheduled":
            mark_failed(ws, plan_id, account_id, message, actor, team=team, now=now)
        return Outcome(plan_id, account_id, platform, "failed", error=message)

    try:
        for plan in due_posts(ws, now):
            for account_id in plan.pending_accounts:
                account = get_account(ws, account_id)
                platform = account_id.split(":", 1)[0]
                intent: Intent | None = None
                try:
                    if account is None:
                        raise PublishFailure(
                            account_id, "is no longer in the accounts registry", permanent=True
                        )
                    platform = _platform(account)
                    pub = pool.get(account)
                    text = plan.text_for(platform)
                    media = _media_paths(plan.media, root, account_id)
                    # a pending intent (a crash, a timeout) or a failed one (the plan was
                    # scheduled again) is checked on the platform before anything is sent
                    # only an intent of this version: a key is never reused across
                    # versions (an edited post is a new post with its own key)
                    mine = [
                        i
                        for i in pending_intents(ws, plan.plan_id, statuses=("pending", "failed"))
                        if i.account_id == account_id and i.version == plan.version
                    ]
                    intent = mine[-1] if mine else None
                    posted: Posted | None = None
                    if intent is not None:
                        if platform == "mastodon":
                            taken = [
                                r[0]
                                for r in ws.con.execute(
                                    "SELECT platform_post_id FROM plan_publications "
                                    "WHERE account_id = ? AND plan_id <> ? "
                                    "AND status = 'published' AND platform_post_id IS NOT NULL",
                                    [account_id, plan.plan_id],
                                ).fetchall()
                            ]
                            posted = pub.reconcile(intent.text, intent.created_at, now, taken)
                        else:
                            posted = pub.reconcile(intent.key)
                        if posted is None:
                            _touch_intent(
                                ws,
                                intent,
                                now,
                                attempts=intent.attempts + 1,
                                version=plan.version,
                                text=text,
                                status="pending",
                            )
                    else:
                        intent = Intent(
                            plan.plan_id,
                            account_id,
                            platform,
                            plan.version,
                            _key(platform, plan, account_id),
                            text,
                            "pending",
                            1,
                            now,
                        )
                        _write_intent(ws, intent, now)
                    if posted is None:
                        if platform == "mastodon":
                            posted = pub.publish(
                                text,
                                key=intent.key,
                                lang=plan.lang,
                                visibility=visibility,
                                media=media,
                            )
                        else:
                            posted = pub.publish(
                                text, key=intent.key, lang=plan.lang, media=media, now=now
                            )
                    if after_answer is not None:
                        after_answer(plan.plan_id, account_id, posted)
                    mark_published(
                        ws,
                        plan.plan_id,
                        account_id,
                        posted.post_id,
                        posted.url,
                        actor,
                        team=team,
                        now=now,
                    )
                    _touch_intent(
                        ws,
                        intent,
                        now,
                        status="published",
                        platform_post_id=posted.post_id,
                        url=posted.url,
                        error=None,
                    )
                    outcomes.append(
                        Outcome(
                            plan.plan_id,
                            account_id,
                            platform,
                            "published",
                            posted.post_id,
                            posted.url,
                            None,
                            posted.reconciled,
                        )
                    )
                except PublishFailure as exc:
                    message = exc.detail
                    late = plan.scheduled_at is not None and now - plan.scheduled_at > give_up_after
                    if exc.permanent or late:
                        if not exc.permanent:
                            message = f"{message}; gave up {give_up_after} after the scheduled time"
                        if intent is not None:
                            _touch_intent(ws, intent, now, status="failed", error=message)
                        outcomes.append(fail(plan.plan_id, account_id, platform, message))
                    else:
                        if intent is not None:
                            _touch_intent(ws, intent, now, error=message)
                        outcomes.append(
                            Outcome(plan.plan_id, account_id, platform, "retry", error=message)
                        )
    finally:
        if own:
            pool.close()
    return outcomes
