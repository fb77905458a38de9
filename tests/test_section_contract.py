"""Contract suite over every registered report section, and the report's traceability.

In the manner of scikit-learn's ``parametrize_with_checks``: a section registered by anyone
(built-in or through the ``ripplemeter.sections`` entry points) is run through the same
checks, so a new section cannot ship without nulls-with-reasons, registry ids and
definitions in metrics.json.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from html.parser import HTMLParser
from importlib.metadata import entry_points
from pathlib import Path

import ibis
import pytest
from markupsafe import escape as html_escape

from ripplemeter.campaign import load_campaign
from ripplemeter.demo import generate_demo
from ripplemeter.evaluate import metrics as M
from ripplemeter.evaluate import resolve_path
from ripplemeter.evaluate.context import TableAccess
from ripplemeter.evaluate.section import SectionResult, available_sections
from ripplemeter.pipeline import import_and_evaluate
from ripplemeter.report import write_report

SECTIONS = available_sections()
IDS = [s.id for s in SECTIONS]


def simulated_reposts(data: Path, seed: int = 5, p: float = 0.08) -> Path:
    """Repost cascades simulated on the demo's follows graph (generated data, not observed).

    No shared data set has both follows and cascades, so the contract campaign gets its
    cascades this way: independent cascade with probability ``p`` from the brand's five most
    seen March tweets; each account that picks a post up reposts it from the account it saw
    it from, minutes later.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    followers: dict[str, list[str]] = {}
    with open(data / "follows.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):  # src follows dst: influence flows dst -> src
            followers.setdefault(r["dst_account_id"], []).append(r["src_account_id"])
    tweets_file = next(data.glob("tweet_activity_metrics_*.csv"))
    with open(tweets_file, encoding="utf-8-sig", newline="") as f:
        tweets = [r for r in csv.DictReader(f) if r["time"].startswith("2026-03")]
    tweets.sort(key=lambda r: -float(r["impressions"]))
    rows = ["post_id,parent_id,account_id,created_at,text"]
    n = 0
    for t in tweets[:5]:
        start = dt.datetime.strptime(t["time"], "%Y-%m-%d %H:%M %z").replace(tzinfo=None)
        frontier = [("x:lumentea", t["Tweet id"], start)]
        seen = {"x:lumentea"}
        while frontier:
            account, post, when = frontier.pop(0)
            for follower in followers.get(account, []):
                if follower in seen or rng.random() >= p:
                    continue
                seen.add(follower)
                n += 1
                at = when + dt.timedelta(minutes=int(rng.integers(1, 240)))
                rows.append(f"rt{n},{post},{follower},{at:%Y-%m-%d %H:%M:%S},")
                frontier.append((follower, f"rt{n}", at))
    out = data / "reposts.csv"
    out.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return out


def demo_with_cascades(tmp: Path) -> Path:
    """campaign.toml of the demo plus :func:`simulated_reposts` as a ``reposts`` source."""
    toml = generate_demo(tmp / "data", seed=7)
    simulated_reposts(tmp / "data")
    with open(toml, "a", encoding="utf-8") as f:
        f.write('\n[[sources]]\npath = "reposts.csv"\nformat = "reposts"\nplatform = "x"\n')
    return toml


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo campaign plus simulated repost cascades, so that every section has data."""
    tmp = tmp_path_factory.mktemp("demo")
    res = import_and_evaluate(load_campaign(demo_with_cascades(tmp)), tmp / "ws.duckdb")
    paths = write_report(res, tmp / "out")
    return res, json.loads(paths.metrics.read_text()), paths.html.read_text()


@pytest.fixture(scope="module")
def empty(tmp_path_factory):
    """A campaign with no sources at all: every section must cope."""
    tmp = tmp_path_factory.mktemp("empty")
    (tmp / "campaign.toml").write_text(
        '[campaign]\nname = "Nothing yet"\nstart = 2026-03-01\nend = 2026-03-31\n'
    )
    res = import_and_evaluate(load_campaign(tmp / "campaign.toml"), tmp / "ws.duckdb")
    paths = write_report(res, tmp / "out")
    return res, json.loads(paths.metrics.read_text()), paths.html.read_text()


def test_builtin_sections_come_from_the_entry_point_group():
    names = {ep.name for ep in entry_points(group="ripplemeter.sections")}
    assert set(IDS) <= names, "every built-in section registers as a plug-in would"


def test_every_builtin_section_module_is_registered_as_an_entry_point():
    """A section module added to evaluate/ without its pyproject.toml line would be missed."""
    import ripplemeter.evaluate as ev

    folder = Path(ev.__file__).parent
    declared = {ep.value.split(":")[0] for ep in entry_points(group="ripplemeter.sections")}
    for f in sorted(folder.glob("*.py")):
        if "@register_section" in f.read_text(encoding="utf-8") and f.stem != "section":
            mod = f"ripplemeter.evaluate.{f.stem}"
            assert mod in declared, (
                f"{mod} registers a section but pyproject.toml has no entry point for it: add "
                f'`<id> = "{mod}:<Class>"` under [project.entry-points."ripplemeter.sections"] '
                "and run `.venv/bin/pip install -e .`"
            )


def test_a_metric_is_defined_once():
    from ripplemeter.evaluate.section import register_section

    clash = M.Metric("posts", "Posts, my way", "count(*)", "count", "elsewhere")

    class Clash:
        id = "clash"
        title = "Clash"
        metrics = (clash,)
        settings = None

        def run(self, ctx):  # pragma: no cover - never run
            raise AssertionError

    with pytest.raises(ValueError, match="declares metric 'posts' differently"):
        register_section(Clash)


@pytest.mark.parametrize("section", SECTIONS, ids=IDS)
def test_declares_its_shape(section):
    assert section.id and section.title
    for m in section.metrics:
        assert M.REGISTRY[m.id] is m or M.REGISTRY[m.id] == m
        assert m.formula and m.unit and m.source


@pytest.mark.parametrize("section", SECTIONS, ids=IDS)
def test_no_data_gives_nulls_with_reasons_never_an_exception(section, empty):
    res, doc, html = empty
    r = res[section.id]
    assert isinstance(r, SectionResult)
    if r.status != "ok":
        assert r.reason, "a section without data says why"
        assert doc["sections"][section.id]["reason"] == r.reason
        assert str(html_escape(r.reason)) in html  # listed under "Not in this report"
    for f in r.figures:
        if f.value is None:
            assert f.reason, f"{f.path} is null without a reason"


@pytest.mark.parametrize("section", SECTIONS, ids=IDS)
def test_figures_are_defined_and_reach_metrics_json(section, demo):
    res, doc, _ = demo
    r = res[section.id]
    assert r.status == "ok", f"the demo exercises every section ({section.id}: {r.reason})"
    assert r.figures, "a section with data reports figures"
    for f in r.figures:
        assert f.metric in M.REGISTRY, f"{f.path}: metric {f.metric!r} is not in the registry"
        assert f.value is not None or f.reason, f"{f.path} is null without a reason"
        assert f.metric in doc["definitions"]
        assert resolve_path(doc, f.path) == f.value, f.path
        assert {"path": f.path, "metric": f.metric, "value": f.value} in [
            {k: g[k] for k in ("path", "metric", "value")} for g in doc["figures"]
        ]
    for mid in r.uses:
        assert mid in doc["definitions"]


class _Figures(HTMLParser):
    """Collects every data-metric element, and numbers written outside one."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: list[dict] = []
        self.stack: list[tuple[str, bool, bool]] = []  # tag, inside a number cell, inside fig
        self.loose: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        in_num = (self.stack and self.stack[-1][1]) or (tag == "td" and "num" in cls)
        in_num = in_num or (tag == "div" and cls == ["v"])
        in_fig = (self.stack and self.stack[-1][2]) or "data-metric" in a
        if "data-metric" in a:
            self.figures.append(a)
        if tag not in ("br", "img", "meta", "link", "input"):
            self.stack.append((tag, bool(in_num), bool(in_fig)))

    def handle_endtag(self, tag):
        while self.stack:
            t, *_ = self.stack.pop()
            if t == tag:
                break

    def handle_data(self, data):
        if self.stack and self.stack[-1][1] and not self.stack[-1][2]:
            if any(ch.isdigit() for ch in data):
                self.loose.append(data.strip())


def test_every_number_in_the_demo_report_is_traceable(demo):
    """Each figure element names a defined metric and shows the value at its path."""
    _, doc, html = demo
    p = _Figures()
    p.feed(html)
    assert len(p.figures) > 100
    for a in p.figures:
        assert a["data-metric"] in doc["definitions"], a
        value = resolve_path(doc, a["data-path"])
        shown = json.loads(a["data-value"]) if a["data-value"] != "" else None
        assert shown == value, a
    # numbers in number cells and headline cards sit inside a figure element
    assert p.loose == [], p.loose[:10]


def test_empty_campaign_report_renders(empty):
    _, doc, html = empty
    assert doc["figures"] == [] or all(
        f["value"] is not None or f.get("reason") for f in doc["figures"]
    )
    assert "Not in this report" in html


# ---------------------------------------------------------------- portable expressions
def test_every_section_expression_compiles_for_spark(tmp_path, monkeypatch):
    """Every query a section runs also compiles to Spark SQL (nothing DuckDB-only)."""
    import ibis.expr.types as ir
    from ibis.config import Config

    class PySparkOptions(Config):
        """The option the PySpark backend registers on import (pyspark is not installed
        here); False is its default."""

        treat_nan_as_null: bool = False

    if ibis.options.pyspark is None:
        monkeypatch.setattr(ibis.options, "pyspark", PySparkOptions())
    compiled: list[str] = []
    orig_mat = TableAccess.materialize

    def check(expr):
        compiled.append(ibis.to_sql(expr, dialect="pyspark"))

    def wrap(fn):
        def run(self, *a, **k):
            check(self)
            return fn(self, *a, **k)

        return run

    for cls, name in [
        (ir.Table, "to_pandas"),
        (ir.Table, "to_pyarrow"),
        (ir.Value, "to_pandas"),
        (ir.Scalar, "to_pyarrow"),
        (ir.Column, "to_pyarrow"),
    ]:
        monkeypatch.setattr(cls, name, wrap(getattr(cls, name)))

    def materialize(self, expr, name):
        check(expr)
        return orig_mat(self, expr, name)

    monkeypatch.setattr(TableAccess, "materialize", materialize)
    camp = load_campaign(demo_with_cascades(tmp_path))
    res = import_and_evaluate(camp, tmp_path / "ws.duckdb")
    assert all(r.status == "ok" for r in res.results.values())
    assert len(compiled) >= 20
    joined = "\n".join(compiled)
    assert "QUALIFY" not in joined.upper()  # window filters are portable subqueries
    assert "ROW_NUMBER() OVER" in joined.upper()


# ---------------------------------------------------------------- a section from outside
TOY_MODULE = """
from ripplemeter.evaluate.metrics import Metric
from ripplemeter.evaluate.section import Figure, SectionResult, register_section

TOY_METRIC = Metric(
    "toy_original_share",
    "Share of original posts",
    "original posts / posts in the campaign window",
    "ratio",
    "toy test section",
)


@register_section
class ToySection:
    id = "toy"
    title = "Toy section"
    order = 95
    metrics = (TOY_METRIC,)
    settings = None

    def run(self, ctx):
        t = ctx.tables.latest_posts(ctx.window.campaign)
        n = int(t.count().to_pyarrow().as_py())
        o = int(t.filter((t.kind == "original") | t.kind.isnull()).count().to_pyarrow().as_py())
        share = o / n if n else None
        return SectionResult(
            figures=[Figure("toy.original_share", "toy_original_share", share,
                            None if n else "no posts")],
            data={"toy": {"original_share": share, "posts": n}},
        )
"""
TOY_TEMPLATE = '<p id="toy-line">Original posts: {{ fig("toy.original_share") }}</p>\n'


def test_a_new_section_is_one_module_and_one_template(tmp_path, monkeypatch):
    pkg = tmp_path / "toyplugin"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "toy_section.py").write_text(TOY_MODULE)
    (pkg / "toy.html").write_text(TOY_TEMPLATE)  # beside its module
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib

    from ripplemeter.evaluate.section import unregister_section

    importlib.import_module("toyplugin.toy_section")
    try:
        camp = load_campaign(generate_demo(tmp_path / "data", seed=7))
        res = import_and_evaluate(camp, tmp_path / "ws.duckdb")
        paths = write_report(res, tmp_path / "out")
        doc = json.loads(paths.metrics.read_text())
        share = doc["toy"]["original_share"]
        # the toy counts every post created in the window (the exposure section counts only
        # the campaign's own): recount them with SQL over the workspace, the window's local
        # days (Asia/Shanghai, UTC+8) as UTC bounds
        import duckdb

        with duckdb.connect(str(tmp_path / "ws.duckdb"), read_only=True) as con:
            n, o = con.execute(
                "SELECT count(*), count(*) FILTER (WHERE kind = 'original' OR kind IS NULL) "
                "FROM (SELECT DISTINCT post_id, kind FROM posts WHERE created_at >= "
                "TIMESTAMP '2026-02-28 16:00' AND created_at < TIMESTAMP '2026-03-31 16:00')"
            ).fetchone()
        assert doc["toy"]["posts"] == n > doc["quantitative"]["exposure"]["posts"]
        assert share == pytest.approx(o / n)
        assert doc["definitions"]["toy_original_share"]["unit"] == "ratio"
        assert {"path": "toy.original_share", "metric": "toy_original_share", "value": share} in (
            doc["figures"]
        )
        html = paths.html.read_text()
        assert 'id="toy-line"' in html and 'data-metric="toy_original_share"' in html
        assert f"{share * 100:.2f}%" in html
    finally:
        unregister_section("toy")
        for m in list(importlib.sys.modules):
            if m.startswith("toyplugin"):
                del importlib.sys.modules[m]
    assert "toy_original_share" not in M.REGISTRY


# ---------------------------------------------------------------- AVE from rate-card files
CAMPAIGN = """
[campaign]
name = "Cards"
start = 2026-03-01
end = 2026-03-31
currency = "USD"
[[sources]]
path = "{tweets}"
format = "x-analytics-tweets"
{extra}
"""


def _tweets(tmp_path: Path) -> Path:
    data = tmp_path / "demo"
    generate_demo(data, seed=7)
    return next(data.glob("tweet_activity_metrics_*.csv"))


def test_rate_card_file_gives_the_same_ave_as_campaign_toml(tmp_path):
    tweets = _tweets(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "campaign.toml").write_text(
        CAMPAIGN.format(
            tweets=tweets,
            extra='[[rate_cards]]\nplatform = "x"\nunit = "cpm"\nprice = 6.5\n'
            '[[rate_cards]]\nplatform = "x"\nunit = "cpc"\nprice = 0.4\n',
        )
    )
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "cards.csv").write_text(
        "platform,unit,price,currency\nx,cpm,6.5,USD\nx,cpc,0.4,USD\n"
    )
    (tmp_path / "b" / "campaign.toml").write_text(
        CAMPAIGN.format(
            tweets=tweets, extra='[[sources]]\npath = "cards.csv"\nformat = "rate-card"\n'
        )
    )
    a = import_and_evaluate(load_campaign(tmp_path / "a" / "campaign.toml"))
    b = import_and_evaluate(load_campaign(tmp_path / "b" / "campaign.toml"))
    total = a.value("quantitative.ave.total")
    assert total is not None and total > 0
    assert b.value("quantitative.ave.total") == pytest.approx(total)
    assert b.value("quantitative.ave.by_platform") == a.value("quantitative.ave.by_platform")
    # independently, from the raw export: CPM on impressions plus CPC on url clicks of the
    # window's non-promoted tweets
    import csv

    with open(tweets, encoding="utf-8-sig", newline="") as f:
        rows = [
            r
            for r in csv.DictReader(f)
            if "2026-03-01" <= r["time"][:10] <= "2026-03-31"
            and r["promoted impressions"] in ("-", "", "0")
        ]
    want = sum(6.5 * float(r["impressions"]) / 1000 + 0.4 * float(r["url clicks"]) for r in rows)
    assert total == pytest.approx(want)


def test_a_rate_card_given_both_ways_names_both_places(tmp_path):
    from ripplemeter.errors import EvaluationError

    tweets = _tweets(tmp_path)
    (tmp_path / "cards.csv").write_text("platform,unit,price\nx,cpc,0.3\nx,cpm,7\n")
    (tmp_path / "campaign.toml").write_text(
        CAMPAIGN.format(
            tweets=tweets,
            extra='[[sources]]\npath = "cards.csv"\nformat = "rate-card"\n'
            '[[rate_cards]]\nplatform = "x"\nunit = "cpm"\nprice = 6.5\n',
        )
    )
    with pytest.raises(EvaluationError) as ei:
        import_and_evaluate(load_campaign(tmp_path / "campaign.toml"))
    msg = str(ei.value)
    assert "campaign.toml, line 13" in msg and "cards.csv, row 3" in msg


# ---------------------------------------------------------------- one graph for seeding
def test_seeds_command_and_seeding_section_choose_the_same_seeds(tmp_path):
    from typer.testing import CliRunner

    from ripplemeter.cli import app

    rng = __import__("numpy").random.default_rng(3)
    edges = set()
    while len(edges) < 400:
        a, b = (int(x) for x in rng.integers(0, 120, 2))
        if a != b:
            edges.add((a, b))
    # the graph file: influence src -> dst; the follows table: dst follows src
    (tmp_path / "graph.csv").write_text(
        "src,dst\n" + "".join(f"x:{a},x:{b}\n" for a, b in sorted(edges))
    )
    (tmp_path / "follows.csv").write_text(
        "follower,followed\n" + "".join(f"x:{b},x:{a}\n" for a, b in sorted(edges))
    )
    (tmp_path / "campaign.toml").write_text(
        """
[campaign]
name = "seeds"
start = 2026-03-01
end = 2026-03-31
[[sources]]
path = "follows.csv"
format = "generic"
table = "follows"
[sources.columns]
src_account_id = "follower"
dst_account_id = "followed"
[seeding]
k = 5
probability = "wc"
random_state = 4
mc_runs = 2000
"""
    )
    res = import_and_evaluate(load_campaign(tmp_path / "campaign.toml"))
    section_seeds = res.value("seeding.seeds")
    out = CliRunner().invoke(
        app,
        [
            "seeds",
            str(tmp_path / "graph.csv"),
            "--k",
            "5",
            "--probability",
            "wc",
            "--seed",
            "4",
            "--mc-runs",
            "2000",
            "--json",
        ],
    )
    assert out.exit_code == 0, out.output
    cli = json.loads(out.stdout)
    assert cli["seeds"] == section_seeds
    assert cli["spread"]["mean"] == pytest.approx(res.value("seeding.spread.mean"))


def test_platforms_with_and_without_reach_write_plain_numbers(tmp_path):
    """X has no reach, Facebook posts do: per-platform sums stay plain integers."""
    tweets = _tweets(tmp_path)
    (tmp_path / "fb.csv").write_text(
        "id,published,message,impressions,reach,engagements\n"
        "1,2026-03-02 10:00:00,Spring is here,1000,800,40\n"
        "2,2026-03-05 12:30:00,New flavour,2500,1900,110\n"
        "3,2026-03-09 08:15:00,Thank you!,700,,12\n"
    )
    (tmp_path / "campaign.toml").write_text(
        CAMPAIGN.format(
            tweets=tweets,
            extra='[[sources]]\npath = "fb.csv"\nformat = "generic"\nplatform = "facebook"\n'
            '[sources.columns]\npost_id = "id"\ncreated_at = "published"\ntext = "message"\n'
            'impressions = "impressions"\nreach = "reach"\nengagements = "engagements"\n',
        )
    )
    res, paths = __import__("ripplemeter.pipeline", fromlist=["run_report"]).run_report(
        load_campaign(tmp_path / "campaign.toml"), tmp_path / "out"
    )
    doc = json.loads(paths.metrics.read_text())
    fb = doc["quantitative"]["exposure"]["by_platform"]["facebook"]
    assert (fb["posts"], fb["impressions"], fb["reach"], fb["engagements"]) == (3, 4200, 2700, 162)
    assert type(fb["reach"]) is int
    assert doc["quantitative"]["exposure"]["by_platform"]["x"]["reach"] is None
    assert doc["quantitative"]["exposure"]["reach"] == 2700
    # engagement rate by reach: only posts whose reach is known
    assert doc["quantitative"]["exposure"]["engagement_rate_reach"] == pytest.approx(150 / 2700)


def test_value_none_for_a_figure_without_value_keyerror_for_a_path_not_held(tmp_path):
    """README: ``res.value(path)`` returns None for a figure the report shows without a
    value (its reason says why) and raises KeyError for a path the evaluation does not hold."""
    from ripplemeter.campaign import load_campaign
    from ripplemeter.demo import META_AGE_FILE, generate_demo
    from ripplemeter.evaluate.section import Figure, SectionResult
    from ripplemeter.pipeline import import_and_evaluate

    generate_demo(tmp_path / "data", seed=7)
    (tmp_path / "campaign.toml").write_text(
        '[campaign]\nname = "x"\nstart = 2026-03-01\nend = 2026-03-31\n'
        f'[[sources]]\npath = "data/{META_AGE_FILE}"\nformat = "meta-ads"\n'
    )
    res = import_and_evaluate(load_campaign(tmp_path / "campaign.toml"))
    # spend data, but only an export broken down by age: no total CPC for the window
    assert res.value("quantitative.cpc.value") is None
    assert "breakdown" in res.figure("quantitative.cpc.value").reason
    with pytest.raises(KeyError, match="sections without data"):
        res.value("quantitative.cpc.no_such_figure")  # names the sections that had no data
    sr = SectionResult(figures=[Figure("a.b", "cpc", None, "no link clicks")])
    assert sr.value("a.b") is None
    with pytest.raises(KeyError):
        sr.value("a.c")


def test_demo_inbox_names_the_replies_without_a_parent(demo):
    """The trial's report said 'no owned account replied to any of them' while the audit
    counted the owned replies naming no post: the inbox section now says how many there are,
    the same count the audit gives, as a traced figure."""
    res, doc, html = demo
    n = res.value("inbox.unlinked_replies")
    assert n is not None and n > 0
    assert doc["inbox"]["answered"] == 0
    audit_notes = " ".join(
        m["reason"] or "" for a in doc["audit"]["accounts"] for m in a["mistakes"]
    )
    assert f"but {n} of the account's replies do not say which post they answer" in audit_notes
    assert "no owned reply in the data names an item it answers" in html
    assert 'data-metric="inbox_unlinked_replies"' in html
