"""``ripplemeter calendar publish --due | --watch``: send due posts to Mastodon and Bluesky.

Thin: each round calls :func:`ripplemeter.operations.publish.publish_due`, which publishes,
retries, reconciles and records; this module parses the options, loops for ``--watch`` and
prints the outcomes (a line each on stdout, or JSON with ``--json``; failures also as
warnings on stderr).
"""

from __future__ import annotations

import datetime as dt
import json
import signal
import time
from pathlib import Path
from typing import Annotated

import typer

from ripplemeter.cli import console, friendly, note, warn
from ripplemeter.cli.calendar import (
    DEFAULT_STANDARDS,
    DEFAULT_WORKSPACE,
    AsOpt,
    JsonOpt,
    StandardsOpt,
    TeamOpt,
    WorkspaceOpt,
    calendar_app,
)

__all__ = ["calendar_publish"]


def _servers(values: list[str] | None) -> dict[str, str]:
    from ripplemeter.operations import OperationsError

    out = {}
    for v in values or []:
        name, sep, url = v.partition("=")
        if not sep or not name.strip() or not url.strip().startswith(("http://", "https://")):
            raise OperationsError(
                f"--server {v!r}: expected ACCOUNT=URL or PLATFORM=URL, such as "
                "mastodon=https://mastodon.social or bluesky=https://bsky.social"
            )
        out[name.strip()] = url.strip()
    return out


def _now(value: str | None) -> dt.datetime:
    from ripplemeter.operations import OperationsError

    if value is None:
        return dt.datetime.now(dt.UTC)
    try:
        t = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise OperationsError(
            f"--now {value!r}: expected an ISO 8601 time with its offset, such as "
            "2026-12-07T09:01+09:00"
        ) from None
    if t.tzinfo is None:
        raise OperationsError(f"--now {value!r}: add the offset (+09:00, Z)")
    return t


def _show(outcomes, as_json: bool) -> int:
    failed = 0
    if as_json:
        console.print_json(json.dumps([o.to_dict() for o in outcomes], ensure_ascii=False))
    for o in outcomes:
        if o.status == "failed":
            failed += 1
            warn(f"{o.plan_id} on {o.account_id}: failed: {o.error}")
        elif o.status == "retry":
            note(
                f"{o.plan_id} on {o.account_id}: not sent yet, the next run tries again: {o.error}"
            )
        if as_json:
            continue
        if o.status == "published":
            how = " (found on the platform, not sent again)" if o.reconciled else ""
            line = f"{o.plan_id} {o.account_id}: published {o.platform_post_id} {o.url or ''}{how}"
        else:
            line = f"{o.plan_id} {o.account_id}: {o.status}: {o.error}"
        console.print(line, markup=False, highlight=False, emoji=False)
    return failed


def _nothing_due(upcoming) -> str:
    """The line ``--due`` prints when nothing was due: what falls due next, in its zone."""
    if upcoming is None:
        return "Nothing due now; no post is scheduled."
    local = upcoming.local_time()
    accounts = ", ".join(upcoming.pending_accounts or upcoming.accounts)
    return (
        f"Nothing due now; next: {upcoming.plan_id} on {accounts} at "
        f"{local:%Y-%m-%d %H:%M} {local.tzname()}"
    )


@calendar_app.command("publish")
@friendly
def calendar_publish(
    due: Annotated[
        bool, typer.Option("--due", help="Publish what is due now, once (for cron).")
    ] = False,
    watch: Annotated[
        bool, typer.Option("--watch", help="Keep publishing as posts fall due (Ctrl-C stops).")
    ] = False,
    interval: Annotated[
        float, typer.Option(metavar="SECONDS", help="--watch: seconds between rounds.", min=0)
    ] = 60.0,
    max_rounds: Annotated[
        int | None,
        typer.Option(
            "--max-rounds", metavar="N", help="--watch: stop after this many rounds.", min=1
        ),
    ] = None,
    server: Annotated[
        list[str] | None,
        typer.Option(
            "--server",
            help="The server of a platform or an account, e.g. mastodon=https://mastodon.social "
            "(repeatable; default: Mastodon's from a handle name@host, Bluesky "
            "https://bsky.social).",
        ),
    ] = None,
    visibility: Annotated[
        str, typer.Option(help="Mastodon visibility: public, unlisted, private or direct.")
    ] = "public",
    media_root: Annotated[
        Path | None,
        typer.Option(
            help="Folder that images given as file paths are read from (default: the project "
            "folder, where ripplemeter.duckdb is)."
        ),
    ] = None,
    now: Annotated[
        str | None,
        typer.Option(
            help="Publish as if it were this time, with its offset, e.g. 2026-12-07T09:01+09:00;"
            " for rehearsals against the test server."
        ),
    ] = None,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    standards: StandardsOpt = DEFAULT_STANDARDS,
    team: TeamOpt = None,
    as_user: AsOpt = None,
) -> None:
    """Publish scheduled posts whose time has come, once each, and record the outcome.

    Exit status 1 when a post failed (the platform's words say why); transient problems are
    retried in the run and, failing that, on the next run.

    Example: ripplemeter calendar publish --due --as tom
    (from cron every few minutes; or keep one running: --watch --interval 60)
    """
    from ripplemeter.cli.calendar import _Ctx
    from ripplemeter.errors import WorkspaceError
    from ripplemeter.operations import OperationsError
    from ripplemeter.operations.calendar import next_due
    from ripplemeter.operations.publish import Publishers, publish_due

    if due == watch:
        raise OperationsError(
            "calendar publish: give exactly one of --due (once) or --watch (loop)"
        )
    if visibility not in ("public", "unlisted", "private", "direct"):
        raise OperationsError(
            f"--visibility {visibility!r}: expected public, unlisted, private or direct"
        )
    servers = _servers(server)
    _now(now)  # check the option before anything runs
    project = workspace.resolve().parent
    stop = {"flag": False}

    def _stop(signum, frame) -> None:
        if stop["flag"]:
            raise KeyboardInterrupt
        stop["flag"] = True
        note("stopping after this round (again to stop at once)")

    old = {}
    if watch:
        for sig in (signal.SIGINT, signal.SIGTERM):
            old[sig] = signal.signal(sig, _stop)
        note(f"watching: a round every {interval:g} s; Ctrl-C or SIGTERM stops after the round")
    failed = 0
    rounds = 0
    try:
        with Publishers(servers=servers, project_dir=project) as pool:
            while True:
                rounds += 1
                upcoming = None
                try:
                    with _Ctx(workspace, standards, team, as_user) as ctx:
                        at = _now(now)
                        outcomes = publish_due(
                            ctx.ws,
                            now=at,
                            actor=ctx.user,
                            team=ctx.team,
                            publishers=pool,
                            media_root=media_root,
                            visibility=visibility,
                        )
                        if due and not outcomes and not as_json:
                            upcoming = next_due(ctx.ws, at)
                except WorkspaceError as exc:
                    if not watch:
                        raise
                    # another command holds the workspace for a moment: try next round
                    warn(f"round {rounds}: {exc}; trying again next round")
                    outcomes = []
                failed += _show(outcomes, as_json)
                if due and not outcomes and not as_json:
                    console.print(
                        _nothing_due(upcoming), markup=False, highlight=False, emoji=False
                    )
                if due or stop["flag"] or (max_rounds is not None and rounds >= max_rounds):
                    break
                end = time.monotonic() + interval
                while not stop["flag"] and time.monotonic() < end:
                    time.sleep(min(0.2, max(0.0, end - time.monotonic())))
                if stop["flag"]:
                    break
    except KeyboardInterrupt:
        note("stopped")
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
    if watch:
        note(f"stopped after {rounds} round(s)")
    if failed:
        raise typer.Exit(1)
