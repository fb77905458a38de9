"""The standards brochure: standards.toml rendered as a document the team can share.

The sentences come from :func:`ripplemeter.operations.standards.describe` (plain words for
a marketing lead); this module only lays them out (``templates/brochure.html``, every
value escaped by Jinja2's autoescaping) and prints a PDF with the report's own
:func:`ripplemeter.report.pdf.write_pdf`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BrochurePaths", "render_brochure", "write_brochure"]


@dataclass(frozen=True)
class BrochurePaths:
    """Files written by :func:`write_brochure`."""

    html: Path
    pdf: Path | None = None


def render_brochure(standards, team=None, *, made: dt.date | None = None) -> str:
    """The brochure as one HTML page (no script, no external file).

    Parameters
    ----------
    standards : Standards
        A loaded standards.toml.
    team : Team, optional
        Adds the team's members, roles and groups.
    made : date, optional
        Date printed in the footer (left out when None, so that output is reproducible).

    Returns
    -------
    str
        HTML; terms, names and ids from the files are escaped.
    """
    import jinja2

    from ripplemeter import __version__
    from ripplemeter.operations.standards import describe

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("ripplemeter.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    source = standards.path.name if standards.path is not None else "standards.toml"
    return env.get_template("brochure.html").render(
        d=describe(standards, team),
        version=__version__,
        source=source,
        made=made.isoformat() if made else None,
    )


def write_brochure(
    standards, out: str | Path, team=None, *, pdf: bool = False, made: dt.date | None = None
) -> BrochurePaths:
    """Write ``OUT/brochure.html`` (and ``OUT/brochure.pdf`` with ``pdf=True``).

    Parameters
    ----------
    standards : Standards
    out : str or Path
        Folder, created if missing.
    team : Team, optional
    pdf : bool
        Also print a PDF with headless Chromium (see :mod:`ripplemeter.report.pdf`).
    made : date, optional

    Returns
    -------
    BrochurePaths

    Raises
    ------
    PdfError
        ``pdf=True`` without Playwright or Chromium (checked before anything is written),
        or the browser failed.
    """
    from ripplemeter.report.pdf import check_pdf_tools, write_pdf

    if pdf:
        check_pdf_tools()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    html = out / "brochure.html"
    html.write_text(render_brochure(standards, team, made=made), encoding="utf-8")
    pdf_path = write_pdf(html, out / "brochure.pdf") if pdf else None
    return BrochurePaths(html, pdf_path)
