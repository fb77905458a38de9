"""``ripplemeter calendar ...``: the content calendar (plan, approve, schedule, views).

The commands are thin: each calls :mod:`ripplemeter.operations.calendar` (or
:mod:`~ripplemeter.operations.bulk`), which checks roles with ``Team.require`` and the
approval rules of standards.toml. Other modules may register more commands on
:data:`calendar_app` (``calendar publish`` lives in its own module).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ripplemeter.cli import RippleGroup, app, console, err_console, friendly, note

__all__ = ["calendar_app"]

calendar_app = type(app)(
    cls=RippleGroup,
    no_args_is_help=True,
    help="The content calendar: plan posts, send them for review, approve, schedule, publish, "
    "list, import and export.\n\n"
    "A post goes from draft to in review, approved, scheduled and published. Each command "
    "reads standards.toml and team.toml in the current folder and names who is acting with "
    "--as (your name in team.toml).\n\n"
    "Example: ripplemeter calendar list --week --as sam",
)
app.add_typer(calendar_app, name="calendar")


DEFAULT_WORKSPACE = Path("ripplemeter.duckdb")
DEFAULT_STANDARDS = Path("standards.toml")

WorkspaceOpt = Annotated[
    Path,
    typer.Option(
        help="The project's data file; by default ripplemeter.duckdb in the current folder."
    ),
]
StandardsOpt = Annotated[
    Path,
    typer.Option(help="The brand's standards.toml; by default the one in the current folder."),
]
TeamOpt = Annotated[
    Path | None,
    typer.Option("--team", help="The team's team.toml; by default the one beside standards.toml."),
]
AsOpt = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="Who is acting: your name in team.toml, e.g. --as tom (default: $RIPPLEMETER_USER).",
    ),
]
STATE_HELP = (
    "Only posts in this state: draft, in_review, approved, scheduled, published, failed or "
    "cancelled (repeatable)."
)
CommentOpt = Annotated[
    str | None,
    typer.Option("--comment", "-m", help="A comment kept in the post's history (calendar show)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON, for scripts and the web app.")]


class _Ctx:
    """The workspace, team, standards and acting user of one command."""

    def __init__(self, workspace, standards, team, as_user, *, read_only=False, need_user=True):
        from ripplemeter.operations.calendar import CalendarError, Planner
        from ripplemeter.operations.standards import load_standards
        from ripplemeter.operations.team import acting_user, find_team, load_team
        from ripplemeter.workspace import Workspace

        if read_only and not workspace.is_file():
            raise CalendarError(
                None,
                "workspace",
                f"{workspace}: no workspace yet; register accounts with `ripplemeter accounts "
                "add` and plan posts with `ripplemeter calendar add`",
            )
        self.standards = load_standards(standards)
        team_path = team if team is not None else find_team(standards)
        self.team = load_team(team_path)
        self.user = acting_user(self.team, as_user).id if need_user else None
        self.ws = Workspace(workspace, read_only=read_only)
        if (
            read_only
            and not self.ws.con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'plan_transitions'"
            ).fetchone()[0]
        ):
            self.ws.close()  # a workspace from before the calendar: add its tables once
            self.ws = Workspace(workspace)
        self.planner = Planner(self.ws, team=self.team, standards=self.standards)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.ws.close()


def _variants(values: list[str] | None) -> dict[str, str] | None:
    from ripplemeter.operations.calendar import CalendarError

    if not values:
        return None
    out = {}
    for v in values:
        plat, sep, text = v.partition("=")
        if not sep or not plat.strip():
            raise CalendarError(
                None, "variant", f"--variant {v!r}: expected PLATFORM=TEXT, such as x='Short text'"
            )
        out[plat.strip().lower()] = text
    return out


def _said(post, what: str) -> None:
    line = f"{post.plan_id}: {what} (state {post.state}, version {post.version})"
    console.print(line, markup=False, highlight=False, emoji=False)


def _show_findings(post, out=None) -> None:
    from rich.table import Table
    from rich.text import Text

    if not post.findings:
        return
    table = Table(
        title=f"Findings on {post.plan_id}, version {post.version}", show_lines=True, expand=True
    )
    for col, kw in (
        ("account", {"no_wrap": True}),
        ("rule", {"no_wrap": True}),
        ("severity", {"no_wrap": True}),
        ("why", {"overflow": "fold", "ratio": 3}),
        ("how to fix", {"overflow": "fold", "ratio": 2}),
    ):
        table.add_column(col, **kw)
    for f in post.findings:
        cells = (f["account_id"], f["rule"], f["severity"], f["why"], f["fix"])
        table.add_row(*(Text(str(c)) for c in cells))
    (out or err_console).print(table)


# ---------------------------------------------------------------------------- add / edit
@calendar_app.command("add")
@friendly
def calendar_add(
    text: Annotated[str, typer.Argument(help="The post's text ('-' reads it from stdin).")],
    account: Annotated[
        list[str],
        typer.Option(
            "--account",
            "-a",
            help="Account to post on, as `accounts list` shows it: mastodon:109876 "
            "(repeat -a for several).",
        ),
    ],
    at: Annotated[
        str | None,
        typer.Option("--at", help="When, in the account's time zone: '2026-12-07 09:00'."),
    ] = None,
    tz: Annotated[
        str | None,
        typer.Option(help="Time zone of --at, e.g. America/New_York (default: the account's)."),
    ] = None,
    link: Annotated[str | None, typer.Option(help="A link posted with the text.")] = None,
    media: Annotated[
        list[str] | None,
        typer.Option(
            help="An image to attach: a file (from the project folder, e.g. media/beans.png) or "
            "an https:// link (repeatable, 4 at most)."
        ),
    ] = None,
    variant: Annotated[
        list[str] | None,
        typer.Option(help="Per-platform text PLATFORM=TEXT (repeatable), e.g. x='Short'."),
    ] = None,
    campaign: Annotated[
        str | None, typer.Option(help="Campaign the post serves, e.g. spring-launch.")
    ] = None,
    pillar: Annotated[
        str | None, typer.Option(help="Content pillar (theme), e.g. product or community.")
    ] = None,
    promotional: Annotated[
        bool,
        typer.Option(
            "--promotional", help="The post sells (counts towards the promotional share)."
        ),
    ] = False,
    paid: Annotated[
        bool,
        typer.Option("--paid", help="The post will be paid (needs a disclosure and approvals)."),
    ] = False,
    paid_partnership: Annotated[
        bool,
        typer.Option(
            "--paid-partnership", help="It carries the platform's paid-partnership label."
        ),
    ] = False,
    lang: Annotated[
        str | None,
        typer.Option(help="Language of the text: en, ko or zh (default: told from its script)."),
    ] = None,
    comment: CommentOpt = None,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    standards: StandardsOpt = DEFAULT_STANDARDS,
    team: TeamOpt = None,
    as_user: AsOpt = None,
) -> None:
    """Plan a post as a draft; prints its number in the plan (p1, p2, ...).

    Example: ripplemeter calendar add "New beans #coffee" -a mastodon:109876 --at "2026-12-07 09:00" --pillar product --as tom
    """
    body = sys.stdin.read() if text == "-" else text
    with _Ctx(workspace, standards, team, as_user) as c:
        post = c.planner.add(
            c.user,
            body,
            account,
            at,
            tz=tz,
            link=link,
            media=media or (),
            variants=_variants(variant),
            campaign_id=campaign,
            pillar=pillar,
            promotional=promotional,
            paid=paid,
            paid_partnership=paid_partnership,
            lang=lang,
            comment=comment,
        )
    _said(post, "planned as a draft")


@calendar_app.command("edit")
@friendly
def calendar_edit(
    plan_id: Annotated[
        str,
        typer.Argument(
            metavar="POST", help="The post, by its number in the plan: p12 (calendar list)."
        ),
    ],
    text: Annotated[str | None, typer.Option(help="New text.")] = None,
    account: Annotated[
        list[str] | None,
        typer.Option("--account", "-a", help="New accounts to post on (repeat -a for several)."),
    ] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="New time, e.g. '2026-12-08 09:00'.")
    ] = None,
    tz: Annotated[str | None, typer.Option(help="Time zone of --at (default: as planned).")] = None,
    link: Annotated[str | None, typer.Option(help="New link ('' removes it).")] = None,
    variant: Annotated[
        list[str] | None, typer.Option(help="PLATFORM=TEXT ('x=' removes the x variant).")
    ] = None,
    campaign: Annotated[str | None, typer.Option(help="Campaign the post serves.")] = None,
    pillar: Annotated[str | None, typer.Option(help="Content pillar (theme).")] = None,
    promotional: Annotated[
        bool | None, typer.Option("--promotional/--not-promotional", help="Sells or not.")
    ] = None,
    paid: Annotated[bool | None, typer.Option("--paid/--not-paid", help="Paid or not.")] = None,
    comment: CommentOpt = None,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    standards: StandardsOpt = DEFAULT_STANDARDS,
    team: TeamOpt = None,
    as_user: AsOpt = None,
) -> None:
    """Change a planned post; an approved or scheduled post goes back to review.

    Example: ripplemeter calendar edit p1 --text "New beans from Ethiopia #coffee" --as tom
    """
    changes: dict = {}
    for key, value in (
        ("text", text),
        ("accounts", account or None),
        ("when", at),
        ("tz", tz),
        ("link", link),
        ("variants", _variants(variant)),
        ("campaign_id", campaign),
        ("pillar", pillar),
        ("promotional", promotional),
        ("paid", paid),
    ):
        if value is not None:
            changes[key] = value
    with _Ctx(workspace, standards, team, as_user) as c:
        post = c.planner.edit(c.user, plan_id, comment=comment, **changes)
    _said(post, "edited")


def _transition(action: str, plan_id, comment, workspace, standards, team, as_user) -> None:
    with _Ctx(workspace, standards, team, as_user) as c:
        post = getattr(c.planner, action)(c.user, plan_id, comment)
    words = {
        "submit": "sent for review",
        "approve": "approved" if post.state == "approved" else "approval recorded",
        "reject": "sent back to draft",
        "schedule": f"scheduled for {post.local_time():%Y-%m-%d %H:%M %Z}"
        if post.scheduled_at
        else "scheduled",
        "cancel": "cancelled",
    }[action]
    # why before what: the linter's findings (approve re-runs it: the warnings the approver
    # accepts) come before the outcome line, so that a reader going down the screen meets
    # them first; what is still missing comes after it
    if action in ("submit", "approve"):
        _show_findings(post)
    _said(post, words)
    if action == "approve" and post.state == "in_review":
        with _Ctx(workspace, standards, team, as_user, read_only=True, need_user=False) as c:
            for m in c.planner.shortfall(post):
                note(f"still needed: {m}")


PlanArg = Annotated[
    str,
    typer.Argument(
        metavar="POST", help="The post, by its number in the plan: p12 (calendar list shows it)."
    ),
]


@calendar_app.command("submit")
@friendly
def calendar_submit(
    plan_id: PlanArg,
    comment: CommentOpt = None,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    standards: StandardsOpt = DEFAULT_STANDARDS,
    team: TeamOpt = None,
    as_user: AsOpt = None,
) -> None:
    """Send a draft for review; what breaks the standard is shown first.

    Example: ripplemeter calendar submit p1 --as tom
    """
    _transition("submit", plan_id, comment, workspace, standards, team, as_user)


@calendar_app.command("approve")
@friendly
def calendar_approve(
    plan_id: PlanArg,
    comment: CommentOpt = None,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    standards: StandardsOpt = DEFAULT_STANDARDS,
    team: TeamOpt = None,
    as_user: AsOpt = None,
) -> None:
    """Approve a post in review (refused while it breaks the standard).

    Example: ripplemeter calendar approve p1 -m "lovely" --as jisoo
    """
    _transition("approve", plan_id, comment, workspace, standards, team, as_user)


@calendar_app.command("reject")
@friendly
def calendar_reject(
    plan_id: PlanArg,
    comment: CommentOpt = None,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    standards: StandardsOpt = DEFAULT_STANDARDS,
    team: TeamOpt = None,
    as_user: AsOpt = None,
) -> None:
    """Send a post in review back to draft (changes requested).

    Example: ripplemeter calendar reject p1 -m "name the beans' farm" --as jisoo
    """
    _transition("reject", plan_id, comment, workspace, standards, team, as_user)


@calendar_app.command("schedule")
@friendly
def calendar_schedule(
    plan_id: PlanArg,
    comment: CommentOpt = None,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    standards: StandardsOpt = DEFAULT_STANDARDS,
    team: TeamOpt = None,
    as_user: AsOpt = None,
) -> None:
    """Schedule an approved post (its approval rules are checked again).

    Example: ripplemeter calendar schedule p1 --as tom
    """
    _transition("schedule", plan_id, comment, workspace, standards, team, as_user)


@calendar_app.command("cancel")
@friendly
def calendar_cancel(
    plan_id: PlanArg,
    comment: CommentOpt = None,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    standards: StandardsOpt = DEFAULT_STANDARDS,
    team: TeamOpt = None,
    as_user: AsOpt = None,
) -> None:
    """Cancel a post that is not published.

    Example: ripplemeter calendar cancel p1 -m "sold out" --as tom
    """
    _transition("cancel", plan_id, comment, workspace, standards, team, as_user)


# ---------------------------------------------------------------------------- views
@calendar_app.command("show")
@friendly
def calendar_show(
    plan_id: PlanArg,
    json_out: JsonOpt = False,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    standards: StandardsOpt = DEFAULT_STANDARDS,
    team: TeamOpt = None,
    as_user: AsOpt = None,
) -> None:
    """One planned post: its text, state, approvals, what breaks the standard, its history.

    Example: ripplemeter calendar show p1 --as sam
    """
    import json

    from rich.table import Table
    from rich.text import Text

    from ripplemeter.operations.calendar import get_plan, history

    with _Ctx(workspace, standards, team, as_user, read_only=True) as c:
        c.team.require(c.user, "view")
        post = get_plan(c.ws, plan_id)
        log = history(c.ws, plan_id)
        missing = c.planner.shortfall(post) if post.state == "in_review" else []
    if json_out:
        d = post.to_dict()
        d["missing_approvals"] = missing
        d["history"] = [
            {
                "action": r.action,
                "from": None
                if r.from_state is None or r.from_state != r.from_state
                else r.from_state,
                "to": r.to_state,
                "actor": r.actor,
                "at": r.at.isoformat() + "Z",
                "version": int(r.version),
                "comment": None if r.comment is None or r.comment != r.comment else r.comment,
            }
            for r in log.itertuples()
        ]
        print(json.dumps(d, ensure_ascii=False, indent=2))
        return
    local = post.local_time()
    info = Table(show_header=False, box=None)
    info.add_column(style="bold", no_wrap=True)
    info.add_column(overflow="fold")
    rows = [
        ("plan", post.plan_id),
        ("state", f"{post.state} (version {post.version})"),
        ("when", f"{local:%Y-%m-%d %H:%M %Z}" if local else "not set"),
        ("accounts", ", ".join(post.accounts)),
        ("text", post.text),
        *((f"text on {k}", v) for k, v in post.variants.items()),
        ("link", post.link or ""),
        ("media", ", ".join(post.media)),
        ("campaign", post.campaign_id or ""),
        (
            "labels",
            ", ".join(
                [x for x in (post.pillar,) if x]
                + (["promotional"] if post.promotional else [])
                + (["paid"] if post.paid else [])
            ),
        ),
        ("approved by", ", ".join(post.approvals)),
        *(("still needed", m) for m in missing),
        *(
            (f"on {a}", p.url or p.platform_post_id or "")
            if p.status == "published"
            else (f"on {a}", f"failed: {p.error}")
            for a, p in post.publications.items()
        ),
    ]
    for k, v in rows:
        info.add_row(Text(k), Text(str(v)))
    console.print(info)
    _show_findings(post, console)
    # the log in the same zone as the post's time: the zone it was planned in, else the
    # team's, else UTC (the log is stored in UTC)
    import datetime as dt
    from zoneinfo import ZoneInfo

    import pandas as pd

    from ripplemeter.operations.calendar import team_zone

    zone = post.timezone or team_zone(c.standards) or "UTC"
    audit = Table(title="Audit log")
    for col in (f"when ({zone})", "who", "action", "from", "to", "comment"):
        audit.add_column(col, overflow="fold")
    for r in log.itertuples():
        frm = r.from_state if isinstance(r.from_state, str) else ""
        com = r.comment if isinstance(r.comment, str) else ""
        at = pd.Timestamp(r.at).to_pydatetime().replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone))
        audit.add_row(
            *(Text(x) for x in (f"{at:%Y-%m-%d %H:%M}", r.actor, r.action, frm, r.to_state, com))
        )
    console.print(audit)


def _period(week: bool, month: bool, start: str | None, tz: str):
    import datetime as dt
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from ripplemeter.operations.calendar import CalendarError

    if not (week or month):
        return None, None
    try:
        zone = ZoneInfo(tz)
    except (ValueError, ZoneInfoNotFoundError):
        raise CalendarError(
            None,
            "list",
            f"--tz {tz!r}: unknown time zone; expected an IANA name such as Asia/Seoul",
        ) from None
    if start:
        try:
            day = dt.date.fromisoformat(start)
        except ValueError:
            raise CalendarError(None, "list", f"--from {start!r}: expected YYYY-MM-DD") from None
    else:
        day = dt.datetime.now(zone).date()
    if week:
        first = day - dt.timedelta(days=day.weekday())
        last = first + dt.timedelta(days=7)
    else:
        first = day.replace(day=1)
        last = (first + dt.timedelta(days=32)).replace(day=1)
    to_dt = lambda d: dt.datetime.combine(d, dt.time(0), zone)  # noqa: E731
    return to_dt(first), to_dt(last)


def _span(first, last) -> str:
    """The days ``first`` (a midnight) up to ``last`` (the midnight after), end included:
    ``Mon 7 Dec - Sun 13 Dec 2026`` (both years named when they differ)."""
    import datetime as dt

    a, b = first.date(), last.date() - dt.timedelta(days=1)
    day = lambda d: f"{d:%a} {d.day} {d:%b}"  # noqa: E731
    if a.year == b.year:
        return f"{day(a)} - {day(b)} {b.year}"
    return f"{day(a)} {a.year} - {day(b)} {b.year}"


def _planned_periods(times, zone, week: bool, most: int = 8) -> str:
    """The weeks (Monday to Sunday) or months of ``zone`` that hold planned posts, in words:
    ``posts are planned in the weeks of Mon 23 Feb 2026 (4 posts), ...``, the count of posts
    of each in brackets; the first ``most`` are named, the others counted."""
    import datetime as dt
    from collections import Counter

    days = [t.astimezone(zone).date() for t in times]
    if week:
        keys = Counter(d - dt.timedelta(days=d.weekday()) for d in days)
        label = lambda d: f"{d:%a} {d.day} {d:%b %Y}"  # noqa: E731
        head = "posts are planned in the week" + ("s" if len(keys) > 1 else "") + " of "
    else:
        keys = Counter(d.replace(day=1) for d in days)
        label = lambda d: f"{d:%B %Y}"  # noqa: E731
        head = "posts are planned in "
    shown = sorted(keys)[:most]
    words = ", ".join(f"{label(k)} ({keys[k]} post{'s' if keys[k] > 1 else ''})" for k in shown)
    rest = len(keys) - len(shown)
    more = f" and {rest} more {'week' if week else 'month'}{'s' if rest > 1 else ''}"
    return head + words + (more if rest else "")


@calendar_app.command("list")
@friendly
def calendar_list(
    week: Annotated[
        bool, typer.Option("--week", help="Only one week, Monday to Sunday (see --from).")
    ] = False,
    month: Annotated[bool, typer.Option("--month", help="Only one month (see --from).")] = False,
    start: Annotated[
        str | None,
        typer.Option(
            "--from", help="A day in the week or month wanted (YYYY-MM-DD; default today)."
        ),
    ] = None,
    account: Annotated[
        str | None, typer.Option(help="Only this account, e.g. mastodon:109876.")
    ] = None,
    state: Annotated[list[str] | None, typer.Option(help=STATE_HELP)] = None,
    tz: Annotated[
        str | None,
        typer.Option(
            help="Time zone of the week or month, e.g. Asia/Seoul (default: the --account's "
            "zone, else the team's, from business_hours in standards.toml, else UTC)."
        ),
    ] = None,
    json_out: JsonOpt = False,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    standards: StandardsOpt = DEFAULT_STANDARDS,
    team: TeamOpt = None,
    as_user: AsOpt = None,
) -> None:
    """The plan: a table per account and day (each in the account's zone), or JSON.

    Example: ripplemeter calendar list --week --from 2026-12-07 --as sam
    """
    import json

    from rich.table import Table
    from rich.text import Text

    from ripplemeter.operations.accounts import get_account
    from ripplemeter.operations.calendar import CalendarError, calendar_zone, list_plans

    if week and month:
        raise CalendarError(None, "list", "give --week or --month, not both")
    with _Ctx(workspace, standards, team, as_user, read_only=True) as c:
        c.team.require(c.user, "view")
        # the bounds' zone: --tz, else the one rule of `calendar check` (the account's
        # zone, else the team's in standards.toml [business_hours], else UTC)
        zone = tz or calendar_zone(c.ws, c.standards, account)
        first, last = _period(week, month, start, zone)
        posts = list_plans(c.ws, start=first, end=last, account=account, states=state)
        elsewhere = []  # when the period is empty: the planned days outside it, for a hint
        if first is not None and not posts and not json_out:
            elsewhere = [
                p.scheduled_at
                for p in list_plans(c.ws, account=account, states=state)
                if p.scheduled_at is not None
            ]
        zones = {}
        for p in posts:
            for a in p.accounts:
                if a not in zones:
                    acc = get_account(c.ws, a)
                    zones[a] = (acc.timezone if acc else None) or p.timezone or "UTC"
        from ripplemeter.evaluate.inbox_section import account_names

        names = account_names(c.ws)
    if json_out:
        print(json.dumps([p.to_dict() for p in posts], ensure_ascii=False, indent=2))
        return
    period = None
    if first is not None:
        period = f"{'week' if week else 'month'} {_span(first, last)} ({zone})"
    if not posts:
        if period is None:
            note("nothing planned" + (f" for {account}" if account else ""))
            return
        what = "week" if week else "month"
        hint = f"pick another {what} with --from YYYY-MM-DD (any day in it)"
        if elsewhere:
            later = [t for t in elsewhere if t >= last]
            t = min(later) if later else max(elsewhere)
            hint = f"{_planned_periods(elsewhere, first.tzinfo, week)}; {hint}"
            hint += f", e.g. --from {t.astimezone(first.tzinfo):%Y-%m-%d}"
            hint += " (the next planned post)" if later else " (the last planned post)"
        note(
            "nothing planned" + (f" for {account}" if account else "") + f" in the {period}; {hint}"
        )
        return
    if period is not None:
        console.print(f"The {period}", markup=False, highlight=False, emoji=False)
    by_account: dict[str, list] = {}
    for p in posts:
        for a in p.accounts:
            if account and a != account:
                continue
            by_account.setdefault(a, []).append(p)
    for a in sorted(by_account):
        # the name people know, then the id the commands take (-a), then the zone of the times
        shown = f"{names[a]} ({a}, {zones[a]})" if a in names else f"{a} ({zones[a]})"
        table = Table(title=shown, show_lines=False)
        for col in ("day", "time", "plan", "state", "text", "labels"):
            table.add_column(col, overflow="fold", no_wrap=col in ("day", "time", "plan"))
        last_day = None
        for p in sorted(by_account[a], key=lambda p: (p.scheduled_at is None, p.scheduled_at or 0)):
            local = p.local_time(zones[a])
            day = f"{local:%a %Y-%m-%d}" if local else "no time"
            labels = (
                [x for x in (p.pillar,) if x]
                + (["promotional"] if p.promotional else [])
                + (["paid"] if p.paid else [])
            )
            st = p.state
            pub = p.publications.get(a)
            if pub is not None and pub.status == "failed":
                st = f"{st}: {pub.error}"
            elif pub is not None:
                st = "published"  # on this account, whatever the others
            table.add_row(
                Text(day if day != last_day else ""),
                Text(f"{local:%H:%M}" if local else ""),
                Text(p.plan_id),
                Text(st),
                Text(p.text_for(a.split(":", 1)[0])),
                Text(", ".join(labels)),
            )
            last_day = day
        console.print(table)


# ---------------------------------------------------------------------------- bulk
@calendar_app.command("import")
@friendly
def calendar_import(
    file: Annotated[Path, typer.Argument(help="The CSV file (Hootsuite or Buffer style).")],
    account: Annotated[
        list[str],
        typer.Option(
            "--account", "-a", help="Account every row is posted on (repeat -a for several)."
        ),
    ],
    fmt: Annotated[str, typer.Option("--format", help="hootsuite or buffer.")] = "hootsuite",
    date_order: Annotated[
        str | None,
        typer.Option(help="Hootsuite dates: dmy (31/12/2026) or mdy (12/31/2026)."),
    ] = None,
    tz: Annotated[
        str | None, typer.Option(help="Time zone of the file's times (default: the account's).")
    ] = None,
    campaign: Annotated[str | None, typer.Option(help="Campaign every row serves.")] = None,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    standards: StandardsOpt = DEFAULT_STANDARDS,
    team: TeamOpt = None,
    as_user: AsOpt = None,
) -> None:
    """Import a bulk CSV as drafts, all or nothing (a bad row names its row and column).

    Example: ripplemeter calendar import week.csv --format hootsuite --date-order dmy -a mastodon:109876 --as tom
    """
    from ripplemeter.operations.bulk import import_buffer, import_hootsuite
    from ripplemeter.operations.calendar import CalendarError

    if fmt not in ("hootsuite", "buffer"):
        raise CalendarError(None, "import", f"--format {fmt!r}: expected hootsuite or buffer")
    if fmt == "hootsuite" and date_order is None:
        raise CalendarError(
            None,
            "import",
            "say how the file writes dates: --date-order dmy (31/12/2026) or mdy (12/31/2026)",
        )
    with _Ctx(workspace, standards, team, as_user) as c:
        if fmt == "hootsuite":
            posts = import_hootsuite(
                c.planner, c.user, file, account, date_order=date_order, tz=tz, campaign_id=campaign
            )
        else:
            posts = import_buffer(c.planner, c.user, file, account, tz=tz, campaign_id=campaign)
    if posts.skipped or not posts:
        console.print(posts.note or f"{file.name}: nothing to plan", markup=False, highlight=False)
        return
    console.print(
        f"{file.name}: {len(posts)} drafts planned ({posts[0].plan_id} to {posts[-1].plan_id})",
        markup=False,
        highlight=False,
        emoji=False,
    )


@calendar_app.command("export")
@friendly
def calendar_export(
    fmt: Annotated[str, typer.Option("--format", help="hootsuite, buffer or ical.")] = "hootsuite",
    out: Annotated[Path | None, typer.Option(help="File to write (default: stdout).")] = None,
    account: Annotated[
        str | None, typer.Option(help="Only this account, e.g. mastodon:109876.")
    ] = None,
    state: Annotated[list[str] | None, typer.Option(help=STATE_HELP)] = None,
    date_order: Annotated[
        str, typer.Option(help="Hootsuite dates: dmy (31/12/2026) or mdy (12/31/2026).")
    ] = "dmy",
    tz: Annotated[
        str | None,
        typer.Option(help="Time zone of the times written (default: each post's own)."),
    ] = None,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    standards: StandardsOpt = DEFAULT_STANDARDS,
    team: TeamOpt = None,
    as_user: AsOpt = None,
) -> None:
    """Export the plan as a Hootsuite or Buffer CSV, or an iCalendar file.

    Example: ripplemeter calendar export --format ical --out plan.ics --as sam
    """
    from ripplemeter.operations.bulk import to_buffer_csv, to_hootsuite_csv, to_ical
    from ripplemeter.operations.calendar import CalendarError, list_plans

    if fmt not in ("hootsuite", "buffer", "ical"):
        raise CalendarError(None, "export", f"--format {fmt!r}: expected hootsuite, buffer or ical")
    with _Ctx(workspace, standards, team, as_user, read_only=True) as c:
        c.team.require(c.user, "view")
        posts = list_plans(c.ws, account=account, states=state)
    if fmt == "hootsuite":
        data = to_hootsuite_csv(posts, date_order=date_order, tz=tz).encode("utf-8")
    elif fmt == "buffer":
        data = to_buffer_csv(posts, tz=tz).encode("utf-8")
    else:
        data = to_ical(posts)
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        out.write_bytes(data)
        note(f"{len(posts)} planned posts written to {out}")


def _whole(x) -> str:
    """An optional whole number as text ('' for None or NaN)."""
    return "" if x is None or x != x else str(int(x))


@calendar_app.command("check")
@friendly
def calendar_check(
    start: Annotated[str, typer.Option("--from", help="First day YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last day YYYY-MM-DD (inclusive).")],
    account: Annotated[
        list[str] | None,
        typer.Option("--account", "-a", help="Only these accounts (repeat -a for several)."),
    ] = None,
    json_out: JsonOpt = False,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    standards: StandardsOpt = DEFAULT_STANDARDS,
    team: TeamOpt = None,
    as_user: AsOpt = None,
) -> None:
    """The plan against the standard: weeks below the posting frequency, promotional share
    per week, posts waiting on approval, failures. Exit 1 when any is found.

    Example: ripplemeter calendar check --from 2026-12-07 --to 2026-12-20 --as sam
    """
    import datetime as dt
    import json

    from rich.table import Table
    from rich.text import Text

    from ripplemeter.operations.calendar import CalendarError, plan_health

    try:
        first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    except ValueError:
        raise CalendarError(None, "check", "--from and --to: expected YYYY-MM-DD") from None
    if last < first:
        raise CalendarError(None, "check", f"--to {end} is before --from {start}")
    with _Ctx(workspace, standards, team, as_user, read_only=True) as c:
        c.team.require(c.user, "view")
        h = plan_health(c.planner, first, last, accounts=account or None)
    if json_out:
        weekly = h.weekly.assign(week=h.weekly["week"].map(lambda d: d.isoformat()))
        weekly["promotional_share"] = weekly["promotional_share"].map(
            lambda x: None if x != x else x
        )
        doc = {
            "weekly": weekly.astype(object).where(weekly.notna(), None).to_dict("records"),
            "waiting": [
                {**r, "scheduled_at": r["scheduled_at"].isoformat()}
                for r in h.waiting.to_dict("records")
            ],
            "failures": [{**r, "at": r["at"].isoformat()} for r in h.failures.to_dict("records")],
            "weeks_below_frequency": h.weeks_below_frequency,
            "weeks_over_mix": h.weeks_over_mix,
        }
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        table = Table(title="Posts per week against the standard")
        for col in ("account", "week of", "posts", "range", "promotional", "limit", "finding"):
            table.add_column(col, overflow="fold")
        for r in h.weekly.itertuples():
            rng = f"{_whole(r.min_posts)}-{_whole(r.max_posts)}"
            share = "" if r.posts == 0 else f"{r.promotional}/{r.posts} ({r.promotional_share:.0%})"
            cap = r.max_promotional_share
            limit = "" if cap is None or cap != cap else f"{cap:.0%}"
            found = ", ".join(
                w
                for w, flag in (
                    ("below the posting frequency", r.below_frequency),
                    ("above the posting frequency", r.above_frequency),
                    ("too promotional", r.over_mix),
                )
                if flag
            )
            cells = (r.account_id, r.week.isoformat(), str(r.posts), rng, share, limit, found)
            table.add_row(*(Text(x) for x in cells))
        console.print(table)
        for r in h.waiting.itertuples():
            console.print(
                f"waiting on approval: {r.plan_id} ({r.accounts}): {r.missing or 'an approver'}",
                markup=False,
                highlight=False,
                emoji=False,
            )
        for r in h.failures.itertuples():
            console.print(
                f"failed: {r.plan_id} on {r.account_id}: {r.error}",
                markup=False,
                highlight=False,
                emoji=False,
            )
    if h.weeks_below_frequency or h.weeks_over_mix or len(h.waiting) or len(h.failures):
        raise typer.Exit(1)
