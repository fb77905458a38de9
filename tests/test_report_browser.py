"""The demo report opens in headless Chromium: every chart renders, no JavaScript error.

Uses Debian's chromium driven by Playwright (``executable_path``); Playwright's own browser
downloads do not work offline. `make test` installs chromium with apt-get when it runs as
root; elsewhere this test skips and says why — except under CI, where it must run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ripplemeter.campaign import load_campaign
from ripplemeter.demo import generate_demo
from ripplemeter.pipeline import import_and_evaluate
from ripplemeter.report import write_report

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _launch():
    if not Path(CHROMIUM).exists():
        why = "Debian chromium is not installed (make test installs it with apt-get as root)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser test: {why}")
        pytest.skip(why)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover
        pytest.fail(f"playwright is a dev dependency and should be installed: {exc}")
    return sync_playwright


def test_demo_report_renders_every_chart_without_js_errors(tmp_path):
    sync_playwright = _launch()
    toml_path = generate_demo(tmp_path / "data", seed=7)
    result = import_and_evaluate(load_campaign(toml_path), workspace=tmp_path / "ws.duckdb")
    paths = write_report(result, tmp_path / "out")
    html = paths.html.read_text()
    n_charts = html.count('class="plotly-graph-div"')
    assert n_charts >= 4
    errors: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
        page.on(
            "console",
            lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None,
        )
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(paths.html.as_uri(), wait_until="load")
        page.wait_for_function(
            f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {n_charts}",
            timeout=30_000,
        )
        rendered = page.evaluate(
            "Array.from(document.querySelectorAll('.plotly-graph-div')).map(d => "
            "[d.id, d.querySelectorAll('.main-svg').length, "
            "d.querySelectorAll('.scatterlayer .trace, .barlayer .trace, .sunburstlayer .slice')"
            ".length])"
        )
        page.on("dialog", lambda d: errors.append(f"dialog opened: {d.message}"))
        page.screenshot(path=str(ARTIFACTS / "demo-report.png"), full_page=True)
        # the A4 print stylesheet: no contents list, a page per section, charts within the page
        page.emulate_media(media="print")
        printed = page.evaluate(
            "({nav: getComputedStyle(document.querySelector('nav')).display,"
            " breaks: Array.from(document.querySelectorAll('main > section'))"
            ".map(s => [s.id, getComputedStyle(s).breakBefore]),"
            " widest: Math.max(...Array.from(document.querySelectorAll('.chart'))"
            ".map(c => c.getBoundingClientRect().width))})"
        )
        a4 = page.pdf(format="A4", print_background=True)
        browser.close()
    assert printed["nav"] == "none"
    assert printed["breaks"][0] == ["summary", "auto"]
    assert all(b == "page" for _, b in printed["breaks"][1:]), printed["breaks"]
    # A4 is 210 mm wide; 186 mm of it (the printable width) is about 703 CSS pixels
    assert printed["widest"] <= 703 + 1, printed["widest"]
    assert a4.startswith(b"%PDF")
    assert errors == []
    assert len(rendered) == n_charts
    for div, svgs, traces in rendered:
        assert svgs >= 1 and traces >= 1, f"chart {div} did not render"
    # offline: nothing but the file itself was requested
    assert all(u.startswith("file://") for u in requests), requests
