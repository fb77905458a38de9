"""Mentions and comments from any listening tool or scraper (CSV, XLSX, JSON Lines) -> posts.

The ``comments`` format is the common shape of a social-listening export: one row per
mention (a post, a comment, a reply) with ``id``, ``platform``, ``channel``, ``author``,
``created_at``, ``text``, ``parent_id`` and ``url``. Each column may also go by the other
names in :data:`COLUMNS` (``content``, ``comment_id``, ``in_reply_to`` ...), or be named
through the source's ``columns`` mapping (ours -> the file's).

Rules (see ``docs/formats-opinion.md``):

- ids are namespaced by platform (``youtube:Ugx...``); ``parent_id`` is namespaced with the
  row's platform, so a comment and the post it answers must be on the same platform;
- ``kind``: from a ``kind`` column when present; else ``original`` without a parent,
  ``comment`` on a post, ``reply`` on a comment (a parent that itself has a parent in
  the file);
- ``root_id``: the top of the chain of parents found in the file; a parent that is not in
  the file (the brand's own post, commented on) is the root of its comments;
- ``channel``: from the column, else from the platform (:data:`PLATFORM_CHANNELS`: x and
  weibo are microblogs, youtube and bilibili video, reddit a forum, ...), else NULL with a
  note;
- ``author`` becomes the post's account (``platform:author``) and an ``accounts`` row with
  the author as handle (without ``@``), or as name when it holds spaces;
- times with an offset are converted to UTC; times without one are read in the source's
  ``timezone`` (default UTC) and noted;
- text is stored as exported (untrusted); a row repeating an id exactly is kept once, a
  repeat that differs is an error, as is a comment that is its own parent or a cycle of
  parents.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ripplemeter.errors import FormatError
from ripplemeter.formats import Rows, SourceContext, register
from ripplemeter.formats.generic import (
    allowed_values,
    convert_column,
    namespace,
    read_tabular,
    zone_of,
)

FORMAT = "comments"

#: Our column -> the names it goes by in exports (case-insensitive), in order of preference.
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "comment_id", "mention_id", "post_id"),
    "platform": ("platform", "network"),
    "channel": ("channel",),
    "author": ("author", "username", "user", "screen_name", "handle", "author_id"),
    "created_at": ("created_at", "date", "datetime", "timestamp", "time", "published_at"),
    "text": ("text", "content", "body", "message", "comment"),
    "parent_id": ("parent_id", "in_reply_to", "reply_to", "parent"),
    "url": ("url", "link", "permalink"),
    "lang": ("lang", "language"),
    "kind": ("kind",),
}
#: The header ``ripplemeter.demo`` and the tests write.
HEADER: tuple[str, ...] = (
    "id",
    "platform",
    "channel",
    "author",
    "created_at",
    "text",
    "parent_id",
    "url",
)
#: Default channel of a platform (lower-case platform name).
PLATFORM_CHANNELS: dict[str, str] = {
    **dict.fromkeys(("x", "twitter", "weibo", "threads", "mastodon", "bluesky"), "microblog"),
    **dict.fromkeys(
        ("facebook", "instagram", "linkedin", "wechat", "kakaostory", "line", "xiaohongshu"),
        "sns",
    ),
    **dict.fromkeys(("youtube", "bilibili", "tiktok", "douyin", "kuaishou"), "video"),
    **dict.fromkeys(("reddit", "tieba", "douban", "dcinside", "clien", "theqoo"), "forum"),
    **dict.fromkeys(("naver_blog", "tistory", "blogger", "medium", "wordpress"), "blog"),
    **dict.fromkeys(("naver_news", "news"), "news"),
}


def _pick(header: list[str], ctx: SourceContext) -> dict[str, str]:
    """Our column -> the file's header name."""
    by_lower: dict[str, str] = {}
    for h in header:
        by_lower.setdefault(h.strip().lower(), h)
    out: dict[str, str] = {}
    for ours, src in (ctx.columns or {}).items():
        if ours not in COLUMNS:
            raise FormatError(
                None,
                message=f"'{ours}' is not a column of the comments format; its columns are: "
                + ", ".join(COLUMNS),
            )
        out[ours] = src
    for ours, names in COLUMNS.items():
        if ours in out:
            continue
        for n in names:
            if n in by_lower and by_lower[n] not in out.values():
                out[ours] = by_lower[n]
                break
    return out


@register(FORMAT)
def read_comments(path: Path, ctx: SourceContext) -> Rows:
    """Mentions and comments (CSV/XLSX/JSONL: id, platform, author, created_at, text, ...) -> posts.

    Parameters
    ----------
    path : Path
        CSV (delimiter sniffed), ``.xlsx`` (first sheet) or ``.jsonl`` (one object per line;
        nested keys as ``user.name``) with at least ``id`` and ``text`` columns, and
        ``platform`` unless the source sets one.
    ctx : SourceContext
        ``platform``: for rows without one (and when the file has no platform column).
        ``columns``: our column name -> the file's (``{"text": "commentText"}``).
        ``timezone``: the zone of times written without an offset (default UTC).

    Returns
    -------
    Rows
        ``posts`` (one per distinct id; ``kind``, ``parent_id``, ``root_id`` as described in
        the module notes) and ``accounts`` (one per platform and author).

    Raises
    ------
    FormatError
        A missing ``id`` or ``text`` column, a row without id or platform, a channel or kind
        outside the schema's list, a time that does not parse, an id repeated with different
        values, a comment that is its own parent or a cycle of parents: each naming the file,
        row and column.
    """
    path = Path(path)
    table, notes = read_tabular(path, format_name=FORMAT, jsonl=True)
    try:
        cols = _pick(table.header, ctx)
    except FormatError as exc:
        raise FormatError(path, message=exc.detail) from None
    lowered = {h.strip().lower(): i for i, h in reversed(list(enumerate(table.header)))}
    for ours, src in cols.items():
        if src.strip().lower() not in lowered:
            raise FormatError(
                path,
                row=table.header_row or None,
                column=src,
                message=f"column '{src}' (mapped to {ours}) is not in the file; the file has: "
                + ", ".join(f"'{h}'" for h in table.header[:10]),
            )
    for need in ("id", "text"):
        if need not in cols:
            names = " / ".join(COLUMNS[need][:4])
            raise FormatError(
                path,
                row=table.header_row or None,
                column=need,
                message=f"missing required column '{need}' ({names}) for format comments; the "
                "file has: "
                + ", ".join(f"'{h}'" for h in table.header[:10])
                + (" ..." if len(table.header) > 10 else ""),
            )
    if "platform" not in cols and not ctx.platform:
        raise FormatError(
            path,
            row=table.header_row or None,
            column="platform",
            message="the file has no 'platform' column; add one or set platform = \"...\" on "
            "this source",
        )

    def raw(ours: str) -> list[str]:
        if ours not in cols:
            return [""] * len(table.records)
        i = lowered[cols[ours].strip().lower()]
        return [r[i] if i < len(r) else "" for r in table.records]

    def err(k: int, ours: str, **kw) -> FormatError:
        return FormatError(path, row=table.rows[k], column=cols.get(ours, ours), **kw)

    n = len(table.records)
    platforms: list[str] = []
    for k, p in enumerate(raw("platform")):
        p = p.strip().lower() or (ctx.platform or "").lower()
        if not p:
            raise err(k, "platform", expected="a platform name (or a platform setting)", found="")
        platforms.append(p)
    ids: list[str] = []
    for k, v in enumerate(raw("id")):
        v = v.strip()
        if not v:
            raise err(k, "id", expected="an id", found="")
        ids.append(namespace(v, platforms[k]))
    parents: list[str | None] = []
    for k, v in enumerate(raw("parent_id")):
        v = v.strip()
        parents.append(namespace(v, platforms[k]) if v else None)
        if parents[k] == ids[k]:
            raise err(k, "parent_id", message=f"the mention {ids[k]!r} names itself as parent")

    channel_values, _ = allowed_values("posts", "channel")
    channels: list[str | None] = []
    guessed = unknown = 0
    for k, v in enumerate(raw("channel")):
        c = v.strip().lower()
        if c and c not in channel_values:
            raise err(k, "channel", expected="one of " + ", ".join(channel_values), found=v)
        if not c:
            c = PLATFORM_CHANNELS.get(platforms[k])
            guessed += c is not None
            unknown += c is None
        channels.append(c or None)
    if guessed:
        notes.append(f"{path.name}: channel of {guessed} rows taken from their platform")
    if unknown:
        notes.append(
            f"{path.name}: {unknown} rows have no channel and a platform without a known one; "
            "channel is NULL (add a channel column)"
        )
    kind_values, _ = allowed_values("posts", "kind")
    kinds_given: list[str | None] = []
    for k, v in enumerate(raw("kind")):
        s = v.strip().lower()
        if s and s not in kind_values:
            raise err(k, "kind", expected="one of " + ", ".join(kind_values), found=v)
        kinds_given.append(s or None)

    zone = zone_of(path, ctx.timezone)
    if "created_at" in cols:
        created, n_naive = convert_column(
            table, raw("created_at"), cols["created_at"], "TIMESTAMP", zone=zone
        )
        if n_naive:
            where = ctx.timezone or "UTC"
            notes.append(
                f"{path.name}: {n_naive} times in '{cols['created_at']}' have no offset; read as "
                f"{where}" + ("" if ctx.timezone else " (set timezone on the source if local)")
            )
    else:
        created = pd.Series([pd.NaT] * n, dtype="datetime64[us]")
        notes.append(f"{path.name}: no time column; created_at is NULL")
    texts = [v if v.strip() else None for v in raw("text")]
    empty = sum(t is None for t in texts)
    if empty:
        notes.append(f"{path.name}: {empty} rows without text")

    df = pd.DataFrame(
        {
            "post_id": pd.Series(ids, dtype=object),
            "platform": pd.Series(platforms, dtype=object),
            "channel": pd.Series(channels, dtype=object),
            "created_at": created.reset_index(drop=True),
            "text": pd.Series(texts, dtype=object),
            "url": pd.Series([v.strip() or None for v in raw("url")], dtype=object),
            "lang": pd.Series([v.strip().lower() or None for v in raw("lang")], dtype=object),
            "parent_id": pd.Series(parents, dtype=object),
        }
    )
    authors = [v.strip().lstrip("@") for v in raw("author")]
    df["account_id"] = pd.Series(
        [
            namespace(a.lstrip("@"), p) if a else None
            for a, p in zip(authors, platforms, strict=True)
        ],
        dtype=object,
    )
    df["source_row"] = table.rows

    # exact repeats kept once; a repeat that differs is an error
    first: dict[str, int] = {}
    keep = []
    compare = [c for c in df.columns if c != "source_row"]
    for k, pid in enumerate(ids):
        if pid not in first:
            first[pid] = k
            keep.append(True)
            continue
        j = first[pid]
        for c in compare:
            a, b = df[c].iloc[j], df[c].iloc[k]
            if not ((pd.isna(a) and pd.isna(b)) or a == b):
                raise err(
                    k,
                    {"post_id": "id", "account_id": "author"}.get(c, c),
                    message=f"the id {pid!r} was already given at row {table.rows[j]} with a "
                    f"different {c.replace('_id', '')}",
                )
        keep.append(False)
    if not all(keep):
        notes.append(f"{path.name}: {keep.count(False)} rows repeat a mention exactly; kept once")
        df = df[keep].reset_index(drop=True)
        kinds_given = [x for x, kp in zip(kinds_given, keep, strict=True) if kp]
        rows_kept = [r for r, kp in zip(table.rows, keep, strict=True) if kp]
    else:
        rows_kept = list(table.rows)

    # kinds and roots from the parent links
    parent_of = dict(zip(df["post_id"], df["parent_id"], strict=True))
    roots, kinds = [], []
    outside = 0
    for k, (pid, par) in enumerate(zip(df["post_id"], df["parent_id"], strict=True)):
        seen = {pid}
        top = pid
        while parent_of.get(top) is not None:
            top = parent_of[top]
            if top in seen:
                raise FormatError(
                    path,
                    row=rows_kept[k],
                    column=cols.get("parent_id", "parent_id"),
                    message=f"the parents of {pid!r} go round in a circle (through {top!r})",
                )
            seen.add(top)
        roots.append(top)
        if par is not None and par not in parent_of:
            outside += 1
        if kinds_given[k]:
            kinds.append(kinds_given[k])
        elif par is None:
            kinds.append("original")
        else:
            kinds.append("reply" if parent_of.get(par) is not None else "comment")
    df["root_id"] = pd.Series(roots, dtype=object)
    df["kind"] = pd.Series(kinds, dtype=object)
    if outside:
        notes.append(
            f"{path.name}: {outside} comments answer a post that is not in the file (kept; the "
            "post they answer is their root)"
        )

    rows = Rows(notes=notes, source_timezone=ctx.timezone if "created_at" in cols else None)
    rows.add("posts", df)
    acc = []
    for a, p in dict.fromkeys(zip(authors, platforms, strict=True)):
        if not a:
            continue
        handle = a
        spaced = any(ch.isspace() for ch in handle)
        acc.append(
            {
                "account_id": namespace(handle, p),
                "platform": p,
                "handle": None if spaced else handle,
                "name": handle if spaced else None,
                # authors of mentions and comments are the public unless an accounts import
                # says otherwise (then that account's owned/partner row names it the campaign's)
                "role": "public",
            }
        )
    if acc:
        rows.add("accounts", pd.DataFrame(acc))
    return rows
