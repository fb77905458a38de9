"""RSS and Atom feeds: news sites, blogs, alert feeds (feedparser over httpx).

The feed is fetched with httpx (retries, rate limits, User-Agent of
:mod:`ripplemeter.listen.http`) and its bytes are parsed by feedparser
(https://feedparser.readthedocs.io/), which finds the encoding itself (a GB2312 feed is read
as such). Fetches are conditional GETs: the ``ETag`` and ``Last-Modified`` of the last answer
are kept in the checkpoint and sent back as ``If-None-Match``/``If-Modified-Since``; a ``304
Not Modified`` stores nothing (RFC 9110 section 13.1; feedparser's "HTTP conditional GET"
documentation).

Mapping (one entry -> one post):

- ``post_id`` ``rss:<feed host>/<sha1 of the entry's guid, else its link, else title and
  date>[:20]``: stable across fetches and unique per site (two feeds of one site carrying the
  same article give the same id);
- the publisher is the account: ``rss:<feed host>``, named after the feed's title, with the
  source's ``role`` (``media`` unless configured) and ``media_type = 'online'``. Bylines are
  not stored (some feeds print reporters' e-mail addresses in them);
- ``channel`` is ``news`` or ``blog`` as the source says; ``kind`` is ``original``;
- ``text`` is the title, a blank line and the summary as plain text (tags dropped, entities
  decoded); ``url`` the entry's link; ``lang`` the source's ``lang``, else the feed's
  language code (``en-gb`` -> ``en``);
- ``created_at`` from ``published``, else ``updated`` (RSS ``pubDate`` or ``dc:date``; Atom
  ``published``/``updated``), in UTC. A date written without a zone (Tencent's
  ``2018-09-18 14:38:10``) is read in the source's ``timezone`` (UTC unless set); an entry
  without any date keeps ``created_at`` NULL.

An entry with no guid, no link and no title is skipped and counted.
"""

from __future__ import annotations

import calendar
import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import feedparser
import pandas as pd
from pydantic import Field, field_validator

from ripplemeter.listen.collectors import (
    Collector,
    Page,
    SourceSettings,
    frames,
    html_to_text,
    register,
)
from ripplemeter.listen.http import CollectError, HttpClient

_ZONE = re.compile(r"(Z|[+-]\d{2}:?\d{2}|\b(?:GMT|UT|UTC|[ECMP][SD]T|[A-Z]{3,4}))\s*$")


class RssSettings(SourceSettings):
    """An RSS or Atom feed.

    Attributes
    ----------
    url : str
        The feed's address.
    channel : {"news", "blog"}
        The channel of its posts.
    timezone : str, optional
        IANA zone for dates the feed writes without one (``Asia/Shanghai``); UTC when unset.
    lang : str, optional
        Language code of the posts, when the feed does not say or says wrongly.
    role : str
        Role of the publisher in ``accounts`` (``media`` by default).
    """

    kind: Literal["rss"] = "rss"
    url: str = Field(pattern=r"^https?://")
    channel: Literal["news", "blog"] = "news"
    timezone: str | None = None
    lang: str | None = None
    role: str = "media"

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                ZoneInfo(v)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(
                    f"unknown time zone '{v}' (use an IANA name such as Asia/Shanghai)"
                ) from None
        return v


def _entry_time(entry: dict, zone: str | None) -> pd.Timestamp | None:
    for raw_key, parsed_key in (("published", "published_parsed"), ("updated", "updated_parsed")):
        parsed = entry.get(parsed_key)
        if not parsed:
            continue
        raw = (entry.get(raw_key) or "").strip()
        ts = pd.Timestamp(calendar.timegm(parsed), unit="s")
        if zone and raw and not _ZONE.search(raw):
            # feedparser read a zone-less date as UTC; it is local time in ``zone``
            ts = ts.tz_localize(zone).tz_convert("UTC").tz_localize(None)
        return ts
    return None


@register
class RssCollector(Collector):
    """Collects an RSS or Atom feed; see the module docstring."""

    kind = "rss"
    Settings = RssSettings

    def streams(self, settings: RssSettings) -> list[str]:
        return ["feed"]

    def pages(
        self,
        client: HttpClient,
        settings: RssSettings,
        stream: str,
        checkpoint: dict | None,
        since: datetime | None,
    ) -> Iterator[Page]:
        ck = checkpoint or {}
        headers = {}
        if ck.get("etag"):
            headers["If-None-Match"] = ck["etag"]
        if ck.get("modified"):
            headers["If-Modified-Since"] = ck["modified"]
        resp = client.get(settings.url, headers=headers or None, accept=(200, 304))
        if resp.status_code == 304:
            yield Page({}, dict(ck))
            return
        parsed = feedparser.parse(
            resp.content,
            response_headers={k.lower(): v for k, v in resp.headers.items()},
        )
        if parsed.bozo and not parsed.entries and not parsed.feed.get("title"):
            raise CollectError(
                settings.id,
                f"{settings.url} is not a readable RSS or Atom feed "
                f"({type(parsed.get('bozo_exception')).__name__})",
            )
        host = urlsplit(settings.url).hostname or "feed"
        lang = settings.lang
        if lang is None and parsed.feed.get("language"):
            lang = re.split(r"[-_]", parsed.feed["language"].strip())[0].lower() or None
        account_id = f"rss:{host}"
        rows: dict[str, list[dict]] = {
            "accounts": [
                {
                    "account_id": account_id,
                    "platform": "rss",
                    "handle": host,
                    "name": (parsed.feed.get("title") or host).strip(),
                    "role": settings.role,
                    "media_type": "online",
                }
            ],
            "posts": [],
        }
        skipped: Counter = Counter()
        for i, e in enumerate(parsed.entries, start=1):
            title = html_to_text(e.get("title")) or ""
            link = e.get("link") or None
            key = e.get("id") or link
            created = _entry_time(e, settings.timezone)
            if not key:
                if not title:
                    skipped["entry without a guid, link or title"] += 1
                    continue
                key = f"{title}|{created}"
            if since is not None and created is not None and created < since:
                continue
            summary = html_to_text(e.get("summary")) or ""
            text = f"{title}\n\n{summary}".strip() if summary else title
            digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:20]
            rows["posts"].append(
                {
                    "post_id": f"rss:{host}/{digest}",
                    "platform": "rss",
                    "channel": settings.channel,
                    "account_id": account_id,
                    "created_at": created,
                    "text": text,
                    "lang": lang,
                    "url": link,
                    "kind": "original",
                    "source_row": i,
                }
            )
        cursor = {
            "etag": resp.headers.get("etag"),
            "modified": resp.headers.get("last-modified"),
            "done": True,
        }
        yield Page(frames(rows), cursor, skipped)
