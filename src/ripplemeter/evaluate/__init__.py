"""Campaign evaluation: a loop over the report sections a campaign enables.

Evaluation only reads. Import the campaign's sources first (:meth:`Campaign.import_sources`,
or ``ripplemeter report``, which does both), then evaluate:

>>> from ripplemeter.campaign import load_campaign               # doctest: +SKIP
>>> camp = load_campaign("campaign.toml")                        # doctest: +SKIP
>>> camp.import_sources()                                        # doctest: +SKIP
>>> result = evaluate_campaign(camp)                             # doctest: +SKIP
>>> result.value("quantitative.cpc.value")                       # doctest: +SKIP
>>> result["exposure"].frames["posts_per_day"]                   # doctest: +SKIP

Every section is a :class:`~ripplemeter.evaluate.section.Section` registered by id (see
:mod:`ripplemeter.evaluate.section`); metrics.json is built from their results here, and
the report renders the same results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import pandas as pd

from ripplemeter import __version__
from ripplemeter.campaign import Campaign
from ripplemeter.errors import EvaluationError
from ripplemeter.evaluate import metrics as M
from ripplemeter.evaluate.context import EvalContext, TableAccess
from ripplemeter.evaluate.section import (
    Figure,
    Section,
    SectionResult,
    available_sections,
    get_section,
)
from ripplemeter.evaluate.summary import comparison_basis, summarise
from ripplemeter.workspace import ImportResult, Workspace

__all__ = [
    "CampaignEvaluation",
    "EvalContext",
    "Figure",
    "SectionResult",
    "default_workspace_path",
    "evaluate_campaign",
    "make_context",
    "resolve_path",
]


def resolve_path(doc: Any, path: str) -> Any:
    """The value at a dotted metrics.json path (list items by index).

    Keys may themselves contain dots (a search term such as ``node.js``): the longest key
    that matches is taken first.

    Raises
    ------
    KeyError
        Nothing at that path.
    """
    parts = path.split(".")

    def walk(node: Any, i: int) -> Any:
        if i == len(parts):
            return node
        for j in range(len(parts), i, -1):
            key = ".".join(parts[i:j])
            if isinstance(node, dict) and key in node:
                try:
                    return walk(node[key], j)
                except KeyError:
                    continue
            if isinstance(node, list) and j == i + 1 and key.isdigit() and int(key) < len(node):
                return walk(node[int(key)], j)
        raise KeyError(path)

    return walk(doc, 0)


def _place(doc: dict, path: str, value: Any) -> None:
    node = doc
    parts = path.split(".")
    for p in parts[:-1]:
        node = node.setdefault(p, {})
    node[parts[-1]] = value


@dataclass
class CampaignEvaluation:
    """The results of every section of a campaign, by section id.

    Attributes
    ----------
    campaign : Campaign
    imports : list[ImportResult]
        One per source, in campaign.toml order.
    results : dict[str, SectionResult]
        Section id -> result, in report order.
    sections : dict[str, Section]
        Section id -> the section that produced it (title, metrics, template).
    warnings, notes : list[str]
        The imports' notes, then every section's warnings and notes, in report order.
    source_sha256 : dict[int, str]
        Import id -> the SHA-256 of the file imported (from the workspace's import log).
    """

    campaign: Campaign
    imports: list[ImportResult]
    results: dict[str, SectionResult]
    sections: dict[str, Section]
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    source_sha256: dict[int, str] = field(default_factory=dict)
    _doc: dict | None = field(default=None, repr=False)

    def __getitem__(self, section_id: str) -> SectionResult:
        return self.results[section_id]

    def __contains__(self, section_id: str) -> bool:
        return section_id in self.results

    @property
    def figures(self) -> list[Figure]:
        """Every figure of every section, in report order."""
        return [f for r in self.results.values() for f in r.figures]

    def figure(self, path: str) -> Figure:
        """The figure at a metrics.json path (KeyError if none)."""
        for f in self.figures:
            if f.path == path:
                return f
        raise KeyError(path)

    def value(self, path: str) -> Any:
        """The value at a metrics.json path, e.g. ``quantitative.cpc.value``.

        Raises
        ------
        KeyError
            Nothing at that path; the message names the sections that had no data and why.
        """
        try:
            return resolve_path(self.metrics(), path)
        except KeyError:
            missing = [
                f"{self.sections[sid].title} ({r.reason})"
                for sid, r in self.results.items()
                if r.status != "ok"
            ]
            why = "; sections without data: " + "; ".join(missing) if missing else ""
            raise KeyError(f"{path!r} is not in this evaluation{why}") from None

    def frame(self, name: str) -> pd.DataFrame | None:
        """The first section frame with this name (``posts_per_day``, ``top_posts``...)."""
        for r in self.results.values():
            if name in r.frames:
                return r.frames[name]
        return None

    def metrics(self) -> dict:
        """The metrics.json document: every figure, its metric id and the definitions.

        Built generically: each section's ``data`` is placed at its dotted paths, its
        figures listed with their metric ids, and the definitions of every metric a figure
        (or a chart) uses are carried under ``definitions``. ``summary`` holds the
        sentences the report opens with (:func:`ripplemeter.evaluate.summary.summarise`),
        each with its text and the figures it quotes; ``campaign.comparison_basis`` says
        once how the two windows are compared. Sources are named by file name and SHA-256,
        never by a local path.
        """
        if self._doc is not None:
            return self._doc
        c = self.campaign
        doc: dict = {
            "ripplemeter_version": __version__,
            "generated_data": c.generated,
            "campaign": {
                "name": c.name,
                "start": c.start.isoformat(),
                "end": c.end.isoformat(),
                "baseline_start": c.baseline_start.isoformat(),
                "baseline_end": c.baseline_end.isoformat(),
                "baseline_defaulted": c.baseline_defaulted,
                "timezone": c.timezone,
                "currency": c.currency,
                "days": c.days,
                "baseline_days": c.baseline_days,
                "comparison_basis": comparison_basis(c.days, c.baseline_days),
            },
            "sources": [
                {
                    "file": Path(r.path).name,
                    "sha256": self.source_sha256.get(int(r.import_id)),
                    "format": r.format,
                    "import_id": r.import_id,
                    "rows": r.rows,
                    "already_imported": r.skipped,
                    "notes": r.notes,
                }
                for r in self.imports
            ],
            "quantitative": {},
        }
        owner: dict[str, str] = {}
        for sid, res in self.results.items():
            for path in res.data:
                for other, who in owner.items():
                    if who != sid and (
                        other == path
                        or other.startswith(path + ".")
                        or path.startswith(other + ".")
                    ):
                        raise EvaluationError(
                            f"sections '{who}' and '{sid}' both write metrics.json at "
                            f"'{other}' / '{path}'; each section keeps to its own paths"
                        )
                owner[path] = sid
            for path, value in res.data.items():
                _place(doc, path, value)
        figures = self.figures
        seen: dict[str, str] = {}
        for sid, res in self.results.items():
            for f in res.figures:
                if f.path in seen:
                    raise EvaluationError(
                        f"sections '{seen[f.path]}' and '{sid}' both report a figure at "
                        f"'{f.path}'; a figure has one path"
                    )
                seen[f.path] = sid
        used = {f.metric for f in figures}
        for res in self.results.values():
            used |= set(res.uses)
        doc["figures"] = [f.to_dict() for f in figures]
        doc["summary"] = [s.to_dict(self) for s in summarise(self)]
        doc["warnings"] = list(self.warnings)
        doc["notes"] = list(self.notes)
        doc["definitions"] = {mid: M.get(mid).definition() for mid in sorted(used)}
        doc["sections"] = {
            sid: {
                "title": self.sections[sid].title,
                "status": r.status,
                **({"reason": r.reason} if r.reason else {}),
            }
            for sid, r in self.results.items()
        }
        self._doc = doc
        return doc


def default_workspace_path(campaign: Campaign) -> Path:
    """``ripplemeter.duckdb`` beside the campaign file (or in the current folder)."""
    return (campaign.path.parent if campaign.path else Path.cwd()) / "ripplemeter.duckdb"


@contextmanager
def open_workspace(
    workspace: Workspace | str | Path | None, campaign: Campaign
) -> Iterator[Workspace]:
    """The workspace to use: the one given (left open), or a file opened and closed here.

    ``None`` means ``ripplemeter.duckdb`` beside campaign.toml.
    """
    if isinstance(workspace, Workspace):
        yield workspace
        return
    ws = Workspace(workspace if workspace is not None else default_workspace_path(campaign))
    try:
        yield ws
    finally:
        ws.close()


def _find_imports(ws: Workspace, campaign: Campaign) -> list[ImportResult]:
    found = []
    for i, src in enumerate(campaign.sources):
        res = ws.find_import(src.path, src.format, campaign.source_context(src))
        if res is None:
            raise EvaluationError(
                f"{src.path.name} (source {i + 1} of {campaign.file_name}) is not imported "
                "into this workspace yet; run `ripplemeter report`, or call "
                "campaign.import_sources() before evaluate_campaign()"
            )
        found.append(res)
    return found


def make_context(ws: Workspace, campaign: Campaign, imports: Sequence[ImportResult]) -> EvalContext:
    """The :class:`EvalContext` of a campaign over a workspace and its imports."""
    ids = tuple(sorted({int(r.import_id) for r in imports}))
    backend = ibis.duckdb.from_connection(ws.con)
    paths = {}
    if ids:
        rows = ws.con.execute(
            f"SELECT import_id, path FROM imports WHERE import_id IN ({','.join('?' * len(ids))})",
            list(ids),
        ).fetchall()
        paths = {int(a): str(b) for a, b in rows}
    return EvalContext(
        scope=ids,
        window=campaign.window,
        currency=campaign.currency,
        fx=dict(campaign.fx),
        tables=TableAccess(backend, ids),
        benchmarks=dict(campaign.benchmarks),
        rate_cards=tuple(campaign.rate_cards),
        settings=dict(campaign.settings),
        campaign_file=campaign.path,
        source_paths=paths,
    )


def evaluate_campaign(
    campaign: Campaign,
    workspace: Workspace | str | Path | None = None,
    *,
    imports: Sequence[ImportResult] | None = None,
    progress: Callable[[str], None] | None = None,
) -> CampaignEvaluation:
    """Evaluate a campaign whose sources are in the workspace: run its sections.

    Parameters
    ----------
    campaign : Campaign
        From :func:`ripplemeter.campaign.load_campaign`.
    workspace : Workspace, str or Path, optional
        Default ``ripplemeter.duckdb`` beside campaign.toml. Only rows that came from the
        campaign's own sources are evaluated.
    imports : sequence of ImportResult, optional
        What :meth:`Campaign.import_sources` returned; by default each source is looked up
        in the workspace's import log (by its bytes, format and settings).
    progress : callable, optional
        Receives short stage descriptions (one per section).

    Returns
    -------
    CampaignEvaluation

    Raises
    ------
    EvaluationError
        A source is not imported yet; currencies mixed without an ``[[fx]]`` rate; a rate
        card given twice.
    GraphError
        Invalid follows rows for the seeding section.
    """
    if not isinstance(workspace, Workspace):
        path = Path(workspace) if workspace is not None else default_workspace_path(campaign)
        if not path.is_file():
            raise EvaluationError(
                f"no workspace at {path}: import the campaign's sources first (`ripplemeter "
                "report` does both, or call campaign.import_sources())"
            )
    with open_workspace(workspace, campaign) as ws:
        imps = list(imports) if imports is not None else _find_imports(ws, campaign)
        ctx = make_context(ws, campaign, imps)
        chosen = (
            [get_section(s) for s in campaign.sections]
            if campaign.sections is not None
            else available_sections()
        )
        chosen.sort(key=lambda s: (s.order, s.id))
        results: dict[str, SectionResult] = {}
        warnings: list[str] = []
        notes: list[str] = [n for r in imps for n in r.notes]
        for section in chosen:
            if progress:
                progress(f"evaluating: {section.title.lower()}")
            res = section.run(ctx)
            results[section.id] = res
            warnings.extend(res.warnings)
            notes.extend(res.notes)
        sha = _import_sha256(ws, [int(r.import_id) for r in imps])
        return CampaignEvaluation(
            campaign, imps, results, {s.id: s for s in chosen}, warnings, notes, sha
        )


def _import_sha256(ws: Workspace, ids: Sequence[int]) -> dict[int, str]:
    """Import id -> the SHA-256 of the file, from the workspace's import log."""
    if not ids:
        return {}
    rows = ws.con.execute(
        f"SELECT import_id, sha256 FROM imports WHERE import_id IN ({','.join('?' * len(ids))})",
        list(ids),
    ).fetchall()
    return {int(a): str(b) for a, b in rows if b is not None}
