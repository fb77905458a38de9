"""The audit of the seven classic mistakes of brand accounts, with findings that cite posts.

For one owned account and a period, :func:`audit_account` scores each mistake with a
registry metric (:data:`AUDIT_METRICS`), compares it with a threshold (from standards.toml
where the standard has one, a documented default otherwise), gives a verdict (``mistake``,
``ok`` or ``no data`` with the reason) and lists findings: the posts behind the score, their
text escaped for HTML, their link, and what to do instead in plain words.

The mistakes (after the classic list of social-media marketing textbooks):

1. **selling** all the time: share of the account's posts that are promotional;
2. **bait**: share of posts begging for likes, comments, shares, tags or votes, or hyping;
3. **self-centred**: posts that talk about the brand more than to the audience, few
   questions to the audience, little conversation (share of activity that is replies);
4. **lazy**: posting frequency against the standard's range, the longest silence, reply
   times from the inbox in business hours; scored by the measure that makes the verdict;
5. **hostile**: hostile replies by the brand, above all to negative comments;
6. **copying** competitors: near-duplicates of competitors' earlier posts (MinHash LSH,
   :mod:`ripplemeter.operations.minhash`);
7. **stubborn**: audience questions and suggestions left unanswered, never asking the
   audience for ideas or feedback.

The classifiers come from :func:`ripplemeter.text.classify.classify` (tasks ``promotional``,
``bait``, ``hostility``, ``question``) and :func:`ripplemeter.text.sentiment.score_texts`;
a task that is not available makes its mistake ``no data`` with the reason, never a guess.
Tests (and notebooks) may pass their own ``predict(texts, task)``.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from ripplemeter.evaluate.metrics import Metric
from ripplemeter.operations import OperationsError
from ripplemeter.operations.inbox import is_question

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ripplemeter.operations.standards import Standards
    from ripplemeter.workspace import Workspace

__all__ = [
    "AUDIT_METRICS",
    "DEFAULTS",
    "MISTAKES",
    "MISTAKE_NAMES",
    "AuditResult",
    "Finding",
    "Measure",
    "MistakeResult",
    "audit_account",
    "format_value",
    "audience_references",
    "asks_for_feedback",
    "is_suggestion",
    "self_references",
]

_SRC_BOOK = (
    "the seven classic mistakes of brand accounts; thresholds: standards.toml or "
    "ripplemeter defaults (docs/audit.md)"
)


def _m(id_, name, formula, unit, source, decision=""):
    return Metric(id_, name, formula, unit, source, decision)


PROMOTIONAL_SHARE = _m(
    "audit_promotional_share", "Promotional share", "promotional posts / posts", "ratio",
    "80/20 rule of social media guides (at most one post in five sells); classifier: "
    "ripplemeter.text.promotional (docs/classifiers.md)",
    "Posts = the account's originals and quotes in the period (not replies or reposts).",
)  # fmt: skip
BAIT_SHARE = _m(
    "audit_bait_share", "Engagement-bait share", "bait posts / posts", "ratio",
    "Facebook Newsroom, 'Fighting Engagement Bait on Facebook' (2017-12-18): vote, react, "
    "share, tag and comment baiting; plus headline hype (clickbait)",
    "Posts as for the promotional share.",
)  # fmt: skip
SELF_CENTRED_SHARE = _m(
    "audit_self_centred_share", "Self-centred posts",
    "posts with more self-references than audience references / posts", "ratio",
    "ripplemeter decision: self-references we/us/our, 我们/本品牌, 저희/우리 and the brand's "
    "name against audience references you/your, 你/您, 여러분/고객님",
    "A post with no reference either way is not self-centred.",
)  # fmt: skip
QUESTION_SHARE = _m(
    "audit_question_share", "Posts asking the audience", "posts that ask something / posts",
    "ratio", "ripplemeter decision; question detection: text.classify 'question' task or the "
    "rules of operations.inbox.is_question (Li et al., CIKM 2011)",
)  # fmt: skip
REPLY_SHARE = _m(
    "audit_reply_share", "Share of activity that is replies",
    "replies to others / (posts + replies to others + reposts)", "ratio",
    "ripplemeter decision (conversation as a share of activity)",
    "A reply is a post of the account whose parent is another account's post.",
)  # fmt: skip
POSTS_PER_WEEK = _m(
    "audit_posts_per_week", "Posts per week", "posts / (period days / 7)", "posts per week",
    "standards.toml posts_per_week (execution standard)",
)  # fmt: skip
LONGEST_GAP = _m(
    "audit_longest_gap_days", "Longest silence", "max gap between consecutive posts, and from "
    "the period's start to the first post and the last post to its end", "days",
    "ripplemeter decision",
)  # fmt: skip
REPLY_HOURS = _m(
    "audit_median_reply_hours", "Median reply time", "median business hours from an inbox "
    "item to the account's first reply (answered items)", "business hours",
    "standards.toml reply_within_hours and [business_hours]; Zendesk first reply time in "
    "business hours", "Unanswered items are counted by the breach share, not here.",
)  # fmt: skip
BREACH_SHARE = _m(
    "audit_reply_breach_share", "Reply-time breaches",
    "complaints and questions answered late or unanswered past the deadline / complaints and "
    "questions in the inbox", "ratio",
    "standards.toml reply_within_hours",
)  # fmt: skip
HOSTILE_SHARE = _m(
    "audit_hostile_reply_share", "Hostile replies", "hostile replies / replies", "ratio",
    "hostility classifier ripplemeter.text.hostility (TweetEval/OLID, COLD, "
    "korean-hate-speech)", "Replies = the account's posts answering another account.",
)  # fmt: skip
HOSTILE_TO_NEGATIVE = _m(
    "audit_hostile_replies_to_negative", "Hostile replies to negative comments",
    "count of hostile replies whose parent is a negative comment", "count",
    "hostility classifier and the sentiment fast tier",
)  # fmt: skip
COPIED_SHARE = _m(
    "audit_copied_share", "Posts copying a competitor",
    "posts with a near-duplicate earlier competitor post / posts", "ratio",
    "MinHash LSH over character shingles (Broder 1997; datasketch); exact Jaccard >= the "
    "threshold", "Only competitors' posts created before the account's post count.",
)  # fmt: skip
UNANSWERED_SHARE = _m(
    "audit_unanswered_share", "Audience questions and suggestions left unanswered",
    "unanswered questions and suggestions / questions and suggestions in the inbox", "ratio",
    "ripplemeter decision; answered = replied by an owned account or moved to private message",
)  # fmt: skip
ASKS_FEEDBACK_SHARE = _m(
    "audit_asks_feedback_share", "Posts asking for ideas or feedback",
    "posts asking the audience for ideas, opinions or votes / posts", "ratio",
    "ripplemeter decision (questions, polls, calls for feedback)",
)  # fmt: skip

AUDIT_METRICS: tuple[Metric, ...] = (
    PROMOTIONAL_SHARE, BAIT_SHARE, SELF_CENTRED_SHARE, QUESTION_SHARE, REPLY_SHARE,
    POSTS_PER_WEEK, LONGEST_GAP, REPLY_HOURS, BREACH_SHARE, HOSTILE_SHARE, HOSTILE_TO_NEGATIVE,
    COPIED_SHARE, UNANSWERED_SHARE, ASKS_FEEDBACK_SHARE,
)  # fmt: skip

MISTAKES = ("selling", "bait", "self_centred", "lazy", "hostile", "copying", "stubborn")

#: The plain names shown before the ids (CLI and report).
MISTAKE_NAMES = {
    "selling": "Selling all the time",
    "bait": "Engagement bait",
    "self_centred": "Self-centred",
    "lazy": "Lazy",
    "hostile": "Hostile to critics",
    "copying": "Copying competitors",
    "stubborn": "Stubborn",
}

#: Thresholds used where standards.toml has none (ripplemeter decisions, docs/audit.md).
DEFAULTS: dict[str, float] = {
    "max_promotional_share": 0.2,  # the 80/20 rule
    "max_bait_share": 0.1,
    "max_self_centred_share": 0.5,
    "min_question_share": 0.1,
    "min_reply_share": 0.1,
    "min_posts_per_week": 3,
    "max_gap_days": 7.0,
    "reply_within_hours": 8.0,  # one working day
    "max_breach_share": 0.1,
    "max_hostile_reply_share": 0.05,
    "copy_similarity": 0.6,
    "max_unanswered_share": 0.5,
}

ADVICE = {
    "selling": "Sell less often: keep offers to at most one post in five and fill the rest "
    "with posts that inform, entertain or help your audience.",
    "bait": "Stop asking for likes, shares, tags or votes for their own sake; platforms demote "
    "such posts. Ask a real question or give people a reason to react.",
    "self_centred": "Talk to your audience, not about yourself: write 'you' more than 'we', "
    "ask them questions and answer their comments.",
    "lazy": "Post regularly within the standard's range, avoid long silences, and answer "
    "comments within the reply-time target.",
    "hostile": "Do not answer critics with hostility. Acknowledge the problem, apologise where "
    "due, offer a remedy and move the conversation to private messages.",
    "copying": "Do not copy competitors' posts. Find what suits your own audience: look at "
    "which of your posts they engage with.",
    "stubborn": "Answer the questions and suggestions your audience sends, and ask them for "
    "ideas and feedback (questions, polls).",
}

#: Requests addressed to the audience whose "us"/"我们" is the brand as the addressee of the
#: reader's action (tell us, let us know, 告诉我们): one implied "you" each, not a self-reference.
_REQUEST = re.compile(
    r"\b(?:(?:tell|show|send|ask|give|dm|message|contact|join|help|follow|tag|write to|reach) us"
    r"|let us know)\b|(?:告诉|联系|关注|私信|加入)我们",
    re.I,
)
_SELF = {
    "en": re.compile(r"\b(?:we|us|our|ours|ourselves)\b", re.I),
    "zh": re.compile(r"我们|我司|本品牌|本店|本公司"),
    "ko": re.compile(r"저희|우리"),
}
_AUD = {
    "en": re.compile(r"\b(?:you|your|yours|yourself|yourselves)\b", re.I),
    "zh": re.compile(r"你|您"),
    "ko": re.compile(r"여러분|고객님"),
}
_SUGGEST = re.compile(
    r"\b(?:you should|why don'?t you|please (?:add|bring|make|consider)|it would be (?:nice|great)"
    r"|i (?:wish|suggest)|suggestion|could you (?:add|make))\b|建议|希望|能不能|可不可以|要是能"
    r"|했으면|해주세요|해 주세요|제안|바랍니다",
    re.I,
)
_FEEDBACK = re.compile(
    r"\b(?:what do you think|let us know|tell us|your (?:ideas|feedback|thoughts|opinion)"
    r"|feedback|poll|vote|which (?:one|do you)|comment below)\b|你们觉得|大家觉得|你觉得|意见|建议"
    r"|投票|留言告诉|评论区告诉|의견|투표|어떻게 생각|댓글로 알려|골라 주세요",
    re.I,
)


def self_references(text: str | None, brand_names: Sequence[str] = ()) -> int:
    """Count of self-references in a post (we/us/our, 我们/本品牌, 저희/우리, the brand's names).

    The "us" of a request to the reader ("tell us", "let us know", "join us", 告诉我们) is not
    counted: :func:`audience_references` counts it as an implied "you".

    Parameters
    ----------
    text : str or None
    brand_names : sequence of str
        The brand's and the account's names (matched case-insensitively, whole words for
        Latin names).

    Returns
    -------
    int
    """
    if not isinstance(text, str):
        return 0
    text = _REQUEST.sub(" ", text)  # "tell us": the reader is asked, the brand is not the topic
    n = sum(len(p.findall(text)) for p in _SELF.values())
    for b in brand_names:
        if b and b.strip():
            b = b.strip()
            if re.fullmatch(r"[\w .&'-]+", b, re.ASCII):
                n += len(re.findall(rf"(?<![\w@#]){re.escape(b)}(?!\w)", text, re.I))
            else:
                n += text.count(b)
    return n


def audience_references(text: str | None) -> int:
    """Count of references to the audience (you/your, 你/您, 여러분/고객님).

    A request to the reader ("tell us why", "let us know", 告诉我们) counts once: its subject
    is an implied "you".
    """
    if not isinstance(text, str):
        return 0
    return sum(len(p.findall(text)) for p in _AUD.values()) + len(_REQUEST.findall(text))


def is_suggestion(text: str | None) -> bool:
    """True when an audience comment suggests something (you should, 建议, 했으면 ...)."""
    return isinstance(text, str) and bool(_SUGGEST.search(text))


def asks_for_feedback(text: str | None) -> bool:
    """True when a post asks the audience for ideas, opinions or votes (rules, en/zh/ko)."""
    return isinstance(text, str) and bool(_FEEDBACK.search(text))


# --------------------------------------------------------------------------- results
@dataclass
class Finding:
    """A post behind a score.

    Attributes
    ----------
    post_id : str
    text_html : str
        The post's text escaped for HTML (untrusted).
    url : str or None
    why : str
        What is wrong with it, in plain words.
    other_post_id, other_text_html, other_url : str or None
        The other post involved (the comment answered, the competitor's post copied).
    value : float or None
        The post's own figure (similarity, score).
    """

    post_id: str
    text_html: str
    url: str | None
    why: str
    other_post_id: str | None = None
    other_text_html: str | None = None
    other_url: str | None = None
    value: float | None = None


@dataclass
class Measure:
    """One measure a verdict rests on, with its limit in plain words.

    Attributes
    ----------
    metric : str
        The registry id (:data:`AUDIT_METRICS`).
    name : str
        The metric's plain name (shown first; the id beside it).
    value : float or None
    unit : str
        The metric's unit (``ratio`` values are shown as percentages).
    limit : str
        What the standard or default allows, in plain words: ``at most 50%``,
        ``3-10 posts a week``, ``none``.
    threshold_from : str
        ``standards.toml <key>`` or ``default``.
    state : str
        ``off`` (counts towards the mistake), ``ok``, ``no data``, or ``above the standard``
        (posting more than the standard's maximum: reported apart, not a mistake of the list).
    """

    metric: str
    name: str
    value: float | None
    unit: str
    limit: str
    threshold_from: str
    state: str


@dataclass
class MistakeResult:
    """One mistake's score, threshold, verdict and findings.

    Attributes
    ----------
    mistake : str
        One of :data:`MISTAKES`.
    number : int
        1-7 as the classic list numbers them.
    metric : str
        The registry id of the score. Lazy, which rests on four measures, is scored by the
        measure that makes its verdict: the one off (of several off, the one furthest past
        its limit: reply-time breaches when those fail and the posting rate is fine), posts
        per week when none is off.
    score : float or None
        The value of that measure (``metric``).
    threshold : float or None
        That measure's limit (its minimum or maximum, as its :class:`Measure` says).
    threshold_from : str
        ``standards.toml <key>`` or ``default``.
    verdict : str
        ``mistake``, ``ok`` or ``no data``.
    reason : str or None
        Why the score is null, or what the verdict rests on.
    signals : dict
        Supporting figures: metric id -> value.
    findings : list of Finding
    advice : str
        What to do instead.
    name : str
        The mistake's plain name (:data:`MISTAKE_NAMES`).
    rule : str
        When the measures make a mistake, in plain words.
    measures : list of Measure
        Every measure the verdict rests on, with its limit and state.
    notes : list of str
        Findings of another kind than the mistake (posting above the standard's range is
        not laziness: it is reported here, and never makes the verdict).
    """

    mistake: str
    number: int
    metric: str
    score: float | None
    threshold: float | None
    threshold_from: str
    verdict: str
    reason: str | None = None
    signals: dict[str, float | None] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    advice: str = ""
    name: str = ""
    rule: str = ""
    measures: list[Measure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.name:
            self.name = MISTAKE_NAMES.get(self.mistake, self.mistake)


@dataclass
class AuditResult:
    """The audit of one account over a period.

    ``since`` and ``until`` are naive UTC; ``timezone`` is the zone the period is shown in
    (:meth:`local_period`): the one the caller names (the report: the campaign's), else the
    team's (standards.toml ``[business_hours] timezone``), else the account's registered
    zone, else ``UTC``.
    """

    account_id: str
    since: dt.datetime
    until: dt.datetime
    mistakes: list[MistakeResult]
    timezone: str = "UTC"

    def local_period(self) -> tuple[dt.datetime, dt.datetime]:
        """``(since, until)`` as aware times in :attr:`timezone`."""
        from zoneinfo import ZoneInfo

        z = ZoneInfo(self.timezone)
        return tuple(t.replace(tzinfo=dt.UTC).astimezone(z) for t in (self.since, self.until))  # type: ignore[return-value]

    def period_text(self) -> str:
        """The period in :attr:`timezone`, zone named.

        Whole local days read as dates, the last one included: ``1 Mar 2026 to 31 Mar 2026
        (Asia/Shanghai time)``; other bounds as times: ``2026-03-01 09:30 to 2026-03-02 10:00
        (Asia/Shanghai time)``.
        """
        a, b = self.local_period()
        midnight = dt.time(0)
        if a.time() == midnight and b.time() == midnight:
            last = b - dt.timedelta(days=1)
            return f"{a.day} {a:%b %Y} to {last.day} {last:%b %Y} ({self.timezone} time)"
        return f"{a:%Y-%m-%d %H:%M} to {b:%Y-%m-%d %H:%M} ({self.timezone} time)"

    def get(self, mistake: str) -> MistakeResult:
        """The result of one mistake (KeyError when unknown)."""
        for m in self.mistakes:
            if m.mistake == mistake:
                return m
        raise KeyError(mistake)

    def to_dict(self) -> dict:
        """A JSON-ready dict (times as ISO strings)."""
        a, b = self.local_period()
        return {
            "account_id": self.account_id,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "timezone": self.timezone,
            "since_local": a.isoformat(),
            "until_local": b.isoformat(),
            "period": self.period_text(),
            "mistakes": [asdict(m) for m in self.mistakes],
        }

    def findings_frame(self) -> pd.DataFrame:
        """Every finding as a row, with its mistake."""
        import pandas as pd

        rows = [{"mistake": m.mistake, **asdict(f)} for m in self.mistakes for f in m.findings]
        return pd.DataFrame(
            rows,
            columns=["mistake", *Finding.__dataclass_fields__],  # type: ignore[attr-defined]
        )


# --------------------------------------------------------------------------- classifiers
Predictor = Callable[[list[str], str], Sequence[str]]
"""``predict(texts, task) -> labels`` for the tasks ``promotional`` (promotional/ok), ``bait``
(bait/ok), ``hostility`` (hostile/ok), ``question`` (question/ok), ``sentiment``
(positive/negative/neutral), ``spam`` (spam/ham). Raise
:class:`ripplemeter.text.classify.ClassifierUnavailable` for a task it cannot answer."""


def default_predictor(texts: list[str], task: str) -> list[str]:
    """The shipped classifiers (see the module notes)."""
    from ripplemeter.operations.inbox import SENTIMENT_TASKS

    if task in SENTIMENT_TASKS:
        from ripplemeter.operations.inbox import default_predictor as inbox_predict

        return inbox_predict(texts, task)
    from ripplemeter.text.classify import TASKS, classify

    if task == "question" and "question" not in TASKS:
        return ["question" if is_question(t) else "ok" for t in texts]
    if task == "promotional" and "promotional" not in TASKS:
        from ripplemeter.text.promotional import PromotionalRules

        return [str(x) for x in PromotionalRules().predict(texts)]
    return classify(texts, task)["label"].tolist()


class _Unavailable(Exception):
    pass


def _labels(predict: Predictor, texts: list[str], task: str) -> list[str]:
    from ripplemeter.errors import RippleError

    if not texts:
        return []
    try:
        out = list(predict(texts, task))
    except RippleError as exc:  # ClassifierUnavailable, a model file missing
        raise _Unavailable(f"the {task} classifier is not available: {exc}") from None
    if len(out) != len(texts):
        raise OperationsError(f"{task}: expected {len(texts)} labels, found {len(out)}")
    return out


# --------------------------------------------------------------------------- the audit
_POSTS_SQL = """
SELECT * EXCLUDE (rn) FROM (
    SELECT post_id, account_id, created_at, text, url, kind, parent_id, root_id,
           row_number() OVER (PARTITION BY post_id ORDER BY import_id DESC) AS rn
    FROM posts
) WHERE rn = 1 ORDER BY created_at, post_id
"""


def _utc(t) -> dt.datetime:
    t = t.to_pydatetime() if hasattr(t, "to_pydatetime") else t
    return t.astimezone(dt.UTC).replace(tzinfo=None) if t.tzinfo else t


def _f(post, why, value=None, other=None) -> Finding:
    def esc(s):
        return html.escape(s) if isinstance(s, str) else ""

    return Finding(
        post_id=str(post["post_id"]),
        text_html=esc(post.get("text")),
        url=post.get("url") if isinstance(post.get("url"), str) else None,
        why=why,
        other_post_id=str(other["post_id"]) if other is not None else None,
        other_text_html=esc(other.get("text")) if other is not None else None,
        other_url=(
            other.get("url") if other is not None and isinstance(other.get("url"), str) else None
        ),
        value=None if value is None else float(value),
    )


def _share(n: int, d: int) -> float | None:
    return n / d if d else None


def format_value(value: float | None, unit: str) -> str:
    """A measure's value in plain words: ratios as percentages (``7.34%``), else 3 digits."""
    if value is None:
        return "n/a"
    if unit == "ratio":
        return f"{value * 100:.3g}%"
    if unit == "count":
        return f"{value:g}"
    return f"{value:.3g} {unit}"


def _past_limit(value: float, *, lo: float | None = None, hi: float | None = None) -> float:
    """How far an ``off`` measure is past its limit, as a factor comparable across units.

    ``value / hi`` for a measure with an upper limit (``at most``), ``lo / value`` for one
    with a lower limit (``at least``): 97.6% breaches against at most 10% is 9.76, 1 post a
    week against at least 3 is 3. A zero limit crossed (or a zero value under a minimum) is
    infinitely far.
    """
    if hi is not None:
        return value / hi if hi > 0 else float("inf")
    if lo is None:
        raise ValueError("a measure's limit needs lo or hi")
    return lo / value if value > 0 else float("inf")


def _measure(
    metric: Metric,
    value: float | None,
    src: str,
    *,
    hi: float | None = None,
    lo: float | None = None,
    limit: str | None = None,
    off: bool | None = None,
) -> Measure:
    """A measure against ``at most hi`` / ``at least lo`` (``off`` overrides the test)."""
    if limit is None:
        if hi is not None and lo is not None:
            limit = f"{format_value(lo, metric.unit)}-{format_value(hi, metric.unit)}"
        elif hi is not None:
            limit = "none" if hi == 0 else f"at most {format_value(hi, metric.unit)}"
        else:
            limit = f"at least {format_value(lo, metric.unit)}"
    if value is None:
        state = "no data"
    else:
        if off is None:
            off = (hi is not None and value > hi) or (lo is not None and value < lo)
        state = "off" if off else "ok"
    return Measure(metric.id, metric.name, value, metric.unit, limit, src, state)


def audit_account(
    ws: Workspace,
    account_id: str,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    standards: Standards | None = None,
    owned: Sequence[str] | None = None,
    competitors: Sequence[str] | None = None,
    predict: Predictor | None = None,
    now: dt.datetime | None = None,
    max_findings: int = 10,
    timezone: str | None = None,
) -> AuditResult:
    """Audit one account against the seven mistakes over ``[since, until)``.

    Parameters
    ----------
    ws : Workspace
    account_id : str
        The audited account (``platform:native_id``).
    since, until : datetime, optional
        The period (naive = UTC); default: from the account's first post to just after its
        last.
    standards : Standards, optional
        The execution standard: content mix, posts per week, reply-time target, business
        hours, the brand's name. Without it the defaults of :data:`DEFAULTS` apply.
    owned : sequence of str, optional
        The owned accounts (whose replies count as the brand's); default: the registry's,
        plus ``account_id``.
    competitors : sequence of str, optional
        Competitors' accounts for mistake 6 (default: the registry's ``competitor`` role).
    predict : callable, optional
        The classifiers (see :data:`Predictor`); default the shipped ones.
    now : datetime, optional
        The instant unanswered inbox items are measured to (default ``until``).
    max_findings : int
        Findings listed per mistake (the score counts them all).
    timezone : str, optional
        IANA zone the period is shown in (see :class:`AuditResult`).

    Returns
    -------
    AuditResult

    Raises
    ------
    OperationsError
        The account has no post in the workspace, or ``until`` is not after ``since``.
    """
    import numpy as np
    import pandas as pd

    from ripplemeter.operations.accounts import list_accounts
    from ripplemeter.operations.inbox import InboxSettings, build_inbox, owned_accounts
    from ripplemeter.operations.minhash import near_duplicates

    predict = predict or default_predictor
    posts = ws.con.execute(_POSTS_SQL).df()
    posts["created_at"] = pd.to_datetime(posts["created_at"])
    mine_all = posts[posts["account_id"] == account_id]
    if mine_all.empty:
        raise OperationsError(
            f"{account_id}: no post of this account in the workspace; expected an account id "
            "such as weibo:1780754095 (see ripplemeter accounts list)"
        )
    since = _utc(since) if since is not None else mine_all["created_at"].min().to_pydatetime()
    until = (
        _utc(until)
        if until is not None
        else mine_all["created_at"].max().to_pydatetime() + dt.timedelta(seconds=1)
    )
    if until <= since:
        raise OperationsError(f"the period's end ({until}) is not after its start ({since})")
    period = mine_all[(mine_all["created_at"] >= since) & (mine_all["created_at"] < until)]
    author_of = dict(zip(posts["post_id"], posts["account_id"], strict=False))
    by_id = posts.set_index("post_id")
    parent_author = period["parent_id"].map(author_of)
    is_reply = (
        period["parent_id"].notna()
        & parent_author.notna()
        & (parent_author != account_id)
        & (period["kind"] != "quote")  # a quote is a post of its own
    ) | (
        # an export that marks replies without naming the post answered (X Analytics:
        # "@user ..." rows of kind reply): a reply to someone else, not a post
        period["kind"].eq("reply") & period["parent_id"].isna()
    )
    is_post = period["parent_id"].isna() | period["kind"].isin(["original", "quote"])
    is_post &= ~is_reply
    # posts at the same second keep the order of their ids (the findings' order and cut)
    originals = period[is_post].sort_values(["created_at", "post_id"], kind="stable")
    replies = period[is_reply].sort_values(["created_at", "post_id"], kind="stable")
    n_posts, n_replies = len(originals), len(replies)
    # replies that name no post they answer: the inbox cannot count them as answers
    n_unlinked = int((period["kind"].eq("reply") & period["parent_id"].isna()).sum())
    unlinked_note = (
        f"; but {n_unlinked} of the account's replies do not say which post they answer (the "
        "export leaves that out), so some of these may have been answered: import replies with "
        "their parent (a comments export with parent_id) to know"
        if n_unlinked
        else ""
    )
    n_activity = len(period)
    rules = standards.rules_for(account_id) if standards is not None else None
    brand_names = [standards.brand.name] if standards is not None else []
    acc = list_accounts(ws)
    acc_row = acc[acc["account_id"] == account_id]
    if not acc_row.empty:
        brand_names += [str(x) for x in acc_row[["name", "handle"]].iloc[0] if isinstance(x, str)]
    rec = originals.to_dict("records")
    texts = [t if isinstance(t, str) else "" for t in originals["text"]]
    results: list[MistakeResult] = []
    no_posts = f"no post by {account_id} in the period"

    def thr(key: str, std_value, std_key: str) -> tuple[float, str]:
        if std_value is not None:
            return float(std_value), f"standards.toml {std_key}"
        return DEFAULTS[key], "default"

    # 1-2: share of posts labelled by a classifier
    for mistake, num, metric, task, label, key, std in (
        ("selling", 1, PROMOTIONAL_SHARE, "promotional", "promotional", "max_promotional_share",
         (rules.content_mix.max_promotional_share if rules else None,
          "content_mix.max_promotional_share")),
        ("bait", 2, BAIT_SHARE, "bait", "bait", "max_bait_share", (None, "")),
    ):  # fmt: skip
        t, src = thr(key, *std)
        rule = f"a mistake when more than {t:.0%} of the posts are {label}"
        if not n_posts:
            results.append(MistakeResult(mistake, num, metric.id, None, t, src, "no data", no_posts, advice=ADVICE[mistake], rule=rule, measures=[_measure(metric, None, src, hi=t)]))  # fmt: skip
            continue
        try:
            lab = _labels(predict, texts, task)
        except _Unavailable as exc:
            results.append(MistakeResult(mistake, num, metric.id, None, t, src, "no data", str(exc), advice=ADVICE[mistake], rule=rule, measures=[_measure(metric, None, src, hi=t)]))  # fmt: skip
            continue
        hit = [r for r, x in zip(rec, lab, strict=True) if x == label]
        s = len(hit) / n_posts
        results.append(
            MistakeResult(
                mistake, num, metric.id, s, t, src, "mistake" if s > t else "ok",
                f"{len(hit)} of {n_posts} posts are {label}",
                findings=[_f(r, f"labelled {label}") for r in hit[:max_findings]],
                advice=ADVICE[mistake], rule=rule, measures=[_measure(metric, s, src, hi=t)],
            )
        )  # fmt: skip

    # 3: self-centred
    t3 = DEFAULTS["max_self_centred_share"]
    rule3 = (
        "a mistake when at least two of these three are off: the share of self-centred posts, "
        "the share of posts asking the audience, the share of the activity that is replies "
        "(a post that asks the audience something is never counted as self-centred)"
    )
    if not n_activity:
        results.append(MistakeResult("self_centred", 3, SELF_CENTRED_SHARE.id, None, t3, "default", "no data", no_posts, advice=ADVICE["self_centred"], rule=rule3))  # fmt: skip
    else:
        try:
            q = _labels(predict, texts, "question")
            qs = _share(sum(x == "question" for x in q), n_posts)
        except _Unavailable:
            q = ["question" if is_question(x) else "ok" for x in texts]
            qs = None
        # a post that asks the audience (a question, a call for feedback) talks to it
        selfc = [
            r for r, x, lab in zip(rec, texts, q, strict=True)
            if lab != "question" and not asks_for_feedback(x)
            and self_references(x, brand_names) > audience_references(x)
        ]  # fmt: skip
        sc = _share(len(selfc), n_posts)
        rs = n_replies / n_activity
        ms3 = [
            _measure(SELF_CENTRED_SHARE, sc, "default", hi=t3),
            _measure(QUESTION_SHARE, qs, "default", lo=DEFAULTS["min_question_share"]),
            _measure(REPLY_SHARE, rs, "default", lo=DEFAULTS["min_reply_share"]),
        ]
        n_off = sum(m.state == "off" for m in ms3)
        off = []
        if ms3[0].state == "off":
            off.append(f"{sc:.0%} of posts talk more about the brand than to the audience")
        if ms3[1].state == "off":
            off.append(f"only {qs:.0%} of posts ask the audience something")
        if ms3[2].state == "off":
            off.append(f"only {rs:.0%} of the activity is replies")
        why3 = "; ".join(off) or "talks to its audience"
        if n_off == 1:
            why3 += " (one measure of three is off; a mistake needs two)"
        # the score is the measure that makes the verdict, as for lazy: when two or more are
        # off (a mistake), the one furthest past its limit; else the self-centred share
        cand3 = [
            (_past_limit(v, hi=t3) if k == 0 else _past_limit(v, lo=lim), metric, v, lim)
            for k, (ms, metric, v, lim) in enumerate(
                (
                    (ms3[0], SELF_CENTRED_SHARE, sc, t3),
                    (ms3[1], QUESTION_SHARE, qs, DEFAULTS["min_question_share"]),
                    (ms3[2], REPLY_SHARE, rs, DEFAULTS["min_reply_share"]),
                )
            )
            if ms.state == "off"
        ]
        if n_off >= 2:
            _, s3_metric, s3, s3_t = max(cand3, key=lambda c: c[0])
        else:
            s3_metric, s3, s3_t = SELF_CENTRED_SHARE, sc, t3
        results.append(
            MistakeResult(
                "self_centred", 3, s3_metric.id, s3, float(s3_t), "default",
                "mistake" if n_off >= 2 else ("ok" if sc is not None else "no data"),
                why3,
                signals={SELF_CENTRED_SHARE.id: sc, QUESTION_SHARE.id: qs, REPLY_SHARE.id: rs},
                rule=rule3 + "; the score is, for a mistake, the measure furthest past its "
                "limit, else the share of self-centred posts",
                measures=ms3,
                findings=[
                    _f(r, "talks about the brand (we, our, the brand's name) more than to "
                       "the audience (you)")
                    for r in selfc[:max_findings]
                ],
                advice=ADVICE["self_centred"],
            )
        )  # fmt: skip

    # inbox of the account (used by 4 and 7)
    owned_ids = list(owned) if owned is not None else sorted({*owned_accounts(ws), account_id})
    cal = None
    target_h, target_src = DEFAULTS["reply_within_hours"], "default"
    if standards is not None:
        if standards.file.business_hours is not None:
            cal = standards.business_calendar()
        if rules is not None and rules.reply_within_hours is not None:
            target_h, target_src = rules.reply_within_hours, "standards.toml reply_within_hours"
    settings = InboxSettings(
        target=dt.timedelta(hours=target_h), calendar=cal, now=_utc(now) if now else until
    )
    ib = build_inbox(
        ws, owned_ids, settings=settings, since=since, until=until, predict=predict,
        addressed_to=[account_id],
    )  # fmt: skip

    # 4: lazy
    days = (until - since).total_seconds() / 86400
    ppw = n_posts / (days / 7) if days > 0 else None
    rng = rules.posts_per_week if rules is not None else None
    lo = rng.min if rng is not None and rng.min is not None else DEFAULTS["min_posts_per_week"]
    hi = rng.max if rng is not None else None
    ppw_src = "standards.toml posts_per_week" if rng is not None else "default"
    times = [since, *originals["created_at"].dt.to_pydatetime().tolist(), until]
    gaps = [(b - a).total_seconds() / 86400 for a, b in zip(times, times[1:], strict=False)]
    gap = max(gaps) if gaps else None
    gi = int(np.argmax(gaps)) if gaps else 0
    answered = ib[ib["reply_hours"].notna() & (ib["category"] != "spam")]
    med = float(answered["reply_hours"].median()) if len(answered) else None
    counted = ib[ib["category"].isin(["complaint", "question"])]
    br = _share(int(counted["breach"].sum()), len(counted))
    off = []
    notes4 = []
    rng_text = f"{lo:g}-{hi:g} posts a week" if hi is not None else f"at least {lo:g} a week"
    if ppw is not None and ppw < lo:
        off.append(f"{ppw:.1f} posts a week, below the {lo:g} the standard asks")
    if ppw is not None and hi is not None and ppw > hi:
        # posting too much is not laziness: a finding of its own kind, never the verdict
        notes4.append(
            f"Over-posting (the standard's frequency, not laziness): {ppw:.1f} posts a week "
            f"({n_posts} {'post' if n_posts == 1 else 'posts'} the account published in the "
            f"period, replies not counted), above the standard's range of {rng_text} "
            f"({ppw_src}). These are the published posts of the imported data, not the "
            "content plan's: check the audience is not flooded and the posts still meet the "
            "content mix."
        )
    ms4 = [
        Measure(
            POSTS_PER_WEEK.id, POSTS_PER_WEEK.name, ppw, POSTS_PER_WEEK.unit, rng_text, ppw_src,
            "no data" if ppw is None else "off" if ppw < lo
            else "above the standard" if hi is not None and ppw > hi else "ok",
        ),
        _measure(LONGEST_GAP, gap, "default", hi=DEFAULTS["max_gap_days"]),
        _measure(REPLY_HOURS, med, target_src, hi=target_h),
        _measure(BREACH_SHARE, br, "default", hi=DEFAULTS["max_breach_share"]),
    ]  # fmt: skip
    if gap is not None and gap > DEFAULTS["max_gap_days"]:
        off.append(f"a silence of {gap:.1f} days")
    if med is not None and med > target_h:
        off.append(f"median reply time {med:.1f} business hours, target {target_h:g}")
    if br is not None and br > DEFAULTS["max_breach_share"]:
        off.append(
            f"{br:.0%} of complaints and questions answered late or not at all{unlinked_note}"
        )
    shown_as = next((f"@{h}" for h in acc_row["handle"] if isinstance(h, str) and h), account_id)
    parts4 = list(off) or ["posts often enough, with no long silence"]
    if med is None and br is None:  # no reply data: say so, never "in time"
        parts4.append(
            f"no comment or mention addressed to {shown_as} in the data, so reply times are "
            "not checked"
        )
    else:
        if not off:
            parts4.append("replies in time")
        parts4[-1] += f" (reply target from {target_src})"
    # the score is the measure that makes the verdict: of the measures off, the one furthest
    # past its limit (see _past_limit); with none off, posts per week
    cand = []
    if ppw is not None and ppw < lo:
        cand.append((_past_limit(ppw, lo=lo), POSTS_PER_WEEK, ppw, float(lo), ppw_src))
    for ms, metric, v, t, src in (
        (ms4[1], LONGEST_GAP, gap, DEFAULTS["max_gap_days"], "default"),
        (ms4[2], REPLY_HOURS, med, float(target_h), target_src),
        (ms4[3], BREACH_SHARE, br, DEFAULTS["max_breach_share"], "default"),
    ):
        if ms.state == "off":
            cand.append((_past_limit(v, hi=t), metric, v, t, src))
    if cand:  # the reason names every measure off; the score is the worst (first on a tie)
        _, s4_metric, s4, t4, t4_src = max(cand, key=lambda c: c[0])
    else:
        s4_metric, s4, t4, t4_src = POSTS_PER_WEEK, ppw, float(lo), ppw_src
    reason4 = "; ".join(parts4)
    f4 = []
    if gap is not None and gap > DEFAULTS["max_gap_days"] and n_posts:
        after = rec[gi] if gi < len(rec) else None
        before = rec[gi - 1] if gi >= 1 else None
        for p, w in ((before, "last post before"), (after, "first post after")):
            if p is not None:
                f4.append(_f(p, f"{w} a silence of {gap:.1f} days", gap))
    for r in counted[counted["breach"]].head(max_findings).to_dict("records"):
        r2 = {"post_id": r["item_id"], "text": r["text"], "url": r["url"]}
        h = r["reply_hours"] if not pd.isna(r["reply_hours"]) else r["waiting_hours"]
        state = "answered late" if not pd.isna(r["reply_hours"]) else "not answered"
        f4.append(
            _f(r2, f"{r['category']} {state}: {h:.1f} business hours (target {target_h:g})", h)
        )
    results.append(
        MistakeResult(
            "lazy", 4, s4_metric.id, s4, t4, t4_src,
            "mistake" if off else "ok", reason4,
            signals={POSTS_PER_WEEK.id: ppw, LONGEST_GAP.id: gap, REPLY_HOURS.id: med,
                     BREACH_SHARE.id: br, "reply_within_hours": target_h,
                     "max_gap_days": DEFAULTS["max_gap_days"]},
            findings=f4, advice=ADVICE["lazy"],
            rule="a mistake when any of these is off: fewer posts a week than the standard's "
            "minimum, a silence longer than the limit, a median reply time over the target, "
            "too many complaints and questions answered late or not at all (posting more than "
            "the standard's maximum is not laziness: it is reported apart); the score is the "
            "measure that is off (of several, the one furthest past its limit), or posts per "
            "week when none is",
            measures=ms4, notes=notes4,
        )
    )  # fmt: skip

    # 5: hostile replies
    t5 = DEFAULTS["max_hostile_reply_share"]
    rule5 = (
        f"a mistake when any hostile reply answers a negative comment, or more than {t5:.0%} "
        "of the replies are hostile"
    )
    if not n_replies:
        results.append(MistakeResult("hostile", 5, HOSTILE_SHARE.id, None, t5, "default", "no data", f"{account_id} made no reply in the period", advice=ADVICE["hostile"], rule=rule5))  # fmt: skip
    else:
        rrec = replies.to_dict("records")
        rtexts = [t if isinstance(t, str) else "" for t in replies["text"]]
        try:
            hl = _labels(predict, rtexts, "hostility")
            ptexts = [
                by_id.at[p, "text"] if p in by_id.index and isinstance(by_id.at[p, "text"], str) else ""
                for p in replies["parent_id"]
            ]  # fmt: skip
            sl = _labels(predict, ptexts, "sentiment")
            hostile = [(r, s) for r, h, s in zip(rrec, hl, sl, strict=True) if h == "hostile"]
            to_neg = [(r, s) for r, s in hostile if s == "negative"]
            hs = len(hostile) / n_replies
            fnd = []
            for r, s in sorted(hostile, key=lambda x: x[1] != "negative")[:max_findings]:
                pid = r["parent_id"]
                parent = None
                if isinstance(pid, str) and pid in by_id.index:  # a reply with no known parent
                    parent = by_id.loc[pid].to_dict()
                    parent["post_id"] = pid
                why = "hostile reply to a negative comment" if s == "negative" else "hostile reply"
                fnd.append(_f(r, why, other=parent))
            results.append(
                MistakeResult(
                    "hostile", 5, HOSTILE_SHARE.id, hs, t5, "default",
                    "mistake" if (to_neg or hs > t5) else "ok",
                    f"{len(hostile)} of {n_replies} replies {'is' if len(hostile) == 1 else 'are'} "
                    f"hostile, {len(to_neg)} of them to negative comments",
                    signals={HOSTILE_TO_NEGATIVE.id: float(len(to_neg))},
                    findings=fnd, advice=ADVICE["hostile"], rule=rule5,
                    measures=[
                        _measure(HOSTILE_SHARE, hs, "default", hi=t5),
                        _measure(HOSTILE_TO_NEGATIVE, float(len(to_neg)), "default", hi=0),
                    ],
                )
            )  # fmt: skip
        except _Unavailable as exc:
            results.append(MistakeResult("hostile", 5, HOSTILE_SHARE.id, None, t5, "default", "no data", str(exc), advice=ADVICE["hostile"], rule=rule5))  # fmt: skip

    # 6: copying competitors
    t6 = DEFAULTS["copy_similarity"]
    rule6 = (
        f"a mistake when any post is a near-duplicate (similarity {t6:g} or more) of an "
        "earlier competitor post"
    )
    comp = (
        list(competitors)
        if competitors is not None
        else acc.loc[acc["role"] == "competitor", "account_id"].tolist()
    )
    cposts = posts[posts["account_id"].isin(comp) & (posts["account_id"] != account_id)]
    if not n_posts:
        results.append(MistakeResult("copying", 6, COPIED_SHARE.id, None, t6, "default", "no data", no_posts, advice=ADVICE["copying"], rule=rule6))  # fmt: skip
    elif cposts.empty:
        results.append(MistakeResult("copying", 6, COPIED_SHARE.id, None, t6, "default", "no data", "no competitor's post in the workspace (register competitors with ripplemeter accounts add --role competitor and import their posts)", advice=ADVICE["copying"], rule=rule6))  # fmt: skip
    else:
        pairs = near_duplicates(
            originals["post_id"].tolist(), texts, cposts["post_id"].tolist(),
            cposts["text"].tolist(), threshold=t6,
        )  # fmt: skip
        when = dict(zip(posts["post_id"], posts["created_at"], strict=False))
        earlier = [
            when[b] < when[a] for a, b in zip(pairs["left_id"], pairs["right_id"], strict=True)
        ]
        pairs = pairs[np.asarray(earlier, dtype=bool)]
        first = pairs.drop_duplicates("left_id")
        cs = len(first) / n_posts
        fnd = []
        for a, b, s in zip(first["left_id"], first["right_id"], first["similarity"], strict=True):
            pa = {**by_id.loc[a].to_dict(), "post_id": a}
            pb = {**by_id.loc[b].to_dict(), "post_id": b}
            fnd.append(
                _f(
                    pa,
                    f"near-duplicate (similarity {s:.2f}) of an earlier post by {pb['account_id']}",
                    s,
                    pb,
                )
            )
        results.append(
            MistakeResult(
                "copying", 6, COPIED_SHARE.id, cs, 0.0, "default",
                "mistake" if len(first) else "ok",
                f"{len(first)} of {n_posts} posts copy an earlier competitor post "
                f"(similarity >= {t6:g})",
                findings=fnd[:max_findings], advice=ADVICE["copying"], rule=rule6,
                measures=[_measure(COPIED_SHARE, cs, "default", hi=0)],
            )
        )  # fmt: skip

    # 7: stubborn
    t7 = DEFAULTS["max_unanswered_share"]
    ask = [r for r, x in zip(rec, texts, strict=True) if asks_for_feedback(x)]
    asks = _share(len(ask), n_posts)
    aud = ib[ib["category"] != "spam"]
    try:
        aq = _labels(predict, [t if isinstance(t, str) else "" for t in aud["text"]], "question")
    except _Unavailable:
        aq = ["question" if is_question(t) else "ok" for t in aud["text"]]
    flag = np.array(
        [q == "question" or is_suggestion(t) for q, t in zip(aq, aud["text"], strict=True)],
        dtype=bool,
    )
    qs_items = aud[flag] if len(aud) else aud
    un = qs_items[~qs_items["state"].isin(["replied", "private"])]
    us = _share(len(un), len(qs_items))
    off = []
    if us is not None and us > t7:
        off.append(
            f"{len(un)} of {len(qs_items)} audience questions and suggestions unanswered"
            f"{unlinked_note}"
        )
    if n_posts and not ask:
        off.append("never asks the audience for ideas or feedback")
    fnd = [
        _f({"post_id": r["item_id"], "text": r["text"], "url": r["url"]}, "audience question or suggestion left unanswered")
        for r in un.head(max_findings).to_dict("records")
    ]  # fmt: skip
    verdict = "mistake" if off else ("ok" if (us is not None or n_posts) else "no data")
    ms7 = [
        _measure(UNANSWERED_SHARE, us, "default", hi=t7),
        _measure(ASKS_FEEDBACK_SHARE, asks, "default", limit="at least one post",
                 off=bool(n_posts) and not ask),
    ]  # fmt: skip
    results.append(
        MistakeResult(
            "stubborn", 7, UNANSWERED_SHARE.id, us, t7, "default", verdict,
            "; ".join(off) or ("no audience question or suggestion in the period" if us is None else "listens"),
            signals={ASKS_FEEDBACK_SHARE.id: asks}, findings=fnd, advice=ADVICE["stubborn"],
            rule=f"a mistake when more than {t7:.0%} of the audience's questions and "
            "suggestions are left unanswered, or no post asks the audience for ideas or feedback",
            measures=ms7,
        )
    )  # fmt: skip
    from ripplemeter.operations.calendar import team_zone

    if timezone is None:
        timezone = team_zone(standards)
    if timezone is None and not acc_row.empty:
        z = acc_row["timezone"].iloc[0]
        timezone = z if isinstance(z, str) and z else None
    return AuditResult(account_id, since, until, results, timezone or "UTC")
