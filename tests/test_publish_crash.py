"""Issue 11 item 5: a crash between the platform's answer and our write publishes nothing twice.

A subprocess runs :func:`publish_due` against the local server (tests/publish_server.py:
Mastodon answers built on the recorded status of the Mastodon.py cassette; Bluesky answers
built from the lexicons, no recording exists). When the platform has answered for the
account under test, and before the answer is written, the subprocess says so and the test
kills it with SIGKILL. A second subprocess then runs again: the server must hold exactly
one post per account, and the plan must be published with the id of the post the first run
made. With ``later`` the restart happens two hours on (the server's clock too), after
Mastodon has forgotten the Idempotency-Key, so the post is found among the account's
statuses instead.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading

import pytest

from publish_server import (  # noqa: F401
    BSKY,
    BSKY_PASSWORD,
    DUE,
    MASTO,
    MASTODON_TOKEN,
    api_samples,
    platforms,
    scheduled_plan,
)
from ripplemeter.operations.calendar import get_plan
from ripplemeter.workspace import Workspace

SCRIPT = r"""
import datetime as dt, json, sys, time
from ripplemeter.workspace import Workspace
from ripplemeter.operations.publish import publish_due

path, base, now, crash_on = sys.argv[1:5]

def hook(plan_id, account_id, posted):
    if account_id == crash_on:
        print("ANSWERED", account_id, posted.post_id, flush=True)
        time.sleep(300)  # killed here, before the answer is written

ws = Workspace(path)
outs = publish_due(ws, now=dt.datetime.fromisoformat(now), actor="tom",
                   servers={"mastodon": base, "bluesky": base}, after_answer=hook)
ws.close()
print(json.dumps([o.to_dict() for o in outs]), flush=True)
"""


def _env() -> dict:
    env = dict(os.environ)
    env.update(RM_TEST_MASTODON=MASTODON_TOKEN, RM_TEST_BSKY=BSKY_PASSWORD)
    return env


def _readline(proc: subprocess.Popen, timeout: float) -> str:
    got: list[str] = []
    t = threading.Thread(target=lambda: got.append(proc.stdout.readline()), daemon=True)
    t.start()
    t.join(timeout)
    return got[0] if got else ""


@pytest.mark.parametrize("later", [False, True], ids=["restart-now", "restart-2h-later"])
@pytest.mark.parametrize("crash_on", [MASTO, BSKY], ids=["mastodon", "bluesky"])
def test_sigkill_between_answer_and_write_then_restart(tmp_path, platforms, crash_on, later):  # noqa: F811
    path = tmp_path / "ripplemeter.duckdb"
    with Workspace(path) as ws:
        pid = scheduled_plan(ws, "New single origin beans from Ethiopia this week #coffee")
    platforms.now = DUE.timestamp()
    args = [sys.executable, "-c", SCRIPT, str(path), platforms.base_url, DUE.isoformat()]
    proc = subprocess.Popen(
        [*args, crash_on], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env()
    )
    try:
        line = _readline(proc, 120)
        assert line.startswith("ANSWERED"), proc.stderr.read() if proc.poll() is not None else line
        _, account, first_id = line.split()
        assert account == crash_on
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    # the platform holds the post; our workspace does not know yet
    with Workspace(path) as ws:
        assert crash_on not in {
            a for a, p in get_plan(ws, pid).publications.items() if p.status == "published"
        }
    now = DUE
    if later:
        platforms.now += 2 * 3600
        now = DUE + dt.timedelta(hours=2)
    args[-1] = now.isoformat()
    res = subprocess.run(
        [*args, "nobody"], capture_output=True, text=True, env=_env(), timeout=180, check=False
    )
    assert res.returncode == 0, res.stderr
    outs = {o["account_id"]: o for o in json.loads(res.stdout.strip().splitlines()[-1])}
    assert outs[crash_on]["status"] == "published"
    assert outs[crash_on]["platform_post_id"] == first_id
    assert outs[crash_on]["reconciled"] is True or (crash_on == MASTO and not later)
    # exactly one post per account on the server
    assert len(platforms.statuses) == 1 and len(platforms.records) == 1
    with Workspace(path) as ws:
        post = get_plan(ws, pid)
        assert post.state == "published"
        assert post.publications[crash_on].platform_post_id == first_id
        assert post.publications[MASTO].platform_post_id == platforms.statuses[0]["id"]
        assert (
            post.publications[BSKY].platform_post_id
            == next(iter(platforms.records.values()))["uri"]
        )
        left = ws.sql("SELECT status, count(*) AS n FROM publish_intents GROUP BY status")
        assert dict(zip(left["status"], left["n"], strict=True)) == {"published": 2}
