"""Weibo open API v2 trending topics (``trends/hourly``).

The answer is one JSON object::

    {"trends": {"2012-03-06 09:28": [{"name": ..., "query": ..., "amount": "6331",
                                      "delta": "148"}, ...]},
     "as_of": 1330997282}

It is a ranked list of topics at one moment, with Weibo's own count of posts per topic
(``amount``) and its change since the previous list (``delta``), not a 0-100 interest
index over regular periods: so it goes to its own table, ``trending_topics``, rather than
``index_series`` (whose means compare periods of one series). Quirks (see
``docs/formats-listening.md``):

- ``amount`` and ``delta`` are JSON strings (``"6331"``, ``"-5"``): read as whole numbers;
- the key of ``trends`` is a local time in Beijing time without a zone
  (``"2012-03-06 09:28"`` is 01:28 UTC): converted to UTC (another zone through the
  source's ``timezone``);
- ``as_of`` is a Unix time (UTC), kept as ``as_of``;
- the rank is the position in the list as published (Weibo lists by amount, but ties such
  as two topics at 806 keep Weibo's order).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from ripplemeter.errors import FormatError
from ripplemeter.formats import Rows, SourceContext, register
from ripplemeter.formats._io import json_error, read_text

FORMAT = "weibo-trends"
SOURCE = "weibo_trends"
#: Weibo writes local times in Beijing time.
WEIBO_ZONE = "Asia/Shanghai"

_KEY = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$")
_INT = re.compile(r"^[+-]?\d+$")


def _line_of(text: str, needle: str) -> int | None:
    pos = text.find(needle)
    return text.count("\n", 0, pos) + 1 if pos >= 0 else None


def _is_weibo_trends(lines: list[str]) -> bool:
    head = "\n".join(lines[:4])
    return head.lstrip().startswith("{") and '"trends"' in head


@register(FORMAT, recognise=_is_weibo_trends)
def read_weibo_trends(path: Path, ctx: SourceContext) -> Rows:
    """Weibo trends/hourly JSON answer (string counts, Beijing-time keys) -> trending_topics.

    Parameters
    ----------
    path : Path
        The API's answer as saved: ``{"trends": {"<local time>": [topics]}, "as_of": n}``.
    ctx : SourceContext
        ``timezone``: zone of the local time keys (default ``Asia/Shanghai``).

    Returns
    -------
    Rows
        ``trending_topics``: one row per topic and list with ``source`` ``weibo_trends``,
        ``period`` ``hourly``, ``listed_at`` (the key in UTC), ``as_of`` (UTC), ``rank``
        (1-based, as listed), ``name``, ``query``, ``amount``, ``delta``.
        ``source_timezone`` records the zone the keys were converted from.

    Raises
    ------
    FormatError
        Not JSON (the line named; a cut file says so), no ``trends`` object, a key that
        is not ``YYYY-MM-DD HH:MM``, a topic without ``name``, an ``amount`` or ``delta``
        that is not a whole number, a negative ``amount``, no topic at all.

    References
    ----------
    Sina Weibo open API v2, "trends/hourly: 返回最近一小时内的热门话题" (open.weibo.com
    wiki); the sample in ``api_samples/weibo`` (2012).
    """
    path = Path(path)
    dec = read_text(path)
    text = dec.text
    notes = [dec.note] if dec.note else []
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise json_error(path, text, exc) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("trends"), dict):
        raise FormatError(
            path,
            row=1,
            expected="a Weibo trends answer: an object with a 'trends' object keyed by time",
            found=text.strip()[:60],
        )
    zone_name = ctx.timezone or WEIBO_ZONE
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise FormatError(path, message=f"unknown time zone '{zone_name}'") from None
    as_of = doc.get("as_of")
    as_of_utc = None
    if isinstance(as_of, str) and _INT.match(as_of.strip()):
        as_of = int(as_of)  # Weibo writes numbers as strings elsewhere in the answer
    if as_of is not None:
        if not isinstance(as_of, int | float) or isinstance(as_of, bool):
            raise FormatError(
                path,
                row=_line_of(text, '"as_of"'),
                column="as_of",
                expected="a Unix time",
                found=str(as_of),
            )
        as_of_utc = dt.datetime.fromtimestamp(as_of, dt.UTC).replace(tzinfo=None)
    out: dict[str, list] = {
        c: []
        for c in (
            "source",
            "period",
            "listed_at",
            "as_of",
            "rank",
            "name",
            "query",
            "amount",
            "delta",
            "source_row",
        )
    }
    for key, topics in doc["trends"].items():
        key_row = _line_of(text, json.dumps(key, ensure_ascii=False))
        if not _KEY.match(key):
            raise FormatError(
                path, row=key_row, column="trends", expected="a time 'YYYY-MM-DD HH:MM'", found=key
            )
        local = dt.datetime.fromisoformat(key)
        utc = local.replace(tzinfo=zone).astimezone(dt.UTC).replace(tzinfo=None)
        if not isinstance(topics, list):
            raise FormatError(path, row=key_row, column=key, expected="a list of topics")
        search_from = text.find(json.dumps(key, ensure_ascii=False))
        for rank, t in enumerate(topics, start=1):
            name = t.get("name") if isinstance(t, dict) else None
            if not isinstance(name, str) or not name.strip():
                raise FormatError(
                    path,
                    row=key_row,
                    column=f"{key}[{rank}]",
                    expected="a topic with a 'name'",
                    found=json.dumps(t, ensure_ascii=False)[:60],
                )
            pos = text.find(json.dumps(name, ensure_ascii=False), max(search_from, 0))
            row = text.count("\n", 0, pos) + 1 if pos >= 0 else key_row
            if pos >= 0:
                search_from = pos + 1
            nums = {}
            for field in ("amount", "delta"):
                v = t.get(field)
                s = str(v).strip() if v is not None else ""
                if v is None or s == "":
                    nums[field] = None
                    continue
                if isinstance(v, bool) or not _INT.match(s):
                    raise FormatError(
                        path, row=row, column=field, expected="a whole number", found=str(v)
                    )
                nums[field] = int(s)
            if nums["amount"] is not None and nums["amount"] < 0:
                raise FormatError(
                    path, row=row, column="amount", expected="0 or more", found=str(t["amount"])
                )
            out["source"].append(SOURCE)
            out["period"].append("hourly")
            out["listed_at"].append(utc)
            out["as_of"].append(as_of_utc)
            out["rank"].append(rank)
            out["name"].append(name)
            q = t.get("query")
            out["query"].append(q if isinstance(q, str) else None)
            out["amount"].append(nums["amount"])
            out["delta"].append(nums["delta"])
            out["source_row"].append(row)
    if not out["name"]:
        raise FormatError(path, row=1, message="the answer has no data: no trending topic")
    lists = len(doc["trends"])
    notes.append(
        f"{path.name}: Weibo trending topics, {lists} list(s), {len(out['name'])} topic(s); "
        f"list times written in {zone_name} without a zone, stored in UTC; 'amount' and "
        "'delta' written as strings, read as whole numbers"
    )
    df = pd.DataFrame(out)
    for c in ("amount", "delta"):
        df[c] = df[c].astype("Int64")
    rows = Rows(notes=notes, source_timezone=zone_name)
    rows.add("trending_topics", df)
    return rows
