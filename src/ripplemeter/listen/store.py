"""Storing collected pages: one transaction per page, together with the checkpoint.

A collector turns each page of an API's answer into canonical rows (posts, accounts,
post_metrics) and a cursor saying where the stream continues. :func:`write_page` stores both
in ONE DuckDB transaction, so a run killed at any moment (even with SIGKILL in the middle of a
write) leaves the workspace at the end of some page with the matching checkpoint: the next
run resumes at the page after it and nothing is lost or stored twice.

Deduplication, so that collecting twice adds nothing twice:

- ``posts`` by ``post_id`` and ``accounts`` by ``account_id`` (the first stored row is kept);
- ``post_metrics`` by ``(post_id, observed_at)``; moreover a snapshot whose figures equal the
  latest stored snapshot of the same post is not stored again (a snapshot is a change of the
  figures, not a sign that a collector ran).

Rows go through the workspace's own insert path (``Workspace.insert_rows``) so that the lineage
columns (``import_id``, ``source_row``) and ``posts.search_text`` are filled as for file
imports. Each run is one row of the ``imports`` table (``format = 'collect:<kind>'``, ``path =
'collect://<source_id>'``): ``running`` while it runs, then ``ok`` or ``error``; a run that
was killed is marked ``interrupted`` by the next run of the same source (the pages it
committed stay, under its import id).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from ripplemeter import schema
from ripplemeter.workspace import Workspace, write_search_text

KEYS: dict[str, tuple[str, ...]] = {
    "posts": ("post_id",),
    "accounts": ("account_id",),
    "post_metrics": ("post_id", "observed_at"),
}
"""The key each collected table is deduplicated by."""

_hook: Callable[[str], None] = lambda stage: None  # noqa: E731
"""Called at each stage of a page write; tests replace it to kill the process there."""


_LOG_INSERT = (
    "INSERT INTO collect_log (source_id, stream, logged_at, event, reason, count, import_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def _stage(name: str) -> None:
    _hook(name)


def _now() -> pd.Timestamp:
    return pd.Timestamp.now(tz="UTC").tz_localize(None)


@dataclass
class Run:
    """One collection run of one source, as recorded in ``imports``.

    Attributes
    ----------
    import_id : int
    source_id : str
    kind : str
    added : dict[str, int]
        Rows stored so far per table.
    """

    import_id: int
    source_id: str
    kind: str
    added: dict[str, int]


def start_run(ws: Workspace, source_id: str, kind: str) -> Run:
    """Open a run: mark this source's killed runs ``interrupted`` and log a ``running`` one.

    Returns
    -------
    Run
    """
    con = ws.con
    path = f"collect://{source_id}"
    with ws.transaction():
        con.execute(
            "UPDATE imports SET status = 'interrupted' WHERE path = ? AND status = 'running'",
            [path],
        )
        ((next_id,),) = con.execute(
            "SELECT coalesce(max(import_id), 0) + 1 FROM imports"
        ).fetchall()
        started = _now().to_pydatetime()
        con.execute(
            "INSERT INTO imports (import_id, path, format, context_key, rows, rows_by_table, "
            "notes, started_at, status) VALUES (?, ?, ?, ?, 0, '{}', '[]', ?, 'running')",
            [int(next_id), path, f"collect:{kind}", f"run {int(next_id)}", started],
        )
    return Run(int(next_id), source_id, kind, {})


def finish_run(ws: Workspace, run: Run, *, error: str | None = None) -> None:
    """Close a run: ``ok``, or ``error`` with the (already secret-free) message in the notes."""
    notes = [error] if error else []
    ws.con.execute(
        "UPDATE imports SET status = ?, finished_at = ?, notes = ? WHERE import_id = ?",
        [
            "error" if error else "ok",
            _now().to_pydatetime(),
            json.dumps(notes, ensure_ascii=False),
            run.import_id,
        ],
    )


def load_checkpoint(ws: Workspace, source_id: str, stream: str) -> dict | None:
    """The stored cursor of a stream (a JSON object), or None before its first page."""
    rows = ws.con.execute(
        "SELECT cursor FROM collect_checkpoints WHERE source_id = ? AND stream = ?",
        [source_id, stream],
    ).fetchall()
    return json.loads(rows[0][0]) if rows else None


def log_event(
    ws: Workspace,
    source_id: str,
    stream: str | None,
    event: str,
    reason: str,
    count: int = 1,
    *,
    import_id: int | None = None,
) -> None:
    """Append one row to ``collect_log`` (its own statement; used for source errors)."""
    ws.con.execute(
        _LOG_INSERT,
        [source_id, stream, _now().to_pydatetime(), event, reason, int(count), import_id],
    )


def _new_rows(ws: Workspace, tname: str, df: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``df`` whose key is not stored yet (and not repeated within ``df``)."""
    keys = list(KEYS[tname])
    df = df.drop_duplicates(subset=keys, keep="first")
    if df.empty:
        return df
    first = keys[0]
    ids = [str(v) for v in df[first].dropna().unique()]
    cols = ", ".join(f'"{k}"' for k in keys)
    stored = ws.con.execute(
        f'SELECT DISTINCT {cols} FROM "{tname}" WHERE "{first}" = ANY(?)', [ids]
    ).fetchall()
    if not stored:
        return df
    if len(keys) == 1:
        seen = {r[0] for r in stored}
        return df[~df[first].isin(seen)]
    seen = {(r[0], pd.Timestamp(r[1])) for r in stored}
    mask = [
        (pid, pd.Timestamp(ts)) not in seen for pid, ts in zip(df[first], df[keys[1]], strict=True)
    ]
    return df[mask]


def _changed_metrics(ws: Workspace, df: pd.DataFrame) -> pd.DataFrame:
    """Snapshots whose figures differ from the latest stored snapshot of the same post."""
    df = df.drop_duplicates(subset=["post_id"], keep="first")
    if df.empty:
        return df
    skip = ("post_id", "observed_at", "observed_at_source", "source_row")
    figures = [c for c in df.columns if c not in skip]
    cols = ", ".join(f'"{c}"' for c in figures)
    latest = ws.con.execute(
        f"SELECT post_id, {cols} FROM post_metrics WHERE post_id = ANY(?) "
        "QUALIFY row_number() OVER (PARTITION BY post_id ORDER BY observed_at DESC) = 1",
        [[str(v) for v in df["post_id"]]],
    ).fetchall()
    if not latest:
        return df
    before = {r[0]: r[1:] for r in latest}

    def same(a: object, b: object) -> bool:
        if a is None or pd.isna(a):
            return b is None or pd.isna(b)
        return b is not None and not pd.isna(b) and float(a) == float(b)

    keep = []
    for rec in df[["post_id", *figures]].itertuples(index=False, name=None):
        old = before.get(rec[0])
        keep.append(old is None or not all(same(a, b) for a, b in zip(rec[1:], old, strict=True)))
    return df[keep]


def write_page(
    ws: Workspace,
    run: Run,
    stream: str,
    tables: Mapping[str, pd.DataFrame],
    cursor: Mapping[str, object],
    skipped: Mapping[str, int] | None = None,
) -> dict[str, int]:
    """Store one page of collected rows and the stream's new checkpoint, atomically.

    Parameters
    ----------
    ws : Workspace
    run : Run
        From :func:`start_run`; its ``added`` counts are updated.
    stream : str
        The stream within the source (``tag:mastodon``, ``search:q``, ``feed``).
    tables : mapping of str to DataFrame
        Canonical rows by table (``posts``, ``accounts``, ``post_metrics``; any other
        canonical table is stored as is). A ``source_row`` column (1-based position of the
        record in the page) is kept as lineage.
    cursor : mapping
        JSON-serialisable paging state to resume from after this page.
    skipped : mapping of str to int, optional
        Malformed records left out of this page, by reason; logged in ``collect_log``.

    Returns
    -------
    dict[str, int]
        Rows actually added per table (after deduplication).

    Raises
    ------
    RippleError
        A row that its column cannot hold (nothing of the page is stored).
    """
    con = ws.con
    added: dict[str, int] = {}
    _stage("begin")
    with ws.transaction():
        for tname, df in tables.items():
            if df is None or len(df) == 0:
                continue
            if tname not in schema.TABLES:
                raise ValueError(f"unknown canonical table {tname}")
            if tname in KEYS:
                df = _new_rows(ws, tname, df)
            if tname == "post_metrics" and len(df):
                df = _changed_metrics(ws, df)
            if len(df):
                added[tname] = ws.insert_rows(tname, df, run.import_id)
                _stage(f"inserted {tname}")
        now = _now().to_pydatetime()
        for reason, n in (skipped or {}).items():
            if n:
                con.execute(
                    _LOG_INSERT,
                    [run.source_id, stream, now, "skipped", reason, int(n), run.import_id],
                )
        con.execute(
            "DELETE FROM collect_checkpoints WHERE source_id = ? AND stream = ?",
            [run.source_id, stream],
        )
        con.execute(
            "INSERT INTO collect_checkpoints (source_id, stream, cursor, updated_at, import_id) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                run.source_id,
                stream,
                json.dumps(dict(cursor), ensure_ascii=False),
                now,
                run.import_id,
            ],
        )
        total = dict(run.added)
        for k, v in added.items():
            total[k] = total.get(k, 0) + v
        con.execute(
            "UPDATE imports SET rows = ?, rows_by_table = ? WHERE import_id = ?",
            [int(sum(total.values())), json.dumps(total), run.import_id],
        )
        _stage("commit")
    _stage("committed")
    run.added = total
    return added


def refresh_search_text(ws: Workspace) -> int:
    """Bring ``posts.search_text`` to the current search form, once per workspace.

    A workspace whose posts were stored by an older ripplemeter holds an older search form
    (before version 2 it kept web addresses, so a topic ``twitter`` matched
    ``pic.twitter.com/...``; before version 3 it kept the emoji variation selectors). This
    recomputes the search form of the posts whose text can differ (those matching
    :data:`ripplemeter.listen.query.CHANGED_FORM_PATTERN`: a ``/``, ``www.`` or a variation
    selector; the other rules did not change) and records the
    version in the ``meta`` table (``search_form``), so later calls cost one lookup.

    Parameters
    ----------
    ws : Workspace
        Opened for writing.

    Returns
    -------
    int
        Posts whose search form changed (0 when the workspace was current).
    """
    from ripplemeter.listen.query import CHANGED_FORM_PATTERN, SEARCH_FORM, search_texts

    con = ws.con
    rows = con.execute("SELECT value FROM meta WHERE key = 'search_form'").fetchall()
    if rows and rows[0][0] == SEARCH_FORM:
        return 0
    todo = con.execute(
        "SELECT rowid AS rid, text, search_text FROM posts WHERE text IS NOT NULL "
        # NFKC comes first in the search form, so full-width links (／, ｗｗｗ．) count too
        "AND regexp_matches(text, ?)",
        [CHANGED_FORM_PATTERN],
    ).df()
    changed = 0
    with ws.transaction():
        if len(todo):
            todo["st"] = search_texts(todo["text"])
            diff = todo[todo["st"] != todo["search_text"]]
            changed = len(diff)
            write_search_text(con, diff["rid"], diff["st"])
        con.execute("INSERT OR REPLACE INTO meta VALUES ('search_form', ?)", [SEARCH_FORM])
    return changed
