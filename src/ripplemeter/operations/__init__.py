"""Operations: the accounts a team runs, its written standard and who may do what.

Modules
-------
:mod:`~ripplemeter.operations.accounts`
    The accounts registry (role, owners, time zone, where the credentials live).
:mod:`~ripplemeter.operations.team`
    ``team.toml``: members, roles, named groups; :meth:`Team.require` checks a permission.
:mod:`~ripplemeter.operations.standards`
    ``standards.toml``: the brand's execution standard with per-account overrides.
:mod:`~ripplemeter.operations.lint`
    Checks a draft against the standard and explains each finding.
:mod:`~ripplemeter.operations.business_hours`
    Business-hours durations in the team's time zone, holidays excluded.

The error classes live here so that every module (and the CLI) can name them without
importing the others. Importing this package loads no heavy library.
"""

from __future__ import annotations

from pathlib import Path

from ripplemeter.errors import RippleError
from ripplemeter.formatting import shorten  # operations.shorten, as the commands import it

__all__ = [
    "AccountError",
    "NotAllowed",
    "OperationsError",
    "StandardsError",
    "TeamError",
    "shorten",
]


class OperationsError(RippleError):
    """Base class of the operations errors."""


class AccountError(OperationsError):
    """An account that cannot be registered (bad role, time zone, credentials reference...)."""


class TeamError(OperationsError):
    """team.toml is malformed, or the acting user is not a member of the team.

    Parameters
    ----------
    path : str or Path or None
        The team file.
    message : str
        What is wrong, in plain words.
    key : str, optional
        Dotted key such as ``members[2].roles``.
    line : int, optional
        1-based line in the file.
    """

    def __init__(
        self,
        path: str | Path | None,
        message: str,
        *,
        key: str | None = None,
        line: int | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.key = key
        self.line = line
        super().__init__(_located(path, line, key, message))


class NotAllowed(OperationsError):
    """The acting user's roles do not allow an action; the message names the rule.

    Attributes
    ----------
    user : str
        The member id.
    action : str
        The action refused (``post.approve``, ``accounts.add``...).
    rule : str
        The rule that refused it, in words.
    """

    def __init__(self, user: str, action: str, rule: str, message: str) -> None:
        self.user = user
        self.action = action
        self.rule = rule
        super().__init__(message)


class StandardsError(OperationsError):
    """standards.toml is malformed: the message names the file, the line and the key.

    Parameters
    ----------
    path : str or Path or None
        The standards file.
    message : str
        What is wrong and what was expected.
    key : str, optional
        Dotted key such as ``accounts."x:rippleco".limits.hashtags``.
    line : int, optional
        1-based line in the file.
    """

    def __init__(
        self,
        path: str | Path | None,
        message: str,
        *,
        key: str | None = None,
        line: int | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.key = key
        self.line = line
        super().__init__(_located(path, line, key, message))


def _located(path: str | Path | None, line: int | None, key: str | None, message: str) -> str:
    parts = []
    if path is not None:
        parts.append(Path(path).name)
    if line is not None:
        parts.append(f"line {line}")
    if key is not None:
        parts.append(f"key '{key}'")
    where = ", ".join(parts)
    return f"{where}: {message}" if where else message


# ------------------------------------------------------------------ TOML files, with positions
# team.toml and standards.toml are read the same way: tomllib for the values, a small line
# scanner for where each key was written (tomllib keeps no positions), and campaign.py's
# plain messages for pydantic errors.

_KEY_PART = r'(?:"(?:[^"\\]|\\.)*"|\'[^\']*\'|[A-Za-z0-9_-]+)'


def _split_key(text: str) -> list[str] | None:
    """``a."x:1".b`` -> ``["a", "x:1", "b"]``; None when it is not a dotted TOML key."""
    import re

    parts = re.findall(rf"\s*({_KEY_PART})\s*(?:\.|$)", text)
    if not parts or ".".join(p.strip() for p in parts).replace(" ", "") == "":
        return None
    rebuilt = re.sub(r"\s+", "", text)
    if rebuilt != ".".join(parts):
        return None
    return [p[1:-1] if p[0] in "\"'" else p for p in parts]


def key_lines(text: str) -> dict[tuple, int]:
    """Where each key of a TOML text is written: key path -> 1-based line.

    Paths are tuples as pydantic reports locations: table names, keys, and 0-based indices
    for arrays of tables (``("members", 1, "roles")``). Inline tables and multi-line arrays
    are located by the line of their key.
    """
    import re

    lines: dict[tuple, int] = {}
    counts: dict[tuple, int] = {}
    current: tuple = ()
    header = re.compile(r"^\s*(\[\[?)\s*(.+?)\s*\]\]?\s*(?:#.*)?$")
    assign = re.compile(rf"^\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=")
    in_multiline = 0
    for i, ln in enumerate(text.splitlines(), start=1):
        if in_multiline:
            in_multiline += ln.count("[") - ln.count("]")
            continue
        m = header.match(ln)
        if m and not assign.match(ln):
            parts = _split_key(m.group(2))
            if parts is None:
                continue
            base = tuple(parts)
            if m.group(1) == "[[":
                n = counts.get(base, 0)
                counts[base] = n + 1
                current = (*_resolve(base, counts), n)
            else:
                current = _resolve(base, counts)
            for k in range(1, len(current) + 1):  # [a.b.c] also writes a and a.b
                lines.setdefault(current[:k], i)
            continue
        a = assign.match(ln)
        if a:
            parts = _split_key(a.group(1))
            if parts is None:
                continue
            path = (*current, *parts)
            lines.setdefault(path, i)
            rest = ln[a.end() :]
            depth = rest.count("[") - rest.count("]")
            if rest.strip().startswith("[") and depth > 0:
                in_multiline = depth
    return lines


def _resolve(base: tuple, counts: dict[tuple, int]) -> tuple:
    """A header inside an array of tables refers to its latest entry: [[a]] then [a.b]."""
    out: tuple = ()
    for part in base:
        out = (*out, part)
        arr = tuple(x for x in out if not isinstance(x, int))
        if arr in counts and arr != base:
            out = (*out, counts[arr] - 1)
    return out


def line_of(text: str, loc: tuple) -> int | None:
    """1-based line of a pydantic location in a TOML text: its longest written prefix."""
    lines = key_lines(text)
    loc = tuple(loc)
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return None


def dotted(loc: tuple) -> str:
    """A location as a user writes it: ``accounts."x:1".limits.hashtags``, ``members[2].id``."""
    import re

    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            s = str(part)
            if not re.fullmatch(r"[A-Za-z0-9_-]+", s):
                s = '"' + s.replace('"', '\\"') + '"'
            out += ("." if out else "") + s
    return out


def read_toml(path: str | Path, error: type, what: str) -> tuple[dict, str]:
    """Read a TOML file; raise ``error(path, message, line=...)`` in plain words.

    Returns
    -------
    (data, text) : tuple of (dict, str)
    """
    import re
    import tomllib

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error(path, f"{what} not found") from None
    except IsADirectoryError:
        raise error(path, f"is a folder; give the {what} itself") from None
    except UnicodeDecodeError:
        raise error(path, "not UTF-8 text; save it as UTF-8") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise error(path, f"not valid TOML: {msg}", line=int(m.group(1)) if m else None) from None


def validate(model: type, data: dict, path: Path, text: str, error: type, **context):
    """``model.model_validate(data)``, a pydantic error turned into ``error`` with line and key."""
    from pydantic import ValidationError

    from ripplemeter.campaign import _message

    try:
        return model.model_validate(data, context=context or None)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc, msg = _message(err, model)
        loc = tuple(x for x in loc if not (isinstance(x, str) and x.startswith("function-")))
        raise error(path, msg, key=dotted(loc) or None, line=line_of(text, loc)) from None
