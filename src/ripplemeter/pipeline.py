"""The campaign pipeline in one call: import the sources, evaluate, (write the report).

Each step is its own library call (:meth:`Campaign.import_sources`,
:func:`ripplemeter.evaluate.evaluate_campaign`, :func:`ripplemeter.report.write_report`);
this module chains them for the CLI and for notebooks:

>>> from ripplemeter.campaign import load_campaign            # doctest: +SKIP
>>> from ripplemeter.pipeline import import_and_evaluate      # doctest: +SKIP
>>> result = import_and_evaluate(load_campaign("campaign.toml"))  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ripplemeter.campaign import Campaign
from ripplemeter.evaluate import CampaignEvaluation, evaluate_campaign, open_workspace
from ripplemeter.workspace import Workspace

__all__ = ["import_and_evaluate", "run_report"]


def import_and_evaluate(
    campaign: Campaign,
    workspace: Workspace | str | Path | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> CampaignEvaluation:
    """Import the campaign's sources (idempotently), then evaluate them.

    Parameters
    ----------
    campaign : Campaign
    workspace : Workspace, str or Path, optional
        Default ``ripplemeter.duckdb`` beside campaign.toml.
    progress : callable, optional
        Receives short stage descriptions.

    Raises
    ------
    FormatError
        A source does not match its format (nothing of that source was written).
    EvaluationError
        See :func:`ripplemeter.evaluate.evaluate_campaign`.
    """
    with open_workspace(workspace, campaign) as ws:
        imports = campaign.import_sources(ws, progress=progress)
        return evaluate_campaign(campaign, ws, imports=imports, progress=progress)


def run_report(
    campaign: Campaign,
    out: str | Path,
    workspace: Workspace | str | Path | None = None,
    *,
    progress: Callable[[str], None] | None = None,
):
    """Import, evaluate and write ``report.html`` and ``metrics.json`` into ``out``.

    Returns
    -------
    (CampaignEvaluation, ReportPaths)
    """
    from ripplemeter.report import write_report

    result = import_and_evaluate(campaign, workspace, progress=progress)
    if progress:
        progress("writing the report")
    return result, write_report(result, out)
