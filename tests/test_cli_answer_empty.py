"""``cli.text.answer_empty``: the one answer of sentiment, classify and aspects to no text."""

from __future__ import annotations

from ripplemeter.cli.text import answer_empty


def test_texts_mean_no_answer_and_nothing_written(capsys):
    assert (
        answer_empty(["ok"], "in.txt", None, "nothing scored", header=["label", "score"]) is False
    )
    out, err = capsys.readouterr()
    assert (out, err) == ("", "")


def test_no_text_writes_the_header_alone_and_a_note(capsys):
    assert answer_empty([], "in.csv", "text", "nothing classified", header=["label", "score"])
    out, err = capsys.readouterr()
    assert out == "label,score\n"
    assert err == "note: in.csv holds no text (no row under its header): nothing classified\n"


def test_without_a_header_stdout_stays_empty(capsys):
    assert answer_empty([], "-", None, "no aspects looked for")
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "note: standard input holds no text: no aspects looked for\n"
