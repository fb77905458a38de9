"""How a figure reads: one formatting rule shared by report.html and the summary sentences.

A number is written the same way wherever it is shown (a headline card, a table cell, a
sentence of the summary, the ``text`` of a summary sentence in metrics.json), so that one
path of metrics.json never reads as two values. Lifts are signed percentages, ratios
percentages, money two decimals (four for prices per click or unit), durations in words.
Only the standard library is used, so notebooks and the CLI can import this cheaply.
"""

from __future__ import annotations

import math

__all__ = [
    "SIGNED_PERCENT",
    "day",
    "day_span",
    "duration",
    "fmt",
    "format_value",
    "money",
    "pct",
    "platform_name",
    "sentence_end",
    "shorten",
    "table_words",
    "window_words",
]

#: Metrics shown as a signed percentage change.
SIGNED_PERCENT = frozenset(
    {
        "lift",
        "post_lift",
        "account_daily_lift",
        "conversion_lift",
        "conversion_lift_weekday_adjusted",
        "index_lift",
        "spread_gain_vs_top_degree",
    }
)


def day(d) -> str:
    """A date as a reader writes it: ``4 Jan 2021`` (no platform-specific ``%-d``).

    Parameters
    ----------
    d : datetime.date, datetime.datetime or pandas.Timestamp
    """
    return f"{d.day} {d:%b %Y}"


def day_span(start, end) -> str:
    """Two dates as a reader writes a window: ``1 Mar 2026 – 31 Mar 2026``."""
    return f"{day(start)} – {day(end)}"


def fmt(value: object, unit: str = "", *, places: int | None = None) -> str:
    """A plain number as a reader sees it; ``—`` for a missing or NaN value.

    Parameters
    ----------
    value : object
        A number (a bool reads ``yes``/``no``), a string, or None.
    unit : str, optional
        ``"ratio"`` writes a fraction as a percentage with 2 decimals; other units change
        nothing.
    places : int, optional
        Write every other float with this many decimals (and thousands separators),
        whatever its size, so that a table column lines up; by default a float gets 2
        decimals, 4 significant digits below 1 and none from 1,000 on.

    Returns
    -------
    str
        The value as written in the report and the command line.

    Examples
    --------
    >>> fmt(1234567)
    '1,234,567'
    >>> fmt(0.0333, "ratio"), fmt(1, "ratio")
    ('3.33%', '100.00%')
    >>> fmt(float("nan"))
    '—'
    >>> fmt(1234.5), fmt(1234.5, places=2), fmt(0.5, places=2)
    ('1,234', '1,234.50', '0.50')
    """
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) and unit == "ratio":
        value = float(value)  # a share of exactly 0 or 1 (3.0 -> 3 in metrics.json) is a ratio too
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return "—"
        if unit == "ratio":
            return f"{value * 100:.2f}%"
        if places is not None:
            return f"{value:,.{places}f}"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:,.4g}" if abs(value) < 1 else f"{value:,.2f}"
    if isinstance(value, str) and value.strip().lower() in ("nan", "none", "nat", "<na>"):
        return "—"
    return str(value)


#: Left at a cut, these are dropped before the ``…`` (Latin, Chinese and Japanese punctuation).
_CUT_TRAILING = " ,.;:!?-–—，。、；：！？"


def shorten(
    text: object, width: int = 60, *, words: bool = True, count_ellipsis: bool = True
) -> str:
    """A text on one line, cut to ``width`` characters with ``…`` where it was cut.

    White space (line breaks included) is collapsed to single spaces first; a text that
    then fits is returned whole. A longer one is cut, spaces and punctuation left at the
    cut are dropped, and ``…`` ends it. With ``words``, a word that the cut falls inside
    is dropped too, back to the space before it, when that space is in the second half
    of what is kept; Chinese and Japanese text (no spaces), or one very long word such as
    a web address, is cut at the width. Untrusted text stays untrusted: the caller
    escapes it.

    Parameters
    ----------
    text : object
        The text; None and NaN read as ``""``, other values as ``str(text)``.
    width : int, default 60
        Most characters shown. At least 2.
    words : bool, default True
        Cut at a word boundary; False cuts at exactly the width, inside a word if need be.
    count_ellipsis : bool, default True
        The ``…`` counts towards ``width`` (at most ``width`` characters in all); False
        keeps up to ``width`` characters of the text and adds the ``…`` after them.

    Returns
    -------
    str
        The text as shown.

    Examples
    --------
    >>> shorten("Lumen Tea launches a new matcha today", 20)
    'Lumen Tea launches…'
    >>> shorten("Lumen Tea launches a new matcha today", 20, count_ellipsis=False)
    'Lumen Tea launches a…'
    >>> shorten("Lumen Tea launches a new matcha today", 16, words=False)
    'Lumen Tea launc…'
    >>> shorten("客服一直不回复很失望真的很失望", 8)
    '客服一直不回复…'
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    t = " ".join(str(text).split())
    if len(t) <= width:
        return t
    keep = width - 1 if count_ellipsis else width
    head = t[:keep]
    if words and t[keep] != " ":  # the cut falls inside a word: drop what is left of it
        space = head.rfind(" ")
        if space >= keep // 2:
            head = head[:space]
    return head.rstrip(_CUT_TRAILING) + "…"


def money(value: object, places: int = 2) -> str:
    """An amount with thousands separators and ``places`` decimals; ``—`` when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{float(value):,.{places}f}"


def unit_price(value: float) -> str:
    """A price per click or per unit: 2 decimals like any amount, except below 0.10, where
    2 significant digits keep it from reading 0.00 or 0.04 for 0.043.

    Parameters
    ----------
    value : float or None
        The price, in any currency (the caller names it).

    Returns
    -------
    str
        The price as written in the report; ``—`` for None or NaN.

    Examples
    --------
    >>> unit_price(0.814)
    '0.81'
    >>> unit_price(1234.5)
    '1,234.50'
    >>> unit_price(0.0432)
    '0.043'
    >>> unit_price(0.00517)
    '0.0052'
    """
    if value is None or math.isnan(value):
        return "—"
    a = abs(value)
    if a == 0 or a >= 0.1:
        return money(value)
    places = 1 - math.floor(math.log10(a))  # 2 significant digits
    if round(a, places) >= 0.1:  # 0.09996 rounds to 0.10: two decimals as above
        return money(value)
    return money(value, places)


def pct(value: object) -> str:
    """A relative change as a signed percentage (``0.314`` -> ``+31.4%``); ``—`` when missing.

    Examples
    --------
    >>> pct(15.397)
    '+1,539.7%'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{float(value) * 100:+,.1f}%"


def duration(seconds: float) -> str:
    """Seconds as a reader counts them: 45 s, 12 min, 6.8 h, 3.2 days."""
    a = abs(seconds)
    if a < 60:
        return f"{seconds:,.0f} s"
    if a < 3600:
        return f"{seconds / 60:,.0f} min"
    if a < 86400 * 2:
        return f"{seconds / 3600:,.1f} h"
    return f"{seconds / 86400:,.1f} days"


def window_words(seconds: float, *, days_from: int = 1) -> str:
    """A window or a step in words, without an article: ``hour``, ``24 hours``, ``3 days``.

    Parameters
    ----------
    seconds : float
        The length, in seconds (whole seconds are used).
    days_from : int, default 1
        The number of days from which whole days are counted in days: with 1, 86,400 s is
        ``day``; with 2 (alert messages: "in the 24 hours to ...") it is ``24 hours``.

    Returns
    -------
    str
        The largest unit (day, hour, minute, second) that divides the length, with its
        count unless it is 1.
    """
    sec = int(seconds)
    if sec >= days_from * 86400 and sec % 86400 == 0:
        unit, k = "day", sec // 86400
    elif sec % 3600 == 0:
        unit, k = "hour", sec // 3600
    elif sec % 60 == 0:
        unit, k = "minute", sec // 60
    else:
        unit, k = "second", sec
    return unit if k == 1 else f"{k} {unit}s"


def format_value(value: object, metric: str, unit: str) -> str:
    """A figure's value as every page shows it: by its metric (signed % for lifts) or unit.

    Parameters
    ----------
    value : int, float or None
        The raw value (the one in metrics.json).
    metric : str
        Its metric id (lifts read as signed percentages).
    unit : str
        The metric's unit from the registry.

    Returns
    -------
    str
        ``—`` for a missing value, never ``None`` or ``nan``.
    """
    v = value
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if metric in SIGNED_PERCENT:
        return pct(v)
    if unit == "seconds":
        return duration(float(v))
    if unit in ("currency per click", "currency per unit", "currency per result"):
        return unit_price(float(v))
    if unit.startswith("currency"):
        return money(v)
    if unit in ("accounts",) and isinstance(v, float) and not v.is_integer():
        return f"{v:,.1f}"
    if unit == "count" and isinstance(v, float) and v.is_integer():
        return f"{int(v):,}"
    return fmt(v, unit)


#: Canonical tables in the words of a report reader (Sources table: "264 posts").
_TABLE_WORDS = {
    "posts": "posts",
    "post_metrics": "post figures",
    "accounts": "accounts",
    "account_daily": "days of account figures",
    "follows": "follow relationships",
    "spend": "spend rows",
    "ad_metrics": "ad report rows",
    "ad_conversions": "conversion counts",
    "web_metrics": "web analytics values",
    "index_series": "index values",
    "index_geo": "regional index values",
    "index_related": "related queries",
    "outcomes": "daily outcome values",
    "rate_cards": "rate-card prices",
    "serp_results": "search results",
    "annotations": "annotations",
}


def table_words(table: str) -> str:
    """What the rows of a canonical table are, in plain words (``post_metrics`` -> ``post figures``)."""
    return _TABLE_WORDS.get(table, table.replace("_", " "))


_PLATFORMS = {
    "x": "X",
    "twitter": "X (Twitter)",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "weibo": "Weibo",
    "wechat": "WeChat",
    "douyin": "Douyin",
    "tiktok": "TikTok",
    "youtube": "YouTube",
    "linkedin": "LinkedIn",
    "xiaohongshu": "Xiaohongshu",
    "bilibili": "Bilibili",
    "naver": "Naver",
    "kakao": "Kakao",
    "meta": "Meta",
}


def platform_name(platform: object) -> str:
    """A platform id as its users write it (``x`` -> ``X``, ``weibo`` -> ``Weibo``)."""
    p = str(platform)
    return _PLATFORMS.get(p.lower(), p)


def account_name(account_id: object, handle: object, name: object) -> str | None:
    """How one ``accounts`` row names its account: ``@handle``, else the display name.

    A handle that is only the account's numeric native id (``1`` for ``x:1``, as some exports
    write it) is no name.

    Parameters
    ----------
    account_id : str
        ``platform:native_id``.
    handle, name : str or None
        The row's ``handle`` (with or without its ``@``) and display ``name``.

    Returns
    -------
    str or None
        ``@handle`` or the name, stripped; None when the row names nothing.

    Examples
    --------
    >>> account_name("x:1", "1", "Lumen Tea")
    'Lumen Tea'
    >>> account_name("x:1", "@lumentea", None)
    '@lumentea'
    """
    native = str(account_id).split(":", 1)[-1]
    h = handle.strip().lstrip("@") if isinstance(handle, str) else ""
    if h and not (h == native and native.isdigit()):
        return "@" + h
    if isinstance(name, str) and name.strip():
        return name.strip()
    return None


#: Marks that already end a sentence (Latin and CJK full stops, question and exclamation
#: marks, the ellipsis and the interrobang).
_SENTENCE_MARKS = frozenset(".?!\u3002\uff1f\uff01\u2026\u203d")
#: Closing quotes and brackets that may follow those marks (``“Really?”``, ``(see below.)``).
_CLOSERS = "\"')]}\u2019\u201d\u00bb\u300d\u300f\u300b\uff09\u3011"


def sentence_end(text: object) -> str:
    """The text as the end of a sentence: a full stop added only when it has none already.

    Sentences joined in code (``f"{reason}. "``, ``{{ why }}. `` in a template) must not read
    ``culinary?. What``: a text that already ends in ``.``, ``?``, ``!``, ``。``, ``？``,
    ``！`` or ``…``, also before closing quotes or brackets (``“Does it ship?”``,
    ``(see the note.)``), is kept as it is; any other text gets a full stop.

    Parameters
    ----------
    text : str or object
        The sentence (other values are written with ``str``; None is the empty text).
        Markup stays Markup, so the template filter ``sentence_end`` escapes nothing twice.

    Returns
    -------
    str
        The text without trailing spaces, ending in sentence punctuation; the empty text
        stays empty (no lone full stop).

    Examples
    --------
    >>> sentence_end("Is it ceremonial grade or culinary?")
    'Is it ceremonial grade or culinary?'
    >>> sentence_end("complaint not answered (target 4)")
    'complaint not answered (target 4).'
    >>> sentence_end("\u201cDoes it ship to Canada?\u201d")
    '\u201cDoes it ship to Canada?\u201d'
    """
    if text is None:
        return ""
    s = (text if isinstance(text, str) else str(text)).rstrip()
    if not s:
        return s
    bare = s.rstrip(_CLOSERS)
    if bare and bare[-1] in _SENTENCE_MARKS:
        return s
    return s + "."
