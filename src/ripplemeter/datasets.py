"""Locate the public data sets used by tests and benchmarks.

The folder is ``$RIPPLEMETER_DATA`` when set, else ``../shared/data`` relative to the
project root (or the current folder's ancestors). The files are never copied into the
repository.
"""

from __future__ import annotations

import os
from pathlib import Path


class DataUnavailable(LookupError):
    """The public data folder, or a file in it, is not present on this machine."""


def data_root() -> Path:
    """The folder holding the public data sets.

    Raises
    ------
    DataUnavailable
        If neither ``RIPPLEMETER_DATA`` nor a ``shared/data`` folder next to the project exists.
    """
    env = os.environ.get("RIPPLEMETER_DATA")
    if env:
        p = Path(env)
        if p.is_dir():
            return p
        raise DataUnavailable(f"RIPPLEMETER_DATA={env} is not a folder")
    here = Path(__file__).resolve()
    candidates = [parent / "shared" / "data" for parent in here.parents]
    candidates += [parent / "shared" / "data" for parent in Path.cwd().resolve().parents]
    candidates.insert(0, Path.cwd() / ".." / "shared" / "data")
    for c in candidates:
        if c.is_dir():
            return c.resolve()
    raise DataUnavailable(
        "public data sets not found: set RIPPLEMETER_DATA or place them in ../shared/data"
    )


def data_path(relative: str) -> Path:
    """Path of a file or folder inside the data root.

    Raises
    ------
    DataUnavailable
        If the root or the file is absent.
    """
    p = data_root() / relative
    if not p.exists():
        raise DataUnavailable(f"{relative} is not in {data_root()}")
    return p
