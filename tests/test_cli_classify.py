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
