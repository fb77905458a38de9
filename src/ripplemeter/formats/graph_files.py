"""Graph files: SNAP edge lists, weighted NetHEPT and CSV edge lists -> :class:`Graph`.

:func:`read_edgelist` reads a graph file as it is downloaded (optionally gzipped) and builds
a :class:`~ripplemeter.network.graph.Graph` with the same cleaning as every other builder
(self-loops dropped, parallel edges combined, probabilities checked; see
:mod:`ripplemeter.network.graph`). Errors name the file and line.

Formats
-------
* SNAP (Stanford Large Network Dataset Collection): whitespace-separated ``from to [p]``
  lines, ``#`` comments; a ``# Nodes: N Edges: M`` comment is kept in the graph's stats.
* NetHEPT (Chen, Wang, Yang 2009): a first line ``n m``, then ``src dst p``.
* CSV with a header naming ``src`` and ``dst`` (or ``source``/``target``, ``from``/``to``)
  and optionally ``p``, ``prob``, ``probability`` or ``weight``.

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

__all__ = ["read_edgelist"]

_SNAP_COUNTS = re.compile(r"Nodes:\s*(\d+)\s+Edges:\s*(\d+)", re.IGNORECASE)


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
    undirected: bool = False,
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
        ``n m``, then ``src dst p``; nodes are ``0 .. n-1`` even if some have no edge.
        ``"csv"``: a header naming ``src`` and ``dst`` (or ``source``/``target``,
        ``from``/``to``) and optionally ``p``, ``prob``, ``probability`` or ``weight``.
        ``"auto"`` picks from the name and the first lines.
    undirected : bool
        Read every line as two directed edges (friendship graphs such as ego-Facebook).
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
        Node ids are those of the file (int64 when all are integers).

    Raises
    ------
    GraphError
        The file is missing, a line has too few or too many fields, or a probability is
        outside [0, 1]; the message names the file and line.

    Examples
    --------
    >>> g = read_edgelist("NetHEPT.txt")                       # doctest: +SKIP
    >>> g.n, g.stats.self_loops_dropped                        # doctest: +SKIP
    (15233, 39)
    """
    path = Path(path)
    if not path.is_file():
        raise GraphError(f"{path}: no such graph file")
    head = _head(path)
    if fmt == "auto":
        fmt = _detect(path, head)
    if fmt not in ("snap", "nethept", "csv"):
        raise GraphError(f"unknown graph format '{fmt}'; expected 'snap', 'nethept' or 'csv'")
    header_nodes = header_edges = None
    ids = None
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
        if fmt == "nethept" and src.dtype.kind in "iu" and dst.dtype.kind in "iu":
            lo = min(src.min(initial=0), dst.min(initial=0))
            hi = max(src.max(initial=-1), dst.max(initial=-1))
            if lo >= 0 and hi < header_nodes:
                ids = np.arange(header_nodes, dtype=np.int64)
    model = "given"
    if p is None:
        p = np.ones(len(src), dtype=np.float64)
        model = "unweighted"
    else:
        _check_probs(p, lambda i: f"{path.name}, line {line_of(i)}")
    g = _from_arrays(
        src,
        dst,
        p,
        ids=ids,
        undirected=undirected,
        combine=combine,
        stats={
            "source": str(path),
            "fmt": fmt,
            "lines_read": lines,
            "probability_model": model,
            "header_nodes": header_nodes,
            "header_edges": header_edges,
        },
    )
    return _apply_probability(g, probability, random_state)


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
