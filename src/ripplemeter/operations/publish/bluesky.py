"""Publishing to Bluesky: an ``app.bsky.feed.post`` record written with ``createRecord``.

Session
-------
``com.atproto.server.createSession`` (identifier: the account's DID or handle; password: an
app password from the account's ``credentials_ref``) gives ``accessJwt``, ``refreshJwt`` and
the account's ``did``. They live in memory only (never in the workspace). When a call answers
``400 ExpiredToken``, ``com.atproto.server.refreshSession`` (sent with the refresh token) gives
new tokens; when that is refused too, a new session is created; when the login is refused,
the post fails with a message naming the account and where its password comes from.

Never twice
-----------
AT Protocol has no idempotency key, so the publisher chooses the record key itself: a TID
(:func:`tid_for`) derived from the plan id, the account and the version, the same on every run. Before any
retry (after a timeout, a 5xx, a crash between the server's answer and our write) it asks
``com.atproto.repo.getRecord`` for that key: when the record exists the post went out, and its
URI is recorded instead of sending it again. A ``createRecord`` refused because the key is
taken is checked the same way.

The record
----------
``{"$type": "app.bsky.feed.post", "text", "createdAt", "langs", "facets", "embed"}``: facets
from :mod:`~ripplemeter.operations.publish.facets` (mentions resolved with
``com.atproto.identity.resolveHandle``), images uploaded with ``com.atproto.repo.uploadBlob``
and embedded as ``app.bsky.embed.images`` (at most 4).

References
----------
Lexicons ``com.atproto.server.createSession``, ``com.atproto.server.refreshSession``,
``com.atproto.repo.createRecord``, ``com.atproto.repo.getRecord``,
``com.atproto.repo.uploadBlob``, ``com.atproto.identity.resolveHandle``,
``app.bsky.feed.post``, ``app.bsky.richtext.facet``
(https://github.com/bluesky-social/atproto/tree/main/lexicons); record keys and TIDs:
https://atproto.com/specs/record-key, https://atproto.com/specs/tid; XRPC errors
(``ExpiredToken``): https://atproto.com/specs/xrpc.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import mimetypes
from collections.abc import Sequence
from pathlib import Path

import httpx

from ripplemeter.operations.publish import facets as _facets
from ripplemeter.operations.publish.base import (
    PlatformClient,
    Posted,
    PublishFailure,
    platform_message,
)

__all__ = ["COLLECTION", "Bluesky", "decode_tid", "encode_tid", "tid_for"]

COLLECTION = "app.bsky.feed.post"
_B32 = "234567abcdefghijklmnopqrstuvwxyz"
MAX_IMAGES = 4


def encode_tid(micros: int, clock_id: int) -> str:
    """A TID: 13 characters of base32-sortable over ``micros << 10 | clock_id``.

    Parameters
    ----------
    micros : int
        Microseconds since the UNIX epoch (53 bits).
    clock_id : int
        0-1023.

    References
    ----------
    https://atproto.com/specs/tid: a 64-bit integer, top bit 0, 53 bits of microseconds,
    10 bits of clock identifier, written big-endian in the alphabet ``234567a-z``.
    """
    if not 0 <= clock_id < 1024 or not 0 <= micros < 2**53:
        raise ValueError("TID: micros must fit 53 bits and clock_id 10 bits")
    n = (micros << 10) | clock_id
    return "".join(_B32[(n >> (5 * (12 - i))) & 31] for i in range(13))


def decode_tid(tid: str) -> tuple[int, int]:
    """``(micros, clock_id)`` of a TID (inverse of :func:`encode_tid`)."""
    n = 0
    for ch in tid:
        n = (n << 5) | _B32.index(ch)
    return n >> 10, n & 1023


def tid_for(plan_id: str, account_id: str, scheduled_at: dt.datetime, version: int = 1) -> str:
    """The record key of a planned post's version on one account.

    The scheduled second (so keys sort by time, as TIDs should) plus microseconds and a
    clock id taken from SHA-256 of ``plan|account`` (``plan|account|version`` from version
    2 on): the same on every run, different for two plans scheduled in the same second
    (unless 30 bits of hash collide) and for two versions of one plan, so that an edited
    post never takes the key of the version before it.
    """
    seed = f"{plan_id}|{account_id}" + (f"|{version}" if version > 1 else "")
    h = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big")
    seconds = int(scheduled_at.timestamp())
    return encode_tid(seconds * 1_000_000 + h % 1_000_000, (h >> 20) & 1023)


def _xrpc_error(resp: httpx.Response) -> str | None:
    try:
        body = resp.json()
    except ValueError:
        return None
    return body.get("error") if isinstance(body, dict) else None


class Bluesky:
    """Publishes on one Bluesky account.

    Parameters
    ----------
    client : PlatformClient
        The account's PDS connection (``https://bsky.social`` for accounts hosted by
        Bluesky).
    identifier : str
        DID or handle for ``createSession``.
    password : str
        App password; held in memory only.
    """

    platform = "bluesky"

    def __init__(self, client: PlatformClient, identifier: str, password: str) -> None:
        self.client = client
        self.identifier = identifier
        self._password = password
        client.add_secret(password)
        self._session: dict | None = None
        self.logins = 0
        self.refreshes = 0

    def close(self) -> None:
        self.client.close()

    # ---------------------------------------------------------------- session
    def _fail(self, resp: httpx.Response, what: str, *, auth: bool = False) -> PublishFailure:
        msg = self.client.redact(platform_message(resp))
        if auth:
            src = f" (from {self.client.credentials_name})" if self.client.credentials_name else ""
            return PublishFailure(
                self.client.account_id,
                f"Bluesky refused the login of {self.identifier}{src} while {what}: {msg}; "
                "create a new app password where the account's credentials_ref points, then "
                "schedule the post again",
                permanent=True,
                status=resp.status_code,
            )
        return PublishFailure(
            self.client.account_id,
            f"Bluesky refused {what}: {msg}",
            permanent=True,
            status=resp.status_code,
        )

    def _keep(self, body: dict) -> dict:
        for k in ("accessJwt", "refreshJwt"):
            self.client.add_secret(body.get(k))
        self._session = body
        return body

    def login(self) -> dict:
        """``createSession``: the session (``did``, ``handle``, tokens)."""
        self.logins += 1
        resp = self.client.request(
            "POST",
            "/xrpc/com.atproto.server.createSession",
            json={"identifier": self.identifier, "password": self._password},
        )
        assert isinstance(resp, httpx.Response)
        if resp.status_code != 200:
            raise self._fail(
                resp, "logging in (createSession)", auth=resp.status_code in (400, 401)
            )
        return self._keep(resp.json())

    def refresh(self) -> dict:
        """``refreshSession``; a new ``createSession`` when the refresh token is refused."""
        self.refreshes += 1
        assert self._session is not None
        resp = self.client.request(
            "POST",
            "/xrpc/com.atproto.server.refreshSession",
            headers={"Authorization": f"Bearer {self._session['refreshJwt']}"},
        )
        assert isinstance(resp, httpx.Response)
        if resp.status_code == 200:
            return self._keep({**self._session, **resp.json()})
        return self.login()

    @property
    def did(self) -> str:
        if self._session is None:
            self.login()
        assert self._session is not None
        return self._session["did"]

    def _call(self, method: str, nsid: str, *, check=None, **kw) -> httpx.Response | Posted:
        """An authenticated XRPC call; one refresh (or new login) on ``ExpiredToken``."""
        if self._session is None:
            self.login()
        for turn in range(2):
            assert self._session is not None
            headers = {
                **kw.pop("headers", {}),
                "Authorization": f"Bearer {self._session['accessJwt']}",
            }
            resp = self.client.request(method, f"/xrpc/{nsid}", headers=headers, check=check, **kw)
            if isinstance(resp, Posted):
                return resp
            expired = resp.status_code in (400, 401) and _xrpc_error(resp) in (
                "ExpiredToken",
                "InvalidToken",
            )
            if not expired:
                return resp
            if turn == 0:
                self.refresh()
                kw["headers"] = {k: v for k, v in headers.items() if k != "Authorization"}
        raise self._fail(resp, f"{nsid} with a fresh session", auth=True)

    # ---------------------------------------------------------------- reads
    def resolve_handle(self, handle: str) -> str | None:
        """The DID of ``handle``, or None when it does not resolve."""
        resp = self._call("GET", "com.atproto.identity.resolveHandle", params={"handle": handle})
        assert isinstance(resp, httpx.Response)
        if resp.status_code == 200:
            return resp.json().get("did")
        return None

    def get_record(self, rkey: str) -> Posted | None:
        """The post with record key ``rkey`` on this account, or None (``RecordNotFound``)."""
        resp = self._call(
            "GET",
            "com.atproto.repo.getRecord",
            params={"repo": self.did, "collection": COLLECTION, "rkey": rkey},
        )
        assert isinstance(resp, httpx.Response)
        if resp.status_code == 200:
            return Posted(resp.json()["uri"], self.web_url(rkey), True)
        if resp.status_code in (400, 404) and _xrpc_error(resp) in ("RecordNotFound", "NotFound"):
            return None
        raise self._fail(resp, "reading the record back (getRecord)")

    def web_url(self, rkey: str) -> str:
        """``https://bsky.app/profile/<did>/post/<rkey>``."""
        return f"https://bsky.app/profile/{self.did}/post/{rkey}"

    # ---------------------------------------------------------------- write
    def upload_image(self, path: Path) -> dict:
        """``uploadBlob``: the blob reference of one image."""
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise PublishFailure(
                self.client.account_id,
                f"cannot read the media file {path} ({exc.strerror})",
                permanent=True,
            ) from None
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        resp = self._call(
            "POST",
            "com.atproto.repo.uploadBlob",
            content=data,
            headers={"Content-Type": mime},
        )
        assert isinstance(resp, httpx.Response)
        if resp.status_code != 200:
            raise self._fail(resp, f"the media file {path.name}")
        return resp.json()["blob"]

    def record(
        self, text: str, *, lang: str | None, created_at: dt.datetime, images: Sequence[dict] = ()
    ) -> dict:
        """The ``app.bsky.feed.post`` record for ``text`` (facets resolved)."""
        rec: dict = {
            "$type": COLLECTION,
            "text": text,
            "createdAt": created_at.astimezone(dt.UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
        }
        if lang:
            rec["langs"] = [lang]
        facets = _facets.to_record(_facets.detect_facets(text), self.resolve_handle)
        if facets:
            rec["facets"] = facets
        if images:
            rec["embed"] = {
                "$type": "app.bsky.embed.images",
                "images": [{"alt": "", "image": b} for b in images],
            }
        return rec

    def publish(
        self,
        text: str,
        *,
        key: str,
        lang: str | None = None,
        media: Sequence[Path] = (),
        now: dt.datetime | None = None,
    ) -> Posted:
        """Create the post under record key ``key``; before any retry, ``getRecord`` it.

        Raises
        ------
        PublishFailure
            400 ``InvalidRequest`` (the record fails validation: permanent, with the
            server's message), refused login (permanent), transient failures.
        """
        if len(media) > MAX_IMAGES:
            raise PublishFailure(
                self.client.account_id,
                f"{len(media)} media files; a Bluesky post takes at most {MAX_IMAGES} images",
                permanent=True,
            )
        images = [self.upload_image(Path(p)) for p in media]
        rec = self.record(text, lang=lang, created_at=now or dt.datetime.now(dt.UTC), images=images)
        body = {"repo": self.did, "collection": COLLECTION, "rkey": key, "record": rec}
        resp = self._call(
            "POST",
            "com.atproto.repo.createRecord",
            content=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json"},
            check=lambda: self.get_record(key),
        )
        if isinstance(resp, Posted):
            return resp
        if resp.status_code == 200:
            out = resp.json()
            return Posted(out["uri"], self.web_url(key))
        found = self.get_record(key)  # refused because the key is taken: it went out before
        if found is not None:
            return found
        raise self._fail(resp, "the post")

    def reconcile(self, key: str) -> Posted | None:
        """The post already made under ``key``, if any (``getRecord``)."""
        return self.get_record(key)
