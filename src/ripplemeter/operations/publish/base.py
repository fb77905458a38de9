"""What the platform publishers share: the result types and one retrying request.

Requests go through the collectors' :class:`ripplemeter.listen.http.HttpClient` (its httpx
client, its backoff with jitter, its ``Retry-After`` and rate-limit handling, its redaction
of secrets in messages and logs). A write differs from a read in one way: it may only be
retried when a retry cannot create a second post. :meth:`PlatformClient.request` therefore
takes a ``check`` callable that runs before every retry (Bluesky: ``getRecord`` on the
chosen record key) and ends the retries when the post is found; Mastodon's retries carry the
same ``Idempotency-Key`` and need no check.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx

from ripplemeter.listen.http import CollectError, HttpClient, RateLimitError
from ripplemeter.operations import OperationsError

__all__ = ["PlatformClient", "Posted", "PublishFailure", "platform_message"]


@dataclass(frozen=True)
class Posted:
    """A post the platform holds.

    Attributes
    ----------
    post_id : str
        Mastodon: the status id; Bluesky: the record's ``at://`` URI.
    url : str or None
        Its permalink.
    reconciled : bool
        True when it was found on the platform (after a crash, a timeout or a long outage)
        rather than created by this call.
    """

    post_id: str
    url: str | None
    reconciled: bool = False


class PublishFailure(OperationsError):
    """Publishing a post on one account failed.

    Attributes
    ----------
    account_id : str
    permanent : bool
        True: the platform refused the post (validation error, refused credentials); the
        plan is marked failed at once. False: a transient failure (timeouts, 5xx, 429
        beyond the allowed wait); the next run tries again, after reconciling.
    status : int or None
        The HTTP status of the last answer, when there was one.
    """

    def __init__(
        self, account_id: str, message: str, *, permanent: bool, status: int | None = None
    ) -> None:
        self.account_id = account_id
        self.permanent = permanent
        self.status = status
        self.detail = message
        super().__init__(f"account {account_id}: {message}")


def platform_message(resp: httpx.Response) -> str:
    """``"<status> <the platform's own message>"`` from an error answer.

    Mastodon answers ``{"error": "..."}`` (with ``error_description`` for OAuth errors);
    AT Protocol's XRPC answers ``{"error": "Name", "message": "..."}``.
    """
    text = ""
    try:
        body = resp.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        err, msg = body.get("error"), body.get("message") or body.get("error_description")
        text = ": ".join(str(x) for x in (err, msg) if x)
    if not text:
        text = resp.reason_phrase or (resp.text or "")[:200]
    return f"{resp.status_code} {text}".strip()


class PlatformClient:
    """One account's connection to its server: base URL plus the shared HTTP client.

    Parameters
    ----------
    account_id : str
        Named in every message.
    base_url : str
        ``https://mastodon.social``, ``https://bsky.social`` (no trailing slash needed).
    credentials_name : str, optional
        ``env:NAME`` / ``file:PATH`` the secret came from (named in messages, never the
        secret).
    timeout : float
        Seconds per request.
    max_retries : int
        Retries after the first attempt on 429, 5xx, timeouts and dropped connections.
    backoff_base, max_wait : float
        As in :class:`~ripplemeter.listen.http.HttpClient`.
    sleep, clock : callable
        Injectable for tests.
    transport : httpx.BaseTransport, optional
    rng : random.Random, optional
    """

    def __init__(
        self,
        account_id: str,
        base_url: str,
        *,
        credentials_name: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 4,
        backoff_base: float = 1.0,
        max_wait: float = 900.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        transport: httpx.BaseTransport | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.account_id = account_id
        self.base_url = base_url.rstrip("/")
        self.credentials_name = credentials_name
        self.http = HttpClient(
            account_id,
            credentials_name=credentials_name,
            timeout=timeout,
            max_retries=max_retries,
            backoff_base=backoff_base,
            max_wait=max_wait,
            sleep=sleep,
            clock=clock,
            transport=transport,
            rng=rng,
        )

    def close(self) -> None:
        """Close the connections."""
        self.http.close()

    def add_secret(self, secret: str | None) -> None:
        """Hide ``secret`` in every message and httpx log line from now on."""
        self.http.add_secret(secret)

    def redact(self, text: str) -> str:
        """``text`` without any secret of this client."""
        return self.http.redact(text)

    def url(self, path: str) -> str:
        return self.base_url + path

    def request(
        self,
        method: str,
        path: str,
        *,
        json: object = None,
        params: Mapping[str, object] | None = None,
        content: bytes | None = None,
        files: Mapping[str, object] | None = None,
        headers: Mapping[str, str] | None = None,
        check: Callable[[], Posted | None] | None = None,
    ) -> httpx.Response | Posted:
        """Send one request, retrying transient failures with backoff.

        Parameters
        ----------
        method, path : str
        json, params, content, files, headers
            As httpx takes them.
        check : callable, optional
            Runs before every retry; when it returns a :class:`Posted` (the post exists after
            all) that is returned and nothing is sent again.

        Returns
        -------
        httpx.Response or Posted
            Any answer that is not 429/5xx (the caller reads 2xx and classifies 4xx), or what
            ``check`` found.

        Raises
        ------
        PublishFailure
            Transient (``permanent=False``): retries exhausted, or the server asked to wait
            longer than ``max_wait``.
        """
        try:
            return self.http.request(
                method,
                self.url(path),
                json=json,
                params=params,
                content=content,
                files=files,
                headers=headers,
                before_retry=check,
                describe=platform_message,
            )
        except RateLimitError as exc:
            raise PublishFailure(
                self.account_id,
                exc.detail + "; the next run tries again",
                permanent=False,
                status=exc.status,
            ) from None
        except CollectError as exc:  # retries exhausted
            raise PublishFailure(
                self.account_id,
                f"{exc.detail} (the next run tries again and checks first whether the post "
                "went out)",
                permanent=False,
                status=exc.status,
            ) from None
