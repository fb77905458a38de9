"""Workspace: one DuckDB file holding the canonical tables and the import log.

Each import is one transaction: either every row of the file is stored and logged in
``imports`` (with the file's sha256), or nothing changes at all. Importing the same file
again with the same format and settings changes nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from ripplemeter import schema
from ripplemeter.errors import FormatError, RippleError, WorkspaceError
from ripplemeter.formats import Rows, SourceContext, check_options, get_format


def remove_if_empty(path: str | Path) -> bool:
    """Delete a workspace file that holds no import (and its write-ahead log).

    For commands that created a workspace and then failed before importing anything, so
    that a slip leaves no empty workspace file behind.

    Returns
    -------
    bool
        True when the file was removed; False when it is absent, holds imports, or is not
        a workspace.
    """
    path = Path(path)
    if not path.is_file():
        return False
    try:
        con = duckdb.connect(str(path), read_only=True)
        try:
            (n,) = con.execute("SELECT count(*) FROM imports").fetchone()
        finally:
            con.close()
    except duckdb.Error:
        return False
    if n:
        return False
    path.unlink()
    Path(str(path) + ".wal").unlink(missing_ok=True)
    return True


def write_search_text(
    con: duckdb.DuckDBPyConnection, rowids: Sequence[int] | pd.Series, texts: Sequence[str | None]
) -> int:
    """Store search forms in ``posts.search_text``, row by row.

    The search form itself comes from :func:`ripplemeter.listen.query.search_texts`; this
    only writes it: the pairs are registered as a temporary view, copied into ``posts`` by
    one ``UPDATE`` and the view is dropped again (also when the update fails).

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        A connection opened for writing, with no result left open (an open result blocks
        ``register``).
    rowids : sequence of int
        DuckDB ``rowid`` of each post to update.
    texts : sequence of str or None
        The search form to store for each of ``rowids``, in the same order.

    Returns
    -------
    int
        Posts written (the length of ``rowids``; 0 writes nothing).

    Raises
    ------
    ValueError
        If ``rowids`` and ``texts`` differ in length.
    """
    rowids = list(rowids)
    texts = list(texts)
    if len(rowids) != len(texts):
        raise ValueError(f"{len(rowids)} row ids but {len(texts)} search texts")
    if not rowids:
        return 0
    frame = pd.DataFrame(
        {"rid": pd.Series(rowids, dtype="int64"), "st": pd.Series(texts, dtype=object)}
    )
    con.register("_rm_search_text", frame)
    try:
        con.execute(
            "UPDATE posts SET search_text = f.st FROM _rm_search_text AS f "
            "WHERE posts.rowid = f.rid"
        )
    finally:
        con.unregister("_rm_search_text")
    return len(rowids)


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


@dataclass
class ImportResult:
    """Outcome of :meth:`Workspace.import_file`.

    Attributes
    ----------
    import_id : int
        Id in the ``imports`` log (the existing one when ``skipped``).
    path : Path
    format : str
    rows : dict[str, int]
        Rows written per canonical table.
    skipped : bool
        True when the same file was already imported with the same settings.
    notes : list[str]
        Import notes (time zone conversion, detected encoding, rows left out).
    """

    import_id: int
    path: Path
    format: str
    rows: dict[str, int] = field(default_factory=dict)
    skipped: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


class Workspace:
    """A DuckDB file (or in-memory database) with ripplemeter's canonical tables.

    Parameters
    ----------
    path : str or Path, optional
        The DuckDB file; ``None`` or ``":memory:"`` for an in-memory workspace.
    read_only : bool
        Open the file read-only.

    Raises
    ------
    WorkspaceError
        If the file cannot be opened (locked by another process, not a DuckDB file).

    Examples
    --------
    >>> ws = Workspace()                                      # doctest: +SKIP
    >>> ws.import_file("tweets.csv", "x-analytics-tweets")    # doctest: +SKIP
    >>> ws.table("posts").head()                              # doctest: +SKIP
    """

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        self.path = None if path in (None, ":memory:") else Path(path)
        try:
            self.con = duckdb.connect(
                str(self.path) if self.path else ":memory:", read_only=read_only
            )
        except duckdb.Error as exc:
            raise WorkspaceError(f"{path}: cannot open the workspace: {exc}") from None
        self.con.execute("SET TimeZone = 'UTC'")
        if not read_only:
            self._create()

    # ------------------------------------------------------------------ schema
    def _create(self) -> None:
        con = self.con
        con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        rows = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
        row = rows[0] if rows else None
        if row is not None and int(row[0]) > schema.SCHEMA_VERSION:
            raise WorkspaceError(
                f"{self.path}: written by a newer ripplemeter (schema {row[0]}); upgrade"
            )
        con.execute(schema.IMPORTS_DDL)
        for t in schema.TABLES.values():
            con.execute(t.ddl())
            # add columns a newer schema defines (forward migration)
            have = {r[0] for r in con.execute(f'DESCRIBE "{t.name}"').fetchall()}
            for c in t.columns:
                if c.name not in have:
                    con.execute(f'ALTER TABLE "{t.name}" ADD COLUMN "{c.name}" {c.type}')
        con.execute(
            "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(schema.SCHEMA_VERSION)]
        )
        self._fill_search_text()
        # posts stored by an older search form (before links were dropped) are brought
        # up to date once; later opens cost one meta lookup
        from ripplemeter.listen.store import refresh_search_text

        refresh_search_text(self)

    def _fill_search_text(self) -> None:
        """Fill ``posts.search_text`` where it is missing (workspaces made before the column).

        Listening queries search this column in SQL; a workspace created before it existed
        gets the column from the migration above, and its posts are normalised here, once.
        """
        con = self.con
        # fetchall, not fetchone: a result left open blocks con.register() on this connection
        ((n,),) = con.execute(
            "SELECT count(*) FROM posts WHERE search_text IS NULL AND text IS NOT NULL"
        ).fetchall()
        if not n:
            return
        from ripplemeter.listen.query import search_texts

        todo = con.execute(
            "SELECT rowid AS rid, text FROM posts WHERE search_text IS NULL AND text IS NOT NULL"
        ).df()
        write_search_text(con, todo["rid"], search_texts(todo["text"]))

    def close(self) -> None:
        """Close the DuckDB connection."""
        self.con.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ import
    def import_file(
        self,
        path: str | Path,
        format: str,
        ctx: SourceContext | None = None,
        *,
        progress: Callable[[str], None] | None = None,
    ) -> ImportResult:
        """Import one file as ``format`` in a single transaction.

        Parameters
        ----------
        path : str or Path
            The export, as downloaded.
        format : str
            A registered format name (see :func:`ripplemeter.formats.available_formats`).
        ctx : SourceContext, optional
            Platform, account, column mapping, time zone.
        progress : callable, optional
            Called with a short stage description ("reading", "storing") for progress display.

        Returns
        -------
        ImportResult

        Raises
        ------
        UnknownFormatError
            Unknown format name.
        RippleError
            A reading option (``ctx.decimal``, ``ctx.dayfirst``) the format does not take.
        FormatError
            The file does not match the format; nothing was written.
        """
        path = Path(path)
        info = get_format(format)
        ctx = ctx or SourceContext()
        check_options(info, ctx)
        if not path.exists():
            raise FormatError(path, message="file not found")
        if path.is_dir():
            raise FormatError(path, message="is a folder, not a file")
        sha = file_sha256(path)
        key = ctx.key()
        existing = self._find(path, format, sha, key)
        if existing is not None:
            return existing
        started = pd.Timestamp.now(tz="UTC").tz_localize(None)
        if ctx.imported_at is None:
            ctx.imported_at = started
        if progress:
            progress("reading")
        rows: Rows = info.reader(path, ctx)
        if progress:
            progress("storing")
        return self._store(path, format, sha, key, rows, started)

    def find_import(
        self, path: str | Path, format: str, ctx: SourceContext | None = None
    ) -> ImportResult | None:
        """The earlier import of this file with these settings, or None (reads only).

        The file is identified by its bytes (sha256), the format and the settings that change
        what an import produces (:meth:`SourceContext.key`), as :meth:`import_file` does.

        Raises
        ------
        FormatError
            The file does not exist.
        """
        path = Path(path)
        if not path.is_file():
            raise FormatError(path, message="file not found")
        return self._find(path, format, file_sha256(path), (ctx or SourceContext()).key())

    def _find(self, path: Path, format: str, sha: str, key: str) -> ImportResult | None:
        rows = self.con.execute(
            "SELECT import_id, rows_by_table, notes FROM imports WHERE sha256 = ? AND format = ? "
            "AND context_key = ? AND status = 'ok'",
            [sha, format, key],
        ).fetchall()
        if not rows:
            return None
        import_id, by_table, notes = rows[0]
        return ImportResult(
            int(import_id),
            path,
            format,
            json.loads(by_table or "{}"),
            skipped=True,
            notes=json.loads(notes or "[]"),
        )

    def _store(
        self, path: Path, format: str, sha: str, key: str, rows: Rows, started: pd.Timestamp
    ) -> ImportResult:
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            ((next_id,),) = con.execute(
                "SELECT coalesce(max(import_id), 0) + 1 FROM imports"
            ).fetchall()
            counts: dict[str, int] = {}
            for tname, df in rows.tables.items():
                if tname not in schema.TABLES:
                    raise RippleError(f"importer for {format} produced unknown table {tname}")
                if df is None or len(df) == 0:
                    continue
                counts[tname] = self._insert(tname, df, int(next_id))
            finished = pd.Timestamp.now(tz="UTC").tz_localize(None)
            con.execute(
                "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ok')",
                [
                    int(next_id),
                    str(path.resolve()),
                    sha,
                    format,
                    key,
                    int(sum(counts.values())),
                    json.dumps(counts),
                    json.dumps(rows.notes, ensure_ascii=False),
                    rows.source_timezone,
                    started.to_pydatetime(),
                    finished.to_pydatetime(),
                ],
            )
            con.execute("COMMIT")
        except BaseException as exc:
            con.execute("ROLLBACK")
            if isinstance(exc, RippleError) and not isinstance(exc, FormatError):
                raise FormatError(path, message=str(exc)) from None
            raise
        return ImportResult(int(next_id), path, format, counts, False, list(rows.notes))

    def insert_rows(self, table: str, frame: pd.DataFrame, import_id: int) -> int:
        """Append rows to a canonical table, with their lineage.

        The same path :meth:`import_file` uses: the columns are cast to the table's types
        (``schema.TABLES``), missing ones are NULL, ``import_id`` and ``source_row`` (when
        ``frame`` has it) are stored on each row, and for ``posts`` the normalised
        ``search_text`` that listening queries run on is computed from ``text``. Call it
        inside :meth:`transaction` with the ``imports`` row of ``import_id`` written in the
        same transaction, so that a failure leaves nothing behind.

        Parameters
        ----------
        table : str
            A canonical table name (``posts``, ``accounts``, ``post_metrics``, ...).
        frame : pandas.DataFrame, shape (n_rows, n_columns)
            Columns among the table's (any order, any subset), optionally ``source_row``.
        import_id : int
            The run or import the rows come from (``imports.import_id``).

        Returns
        -------
        int
            Rows stored (``n_rows``).

        Raises
        ------
        RippleError
            Unknown table, a column the table does not have, or a value its column cannot
            hold (the message names the table and the database's reason).
        """
        if table not in schema.TABLES:
            raise RippleError(f"unknown table '{table}'; known: {', '.join(schema.TABLES)}")
        return self._insert(table, frame, int(import_id))

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Workspace]:
        """``with ws.transaction():`` -- BEGIN, then COMMIT, or ROLLBACK on any exception.

        Everything written inside the block is stored together or not at all, including when
        the block is left by Ctrl-C (``KeyboardInterrupt``) or another ``BaseException``,
        which is raised again after the rollback. DuckDB has one transaction per connection:
        blocks do not nest (a nested ``transaction()`` raises the database's error).

        Yields
        ------
        Workspace
            This workspace.

        Raises
        ------
        duckdb.Error
            A transaction is already open on this connection, or the COMMIT fails (the
            transaction is then rolled back).
        """
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self
            self.con.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(duckdb.Error):  # a failed COMMIT may have ended it
                self.con.execute("ROLLBACK")
            raise

    def _insert(self, tname: str, df: pd.DataFrame, import_id: int) -> int:
        table = schema.TABLES[tname]
        cols = table.column_names
        unknown = [c for c in df.columns if c not in cols and c != "source_row"]
        if unknown:
            raise RippleError(f"table {tname} has no column(s) {unknown}")
        out = pd.DataFrame(index=range(len(df)))
        df = df.reset_index(drop=True)
        for c in cols:
            out[c] = df[c] if c in df.columns else None
        if tname == "posts" and "search_text" in cols:  # listening queries search it
            from ripplemeter.listen.query import search_texts

            out["search_text"] = search_texts(out["text"])
        out["import_id"] = import_id
        out["source_row"] = df["source_row"] if "source_row" in df.columns else None
        casts = ", ".join(f'CAST("{c.name}" AS {c.type}) AS "{c.name}"' for c in table.columns)
        names = ", ".join(f'"{c}"' for c in [*cols, "import_id", "source_row"])
        self.con.register("_rm_incoming", out)
        try:
            # columns named: a migrated table has its newer columns after the lineage ones
            self.con.execute(
                f'INSERT INTO "{tname}" ({names}) SELECT {casts}, CAST(import_id AS BIGINT), '
                f"CAST(source_row AS BIGINT) FROM _rm_incoming"
            )
        except duckdb.Error as exc:
            raise RippleError(
                f"cannot store rows in table {tname}: {exc} (an importer produced a value its "
                "column cannot hold)"
            ) from None
        finally:
            try:
                self.con.unregister("_rm_incoming")
            except duckdb.Error:
                pass  # the transaction is aborted; the rollback drops the view
        return len(out)

    # ------------------------------------------------------------------ read
    def table(self, name: str, import_ids: Sequence[int] | None = None) -> pd.DataFrame:
        """A canonical table as a DataFrame, optionally only rows from some imports.

        Raises
        ------
        RippleError
            Unknown table name.
        """
        if name not in schema.TABLES and name != "imports":
            raise RippleError(f"unknown table '{name}'; known: {', '.join(schema.TABLES)}")
        if import_ids is None or name == "imports":
            return self.con.execute(f'SELECT * FROM "{name}"').df()
        ids = [int(i) for i in import_ids]
        if not ids:
            return self.con.execute(f'SELECT * FROM "{name}" LIMIT 0').df()
        return self.con.execute(
            f'SELECT * FROM "{name}" WHERE import_id IN ({",".join("?" * len(ids))})', ids
        ).df()

    def sql(self, query: str, params: Sequence | None = None) -> pd.DataFrame:
        """Run SQL against the workspace and return a DataFrame."""
        return self.con.execute(query, list(params or [])).df()

    def imports(self) -> pd.DataFrame:
        """The import log."""
        return self.con.execute("SELECT * FROM imports ORDER BY import_id").df()

    def counts(self) -> dict[str, int]:
        """Row count of every canonical table."""
        return {
            t: int(self.con.execute(f'SELECT count(*) FROM "{t}"').fetchall()[0][0])
            for t in schema.TABLES
        }
