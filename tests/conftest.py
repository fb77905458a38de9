"""Shared fixtures: the one helper that finds the public data sets (or skips with a reason)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ripplemeter.datasets import DataUnavailable, data_path


@pytest.fixture
def real_data():
    """Return a function mapping a path relative to the data root to a Path.

    Skips the test, saying why, when ``RIPPLEMETER_DATA`` / ``../shared/data`` or the file
    is absent.
    """

    def get(relative: str) -> Path:
        try:
            return data_path(relative)
        except DataUnavailable as exc:
            pytest.skip(f"public data not available: {exc}")

    return get


@pytest.fixture
def workspace(tmp_path):
    """A fresh on-disk workspace in a temporary folder."""
    from ripplemeter.workspace import Workspace

    ws = Workspace(tmp_path / "ws.duckdb")
    yield ws
    ws.close()
