"""Publishing to Mastodon: ``POST /api/v1/statuses`` with an ``Idempotency-Key``.

The status is sent with ``status``, ``visibility``, ``language`` and the ids of media
uploaded first (``POST /api/v2/media``; a ``202`` means the server is still processing the
file, so ``GET /api/v1/media/:id`` is polled until it answers ``200``, ``206`` meaning "not
yet"), each request carrying the token as ``Authorization: Bearer``.

Never twice
-----------
Every request for one planned post on one account carries the same ``Idempotency-Key``
(derived from the plan id, the account and the plan's version). Mastodon answers a repeated
key with the status it created the first time, so a retry after a timeout, a 5xx or a crash
between its answer and our write cannot create a second status. The server keeps a key for
about an hour only ("Idempotency keys are stored for up to 1 hour", Mastodon API
documentation, ``POST /api/v1/statuses``). After a longer outage the publisher therefore
*reconciles* before posting again (:meth:`Mastodon.find_existing`): it reads the account's
own recent statuses (``GET /api/v1/accounts/verify_credentials``, then
``GET /api/v1/accounts/:id/statuses``, following ``max_id`` pages) and takes as the same post
a status whose text equals the planned text (the HTML ``content`` turned back into text:
``<br>`` and paragraph breaks as new lines, tags removed, entities unescaped, runs of white
space collapsed, and remote mentions ``@user@host`` compared as ``@user``, the way Mastodon
displays them) and that was created no earlier than five minutes before the first attempt
(clock skew). A status already recorded as another planned post's publication is never
taken (two plans with the same text on one account). Only when none matches is the post
sent again.

References
----------
Mastodon API: statuses (``POST /api/v1/statuses``, ``Idempotency-Key``), media
(``POST /api/v2/media``, ``GET /api/v1/media/:id``), accounts (``verify_credentials``,
``:id/statuses``), https://docs.joinmastodon.org/methods/statuses/,
https://docs.joinmastodon.org/methods/media/, https://docs.joinmastodon.org/methods/accounts/.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import mimetypes
import re
from collections.abc import Collection, Sequence
from pathlib import Path

import httpx

from ripplemeter.operations.publish.base import (
    PlatformClient,
    Posted,
    PublishFailure,
    platform_message,
)

__all__ = ["IDEMPOTENCY_TTL", "RECONCILE_AFTER", "Mastodon", "idempotency_key", "status_text"]

IDEMPOTENCY_TTL = dt.timedelta(hours=1)
"""How long Mastodon remembers an Idempotency-Key."""

RECONCILE_AFTER = dt.timedelta(minutes=50)
"""An intent older than this is reconciled by reading statuses (a margin under the hour)."""

SKEW = dt.timedelta(minutes=5)
MEDIA_POLLS = 30
STATUS_PAGES = 10


def idempotency_key(plan_id: str, account_id: str, version: int) -> str:
    """The ``Idempotency-Key`` of a planned post's version on one account.

    ``ripplemeter-`` + the first 32 hex digits of SHA-256 of ``plan|account|version``:
    stable across runs and machines, different for each account and each edited version.
    """
    digest = hashlib.sha256(f"{plan_id}|{account_id}|{version}".encode()).hexdigest()
    return f"ripplemeter-{digest[:32]}"


_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_PARA = re.compile(r"</p>\s*<p>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")


def _norm(text: str) -> str:
    return " ".join(text.split())


def _local_mentions(text: str) -> str:
    """``@user@host`` written as ``@user``, as Mastodon displays a remote mention in a
    status's ``content`` (the same pattern its length counter uses,
    :data:`ripplemeter.operations.lengths._MASTODON_MENTION`)."""
    from ripplemeter.operations.lengths import _MASTODON_MENTION

    return _MASTODON_MENTION.sub(lambda m: "@" + m.group(1), text)


def status_text(content: str) -> str:
    """The plain text of a status's HTML ``content`` (white space collapsed).

    Mastodon renders the text as ``<p>`` paragraphs with ``<br />`` line breaks, links as
    ``<a>`` with ``<span class="invisible">`` parts and hashtags/mentions as links; removing
    the tags gives the written text back.
    """
    text = _PARA.sub("\n\n", content or "")
    text = _BREAK.sub("\n", text)
    text = _TAGS.sub("", text)
    return _norm(html.unescape(text))


def _when(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        t = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


class Mastodon:
    """Publishes on one Mastodon account.

    Parameters
    ----------
    client : PlatformClient
        The account's server connection (``base_url`` is the instance, such as
        ``https://mastodon.social``).
    token : str
        The account's access token (scopes ``write:statuses``, ``write:media``,
        ``read:accounts``, ``read:statuses``); held in memory only.
    """

    platform = "mastodon"

    def __init__(self, client: PlatformClient, token: str) -> None:
        self.client = client
        self._auth = {"Authorization": f"Bearer {token}"}
        client.add_secret(token)
        self._me: str | None = None

    def close(self) -> None:
        self.client.close()

    # ---------------------------------------------------------------- errors
    def _refused(self, resp: httpx.Response, what: str) -> PublishFailure:
        msg = self.client.redact(platform_message(resp))
        status = resp.status_code
        if status in (401, 403):
            src = f" (from {self.client.credentials_name})" if self.client.credentials_name else ""
            return PublishFailure(
                self.client.account_id,
                f"Mastodon refused the access token{src} while {what}: {msg}; renew the token "
                "where the account's credentials_ref points, then schedule the post again",
                permanent=True,
                status=status,
            )
        hint = "; check the account's server URL" if status == 404 else ""
        return PublishFailure(
            self.client.account_id,
            f"Mastodon refused {what}: {msg}{hint}",
            permanent=True,
            status=status,
        )

    # ---------------------------------------------------------------- media
    def upload(self, path: Path, description: str | None = None) -> str:
        """Upload one media file; the media id once the server has processed it.

        Raises
        ------
        PublishFailure
            Unreadable file (permanent), refused upload (permanent), processing not done
            after the polls (transient).
        """
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise PublishFailure(
                self.client.account_id,
                f"cannot read the media file {path} ({exc.strerror})",
                permanent=True,
            ) from None
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        files: dict = {"file": (path.name, data, mime)}
        if description:
            files["description"] = (None, description)
        resp = self.client.request("POST", "/api/v2/media", files=files, headers=self._auth)
        assert isinstance(resp, httpx.Response)
        if resp.status_code not in (200, 202):
            raise self._refused(resp, f"the media file {path.name}")
        media = resp.json()
        media_id = str(media["id"])
        polls = 0
        while resp.status_code != 200 or media.get("url") is None:
            if polls >= MEDIA_POLLS:
                raise PublishFailure(
                    self.client.account_id,
                    f"the media file {path.name} was still being processed after {polls} "
                    "checks; the next run tries again",
                    permanent=False,
                )
            self.client.http.sleep(1.0)
            polls += 1
            resp = self.client.request("GET", f"/api/v1/media/{media_id}", headers=self._auth)
            assert isinstance(resp, httpx.Response)
            if resp.status_code == 206:
                continue
            if resp.status_code != 200:
                raise self._refused(resp, f"the media file {path.name}")
            media = resp.json()
        return media_id

    # ---------------------------------------------------------------- publish
    def publish(
        self,
        text: str,
        *,
        key: str,
        lang: str | None = None,
        visibility: str = "public",
        media: Sequence[Path] = (),
    ) -> Posted:
        """Post ``text``; retries carry the same ``Idempotency-Key``.

        Returns
        -------
        Posted
            The status id and URL from Mastodon's answer.

        Raises
        ------
        PublishFailure
            422 (validation, permanent, Mastodon's message), 401/403 (token refused,
            permanent, names where the token comes from), transient failures.
        """
        media_ids = [self.upload(Path(p)) for p in media]
        body: dict = {"status": text, "visibility": visibility}
        if lang:
            body["language"] = lang
        if media_ids:
            body["media_ids"] = media_ids
        resp = self.client.request(
            "POST",
            "/api/v1/statuses",
            json=body,
            headers={**self._auth, "Idempotency-Key": key},
        )
        assert isinstance(resp, httpx.Response)
        if resp.status_code != 200:
            raise self._refused(resp, "the post")
        status = resp.json()
        return Posted(str(status["id"]), status.get("url") or status.get("uri"))

    # ---------------------------------------------------------------- reconcile
    def account_id(self) -> str:
        """The token's account id (``verify_credentials``)."""
        if self._me is None:
            resp = self.client.request(
                "GET", "/api/v1/accounts/verify_credentials", headers=self._auth
            )
            assert isinstance(resp, httpx.Response)
            if resp.status_code != 200:
                raise self._refused(resp, "reading the account (verify_credentials)")
            self._me = str(resp.json()["id"])
        return self._me

    def find_existing(
        self, text: str, since: dt.datetime, exclude: Collection[str] = ()
    ) -> Posted | None:
        """A status of the account with this text created since ``since`` (minus 5 minutes).

        Pages through ``/api/v1/accounts/:id/statuses`` (40 a page, ``max_id``) until a
        status older than the window, at most 10 pages. Texts are compared with remote
        mentions shortened (``@user@host`` as ``@user``, as Mastodon displays them), and a
        status whose id is in ``exclude`` (already recorded for another planned post with
        the same text) is never taken.
        """
        me = self.account_id()
        skip = {str(x) for x in exclude}
        want = _norm(_local_mentions(text))
        floor = since - SKEW
        params: dict = {"limit": 40, "exclude_reblogs": "true"}
        for _ in range(STATUS_PAGES):
            resp = self.client.request(
                "GET", f"/api/v1/accounts/{me}/statuses", params=params, headers=self._auth
            )
            assert isinstance(resp, httpx.Response)
            if resp.status_code != 200:
                raise self._refused(resp, "reading the account's statuses")
            page = resp.json()
            if not page:
                return None
            for st in page:
                created = _when(st.get("created_at"))
                if created is not None and created >= floor and str(st["id"]) not in skip:
                    if _local_mentions(status_text(st.get("content", ""))) == want:
                        return Posted(str(st["id"]), st.get("url") or st.get("uri"), True)
            last = _when(page[-1].get("created_at"))
            if last is not None and last < floor:
                return None
            params = {**params, "max_id": page[-1]["id"]}
        return None

    def reconcile(
        self,
        text: str,
        first_at: dt.datetime,
        now: dt.datetime,
        exclude: Collection[str] = (),
    ) -> Posted | None:
        """Before sending again for an intent started at ``first_at``.

        Within :data:`RECONCILE_AFTER` the same key is simply sent again (Mastodon answers
        with the status it made, if it made one): returns None. Later the key may be
        forgotten, so the account's statuses are read (:meth:`find_existing`); ``exclude``
        holds the status ids already recorded for other planned posts on this account.
        """
        if now - first_at < RECONCILE_AFTER:
            return None
        return self.find_existing(text, first_at, exclude)
