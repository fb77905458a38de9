"""The one graph that seed selection plans on, from a graph file or a workspace.

``ripplemeter seeds`` and the campaign report's seeding section both call
:func:`seeding_graph`, so the same follows data under the same settings gives the same
graph, the same probabilities and therefore the same seeds, whichever way it arrives.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ripplemeter.errors import GraphError
from ripplemeter.network.diffusion import lt_in_weight_sums
from ripplemeter.network.graph import Graph, from_workspace

__all__ = ["WORKSPACE_SUFFIXES", "seeding_graph"]

#: File suffixes that :func:`seeding_graph` opens as a workspace rather than a graph file.
WORKSPACE_SUFFIXES = (".duckdb", ".db")

#: The note added when a graph without probabilities gets the weighted cascade.
WC_NOTE = "the graph has no probabilities: using weighted cascade (1 / in-degree)"


def seeding_graph(
    source: Any,
    *,
    model: str = "ic",
    probability: str | float | None = None,
    random_state: int | None = 0,
    import_ids: Sequence[int] | None = None,
    undirected: bool | None = None,
    nodes: Sequence[Any] | str | Path | None = None,
) -> tuple[Graph, list[str]]:
    """The influence graph to choose seeds on, with the notes on what was changed.

    Parameters
    ----------
    source : str, Path or Workspace
        A graph file (SNAP edge list, NetHEPT, CSV ``src,dst[,p]``; read by
        :func:`ripplemeter.formats.graph_files.read_edgelist`), a ``.duckdb`` / ``.db``
        workspace file (opened read-only), or an open
        :class:`~ripplemeter.workspace.Workspace` (anything with ``table("follows")``).
        From a workspace, a follows row ``src_account_id follows dst_account_id`` is the
        edge ``dst -> src`` (influence flows from the followed account to its follower), so
        a CSV ``src,dst`` file and the same rows imported as ``dst_account_id=src``,
        ``src_account_id=dst`` give the same graph.
    model : {"ic", "lt"}
        The diffusion model the seeds will be chosen for (case-insensitive). It decides how
        repeated edges merge: under IC into ``1 - prod(1 - p_i)``, under LT by adding the
        weights.
    probability : None, str or float
        Edge probabilities (weights under LT): ``"given"``, ``"wc"``, ``"constant:P"``,
        ``"trivalency"`` or ``"lt"`` (see :meth:`Graph.with_probabilities`); a float ``P``
        means ``"constant:P"``. ``None`` keeps the source's own probabilities (a
        probability column, or a ``weight`` on every follows row) and uses the weighted
        cascade ``1 / in-degree`` when there are none, with a note. With ``model="lt"``
        and ``None``, given weights whose sum into some node exceeds 1 (rounded file
        weights, repeated edges added up) are divided per node by their sum, as
        ``"lt"`` does, with a note. ``"given"`` keeps exactly what the source says, even
        no probabilities at all (1.0 per edge) or LT sums above 1.
    random_state : int or None
        Seed of the ``"trivalency"`` draw.
    import_ids : sequence of int, optional
        Workspace sources only: read the follows rows of these imports (a campaign's
        sources) and no others. ``None`` reads every follows row.
    undirected : bool or None
        ``True``: read every edge (or follows row) in both directions, e.g. for friendship
        graphs; ``False``: one way. ``None``: a graph file as it says it is (see
        :func:`~ripplemeter.formats.graph_files.read_edgelist`, which refuses a plain edge
        list whose lines all run one way), follows rows one way.
    nodes : sequence, str or Path, optional
        More account ids (e.g. accounts without any follows), added as nodes without edges
        so that they can be candidates and seeds (:meth:`Graph.with_nodes`); a path is read
        by :func:`~ripplemeter.formats.graph_files.read_id_list` (one id per line, an
        optional header line, or a CSV with an id column).

    Returns
    -------
    graph : Graph
        ``graph.ids`` are the source's ids (int64 for a file whose ids are all whole
        numbers, else text; account ids such as ``x:123`` from a workspace);
        ``graph.stats.probability_model`` names where the probabilities came from.
    notes : list of str
        One sentence per thing the caller should know, in this order: what reading the
        file found (counts that disagree with the file, a direction flag overriding the
        file's header), accounts added without edges, weighted cascade chosen, LT weights
        normalised; empty when the source was used as it is.

    Raises
    ------
    AmbiguousDirection
        `undirected` is None and the graph file is a plain edge list whose lines all run
        one way (a :class:`GraphError`).
    GraphError
        Unknown `model` or probability model; a missing graph or workspace file; a
        workspace with no follows rows (in `import_ids`, when given); a bad line of a graph
        file or a bad follows row (probability outside [0, 1], empty id, some rows weighted
        and others not), named by file and line or by import and row.

    See Also
    --------
    ripplemeter.network.seeding.select_seeds : chooses the seeds on this graph.

    Notes
    -----
    The rules are those of ``ripplemeter seeds``: weighted cascade is the usual choice for
    follower graphs without measured probabilities (Chen et al. 2009), and the Linear
    Threshold model requires every node's in-weights to sum to at most 1 (Kempe et al.
    2003).

    References
    ----------
    Kempe, Kleinberg, Tardos. "Maximizing the Spread of Influence through a Social
    Network." KDD 2003.

    Chen, Wang, Yang. "Efficient Influence Maximization in Social Networks." KDD 2009.

    Examples
    --------
    >>> g, notes = seeding_graph("follows.csv", model="lt")          # doctest: +SKIP
    >>> g, notes = seeding_graph(ws, import_ids=[3, 4], probability="constant:0.05")
    ...                                                              # doctest: +SKIP
    """
    name = str(model).strip().lower()
    if name not in ("ic", "lt"):
        raise GraphError(f"unknown diffusion model '{model}'; expected 'ic' or 'lt'")
    combine = name
    if isinstance(probability, int | float) and not isinstance(probability, bool):
        probability = f"constant:{float(probability)!r}"

    if isinstance(source, str | Path):
        path = Path(source)
        if path.suffix.lower() in WORKSPACE_SUFFIXES:
            from ripplemeter.workspace import Workspace

            if not path.is_file():
                raise GraphError(f"{path.name}: no such workspace file")
            with Workspace(path, read_only=True) as ws:
                g = _from_follows(ws, path.name, combine, import_ids, bool(undirected))
        else:
            if import_ids is not None:
                raise GraphError(
                    f"{path.name}: import_ids scope a workspace's follows rows, not a graph file"
                )
            from ripplemeter.formats.graph_files import read_edgelist

            g = read_edgelist(
                path, undirected=undirected, combine=combine, random_state=random_state
            )
    else:
        label = getattr(source, "path", None)
        label = Path(label).name if label else "the workspace"
        g = _from_follows(source, label, combine, import_ids, bool(undirected))

    notes: list[str] = list(g.stats.notes)
    if nodes is not None:
        before = g.stats.nodes_added
        if isinstance(nodes, str | Path):
            from ripplemeter.formats.graph_files import read_id_list

            nodes, _ = read_id_list(nodes, whole_numbers=g.ids.dtype.kind in "iu")
        g = g.with_nodes(nodes)
        added = g.stats.nodes_added - before
        if added:
            notes.append(
                f"{added:,} account(s) of the node list have no edges in the graph; they can "
                "be chosen but reach only themselves"
            )
    if probability is None and g.stats.probability_model == "unweighted":
        probability = "wc"
        notes.append(WC_NOTE)
    if probability is not None:
        g = g.with_probabilities(str(probability), random_state=random_state)
    elif name == "lt":
        insum = lt_in_weight_sums(g)
        over = int((insum > 1.0 + 1e-9).sum())
        if over:
            g = g.with_probabilities("lt", random_state=random_state)
            notes.append(
                f"LT in-weights of {over} node(s) sum to more than 1 (at most "
                f"{insum.max():.6g}); normalised per node as with --probability lt"
            )
    return g, notes


def _from_follows(
    ws: Any,
    label: str,
    combine: str,
    import_ids: Sequence[int] | None,
    undirected: bool,
) -> Graph:
    g = from_workspace(ws, combine=combine, import_ids=import_ids, undirected=undirected)
    if g.stats.lines_read == 0:
        scope = ""
        if import_ids is not None:
            shown = ", ".join(str(int(i)) for i in import_ids) or "none"
            scope = f" in imports {shown}"
        raise GraphError(
            f"{label}: the workspace has no follows rows{scope}; import a who-follows-whom "
            "table first, e.g. `ripplemeter import follows.csv --format generic "
            "--table follows --column src_account_id=follower --column "
            "dst_account_id=followed`"
        )
    return g
