"""`ripplemeter demo` keeps its workspace beside the sample campaign.toml, where `report`
and the README's Python calls look for it: following the README in OUT/data imports nothing
again, and a second `demo` run reuses the same workspace."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from ripplemeter.campaign import load_campaign
from ripplemeter.cli import app


def demo(out: Path):
    return CliRunner().invoke(
        app, ["demo", "--out", str(out)], prog_name="ripplemeter", env={"COLUMNS": "200"}
    )


def test_demo_workspace_is_beside_its_campaign_toml(tmp_path, monkeypatch):
    out = tmp_path / "demo"
    res = demo(out)
    assert res.exit_code == 0, (res.stdout, res.stderr)
    toml = out / "data" / "campaign.toml"
    ws = out / "data" / "ripplemeter.duckdb"
    assert ws.is_file()
    assert not (out / "ripplemeter.duckdb").exists()  # no second, out-of-the-way workspace
    assert f"workspace used: {ws}" in res.stderr
    assert f"Sample campaign: {toml}" in res.stdout
    assert (out / "report.html").is_file() and (out / "metrics.json").is_file()

    # the README's calls, run in demo/data: every source is already in that workspace
    monkeypatch.chdir(out / "data")
    camp = load_campaign("campaign.toml")
    results = camp.import_sources()
    assert len(results) == len(camp.sources) > 0
    assert [r.skipped for r in results] == [True] * len(camp.sources)
    assert sorted(p.name for p in (out / "data").glob("*.duckdb")) == ["ripplemeter.duckdb"]

    # `report` on the demo's folder uses the same workspace
    res = CliRunner().invoke(
        app, ["report", ".", "--out", str(tmp_path / "again")], env={"COLUMNS": "200"}
    )
    assert res.exit_code == 0, (res.stdout, res.stderr)
    assert f"workspace used: {ws}" in res.stderr
    assert not (tmp_path / "ripplemeter.duckdb").exists()
