"""The report reads as a campaign summary: checked by parsing report.html.

For the generated demo and for a campaign built from real X and Google Trends exports (and
one from a real Meta Ads export), with the standard library's HTML parser:

- each data-path shows one value wherever it appears (summary, headline, tables);
- post-level impressions and the account's daily impressions carry distinct names and
  distinct metric ids for their lifts;
- the windows' lengths are stated, once, above the comparisons when they differ;
- no visible table cell holds a metric id, a local path, ``None`` or ``nan``;
- the summary sentences quote metrics.json values, and read in report.html as in
  metrics.json;
- times are in the campaign's zone, with the zone named (checked against the raw export);
- lifts of posts' figures compare daily rates (checked against the raw export).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ripplemeter.campaign import load_campaign
from ripplemeter.demo import generate_demo
from ripplemeter.evaluate import metrics as M
from ripplemeter.evaluate import resolve_path
from ripplemeter.pipeline import import_and_evaluate
from ripplemeter.report import write_report

X = "platform_exports/x_twitter_analytics/debruine_30DCC-2022/"
TWEETS = X + "tweet_activity_metrics_LisaDeBruine_20210801_20210901_en.csv"
DAILY_AUG = X + "daily_tweet_activity_metrics_LisaDeBruine_20210801_20210901_en.csv"
DAILY_JAN = X + "daily_tweet_activity_metrics_LisaDeBruine_20210101_20210201_en.csv"
TRENDS = "platform_exports/google_trends/remisublette_GLP1-trends/multiTimeline-6.csv"
META_REACH = (
    "platform_exports/meta_ads_manager/Anas3rdshade_Teefusion/"
    "Untitled-report-Feb-1-2025-to-Aug-4-2025_Reach.csv"
)
DEMO_TWEETS = "tweet_activity_metrics_lumentea_20260201_20260401_en.csv"
#: Developer words a report's notes and definitions must not show: a time column
#: (``observed_at``), ``NULL``, a file path (``docs/opinion.md``, a model card's path), a
#: module name, a version with build hashes (``1.1+009a78ea2eaf``).
DEVELOPER_WORDS = re.compile(
    r"\b[a-z]+_at\b|\bNULL\b|[\w/.-]+\.md\b|\bdocs/|\bripplemeter\.\w+\.\w+|\+[0-9a-f]{6,}"
)
#: The models that read search results, by the names the report shows (written here, not
#: taken from ripplemeter.evaluate.opinion).
MODEL_NAMES = {
    "news-tone-ko": "Korean news-tone model",
    "sentiment-en-fast": "English sentiment model (fast tier)",
    "sentiment-zh-fast": "Chinese sentiment model (fast tier)",
    "sentiment-en-accurate": "English sentiment model (accurate tier)",
    "sentiment-zh-accurate": "Chinese sentiment model (accurate tier)",
}
GOLD_LOG = Path(__file__).resolve().parent.parent / "training/logs/news_tone_ko_gold.json"


# ---------------------------------------------------------------- a small DOM
class Node:
    """An element of the parsed page: tag, attributes, children (nodes and text)."""

    def __init__(self, tag: str, attrs: dict, parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def text(self) -> str:
        """Visible text, whitespace collapsed (attributes such as title are not text)."""
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    def iter(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def find_all(self, tag: str | None = None, **attrs) -> list[Node]:
        return [
            n
            for n in self.iter()
            if (tag is None or n.tag == tag)
            and all(n.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]

    def ancestor(self, tag: str) -> Node | None:
        n = self.parent
        while n is not None and n.tag != tag:
            n = n.parent
        return n

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())


class _Builder(HTMLParser):
    VOID = {"br", "img", "meta", "link", "input", "hr", "col"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        n = Node(tag, dict(attrs), self.cur)
        self.cur.children.append(n)
        if tag not in self.VOID:
            self.cur = n

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        if self.cur.tag not in ("script", "style"):
            self.cur.children.append(data)


def parse(html: str) -> Node:
    b = _Builder()
    b.feed(html)
    return b.root


def section_of(n: Node) -> str:
    s = n.ancestor("section")
    return s.attrs.get("id", "") if s is not None else ""


# ---------------------------------------------------------------- reports
@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("readable")
    toml = generate_demo(tmp / "data", seed=7)
    res = import_and_evaluate(load_campaign(toml), workspace=tmp / "ws.duckdb")
    paths = write_report(res, tmp / "out")
    return res, json.loads(paths.metrics.read_text()), paths.html.read_text(), paths, toml.parent


def _real_campaign(tmp_path: Path, real_data) -> Path:
    p = tmp_path / "campaign.toml"
    p.write_text(
        f"""
[campaign]
name = "Chart challenge"
start = 2021-08-01
end = 2021-08-31
baseline_start = 2021-01-04
baseline_end = 2021-01-31
timezone = "Europe/London"
currency = "USD"
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
"""
    )
    return p


@pytest.fixture
def real(tmp_path, real_data):
    camp = load_campaign(_real_campaign(tmp_path, real_data))
    res = import_and_evaluate(camp)
    paths = write_report(res, tmp_path / "out")
    return res, json.loads(paths.metrics.read_text()), paths.html.read_text(), paths


def _check_readable(doc: dict, html: str, local_paths: list[Path]) -> Node:
    """The checks every report must pass; returns the parsed page for more."""
    page = parse(html)
    figs = [n for n in page.iter() if "data-path" in n.attrs]
    assert figs, "the report shows figures"

    # each data-path shows one value wherever it appears, and that value is metrics.json's
    shown: dict[str, set[str]] = {}
    for n in figs:
        shown.setdefault(n.attrs["data-path"], set()).add(n.text())
        value = resolve_path(doc, n.attrs["data-path"])
        raw = n.attrs["data-value"]
        assert (json.loads(raw) if raw != "" else None) == value, n.attrs
    twice = {p: s for p, s in shown.items() if len(s) > 1}
    assert twice == {}, twice

    # the basis of comparison, stated once, above every section
    c = doc["campaign"]
    basis = page.find_all(id="comparison-basis")
    assert len(basis) == 1
    text = basis[0].text()
    if c["days"] != c["baseline_days"]:
        assert f"baseline has {c['baseline_days']} days" in text
        assert f"the campaign {c['days']}" in text and "daily rates" in text
    else:
        assert f"both have {c['days']} days" in text
    first_section = re.search(r'<section id="(?!summary")', html)
    assert html.index('id="comparison-basis"') < first_section.start()

    # visible table cells: no metric id, no local path, no None/nan (the appendix lists ids)
    snake_ids = [m for m in M.all_metrics() if "_" in m]
    for cell in page.iter():
        if cell.tag not in ("td", "th") or section_of(cell) == "definitions":
            continue
        t = cell.text()
        for mid in snake_ids:
            assert not re.search(rf"\b{re.escape(mid)}\b", t), (mid, t)
        assert not re.search(r"\bNone\b|\bnan\b|NaN|nan%", t), t
    for p in local_paths:  # nowhere in the page, not even in a tooltip
        assert str(p) not in html, p
    readable = " ".join(
        s.text() for s in page.find_all("section") if s.attrs.get("id") != "definitions"
    )
    for word in ("is_total", "below_one", "lift_bounds", "exposure_lift"):
        assert word not in readable, word

    # notes and definitions in plain words: no column names, NULL, file paths or hashed
    # versions (metrics.json keeps them; the page is read by a marketing lead)
    defs = page.find_all(id="definitions")[0]
    prose = [li.text() for li in page.find_all("section", id="sources")[0].find_all("li")]
    prose += [li.text() for li in defs.find_all("li")]
    for tr in defs.find_all("tr"):
        prose += [td.text() for td in tr.find_all("td")[:5]]  # the last column is the id
    for sec in page.find_all("section", id="opinion"):
        prose += [p.text() for p in sec.find_all("p")]
    for t in prose:
        assert not DEVELOPER_WORDS.search(t), (DEVELOPER_WORDS.search(t).group(0), t)

    # each distinct definition text once in the appendix
    texts = [td.text() for tr in defs.find_all("tr") for td in tr.find_all("td")[4:5]]
    texts = [t for t in texts if t and not t.startswith("See note")]
    notes = [li.text() for li in defs.find_all("li")]
    assert len(texts + notes) == len(set(texts + notes))

    # the summary quotes metrics.json, and reads in the page as in metrics.json
    sentences = page.find_all("section", id="summary")[0].find_all(None, **{"class": "sentence"})
    assert len(sentences) == len(doc["summary"]) and 1 <= len(doc["summary"]) <= 5
    for node, s in zip(sentences, doc["summary"], strict=True):
        assert node.text() == s["text"]
        quoted = [n.attrs["data-path"] for n in node.iter() if "data-path" in n.attrs]
        assert quoted == [f["path"] for f in s["figures"]]
        for f in s["figures"]:
            assert f["value"] == resolve_path(doc, f["path"]) and f["value"] is not None
            assert f["shown"] in s["text"]
    assert doc["summary"][-1]["topic"] == "cause"
    assert (
        "control market" in doc["summary"][-1]["text"] and "holdout" in doc["summary"][-1]["text"]
    )

    # at most six headline cards, grouped
    cards = [n for n in page.find_all(id="headline")[0].iter() if "card" in n.classes()]
    assert 1 <= len(cards) <= 6
    return page


def _row_label(fig: Node) -> str:
    tr = fig.ancestor("tr")
    assert tr is not None
    return tr.find_all("td")[0].text()


def _distinct_impressions(page: Node) -> None:
    """Post impressions and the account's daily impressions never share a name or a lift id."""
    by_path = {n.attrs["data-path"]: n for n in page.iter() if "data-path" in n.attrs}
    post = by_path["quantitative.exposure_lift.impressions.lift"]
    account = by_path["quantitative.daily_exposure.impressions.lift"]
    assert post.attrs["data-metric"] == "post_lift"
    assert account.attrs["data-metric"] == "account_daily_lift"
    assert post.attrs["title"] != account.attrs["title"]
    assert _row_label(post) == M.get("impressions").name == "Post impressions"
    assert _row_label(account) == M.get("daily_impressions").name
    assert "Account impressions" in _row_label(account)
    # every label near an impressions figure says which kind it is
    for card in page.find_all(id="headline")[0].iter():
        if "card" in card.classes() and "impressions" in card.text().lower():
            label = card.find_all("div", **{"class": "l"})[0].text().lower()
            assert "post" in label or "account" in label, label


# ---------------------------------------------------------------- tests
def test_demo_report_reads_as_a_campaign_summary(demo):
    _, doc, html, paths, folder = demo
    page = _check_readable(doc, html, [folder, paths.html.parent])
    _distinct_impressions(page)
    assert doc["campaign"]["days"] == 31 and doc["campaign"]["baseline_days"] == 28
    topics = [s["topic"] for s in doc["summary"]]
    assert topics == ["exposure", "outcomes", "cost", "search", "cause"]
    groups = [g.attrs["data-group"] for g in page.find_all("div", **{"class": "group"})]
    assert groups == ["organic", "paid", "outcomes", "search"]
    # sources by file name, with the file's SHA-256, never a path
    assert all("/" not in s["file"] and len(s["sha256"]) == 64 for s in doc["sources"])
    assert all("path" not in s for s in doc["sources"])


def test_demo_lifts_of_posts_compare_daily_rates(demo):
    """Baseline 28 days, campaign 31: the lift is of posts per day, counted from the raw CSV."""
    _, doc, _, _, folder = demo
    tz = ZoneInfo("Asia/Shanghai")
    with open(folder / DEMO_TWEETS, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))

    def inside(a: dt.date, b: dt.date) -> list[dict]:
        lo = dt.datetime.combine(a, dt.time(0), tzinfo=tz)
        hi = dt.datetime.combine(b + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
        return [r for r in rows if lo <= dt.datetime.strptime(r["time"], "%Y-%m-%d %H:%M %z") < hi]

    c = inside(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    b = inside(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    lift = doc["quantitative"]["exposure_lift"]
    assert lift["posts"]["lift"] == pytest.approx((len(c) / 31) / (len(b) / 28) - 1)
    assert lift["posts"]["lift"] != pytest.approx(len(c) / len(b) - 1)  # not the totals
    ci = sum(int(float(r["impressions"])) for r in c)
    bi = sum(int(float(r["impressions"])) for r in b)
    imp = lift["impressions"]
    assert (imp["campaign"], imp["baseline"]) == (ci, bi)  # totals beside the rates
    assert imp["campaign_per_day"] == pytest.approx(ci / 31)
    assert imp["baseline_per_day"] == pytest.approx(bi / 28)
    assert imp["lift"] == pytest.approx((ci / 31) / (bi / 28) - 1)
    assert imp["difference"] == pytest.approx(ci / 31 - bi / 28)


def test_demo_top_posts_are_in_the_campaign_time_zone(demo):
    """The most-seen post's time, from the raw export's own offset, in Asia/Shanghai."""
    _, doc, html, paths, folder = demo
    tz = ZoneInfo("Asia/Shanghai")
    with open(folder / DEMO_TWEETS, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    lo = dt.datetime(2026, 3, 1, tzinfo=tz)
    hi = dt.datetime(2026, 4, 1, tzinfo=tz)
    inside = [r for r in rows if lo <= dt.datetime.strptime(r["time"], "%Y-%m-%d %H:%M %z") < hi]
    top = max(inside, key=lambda r: (float(r["impressions"]), -int(r["Tweet id"])))
    local = dt.datetime.strptime(top["time"], "%Y-%m-%d %H:%M %z").astimezone(tz)
    first = doc["quantitative"]["top_posts"][0]
    assert first["post_id"] == f"x:{top['Tweet id']}"
    assert first["created_at"] == local.isoformat(timespec="minutes")  # offset +08:00 given
    page = parse(html)
    table = page.find_all("section", id="top-posts")[0].find_all("table")[0]
    assert table.find_all("th")[0].text() == "Posted (Asia/Shanghai)"
    assert table.find_all("tr")[1].find_all("td")[0].text() == local.strftime("%Y-%m-%d %H:%M")
    with open(paths.top_posts_csv, encoding="utf-8-sig", newline="") as f:
        exported = next(csv.DictReader(f))
    assert exported["posted (Asia/Shanghai)"] == local.strftime("%Y-%m-%d %H:%M:%S")
    assert "created_at" not in exported


def test_demo_search_table_names_the_model_that_read_each_engine(demo):
    """The "read by" column: each engine's model, from metrics.json's model ids through this
    module's own names; the demo's languages fix which one (Korean news: news-tone)."""
    _, doc, html, _, _ = demo
    serp = doc["qualitative"]["serp"]
    page = parse(html)
    heading = [h for h in page.find_all("h3") if h.text() == "Search engines' first pages"]
    assert len(heading) == 1
    table = next(
        n
        for n in page.find_all("table")
        if [th.text() for th in n.find_all("th")][:3] == ["engine", "query", "read by"]
    )
    rows = table.find_all("tr")[1:]
    assert len(rows) == len(serp["by_query"]) == 3
    expected_model = {"naver": "news-tone-ko", "google": "sentiment-en-", "baidu": "sentiment-zh-"}
    for tr, d in zip(rows, serp["by_query"], strict=True):
        cells = [td.text() for td in tr.find_all("td")]
        assert cells[0] == d["engine"]
        models = [m["model"] for m in d["read_by"]]
        assert len(models) == 1 and models[0].startswith(expected_model[d["engine"]])
        assert sum(m["results"] for m in d["read_by"]) == d["scored"] == 10
        assert cells[2] == MODEL_NAMES[models[0]]
        # the version only in the tooltip, as metrics.json has it
        assert d["read_by"][0]["version"] in tr.find_all("td")[2].attrs["title"]
        assert d["read_by"][0]["version"] not in tr.text()
    # metrics.json keeps the model ids and versions, summed over the engines
    by_model = {m["model"]: m["results"] for m in serp["scored_by"]}
    assert by_model == {d["read_by"][0]["model"]: 10 for d in serp["by_query"]}
    assert all(m["version"] for m in serp["scored_by"])

    # the "negative" count's tooltip says what the number is, unlike the results count's
    figs = {n.attrs["data-path"]: n for n in page.iter() if "data-path" in n.attrs}
    neg = figs["qualitative.serp.by_query.0.negative"].attrs["title"]
    res = figs["qualitative.serp.by_query.0.results"].attrs["title"]
    assert "negative" in neg.lower() and "negative" not in res.lower()
    assert figs["qualitative.serp.negative"].attrs["title"] == neg


def test_demo_search_note_says_which_reading_was_checked(demo):
    """Only the Korean news-tone model was checked against hand labels on search results; the
    agreement is the gold log's (203 of 215 -> 94%), the others are said to be unchecked."""
    _, doc, html, _, _ = demo
    log = json.loads(GOLD_LOG.read_text(encoding="utf-8"))
    gold = log["ranks_1_215"]
    # the check is of the model version that read the demo's Korean news results
    (ko,) = [m for m in doc["qualitative"]["serp"]["scored_by"] if m["model"] == "news-tone-ko"]
    assert log["model"] == f"news-tone-ko {ko['version'].split('+')[0]}"
    agree = f"{round(100 * gold['agree'] / gold['results'])}% agreement on {gold['results']}"
    assert agree == "94% agreement on 215"
    page = parse(html)
    opinion = page.find_all("section", id="opinion")[0]
    note = next(p.text() for p in opinion.find_all("p") if "were read" in p.text())
    assert (
        "10 by the Korean news-tone model (is the result bad news for the brand searched?), "
        f"checked against hand labels: {agree} Naver News results for Samsung;" in note
    )
    assert (
        "10 by the English sentiment model (fast tier), trained on tweets, not checked on "
        "search results;" in note
    )
    assert (
        "10 by the Chinese sentiment model (fast tier), trained on hotel, shopping and "
        "food-delivery reviews, not checked on search results." in note
    )
    assert "a first reading, to check by eye" in note
    assert "model cards give each model's measured error" not in note
    # the Sources note says it too, without model versions
    serp_note = next(n for n in doc["notes"] if n.startswith("Search results' sentiment"))
    assert (
        "read by model news-tone-ko, the Korean news-tone model, checked against hand labels: "
        f"{agree}" in serp_note
    )
    for m in doc["qualitative"]["serp"]["scored_by"]:
        assert m["version"] not in serp_note


def test_plain_words_for_notes_and_definitions():
    """The page's rewriting of developer words, on the texts the first reader quoted."""
    from ripplemeter.report.wording import plain

    assert plain("x.json: the file does not say when the search ran; observed_at is NULL") == (
        "x.json: the file does not say when the search ran; observation time is empty"
    )
    assert plain("news-tone-ko (model card text/models/news-tone-ko.md)") == (
        "news-tone-ko (model card of the Korean news-tone model)"
    )
    assert plain("trained on spam (model card text/models/spam_en.card.md)") == (
        "trained on spam (model card of the English spam model)"
    )
    assert plain("Error against hand labels: see docs/opinion.md.") == (
        "Error against hand labels: see the opinion chapter of ripplemeter's documentation."
    )
    assert plain("model news-tone-ko version 1.1+009a78ea2eaf+dfa78241; v 2+a70eb4956607") == (
        "model news-tone-ko version 1.1; v 2"
    )
    assert plain("posts whose latest row has no created_at") == (
        "posts whose latest row has no creation time"
    )
    assert plain("detector (ripplemeter.text.aspects)") == "detector (ripplemeter's aspects model)"
    assert plain("a file tweet_created_at.csv stays") == "a file tweet_created_at.csv stays"
    assert plain(3) == 3


@pytest.mark.real_data
def test_real_exports_report_reads_as_a_campaign_summary(real, real_data):
    _, doc, html, paths = real
    data_root = real_data(TWEETS).parents[2]
    page = _check_readable(doc, html, [data_root, paths.html.parent])
    # the post export covers August only: no post lift, so the page names the account's
    # daily impressions as such wherever they appear
    by_path = {n.attrs["data-path"]: n for n in page.iter() if "data-path" in n.attrs}
    account = by_path["quantitative.daily_exposure.impressions.lift"]
    assert account.attrs["data-metric"] == "account_daily_lift"
    assert _row_label(account) == M.get("daily_impressions").name
    assert _row_label(by_path["quantitative.exposure_lift.impressions.lift"]) == "Post impressions"
    exposure = doc["summary"][0]
    assert exposure["topic"] == "exposure" and "account's daily impressions" in exposure["text"]
    # the daily lift the summary quotes is the raw export's, day by day
    jan = [
        float(r["impressions"])
        for r in _raw(real_data(DAILY_JAN))
        if "2021-01-04" <= r["Date"][:10] <= "2021-01-31"
    ]
    aug = [
        float(r["impressions"])
        for r in _raw(real_data(DAILY_AUG))
        if "2021-08-01" <= r["Date"][:10] <= "2021-08-31"
    ]
    lift = next(
        f for f in exposure["figures"] if f["path"].endswith("daily_exposure.impressions.lift")
    )
    assert lift["value"] == pytest.approx((sum(aug) / len(aug)) / (sum(jan) / len(jan)) - 1)
    assert len(jan) == 28 and len(aug) == 31
    # no ads source here: the cost sentence says so rather than staying silent
    topics = [s["topic"] for s in doc["summary"]]
    cost = doc["summary"][topics.index("cost")]["text"]
    assert cost == "No cost figures: no ads export or spend file among the campaign's sources."
    assert "Search interest" in doc["summary"][topics.index("search")]["text"]


@pytest.mark.real_data
def test_real_meta_export_cost_sentence(tmp_path, real_data):
    """The cost sentence quotes spend and CPC as the Meta export's total row gives them."""
    p = tmp_path / "campaign.toml"
    p.write_text(
        f"""
[campaign]
name = "TeeFusion ads"
start = 2025-02-01
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
"""
    )
    res = import_and_evaluate(load_campaign(p))
    paths = write_report(res, tmp_path / "out")
    doc = json.loads(paths.metrics.read_text())
    html = paths.html.read_text()
    page = parse(html)
    cost = [s for s in doc["summary"] if s["topic"] == "cost"]
    assert len(cost) == 1
    total = next(r for r in _raw(real_data(META_REACH)) if r["Campaign name"] == "")
    quoted = {f["path"]: f["value"] for f in cost[0]["figures"]}
    assert quoted["quantitative.cpc.value"] == pytest.approx(
        float(total["CPC (cost per link click)"]), abs=1e-6
    )
    assert quoted["quantitative.cpc.spend"] == pytest.approx(float(total["Amount spent (INR)"]))
    word = "below" if float(total["CPC (cost per link click)"]) <= 0.9 else "above"
    assert " INR" in cost[0]["text"] and f"{word} the benchmark of 0.90 INR" in cost[0]["text"]
    # no comparison with the baseline is made, so no causal caution and no empty sentence
    assert [s["topic"] for s in doc["summary"]] == ["cost"]
    sentences = page.find_all("section", id="summary")[0].find_all(None, **{"class": "sentence"})
    assert [n.text() for n in sentences] == [cost[0]["text"]]
    assert str(real_data(META_REACH).parent) not in html


def _raw(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_summary_of_a_page_export_without_impressions(tmp_path):
    """Posts with engagements only, windows of equal length: the sentence says what exists."""
    (tmp_path / "p.csv").write_text(
        "id,at,text,engagements\n"
        "1,2026-02-10 10:00:00,a,10\n"  # baseline: 1 post, 10 engagements
        "2,2026-03-02 10:00:00,b,20\n"
        "3,2026-03-03 10:00:00,c,15\n"
        "4,2026-03-04 10:00:00,d,25\n"  # campaign: 3 posts, 60 engagements
    )
    p = tmp_path / "campaign.toml"
    p.write_text(
        '[campaign]\nname = "Page"\nstart = 2026-03-01\nend = 2026-03-28\n'
        "baseline_start = 2026-02-01\nbaseline_end = 2026-02-28\n"
        '[[sources]]\npath = "p.csv"\nformat = "generic"\nplatform = "facebook"\n'
        '[sources.columns]\npost_id = "id"\ncreated_at = "at"\ntext = "text"\n'
        'engagements = "engagements"\n'
    )
    res = import_and_evaluate(load_campaign(p))
    paths = write_report(res, tmp_path / "out")
    doc = json.loads(paths.metrics.read_text())
    page = _check_readable(doc, paths.html.read_text(), [tmp_path])
    # 28 days each: the lift of daily rates is the lift of the totals, 60 / 10 - 1
    assert doc["quantitative"]["exposure_lift"]["engagements"]["lift"] == pytest.approx(5.0)
    assert doc["summary"][0]["text"] == (
        "The 3 posts published during the campaign drew 60 engagements; per day, post "
        "engagements were +500.0% against the baseline."
    )
    assert (
        page.find_all(id="comparison-basis")[0]
        .text()
        .startswith("The baseline and the campaign both have 28 days")
    )
