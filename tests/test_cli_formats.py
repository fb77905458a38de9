"""``ripplemeter formats`` reads whole at 80 columns: summaries wrap, nothing is cut."""

from __future__ import annotations

from rich.cells import cell_len
from typer.testing import CliRunner

from ripplemeter.cli import app, console
from ripplemeter.formats import format_summaries


def test_formats_wrap_at_80_columns_and_cut_nothing(monkeypatch):
    monkeypatch.setattr(console, "_width", 80)
    out = CliRunner().invoke(app, ["formats"])
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert all(cell_len(line) <= 80 for line in lines)  # CJK characters count twice
    assert "…" not in out.output
    # every summary is there in full: the words of each row's cells, joined again
    rows: dict[str, str] = {}
    name = ""
    for line in lines:
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if len(cells) != 2:
            continue
        name = cells[0] or name
        rows[name] = (rows.get(name, "") + " " + cells[1]).strip()
    for fmt, summary in format_summaries():
        assert " ".join(rows[fmt].split()) == " ".join(summary.split()), fmt
