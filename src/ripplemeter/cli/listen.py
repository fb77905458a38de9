"""``ripplemeter listen collect|report|watch`` and ``ripplemeter alerts detect``.

Thin: each command parses its arguments, calls :mod:`ripplemeter.listen.project` (or
:func:`ripplemeter.listen.alerts.detect_csv`) and prints. Machine output (the alerts' JSON)
goes to stdout; progress, notes and failures to stderr.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Annotated

import typer

from ripplemeter.cli import (
    RippleCommand,
    RippleGroup,
    app,
    console,
    err_console,
    friendly,
    note,
    progress,
    warn,
)
from ripplemeter.errors import RippleError

listen_app = typer.Typer(
    cls=RippleGroup,
    no_args_is_help=True,
    help="Listening: collect mentions from open platforms, report on them, watch for alerts.",
)
alerts_app = typer.Typer(cls=RippleGroup, no_args_is_help=True, help="Alerts on any count series.")
app.add_typer(listen_app, name="listen")
app.add_typer(alerts_app, name="alerts")

_PROJECT = typer.Argument(help="The listen.toml file (or the folder that holds it).")


def _when(value: str | None, option: str) -> _dt.datetime | None:
    """A date (YYYY-MM-DD) or ISO 8601 time; UTC when it has no offset."""
    if value is None:
        return None
    try:
        t = _dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise RippleError(
            f"{option} {value!r}: expected a date such as 2026-03-01 or a time such as "
            "2026-03-01T09:00:00+08:00"
        ) from None
    return t


def _day(value: str | None, option: str) -> _dt.date | None:
    if value is None:
        return None
    try:
        return _dt.date.fromisoformat(value.strip())
    except ValueError:
        raise RippleError(f"{option} {value!r}: expected a date such as 2026-03-01") from None


def parse_every(value: str) -> float:
    """Seconds in a duration such as ``15m``, ``1h``, ``30s`` or ``90`` (seconds).

    Raises
    ------
    RippleError
        Not a positive duration.
    """
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", value or "")
    if not m or float(m.group(1)) <= 0:
        raise RippleError(f"--every {value!r}: expected a positive duration such as 15m, 1h or 30s")
    return float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


#: A table's rows when there is one of them (``1 account``, ``1 post``); the table's own
#: name when there are more (``17 accounts``, ``20 post_metrics``), as docs/listening.md shows.
_ONE_ROW = {"posts": "post", "accounts": "account", "post_metrics": "post_metrics row"}


def _count(n: int, one: str, many: str) -> str:
    """``1 page``, ``2 pages``: a count with its noun in the right number."""
    return f"{n:,} {one if n == 1 else many}"


def _summary(r) -> str:
    """One source's collect line: ``tag: 1 account, 2 posts (1 page)``.

    A source that failed says so: ``yt: failed, nothing collected (see the error below)``,
    or ``tag: 7 posts (1 page), then failed (see the error below)`` when pages were stored
    before the failure.

    Parameters
    ----------
    r : CollectResult
        ``source_id``, ``added`` (table -> rows), ``skipped`` (reason -> records),
        ``pages`` and ``error``.

    Returns
    -------
    str
    """
    added = ", ".join(
        _count(n, _ONE_ROW.get(t, f"{t} row"), t) for t, n in sorted(r.added.items()) if n
    )
    pages = f"({_count(r.pages, 'page', 'pages')})"
    if r.error and not added:
        line = f"{r.source_id}: failed, nothing collected (see the error below)"
    elif r.error:
        line = f"{r.source_id}: {added} {pages}, then failed (see the error below)"
    else:
        line = f"{r.source_id}: {added or 'nothing new'} {pages}"
    skipped = sum(r.skipped.values())
    why = ", ".join(f"{n} {k}" for k, n in sorted(r.skipped.items()))
    return line + (f"; {_count(skipped, 'record', 'records')} skipped: {why}" if skipped else "")


def _source_error(proj, r) -> str:
    """A failed source in one line: ``listen.toml, line 31, source 'yt': <what, what to do>``.

    Parameters
    ----------
    proj : ListenProject
        For the file name and the line of the source's ``[[sources]]`` table.
    r : CollectResult
        A failed source (``error`` set); its ``detail`` does not repeat the source's name.

    Returns
    -------
    str
    """
    where = proj.where_source(r.source_id) if proj is not None else f"source '{r.source_id}'"
    return f"{where}: {r.detail or r.error}"


@listen_app.command("collect", cls=RippleCommand)
@friendly
def collect(
    project: Annotated[Path, _PROJECT],
    since: Annotated[
        str | None,
        typer.Option(
            help="Leave out posts created before this date or time (UTC without an offset)."
        ),
    ] = None,
    workspace: Annotated[
        Path | None,
        typer.Option(help="DuckDB workspace; by default the one listen.toml names."),
    ] = None,
) -> None:
    """Collect mentions from every source of a listening project (resumable).

    A run that is stopped (Ctrl-C, a crash) resumes where it stopped; collecting twice adds
    nothing twice. A source that fails (a refused credential, an unreachable server) is
    reported and the others go on; the command then exits with status 2.
    """
    from ripplemeter.listen.project import collect_project, load_listen_project

    proj = load_listen_project(project)
    start = _when(since, "--since")
    from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

    done: dict[str, int] = {}
    try:
        with progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn()
        ) as bar:
            tasks = {s.id: bar.add_task(f"{s.id}: waiting", total=None) for s in proj.sources}

            def show(source_id: str, stream: str, pages: int, rows: int) -> None:
                done[source_id] = rows
                bar.update(
                    tasks[source_id],
                    description=f"{source_id}: {stream}, page {pages}, {rows} rows",
                )

            results = collect_project(proj, workspace, since=start, progress=show)
    except KeyboardInterrupt:
        # Ctrl-C: every page stored so far is committed with its checkpoint, so the next run
        # goes on from there (the same guarantee as a crash; tests/test_listen_resume.py)
        kept = sum(done.values())
        err_console.print(
            f"Stopped (Ctrl-C). {_count(kept, 'row', 'rows')} collected in this run "
            "are kept; run the same command again to go on from where it stopped.",
            markup=False,
            highlight=False,
        )
        raise typer.Exit(130) from None
    failed = [r for r in results if r.error]
    for r in results:
        console.print(_summary(r), markup=False, highlight=False)
    note(f"workspace used: {Path(workspace or proj.workspace).resolve()}")
    if failed:
        from rich.text import Text

        for r in failed:
            err_console.print(
                Text.assemble(("error:", "bold red"), " ", _source_error(proj, r)),
                highlight=False,
            )
        err_console.print(
            f"{len(failed)} of {_count(len(results), 'source', 'sources')} failed: "
            + ", ".join(r.source_id for r in failed),
            markup=False,
            highlight=False,
        )
        raise typer.Exit(2)


@listen_app.command("report", cls=RippleCommand)
@friendly
def report(
    project: Annotated[Path, _PROJECT],
    out: Annotated[
        Path, typer.Option(help="Output folder (created; files in it are replaced).")
    ] = Path("report"),
    workspace: Annotated[
        Path | None,
        typer.Option(help="DuckDB workspace; by default the one listen.toml names."),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            help="First local day (default: [project] start, else the day of the first "
            "post that mentions a topic)."
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(help="Last local day (default: the day of the latest post collected)."),
    ] = None,
    sentiment: Annotated[
        bool,
        typer.Option(
            "--sentiment/--no-sentiment",
            help="Annotate new texts (sentiment, language, spam) before the report.",
        ),
    ] = True,
) -> None:
    """Write report.html and metrics.json of a listening project into OUT."""
    from ripplemeter.listen.project import load_listen_project, run_listen_report
    from ripplemeter.pipeline import check_out_folder

    check_out_folder(out)
    proj = load_listen_project(project)
    first, last = _day(start, "--start"), _day(end, "--end")
    from ripplemeter.cli.report import _spinner

    with _spinner() as stage:
        result, paths = run_listen_report(
            proj, out, workspace, start=first, end=last, annotate=sentiment, progress=stage
        )
    for w in result.warnings:
        warn(w)
    note(f"workspace used: {Path(workspace or proj.workspace).resolve()}")
    console.print(f"Report written to {paths.html}", markup=False, highlight=False)
    console.print(f"Metrics written to {paths.metrics}", markup=False, highlight=False)


class _StoppedAtStart(BaseException):
    """A stop signal before the watch's first round: nothing to finish, nothing to resume.

    A BaseException, as KeyboardInterrupt, so that no ``except Exception`` on the way (a
    collector's, a loader's) swallows it.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _alert_names(proj, alerts) -> dict:
    """``alert key -> "on Mastodon (from 2 Dec 2026, 23:00 KST)"``: the topic's name, not its
    id, and the alert's start in brackets, so that it cannot read as a time range."""
    from ripplemeter.listen.alerts import reader_time

    names = {t.id: t.name for t in proj.topics}
    return {
        a.key: f"on {names.get(a.series, a.series)} (from {reader_time(a.start)})" for a in alerts
    }


@listen_app.command("watch", cls=RippleCommand)
@friendly
def watch(
    project: Annotated[Path, _PROJECT],
    every: Annotated[str, typer.Option(help="Time between rounds: 15m, 1h, 30s ...")] = "15m",
    max_rounds: Annotated[
        int | None, typer.Option(help="Stop after this many rounds (default: until stopped).")
    ] = None,
    sentiment: Annotated[
        bool,
        typer.Option("--sentiment/--no-sentiment", help="Annotate new texts each round."),
    ] = True,
) -> None:
    """Collect, detect and deliver alerts, then wait, and again, until Ctrl-C or SIGTERM.

    Each round collects every source, looks for alerts over each topic's hourly mentions and
    sends the new ones to the [[alerts.deliver]] channels (each alert once, even after a
    restart). Stopping (Ctrl-C or SIGTERM) waits for the current round to end; a second
    Ctrl-C stops at once, leaving the round unfinished (the next run resumes its collection).

    Exit status: 0 when every alert due was delivered, or none was due; 1 when an alert could
    not be delivered (a missing secret, a refusal such as HTTP 401, a server that did not
    answer) and no later round delivered it; 2 when listen.toml cannot be used; 130 when
    stopped at once by a second Ctrl-C, or by Ctrl-C before the first round.
    """
    import signal
    import threading

    stop = threading.Event()
    phase = ["start"]  # start -> round -> wait -> round ... -> end

    def on_signal(signum, frame) -> None:
        if phase[0] == "start":
            raise _StoppedAtStart(signum)
        if phase[0] == "round" and stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt  # the second Ctrl-C: stop at once
        if phase[0] == "round" and not stop.is_set():
            again = " (Ctrl-C again to stop at once)" if signum == signal.SIGINT else ""
            note(f"stopping after this round{again}")
        stop.set()  # while waiting for the next round: the wait ends now

    # before anything slow (reading listen.toml loads the collectors), so that a signal during
    # start-up is answered in one line rather than by a traceback or a silent kill
    old = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        _watch(project, every, max_rounds, sentiment, stop, phase)
    except _StoppedAtStart as exc:
        note("watch stopped before its first round")
        raise typer.Exit(130 if exc.signum == signal.SIGINT else 0) from None
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def _watch(project, every, max_rounds, sentiment, stop, phase) -> None:
    """The body of ``listen watch`` once its signal handlers are in place."""
    from ripplemeter.listen.project import load_listen_project, undelivered
    from ripplemeter.listen.project import watch as run_watch

    seconds = parse_every(every)
    proj = load_listen_project(project)
    seen: list = []  # every finished round, so an interrupted watch still knows what failed

    def begin(number: int) -> None:
        phase[0] = "round"

    def show(r) -> None:
        phase[0] = "wait"
        seen.append(r)
        parts = [f"round {r.number}:"]
        failed = [c.source_id for c in r.collected if c.error]
        posts = sum(c.added.get("posts", 0) for c in r.collected)
        parts.append(f"{_count(posts, 'post', 'posts')} collected")
        if failed:
            parts.append(f"sources failed: {', '.join(failed)}")
        parts.append(f"{_count(len(r.alerts), 'alert', 'alerts')} going on")
        sent = [d for d in r.deliveries if d.status == "delivered"]
        if sent:
            parts.append(f"{len(sent)} delivered")
        note(" ".join(parts[:1]) + " " + "; ".join(parts[1:]))
        for c in r.collected:
            if c.error:
                warn(_source_error(proj, c))
        names = _alert_names(proj, r.alerts)
        for d in r.deliveries:
            if d.status == "failed":
                warn(
                    f"alert {names.get(d.key, d.key)} was not delivered to {d.channel}: "
                    f"{d.detail}; it is tried again next round"
                )
        if r.error:
            warn(r.error)

    def undelivered_error(rounds: list) -> str | None:
        failed = undelivered(rounds)
        if not failed:
            return None
        n = len({d.key for d in failed})
        chans = ", ".join(sorted({d.channel for d in failed}))
        return f"{n} alert{'' if n == 1 else 's'} could not be delivered to {chans}"

    try:
        rounds = run_watch(
            proj,
            every=seconds,
            max_rounds=max_rounds,
            stop=stop,
            on_round=show,
            annotate=sentiment,
            on_round_start=begin,
        )
    except KeyboardInterrupt:
        phase[0] = "end"
        n = len(seen) + 1
        why = undelivered_error(seen)
        note(
            f"watch stopped at once: round {n} was left unfinished (the next run resumes "
            "where it stopped)" + (f"; {why} (the next run tries again)" if why else "")
        )
        raise typer.Exit(130) from None
    phase[0] = "end"
    note(f"watch stopped ({len(rounds)} round{'' if len(rounds) == 1 else 's'})")
    why = undelivered_error(rounds)
    if why:
        from rich.text import Text

        err_console.print(
            Text.assemble(
                ("error:", "bold red"),
                " ",
                f"{why}; see the warnings above (the next run tries again).",
            ),
            highlight=False,
        )
        raise typer.Exit(1)


@alerts_app.command("detect", cls=RippleCommand)
@friendly
def detect(
    series: Annotated[Path, typer.Argument(help="A CSV file with a time and a count column.")],
    time_column: Annotated[str, typer.Option(help="Header of the times.")],
    value_column: Annotated[str, typer.Option(help="Header of the counts.")],
    rule: Annotated[
        str | None,
        typer.Option(help="tuned (default), meltwater, changepoint or negative_share."),
    ] = None,
    scale: Annotated[
        str | None,
        typer.Option(
            help="The tuned rule's scale: log (default; a spike is a multiple of the usual "
            "level: after weeks without a mention 7 in an hour are an alert, from a usual 1 an "
            "hour about 14) or linear (extra mentions count as such)."
        ),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            help="The tuned rule's robust z-score to exceed (default 4 on the log scale, "
            "10 on the linear one).",
            min=0.0,
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON array (one object per alert).")
    ] = False,
) -> None:
    """Detect alerts on a count series: one per event, each saying why it fired.

    Each alert spans its whole event: from the period the rule fired to the last period
    still above the threshold. Times are printed in the file's own clock (as "19 Nov 2026,
    10:00"; --json gives ISO 8601). The rules and their settings: docs/alerts.md.
    """
    import json

    from ripplemeter.listen.alerts import AlertError, detect_csv, reader_time

    params: dict = {}
    if scale is not None or threshold is not None:
        if rule not in (None, "tuned"):
            raise AlertError("--scale and --threshold set the tuned rule; leave out --rule")
        if scale not in (None, "log", "linear"):
            raise AlertError(f"--scale must be log or linear, not '{scale}'")
        if scale is not None:
            params["transform"] = scale
        if threshold is not None:
            params["threshold"] = threshold
        elif scale == "linear":
            params["threshold"] = 10.0
    found = detect_csv(series, time_column, value_column, rule, **params)
    if as_json:
        print(json.dumps([a.to_json() for a in found], ensure_ascii=False, indent=2))
        return
    if not found:
        console.print("No alert.", markup=False, highlight=False)
    for a in found:
        console.print(
            f"{reader_time(a.start)} to {reader_time(a.end)} [{a.rule}] observed "
            f"{a.observed:.3g}, expected {a.expected:.3g}, threshold {a.threshold:.3g}: "
            f"{a.explanation}",
            markup=False,
            highlight=False,
        )
