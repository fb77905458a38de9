"""X (Twitter) API v2 tweet responses and twarc2's output, raw or flattened.

One format, ``x-api-v2``, reads what X's v2 endpoints return and what twarc2 writes:

- a **raw response** (``GET /2/tweets/search/recent``, ``/2/users/:id/tweets``, ...): an
  object with ``data`` (a list of tweets, or one tweet), ``includes`` (``users``,
  ``tweets``: the referenced tweets, ...), ``meta`` and perhaps ``errors``; saved as one
  JSON document, or as JSON Lines of pages as ``twarc2 search`` writes them (each page
  carrying ``__twarc``);
- **flattened tweets** (``twarc2 flatten``, ``twarc.expansions.flatten``): JSON Lines of one
  tweet each, with the author inline (``author``) and each referenced tweet's fields merged
  into its entry of ``referenced_tweets``.

Rules (see ``docs/formats-listening.md``):

- a retweet's ``text`` is cut (``RT @user: ... …``); its full text is the retweeted tweet's,
  found under ``includes.tweets`` (raw) or inside ``referenced_tweets`` (flattened), and is
  the text stored. A long post's full text is in ``note_tweet.text`` and is preferred over
  ``text``. A retweet whose original is not in the file keeps the cut text (noted);
- ``referenced_tweets`` gives the kind and the parent: ``retweeted`` -> ``repost``,
  ``replied_to`` -> ``reply``, ``quoted`` -> ``quote`` (a reply that quotes is a reply);
  ``root_id`` is the ``conversation_id`` of a reply (the thread's first tweet) and the
  referenced tweet's ``conversation_id`` (else the parent) for reposts and quotes;
- ``public_metrics`` become a ``post_metrics`` snapshot observed at the page's
  ``__twarc.retrieved_at`` when twarc wrote one, else at the import time (noted);
  ``quote_count`` has no canonical column and is left out;
- authors (``includes.users`` or ``author``) become ``accounts`` with their follower count;
- the referenced tweets themselves are not stored as posts (they did not match the
  collection's query); a tweet seen twice (overlapping pages) is stored once.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ripplemeter.errors import FormatError
from ripplemeter.formats import Rows, SourceContext, register
from ripplemeter.formats._io import read_text

FORMAT = "x-api-v2"
PLATFORM = "x"

#: referenced_tweets type -> posts.kind, in order of precedence
KINDS = {"retweeted": "repost", "replied_to": "reply", "quoted": "quote"}

#: public_metrics field -> post_metrics column
METRICS = {
    "impression_count": "impressions",
    "retweet_count": "reposts",
    "reply_count": "replies",
    "like_count": "likes",
    "bookmark_count": "saves",
}

#: X's ``lang`` values that name no language (undetermined, media, hashtags, mentions,
#: cashtags or links only, no linguistic content): stored as NULL
NO_LANGUAGE = frozenset({"und", "qme", "qht", "qam", "qct", "qst", "zxx", "art", ""})

#: keys that mark an object as an X v2 tweet (besides ``id`` and ``text``)
TWEET_MARKS = (
    "author_id",
    "edit_history_tweet_ids",
    "conversation_id",
    "public_metrics",
    "referenced_tweets",
)


def _is_x_api(lines: list[str]) -> bool:
    head = "\n".join(lines)
    if not head.lstrip().startswith(("{", "[")):
        return False
    return (
        '"edit_history_tweet_ids"' in head
        or '"__twarc"' in head
        or ('"data"' in head and '"author_id"' in head)
    )


@dataclass
class _Tweet:
    obj: dict
    row: int
    users: dict[str, dict]
    refs: dict[str, dict]
    retrieved_at: str | None


@dataclass
class _Found:
    tweets: list[_Tweet] = field(default_factory=list)
    pages: int = 0
    empty_pages: int = 0
    errors: int = 0


def _is_tweet(obj: object) -> bool:
    return (
        isinstance(obj, dict)
        and isinstance(obj.get("id"), str)
        and obj["id"].isdigit()
        and isinstance(obj.get("text"), str)
        and any(k in obj for k in TWEET_MARKS)
    )


_ID = re.compile(r'"id"\s*:\s*"(\d+)"')


def _id_lines(text: str) -> dict[str, int]:
    """Line of the first ``"id": "<digits>"`` of each id in a JSON document (one pass)."""
    lines: dict[str, int] = {}
    line, last = 1, 0
    for m in _ID.finditer(text):
        line += text.count("\n", last, m.start())
        last = m.start()
        lines.setdefault(m.group(1), line)
    return lines


def _page(path: Path, obj: dict, row: int, lines: dict[str, int] | None, found: _Found) -> None:
    """Collect the tweets of one raw response (``lines``: id -> line in a document)."""
    found.pages += 1
    inc = obj.get("includes") or {}
    if not isinstance(inc, dict):
        raise FormatError(path, row=row, column="includes", expected="an object")
    users = {u["id"]: u for u in inc.get("users") or [] if isinstance(u, dict) and "id" in u}
    refs = {t["id"]: t for t in inc.get("tweets") or [] if isinstance(t, dict) and "id" in t}
    found.errors += len(obj.get("errors") or [])
    data = obj.get("data")
    retrieved = (obj.get("__twarc") or {}).get("retrieved_at")
    if data is None:
        found.empty_pages += 1
        return
    items = data if isinstance(data, list) else [data]
    for k, t in enumerate(items, start=1):
        if not _is_tweet(t):
            raise FormatError(
                path,
                row=row if lines is None else lines.get(str((t or {}).get("id")), row),
                column=f"data[{k}]",
                expected="a tweet with 'id' (digits) and 'text'",
                found=json.dumps(t, ensure_ascii=False)[:80],
            )
        r = row if lines is None else lines.get(t["id"], row)
        found.tweets.append(_Tweet(t, r, users, refs, retrieved))


def _flat(path: Path, obj: dict, row: int, found: _Found) -> None:
    """One flattened tweet (twarc2 flatten): author and referenced tweets inline."""
    users: dict[str, dict] = {}
    refs: dict[str, dict] = {}
    a = obj.get("author")
    if isinstance(a, dict) and "id" in a:
        users[a["id"]] = a
    for ref in obj.get("referenced_tweets") or []:
        if isinstance(ref, dict) and "id" in ref and "text" in ref:
            refs[ref["id"]] = ref
    retrieved = (obj.get("__twarc") or {}).get("retrieved_at")
    found.tweets.append(_Tweet(obj, row, users, refs, retrieved))


def _read(path: Path, text: str) -> _Found:
    found = _Found()
    doc = None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as whole:
        first = next((ln for ln in text.split("\n") if ln.strip()), "")
        try:
            json.loads(first)
        except json.JSONDecodeError:
            last = whole.lineno >= len(text.rstrip().split("\n"))
            raise FormatError(
                path,
                row=whole.lineno,
                message=f"not valid JSON: {whole.msg} (character {whole.colno})"
                + ("; the file looks truncated" if last else ""),
            ) from None
    if doc is not None:
        items = doc if isinstance(doc, list) else [doc]
        lines = _id_lines(text)
        for k, obj in enumerate(items, start=1):
            _one(path, obj, lines.get(str((obj or {}).get("id", "")), 1), lines, found, k)
        return found
    raw_lines = text.split("\n")
    n_lines = len(text.rstrip("\n").split("\n"))
    for n, line in enumerate(raw_lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise FormatError(
                path,
                row=n,
                message=f"not valid JSON: {exc.msg} (character {exc.colno})"
                + ("; the last line looks truncated" if n == n_lines else ""),
            ) from None
        _one(path, obj, n, None, found, n)
    return found


def _one(
    path: Path, obj: object, row: int, lines: dict[str, int] | None, found: _Found, k: int
) -> None:
    if isinstance(obj, dict) and ("data" in obj or "meta" in obj) and "text" not in obj:
        _page(path, obj, 1 if lines is not None else row, lines, found)
    elif _is_tweet(obj):
        _flat(path, obj, row, found)
    else:
        shown = json.dumps(obj, ensure_ascii=False)[:80] if obj is not None else "null"
        raise FormatError(
            path,
            row=row,
            expected="an X API v2 response (with 'data') or a tweet with 'id' (digits), "
            "'text' and 'author_id' or 'edit_history_tweet_ids' (twarc2 flatten)",
            found=shown,
        )


def _retweeted(ref: dict, refs: dict[str, dict]) -> tuple[str, dict | None] | None:
    """The original of a referenced tweet that is itself a retweet: (its id, its object).

    A quote, reply or retweet that points at a retweet is about the retweeted tweet (X links
    a retweet's page to its original); the original's object comes from the nested
    ``referenced_tweets`` entry (flattened) or from ``includes.tweets`` (raw), else None.
    """
    hit = next(
        (
            r
            for r in ref.get("referenced_tweets") or []
            if isinstance(r, dict) and r.get("type") == "retweeted" and r.get("id")
        ),
        None,
    )
    if hit is None:
        return None
    oid = str(hit["id"])
    obj = hit if isinstance(hit.get("text"), str) else refs.get(oid)
    return oid, obj


def _full_text(t: dict) -> str:
    note = t.get("note_tweet")
    if isinstance(note, dict) and isinstance(note.get("text"), str):
        return note["text"]
    return t["text"]


def _utc(path: Path, row: int, column: str, raw: object) -> dt.datetime | None:
    if raw is None or raw == "":
        return None
    s = str(raw)
    try:
        t = dt.datetime.fromisoformat(s[:-1] + "+00:00" if s.endswith("Z") else s)
    except ValueError:
        raise FormatError(
            path,
            row=row,
            column=column,
            expected="an ISO 8601 time like 2026-03-01T10:00:00.000Z",
            found=s,
        ) from None
    if t.tzinfo is not None:
        t = t.astimezone(dt.UTC).replace(tzinfo=None)
    return t


def _whole(path: Path, row: int, column: str, v: object) -> int | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise FormatError(path, row=row, column=column, expected="a whole number", found=str(v))
    return v


@register(FORMAT, recognise=_is_x_api)
def read_x_api(path: Path, ctx: SourceContext) -> Rows:
    """X API v2 tweets (raw response JSON/JSONL, or twarc2 flatten JSONL) -> posts, accounts.

    Parameters
    ----------
    path : Path
        A saved v2 response, twarc2's JSON Lines of pages, or its flattened tweets.
    ctx : SourceContext
        ``platform`` (default ``x``) for ids; ``imported_at`` as the metrics' time when no
        ``__twarc.retrieved_at`` is recorded.

    Returns
    -------
    Rows
        ``posts`` (full text; kind, parent_id, root_id from ``referenced_tweets`` and
        ``conversation_id``), ``post_metrics`` (from ``public_metrics``), ``accounts``
        (authors). ``source_row``: the JSON line of the tweet (the line of its ``id`` in a
        document).

    Raises
    ------
    FormatError
        Not JSON (the line named; a cut file says so), an object that is neither a
        response nor a tweet, a tweet without digit ``id`` or ``text``, a bad
        ``created_at``, a metric that is not a whole number, no tweet at all.

    References
    ----------
    X developer platform, "Tweet object" and "Fields and expansions" (API v2:
    ``referenced_tweets``, ``conversation_id``, ``note_tweet``, ``public_metrics``,
    ``includes.tweets``); twarc documentation, "twarc2 flatten" and
    ``twarc/expansions.py`` (``flatten``).
    """
    path = Path(path)
    dec = read_text(path)
    notes = [dec.note] if dec.note else []
    found = _read(path, dec.text)
    platform = ctx.platform or PLATFORM
    if not found.tweets:
        raise FormatError(
            path,
            row=1,
            message="the file has no data: no tweet in it"
            + (f" ({found.empty_pages} page(s) without 'data')" if found.empty_pages else ""),
        )
    posts: list[dict] = []
    metrics: list[dict] = []
    accounts: dict[str, dict] = {}
    seen: set[str] = set()
    repeated = cut = at_import = via_retweet = 0
    imported = pd.Timestamp(ctx.imported_at) if ctx.imported_at is not None else None
    for tw in found.tweets:
        t, row = tw.obj, tw.row
        if t["id"] in seen:
            repeated += 1
            continue
        seen.add(t["id"])
        kind, parent, ref = "original", None, None
        for rtype, k in KINDS.items():
            hit = next(
                (
                    r
                    for r in t.get("referenced_tweets") or []
                    if isinstance(r, dict) and r.get("type") == rtype
                ),
                None,
            )
            if hit is not None:
                kind, parent = k, str(hit.get("id"))
                ref = tw.refs.get(parent)
                break
        if ref is not None and parent is not None:
            orig = _retweeted(ref, tw.refs)
            if orig is not None:  # a retweet carries no words of its own: link its original
                parent, ref = orig
                via_retweet += 1
        text = _full_text(t)
        if kind == "repost":
            if ref is not None and isinstance(ref.get("text"), str):
                text = _full_text(ref)
            else:
                cut += 1
        root = None
        if kind == "reply":
            root = t.get("conversation_id") or (ref or {}).get("conversation_id") or parent
        elif kind in ("repost", "quote"):
            root = (ref or {}).get("conversation_id") or parent
        author_id = t.get("author_id") or (t.get("author") or {}).get("id")
        user = tw.users.get(author_id) if author_id else None
        handle = (user or {}).get("username")
        posts.append(
            {
                "post_id": f"{platform}:{t['id']}",
                "platform": platform,
                "channel": "microblog",
                "account_id": f"{platform}:{author_id}" if author_id else None,
                "created_at": _utc(path, row, "created_at", t.get("created_at")),
                "text": text,
                "lang": t.get("lang") if t.get("lang") not in NO_LANGUAGE else None,
                "url": f"https://x.com/{handle or 'i/web'}/status/{t['id']}",
                "kind": kind,
                "parent_id": f"{platform}:{parent}" if parent else None,
                "root_id": f"{platform}:{root}" if root else None,
                "source_row": row,
            }
        )
        pm = t.get("public_metrics")
        if isinstance(pm, dict):
            when = _utc(path, row, "__twarc.retrieved_at", tw.retrieved_at)
            if when is None:
                at_import += 1
            m = {
                "post_id": f"{platform}:{t['id']}",
                "observed_at": when if when is not None else imported,
                "observed_at_source": "retrieved_at" if when is not None else "import_time",
                "source_row": row,
            }
            for src, col in METRICS.items():
                m[col] = _whole(path, row, f"public_metrics.{src}", pm.get(src))
            metrics.append(m)
        if user is not None and author_id and f"{platform}:{author_id}" not in accounts:
            upm = user.get("public_metrics") or {}
            accounts[f"{platform}:{author_id}"] = {
                "account_id": f"{platform}:{author_id}",
                "platform": platform,
                "handle": user.get("username"),
                "name": user.get("name"),
                "followers": _whole(path, row, "followers_count", upm.get("followers_count")),
                "verified": user.get("verified")
                if isinstance(user.get("verified"), bool)
                else None,
                "source_row": row,
            }
    kinds = pd.Series([p["kind"] for p in posts]).value_counts().to_dict()
    notes.append(
        f"{path.name}: X API v2, {len(posts)} tweet(s) ("
        + ", ".join(f"{v} {k}" for k, v in sorted(kinds.items()))
        + f"), {len(accounts)} author(s)"
        + (f", {found.pages} page(s)" if found.pages else ", flattened (twarc2 flatten)")
    )
    if repeated:
        notes.append(f"{path.name}: {repeated} tweet(s) repeated across pages stored once")
    if cut:
        notes.append(
            f"{path.name}: {cut} retweet(s) whose original is not in the file keep the cut "
            "'RT @user: ...' text (request expansions=referenced_tweets.id)"
        )
    if via_retweet:
        notes.append(
            f"{path.name}: {via_retweet} tweet(s) that point at a retweet are linked to the "
            "retweeted original (a retweet has no words of its own)"
        )
    if found.errors:
        notes.append(
            f"{path.name}: the response lists {found.errors} error(s) (deleted or protected "
            "referenced tweets, ...)"
        )
    if metrics and at_import:
        notes.append(
            f"{path.name}: {at_import} metric snapshot(s) timed at the import (no "
            "__twarc.retrieved_at in the file)"
        )
    notes.append(f"{path.name}: quote_count has no canonical column and is not stored")
    out = Rows(notes=notes)
    out.add("posts", pd.DataFrame(posts))
    if metrics:
        mdf = pd.DataFrame(metrics)
        for col in METRICS.values():
            mdf[col] = mdf[col].astype("Int64")
        out.add("post_metrics", mdf)
    if accounts:
        adf = pd.DataFrame(list(accounts.values()))
        adf["followers"] = adf["followers"].astype("Int64")
        out.add("accounts", adf)
    return out
