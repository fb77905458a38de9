"""Collectors: stream mentions from open platforms into the workspace, resumably.

Each collector is a :class:`Collector` subclass registered in :data:`REGISTRY` under its
``kind`` (``rss``, ``mastodon``, ``bluesky``; ``reddit`` and ``youtube`` live beside them). A
collector reads a source's settings (its ``Settings`` pydantic model, one ``[[sources]]``
table of listen.toml), splits the source into *streams* (one per hashtag, query, account or
feed), and for each stream yields :class:`Page` objects: canonical rows plus the cursor to
resume from. :meth:`Collector.collect` stores each page with its checkpoint in one transaction
(:func:`ripplemeter.listen.store.write_page`), so a run killed at any moment resumes without
losing or duplicating anything, and collecting twice adds nothing twice.

Failures: a malformed record is skipped and counted with its reason (``collect_log``); a
source that fails (unreachable, refused credentials, a rate limit longer than allowed) ends
its own run with ``CollectResult.error`` set and the error logged, and
:func:`collect_all` goes on with the other sources.

Usage::

    from ripplemeter.listen.collectors import REGISTRY, collect_all
    settings = REGISTRY["mastodon"].Settings(id="m1", kind="mastodon",
                                             instance="https://mastodon.social",
                                             hashtags=["ripplemeter"])
    results = collect_all(ws, [settings])
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from ripplemeter.errors import RippleError
from ripplemeter.listen import store
from ripplemeter.listen.http import CollectError, HttpClient, resolve_credentials
from ripplemeter.workspace import Workspace

Progress = Callable[[str, str, int, int], None]
"""``progress(source_id, stream, pages_done, rows_added)``: called after each stored page."""


class SourceSettings(BaseModel):
    """Settings every source shares (a ``[[sources]]`` table of listen.toml).

    Attributes
    ----------
    id : str
        The source's name, unique in the project; checkpoints are kept per id and stream.
    kind : str
        The collector (``rss``, ``mastodon``, ``bluesky``, ``reddit``, ``youtube``).
    credentials : str or None
        ``env:NAME`` or ``file:PATH`` (outside the project): where the token is, never the
        token itself.
    role : str
        Role given to the authors stored in ``accounts`` (``public`` unless configured).
    max_pages : int or None
        Stop each stream after this many pages in one run (the rest is collected next run).
    timeout : float
        Seconds per HTTP request.
    max_retries : int
        Retries on 429, 5xx and timeouts.
    max_wait : float
        Longest wait in seconds accepted from a server's rate limit before the source is
        given up for this run.
    """

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    kind: str
    credentials: str | None = None
    role: str = "public"
    max_pages: int | None = Field(default=None, ge=1)
    timeout: float = Field(default=30.0, gt=0)
    max_retries: int = Field(default=5, ge=0)
    max_wait: float = Field(default=900.0, ge=0)


@dataclass
class CollectResult:
    """What one source's run did.

    Attributes
    ----------
    source_id : str
    added : dict[str, int]
        Rows added per canonical table (after deduplication).
    skipped : dict[str, int]
        Records left out per reason (malformed records), never silently.
    error : str or None
        Why the source stopped early (secret-free), naming the source, or None.
    pages : int
        Pages stored.
    detail : str or None
        ``error`` without the source's name: what went wrong in plain words and what to do
        (``the environment variable YOUTUBE_API_KEY is not set ...; e.g. `export
        YOUTUBE_API_KEY=...```), for messages that name the source themselves.
    """

    source_id: str
    added: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    pages: int = 0
    detail: str | None = None


@dataclass
class Page:
    """One page of a stream, ready to store.

    Attributes
    ----------
    tables : dict[str, DataFrame]
        Canonical rows by table.
    cursor : dict
        JSON-serialisable state to resume after this page.
    skipped : Counter
        Malformed records left out, by reason.
    """

    tables: dict[str, pd.DataFrame]
    cursor: dict[str, Any]
    skipped: Counter = field(default_factory=Counter)


class Collector:
    """Base class: resolves credentials, opens the HTTP client, stores pages with checkpoints.

    Subclasses set ``kind`` and ``Settings`` and implement :meth:`streams` and :meth:`pages`.

    Parameters
    ----------
    sleep, clock : callable, optional
        Injected into the HTTP client (tests).
    project_dir : str or Path, optional
        The folder of listen.toml; credentials files inside it are refused.
    http_options : mapping, optional
        Extra :class:`~ripplemeter.listen.http.HttpClient` keyword arguments (``rng``,
        ``backoff_base``, ``transport``).
    now : callable, optional
        Collection time (UTC, naive) used as ``post_metrics.observed_at``.
    """

    kind: ClassVar[str] = ""
    Settings: ClassVar[type[SourceSettings]] = SourceSettings

    def __init__(
        self,
        *,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
        project_dir: str | Path | None = None,
        http_options: Mapping[str, Any] | None = None,
        now: Callable[[], pd.Timestamp] | None = None,
    ) -> None:
        self.http_options: dict[str, Any] = dict(http_options or {})
        if sleep is not None:
            self.http_options["sleep"] = sleep
        if clock is not None:
            self.http_options["clock"] = clock
        self.project_dir = project_dir
        self.now = now or (lambda: pd.Timestamp.now(tz="UTC").tz_localize(None).floor("s"))

    # -------------------------------------------------------------- to implement
    def streams(self, settings: Any) -> list[str]:
        """The stream keys of a source (one checkpoint each)."""
        raise NotImplementedError

    def pages(
        self,
        client: HttpClient,
        settings: Any,
        stream: str,
        checkpoint: dict | None,
        since: datetime | None,
    ) -> Iterator[Page]:
        """Yield the pages of one stream, starting from ``checkpoint``."""
        raise NotImplementedError

    def client_options(self, settings: Any, token: str | None) -> dict[str, Any]:
        """Keyword arguments for the HTTP client (subclasses add headers, auth scheme)."""
        return {"token": token}

    # -------------------------------------------------------------- the run
    def collect(
        self,
        ws: Workspace,
        settings: Any,
        *,
        since: datetime | None = None,
        progress: Progress | None = None,
    ) -> CollectResult:
        """Collect every stream of one source into ``ws``, resuming from its checkpoints.

        Parameters
        ----------
        ws : Workspace
        settings : Settings
            This collector's settings model (one ``[[sources]]`` table).
        since : datetime, optional
            Leave out posts created before this time (UTC when naive) and stop paging back
            past it.
        progress : callable, optional
            ``progress(source_id, stream, pages_done, rows_added)`` after each page.

        Returns
        -------
        CollectResult
            ``error`` is set (and logged in ``collect_log``) when the source failed; pages
            stored before the failure stay stored.
        """
        result = CollectResult(settings.id)
        if since is not None:
            since = pd.Timestamp(since)
            since = (
                since.tz_convert("UTC") if since.tzinfo else since.tz_localize("UTC")
            ).tz_localize(None)
        run = store.start_run(ws, settings.id, self.kind)
        client = None
        stream = None
        try:
            token = resolve_credentials(
                settings.credentials, source_id=settings.id, project_dir=self.project_dir
            )
            opts = dict(
                timeout=settings.timeout,
                max_retries=settings.max_retries,
                max_wait=settings.max_wait,
                credentials_name=settings.credentials,
                address_setting=_address_setting(settings),
            )
            opts.update(self.client_options(settings, token))
            opts.update(self.http_options)
            client = HttpClient(settings.id, **opts)
            for stream in self.streams(settings):
                checkpoint = store.load_checkpoint(ws, settings.id, stream)
                n = 0
                for page in self.pages(client, settings, stream, checkpoint, since):
                    added = store.write_page(
                        ws, run, stream, page.tables, page.cursor, page.skipped
                    )
                    for k, v in added.items():
                        result.added[k] = result.added.get(k, 0) + v
                    for k, v in page.skipped.items():
                        result.skipped[k] = result.skipped.get(k, 0) + v
                    result.pages += 1
                    n += 1
                    if progress is not None:
                        progress(settings.id, stream, result.pages, sum(result.added.values()))
                    if settings.max_pages is not None and n >= settings.max_pages:
                        break
            stream = None
        except Exception as exc:  # one source's failure is recorded, never raised
            detail = failure_detail(exc)
            if client is not None:
                detail = client.redact(detail)
            result.detail = detail
            result.error = message = f"source '{settings.id}': {detail}"
            store.log_event(ws, settings.id, stream, "error", message, import_id=run.import_id)
        finally:
            if client is not None:
                client.close()
        store.finish_run(ws, run, error=result.error)
        return result


def _address_setting(settings: Any) -> str | None:
    """The setting that holds a source's server address (``url``, ``instance``...), if any."""
    fields = type(settings).model_fields
    return next((k for k in ("url", "instance", "service", "base_url") if k in fields), None)


#: Where the credentials of each platform come from, for a message about a missing one.
CREDENTIALS_DOCS = (
    'see "Credentials" in docs/collectors.md for where each platform\'s key comes from'
)


def failure_detail(exc: BaseException) -> str:
    """Why a source failed and what to do, without the source's name.

    Parameters
    ----------
    exc : BaseException
        What the collector raised: a :class:`~ripplemeter.listen.http.CollectError` (its
        ``detail``), another :class:`RippleError`, or a bug in a collector.

    Returns
    -------
    str
        One or two sentences: what went wrong in plain words, then what to do. A server
        that kept failing (429, 5xx) gets "collect again later"; a missing or refused
        credential the pointer to the credentials docs.
    """
    from ripplemeter.listen.http import RETRY_STATUSES, CredentialError, RateLimitError

    if isinstance(exc, CollectError):
        detail = exc.detail
        if isinstance(exc, CredentialError):
            return f"{detail}; {CREDENTIALS_DOCS}"
        if not isinstance(exc, RateLimitError) and exc.status in RETRY_STATUSES:
            return f"{detail}. Collect again later: the run resumes where it stopped"
        return detail
    if isinstance(exc, RippleError):
        return str(exc)
    return (
        f"the collector stopped on an unexpected error ({type(exc).__name__}: {exc}); "
        "please report it with this message"
    )


REGISTRY: dict[str, type[Collector]] = {}
"""Collector classes by ``kind``."""


def register(cls: type[Collector]) -> type[Collector]:
    """Class decorator: add a collector to :data:`REGISTRY` under its ``kind``."""
    if not cls.kind:
        raise ValueError(f"{cls.__name__} has no kind")
    REGISTRY[cls.kind] = cls
    return cls


def collect_all(
    ws: Workspace,
    sources: Sequence[Any],
    *,
    since: datetime | None = None,
    progress: Progress | None = None,
    collector_options: Mapping[str, Any] | None = None,
) -> list[CollectResult]:
    """Collect several sources; one failing source never stops the others.

    Parameters
    ----------
    ws : Workspace
    sources : sequence of settings models
        Each is ``REGISTRY[kind].Settings``.
    since : datetime, optional
    progress : callable, optional
    collector_options : mapping, optional
        Keyword arguments for each collector's constructor (``sleep``, ``project_dir``...).

    Returns
    -------
    list of CollectResult
        One per source, in order; failures have ``error`` set.
    """
    _load()
    out = []
    for s in sources:
        cls = REGISTRY.get(s.kind)
        if cls is None:
            detail = f"unknown kind '{s.kind}'; known: {', '.join(sorted(REGISTRY))}"
            msg = f"source '{s.id}': {detail}"
            store.log_event(ws, s.id, None, "error", msg)
            out.append(CollectResult(s.id, error=msg, detail=detail))
            continue
        try:
            out.append(
                cls(**dict(collector_options or {})).collect(ws, s, since=since, progress=progress)
            )
        except Exception as exc:  # an unexpected bug in one collector must not stop the others
            detail = failure_detail(exc)
            msg = f"source '{s.id}': {detail}"
            store.log_event(ws, s.id, None, "error", msg)
            out.append(CollectResult(s.id, error=msg, detail=detail))
    return out


# ---------------------------------------------------------------------- helpers
class _TextParser(HTMLParser):
    BREAKS = {"br"}
    BLOCKS = {"p", "div", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "tr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.BREAKS:
            self.parts.append("\n")
        elif tag in self.BLOCKS and self.parts:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def posts_since(tables: dict[str, pd.DataFrame], since: pd.Timestamp) -> dict[str, pd.DataFrame]:
    """Leave out of a page the posts created before ``since``, with their metrics and authors.

    Parameters
    ----------
    tables : dict of str to DataFrame
        A page's rows by canonical table (``posts``, ``post_metrics``, ``accounts``...).
    since : Timestamp
        UTC bound (naive, as ``posts.created_at``); posts at or after it are kept.

    Returns
    -------
    dict of str to DataFrame
        The same tables; ``post_metrics`` and ``accounts`` keep only the rows of kept posts.
    """
    posts = tables.get("posts")
    if posts is None:
        return tables
    keep = posts[posts["created_at"] >= since]
    out = dict(tables)
    out["posts"] = keep
    if "post_metrics" in out:
        m = out["post_metrics"]
        out["post_metrics"] = m[m["post_id"].isin(keep["post_id"])]
    if "accounts" in out:
        a = out["accounts"]
        out["accounts"] = a[a["account_id"].isin(keep["account_id"])]
    return out


def html_to_text(markup: str | None) -> str | None:
    """Plain text of an HTML fragment: tags dropped, entities decoded, ``<br>`` and paragraph
    ends kept as line breaks, runs of blank lines collapsed.

    Mastodon's link markup (``<span class="invisible">https://</span>...``) yields the full
    URL, since every span's text is kept.
    """
    if markup is None:
        return None
    p = _TextParser()
    p.feed(markup)
    p.close()
    text = "".join(p.parts).replace("\r\n", "\n").replace("\xa0", " ")
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return html.unescape(text).strip()


def utc(value: object) -> pd.Timestamp | None:
    """A timestamp as naive UTC, or None when absent or unreadable."""
    if value is None or value == "":
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        return None
    if pd.isna(ts):
        return None
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return ts


def frames(rows: dict[str, list[dict]]) -> dict[str, pd.DataFrame]:
    """Lists of row dicts by table -> DataFrames (empty lists left out)."""
    return {t: pd.DataFrame(r) for t, r in rows.items() if r}


def _load() -> None:
    """Import the bundled collector modules so that they register."""
    import importlib

    for name in ("rss", "mastodon", "bluesky", "reddit", "youtube"):
        try:
            importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise


__all__ = [
    "REGISTRY",
    "CollectError",
    "CollectResult",
    "Collector",
    "Page",
    "SourceSettings",
    "collect_all",
    "failure_detail",
    "html_to_text",
    "posts_since",
    "register",
    "utc",
]


_load()
