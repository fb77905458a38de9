"""The content calendar: planned posts, their review and approval, scheduling and outcome.

A planned post has a text (and per-platform variants), media references, target accounts
from the registry, a time (stored in UTC, planned in the account's time zone), the campaign
it serves and labels (content pillar, promotional, paid). It moves through these states::

    draft --submit--> in_review --approve (all rules met)--> approved --schedule--> scheduled
      ^                   |                                                         |     |
      +----reject---------+        scheduled --publish--> published                 |     |
                                   scheduled --fail-----> failed --schedule---------+     |
    any state but published/cancelled --cancel--> cancelled                               |

:data:`TRANSITIONS` is the whole table of legal moves; anything else is refused with a
:class:`CalendarError` naming the rule (``transition 'schedule': only approved or failed
posts can be scheduled; p3 is draft``). Every action, legal edits included, is written to
``plan_transitions`` (who, when by the injectable clock, from, to, comment) in the same
transaction as the change.

Rules the calendar enforces
---------------------------
* Roles: each action needs the permission of :data:`ripplemeter.operations.team.PERMISSIONS`
  named in :data:`TRANSITIONS` (``Team.require``), so the CLI and the web app refuse alike.
* Approvals: ``approve`` records an approval of the current *version*; the post becomes
  ``approved`` when :meth:`Standards.approval_shortfall` is empty (every ``[[approvals]]``
  rule covering it is met; the author, and every member who edited it, never counts).
  ``schedule`` checks it again.
* Editing an ``approved``, ``scheduled`` or ``failed`` post sends it back to ``in_review``
  and voids its approvals (they name the version they approved). A post already published
  on one of its accounts cannot be edited; nor can a post be edited or cancelled while a
  publish of it is pending (``edit.pending-publish``, ``cancel.pending-publish``).
* Local times that a daylight-saving change skips or repeats are refused
  (:func:`local_time_problem`).
* The linter (:func:`ripplemeter.operations.lint.lint`) and the platform length rules
  (:mod:`ripplemeter.operations.lengths`) run on submit and on approve, per target account;
  the findings are stored in ``plan_findings``. **Error findings block approval** (an
  approver cannot pass a post that breaks the written standard or does not fit the
  platform); warnings are shown and do not block. Submitting with errors is allowed, so
  that the approver sees them; the author fixes them with ``edit``.
* Publishing (``mark_published``/``mark_failed``, called by the publisher) records the
  platform's post id and URL, or its error, per account; the post is ``published`` when
  every target account has it, ``failed`` at the first account that failed.

* Importing posts exported by another calendar (:meth:`Planner.import_posts`, e.g. the
  demo's plan.json) keeps their states; the importer needs the permission of every step
  those states stand for, and each post gets one ``import`` entry in the audit log.

All times are read from ``clock`` (a callable returning an aware datetime), so tests and
the web app can fix "now".
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ripplemeter.operations import OperationsError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ripplemeter.operations.standards import Standards
    from ripplemeter.operations.team import Team
    from ripplemeter.workspace import Workspace

__all__ = [
    "STATES",
    "TRANSITIONS",
    "CalendarError",
    "PlanHealth",
    "PlanImport",
    "Planner",
    "PlannedPost",
    "Publication",
    "calendar_zone",
    "due_posts",
    "get_plan",
    "history",
    "list_plans",
    "local_time_problem",
    "mark_failed",
    "mark_published",
    "next_due",
    "plan_health",
]

STATES = ("draft", "in_review", "approved", "scheduled", "published", "failed", "cancelled")
_OPEN = ("draft", "in_review", "approved", "scheduled", "failed")

#: action -> (states it may start from, state it leads to (None: decided by the action),
#: permission needed). ``edit`` keeps draft/in_review and sends approved, scheduled and
#: failed posts back to in_review; ``approve`` stays in_review until every rule is met.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None, str]] = {
    "edit": (("draft", "in_review", "approved", "scheduled", "failed"), None, "post.edit"),
    "submit": (("draft",), "in_review", "post.submit"),
    "approve": (("in_review",), None, "post.approve"),
    "reject": (("in_review",), "draft", "post.approve"),
    "schedule": (("approved", "failed"), "scheduled", "post.schedule"),
    "publish": (("scheduled", "failed"), None, "post.publish"),
    "fail": (("scheduled",), "failed", "post.publish"),
    "cancel": (_OPEN, "cancelled", "post.cancel"),
}


class CalendarError(OperationsError):
    """An action the calendar refuses; ``rule`` names the rule in the message.

    Attributes
    ----------
    plan_id : str or None
    rule : str
        ``transition 'schedule'``, ``approvals``, ``lint``, ``schedule.future``...
    """

    def __init__(
        self, plan_id: str | None, rule: str, message: str, *, subject: bool = False
    ) -> None:
        self.plan_id = plan_id
        self.rule = rule
        # subject: the message goes on from the post as its subject ("p3 is in review ...")
        where = (f"{plan_id} " if subject else f"{plan_id}: ") if plan_id else ""
        super().__init__(f"{where}{message} (rule {rule})")


@dataclass(frozen=True)
class Publication:
    """The outcome of publishing a planned post on one account.

    Attributes
    ----------
    account_id : str
    status : str
        ``published`` or ``failed``.
    platform_post_id, url : str or None
        The platform's id and permalink (published).
    error : str or None
        The platform's message (failed).
    at : datetime
        Aware, UTC.
    """

    account_id: str
    status: str
    platform_post_id: str | None
    url: str | None
    error: str | None
    at: dt.datetime


@dataclass(frozen=True)
class PlannedPost:
    """One planned post as stored (current version).

    Attributes
    ----------
    plan_id : str
    version : int
        1 at creation, +1 on each edit; approvals count for the version they approved.
    state : str
        One of :data:`STATES`.
    text : str
    accounts : tuple of str
        Target account ids (``mastodon:109876``).
    scheduled_at : datetime or None
        Aware, UTC.
    timezone : str or None
        IANA zone the time was planned in (:meth:`local_time`).
    link : str or None
    media : tuple of str
    variants : dict of platform -> str
    campaign_id, pillar, lang : str or None
    promotional, paid, paid_partnership : bool
    created_by : str
    authors : tuple of str
        Every member who wrote a version of it: the creator and each member who edited it
        (from ``plan_transitions``). None of them may approve it or counts as an approver.
    approvals : tuple of str
        Member ids whose approval of this version stands.
    publications : dict of account id -> Publication
        Latest outcome per account.
    findings : tuple of dict
        Stored findings of this version (rule, severity, account_id, span, why, fix).
    """

    plan_id: str
    version: int
    state: str
    text: str
    accounts: tuple[str, ...]
    scheduled_at: dt.datetime | None
    timezone: str | None
    link: str | None = None
    media: tuple[str, ...] = ()
    variants: Mapping[str, str] = field(default_factory=dict)
    campaign_id: str | None = None
    pillar: str | None = None
    promotional: bool = False
    paid: bool = False
    paid_partnership: bool = False
    lang: str | None = None
    created_by: str | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    approvals: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    publications: Mapping[str, Publication] = field(default_factory=dict)
    findings: tuple[dict, ...] = ()

    def text_for(self, platform: str) -> str:
        """The text to post on ``platform``: its variant or the main text, with the link
        appended when it is not already in the text."""
        from ripplemeter.operations.lengths import platform_key

        key = platform_key(platform) or platform
        body = self.variants.get(key) or self.variants.get(platform) or self.text
        if self.link and self.link not in body:
            body = f"{body} {self.link}"
        return body

    def local_time(self, tz: str | None = None) -> dt.datetime | None:
        """``scheduled_at`` in ``tz`` (default: the zone it was planned in; UTC if none)."""
        from zoneinfo import ZoneInfo

        if self.scheduled_at is None:
            return None
        return self.scheduled_at.astimezone(ZoneInfo(tz or self.timezone or "UTC"))

    @property
    def pending_accounts(self) -> tuple[str, ...]:
        """Target accounts without a successful publication yet."""
        return tuple(
            a
            for a in self.accounts
            if a not in self.publications or self.publications[a].status != "published"
        )

    def to_dict(self) -> dict:
        """JSON-ready dict (times as ISO 8601 with offset)."""
        d = {
            k: getattr(self, k)
            for k in (
                "plan_id",
                "version",
                "state",
                "text",
                "link",
                "campaign_id",
                "pillar",
                "promotional",
                "paid",
                "paid_partnership",
                "lang",
                "created_by",
                "timezone",
            )
        }
        d["accounts"] = list(self.accounts)
        d["media"] = list(self.media)
        d["variants"] = dict(self.variants)
        d["approvals"] = list(self.approvals)
        d["scheduled_at"] = self.scheduled_at.isoformat() if self.scheduled_at else None
        local = self.local_time()
        d["scheduled_local"] = local.isoformat() if local else None
        d["publications"] = {
            a: {
                "status": p.status,
                "platform_post_id": p.platform_post_id,
                "url": p.url,
                "error": p.error,
                "at": p.at.isoformat(),
            }
            for a, p in self.publications.items()
        }
        d["findings"] = [dict(f) for f in self.findings]
        return d


# ---------------------------------------------------------------------------- helpers
def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _naive_utc(t: dt.datetime) -> dt.datetime:
    return t.astimezone(dt.UTC).replace(tzinfo=None)


def _aware(t: Any) -> dt.datetime | None:
    import pandas as pd

    if t is None or (not isinstance(t, dt.datetime) and pd.isna(t)):
        return None
    if isinstance(t, pd.Timestamp):
        t = t.to_pydatetime()
    return t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t.astimezone(dt.UTC)


def _s(v: Any) -> str | None:
    if v is None:
        return None
    try:
        import pandas as pd

        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return str(v)


def _b(v: Any) -> bool:
    s = _s(v)
    return bool(v) if s is not None else False


def _offset(td: dt.timedelta | None) -> str:
    total = int((td or dt.timedelta(0)).total_seconds()) // 60
    sign = "+" if total >= 0 else "-"
    return f"{sign}{abs(total) // 60:02d}:{abs(total) % 60:02d}"


def local_time_problem(naive: dt.datetime, tz: str, *, offset_hint: bool = True) -> str | None:
    """Why a wall-clock time cannot be read in ``tz`` unambiguously (None when it can).

    A time in the gap of a daylight-saving change ("spring forward") does not exist; one in
    the repeated hour ("fall back") happens twice. Both are found by a round trip through
    UTC (PEP 495: ``fold`` 0 and 1 give different offsets only at such a change).

    Parameters
    ----------
    naive : datetime
        Without tzinfo.
    tz : str
        IANA zone.
    offset_hint : bool
        Suggest writing the UTC offset for a repeated time (False where the format has no
        room for one, such as Hootsuite's Date column).

    Returns
    -------
    str or None
        A plain sentence naming the time, the date, the zone and what to do.
    """
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(tz)
    naive = naive.replace(tzinfo=None, fold=0)
    first = naive.replace(tzinfo=zone)
    second = naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return None
    hhmm, day = f"{naive:%H:%M}", f"{naive:%Y-%m-%d}"
    back = first.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
    if back != naive:
        return (
            f"{hhmm} does not exist on {day} in {tz}: the clocks go forward that night; "
            "choose another time"
        )
    a, b = _offset(first.utcoffset()), _offset(second.utcoffset())
    what = f"{hhmm} on {day} in {tz} happens twice: the clocks go back (first at UTC{a}, then "
    if not offset_hint:
        return what + f"at UTC{b}); choose another time"
    return what + (
        f"at UTC{b}); give the offset ({day} {hhmm}{a} or {day} {hhmm}{b}) or choose another time"
    )


def to_utc(when: dt.datetime | str, tz: str | None) -> dt.datetime:
    """A planned time as an aware UTC datetime.

    Parameters
    ----------
    when : datetime or str
        Aware (kept), naive or ``YYYY-MM-DD HH:MM`` text (read in ``tz``).
    tz : str or None
        IANA zone for a naive time (default UTC).

    Raises
    ------
    CalendarError
        Unreadable text or an unknown zone (rule ``time``); a naive time that does not
        exist in ``tz`` (the gap of a daylight-saving change, rule ``time.nonexistent``) or
        happens twice there (the repeated hour, rule ``time.ambiguous``: give the offset,
        ``2026-11-01 01:30-04:00``), see :func:`local_time_problem`.
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if isinstance(when, str):
        try:
            when = dt.datetime.fromisoformat(when.strip().replace("T", " "))
        except ValueError:
            raise CalendarError(
                None, "time", f"time {when!r}: expected YYYY-MM-DD HH:MM (24-hour clock)"
            ) from None
    if when.tzinfo is None:
        try:
            zone = ZoneInfo(tz or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            raise CalendarError(
                None, "time", f"time zone {tz!r}: expected an IANA zone such as Asia/Seoul"
            ) from None
        problem = local_time_problem(when, zone.key)
        if problem:
            rule = "time.ambiguous" if "happens twice" in problem else "time.nonexistent"
            raise CalendarError(None, rule, problem)
        when = when.replace(tzinfo=zone)
    return when.astimezone(dt.UTC)


_PLAN_COLS = (
    "plan_id",
    "version",
    "state",
    "text",
    "link",
    "media",
    "accounts",
    "scheduled_at",
    "timezone",
    "campaign_id",
    "pillar",
    "promotional",
    "paid",
    "paid_partnership",
    "lang",
    "created_by",
    "created_at",
    "updated_at",
)


def _rows(ws: Workspace, sql: str, params: Sequence = ()) -> list[dict]:
    cur = ws.con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _load(ws: Workspace, plan_ids: Sequence[str] | None = None) -> list[PlannedPost]:
    where, params = "", []
    if plan_ids is not None:
        if not plan_ids:
            return []
        where = f" WHERE plan_id IN ({', '.join('?' * len(plan_ids))})"
        params = list(plan_ids)
    plans = _rows(ws, f"SELECT {', '.join(_PLAN_COLS)} FROM planned_posts{where}", params)
    if not plans:
        return []
    ids = [p["plan_id"] for p in plans]
    marks = ", ".join("?" * len(ids))
    variants: dict[str, dict] = {}
    for r in _rows(
        ws, f"SELECT plan_id, platform, text FROM planned_variants WHERE plan_id IN ({marks})", ids
    ):
        variants.setdefault(r["plan_id"], {})[r["platform"]] = r["text"]
    approvals: dict[tuple, list] = {}
    for r in _rows(
        ws,
        f"SELECT plan_id, version, approver FROM plan_approvals WHERE plan_id IN ({marks}) "
        'AND voided_at IS NULL ORDER BY "at"',
        ids,
    ):
        approvals.setdefault((r["plan_id"], r["version"]), []).append(r["approver"])
    authors: dict[str, list] = {}
    for r in _rows(
        ws,
        f"SELECT plan_id, actor FROM plan_transitions WHERE plan_id IN ({marks}) "
        "AND action IN ('create', 'edit') ORDER BY seq",
        ids,
    ):
        authors.setdefault(r["plan_id"], []).append(r["actor"])
    pubs: dict[str, dict] = {}
    for r in _rows(
        ws,
        f'SELECT * FROM plan_publications WHERE plan_id IN ({marks}) ORDER BY "at", source_row',
        ids,
    ):
        pubs.setdefault(r["plan_id"], {})[r["account_id"]] = Publication(
            r["account_id"],
            r["status"],
            _s(r["platform_post_id"]),
            _s(r["url"]),
            _s(r["error"]),
            _aware(r["at"]),
        )
    finds: dict[tuple, list] = {}
    for r in _rows(
        ws,
        "SELECT plan_id, version, account_id, rule, severity, span_start, span_end, why, fix "
        f"FROM plan_findings WHERE plan_id IN ({marks}) ORDER BY account_id, rowid",
        ids,
    ):
        key = (r.pop("plan_id"), r.pop("version"))
        finds.setdefault(key, []).append(r)
    out = []
    for p in plans:
        pid, ver = p["plan_id"], int(p["version"])
        out.append(
            PlannedPost(
                plan_id=pid,
                version=ver,
                state=p["state"],
                text=p["text"] or "",
                accounts=tuple(a for a in (p["accounts"] or "").split(",") if a),
                scheduled_at=_aware(p["scheduled_at"]),
                timezone=_s(p["timezone"]),
                link=_s(p["link"]),
                media=tuple(json.loads(p["media"] or "[]")),
                variants=variants.get(pid, {}),
                campaign_id=_s(p["campaign_id"]),
                pillar=_s(p["pillar"]),
                promotional=_b(p["promotional"]),
                paid=_b(p["paid"]),
                paid_partnership=_b(p["paid_partnership"]),
                lang=_s(p["lang"]),
                created_by=_s(p["created_by"]),
                created_at=_aware(p["created_at"]),
                updated_at=_aware(p["updated_at"]),
                approvals=tuple(dict.fromkeys(approvals.get((pid, ver), []))),
                authors=tuple(
                    dict.fromkeys([a for a in [_s(p["created_by"]), *authors.get(pid, [])] if a])
                ),
                publications=pubs.get(pid, {}),
                findings=tuple(finds.get((pid, ver), [])),
            )
        )
    order = {pid: i for i, pid in enumerate(plan_ids or [])}
    if plan_ids is not None:
        out.sort(key=lambda p: order[p.plan_id])
    else:
        out.sort(key=lambda p: (p.scheduled_at or dt.datetime.max.replace(tzinfo=dt.UTC), _num(p)))
    return out


def _num(p: PlannedPost) -> int:
    digits = "".join(c for c in p.plan_id if c.isdigit())
    return int(digits) if digits else 0


def get_plan(ws: Workspace, plan_id: str) -> PlannedPost:
    """The planned post ``plan_id``.

    Raises
    ------
    CalendarError
        No such plan (rule ``plan``).
    """
    got = _load(ws, [plan_id])
    if not got:
        raise CalendarError(
            plan_id, "plan", "no such planned post; see `ripplemeter calendar list`"
        )
    return got[0]


def _log(
    ws: Workspace,
    plan_id: str,
    action: str,
    frm: str | None,
    to: str,
    actor: str,
    at: dt.datetime,
    version: int,
    comment: str | None,
) -> None:
    ((seq,),) = ws.con.execute("SELECT coalesce(max(seq), 0) + 1 FROM plan_transitions").fetchall()
    ws.con.execute(
        'INSERT INTO plan_transitions (plan_id, seq, action, from_state, to_state, actor, "at", '
        "version, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [plan_id, int(seq), action, frm, to, actor, _naive_utc(at), version, comment],
    )


def _insert_frame(ws: Workspace, table: str, df: pd.DataFrame) -> None:
    """Append ``df`` to a calendar table in one statement, each column cast to its type."""
    from ripplemeter import schema

    cols = {c.name: c.type for c in schema.TABLES[table].columns}
    names = ", ".join(f'"{c}"' for c in df.columns)
    if len(df) <= 3:  # a post or two: plain parameters are quicker than a registered frame
        marks = ", ".join("?" * len(df.columns))
        for row in df.astype(object).where(df.notna(), None).itertuples(index=False):
            ws.con.execute(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', list(row))
        return
    casts = ", ".join(f'CAST("{c}" AS {cols[c]}) AS "{c}"' for c in df.columns)
    ws.con.register("_rm_plan_rows", df)
    try:
        ws.con.execute(f'INSERT INTO "{table}" ({names}) SELECT {casts} FROM _rm_plan_rows')
    finally:
        ws.con.unregister("_rm_plan_rows")


def _check_no_pending_publish(ws: Workspace, post: PlannedPost, action: str) -> None:
    """Refuse ``action`` while a publish of the post is under way (an intent ``pending`` in
    ``publish_intents``: the platform may hold the post already, under the current
    version's key). The publisher settles it on its next run."""
    rows = ws.con.execute(
        "SELECT account_id, version, created_at FROM publish_intents "
        "WHERE plan_id = ? AND status = 'pending' ORDER BY created_at",
        [post.plan_id],
    ).fetchall()
    if not rows:
        return
    acc, ver, at = rows[0]
    more = f" (and {len(rows) - 1} more account(s))" if len(rows) > 1 else ""
    raise CalendarError(
        post.plan_id,
        f"{action}.pending-publish",
        f"cannot {action} it: publishing version {ver} on {acc}{more} started at "
        f"{at:%Y-%m-%d %H:%M} UTC and its outcome is not recorded yet (the platform may "
        "have it already); run `ripplemeter calendar publish --due` first to settle it",
    )


def _check_transition(post: PlannedPost, action: str) -> None:
    starts, _, _ = TRANSITIONS[action]
    if post.state not in starts:
        allowed = ", ".join(starts)
        raise CalendarError(
            post.plan_id,
            f"transition '{action}'",
            f"cannot {action} a post that is {post.state}: '{action}' starts only from {allowed}",
        )


@dataclass(frozen=True)
class PlanImport:
    """What :meth:`Planner.import_posts` did.

    Attributes
    ----------
    imported : tuple of str
        Plan ids written to the workspace.
    skipped : tuple of str
        Plan ids the workspace already held (left as they were).
    """

    imported: tuple[str, ...]
    skipped: tuple[str, ...]


# ---------------------------------------------------------------------------- the planner
class Planner:
    """Plan, review, approve and schedule posts in a workspace, with roles and standards.

    Parameters
    ----------
    ws : Workspace
        Holds the accounts registry and the calendar tables.
    team : Team
        team.toml: who may do what (:meth:`Team.require`).
    standards : Standards
        standards.toml: the linter's rules and the approval rules.
    clock : callable, optional
        Returns "now" as an aware datetime (default: the system clock, UTC).

    Examples
    --------
    >>> p = Planner(ws, team=team, standards=std)                      # doctest: +SKIP
    >>> post = p.add("tom", "New beans", ["mastodon:1"], "2026-12-07 09:00")  # doctest: +SKIP
    >>> p.submit("tom", post.plan_id); p.approve("jisoo", post.plan_id)      # doctest: +SKIP
    """

    def __init__(
        self,
        ws: Workspace,
        *,
        team: Team,
        standards: Standards,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.ws = ws
        self.team = team
        self.standards = standards
        self.clock = clock or _utc_now

    def now(self) -> dt.datetime:
        """The clock's time, aware UTC."""
        t = self.clock()
        if t.tzinfo is None:
            raise OperationsError("the calendar clock must return an aware datetime")
        return t.astimezone(dt.UTC)

    # -------------------------------------------------------------- accounts
    def _accounts(self, accounts: Iterable[str]) -> list:
        from ripplemeter.operations.accounts import _REGISTRY_SQL, _account

        ids = [a.strip() for a in accounts if a and a.strip()]
        if not ids:
            raise CalendarError(
                None, "accounts", "a planned post needs at least one target account"
            )
        rows = _rows(
            self.ws,
            f"SELECT * FROM ({_REGISTRY_SQL}) WHERE account_id IN ({', '.join('?' * len(ids))})",
            ids,
        )
        known = {r["account_id"]: _account(r) for r in rows}
        out = []
        for a in dict.fromkeys(ids):
            acc = known.get(a)
            if acc is None:
                raise CalendarError(
                    None,
                    "accounts",
                    f"account {a} is not in the registry; register it with "
                    "`ripplemeter accounts add` first",
                )
            if acc.role not in ("owned", "partner", "kol"):
                raise CalendarError(
                    None,
                    "accounts",
                    f"account {a} is a {acc.role} account; the team can only post on owned, "
                    "partner or kol accounts",
                )
            out.append(acc)
        return out

    # -------------------------------------------------------------- create / edit
    def add(
        self,
        user: str,
        text: str,
        accounts: Sequence[str],
        when: dt.datetime | str | None = None,
        *,
        tz: str | None = None,
        link: str | None = None,
        media: Sequence[str] = (),
        variants: Mapping[str, str] | None = None,
        campaign_id: str | None = None,
        pillar: str | None = None,
        promotional: bool = False,
        paid: bool = False,
        paid_partnership: bool = False,
        lang: str | None = None,
        comment: str | None = None,
    ) -> PlannedPost:
        """Create a draft.

        Parameters
        ----------
        user : str
            Acting member id (needs ``post.create``).
        text : str
            The post text.
        accounts : sequence of str
            Registered account ids (owned, partner or kol).
        when : datetime or str, optional
            When it should go out; a naive time is read in ``tz``, by default the first
            account's registered time zone (UTC when it has none).
        tz, link, media, variants, campaign_id, pillar, promotional, paid,
        paid_partnership, lang, comment
            See :class:`PlannedPost`; ``variants`` maps platform -> text.

        Returns
        -------
        PlannedPost
            In state ``draft``, version 1.

        Raises
        ------
        NotAllowed, TeamError
            The user may not write drafts / is not a member.
        CalendarError
            Empty text, unknown or non-postable account, unreadable time;
            ``schedule.future``: ``when`` has passed by the clock.
        """
        self.team.require(user, "post.create")
        return self._create(
            user,
            text,
            accounts,
            when,
            tz=tz,
            link=link,
            media=media,
            variants=variants,
            campaign_id=campaign_id,
            pillar=pillar,
            promotional=promotional,
            paid=paid,
            paid_partnership=paid_partnership,
            lang=lang,
            comment=comment,
        )

    def team_zone(self) -> str | None:
        """The team's zone (standards.toml ``[business_hours] timezone``), or None.

        A time given for accounts registered without a zone is read in it (as
        :func:`calendar_zone` cuts weeks), not in UTC.
        """
        return team_zone(self.standards)

    def _prepare(self, text, accounts, when, tz):
        if not text or not text.strip():
            raise CalendarError(None, "text", "a planned post needs a text")
        accs = self._accounts(accounts)
        zone = tz or next((a.timezone for a in accs if a.timezone), None) or self.team_zone()
        at = to_utc(when, zone) if when is not None else None
        return accs, zone, at

    def _check_future(self, plan_id, at, zone) -> None:
        """``schedule.future`` at add and edit: a time that has passed could never be
        scheduled, so it is refused now rather than after review (no time: planned later)."""
        from zoneinfo import ZoneInfo

        if at is not None and at <= self.now():
            local = at.astimezone(ZoneInfo(zone or "UTC"))
            raise CalendarError(
                plan_id,
                "schedule.future",
                f"the time {local:%Y-%m-%d %H:%M %Z} has passed; give a later time, "
                "or none to plan it without one",
            )

    def _create(self, user, text, accounts, when, **kw) -> PlannedPost:
        accs, zone, at = self._prepare(text, accounts, when, kw.get("tz"))
        self._check_future(None, at, zone)
        now = self.now()
        with self.ws.transaction():
            pid = self._insert(user, text, accs, zone, at, now, **kw)
        return get_plan(self.ws, pid)

    def _insert(self, user, text, accs, zone, at, now, **kw) -> str:
        return self._insert_many(user, [{"text": text, "at": at, **kw}], accs, zone, now)[0]

    def _insert_many(self, user, items: list[dict], accs, zone, now) -> list[str]:
        """Insert drafts (inside the caller's transaction): the plans, their variants and
        their ``create`` entries, three statements whatever the number of posts."""
        import pandas as pd

        con = self.ws.con
        ((n,),) = con.execute(
            "SELECT coalesce(max(CAST(substr(plan_id, 2) AS BIGINT)), 0) + 1 FROM planned_posts"
        ).fetchall()
        ((seq,),) = con.execute("SELECT coalesce(max(seq), 0) + 1 FROM plan_transitions").fetchall()
        ids = [f"p{int(n) + i}" for i in range(len(items))]
        targets = ",".join(a.account_id for a in accs)
        plans, variants, log = [], [], []
        for i, (pid, kw) in enumerate(zip(ids, items, strict=True)):
            at = kw.get("at")
            plans.append(
                {
                    "plan_id": pid,
                    "version": 1,
                    "state": "draft",
                    "text": kw["text"],
                    "link": kw.get("link") or None,
                    "media": json.dumps(list(kw.get("media") or ()), ensure_ascii=False),
                    "accounts": targets,
                    "scheduled_at": _naive_utc(at) if at else None,
                    "timezone": zone,
                    "campaign_id": kw.get("campaign_id"),
                    "pillar": kw.get("pillar"),
                    "promotional": bool(kw.get("promotional")),
                    "paid": bool(kw.get("paid")),
                    "paid_partnership": bool(kw.get("paid_partnership")),
                    "lang": kw.get("lang"),
                    "created_by": user,
                    "created_at": _naive_utc(now),
                    "updated_at": _naive_utc(now),
                }
            )
            for plat, vt in (kw.get("variants") or {}).items():
                if vt:
                    variants.append({"plan_id": pid, "platform": plat.strip().lower(), "text": vt})
            log.append(
                {
                    "plan_id": pid,
                    "seq": int(seq) + i,
                    "action": "create",
                    "from_state": None,
                    "to_state": "draft",
                    "actor": user,
                    "at": _naive_utc(now),
                    "version": 1,
                    "comment": kw.get("comment"),
                }
            )
        for table, rows in (
            ("planned_posts", plans),
            ("planned_variants", variants),
            ("plan_transitions", log),
        ):
            if rows:
                _insert_frame(self.ws, table, pd.DataFrame(rows))
        return ids

    def edit(
        self, user: str, plan_id: str, *, comment: str | None = None, **changes
    ) -> PlannedPost:
        """Change a planned post; an approved, scheduled or failed post goes back to review.

        Parameters
        ----------
        user : str
            Acting member id (needs ``post.edit``).
        plan_id : str
        comment : str, optional
            Written to the audit log.
        **changes
            Any of ``text``, ``accounts``, ``when`` (with ``tz``), ``link``, ``media``,
            ``variants`` (platform -> text; an empty text removes the variant),
            ``campaign_id``, ``pillar``, ``promotional``, ``paid``, ``paid_partnership``,
            ``lang``.

        Returns
        -------
        PlannedPost
            Version + 1; ``in_review`` when it was approved, scheduled or failed (its
            approvals void), otherwise in its state.

        Raises
        ------
        NotAllowed
            The user may not edit posts.
        CalendarError
            ``transition 'edit'`` (cancelled), ``edit.published`` (published, or already
            out on one of its accounts), ``edit.pending-publish`` (a publish is under way:
            ``calendar publish --due`` settles it first), ``schedule.future`` (a new
            ``when`` that has passed), an unknown field, or a bad value.
        """
        self.team.require(user, "post.edit")
        known = {
            "text",
            "accounts",
            "when",
            "tz",
            "link",
            "media",
            "variants",
            "campaign_id",
            "pillar",
            "promotional",
            "paid",
            "paid_partnership",
            "lang",
        }
        unknown = sorted(set(changes) - known)
        if unknown:
            raise CalendarError(
                plan_id,
                "edit",
                f"cannot change {', '.join(unknown)}; known: {', '.join(sorted(known))}",
            )
        post = get_plan(self.ws, plan_id)
        if post.state == "published":
            raise CalendarError(
                plan_id,
                "edit.published",
                "is published and cannot be edited; plan a new post instead",
                subject=True,
            )
        _check_transition(post, "edit")
        _check_no_pending_publish(self.ws, post, "edit")
        if any(p.status == "published" for p in post.publications.values()):
            raise CalendarError(
                plan_id,
                "edit.published",
                "part of this post is already published; cancel it and plan a new post",
            )
        text = changes.get("text", post.text)
        accounts = changes.get("accounts", post.accounts)
        when = changes.get("when", post.scheduled_at)
        accs, zone, at = self._prepare(text, accounts, when, changes.get("tz") or post.timezone)
        if "when" in changes or "tz" in changes:
            self._check_future(plan_id, at, zone)
        new_state = "in_review" if post.state in ("approved", "scheduled", "failed") else post.state
        now = self.now()
        version = post.version + 1
        con = self.ws.con
        with self.ws.transaction():
            con.execute(
                "UPDATE planned_posts SET version = ?, state = ?, text = ?, link = ?, media = ?, "
                "accounts = ?, scheduled_at = ?, timezone = ?, campaign_id = ?, pillar = ?, "
                "promotional = ?, paid = ?, paid_partnership = ?, lang = ?, updated_at = ? "
                "WHERE plan_id = ?",
                [
                    version,
                    new_state,
                    text,
                    changes.get("link", post.link) or None,
                    json.dumps(list(changes.get("media", post.media)), ensure_ascii=False),
                    ",".join(a.account_id for a in accs),
                    _naive_utc(at) if at else None,
                    zone,
                    changes.get("campaign_id", post.campaign_id),
                    changes.get("pillar", post.pillar),
                    bool(changes.get("promotional", post.promotional)),
                    bool(changes.get("paid", post.paid)),
                    bool(changes.get("paid_partnership", post.paid_partnership)),
                    changes.get("lang", post.lang),
                    _naive_utc(now),
                    plan_id,
                ],
            )
            if "variants" in changes:
                for plat, vt in (changes["variants"] or {}).items():
                    plat = plat.strip().lower()
                    con.execute(
                        "DELETE FROM planned_variants WHERE plan_id = ? AND platform = ?",
                        [plan_id, plat],
                    )
                    if vt:
                        con.execute(
                            "INSERT INTO planned_variants (plan_id, platform, text) VALUES (?, ?, ?)",
                            [plan_id, plat, vt],
                        )
            voided = con.execute(
                "UPDATE plan_approvals SET voided_at = ? WHERE plan_id = ? AND voided_at IS NULL "
                "RETURNING approver",
                [_naive_utc(now), plan_id],
            ).fetchall()
            note = comment
            if voided and post.state in ("approved", "scheduled", "failed", "in_review"):
                names = ", ".join(dict.fromkeys(r[0] for r in voided))
                note = ((comment + "; ") if comment else "") + f"approvals by {names} voided"
            _log(self.ws, plan_id, "edit", post.state, new_state, user, now, version, note)
        return get_plan(self.ws, plan_id)

    # -------------------------------------------------------------- checks
    def check(self, post: PlannedPost) -> list[dict]:
        """Lint and length findings of a post, per target account (not stored).

        Returns
        -------
        list of dict
            ``account_id, rule, severity, span_start, span_end, why, fix``.
        """
        from ripplemeter.operations.lengths import count_length, platform_key
        from ripplemeter.operations.lint import lint

        out = []
        for acc in self._accounts(post.accounts):
            body = post.text_for(acc.platform)
            for f in lint(
                body,
                acc,
                self.standards,
                paid=post.paid,
                paid_partnership=post.paid_partnership,
                lang=post.lang,
            ):
                out.append(
                    {
                        "account_id": acc.account_id,
                        "rule": f.rule,
                        "severity": f.severity,
                        "span_start": f.start,
                        "span_end": f.end,
                        "why": f.why,
                        "fix": f.fix,
                    }
                )
            if platform_key(acc.platform):
                n = count_length(body, acc.platform)
                if not n.ok:
                    why = (
                        f"{n.length} {n.unit} on {acc.platform}, over its limit of {n.limit}"
                        if n.over
                        else f"{n.utf8_bytes} bytes, over Bluesky's limit of 3000"
                    )
                    out.append(
                        {
                            "account_id": acc.account_id,
                            "rule": f"length.{n.platform}",
                            "severity": "error",
                            "span_start": None,
                            "span_end": None,
                            "why": why,
                            "fix": f"shorten the {acc.platform} text by {n.over or 'some'} "
                            f"{n.unit if n.over else 'bytes'}, or give it its own variant",
                        }
                    )
        return out

    def _store_findings(self, post: PlannedPost, findings: list[dict], now: dt.datetime) -> None:
        con = self.ws.con
        con.execute(
            "DELETE FROM plan_findings WHERE plan_id = ? AND version = ?",
            [post.plan_id, post.version],
        )
        for f in findings:
            con.execute(
                "INSERT INTO plan_findings (plan_id, version, account_id, rule, severity, "
                'span_start, span_end, why, fix, "at") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
                [
                    post.plan_id,
                    post.version,
                    f["account_id"],
                    f["rule"],
                    f["severity"],
                    f["span_start"],
                    f["span_end"],
                    f["why"],
                    f["fix"],
                    _naive_utc(now),
                ],
            )

    def _roles(self, post: PlannedPost) -> list[str | None]:
        return [a.role for a in self._accounts(post.accounts)]

    def shortfall(self, post: PlannedPost, approvers: Sequence[str] | None = None) -> list[str]:
        """Approvals still missing for ``post`` (every account's role considered), in words."""
        approvers = post.approvals if approvers is None else approvers
        out: list[str] = []
        for role in dict.fromkeys(self._roles(post)):
            out += self.standards.approval_shortfall(
                approvers,
                self.team,
                author=post.authors or post.created_by,
                paid=post.paid,
                promotional=post.promotional,
                role=role,
            )
        return list(dict.fromkeys(out))

    def _move(self, user, post, action, to, now, comment) -> None:
        self.ws.con.execute(
            "UPDATE planned_posts SET state = ?, updated_at = ? WHERE plan_id = ?",
            [to, _naive_utc(now), post.plan_id],
        )
        _log(self.ws, post.plan_id, action, post.state, to, user, now, post.version, comment)

    # -------------------------------------------------------------- transitions
    def submit(self, user: str, plan_id: str, comment: str | None = None) -> PlannedPost:
        """Send a draft for review; lint and length findings are stored (see the module doc).

        Raises
        ------
        NotAllowed
            The user may not submit (``post.submit``).
        CalendarError
            ``transition 'submit'``: the post is not a draft.
        """
        self.team.require(user, "post.submit")
        post = get_plan(self.ws, plan_id)
        _check_transition(post, "submit")
        findings = self.check(post)
        now = self.now()
        with self.ws.transaction():
            self._store_findings(post, findings, now)
            self._move(user, post, "submit", "in_review", now, comment)
        return get_plan(self.ws, plan_id)

    def approve(self, user: str, plan_id: str, comment: str | None = None) -> PlannedPost:
        """Approve the current version; the post is ``approved`` when every rule is met.

        The linter runs again (the standard may have changed since submit) and its findings
        are stored; an error finding refuses the approval.

        Returns
        -------
        PlannedPost
            ``approved``, or still ``in_review`` with this approval recorded when rules
            still ask for more (see :meth:`shortfall`).

        Raises
        ------
        NotAllowed
            The user may not approve (``post.approve``).
        CalendarError
            ``transition 'approve'`` (not in review), ``approvals.own-post`` (the author or a member who edited it),
            ``approvals.twice`` (already approved this version), ``lint`` (error findings:
            each named with its rule id and account).
        """
        self.team.require(user, "post.approve")
        post = get_plan(self.ws, plan_id)
        _check_transition(post, "approve")
        if user == post.created_by or user in post.authors:
            wrote = "wrote" if user == post.created_by else "edited"
            raise CalendarError(
                plan_id,
                "approvals.own-post",
                f"{user} {wrote} this post and cannot approve it; another approver must",
            )
        if user in post.approvals:
            raise CalendarError(
                plan_id, "approvals.twice", f"{user} already approved version {post.version}"
            )
        findings = self.check(post)
        now = self.now()
        errors = [f for f in findings if f["severity"] == "error"]
        if errors:
            with self.ws.transaction():
                self._store_findings(post, findings, now)
            listed = "; ".join(f"{f['rule']} on {f['account_id']}: {f['why']}" for f in errors)
            raise CalendarError(
                plan_id,
                "lint",
                f"the draft breaks the standard, so it cannot be approved ({listed}); "
                "the author fixes it with edit (it stays in review) and it is approved again",
            )
        missing = self.shortfall(post, [*post.approvals, user])
        to = "in_review" if missing else "approved"
        note = comment
        if missing:
            note = ((comment + "; ") if comment else "") + "still needed: " + "; ".join(missing)
        with self.ws.transaction():
            self._store_findings(post, findings, now)
            self.ws.con.execute(
                'INSERT INTO plan_approvals (plan_id, version, approver, "at", comment) '
                "VALUES (?, ?, ?, ?, ?)",
                [plan_id, post.version, user, _naive_utc(now), comment],
            )
            self._move(user, post, "approve", to, now, note)
        return get_plan(self.ws, plan_id)

    def reject(self, user: str, plan_id: str, comment: str | None = None) -> PlannedPost:
        """Send a post in review back to draft (changes requested); approvals of it void.

        Raises
        ------
        NotAllowed
            ``post.approve`` is needed.
        CalendarError
            ``transition 'reject'``: not in review.
        """
        self.team.require(user, "post.approve")
        post = get_plan(self.ws, plan_id)
        _check_transition(post, "reject")
        now = self.now()
        with self.ws.transaction():
            self.ws.con.execute(
                "UPDATE plan_approvals SET voided_at = ? WHERE plan_id = ? AND voided_at IS NULL",
                [_naive_utc(now), plan_id],
            )
            self._move(user, post, "reject", "draft", now, comment)
        return get_plan(self.ws, plan_id)

    def schedule(self, user: str, plan_id: str, comment: str | None = None) -> PlannedPost:
        """Put an approved (or failed, to retry) post on the schedule.

        Raises
        ------
        NotAllowed
            ``post.schedule`` is needed.
        CalendarError
            ``transition 'schedule'`` (not approved or failed), ``approvals`` (the approval
            rules are not met, naming each missing approval), ``schedule.time`` (no time
            set) or ``schedule.future`` (the time has passed by the clock).
        """
        self.team.require(user, "post.schedule")
        post = get_plan(self.ws, plan_id)
        if post.state in ("draft", "in_review"):
            missing = self.shortfall(post)
            if missing:
                raise CalendarError(
                    plan_id,
                    "approvals",
                    f"is {post.state.replace('_', ' ')} and cannot be scheduled without the "
                    "approvals its rules require: " + "; ".join(missing),
                    subject=True,
                )
        _check_transition(post, "schedule")
        missing = self.shortfall(post)
        if missing:
            raise CalendarError(
                plan_id,
                "approvals",
                "cannot be scheduled without the approvals its rules require: "
                + "; ".join(missing),
                subject=True,
            )
        if post.scheduled_at is None:
            raise CalendarError(
                plan_id,
                "schedule.time",
                "has no time yet; set one with edit (it goes back to review)",
                subject=True,
            )
        now = self.now()
        if post.scheduled_at <= now and post.state != "failed":
            raise CalendarError(
                plan_id,
                "schedule.future",
                f"its time {post.local_time():%Y-%m-%d %H:%M %Z} has passed; edit the time",
            )
        with self.ws.transaction():
            self._move(user, post, "schedule", "scheduled", now, comment)
        return get_plan(self.ws, plan_id)

    def cancel(self, user: str, plan_id: str, comment: str | None = None) -> PlannedPost:
        """Cancel a post that is not published.

        Raises
        ------
        NotAllowed
            ``post.cancel`` is needed.
        CalendarError
            ``transition 'cancel'``: published or already cancelled;
            ``cancel.pending-publish``: a publish is under way (``calendar publish --due``
            settles it first).
        """
        self.team.require(user, "post.cancel")
        post = get_plan(self.ws, plan_id)
        _check_transition(post, "cancel")
        _check_no_pending_publish(self.ws, post, "cancel")
        now = self.now()
        with self.ws.transaction():
            self._move(user, post, "cancel", "cancelled", now, comment)
        return get_plan(self.ws, plan_id)

    # -------------------------------------------------------------- import
    def import_posts(
        self, user: str, posts: Sequence[PlannedPost], *, comment: str | None = None
    ) -> PlanImport:
        """Bring planned posts exported by another calendar in, with their states, in one
        transaction (all or nothing).

        Each post keeps its plan id, version, state, labels, standing approvals (of its
        version) and publications, as exported (``calendar list --json``, read back with
        :func:`ripplemeter.evaluate.calendar_section.load_plan_export`). One audit-log entry
        per post (action ``import``, no previous state, ``comment``) records the import; its
        time is the planner's clock. Times that have passed are kept (the plan's history).

        Parameters
        ----------
        user : str
            Acting member id. A state is the outcome of steps (submit, approve, schedule,
            publish, cancel), so the importer needs the permission of each step the
            imported states stand for: ``post.create`` always, ``post.submit`` beyond
            draft, ``post.approve`` for recorded approvals, ``post.schedule`` and
            ``post.publish`` for scheduled/published/failed posts, ``post.cancel`` for
            cancelled ones. In the roles of :mod:`ripplemeter.operations.team`, an admin.
        posts : sequence of PlannedPost
            The posts; every target account must be in the registry (owned, partner or
            kol), every approver a member of the team.
        comment : str, optional
            Written to each post's audit entry, e.g. ``imported from plan.json``.

        Returns
        -------
        PlanImport
            The plan ids imported, and those skipped because the workspace already holds
            a post of that id (left as it is: it may have moved on since). Importing the
            same posts twice therefore adds nothing.

        Raises
        ------
        NotAllowed, TeamError
            The user lacks a permission above / an approver is not a member.
        CalendarError
            ``import``: a state that is not one of :data:`STATES`, a plan id given twice;
            ``accounts``: an account missing from the registry.
        """
        import pandas as pd

        need = {"post.create"}
        for p in posts:
            if p.state not in STATES:
                raise CalendarError(
                    p.plan_id, "import", f"state {p.state!r}: expected one of {', '.join(STATES)}"
                )
            if p.state != "draft":
                need.add("post.submit")
            if p.approvals:
                need.add("post.approve")
            if p.state in ("scheduled", "published", "failed"):
                need |= {"post.schedule", "post.publish"}
            if p.state == "cancelled":
                need.add("post.cancel")
        for action in sorted(need):
            self.team.require(user, action)
        seen: set[str] = set()
        for p in posts:
            if p.plan_id in seen:
                raise CalendarError(p.plan_id, "import", "this plan id is given twice")
            seen.add(p.plan_id)
            self._accounts(p.accounts)
            for who in p.approvals:
                self.team.member(who)
        present = {
            r[0]
            for r in self.ws.con.execute(
                "SELECT plan_id FROM planned_posts WHERE plan_id IN (SELECT unnest(?::VARCHAR[]))",
                [sorted(seen)],
            ).fetchall()
        }
        new = [p for p in posts if p.plan_id not in present]
        now = _naive_utc(self.now())
        plans, variants, approvals, pubs, log = [], [], [], [], []
        ((seq,),) = self.ws.con.execute(
            "SELECT coalesce(max(seq), 0) + 1 FROM plan_transitions"
        ).fetchall()
        for i, p in enumerate(new):
            plans.append(
                {
                    "plan_id": p.plan_id,
                    "version": p.version,
                    "state": p.state,
                    "text": p.text,
                    "link": p.link,
                    "media": json.dumps(list(p.media), ensure_ascii=False),
                    "accounts": ",".join(p.accounts),
                    "scheduled_at": _naive_utc(p.scheduled_at) if p.scheduled_at else None,
                    "timezone": p.timezone,
                    "campaign_id": p.campaign_id,
                    "pillar": p.pillar,
                    "promotional": p.promotional,
                    "paid": p.paid,
                    "paid_partnership": p.paid_partnership,
                    "lang": p.lang,
                    "created_by": p.created_by or user,
                    "created_at": _naive_utc(p.created_at) if p.created_at else now,
                    "updated_at": now,
                }
            )
            variants += [
                {"plan_id": p.plan_id, "platform": k, "text": v} for k, v in p.variants.items()
            ]
            approvals += [
                {"plan_id": p.plan_id, "version": p.version, "approver": a, "at": now}
                for a in p.approvals
            ]
            pubs += [
                {
                    "plan_id": p.plan_id,
                    "account_id": a,
                    "status": pub.status,
                    "platform_post_id": pub.platform_post_id,
                    "url": pub.url,
                    "error": pub.error,
                    "actor": user,
                    "at": _naive_utc(pub.at),
                }
                for a, pub in p.publications.items()
            ]
            log.append(
                {
                    "plan_id": p.plan_id,
                    "seq": int(seq) + i,
                    "action": "import",
                    "from_state": None,
                    "to_state": p.state,
                    "actor": user,
                    "at": now,
                    "version": p.version,
                    "comment": comment,
                }
            )
        with self.ws.transaction():
            for table, rows in (
                ("planned_posts", plans),
                ("planned_variants", variants),
                ("plan_approvals", approvals),
                ("plan_publications", pubs),
                ("plan_transitions", log),
            ):
                if rows:
                    _insert_frame(self.ws, table, pd.DataFrame(rows))
        return PlanImport(
            tuple(p.plan_id for p in new),
            tuple(p.plan_id for p in posts if p.plan_id in present),
        )


# ---------------------------------------------------------------------------- views
def calendar_zone(
    ws: Workspace, standards: Standards | None = None, account: str | None = None
) -> str:
    """The time zone in which a calendar view cuts its days and weeks.

    One rule for ``calendar list --week|--month`` (its bounds) and :func:`plan_health`
    (``calendar check`` and the report's calendar section: each account's weeks).

    Parameters
    ----------
    ws : Workspace
        Its accounts registry gives an account's zone.
    standards : Standards, optional
        Its ``[business_hours]`` timezone is the team's zone.
    account : str, optional
        An account id (``platform:native``).

    Returns
    -------
    str
        IANA zone: the account's registered zone; else the team's zone
        (standards.toml ``[business_hours] timezone``); ``"UTC"`` only when neither names
        one.
    """
    from ripplemeter.operations.accounts import get_account

    if account:
        acc = get_account(ws, account)
        if acc is not None and acc.timezone:
            return acc.timezone
    return team_zone(standards) or "UTC"


def team_zone(standards: Standards | None) -> str | None:
    """The team's zone: standards.toml ``[business_hours] timezone``, or None."""
    bh = standards.file.business_hours if standards is not None else None
    return bh.timezone if bh is not None and bh.timezone else None


def list_plans(
    ws: Workspace,
    *,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    account: str | None = None,
    states: Sequence[str] | None = None,
) -> list[PlannedPost]:
    """Planned posts, by time (unscheduled last).

    Parameters
    ----------
    start, end : datetime, optional
        Aware bounds on ``scheduled_at`` (``start <= t < end``); posts without a time are
        left out when a bound is given.
    account : str, optional
        Only posts targeting this account.
    states : sequence of str, optional
        Only these states.
    """
    out = []
    for p in _load(ws):
        if account and account not in p.accounts:
            continue
        if states and p.state not in states:
            continue
        if start is not None and (p.scheduled_at is None or p.scheduled_at < start):
            continue
        if end is not None and (p.scheduled_at is None or p.scheduled_at >= end):
            continue
        out.append(p)
    return out


def plans_frame(posts: Sequence[PlannedPost]) -> pd.DataFrame:
    """One row per planned post and target account (the calendar grid), as a DataFrame.

    Columns: plan_id, account_id, state, scheduled_at (UTC), local_time (the plan's zone,
    ISO text), local_date, text, campaign_id, pillar, promotional, paid, approvals,
    publication status.
    """
    import pandas as pd

    rows = []
    for p in posts:
        local = p.local_time()
        for a in p.accounts:
            pub = p.publications.get(a)
            rows.append(
                {
                    "plan_id": p.plan_id,
                    "account_id": a,
                    "state": p.state,
                    "scheduled_at": p.scheduled_at,
                    "local_time": local.isoformat() if local else None,
                    "local_date": local.date().isoformat() if local else None,
                    "text": p.text,
                    "campaign_id": p.campaign_id,
                    "pillar": p.pillar,
                    "promotional": p.promotional,
                    "paid": p.paid,
                    "approvals": ",".join(p.approvals),
                    "publication": pub.status if pub else None,
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "plan_id",
            "account_id",
            "state",
            "scheduled_at",
            "local_time",
            "local_date",
            "text",
            "campaign_id",
            "pillar",
            "promotional",
            "paid",
            "approvals",
            "publication",
        ],
    )


def history(ws: Workspace, plan_id: str | None = None) -> pd.DataFrame:
    """The audit log (``plan_transitions``), in order; one plan's when ``plan_id`` is given."""
    q = 'SELECT plan_id, seq, action, from_state, to_state, actor, "at", version, comment FROM plan_transitions'
    if plan_id is not None:
        return ws.sql(q + " WHERE plan_id = ? ORDER BY seq", [plan_id])
    return ws.sql(q + " ORDER BY seq")


# ---------------------------------------------------------------------------- publishing
def due_posts(ws: Workspace, now: dt.datetime) -> list[PlannedPost]:
    """Scheduled posts whose time has come (``scheduled_at <= now``), oldest first.

    Parameters
    ----------
    ws : Workspace
    now : datetime
        Aware.

    Returns
    -------
    list of PlannedPost
        State ``scheduled``; :attr:`PlannedPost.pending_accounts` says which accounts still
        need it.
    """
    if now.tzinfo is None:
        raise OperationsError("due_posts needs an aware 'now' (a datetime with a time zone)")
    return [
        p
        for p in _load(ws)
        if p.state == "scheduled" and p.scheduled_at is not None and p.scheduled_at <= now
    ]


def next_due(ws: Workspace, now: dt.datetime) -> PlannedPost | None:
    """The scheduled post that falls due next after ``now`` (None when nothing is ahead).

    Parameters
    ----------
    ws : Workspace
    now : datetime
        Aware.

    Returns
    -------
    PlannedPost or None
        State ``scheduled``, ``scheduled_at > now``, the earliest (ties: lowest plan
        number); :attr:`PlannedPost.pending_accounts` says where it will go.
    """
    if now.tzinfo is None:
        raise OperationsError("next_due needs an aware 'now' (a datetime with a time zone)")
    ahead = [
        p
        for p in _load(ws)
        if p.state == "scheduled" and p.scheduled_at is not None and p.scheduled_at > now
    ]
    return ahead[0] if ahead else None  # _load sorts by time, then plan number


def _publish_checks(ws, plan_id, account, actor, team, action) -> PlannedPost:
    if team is not None:
        team.require(actor, "post.publish")
    post = get_plan(ws, plan_id)
    _check_transition(post, action)
    if account not in post.accounts:
        raise CalendarError(
            plan_id,
            "publish.account",
            f"{account} is not one of its accounts ({', '.join(post.accounts)})",
        )
    return post


def mark_published(
    ws: Workspace,
    plan_id: str,
    account: str,
    platform_post_id: str,
    url: str | None,
    actor: str,
    *,
    team: Team | None = None,
    now: dt.datetime | None = None,
) -> PlannedPost:
    """Record that the post went out on ``account``; ``published`` once every account has it.

    Recording the same account twice with the same platform id is a no-op (a publisher
    retried after a crash); with a different id it is refused (``publish.twice``).

    Parameters
    ----------
    ws : Workspace
    plan_id, account : str
    platform_post_id : str
        The platform's id of the new post.
    url : str or None
        Its permalink.
    actor : str
        Member id (checked for ``post.publish`` when ``team`` is given).
    team : Team, optional
    now : datetime, optional
        Aware; default the system clock.

    Raises
    ------
    CalendarError
        ``transition 'publish'`` (not scheduled or failed), ``publish.account`` (not a
        target), ``publish.twice``.
    NotAllowed
        With ``team``: the actor may not publish.
    """
    if team is not None:
        team.require(actor, "post.publish")
    post = get_plan(ws, plan_id)
    prev = post.publications.get(account)
    if prev is not None and prev.status == "published":
        if prev.platform_post_id == str(platform_post_id):
            return post  # the publisher recorded it already (a retry after a crash)
    post = _publish_checks(ws, plan_id, account, actor, team, "publish")
    if prev is not None and prev.status == "published":
        raise CalendarError(
            plan_id,
            "publish.twice",
            f"already published on {account} as {prev.platform_post_id}; "
            f"refusing a second post {platform_post_id}",
        )
    now = (now or _utc_now()).astimezone(dt.UTC)
    done = set(a for a, p in post.publications.items() if p.status == "published") | {account}
    to = "published" if all(a in done for a in post.accounts) else post.state
    with ws.transaction():
        ws.con.execute(
            "INSERT INTO plan_publications (plan_id, account_id, status, platform_post_id, url, "
            "error, actor, \"at\") VALUES (?, ?, 'published', ?, ?, NULL, ?, ?)",
            [plan_id, account, str(platform_post_id), url, actor, _naive_utc(now)],
        )
        ws.con.execute(
            "UPDATE planned_posts SET state = ?, updated_at = ? WHERE plan_id = ?",
            [to, _naive_utc(now), plan_id],
        )
        _log(
            ws,
            plan_id,
            "publish",
            post.state,
            to,
            actor,
            now,
            post.version,
            f"{account}: {platform_post_id}",
        )
    return get_plan(ws, plan_id)


def mark_failed(
    ws: Workspace,
    plan_id: str,
    account: str,
    message: str,
    actor: str,
    *,
    team: Team | None = None,
    now: dt.datetime | None = None,
) -> PlannedPost:
    """Record that publishing on ``account`` failed with the platform's ``message``.

    The post becomes ``failed`` (from ``scheduled``); ``schedule`` puts it back for a retry
    of the accounts still pending.

    Raises
    ------
    CalendarError
        ``transition 'fail'`` (not scheduled), ``publish.account``.
    NotAllowed
        With ``team``: the actor may not publish.
    """
    post = _publish_checks(ws, plan_id, account, actor, team, "fail")
    now = (now or _utc_now()).astimezone(dt.UTC)
    with ws.transaction():
        ws.con.execute(
            "INSERT INTO plan_publications (plan_id, account_id, status, platform_post_id, url, "
            "error, actor, \"at\") VALUES (?, ?, 'failed', NULL, NULL, ?, ?, ?)",
            [plan_id, account, message, actor, _naive_utc(now)],
        )
        ws.con.execute(
            "UPDATE planned_posts SET state = 'failed', updated_at = ? WHERE plan_id = ?",
            [_naive_utc(now), plan_id],
        )
        _log(
            ws,
            plan_id,
            "fail",
            post.state,
            "failed",
            actor,
            now,
            post.version,
            f"{account}: {message}",
        )
    return get_plan(ws, plan_id)


# ---------------------------------------------------------------------------- plan vs standard
@dataclass(frozen=True)
class PlanHealth:
    """The plan checked against the standard (posting frequency, content mix, approvals).

    Attributes
    ----------
    weekly : DataFrame
        One row per account and week (Monday to Sunday in the account's zone) overlapping
        the period: ``account_id, week (Monday's date), posts, promotional, promotional_share
        (promotional / posts; NaN for a week without posts), min_posts, max_posts,
        max_promotional_share, below_frequency, above_frequency, over_mix``. Posts counted:
        every planned post with a time in that week that is not cancelled (failed ones
        included: they were meant to go out).
    waiting : DataFrame
        Posts in review: ``plan_id, scheduled_at, accounts, missing`` (approvals still
        needed, in words).
    failures : DataFrame
        Failed publications of posts still failed: ``plan_id, account_id, error, at``, one
        row per account that failed (the calendar's record, else the publisher's failed
        intent of the current version in ``publish_intents``), in the post's account order.
    """

    weekly: pd.DataFrame
    waiting: pd.DataFrame
    failures: pd.DataFrame

    @property
    def weeks_below_frequency(self) -> int:
        """Account-weeks with fewer posts than the standard's ``posts_per_week.min``."""
        return int(self.weekly["below_frequency"].sum())

    @property
    def weeks_over_mix(self) -> int:
        """Account-weeks whose promotional share exceeds ``max_promotional_share``."""
        return int(self.weekly["over_mix"].sum())


def plan_health(
    planner: Planner, start: dt.date, end: dt.date, *, accounts: Sequence[str] | None = None
) -> PlanHealth:
    """Check the plan between two dates against the standard.

    Parameters
    ----------
    planner : Planner
        Its standards give each account's ``posts_per_week`` and ``content_mix`` (after
        overrides, :meth:`Standards.rules_for`); its team decides which approvals count.
    start, end : date
        First and last day (inclusive); weeks are those overlapping them, Monday to Sunday,
        in each account's zone (:func:`calendar_zone`: the registered one, else the team's
        business-hours zone, else UTC).
    accounts : sequence of str, optional
        Accounts to check (default: every owned account of the registry plus every account
        a plan in the period targets).

    Returns
    -------
    PlanHealth

    Notes
    -----
    Posting frequency as a range of posts per week and the 80/20 content mix (at most a
    fifth of posts promotional) are the usual terms of social media strategy guides (e.g.
    Hootsuite, "How often to post on social media"; Sprout Social, "Social media content
    mix"); the thresholds are the brand's own, from standards.toml.
    """
    import pandas as pd

    from ripplemeter.operations.accounts import list_accounts

    ws = planner.ws
    posts = [p for p in _load(ws) if p.state != "cancelled" and p.scheduled_at is not None]
    if accounts is None:
        reg = list_accounts(ws, "owned")
        ids = list(reg["account_id"])
        lo = dt.datetime.combine(start - dt.timedelta(days=1), dt.time(0), dt.UTC)
        hi = dt.datetime.combine(end + dt.timedelta(days=2), dt.time(0), dt.UTC)
        for p in posts:
            if lo <= p.scheduled_at < hi:
                ids += [a for a in p.accounts if a not in ids]
    else:
        ids = list(dict.fromkeys(accounts))
    rows = []
    first_monday = start - dt.timedelta(days=start.weekday())
    n_weeks = (end - first_monday).days // 7 + 1
    for a in ids:
        zone = calendar_zone(ws, planner.standards, a)
        rules = planner.standards.rules_for(a)
        ppw = rules.posts_per_week
        cap = rules.content_mix.max_promotional_share
        counts: dict[dt.date, list[int]] = {}
        for p in posts:
            if a not in p.accounts:
                continue
            day = p.local_time(zone).date()
            monday = day - dt.timedelta(days=day.weekday())
            c = counts.setdefault(monday, [0, 0])
            c[0] += 1
            c[1] += int(p.promotional)
        for w in range(n_weeks):
            monday = first_monday + dt.timedelta(weeks=w)
            n, promo = counts.get(monday, [0, 0])
            share = promo / n if n else float("nan")
            rows.append(
                {
                    "account_id": a,
                    "week": monday,
                    "posts": n,
                    "promotional": promo,
                    "promotional_share": share,
                    "min_posts": ppw.min if ppw else None,
                    "max_posts": ppw.max if ppw else None,
                    "max_promotional_share": cap,
                    "below_frequency": bool(ppw and ppw.min is not None and n < ppw.min),
                    "above_frequency": bool(ppw and ppw.max is not None and n > ppw.max),
                    "over_mix": bool(cap is not None and n and share > cap),
                }
            )
    weekly = pd.DataFrame(
        rows,
        columns=[
            "account_id",
            "week",
            "posts",
            "promotional",
            "promotional_share",
            "min_posts",
            "max_posts",
            "max_promotional_share",
            "below_frequency",
            "above_frequency",
            "over_mix",
        ],
    )
    waiting = pd.DataFrame(
        [
            {
                "plan_id": p.plan_id,
                "scheduled_at": p.scheduled_at,
                "accounts": ",".join(p.accounts),
                "missing": "; ".join(planner.shortfall(p)),
            }
            for p in _load(ws)
            if p.state == "in_review"
        ],
        columns=["plan_id", "scheduled_at", "accounts", "missing"],
    )
    # the calendar records the first account that failed; the publisher's intents hold the
    # message of every account that failed (of the post's current version)
    failed_posts = [p for p in _load(ws) if p.state == "failed"]
    intents: dict[tuple[str, str], tuple[str, dt.datetime]] = {}
    if failed_posts:
        ids = [p.plan_id for p in failed_posts]
        for pid, acc, ver, err, at in ws.con.execute(
            "SELECT plan_id, account_id, version, error, updated_at FROM publish_intents "
            f"WHERE status = 'failed' AND plan_id IN ({', '.join('?' * len(ids))}) "
            "ORDER BY updated_at",
            ids,
        ).fetchall():
            post = next(p for p in failed_posts if p.plan_id == pid)
            if int(ver) == post.version:
                intents[(pid, acc)] = (err, _aware(at))
    rows_f = []
    for p in failed_posts:
        for a in p.accounts:
            pub = p.publications.get(a)
            if pub is not None and pub.status == "failed":
                rows_f.append(
                    {"plan_id": p.plan_id, "account_id": a, "error": pub.error, "at": pub.at}
                )
            elif (pub is None or pub.status != "published") and (p.plan_id, a) in intents:
                err, at = intents[(p.plan_id, a)]
                rows_f.append({"plan_id": p.plan_id, "account_id": a, "error": err, "at": at})
    failures = pd.DataFrame(rows_f, columns=["plan_id", "account_id", "error", "at"])
    return PlanHealth(weekly, waiting, failures)
