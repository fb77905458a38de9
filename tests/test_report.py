"""Report presentation: untrusted text escaped in HTML, neutralised in CSV/XLSX; offline HTML."""

from __future__ import annotations

import csv

import openpyxl
import pytest

from ripplemeter.campaign import load_campaign
from ripplemeter.demo import generate_demo
from ripplemeter.pipeline import import_and_evaluate
from ripplemeter.report import write_report
from ripplemeter.report.exports import neutralise


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo")
    toml = generate_demo(tmp / "data", seed=7)
    with open(toml, "a", encoding="utf-8") as f:
        f.write("\n[top_posts]\nn = 1000\n")  # every post
    camp = load_campaign(toml)
    res = import_and_evaluate(camp, workspace=tmp / "ws.duckdb")
    return res, write_report(res, tmp / "out")


def test_post_texts_are_escaped_in_html(demo_report):
    res, paths = demo_report
    texts = list(res.frame("top_posts").text)
    assert any("<script>alert(1)</script>" in t for t in texts)  # stored as posted
    html = paths.html.read_text()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<img src=x onerror="alert(2)">' not in html
    # plotly.js inlined exactly once, no <script src=...> to load from the network
    assert html.count("* plotly.js v") == 1
    assert "<script src=" not in html and '<link rel="stylesheet" href="http' not in html
    assert "Generated data" in html


def test_exports_neutralise_formulas(demo_report):
    _, paths = demo_report
    with open(paths.top_posts_csv, encoding="utf-8-sig", newline="") as f:
        cells = [c for row in csv.reader(f) for c in row]
    assert any(c.startswith("'=HYPERLINK(") for c in cells)
    assert not any(c.startswith("=") for c in cells)
    wb = openpyxl.load_workbook(paths.top_posts_xlsx)
    cells = [c for row in wb.active.iter_rows() for c in row if isinstance(c.value, str)]
    # xlsx: the text as exported, in cells of text type (never a formula), no apostrophe
    assert any(c.value.startswith("=HYPERLINK(") for c in cells)
    assert all(c.data_type == "s" for c in cells)
    assert not any(c.value.startswith("'") for c in cells)
    head = [c.value for c in next(wb.active.iter_rows())]
    account = [r[head.index("account")].value for r in wb.active.iter_rows(min_row=2)]
    assert "@lumentea" in account


def test_xlsx_text_is_text_and_csv_is_neutralised(tmp_path):
    import zipfile

    import pandas as pd

    from ripplemeter.report.exports import write_table

    raw = ["=1+1", "@lumentea", "#N/A", "-x", "plain"]
    df = pd.DataFrame({"text": raw, "n": [1, 2, 3, 4, None]})
    write_table(df, tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    rows = list(ws.iter_rows(min_row=2))
    assert [r[0].value for r in rows] == raw  # exactly as exported
    assert [r[0].data_type for r in rows] == ["s"] * 5  # text, never formula ("f") or error
    assert [r[1].value for r in rows] == [1, 2, 3, 4, None]
    sheet = zipfile.ZipFile(tmp_path / "t.xlsx").read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formula anywhere in the file
    write_table(df, tmp_path / "t.csv")
    with open(tmp_path / "t.csv", encoding="utf-8-sig", newline="") as f:
        got = [r[0] for r in csv.reader(f)][1:]
    # OWASP: =, +, -, @ lead a formula when a spreadsheet parses a CSV cell; "#N/A" does not
    assert got == ["'=1+1", "'@lumentea", "#N/A", "'-x", "plain"]


@pytest.mark.parametrize(
    "raw, safe",
    [
        ("=1+1", "'=1+1"),
        ("+33 1 23", "'+33 1 23"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("plain", "plain"),
        (-3.5, -3.5),
        (None, None),
    ],
)
def test_neutralise(raw, safe):
    assert neutralise(raw) == safe
