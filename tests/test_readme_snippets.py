"""The README's Python snippets run as written, against the demo campaign.

Each ```python block of README.md is executed in order in one namespace, in the folder of the
demo's campaign.toml (as a user who ran ``make demo`` and opened a notebook there would), and
the values its comments promise are checked against the evaluation itself.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ripplemeter.demo import generate_demo

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks(text: str) -> list[str]:
    """The bodies of the fenced ``python`` blocks, in order."""
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def test_readme_has_python_snippets():
    blocks = python_blocks(README.read_text(encoding="utf-8"))
    assert blocks, "README.md has no ```python block"
    # every call line in a snippet says what it returns (a comment), so a reader knows
    for block in blocks:
        for line in block.splitlines():
            code = line.split("#", 1)[0].strip()
            if code and not code.startswith(("from ", "import ")) and "=" not in code.split("(")[0]:
                assert "#" in line, f"README snippet line without a comment: {line!r}"


def test_readme_snippets_run_against_the_demo(tmp_path, monkeypatch):
    campaign_toml = generate_demo(tmp_path / "demo")
    monkeypatch.chdir(campaign_toml.parent)
    ns: dict = {}
    for block in python_blocks(README.read_text(encoding="utf-8")):
        exec(compile(block, "README.md", "exec"), ns)  # noqa: S102 - our own README
    res = ns.get("res")
    assert res is not None, "the README snippet no longer binds `res`"
    doc = res.metrics()
    # the paths the README names exist and read as metrics.json has them
    assert (
        res.value("quantitative.exposure.impressions")
        == (doc["quantitative"]["exposure"]["impressions"])
    )
    assert res.value("quantitative.cpc.value") == doc["quantitative"]["cpc"]["value"]
    # a path the campaign lacks is a KeyError, as the README's comment says
    with pytest.raises(KeyError):
        res.value("quantitative.no_such_figure")
    # importing again is idempotent: nothing new is imported
    again = ns["camp"].import_sources()
    assert again and all(r.skipped for r in again)
