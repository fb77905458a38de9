"""``tests/replay.py`` run standalone without the test tools: one plain line, exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPLAY = Path(__file__).resolve().parent / "replay.py"

# runs the script as `python tests/replay.py` would, with the module made unimportable
# (None in sys.modules makes `import NAME` raise ModuleNotFoundError naming it)
RUN_WITHOUT = """
import runpy, sys
sys.modules[{module!r}] = None
sys.argv = [{path!r}, "--port", "0"]
runpy.run_path({path!r}, run_name="__main__")
"""


@pytest.mark.parametrize("module", ["pytest", "yaml"])
def test_missing_test_tools_is_one_plain_line(module):
    code = RUN_WITHOUT.format(module=module, path=str(REPLAY))
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.returncode == 2
    assert res.stdout == ""
    assert res.stderr == (
        f"error: tests/replay.py needs the test tools ({module} is not installed); install "
        'them with `.venv/bin/pip install -e ".[dev]"` (or `make test`) in the project '
        "folder, then run it again\n"
    )
