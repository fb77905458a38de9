"""Import-first listening formats: X API v2 / twarc2, Weibo trends, pytrends, Baidu Index, Naver.

No recording of X API v2, twarc2, pytrends, Baidu Index or Naver DataLab exists in the shared
data, so their fixtures are hand-made from the documented layouts (X developer docs "Tweet
object" / "Fields and expansions"; twarc's ``expansions.flatten``; the pytrends README; the
NAVER Cloud "Search Trend API" reference) and say so in tests/data/listening. The Weibo test
reads the real 2012 ``trends/hourly`` answer from api_samples. Expected values are read off
the fixtures by hand (the arithmetic is written next to each assertion).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from ripplemeter.errors import FormatError
from ripplemeter.evaluate.indices import PARTIAL_NOTE, Settings, third_party
from ripplemeter.formats import SourceContext
from ripplemeter.formats.index_csv import period_end
from ripplemeter.workspace import Workspace

DATA = Path(__file__).parent / "data" / "listening"
IMPORTED = pd.Timestamp("2026-03-03 12:00:00")
ORIGINAL = (
    "Spring Matcha is here and ships today. Every box comes with a bamboo whisk, a tin of "
    "ceremonial grade matcha and a card with our brewing guide. Limited run!"
)


def ctx(**kw) -> SourceContext:
    return SourceContext(imported_at=kw.pop("imported_at", IMPORTED), **kw)


def posts_of(ws: Workspace) -> pd.DataFrame:
    return ws.table("posts").set_index("post_id").sort_index()


# --------------------------------------------------------------------------- X API v2
def test_x_raw_response_full_text_and_parent_links(workspace):
    res = workspace.import_file(DATA / "x_api_search.json", "x-api-v2", ctx())
    assert res.rows == {"posts": 4, "post_metrics": 4, "accounts": 3}
    p = posts_of(workspace)
    rt = p.loc["x:1768000000000000102"]
    # the retweet's own text is cut ("... a ca…"); the stored text is the original's in full
    assert rt.text == ORIGINAL
    assert (rt.kind, rt.parent_id, rt.root_id) == (
        "repost",
        "x:1768000000000000001",
        "x:1768000000000000001",  # the original's conversation_id (it starts its thread)
    )
    q = p.loc["x:1768000000000000103"]
    assert (q.kind, q.parent_id, q.root_id) == (
        "quote",
        "x:1768000000000000001",
        "x:1768000000000000001",
    )
    assert q.text.startswith("This is the one I was waiting for")
    r = p.loc["x:1768000000000000104"]
    assert (r.kind, r.parent_id, r.root_id) == (
        "reply",
        "x:1768000000000000001",
        "x:1768000000000000001",  # its conversation_id
    )
    assert r.created_at == pd.Timestamp("2026-03-02 09:15:00")
    assert r.url == "https://x.com/mina_p/status/1768000000000000104"
    o = p.loc["x:1768000000000000101"]
    # a long post: note_tweet.text (the full text) over the cut text
    assert o.text.endswith("the price is fair for ceremonial grade.")
    assert o.kind == "original" and pd.isna(o.parent_id) and pd.isna(o.root_id)
    assert set(p.account_id) == {"x:3001", "x:3002", "x:3003"}
    # source_row: the line of each tweet's "id" in the document
    assert p.source_row.to_dict() == {
        "x:1768000000000000101": 38,
        "x:1768000000000000102": 27,
        "x:1768000000000000103": 16,
        "x:1768000000000000104": 4,
    }
    # the referenced original itself is not stored as a post (it did not match the query)
    assert "x:1768000000000000001" not in p.index


def test_x_metrics_and_authors(workspace):
    workspace.import_file(DATA / "x_api_search.json", "x-api-v2", ctx())
    m = workspace.table("post_metrics").set_index("post_id")
    q = m.loc["x:1768000000000000103"]
    assert (q.impressions, q.reposts, q.replies, q.likes, q.saves) == (812, 3, 0, 11, 2)
    assert q.observed_at == IMPORTED and q.observed_at_source == "import_time"
    a = workspace.table("accounts").set_index("account_id")
    assert a.loc["x:3002", "followers"] == 88000 and bool(a.loc["x:3002", "verified"])
    assert a.loc["x:3001", "handle"] == "mina_p"
    # @lumentea is only the author of the referenced tweet: not an account of a stored post
    assert "x:1001" not in a.index


def test_x_twarc2_pages_overlap_and_retrieved_at(workspace):
    res = workspace.import_file(DATA / "x_twarc2_pages.jsonl", "x-api-v2", ctx())
    # page 1 holds tweets 104, 103; page 2 holds 103, 102, 101: 103 is stored once
    assert res.rows["posts"] == 4
    m = workspace.table("post_metrics").set_index("post_id")
    assert m.loc["x:1768000000000000103", "observed_at"] == pd.Timestamp("2026-03-02 10:00:00")
    assert m.loc["x:1768000000000000101", "observed_at"] == pd.Timestamp("2026-03-02 10:00:02")
    assert set(m.observed_at_source) == {"retrieved_at"}
    notes = json.loads(workspace.imports().notes.iloc[0])
    assert any("1 tweet(s) repeated across pages stored once" in n for n in notes)


def test_x_flattened_equals_raw(tmp_path):
    cols = ["text", "kind", "parent_id", "root_id", "account_id", "created_at", "url", "lang"]
    with Workspace() as a, Workspace() as b:
        a.import_file(DATA / "x_api_search.json", "x-api-v2", ctx())
        b.import_file(DATA / "x_twarc2_flat.jsonl", "x-api-v2", ctx())
        pd.testing.assert_frame_equal(posts_of(a)[cols], posts_of(b)[cols])
        assert posts_of(b).loc["x:1768000000000000102", "text"] == ORIGINAL


def test_x_retweet_without_its_original_keeps_cut_text(tmp_path, workspace):
    doc = json.loads((DATA / "x_api_search.json").read_text())
    doc["includes"].pop("tweets")
    path = tmp_path / "no_refs.json"
    path.write_text(json.dumps(doc, indent=2))
    workspace.import_file(path, "x-api-v2", ctx())
    rt = posts_of(workspace).loc["x:1768000000000000102"]
    assert rt.text.startswith("RT @lumentea: Spring Matcha") and rt.text.endswith("a ca…")
    assert rt.parent_id == rt.root_id == "x:1768000000000000001"  # the link stays
    notes = json.loads(workspace.imports().notes.iloc[0])
    assert any("1 retweet(s) whose original is not in the file" in n for n in notes)


def test_x_language_codes_without_a_language(tmp_path, workspace):
    lines = (DATA / "x_twarc2_flat.jsonl").read_text().splitlines()
    t = json.loads(lines[0])
    t["lang"] = "qme"  # media only
    path = tmp_path / "qme.jsonl"
    path.write_text(json.dumps(t) + "\n" + lines[1] + "\n")
    workspace.import_file(path, "x-api-v2", ctx())
    langs = posts_of(workspace)["lang"]
    assert pd.isna(langs.loc[f"x:{t['id']}"]) and set(langs.dropna()) == {"en"}


def test_x_bad_records(tmp_path, workspace):
    good = json.loads((DATA / "x_twarc2_flat.jsonl").read_text().splitlines()[0])
    bad = dict(copy.deepcopy(good), id="not-digits")
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    with pytest.raises(FormatError) as exc:
        workspace.import_file(path, "x-api-v2", ctx())
    assert exc.value.row == 2 and "bad.jsonl" in str(exc.value)
    when = dict(copy.deepcopy(good), created_at="yesterday")
    path.write_text(json.dumps(when) + "\n")
    with pytest.raises(FormatError) as exc:
        workspace.import_file(path, "x-api-v2", ctx())
    assert exc.value.column == "created_at" and exc.value.row == 1
    assert workspace.counts()["posts"] == 0


# --------------------------------------------------------------------------- Weibo trends
def test_weibo_trends_real_sample(real_data, workspace):
    path = real_data("api_samples/weibo/mechiland_xiyuweibo/trend_hourly.json")
    res = workspace.import_file(path, "weibo-trends", SourceContext())
    assert res.rows == {"trending_topics": 10}
    t = workspace.table("trending_topics").sort_values("rank")
    # "2012-03-06 09:28" Beijing time (UTC+8) is 01:28 UTC
    assert set(t.listed_at) == {pd.Timestamp("2012-03-06 01:28:00")}
    # as_of 1330997282 s after 1970-01-01 = 15400 days + 5282 s = 2012-03-06 01:28:02 UTC
    assert set(t.as_of) == {pd.Timestamp("2012-03-06 01:28:02")}
    assert list(t["rank"]) == list(range(1, 11))
    assert t.iloc[0]["name"] == "厂家称母鸡例假产血蛋" and t.iloc[0].amount == 6331
    assert t.iloc[0].delta == 148
    assert t[t.name == "震惊哥整点播报"].delta.item() == -5  # a string "-5" in the file
    # ties keep the published order: 政府工作报告 and 微纪录 both at 806
    assert list(t[t.amount == 806].name) == ["政府工作报告", "微纪录"]
    assert int(t.amount.sum()) == 6331 + 3879 + 2979 + 900 + 837 + 806 + 806 + 682 + 682 + 589
    assert workspace.imports().source_timezone.iloc[0] == "Asia/Shanghai"


def test_weibo_trends_bad_amount(tmp_path, workspace):
    path = tmp_path / "trend_hourly.json"
    path.write_text(
        '{"trends": {"2012-03-06 09:28": [\n{"name": "a", "query": "a", "amount": "6,331", '
        '"delta": "1"}]}, "as_of": 1330997282}'
    )
    with pytest.raises(FormatError) as exc:
        workspace.import_file(path, "weibo-trends", SourceContext())
    assert exc.value.row == 2 and exc.value.column == "amount"


# --------------------------------------------------------------------------- index series
PYTRENDS = """date,lumen tea,matcha,isPartial
2026-02-01,12,31,False
2026-02-08,3,28,False
2026-02-15,100,45,True
"""


def test_pytrends_weekly_partial(tmp_path, workspace):
    path = tmp_path / "iot.csv"
    path.write_text(PYTRENDS)
    workspace.import_file(path, "pytrends", ctx())
    s = workspace.table("index_series").sort_values(["term", "date"])
    assert set(s.period) == {"week"} and set(s.source) == {"google_trends"}
    lt = s[s.term == "lumen tea"]
    assert list(lt.value) == [12.0, 3.0, 100.0]
    assert list(lt.is_partial) == [False, False, True]
    assert s.geo.isna().all()


def test_pytrends_hourly_is_refused(tmp_path, workspace):
    path = tmp_path / "iot.csv"
    path.write_text("date,tea,isPartial\n2026-02-01 00:00:00,1,False\n2026-02-01 01:00:00,2,True\n")
    with pytest.raises(FormatError) as exc:
        workspace.import_file(path, "pytrends", ctx())
    assert exc.value.row == 3 and "hourly" in str(exc.value)


def test_baidu_long_keeps_whole_index_and_flags_running_day(tmp_path, workspace):
    path = tmp_path / "baidu.csv"
    path.write_text(
        "date,keyword,type,index\n"
        "2026-03-01,绿茶,all,1520\n2026-03-01,绿茶,pc,400\n2026-03-01,绿茶,wise,1120\n"
        "2026-03-02,绿茶,all,1384\n2026-03-02,绿茶,pc,380\n2026-03-02,绿茶,wise,1004\n"
        '2026-03-03,绿茶,all,"1,610"\n'
    )
    # imported at 2026-03-03 12:00 UTC: the day 2026-03-03 is not over
    workspace.import_file(path, "baidu-index", ctx())
    s = workspace.table("index_series").sort_values("date")
    assert list(s.value) == [1520.0, 1384.0, 1610.0]
    assert list(s.is_partial) == [False, False, True]
    assert set(s.geo) == {"全国"} and set(s.period) == {"day"}


def test_baidu_wide_monthly(tmp_path, workspace):
    path = tmp_path / "baidu.csv"
    path.write_text("日期,绿茶,抹茶\n2026-01-01,1200,300\n2026-02-01,1100,420\n")
    workspace.import_file(path, "baidu-index", ctx())
    s = workspace.table("index_series")
    assert len(s) == 4 and set(s.period) == {"month"}
    # February ends 2026-03-01, before the import (2026-03-03): not partial
    assert not s.is_partial.any()
    assert (
        s[(s.term == "抹茶") & (pd.to_datetime(s.date) == pd.Timestamp("2026-02-01"))].value.item()
        == 420.0
    )


def test_naver_json_end_date_inside_last_week(tmp_path, workspace):
    doc = {
        "startDate": "2026-01-05",
        "endDate": "2026-01-21",
        "timeUnit": "week",
        "results": [
            {
                "title": "말차",
                "keywords": ["말차", "matcha"],
                "data": [
                    {"period": "2026-01-05", "ratio": 100},
                    {"period": "2026-01-12", "ratio": 61.5},
                    {"period": "2026-01-19", "ratio": 20.25},
                ],
            }
        ],
    }
    path = tmp_path / "datalab.json"
    path.write_text(json.dumps(doc, ensure_ascii=False))
    workspace.import_file(path, "naver-datalab", ctx())
    s = workspace.table("index_series").sort_values("date")
    assert list(s.value) == [100.0, 61.5, 20.25]
    # the week of 2026-01-19 runs to 01-25; the query ended on 01-21: partial
    assert list(s.is_partial) == [False, False, True]
    assert set(s.geo) == {"KR"} and set(s.source) == {"naver_datalab"}


def test_naver_wide_csv(tmp_path, workspace):
    path = tmp_path / "datalab.csv"
    path.write_text("날짜,말차,녹차\n2026-01-01,41.2,12.5\n2026-01-02,100,20.25\n")
    workspace.import_file(path, "naver-datalab", ctx())
    s = workspace.table("index_series")
    assert set(s.term) == {"말차", "녹차"} and set(s.period) == {"day"}
    with pytest.raises(FormatError) as exc:
        path.write_text("날짜,말차\n2026-01-01,41.2\n2026-01-02,140\n")
        workspace.import_file(path, "naver-datalab", ctx())
    assert exc.value.row == 3 and exc.value.column == "말차"


def test_period_end():
    assert period_end(dt.date(2026, 2, 1), "month") == dt.date(2026, 3, 1)
    assert period_end(dt.date(2026, 2, 15), "week") == dt.date(2026, 2, 22)
    assert period_end(dt.date(2026, 12, 1), "month") == dt.date(2027, 1, 1)


# --------------------------------------------------------------------------- indices section
def _window():
    d = dt.date
    span = SimpleNamespace
    return span(
        baseline=span(start=d(2026, 1, 1), end=d(2026, 1, 31)),
        campaign=span(start=d(2026, 2, 1), end=d(2026, 2, 28)),
    )


def test_partial_period_left_out_of_means():
    rows = [
        ("2026-01-04", 10.0, False),
        ("2026-01-11", 20.0, False),
        ("2026-02-01", 30.0, False),
        ("2026-02-08", 6.0, True),
    ]
    series = pd.DataFrame(
        {
            "import_id": 1,
            "source": "google_trends",
            "term": "tea",
            "geo": None,
            "period": "week",
            "date": [pd.Timestamp(r[0]) for r in rows],
            "value": [r[1] for r in rows],
            "below_one": False,
            "is_partial": [r[2] for r in rows],
        }
    )
    v = third_party(series, _window())["google_trends"]["tea"]
    # baseline (10 + 20) / 2 = 15; campaign 30 (the partial 6 left out): lift 30 / 15 - 1 = 1
    assert (v["baseline_mean"], v["campaign_mean"], v["lift"]) == (15.0, 30.0, 1.0)
    assert v["partial_periods_left_out"] == 1 and v["campaign_periods"] == 1
    kept = third_party(series, _window(), include_partial=True)["google_trends"]["tea"]
    # (30 + 6) / 2 = 18; 18 / 15 - 1 = 0.2
    assert kept["campaign_mean"] == 18.0 and kept["lift"] == pytest.approx(0.2)
    assert kept["partial_periods_left_out"] == 0
    assert Settings().include_partial is False


def test_report_says_partial_periods_were_left_out(tmp_path):
    from ripplemeter.campaign import load_campaign
    from ripplemeter.evaluate import evaluate_campaign

    (tmp_path / "iot.csv").write_text(
        "date,tea,isPartial\n2026-01-04,10,False\n2026-01-11,20,False\n"
        "2026-02-01,30,False\n2026-02-08,6,True\n"
    )
    (tmp_path / "campaign.toml").write_text(
        '[campaign]\nname = "t"\nstart = 2026-02-01\nend = 2026-02-28\n'
        "baseline_start = 2026-01-01\nbaseline_end = 2026-01-31\n"
        'timezone = "UTC"\ncurrency = "USD"\n'
        '[[sources]]\npath = "iot.csv"\nformat = "pytrends"\n'
    )
    camp = load_campaign(tmp_path / "campaign.toml")
    with Workspace(tmp_path / "ws.duckdb") as ws:
        camp.import_sources(ws)
        ev = evaluate_campaign(camp, ws)
    doc = ev.metrics()
    tea = doc["quantitative"]["third_party"]["google_trends"]["tea"]
    assert tea["campaign_mean"] == 30.0 and tea["partial_periods_left_out"] == 1
    assert PARTIAL_NOTE.format(n=1) in ev.notes
