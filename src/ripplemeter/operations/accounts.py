"""The accounts registry: the accounts a team runs or watches, across platforms.

Each account has a role (owned, partner, competitor, media, kol), the team members who run
it (its owners), the time zone it posts in, and a *reference* to where its credentials live:
``env:NAME`` (an environment variable) or ``file:PATH`` (a credentials file outside the
workspace's folder). The secret itself never enters the workspace, a log, an error message
or a report: a value that looks like a token is refused without being repeated.

The registry lives in the canonical ``accounts`` table (columns ``owners``, ``timezone``,
``credentials_ref`` added for it); the table keeps every version written, and the registry
is the latest registered row of each account. Imports use the ``accounts`` format
(:func:`ripplemeter.formats.simple.read_accounts`), checked further here, in one
transaction: a bad row writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ripplemeter.operations import AccountError
from ripplemeter.operations.standards import ACCOUNT_ROLES

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ripplemeter.operations.team import Team
    from ripplemeter.workspace import ImportResult, Workspace

__all__ = [
    "ACCOUNT_ROLES",
    "Account",
    "add_account",
    "check_credentials_ref",
    "get_account",
    "import_accounts",
    "list_accounts",
    "looks_like_secret",
]

#: Format name written to the import log for accounts added one by one.
ADD_FORMAT = "accounts-add"

_ENV = re.compile(r"^env:([A-Za-z_][A-Za-z0-9_]{0,127})$")
_KNOWN_TOKEN = re.compile(
    r"(?:gh[pousr]_|github_pat_|xox[abposr]-|sk-|sk_live_|rk_live_|AKIA|ASIA|AIza|EAA[A-Za-z0-9]|"
    r"ya29\.|glpat-|eyJ[A-Za-z0-9_-]{8,}\.)"
    r"|(?<![A-Za-z0-9])[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}(?![A-Za-z0-9])"
)
_PIECES = re.compile(r"[^A-Za-z0-9]+")
_B64_RUN = re.compile(r"[A-Za-z0-9_\-]{20,}")


def _entropy(s: str) -> float:
    n = len(s)
    return -sum(c / n * math.log2(c / n) for c in Counter(s).values())


def looks_like_secret(value: str) -> bool:
    """True when a value looks like a token or password rather than a reference to one.

    Parameters
    ----------
    value : str

    Returns
    -------
    bool
        True for a known token prefix (GitHub ``ghp_``, Slack ``xoxb-``, OpenAI/Stripe
        ``sk-``, AWS ``AKIA``, Google ``AIza``/``ya29.``, Meta ``EAA``, a JWT ``eyJ...``, a
        Bluesky app password ``xxxx-xxxx-xxxx-xxxx``), or for a piece of 16 or more letters
        and digits (between other characters) in which letters and digits alternate at
        least three times, with a Shannon entropy of at least 3 bits per character: random
        tokens (hex, base62) hold such a piece, while
        names (``MASTODON_TOKEN_KR2``, ``ripple-kr-2026.json``, ``RIPPLECOFFEE2026``) do
        not; or for a run of 20 or more base64url characters mixing upper case, lower case
        and digits whose kind of character changes at 30% of positions or more (random
        base64; a CamelCase name changes once a word).

    Error messages of this module never repeat a credentials value, whatever it looks like.

    Notes
    -----
    In the manner of secret scanners' high-entropy-string checks (detect-secrets'
    ``Base64HighEntropyString``, limit 4.5 bits on whole base64 strings; ours looks at
    shorter pieces, so its limit is lower; a false alarm only asks for ``env:`` or
    ``file:`` with a plainer name).
    """
    if _KNOWN_TOKEN.search(value):
        return True
    for piece in _PIECES.split(value):
        if (
            len(piece) >= 16
            and re.search(r"[A-Za-z]", piece)
            and re.search(r"\d", piece)
            and _entropy(piece) >= 3.0
            and len(re.findall(r"[A-Za-z](?=\d)|\d(?=[A-Za-z])", piece)) >= 3
        ):
            return True
    for run in _B64_RUN.findall(value):
        # base64url tokens mix upper case, lower case and digits at random: the kind of
        # character changes at about two positions in three; a CamelCase file name changes
        # once a word (RippleCoffeeKorea2026: 5 changes in 21)
        kinds = [
            "u" if c.isupper() else "l" if c.islower() else "d" if c.isdigit() else "s" for c in run
        ]
        changes = sum(a != b for a, b in zip(kinds, kinds[1:], strict=False))
        if {"u", "l", "d"} <= set(kinds) and changes / len(run) >= 0.3:
            return True
    return False


def check_credentials_ref(value: str | None, *, workspace_dir: Path | None = None) -> str | None:
    """Validate a credentials reference: ``env:NAME`` or ``file:PATH``, never a secret.

    Parameters
    ----------
    value : str or None
        The reference; None or "" means the account has none.
    workspace_dir : Path, optional
        The workspace's folder: a credentials file inside it is refused (secrets stay out of
        the project the workspace belongs to).

    Returns
    -------
    str or None
        The reference, stripped.

    Raises
    ------
    AccountError
        A value that looks like a secret (the message does not repeat it), or one that is
        neither ``env:NAME`` nor ``file:PATH``, or a file inside the workspace's folder.
    """
    if value is None or not str(value).strip():
        return None
    v = str(value).strip()
    if looks_like_secret(v):
        raise AccountError(
            f"credentials_ref: a value of {len(v)} characters that looks like a token or "
            "password (not shown). Never store the secret itself: put it in an environment "
            "variable and write env:NAME, or in a file outside the project and write file:PATH"
        )
    if v.startswith("env:"):
        if not _ENV.match(v):
            raise AccountError(
                "credentials_ref: after env: expected an environment variable name "
                "(letters, digits and _, such as env:MASTODON_TOKEN_RIPPLE)"
            )
        return v
    if v.startswith("file:"):
        p = v[5:].strip()
        if not p:
            raise AccountError("credentials_ref: after file: expected the path of a file")
        if workspace_dir is not None:
            full = Path(p).expanduser()
            if not full.is_absolute():
                full = Path.cwd() / full
            try:
                full.resolve().relative_to(workspace_dir.resolve())
                inside = True
            except ValueError:
                inside = False
            if inside:  # the path is not repeated: a mistyped secret may hide in it
                raise AccountError(
                    f"credentials_ref: the file named is inside the workspace's folder "
                    f"({workspace_dir}); keep credentials files outside the project, e.g. "
                    "file:~/.config/ripplemeter/ACCOUNT.json"
                )
        return v
    raise AccountError(
        f"credentials_ref: expected env:NAME or file:PATH, found a value of {len(v)} "
        "characters (not shown, in case it is a secret)"
    )


def check_timezone(value: str | None) -> str | None:
    """An IANA time zone name, or None; AccountError for an unknown one."""
    if value is None or not str(value).strip():
        return None
    v = str(value).strip()
    try:
        ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError):
        raise AccountError(
            f"timezone: unknown time zone {v!r}; expected an IANA name such as Asia/Seoul, "
            "Asia/Shanghai or America/New_York"
        ) from None
    return v


def check_role(value: str | None) -> str:
    """One of :data:`ACCOUNT_ROLES`; AccountError otherwise."""
    v = (value or "").strip().lower()
    if v not in ACCOUNT_ROLES:
        found = f", found {value!r}" if value else ""
        raise AccountError(f"role: expected one of {', '.join(ACCOUNT_ROLES)}{found}")
    return v


def check_owners(value: str | Iterable[str] | None, team: Team | None = None) -> str | None:
    """Owners as stored: member ids, comma-separated, no spaces; None when empty.

    Raises
    ------
    AccountError
        With a team: an owner who is not a member.
    """
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else list(value)
    ids = [str(x).strip() for x in items if str(x).strip()]
    if team is not None:
        for u in ids:
            if u not in team.members:
                raise AccountError(
                    f"owners: {u!r} is not a member of the team ({team.file_name}: "
                    f"{', '.join(team.members)})"
                )
    return ",".join(dict.fromkeys(ids)) or None


@dataclass(frozen=True)
class Account:
    """One registered account.

    Attributes
    ----------
    account_id : str
        ``platform:native_id``.
    platform, handle, name : str
    role : str
        owned, partner, competitor, media or kol.
    owners : tuple of str
        Team member ids.
    timezone : str or None
        IANA zone.
    credentials_ref : str or None
        ``env:NAME`` or ``file:PATH``.
    """

    account_id: str
    platform: str
    role: str
    handle: str | None = None
    name: str | None = None
    owners: tuple[str, ...] = ()
    timezone: str | None = None
    credentials_ref: str | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["owners"] = list(self.owners)
        return d


_REGISTRY_SQL = """
SELECT * EXCLUDE (rn) FROM (
    SELECT a.*, row_number() OVER (
        PARTITION BY account_id ORDER BY import_id DESC, source_row DESC NULLS LAST
    ) AS rn
    FROM accounts a
    WHERE role IN ('owned', 'partner', 'competitor', 'media', 'kol')
) WHERE rn = 1 ORDER BY platform, account_id
"""


def list_accounts(ws: Workspace, role: str | None = None) -> pd.DataFrame:
    """The registry: the latest registered row of each account.

    Parameters
    ----------
    ws : Workspace
    role : str, optional
        Only accounts with this role.

    Returns
    -------
    DataFrame
        One row per account (columns of the ``accounts`` table plus ``import_id`` and
        ``source_row``), ordered by platform and id. Rows with no registry role (public
        authors written by other imports) are not listed.
    """
    df = ws.con.execute(_REGISTRY_SQL).df()
    if role is not None:
        df = df[df["role"] == check_role(role)].reset_index(drop=True)
    return df


def _account(row: dict) -> Account:
    def s(k):
        v = row.get(k)
        return None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)

    owners = tuple(x for x in (s("owners") or "").split(",") if x)
    return Account(
        row["account_id"],
        row["platform"],
        row["role"],
        s("handle"),
        s("name"),
        owners,
        s("timezone"),
        s("credentials_ref"),
    )


def get_account(ws: Workspace, account_id: str) -> Account | None:
    """The registered account with this id, or None."""
    df = list_accounts(ws)
    hit = df[df["account_id"] == account_id]
    return None if hit.empty else _account(hit.iloc[0].to_dict())


def _namespaced(account_id: str, platform: str | None) -> tuple[str, str]:
    account_id = account_id.strip()
    if not account_id:
        raise AccountError("account_id: expected an account id such as mastodon:109876")
    if platform:
        platform = platform.strip().lower()
        if account_id.startswith(platform + ":"):
            return account_id, platform
        if ":" in account_id:
            raise AccountError(
                f"account_id {account_id!r} names platform {account_id.split(':', 1)[0]!r}, "
                f"but the platform given is {platform!r}"
            )
        return f"{platform}:{account_id}", platform
    if ":" not in account_id or account_id.startswith(":") or account_id.endswith(":"):
        raise AccountError(
            f"account_id: expected platform:id (such as mastodon:109876) or a platform, "
            f"found {account_id!r}"
        )
    return account_id, account_id.split(":", 1)[0].lower()


def add_account(
    ws: Workspace,
    account_id: str,
    *,
    role: str,
    platform: str | None = None,
    handle: str | None = None,
    name: str | None = None,
    owners: Sequence[str] | str | None = None,
    timezone: str | None = None,
    credentials_ref: str | None = None,
    team: Team | None = None,
    user: str | None = None,
) -> Account:
    """Register an account (or a new version of it) in one transaction.

    Parameters
    ----------
    ws : Workspace
    account_id : str
        ``platform:native_id``, or the native id with ``platform``.
    role : str
        owned, partner, competitor, media or kol.
    platform, handle, name : str, optional
    owners : sequence of str or str, optional
        Member ids (checked against ``team`` when given).
    timezone : str, optional
        IANA zone.
    credentials_ref : str, optional
        ``env:NAME`` or ``file:PATH`` (see :func:`check_credentials_ref`).
    team : Team, optional
        With ``user``: the user must be allowed ``accounts.edit``; owners must be members.
    user : str, optional
        The acting member.

    Returns
    -------
    Account
        As registered. Registering the same values again writes nothing.

    Raises
    ------
    AccountError
        Bad id, role, time zone, owners or credentials reference (the secret is never
        repeated).
    NotAllowed
        ``user`` may not edit accounts.
    """
    import pandas as pd

    if team is not None and user is not None:
        team.require(user, "accounts.edit")
    aid, plat = _namespaced(account_id, platform)
    acc = Account(
        aid,
        plat,
        check_role(role),
        handle.strip().lstrip("@") if handle else None,
        name.strip() if name else None,
        tuple((check_owners(owners, team) or "").split(",")) if owners else (),
        check_timezone(timezone),
        check_credentials_ref(credentials_ref, workspace_dir=_ws_dir(ws)),
    )
    acc = Account(**{**asdict(acc), "owners": tuple(o for o in acc.owners if o)})
    if get_account(ws, aid) == acc:
        return acc
    row = {**acc.to_dict(), "owners": ",".join(acc.owners) or None}
    df = pd.DataFrame([row])
    _write(ws, df, f"(ripplemeter accounts add {aid})", ADD_FORMAT, json.dumps(row, sort_keys=True))
    return acc


def _ws_dir(ws: Workspace) -> Path | None:
    return ws.path.resolve().parent if ws.path is not None else None


def _write(ws: Workspace, df, path_label: str, fmt: str, content: str) -> int:
    """Insert rows into ``accounts`` and log the import, in one transaction."""
    import pandas as pd

    con = ws.con
    started = pd.Timestamp.now(tz="UTC").tz_localize(None)
    with ws.transaction():
        ((next_id,),) = con.execute(
            "SELECT coalesce(max(import_id), 0) + 1 FROM imports"
        ).fetchall()
        n = ws.insert_rows("accounts", df, int(next_id))
        con.execute(
            "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ok')",
            [
                int(next_id),
                path_label,
                hashlib.sha256(content.encode()).hexdigest(),
                fmt,
                "",
                n,
                json.dumps({"accounts": n}),
                "[]",
                None,
                started.to_pydatetime(),
                pd.Timestamp.now(tz="UTC").tz_localize(None).to_pydatetime(),
            ],
        )
    return int(next_id)


def import_accounts(
    ws: Workspace,
    path: str | Path,
    *,
    platform: str | None = None,
    team: Team | None = None,
    user: str | None = None,
) -> ImportResult:
    """Import a CSV/XLSX of accounts into the registry, in one transaction.

    Parameters
    ----------
    ws : Workspace
    path : str or Path
        The ``accounts`` format (:func:`ripplemeter.formats.simple.read_accounts`) with the
        registry's columns: ``account_id``, ``platform``, ``role`` (required here), and
        optional ``handle``, ``name``, ``owners`` (member ids separated by commas),
        ``timezone``, ``credentials_ref``.
    platform : str, optional
        Platform of ids written without one.
    team : Team, optional
        Owners must be members; with ``user``, the user must be allowed ``accounts.edit``.
    user : str, optional

    Returns
    -------
    ImportResult
        ``skipped`` when the same file was imported before (nothing changes).

    Raises
    ------
    FormatError
        A bad row, naming the file, the row (as a spreadsheet numbers it) and the column;
        nothing was written. A credentials value that looks like a secret is not repeated.
    NotAllowed
        ``user`` may not edit accounts.
    """
    import pandas as pd

    from ripplemeter.errors import FormatError
    from ripplemeter.formats import SourceContext, get_format
    from ripplemeter.workspace import file_sha256

    if team is not None and user is not None:
        team.require(user, "accounts.edit")
    path = Path(path)
    ctx = SourceContext(platform=platform)
    existing = ws.find_import(path, "accounts", ctx)
    if existing is not None:
        return existing
    rows = get_format("accounts").reader(path, ctx)
    df = rows.tables["accounts"]
    if "role" not in df.columns:
        raise FormatError(
            path,
            column="role",
            message=f"missing column; expected one of {', '.join(ACCOUNT_ROLES)} on every row",
        )
    wdir = _ws_dir(ws)
    checks = {
        "role": check_role,
        "owners": lambda v: check_owners(v, team),
        "timezone": check_timezone,
        "credentials_ref": lambda v: check_credentials_ref(v, workspace_dir=wdir),
    }
    for col, check in checks.items():
        if col not in df.columns:
            continue
        out = []
        for k, v in enumerate(df[col].tolist()):
            v = None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v
            try:
                out.append(check(v))
            except AccountError as exc:
                detail = str(exc).split(": ", 1)[1] if ": " in str(exc) else str(exc)
                raise FormatError(
                    path, row=int(df["source_row"].iloc[k]), column=col, message=detail
                ) from None
        df[col] = pd.Series(out, dtype=object)

    started = pd.Timestamp.now(tz="UTC").tz_localize(None)
    res: ImportResult = ws._store(path, "accounts", file_sha256(path), ctx.key(), rows, started)
    return res
