"""``ripplemeter cascades``: per-cascade metrics straight from repost files."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Annotated

import typer

from ripplemeter.cli import app, console, err_console, friendly
from ripplemeter.formatting import fmt

JSON_COLUMNS = (
    "root_id",
    "size",
    "depth",
    "max_breadth",
    "structural_virality",
    "orphans",
    "duplicates",
    "anomalies",
)


#: Table headings in words (``--json`` keeps the field names).
HEADINGS = {
    "root_id": "first post",
    "size": "posts",
    "depth": "levels",
    "max_breadth": "widest level",
    "structural_virality": "virality",
    "orphans": "orphans",
    "duplicates": "duplicates",
    "anomalies": "anomalies",
}


def _num(v: object) -> object:
    """A metric as plain Python: None for NaN, a whole float as an int, numpy scalars unboxed."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


@app.command("cascades")
@friendly
def cascades(
    path: Annotated[Path, typer.Argument(help="A cascade file, or a folder of them.")],
    format: Annotated[
        str,
        typer.Option("--format", "-f", help="twitter-trees, weibo-ced, deephawkes or reposts."),
    ],
    platform: Annotated[str | None, typer.Option(help="Platform for ids (reposts).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
    all_notes: Annotated[
        bool,
        typer.Option(
            "--notes",
            help="Print every import note (on stderr), not a summary of the most frequent kinds.",
        ),
    ] = False,
) -> None:
    """Rebuild the repost cascades of PATH and print size, depth, breadth and virality.

    The importers' notes (what each file held, what was dropped or repaired) follow the
    results on stderr: the same sentence from many files is counted once, with one file as
    an example; --notes prints every note.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.table import Table

    from ripplemeter.network.cascade_files import read_cascades
    from ripplemeter.network.warmup import cold_kernels

    if cold_kernels("cascades"):
        err_console.print(
            "note: first run after installing: the cascade kernels are compiled once (a few "
            "seconds; later runs load them from numba's cache)",
            markup=False,
            highlight=False,
        )

    with Progress(
        TextColumn("reading"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("reading", total=None)
        cs, notes = read_cascades(
            path,
            format,
            platform=platform,
            progress=lambda done, total, _f: bar.update(task, completed=done, total=total),
        )
    m = cs.metrics_frame()
    if as_json:
        rows = [{k: _num(v) for k, v in r.items()} for r in m.to_dict("records")]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        _summary(cs, len(m), shown=None)
        _print_notes(notes, every=all_notes)
        return
    table = Table(
        *(HEADINGS[k] for k in JSON_COLUMNS),
        title=f"{len(m):,} cascade{'' if len(m) == 1 else 's'}",
        caption="virality: structural virality (Goel et al. 2016), the mean distance between "
        "two posts of the cascade: about 2 for a broadcast (all reposting the first post), "
        "higher when it spread person to person",
    )
    table.columns[0].overflow = "fold"
    for r in m.sort_values("size", ascending=False).head(50).to_dict("records"):
        # whole numbers with thousands separators, others to 2 decimals
        table.add_row(*(fmt(_num(r[k]), places=2) for k in JSON_COLUMNS))
    console.print(table)
    _summary(cs, len(m), shown=min(50, len(m)))
    _print_notes(notes, every=all_notes)


def _summary(cs, n: int, *, shown: int | None) -> None:
    s = cs.summary
    tail = (
        f" (the {shown} largest cascades are shown; --json gives every cascade and metric)"
        if shown is not None and shown < n
        else ""
    )
    err_console.print(
        f"{s.get('cascade_nodes', 0):,} posts in {n:,} cascades; "
        f"{s.get('orphans', 0):,} orphan fragment(s), {s.get('duplicates', 0):,} duplicate(s), "
        f"{s.get('cycles', 0):,} cycle(s) cut, {s.get('before_parent', 0):,} timed before "
        f"their parent{tail}",
        markup=False,
        highlight=False,
    )


#: Most lines the summary of the import notes takes (--notes prints them all).
NOTE_LINES = 5


def _kind(file: str, rest: str) -> str:
    """What notes of one kind share: the sentence with numbers and ids blanked (any word
    holding a digit, such as 1,234 or x:4984/<user id>), plurals folded, and, for a file
    named by ids (CED's ``2660_z4pxL4wVj_1069205631.json``: a part of 4 digits or more),
    the parts of its name blanked where the sentence names them (the post id ``z4pxL4wVj``).
    """
    parts = re.split(r"[_.\-]", Path(file).stem)
    if any(len(p) >= 4 and p.isdigit() for p in parts):
        for part in parts:
            if len(part) >= 4:
                rest = re.sub(rf"\b{re.escape(part)}\b", "#", rest)
    blank = re.sub(r"[^\s(),;]*\d[^\s(),;]*", "#", re.sub(r"\d[\d,.]*\d", "0", rest))
    return re.sub(r"(?<=\w)(?:ies|s)\b", "", blank.replace("entry", "entr"))


def summarize_notes(notes: list[str], limit: int = NOTE_LINES) -> list[str]:
    """The import notes in at most ``limit`` lines: kinds counted, most frequent first.

    Each note names its file (``"file.txt: sentence"``). Notes whose sentences differ only
    in their numbers (and a plural) are one kind: a kind from one file is its note as
    written; from several, ``"in N files: sentence"`` when they all say the same, else
    ``"in N files, e.g. file.txt: sentence"``, the first of them. With more kinds than fit,
    the last line counts the notes and kinds not shown and says ``--notes`` prints them.
    Where a file holds several notes of a kind, the line counts notes and files
    (``"5 notes in 2 files, e.g. ..."``).
    ``limit`` notes or fewer are returned as they are.

    Parameters
    ----------
    notes : list of str
        The notes, as :func:`ripplemeter.network.cascade_files.read_cascades` returns them.
    limit : int, default 5
        Most lines returned (at least 2).

    Returns
    -------
    list of str
        The lines, without a ``note:`` prefix.

    Examples
    --------
    >>> summarize_notes(["a.csv: 3 rows repeat a post id", "b.csv: 1 row repeat a post id"])
    ['a.csv: 3 rows repeat a post id', 'b.csv: 1 row repeat a post id']
    """
    if len(notes) <= limit:
        return list(notes)
    groups: dict[str, list[tuple[str, str]]] = {}
    for n in notes:
        file, sep, rest = n.partition(": ")
        if not sep:
            file, rest = "", n
        groups.setdefault(_kind(file, rest), []).append((file, rest))
    kinds = sorted(groups.values(), key=len, reverse=True)  # stable: ties keep file order
    shown = kinds if len(kinds) <= limit else kinds[: limit - 1]
    lines = []
    for g in shown:
        file, rest = g[0]
        files = len({f for f, _ in g if f})
        if len(g) == 1:
            lines.append(f"{file}: {rest}" if file else rest)
            continue
        where = f"in {files:,} file{'' if files == 1 else 's'}" if files else ""
        if files != len(g):  # a file with several notes of the kind, or notes without one
            where = f"{len(g):,} notes" + (f" {where}" if where else "")
        if all(r == rest for _, r in g):
            lines.append(f"{where}: {rest}")
        else:
            lines.append(f"{where}, e.g. {file}: {rest}" if file else f"{where}, e.g. {rest}")
    if len(shown) < len(kinds):
        rest_kinds = kinds[len(shown) :]
        n_rest = sum(len(g) for g in rest_kinds)
        lines.append(
            f"{n_rest:,} more note{'' if n_rest == 1 else 's'} of {len(rest_kinds):,} other "
            f"kind{'' if len(rest_kinds) == 1 else 's'} ({len(notes):,} import notes in all); "
            "--notes prints every one"
        )
    return lines


def _print_notes(notes: list[str], *, every: bool) -> None:
    """The import notes on stderr, after the results: all of them, or their summary."""
    for line in notes if every else summarize_notes(notes):
        err_console.print(f"note: {line}", markup=False, highlight=False)
