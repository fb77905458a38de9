"""Help text reads as written: paragraphs re-flowed to the terminal, brackets kept."""

from __future__ import annotations

from typer.testing import CliRunner

from ripplemeter.cli import _plain_help_text, app


def test_paragraph_lines_are_joined_and_laid_out_blocks_kept():
    text = (
        "First line.\n\nA sentence wrapped\nin the source file.\n\nExample:\n  ripplemeter x --y\n"
    )
    assert _plain_help_text(text) == (
        "First line.\n\nA sentence wrapped in the source file.\n\nExample:\n  ripplemeter x --y"
    )


def test_square_brackets_are_not_read_as_markup():
    out = _plain_help_text("Reads standards.toml [business_hours].")
    assert out == "Reads standards.toml \\[business_hours]."


def test_command_help_keeps_brackets_and_whole_sentences():
    runner = CliRunner()
    r = runner.invoke(app, ["inbox", "list", "--help"], terminal_width=200, env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    # the docstring wraps after "else in the"; at 200 columns the sentence is one line
    assert "(standards.toml [business_hours]), else in the zone the accounts are registered in" in (
        r.output
    )
    r = runner.invoke(
        app, ["listen", "report", "--help"], terminal_width=200, env={"COLUMNS": "200"}
    )
    assert "default: [project] start" in r.output
