"""News articles and feed items get no spam check (the filter learned YouTube comments and
called 38 of 55 Guardian articles spam in a new user's listening trial); comments and
posts of social platforms keep it. Rows written by hand."""

from __future__ import annotations

import pytest

from ripplemeter.campaign import load_campaign
from ripplemeter.text.annotate import annotate_workspace
from ripplemeter.workspace import Workspace

MENTIONS = """id,platform,channel,author,created_at,text,parent_id,url
c1,mastodon,,amy,2026-03-02 10:00:00,Check out my channel and subscribe!! http://bit.ly/free-matcha,,
n1,naver_news,news,desk,2026-03-02 10:30:00,Check out my channel and subscribe!! http://bit.ly/free-matcha,,
r1,rss,blog,feed,2026-03-02 11:00:00,Subscribe now for the new matcha review http://bit.ly/matcha,,
c2,reddit,forum,bob,2026-03-02 12:00:00,I love the new matcha,,
c3,naver_news,news,eve,2026-03-02 13:00:00,Check out my channel and subscribe!! http://bit.ly/free-matcha,n1,
"""


@pytest.fixture
def ws(tmp_path):
    (tmp_path / "mentions.csv").write_text(MENTIONS, encoding="utf-8")
    (tmp_path / "campaign.toml").write_text(
        '[campaign]\nname = "Articles"\nstart = 2026-03-01\nend = 2026-03-31\n'
        '[[sources]]\npath = "mentions.csv"\nformat = "comments"\n'
    )
    camp = load_campaign(tmp_path / "campaign.toml")
    with Workspace(tmp_path / "ws.duckdb") as w:
        camp.import_sources(w)
        yield w


def test_articles_and_feed_items_are_not_spam_checked(ws):
    pytest.importorskip("numba")
    posts = dict(ws.con.execute("SELECT post_id, kind FROM posts").fetchall())
    assert sorted(posts.values()) == ["comment", "original", "original", "original", "original"]
    res = annotate_workspace(ws, tasks=("language", "spam"))
    rows = dict(
        ws.con.execute(
            "SELECT p.platform || ' ' || p.kind, a.label FROM annotations a "
            "JOIN posts p ON p.post_id = a.subject_id WHERE a.task = 'spam'"
        ).fetchall()
    )
    # the same text as the news item, from a Mastodon account or as a comment under the news
    # article: checked (and spam); the article itself and the feed item: not checked
    assert rows == {
        "mastodon original": "spam",
        "reddit original": "ham",
        "naver_news comment": "spam",
    }
    assert res.added["spam"] == 3
