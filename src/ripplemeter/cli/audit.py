"""``ripplemeter audit``: the seven classic mistakes of one account over a period.

Thin layer over :func:`ripplemeter.operations.audit.audit_account`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ripplemeter.cli import app, console, friendly
from ripplemeter.cli.inbox import StandardsOpt, WorkspaceOpt, load_optional_standards, parse_day


@app.command("audit")
@friendly
def audit(
    account: Annotated[str, typer.Option("--account", "-a", help="The account id to audit.")],
    since: Annotated[str | None, typer.Option(help="From this day (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Before this day (YYYY-MM-DD).")] = None,
    workspace: WorkspaceOpt = Path("ripplemeter.duckdb"),
    standards: StandardsOpt = Path("standards.toml"),
    as_json: Annotated[bool, typer.Option("--json", help="JSON to stdout.")] = False,
) -> None:
    """Audit an account against the seven classic mistakes (scores, verdicts, findings)."""
    import json

    from ripplemeter.cli.inbox import _open
    from ripplemeter.operations.audit import audit_account

    std = load_optional_standards(standards)
    tz = std.file.business_hours.timezone if std and std.file.business_hours else None
    ws = _open(workspace)
    try:
        if tz is None:  # the days are the account's own when the team names no zone
            from ripplemeter.cli.inbox import _accounts_zone

            zone = _accounts_zone(ws, [account])
            tz = None if zone == "UTC" else zone
        res = audit_account(
            ws,
            account,
            since=parse_day(since, "--since", tz),
            until=parse_day(until, "--until", tz),
            standards=std,
            timezone=tz,
        )
    finally:
        ws.close()
    if as_json:
        print(json.dumps(res.to_dict(), ensure_ascii=False, indent=2, default=str))
        return
    import html

    from rich.markup import escape

    from ripplemeter.operations import shorten
    from ripplemeter.operations.audit import format_value

    console.print(f"Audit of {escape(res.account_id)} from {res.period_text()}", highlight=False)
    notes = []
    for m in res.mistakes:
        console.print(f"\n{m.number}. {m.name}: {m.verdict.upper()}", highlight=False)
        if m.rule:
            console.print(f"   Rule: {escape(m.rule)}", highlight=False)
        for ms in m.measures:
            state = {"off": "OFF", "ok": "fine"}.get(ms.state, ms.state)
            console.print(
                f"   - {ms.name} ({ms.metric}) = {format_value(ms.value, ms.unit)}: {state} "
                f"(limit {ms.limit}, {ms.threshold_from})",
                highlight=False,
            )
        if m.reason:
            console.print(f"   {escape(m.reason)}", highlight=False)
        for f in m.findings:
            text = shorten(html.unescape(f.text_html), 100)
            console.print(
                f"   - {escape(f.post_id)}: {escape(f.why)}: {escape(text)}", highlight=False
            )
            if f.url:
                console.print(f"     {escape(f.url)}", highlight=False)
        if m.verdict == "mistake":
            console.print(f"   What to do: {m.advice}", highlight=False)
        notes += m.notes
    if notes:
        console.print("\nOther findings (not among the seven mistakes):", highlight=False)
        for n in notes:
            console.print(f"   - {escape(n)}", highlight=False)
