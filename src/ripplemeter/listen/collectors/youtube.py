"""YouTube Data API v3: video searches (``search.list``) and comment threads
(``commentThreads.list``), paged with ``pageToken``.

API: https://developers.google.com/youtube/v3/docs/search/list and
https://developers.google.com/youtube/v3/docs/commentThreads/list. Every list answer carries
``items`` and, while more remain, ``nextPageToken``, sent back as ``pageToken``; tokens are
opaque and direction-specific (``prevPageToken`` differs). ``pageInfo.totalResults`` is an
estimate (search: capped at 1,000,000; comment threads: the page size), so the end is the
absence of ``nextPageToken``, never a count.

Streams:

- ``search:<q>``: ``search.list?part=snippet&type=video&order=date&q=...``: videos by
  publication time, newest first;
- ``video:<id>``: ``commentThreads.list?part=snippet,replies&videoId=...&order=time``;
- ``channel:<id>``: ``commentThreads.list?allThreadsRelatedToChannelId=...``: threads on the
  channel's videos and its channel discussions, which have **no** ``videoId``.

Credentials: an API key, sent as the ``key`` query parameter (hidden in every message), or,
with ``auth = "bearer"``, an OAuth access token in the ``Authorization`` header.

Resuming: a stream's checkpoint holds the next ``pageToken``, the newest ``publishedAt`` of
the sweep (``top``) and where the sweep stops (``stop``: the previous sweep's ``top``); a
killed sweep continues at its token.

Mapping:

- a video -> ``posts`` ``youtube:<videoId>``, ``original``, channel ``video``; ``text`` = title,
  a blank line, description, with HTML entities decoded (search snippets write ``&amp;``,
  ``&#39;``); the uploader -> ``accounts`` ``youtube:<channelId>`` (name ``channelTitle``);
- a thread's top-level comment -> ``youtube:<commentId>``, ``comment``, ``parent_id`` and
  ``root_id`` the video; a channel discussion (no ``videoId``) has no parent and
  ``category`` ``channel discussion``; replies in the ``replies`` part -> ``reply`` to the
  top-level comment (the API returns at most five replies per thread there);
- ``textOriginal`` (the plain text as written) is preferred over ``textDisplay`` (HTML), which
  is used, as plain text, only when ``textOriginal`` is absent (it is returned to the
  comment's author or with the right scope only);
- authors -> ``accounts`` ``youtube:<authorChannelId>`` with ``authorDisplayName``;
- ``likeCount`` -> ``likes``, ``totalReplyCount`` -> ``replies``, at the collection time.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal

import pandas as pd
from pydantic import Field, model_validator

from ripplemeter.listen.collectors import (
    Collector,
    Page,
    SourceSettings,
    frames,
    html_to_text,
    posts_since,
    register,
    utc,
)
from ripplemeter.listen.http import CollectError, HttpClient

PLATFORM = "youtube"
WATCH = "https://www.youtube.com/watch?v="


class YouTubeSettings(SourceSettings):
    """A YouTube source: searches, videos' comments and channels' comment threads.

    Attributes
    ----------
    base_url : str
        API root (``https://www.googleapis.com/youtube/v3``).
    auth : {"key", "bearer"}
        How ``credentials`` is sent: an API key as ``key=`` (default) or an OAuth token.
    searches : list of str
        ``search.list`` queries (videos, newest first).
    videos : list of str
        Video ids whose comment threads are collected.
    channels : list of str
        Channel ids whose related comment threads (videos and channel discussion) are
        collected.
    replies : bool
        Ask for the ``replies`` part of comment threads.
    max_results : int
        Items per page (search allows 50, comment threads 100).
    """

    kind: Literal["youtube"] = "youtube"
    base_url: str = Field(default="https://www.googleapis.com/youtube/v3", pattern=r"^https?://")
    auth: Literal["key", "bearer"] = "key"
    searches: list[str] = []
    videos: list[str] = []
    channels: list[str] = []
    replies: bool = True
    max_results: int = Field(default=50, ge=1, le=100)

    @model_validator(mode="after")
    def _something(self) -> YouTubeSettings:
        if not (self.searches or self.videos or self.channels):
            raise ValueError("name at least one of searches, videos or channels")
        return self


class _Malformed(ValueError):
    pass


def _account(rows: dict, channel_id: object, name: object, role: str, row: int) -> str | None:
    if not isinstance(channel_id, str) or not channel_id:
        return None
    aid = f"{PLATFORM}:{channel_id}"
    rows["accounts"].append(
        {
            "account_id": aid,
            "platform": PLATFORM,
            "handle": None,
            "name": name if isinstance(name, str) else None,
            "role": role,
            "source_row": row,
        }
    )
    return aid


def _count(d: dict, name: str) -> int | None:
    v = d.get(name)
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def video_rows(item: object, role: str, observed_at: pd.Timestamp, row: int) -> dict:
    """Canonical rows of one ``search.list`` result (a video).

    Raises
    ------
    _Malformed
        Not a video result, or without id, snippet or publishedAt.
    """
    if not isinstance(item, dict) or not isinstance(item.get("id"), dict):
        raise _Malformed("search result without an id")
    if item["id"].get("kind") != "youtube#video" or not item["id"].get("videoId"):
        raise _Malformed("search result is not a video")
    sn = item.get("snippet")
    if not isinstance(sn, dict):
        raise _Malformed("search result without a snippet")
    created = utc(sn.get("publishedAt"))
    if created is None:
        raise _Malformed("search result with a missing or unreadable publishedAt")
    vid = item["id"]["videoId"]
    rows: dict[str, list[dict]] = {"posts": [], "accounts": [], "post_metrics": []}
    aid = _account(rows, sn.get("channelId"), sn.get("channelTitle"), role, row)
    title = html.unescape(sn.get("title") or "")
    desc = html.unescape(sn.get("description") or "")
    rows["posts"].append(
        {
            "post_id": f"{PLATFORM}:{vid}",
            "platform": PLATFORM,
            "channel": "video",
            "account_id": aid,
            "created_at": created,
            "text": f"{title}\n\n{desc}" if desc else title,
            "lang": None,
            "url": WATCH + vid,
            "kind": "original",
            "parent_id": None,
            "root_id": None,
            "source_row": row,
        }
    )
    return rows


def _comment(
    rows: dict,
    c: object,
    *,
    kind: str,
    parent: str | None,
    root: str | None,
    video: str | None,
    role: str,
    observed_at: pd.Timestamp,
    row: int,
    replies: int | None = None,
    stats: Counter,
) -> pd.Timestamp:
    if not isinstance(c, dict) or not isinstance(c.get("snippet"), dict) or not c.get("id"):
        raise _Malformed("comment without an id or snippet")
    sn = c["snippet"]
    created = utc(sn.get("publishedAt"))
    if created is None:
        raise _Malformed("comment with a missing or unreadable publishedAt")
    text = sn.get("textOriginal")
    if not isinstance(text, str):
        shown = sn.get("textDisplay")
        if not isinstance(shown, str):
            raise _Malformed("comment without textOriginal or textDisplay")
        text = html_to_text(shown) or ""
        stats["textDisplay"] += 1
    author = sn.get("authorChannelId")
    author = author.get("value") if isinstance(author, dict) else None
    aid = _account(rows, author, sn.get("authorDisplayName"), role, row)
    cid = f"{PLATFORM}:{c['id']}"
    if video:
        url = f"{WATCH}{video}&lc={c['id']}"
    else:
        url = None
    rows["posts"].append(
        {
            "post_id": cid,
            "platform": PLATFORM,
            "channel": "video",
            "account_id": aid,
            "created_at": created,
            "text": text,
            "lang": None,
            "url": url,
            "kind": kind,
            "parent_id": parent,
            "root_id": root,
            "category": "video comment" if video else "channel discussion",
            "source_row": row,
        }
    )
    rows["post_metrics"].append(
        {
            "post_id": cid,
            "observed_at": observed_at,
            "observed_at_source": "collection_time",
            "likes": _count(sn, "likeCount"),
            "replies": replies,
            "source_row": row,
        }
    )
    return created


def thread_rows(
    item: object, role: str, observed_at: pd.Timestamp, row: int, stats: Counter
) -> tuple[dict, pd.Timestamp]:
    """Canonical rows of one ``commentThreads.list`` item (top-level comment and replies).

    Raises
    ------
    _Malformed
        No snippet or top-level comment, or a top-level comment that is malformed.
    """
    if not isinstance(item, dict) or not isinstance(item.get("snippet"), dict):
        raise _Malformed("comment thread without a snippet")
    sn = item["snippet"]
    top = sn.get("topLevelComment")
    if not isinstance(top, dict):
        raise _Malformed("comment thread without a topLevelComment")
    video = sn.get("videoId") or (top.get("snippet") or {}).get("videoId")
    video = video if isinstance(video, str) and video else None
    vid = f"{PLATFORM}:{video}" if video else None
    rows: dict[str, list[dict]] = {"posts": [], "accounts": [], "post_metrics": []}
    created = _comment(
        rows,
        top,
        kind="comment",
        parent=vid,
        root=vid,
        video=video,
        role=role,
        observed_at=observed_at,
        row=row,
        replies=_count(sn, "totalReplyCount"),
        stats=stats,
    )
    top_id = f"{PLATFORM}:{top['id']}"
    for r in (item.get("replies") or {}).get("comments") or []:
        try:
            _comment(
                rows,
                r,
                kind="reply",
                parent=top_id,
                root=vid or top_id,
                video=video,
                role=role,
                observed_at=observed_at,
                row=row,
                stats=stats,
            )
        except _Malformed:
            stats["malformed reply"] += 1
    return rows, created


@register
class YouTubeCollector(Collector):
    """Collects a YouTube source; see the module docstring."""

    kind = "youtube"
    Settings = YouTubeSettings

    def client_options(self, settings: YouTubeSettings, token: str | None) -> dict[str, Any]:
        if settings.auth == "bearer":
            self._key = None
            return {"token": token}
        self._key = token
        return {"token": None, "secrets": [token] if token else []}

    def streams(self, settings: YouTubeSettings) -> list[str]:
        out = [f"search:{q}" for q in settings.searches]
        out += [f"video:{v}" for v in settings.videos]
        out += [f"channel:{c}" for c in settings.channels]
        return out

    def pages(
        self,
        client: HttpClient,
        settings: YouTubeSettings,
        stream: str,
        checkpoint: dict | None,
        since: datetime | None,
    ) -> Iterator[Page]:
        what, _, arg = stream.partition(":")
        base = settings.base_url.rstrip("/")
        if what == "search":
            url = f"{base}/search"
            params: dict[str, Any] = {
                "part": "snippet",
                "type": "video",
                "order": "date",
                "q": arg,
                "maxResults": min(settings.max_results, 50),
            }
            if since is not None:  # RFC 3339, as search.list's publishedAfter wants
                params["publishedAfter"] = pd.Timestamp(since).strftime("%Y-%m-%dT%H:%M:%SZ")
        else:
            url = f"{base}/commentThreads"
            params = {
                "part": "snippet,replies" if settings.replies else "snippet",
                "order": "time",
                "maxResults": settings.max_results,
                "videoId" if what == "video" else "allThreadsRelatedToChannelId": arg,
            }
        if getattr(self, "_key", None):
            params["key"] = self._key
        ck = checkpoint or {}
        if not ck or ck.get("done"):
            stop, token, top = ck.get("top"), None, None
        else:
            stop, token, top = ck.get("stop"), ck.get("page_token"), ck.get("top")
        stop_ts = utc(stop)
        while True:
            data, _ = client.get_json(url, params={**params, "pageToken": token})
            items = data.get("items") if isinstance(data, dict) else None
            if not isinstance(items, list):
                raise CollectError(settings.id, f"{stream}: the answer has no 'items' list")
            page, newest, oldest = self._page(items, settings, what == "search")
            if newest is not None and (top is None or newest > utc(top)):
                top = newest.isoformat()
            nxt = data.get("nextPageToken")
            seen_old = stop_ts is not None and oldest is not None and oldest <= stop_ts
            reached = since is not None and oldest is not None and oldest < since
            done = not items or not nxt or seen_old or reached
            if since is not None:
                page.tables = posts_since(page.tables, since)
            page.cursor = {
                "stop": stop,
                "page_token": None if done else nxt,
                "top": top or stop,
                "done": done,
            }
            yield page
            if done:
                return
            token = nxt

    def _page(
        self, items: list, settings: YouTubeSettings, search: bool
    ) -> tuple[Page, pd.Timestamp | None, pd.Timestamp | None]:
        now = self.now()
        rows: dict[str, list[dict]] = {"posts": [], "accounts": [], "post_metrics": []}
        skipped: Counter = Counter()
        stats: Counter = Counter()
        newest = oldest = None
        for i, item in enumerate(items, start=1):
            try:
                if search:
                    r = video_rows(item, settings.role, now, i)
                    created = r["posts"][0]["created_at"]
                else:
                    r, created = thread_rows(item, settings.role, now, i, stats)
            except _Malformed as exc:
                skipped[str(exc)] += 1
                continue
            for k, v in r.items():
                rows[k].extend(v)
            newest = created if newest is None or created > newest else newest
            oldest = created if oldest is None or created < oldest else oldest
        if stats["malformed reply"]:
            skipped["malformed reply"] += stats["malformed reply"]
        return Page(frames(rows), {}, skipped), newest, oldest
