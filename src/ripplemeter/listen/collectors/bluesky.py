"""Bluesky (AT Protocol): post search and author feeds.

API: ``app.bsky.feed.searchPosts`` (https://docs.bsky.app/docs/api/app-bsky-feed-search-posts:
``q``, ``limit`` up to 100, ``cursor``, ``since``; the answer has ``posts``, a ``cursor`` while
more remain and, on older servers, ``hitsTotal``) and ``app.bsky.feed.getAuthorFeed``
(https://docs.bsky.app/docs/api/app-bsky-feed-get-author-feed: ``actor``, ``limit``,
``cursor``; each feed item has ``post``, and ``reason`` for a repost or ``reply`` for a reply's
context). Paging ends when the answer has no ``cursor`` or no items; cursors are opaque (an
offset, ``<epoch ms>::<cid>`` or an ISO time) and stored as given.

Resuming: the checkpoint holds the ``cursor`` of the sweep and the newest post time seen; a
complete sweep is followed by a new one from the newest posts down to the previous sweep's
newest time (searchPosts is asked with ``since``; an author feed stops at the first page that
holds nothing newer).

Mapping:

- ``post_id`` ``bluesky:<did>/<rkey>`` from the post's ``at://<did>/app.bsky.feed.post/<rkey>``
  URI (unique network-wide); ``url`` the bsky.app permalink; authors ``bluesky:<did>`` with
  their handle;
- a reply (``record.reply``) is ``kind = 'reply'`` with ``parent_id``/``root_id`` from its
  parent and root URIs; a quote (an ``app.bsky.embed.record`` or ``recordWithMedia`` embed) is
  ``kind = 'quote'`` with ``parent_id`` the quoted post;
- a feed item with ``reason`` ``app.bsky.feed.defs#reasonRepost`` is a repost by
  ``reason.by`` at ``reason.indexedAt``: ``kind = 'repost'``, ``parent_id`` the post, the
  post's text; its id is ``bluesky:<reposter did>/repost/<post rkey>`` (the repost record's
  own URI when the server gives it). The reposted post is stored too, by its own author;
- ``lang`` is the first of ``record.langs``; counts -> ``post_metrics`` (replies, reposts,
  likes) with ``observed_at`` = collection time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Literal

import pandas as pd
from pydantic import Field, model_validator

from ripplemeter.listen.collectors import (
    Collector,
    Page,
    SourceSettings,
    frames,
    posts_since,
    register,
    utc,
)
from ripplemeter.listen.http import CollectError, HttpClient

REPOST = "app.bsky.feed.defs#reasonRepost"
QUOTE_EMBEDS = {"app.bsky.embed.record", "app.bsky.embed.recordWithMedia"}


class BlueskySettings(SourceSettings):
    """A Bluesky source: searches and author feeds on one AppView or PDS.

    Attributes
    ----------
    service : str
        Base URL (``https://public.api.bsky.app`` for unauthenticated reads; with a token,
        ``https://bsky.social``).
    queries : list of str
        searchPosts queries.
    actors : list of str
        Handles or DIDs whose feeds to read.
    limit : int or None
        Items per page (1-100); None sends no ``limit`` (the server's default: 25 for
        searchPosts, 50 for getAuthorFeed).
    """

    kind: Literal["bluesky"] = "bluesky"
    service: str = Field(default="https://public.api.bsky.app", pattern=r"^https?://")
    queries: list[str] = []
    actors: list[str] = []
    limit: int | None = Field(default=None, ge=1, le=100)

    @model_validator(mode="after")
    def _something(self) -> BlueskySettings:
        if not (self.queries or self.actors):
            raise ValueError("name at least one query or actor")
        return self


class _Malformed(ValueError):
    pass


def _split_uri(uri: object) -> tuple[str, str, str]:
    if not isinstance(uri, str) or not uri.startswith("at://"):
        raise _Malformed("post without an at:// uri")
    parts = uri[5:].split("/")
    if len(parts) != 3 or not parts[0] or not parts[2]:
        raise _Malformed("post with a malformed at:// uri")
    return parts[0], parts[1], parts[2]


def post_key(uri: object) -> str:
    """``at://did/app.bsky.feed.post/rkey`` -> ``bluesky:did/rkey``."""
    did, _, rkey = _split_uri(uri)
    return f"bluesky:{did}/{rkey}"


def _account(profile: object, role: str, row: int) -> dict:
    if not isinstance(profile, dict) or not isinstance(profile.get("did"), str):
        raise _Malformed("post without an author did")
    return {
        "account_id": f"bluesky:{profile['did']}",
        "platform": "bluesky",
        "handle": profile.get("handle"),
        "name": profile.get("displayName") or profile.get("handle"),
        "followers": profile.get("followersCount")
        if isinstance(profile.get("followersCount"), int)
        else None,
        "role": role,
        "source_row": row,
    }


def _count(p: dict, name: str) -> int | None:
    v = p.get(name)
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def post_rows(p: object, role: str, observed_at: pd.Timestamp, row: int) -> dict[str, list[dict]]:
    """Rows of one PostView (``app.bsky.feed.defs#postView``)."""
    if not isinstance(p, dict):
        raise _Malformed("post is not a JSON object")
    post_id = post_key(p.get("uri"))
    rec = p.get("record")
    if not isinstance(rec, dict):
        raise _Malformed("post without a record")
    created = utc(rec.get("createdAt")) or utc(p.get("indexedAt"))
    if created is None:
        raise _Malformed("post with a missing or unreadable createdAt")
    acc = _account(p.get("author"), role, row)
    kind, parent, root = "original", None, None
    reply = rec.get("reply")
    embed = rec.get("embed") if isinstance(rec.get("embed"), dict) else {}
    if isinstance(reply, dict):
        kind = "reply"
        try:
            parent = post_key((reply.get("parent") or {}).get("uri"))
            root = post_key((reply.get("root") or {}).get("uri"))
        except _Malformed:
            raise _Malformed("reply with a malformed parent or root") from None
    elif embed.get("$type") in QUOTE_EMBEDS:
        inner = embed.get("record") or {}
        if embed.get("$type") == "app.bsky.embed.recordWithMedia":
            inner = inner.get("record") or {}
        try:
            parent = post_key(inner.get("uri"))
            kind = "quote"
        except _Malformed:
            parent = None  # a quoted list or feed generator, not a post
    langs = rec.get("langs")
    did, _, rkey = _split_uri(p["uri"])
    handle = acc["handle"] or did
    return {
        "posts": [
            {
                "post_id": post_id,
                "platform": "bluesky",
                "channel": "microblog",
                "account_id": acc["account_id"],
                "created_at": created,
                "text": rec.get("text") if isinstance(rec.get("text"), str) else "",
                "lang": langs[0] if isinstance(langs, list) and langs else None,
                "url": f"https://bsky.app/profile/{handle}/post/{rkey}",
                "kind": kind,
                "parent_id": parent,
                "root_id": root,
                "source_row": row,
            }
        ],
        "accounts": [acc],
        "post_metrics": [
            {
                "post_id": post_id,
                "observed_at": observed_at,
                "observed_at_source": "collection_time",
                "replies": _count(p, "replyCount"),
                "reposts": _count(p, "repostCount"),
                "likes": _count(p, "likeCount"),
                "source_row": row,
            }
        ],
    }


def feed_item_rows(
    item: object, role: str, observed_at: pd.Timestamp, row: int
) -> dict[str, list[dict]]:
    """Rows of one author-feed item: the post, plus the repost when ``reason`` says so."""
    if not isinstance(item, dict):
        raise _Malformed("feed item is not a JSON object")
    rows = post_rows(item.get("post"), role, observed_at, row)
    reason = item.get("reason")
    if isinstance(reason, dict) and reason.get("$type") == REPOST:
        by = _account(reason.get("by"), role, row)
        when = utc(reason.get("indexedAt"))
        if when is None:
            raise _Malformed("repost with a missing or unreadable indexedAt")
        original = rows["posts"][0]
        _, _, rkey = _split_uri(item["post"]["uri"])
        try:
            rid = post_key(reason["uri"]) if reason.get("uri") else None
        except _Malformed:
            rid = None
        rid = rid or f"{by['account_id']}/repost/{rkey}"
        rows["posts"].insert(
            0,
            {
                **original,
                "post_id": rid,
                "account_id": by["account_id"],
                "created_at": when,
                "kind": "repost",
                "parent_id": original["post_id"],
                "root_id": original["root_id"] or original["post_id"],
                "url": original["url"],
            },
        )
        rows["accounts"].insert(0, by)
    return rows


@register
class BlueskyCollector(Collector):
    """Collects a Bluesky source; see the module docstring."""

    kind = "bluesky"
    Settings = BlueskySettings

    def streams(self, settings: BlueskySettings) -> list[str]:
        return [f"search:{q}" for q in settings.queries] + [
            f"author:{a.lstrip('@')}" for a in settings.actors
        ]

    def pages(
        self,
        client: HttpClient,
        settings: BlueskySettings,
        stream: str,
        checkpoint: dict | None,
        since: datetime | None,
    ) -> Iterator[Page]:
        what, _, arg = stream.partition(":")
        base = settings.service.rstrip("/") + "/xrpc/"
        ck = checkpoint or {}
        if not ck or ck.get("done"):
            floor, cursor, newest = ck.get("newest"), None, None
        else:
            floor, cursor, newest = ck.get("floor"), ck.get("cursor"), ck.get("newest")
        floor_ts = utc(floor)
        lower = max([t for t in (floor_ts, since) if t is not None], default=None)
        while True:
            if what == "search":
                url, key = base + "app.bsky.feed.searchPosts", "posts"
                params = {"q": arg, "limit": settings.limit, "cursor": cursor}
                if floor:
                    params["since"] = floor
            else:
                url, key = base + "app.bsky.feed.getAuthorFeed", "feed"
                params = {"actor": arg, "limit": settings.limit, "cursor": cursor}
            data, _ = client.get_json(url, params=params)
            items = data.get(key) if isinstance(data, dict) else None
            if not isinstance(items, list):
                raise CollectError(settings.id, f"{stream}: the answer has no '{key}' list")
            page, times = self._page(items, key, settings)
            if times:
                top = max(times)
                if newest is None or top > utc(newest):
                    newest = top.isoformat() + "Z"
            nxt = data.get("cursor") if isinstance(data.get("cursor"), str) else None
            reached = lower is not None and times and max(times) < lower
            done = not items or not nxt or bool(reached)
            if lower is not None:
                page.tables = posts_since(page.tables, lower)
            page.cursor = {
                "floor": floor,
                "cursor": None if done else nxt,
                "newest": newest or floor,
                "done": done,
            }
            yield page
            if done:
                return
            cursor = nxt

    def _page(
        self, items: list, key: str, settings: BlueskySettings
    ) -> tuple[Page, list[pd.Timestamp]]:
        now = self.now()
        rows: dict[str, list[dict]] = {"posts": [], "accounts": [], "post_metrics": []}
        skipped: Counter = Counter()
        times: list[pd.Timestamp] = []
        for i, item in enumerate(items, start=1):
            try:
                if key == "posts":
                    r = post_rows(item, settings.role, now, i)
                else:
                    r = feed_item_rows(item, settings.role, now, i)
            except _Malformed as exc:
                skipped[str(exc)] += 1
                continue
            except (TypeError, ValueError, AttributeError, KeyError) as exc:
                skipped[f"post of an unexpected shape ({type(exc).__name__})"] += 1
                continue
            for k, v in r.items():
                rows[k].extend(v)
            times.append(r["posts"][0]["created_at"])
        return Page(frames(rows), {}, skipped), times
