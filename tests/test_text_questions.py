"""Question rules per language, the hand-labelled set re-scored from the shared data, and the
three rule tasks through ``classify`` and the ``ripplemeter classify`` CLI."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ripplemeter.cli import app
from ripplemeter.text.classify import TASK_LABELS, TASKS, classify
from ripplemeter.text.questions import QuestionRules

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))
import question_gold  # noqa: E402


def q(texts, lang="auto"):
    return QuestionRules(lang=lang).predict(texts).tolist()


def test_english():
    assert (
        q(
            [
                "Where can I buy the blue one",  # wh + auxiliary, no question mark
                "@brand Does this come in XL?",
                "Any one got the original sauce or video",
                "Is there a store in Leeds",
                "What a time to be alive.",  # exclamative "what a"
                "[Rimshot!](http://instantrimshot.com/classic/?sound=rimshot&play=true)",  # ? in a URL
                "Thanks, that helped a lot",
            ]
        )
        == ["question"] * 4 + ["ok"] * 3
    )


def test_chinese():
    assert (
        q(
            [
                "你们几点开门",  # a wh-question needs no particle
                "这个还有货吗",
                "这是为什么呢",
                "有没有大神知道",
                "假的吧？昨天还看到辟谣的",
                "你怎么就[哼][哼]背道而驰呢[汗][汗]",  # 呢 before a Weibo emoticon code
                "这也太牛了吧。",  # assertive 吧
                "官本位，几千年的沉疴！",  # 几 not asking
                "没什么",  # 什么 alone is weak
            ]
        )
        == ["question"] * 6 + ["ok"] * 3
    )


def test_korean():
    assert (
        q(
            [
                "배송은 언제 되나요",
                "빅뱅이 낫나요?? 동방신기가 낫나요??",
                "이거 실화냐",
                "뭐가 문제인가",
                "내일 오시죠",
                "세상사람들이 다 알고 있엇나 봄",  # -나 봄: "it seems", not a question
                "언제봐도 눈부신 여신 ~~",  # 언제 alone is weak
                "신부분이 엄청 애교가 넘쳐보여요",
            ]
        )
        == ["question"] * 5 + ["ok"] * 3
    )


def test_explain_names_rule_and_span():
    m = QuestionRules()
    text = "배송은 언제 되나요"
    hits = m.explain(text)
    assert [(h.rule, h.span) for h in hits] == [("ko.wh", "언제"), ("ko.ending", "나요")]
    # wh (0.45) and ending (0.8) with base 0.02: 1 - 0.98 * 0.55 * 0.2
    assert m.predict_proba([text])[0, 0] == pytest.approx(1 - 0.98 * 0.55 * 0.2)


def test_gold_rescored(real_data):
    real_data("weibo_ced_repost_cascades/rumor-repost")
    real_data("korean_hate_speech/train.tsv")
    rows = question_gold.read_gold()
    assert len(rows) == 210
    assert [r["ref"] for r in question_gold.draw()] == [r["ref"] for r in rows]
    res = question_gold.measure()
    # docs/classifiers.md: 52 questions, TP 49, FP 4, FN 3
    a = res["all"]
    assert (a["questions"], a["tp"], a["fp"], a["fn"]) == (52, 49, 4, 3)
    assert (res["en"]["tp"], res["zh"]["tp"], res["ko"]["tp"]) == (12, 13, 24)


def test_rule_tasks_registered_and_classified():
    for task, label in (("bait", "bait"), ("promotional", "promotional"), ("question", "question")):
        assert task in TASKS and TASK_LABELS[task] == label
    texts = [
        "Tag a friend who needs this!",
        "20% off today, use code SPRING",
        "배송은 언제 되나요",
        "",
    ]
    assert classify(texts, task="bait")["label"].tolist() == ["bait", "ok", "ok", ""]
    assert classify(texts, task="promotional")["label"].tolist() == ["ok", "promotional", "ok", ""]
    out = classify(texts, task="question", lang="auto")
    assert out["label"].tolist() == ["ok", "ok", "question", ""]
    assert out["lang"].tolist()[2] == "ko"


def test_cli_question_csv_in_input_order(tmp_path):
    f = tmp_path / "inbox.txt"
    f.write_text(
        "Where is my order?\nlove it\n这个还有货吗\n\n좋아요 꾹 눌러주세요\n", encoding="utf-8"
    )
    res = CliRunner().invoke(app, ["classify", str(f), "--task", "question"])
    assert res.exit_code == 0, res.output
    rows = list(csv.reader(io.StringIO(res.stdout)))
    assert rows[0] == ["label", "score"]
    assert [r[0] for r in rows[1:]] == ["question", "ok", "question", "", "ok"]
    res = CliRunner().invoke(app, ["classify", str(f), "--task", "bait", "--lang", "ko"])
    assert res.exit_code == 0, res.output
    assert list(csv.reader(io.StringIO(res.stdout)))[5][0] == "bait"
