"""``ripplemeter cascades``: the results first, then the import notes counted by kind in at
most 5 lines; ``--notes`` prints every one (a new user's trial read 20 notes before any
result, and the command showed the other 3,283 of twitter16's 3,303 nowhere)."""

from __future__ import annotations

from typer.testing import CliRunner

from ripplemeter.cli import app
from ripplemeter.cli.cascades import summarize_notes

PLATFORM = "no platform given; ids are namespaced 'generic:<id>' (pass --platform to name it)"
NOTES = [
    f"a.csv: {PLATFORM}",
    "a.csv: 1 root(s), 2 repost(s)",
    f"b.csv: {PLATFORM}",
    "b.csv: 3 root(s), 10 repost(s)",
    f"c.csv: {PLATFORM}",
    "c.csv: 2 root(s), 5 repost(s); 1 repost(s) whose chain does not reach a root",
    "c.csv: 2 row(s) repeat a post id",
]


def test_notes_of_one_kind_are_counted_once_by_hand():
    """7 notes, 4 kinds: the platform sentence (3 files, word for word the same), the roots
    and reposts (a and b; c's adds a clause, so it is a kind of its own), c's repeated
    rows. Most frequent first, ties in file order."""
    assert summarize_notes(NOTES) == [
        f"in 3 files: {PLATFORM}",
        "in 2 files, e.g. a.csv: 1 root(s), 2 repost(s)",
        "c.csv: 2 root(s), 5 repost(s); 1 repost(s) whose chain does not reach a root",
        "c.csv: 2 row(s) repeat a post id",
    ]
    # 3 lines at most: the 2 largest kinds, then the other 2 notes (2 kinds) counted
    assert summarize_notes(NOTES, limit=3) == [
        f"in 3 files: {PLATFORM}",
        "in 2 files, e.g. a.csv: 1 root(s), 2 repost(s)",
        "2 more notes of 2 other kinds (7 import notes in all); --notes prints every one",
    ]
    # no more notes than lines: each as written
    assert summarize_notes(NOTES[:5]) == NOTES[:5]


def test_a_kind_counts_notes_and_files_and_blanks_ids_and_plurals():
    """CED files are named <n>_<post id>_<user id>.json and name their post in the note:
    the ids (with or without a digit) and the plural are not what tells kinds apart."""
    notes = [
        "2660_z4pxL4wVj_1069205631.json: 166 reposts and comments of the original post z4pxL4wVj",
        "2412_ggtjdw_3211221340.json: 1 repost and comment of the original post ggtjdw",
        "t.txt: 1 user dropped",
        "t.txt: 2 users dropped",
        "u.txt: 1,234 users dropped",
        "u.txt: label 'true'",
        "v.txt: label 'false'",
    ]
    assert summarize_notes(notes, limit=4) == [
        "3 notes in 2 files, e.g. t.txt: 1 user dropped",
        "in 2 files, e.g. 2660_z4pxL4wVj_1069205631.json: 166 reposts and comments of the "
        "original post z4pxL4wVj",
        "u.txt: label 'true'",
        "v.txt: label 'false'",
    ]


def _three_files(tmp_path):
    """a: 1 root, 2 reposts; b: 1 root, 1 repost and a column the format does not read;
    c: 1 root, a row twice and a repost of a post not in the files."""
    (tmp_path / "a.csv").write_text(
        "post_id,parent_id,account_id,created_at\nr1,,s1,2026-03-02 10:00:00\n"
        "a,r1,u1,2026-03-02 10:05:00\nb,r1,u2,2026-03-02 10:06:00\n"
    )
    (tmp_path / "b.csv").write_text(
        "post_id,parent_id,account_id,created_at,lang\nr2,,s2,2026-03-03 10:00:00,en\n"
        "c,r2,u1,2026-03-03 10:05:00,en\n"
    )
    (tmp_path / "c.csv").write_text(
        "post_id,parent_id,account_id,created_at\nr3,,s3,2026-03-04 10:00:00\n"
        "d,r3,u2,2026-03-04 10:05:00\nd,r3,u2,2026-03-04 10:05:00\n"
        "e,zz,u4,2026-03-04 10:07:00\n"
    )


def test_cascades_prints_results_then_a_summary_of_the_notes(tmp_path):
    """The importer writes 11 notes: in each of the 3 files the platform and the times
    without offset (2 kinds of 3 notes), the roots and reposts (a and b alike; c's adds the
    repost that reaches no root), b's unread column and c's repeated row: 6 kinds, so 4
    lines and a fifth that counts the other 2 notes (2 kinds)."""
    _three_files(tmp_path)
    r = CliRunner().invoke(
        app, ["cascades", str(tmp_path), "--format", "reposts"], env={"COLUMNS": "200"}
    )
    assert r.exit_code == 0, r.output
    notes = [ln for ln in r.stderr.splitlines() if ln.startswith("note:")]
    assert len(notes) == 5
    assert notes[0].startswith("note: in 3 files: no platform given")
    assert notes[1].startswith("note: in 3 files, e.g. a.csv: 3 times without offset")
    assert notes[2] == "note: in 2 files, e.g. a.csv: 1 root(s), 2 repost(s)"
    assert notes[3] == "note: b.csv: columns not read by the reposts format: lang"
    assert notes[4] == (
        "note: 2 more notes of 2 other kinds (11 import notes in all); --notes prints every one"
    )
    # the results come first: the table, then the totals, then the notes
    out = r.output
    assert out.index("first post") < out.index("7 posts in 3 cascades") < out.index("note:")


def test_cascades_notes_flag_prints_every_note(tmp_path):
    _three_files(tmp_path)
    r = CliRunner().invoke(
        app,
        ["cascades", str(tmp_path), "--format", "reposts", "--json", "--notes"],
        env={"COLUMNS": "200"},
    )
    assert r.exit_code == 0, r.output
    assert r.stdout.lstrip().startswith("[")  # JSON on stdout stays clean
    notes = [ln for ln in r.stderr.splitlines() if ln.startswith("note:")]
    assert len(notes) == 11
    assert "note: c.csv: 1 row(s) repeat a post id" in " ".join(notes)
    assert "note: c.csv: 1 root(s), 3 repost(s); 1 repost(s) whose chain does not reach a root" in (
        notes
    )
