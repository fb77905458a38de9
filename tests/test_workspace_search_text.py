"""write_search_text: the one writer of ``posts.search_text`` (workspace open and listen refresh)."""

from __future__ import annotations

import duckdb
import pytest

from ripplemeter.workspace import Workspace, write_search_text


def _posts(ws: Workspace) -> list[tuple[str, str | None]]:
    return ws.con.execute("SELECT post_id, search_text FROM posts ORDER BY post_id").fetchall()


@pytest.fixture
def ws():
    with Workspace() as ws:
        ws.con.execute(
            "INSERT INTO posts (post_id, text, search_text) VALUES "
            "('x:1', 'One', 'old one'), ('x:2', 'Two', 'old two'), ('x:3', 'Three', NULL)"
        )
        yield ws


def test_writes_the_given_rows_only(ws):
    rid = dict(ws.con.execute("SELECT post_id, rowid FROM posts").fetchall())
    assert write_search_text(ws.con, [rid["x:3"], rid["x:1"]], ["three", "one"]) == 2
    # x:2 untouched; the others carry the texts given for their row ids, whatever the order
    assert _posts(ws) == [("x:1", "one"), ("x:2", "old two"), ("x:3", "three")]


def test_nothing_to_write_changes_nothing(ws):
    assert write_search_text(ws.con, [], []) == 0
    assert _posts(ws) == [("x:1", "old one"), ("x:2", "old two"), ("x:3", None)]


def test_leaves_no_view_behind(ws):
    write_search_text(ws.con, [0], ["one"])
    with pytest.raises(duckdb.CatalogException):
        ws.con.execute("SELECT * FROM _rm_search_text")
    # and it can run again on the same connection (the name is free)
    assert write_search_text(ws.con, [1], ["two"]) == 1
    assert _posts(ws)[1] == ("x:2", "two")


def test_mismatched_lengths_are_refused(ws):
    with pytest.raises(ValueError, match="2 row ids but 1 search texts"):
        write_search_text(ws.con, [0, 1], ["one"])
    assert _posts(ws) == [("x:1", "old one"), ("x:2", "old two"), ("x:3", None)]
