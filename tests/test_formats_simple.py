"""outcomes, spend, rate-card, accounts and generic importers (CSV, XLSX, JSONL)."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pandas as pd
import pytest

from ripplemeter import schema
from ripplemeter.errors import FormatError
from ripplemeter.formats import SourceContext
from ripplemeter.formats.generic import allowed_values
from ripplemeter.workspace import Workspace


@pytest.fixture
def ws(tmp_path):
    w = Workspace(tmp_path / "ws.duckdb")
    yield w
    w.close()


def write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def xlsx(tmp_path, name: str, rows: dict[str, object]):
    """Write cells {'A3': value, ...} into a one-sheet workbook."""
    wb = openpyxl.Workbook()
    sheet = wb.active
    for ref, v in rows.items():
        sheet[ref] = v
    p = tmp_path / name
    wb.save(p)
    return p


# ---------------------------------------------------------------------------- outcomes


def test_outcomes_long_csv(ws, tmp_path):
    p = write(
        tmp_path,
        "crm.csv",
        "date,metric,value,source\n"
        "2025-03-01,registrations,120,crm\n"
        '2025/03/02,registrations,"1,250",\n'
        "2025-03-02,orders,,crm\n",
    )
    res = ws.import_file(p, "outcomes")
    assert res.rows == {"outcomes": 3}
    df = ws.sql("SELECT * FROM outcomes ORDER BY source_row")
    assert df["date"].dt.date.tolist() == [dt.date(2025, 3, 1), dt.date(2025, 3, 2)] * 1 + [
        dt.date(2025, 3, 2)
    ]
    assert df["value"].iloc[:2].tolist() == [120, 1250]
    assert pd.isna(df["value"].iloc[2])  # empty is NULL, never 0
    assert df["source"].tolist() == ["crm", "crm.csv", "crm"]
    assert df["source_row"].tolist() == [2, 3, 4]


def test_outcomes_wide_csv(ws, tmp_path):
    p = write(tmp_path, "daily.csv", "date,registrations,orders\n2025-03-01,10,2\n2025-03-02,11,\n")
    res = ws.import_file(p, "outcomes")
    df = ws.sql("SELECT * FROM outcomes ORDER BY source_row, metric")
    assert res.rows == {"outcomes": 4}
    assert df[["metric", "value"]].values.tolist()[:2] == [["orders", 2.0], ["registrations", 10.0]]
    assert pd.isna(df[(df["source_row"] == 3) & (df["metric"] == "orders")]["value"].iloc[0])
    assert any("wide form" in n for n in res.notes)


def test_outcomes_xlsx_rows_are_sheet_rows(ws, tmp_path):
    p = xlsx(
        tmp_path,
        "outcomes.xlsx",
        {
            "A3": "Date",
            "B3": "Metric",
            "C3": "Value",
            "A4": dt.datetime(2025, 3, 1),
            "B4": "sales",
            "C4": 1999.5,
            "A6": dt.date(2025, 3, 2),
            "B6": "sales",
            "C6": 10,
        },
    )
    ws.import_file(p, "outcomes")
    df = ws.sql("SELECT * FROM outcomes ORDER BY source_row")
    assert df["source_row"].tolist() == [4, 6]
    assert df["value"].tolist() == [1999.5, 10]
    assert df["date"].dt.date.tolist() == [dt.date(2025, 3, 1), dt.date(2025, 3, 2)]

    bad = xlsx(
        tmp_path,
        "bad.xlsx",
        {"A1": "date", "B1": "metric", "C1": "value", "A5": "2025-03-01", "B5": "x", "C5": "n/a"},
    )
    with pytest.raises(FormatError) as ei:
        ws.import_file(bad, "outcomes")
    assert str(ei.value) == "bad.xlsx, row 5, column 'value': expected a number, found 'n/a'"


def test_outcomes_bad_date(ws, tmp_path):
    p = write(tmp_path, "o.csv", "date,metric,value\nMarch 1st,orders,1\n")
    with pytest.raises(FormatError) as ei:
        ws.import_file(p, "outcomes")
    assert str(ei.value) == (
        "o.csv, row 2, column 'date': expected a date (YYYY-MM-DD or YYYY/MM/DD), found 'March 1st'"
    )


def test_outcomes_day_or_month_first_date_asks_which(ws, tmp_path):
    p = write(tmp_path, "o.csv", "date,metric,value\n01/03/2025,orders,1\n")
    with pytest.raises(FormatError) as ei:
        ws.import_file(p, "outcomes")
    assert str(ei.value).startswith(
        "o.csv, row 2, column 'date': the date '01/03/2025' is not year first and it can be "
        "read day first or month first; say which order the file uses: dayfirst = true"
    )


# ---------------------------------------------------------------------------- spend


def test_spend_days_and_periods(ws, tmp_path):
    p = write(
        tmp_path,
        "spend.csv",
        "date,reporting_start,reporting_end,platform,campaign,amount,currency,impressions,"
        "link_clicks\n"
        "2025-03-01,,,Weibo,launch,1000.5,cny,20000,300\n"
        ",2025-03-01,2025-03-07,x,launch,200,USD,,\n",
    )
    ws.import_file(p, "spend")
    df = ws.sql("SELECT * FROM spend ORDER BY source_row")
    assert df["platform"].tolist() == ["weibo", "x"]
    assert df["currency"].tolist() == ["CNY", "USD"]
    assert df["date"].iloc[0].date() == dt.date(2025, 3, 1) and pd.isna(df["date"].iloc[1])
    assert df["reporting_end"].iloc[1].date() == dt.date(2025, 3, 7)
    assert pd.isna(df["impressions"].iloc[1]) and df["impressions"].iloc[0] == 20000


def test_spend_period_backwards_and_missing_platform(ws, tmp_path):
    p = write(
        tmp_path,
        "s.csv",
        "reporting_start,reporting_end,amount,platform\n2025-03-07,2025-03-01,5,x\n",
    )
    with pytest.raises(FormatError, match=r"s\.csv, row 2, column 'reporting_end'"):
        ws.import_file(p, "spend")
    p2 = write(tmp_path, "s2.csv", "date,amount,currency\n2025-03-01,5,USD\n")
    with pytest.raises(FormatError, match="column 'platform'"):
        ws.import_file(p2, "spend")
    ws.import_file(p2, "spend", SourceContext(platform="naver"))
    assert ws.sql("SELECT platform FROM spend")["platform"].tolist() == ["naver"]


# ---------------------------------------------------------------------------- rate cards


def test_rate_card_units(ws, tmp_path):
    p = write(tmp_path, "rc.csv", "platform,unit,price\nweibo,per post,5000\nx,CPM,12.5\n")
    res = ws.import_file(p, "rate-card")
    df = ws.sql("SELECT * FROM rate_cards ORDER BY source_row")
    assert df["unit"].tolist() == ["per_post", "cpm"]
    assert df["currency"].isna().all()
    assert any("currency" in n for n in res.notes)
    bad = write(tmp_path, "rc2.csv", "platform,unit,price,currency\nx,cpv,1,USD\n")
    with pytest.raises(FormatError) as ei:
        ws.import_file(bad, "rate-card")
    assert str(ei.value) == (
        "rc2.csv, row 2, column 'unit': expected one of per_post, cpm, cpc, found 'cpv'"
    )


# ---------------------------------------------------------------------------- accounts


def test_accounts_namespaced_and_validated(ws, tmp_path):
    p = write(
        tmp_path,
        "accounts.csv",
        "account_id,platform,handle,name,role,followers,media_type,is_partner\n"
        "123,x,@brand,Brand,owned,1000,,no\n"
        'x:456,x,press,Press,media,"25,000",online,yes\n'
        "1005,weibo,kol1,KOL,KOL,3,,1\n",
    )
    ws.import_file(p, "accounts")
    df = ws.sql("SELECT * FROM accounts ORDER BY source_row")
    assert df["account_id"].tolist() == ["x:123", "x:456", "weibo:1005"]
    assert df["handle"].tolist() == ["brand", "press", "kol1"]
    assert df["role"].tolist() == ["owned", "media", "kol"]
    assert df["followers"].tolist() == [1000, 25000, 3]
    assert pd.isna(df["media_type"].iloc[0]) and df["media_type"].iloc[1] == "online"
    assert df["is_partner"].tolist() == [False, True, True]
    bad = write(tmp_path, "a2.csv", "account_id,platform,role\n1,x,owner\n")
    with pytest.raises(FormatError) as ei:
        ws.import_file(bad, "accounts")
    assert str(ei.value) == (
        "a2.csv, row 2, column 'role': expected one of owned, partner, competitor, media, kol, "
        "public, found 'owner'"
    )
    bad = write(tmp_path, "a3.csv", "account_id,platform,media_type\n1,x,magazine\n")
    with pytest.raises(FormatError, match="row 2, column 'media_type'"):
        ws.import_file(bad, "accounts")


def test_allowed_values_follow_schema():
    assert allowed_values("accounts", "role") == (
        ("owned", "partner", "competitor", "media", "kol", "public"),
        False,
    )
    assert allowed_values("accounts", "media_type") == (("online", "print", "tv", "radio"), True)
    assert allowed_values("rate_cards", "unit")[0] == ("per_post", "cpm", "cpc")


# ---------------------------------------------------------------------------- generic


def test_generic_posts_mapping_and_time_zones(ws, tmp_path):
    p = write(
        tmp_path,
        "posts.csv",
        "id,author,posted,content,promoted\n"
        "1,alice,2025-03-01 20:00:00,你好,yes\n"
        "2,bob,2025-03-01T12:00:00+00:00,hi,\n",
    )
    ctx = SourceContext(
        platform="weibo",
        timezone="Asia/Shanghai",
        columns={
            "post_id": "id",
            "account_id": "author",
            "created_at": "posted",
            "text": "content",
            "is_paid": "promoted",
        },
    )
    res = ws.import_file(p, "generic", ctx)
    df = ws.sql("SELECT * FROM posts ORDER BY source_row")
    assert df["post_id"].tolist() == ["weibo:1", "weibo:2"]
    assert df["account_id"].tolist() == ["weibo:alice", "weibo:bob"]
    assert df["platform"].tolist() == ["weibo", "weibo"]
    # naive Beijing time 20:00 -> 12:00 UTC; the offset one is already UTC
    assert df["created_at"].tolist() == [pd.Timestamp("2025-03-01 12:00")] * 2
    assert df["text"].iloc[0] == "你好"
    assert df["is_paid"].iloc[0] == True and pd.isna(df["is_paid"].iloc[1])  # noqa: E712
    assert any("Asia/Shanghai" in n and "'posted'" in n for n in res.notes)
    assert ws.imports()["source_timezone"].iloc[0] == "Asia/Shanghai"


def test_generic_missing_mapped_column(ws, tmp_path):
    p = write(tmp_path, "p.csv", "id,text\n1,a\n")
    ctx = SourceContext(platform="x", columns={"post_id": "id", "created_at": "Time"})
    with pytest.raises(FormatError) as ei:
        ws.import_file(p, "generic", ctx)
    msg = str(ei.value)
    assert msg.startswith("p.csv, row 1, column 'Time': column 'Time' (mapped to posts.created_at)")
    with pytest.raises(FormatError, match="'nope' is not a column of table posts"):
        ws.import_file(p, "generic", SourceContext(platform="x", columns={"nope": "id"}))
    with pytest.raises(FormatError, match="unknown table 'tweets'"):
        ws.import_file(p, "generic", SourceContext(platform="x", table="tweets"))
    with pytest.raises(FormatError, match="posts need a platform"):
        ws.import_file(p, "generic", SourceContext(columns={"post_id": "id"}))
    assert ws.counts()["posts"] == 0


def test_generic_jsonl_rows_are_lines(ws, tmp_path):
    lines = [
        json.dumps({"id": "10", "user": {"id": 7}, "metrics": {"likes": 3, "views": 1000}}),
        "",
        json.dumps({"id": "11", "user": {"id": 8}, "metrics": {"likes": None, "views": 5}}),
        json.dumps({"id": "12", "user": {"id": 8}, "metrics": {"likes": "many", "views": 5}}),
    ]
    p = write(tmp_path, "m.jsonl", "\n".join(lines[:3]) + "\n")
    ctx = SourceContext(
        platform="x",
        table="post_metrics",
        columns={"post_id": "id", "likes": "metrics.likes", "views": "metrics.views"},
    )
    ws.import_file(p, "generic", ctx)
    df = ws.sql("SELECT * FROM post_metrics ORDER BY source_row")
    assert df["source_row"].tolist() == [1, 3]
    assert df["post_id"].tolist() == ["x:10", "x:11"]
    assert df["likes"].iloc[0] == 3 and pd.isna(df["likes"].iloc[1])
    assert (df["observed_at_source"] == "import_time").all()
    bad = write(tmp_path, "bad.jsonl", "\n".join(lines) + "\n")
    with pytest.raises(FormatError) as ei:
        ws.import_file(bad, "generic", ctx)
    assert str(ei.value) == (
        "bad.jsonl, row 4, column 'metrics.likes': expected a whole number, found 'many'"
    )
    broken = write(tmp_path, "broken.jsonl", lines[0] + "\n" + lines[2][:20])
    with pytest.raises(FormatError, match=r"broken\.jsonl, row 2: not valid JSON.*truncated"):
        ws.import_file(broken, "generic", ctx)


def test_generic_xlsx_to_follows_and_identity_mapping(ws, tmp_path):
    p = xlsx(
        tmp_path,
        "edges.xlsx",
        {
            "A1": "src_account_id",
            "B1": "dst_account_id",
            "C1": "weight",
            "A2": 1,
            "B2": 2,
            "C2": 0.5,
            "A3": "x:3",
            "B3": 1,
        },
    )
    res = ws.import_file(p, "generic", SourceContext(platform="x", table="follows"))
    df = ws.sql("SELECT * FROM follows ORDER BY source_row")
    assert df["src_account_id"].tolist() == ["x:1", "x:3"]
    assert df["dst_account_id"].tolist() == ["x:2", "x:1"]
    assert df["weight"].iloc[0] == 0.5 and pd.isna(df["weight"].iloc[1])
    assert any("columns used by name" in n for n in res.notes)


def test_generic_types_follow_schema(ws, tmp_path):
    # every canonical type the generic importer meets is one it converts
    types = {c.type for t in schema.TABLES.values() for c in t.columns}
    assert types <= {
        "VARCHAR",
        "BIGINT",
        "DOUBLE",
        "DATE",
        "TIMESTAMP",
        "BOOLEAN",
        "SMALLINT",
        "INTEGER",
    }
    p = write(tmp_path, "o.tsv", "date\tmetric\tvalue\n2025-03-01\tctr\t12.5%\n")
    ws.import_file(p, "generic", SourceContext(table="outcomes"))
    assert ws.sql("SELECT value FROM outcomes")["value"].iloc[0] == pytest.approx(0.125)


def test_generic_posts_with_figures_fill_post_metrics_and_cli_mapping(tmp_path):
    from typer.testing import CliRunner

    from ripplemeter.cli import app
    from ripplemeter.workspace import Workspace

    f = tmp_path / "weibo.csv"
    f.write_text(
        "ID,Published,Content,Views\n1,2026-03-01 10:00,你好,100\n2,2026-03-02 11:00,hi,\n"
    )
    ws_path = tmp_path / "ws.duckdb"
    args = [
        "import",
        str(f),
        "--format",
        "generic",
        "--workspace",
        str(ws_path),
        "--platform",
        "weibo",
        "--timezone",
        "Asia/Shanghai",
        "--column",
        "post_id=ID",
        "--column",
        "created_at=Published",
        "--column",
        "text=Content",
        "--column",
        "impressions=Views",
    ]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    with Workspace(ws_path) as ws:
        posts = ws.table("posts").set_index("post_id")
        m = ws.table("post_metrics").set_index("post_id")
    # Beijing 10:00 is 02:00 UTC
    assert str(posts.loc["weibo:1", "created_at"]) == "2026-03-01 02:00:00"
    assert posts.loc["weibo:1", "text"] == "你好"
    assert m.loc["weibo:1", "impressions"] == 100
    assert m["impressions"].isna().loc["weibo:2"]  # empty is NULL, never 0
    bad = CliRunner().invoke(app, [*args[:6], "--column", "post_id"])
    assert bad.exit_code == 2 and "CANONICAL=SOURCE" in bad.output


def test_accounts_file_gets_the_registry_checks_on_credentials_and_time_zone(ws, tmp_path):
    """`import -f accounts` applies the accounts registry's rules: a reference, never a secret."""
    secret = "ghp_" + "abcdefghijklmnopqrstuvwxyz0123456789AB"
    bad = tmp_path / "acc.csv"
    bad.write_text(
        "account_id,platform,role,credentials_ref\n"
        "lumen,x,owned,env:X_TOKEN\n"
        f"rival,x,competitor,{secret}\n",
        encoding="utf-8",
    )
    with pytest.raises(FormatError) as err:
        ws.import_file(bad, "accounts")
    assert (err.value.row, err.value.column) == (3, "credentials_ref")
    assert secret not in str(err.value)
    assert ws.table("accounts").empty  # nothing half-written

    zone = tmp_path / "zone.csv"
    zone.write_text("account_id,platform,timezone\nlumen,x,Mars/Base\n", encoding="utf-8")
    with pytest.raises(FormatError) as err:
        ws.import_file(zone, "accounts")
    assert (err.value.row, err.value.column) == (2, "timezone")

    good = tmp_path / "good.csv"
    good.write_text(
        "account_id,platform,credentials_ref,timezone\nlumen,x, env:X_TOKEN ,Asia/Seoul\n",
        encoding="utf-8",
    )
    ws.import_file(good, "accounts")
    row = ws.table("accounts").iloc[0]
    assert (row["credentials_ref"], row["timezone"]) == ("env:X_TOKEN", "Asia/Seoul")
