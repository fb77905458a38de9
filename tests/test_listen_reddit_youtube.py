"""Reddit and YouTube collectors on the real recorded responses, replayed by a local server.

Recordings (api_samples/reddit, api_samples/youtube; see their PROVENANCE.md) hold one page
per request. Where a test needs more pages than were recorded, the replay server pages over
the recorded items as the API does (Reddit: ``after`` = the last item's fullname;
YouTube: ``pageToken``), or serves a recorded page at the next token; each test says so.
Expected values are computed from the recorded JSON directly (walking the raw records), not
through the collectors.
"""

from __future__ import annotations

import copy
import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from replay import FakeClock, ReplayServer, Reply, api_samples, read_cassette, replay_server  # noqa: F401
from ripplemeter.listen.collectors import REGISTRY
from ripplemeter.workspace import Workspace

PRAW = "reddit/praw-dev_praw"
GO_REDDIT = "reddit/vartanbeno_go-reddit/search-posts.json"
FOREST = f"{PRAW}/TestCommentForest.test_replace__skip_all.json"
JSON = {"Content-Type": "application/json; charset=utf-8"}


def _collector(kind: str, clock: FakeClock, **kw):
    return REGISTRY[kind](sleep=clock.sleep, clock=clock.time, **kw)


def _body(root: Path, rel: str, n: int = -1):
    """The JSON body of the n-th GET interaction of a PRAW cassette."""
    gets = [it for it in read_cassette(root / rel) if it["method"] == "GET"]
    return json.loads(gets[n]["body"])


def _reply(obj) -> Reply:
    return Reply(200, dict(JSON), json.dumps(obj, ensure_ascii=False).encode("utf-8"))


def _listing(children: list, after: str | None) -> dict:
    return {"kind": "Listing", "data": {"children": children, "after": after, "before": None}}


def _all_text(ws: Workspace) -> str:
    return "\n".join(ws.sql(f'SELECT * FROM "{t}"').to_csv() for t in [*ws.counts(), "imports"])


# ---------------------------------------------------------------------- Reddit listings
def _page_listing(server: ReplayServer, path: str, items: list[dict]) -> None:
    """Reddit Listing paging over recorded items: ``limit``, ``after`` = last fullname."""

    def handler(q: dict[str, str], h: dict[str, str]) -> Reply:
        limit = int(q.get("limit", 25))
        start = 0
        if q.get("after"):
            names = [c["data"]["name"] for c in items]
            start = names.index(q["after"]) + 1
        page = items[start : start + limit]
        after = page[-1]["data"]["name"] if start + limit < len(items) and page else None
        return _reply(_listing(page, after))

    server.route(path, handler)


def test_reddit_new_replays_the_recorded_listing_then_ends(api_samples, replay_server):  # noqa: F811
    cassette = api_samples / f"{PRAW}/TestSubredditListings.test_new.json"
    replay_server.add_cassette(cassette)  # served at exactly its recorded query
    body = _body(api_samples, f"{PRAW}/TestSubredditListings.test_new.json")
    items = body["data"]["children"]
    # the page after t3_48f6io was not recorded: an empty Listing (the end) is served there
    replay_server.add_body(
        "/r/askreddit/new",
        json.dumps(_listing([], None)),
        query={"limit": "100", "raw_json": "1", "after": body["data"]["after"]},
    )
    ws = Workspace()
    s = REGISTRY["reddit"].Settings(
        id="r", base_url=replay_server.base_url, subreddits=["askreddit"]
    )
    r = _collector("reddit", FakeClock()).collect(ws, s)
    assert r.error is None and r.pages == 2
    authors = {c["data"]["author"] for c in items} - {"[deleted]"}
    assert r.added == {"posts": 100, "accounts": len(authors), "post_metrics": 100}
    posts = ws.table("posts").set_index("post_id")
    first = items[0]["data"]
    p = posts.loc[f"reddit:t3_{first['id']}"]
    want = f"{first['title']}\n\n{first['selftext']}" if first["selftext"] else first["title"]
    assert p["text"] == want
    assert p["created_at"] == pd.Timestamp(first["created_utc"], unit="s")
    assert p["url"] == "https://www.reddit.com" + first["permalink"]
    assert p["category"] == f"r/{first['subreddit']}" and p["kind"] == "original"
    assert (posts["channel"] == "forum").all() and posts["parent_id"].isna().all()
    m = ws.table("post_metrics").set_index("post_id")
    assert int(m["likes"].sum()) == sum(c["data"]["score"] for c in items)
    assert int(m["replies"].sum()) == sum(c["data"]["num_comments"] for c in items)
    ck = json.loads(ws.table("collect_checkpoints")["cursor"][0])
    newest = max((c["data"]["id"] for c in items), key=lambda i: int(i, 36))
    assert ck["done"] is True and ck["top"] == f"t3_{newest}"


def test_reddit_new_pages_to_the_end_with_429_and_500(api_samples, replay_server):  # noqa: F811
    items = _body(api_samples, f"{PRAW}/TestSubredditListings.test_new.json")["data"]["children"]
    _page_listing(replay_server, "/r/askreddit/new", items)  # paged over the recorded 100
    p = "/r/askreddit/new"
    replay_server.inject(p, at=1, status=429, headers={"Retry-After": "7"})
    replay_server.inject(p, at=3, status=500)  # the second page
    clock = FakeClock()
    ws = Workspace()
    s = REGISTRY["reddit"].Settings(
        id="r", base_url=replay_server.base_url, subreddits=["askreddit"], limit=30
    )
    r = _collector("reddit", clock, http_options={"backoff_base": 2.0}).collect(ws, s)
    # 30 + 30 + 30 + 10: four pages, the last without `after`
    assert r.error is None and r.pages == 4 and r.added["posts"] == 100
    assert clock.sleeps[0] == 7.0  # Retry-After honoured
    assert 1.0 <= clock.sleeps[1] <= 2.0  # backoff after the 500
    assert replay_server.hits(p) == 4 + 2
    sent = [q for _, q, _ in replay_server.requests]
    assert f"after={items[29]['data']['name']}" in sent[3]  # the page after the 30th item


def test_reddit_malformed_records_are_counted(api_samples, replay_server):  # noqa: F811
    items = _body(api_samples, f"{PRAW}/TestSubredditListings.test_new.json")["data"]["children"]
    broken = copy.deepcopy(items)
    broken[3]["data"].pop("created_utc")
    broken[8]["data"]["author"] = None
    broken[9]["kind"] = "t9"
    _page_listing(replay_server, "/r/askreddit/new", broken)
    ws = Workspace()
    s = REGISTRY["reddit"].Settings(
        id="r", base_url=replay_server.base_url, subreddits=["askreddit"]
    )
    r = _collector("reddit", FakeClock()).collect(ws, s)
    assert r.skipped == {
        "record with a missing or unreadable created_utc": 1,
        "record without an author": 1,
        "record is not a post (t3) or comment (t1)": 1,
    }
    assert r.added["posts"] == 97
    log = ws.table("collect_log")
    assert dict(zip(log["reason"], log["count"], strict=True)) == r.skipped


def test_reddit_twice_adds_nothing_and_then_only_what_is_new(api_samples, replay_server):  # noqa: F811
    items = _body(api_samples, f"{PRAW}/TestSubredditListings.test_new.json")["data"]["children"]
    newest_first = sorted(items, key=lambda c: int(c["data"]["id"], 36), reverse=True)
    _page_listing(replay_server, "/r/askreddit/new", newest_first[20:])
    ws = Workspace()
    s = REGISTRY["reddit"].Settings(
        id="r", base_url=replay_server.base_url, subreddits=["askreddit"], limit=25
    )
    c = _collector("reddit", FakeClock())
    assert c.collect(ws, s).added["posts"] == 80
    again = c.collect(ws, s)
    # the new sweep stops at the first page: it holds the newest post already seen
    assert again.error is None and again.added == {} and again.pages == 1
    _page_listing(replay_server, "/r/askreddit/new", newest_first)  # 20 newer posts appear
    third = c.collect(ws, s)
    assert third.added["posts"] == 20 and ws.counts()["posts"] == 100


def test_reddit_search_recordings(api_samples, replay_server):  # noqa: F811
    search = _body(api_samples, f"{PRAW}/TestSubreddit.test_search.json")
    go = json.loads((api_samples / GO_REDDIT).read_text(encoding="utf-8"))
    # both recordings answer any query here; go-reddit's page says after=t3_hmwhd7, whose
    # next page was not recorded: an empty Listing is served there
    replay_server.route(
        "/r/all/search",
        lambda q, h: _reply(
            _listing([], None) if q.get("after") else (search if q["q"] == "praw" else go)
        ),
    )
    ws = Workspace()
    s = REGISTRY["reddit"].Settings(
        id="r", base_url=replay_server.base_url, searches=["praw", "test"]
    )
    r = _collector("reddit", FakeClock()).collect(ws, s)
    assert r.error is None and r.pages == 1 + 2  # praw: after null; test: one more page
    assert r.added["posts"] == len(search["data"]["children"]) + len(go["data"]["children"]) == 8
    sent = [q for _, q, _ in replay_server.requests]
    assert all("sort=new" in q and "restrict_sr=false" in q for q in sent)
    cats = set(ws.table("posts")["category"])
    assert {f"r/{c['data']['subreddit']}" for c in go["data"]["children"]} <= cats


# ---------------------------------------------------------------------- Reddit comment forests
def _walk(listing: dict, out: list, more: list) -> None:
    for c in listing["data"]["children"]:
        if c["kind"] == "more":
            more.append(c["data"])
            continue
        out.append(c["data"])
        if c["data"]["replies"]:
            _walk(c["data"]["replies"], out, more)


def _forest_server(server: ReplayServer, post: dict, forest: dict, hidden: dict) -> dict:
    """Serve a thread; /api/morechildren and 'continue this thread' answer from ``hidden``.

    ``hidden`` maps a comment id to its comment (with its recorded replies); morechildren
    answers the asked comments and everything below them flattened, each with ``replies``
    "" (as Reddit answers); the recorded stubs' comments were not recorded, so asking for
    them gives no comment. Returns the request counters.
    """
    calls = {"more": [], "continue": []}
    server.route("/comments/3hahrw", lambda q, h: _reply([post, forest]))

    def flat(c: dict) -> list[dict]:
        d = dict(c["data"], replies="")
        out = [{"kind": "t1", "data": d}]
        if c["data"]["replies"]:
            for k in c["data"]["replies"]["data"]["children"]:
                out += flat(k) if k["kind"] == "t1" else [k]
        return out

    def more(q: dict[str, str], h: dict[str, str]) -> Reply:
        ids = q["children"].split(",")
        calls["more"].append(ids)
        assert q["link_id"] == "t3_3hahrw" and q["api_type"] == "json"
        things = [t for i in ids if i in hidden for t in flat(hidden[i])]
        return _reply({"json": {"errors": [], "data": {"things": things}}})

    server.route("/api/morechildren", more)
    original = {}
    out: list = []
    _walk(forest, out, [])
    for c in hidden.values():
        _walk(_listing([c], None), out, [])
    for d in out:
        original[d["id"]] = d

    def handler(path: str):
        def answer(q: dict[str, str], h: dict[str, str]) -> Reply:
            cid = path.rsplit("/", 1)[1]
            calls["continue"].append(cid)
            parent = hidden.get(cid) or {"kind": "t1", "data": dict(original[cid], replies="")}
            return _reply([post, _listing([parent], None)])

        return answer

    for cid in list(original) + list(hidden):
        server.route(f"/comments/3hahrw/_/{cid}", handler(f"/comments/3hahrw/_/{cid}"))
    return calls


def test_reddit_comment_forest_as_recorded(api_samples, replay_server):  # noqa: F811
    post, forest = _body(api_samples, FOREST)
    comments: list = []
    stubs: list = []
    _walk(forest, comments, stubs)
    assert len(comments) == 476 and len(stubs) == 18
    calls = _forest_server(replay_server, post, forest, {})
    ws = Workspace()
    s = REGISTRY["reddit"].Settings(id="r", base_url=replay_server.base_url, threads=["3hahrw"])
    r = _collector("reddit", FakeClock()).collect(ws, s)
    assert r.error is None and r.added["posts"] == 1 + 476
    # every stub followed: 12 "load more" (children ids), 6 "continue this thread"
    assert sorted(map(tuple, calls["more"])) == sorted(
        tuple(m["children"]) for m in stubs if m["children"]
    )
    assert sorted(calls["continue"]) == sorted(
        m["parent_id"][3:] for m in stubs if not m["children"]
    )
    posts = ws.table("posts").set_index("post_id")
    for d in comments:
        row = posts.loc[f"reddit:t1_{d['id']}"]
        assert row["parent_id"] == f"reddit:{d['parent_id']}"
        assert row["root_id"] == "reddit:t3_3hahrw"
        assert row["kind"] == ("comment" if d["parent_id"].startswith("t3_") else "reply")
        assert row["text"] == d["body"]
    assert (posts["kind"] == "comment").sum() == sum(
        d["parent_id"].startswith("t3_") for d in comments
    )
    deleted = sum(d["author"] == "[deleted]" for d in comments)
    assert deleted == 16 and posts["account_id"].isna().sum() == deleted
    c0 = comments[0]
    assert posts.loc[f"reddit:t1_{c0['id']}", "url"] == (
        f"https://www.reddit.com{post['data']['children'][0]['data']['permalink']}{c0['id']}/"
    )


def test_reddit_more_stubs_bring_back_cut_comments(api_samples, replay_server):  # noqa: F811
    post, forest = _body(api_samples, FOREST)
    comments: list = []
    _walk(forest, comments, [])
    cut = copy.deepcopy(forest)
    tops = [c for c in cut["data"]["children"] if c["kind"] == "t1"]
    # a "load more" stub in place of the top-level comment with the biggest subtree

    def size(c: dict) -> int:
        out: list = []
        if c["data"]["replies"]:
            _walk(c["data"]["replies"], out, [])
        return len(out)

    big = max(tops, key=size)
    i = cut["data"]["children"].index(big)
    cut["data"]["children"][i] = {
        "kind": "more",
        "data": {"count": 1 + size(big), "parent_id": "t3_3hahrw", "children": [big["data"]["id"]]},
    }
    # a "continue this thread" stub in place of the replies of a comment at depth 1
    other = next(c for c in tops if c is not big and c["data"]["replies"])
    mid = next(
        k
        for k in other["data"]["replies"]["data"]["children"]
        if k["kind"] == "t1" and k["data"]["replies"]
    )
    kept = copy.deepcopy(mid)
    mid["data"]["replies"] = _listing(
        [
            {
                "kind": "more",
                "data": {"count": 0, "parent_id": mid["data"]["name"], "children": [], "id": "_"},
            }
        ],
        None,
    )
    hidden = {big["data"]["id"]: big, mid["data"]["id"]: kept}
    calls = _forest_server(replay_server, post, cut, hidden)
    ws = Workspace()
    s = REGISTRY["reddit"].Settings(id="r", base_url=replay_server.base_url, threads=["3hahrw"])
    r = _collector("reddit", FakeClock()).collect(ws, s)
    assert r.error is None
    posts = ws.table("posts").set_index("post_id")
    # every recorded comment is back, with its recorded parent
    assert len(posts) == 1 + 476
    want = {f"reddit:t1_{d['id']}": f"reddit:{d['parent_id']}" for d in comments}
    assert posts.loc[list(want), "parent_id"].to_dict() == want
    assert [big["data"]["id"]] in calls["more"] and mid["data"]["id"] in calls["continue"]


def test_reddit_expired_token_without_the_token(api_samples, replay_server, monkeypatch):  # noqa: F811
    items = _body(api_samples, f"{PRAW}/TestSubredditListings.test_new.json")["data"]["children"]
    _page_listing(replay_server, "/r/askreddit/new", items)
    secret = "reddit-bearer-0123456789-SECRET"
    monkeypatch.setenv("RM_REDDIT_TOKEN", secret)
    replay_server.inject("/r/askreddit/new", at=2, status=401, body=b'{"message": "Unauthorized"}')
    ws = Workspace()
    s = REGISTRY["reddit"].Settings(
        id="r",
        base_url=replay_server.base_url,
        subreddits=["askreddit"],
        limit=40,
        credentials="env:RM_REDDIT_TOKEN",
    )
    r = _collector("reddit", FakeClock()).collect(ws, s)
    assert replay_server.requests[0][2]["Authorization"] == f"Bearer {secret}"
    assert "401" in r.error and "env:RM_REDDIT_TOKEN" in r.error and secret not in r.error
    assert r.added["posts"] == 40  # the page before the failure stays
    assert secret not in _all_text(ws)


# ---------------------------------------------------------------------- YouTube
YT = "youtube/sns-sdks_python-youtube"


def _yt(root: Path, name: str) -> dict:
    return json.loads((root / YT / name).read_text(encoding="utf-8"))


def _yt_source(server: ReplayServer, **kw):
    return REGISTRY["youtube"].Settings(
        id="yt", base_url=server.base_url, credentials="env:RM_YT_KEY", **kw
    )


def test_youtube_search_follows_page_tokens_to_the_end(api_samples, replay_server, monkeypatch):  # noqa: F811
    monkeypatch.setenv("RM_YT_KEY", "AIzaFAKE-key-123")
    p1, p2 = (
        _yt(api_samples, "search_by_keywords_p1.json"),
        _yt(api_samples, "search_by_keywords_p2.json"),
    )

    def search(q: dict[str, str], h: dict[str, str]) -> Reply:
        token = q.get("pageToken")
        if token is None:
            return _reply(p1)
        if token == p1["nextPageToken"]:
            return _reply(p2)
        # p2's next page (CDIQAA) was not recorded: served as the last page, without a token
        return _reply({"kind": "youtube#searchListResponse", "items": []})

    replay_server.route("/search", search)
    replay_server.inject("/search", at=2, status=429, headers={"Retry-After": "5"})
    replay_server.inject("/search", at=4, status=503)
    clock = FakeClock()
    ws = Workspace()
    r = _collector("youtube", clock, http_options={"backoff_base": 2.0}).collect(
        ws, _yt_source(replay_server, searches=["surfing"])
    )
    assert r.error is None and r.pages == 3
    items = p1["items"] + p2["items"]
    ids = {it["id"]["videoId"] for it in items}
    # 25 + 25 results, one video on both pages (search results shift between pages): 49
    assert len(items) == 50 and r.added["posts"] == len(ids) == 49
    assert clock.sleeps[0] == 5.0 and 1.0 <= clock.sleeps[1] <= 2.0
    sent = [q for _, q, _ in replay_server.requests]
    assert "pageToken=CBkQAA" in sent[2] and "pageToken=CDIQAA" in sent[-1]
    assert all("key=AIzaFAKE-key-123" in q and "order=date" in q for q in sent)
    posts = ws.table("posts").set_index("post_id")
    # HTML entities in snippets are decoded
    amp = next(it for it in items if "&amp;" in it["snippet"]["title"])
    assert posts.loc[f"youtube:{amp['id']['videoId']}", "text"].startswith(
        amp["snippet"]["title"].replace("&amp;", "&")
    )
    first = p1["items"][0]
    row = posts.loc[f"youtube:{first['id']['videoId']}"]
    assert row["created_at"] == pd.Timestamp("2019-12-05 19:00:10")
    assert row["account_id"] == f"youtube:{first['snippet']['channelId']}"
    assert row["url"] == f"https://www.youtube.com/watch?v={first['id']['videoId']}"
    assert "AIzaFAKE-key-123" not in _all_text(ws)


def test_youtube_comment_threads_text_original_and_channel_discussion(api_samples, replay_server):  # noqa: F811
    video = _yt(api_samples, "comment_threads_by_video_paged_1.json")
    mine = _yt(api_samples, "comment_threads_all_to_me.json")

    def threads(q: dict[str, str], h: dict[str, str]) -> Reply:
        if "allThreadsRelatedToChannelId" in q:
            return _reply(mine)  # the recorded last page (no nextPageToken)
        if q.get("pageToken") == video["nextPageToken"]:
            # the next recorded page was a hand-edited copy (not kept): served as the end
            return _reply({"kind": "youtube#commentThreadListResponse", "items": []})
        return _reply(video)

    replay_server.route("/commentThreads", threads)
    ws = Workspace()
    s = REGISTRY["youtube"].Settings(
        id="yt",
        base_url=replay_server.base_url,
        videos=["F1UP7wRCPH8"],
        channels=["UCa-vrCLQHviTOVnEKDOdetQ"],
    )
    r = _collector("youtube", FakeClock()).collect(ws, s)
    assert r.error is None and r.pages == 2 + 1
    assert r.added["posts"] == len(video["items"]) + len(mine["items"]) == 9
    posts = ws.table("posts").set_index("post_id")
    for it in video["items"] + mine["items"]:
        top = it["snippet"]["topLevelComment"]
        row = posts.loc[f"youtube:{top['id']}"]
        assert row["text"] == top["snippet"]["textOriginal"]  # never the HTML textDisplay
        vid = it["snippet"].get("videoId")
        if vid:
            assert row["parent_id"] == row["root_id"] == f"youtube:{vid}"
        else:
            assert pd.isna(row["parent_id"]) and pd.isna(row["url"])
        assert row["category"] == ("video comment" if vid else "channel discussion")
    differ = [
        it
        for it in video["items"]
        if it["snippet"]["topLevelComment"]["snippet"]["textDisplay"]
        != it["snippet"]["topLevelComment"]["snippet"]["textOriginal"]
    ]
    assert len(differ) == 3
    no_video = [it for it in mine["items"] if "videoId" not in it["snippet"]]
    assert len(no_video) == 2 and posts["parent_id"].isna().sum() == 2
    m = ws.table("post_metrics").set_index("post_id")
    for it in video["items"]:
        top = it["snippet"]["topLevelComment"]
        assert m.loc[f"youtube:{top['id']}", "replies"] == it["snippet"]["totalReplyCount"]
        assert m.loc[f"youtube:{top['id']}", "likes"] == top["snippet"]["likeCount"]


def test_youtube_emulated_paging_malformed_replies_and_twice(api_samples, replay_server):  # noqa: F811
    video = _yt(api_samples, "comment_threads_by_video_paged_1.json")
    items = copy.deepcopy(video["items"])
    items[1]["snippet"]["topLevelComment"]["snippet"].pop("publishedAt")
    # a thread with replies (part=replies), built from two recorded comments
    items[2]["replies"] = {
        "comments": [
            dict(items[3]["snippet"]["topLevelComment"], id="UgyReplyA.1"),
            {"id": "UgyReplyA.2"},  # malformed: no snippet
        ]
    }

    def threads(q: dict[str, str], h: dict[str, str]) -> Reply:
        # pageToken paging emulated over the recorded threads, two per page
        off = int(q.get("pageToken") or 0)
        n = int(q["maxResults"])
        body = {"kind": "youtube#commentThreadListResponse", "items": items[off : off + n]}
        if off + n < len(items):
            body["nextPageToken"] = str(off + n)
        return _reply(body)

    replay_server.route("/commentThreads", threads)
    replay_server.inject("/commentThreads", at=2, status=500)
    ws = Workspace()
    s = REGISTRY["youtube"].Settings(
        id="yt", base_url=replay_server.base_url, videos=["F1UP7wRCPH8"], max_results=2
    )
    c = _collector("youtube", FakeClock())
    r = c.collect(ws, s)
    assert r.error is None and r.pages == 3  # 2 + 2 + 1
    assert r.skipped == {
        "comment with a missing or unreadable publishedAt": 1,
        "malformed reply": 1,
    }
    assert r.added["posts"] == 4 + 1  # four threads and one reply
    posts = ws.table("posts").set_index("post_id")
    top = f"youtube:{items[2]['snippet']['topLevelComment']['id']}"
    assert posts.loc["youtube:UgyReplyA.1", "parent_id"] == top
    assert posts.loc["youtube:UgyReplyA.1", "kind"] == "reply"
    again = c.collect(ws, s)
    assert again.error is None and again.added == {}


def test_youtube_expired_oauth_token_and_bad_key(api_samples, replay_server, monkeypatch):  # noqa: F811
    video = _yt(api_samples, "comment_threads_by_video_paged_1.json")
    replay_server.route("/commentThreads", lambda q, h: _reply(video))
    secret = "ya29.SECRET-oauth-token"
    monkeypatch.setenv("RM_YT_TOKEN", secret)
    replay_server.inject("/commentThreads", at=1, status=401)
    ws = Workspace()
    s = REGISTRY["youtube"].Settings(
        id="yt",
        base_url=replay_server.base_url,
        videos=["F1UP7wRCPH8"],
        auth="bearer",
        credentials="env:RM_YT_TOKEN",
    )
    r = _collector("youtube", FakeClock()).collect(ws, s)
    assert replay_server.requests[0][2]["Authorization"] == f"Bearer {secret}"
    assert "key=" not in replay_server.requests[0][1]
    assert "401" in r.error and "env:RM_YT_TOKEN" in r.error and secret not in r.error
    # an API key YouTube refuses (400 keyInvalid): the message hides the key in the URL
    monkeypatch.setenv("RM_YT_KEY", "AIzaREFUSED-key")
    replay_server.inject("/commentThreads", at=2, status=400, body=b'{"error": {"code": 400}}')
    r = _collector("youtube", FakeClock()).collect(
        ws, _yt_source(replay_server, videos=["F1UP7wRCPH8"])
    )
    assert "400" in r.error and "key=***" in r.error and "AIzaREFUSED-key" not in r.error
    assert secret not in _all_text(ws) and "AIzaREFUSED-key" not in _all_text(ws)


def test_registered_and_settings_forbid_unknown_keys():
    from pydantic import ValidationError

    assert {"reddit", "youtube"} <= set(REGISTRY)
    with pytest.raises(ValidationError):
        REGISTRY["reddit"].Settings(id="r", subreddits=["x"], subredit=["typo"])
    with pytest.raises(ValidationError, match="at least one"):
        REGISTRY["youtube"].Settings(id="y")


# ---------------------------------------------------------------------- killed and resumed
CHILD = r"""
import json, os, signal, sys
import pandas as pd
from ripplemeter.listen import store
from ripplemeter.listen.collectors import REGISTRY, collect_all
from ripplemeter.workspace import Workspace

base, db = sys.argv[1], sys.argv[2]
kill_at = int(os.environ.get("RM_KILL_AT", "0"))
n = 0

def hook(stage):
    global n
    n += 1
    if n == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)

store._hook = hook
sources = [
    REGISTRY["reddit"].Settings(id="reddit", base_url=base, subreddits=["askreddit"],
                                threads=["3hahrw"], limit=30),
    REGISTRY["youtube"].Settings(id="yt", base_url=base, searches=["surfing"],
                                 videos=["F1UP7wRCPH8"], max_results=2),
]
ws = Workspace(db)
fixed = pd.Timestamp("2026-01-01 00:00:00")
res = collect_all(ws, sources, collector_options={"now": lambda: fixed, "sleep": lambda s: None})
ws.close()
print(json.dumps({"stages": n, "errors": [r.error for r in res]}))
"""


def _kill_server(root: Path) -> ReplayServer:
    server = ReplayServer()
    items = _body(root, f"{PRAW}/TestSubredditListings.test_new.json")["data"]["children"]
    _page_listing(server, "/r/askreddit/new", items)
    post, forest = _body(root, FOREST)
    cut = copy.deepcopy(forest)
    big = next(c for c in cut["data"]["children"] if c["kind"] == "t1" and c["data"]["replies"])
    i = cut["data"]["children"].index(big)
    cut["data"]["children"][i] = {
        "kind": "more",
        "data": {"count": 2, "parent_id": "t3_3hahrw", "children": [big["data"]["id"]]},
    }
    _forest_server(server, post, cut, {big["data"]["id"]: big})
    p1 = _yt(root, "search_by_keywords_p1.json")
    p2 = _yt(root, "search_by_keywords_p2.json")
    server.route(
        "/search",
        lambda q, h: _reply(
            p1
            if "pageToken" not in q
            else p2
            if q["pageToken"] == p1["nextPageToken"]
            else {"items": []}
        ),
    )
    threads = _yt(root, "comment_threads_by_video_paged_1.json")["items"]

    def paged(q: dict[str, str], h: dict[str, str]) -> Reply:
        off, n = int(q.get("pageToken") or 0), int(q["maxResults"])
        body: dict = {"items": threads[off : off + n]}
        if off + n < len(threads):
            body["nextPageToken"] = str(off + n)
        return _reply(body)

    server.route("/commentThreads", paged)
    return server


def _run_child(script: Path, base: str, db: Path, kill_at: int = 0):
    env = {**os.environ, "RM_KILL_AT": str(kill_at)}
    p = subprocess.run(
        [sys.executable, str(script), base, str(db)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return p.returncode, p.stdout, p.stderr


def _state(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            "posts": con.execute(
                "SELECT post_id, kind, parent_id, text FROM posts ORDER BY ALL"
            ).fetchall(),
            "accounts": con.execute("SELECT account_id FROM accounts ORDER BY ALL").fetchall(),
            "metrics": con.execute(
                "SELECT post_id, observed_at, likes, replies FROM post_metrics ORDER BY ALL"
            ).fetchall(),
            "done": [
                json.loads(c)["done"]
                for (c,) in con.execute("SELECT cursor FROM collect_checkpoints").fetchall()
            ],
        }
    finally:
        con.close()


def test_killed_reddit_and_youtube_runs_resume_exactly(api_samples, tmp_path):  # noqa: F811
    server = _kill_server(api_samples)
    try:
        script = tmp_path / "child.py"
        script.write_text(CHILD)
        ref_db = tmp_path / "ref.duckdb"
        rc, out, err = _run_child(script, server.base_url, ref_db)
        assert rc == 0, err
        info = json.loads(out)
        assert info["errors"] == [None, None]
        ref = _state(ref_db)
        # 100 listing posts + the thread's post and 476 comments; 49 videos + 5 threads
        assert len(ref["posts"]) == 100 + 1 + 476 + 49 + 5 and all(ref["done"])
        rng = random.Random(7)
        for seed in range(2):
            db = tmp_path / f"killed{seed}.duckdb"
            for _ in range(2):
                rc, _, err = _run_child(
                    script, server.base_url, db, kill_at=rng.randint(1, info["stages"])
                )
                if rc == 0:
                    break
                assert rc == -signal.SIGKILL, err
            rc, _, err = _run_child(script, server.base_url, db)
            assert rc == 0, err
            got = _state(db)
            assert got == ref
    finally:
        server.close()


def test_since_leaves_out_older_posts_and_stops_paging(api_samples, replay_server):  # noqa: F811
    items = _body(api_samples, f"{PRAW}/TestSubredditListings.test_new.json")["data"]["children"]
    newest_first = sorted(items, key=lambda c: c["data"]["created_utc"], reverse=True)
    _page_listing(replay_server, "/r/askreddit/new", newest_first)
    cut = newest_first[44]["data"]["created_utc"]  # the 45th newest post
    since = pd.Timestamp(cut, unit="s")
    ws = Workspace()
    s = REGISTRY["reddit"].Settings(
        id="r", base_url=replay_server.base_url, subreddits=["askreddit"], limit=20
    )
    r = _collector("reddit", FakeClock()).collect(ws, s, since=since)
    want = sum(c["data"]["created_utc"] >= cut for c in items)
    assert r.added["posts"] == want and r.pages == 3  # the page holding the 45th ends it
    p1 = _yt(api_samples, "search_by_keywords_p1.json")
    replay_server.route("/search", lambda q, h: _reply({"items": p1["items"]}))
    yt = REGISTRY["youtube"].Settings(id="y", base_url=replay_server.base_url, searches=["surf"])
    r = _collector("youtube", FakeClock()).collect(
        ws, yt, since=pd.Timestamp("2019-12-01 00:00:00")
    )
    sent = [q for _, q, _ in replay_server.requests if q.startswith("/search")]
    assert "publishedAfter=2019-12-01T00%3A00%3A00Z" in sent[0]
    want = sum(it["snippet"]["publishedAt"] >= "2019-12-01" for it in p1["items"])
    assert r.added["posts"] == want


def test_reddit_subreddit_comments_listing(api_samples, replay_server):  # noqa: F811
    post, forest = _body(api_samples, FOREST)
    comments: list = []
    _walk(forest, comments, [])
    # /r/funny/comments was not recorded: the recorded comments (real t1 records) are served
    # as that Listing, newest first, paged with `after` as Reddit does
    things = [
        {"kind": "t1", "data": dict(d, replies="")}
        for d in sorted(comments, key=lambda d: int(d["id"], 36), reverse=True)
    ]
    _page_listing(replay_server, "/r/funny/comments", things)
    ws = Workspace()
    s = REGISTRY["reddit"].Settings(
        id="r", base_url=replay_server.base_url, subreddit_comments=["funny"]
    )
    r = _collector("reddit", FakeClock()).collect(ws, s)
    assert r.error is None and r.added["posts"] == 476 and r.pages == 5  # 100 a page
    posts = ws.table("posts").set_index("post_id")
    assert set(posts["root_id"]) == {"reddit:t3_3hahrw"}
    assert (posts["kind"] == "comment").sum() == sum(
        d["parent_id"].startswith("t3_") for d in comments
    )


def test_reddit_429_with_its_ratelimit_reset_header(api_samples, replay_server):  # noqa: F811
    items = _body(api_samples, f"{PRAW}/TestSubredditListings.test_new.json")["data"]["children"]
    _page_listing(replay_server, "/r/askreddit/new", items)
    # Reddit answers a 429 with x-ratelimit-reset (seconds until the window resets), no
    # Retry-After
    replay_server.inject(
        "/r/askreddit/new",
        at=2,
        status=429,
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": "12"},
    )
    clock = FakeClock()
    ws = Workspace()
    s = REGISTRY["reddit"].Settings(
        id="r", base_url=replay_server.base_url, subreddits=["askreddit"], limit=50
    )
    r = _collector("reddit", clock).collect(ws, s)
    assert r.error is None and r.added["posts"] == 100
    assert clock.sleeps[0] == pytest.approx(12.0)
