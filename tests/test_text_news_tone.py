"""The Korean news-tone model: its cues by hand, its weights, and its place in ``annotate``.

The cue vectors below are written by hand from each headline (which words are there); the
probabilities are recomputed from the weights file with numpy, apart from the model code.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np
import pytest

from ripplemeter.campaign import load_campaign
from ripplemeter.evaluate import evaluate_campaign
from ripplemeter.text import annotate as A
from ripplemeter.text.news_tone import (
    FEATURES,
    MODEL_NAME,
    NewsToneModel,
    NewsToneUnavailable,
    brand_terms,
    model_path,
    news_features,
)
from ripplemeter.workspace import Workspace

LABELS = Path(__file__).parent / "data" / "naver_news_gold"
DUMP = "serp_samples/baidu_naver/JeonginWon_pierce-project-backloop/삼성전자_naver_news.json"


def _cues(**on: float) -> np.ndarray:
    unknown = set(on) - set(FEATURES)
    assert not unknown, unknown
    return np.array([float(on.get(f, 0.0)) for f in FEATURES])


SLUMP_T = "코스피 2%대 급락…3900선 무너져"
SLUMP_S = "삼성전자(-2.5%), 기아(-3.1%), 네이버(-1.9%) 모두 약세다."
TRIP_T = "이재용 회장 중동 출장…반도체 협력 방안 논의"
TRIP_S = "삼성전자 이재용 회장이 현지 경제인 간담회에 참석하려고 출국했다."


def test_brand_terms_come_from_the_query():
    assert brand_terms("삼성전자") == ("삼성전자",)
    assert brand_terms("삼성 갤럭시") == ("삼성 갤럭시", "갤럭시", "삼성")
    assert brand_terms("  ") == () and brand_terms(None) == ()


def test_cues_of_a_market_slump_naming_the_brand():
    x = news_features([SLUMP_T], [SLUMP_S], "삼성전자")[0]
    # 급락/무너져 in a headline naming the market (코스피, 3900선); Samsung followed by (-2.5%)
    # before the comma; three negative percentages in the text
    want = _cues(brand_fall=1, title_market_fall=1, title_fall=1, pct_down=1)
    np.testing.assert_array_equal(x, want)


def test_cues_of_a_chairman_trip():
    x = news_features([TRIP_T], [TRIP_S], "삼성전자")[0]
    # 협력 (positive); 회장, 출장, 출국 (event); "삼성전자 이재용 회장이 ..." has no fall or rise
    np.testing.assert_array_equal(x, _cues(positive=1, event=1))


def test_a_list_separator_ends_the_brand_window():
    # Samsung up 0.10%, SK hynix down: no fall of Samsung (the comma ends its window)
    x = news_features(["코스피 약세 출발"], ["삼성전자 0.20%, SK하이닉스 -1.85%"], "삼성전자")[0]
    assert x[FEATURES.index("brand_fall")] == 0
    assert x[FEATURES.index("pct_down")] == pytest.approx(1 / 3)
    # a thousands comma does not end it: 98,700원 ... 0.8% 하락 is Samsung's fall
    x = news_features(
        ["시장 혼조세"], ["삼성전자는 98,700원에 거래돼 전날보다 0.8% 하락"], "삼성전자"
    )[0]
    assert x[FEATURES.index("brand_fall")] == 1
    # a distance is no fall ("100m 떨어진 식당가")
    x = news_features(["평택"], ["삼성전자 공장에서 100m 떨어진 식당가"], "삼성전자")[0]
    assert x[FEATURES.index("brand_fall")] == 0


def test_overtaken_rise_and_no_query():
    x = news_features(["HBM"], ["SK하이닉스가 삼성전자를 제치고 D램 1위에 올랐다"], "삼성전자")[0]
    assert x[FEATURES.index("brand_overtaken")] == 1
    x = news_features(["반등"], ["삼성전자는 3.50% 오른 10만600원"], "삼성전자")[0]
    assert x[FEATURES.index("brand_rise")] == 1 and x[FEATURES.index("brand_fall")] == 0
    # without a query no brand cue fires, the rest do
    x = news_features([SLUMP_T], [SLUMP_S])[0]
    brand = [FEATURES.index(f) for f in FEATURES if f.startswith(("brand", "title_brand"))]
    assert not x[brand].any() and x[FEATURES.index("title_market_fall")] == 1


def test_the_brand_as_subject_overtakes_it_is_not_overtaken():
    """가/이 mark the brand as the one overtaking; 을/를 (or a headline's bare noun) as the one
    overtaken; 추월당하다 is the passive."""
    j = FEATURES.index("brand_overtaken")

    def overtaken(snippet: str) -> float:
        return news_features(["D램"], [snippet], "삼성전자")[0][j]

    assert overtaken("삼성전자가 추월했다, 점유율 1위 탈환") == 0
    assert overtaken("삼성전자가 제치고 1위") == 0
    assert overtaken("SK하이닉스가 삼성전자를 추월했다") == 1
    assert overtaken("SK하이닉스, 삼성전자 제치고 1위") == 1
    assert overtaken("삼성전자가 추월당했다") == 1


def test_a_place_named_ttukseom_is_no_fall():
    """뚝 ("sharply", as in '뚝' 떨어진 주가) is a fall word; 뚝섬, a Seoul district and station
    beside Seoul Forest, is not."""
    j = FEATURES.index("brand_fall")
    x = news_features(["서울숲 카페"], ["서울숲과 뚝섬역 사이의 카페"], "서울숲")[0]
    assert x[j] == 0 and x[FEATURES.index("title_fall")] == 0
    x = news_features(["코스피 '뚝'"], ["삼성전자 '뚝'…4000선 붕괴"], "삼성전자")[0]
    assert x[j] == 1


def test_a_range_is_no_negative_percentage():
    """A dash right after a number is a range ("3-5%"), not a minus: no pct_down, no fall."""
    j, f = FEATURES.index("pct_down"), FEATURES.index("brand_fall")
    for snippet in (
        "삼성전자 성과급 3-5% 인상 검토",
        "삼성전자 임금 3 - 5% 인상",
        "삼성전자 3%–5% 성장",
    ):
        x = news_features(["임금 협상"], [snippet], "삼성전자")[0]
        assert (x[j], x[f]) == (0, 0), snippet
    # minus signs still count: after a bracket, a space, a word, or as ▼
    x = news_features(["약세"], ["삼성전자(-2.88%) SK하이닉스 -1.5% 현대차▼0.4%"], "삼성전자")[0]
    assert (x[j], x[f]) == (1, 1)


def test_largest_fall_is_no_positive_cue():
    """최대 ("largest") is a cue of good news in 사상 최대 실적, not in 최대 낙폭 ("largest fall")."""
    j = FEATURES.index("positive")

    def positive(title: str) -> float:
        return news_features([title], [""], "삼성전자")[0][j]

    assert positive("코스피 올해 최대 낙폭") == 0
    assert positive("외국인 역대 최대 규모 순매도") == 0
    assert positive("반도체주 최대폭 하락") == 0
    assert positive("삼성전자 분기 사상 최대 실적") == 1


def test_lengths_must_agree():
    with pytest.raises(ValueError, match="2 titles but 1 snippets"):
        news_features(["a", "b"], ["c"])
    with pytest.raises(ValueError, match="1 titles but 2 queries"):
        news_features(["a"], ["c"], ["q", "r"])


def test_probability_is_the_logistic_of_the_shipped_weights():
    with np.load(model_path(), allow_pickle=False) as z:
        assert tuple(str(f) for f in z["features"]) == FEATURES
        coef, b, thr = z["coef"], float(z["intercept"]), float(z["threshold"])
    m = NewsToneModel.load()
    for title, snippet, cues in (
        (SLUMP_T, SLUMP_S, _cues(brand_fall=1, title_market_fall=1, title_fall=1, pct_down=1)),
        (TRIP_T, TRIP_S, _cues(positive=1, event=1)),
    ):
        p = 1 / (1 + np.exp(-(cues @ coef + b)))
        assert m.proba([title], [snippet], "삼성전자")[0] == pytest.approx(p, abs=1e-12)
    lab = m.label_scores([SLUMP_T, TRIP_T], [SLUMP_S, TRIP_S], "삼성전자")
    assert lab["label"].tolist() == ["negative", "neutral"]
    assert ((lab["score"] >= 0.5) | (lab["label"] == "negative")).all()
    assert 0 < thr < 1


def test_explain_names_the_cues_that_fired():
    m = NewsToneModel.load()
    e = m.explain(SLUMP_T, SLUMP_S, "삼성전자")
    assert e["label"] == "negative"
    assert {c[0] for c in e["cues"]} == {
        "brand_fall",
        "title_market_fall",
        "title_fall",
        "pct_down",
    }
    contrib = [abs(v * w) for _, v, w in e["cues"]]
    assert contrib == sorted(contrib, reverse=True)


def test_unreadable_or_foreign_weights_are_refused(tmp_path):
    with pytest.raises(NewsToneUnavailable, match="cannot be read"):
        NewsToneModel.load(tmp_path / "missing.npz")
    bad = tmp_path / "bad.npz"
    np.savez(
        bad,
        features=np.array(["a", "b"]),
        coef=np.zeros(2),
        intercept=np.float64(0),
        threshold=np.float64(0.5),
        version=np.array("x"),
    )
    with pytest.raises(NewsToneUnavailable, match="other cues"):
        NewsToneModel.load(bad)


# ----------------------------------------------------------------------------- annotate
def _csv(rows: list[list[str]]) -> str:
    import io

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


SERP = _csv(
    [
        ["query", "engine", "rank", "title", "snippet"],
        ["삼성전자", "naver", "1", SLUMP_T, SLUMP_S],
        ["삼성전자", "naver", "2", TRIP_T, TRIP_S],
        [
            "lumen tea",
            "google",
            "1",
            "Lumen Tea recalls tins after complaints",
            "Customers angry about dents",
        ],
    ]
)
POSTS = (
    "id,platform,channel,author,created_at,text,parent_id,url\n"
    "k2,naver_blog,,lee,2026-03-04 11:00:00,배송이 너무 늦고 가격도 비싸요,,\n"
)


@pytest.fixture
def serp_ws(tmp_path):
    (tmp_path / "serp.csv").write_text(SERP, encoding="utf-8")
    (tmp_path / "posts.csv").write_text(POSTS, encoding="utf-8")
    (tmp_path / "campaign.toml").write_text(
        '[campaign]\nname = "News"\nstart = 2026-03-01\nend = 2026-03-31\n'
        '[[sources]]\npath = "serp.csv"\nformat = "serp"\n'
        '[[sources]]\npath = "posts.csv"\nformat = "comments"\n',
        encoding="utf-8",
    )
    camp = load_campaign(tmp_path / "campaign.toml")
    ws = Workspace(tmp_path / "ws.duckdb")
    camp.import_sources(ws)
    # a CSV names no vertical (read as 'web'): the Korean rows are news results, as a Naver
    # News dump is recognised to be
    ws.con.execute("UPDATE serp_results SET vertical = 'news' WHERE engine = 'naver'")
    yield ws, camp
    ws.close()


def test_korean_search_results_get_the_news_tone_model(serp_ws):
    pytest.importorskip("ripplemeter.text.sentiment")
    ws, _ = serp_ws
    A.annotate_workspace(ws, tasks=("language", "sentiment"))
    got = ws.sql(
        f"SELECT s.rank, s.engine, a.label, a.score, a.model, a.model_version "
        f"FROM serp_results s JOIN annotations a ON a.subject_id = {A.serp_subject_sql('s')} "
        f"AND a.task = 'sentiment' ORDER BY s.engine, s.rank"
    )
    naver = got[got["engine"] == "naver"]
    assert naver["model"].tolist() == [MODEL_NAME, MODEL_NAME]
    assert naver["label"].tolist() == ["negative", "neutral"]
    want = NewsToneModel.load().label_scores([SLUMP_T, TRIP_T], [SLUMP_S, TRIP_S], "삼성전자")
    np.testing.assert_allclose(naver["score"], want["score"], atol=1e-9)
    version = naver["model_version"].iloc[0]
    assert version.startswith(NewsToneModel.load().version + "+")
    # the English result and the Korean post keep the sentiment models of their language
    assert got.loc[got["engine"] == "google", "model"].iloc[0] != MODEL_NAME
    (post_model,) = ws.con.execute(
        "SELECT model FROM annotations WHERE task = 'sentiment' AND subject_id = 'naver_blog:k2'"
    ).fetchone()
    assert post_model != MODEL_NAME and "ko" in post_model
    # one sentiment row per subject, and nothing added the second time
    dup = ws.sql(
        "SELECT subject_id FROM annotations WHERE task = 'sentiment' GROUP BY 1 HAVING count(*) > 1"
    )
    assert dup.empty
    again = A.annotate_workspace(ws, tasks=("language", "sentiment"))
    assert again.rows == 0


def test_annotation_version_changes_when_a_cue_changes(serp_ws, monkeypatch):
    """The cues are code, not weights: a changed cue must annotate again, so the annotation
    version carries a digest of the cue patterns beside the weights' hash."""
    import re

    from ripplemeter.text import news_tone

    ws, _ = serp_ws
    before = A._news_tone_model(ws).version
    assert before.endswith("+" + news_tone.cue_digest())
    monkeypatch.setattr(news_tone, "_RE_FALL", re.compile(news_tone._RE_FALL.pattern + "|x"))
    after = A._news_tone_model(ws).version
    assert after != before and after.rsplit("+", 1)[0] == before.rsplit("+", 1)[0]


def test_news_tone_replaces_an_earlier_movie_review_reading(serp_ws):
    """A workspace annotated before the news-tone model: its Korean results are read again."""
    pytest.importorskip("ripplemeter.text.sentiment")
    ws, _ = serp_ws
    sid = ws.con.execute(
        f"SELECT {A.serp_subject_sql()} FROM serp_results WHERE rank = 1 AND engine = 'naver'"
    ).fetchone()[0]
    ws.con.execute(
        "INSERT INTO annotations (subject_id, task, label, score, model, model_version, aspect, "
        "annotated_at) VALUES (?, 'sentiment', 'neutral', 0.9, 'sentiment-ko-fast', 'old', NULL, "
        "TIMESTAMP '2026-01-01 00:00:00')",
        [sid],
    )
    res = A.annotate_workspace(ws, tasks=("language", "sentiment"))
    assert res.annotated["sentiment"] == 4  # two Korean results, the English one, the post
    latest = ws.con.execute(
        "SELECT label, model FROM annotations WHERE subject_id = ? AND task = 'sentiment' "
        "ORDER BY annotated_at DESC LIMIT 1",
        [sid],
    ).fetchone()
    assert latest == ("negative", MODEL_NAME)


def test_korean_blog_results_keep_the_korean_sentiment_model(serp_ws):
    """The news-tone model reads news; a result of a blog search is a person's post (a cafe
    visit, a flat to let) and keeps the Korean sentiment model, as posts do."""
    pytest.importorskip("ripplemeter.text.sentiment")
    ws, _ = serp_ws
    ws.con.execute("UPDATE serp_results SET vertical = 'blog' WHERE engine = 'naver' AND rank = 2")
    A.annotate_workspace(ws, tasks=("language", "sentiment"))
    got = dict(
        ws.con.execute(
            f"SELECT s.rank, a.model FROM serp_results s JOIN annotations a "
            f"ON a.subject_id = {A.serp_subject_sql('s')} AND a.task = 'sentiment' "
            f"WHERE s.engine = 'naver'"
        ).fetchall()
    )
    assert got[1] == MODEL_NAME
    assert got[2] != MODEL_NAME and got[2].startswith("sentiment-ko")
    assert A.annotate_workspace(ws, tasks=("language", "sentiment")).rows == 0


def test_korean_web_results_keep_the_korean_sentiment_model(serp_ws):
    """The news-tone model was written and measured on news: a web-search result (a page, a
    shop, a forum) keeps the Korean sentiment model; an engine named for news counts as news."""
    pytest.importorskip("ripplemeter.text.sentiment")
    ws, _ = serp_ws
    ws.con.execute("UPDATE serp_results SET vertical = 'web' WHERE engine = 'naver' AND rank = 2")
    ws.con.execute(
        "UPDATE serp_results SET vertical = 'web', engine = 'google_news' "
        "WHERE engine = 'naver' AND rank = 1"
    )
    A.annotate_workspace(ws, tasks=("language", "sentiment"))
    got = dict(
        ws.con.execute(
            f"SELECT s.rank, a.model FROM serp_results s JOIN annotations a "
            f"ON a.subject_id = {A.serp_subject_sql('s')} AND a.task = 'sentiment' "
            f"WHERE s.query = '삼성전자'"
        ).fetchall()
    )
    assert got[1] == MODEL_NAME
    assert got[2] != MODEL_NAME and got[2].startswith("sentiment-ko")


def test_missing_news_tone_weights_are_a_note_not_an_abort(serp_ws, tmp_path, monkeypatch):
    """Without the news-tone weights the run goes on: the news results are read by the Korean
    sentiment model (their annotations name it) and a note says why; the weights back, the
    news-tone model reads them again."""
    pytest.importorskip("ripplemeter.text.sentiment")
    from ripplemeter.text import news_tone

    ws, _ = serp_ws
    monkeypatch.setattr(news_tone, "_CACHE", {})
    monkeypatch.setattr(news_tone, "model_path", lambda: tmp_path / "gone" / "news-tone-ko.npz")
    res = A.annotate_workspace(ws, tasks=("language", "sentiment"))
    note = [n for n in res.notes if "news-tone" in n]
    assert len(note) == 1 and note[0].startswith("2 Korean news result(s) were read by the Korean")
    assert "cannot be read" in note[0]
    models = ws.con.execute(
        f"SELECT DISTINCT a.model FROM serp_results s JOIN annotations a "
        f"ON a.subject_id = {A.serp_subject_sql('s')} AND a.task = 'sentiment' "
        f"WHERE s.engine = 'naver'"
    ).fetchall()
    assert len(models) == 1 and models[0][0].startswith("sentiment-ko")
    monkeypatch.undo()
    again = A.annotate_workspace(ws, tasks=("language", "sentiment"))
    assert again.added == {"sentiment": 2} and not [n for n in again.notes if "news-tone" in n]


def test_opinion_section_names_the_model_that_scored_search_results(serp_ws):
    pytest.importorskip("ripplemeter.text.sentiment")
    ws, camp = serp_ws
    A.annotate_workspace(ws)
    res = evaluate_campaign(camp, ws)
    s = res.value("qualitative.serp")
    (english,) = ws.con.execute(
        f"SELECT a.label FROM serp_results s JOIN annotations a "
        f"ON a.subject_id = {A.serp_subject_sql('s')} AND a.task = 'sentiment' "
        f"WHERE s.engine = 'google'"
    ).fetchone()
    # the Korean slump is negative, the chairman's trip is not; the English result as read
    assert (s["results"], s["negative"]) == (3, 1 + (english == "negative"))
    models = {d["model"]: d["results"] for d in s["scored_by"]}
    assert models[MODEL_NAME] == 2 and sum(models.values()) == 3
    notes = " ".join(res["opinion"].notes)
    assert MODEL_NAME in notes and "Search results' sentiment" in notes


def test_report_says_in_the_search_part_which_model_read_the_results(serp_ws, tmp_path):
    """The page's search-results part names, in plain words, who read each result (a note
    under Sources is not where a marketing lead looks)."""
    pytest.importorskip("ripplemeter.text.sentiment")
    from ripplemeter.report import write_report

    ws, camp = serp_ws
    A.annotate_workspace(ws)
    res = evaluate_campaign(camp, ws)
    by = {d["model"]: d for d in res.value("qualitative.serp")["scored_by"]}
    assert by[MODEL_NAME]["reader"].startswith("the Korean news-tone model")
    (english,) = [d for m, d in by.items() if m != MODEL_NAME]
    assert english["reader"].startswith("the English sentiment model")
    html = write_report(res, tmp_path / "out").html.read_text(encoding="utf-8")
    start = html.index("Search engines' first pages")
    part = html[start : html.index("</section>", start)]
    assert "How the results were read: 2 by the Korean news-tone model" in part
    assert "bad news for the brand searched" in part
    assert "1 by the English sentiment model" in part


# ----------------------------------------------------------------------------- dev labels
def test_dev_labels_cover_ranks_216_to_1000_and_match_the_dump(real_data):
    import json

    from ripplemeter.formats.serp import display_text

    dump = {r["cnt"]: r for r in json.loads(real_data(DUMP).read_text(encoding="utf-8"))}
    with open(LABELS / "samsung_naver_news_dev.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["rank"]) for r in rows] == list(range(216, 1001))
    assert {r["label"] for r in rows} == {"negative", "not_negative"}
    assert {r["scope"] for r in rows} == {"brand", "market", "incidental"}
    for r in rows:
        assert dump[int(r["rank"])]["link"] == r["link"]
        # no article text copied: a note never repeats the headline
        title = display_text(dump[int(r["rank"])]["title"]) or ""
        assert not title or title not in r["note"]
    assert sum(r["label"] == "negative" for r in rows) == 134


# ----------------------------------------------------------------------------- stories
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))
import train_news_tone as T  # noqa: E402  (story grouping and folds, shared with training)


def _result(title: str, snippet: str = "") -> dict:
    return {"title": title, "snippet": snippet}


def test_near_duplicate_headlines_are_one_story():
    a = _result("이재용 회장 중동 출장…반도체 협력 방안 논의")
    b = _result("이재용 회장 중동 출장길 올라…반도체 협력 방안 논의")
    c = _result("코스피 2%대 급락…3900선 무너져")
    # same snippet, different headline: syndicated copy under a new title
    d = _result("증권사, 연금 계좌 이벤트", "추첨으로 3000명에게 커피 쿠폰을 경품으로 증정합니다")
    e = _result("연금 챙기고 커피도", "추첨으로 3000명에게 커피 쿠폰을 경품으로 증정합니다")
    rows = [a, b, c, d, e]
    T._prep(rows)
    assert T.near_duplicates(a, b) and not T.near_duplicates(a, c) and T.near_duplicates(d, e)
    g = T.story_groups(rows)
    assert g[0] == g[1] and g[3] == g[4] and len(set(g.tolist())) == 3


def test_folds_never_split_a_story():
    groups = np.array([0, 0, 0, 1, 2, 2, 3, 4, 4, 4, 4, 5, 6, 7, 8, 9])
    folds = T.group_folds(groups, k=3, seed=1)
    for g in np.unique(groups):
        assert len(set(folds[groups == g].tolist())) == 1
    assert set(folds.tolist()) == {0, 1, 2}
    assert T.same_partition(np.array([0, 0, 1]), np.array([5, 5, 2]))
    assert not T.same_partition(np.array([0, 0, 1]), np.array([5, 6, 2]))


def test_dev_story_column_is_the_near_duplicate_grouping(real_data):
    real_data(DUMP)
    dump = T.load_dump()
    dev = T.load_labels(LABELS / "samsung_naver_news_dev.csv", dump)
    groups = T.story_groups(dev)
    _, marked = np.unique([r["story"] for r in dev], return_inverse=True)
    assert T.same_partition(groups, marked)
    # a story is named by its first rank, and all its copies carry one label
    for r in dev:
        assert r["story"] <= r["rank"]
    for g in np.unique(groups):
        assert len({dev[i]["y"] for i in np.flatnonzero(groups == g)}) == 1
    assert len(np.unique(groups)) == 582
