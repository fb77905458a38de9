"""``ripplemeter inbox list|assign|close|reopen``: the community inbox.

Thin layer over :mod:`ripplemeter.operations.inbox`: the library finds the items, classifies
them, measures reply times in business hours and writes the audit log; this module parses
and prints.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from ripplemeter.cli import RippleGroup, app, console, friendly, note

__all__ = ["inbox_app", "inbox_table", "load_optional_standards", "parse_day"]

inbox_app = type(app)(
    cls=RippleGroup,
    no_args_is_help=True,
    help="The community inbox: comments, replies and mentions addressed to owned accounts, "
    "reply times and breaches, assignment and closing.",
)
app.add_typer(inbox_app, name="inbox")

WorkspaceOpt = Annotated[
    Path,
    typer.Option(
        help="DuckDB workspace file; by default ripplemeter.duckdb in the current folder."
    ),
]
StandardsOpt = Annotated[
    Path,
    typer.Option(
        help="standards.toml (reply-time target, business hours); by default the one in "
        "the current folder, if any."
    ),
]
TeamOpt = Annotated[
    Path | None,
    typer.Option("--team", help="team.toml; by default the one beside standards.toml."),
]
AsOpt = Annotated[
    str | None,
    typer.Option("--as", help="Acting team member id (default: $RIPPLEMETER_USER)."),
]
NoteOpt = Annotated[str | None, typer.Option("--comment", "-m", help="A note for the audit log.")]


def load_optional_standards(path: Path):
    """The standards file, or None when the default one does not exist."""
    from ripplemeter.operations.standards import load_standards

    if not path.is_file() and path == Path("standards.toml"):
        return None
    return load_standards(path)


def parse_day(value: str | None, option: str, tz: str | None) -> dt.datetime | None:
    """``YYYY-MM-DD`` (start of that day in ``tz``, else UTC) as naive UTC; None stays None."""
    from zoneinfo import ZoneInfo

    from ripplemeter.errors import RippleError

    if value is None:
        return None
    try:
        d = dt.date.fromisoformat(value)
    except ValueError:
        raise RippleError(
            f"{option}: expected a date such as 2026-12-01, found {value!r}"
        ) from None
    t = dt.datetime.combine(d, dt.time(0), tzinfo=ZoneInfo(tz) if tz else dt.UTC)
    return t.astimezone(dt.UTC).replace(tzinfo=None)


def _open(workspace: Path, read_only: bool = False):
    from ripplemeter.errors import RippleError
    from ripplemeter.workspace import Workspace

    if not workspace.is_file():
        raise RippleError(
            f"{workspace}: no workspace here; import posts and register owned accounts first "
            "(ripplemeter import, ripplemeter accounts add --role owned)"
        )
    return Workspace(workspace)


def _settings(std, now=None, tier: str = "fast"):
    from ripplemeter.operations.inbox import InboxSettings

    if std is None:
        return InboxSettings(now=now, sentiment_tier=tier)
    cal = std.business_calendar() if std.file.business_hours is not None else None
    target = std.rules_for(None).reply_within()
    return InboxSettings(target=target, calendar=cal, now=now, sentiment_tier=tier)


_COLUMNS = [
    "item_id", "owned_account", "author_id", "created_at", "kind", "category", "state",
    "assignee", "priority", "replies_drawn", "reply_hours", "waiting_hours", "breach", "url",
    "text",
]  # fmt: skip


@inbox_app.command("list")
@friendly
def inbox_list(
    workspace: WorkspaceOpt = Path("ripplemeter.duckdb"),
    standards: StandardsOpt = Path("standards.toml"),
    account: Annotated[
        str | None, typer.Option("--account", "-a", help="Only items addressed to this account.")
    ] = None,
    since: Annotated[str | None, typer.Option(help="From this day (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Before this day (YYYY-MM-DD).")] = None,
    queue: Annotated[
        bool, typer.Option("--queue", help="Only the needs-reply queue, by priority.")
    ] = False,
    breaches: Annotated[
        bool,
        typer.Option(
            "--breaches",
            help="Only complaints and questions answered later than the standard's reply time, "
            "or still waiting past it.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON to stdout.")] = False,
    tier: Annotated[
        str,
        typer.Option(
            help="Sentiment tier that tells complaints from praise: fast, or accurate "
            "(slower, tens of items a second)."
        ),
    ] = "fast",
) -> None:
    """List inbox items with their kind, state, reply time and whether it was too late.

    Times are shown in the team's time zone (standards.toml [business_hours]), else in the
    zone the accounts are registered in, else in UTC; the header names it. Unanswered items
    are measured to the current time, which the table's caption gives as "as of" (with
    JSON, a note on stderr).
    """
    import json

    import pandas as pd

    from ripplemeter.operations.inbox import build_inbox, needs_reply

    std = load_optional_standards(standards)
    if std is None:
        note("no standards.toml here: reply times in wall-clock hours, no target, no breaches")
    tz = std.file.business_hours.timezone if std and std.file.business_hours else None
    now = dt.datetime.now(dt.UTC)  # the one "as of" instant, measured to and shown
    ws = _open(workspace)
    try:
        if tz is None:  # --since/--until and the times shown: the accounts' zone, else UTC
            from ripplemeter.operations.inbox import owned_accounts

            z = _accounts_zone(ws, [account] if account else owned_accounts(ws))
            tz = None if z == "UTC" else z
        ib = build_inbox(
            ws,
            settings=_settings(std, now=now, tier=_tier(tier)),
            since=parse_day(since, "--since", tz),
            until=parse_day(until, "--until", tz),
            addressed_to=[account] if account else None,
        )
    finally:
        ws.close()
    if queue:
        ib = needs_reply(ib)
    if breaches:
        ib = ib[ib["breach"]]
    out = ib[_COLUMNS]
    from ripplemeter.evaluate.inbox_section import local_time

    zone = tz or "UTC"
    as_of = f"as of {local_time(now, zone)} ({zone})"
    if as_json:  # instants in UTC with their offset, so no reader takes them for local time
        when = pd.to_datetime(out["created_at"])
        when = when.dt.tz_localize("UTC") if when.dt.tz is None else when.dt.tz_convert("UTC")
        out = out.assign(created_at=when)
        recs = json.loads(out.to_json(orient="records", date_format="iso"))
        print(json.dumps(recs, ensure_ascii=False, indent=2))  # an array: the web app reads it
        if len(recs):
            note(f"{as_of}: unanswered items are measured to this instant")
        return
    if out.empty:
        note("no inbox item")
        return
    from ripplemeter.evaluate.inbox_section import account_names

    ws = _open(workspace)
    try:
        names = account_names(ws)
    finally:
        ws.close()
    unit = "business hours" if std and std.file.business_hours is not None else "hours"
    table = inbox_table(out, names, zone=zone, unit=unit, as_of=as_of, width=console.width)
    console.print(table, soft_wrap=False)  # the caption wraps at the window like the table


#: The text column is never narrower than this (unless the window cannot hold even the id
#: and it); other columns give way first.
TEXT_MIN_WIDTH = 24
#: Narrower than these widths, a name or state is cut with an ellipsis (never folded).
_CUT_MIN = {"from": 10, "to": 10, "state": 6}
#: The columns a narrow window leaves out, first to last; item, kind and text always stay.
_DROP_ORDER = ("to", "priority", "from", "state", "when", "hours", "late")


def inbox_table(out, names: dict[str, str], *, zone: str, unit: str, as_of: str, width: int):
    """The inbox as a Rich table that fits ``width`` columns, one line per item.

    Every item takes exactly one line: the id is shown whole (it is what ``assign`` and
    ``close`` take), the text is cut to the line with an ellipsis, and a name or state too
    long for its column is cut the same way. Headings may wrap onto several lines. When the
    window is too narrow for every column with at least :data:`TEXT_MIN_WIDTH` cells of
    text, columns are left out in the order of :data:`_DROP_ORDER` and the caption names
    them (``--json`` or a wider window shows them).

    Parameters
    ----------
    out : pandas.DataFrame
        The inbox rows, with the columns of :data:`_COLUMNS`.
    names : dict of str to str
        Account id -> the name people read (``@handle``).
    zone : str
        IANA time zone the times are shown in.
    unit : str
        ``"business hours"`` or ``"hours"``, for the reply-time heading.
    as_of : str
        The "as of" sentence the unanswered items are measured to.
    width : int
        The window's width in character cells.

    Returns
    -------
    rich.table.Table
    """
    from rich.table import Column, Table
    from rich.text import Text

    from ripplemeter.evaluate.inbox_section import local_time
    from ripplemeter.operations import shorten

    cells: dict[str, list[str]] = {k: [] for k in _HEADINGS}
    for r in out.itertuples():
        h = r.reply_hours if r.reply_hours == r.reply_hours else r.waiting_hours
        row = {
            "item": str(r.item_id),
            "from": _who(names, r.author_id),
            "to": names.get(r.owned_account, str(r.owned_account)),
            "when": local_time(r.created_at, zone),
            "kind": str(r.category),
            "state": r.state
            + (f" ({r.assignee})" if isinstance(r.assignee, str) and r.assignee else ""),
            "priority": str(r.priority),
            "hours": f"{h:.1f}" + _unanswered(r.state, r.reply_hours),
            "late": "yes" if r.breach else "",
            "text": shorten(r.text, 60),
        }
        for k, v in row.items():
            cells[k].append(v)
    heading = dict(_HEADINGS, when=f"when ({zone})", hours=f"reply time ({unit})")
    widths, dropped = _fit(heading, cells, width, drop=())
    short = "text" not in widths  # even wrapped, the headings leave too little room
    if short:
        heading.update(_SHORT_HEADINGS)
        widths, dropped = _fit(heading, cells, width, drop=_DROP_ORDER)
    shown = [k for k in _HEADINGS if k in widths]
    caption = f"{as_of}: unanswered items are measured to this instant"
    if short:
        caption += "; item: what assign and close take; late: later than the standard"
    if dropped:
        caption += (
            f"; not shown at {width} columns: {', '.join(heading[k] for k in dropped)} "
            "(a wider window or --json shows them)"
        )
    t = Table(
        *(
            Column(
                Text(heading[k], no_wrap=False, overflow="fold"),
                width=widths[k],
                no_wrap=True,
                overflow="ellipsis",
            )
            for k in shown
        ),
        caption=caption,
    )
    for i in range(len(out)):
        t.add_row(*(Text(cells[k][i]) for k in shown))
    return t


def _fit(
    heading: dict[str, str], cells: dict[str, list[str]], width: int, drop: tuple[str, ...]
) -> tuple[dict[str, int], list[str]]:
    """Column widths that fit ``width`` with room for the text, and the columns left out.

    Each column is first given its values and heading on one line; if the text then has
    fewer than :data:`TEXT_MIN_WIDTH` cells, headings wrap at words and names and states
    are cut to :data:`_CUT_MIN`; if it still has too few, the columns of ``drop`` are left
    out one by one. Room the text does not need goes back to the other columns, in order.
    Without ``drop`` and room, the widths hold no ``"text"`` (the caller then tries again);
    with the whole of ``drop`` gone, the text gets what is left (at least 1).
    """
    from rich.cells import cell_len

    def natural(k: str) -> int:  # values and heading each on one line
        return max([cell_len(heading[k]), *(cell_len(v) for v in cells[k])])

    def least(k: str) -> int:  # the heading wrapped at its words; names and states cut
        words = max(cell_len(w) for w in heading[k].split())
        values = max((cell_len(v) for v in cells[k]), default=0)
        return max(words, min(values, _CUT_MIN.get(k, values)))

    keep = [k for k in _HEADINGS if k != "text"]
    dropped: list[str] = []
    for gone in (None, *drop):
        if gone is not None:
            keep.remove(gone)
            dropped.append(gone)
        room = width - (3 * (len(keep) + 1) + 1)  # borders and one space each side of a cell
        widths = {k: natural(k) for k in keep}
        if room - sum(widths.values()) >= TEXT_MIN_WIDTH:
            break
        widths = {k: least(k) for k in keep}
        if room - sum(widths.values()) >= TEXT_MIN_WIDTH:
            spare = room - sum(widths.values()) - natural("text")
            for k in keep:  # what the text does not need unwraps headings, in order
                grow = max(0, min(spare, natural(k) - widths[k]))
                widths[k] += grow
                spare -= grow
            break
    else:  # still too narrow
        if not drop:
            return widths, dropped
    widths["text"] = max(1, min(natural("text"), room - sum(widths.values())))
    return widths, dropped


#: Column headings, in the order shown.
_HEADINGS = {
    "item": "item (for assign, close)",
    "from": "from",
    "to": "to",
    "when": "when",
    "kind": "kind",
    "state": "state",
    "priority": "priority",
    "hours": "reply time",
    "late": "later than the standard",
    "text": "text",
}
#: Shorter headings for a narrow window (the caption says what they stand for).
_SHORT_HEADINGS = {"item": "item", "late": "late"}


def _unanswered(state: str, reply_hours: float) -> str:
    """What an unanswered item's hours count to: still waiting, or until it was closed."""
    if reply_hours == reply_hours:  # answered: the hours are its reply time
        return ""
    if state == "closed":
        return " until closed"
    if state == "private":
        return " until moved to private"
    return " waiting"


def _tier(value: str) -> str:
    from ripplemeter.errors import RippleError

    if value not in ("fast", "accurate"):
        raise RippleError(f"--tier: expected fast or accurate, found {value!r}")
    return value


def _who(names: dict[str, str], account_id) -> str:
    """An author as people read it: the name, else the id, else "unknown author"."""
    if not isinstance(account_id, str) or not account_id:
        return "unknown author"
    return names.get(account_id, account_id)


def _accounts_zone(ws, account_ids: list[str]) -> str:
    """The time zone the accounts share in the registry, else UTC."""
    from ripplemeter.operations.accounts import list_accounts

    reg = list_accounts(ws)
    zones = {
        z
        for a, z in zip(reg["account_id"], reg["timezone"], strict=False)
        if a in set(account_ids) and isinstance(z, str) and z
    }
    return zones.pop() if len(zones) == 1 else "UTC"


def _acting(standards: Path, team: Path | None, as_user: str | None):
    from ripplemeter.operations.team import acting_user, find_team, load_team

    tm = load_team(team if team is not None else find_team(standards))
    return tm, acting_user(tm, as_user).id


@inbox_app.command("assign")
@friendly
def inbox_assign(
    item: Annotated[str, typer.Argument(help="The item's post id.")],
    to: Annotated[str, typer.Option("--to", help="Team member id to assign it to.")],
    workspace: WorkspaceOpt = Path("ripplemeter.duckdb"),
    standards: StandardsOpt = Path("standards.toml"),
    team: TeamOpt = None,
    as_user: AsOpt = None,
    comment: NoteOpt = None,
) -> None:
    """Assign an item to a team member."""
    from ripplemeter.operations.inbox import assign

    tm, user = _acting(standards, team, as_user)
    ws = _open(workspace)
    try:
        state = assign(ws, item, to, team=tm, user=user, note=comment)
    finally:
        ws.close()
    console.print(f"{item}: {state} to {to}", highlight=False)


@inbox_app.command("close")
@friendly
def inbox_close(
    item: Annotated[str, typer.Argument(help="The item's post id.")],
    private: Annotated[
        bool, typer.Option("--private", help="Moved to a private message (not just closed).")
    ] = False,
    workspace: WorkspaceOpt = Path("ripplemeter.duckdb"),
    standards: StandardsOpt = Path("standards.toml"),
    team: TeamOpt = None,
    as_user: AsOpt = None,
    comment: NoteOpt = None,
) -> None:
    """Close an item (no reply needed) or mark it moved to private message."""
    from ripplemeter.operations.inbox import close

    tm, user = _acting(standards, team, as_user)
    ws = _open(workspace)
    try:
        state = close(ws, item, team=tm, user=user, private=private, note=comment)
    finally:
        ws.close()
    console.print(f"{item}: {state}", highlight=False)


@inbox_app.command("reopen")
@friendly
def inbox_reopen(
    item: Annotated[str, typer.Argument(help="The item's post id.")],
    workspace: WorkspaceOpt = Path("ripplemeter.duckdb"),
    standards: StandardsOpt = Path("standards.toml"),
    team: TeamOpt = None,
    as_user: AsOpt = None,
    comment: NoteOpt = None,
) -> None:
    """Reopen a closed or private item."""
    from ripplemeter.operations.inbox import reopen

    tm, user = _acting(standards, team, as_user)
    ws = _open(workspace)
    try:
        state = reopen(ws, item, team=tm, user=user, note=comment)
    finally:
        ws.close()
    console.print(f"{item}: {state}", highlight=False)
