"""``ripplemeter sentiment``: one text per line or a CSV column in, CSV label,score out."""

from __future__ import annotations

import csv
import io

import pytest
from typer.testing import CliRunner

from ripplemeter.cli import app
from ripplemeter.text.sentiment import SentimentModel


def run(*args, input=None):
    return CliRunner().invoke(app, ["sentiment", *args], input=input)


def rows(out: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(out)))


def test_one_text_per_line_commas_and_all(tmp_path):
    f = tmp_path / "comments.txt"
    lines = [
        "I love it, really, best phone ever",
        "太差了，不推荐",
        "",
        "최악의 영화, 돈 아까움",
        "美味しいです",
    ]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = run(str(f))
    assert res.exit_code == 0, res.stderr
    out = rows(res.stdout)
    assert out[0] == ["label", "score"]
    assert len(out) == 1 + len(lines)  # one row per input line, in order; no extra row
    assert [r[0] for r in out[1:]] == ["positive", "negative", "", "negative", ""]
    assert out[3] == ["", ""] and out[5] == ["", ""]
    # the score is the probability of the label, as the library computes it
    en = SentimentModel.load("en").label_scores([lines[0]])
    assert float(out[1][1]) == pytest.approx(en["score"].iloc[0], abs=5e-5)
    assert "scored 3 of 5 texts" in res.stderr
    assert "Japanese" in res.stderr
    assert "scored" not in res.stdout


def test_csv_column_and_binary(tmp_path):
    f = tmp_path / "mentions.csv"
    f.write_text(
        'id,text\n1,"Works great, no complaints at all"\n2,"meh, it is ok I guess"\n'
        '3,"Broken on arrival.\nSecond line of the same comment"\n',
        encoding="utf-8",
    )
    res = run(str(f), "--column", "text", "--binary", "--lang", "en")
    assert res.exit_code == 0, res.stderr
    out = rows(res.stdout)
    assert len(out) == 4
    assert out[1][0] == "positive" and out[3][0] == "negative"
    assert {r[0] for r in out[1:]} <= {"positive", "negative"}
    assert all(float(r[1]) >= 0.5 for r in out[1:])


def test_standard_input(tmp_path):
    res = run("-", "--lang", "zh", input="不推荐\n很好用，推荐\n")
    assert res.exit_code == 0, res.stderr
    assert [r[0] for r in rows(res.stdout)[1:]] == ["negative", "positive"]


def test_missing_column_names_the_file_and_the_columns(tmp_path):
    f = tmp_path / "m.csv"
    f.write_text("id,body\n1,hello\n", encoding="utf-8")
    res = run(str(f), "--column", "text")
    assert res.exit_code == 2
    assert "m.csv, line 1: no column 'text'; the columns are: id, body" in res.stderr
    assert "Traceback" not in res.stderr and res.stdout == ""


def test_not_utf8_names_the_line(tmp_path):
    f = tmp_path / "latin1.txt"
    f.write_bytes("good\nfine\ncaf\xe9 terrible\n".encode("latin-1"))
    res = run(str(f))
    assert res.exit_code == 2
    assert "latin1.txt, line 3: not UTF-8" in res.stderr
    assert res.stdout == ""


def test_missing_file_and_unknown_tier_fail_cleanly(tmp_path):
    res = run(str(tmp_path / "nope.txt"))
    assert res.exit_code == 2 and "no such file" in res.stderr
    f = tmp_path / "a.txt"
    f.write_text("great\n", encoding="utf-8")
    res = run(str(f), "--tier", "best")
    assert res.exit_code == 2
    assert "'best'" in res.stderr and "fast" in res.stderr  # Typer names the choices
    assert res.stdout == ""  # nothing half-written


def test_sentiment_and_aspects_read_the_same_lines(tmp_path):
    """Line N of the file is text N for both commands: a Unicode line separator inside a
    comment does not split it, CRLF ends a line, and no empty text follows the last newline."""
    import json

    f = tmp_path / "comments.txt"
    f.write_bytes("great screen\u2028but the battery dies\r\nlove it\n".encode())
    res = run(str(f))
    assert res.exit_code == 0, res.stderr
    assert len(rows(res.stdout)) == 1 + 2
    asp = CliRunner().invoke(app, ["aspects", str(f), "--lang", "en", "--json"])
    assert asp.exit_code == 0, asp.stderr
    assert [json.loads(x) for x in asp.stdout.splitlines()][0]["aspects"]
    assert len(asp.stdout.splitlines()) == 2


def test_accurate_tier_from_the_command_line(tmp_path):
    """`--tier accurate` answers label,score in input order, as the fast tier does."""
    pytest.importorskip("onnxruntime", reason="the English accurate tier needs onnxruntime")
    pytest.importorskip("tokenizers", reason="the English accurate tier needs tokenizers")
    f = tmp_path / "a.txt"
    f.write_text("I love it, works perfectly\nworst purchase ever, broken after a day\n")
    res = run(str(f), "--tier", "accurate", "--lang", "en", "--binary")
    assert res.exit_code == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == "label,score"
    labels = [ln.split(",")[0] for ln in lines[1:]]
    assert labels == ["positive", "negative"]
    assert all(0.5 <= float(ln.split(",")[1]) <= 1.0 for ln in lines[1:])


def test_an_empty_file_says_it_holds_no_text(tmp_path):
    # the trial's "scored 0 of 0 texts () in 0.0 s": now a plain note; stdout as before
    f = tmp_path / "empty.txt"
    f.write_text("", encoding="utf-8")
    res = run(str(f))
    assert res.exit_code == 0, res.stderr
    assert res.stdout == "label,score\n"
    assert f"note: {f} holds no text: nothing scored" in res.stderr
    assert "scored 0" not in res.stderr and "()" not in res.stderr
    c = tmp_path / "header.csv"
    c.write_text("id,text\n", encoding="utf-8")
    res = run(str(c), "--column", "text")
    assert res.exit_code == 0 and res.stdout == "label,score\n"
    assert "holds no text (no row under its header): nothing scored" in res.stderr
    res = run("-", input="")
    assert res.exit_code == 0 and res.stdout == "label,score\n"
    assert "standard input holds no text" in res.stderr


def test_only_empty_lines_and_one_text_in_the_singular(tmp_path):
    f = tmp_path / "blank.txt"
    f.write_text("\n\n", encoding="utf-8")
    res = run(str(f))
    assert res.exit_code == 0, res.stderr
    assert res.stdout == "label,score\n,\n,\n"
    assert "scored 0 of 2 texts in" in res.stderr and "()" not in res.stderr
    assert "note: 2 texts left blank (2 empty lines)" in res.stderr
    res = run("-", "--lang", "en", input="\n")
    assert "scored 0 of 1 text in" in res.stderr
    assert "note: 1 text left blank (1 empty line)" in res.stderr
