"""The report as a PDF for the client deck: Chromium's own print to PDF, through Playwright.

The HTML report is printed exactly as a reader would print it from the browser (its print
stylesheet, A4), after its charts have been drawn. Nothing is downloaded: the Chromium
installed on the machine is used (Debian's ``chromium`` package, Google Chrome, or the
program named by ``RIPPLEMETER_CHROMIUM``).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from ripplemeter.errors import RippleError

__all__ = ["PdfError", "check_pdf_tools", "find_chromium", "playwright_hint", "write_pdf"]

#: Programs tried, in order, when ``RIPPLEMETER_CHROMIUM`` is not set.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

# Flags that let a headless Chromium start in containers and offline (no sandbox as root, no
# GPU, no update or sync traffic).
_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)

_INSTALL_HINT = (
    "install Chromium (Debian/Ubuntu: apt-get install chromium) or set RIPPLEMETER_CHROMIUM "
    "to a Chromium or Chrome program"
)


class PdfError(RippleError):
    """The PDF cannot be made: no Chromium, no Playwright, or the browser failed."""


def playwright_hint() -> str:
    """How to install the ``pdf`` extra (Playwright), as one clause for an error message.

    Returns
    -------
    str
        For a source checkout (``pyproject.toml`` beside ``src/ripplemeter``, the usual
        ``pip install -e .``), the command to run there with the running interpreter's own
        pip (``cd CHECKOUT && .venv/bin/pip install -e '.[pdf]'``), followed by the command
        for an installed package (``pip install 'ripplemeter[pdf]'``); otherwise only the
        latter.
    """
    plain = "pip install 'ripplemeter[pdf]'"
    root = Path(__file__).resolve().parents[3]
    if not ((root / "pyproject.toml").is_file() and (root / "src" / "ripplemeter").is_dir()):
        return f"install the pdf extra: {plain}"
    pip = Path(sys.executable).parent / "pip"
    try:
        shown = str(pip.relative_to(root))
    except ValueError:
        shown = str(pip)
    return (
        f"install the pdf extra: cd {root} && {shown} install -e '.[pdf]' "
        f"(outside a ripplemeter checkout: {plain})"
    )


def _has_playwright() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


def check_pdf_tools() -> Path:
    """Check, before any work, that a PDF can be printed: Playwright and Chromium installed.

    Returns
    -------
    Path
        The Chromium program :func:`find_chromium` found.

    Raises
    ------
    PdfError
        Playwright (the ``pdf`` extra) is not installed, Chromium is not installed (or
        ``RIPPLEMETER_CHROMIUM`` names no program), or both; one message says everything
        missing and how to install it (:func:`playwright_hint`).
    """
    try:
        chromium: Path | None = find_chromium()
        chromium_problem = None
    except PdfError as exc:
        chromium, chromium_problem = None, str(exc)
    if _has_playwright():
        if chromium_problem is not None:
            raise PdfError(chromium_problem)
        assert chromium is not None
        return chromium
    if chromium_problem is None:
        raise PdfError(
            f"a PDF needs the Playwright package, which is not installed; {playwright_hint()}"
        )
    if os.environ.get("RIPPLEMETER_CHROMIUM"):
        raise PdfError(
            f"a PDF needs the Playwright package, which is not installed; {playwright_hint()}; "
            f"also {chromium_problem}"
        )
    raise PdfError(
        "a PDF needs the Playwright package and Chromium, and neither is installed here; "
        f"{playwright_hint()}; and {_INSTALL_HINT}"
    )


def find_chromium() -> Path:
    """The Chromium (or Chrome) program to print with.

    Returns
    -------
    Path
        ``RIPPLEMETER_CHROMIUM`` when set, else the first of :data:`CHROMIUM_NAMES` on
        ``PATH``.

    Raises
    ------
    PdfError
        ``RIPPLEMETER_CHROMIUM`` names no program, or none is installed.
    """
    named = os.environ.get("RIPPLEMETER_CHROMIUM")
    if named:
        found = shutil.which(named)
        if found is None:
            raise PdfError(f"RIPPLEMETER_CHROMIUM={named}: no such program; {_INSTALL_HINT}")
        return Path(found)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found is not None:
            return Path(found)
    raise PdfError(f"a PDF needs Chromium, which is not installed here; {_INSTALL_HINT}")


def write_pdf(
    html_path: str | Path,
    pdf_path: str | Path,
    *,
    timeout_ms: int = 60_000,
) -> Path:
    """Print an HTML report to a PDF with headless Chromium (A4, backgrounds kept).

    Parameters
    ----------
    html_path : str or Path
        The report written by :func:`ripplemeter.report.write_report` (``report.html``); it
        is opened from disk, so it must open offline (it inlines plotly.js).
    pdf_path : str or Path
        The PDF to write (its folder must exist). Written only when printing succeeded:
        the PDF is printed to a temporary file beside it and then renamed.
    timeout_ms : int
        How long loading the page and drawing its charts may take, in milliseconds.

    Returns
    -------
    Path
        ``pdf_path``.

    Raises
    ------
    PdfError
        The HTML file is missing; Playwright (``pip install 'ripplemeter[pdf]'``) or
        Chromium (:func:`find_chromium`) is not installed (:func:`check_pdf_tools` says so
        before any work); the browser failed or timed out.

    Notes
    -----
    The page is laid out for print media with the page size its stylesheet asks for
    (``@page { size: A4 }``; A4 when it asks none) and background colours kept, so the
    colours of the charts and cards survive. Plotly charts are drawn before printing: the
    page is printed once every ``.js-plotly-plot`` element holds its SVG.

    References
    ----------
    Chrome DevTools Protocol, ``Page.printToPDF``; Playwright for Python, ``Page.pdf``.
    """
    html_path = Path(html_path).resolve()
    pdf_path = Path(pdf_path)
    if not html_path.is_file():
        raise PdfError(f"{html_path.name}: file not found; write the HTML report first")
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise PdfError(
            f"a PDF needs the Playwright package, which is not installed; {playwright_hint()}"
        ) from None
    chromium = find_chromium()
    tmp = pdf_path.with_name(f".{pdf_path.name}.part")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(chromium), args=list(_FLAGS))
            try:
                page = browser.new_page()
                page.emulate_media(media="print")
                page.goto(html_path.as_uri(), wait_until="load", timeout=timeout_ms)
                page.wait_for_function(
                    "() => [...document.querySelectorAll('.js-plotly-plot')]"
                    ".every(el => el.querySelector('svg.main-svg'))",
                    timeout=timeout_ms,
                )
                page.pdf(
                    path=str(tmp),
                    format="A4",
                    print_background=True,
                    prefer_css_page_size=True,
                )
            finally:
                browser.close()
    except PlaywrightError as exc:
        tmp.unlink(missing_ok=True)
        first = (str(exc).strip().splitlines() or ["unknown error"])[0]
        raise PdfError(f"Chromium ({chromium}) could not print the report: {first}") from None
    os.replace(tmp, pdf_path)
    return pdf_path
