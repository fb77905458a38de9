"""Repost cascades straight from files, without a workspace (what ``ripplemeter cascades``
runs): each file is read by its format's own importer, the posts rows are concatenated and
rebuilt into trees by :func:`ripplemeter.network.cascades.build_cascades`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ripplemeter.errors import FormatError
from ripplemeter.network.cascades import CascadeSet, build_cascades

__all__ = ["CASCADE_FORMATS", "cascade_files", "read_cascades"]

#: Cascade formats and the file names they read inside a folder.
CASCADE_FORMATS: dict[str, tuple[str, ...]] = {
    "twitter-trees": ("*.txt", "*.txt.gz"),
    "weibo-ced": ("*.json",),
    "deephawkes": ("*.txt",),
    "reposts": ("*.csv", "*.tsv", "*.txt"),
}
#: Files that sit beside cascade files in the public data sets and are not cascades.
_NOT_CASCADES = {"label.txt", "source_tweets.txt", "sample_index.tsv", "provenance.md"}


def cascade_files(path: str | Path, format: str) -> list[Path]:
    """The cascade files of ``path``: the file itself, or a folder's files of that format.

    A folder is searched recursively; for ``weibo-ced`` the ``original-microblog`` folder
    (read by the importer beside each cascade) is skipped, as are the data sets' label and
    source-text files.

    Raises
    ------
    FormatError
        No such file or folder, an unknown cascade format, or a folder without such files.
    """
    path = Path(path)
    if format not in CASCADE_FORMATS:
        raise FormatError(
            path,
            message=f"'{format}' is not a cascade format; use one of " + ", ".join(CASCADE_FORMATS),
        )
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise FormatError(path, message="no such file or folder")
    found: set[Path] = set()
    for pattern in CASCADE_FORMATS[format]:
        for p in path.rglob(pattern):
            if p.name.lower() in _NOT_CASCADES or "original-microblog" in p.parts:
                continue
            if any(part.startswith(".") for part in p.relative_to(path).parts):
                continue
            found.add(p)
    if not found:
        raise FormatError(
            path, message=f"no {format} files in this folder ({', '.join(CASCADE_FORMATS[format])})"
        )
    return sorted(found)


def read_cascades(
    path: str | Path,
    format: str,
    *,
    platform: str | None = None,
    progress: Callable[[int, int, Path], None] | None = None,
) -> tuple[CascadeSet, list[str]]:
    """Read cascade files with their importer and rebuild the trees.

    Parameters
    ----------
    path : str or Path
        One file, or a folder (see :func:`cascade_files`).
    format : {"twitter-trees", "weibo-ced", "deephawkes", "reposts"}
    platform : str, optional
        Platform for ids, where the format takes one.
    progress : callable, optional
        ``progress(done, total, file)`` after each file.

    Returns
    -------
    (CascadeSet, list[str])
        The cascades and the importers' notes (each naming its file).

    Raises
    ------
    FormatError
        A file does not match the format (the error names it).
    """
    from ripplemeter.formats import SourceContext, get_format

    files = cascade_files(path, format)  # checks the format is a cascade format first
    info = get_format(format)
    frames, notes = [], []
    for i, f in enumerate(files):
        rows = info.reader(f, SourceContext(platform=platform))
        posts = rows.tables.get("posts")
        if posts is not None and len(posts):
            frames.append(posts)
        notes += [n if n.startswith(f.name) else f"{f.name}: {n}" for n in rows.notes]
        if progress:
            progress(i + 1, len(files), f)
    frame = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["post_id", "parent_id"])
    )
    return build_cascades(frame), notes
