"""The public workspace and HTTP calls that listening, accounts and publishing share:
``Workspace.insert_rows`` / ``Workspace.transaction`` and ``HttpClient.request`` /
``HttpClient.add_secret``. Expected values are written out by hand.
"""

from __future__ import annotations

import httpx
import pandas as pd
import pytest

from ripplemeter.errors import RippleError
from ripplemeter.listen.http import CollectError, HttpClient, RateLimitError
from ripplemeter.workspace import Workspace


def _post_count(ws: Workspace) -> int:
    return ws.con.execute("SELECT count(*) FROM posts").fetchone()[0]


def _imports_row(ws: Workspace, import_id: int) -> None:
    ws.con.execute(
        "INSERT INTO imports (import_id, path, format, context_key, rows, rows_by_table, notes, "
        "started_at, status) VALUES (?, 'test://', 'test', '', 0, '{}', '[]', now(), 'ok')",
        [import_id],
    )


def test_insert_rows_stores_lineage_and_the_search_column():
    with Workspace() as ws:
        rows = pd.DataFrame(
            {
                "post_id": ["p1", "p2"],
                "platform": ["mastodon", "bluesky"],
                "text": ["ＬＵＭＥＮ Tea ２０２６", None],
                "source_row": [3, 4],
            }
        )
        with ws.transaction():
            _imports_row(ws, 7)
            assert ws.insert_rows("posts", rows, 7) == 2
        got = ws.sql(
            "SELECT post_id, import_id, source_row, search_text FROM posts ORDER BY post_id"
        )
        assert got["import_id"].tolist() == [7, 7] and got["source_row"].tolist() == [3, 4]
        # NFKC folds full-width Latin letters and digits to ASCII, then casefold
        assert "lumen tea 2026" in got["search_text"][0]
        assert got["search_text"].isna().tolist() == [False, True]
        with pytest.raises(RippleError, match="unknown table 'postz'"):
            ws.insert_rows("postz", rows, 7)
        with pytest.raises(RippleError, match=r"table posts has no column\(s\) \['colour'\]"):
            ws.insert_rows("posts", rows.assign(colour="red"), 7)


def test_transaction_commits_or_rolls_back_everything():
    with Workspace() as ws:
        one = pd.DataFrame({"post_id": ["a"], "platform": ["x"], "text": ["hi"]})
        with pytest.raises(ValueError, match="boom"), ws.transaction():
            _imports_row(ws, 1)
            ws.insert_rows("posts", one, 1)
            raise ValueError("boom")
        assert _post_count(ws) == 0 and ws.sql("SELECT * FROM imports").empty
        # Ctrl-C in the middle rolls back too, and is raised again
        with pytest.raises(KeyboardInterrupt), ws.transaction():
            ws.insert_rows("posts", one, 1)
            raise KeyboardInterrupt
        assert _post_count(ws) == 0
        # a failed insert inside: nothing of the block stays
        bad = pd.DataFrame({"post_id": ["b"], "platform": ["x"], "created_at": ["not a time"]})
        with pytest.raises(RippleError, match="cannot store rows in table posts"):
            with ws.transaction():
                ws.insert_rows("posts", one, 1)
                ws.insert_rows("posts", bad, 1)
        assert _post_count(ws) == 0
        with ws.transaction() as same:
            assert same is ws
            ws.insert_rows("posts", one, 1)
        assert _post_count(ws) == 1
        # no nesting: DuckDB has one transaction per connection
        with pytest.raises(Exception, match="(?i)transaction"), ws.transaction():
            with ws.transaction():
                pass
        assert _post_count(ws) == 1


def _client(handler, **kw) -> tuple[HttpClient, list[float]]:
    sleeps: list[float] = []
    c = HttpClient(
        "hook",
        transport=httpx.MockTransport(handler),
        sleep=sleeps.append,
        clock=lambda: 1_700_000_000.0,
        **kw,
    )
    return c, sleeps


def test_request_retries_5xx_and_429_and_returns_other_answers_unclassified():
    answers = iter([503, 429, 422])
    sent = []

    def handler(req: httpx.Request) -> httpx.Response:
        sent.append((req.method, req.url.path, req.content))
        status = next(answers)
        headers = {"Retry-After": "7"} if status == 429 else {}
        return httpx.Response(status, headers=headers, json={"error": "x"})

    c, sleeps = _client(handler, max_retries=3)
    resp = c.request("POST", "https://api.example/v1/post", json={"a": 1})
    assert resp.status_code == 422  # a 4xx is the caller's to read
    assert [m for m, _, _ in sent] == ["POST"] * 3 and sent[0][2] == b'{"a":1}'
    # the 503 waits a backoff of 1 s with equal jitter (0.5 to 1 s); the 429 its Retry-After
    assert 0.5 <= sleeps[0] <= 1.0 and sleeps[1] == 7.0 and len(sleeps) == 2


def test_request_before_retry_stops_resending():
    calls = {"n": 0}

    def handler(req: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        raise httpx.ReadTimeout("slow", request=req)

    c, _ = _client(handler, max_retries=5)
    found = c.request("POST", "https://api.example/v1/post", before_retry=lambda: "exists")
    assert found == "exists" and calls["n"] == 1


def test_request_gives_up_naming_the_last_failure_without_secrets():
    def handler(req: httpx.Request) -> httpx.Response:
        return httpx.Response(502, json={"error": "Bad Gateway", "message": "upstream s3cr3t"})

    c, sleeps = _client(handler, max_retries=2)
    c.add_secret("s3cr3t")
    c.add_secret("")  # ignored
    with pytest.raises(CollectError) as e:
        c.request(
            "GET",
            "https://api.example/v1/x?token=s3cr3t",
            describe=lambda r: f"{r.status_code} {r.json()['message']}",
        )
    assert e.value.status == 502 and len(sleeps) == 2
    assert e.value.detail.endswith("answered 502 upstream ***; gave up after 3 attempts")
    assert "s3cr3t" not in str(e.value) and c.redact("a s3cr3t b") == "a *** b"

    def slow(req: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": "5000"})

    c, _ = _client(slow, max_wait=600)
    with pytest.raises(RateLimitError, match="5000 s") as e:
        c.request("GET", "https://api.example/v1/x")
    assert e.value.status == 429


def test_a_fresh_workspace_leaves_no_open_result(tmp_path):
    """Opening (which fills search_text) leaves no unfinished result: register() works at once.

    benchmarks/bench_annotate.py registers an Arrow table right after opening; an open result
    from the fill's count made DuckDB refuse it ("connection has an unfinished result").
    """
    import pyarrow as pa

    with Workspace(tmp_path / "w.duckdb") as ws:
        ws.con.register("_incoming", pa.table({"a": [1, 2]}))
        assert ws.con.execute("SELECT sum(a) FROM _incoming").fetchall() == [(3,)]
