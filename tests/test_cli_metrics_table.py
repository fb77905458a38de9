"""`ripplemeter metrics` on any terminal width: every metric id whole on one line, nothing
cut off with an ellipsis (long words are folded, never truncated)."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from ripplemeter.cli import app
from ripplemeter.cli.report import METRICS_TABLE_WIDTH
from ripplemeter.evaluate.metrics import all_metrics

METRICS = list(all_metrics().values())


def metrics_output(columns: int) -> str:
    res = CliRunner().invoke(app, ["metrics"], env={"COLUMNS": str(columns)})
    assert res.exit_code == 0, res.output
    assert "…" not in res.stdout  # no text cut off (no registry text holds this character)
    assert max(len(line.rstrip()) for line in res.stdout.splitlines()) <= columns
    return res.stdout


def test_registry_has_long_ids_to_show():
    # the case the narrow terminal used to cut: ids longer than an 80-column table's cell
    assert max(len(m.id) for m in METRICS) > 20
    assert "conversion_lift_weekday_adjusted" in {m.id for m in METRICS}


@pytest.mark.parametrize("columns", [60, 80, METRICS_TABLE_WIDTH - 1])
def test_narrow_terminal_lists_each_metric_whole(columns):
    out = metrics_output(columns)
    blocks = [b for b in out.split("\n\n") if b.strip()]
    assert len(blocks) == len(METRICS)
    for block, m in zip(blocks, METRICS, strict=True):
        lines = block.splitlines()
        assert lines[0].split(" ", 1)[0] == m.id  # the id whole, at the start of its block
        fields: dict[str, list[str]] = {"head": []}
        label = "head"
        for line in lines:
            found = re.match(r"  (formula|unit|source) +(.*)", line)
            if found:
                label = found[1]
                fields[label] = [found[2]]
            else:
                fields[label].append(line.strip())
        # word-wrapped, nothing dropped: the lines put back together are the registry's text
        assert joined(fields["head"]) == f"{m.id} {joined([m.name])}"
        for name in ("formula", "unit", "source"):
            assert joined(fields[name]) == joined([str(getattr(m, name))]), (m.id, name)


def joined(lines: list[str]) -> str:
    return " ".join(" ".join(lines).split())


@pytest.mark.parametrize("columns", [METRICS_TABLE_WIDTH, 200])
def test_wide_terminal_table_keeps_every_id_whole(columns):
    out = metrics_output(columns)
    header = out.splitlines()[1]
    assert [c.strip() for c in header.split("┃")[1:-1]] == [
        "id",
        "name",
        "formula",
        "unit",
        "source",
    ]
    first_cells = [line.split("│")[1].strip() for line in out.splitlines() if line.startswith("│")]
    ids = [c for c in first_cells if c]  # a row's first line holds its id, the rest are blank
    assert ids == [m.id for m in METRICS]
