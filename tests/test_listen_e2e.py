"""End to end: a listening project collects the recorded Mastodon, Bluesky, Reddit, YouTube and
RSS responses from a local replay server (``tests/replay.py``), and its report shows volume,
share of voice, associated terms and alerts.

The replay server serves the real recordings of ``api_samples`` (see its PROVENANCE.md); where
a recording is one page without paging headers, the server pages over its items as the API
does (Mastodon ``Link`` headers, Bluesky's offset cursor, Reddit's ``after``), as in the
collectors' own tests. Expected counts are read from the recorded JSON directly.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from replay import Reply, api_samples, read_cassette, replay_server  # noqa: F401
from ripplemeter.cli import app
from ripplemeter.listen.query import parse
from ripplemeter.workspace import Workspace

runner = CliRunner()


def _serve(server, root: Path) -> dict[str, list[str]]:
    """Serve one recording per platform; returns the texts served, by platform."""
    tag = json.loads((root / "mastodon/sys1yagi_mastodon4j/tag.json").read_text(encoding="utf-8"))
    server.add_mastodon_timeline("/api/v1/timelines/tag/mastodon", tag)
    bsky = json.loads(
        (root / "bluesky/christopherkenny_bskyr/app.bsky.feed.searchPosts-5d343d.json").read_text(
            encoding="utf-8"
        )
    )
    server.add_cursor_pages("/xrpc/app.bsky.feed.searchPosts", bsky["posts"], key="posts")
    cassette = root / "reddit/praw-dev_praw/TestSubredditListings.test_new.json"
    server.add_cassette(cassette)
    gets = [it for it in read_cassette(cassette) if it["method"] == "GET"]
    reddit = json.loads(gets[-1]["body"])
    after = reddit["data"]["after"]
    end = {"kind": "Listing", "data": {"children": [], "after": None, "before": None}}
    server.add_body(
        "/r/askreddit/new",
        json.dumps(end),
        query={"limit": "100", "raw_json": "1", "after": after},
    )
    yt = json.loads(
        (root / "youtube/sns-sdks_python-youtube/search_by_keywords_p1.json").read_text(
            encoding="utf-8"
        )
    )
    yt_page = dict(yt)
    yt_page.pop("nextPageToken", None)  # one recorded page: served as the last one
    server.route(
        "/search",
        lambda q, h: Reply(200, {"Content-Type": "application/json"}, json.dumps(yt_page).encode()),
    )
    rss = (root / "rss/rbren_rss-parser/guardian.rss").read_bytes()
    server.route("/feed", lambda q, h: Reply(200, {"Content-Type": "application/rss+xml"}, rss))
    return {
        "mastodon": [s["content"] for s in tag],
        "bluesky": [p["record"]["text"] for p in bsky["posts"]],
        "reddit": [c["data"]["title"] for c in reddit["data"]["children"]],
        "youtube": [i["snippet"]["title"] for i in yt["items"]],
    }


def test_listening_report_from_the_replayed_platforms(  # noqa: F811
    tmp_path,
    api_samples,  # noqa: F811
    replay_server,  # noqa: F811
    monkeypatch,
):
    served = _serve(replay_server, api_samples)
    monkeypatch.setenv("RM_TEST_YT_KEY", "AIzaFAKE-e2e-key")
    base = replay_server.base_url
    toml = tmp_path / "listen.toml"
    toml.write_text(
        f"""
[project]
name = "Replay listening"
timezone = "UTC"

[[topics]]
id = "mastodon"
name = "Mastodon"
role = "brand"
query = "mastodon OR toot*"

[[topics]]
id = "twitter"
name = "Twitter"
role = "competitor"
query = "twitter OR tweet*"

[[topics]]
id = "surf"
name = "Surfing"
role = "industry"
query = "surf*"

[[sources]]
id = "tag"
kind = "mastodon"
instance = "{base}"
hashtags = ["mastodon"]

[[sources]]
id = "sky"
kind = "bluesky"
service = "{base}"
queries = ["redistricting"]
limit = 10

[[sources]]
id = "askreddit"
kind = "reddit"
base_url = "{base}"
subreddits = ["askreddit"]

[[sources]]
id = "yt"
kind = "youtube"
base_url = "{base}"
searches = ["surfing"]
credentials = "env:RM_TEST_YT_KEY"
replies = false

[[sources]]
id = "guardian"
kind = "rss"
url = "{base}/feed"

[alerts]
rule = "meltwater"
""",
        encoding="utf-8",
    )
    r = runner.invoke(app, ["listen", "collect", str(toml)])
    assert r.exit_code == 0, r.output
    for sid in ("tag", "sky", "askreddit", "yt", "guardian"):
        assert re.search(rf"^{sid}: .*\b[1-9]\d* posts", r.stdout, re.M), r.stdout
    # collecting twice adds nothing twice
    with Workspace(tmp_path / "listen.duckdb") as ws:
        n_posts = ws.con.execute("SELECT count(*) FROM posts").fetchone()[0]
        platforms = {x for (x,) in ws.con.execute("SELECT DISTINCT platform FROM posts").fetchall()}
        frame = ws.sql(
            "SELECT post_id, text, search_text, lang, platform, channel, account_id, NULL AS handle FROM posts"
        )
    assert {"mastodon", "bluesky", "reddit", "youtube"} <= platforms and len(platforms) == 5
    r = runner.invoke(app, ["listen", "collect", str(toml)])
    assert r.exit_code == 0 and r.stdout.count("nothing new") == 5, r.stdout
    with Workspace(tmp_path / "listen.duckdb") as ws:
        assert ws.con.execute("SELECT count(*) FROM posts").fetchone()[0] == n_posts

    out = tmp_path / "report"
    r = runner.invoke(app, ["listen", "report", str(toml), "--out", str(out), "--no-sentiment"])
    assert r.exit_code == 0, r.output
    doc = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    L = doc["listening"]
    t = L["topics"]
    # the same posts as the query matched in Python over the collected rows
    for tid, q in (
        ("mastodon", "mastodon OR toot*"),
        ("twitter", "twitter OR tweet*"),
        ("surf", "surf*"),
    ):
        assert t[tid]["mentions"] == int(parse(q).match(frame).sum()), tid
    # every one of the 20 recorded #mastodon statuses is a Mastodon mention (HTML stripped)
    assert t["mastodon"]["mentions"] >= len(served["mastodon"]) == 20
    surf = sum(bool(re.search(r"(?i)\bsurf", x)) for x in served["youtube"])
    assert surf and t["surf"]["mentions"] >= surf
    # volume, share of voice, associated terms and alerts are all there
    total = t["mastodon"]["mentions"] + t["twitter"]["mentions"]
    assert t["mastodon"]["share_of_voice"]["mentions"] == t["mastodon"]["mentions"] / total
    assert sum(n for _, n in t["mastodon"]["volume"]["day"]) == t["mastodon"]["mentions"]
    assert t["mastodon"]["terms"], t["mastodon"]["reasons"]
    assert all(x["mentions"] >= 3 and x["llr"] > 0 for x in t["mastodon"]["terms"])
    assert isinstance(t["mastodon"]["alerts"], list)
    alerts = [a for x in t.values() for a in x["alerts"]]
    # 17 of the 20 recorded #mastodon statuses fall in one hour (2017-04-21 14:00 UTC), one
    # before and one after, following months of silence: the 24-hour mean rule fires at the
    # first post (03:00) and peaks at (1 + 17 + 1) / 24 in the hour after the burst; the
    # posts shown are the burst hour's, the busiest of that 24-hour window
    burst = [a for a in t["mastodon"]["alerts"] if a["start"] == "2017-04-21T03:00:00+00:00"]
    assert len(burst) == 1 and burst[0]["rule"] == "meltwater"
    assert burst[0]["peak_at"] == "2017-04-21T15:00:00+00:00"
    assert burst[0]["observed"] == round(19 / 24, 6)
    with Workspace(tmp_path / "listen.duckdb") as ws:
        in_burst = {
            x
            for (x,) in ws.con.execute(
                "SELECT post_id FROM posts WHERE created_at >= '2017-04-21 14:00' "
                "AND created_at < '2017-04-21 15:00' AND platform = 'mastodon'"
            ).fetchall()
        }
    assert len(in_burst) == 17
    assert len(burst[0]["posts"]) == 3 and {p["post_id"] for p in burst[0]["posts"]} <= in_burst
    for a in alerts:
        assert {"rule", "start", "end", "observed", "expected", "threshold", "window"} <= set(a)
        assert a["observed"] > a["threshold"]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Share of voice" in html and "Associated terms" in html and "Alerts" in html
    assert "AIzaFAKE-e2e-key" not in html and "AIzaFAKE-e2e-key" not in json.dumps(doc)
