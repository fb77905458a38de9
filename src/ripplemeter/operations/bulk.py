"""Bulk import and export of the content calendar: Hootsuite and Buffer CSV, iCalendar.

Hootsuite bulk composer CSV
---------------------------
Each row is one message, with no header row: column A the date and time, column B the
message, column C an optional link. Hootsuite's published rules (Hootsuite Help, "Schedule
posts in bulk"), all checked here before anything is written:

* the date is ``day/month/year hour:minute`` or ``month/day/year hour:minute`` as the user
  states (``date_order="dmy"`` or ``"mdy"``), on the 24-hour clock (``13:30``, never
  ``1:30 PM``);
* times end in 0 or 5 (``10:45``, not ``10:47``);
* every time is at least 10 minutes after the upload (by the calendar's injectable clock);
* no two messages are the same (compared ignoring case and repeated spaces);
* at most 350 messages in one file;
* the link, when given, is a full ``http(s)://`` URL.

A header row naming the columns (``Date``, ``Message``, ``Link``) is accepted and skipped.
Each import is logged in ``imports`` with the file's sha256, as the analytics imports are:
importing the same bytes again for the same accounts adds nothing and says when the file
was imported (:class:`BulkImport`).
A bad row raises :class:`~ripplemeter.errors.FormatError` naming the file, the row (as a
spreadsheet numbers it) and the column; nothing is written unless every row is good, and
the rows are written in one transaction. Imported rows become **drafts** in the calendar
(they still go through review and approval); the accounts they target are given with the
import (a Hootsuite file does not name them), and the times are read in those accounts'
time zone unless ``tz`` says otherwise.

Buffer-style CSV
----------------
A header row ``Text,Image URL,Tags,Posting Time``; times ``YYYY-MM-DD HH:MM`` (24-hour,
local to the accounts); tags are comma-separated labels (the content pillar, and
``promotional`` and ``paid`` when they apply). ``Image URL`` holds a full ``http(s)://``
link or the path of a media file as the calendar plans it (``media/beans.png``, read from
the project folder when publishing), so that a plan with local media exports and imports
back unchanged. Same rules for errors and transactions.

Exports
-------
CSV exports are neutralised against formula injection (a cell starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return gets a leading apostrophe, as in
:mod:`ripplemeter.report.exports`); the importers here remove that apostrophe again, so an
export imported back gives the same plan (texts, links, times, labels). The iCalendar export
(:func:`to_ical`) writes one event per planned post for the team's calendars (RFC 5545, with
the ``icalendar`` package).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ripplemeter.errors import FormatError

if TYPE_CHECKING:  # pragma: no cover
    from ripplemeter.operations.calendar import PlannedPost, Planner

__all__ = [
    "HOOTSUITE_MAX_ROWS",
    "BulkImport",
    "BulkRow",
    "import_buffer",
    "import_hootsuite",
    "read_buffer",
    "read_hootsuite",
    "to_buffer_csv",
    "to_hootsuite_csv",
    "to_ical",
]

HOOTSUITE_MAX_ROWS = 350
HOOTSUITE_MIN_LEAD = dt.timedelta(minutes=10)
HOOTSUITE_COLUMNS = ("Date", "Message", "Link")
BUFFER_COLUMNS = ("Text", "Image URL", "Tags", "Posting Time")
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_TIME = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class BulkRow:
    """One checked row of a bulk file.

    Attributes
    ----------
    row : int
        1-based row in the file, as a spreadsheet numbers it.
    when : datetime
        Aware (in the zone the file was read in).
    text : str
    link : str or None
    media : tuple of str
    pillar : str or None
    promotional, paid : bool
    """

    row: int
    when: dt.datetime
    text: str
    link: str | None = None
    media: tuple[str, ...] = ()
    pillar: str | None = None
    promotional: bool = False
    paid: bool = False


def _unneutralise(value: str) -> str:
    """Remove the apostrophe an export put before a formula trigger."""
    if value.startswith("'") and value[1:].startswith(_TRIGGERS):
        return value[1:]
    return value


def _neutralise(value: str) -> str:
    from ripplemeter.report.exports import neutralise

    return neutralise(value)  # type: ignore[return-value]


def _read_rows(path: Path) -> list[tuple[int, list[str]]]:
    """CSV rows with the spreadsheet row number of each (quoted newlines stay one row)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FormatError(path, message="file not found") from None
    except IsADirectoryError:
        raise FormatError(path, message="is a folder; give the CSV file") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormatError(path, message="not UTF-8 text; save the CSV as UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    out = []
    try:
        for i, cells in enumerate(reader, start=1):
            if not any(c.strip() for c in cells):
                continue
            out.append((i, cells))
    except csv.Error as exc:
        raise FormatError(
            path, row=reader.line_num, message=f"not a valid CSV row: {exc}"
        ) from None
    return out


def _zone(tz: str | None):
    from zoneinfo import ZoneInfo

    return ZoneInfo(tz or "UTC")


def _check_time(
    path: Path, row: int, column: str, when: dt.datetime, now: dt.datetime, found: str
) -> None:
    from ripplemeter.operations.calendar import local_time_problem

    key = getattr(when.tzinfo, "key", None)
    problem = local_time_problem(when.replace(tzinfo=None), key, offset_hint=False) if key else None
    if problem:
        raise FormatError(path, row=row, column=column, message=problem)
    if when.minute % 5:
        raise FormatError(
            path,
            row=row,
            column=column,
            expected="a time ending in 0 or 5 (Hootsuite schedules every 5 minutes)",
            found=found,
        )
    if when < now + HOOTSUITE_MIN_LEAD:
        raise FormatError(
            path,
            row=row,
            column=column,
            message=f"the time {found} is less than 10 minutes after now "
            f"({now.astimezone(when.tzinfo):%Y-%m-%d %H:%M}); schedule it later",
        )


def _check_link(path: Path, row: int, column: str, link: str) -> str | None:
    link = link.strip()
    if not link:
        return None
    if not _URL.match(link):
        raise FormatError(
            path, row=row, column=column, expected="a full link starting with https://", found=link
        )
    return link


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def _check_media(path: Path, row: int, column: str, ref: str) -> str:
    """A media reference: a full http(s) link, or a file path as the calendar plans media
    (relative to the project folder, or absolute); any other scheme is refused."""
    if _URL.match(ref):
        return ref
    if "://" in ref or (_SCHEME.match(ref) and not _WINDOWS_DRIVE.match(ref)):
        raise FormatError(
            path,
            row=row,
            column=column,
            expected="a full link starting with https:// or a media file path (media/beans.png)",
            found=ref,
        )
    if any(c in ref for c in "\n\r\t"):
        raise FormatError(
            path, row=row, column=column, expected="one media file path or link", found=ref
        )
    return ref


def _no_duplicates(path: Path, rows: Sequence[BulkRow], column: str) -> None:
    seen: dict[str, int] = {}
    for r in rows:
        key = " ".join(r.text.split()).casefold()
        if key in seen:
            raise FormatError(
                path,
                row=r.row,
                column=column,
                message=f"the same message as row {seen[key]}; Hootsuite and Buffer refuse "
                "duplicate messages (change one of them)",
            )
        seen[key] = r.row


def read_hootsuite(
    path: str | Path,
    *,
    date_order: str,
    now: dt.datetime,
    tz: str | None = None,
) -> list[BulkRow]:
    """Read and check a Hootsuite bulk-composer CSV (no writing).

    Parameters
    ----------
    path : str or Path
    date_order : {"dmy", "mdy"}
        ``dmy`` for 31/12/2026 13:30, ``mdy`` for 12/31/2026 13:30 (Hootsuite asks the
        user which one the file uses).
    now : datetime
        Aware; times must be at least 10 minutes after it.
    tz : str, optional
        IANA zone the times are written in (default UTC).

    Returns
    -------
    list of BulkRow

    Raises
    ------
    FormatError
        The first bad row, naming the row and the column (Date, Message or Link).
    """
    path = Path(path)
    if date_order not in ("dmy", "mdy"):
        raise FormatError(
            path,
            message=f"date order {date_order!r}: expected dmy (31/12/2026) or mdy (12/31/2026)",
        )
    zone = _zone(tz)
    rows = _read_rows(path)
    if rows and not _TIME.match(rows[0][1][0].strip()) and "date" in rows[0][1][0].lower():
        rows = rows[1:]  # a header row
    if not rows:
        raise FormatError(path, message="no messages: expected rows of date, message, link")
    if len(rows) > HOOTSUITE_MAX_ROWS:
        raise FormatError(
            path,
            row=rows[HOOTSUITE_MAX_ROWS][0],
            message=f"more than {HOOTSUITE_MAX_ROWS} messages; Hootsuite takes at most "
            f"{HOOTSUITE_MAX_ROWS} per file (split it)",
        )
    order = "day/month/year" if date_order == "dmy" else "month/day/year"
    out = []
    for n, cells in rows:
        if len(cells) > 3 and any(c.strip() for c in cells[3:]):
            raise FormatError(
                path,
                row=n,
                column=f"column {chr(ord('A') + 3)}",
                message="Hootsuite's file has three columns (date, message, link); "
                "remove the extra ones",
            )
        cells = [*cells, "", ""][:3]
        stamp = cells[0].strip()
        m = _TIME.match(stamp)
        if not m:
            why = (
                "the 24-hour clock (13:30, not 1:30 PM)"
                if re.search(r"(?i)[ap]\.?m\.?", stamp)
                else f"a date and time as {order} hour:minute"
            )
            raise FormatError(path, row=n, column="Date", expected=why, found=stamp)
        a, b, year, hour, minute = (int(x) for x in m.groups())
        day, month = (a, b) if date_order == "dmy" else (b, a)
        try:
            when = dt.datetime(year, month, day, hour, minute, tzinfo=zone)
        except ValueError:
            raise FormatError(
                path,
                row=n,
                column="Date",
                expected=f"a real date and time as {order} hour:minute (24-hour clock)",
                found=stamp,
            ) from None
        _check_time(path, n, "Date", when, now, stamp)
        text = _unneutralise(cells[1]).strip()
        if not text:
            raise FormatError(path, row=n, column="Message", message="the message is empty")
        link = _check_link(path, n, "Link", _unneutralise(cells[2]))
        out.append(BulkRow(n, when, text, link))
    _no_duplicates(path, out, "Message")
    return out


def read_buffer(path: str | Path, *, now: dt.datetime, tz: str | None = None) -> list[BulkRow]:
    """Read and check a Buffer-style CSV (``Text,Image URL,Tags,Posting Time``).

    Raises
    ------
    FormatError
        A missing column, or the first bad row naming the row and column.
    """
    path = Path(path)
    zone = _zone(tz)
    rows = _read_rows(path)
    if not rows:
        raise FormatError(path, message=f"empty file: expected a header {','.join(BUFFER_COLUMNS)}")
    header = [c.strip() for c in rows[0][1]]
    missing = [c for c in BUFFER_COLUMNS if c not in header]
    if missing:
        raise FormatError(
            path,
            row=rows[0][0],
            message=f"missing column(s) {', '.join(missing)}; expected the header "
            f"{','.join(BUFFER_COLUMNS)}",
        )
    idx = {c: header.index(c) for c in BUFFER_COLUMNS}
    out = []
    for n, cells in rows[1:]:
        cells = [*cells, *([""] * len(header))]

        def cell(c: str, cells=cells) -> str:
            return _unneutralise(cells[idx[c]])

        stamp = cell("Posting Time").strip()
        try:
            when = dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M").replace(tzinfo=zone)
        except ValueError:
            raise FormatError(
                path,
                row=n,
                column="Posting Time",
                expected="a date and time as YYYY-MM-DD HH:MM (24-hour clock)",
                found=stamp,
            ) from None
        _check_time(path, n, "Posting Time", when, now, stamp)
        text = cell("Text").strip()
        if not text:
            raise FormatError(path, row=n, column="Text", message="the text is empty")
        media = cell("Image URL").strip()
        if media:
            _check_media(path, n, "Image URL", media)
        tags = [t.strip() for t in cell("Tags").split(",") if t.strip()]
        labels = [t for t in tags if t.lower() not in ("promotional", "paid")]
        if len(labels) > 1:
            raise FormatError(
                path,
                row=n,
                column="Tags",
                expected="one content pillar, plus 'promotional' or 'paid'",
                found=cell("Tags"),
            )
        out.append(
            BulkRow(
                n,
                when,
                text,
                None,
                (media,) if media else (),
                labels[0] if labels else None,
                any(t.lower() == "promotional" for t in tags),
                any(t.lower() == "paid" for t in tags),
            )
        )
    if not out:
        raise FormatError(path, message="no posts below the header")
    _no_duplicates(path, out, "Text")
    return out


class BulkImport(list):
    """The posts a bulk import planned (a list of :class:`PlannedPost`, in file order).

    Attributes
    ----------
    import_id : int
        The import's row in ``imports`` (the earlier one when ``skipped``).
    sha256 : str
        Hex sha256 of the file's bytes.
    skipped : bool
        The same bytes were already imported into the plan for the same accounts: nothing
        was added and the list is empty.
    note : str or None
        When skipped, a plain sentence for the user ("bulk.csv: already imported on
        2026-12-01 from bulk.csv (20 drafts for mastodon:109876); nothing added").
    """

    def __init__(self, posts=(), *, import_id: int, sha256: str, skipped=False, note=None):
        super().__init__(posts)
        self.import_id = import_id
        self.sha256 = sha256
        self.skipped = skipped
        self.note = note


def _import_key(planner: Planner, accounts: Sequence[str]) -> str:
    return "accounts=" + ",".join(sorted(a.account_id for a in planner._accounts(accounts)))


def _earlier(planner: Planner, path: Path, fmt: str, sha: str, key: str) -> BulkImport | None:
    """The earlier import of these bytes into the plan for these accounts, as a no-op."""
    rows = planner.ws.con.execute(
        "SELECT import_id, started_at, path, rows FROM imports WHERE sha256 = ? AND format = ? "
        "AND context_key = ? AND status = 'ok' ORDER BY import_id LIMIT 1",
        [sha, fmt, key],
    ).fetchall()
    if not rows:
        return None
    import_id, at, before, n = rows[0]
    # what the user needs: when, from which file (a copy may have another name or folder),
    # what it planned then, and that nothing changed; the import log's number is internal
    before = Path(before)
    source = before.name if before.parent == path.resolve().parent else str(before)
    accounts = key.removeprefix("accounts=").replace(",", ", ")
    drafts = f"{int(n)} draft{'s' if int(n) != 1 else ''} for {accounts}"
    note = f"{path.name}: already imported on {at:%Y-%m-%d} from {source} ({drafts}); nothing added"
    return BulkImport(import_id=int(import_id), sha256=sha, skipped=True, note=note)


def _zone_of(planner: Planner, accounts: Sequence[str], tz: str | None) -> str | None:
    if tz:
        return tz
    accs = planner._accounts(accounts)
    return next((a.timezone for a in accs if a.timezone), None) or planner.team_zone()


def _import(
    planner: Planner,
    user: str,
    path: Path,
    fmt: str,
    read,
    accounts,
    zone,
    **labels,
) -> BulkImport:
    """Read (``read(now)``) and plan a file's rows in one transaction, logged in
    ``imports``; the same bytes for the same accounts a second time: a no-op."""
    import json

    from ripplemeter.operations.calendar import _load, _naive_utc
    from ripplemeter.workspace import file_sha256

    planner.team.require(user, "post.create")
    accs = planner._accounts(accounts)  # once for the file: every row targets them
    if not path.is_file():
        raise FormatError(path, message="file not found")
    sha = file_sha256(path)
    key = _import_key(planner, accounts)
    earlier = _earlier(planner, path, fmt, sha, key)
    if earlier is not None:
        return earlier
    now = planner.now()
    rows = read(now)
    items = [
        {
            "text": r.text,
            "at": r.when.astimezone(dt.UTC),
            "link": r.link,
            "media": r.media,
            "pillar": r.pillar or labels.get("pillar"),
            "promotional": r.promotional or labels.get("promotional", False),
            "paid": r.paid or labels.get("paid", False),
            "campaign_id": labels.get("campaign_id"),
            "comment": labels.get("comment"),
        }
        for r in rows
    ]
    con = planner.ws.con
    with planner.ws.transaction():
        ids = planner._insert_many(user, items, accs, zone, now)
        ((import_id,),) = con.execute(
            "SELECT coalesce(max(import_id), 0) + 1 FROM imports"
        ).fetchall()
        con.execute(
            "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ok')",
            [
                int(import_id),
                str(path.resolve()),
                sha,
                fmt,
                key,
                len(ids),
                json.dumps({"planned_posts": len(ids)}),
                "[]",
                zone,
                _naive_utc(now),
                _naive_utc(now),
            ],
        )
    return BulkImport(_load(planner.ws, ids), import_id=int(import_id), sha256=sha)


def import_hootsuite(
    planner: Planner,
    user: str,
    path: str | Path,
    accounts: Sequence[str],
    *,
    date_order: str,
    tz: str | None = None,
    campaign_id: str | None = None,
    pillar: str | None = None,
    promotional: bool = False,
) -> BulkImport:
    """Import a Hootsuite bulk CSV into the calendar as drafts, all or nothing.

    Parameters
    ----------
    planner : Planner
        Its clock is "now" for the 10-minute rule; its team checks ``post.create``.
    user : str
        Acting member id.
    path : str or Path
    accounts : sequence of str
        Registered accounts every message targets.
    date_order : {"dmy", "mdy"}
    tz : str, optional
        Zone of the times (default: the first account's registered zone, else UTC).
    campaign_id, pillar, promotional
        Labels given to every imported post.

    Returns
    -------
    BulkImport
        A list of the planned posts, in file order, state ``draft``; empty, with
        ``skipped`` and a ``note``, when these bytes were already imported into the plan
        for the same accounts (matched by sha256, as analytics imports are).

    Raises
    ------
    FormatError
        A bad row (row and column named); nothing is written.
    NotAllowed, CalendarError
        The user may not write drafts; an account is not registered.
    """
    zone = _zone_of(planner, accounts, tz)
    path = Path(path)
    return _import(
        planner,
        user,
        path,
        "calendar-hootsuite",
        lambda now: read_hootsuite(path, date_order=date_order, now=now, tz=zone),
        accounts,
        zone,
        campaign_id=campaign_id,
        pillar=pillar,
        promotional=promotional,
        comment=f"imported from {Path(path).name}",
    )


def import_buffer(
    planner: Planner,
    user: str,
    path: str | Path,
    accounts: Sequence[str],
    *,
    tz: str | None = None,
    campaign_id: str | None = None,
) -> BulkImport:
    """Import a Buffer-style CSV into the calendar as drafts, all or nothing.

    See :func:`import_hootsuite` for the parameters and errors; tags give the pillar and
    the promotional and paid labels.
    """
    zone = _zone_of(planner, accounts, tz)
    path = Path(path)
    return _import(
        planner,
        user,
        path,
        "calendar-buffer",
        lambda now: read_buffer(path, now=now, tz=zone),
        accounts,
        zone,
        campaign_id=campaign_id,
        comment=f"imported from {Path(path).name}",
    )


def _csv(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerows(rows)
    return buf.getvalue()


def _planned(posts: Sequence[PlannedPost]) -> list[PlannedPost]:
    return [p for p in posts if p.scheduled_at is not None and p.state != "cancelled"]


def to_hootsuite_csv(
    posts: Sequence[PlannedPost], *, date_order: str = "dmy", tz: str | None = None
) -> str:
    """The plan as a Hootsuite bulk-composer CSV (no header; date, message, link).

    Posts without a time and cancelled posts are left out. Times are written in ``tz``
    (default: each post's planned zone) on the 24-hour clock. Texts and links are
    neutralised against formula injection.

    Raises
    ------
    FormatError
        ``date_order`` is not dmy or mdy.
    """
    if date_order not in ("dmy", "mdy"):
        raise FormatError(None, message=f"date order {date_order!r}: expected dmy or mdy")
    fmt = "%d/%m/%Y %H:%M" if date_order == "dmy" else "%m/%d/%Y %H:%M"
    rows = []
    for p in _planned(posts):
        rows.append(
            [p.local_time(tz).strftime(fmt), _neutralise(p.text), _neutralise(p.link or "")]
        )
    return _csv(rows)


def to_buffer_csv(posts: Sequence[PlannedPost], *, tz: str | None = None) -> str:
    """The plan as a Buffer-style CSV (``Text,Image URL,Tags,Posting Time``), neutralised.

    The link, when kept apart from the text, is appended to the text (Buffer's file has
    no link column); the first media reference (a link or a local file path) is the image
    URL.
    """
    rows = [list(BUFFER_COLUMNS)]
    for p in _planned(posts):
        tags = [t for t in (p.pillar,) if t]
        tags += ["promotional"] if p.promotional else []
        tags += ["paid"] if p.paid else []
        text = p.text if not p.link or p.link in p.text else f"{p.text} {p.link}"
        rows.append(
            [
                _neutralise(text),
                _neutralise(p.media[0] if p.media else ""),
                _neutralise(",".join(tags)),
                p.local_time(tz).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    return _csv(rows)


_ICAL_STATUS = {"scheduled": "CONFIRMED", "published": "CONFIRMED", "cancelled": "CANCELLED"}


def to_ical(
    posts: Sequence[PlannedPost],
    *,
    name: str = "Content calendar",
    now: dt.datetime | None = None,
    duration: dt.timedelta = dt.timedelta(minutes=15),
) -> bytes:
    """The plan as an iCalendar file (RFC 5545): one VEVENT per planned post with a time.

    Each event has UID ``<plan_id>@ripplemeter``, DTSTART in UTC, SUMMARY (the state and
    the first line of the text), DESCRIPTION (text, link, accounts, state, approvals),
    CATEGORIES (pillar, promotional, paid), STATUS (CONFIRMED when scheduled or published,
    CANCELLED when cancelled, TENTATIVE otherwise) and SEQUENCE (the plan's version, so
    calendar apps replace an edited event).

    Returns
    -------
    bytes
        The .ics content.
    """
    from icalendar import Calendar, Event

    stamp = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    cal = Calendar()
    cal.add("prodid", "-//ripplemeter//content calendar//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for p in posts:
        if p.scheduled_at is None:
            continue
        ev = Event()
        ev.add("uid", f"{p.plan_id}@ripplemeter")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", p.scheduled_at)
        ev.add("dtend", p.scheduled_at + duration)
        first = p.text.strip().splitlines()[0] if p.text.strip() else ""
        if len(first) > 60:
            first = first[:57] + "..."
        ev.add("summary", f"[{p.state}] {first}")
        lines = [p.text]
        if p.link:
            lines.append(f"Link: {p.link}")
        lines.append(f"Accounts: {', '.join(p.accounts)}")
        lines.append(f"State: {p.state}")
        if p.approvals:
            lines.append(f"Approved by: {', '.join(p.approvals)}")
        ev.add("description", "\n".join(lines))
        cats = [c for c in (p.pillar,) if c]
        cats += ["promotional"] if p.promotional else []
        cats += ["paid"] if p.paid else []
        if cats:
            ev.add("categories", cats)
        ev.add("status", _ICAL_STATUS.get(p.state, "TENTATIVE"))
        ev.add("sequence", p.version)
        cal.add_component(ev)
    return cal.to_ical()
