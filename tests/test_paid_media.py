"""Paid media in full: CTR, CPM, frequency, results and cost per result, breakdown tables
and money labelled with its currency.

Each figure is checked against a hand computation on a small Meta-like export, and against
the real Meta Ads Manager exports (figures computed independently from the raw CSV with the
``csv`` module).
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ripplemeter.campaign import load_campaign
from ripplemeter.evaluate.ads import breakdown_label, result_label, value_label
from ripplemeter.pipeline import import_and_evaluate
from ripplemeter.report import charts, write_report
from ripplemeter.workspace import Workspace

P = "quantitative.cpc"

HEADER = (
    '"Campaign name",Reach,Impressions,Frequency,Currency,"Amount spent ({cur})",'
    '"Link clicks","CPC (cost per link click)",Results,"Result indicator","Cost per results",'
    '"Reporting starts","Reporting ends"\n'
)
IND = "actions:offsite_conversion.fb_pixel_purchase"
# The account total (row 2: reach 1,500 de-duplicated, below the rows' 1,800), Launch
# (row 3: 50 purchases) and Retarget (row 4: its Results cell empty, i.e. none).
EXPORT = HEADER.format(cur="USD") + (
    f",1500,5000,3.33333333,USD,300,250,1.2,,{IND},,2026-03-01,2026-03-31\n"
    f"Launch,1000,4000,4,USD,200,200,1,50,{IND},4,2026-03-01,2026-03-31\n"
    f"Retarget,800,1000,1.25,USD,100,50,2,,{IND},,2026-03-01,2026-03-31\n"
)
AGE_HEADER = (
    '"Campaign name",Age,Reach,Impressions,Frequency,Currency,"Amount spent (USD)",'
    '"Link clicks","CPC (cost per link click)",Results,"Result indicator",Purchases,'
    '"Reporting starts","Reporting ends"\n'
)
# Two campaigns x two ages inside March, and one row straddling the window's start (row 7).
AGE = AGE_HEADER + (
    f",,1500,5000,3.33333333,USD,300,250,1.2,,{IND},50,2026-03-01,2026-03-31\n"
    f"Launch,18-24,600,2500,4.16666667,USD,120,150,0.8,30,{IND},30,2026-03-01,2026-03-31\n"
    f"Launch,25-34,500,1500,3,USD,80,50,1.6,20,{IND},20,2026-03-01,2026-03-31\n"
    f"Retarget,18-24,400,600,1.5,USD,60,30,2,,{IND},,2026-03-01,2026-03-31\n"
    f"Retarget,25-34,450,400,0.88888889,USD,40,20,2,,{IND},,2026-03-01,2026-03-31\n"
    f"Teaser,25-34,10,10,1,USD,5,1,5,,{IND},,2026-02-20,2026-03-05\n"
)


def _campaign(tmp: Path, files: dict[str, str], extra: str = "", currency: str = "USD") -> Path:
    sources = ""
    for name, text in files.items():
        (tmp / name).write_text(text, encoding="utf-8")
        sources += f'[[sources]]\npath = "{name}"\nformat = "meta-ads"\n'
    p = tmp / "campaign.toml"
    p.write_text(
        '[campaign]\nname = "t"\nstart = 2026-03-01\nend = 2026-03-31\n'
        f'timezone = "UTC"\ncurrency = "{currency}"\n{extra}\n{sources}'
    )
    return p


def _run(tmp: Path, files: dict[str, str], extra: str = "", currency: str = "USD"):
    return import_and_evaluate(load_campaign(_campaign(tmp, files, extra, currency)))


# ---------------------------------------------------------------- importer
def test_meta_ads_stores_results_and_their_type(tmp_path):
    p = tmp_path / "ads.csv"
    p.write_text(EXPORT, encoding="utf-8")
    with Workspace(tmp_path / "ws.duckdb") as ws:
        res = ws.import_file(p, "meta-ads")
        am = ws.sql("SELECT * FROM ad_metrics ORDER BY source_row")
    assert am["results"].isna().tolist() == [True, False, True]
    assert am["results"].iloc[1] == 50
    assert am["result_type"].tolist() == [IND, IND, IND]
    # the export's cost per result is a ratio of stored columns: named as not stored
    assert any("'Cost per results'" in n for n in res.notes)
    assert not any("'Results'" in n or "'Result indicator'" in n for n in res.notes)


def test_result_type_is_preferred_to_the_indicator(tmp_path):
    text = (
        '"Campaign name","Result type",Results,"Result indicator",Impressions,'
        '"Amount spent (EUR)","Reporting starts","Reporting ends"\n'
        "A,Link clicks,12,actions:link_click,100,5,2026-03-01,2026-03-31\n"
        "B,,,,100,5,2026-03-01,2026-03-31\n"
    )
    p = tmp_path / "ads.csv"
    p.write_text(text, encoding="utf-8")
    with Workspace(tmp_path / "ws.duckdb") as ws:
        ws.import_file(p, "meta-ads")
        am = ws.sql("SELECT * FROM ad_metrics ORDER BY source_row")
    assert am["result_type"].iloc[0] == "Link clicks"
    assert am["result_type"].isna().iloc[1] and am["results"].isna().iloc[1]
    assert am["breakdown"].isna().all()  # 'Result type' is not taken for a breakdown


@pytest.mark.parametrize(
    ("raw", "label"),
    [
        ("actions:link_click", "link clicks"),
        ("actions:offsite_conversion.fb_pixel_purchase", "website purchases"),
        ("actions:onsite_conversion.flow_complete", "flow complete"),
        ("Link clicks", "link clicks"),
        ("", None),
        (None, None),
    ],
)
def test_result_label(raw, label):
    assert result_label(raw) == label


def test_breakdown_and_value_labels():
    assert breakdown_label("device platform") == "Device platform"
    assert breakdown_label("platform | placement") == "Platform and placement"
    assert value_label("mobile_app") == "mobile app"
    assert value_label("18-24 | female") == "18-24, female"
    assert value_label(None) == "not given"


# ---------------------------------------------------------------- window figures by hand
def test_ctr_cpm_frequency_and_cost_per_result_by_hand(tmp_path):
    res = _run(tmp_path, {"ads.csv": EXPORT})
    v = res.value
    assert v(f"{P}.spend") == 300.0  # 200 + 100, never the total row
    assert v(f"{P}.impressions") == 5000  # 4000 + 1000
    assert v(f"{P}.ctr") == pytest.approx(250 / 5000)  # 0.05
    assert v(f"{P}.cpm") == pytest.approx(300 / 5000 * 1000)  # 60
    # frequency from the total row (5000 / 1500), never from summed reach (5000 / 1800)
    assert v(f"{P}.reach") == 1500
    assert v(f"{P}.frequency") == pytest.approx(5000 / 1500)
    assert v(f"{P}.frequency") != pytest.approx(5000 / 1800)
    # results: 50 + an empty cell (none); cost per result = 300 / 50
    assert v(f"{P}.results") == 50
    assert v(f"{P}.cost_per_result") == pytest.approx(6.0)
    assert res.metrics()["quantitative"]["cpc"]["result_label"] == "website purchases"
    # per campaign row
    assert v(f"{P}.campaigns.0.ctr") == pytest.approx(200 / 4000)
    assert v(f"{P}.campaigns.0.cpm") == pytest.approx(200 / 4000 * 1000)  # 50
    assert v(f"{P}.campaigns.0.frequency") == pytest.approx(4.0)
    assert v(f"{P}.campaigns.0.cost_per_result") == pytest.approx(4.0)  # 200 / 50
    assert v(f"{P}.campaigns.1.cpm") == pytest.approx(100.0)  # 100 / 1000 x 1000
    assert v(f"{P}.campaigns.1.frequency") == pytest.approx(1.25)
    assert v(f"{P}.campaigns.1.results") == 0
    fig = {f.path: f for f in res.figures}[f"{P}.campaigns.1.cost_per_result"]
    assert fig.value is None and fig.reason == "no results on this row"
    assert res.warnings == []  # every row agrees with its exported CPC and frequency


def test_zero_impressions_and_zero_reach_are_null_with_reasons(tmp_path):
    text = HEADER.format(cur="USD") + ("Dormant,0,0,0,USD,0,,,,,,2026-03-01,2026-03-31\n")
    res = _run(tmp_path, {"ads.csv": text})
    figs = {f.path: f for f in res.figures}
    for path, why in [
        (f"{P}.ctr", "impressions is 0"),
        (f"{P}.cpm", "impressions is 0"),
        (f"{P}.campaigns.0.ctr", "no impressions on this row"),
        (f"{P}.campaigns.0.cpm", "no impressions on this row"),
        (f"{P}.campaigns.0.frequency", "no reach on this row"),
    ]:
        assert figs[path].value is None and figs[path].reason == why, path
    assert figs[f"{P}.frequency"].value is None
    assert "reach cannot be added across campaigns" in figs[f"{P}.frequency"].reason


def test_different_result_types_are_not_added(tmp_path):
    text = (
        EXPORT + "Traffic,500,2000,4,USD,50,100,0.5,30,actions:link_click,,2026-03-01,2026-03-31\n"
    )
    res = _run(tmp_path, {"ads.csv": text})
    figs = {f.path: f for f in res.figures}
    assert figs[f"{P}.results"].value is None
    assert figs[f"{P}.results"].reason == (
        "the campaigns count different results (link clicks; website purchases), which cannot "
        "be added; each campaign's row shows its own"
    )
    assert figs[f"{P}.cost_per_result"].value is None
    assert figs[f"{P}.campaigns.2.results"].value == 30
    assert figs[f"{P}.campaigns.2.cost_per_result"].value == pytest.approx(50 / 30)


def test_two_exports_give_no_window_frequency(tmp_path):
    other = HEADER.format(cur="USD") + (
        ",300,600,2,USD,30,20,1.5,,,,2026-03-01,2026-03-31\n"
        "Brand,300,600,2,USD,30,20,1.5,,,,2026-03-01,2026-03-31\n"
    )
    res = _run(tmp_path, {"ads.csv": EXPORT, "ads2.csv": other})
    figs = {f.path: f for f in res.figures}
    assert figs[f"{P}.impressions"].value == 5600
    assert figs[f"{P}.ctr"].value == pytest.approx(270 / 5600)
    assert figs[f"{P}.frequency"].value is None
    assert figs[f"{P}.frequency"].reason.startswith("several ads exports are counted")
    assert f"{P}.reach" not in figs  # no de-duplicated reach across two exports


# ---------------------------------------------------------------- breakdowns by hand
def test_breakdown_rows_are_added_per_value(tmp_path):
    res = _run(tmp_path, {"ads.csv": EXPORT, "age.csv": AGE})
    b = res.metrics()["quantitative"]["cpc"]["breakdowns"]
    assert [x["dimension"] for x in b] == ["age"]
    age = b[0]
    assert age["label"] == "Age" and age["campaigns"] == 2 and age["files"] == ["age.csv"]
    assert [r["value"] for r in age["rows"]] == ["18-24", "25-34"]
    bp = f"{P}.breakdowns.0"
    v = res.value
    # 18-24: Launch 120 + Retarget 60; 2500 + 600 impressions; 150 + 30 clicks
    assert v(f"{bp}.rows.0.spend") == 180.0
    assert v(f"{bp}.rows.0.impressions") == 3100
    assert v(f"{bp}.rows.0.link_clicks") == 180
    assert v(f"{bp}.rows.0.ctr") == pytest.approx(180 / 3100)
    assert v(f"{bp}.rows.0.cpc") == pytest.approx(1.0)
    assert v(f"{bp}.rows.0.results") == 30
    assert v(f"{bp}.rows.0.conversions.purchases") == 30
    # 25-34: 80 + 40; 1500 + 400; 50 + 20 (the straddling Teaser row left out)
    assert v(f"{bp}.rows.1.spend") == 120.0
    assert v(f"{bp}.rows.1.ctr") == pytest.approx(70 / 1900)
    assert v(f"{bp}.rows.1.cpc") == pytest.approx(120 / 70)
    assert v(f"{bp}.total.spend") == 300.0
    assert v(f"{bp}.total.ctr") == pytest.approx(0.05)
    assert v(f"{bp}.total.results") == 50
    # the breakdown export never adds to the window's totals
    assert v(f"{P}.spend") == 300.0
    assert res.warnings == [
        "1 age breakdown row(s) have a reporting period that straddles the window "
        "2026-03-01..2026-03-31 and are left out: age.csv, row 7 (Teaser, 2026-02-20..2026-03-05)"
    ]
    frame = res["ads"].frames["breakdown_0"]
    assert frame["label"].tolist() == ["18-24", "25-34"]
    assert frame["spend"].tolist() == [180.0, 120.0]


def test_breakdown_chart_shows_the_table_values(tmp_path):
    res = _run(tmp_path, {"ads.csv": EXPORT, "age.csv": AGE})
    out = charts.charts_for(res, "ads")
    assert [div for div, _ in out] == ["ads-breakdown-0"]
    fig = out[0][1]
    assert [list(t.x) for t in fig.data] == [
        [180.0, 120.0],
        [pytest.approx(180 / 3100), pytest.approx(70 / 1900)],
        [pytest.approx(1.0), pytest.approx(120 / 70)],
    ]
    assert all(list(t.y) == ["18-24", "25-34"] for t in fig.data)
    assert "Spend (USD)" in [a.text for a in fig.layout.annotations]
    assert charts.caption_of(fig).startswith("How to read this:")


def test_breakdown_values_are_escaped_in_the_chart_and_the_table(tmp_path):
    evil = AGE.replace("18-24", "<b onmouseover=x>18</b>")
    res = _run(tmp_path, {"ads.csv": EXPORT, "age.csv": evil})
    fig = charts.charts_for(res, "ads")[0][1]
    assert all("<b" not in y for t in fig.data for y in t.y)
    html = write_report(res, tmp_path / "out").html.read_text(encoding="utf-8")
    assert "<b onmouseover=x>" not in html
    assert "&lt;b onmouseover=x&gt;18&lt;/b&gt;" in html


# ---------------------------------------------------------------- money and its currency
class _Tables(HTMLParser):
    """Each table's header texts and, per row, each cell's text and data-path."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self.cell: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.tables.append({"head": [], "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("th", "td") and self.tables:
            self.cell = {"tag": tag, "text": "", "paths": []}
        elif self.cell is not None and "data-path" in a:
            self.cell["paths"].append(a["data-path"])

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self.cell is not None:
            t = self.tables[-1]
            if self.cell["tag"] == "th":
                t["head"].append(self.cell["text"].strip())
            else:
                t["rows"][-1].append(self.cell)
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell["text"] += data


def _campaign_table(html: str) -> dict:
    section = html[html.index('id="ads"') :]
    p = _Tables()
    p.feed(section)
    return next(t for t in p.tables if t["head"] and t["head"][0] == "campaign")


def test_converted_and_exported_cpc_never_share_a_heading(tmp_path):
    inr = HEADER.format(cur="INR") + (
        f",1000,2000,2,INR,10000,100,100,,{IND},,2026-03-01,2026-03-31\n"
        f"Launch,1000,2000,2,INR,10000,100,100,4,{IND},2500,2026-03-01,2026-03-31\n"
    )
    res = _run(tmp_path, {"inr.csv": inr}, '[[fx]]\ncurrency = "INR"\nrate = 0.012')
    html = write_report(res, tmp_path / "out").html.read_text(encoding="utf-8")
    t = _campaign_table(html)
    head = t["head"]
    assert head == [
        "campaign",
        "spend (USD)",
        "impressions",
        "frequency",
        "link clicks",
        "CTR",
        "CPM (USD)",
        "CPC (USD)",
        "CPC as exported (INR)",
        "result",
        "results",
        "cost per result (USD)",
    ]
    row = dict(zip(head, t["rows"][1], strict=True))
    assert row["CPC (USD)"]["paths"] == [f"{P}.campaigns.0.cpc"]
    assert row["CPC as exported (INR)"]["paths"] == [f"{P}.campaigns.0.cpc_reported"]
    assert res.value(f"{P}.campaigns.0.cpc") == pytest.approx(1.2)  # 10000 x 0.012 / 100
    assert res.value(f"{P}.campaigns.0.cpc_reported") == 100.0  # as exported, in INR
    assert res.value(f"{P}.campaigns.0.cpm") == pytest.approx(120 / 2000 * 1000)
    assert res.value(f"{P}.cost_per_result") == pytest.approx(30.0)  # 120 USD / 4
    # the export's own total-row CPC is labelled with its currency, and the rate is stated
    assert re.search(r'data-path="quantitative\.cpc\.reported"[^>]*>100\.00</span> INR', html)
    assert "1 INR = 0.012 USD" in html


def test_every_money_heading_names_its_currency(tmp_path):
    res = _run(tmp_path, {"ads.csv": EXPORT, "age.csv": AGE})
    html = write_report(res, tmp_path / "out").html.read_text(encoding="utf-8")
    section = html[html.index('id="ads"') :]
    p = _Tables()
    p.feed(section[: section.index("</section>")])
    money = ("spend", "cpm", "cpc", "cost per")
    checked = 0
    for t in p.tables:
        for h in t["head"]:
            if h.lower().startswith(money):
                assert h.endswith("(USD)"), h
                checked += 1
    assert checked >= 6
    # in the sentences, each money figure is followed by its currency
    for path in ("spend", "cpm", "value", "cost_per_result"):
        assert re.search(rf'data-path="{P}\.{path}"[^>]*>[^<]*</span> USD', section), path


# ---------------------------------------------------------------- the real Meta exports
META = "platform_exports/meta_ads_manager/Anas3rdshade_Teefusion/"
FILES = {
    "reach": "Untitled-report-Feb-1-2025-to-Aug-4-2025_Reach.csv",
    "age": "Untitled-report-Feb-1-2025-to-Aug-4-2025_Age.csv",
    "gender": "Untitled-report-Feb-1-2025-to-Aug-4-2025_Gender.csv",
    "device platform": "Untitled-report-Feb-1-2025-to-Aug-4-2025_Device.csv",
}
SPENT = "Amount spent (INR)"


def _raw(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _n(s: str) -> float:
    return float(s) if s != "" else 0.0


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    from ripplemeter.datasets import DataUnavailable, data_path

    try:
        paths = {k: data_path(META + f) for k, f in FILES.items()}
    except DataUnavailable as exc:
        pytest.skip(f"public data not available: {exc}")
    tmp = tmp_path_factory.mktemp("meta")
    sources = "".join(f'[[sources]]\npath = "{p}"\nformat = "meta-ads"\n' for p in paths.values())
    (tmp / "campaign.toml").write_text(
        '[campaign]\nname = "TeeFusion ads"\nstart = 2025-02-01\nend = 2025-08-04\n'
        'timezone = "Asia/Kolkata"\ncurrency = "INR"\n' + sources
    )
    res = import_and_evaluate(load_campaign(tmp / "campaign.toml"), tmp / "ws.duckdb")
    out = write_report(res, tmp / "out")
    return res, json.loads(out.metrics.read_text()), out.html.read_text(), paths


@pytest.mark.real_data
def test_real_export_window_figures(real):
    res, doc, _, paths = real
    rows = _raw(paths["reach"])
    total = next(r for r in rows if r["Campaign name"] == "")
    camps = [r for r in rows if r["Campaign name"] != ""]
    impressions = sum(int(r["Impressions"]) for r in camps)
    clicks = sum(int(_n(r["Link clicks"])) for r in camps)
    spend = sum(float(r[SPENT]) for r in camps)
    v = res.value
    assert v(f"{P}.impressions") == impressions == 878306
    assert v(f"{P}.ctr") == pytest.approx(clicks / impressions, rel=1e-12)
    assert v(f"{P}.cpm") == pytest.approx(spend / impressions * 1000, rel=1e-12)
    # frequency: the total row's impressions / reach, which is the export's own Frequency
    freq = int(total["Impressions"]) / int(total["Reach"])
    assert v(f"{P}.frequency") == pytest.approx(freq, rel=1e-12)
    assert v(f"{P}.frequency") == pytest.approx(float(total["Frequency"]), abs=5e-9)
    # summing the campaigns' reach would count people twice (662,973 > 635,040)
    assert sum(int(r["Reach"]) for r in camps) > int(total["Reach"])
    # no Results column in these exports: null, saying so
    f = {x["path"]: x for x in doc["figures"]}
    assert f[f"{P}.cost_per_result"]["value"] is None
    assert "no results" in f[f"{P}.cost_per_result"]["reason"]
    assert res.warnings == []


@pytest.mark.real_data
def test_real_export_campaign_rows(real):
    res, doc, _, paths = real
    camps = [r for r in _raw(paths["reach"]) if r["Campaign name"] != ""]
    got = doc["quantitative"]["cpc"]["campaigns"]
    assert [c["campaign"] for c in got] == [r["Campaign name"] for r in camps]
    for c, r in zip(got, camps, strict=True):
        imp, reach = int(r["Impressions"]), int(r["Reach"])
        assert c["ctr"] == pytest.approx(_n(r["Link clicks"]) / imp, rel=1e-12)
        assert c["cpm"] == pytest.approx(float(r[SPENT]) / imp * 1000, rel=1e-12)
        assert c["frequency"] == pytest.approx(imp / reach, rel=1e-12)
        assert c["frequency"] == pytest.approx(float(r["Frequency"]), abs=5e-9)
        assert c["currency"] == r["Currency"] == "INR"


@pytest.mark.real_data
@pytest.mark.parametrize("dimension", ["age", "gender", "device platform"])
def test_real_breakdown_tables(real, dimension):
    res, doc, html, paths = real
    rows = [r for r in _raw(paths[dimension]) if r["Campaign name"] != ""]
    col = next(h for h in rows[0] if h.lower() == dimension)
    sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in rows:
        s = sums[r[col]]
        s["spend"] += float(r[SPENT])
        s["impressions"] += int(r["Impressions"])
        s["clicks"] += _n(r["Link clicks"])
        s["purchases"] += _n(r["Purchases"])
    b = next(x for x in doc["quantitative"]["cpc"]["breakdowns"] if x["dimension"] == dimension)
    assert {r["value"] for r in b["rows"]} == set(sums)
    assert b["campaigns"] == len({r["Campaign name"] for r in rows})
    for row in b["rows"]:
        s = sums[row["value"]]
        assert row["spend"] == pytest.approx(s["spend"], rel=1e-12)
        assert row["impressions"] == s["impressions"]
        assert row["link_clicks"] == s["clicks"]
        assert row["conversions"].get("purchases", 0) == s["purchases"]
        if s["impressions"]:
            assert row["ctr"] == pytest.approx(s["clicks"] / s["impressions"], rel=1e-12)
        else:
            assert row["ctr"] is None
        if s["clicks"]:
            assert row["cpc"] == pytest.approx(s["spend"] / s["clicks"], rel=1e-12)
    assert b["total"]["spend"] == pytest.approx(sum(s["spend"] for s in sums.values()))
    assert f"<h3>By {dimension}</h3>" in html


# ---------------------------------------------------------------- the demo's age breakdown
def test_demo_age_breakdown_adds_up_to_the_campaign_rows(tmp_path):
    from ripplemeter import demo

    demo.generate_demo(tmp_path, seed=3)
    camps = _raw(tmp_path / demo.META_FILE)
    ages = _raw(tmp_path / demo.META_AGE_FILE)
    spent = "Amount spent (USD)"
    assert ages[0]["Campaign name"] == "" and ages[0]["Age"] == ""
    assert {k: v for k, v in ages[0].items() if k != "Age"} == camps[0]  # same total row
    for c in camps[1:]:
        part = [a for a in ages[1:] if a["Campaign name"] == c["Campaign name"]]
        assert [a["Age"] for a in part] == ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
        for col in ("Impressions", "Link clicks", "Clicks (all)", "Purchases", "Adds to cart"):
            assert sum(int(_n(a[col])) for a in part) == int(_n(c[col])), col
        assert round(sum(float(a[spent]) for a in part), 2) == float(c[spent])
        for a in part:
            assert 0 < int(a["Reach"]) <= int(a["Impressions"])
            assert float(a["Frequency"]) == pytest.approx(
                int(a["Impressions"]) / int(a["Reach"]), abs=5e-9
            )


def test_placement_breakdown_alone(tmp_path):
    text = (
        '"Campaign name",Platform,Placement,Reach,Impressions,Frequency,Currency,'
        '"Amount spent (USD)","Link clicks","CPC (cost per link click)",'
        '"Reporting starts","Reporting ends"\n'
        ",,,900,1200,1.33333333,USD,60,30,2,2026-03-01,2026-03-31\n"
        "Launch,instagram,feed,500,700,1.4,USD,35,20,1.75,2026-03-01,2026-03-31\n"
        "Launch,facebook,feed,300,400,1.33333333,USD,20,8,2.5,2026-03-01,2026-03-31\n"
        "Launch,instagram,instagram_stories,100,100,1,USD,5,2,2.5,2026-03-01,2026-03-31\n"
    )
    res = _run(tmp_path, {"placement.csv": text})
    d = res.metrics()["quantitative"]["cpc"]
    b = d["breakdowns"][0]
    assert (b["dimension"], b["label"]) == ("platform | placement", "Platform and placement")
    # not an age-like dimension: largest spend first
    assert [r["label"] for r in b["rows"]] == [
        "instagram, feed",
        "facebook, feed",
        "instagram, instagram stories",
    ]
    assert [r["ctr"] for r in b["rows"]] == [20 / 700, 8 / 400, 2 / 100]
    assert b["total"]["cpc"] == pytest.approx(60 / 30)
    # no export without breakdown: nothing is added to the window's totals, and it says so
    assert d["campaigns"] == [] and d["spend"] is None
    figs = {f.path: f for f in res.figures}
    for k in ("spend", "link_clicks", "impressions", "value", "ctr"):
        assert figs[f"{P}.{k}"].value is None
        assert figs[f"{P}.{k}"].reason.startswith("only breakdown exports are among the sources")
    assert any("only breakdown exports" in n for n in res.notes)
    html = write_report(res, tmp_path / "out").html.read_text(encoding="utf-8")
    assert "Only breakdown exports of the ads are among the sources" in html
    assert "<h3>By platform and placement</h3>" in html
    assert "paid media cost" not in html


def test_ads_entirely_outside_the_window_are_no_data_not_a_spend_of_zero(tmp_path):
    # The same export, but reported for May 2026: nothing of it lies inside March.
    may = EXPORT.replace("2026-03-01", "2026-05-01").replace("2026-03-31", "2026-05-31")
    res = _run(tmp_path, {"ads.csv": may})
    ads = res["ads"]
    assert ads.status == "no data"
    assert ads.reason == (
        "no paid media in the campaign window (1 Mar 2026 – 31 Mar 2026): the imported ads and "
        "spend rows cover 1 May 2026 – 31 May 2026, and only rows whose reporting period lies "
        "inside the window count"
    )
    with pytest.raises(KeyError):
        res.value(f"{P}.spend")
    doc = res.metrics()
    assert doc["sections"]["ads"]["status"] == "no data"
    assert not any("Media spend" in s["text"] for s in doc.get("summary", []))


def test_reach_results_are_priced_per_thousand_as_ads_manager_quotes_them(tmp_path):
    # An awareness campaign: 20,000 accounts reached for 137 USD. Ads Manager's "Cost per
    # result" for reach is per 1,000 accounts reached: 137 / 20,000 x 1,000 = 6.85 USD,
    # the figure in the row's own "Cost per results" cell (a per-person price would be 0.00685).
    text = HEADER.format(cur="USD") + (
        ",20000,60000,3,USD,137,300,0.45666667,,reach,,2026-03-01,2026-03-31\n"
        "Awareness,20000,60000,3,USD,137,300,0.45666667,20000,reach,6.85,2026-03-01,2026-03-31\n"
    )
    res = _run(tmp_path, {"ads.csv": text})
    assert res.value(f"{P}.cost_per_result") == pytest.approx(6.85)
    assert res.value(f"{P}.campaigns.0.cost_per_result") == pytest.approx(6.85)
    cpc = res.metrics()["quantitative"]["cpc"]
    assert cpc["result_basis"] == 1000
    figs = {f.path: f for f in res.figures}
    assert figs[f"{P}.cost_per_result"].metric == "cost_per_1000_results"
    assert figs[f"{P}.campaigns.0.cost_per_result"].metric == "cost_per_1000_results"
    html = write_report(res, tmp_path / "out").html.read_text(encoding="utf-8")
    assert "per 1,000 results" in html
    # a purchase stays priced one by one (the first test's 300 / 50 = 6)
    (tmp_path / "p").mkdir()
    assert (
        _run(tmp_path / "p", {"ads.csv": EXPORT}).metrics()["quantitative"]["cpc"]["result_basis"]
        == 1
    )


def test_summary_says_cost_per_purchase_divides_the_whole_spend(tmp_path):
    # Launch bought 12 purchases for 200 USD; Teaser spent 100 USD for none. The summary's
    # cost per purchase is the window's 300 USD / 12 = 25.00 (Meta's account-level figure),
    # not Launch's 16.67, and it says so.
    header = (
        '"Campaign name",Reach,Impressions,Frequency,Currency,"Amount spent (USD)",'
        '"Link clicks","CPC (cost per link click)",Purchases,"Reporting starts","Reporting ends"\n'
    )
    text = header + (
        ",1500,5000,3.33333333,USD,300,250,1.2,12,2026-03-01,2026-03-31\n"
        "Launch,1000,4000,4,USD,200,200,1,12,2026-03-01,2026-03-31\n"
        "Teaser,800,1000,1.25,USD,100,50,2,,2026-03-01,2026-03-31\n"
    )
    res = _run(tmp_path, {"ads.csv": text})
    cost = [s for s in res.metrics()["summary"] if "purchases" in s["text"]]
    assert len(cost) == 1
    assert (
        "12 purchases, at 25.00 USD each (the window's whole ad spend divided by them)"
        in (cost[0]["text"])
    )
