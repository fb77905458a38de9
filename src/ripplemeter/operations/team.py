"""``team.toml``: who is on the team, their roles and named groups; permission checks.

The file lives beside ``standards.toml``::

    [[members]]
    id = "mina"                 # what --as and RIPPLEMETER_USER name
    name = "Mina Park"
    email = "mina@example.com"  # optional
    roles = ["admin"]

    [[members]]
    id = "jisoo"
    name = "Jisoo Lee"
    roles = ["approver"]

    [groups]
    legal = ["jisoo"]           # named groups that approval rules can ask for

Roles (admin, editor, approver, viewer) grant actions (:data:`PERMISSIONS`); the library
checks them (:meth:`Team.require`) so that the CLI and, later, the web app refuse the same
things with the same message. Permissions follow the usual split of social-media suites
(Hootsuite's and Sprout Social's publishing roles): editors write and schedule, approvers
approve, viewers read, admins do everything including changing accounts and the standard.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ripplemeter.operations import NotAllowed, OperationsError, TeamError, read_toml, validate

__all__ = [
    "ACTIONS",
    "PERMISSIONS",
    "ROLES",
    "Member",
    "Team",
    "acting_user",
    "find_team",
    "load_team",
]

ROLES = ("admin", "editor", "approver", "viewer")
Role = Literal["admin", "editor", "approver", "viewer"]

#: action -> (roles allowed, the action in words). Admins may do everything.
PERMISSIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "view": (("admin", "editor", "approver", "viewer"), "see accounts, standards and the plan"),
    "post.create": (("admin", "editor"), "write drafts"),
    "post.edit": (("admin", "editor"), "edit posts"),
    "post.submit": (("admin", "editor"), "send drafts for review"),
    "post.approve": (("admin", "approver"), "approve posts"),
    "post.schedule": (("admin", "editor"), "schedule approved posts"),
    "post.publish": (("admin", "editor"), "publish posts"),
    "post.cancel": (("admin", "editor"), "cancel posts"),
    "inbox.manage": (("admin", "editor"), "assign, close or reopen inbox items"),
    "accounts.edit": (("admin",), "add or import accounts"),
    "standards.edit": (("admin",), "change the standards"),
    "team.edit": (("admin",), "change the team"),
}
ACTIONS = tuple(PERMISSIONS)

#: Environment variable naming the acting user when ``--as`` is not given.
USER_ENV = "RIPPLEMETER_USER"

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class _MemberEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    name: str
    email: str | None = None
    roles: list[Role] = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError(
                f"expected a short id in lower case letters, digits, '.', '_' or '-' "
                f"(such as 'mina' or 'j.lee'), found {v!r}"
            )
        return v

    @field_validator("email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", v):
            raise ValueError(f"expected an e-mail address such as mina@example.com, found {v!r}")
        return v


class TeamFile(BaseModel):
    """The validated contents of team.toml."""

    model_config = ConfigDict(extra="forbid")
    members: list[_MemberEntry] = Field(min_length=1)
    groups: dict[str, list[str]] = {}

    @model_validator(mode="after")
    def _consistent(self) -> TeamFile:
        seen: set[str] = set()
        for m in self.members:
            if m.id in seen:
                raise ValueError(f"members: the id {m.id!r} is used twice; ids must be unique")
            seen.add(m.id)
        for g, ids in self.groups.items():
            for u in ids:
                if u not in seen:
                    raise ValueError(f"groups: group {g!r} names {u!r}, who is not in [[members]]")
        return self


@dataclass(frozen=True)
class Member:
    """A team member.

    Attributes
    ----------
    id : str
        What ``--as`` and ``RIPPLEMETER_USER`` name.
    name : str
    email : str or None
    roles : tuple of str
        Some of admin, editor, approver, viewer.
    groups : tuple of str
        Named groups the member belongs to (``legal``).
    """

    id: str
    name: str
    email: str | None
    roles: tuple[str, ...]
    groups: tuple[str, ...]

    def can(self, action: str) -> bool:
        """True when one of the member's roles allows ``action`` (see :data:`PERMISSIONS`)."""
        allowed, _ = _permission(action)
        return any(r in allowed for r in self.roles)


def _permission(action: str) -> tuple[tuple[str, ...], str]:
    try:
        return PERMISSIONS[action]
    except KeyError:
        raise OperationsError(
            f"unknown action {action!r}; known: {', '.join(PERMISSIONS)}"
        ) from None


def _roles_words(roles: tuple[str, ...] | list[str]) -> str:
    roles = list(roles)
    return roles[0] if len(roles) == 1 else ", ".join(roles[:-1]) + " or " + roles[-1]


@dataclass(frozen=True)
class Team:
    """Members, their roles and named groups (from team.toml).

    Attributes
    ----------
    members : Mapping[str, Member]
        By id, in file order.
    groups : Mapping[str, tuple[str, ...]]
        Group name -> member ids.
    path : Path or None
        The file read (named in error messages).
    """

    members: Mapping[str, Member]
    groups: Mapping[str, tuple[str, ...]]
    path: Path | None = None

    @property
    def file_name(self) -> str:
        return self.path.name if self.path else "team.toml"

    def member(self, user: str) -> Member:
        """The member with id ``user``.

        Raises
        ------
        TeamError
            ``user`` is not a member; the message names the team file and the members.
        """
        m = self.members.get(user)
        if m is None:
            known = ", ".join(self.members)
            raise TeamError(
                self.path,
                f"{user!r} is not a member of the team; members are {known} "
                "(add them under [[members]] or act as one of them with --as)",
            )
        return m

    def require(self, user: str, action: str) -> Member:
        """Check that ``user`` may do ``action``; return the member.

        Parameters
        ----------
        user : str
            Member id (the acting user).
        action : str
            One of :data:`ACTIONS` (``post.approve``, ``accounts.edit``...).

        Returns
        -------
        Member

        Raises
        ------
        TeamError
            ``user`` is not a member.
        NotAllowed
            None of the member's roles allows ``action``; the message names the rule
            (``post.approve``) and the roles that may.
        OperationsError
            ``action`` is not a known action (a programming error).
        """
        allowed, words = _permission(action)
        m = self.member(user)
        if not m.can(action):
            rule = f"{action}: only {_roles_words(allowed)} may {words}"
            raise NotAllowed(
                user,
                action,
                rule,
                f"{user} ({_roles_words(m.roles)}) may not {words}: rule '{action}' lets only "
                f"{_roles_words(allowed)} {words} ({self.file_name} gives {user} the role"
                f"{'s' if len(m.roles) > 1 else ''} {_roles_words(m.roles)})",
            )
        return m

    def in_group(self, user: str, group: str) -> bool:
        """True when member ``user`` belongs to the named group."""
        return user in self.groups.get(group, ())

    def acting_user(self, as_user: str | None = None, env: Mapping[str, str] | None = None):
        """See :func:`acting_user`."""
        return acting_user(self, as_user, env)


def acting_user(
    team: Team, as_user: str | None = None, env: Mapping[str, str] | None = None
) -> Member:
    """The member acting on the command line: ``--as`` first, then ``RIPPLEMETER_USER``.

    Parameters
    ----------
    team : Team
    as_user : str, optional
        The ``--as`` value.
    env : mapping, optional
        Environment (default ``os.environ``).

    Raises
    ------
    TeamError
        Neither is given, or the id is not a member (the message names the team file).
    """
    env = os.environ if env is None else env
    user = as_user or env.get(USER_ENV) or None
    if not user:
        raise TeamError(
            team.path,
            f"who is acting? pass --as ID or set {USER_ENV} to your member id "
            f"(members: {', '.join(team.members)})",
        )
    return team.member(user.strip())


def load_team(path: str | Path) -> Team:
    """Read and validate a team.toml.

    Raises
    ------
    TeamError
        Missing or unreadable file, invalid TOML (with its line), an unknown key or role,
        a duplicate member id, a group naming someone who is not a member; the message
        names the file, the line and the key.
    """
    path = Path(path)
    data, text = read_toml(path, TeamError, "team file")
    tf: TeamFile = validate(TeamFile, data, path, text, TeamError)
    groups_of: dict[str, list[str]] = {}
    for g, ids in tf.groups.items():
        for u in ids:
            groups_of.setdefault(u, []).append(g)
    members = {
        m.id: Member(
            m.id, m.name, m.email, tuple(dict.fromkeys(m.roles)), tuple(groups_of.get(m.id, ()))
        )
        for m in tf.members
    }
    return Team(members, {g: tuple(ids) for g, ids in tf.groups.items()}, path)


def find_team(standards_path: str | Path) -> Path:
    """The team file beside a standards file (``team.toml`` in the same folder)."""
    return Path(standards_path).resolve().parent / "team.toml"
