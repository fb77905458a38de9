"""Cascade files in the DeepHawkes / CasCN / CasFlow line format (Cao et al., CIKM 2017) -> posts.

The unit of import is one file of many cascades, one per line, TAB-separated::

    cascade_id  root_user_id  publish_unix_time  n_participants  participants

where ``participants`` is space-separated ``u1/u2/.../un:seconds``: the repost path from the
root user to the reposting user, and the delay in seconds after publication (the root itself
is ``root:0``).

A node is a **user within a cascade**: post id ``weibo:deephawkes-<cascade_id>/<user_id>``,
account ``weibo:deephawkes-<user_id>`` (the data set's user ids are its own numbering, not
Weibo uids, so they are kept apart from real ones). ``created_at`` is the publication time
plus the delay (UTC) and ``delay_seconds`` the delay. The root is kind ``original``, every
other user kind ``repost``; the parent is the user before the last one in the path.

Quirks handled here, each counted in the import notes (see ``docs/formats-cascades.md``):

- a user may repost several times in one cascade (sometimes by different paths): the
  earliest participation is kept (the first listed on a tie), the others are counted;
- a path may repeat a user in a row (``170529/170529/4789539``: a user reposting their own
  repost): the repeat is collapsed; the root reposting itself is counted and dropped, as is a
  path that leads back into the root (a cycle);
- participants are not in time order; a user timed before their parent is kept and flagged
  (annotation ``cascade_flag`` = ``timed_before_parent``);
- ``n_participants`` must equal the participants listed (a cut line says so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ripplemeter.errors import FormatError
from ripplemeter.formats import Rows, SourceContext, register
from ripplemeter.formats._io import read_text
from ripplemeter.formats.twitter_trees import (
    FLAG_BEFORE_PARENT,
    FLAG_MODEL,
    FLAG_TASK,
    choose_parents,
)

FORMAT = "deephawkes"
PLATFORM = "weibo"
#: The fields of a cascade line, in order (TAB-separated).
COLUMNS: tuple[str, ...] = (
    "cascade_id",
    "root_user_id",
    "publish_time",
    "n_participants",
    "participants",
)
ID_PREFIX = "deephawkes-"

_TOKEN = re.compile(r"^[^\s/:]+$")
_INT = re.compile(r"^-?\d+$")
_PART = re.compile(r"^([^\s:]+):(-?\d+(?:\.\d+)?)$")
_LINE_START = re.compile(r"^\S+\t\S+\t\d+\t\d+\t\S+:0(\s|$)")
_SEPARATORS = {",": "commas", ";": "semicolons", "|": "pipes"}


def _recognise(lines: list[str]) -> bool:
    return bool(lines) and bool(_LINE_START.match(lines[0]))


@dataclass
class CascadeStats:
    """One cascade's counts. Every participant is exactly one of: the root's own entry,
    a kept entry (one per user), a repeated participation, or a root re-entry."""

    cascade_id: str
    row: int
    participants: int = 0
    users: int = 0
    repeated: int = 0
    root_reentries: int = 0
    collapsed_repeats: int = 0
    parent_not_listed: int = 0
    cycles_broken: int = 0
    detached: int = 0
    before_parent: int = 0
    unsorted: bool = False


@dataclass
class FileStats:
    """The file's cascades and their totals."""

    cascades: list[CascadeStats] = field(default_factory=list)
    repeated_cascades: int = 0

    def total(self, name: str) -> int:
        return sum(int(getattr(c, name)) for c in self.cascades)


def _split(path: Path, row: int, line: str, last: bool) -> list[str]:
    fields = line.split("\t")
    if len(fields) == 5:
        return fields
    if len(fields) == 1:
        for sep, name in _SEPARATORS.items():
            if len(line.split(sep)) >= 5:
                return _fail_sep(path, row, name)
        if len(line.split(" ")) >= 5 and "/" not in line.split(" ")[0]:
            return _fail_sep(path, row, "spaces")
    msg = f"expected 5 TAB-separated fields ({', '.join(COLUMNS)}), found {len(fields)}"
    if last and len(fields) < 5:
        msg += "; the last line looks truncated"
    raise FormatError(path, row=row, message=msg + f" (is this a {FORMAT} file?)")


def _fail_sep(path: Path, row: int, name: str) -> list[str]:
    raise FormatError(
        path,
        row=row,
        message=f"the fields are separated by {name}, expected tabs (is this a {FORMAT} file?)",
    )


def read_cascades(path: Path, ctx: SourceContext | None = None) -> tuple[Rows, FileStats]:
    """Read a DeepHawkes-format file into rows and per-cascade counts.

    Parameters
    ----------
    path : Path
        One file, one cascade per line.
    ctx : SourceContext, optional
        ``platform`` overrides ``weibo`` in ids.

    Returns
    -------
    rows : Rows
        ``posts`` (one per user per cascade) and ``annotations`` (``timed_before_parent``).
    stats : FileStats

    Raises
    ------
    FormatError
        A line without 5 TAB-separated fields, a field that is not a number or an id, a
        participant not written ``path:seconds``, a path that does not start at the root
        user, a participant count that differs from ``n_participants``.
    """
    path = Path(path)
    platform = ((ctx.platform if ctx else None) or PLATFORM).lower()
    text = read_text(path).text
    lines = text.split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    last_row = len(lines)
    stats = FileStats()
    seen: set[str] = set()
    cols: dict[str, list] = {
        k: []
        for k in (
            "post_id",
            "account_id",
            "created_at",
            "kind",
            "parent_id",
            "root_id",
            "delay_seconds",
            "source_row",
        )
    }
    flags: list[tuple[str, int]] = []
    for row, raw in enumerate(lines, 1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        last = row == last_row
        cid, ruser, ptime, n, parts = (f.strip() for f in _split(path, row, line, last))
        for name, v in (("cascade_id", cid), ("root_user_id", ruser)):
            if not _TOKEN.match(v):
                raise FormatError(path, row=row, column=name, expected="an id", found=v)
        for name, v in (("publish_time", ptime), ("n_participants", n)):
            if not _INT.match(v):
                raise FormatError(path, row=row, column=name, expected="a whole number", found=v)
        tokens = parts.split()
        if len(tokens) != int(n):
            msg = f"expected {int(n):,} participants as n_participants says, found {len(tokens):,}"
            if last and len(tokens) < int(n):
                msg += "; the last line looks truncated"
            raise FormatError(path, row=row, column="participants", message=msg)
        if cid in seen:
            stats.repeated_cascades += 1
            continue
        seen.add(cid)
        cs = CascadeStats(cid, row, participants=len(tokens))
        entries: dict[str, list[tuple[float, int, str | None]]] = {}
        prev = None
        for k, tok in enumerate(tokens):
            m = _PART.match(tok)
            if m is None:
                raise FormatError(
                    path,
                    row=row,
                    column="participants",
                    expected="user/user/...:seconds",
                    found=tok,
                )
            users = m.group(1).split("/")
            if any(not _TOKEN.match(u) for u in users):
                raise FormatError(
                    path, row=row, column="participants", expected="a path of user ids", found=tok
                )
            if users[0] != ruser:
                raise FormatError(
                    path,
                    row=row,
                    column="participants",
                    message=f"the path {m.group(1)!r} does not start at the root user {ruser}",
                )
            delay = float(m.group(2))
            if prev is not None and delay < prev:
                cs.unsorted = True
            prev = delay
            coll = [users[0]]
            for u in users[1:]:
                if u == coll[-1]:
                    continue
                coll.append(u)
            if len(coll) != len(users):
                cs.collapsed_repeats += 1
            if coll == [ruser]:
                if ruser in entries:
                    cs.root_reentries += 1
                else:
                    entries[ruser] = [(0.0, k, None)]
                continue
            child, par = coll[-1], coll[-2]
            if child == ruser:
                cs.root_reentries += 1
                continue
            entries.setdefault(child, []).append((delay, k, par))
        if ruser not in entries:
            entries[ruser] = [(0.0, -1, None)]
        delay_of: dict[str, float] = {}
        ranked: dict[str, list[str]] = {}
        order: dict[str, int] = {}
        for u, es in entries.items():
            es.sort(key=lambda e: (e[0], e[1]))
            delay_of[u] = es[0][0] if u != ruser else 0.0
            order[u] = min(e[1] for e in es)
            if u == ruser:
                continue
            cs.repeated += len(es) - 1
            ranked[u] = list(dict.fromkeys(e[2] for e in es if e[2] is not None))
        parent, cs.cycles_broken, cs.detached = choose_parents(ranked, order)
        cs.users = len(entries)

        def pid(u: str, cid: str = cid) -> str:
            return f"{platform}:{ID_PREFIX}{cid}/{u}"

        t0 = pd.Timestamp(int(ptime), unit="s")
        for u in sorted(entries, key=lambda u: (u != ruser, order[u])):
            p = parent.get(u)
            if p is not None and p not in entries:
                cs.parent_not_listed += 1
            elif p is not None and delay_of[u] < delay_of[p]:
                cs.before_parent += 1
                flags.append((pid(u), row))
            cols["post_id"].append(pid(u))
            cols["account_id"].append(f"{platform}:{ID_PREFIX}{u}")
            cols["created_at"].append(t0 + pd.Timedelta(seconds=delay_of[u]))
            cols["kind"].append("original" if u == ruser else "repost")
            cols["parent_id"].append(pid(p) if p is not None else None)
            cols["root_id"].append(pid(ruser))
            cols["delay_seconds"].append(delay_of[u])
            cols["source_row"].append(row)
        stats.cascades.append(cs)
    if not stats.cascades:
        raise FormatError(path, message="the file has no cascade lines (no data)")
    posts = pd.DataFrame(cols)
    posts["created_at"] = pd.to_datetime(posts["created_at"]).astype("datetime64[ns]")
    posts["delay_seconds"] = posts["delay_seconds"].astype("float64")
    posts.insert(1, "platform", platform)
    posts.insert(2, "channel", "microblog")
    rows = Rows()
    rows.add("posts", posts)
    if flags:
        rows.add(
            "annotations",
            pd.DataFrame(
                {
                    "subject_id": [f for f, _ in flags],
                    "task": FLAG_TASK,
                    "label": FLAG_BEFORE_PARENT,
                    "model": FLAG_MODEL,
                    "model_version": FORMAT,
                    "source_row": [r for _, r in flags],
                }
            ),
        )
    rows.notes = _notes(path, stats)
    return rows, stats


def _n(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _which(stats: FileStats, name: str) -> str:
    ids = [c.cascade_id for c in stats.cascades if getattr(c, name)]
    return ", ".join(ids[:5]) + (" ..." if len(ids) > 5 else "")


def _notes(path: Path, s: FileStats) -> list[str]:
    name = path.name
    n = [
        f"{name}: {_n(len(s.cascades), 'cascade')}, {_n(s.total('participants'), 'participant')}"
        f" listed, {_n(s.total('users'), 'user')} kept (a node is a user within a cascade; "
        f"post ids weibo:{ID_PREFIX}<cascade id>/<user id>, the data set's own user numbering)",
        f"{name}: times are the publication time (unix seconds, UTC) plus each delay",
    ]
    if s.total("repeated"):
        n.append(
            f"{name}: {_n(s.total('repeated'), 'repeated participation')} (a user reposting "
            f"again in the same cascade, in {_which(s, 'repeated')}): each user's earliest "
            "is kept"
        )
    if s.total("collapsed_repeats"):
        n.append(
            f"{name}: {_n(s.total('collapsed_repeats'), 'path')} repeat a user in a row (a user "
            f"reposting their own repost, in {_which(s, 'collapsed_repeats')}): the repeat "
            "is collapsed"
        )
    if s.total("root_reentries"):
        n.append(
            f"{name}: {_n(s.total('root_reentries'), 'participation')} of the root user in "
            f"their own cascade (in {_which(s, 'root_reentries')}) dropped"
        )
    if s.total("before_parent"):
        n.append(
            f"{name}: {_n(s.total('before_parent'), 'user')} timed before their parent (kept, "
            f"flagged in annotations as {FLAG_TASK}={FLAG_BEFORE_PARENT})"
        )
    if s.total("parent_not_listed"):
        n.append(
            f"{name}: {_n(s.total('parent_not_listed'), 'user')} whose parent in the path is "
            "not listed as a participant (kept; they head detached fragments)"
        )
    if s.total("cycles_broken") or s.total("detached"):
        n.append(
            f"{name}: {_n(s.total('cycles_broken') + s.total('detached'), 'cycle')} among "
            "users' paths broken (by another of the user's paths, else by leaving the "
            "user without a parent)"
        )
    if s.repeated_cascades:
        n.append(
            f"{name}: {_n(s.repeated_cascades, 'cascade line')} repeat an earlier cascade id "
            "(the first is kept)"
        )
    return n


@register(FORMAT, recognise=_recognise)
def read_deephawkes(path: Path, ctx: SourceContext) -> Rows:
    """DeepHawkes/CasCN cascade lines (TAB: id, root user, time, n, user paths:seconds) -> posts.

    Parameters
    ----------
    path : Path
        A file of cascade lines (e.g. the DeepHawkes ``dataset_weibo.txt``).
    ctx : SourceContext
        ``platform`` overrides ``weibo``.

    Returns
    -------
    Rows
        See :func:`read_cascades`.

    Raises
    ------
    FormatError
        See :func:`read_cascades`.
    """
    return read_cascades(path, ctx)[0]
