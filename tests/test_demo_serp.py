"""The demo's search-engine first pages (issue 8, item 6): three files in the layouts the serp
importer reads, wired into campaign.toml, and shown by the report's opinion section.

The expected negative counts are computed here without the importer or the section: the
files are read with ``json``, the display text is made by this module's own tag/entity
stripping, and the sentiment and news-tone models are called directly on the title and
snippet.
"""

from __future__ import annotations

import html
import json
import re
import tomllib
from datetime import datetime
from pathlib import Path

import pytest

from ripplemeter import demo
from ripplemeter.campaign import load_campaign
from ripplemeter.demo import generate_demo

pytest.importorskip("ripplemeter.text.sentiment")


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo_serp")
    generate_demo(out / "data")
    return out


@pytest.fixture(scope="module")
def report(demo_dir):
    """The demo imported, annotated and evaluated, as `ripplemeter demo` does it."""
    from ripplemeter.pipeline import run_report

    camp = load_campaign(demo_dir / "data" / "campaign.toml")
    _, paths = run_report(camp, demo_dir, demo_dir / "data" / "ripplemeter.duckdb")
    metrics = json.loads((demo_dir / "metrics.json").read_text(encoding="utf-8"))
    return metrics, (demo_dir / "report.html").read_text(encoding="utf-8")


def shown(raw: str | None) -> str:
    """What a reader sees of a Naver title: tags dropped, entities decoded, spaces collapsed."""
    if raw is None:
        return ""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", "", raw)).split())


def read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def pages(demo_dir: Path) -> dict[str, list[tuple[str, str]]]:
    """(title, snippet) as displayed, per engine, read straight from the demo's files."""
    d = demo_dir / "data"
    google = read_json(d / demo.SERP_GOOGLE_FILE)["organic_results"]
    baidu = read_json(d / demo.SERP_BAIDU_FILE)
    naver = read_json(d / demo.SERP_NAVER_FILE)
    return {
        "google": [(r["title"], r["snippet"]) for r in google],
        "baidu": [(r["title"], "") for r in baidu],
        "naver": [(shown(r["title"]), shown(r["description"])) for r in naver],
    }


def model_negatives(demo_dir: Path) -> dict[str, int]:
    """Negative results per engine as the models read them, called directly."""
    from ripplemeter.text.news_tone import NewsToneModel
    from ripplemeter.text.sentiment import SentimentModel

    p = pages(demo_dir)
    out = {}
    for engine, lang in (("google", "en"), ("baidu", "zh")):
        texts = [f"{t} {s}".strip() for t, s in p[engine]]
        labels = SentimentModel.load(lang, "fast").label_scores(texts)["label"]
        out[engine] = int((labels == "negative").sum())
    titles, snippets = zip(*p["naver"], strict=True)
    labels = NewsToneModel.load().label_scores(titles, snippets, demo.SERP_QUERIES["naver"])
    out["naver"] = int((labels["label"] == "negative").sum())
    return out


# ----------------------------------------------------------------- the files


def test_serpapi_google_response_layout(demo_dir):
    path = demo_dir / "data" / demo.SERP_GOOGLE_FILE
    raw = path.read_bytes()
    assert raw.isascii() and not raw.endswith(b"\n")  # json.dump: \u escapes, no final newline
    doc = json.loads(raw)
    assert list(doc) == [
        "search_metadata",
        "search_parameters",
        "search_information",
        "organic_results",
    ]
    assert doc["search_parameters"]["q"] == "lumen tea"
    assert doc["search_parameters"]["engine"] == "google"
    created = datetime.strptime(doc["search_metadata"]["created_at"], "%Y-%m-%d %H:%M:%S UTC")
    # searched inside the campaign (1-31 March 2026, Asia/Shanghai)
    assert datetime(2026, 2, 28, 16) <= created < datetime(2026, 3, 31, 16)
    organic = doc["organic_results"]
    assert [r["position"] for r in organic] == list(range(1, 11))
    assert all(r["title"] and r["snippet"] for r in organic)
    assert len({r["link"] for r in organic}) == 10
    # no key of any kind in a saved response
    assert "api_key" not in raw.decode() and "api_key" not in doc["search_parameters"]


def test_baidu_scrape_layout(demo_dir):
    raw = (demo_dir / "data" / demo.SERP_BAIDU_FILE).read_text(encoding="utf-8")
    items = json.loads(raw)
    assert "路明茶" in raw  # raw UTF-8, not \u escapes
    assert not raw.endswith("\n")
    assert len(items) == 10
    assert all(list(r) == ["title", "link"] for r in items)
    assert all(r["link"].startswith("http://www.baidu.com/link?url=") for r in items)


def test_naver_news_dump_layout(demo_dir):
    path = demo_dir / "data" / demo.SERP_NAVER_FILE
    assert path.name == "루멘티_naver_news.json"  # the query is in the file name
    items = read_json(path)
    assert [r["cnt"] for r in items] == list(range(1, 11))
    assert all(
        set(r) == {"cnt", "title", "description", "link", "org_link", "pDate"} for r in items
    )
    assert all(r["link"] == r["org_link"] for r in items)
    dates = [r["pDate"] for r in items]
    assert dates == sorted(dates, reverse=True)  # newest first, as the script pages them
    assert all("2026-03-01" <= d[:10] <= "2026-03-31" for d in dates)
    # markup as the API leaves it
    assert all("<b>루멘티</b>" in r["title"] + r["description"] for r in items)
    assert sum("&quot;" in r["title"] for r in items) == 3


def test_campaign_toml_names_the_three_searches(demo_dir):
    with (demo_dir / "data" / "campaign.toml").open("rb") as fh:
        cfg = tomllib.load(fh)
    serp = {s["path"]: s for s in cfg["sources"] if s["format"] == "serp"}
    assert set(serp) == {demo.SERP_GOOGLE_FILE, demo.SERP_BAIDU_FILE, demo.SERP_NAVER_FILE}
    assert serp[demo.SERP_BAIDU_FILE]["query"] == "路明茶"
    assert "query" not in serp[demo.SERP_GOOGLE_FILE]
    assert "query" not in serp[demo.SERP_NAVER_FILE]


def test_the_models_read_the_headlines_as_written(demo_dir):
    """3 of 10 English, 2 of 10 Chinese and 4 of 10 Korean news results were written to read
    negative; the shipped models agree (a retrained model that disagrees shows up here)."""
    assert demo.SERP_NEGATIVE == {"google": 3, "baidu": 2, "naver": 4}
    assert model_negatives(demo_dir) == demo.SERP_NEGATIVE


# ----------------------------------------------------------------- the report


def test_metrics_json_has_the_negative_share_per_engine(demo_dir, report):
    metrics, _ = report
    serp = metrics["qualitative"]["serp"]
    expected = model_negatives(demo_dir)
    by = {d["engine"]: d for d in serp["by_query"]}
    assert set(by) == {"google", "baidu", "naver"}
    for engine, neg in expected.items():
        d = by[engine]
        assert d["query"] == demo.SERP_QUERIES[engine]
        assert (d["lists"], d["results"], d["scored"], d["negative"]) == (1, 10, 10, neg)
        assert d["negative_share"] == pytest.approx(neg / 10)
    assert (serp["results"], serp["scored"]) == (30, 30)
    assert serp["negative"] == sum(expected.values())
    assert serp["negative_share"] == pytest.approx(sum(expected.values()) / 30)
    assert {d["model"]: d["results"] for d in serp["scored_by"]} == {
        "news-tone-ko": 10,
        "sentiment-en-fast": 10,
        "sentiment-zh-fast": 10,
    }


def test_report_shows_the_search_part_and_how_it_was_read(report):
    _, page = report
    start = page.index("Search engines' first pages")
    part = page[start : page.index("</section>", start)]
    # each engine's row names the model that read it (the models this module calls above)
    read_by = {
        "naver": "Korean news-tone model",
        "google": "English sentiment model (fast tier)",
        "baidu": "Chinese sentiment model (fast tier)",
    }
    for engine, name in read_by.items():
        query = demo.SERP_QUERIES[engine]
        assert re.search(
            rf"<td>{engine}</td><td>{re.escape(query)}</td><td[^>]*>{re.escape(name)}</td>", part
        ), (engine, name)
    assert "checked against hand labels: 94% agreement on 215 Naver News results" in part
    assert "not checked on search results" in part


def test_search_results_count_as_taken_in_the_campaign(report):
    """Each file imports 10 results; the SerpApi search ran inside the window, and the Baidu
    and Naver dumps (no search time) count because campaign.toml lists them
    (docs/opinion.md, "Which search results count")."""
    metrics, _ = report
    rows = {s["file"]: s["rows"] for s in metrics["sources"] if s["format"] == "serp"}
    assert {f: r.get("serp_results") for f, r in rows.items()} == {
        demo.SERP_GOOGLE_FILE: 10,
        demo.SERP_BAIDU_FILE: 10,
        demo.SERP_NAVER_FILE: 10,
    }
    notes = metrics["notes"]
    assert any(n.startswith("20 search result(s) carry no search time") for n in notes)
    assert not any("observed outside" in n for n in notes)
