"""`ripplemeter seeds` given a folder instead of its graph file: one line saying it is a
folder, what it holds and (when one file looks like the graph) which file to give; exit 2,
no traceback, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ripplemeter.cli import app
from ripplemeter.errors import GraphError
from ripplemeter.formats.graph_files import read_edgelist


def seeds(*args: str | Path):
    return CliRunner().invoke(
        app, ["seeds", *map(str, args), "--k", "5"], prog_name="ripplemeter", env={"COLUMNS": "200"}
    )


def one_error_line(res) -> str:
    assert res.exit_code == 2, (res.stdout, res.stderr)
    assert "Traceback" not in res.output
    assert res.stdout == ""
    lines = res.stderr.splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("error: ")
    return lines[0].removeprefix("error: ")


def test_nethept_folder_names_its_graph_file(real_data):
    folder = real_data("nethept/NetHEPT.txt").parent  # the folder as downloaded
    res = seeds(folder)
    assert one_error_line(res) == (
        f"{folder}: is a folder, not a file; give the graph file in it, such as "
        f"{folder / 'NetHEPT.txt'} (it holds NetHEPT.txt, PROVENANCE.md)"
    )


def test_folder_with_one_graph_and_its_notes(tmp_path):
    (tmp_path / "g").mkdir()
    (tmp_path / "g" / "README.txt").write_text("about\n", encoding="utf-8")
    (tmp_path / "g" / "edges.csv").write_text("src,dst\n1,2\n", encoding="utf-8")
    (tmp_path / "g" / ".hidden").write_text("", encoding="utf-8")
    (tmp_path / "g" / "old").mkdir()
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    line = one_error_line(seeds(tmp_path / "g"))
    assert line == (
        f"{tmp_path / 'g'}: is a folder, not a file; give the graph file in it, such as "
        f"{tmp_path / 'g' / 'edges.csv'} (it holds edges.csv, old/, README.txt)"
    )
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_folder_of_many_files_lists_the_first_and_counts_the_rest(tmp_path):
    for i in range(9):
        (tmp_path / f"part{i}.csv").write_text("src,dst\n1,2\n", encoding="utf-8")
    line = one_error_line(seeds(tmp_path))
    # several candidates: no "such as", six names and how many more
    assert line == (
        f"{tmp_path}: is a folder, not a file; give the graph file in it (it holds "
        "part0.csv, part1.csv, part2.csv, part3.csv, part4.csv, part5.csv and 3 more)"
    )


def test_empty_folder_and_missing_file(tmp_path):
    assert one_error_line(seeds(tmp_path)) == f"{tmp_path}: is an empty folder, not a graph file"
    missing = tmp_path / "nethept.txt"
    assert one_error_line(seeds(missing)) == f"{missing}: no such graph file"


def test_read_edgelist_says_the_same(tmp_path):
    (tmp_path / "NetHEPT.txt").write_text("2 1\n0 1\n", encoding="utf-8")
    with pytest.raises(GraphError, match=r"is a folder, not a file; give the graph file in it"):
        read_edgelist(tmp_path)
