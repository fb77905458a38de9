"""Search-engine result pages as saved by SERP tools and scrapers -> serp_results.

One importer reads the ways SERPs are saved in practice (see ``docs/formats-opinion.md``):

- **SerpApi JSON** (``engine=google`` responses saved with ``json.dump``): the query, engine
  and time come from ``search_parameters`` and ``search_metadata``; ``organic_results[]``
  give the results, ``position`` being the 1-based rank.
- **JSON arrays** of result objects, e.g. the Naver News Search API dump of the common
  Korean textbook script (``{"cnt", "title", "description", "link", "org_link", "pDate"}``,
  saved as ``<query>_naver_news.json``) or a Baidu scrape (``{"title", "link"}``).
- **CSV / XLSX / JSON Lines** of scraped results, with columns named in any of the ways
  listed in :data:`COLUMNS` (``title`` is required; ``rank_serp``, ``position``, ``num``,
  ``link``, ``des``, ``pdate``, ``keyword`` ... are recognised).

Rules, each recorded in the import notes:

- **rank** is 1-based. A file whose ranks start at 0 (some scrapers write Python's
  ``enumerate``) is shifted by one. A file without ranks is ranked in file order (the APIs
  return results in rank order). Ranks are kept as the file gives them otherwise; gaps are
  noted, not renumbered.
- **batch**: a file can hold several result lists one after the other (a scrape of ten
  queries with no query column). A new list starts where the query changes or the rank
  goes back down; ``batch`` numbers them from 1, and ranks restart in each.
- **query**: from the file when it records one (a query column, SerpApi's
  ``search_parameters.q``, the Naver script's file name), else from the source's ``query``
  setting in campaign.toml (one query for the whole file, or a list naming each result list
  in order); a file with neither is an error naming the file.
- **engine**: from the file (an ``engine`` column, SerpApi's ``search_parameters.engine``),
  else the source's ``platform`` setting, else recognised from the layout (the Naver API
  dumps, Baidu's ``baidu.com/link?url=`` redirects); otherwise an error.
- **text**: ``title`` and ``snippet`` are stored as exported, markup included (the Naver
  API's ``<b>`` highlights and ``&quot;`` entities). ``title_text`` and ``snippet_text`` are
  the display forms: tags removed, entities decoded, runs of white space made one space.
- **urls** are stored as given. A Baidu result links to ``baidu.com/link?url=...``, a
  redirect that only Baidu can resolve: the link is kept with its displayed title and
  ``is_redirect`` is set.
- rows that are not search results (``type = "autocomplete"`` suggestions) are left out
  and counted.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from ripplemeter.errors import FormatError
from ripplemeter.formats import Rows, SourceContext, register
from ripplemeter.formats._io import no_data_rows, read_datetime, read_text
from ripplemeter.formats.generic import read_tabular, zone_of

FORMAT = "serp"

#: Canonical field -> the column names scrapers and APIs use for it (case-insensitive),
#: in order of preference.
COLUMNS: dict[str, tuple[str, ...]] = {
    "query": ("query", "keyword", "search_query", "search_term", "q"),
    "engine": ("engine", "search_engine"),
    "rank": ("rank", "position", "rank_serp", "serp_position", "cnt", "num", "pos"),
    "url": ("url", "link", "href", "org_link", "originallink"),
    "title": ("title",),
    "snippet": ("snippet", "description", "des", "desc", "abstract", "summary"),
    "observed_at": (
        "observed_at",
        "date",
        "date_collected",
        "scraped_at",
        "collected_at",
        "search_date",
        "timestamp",
    ),
    "published_at": ("published_at", "pdate", "pubdate", "postdate", "pub_date"),
    "type": ("type", "result_type"),
}
#: ``type`` values kept as search results; any other type (autocomplete, ...) is left out.
RESULT_TYPES = ("", "organic", "organic_result", "result", "web")
#: Engines whose dates without an offset are local times of a known zone.
ENGINE_ZONES = {"naver": "Asia/Seoul", "daum": "Asia/Seoul", "baidu": "Asia/Shanghai"}

_TAG = re.compile(r"<[^>]{0,200}>")
_SPACE = re.compile(r"\s+")
_HIGHLIGHT = re.compile(r"<b>(.{1,40}?)</b>")
_NAVER_NEWS_NAME = re.compile(r"^(.+)_naver_news\.json$")
_BAIDU_REDIRECT = re.compile(r"^https?://(www\.)?baidu\.com/link\?", re.I)
_RELATIVE = re.compile(r"^(\d+)\s+(second|minute|hour|day|week)s?\s+ago$", re.I)
_SERPAPI_DATE_FORMATS = ("%b %d, %Y", "%d %b %Y", "%B %d, %Y")


def display_text(raw: str | None) -> str | None:
    """The text a reader sees: markup removed, HTML entities decoded, spaces collapsed.

    Parameters
    ----------
    raw : str or None
        A title or snippet as exported (``"<b>삼성전자</b> &quot;AI&quot; 반도체"``).

    Returns
    -------
    str or None
        ``'삼성전자 "AI" 반도체'``; None for None or an empty result. Tags are removed
        before entities are decoded, so an encoded ``&lt;속보&gt;`` stays visible as
        ``<속보>``.
    """
    if raw is None:
        return None
    text = html.unescape(_TAG.sub("", raw))
    text = _SPACE.sub(" ", text).strip()
    return text or None


@dataclass
class _Records:
    """Result records of one file as text, with the 1-based file row of each."""

    path: Path
    fields: dict[str, str]  # canonical -> source key as written
    values: list[dict[str, str | None]]  # canonical -> raw text
    rows: list[int | None]
    notes: list[str] = field(default_factory=list)
    query: str | None = None  # recorded once for the whole file
    engine: str | None = None
    vertical: str | None = None
    observed_at: dt.datetime | None = None
    where: str = "row"  # how to name a record in messages
    keys: tuple[str, ...] = ()  # every key / column of the file, as written

    def error(self, k: int, canon: str | None, **kw) -> FormatError:
        column = self.fields.get(canon, canon) if canon else None
        return FormatError(self.path, row=self.rows[k], column=column, **kw)


# ----------------------------------------------------------------------------- reading


def _json_error(path: Path, text: str, exc: json.JSONDecodeError) -> FormatError:
    end = exc.pos >= len(text.rstrip())
    return FormatError(
        path,
        row=exc.lineno,
        message=f"not valid JSON ({exc.msg} at character {exc.colno})"
        + ("; the file ends early, so it looks truncated" if end else ""),
    )


def _array_items(path: Path, text: str, start: int) -> list[tuple[object, int]]:
    """The items of the JSON array opening at ``text[start]`` with each item's line."""
    dec = json.JSONDecoder()
    ws = re.compile(r"\s*")
    i = ws.match(text, start + 1).end()
    out: list[tuple[object, int]] = []
    if text[i : i + 1] == "]":
        return out
    while True:
        line = text.count("\n", 0, i) + 1
        try:
            obj, i = dec.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            raise _json_error(path, text, exc) from None
        out.append((obj, line))
        i = ws.match(text, i).end()
        ch = text[i : i + 1]
        if ch == "]":
            return out
        if ch != ",":
            lineno = text.count("\n", 0, i) + 1
            raise FormatError(
                path,
                row=lineno,
                message="not valid JSON (expected ',' or ']' after an item)"
                + ("; the file ends early, so it looks truncated" if not ch else ""),
            )
        i = ws.match(text, i + 1).end()


def _cell(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict | list):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def _pick(keys: list[str], columns: dict[str, tuple[str, ...]] = COLUMNS) -> dict[str, str]:
    """Canonical field -> the first source key (as written) that names it."""
    by_lower: dict[str, str] = {}
    for k in keys:
        by_lower.setdefault(k.strip().lstrip("\ufeff").lower(), k)
    out: dict[str, str] = {}
    for canon, names in columns.items():
        for n in names:
            if n in by_lower and by_lower[n] not in out.values():
                out[canon] = by_lower[n]
                break
    return out


def _missing_title(path: Path, keys: list[str], row: int | None) -> FormatError:
    shown = ", ".join(f"'{k}'" for k in keys[:10]) + (" ..." if len(keys) > 10 else "")
    return FormatError(
        path,
        row=row,
        column="title",
        message="missing required column 'title' for format serp (every search result has a "
        f"title); the file has: {shown}",
    )


def _from_objects(
    path: Path,
    items: list[tuple[object, int | None]],
    where: str,
    columns: dict[str, tuple[str, ...]] = COLUMNS,
) -> _Records:
    if not items:
        raise FormatError(path, message="the file holds no search results (an empty list)")
    keys: dict[str, None] = {}
    for obj, line in items:
        if not isinstance(obj, dict):
            raise FormatError(path, row=line, expected=f"a JSON object ({where})", found=obj)
        keys.update(dict.fromkeys(obj))
    fields = _pick(list(keys), columns)
    if "title" not in fields:
        raise _missing_title(path, list(keys), items[0][1])
    values = [{c: _cell(obj.get(src)) for c, src in fields.items()} for obj, _ in items]
    rows = [line for _, line in items]
    return _Records(path, fields, values, rows, where=where, keys=tuple(keys))


def _serpapi(path: Path, text: str, doc: dict) -> _Records:
    """A SerpApi response: organic_results with the query, engine and time of the search."""
    params = doc.get("search_parameters") or {}
    meta = doc.get("search_metadata") or {}
    organic = doc.get("organic_results")
    if not isinstance(organic, list):
        raise FormatError(
            path,
            message="a SerpApi response without 'organic_results' (the search found nothing, "
            f"or failed: status {meta.get('status', 'unknown')!r}); there is nothing to import",
        )
    m = re.search(r'"organic_results"\s*:\s*\[', text)
    try:
        items = _array_items(path, text, m.end() - 1) if m else []
    except FormatError:
        items = []
    if len(items) != len(organic):  # positions could not be told: name items by index
        items = [(o, None) for o in organic]
    # an organic result's "date" is when the page was published ("Aug 9, 2023", "5 hours
    # ago"), not when the search ran (search_metadata.created_at)
    columns = {c: v for c, v in COLUMNS.items() if c != "observed_at"}
    columns["published_at"] = ("date",)
    recs = _from_objects(path, items, "an organic result", columns)
    if "rank" not in recs.fields:
        recs.notes.append(f"{path.name}: organic results without 'position'")
    recs.query = params.get("q") or (doc.get("search_information") or {}).get("query_displayed")
    recs.engine = params.get("engine")
    tbm = params.get("tbm")
    recs.vertical = {"nws": "news", None: "web"}.get(tbm, str(tbm))
    created = meta.get("created_at")
    if created:
        try:
            recs.observed_at = dt.datetime.strptime(created, "%Y-%m-%d %H:%M:%S UTC")
        except ValueError:
            raise FormatError(
                path,
                column="search_metadata.created_at",
                expected="a time such as 2024-03-09 09:05:22 UTC",
                found=created,
            ) from None
    start = params.get("start")
    if start not in (None, 0, "0"):
        recs.notes.append(
            f"{path.name}: a later page (start={start}); ranks are SerpApi's positions as given"
        )
    return recs


def _read(path: Path) -> _Records:
    suffix = path.suffix.lower()
    if suffix == ".json":
        dec = read_text(path)
        text = dec.text
        head = text.lstrip()[:1]
        if head == "[":
            items = _array_items(path, text, text.index("["))
            rest = text[text.rindex("]") + 1 :].strip() if "]" in text else ""
            if rest:
                raise FormatError(path, message="more text after the JSON array's closing ']'")
            recs = _from_objects(path, items, "a search result")
        elif head == "{":
            try:
                doc = json.loads(text)
            except json.JSONDecodeError as exc:
                raise _json_error(path, text, exc) from None
            if "organic_results" not in doc and "search_parameters" not in doc:
                raise FormatError(
                    path,
                    row=1,
                    message="a JSON object that is not a SerpApi response (no "
                    "'search_parameters' or 'organic_results'); the serp format reads SerpApi "
                    "responses, JSON arrays of results, CSV and JSON Lines",
                )
            recs = _serpapi(path, text, doc)
        else:
            raise FormatError(path, row=1, expected="a JSON array or object", found=text[:20])
        if dec.note:
            recs.notes.append(dec.note)
        return recs
    table, notes = read_tabular(path, format_name=FORMAT, jsonl=True)
    fields = _pick(table.header)
    if "title" not in fields:
        raise _missing_title(path, table.header, table.header_row or None)
    idx = {c: table.header.index(src) for c, src in fields.items()}
    values = [{c: (r[i] if r[i] != "" else None) for c, i in idx.items()} for r in table.records]
    return _Records(path, fields, values, list(table.rows), notes=notes, keys=tuple(table.header))


# ----------------------------------------------------------------------------- normalising


def _whole(recs: _Records, k: int, raw: str) -> int:
    s = raw.strip()
    try:
        v = float(s)
    except ValueError:
        v = float("nan")
    if not v == v or v != int(v) or v < 0:
        raise recs.error(k, "rank", expected="a rank (a whole number of 0 or more)", found=raw)
    return int(v)


def _timestamp(
    recs: _Records, k: int, canon: str, raw: str, zone: ZoneInfo
) -> tuple[dt.datetime | None, str]:
    """(naive UTC time, how it was read: 'offset', 'local', 'date' or 'relative')."""
    s = raw.strip()
    if not s:
        return None, ""
    if re.fullmatch(r"\d{8}", s):  # Naver postdate: YYYYMMDD
        s = f"{s[:4]}-{s[4:6]}-{s[6:]}"
    rel = _RELATIVE.match(s)
    if rel and recs.observed_at is not None:
        n, unit = int(rel.group(1)), rel.group(2).lower()
        return recs.observed_at - dt.timedelta(**{unit + "s": n}), "relative"
    value = read_datetime(s, (*_SERPAPI_DATE_FORMATS, "%Y/%m/%d %H:%M:%S", "%Y.%m.%d"))
    if value is None:
        if rel:  # relative date without the time of the search
            return None, "relative"
        raise recs.error(
            k,
            canon,
            expected="a date and time (such as 2025-11-18 16:40:00 or 20190925)",
            found=raw,
        )
    how = "offset" if value.tzinfo else ("local" if len(s) > 10 else "date")
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(dt.UTC).replace(tzinfo=None), how


def _layout(recs: _Records) -> tuple[str | None, str | None]:
    """(engine, vertical) recognised from the file's layout or links, noted; else Nones."""
    keys = {k.strip().lstrip("\ufeff").lower() for k in recs.keys}
    urls = [v.get("url") or "" for v in recs.values]
    if {"cnt", "org_link", "pdate"} <= keys:
        recs.notes.append(
            f"{recs.path.name}: recognised as a Naver News Search API dump (cnt, org_link, pDate)"
        )
        return "naver", "news"
    on_naver_blog = sum("://blog.naver.com/" in u for u in urls)
    dates = [v.get("published_at") or "" for v in recs.values]
    if on_naver_blog * 2 > len(urls) and all(re.fullmatch(r"\d{8}", d) for d in dates if d):
        # the Blog Search API lists blogs hosted elsewhere too (Daum, Tistory): a majority
        recs.notes.append(
            f"{recs.path.name}: recognised as Naver Blog Search results ({on_naver_blog} of "
            f"{len(urls)} links on blog.naver.com, postdate YYYYMMDD)"
        )
        return "naver", "blog"
    if any(urls) and all(_BAIDU_REDIRECT.match(u) for u in urls if u):
        recs.notes.append(f"{recs.path.name}: recognised as a Baidu result page (redirect links)")
        return "baidu", "web"
    return None, None


def _engines(recs: _Records, ctx: SourceContext) -> tuple[list[str], str]:
    """Each record's engine and the file's vertical.

    Raises
    ------
    FormatError
        When neither the file, the settings nor the layout names the engine.
    """
    guess, vertical = _layout(recs)
    vertical = recs.vertical or vertical or ctx.vertical or "web"
    default = (recs.engine or ctx.platform or guess or "").lower()
    if "engine" in recs.fields:
        out = []
        for k, v in enumerate(recs.values):
            e = (v.get("engine") or "").strip().lower() or default
            if not e:
                raise recs.error(k, "engine", expected="a search engine name", found="")
            out.append(e)
        return out, vertical
    if not default:
        raise FormatError(
            recs.path,
            message="the file does not say which search engine its results come from; set "
            'platform = "google" (or "naver", "baidu", ...) on this source in campaign.toml',
        )
    return [default] * len(recs.values), vertical


def _batches(recs: _Records, queries: list[str | None], ranks: list[int | None]) -> list[int]:
    """1-based result list of each record: a new one where the query changes or the rank
    goes back down (or stays)."""
    out, b = [], 0
    for k in range(len(recs.values)):
        if k == 0 or queries[k] != queries[k - 1]:
            b += 1
        elif ranks[k] is not None and ranks[k - 1] is not None and ranks[k] <= ranks[k - 1]:
            b += 1
        out.append(b)
    return out


def _query_hint(recs: _Records) -> str:
    """' (its highlighted words suggest "서울숲")' when <b> highlights point to one term."""
    words = Counter(
        w
        for v in recs.values
        for w in {
            unicodedata.normalize("NFC", html.unescape(h)).strip()
            for h in _HIGHLIGHT.findall(v.get("title") or "")
        }
    )
    if not words:
        return ""
    word, n = words.most_common(1)[0]
    return f' (its highlighted words suggest "{word}", in {n} titles)'


@register(FORMAT)
def read_serp(path: Path, ctx: SourceContext) -> Rows:
    """Search result pages (SerpApi JSON, Naver/Baidu API dumps, scraped CSV) -> serp_results.

    Parameters
    ----------
    path : Path
        A SerpApi response (``.json`` object), a JSON array of result objects, or a CSV,
        XLSX or JSON Lines file with a ``title`` column and any of the columns in
        :data:`COLUMNS`.
    ctx : SourceContext
        ``query``: the search query when the file records none (a string, or a list with
        one query per result list in the file). ``platform``: the engine (``google``,
        ``naver``, ``baidu``) when the file does not say. ``timezone``: the zone of times
        written without an offset (default: Asia/Seoul for Naver, Asia/Shanghai for Baidu,
        else UTC).

    Returns
    -------
    Rows
        ``serp_results``, one row per result: ``engine``, ``vertical`` (web, news, blog),
        ``query``, ``batch``, ``rank`` (1-based), ``url``, ``title`` and ``snippet`` as
        exported, ``title_text`` and ``snippet_text`` for display, ``observed_at`` (when the
        search ran, UTC; NULL when the file does not say), ``published_at`` (the date the
        engine shows for the result, UTC), ``is_redirect``.

    Raises
    ------
    FormatError
        Not JSON/CSV as expected, no ``title`` column, a rank that is not a whole number of
        0 or more, a bad date, no query in the file and none in the settings (or a list of
        queries that does not match the file's result lists), an engine that neither the
        file nor the settings name: each naming the file (and row and column where there
        is one).
    """
    path = Path(path)
    recs = _read(path)
    notes = recs.notes
    name = path.name

    # rows that are not search results
    if "type" in recs.fields:
        kept = [k for k, v in enumerate(recs.values) if (v["type"] or "").lower() in RESULT_TYPES]
        if len(kept) < len(recs.values):
            left = Counter(
                (v["type"] or "").lower()
                for k, v in enumerate(recs.values)
                if (v["type"] or "").lower() not in RESULT_TYPES
            )
            notes.append(
                f"{name}: left out {len(recs.values) - len(kept)} rows that are not search "
                "results (" + ", ".join(f"{n} {t}" for t, n in sorted(left.items())) + ")"
            )
        recs.values = [recs.values[k] for k in kept]
        recs.rows = [recs.rows[k] for k in kept]
        if not recs.values:
            raise FormatError(path, message="no row of the file is a search result (type)")
    if not recs.values:
        raise no_data_rows(path, 1)

    n = len(recs.values)
    for k, v in enumerate(recs.values):
        if not (v.get("title") or "").strip():
            raise recs.error(k, "title", expected="a result title", found="")

    engines, vertical = _engines(recs, ctx)
    zone_name = ctx.timezone or ENGINE_ZONES.get(engines[0], "UTC")
    zone = zone_of(path, zone_name) or ZoneInfo("UTC")

    # ranks as written
    raw_ranks: list[int | None] = [None] * n
    if "rank" in recs.fields:
        for k, v in enumerate(recs.values):
            raw = v.get("rank")
            if raw is None or not raw.strip():
                raise recs.error(k, "rank", expected="a rank (a whole number)", found="")
            raw_ranks[k] = _whole(recs, k, raw)

    # queries: the file's column, the file's own record, the settings, the Naver file name
    settings = ctx.query
    queries: list[str | None]
    from_settings = False
    if "query" in recs.fields:
        queries = [(v.get("query") or "").strip() or None for v in recs.values]
        blank = [k for k, q in enumerate(queries) if q is None]
        if blank and not isinstance(settings, str):
            raise recs.error(
                blank[0],
                "query",
                expected='a search query (or a query = "..." setting on the source for rows '
                "without one)",
                found="",
            )
        queries = [q if q is not None else settings for q in queries]
        if blank:
            notes.append(f"{name}: {len(blank)} rows without a query take the query setting")
    elif recs.query:
        queries = [recs.query] * n
    elif settings is not None:
        queries = [None] * n  # filled per result list below
        from_settings = True
    elif m := _NAVER_NEWS_NAME.match(unicodedata.normalize("NFC", name)):
        queries = [m.group(1)] * n
        notes.append(f"{name}: query '{m.group(1)}' read from the file name (<query>_naver_news)")
    else:
        raise FormatError(
            path,
            message='the file does not record its search query; set query = "..." on this '
            "source in campaign.toml" + _query_hint(recs),
        )

    batches = _batches(recs, [None] * n if from_settings else queries, raw_ranks)
    n_batches = batches[-1]
    if from_settings:
        if isinstance(settings, str):
            queries = [settings] * n
            if n_batches > 1:
                notes.append(
                    f"{name}: {n_batches} result lists (ranks restart) all take the query "
                    f"setting '{settings}'; give a list of queries to name each"
                )
        else:
            if len(settings) != n_batches:
                starts = [recs.rows[k] for k in range(n) if k == 0 or batches[k] != batches[k - 1]]
                shown = ", ".join(str(r) for r in starts[:12] if r is not None)
                raise FormatError(
                    path,
                    message=f"the query setting lists {len(settings)} queries but the file "
                    f"holds {n_batches} result list(s) (ranks restart at rows {shown})",
                )
            queries = [settings[b - 1] for b in batches]
        notes.append(f"{name}: no query in the file; the query comes from the source's setting")

    # 0-based ranks, missing ranks
    if "rank" in recs.fields:
        firsts = [raw_ranks[k] for k in range(n) if k == 0 or batches[k] != batches[k - 1]]
        if min(r for r in raw_ranks if r is not None) == 0:
            ranks = [r + 1 for r in raw_ranks]
            notes.append(
                f"{name}: ranks in '{recs.fields['rank']}' start at 0; stored 1-based (+1)"
            )
            firsts = [f + 1 for f in firsts]
        else:
            ranks = list(raw_ranks)
        gaps = sum(
            1 for k in range(1, n) if batches[k] == batches[k - 1] and ranks[k] != ranks[k - 1] + 1
        )
        late = sum(1 for f in firsts if f != 1)
        if gaps or late:
            notes.append(
                f"{name}: ranks kept as given although {gaps} step(s) skip a rank and {late} "
                "result list(s) do not start at 1"
            )
    else:
        ranks, counter = [], Counter()
        for b in batches:
            counter[b] += 1
            ranks.append(counter[b])
        notes.append(f"{name}: no rank column; results ranked in file order (1, 2, ...)")

    # times
    observed: list[dt.datetime | None] = [recs.observed_at] * n
    if "observed_at" in recs.fields:
        hows = Counter()
        for k, v in enumerate(recs.values):
            observed[k], how = _timestamp(recs, k, "observed_at", v.get("observed_at") or "", zone)
            hows[how] += 1
        if hows["local"] or hows["date"]:
            notes.append(
                f"{name}: search times carry no time zone; taken as {zone_name} time"
                + ("" if zone_name == "UTC" else " and converted to UTC")
            )
    elif recs.observed_at is None:
        notes.append(
            f"{name}: the file does not say when the search ran; the search time is left empty"
        )
    published: list[dt.datetime | None] = [None] * n
    if "published_at" in recs.fields:
        hows = Counter()
        for k, v in enumerate(recs.values):
            published[k], how = _timestamp(
                recs, k, "published_at", v.get("published_at") or "", zone
            )
            hows[how] += 1
        if hows["local"] or hows["date"]:
            notes.append(
                f"{name}: publication times carry no time zone; taken as {zone_name} time"
                + (" (dates alone as midnight)" if hows["date"] else "")
                + ("" if zone_name == "UTC" else " and converted to UTC")
            )
        if hows["relative"] and recs.observed_at is not None:
            notes.append(
                f"{name}: {hows['relative']} relative dates ('5 hours ago') counted back from "
                "the search time"
            )
        if hows["relative"] and recs.observed_at is None:
            notes.append(
                f"{name}: relative dates ('5 hours ago') without a search time are left empty"
            )

    urls = [v.get("url") for v in recs.values]
    redirect = [bool(u and _BAIDU_REDIRECT.match(u)) for u in urls]
    if any(redirect):
        notes.append(
            f"{name}: {sum(redirect)} links are Baidu redirects (baidu.com/link?url=...); kept "
            "as given with their displayed titles (the target is known only to Baidu)"
        )
    if "url" not in recs.fields:
        notes.append(f"{name}: no link column; the results have no links")
    seen = Counter((b, u) for b, u in zip(batches, urls, strict=True) if u)
    dup = sum(c - 1 for c in seen.values() if c > 1)
    if dup:
        notes.append(
            f"{name}: {dup} result(s) repeat a link already in their result list; kept at each rank"
        )
    titles = [v.get("title") for v in recs.values]
    snippets = [v.get("snippet") for v in recs.values]
    marked = sum(1 for t in titles if t and display_text(t) != t.strip())
    if marked:
        notes.append(
            f"{name}: {marked} titles carry markup, entities or line breaks (stored as exported; "
            "title_text is the display form)"
        )
    df = pd.DataFrame(
        {
            "engine": pd.Series(engines, dtype=object),
            "vertical": pd.Series([vertical] * n, dtype=object),
            "query": pd.Series(queries, dtype=object),
            "batch": pd.Series(batches, dtype="Int32"),
            "rank": pd.Series(ranks, dtype="Int32"),
            "observed_at": pd.Series(pd.to_datetime(observed), dtype="datetime64[us]"),
            "url": pd.Series(urls, dtype=object),
            "title": pd.Series(titles, dtype=object),
            "snippet": pd.Series(snippets, dtype=object),
            "title_text": pd.Series([display_text(t) for t in titles], dtype=object),
            "snippet_text": pd.Series([display_text(s) for s in snippets], dtype=object),
            "published_at": pd.Series(pd.to_datetime(published), dtype="datetime64[us]"),
            "is_redirect": pd.Series(redirect, dtype="boolean"),
            "source_row": pd.Series(recs.rows, dtype="Int64"),
        }
    )
    rows = Rows(notes=notes, source_timezone=zone_name if zone_name != "UTC" else None)
    rows.add("serp_results", df)
    return rows
