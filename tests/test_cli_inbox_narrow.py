"""``ripplemeter inbox list`` in a narrow window: one line per item, the text cut with an
ellipsis, never one Chinese or Korean character per line (a new user's trial at 80 columns,
piped, read "罐 …" with the rest of each text stacked one character a line below it)."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
from rich.cells import cell_len
from rich.console import Console

from ripplemeter.cli.inbox import _COLUMNS, inbox_table

NAMES = {"x:brand": "@lumentea", "x:u1": "@fan2597", "x:u2": "@fan0401", "x:u3": "@fan1316"}
TEXTS = [
    "罐子收到就是瘪的,质量太差,客服也不回复,再也不买了😤",
    "말차 라떼 진짜 맛있어요 또 살게요 근데 캔이 찌그러져서 왔어요 😍",
    "Is the Spring Matcha ceremonial grade or culinary? What is the difference?",
]
IDS = ["x:r00849", "weibo:zblXA0tW9", "x:r00025"]  # as long as the platforms' real ids


def _inbox() -> pd.DataFrame:
    rows = [
        dict(
            item_id=IDS[0], owned_account="x:brand", author_id="x:u1",
            created_at=dt.datetime(2026, 3, 1, 0, 53), kind="reply", category="complaint",
            state="open", assignee=None, priority=2, replies_drawn=0, reply_hours=math.nan,
            waiting_hours=1683.0, breach=True, url="", text=TEXTS[0],
        ),
        dict(
            item_id=IDS[1], owned_account="x:brand", author_id="x:u2",
            created_at=dt.datetime(2026, 3, 1, 2, 28), kind="reply", category="praise",
            state="assigned", assignee="mina", priority=4, replies_drawn=1, reply_hours=3.0,
            waiting_hours=math.nan, breach=False, url="", text=TEXTS[1],
        ),
        dict(
            item_id=IDS[2], owned_account="x:brand", author_id="x:u3",
            created_at=dt.datetime(2026, 3, 1, 0, 54), kind="reply", category="question",
            state="closed", assignee=None, priority=3, replies_drawn=0, reply_hours=math.nan,
            waiting_hours=5.5, breach=True, url="", text=TEXTS[2],
        ),
    ]  # fmt: skip
    return pd.DataFrame(rows)[_COLUMNS]


def _render(width: int) -> list[str]:
    con = Console(width=width, record=True, file=open("/dev/null", "w"), emoji=False)  # noqa: SIM115
    table = inbox_table(
        _inbox(), NAMES, zone="UTC", unit="business hours", as_of="as of X", width=width
    )
    con.print(table)
    return con.export_text().splitlines()


def _body(lines: list[str]) -> list[str]:
    """The table's item lines (between the heading rule ┡ and the bottom rule └)."""
    start = next(i for i, ln in enumerate(lines) if ln.startswith("┡"))
    end = next(i for i, ln in enumerate(lines) if ln.startswith("└"))
    return lines[start + 1 : end]


def _is_cjk(ch: str) -> bool:
    return cell_len(ch) == 2


def test_at_80_columns_each_item_is_one_line_with_its_text_cut():
    lines = _render(80)
    body = _body(lines)
    # three items, three lines, each holding its whole id
    assert len(body) == 3
    for iid, ln in zip(IDS, body, strict=True):
        assert ln.split("│")[1].strip() == iid
    assert all(cell_len(ln) <= 80 for ln in lines)
    cells = [[c.strip() for c in ln.split("│")[1:-1]] for ln in body]
    for row in cells:
        for cell in row:  # the trial's symptom: a cell of one lone CJK character
            assert not (len(cell) == 1 and _is_cjk(cell)), row
    text = [row[-1] for row in cells]
    # every text is longer than the room left for it: cut, with an ellipsis, after its start
    for shown, whole in zip(text, TEXTS, strict=True):
        assert shown.endswith("…") and whole.startswith(shown[:-1].rstrip()), shown
        assert len(shown) >= 8
    # at 80 columns, the caption names what was left out, in words
    bottom = lines.index(next(ln for ln in lines if ln.startswith("└")))
    caption = " ".join(" ".join(lines[bottom + 1 :]).split())  # centred, wrapped: as one line
    assert (
        "not shown at 80 columns: to, priority, from, state, when (UTC), "
        "reply time (business hours) (a wider window or --json shows them)" in caption
    )
    assert "late: later than the standard" in caption


def test_at_80_columns_the_columns_kept_by_hand():
    """Widths by hand. The full headings leave no room, so the short ones ('item', 'late')
    are used, and the least each column takes is: item 15 (weibo:zblXA0tW9), from 8, to 9,
    when 16, kind 9, state 6 (cut), priority 8 (its heading), reply time 16 ('5.5 until
    closed'), late 4. A table of n columns spends 3n + 1 cells on borders and padding, and
    the text needs 24. Leaving out to, priority, from, state and when (in that order) leaves
    item + kind + reply time + late = 44 and 80 - 16 - 44 = 20 < 24 for the text; leaving
    out the reply time too: item 15, kind 9, late 4 = 28 at their full width and
    80 - 13 - 28 = 39 cells for the text (its longest, the Korean one, is 64)."""
    body = _body(_render(80))
    cells = [ln.split("│")[1:-1] for ln in body]
    assert [cell_len(c) for c in cells[0]] == [17, 11, 6, 41]  # each with its two spaces
    assert cells[0][2].strip() == "yes" and cells[1][2].strip() == ""


def test_a_wide_window_shows_every_column_whole():
    lines = _render(300)
    body = _body(lines)
    assert len(body) == 3
    head = " ".join(lines[: lines.index(next(ln for ln in lines if ln.startswith("┡")))])
    for h in ("item (for assign, close)", "when (UTC)", "reply time (business hours)"):
        assert h in head
    assert "not shown" not in " ".join(lines)
    first = [c.strip() for c in body[0].split("│")[1:-1]]
    assert first == [
        "x:r00849", "@fan2597", "@lumentea", "2026-03-01 00:53", "complaint", "open", "2",
        "1683.0 waiting", "yes", TEXTS[0],  # 27 characters (51 cells): shown whole
    ]  # fmt: skip
    second = [c.strip() for c in body[1].split("│")[1:-1]]
    assert second[5] == "assigned (mina)" and second[7] == "3.0"
    third = [c.strip() for c in body[2].split("│")[1:-1]]
    # 74 characters: cut to 60 at a word, by shorten()
    assert third[7] == "5.5 until closed"
    assert third[9] == "Is the Spring Matcha ceremonial grade or culinary? What is…"
