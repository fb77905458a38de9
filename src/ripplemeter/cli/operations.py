"""``ripplemeter accounts ...`` and ``ripplemeter standards ...``: the operations commands.

* ``accounts list|add|import`` - the accounts registry (:mod:`ripplemeter.operations.accounts`);
* ``standards lint`` - a draft checked against standards.toml (:mod:`ripplemeter.operations.lint`);
* ``standards brochure`` - the standard as an HTML (and PDF) document to share.

When a team file is present (``team.toml`` in the current folder, or ``--team``), changing
the registry needs a member allowed ``accounts.edit``, named by ``--as`` or
``RIPPLEMETER_USER``.

``standards lint`` exits 0 when the draft has no error (warnings alone do not fail it, as
in ESLint), 1 when it has at least one error-severity finding, 2 for bad input (a missing or
invalid standards file, an unknown option value).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ripplemeter.cli import RippleGroup, app, console, friendly, note

DEFAULT_WORKSPACE = Path("ripplemeter.duckdb")
DEFAULT_STANDARDS = Path("standards.toml")
DEFAULT_TEAM = Path("team.toml")

accounts_app = type(app)(
    cls=RippleGroup,
    no_args_is_help=True,
    help="The accounts registry: list, add and import accounts (role, owners, time zone, "
    "credentials reference).",
)
standards_app = type(app)(
    cls=RippleGroup,
    no_args_is_help=True,
    help="Execution standards: lint a draft against standards.toml, render the brochure.",
)
app.add_typer(accounts_app, name="accounts")
app.add_typer(standards_app, name="standards")

WorkspaceOpt = Annotated[
    Path,
    typer.Option(
        help="DuckDB workspace file; by default ripplemeter.duckdb in the current folder."
    ),
]
TeamOpt = Annotated[
    Path | None,
    typer.Option(
        "--team",
        help="team.toml; by default team.toml in the current folder when there is one.",
    ),
]
AsOpt = Annotated[
    str | None,
    typer.Option("--as", help="Acting team member id (default: $RIPPLEMETER_USER)."),
]


def _team_and_user(team_path: Path | None, as_user: str | None):
    """The team and acting member id, or (None, None) when there is no team file."""
    from ripplemeter.operations.team import acting_user, load_team

    path = team_path if team_path is not None else DEFAULT_TEAM
    if team_path is None and not path.is_file():
        note("no team.toml here: roles are not checked (pass --team to name one)")
        return None, None
    team = load_team(path)
    return team, acting_user(team, as_user).id


# ---------------------------------------------------------------------------- accounts
@accounts_app.command("list")
@friendly
def accounts_list(
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    role: Annotated[
        str | None, typer.Option(help="Only this role (owned, partner, competitor, media, kol).")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="JSON to stdout.")] = False,
) -> None:
    """List the registered accounts (the latest version of each)."""
    import json

    from rich.table import Table
    from rich.text import Text

    from ripplemeter.operations import AccountError
    from ripplemeter.operations.accounts import _account, list_accounts
    from ripplemeter.workspace import Workspace

    if not workspace.is_file():
        raise AccountError(
            f"{workspace}: no workspace yet; add accounts with `ripplemeter accounts add` or "
            "`ripplemeter accounts import`"
        )
    with Workspace(workspace, read_only=True) as ws:
        accounts = [_account(r) for r in list_accounts(ws, role).to_dict("records")]
    if json_out:
        print(json.dumps([a.to_dict() for a in accounts], ensure_ascii=False, indent=2))
        return
    if not accounts:
        note("no accounts registered" + (f" with role {role}" if role else ""))
        return
    table = Table()
    for col in ("account", "role", "handle", "name", "owners", "time zone", "credentials"):
        table.add_column(col, overflow="fold")
    for a in accounts:
        cells = (
            a.account_id,
            a.role,
            a.handle or "",
            a.name or "",
            ", ".join(a.owners),
            a.timezone or "",
            a.credentials_ref or "",
        )
        table.add_row(*(Text(c) for c in cells))  # names are untrusted: never markup
    console.print(table)


@accounts_app.command("add")
@friendly
def accounts_add(
    account_id: Annotated[
        str, typer.Argument(help="platform:id (mastodon:109876), or the id with --platform.")
    ],
    role: Annotated[str, typer.Option(help="owned, partner, competitor, media or kol.")],
    platform: Annotated[str | None, typer.Option(help="Platform of an id without one.")] = None,
    handle: Annotated[
        str | None, typer.Option(help="Screen name (a leading @ is dropped).")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    owner: Annotated[
        list[str] | None, typer.Option(help="Team member who runs it (repeatable).")
    ] = None,
    timezone: Annotated[str | None, typer.Option(help="IANA time zone (Asia/Seoul).")] = None,
    credentials_ref: Annotated[
        str | None,
        typer.Option(
            "--credentials-ref",
            help="env:NAME or file:PATH where the credentials live; never the secret itself.",
        ),
    ] = None,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    team: TeamOpt = None,
    as_user: AsOpt = None,
) -> None:
    """Register an account, or a new version of it (same values again: nothing changes)."""
    from ripplemeter.operations.accounts import add_account
    from ripplemeter.workspace import Workspace, remove_if_empty

    t, user = _team_and_user(team, as_user)
    if workspace.is_dir():
        from ripplemeter.operations import AccountError

        raise AccountError(f"--workspace {workspace}: is a folder; give a file")
    existed = workspace.exists()
    ws = Workspace(workspace)
    try:
        acc = add_account(
            ws,
            account_id,
            role=role,
            platform=platform,
            handle=handle,
            name=name,
            owners=owner,
            timezone=timezone,
            credentials_ref=credentials_ref,
            team=t,
            user=user,
        )
    except BaseException:
        ws.close()
        if not existed:
            remove_if_empty(workspace)  # a refused first account leaves no empty workspace
        raise
    ws.close()
    console.print(f"{acc.account_id}: registered as {acc.role}", markup=False, highlight=False)


@accounts_app.command("import")
@friendly
def accounts_import(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX: account_id, platform, role, ...")],
    platform: Annotated[str | None, typer.Option(help="Platform of ids without one.")] = None,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    team: TeamOpt = None,
    as_user: AsOpt = None,
) -> None:
    """Import a list of accounts in one transaction: a bad row writes nothing."""
    from ripplemeter.operations.accounts import import_accounts
    from ripplemeter.workspace import Workspace, remove_if_empty

    t, user = _team_and_user(team, as_user)
    existed = workspace.exists()
    try:
        with Workspace(workspace) as ws:
            res = import_accounts(ws, file, platform=platform, team=t, user=user)
    except BaseException:
        if not existed:
            remove_if_empty(workspace)
        raise
    if res.skipped:
        msg = f"{file.name}: already imported (import {res.import_id}); nothing changed"
    else:
        msg = (
            f"{file.name}: imported {res.rows.get('accounts', 0)} accounts (import {res.import_id})"
        )
    console.print(msg, markup=False, highlight=False)
    for n in res.notes:
        note(n)


# ---------------------------------------------------------------------------- standards
@standards_app.command("lint")
@friendly
def standards_lint(
    text: Annotated[str, typer.Argument(help="The draft ('-' reads it from stdin).")],
    account: Annotated[
        str | None, typer.Option(help="Account id whose rules apply (platform:id).")
    ] = None,
    standards: Annotated[
        Path, typer.Option(help="standards.toml; by default the one in the current folder.")
    ] = DEFAULT_STANDARDS,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    role: Annotated[
        str | None,
        typer.Option(help="The account's role when it is not in the registry (partner, kol...)."),
    ] = None,
    paid: Annotated[bool, typer.Option("--paid", help="The post will be paid.")] = False,
    paid_partnership: Annotated[
        bool,
        typer.Option("--paid-partnership", help="The post carries the platform's paid label."),
    ] = False,
    lang: Annotated[
        str | None, typer.Option(help="The draft's language (default: read from its script).")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Findings as JSON to stdout.")] = False,
) -> None:
    """Check a draft against the standard; exit 1 when it has an error, 0 when clean."""
    from rich.table import Table
    from rich.text import Text

    from ripplemeter.operations.accounts import check_role, get_account
    from ripplemeter.operations.lint import findings_json, lint
    from ripplemeter.operations.standards import load_standards

    draft = sys.stdin.read() if text == "-" else text
    std = load_standards(standards)
    if role is not None:
        role = check_role(role)
    elif account is not None and workspace.is_file():
        from ripplemeter.workspace import Workspace

        with Workspace(workspace, read_only=True) as ws:
            acc = get_account(ws, account)
        if acc is not None:
            role = acc.role
        else:
            note(
                f"{account} is not in the registry ({workspace}); pass --role to check its disclosure rule"
            )
    elif account is not None:
        note(
            f"no workspace ({workspace}): the account's role is unknown; pass --role to check its disclosure rule"
        )
    findings = lint(
        draft,
        account,
        std,
        role=role,
        paid=paid,
        paid_partnership=paid_partnership,
        lang=lang,
    )
    if json_out:
        print(findings_json(findings))
    elif not findings:
        console.print("No findings: the draft follows the standard.", markup=False, highlight=False)
    else:
        table = Table(show_lines=True, expand=True)
        table.add_column("rule", no_wrap=True, min_width=max(len(f.rule) for f in findings))
        ats = [f"{f.start}-{f.end}" if f.start is not None else "-" for f in findings]
        table.add_column("at", no_wrap=True, min_width=max(len(a) for a in ats))
        table.add_column("text", overflow="fold", ratio=2)
        table.add_column("why", overflow="fold", ratio=4)
        table.add_column("how to fix", overflow="fold", ratio=3)
        for f, at in zip(findings, ats, strict=True):
            rule = f.rule if f.severity == "error" else f"{f.rule}\n(warning)"
            table.add_row(*(Text(x) for x in (rule, at, f.text, f.why, f.fix)))
        console.print(table)
    if any(f.severity == "error" for f in findings):
        raise typer.Exit(1)


@standards_app.command("brochure")
@friendly
def standards_brochure(
    standards: Annotated[Path, typer.Argument(help="The standards.toml to render.")],
    out: Annotated[Path, typer.Option(help="Folder for brochure.html (and brochure.pdf).")] = Path(
        "brochure"
    ),
    pdf: Annotated[bool, typer.Option("--pdf", help="Also print brochure.pdf (Chromium).")] = False,
    team: TeamOpt = None,
) -> None:
    """Render the standard as a readable HTML document (and PDF) to share with the team."""
    from ripplemeter.operations.standards import load_standards
    from ripplemeter.operations.team import find_team, load_team
    from ripplemeter.report.brochure import write_brochure

    std = load_standards(standards)
    team_path = team if team is not None else find_team(standards)
    t = load_team(team_path) if (team is not None or team_path.is_file()) else None
    paths = write_brochure(std, out, t, pdf=pdf)
    console.print(f"Brochure written to {paths.html}", markup=False, highlight=False)
    if paths.pdf is not None:
        console.print(f"PDF written to {paths.pdf}", markup=False, highlight=False)
