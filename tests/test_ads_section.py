"""The ads section's building blocks (ripplemeter.evaluate.ads), each against figures
computed by hand from tiny Meta-like exports and ``spend`` files on a tmp workspace."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

from ripplemeter.campaign import load_campaign
from ripplemeter.errors import EvaluationError
from ripplemeter.evaluate import EvalContext, make_context
from ripplemeter.evaluate.ads import (
    account_total,
    conversions,
    counted_ads_rows,
    cpc,
    read_ads_rows,
    read_spend_rows,
    spend_rows,
    to_campaign_currency,
    window_position,
)
from ripplemeter.evaluate.context import Window
from ripplemeter.pipeline import import_and_evaluate
from ripplemeter.workspace import Workspace

MARCH = Window.from_dates(
    dt.date(2026, 3, 1), dt.date(2026, 3, 31), dt.date(2026, 1, 29), dt.date(2026, 2, 28), "UTC"
)

META_HEADER = (
    '"Campaign name","Ad set name",Reach,Impressions,Frequency,Currency,'
    '"Amount spent ({cur})","Link clicks","CPC (cost per link click)","Clicks (all)",'
    '"Adds to cart","Purchases","Reporting starts","Reporting ends"\n'
)
SPEND_HEADER = (
    "date,reporting_start,reporting_end,platform,campaign,amount,currency,impressions,link_clicks\n"
)

# A one-month export: the account total (row 2), two campaigns inside March (rows 3, 4),
# one straddling the start of the window (row 5) and one in January (row 6).
ADS = META_HEADER.format(cur="USD") + (
    ",,1000,3000,3,USD,180,160,1.125,170,15,9,2026-03-01,2026-03-31\n"
    "Launch,,600,2000,3.33333333,USD,120,100,1.2,105,8,3,2026-03-01,2026-03-31\n"
    "Retarget,,300,700,2.33333333,USD,40,50,0.8,52,2,1,2026-03-05,2026-03-20\n"
    "Teaser,,200,300,1.5,USD,20,10,2.0,12,5,5,2026-02-20,2026-03-05\n"
    "Old,,100,200,2,USD,99,33,3.0,40,1,1,2026-01-01,2026-01-31\n"
)
# Two dated rows in March (one in INR), a period straddling the start (row 4), April.
SPEND = SPEND_HEADER + (
    "2026-03-02,,,x,launch,50,USD,1000,40\n"
    "2026-03-03,,,weibo,launch,2500,INR,900,10\n"
    ",2026-02-25,2026-03-02,x,always-on,70,USD,4000,90\n"
    "2026-04-01,,,x,after,10,USD,100,5\n"
)


def _campaign(tmp: Path, files: dict[str, str], extra: str = "") -> Path:
    """Write the files and a March campaign.toml (UTC, USD) reading them; return its path."""
    sources = ""
    for name, text in files.items():
        (tmp / name).write_text(text, encoding="utf-8")
        fmt = "spend" if name.startswith("spend") else "meta-ads"
        sources += f'[[sources]]\npath = "{name}"\nformat = "{fmt}"\n'
    p = tmp / "campaign.toml"
    p.write_text(
        '[campaign]\nname = "t"\nstart = 2026-03-01\nend = 2026-03-31\n'
        f'timezone = "UTC"\ncurrency = "USD"\n{extra}\n{sources}'
    )
    return p


@contextmanager
def _context(tmp: Path, files: dict[str, str], extra: str = "") -> Iterator[EvalContext]:
    """The EvalContext of a campaign over the files, imported into a tmp workspace."""
    camp = load_campaign(_campaign(tmp, files, extra))
    with Workspace(tmp / "ws.duckdb") as ws:
        yield make_context(ws, camp, camp.import_sources(ws))


def _bare_context(fx: dict[str, float]) -> EvalContext:
    """A context without tables: enough for currency conversion."""
    return EvalContext(scope=(), window=MARCH, currency="USD", fx=fx, tables=None)


# ---------------------------------------------------------------- window_position


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-03-01", "2026-03-31", True),  # the whole window: bounds are inclusive
        ("2026-03-10", "2026-03-10", True),  # one day
        (dt.date(2026, 3, 5), pd.Timestamp("2026-03-31 23:59"), True),  # by its date
        ("2026-02-01", "2026-02-28", False),  # before
        ("2026-04-01", "2026-04-30", False),  # after
        ("2026-02-28", "2026-02-28", False),  # the day before
        ("2026-02-20", "2026-03-05", None),  # straddles the start
        ("2026-03-25", "2026-04-05", None),  # straddles the end
        ("2026-02-01", "2026-04-30", None),  # covers the window and more
        ("2026-02-28", "2026-03-01", None),  # one day over
        (None, "2026-03-10", None),  # unknown start
        ("2026-03-10", pd.NaT, None),  # unknown end
    ],
)
def test_window_position(start, end, expected):
    assert window_position(start, end, MARCH.campaign) is expected


# ---------------------------------------------------------------- currency


def test_to_campaign_currency_converts_by_the_fx_rate():
    ctx = _bare_context({"INR": 0.012})
    assert to_campaign_currency(2500.0, "INR", ctx, "x.csv, row 2") == pytest.approx(30.0)
    assert to_campaign_currency(12.5, "USD", ctx, "x.csv, row 2") == 12.5
    # no currency on the row: the campaign's own
    assert to_campaign_currency(12.5, None, ctx, "x.csv, row 2") == 12.5
    assert to_campaign_currency(12.5, float("nan"), ctx, "x.csv, row 2") == 12.5


def test_to_campaign_currency_without_a_rate_is_an_error():
    with pytest.raises(EvaluationError) as err:
        to_campaign_currency(5.0, "EUR", _bare_context({"INR": 0.012}), "spend.csv, row 7")
    assert str(err.value) == (
        "spend.csv, row 7: spend is in EUR but the campaign reports in USD; "
        'add [[fx]] currency = "EUR" rate = ... to campaign.toml (no rate is guessed)'
    )


def test_ads_export_in_another_currency(tmp_path):
    inr = META_HEADER.format(cur="INR") + (
        "Launch,,600,2000,3.33333333,INR,10000,100,100,105,4,2,2026-03-01,2026-03-31\n"
    )
    with _context(tmp_path, {"inr.csv": inr}, '[[fx]]\ncurrency = "INR"\nrate = 0.012') as ctx:
        res = cpc(ctx)
    assert res.spend == pytest.approx(120.0)  # 10000 INR * 0.012
    assert res.value == pytest.approx(1.2)  # 120 USD / 100 clicks
    assert res.campaigns[0]["spend"] == pytest.approx(120.0)
    assert res.conversions["purchases"]["cost_per"] == pytest.approx(60.0)  # 120 / 2
    assert res.warnings == []

    (tmp_path / "campaign.toml").unlink()
    (tmp_path / "ws.duckdb").unlink()
    with (
        _context(tmp_path, {"inr.csv": inr}) as ctx,
        pytest.raises(EvaluationError, match=r"^inr\.csv, row 2: spend is in INR.*no rate"),
    ):
        cpc(ctx)


# ---------------------------------------------------------------- ads rows


def test_counted_ads_rows_leave_out_straddling_and_outside_rows(tmp_path):
    with _context(tmp_path, {"ads.csv": ADS}) as ctx:
        ads = read_ads_rows(ctx)
        warnings: list[str] = []
        counted = counted_ads_rows(ads, ctx, warnings)
        total = account_total(ads, counted.export_ids, ctx.window.campaign)
        conv = conversions(ctx, counted.keys, counted.spend)
    # Launch (row 3) and Retarget (row 4); not the total, Teaser (straddles) nor Old (January)
    assert [c["campaign"] for c in counted.campaigns] == ["Launch", "Retarget"]
    assert [k[1] for k in counted.keys] == [3, 4]
    assert (counted.spend, counted.link_clicks) == (160.0, 150)  # 120 + 40, 100 + 50
    assert [c["cpc"] for c in counted.campaigns] == [1.2, 0.8]  # 120/100, 40/50
    assert counted.agrees
    assert warnings == [
        "1 ads row(s) have a reporting period that straddles the window 2026-03-01..2026-03-31 "
        "and are left out: ads.csv, row 5 (Teaser, 2026-02-20..2026-03-05)"
    ]
    # one export counted, its total row inside March: the export's CPC, reach, frequency
    assert (total.reported, total.reach, total.impressions) == (1.125, 1000, 3000)
    assert (total.frequency, total.frequency_reported, total.currency) == (3.0, 3.0, "USD")
    # conversions of rows 3 and 4 only; cost = the counted spend / conversions
    assert conv == {
        "adds_to_cart": {"value": 10, "cost_per": 16.0},  # 8 + 2; 160 / 10
        "purchases": {"value": 4, "cost_per": 40.0},  # 3 + 1; 160 / 4
    }


def test_many_straddling_rows_are_summarised_and_a_wrong_cpc_is_named(tmp_path):
    rows = "".join(f"S{i},,1,1,1,USD,10,5,2.0,5,,,2026-02-2{i},2026-03-0{i}\n" for i in range(1, 6))
    ads = (
        META_HEADER.format(cur="USD")
        + rows
        + (
            "Odd,,1,1,1,USD,10,3,3.0,3,,,2026-03-10,2026-03-11\n"  # 10 / 3 is not 3.0
        )
    )
    with _context(tmp_path, {"ads.csv": ads}) as ctx:
        res = cpc(ctx)
    assert (res.spend, res.link_clicks) == (10.0, 3)
    assert res.agrees_with_export is False
    assert res.warnings == [
        "ads.csv, row 7 (Odd): spend / link clicks = 3.33333333 but the export's CPC is 3.00000000",
        "5 ads row(s) have a reporting period that straddles the window 2026-03-01..2026-03-31 "
        "and are left out: ads.csv, row 2 (S1, 2026-02-21..2026-03-01); "
        "ads.csv, row 3 (S2, 2026-02-22..2026-03-02); "
        "ads.csv, row 4 (S3, 2026-02-23..2026-03-03); and 2 more",
    ]
    assert res.conversions == {}
    assert res.reasons == {
        "benchmark": "no [benchmarks] cpc in campaign.toml",
        "frequency": "no ads export's account-total row covers the window, and reach cannot "
        "be added across campaigns; each campaign row shows its own frequency",
        "results": "the ads export gives no results (its Results column is absent or empty: "
        "add 'Results' to the columns in Ads Manager before exporting)",
    }


# ---------------------------------------------------------------- spend rows


def test_spend_rows_convert_and_leave_out_straddling_periods(tmp_path):
    fx = '[[fx]]\ncurrency = "INR"\nrate = 0.012'
    with _context(tmp_path, {"spend.csv": SPEND}, fx) as ctx:
        warnings: list[str] = []
        rows = spend_rows(read_spend_rows(ctx), ctx, warnings)
    assert rows == [(50.0, 40, 1000), (pytest.approx(30.0), 10, 900)]  # 2500 INR * 0.012
    assert warnings == ["spend.csv, row 4: reporting period straddles the window; left out"]


# ---------------------------------------------------------------- the whole section


def test_cpc_of_an_export_and_a_spend_file(tmp_path):
    extra = '[benchmarks]\ncpc = 0.5\n[[fx]]\ncurrency = "INR"\nrate = 0.012'
    p = _campaign(tmp_path, {"ads.csv": ADS, "spend.csv": SPEND}, extra)
    res = import_and_evaluate(load_campaign(p))
    v = res.value
    spend = 160 + 50 + 2500 * 0.012  # ads rows 3-4, spend rows 2-3
    clicks = 150 + 40 + 10
    assert v("quantitative.cpc.spend") == pytest.approx(spend)
    assert v("quantitative.cpc.link_clicks") == clicks
    assert v("quantitative.cpc.value") == pytest.approx(spend / clicks)  # 1.2
    assert v("quantitative.cpc.index") == pytest.approx(spend / clicks / 0.5)  # 2.4
    assert v("quantitative.cpc.benchmark") == 0.5
    assert v("quantitative.cpc.reported") == 1.125
    assert v("quantitative.cpc.reach") == 1000
    # cost per conversion divides the ads rows' spend only (160), not the spend file's
    assert v("quantitative.cpc.conversions.adds_to_cart.value") == 10
    assert v("quantitative.cpc.conversions.adds_to_cart.cost_per") == 16.0
    assert v("quantitative.cpc.conversions.purchases.value") == 4
    assert v("quantitative.cpc.conversions.purchases.cost_per") == 40.0
    assert v("quantitative.cpc.campaigns.1.cpc") == 0.8
    assert v("quantitative.cpc.warnings") == [
        "1 ads row(s) have a reporting period that straddles the window 2026-03-01..2026-03-31 "
        "and are left out: ads.csv, row 5 (Teaser, 2026-02-20..2026-03-05)",
        "spend comes from both ads exports and spend rows; they are added, so make sure they "
        "do not describe the same spend",
        "spend.csv, row 4: reporting period straddles the window; left out",
    ]


def test_no_clicks_gives_a_null_cpc_with_its_reason(tmp_path):
    spend = SPEND_HEADER + "2026-03-02,,,x,launch,100,USD,1000,0\n"
    with _context(tmp_path, {"spend.csv": spend}, "[benchmarks]\ncpc = 1") as ctx:
        res = cpc(ctx)
    assert (res.value, res.index, res.spend, res.link_clicks) == (None, None, 100.0, 0)
    assert res.reasons["value"] == "link clicks is 0"
    # a spend row with impressions: CTR 0 / 1000, CPM 100 / 1000 x 1000; no total row
    assert (res.impressions, res.ctr, res.cpm) == (1000, 0.0, 100.0)
    assert (res.frequency, res.results, res.cost_per_result) == (None, None, None)
    assert res.agrees_with_export is None and res.reported is None
