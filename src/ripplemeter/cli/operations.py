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
    help="The accounts your team runs or watches: add, import and list them (role, owners, time "
    "zone, where the credentials are kept).\n\n"
    "Example: ripplemeter accounts add mastodon:109876 --role owned --timezone Asia/Seoul "
    "--credentials-ref env:MASTODON_TOKEN --as mina",
)
standards_app = type(app)(
    cls=RippleGroup,
    no_args_is_help=True,
    help="The brand's written standard (standards.toml): check a draft against it, share it "
    "as a brochure.\n\n"
    'Example: ripplemeter standards lint "Guaranteed to cure your Monday blues!"',
)
app.add_typer(accounts_app, name="accounts")
app.add_typer(standards_app, name="standards")

WorkspaceOpt = Annotated[
    Path,
    typer.Option(
        help="The project's data file; by default ripplemeter.duckdb in the current folder."
    ),
]
TeamOpt = Annotated[
    Path | None,
    typer.Option(
        "--team",
        help="The team's team.toml; by default the one in the current folder, when there is one.",
    ),
]
AsOpt = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="Who is acting: your name in team.toml, e.g. --as mina (default: $RIPPLEMETER_USER).",
    ),
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
        str | None,
        typer.Option(help="Only this role: owned, partner, competitor, media or kol."),
    ] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print JSON (for scripts) instead of a table.")
    ] = False,
) -> None:
    """List the registered accounts (the latest details of each).

    Example: ripplemeter accounts list --role partner
    """
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
        str,
        typer.Argument(
            metavar="ACCOUNT",
            help="The platform and the account's number or name on it: mastodon:109876, "
            "instagram:ripplecoffee.kr (or only what follows the colon, with --platform).",
        ),
    ],
    role: Annotated[
        str,
        typer.Option(help="owned (yours), partner, competitor, media or kol (an influencer)."),
    ],
    platform: Annotated[
        str | None, typer.Option(help="The platform, when ACCOUNT does not start with it.")
    ] = None,
    handle: Annotated[
        str | None,
        typer.Option(help="Screen name, e.g. ripple@mastodon.social (a leading @ is dropped)."),
    ] = None,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    owner: Annotated[
        list[str] | None,
        typer.Option(help="Who runs it: a name in team.toml, e.g. tom (repeatable)."),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            help="The account's time zone, e.g. Asia/Seoul (its posts are planned in it)."
        ),
    ] = None,
    credentials_ref: Annotated[
        str | None,
        typer.Option(
            "--credentials-ref",
            help="Where its token or password is kept: env:NAME (an environment variable) or "
            "file:PATH; never the secret itself.",
        ),
    ] = None,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    team: TeamOpt = None,
    as_user: AsOpt = None,
) -> None:
    """Register an account, or change its details (the same values again change nothing).

    Example: ripplemeter accounts add mastodon:109876 --role owned --owner tom --timezone Asia/Seoul --credentials-ref env:MASTODON_TOKEN --as mina
    """
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
    file: Annotated[
        Path,
        typer.Argument(
            help="A CSV or Excel file with the columns account_id, platform, role (required), "
            "handle, name, owners, timezone, credentials_ref."
        ),
    ],
    platform: Annotated[
        str | None,
        typer.Option(help="The platform of rows whose account_id does not start with one."),
    ] = None,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    team: TeamOpt = None,
    as_user: AsOpt = None,
) -> None:
    """Import a list of accounts, all or nothing: a bad row writes nothing.

    Example: ripplemeter accounts import accounts.csv --as mina
    """
    from ripplemeter.operations.accounts import import_accounts
    from ripplemeter.workspace import Workspace, remove_if_empty

    t, user = _team_and_user(team, as_user)
    existed = workspace.exists()
    try:
        with Workspace(workspace) as ws:
            res = import_accounts(ws, file, platform=platform, team=t, user=user)
            first = ws.con.execute(
                "SELECT started_at, path FROM imports WHERE import_id = ?", [res.import_id]
            ).fetchone()
    except BaseException:
        if not existed:
            remove_if_empty(workspace)
        raise
    if res.skipped:
        # when and from which file (a copy may have another name), not the import log's number
        at, before = first
        before = Path(before)
        source = before.name if before.parent == file.resolve().parent else str(before)
        msg = f"{file.name}: already imported on {at:%Y-%m-%d} from {source}; nothing changed"
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
        str | None,
        typer.Option(
            help="The account the draft is for (its own rules apply), e.g. mastodon:109876."
        ),
    ] = None,
    standards: Annotated[
        Path,
        typer.Option(help="The brand's standards.toml; by default the one in the current folder."),
    ] = DEFAULT_STANDARDS,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    role: Annotated[
        str | None,
        typer.Option(
            help="The account's role when it is not registered: partner or kol (their posts "
            "must be disclosed), owned, media or competitor."
        ),
    ] = None,
    paid: Annotated[
        bool, typer.Option("--paid", help="The post will be paid (it must be disclosed).")
    ] = False,
    paid_partnership: Annotated[
        bool,
        typer.Option(
            "--paid-partnership", help="The post carries the platform's paid-partnership label."
        ),
    ] = False,
    lang: Annotated[
        str | None,
        typer.Option(help="The draft's language: en, ko or zh (default: told from its script)."),
    ] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print the findings as JSON (for scripts).")
    ] = False,
) -> None:
    """Check a draft against the standard; exit 1 when it has an error, 0 when clean.

    Example: ripplemeter standards lint "국내최고의 커피! 가을 블렌드 출시" --account instagram:ripplecoffee.kr --role partner
    """
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
    out: Annotated[
        Path, typer.Option(help="Folder to write brochure.html (and brochure.pdf) into.")
    ] = Path("brochure"),
    pdf: Annotated[
        bool,
        typer.Option("--pdf", help="Also print brochure.pdf (needs Chromium and Playwright)."),
    ] = False,
    team: Annotated[
        Path | None,
        typer.Option(
            "--team",
            help="The team's team.toml, shown in the brochure; by default the one beside "
            "standards.toml, when there is one.",
        ),
    ] = None,
) -> None:
    """Render the standard as a readable HTML document (and PDF) to share with the team.

    Example: ripplemeter standards brochure standards.toml --out share --pdf
    """
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
