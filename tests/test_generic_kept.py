"""The generic importer stores what was exported (issue 7, item 9): free text keeps its
surrounding spaces and tabs, a partial column mapping keeps the columns already named like
canonical ones, and a JSON array file is read."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from ripplemeter.cli import app
from ripplemeter.errors import FormatError
from ripplemeter.formats import SourceContext
from ripplemeter.workspace import Workspace

# text cells as a platform exports them: leading/trailing spaces, tabs, a line break inside
TEXTS = ["\tTab first", "trailing spaces   ", "  both\t", "line\nbreak ", "plain"]


def posts_of(ws: Workspace, import_id: int) -> pd.DataFrame:
    return ws.table("posts", [import_id]).sort_values("source_row").reset_index(drop=True)


def write_csv(path, header, rows):
    import csv

    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return path


def test_text_keeps_surrounding_whitespace_csv(workspace, tmp_path):
    path = write_csv(
        tmp_path / "p.csv",
        ["post_id", "text", "account_id"],
        [[str(i), t, " brand "] for i, t in enumerate(TEXTS, 1)],
    )
    res = workspace.import_file(path, "generic", SourceContext(platform="x"))
    got = posts_of(workspace, res.import_id)
    assert got["text"].tolist() == TEXTS
    # an id is matched against other rows: trimmed, and the import says so
    assert got["account_id"].tolist() == ["x:brand"] * len(TEXTS)
    assert any("5 value(s) in 'account_id' had spaces around them, trimmed" in n for n in res.notes)


def test_text_keeps_surrounding_whitespace_xlsx_and_jsonl(workspace, tmp_path):
    xlsx = tmp_path / "p.xlsx"
    pd.DataFrame({"post_id": [f"a{i}" for i in range(len(TEXTS))], "text": TEXTS}).to_excel(
        xlsx, index=False
    )
    res = workspace.import_file(xlsx, "generic", SourceContext(platform="x"))
    assert posts_of(workspace, res.import_id)["text"].tolist() == TEXTS
    jsonl = tmp_path / "p.jsonl"
    jsonl.write_text(
        "".join(json.dumps({"post_id": f"j{i}", "text": t}) + "\n" for i, t in enumerate(TEXTS)),
        encoding="utf-8",
    )
    res = workspace.import_file(jsonl, "generic", SourceContext(platform="x"))
    assert posts_of(workspace, res.import_id)["text"].tolist() == TEXTS


def test_empty_text_is_null_but_blank_text_is_kept(workspace, tmp_path):
    path = write_csv(tmp_path / "p.csv", ["post_id", "text"], [["1", ""], ["2", "   "]])
    res = workspace.import_file(path, "generic", SourceContext(platform="x"))
    got = posts_of(workspace, res.import_id)["text"].tolist()
    assert pd.isna(got[0]) and got[1] == "   "


def test_partial_mapping_keeps_canonically_named_columns(workspace, tmp_path):
    path = write_csv(
        tmp_path / "p.csv",
        ["id", "text", "created_at", "impressions"],
        [["10", " Hello ", "2025-03-01T10:00:00Z", "120"], ["11", "Bye", "", "7"]],
    )
    res = workspace.import_file(
        path, "generic", SourceContext(platform="x", columns={"post_id": "id"})
    )
    got = posts_of(workspace, res.import_id)
    assert got["post_id"].tolist() == ["x:10", "x:11"]
    assert got["text"].tolist() == [" Hello ", "Bye"]
    assert got["created_at"].iloc[0] == pd.Timestamp("2025-03-01 10:00:00")
    assert pd.isna(got["created_at"].iloc[1])
    metrics = workspace.table("post_metrics", [res.import_id]).sort_values("post_id")
    assert metrics["impressions"].tolist() == [120, 7]
    assert (
        "p.csv: besides the mapping, columns used by name: text, created_at, impressions"
        in res.notes
    )


def test_partial_mapping_through_the_cli(tmp_path, monkeypatch):
    path = write_csv(tmp_path / "p.csv", ["id", "text"], [["1", "\tkept\t"]])
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(
        app, ["import", path.name, "-f", "generic", "--platform", "x", "--column", "post_id=id"]
    )
    assert res.exit_code == 0, res.stderr
    assert "columns used by name: text" in res.stdout
    with Workspace(tmp_path / "ripplemeter.duckdb") as ws:
        assert ws.table("posts")["text"].tolist() == ["\tkept\t"]


def test_explicit_mapping_wins_over_a_same_named_column(workspace, tmp_path):
    """A file column already read by the mapping is not used a second time by name."""
    path = write_csv(tmp_path / "p.csv", ["post_id", "text", "body"], [["1", "1", "the body"]])
    res = workspace.import_file(
        path, "generic", SourceContext(platform="x", columns={"text": "body"})
    )
    got = posts_of(workspace, res.import_id)
    assert got["text"].tolist() == ["the body"]
    assert got["post_id"].tolist() == ["x:1"]


def test_json_array_is_read_with_line_numbers(workspace, tmp_path):
    path = tmp_path / "posts.json"
    path.write_text(
        '[\n  {"post_id": "1", "text": " a ", "user": {"id": "u1"}},\n'
        '  {"post_id": "2",\n   "text": "b\\t"}\n]\n',
        encoding="utf-8",
    )
    res = workspace.import_file(
        path, "generic", SourceContext(platform="x", columns={"account_id": "user.id"})
    )
    got = posts_of(workspace, res.import_id)
    assert got["post_id"].tolist() == ["x:1", "x:2"]
    assert got["text"].tolist() == [" a ", "b\t"]
    assert got["account_id"].iloc[0] == "x:u1" and pd.isna(got["account_id"].iloc[1])
    assert got["source_row"].tolist() == [2, 3]  # the line where each object starts


def test_json_array_errors_name_the_line(workspace, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('[\n {"post_id": "1"},\n 5\n]\n', encoding="utf-8")
    with pytest.raises(FormatError) as ei:
        workspace.import_file(bad, "generic", SourceContext(platform="x"))
    assert str(ei.value) == "bad.json, row 3: expected a JSON object in the array, found '5'"
    cut = tmp_path / "cut.json"
    cut.write_text('[\n {"post_id": "1"},\n {"post_id": "2"', encoding="utf-8")
    with pytest.raises(FormatError, match=r"cut.json, row 3: .*looks truncated"):
        workspace.import_file(cut, "generic", SourceContext(platform="x"))
    one = tmp_path / "one.json"
    one.write_text('{\n "data": [{"post_id": "1"}]\n}\n', encoding="utf-8")
    with pytest.raises(FormatError) as ei:
        workspace.import_file(one, "generic", SourceContext(platform="x"))
    assert "holds one JSON object, not a list of records" in str(ei.value)
    assert "JSON Lines" in str(ei.value)
    assert workspace.counts()["posts"] == 0


def test_json_given_to_a_small_table_format_says_what_it_reads(workspace, tmp_path):
    path = tmp_path / "o.json"
    path.write_text('[{"date": "2025-03-01", "metric": "orders", "value": 1}]', "utf-8")
    with pytest.raises(FormatError) as ei:
        workspace.import_file(path, "outcomes")
    assert str(ei.value) == (
        "o.json: is a JSON file; format outcomes reads CSV or Excel (.xlsx) tables: save it "
        "as CSV, or import it with the generic format"
    )


@pytest.mark.parametrize(
    ("cell", "decimal", "expected"),
    [
        ("1,5", ",", 1.5),
        ("1.234,5", ",", 1234.5),
        ("1 234,5", ",", 1234.5),
        ("12%", ",", 0.12),
        ("1,234.5", ".", 1234.5),
        ("1,234", None, 1234.0),  # comma-separated file: a quoted thousands group, as before
    ],
)
def test_decimal_marks(workspace, tmp_path, cell, decimal, expected):
    path = write_csv(tmp_path / "o.csv", ["date", "metric", "value"], [["2025-03-01", "m", cell]])
    res = workspace.import_file(path, "outcomes", SourceContext(decimal=decimal))
    assert workspace.table("outcomes", [res.import_id])["value"].tolist() == [
        pytest.approx(expected)
    ]


def test_decimal_comma_without_declaring_it_says_what_to_declare(workspace, tmp_path):
    path = write_csv(tmp_path / "o.csv", ["date", "metric", "value"], [["2025-03-01", "m", "1,5"]])
    with pytest.raises(FormatError) as ei:
        workspace.import_file(path, "outcomes")
    assert str(ei.value).startswith(
        "o.csv, row 2, column 'value': expected a number, found '1,5'; it looks written with "
        'a decimal comma; say which mark the file uses: decimal = ","'
    )


@pytest.mark.parametrize(
    ("cell", "dayfirst", "expected"),
    [
        ("31.03.2025", True, "2025-03-31"),
        ("01/03/2025", True, "2025-03-01"),
        ("01/03/2025", False, "2025-01-03"),
        ("2025-03-01", True, "2025-03-01"),  # year first is read whatever the setting
    ],
)
def test_day_and_month_first_dates(workspace, tmp_path, cell, dayfirst, expected):
    path = write_csv(tmp_path / "o.csv", ["date", "metric", "value"], [[cell, "m", "1"]])
    res = workspace.import_file(path, "outcomes", SourceContext(dayfirst=dayfirst))
    got = pd.to_datetime(workspace.table("outcomes", [res.import_id])["date"])
    assert got.dt.strftime("%Y-%m-%d").tolist() == [expected]


def test_undeclared_date_order_names_the_order_it_looks(workspace, tmp_path):
    path = write_csv(tmp_path / "o.csv", ["date", "metric", "value"], [["31/03/2025", "m", "1"]])
    with pytest.raises(FormatError, match="is not year first and it is written day first"):
        workspace.import_file(path, "outcomes")
    path = write_csv(tmp_path / "o.csv", ["date", "metric", "value"], [["03/31/2025", "m", "1"]])
    with pytest.raises(FormatError, match="it is written month first"):
        workspace.import_file(path, "outcomes")
