"""Collectors on the real recorded API responses, replayed by a local server (tests/replay.py).

Where a recording is a single page, or a bare body without headers, the replay server pages
over the recorded items as the API does (Mastodon: ``max_id`` and the ``Link`` header;
Bluesky searchPosts: an offset ``cursor``); each test says so. Expected values are computed
from the recorded JSON directly (counting the raw records), not through the collector.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pandas as pd
import pytest

from replay import FakeClock, ReplayServer, Reply, api_samples, read_cassette, replay_server  # noqa: F401
from ripplemeter.listen.collectors import REGISTRY, collect_all, html_to_text
from ripplemeter.listen.http import (
    CollectError,
    CredentialError,
    HttpClient,
    RateLimitError,
    parse_ratelimit_reset,
    parse_retry_after,
    redact_url,
    resolve_credentials,
)
from ripplemeter.workspace import Workspace

MASTODON = "mastodon"
BSKY = "bluesky/christopherkenny_bskyr"
RSS = "rss"


def _collector(kind: str, clock: FakeClock, **kw):
    return REGISTRY[kind](sleep=clock.sleep, clock=clock.time, **kw)


def _load(root: Path, rel: str):
    return json.loads((root / rel).read_text(encoding="utf-8"))


def _all_text(ws: Workspace) -> str:
    """Every value of every table (and the import log), as one string."""
    parts = []
    for t in [*ws.counts(), "imports"]:
        parts.append(ws.sql(f'SELECT * FROM "{t}"').to_csv())
    return "\n".join(parts)


# ---------------------------------------------------------------------- http client
def test_retry_after_and_ratelimit_forms():
    now = 1_700_000_000.0
    assert parse_retry_after("7", now) == 7.0
    later = datetime.fromtimestamp(now + 42, tz=UTC)
    assert parse_retry_after(format_datetime(later, usegmt=True), now) == pytest.approx(42)
    assert parse_retry_after("soon", now) is None
    # Mastodon: ISO time; Bluesky: epoch seconds; Reddit: seconds from now
    iso = datetime.fromtimestamp(now + 30, tz=UTC).isoformat().replace("+00:00", "Z")
    assert parse_ratelimit_reset(iso, now) == pytest.approx(30)
    assert parse_ratelimit_reset(str(int(now) + 300), now) == pytest.approx(300)
    assert parse_ratelimit_reset("12.5", now) == 12.5
    assert redact_url("https://x/y?q=a&key=SEKRET&access_token=T2") == (
        "https://x/y?q=a&key=***&access_token=***"
    )


def test_client_waits_for_an_exhausted_budget(replay_server):  # noqa: F811
    clock = FakeClock()
    reset = datetime.fromtimestamp(clock.t + 30, tz=UTC).isoformat()
    replay_server.add_body(
        "/rl", "{}", headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset}
    )
    c = HttpClient("s", sleep=clock.sleep, clock=clock.time)
    c.get(replay_server.base_url + "/rl")
    assert clock.sleeps == []
    c.get(replay_server.base_url + "/rl")  # waits for the reset first
    assert clock.sleeps == [pytest.approx(30)]


def test_client_gives_up_on_a_long_wait_and_on_persistent_errors(replay_server):  # noqa: F811
    clock = FakeClock()
    replay_server.add_body("/x", "{}")
    replay_server.inject("/x", at=1, status=429, headers={"Retry-After": "3600"})
    c = HttpClient("src", sleep=clock.sleep, clock=clock.time, max_wait=600)
    with pytest.raises(RateLimitError, match="source 'src'.*3600 s"):
        c.get(replay_server.base_url + "/x")
    for n in range(2, 6):
        replay_server.inject("/x", at=n, status=503)
    c = HttpClient("src", sleep=clock.sleep, clock=clock.time, max_retries=3)
    with pytest.raises(CollectError, match="answered 503.*gave up after 4 attempts"):
        c.get(replay_server.base_url + "/x")
    # backoff grows: attempt n waits between 2**n/2 and 2**n seconds (base 1 s)
    waits = [w for r, w in c.waits]
    assert [1 / 2 <= waits[0] <= 1, 1 <= waits[1] <= 2, 2 <= waits[2] <= 4] == [True] * 3


def _failing_client(cause: BaseException, exc_type=None, **kw):
    """A client whose every request fails as a socket would: ``exc_type`` raised from
    ``cause`` (httpx wraps the OS error the same way)."""
    import httpx

    exc_type = exc_type or httpx.ConnectError
    sent = []

    def handler(req):
        sent.append(req.url)
        raise exc_type(str(cause), request=req) from cause

    clock = FakeClock()
    c = HttpClient(
        "src",
        sleep=clock.sleep,
        clock=clock.time,
        transport=httpx.MockTransport(handler),
        address_setting="url",
        **kw,
    )
    return c, sent, clock


@pytest.mark.parametrize(
    ("cause", "tries", "expected"),
    [
        # a host that does not exist: one retry, not max_retries = 5
        (
            "nohost",
            2,
            "the server could not be reached (no such host): https://no-such-host.invalid/feed; "
            "gave up after 2 attempts. Check `url` in listen.toml for a typing mistake",
        ),
        (
            "lookup",
            2,
            "the server could not be reached (its name could not be looked up): "
            "https://no-such-host.invalid/feed; gave up after 2 attempts. Check that this "
            "computer is online, then try again",
        ),
        # transient: the whole backoff series, 1 + 5 attempts
        (
            "refused",
            6,
            "the server could not be reached (connection refused): "
            "https://no-such-host.invalid/feed; gave up after 6 attempts. Check the host and "
            "port of `url` in listen.toml, or try again once the server is up",
        ),
        (
            "connect-timeout",
            6,
            "the server could not be reached (timed out): https://no-such-host.invalid/feed; "
            "gave up after 6 attempts. Try again later; if it keeps failing, check `url` in "
            "listen.toml",
        ),
        (
            "read-timeout",
            6,
            "the server did not answer within 30 s (timed out): "
            "https://no-such-host.invalid/feed; gave up after 6 attempts. Try again later, or "
            "raise the source's timeout if the server is slow",
        ),
        (
            "dropped",
            6,
            "the connection to the server was cut before it answered: "
            "https://no-such-host.invalid/feed; gave up after 6 attempts. Try again later",
        ),
    ],
)
def test_unreachable_servers_are_told_in_plain_words(cause, tries, expected):
    import socket

    import httpx

    made = {
        "nohost": (socket.gaierror(-2, "Name or service not known"), None),
        "lookup": (socket.gaierror(-3, "Temporary failure in name resolution"), None),
        "refused": (ConnectionRefusedError(111, "Connection refused"), None),
        "connect-timeout": (TimeoutError("timed out"), httpx.ConnectTimeout),
        "read-timeout": (TimeoutError("timed out"), httpx.ReadTimeout),
        "dropped": (ConnectionResetError(104, "reset"), httpx.RemoteProtocolError),
    }[cause]
    c, sent, clock = _failing_client(made[0], made[1], max_retries=5)
    with pytest.raises(CollectError) as e:
        c.get("https://no-such-host.invalid/feed")
    assert e.value.detail == expected
    assert str(e.value) == "source 'src': " + expected
    assert len(sent) == tries and len(clock.sleeps) == tries - 1
    assert "Error" not in e.value.detail  # no exception class names (ConnectError ...)


def test_no_such_host_with_no_retries_allowed_is_tried_once():
    import socket

    c, sent, _ = _failing_client(socket.gaierror(-2, "Name or service not known"), max_retries=0)
    with pytest.raises(CollectError, match="gave up after 1 attempt[.]"):
        c.get("https://no-such-host.invalid/feed")
    assert len(sent) == 1


def test_a_failed_source_has_its_detail_without_its_name(tmp_path, monkeypatch):
    """CollectResult.detail: what went wrong and what to do, for lines that name the source."""
    monkeypatch.delenv("RM_TEST_ABSENT_KEY", raising=False)
    s = REGISTRY["youtube"].Settings(
        id="yt", searches=["tea"], credentials="env:RM_TEST_ABSENT_KEY"
    )
    ws = Workspace()
    (r,) = collect_all(ws, [s])
    assert r.detail == (
        "the environment variable RM_TEST_ABSENT_KEY is not set (or is empty); set it to the "
        "token or key in the shell that runs ripplemeter, e.g. `export RM_TEST_ABSENT_KEY=...`; "
        'see "Credentials" in docs/collectors.md for where each platform\'s key comes from'
    )
    assert r.error == "source 'yt': " + r.detail and r.pages == 0 and r.added == {}
    assert list(ws.table("collect_log")["reason"]) == [r.error]


def test_request_log_lines_hide_keys(replay_server, caplog):  # noqa: F811
    import logging

    replay_server.add_body("/x", "{}")
    c = HttpClient("s", token="T0KEN-abc", secrets=["K3Y-xyz"], sleep=lambda s: None)
    with caplog.at_level(logging.DEBUG):
        c.get(replay_server.base_url + "/x", params={"key": "K3Y-xyz", "q": "T0KEN-abc"})
    assert "HTTP Request: GET" in caplog.text
    assert "K3Y-xyz" not in caplog.text and "T0KEN-abc" not in caplog.text
    assert "q=***" in caplog.text


def test_credentials(tmp_path, monkeypatch):
    monkeypatch.setenv("RM_TEST_TOKEN", "  abc  ")
    assert resolve_credentials("env:RM_TEST_TOKEN", source_id="s") == "abc"
    monkeypatch.delenv("RM_TEST_TOKEN")
    with pytest.raises(CredentialError, match="RM_TEST_TOKEN is not set"):
        resolve_credentials("env:RM_TEST_TOKEN", source_id="s")
    outside = tmp_path / "secrets" / "token.txt"
    outside.parent.mkdir()
    outside.write_text("\nfile-token\n")
    project = tmp_path / "project"
    project.mkdir()
    assert (
        resolve_credentials(f"file:{outside}", source_id="s", project_dir=project) == "file-token"
    )
    inside = project / "token.txt"
    inside.write_text("t0ken-inside")
    with pytest.raises(CredentialError, match="inside the project folder") as err:
        resolve_credentials(f"file:{inside}", source_id="s", project_dir=project)
    assert "t0ken-inside" not in str(err.value)
    with pytest.raises(CredentialError, match="env:NAME"):
        resolve_credentials("abc123", source_id="s")


# ---------------------------------------------------------------------- Mastodon
def _statuses_text(body: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", s["content"]) for s in json.loads(body)]


def test_mastodon_link_header_paging_on_the_recorded_cassette(api_samples, replay_server):  # noqa: F811
    cassette = api_samples / MASTODON / "halcy_Mastodon.py/test_fetch_next_previous.yaml"
    replay_server.add_cassette(cassette)
    acc = "117020565966271181"
    path = f"/api/v1/accounts/{acc}/statuses"
    # past the last recorded page Mastodon answers an empty list (not recorded; served here)
    replay_server.add_body(path, "[]", query={"limit": "5", "max_id": "117020580452511285"})
    recorded = [
        it for it in read_cassette(cassette) if it["method"] == "GET" and "min_id" not in it["uri"]
    ]
    recorded = [it for it in recorded if path in it["uri"]]
    expected = sorted(t for it in recorded for t in _statuses_text(it["body"]))
    assert len(expected) == 10
    clock = FakeClock()
    ws = Workspace()
    s = REGISTRY["mastodon"].Settings(
        id="m", instance=replay_server.base_url, accounts=[acc], limit=5
    )
    r = _collector("mastodon", clock).collect(ws, s)
    assert r.error is None and r.pages == 3
    assert r.added == {"posts": 10, "accounts": 1, "post_metrics": 10}
    assert sorted(ws.table("posts")["text"]) == expected
    sent = [p for _, p, _ in replay_server.requests]
    # the second request follows the recorded Link header's max_id
    assert sent[:3] == [
        f"{path}?limit=5",
        f"{path}?limit=5&max_id=117020580489281910",
        f"{path}?limit=5&max_id=117020580452511285",
    ]
    ck = json.loads(ws.table("collect_checkpoints")["cursor"][0])
    assert ck["done"] is True and ck["top"] == max(
        (s["id"] for it in recorded for s in json.loads(it["body"])), key=int
    )


def _mastodon_server(server: ReplayServer, root: Path):
    # bare bodies without headers: the server pages over them with Mastodon's Link header
    tag = _load(root, f"{MASTODON}/sys1yagi_mastodon4j/tag.json")
    home = _load(root, f"{MASTODON}/tuskyapp_tusky-json-benchmark/test.json")
    server.add_mastodon_timeline("/api/v1/timelines/tag/mastodon", tag)
    server.add_mastodon_timeline("/api/v1/timelines/public", home)
    return tag, home


def test_mastodon_old_and_new_servers(api_samples, replay_server):  # noqa: F811
    tag, home = _mastodon_server(replay_server, api_samples)
    ws = Workspace()
    host = replay_server.base_url.split("//")[1]
    s = REGISTRY["mastodon"].Settings(
        id="m", instance=replay_server.base_url, hashtags=["mastodon"], public=True, limit=7
    )
    r = _collector("mastodon", FakeClock()).collect(ws, s)
    assert r.error is None
    # 20 + 30 statuses; paging by 7: 3 pages + the empty end page, 5 + the end page
    assert r.pages == 4 + 6
    posts = ws.table("posts").set_index("post_id")
    reblogs = [x for x in home if x.get("reblog")]
    assert len(posts) == len(tag) + len(home) + len(reblogs)
    # old server: integer ids read as text, no language, no replies_count
    old = posts.loc[[f"mastodon:{host}/{x['id']}" for x in tag]]
    assert old["lang"].isna().all()
    assert (old["kind"] == "reply").sum() == sum(1 for x in tag if x["in_reply_to_id"])
    m = ws.table("post_metrics").set_index("post_id")
    most = max(tag, key=lambda x: x["reblogs_count"])
    assert m.loc[f"mastodon:{host}/{most['id']}", "reposts"] == most["reblogs_count"] == 9
    assert pd.isna(m.loc[f"mastodon:{host}/{most['id']}", "replies"])
    # new server: a reblog is a repost of its original, which is stored too
    wrapper = posts.loc[f"mastodon:{host}/107943932408201924"]
    assert wrapper["kind"] == "repost"
    assert wrapper["parent_id"] == f"mastodon:{host}/107943931306353899"
    assert posts.loc[wrapper["parent_id"], "kind"] == "original"
    assert wrapper["text"] == posts.loc[wrapper["parent_id"], "text"]
    reply = posts.loc[f"mastodon:{host}/107944153419362202"]
    assert reply["kind"] == "reply" and reply["parent_id"] == f"mastodon:{host}/107944147344635748"
    # HTML -> plain text; Mastodon's shortened link markup gives the full URL back
    covid = posts.loc[f"mastodon:{host}/107944262064269136", "text"]
    assert covid.startswith(
        "Missouri 🏴 COVID-19 current stats for Sat Mar 12 2022\n\nCases: 1,403,268\n"
    )
    assert covid.endswith("#covid_missouri\nhttps://covid.yanoagenda.com/states/Missouri")
    assert set(posts.loc[[f"mastodon:{host}/{x['id']}" for x in home], "lang"].dropna()) == {
        "en",
        "de",
    }
    # authors: unique across instances (local accounts get the instance's domain)
    acc = ws.table("accounts").set_index("account_id")
    assert f"mastodon:{tag[0]['account']['acct']}" in acc.index
    assert (acc["role"] == "public").all()
    assert posts["channel"].eq("microblog").all()


def test_mastodon_429_500_and_timeout_mid_paging(api_samples, replay_server):  # noqa: F811
    tag, _ = _mastodon_server(replay_server, api_samples)
    p = "/api/v1/timelines/tag/mastodon"
    replay_server.inject(p, at=1, status=429, headers={"Retry-After": "7"})
    replay_server.inject(p, at=3, status=500)  # the second page
    replay_server.inject(p, at=5, delay=1.0)  # the third page: longer than the timeout
    clock = FakeClock()
    ws = Workspace()
    s = REGISTRY["mastodon"].Settings(
        id="m", instance=replay_server.base_url, hashtags=["mastodon"], limit=7, timeout=0.3
    )
    c = _collector("mastodon", clock, http_options={"backoff_base": 2.0})
    r = c.collect(ws, s)
    assert r.error is None and r.added["posts"] == len(tag) == 20
    assert clock.sleeps[0] == 7.0  # Retry-After honoured
    assert 1.0 <= clock.sleeps[1] <= 2.0  # backoff after the 500 (base 2 s, equal jitter)
    assert 1.0 <= clock.sleeps[2] <= 2.0  # and after the timeout
    assert replay_server.hits(p) == 4 + 3


def test_mastodon_malformed_records_are_counted(api_samples, replay_server):  # noqa: F811
    tag, _ = _mastodon_server(replay_server, api_samples)

    def breakit(data):
        if not data:  # the empty end page
            return data
        data[2].pop("id")
        data[5]["account"] = None
        data[6]["created_at"] = "yesterday"
        data[8]["content"] = 123  # not text
        return data

    replay_server.transform("/api/v1/timelines/tag/mastodon", breakit)
    ws = Workspace()
    s = REGISTRY["mastodon"].Settings(
        id="m", instance=replay_server.base_url, hashtags=["mastodon"], limit=40
    )
    r = _collector("mastodon", FakeClock()).collect(ws, s)
    assert r.skipped == {
        "status without an id": 1,
        "status without an author account": 1,
        "status with a missing or unreadable created_at": 1,
        "status of an unexpected shape (TypeError)": 1,
    }
    assert r.added["posts"] == 16
    log = ws.table("collect_log")
    assert dict(zip(log["reason"], log["count"], strict=True)) == r.skipped
    assert set(log["event"]) == {"skipped"}


def test_mastodon_twice_adds_nothing_and_then_only_what_is_new(api_samples, replay_server):  # noqa: F811
    tag = _load(api_samples, f"{MASTODON}/sys1yagi_mastodon4j/tag.json")
    ordered = sorted(tag, key=lambda x: int(x["id"]))
    shown = ordered[:15]
    replay_server.add_mastodon_timeline("/api/v1/timelines/tag/mastodon", shown)
    ws = Workspace()
    s = REGISTRY["mastodon"].Settings(
        id="m", instance=replay_server.base_url, hashtags=["mastodon"], limit=4
    )
    c = _collector("mastodon", FakeClock())
    assert c.collect(ws, s).added["posts"] == 15
    before = ws.counts()
    again = c.collect(ws, s)
    assert again.error is None and again.added == {} and ws.counts()["posts"] == before["posts"]
    assert ws.counts()["post_metrics"] == before["post_metrics"]
    # five newer statuses appear: the next sweep stops at the newest id already seen
    replay_server.add_mastodon_timeline("/api/v1/timelines/tag/mastodon", ordered)
    n = len(replay_server.requests)
    third = c.collect(ws, s)
    assert third.added["posts"] == 5
    assert all(f"since_id={shown[-1]['id']}" in p for _, p, _ in replay_server.requests[n:])
    assert ws.counts()["posts"] == 20
    imports = ws.imports()
    assert list(imports["status"]) == ["ok", "ok", "ok"]
    assert list(imports["format"].unique()) == ["collect:mastodon"]


def test_mastodon_search_offset_paging(api_samples, replay_server):  # noqa: F811
    # No recorded search answer exists here: the v2 search layout ({accounts, statuses,
    # hashtags}, offset paging) is built by hand from the API documentation, around the
    # real recorded statuses of tag.json.
    tag = _load(api_samples, f"{MASTODON}/sys1yagi_mastodon4j/tag.json")

    def search(q, h):
        assert q["type"] == "statuses" and q["q"] == "#mastodon"
        off, lim = int(q.get("offset", 0)), int(q["limit"])
        body = {"accounts": [], "statuses": tag[off : off + lim], "hashtags": []}
        return Reply(200, {"Content-Type": "application/json"}, json.dumps(body).encode())

    replay_server.route("/api/v2/search", search)
    ws = Workspace()
    s = REGISTRY["mastodon"].Settings(
        id="m", instance=replay_server.base_url, searches=["#mastodon"], limit=8
    )
    c = _collector("mastodon", FakeClock())
    r = c.collect(ws, s)
    assert r.error is None and r.added["posts"] == 20 and r.pages == 4
    offsets = [re.search(r"offset=(\d+)", p).group(1) for _, p, _ in replay_server.requests]
    assert offsets == ["0", "8", "16", "20"]
    if "search_text" in ws.table("posts").columns:  # filled by the workspace's insert path
        from ripplemeter.listen.query import search_text

        posts = ws.table("posts")
        assert posts["search_text"].tolist() == [search_text(t) for t in posts["text"]]
    assert c.collect(ws, s).added == {}


def test_mastodon_since_stops_paging_back(api_samples, replay_server):  # noqa: F811
    tag, _ = _mastodon_server(replay_server, api_samples)
    since = pd.Timestamp("2017-04-21 14:40:00")
    newer = [x for x in tag if pd.Timestamp(x["created_at"]).tz_convert(None) >= since]
    assert 0 < len(newer) < len(tag)
    ws = Workspace()
    s = REGISTRY["mastodon"].Settings(
        id="m", instance=replay_server.base_url, hashtags=["mastodon"], limit=4
    )
    r = _collector("mastodon", FakeClock()).collect(ws, s, since=since.to_pydatetime())
    assert r.added["posts"] == len(newer)
    # paging stops at the first page whose statuses are all older than `since` (timelines are
    # in id order, i.e. arrival order: a late-federated status may be older than later ones)
    ordered = sorted(tag, key=lambda x: int(x["id"]), reverse=True)
    pages = [ordered[i : i + 4] for i in range(0, len(ordered), 4)]
    stop = next(
        i
        for i, pg in enumerate(pages)
        if all(pd.Timestamp(x["created_at"]).tz_convert(None) < since for x in pg)
    )
    # by hand: page 2 holds the late-federated status of 2017-04-08 next to one of 14:45, so
    # paging goes on; page 3 (14:39 .. 14:33) is all older
    assert stop == 2 and len(newer) == 5
    assert r.pages == stop + 1 < len(pages) + 1


def test_mastodon_max_pages_resumes_on_the_next_run(api_samples, replay_server):  # noqa: F811
    tag, _ = _mastodon_server(replay_server, api_samples)
    ws = Workspace()
    s = REGISTRY["mastodon"].Settings(
        id="m", instance=replay_server.base_url, hashtags=["mastodon"], limit=4, max_pages=2
    )
    c = _collector("mastodon", FakeClock())
    got = [c.collect(ws, s).added.get("posts", 0) for _ in range(4)]
    # 20 statuses by 4: two pages per run, the fifth page of the sweep, then the empty end
    assert got == [8, 8, 4, 0]
    assert json.loads(ws.table("collect_checkpoints")["cursor"][0])["done"] is True
    assert sorted(ws.table("posts")["post_id"]) == sorted(
        f"mastodon:{replay_server.base_url.split('//')[1]}/{x['id']}" for x in tag
    )


def test_expired_token_is_reported_without_the_token(api_samples, replay_server, monkeypatch):  # noqa: F811
    _mastodon_server(replay_server, api_samples)
    secret = "tok-9f8e7d6c5b4a-SECRET"
    monkeypatch.setenv("RM_MASTODON_TOKEN", secret)
    p = "/api/v1/timelines/tag/mastodon"
    replay_server.inject(p, at=2, status=401, body=b'{"error":"The access token is invalid"}')
    ws = Workspace()
    s = REGISTRY["mastodon"].Settings(
        id="m",
        instance=replay_server.base_url,
        hashtags=["mastodon"],
        limit=7,
        credentials="env:RM_MASTODON_TOKEN",
    )
    r = _collector("mastodon", FakeClock()).collect(ws, s)
    assert replay_server.requests[0][2]["Authorization"] == f"Bearer {secret}"
    assert r.error is not None
    assert "401" in r.error and "env:RM_MASTODON_TOKEN" in r.error and "expired" in r.error
    assert secret not in r.error
    assert r.added["posts"] == 7  # the page before the failure stays
    log = ws.table("collect_log")
    assert list(log["event"]) == ["error"] and log["reason"][0] == r.error
    assert ws.imports()["status"].tolist() == ["error"]
    assert secret not in _all_text(ws)


def test_collect_all_isolates_a_failing_source(api_samples, replay_server):  # noqa: F811
    _mastodon_server(replay_server, api_samples)
    ok = REGISTRY["mastodon"].Settings(id="good", instance=replay_server.base_url, public=True)
    bad = REGISTRY["mastodon"].Settings(
        id="bad", instance=replay_server.base_url, hashtags=["nosuchtag"]
    )
    gone = REGISTRY["rss"].Settings(id="gone", url="http://127.0.0.1:9/feed.xml", max_retries=0)
    clock = FakeClock()
    ws = Workspace()
    results = collect_all(
        ws, [bad, gone, ok], collector_options={"sleep": clock.sleep, "clock": clock.time}
    )
    assert [r.source_id for r in results] == ["bad", "gone", "good"]
    assert "404" in results[0].error and "source 'bad'" in results[0].error
    assert results[1].detail == (
        "the server could not be reached (connection refused): http://127.0.0.1:9/feed.xml; "
        "gave up after 1 attempt. Check the host and port of `url` in listen.toml, or try "
        "again once the server is up"
    )
    assert results[1].error == "source 'gone': " + results[1].detail
    assert results[2].error is None and results[2].added["posts"] == 31
    errors = ws.table("collect_log")
    assert sorted(errors["source_id"]) == ["bad", "gone"]


# ---------------------------------------------------------------------- Bluesky
def _bsky_kinds(posts: list[dict]) -> dict[str, int]:
    out = {"original": 0, "reply": 0, "quote": 0}
    for p in posts:
        rec = p["record"]
        emb = (rec.get("embed") or {}).get("$type")
        if "reply" in rec:
            out["reply"] += 1
        elif emb in ("app.bsky.embed.record", "app.bsky.embed.recordWithMedia"):
            out["quote"] += 1
        else:
            out["original"] += 1
    return {k: v for k, v in out.items() if v}


@pytest.mark.parametrize(
    "recording",
    ["f_search.yml", "app.bsky.feed.searchPosts-5d343d.json"],
    ids=["2025-no-hitsTotal", "2023-hitsTotal"],
)
def test_bluesky_search_pages_to_the_end(api_samples, replay_server, recording):  # noqa: F811
    if recording.endswith(".yml"):
        body = json.loads(read_cassette(api_samples / BSKY / recording)[0]["body"])
    else:
        body = _load(api_samples, f"{BSKY}/{recording}")
    # one recorded page; the server pages over its posts with an offset cursor, as searchPosts does
    extra = {"hitsTotal": body["hitsTotal"]} if "hitsTotal" in body else None
    replay_server.add_cursor_pages(
        "/xrpc/app.bsky.feed.searchPosts", body["posts"], key="posts", extra=extra
    )
    ws = Workspace()
    s = REGISTRY["bluesky"].Settings(
        id="b", service=replay_server.base_url, queries=["redistricting"], limit=10
    )
    r = _collector("bluesky", FakeClock()).collect(ws, s)
    n = len(body["posts"])
    assert r.error is None and r.pages == -(-n // 10)
    assert r.added["posts"] == n
    posts = ws.table("posts")
    assert posts["kind"].value_counts().to_dict() == _bsky_kinds(body["posts"])
    first = body["posts"][0]
    did, _, rkey = first["uri"][5:].split("/")
    row = posts.set_index("post_id").loc[f"bluesky:{did}/{rkey}"]
    assert row["text"] == first["record"]["text"]
    assert row["url"] == f"https://bsky.app/profile/{first['author']['handle']}/post/{rkey}"
    assert [p for _, p, _ in replay_server.requests][1].endswith("&cursor=10")
    m = ws.table("post_metrics").set_index("post_id")
    assert m.loc[f"bluesky:{did}/{rkey}", "likes"] == first["likeCount"]


def test_bluesky_author_feed_reposts_and_replies(api_samples, replay_server):  # noqa: F811
    cassette = api_samples / BSKY / "f_autfeed.yml"
    replay_server.add_cassette(cassette)  # served byte-for-byte, without the stale gzip header
    body = json.loads(read_cassette(cassette)[0]["body"])
    # past the recorded page the API answers an empty feed (not recorded; served here)
    replay_server.add_body(
        "/xrpc/app.bsky.feed.getAuthorFeed",
        '{"feed": []}',
        query={"actor": "chriskenny.bsky.social", "cursor": body["cursor"]},
    )
    ws = Workspace()
    s = REGISTRY["bluesky"].Settings(
        id="b", service=replay_server.base_url, actors=["chriskenny.bsky.social"]
    )
    r = _collector("bluesky", FakeClock()).collect(ws, s)
    assert r.error is None and r.pages == 2
    feed = body["feed"]
    reposts = [
        it for it in feed if (it.get("reason") or {}).get("$type", "").endswith("reasonRepost")
    ]
    assert len(reposts) == 7
    uris = {it["post"]["uri"] for it in feed}
    posts = ws.table("posts").set_index("post_id")
    assert len(posts) == len(uris) + len(reposts)
    assert (posts["kind"] == "repost").sum() == 7
    replies = {it["post"]["uri"] for it in feed if "reply" in it["post"]["record"]}
    assert (posts["kind"] == "reply").sum() == len(replies)
    rp = reposts[0]
    did, _, rkey = rp["post"]["uri"][5:].split("/")
    row = posts.loc[f"bluesky:{rp['reason']['by']['did']}/repost/{rkey}"]
    assert row["parent_id"] == f"bluesky:{did}/{rkey}"
    assert row["account_id"] == f"bluesky:{rp['reason']['by']['did']}"
    assert row["created_at"] == pd.Timestamp(rp["reason"]["indexedAt"]).tz_convert(None)
    assert row["text"] == rp["post"]["record"]["text"]


def test_bluesky_2023_author_feed(api_samples, replay_server):  # noqa: F811
    body = _load(api_samples, f"{BSKY}/app.bsky.feed.getAuthorFeed-d3a6a5.json")
    raw = (api_samples / BSKY / "app.bsky.feed.getAuthorFeed-d3a6a5.json").read_bytes()
    replay_server.add_body(
        "/xrpc/app.bsky.feed.getAuthorFeed", raw, query={"actor": "chriskenny.bsky.social"}
    )
    replay_server.add_body(
        "/xrpc/app.bsky.feed.getAuthorFeed",
        '{"feed": []}',
        query={"actor": "chriskenny.bsky.social", "cursor": body["cursor"]},
    )
    ws = Workspace()
    s = REGISTRY["bluesky"].Settings(
        id="b", service=replay_server.base_url, actors=["chriskenny.bsky.social"]
    )
    r = _collector("bluesky", FakeClock()).collect(ws, s)
    assert r.error is None
    kinds = ws.table("posts")["kind"].value_counts().to_dict()
    # a repost (and its original), a reply, a plain post
    assert kinds == {"repost": 1, "original": 2, "reply": 1}
    reply = ws.table("posts").query("kind == 'reply'").iloc[0]
    item = next(it for it in body["feed"] if "reply" in it)
    parent = item["post"]["record"]["reply"]["parent"]["uri"][5:].split("/")
    assert reply["parent_id"] == f"bluesky:{parent[0]}/{parent[2]}"


def test_bluesky_429_500_malformed_and_twice(api_samples, replay_server):  # noqa: F811
    body = json.loads(read_cassette(api_samples / BSKY / "f_search.yml")[0]["body"])
    p = "/xrpc/app.bsky.feed.searchPosts"
    replay_server.add_cursor_pages(
        p, body["posts"], key="posts", time_of=lambda x: x["record"]["createdAt"]
    )
    clock = FakeClock()
    later = datetime.fromtimestamp(clock.t + 90, tz=UTC)
    replay_server.inject(
        p, at=1, status=429, headers={"Retry-After": format_datetime(later, usegmt=True)}
    )
    replay_server.inject(p, at=3, status=500)

    def breakit(data):
        if data["posts"]:
            data["posts"][0].pop("uri")
            data["posts"][1]["record"] = None
        return data

    replay_server.transform(p, breakit)
    ws = Workspace()
    s = REGISTRY["bluesky"].Settings(
        id="b", service=replay_server.base_url, queries=["redistricting"], limit=10
    )
    c = _collector("bluesky", clock)
    r = c.collect(ws, s)
    assert r.error is None
    assert clock.sleeps[0] == pytest.approx(90)  # HTTP-date Retry-After
    assert r.skipped == {"post without an at:// uri": 3, "post without a record": 3}
    assert r.added["posts"] == 25 - 6
    # the same answers again (searchPosts asked `since` the newest stored post): nothing added;
    # the two broken records, newer than that, are met and counted again
    before = ws.counts()
    again = c.collect(ws, s)
    assert again.added == {} and again.error is None and again.pages == 1
    assert again.skipped == {"post without an at:// uri": 1, "post without a record": 1}
    assert ws.counts() == {**before, "collect_log": before["collect_log"] + 2}
    # `since` is the newest post stored (items 0 and 1 of each served page were broken)
    kept = [x for i, x in enumerate(body["posts"]) if i % 10 > 1]
    newest = max(pd.Timestamp(x["record"]["createdAt"]) for x in kept)
    sent = dict(parse_qsl(urlsplit(replay_server.requests[-1][1]).query))
    assert pd.Timestamp(sent["since"]) == newest


# ---------------------------------------------------------------------- RSS / Atom
FEEDS = {
    "guardian": ("rbren_rss-parser/guardian.rss", 55, None),
    "heise": ("rbren_rss-parser/heise.atom", 15, None),
    "qq": ("rbren_rss-parser/encoding-gb2312.xml", 20, "Asia/Shanghai"),
    "khan": ("neverlish_Learned/news_00.xml", 324, None),
}


@pytest.mark.parametrize("name", list(FEEDS))
def test_rss_feeds(api_samples, replay_server, name):  # noqa: F811
    rel, items, zone = FEEDS[name]
    raw = (api_samples / RSS / rel).read_bytes()
    replay_server.add_body("/feed", raw, headers={"Content-Type": "application/xml"})
    ws = Workspace()
    s = REGISTRY["rss"].Settings(id="f", url=replay_server.base_url + "/feed", timezone=zone)
    r = _collector("rss", FakeClock()).collect(ws, s)
    assert r.error is None and r.skipped == {}
    posts = ws.table("posts")
    keys = re.findall(rb"<(?:item|entry)[ >]", raw)
    assert len(keys) == items
    assert len(posts) == r.added["posts"] <= items
    assert posts["created_at"].notna().all()
    acc = ws.table("accounts")
    assert len(acc) == 1 and acc["role"][0] == "media" and acc["media_type"][0] == "online"
    if name == "qq":
        text = raw.decode("gb2312")
        first_title = re.findall(r"<item>\s*<title>(.*?)</title>", text, re.S)[0]
        row = posts.iloc[0]
        assert row["text"].startswith(first_title)
        # '2018-09-18 14:38:10' has no zone: Beijing time, 06:38:10 UTC
        first_date = re.findall(r"<pubDate>(.*?)</pubDate>", text)[0]
        assert first_date == "2018-09-18 14:38:10"
        assert row["created_at"] == pd.Timestamp("2018-09-18 06:38:10")
        assert row["lang"] == "zh"
    if name == "heise":
        # 2016-02-01T17:22:00+01:00
        assert posts["created_at"].iloc[0] == pd.Timestamp("2016-02-01 16:22:00")
    if name == "guardian":
        assert posts["lang"].eq("en").all()
        first = re.search(rb"<item>.*?<link>(.*?)</link>", raw, re.S).group(1).decode()
        assert posts["url"].iloc[0] == first
        assert "&lt;" not in "".join(posts["text"]) and "<p>" not in "".join(posts["text"])
    if name == "khan":
        # no guid: the link identifies an article; 3 articles appear twice and are stored once
        bodies = re.findall(rb"<item>(.*?)</item>", raw, re.S)
        links = {re.search(rb"<link>(.*?)</link>", b, re.S).group(1) for b in bodies}
        assert len(links) == 321 and len(posts) == 321
        assert not posts["text"].str.contains("\r").any()


def test_rss_conditional_get_and_faults(api_samples, replay_server):  # noqa: F811
    raw = (api_samples / RSS / "rbren_rss-parser/guardian.rss").read_bytes()
    # add one item with no guid, link or title: skipped and counted
    broken = raw.replace(b"<item>", b"<item><description>orphan</description></item><item>", 1)
    etag = '"v1"'
    modified = "Wed, 31 Jan 2018 20:15:15 GMT"

    def handler(q, h):
        if h.get("If-None-Match") == etag:
            return Reply(304, {"ETag": etag})
        return Reply(
            200,
            {"Content-Type": "application/rss+xml", "ETag": etag, "Last-Modified": modified},
            broken,
        )

    replay_server.route("/feed", handler)
    replay_server.inject("/feed", at=1, status=429, headers={"Retry-After": "5"})
    replay_server.inject("/feed", at=2, status=502)
    clock = FakeClock()
    ws = Workspace()
    s = REGISTRY["rss"].Settings(id="g", url=replay_server.base_url + "/feed", channel="blog")
    c = _collector("rss", clock)
    r = c.collect(ws, s)
    assert r.error is None and r.added["posts"] == 55
    assert r.skipped == {"entry without a guid, link or title": 1}
    assert clock.sleeps[0] == 5.0
    assert ws.table("posts")["channel"].eq("blog").all()
    again = c.collect(ws, s)
    assert again.added == {} and again.error is None
    sent = replay_server.requests[-1][2]
    assert sent["If-None-Match"] == etag and sent["If-Modified-Since"] == modified
    assert ws.counts()["posts"] == 55


def test_rss_not_a_feed(replay_server):  # noqa: F811
    replay_server.add_body(
        "/feed", "<html><body>Moved</body></html>", headers={"Content-Type": "text/html"}
    )
    ws = Workspace()
    s = REGISTRY["rss"].Settings(id="x", url=replay_server.base_url + "/feed")
    r = _collector("rss", FakeClock()).collect(ws, s)
    assert r.error is not None and "not a readable RSS or Atom feed" in r.error


def test_html_to_text():
    assert html_to_text("<p>a &amp; b<br>c</p><p>d</p>") == "a & b\nc\n\nd"
    assert html_to_text(None) is None


def test_settings_forbid_unknown_keys_and_need_a_stream():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="extra"):
        REGISTRY["rss"].Settings(id="x", url="https://e.com/f", colour="red")
    with pytest.raises(ValidationError, match="at least one"):
        REGISTRY["mastodon"].Settings(id="x", instance="https://m.social")
    with pytest.raises(ValidationError, match="time zone"):
        REGISTRY["rss"].Settings(id="x", url="https://e.com/f", timezone="Mars/Olympus")


def test_bluesky_expired_token_and_odd_records(api_samples, replay_server, tmp_path):  # noqa: F811
    body = json.loads(read_cassette(api_samples / BSKY / "f_search.yml")[0]["body"])
    p = "/xrpc/app.bsky.feed.searchPosts"
    replay_server.add_cursor_pages(p, body["posts"], key="posts")

    def odd(data):
        if data["posts"]:
            data["posts"][0]["record"]["langs"] = 7  # not a list: ignored, post kept
            data["posts"][1]["author"] = "nobody"  # not a profile: skipped
            data["posts"][2]["record"]["embed"] = ["not", "an", "object"]
            data["posts"][3]["uri"] = 42
        return data

    replay_server.transform(p, odd)
    # AT Protocol answers an expired access token with 400 {"error": "ExpiredToken"}
    replay_server.inject(
        p, at=3, status=400, body=b'{"error":"ExpiredToken","message":"Token has expired"}'
    )
    token_file = tmp_path / "bsky-token"
    token_file.write_text("eyJhbGciOi.SECRET.jwt\n")
    ws = Workspace()
    s = REGISTRY["bluesky"].Settings(
        id="b",
        service=replay_server.base_url,
        queries=["redistricting"],
        limit=10,
        credentials=f"file:{token_file}",
    )
    seen = []
    r = _collector("bluesky", FakeClock(), project_dir=tmp_path / "project").collect(
        ws, s, progress=lambda *a: seen.append(a)
    )
    assert r.error is not None and "400" in r.error and f"file:{token_file}" in r.error
    assert "expired" in r.error and "SECRET" not in r.error
    assert r.pages == 2 and [a[2] for a in seen] == [1, 2]
    assert seen[-1][:2] == ("b", "search:redistricting")
    assert seen[-1][3] == sum(r.added.values())
    assert r.skipped == {"post without an author did": 2, "post without an at:// uri": 2}
    assert r.added["posts"] == 20 - 4  # the 2 pages before the refusal, minus the skipped
    assert "SECRET" not in _all_text(ws)
