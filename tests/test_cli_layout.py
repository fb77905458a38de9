"""The CLI package: one module per command group, all registered on one Typer app."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from ripplemeter.cli import app, friendly
from ripplemeter.errors import RippleError


def test_every_command_is_registered_by_its_module():
    by_name = {
        c.name or c.callback.__name__: c.callback.__module__ for c in app.registered_commands
    }
    assert by_name == {
        "import": "ripplemeter.cli.imports",
        "formats": "ripplemeter.cli.imports",
        "report": "ripplemeter.cli.report",
        "demo": "ripplemeter.cli.report",
        "metrics": "ripplemeter.cli.report",
        "seeds": "ripplemeter.cli.seeds",
        "cascades": "ripplemeter.cli.cascades",
        "sentiment": "ripplemeter.cli.text",
        "aspects": "ripplemeter.cli.opinion_cli",
        "annotate": "ripplemeter.cli.annotate",
        "classify": "ripplemeter.cli.classify",
        "audit": "ripplemeter.cli.audit",
    }


def test_every_command_group_is_registered_by_its_module():
    """Groups (``ripplemeter listen collect``...) live in one module each, like commands."""
    by_name = {g.name: g.typer_instance for g in app.registered_groups}
    modules = {
        name: {c.callback.__module__ for c in t.registered_commands} for name, t in by_name.items()
    }
    assert modules == {
        "listen": {"ripplemeter.cli.listen"},
        "alerts": {"ripplemeter.cli.listen"},
        "accounts": {"ripplemeter.cli.operations"},
        "standards": {"ripplemeter.cli.operations"},
        "calendar": {"ripplemeter.cli.calendar", "ripplemeter.cli.publish"},
        "inbox": {"ripplemeter.cli.inbox"},
    }


def test_friendly_prints_one_line_and_exits_2():
    import typer

    probe = typer.Typer()

    @probe.command()
    @friendly
    def boom() -> None:
        raise RippleError("follows.csv, row 3, column 'weight': expected a number")

    res = CliRunner().invoke(probe, [])
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    assert res.output.strip() == "error: follows.csv, row 3, column 'weight': expected a number"


def test_python_dash_m_runs_the_same_app():
    res = subprocess.run(
        [sys.executable, "-m", "ripplemeter.cli", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    assert "seeds" in res.stdout and "import" in res.stdout
