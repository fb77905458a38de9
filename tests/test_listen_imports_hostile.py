"""Listening imports under hostile input (issue 10, item 2: the import-first formats).

X API v2 responses and twarc2 JSONL, pytrends, Baidu Index, Naver DataLab, Weibo trends and
Google Trends downloads, each cut, re-encoded or odd the way real files are: a truncated last
line, a BOM, CRLF line ends, an empty file, a retweet whose original is missing, a quote of a
retweet, the same tweet in two files, ``isPartial`` spelt in several ways, a Naver download
with its Korean title block. Each gives the right records or a clear error naming file, row
and column: the CLI exits 2 without a traceback and the workspace is left as it was.

No recording of these exports exists in the shared data: the files are written here by hand
from the documented layouts (X "Tweet object", twarc's ``expansions.flatten``, the pytrends
README, Naver's "Search Trend API"), and every expected value is read off them by hand.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from ripplemeter.cli import app
from ripplemeter.errors import FormatError
from ripplemeter.formats import SourceContext
from ripplemeter.workspace import Workspace

DATA = Path(__file__).parent / "data" / "listening"
IMPORTED = pd.Timestamp("2026-03-03 12:00:00")


def ctx(**kw) -> SourceContext:
    return SourceContext(imported_at=kw.pop("imported_at", IMPORTED), **kw)


def refused(tmp_path: Path, file: Path, fmt: str) -> FormatError:
    """Import through the library and the CLI: both refuse, and nothing is written."""
    ws_path = tmp_path / "ws.duckdb"
    with Workspace(ws_path) as ws:
        before = ws.counts()
        with pytest.raises(FormatError) as ei:
            ws.import_file(file, fmt, ctx())
    result = CliRunner().invoke(
        app, ["import", str(file), "--format", fmt, "--workspace", str(ws_path)]
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert file.name in " ".join(result.output.split())
    with Workspace(ws_path) as ws:
        assert ws.counts() == before
        assert not len(ws.imports())
    return ei.value


def posts(ws: Workspace) -> pd.DataFrame:
    return ws.table("posts").set_index("post_id").sort_index()


# --------------------------------------------------------------------------- X API v2


def _tweet(tid: str, text: str, **kw) -> dict:
    t = {
        "id": tid,
        "text": text,
        "author_id": kw.pop("author_id", "9"),
        "created_at": "2026-03-02T09:00:00.000Z",
        "conversation_id": kw.pop("conversation_id", tid),
        "lang": "en",
        "edit_history_tweet_ids": [tid],
        "public_metrics": {
            "retweet_count": 1,
            "reply_count": 0,
            "like_count": kw.pop("likes", 2),
            "quote_count": 0,
            "bookmark_count": 0,
            "impression_count": 10,
        },
    }
    t.update(kw)
    return t


ORIGINAL = _tweet("100", "The original tweet with the whole text, not cut at all", author_id="1")
RETWEET = _tweet(
    "200",
    "RT @brand: The original tweet with the whole te…",
    referenced_tweets=[{"type": "retweeted", "id": "100"}],
)
QUOTE_OF_RETWEET = _tweet(
    "300", "Look at this", referenced_tweets=[{"type": "quoted", "id": "200"}]
)
REPLY_TO_RETWEET = _tweet(
    "350",
    "@brand is it back in stock?",
    conversation_id="200",
    referenced_tweets=[{"type": "replied_to", "id": "200"}],
)
LOST_RETWEET = _tweet(
    "400",
    "RT @ghost: something that was delet…",
    referenced_tweets=[{"type": "retweeted", "id": "999"}],
)
USERS = [{"id": "9", "name": "Nine", "username": "nine"}, {"id": "1", "name": "B", "username": "b"}]


def _flattened(t: dict, retrieved_at: str = "2026-03-02T10:00:00+00:00") -> dict:
    """What twarc2 flatten writes: referenced tweets (themselves expanded) merged inline."""
    includes = {"100": ORIGINAL, "200": RETWEET}

    def expand(x: dict) -> dict:
        x = json.loads(json.dumps(x))
        if "referenced_tweets" in x:
            x["referenced_tweets"] = [
                {**r, **expand(includes.get(r["id"], {}))} for r in x["referenced_tweets"]
            ]
        return x

    out = expand(t)
    out["author"] = next(u for u in USERS if u["id"] == t["author_id"])
    out["__twarc"] = {"retrieved_at": retrieved_at}
    return out


def test_truncated_jsonl_last_line_is_refused_with_its_row(tmp_path):
    lines = (DATA / "x_twarc2_flat.jsonl").read_text(encoding="utf-8").rstrip("\n").split("\n")
    assert len(lines) == 4
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join(lines[:3]) + "\n" + lines[3][: len(lines[3]) // 2], encoding="utf-8")
    err = refused(tmp_path, cut, "x-api-v2")
    assert err.row == 4 and "truncated" in str(err)


@pytest.mark.parametrize("name", ["x_twarc2_flat.jsonl", "x_api_search.json"])
def test_bom_and_crlf_give_the_same_tweets(tmp_path, name):
    plain = (DATA / name).read_text(encoding="utf-8")
    odd = tmp_path / name
    odd.write_bytes(b"\xef\xbb\xbf" + plain.replace("\n", "\r\n").encode("utf-8"))
    with Workspace(tmp_path / "a.duckdb") as a, Workspace(tmp_path / "b.duckdb") as b:
        a.import_file(DATA / name, "x-api-v2", ctx())
        b.import_file(odd, "x-api-v2", ctx())
        cols = ["kind", "parent_id", "root_id", "text", "created_at"]
        pd.testing.assert_frame_equal(posts(a)[cols], posts(b)[cols])
        assert len(posts(b)) == 4


@pytest.mark.parametrize("content", ["", "\n\n", "\ufeff"])
def test_empty_file_is_refused(tmp_path, content):
    empty = tmp_path / "empty.jsonl"
    empty.write_text(content, encoding="utf-8")
    assert "empty" in str(refused(tmp_path, empty, "x-api-v2"))


@pytest.fixture(params=["raw", "flat"])
def retweet_file(request, tmp_path) -> Path:
    tweets = [RETWEET, QUOTE_OF_RETWEET, REPLY_TO_RETWEET, LOST_RETWEET]
    if request.param == "raw":
        path = tmp_path / "page.json"
        doc = {
            "data": tweets,
            "includes": {"users": USERS, "tweets": [ORIGINAL, RETWEET]},
            "meta": {"result_count": 4},
        }
        path.write_text(json.dumps(doc), encoding="utf-8")
    else:
        path = tmp_path / "flat.jsonl"
        path.write_text("".join(json.dumps(_flattened(t)) + "\n" for t in tweets))
    return path


def test_retweets_quotes_and_replies_link_the_original(tmp_path, retweet_file):
    with Workspace(tmp_path / "ws.duckdb") as ws:
        res = ws.import_file(retweet_file, "x-api-v2", ctx())
        p = posts(ws)
    # the retweet stores the original's full text and links it
    assert (p.loc["x:200", "kind"], p.loc["x:200", "parent_id"]) == ("repost", "x:100")
    assert p.loc["x:200", "text"] == ORIGINAL["text"]
    # a quote and a reply that point at the retweet are about its original (a retweet has
    # no words of its own): parent x:100; the quote keeps its own words
    assert (p.loc["x:300", "kind"], p.loc["x:300", "parent_id"]) == ("quote", "x:100")
    assert p.loc["x:300", "root_id"] == "x:100"  # the original's conversation
    assert p.loc["x:300", "text"] == "Look at this"
    assert (p.loc["x:350", "kind"], p.loc["x:350", "parent_id"]) == ("reply", "x:100")
    # the retweet whose original is missing keeps its cut text and its parent link
    assert p.loc["x:400", "text"] == "RT @ghost: something that was delet…"
    assert (p.loc["x:400", "parent_id"], p.loc["x:400", "root_id"]) == ("x:999", "x:999")
    # the originals themselves are not mentions: four tweets, four posts
    assert len(p) == 4 and "x:100" not in p.index
    notes = " ".join(res.notes)
    assert "1 retweet(s) whose original is not in the file" in notes
    assert "2 tweet(s) that point at a retweet are linked to the retweeted original" in notes


def test_same_tweet_in_two_files(tmp_path):
    """Overlapping collections: each file is its own import; the later snapshot is added."""
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text(json.dumps(_flattened(RETWEET)) + "\n")
    later = _flattened(RETWEET, "2026-03-03T10:00:00+00:00")
    later["public_metrics"]["like_count"] = 7
    b.write_text(json.dumps(later) + "\n" + json.dumps(_flattened(QUOTE_OF_RETWEET)) + "\n")
    with Workspace(tmp_path / "ws.duckdb") as ws:
        ws.import_file(a, "x-api-v2", ctx())
        ws.import_file(b, "x-api-v2", ctx())
        counts = ws.counts()
        ws.import_file(b, "x-api-v2", ctx())  # the same file twice: nothing new
        assert ws.counts() == counts
        m = ws.table("post_metrics").sort_values("observed_at")
        stored = ws.table("posts")
    # one row per import holding the tweet (lineage); the same words and links in both
    rt = stored[stored.post_id == "x:200"]
    assert len(rt) == 2 and set(rt.text) == {ORIGINAL["text"]} and set(rt.parent_id) == {"x:100"}
    # two snapshots of x:200, a day apart: 2 likes, then 7
    assert m[m.post_id == "x:200"].likes.tolist() == [2, 7]
    assert len(stored) == 3


# --------------------------------------------------------------------------- pytrends


@pytest.mark.parametrize(
    ("flags", "partial"),
    [
        (("False", "True"), [False, True]),  # DataFrame.to_csv
        (("FALSE", "TRUE"), [False, True]),  # re-saved by a spreadsheet
        (("false", "true"), [False, True]),
        ((" False", "True "), [False, True]),
    ],
)
def test_pytrends_is_partial_spellings(tmp_path, flags, partial):
    path = tmp_path / "iot.csv"
    path.write_text(
        f"date,tea,isPartial\r\n2026-01-04,10,{flags[0]}\r\n2026-01-11,20,{flags[1]}\r\n"
    )
    with Workspace(tmp_path / "ws.duckdb") as ws:
        ws.import_file(path, "pytrends", ctx())
        s = ws.table("index_series").sort_values("date")
    assert s.is_partial.tolist() == partial
    assert s.value.tolist() == [10.0, 20.0]


@pytest.mark.parametrize("bad", ["1", "", "yes"])
def test_pytrends_other_flags_name_row_and_column(tmp_path, bad):
    path = tmp_path / "iot.csv"
    path.write_text(f"date,tea,isPartial\n2026-01-04,10,False\n2026-01-11,20,{bad}\n")
    err = refused(tmp_path, path, "pytrends")
    assert (err.row, err.column) == (3, "isPartial")


def test_pytrends_truncated_last_line(tmp_path):
    path = tmp_path / "iot.csv"
    path.write_text("date,tea,isPartial\n2026-01-04,10,False\n2026-01-11,2")
    assert refused(tmp_path, path, "pytrends").row == 3


# --------------------------------------------------------------------------- Baidu, Naver


def test_baidu_last_value_cut_short_is_refused(tmp_path):
    # "1610" cut to "16" still parses: without the final line break the file is refused
    path = tmp_path / "baidu.csv"
    path.write_text("日期,关键词,搜索指数\n2026-01-01,绿茶,1520\n2026-01-02,绿茶,16")
    err = refused(tmp_path, path, "baidu-index")
    assert err.row == 3 and "truncated" in str(err)


def test_baidu_bom_crlf_and_thousands(tmp_path):
    path = tmp_path / "baidu.csv"
    path.write_bytes(
        '\ufeff日期,关键词,搜索指数\r\n2026-01-01,绿茶,"1,520"\r\n2026-01-02,绿茶,1610\r\n'.encode()
    )
    with Workspace(tmp_path / "ws.duckdb") as ws:
        ws.import_file(path, "baidu-index", ctx())
        s = ws.table("index_series").sort_values("date")
    assert s.value.tolist() == [1520.0, 1610.0] and set(s.term) == {"绿茶"}


NAVER_DOWNLOAD = (
    "네이버 데이터랩 검색어트렌드\n"
    "조회기간: 2026-01-01 ~ 2026-01-03 (일간)\n"
    '"주제어1: 말차 (말차, matcha)"\n'
    '"주제어2: 녹차 (녹차)"\n'
    "\n"
    "날짜,말차,날짜,녹차\n"
    "2026-01-01,41.2,2026-01-01,12\n"
    "2026-01-02,100,2026-01-02,20.5\n"
)


def test_naver_download_with_its_korean_title_block(tmp_path):
    path = tmp_path / "datalab.csv"
    path.write_text(NAVER_DOWNLOAD, encoding="utf-8")
    with Workspace(tmp_path / "ws.duckdb") as ws:
        res = ws.import_file(path, "naver-datalab", ctx())
        s = ws.table("index_series").sort_values(["term", "date"])
    # the header is line 6; each group reads the date column on its left
    got = [(r.term, str(r.date)[:10], r.value, r.source_row) for r in s.itertuples()]
    assert got == [
        ("녹차", "2026-01-01", 12.0, 7),
        ("녹차", "2026-01-02", 20.5, 8),
        ("말차", "2026-01-01", 41.2, 7),
        ("말차", "2026-01-02", 100.0, 8),
    ]
    assert set(s.geo) == {"KR"} and set(s.period) == {"day"} and not s.is_partial.any()
    assert any("5 line(s) above the header" in n for n in res.notes)


def test_naver_download_is_recognised_without_a_format(tmp_path):
    from ripplemeter.formats import recognised_as

    path = tmp_path / "datalab.csv"
    path.write_text(NAVER_DOWNLOAD, encoding="utf-8")
    assert recognised_as(path).name == "naver-datalab"


def test_naver_bad_ratio_under_the_title_block_names_its_row(tmp_path):
    path = tmp_path / "datalab.csv"
    path.write_text(NAVER_DOWNLOAD.replace("20.5", "120"), encoding="utf-8")
    err = refused(tmp_path, path, "naver-datalab")
    assert (err.row, err.column) == (8, "녹차")


def test_naver_truncated_last_line(tmp_path):
    path = tmp_path / "datalab.csv"
    path.write_text("날짜,말차\n2026-01-01,41.2\n2026-01-02,10", encoding="utf-8")
    assert refused(tmp_path, path, "naver-datalab").row == 3


# --------------------------------------------------------------------------- Weibo trends


def test_weibo_string_counts_and_local_keys(tmp_path):
    path = tmp_path / "trends.json"
    doc = {
        "trends": {
            "2012-03-06 09:28": [
                {"name": "雷锋", "query": "雷锋", "amount": "3879", "delta": "-5"}
            ],
            "2012-03-06 10:28": [{"name": "雷锋", "query": "雷锋", "amount": 4000, "delta": 121}],
        },
        "as_of": "1330997282",  # a string, as Weibo writes its counts
    }
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(doc, ensure_ascii=False).encode())
    with Workspace(tmp_path / "ws.duckdb") as ws:
        ws.import_file(path, "weibo-trends", ctx())
        t = ws.table("trending_topics").sort_values("listed_at")
    # Beijing 09:28 and 10:28 are 01:28 and 02:28 UTC; as_of 1330997282 is 01:28:02 UTC
    assert [str(x) for x in t.listed_at] == ["2012-03-06 01:28:00", "2012-03-06 02:28:00"]
    assert t.amount.tolist() == [3879, 4000] and t.delta.tolist() == [-5, 121]
    assert {str(x) for x in t.as_of} == {"2012-03-06 01:28:02"}


def test_weibo_truncated_answer(tmp_path):
    path = tmp_path / "trends.json"
    path.write_text('{"trends": {"2012-03-06 09:28": [{"name": "x", "amount": "1", "del')
    err = refused(tmp_path, path, "weibo-trends")
    assert err.row == 1 and "truncated" in str(err)


# --------------------------------------------------------------------------- Google Trends


def test_google_trends_running_week_is_flagged_partial(tmp_path):
    """A download's last week, still running at the import, is partial (left out of means)."""
    path = tmp_path / "multiTimeline.csv"
    path.write_text(
        "Category: All categories\n\nWeek,matcha: (Worldwide)\n"
        "2026-02-15,80\n2026-02-22,100\n2026-03-01,31\n"
    )
    with Workspace(tmp_path / "ws.duckdb") as ws:
        res = ws.import_file(path, "google-trends", ctx())
        s = ws.table("index_series").sort_values("date")
    # imported 2026-03-03 12:00: the week of 03-01 runs to 03-07 (not over); the week of
    # 02-22 ended on 03-01 (over)
    assert s.is_partial.tolist() == [False, False, True]
    assert any("1 period(s) flagged partial" in n for n in res.notes)
    assert dt.date(2026, 3, 1).isoformat() in " ".join(res.notes)


# pytrends frames saved with DataFrame.to_json instead of to_csv: isPartial is then a JSON
# boolean (or the strings "True"/"False" when the column was of strings). Written by hand in
# the layouts pandas documents for each orient; dates as epoch milliseconds or ISO 8601.
EPOCH = {"2026-01-04": 1767484800000, "2026-01-11": 1768089600000}
PYTRENDS_JSON = {
    "columns": {
        "tea": {"1767484800000": 10, "1768089600000": 20},
        "isPartial": {"1767484800000": False, "1768089600000": True},
    },
    "index": {
        "2026-01-04T00:00:00.000": {"tea": 10, "isPartial": "False"},
        "2026-01-11T00:00:00.000": {"tea": 20, "isPartial": "True"},
    },
    "split": {
        "columns": ["tea", "isPartial"],
        "index": [1767484800000, 1768089600000],
        "data": [[10, False], [20, True]],
    },
    "records": [
        {"date": "2026-01-04T00:00:00.000", "tea": 10, "isPartial": False},
        {"date": "2026-01-11T00:00:00.000", "tea": 20, "isPartial": True},
    ],
    "table": {
        "schema": {"fields": [{"name": "date", "type": "datetime"}], "primaryKey": ["date"]},
        "data": [
            {"date": "2026-01-04T00:00:00.000", "tea": 10, "isPartial": "false"},
            {"date": "2026-01-11T00:00:00.000", "tea": 20, "isPartial": "true"},
        ],
    },
}


def test_epoch_milliseconds_are_the_dates():
    for day, ms in EPOCH.items():
        assert pd.Timestamp(ms, unit="ms") == pd.Timestamp(day)


@pytest.mark.parametrize("orient", sorted(PYTRENDS_JSON))
def test_pytrends_json_booleans_and_strings(tmp_path, orient):
    path = tmp_path / "iot.json"
    path.write_text(json.dumps(PYTRENDS_JSON[orient]))
    with Workspace(tmp_path / "ws.duckdb") as ws:
        ws.import_file(path, "pytrends", ctx())
        s = ws.table("index_series").sort_values("date")
    got = [(str(r.date)[:10], r.term, r.value, r.is_partial, r.period) for r in s.itertuples()]
    assert got == [
        ("2026-01-04", "tea", 10.0, False, "week"),
        ("2026-01-11", "tea", 20.0, True, "week"),
    ]


def test_pytrends_json_is_recognised_and_bad_flags_named(tmp_path):
    from ripplemeter.formats import recognised_as

    path = tmp_path / "iot.json"
    path.write_text(json.dumps(PYTRENDS_JSON["records"], indent=1))
    assert recognised_as(path).name == "pytrends"
    bad = [dict(r) for r in PYTRENDS_JSON["records"]]
    bad[1]["isPartial"] = "maybe"
    path.write_text(json.dumps(bad, indent=1))
    err = refused(tmp_path, path, "pytrends")
    # indent=1: line 1 "[", the first record is lines 2-6, the second's date on line 8
    assert (err.row, err.column) == (8, "isPartial")
