"""The HTTP client every collector uses: retries, rate limits, credentials, plain errors.

One :class:`HttpClient` per source. It wraps an :class:`httpx.Client` and adds:

- retries with exponential backoff and jitter on 429, 5xx, timeouts and refused or dropped
  connections (the "exponential backoff with jitter" of the AWS Architecture Blog,
  https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/, "equal jitter");
  a host name that does not resolve is tried once more only (it will not exist a minute
  later);
- ``Retry-After`` honoured in both of its forms, delay-seconds and HTTP-date (RFC 9110
  section 10.2.3);
- ``x-ratelimit-remaining``/``x-ratelimit-reset`` (Mastodon: an ISO 8601 time; Reddit:
  seconds until the reset) and ``ratelimit-remaining``/``ratelimit-reset`` (Bluesky, the IETF
  RateLimit draft: epoch seconds): when the remaining budget is 0 the next request waits for
  the reset;
- an injectable ``sleep`` and ``clock`` so that tests never wait;
- errors as :class:`CollectError` subclasses that name the source and never carry a token
  (a 401 says which environment variable or file the token came from, not the token); a
  request that got no answer is told in plain words with what to do
  (:func:`unreachable`: "the server could not be reached (no such host): <url>").

Credentials are named in listen.toml as ``env:NAME`` or ``file:PATH`` and resolved by
:func:`resolve_credentials`; the secret itself is never written in a settings file.
"""

from __future__ import annotations

import email.utils
import logging
import os
import random
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from ripplemeter import __version__
from ripplemeter.errors import RippleError

USER_AGENT = f"ripplemeter/{__version__} (social listening collector; +https://pypi.org/project/ripplemeter/)"
"""The User-Agent of every collector request (Reddit's API rules ask for a descriptive one)."""

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
SECRET_PARAMS = frozenset({"key", "access_token", "token", "api_key", "apikey", "client_secret"})


class CollectError(RippleError):
    """A source could not be collected (unreachable, refused, malformed answer).

    Attributes
    ----------
    source_id : str
        The source's id in listen.toml.
    status : int or None
        The HTTP status of the last answer, when there was one.
    detail : str
        The message without the leading ``source '<id>': ``.
    """

    def __init__(self, source_id: str, message: str, status: int | None = None) -> None:
        self.source_id = source_id
        self.status = status
        self.detail = message
        super().__init__(f"source '{source_id}': {message}")


class CredentialError(CollectError):
    """The source's credentials are missing, unreadable, expired or refused (401/403)."""


class RateLimitError(CollectError):
    """The server asks to wait longer than the client is allowed to (``max_wait``)."""


def resolve_credentials(
    spec: str | None, *, source_id: str, project_dir: str | Path | None = None
) -> str | None:
    """The secret a source's ``credentials`` setting points to.

    Parameters
    ----------
    spec : str or None
        ``"env:NAME"`` (the environment variable NAME) or ``"file:PATH"`` (the first line of
        a file outside the project folder); None when the source needs no credentials.
    source_id : str
        For error messages.
    project_dir : str or Path, optional
        The folder of listen.toml: a credentials file inside it is refused, so that a token is
        never committed with the project.

    Returns
    -------
    str or None
        The secret, stripped of surrounding white space.

    Raises
    ------
    CredentialError
        Unknown form, unset variable, missing/empty file, or a file inside the project. The
        message names the variable or file, never its content.
    """
    if spec is None:
        return None
    kind, _, name = spec.partition(":")
    if kind == "env" and name:
        value = os.environ.get(name)
        if not value or not value.strip():
            raise CredentialError(
                source_id,
                f"the environment variable {name} is not set (or is empty); set it to the "
                f"token or key in the shell that runs ripplemeter, e.g. `export {name}=...`",
            )
        return value.strip()
    if kind == "file" and name:
        path = Path(name).expanduser()
        if project_dir is not None:
            root = Path(project_dir).resolve()
            if path.resolve() == root or root in path.resolve().parents:
                raise CredentialError(
                    source_id,
                    f"credentials: the file {path} is inside the project folder {root}; keep "
                    "tokens outside the project so they are never shared with it",
                )
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CredentialError(
                source_id,
                f"the credentials file {path} does not exist; write the token or key on its "
                "first line (keep the file outside the project folder)",
            ) from None
        except OSError as exc:
            raise CredentialError(
                source_id,
                f"the credentials file {path} cannot be read ({exc.strerror.lower()}); check "
                "that the file is readable by the user running ripplemeter",
            ) from None
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        if not lines:
            raise CredentialError(
                source_id,
                f"the credentials file {path} is empty; write the token or key on its first line",
            )
        return lines[0]
    raise CredentialError(
        source_id,
        "credentials must be written 'env:NAME' (an environment variable) or 'file:PATH' (a "
        "file outside the project); the token itself never goes in listen.toml",
    )


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delay-seconds or HTTP-date).

    Parameters
    ----------
    value : str or None
        The header value.
    now : float
        The current time, epoch seconds.

    Returns
    -------
    float or None
        Seconds (0 or more), or None when absent or unreadable.

    References
    ----------
    RFC 9110, section 10.2.3 Retry-After.
    """
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - now)


def parse_ratelimit_reset(value: str | None, now: float) -> float | None:
    """Seconds until a rate-limit window resets, from an ``x-ratelimit-reset`` style value.

    Three forms exist: an ISO 8601 time (Mastodon), epoch seconds (Bluesky's
    ``ratelimit-reset``) and seconds from now (Reddit). A number above 10^9 is taken as
    epoch seconds, a smaller one as a delay.
    """
    if value is None:
        return None
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        if when.tzinfo is None:
            return None
        return max(0.0, when.timestamp() - now)
    if number > 1e9:
        return max(0.0, number - now)
    return max(0.0, number)


def redact_url(url: str | httpx.URL, secrets: Iterable[str] = ()) -> str:
    """The URL with credential-like query values (and any known secret) replaced by ``***``."""
    text = str(url)
    parts = urlsplit(text)
    if parts.query:
        pairs = [
            (k, "***" if k.lower() in SECRET_PARAMS else v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
        ]
        text = urlunsplit(parts._replace(query=urlencode(pairs, safe="*:/")))
    for s in secrets:
        if s:
            text = text.replace(s, "***")
    return text


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


#: getaddrinfo's "no such name" codes: EAI_NONAME (-2 on Linux, 8 on macOS and the BSDs),
#: EAI_NODATA (-5, glibc) and Windows' WSAHOST_NOT_FOUND (11001) and WSANO_DATA (11004).
_NO_SUCH_HOST = frozenset({-2, -5, 8, 11001, 11004})
#: EAI_AGAIN (-3; Windows WSATRY_AGAIN 11002): the name server did not answer.
_LOOKUP_FAILED = frozenset({-3, 11002})


def _causes(exc: BaseException) -> Iterable[BaseException]:
    """``exc`` and the exceptions it was raised from (httpx wraps httpcore, which wraps OS
    errors), at most ten deep."""
    seen = 0
    e: BaseException | None = exc
    while e is not None and seen < 10:
        yield e
        e = e.__cause__ or e.__context__
        seen += 1


def unreachable(
    exc: httpx.TransportError,
    where: str,
    timeout: httpx.Timeout | None = None,
    setting: str | None = None,
) -> tuple[str, str, bool]:
    """What went wrong with a request that got no answer, in plain words.

    Parameters
    ----------
    exc : httpx.TransportError
        A timeout, a refused or dropped connection, a name that does not resolve ...
    where : str
        The URL as it may be shown (secrets masked).
    timeout : httpx.Timeout, optional
        The client's, for the seconds a timeout waited.
    setting : str, optional
        The listen.toml setting that holds the address (``url``, ``instance``...), named in
        what to do; "the address" without it.

    Returns
    -------
    (str, str, bool)
        What happened (``"the server could not be reached (no such host): <url>"``), what
        to do, and whether it will last: a host name that does not resolve, or a
        certificate that cannot be verified, fails again a second later; a timeout, a
        refused or dropped connection may not.

    Examples
    --------
    >>> import httpx, socket
    >>> try:
    ...     raise httpx.ConnectError("[Errno -2]") from socket.gaierror(-2, "Name unknown")
    ... except httpx.ConnectError as e:
    ...     unreachable(e, "https://no-such-host.invalid/feed")[0]
    'the server could not be reached (no such host): https://no-such-host.invalid/feed'
    """
    import socket
    import ssl

    causes = list(_causes(exc))
    unreached = "the server could not be reached"
    address = f"`{setting}` in listen.toml" if setting else "the address"
    if isinstance(exc, httpx.TimeoutException):
        if isinstance(exc, httpx.ConnectTimeout):
            return (
                f"{unreached} (timed out): {where}",
                f"Try again later; if it keeps failing, check {address}",
                False,
            )
        t = (timeout.read if timeout is not None else None) or 0
        return (
            f"the server did not answer within {t:.0f} s (timed out): {where}",
            "Try again later, or raise the source's timeout if the server is slow",
            False,
        )
    for e in causes:
        if isinstance(e, socket.gaierror):
            if e.errno in _LOOKUP_FAILED:
                return (
                    f"{unreached} (its name could not be looked up): {where}",
                    "Check that this computer is online, then try again",
                    True,
                )
            return (
                f"{unreached} (no such host): {where}",
                f"Check {address} for a typing mistake",
                True,
            )
        if isinstance(e, ConnectionRefusedError):
            return (
                f"{unreached} (connection refused): {where}",
                f"Check the host and port of {address}, or try again once the server is up",
                False,
            )
        if isinstance(e, ssl.SSLCertVerificationError):
            return (
                f"{unreached} (its security certificate could not be verified): {where}",
                f"Check {address} (https:// with the server's own name)",
                True,
            )
    text = " ".join(str(e) for e in causes).lower()
    if any(
        k in text
        for k in ("name or service not known", "nodename nor servname", "getaddrinfo failed")
    ):
        return f"{unreached} (no such host): {where}", f"Check {address} for a typing mistake", True
    if isinstance(exc, httpx.ConnectError):
        return (
            f"{unreached} (the connection failed): {where}",
            f"Check {address} and that this computer is online, then try again",
            False,
        )
    return (
        f"the connection to the server was cut before it answered: {where}",
        "Try again later",
        False,
    )


def _token_refused(resp: httpx.Response) -> bool:
    """True when a 400 answer says the token expired or is invalid (AT Protocol's XRPC errors
    ``ExpiredToken`` and ``InvalidToken``, https://atproto.com/specs/xrpc)."""
    try:
        body = resp.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("error") in ("ExpiredToken", "InvalidToken")


_KNOWN_SECRETS: set[str] = set()


class _RedactingFilter(logging.Filter):
    """Masks credential-like query values and known secrets in httpx's request log lines
    (``HTTP Request: GET <url> ...`` at INFO), so that turning logging on never shows a key."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(
                redact_url(a, _KNOWN_SECRETS) if isinstance(a, (httpx.URL, str)) else a
                for a in record.args
            )
        elif isinstance(record.msg, str):
            record.msg = redact_url(record.msg, _KNOWN_SECRETS)
        return True


if not any(isinstance(f, _RedactingFilter) for f in logging.getLogger("httpx").filters):
    logging.getLogger("httpx").addFilter(_RedactingFilter())


class HttpClient:
    """An httpx client for one source, with retries and rate-limit waits.

    Parameters
    ----------
    source_id : str
        Named in every error message.
    token : str, optional
        Sent as ``Authorization: <auth_scheme> <token>``; never shown in a message.
    credentials_name : str, optional
        Where the token came from (``env:NAME``), for the message of a 401.
    auth_scheme : str
        ``Bearer`` unless the API wants another scheme.
    headers : mapping, optional
        Extra request headers.
    timeout : float
        Seconds per request (connect, read, write, pool).
    max_retries : int
        Retries after the first attempt, for 429, 5xx, timeouts and refused or dropped
        connections; one at most for a host name that does not resolve.
    backoff_base, backoff_cap : float
        Exponential backoff: attempt ``n`` (0-based) waits ``d/2 + U(0, d/2)`` seconds with
        ``d = min(cap, base * 2**n)``, unless the server says how long to wait.
    max_wait : float
        The longest single wait the client accepts from a server (``Retry-After``, a rate-limit
        reset); a longer one raises :class:`RateLimitError` so that the run can go on with
        other sources and resume later.
    sleep, clock : callable
        ``time.sleep`` and ``time.time`` unless tests inject others.
    rng : random.Random, optional
        For the jitter (seeded in tests).
    transport : httpx.BaseTransport, optional
        For tests that want no sockets.
    secrets : iterable of str
        Extra values to hide in messages (API keys sent as query parameters).
    address_setting : str, optional
        The settings key that holds the server's address (``instance``, ``url``...), named
        in the advice of a message about a server that cannot be reached.

    Attributes
    ----------
    waits : list of tuple(str, float)
        Every wait the client made (reason, seconds), for tests and progress notes.
    requests : int
        Requests sent, retries included.
    """

    def __init__(
        self,
        source_id: str,
        *,
        token: str | None = None,
        credentials_name: str | None = None,
        auth_scheme: str = "Bearer",
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
        max_retries: int = 5,
        backoff_base: float = 1.0,
        backoff_cap: float = 120.0,
        max_wait: float = 900.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
        secrets: Iterable[str] = (),
        address_setting: str | None = None,
    ) -> None:
        self.source_id = source_id
        self.address_setting = address_setting
        self.credentials_name = credentials_name
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.max_wait = max_wait
        self.sleep = sleep
        self.clock = clock
        self.rng = rng or random.Random()
        self.waits: list[tuple[str, float]] = []
        self.requests = 0
        self._pause_until = 0.0
        self._secrets = [s for s in (token, *secrets) if s]
        _KNOWN_SECRETS.update(self._secrets)
        hdrs = {"User-Agent": USER_AGENT, "Accept": "application/json, */*;q=0.5"}
        hdrs.update(headers or {})
        if token:
            hdrs["Authorization"] = f"{auth_scheme} {token}"
        self._client = httpx.Client(
            headers=hdrs, timeout=timeout, follow_redirects=True, transport=transport
        )

    # ------------------------------------------------------------------ plumbing
    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def redact(self, text: str) -> str:
        """``text`` with every secret this client knows replaced by ``***``."""
        for s in self._secrets:
            text = text.replace(s, "***")
        return text

    def add_secret(self, value: str | None) -> None:
        """Hide ``value`` (a token, an API key) from now on.

        It is replaced by ``***`` in every message of this client (:meth:`redact`, the URLs
        its errors name) and in httpx's own log lines (the logging filter of this module).
        Empty values are ignored.
        """
        if value and value not in self._secrets:
            self._secrets.append(value)
            _KNOWN_SECRETS.add(value)

    def _wait(self, reason: str, seconds: float) -> None:
        if seconds > self.max_wait:
            raise RateLimitError(
                self.source_id,
                f"the server asks to wait {seconds:.0f} s ({reason}), more than the "
                f"{self.max_wait:.0f} s allowed; collect again later (the run resumes where it "
                "stopped)",
            )
        if seconds > 0:
            self.waits.append((reason, seconds))
            self.sleep(seconds)

    def _backoff(self, attempt: int) -> float:
        d = min(self.backoff_cap, self.backoff_base * (2**attempt))
        return d / 2 + self.rng.uniform(0, d / 2)

    def _note_budget(self, resp: httpx.Response) -> None:
        h = resp.headers
        remaining = h.get("x-ratelimit-remaining", h.get("ratelimit-remaining"))
        if remaining is None:
            return
        try:
            left = float(remaining)
        except ValueError:
            return
        if left > 0:
            return
        now = self.clock()
        reset = parse_ratelimit_reset(h.get("x-ratelimit-reset", h.get("ratelimit-reset")), now)
        if reset is not None:
            self._pause_until = max(self._pause_until, now + reset)

    # ------------------------------------------------------------------ requests
    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, object] | None = None,
        headers: Mapping[str, str] | None = None,
        json: object = None,
        content: bytes | None = None,
        files: Mapping[str, object] | None = None,
        before_retry: Callable[[], object | None] | None = None,
        describe: Callable[[httpx.Response], str] | None = None,
    ) -> httpx.Response | object:
        """Send one request with the waits and retries of this client; classify nothing else.

        Waits first while the rate-limit budget is used up; retries timeouts, dropped
        connections, 429 and 5xx (:data:`RETRY_STATUSES`) with exponential backoff and equal
        jitter, or as long as ``Retry-After`` (else the rate-limit reset of a 429) asks.
        Every other answer, 4xx included, is returned for the caller to read.

        Parameters
        ----------
        method : str
            ``GET``, ``POST``, ``PUT``, ``DELETE`` ...
        url : str
        params : mapping, optional
            Query parameters (None values are left out).
        headers : mapping, optional
            Per-request headers.
        json, content, files
            The body, as httpx takes them.
        before_retry : callable, optional
            Called before every retry; when it returns something other than None, that is
            returned and nothing is sent again (e.g. a post found to exist after a timeout).
        describe : callable, optional
            ``describe(response)``: how a retried answer is named in the final message
            (default ``"<status> <reason>"``); secrets are removed from it.

        Returns
        -------
        httpx.Response or object
            The first answer whose status is not retried, or what ``before_retry`` returned.

        Raises
        ------
        RateLimitError
            A wait longer than ``max_wait`` was asked for (``status``: the last answer's).
        CollectError
            Retries exhausted; ``detail`` reads ``"<the last failure>; gave up after <n>
            attempts"`` (``. <what to do>`` added when no answer came) and ``status`` is the
            last answer's status, if any. The last failure is in plain words
            (:func:`unreachable`); a host that does not exist (no such host) is tried twice
            at most, whatever ``max_retries``.
        """
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        last = ""
        status: int | None = None
        try:
            for attempt in range(self.max_retries + 1):
                if attempt and before_retry is not None:
                    found = before_retry()
                    if found is not None:
                        return found
                now = self.clock()
                if self._pause_until > now:
                    self._wait("rate-limit budget used up", self._pause_until - now)
                self.requests += 1
                try:
                    resp = self._client.request(
                        method,
                        url,
                        params=clean or None,
                        headers=headers,
                        json=json,
                        content=content,
                        files=files,
                    )
                except httpx.TransportError as exc:
                    last, todo, lasting = unreachable(
                        exc, self._where(url), self._client.timeout, self.address_setting
                    )
                    # a host that does not exist will not exist a second later: one retry
                    # (a resolver's passing hiccup), not the whole backoff series
                    limit = min(self.max_retries, 1) if lasting else self.max_retries
                    if attempt < limit:
                        self._wait("connection error", self._backoff(attempt))
                        continue
                    raise CollectError(
                        self.source_id,
                        f"{last}; gave up after {_count(attempt + 1, 'attempt')}. {todo}",
                        None,  # the last attempt got no answer (an earlier 503 is not why)
                    ) from None
                self._note_budget(resp)
                status = resp.status_code
                if status not in RETRY_STATUSES:
                    return resp
                said = describe(resp) if describe else f"{status} {resp.reason_phrase}"
                last = f"{self._where(resp.request.url)} answered {self.redact(said)}"
                if attempt >= self.max_retries:
                    break
                now = self.clock()
                wait = parse_retry_after(resp.headers.get("retry-after"), now)
                if wait is None and status == 429:
                    wait = parse_ratelimit_reset(
                        resp.headers.get("x-ratelimit-reset", resp.headers.get("ratelimit-reset")),
                        now,
                    )
                self._wait(f"{status}", self._backoff(attempt) if wait is None else wait)
        except RateLimitError as exc:
            exc.status = exc.status if exc.status is not None else status
            raise
        raise CollectError(
            self.source_id,
            f"{last}; gave up after {_count(self.max_retries + 1, 'attempt')}",
            status,
        )

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, object] | None = None,
        headers: Mapping[str, str] | None = None,
        accept: Iterable[int] = (200,),
    ) -> httpx.Response:
        """GET ``url``, retrying as described in the class docstring (:meth:`request`).

        Parameters
        ----------
        url : str
        params : mapping, optional
            Query parameters (None values are left out).
        headers : mapping, optional
            Per-request headers (``If-None-Match``, ...).
        accept : iterable of int
            Statuses returned to the caller (200; RSS adds 304).

        Returns
        -------
        httpx.Response

        Raises
        ------
        CredentialError
            401 or 403, or a 400 whose XRPC error is ExpiredToken/InvalidToken.
        RateLimitError
            A wait longer than ``max_wait`` was asked for.
        CollectError
            Any other status, or retries exhausted on 429/5xx/timeouts/connection errors.
        """
        accept = set(accept)
        resp = self.request("GET", url, params=params, headers=headers)  # an httpx.Response
        status = resp.status_code
        if status in accept:
            return resp
        if status == 400 and _token_refused(resp):
            status = 401  # AT Protocol: 400 with error ExpiredToken / InvalidToken
        if status in (401, 403):
            where = f" (from {self.credentials_name})" if self.credentials_name else ""
            what = "expired or invalid" if status == 401 else "not allowed to read this"
            raise CredentialError(
                self.source_id,
                f"{self._where(resp.request.url)} answered {resp.status_code}: the token{where} is "
                f"{what}; renew it and collect again",
                status,
            )
        hint = " (check the URL, account, hashtag or query)" if status == 404 else ""
        raise CollectError(
            self.source_id,
            f"{self._where(resp.request.url)} answered {status} {resp.reason_phrase}{hint}",
            status,
        )

    def get_json(
        self, url: str, *, params: Mapping[str, object] | None = None
    ) -> tuple[object, httpx.Response]:
        """GET and decode JSON.

        Raises
        ------
        CollectError
            The answer is not JSON (names the URL, without secrets), plus :meth:`get`'s.
        """
        resp = self.get(url, params=params)
        try:
            return resp.json(), resp
        except ValueError:
            raise CollectError(
                self.source_id,
                f"{self._where(resp.request.url)} did not answer with JSON (starts with "
                f"{self.redact(resp.text[:40])!r})",
                resp.status_code,
            ) from None

    def _where(self, url: str | httpx.URL) -> str:
        return redact_url(url, self._secrets)
