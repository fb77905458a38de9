"""A local server that answers as Mastodon and a Bluesky PDS do, for the publishing tests.

Mastodon (``/api/...``): the answers are built on the real ``POST /api/v1/statuses``
response recorded in the Mastodon.py cassette ``test_hashtag_tl.yaml`` (Mastodon 4.6.4,
PROVENANCE.md): every created status is that recorded Status with its id, time, text
(``content`` as Mastodon renders it, ``<p>`` and ``<br />``), visibility, language, URL and
media changed. Behaviour as documented at docs.joinmastodon.org: ``Idempotency-Key``
remembered for one hour of the server's clock (a repeated key answers the first status),
``422 {"error": "Validation failed: Text character limit of 500 exceeded"}``,
``401 {"error": "The access token is invalid"}``, ``POST /api/v2/media`` answering ``202``
(processing) then ``GET /api/v1/media/:id`` ``206`` once and ``200``, account statuses
newest first with ``limit``/``max_id``.

Bluesky (``/xrpc/...``): **no recording of createSession, refreshSession, createRecord or
getRecord exists in the public data**; these answers are built from the published lexicons
(com.atproto.server.createSession/refreshSession, com.atproto.repo.createRecord/getRecord/
uploadBlob, com.atproto.identity.resolveHandle, app.bsky.feed.post) and the XRPC error
form ``{"error": "Name", "message": "..."}``: ``400 ExpiredToken`` for an expired access
token, ``401 AuthenticationRequired`` for a bad password, ``400 RecordNotFound`` from
getRecord, ``400 InvalidRequest`` for a record over 300 graphemes or a taken record key.

Faults on demand (:meth:`FakePlatforms.inject`): at the n-th request to a method and path,
answer a status (429 with ``Retry-After``, 500) or accept the request and then wait longer
than the client's timeout before answering (the post exists, the client saw a timeout).
Every request is logged (method, path, headers, body) for the tests.

Standalone, it is the rehearsal server of docs/operations.md ("Rehearse against the local
test server"): ``python tests/publish_server.py [--port N]`` needs ripplemeter (``make demo``
installs it), pyyaml (``make test`` installs it with the other test tools, or
``pip install pyyaml``) and the public data sets (``RIPPLEMETER_DATA``); pytest is needed only
by the fixtures, which the tests import.
"""

from __future__ import annotations

import copy
import email.parser
import hashlib
import html
import itertools
import json
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import regex

if __name__ == "__main__":  # the rehearsal server: no test tools (pytest, replay.py) needed
    pytest = None
else:  # imported by the tests, which take these fixtures from here
    import pytest

    from replay import api_samples  # noqa: F401

MASTODON_TOKEN = "mastodon-test-token-Q7v2Lk9ZpX4w"
BSKY_PASSWORD = "abcd-efgh-ijkl-mnop"
BSKY_DID = "did:plc:abc123"
BSKY_HANDLE = "ripple.bsky.social"
MASTODON_ACCOUNT = "109876"


@dataclass
class Fault:
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: dict | None = None
    accept_then_delay: float = 0.0


def _fixture(fn):
    """``pytest.fixture`` when pytest is installed; the plain function otherwise."""
    return pytest.fixture(fn) if pytest is not None else fn


def recorded_status(api_samples_dir) -> dict:
    """The Status body of the recorded ``POST /api/v1/statuses`` (Mastodon.py cassette).

    Reads the vcrpy YAML cassette with pyyaml (imported here, so that the module loads
    without it); raises ``ModuleNotFoundError`` when pyyaml is not installed.
    """
    import yaml  # the cassette's bodies are folded YAML strings: the stdlib cannot read them

    path = api_samples_dir / "mastodon" / "halcy_Mastodon.py" / "test_hashtag_tl.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for it in data.get("interactions") or []:
        req, body = it["request"], it["response"]["body"]
        if req["method"].upper() == "POST" and req["uri"].endswith("/api/v1/statuses"):
            return json.loads(body["string"] if isinstance(body, dict) else body)
    raise AssertionError("the cassette holds no POST /api/v1/statuses")


def _cid(data: bytes) -> str:
    return "bafyrei" + hashlib.sha256(data).hexdigest()[:52]


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class FakePlatforms:
    """Mastodon and a Bluesky PDS on one local port (see the module docstring).

    Attributes
    ----------
    base_url : str
    now : float or None
        The server's clock (epoch seconds) for created_at and the idempotency hour; the
        real clock when None.
    statuses : list of dict
        Mastodon statuses created, oldest first.
    records : dict
        Bluesky post records by record key.
    requests : list of tuple
        (method, path with query, headers, body bytes).
    """

    def __init__(self, status_template: dict, port: int = 0) -> None:
        self.template = status_template
        self.now: float | None = None
        self.statuses: list[dict] = []
        self.idem: dict[str, tuple[dict, float]] = {}
        self.media: dict[str, int] = {}
        self.records: dict[str, dict] = {}
        self.blobs = 0
        self.handles = {BSKY_HANDLE: BSKY_DID, "alice.example.com": "did:plc:alice000"}
        self.access: set[str] = set()
        self.expired: set[str] = set()
        self.refresh: set[str] = set()
        self.sessions = 0
        self.faults: dict[tuple[str, str], dict[int, Fault]] = {}
        self.counts: dict[tuple[str, str], int] = {}
        self.requests: list[tuple[str, str, dict, bytes]] = []
        self._ids = itertools.count(int(status_template["id"]) + 1000)
        self._lock = threading.Lock()
        server = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                server._serve(self, "GET")

            def do_POST(self) -> None:  # noqa: N802
                server._serve(self, "POST")

            def log_message(self, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _H)
        self._httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # ------------------------------------------------------------------ test controls
    def clock(self) -> float:
        return self.now if self.now is not None else time.time()

    def inject(self, method: str, path: str, *, at: int, **fault) -> None:
        """At the ``at``-th (1-based) ``method path`` request, apply a :class:`Fault`."""
        self.faults.setdefault((method, path), {})[at] = Fault(**fault)

    def hits(self, method: str, path: str) -> int:
        return self.counts.get((method, path), 0)

    def expire_bluesky_access(self) -> None:
        """Every access token issued so far now answers ``400 ExpiredToken``."""
        self.expired |= self.access
        self.access.clear()

    def expire_bluesky_refresh(self) -> None:
        """Every refresh token issued so far is refused too."""
        self.refresh.clear()

    # ------------------------------------------------------------------ serving
    def _serve(self, h: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(h.path)
        q = dict(parse_qsl(parts.query, keep_blank_values=True))
        n = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(n) if n else b""
        headers = dict(h.headers.items())
        with self._lock:
            self.requests.append((method, h.path, headers, body))
            key = (method, parts.path)
            cnt = self.counts[key] = self.counts.get(key, 0) + 1
            fault = self.faults.get(key, {}).pop(cnt, None)
        if fault is not None and fault.status is not None:
            self._send(h, fault.status, fault.body or {"error": "fault"}, fault.headers)
            return
        with self._lock:
            status, payload, extra = self._answer(method, parts.path, q, headers, body)
        if fault is not None and fault.accept_then_delay:
            time.sleep(fault.accept_then_delay)
        self._send(h, status, payload, extra)

    @staticmethod
    def _send(h, status: int, payload, headers: dict | None = None) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            h.send_response(status)
            h.send_header("Content-Type", "application/json; charset=utf-8")
            for k, v in (headers or {}).items():
                h.send_header(k, v)
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)

    def _answer(self, method, path, q, headers, body):
        if path.startswith("/xrpc/"):
            return self._xrpc(method, path[6:], q, headers, body)
        return self._mastodon(method, path, q, headers, body)

    # ------------------------------------------------------------------ Mastodon
    def _account(self) -> dict:
        acc = copy.deepcopy(self.template["account"])
        acc.update(id=MASTODON_ACCOUNT, username="ripple", acct="ripple")
        acc["url"] = f"{self.base_url}/@ripple"
        return acc

    def _status(self, text: str, visibility: str, language: str | None, media: list) -> dict:
        st = copy.deepcopy(self.template)
        sid = str(next(self._ids))
        paras = [p.split("\n") for p in text.split("\n\n")]
        content = "".join(
            "<p>" + "<br />".join(html.escape(line, quote=False) for line in lines) + "</p>"
            for lines in paras
        )
        st.update(
            id=sid,
            created_at=_iso(self.clock()),
            content=content,
            visibility=visibility,
            language=language,
            url=f"{self.base_url}/@ripple/{sid}",
            uri=f"{self.base_url}/users/ripple/statuses/{sid}",
            media_attachments=[{"id": m, "type": "image"} for m in media],
            account=self._account(),
        )
        return st

    def _mastodon(self, method, path, q, headers, body):
        if headers.get("Authorization") != f"Bearer {MASTODON_TOKEN}":
            return 401, {"error": "The access token is invalid"}, {}
        if method == "POST" and path == "/api/v1/statuses":
            params = json.loads(body) if body else {}
            key = headers.get("Idempotency-Key")
            if key and key in self.idem and self.clock() - self.idem[key][1] < 3600:
                return 200, self.idem[key][0], {}
            text = params.get("status", "")
            if len(text) > 500:
                return 422, {"error": "Validation failed: Text character limit of 500 exceeded"}, {}
            for m in params.get("media_ids", []):
                if m not in self.media:
                    return 422, {"error": "Validation failed: media not found"}, {}
            st = self._status(
                text,
                params.get("visibility", "public"),
                params.get("language"),
                params.get("media_ids", []),
            )
            self.statuses.append(st)
            if key:
                self.idem[key] = (st, self.clock())
            return 200, st, {}
        if method == "POST" and path == "/api/v2/media":
            ctype = headers.get("Content-Type", "")
            msg = email.parser.BytesParser().parsebytes(
                b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body
            )
            if not msg.is_multipart() or not any(
                p.get_param("name", header="content-disposition") == "file"
                for p in msg.get_payload()
            ):
                return 422, {"error": "Validation failed: File can't be blank"}, {}
            mid = str(next(self._ids))
            self.media[mid] = 0
            return 202, {"id": mid, "type": "image", "url": None}, {}
        if method == "GET" and path.startswith("/api/v1/media/"):
            mid = path.rsplit("/", 1)[1]
            if mid not in self.media:
                return 404, {"error": "Record not found"}, {}
            self.media[mid] += 1
            if self.media[mid] < 2:
                return 206, {"id": mid, "type": "image", "url": None}, {}
            return 200, {"id": mid, "type": "image", "url": f"{self.base_url}/m/{mid}.png"}, {}
        if method == "GET" and path == "/api/v1/accounts/verify_credentials":
            return 200, self._account(), {}
        if method == "GET" and path == f"/api/v1/accounts/{MASTODON_ACCOUNT}/statuses":
            items = sorted(self.statuses, key=lambda s: int(s["id"]), reverse=True)
            if "max_id" in q:
                items = [s for s in items if int(s["id"]) < int(q["max_id"])]
            return 200, items[: min(int(q.get("limit", 20)), 40)], {}
        return 404, {"error": "Record not found"}, {}

    # ------------------------------------------------------------------ Bluesky
    def _tokens(self) -> dict:
        self.sessions += 1
        a, r = f"acc-{self.sessions}-{time.time_ns()}", f"ref-{self.sessions}-{time.time_ns()}"
        self.access.add(a)
        self.refresh.add(r)
        return {
            "did": BSKY_DID,
            "handle": BSKY_HANDLE,
            "accessJwt": a,
            "refreshJwt": r,
            "active": True,
        }

    def _xrpc(self, method, nsid, q, headers, body):
        bearer = headers.get("Authorization", "").removeprefix("Bearer ")
        if method == "POST" and nsid == "com.atproto.server.createSession":
            p = json.loads(body or b"{}")
            if (
                p.get("identifier") in (BSKY_DID, BSKY_HANDLE)
                and p.get("password") == BSKY_PASSWORD
            ):
                return 200, self._tokens(), {}
            return (
                401,
                {"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
                {},
            )
        if method == "POST" and nsid == "com.atproto.server.refreshSession":
            if bearer in self.refresh:
                self.refresh.discard(bearer)
                return 200, self._tokens(), {}
            return 400, {"error": "ExpiredToken", "message": "Token has expired"}, {}
        if bearer in self.expired:
            return 400, {"error": "ExpiredToken", "message": "Token has expired"}, {}
        if bearer not in self.access:
            return (
                401,
                {"error": "AuthenticationRequired", "message": "Authentication Required"},
                {},
            )
        if method == "GET" and nsid == "com.atproto.identity.resolveHandle":
            did = self.handles.get(q.get("handle", ""))
            if did is None:
                return 400, {"error": "InvalidRequest", "message": "Unable to resolve handle"}, {}
            return 200, {"did": did}, {}
        if method == "POST" and nsid == "com.atproto.repo.uploadBlob":
            self.blobs += 1
            return (
                200,
                {
                    "blob": {
                        "$type": "blob",
                        "ref": {"$link": _cid(body)},
                        "mimeType": headers.get("Content-Type"),
                        "size": len(body),
                    }
                },
                {},
            )
        if method == "POST" and nsid == "com.atproto.repo.createRecord":
            p = json.loads(body)
            rec, rkey = p.get("record", {}), p.get("rkey")
            if (
                p.get("repo") not in (BSKY_DID, BSKY_HANDLE)
                or p.get("collection") != "app.bsky.feed.post"
            ):
                return 400, {"error": "InvalidRequest", "message": "Invalid repo or collection"}, {}
            if not rkey or not regex.fullmatch(r"[234567abcdefghij][234567a-z]{12}", rkey):
                return 400, {"error": "InvalidRequest", "message": "Invalid record key"}, {}
            if rec.get("$type") != "app.bsky.feed.post" or "createdAt" not in rec:
                return (
                    400,
                    {"error": "InvalidRequest", "message": "Invalid app.bsky.feed.post record"},
                    {},
                )
            if len(regex.findall(r"\X", rec.get("text", ""))) > 300:
                return (
                    400,
                    {
                        "error": "InvalidRequest",
                        "message": "Invalid app.bsky.feed.post "
                        "record: Record/text must not be longer than 300 graphemes",
                    },
                    {},
                )
            if rkey in self.records:
                return 400, {"error": "InvalidRequest", "message": "Record already exists"}, {}
            uri = f"at://{BSKY_DID}/app.bsky.feed.post/{rkey}"
            cid = _cid(json.dumps(rec, sort_keys=True).encode())
            self.records[rkey] = {"uri": uri, "cid": cid, "value": rec}
            return (
                200,
                {
                    "uri": uri,
                    "cid": cid,
                    "commit": {"cid": _cid(cid.encode()), "rev": rkey},
                    "validationStatus": "valid",
                },
                {},
            )
        if method == "GET" and nsid == "com.atproto.repo.getRecord":
            got = self.records.get(q.get("rkey", ""))
            if got is None or q.get("repo") not in (BSKY_DID, BSKY_HANDLE):
                return (
                    400,
                    {
                        "error": "RecordNotFound",
                        "message": "Could not locate record: "
                        f"at://{q.get('repo')}/{q.get('collection')}/{q.get('rkey')}",
                    },
                    {},
                )
            return 200, got, {}
        return 501, {"error": "MethodNotImplemented", "message": f"{nsid} not implemented"}, {}


@_fixture
def platforms(api_samples):  # noqa: F811
    """A started :class:`FakePlatforms` built on the recorded Mastodon status."""
    server = FakePlatforms(recorded_status(api_samples))
    try:
        yield server
    finally:
        server.close()


# ---------------------------------------------------------------------------- calendar set-up
EXAMPLES = __import__("pathlib").Path(__file__).resolve().parent.parent / "docs" / "examples"
MASTO = f"mastodon:{MASTODON_ACCOUNT}"
BSKY = f"bluesky:{BSKY_DID}"
T0 = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
DUE = datetime(2026, 12, 7, 0, 1, tzinfo=UTC)  # one minute after 09:00 in Seoul on 12-07


def scheduled_plan(ws, text: str, accounts=(MASTO, BSKY), *, when="2026-12-07 09:00", **kw) -> str:
    """Register the two accounts (credentials from env:RM_TEST_MASTODON / env:RM_TEST_BSKY),
    plan ``text``, have it approved by jisoo (legal) and scheduled by tom (the team of
    docs/examples/team.toml, as in the docs' rehearsal and :func:`next_steps`); the plan id."""
    from ripplemeter.operations.accounts import add_account, get_account
    from ripplemeter.operations.calendar import Planner
    from ripplemeter.operations.standards import load_standards
    from ripplemeter.operations.team import load_team

    if get_account(ws, MASTO) is None:
        add_account(
            ws,
            MASTO,
            role="owned",
            handle="ripple@127.0.0.1",
            timezone="Asia/Seoul",
            credentials_ref="env:RM_TEST_MASTODON",
        )
        add_account(
            ws,
            BSKY,
            role="owned",
            handle=BSKY_HANDLE,
            timezone="Asia/Seoul",
            credentials_ref="env:RM_TEST_BSKY",
        )
    p = Planner(
        ws,
        team=load_team(EXAMPLES / "team.toml"),
        standards=load_standards(EXAMPLES / "standards.toml"),
        clock=lambda: T0,
    )
    pid = p.add("tom", text, list(accounts), when, tz="Asia/Seoul", **kw).plan_id
    p.submit("tom", pid)
    p.approve("jisoo", pid)
    p.schedule("tom", pid)
    return pid


@_fixture
def creds(monkeypatch):
    """The two accounts' secrets in the environment variables their references name."""
    monkeypatch.setenv("RM_TEST_MASTODON", MASTODON_TOKEN)
    monkeypatch.setenv("RM_TEST_BSKY", BSKY_PASSWORD)


USAGE = """\
usage: python tests/publish_server.py [--port N]

A local server that answers as Mastodon and a Bluesky PDS do, to rehearse
`ripplemeter calendar publish` without posting anywhere (docs/operations.md,
"Rehearse against the local test server"). It prints the environment variables,
the accounts to register and the publish command, then serves until Ctrl-C and
says how many posts it received.

  --port N    listen on 127.0.0.1:N (default: a free port, printed)
  -h, --help  show this message and exit

Needs: ripplemeter installed (make demo), pyyaml (make test installs the test
tools, or: pip install pyyaml), and the public data sets (the recorded Mastodon
answer in api_samples): ../shared/data, or RIPPLEMETER_DATA=/path/to/shared/data.
"""


def rehearsal_monday(today=None):
    """The Monday of the rehearsal: the docs' 7 December 2026 while it is at least a day
    ahead, else the first Monday at least a day ahead (whole weeks later, as the docs tell
    the reader to do: `calendar add --at` refuses a time that has passed)."""
    from datetime import date, timedelta

    today = today or date.today()
    monday = date(2026, 12, 7)
    while monday <= today + timedelta(days=1):
        monday += timedelta(weeks=1)
    return monday


def next_steps(url: str, today=None) -> list[str]:
    """What the server prints under its address: the steps of docs/operations.md's
    rehearsal (2 to 5), with the same team (docs/examples/team.toml: mina admin, tom editor,
    jisoo and wei approvers), the same accounts and commands, and this server's URL."""
    day = rehearsal_monday(today)
    return [
        f"  export RM_TEST_MASTODON={MASTODON_TOKEN} RM_TEST_BSKY={BSKY_PASSWORD}",
        "  then, in a scratch folder holding docs/examples/standards.toml and team.toml "
        "(mina admin, tom editor, jisoo and wei approvers):",
        f"  ripplemeter accounts add {MASTO} --role owned --timezone Asia/Seoul "
        "--credentials-ref env:RM_TEST_MASTODON --as mina",
        f"  ripplemeter accounts add {BSKY} --role owned --handle {BSKY_HANDLE} "
        "--timezone Asia/Seoul --credentials-ref env:RM_TEST_BSKY --as mina",
        f'  ripplemeter calendar add "New beans from Ethiopia #coffee" -a {MASTO} -a {BSKY} '
        f'--at "{day} 09:00" --pillar product --as tom',
        "  ripplemeter calendar submit p1 --as tom && ripplemeter calendar approve p1 --as jisoo "
        "&& ripplemeter calendar schedule p1 --as tom",
        f"  ripplemeter calendar publish --due --server mastodon={url} --server bluesky={url} "
        f"--now {day}T09:01+09:00 --as tom",
        "  (--now acts as if it were then; it marks the posts published in that workspace and "
        "writes its audit log: rehearse in a scratch folder, never in your team's)",
    ]


def _refuse(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - a manual rehearsal server
    """``python tests/publish_server.py``: serve until Ctrl-C and say how to publish to it."""
    import argparse

    parser = argparse.ArgumentParser(add_help=False, usage=USAGE.splitlines()[0][7:])
    parser.add_argument("-h", "--help", action="store_true")
    parser.add_argument("--port", type=int, default=0)
    args, extra = parser.parse_known_args(argv)
    if args.help:
        print(USAGE, end="")
        return
    if extra:
        _refuse(f"unknown argument {extra[0]!r}; see python tests/publish_server.py --help")
    try:
        import yaml  # noqa: F401
    except ModuleNotFoundError:
        _refuse(
            "the test server needs pyyaml to read the recorded Mastodon answer: run `make test` "
            "(installs the test tools) or `.venv/bin/pip install pyyaml`"
        )
    from ripplemeter.datasets import DataUnavailable, data_path

    try:
        samples = data_path("api_samples")
    except DataUnavailable as exc:
        _refuse(
            f"the test server reads a recorded Mastodon answer from the public data sets: {exc}. "
            "Start it as RIPPLEMETER_DATA=/path/to/shared/data python tests/publish_server.py"
        )
    try:
        server = FakePlatforms(recorded_status(samples), port=args.port)
    except OSError as exc:
        _refuse(f"cannot listen on 127.0.0.1:{args.port} ({exc.strerror}); try another --port")
    url = server.base_url
    print(f"Mastodon and Bluesky test server at {url}", flush=True)
    print("\n".join(next_steps(url)), flush=True)
    import signal

    def _stop(signum, frame) -> None:
        raise KeyboardInterrupt

    for sig in (signal.SIGINT, signal.SIGTERM):  # Ctrl-C or kill: say what was received
        signal.signal(sig, _stop)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print(f"{len(server.statuses)} Mastodon status(es), {len(server.records)} Bluesky post(s)")
    finally:
        server.close()


if __name__ == "__main__":  # pragma: no cover
    main()
