"""The generated demo campaign: real export formats, internal consistency, determinism."""

from __future__ import annotations

import csv
import html
import re
import statistics
import tomllib
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ripplemeter import demo
from ripplemeter.demo import generate_demo

X_REAL = "platform_exports/x_twitter_analytics/debruine_30DCC-2022/"
REAL_TWEETS = X_REAL + "tweet_activity_metrics_LisaDeBruine_20210801_20210901_en.csv"
REAL_DAILY = X_REAL + "daily_tweet_activity_metrics_LisaDeBruine_20210801_20210901_en.csv"
REAL_META = (
    "platform_exports/meta_ads_manager/Anas3rdshade_Teefusion/"
    "Untitled-report-Feb-1-2025-to-Aug-4-2025_Reach.csv"
)
REAL_TRENDS = "platform_exports/google_trends/majohansson_maria-puerto-rico/multiTimeline.csv"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    """One generated demo campaign shared by the tests of this module."""
    out = tmp_path_factory.mktemp("demo")
    generate_demo(out)
    return out


def read_rows(path: Path, encoding: str = "utf-8") -> list[list[str]]:
    """All rows of a CSV file, header included, read with the csv module."""
    with path.open(encoding=encoding, newline="") as fh:
        return list(csv.reader(fh))


def read_dicts(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    """The data rows of a CSV file as dicts keyed by its header."""
    with path.open(encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh))


def campaign_window(row_time: str) -> str:
    """'baseline' or 'campaign' for an X export time, cut in the campaign's time zone."""
    utc = datetime.strptime(row_time, "%Y-%m-%d %H:%M %z")
    local = utc.astimezone(SHANGHAI).date().isoformat()
    return "campaign" if local >= "2026-03-01" else "baseline"


# ----------------------------------------------------------------- campaign.toml


def test_campaign_toml_schema(demo_dir):
    path = demo_dir / "campaign.toml"
    with path.open("rb") as fh:
        cfg = tomllib.load(fh)
    c = cfg["campaign"]
    assert c["name"] == "Lumen Tea spring launch (generated demo data)"
    assert c["start"].isoformat() == "2026-03-01"
    assert c["end"].isoformat() == "2026-03-31"
    assert c["baseline_start"].isoformat() == "2026-02-01"
    assert c["baseline_end"].isoformat() == "2026-02-28"
    assert c["timezone"] == "Asia/Shanghai"
    assert c["currency"] == "USD"
    assert c["generated"] is True
    assert cfg["benchmarks"] == {"cpc": 0.9}
    assert cfg["rate_cards"] == [
        {"platform": "x", "unit": "cpm", "price": 6.5},
        {"platform": "x", "unit": "cpc", "price": 0.8},
    ]
    formats = Counter(s["format"] for s in cfg["sources"])
    assert formats == {
        "x-analytics-tweets": 1,
        "x-analytics-daily": 2,
        "google-trends": 1,
        "meta-ads": 2,
        "outcomes": 1,
        "generic": 1,
        "comments": 1,
        "serp": 3,
    }
    assert cfg["seeding"]["k"] == 10 and cfg["seeding"]["forced"] == ["x:lumentea"]
    for source in cfg["sources"]:
        assert set(source) <= {"path", "format", "account", "table", "query"}
        # only the Baidu scrape needs its query said: the others record theirs
        assert ("query" in source) == (source["path"] == demo.SERP_BAIDU_FILE)
        assert (demo_dir / source["path"]).is_file()
        if source["format"].startswith("x-analytics"):
            assert source["account"] == "lumentea"
    paths = {s["path"] for s in cfg["sources"]}
    assert {
        "tweet_activity_metrics_lumentea_20260201_20260401_en.csv",
        "daily_tweet_activity_metrics_lumentea_20260201_20260301_en.csv",
        "daily_tweet_activity_metrics_lumentea_20260301_20260401_en.csv",
    } <= paths


# ----------------------------------------------------------------- headers as the real files


@pytest.mark.real_data
def test_tweet_export_header_is_the_real_one(demo_dir, real_data):
    real = read_rows(real_data(REAL_TWEETS))[0]
    ours = read_rows(demo_dir / demo.TWEETS_FILE)
    assert ours[0] == real
    assert len(real) == 40
    assert all(len(r) == 40 for r in ours)
    # Byte-level: the first line is the real first line (every field quoted, LF).
    real_first = real_data(REAL_TWEETS).read_bytes().split(b"\n", 1)[0]
    assert (demo_dir / demo.TWEETS_FILE).read_bytes().split(b"\n", 1)[0] == real_first


@pytest.mark.real_data
def test_daily_export_header_is_the_real_one(demo_dir, real_data):
    real = read_rows(real_data(REAL_DAILY))[0]
    assert len(real) == 38
    for name in (demo.DAILY_BASELINE_FILE, demo.DAILY_CAMPAIGN_FILE):
        ours = read_rows(demo_dir / name)
        assert ours[0] == real
        assert all(len(r) == 38 for r in ours)
        raw = (demo_dir / name).read_text(encoding="utf-8")
        assert not raw.startswith("\ufeff")
        assert all(line.startswith('"') and line.endswith('"') for line in raw.splitlines())
    assert len(read_rows(demo_dir / demo.DAILY_BASELINE_FILE)) == 1 + 28
    assert len(read_rows(demo_dir / demo.DAILY_CAMPAIGN_FILE)) == 1 + 31


@pytest.mark.real_data
def test_meta_export_header_is_the_real_one_in_usd(demo_dir, real_data):
    real = read_rows(real_data(REAL_META), encoding="utf-8-sig")[0]
    # the real export has no Results columns; the demo adds the three where Ads Manager puts
    # them (the demo's cost per result needs them)
    expected = demo._with_results(
        [h.replace("(INR)", "(USD)") for h in real], *demo.META_RESULT_COLUMNS
    )
    path = demo_dir / demo.META_FILE
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = read_rows(path, encoding="utf-8-sig")
    assert rows[0] == expected
    # Same quoting style as the real header line (only names with spaces are quoted).
    real_line = real_data(REAL_META).read_bytes().split(b"\n", 1)[0].decode("utf-8-sig")
    fields = demo._with_results(
        real_line.split(","), "Results", '"Result indicator"', '"Cost per results"'
    )
    line = "\ufeff" + ",".join(fields).replace("(INR)", "(USD)")
    assert path.read_bytes().split(b"\n", 1)[0].decode("utf-8") == line


@pytest.mark.real_data
def test_trends_layout_is_the_real_one(demo_dir, real_data):
    real = real_data(REAL_TRENDS).read_text(encoding="utf-8").splitlines()
    ours = (demo_dir / demo.TRENDS_FILE).read_text(encoding="utf-8").splitlines()
    assert ours[0] == real[0] == "Category: All categories"
    assert ours[1] == real[1] == ""
    assert ours[2].split(",")[0] == real[2].split(",")[0] == "Day"
    assert ours[2] == "Day,lumen tea: (Worldwide),matcha latte: (Worldwide)"


# ----------------------------------------------------------------- X tweets


def test_tweets_are_consistent_and_realistic(demo_dir):
    rows = read_dicts(demo_dir / demo.TWEETS_FILE)
    assert 200 <= len(rows) <= 320
    times = [r["time"] for r in rows]
    assert times == sorted(times, reverse=True)  # newest first, like the real export
    ids = [r["Tweet id"] for r in rows]
    assert len(set(ids)) == len(ids)
    float_cols = ["impressions", "engagements", "retweets", "replies", "likes", "detail expands"]
    n_promoted = 0
    for r in rows:
        assert r["Tweet permalink"] == f"https://twitter.com/lumentea/status/{r['Tweet id']}"
        assert re.fullmatch(r"2026-0[23]-\d\d \d\d:\d\d \+0000", r["time"])
        for col in float_cols:
            assert re.fullmatch(r"\d+\.0", r[col]), (col, r[col])
        assert re.fullmatch(r"\d+", r["app opens"])
        impressions, engagements = float(r["impressions"]), float(r["engagements"])
        assert 0 < impressions and engagements <= impressions
        assert float(r["engagement rate"]) == pytest.approx(engagements / impressions)
        parts = sum(float(r[p]) for p in demo._PARTS) + float(r["media engagements"])
        assert parts <= engagements
        assert int(r["media engagements"]) <= int(r["media views"])
        promoted = [r[h] for h in demo.X_TWEET_HEADER[22:]]
        if promoted[0] == "-":
            assert set(promoted) == {"-"}
        else:
            n_promoted += 1
            assert all(v != "-" for v in promoted)
            p_eng = int(r["promoted engagements"])
            assert p_eng <= int(r["promoted impressions"])
            p_parts = sum(int(r[f"promoted {p}"]) for p in demo._PARTS)
            assert p_parts <= p_eng
    assert 2 <= n_promoted <= 10

    texts = [html.unescape(r["Tweet text"]) for r in rows]
    assert sum(t.startswith("@") for t in texts) >= 20
    assert any("\n" in t for t in texts)
    assert any("<script>alert(1)</script>" in t for t in texts)
    assert any(t.startswith("=HYPERLINK(") for t in texts)
    assert any(re.search(r"[\u4e00-\u9fff]", t) for t in texts)
    assert any(re.search(r"[\uac00-\ud7a3]", t) for t in texts)
    # As in real exports, the raw texts are HTML-escaped.
    raw = [r["Tweet text"] for r in rows]
    assert not any("<" in t or ">" in t for t in raw)


def test_launch_spike_in_the_campaign_window(demo_dir):
    rows = read_dicts(demo_dir / demo.TWEETS_FILE)
    by_window: dict[str, list[float]] = {"baseline": [], "campaign": []}
    for r in rows:
        by_window[campaign_window(r["time"])].append(float(r["impressions"]))
    assert statistics.mean(by_window["campaign"]) > statistics.mean(by_window["baseline"])
    assert len(by_window["campaign"]) > len(by_window["baseline"])

    base = read_dicts(demo_dir / demo.DAILY_BASELINE_FILE)
    camp = read_dicts(demo_dir / demo.DAILY_CAMPAIGN_FILE)
    base_mean = statistics.mean(int(r["impressions"]) for r in base)
    camp_mean = statistics.mean(int(r["impressions"]) for r in camp)
    assert camp_mean > base_mean
    first_days = statistics.mean(int(r["impressions"]) for r in camp[:3])
    assert first_days > camp_mean  # the launch spike


def test_daily_exports_match_the_tweet_export(demo_dir):
    tweets = read_dicts(demo_dir / demo.TWEETS_FILE)
    per_day = Counter(r["time"][:10] for r in tweets)
    days = read_dicts(demo_dir / demo.DAILY_BASELINE_FILE)
    days += read_dicts(demo_dir / demo.DAILY_CAMPAIGN_FILE)
    assert [d["Date"] for d in days][0] == "2026-02-01"
    assert [d["Date"] for d in days][-1] == "2026-03-31"
    for d in days:
        assert int(d["Tweets published"]) == per_day.get(d["Date"], 0)
        impressions, engagements = int(d["impressions"]), int(d["engagements"])
        assert engagements <= impressions
        assert float(d["engagement rate"]) == pytest.approx(engagements / impressions)
        parts = sum(int(d[p]) for p in demo._PARTS) + int(d["media engagements"])
        assert parts <= engagements
    promoted_days = [d for d in days if d["promoted impressions"] != "-"]
    assert promoted_days and all(d["Date"] >= "2026-03-01" for d in promoted_days)
    weekday = [int(d["impressions"]) for d in days[:28] if d["Date"] not in _weekends()]
    weekend = [int(d["impressions"]) for d in days[:28] if d["Date"] in _weekends()]
    assert statistics.median(weekend) < statistics.median(weekday)


def _weekends() -> set[str]:
    return {f"2026-02-{day:02d}" for day in range(1, 29) if date(2026, 2, day).weekday() >= 5}


# ----------------------------------------------------------------- Google Trends, Meta, outcomes


def test_trends_values(demo_dir):
    lines = (demo_dir / demo.TRENDS_FILE).read_text(encoding="utf-8").splitlines()[3:]
    assert len(lines) == 59
    cells = [line.split(",") for line in lines]
    values = [v for c in cells for v in c[1:]]
    assert "<1" in values
    assert all(v == "<1" or (v.isdigit() and 0 <= int(v) <= 100) for v in values)
    assert "100" in values

    def mean(col: int, campaign: bool) -> float:
        nums = [
            0.5 if c[col] == "<1" else int(c[col])
            for c in cells
            if (c[0] >= "2026-03-01") == campaign
        ]
        return statistics.mean(nums)

    for col in (1, 2):
        assert mean(col, True) > mean(col, False)


def test_meta_rows(demo_dir):
    rows = read_dicts(demo_dir / demo.META_FILE, encoding="utf-8-sig")
    assert len(rows) == 4
    total, campaigns = rows[0], rows[1:]
    assert total["Campaign name"] == ""
    assert all(r["Campaign name"] for r in campaigns)
    for r in rows:
        assert r["Currency"] == "USD"
        assert (r["Reporting starts"], r["Reporting ends"]) == ("2026-03-01", "2026-03-31")
        spend, link = float(r["Amount spent (USD)"]), int(r["Link clicks"])
        assert float(r["CPC (cost per link click)"]) == round(spend / link, 8)
        assert float(r["Frequency"]) == round(int(r["Impressions"]) / int(r["Reach"]), 8)
    spent = [float(r["Amount spent (USD)"]) for r in campaigns]
    assert spent == sorted(spent, reverse=True)
    assert float(total["Amount spent (USD)"]) == pytest.approx(sum(spent))
    assert int(total["Impressions"]) == sum(int(r["Impressions"]) for r in campaigns)
    assert int(total["Reach"]) <= sum(int(r["Reach"]) for r in campaigns)
    assert any(r["Purchases"] for r in campaigns)
    # Results count each campaign's objective (by hand from the row's own counts); the
    # total row adds none up, since the campaigns count different results
    assert (total["Results"], total["Result indicator"], total["Cost per results"]) == ("", "", "")
    of = {
        "reach": "Reach",
        "actions:link_click": "Link clicks",
        "actions:offsite_conversion.fb_pixel_purchase": "Purchases",
    }
    assert sorted(r["Result indicator"] for r in campaigns) == sorted(of)
    for r in campaigns:
        n = int(r[of[r["Result indicator"]]])
        assert int(r["Results"]) == n
        per = 1000 if r["Result indicator"] == "reach" else 1  # Meta: reach per 1,000 people
        spend = float(r["Amount spent (USD)"])
        assert float(r["Cost per results"]) == pytest.approx(spend / n * per, abs=1e-8)
    by_age = read_dicts(demo_dir / demo.META_AGE_FILE, encoding="utf-8-sig")
    for r in campaigns:
        parts = [a for a in by_age if a["Campaign name"] == r["Campaign name"]]
        assert sum(int(a["Results"]) for a in parts if a["Results"]) == int(r["Results"])
    assert any(r["Purchases"] == "" for r in campaigns)  # not applicable is empty
    assert int(total["Purchases"]) == sum(int(r["Purchases"] or 0) for r in campaigns)


def test_outcomes(demo_dir):
    rows = read_dicts(demo_dir / demo.OUTCOMES_FILE)
    assert list(rows[0]) == ["date", "metric", "value", "source"]
    assert {r["metric"] for r in rows} == {"registrations", "orders"}
    assert len(rows) == 2 * 59
    for metric in ("registrations", "orders"):
        base = [int(r["value"]) for r in rows if r["metric"] == metric and r["date"] < "2026-03"]
        camp = [int(r["value"]) for r in rows if r["metric"] == metric and r["date"] >= "2026-03"]
        assert len(base) == 28 and len(camp) == 31
        assert statistics.mean(camp) > statistics.mean(base)


def test_no_post_claims_more_orders_than_the_outcomes_hold(demo_dir):
    # the trial's top post "Thank you for 10,000 orders in March", posted on 1 March, while
    # the outcomes count about 1,100 orders in all of March: a post may name a number of
    # orders only up to those recorded by the end of its (Shanghai) day
    orders = [r for r in read_dicts(demo_dir / demo.OUTCOMES_FILE) if r["metric"] == "orders"]
    checked = 0
    for r in read_dicts(demo_dir / demo.TWEETS_FILE):
        text = html.unescape(r["Tweet text"])
        assert "10,000" not in text
        posted = datetime.strptime(r["time"], "%Y-%m-%d %H:%M %z").astimezone(SHANGHAI)
        for n in re.findall(r"(\d[\d,]*)\s+orders", text):
            so_far = sum(int(o["value"]) for o in orders if o["date"] <= f"{posted.date()}")
            assert int(n.replace(",", "")) <= so_far, (text, r["time"], so_far)
            checked += 1
    assert checked == 0  # the thank-you post names no figure ("every order so far")


# ----------------------------------------------------------------- determinism, speed


def test_same_seed_gives_identical_bytes(tmp_path):
    a = generate_demo(tmp_path / "a", seed=11).parent
    b = generate_demo(tmp_path / "b", seed=11).parent
    c = generate_demo(tmp_path / "c", seed=12).parent
    # the workspace holding the loaded plan (a database file, not byte-stable) aside
    assert (a / demo.WORKSPACE_FILE).is_file()
    names = sorted(p.name for p in a.iterdir() if p.name != demo.WORKSPACE_FILE)
    assert names == sorted(p.name for p in b.iterdir() if p.name != demo.WORKSPACE_FILE)
    # data files, campaign.toml, listen.toml (the listening project), and standards.toml,
    # team.toml and plan.json (the content plan the calendar section checks), and the three
    # search-engine first pages
    assert len(names) == 17
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert (a / demo.TWEETS_FILE).read_bytes() != (c / demo.TWEETS_FILE).read_bytes()
    assert (a / demo.COMMENTS_FILE).read_bytes() != (c / demo.COMMENTS_FILE).read_bytes()
    assert (a / demo.SERP_NAVER_FILE).read_bytes() != (c / demo.SERP_NAVER_FILE).read_bytes()


def test_follows_graph_is_preferential_attachment(demo_dir):
    """The brand account, first in the graph, ends with the most followers."""
    rows = read_rows(demo_dir / demo.FOLLOWS_FILE)
    assert rows[0] == ["src_account_id", "dst_account_id"]
    followers = Counter(dst for _, dst in rows[1:])
    assert followers.most_common(1)[0][0] == "x:lumentea"
    assert len({s for s, _ in rows[1:]} | set(followers)) == 3000
    assert all(s != d for s, d in rows[1:])


def test_comments_answer_the_campaign_tweets_in_three_languages(demo_dir):
    import csv as _csv

    from ripplemeter.formats.comments import HEADER
    from ripplemeter.text.annotate import script_languages

    with open(demo_dir / demo.COMMENTS_FILE, encoding="utf-8", newline="") as f:
        rows = list(_csv.reader(f))
    assert tuple(rows[0]) == HEADER
    body = [dict(zip(HEADER, r, strict=True)) for r in rows[1:]]
    tweets = {r["Tweet id"]: r for r in read_dicts(demo_dir / demo.TWEETS_FILE)}
    replies = [r for r in body if r["platform"] == "x"]
    assert len(replies) > 500 and all(r["parent_id"] in tweets for r in replies)
    # every reply comes after the tweet it answers, and inside the campaign window (UTC+8)
    for r in replies:
        tweet_time = tweets[r["parent_id"]]["time"]
        assert r["created_at"][:10] >= tweet_time[:10]
        assert "2026-02-28T16:00:00Z" <= r["created_at"] < "2026-03-31T16:00:00Z"
    langs = Counter(script_languages([r["text"] for r in body]))
    assert langs["en"] > 300 and langs["zh"] > 200 and langs["ko"] > 200
    spam = [r for r in body if "http" in r["text"]]
    assert 0.02 < len(spam) / len(body) < 0.07
    others = {r["platform"] for r in body} - {"x"}
    assert others == {"weibo", "youtube", "instagram", "reddit", "naver_blog"}
    # comments under other platforms' mentions answer a mention of the file
    ids = {r["id"] for r in body}
    assert all(r["parent_id"] in ids for r in body if r["platform"] != "x" and r["parent_id"])


def test_demo_brand_topic_finds_the_chinese_and_korean_names(demo_dir):
    """The brand is written 路明茶 in Chinese and 루멘티 in Korean (standards.toml requires
    them): the listening project's brand query finds both, as Opinion does."""
    import pandas as pd

    from ripplemeter.listen.project import load_listen_project
    from ripplemeter.listen.query import parse

    project = load_listen_project(demo_dir / "listen.toml")
    brand = next(t for t in project.topics if t.role == "brand")
    posts = pd.DataFrame(
        {
            "text": [
                "路明茶的春季抹茶太好喝了",  # 路明茶 inside an unspaced sentence
                "루멘티의 새 말차 출시",  # 루멘티 followed by the particle 의
                "Lumen Tea spring launch",
                "明茶",  # part of the name only
                "그냥 말차 라떼",
            ]
        }
    )
    assert parse(brand.query).match(posts).tolist() == [True, True, True, False, False]
