"""Google Trends importer: every real export in platform_exports, and broken files.

Expected counts and values are computed from the raw files with the csv module.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from ripplemeter.errors import FormatError
from ripplemeter.workspace import Workspace

T = "platform_exports/google_trends/"
TIMELINES = {
    "doublebyte1_datacamp_facebook_live_ny_resolution/multiTimeline.csv": ("month", 199, 3),
    "remisublette_GLP1-trends/multiTimeline-6.csv": ("week", 262, 3),
    "majohansson_maria-puerto-rico/multiTimeline.csv": ("day", 133, 3),
    "Fran-6_Genrage/multiTimeline.csv": ("week", 262, 2),
    "ChoiVadim_ai_education_analys/multiTimeline.csv": ("week", 262, 3),
    "vedantdave18_Cryptocurrency-correlation-analysis/multiTimeline.csv": ("week", 260, 1),
}
GEOMAPS = {
    "doublebyte1_datacamp_facebook_live_ny_resolution/geoMap.csv": ("Country", 70, 3),
    "remisublette_GLP1-trends/geoMap-9.csv": ("Region", 51, 3),
    "Fran-6_Genrage/geoMapDept.csv": ("Zone de diffusion", 96, 2),
}
RELATED = "remisublette_GLP1-trends/relatedQueries.csv"


def raw_table(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and data rows of a timeline/geoMap export, read plainly with csv."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    for r in rows:
        while r and r[-1] == "":
            r.pop()
    rows = [r for r in rows if r]
    header_at = next(i for i, r in enumerate(rows) if len(r) >= 2)
    return rows[header_at], rows[header_at + 1 :]


def is_below_one(cell: str) -> bool:
    return cell.replace("\u00a0", "").replace(" ", "").rstrip("%") == "<1"


# --------------------------------------------------------------------------- timelines
@pytest.mark.real_data
@pytest.mark.parametrize("relative", sorted(TIMELINES))
def test_every_timeline_imports(real_data, workspace, relative):
    period, n_dates, n_terms = TIMELINES[relative]
    path = real_data(T + relative)
    header, data = raw_table(path)
    assert (len(data), len(header) - 1) == (n_dates, n_terms)
    result = workspace.import_file(path, "google-trends")
    assert result.rows == {"index_series": n_dates * n_terms}
    s = workspace.table("index_series")
    assert set(s.period) == {period} and set(s.source) == {"google_trends"}
    assert list(dict.fromkeys(s.term)) == [h.split(":")[0] for h in header[1:]]
    # below_one exactly where the raw cell says <1; value NULL only there
    n_below = sum(is_below_one(c) for r in data for c in r[1:])
    assert int(s.below_one.sum()) == n_below
    assert int(s.value.isna().sum()) == n_below
    assert s.value.dropna().between(0, 100).all()
    assert any("kept as a flag; not a number" in n for n in result.notes)
    # the cell of the last data row, last term
    last = s[(s.source_row == s.source_row.max()) & (s.term == s.term.iloc[-1])].iloc[0]
    cell = data[-1][-1]
    assert bool(last.below_one) if is_below_one(cell) else last.value == float(cell)


@pytest.mark.real_data
def test_monthly_english_values(real_data, workspace):
    workspace.import_file(
        real_data(T + "doublebyte1_datacamp_facebook_live_ny_resolution/multiTimeline.csv"),
        "google-trends",
    )
    s = workspace.table("index_series")
    first = s[s.date == pd.Timestamp("2004-01-01")].set_index("term")
    # 2004-01,100,31,48
    assert first.value.to_dict() == {"diet": 100.0, "gym": 31.0, "finance": 48.0}
    assert set(first.geo) == {"Worldwide"} and set(first.source_row) == {4}
    assert s.date.max() == pd.Timestamp("2020-07-01")


@pytest.mark.real_data
def test_weekly_below_one_flag(real_data, workspace):
    path = real_data(T + "remisublette_GLP1-trends/multiTimeline-6.csv")
    header, data = raw_table(path)
    assert sum(r[2] == "<1" for r in data) == 147  # all in the 'monjauro' column
    workspace.import_file(path, "google-trends")
    s = workspace.table("index_series")
    assert int(s.below_one.sum()) == 147
    assert set(s[s.below_one].term) == {"monjauro"}
    day = s[s.date == pd.Timestamp("2022-07-31")].set_index("term")  # 2022-07-31,17,<1,5
    assert day.loc["ozempic", "value"] == 17.0 and not day.loc["ozempic", "below_one"]
    assert pd.isna(day.loc["monjauro", "value"]) and bool(day.loc["monjauro", "below_one"])
    assert day.loc["wegovy", "value"] == 5.0
    assert set(s.geo) == {"United States"}


@pytest.mark.real_data
def test_french_ui_nbsp_below_one(real_data, workspace):
    path = real_data(T + "Fran-6_Genrage/multiTimeline.csv")
    header, data = raw_table(path)
    assert header[0] == "Semaine" and data[2] == ["2020-02-09", "<\u00a01", "<\u00a01"]
    workspace.import_file(path, "google-trends")
    s = workspace.table("index_series")
    week = s[s.date == pd.Timestamp("2020-02-09")]
    assert week.below_one.all() and week.value.isna().all()
    assert sorted(week.term) == ["la covid", "le covid"] and set(week.geo) == {"France"}
    assert int(s.below_one.sum()) == 4


@pytest.mark.real_data
def test_russian_ui(real_data, workspace):
    workspace.import_file(
        real_data(T + "ChoiVadim_ai_education_analys/multiTimeline.csv"), "google-trends"
    )
    s = workspace.table("index_series")
    assert set(s.geo) == {"По всему миру"}
    assert set(s.term) == {"ChatGPT for studying", "AI learning tools", "AI studying"}
    last = s[s.date == pd.Timestamp("2025-10-26")].set_index("term").value  # 2025-10-26,6,14,23
    assert last.to_dict() == {
        "ChatGPT for studying": 6.0,
        "AI learning tools": 14.0,
        "AI studying": 23.0,
    }


@pytest.mark.real_data
def test_excel_resaved_us_dates(real_data, workspace):
    path = real_data(T + "vedantdave18_Cryptocurrency-correlation-analysis/multiTimeline.csv")
    assert path.read_text(encoding="utf-8").startswith("Category: All categories,\n,\n")
    result = workspace.import_file(path, "google-trends")
    s = workspace.table("index_series").sort_values("date")
    header, data = raw_table(path)
    want = [dt.datetime.strptime(r[0], "%m/%d/%Y").date() for r in data]
    assert [d.date() for d in s.date] == want
    assert s.date.iloc[0] == pd.Timestamp("2015-04-12")
    assert s.value.tolist() == [float(r[1]) for r in data]
    assert any("M/D/YYYY" in n for n in result.notes)


@pytest.mark.real_data
def test_daily_series(real_data, workspace):
    workspace.import_file(
        real_data(T + "majohansson_maria-puerto-rico/multiTimeline.csv"), "google-trends"
    )
    s = workspace.table("index_series")
    assert s.date.min() == pd.Timestamp("2017-07-01")
    assert s.date.max() == pd.Timestamp("2017-11-10")
    peak = s.loc[s.value.idxmax()]
    assert peak.value == 100.0


# --------------------------------------------------------------------------- geo maps
@pytest.mark.real_data
@pytest.mark.parametrize("relative", sorted(GEOMAPS))
def test_every_geomap_imports(real_data, workspace, relative):
    level, n_places, n_terms = GEOMAPS[relative]
    path = real_data(T + relative)
    header, data = raw_table(path)
    assert (header[0], len(data), len(header) - 1) == (level, n_places, n_terms)
    result = workspace.import_file(path, "google-trends")
    assert result.rows == {"index_geo": n_places * n_terms}
    g = workspace.table("index_geo")
    assert set(g.geo_level) == {level}
    assert int(g.below_one.sum()) == sum(is_below_one(c) for r in data for c in r[1:])
    assert g.geo.tolist()[:n_terms] == [data[0][0]] * n_terms


@pytest.mark.real_data
def test_geomap_index_with_below_one(real_data, workspace):
    path = real_data(T + "doublebyte1_datacamp_facebook_live_ny_resolution/geoMap.csv")
    workspace.import_file(path, "google-trends")
    g = workspace.table("index_geo")
    slovenia = g[g.geo == "Slovenia"].set_index("term")  # Slovenia,<1,<1,100
    assert slovenia.below_one.to_dict() == {"diet": True, "gym": True, "finance": False}
    assert slovenia.loc["finance", "value"] == 100.0
    assert not g.is_share.any()
    assert set(g.period_label) == {"1/1/04 - 12/15/17"}
    assert int(g.below_one.sum()) == 51


@pytest.mark.real_data
def test_geomap_shares(real_data, workspace):
    workspace.import_file(real_data(T + "remisublette_GLP1-trends/geoMap-9.csv"), "google-trends")
    g = workspace.table("index_geo")
    wv = g[g.geo == "West Virginia"].set_index("term")  # West Virginia,74%,<1%,26%
    assert wv.loc["ozempic", "value"] == 74.0 and wv.loc["wegovy", "value"] == 26.0
    assert bool(wv.loc["monjauro", "below_one"]) and pd.isna(wv.loc["monjauro", "value"])
    assert g.is_share.all()
    assert int(g.below_one.sum()) == 51 and set(g[g.below_one].term) == {"monjauro"}
    assert set(g.period_label) == {"11/26/20 - 11/26/25"}


@pytest.mark.real_data
def test_geomap_french_shares(real_data, workspace):
    workspace.import_file(real_data(T + "Fran-6_Genrage/geoMapDept.csv"), "google-trends")
    g = workspace.table("index_geo")
    sarthe = g[g.geo == "Sarthe"].set_index("term").value  # Sarthe,70 %,30 %
    assert sarthe.to_dict() == {"le covid": 70.0, "la covid": 30.0}
    assert g.is_share.all()
    assert set(g.period_label) == {"29/01/2020 – 29/01/2025"}
    # the two compared terms' shares add up to 100 in every department
    assert (g.groupby("geo").value.sum() == 100).all()


# --------------------------------------------------------------------------- related queries
@pytest.mark.real_data
def test_related_queries(real_data, workspace):
    path = real_data(T + RELATED)
    with open(path, newline="", encoding="utf-8") as f:
        lines = list(csv.reader(f))
    sections: dict[str, list[list[str]]] = {}
    current = None
    for r in lines:
        if r in (["TOP"], ["RISING"]):
            current = r[0]
            sections[current] = []
        elif current and len(r) == 2:
            sections[current].append(r)
    result = workspace.import_file(path, "google-trends")
    assert result.rows == {"index_related": len(sections["TOP"]) + len(sections["RISING"])}
    rel = workspace.table("index_related")
    assert (rel.section == "TOP").sum() == len(sections["TOP"]) == 25
    assert (rel.section == "RISING").sum() == len(sections["RISING"]) == 25
    assert set(rel.term) == {"ozempic"} and set(rel.kind) == {"queries"}
    q = rel.set_index(["section", "query"])
    assert q.loc[("TOP", "ozempic side effects"), "value"] == 100.0
    assert bool(q.loc[("RISING", "ozempic vulva"), "breakout"])
    assert pd.isna(q.loc[("RISING", "ozempic vulva"), "value"])
    assert q.loc[("RISING", "microdosing ozempic"), "value"] == 1600.0  # "+1,600%"
    assert q.loc[("RISING", "tirzepatide vs ozempic"), "value"] == 120.0
    assert int(rel.breakout.sum()) == sum(r[1] == "Breakout" for r in sections["RISING"]) == 2
    # 'zepbound' is in both sections: two rows
    assert (rel["query"] == "zepbound").sum() == 2


@pytest.mark.real_data
def test_reimport_is_skipped(real_data, workspace):
    paths = [real_data(T + r) for r in (*TIMELINES, *GEOMAPS, RELATED)]
    for p in paths:
        assert not workspace.import_file(p, "google-trends").skipped
    before = workspace.counts()
    for p in paths:
        assert workspace.import_file(p, "google-trends").skipped
    assert workspace.counts() == before
    assert before["index_series"] == sum(n * k for _, n, k in TIMELINES.values())
    assert before["index_geo"] == sum(n * k for _, n, k in GEOMAPS.values())


# --------------------------------------------------------------------------- bad input
TIMELINE = "Category: All categories\n\nMonth,diet: (Worldwide),gym: (Worldwide)\n2004-01,100,31\n2004-02,76,27\n"


@pytest.fixture
def seeded(tmp_path):
    ws = Workspace(tmp_path / "seeded.duckdb")
    good = tmp_path / "good.csv"
    good.write_text(TIMELINE, encoding="utf-8")
    ws.import_file(good, "google-trends")
    yield ws
    ws.close()


def assert_fails(ws, path, *parts):
    before = ws.counts()
    n_imports = len(ws.imports())
    with pytest.raises(FormatError) as err:
        ws.import_file(path, "google-trends")
    msg = str(err.value)
    for part in (path.name, *parts):
        assert part in msg, msg
    assert ws.counts() == before
    assert len(ws.imports()) == n_imports
    return msg


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_not_a_trends_export(tmp_path, seeded):
    p = write(tmp_path, "other.csv", "Campaign name,Reach\nSpring,1000\n")
    msg = assert_fails(
        seeded, p, "row 1", "expected a Google Trends export", "found 'Campaign name,Reach'"
    )
    assert msg.startswith("other.csv, row 1: ")


def test_wrong_delimiter(tmp_path, seeded):
    p = write(tmp_path, "semi.csv", TIMELINE.replace(",", ";"))
    assert_fails(seeded, p, "row 3", "separated by semicolons, expected commas")


def test_missing_term_columns(tmp_path, seeded):
    p = write(tmp_path, "noterms.csv", "Category: All categories\n\nMonth\n2004-01\n")
    assert_fails(seeded, p, "row 3", "column 'Month'", "missing the term columns")


def test_header_column_not_a_term(tmp_path, seeded):
    p = write(tmp_path, "hdr.csv", TIMELINE.replace("gym: (Worldwide)", "gym"))
    assert_fails(seeded, p, "row 3", "column 'gym'", "expected a column header like")


def test_text_in_value_column(tmp_path, seeded):
    p = write(tmp_path, "text.csv", TIMELINE.replace("2004-02,76,27", "2004-02,76,lots"))
    msg = assert_fails(seeded, p)
    assert msg == (
        "text.csv, row 5, column 'gym: (Worldwide)': expected a value from 0 to 100 or '<1', "
        "found 'lots'"
    )


def test_value_above_100(tmp_path, seeded):
    p = write(tmp_path, "big.csv", TIMELINE.replace("2004-02,76,27", "2004-02,176,27"))
    assert_fails(seeded, p, "row 5", "column 'diet: (Worldwide)'", "found '176'")


def test_bad_date(tmp_path, seeded):
    p = write(tmp_path, "date.csv", TIMELINE.replace("2004-02,", "Feb 2004,"))
    assert_fails(seeded, p, "row 5", "column 'Month'", "expected a date", "found 'Feb 2004'")


def test_truncated_last_line(tmp_path, seeded):
    p = write(tmp_path, "cut.csv", TIMELINE[: TIMELINE.rindex(",27")])
    assert_fails(
        seeded,
        p,
        "row 5",
        "column 'gym: (Worldwide)'",
        "expected 3 columns",
        "the last line looks truncated",
    )


def test_bad_share_in_geomap(tmp_path, seeded):
    text = "Category: All categories\n\nRegion,a: (1/1/20 - 1/1/21),b: (1/1/20 - 1/1/21)\nOhio,60%,4O%\n"
    p = write(tmp_path, "geo.csv", text)
    assert_fails(seeded, p, "row 4", "column 'b: (1/1/20 - 1/1/21)'", "found '4O%'")


def test_bad_rising_value(tmp_path, seeded):
    text = 'Category: All categories\n"x: (1/1/20 - 1/1/21, Worldwide)"\n\nTOP\ny,100\n\nRISING\nz,lots\n'
    p = write(tmp_path, "rel.csv", text)
    assert_fails(seeded, p, "row 8", "column 'RISING'", "expected a percent increase", "'lots'")


def test_empty_geomap_cell_is_null_not_a_short_row(tmp_path, workspace):
    text = "Category: All categories\n\nCountry,x: (1/1/20 - 1/1/21)\nFrance,\nSpain,40\n"
    result = workspace.import_file(write(tmp_path, "geo_empty.csv", text), "google-trends")
    g = workspace.table("index_geo").set_index("geo")
    assert pd.isna(g.loc["France", "value"]) and not g.loc["France", "below_one"]
    assert g.loc["Spain", "value"] == 40.0
    assert any("1 empty cell" in n for n in result.notes)


def test_day_month_dates_when_month_day_cannot_be(tmp_path, workspace):
    text = "Category: All categories,\n,\nWeek,x: (Worldwide),\n19/4/2015,2,\n26/4/2015,3,\n"
    result = workspace.import_file(write(tmp_path, "dm.csv", text), "google-trends")
    s = workspace.table("index_series")
    assert s.date.tolist() == [pd.Timestamp("2015-04-19"), pd.Timestamp("2015-04-26")]
    assert any("D/M/YYYY" in n for n in result.notes)
