"""End-to-end campaigns from real exports, checked against figures computed independently
from the raw files with the csv module (no ripplemeter code involved in the expectations)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from ripplemeter.campaign import load_campaign
from ripplemeter.pipeline import import_and_evaluate
from ripplemeter.report import write_report

pytestmark = pytest.mark.real_data

X = "platform_exports/x_twitter_analytics/debruine_30DCC-2022/"
TWEETS = X + "tweet_activity_metrics_LisaDeBruine_20210801_20210901_en.csv"
DAILY_AUG = X + "daily_tweet_activity_metrics_LisaDeBruine_20210801_20210901_en.csv"
DAILY_JAN = X + "daily_tweet_activity_metrics_LisaDeBruine_20210101_20210201_en.csv"
TRENDS = "platform_exports/google_trends/remisublette_GLP1-trends/multiTimeline-6.csv"
META = "platform_exports/meta_ads_manager/Anas3rdshade_Teefusion/"
META_REACH = META + "Untitled-report-Feb-1-2025-to-Aug-4-2025_Reach.csv"
META_AGE = META + "Untitled-report-Feb-1-2025-to-Aug-4-2025_Age.csv"


def raw(path: Path, skip: int = 0) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        lines = f.readlines()[skip:]
    return list(csv.DictReader(lines))


def x_campaign(tmp_path: Path, real_data, cpm: float = 6.5) -> Path:
    text = f"""
[campaign]
name = "Spring launch"
start = 2021-08-01
end = 2021-08-31
baseline_start = 2021-01-01
baseline_end = 2021-01-31
timezone = "UTC"
currency = "USD"
[benchmarks]
cpc = 0.9
[[sources]]
path = "{real_data(TWEETS)}"
format = "x-analytics-tweets"
[[sources]]
path = "{real_data(DAILY_AUG)}"
format = "x-analytics-daily"
[[sources]]
path = "{real_data(DAILY_JAN)}"
format = "x-analytics-daily"
[[sources]]
path = "{real_data(TRENDS)}"
format = "google-trends"
[[rate_cards]]
platform = "x"
unit = "cpm"
price = {cpm}
"""
    p = tmp_path / "campaign.toml"
    p.write_text(text)
    return p


@pytest.fixture
def x_report(tmp_path, real_data):
    camp = load_campaign(x_campaign(tmp_path, real_data))
    result = import_and_evaluate(camp)
    paths = write_report(result, tmp_path / "out")
    return result, json.loads(paths.metrics.read_text()), paths


def test_x_exposure_matches_raw_export(x_report, real_data):
    _, m, _ = x_report
    rows = raw(real_data(TWEETS))
    lo, hi = dt.datetime(2021, 8, 1), dt.datetime(2021, 9, 1)

    def utc(s: str) -> dt.datetime:
        return dt.datetime.strptime(s, "%Y-%m-%d %H:%M %z").astimezone(dt.UTC).replace(tzinfo=None)

    inside = [r for r in rows if lo <= utc(r["time"]) < hi]
    e = m["quantitative"]["exposure"]
    assert e["posts"] == len(inside) == 356
    for ours, theirs in [
        ("impressions", "impressions"),
        ("engagements", "engagements"),
        ("reposts", "retweets"),
        ("replies", "replies"),
        ("likes", "likes"),
        ("link_clicks", "url clicks"),
    ]:
        assert e[ours] == sum(int(float(r[theirs])) for r in inside), ours
    assert e["engagement_rate_impressions"] == pytest.approx(
        sum(float(r["engagements"]) for r in inside) / sum(float(r["impressions"]) for r in inside)
    )
    assert e["reach"] is None and "reach" in e["reasons"]  # X exports have no reach
    # AVE: CPM 6.5 on non-promoted impressions
    organic = [r for r in inside if r["promoted impressions"] in ("-", "", "0")]
    assert m["quantitative"]["ave"]["total"] == pytest.approx(
        6.5 * sum(float(r["impressions"]) for r in organic) / 1000
    )
    assert m["quantitative"]["ave"]["currency"] == "USD"


def test_x_daily_exposure_baseline_vs_campaign(x_report, real_data):
    _, m, _ = x_report
    jan = [
        float(r["impressions"])
        for r in raw(real_data(DAILY_JAN))
        if "2021-01-01" <= r["Date"] <= "2021-01-31"
    ]
    aug = [
        float(r["impressions"])
        for r in raw(real_data(DAILY_AUG))
        if "2021-08-01" <= r["Date"] <= "2021-08-31"
    ]
    d = m["quantitative"]["daily_exposure"]["impressions"]
    assert d["baseline_daily_mean"] == pytest.approx(sum(jan) / len(jan))
    assert d["campaign_daily_mean"] == pytest.approx(sum(aug) / len(aug))
    assert d["lift"] == pytest.approx((sum(aug) / len(aug)) / (sum(jan) / len(jan)) - 1)
    assert d["campaign_days"] == len(aug) and d["campaign_coverage"] == pytest.approx(len(aug) / 31)
    lo, hi = d["ci95"]
    assert lo < d["lift"] < hi


def test_x_google_trends_lift(x_report, real_data):
    _, m, _ = x_report
    rows = raw(real_data(TRENDS), skip=2)
    week = rows[0].keys().__iter__().__next__()
    col = "ozempic: (United States)"

    def val(s: str) -> float:
        return 0.5 if s.strip().startswith("<") else float(s)

    base = [val(r[col]) for r in rows if "2021-01-01" <= r[week] <= "2021-01-31"]
    camp = [val(r[col]) for r in rows if "2021-08-01" <= r[week] <= "2021-08-31"]
    t = m["quantitative"]["third_party"]["google_trends"]["ozempic"]
    assert t["baseline_mean"] == pytest.approx(sum(base) / len(base))
    assert t["campaign_mean"] == pytest.approx(sum(camp) / len(camp))
    assert t["lift"] == pytest.approx(t["campaign_mean"] / t["baseline_mean"] - 1)
    # a term whose baseline is all zeros: lift null with a reason, difference given
    w = m["quantitative"]["third_party"]["google_trends"]["wegovy"]
    assert w["baseline_mean"] == 0 and w["lift"] is None and "0" in w["reasons"]["lift"]
    assert w["difference"] == pytest.approx(w["campaign_mean"])


def test_metrics_json_contract(x_report):
    _, m, paths = x_report
    assert set(m["campaign"]) >= {"name", "start", "end", "baseline_start", "baseline_end"}
    assert m["campaign"]["start"] == "2021-08-01"
    for k in ("posts", "impressions", "engagements", "reposts", "replies", "likes", "link_clicks"):
        assert k in m["quantitative"]["exposure"]
    assert {"total", "currency", "by_platform"} <= set(m["quantitative"]["ave"])
    # every figure names a metric whose definition is carried
    for f in m["figures"]:
        d = m["definitions"][f["metric"]]
        assert d["formula"] and d["unit"] and d["source"]
    html = paths.html.read_text()
    assert html.count("<script") - html.count('<script type="text/javascript">') < 20
    assert "AMEC" in html


def test_reimport_changes_nothing(tmp_path, real_data):
    camp = load_campaign(x_campaign(tmp_path, real_data))
    a = import_and_evaluate(camp).metrics()
    b = import_and_evaluate(camp).metrics()
    assert all(s["already_imported"] for s in b["sources"])
    assert a["quantitative"] == b["quantitative"]


def meta_campaign(tmp_path: Path, real_data, start="2025-02-01", extra="") -> Path:
    text = f"""
[campaign]
name = "TeeFusion ads"
start = {start}
end = 2025-08-04
baseline_start = 2024-08-01
baseline_end = 2025-01-31
timezone = "Asia/Kolkata"
currency = "INR"
[benchmarks]
cpc = 0.9
[[sources]]
path = "{real_data(META_REACH)}"
format = "meta-ads"
{extra}
"""
    p = tmp_path / "campaign.toml"
    p.write_text(text)
    return p


def test_meta_cpc_equals_export(tmp_path, real_data):
    camp = load_campaign(meta_campaign(tmp_path, real_data))
    m = write_report(import_and_evaluate(camp), tmp_path / "out").metrics
    m = json.loads(m.read_text())
    rows = raw(real_data(META_REACH))
    total = next(r for r in rows if r["Campaign name"] == "")
    camps = [r for r in rows if r["Campaign name"] != ""]
    cpc = m["quantitative"]["cpc"]
    assert cpc["value"] == pytest.approx(float(total["CPC (cost per link click)"]), abs=1e-6)
    assert cpc["spend"] == pytest.approx(sum(float(r["Amount spent (INR)"]) for r in camps))
    assert cpc["link_clicks"] == sum(int(r["Link clicks"]) for r in camps)
    assert cpc["benchmark"] == 0.9
    assert cpc["index"] == pytest.approx(cpc["value"] / 0.9)
    assert cpc["reach"] == int(total["Reach"])
    assert cpc["agrees_with_export"] is True
    assert len(cpc["campaigns"]) == len(camps)
    # conversions of the counted rows, with cost per conversion = spend / conversions
    purchases = sum(int(r["Purchases"]) for r in camps if r["Purchases"])
    assert cpc["conversions"]["purchases"]["value"] == purchases
    assert cpc["conversions"]["purchases"]["cost_per"] == pytest.approx(cpc["spend"] / purchases)
    carts = sum(int(r["Adds to cart"]) for r in camps if r["Adds to cart"])
    assert cpc["conversions"]["adds_to_cart"]["value"] == carts


def test_meta_breakdown_export_is_never_added(tmp_path, real_data):
    extra = f'[[sources]]\npath = "{real_data(META_AGE)}"\nformat = "meta-ads"\n'
    camp = load_campaign(meta_campaign(tmp_path, real_data, extra=extra))
    res = import_and_evaluate(camp)
    total = next(r for r in raw(real_data(META_REACH)) if r["Campaign name"] == "")
    assert res.value("quantitative.cpc.value") == pytest.approx(
        float(total["CPC (cost per link click)"]), abs=1e-6
    )


def test_meta_rows_straddling_the_window_are_left_out_with_a_warning(tmp_path, real_data):
    camp = load_campaign(meta_campaign(tmp_path, real_data, start="2025-03-01"))
    res = import_and_evaluate(camp)
    assert (
        res.value("quantitative.cpc.value") is None
        and res.value("quantitative.cpc.link_clicks") == 0
    )
    assert "link clicks is 0" in res.value("quantitative.cpc.reasons.value")
    assert len(res.warnings) == 1
    w = res.warnings[0]
    assert w.startswith("15 ads row(s) have a reporting period that straddles the window")
    assert "row 3" in w and "and 12 more" in w
