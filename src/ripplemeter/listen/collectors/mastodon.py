"""Mastodon: hashtag, public and account timelines and status search.

API: https://docs.joinmastodon.org/methods/timelines/ (``GET /api/v1/timelines/tag/:hashtag``,
``/api/v1/timelines/public``), https://docs.joinmastodon.org/methods/accounts/#statuses
(``GET /api/v1/accounts/:id/statuses``, ``/api/v1/accounts/lookup``) and
https://docs.joinmastodon.org/methods/search/ (``GET /api/v2/search?type=statuses``, offset
paging). Timelines page backwards with the ``Link`` header (``rel="next"`` carries
``max_id``; https://docs.joinmastodon.org/api/guidelines/#pagination); when a server sends no
``Link`` header the last status id of the page is used as ``max_id``.

Resuming: a stream's checkpoint holds the sweep's lower bound (``since_id``: the newest id of
the previous complete sweep), where the sweep continues (``max_id``) and the newest id seen
(``top``). A killed sweep continues at ``max_id``; a complete sweep is followed by a new one
from the newest status down to ``top`` of the previous one.

Mapping (one status -> rows):

- ``post_id`` ``mastodon:<instance host>/<status id>``: status ids are local to the server that
  answers, so the host makes them unique across instances (the same remote status read through
  two instances gets two ids; its ``url`` is the same);
- author -> ``accounts``: ``mastodon:<user>@<domain>`` (local accounts get the instance's
  domain), handle ``user@domain``, followers, role from the settings;
- a reblog is ``kind = 'repost'`` with ``parent_id`` the original (which is stored too, as
  ``original``, by its own author); a reply is ``kind = 'reply'`` with ``parent_id``
  ``in_reply_to_id``;
- ``text`` is plain text: the HTML ``content`` with tags removed and line breaks kept (the
  content warning, ``spoiler_text``, first); the HTML is not kept: the permalink ``url`` leads
  to it. A reblog's text is its original's (Mastodon repeats it);
- ``lang`` is ``language`` (NULL on 1.x servers, which do not send it); ids that old servers
  wrote as JSON integers are read as text;
- counts -> ``post_metrics`` (replies, reposts, likes) with ``observed_at`` = collection time;
  ``replies_count`` is NULL where the server does not send it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal
from urllib.parse import parse_qsl, quote, urlsplit

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

_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?([a-z]+)"?')


class MastodonSettings(SourceSettings):
    """A Mastodon source: one instance, any number of hashtags, accounts and searches.

    Attributes
    ----------
    instance : str
        Base URL of the server to ask (``https://mastodon.social``).
    hashtags : list of str
        Hashtag timelines (without ``#``).
    accounts : list of str
        Account timelines: numeric ids, or ``user@domain`` looked up on the instance.
    searches : list of str
        Status searches (``/api/v2/search``; most servers require a token to search statuses).
    public : bool
        Also the federated public timeline (``local = true``: this server's only).
    limit : int
        Statuses per page (the API allows at most 40).
    """

    kind: Literal["mastodon"] = "mastodon"
    instance: str = Field(pattern=r"^https?://")
    hashtags: list[str] = []
    accounts: list[str] = []
    searches: list[str] = []
    public: bool = False
    local: bool = False
    limit: int = Field(default=40, ge=1, le=40)

    @model_validator(mode="after")
    def _something(self) -> MastodonSettings:
        if not (self.hashtags or self.accounts or self.searches or self.public):
            raise ValueError("name at least one of hashtags, accounts, searches or public = true")
        return self


def parse_link(header: str | None) -> dict[str, str]:
    """``Link`` header -> {rel: url} (RFC 8288)."""
    out: dict[str, str] = {}
    for url, rel in _LINK.findall(header or ""):
        out[rel] = url
    return out


def _id(value: object) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


class _Malformed(ValueError):
    pass


def _order(status_id: str) -> tuple[int, str]:
    """Sort key of status ids: numeric ids by value, other servers' fixed-length ids as text."""
    return (len(status_id), status_id)


def status_rows(
    s: object, host: str, role: str, observed_at: pd.Timestamp, source_row: int
) -> dict[str, list[dict]]:
    """Canonical rows of one status (and of its reblogged original).

    Raises
    ------
    _Malformed
        With the reason, when the status lacks what a post needs.
    """
    if not isinstance(s, dict):
        raise _Malformed("status is not a JSON object")
    sid = _id(s.get("id"))
    if sid is None:
        raise _Malformed("status without an id")
    acc = s.get("account")
    if not isinstance(acc, dict) or not isinstance(acc.get("acct"), str) or not acc["acct"]:
        raise _Malformed("status without an author account")
    created = utc(s.get("created_at"))
    if created is None:
        raise _Malformed("status with a missing or unreadable created_at")
    acct = acc["acct"] if "@" in acc["acct"] else f"{acc['acct']}@{host}"
    rows: dict[str, list[dict]] = {"posts": [], "accounts": [], "post_metrics": []}
    rows["accounts"].append(
        {
            "account_id": f"mastodon:{acct}",
            "platform": "mastodon",
            "handle": acct,
            "name": acc.get("display_name") or acc.get("username"),
            "followers": acc.get("followers_count")
            if isinstance(acc.get("followers_count"), int)
            else None,
            "role": role,
            "source_row": source_row,
        }
    )
    post_id = f"mastodon:{host}/{sid}"
    reblog = s.get("reblog")
    parent = None
    text_src = s
    if reblog:
        try:
            inner = status_rows(reblog, host, role, observed_at, source_row)
        except _Malformed as exc:
            raise _Malformed(f"reblog whose original is malformed ({exc})") from None
        for k, v in inner.items():
            rows[k].extend(v)
        parent = inner["posts"][0]["post_id"]
        kind = "repost"
        text_src = reblog
    elif _id(s.get("in_reply_to_id")):
        kind = "reply"
        parent = f"mastodon:{host}/{_id(s.get('in_reply_to_id'))}"
    else:
        kind = "original"
    text = html_to_text(text_src.get("content")) or ""
    spoiler = (text_src.get("spoiler_text") or "").strip()
    if spoiler:
        text = f"{spoiler}\n\n{text}" if text else spoiler
    lang = s.get("language") or (text_src.get("language") if reblog else None)
    rows["posts"].insert(
        0,
        {
            "post_id": post_id,
            "platform": "mastodon",
            "channel": "microblog",
            "account_id": f"mastodon:{acct}",
            "created_at": created,
            "text": text,
            "lang": lang,
            "url": s.get("url") or s.get("uri"),
            "kind": kind,
            "parent_id": parent,
            "root_id": parent if kind == "repost" else None,
            "source_row": source_row,
        },
    )

    def count(name: str) -> int | None:
        v = s.get(name)
        return v if isinstance(v, int) and not isinstance(v, bool) else None

    rows["post_metrics"].insert(
        0,
        {
            "post_id": post_id,
            "observed_at": observed_at,
            "observed_at_source": "collection_time",
            "replies": count("replies_count"),
            "reposts": count("reblogs_count"),
            "likes": count("favourites_count"),
            "source_row": source_row,
        },
    )
    return rows


@register
class MastodonCollector(Collector):
    """Collects a Mastodon source; see the module docstring."""

    kind = "mastodon"
    Settings = MastodonSettings

    def streams(self, settings: MastodonSettings) -> list[str]:
        out = [f"tag:{t.lstrip('#')}" for t in settings.hashtags]
        out += [f"account:{a.lstrip('@')}" for a in settings.accounts]
        out += [f"search:{q}" for q in settings.searches]
        if settings.public:
            out.append("public:local" if settings.local else "public")
        return out

    def _url(self, client: HttpClient, settings: MastodonSettings, stream: str) -> str:
        base = settings.instance.rstrip("/")
        what, _, arg = stream.partition(":")
        if what == "tag":
            return f"{base}/api/v1/timelines/tag/{quote(arg, safe='')}"
        if what == "public":
            return f"{base}/api/v1/timelines/public"
        if what == "account":
            acc_id = arg
            if not arg.isdigit():
                data, _ = client.get_json(f"{base}/api/v1/accounts/lookup", params={"acct": arg})
                acc_id = _id(data.get("id")) if isinstance(data, dict) else None
                if acc_id is None:
                    raise CollectError(settings.id, f"account lookup for '{arg}' gave no id")
            return f"{base}/api/v1/accounts/{acc_id}/statuses"
        raise ValueError(stream)

    def pages(
        self,
        client: HttpClient,
        settings: MastodonSettings,
        stream: str,
        checkpoint: dict | None,
        since: datetime | None,
    ) -> Iterator[Page]:
        host = urlsplit(settings.instance).netloc
        if stream.startswith("search:"):
            yield from self._search(client, settings, stream, checkpoint, since, host)
            return
        url = self._url(client, settings, stream)
        ck = checkpoint or {}
        if not ck or ck.get("done"):
            since_id, max_id, top = ck.get("top"), None, None
        else:
            since_id, max_id, top = ck.get("since_id"), ck.get("max_id"), ck.get("top")
        extra = {"local": "true"} if stream == "public:local" else {}
        while True:
            params = {"limit": settings.limit, "max_id": max_id, "since_id": since_id, **extra}
            data, resp = client.get_json(url, params=params)
            if not isinstance(data, list):
                raise CollectError(settings.id, f"{stream}: the timeline is not a list of statuses")
            page, newest = self._page(data, host, settings)
            ids = [_id(s.get("id")) for s in data if isinstance(s, dict) and _id(s.get("id"))]
            if ids and top is None:
                top = max(ids, key=_order)
            nxt = parse_link(resp.headers.get("link")).get("next")
            next_max = dict(parse_qsl(urlsplit(nxt).query)).get("max_id") if nxt else None
            if next_max is None and ids and "link" not in resp.headers:
                next_max = min(ids, key=_order)  # a server without Link headers
            reached = since is not None and newest is not None and newest < since
            done = not data or next_max is None or reached
            if since is not None:
                page.tables = posts_since(page.tables, since)
            page.cursor = {
                "since_id": since_id,
                "max_id": None if done else next_max,
                "top": top or since_id,
                "done": done,
            }
            yield page
            if done:
                return
            max_id = next_max

    def _search(
        self,
        client: HttpClient,
        settings: MastodonSettings,
        stream: str,
        checkpoint: dict | None,
        since: datetime | None,
        host: str,
    ) -> Iterator[Page]:
        url = f"{settings.instance.rstrip('/')}/api/v2/search"
        ck = checkpoint or {}
        offset = 0 if (not ck or ck.get("done")) else int(ck.get("offset", 0))
        q = stream.partition(":")[2]
        while True:
            data, _ = client.get_json(
                url,
                params={"q": q, "type": "statuses", "limit": settings.limit, "offset": offset},
            )
            statuses = data.get("statuses") if isinstance(data, dict) else None
            if not isinstance(statuses, list):
                raise CollectError(settings.id, f"{stream}: the search answer has no statuses list")
            page, newest = self._page(statuses, host, settings)
            offset += len(statuses)
            reached = since is not None and newest is not None and newest < since
            done = not statuses or reached
            if since is not None:
                page.tables = posts_since(page.tables, since)
            page.cursor = {"offset": offset, "done": done}
            yield page
            if done:
                return

    def _page(
        self, data: list[Any], host: str, settings: MastodonSettings
    ) -> tuple[Page, pd.Timestamp | None]:
        now = self.now()
        rows: dict[str, list[dict]] = {"posts": [], "accounts": [], "post_metrics": []}
        skipped: Counter = Counter()
        newest = None
        for i, s in enumerate(data, start=1):
            try:
                r = status_rows(s, host, settings.role, now, i)
            except _Malformed as exc:
                skipped[str(exc)] += 1
                continue
            except (TypeError, ValueError, AttributeError, KeyError) as exc:
                skipped[f"status of an unexpected shape ({type(exc).__name__})"] += 1
                continue
            for k, v in r.items():
                rows[k].extend(v)
            c = r["posts"][0]["created_at"]
            newest = c if newest is None or c > newest else newest
        return Page(frames(rows), {}, skipped), newest
