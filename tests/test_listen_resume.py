"""A collection killed with SIGKILL at random points resumes to exactly an uninterrupted run.

The replay server (tests/replay.py) runs in this process; the collection runs in a child
process over a workspace file. Two ways of killing it, each with several seeds:

- at a random *stage* of a page write: the child replaces ``ripplemeter.listen.store._hook``
  (called before the transaction, after each table's insert, before COMMIT and after it) with
  one that sends itself SIGKILL at the k-th stage, so kills land inside the write as well as
  at page boundaries;
- after a random delay, from this process (anywhere: start-up, an HTTP request, a write).

The child is then run again (possibly killed again), and finally to the end. The workspace
must then hold exactly the rows of an uninterrupted run into a fresh workspace: the same
sorted post ids, account ids and metric rows, no duplicate and none missing. The collection
time is fixed in the child, so metric snapshots compare exactly.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from replay import ReplayServer, read_cassette
from ripplemeter.datasets import DataUnavailable, data_path

CHILD = r"""
import json, os, signal, sys
import pandas as pd
from ripplemeter.listen import store
from ripplemeter.listen.collectors import REGISTRY, collect_all
from ripplemeter.workspace import Workspace

base, db = sys.argv[1], sys.argv[2]
kill_at = int(os.environ.get("RM_KILL_AT", "0"))
n = 0

def hook(stage):
    global n
    n += 1
    if n == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)

store._hook = hook
sources = [
    REGISTRY["mastodon"].Settings(id="masto", instance=base, hashtags=["mastodon"], public=True, limit=10),
    REGISTRY["bluesky"].Settings(id="bsky", service=base, queries=["redistricting"],
                                 actors=["chriskenny.bsky.social"], limit=10),
    REGISTRY["rss"].Settings(id="guardian", url=base + "/feed"),
]
ws = Workspace(db)
fixed = pd.Timestamp("2026-01-01 00:00:00")
res = collect_all(ws, sources, collector_options={"now": lambda: fixed, "sleep": lambda s: None})
ws.close()
print(json.dumps({"stages": n, "errors": [r.error for r in res]}))
"""


def _serve(server, root: Path) -> None:
    m = root / "mastodon"
    tag = json.loads((m / "sys1yagi_mastodon4j/tag.json").read_text(encoding="utf-8"))
    home = json.loads((m / "tuskyapp_tusky-json-benchmark/test.json").read_text(encoding="utf-8"))
    # bare recorded bodies: the server pages over them as Mastodon does (Link header)
    server.add_mastodon_timeline("/api/v1/timelines/tag/mastodon", tag)
    server.add_mastodon_timeline("/api/v1/timelines/public", home)
    b = root / "bluesky/christopherkenny_bskyr"
    search = json.loads(read_cassette(b / "f_search.yml")[0]["body"])
    # one recorded page: served in pages of `limit` with an offset cursor, as searchPosts does
    server.add_cursor_pages("/xrpc/app.bsky.feed.searchPosts", search["posts"], key="posts")
    feed = json.loads(read_cassette(b / "f_autfeed.yml")[0]["body"])
    server.add_cursor_pages("/xrpc/app.bsky.feed.getAuthorFeed", feed["feed"], key="feed")
    server.add_body(
        "/feed",
        (root / "rss/rbren_rss-parser/guardian.rss").read_bytes(),
        headers={"Content-Type": "application/rss+xml"},
    )


def _run(script: Path, base: str, db: Path, kill_at: int = 0, kill_after: float | None = None):
    env = {**os.environ, "RM_KILL_AT": str(kill_at)}
    p = subprocess.Popen(
        [sys.executable, str(script), base, str(db)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    if kill_after is not None:
        try:
            p.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGKILL)
    out, err = p.communicate(timeout=300)
    return p.returncode, out, err


def _snapshot(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:

        def q(sql: str) -> list:
            return con.execute(sql).fetchall()

        return {
            "posts": q("SELECT post_id, kind, parent_id, text FROM posts ORDER BY ALL"),
            "accounts": q("SELECT account_id, handle FROM accounts ORDER BY ALL"),
            "metrics": q(
                "SELECT post_id, observed_at, replies, reposts, likes FROM post_metrics ORDER BY ALL"
            ),
            "checkpoints": q(
                "SELECT source_id, stream, cursor FROM collect_checkpoints ORDER BY ALL"
            ),
            "dup_posts": q("SELECT count(*) - count(DISTINCT post_id) FROM posts")[0][0],
            "dup_accounts": q("SELECT count(*) - count(DISTINCT account_id) FROM accounts")[0][0],
            "dup_metrics": q(
                "SELECT count(*) - count(DISTINCT (post_id, observed_at)) FROM post_metrics"
            )[0][0],
            "status": q("SELECT status FROM imports ORDER BY import_id"),
        }
    finally:
        con.close()


def _expected_posts(root: Path) -> int:
    """Posts an uninterrupted run must store, counted from the recorded files."""
    m = root / "mastodon"
    tag = json.loads((m / "sys1yagi_mastodon4j/tag.json").read_text(encoding="utf-8"))
    home = json.loads((m / "tuskyapp_tusky-json-benchmark/test.json").read_text(encoding="utf-8"))
    masto = len(tag) + len(home) + sum(1 for s in home if s.get("reblog"))
    b = root / "bluesky/christopherkenny_bskyr"
    search = json.loads(read_cassette(b / "f_search.yml")[0]["body"])["posts"]
    feed = json.loads(read_cassette(b / "f_autfeed.yml")[0]["body"])["feed"]
    uris = {p["uri"] for p in search} | {it["post"]["uri"] for it in feed}
    reposts = sum(1 for it in feed if it.get("reason"))
    rss = (root / "rss/rbren_rss-parser/guardian.rss").read_bytes().count(b"<guid")
    return masto + len(uris) + reposts + rss


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    try:
        root = data_path("api_samples")
    except DataUnavailable as exc:
        pytest.skip(f"recorded API responses not available: {exc}")
    server = ReplayServer()
    _serve(server, root)
    tmp = tmp_path_factory.mktemp("resume")
    script = tmp / "child.py"
    script.write_text(CHILD)
    db = tmp / "reference.duckdb"
    start = time.monotonic()
    rc, out, err = _run(script, server.base_url, db)
    took = time.monotonic() - start
    assert rc == 0, err
    info = json.loads(out)
    assert info["errors"] == [None, None, None]
    snap = _snapshot(db)
    # the reference itself is complete: every recorded record is there
    assert len(snap["posts"]) == _expected_posts(root)
    assert all(json.loads(c)["done"] for _, _, c in snap["checkpoints"])
    try:
        yield script, server.base_url, snap, info["stages"], took
    finally:
        server.close()


def _assert_same(db: Path, ref: dict) -> None:
    got = _snapshot(db)
    assert got["dup_posts"] == got["dup_accounts"] == got["dup_metrics"] == 0
    for k in ("posts", "accounts", "metrics"):
        assert got[k] == ref[k], k
    # every stream finished (a stream that finished before a kill is swept again from the
    # top on resume, so its cursor may name a newer floor than the reference's)
    assert [(s, st) for s, st, _ in got["checkpoints"]] == [
        (s, st) for s, st, _ in ref["checkpoints"]
    ]
    assert all(json.loads(c)["done"] for _, _, c in got["checkpoints"])
    assert got["status"][-1] == ("ok",)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_killed_inside_page_writes_resumes_exactly(reference, tmp_path, seed):
    script, base, ref, stages, _ = reference
    rng = random.Random(seed)
    db = tmp_path / f"killed{seed}.duckdb"
    # two kills at random stages (the second counted within the resumed run), then to the end
    for _ in range(2):
        k = rng.randint(1, stages)
        rc, out, err = _run(script, base, db, kill_at=k)
        if rc == 0:  # the resumed run had fewer stages left than k
            break
        assert rc == -signal.SIGKILL, err
    rc, out, err = _run(script, base, db)
    assert rc == 0, err
    _assert_same(db, ref)
    statuses = [s for (s,) in _snapshot(db)["status"]]
    assert "interrupted" in statuses  # the killed runs are marked, not left 'running'
    if seed == 1:  # and a further run adds nothing
        rc, out, err = _run(script, base, db)
        assert rc == 0
        _assert_same(db, ref)


@pytest.mark.parametrize("seed", [11, 12])
def test_killed_after_a_random_delay_resumes_exactly(reference, tmp_path, seed):
    script, base, ref, _, took = reference
    rng = random.Random(seed)
    db = tmp_path / f"delay{seed}.duckdb"
    delay = rng.uniform(0.2 * took, 0.7 * took)
    for _ in range(4):  # a lighter load may let the run finish first: kill sooner then
        db.unlink(missing_ok=True)
        Path(str(db) + ".wal").unlink(missing_ok=True)
        rc, _, err = _run(script, base, db, kill_after=delay)
        if rc == -signal.SIGKILL:
            break
        delay /= 2
    assert rc == -signal.SIGKILL, err  # killed before it finished
    rc, out, err = _run(script, base, db)
    assert rc == 0, err
    _assert_same(db, ref)
