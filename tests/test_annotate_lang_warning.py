"""A language forced with --lang on texts that read as another language: a plain warning on
stderr with the count (trial 2026-12-02, item 4: `sentiment --lang zh` on English text gave
confident labels without a word). Counts below are by hand from the texts' scripts."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ripplemeter.text.lang import identify_languages, other_language_counts

ENGLISH = [
    "Delivery was fast, arrived in two days.",
    "Way too expensive for 30 grams, not buying again.",
    "Customer service fixed my refund within an hour, impressed.",
]


def test_other_language_counts_by_hand():
    texts = [*ENGLISH, "很好喝", "배송이 빨라요", "ok", "😡😡", ""]
    # Latin-only texts are English, Han-only Chinese, Hangul Korean; "ok" (two letters),
    # emoji and the empty text are undetermined and never count
    assert identify_languages(texts) == ["en", "en", "en", "zh", "ko", "und", "und", "und"]
    assert other_language_counts(texts, "zh") == {"en": 3, "ko": 1}
    assert other_language_counts(texts, "en") == {"ko": 1, "zh": 1}
    assert other_language_counts(["很好喝", "ok"], "zh") == {}


def run(*args: str, stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ripplemeter.cli", *args],
        capture_output=True,
        input=stdin.encode(),
        timeout=120,
    )


@pytest.mark.parametrize("command", [["sentiment"], ["aspects"]])
def test_forced_language_warns_with_the_count(command):
    stdin = "\n".join([*ENGLISH, "很好喝"]) + "\n"
    r = run(*command, "-", "--lang", "zh", stdin=stdin)
    if r.returncode != 0 and b"model" in r.stderr:
        pytest.skip(r.stderr.decode())
    assert r.returncode == 0, r.stderr.decode()
    err = " ".join(r.stderr.decode().split())
    assert "warning: --lang zh, but 3 of 4 texts read as another language (English 3)" in err
    assert "use --lang auto" in err
    assert b"warning" not in r.stdout  # the answers stay clean
    r = run(*command, "-", "--lang", "auto", stdin=stdin)
    assert b"warning" not in r.stderr
    r = run(*command, "-", "--lang", "en", stdin="\n".join(ENGLISH) + "\n")
    assert b"warning" not in r.stderr


def test_classify_forced_language_warns():
    r = run("classify", "-", "--task", "question", "--lang", "ko", stdin="Is it organic?\n")
    if r.returncode != 0 and b"model" in r.stderr:
        pytest.skip(r.stderr.decode())
    err = " ".join(r.stderr.decode().split())
    assert "warning: --lang ko, but 1 of 1 texts read as another language (English 1)" in err
