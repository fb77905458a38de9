"""``ripplemeter aspects`` on an input without text: a plain note, nothing on stdout."""

from __future__ import annotations

from typer.testing import CliRunner

from ripplemeter.cli import app


def run(*args, input=None):
    return CliRunner().invoke(app, ["aspects", *args], input=input)


def test_an_empty_file_says_it_holds_no_text(tmp_path):
    # the trial's "0 line(s), 0 with at least one aspect (taxonomy product; no text)": now the
    # same note as `sentiment` gives; stdout stays empty (no line, no JSON), exit 0
    f = tmp_path / "empty.txt"
    f.write_text("", encoding="utf-8")
    for fmt in (["--json"], []):
        res = run(str(f), *fmt)
        assert res.exit_code == 0, res.stderr
        assert res.stdout == ""
        assert res.stderr == f"note: {f} holds no text: no aspects looked for\n"
    res = run("-", "--json", input="")
    assert res.exit_code == 0 and res.stdout == ""
    assert res.stderr == "note: standard input holds no text: no aspects looked for\n"


def test_a_bad_taxonomy_is_still_an_error_for_an_empty_file(tmp_path):
    f = tmp_path / "empty.txt"
    f.write_text("", encoding="utf-8")
    res = run(str(f), "--taxonomy", "nope")
    assert res.exit_code == 2 and "no taxonomy named 'nope'" in res.stderr
    assert "holds no text" not in res.stderr
