"""The reposts CSV format: roots and reposts, ids, times, root ids, errors."""

from __future__ import annotations

import pandas as pd
import pytest

from ripplemeter.errors import FormatError
from ripplemeter.formats import SourceContext, get_format
from ripplemeter.network.cascades import build_cascades

FILE = """post_id,parent_id,account_id,created_at,text
1,,brand,2026-03-01T10:00:00+08:00,"Spring Matcha, finally"
2,1,fan01,2026-03-01 02:05:00,RT
3,2,fan02,2026-03-01T02:07:00Z,RT RT
4,9,fan03,,lost parent
5,,rival,,
6,5,fan04,2026-03-02T00:00:00Z,
3,2,fan02,2026-03-01T02:08:00Z,RT RT again
"""


def read(tmp_path, text, name="reposts.csv", **ctx):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return get_format("reposts").reader(path, SourceContext(**ctx))


def test_rows(tmp_path):
    rows = read(tmp_path, FILE, platform="weibo")
    df = rows.tables["posts"]
    assert list(rows.tables) == ["posts"]
    assert df["post_id"].tolist()[:3] == ["weibo:1", "weibo:2", "weibo:3"]
    assert (
        df["kind"].tolist()
        == ["original", "repost", "repost", "repost", "original"] + ["repost"] * 2
    )
    assert df["root_id"].tolist()[:3] == ["weibo:1"] * 3
    assert pd.isna(df["root_id"].iloc[3])  # its parent 9 is not in the file
    assert df["root_id"].iloc[5] == "weibo:5"
    assert df["account_id"].iloc[0] == "weibo:brand" and df["platform"].iloc[0] == "weibo"
    assert df["created_at"].iloc[0] == pd.Timestamp("2026-03-01 02:00:00")
    assert df["created_at"].iloc[1] == pd.Timestamp("2026-03-01 02:05:00")
    assert pd.isna(df["created_at"].iloc[4]) and pd.isna(df["text"].iloc[4])
    assert df["source_row"].tolist() == [2, 3, 4, 5, 6, 7, 8]
    assert any("repeat a post id" in n for n in rows.notes)
    assert any("does not reach a root" in n for n in rows.notes)


def test_into_cascades(tmp_path):
    df = read(tmp_path, FILE, platform="weibo").tables["posts"]
    cs = build_cascades(df)
    assert cs.summary["cascades"] == 2 and cs.summary["orphans"] == 1
    assert cs.summary["duplicates"] == 1 and cs.summary["duplicates_differing"] == 1
    mf = cs.metrics_frame().set_index("root_id")
    assert mf.loc["weibo:1", "size"] == 3 and mf.loc["weibo:1", "depth"] == 2
    assert mf.loc["weibo:1", "t50"] == 300.0
    assert mf.loc["weibo:5", "size"] == 2 and mf.loc["weibo:5", "times_unknown"] == 1


def test_default_platform_and_timezone(tmp_path):
    rows = read(tmp_path, FILE, timezone="Asia/Shanghai")
    df = rows.tables["posts"]
    assert df["post_id"].iloc[0] == "generic:1"
    assert any("no platform given" in n for n in rows.notes)
    assert df["created_at"].iloc[1] == pd.Timestamp("2026-02-28 18:05:00")  # read in Shanghai


def test_fast_and_slow_readers_agree(tmp_path):
    fast = read(tmp_path, FILE, platform="x").tables["posts"]
    # a blank line sends the file to the row-by-row reader (rows must be numbered exactly)
    lines = FILE.split("\n")
    slow = read(tmp_path, "\n".join([*lines[:3], "", *lines[3:]]), platform="x").tables["posts"]
    assert slow["source_row"].tolist() == [2, 3, 5, 6, 7, 8, 9]
    pd.testing.assert_frame_equal(fast.drop(columns="source_row"), slow.drop(columns="source_row"))


def test_other_timestamp_forms(tmp_path):
    text = "post_id,parent_id,created_at\n1,,Wed Oct 10 20:19:24 +0000 2018\n2,1,2018/10/10 21:00\n"
    df = read(tmp_path, text, platform="x").tables["posts"]
    assert df["created_at"].tolist() == [
        pd.Timestamp("2018-10-10 20:19:24"),
        pd.Timestamp("2018-10-10 21:00:00"),
    ]


@pytest.mark.parametrize(
    ("text", "row", "column", "words"),
    [
        ("post_id,parent_id,created_at\n1,,2026-03-01\n2,1,yesterday\n", 3, "created_at", "date"),
        ("post_id,parent_id\n1,\n,1\n", 3, "post_id", "post id"),
        ("post_id,account_id\n1,a\n", 1, "parent_id", "parent_id"),
        ("post_id,parent_id,text\n1,,a\n2,1\n", 3, None, "columns"),
    ],
)
def test_errors(tmp_path, text, row, column, words):
    with pytest.raises(FormatError) as err:
        read(tmp_path, text, platform="x")
    exc = err.value
    assert "reposts.csv" in str(exc) and words in str(exc)
    assert exc.row == row
    if column:
        assert exc.column == column


def test_recognised(tmp_path):
    path = tmp_path / "reposts.csv"
    path.write_text(FILE, encoding="utf-8")
    with pytest.raises(FormatError, match="reposts"):
        get_format("accounts").reader(path, SourceContext())
