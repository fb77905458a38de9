"""The ``calendar`` report section: the content plan against the brand's written standard.

Issue 11, item 6. Over the campaign window, the section reports what
:func:`ripplemeter.operations.calendar.plan_health` computes for the calendar's own
``calendar check`` command, so the report and the command cannot disagree:

* each account's weeks (Monday to Sunday in the account's registered time zone) that overlap
  the campaign window, their planned posts and promotional share, against the standard's
  ``posts_per_week`` range and ``content_mix.max_promotional_share`` (after per-account
  overrides);
* the posts scheduled in the window, or not given a time yet, that are waiting on approval
  (in review), with the approvals still missing in words;
* the failed publications of posts scheduled in the window that are still failed, with the
  platform's message.

Settings: a ``[calendar]`` table in campaign.toml (:class:`CalendarSettings`). The plan is the
calendar kept in the campaign's own workspace (where ``ripplemeter calendar`` writes when run
beside campaign.toml), or a plan exported with ``ripplemeter calendar list --json`` and named
by ``plan``. Without a ``[calendar]`` table, or with no planned post, the section reports
nothing and says why.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from ripplemeter.errors import FormatError
from ripplemeter.evaluate.inbox_section import account_names
from ripplemeter.evaluate.metrics import Metric
from ripplemeter.evaluate.section import Figure, SectionResult, register_section

__all__ = ["CalendarSection", "CalendarSettings", "load_plan_export"]

_SOURCE = (
    "the brand's standards.toml (posts_per_week, content_mix, approvals); the "
    "80/20 content mix and posting-frequency ranges of social media strategy guides "
    "(Hootsuite, 'How often to post on social media'; Sprout Social, 'Social media content mix')"
)

CALENDAR_ACCOUNT_WEEKS = Metric(
    "calendar_account_weeks",
    "Account-weeks checked",
    "count of (account, week) pairs: each account in the plan or registered as owned, times "
    "each Monday-to-Sunday week (in the account's zone) overlapping the campaign window",
    "count",
    "ripplemeter decision",
    "Partial weeks at the window's edges are checked on the whole week's plan.",
)
CALENDAR_WEEKS_BELOW_FREQUENCY = Metric(
    "calendar_weeks_below_frequency",
    "Weeks below the posting frequency",
    "count of account-weeks with planned posts < posts_per_week.min of the account's rules",
    "count",
    _SOURCE,
    "Planned posts: every post with a time in that week that is not cancelled (failed and "
    "unapproved ones included: they were meant to go out). No minimum in the standard: none.",
)
CALENDAR_WEEKS_OVER_MIX = Metric(
    "calendar_weeks_over_mix",
    "Weeks over the promotional share",
    "count of account-weeks with promotional posts / planned posts > "
    "content_mix.max_promotional_share of the account's rules",
    "count",
    _SOURCE,
    "A week without planned posts is never over. No limit in the standard: none.",
)
CALENDAR_WEEK_POSTS = Metric(
    "calendar_week_posts",
    "Planned posts in the week",
    "count of an account's planned posts (not cancelled) scheduled in the week",
    "count",
    "ripplemeter decision",
    "Weeks run Monday to Sunday in the account's registered time zone (UTC when it has none).",
)
CALENDAR_PROMOTIONAL_SHARE = Metric(
    "calendar_promotional_share",
    "Promotional share of the week",
    "promotional planned posts / planned posts of the account in the week",
    "ratio",
    _SOURCE,
    "Null for a week without planned posts. 'Promotional' is the post's own label in the plan.",
)
CALENDAR_POSTS_WAITING = Metric(
    "calendar_posts_waiting",
    "Posts waiting on approval",
    "count of planned posts in review scheduled in the campaign window or not given a time yet",
    "count",
    "the brand's standards.toml: its approval rules ([[approvals]])",
    "Drafts not yet submitted are not counted; what each post still needs is listed.",
)
CALENDAR_FAILED_PUBLICATIONS = Metric(
    "calendar_failed_publications",
    "Failed publications",
    "count of (post, account) publications that failed, of posts scheduled in the campaign "
    "window and still failed",
    "count",
    "ripplemeter publishing: the platform's error is recorded per account",
    "A post retried and published since is no longer counted.",
)

_METRICS = (
    CALENDAR_ACCOUNT_WEEKS,
    CALENDAR_WEEKS_BELOW_FREQUENCY,
    CALENDAR_WEEKS_OVER_MIX,
    CALENDAR_WEEK_POSTS,
    CALENDAR_PROMOTIONAL_SHARE,
    CALENDAR_POSTS_WAITING,
    CALENDAR_FAILED_PUBLICATIONS,
)


class CalendarSettings(BaseModel):
    """The ``[calendar]`` table of campaign.toml.

    Attributes
    ----------
    standards : str, optional
        The brand's standards.toml, relative to campaign.toml. Without it the section
        reports nothing.
    team : str, optional
        The team file (default: ``team.toml`` beside the standards file, as the calendar
        commands find it).
    plan : str, optional
        A plan exported with ``ripplemeter calendar list --json``, relative to campaign.toml
        (default: the calendar in the campaign's workspace).
    """

    model_config = ConfigDict(extra="forbid")

    standards: str | None = None
    team: str | None = None
    plan: str | None = None


def reader_account(account_id: str, names: dict[str, str]) -> str:
    """How an account reads in the report: its handle or name, else ``Mastodon account 110552``.

    Parameters
    ----------
    account_id : str
        ``platform:native_id``.
    names : dict of str to str
        From :func:`ripplemeter.evaluate.inbox_section.account_names`.

    Returns
    -------
    str
    """
    from ripplemeter.formatting import platform_name

    if account_id in names:
        return names[account_id]
    platform, _, native = str(account_id).partition(":")
    shown = platform_name(platform)
    shown = shown[:1].upper() + shown[1:]  # mastodon -> Mastodon
    return f"{shown} account {native}" if native else str(account_id)


class _WorkspaceView:
    """The campaign's open DuckDB connection seen as a workspace by the calendar functions
    (they only run SQL on ``con``)."""

    def __init__(self, con: Any) -> None:
        self.con = con
        self.path = None


_FIELDS = ("plan_id", "state", "text", "accounts", "scheduled_at")


def load_plan_export(path: str | Path, default_timezone: str = "UTC"):
    """Load a plan exported by ``ripplemeter calendar list --json`` into a new in-memory
    workspace.

    Parameters
    ----------
    path : str or Path
        The JSON file: a list of planned posts as :meth:`PlannedPost.to_dict` writes them.
    default_timezone : str
        Zone of an account whose posts name none (the campaign's).

    Returns
    -------
    Workspace
        In memory, holding the posts (current version, standing approvals, latest
        publication per account) and each target account registered as owned, in the zone
        its posts were planned in. The caller closes it.

    Raises
    ------
    FormatError
        The file is missing, not JSON, not a list of posts, or a post lacks a field or has
        a value of the wrong kind; the message names the file, the record and the field.
    """
    import pandas as pd

    from ripplemeter.operations.accounts import add_account
    from ripplemeter.operations.calendar import STATES, _insert_frame
    from ripplemeter.workspace import Workspace

    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FormatError(path, message="the plan file does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FormatError(path, message=f"cannot read the plan file: {exc}") from None
    except json.JSONDecodeError as exc:
        raise FormatError(
            path,
            row=exc.lineno,
            message=f"not JSON ({exc.msg}); expected the output of "
            "`ripplemeter calendar list --json`",
        ) from None
    if not isinstance(doc, list):
        raise FormatError(
            path, message="expected a list of planned posts (`ripplemeter calendar list --json`)"
        )

    def bad(i: int, key: str, expected: str, found: Any = None) -> FormatError:
        shown = "" if found is None else f", found {str(found)[:60]!r}"
        return FormatError(path, message=f"record {i}, field {key!r}: expected {expected}{shown}")

    def when(i: int, key: str, v: Any) -> dt.datetime | None:
        if v is None:
            return None
        try:
            t = dt.datetime.fromisoformat(str(v))
        except ValueError:
            raise bad(i, key, "an ISO 8601 time with its offset", v) from None
        if t.tzinfo is None:
            raise bad(i, key, "an ISO 8601 time with its offset", v)
        return t.astimezone(dt.UTC).replace(tzinfo=None)

    posts, approvals, pubs, zones = [], [], [], {}
    for i, r in enumerate(doc, start=1):
        if not isinstance(r, dict):
            raise FormatError(path, message=f"record {i}: expected a planned post (an object)")
        for k in _FIELDS:
            if k not in r:
                raise bad(i, k, "a value (the field is missing)")
        if r["state"] not in STATES:
            raise bad(i, "state", "one of " + ", ".join(STATES), r["state"])
        accounts = r["accounts"]
        if not isinstance(accounts, list) or not all(isinstance(a, str) for a in accounts):
            raise bad(i, "accounts", "a list of account ids", accounts)
        version = r.get("version", 1)
        if not isinstance(version, int) or version < 1:
            raise bad(i, "version", "a whole number from 1", version)
        for a in accounts:
            zones.setdefault(a, r.get("timezone") or default_timezone)
        posts.append(
            {
                "plan_id": str(r["plan_id"]),
                "version": version,
                "state": r["state"],
                "text": r["text"],
                "link": r.get("link"),
                "media": json.dumps(r.get("media") or []),
                "accounts": ",".join(accounts),
                "scheduled_at": when(i, "scheduled_at", r["scheduled_at"]),
                "timezone": r.get("timezone"),
                "campaign_id": r.get("campaign_id"),
                "pillar": r.get("pillar"),
                "promotional": bool(r.get("promotional")),
                "paid": bool(r.get("paid")),
                "paid_partnership": bool(r.get("paid_partnership")),
                "lang": r.get("lang"),
                "created_by": r.get("created_by"),
            }
        )
        for who in r.get("approvals") or []:
            approvals.append({"plan_id": str(r["plan_id"]), "version": version, "approver": who})
        for a, p in (r.get("publications") or {}).items():
            if not isinstance(p, dict) or p.get("status") not in ("published", "failed"):
                raise bad(i, f"publications.{a}.status", "published or failed")
            pubs.append(
                {
                    "plan_id": str(r["plan_id"]),
                    "account_id": a,
                    "status": p["status"],
                    "platform_post_id": p.get("platform_post_id"),
                    "url": p.get("url"),
                    "error": p.get("error"),
                    "at": when(i, f"publications.{a}.at", p.get("at")),
                }
            )
    ws = Workspace()
    try:
        for a, zone in zones.items():
            add_account(ws, a, role="owned", timezone=zone)
        for table, rows in (
            ("planned_posts", posts),
            ("plan_approvals", approvals),
            ("plan_publications", pubs),
        ):
            if rows:
                _insert_frame(ws, table, pd.DataFrame(rows))
    except BaseException:
        ws.close()
        raise
    return ws


def _num(x: Any) -> Any:
    """None for a missing or NaN value (pandas gives NaN for a None in a number column)."""
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


def _when(value: Any) -> dt.datetime | None:
    """An aware datetime, or None for a missing time (None or pandas' NaT)."""
    if value is None or value != value:  # NaT is not equal to itself
        return None
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _campaign_account_names(ctx) -> dict[str, str]:
    """Account id -> handle or name, from the campaign workspace's ``accounts`` table.

    Empty when the campaign's tables are not in a DuckDB workspace with that table.
    """
    import duckdb

    con = getattr(getattr(ctx.tables, "backend", None), "con", None)
    if con is None:
        return {}
    try:
        return account_names(_WorkspaceView(con))
    except duckdb.CatalogException:  # a workspace without an accounts table
        return {}


def _count(ws: Any, sql: str) -> int:
    return int(ws.con.execute(sql).fetchall()[0][0])


@register_section
class CalendarSection:
    """Content plan against the standard (``[calendar]`` in campaign.toml)."""

    id = "calendar"
    title = "Content plan against the standard"
    order = 90
    metrics = _METRICS
    settings = CalendarSettings

    def run(self, ctx) -> SectionResult:
        from ripplemeter.operations.calendar import Planner, get_plan, plan_health
        from ripplemeter.operations.standards import load_standards
        from ripplemeter.operations.team import find_team, load_team

        s: CalendarSettings = ctx.settings_for(self)
        if s.standards is None:
            return SectionResult.no_data(
                f"{ctx.campaign_file_name} has no [calendar] table naming the brand's standards "
                'file (standards = "standards.toml"), so the content plan was not checked'
            )
        base = ctx.campaign_file.parent if ctx.campaign_file else Path.cwd()
        std_path = base / s.standards
        team = load_team(base / s.team if s.team else find_team(std_path))
        standards = load_standards(std_path, team)
        if s.plan:
            ws = load_plan_export(base / s.plan, ctx.window.timezone)
            where = s.plan
        else:
            ws = _WorkspaceView(ctx.tables.backend.con)
            where = "the campaign's workspace"
        try:
            if _count(ws, "SELECT count(*) FROM planned_posts") == 0:
                return SectionResult.no_data(
                    f"{where} holds no planned post (plan with `ripplemeter calendar add` or "
                    "`calendar import` beside campaign.toml, or name an exported plan with "
                    "plan = in [calendar])"
                )
            c = ctx.window.campaign
            h = plan_health(Planner(ws, team=team, standards=standards), c.start, c.end)
            lo = c.lo.to_pydatetime().replace(tzinfo=dt.UTC)
            hi = c.hi.to_pydatetime().replace(tzinfo=dt.UTC)
            # a post in review without a time yet still waits on approval: counted, listed
            # as "no time set" (it may well be meant for the campaign)
            waiting = []
            for r in h.waiting.to_dict("records"):
                at = _when(r["scheduled_at"])
                if at is None or lo <= at < hi:
                    waiting.append({**r, "scheduled_at": at})
            failures = []
            for r in h.failures.to_dict("records"):
                at = get_plan(ws, r["plan_id"]).scheduled_at
                if at is not None and lo <= at < hi:
                    failures.append({**r, "scheduled_at": at})
            zone = ctx.window.timezone
            names = account_names(ws)
            if s.plan:
                # an exported plan's workspace registers its accounts by id alone; their
                # handles and names are in the campaign's workspace (accounts imports,
                # `ripplemeter accounts add`)
                names = {**names, **_campaign_account_names(ctx)}
            return self._result(h, waiting, failures, zone, std_path.name, where, names)
        finally:
            if s.plan:
                ws.close()

    def _result(self, h, waiting, failures, zone, std_name, where, names=None) -> SectionResult:
        from zoneinfo import ZoneInfo

        tz = ZoneInfo(zone)
        names = names or {}

        def name(aid: str) -> str:
            return reader_account(aid, names)

        weekly = []
        figures = []
        for i, r in enumerate(h.weekly.itertuples()):
            share = None if r.posts == 0 else float(r.promotional_share)

            weekly.append(
                {
                    "account_id": r.account_id,
                    "account": name(r.account_id),
                    "week": r.week.isoformat(),
                    "posts": int(r.posts),
                    "promotional": int(r.promotional),
                    "promotional_share": share,
                    "min_posts": None if _num(r.min_posts) is None else int(r.min_posts),
                    "max_posts": None if _num(r.max_posts) is None else int(r.max_posts),
                    "max_promotional_share": _num(r.max_promotional_share),
                    "below_frequency": bool(r.below_frequency),
                    "above_frequency": bool(r.above_frequency),
                    "over_mix": bool(r.over_mix),
                }
            )
            p = f"calendar.weekly.{i}"
            figures.append(Figure(f"{p}.posts", CALENDAR_WEEK_POSTS.id, int(r.posts)))
            figures.append(
                Figure(
                    f"{p}.promotional_share",
                    CALENDAR_PROMOTIONAL_SHARE.id,
                    share,
                    None if share is not None else "no post planned that week",
                )
            )
        data = {
            "account_weeks": len(weekly),
            "weeks_below_frequency": h.weeks_below_frequency,
            "weeks_over_mix": h.weeks_over_mix,
            "waiting": len(waiting),
            "failed": len(failures),
            "weekly": weekly,
            "waiting_posts": [
                {
                    "plan_id": r["plan_id"],
                    "scheduled_local": (
                        r["scheduled_at"].astimezone(tz).strftime("%Y-%m-%d %H:%M")
                        if r["scheduled_at"] is not None
                        else "no time set"
                    ),
                    "accounts": r["accounts"],
                    "account_names": ", ".join(
                        name(a.strip()) for a in str(r["accounts"] or "").split(",") if a.strip()
                    ),
                    "missing": r["missing"] or "an approver",
                }
                for r in waiting
            ],
            "failures": [
                {
                    "plan_id": r["plan_id"],
                    "account_id": r["account_id"],
                    "account": name(r["account_id"]),
                    "scheduled_local": r["scheduled_at"].astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                    "error": r["error"],
                }
                for r in failures
            ],
            "standards": std_name,
            "plan": where,
        }
        figures = [
            Figure("calendar.account_weeks", CALENDAR_ACCOUNT_WEEKS.id, data["account_weeks"]),
            Figure(
                "calendar.weeks_below_frequency",
                CALENDAR_WEEKS_BELOW_FREQUENCY.id,
                data["weeks_below_frequency"],
            ),
            Figure("calendar.weeks_over_mix", CALENDAR_WEEKS_OVER_MIX.id, data["weeks_over_mix"]),
            Figure("calendar.waiting", CALENDAR_POSTS_WAITING.id, data["waiting"]),
            Figure("calendar.failed", CALENDAR_FAILED_PUBLICATIONS.id, data["failed"]),
            *figures,
        ]
        return SectionResult(figures=figures, data={"calendar": data})
