"""Issue 11: bulk import and export of the calendar (Hootsuite, Buffer, iCalendar).

Row numbers are counted by hand as a spreadsheet shows them (row 1 is the first line).
The clock is fixed at 2026-12-01 00:00 UTC, 09:00 in Seoul, the accounts' zone.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from icalendar import Calendar

from ripplemeter.errors import FormatError
from ripplemeter.operations.accounts import add_account
from ripplemeter.operations.bulk import (
    import_buffer,
    import_hootsuite,
    read_buffer,
    read_hootsuite,
    to_buffer_csv,
    to_hootsuite_csv,
    to_ical,
)
from ripplemeter.operations.calendar import Planner, history, list_plans
from ripplemeter.operations.standards import load_standards
from ripplemeter.operations.team import load_team
from ripplemeter.workspace import Workspace

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
MASTO = "mastodon:109876"
NOW = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)


def planner() -> Planner:
    ws = Workspace()
    add_account(ws, MASTO, role="owned", timezone="Asia/Seoul")
    return Planner(
        ws,
        team=load_team(EXAMPLES / "team.toml"),
        standards=load_standards(EXAMPLES / "standards.toml"),
        clock=lambda: NOW,
    )


@pytest.fixture
def cal():
    p = planner()
    yield p
    p.ws.close()


def plan_of(posts):
    return [(p.text, p.link, p.local_time().replace(tzinfo=None), p.accounts) for p in posts]


PLAN = [
    ("New beans from Ethiopia #coffee", "https://ripple.example/beans", "2026-12-07 09:00"),
    ('=HYPERLINK("http://evil.example","click")', None, "2026-12-07 18:30"),
    ('@ripplefriends 이번 주 리플커피 원두, "라이트 로스트"', None, "2026-12-08 12:05"),
    ("-20% this weekend\nsecond line", "https://ripple.example/sale", "2026-12-13 23:55"),
]


@pytest.mark.parametrize("order", ["dmy", "mdy"])
def test_hootsuite_round_trip_gives_the_same_plan(cal, tmp_path, order):
    for text, link, when in PLAN:
        cal.add("tom", text, [MASTO], when, link=link)
    original = list_plans(cal.ws)
    csv_text = to_hootsuite_csv(original, date_order=order)
    lines = csv_text.splitlines()
    # day/month or month/day, 24-hour, Seoul time; formula triggers neutralised
    first = "07/12/2026 09:00" if order == "dmy" else "12/07/2026 09:00"
    assert lines[0] == f"{first},New beans from Ethiopia #coffee,https://ripple.example/beans"
    assert lines[1].split(",", 1)[1].startswith("\"'=HYPERLINK(")
    assert "'@ripplefriends" in lines[2]
    path = tmp_path / "hootsuite.csv"
    path.write_text(csv_text, encoding="utf-8")
    other = planner()
    imported = import_hootsuite(other, "tom", path, [MASTO], date_order=order)
    assert plan_of(imported) == plan_of(original)
    assert [p.state for p in imported] == ["draft"] * 4
    assert set(history(other.ws)["comment"]) == {"imported from hootsuite.csv"}
    other.ws.close()


def test_buffer_round_trip_keeps_labels_and_media(cal, tmp_path):
    cal.add(
        "tom",
        "Latte art class on Saturday",
        [MASTO],
        "2026-12-12 10:00",
        media=["https://cdn.example/latte.jpg"],
        pillar="education",
    )
    cal.add("tom", "+1 free cookie with any latte", [MASTO], "2026-12-12 15:00", promotional=True)
    original = list_plans(cal.ws)
    text = to_buffer_csv(original)
    assert text.splitlines()[0] == "Text,Image URL,Tags,Posting Time"
    assert text.splitlines()[2] == "'+1 free cookie with any latte,,promotional,2026-12-12 15:00"
    path = tmp_path / "buffer.csv"
    path.write_text(text, encoding="utf-8")
    other = planner()
    got = import_buffer(other, "tom", path, [MASTO])
    assert plan_of(got) == plan_of(original)
    assert [(p.pillar, p.promotional, p.media) for p in got] == [
        ("education", False, ("https://cdn.example/latte.jpg",)),
        (None, True, ()),
    ]
    other.ws.close()


def test_buffer_round_trip_with_local_media_paths(cal, tmp_path):
    # issue 11 review: the export wrote the planned media path into Image URL and the
    # import demanded an http(s) link, so a plan with local media did not come back.
    cal.add("tom", "Beans of the week", [MASTO], "2026-12-12 10:00", media=["media/beans.png"])
    cal.add("tom", "Latte art", [MASTO], "2026-12-12 15:00", media=["/srv/ripple/latte art.jpg"])
    original = list_plans(cal.ws)
    text = to_buffer_csv(original)
    assert text.splitlines()[1] == "Beans of the week,media/beans.png,,2026-12-12 10:00"
    path = tmp_path / "buffer.csv"
    path.write_text(text, encoding="utf-8")
    other = planner()
    got = import_buffer(other, "tom", path, [MASTO])
    assert plan_of(got) == plan_of(original)
    assert [p.media for p in got] == [("media/beans.png",), ("/srv/ripple/latte art.jpg",)]
    other.ws.close()
    # a link with another scheme is still refused, naming the row and column
    path.write_text(
        "Text,Image URL,Tags,Posting Time\nHi,ftp://cdn.example/a.png,,2026-12-12 10:00\n",
        encoding="utf-8",
    )
    with pytest.raises(FormatError, match=r"row 2, column 'Image URL': expected a full link"):
        import_buffer(cal, "tom", path, [MASTO])


GOOD = "07/12/2026 09:00,Good morning from Ripple Coffee,\n"


@pytest.mark.parametrize(
    ("bad_row", "row", "column", "words"),
    [
        ("07/12/2026 1:30 PM,Afternoon,\n", 2, "Date", "the 24-hour clock"),
        ("2026-12-07 13:30,Afternoon,\n", 2, "Date", "day/month/year hour:minute"),
        ("31/02/2026 13:30,Afternoon,\n", 2, "Date", "a real date"),
        ("07/12/2026 13:47,Afternoon,\n", 2, "Date", "ending in 0 or 5"),
        # 09:05 in Seoul is 5 minutes after the clock's 09:00: under Hootsuite's 10 minutes
        ("01/12/2026 09:05,Too soon,\n", 2, "Date", "less than 10 minutes after now"),
        ("07/12/2026 13:30,,\n", 2, "Message", "the message is empty"),
        ("07/12/2026 13:30,Good morning from  ripple coffee,\n", 2, "Message", "as row 1"),
        ("07/12/2026 13:30,Afternoon,www.example.com\n", 2, "Link", "https://"),
        ("07/12/2026 13:30,Afternoon,,extra\n", 2, "column D", "three columns"),
    ],
)
def test_each_hootsuite_rule_is_reported_by_row_and_column(
    cal, tmp_path, bad_row, row, column, words
):
    path = tmp_path / "bulk.csv"
    path.write_text(GOOD + bad_row, encoding="utf-8")
    with pytest.raises(FormatError) as exc:
        import_hootsuite(cal, "tom", path, [MASTO], date_order="dmy")
    assert (exc.value.row, exc.value.column) == (row, column)
    assert f"bulk.csv, row {row}, column '{column}'" in str(exc.value)
    assert words in str(exc.value)
    assert list_plans(cal.ws) == []  # row 1 was good, and is not written either
    assert history(cal.ws).empty


NONEXISTENT = "02:30 does not exist on 2027-03-14 in America/New_York: the clocks go forward"
TWICE = (
    "01:30 on 2027-11-07 in America/New_York happens twice: the clocks go back "
    "(first at UTC-04:00, then at UTC-05:00); choose another time"
)


@pytest.mark.parametrize(
    ("fmt", "line", "row", "column", "words"),
    [
        # New York springs forward at 02:00 on Sunday 14 March 2027: 02:30 never happens
        ("hootsuite", "14/03/2027 02:30,Spring,", 2, "Date", NONEXISTENT),
        ("buffer", "Spring,,,2027-03-14 02:30", 3, "Posting Time", NONEXISTENT),
        # ... and falls back at 02:00 on Sunday 7 November 2027: 01:30 happens twice
        ("hootsuite", "07/11/2027 01:30,Autumn,", 2, "Date", TWICE),
        ("buffer", "Autumn,,,2027-11-07 01:30", 3, "Posting Time", TWICE),
    ],
)
def test_a_time_that_does_not_exist_or_happens_twice_is_refused_by_row_and_column(
    tmp_path, fmt, line, row, column, words
):
    # issue 11 review: such times were accepted silently (02:30 read as 03:30, 01:30 as
    # the first of the two). Dates by hand from the US rule (second Sunday of March, first
    # Sunday of November); row numbers as a spreadsheet shows them (Buffer has a header).
    path = tmp_path / "bulk.csv"
    with pytest.raises(FormatError) as exc:
        if fmt == "hootsuite":
            path.write_text("13/03/2027 09:00,Saturday,\n" + line + "\n", encoding="utf-8")
            read_hootsuite(path, date_order="dmy", now=NOW, tz="America/New_York")
        else:
            path.write_text(
                "Text,Image URL,Tags,Posting Time\nSaturday,,,2027-03-13 09:00\n" + line + "\n",
                encoding="utf-8",
            )
            read_buffer(path, now=NOW, tz="America/New_York")
    assert (exc.value.row, exc.value.column) == (row, column)
    assert f"bulk.csv, row {row}, column '{column}': {words}" in str(exc.value)


def test_a_header_row_is_skipped_and_rows_keep_their_numbers(cal, tmp_path):
    path = tmp_path / "bulk.csv"
    path.write_text(
        "Date,Message,Link\n" + GOOD + "07/12/2026 13:30,Afternoon,\n", encoding="utf-8"
    )
    rows = read_hootsuite(path, date_order="dmy", now=NOW, tz="Asia/Seoul")
    assert [(r.row, r.text) for r in rows] == [
        (2, "Good morning from Ripple Coffee"),
        (3, "Afternoon"),
    ]


def test_more_than_350_messages_is_refused(tmp_path):
    start = dt.datetime(2027, 1, 1, 0, 0)
    lines = [
        f"{start + dt.timedelta(minutes=5 * i):%d/%m/%Y %H:%M},message {i}," for i in range(351)
    ]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(FormatError, match="row 351: more than 350 messages"):
        read_hootsuite(path, date_order="dmy", now=NOW)


def test_a_late_failure_leaves_nothing_half_imported(cal, tmp_path):
    # 20 good rows, then row 21 repeating row 4: refused, and none of the 20 is written
    rows = [
        f"{dt.datetime(2026, 12, 10, 9, 0) + dt.timedelta(hours=i):%d/%m/%Y %H:%M},post {i},"
        for i in range(20)
    ]
    path = tmp_path / "bulk.csv"
    path.write_text("\n".join(rows) + "\n07/12/2026 09:00,post 3,\n", encoding="utf-8")
    with pytest.raises(FormatError, match="row 21, column 'Message': the same message as row 4"):
        import_hootsuite(cal, "tom", path, [MASTO], date_order="dmy")
    assert cal.ws.con.execute("SELECT count(*) FROM planned_posts").fetchone() == (0,)
    # a refused account after reading: nothing written either
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(Exception, match="x:1 is not in the registry"):
        import_hootsuite(cal, "tom", path, [MASTO, "x:1"], date_order="dmy")
    assert cal.ws.con.execute("SELECT count(*) FROM planned_posts").fetchone() == (0,)
    assert len(import_hootsuite(cal, "tom", path, [MASTO], date_order="dmy")) == 20


def test_the_same_file_imported_again_adds_nothing(tmp_path):
    # trial: re-importing the same Hootsuite (or Buffer) file duplicated every post silently
    import hashlib

    clock = {"now": NOW}
    p = planner()
    p.clock = lambda: clock["now"]
    add_account(p.ws, "bluesky:did:plc:abc123", role="owned", timezone="Asia/Seoul")
    path = tmp_path / "bulk.csv"
    path.write_text(GOOD, encoding="utf-8")
    first = import_hootsuite(p, "tom", path, [MASTO], date_order="dmy")
    n = len(first)
    assert n == len(GOOD.splitlines()) == 1 and not first.skipped
    # the file's bytes are logged, as the analytics imports log theirs
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert first.sha256 == sha
    logged = p.ws.con.execute(
        "SELECT import_id, sha256, format, rows FROM imports WHERE format = 'calendar-hootsuite'"
    ).fetchall()
    assert logged == [(first.import_id, sha, "calendar-hootsuite", n)]
    # a day later (the file's times still ahead), the same bytes: nothing added, and said so
    clock["now"] = NOW + dt.timedelta(days=1)
    again = import_hootsuite(p, "tom", path, [MASTO], date_order="dmy")
    assert list(again) == [] and again.skipped and again.import_id == first.import_id
    # the note says when, from which file and what it planned then; not the import log's
    # number (which counts every import of the workspace, analytics ones included)
    assert again.note == (
        f"bulk.csv: already imported on 2026-12-01 from bulk.csv (1 draft for {MASTO}); "
        "nothing added"
    )
    assert len(list_plans(p.ws)) == n
    # the same bytes under another name: still the same file, and the note names the first
    copy = tmp_path / "copy.csv"
    copy.write_bytes(path.read_bytes())
    dup = import_hootsuite(p, "tom", copy, [MASTO], date_order="dmy")
    assert dup.skipped and dup.note == (
        f"copy.csv: already imported on 2026-12-01 from bulk.csv (1 draft for {MASTO}); "
        "nothing added"
    )
    # a copy in another folder: the first file's full path, since its name alone is ambiguous
    (tmp_path / "sub").mkdir()
    far = tmp_path / "sub" / "bulk.csv"
    far.write_bytes(path.read_bytes())
    assert import_hootsuite(p, "tom", far, [MASTO], date_order="dmy").note == (
        f"bulk.csv: already imported on 2026-12-01 from {path.resolve()} (1 draft for {MASTO}); "
        "nothing added"
    )
    # one byte more is another file; the same file for other accounts plans other posts
    copy.write_text(GOOD.replace("Good", "Good!"), encoding="utf-8")
    assert len(import_hootsuite(p, "tom", copy, [MASTO], date_order="dmy")) == n
    other = import_hootsuite(p, "tom", path, ["bluesky:did:plc:abc123"], date_order="dmy")
    assert len(other) == n and not other.skipped
    assert len(list_plans(p.ws)) == 3 * n
    # Buffer files alike
    buf = tmp_path / "buffer.csv"
    buf.write_text(to_buffer_csv(list(first)), encoding="utf-8")
    assert len(import_buffer(p, "tom", buf, [MASTO])) == n
    assert import_buffer(p, "tom", buf, [MASTO]).note == (
        f"buffer.csv: already imported on 2026-12-02 from buffer.csv (1 draft for {MASTO}); "
        "nothing added"
    )
    assert len(list_plans(p.ws)) == 4 * n
    p.ws.close()


def test_import_needs_the_right_to_write_drafts(cal, tmp_path):
    from ripplemeter.operations import NotAllowed

    path = tmp_path / "bulk.csv"
    path.write_text(GOOD, encoding="utf-8")
    with pytest.raises(NotAllowed, match="rule 'post.create'"):
        import_hootsuite(cal, "sam", path, [MASTO], date_order="dmy")
    assert list_plans(cal.ws) == []


def test_ical_export_parses_back(cal):
    a = cal.add("tom", "New beans\nfrom Ethiopia", [MASTO], "2026-12-07 09:00", pillar="product")
    cal.submit("tom", a.plan_id)
    cal.approve("jisoo", a.plan_id)
    cal.schedule("tom", a.plan_id)
    b = cal.add("tom", "Weekend sale", [MASTO], "2026-12-12 10:00", promotional=True)
    cal.cancel("tom", b.plan_id)
    cal.add("tom", "No time yet", [MASTO])
    data = to_ical(list_plans(cal.ws), now=NOW)
    parsed = Calendar.from_ical(data)
    events = list(parsed.walk("VEVENT"))
    assert len(events) == 2  # the post without a time is left out
    ev = {str(e["UID"]): e for e in events}
    e1 = ev[f"{a.plan_id}@ripplemeter"]
    # 09:00 in Seoul is 00:00 UTC
    assert e1.decoded("DTSTART") == dt.datetime(2026, 12, 7, 0, 0, tzinfo=dt.UTC)
    assert e1.decoded("DTEND") - e1.decoded("DTSTART") == dt.timedelta(minutes=15)
    assert str(e1["SUMMARY"]) == "[scheduled] New beans"
    assert str(e1["STATUS"]) == "CONFIRMED"
    assert "Approved by: jisoo" in str(e1["DESCRIPTION"])
    assert "New beans\nfrom Ethiopia" in str(e1["DESCRIPTION"])
    assert [str(c) for c in e1["CATEGORIES"].cats] == ["product"]
    e2 = ev[f"{b.plan_id}@ripplemeter"]
    assert str(e2["STATUS"]) == "CANCELLED"
    assert [str(c) for c in e2["CATEGORIES"].cats] == ["promotional"]
    # cancelled posts stay out of the CSV exports
    assert "Weekend sale" not in to_hootsuite_csv(list_plans(cal.ws))
