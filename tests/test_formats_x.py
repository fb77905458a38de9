"""X (Twitter) Analytics importers: the real exports, and broken files written to tmp_path.

Expected values are read from the raw files with the csv module, not from the importer.
"""

from __future__ import annotations

import csv
import html
from pathlib import Path

import pandas as pd
import pytest

from ripplemeter.errors import FormatError
from ripplemeter.formats import SourceContext, x_analytics
from ripplemeter.workspace import Workspace

X = "platform_exports/x_twitter_analytics/"
LISA_TWEETS = X + "debruine_30DCC-2022/tweet_activity_metrics_LisaDeBruine_20210801_20210901_en.csv"
LISA_DAILY_AUG = (
    X + "debruine_30DCC-2022/daily_tweet_activity_metrics_LisaDeBruine_20210801_20210901_en.csv"
)
LISA_DAILY_JAN = (
    X + "debruine_30DCC-2022/daily_tweet_activity_metrics_LisaDeBruine_20210101_20210201_en.csv"
)
GERARD_JAN = X + "gtieng_twitter_analytics/gerardtieng_2019_1.csv"
GERARD_NOV = X + "gtieng_twitter_analytics/gerardtieng_2019_11.csv"

TWEET_FILES = [
    (LISA_TWEETS, 356, "LisaDeBruine"),
    (GERARD_JAN, 100, "gerardtieng"),
    (GERARD_NOV, 72, "gerardtieng"),
]

# The layouts as the importer defines them (tests/test_demo_layouts.py checks them against
# the real exports).
METRICS = [*x_analytics.METRIC_COLUMNS, *x_analytics.MEDIA_COLUMNS]
TWEET_HEADER = list(x_analytics.TWEETS_HEADER)
DAILY_HEADER = list(x_analytics.DAILY_HEADER)
CANONICAL = {
    "impressions": "impressions",
    "engagements": "engagements",
    "retweets": "reposts",
    "replies": "replies",
    "likes": "likes",
    "user profile clicks": "profile_clicks",
    "url clicks": "link_clicks",
    "hashtag clicks": "hashtag_clicks",
    "detail expands": "detail_expands",
    "media views": "media_views",
    "media engagements": "media_engagements",
    "follows": "follows",
}


def raw_dicts(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def count(value: str) -> int | None:
    return None if value == "-" else int(float(value))


def tweet_row(tid: str, handle: str = "someone", text: str = "hello", **over: str) -> list[str]:
    values = {m: "0.0" for m in METRICS}
    values["engagement rate"] = "0.0"
    values.update({f"promoted {m}": "-" for m in METRICS})
    values.update(over)
    head = [tid, f"https://twitter.com/{handle}/status/{tid}", text, "2021-08-31 19:53 +0000"]
    return head + [values[m] for m in TWEET_HEADER[4:]]


def write_csv(path: Path, header: list[str], rows: list[list[str]], *, end: str = "\n") -> Path:
    lines = [",".join(f'"{c}"' for c in header)]
    lines += [",".join('"' + c.replace('"', '""') + '"' for c in r) for r in rows]
    path.write_text("\n".join(lines) + end, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- real exports
@pytest.mark.real_data
@pytest.mark.parametrize(("relative", "n", "handle"), TWEET_FILES)
def test_every_tweet_export_imports_all_rows(real_data, workspace, relative, n, handle):
    path = real_data(relative)
    raw = raw_dicts(path)
    assert len(raw) == n  # the count PROVENANCE.md gives
    result = workspace.import_file(path, "x-analytics-tweets")
    assert result.rows == {"posts": n, "post_metrics": n, "accounts": 1}
    posts = workspace.table("posts")
    metrics = workspace.table("post_metrics")
    assert sorted(posts.post_id) == sorted(f"x:{r['Tweet id']}" for r in raw)
    assert set(posts.account_id) == {f"x:{handle}"}
    assert set(posts.channel) == {"microblog"} and set(posts.platform) == {"x"}
    accounts = workspace.table("accounts")
    assert accounts[["account_id", "handle", "role"]].values.tolist() == [
        [f"x:{handle}", handle, "owned"]
    ]
    # every figure equals the raw cell (written as floats like '312.0')
    by_id = metrics.set_index("post_id")
    for r in raw:
        got = by_id.loc[f"x:{r['Tweet id']}"]
        for src, dst in CANONICAL.items():
            assert got[dst] == count(r[src]), (r["Tweet id"], src)
    # kind: reply exactly when the text starts with '@'
    n_replies = sum(r["Tweet text"].startswith("@") for r in raw)
    assert (posts.kind == "reply").sum() == n_replies
    assert (posts.kind == "original").sum() == n - n_replies


@pytest.mark.real_data
def test_lisa_tweet_values_time_and_observation(real_data, workspace):
    path = real_data(LISA_TWEETS)
    workspace.import_file(path, "x-analytics-tweets")
    post = workspace.sql("SELECT * FROM posts WHERE post_id = 'x:1432793754507923461'").iloc[0]
    m = workspace.sql("SELECT * FROM post_metrics WHERE post_id = 'x:1432793754507923461'").iloc[0]
    # "2021-08-31 19:53 +0000" -> naive UTC
    assert post.created_at == pd.Timestamp("2021-08-31 19:53:00")
    assert post.url == "https://twitter.com/LisaDeBruine/status/1432793754507923461"
    assert post.text.startswith("@tmalsburg I agree your solution is more efficient.")
    assert post.kind == "reply" and not post.is_paid
    assert post.source_row == 2
    assert (m.impressions, m.engagements, m.replies, m.profile_clicks, m.detail_expands) == (
        89,
        5,
        1,
        2,
        2,
    )
    # observed at the end of the range in the file name, at 00:00 UTC
    assert m.observed_at == pd.Timestamp("2021-09-01 00:00:00")
    assert m.observed_at_source == "export_range"


@pytest.mark.real_data
def test_multiline_texts_are_kept_whole_and_rows_count_records(real_data, workspace):
    path = real_data(LISA_TWEETS)
    raw = raw_dicts(path)
    multi = [r for r in raw if "\n" in r["Tweet text"]]
    assert len(multi) == 84
    workspace.import_file(path, "x-analytics-tweets")
    posts = workspace.table("posts").set_index("post_id")
    for r in multi:
        assert posts.loc[f"x:{r['Tweet id']}", "text"] == html.unescape(r["Tweet text"])
    # source_row is the spreadsheet row (record index + 2), not the physical line
    for i, r in enumerate(raw):
        assert posts.loc[f"x:{r['Tweet id']}", "source_row"] == i + 2
    assert posts.text.str.contains("\n").sum() == 84


@pytest.mark.real_data
def test_promoted_dash_is_null_never_zero(real_data, workspace):
    path = real_data(GERARD_JAN)
    raw = raw_dicts(path)
    assert {r["promoted impressions"] for r in raw} == {"-"}
    imported_at = pd.Timestamp("2024-05-01 12:00:00")
    workspace.import_file(path, "x-analytics-tweets", SourceContext(imported_at=imported_at))
    m = workspace.table("post_metrics")
    assert m.promoted_impressions.isna().all() and m.promoted_engagements.isna().all()
    assert (workspace.table("posts").is_paid == False).all()  # noqa: E712
    one = m.set_index("post_id").loc["x:1091095912330551297"]
    assert (one.impressions, one.media_views, one.replies) == (312, 9, 1)
    # no date range in the file name -> import time
    assert set(m.observed_at_source) == {"import_time"}
    assert set(m.observed_at) == {imported_at}


@pytest.mark.real_data
@pytest.mark.parametrize("relative", [LISA_DAILY_AUG, LISA_DAILY_JAN])
def test_daily_exports(real_data, workspace, relative):
    path = real_data(relative)
    raw = raw_dicts(path)
    assert len(raw) == 31
    result = workspace.import_file(path, "x-analytics-daily")
    assert result.rows == {"account_daily": 31, "accounts": 1}
    daily = workspace.table("account_daily").sort_values("date")
    assert [d.date().isoformat() for d in daily.date] == [r["Date"] for r in raw]
    assert set(daily.account_id) == {"x:LisaDeBruine"}
    assert daily.impressions.sum() == sum(int(r["impressions"]) for r in raw)
    assert daily.posts_published.sum() == sum(int(r["Tweets published"]) for r in raw)
    assert daily.promoted_impressions.isna().all()
    assert daily.source_row.tolist() == list(range(2, 33))


@pytest.mark.real_data
def test_daily_values_of_one_day(real_data, workspace):
    workspace.import_file(real_data(LISA_DAILY_JAN), "x-analytics-daily")
    day = workspace.sql("SELECT * FROM account_daily WHERE date = DATE '2021-01-01'").iloc[0]
    # "2021-01-01","9","6703","262",...,"411","15","-",...
    assert (day.posts_published, day.impressions, day.engagements) == (9, 6703, 262)
    assert (day.profile_clicks, day.link_clicks, day.detail_expands) == (44, 14, 152)
    assert (day.media_views, day.media_engagements) == (411, 15)
    assert pd.isna(day.promoted_engagements)


@pytest.mark.real_data
def test_reimport_is_skipped(real_data, workspace):
    for rel, fmt in [(LISA_TWEETS, "x-analytics-tweets"), (LISA_DAILY_AUG, "x-analytics-daily")]:
        workspace.import_file(real_data(rel), fmt)
    before = workspace.counts()
    again = workspace.import_file(real_data(LISA_TWEETS), "x-analytics-tweets")
    assert again.skipped
    assert workspace.counts() == before
    assert before["posts"] == 356 and before["account_daily"] == 31


@pytest.mark.real_data
def test_daily_file_given_as_tweets_says_which_format(real_data, workspace):
    path = real_data(LISA_DAILY_AUG)
    with pytest.raises(FormatError) as err:
        workspace.import_file(path, "x-analytics-tweets")
    msg = str(err.value)
    assert msg.startswith(f"{path.name}, row 1, column 'Tweet id': ")
    assert "looks like an X daily activity export; use format x-analytics-daily" in msg
    assert workspace.counts()["posts"] == 0


@pytest.mark.real_data
def test_tweet_file_given_as_daily_says_which_format(real_data, workspace):
    path = real_data(GERARD_NOV)
    with pytest.raises(FormatError, match="use format x-analytics-tweets"):
        workspace.import_file(path, "x-analytics-daily")


# --------------------------------------------------------------------------- synthetic files
def test_utc_conversion_and_promoted_tweet(tmp_path, workspace):
    rows = [
        tweet_row("11", **{"promoted impressions": "120.0", "promoted engagements": "7.0"}),
        tweet_row("12", text="@a reply\nwith two lines"),
    ]
    rows[0][3] = "2021-08-31 21:53 +0200"
    path = write_csv(
        tmp_path / "tweet_activity_metrics_someone_20210801_20210901_en.csv", TWEET_HEADER, rows
    )
    workspace.import_file(path, "x-analytics-tweets")
    posts = workspace.table("posts").set_index("post_id")
    assert posts.loc["x:11", "created_at"] == pd.Timestamp("2021-08-31 19:53:00")
    assert bool(posts.loc["x:11", "is_paid"]) and not bool(posts.loc["x:12", "is_paid"])
    assert posts.loc["x:12", "text"] == "@a reply\nwith two lines"
    assert posts.loc["x:12", "kind"] == "reply" and posts.loc["x:11", "kind"] == "original"
    m = workspace.table("post_metrics").set_index("post_id")
    assert m.loc["x:11", "promoted_impressions"] == 120
    assert m.loc["x:11", "promoted_engagements"] == 7
    assert pd.isna(m.loc["x:12", "promoted_impressions"])


def test_account_setting_wins_over_permalink(tmp_path, workspace):
    path = write_csv(tmp_path / "t.csv", TWEET_HEADER, [tweet_row("21", handle="old")])
    workspace.import_file(path, "x-analytics-tweets", SourceContext(account="@brand"))
    assert workspace.table("posts").account_id.tolist() == ["x:brand"]
    assert workspace.table("accounts").account_id.tolist() == ["x:brand"]


def test_daily_without_handle_is_unknown_with_note(tmp_path, workspace):
    row = ["2021-08-01", "2"] + ["1"] * len(METRICS) + ["-"] * len(METRICS)
    path = write_csv(tmp_path / "daily.csv", DAILY_HEADER, [row])
    result = workspace.import_file(path, "x-analytics-daily")
    assert workspace.table("account_daily").account_id.tolist() == ["x:unknown"]
    assert any("x:unknown" in n for n in result.notes)
    assert "accounts" not in result.rows


def test_same_tweet_twice_with_equal_numbers_is_kept_once(tmp_path, workspace):
    path = write_csv(tmp_path / "t.csv", TWEET_HEADER, [tweet_row("31"), tweet_row("31")])
    result = workspace.import_file(path, "x-analytics-tweets")
    assert result.rows["posts"] == 1
    assert workspace.table("posts").source_row.tolist() == [2]


# --------------------------------------------------------------------------- bad input
@pytest.fixture
def seeded(tmp_path):
    """A workspace holding one good import, so that failed imports can be seen to change nothing."""
    ws = Workspace(tmp_path / "seeded.duckdb")
    good = write_csv(tmp_path / "good.csv", TWEET_HEADER, [tweet_row("1"), tweet_row("2")])
    ws.import_file(good, "x-analytics-tweets")
    yield ws
    ws.close()


def assert_fails(ws, path, fmt, *parts):
    before = ws.counts()
    n_imports = len(ws.imports())
    with pytest.raises(FormatError) as err:
        ws.import_file(path, fmt)
    msg = str(err.value)
    for part in (path.name, *parts):
        assert part in msg, msg
    assert ws.counts() == before
    assert len(ws.imports()) == n_imports
    return msg


def test_wrong_delimiter(tmp_path, seeded):
    rows = [";".join(f'"{c}"' for c in r) for r in [TWEET_HEADER, tweet_row("5")]]
    path = tmp_path / "semicolons.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert_fails(
        seeded,
        path,
        "x-analytics-tweets",
        "row 1",
        "column 'Tweet id'",
        "separated by semicolons, expected commas",
    )


def test_missing_required_column(tmp_path, seeded):
    drop = TWEET_HEADER.index("impressions")
    header = TWEET_HEADER[:drop] + TWEET_HEADER[drop + 1 :]
    row = tweet_row("5")
    path = write_csv(tmp_path / "noimpr.csv", header, [row[:drop] + row[drop + 1 :]])
    assert_fails(
        seeded,
        path,
        "x-analytics-tweets",
        "row 1",
        "column 'impressions'",
        "missing required column 'impressions'",
    )


def test_text_in_numeric_column_names_row_and_column(tmp_path, seeded):
    rows = [tweet_row("5", text="two\nlines"), tweet_row("6", likes="12,5k")]
    path = write_csv(tmp_path / "text.csv", TWEET_HEADER, rows)
    # the multi-line text on row 2 does not shift the spreadsheet row of the bad cell
    msg = assert_fails(seeded, path, "x-analytics-tweets")
    assert msg == "text.csv, row 3, column 'likes': expected a whole number, found '12,5k'"


def test_fraction_in_count_column(tmp_path, seeded):
    path = write_csv(tmp_path / "frac.csv", TWEET_HEADER, [tweet_row("5", retweets="2.5")])
    assert_fails(
        seeded,
        path,
        "x-analytics-tweets",
        "row 2",
        "column 'retweets'",
        "expected a whole number, found '2.5'",
    )


def test_duplicate_tweet_id_with_different_numbers(tmp_path, seeded):
    rows = [tweet_row("7"), tweet_row("8"), tweet_row("7", impressions="10.0")]
    path = write_csv(tmp_path / "dup.csv", TWEET_HEADER, rows)
    assert_fails(
        seeded,
        path,
        "x-analytics-tweets",
        "row 4",
        "column 'Tweet id'",
        "duplicate post id '7' with different numbers (first at row 2",
        "'impressions'",
    )


def test_truncated_last_line_inside_quotes(tmp_path, seeded):
    path = write_csv(tmp_path / "cut.csv", TWEET_HEADER, [tweet_row("5"), tweet_row("6")])
    text = path.read_text(encoding="utf-8")
    cut = text.rindex('"2021-08-31') + 5  # inside the quoted time of the last row
    path.write_text(text[:cut], encoding="utf-8")
    assert_fails(seeded, path, "x-analytics-tweets", "row 3", "column 'time'", "truncated")


def test_truncated_last_line_between_fields(tmp_path, seeded):
    path = write_csv(tmp_path / "cut2.csv", TWEET_HEADER, [tweet_row("5"), tweet_row("6")])
    text = path.read_text(encoding="utf-8")
    cut = text.rindex('","0.0"') + 1  # after a closing quote: the row has too few fields
    path.write_text(text[:cut], encoding="utf-8")
    msg = assert_fails(seeded, path, "x-analytics-tweets", "row 3", "column '", "truncated")
    assert "expected 40 columns as in the header" in msg


def test_bad_time(tmp_path, seeded):
    row = tweet_row("5")
    row[3] = "31/08/2021 19:53"
    path = write_csv(tmp_path / "time.csv", TWEET_HEADER, [row])
    assert_fails(
        seeded,
        path,
        "x-analytics-tweets",
        "row 2",
        "column 'time'",
        "expected a time like '2021-08-31 19:53 +0000', found '31/08/2021 19:53'",
    )


def test_rounded_tweet_id(tmp_path, seeded):
    path = write_csv(tmp_path / "ids.csv", TWEET_HEADER, [tweet_row("1.43279E+18")])
    assert_fails(
        seeded, path, "x-analytics-tweets", "row 2", "column 'Tweet id'", "rounded by a spreadsheet"
    )


def test_daily_file_as_tweets_synthetic(tmp_path, seeded):
    row = ["2021-08-01", "2"] + ["1"] * len(METRICS) + ["-"] * len(METRICS)
    path = write_csv(tmp_path / "daily.csv", DAILY_HEADER, [row])
    assert_fails(
        seeded,
        path,
        "x-analytics-tweets",
        "row 1",
        "column 'Tweet id'",
        "use format x-analytics-daily",
    )


def test_daily_bad_date_and_duplicate_day(tmp_path, seeded):
    good = ["2021-08-01", "2"] + ["1"] * len(METRICS) + ["-"] * len(METRICS)
    bad = ["08/02/2021"] + good[1:]
    path = write_csv(tmp_path / "daily_bad.csv", DAILY_HEADER, [good, bad])
    assert_fails(
        seeded,
        path,
        "x-analytics-daily",
        "row 3",
        "column 'Date'",
        "expected a date (YYYY-MM-DD), found '08/02/2021'",
    )
    other = good[:2] + ["5"] + good[3:]
    path = write_csv(tmp_path / "daily_dup.csv", DAILY_HEADER, [good, other])
    assert_fails(
        seeded,
        path,
        "x-analytics-daily",
        "row 3",
        "column 'Date'",
        "duplicate date '2021-08-01' with different numbers (first at row 2",
    )


def test_tweet_text_is_unescaped_as_posted(real_data, tmp_path):
    """X exports write texts HTML-escaped; we store the text as the author wrote it."""
    from ripplemeter.workspace import Workspace

    path = real_data(
        "platform_exports/x_twitter_analytics/debruine_30DCC-2022/"
        "tweet_activity_metrics_LisaDeBruine_20210801_20210901_en.csv"
    )
    raw = {r["Tweet id"]: r["Tweet text"] for r in csv.DictReader(open(path, encoding="utf-8"))}
    escaped = [i for i, t in raw.items() if "&amp;" in t]
    assert escaped
    with Workspace(tmp_path / "u.duckdb") as ws:
        ws.import_file(path, "x-analytics-tweets")
        got = dict(ws.con.execute("SELECT post_id, text FROM posts").fetchall())
    for i in escaped:
        assert got[f"x:{i}"] == raw[i].replace("&amp;", "&").replace("&lt;", "<").replace(
            "&gt;", ">"
        )


@pytest.mark.real_data
def test_cli_imports_several_files_with_one_command(real_data, tmp_path):
    from typer.testing import CliRunner

    from ripplemeter.cli import app
    from ripplemeter.workspace import Workspace

    a, b = real_data(GERARD_JAN), real_data(LISA_TWEETS)
    ws = tmp_path / "multi.duckdb"
    res = CliRunner().invoke(
        app, ["import", str(a), str(b), "--format", "x-analytics-tweets", "--workspace", str(ws)]
    )
    assert res.exit_code == 0, res.output
    assert f"{a.name}: imported 100 posts" in res.output
    assert f"{b.name}: imported 356 posts" in res.output
    with Workspace(ws) as w:
        assert len(w.imports()) == 2 and w.counts()["posts"] == 456
