"""Bad input: every mistake gives one RippleError naming file, row and column, the CLI exits 2
without a traceback, and the workspace is left exactly as it was."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from ripplemeter.cli import app
from ripplemeter.errors import FormatError, RippleError, UnknownFormatError
from ripplemeter.formats import SourceContext
from ripplemeter.workspace import Workspace

META_REACH = (
    "platform_exports/meta_ads_manager/Anas3rdshade_Teefusion/"
    "Untitled-report-Feb-1-2025-to-Aug-4-2025_Reach.csv"
)
GA4_EVENTS = "platform_exports/ga4/Anas3rdshade_Teefusion/Events_Event_name.csv"


@pytest.fixture
def ws_path(tmp_path) -> Path:
    """A workspace that already holds one good import, so 'unchanged' means something."""
    path = tmp_path / "ws.duckdb"
    good = tmp_path / "good_outcomes.csv"
    good.write_text("date,metric,value\n2025-03-01,orders,3\n", encoding="utf-8")
    with Workspace(path) as ws:
        ws.import_file(good, "outcomes")
    return path


def snapshot(path: Path) -> tuple[dict[str, int], pd.DataFrame]:
    with Workspace(path) as ws:
        return ws.counts(), ws.imports()


def flat(text: str) -> str:
    """CLI output with Rich's line wrapping undone."""
    return " ".join(text.split())


def run_cli(file: Path, fmt: str, ws_path: Path, *extra: str):
    return CliRunner().invoke(
        app, ["import", str(file), "--format", fmt, "--workspace", str(ws_path), *extra]
    )


def assert_rejected(
    ws_path: Path,
    file: Path,
    fmt: str,
    *,
    exc_type: type[RippleError] = FormatError,
    ctx: SourceContext | None = None,
    cli_extra: tuple[str, ...] = (),
) -> RippleError:
    """Import through the library and the CLI; both refuse and nothing changes."""
    before = snapshot(ws_path)
    with Workspace(ws_path) as ws, pytest.raises(exc_type) as ei:
        ws.import_file(file, fmt, ctx)
    assert isinstance(ei.value, RippleError)
    result = run_cli(file, fmt, ws_path, *cli_extra)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert flat(str(ei.value)) in flat(result.output)
    after = snapshot(ws_path)
    assert after[0] == before[0]
    pd.testing.assert_frame_equal(after[1], before[1])
    return ei.value


def meta_rows(real_data) -> list[list[str]]:
    with open(real_data(META_REACH), encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def write_rows(path: Path, rows: list[list[str]], delimiter: str = ",") -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return path


def test_wrong_delimiter(real_data, tmp_path, ws_path):
    path = write_rows(tmp_path / "meta_semicolons.csv", meta_rows(real_data), delimiter=";")
    err = assert_rejected(ws_path, path, "meta-ads")
    assert str(err) == (
        "meta_semicolons.csv, row 1: the header is separated by semicolons, expected commas "
        "(is this a meta-ads file?)"
    )


def test_missing_required_column(real_data, tmp_path, ws_path):
    rows = meta_rows(real_data)
    i = rows[0].index("Reporting ends")
    path = write_rows(tmp_path / "meta_no_end.csv", [r[:i] + r[i + 1 :] for r in rows])
    err = assert_rejected(ws_path, path, "meta-ads")
    assert str(err).startswith(
        "meta_no_end.csv, row 1, column 'Reporting ends': missing required column "
        "'Reporting ends' for format meta-ads"
    )


def test_text_in_numeric_column(real_data, tmp_path, ws_path):
    rows = meta_rows(real_data)
    rows[2][rows[0].index("Link clicks")] = "12,5k"
    path = write_rows(tmp_path / "meta.csv", rows)
    err = assert_rejected(ws_path, path, "meta-ads")
    assert (
        str(err) == "meta.csv, row 3, column 'Link clicks': expected a whole number, found '12,5k'"
    )
    assert (err.row, err.column) == (3, "Link clicks")


def test_gbk_file_is_decoded(tmp_path, ws_path):
    path = tmp_path / "outcomes_gbk.csv"
    path.write_bytes("date,metric,value,source\n2025-03-01,报名人数,120,微博活动页\n".encode("gbk"))
    with Workspace(ws_path) as ws:
        res = ws.import_file(path, "outcomes")
        got = ws.sql("SELECT metric, source FROM outcomes WHERE import_id = ?", [res.import_id])
    assert got.values.tolist() == [["报名人数", "微博活动页"]]
    assert any("GBK" in n for n in res.notes)
    # the CLI says which encoding it used
    other = tmp_path / "outcomes_gbk2.csv"
    other.write_bytes("date,metric,value,source\n2025-03-02,报名人数,90,微博活动页\n".encode("gbk"))
    result = run_cli(other, "outcomes", ws_path)
    assert result.exit_code == 0, result.output
    assert "GBK" in result.output


def test_cp949_file_is_decoded(tmp_path, ws_path):
    path = tmp_path / "posts_cp949.csv"
    path.write_bytes("post_id,text\n1,신청자 수가 늘었습니다 네이버 블로그\n".encode("cp949"))
    ctx = SourceContext(platform="naver", table="posts")
    with Workspace(ws_path) as ws:
        res = ws.import_file(path, "generic", ctx)
        got = ws.sql("SELECT post_id, text FROM posts WHERE import_id = ?", [res.import_id])
    assert got.values.tolist() == [["naver:1", "신청자 수가 늘었습니다 네이버 블로그"]]
    assert any("CP949" in n for n in res.notes)
    other = tmp_path / "posts_cp949_2.csv"
    other.write_bytes("post_id,text\n2,가입자 수가 늘었습니다 네이버 카페\n".encode("cp949"))
    result = run_cli(other, "generic", ws_path, "--platform", "naver")
    assert result.exit_code == 0, result.output
    assert "CP949" in result.output


def test_undecodable_file_names_the_encodings(tmp_path, ws_path):
    path = tmp_path / "garbage.csv"
    path.write_bytes(b"date,metric,value\n2025-03-01,\x80\xff\x80,1\n")
    err = assert_rejected(ws_path, path, "outcomes")
    assert str(err).startswith("garbage.csv, row 2: not valid UTF-8")
    assert "GBK" in str(err) and "CP949" in str(err)


def test_empty_file(tmp_path, ws_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    err = assert_rejected(ws_path, path, "meta-ads")
    assert str(err) == "empty.csv: the file is empty"
    err = assert_rejected(ws_path, path, "ga4")
    assert str(err) == "empty.csv: the file is empty"


def test_file_of_another_format(real_data, ws_path):
    path = real_data(GA4_EVENTS)
    err = assert_rejected(ws_path, path, "meta-ads")
    assert str(err).startswith("Events_Event_name.csv, row 1: the file starts with '#' comment")
    assert "--format ga4" in str(err)


def test_truncated_last_line(real_data, tmp_path, ws_path):
    text = real_data(META_REACH).read_text(encoding="utf-8-sig")
    body = text.rstrip("\n")
    last_start = body.rfind("\n") + 1
    last = body[last_start:]
    # cut after the quoted campaign name, in the middle of the numbers
    cut = last_start + last.index(",", last.index(",") + 1) + 3
    path = tmp_path / "meta_cut.csv"
    path.write_text(text[:cut], encoding="utf-8-sig")
    err = assert_rejected(ws_path, path, "meta-ads")
    n_rows = text.count("\n")
    assert str(err).startswith(f"meta_cut.csv, row {n_rows}: expected 18 columns")
    assert "truncated" in str(err)
    # cut inside the quoted campaign name: still the row, and why
    path2 = tmp_path / "meta_cut_quote.csv"
    path2.write_text(text[: last_start + 10], encoding="utf-8-sig")
    err = assert_rejected(ws_path, path2, "meta-ads")
    assert str(err).startswith(f"meta_cut_quote.csv, row {n_rows}: a quoted field")
    assert "truncated" in str(err)
    # cut inside the last value: the cell is wrong and the message says why
    path3 = tmp_path / "meta_cut_value.csv"
    path3.write_text(body[:-1], encoding="utf-8-sig")
    err = assert_rejected(ws_path, path3, "meta-ads")
    assert str(err).startswith(f"meta_cut_value.csv, row {n_rows}, column 'Reporting ends'")
    assert "truncated" in str(err)


def test_unknown_format_name(tmp_path, ws_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    err = assert_rejected(ws_path, path, "meta-adz", exc_type=UnknownFormatError)
    assert str(err).startswith("unknown format 'meta-adz'; known formats:")
    assert "meta-ads" in str(err)


def test_short_gbk_line_is_not_mistaken_for_korean(tmp_path, ws_path):
    """GBK bytes are also valid CP949; common-character frequency decides."""
    from ripplemeter.workspace import Workspace

    path = tmp_path / "short_gbk.csv"
    path.write_bytes("date,metric,value,source\n2025-03-01,报名,1,微博\n".encode("gbk"))
    with Workspace(tmp_path / "own.duckdb") as ws:
        res = ws.import_file(path, "outcomes")
        assert ws.table("outcomes").metric.tolist() == ["报名"]
    assert any("GBK" in n for n in res.notes)


def test_too_short_to_tell_names_both_encodings(tmp_path, ws_path):
    from ripplemeter.errors import FormatError
    from ripplemeter.workspace import Workspace

    path = tmp_path / "tiny.csv"
    path.write_bytes("date,metric,value\n2025-03-01,其,1\n".encode("gbk"))
    with Workspace(ws_path) as ws, pytest.raises(FormatError) as exc:
        ws.import_file(path, "outcomes")
    msg = str(exc.value)
    assert msg.startswith("tiny.csv, row 2:")
    assert "GBK" in msg and "CP949" in msg and "UTF-8" in msg


def test_generic_duplicate_post_ids_with_different_numbers(tmp_path):
    from ripplemeter.errors import FormatError
    from ripplemeter.formats import SourceContext
    from ripplemeter.workspace import Workspace

    f = tmp_path / "dup.csv"
    f.write_text(
        "post_id,created_at,text,impressions\n"
        "1,2026-03-01 10:00,a,100\n2,2026-03-01 11:00,b,5\n1,2026-03-01 10:00,a,200\n"
    )
    with Workspace(tmp_path / "w.duckdb") as ws:
        before = ws.counts()
        with pytest.raises(FormatError) as exc:
            ws.import_file(f, "generic", SourceContext(platform="weibo"))
        assert str(exc.value) == (
            "dup.csv, row 4, column 'impressions': duplicate post id 'weibo:1' with different "
            "values (first at row 2; differs in 'impressions': 100 vs 200)"
        )
        assert ws.counts() == before
        same = tmp_path / "same.csv"
        same.write_text(
            "post_id,created_at,text,impressions\n"
            "1,2026-03-01 10:00,a,100\n1,2026-03-01 10:00,a,100\n"
        )
        res = ws.import_file(same, "generic", SourceContext(platform="weibo"))
        assert res.rows == {"posts": 1, "post_metrics": 1}
        assert any("kept once" in n for n in res.notes)
