"""A local HTTP server that replays recorded API responses, with faults on demand.

Collector tests start it through the ``replay_server`` fixture (import it into a test module:
``from replay import replay_server  # noqa: F401``). It serves:

- recorded cassettes (:meth:`ReplayServer.add_cassette`): vcrpy/R-vcr YAML and PRAW's vcrpy
  JSON. It serves ``response.body.string`` (not the file), reads folded YAML with pyyaml,
  drops the stale ``Content-Encoding: gzip`` (the stored bodies are already decoded) and
  points absolute URLs of the recorded host (``Link`` headers) at itself;
- plain recorded bodies (:meth:`add_body`);
- emulated paging over recorded items where the recording has one page or no headers: a
  Mastodon timeline with ``max_id``/``since_id``/``min_id`` and the ``Link`` header Mastodon
  sends (:meth:`add_mastodon_timeline`), and an offset ``cursor`` as Bluesky's searchPosts
  uses (:meth:`add_cursor_pages`). Tests that use them say so;
- faults (:meth:`inject`): a status (429 with ``Retry-After``, 500, 401 for an expired token)
  or a delay longer than the client's timeout, at the n-th request to a path, once;
- persistent body edits (:meth:`transform`), e.g. a malformed record.

Every request is logged in ``requests`` (method, path with query, headers) so that tests can
check what the client sent (conditional GET headers, the Authorization header).

It also receives webhooks: a POST to ``/webhook`` is kept in ``received``, its
``X-Ripplemeter-Signature`` checked against ``webhook_secret`` when one is set, and answered 200.

Standalone (no pytest), it serves one recording per platform from ``api_samples`` (found
through ``ripplemeter.datasets``) and prints the base URLs to put in ``listen.toml``::

    .venv/bin/python tests/replay.py --port 8765 --recent

``--recent`` moves the recorded Mastodon statuses forward by whole days so that their April
2017 burst (17 of the 20 #mastodon statuses in one hour) ended within the last day, where
``ripplemeter listen watch`` looks for alerts to send. docs/listening.md has the walkthrough.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit


def missing_tools_message(module: str | None) -> str:
    """The one line printed when ``tests/replay.py`` runs without the test tools.

    Parameters
    ----------
    module : str or None
        The module that could not be imported (``pytest``, ``yaml``).

    Returns
    -------
    str
        What is missing and the README's command that installs it.
    """
    return (
        f"error: tests/replay.py needs the test tools ({module or 'a module'} is not "
        'installed); install them with `.venv/bin/pip install -e ".[dev]"` (or `make test`) '
        "in the project folder, then run it again"
    )


try:
    import pytest
    import yaml
except ModuleNotFoundError as _exc:  # run standalone without the dev extras
    if __name__ != "__main__":
        raise
    print(missing_tools_message(_exc.name), file=sys.stderr)
    raise SystemExit(2) from None

DROP_HEADERS = {"content-encoding", "transfer-encoding", "content-length", "connection"}


@dataclass
class Reply:
    """An HTTP answer: status, headers, body bytes."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass
class Fault:
    """A one-shot fault: answer ``status`` (with ``headers``) and/or wait ``delay`` seconds."""

    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    body: bytes = b""


Handler = Callable[[dict[str, str], dict[str, str]], Reply]


def read_cassette(path: str | Path) -> list[dict]:
    """The interactions of a cassette as dicts: method, uri, status, headers, body (str).

    Reads vcrpy YAML (``interactions``), R vcr YAML (``http_interactions``) and PRAW's vcrpy
    JSON; header values that are lists are joined with ``, ``.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    out = []
    for it in data.get("interactions") or data.get("http_interactions") or []:
        req, resp = it["request"], it["response"]
        status = resp["status"]
        if isinstance(status, dict):
            status = status["code"]
        headers = {}
        for k, v in (resp.get("headers") or {}).items():
            headers[k] = ", ".join(v) if isinstance(v, list) else str(v)
        body = resp["body"]["string"] if isinstance(resp.get("body"), dict) else resp.get("body")
        out.append(
            {
                "method": req["method"].upper(),
                "uri": req["uri"],
                "status": int(status),
                "headers": headers,
                "body": body or "",
            }
        )
    return out


class ReplayServer:
    """The local server; see the module docstring.

    Attributes
    ----------
    base_url : str
        ``http://127.0.0.1:<port>``.
    requests : list of tuple(str, str, dict)
        (method, path with query, request headers) of every request received.
    """

    def __init__(self, port: int = 0, *, webhook_secret: str | None = None) -> None:
        self.webhook_secret = webhook_secret
        self.received: list[dict] = []
        self.on_webhook: Callable[[dict], None] | None = None
        self.routes: dict[str, Handler] = {}
        self.exact: dict[tuple[str, str], Reply] = {}
        self.faults: dict[str, dict[int, Fault]] = {}
        self.transforms: dict[str, Callable[[object], object]] = {}
        self.counts: dict[str, int] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self._lock = threading.Lock()
        server = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                server._serve(self)

            def do_POST(self) -> None:  # noqa: N802
                server._receive(self)

            def log_message(self, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _H)
        self._httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop serving."""
        self._httpd.shutdown()
        self._httpd.server_close()

    # ------------------------------------------------------------------ content
    def add_body(
        self,
        path: str,
        body: str | bytes,
        *,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        status: int = 200,
    ) -> None:
        """Serve ``body`` at ``path`` (and exactly ``query`` when given, else any query)."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        hdrs = {"Content-Type": "application/json; charset=utf-8"}
        hdrs.update(headers or {})
        reply = Reply(status, hdrs, data)
        if query is None:
            self.routes[path] = lambda q, h, r=reply: r
        else:
            self.exact[(path, _qkey(query))] = reply

    def add_cassette(self, file: str | Path, *, methods: tuple[str, ...] = ("GET",)) -> list[str]:
        """Serve a cassette's recorded GET answers at their path and query.

        Returns
        -------
        list of str
            The paths (with query) registered, in recorded order.
        """
        added = []
        for it in read_cassette(file):
            if it["method"] not in methods:
                continue
            parts = urlsplit(it["uri"])
            origin = f"{parts.scheme}://{parts.netloc}"
            headers = {
                k: v.replace(origin, self.base_url)
                for k, v in it["headers"].items()
                if k.lower() not in DROP_HEADERS
            }
            q = dict(parse_qsl(parts.query, keep_blank_values=True))
            self.exact[(parts.path, _qkey(q))] = Reply(
                it["status"], headers, it["body"].encode("utf-8")
            )
            added.append(parts.path + ("?" + parts.query if parts.query else ""))
        return added

    def add_mastodon_timeline(
        self, path: str, statuses: list[dict], *, max_limit: int = 40
    ) -> None:
        """Emulate a Mastodon timeline over recorded statuses (newest first).

        Honours ``limit`` (default 20), ``max_id``, ``since_id`` and ``min_id`` as Mastodon
        does (ids compared as integers; old servers wrote them as JSON integers) and sends the
        ``Link`` header with ``rel="next"`` (``max_id`` = the page's last id) and
        ``rel="prev"`` (``min_id`` = its first id) on every non-empty page.
        """
        items = sorted(statuses, key=lambda s: int(s["id"]), reverse=True)

        def handler(q: dict[str, str], h: dict[str, str]) -> Reply:
            limit = min(int(q.get("limit", 20)), max_limit)
            sel = items
            if "max_id" in q:
                sel = [s for s in sel if int(s["id"]) < int(q["max_id"])]
            if "since_id" in q:
                sel = [s for s in sel if int(s["id"]) > int(q["since_id"])]
            if "min_id" in q:
                sel = [s for s in sel if int(s["id"]) > int(q["min_id"])][-limit:]
            page = sel[:limit]
            headers = {"Content-Type": "application/json; charset=utf-8"}
            if page:
                base = {k: v for k, v in q.items() if k not in ("max_id", "min_id", "since_id")}
                nxt = urlencode({**base, "max_id": page[-1]["id"]})
                prv = urlencode({**base, "min_id": page[0]["id"]})
                headers["Link"] = (
                    f'<{self.base_url}{path}?{nxt}>; rel="next", '
                    f'<{self.base_url}{path}?{prv}>; rel="prev"'
                )
            return Reply(200, headers, json.dumps(page, ensure_ascii=False).encode("utf-8"))

        self.routes[path] = handler

    def add_cursor_pages(
        self,
        path: str,
        items: list[dict],
        *,
        key: str,
        default_limit: int = 25,
        extra: dict | None = None,
        time_of: Callable[[dict], str] | None = None,
    ) -> None:
        """Emulate offset-cursor paging (Bluesky searchPosts: ``cursor`` is the offset).

        Each page is ``{key: items[offset:offset+limit], **extra}`` plus ``cursor`` while
        items remain. With ``time_of`` (item -> ISO time), a ``since`` parameter keeps only
        items at or after it, as searchPosts does.
        """

        def handler(q: dict[str, str], h: dict[str, str]) -> Reply:
            limit = int(q.get("limit", default_limit))
            off = int(q.get("cursor", 0) or 0)
            sel = items
            if time_of is not None and q.get("since"):
                floor = datetime.fromisoformat(q["since"].replace("Z", "+00:00"))
                sel = [
                    it
                    for it in items
                    if datetime.fromisoformat(time_of(it).replace("Z", "+00:00")) >= floor
                ]
            body: dict = {key: sel[off : off + limit]}
            if off + limit < len(sel):
                body["cursor"] = str(off + limit)
            body.update(extra or {})
            return Reply(
                200,
                {"Content-Type": "application/json; charset=utf-8"},
                json.dumps(body, ensure_ascii=False).encode("utf-8"),
            )

        self.routes[path] = handler

    def route(self, path: str, handler: Handler) -> None:
        """Serve ``path`` with ``handler(query, headers) -> Reply``."""
        self.routes[path] = handler

    # ------------------------------------------------------------------ faults
    def inject(
        self,
        path: str,
        *,
        at: int,
        status: int | None = None,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        body: bytes = b"",
    ) -> None:
        """At the ``at``-th request (1-based) to ``path``, answer ``status`` or wait ``delay``.

        The fault fires once; the client's retry gets the normal answer.
        """
        self.faults.setdefault(path, {})[at] = Fault(status, dict(headers or {}), delay, body)

    def transform(self, path: str, fn: Callable[[object], object]) -> None:
        """Edit every JSON body served at ``path`` (e.g. break one record)."""
        self.transforms[path] = fn

    def hits(self, path: str) -> int:
        """Requests received for ``path`` so far."""
        return self.counts.get(path, 0)

    # ------------------------------------------------------------------ serving
    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        q = dict(parse_qsl(parts.query, keep_blank_values=True))
        with self._lock:
            self.requests.append(("GET", h.path, dict(h.headers.items())))
            n = self.counts[parts.path] = self.counts.get(parts.path, 0) + 1
            fault = self.faults.get(parts.path, {}).pop(n, None)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.status is not None:
                self._send(h, Reply(fault.status, fault.headers, fault.body))
                return
        reply = self.exact.get((parts.path, _qkey(q)))
        if reply is None and parts.path in self.routes:
            reply = self.routes[parts.path](q, dict(h.headers.items()))
        if reply is None:
            reply = Reply(404, {"Content-Type": "application/json"}, b'{"error":"Not Found"}')
        fn = self.transforms.get(parts.path)
        if fn is not None and reply.status == 200:
            data = fn(json.loads(reply.body))
            reply = Reply(reply.status, reply.headers, json.dumps(data).encode("utf-8"))
        self._send(h, reply)

    def _receive(self, h: BaseHTTPRequestHandler) -> None:
        """A POST: ``/webhook`` keeps the body and checks its signature; else 404."""
        parts = urlsplit(h.path)
        body = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        with self._lock:
            self.requests.append(("POST", h.path, dict(h.headers.items())))
        if parts.path != "/webhook":
            self._send(
                h, Reply(404, {"Content-Type": "application/json"}, b'{"error":"Not Found"}')
            )
            return
        given = h.headers.get("X-Ripplemeter-Signature")
        if self.webhook_secret is None:
            verdict = "not checked (no secret given to the server)"
        elif given is None:
            verdict = "MISSING"
        else:
            want = (
                "sha256="
                + hmac.new(self.webhook_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
            )
            verdict = "valid" if hmac.compare_digest(want, given) else "INVALID"
        try:
            doc = json.loads(body)
        except ValueError:
            doc = None
        got = {
            "delivery": h.headers.get("X-Ripplemeter-Delivery"),
            "signature": verdict,
            "body": doc,
        }
        with self._lock:
            self.received.append(got)
        if self.on_webhook is not None:
            self.on_webhook(got)
        ok = verdict != "INVALID" and verdict != "MISSING"
        self._send(h, Reply(200 if ok else 401, {"Content-Type": "application/json"}, b"{}"))

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, reply: Reply) -> None:
        try:
            h.send_response(reply.status)
            for k, v in reply.headers.items():
                if k.lower() not in DROP_HEADERS:
                    h.send_header(k, v)
            h.send_header("Content-Length", str(len(reply.body)))
            h.end_headers()
            h.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)


def _qkey(q: dict[str, str]) -> str:
    return urlencode(sorted(q.items()))


MASTODON_TAG = "mastodon/sys1yagi_mastodon4j/tag.json"
BLUESKY_SEARCH = "bluesky/christopherkenny_bskyr/app.bsky.feed.searchPosts-5d343d.json"
REDDIT_NEW = "reddit/praw-dev_praw/TestSubredditListings.test_new.json"
YOUTUBE_SEARCH = "youtube/sns-sdks_python-youtube/search_by_keywords_p1.json"
RSS_FEED = "rss/rbren_rss-parser/guardian.rss"


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def recent_shift(statuses: list[dict], now: datetime | None = None) -> timedelta:
    """The whole number of days that moves the newest status into the last 24 hours."""
    now = now or datetime.now(UTC)
    last = max(datetime.fromisoformat(s["created_at"].replace("Z", "+00:00")) for s in statuses)
    return timedelta(days=(now - last) // timedelta(days=1))


def serve_recordings(
    server: ReplayServer, root: Path, *, shift: timedelta | None = None
) -> dict[str, list[str]]:
    """Serve one real recording per platform, as the listening walkthrough and e2e test use.

    - Mastodon: the 20 statuses of the ``#mastodon`` tag timeline (mastodon4j), paged as
      Mastodon does at ``/api/v1/timelines/tag/mastodon`` (emulated ``Link`` headers);
      ``shift`` moves every ``created_at`` forward (whole days keep the hours of the week);
    - Bluesky: a recorded ``app.bsky.feed.searchPosts`` answer (bskyr) at
      ``/xrpc/app.bsky.feed.searchPosts``, paged with an offset cursor, whatever ``q`` says;
    - Reddit: PRAW's recorded ``/r/askreddit/new`` pages, and an empty page after the last;
    - YouTube: one recorded ``search.list`` page at ``/search`` (any key, any query);
    - RSS: the Guardian feed (rss-parser) at ``/feed``.

    Returns
    -------
    dict of str to list of str
        The texts served, by platform (mastodon, bluesky, reddit, youtube).
    """
    tag = json.loads((root / MASTODON_TAG).read_text(encoding="utf-8"))
    if shift:
        tag = [
            {
                **s,
                "created_at": _iso(
                    datetime.fromisoformat(s["created_at"].replace("Z", "+00:00")) + shift
                ),
            }
            for s in tag
        ]
    server.add_mastodon_timeline("/api/v1/timelines/tag/mastodon", tag)
    bsky = json.loads((root / BLUESKY_SEARCH).read_text(encoding="utf-8"))
    server.add_cursor_pages("/xrpc/app.bsky.feed.searchPosts", bsky["posts"], key="posts")
    cassette = root / REDDIT_NEW
    server.add_cassette(cassette)
    gets = [it for it in read_cassette(cassette) if it["method"] == "GET"]
    reddit = json.loads(gets[-1]["body"])
    end = {"kind": "Listing", "data": {"children": [], "after": None, "before": None}}
    server.add_body(
        "/r/askreddit/new",
        json.dumps(end),
        query={"limit": "100", "raw_json": "1", "after": reddit["data"]["after"]},
    )
    yt = json.loads((root / YOUTUBE_SEARCH).read_text(encoding="utf-8"))
    yt_page = dict(yt)
    yt_page.pop("nextPageToken", None)  # one recorded page: served as the last one
    yt_body = json.dumps(yt_page).encode("utf-8")
    server.route("/search", lambda q, h: Reply(200, {"Content-Type": "application/json"}, yt_body))
    rss = (root / RSS_FEED).read_bytes()
    server.route("/feed", lambda q, h: Reply(200, {"Content-Type": "application/rss+xml"}, rss))
    return {
        "mastodon": [s["content"] for s in tag],
        "bluesky": [p["record"]["text"] for p in bsky["posts"]],
        "reddit": [c["data"]["title"] for c in reddit["data"]["children"]],
        "youtube": [i["snippet"]["title"] for i in yt["items"]],
    }


def main(argv: list[str] | None = None) -> int:
    """Serve the recordings until Ctrl-C; print the URLs for listen.toml and each webhook."""
    ap = argparse.ArgumentParser(
        prog="tests/replay.py",
        description="Replay recorded Mastodon, Bluesky, Reddit, YouTube and RSS answers "
        "(api_samples) on a local port, and receive signed webhooks at /webhook.",
    )
    ap.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765)")
    ap.add_argument(
        "--recent",
        action="store_true",
        help="move the #mastodon statuses forward by whole days so their burst ended "
        "within the last 24 hours (for 'listen watch')",
    )
    ap.add_argument(
        "--secret-env",
        default="RIPPLEMETER_HOOK_SECRET",
        help="environment variable holding the webhook secret to check signatures with "
        "(default RIPPLEMETER_HOOK_SECRET; unset: signatures are not checked)",
    )
    args = ap.parse_args(argv)
    from ripplemeter.datasets import DataUnavailable, data_path

    try:
        root = data_path("api_samples")
    except DataUnavailable as exc:
        print(f"error: recorded API responses not available: {exc}", file=sys.stderr)
        return 2
    try:
        server = ReplayServer(args.port, webhook_secret=os.environ.get(args.secret_env) or None)
    except OSError as exc:
        print(f"error: cannot listen on 127.0.0.1:{args.port}: {exc}", file=sys.stderr)
        return 2
    shift = None
    if args.recent:
        tag = json.loads((root / MASTODON_TAG).read_text(encoding="utf-8"))
        shift = recent_shift(tag)
    serve_recordings(server, root, shift=shift)

    def show(got: dict) -> None:
        a = (got["body"] or {}).get("alert") or {}
        print(
            f"webhook received: delivery {got['delivery']}, signature {got['signature']}; "
            f"{a.get('rule')} alert on {a.get('series')}, {a.get('start')} to {a.get('end')}, "
            f"observed {a.get('observed')} > threshold {a.get('threshold')}",
            flush=True,
        )
        if a.get("explanation"):
            print(f"  {a['explanation']}", flush=True)

    server.on_webhook = show
    b = server.base_url
    moved = f" (moved forward {shift.days} days)" if shift else ""
    print(
        f"Replaying api_samples from {root}\n"
        f'  mastodon  instance = "{b}"   hashtags = ["mastodon"]{moved}\n'
        f'  bluesky   service  = "{b}"   (any query)\n'
        f'  reddit    base_url = "{b}"   subreddits = ["askreddit"]\n'
        f'  youtube   base_url = "{b}"   (any key, any search)\n'
        f'  rss       url      = "{b}/feed"\n'
        f'  webhook   url      = "{b}/webhook"   signature check: '
        f"{'on (' + args.secret_env + ')' if server.webhook_secret else 'off'}\n"
        "Ctrl-C stops.",
        flush=True,
    )
    try:
        server._thread.join()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0


@pytest.fixture
def replay_server():
    """A started :class:`ReplayServer`, closed after the test."""
    server = ReplayServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def api_samples() -> Path:
    """The folder of recorded API responses (skips when the public data is absent)."""
    from ripplemeter.datasets import DataUnavailable, data_path

    try:
        return data_path("api_samples")
    except DataUnavailable as exc:
        pytest.skip(f"recorded API responses not available: {exc}")


class FakeClock:
    """A clock whose ``sleep`` advances time instantly; records every sleep."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.t = start
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    raise SystemExit(main())
