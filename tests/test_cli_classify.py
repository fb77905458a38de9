"""``ripplemeter classify``: one text per line in, CSV label,score out, in input order."""

from __future__ import annotations

import csv
import io

import numpy as np
from typer.testing import CliRunner

from ripplemeter.cli import app
from ripplemeter.text.classify import classify
from ripplemeter.text.hostility import HostilityModel


def run(*args, input=None):
    return CliRunner().invoke(app, ["classify", *args], input=input)


def rows(out: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(out)))


LINES = [
    "Shut up and stop whining, loser.",
    "We're sorry, but we can't offer a refund on this order.",
    "",
    "你就是个傻逼，滚",
    "소중한 의견 감사합니다, 더 노력하겠습니다.",
    "美味しいです",
]


def test_hostility_csv_in_input_order(tmp_path):
    f = tmp_path / "replies.txt"
    f.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    res = run(str(f), "--task", "hostility")
    assert res.exit_code == 0, res.stderr
    out = rows(res.stdout)
    assert out[0] == ["label", "score"]
    assert len(out) == 1 + len(LINES)  # one row per line (a comma does not split a text)
    assert [r[0] for r in out[1:]] == ["hostile", "ok", "", "hostile", "ok", ""]
    assert out[3] == ["", ""] and out[6] == ["", ""]
    # the score is the library's probability of the label, to four decimals
    lib = classify(LINES, "hostility")
    for r, s in zip(out[1:], lib["score"], strict=True):
        assert r[1] == ("" if np.isnan(s) else f"{s:.4f}")
    assert "classified 4 of 6 texts" in res.stderr
    assert "classified" not in res.stdout


def test_fixed_language_and_standard_input():
    res = run("-", "--task", "hostility", "--lang", "en", input="thanks!\r\nyou moron\r\n")
    assert res.exit_code == 0, res.stderr
    out = rows(res.stdout)
    model = HostilityModel.load("en", tier="auto")  # the accurate tier where it exists
    expected = model.label_scores(["thanks!", "you moron"])
    assert [r[0] for r in out[1:]] == list(expected["label"]) == ["ok", "hostile"]
    assert [r[1] for r in out[1:]] == [f"{s:.4f}" for s in expected["score"]]


def test_a_csv_column(tmp_path):
    f = tmp_path / "c.csv"
    f.write_text('id,text\n1,"Thanks, we will fix it"\n2,"닥쳐, 이 쓰레기야"\n', encoding="utf-8")
    res = run(str(f), "--task", "hostility", "--column", "text")
    assert res.exit_code == 0, res.stderr
    assert [r[0] for r in rows(res.stdout)[1:]] == ["ok", "hostile"]


def test_task_not_registered_is_a_clear_error(tmp_path, monkeypatch):
    from ripplemeter.text import classify as mod

    monkeypatch.delitem(mod.TASKS, "bait", raising=False)
    f = tmp_path / "t.txt"
    f.write_text("like if you agree\n", encoding="utf-8")
    res = run(str(f), "--task", "bait")
    assert res.exit_code == 2
    assert "no classifier for the task 'bait'" in res.stderr
    assert "Traceback" not in res.stderr and res.stdout == ""


def test_bad_option_values_and_missing_file(tmp_path):
    res = run(str(tmp_path / "none.txt"), "--task", "hostility")
    assert res.exit_code == 2 and "no such file" in res.stderr
    res = run("-", "--task", "rudeness", input="x\n")
    assert res.exit_code == 2
    res = run("-", "--task", "hostility", "--lang", "fr", input="x\n")
    assert res.exit_code == 2


def test_tier_option_for_hostility():
    res = run("-", "--task", "hostility", "--lang", "zh", "--tier", "fast", input="谢谢\n")
    assert res.exit_code == 0, res.stderr
    assert "tiers: zh fast" in res.stderr and "note:" not in res.stderr
    fast = HostilityModel.load("en", tier="fast").label_scores(["you moron"])
    res = run("-", "--task", "hostility", "--lang", "en", "--tier", "fast", input="you moron\n")
    assert res.exit_code == 0, res.stderr
    assert rows(res.stdout)[1] == [fast["label"][0], f"{fast['score'][0]:.4f}"]
    # Chinese has no accurate model: the fast one answers and stderr says so
    res = run("-", "--task", "hostility", "--lang", "zh", "--tier", "accurate", input="谢谢\n")
    assert res.exit_code == 0, res.stderr
    assert "Chinese has no accurate hostility model" in res.stderr
    assert "note" not in res.stdout
    # rules have no tiers: a clear error, no traceback
    res = run("-", "--task", "question", "--tier", "fast", input="where is it?\n")
    assert res.exit_code == 2 and "no tiers" in res.stderr and "Traceback" not in res.stderr
    res = run("-", "--task", "hostility", "--tier", "best", input="x\n")
    assert res.exit_code == 2


def test_an_empty_file_says_it_holds_no_text(tmp_path):
    f = tmp_path / "empty.txt"
    f.write_text("", encoding="utf-8")
    for task in ("hostility", "bait"):
        res = run(str(f), "--task", task)
        assert res.exit_code == 0, res.stderr
        assert res.stdout == "label,score\n"
        assert f"note: {f} holds no text: nothing classified" in res.stderr
        assert "classified 0 of 0" not in res.stderr


def test_rule_task_scores_are_what_the_help_says():
    # By hand from the rule sets (no fit, base rate 0.02): no rule matched -> ok, 1 - 0.02;
    # "Tag a friend" matches tag_baiting (weight 0.9) -> bait, 1 - 0.98 x 0.1 = 0.902;
    # "200元" is a bare sum (weight 0.3) -> 1 - 0.98 x 0.7 = 0.314 < 0.5 -> ok, 0.686.
    text = "The weather was nice today.\nTag a friend who needs this!\n他罚款了200元。\n"
    res = run("-", "--task", "bait", input=text)
    assert res.exit_code == 0, res.stderr
    assert rows(res.stdout)[1:] == [["ok", "0.9800"], ["bait", "0.9020"], ["ok", "0.9800"]]
    res = run("-", "--task", "promotional", input=text)
    assert rows(res.stdout)[1:] == [["ok", "0.9800"], ["ok", "0.9800"], ["ok", "0.6860"]]
    res = run("-", "--task", "question", input=text)
    assert [r[1] for r in rows(res.stdout)[1:]] == ["0.9800"] * 3
    # and the help says so, per task
    import re

    h = CliRunner().invoke(app, ["classify", "--help"], terminal_width=200, env={"COLUMNS": "200"})
    words = " ".join(re.sub(r"[│╭╮╰╯─]", " ", h.output).split())
    assert "hostility: a trained model; score is its probability of the label." in words
    assert "A text that no rule matches is ok with the fixed score 0.98" in words
    assert "1 - 0.98 x (1 - w) x (1 - w')" in words
    assert "the model's probability" not in words
