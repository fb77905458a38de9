"""Command-line slips (issue 7, item 7): each ends in one clear line on stderr and exit 2,
never a traceback, and writes nothing (the folders are compared before and after)."""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from ripplemeter.cli import app

OUTCOMES = "date,metric,value\n2025-03-01,orders,3\n2025-03-02,orders,5\n2025-02-27,orders,2\n"


def make_campaign(folder: Path, sources: str = "", outcomes: str = OUTCOMES) -> Path:
    """A small campaign (one outcomes sheet) in ``folder``; returns campaign.toml."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "outcomes.csv").write_text(outcomes, encoding="utf-8")
    toml = folder / "campaign.toml"
    toml.write_text(
        '[campaign]\nname = "Slips"\nstart = 2025-03-01\nend = 2025-03-02\n'
        'timezone = "UTC"\ncurrency = "USD"\n\n'
        + (sources or '[[sources]]\npath = "outcomes.csv"\nformat = "outcomes"\n'),
        encoding="utf-8",
    )
    return toml


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes: 'nothing written' means this is unchanged."""
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def run(args: list[str], cwd: Path, monkeypatch):
    monkeypatch.chdir(cwd)
    return invoke(args)


def invoke(args: list[str]):
    """The CLI as `ripplemeter ARGS` on a 200-column terminal."""
    return CliRunner().invoke(
        app, [str(a) for a in args], prog_name="ripplemeter", env={"COLUMNS": "200"}
    )


def assert_slip(res, *needles: str) -> str:
    """Exit 2, one line on stderr starting 'error:', nothing on stdout, no traceback."""
    assert res.exit_code == 2, (res.stdout, res.stderr)
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert "Traceback" not in res.output
    lines = res.stderr.splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("error: ")
    assert res.stdout == ""
    for n in needles:
        assert n in lines[0], lines[0]
    return lines[0]


# ----------------------------------------------------------------------------- report


def test_report_given_a_folder_without_campaign_toml(tmp_path, monkeypatch):
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "spring.toml").write_text("", encoding="utf-8")
    before = tree(tmp_path)
    res = run(["report", "exports", "--out", "out"], tmp_path, monkeypatch)
    line = assert_slip(res, "exports: is a folder without a campaign.toml")
    assert "spring.toml: give that file" in line
    assert tree(tmp_path) == before


def test_report_given_a_folder_uses_its_campaign_toml(tmp_path, monkeypatch):
    make_campaign(tmp_path / "spring")
    res = run(["report", "spring", "--out", "out"], tmp_path, monkeypatch)
    assert res.exit_code == 0, res.stderr
    assert (tmp_path / "out" / "report.html").is_file()
    # the workspace stays beside campaign.toml, and the command says which it used
    ws = (tmp_path / "spring" / "ripplemeter.duckdb").resolve()
    assert ws.is_file()
    assert f"note: workspace used: {ws}" in res.stderr.splitlines()
    assert not (tmp_path / "ripplemeter.duckdb").exists()
    assert "note: campaign file: spring/campaign.toml" in res.stderr.splitlines()


def test_report_out_naming_an_existing_file(tmp_path, monkeypatch):
    make_campaign(tmp_path)
    (tmp_path / "summary.html").write_text("mine", encoding="utf-8")
    before = tree(tmp_path)
    res = run(["report", "campaign.toml", "--out", "summary.html"], tmp_path, monkeypatch)
    assert_slip(res, "--out summary.html: is a file, not a folder")
    assert tree(tmp_path) == before  # checked before any work: no workspace either


def test_source_path_that_is_a_folder(tmp_path, monkeypatch):
    (tmp_path / "exports").mkdir()
    make_campaign(tmp_path, '[[sources]]\npath = "exports"\nformat = "outcomes"\n')
    before = tree(tmp_path)
    res = run(["report", "campaign.toml", "--out", "out"], tmp_path, monkeypatch)
    assert_slip(res, "campaign.toml, line 9, key 'sources[1].path'", "is a folder, not a file")
    assert tree(tmp_path) == before


def test_import_of_a_folder_says_so_and_creates_no_workspace(tmp_path, monkeypatch):
    (tmp_path / "exports").mkdir()
    res = run(["import", "exports", "-f", "outcomes"], tmp_path, monkeypatch)
    assert_slip(res, "exports: is a folder, not a file")
    assert tree(tmp_path) == {}


def test_pdf_without_chromium(tmp_path, monkeypatch):
    make_campaign(tmp_path)
    before = tree(tmp_path)
    monkeypatch.setenv("RIPPLEMETER_CHROMIUM", str(tmp_path / "no-such-chromium"))
    res = run(["report", "campaign.toml", "--out", "out", "--pdf"], tmp_path, monkeypatch)
    assert_slip(res, "--pdf: RIPPLEMETER_CHROMIUM=", "install Chromium", "run without --pdf")
    assert tree(tmp_path) == before


def _no_playwright(monkeypatch):
    """Imports of Playwright fail in this process, as when the pdf extra is not installed."""
    monkeypatch.setitem(sys.modules, "playwright", None)
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)


def test_pdf_without_playwright_says_so_before_any_work(tmp_path, monkeypatch):
    make_campaign(tmp_path)
    before = tree(tmp_path)
    _no_playwright(monkeypatch)
    monkeypatch.setenv("RIPPLEMETER_CHROMIUM", sys.executable)  # a program: Chromium "found"
    res = run(["report", "campaign.toml", "--out", "out", "--pdf"], tmp_path, monkeypatch)
    line = assert_slip(
        res,
        "--pdf: a PDF needs the Playwright package, which is not installed",
        "install the pdf extra:",
        "install -e '.[pdf]'",
        "pip install 'ripplemeter[pdf]'",
        "run without --pdf",
    )
    assert "Chromium" not in line  # Chromium is there: only what is missing is named
    assert tree(tmp_path) == before  # no report.html, metrics.json or workspace


def test_pdf_without_playwright_nor_chromium_names_both(tmp_path, monkeypatch):
    make_campaign(tmp_path)
    _no_playwright(monkeypatch)
    monkeypatch.delenv("RIPPLEMETER_CHROMIUM", raising=False)
    (tmp_path / "empty-bin").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    before = tree(tmp_path)
    res = run(["report", "campaign.toml", "--out", "out", "--pdf"], tmp_path, monkeypatch)
    assert_slip(
        res,
        "the Playwright package and Chromium, and neither is installed here",
        "install -e '.[pdf]'",
        "apt-get install chromium",
        "run without --pdf",
    )
    assert tree(tmp_path) == before


def test_playwright_hint_gives_a_command_that_works_in_this_checkout():
    from ripplemeter.report.pdf import playwright_hint

    root = Path(__file__).resolve().parents[1]  # the checkout these tests belong to
    hint = playwright_hint()
    m = re.fullmatch(
        r"install the pdf extra: cd (\S+) && (\S+) install -e '\.\[pdf\]' "
        r"\(outside a ripplemeter checkout: pip install 'ripplemeter\[pdf\]'\)",
        hint,
    )
    assert m, hint
    assert Path(m[1]) == root
    pip = root / m[2]  # relative to the checkout, or absolute (then the join keeps it)
    assert pip.is_file(), f"{pip} is not a program"


def test_write_pdf_without_playwright_gives_the_same_hint(tmp_path, monkeypatch):
    from ripplemeter.report.pdf import PdfError, playwright_hint, write_pdf

    _no_playwright(monkeypatch)
    (tmp_path / "report.html").write_text("<p>x</p>", encoding="utf-8")
    with pytest.raises(PdfError) as info:
        write_pdf(tmp_path / "report.html", tmp_path / "report.pdf")
    assert str(info.value) == (
        f"a PDF needs the Playwright package, which is not installed; {playwright_hint()}"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_report_with_pdf_writes_all_three_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("RIPPLEMETER_CHROMIUM", _chromium())
    pypdf = pytest.importorskip("pypdf")
    make_campaign(tmp_path)
    res = run(["report", "campaign.toml", "--out", "out", "--pdf"], tmp_path, monkeypatch)
    assert res.exit_code == 0, (res.stdout, res.stderr)
    out = tmp_path / "out"
    assert res.stdout.splitlines() == [
        f"Report written to {Path('out') / 'report.html'}",
        f"Metrics written to {Path('out') / 'metrics.json'}",
        f"PDF written to {Path('out') / 'report.pdf'}",
    ]
    text = "".join(p.extract_text() for p in pypdf.PdfReader(out / "report.pdf").pages)
    assert "Slips" in text  # the campaign's name, printed from report.html


# ----------------------------------------------------------------------------- files


def test_xlsx_given_to_a_csv_export_format(tmp_path, monkeypatch):
    xlsx = tmp_path / "Untitled-report.csv"  # a workbook saved under a .csv name
    pd.DataFrame({"Campaign name": ["Spring"], "Amount spent (USD)": [12.5]}).to_excel(
        xlsx, index=False
    )
    before = tree(tmp_path)
    for fmt in ("meta-ads", "x-analytics-daily", "google-trends", "ga4"):
        res = run(["import", xlsx.name, "-f", fmt], tmp_path, monkeypatch)
        assert_slip(res, "Untitled-report.csv: is an Excel workbook (.xlsx)", "'CSV UTF-8'")
        assert tree(tmp_path) == before


def test_xlsx_under_a_csv_name_is_read_by_the_small_tables(tmp_path, monkeypatch):
    xlsx = tmp_path / "outcomes.csv"
    pd.DataFrame({"date": ["2025-03-01"], "metric": ["orders"], "value": [7]}).to_excel(
        xlsx, index=False
    )
    res = run(["import", xlsx.name, "-f", "outcomes"], tmp_path, monkeypatch)
    assert res.exit_code == 0, res.stderr
    assert "an Excel workbook (by its content); read as one" in res.stdout
    from ripplemeter.workspace import Workspace

    with Workspace(tmp_path / "ripplemeter.duckdb") as ws:
        assert ws.table("outcomes")[["metric", "value"]].values.tolist() == [["orders", 7.0]]


def test_old_xls_and_zip_are_named(tmp_path, monkeypatch):
    (tmp_path / "a.csv").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    import zipfile

    with zipfile.ZipFile(tmp_path / "b.csv", "w") as z:
        z.writestr("inner.csv", "date,metric,value\n")
    before = tree(tmp_path)
    assert_slip(
        run(["import", "a.csv", "-f", "outcomes"], tmp_path, monkeypatch),
        "a.csv: is an old Excel workbook (.xls)",
    )
    assert_slip(
        run(["import", "b.csv", "-f", "meta-ads"], tmp_path, monkeypatch),
        "b.csv: is a ZIP archive",
    )
    assert tree(tmp_path) == before


EUROPEAN = "date;metric;value\n01.03.2025;orders;1,5\n02.03.2025;orders;1.234,25\n"


def test_semicolon_file_with_decimal_commas_is_refused_until_declared(tmp_path, monkeypatch):
    make_campaign(tmp_path, outcomes=EUROPEAN)
    before = tree(tmp_path)
    res = run(["report", "campaign.toml", "--out", "out"], tmp_path, monkeypatch)
    line = assert_slip(res, "outcomes.csv, row 2, column 'date'", "dayfirst = true")
    assert "--dayfirst" in line
    assert tree(tmp_path) == before  # the failed first import leaves no workspace behind


def test_semicolon_file_read_when_the_source_says_so(tmp_path, monkeypatch):
    make_campaign(
        tmp_path,
        '[[sources]]\npath = "outcomes.csv"\nformat = "outcomes"\ndecimal = ","\ndayfirst = true\n',
        outcomes=EUROPEAN,
    )
    from ripplemeter.campaign import load_campaign

    camp = load_campaign(tmp_path)
    [res] = camp.import_sources()
    from ripplemeter.workspace import Workspace

    with Workspace(tmp_path / "ripplemeter.duckdb") as ws:
        got = ws.table("outcomes", [res.import_id]).sort_values("date")
    days = pd.to_datetime(got["date"]).dt.strftime("%Y-%m-%d").tolist()
    assert days == ["2025-03-01", "2025-03-02"]
    assert got["value"].tolist() == [1.5, 1234.25]


def test_import_options_decimal_and_dayfirst(tmp_path, monkeypatch):
    (tmp_path / "o.csv").write_text(EUROPEAN, encoding="utf-8")
    res = run(
        ["import", "o.csv", "-f", "outcomes", "--decimal", ",", "--dayfirst"], tmp_path, monkeypatch
    )
    assert res.exit_code == 0, res.stderr
    from ripplemeter.workspace import Workspace

    with Workspace(tmp_path / "ripplemeter.duckdb") as ws:
        assert sorted(ws.table("outcomes")["value"]) == [1.5, 1234.25]


def test_ambiguous_thousands_in_a_semicolon_file(tmp_path, monkeypatch):
    (tmp_path / "o.csv").write_text("date;metric;value\n2025-03-01;orders;1,500\n", "utf-8")
    res = run(["import", "o.csv", "-f", "outcomes"], tmp_path, monkeypatch)
    assert_slip(
        res,
        "o.csv, row 2, column 'value': '1,500' is ambiguous in a semicolon-separated file: "
        "1.500 with a decimal comma, 1500 with a thousands separator",
    )
    assert tree(tmp_path) == {"o.csv": b"date;metric;value\n2025-03-01;orders;1,500\n"}


def test_decimal_given_to_a_platform_export_is_refused(tmp_path, monkeypatch):
    (tmp_path / "m.csv").write_text("x\n1\n", encoding="utf-8")
    res = run(["import", "m.csv", "-f", "meta-ads", "--decimal", ","], tmp_path, monkeypatch)
    assert_slip(res, "--decimal: format meta-ads does not take this option")
    make_campaign(
        tmp_path / "c", '[[sources]]\npath = "outcomes.csv"\nformat = "meta-ads"\ndecimal = ","\n'
    )
    res = run(["report", "c", "--out", "out"], tmp_path, monkeypatch)
    assert_slip(res, "key 'sources[1].decimal'", "takes no decimal")


def test_unknown_format_leaves_no_workspace_file(tmp_path, monkeypatch):
    (tmp_path / "o.csv").write_text(OUTCOMES, encoding="utf-8")
    res = run(["import", "o.csv", "-f", "outcome"], tmp_path, monkeypatch)
    assert_slip(res, "unknown format 'outcome'; known formats:", "outcomes")
    assert tree(tmp_path) == {"o.csv": OUTCOMES.encode()}


def test_failed_first_import_leaves_no_workspace_but_keeps_an_existing_one(tmp_path, monkeypatch):
    (tmp_path / "bad.csv").write_text("date,metric,value\n2025-03-01,orders,x\n", "utf-8")
    res = run(["import", "bad.csv", "-f", "outcomes"], tmp_path, monkeypatch)
    assert_slip(res, "bad.csv, row 2, column 'value': expected a number, found 'x'")
    assert not (tmp_path / "ripplemeter.duckdb").exists()
    (tmp_path / "good.csv").write_text(OUTCOMES, encoding="utf-8")
    assert run(["import", "good.csv", "-f", "outcomes"], tmp_path, monkeypatch).exit_code == 0
    before = tree(tmp_path)
    assert_slip(run(["import", "bad.csv", "-f", "outcomes"], tmp_path, monkeypatch))
    assert tree(tmp_path) == before


# ----------------------------------------------------------------------------- printing


def test_error_brackets_are_not_read_as_markup(tmp_path, monkeypatch):
    make_campaign(tmp_path, '[sources]\npath = "outcomes.csv"\nformat = "outcomes"\n')
    res = run(["report", "campaign.toml"], tmp_path, monkeypatch)
    assert_slip(res, "write each entry as its own [[sources]] table (double brackets)")


def test_warnings_and_notes_keep_their_brackets(capsys):
    from ripplemeter.cli import note, warn

    warn("add [[fx]] currency = 'INR' to campaign.toml")
    note("[campaign] timezone is [bold]UTC[/bold]")
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "warning: add [[fx]] currency = 'INR' to campaign.toml",
        "note: [campaign] timezone is [bold]UTC[/bold]",
    ]


def test_import_says_which_workspace_it_used(tmp_path, monkeypatch):
    (tmp_path / "o.csv").write_text(OUTCOMES, encoding="utf-8")
    res = run(["import", "o.csv", "-f", "outcomes"], tmp_path, monkeypatch)
    assert res.exit_code == 0, res.stderr
    ws = (tmp_path / "ripplemeter.duckdb").resolve()
    assert res.stderr.splitlines() == [f"note: workspace used: {ws} (created)"]
    assert res.stdout.startswith("o.csv: imported 3 outcomes (import 1)")


# ----------------------------------------------------------------------------- help


def test_version_and_short_help():
    version = importlib.metadata.version("ripplemeter")
    for flag in ("--version", "-V"):
        res = invoke([flag])
        assert res.exit_code == 0
        assert res.stdout == f"ripplemeter {version}\n"
    res = invoke(["-h"])
    assert res.exit_code == 0 and "Usage: ripplemeter [OPTIONS] COMMAND [ARGS]..." in res.stdout
    res = invoke(["report", "-h"])
    assert res.exit_code == 0 and "Usage: ripplemeter report [OPTIONS] CAMPAIGN" in res.stdout


def test_help_texts_use_plain_words():
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    for name in [*names, None]:
        args = [name, "--help"] if name else ["--help"]
        res = invoke(args)
        assert res.exit_code == 0, (name, res.output)
        text = " ".join(res.stdout.split())
        assert not re.search(r"<\w+(\[\w+\])?>", text), (name, text)  # <bool>, <list[str]>
        usage = next(ln for ln in res.stdout.splitlines() if "Usage:" in ln)
        assert "{" not in usage and "<" not in usage, usage
        assert "--no-" not in text, (name, text)  # flags are plain --flag


def test_help_says_where_each_workspace_lives():
    report = " ".join(invoke(["report", "--help"]).stdout.split())
    assert "ripplemeter.duckdb beside campaign.toml" in report
    imp = " ".join(invoke(["import", "--help"]).stdout.split())
    assert "ripplemeter.duckdb in the current folder" in imp


# ----------------------------------------------------------------------------- pdf


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    return found


def test_write_pdf_prints_a4_with_the_reports_text(tmp_path, monkeypatch):
    monkeypatch.setenv("RIPPLEMETER_CHROMIUM", _chromium())
    pypdf = pytest.importorskip("pypdf")
    from ripplemeter.report.pdf import write_pdf

    html = tmp_path / "report.html"
    html.write_text(
        "<!doctype html><meta charset=utf-8><title>t</title>"
        "<h1>Spring launch &amp; friends</h1><p style='page-break-before:always'>Second page</p>",
        encoding="utf-8",
    )
    out = write_pdf(html, tmp_path / "report.pdf")
    assert out == tmp_path / "report.pdf"
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == 2
    box = reader.pages[0].mediabox
    # A4 is 210 x 297 mm = 595.3 x 841.9 pt; Chromium rounds to whole device pixels
    assert float(box.width) == pytest.approx(595.3, abs=1.5)
    assert float(box.height) == pytest.approx(841.9, abs=1.5)
    assert "Spring launch & friends" in reader.pages[0].extract_text()
    assert "Second page" in reader.pages[1].extract_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "report.pdf"]


def test_write_pdf_of_a_missing_report(tmp_path):
    from ripplemeter.report.pdf import PdfError, write_pdf

    with pytest.raises(PdfError, match="report.html: file not found"):
        write_pdf(tmp_path / "report.html", tmp_path / "report.pdf")
    assert list(tmp_path.iterdir()) == []
