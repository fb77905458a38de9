"""``standards.toml``: the brand's execution standard as data, with per-account overrides.

A social-media standard (the "standards brochure" a brand hands its team and agencies)
says what must and must not be said, when a post must be disclosed as advertising, how many
hashtags, mentions and links a post may carry, how often each account posts, how fast the
team replies, what share of posts may be promotional and who approves what. This module
reads it into typed pydantic models (unknown keys refused, errors naming file, line and
key); :mod:`ripplemeter.operations.lint` checks drafts against it, the calendar checks plans
against it and the seven-mistakes audit reads the same values.

The file (see docs/operations.md for the full reference)::

    [brand]
    name = "Ripple Coffee"
    default_language = "ko"          # the language of drafts in Latin script unless told

    [business_hours]                 # for reply-time targets
    timezone = "Asia/Seoul"
    days = ["mon", "tue", "wed", "thu", "fri"]
    start = "09:00"
    end = "18:00"
    holidays = "KR"                  # country code for the holidays package

    [rules]                          # the brand-wide rules
    posts_per_week = { min = 3, max = 10 }
    reply_within_hours = 4           # business hours
    [rules.limits]
    hashtags = 5
    mentions = 3
    links = 1
    [rules.terms.en]
    banned = ["guaranteed", "cure"]
    [rules.terms.ko]
    banned = ["최고"]
    required = []
    [rules.disclosure]
    roles = ["partner", "kol"]       # posts from these accounts must be disclosed
    paid = true                      # and every paid post
    markers = ["#ad", "#광고", "广告"]
    platform_flag = true             # the platform's paid-partnership label counts
    [rules.content_mix]
    max_promotional_share = 0.2      # in any week

    [accounts."instagram:ripple.kr"]  # overrides for one account (its id)
    limits = { hashtags = 10 }

    [[approvals]]
    id = "paid-two-approvers"
    applies_to = "paid"
    approvers = 2
    from_groups = ["legal"]

Overrides: an account's scalar settings (limits, posts_per_week, reply_within_hours,
content_mix, disclosure) replace the brand's key by key; its ``terms`` are added to the
brand's (an account can ban more, never fewer).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ripplemeter.operations import StandardsError, read_toml, validate
from ripplemeter.operations.business_hours import DAY_NAMES, BusinessCalendar
from ripplemeter.text.lang import LANGUAGE_NAMES

__all__ = [
    "ACCOUNT_ROLES",
    "AccountOverride",
    "ApprovalRule",
    "BusinessHours",
    "ContentMix",
    "Disclosure",
    "Limits",
    "Range",
    "Rules",
    "Standards",
    "StandardsFile",
    "TermList",
    "describe",
    "describe_rules",
    "load_standards",
]

#: Roles an account in the registry can have (issue 11).
ACCOUNT_ROLES = ("owned", "partner", "competitor", "media", "kol")
AccountRole = Literal["owned", "partner", "competitor", "media", "kol"]

_LANG = re.compile(r"^[a-z]{2,3}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _clean_terms(v: list[str]) -> list[str]:
    out = []
    for t in v:
        if not isinstance(t, str) or not t.strip():
            raise ValueError("expected non-empty terms in quotes")
        out.append(unicodedata.normalize("NFC", t.strip()))
    return out


def _check_langs(v: dict) -> dict:
    for k in v:
        if not _LANG.match(k):
            raise ValueError(
                f"expected a language code such as en, zh or ko as the table name, found {k!r}"
            )
    return v


class TermList(_Strict):
    """Terms for one language.

    Attributes
    ----------
    banned : list of str
        Words or phrases no post may contain (any language's banned terms are checked in
        every draft: a banned Korean word is banned in an English post too).
    required : list of str
        Terms every post in this language must contain (a brand name, a campaign tag).
    """

    banned: list[str] = []
    required: list[str] = []

    @field_validator("banned", "required")
    @classmethod
    def _terms(cls, v: list[str]) -> list[str]:
        return _clean_terms(v)


class Disclosure(_Strict):
    """When a post must be disclosed as advertising, and what counts as a disclosure.

    Attributes
    ----------
    roles : list of str
        Account roles whose posts always need a disclosure (partner, kol by default).
    paid : bool
        Paid (boosted, sponsored) posts need a disclosure whatever the account.
    markers : list of str
        Words or hashtags that disclose (``#ad``, ``#광고``, ``广告``); one is enough.
    platform_flag : bool
        The platform's own paid-partnership label (Instagram's "Paid partnership", TikTok's
        "Paid partnership", YouTube's "Includes paid promotion") counts as a disclosure.

    Notes
    -----
    US FTC, "Disclosures 101 for Social Media Influencers" (2019): "#ad" and "#sponsored"
    are clear; Korea FTC (공정거래위원회) 추천·보증 심사지침 (2020): "#광고" at the start;
    China SAMR 互联网广告管理办法 (2023), art. 9: 标明"广告".
    """

    roles: list[AccountRole] = ["partner", "kol"]
    paid: bool = True
    markers: list[str] = ["#ad", "#sponsored", "#광고", "#협찬", "广告"]
    platform_flag: bool = True

    @field_validator("markers")
    @classmethod
    def _markers(cls, v: list[str]) -> list[str]:
        return _clean_terms(v)


class Limits(_Strict):
    """Most hashtags, mentions and links a post may carry (None: no limit)."""

    hashtags: int | None = Field(None, ge=0)
    mentions: int | None = Field(None, ge=0)
    links: int | None = Field(None, ge=0)


class Range(_Strict):
    """A range of whole numbers (``{ min = 3, max = 10 }``); either end may be left out."""

    min: int | None = Field(None, ge=0)
    max: int | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError(f"max: {self.max} is below min ({self.min})")
        return self

    def contains(self, n: float) -> bool:
        """True when ``n`` lies within the range (ends included)."""
        return (self.min is None or n >= self.min) and (self.max is None or n <= self.max)


class ContentMix(_Strict):
    """Targets for the kinds of posts in a week.

    Attributes
    ----------
    max_promotional_share : float, optional
        Largest share (0-1) of an account's posts in any week (Monday to Sunday, in the
        account's time zone) labelled promotional. The "80/20 rule" of social media guides
        (at most one post in five sells) is 0.2.
    """

    max_promotional_share: float | None = Field(None, ge=0, le=1)


class Rules(_Strict):
    """The rules a post or an account follows (the brand's, or one account's after overrides).

    Attributes
    ----------
    terms : dict of language code -> TermList
        ISO 639-1 codes (``en``, ``zh``, ``ko``).
    disclosure : Disclosure
    limits : Limits
    posts_per_week : Range, optional
        How many posts an account publishes per week (Monday to Sunday, local).
    reply_within_hours : float, optional
        Reply-time target, in business hours (see ``[business_hours]``).
    content_mix : ContentMix
    """

    terms: dict[str, TermList] = {}
    disclosure: Disclosure = Disclosure()
    limits: Limits = Limits()
    posts_per_week: Range | None = None
    reply_within_hours: float | None = Field(None, gt=0)
    content_mix: ContentMix = ContentMix()

    @field_validator("terms")
    @classmethod
    def _langs(cls, v: dict[str, TermList]) -> dict[str, TermList]:
        return _check_langs(v)

    def reply_within(self) -> dt.timedelta | None:
        """The reply-time target as a timedelta of business time, or None."""
        if self.reply_within_hours is None:
            return None
        return dt.timedelta(hours=self.reply_within_hours)


class AccountOverride(_Strict):
    """One account's overrides (``[accounts."PLATFORM:ID"]``); every key optional."""

    terms: dict[str, TermList] = {}
    disclosure: Disclosure | None = None
    limits: Limits | None = None
    posts_per_week: Range | None = None
    reply_within_hours: float | None = Field(None, gt=0)
    content_mix: ContentMix | None = None

    @field_validator("terms")
    @classmethod
    def _langs(cls, v: dict[str, TermList]) -> dict[str, TermList]:
        return _check_langs(v)


class ApprovalRule(_Strict):
    """Who must approve what (``[[approvals]]``).

    Attributes
    ----------
    id : str
        Named in messages ("rule 'paid-two-approvers'").
    applies_to : str
        ``all`` posts, ``paid`` posts, posts from ``partner`` (or kol) accounts, or
        ``promotional`` posts.
    approvers : int
        Distinct approvers needed (the author does not count).
    from_groups : list of str
        Groups of team.toml each of which must supply at least one of the approvers
        (``["legal"]``).
    """

    id: str
    applies_to: Literal["all", "paid", "partner", "promotional"]
    approvers: int = Field(1, ge=1)
    from_groups: list[str] = []

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", v):
            raise ValueError(f"expected a short id such as paid-two-approvers, found {v!r}")
        return v

    def applies(self, *, paid: bool, promotional: bool, role: str | None) -> bool:
        """True when the rule covers a post with these properties."""
        return (
            self.applies_to == "all"
            or (self.applies_to == "paid" and paid)
            or (self.applies_to == "promotional" and promotional)
            or (self.applies_to == "partner" and role in ("partner", "kol"))
        )

    def shortfall(
        self, approved_by: Sequence[str], team, author: str | Sequence[str] | None = None
    ) -> list[str]:
        """What is still missing for this rule, in plain words (empty when satisfied).

        Parameters
        ----------
        approved_by : sequence of str
            Member ids who approved the post (repeats count once).
        team : Team
            Whose roles and groups decide which approvals count: only members allowed
            ``post.approve`` count, and the post's authors never approve their own words.
        author : str or sequence of str, optional
            Member id of the author, or every member who wrote a version of the post (its
            creator and each editor): none of them counts as an approver.
        """
        authors = {author} if isinstance(author, str) else set(author or ())
        valid = [
            u
            for u in dict.fromkeys(approved_by)
            if u not in authors and u in team.members and team.members[u].can("post.approve")
        ]
        out = []
        if len(valid) < self.approvers:
            have = f"has {len(valid)}" if valid else "has none"
            out.append(
                f"rule '{self.id}' needs {self.approvers} approver"
                f"{'s' if self.approvers > 1 else ''} ({have})"
            )
        for g in self.from_groups:
            if not any(team.in_group(u, g) for u in valid):
                out.append(f"rule '{self.id}' needs an approval from the {g} group")
        return out


class BusinessHours(_Strict):
    """When the team works (for reply-time targets).

    Attributes
    ----------
    timezone : str
        IANA zone (``Asia/Seoul``).
    days : list of str
        Working days, ``mon`` ... ``sun``.
    start, end : str
        Opening and closing, ``HH:MM`` local.
    holidays : str, optional
        Country code for the ``holidays`` package (``KR``, ``CN``, ``US``).
    subdivision : str, optional
        Its subdivision for regional holidays.
    closed : list of dates
        Extra closed days (``[2026-12-31]``).
    """

    timezone: str
    days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = list(DAY_NAMES[:5])
    start: str = "09:00"
    end: str = "18:00"
    holidays: str | None = None
    subdivision: str | None = None
    closed: list[dt.date] = []

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        m = re.fullmatch(r"(\d{1,2}):(\d{2})", v)
        if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
            raise ValueError(f'expected a time of day such as "09:00", found {v!r}')
        return v

    def calendar(self) -> BusinessCalendar:
        """This table as a :class:`BusinessCalendar` (for :func:`business_hours_between`)."""

        def t(s: str) -> dt.time:
            h, m = s.split(":")
            return dt.time(int(h), int(m))

        return BusinessCalendar(
            timezone=self.timezone,
            days=tuple(sorted({DAY_NAMES.index(d) for d in self.days})),
            start=t(self.start),
            end=t(self.end),
            holidays_country=self.holidays,
            holidays_subdivision=self.subdivision,
            closed=tuple(self.closed),
        )


class Brand(_Strict):
    """The brand the standard belongs to.

    Attributes
    ----------
    name : str
    default_language : str
        Language of drafts written in Latin script (Chinese and Korean are told apart by
        their script), for the required terms.
    """

    name: str
    default_language: str = "en"


class StandardsFile(_Strict):
    """The validated contents of standards.toml."""

    brand: Brand
    business_hours: BusinessHours | None = None
    rules: Rules = Rules()
    accounts: dict[str, AccountOverride] = {}
    approvals: list[ApprovalRule] = []

    @field_validator("accounts")
    @classmethod
    def _ids(cls, v: dict[str, AccountOverride]) -> dict[str, AccountOverride]:
        for k in v:
            if ":" not in k or k.startswith(":") or k.endswith(":"):
                raise ValueError(
                    f'expected account ids such as [accounts."instagram:ripple.kr"] '
                    f"(platform:id), found {k!r}"
                )
        return v


@dataclass(frozen=True)
class Standards:
    """A loaded standards.toml: the brand's rules, overrides, approvals, business hours.

    Attributes
    ----------
    file : StandardsFile
        The validated file.
    path : Path or None
        Where it was read from (named in messages).
    """

    file: StandardsFile
    path: Path | None = None

    @property
    def brand(self) -> Brand:
        return self.file.brand

    @property
    def approvals(self) -> list[ApprovalRule]:
        return self.file.approvals

    def rules_for(self, account: str | None) -> Rules:
        """The rules for one account: the brand's rules with its overrides applied.

        Parameters
        ----------
        account : str or None
            Account id (``platform:native``); None or an account without overrides gets the
            brand's rules.

        Returns
        -------
        Rules
            Terms are the brand's plus the account's (per language, duplicates dropped);
            every other key the account sets replaces the brand's, key by key inside
            ``limits``, ``disclosure`` and ``content_mix``.
        """
        base = self.file.rules
        ov = self.file.accounts.get(account) if account else None
        if ov is None:
            return base
        update: dict = {}
        if ov.terms:
            terms = {k: v.model_copy() for k, v in base.terms.items()}
            for lang, tl in ov.terms.items():
                old = terms.get(lang, TermList())
                terms[lang] = TermList(
                    banned=list(dict.fromkeys([*old.banned, *tl.banned])),
                    required=list(dict.fromkeys([*old.required, *tl.required])),
                )
            update["terms"] = terms
        for key in ("disclosure", "limits", "content_mix"):
            sub = getattr(ov, key)
            if sub is not None:
                given = {k: getattr(sub, k) for k in sub.model_fields_set}
                update[key] = getattr(base, key).model_copy(update=given)
        for key in ("posts_per_week", "reply_within_hours"):
            if key in ov.model_fields_set:
                update[key] = getattr(ov, key)
        return base.model_copy(update=update)

    def approvals_for(
        self, *, paid: bool = False, promotional: bool = False, role: str | None = None
    ) -> list[ApprovalRule]:
        """The approval rules that cover a post (paid? promotional? its account's role)."""
        return [
            r
            for r in self.file.approvals
            if r.applies(paid=paid, promotional=promotional, role=role)
        ]

    def approval_shortfall(
        self,
        approved_by: Sequence[str],
        team,
        *,
        author: str | Sequence[str] | None = None,
        paid: bool = False,
        promotional: bool = False,
        role: str | None = None,
    ) -> list[str]:
        """Every approval still missing for a post, in plain words (empty: it may go out).

        See :meth:`ApprovalRule.shortfall` for which approvals count; ``author`` may name
        every member who wrote or edited the post (none of them counts).
        """
        out: list[str] = []
        for r in self.approvals_for(paid=paid, promotional=promotional, role=role):
            out += r.shortfall(approved_by, team, author)
        return out

    def business_calendar(self) -> BusinessCalendar:
        """The team's :class:`BusinessCalendar`.

        Raises
        ------
        StandardsError
            The file has no ``[business_hours]`` table.
        """
        if self.file.business_hours is None:
            raise StandardsError(
                self.path,
                "no [business_hours] table: add one (timezone, days, start, end, holidays) "
                "to count reply times in business hours",
            )
        return self.file.business_hours.calendar()


def load_standards(path: str | Path, team=None) -> Standards:
    """Read and validate a standards.toml.

    Parameters
    ----------
    path : str or Path
        The standards file.
    team : Team, optional
        When given (or when a ``team.toml`` lies beside the file and ``team`` is None), the
        groups named by ``[[approvals]]`` must exist in it.

    Returns
    -------
    Standards

    Raises
    ------
    StandardsError
        Missing or unreadable file, invalid TOML, an unknown key, a value of the wrong kind,
        an unknown time zone or holiday country, a range whose max is below its min, an
        approval rule naming a group the team does not have; the message names the file,
        the line and the key.
    TeamError
        The team file beside it is itself invalid.
    """
    from ripplemeter.operations import OperationsError, dotted, line_of
    from ripplemeter.operations.team import find_team, load_team

    path = Path(path)
    data, text = read_toml(path, StandardsError, "standards file")
    sf: StandardsFile = validate(StandardsFile, data, path, text, StandardsError)
    if sf.business_hours is not None:
        try:
            sf.business_hours.calendar()
        except OperationsError as exc:
            bad = "holidays" if "holidays" in str(exc) else "timezone"
            if "end (" in str(exc):
                bad = "end"
            loc = ("business_hours", bad)
            raise StandardsError(
                path, str(exc).removeprefix("holidays: "), key=dotted(loc), line=line_of(text, loc)
            ) from None
    if team is None and find_team(path).is_file():
        team = load_team(find_team(path))
    if team is not None:
        for i, r in enumerate(sf.approvals):
            for g in r.from_groups:
                if g not in team.groups:
                    loc = ("approvals", i, "from_groups")
                    known = ", ".join(team.groups) or "none"
                    raise StandardsError(
                        path,
                        f"approval rule '{r.id}' asks for the {g!r} group, which "
                        f"{team.file_name} does not define (its groups: {known})",
                        key=dotted(loc),
                        line=line_of(text, loc),
                    )
    return Standards(sf, path)


# ------------------------------------------------------------------ the standard in plain words
_DAY_WORDS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _lang(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def _words(items: Sequence[str], last: str = "and") -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def _quoted(items: Sequence[str], last: str = "and") -> str:
    return _words([f"\u201c{t}\u201d" for t in items], last)


def _terms(items: Sequence[str], last: str = "and") -> str:
    """Terms as a reader takes them: ``cure*`` (a prefix term) is "words starting with “cure”"."""
    return _words(
        [
            f"words starting with \u201c{t[:-1]}\u201d" if t.endswith("*") else f"\u201c{t}\u201d"
            for t in items
        ],
        last,
    )


def _plural(n: int | float, word: str) -> str:
    return f"{n:g} {word}{'' if n == 1 else 's'}"


def describe_rules(rules: Rules, base: Rules | None = None) -> list[str]:
    """The rules as sentences a marketing lead reads; with ``base``, only what differs.

    Returns
    -------
    list of str
        Plain sentences ("Posts from partner accounts must say they are advertising...").
        Values (terms, markers) are inserted as written: escape them when rendering.
    """
    out: list[str] = []
    same = lambda k: base is not None and getattr(base, k) == getattr(rules, k)  # noqa: E731
    if not same("terms"):
        for lg, tl in rules.terms.items():
            old = base.terms.get(lg, TermList()) if base is not None else TermList()
            banned = [t for t in tl.banned if t not in old.banned]
            required = [t for t in tl.required if t not in old.required]
            if banned:
                where = "in its posts" if base is not None else "in any post"
                out.append(f"Never write {_terms(banned, 'or')} ({_lang(lg)}) {where}.")
            if required:
                out.append(f"Posts in {_lang(lg)} must include {_terms(required)}.")
    if not same("disclosure"):
        d = rules.disclosure
        who = []
        if d.roles:
            who.append(f"Posts from {_words(d.roles)} accounts")
        if d.paid:
            who.append("paid posts" if who else "Paid posts")
        if who:
            flag = " (the platform's paid-partnership label also counts)" if d.platform_flag else ""
            out.append(
                f"{_words(who)} must say they are advertising: {_quoted(d.markers, 'or')}{flag}, "
                "at the start of the post."
            )
        else:
            out.append("No disclosure is required.")
    if not same("limits"):
        lim = rules.limits
        parts = [
            _plural(v, w)
            for v, w in ((lim.hashtags, "hashtag"), (lim.mentions, "mention"), (lim.links, "link"))
            if v is not None
        ]
        if parts:
            out.append(f"At most {_words(parts)} per post.")
    who_posts = "This account posts" if base is not None else "Each account posts"
    if not same("posts_per_week") and rules.posts_per_week is not None:
        r = rules.posts_per_week
        if r.min is not None and r.max is not None:
            out.append(f"{who_posts} {r.min} to {r.max} times a week.")
        elif r.min is not None:
            out.append(f"{who_posts} at least {_plural(r.min, 'time')} a week.")
        elif r.max is not None:
            out.append(f"{who_posts} at most {_plural(r.max, 'time')} a week.")
    if not same("reply_within_hours") and rules.reply_within_hours is not None:
        out.append(
            f"Reply to comments and messages within {_plural(rules.reply_within_hours, 'business hour')}."
        )
    if not same("content_mix") and rules.content_mix.max_promotional_share is not None:
        share = rules.content_mix.max_promotional_share * 100
        whose = "this account's" if base is not None else "an account's"
        out.append(f"At most {share:g}% of {whose} posts in any week are promotional.")
    return out


def describe(standards: Standards, team=None) -> dict:
    """The whole standard in plain words, for the brochure (and any other presentation).

    Parameters
    ----------
    standards : Standards
    team : Team, optional
        Adds the members, their roles and groups.

    Returns
    -------
    dict
        ``brand`` (name), ``rules`` (sentences), ``business_hours`` (a sentence or None),
        ``approvals`` (sentences), ``accounts`` (list of ``{"id", "rules"}`` with only what
        differs from the brand), ``team`` (list of ``{"id", "name", "roles", "groups"}``),
        ``groups`` (name -> member names). Values are unescaped text.
    """
    sf = standards.file
    base = sf.rules
    hours = None
    if sf.business_hours is not None:
        bh = sf.business_hours
        idx = sorted({DAY_NAMES.index(d) for d in bh.days})
        if idx == list(range(idx[0], idx[-1] + 1)) and len(idx) > 2:
            days = f"{_DAY_WORDS[idx[0]]} to {_DAY_WORDS[idx[-1]]}"
        else:
            days = _words([_DAY_WORDS[i] for i in idx])
        hol = f", closed on public holidays in {bh.holidays}" if bh.holidays else ""
        if bh.closed:
            hol += " and on " + _words([d.isoformat() for d in bh.closed])
        hours = f"Business hours: {days}, {bh.start} to {bh.end} ({bh.timezone}){hol}."
    approvals = []
    for r in sf.approvals:
        what = {
            "all": "Every post",
            "paid": "Paid posts",
            "partner": "Posts from partner and kol accounts",
            "promotional": "Promotional posts",
        }[r.applies_to]
        groups = (
            f", at least one from the {_words(r.from_groups)} group"
            f"{'s' if len(r.from_groups) > 1 else ''}"
            if r.from_groups
            else ""
        )
        verb = "needs" if r.applies_to == "all" else "need"
        approvals.append(
            f"{what} {verb} {_plural(r.approvers, 'approver')}{groups}; whoever wrote or "
            f"edited a post never approves it (rule {r.id})."
        )
    accounts = [
        {"id": aid, "rules": describe_rules(standards.rules_for(aid), base)} for aid in sf.accounts
    ]
    members = []
    groups: dict[str, list[str]] = {}
    if team is not None:
        members = [
            {"id": m.id, "name": m.name, "roles": list(m.roles), "groups": list(m.groups)}
            for m in team.members.values()
        ]
        groups = {g: [team.members[u].name for u in ids] for g, ids in team.groups.items()}
    return {
        "brand": sf.brand.name,
        "rules": describe_rules(base),
        "business_hours": hours,
        "approvals": approvals,
        "accounts": accounts,
        "team": members,
        "groups": groups,
    }
