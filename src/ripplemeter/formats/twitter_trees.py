"""Twitter15 / Twitter16 propagation trees (Ma, Gao & Wong, ACL 2017) -> posts.

One file is one tree: ``tree/<source_tweet_id>.txt`` (Twitter16) or
``tree_gz/<source_tweet_id>.txt.gz`` (Twitter15, each file gzipped). Every line is one edge::

    ['parent_uid', 'parent_tweet_id', 'parent_delay_min']->['child_uid', 'child_tweet_id', 'child_delay_min']

and exactly one line has the parent ``['ROOT', 'ROOT', '0.0']``: its child is the tree's root.

A node is a **user id within one tree** (tweet ids repeat: most retweets carry the source's
id), so a node's post id is ``x:<source_tweet_id>/<user_id>`` and its account ``x:<user_id>``.
The trees give delays in minutes, not times: ``delay_seconds`` holds the delay after the
tree's root, and ``created_at`` is the root tweet's creation time (which a Twitter id has
carried since November 2010: Snowflake ids, the milliseconds since 2010-11-04 01:42:54.657
UTC shifted left by 22 bits) plus that delay; NULL for an older id. Retweets and replies are not told apart: every node
below the root is stored as kind ``repost``.

Quirks handled here, each counted in the import notes (see ``docs/formats-cascades.md``):

- the ROOT line is not always the first line (27 files);
- in 17 files the ROOT tweet is not the file's tweet: the root was posted before the
  labelled source tweet and the delays, written relative to the source tweet, are negative
  for it; they are stored relative to the root (the root's delay is 0);
- repeated edges (a user pair seen on an earlier line) are dropped and counted;
- self-edges (a user as their own parent) are dropped and counted;
- edges into the root are dropped and counted as cycles;
- a user with several parents keeps the parent whose own delay is latest but not after the
  user's, else the first listed; the other parents are counted; where equal delays make two
  users each other's parent, the cycle is broken by the next parent in the same order;
- a child timed before its parent is kept and flagged (annotation ``cascade_flag`` =
  ``timed_before_parent``).

Labels (``label.txt``, ``label:tweet_id``) and source texts (``source_tweets.txt``,
``tweet_id<TAB>text``) are joined when they sit in the tree file's folder or the folder
above it (``twitter16/label.txt`` beside ``twitter16/tree/``).
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ripplemeter.errors import FormatError
from ripplemeter.formats import Rows, SourceContext, register
from ripplemeter.formats._io import read_text

FORMAT = "twitter-trees"
PLATFORM = "x"
#: Task and labels of the per-node flags written to ``annotations``.
FLAG_TASK = "cascade_flag"
FLAG_BEFORE_PARENT = "timed_before_parent"
FLAG_MODEL = "ripplemeter import"
#: Twitter's Snowflake epoch (ms since the Unix epoch) and the first Snowflake id.
SNOWFLAKE_EPOCH_MS = 1288834974657
FIRST_SNOWFLAKE = 27_000_000_000


def snowflake_time(tweet_id: object) -> pd.Timestamp | None:
    """Creation time (naive UTC) encoded in a Twitter id, or None for an older id.

    Ids since 2010-11-04 are Snowflake ids: ``(id >> 22) + 1288834974657`` is the creation
    time in milliseconds since the Unix epoch.

    Examples
    --------
    >>> str(snowflake_time("1445078208190291968"))
    '2021-10-04 17:27:47.744000'
    """
    try:
        n = int(str(tweet_id))
    except ValueError:
        return None
    if n < FIRST_SNOWFLAKE:
        return None
    return pd.Timestamp((n >> 22) + SNOWFLAKE_EPOCH_MS, unit="ms")


def before_parent_flags(flagged: list[tuple[str, int]], format_name: str) -> list[dict]:
    """``annotations`` rows flagging posts timed before their parent (subject id, row).

    Shared by the cascade importers (``twitter-trees``, ``weibo-ced``, ``deephawkes``): the
    post is kept and the flag says why a cascade's times look wrong there.
    """
    return [
        {
            "subject_id": sid,
            "task": FLAG_TASK,
            "label": FLAG_BEFORE_PARENT,
            "score": None,
            "model": FLAG_MODEL,
            "model_version": format_name,
            "source_row": row,
        }
        for sid, row in flagged
    ]


_Q = r"'([^']*)'"
_LINE = re.compile(rf"^\[{_Q}, {_Q}, {_Q}\]->\[{_Q}, {_Q}, {_Q}\]$")
_LOOSE = re.compile(r"^\[.*\]->\[.*\]$")
_ID = re.compile(r"^\d+$")
_SEPARATORS = {";": "semicolons", "\t": "tabs", "|": "pipes"}


def _recognise(lines: list[str]) -> bool:
    return bool(lines) and bool(_LINE.match(lines[0].strip()))


# ----------------------------------------------------------------------- parent resolution
def choose_parents(
    ranked: dict[Hashable, list[Hashable]], order: dict[Hashable, int]
) -> tuple[dict[Hashable, Hashable | None], int, int]:
    """Pick one parent per node from ranked candidates, breaking the cycles that result.

    Parameters
    ----------
    ranked : dict
        Node -> its candidate parents, best first (never empty, never the node itself).
    order : dict
        Node -> position of its first appearance; the cycle's earliest node is re-parented
        first.

    Returns
    -------
    parent : dict
        Node -> chosen parent, or None when every candidate lies below the node (the node
        then heads a detached fragment).
    broken : int
        Cycles broken by giving a node its next candidate instead of its best one.
    detached : int
        Cycles broken by giving a node no parent at all.

    Notes
    -----
    Each node first takes its best candidate. The choices form a functional graph whose
    cycles are found by walking up; in each cycle the earliest node takes the best of its
    other candidates that is not below it, so no new cycle can form. O(n) per cycle.
    """
    parent: dict[Hashable, Hashable | None] = {c: ps[0] for c, ps in ranked.items()}
    broken = detached = 0

    def below(node: Hashable, cand: Hashable) -> bool:
        """Whether ``cand`` lies below ``node`` (walking up from cand reaches node)."""
        seen = set()
        x: Hashable | None = cand
        while x is not None and x in parent and x not in seen:
            if x == node:
                return True
            seen.add(x)
            x = parent[x]
        return x == node

    while True:
        state: dict[Hashable, int] = {}
        cycle: list[Hashable] | None = None
        for start in parent:
            if start in state:
                continue
            path: list[Hashable] = []
            x: Hashable | None = start
            while x is not None and x in parent and x not in state:
                state[x] = 1
                path.append(x)
                x = parent[x]
            if x is not None and state.get(x) == 1:
                cycle = path[path.index(x) :]
            for p in path:
                state[p] = 2
            if cycle:
                break
        if not cycle:
            return parent, broken, detached
        cycle.sort(key=lambda n: order.get(n, 0))
        for node in cycle:
            alt = [a for a in ranked[node] if a != parent[node] and not below(node, a)]
            if alt:
                parent[node] = alt[0]
                broken += 1
                break
        else:
            parent[cycle[0]] = None
            detached += 1


# ------------------------------------------------------------------------------ reading
@dataclass
class TreeStats:
    """What one tree file held, for the import notes and tests.

    Every non-ROOT edge line is counted in exactly one of ``duplicates``, ``self_edges``,
    ``into_root``, ``extra_parents`` and ``kept``.
    """

    source_id: str
    lines: int = 0
    root_line: int = 0
    root_tweet: str = ""
    root_delay_min: float = 0.0
    nodes: int = 0
    kept: int = 0
    duplicates: int = 0
    self_edges: int = 0
    into_root: int = 0
    extra_parents: int = 0
    multi_parent_users: int = 0
    cycles_broken: int = 0
    detached: int = 0
    parent_only: int = 0
    before_parent: int = 0
    negative_delays: int = 0
    inconsistent_delays: int = 0
    label: str | None = None
    dataset: str | None = None
    text_joined: bool = False
    notes: list[str] = field(default_factory=list)


def _decode(path: Path) -> str:
    if path.name.lower().endswith(".gz"):
        try:
            data = gzip.decompress(path.read_bytes())
        except (OSError, EOFError, zlib.error) as exc:
            if not path.read_bytes().strip():
                raise FormatError(path, message="the file is empty") from None
            raise FormatError(
                path, message=f"not a readable gzip file ({exc}); download it again"
            ) from None
        if not data.strip():
            raise FormatError(path, message="the file is empty")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            row = data.count(b"\n", 0, exc.start) + 1
            raise FormatError(path, row=row, message="not valid UTF-8 text") from None
    return read_text(path).text


def _bad_line(path: Path, row: int, line: str, last: bool) -> FormatError:
    for sep, name in _SEPARATORS.items():
        if sep in line and "," not in line:
            return FormatError(
                path,
                row=row,
                message=f"the values are separated by {name}, expected commas "
                f"(is this a {FORMAT} file?)",
            )
    if last and _LINE.match(line) is None and not line.rstrip().endswith("]"):
        return FormatError(
            path,
            row=row,
            expected="['uid', 'tweet id', 'delay']->['uid', 'tweet id', 'delay']",
            found=line,
            message="the last line is cut short; the file looks truncated",
        )
    return FormatError(
        path,
        row=row,
        expected="a tree line ['uid', 'tweet id', 'delay']->['uid', 'tweet id', 'delay']"
        f" (is this a {FORMAT} file?)",
        found=line,
    )


def _minutes(path: Path, row: int, column: str, raw: str) -> float:
    try:
        v = float(raw)
    except ValueError:
        v = float("nan")
    if v != v or v in (float("inf"), float("-inf")):
        raise FormatError(
            path, row=row, column=column, expected="a delay in minutes (a number)", found=raw
        )
    return v


def _side_files(path: Path) -> tuple[Path | None, Path | None]:
    label = text = None
    for folder in (path.parent, path.parent.parent):
        if label is None and (folder / "label.txt").is_file():
            label = folder / "label.txt"
        if text is None and (folder / "source_tweets.txt").is_file():
            text = folder / "source_tweets.txt"
    return label, text


_SIDE_CACHE: dict[tuple[str, int, int], dict[str, str]] = {}


def _read_side(path: Path, kind: str) -> dict[str, str]:
    """``label.txt`` (``label:id``) or ``source_tweets.txt`` (``id<TAB>text``) -> id -> value."""
    st = path.stat()
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    if key in _SIDE_CACHE:
        return _SIDE_CACHE[key]
    out: dict[str, str] = {}
    for row, line in enumerate(read_text(path).text.split("\n"), 1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        if kind == "label":
            lab, sep, tid = line.rpartition(":")
            if not sep or not lab or not _ID.match(tid.strip()):
                raise FormatError(path, row=row, expected="label:source tweet id", found=line)
            out.setdefault(tid.strip(), lab.strip())
        else:
            tid, sep, txt = line.partition("\t")
            if not sep or not _ID.match(tid.strip()):
                raise FormatError(path, row=row, expected="source tweet id<TAB>text", found=line)
            out.setdefault(tid.strip(), txt)
    if len(_SIDE_CACHE) > 8:
        _SIDE_CACHE.clear()
    _SIDE_CACHE[key] = out
    return out


def read_tree(path: Path, ctx: SourceContext | None = None) -> tuple[Rows, TreeStats]:
    """Read one tree file into canonical rows and the counts of what it held.

    Parameters
    ----------
    path : Path
        ``<source_tweet_id>.txt`` or ``<source_tweet_id>.txt.gz``.
    ctx : SourceContext, optional
        ``platform`` overrides ``x`` in ids.

    Returns
    -------
    rows : Rows
        ``posts`` (one per user of the tree) and ``annotations`` (the veracity label of the
        root, when ``label.txt`` has one, and the ``timed_before_parent`` flags).
    stats : TreeStats

    Raises
    ------
    FormatError
        A line that is not a tree line (row named), a delay that is not a number, no ROOT
        line or several, a file that is empty or not gzip/UTF-8.
    """
    path = Path(path)
    platform = (ctx.platform if ctx and ctx.platform else PLATFORM).lower()
    text = _decode(path)
    raw_lines = text.split("\n")
    if raw_lines and raw_lines[-1] == "":
        raw_lines.pop()
    stem = path.name.split(".", 1)[0]

    parsed: list[tuple[int, tuple[str, str, float], tuple[str, str, float]]] = []
    root: tuple[int, tuple[str, str, float]] | None = None
    last_row = len(raw_lines)
    for row, line in enumerate(raw_lines, 1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        m = _LINE.match(line.strip())
        if m is None:
            raise _bad_line(path, row, line, row == last_row)
        pu, pt, pd_, cu, ct, cd = m.groups()
        pdelay = 0.0 if pu == "ROOT" else _minutes(path, row, "parent delay", pd_)
        cdelay = _minutes(path, row, "child delay", cd)
        if not cu or cu == "ROOT" or (pu != "ROOT" and not pu):
            raise FormatError(path, row=row, expected="user ids on both sides", found=line)
        if pu == "ROOT":
            if root is not None:
                raise FormatError(
                    path,
                    row=row,
                    message=f"a second ROOT line (the first is line {root[0]}); a tree file "
                    "has exactly one",
                )
            root = (row, (cu, ct, cdelay))
            continue
        parsed.append((row, (pu, pt, pdelay), (cu, ct, cdelay)))
    if root is None:
        raise FormatError(
            path,
            message="no ['ROOT', 'ROOT', '0.0']->[...] line; a tree file has exactly one "
            f"(is this a {FORMAT} file?)"
            if parsed
            else "the file has no tree lines; there is nothing to import (no data)",
        )
    root_row, (ruid, rtweet, rdelay) = root
    source_id = stem if _ID.match(stem) else rtweet
    st = TreeStats(source_id, lines=len(parsed) + 1, root_line=root_row, root_tweet=rtweet)
    st.root_delay_min = rdelay

    # nodes: delay and first row, as a child (root: the ROOT line)
    delay: dict[str, float] = {ruid: rdelay}
    first_row: dict[str, int] = {ruid: root_row}
    inconsistent: set[str] = set()
    for row, _p, (cu, _ct, cd) in parsed:
        if cu not in delay:
            delay[cu], first_row[cu] = cd, row
        elif delay[cu] != cd:
            inconsistent.add(cu)
    parent_only_rows: dict[str, tuple[int, float]] = {}
    for row, (pu, _pt, pdl), _c in parsed:
        if pu not in delay and pu not in parent_only_rows:
            parent_only_rows[pu] = (row, pdl)
        elif pu in delay and delay[pu] != pdl:
            inconsistent.add(pu)
    for u, (row, pdl) in parent_only_rows.items():
        delay[u], first_row[u] = pdl, row
    st.parent_only = len(parent_only_rows)
    st.inconsistent_delays = len(inconsistent)

    # classify every edge line
    seen_pairs: set[tuple[str, str]] = set()
    cands: dict[str, list[tuple[str, int]]] = {}
    for row, (pu, _pt, _pdl), (cu, _ct, _cd) in parsed:
        pair = (pu, cu)
        if pair in seen_pairs:
            st.duplicates += 1
            continue
        seen_pairs.add(pair)
        if pu == cu:
            st.self_edges += 1
        elif cu == ruid:
            st.into_root += 1
        else:
            cands.setdefault(cu, []).append((pu, row))
    ranked: dict[str, list[str]] = {}
    edge_row: dict[tuple[str, str], int] = {}
    for cu, ps in cands.items():
        for pu, row in ps:
            edge_row[(pu, cu)] = row
        if len(ps) > 1:
            st.multi_parent_users += 1
            st.extra_parents += len(ps) - 1
        ok = [(i, pu) for i, (pu, _r) in enumerate(ps) if delay[pu] <= delay[cu]]
        ok.sort(key=lambda x: (-delay[x[1]], x[0]))
        rest = [pu for pu, _r in ps if delay[pu] > delay[cu]]
        ranked[cu] = [pu for _i, pu in ok] + rest
    parent, st.cycles_broken, st.detached = choose_parents(ranked, first_row)
    st.kept = sum(1 for p in parent.values() if p is not None)
    st.detached += st.parent_only
    st.nodes = len(delay)

    # rows
    def pid(u: str) -> str:
        return f"{platform}:{st.source_id}/{u}"

    root_id = pid(ruid)
    label_path, text_path = _side_files(path)
    src_text = None
    if text_path is not None:
        src_text = _read_side(text_path, "text").get(st.source_id)
    label = None
    if label_path is not None:
        label = _read_side(label_path, "label").get(st.source_id)
        st.dataset = label_path.parent.name
    st.label = label
    root_text = src_text if src_text is not None and rtweet == st.source_id else None
    st.text_joined = root_text is not None

    posts: dict[str, list] = {
        k: []
        for k in (
            "post_id",
            "platform",
            "channel",
            "account_id",
            "created_at",
            "text",
            "url",
            "kind",
            "parent_id",
            "root_id",
            "delay_seconds",
            "source_row",
        )
    }
    flagged: list[tuple[str, int]] = []
    nodes = sorted(delay, key=lambda u: (u != ruid, first_row[u]))
    for u in nodes:
        is_root = u == ruid
        p = None if is_root else parent.get(u)
        if p is not None:
            row = edge_row[(p, u)]
            if delay[u] < delay[p]:
                st.before_parent += 1
                flagged.append((pid(u), row))
        else:
            row = first_row[u]
        if delay[u] < 0:
            st.negative_delays += 1
        posts["post_id"].append(pid(u))
        posts["platform"].append(platform)
        posts["channel"].append("microblog")
        posts["account_id"].append(f"{platform}:{u}")
        posts["created_at"].append(None)
        posts["text"].append(root_text if is_root else None)
        posts["url"].append(f"https://twitter.com/i/web/status/{rtweet}" if is_root else None)
        posts["kind"].append("original" if is_root else "repost")
        posts["parent_id"].append(pid(p) if p is not None else None)
        posts["root_id"].append(root_id)
        posts["delay_seconds"].append(round((delay[u] - rdelay) * 60.0, 6))
        posts["source_row"].append(row)
    df = pd.DataFrame(posts)
    df["delay_seconds"] = df["delay_seconds"].astype("float64")
    born = snowflake_time(rtweet)
    if born is None:
        df["created_at"] = pd.Series([pd.NaT] * len(df), dtype="datetime64[ns]")
    else:
        df["created_at"] = (born + pd.to_timedelta(df["delay_seconds"], unit="s")).astype(
            "datetime64[ns]"
        )
    rows = Rows()
    rows.add("posts", df)

    ann: list[dict] = []
    if label is not None:
        ann.append(
            {
                "subject_id": root_id,
                "task": "veracity",
                "label": label,
                "score": None,
                "model": "dataset label",
                "model_version": st.dataset,
                "source_row": None,
            }
        )
    ann += before_parent_flags(flagged, FORMAT)
    if ann:
        adf = pd.DataFrame(ann)
        adf["score"] = adf["score"].astype("float64")
        rows.add("annotations", adf)
    rows.notes = _notes(path, st, label_path, text_path, src_text is not None)
    return rows, st


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _notes(
    path: Path,
    st: TreeStats,
    label_path: Path | None,
    text_path: Path | None,
    text_found: bool,
) -> list[str]:
    name = path.name
    n = [
        f"{name}: one tree of {_plural(st.nodes, 'user')} (a node is a user id within the "
        f"tree; post ids x:{st.source_id}/<user id>); retweets and replies are not told "
        "apart: the users below the root are stored as kind 'repost'",
        f"{name}: {_plural(st.lines, 'edge line')}: 1 ROOT line, {st.kept:,} edges kept, "
        f"{_plural(st.duplicates, 'repeated edge')} dropped, "
        f"{_plural(st.self_edges, 'self-edge')} (a user as their own parent) dropped, "
        f"{_plural(st.into_root, 'edge')} into the root dropped as cycles, "
        f"{_plural(st.extra_parents, 'extra parent')} of "
        f"{_plural(st.multi_parent_users, 'user')} with several parents dropped (kept the "
        "parent whose own delay is latest but not after the user's, else the first listed)",
        f"{name}: the trees give delays in minutes, not times: delay_seconds is the delay "
        "after the root in seconds, and created_at the root tweet's time (read from its "
        "Twitter id) plus that delay",
    ]
    if st.cycles_broken:
        n.append(
            f"{name}: {_plural(st.cycles_broken, 'cycle')} between users with equal delays "
            "broken by giving one user its next parent in the same order"
        )
    if st.detached:
        n.append(
            f"{name}: {_plural(st.detached, 'user')} with no parent that leads to the root "
            "(kept without a parent; they head detached fragments)"
        )
    if st.before_parent:
        n.append(
            f"{name}: {_plural(st.before_parent, 'user')} timed before their parent (kept, "
            f"flagged in annotations as {FLAG_TASK}={FLAG_BEFORE_PARENT})"
        )
    if st.negative_delays:
        n.append(
            f"{name}: {_plural(st.negative_delays, 'user')} with a negative delay (timed "
            "before the labelled source tweet)"
        )
    if st.inconsistent_delays:
        n.append(
            f"{name}: {_plural(st.inconsistent_delays, 'user')} written with different delays "
            "on different lines (the delay of their first line as a child is used)"
        )
    if st.root_line != 1:
        n.append(f"{name}: the ROOT line is line {st.root_line}, not the first")
    if st.root_tweet != st.source_id:
        n.append(
            f"{name}: the ROOT tweet {st.root_tweet} is not the file's tweet {st.source_id}; "
            f"the file's delays count from the labelled tweet and the root's is "
            f"{st.root_delay_min:g} minutes: delay_seconds is stored relative to the root"
            + (" (the source tweet's text is not put on the root)" if text_found else "")
        )
    if label_path is not None:
        n.append(
            f"{name}: veracity label '{st.label}' from {label_path.parent.name}/label.txt"
            if st.label is not None
            else f"{name}: {label_path.parent.name}/label.txt has no label for {st.source_id}"
        )
    if text_path is not None and not text_found:
        n.append(
            f"{name}: {text_path.parent.name}/source_tweets.txt has no text for {st.source_id}"
        )
    return n


@register(FORMAT, recognise=_recognise)
def read_twitter_tree(path: Path, ctx: SourceContext) -> Rows:
    """Twitter15/16 propagation tree (one <source tweet id>.txt or .txt.gz) -> posts.

    Parameters
    ----------
    path : Path
        One tree file. ``label.txt`` and ``source_tweets.txt`` in its folder or the folder
        above are joined when present.
    ctx : SourceContext
        ``platform`` overrides ``x``.

    Returns
    -------
    Rows
        ``posts``: one per user of the tree; ``annotations``: the root's veracity label
        (task ``veracity``, model ``dataset label``, model_version the data set's folder
        name) and ``timed_before_parent`` flags. Notes count every anomaly.

    Raises
    ------
    FormatError
        See :func:`read_tree`.
    """
    return read_tree(path, ctx)[0]
