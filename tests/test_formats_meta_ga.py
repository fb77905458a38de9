"""Meta Ads Manager, GA4, Universal Analytics and legacy Facebook post insights importers.

Every real sample is imported through the Workspace; expected values are read from the
same files independently with the ``csv`` module.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest

from ripplemeter.errors import FormatError
from ripplemeter.formats import SourceContext
from ripplemeter.workspace import Workspace

pytestmark = pytest.mark.real_data

META = "platform_exports/meta_ads_manager/Anas3rdshade_Teefusion/"
META_FILES = {
    "Untitled-report-Feb-1-2025-to-Aug-4-2025_Reach.csv": (16, None),
    "Untitled-report-Feb-1-2025-to-Aug-4-2025_Age.csv": (92, "age"),
    "Untitled-report-Feb-1-2025-to-Aug-4-2025_Gender.csv": (46, "gender"),
    "Untitled-report-Feb-1-2025-to-Aug-4-2025_Device.csv": (44, "device platform"),
}
GA4_FILES = [
    "platform_exports/ga4/Anas3rdshade_Teefusion/Events_Event_name.csv",
    "platform_exports/ga4/Anas3rdshade_Teefusion/Landing_page_Landing_page.csv",
    "platform_exports/ga4/Anas3rdshade_Teefusion/Tech_details_Browser.csv",
    "platform_exports/ga4/Anas3rdshade_Teefusion/"
    "User_acquisition_First_user_primary_channel_group_(Default_Channel_Group).csv",
    "platform_exports/ga4/DanielTheC_internal-lnking-tool/Events_Event_name.csv",
    "platform_exports/ga4/oktayshakirov_tinnitus-blog/"
    "Pages_and_screens_Page_title_and_screen_class.csv",
    "platform_exports/ga4/suites-dev_docs.suites.dev/"
    "Pages_and_screens_Page_title_and_screen_class.csv",
    "platform_exports/ga4/ryanpate_lazytimer/Reports_snapshot.csv",
]
SNAPSHOT = GA4_FILES[-1]
UA = (
    "platform_exports/ga_universal_analytics/sfbrigade_datasci-open-data-search/"
    "Analytics SF OpenData - Sample Web Data Search Terms 20140901-20160622.csv"
)
UCI = "uci_facebook_metrics/dataset_Facebook.csv"


def raw_rows(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=delimiter))


def num(s: str) -> float | None:
    return float(s) if s != "" else None


def same(a, b) -> bool:
    if b is None:
        return a is None or a is pd.NA or (isinstance(a, float) and math.isnan(a))
    return a == pytest.approx(b, rel=1e-12)


# ------------------------------------------------------------------------------- meta-ads


@pytest.mark.parametrize("name", list(META_FILES))
def test_meta_every_export_row_for_row(real_data, tmp_path, name):
    path = real_data(META + name)
    n_expected, breakdown = META_FILES[name]
    raw = raw_rows(path)
    assert len(raw) == n_expected
    with Workspace(tmp_path / "ws.duckdb") as ws:
        res = ws.import_file(path, "meta-ads")
        assert res.rows == {"ad_metrics": n_expected, "ad_conversions": 3 * n_expected}
        am = ws.sql("SELECT * FROM ad_metrics ORDER BY source_row")
        conv = ws.sql("SELECT * FROM ad_conversions")
    assert len(am) == n_expected
    assert am["is_total"].sum() == 1
    total = am[am["is_total"]].iloc[0]
    assert total["source_row"] == 2 and pd.isna(total["campaign"])
    assert pd.isna(total["breakdown"]) and pd.isna(total["breakdown_value"])
    assert set(am["platform"]) == {"meta"} and set(am["currency"]) == {"INR"}
    bcol = next((h for h in raw[0] if h.lower() == breakdown), None)
    for k, rec in enumerate(raw):
        row = am.iloc[k]
        assert row["source_row"] == k + 2
        assert row["campaign"] == (rec["Campaign name"] or None) or k == 0
        assert same(row["reach"], num(rec["Reach"]))
        assert same(row["impressions"], num(rec["Impressions"]))
        assert same(row["frequency"], num(rec["Frequency"]))
        assert same(row["spend"], num(rec["Amount spent (INR)"]))
        assert same(row["link_clicks"], num(rec["Link clicks"]))
        assert same(row["clicks_all"], num(rec["Clicks (all)"]))
        assert same(row["cpc_reported"], num(rec["CPC (cost per link click)"]))
        assert row["reporting_start"].date() == dt.date.fromisoformat(rec["Reporting starts"])
        assert row["reporting_end"].date() == dt.date.fromisoformat(rec["Reporting ends"])
        if k > 0:
            if breakdown is None:
                assert pd.isna(row["breakdown"])
            else:
                assert row["breakdown"] == breakdown
                assert row["breakdown_value"] == rec[bcol]
    # conversions join the ad_metrics row on (import_id, source_row)
    for name_, count_col, cost_col in [
        ("adds_to_cart", "Adds to cart", "Cost per add to cart"),
        ("checkouts_initiated", "Checkouts initiated", "Cost per checkout initiated"),
        ("purchases", "Purchases", None),
    ]:
        part = conv[conv["name"] == name_].sort_values("source_row")
        assert part["source_row"].tolist() == am["source_row"].tolist()
        for k, rec in enumerate(raw):
            assert same(part["value"].iloc[k], num(rec[count_col]))
            if cost_col:
                assert same(part["cost_per"].iloc[k], num(rec[cost_col]))
            else:
                assert pd.isna(part["cost_per"].iloc[k])


def test_meta_reach_known_values_and_nulls(real_data, tmp_path):
    path = real_data(META + "Untitled-report-Feb-1-2025-to-Aug-4-2025_Reach.csv")
    raw = raw_rows(path)
    total = next(r for r in raw if r["Campaign name"] == "")
    assert float(total["Amount spent (INR)"]) == 33245.34
    with Workspace(tmp_path / "ws.duckdb") as ws:
        res = ws.import_file(path, "meta-ads")
        t = ws.sql("SELECT * FROM ad_metrics WHERE is_total").iloc[0]
        assert t["spend"] == pytest.approx(float(total["Amount spent (INR)"]))
        assert t["link_clicks"] == int(total["Link clicks"]) == 39581
        camp = next(r for r in raw if r["Campaign name"] == "Traffic_Website Visit_28/06/25")
        c = ws.sql(
            "SELECT * FROM ad_metrics WHERE campaign = 'Traffic_Website Visit_28/06/25'"
        ).iloc[0]
        assert c["link_clicks"] == int(camp["Link clicks"]) == 16295
        # the campaign's 'Adds to cart' cell is empty: NULL, never 0
        assert camp["Adds to cart"] == ""
        j = ws.sql(
            "SELECT c.name, c.value, c.cost_per FROM ad_conversions c JOIN ad_metrics m "
            "USING (import_id, source_row) WHERE m.campaign = ? ORDER BY c.name",
            ["Traffic_Website Visit_28/06/25"],
        )
        assert j.set_index("name")["value"].isna().to_dict() == {
            "adds_to_cart": True,
            "checkouts_initiated": True,
            "purchases": False,
        }
        assert j.set_index("name")["value"]["purchases"] == float(camp["Purchases"])
        purchases_total = ws.sql(
            "SELECT value FROM ad_conversions c JOIN ad_metrics m USING (import_id, source_row) "
            "WHERE m.is_total AND c.name = 'purchases'"
        ).iloc[0, 0]
        assert purchases_total == float(total["Purchases"]) == 3437
        assert any("CPC (all)" in n and "CTR (all)" in n for n in res.notes)
        # idempotent
        before = ws.counts()
        again = ws.import_file(path, "meta-ads")
        assert again.skipped and again.import_id == res.import_id
        assert ws.counts() == before
        assert len(ws.imports()) == 1


def test_meta_device_total_differs_but_is_kept_once(real_data, tmp_path):
    path = real_data(META + "Untitled-report-Feb-1-2025-to-Aug-4-2025_Device.csv")
    total = raw_rows(path)[0]
    with Workspace(tmp_path / "ws.duckdb") as ws:
        ws.import_file(path, "meta-ads")
        t = ws.sql("SELECT spend, reach FROM ad_metrics WHERE is_total")
    assert len(t) == 1
    assert t["spend"].iloc[0] == float(total["Amount spent (INR)"]) == 33246
    assert t["reach"].iloc[0] == int(total["Reach"])


def _rewrite(src: Path, dst: Path, edit) -> Path:
    with open(src, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    rows = edit(rows)
    with open(dst, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return dst


def test_meta_currency_must_agree(real_data, tmp_path):
    src = real_data(META + "Untitled-report-Feb-1-2025-to-Aug-4-2025_Reach.csv")

    def edit(rows):
        i = rows[0].index("Currency")
        rows[5][i] = "USD"
        return rows

    path = _rewrite(src, tmp_path / "meta_usd.csv", edit)
    with Workspace(tmp_path / "ws.duckdb") as ws, pytest.raises(FormatError) as ei:
        ws.import_file(path, "meta-ads")
    assert str(ei.value) == (
        "meta_usd.csv, row 6, column 'Currency': expected 'INR' as in the header "
        "'Amount spent (INR)', found 'USD'"
    )


def test_meta_unknown_column_noted_and_two_breakdowns(real_data, tmp_path):
    src = real_data(META + "Untitled-report-Feb-1-2025-to-Aug-4-2025_Age.csv")

    def edit(rows):
        out = []
        for k, r in enumerate(rows):
            g = "Gender" if k == 0 else ("" if k == 1 else "female")
            out.append([r[0], r[1], g, *r[2:], "ThruPlays" if k == 0 else "7"])
        return out

    path = _rewrite(src, tmp_path / "meta_age_gender.csv", edit)
    with Workspace(tmp_path / "ws.duckdb") as ws:
        res = ws.import_file(path, "meta-ads")
        am = ws.sql("SELECT * FROM ad_metrics ORDER BY source_row")
    assert any("'ThruPlays'" in n for n in res.notes)
    assert am["breakdown"].iloc[1] == "age | gender"
    assert am["breakdown_value"].iloc[1] == "18-24 | female"
    assert am["is_total"].sum() == 1
    assert am["reach"].iloc[0] == 635040


# ------------------------------------------------------------------------------------ ga4


def independent_ga_tables(path: Path) -> list[tuple[list[str], list[list[str]]]]:
    """Tables of a GA report download, read with the csv module: (header, rows)."""
    tables: list[tuple[list[str], list[list[str]]]] = []
    current = None
    with open(path, encoding="utf-8", newline="") as f:
        for rec in csv.reader(f):
            if not rec or not "".join(rec).strip() or rec[0].startswith("#"):
                current = None
                continue
            if current is None:
                current = (rec, [])
                tables.append(current)
            else:
                current[1].append(rec)
    return tables


@pytest.mark.parametrize("rel", GA4_FILES, ids=lambda r: r.split("/")[-2])
def test_ga4_every_download(real_data, tmp_path, rel):
    path = real_data(rel)
    tables = independent_ga_tables(path)
    expected = sum(len(rows) * (len(h) - 1) for h, rows in tables)
    with Workspace(tmp_path / "ws.duckdb") as ws:
        res = ws.import_file(path, "ga4")
        assert res.rows == {"web_metrics": expected}
        wm = ws.table("web_metrics")
        assert ws.import_file(path, "ga4").skipped
        assert len(ws.table("web_metrics")) == expected
    assert set(wm["source"]) == {"ga4"}
    for col in ("report", "dimension", "dimension_value", "metric"):
        assert not wm[col].dropna().str.contains("\r").any()
    # every dimension value of the file is there, exactly as written (CJK titles included)
    values = {r[0] for _, rows in tables for r in rows}
    assert set(wm["dimension_value"].dropna()) == values
    if rel != SNAPSHOT:
        header, rows = tables[0]
        assert set(wm["dimension"]) == {header[0]}
        assert set(wm["metric"]) == set(header[1:])
        first = wm[(wm["dimension_value"] == rows[0][0]) & (wm["metric"] == header[1])]
        assert first["value"].iloc[0] == pytest.approx(float(rows[0][1]))
    assert not wm["dimension_value"].isna().any()  # GA4 downloads have no totals row


def test_ga4_empty_landing_page_is_a_value_not_a_total(real_data, tmp_path):
    path = real_data(GA4_FILES[1])
    with open(path, encoding="utf-8", newline="") as f:
        line28 = list(csv.reader(f))[27]
    assert line28[0] == "" and line28[1] == "13"
    with Workspace(tmp_path / "ws.duckdb") as ws:
        res = ws.import_file(path, "ga4")
        r = ws.sql("SELECT * FROM web_metrics WHERE source_row = 28 AND metric = 'Sessions'")
    assert r["dimension_value"].tolist() == [""] and r["value"].tolist() == [13]
    assert any("row(s) 28" in n for n in res.notes)


def test_ga4_events_values_and_period(real_data, tmp_path):
    path = real_data(GA4_FILES[0])
    header, rows = independent_ga_tables(path)[0]
    page_view = next(r for r in rows if r[0] == "page_view")
    assert page_view[header.index("Event count")] == "6897"
    with Workspace(tmp_path / "ws.duckdb") as ws:
        ws.import_file(path, "ga4")
        r = ws.sql(
            "SELECT * FROM web_metrics WHERE dimension_value = 'page_view' "
            "AND metric = 'Event count'"
        ).iloc[0]
    assert r["value"] == 6897
    assert r["report"] == "Events: Event name" and r["dimension"] == "Event name"
    assert r["period_start"].date() == dt.date(2025, 2, 1)
    assert r["period_end"].date() == dt.date(2025, 8, 4)
    assert r["source_row"] == 10 + 1 + rows.index(page_view)


def test_ga4_reports_snapshot_sections(real_data, tmp_path):
    path = real_data(SNAPSHOT)
    tables = independent_ga_tables(path)
    assert len(tables) == 16
    with Workspace(tmp_path / "ws.duckdb") as ws:
        ws.import_file(path, "ga4")
        wm = ws.table("web_metrics")
    start = dt.date(2025, 12, 11)
    # Nth day N covers day N after the start date
    day9 = wm[
        (wm["dimension"] == "Nth day")
        & (wm["dimension_value"] == "0009")
        & (wm["metric"] == "Active users")
    ].iloc[0]
    assert day9["value"] == 3
    assert day9["period_start"].date() == day9["period_end"].date() == start + dt.timedelta(9)
    # rolling windows end on that day
    trend = wm[wm["report"] == "How are active users trending?"]
    r30 = trend[(trend["dimension_value"] == "0027") & (trend["metric"] == "30 days")].iloc[0]
    assert r30["period_end"].date() == start + dt.timedelta(27)
    assert r30["period_start"].date() == start + dt.timedelta(27 - 29)
    # cohort cells written -1 are NULL, the others kept
    cohort = wm[wm["report"] == "How well do you retain your users?"]
    h, rows = next(t for t in tables if t[0][0] == "Date")
    assert cohort["value"].isna().sum() == sum(v == "-1" for r in rows for v in r[1:]) == 15
    assert cohort["period_start"].min().date() == dt.date(2025, 11, 23)
    ev = wm[(wm["dimension"] == "Event name") & (wm["metric"] == "Event count")]
    assert ev.set_index("dimension_value")["value"]["page_view"] == 1709
    channel = wm[wm["report"] == "Where do your new users come from?"]
    assert channel.set_index("dimension_value")["value"]["Organic Search"] == 983
    # the four empty tables contribute nothing
    assert not (wm["metric"] == "Items purchased").any()


def test_ga4_rejects_ua_file_and_ua_rejects_ga4(real_data, tmp_path):
    with Workspace(tmp_path / "ws.duckdb") as ws:
        with pytest.raises(FormatError, match="ga-universal"):
            ws.import_file(real_data(UA), "ga4")
        with pytest.raises(FormatError, match="--format ga4"):
            ws.import_file(real_data(GA4_FILES[0]), "ga-universal")
        assert ws.counts()["web_metrics"] == 0


# ------------------------------------------------------------------------ universal (GA3)


def test_ua_export_both_tables(real_data, tmp_path):
    path = real_data(UA)
    (h1, main), (h2, days) = independent_ga_tables(path)
    assert h2 == ["Day Index", "Total Unique Searches"]
    expected = len(main) * (len(h1) - 2) + len(days) * (len(h2) - 1)
    assert days[-1] == ["", "68,564"]
    with Workspace(tmp_path / "ws.duckdb") as ws:
        res = ws.import_file(path, "ga-universal")
        assert res.rows == {"web_metrics": expected}
        wm = ws.table("web_metrics")
        assert ws.import_file(path, "ga-universal").skipped
    assert set(wm["source"]) == {"ga_universal"} and set(wm["report"]) == {"Search Terms"}
    full = (dt.date(2014, 9, 1), dt.date(2016, 6, 22))

    day_total = wm[(wm["dimension"] == "Day Index") & wm["dimension_value"].isna()]
    assert len(day_total) == 1
    assert day_total["value"].iloc[0] == int(days[-1][1].replace(",", "")) == 68564
    assert (
        day_total["period_start"].iloc[0].date(),
        day_total["period_end"].iloc[0].date(),
    ) == full
    last = wm[(wm["dimension"] == "Day Index") & (wm["dimension_value"] == "6/22/16")].iloc[0]
    assert last["value"] == float(days[-2][1]) == 128
    assert last["period_start"].date() == last["period_end"].date() == dt.date(2016, 6, 22)

    main_df = wm[wm["dimension"] == "Search Term | Exit Page"]
    totals = main_df[main_df["dimension_value"].isna()].set_index("metric")["value"]
    assert main[-1][:3] == ["", "", "81,005"]
    assert totals["Total Unique Searches"] == 81005
    assert totals["% Search Exits"] == pytest.approx(float(main[-1][4].rstrip("%")) / 100)
    assert totals["Time after Search"] == 3 * 60 + 17
    first = main_df[main_df["source_row"] == 8].set_index("metric")["value"]
    assert first["% Search Refinements"] == pytest.approx(0.0174)
    assert first["Time after Search"] == 117  # 00:01:57
    assert first["Average Search Depth"] == pytest.approx(15.16)
    assert (
        main_df[main_df["source_row"] == 8]["dimension_value"].iloc[0]
        == f"{main[0][0]} | {main[0][1]}"
    )
    assert (main_df["period_start"].dt.date == full[0]).all()


# ----------------------------------------------------------- facebook post insights (UCI)


def test_uci_facebook_metrics(real_data, tmp_path):
    path = real_data(UCI)
    raw = raw_rows(path, delimiter=";")
    assert len(raw) == 500
    with Workspace(tmp_path / "ws.duckdb") as ws:
        res = ws.import_file(path, "facebook-insights-posts")
        assert res.rows == {"posts": 500, "post_metrics": 500}
        posts = ws.sql("SELECT * FROM posts ORDER BY source_row")
        pm = ws.sql("SELECT * FROM post_metrics ORDER BY source_row")
        started = ws.imports()["started_at"].iloc[0]
        assert ws.import_file(path, "facebook-insights-posts").skipped
        assert ws.counts()["posts"] == 500
    assert any("file name and row" in n for n in res.notes)
    r1 = raw[0]
    p, m = posts.iloc[0], pm.iloc[0]
    assert p["post_id"] == "facebook:dataset_Facebook-row2" == m["post_id"]
    assert p["content_type"] == r1["Type"].lower() == "photo"
    assert p["category"] == r1["Category"]
    assert (p["local_month"], p["local_weekday"], p["local_hour"]) == (
        int(r1["Post Month"]),
        int(r1["Post Weekday"]),
        int(r1["Post Hour"]),
    )
    assert bool(p["is_paid"]) is (r1["Paid"] == "1")
    assert posts["created_at"].isna().all()
    expected = {
        "page_followers": "Page total likes",
        "reach": "Lifetime Post Total Reach",
        "impressions": "Lifetime Post Total Impressions",
        "engaged_users": "Lifetime Engaged Users",
        "consumers": "Lifetime Post Consumers",
        "consumptions": "Lifetime Post Consumptions",
        "fan_impressions": "Lifetime Post Impressions by people who have liked your Page",
        "fan_reach": "Lifetime Post reach by people who like your Page",
        "fan_engaged_users": "Lifetime People who have liked your Page and engaged with your post",
        "replies": "comment",
        "likes": "like",
        "reposts": "share",
        "engagements": "Total Interactions",
    }
    for col, header in expected.items():
        assert m[col] == int(r1[header]), col
        column = [num(r[header]) for r in raw]
        assert pm[col].isna().sum() == column.count(None), col
        assert pm[col].sum() == sum(v for v in column if v is not None), col
    assert m["page_followers"] == 139441 and m["reach"] == 2752
    # empty cells stay NULL: Paid 1, like 1, share 4 (as in the UCI original)
    assert posts["is_paid"].isna().sum() == 1
    assert pm["likes"].isna().sum() == 1 and pm["reposts"].isna().sum() == 4
    assert (pm["observed_at_source"] == "import_time").all()
    assert (pm["observed_at"] == started).all()
    assert posts["content_type"].value_counts().to_dict() == {
        "photo": 426,
        "status": 45,
        "link": 22,
        "video": 7,
    }


def test_uci_platform_and_account_from_context(real_data, tmp_path):
    path = real_data(UCI)
    with Workspace(tmp_path / "ws.duckdb") as ws:
        ws.import_file(
            path, "facebook-insights-posts", SourceContext(platform="fb", account="brandpage")
        )
        p = ws.sql("SELECT post_id, account_id FROM posts ORDER BY source_row LIMIT 1").iloc[0]
    assert p["post_id"] == "fb:dataset_Facebook-row2"
    assert p["account_id"] == "fb:brandpage"


def test_insights_month_out_of_range(tmp_path):
    path = tmp_path / "insights.csv"
    path.write_text(
        "Page total likes;Type;Category;Post Month;Post Weekday;Post Hour;Paid;"
        "Lifetime Post Total Reach;Lifetime Post Total Impressions\n"
        "100;Photo;1;12;4;3;0;10;20\n"
        "100;Photo;1;13;4;3;0;10;20\n",
        encoding="utf-8",
    )
    with Workspace(tmp_path / "ws.duckdb") as ws, pytest.raises(FormatError) as ei:
        ws.import_file(path, "facebook-insights-posts")
    assert str(ei.value) == (
        "insights.csv, row 3, column 'Post Month': expected a whole number from 1 to 12, found '13'"
    )
