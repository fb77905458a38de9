"""Start-up without waiting (issue 7, item 11): `ripplemeter --help`, `--version` and
`formats` import no heavy library. Checked by the modules a fresh interpreter has loaded,
never by wall-clock time (benchmarks/bench_startup.py prints the times)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: imported only inside the commands (and library modules) that need them
HEAVY = ("plotly", "numba", "ibis", "scipy", "statsmodels", "pandas", "duckdb", "pyarrow")

PROBE = """
import json, sys
from typer.testing import CliRunner
{setup}
heavy = {heavy!r}
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & set(heavy))))
"""


def loaded_after(setup: str) -> list[str]:
    """Heavy top-level packages loaded by a fresh interpreter after running ``setup``."""
    code = PROBE.format(setup=setup, heavy=HEAVY)
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout.strip().splitlines()[-1])


def test_importing_the_package_and_the_cli_loads_no_heavy_library():
    assert loaded_after("import ripplemeter") == []
    assert loaded_after("import ripplemeter.cli") == []


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["--version"], ["formats"], ["report", "-h"]])
def test_quick_commands_load_no_heavy_library(args):
    setup = (
        "from ripplemeter.cli import app\n"
        f"res = CliRunner().invoke(app, {args!r})\n"
        "assert res.exit_code == 0, res.output\n"
    )
    assert loaded_after(setup) == []


def test_formats_lists_what_the_registry_holds():
    """The quick listing (read from the format modules' source) equals the registry."""
    from ripplemeter.formats import available_formats, format_summaries

    assert format_summaries() == [(f.name, f.summary) for f in available_formats()]


def test_importtime_of_the_cli_names_no_heavy_module():
    """The same fact through `python -X importtime` (what a user would run to look)."""
    res = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import ripplemeter.cli"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    modules = {
        line.rsplit("|", 1)[-1].strip().split(".")[0]
        for line in res.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "ripplemeter" in modules
    assert modules.isdisjoint(HEAVY), sorted(modules & set(HEAVY))
