"""Quantitative figures on the generated demo and on small hand-made files, each checked
against an independent computation from the raw CSVs (csv module, zoneinfo)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ripplemeter.campaign import load_campaign
from ripplemeter.demo import generate_demo
from ripplemeter.errors import EvaluationError
from ripplemeter.pipeline import import_and_evaluate

TWEETS = "tweet_activity_metrics_lumentea_20260201_20260401_en.csv"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo")
    toml_path = generate_demo(tmp / "data", seed=11)
    res = import_and_evaluate(load_campaign(toml_path), workspace=tmp / "ws.duckdb")
    return res, toml_path.parent


def _tweets_in_window(folder: Path, start: dt.date, end: dt.date) -> list[dict]:
    tz = ZoneInfo("Asia/Shanghai")
    lo = dt.datetime.combine(start, dt.time(0), tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    with open(folder / TWEETS, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [r for r in rows if lo <= dt.datetime.strptime(r["time"], "%Y-%m-%d %H:%M %z") < hi]


def test_window_is_cut_in_the_campaign_time_zone(demo):
    res, folder = demo
    inside = _tweets_in_window(folder, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert res.value("quantitative.exposure.posts") == len(inside)
    assert res.value("quantitative.exposure.impressions") == sum(
        int(float(r["impressions"])) for r in inside
    )
    base = _tweets_in_window(folder, dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert res.value("quantitative.baseline_exposure.posts") == len(base)
    # posts per day are zero-filled over all 31 days and add up
    ppd = res.frame("posts_per_day")
    assert len(ppd) == 31 and ppd.posts.sum() == len(inside)


def test_ave_by_hand(demo):
    res, folder = demo
    inside = _tweets_in_window(folder, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    organic = [r for r in inside if r["promoted impressions"] in ("-", "0", "0.0")]
    assert len(organic) < len(inside)  # the demo has promoted tweets, which AVE leaves out
    cpm = 6.5 * sum(float(r["impressions"]) for r in organic) / 1000
    cpc = 0.8 * sum(float(r["url clicks"]) for r in organic)
    assert res.value("quantitative.ave.by_platform.x.cpm.value") == pytest.approx(cpm)
    assert res.value("quantitative.ave.by_platform.x.cpc.value") == pytest.approx(cpc)
    assert res.value("quantitative.ave.total") == pytest.approx(cpm + cpc)


def test_conversion_daily_means_by_hand(demo):
    res, folder = demo
    with open(folder / "outcomes.csv", encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["metric"] == "orders"]
    b = [float(r["value"]) for r in rows if "2026-02-01" <= r["date"] <= "2026-02-28"]
    c = [float(r["value"]) for r in rows if "2026-03-01" <= r["date"] <= "2026-03-31"]
    o = res.value("quantitative.conversion.orders")
    assert o["baseline_daily_mean"] == pytest.approx(sum(b) / len(b))
    assert o["campaign_daily_mean"] == pytest.approx(sum(c) / len(c))
    assert o["lift"] == pytest.approx((sum(c) / len(c)) / (sum(b) / len(b)) - 1)
    assert o["ci95"][0] < o["lift"] < o["ci95"][1]
    assert o["weekday_adjusted"]["method"].startswith("OLS")


SPEND_TOML = """
[campaign]
name = "Spend test"
start = 2026-03-01
end = 2026-03-31
timezone = "UTC"
currency = "USD"
[benchmarks]
cpc = 0.5
[[sources]]
path = "spend.csv"
format = "spend"
{fx}
"""


def test_spend_rows_fx_and_straddling_periods(tmp_path):
    (tmp_path / "spend.csv").write_text(
        "date,reporting_start,reporting_end,platform,campaign,amount,currency,impressions,link_clicks\n"
        "2026-03-02,,,x,launch,100,USD,10000,200\n"
        "2026-03-03,,,weibo,launch,5000,INR,9000,150\n"
        "2026-02-27,,,x,teaser,80,USD,5000,100\n"  # before the window
        ",2026-02-20,2026-03-05,x,always-on,70,USD,4000,90\n"  # straddles: left out
        ",2026-03-10,2026-03-20,x,burst,30,USD,2000,50\n"
    )
    (tmp_path / "campaign.toml").write_text(
        SPEND_TOML.format(fx='[[fx]]\ncurrency = "INR"\nrate = 0.012')
    )
    res = import_and_evaluate(load_campaign(tmp_path / "campaign.toml"))
    spend = 100 + 5000 * 0.012 + 30
    clicks = 200 + 150 + 50
    assert res.value("quantitative.cpc.spend") == pytest.approx(spend)
    assert res.value("quantitative.cpc.link_clicks") == clicks
    assert res.value("quantitative.cpc.value") == pytest.approx(spend / clicks)
    assert res.value("quantitative.cpc.index") == pytest.approx(spend / clicks / 0.5)
    assert (
        len(res.value("quantitative.cpc.warnings")) == 1
        and "row 5" in res.value("quantitative.cpc.warnings")[0]
    )


def test_spend_in_another_currency_without_fx_is_an_error(tmp_path):
    (tmp_path / "spend.csv").write_text(
        "date,platform,campaign,amount,currency,impressions,link_clicks\n"
        "2026-03-03,weibo,launch,5000,INR,9000,150\n"
    )
    (tmp_path / "campaign.toml").write_text(SPEND_TOML.format(fx=""))
    with pytest.raises(EvaluationError, match=r"spend.csv, row 2.*INR.*no rate is guessed"):
        import_and_evaluate(load_campaign(tmp_path / "campaign.toml"))


@pytest.mark.real_data
def test_undated_uci_posts_are_left_out_and_counted(tmp_path, real_data):
    uci = real_data("uci_facebook_metrics/dataset_Facebook.csv")
    (tmp_path / "campaign.toml").write_text(
        f"""
[campaign]
name = "UCI page"
start = 2014-06-01
end = 2014-06-30
[[sources]]
path = "{uci}"
format = "facebook-insights-posts"
"""
    )
    with open(uci, encoding="utf-8", newline="") as f:
        n = sum(1 for _ in csv.DictReader(f, delimiter=";"))
    res = import_and_evaluate(load_campaign(tmp_path / "campaign.toml"))
    assert n == 500
    assert res.value("quantitative.exposure.posts") == 0
    assert res.value("quantitative.exposure.undated_posts") == n
    assert any(f"{n} posts have no creation date" in note for note in res.notes)
    m = res.metrics()
    assert m["quantitative"]["exposure"]["undated_posts"] == n
