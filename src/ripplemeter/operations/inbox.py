"""The community inbox: what the audience addressed to owned accounts, and how fast it was answered.

An *inbox item* is a post by someone else that is addressed to an owned account:

- a **comment** or reply whose parent is a post of an owned account (``posts.parent_id``),
- a **thread** reply: a reply deeper in a thread that an owned account's post started
  (``posts.root_id``), or
- a **mention**: a post naming an owned account's handle (``@handle``), not authored by an
  owned account and not already a comment on one.

Each item is classified (:func:`classify_items`) as ``spam``, ``complaint``, ``question``,
``praise`` or ``other``, in that order of precedence: spam by :class:`ripplemeter.text.spam.SpamFilter`
(English; other languages are never called spam), complaint = negative sentiment that passes
the praise check (:data:`COMPLAINT_SURE`: a reading below it needs a negative word in the text,
by VADER's lexicon in English and :mod:`ripplemeter.text.negative_words` in Chinese and
Korean; :func:`negative_cues`) and addressed to the brand (a comment on its post or a
mention; a negative reply deeper in a thread is ``other``); a Korean item read neutral or
mildly positive is a complaint too when it holds a clear complaint word such as 느려 or
환불해 주세요 (:data:`COMPLAINT_WORD_BELOW`, :func:`complaint_word_cues`); question by the ``question``
classifier of :mod:`ripplemeter.text.classify` when registered, else by the rules of
:func:`is_question`, praise = positive sentiment.

**Reply time** is the time from the item to the first reply by an owned account (a post of an
owned account whose parent is the item, created at or after it), counted in the business
hours of the standard's calendar (:func:`ripplemeter.operations.business_hours.business_hours_between`).
A **breach** is a complaint or question (the items that need a reply) that got no reply from
an owned account by its deadline (the instant the target's business hours,
``reply_within_hours`` of standards.toml, run out after the item): answered later than the
deadline, or unanswered while ``now`` is past it. Closing an item or moving it to private
message stops its clock at that instant but does not undo a breach: an unanswered item
closed after its deadline stays a breach; one closed at or before its deadline is not a
breach (someone handled it in time).

States: ``open`` (nothing done), ``assigned`` (to a team member), ``replied`` (an owned
account answered), ``closed`` (no reply needed) and ``private`` (moved to private message).
Assignments, closings, moves and reopenings are written to the ``inbox_events`` table, which
is also the audit of changes; ``replied`` is read from the posts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ripplemeter.errors import RippleError
from ripplemeter.operations import OperationsError
from ripplemeter.operations.business_hours import BusinessCalendar

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ripplemeter.operations.team import Team
    from ripplemeter.workspace import Workspace

__all__ = [
    "CATEGORIES",
    "COMPLAINT_WORD_BELOW",
    "INBOX_ACTION",
    "STATES",
    "InboxError",
    "InboxSettings",
    "SentimentPredictor",
    "assign",
    "build_inbox",
    "close",
    "deadline",
    "events",
    "inbox_items",
    "is_question",
    "needs_reply",
    "complaint_word_cues",
    "negative_cues",
    "owned_accounts",
    "reopen",
]

CATEGORIES = ("spam", "complaint", "question", "praise", "other")
#: The categories that need a reply (the queue, breaches).
NEEDS_REPLY = ("complaint", "question")
STATES = ("open", "assigned", "replied", "closed", "private")
#: The team permission the inbox actions need (editors and admins: those who answer the audience).
INBOX_ACTION = "inbox.manage"

#: Reply kinds stored by importers (``comment`` and ``reply``; Weibo CED stores ``repost``
#: for comments and reposts alike, which the files do not tell apart).
_CHILD_KINDS = ("comment", "reply", "repost", "quote")


class InboxError(OperationsError):
    """An inbox action that cannot be done (unknown item, a state that does not allow it)."""


@dataclass(frozen=True)
class InboxSettings:
    """How the inbox measures and orders.

    Attributes
    ----------
    target : datetime.timedelta or None
        Reply-time target in business hours (``reply_within_hours`` of standards.toml);
        None: no breaches are computed.
    calendar : BusinessCalendar or None
        The team's business hours; None counts elapsed (wall-clock) time.
    notable_followers : int
        An author with at least this many followers (or verified) is notable (default
        10,000, a ripplemeter decision: the usual lower bound of a "micro-influencer").
    sentiment_tier : {"fast", "accurate"}
        The sentiment tier that reads complaints and praise (default ``fast``; see
        :class:`SentimentPredictor`).
    now : datetime or None
        The instant unanswered items are measured to (default: the current time).
    """

    target: dt.timedelta | None = None
    calendar: BusinessCalendar | None = None
    notable_followers: int = 10_000
    now: dt.datetime | None = None
    sentiment_tier: str = "fast"


# --------------------------------------------------------------------------- question rules
_Q_EN = re.compile(
    r"^\s*(?:how|what|when|where|why|who|which|whose|can|could|do|does|did|is|are|was|were|"
    r"will|would|should|shall|may|have|has|any(?:one|body))\b",
    re.IGNORECASE,
)
_Q_ZH = re.compile(
    r"吗|吧[？?]|呢[？?。]?$|怎么|如何|为什么|为何|什么|哪里|哪儿|哪个|多少|是否|能不能|可不可以|有没有|是不是|几[点时号个天]"
)
_Q_KO = re.compile(
    r"(?:까요|나요|니까|는지요|가요|어요\?|죠\?)|어떻게|왜|언제|어디|무엇|뭐|얼마|몇"
)


def is_question(text: str | None) -> bool:
    """True when a text asks something (rules, in English, Chinese and Korean).

    A question mark (``?`` or full-width ``？``), an English sentence opening with a question
    word or auxiliary (how, what, can, do, is...), Chinese question particles and words
    (吗, 怎么, 为什么, 多少, 是否, 有没有...) or Korean interrogative endings and words
    (까요, 나요, 니까, 어떻게, 왜, 언제...).

    Parameters
    ----------
    text : str or None

    Returns
    -------
    bool
        False for None or blank text.

    Notes
    -----
    The rules follow the cues question-detection work on tweets relies on (Li et al.,
    "Question identification on Twitter", CIKM 2011: question marks and 5W1H words).
    """
    if not isinstance(text, str) or not text.strip():
        return False
    t = re.sub(r"https?://\S+", " ", text)
    if "?" in t or "？" in t:
        return True
    return bool(
        any(_Q_EN.search(s) for s in re.split(r"[.!\n]+", t)) or _Q_ZH.search(t) or _Q_KO.search(t)
    )


# --------------------------------------------------------------------------- reading
def owned_accounts(ws: Workspace) -> list[str]:
    """Ids of the accounts registered as owned (``ripplemeter accounts``)."""
    from ripplemeter.operations.accounts import list_accounts

    return list_accounts(ws, role="owned")["account_id"].tolist()


_POSTS_SQL = """
SELECT * EXCLUDE (rn) FROM (
    SELECT post_id, platform, account_id, created_at, text, lang, url, kind, parent_id, root_id,
           row_number() OVER (PARTITION BY post_id ORDER BY import_id DESC) AS rn
    FROM posts
) WHERE rn = 1
"""

_AUTHORS_SQL = """
SELECT account_id, max(followers) AS followers, bool_or(coalesce(verified, false)) AS verified,
       max(handle) AS handle
FROM accounts GROUP BY account_id
"""


def inbox_items(
    ws: Workspace,
    owned: Sequence[str] | None = None,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    addressed_to: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The items addressed to owned accounts, with their first owned reply.

    Parameters
    ----------
    ws : Workspace
    owned : sequence of str, optional
        Owned account ids (default: the registry's owned accounts).
    since, until : datetime, optional
        Items created in ``[since, until)`` (naive = UTC).
    addressed_to : sequence of str, optional
        Only items addressed to these owned accounts (default: all of them). Replies by
        any owned account still count.

    Returns
    -------
    DataFrame
        One row per item: ``item_id``, ``platform``, ``author_id``, ``created_at`` (naive UTC),
        ``text`` (as exported, untrusted), ``lang``, ``url``, ``kind`` (comment, thread or
        mention),
        ``parent_id``, ``root_id``, ``owned_account`` (the account addressed), ``followers``,
        ``verified``, ``replies_drawn`` (posts replying to the item), ``reply_id``,
        ``replied_at``, ``reply_account``, ``reply_text``. Ordered by time.
    """
    import numpy as np
    import pandas as pd

    owned = list(owned_accounts(ws) if owned is None else owned)
    cols = [
        "item_id", "platform", "author_id", "created_at", "text", "lang", "url", "kind",
        "parent_id", "root_id", "owned_account", "followers", "verified", "replies_drawn",
        "reply_id", "replied_at", "reply_account", "reply_text",
    ]  # fmt: skip
    if not owned:
        return pd.DataFrame(columns=cols)
    con = ws.con
    posts = con.execute(_POSTS_SQL).df()
    posts["created_at"] = pd.to_datetime(posts["created_at"])
    own = set(owned)
    is_own = posts["account_id"].isin(own)
    own_posts = posts[is_own]
    owner_of = dict(zip(own_posts["post_id"], own_posts["account_id"], strict=False))

    # comments and replies on owned posts
    on_own = posts["parent_id"].isin(owner_of.keys())
    in_thread = posts["root_id"].isin(owner_of.keys()) & posts["parent_id"].notna()
    com = posts[~is_own & (on_own | in_thread)].copy()
    direct = com["parent_id"].isin(owner_of.keys())
    com["owned_account"] = (
        com["parent_id"].map(owner_of).where(direct, com["root_id"].map(owner_of))
    )
    com["item_kind"] = np.where(direct, "comment", "thread")
    # mentions of an owned handle
    handles = con.execute(
        # ordered: a post that mentions two owned handles goes to the first account, the
        # same one on every run (a DISTINCT's row order changes from run to run)
        "SELECT DISTINCT account_id, handle FROM accounts WHERE handle IS NOT NULL "
        "ORDER BY account_id, handle"
    ).df()
    handles = handles[handles["account_id"].isin(own)]
    men_parts = []
    rest = posts[~is_own & ~posts["post_id"].isin(com["post_id"])]
    for aid, h in zip(handles["account_id"], handles["handle"], strict=False):
        pat = re.compile(r"(?<![\w@])@" + re.escape(str(h).lstrip("@")) + r"(?![\w])", re.I)
        hit = rest[rest["text"].fillna("").map(lambda s, p=pat: bool(p.search(s)))].copy()
        hit["owned_account"] = aid
        hit["item_kind"] = "mention"
        men_parts.append(hit)
    items = pd.concat([com, *men_parts], ignore_index=True).drop_duplicates("post_id")
    if since is not None:
        items = items[items["created_at"] >= _naive(since)]
    if until is not None:
        items = items[items["created_at"] < _naive(until)]
    if addressed_to is not None:
        items = items[items["owned_account"].isin(list(addressed_to))]

    # the first owned reply at or after the item
    kids = posts[posts["parent_id"].isin(items["post_id"])]
    drawn = kids.groupby("parent_id").size()
    own_kids = kids[kids["account_id"].isin(own)].merge(
        items[["post_id", "created_at"]].rename(
            columns={"post_id": "parent_id", "created_at": "item_at"}
        ),
        on="parent_id",
    )
    own_kids = own_kids[own_kids["created_at"] >= own_kids["item_at"]]
    first = own_kids.sort_values(["created_at", "post_id"]).drop_duplicates("parent_id")
    first = first.set_index("parent_id")

    authors = con.execute(_AUTHORS_SQL).df().set_index("account_id")
    out = pd.DataFrame(
        {
            "item_id": items["post_id"].to_numpy(),
            "platform": items["platform"].to_numpy(),
            "author_id": items["account_id"].to_numpy(),
            "created_at": items["created_at"].to_numpy(),
            "text": items["text"].to_numpy(),
            "lang": items["lang"].to_numpy(),
            "url": items["url"].to_numpy(),
            "kind": items["item_kind"].to_numpy(),
            "parent_id": items["parent_id"].to_numpy(),
            "root_id": items["root_id"].to_numpy(),
            "owned_account": items["owned_account"].to_numpy(),
        }
    )
    out["followers"] = out["author_id"].map(authors["followers"]).astype("Float64")
    out["verified"] = out["author_id"].map(authors["verified"]).eq(True).astype(bool)
    out["replies_drawn"] = out["item_id"].map(drawn).fillna(0).astype(int)
    rep = first[["post_id", "created_at", "account_id", "text"]].rename(
        columns={
            "post_id": "reply_id",
            "created_at": "replied_at",
            "account_id": "reply_account",
            "text": "reply_text",
        }
    )
    out = out.merge(rep, left_on="item_id", right_index=True, how="left")
    out["replied_at"] = pd.to_datetime(out["replied_at"])
    return out.sort_values(["created_at", "item_id"]).reset_index(drop=True)[cols]


def _naive(t: dt.datetime) -> dt.datetime:
    if t.tzinfo is not None:
        return t.astimezone(dt.UTC).replace(tzinfo=None)
    return t


def _aware(t) -> dt.datetime:
    t = t.to_pydatetime() if hasattr(t, "to_pydatetime") else t
    return t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t.astimezone(dt.UTC)


# --------------------------------------------------------------------------- classification
Predictor = Callable[[list[str], str], Sequence[str]]
"""``predict(texts, task) -> labels``: ``task`` is ``sentiment`` (positive, negative,
neutral), ``spam`` (spam, ham) or ``question`` (question, ok)."""


class SentimentPredictor:
    """The shipped models, with sentiment from a chosen tier (scored once per text).

    Parameters
    ----------
    tier : {"fast", "accurate"}
        The sentiment tier (:func:`ripplemeter.text.sentiment.score_texts`). The accurate
        tier is slower (tens of texts a second against thousands); an inbox holds few
        enough items for it.

    Notes
    -----
    Call it as ``predict(texts, task)`` (see :func:`default_predictor` for the tasks). The
    sentiment of a text is computed once and reused by ``negative_probability``.
    """

    def __init__(self, tier: str = "fast") -> None:
        self.tier = tier
        self._seen: dict[str, tuple[str, float]] = {}

    def _scores(self, texts: list[str]) -> list[tuple[str, float]]:
        from ripplemeter.text.sentiment import score_texts

        new = sorted({t for t in texts if t not in self._seen})
        if new:
            s = score_texts(new, tier=self.tier)
            for t, lab, v in zip(new, s["label"], s["score"], strict=True):
                self._seen[t] = (str(lab), float(v))
        return [self._seen[t] for t in texts]

    def __call__(self, texts: list[str], task: str) -> list:
        if task == "sentiment":
            return [lab for lab, _ in self._scores(list(texts))]
        if task == "negative_probability":
            return [v if lab == "negative" else 0.0 for lab, v in self._scores(list(texts))]
        if task == "positive_probability":
            return [v if lab == "positive" else 0.0 for lab, v in self._scores(list(texts))]
        return default_predictor(texts, task)


SENTIMENT_TASKS = (
    "sentiment",
    "spam",
    "negative_probability",
    "positive_probability",
    "negative_cue",
    "complaint_word",
)
"""The tasks :func:`default_predictor` answers from sentiment, spam and the word lists (a
predictor of another module hands these to it)."""


def default_predictor(texts: list[str], task: str) -> list[str]:
    """The shipped models: sentiment (fast tier, three classes), spam (English), question.

    Sentiment keeps its neutral class: a binary answer would call every neutral question
    ("Does it ship to Canada?") negative, and so a complaint.

    Parameters
    ----------
    texts : list of str
    task : {"sentiment", "spam", "question", "negative_probability", "positive_probability", \
"negative_cue", "complaint_word"}

    Returns
    -------
    list of str (floats for the probabilities, bools for the cues)
        ``positive``/``negative``/``neutral`` (empty when a text is unscored), ``spam``/``ham``,
        ``question``/``ok``, the probability of ``negative`` or ``positive`` (0 when another
        label wins), whether the text holds a negative word (:func:`negative_cues`), or
        whether it holds a clear complaint word (:func:`complaint_word_cues`).
    """
    if task == "sentiment":
        from ripplemeter.text.sentiment import score_texts

        return score_texts(texts)["label"].tolist()
    if task in ("negative_probability", "positive_probability"):
        from ripplemeter.text.sentiment import score_texts

        want = task.split("_")[0]
        s = score_texts(texts)
        return [
            float(v) if lab == want else 0.0 for lab, v in zip(s["label"], s["score"], strict=True)
        ]
    if task == "negative_cue":
        return negative_cues(texts)
    if task == "complaint_word":
        return complaint_word_cues(texts)
    if task == "spam":
        from ripplemeter.text.lang import detect_languages
        from ripplemeter.text.spam import SpamFilter

        langs = detect_languages(texts)
        en = [i for i, g in enumerate(langs) if g in ("en", "und")]
        out = ["ham"] * len(texts)
        if en:
            lab = SpamFilter.load().predict([texts[i] for i in en])
            for i, v in zip(en, lab, strict=True):
                out[i] = v
        return out
    if task == "question":
        from ripplemeter.text.classify import TASKS, classify

        if "question" in TASKS:
            return classify(texts, "question")["label"].tolist()
        return ["question" if is_question(t) else "ok" for t in texts]
    raise OperationsError(f"unknown inbox task {task!r}")


QUESTION_COMPLAINT_MIN = 0.9
"""A question is a complaint only when its probability of being negative reaches this.

The sentiment models were trained on reviews, where questions such as 能寄到广州吗? ("can it
ship to Guangzhou?") sit among complaints: they call such plain questions negative with
0.6-0.89 confidence, while questions that are complaints ("为什么我的订单还没到？太慢了",
"这个茶怎么这么难喝?") score 0.94-0.99. Both need a reply; the category sets the priority."""


COMPLAINT_SURE = 0.6
"""Below this probability of ``negative``, a complaint needs a negative word in its text.

The sentiment models learnt from reviews and tweets in which "customer service" and "my order"
mostly come with complaints: they read plain praise such as "Customer service replied within
an hour and fixed my order" as negative with 0.55-0.67 confidence, the same confidence they
give "The tin lid broke the first time I opened it". So a negative reading below this value
is checked against the text (:func:`negative_cues`): a text with no negative word (VADER's
lexicon, negations and "but" included) is not a complaint. 0.6 is the value of 0.5, 0.6, 0.7,
0.8 and 0.9 that gave the complaint label its best precision on the SemEval 2016 dev and
devtest tweets (English fast tier: precision 0.634 -> 0.692 at recall 0.954 -> 0.877 of the
negative tweets); the demo's inbox was only read afterwards.

Chinese and Korean texts are checked against the lexicon of
:mod:`ripplemeter.text.negative_words`, measured the same way on the training parts of the
sentiment data (``training/praise_check_zh_ko.py``; fast tier; the texts it reads negative):

* Chinese reviews (46,342, ``zh_split`` training part): 912 negative readings below 0.6 (750
  truly negative, 162 truly positive); the check clears 161 of the negative ones and 10 of
  the positive ones: precision 0.9855 -> 0.9858, recall 0.9714 -> 0.9645 of the 23,298
  negative reviews.
* Korean movie reviews (11,929, NSMC sample, training movies): 191 readings below 0.6 (72
  of 1-4 stars, 21 of 9-10 stars, 98 of 5-6 stars); the check clears 33, 9 and 54:
  precision (1-4 against 9-10 stars) 0.9654 -> 0.9695, recall 0.8873 -> 0.8714 of the 2,077
  negative reviews.

On reviews the check clears more real complaints than praise (most "positive" reviews read
negative are complaints with a good rating); it is there for service praise, which reviews
hardly hold. The lexicon was written while reading these readings, mostly those of the
even-numbered rows; on the odd rows, read much less, it cleared 80 negative and 5 positive
Chinese reviews, 16, 6 and 22 Korean ones. The models were fitted on these same reviews, so they read
them more surely than new text. 0.6 is kept for both languages: the check below 0.7, 0.8 or
0.9 leaves the Chinese precision at 0.986 and costs recall (0.9565, 0.9445, 0.9290). Chinese
service praise the fast tier reads negative above 0.6 stays a complaint
("客服一个小时就回复了，还帮我改了订单": 0.65); the Korean fast tier reads such praise
neutral or positive."""


COMPLAINT_WORD_BELOW = 0.7
"""A Korean item read ``neutral``, or ``positive`` below this probability, that holds a clear
complaint word is a complaint (:func:`complaint_word_cues`).

The Korean sentiment models (fast and accurate) learnt from movie reviews (NSMC), which hold
few complaints about orders: they read 배송이 너무 느려요 ("delivery is too slow") neutral
(0.57) and 주문한 지 일주일인데 아직 안 왔어요 ("ordered a week ago, still not here")
positive (0.68). So a Korean reading that is not negative is overruled by a clear complaint
word (:func:`complaint_word_cues`: 느려, 안 왔, 찢어, 연락이 안 돼, 환불해 주세요...), unless
the model reads the text positive with at least this probability.

The value was read off the training movies of the Korean data (NSMC sample, 11,929 reviews;
``python training/praise_check_zh_ko.py --complaint-words``; fast tier): the fast model's
positive readings below 0.7 hold 1-4-star reviews (11 of 1,209) and many 5-6-star ones (141),
while from 0.7 up they hold one 1-4-star review in 6,083 (and 104 of 5-6 stars): below 0.7 a
positive reading is unsure, at 0.7 and above it stands. On those reviews the rule itself
barely fires, whatever the value (the same 9 reviews from 0.7 to 1, one fewer at 0.6): movie
reviews hardly hold words about orders. At 0.7 it files 9 of the 9,690 reviews read neutral or positive as complaints: 1 of
1-4 stars (a character named 지연, "delay"), 6 of 5-6 stars and 2 of 9-10 stars (가랑이
찢어진, 찢어버린 사랑: "torn" in another sense): precision 1/3, a recall gain of 1 of the 234
1-4-star reviews read non-negative; the complaint label's precision goes from 0.9654 to
0.9644 and its recall from 0.8873 to 0.8878 (praise check left out). Reviews are not
service messages, so these figures tell what the rule costs on ordinary text (9 in 11,929),
not what it catches; the words were chosen as complaints about an order, and words that the
training reviews the model does not read negative mostly use in another sense (bare 늦 in
뒤늦게 본 좋은 영화, 아까워, 무시, 터져, 쓴맛, 실망) were left out
(:data:`ripplemeter.text.negative_words.CLEAR_COMPLAINTS`). The model was fitted on these
reviews, so it reads them more surely than new text.

Chinese is left out: the Chinese models learnt from shop, delivery and hotel reviews and read
service complaints negative (配送太慢了 0.96, 下单一个星期了还没到 0.96), and on the training
part of ``zh_split`` (46,342 reviews) the same rule with the Chinese clear complaint words
would file 129 non-negative readings as complaints, 24 truly negative and 105 truly positive
(precision 0.19; mostly praise with a small complaint), taking the complaint label's
precision from 0.9855 to 0.9810.

On the demo's inbox (``ripplemeter demo``, seed 7; read after the value was set) the Korean
complaints went from 0 to 72 of 254 Korean items: all 41 items made only of the complaint
sentences the generator writes, and 31 of the 33 mixing praise and a complaint ("말차 라떼 진짜 맛있어요 또 살게요
근데 가격이 너무 비싸요"); no item of praise only or question became a complaint."""

COMPLAINT_WORD_LANGS = ("ko",)
"""Languages whose items the clear-complaint-word rule reads (see :data:`COMPLAINT_WORD_BELOW`)."""


def negative_cues(texts: Sequence[str | None]) -> list[bool]:
    """Whether each text holds a negative word (the praise check of a complaint).

    English texts (and texts of undetermined language) are read with VADER's lexicon and
    rules: True when VADER finds a negative word (its ``neg`` share > 0) or reads the text
    as negative (compound <= -0.05, VADER's own threshold). Chinese and Korean texts are read
    with the hand-written lexicon of :mod:`ripplemeter.text.negative_words` (complaint words
    such as 差, 慢, 失望, 退款 or 별로, 실망, 환불, 늦; negations such as 不, 没 or 안, 않 that do
    not negate a complaint word; praise holding a negation, such as 不错, 没问题, 괜찮아요 or
    나쁘지 않아요, does not count). Texts in other languages (Japanese...), for which no
    lexicon is shipped, are always True (no check: their model's reading stands).

    Parameters
    ----------
    texts : sequence of str or None

    Returns
    -------
    list of bool, one per text.

    Raises
    ------
    OperationsError
        If the vadersentiment package is missing and a text is English or undetermined.

    Notes
    -----
    What the Chinese and Korean check does to the complaints of real reviews is measured on
    the training parts of the sentiment data sets (see :data:`COMPLAINT_SURE`).

    References
    ----------
    C. J. Hutto and E. Gilbert, "VADER: A Parsimonious Rule-based Model for Sentiment
    Analysis of Social Media Text", ICWSM 2014.
    """
    from ripplemeter.text.lang import detect_languages
    from ripplemeter.text.negative_words import LANGS, has_negative_word

    tx = [t if isinstance(t, str) else "" for t in texts]
    langs = detect_languages(tx) if tx else []
    vader = None
    out = []
    for t, g in zip(tx, langs, strict=True):
        if g in LANGS:
            out.append(has_negative_word(t, g))
            continue
        if g not in ("en", "und"):
            out.append(True)
            continue
        if vader is None:  # loaded for the first English text only
            try:
                from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
            except ImportError as e:  # pragma: no cover - a run-time dependency
                raise OperationsError(
                    "the inbox's praise check needs the vadersentiment package "
                    "(pip install 'vadersentiment>=3.3,<4')"
                ) from e
            vader = SentimentIntensityAnalyzer()
        sc = vader.polarity_scores(t)
        out.append(bool(sc["neg"] > 0 or sc["compound"] <= -0.05))
    return out


def complaint_word_cues(
    texts: Sequence[str | None], langs: Sequence[str] = COMPLAINT_WORD_LANGS
) -> list[bool]:
    """Whether each text is Korean and holds a clear complaint word (read past the model).

    A clear complaint word (:func:`ripplemeter.text.negative_words.clear_complaint_words`)
    says something went wrong with an order or the service: 느려, 늦어, 안 왔, 못 받,
    찢어, 파손, 누락, 연락이 안 돼, 답변이 없, 환불해 주세요, 비싸, 맛없... (not negated:
    배송이 늦지 않았어요 holds none), or a word of refunds and returns (환불, 반품, 교환) in a
    text that does not thank or say the matter is settled. In a question (:func:`is_question`)
    a refund word alone does not count: 환불 가능한가요? ("can I get a refund?") is a
    question; 왜 아직 안 왔나요? ("why has it not come yet?") is a complaint. A bare
    negation (안, 않, 못) does not count either. Texts in other languages are always False.

    Parameters
    ----------
    texts : sequence of str or None
    langs : sequence of {"zh", "ko"}
        The languages read (default :data:`COMPLAINT_WORD_LANGS`, Korean; Chinese is there
        for measurement only, see :data:`COMPLAINT_WORD_BELOW`).

    Returns
    -------
    list of bool, one per text.
    """
    from ripplemeter.text.aspects import fold
    from ripplemeter.text.lang import detect_languages
    from ripplemeter.text.negative_words import TOPIC_WORDS, clear_complaint_words

    tx = [t if isinstance(t, str) else "" for t in texts]
    detected = detect_languages(tx) if tx else []
    out = []
    for t, g in zip(tx, detected, strict=True):
        if g not in langs:
            out.append(False)
            continue
        words = clear_complaint_words(t, g)
        if words and is_question(t):
            topics = {fold(w) for w in TOPIC_WORDS[g]}
            words = [w for w in words if w not in topics]
        out.append(bool(words))
    return out


def _optional(predict: Predictor, texts: list[str], task: str) -> list | None:
    """``predict(texts, task)``, or None for a predictor without that task.

    A predictor without the task raises ``KeyError`` or a RippleError, or answers with a
    label of its own ("ok"): the ``*_probability`` tasks must give numbers, ``negative_cue``
    and ``complaint_word`` booleans, else the task counts as not offered.
    """
    import numpy as np

    try:
        out = list(predict(texts, task))
    except (KeyError, RippleError):
        return None
    if task.endswith("_probability"):
        try:
            return [float(v) for v in out]
        except (TypeError, ValueError):
            return None
    if task in ("negative_cue", "complaint_word") and not all(
        isinstance(v, (bool, np.bool_)) for v in out
    ):
        return None
    return out


def classify_items(texts: Sequence[str | None], predict: Predictor | None = None) -> list[str]:
    """Category of each item: spam, complaint, question, praise or other (that precedence).

    A negative item is a complaint when its probability of ``negative``
    (``predict(texts, "negative_probability")``) reaches :data:`COMPLAINT_SURE`, or when its
    text holds a negative word (``predict(texts, "negative_cue")``, see :func:`negative_cues`);
    a negative reading that fails this check is ``other`` (or ``question``).
    A negative item that is also a question is a complaint only when its probability reaches
    :data:`QUESTION_COMPLAINT_MIN`. A Korean item read ``neutral``, or ``positive`` with a
    probability below :data:`COMPLAINT_WORD_BELOW` (``predict(texts,
    "positive_probability")``), is a complaint when its text holds a clear complaint word
    (``predict(texts, "complaint_word")``, see :func:`complaint_word_cues`): the Korean
    models learnt from movie reviews and read service complaints such as 배송이 너무 느려요
    as neutral. A predictor that does not offer ``negative_probability``, ``negative_cue``,
    ``complaint_word`` or ``positive_probability`` (raising ``KeyError`` or a
    :class:`~ripplemeter.errors.RippleError`) leaves that check out (without
    ``positive_probability``, positive readings stand).

    Parameters
    ----------
    texts : sequence of str
    predict : callable, optional
        ``predict(texts, task)`` (see :data:`Predictor`); default :func:`default_predictor`.

    Returns
    -------
    list of str, one of :data:`CATEGORIES` per text.
    """
    predict = predict or default_predictor
    tx = [t if isinstance(t, str) else "" for t in texts]
    if not tx:
        return []
    spam = list(predict(tx, "spam"))
    senti = list(predict(tx, "sentiment"))
    quest = list(predict(tx, "question"))
    negs = [i for i, p in enumerate(senti) if p == "negative"]
    mild: set[int] = set()  # not a complaint: a mild question, or mild with no negative word
    if negs:
        conf = _optional(predict, [tx[i] for i in negs], "negative_probability")
        if conf is not None:
            mild = {
                i
                for i, c in zip(negs, conf, strict=True)
                if quest[i] == "question" and float(c) < QUESTION_COMPLAINT_MIN
            }
            unsure = [i for i, c in zip(negs, conf, strict=True) if float(c) < COMPLAINT_SURE]
            cue = _optional(predict, [tx[i] for i in unsure], "negative_cue") if unsure else []
            if cue is not None:
                mild |= {i for i, c in zip(unsure, cue, strict=True) if not c}
    heard: set[int] = set()  # read neutral or mildly positive, with a clear complaint word
    calm = [i for i, p in enumerate(senti) if p in ("neutral", "positive")]
    words = _optional(predict, [tx[i] for i in calm], "complaint_word") if calm else None
    if words is not None:
        hits = [i for i, w in zip(calm, words, strict=True) if w]
        heard = {i for i in hits if senti[i] == "neutral"}
        pos = [i for i in hits if senti[i] == "positive"]
        conf = _optional(predict, [tx[i] for i in pos], "positive_probability") if pos else None
        if conf is not None:
            heard |= {i for i, c in zip(pos, conf, strict=True) if c < COMPLAINT_WORD_BELOW}
    out = []
    for i, (t, s, p, q) in enumerate(zip(tx, spam, senti, quest, strict=True)):
        if not t.strip():
            out.append("other")
        elif s == "spam":
            out.append("spam")
        elif (p == "negative" and i not in mild) or i in heard:
            out.append("complaint")
        elif q == "question":
            out.append("question")
        elif p == "positive":
            out.append("praise")
        else:
            out.append("other")
    return out


# --------------------------------------------------------------------------- time
def deadline(
    at: dt.datetime, target: dt.timedelta, calendar: BusinessCalendar | None
) -> dt.datetime:
    """The instant ``target`` of business time has passed after ``at`` (aware UTC).

    Parameters
    ----------
    at : datetime
        Naive (UTC) or aware.
    target : timedelta
        Business time, > 0.
    calendar : BusinessCalendar or None
        None: wall-clock time.

    Returns
    -------
    datetime
        The earliest ``t`` with ``business_hours_between(at, t, calendar) == target``.

    Raises
    ------
    OperationsError
        The calendar has no working time in the next ten years (cannot happen with a valid
        calendar; guards the loop).
    """
    a = _aware(at)
    if calendar is None:
        return a + target
    left = target
    day = a.astimezone(calendar.zone).date()
    for _ in range(3660):
        iv = calendar.working_interval(day)
        if iv is not None:
            lo = max(iv[0], a)
            if iv[1] > lo:
                if iv[1] - lo >= left:
                    return lo + left
                left -= iv[1] - lo
        day += dt.timedelta(days=1)
    raise OperationsError("the business calendar has no working time in ten years")


def _hours(td: dt.timedelta) -> float:
    return td.total_seconds() / 3600.0


class _Clock:
    """Business seconds since a fixed day, per instant: spans by difference (many items).

    ``span(a, b)`` equals ``business_hours_between(a, b, calendar)`` (each local day has one
    working interval, so the time inside ``[a, b)`` is the cumulative time at ``b`` minus the
    cumulative time at ``a``); days are filled in as instants reach them.
    """

    def __init__(self, calendar: BusinessCalendar) -> None:
        self.cal = calendar
        self.first: dt.date | None = None
        self.cum: list[float] = []  # business seconds before each day, from self.first
        self.iv: list[tuple[dt.datetime, dt.datetime] | None] = []

    def _fill(self, day: dt.date) -> int:
        if self.first is None:
            self.first = day - dt.timedelta(days=1)
            self.cum, self.iv = [0.0], [self.cal.working_interval(self.first)]
        if day < self.first:  # extend backwards: rebuild from the earlier day
            old_first = self.first
            self.first = None
            self._fill(day)
            self._fill(old_first)
        i = (day - self.first).days
        while len(self.cum) <= i:
            prev = self.iv[-1]
            add = (prev[1] - prev[0]).total_seconds() if prev is not None else 0.0
            self.cum.append(self.cum[-1] + add)
            self.iv.append(self.cal.working_interval(self.first + dt.timedelta(days=len(self.iv))))
        return i

    def at(self, t: dt.datetime) -> float:
        i = self._fill(t.astimezone(self.cal.zone).date())
        iv = self.iv[i]
        inside = 0.0
        if iv is not None and t > iv[0]:
            inside = (min(t, iv[1]) - iv[0]).total_seconds()
        return self.cum[i] + inside

    def span_hours(self, a: dt.datetime, b: dt.datetime) -> float:
        # fill both days before reading: filling an earlier day moves the base
        self._fill(a.astimezone(self.cal.zone).date())
        self._fill(b.astimezone(self.cal.zone).date())
        return (self.at(b) - self.at(a)) / 3600.0


# --------------------------------------------------------------------------- the inbox
def build_inbox(
    ws: Workspace,
    owned: Sequence[str] | None = None,
    *,
    settings: InboxSettings | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    predict: Predictor | None = None,
    categories: Sequence[str] | None = None,
    addressed_to: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Every inbox item with its category, state, reply time, breach and priority.

    Parameters
    ----------
    ws : Workspace
    owned : sequence of str, optional
        Owned account ids (default: the registry's).
    settings : InboxSettings, optional
    since, until : datetime, optional
        Items created in ``[since, until)``.
    predict : callable, optional
        The classifiers (see :func:`classify_items`); tests inject their own.
    categories : sequence of str, optional
        Categories already known, one per item in :func:`inbox_items` order (skips
        classification).
    addressed_to : sequence of str, optional
        Only items addressed to these owned accounts (see :func:`inbox_items`).

    Returns
    -------
    DataFrame
        The columns of :func:`inbox_items` plus ``category``; ``state`` and ``assignee``
        (from ``inbox_events`` and the replies); ``reply_hours`` (business hours to the
        first owned reply, float; NaN when unanswered); ``waiting_hours`` (business hours
        from the item to ``now`` for unanswered items, or to the instant it was closed or
        moved to private message when that came first); ``deadline`` (naive UTC, NaT
        without a target); ``breach`` (bool: a complaint or question replied after its
        deadline, or unanswered when its clock stopped, at ``now`` or at its closing,
        past the deadline; closing after the deadline does not clear it, closing at or
        before it is no breach; False without a target); ``notable`` (bool); ``priority`` (1 =
        complaint from a notable author or drawing replies, 2 = other complaints, 3 =
        questions, 4 = the rest, 5 = spam).

    Notes
    -----
    Reply times in business hours follow the usual SLA practice of help desks (Zendesk's
    "first reply time" in business hours); the priority order is the issue's: a complaint
    from a notable account or one drawing replies first.
    """
    import numpy as np
    import pandas as pd

    st = settings or InboxSettings()
    items = inbox_items(ws, owned, since=since, until=until, addressed_to=addressed_to)
    if categories is None:
        if predict is None and st.sentiment_tier != "fast":
            predict = SentimentPredictor(st.sentiment_tier)
        categories = classify_items(items["text"].tolist(), predict)
    if len(categories) != len(items):
        raise OperationsError(
            f"categories: expected one per inbox item ({len(items)}), found {len(categories)}"
        )
    items["category"] = list(categories)
    # a complaint is negative AND addressed to the brand: not a reply deeper in a thread
    items.loc[(items["kind"] == "thread") & (items["category"] == "complaint"), "category"] = (
        "other"
    )
    now = _aware(st.now or dt.datetime.now(dt.UTC))
    cal = st.calendar

    clock = _Clock(cal) if cal is not None else None

    def span(a, b) -> float:
        a, b = _aware(a), _aware(b)
        if b < a:
            return 0.0
        return clock.span_hours(a, b) if clock is not None else _hours(b - a)

    # states from the events, then the replies; a closing stops the clock at its instant
    ev = _latest_events(ws)
    state, assignee, stopped = [], [], []
    for iid, rep in zip(items["item_id"], items["replied_at"], strict=True):
        last = ev.get(iid)
        s = last[0] if last else "open"
        if s not in ("closed", "private") and not pd.isna(rep):
            s = "replied"
        state.append(s)
        assignee.append(last[1] if last else None)
        handled_at = last[2] if last and s in ("closed", "private") else None
        stopped.append(
            now if handled_at is None or pd.isna(handled_at) else min(_aware(handled_at), now)
        )
    items["state"] = state
    items["assignee"] = assignee

    reply_h, wait_h, dl, breach = [], [], [], []
    for at, rep, end in zip(items["created_at"], items["replied_at"], stopped, strict=True):
        replied = not pd.isna(rep)
        reply_h.append(span(at, rep) if replied else np.nan)
        wait_h.append(np.nan if replied else span(at, end))
        if st.target is None:
            dl.append(pd.NaT)
            breach.append(False)
            continue
        d = deadline(at, st.target, cal)
        dl.append(d.replace(tzinfo=None))
        breach.append(_aware(rep) > d if replied else end > d)
    items["reply_hours"] = np.asarray(reply_h, dtype=float)
    items["waiting_hours"] = np.asarray(wait_h, dtype=float)
    items["deadline"] = pd.to_datetime(pd.Series(dl, dtype="object"))
    needs = items["category"].isin(NEEDS_REPLY).to_numpy(bool)
    items["breach"] = np.asarray(breach, dtype=bool) & needs
    items["notable"] = items["verified"].to_numpy(bool) | (
        items["followers"].fillna(0).to_numpy(float) >= st.notable_followers
    )

    cat = items["category"]
    hot = items["notable"] | (items["replies_drawn"] > 0)
    items["priority"] = np.select(
        [cat.eq("complaint") & hot, cat.eq("complaint"), cat.eq("question"), cat.eq("spam")],
        [1, 2, 3, 5],
        4,
    )
    return items


def needs_reply(inbox: pd.DataFrame) -> pd.DataFrame:
    """The needs-reply queue: open or assigned complaints and questions, by priority.

    Parameters
    ----------
    inbox : DataFrame
        From :func:`build_inbox`.

    Returns
    -------
    DataFrame
        Rows of ``inbox`` in state open or assigned whose category is complaint or question,
        ordered by priority, then replies drawn (most first), followers (most first) and age
        (oldest first).
    """
    q = inbox[
        inbox["state"].isin(["open", "assigned"])
        & inbox["category"].isin(["complaint", "question"])
    ]
    q = q.assign(_f=q["followers"].fillna(-1))
    return (
        q.sort_values(
            ["priority", "replies_drawn", "_f", "created_at", "item_id"],
            ascending=[True, False, False, True, True],
        )
        .drop(columns="_f")
        .reset_index(drop=True)
    )


# --------------------------------------------------------------------------- actions
def _latest_events(ws: Workspace) -> dict[str, tuple[str, str | None, dt.datetime | None]]:
    """Item id -> (state, assignee, instant in naive UTC) of its latest event."""
    rows = ws.con.execute(
        'SELECT item_id, to_state, assignee, "at" FROM (SELECT *, row_number() OVER '
        "(PARTITION BY item_id ORDER BY seq DESC) AS rn FROM inbox_events) WHERE rn = 1"
    ).fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def events(ws: Workspace, item_id: str | None = None) -> pd.DataFrame:
    """The inbox's audit log (every action), oldest first; one item's when ``item_id`` given."""
    if item_id is None:
        return ws.con.execute(
            "SELECT * EXCLUDE (import_id, source_row) FROM inbox_events ORDER BY seq"
        ).df()
    return ws.con.execute(
        "SELECT * EXCLUDE (import_id, source_row) FROM inbox_events WHERE item_id = ? ORDER BY seq",
        [item_id],
    ).df()


def _current(ws: Workspace, item_id: str, owned: Sequence[str] | None) -> str:
    items = inbox_items(ws, owned)
    hit = items[items["item_id"] == item_id]
    if hit.empty:
        raise InboxError(
            f"{item_id!r} is not in the inbox: expected the post id of a comment, reply or "
            "mention addressed to an owned account (see ripplemeter inbox list)"
        )
    last = _latest_events(ws).get(item_id)
    s = last[0] if last else "open"
    if s not in ("closed", "private") and not hit["replied_at"].isna().iloc[0]:
        s = "replied"
    return s


def _write(ws, item_id, action, frm, to, assignee, actor, at, note) -> None:
    with ws.transaction():
        ((seq,),) = ws.con.execute("SELECT coalesce(max(seq), 0) + 1 FROM inbox_events").fetchall()
        ws.con.execute(
            "INSERT INTO inbox_events (item_id, seq, action, from_state, to_state, assignee, "
            'actor, "at", note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
            [item_id, seq, action, frm, to, assignee, actor, _naive(at), note],
        )


def assign(
    ws: Workspace,
    item_id: str,
    to: str,
    *,
    team: Team,
    user: str,
    owned: Sequence[str] | None = None,
    at: dt.datetime | None = None,
    note: str | None = None,
) -> str:
    """Assign an inbox item to a team member; returns the new state (``assigned``).

    Raises
    ------
    TeamError
        ``user`` or ``to`` is not a member.
    NotAllowed
        ``user`` may not act on the inbox (:data:`INBOX_ACTION`).
    InboxError
        Unknown item, or the item is closed or moved to private message (reopen it first).
    """
    team.require(user, INBOX_ACTION)
    team.member(to)
    frm = _current(ws, item_id, owned)
    if frm in ("closed", "private"):
        raise InboxError(f"{item_id} is {frm}: reopen it before assigning it")
    _write(ws, item_id, "assign", frm, "assigned", to, user, at or dt.datetime.now(dt.UTC), note)
    return "assigned"


def close(
    ws: Workspace,
    item_id: str,
    *,
    team: Team,
    user: str,
    private: bool = False,
    owned: Sequence[str] | None = None,
    at: dt.datetime | None = None,
    note: str | None = None,
) -> str:
    """Close an item (no reply needed) or mark it moved to private message.

    Returns
    -------
    str
        ``closed`` or ``private``.

    Raises
    ------
    TeamError, NotAllowed, InboxError
        As :func:`assign`; closing an item already in that state is refused.
    """
    team.require(user, INBOX_ACTION)
    to = "private" if private else "closed"
    frm = _current(ws, item_id, owned)
    if frm == to:
        raise InboxError(f"{item_id} is already {to}")
    last = _latest_events(ws).get(item_id)
    _write(
        ws, item_id, to if private else "close", frm, to, last[1] if last else None, user,
        at or dt.datetime.now(dt.UTC), note,
    )  # fmt: skip
    return to


def reopen(
    ws: Workspace,
    item_id: str,
    *,
    team: Team,
    user: str,
    owned: Sequence[str] | None = None,
    at: dt.datetime | None = None,
    note: str | None = None,
) -> str:
    """Reopen a closed or private item; returns ``open`` (or ``replied`` when answered)."""
    team.require(user, INBOX_ACTION)
    frm = _current(ws, item_id, owned)
    if frm not in ("closed", "private"):
        raise InboxError(f"{item_id} is {frm}, not closed: nothing to reopen")
    _write(ws, item_id, "reopen", frm, "open", None, user, at or dt.datetime.now(dt.UTC), note)
    return _current(ws, item_id, owned)
