"""One source of truth for export layouts: the demo writes the columns the importers read.

Each format module owns its file's column definitions (``x_analytics.TWEETS_HEADER``,
``meta_ads.export_header``, ``google_trends.timeline_header``, ...). ``ripplemeter.demo``
imports them, so the generated files cannot drift from what the importers expect.
"""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path

import pytest

from ripplemeter import demo
from ripplemeter.demo import generate_demo
from ripplemeter.formats import available_formats, generic, meta_ads, simple, x_analytics
from ripplemeter.formats import google_trends as trends
from ripplemeter.workspace import Workspace


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo_layouts")
    generate_demo(out, seed=7)
    return out


def header(path: Path, row: int = 1, encoding: str = "utf-8") -> tuple[str, ...]:
    """Row ``row`` (1-based) of a CSV file as the csv module reads it."""
    with path.open(encoding=encoding, newline="") as fh:
        rows = csv.reader(fh)
        for _ in range(row - 1):
            next(rows)
        return tuple(next(rows))


def test_demo_uses_the_importers_definitions():
    assert demo.X_TWEET_HEADER is x_analytics.TWEETS_HEADER
    assert demo.X_DAILY_HEADER is x_analytics.DAILY_HEADER
    assert demo._PARTS is x_analytics.ENGAGEMENT_PARTS
    assert demo.META_HEADER == meta_ads.export_header("USD")


def test_x_tweet_export_header(demo_dir):
    got = header(demo_dir / demo.TWEETS_FILE)
    assert got == x_analytics.TWEETS_HEADER
    assert len(got) == 40


@pytest.mark.parametrize("name", [demo.DAILY_BASELINE_FILE, demo.DAILY_CAMPAIGN_FILE])
def test_x_daily_export_header(demo_dir, name):
    got = header(demo_dir / name)
    assert got == x_analytics.DAILY_HEADER
    assert len(got) == 38


def test_meta_export_header(demo_dir):
    path = demo_dir / demo.META_FILE
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    got = header(path, encoding="utf-8-sig")
    assert got == demo.META_FILE_HEADER
    # the format module's columns in their order, plus the three result columns
    assert [h for h in got if h not in demo.META_RESULT_COLUMNS] == list(
        meta_ads.export_header("USD")
    )
    assert "Amount spent (USD)" in got
    # each result column is one the importer reads (a metric, the result's type, or a
    # column it recognises and leaves alone), so none is taken for a breakdown
    read = set(meta_ads.METRICS) | set(meta_ads.RESULT_TYPE_COLUMNS) | meta_ads._NOT_BREAKDOWN
    assert {h.lower() for h in demo.META_RESULT_COLUMNS} <= read


def test_google_trends_preamble_and_header(demo_dir):
    lines = (demo_dir / demo.TRENDS_FILE).read_text(encoding="utf-8").split("\n")
    assert lines[0] == trends.CATEGORY_LINE.format(category=trends.ALL_CATEGORIES)
    assert lines[1] == ""
    terms = [("lumen tea", "Worldwide"), ("matcha latte", "Worldwide")]
    assert header(demo_dir / demo.TRENDS_FILE, row=3) == trends.timeline_header("day", terms)
    values = {c for line in lines[3:] if line for c in line.split(",")[1:]}
    assert trends.BELOW_ONE in values


def test_outcomes_header(demo_dir):
    assert header(demo_dir / demo.OUTCOMES_FILE) == simple.OUTCOMES_COLUMNS


def test_follows_header(demo_dir):
    assert header(demo_dir / demo.FOLLOWS_FILE) == generic.REQUIRED["follows"]


def test_campaign_names_registered_formats(demo_dir):
    with (demo_dir / "campaign.toml").open("rb") as fh:
        sources = tomllib.load(fh)["sources"]
    registered = {f.name for f in available_formats()}
    assert {s["format"] for s in sources} <= registered


# ------------------------------------------------------------------ the importers' side
def test_x_importer_reads_every_column_of_its_layouts():
    numeric = set(x_analytics._NUMERIC_COLUMNS)
    assert set(x_analytics.TWEETS_HEADER[4:]) == numeric - {"Tweets published"}
    assert set(x_analytics.DAILY_HEADER[1:]) == numeric
    assert set(x_analytics._TWEETS_REQUIRED) <= set(x_analytics.TWEETS_HEADER)
    assert set(x_analytics._DAILY_REQUIRED) <= set(x_analytics.DAILY_HEADER)
    assert set(x_analytics.TWEET_METRICS) <= set(x_analytics.TWEETS_HEADER)
    assert set(x_analytics.DAILY_METRICS) <= set(x_analytics.DAILY_HEADER)


def test_meta_importer_knows_every_column_of_its_layout():
    structure = {"campaign name", "currency", "reporting starts", "reporting ends"}
    costs = {cost for _, cost in meta_ads.CONVERSIONS.values()}
    derived = {"cpc (all)", "ctr (all)"}  # not stored: derivable from stored columns
    for h in meta_ads.export_header("USD"):
        base, _ = meta_ads._split_currency(h)
        assert base in {*meta_ads.METRICS, *meta_ads.CONVERSIONS, *costs, *structure, *derived}


def test_trends_importer_reads_its_time_headers():
    for period, word in trends.TIME_HEADERS.items():
        assert trends.TIME_WORDS[word.lower()] == period


def test_demo_files_import_with_nothing_left_out(demo_dir):
    """Every column the demo writes is one its importer stores or deliberately derives."""
    with Workspace() as ws:
        tweets = ws.import_file(demo_dir / demo.TWEETS_FILE, x_analytics.TWEETS_FORMAT)
        daily = ws.import_file(demo_dir / demo.DAILY_CAMPAIGN_FILE, x_analytics.DAILY_FORMAT)
        meta = ws.import_file(demo_dir / demo.META_FILE, meta_ads.FORMAT)
        ws.import_file(demo_dir / demo.TRENDS_FILE, trends.FORMAT)
        ws.import_file(demo_dir / demo.OUTCOMES_FILE, simple.OUTCOMES_FORMAT)
    for result in (tweets, daily):
        assert not [n for n in result.notes if "columns absent" in n]
    not_stored = [n for n in meta.notes if "columns not stored" in n]
    assert not_stored == [
        f"{demo.META_FILE}: columns not stored (derivable from stored ones or not in the "
        "schema): 'Cost per results', 'CPC (all)', 'CTR (all)'"
    ]


# ------------------------------------------------------------------ the real exports
REAL_X = "platform_exports/x_twitter_analytics/debruine_30DCC-2022/"
REAL_META = (
    "platform_exports/meta_ads_manager/Anas3rdshade_Teefusion/"
    "Untitled-report-Feb-1-2025-to-Aug-4-2025_Reach.csv"
)


def test_layouts_are_the_real_exports(real_data):
    """The definitions are the headers of real downloads (public data; skips without it)."""
    tweets = real_data(REAL_X + "tweet_activity_metrics_LisaDeBruine_20210801_20210901_en.csv")
    daily = real_data(REAL_X + "daily_tweet_activity_metrics_LisaDeBruine_20210801_20210901_en.csv")
    assert header(tweets) == x_analytics.TWEETS_HEADER
    assert header(daily) == x_analytics.DAILY_HEADER
    assert header(real_data(REAL_META), encoding="utf-8-sig") == meta_ads.export_header("INR")
