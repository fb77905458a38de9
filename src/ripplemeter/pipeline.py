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
from ripplemeter.errors import RippleError
from ripplemeter.evaluate import (
    CampaignEvaluation,
    default_workspace_path,
    evaluate_campaign,
    open_workspace,
)
from ripplemeter.workspace import Workspace, remove_if_empty

__all__ = ["check_out_folder", "import_and_evaluate", "run_report"]


def check_out_folder(out: str | Path) -> Path:
    """Check that ``out`` can be the report's folder, before any work is done.

    Parameters
    ----------
    out : str or Path
        The output folder: absent (it is created) or an existing folder (the report's
        files in it are replaced).

    Returns
    -------
    Path

    Raises
    ------
    RippleError
        ``out`` is an existing file, or a file stands where one of its parent folders
        would be.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise RippleError(
            f"--out {out}: is a file, not a folder; give a folder for report.html and "
            "metrics.json (it is created if missing)"
        )
    for parent in out.parents:
        if parent.exists():
            if not parent.is_dir():
                raise RippleError(f"--out {out}: {parent} is a file, not a folder")
            break
    return out


def import_and_evaluate(
    campaign: Campaign,
    workspace: Workspace | str | Path | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> CampaignEvaluation:
    """Import the campaign's sources (idempotently), annotate their texts, then evaluate them.

    Texts not yet annotated by the current models get language, sentiment, spam and aspects
    (:func:`ripplemeter.text.annotate.annotate_workspace`), which the opinion section reads.

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
    path = None
    if not isinstance(workspace, Workspace):
        path = Path(workspace) if workspace is not None else default_workspace_path(campaign)
    created = path is not None and not path.exists()
    try:
        with open_workspace(workspace, campaign) as ws:
            imports = campaign.import_sources(ws, progress=progress)
            from ripplemeter.text.annotate import annotate_workspace

            if progress:
                progress("annotating texts: language, sentiment, spam, aspects")
            annotate_workspace(ws, import_ids=[r.import_id for r in imports])
            return evaluate_campaign(campaign, ws, imports=imports, progress=progress)
    except RippleError:
        if created:
            remove_if_empty(path)  # a first source that fails leaves no empty workspace file
        raise


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

    Raises
    ------
    RippleError
        ``out`` is a file (checked before anything is imported, :func:`check_out_folder`),
        or any error of :func:`import_and_evaluate`.
    """
    from ripplemeter.report import write_report

    check_out_folder(out)
    result = import_and_evaluate(campaign, workspace, progress=progress)
    if progress:
        progress("writing the report")
    return result, write_report(result, out)
