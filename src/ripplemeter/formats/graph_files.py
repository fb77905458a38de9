"""Graph files: SNAP edge lists, weighted NetHEPT and CSV edge lists -> :class:`Graph`.

:func:`read_edgelist` reads a graph file as it is downloaded (optionally gzipped) and builds
a :class:`~ripplemeter.network.graph.Graph` with the same cleaning as every other builder
(self-loops dropped, parallel edges combined, probabilities checked; see
:mod:`ripplemeter.network.graph`). Errors name the file and line.

Formats
-------
* SNAP (Stanford Large Network Dataset Collection): whitespace-separated ``from to [p]``
  lines, ``#`` comments; a ``# Nodes: N Edges: M`` comment is kept in the graph's stats.
* NetHEPT (Chen, Wang, Yang 2009) and the inputs of the IMM / OPIM-C / SUBSIM reference
  programs: a first line ``n m`` (node and edge counts), then ``src dst [p]``.
* CSV with a header naming ``src`` and ``dst`` (or ``source``/``target``, ``from``/``to``)
  and optionally ``p``, ``prob``, ``probability`` or ``weight``.

Direction
---------
A file is read as directed or undirected by what it says about itself, never by guess:

* a SNAP comment ``# Directed graph ...`` or ``# Undirected graph ...`` is obeyed (SNAP's
  soc-Slashdot0902 says ``# Directed graph (each unordered pair of nodes is saved once)``
  and is read as directed);
* CSV ``src,dst`` files and the ``n m`` layout are directed by definition (the reference
  programs read every line as one directed edge);
* a plain edge list whose lines run both ways (some ``u < v``, some ``u > v``) is a list
  of directed edges;
* a plain edge list in which every line puts the smaller id first (or every line the
  larger), so that no pair appears both ways, is what an undirected graph saved once per
  pair looks like, and also what a directed graph can look like: it is refused with
  :class:`AmbiguousDirection` until the caller says ``undirected=True`` or ``False``
  (``--undirected`` / ``--directed``). SNAP's ego-Facebook file is such a file: under the
  weighted cascade, the 50 seeds IMM picks reach about 2,220 of its 4,039 accounts when
  every line is read one way, about 1,220 when read as the friendship graph it is.

References
----------
Leskovec, Krevl. "SNAP Datasets: Stanford Large Network Dataset Collection." 2014.
https://snap.stanford.edu/data

Chen, Wang, Yang. "Efficient Influence Maximization in Social Networks." KDD 2009.
"""

from __future__ import annotations

import gzip
import io
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ripplemeter.errors import GraphError
from ripplemeter.network.graph import Graph, _apply_probability, _check_probs, _from_arrays

__all__ = ["ID_HEADERS", "AmbiguousDirection", "read_edgelist", "read_id_list"]

_SNAP_COUNTS = re.compile(r"Nodes:\s*(\d+)\s+Edges:\s*(\d+)", re.IGNORECASE)
_SNAP_DIRECTION = re.compile(r"^#\s*(un)?directed\b", re.IGNORECASE)

#: Header words a list of account ids may start with (case-insensitive); in a CSV file,
#: the names its id column may have.
ID_HEADERS = (
    "id",
    "ids",
    "node",
    "node_id",
    "nodes",
    "account",
    "account_id",
    "accounts",
    "user",
    "user_id",
    "handle",
    "candidate",
    "candidates",
    "seed",
    "seeds",
    "kol",
    "kol_id",
)


class AmbiguousDirection(GraphError):
    """A plain edge list that may be undirected or directed; the caller must say which.

    Raised by :func:`read_edgelist` (``undirected=None``) for a file without a SNAP
    direction comment in which every line puts the smaller id first (or every line the
    larger): an undirected graph saved once per pair looks exactly like that.
    """


def _open_text(path: Path) -> io.TextIOBase:
    with open(path, "rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="replace")
    return open(path, encoding="utf-8", errors="replace")


def _head(path: Path, k: int = 50) -> list[str]:
    out: list[str] = []
    with _open_text(path) as fh:
        for line in fh:
            out.append(line.rstrip("\r\n"))
            if len(out) >= k:
                break
    return out


def _detect(path: Path, head: list[str]) -> str:
    name = path.name.lower()
    if name.endswith((".csv", ".csv.gz")):
        return "csv"
    data = [ln.split("#", 1)[0].split() for ln in head]
    data = [t for t in data if t]
    if data and "," in head[0] and not head[0].lstrip().startswith("#"):
        return "csv"
    if len(data) >= 2 and len(data[0]) == 2 and len(data[1]) == 3:
        if all(t.isdigit() for t in data[0]):
            return "nethept"
    return "snap"


def _data_line_number(path: Path, row: int, skip: int) -> int:
    """1-based file line of the `row`-th (0-based) data row, as pandas counted them."""
    seen = -1
    with _open_text(path) as fh:
        for lineno, line in enumerate(fh, start=1):
            if lineno <= skip:
                continue
            if line.split("#", 1)[0].strip():
                seen += 1
                if seen == row:
                    return lineno
    return -1


def read_edgelist(
    path: str | Path,
    *,
    fmt: str = "auto",
    undirected: bool | None = None,
    nodes: Any = None,
    probability: Any = None,
    combine: str = "ic",
    random_state: int | None = 0,
) -> Graph:
    """Read a graph file: SNAP edge list, weighted NetHEPT, or CSV.

    Parameters
    ----------
    path : str or Path
        The file; gzip-compressed files are recognised by their content.
    fmt : {"auto", "snap", "nethept", "csv"}
        ``"snap"``: whitespace-separated ``from to [p]`` lines, ``#`` comments (a
        ``# Nodes: N Edges: M`` comment is kept in ``stats``). ``"nethept"``: a first line
        ``n m``, then ``src dst [p]`` (NetHEPT; the IMM / OPIM-C / SUBSIM inputs); nodes
        are ``0 .. n-1`` (or ``1 .. n`` when the ids start at 1 and reach ``n``) even if
        some have no edge. ``"csv"``: a header naming ``src`` and ``dst`` (or
        ``source``/``target``, ``from``/``to``) and optionally ``p``, ``prob``,
        ``probability`` or ``weight``. ``"auto"`` picks from the name and the first
        lines; a two-column file whose first line is two whole numbers that agree with the
        file as its node and edge counts is read as the ``n m`` layout: both agree
        (``m`` equals the edge lines that follow; ``n`` equals the largest id plus one, the
        number of distinct ids, or the largest id when ids start at 1), or one agrees and
        one of the two numbers is no node id of the file.
    undirected : bool or None
        ``True``: read every line as two directed edges (friendship graphs such as
        ego-Facebook). ``False``: every line is one directed edge ``src -> dst``.
        ``None`` (default): as the file says (see the module's *Direction* section):
        obey a SNAP ``# Directed graph`` / ``# Undirected graph`` comment; CSV and the
        ``n m`` layout are directed; a plain edge list is directed when its lines run
        both ways and refused (:class:`AmbiguousDirection`) when they all run one way.
        ``stats.direction_from`` records which rule decided.
    nodes : sequence, optional
        More node ids, e.g. accounts without any edge that may still be seeded; added by
        :meth:`Graph.with_nodes` (``stats.nodes_added`` counts the new ones).
    probability : None, float or str
        ``None`` keeps the file's probability column (or 1.0 per edge without one; then
        ``stats.probability_model == "unweighted"``). A float sets a constant
        probability; a string is a model for :meth:`Graph.with_probabilities`
        (``"wc"``, ``"trivalency"``, ``"lt"``, ``"constant:0.01"``).
    combine : {"ic", "lt"}
        How parallel edges merge: ``1 - prod(1 - p_i)`` or the sum of weights.
    random_state : int or None
        Seed for the ``"trivalency"`` model.

    Returns
    -------
    Graph
        Node ids are those of the file (int64 when all are integers), plus `nodes`.
        ``stats.notes`` holds sentences for the reader: counts stated by the file that
        disagree with what it holds, a direction flag that overrides the file's comment.

    Raises
    ------
    AmbiguousDirection
        ``undirected=None`` and a plain edge list whose lines all run one way.
    GraphError
        The file is missing or is a folder (the message says what the folder holds), a
        line has too few or too many fields, or a probability is outside [0, 1]; the
        message names the file and line.

    Examples
    --------
    >>> g = read_edgelist("NetHEPT.txt")                       # doctest: +SKIP
    >>> g.n, g.stats.self_loops_dropped                        # doctest: +SKIP
    (15233, 39)
    """
    path = Path(path)
    if not path.is_file():
        raise GraphError(_not_a_graph_file(path))
    head = _head(path)
    auto = fmt == "auto"
    if auto:
        fmt = _detect(path, head)
    if fmt not in ("snap", "nethept", "csv"):
        raise GraphError(f"unknown graph format '{fmt}'; expected 'snap', 'nethept' or 'csv'")
    header_nodes = header_edges = None
    ids = None
    notes: list[str] = []
    declared = _declared_direction(head) if fmt == "snap" else None
    if fmt == "csv":
        src, dst, p, lines, line_of = _read_csv(path)
    else:
        skip = 0
        if fmt == "nethept":
            first = next((ln for ln in head if ln.strip() and not ln.startswith("#")), "")
            toks = first.split()
            if len(toks) != 2 or not all(t.isdigit() for t in toks):
                raise GraphError(f"{path.name}, line 1: expected a header 'nodes edges'")
            skip = head.index(first) + 1
            header_nodes, header_edges = int(toks[0]), int(toks[1])
        else:
            for ln in head:
                if ln.startswith("#"):
                    mt = _SNAP_COUNTS.search(ln)
                    if mt:
                        header_nodes, header_edges = int(mt.group(1)), int(mt.group(2))
        src, dst, p, lines, line_of = _read_whitespace(path, skip)
        if auto and fmt == "snap" and header_nodes is None and p is None and declared is None:
            counts = _counts_line(src, dst)
            if counts is not None:
                fmt = "nethept"
                header_nodes, header_edges = counts
                src, dst, lines = src[1:], dst[1:], lines - 1
                line_of = _shifted(line_of)
        if fmt == "nethept":
            ids = _check_counts(path.name, header_nodes, header_edges, src, dst, lines, notes)
        elif header_edges is not None and header_edges != lines:
            notes.append(
                f"{path.name}: the '# Nodes: {header_nodes} Edges: {header_edges}' comment "
                f"says {header_edges:,} edges but the file has {lines:,} edge lines; all "
                "were read"
            )
    model = "given"
    if p is None:
        p = np.ones(len(src), dtype=np.float64)
        model = "unweighted"
    else:
        _check_probs(p, lambda i: f"{path.name}, line {line_of(i)}")
    direction_from = "caller"
    if undirected is None:
        if fmt in ("csv", "nethept"):
            undirected, direction_from = False, "format"
        elif declared is not None:
            undirected, direction_from = declared, "header"
        else:
            _refuse_one_way(path, src, dst)
            undirected, direction_from = False, "lines"
    elif declared is not None and bool(undirected) != declared:
        said = "an undirected" if declared else "a directed"
        how = "in both directions" if undirected else "as one-way edges"
        notes.append(f"{path.name}: the file's header says it is {said} graph; read {how} as asked")
    g = _from_arrays(
        src,
        dst,
        p,
        ids=ids,
        undirected=bool(undirected),
        combine=combine,
        stats={
            "source": str(path),
            "fmt": fmt,
            "lines_read": lines,
            "probability_model": model,
            "header_nodes": header_nodes,
            "header_edges": header_edges,
            "direction_from": direction_from,
            "notes": tuple(notes),
        },
    )
    if nodes is not None:
        g = g.with_nodes(nodes)
    return _apply_probability(g, probability, random_state)


# Files that come with a data set but are not its graph (for "such as" in a folder's message).
_NOT_GRAPHS = ("readme", "provenance", "license", "licence", "notice", "changelog")
_GRAPH_SUFFIXES = (".txt", ".csv", ".tsv", ".edges", ".edgelist", ".el", ".gz")


def _not_a_graph_file(path: Path, listed: int = 6) -> str:
    """The one-line message for a graph path that is not a file: missing, or a folder (then
    what it holds, and the graph file it most likely means when there is one)."""
    if not path.is_dir():
        return f"{path}: no such graph file"
    entries = sorted(
        (e for e in path.iterdir() if not e.name.startswith(".")), key=lambda e: e.name.lower()
    )
    if not entries:
        return f"{path}: is an empty folder, not a graph file"
    names = [e.name + ("/" if e.is_dir() else "") for e in entries]
    held = ", ".join(names[:listed])
    if len(names) > listed:
        held += f" and {len(names) - listed} more"
    likely = [
        e
        for e in entries
        if e.is_file()
        and e.name.lower().endswith(_GRAPH_SUFFIXES)
        and not e.name.lower().startswith(_NOT_GRAPHS)
    ]
    such_as = f", such as {likely[0]}" if len(likely) == 1 else ""
    return f"{path}: is a folder, not a file; give the graph file in it{such_as} (it holds {held})"


def _declared_direction(head: list[str]) -> bool | None:
    """From SNAP's first comment lines: True for ``# Undirected graph``, False for
    ``# Directed graph``, None when no comment says."""
    for ln in head:
        if not ln.startswith("#"):
            break
        mt = _SNAP_DIRECTION.match(ln)
        if mt:
            return mt.group(1) is not None
    return None


def _refuse_one_way(path: Path, src: np.ndarray, dst: np.ndarray) -> None:
    """Raise AmbiguousDirection when every non-loop line runs the same way."""
    keep = src != dst
    if not np.any(keep):
        return
    try:
        up = np.asarray(src[keep] < dst[keep], dtype=bool)
    except TypeError:  # ids of mixed kinds cannot be ordered: nothing to infer
        return
    if up.all():
        which = "smaller"
    elif not up.any():
        which = "larger"
    else:
        return
    raise AmbiguousDirection(
        f"{path.name}: every line lists the {which} id first and no pair appears both ways, "
        "as in a friendship graph saved once per pair; say how to read it with --undirected "
        "(each line is a two-way link) or --directed (each line is a one-way link)"
    )


def _counts_line(src: np.ndarray, dst: np.ndarray) -> tuple[int, int] | None:
    """(n, m) when the first line of a two-column whole-number file is a count header."""
    if src.dtype.kind not in "iu" or dst.dtype.kind not in "iu" or len(src) < 2:
        return None
    a, b = int(src[0]), int(dst[0])
    rs, rd = src[1:], dst[1:]
    if a < 1 or b < 0:
        return None
    lo = int(min(rs.min(), rd.min()))
    hi = int(max(rs.max(), rd.max()))
    distinct = int(np.unique(np.concatenate([rs, rd])).size)
    m_ok = b == len(rs)
    n_ok = a in (hi + 1, distinct) or (lo >= 1 and a == hi)
    a_alone = not (np.any(rs == a) or np.any(rd == a))
    b_alone = not (np.any(rs == b) or np.any(rd == b))
    if (m_ok and n_ok) or ((m_ok or n_ok) and (a_alone or b_alone)):
        return a, b
    return None


def _shifted(line_of):
    def shifted(i: int) -> int:
        return line_of(i + 1)

    return shifted


def _check_counts(
    name: str,
    n: int,
    m: int,
    src: np.ndarray,
    dst: np.ndarray,
    lines: int,
    notes: list[str],
) -> np.ndarray | None:
    """Ids ``0 .. n-1`` (or ``1 .. n``) when the file's ids fit its count header; notes
    for counts that disagree with the file."""
    if m != lines:
        notes.append(
            f"{name}: the first line says {m:,} edges but {lines:,} edge lines follow; all "
            f"{lines:,} were read"
        )
    if src.dtype.kind not in "iu" or dst.dtype.kind not in "iu":
        return None
    if lines == 0:
        return np.arange(n, dtype=np.int64)
    lo = int(min(src.min(), dst.min()))
    hi = int(max(src.max(), dst.max()))
    if lo >= 0 and hi < n:
        return np.arange(n, dtype=np.int64)
    if lo >= 1 and hi == n:
        return np.arange(1, n + 1, dtype=np.int64)
    distinct = int(np.unique(np.concatenate([src, dst])).size)
    notes.append(
        f"{name}: the first line says {n:,} nodes but the ids run from {lo} to {hi}; "
        f"the {distinct:,} ids found were kept"
    )
    return None


def _read_whitespace(path: Path, skip: int):
    try:
        df = pd.read_csv(
            path,
            sep=r"\s+",
            comment="#",
            header=None,
            skiprows=skip,
            compression="infer" if not _is_gzip(path) else "gzip",
            engine="c",
        )
    except pd.errors.EmptyDataError:
        df = pd.DataFrame({0: np.zeros(0, dtype=np.int64), 1: np.zeros(0, dtype=np.int64)})
    except pd.errors.ParserError as exc:
        msg = str(exc)
        mt = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", msg)
        if mt:
            raise GraphError(
                f"{path.name}: a line has {mt.group(3)} fields where {mt.group(1)} were "
                f"expected (pandas counts it as line {mt.group(2)}, comments excluded)"
            ) from None
        raise GraphError(f"{path.name}: cannot read the edge list: {msg}") from None

    def line_of(i: int) -> int:
        return _data_line_number(path, i, skip)

    if df.shape[1] < 2 or df.shape[1] > 3:
        raise GraphError(
            f"{path.name}, line {line_of(0)}: expected 'src dst' or 'src dst p', "
            f"found {df.shape[1]} field(s)"
        )
    missing = df.iloc[:, :2].isna().any(axis=1).to_numpy()
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise GraphError(f"{path.name}, line {line_of(i)}: expected 'src dst [p]'")
    src = _id_column(df[0])
    dst = _id_column(df[1])
    p = None
    if df.shape[1] == 3:
        col = pd.to_numeric(df[2], errors="coerce").to_numpy(dtype=np.float64)
        bad = np.flatnonzero(np.isnan(col))
        if bad.size:
            i = int(bad[0])
            raise GraphError(
                f"{path.name}, line {line_of(i)}: expected a probability in [0, 1], "
                f"found {df[2].iloc[i]!r}"
            )
        p = col
    return src, dst, p, len(df), line_of


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def _id_column(col: pd.Series) -> np.ndarray:
    arr = col.to_numpy()
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64, copy=False)
    if arr.dtype.kind == "f" and np.all(np.mod(arr, 1) == 0):
        return arr.astype(np.int64)
    return col.astype(str).to_numpy(dtype=object)


_CSV_SRC = ("src", "source", "from", "u")
_CSV_DST = ("dst", "target", "to", "v")
_CSV_P = ("p", "prob", "probability", "weight", "w")


def _read_csv(path: Path):
    try:
        df = pd.read_csv(path, compression="gzip" if _is_gzip(path) else None)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise GraphError(f"{path.name}: cannot read the CSV file: {exc}") from None
    cols = {str(c).strip().lower(): c for c in df.columns}

    def pick(names: tuple[str, ...]) -> Any:
        return next((cols[c] for c in names if c in cols), None)

    s_col, d_col, p_col = pick(_CSV_SRC), pick(_CSV_DST), pick(_CSV_P)
    if s_col is None or d_col is None:
        raise GraphError(
            f"{path.name}, line 1: expected a header with columns 'src' and 'dst' "
            f"(and optionally 'p' or 'weight'), found {list(df.columns)}"
        )

    def line_of(i: int) -> int:
        return i + 2  # header is line 1; assumes no quoted newlines in an edge list

    missing = df[[s_col, d_col]].isna().any(axis=1).to_numpy()
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise GraphError(f"{path.name}, line {line_of(i)}: src or dst is empty")
    p = None
    if p_col is not None:
        col = pd.to_numeric(df[p_col], errors="coerce").to_numpy(dtype=np.float64)
        bad = np.flatnonzero(np.isnan(col))
        if bad.size:
            i = int(bad[0])
            raise GraphError(
                f"{path.name}, line {line_of(i)}, column '{p_col}': expected a probability "
                f"in [0, 1], found {df[p_col].iloc[i]!r}"
            )
        p = col
    return _id_column(df[s_col]), _id_column(df[d_col]), p, len(df), line_of


def read_id_list(path: str | Path, *, whole_numbers: bool = False) -> tuple[list, list[int]]:
    """Account ids from a list file: one id per line, or a CSV/TSV with an id column.

    Used for ``ripplemeter seeds --nodes``, ``--candidates`` and ``--forced``.

    Parameters
    ----------
    path : str or Path
        UTF-8 text (a byte-order mark is ignored). Blank lines and lines starting with
        ``#`` are skipped. A one-column list may start with a header line: one of
        :data:`ID_HEADERS` (``id``, ``account_id``, ``node``, ...), or, when
        `whole_numbers` is set, any first line that is not a whole number while the next
        one is. A line with commas, tabs or semicolons makes the file a table whose
        header must name the id column with one of :data:`ID_HEADERS`.
    whole_numbers : bool
        The graph's ids are whole numbers: return ints and refuse anything else.

    Returns
    -------
    ids : list
        In file order, repeats kept (str, or int with `whole_numbers`).
    lines : list of int
        The 1-based file line of each id, for messages.

    Raises
    ------
    GraphError
        No such file; a table without an id column; an id that is not a whole number when
        `whole_numbers` is set. The message names the file and line.
    """
    import csv

    path = Path(path)
    if not path.is_file():
        raise GraphError(f"{path}: no such file" if not path.is_dir() else f"{path}: is a folder")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise GraphError(f"{path.name}: not a UTF-8 text file of ids") from None
    rows = [
        (i, ln.strip())
        for i, ln in enumerate(text.splitlines(), start=1)
        if ln.strip() and not ln.lstrip().startswith("#")
    ]
    if not rows:
        return [], []
    first_no, first = rows[0]
    delim = next((d for d in (",", "\t", ";") if d in first), None)
    if delim is not None:
        header = [h.strip().strip('"').lower() for h in next(csv.reader([first], delimiter=delim))]
        col = next((header.index(h) for h in ID_HEADERS if h in header), None)
        if col is None:
            raise GraphError(
                f"{path.name}, line {first_no}: expected a header naming the id column "
                f"('id', 'account_id', 'node', ...), found {', '.join(header)}"
            )
        pairs = []
        for no, ln in rows[1:]:
            cells = next(csv.reader([ln], delimiter=delim))
            value = cells[col].strip() if col < len(cells) else ""
            if not value:
                raise GraphError(f"{path.name}, line {no}: the '{header[col]}' cell is empty")
            pairs.append((no, value))
    else:
        pairs = rows
        second = rows[1][1] if len(rows) > 1 else None
        if first.lower() in ID_HEADERS or (
            whole_numbers and not _is_whole(first) and second is not None and _is_whole(second)
        ):
            pairs = rows[1:]
    ids: list = []
    lines: list[int] = []
    for no, value in pairs:
        if whole_numbers:
            if not _is_whole(value):
                raise GraphError(
                    f"{path.name}, line {no}: '{value}' is not a whole number like the graph's ids"
                )
            ids.append(int(value))
        else:
            ids.append(value)
        lines.append(no)
    return ids, lines


def _is_whole(text: str) -> bool:
    return re.fullmatch(r"[+-]?\d+", text.strip()) is not None
