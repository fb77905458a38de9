"""listen.toml: a listening project (topics, sources, alerts), and its report.

A listening project is separate from a campaign: it names what to listen for (topics with a
role and a boolean query), where to collect it (``[[sources]]``, one collector each), how to
alert and whom to tell. A campaign may point to one (``listen = "listen.toml"`` under
``[campaign]``), and then its report carries the listening section too.

Example
-------
.. code-block:: toml

    [project]
    name = "Lumen Tea listening"
    timezone = "Asia/Shanghai"      # hours, days and weeks are cut here
    # workspace = "lumen.duckdb"    # default: <this file's stem>.duckdb beside it

    [[topics]]
    id = "lumen"
    name = "Lumen Tea"
    role = "brand"                  # brand | product | competitor | industry
    query = '"lumen tea" OR lumentea OR 路明茶 OR 루멘티'

    [[sources]]
    id = "mastodon-tea"
    kind = "mastodon"               # a collector: rss, mastodon, bluesky, reddit, youtube
    # ... that collector's own settings

    [alerts]                        # the detector's settings (ripplemeter.listen.alerts)
    [[alerts.deliver]]
    kind = "webhook"                # webhook | email
    # ... its settings; secrets as env:NAME or file:PATH, never the secret itself

    [listening]                     # the report section's limits (top, terms, ...)
    terms = 20

Every table is validated by a pydantic model with unknown keys forbidden; every problem
raises :class:`ListenProjectError`, naming the file, the line and the key.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ripplemeter.campaign import _key, _line, _message, check_timezone_name
from ripplemeter.errors import CampaignError, RippleError

__all__ = [
    "ListenProject",
    "ListenProjectError",
    "default_period",
    "evaluate_listening",
    "load_listen_project",
    "parse_listen_project",
    "run_listen_report",
    "undelivered",
]


class ListenProjectError(CampaignError):
    """listen.toml is malformed: the message names the file, the line and the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProjectTable(_Strict):
    """``[project]``: name, time zone, workspace and start of a listening project.

    ``start`` (a date, ``start = 2026-03-01``) is the first local day of the reports by
    default; without it they start on the day of the first post that mentions a topic.
    """

    name: str = Field(min_length=1)
    timezone: str = "UTC"
    workspace: str | None = None
    description: str | None = None
    start: dt.date | None = None

    @field_validator("timezone", mode="before")
    @classmethod
    def _tz(cls, v: Any) -> Any:
        return check_timezone_name(v)


def _file_model():
    from ripplemeter.evaluate.listening import TopicSettings

    class ListenFile(_Strict):
        """The tables of listen.toml (sources, alerts and listening validated apart)."""

        project: ProjectTable
        topics: list[TopicSettings] = Field(min_length=1)
        sources: list[dict] = []
        alerts: dict | None = None
        listening: dict | None = None

    return ListenFile


@dataclass
class ListenProject:
    """A parsed, validated listen.toml.

    Attributes
    ----------
    name : str
    timezone : str
        IANA zone in which hours, days and weeks are cut.
    workspace : Path
        The DuckDB workspace the collectors write and the report reads.
    topics : list of TopicSettings
    sources : list of pydantic models
        Each validated by its collector's ``Settings`` (``REGISTRY[kind].Settings``).
    alerts : AlertSettings or None
        ``[alerts]`` (:class:`ripplemeter.listen.alerts.AlertSettings`), None when absent.
    delivery : list of pydantic models
        ``[[alerts.deliver]]`` entries (:class:`~ripplemeter.listen.deliver.WebhookSettings`,
        :class:`~ripplemeter.listen.deliver.EmailSettings`).
    listening : ListeningSettings
        The section's limits (``[listening]``), topics not yet filled in.
    path : Path or None
        The file read.
    start : datetime.date or None
        ``[project] start``: the reports' first local day by default.
    source_lines : dict of str to int
        The line of each source's ``[[sources]]`` header in the file, by source id (for
        messages about a source that failed).
    """

    name: str
    timezone: str
    workspace: Path
    topics: list = field(default_factory=list)
    sources: list = field(default_factory=list)
    alerts: Any = None
    delivery: list = field(default_factory=list)
    listening: Any = None
    description: str | None = None
    path: Path | None = None
    start: dt.date | None = None
    source_lines: dict = field(default_factory=dict)

    @property
    def file_name(self) -> str:
        return self.path.name if self.path else "listen.toml"

    def where_source(self, source_id: str) -> str:
        """Where a source is written: ``listen.toml, line 31, source 'yt'``.

        Parameters
        ----------
        source_id : str
            The source's ``id``.

        Returns
        -------
        str
            The file's name, the line of the source's ``[[sources]]`` header when known,
            and the source's id.
        """
        line = self.source_lines.get(source_id)
        return ", ".join(
            [self.file_name, *([f"line {line}"] if line else []), f"source '{source_id}'"]
        )

    @property
    def folder(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def section_settings(self, limits: Any = None) -> Any:
        """The listening section's settings: these topics and alerts, with ``limits``.

        Parameters
        ----------
        limits : ListeningSettings, optional
            A campaign's own ``[listening]`` table (its limits win over the project's).
        """
        base = limits if limits is not None else self.listening
        update: dict[str, Any] = {"topics": list(self.topics), "alerts": self.alerts}
        rule = getattr(self.alerts, "rule", None)
        if rule and "alert_rule" not in (base.model_fields_set if base is not None else ()):
            update["alert_rule"] = rule
        return base.model_copy(update=update)

    def campaign(self, start: dt.date, end: dt.date) -> Any:
        """A :class:`~ripplemeter.campaign.Campaign` for the report of ``start..end``.

        The report code (metrics.json, report.html) reads a campaign; this one has the
        project's name, zone and the listening section only (the window's baseline, which
        the section does not use, is as many days right before).
        """
        from ripplemeter.campaign import Campaign

        n = (end - start).days + 1
        return Campaign(
            name=self.name,
            start=start,
            end=end,
            baseline_start=start - dt.timedelta(days=n),
            baseline_end=start - dt.timedelta(days=1),
            timezone=self.timezone,
            baseline_defaulted=True,
            settings={"listening": self.section_settings()},
            sections=("listening",),
            path=self.path,
        )


def _raise(exc: ValidationError, path: Path, text: str, model: type, prefix: tuple = ()):
    err = exc.errors(include_url=False)[0]
    loc, msg = _message(err, model)
    loc = (*prefix, *loc)
    top = str(loc[0]) if loc else ""
    if len(loc) == 1 and err["type"] == "list_type" and top in ("topics", "sources"):
        msg = f"write each entry as its own [[{top}]] table (double brackets)"
    elif len(loc) == 1 and err["type"] in ("model_type", "dict_type"):
        msg = f"write [{top}] as one table (single brackets)"
    elif len(loc) == 1 and err["type"] in ("too_short", "missing") and top == "topics":
        msg = "name at least one topic as a [[topics]] table (id, name, role, query)"
    line_loc = loc
    if len(loc) >= 3 and loc[0] == "alerts" and loc[1] == "deliver":
        line_loc = ("alerts.deliver", *loc[2:])
    raise ListenProjectError(path, _key(loc), msg, _line(text, line_loc)) from None


def _validate(model: type, data: Any, path: Path, text: str, prefix: tuple = ()):
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        _raise(exc, path, text, model, prefix)


def load_listen_project(path: str | Path) -> ListenProject:
    """Read and validate a listen.toml.

    Parameters
    ----------
    path : str or Path
        The file, or a folder holding ``listen.toml``.

    Returns
    -------
    ListenProject

    Raises
    ------
    ListenProjectError
        Missing or unreadable file, TOML syntax (with its line), unknown keys, a missing
        ``[project]`` or topic, a query that does not parse (with its column), a source of
        an unknown kind or with settings its collector refuses, bad alert or delivery
        settings, two topics or sources with the same id.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "listen.toml"
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        # the whole path: "listen.toml: ... not found" does not say which folder was looked in
        err = ListenProjectError(None, None, f"{path.absolute()}: listening project file not found")
        err.path = path
        raise err from None
    except UnicodeDecodeError:
        raise ListenProjectError(path, None, "not UTF-8 text; save it as UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise ListenProjectError(
            path, None, f"not valid TOML: {exc}", int(m.group(1)) if m else None
        ) from None
    return parse_listen_project(data, path=path, text=text)


def parse_listen_project(data: dict, *, path: Path | None = None, text: str = "") -> ListenProject:
    """Validate an already-parsed listen.toml mapping (see :func:`load_listen_project`)."""
    from ripplemeter.evaluate.listening import ListeningSettings

    p = path or Path("listen.toml")
    base = p.parent if path else Path.cwd()
    model = _file_model()
    if "project" not in data:
        raise ListenProjectError(p, "project", "missing [project] table (name, timezone)")
    f = _validate(model, data, p, text)
    for what, items in (("topics", f.topics),):
        seen: set[str] = set()
        for i, t in enumerate(items):
            if t.id in seen:
                loc = (what, i, "id")
                raise ListenProjectError(
                    p, _key(loc), f"topic id {t.id!r} is used twice", _line(text, loc)
                )
            seen.add(t.id)
    sources = _sources(f.sources, p, text)
    alerts, delivery = _alerts(f.alerts, p, text)
    listening = _validate(ListeningSettings, f.listening or {}, p, text, ("listening",))
    if listening.topics:
        raise ListenProjectError(
            p, "listening.topics", "name topics as [[topics]] tables", _line(text, ("listening",))
        )
    ws = Path(f.project.workspace) if f.project.workspace else Path(p.stem + ".duckdb")
    if not ws.is_absolute():
        ws = base / ws
    return ListenProject(
        name=f.project.name,
        timezone=f.project.timezone,
        workspace=ws,
        topics=list(f.topics),
        sources=sources,
        alerts=alerts,
        delivery=delivery,
        listening=listening,
        description=f.project.description,
        path=path,
        start=f.project.start,
        source_lines={
            m.id: line for i, m in enumerate(sources) if (line := _line(text, ("sources", i)))
        },
    )


def _sources(items: list[dict], p: Path, text: str) -> list:
    if not items:
        return []
    from ripplemeter.listen.collectors import REGISTRY, _load

    _load()
    out: list = []
    for i, s in enumerate(items):
        kind = s.get("kind")
        if kind not in REGISTRY:
            loc = ("sources", i, "kind")
            found = "no kind" if kind is None else f"kind {kind!r}"
            raise ListenProjectError(
                p,
                _key(loc),
                f"{found}; expected one of {', '.join(sorted(REGISTRY))}",
                _line(text, loc if kind is not None else ("sources", i)),
            )
        model = REGISTRY[kind].Settings
        m = _validate(model, s, p, text, ("sources", i))
        if any(o.id == m.id for o in out):
            loc = ("sources", i, "id")
            raise ListenProjectError(
                p, _key(loc), f"source id {m.id!r} is used twice", _line(text, loc)
            )
        out.append(m)
    return out


def _alerts(table: dict | None, p: Path, text: str) -> tuple[Any, list]:
    """``[alerts]`` by AlertSettings; its ``[[alerts.deliver]]`` entries are its channels."""
    if table is None:
        return None, []
    from ripplemeter.listen.alerts import AlertSettings

    if not isinstance(table.get("deliver", []), list):
        raise ListenProjectError(
            p,
            "alerts.deliver",
            "write each delivery as its own [[alerts.deliver]] table (double brackets)",
            _line(text, ("alerts",)),
        )
    alerts = _validate(AlertSettings, table, p, text, ("alerts",))
    return alerts, list(alerts.deliver)


# ---------------------------------------------------------------------------- the report
def default_period(
    ws: Any, timezone: str, topics: Any = (), start: dt.date | None = None
) -> tuple[dt.date, dt.date] | None:
    """The report's local days by default: from the first mention to the last post.

    Parameters
    ----------
    ws : Workspace
    timezone : str
        The project's zone (days are cut there).
    topics : sequence of TopicSettings
        The project's topics: the window starts on the day of the first post that any of
        their queries matches (a workspace may hold old posts that mention none: a feed's
        archive, a video from years before), or of the first post when none matches.
    start : datetime.date, optional
        ``[project] start``: the first day, whatever the posts.

    Returns
    -------
    (date, date) or None
        First and last local day; the last is the day of the latest post stored or of the
        latest successful collection run, whichever is later (days after the last mention
        are quiet days, not missing ones). None when there is no post.
    """
    import pandas as pd

    from ripplemeter.listen.query import POSTS_RELATION, parse

    con = ws.con
    lo, hi = con.execute("SELECT min(created_at), max(created_at) FROM posts").fetchall()[0]
    if lo is None:
        return None
    # a collection that ran after the latest post found nothing new: the days up to it were
    # listened to (quiet), so the window runs to it, as the watcher's does
    (collected,) = con.execute(
        "SELECT max(started_at) FROM imports WHERE format LIKE 'collect:%' AND status = 'ok'"
    ).fetchall()[0]
    if collected is not None and collected > hi:
        hi = collected
    if topics:
        cond = " OR ".join(f"coalesce(({parse(t.query).to_sql()}), false)" for t in topics)
        first = con.execute(
            f"SELECT min(created_at) FROM {POSTS_RELATION} WHERE {cond}"
        ).fetchall()[0][0]
        lo = first if first is not None else lo

    def local(x):
        return pd.Timestamp(x).tz_localize("UTC").tz_convert(timezone).date()

    first_day, last_day = local(lo), local(hi)
    if start is not None:
        first_day = start
        last_day = max(last_day, start)
    return first_day, last_day


def evaluate_listening(
    project: ListenProject,
    workspace: Any = None,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    annotate: bool = True,
    progress: Callable[[str], None] | None = None,
    until: Any = None,
) -> Any:
    """Evaluate a listening project over its workspace: the listening section's result.

    Parameters
    ----------
    project : ListenProject
    workspace : Workspace, str or Path, optional
        Default ``project.workspace``. Every row in it is read (a listening workspace holds
        only what the project collected or imported).
    start, end : datetime.date, optional
        Local days of the window, inclusive; default :func:`default_period` (``[project]
        start`` or the day of the first mention, to the day of the latest post).
    annotate : bool
        Annotate texts not yet read by the current models first (language, sentiment, spam,
        aspects), so that share of voice by positive mentions and the sentiment trend exist.
    progress : callable, optional
        Receives short stage descriptions.
    until : datetime, optional
        The hourly series for alerts stop before this time (the watcher passes "now").

    Returns
    -------
    CampaignEvaluation
        With the listening section's result (metrics.json and report.html as for a campaign).

    Raises
    ------
    RippleError
        No workspace at the path; ``end`` before ``start``.
    """
    import ibis

    from ripplemeter.evaluate import CampaignEvaluation
    from ripplemeter.evaluate.context import EvalContext, TableAccess
    from ripplemeter.evaluate.section import get_section
    from ripplemeter.workspace import Workspace

    own = not isinstance(workspace, Workspace)
    if own:
        wpath = Path(workspace) if workspace is not None else project.workspace
        if not wpath.is_file():
            raise RippleError(
                f"{project.file_name}: no workspace at {wpath} yet; run `ripplemeter listen "
                "collect` first (or import files into it)"
            )
        ws = Workspace(wpath)
    else:
        ws = workspace
    try:
        from ripplemeter.listen.store import refresh_search_text

        # posts stored by an older ripplemeter: their search form is brought up to date once
        # (web addresses left out), so that SQL and Python match the same posts
        refresh_search_text(ws)
        if annotate:
            from ripplemeter.text.annotate import annotate_workspace

            if progress:
                progress("annotating texts: language, sentiment, spam, aspects")
            annotate_workspace(ws)
        if start is None or end is None:
            found = default_period(ws, project.timezone, project.topics, project.start)
            today = dt.datetime.now(dt.UTC).date()
            first, last = found if found else (today, today)
            start = start or first
            end = end or last
        if end < start:
            raise RippleError(f"the report's end {end} is before its start {start}")
        camp = project.campaign(start, end)
        if until is not None:
            settings = camp.settings["listening"].model_copy(update={"until": until})
            camp.settings["listening"] = settings
        backend = ibis.duckdb.from_connection(ws.con)
        ctx = EvalContext(
            scope=(),
            window=camp.window,
            currency=camp.currency,
            fx={},
            tables=TableAccess(backend, None),
            settings=dict(camp.settings),
            campaign_file=project.path,
        )
        section = get_section("listening")
        if progress:
            progress(f"evaluating: {section.title.lower()}")
        res = section.run(ctx)
        return CampaignEvaluation(
            camp, [], {section.id: res}, {section.id: section}, list(res.warnings), list(res.notes)
        )
    finally:
        if own:
            ws.close()


def run_listen_report(
    project: ListenProject,
    out: str | Path,
    workspace: Any = None,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    annotate: bool = True,
    progress: Callable[[str], None] | None = None,
):
    """Evaluate a listening project and write ``report.html`` and ``metrics.json`` into ``out``.

    Returns
    -------
    (CampaignEvaluation, ReportPaths)

    Raises
    ------
    RippleError
        ``out`` is a file, or any error of :func:`evaluate_listening`.
    """
    import pandas as pd

    from ripplemeter.pipeline import check_out_folder
    from ripplemeter.report import write_report

    check_out_folder(out)
    # hours still to come are not hours without mentions: the alerts' series stop now, as
    # the watcher's do, so that an alert reads the same in the report and in its message
    result = evaluate_listening(
        project,
        workspace,
        start=start,
        end=end,
        annotate=annotate,
        progress=progress,
        until=pd.Timestamp.now(tz="UTC"),
    )
    if progress:
        progress("writing the report")
    return result, write_report(result, out, kind="listening")


# ---------------------------------------------------------------------------- collect, watch
def collect_project(
    project: ListenProject,
    workspace: Any = None,
    *,
    since: dt.datetime | None = None,
    progress: Callable[[str, str, int, int], None] | None = None,
    collector_options: dict | None = None,
) -> list:
    """Collect every ``[[sources]]`` of the project into its workspace (resumably).

    Parameters
    ----------
    project : ListenProject
    workspace : Workspace, str or Path, optional
        Default ``project.workspace`` (created when missing).
    since : datetime, optional
        Leave out posts created before this time (UTC when naive).
    progress : callable, optional
        ``progress(source_id, stream, pages_done, rows_added)`` after each stored page.
    collector_options : dict, optional
        Keyword arguments for each collector (``sleep``, ``http_options`` in tests);
        ``project_dir`` is the project's folder (credential files inside it are refused).

    Returns
    -------
    list of CollectResult
        One per source, in listen.toml order; a failed source has ``error`` set and never
        stops the others (:func:`ripplemeter.listen.collectors.collect_all`).

    Raises
    ------
    RippleError
        The project names no source.
    """
    from ripplemeter.listen.collectors import collect_all
    from ripplemeter.workspace import Workspace

    if not project.sources:
        raise ListenProjectError(
            project.path,
            "sources",
            "no [[sources]] to collect from; add one (see docs/listening.md)",
        )
    opts = {"project_dir": project.folder, **dict(collector_options or {})}
    own = not isinstance(workspace, Workspace)
    ws = Workspace(workspace if workspace is not None else project.workspace) if own else workspace
    try:
        return collect_all(
            ws, project.sources, since=since, progress=progress, collector_options=opts
        )
    finally:
        if own:
            ws.close()


def alerts_of(result: Any, *, since: Any = None) -> list:
    """The :class:`~ripplemeter.listen.alerts.Alert` objects of a listening evaluation.

    Parameters
    ----------
    result : CampaignEvaluation
        From :func:`evaluate_listening`.
    since : pandas.Timestamp, optional
        Only alerts still going on at or after this time (their last step), tz-aware.
    """
    import pandas as pd

    from ripplemeter.listen.alerts import Alert

    res = result["listening"]
    if res.status != "ok":
        return []
    out = []
    tz = res.data["listening"].get("timezone")

    def at(text: str) -> pd.Timestamp:  # the project's zone (a named zone, not an offset)
        t = pd.Timestamp(text)
        return t.tz_convert(tz) if tz and t.tzinfo is not None else t

    for d in res.data["listening"]["topics"].values():
        for a in d.get("alerts", []):
            al = Alert(
                rule=a["rule"],
                start=at(a["start"]),
                end=at(a["end"]),
                observed=float(a["observed"]) if a["observed"] is not None else float("nan"),
                expected=float(a["expected"]) if a["expected"] is not None else float("nan"),
                threshold=float(a["threshold"]) if a["threshold"] is not None else float("nan"),
                window=a["window"],
                peak_at=at(a["peak_at"]),
                post_ids=list(a["post_ids"]),
                key=a["key"],
                explanation=a["explanation"],
                series=a["series"],
                unit=a["unit"],
            )
            if since is None or al.end >= since:
                out.append(al)
    return out


def ongoing_of(result: Any) -> dict[str, bool]:
    """Whether each alert of a listening evaluation is still going on at the end of its data.

    Parameters
    ----------
    result : CampaignEvaluation
        From :func:`evaluate_listening`.

    Returns
    -------
    dict of str to bool
        Alert key -> True when the event's last step is the last hour of the data (the
        report's "still going on when the window ends").
    """
    res = result["listening"]
    if res.status != "ok":
        return {}
    return {
        a["key"]: bool(a.get("ongoing"))
        for d in res.data["listening"]["topics"].values()
        for a in d.get("alerts", [])
    }


@dataclass
class WatchRound:
    """One round of :func:`watch`: what was collected, which alerts, what was delivered."""

    number: int
    collected: list
    alerts: list
    deliveries: list
    error: str | None = None


def undelivered(rounds: list[WatchRound]) -> list:
    """The deliveries still failed after the last round that tried them.

    A (alert, channel) pair whose latest result in ``rounds`` is ``failed`` (a missing
    secret, a refusal such as HTTP 401, a server that never answered) is undelivered; a
    later success in another round clears it. ``ripplemeter listen watch`` exits with
    status 1 when this list is not empty, so that cron or a supervisor notices.

    Parameters
    ----------
    rounds : list of WatchRound
        From :func:`watch`.

    Returns
    -------
    list of DeliveryResult
        The last failed result of each pair still undelivered, in the order first seen.
    """
    last: dict[tuple[str, str], Any] = {}
    for r in rounds:
        for d in r.deliveries:
            last[(d.key, d.channel)] = d
    return [d for d in last.values() if d.status == "failed"]


def watch(
    project: ListenProject,
    *,
    every: float,
    max_rounds: int | None = None,
    stop: Any = None,
    wait: Callable[[float], Any] | None = None,
    history_days: int = 35,
    recent: str = "24h",
    on_round: Callable[[WatchRound], None] | None = None,
    collector_options: dict | None = None,
    deliver_sleep: Callable[[float], None] | None = None,
    annotate: bool = True,
    on_round_start: Callable[[int], None] | None = None,
) -> list[WatchRound]:
    """Collect, detect and deliver, every ``every`` seconds, until stopped.

    Each round opens the workspace, collects every source (a failing source is recorded and
    the others go on), evaluates the listening section over the last ``history_days`` local
    days (the seasonal baseline needs weeks of history), and delivers the alerts still going
    on in the last ``recent`` to every ``[[alerts.deliver]]`` channel; an alert is delivered
    once, even across restarts (the delivery log is in the workspace). The workspace is
    closed between rounds, so a report can be written meanwhile.

    Parameters
    ----------
    project : ListenProject
    every : float
        Seconds between the start of one round's wait and the next round.
    max_rounds : int, optional
        Stop after this many rounds.
    stop : threading.Event, optional
        Set it (from a signal handler) to stop after the current round.
    wait : callable, optional
        ``wait(seconds)`` between rounds; default ``stop.wait`` (returns early when stopped).
    history_days : int
    recent : str
        A pandas duration: older alerts are recorded but not sent.
    on_round : callable, optional
        Receives each :class:`WatchRound` as it ends.
    collector_options : dict, optional
        See :func:`collect_project`.
    deliver_sleep : callable, optional
        Waits between delivery retries (tests).
    annotate : bool
        Annotate new texts each round (sentiment for the negative-share rule).
    on_round_start : callable, optional
        ``on_round_start(number)`` as each round begins, before the workspace is opened (the
        CLI tells a stop during start-up from one during a round with it).

    Returns
    -------
    list of WatchRound
    """
    import threading

    import pandas as pd

    from ripplemeter.listen.deliver import deliver
    from ripplemeter.workspace import Workspace

    stop = stop or threading.Event()
    wait = wait or stop.wait
    rounds: list[WatchRound] = []
    n = 0
    while not stop.is_set():
        n += 1
        if on_round_start is not None:
            on_round_start(n)
        collected: list = []
        alerts: list = []
        deliveries: list = []
        error = None
        ws = Workspace(project.workspace)
        try:
            if project.sources:
                collected = collect_project(project, ws, collector_options=collector_options)
            now = pd.Timestamp.now(tz=project.timezone)
            end = now.date()
            start = end - dt.timedelta(days=history_days - 1)
            res = evaluate_listening(
                project, ws, start=start, end=end, annotate=annotate, until=now
            )
            alerts = alerts_of(res, since=now - pd.Timedelta(recent))
            if alerts and project.delivery:
                kw = {"sleep": deliver_sleep} if deliver_sleep is not None else {}
                deliveries = deliver(
                    ws,
                    alerts,
                    project.delivery,
                    project=project,
                    ongoing=ongoing_of(res),
                    **kw,
                )
        except RippleError as exc:  # said in the round, and the watcher goes on
            error = str(exc)
        finally:
            ws.close()
        r = WatchRound(n, collected, alerts, deliveries, error)
        rounds.append(r)
        if on_round is not None:
            on_round(r)
        if max_rounds is not None and n >= max_rounds:
            break
        if stop.is_set():
            break
        wait(every)
    return rounds
