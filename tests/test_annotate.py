"""Annotations: stored once per model version, in one transaction, routed by language."""

from __future__ import annotations

import hashlib
import json

import ibis
import pytest

from ripplemeter.campaign import load_campaign
from ripplemeter.text import annotate as A
from ripplemeter.text.lang import detect_languages, identify_languages, refine_latin
from ripplemeter.workspace import Workspace

MIXED = """id,platform,channel,author,created_at,text,parent_id,url
p1,x,,lumentea,2026-03-01 09:00:00,Spring Matcha is here! Stone-ground in Uji.,,
e1,x,,amy,2026-03-02 10:00:00,"Love the new matcha, no complaints at all",p1,
e2,x,,bob,2026-03-02 11:00:00,The tin arrived dented and the delivery took two weeks. Never again.,p1,
e3,x,,spammer,2026-03-02 12:00:00,Check out my channel and subscribe!! http://bit.ly/free-matcha,p1,
z1,weibo,,wang,2026-03-03 10:00:00,抹茶味道很正,包装也漂亮,会回购,,
z2,weibo,,li,2026-03-03 11:00:00,太苦了,不推荐,客服也不回复,,
k1,naver_blog,,kim,2026-03-04 10:00:00,말차 라떼 진짜 맛있어요 또 살게요,,
k2,naver_blog,,lee,2026-03-04 11:00:00,배송이 너무 늦고 가격도 비싸요,,
j1,x,,hana,2026-03-05 10:00:00,抹茶がとても美味しいです,,
u1,x,,emo,2026-03-05 11:00:00,😡😡,,
"""


def test_script_prepass_agrees_with_lingua():
    texts = [
        "no complaints at all",
        "DOESN’T WORK",
        "ok",
        "AB-9000",
        "不推荐",
        "没有问题",
        "東京大学",
        "맛있어욬ㅋㅋ",
        "배송이너무늦어요",
        "😡😡",
        "12345 !!!",
        "美味しいです",
        "Lumen 春日抹茶正式上市!",
        "루멘 Spring Matcha 좋아요",
        "Spring Matcha 春日抹茶 is now shipping to Seoul",
        "Ça coûte trop cher",
    ]
    fast = A.script_languages(texts)
    slow = detect_languages(texts)
    decided = [(t, f) for t, f in zip(texts, fast, strict=True) if f is not None]
    assert len(decided) >= 10  # most single-script texts never reach lingua
    for (t, f), s in zip(zip(texts, fast, strict=True), slow, strict=True):
        if f is not None:  # both then re-read Latin text that looks French, German...
            assert refine_latin([t], [f]) == [s], t
    assert identify_languages(["Ça coûte trop cher"]) == ["fr"]
    assert fast[texts.index("美味しいです")] is None  # kana: lingua decides (ja)
    assert fast[texts.index("루멘 Spring Matcha 좋아요")] is None  # mixed scripts


def test_serp_subject_id_is_the_same_in_sql_and_ibis(tmp_path):
    con = ibis.duckdb.connect()
    con.raw_sql(
        "CREATE TABLE s AS SELECT * FROM (VALUES ('삼성 <속보>', 'a\nb'), ('t', NULL), "
        "(NULL, NULL)) v(title_text, snippet_text)"
    )
    t = con.table("s")
    via_ibis = t.select(x=A.serp_subject_id(t)).to_pandas()["x"].tolist()
    via_sql = [r[0] for r in con.con.execute(f"SELECT {A.serp_subject_sql()} FROM s").fetchall()]
    by_hand = [
        "serp:" + hashlib.md5(f"{a}\n{b}".encode()).hexdigest()
        for a, b in (("삼성 <속보>", "a\nb"), ("t", ""), ("", ""))
    ]
    assert via_ibis == via_sql == by_hand


@pytest.fixture
def mixed_ws(tmp_path):
    (tmp_path / "mentions.csv").write_text(MIXED, encoding="utf-8")
    (tmp_path / "campaign.toml").write_text(
        '[campaign]\nname = "Mixed"\nstart = 2026-03-01\nend = 2026-03-31\n'
        '[[sources]]\npath = "mentions.csv"\nformat = "comments"\n'
    )
    camp = load_campaign(tmp_path / "campaign.toml")
    ws = Workspace(tmp_path / "ws.duckdb")
    camp.import_sources(ws)
    yield ws, camp, tmp_path
    ws.close()


def _rows(ws):
    return ws.sql(
        "SELECT subject_id, task, label, score, model, model_version, aspect FROM annotations "
        "ORDER BY ALL"
    )


def test_language_spam_and_sentiment_stored_once(mixed_ws):
    ws, _, _ = mixed_ws
    first = A.annotate_workspace(ws)
    assert first.subjects == 10
    before = _rows(ws)
    lang = dict(
        ws.con.execute(
            "SELECT subject_id, label FROM annotations WHERE task = 'language'"
        ).fetchall()
    )
    assert lang == {
        "x:p1": "en",
        "x:e1": "en",
        "x:e2": "en",
        "x:e3": "en",
        "weibo:z1": "zh",
        "weibo:z2": "zh",
        "naver_blog:k1": "ko",
        "naver_blog:k2": "ko",
        "x:j1": "ja",
        "x:u1": "und",
    }
    spam = dict(
        ws.con.execute("SELECT subject_id, label FROM annotations WHERE task = 'spam'").fetchall()
    )
    assert spam["x:e3"] == "spam" and spam["x:e1"] == "ham" and len(spam) == 10
    models = ws.sql("SELECT DISTINCT task, model FROM annotations")
    by_task = models.groupby("task")["model"].apply(set).to_dict()
    assert by_task["spam"] == {"spam_en"} and by_task["language"] == {A.LANGUAGE_MODEL}
    # every row names its model and version; one annotated_at per run
    assert before["model"].notna().all() and before["model_version"].notna().all()
    (runs,) = ws.con.execute("SELECT count(DISTINCT annotated_at) FROM annotations").fetchone()
    assert runs == 1
    # again: nothing added, same rows
    second = A.annotate_workspace(ws)
    assert second.rows == 0 and sum(second.annotated.values()) == 0
    after = _rows(ws)
    assert after.equals(before)
    dup = ws.sql(
        "SELECT subject_id, task, model, model_version, aspect, count(*) n FROM annotations "
        "GROUP BY ALL HAVING count(*) > 1"
    )
    assert dup.empty


def test_sentiment_routed_by_language(mixed_ws):
    pytest.importorskip("ripplemeter.text.sentiment")
    from ripplemeter.text.sentiment import SentimentModel

    ws, _, _ = mixed_ws
    A.annotate_workspace(ws, tasks=("language", "sentiment"))
    got = ws.sql(
        "SELECT subject_id, label, score, model FROM annotations WHERE task = 'sentiment'"
    ).set_index("subject_id")
    assert "x:j1" not in got.index  # no Japanese model
    text = dict(ws.con.execute("SELECT post_id, text FROM posts").fetchall())
    for sid, lang in (("x:e2", "en"), ("weibo:z2", "zh"), ("naver_blog:k2", "ko"), ("x:u1", "en")):
        exp = SentimentModel.load(lang).label_scores([text[sid]]).iloc[0]
        assert got.loc[sid, "label"] == exp["label"]
        assert got.loc[sid, "score"] == pytest.approx(exp["score"], abs=1e-6)
        assert got.loc[sid, "model"] != "hand"


def test_a_failing_model_writes_nothing(mixed_ws, monkeypatch):
    ws, _, _ = mixed_ws

    def broken():
        raise RuntimeError("model file damaged")

    monkeypatch.setattr(A, "_spam_model", broken)
    with pytest.raises(RuntimeError):
        A.annotate_workspace(ws)
    assert ws.con.execute("SELECT count(*) FROM annotations").fetchone()[0] == 0


def test_only_the_imports_asked_for(mixed_ws, tmp_path):
    ws, _, _ = mixed_ws
    other = tmp_path / "other.csv"
    other.write_text(
        "id,platform,author,created_at,text\nq1,reddit,zed,2026-03-01 10:00:00,great tea\n"
    )
    res = ws.import_file(other, "comments")
    out = A.annotate_workspace(ws, import_ids=[res.import_id], tasks=("language",))
    assert out.subjects == 1
    assert ws.con.execute("SELECT subject_id FROM annotations").fetchall() == [("reddit:q1",)]


def test_unknown_task_is_refused(mixed_ws):
    ws, _, _ = mixed_ws
    with pytest.raises(A.RippleError, match="unknown annotation task"):
        A.annotate_workspace(ws, tasks=("emotion",))


def test_cli_annotate_is_idempotent(mixed_ws):
    from typer.testing import CliRunner

    from ripplemeter.cli import app

    ws, _, tmp_path = mixed_ws
    path = str(ws.path)
    ws.close()
    runner = CliRunner()
    r1 = runner.invoke(app, ["annotate", "--workspace", path, "--tier", "fast"])
    assert r1.exit_code == 0, r1.output
    assert "10 texts in the workspace" in r1.stdout
    with Workspace(path) as w:
        n1 = w.con.execute("SELECT count(*) FROM annotations").fetchone()[0]
    r2 = runner.invoke(app, ["annotate", "--workspace", path])
    assert r2.exit_code == 0 and "0 rows added" in r2.stdout
    with Workspace(path) as w:
        assert w.con.execute("SELECT count(*) FROM annotations").fetchone()[0] == n1
    bad = runner.invoke(app, ["annotate", "--workspace", str(tmp_path / "none.duckdb")])
    assert bad.exit_code == 2 and "no workspace there" in bad.stderr
    assert "Traceback" not in bad.output


def test_report_of_three_languages_shows_the_opinion_section(mixed_ws):
    from ripplemeter.pipeline import run_report

    ws, camp, tmp_path = mixed_ws
    res, paths = run_report(camp, tmp_path / "out", ws)
    assert res["opinion"].status == "ok", res["opinion"].reason
    doc = json.loads(paths.metrics.read_text(encoding="utf-8"))
    figs = [f for f in doc["figures"] if f["path"].startswith("qualitative.")]
    assert figs and all(f["metric"] in doc["definitions"] for f in figs)
    o = doc["qualitative"]["opinion"]["overall"]
    # 9 mentions (the brand's own p1 is one too: no accounts import says it is owned)
    assert o["mentions"] == 10 and o["spam"] >= 1
    assert o["unscored"] == 1  # the Japanese comment
    html = paths.html.read_text(encoding="utf-8")
    assert 'data-metric="net_sentiment"' in html and 'data-metric="opinion_negative_share"' in html
