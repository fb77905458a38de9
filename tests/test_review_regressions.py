"""Regression tests for edge cases found in review, each against a hand-computed figure."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ripplemeter.campaign import load_campaign
from ripplemeter.errors import CampaignError, FormatError
from ripplemeter.formats import Rows
from ripplemeter.pipeline import import_and_evaluate
from ripplemeter.workspace import Workspace

HEADER = (
    '\ufeff"Campaign name","Ad set name",Reach,Impressions,Frequency,Currency,'
    '"Amount spent (USD)","Link clicks","CPC (cost per link click)","Clicks (all)",'
    '"Reporting starts","Reporting ends"\n'
)


def _campaign(tmp: Path, sources: str, extra: str = "") -> Path:
    p = tmp / "campaign.toml"
    p.write_text(
        '[campaign]\nname = "t"\nstart = 2026-03-01\nend = 2026-03-31\n'
        f'timezone = "UTC"\ncurrency = "USD"\n{extra}\n{sources}'
    )
    return p


def test_ad_sets_of_one_campaign_in_one_export_are_all_counted(tmp_path):
    (tmp_path / "adsets.csv").write_text(
        HEADER + ",,900,1500,1.6,USD,150,150,1.0,160,2026-03-01,2026-03-31\n"
        "Launch,Set A,500,1000,2,USD,100,100,1.0,110,2026-03-01,2026-03-31\n"
        "Launch,Set B,400,500,1.25,USD,50,50,1.0,50,2026-03-01,2026-03-31\n",
        encoding="utf-8",
    )
    src = '[[sources]]\npath = "adsets.csv"\nformat = "meta-ads"\n'
    res = import_and_evaluate(load_campaign(_campaign(tmp_path, src)))
    assert (
        res.value("quantitative.cpc.spend") == 150
        and res.value("quantitative.cpc.link_clicks") == 150
        and res.value("quantitative.cpc.value") == 1.0
    )


def test_overlapping_exports_are_not_added(tmp_path):
    (tmp_path / "month.csv").write_text(
        HEADER + "Launch,,500,1000,2,USD,100,100,1.0,110,2026-03-01,2026-03-31\n"
    )
    (tmp_path / "half.csv").write_text(
        HEADER + "Launch,,300,600,2,USD,60,50,1.2,55,2026-03-01,2026-03-15\n"
    )
    src = (
        '[[sources]]\npath = "half.csv"\nformat = "meta-ads"\n'
        '[[sources]]\npath = "month.csv"\nformat = "meta-ads"\n'
    )
    res = import_and_evaluate(load_campaign(_campaign(tmp_path, src)))
    # month.csv was imported later and covers the half month: only it counts
    assert (
        res.value("quantitative.cpc.spend"),
        res.value("quantitative.cpc.link_clicks"),
        res.value("quantitative.cpc.value"),
    ) == (100, 100, 1.0)
    assert any(
        "only the later import is counted" in w for w in res.value("quantitative.cpc.warnings")
    )


def test_outcome_days_reported_twice_by_one_source_are_not_added(tmp_path):
    (tmp_path / "o1.csv").write_text(
        "date,metric,value,source\n2026-02-10,orders,10,shop\n2026-03-10,orders,12,shop\n"
    )
    (tmp_path / "o2.csv").write_text(
        "date,metric,value,source\n2026-03-10,orders,13,shop\n2026-03-10,orders,5,crm\n"
    )
    src = (
        '[[sources]]\npath = "o1.csv"\nformat = "outcomes"\n'
        '[[sources]]\npath = "o2.csv"\nformat = "outcomes"\n'
    )
    text = "baseline_start = 2026-02-01\nbaseline_end = 2026-02-28\n"
    p = _campaign(tmp_path, src)
    p.write_text(p.read_text().replace('currency = "USD"\n', f'currency = "USD"\n{text}'))
    res = import_and_evaluate(load_campaign(p))
    # shop's later report (13) replaces its earlier one (12); crm adds 5
    assert res.value("quantitative.conversion.orders")["campaign_daily_mean"] == 18
    assert res.value("quantitative.conversion.orders")["baseline_daily_mean"] == 10


def test_trends_lift_bounds_span_below_one_anywhere_in_0_1(tmp_path):
    (tmp_path / "t.csv").write_text(
        "Category: All categories\n\nDay,tea: (Worldwide)\n"
        "2026-02-10,<1\n2026-02-11,2\n2026-03-10,<1\n2026-03-11,2\n"
    )
    p = _campaign(tmp_path, '[[sources]]\npath = "t.csv"\nformat = "google-trends"\n')
    p.write_text(
        p.read_text().replace(
            'currency = "USD"\n',
            'currency = "USD"\nbaseline_start = 2026-02-01\nbaseline_end = 2026-02-28\n',
        )
    )
    t = import_and_evaluate(load_campaign(p)).value("quantitative.third_party.google_trends.tea")
    assert t["baseline_mean"] == t["campaign_mean"] == 1.25 and t["lift"] == 0
    # lowest: campaign '<1' at 0 (1.0) over baseline at 1 (1.5); highest: 1.5 over 1.0
    assert t["lift_bounds"] == pytest.approx([1.0 / 1.5 - 1, 1.5 / 1.0 - 1])


def test_duplicate_rate_card_is_an_error(tmp_path):
    card = '[[rate_cards]]\nplatform = "x"\nunit = "cpm"\nprice = 10\n'
    with pytest.raises(CampaignError, match=r"key 'rate_cards\[2\].unit'.*second cpm"):
        load_campaign(_campaign(tmp_path, card + card))


def test_rate_card_for_a_platform_without_posts_prices_nothing(tmp_path):
    (tmp_path / "posts.csv").write_text(
        "post_id,created_at,text,impressions\n1,2026-03-02 10:00,hi,1000\n"
    )
    src = (
        '[[sources]]\npath = "posts.csv"\nformat = "generic"\nplatform = "weibo"\n'
        '[[rate_cards]]\nplatform = "wiebo"\nunit = "cpm"\nprice = 10\n'
    )
    res = import_and_evaluate(load_campaign(_campaign(tmp_path, src)))
    assert res.value("quantitative.ave.total") is None and "matched" in res.value(
        "quantitative.ave.reasons.total"
    )
    assert any("wiebo" in w for w in res.warnings)


def test_unknown_time_zone_to_duckdb_is_refused_at_parse(tmp_path):
    p = _campaign(tmp_path, "")
    p.write_text(p.read_text().replace('timezone = "UTC"', 'timezone = "posix/Asia/Seoul"'))
    with pytest.raises(CampaignError, match="campaign.timezone"):
        load_campaign(p)


def test_a_store_failure_rolls_back_and_keeps_the_real_error(tmp_path, monkeypatch):
    ws = Workspace(tmp_path / "w.duckdb")
    f = tmp_path / "o.csv"
    f.write_text("date,metric,value\n2026-03-01,orders,1\n")
    before = ws.counts()

    def bad_reader(path, ctx):
        rows = Rows()
        rows.add(
            "outcomes", pd.DataFrame({"date": ["2026-03-01"], "metric": ["x"], "value": [1.0]})
        )
        rows.add("post_metrics", pd.DataFrame({"post_id": ["a"], "impressions": ["12,5k"]}))
        return rows

    from ripplemeter import formats

    info = formats.get_format("outcomes")
    monkeypatch.setitem(
        formats._REGISTRY, "outcomes", formats.FormatInfo("outcomes", bad_reader, info.summary)
    )
    with pytest.raises(FormatError, match=r"o.csv: cannot store rows in table post_metrics"):
        ws.import_file(f, "outcomes")
    assert ws.counts() == before and ws.imports().empty


def test_post_fields_come_from_the_snapshot_import(tmp_path):
    """An older export imported after a newer one must not lend its fields to newer figures."""
    ws = Workspace(tmp_path / "w.duckdb")
    new = tmp_path / "new.csv"
    old = tmp_path / "old.csv"
    cols = "post_id,created_at,text,is_paid,impressions,observed_at\n"
    new.write_text(cols + "1,2026-03-02 10:00,promoted now,true,900,2026-03-20 00:00\n")
    old.write_text(cols + "1,2026-03-02 10:00,organic then,false,100,2026-03-05 00:00\n")
    from ripplemeter.formats import SourceContext

    m = {
        "post_id": "post_id",
        "created_at": "created_at",
        "text": "text",
        "is_paid": "is_paid",
        "impressions": "impressions",
        "observed_at": "observed_at",
    }
    ws.import_file(new, "generic", SourceContext(platform="x", columns=m))
    ws.import_file(old, "generic", SourceContext(platform="x", columns=m))
    import ibis

    from ripplemeter.evaluate.context import TableAccess

    tables = TableAccess(ibis.duckdb.from_connection(ws.con), [1, 2])
    row = tables.latest_posts(cache=False).to_pandas().iloc[0]
    assert (row.text, bool(row.is_paid), row.impressions) == ("promoted now", True, 900)
