"""Reddit: subreddit ``new`` listings, searches, and comment forests with their "more" stubs.

API (https://www.reddit.com/dev/api/): ``GET /r/{subreddit}/new``, ``GET /r/{subreddit}/comments``
(the newest comments on any of its posts) and ``GET /r/{subreddit}/search`` return a *Listing* (``{"kind": "Listing", "data": {"children":
[...], "after": "t3_..."}}``) paged with ``after`` (the fullname of the last item; ``null`` on
the last page; at most 100 items a page). ``GET /comments/{id}`` returns two Listings: the
post, then its comment forest. A forest holds ``t1`` comments whose ``replies`` is a Listing
or ``""`` (an empty *string*, not null), and ``more`` objects:

- "load more comments" (``count`` > 0, ``children`` = the missing comment ids): fetched with
  ``GET /api/morechildren?api_type=json&link_id=t3_...&children=a,b,...`` (at most 100 ids a
  call), which answers ``{"json": {"data": {"things": [...]}}}``, a flat list whose items
  carry their ``parent_id`` (PRAW's ``MoreComments.comments`` sends the same fields);
- "continue this thread" (``id`` ``_``, ``count`` 0, no children, at depth 10): fetched as
  PRAW's ``MoreComments._continue_comments`` does, ``GET /comments/{post}/_/{parent}``, whose
  second Listing holds the parent comment with its replies.

Requests carry ``raw_json=1`` (no HTML entities in ``selftext``/``body``). The token is an
OAuth bearer token for ``https://oauth.reddit.com`` (Reddit's API rules require OAuth and a
descriptive User-Agent; :data:`ripplemeter.listen.http.USER_AGENT` is sent). Reddit's
``x-ratelimit-remaining``/``x-ratelimit-reset`` (seconds) are honoured by the HTTP client.

Resuming: a listing stream's checkpoint holds where the sweep continues (``after``), the
newest item of the sweep (``top``) and where it stops (``stop``: the previous complete
sweep's ``top``; Reddit ids are base-36 numbers that grow with time). A thread stream's
checkpoint holds the "more" stubs still to fetch; a finished thread is read again on the next
run (new comments are added; unchanged scores add no snapshot).

Mapping:

- ids are fullnames: ``reddit:t3_48f6io`` (post), ``reddit:t1_cu5pebp`` (comment);
- a post is ``original``, with ``text`` = title, a blank line and the self text (title only
  for link posts), ``category`` = ``r/<subreddit>``, ``url`` = the permalink;
- a comment on the post is ``comment``, a comment on a comment ``reply``; ``parent_id`` is
  its ``parent_id``, ``root_id`` the post (``link_id``);
- ``created_utc`` (epoch seconds, UTC) -> ``created_at``; ``created`` (local) is ignored;
- authors -> ``accounts`` ``reddit:<username>``; ``[deleted]`` authors get no account;
  bodies ``[deleted]``/``[removed]`` are stored as exported;
- ``score`` (upvotes minus downvotes, as Reddit shows it) -> ``post_metrics.likes``,
  ``num_comments`` -> ``replies``, observed at the collection time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

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

PLATFORM = "reddit"
SITE = "https://www.reddit.com"
DELETED = "[deleted]"
MORE_BATCH = 100
"""Reddit's limit of ids per ``/api/morechildren`` call."""


class RedditSettings(SourceSettings):
    """A Reddit source: subreddits' new posts, searches and comment threads.

    Attributes
    ----------
    base_url : str
        API root (``https://oauth.reddit.com`` with an OAuth token).
    subreddits : list of str
        ``/r/<name>/new`` listings (without ``r/``).
    subreddit_comments : list of str
        ``/r/<name>/comments`` listings: the subreddit's newest comments on any post.
    searches : list of str
        Searches, sorted by new, in ``search_subreddit``.
    search_subreddit : str
        Where searches run (``all``: the whole site; else ``restrict_sr`` to that one).
    threads : list of str
        Post ids (``3hahrw`` or ``t3_3hahrw``) whose comment forests are collected, "more"
        stubs included.
    more_comments : bool
        Follow "load more comments" and "continue this thread" stubs.
    limit : int
        Items per listing page (Reddit allows at most 100).
    """

    kind: Literal["reddit"] = "reddit"
    base_url: str = Field(default="https://oauth.reddit.com", pattern=r"^https?://")
    subreddits: list[str] = []
    subreddit_comments: list[str] = []
    searches: list[str] = []
    search_subreddit: str = "all"
    threads: list[str] = []
    more_comments: bool = True
    limit: int = Field(default=100, ge=1, le=100)

    @model_validator(mode="after")
    def _something(self) -> RedditSettings:
        if not (self.subreddits or self.subreddit_comments or self.searches or self.threads):
            raise ValueError(
                "name at least one of subreddits, subreddit_comments, searches or threads"
            )
        return self


class _Malformed(ValueError):
    pass


def _b36(fullname_or_id: str) -> int:
    return int(fullname_or_id.rpartition("_")[2], 36)


def thing_rows(
    thing: object,
    role: str,
    observed_at: pd.Timestamp,
    source_row: int,
    permalink: str | None = None,
) -> dict[str, list[dict]]:
    """Canonical rows of one Listing child (``t3`` post or ``t1`` comment).

    Parameters
    ----------
    thing : dict
        ``{"kind": "t3"|"t1", "data": {...}}``.
    role : str
        Role of the authors.
    observed_at : Timestamp
        Collection time (naive UTC) of the metrics.
    source_row : int
        1-based position in the answer.
    permalink : str, optional
        The post's permalink, to build a 2016 comment's (comments then had none).

    Raises
    ------
    _Malformed
        With the reason, when the record lacks what a post needs.
    """
    if not isinstance(thing, dict) or thing.get("kind") not in ("t1", "t3"):
        raise _Malformed("record is not a post (t3) or comment (t1)")
    d = thing.get("data")
    if not isinstance(d, dict):
        raise _Malformed("record without data")
    tid = d.get("id")
    if not isinstance(tid, str) or not tid.isalnum():
        raise _Malformed("record without an id")
    kind = thing["kind"]
    created = d.get("created_utc")
    if isinstance(created, bool) or not isinstance(created, int | float):
        raise _Malformed("record with a missing or unreadable created_utc")
    created_at = utc(pd.Timestamp(created, unit="s"))
    author = d.get("author")
    if not isinstance(author, str) or not author:
        raise _Malformed("record without an author")
    account = None if author == DELETED else f"{PLATFORM}:{author}"
    post_id = f"{PLATFORM}:{kind}_{tid}"
    if kind == "t3":
        title = d.get("title")
        if not isinstance(title, str):
            raise _Malformed("post without a title")
        body = d.get("selftext") or ""
        text = f"{title}\n\n{body}" if body else title
        post_kind, parent, root = "original", None, None
        link = d.get("permalink")
        url = SITE + link if isinstance(link, str) and link.startswith("/") else d.get("url")
    else:
        text = d.get("body")
        parent = d.get("parent_id")
        link_id = d.get("link_id")
        if not isinstance(text, str):
            raise _Malformed("comment without a body")
        if not isinstance(parent, str) or not isinstance(link_id, str):
            raise _Malformed("comment without parent_id or link_id")
        post_kind = "comment" if parent.startswith("t3_") else "reply"
        parent, root = f"{PLATFORM}:{parent}", f"{PLATFORM}:{link_id}"
        link = d.get("permalink")
        if isinstance(link, str) and link.startswith("/"):
            url = SITE + link
        elif permalink:
            url = f"{SITE}{permalink.rstrip('/')}/{tid}/"
        else:
            url = None
    sub = d.get("subreddit")
    rows: dict[str, list[dict]] = {"posts": [], "accounts": [], "post_metrics": []}
    rows["posts"].append(
        {
            "post_id": post_id,
            "platform": PLATFORM,
            "channel": "forum",
            "account_id": account,
            "created_at": created_at,
            "text": text,
            "lang": None,
            "url": url,
            "kind": post_kind,
            "parent_id": parent,
            "root_id": root,
            "category": f"r/{sub}" if isinstance(sub, str) and sub else None,
            "source_row": source_row,
        }
    )
    if account is not None:
        rows["accounts"].append(
            {
                "account_id": account,
                "platform": PLATFORM,
                "handle": author,
                "name": None,
                "role": role,
                "source_row": source_row,
            }
        )

    def count(name: str) -> int | None:
        v = d.get(name)
        return v if isinstance(v, int) and not isinstance(v, bool) else None

    rows["post_metrics"].append(
        {
            "post_id": post_id,
            "observed_at": observed_at,
            "observed_at_source": "collection_time",
            "likes": count("score"),
            "replies": count("num_comments") if kind == "t3" else None,
            "source_row": source_row,
        }
    )
    return rows


def _listing_children(data: object) -> list | None:
    if isinstance(data, dict) and isinstance(data.get("data"), dict):
        ch = data["data"].get("children")
        return ch if isinstance(ch, list) else None
    return None


@register
class RedditCollector(Collector):
    """Collects a Reddit source; see the module docstring."""

    kind = "reddit"
    Settings = RedditSettings

    def streams(self, settings: RedditSettings) -> list[str]:
        out = [f"new:{s.removeprefix('r/')}" for s in settings.subreddits]
        out += [f"comments:{s.removeprefix('r/')}" for s in settings.subreddit_comments]
        out += [f"search:{q}" for q in settings.searches]
        out += [f"thread:{t.removeprefix('t3_')}" for t in settings.threads]
        return out

    def pages(
        self,
        client: HttpClient,
        settings: RedditSettings,
        stream: str,
        checkpoint: dict | None,
        since: datetime | None,
    ) -> Iterator[Page]:
        what, _, arg = stream.partition(":")
        if what == "thread":
            yield from self._thread(client, settings, arg, checkpoint)
            return
        base = settings.base_url.rstrip("/")
        if what in ("new", "comments"):
            url = f"{base}/r/{quote(arg, safe='')}/{what}"
            extra: dict[str, Any] = {}
        else:
            sub = settings.search_subreddit.removeprefix("r/")
            url = f"{base}/r/{quote(sub, safe='')}/search"
            extra = {"q": arg, "sort": "new", "restrict_sr": "false" if sub == "all" else "true"}
        ck = checkpoint or {}
        if not ck or ck.get("done"):
            stop, after, top = ck.get("top"), None, None
        else:
            stop, after, top = ck.get("stop"), ck.get("after"), ck.get("top")
        while True:
            params = {"limit": settings.limit, "raw_json": 1, "after": after, **extra}
            data, _ = client.get_json(url, params=params)
            children = _listing_children(data)
            if children is None:
                raise CollectError(settings.id, f"{stream}: the answer is not a Listing")
            page, ids, oldest = self._page(children, settings)
            if ids and top is None:
                top = max(ids, key=_b36)
            nxt = data["data"].get("after")
            seen_old = stop is not None and any(_b36(i) <= _b36(stop) for i in ids)
            reached = since is not None and oldest is not None and oldest < since
            done = not children or not nxt or seen_old or reached
            if since is not None:
                page.tables = posts_since(page.tables, since)
            page.cursor = {
                "stop": stop,
                "after": None if done else nxt,
                "top": top or stop,
                "done": done,
            }
            yield page
            if done:
                return
            after = nxt

    def _page(
        self, children: list, settings: RedditSettings, permalink: str | None = None
    ) -> tuple[Page, list[str], pd.Timestamp | None]:
        now = self.now()
        rows: dict[str, list[dict]] = {"posts": [], "accounts": [], "post_metrics": []}
        skipped: Counter = Counter()
        ids: list[str] = []
        oldest = None
        for i, thing in enumerate(children, start=1):
            try:
                r = thing_rows(thing, settings.role, now, i, permalink)
            except _Malformed as exc:
                skipped[str(exc)] += 1
                continue
            for k, v in r.items():
                rows[k].extend(v)
            ids.append(r["posts"][0]["post_id"].partition(":")[2])
            c = r["posts"][0]["created_at"]
            oldest = c if oldest is None or c < oldest else oldest
        return Page(frames(rows), {}, skipped), ids, oldest

    # ------------------------------------------------------------------ comment forests
    def _walk(
        self, children: list, out: list, stubs: list[dict], skipped: Counter, depth: int = 0
    ) -> None:
        """Flatten a forest: comments into ``out``, "more" stubs into ``stubs``."""
        for c in children:
            if isinstance(c, dict) and c.get("kind") == "more":
                d = c.get("data") or {}
                kids = [k for k in d.get("children") or [] if isinstance(k, str)]
                stubs.append({"parent_id": d.get("parent_id"), "children": kids})
                continue
            out.append(c)
            d = c.get("data") if isinstance(c, dict) else None
            replies = d.get("replies") if isinstance(d, dict) else None
            if isinstance(replies, dict):  # "" (an empty string) when there are none
                kids = _listing_children(replies)
                if kids is None:
                    skipped["comment with unreadable replies"] += 1
                else:
                    self._walk(kids, out, stubs, skipped, depth + 1)

    def _thread(
        self, client: HttpClient, settings: RedditSettings, post: str, checkpoint: dict | None
    ) -> Iterator[Page]:
        base = settings.base_url.rstrip("/")
        ck = checkpoint or {}
        if ck and not ck.get("done"):
            pending, permalink = list(ck.get("pending") or []), ck.get("permalink")
        else:
            data, _ = client.get_json(
                f"{base}/comments/{post}", params={"raw_json": 1, "limit": 500}
            )
            if not (isinstance(data, list) and len(data) == 2):
                raise CollectError(
                    settings.id, f"thread:{post}: the answer is not [post, comments] Listings"
                )
            head, forest = _listing_children(data[0]), _listing_children(data[1])
            if head is None or forest is None:
                raise CollectError(settings.id, f"thread:{post}: the answer is not a Listing")
            things: list = list(head)
            stubs: list[dict] = []
            skipped: Counter = Counter()
            self._walk(forest, things, stubs, skipped)
            permalink = next(
                (
                    h["data"].get("permalink")
                    for h in head
                    if isinstance(h, dict) and isinstance(h.get("data"), dict)
                ),
                None,
            )
            page, _, _ = self._page(things, settings, permalink)
            page.skipped.update(skipped)
            pending = stubs if settings.more_comments else []
            page.cursor = {"pending": pending, "permalink": permalink, "done": not pending}
            yield page
        while pending:
            stub = pending.pop(0)
            things = []
            stubs = []
            skipped = Counter()
            if stub["children"]:
                for k in range(0, len(stub["children"]), MORE_BATCH):
                    ids = ",".join(stub["children"][k : k + MORE_BATCH])
                    data, _ = client.get_json(
                        f"{base}/api/morechildren",
                        params={
                            "api_type": "json",
                            "link_id": f"t3_{post}",
                            "children": ids,
                            "raw_json": 1,
                        },
                    )
                    got = (
                        ((data or {}).get("json") or {}).get("data")
                        if isinstance(data, dict)
                        else None
                    )
                    flat = got.get("things") if isinstance(got, dict) else None
                    if not isinstance(flat, list):
                        raise CollectError(
                            settings.id,
                            f"thread:{post}: /api/morechildren did not answer json.data.things",
                        )
                    self._walk(flat, things, stubs, skipped)
            elif isinstance(stub.get("parent_id"), str) and stub["parent_id"].startswith("t1_"):
                parent = stub["parent_id"][3:]
                data, _ = client.get_json(
                    f"{base}/comments/{post}/_/{parent}", params={"raw_json": 1, "limit": 500}
                )
                forest = (
                    _listing_children(data[1])
                    if isinstance(data, list) and len(data) == 2
                    else None
                )
                if forest is None:
                    raise CollectError(
                        settings.id,
                        f"thread:{post}: 'continue this thread' answer is not a Listing",
                    )
                self._walk(forest, things, stubs, skipped)
            else:
                skipped["'more' stub without children or parent"] += 1
            pending.extend(stubs)
            page, _, _ = self._page(things, settings, permalink)
            page.skipped.update(skipped)
            page.cursor = {"pending": pending, "permalink": permalink, "done": not pending}
            yield page
