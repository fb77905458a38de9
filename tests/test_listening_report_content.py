"""What the listening report says about its own basis: checked against hand counts.

Issue 10, a new user's trial (findings 3, 6, 7, 8 and 9): sentiment figures say how many
mentions they rest on, the report lists its sources, the alert table names the hour its
posts come from and the unit of its values, associated terms fold English plurals and
leave out quantity words, days read "1 Dec 2026", and Mastodon names lose their emoji
shortcodes.

Hand counts (time zone Asia/Seoul, UTC+9; window 2026-12-01..2026-12-02). Eleven posts, one
file (``mentions.csv``, format ``comments``):

* mastodon (brand, query ``mastodon``): q1 q2 q3 q4 q5 q6 q11 = 7 mentions; sentiment by
  hand on q1 (positive), q2 and q3 (negative): 3 read; q4 q5 French and q6 Japanese have
  no model (French 2, Japanese 1); q11 is English without an annotation (1 pending).
  Net sentiment (1 - 2) / 3 = -1/3.
* twitter (competitor, query ``twitter``): q7 (positive, 1 Dec) and q8 (French, 2 Dec): 2
  mentions, 1 read. Competitive set: 9 mentions, 3 + 1 = 4 read; positive 1 and 1, so
  share of voice by positive mentions 1/2 each. Mentions of any topic read: q1 q2 q3 q7 = 4.
* q9 and q10 mention no topic; q3 and q10 say "a lot of" (a stopword now).
* Terms: English q1 and q3 hold "instances", q2 "instance": one term, "instances" (2 texts
  against 1), in 3 mastodon mentions and none outside; French q4's "instance" stays apart.
  G² for 3 of 7 inside, 0 of 4 outside (n = 11; expected 21/11, 12/11, 56/11, 32/11):
  2 (3 ln(11/7) + 4 ln(11/14) + 4 ln(11/8)) = 3.3302 (below 3.84: min_llr = 0 here).
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from ripplemeter.evaluate.listening import (
    ListeningSettings,
    TopicSettings,
    alert_posts_caption,
    alert_reading,
    author_label,
    fold_plurals,
    sentiment_coverage,
    tokenize,
    without_shortcodes,
)
from ripplemeter.listen.project import ListenProject, evaluate_listening
from ripplemeter.report import write_report
from ripplemeter.text.stopwords import stopwords
from ripplemeter.workspace import Workspace

POSTS = """id,platform,channel,author,created_at,text,parent_id,url,lang
q1,mastodon,microblog,a1,2026-12-01T01:00:00Z,Mastodon instances are great,,,en
q2,mastodon,microblog,a2,2026-12-01T02:00:00Z,Mastodon instance went down today,,,en
q3,mastodon,microblog,a3,2026-12-01T03:00:00Z,Mastodon has a lot of instances blocking,,,en
q4,mastodon,microblog,a4,2026-12-01T04:00:00Z,Mastodon est une instance libre,,,fr
q5,mastodon,microblog,a5,2026-12-01T05:00:00Z,J'aime bien Mastodon,,,fr
q6,mastodon,microblog,a6,2026-12-01T06:00:00Z,Mastodon を使っています,,,ja
q7,x,microblog,b1,2026-12-01T07:00:00Z,Twitter is noisy,,,en
q8,x,microblog,b2,2026-12-02T03:00:00Z,Twitter en français,,,fr
q9,x,microblog,c1,2026-12-01T08:00:00Z,The weather is nice,,,en
q10,x,microblog,c2,2026-12-01T09:00:00Z,A lot of rain today,,,en
q11,mastodon,microblog,a7,2026-12-01T10:00:00Z,Mastodon release notes,,,en
"""
SENTIMENT = {
    "mastodon:q1": "positive",
    "mastodon:q2": "negative",
    "mastodon:q3": "negative",
    "x:q7": "positive",
}
TOPICS = [
    TopicSettings(id="mastodon", name="Mastodon", role="brand", query="mastodon"),
    TopicSettings(id="twitter", name="Twitter", role="competitor", query="twitter"),
]


@pytest.fixture
def result(tmp_path):
    f = tmp_path / "mentions.csv"
    f.write_text(POSTS, encoding="utf-8")
    w = Workspace(tmp_path / "ws.duckdb")
    w.import_file(f, "comments")
    rows = pd.DataFrame(
        {
            "subject_id": list(SENTIMENT),
            "task": "sentiment",
            "label": list(SENTIMENT.values()),
            "model": "hand",
            "annotated_at": pd.Timestamp("2026-12-03"),
        }
    )
    w._insert("annotations", rows, 98)
    proj = ListenProject(
        name="Trial listening (test)",
        timezone="Asia/Seoul",
        workspace=tmp_path / "ws.duckdb",
        topics=list(TOPICS),
        listening=ListeningSettings(min_term_mentions=2, min_llr=0, alert_rule="none"),
        path=tmp_path / "listen.toml",
    )
    res = evaluate_listening(
        proj,
        w,
        start=pd.Timestamp("2026-12-01").date(),
        end=pd.Timestamp("2026-12-02").date(),
        annotate=False,
    )
    yield res
    w.close()


def _fig(res, path):
    return {f.path: f for f in res["listening"].figures}[path]


def test_sentiment_says_how_many_mentions_it_rests_on(result):
    L = result["listening"].data["listening"]
    m, t = L["topics"]["mastodon"], L["topics"]["twitter"]
    assert (m["mentions"], m["sentiment_read"]) == (7, 3)
    assert m["sentiment_unread"] == {"fr": 2, "ja": 1, "pending": 1}
    assert m["sentiment_unread_languages"] == {"fr": "French", "ja": "Japanese"}
    assert m["sentiment_unread_text"] == (
        " (3 in languages without a sentiment model: French 2, Japanese 1; 1 not annotated yet)"
    )
    assert m["net_sentiment"] == pytest.approx(-1 / 3)
    assert (t["mentions"], t["sentiment_read"], t["sentiment_unread"]) == (2, 1, {"fr": 1})
    assert L["sentiment_read"] == 4
    assert (L["competitive_mentions"], L["competitive_sentiment_read"]) == (9, 4)
    assert m["share_of_voice"]["positive"] == 0.5 and t["share_of_voice"]["positive"] == 0.5
    f = _fig(result, "listening.topics.mastodon.sentiment_read")
    assert (f.metric, f.value) == ("listening_sentiment_read", 3)
    f = _fig(result, "listening.topics.mastodon.sentiment_unread.fr")
    assert (f.metric, f.value) == ("listening_sentiment_unread", 2)
    f = _fig(result, "listening.competitive_sentiment_read")
    assert (f.metric, f.value) == ("listening_sentiment_read", 4)


def test_sentiment_by_day_keeps_days_without_a_read_mention(result):
    t = result["listening"].data["listening"]["topics"]["twitter"]
    assert t["sentiment_trend"] == [
        {
            "day": "2026-12-01",
            "day_text": "1 Dec 2026",
            "mentions": 1,
            "read": 1,
            "positive": 1,
            "neutral": 0,
            "negative": 0,
            "net_sentiment": 1.0,
        },
        {
            "day": "2026-12-02",
            "day_text": "2 Dec 2026",
            "mentions": 1,
            "read": 0,
            "positive": 0,
            "neutral": 0,
            "negative": 0,
            "net_sentiment": None,
        },
    ]
    f = _fig(result, "listening.topics.twitter.sentiment_trend.1.net_sentiment")
    assert f.reason == "no mention of the day was read for sentiment"


def test_sources_and_summary_are_in_the_section_data(result):
    L = result["listening"].data["listening"]
    [src] = L["sources"]
    assert {k: src[k] for k in ("source", "kind", "kind_text", "collected", "posts")} == {
        "source": "mentions.csv",
        "kind": "comments",
        "kind_text": "file (comments)",
        "collected": False,
        "posts": 11,
    }
    f = _fig(result, "listening.sources.0.posts")
    assert (f.metric, f.value) == ("listening_source_posts", 11)
    assert [s["text"] for s in L["summary"]] == [
        "Mastodon (brand): 7 mentions, 77.78% share of voice by mentions; no alert.",
        "Twitter (competitor): 2 mentions, 22.22% share of voice by mentions; no alert.",
    ]
    assert L["summary"][0]["figures"][1] == {
        "path": "listening.topics.mastodon.share_of_voice.mentions",
        "metric": "share_of_voice_mentions",
        "value": 7 / 9,
        "shown": "77.78%",
    }


def test_terms_fold_plurals_and_leave_out_quantity_words(result):
    m = result["listening"].data["listening"]["topics"]["mastodon"]
    terms = {x["term"]: x for x in m["terms"]}
    assert "lot" not in terms and "instance" not in terms
    assert (terms["instances"]["mentions"], terms["instances"]["outside"]) == (3, 0)
    g2 = 2 * (3 * math.log(11 / 7) + 4 * math.log(11 / 14) + 4 * math.log(11 / 8))
    assert terms["instances"]["llr"] == pytest.approx(g2) and g2 == pytest.approx(3.3302, abs=1e-4)


def test_report_shows_the_basis_sources_and_reader_dates(result, tmp_path):
    paths = write_report(result, tmp_path / "out", kind="listening")
    html = paths.html.read_text(encoding="utf-8")
    doc = json.loads(paths.metrics.read_text(encoding="utf-8"))
    assert doc["listening"]["sources"][0]["posts"] == 11
    assert 'id="listening-sources"' in html and "<td>mentions.csv</td>" in html
    assert "<td>file (comments)</td>" in html
    assert "<td>2 Dec 2026</td>" in html and "<td>2026-12-02</td>" not in html
    # "3 of 7" read, then the languages left out
    assert (
        'data-path="listening.topics.mastodon.sentiment_read" data-value="3" '
        'title="Mentions read for sentiment">3</span> of <span class="fig" '
        'data-metric="listening_mentions" data-path="listening.topics.mastodon.mentions"'
    ) in html
    assert "left out, in languages without a sentiment model: French " in html
    assert "not annotated yet: " in html


def test_plural_rule_by_hand():
    # cities / city: "city" in two texts, "cities" in one; boxes / box after x; news stays
    out = fold_plurals(
        [{"cities"}, {"city"}, {"city", "boxes"}, {"box", "news", "new"}, {"classes"}],
        [True] * 5,
    )
    # city 2 texts against cities 1; box and boxes 1 each (a tie shows the singular);
    # classes has no singular in the texts; news is never the plural of new
    assert [sorted(x) for x in out] == [
        ["city"],
        ["city"],
        ["box", "city"],
        ["box", "new", "news"],
        ["classes"],
    ]
    # a French text keeps its terms; a user-named term is never folded
    out = fold_plurals([{"instances"}, {"instance"}], [True, False])
    assert [sorted(x) for x in out] == [["instances"], ["instance"]]
    out = fold_plurals([{"lt-500s"}, {"lt-500"}], [True, True], keep=["lt-500"])
    assert [sorted(x) for x in out] == [["lt-500s"], ["lt-500"]]
    # through tokenize: the query word "servers" stays whole, "server" is not folded into it
    toks = tokenize(["Our servers", "one server", "servers"], ["en"] * 3, keep=["servers"])
    assert [sorted(x) for x in toks] == [["servers"], ["server"], ["servers"]]


def test_quantity_words_are_english_stopwords():
    assert {"lot", "lots", "bunch", "couple", "plenty", "tons", "loads", "bit"} <= stopwords("en")


def test_alert_values_read_as_counts_over_the_rule_window_by_hand():
    # the trial's meltwater alert: 0.7917 | 0.007192 | 0.1829 mentions per hour, 24-hour
    # mean; x 24 = 19.000008, 0.172608, 4.389744 mentions in the 24 hours to the end of the
    # peak hour (00:00 KST + 1 hour), 3 significant digits as in the alert e-mail
    r = alert_reading(
        "meltwater",
        "mentions per step",
        "24h",
        pd.Timestamp("2026-12-03 00:00", tz="Asia/Seoul"),
        {"observed": 0.791667, "expected": 0.007192, "threshold": 0.182906},
    )
    assert r == {
        "unit_text": "mentions in the 24 hours to 3 Dec 2026, 01:00 KST "
        "(the rule compares them per hour)",
        "window_hours": 24.0,
        "observed_count": 19.000008,
        "observed_text": "19",
        "observed_hourly_text": "0.792",
        "expected_count": 0.172608,
        "expected_text": "0.173",
        "expected_hourly_text": "0.00719",
        "threshold_count": 4.389744,
        "threshold_text": "4.39",
        "threshold_hourly_text": "0.183",
    }
    # a one-hour window: the rule's values are the counts
    r = alert_reading(
        "tuned",
        "mentions per step",
        "1h",
        pd.Timestamp("2026-12-02 05:00", tz="Asia/Seoul"),
        {"observed": 17.0, "expected": 0.5, "threshold": 6.1},
    )
    assert r == {
        "unit_text": "mentions in the hour to 2 Dec 2026, 06:00 KST",
        "observed_text": "17",
        "expected_text": "0.5",
        "threshold_text": "6.1",
    }
    r = alert_reading("negative_share", "share", "6h", None, {"observed": 0.5})
    assert r["unit_text"] == (
        "share of negative mentions among those read for sentiment, over 6 hours"
    )
    assert r["observed_text"] is None
    assert alert_posts_caption("2 Dec 2026, 23:00 KST", pd.Timedelta("24h"), True) == (
        "Posts of the busiest hour of the 24 hours the rule peaked over, the hour from "
        "2 Dec 2026, 23:00 KST (the most engaging first):"
    )
    assert alert_posts_caption(None, pd.Timedelta("24h"), True) == (
        "Posts the rule counted in the event (the most engaging first):"
    )
    assert alert_posts_caption("2 Dec 2026, 23:00 KST", pd.Timedelta("1h"), False) == ""


def test_sentiment_coverage_by_hand():
    rows = pd.DataFrame(
        {
            "read": [True, False, False, False, False],
            "lang": ["en", "fr", "ja", None, "de"],
            "n": [12, 5, 3, 2, 1],
        }
    )
    c = sentiment_coverage(rows)
    assert (c["mentions"], c["read"]) == (23, 12)
    assert c["unread"] == {"fr": 5, "ja": 3, "de": 1, "pending": 2}
    assert c["text"] == (
        " (9 in languages without a sentiment model: French 5, Japanese 3, German 1; "
        "2 not annotated yet)"
    )
    one = sentiment_coverage(
        pd.DataFrame({"read": [True, False], "lang": ["en", "fr"], "n": [3, 1]})
    )
    assert one["text"] == " (1 in a language without a sentiment model: French 1)"


def test_mastodon_names_lose_their_emoji_shortcodes():
    # the trial's names, as the Mastodon recording stores them
    assert without_shortcodes("いつもの匠:grin:✅") == "いつもの匠✅"
    assert without_shortcodes(":cherry_blossom: Maïa Dereva") == "Maïa Dereva"
    assert without_shortcodes("Not:white_check_mark:Verified") == "Not Verified"
    # with the account's emoji list, only the shortcodes it names go
    assert without_shortcodes(":blob: hi :party:", emojis=["blob"]) == "hi :party:"
    assert without_shortcodes("at 10:30:45") == "at 10:30:45"
    assert without_shortcodes(":grin:") == ":grin:"  # nothing else left: kept as stored
    label = author_label("いつもの匠:grin:✅", "itsumonotakumi@pawoo.net", "mastodon", "mastodon:x")
    assert label == "いつもの匠✅ (@itsumonotakumi@pawoo.net)"
    # other platforms keep colons as written
    assert author_label("Team:blue:", "team", "x", "x:team") == "Team:blue: (@team)"
