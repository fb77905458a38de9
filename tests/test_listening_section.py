"""The listening section's arithmetic on a small workspace, checked against hand counts.

Thirteen mentions in English, Chinese and Korean go through the real ``comments`` importer;
engagement snapshots and sentiment labels are written by hand (fixed values), so that each
figure below is a count made by reading the rows. Topic membership comes from the real
query language (``ripplemeter.listen.query``), compiled to SQL by the section.

Hand counts (time zone Asia/Shanghai, UTC+8; window 2026-03-01..2026-03-14):

* lumen (brand, ``"lumen tea" OR 路明茶 OR 루멘``): p1 p2 p3 p7 p8 p10 p12 p13 = 8
  (p11 ``루멘시티`` is a place name that starts with the brand: not a mention);
* acme (competitor): p4 p5 p12 = 3; share of voice 8/11 and 3/11;
* lt500 (product, ``LT-500``): p1 p3 = 2; matcha (industry): p6 p8 p9 p10 = 4.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from ripplemeter.evaluate.listening import (
    NO_SENTIMENT,
    ListeningSettings,
    TopicSettings,
    associated_terms,
    log_likelihood,
    query_terms,
    tokenize,
)
from ripplemeter.listen.project import ListenProject, evaluate_listening
from ripplemeter.report import write_report
from ripplemeter.workspace import Workspace

MENTIONS = """id,platform,channel,author,created_at,text,parent_id,url,lang
p1,x,microblog,u1,2026-03-02T01:30:00Z,Lumen Tea launch today! LT-500 looks great,,,en
p2,x,microblog,u2,2026-03-02T02:10:00Z,Loving the lumen tea launch event,,,en
p3,x,microblog,u1,2026-03-03T03:00:00Z,"lumen tea launch was fun, LT-500 tastes fresh",,,en
p4,x,microblog,u3,2026-03-03T04:00:00Z,Acme tea is cheaper than others,,,en
p5,reddit,forum,u4,2026-03-04T05:00:00Z,"acme price went up again, cheaper elsewhere",,,en
p6,reddit,forum,u5,2026-03-05T06:00:00Z,Matcha prices are cheaper this spring,,,en
p7,weibo,microblog,w1,2026-03-05T07:00:00Z,路明茶的新品发布会很精彩,,,zh
p8,weibo,microblog,w2,2026-03-06T08:00:00Z,路明茶新品发布会，抹茶味道很好,,,zh
p9,weibo,microblog,w3,2026-03-06T09:00:00Z,今天买了别的抹茶,,,zh
p10,naver_blog,blog,k1,2026-03-07T10:00:00Z,루멘이 출시한 신제품 말차 라떼,,,ko
p11,naver_blog,blog,k2,2026-03-08T11:00:00Z,루멘시티 여행 후기,,,ko
p12,x,microblog,u6,2026-03-08T17:30:00Z,<b>acme</b> and lumen tea both at the expo,,,en
p13,naver_blog,blog,k3,2026-03-10T02:00:00Z,루멘의 신제품 라떼 맛있어요,,,ko
"""
TOPICS = [
    TopicSettings(
        id="lumen", name="Lumen Tea", role="brand", query='"lumen tea" OR 路明茶 OR 루멘'
    ),
    TopicSettings(id="acme", name="Acme", role="competitor", query="acme"),
    TopicSettings(id="lt500", name="LT-500", role="product", query="LT-500"),
    TopicSettings(id="matcha", name="Matcha", role="industry", query="matcha OR 抹茶 OR 말차"),
]
# post -> (engagements, likes, reposts); None = not reported
ENGAGEMENT = {
    "x:p1": (10, None, None),
    "x:p2": (None, 3, 2),  # no total: likes + reposts = 5
    "x:p3": (None, None, None),  # nothing reported: adds nothing
    "x:p4": (4, None, None),
    "reddit:p5": (None, 1, None),
    "x:p12": (6, None, None),
}
SENTIMENT = {
    "x:p1": "positive",
    "x:p2": "positive",
    "weibo:p7": "positive",
    "x:p4": "positive",
    "reddit:p5": "negative",
    "x:p12": "neutral",
}


def _project(tmp_path, **limits) -> ListenProject:
    return ListenProject(
        name="Lumen listening (test)",
        timezone="Asia/Shanghai",
        workspace=tmp_path / "ws.duckdb",
        topics=list(TOPICS),
        listening=ListeningSettings(min_term_mentions=2, alert_rule="none", **limits),
        path=tmp_path / "listen.toml",
    )


@pytest.fixture
def ws(tmp_path):
    f = tmp_path / "mentions.csv"
    f.write_text(MENTIONS, encoding="utf-8")
    w = Workspace(tmp_path / "ws.duckdb")
    w.import_file(f, "comments")
    rows = [
        {
            "post_id": k,
            "observed_at": pd.Timestamp("2026-03-12"),
            "engagements": e,
            "likes": lk,
            "reposts": r,
        }
        for k, (e, lk, r) in ENGAGEMENT.items()
    ]
    w._insert("post_metrics", pd.DataFrame(rows), 99)
    yield w
    w.close()


def _annotate(w: Workspace) -> None:
    rows = pd.DataFrame(
        {
            "subject_id": list(SENTIMENT),
            "task": "sentiment",
            "label": list(SENTIMENT.values()),
            "model": "hand",
            "annotated_at": pd.Timestamp("2026-03-20"),
        }
    )
    w._insert("annotations", rows, 98)


def _run(tmp_path, w, **limits):
    res = evaluate_listening(
        _project(tmp_path, **limits),
        w,
        start=pd.Timestamp("2026-03-01").date(),
        end=pd.Timestamp("2026-03-14").date(),
        annotate=False,
    )
    return res, res["listening"]


def test_mentions_and_share_of_voice_by_hand(tmp_path, ws):
    _annotate(ws)
    res, r = _run(tmp_path, ws)
    assert r.status == "ok"
    t = r.data["listening"]["topics"]
    assert {k: t[k]["mentions"] for k in t} == {"lumen": 8, "acme": 3, "lt500": 2, "matcha": 4}
    sov = "listening.topics.{}.share_of_voice.{}"
    assert r.value(sov.format("lumen", "mentions")) == pytest.approx(8 / 11)
    assert r.value(sov.format("acme", "mentions")) == pytest.approx(3 / 11)
    # engagement: lumen 10 + (3 + 2) + 6 = 21; acme 4 + 1 + 6 = 11
    assert r.value("listening.topics.lumen.engagement") == 21
    assert r.value("listening.topics.acme.engagement") == 11
    assert r.value(sov.format("lumen", "engagement")) == pytest.approx(21 / 32)
    # positive: lumen p1 p2 p7 = 3, acme p4 = 1
    assert r.value(sov.format("lumen", "positive")) == pytest.approx(3 / 4)
    assert r.value(sov.format("acme", "positive")) == pytest.approx(1 / 4)
    assert r.value("listening.topics.acme.net_sentiment") == 0  # one positive, one negative
    assert r.value("listening.topics.lumen.net_sentiment") == 1
    # product and industry topics are outside the competitive set
    with pytest.raises(KeyError):
        r.value(sov.format("lt500", "mentions"))
    doc = res.metrics()
    assert doc["listening"]["competitive_set"] == ["lumen", "acme"]
    assert "share_of_voice_mentions" in doc["definitions"]


def test_any_topic_count_excludes_unmatched_posts(tmp_path, ws):
    _, r = _run(tmp_path, ws)
    # every post but p11 (place name) matches some topic: p9 is matcha (抹茶)
    assert r.value("listening.mentions") == 12


def test_volume_in_the_project_time_zone(tmp_path, ws):
    _, r = _run(tmp_path, ws)
    v = r.data["listening"]["topics"]["lumen"]["volume"]
    # p1 01:30Z = 09:30 local, p2 02:10Z = 10:10 local
    assert v["hour"][:2] == [["2026-03-02T09:00:00+08:00", 1], ["2026-03-02T10:00:00+08:00", 1]]
    days = dict(v["day"])
    assert days["2026-03-02"] == 2 and days["2026-03-08"] == 0
    # p12 is 2026-03-08 17:30 UTC, a Sunday in UTC but Monday 9 March 01:30 in Shanghai
    assert days["2026-03-09"] == 1
    assert sum(days.values()) == 8
    # ISO weeks (Monday) of 1..14 March 2026: 23 Feb (1 Mar), 2 Mar, 9 Mar
    assert v["week"] == [["2026-02-23", 0], ["2026-03-02", 6], ["2026-03-09", 2]]
    assert r.value("listening.topics.lumen.volume.week.1.1") == 6
    hourly = r.frames["volume_lumen"]["mentions"]
    assert len(hourly) == 14 * 24 and hourly.sum() == 8


def test_top_authors_and_channels(tmp_path, ws):
    _, r = _run(tmp_path, ws, top=2)
    t = r.data["listening"]["topics"]["lumen"]
    assert t["top_authors"][0] == {
        "account_id": "x:u1",
        "handle": "u1",
        "name": None,
        "author": "@u1",  # no display name in the comments export: the handle
        "platform": "x",
        "mentions": 2,
    }
    assert len(t["top_authors"]) == 2
    # microblog: p1 p2 p3 p12 (x) + p7 p8 (weibo) = 6; blog: p10 p13 = 2
    assert t["top_channels"] == [
        {"channel": "microblog", "mentions": 6},
        {"channel": "blog", "mentions": 2},
    ]


def _g2(a, b, n_in, n_out):
    """G² by scipy's log-likelihood contingency test (Dunning 1993), a peer computation."""
    g, _, _, _ = chi2_contingency(
        [[a, b], [n_in - a, n_out - b]], correction=False, lambda_="log-likelihood"
    )
    return g


def test_log_likelihood_matches_scipy():
    for a, b, n_in, n_out in [(3, 0, 8, 5), (2, 1, 2, 10), (5, 7, 40, 300), (1, 30, 10, 90)]:
        assert log_likelihood(a, b, n_in - a, n_out - b) == pytest.approx(_g2(a, b, n_in, n_out))


def test_associated_terms_by_hand(tmp_path, ws):
    # thirteen posts are too few for significance (launch: G² 3.46 < 3.84), so the
    # significance floor is lowered to see every over-represented term
    _, r = _run(tmp_path, ws, min_llr=0)
    terms = r.data["listening"]["topics"]["lumen"]["terms"]
    got = {x["term"]: (x["mentions"], x["outside"]) for x in terms}
    # 8 lumen mentions, 5 others; "launch" in p1 p2 p3; LT-500 kept whole in p1 p3; Chinese
    # 新品 and 发布会 (jieba) in p7 p8; Korean 신제품 and 라떼 (kiwipiepy nouns) in p10 p13
    assert got == {
        "launch": (3, 0),
        "lt-500": (2, 0),
        "新品": (2, 0),
        "发布会": (2, 0),
        "신제품": (2, 0),
        "라떼": (2, 0),
    }
    assert terms[0]["term"] == "launch"
    assert terms[0]["llr"] == pytest.approx(_g2(3, 0, 8, 5))
    assert terms[1]["llr"] == pytest.approx(_g2(2, 0, 8, 5))
    # the topic's own query terms are not listed; "tea" is only inside "lumen tea"
    assert not {"lumen tea", "路明茶", "루멘", "tea", "lt", "500"} & set(got)
    # for the product topic, the brand's phrase is a term, kept whole
    lt = {
        x["term"]: (x["mentions"], x["outside"])
        for x in r.data["listening"]["topics"]["lt500"]["terms"]
    }
    assert lt["lumen tea"] == (2, 2) and lt["launch"] == (2, 1)
    assert r.value("listening.topics.lumen.terms.0.mentions") == 3
    # with the default floor (G² >= 3.84, 5%) none of them is significant here, and the
    # report says why
    _, r = _run(tmp_path, ws)
    t = r.data["listening"]["topics"]["lumen"]
    assert t["terms"] == [] and "G² >= 3.84" in t["reasons"]["terms"]


def test_tokenize_languages_and_kept_terms():
    toks = tokenize(
        [
            "Buy the LT-500 now, not the LT-5000 https://x.example/a @shop",
            "路明茶的新品发布会很精彩",
            "루멘의 신제품 라떼",
        ],
        ["en", None, "ko"],
        keep=["LT-500", "路明茶"],
    )
    assert "lt-500" in toks[0] and "lt-5000" in toks[0]
    assert not {"https", "shop", "the", "now"} & toks[0]
    assert {"路明茶", "新品", "发布会", "精彩"} <= toks[1] and "的" not in toks[1]
    assert {"루멘", "신제품", "라떼"} <= toks[2] and "의" not in toks[2]


def test_query_terms():
    assert query_terms('("Lumen Tea" OR lumentea OR LT-500) AND NOT lang:ja AND launch*') == [
        "lumen tea",
        "lumentea",
        "lt-500",
    ]
    # the query parser's terms: full-width folded, NEAR's sides, nothing under NOT
    assert query_terms("ＬＵＭＥＮ NEAR/3 launch") == ["lumen", "launch"]
    assert query_terms("apple AND NOT pie") == ["apple"]
    assert query_terms('华为手机 OR "Green  Tea"') == ["华为手机", "green tea"]


def test_associated_terms_edge_cases():
    # a term as frequent outside as inside is not associated; empty topic gives no rows
    terms = [{"a", "b"}, {"a"}, {"a", "b"}, {"a"}]
    assert associated_terms(terms, [True, True, False, False], min_count=1).empty
    assert associated_terms(terms, [False] * 4).empty


def test_no_sentiment_yet(tmp_path, ws):
    res, r = _run(tmp_path, ws)
    assert r.data["listening"]["sentiment"] is False
    f = next(x for x in r.figures if x.path == "listening.topics.lumen.share_of_voice.positive")
    assert f.value is None and f.reason == NO_SENTIMENT
    assert r.data["listening"]["topics"]["lumen"]["reasons"]["sentiment"] == NO_SENTIMENT
    assert any("no sentiment yet" in n for n in r.notes)


def test_report_escapes_posts_and_shows_every_figure(tmp_path, ws):
    _annotate(ws)
    res, r = _run(tmp_path, ws)
    paths = write_report(res, tmp_path / "out")
    html = paths.html.read_text(encoding="utf-8")
    doc = json.loads(paths.metrics.read_text(encoding="utf-8"))
    assert "<b>acme</b>" not in html
    for f in r.figures:
        assert f'data-path="{f.path}"' in html, f.path
    assert doc["sections"]["listening"]["status"] == "ok"
    assert doc["listening"]["topics"]["lumen"]["mentions"] == 8
    # a share of 1 reads as a percentage (net sentiment: 3 positive, 0 negative)
    assert re.search(r'data-path="listening.topics.lumen.net_sentiment"[^>]*>100.00%<', html)


def test_no_topics_is_no_data(tmp_path, ws):
    proj = _project(tmp_path)
    proj.topics = []
    res = evaluate_listening(proj, ws, annotate=False)
    assert res["listening"].status == "no data"
    assert "no listening topics" in res["listening"].reason


def test_every_query_compiles_for_spark(tmp_path, ws, monkeypatch):
    """As the contract suite checks for every section: nothing DuckDB-only in Ibis queries."""
    import ibis
    import ibis.expr.types as ir
    from ibis.config import Config

    from ripplemeter.evaluate.context import TableAccess

    class PySparkOptions(Config):
        treat_nan_as_null: bool = False

    if ibis.options.pyspark is None:
        monkeypatch.setattr(ibis.options, "pyspark", PySparkOptions())
    compiled: list[str] = []

    def wrap(fn):
        def run(self, *a, **k):
            compiled.append(ibis.to_sql(self, dialect="pyspark"))
            return fn(self, *a, **k)

        return run

    for cls, name in [(ir.Table, "to_pandas"), (ir.Table, "to_pyarrow"), (ir.Scalar, "to_pyarrow")]:
        monkeypatch.setattr(cls, name, wrap(getattr(cls, name)))
    orig = TableAccess.materialize

    def materialize(self, expr, name):
        compiled.append(ibis.to_sql(expr, dialect="pyspark"))
        return orig(self, expr, name)

    monkeypatch.setattr(TableAccess, "materialize", materialize)
    _annotate(ws)
    _, r = _run(tmp_path, ws)
    assert r.status == "ok" and len(compiled) >= 8


def test_alerts_over_hourly_volume_with_driving_posts(tmp_path):
    """Twelve days of 2 Acme mentions an hour, then 30 more in one hour (05:00 local, day 11).

    The section's alert must be the one ``detect`` finds on the series built here by hand,
    and name the burst's posts, escaped in the report.
    """
    from ripplemeter.listen.alerts import detect

    tz = "Asia/Shanghai"
    hours = pd.date_range("2026-03-01", periods=24 * 12, freq="h", tz=tz)
    burst = hours[24 * 10 + 5]
    rows = ["id,platform,author,created_at,text"]
    n = 0
    for h in hours:
        for k in range(2):
            n += 1
            t = (h + pd.Timedelta(minutes=10 + 20 * k)).tz_convert("UTC")
            rows.append(f"a{n},x,u{n % 7},{t:%Y-%m-%dT%H:%M:%SZ},acme is fine {n}")
    for k in range(30):
        n += 1
        t = (burst + pd.Timedelta(minutes=k)).tz_convert("UTC")
        rows.append(f"b{k},x,angry{k},{t:%Y-%m-%dT%H:%M:%SZ},acme <script>x</script> broke {k}")
    f = tmp_path / "m.csv"
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    w = Workspace(tmp_path / "ws.duckdb")
    w.import_file(f, "comments")
    proj = ListenProject(
        name="Acme watch",
        timezone=tz,
        workspace=tmp_path / "ws.duckdb",
        topics=[TopicSettings(id="acme", name="Acme", role="competitor", query="acme")],
        listening=ListeningSettings(alert_rule="meltwater", alert_posts=2),
        path=tmp_path / "listen.toml",
    )
    res = evaluate_listening(proj, w, start=hours[0].date(), end=hours[-1].date(), annotate=False)
    r = res["listening"]
    by_hand = pd.Series(2.0, index=hours)
    by_hand[burst] += 30
    expected = detect(by_hand, "meltwater", name="acme")
    got = r.data["listening"]["topics"]["acme"]["alerts"]
    assert [(a["start"], a["end"], a["observed"]) for a in got] == [
        (x.start.isoformat(), x.end.isoformat(), round(x.observed, 6)) for x in expected
    ]
    assert got[0]["start"] == burst.isoformat()  # 2026-03-11T05:00:00+08:00
    assert got[0]["observed"] == pytest.approx((23 * 2 + 32) / 24)
    shown = got[0]["posts"]
    assert len(shown) == 2 and all(p["post_id"].startswith("x:b") for p in shown)
    assert r.value("listening.topics.acme.alerts.0.observed") == got[0]["observed"]
    html = write_report(res, tmp_path / "out").html.read_text(encoding="utf-8")
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x</script>" not in html
    # the report and the webhook / e-mail read the alert's times in the same words, in the
    # project's zone (Shanghai's abbreviation is CST); metrics.json keeps ISO 8601
    from ripplemeter.listen.deliver import alert_summary
    from ripplemeter.listen.project import alerts_of

    assert got[0]["start_text"] == "11 Mar 2026, 05:00 CST"
    end_text = got[0]["end_text"]
    assert f"<td>11 Mar 2026, 05:00 CST</td><td>{end_text}" in html
    (al,) = alerts_of(res)
    assert f"from 11 Mar 2026, 05:00 CST to {end_text}, peak at" in alert_summary(al)
    assert "+08:00" not in html.split("<h4>Alerts</h4>")[1].split("</table>")[0]
    w.close()


def test_until_cuts_the_hourly_series(tmp_path, ws):
    # the watcher's "now": 2026-03-05 12:00 Shanghai = 04:00 UTC, 4 days and 12 hours in
    _, r = _run(tmp_path, ws, until=pd.Timestamp("2026-03-05 04:00"))
    hourly = r.frames["volume_lumen"]["mentions"]
    assert len(hourly) == 4 * 24 + 12
    assert hourly.index[-1] == pd.Timestamp("2026-03-05 11:00", tz="Asia/Shanghai")


def test_owned_and_partner_accounts_are_left_out_by_default(tmp_path, ws):
    """The brand's own posts are not mentions (as in the opinion section), and it says so.

    By hand: u1 (role owned) wrote p1 and p3, both Lumen Tea and LT-500 mentions; w1 (marked
    partner) wrote p7 (Lumen Tea). Lumen Tea keeps p2 p8 p10 p12 p13 = 5 of 8, LT-500 0 of 2,
    Acme p4 p5 p12 = 3; share of voice 5/8 and 3/8; three posts left out.
    """
    ws._insert(
        "accounts",
        pd.DataFrame(
            [
                {"account_id": "x:u1", "platform": "x", "handle": "u1", "role": "owned"},
                {"account_id": "weibo:w1", "platform": "weibo", "handle": "w1", "is_partner": True},
            ]
        ),
        97,
    )
    res, r = _run(tmp_path, ws)
    t = r.data["listening"]["topics"]
    assert {k: t[k]["mentions"] for k in t} == {"lumen": 5, "acme": 3, "lt500": 0, "matcha": 4}
    assert r.value("listening.topics.lumen.share_of_voice.mentions") == pytest.approx(5 / 8)
    assert r.value("listening.mentions") == 12 - 3
    assert "x:u1" not in [a["account_id"] for a in t["lumen"]["top_authors"]]
    assert r.data["listening"]["owned_mentions"] == 3
    note = r.data["listening"]["owned_note"]
    assert note.startswith("3 mentions posted by the brand's own or partner accounts are left out")
    assert any("3 mentions posted by the brand's own" in n for n in res.notes)
    html = write_report(res, tmp_path / "out", kind="listening").html.read_text("utf-8")
    assert "3 mentions posted by the brand&#39;s own or partner accounts are left out" in html
    # include_owned counts them again, and says so
    _, r2 = _run(tmp_path, ws, include_owned=True)
    assert r2.data["listening"]["topics"]["lumen"]["mentions"] == 8
    assert "are counted (include_owned = true)" in r2.data["listening"]["owned_note"]


def test_owned_accounts_setting_by_id_or_handle(tmp_path, ws):
    """listen.toml may name the brand's accounts: an id, or a handle with @ in any case."""
    _, r = _run(tmp_path, ws, owned_accounts=["x:u1", "@U2"])
    t = r.data["listening"]["topics"]
    # u1: p1 p3; u2: p2 -> Lumen Tea keeps p7 p8 p10 p12 p13
    assert t["lumen"]["mentions"] == 5 and t["lt500"]["mentions"] == 0
    assert r.data["listening"]["owned_mentions"] == 3
    with pytest.raises(ValueError):
        ListeningSettings(owned_accounts=["  "])


def test_one_topic_in_the_competitive_set_says_there_is_nothing_to_compare(tmp_path, ws):
    proj = _project(tmp_path)
    proj.topics = [TOPICS[0], TOPICS[3]]  # the brand and an industry topic
    res = evaluate_listening(
        proj,
        ws,
        start=pd.Timestamp("2026-03-01").date(),
        end=pd.Timestamp("2026-03-14").date(),
        annotate=False,
    )
    html = write_report(res, tmp_path / "one", kind="listening").html.read_text("utf-8")
    assert "Share of voice compares" not in html
    assert "no other brand or competitor topic to compare Lumen Tea with" in html
    # two topics: "A and B"
    res2, _ = _run(tmp_path, ws)
    html2 = write_report(res2, tmp_path / "two", kind="listening").html.read_text("utf-8")
    assert "Share of voice compares Lumen Tea and Acme." in html2


def test_excerpt_cuts_at_a_word_boundary():
    # the driving posts' excerpts: at most quote_chars characters, the "…" not counted
    from functools import partial

    from ripplemeter.formatting import shorten

    excerpt = partial(shorten, count_ellipsis=False)
    long = "Moura joins Spurs; Giroud, Batshuayi, Aubameyang deals go through " * 10
    e = excerpt(long, 40)
    # the first 40 characters end inside "Aubameyang" ("... Batshuayi, Au"): the cut goes
    # back to the space before it, and the comma left at the end is dropped
    assert e == "Moura joins Spurs; Giroud, Batshuayi…"
    assert len(e) <= 41 and e.endswith("…")
    assert excerpt("line one\n\nline   two", 40) == "line one line two"
    # no spaces (Chinese): cut at the limit
    assert excerpt("路明茶" * 20, 10) == "路明茶路明茶路明茶路…"


def test_week_rows_fold_quiet_stretches():
    import datetime as dt

    from ripplemeter.evaluate.listening import week_rows

    w = [dt.date(2018, 1, 29) + dt.timedelta(weeks=k) for k in range(8)]
    rows = week_rows(w, [3, 0, 0, 0, 0, 1, 0, 2])
    assert rows == [
        {"i": 0, "week": "2018-01-29", "text": "29 Jan 2018"},
        {
            "from": "2018-02-05",
            "to": "2018-02-26",
            "weeks": 4,
            "text": "4 weeks without a mention, from the week of 5 Feb 2018 to the week of "
            "26 Feb 2018",
        },
        {"i": 5, "week": "2018-03-05", "text": "5 Mar 2018"},
        {"i": 6, "week": "2018-03-12", "text": "12 Mar 2018"},
        {"i": 7, "week": "2018-03-19", "text": "19 Mar 2018"},
    ]


def test_author_label():
    from ripplemeter.evaluate.listening import author_label

    # a feed is named by its title, never by its host address
    assert author_label("Football | The Guardian", "127.0.0.1", "rss", "rss:127.0.0.1") == (
        "Football | The Guardian"
    )
    assert author_label("Some Channel", None, "youtube", "youtube:UCVk7uRN7g") == "Some Channel"
    assert author_label("Adrienne", "adrienne@mamot.fr", "mastodon", "mastodon:1") == (
        "Adrienne (@adrienne@mamot.fr)"
    )
    assert author_label(None, None, "youtube", "youtube:UCVk7uRN7g") == "youtube:UCVk7uRN7g"


def test_a_search_form_with_links_is_named_in_a_warning(tmp_path, ws):
    """Posts stored by an older ripplemeter (links in their search form) are said, not hidden.

    The section only reads; ``listen report`` updates them (refresh_search_text) before it
    evaluates, so this warning is for a campaign's workspace opened without it.
    """
    import ibis

    from ripplemeter.evaluate.context import EvalContext, TableAccess
    from ripplemeter.evaluate.section import get_section
    from ripplemeter.listen.store import refresh_search_text

    # p4 with a link, stored as an older ripplemeter did (the link kept in its search text)
    ws.con.execute(
        "UPDATE posts SET text = text || ' https://t.co/abc', "
        "search_text = search_text || ' https://t.co/abc' WHERE post_id = 'x:p4'"
    )
    ws.con.execute("DELETE FROM meta WHERE key = 'search_form'")
    proj = _project(tmp_path)
    # the section alone (as in a campaign report), without the refresh

    camp = proj.campaign(pd.Timestamp("2026-03-01").date(), pd.Timestamp("2026-03-14").date())
    ctx = EvalContext(
        scope=(),
        window=camp.window,
        currency=camp.currency,
        fx={},
        tables=TableAccess(ibis.duckdb.from_connection(ws.con), None),
        settings=dict(camp.settings),
        campaign_file=None,
    )
    r = get_section("listening").run(ctx)
    assert any("1 post(s) of the window were stored by an older" in w for w in r.warnings), (
        r.warnings
    )
    # listen report / evaluate_listening refresh first: no warning, the link is gone
    res = evaluate_listening(proj, ws, start=camp.start, end=camp.end, annotate=False)
    assert not any("older ripplemeter" in w for w in res["listening"].warnings)
    assert refresh_search_text(ws) == 0
    # a current workspace whose text merely ends in "www." (a YouTube description) is not
    # stale: the warning fired on every report of a fresh collection before
    ws.con.execute(
        "UPDATE posts SET text = text || ' merch: www.', "
        "search_text = search_text || ' merch: www.' WHERE post_id = 'x:p4'"
    )
    r = get_section("listening").run(ctx)
    assert not any("older ripplemeter" in w for w in r.warnings), r.warnings


def test_weeks_partly_in_the_window_say_how_many_days_they_hold(tmp_path, ws):
    """Window 1..14 March 2026 (Sunday to Saturday): the week of Monday 23 Feb holds only
    Sunday 1 March (1 of 7 days), the week of 2 March all 7, the week of 9 March 9..14 March
    (6 of 7 days)."""
    res, r = _run(tmp_path, ws)
    rows = r.data["listening"]["week_rows"]
    assert [(x["text"], x.get("days")) for x in rows] == [
        ("23 Feb 2026 (1 of 7 days)", 1),
        ("2 Mar 2026", None),
        ("9 Mar 2026 (6 of 7 days)", 6),
    ]
    html = write_report(res, tmp_path / "out").html.read_text(encoding="utf-8")
    table = html[html.index("<h3>Mentions per week</h3>") :]
    table = table[: table.index("</table>")]
    assert "<tr><td>23 Feb 2026 (1 of 7 days)</td>" in table
    assert "<tr><td>2 Mar 2026</td>" in table
    assert "<tr><td>9 Mar 2026 (6 of 7 days)</td>" in table
