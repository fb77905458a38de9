"""The listening section: what people say about the brand, its products and its competitors.

Reads the posts of the window (collected by ``ripplemeter listen collect`` or imported from
files) and the topics of a listening project (``listen.toml``, see
:mod:`ripplemeter.listen.project`; a campaign names one with ``listen = "listen.toml"`` under
``[campaign]``), and reports under ``listening.*`` in metrics.json:

* **mentions** per topic, and their **volume over time** per local hour, day and week (in the
  project's time zone);
* **share of voice** among the brand and competitor topics, by mentions, by engagement and,
  once sentiment annotations exist (the ``annotations`` table, task ``sentiment``), by
  positive mentions;
* **top authors and channels** per topic;
* **associated terms** per topic: words that occur in the topic's mentions more often than
  in the other mentions of the window, ranked by Dunning's log-likelihood (G²);
* the **sentiment trend** per topic and local day, when sentiment exists;
* **alerts** from :func:`ripplemeter.listen.alerts.detect` over each topic's hourly volume
  (and its negative share once sentiment exists), each with its rule, observed and expected
  values, threshold, window and driving posts: the posts of the busiest hour of the window
  the rule peaked over, the most engaging first (the rule's own list of the event's posts is
  kept in metrics.json).

Which posts are mentions
------------------------
Every post created in the window (each counted once, its latest import and snapshot), of any
kind (originals, reposts, replies and comments: listening tools count each as a mention).
A post is a mention of a topic when the topic's query matches it (``lang:`` reads the
post's own language, else the language annotation of the text); the query is compiled
once to SQL (:meth:`ripplemeter.listen.query.Query.to_sql`) and run over the workspace, the
same posts as :meth:`~ripplemeter.listen.query.Query.match` selects in Python. A post may
mention several topics and counts for each.

Share of voice
--------------
The competitive set is the topics whose role is ``brand`` or ``competitor`` (every topic when
there are none). A topic's share of voice is its figure over the sum of the same figure over
the competitive set; product and industry topics get none (a product is part of its brand,
an industry topic holds everyone's mentions). A post naming two competitors counts for both,
so the shares add up to 100% of the mentions counted, not of distinct posts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any, Literal

import ibis
import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ripplemeter.evaluate.context import EvalContext, count_sum
from ripplemeter.evaluate.metrics import Metric
from ripplemeter.evaluate.section import Figure, SectionResult, clean, register_section
from ripplemeter.formatting import shorten

__all__ = [
    "COMPETITIVE_ROLES",
    "ROLES",
    "ListeningSection",
    "ListeningSettings",
    "OwnAccounts",
    "TopicSettings",
    "associated_terms",
    "author_label",
    "fold_plurals",
    "log_likelihood",
    "own_accounts",
    "query_terms",
    "tokenize",
    "week_rows",
    "without_shortcodes",
]

ROLES: tuple[str, ...] = ("brand", "product", "competitor", "industry")
COMPETITIVE_ROLES: tuple[str, ...] = ("brand", "competitor")
NO_SENTIMENT = "no sentiment yet: no mention of this topic has a sentiment annotation"

_SCOPE = (
    "Mentions: posts created in the window (each once, latest import), of any kind, whose "
    "text and fields match the topic's query (listen.toml); a post may mention several topics."
)
_SOV_SRC = (
    "Sprout Social, 'Share of voice: what it is and how to calculate it' (brand measure / "
    "total measure of the brand and its competitors); Brandwatch, 'Share of voice'"
)
_SOV_SET = (
    " Competitive set: the brand and competitor topics (every topic when there are none); "
    "product and industry topics get no share. A post naming two topics counts for both."
)

MENTIONS = Metric(
    "listening_mentions",
    "Mentions",
    "count of posts created in the window that match the topic's query",
    "count",
    "ripplemeter decision; the query language is described in docs/listening.md",
    _SCOPE,
)
VOLUME = Metric(
    "listening_volume",
    "Mentions per period",
    "count of the topic's mentions per local hour, day or week (project time zone)",
    "count",
    "ripplemeter decision",
    _SCOPE + " Periods are cut in the project's time zone; weeks start on Monday (ISO 8601).",
)
ENGAGEMENT = Metric(
    "listening_engagement",
    "Engagement on mentions",
    "sum over the topic's mentions of engagements (the platform's own total; else likes + "
    "reposts + replies + saves as reported)",
    "count",
    "ripplemeter decision; engagements as each platform reports them",
    _SCOPE + " A mention with no engagement figure at all adds nothing.",
)
SOV_MENTIONS = Metric(
    "share_of_voice_mentions",
    "Share of voice (mentions)",
    "topic mentions / sum of mentions over the competitive set",
    "ratio",
    _SOV_SRC,
    _SCOPE + _SOV_SET,
)
SOV_ENGAGEMENT = Metric(
    "share_of_voice_engagement",
    "Share of voice (engagement)",
    "engagement on the topic's mentions / sum of it over the competitive set",
    "ratio",
    _SOV_SRC,
    _SCOPE + _SOV_SET + " Null when no mention of the set has an engagement figure.",
)
SOV_POSITIVE = Metric(
    "share_of_voice_positive",
    "Share of voice (positive mentions)",
    "topic's positive mentions / positive mentions over the competitive set",
    "ratio",
    _SOV_SRC + "; sentiment from the shipped models (model cards in text/models)",
    _SCOPE + _SOV_SET + " Null until sentiment annotations exist.",
)
POSITIVE = Metric(
    "listening_positive_mentions",
    "Positive mentions",
    "count of the topic's mentions whose latest sentiment annotation is positive",
    "count",
    "ripplemeter decision; sentiment from the shipped models (model cards in text/models)",
    _SCOPE,
)
SENTIMENT_MENTIONS = Metric(
    "listening_sentiment_mentions",
    "Mentions by sentiment",
    "count of the topic's mentions whose latest sentiment annotation is the one named "
    "(positive, neutral or negative)",
    "count",
    "ripplemeter decision; sentiment from the shipped models (model cards in text/models)",
    _SCOPE + " Per local day of the window in the sentiment trend.",
)
NET_SENTIMENT = Metric(
    "listening_net_sentiment",
    "Net sentiment of a topic",
    "(positive - negative) / (positive + negative) mentions of the topic",
    "ratio",
    "Black Box Intelligence help, 'What is Net Sentiment' (% positive - % negative, polar "
    "mentions)",
    _SCOPE + " Neutral mentions are left out; null when none is positive or negative.",
)
TERM_MENTIONS = Metric(
    "associated_term_mentions",
    "Mentions with an associated term",
    "count of the topic's mentions whose text contains the term",
    "count",
    "ripplemeter decision",
    "Terms from jieba (Chinese), kiwipiepy nouns and roots (Korean), words elsewhere; "
    "stopwords per language left out; terms named in the queries kept whole; an English "
    "regular plural and its singular are one term, shown in the more frequent form.",
)
TERM_LLR = Metric(
    "associated_term_llr",
    "Association of a term with a topic (log-likelihood G²)",
    "G² = 2 Σ O ln(O / E) over the 2×2 table of mentions with / without the term, in / out "
    "of the topic",
    "G² statistic",
    "Dunning, T. (1993). Accurate methods for the statistics of surprise and coincidence. "
    "Computational Linguistics 19(1), 61-74",
    "Only terms relatively more frequent inside the topic than outside it; above 3.84 the "
    "association is significant at 5% (χ² with one degree of freedom), above 10.83 at 0.1%.",
)
SENTIMENT_READ = Metric(
    "listening_sentiment_read",
    "Mentions read for sentiment",
    "count of the topic's mentions that have a sentiment annotation (positive, neutral or "
    "negative)",
    "count",
    "ripplemeter decision; sentiment from the shipped models (model cards in text/models)",
    _SCOPE + " Net sentiment, share of voice by positive mentions and the sentiment trend rest "
    "on these mentions only: a mention in a language without a sentiment model (French, "
    "Japanese ...) or not annotated yet has none.",
)
SENTIMENT_UNREAD = Metric(
    "listening_sentiment_unread",
    "Mentions without sentiment, by language",
    "count of the topic's mentions of one language that have no sentiment annotation",
    "count",
    "ripplemeter decision; languages with a sentiment model: English, Chinese, Korean",
    _SCOPE + " Language from the language annotation, else the post's own; 'pending' counts "
    "mentions in a language with a model (or of unknown language) not annotated yet.",
)
SOURCE_POSTS = Metric(
    "listening_source_posts",
    "Posts from a source",
    "count of distinct posts created in the window that a source of the project (a "
    "[[sources]] entry of listen.toml, or an imported file) brought into the workspace",
    "count",
    "ripplemeter decision",
    "Every post of the window, whether it mentions a topic or not; a post that two sources "
    "both gathered counts for each.",
)
ALERT_OBSERVED = Metric(
    "listening_alert_observed",
    "Alert: observed mentions",
    "mentions per hour in the alert's window, as the alert's rule reads them",
    "count",
    "ripplemeter.listen.alerts (each alert names its rule; docs/listening.md)",
    "The value that crossed the threshold.",
)
ALERT_EXPECTED = Metric(
    "listening_alert_expected",
    "Alert: expected mentions",
    "the rule's baseline for the same hour (seasonal median, rolling mean, ...)",
    "count",
    "ripplemeter.listen.alerts (each alert names its rule; docs/listening.md)",
    "What the rule expected in the alert's window.",
)
ALERT_WINDOW_MENTIONS = Metric(
    "listening_alert_window_mentions",
    "Alert: mentions over the rule's window",
    "the alert's observed, expected or threshold value (mentions per hour averaged over "
    "the rule's window) × the hours of that window",
    "count",
    "ripplemeter.listen.alerts (each alert names its rule; docs/listening.md)",
    "The same comparison as the rule's per-hour values, as counts over its window (24 hours "
    "for meltwater, the smoothing window for tuned), as the alert e-mail and webhook say it.",
)
ALERT_OBSERVED_SHARE = Metric(
    "listening_alert_observed_share",
    "Alert: observed negative share",
    "negative mentions / mentions with a sentiment over the alert's window",
    "ratio",
    "ripplemeter.listen.alerts, rule negative_share (docs/listening.md)",
    "The share that crossed the threshold.",
)
ALERT_EXPECTED_SHARE = Metric(
    "listening_alert_expected_share",
    "Alert: expected negative share",
    "negative share over the days before the alert's window",
    "ratio",
    "ripplemeter.listen.alerts, rule negative_share (docs/listening.md)",
    "The baseline share the rule compared with.",
)
ALERT_THRESHOLD_SHARE = Metric(
    "listening_alert_threshold_share",
    "Alert: negative share threshold",
    "the share the observed negative share had to exceed",
    "ratio",
    "ripplemeter.listen.alerts, rule negative_share (docs/listening.md)",
    "Baseline share plus the rule's binomial margin.",
)
ALERT_THRESHOLD = Metric(
    "listening_alert_threshold",
    "Alert: threshold",
    "the value the observed figure had to exceed for the rule to fire",
    "count",
    "ripplemeter.listen.alerts (each alert names its rule; docs/listening.md)",
    "Expected plus the rule's margin (k robust or plain standard deviations).",
)


class TopicSettings(BaseModel):
    """One ``[[topics]]`` entry of listen.toml.

    Attributes
    ----------
    id : str
        Short id (letters, digits, ``_`` and ``-``): the topic's key in metrics.json.
    name : str
        Name shown in the report.
    role : {"brand", "product", "competitor", "industry"}
    query : str
        Boolean query (:func:`ripplemeter.listen.query.parse`).
    terms : list of str
        More user-named terms (product codes, names) kept whole by the term tokeniser; the
        query's own words and phrases are kept whole already.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,40}$")
    name: str = Field(min_length=1)
    role: Literal["brand", "product", "competitor", "industry"]
    query: str
    terms: list[str] = []

    @field_validator("query")
    @classmethod
    def _query(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("expected a search query, not an empty one")
        from ripplemeter.listen.query import parse

        try:
            parse(v)
        except Exception as exc:  # QuerySyntaxError (a RippleError), with its column
            raise ValueError(f"not a valid query: {exc}") from None
        return v


class ListeningSettings(BaseModel):
    """The listening section's settings: its topics and a few display limits.

    ``ripplemeter listen report`` fills ``topics`` (and ``alerts``) from listen.toml; in a
    campaign they come from the listening project that ``[campaign] listen`` names, and a
    ``[listening]`` table may set the limits.

    Attributes
    ----------
    topics : list of TopicSettings
    top : int
        Authors and channels listed per topic.
    terms : int
        Associated terms listed per topic.
    min_term_mentions : int
        A term must occur in at least this many of the topic's mentions.
    min_llr : float
        Least G² of a listed term (3.84: significant at 5%, one degree of freedom).
    alert_rule : str
        Detector of :func:`ripplemeter.listen.alerts.detect` run over each topic's hourly
        volume (``tuned``, ``meltwater``, ``changepoint``); ``none`` runs none.
    alert_posts : int
        Driving posts shown per alert.
    quote_chars : int
        Longest excerpt of a driving post in the report, in characters: a longer post is cut
        at a word boundary with "…" (metrics.json and the workspace keep the whole text).
    alerts : object, optional
        The project's ``[alerts]`` settings (:class:`ripplemeter.listen.alerts.AlertSettings`).
    until : datetime, optional
        Hourly series for alerts end before this time (UTC when naive): the watcher's "now",
        so that the hours still to come are not read as hours without mentions.
    include_owned : bool
        Count the posts of the brand's own and partner accounts as mentions (default false:
        they are left out, as in the opinion section, and the section says how many).
    owned_accounts : list of str
        More accounts of the brand or its partners, as account ids (``x:lumentea``) or
        handles (``@lumentea``, ``lumentea@mastodon.social``); case is ignored. Accounts
        whose role is ``owned`` or ``partner`` (or marked partner) in an accounts import
        or a collector's ``role`` are the brand's already.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    topics: list[TopicSettings] = []
    top: int = Field(10, ge=1, le=100)
    terms: int = Field(15, ge=1, le=200)
    min_term_mentions: int = Field(3, ge=1)
    min_llr: float = Field(3.84, ge=0)
    alert_rule: str = "tuned"
    alert_posts: int = Field(3, ge=0, le=20)
    quote_chars: int = Field(280, ge=40, le=5000)
    alerts: Any = None
    until: dt.datetime | None = None
    include_owned: bool = False
    owned_accounts: list[str] = []

    @field_validator("owned_accounts")
    @classmethod
    def _owned(cls, v: list[str]) -> list[str]:
        for a in v:
            if not a.strip() or a.strip() in ("@",):
                raise ValueError(
                    "expected account ids such as x:lumentea or handles such as @lumentea"
                )
        return v


# ----------------------------------------------------------------------------- authors
class OwnAccounts:
    """The brand's own and partner accounts, as the section filters them.

    Attributes
    ----------
    account_ids : ibis column
        Account ids whose role is owned or partner (``CAMPAIGN_ROLES`` of
        :mod:`ripplemeter.evaluate.exposure`, the definition the opinion and exposure
        sections use) or marked ``is_partner``.
    keys : list of str
        ``owned_accounts`` of the settings, casefolded, without a leading ``@``: matched
        against account ids and handles.
    """

    def __init__(self, account_ids: Any, keys: list[str]) -> None:
        self.account_ids = account_ids
        self.keys = keys


def own_accounts(ctx: EvalContext, extra: Iterable[str] = ()) -> OwnAccounts:
    """The accounts whose posts are the brand's own voice, not mentions by other people.

    Parameters
    ----------
    ctx : EvalContext
    extra : iterable of str
        ``owned_accounts`` of the listening settings (ids or handles).

    Returns
    -------
    OwnAccounts

    Notes
    -----
    The definition of the opinion and exposure sections (ripplemeter decision, see
    docs/opinion.md "Which posts are mentions"): the brand's posts are not opinion about it.
    """
    from ripplemeter.evaluate.exposure import CAMPAIGN_ROLES

    a = ctx.tables.accounts
    ids = a.filter(a.role.isin(CAMPAIGN_ROLES) | a.is_partner.fill_null(False)).account_id
    keys = sorted({k.strip().casefold().removeprefix("@") for k in extra if k.strip()})
    return OwnAccounts(ids, keys or ["\x00"])  # ibis cannot compile isin over an empty list


def week_rows(
    weeks: Sequence[dt.date],
    totals: Sequence[int],
    min_run: int = 3,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[dict]:
    """Rows of the report's weekly table: weeks with mentions, quiet stretches folded.

    Parameters
    ----------
    weeks : sequence of date, shape (n,)
        Week starts (Mondays), in order.
    totals : sequence of int, shape (n,)
        Mentions of all topics per week.
    min_run : int
        Runs of at least this many weeks without a mention become one row.
    start, end : date, optional
        The window's first and last local day. A week only partly inside it says so: its
        row has ``days`` (days of the week inside the window) and reads
        ``"30 Mar 2026 (2 of 7 days)"``, so that its lower count is not read as a drop.

    Returns
    -------
    list of dict
        ``{"i": position, "week": iso, "text": "29 Jan 2018"}`` for a week shown with its
        figures (with ``days`` when the window holds only part of it), or ``{"from": iso, "to": iso, "weeks": k, "text": ...}`` for ``k`` quiet
        weeks in a row (``to`` is the last quiet week's Monday; ``text`` says it in words).
        metrics.json keeps every week.

    >>> w = [dt.date(2026, 1, 5) + dt.timedelta(weeks=k) for k in range(6)]
    >>> [r.get("i", r.get("weeks")) for r in week_rows(w, [2, 0, 0, 0, 1, 0])]
    [0, 3, 4, 5]
    >>> week_rows(w[:1], [2], end=dt.date(2026, 1, 6))[0]["text"]
    '5 Jan 2026 (2 of 7 days)'
    """
    rows: list[dict] = []
    i, n = 0, len(weeks)
    while i < n:
        k = i
        while k < n and not totals[k]:
            k += 1
        if k - i >= min_run:
            rows.append(
                {
                    "from": weeks[i].isoformat(),
                    "to": weeks[k - 1].isoformat(),
                    "weeks": k - i,
                    "text": f"{k - i} weeks without a mention, from the week of "
                    f"{_day_text(weeks[i])} to the week of {_day_text(weeks[k - 1])}",
                }
            )
            i = k
            continue
        row = {"i": i, "week": weeks[i].isoformat(), "text": _day_text(weeks[i])}
        first = max(weeks[i], start) if start is not None else weeks[i]
        last = weeks[i] + dt.timedelta(days=6)
        last = min(last, end) if end is not None else last
        days = (last - first).days + 1
        if days < 7:
            row["days"] = days
            row["text"] += f" ({days} of 7 days)"
        rows.append(row)
        i += 1
    return rows


def _day_text(d: dt.date) -> str:
    return f"{d.day} {d:%b %Y}"


#: Platforms whose display names carry custom emoji as ``:shortcode:`` markup (Mastodon and
#: the servers that speak its API).
SHORTCODE_PLATFORMS: frozenset[str] = frozenset({"mastodon"})
_SHORTCODE = re.compile(r":([A-Za-z0-9_]{2,}):")


def without_shortcodes(name: str, emojis: Iterable[str] | None = None) -> str:
    """A Mastodon display name as people see it: custom emoji shortcodes left out.

    Mastodon sends a display name as text with ``:shortcode:`` markup for each custom emoji
    (an image on the page, not letters) and the account's ``emojis`` list naming them. The
    report shows the name without that markup; the stored name (and metrics.json's ``name``)
    keeps it as exported.

    Parameters
    ----------
    name : str
        The display name as stored.
    emojis : iterable of str, optional
        The shortcodes of the account's ``emojis`` list: only these are left out. None (the
        workspace keeps no list) leaves out every ``:shortcode:`` in Mastodon's shortcode
        syntax (two or more letters, digits or ``_`` between colons, not digits alone).

    Returns
    -------
    str
        The name without the shortcodes; a space stands where one stood between two
        letters or digits (``Not:white_check_mark:Verified`` -> ``Not Verified``), runs of
        white space are collapsed; the name as given when nothing else is left.

    Examples
    --------
    >>> without_shortcodes("いつもの匠:grin:✅")
    'いつもの匠✅'
    >>> without_shortcodes(":cherry_blossom: Maïa Dereva")
    'Maïa Dereva'
    >>> without_shortcodes("Not:white_check_mark:Verified")
    'Not Verified'
    >>> without_shortcodes("Ratio 3:10:20 :blob: :party:", emojis=["blob"])
    'Ratio 3:10:20 :party:'
    """
    known = None if emojis is None else set(emojis)

    def drop(m: re.Match) -> str:
        if (known is not None and m.group(1) not in known) or m.group(1).isdigit():
            return m.group(0)  # not the account's emoji, or a time such as 3:10:20
        before = m.string[m.start() - 1] if m.start() else ""
        after = m.string[m.end()] if m.end() < len(m.string) else ""
        return " " if before.isalnum() and after.isalnum() else ""

    out = " ".join(_SHORTCODE.sub(drop, name).split())
    return out or name


def author_label(name: Any, handle: Any, platform: Any, account_id: Any) -> str:
    """How an author reads in the report: a name and handle, never a bare id when a name exists.

    ``Adrienne (@adrienne@mamot.fr)``; a feed (``rss``) is its title (its handle is the
    feed's host, an address, not a name); a handle alone is ``@handle``; the account id only
    when there is neither. A Mastodon name is shown without its custom emoji shortcodes
    (:func:`without_shortcodes`).

    Parameters
    ----------
    name, handle, platform, account_id : str or None
        The author's row of ``accounts`` (display name, handle, platform id) and its id.

    Returns
    -------
    str
        The label, never empty when ``account_id`` is given.

    Examples
    --------
    >>> author_label("Football | The Guardian", "127.0.0.1", "rss", "rss:127.0.0.1")
    'Football | The Guardian'
    >>> author_label(None, "lumentea", "x", "x:lumentea")
    '@lumentea'
    >>> author_label("Lumen Tea", None, "youtube", "youtube:UCVk7uRN7g")
    'Lumen Tea'
    >>> author_label(":cherry_blossom: Maïa", "maia@mamot.fr", "mastodon", "mastodon:maia@mamot.fr")
    'Maïa (@maia@mamot.fr)'
    """
    name = name.strip() if isinstance(name, str) and name.strip() else None
    if name and platform in SHORTCODE_PLATFORMS:
        name = without_shortcodes(name)
    handle = handle.strip().lstrip("@") if isinstance(handle, str) and handle.strip() else None
    if platform == "rss":
        handle = None
    if name and handle and name.casefold() != handle.casefold():
        return f"{name} (@{handle})"
    if name:
        return name
    if handle:
        return f"@{handle}"
    return str(account_id) if account_id is not None else "unknown author"


# ----------------------------------------------------------------------------- terms
_URL = re.compile(r"https?://\S+|www\.\S+", re.I)
_HANDLE = re.compile(r"(?<![\w@])@[\w.]+")
_HAN = r"\p{Han}"
_HANGUL = r"\p{Hangul}"
_KANA = r"\p{Hiragana}\p{Katakana}ー"


@cache
def _rx():
    import regex

    return {
        "word": regex.compile(r"[\p{L}\p{N}][\p{L}\p{M}\p{N}'’_-]*[\p{L}\p{M}\p{N}]|\p{L}"),
        "han": regex.compile(_HAN),
        "hangul": regex.compile(_HANGUL),
        "kana": regex.compile(f"[{_KANA}]"),
        "runs": regex.compile(
            rf"[{_HAN}]+|\p{{Katakana}}[\p{{Katakana}}ー]*|\p{{Hiragana}}+|[\p{{Latin}}\p{{N}}][\p{{Latin}}\p{{N}}'_-]*"
        ),
        "digits": regex.compile(r"^[\p{N}\p{P}]+$"),
    }


def _norm(text: str) -> str:
    """NFKC and casefold, white space collapsed: full-width and case variants become one term.

    The same folding as the queries' search form, without its CJK spacing (terms are cut by
    the tokenisers, which need the characters together).
    """
    import unicodedata

    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def script_language(text: str) -> str | None:
    """A language guessed from the script alone: ``ko`` (Hangul), ``ja`` (kana), ``zh`` (Han).

    Returns None for other scripts. Used only when a post carries no ``lang``.
    """
    rx = _rx()
    if rx["hangul"].search(text):
        return "ko"
    if rx["kana"].search(text):
        return "ja"
    if rx["han"].search(text):
        return "zh"
    return None


def query_terms(query: str) -> list[str]:
    """The words and "exact phrases" a query names, in its search form.

    The query parser's own :meth:`ripplemeter.listen.query.Query.terms`: operators (AND,
    OR, NOT, NEAR/n), field filters (``lang:en``), parentheses, suffix wildcards
    (``launch*``, a prefix, not a term) and terms under NOT are left out; text is folded as
    the search column is (NFKC, casefold).

    Raises
    ------
    QuerySyntaxError
        ``query`` is not a valid query (listen.toml's queries are checked when it is read).

    >>> query_terms('("Lumen Tea" OR lumentea OR LT-500) AND NOT lang:ja AND launch*')
    ['lumen tea', 'lumentea', 'lt-500']
    """
    from ripplemeter.listen.query import parse

    return parse(query).terms()


@cache
def _kiwi():
    from kiwipiepy import Kiwi

    return Kiwi()


#: Korean part-of-speech tags kept (kiwipiepy/Sejong): common and proper nouns, roots,
#: foreign words and Chinese characters (a noun prefix, XPN, is joined to its noun).
#: Particles and endings are never terms.
KOREAN_TAGS = frozenset({"NNG", "NNP", "XR", "SL", "SH"})


@cache
def _keep_pattern(keep: tuple[str, ...]):
    """One compiled alternation of the user-named terms, longest first (None: no term)."""
    import regex

    rx = _rx()
    parts = []
    for term in sorted({k for k in keep if k}, key=len, reverse=True):
        pat = regex.escape(term)
        if not (rx["han"].search(term) or rx["hangul"].search(term)):
            pat = rf"(?<![\p{{L}}\p{{N}}]){pat}(?![\p{{L}}\p{{N}}])"
        parts.append(pat)
    return regex.compile("|".join(parts)) if parts else None


def _keep_whole(text: str, keep: tuple[str, ...]) -> tuple[list[str], str]:
    """Find the user-named terms in a (normalised) text and blank them out.

    A term of letters and digits must stand as a whole word (``lt-500`` is not found inside
    ``lt-5000``); a Chinese, Japanese or Korean term is found inside unspaced text. The
    longest term wins where two overlap.
    """
    pat = _keep_pattern(keep)
    if pat is None:
        return [], text
    found = pat.findall(text)
    return (list(dict.fromkeys(found)), pat.sub(" ", text)) if found else ([], text)


#: Words ending in "s" that are not the plural of the word without it.
NOT_PLURAL: frozenset[str] = frozenset({"news", "series", "species", "means", "lens", "always"})


def _singulars(word: str) -> list[str]:
    """Regular English singulars a word may be the plural of (``cities`` -> ``city``)."""
    if not word.endswith("s") or word.endswith(("ss", "us", "is", "'s", "’s")):
        return []
    out = []
    if word.endswith("ies") and len(word) > 4:
        out.append(word[:-3] + "y")
    if word.endswith(("ses", "xes", "zes", "ches", "shes")):
        out.append(word[:-2])
    out.append(word[:-1])
    return [w for w in out if len(w) >= 3]


def fold_plurals(
    terms: Sequence[set[str]], english: Sequence[bool], keep: Iterable[str] = ()
) -> list[set[str]]:
    """English regular plurals and their singulars counted as one term, the more frequent form.

    A rule for regular plurals only (no stemmer or lemmatiser is installed): ``-s``
    (instances / instance), ``-es`` after s, x, z, ch, sh (boxes / box) and ``-ies`` after a
    consonant (cities / city). Two forms are folded only when both occur in the window's
    English texts; the term shown is the form more of those texts hold (the singular on a
    tie). Words ending in ss, us or is, the words of :data:`NOT_PLURAL` (news is not the
    plural of new) and user-named terms (query words, ``terms`` of listen.toml) are never
    folded. Texts not in English keep their terms.

    Parameters
    ----------
    terms : sequence of set of str
        Terms per text (:func:`tokenize` before folding).
    english : sequence of bool
        Whether each text is English (or of unknown language in Latin script).
    keep : iterable of str
        User-named terms in their search form.

    Returns
    -------
    list of set of str
        The terms per text, each plural form replaced by its group's shown form.

    Examples
    --------
    >>> out = fold_plurals([{"instances"}, {"instances", "server"}, {"instance"}], [True] * 3)
    >>> [sorted(ts) for ts in out]
    [['instances'], ['instances', 'server'], ['instances']]
    >>> out = fold_plurals([{"cities"}, {"city"}, {"city"}, {"news", "new"}], [True] * 4)
    >>> [sorted(ts) for ts in out]
    [['city'], ['city'], ['city'], ['new', 'news']]
    """
    df: Counter = Counter()
    for ts, en in zip(terms, english, strict=True):
        if en:
            df.update(ts)
    skip = set(keep) | NOT_PLURAL
    groups: dict[str, set[str]] = {}
    for word in df:
        if word in skip:
            continue
        for sing in _singulars(word):
            if sing in df and sing not in skip:
                groups.setdefault(sing, {sing}).add(word)
                break
    if not groups:
        return [set(ts) for ts in terms]
    mapping: dict[str, str] = {}
    for sing, forms in groups.items():
        shown = max(sorted(forms), key=lambda w: (df[w], w == sing))
        mapping.update({w: shown for w in forms})
    return [
        {mapping.get(w, w) for w in ts} if en else set(ts)
        for ts, en in zip(terms, english, strict=True)
    ]


def tokenize(
    texts: Sequence[str],
    langs: Sequence[str | None] | None = None,
    keep: Iterable[str] = (),
    *,
    fold: bool = True,
) -> list[set[str]]:
    """The set of terms of each text, for associated terms.

    Parameters
    ----------
    texts : sequence of str
        Posts as exported.
    langs : sequence of str or None, optional
        ISO 639-1 code per text (``posts.lang``); a text without one gets a language from its
        script (:func:`script_language`), else is read as words.
    keep : iterable of str
        User-named terms (query words and phrases, product codes) kept whole, matched in the
        search form (NFKC, casefold).
    fold : bool
        Count an English regular plural and its singular as one term
        (:func:`fold_plurals`).

    Returns
    -------
    list of set of str
        Terms in their search form, stopwords and bare numbers left out.

    Notes
    -----
    URLs and @handles are removed first. Chinese is segmented with jieba (precise mode),
    Korean with kiwipiepy (nouns, roots and foreign words kept), Japanese cut into runs of
    one script (hiragana runs dropped); other languages are regex words of letters and
    digits (``\\p{L}`` classes, hyphens and apostrophes inside a word kept). Terms of one
    character are dropped, except a Chinese term named in ``keep``. English regular plurals
    are then folded with their singulars (``fold``).

    References
    ----------
    jieba: https://github.com/fxsjy/jieba; kiwipiepy: Lee, M. (2024), Kiwi: Developing a
    Korean morphological analyzer based on statistical language models and skip-bigram.
    """
    from ripplemeter.text.stopwords import LANGUAGES, stopwords

    keep_n = tuple(sorted({_norm(k).strip() for k in keep if k and k.strip()}))
    rx = _rx()
    langs = list(langs) if langs is not None else [None] * len(texts)
    out: list[set[str]] = []
    english: list[bool] = []
    korean: list[tuple[int, str]] = []
    for i, (raw, lang) in enumerate(zip(texts, langs, strict=True)):
        text = _norm(str(raw or ""))
        text = _HANDLE.sub(" ", _URL.sub(" ", text))
        found, rest = _keep_whole(text, keep_n)
        code = (str(lang).split("-")[0].lower() if lang else None) or script_language(rest)
        terms = set(found)
        english.append(code in ("en", "und", None))
        stop = stopwords(code if code in LANGUAGES else None)
        if code == "zh":
            import jieba

            jieba.setLogLevel(60)
            words = [w.strip() for w in jieba.lcut(rest)]
        elif code == "ja":
            words = [w for w in rx["runs"].findall(rest) if not regex_hiragana(w)]
        elif code == "ko":
            korean.append((i, rest))
            words = []
        else:
            words = rx["word"].findall(rest)
        for w in words:
            if len(w) < 2 or w in stop or rx["digits"].match(w) or not rx["word"].search(w):
                continue
            terms.add(w)
        out.append(terms)
    if korean:
        stop = stopwords("ko")
        for (i, _), toks in zip(korean, _kiwi().tokenize([t for _, t in korean]), strict=True):
            prefix, prefix_end = "", -1
            for tok in toks:
                w = tok.form.casefold()
                if tok.tag == "XPN":  # a noun prefix (신, 재, 비 ...) joins its noun: 신제품
                    prefix, prefix_end = w, tok.start + tok.len
                    continue
                if prefix and tok.tag.startswith("NN") and tok.start == prefix_end:
                    w = prefix + w
                prefix = ""
                if tok.tag in KOREAN_TAGS and len(w) >= 2 and w not in stop:
                    if not rx["digits"].match(w):
                        out[i].add(w)
    return fold_plurals(out, english, keep_n) if fold else out


def regex_hiragana(word: str) -> bool:
    """Whether a run is all hiragana (Japanese function words and endings)."""
    import regex

    return bool(regex.fullmatch(r"\p{Hiragana}+", word))


def log_likelihood(k11, k12, k21, k22) -> np.ndarray:
    """Dunning's G² for 2×2 tables (arrays broadcast).

    ``k11``: topic mentions with the term, ``k12``: other mentions with it, ``k21``: topic
    mentions without it, ``k22``: other mentions without it.

    Returns
    -------
    numpy.ndarray of float
        G² = 2 Σ O ln(O / E), E the count expected under independence (0 ln 0 = 0).

    References
    ----------
    Dunning, T. (1993). Accurate methods for the statistics of surprise and coincidence.
    Computational Linguistics 19(1), 61-74.
    """
    from scipy.special import xlogy

    k = [np.asarray(x, dtype=float) for x in (k11, k12, k21, k22)]
    n = k[0] + k[1] + k[2] + k[3]
    r1, r2 = k[0] + k[1], k[2] + k[3]  # with / without the term
    c1, c2 = k[0] + k[2], k[1] + k[3]  # in / out of the topic
    e = [r1 * c1 / n, r1 * c2 / n, r2 * c1 / n, r2 * c2 / n]
    with np.errstate(divide="ignore", invalid="ignore"):
        g = sum(xlogy(o, o) - xlogy(o, ei) for o, ei in zip(k, e, strict=True))
    return np.maximum(2.0 * np.asarray(g), 0.0)


def associated_terms(
    terms: Sequence[set[str]],
    in_topic: Sequence[bool],
    *,
    min_count: int = 3,
    min_llr: float = 0.0,
    exclude: Iterable[str] = (),
    limit: int | None = None,
) -> pd.DataFrame:
    """Terms over-represented in a topic's mentions against the other mentions.

    Parameters
    ----------
    terms : sequence of set of str
        Terms per mention (:func:`tokenize`).
    in_topic : sequence of bool
        Whether each mention is in the topic.
    min_count : int
        Least number of topic mentions holding a term.
    min_llr : float
        Least G² (3.84 is significance at 5% with one degree of freedom).
    exclude : iterable of str
        Terms never listed (the topic's own query terms, which define it).
    limit : int, optional
        Most terms returned.

    Returns
    -------
    pandas.DataFrame
        Columns ``term``, ``mentions`` (topic mentions with it), ``outside`` (other mentions
        with it), ``llr`` (G², :func:`log_likelihood`); strongest first, ties by term. Only
        terms whose share of topic mentions exceeds their share of other mentions.
    """
    mask = np.asarray(in_topic, dtype=bool)
    n_in, n_out = int(mask.sum()), int((~mask).sum())
    cols = ["term", "mentions", "outside", "llr"]
    if n_in == 0:
        return pd.DataFrame(columns=cols)
    inside, outside = Counter(), Counter()
    for ts, m in zip(terms, mask, strict=True):
        (inside if m else outside).update(ts)
    skip = set(exclude)
    rows = [
        (t, a, outside.get(t, 0)) for t, a in inside.items() if a >= min_count and t not in skip
    ]
    if not rows:
        return pd.DataFrame(columns=cols)
    df = pd.DataFrame(rows, columns=["term", "mentions", "outside"])
    a, b = df["mentions"].to_numpy(), df["outside"].to_numpy()
    over = a / n_in > (b / n_out if n_out else 0.0)
    df["llr"] = log_likelihood(a, b, n_in - a, n_out - b)
    df = df[over & (df["llr"] > 0) & (df["llr"] >= min_llr)].sort_values(
        ["llr", "term"], ascending=[False, True]
    )
    return df.head(limit).reset_index(drop=True) if limit else df.reset_index(drop=True)


# ----------------------------------------------------------------------------- queries
def _members_sql(base_sql: str, topics: Sequence[TopicSettings]) -> str:
    """One SQL statement: (post_id, topic) for every post each topic's query matches."""
    from ripplemeter.listen.query import parse

    parts = []
    for t in topics:
        cond = parse(t.query).to_sql()
        tid = t.id.replace("'", "''")
        parts.append(f"SELECT post_id, '{tid}' AS topic FROM _base WHERE coalesce(({cond}), false)")
    return f"WITH _base AS ({base_sql}) " + " UNION ALL ".join(parts)


def _engagement(t):
    parts = [t[c] for c in ("likes", "reposts", "replies", "saves") if c in t.columns]
    any_part = ibis.coalesce(*parts).notnull() if parts else ibis.literal(False)
    total = sum((p.fill_null(0) for p in parts), ibis.literal(0))
    return ibis.coalesce(t.engagements, ibis.ifelse(any_part, total, ibis.null("int64"))).cast(
        "int64"
    )


def _local_frame(counts: pd.DataFrame, tz: str) -> pd.DataFrame:
    """15-minute UTC buckets -> local hour start (tz-aware), local day and ISO week start."""
    utc = pd.to_datetime(counts["bucket"].astype("int64") * 900, unit="s").dt.tz_localize("UTC")
    local = utc.dt.tz_convert(tz)
    hour = (utc - pd.to_timedelta(local.dt.minute, unit="min")).dt.tz_convert(tz)
    day = local.dt.date
    week = [d - dt.timedelta(days=d.weekday()) for d in day]
    return counts.assign(hour=hour, day=day, week=week)


def _ratio(v: Any) -> float | None:
    """A share as a float (1.0, not 1: the report shows ratios as percentages)."""
    v = clean(v)
    return None if v is None else float(v)


# ----------------------------------------------------------------------------- the section
@register_section
class ListeningSection:
    """Mentions, share of voice, associated terms, sentiment and alerts per topic."""

    id = "listening"
    title = "Listening: mentions and share of voice"
    order = 95
    metrics = (
        MENTIONS,
        VOLUME,
        ENGAGEMENT,
        SOV_MENTIONS,
        SOV_ENGAGEMENT,
        SOV_POSITIVE,
        POSITIVE,
        SENTIMENT_MENTIONS,
        NET_SENTIMENT,
        TERM_MENTIONS,
        TERM_LLR,
        ALERT_OBSERVED,
        ALERT_EXPECTED,
        ALERT_THRESHOLD,
        ALERT_WINDOW_MENTIONS,
        ALERT_OBSERVED_SHARE,
        ALERT_EXPECTED_SHARE,
        ALERT_THRESHOLD_SHARE,
        SENTIMENT_READ,
        SENTIMENT_UNREAD,
        SOURCE_POSTS,
    )
    settings = ListeningSettings
    headline_group = "organic"

    def headline(self, result: SectionResult) -> list[tuple[str, str]]:
        d = result.data.get("listening") or {}
        brand = next(
            (t for t in d.get("topic_order", []) if d["topics"][t]["role"] == "brand"), None
        )
        if brand is None:
            return []
        p = f"listening.topics.{brand}.share_of_voice.mentions"
        try:
            v = result.value(p)
        except KeyError:
            return []
        return [(p, f"share of voice of {d['topics'][brand]['name']}")] if v is not None else []

    def run(self, ctx: EvalContext) -> SectionResult:
        s: ListeningSettings = ctx.settings_for(self)
        if not s.topics:
            return SectionResult.no_data(
                'no listening topics: name a listening project with listen = "listen.toml" '
                "under [campaign], or run `ripplemeter listen report`"
            )
        period = ctx.window.campaign
        tz = ctx.window.timezone
        posts = ctx.tables.latest_posts(period)
        if not int(posts.count().to_pyarrow().as_py()):
            return SectionResult.no_data("no post was created in the window")
        acc0 = ctx.tables.accounts
        acc = acc0.group_by("account_id").aggregate(
            handle=acc0.handle.max(), author_name=acc0.name.max()
        )
        own = own_accounts(ctx, s.owned_accounts)
        from ripplemeter.evaluate.opinion import latest_annotations

        # a post without a language of its own takes the language annotation, if any
        detected = latest_annotations(ctx, "language")
        detected = detected.group_by("subject_id").aggregate(_lang=detected.label.max())
        j0 = posts.left_join(acc, posts.account_id == acc.account_id)
        j0 = j0.left_join(detected, j0.post_id == detected.subject_id)
        handle_key = j0.handle.lower().lstrip().re_replace(r"^@", "")
        is_own = (
            j0.account_id.isin(own.account_ids)
            | j0.account_id.lower().isin(own.keys)
            | handle_key.isin(own.keys)
        )
        base = j0.select(
            "post_id",
            "text",
            "search_text",
            "platform",
            "channel",
            "account_id",
            "handle",
            "author_name",
            "created_at",
            "url",
            lang=ibis.coalesce(j0.lang, j0._lang),
            # the language the annotator routed the text by (its language annotation first)
            sent_lang=ibis.coalesce(j0._lang, j0.lang),
            engagement=_engagement(j0),
            own_account=is_own.fill_null(False),
        )
        base = ctx.tables.materialize(base, "_rm_listen_base")
        stale = _stale_search_posts(ctx, base)
        members = self._members(ctx, base, s.topics)
        # the brand's own and partner accounts: their posts are not what people say about it
        own_posts = base.filter(base.own_account).post_id
        own_mentions = int(
            members.filter(members.post_id.isin(own_posts)).post_id.nunique().to_pyarrow().as_py()
        )
        if not s.include_owned:
            members = members.filter(~members.post_id.isin(own_posts))
            base = base.filter(~base.own_account)
        j = members.join(base, "post_id")

        topics = {t.id: t for t in s.topics}
        order = [t.id for t in s.topics]
        comp = [t.id for t in s.topics if t.role in COMPETITIVE_ROLES] or order
        per = (
            j.group_by("topic")
            .aggregate(mentions=j.count(), engagement=count_sum(j.engagement))
            .to_pandas()
            .set_index("topic")
        )
        any_topic = int(members.post_id.nunique().to_pyarrow().as_py())

        # sentiment, when annotations exist
        from ripplemeter.evaluate.opinion import latest_annotations

        sent = latest_annotations(ctx, "sentiment").select(_sid="subject_id", sentiment="label")
        js = j.join(sent, j.post_id == sent._sid)
        pol = js.group_by(["topic", "sentiment"]).aggregate(n=js.count()).to_pandas()
        has_sentiment = len(pol) > 0
        # which mentions were read for sentiment (each once), per topic, local day, language
        sent1 = sent.group_by("_sid").aggregate(_label=sent.sentiment.max())
        jr = j.left_join(sent1, j.post_id == sent1._sid)
        jr = jr.mutate(
            read=jr._label.notnull(),
            bucket=(jr.created_at.epoch_seconds() // 900).cast("int64"),
        )
        cov = jr.group_by(["topic", "bucket", "read", "sent_lang"]).aggregate(n=jr.count())
        cov = cov.to_pandas()
        cov = _local_frame(cov, tz) if len(cov) else cov.assign(hour=[], day=[], week=[])
        read_any = int(jr.filter(jr.read).post_id.nunique().to_pyarrow().as_py() or 0)

        figures: list[Figure] = [Figure("listening.mentions", "listening_mentions", any_topic)]
        out_topics: dict[str, dict] = {}
        comp_mentions = sum(int(per["mentions"].get(t, 0)) for t in comp)
        eng_known = [per["engagement"].get(t) for t in comp]
        eng_known = [int(v) for v in eng_known if v is not None and not pd.isna(v)]
        comp_eng = sum(eng_known) if eng_known else None
        pos = (
            pol[pol.sentiment == "positive"].set_index("topic")["n"]
            if has_sentiment
            else pd.Series(dtype=int)
        )
        comp_pos = sum(int(pos.get(t, 0)) for t in comp)

        # volume: 15-minute UTC buckets, made local in pandas (any zone offset works)
        jb = j.mutate(bucket=(j.created_at.epoch_seconds() // 900).cast("int64"))
        buckets = jb.group_by(["topic", "bucket"]).aggregate(n=jb.count()).to_pandas()
        buckets = _local_frame(buckets, tz) if len(buckets) else buckets
        hours = pd.date_range(period.lo, period.hi, freq="h", inclusive="left", tz="UTC")
        hours = hours.tz_convert(tz)
        if s.until is not None:
            cut = pd.Timestamp(s.until)
            cut = cut.tz_convert("UTC") if cut.tzinfo else cut.tz_localize("UTC")
            hours = hours[hours < cut] if (hours < cut).any() else hours[:1]
        days = [d.date() for d in pd.date_range(period.start, period.end, freq="D")]
        weeks = sorted({d - dt.timedelta(days=d.weekday()) for d in days})

        # top authors and channels
        w = ibis.window(group_by="topic", order_by=[ibis.desc("n"), "account_id"])
        ga = j.group_by(["topic", "account_id", "handle", "author_name", "platform"]).aggregate(
            n=j.count()
        )
        authors = ga.mutate(rk=ibis.row_number().over(w)).filter(ibis._.rk < s.top).to_pandas()
        gc = j.mutate(channel=j.channel.fill_null("not given"))
        gc = gc.group_by(["topic", "channel"]).aggregate(n=gc.count())
        wc = ibis.window(group_by="topic", order_by=[ibis.desc("n"), "channel"])
        channels = gc.mutate(rk=ibis.row_number().over(wc)).filter(ibis._.rk < s.top).to_pandas()

        # associated terms over every post of the window
        texts = base.select("post_id", "text", "lang").to_pandas()
        mem = members.to_pandas()
        keep = {k for t in s.topics for k in (*query_terms(t.query), *t.terms)}
        toks = tokenize(texts["text"].fillna("").tolist(), texts["lang"].tolist(), keep)

        # sentiment trend
        if has_sentiment:
            jt = js.mutate(bucket=(js.created_at.epoch_seconds() // 900).cast("int64"))
            strend = jt.group_by(["topic", "bucket", "sentiment"]).aggregate(n=jt.count())
            strend = _local_frame(strend.to_pandas(), tz)

        notes: list[str] = []
        warnings: list[str] = []
        if stale:
            warnings.append(
                f"listening: {stale:,} post(s) of the window were stored by an older ripplemeter, "
                "whose search text kept web addresses or emoji variation selectors, so a topic "
                "may match inside a link (pic.twitter.com/...) or miss an emoji written "
                "differently; `ripplemeter listen report` updates them once when it "
                "opens the workspace (--workspace FILE), as re-importing the files does"
            )
        frames: dict[str, pd.DataFrame] = {}
        for tid in order:
            t = topics[tid]
            p = f"listening.topics.{tid}"
            n = int(per["mentions"].get(tid, 0))
            e = per["engagement"].get(tid)
            e = None if e is None or pd.isna(e) else int(e)
            d: dict[str, Any] = {
                "name": t.name,
                "role": t.role,
                "query": t.query,
                "mentions": n,
                "engagement": e,
                "share_of_voice": {},
                "reasons": {},
            }
            figures.append(Figure(f"{p}.mentions", "listening_mentions", n))
            no_eng = "no mention of this topic has an engagement figure"
            figures.append(
                Figure(
                    f"{p}.engagement", "listening_engagement", e, None if e is not None else no_eng
                )
            )
            if tid in comp:
                sov = d["share_of_voice"]
                sov["mentions"] = n / comp_mentions if comp_mentions else None
                sov["engagement"] = (e or 0) / comp_eng if comp_eng else None
                if has_sentiment:
                    sov["positive"] = int(pos.get(tid, 0)) / comp_pos if comp_pos else None
                else:
                    sov["positive"] = None
                why = {
                    "mentions": "no mention of the competitive set in the window",
                    "engagement": "no mention of the competitive set has an engagement figure",
                    "positive": NO_SENTIMENT
                    if not has_sentiment
                    else "no positive mention of the competitive set",
                }
                for k, mid in (
                    ("mentions", "share_of_voice_mentions"),
                    ("engagement", "share_of_voice_engagement"),
                    ("positive", "share_of_voice_positive"),
                ):
                    v = _ratio(sov[k])
                    sov[k] = v
                    figures.append(
                        Figure(f"{p}.share_of_voice.{k}", mid, v, None if v is not None else why[k])
                    )
            # sentiment
            if has_sentiment:
                tp = pol[pol.topic == tid].set_index("sentiment")["n"]
                cnt = {k: int(tp.get(k, 0)) for k in ("positive", "neutral", "negative")}
                d.update(cnt)
                ct = cov[cov.topic == tid]
                c = sentiment_coverage(ct.rename(columns={"sent_lang": "lang"}))
                d["sentiment_read"] = c["read"]
                d["sentiment_unread"] = c["unread"]
                d["sentiment_unread_text"] = c["text"]
                d["sentiment_unread_languages"] = {
                    k: _language_name(k) for k in c["unread"] if k != "pending"
                }
                figures.append(Figure(f"{p}.sentiment_read", "listening_sentiment_read", c["read"]))
                for code, k in c["unread"].items():
                    figures.append(
                        Figure(f"{p}.sentiment_unread.{code}", "listening_sentiment_unread", k)
                    )
                polar = cnt["positive"] + cnt["negative"]
                d["net_sentiment"] = (cnt["positive"] - cnt["negative"]) / polar if polar else None
                figures.append(
                    Figure(f"{p}.positive", "listening_positive_mentions", cnt["positive"])
                )
                figures.append(
                    Figure(
                        f"{p}.net_sentiment",
                        "listening_net_sentiment",
                        _ratio(d["net_sentiment"]),
                        None if polar else "no mention of this topic is positive or negative",
                    )
                )
                st = strend[strend.topic == tid]
                sent_days = {day: g for day, g in st.groupby("day")}
                trend = []
                # every day with a mention: a day whose mentions have no sentiment (French,
                # Japanese ...) is shown with none read, not left out
                for day, g in ct.groupby("day"):
                    c = sent_days[day].groupby("sentiment")["n"].sum() if day in sent_days else {}
                    pp, nn = int(c.get("positive", 0)), int(c.get("negative", 0))
                    trend.append(
                        {
                            "day": day.isoformat(),
                            "day_text": _day_text(day),
                            "mentions": int(g["n"].sum()),
                            "read": int(g.loc[g["read"].astype(bool), "n"].sum()),
                            "positive": pp,
                            "neutral": int(c.get("neutral", 0)),
                            "negative": nn,
                            "net_sentiment": (pp - nn) / (pp + nn) if pp + nn else None,
                        }
                    )
                d["sentiment_trend"] = trend
                for i, r in enumerate(trend):
                    q = f"{p}.sentiment_trend.{i}"
                    figures.append(Figure(f"{q}.mentions", "listening_volume", r["mentions"]))
                    figures.append(Figure(f"{q}.read", "listening_sentiment_read", r["read"]))
                    for k in ("positive", "neutral", "negative"):
                        figures.append(Figure(f"{q}.{k}", "listening_sentiment_mentions", r[k]))
                    figures.append(
                        Figure(
                            f"{q}.net_sentiment",
                            "listening_net_sentiment",
                            _ratio(r["net_sentiment"]),
                            None
                            if r["net_sentiment"] is not None
                            else "no mention of the day was read for sentiment"
                            if not r["read"]
                            else "no mention of the day is positive or negative",
                        )
                    )
            else:
                d["reasons"]["sentiment"] = NO_SENTIMENT
            # volume
            bt = buckets[buckets.topic == tid] if len(buckets) else buckets
            by_hour = bt.groupby("hour")["n"].sum() if len(bt) else pd.Series(dtype=int)
            hourly = by_hour.reindex(hours, fill_value=0).astype(int)
            by_day = bt.groupby("day")["n"].sum() if len(bt) else pd.Series(dtype=int)
            by_week = bt.groupby("week")["n"].sum() if len(bt) else pd.Series(dtype=int)
            d["volume"] = {
                "hour": [[h.isoformat(), int(v)] for h, v in hourly.items() if v],
                "day": [[x.isoformat(), int(by_day.get(x, 0))] for x in days],
                "week": [[x.isoformat(), int(by_week.get(x, 0))] for x in weeks],
            }
            for i, x in enumerate(weeks):
                figures.append(
                    Figure(f"{p}.volume.week.{i}.1", "listening_volume", int(by_week.get(x, 0)))
                )
            frames[f"volume_{tid}"] = hourly.rename("mentions").to_frame()
            # authors, channels
            ta = authors[authors.topic == tid].sort_values("rk")
            d["top_authors"] = [
                {
                    "account_id": r.account_id,
                    "handle": r.handle if isinstance(r.handle, str) else None,
                    "name": r.author_name if isinstance(r.author_name, str) else None,
                    "author": author_label(r.author_name, r.handle, r.platform, r.account_id),
                    "platform": r.platform,
                    "mentions": int(r.n),
                }
                for r in ta.itertuples()
            ]
            for i in range(len(d["top_authors"])):
                figures.append(
                    Figure(
                        f"{p}.top_authors.{i}.mentions",
                        "listening_mentions",
                        d["top_authors"][i]["mentions"],
                    )
                )
            tc = channels[channels.topic == tid].sort_values("rk")
            d["top_channels"] = [
                {"channel": r.channel, "mentions": int(r.n)} for r in tc.itertuples()
            ]
            for i in range(len(d["top_channels"])):
                figures.append(
                    Figure(
                        f"{p}.top_channels.{i}.mentions",
                        "listening_mentions",
                        d["top_channels"][i]["mentions"],
                    )
                )
            # associated terms
            ids = set(mem.loc[mem.topic == tid, "post_id"])
            inside = texts["post_id"].isin(ids).to_numpy()
            at = associated_terms(
                toks,
                inside,
                min_count=s.min_term_mentions,
                min_llr=s.min_llr,
                exclude=query_terms(t.query),
                limit=s.terms,
            )
            d["terms"] = [
                {
                    "term": r.term,
                    "mentions": int(r.mentions),
                    "outside": int(r.outside),
                    "llr": float(r.llr),
                }
                for r in at.itertuples()
            ]
            if not d["terms"]:
                d["reasons"]["terms"] = (
                    "every mention of the window is in this topic: no contrast to compare with"
                    if inside.all()
                    else f"no term occurs in {s.min_term_mentions} or more of the topic's "
                    f"mentions significantly more often than elsewhere (G² >= {s.min_llr:g})"
                )
            for i, r in enumerate(d["terms"]):
                figures.append(
                    Figure(f"{p}.terms.{i}.mentions", "associated_term_mentions", r["mentions"])
                )
                figures.append(Figure(f"{p}.terms.{i}.llr", "associated_term_llr", r["llr"]))
            # alerts
            d["alerts"] = []
            if s.alert_rule != "none" and n:
                negative = None
                read_hourly = None
                if has_sentiment:
                    sn = strend[(strend.topic == tid) & (strend.sentiment == "negative")]
                    negative = (
                        sn.groupby("hour")["n"].sum().reindex(hours, fill_value=0).astype(int)
                    )
                    # the negative share is over the mentions read for sentiment, not all
                    cr = ct[ct["read"].astype(bool)]
                    read_hourly = (
                        cr.groupby("hour")["n"].sum().reindex(hours, fill_value=0).astype(int)
                    )
                d["alerts"] = self._alerts(ctx, j, tid, hourly, negative, s, warnings, read_hourly)
                for i, a in enumerate(d["alerts"]):
                    share = "_share" if a.get("unit") == "share" else ""
                    for k in ("observed", "expected", "threshold"):
                        mid = f"listening_alert_{k}{share}"
                        figures.append(
                            Figure(
                                f"{p}.alerts.{i}.{k}",
                                mid,
                                a[k],
                                None if a[k] is not None else "the rule gives none",
                            )
                        )
                        if a.get("window_hours"):
                            figures.append(
                                Figure(
                                    f"{p}.alerts.{i}.{k}_count",
                                    "listening_alert_window_mentions",
                                    a[f"{k}_count"],
                                    None if a[k] is not None else "the rule gives none",
                                )
                            )
            out_topics[tid] = d
        extra: dict[str, Any] = {}
        if has_sentiment:
            # what net sentiment and share of voice by positive mentions rest on
            comp_read = sum(out_topics[t]["sentiment_read"] for t in comp)
            extra = {
                "sentiment_read": read_any,
                "competitive_mentions": comp_mentions,
                "competitive_sentiment_read": comp_read,
            }
            figures.append(Figure("listening.sentiment_read", "listening_sentiment_read", read_any))
            figures.append(
                Figure("listening.competitive_mentions", "listening_mentions", comp_mentions)
            )
            figures.append(
                Figure(
                    "listening.competitive_sentiment_read", "listening_sentiment_read", comp_read
                )
            )
        sources = source_rows(ctx, period, tz)
        for i, r in enumerate(sources):
            figures.append(
                Figure(f"listening.sources.{i}.posts", "listening_source_posts", r["posts"])
            )
        summary = _summary_lines(out_topics, order, figures)
        if not has_sentiment:
            notes.append(
                "Listening: no sentiment yet, so share of voice by positive mentions and the sentiment trend are left out."
            )
        owned_note = None
        if own_mentions and not s.include_owned:
            owned_note = (
                f"{own_mentions:,} mention{'' if own_mentions == 1 else 's'} posted by the "
                "brand's own or partner accounts "
                f"{'is' if own_mentions == 1 else 'are'} left out: they are the brand "
                "speaking, not people talking about it (include_owned = true under "
                "[listening] counts them)."
            )
        elif own_mentions:
            owned_note = (
                f"{own_mentions:,} mention{'' if own_mentions == 1 else 's'} posted by the "
                "brand's own or partner accounts "
                f"{'is' if own_mentions == 1 else 'are'} counted (include_owned = true)."
            )
        if owned_note:
            notes.append("Listening: " + owned_note)
        data = {
            "listening": {
                "timezone": tz,
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
                "mentions": any_topic,
                "competitive_set": comp,
                "owned_mentions": own_mentions,
                "owned_included": s.include_owned,
                "owned_note": owned_note,
                "sentiment": has_sentiment,
                "topic_order": order,
                "weeks": [w_.isoformat() for w_ in weeks],
                "week_rows": week_rows(
                    weeks,
                    [
                        sum(
                            int(dict(out_topics[t]["volume"]["week"]).get(w_.isoformat(), 0))
                            for t in order
                        )
                        for w_ in weeks
                    ],
                    start=days[0],
                    end=days[-1],
                ),
                "start_text": _day_text(period.start),
                "end_text": _day_text(period.end),
                **extra,
                "sources": sources,
                "summary": summary,
                "topics": out_topics,
            }
        }
        return SectionResult(
            figures=figures,
            data=data,
            frames=frames,
            warnings=warnings,
            notes=notes,
            uses=("listening_volume",),
        )

    # ------------------------------------------------------------------ helpers
    def _members(self, ctx: EvalContext, base, topics: Sequence[TopicSettings]):
        """(post_id, topic) rows: each topic's query compiled to SQL and run once."""
        backend = ctx.tables.backend
        if getattr(backend, "name", "") == "duckdb":
            sql = _members_sql(ibis.to_sql(base, dialect="duckdb"), topics)
            backend.con.execute(f'CREATE OR REPLACE TEMP TABLE "_rm_listen_members" AS {sql}')
            return backend.table("_rm_listen_members")
        # another engine: the same queries matched in Python (Query.match gives the same posts)
        from ripplemeter.listen.query import parse

        frame = base.to_pandas()
        rows = [
            pd.DataFrame(
                {"post_id": frame.loc[parse(t.query).match(frame), "post_id"], "topic": t.id}
            )
            for t in topics
        ]
        return ibis.memtable(pd.concat(rows, ignore_index=True))

    def _alerts(
        self,
        ctx: EvalContext,
        j,
        tid: str,
        hourly: pd.Series,
        negative: pd.Series | None,
        s: ListeningSettings,
        warnings: list[str],
        read_hourly: pd.Series | None = None,
    ) -> list[dict]:
        """Alerts of the topic's hourly volume (and negative share), with driving posts.

        The negative share is over ``read_hourly`` (mentions read for sentiment per hour)
        when given, else over every mention.
        """
        from ripplemeter.errors import RippleError
        from ripplemeter.listen.alerts import detect, reader_time

        tz = ctx.window.timezone
        q = j.filter(j.topic == tid)
        posts = q.select("post_id", "created_at", engagements=q.engagement).to_pandas()
        posts["created_at"] = (
            pd.to_datetime(posts["created_at"]).dt.tz_localize("UTC").dt.tz_convert(tz)
        )
        rule = s.alert_rule if s.alert_rule != "negative_share" else "tuned"
        runs = [(rule, hourly, None)]
        if negative is not None:
            runs.append(
                ("negative_share", negative, hourly if read_hourly is None else read_hourly)
            )
        found = []
        for r, series, total in runs:
            try:
                found += detect(
                    series.astype(float),
                    r,
                    settings=s.alerts,
                    posts=posts,
                    total=None if total is None else total.astype(float),
                    name=tid,
                )
            except RippleError as exc:  # a series the rule cannot read: said, not hidden
                warnings.append(f"listening: {r} alerts for topic {tid} not computed: {exc}")
        found.sort(key=lambda a: (a.start, a.rule))
        # the posts shown are those of the busiest hour of the window the rule peaked over
        # (the burst itself), the most engaging first, then the earliest; the rule's own list
        # of the event's posts when that window holds none
        eng = posts["engagements"].fillna(-1)
        posts = posts.assign(
            _eng=eng, _hour=posts["created_at"].dt.tz_convert("UTC").dt.floor("h")
        ).sort_values(["_eng", "created_at", "post_id"], ascending=[False, True, True])
        picks: list[list[str]] = []
        hours_of: list[pd.Timestamp | None] = []
        spans: list[pd.Timedelta] = []
        for a in found:
            peak = pd.Timestamp(a.peak_at)
            if peak.tzinfo is None:
                peak = peak.tz_localize(tz)
            try:
                span = max(pd.Timedelta(a.window), pd.Timedelta(hours=1))
            except (TypeError, ValueError):
                span = pd.Timedelta(hours=1)
            end = peak + pd.Timedelta(hours=1)
            at = posts[(posts.created_at >= end - span) & (posts.created_at < end)]
            busiest = None
            if len(at):  # the busiest hour (the latest of equals) of the span the rule read
                busiest = at["_hour"].value_counts().sort_index(ascending=False).idxmax()
                at = at[at["_hour"] == busiest]
            ids = list(at.post_id) or list(a.post_ids)
            picks.append(ids[: s.alert_posts])
            hours_of.append(None if busiest is None else pd.Timestamp(busiest).tz_convert(tz))
            spans.append(span)
        shown = {pid for ids in picks for pid in ids}
        texts = (
            q.filter(q.post_id.isin(sorted(shown)))
            .select("post_id", "text", "url", "platform", "handle", "author_name", "account_id")
            .to_pandas()
            .set_index("post_id")
            if shown
            else pd.DataFrame(
                columns=["text", "url", "platform", "handle", "author_name", "account_id"]
            )
        )
        out = []
        for a, ids, hour, span in zip(found, picks, hours_of, spans, strict=True):
            d = a.to_json()
            ids = [pid for pid in ids if pid in texts.index]
            d["posts"] = [
                {
                    "post_id": pid,
                    "text": texts.at[pid, "text"],
                    "url": texts.at[pid, "url"] if isinstance(texts.at[pid, "url"], str) else None,
                    "platform": texts.at[pid, "platform"],
                    "handle": texts.at[pid, "handle"]
                    if isinstance(texts.at[pid, "handle"], str)
                    else None,
                    "author": author_label(
                        texts.at[pid, "author_name"],
                        texts.at[pid, "handle"],
                        texts.at[pid, "platform"],
                        texts.at[pid, "account_id"],
                    ),
                    "excerpt": shorten(texts.at[pid, "text"], s.quote_chars, count_ellipsis=False),
                }
                for pid in ids
            ]
            d["start_text"] = reader_time(a.start)
            d["end_text"] = reader_time(a.end)
            d["peak_text"] = reader_time(a.peak_at)
            d["ongoing"] = bool(len(hourly)) and pd.Timestamp(a.end) >= hourly.index[-1]
            d["driving_posts"] = len(a.post_ids)
            d["posts_hour"] = None if hour is None else hour.isoformat()
            d["posts_hour_text"] = None if hour is None else reader_time(hour)
            d["posts_caption"] = alert_posts_caption(
                None if hour is None else reader_time(hour), span, bool(d["posts"])
            )
            whole = {
                k: None if d[k] is None else float(getattr(a, k))
                for k in ("observed", "expected", "threshold")
            }
            d.update(alert_reading(a.rule, a.unit, a.window, a.peak_at, whole, tz))
            out.append(d)
        return out


def _summary_lines(topics: dict, order: Sequence[str], figures: Sequence[Figure]) -> list[dict]:
    """The report's opening lines, one per topic, as metrics.json's ``summary`` holds them.

    The words of the listening report's summary (its name and role, mentions, share of voice
    by mentions, alerts), each with the figures it quotes in the shape of the campaign
    summary's entries: ``{"topic": "listening", "text", "figures": [{"path", "metric",
    "value", "shown"}]}``.
    """
    from ripplemeter.evaluate.summary import shown

    index = {f.path: f for f in figures}
    out = []
    for tid in order:
        t = topics[tid]
        p = f"listening.topics.{tid}"
        quoted = [f"{p}.mentions"]
        text = f"{t['name']} ({t['role']}): {shown(index[f'{p}.mentions'])} mentions"
        sov = f"{p}.share_of_voice.mentions"
        if sov in index and index[sov].value is not None:
            text += f", {shown(index[sov])} share of voice by mentions"
            quoted.append(sov)
        n = len(t.get("alerts") or [])
        text += f"; {n} alert{'' if n == 1 else 's'}." if n else "; no alert."
        out.append(
            {
                "topic": "listening",
                "text": text,
                "figures": [
                    {
                        "path": q,
                        "metric": index[q].metric,
                        "value": index[q].value,
                        "shown": shown(index[q]),
                    }
                    for q in quoted
                ],
            }
        )
    return out


#: Source kinds of listen.toml as people name them.
SOURCE_KINDS: dict[str, str] = {
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "reddit": "Reddit",
    "youtube": "YouTube",
    "rss": "RSS or Atom feed",
    "x": "X",
}


_RUN_STATUS = {
    "error": "the last collection failed",
    "interrupted": "the last collection was interrupted",
}


def source_rows(ctx: EvalContext, period: Any, timezone: str | None = None) -> list[dict]:
    """The sources of the window's posts: each collected source or imported file, with its posts.

    Parameters
    ----------
    ctx : EvalContext
    period : Period
        The window (posts created in ``[lo, hi)``).
    timezone : str, optional
        The project's zone, for ``last_run_text``.

    Returns
    -------
    list of dict
        In the order of their first import: ``source`` (the ``[[sources]]`` id of listen.toml,
        or the file name of an import), ``kind`` (``mastodon``, ``rss``... or the file
        format), ``kind_text`` (in words), ``collected`` (a source of listen.toml, not a
        file), ``posts`` (distinct posts created in the window that it brought in),
        ``last_run`` (the last collection or import: ISO time, UTC) and ``last_status``
        (``ok``, ``error``, ``interrupted``...), with ``last_run_text`` (the time in words)
        and ``last_status_text`` (words for a run that did not end well, else None). A
        source whose runs brought no post of the window is listed with 0. In a campaign
        (whose files the report lists already) only the collected sources are.
    """
    from ripplemeter.listen.alerts import reader_time

    imp = ctx.tables.imports.to_pandas()
    if getattr(ctx.tables, "scope", None) is not None:
        # a campaign: its files are in the report's own list of files already
        imp = imp[imp["format"].astype(str).str.startswith("collect:")]
    if imp.empty:
        return []
    p = ctx.tables.posts
    p = p.filter(
        p.created_at >= period.lo.to_pydatetime(), p.created_at < period.hi.to_pydatetime()
    )
    per = p.group_by(["import_id", "post_id"]).aggregate().to_pandas()
    imp = imp.sort_values("import_id")
    imp["source"] = [
        str(x)[len("collect://") :]
        if str(x).startswith("collect://")
        else str(x).replace("\\", "/").rsplit("/", 1)[-1]
        for x in imp["path"]
    ]
    key = dict(zip(imp["import_id"], imp["source"], strict=True))
    per["source"] = per["import_id"].map(key)
    posts = per.groupby("source")["post_id"].nunique()
    out = []
    for src, g in imp.groupby("source", sort=False):
        fmt = str(g["format"].iat[0])
        collected = fmt.startswith("collect:")
        kind = fmt.removeprefix("collect:")
        last = g.iloc[-1]
        when = last.get("finished_at")
        if when is None or pd.isna(when):
            when = last.get("started_at")
        at = None if when is None or pd.isna(when) else pd.Timestamp(when)
        if at is not None and at.tzinfo is None:
            at = at.tz_localize("UTC")
        status = None if pd.isna(last.get("status")) else str(last.get("status"))
        out.append(
            {
                "source": src,
                "kind": kind,
                "kind_text": SOURCE_KINDS.get(kind, kind) if collected else f"file ({kind})",
                "collected": collected,
                "posts": int(posts.get(src, 0)),
                "last_run": None if at is None else at.isoformat(),
                "last_run_text": None if at is None else reader_time(at, timezone),
                "last_status": status,
                "last_status_text": _RUN_STATUS.get(status or ""),
            }
        )
    return out


def _span_words(span: pd.Timedelta) -> str:
    hours = span / pd.Timedelta(hours=1)
    if hours % 24 == 0 and hours >= 48:
        return f"{hours / 24:g} days"
    return "hour" if hours == 1 else f"{hours:g} hours"


def alert_reading(
    rule: str, unit: str, window: str, peak_at: Any, values: dict, timezone: str | None = None
) -> dict:
    """An alert's observed, expected and threshold values as the report's table reads them.

    The words of the alert e-mail and webhook (:mod:`ripplemeter.listen.deliver`):
    ``tuned`` and ``meltwater`` compare mentions per hour averaged over their window, which
    is the count over that window divided by its hours; the table shows the counts over the
    window (``19`` mentions in the 24 hours to 3 Dec 2026, 01:00 KST) with the rule's own
    per-hour value beside them. ``changepoint`` values stay mentions per hour (a segment's
    mean); ``negative_share`` values are shares (percentages).

    Parameters
    ----------
    rule, unit, window : str
        The alert's rule, unit and window (:class:`ripplemeter.listen.alerts.Alert`).
    peak_at : timestamp
        The hour the rule peaked at (its window ends an hour later).
    values : dict
        ``observed``, ``expected`` and ``threshold`` (mentions per hour, or shares).
    timezone : str, optional
        The project's zone.

    Returns
    -------
    dict
        ``unit_text`` (what the values count, in words); for counts over a window of more
        than an hour also ``window_hours``, ``observed_count``, ``expected_count``,
        ``threshold_count`` (value × hours) and ``observed_hourly_text``... (the rule's
        values); ``observed_text``, ``expected_text``, ``threshold_text``: the numbers
        shown, to 3 significant digits (None for shares, which read as percentages).

    Examples
    --------
    >>> r = alert_reading("meltwater", "mentions per step", "24h",
    ...                   pd.Timestamp("2026-12-03 00:00", tz="Asia/Seoul"),
    ...                   {"observed": 0.791667, "expected": 0.007192, "threshold": 0.182906})
    >>> r["unit_text"]
    'mentions in the 24 hours to 3 Dec 2026, 01:00 KST (the rule compares them per hour)'
    >>> r["observed_text"], r["expected_text"], r["threshold_text"]
    ('19', '0.173', '4.39')
    >>> alert_reading("changepoint", "mentions per step (segment mean)", "5h", None,
    ...               {"observed": 4.5, "expected": 1.25, "threshold": 2.0})["unit_text"]
    'mentions per hour, averaged over the segment'
    """
    from ripplemeter.listen.alerts import reader_time
    from ripplemeter.listen.deliver import number_words

    keys = ("observed", "expected", "threshold")
    if unit == "share":
        try:
            span = _span_words(pd.Timedelta(window))
        except (TypeError, ValueError):
            span = str(window)
        return {
            "unit_text": "share of negative mentions among those read for sentiment, over "
            + ("the hour" if span == "hour" else f"{span}")
        } | {f"{k}_text": None for k in keys}
    if rule == "changepoint" or "segment" in unit:
        return {"unit_text": "mentions per hour, averaged over the segment"} | {
            f"{k}_text": None if values.get(k) is None else number_words(values[k]) for k in keys
        }
    try:
        hours = max(pd.Timedelta(window) / pd.Timedelta(hours=1), 1.0)
    except (TypeError, ValueError):
        hours = 1.0
    to = reader_time(pd.Timestamp(peak_at) + pd.Timedelta(hours=1), timezone)
    span = _span_words(pd.Timedelta(hours=hours))
    if hours <= 1:
        return {"unit_text": f"mentions in the hour to {to}"} | {
            f"{k}_text": None if values.get(k) is None else number_words(values[k]) for k in keys
        }
    out: dict[str, Any] = {
        "unit_text": f"mentions in the {span} to {to} (the rule compares them per hour)",
        "window_hours": hours,
    }
    for k in keys:
        v = values.get(k)
        out[f"{k}_count"] = None if v is None else round(float(v) * hours, 6)
        out[f"{k}_text"] = None if v is None else number_words(float(v) * hours)
        out[f"{k}_hourly_text"] = None if v is None else number_words(float(v))
    return out


def alert_posts_caption(hour_text: str | None, span: pd.Timedelta, any_posts: bool) -> str:
    """Which posts an alert's row shows, naming the hour they come from.

    Parameters
    ----------
    hour_text : str or None
        The hour the posts come from, in words in the project's zone (None: not known).
    span : pandas.Timedelta
        The rule's window (1 hour for ``tuned``, 24 hours for ``meltwater``).
    any_posts : bool
        Whether the row lists posts at all.

    Returns
    -------
    str
        The caption ("" when no post is listed).

    Examples
    --------
    >>> alert_posts_caption("2 Dec 2026, 23:00 KST", pd.Timedelta("24h"), True)
    'Posts of the busiest hour of the 24 hours the rule peaked over, the hour from 2 Dec 2026, 23:00 KST (the most engaging first):'
    >>> alert_posts_caption("2 Dec 2026, 05:00 KST", pd.Timedelta("1h"), True)
    'Posts of the peak hour, from 2 Dec 2026, 05:00 KST (the most engaging first):'
    """
    if not any_posts:
        return ""
    if hour_text is None:
        return "Posts the rule counted in the event (the most engaging first):"
    if span <= pd.Timedelta(hours=1):
        return f"Posts of the peak hour, from {hour_text} (the most engaging first):"
    return (
        f"Posts of the busiest hour of the {_span_words(span)} the rule peaked over, the hour "
        f"from {hour_text} (the most engaging first):"
    )


def _language_name(code: str) -> str:
    from ripplemeter.text.lang import LANGUAGE_NAMES

    return LANGUAGE_NAMES.get(code, code)


def sentiment_coverage(rows: pd.DataFrame) -> dict:
    """How many of a set of mentions were read for sentiment, and why the others were not.

    Parameters
    ----------
    rows : pandas.DataFrame
        Columns ``read`` (bool: the mention has a sentiment annotation), ``lang`` (language
        code or None) and ``n`` (mentions).

    Returns
    -------
    dict
        ``mentions``, ``read``; ``unread``: ``{code: n}`` of the mentions without sentiment,
        ``pending`` for those in a language with a model (English, Chinese, Korean) or of
        unknown language, which are simply not annotated yet; ``text``: the reading in words,
        without the two leading counts (``" (8 in languages without a sentiment model:
        French 5, Japanese 3)"``, empty when every mention was read).

    Examples
    --------
    >>> rows = pd.DataFrame({"read": [True, False, False, False],
    ...                      "lang": ["en", "fr", "ja", "en"], "n": [12, 5, 3, 1]})
    >>> c = sentiment_coverage(rows)
    >>> c["mentions"], c["read"], c["unread"]
    (21, 12, {'fr': 5, 'ja': 3, 'pending': 1})
    >>> c["text"]
    ' (8 in languages without a sentiment model: French 5, Japanese 3; 1 not annotated yet)'
    """
    from ripplemeter.text.sentiment import MODEL_LANGUAGES

    if rows.empty:
        return {"mentions": 0, "read": 0, "unread": {}, "text": ""}
    codes = [
        (str(c).split("-")[0].lower() if isinstance(c, str) and c else "und") for c in rows["lang"]
    ]
    r = rows.assign(code=codes)
    read = int(r.loc[r["read"].astype(bool), "n"].sum())
    un = r[~r["read"].astype(bool)]
    modelled = un["code"].isin([*MODEL_LANGUAGES, "und"])
    no_model = un[~modelled].groupby("code")["n"].sum()
    no_model = no_model.sort_index().sort_values(ascending=False, kind="stable")
    unread = {str(k): int(v) for k, v in no_model.items() if v}
    pending = int(un.loc[modelled, "n"].sum())
    if pending:
        unread["pending"] = pending
    parts = []
    if len(no_model):
        k = int(no_model.sum())
        langs = ", ".join(f"{_language_name(c)} {int(v)}" for c, v in no_model.items())
        parts.append(
            f"{k:,} in {'a language' if len(no_model) == 1 else 'languages'} without a "
            f"sentiment model: {langs}"
        )
    if pending:
        parts.append(f"{pending:,} not annotated yet")
    return {
        "mentions": int(r["n"].sum()),
        "read": read,
        "unread": unread,
        "text": f" ({'; '.join(parts)})" if parts else "",
    }


def volume_series(result: SectionResult, topic: str) -> pd.Series:
    """A topic's hourly mentions (local, tz-aware index) from a listening result."""
    return result.frames[f"volume_{topic}"]["mentions"]


def _stale_search_posts(ctx: EvalContext, base) -> int:
    """Posts of ``base`` whose stored search form may predate the current one.

    The workspace records its search form in ``meta.search_form`` once
    :func:`ripplemeter.listen.store.refresh_search_text` has run (every writable open does);
    when it is current nothing is stale. Otherwise the posts holding a link (``/`` or ``www``)
    or an emoji variation selector (the rules that changed) whose stored form differs from today's are counted, and the
    section warns about them.

    Parameters
    ----------
    ctx : EvalContext
    base : ibis.Table
        The window's posts with ``text``.

    Returns
    -------
    int
        0 when the workspace's search form is current or cannot be read.
    """
    from ripplemeter.listen.query import SEARCH_FORM

    backend = ctx.tables.backend
    if getattr(backend, "name", "") == "duckdb":
        try:
            rows = backend.con.execute(
                "SELECT value FROM meta WHERE key = 'search_form'"
            ).fetchall()
        except Exception:  # no meta table (a bare connection): nothing to compare with
            return 0
        if rows and rows[0][0] == SEARCH_FORM:
            return 0
    from ripplemeter.listen.query import CHANGED_FORM_PATTERN, search_texts

    linked = (
        base.filter(base.text.re_search(CHANGED_FORM_PATTERN))
        .select("text", "search_text")
        .to_pandas()
    )
    if linked.empty:
        return 0
    now = search_texts(linked["text"])
    return sum(a != b for a, b in zip(now, linked["search_text"], strict=True))
