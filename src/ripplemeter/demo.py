"""Generated sample campaign ("Lumen Tea" spring launch) written in real export formats.

`generate_demo` writes a complete, fictional campaign folder: the X (Twitter) Analytics tweet
and daily exports, a Google Trends ``multiTimeline.csv``, a Meta Ads Manager table export, an
outcomes table, mentions, search-engine first pages (SerpApi Google JSON, a Baidu scrape, a
Naver News API dump) and the ``campaign.toml`` that names them. Every file copies the byte-level
conventions of the real downloads kept under ``shared/data/platform_exports`` (headers,
quoting, ``-`` for promoted columns, ``312.0``-style floats, ``2021-08-31 19:53 +0000`` times,
HTML-escaped tweet texts, Meta's UTF-8 byte-order mark and account-total first row, Trends'
``Category:`` preamble and ``<1`` values), so the demo runs through the same importers as
users' own files.

The numbers are generated, not observed: a seeded ``numpy.random.Generator`` draws
heavy-tailed (lognormal) tweet impressions, binomial engagements split into their parts, a
weekday rhythm, a launch spike and Poisson outcomes. The same seed gives byte-identical files.
"""

from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import numpy as np

from ripplemeter.formats import comments, generic, google_trends, meta_ads, simple, x_analytics
from ripplemeter.formatting import sentence_end

if TYPE_CHECKING:  # pragma: no cover
    from ripplemeter.operations.calendar import PlanImport
    from ripplemeter.workspace import Workspace

__all__ = [
    "ACCOUNT",
    "COMMENTS_FILE",
    "DAILY_BASELINE_FILE",
    "DAILY_CAMPAIGN_FILE",
    "META_FILE",
    "OUTCOMES_FILE",
    "SERP_BAIDU_FILE",
    "SERP_GOOGLE_FILE",
    "SERP_NAVER_FILE",
    "SERP_NEGATIVE",
    "SERP_QUERIES",
    "TRENDS_FILE",
    "TWEETS_FILE",
    "X_DAILY_HEADER",
    "X_TWEET_HEADER",
    "META_FILE_HEADER",
    "META_HEADER",
    "WORKSPACE_FILE",
    "generate_demo",
    "load_demo_plan",
]

ACCOUNT = "lumentea"
TZ = ZoneInfo("Asia/Shanghai")
BASELINE_START = date(2026, 2, 1)
BASELINE_END = date(2026, 2, 28)
CAMPAIGN_START = date(2026, 3, 1)
CAMPAIGN_END = date(2026, 3, 31)

TWEETS_FILE = f"tweet_activity_metrics_{ACCOUNT}_20260201_20260401_en.csv"
DAILY_BASELINE_FILE = f"daily_tweet_activity_metrics_{ACCOUNT}_20260201_20260301_en.csv"
DAILY_CAMPAIGN_FILE = f"daily_tweet_activity_metrics_{ACCOUNT}_20260301_20260401_en.csv"
TRENDS_FILE = "multiTimeline.csv"
META_FILE = "Untitled-report-Mar-1-2026-to-Mar-31-2026.csv"
META_AGE_FILE = "Untitled-report-Mar-1-2026-to-Mar-31-2026_Age.csv"
OUTCOMES_FILE = "outcomes.csv"
FOLLOWS_FILE = "follows.csv"
COMMENTS_FILE = "mentions.csv"
CAMPAIGN_FILE = "campaign.toml"

# The file layouts are the importers': the demo writes exactly the columns they read.
_PARTS = x_analytics.ENGAGEMENT_PARTS
_METRICS = x_analytics.METRIC_COLUMNS
_MEDIA = x_analytics.MEDIA_COLUMNS
X_TWEET_HEADER = x_analytics.TWEETS_HEADER
X_DAILY_HEADER = x_analytics.DAILY_HEADER
META_HEADER = meta_ads.export_header("USD")
#: The objective's results, which Ads Manager exports when 'Results' is among the columns
#: (the public Teefusion export has none; the importer reads all three: ``results``, the
#: ``result indicator``, and ``cost per results`` recognised and left to its own spend /
#: results). Each is placed by :func:`_with_results`.
META_RESULT_COLUMNS = ("Results", "Result indicator", "Cost per results")
#: What each demo campaign's Results count (Meta's result indicator for its objective).
META_RESULT_INDICATORS = {
    "Lumen Tea Launch_Awareness_01/03/26": "reach",
    "Spring Matcha_Traffic_Website Visit": "actions:link_click",
    "LumenTea_Sales_Conversions_Mar26": "actions:offsite_conversion.fb_pixel_purchase",
}
_TRENDS_TERMS = [("lumen tea", "Worldwide"), ("matcha latte", "Worldwide")]

# Share of an engagement that lands in each part (before masking parts a tweet cannot have),
# then the share that goes to media engagements. Order: _PARTS, then media engagements.
_PART_WEIGHTS = np.array(
    [0.06, 0.05, 0.30, 0.09, 0.12, 0.03, 0.21, 0.02, 0.004, 0.001, 0.012, 0.001, 0.0005, 0.10]
)
_URL, _HASHTAG, _MEDIA_ENG = 4, 5, 13
# Share of a tweet's activity seen on the day it is published and the days after.
_DECAY = np.array([0.62, 0.23, 0.09, 0.04, 0.02])
_SNOWFLAKE_EPOCH_MS = 1288834974657

_HANDLES = (
    "teaholic_amy",
    "matcha_min",
    "wanglei_cn",
    "seoul_sips",
    "brewlab",
    "kimjiwoo_",
    "mike_drinks_tea",
    "liuyang88",
    "hana_cafe",
    "oatmilkfan",
)
_TEXTS = {
    ("en", "base"): (
        "Slow mornings, good tea. What's in your cup today?",
        "Behind the scenes at our Hangzhou tasting room: 14 teas, 3 of us, one very long "
        "afternoon.",
        "Tip: water at 80°C keeps green tea sweet instead of bitter.",
        "Something new is steeping for spring. Stay tuned 🍵",
        "We read every reply. Thank you for the kind words this week!",
        "Our oolong is back in stock & ships this week.",
        "Tea vs coffee: which one gets you through Monday?",
        "Cold brew sencha season starts early this year.",
    ),
    ("en", "camp"): (
        "Lumen Spring Matcha is here! Stone-ground in Uji, whisked in seconds.",
        "Launch week: a free bamboo whisk with every Spring Matcha order.",
        "Iced matcha latte: 2 minutes, 3 ingredients. Recipe below 👇",
        "You asked, we listened: the Spring Matcha tin is now 100% recyclable.",
        "Sold out in 36 hours. The restock lands Friday - set a reminder!",
        "Our founders answer your matcha questions live tonight at 8pm CST.",
        "Matcha latte > regular latte? Tell us why (or why not).",
        "Spring Matcha 春日抹茶 is now shipping to Seoul, Tokyo and Singapore.",
        "Day 3 of launch week and the whisks are flying off the shelf.",
        "Three ways to drink Spring Matcha: straight, latte, or over ice. Pick one.",
        "Real talk: our matcha is not cheap. Here is what goes into every tin.",
        "Thank you for every order so far. Seriously. Thank you.",
    ),
    ("zh", "base"): (
        "春天快到了,我们在准备一款新茶。",
        "今天的办公室茶歇:龙井配桂花糕。",
        "泡绿茶的小技巧:水温八十度左右,茶汤更甜。",
        "感谢大家这周的留言,每一条我们都看了。",
        "乌龙茶补货啦,本周发出。",
    ),
    ("zh", "camp"): (
        "Lumen 春日抹茶正式上市!宇治石磨,十秒出杯。",
        "首发周下单即送竹制茶筅,数量有限。",
        "冰抹茶拿铁三步搞定,配方见下图。",
        "谢谢大家的支持,首批已经售罄,周五补货。",
        "今晚八点创始人直播,聊聊抹茶的那些事。",
    ),
    ("ko", "base"): (
        "봄을 위한 새로운 차를 준비하고 있어요.",
        "오늘의 티타임: 녹차와 약과.",
        "녹차는 80도 물로 우려야 쓰지 않아요.",
        "우롱차 재입고! 이번 주에 발송됩니다.",
    ),
    ("ko", "camp"): (
        "루멘 스프링 말차 출시! 우지 맷돌 분쇄 말차를 만나보세요.",
        "출시 기념 주간: 스프링 말차 주문 시 대나무 차선 증정.",
        "아이스 말차 라떼 레시피를 공유합니다.",
        "첫 물량 완판! 금요일에 재입고됩니다.",
    ),
    ("en", "reply"): (
        "Thanks so much! Your order ships tomorrow.",
        "Great question - the tin holds 30 g, about 15 lattes.",
        "So sorry about that, we've sent you a DM.",
        "Yes, it's ceremonial grade & certified organic.",
        "Love this photo, can we share it?",
    ),
    ("zh", "reply"): (
        "谢谢支持!明天就发货。",
        "抱歉给您带来不便,已私信您。",
        "一罐30克,大约能做15杯拿铁。",
    ),
    ("ko", "reply"): (
        "감사합니다! 내일 발송됩니다.",
        "불편을 드려 죄송합니다. DM 드렸어요.",
        "한 통에 30g, 라떼 약 15잔 분량이에요.",
    ),
}
_HASHTAGS = {"en": ("#LumenTea", "#matcha", "#MatchaLatte"), "zh": ("#抹茶",), "ko": ("#말차",)}
# Texts that exercise escaping in the report and in spreadsheet exports of it.
_SPECIAL_TEXTS = (
    "Our devs asked us to post this: <script>alert(1)</script> (relax, nothing happened 🍵)",
    '=HYPERLINK("https://lumentea.example/win","Win a year of matcha") is what someone typed '
    "into our giveaway form. Please don't.",
    '<b>Bold</b> claim: our matcha latte beats yours. Prove us wrong & tag a friend "below" '
    '<img src=x onerror="alert(2)">',
    "+1 if you take your matcha with oat milk\n\n-1 if you think that's a crime",
)


@dataclass
class _Tweets:
    """The generated tweets, one entry per tweet, in publication order."""

    when: list[datetime]  # UTC, minute resolution
    ids: list[int]
    texts: list[str]
    day: np.ndarray  # index of the UTC day in the tweet-export period
    organic: dict[str, np.ndarray]
    promoted: dict[str, np.ndarray] | None  # rows of non-promoted tweets are unused
    is_promoted: np.ndarray


def generate_demo(out_dir: Path, *, seed: int = 7, load_plan: bool = True) -> Path:
    """Write a sample campaign (generated data) into out_dir and return the campaign.toml path.

    Parameters
    ----------
    out_dir : Path
        Folder to write into; created if missing. Existing files of the same names are
        overwritten, other files are left alone.
    seed : int, default 7
        Seed of the ``numpy.random.default_rng`` generator. The same seed writes
        byte-identical files.
    load_plan : bool, default True
        Also load plan.json into ``out_dir / "ripplemeter.duckdb"`` (:func:`load_demo_plan`),
        so that the calendar commands run in ``out_dir`` see the plan the report checks.
        Posts already there are kept: generating twice does not duplicate them.

    Returns
    -------
    Path
        ``out_dir / "campaign.toml"``, which names the other files as ``[[sources]]``.

    Notes
    -----
    Files written (fictional brand "Lumen Tea", handle ``lumentea``, campaign 2026-03-01 to
    2026-03-31 in Asia/Shanghai, baseline February 2026, currency USD):

    - ``tweet_activity_metrics_lumentea_20260201_20260401_en.csv``: X tweet activity export,
      40 columns, ~250 tweets, newest first; texts HTML-escaped as X writes them.
    - ``daily_tweet_activity_metrics_lumentea_20260201_20260301_en.csv`` and
      ``..._20260301_20260401_en.csv``: X daily account activity exports, 38 columns; each
      tweet's activity is spread over the day it is published and the four days after, so
      "Tweets published" matches the tweet export per UTC day.
    - ``multiTimeline.csv``: Google Trends daily interest, 2026-02-01 to 2026-03-31, for
      "lumen tea" and "matcha latte" (Worldwide), scaled so the maximum is 100.
    - ``Untitled-report-Mar-1-2026-to-Mar-31-2026.csv``: Meta Ads Manager table export with
      an account-total row and three campaigns.
    - ``..._Age.csv``: the same export broken down by age (each campaign's figures split
      across six age ranges, adding up to the campaign row; drawn with its own random state,
      so the other files do not change).
    - ``outcomes.csv``: daily ``registrations`` and ``orders`` (``date,metric,value,source``).
    - ``mentions.csv``: comments and mentions (``comments`` format) in English, Chinese and
      Korean: replies on X to the campaign's tweets, posts on Weibo, YouTube, Instagram,
      Reddit and Naver Blog and the comments under them; positive, neutral and negative,
      about taste, price, delivery, packaging and service, with some spam.
    - ``standards.toml`` and ``team.toml``: the brand's execution standard (banned and
      required terms in English, Chinese and Korean, disclosure, 3 to 10 posts a week, at
      most 30% promotional, approval rules) and its team (issue 11).
    - ``plan.json``: the content plan of two accounts over the six weeks that overlap the
      campaign, as ``ripplemeter calendar list --json`` prints it, with a week below the
      posting frequency, weeks over the promotional share, posts waiting on approval and a
      failed publication (:func:`_plan_json`); campaign.toml's ``[calendar]`` names it.
    - Search-engine first pages (10 results each, ``serp`` format; headlines written for the
      demo, seeded order): ``serpapi_google_lumen_tea.json``, a SerpApi Google response for
      "lumen tea" searched on 2026-03-24 (3 clearly negative results); ``baidu_results.json``,
      a Baidu scrape for "路明茶" (titles and redirect links only, 2 negative; campaign.toml
      gives its ``query``); ``루멘티_naver_news.json``, a Naver News API dump for "루멘티"
      (``<b>`` highlights and ``&quot;`` entities as the API leaves them, 4 negative). The
      report's opinion section reads them as the negative share of search first pages.
    - ``ripplemeter.duckdb`` (with ``load_plan``): the workspace beside campaign.toml, holding
      plan.json's posts as the calendar commands read them (:func:`load_demo_plan`); the
      report adds the campaign's sources to it.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)

    period = _days(BASELINE_START, CAMPAIGN_END)
    tweets = _generate_tweets(rng, period)
    _write_text(out_dir / TWEETS_FILE, _tweet_export(tweets))
    baseline_csv, campaign_csv = _daily_exports(rng, tweets, period)
    _write_text(out_dir / DAILY_BASELINE_FILE, baseline_csv)
    _write_text(out_dir / DAILY_CAMPAIGN_FILE, campaign_csv)
    _write_text(out_dir / TRENDS_FILE, _google_trends(rng, period))
    meta_csv = _meta_ads(rng)
    _write_text(out_dir / META_FILE, meta_csv, bom=True)
    _write_text(
        out_dir / META_AGE_FILE,
        _meta_ads_by_age(meta_csv, np.random.default_rng(seed + 2)),
        bom=True,
    )
    _write_text(out_dir / OUTCOMES_FILE, _outcomes(rng, period))
    _write_text(out_dir / FOLLOWS_FILE, _follows(np.random.default_rng(seed + 1)))
    _write_text(out_dir / COMMENTS_FILE, _comments(np.random.default_rng(seed + 2), tweets))
    _write_text(out_dir / LISTEN_FILE, _listen_toml())
    _write_text(out_dir / STANDARDS_FILE, _standards_toml())
    _write_text(out_dir / TEAM_FILE, _team_toml())
    _write_text(out_dir / PLAN_FILE, _plan_json())
    serp_rng = np.random.default_rng(seed + 3)  # its own state: the other files do not change
    _write_text(out_dir / SERP_GOOGLE_FILE, _serp_google(serp_rng))
    _write_text(out_dir / SERP_BAIDU_FILE, _serp_baidu(serp_rng))
    _write_text(out_dir / SERP_NAVER_FILE, _serp_naver(serp_rng))
    toml_path = out_dir / CAMPAIGN_FILE
    _write_text(toml_path, _campaign_toml())
    if load_plan:
        load_demo_plan(out_dir)
    return toml_path


# --------------------------------------------------------------------------- helpers


def _days(start: date, end: date) -> list[date]:
    """Every date from start to end, both included."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _write_text(path: Path, text: str, *, bom: bool = False) -> None:
    """Write UTF-8 text with LF line ends (and a byte-order mark when asked)."""
    data = text.encode("utf-8")
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)


def _quote_all(rows: list[list[str]]) -> str:
    """CSV with every field double-quoted and LF line ends, as X Analytics writes it."""
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerows(rows)
    return buf.getvalue()


def _weekend(d: date) -> bool:
    return d.weekday() >= 5


def _campaign_phase(d: date) -> float:
    """Multiplier of reach and interest: 1 before launch, a spike on launch days, then a lift."""
    if d < CAMPAIGN_START:
        return 1.0
    k = (d - CAMPAIGN_START).days
    return 1.6 + 5.0 * np.exp(-k / 1.6)


# --------------------------------------------------------------------------- X tweets


def _split_engagements(
    rng: np.random.Generator,
    impressions: np.ndarray,
    rate: np.ndarray,
    has_link: np.ndarray,
    has_hashtag: np.ndarray,
    has_media: np.ndarray,
) -> dict[str, np.ndarray]:
    """Draw engagements and their parts for each item.

    Engagements are binomial in impressions; about 3 % of them stay unattributed, the rest
    are split over the parts (url clicks only with a link, hashtag clicks only with a hashtag,
    media engagements only with media). ``engagements`` is the parts plus the unattributed
    slack, so the parts never exceed it. Media views are at least media engagements.
    """
    n = len(impressions)
    engagements = rng.binomial(impressions, rate)
    slack = rng.binomial(engagements, 0.03)
    weights = np.tile(_PART_WEIGHTS, (n, 1))
    weights[~has_link, _URL] = 0.0
    weights[~has_hashtag, _HASHTAG] = 0.0
    weights[~has_media, _MEDIA_ENG] = 0.0
    weights /= weights.sum(axis=1, keepdims=True)
    parts = rng.multinomial(engagements - slack, weights)
    out = {"impressions": impressions.astype(np.int64), "slack": slack}
    for j, name in enumerate(_PARTS):
        out[name] = parts[:, j]
    out["media engagements"] = parts[:, _MEDIA_ENG]
    extra_views = np.where(has_media, rng.binomial(impressions, 0.04), 0)
    out["media views"] = out["media engagements"] + extra_views
    out["engagements"] = engagements
    return out


def _tweet_text(
    rng: np.random.Generator, lang: str, phase: str, reply: bool, link: bool, hashtag: bool
) -> str:
    """Compose one tweet text (not yet HTML-escaped)."""
    pool = _TEXTS[(lang, "reply" if reply else phase)]
    body = str(pool[rng.integers(len(pool))])
    pieces = [body]
    if hashtag:
        tags = _HASHTAGS[lang]
        pieces[0] = f"{body} {tags[rng.integers(len(tags))]}"
    if link:
        token = "".join(
            str(c)
            for c in rng.choice(
                list("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"), 10
            )
        )
        pieces.append(f"https://t.co/{token}")
    sep = "\n\n" if rng.random() < 0.3 else " "
    text = sep.join(pieces)
    if reply:
        n_handles = 1 + int(rng.random() < 0.25)
        handles = rng.choice(len(_HANDLES), n_handles, replace=False)
        text = " ".join(f"@{_HANDLES[i]}" for i in handles) + " " + text
    return text


def _generate_tweets(rng: np.random.Generator, period: list[date]) -> _Tweets:
    """Draw the tweets of the whole period (baseline and campaign)."""
    when: list[datetime] = []
    texts: list[str] = []
    day_idx: list[int] = []
    reply: list[bool] = []
    link: list[bool] = []
    hashtag: list[bool] = []
    media: list[bool] = []
    mult: list[float] = []
    for i, d in enumerate(period):
        in_campaign = d >= CAMPAIGN_START
        rate = 5.9 if in_campaign else 3.7
        if _weekend(d):
            rate *= 0.45
        if in_campaign and (d - CAMPAIGN_START).days < 3:
            rate = 11.0
        n = int(rng.poisson(rate))
        # Local posting times 08:00-23:59 Beijing time are the same UTC day (00:00-15:59 UTC).
        minutes = np.sort(rng.integers(8 * 60, 24 * 60, n))
        for m in minutes:
            local = datetime(d.year, d.month, d.day, int(m) // 60, int(m) % 60, tzinfo=TZ)
            is_reply = bool(rng.random() < 0.27)
            lang = str(rng.choice(["en", "zh", "ko"], p=[0.6, 0.25, 0.15]))
            has_link = bool(not is_reply and rng.random() < 0.45)
            has_tag = bool(not is_reply and rng.random() < 0.6)
            has_media = bool(not is_reply and rng.random() < 0.4)
            phase = "camp" if in_campaign else "base"
            texts.append(_tweet_text(rng, lang, phase, is_reply, has_link, has_tag))
            when.append(local.astimezone(UTC))
            day_idx.append(i)
            reply.append(is_reply)
            link.append(has_link)
            hashtag.append(has_tag)
            media.append(has_media)
            m_ = _campaign_phase(d) * (0.7 if _weekend(d) else 1.0) * (0.25 if is_reply else 1.0)
            mult.append(m_)
    # A launch teaser at 00:20 Beijing time on 1 March: 2026-02-28 16:20 UTC, i.e. in the
    # campaign window by local time but on the previous UTC day.
    teaser = datetime(2026, 3, 1, 0, 20, tzinfo=TZ).astimezone(UTC)
    when.append(teaser)
    texts.append("Midnight in Shanghai. Lumen Spring Matcha goes live in 10 hours ⏳ #LumenTea")
    day_idx.append(period.index(teaser.date()))
    reply.append(False)
    link.append(False)
    hashtag.append(True)
    media.append(True)
    mult.append(1.8)

    order = sorted(range(len(when)), key=lambda k: when[k])
    when = [when[k] for k in order]
    texts = [texts[k] for k in order]
    day = np.array([day_idx[k] for k in order])
    reply_a = np.array([reply[k] for k in order])
    link_a = np.array([link[k] for k in order])
    tag_a = np.array([hashtag[k] for k in order])
    media_a = np.array([media[k] for k in order])
    mult_a = np.array([mult[k] for k in order])
    n = len(when)

    # Escaping and formula-injection texts on a few campaign tweets that are not replies.
    camp_originals = [k for k in range(n) if when[k].date() >= date(2026, 3, 4) and not reply_a[k]]
    picks = rng.choice(len(camp_originals), len(_SPECIAL_TEXTS), replace=False)
    for text, p in zip(_SPECIAL_TEXTS, sorted(picks), strict=True):
        texts[camp_originals[p]] = text
    # A few replies that mix languages in one text.
    reply_idx = np.flatnonzero(reply_a)
    for k in rng.choice(reply_idx, min(3, len(reply_idx)), replace=False):
        texts[k] = texts[k] + " 谢谢 / 감사합니다 🙏"

    impressions = np.maximum(5, np.round(rng.lognormal(6.2, 1.0, n) * mult_a)).astype(np.int64)
    rate = rng.beta(2.2, 70.0, n) * np.where(reply_a, 1.8, 1.0)
    organic = _split_engagements(rng, impressions, rate, link_a, tag_a, media_a)

    # Promoted: four original campaign tweets from the launch week onwards.
    is_promoted = np.zeros(n, dtype=bool)
    camp_launch = [
        k
        for k in range(n)
        if date(2026, 3, 1) <= when[k].date() <= date(2026, 3, 12) and not reply_a[k]
    ]
    is_promoted[rng.choice(camp_launch, 4, replace=False)] = True
    promo_impr = np.where(is_promoted, np.round(rng.lognormal(np.log(22000), 0.5, n)), 1).astype(
        np.int64
    )
    promoted = _split_engagements(rng, promo_impr, rng.beta(3.0, 250.0, n), link_a, tag_a, media_a)

    ids: list[int] = []
    seen: set[int] = set()
    for t in when:
        ms = int(t.timestamp() * 1000) + int(rng.integers(0, 60_000))
        tid = ((ms - _SNOWFLAKE_EPOCH_MS) << 22) | int(rng.integers(0, 1 << 22))
        while tid in seen:
            tid += 1
        seen.add(tid)
        ids.append(tid)
    return _Tweets(when, ids, texts, day, organic, promoted, is_promoted)


def _rate(engagements: int, impressions: int) -> str:
    """Engagement rate as X writes it: the full float repr."""
    return str(engagements / impressions) if impressions else "0.0"


def _tweet_export(tw: _Tweets) -> str:
    """The tweet activity export, newest tweet first."""
    rows: list[list[str]] = [list(X_TWEET_HEADER)]
    order = sorted(range(len(tw.ids)), key=lambda k: (tw.when[k], tw.ids[k]), reverse=True)
    for k in order:
        o = tw.organic
        impr, eng = int(o["impressions"][k]), int(o["engagements"][k])
        row = [
            str(tw.ids[k]),
            f"https://twitter.com/{ACCOUNT}/status/{tw.ids[k]}",
            html.escape(tw.texts[k], quote=False),
            tw.when[k].strftime("%Y-%m-%d %H:%M +0000"),
            f"{float(impr)}",
            f"{float(eng)}",
            _rate(eng, impr),
        ]
        # retweets .. permalink clicks are written as floats, the rest as integers.
        row += [f"{float(o[p][k])}" for p in _PARTS[:8]]
        row += [str(int(o[p][k])) for p in (*_PARTS[8:], *_MEDIA)]
        if tw.is_promoted[k] and tw.promoted is not None:
            p_ = tw.promoted
            pimpr, peng = int(p_["impressions"][k]), int(p_["engagements"][k])
            row += [str(pimpr), str(peng), _rate(peng, pimpr)]
            row += [str(int(p_[p][k])) for p in (*_PARTS, *_MEDIA)]
        else:
            row += ["-"] * (len(_METRICS) + len(_MEDIA))
        rows.append(row)
    return _quote_all(rows)


# --------------------------------------------------------------------------- X daily


def _spread(
    rng: np.random.Generator, values: np.ndarray, day: np.ndarray, n_days: int, probs: np.ndarray
) -> np.ndarray:
    """Spread each item's count over its day and the following days; drop what falls after."""
    alloc = rng.multinomial(values.astype(np.int64), probs)
    out = np.zeros(n_days + len(probs), dtype=np.int64)
    for j in range(len(probs)):
        np.add.at(out, day + j, alloc[:, j])
    return out[:n_days]


def _daily_rows(
    rng: np.random.Generator,
    metrics: dict[str, np.ndarray],
    day: np.ndarray,
    n_days: int,
    probs: np.ndarray,
) -> dict[str, np.ndarray]:
    """Per-day totals of every metric, keeping engagements = parts + slack on each day."""
    daily = {
        name: _spread(rng, metrics[name], day, n_days, probs)
        for name in ("impressions", "slack", *_PARTS, *_MEDIA)
    }
    views_extra = metrics["media views"] - metrics["media engagements"]
    daily["media views"] = daily["media engagements"] + _spread(
        rng, views_extra, day, n_days, probs
    )
    daily["engagements"] = daily["slack"] + sum(daily[p] for p in (*_PARTS, "media engagements"))
    daily["impressions"] = np.maximum(daily["impressions"], daily["engagements"])
    return daily


def _daily_exports(rng: np.random.Generator, tw: _Tweets, period: list[date]) -> tuple[str, str]:
    """The two daily account activity exports (baseline month, campaign month)."""
    n_days = len(period)
    organic = _daily_rows(rng, tw.organic, tw.day, n_days, _DECAY)
    # Activity on older tweets (published before the export period) with a weekday rhythm.
    weekday = np.array([0.6 if _weekend(d) else 1.0 for d in period])
    bg_impr = rng.poisson(380 * weekday).astype(np.int64)
    ones = np.ones(n_days, dtype=bool)
    background = _split_engagements(rng, bg_impr, np.full(n_days, 0.018), ones, ones, ones)
    bg = _daily_rows(rng, background, np.arange(n_days), n_days, np.array([1.0]))
    for name in organic:
        organic[name] = organic[name] + bg[name]

    promo_idx = np.flatnonzero(tw.is_promoted)
    promoted = None
    if len(promo_idx) and tw.promoted is not None:
        sub = {name: v[promo_idx] for name, v in tw.promoted.items()}
        # Ads run for a week from the day the tweet is published.
        promoted = _daily_rows(rng, sub, tw.day[promo_idx], n_days, np.full(7, 1 / 7))

    published = np.bincount(tw.day, minlength=n_days)
    baseline: list[list[str]] = [list(X_DAILY_HEADER)]
    campaign: list[list[str]] = [list(X_DAILY_HEADER)]
    for i, d in enumerate(period):
        impr, eng = int(organic["impressions"][i]), int(organic["engagements"][i])
        row = [d.isoformat(), str(int(published[i])), str(impr), str(eng), _rate(eng, impr)]
        row += [str(int(organic[p][i])) for p in (*_PARTS, *_MEDIA)]
        if promoted is not None and promoted["impressions"][i] > 0:
            pimpr, peng = int(promoted["impressions"][i]), int(promoted["engagements"][i])
            row += [str(pimpr), str(peng), _rate(peng, pimpr)]
            row += [str(int(promoted[p][i])) for p in (*_PARTS, *_MEDIA)]
        else:
            row += ["-"] * (len(_METRICS) + len(_MEDIA))
        (campaign if d >= CAMPAIGN_START else baseline).append(row)
    return _quote_all(baseline), _quote_all(campaign)


# --------------------------------------------------------------------------- Google Trends


def _google_trends(rng: np.random.Generator, period: list[date]) -> str:
    """Google Trends multiTimeline (daily, Worldwide, two terms), maximum scaled to 100."""
    weekday = np.array([0.85 if _weekend(d) else 1.0 for d in period])
    phase = np.array([_campaign_phase(d) for d in period])
    # "lumen tea" is barely searched before the launch (zeros and <1), then jumps.
    brand = np.where(
        np.array([d < CAMPAIGN_START for d in period]),
        rng.gamma(0.9, 0.9, len(period)) * (rng.random(len(period)) > 0.2),
        (phase - 1.0) * 11.0 * rng.lognormal(0.0, 0.15, len(period)),
    )
    matcha = 30.0 * weekday * (1.0 + 0.12 * (phase - 1.0)) * rng.lognormal(0.0, 0.08, len(period))
    scale = 100.0 / max(brand.max(), matcha.max())

    def cell(v: float) -> str:
        v = v * scale
        if v <= 0:
            return "0"
        if v < 1:
            return google_trends.BELOW_ONE
        return str(int(np.floor(v + 0.5)))

    lines = [
        google_trends.CATEGORY_LINE.format(category=google_trends.ALL_CATEGORIES),
        "",
        ",".join(google_trends.timeline_header("day", _TRENDS_TERMS)),
    ]
    for d, b, m in zip(period, brand, matcha, strict=True):
        lines.append(f"{d.isoformat()},{cell(b)},{cell(m)}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- Meta Ads


def _meta_num(x: float | None, decimals: int = 8) -> str:
    """A Meta export number: rounded, trailing zeros dropped; empty when not applicable."""
    if x is None:
        return ""
    s = f"{x:.{decimals}f}".rstrip("0").rstrip(".")
    return s or "0"


def _meta_field(s: str) -> str:
    """Meta quotes a field only when it holds a space, comma, quote or line break."""
    if any(c in s for c in ' ,"\n\r'):
        return '"' + s.replace('"', '""') + '"'
    return s


def _meta_row(
    name: str,
    reach: int,
    impressions: int,
    spend: float,
    link_clicks: int,
    clicks_all: int,
    atc: int | None,
    checkouts: int | None,
    purchases: int | None,
) -> list[str]:
    def per(n: int | None) -> float | None:
        return spend / n if n else None

    return [
        name,
        str(reach),
        str(impressions),
        _meta_num(impressions / reach),
        "USD",
        _meta_num(spend, 2),
        str(link_clicks),
        _meta_num(per(link_clicks)),
        str(clicks_all),
        _meta_num(per(clicks_all)),
        _meta_num(100.0 * clicks_all / impressions),
        "" if atc is None else str(atc),
        _meta_num(per(atc)),
        "" if checkouts is None else str(checkouts),
        _meta_num(per(checkouts)),
        "" if purchases is None else str(purchases),
        CAMPAIGN_START.isoformat(),
        CAMPAIGN_END.isoformat(),
    ]


def _with_results(cells: list[str], results: str, indicator: str, cost: str) -> list[str]:
    """A Meta row (:data:`META_HEADER` order) with the result columns placed as Ads Manager
    places them: Results and Result indicator after the campaign name, Cost per results
    after Impressions."""
    return [cells[0], results, indicator, cells[1], cells[2], cost, *cells[3:]]


#: The demo's Meta export header: :data:`META_HEADER` with :data:`META_RESULT_COLUMNS`.
META_FILE_HEADER = tuple(_with_results(list(META_HEADER), *META_RESULT_COLUMNS))


def _result_cells(
    indicator: str | None, spend: float, reach: int, link: int, purchases: int | None
) -> tuple[str, str, str]:
    """Results, Result indicator and Cost per results of one row, as Ads Manager writes
    them: a reach objective's cost is per 1,000 people reached; empty without a result."""
    if indicator is None:
        return "", "", ""
    n = {"reach": reach, "actions:link_click": link}.get(indicator, purchases)
    if not n:
        return "", indicator, ""
    per = spend / n * (1000 if indicator == "reach" else 1)
    return str(n), indicator, _meta_num(per)


def _meta_ads(rng: np.random.Generator) -> str:
    """Meta Ads Manager table export: account total first, campaigns by spend (descending)."""
    # name, budget (USD), CPM, link CTR, has conversions
    plans = (
        ("Lumen Tea Launch_Awareness_01/03/26", 4200.0, 4.2, 0.0045, False),
        ("Spring Matcha_Traffic_Website Visit", 2600.0, 7.5, 0.0135, False),
        ("LumenTea_Sales_Conversions_Mar26", 3100.0, 11.0, 0.0110, True),
    )
    campaigns = []
    for name, budget, cpm, ctr, conv in plans:
        spend = round(budget * float(rng.uniform(0.9, 1.02)), 2)
        impressions = int(spend / cpm * 1000 * float(rng.lognormal(0.0, 0.05)))
        reach = int(impressions / float(rng.uniform(1.25, 1.9)))
        link = int(rng.binomial(impressions, ctr))
        clicks_all = link + int(rng.binomial(impressions, ctr * 0.35))
        atc = checkouts = purchases = None
        if conv:
            atc = int(rng.binomial(link, 0.09))
            checkouts = int(rng.binomial(atc, 0.55))
            purchases = int(rng.binomial(checkouts, 0.7))
        campaigns.append(
            (name, reach, impressions, spend, link, clicks_all, atc, checkouts, purchases)
        )
    campaigns.sort(key=lambda c: c[3], reverse=True)

    def total(j: int) -> int | None:
        vals = [c[j] for c in campaigns if c[j] is not None]
        return sum(vals) if vals else None

    # Account reach is deduplicated across campaigns, so it is below the sum.
    account_reach = max(
        max(c[1] for c in campaigns),
        int(sum(c[1] for c in campaigns) * float(rng.uniform(0.72, 0.85))),
    )
    rows = [
        list(META_FILE_HEADER),
        _with_results(
            _meta_row(
                "",
                account_reach,
                total(2),
                round(sum(c[3] for c in campaigns), 2),
                total(4),
                total(5),
                total(6),
                total(7),
                total(8),
            ),
            "",  # the campaigns count different results: Ads Manager adds none up
            "",
            "",
        ),
    ]
    rows += [
        _with_results(
            _meta_row(*c), *_result_cells(META_RESULT_INDICATORS[c[0]], c[3], c[1], c[4], c[8])
        )
        for c in campaigns
    ]
    return "".join(",".join(_meta_field(f) for f in row) + "\n" for row in rows)


_AGES = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")


def _meta_ads_by_age(campaign_csv: str, rng: np.random.Generator) -> str:
    """The campaign export broken down by age, as Ads Manager writes it: the account total
    first (no age), then each campaign's row split across the age ranges so that counts and
    spend add up to the campaign row (reach is split too, each part at most its impressions)."""
    header = list(META_FILE_HEADER)
    header.insert(1, "Age")
    lines = [header]
    spent = next(h for h in META_HEADER if h.startswith("Amount spent"))
    for k, r in enumerate(csv.DictReader(io.StringIO(campaign_csv))):
        if k == 0:  # the account total: kept as it is, with an empty age
            lines.append([r[META_FILE_HEADER[0]], "", *(r[h] for h in META_FILE_HEADER[1:])])
            continue
        w = rng.dirichlet(np.full(len(_AGES), 4.0))
        imp = rng.multinomial(int(r["Impressions"]), w)
        link = rng.multinomial(int(r["Link clicks"]), w)
        extra = rng.multinomial(int(r["Clicks (all)"]) - int(r["Link clicks"]), w)
        reach = np.minimum(np.maximum(np.round(int(r["Reach"]) * w).astype(int), 1), imp)
        cents = int(round(float(r[spent]) * 100))
        spend = np.floor(cents * imp / imp.sum()).astype(int)
        spend[0] += cents - spend.sum()
        conv = [
            rng.multinomial(int(r[c]), w) if r[c] else None
            for c in ("Adds to cart", "Checkouts initiated", "Purchases")
        ]
        for a, age in enumerate(_AGES):
            counts = [None if c is None else int(c[a]) for c in conv]
            row = _with_results(
                _meta_row(
                    r[META_HEADER[0]],
                    int(reach[a]),
                    int(imp[a]),
                    spend[a] / 100,
                    int(link[a]),
                    int(link[a] + extra[a]),
                    *counts,
                ),
                *_result_cells(
                    r["Result indicator"] or None,
                    spend[a] / 100,
                    int(reach[a]),
                    int(link[a]),
                    counts[2],
                ),
            )
            row.insert(1, age)
            lines.append(row)
    return "".join(",".join(_meta_field(f) for f in row) + "\n" for row in lines)


# --------------------------------------------------------------------------- outcomes


def _outcomes(rng: np.random.Generator, period: list[date]) -> str:
    """Daily registrations (CRM) and orders (shop): weekday rhythm, campaign lift, Poisson."""
    lines = [",".join(simple.OUTCOMES_COLUMNS)]
    dow_reg = np.array([1.05, 1.1, 1.08, 1.02, 0.95, 0.72, 0.68])
    dow_ord = np.array([0.95, 0.98, 1.0, 1.02, 1.1, 1.15, 1.05])
    for d in period:
        lift = _campaign_phase(d)
        reg = rng.poisson(42.0 * dow_reg[d.weekday()] * (1.0 + 0.35 * (lift - 1.0)))
        orders = rng.poisson(26.0 * dow_ord[d.weekday()] * (1.0 + 0.3 * (lift - 1.0)))
        lines.append(f"{d.isoformat()},orders,{int(orders)},shop")
        lines.append(f"{d.isoformat()},registrations,{int(reg)},crm")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- campaign.toml


LISTEN_FILE = "listen.toml"


def _listen_toml() -> str:
    """The demo's listening project: the brand, its Spring Matcha, and matcha at large
    (the demo has no competitor, so the brand's share of voice is all of it)."""
    return """# Generated demo data: the listening project of the fictional brand.
[project]
name = "Lumen Tea listening (generated demo data)"
timezone = "Asia/Shanghai"

[[topics]]
id = "lumen"
name = "Lumen Tea"
role = "brand"
query = 'lumen OR lumentea OR "spring matcha" OR 路明茶 OR 루멘티'

[[topics]]
id = "spring"
name = "Spring Matcha"
role = "product"
query = '"spring matcha"'

[[topics]]
id = "matcha"
name = "Matcha"
role = "industry"
query = 'matcha OR 抹茶 OR 말차'
"""


# --------------------------------------------------------------------------- content plan
# The team's written standard, the team itself and its content plan (issue 11): the report's
# calendar section checks the plan against the standard. The plan is made by the calendar
# itself (ripplemeter.operations.calendar) with a fixed clock, through legal steps only, and
# written as `ripplemeter calendar list --json` prints it.

STANDARDS_FILE = "standards.toml"
TEAM_FILE = "team.toml"
PLAN_FILE = "plan.json"
PLAN_X = "x:lumentea"
PLAN_MASTODON = "mastodon:110552"
#: How the plan's accounts are named in tables (the Mastodon account is numeric: no name without it).
PLAN_HANDLES = {PLAN_X: "lumentea", PLAN_MASTODON: "lumentea@mastodon.social"}
#: when the demo plan was exported: Friday 27 March 2026, 09:00 in Shanghai
PLAN_EXPORTED = datetime(2026, 3, 27, 1, 0, tzinfo=UTC)


def _standards_toml() -> str:
    """Lumen Tea's execution standard (standards.toml, docs/operations.md)."""
    return """# Generated demo data: the execution standard of the fictional brand Lumen Tea.
# Check a draft with:
#   ripplemeter standards lint "TEXT" --account x:lumentea --standards standards.toml

[brand]
name = "Lumen Tea"
default_language = "en"

[business_hours]                 # reply-time targets count these hours only
timezone = "Asia/Shanghai"
days = ["mon", "tue", "wed", "thu", "fri"]
start = "09:00"
end = "18:00"
holidays = "CN"                  # public holidays from the holidays package

[rules]
posts_per_week = { min = 3, max = 10 }
reply_within_hours = 4

[rules.limits]
hashtags = 4
mentions = 3
links = 1

[rules.terms.en]
banned = ["cure", "detox", "guaranteed"]

[rules.terms.zh]
banned = ["最好", "第一", "国家级"]   # superlatives banned by China's Advertising Law, art. 9
required = ["路明茶"]

[rules.terms.ko]
banned = ["최고", "무료"]
required = ["루멘티"]

[rules.disclosure]
roles = ["partner", "kol"]
paid = true
markers = ["#ad", "#sponsored", "#광고", "#협찬", "广告"]
platform_flag = true

[rules.content_mix]
max_promotional_share = 0.3      # at most 30% of an account's posts in a week sell

[[approvals]]
id = "every-post"
applies_to = "all"
approvers = 1

[[approvals]]
id = "paid-legal"
applies_to = "paid"
approvers = 2
from_groups = ["legal"]
"""


def _team_toml() -> str:
    """The team behind Lumen Tea's accounts (team.toml, beside standards.toml): the same
    members as docs/examples/team.toml, so that docs/operations.md's commands run here too."""
    return """# Generated demo data: the team of the fictional brand Lumen Tea.
# Roles: admin (everything), editor (write, schedule, publish), approver (approve),
# viewer (read only). Groups are named in standards.toml's approval rules.

[[members]]
id = "mina"
name = "Mina Park"
roles = ["admin"]

[[members]]
id = "tom"
name = "Tom Chen"
roles = ["editor"]

[[members]]
id = "jisoo"
name = "Jisoo Lee"
roles = ["approver"]

[[members]]
id = "wei"
name = "Wei Zhang"
roles = ["approver"]

[[members]]
id = "sam"
name = "Sam Rivera"
roles = ["viewer"]

[groups]
legal = ["jisoo"]
"""


# (local day of the week 0 = Monday, hour) of each account's posts in an ordinary week
_PLAN_SLOTS = {
    PLAN_X: ((0, 10), (2, 10), (4, 10), (5, 11)),
    PLAN_MASTODON: ((1, 12), (3, 12), (5, 12)),
}
_PLAN_TEXTS = (
    ("Morning ritual: whisk, breathe, sip. #LumenTea #matcha", "en", False),
    ("How our growers shade the tea leaves for three weeks before harvest #LumenTea", "en", False),
    (
        "Your matcha latte, three ways: hot, iced, oat. Which one is yours? #MatchaLatte",
        "en",
        False,
    ),
    ("Behind the scenes at the stone mill in Uji #LumenTea", "en", False),
    ("抹茶拿铁的三种做法, 路明茶陪你过春天 #抹茶", "zh", False),
    ("Tea tasting notes from the team: grassy, sweet, a little nutty #matcha", "en", False),
)
_PLAN_PROMOS = (
    ("Spring Matcha is here: 15% off this week at lumentea.example #LumenTea", "en"),
    ("Spring Matcha gift boxes are back in stock #LumenTea", "en"),
    ("Last days of the spring bundle: two tins for the price of one #LumenTea", "en"),
)


def _plan_json() -> str:
    """The demo's content plan as ``ripplemeter calendar list --json`` prints it.

    Two accounts (X, and Mastodon, whose publisher is built in) planned from Monday 23
    February to Sunday 5 April 2026 (the six weeks that overlap the campaign), in
    Asia/Shanghai, by the team of :func:`_team_toml` (tom writes, wei approves). Written to
    exercise each figure of the calendar section, by hand:

    - X posts 4 times a week, 1 of them promotional (25%, within the 30% limit), except in
      the launch week of 2 March (2 of 4 promotional: 50%, over the limit), the week of 16
      March (2 posts, none promotional: below the 3 a week of the standard; a third was
      cancelled) and the week of 23 March (5 posts, the paid one of the 28th the only
      promotional one: 20%).
    - Mastodon posts 3 times a week, none promotional except 1 in the launch week (1 of 3:
      33%, over the limit).
    - As exported (27 March, 09:00): posts before then are published, except Mastodon's
      post of Thursday 12 March, which failed (the platform refused the token); later posts
      are scheduled, except two waiting on approval (a paid X post approved by one approver
      of the two its rule needs, none from legal; a Mastodon post with no approval yet) and
      one draft.

    The records are :class:`~ripplemeter.operations.calendar.PlannedPost` objects serialised
    by their own ``to_dict``; each state is one the calendar reaches through legal steps
    (add, submit, approve, schedule, publish or fail, cancel). Driving the calendar itself
    gives the same records but takes seconds (some 2,000 small queries), too slow for the demo.
    """
    import json

    from ripplemeter.operations.calendar import PlannedPost, Publication

    first = date(2026, 2, 23)
    plan: list[tuple] = []  # (local time, account, text, lang, promotional, paid, fate)
    n_text = 0
    for w in range(6):
        monday = first + timedelta(weeks=w)
        for acc, slots in _PLAN_SLOTS.items():
            for k, (day, hour) in enumerate(slots):
                when = datetime.combine(monday + timedelta(days=day), datetime.min.time())
                when = when.replace(hour=hour)
                fate = None
                if acc == PLAN_X and monday == date(2026, 3, 16) and k in (1, 3):
                    if k == 3:
                        continue  # the week of 16 March has two X posts only
                    fate = "cancelled"
                # X's weekly offer, none in the week of 16 March (too few posts) nor of 23
                # March (the paid post of the 28th is its offer); a second one at launch
                quiet = monday in (date(2026, 3, 16), date(2026, 3, 23))
                promo = (acc == PLAN_X and k == 0 and not quiet) or (
                    monday == date(2026, 3, 2) and k == 2
                )
                if promo:
                    text, lang = _PLAN_PROMOS[w % len(_PLAN_PROMOS)]
                    text = f"{text} ({monday:%d %b})"
                else:
                    text, lang, _ = _PLAN_TEXTS[n_text % len(_PLAN_TEXTS)]
                    text = f"{text} ({when:%d %b})"
                    n_text += 1
                plan.append((when, acc, text, lang, promo, False, fate))
    plan.append(
        (
            datetime(2026, 3, 28, 15, 0),
            PLAN_X,
            "#ad Spring Matcha x Lumen Tea: the weekend tasting at our Shanghai store",
            "en",
            True,
            True,
            "paid",
        )
    )
    exported = PLAN_EXPORTED.astimezone(TZ).replace(tzinfo=None)
    posts = []
    for i, (when, acc, text, lang, promo, paid, fate) in enumerate(
        sorted(plan, key=lambda r: (r[0], r[1])), start=1
    ):
        at = datetime.combine(when.date(), when.time(), TZ).astimezone(UTC)
        approvals: tuple[str, ...] = ("wei",)
        pubs = {}
        if fate == "cancelled":
            state, approvals = "cancelled", ()
        elif when.date() == date(2026, 4, 3):
            state, approvals = "draft", ()
        elif fate == "paid":
            state = "in_review"  # one approver of the two; legal (jisoo) has not approved
        elif acc == PLAN_MASTODON and when.date() == date(2026, 3, 31):
            state, approvals = "in_review", ()  # submitted, no approval yet
        elif when >= exported:
            state = "scheduled"
        elif acc == PLAN_MASTODON and when.date() == date(2026, 3, 12):
            state = "failed"
            pubs[acc] = Publication(
                acc, "failed", None, None, "401 The access token is invalid", at
            )
        else:
            state = "published"
            post_id = str(1000 + i)
            url = (
                f"https://x.com/lumentea/status/{post_id}"
                if acc == PLAN_X
                else f"https://mastodon.social/@lumentea/{post_id}"
            )
            pubs[acc] = Publication(acc, "published", post_id, url, None, at)
        created = datetime(2026, 2, 20, 1, 0, tzinfo=UTC)
        posts.append(
            PlannedPost(
                plan_id=f"p{i}",
                version=1,
                state=state,
                text=text,
                accounts=(acc,),
                scheduled_at=at,
                timezone="Asia/Shanghai",
                campaign_id="spring-launch",
                pillar="offer" if promo else "brand",
                promotional=promo,
                paid=paid,
                lang=lang,
                created_by="tom",
                created_at=created,
                updated_at=created,
                approvals=approvals,
                publications=pubs,
            )
        )
    return json.dumps([p.to_dict() for p in posts], ensure_ascii=False, indent=2) + "\n"


#: the workspace beside campaign.toml, where `report` and the calendar commands look
WORKSPACE_FILE = "ripplemeter.duckdb"
#: the team member who loads the demo plan: an admin (the plan's states stand for steps
#: of every role, see Planner.import_posts)
PLAN_IMPORTER = "mina"


def load_demo_plan(
    data_dir: str | Path, workspace: Workspace | str | Path | None = None
) -> PlanImport:
    """Load the demo's plan.json into the demo's workspace, so that ``calendar list``,
    ``calendar show`` and ``calendar check`` in the demo folder see the plan the report
    checks.

    Parameters
    ----------
    data_dir : str or Path
        The folder :func:`generate_demo` wrote (plan.json, standards.toml, team.toml).
    workspace : Workspace or str or Path, optional
        Where to load it (default: ``data_dir / "ripplemeter.duckdb"``, the workspace
        ``ripplemeter report`` and the calendar commands use there). An open workspace is
        left open.

    Returns
    -------
    PlanImport
        Plan ids imported and skipped. The two accounts are registered as owned in
        Asia/Shanghai unless the registry has them; posts whose plan id the workspace
        already holds are skipped, so loading twice adds nothing.

    Notes
    -----
    The plan is read by :func:`ripplemeter.evaluate.calendar_section.load_plan_export`
    (the report's reader of the same file) and written by
    :meth:`ripplemeter.operations.calendar.Planner.import_posts` in one transaction, by
    the team's admin (:data:`PLAN_IMPORTER`), at the plan's export time
    (:data:`PLAN_EXPORTED`), each post with an audit entry "imported from plan.json".
    """
    from ripplemeter.evaluate.calendar_section import load_plan_export
    from ripplemeter.operations.accounts import add_account, get_account
    from ripplemeter.operations.calendar import Planner, _load
    from ripplemeter.operations.standards import load_standards
    from ripplemeter.operations.team import load_team
    from ripplemeter.workspace import Workspace

    data_dir = Path(data_dir)
    mem = load_plan_export(data_dir / PLAN_FILE, str(TZ))
    try:
        posts = _load(mem)
    finally:
        mem.close()
    team = load_team(data_dir / TEAM_FILE)
    standards = load_standards(data_dir / STANDARDS_FILE)
    own = not isinstance(workspace, Workspace)
    ws = Workspace(workspace or data_dir / WORKSPACE_FILE) if own else workspace
    try:
        for acc in dict.fromkeys(a for p in posts for a in p.accounts):
            if get_account(ws, acc) is None:
                handle = PLAN_HANDLES.get(acc)
                add_account(
                    ws,
                    acc,
                    role="owned",
                    handle=handle,
                    name="Lumen Tea" if handle else None,
                    timezone=str(TZ),
                    team=team,
                    user=PLAN_IMPORTER,
                )
        planner = Planner(ws, team=team, standards=standards, clock=lambda: PLAN_EXPORTED)
        return planner.import_posts(PLAN_IMPORTER, posts, comment=f"imported from {PLAN_FILE}")
    finally:
        if own:
            ws.close()


def _campaign_toml() -> str:
    """The campaign file naming the generated sources."""
    sources = [
        (TWEETS_FILE, x_analytics.TWEETS_FORMAT, ACCOUNT),
        (DAILY_BASELINE_FILE, x_analytics.DAILY_FORMAT, ACCOUNT),
        (DAILY_CAMPAIGN_FILE, x_analytics.DAILY_FORMAT, ACCOUNT),
        (TRENDS_FILE, google_trends.FORMAT, None),
        (META_FILE, meta_ads.FORMAT, None),
        (META_AGE_FILE, meta_ads.FORMAT, None),
        (OUTCOMES_FILE, simple.OUTCOMES_FORMAT, None),
        (COMMENTS_FILE, comments.FORMAT, None),
    ]
    parts = [
        "# Generated demo data: a fictional brand, numbers drawn by ripplemeter.demo.",
        "[campaign]",
        'name = "Lumen Tea spring launch (generated demo data)"',
        f"start = {CAMPAIGN_START.isoformat()}",
        f"end = {CAMPAIGN_END.isoformat()}",
        f"baseline_start = {BASELINE_START.isoformat()}",
        f"baseline_end = {BASELINE_END.isoformat()}",
        'timezone = "Asia/Shanghai"',
        'currency = "USD"',
        "generated = true          # marks generated data: the report labels it",
        f'listen = "{LISTEN_FILE}"     # the listening project whose topics the report follows',
        "",
        "[benchmarks]",
        "cpc = 0.9",
    ]
    for path, fmt, account in sources:
        parts += ["", "[[sources]]", f'path = "{path}"', f'format = "{fmt}"']
        if account:
            parts.append(f'account = "{account}"')
    parts += [
        "",
        "[[sources]]              # who follows whom: src follows dst",
        f'path = "{FOLLOWS_FILE}"',
        f'format = "{generic.FORMAT}"',
        'table = "follows"',
        "",
        "[seeding]                # multi-point seeding plan over the follows graph",
        "k = 10",
        'model = "ic"',
        'probability = "wc"       # weighted cascade: 1 / in-degree',
        "epsilon = 0.1",
        'forced = ["x:lumentea"]  # the brand account posts anyway',
    ]
    for unit, price in (("cpm", 6.5), ("cpc", 0.8)):
        parts += ["", "[[rate_cards]]", 'platform = "x"', f'unit = "{unit}"', f"price = {price}"]
    parts += [
        "",
        "[calendar]               # the content plan against the brand's written standard",
        f'standards = "{STANDARDS_FILE}"   # team.toml is read from beside it',
        f'plan = "{PLAN_FILE}"            # exported with `ripplemeter calendar list --json`',
        "",
        "# Search-engine first pages, read as the negative share of search results",
        "[[sources]]              # a SerpApi response records its query, engine and time",
        f'path = "{SERP_GOOGLE_FILE}"',
        'format = "serp"',
        "",
        "[[sources]]              # a Baidu scrape records no query: say which one it was",
        f'path = "{SERP_BAIDU_FILE}"',
        'format = "serp"',
        f'query = "{SERP_QUERIES["baidu"]}"',
        "",
        "[[sources]]              # Naver News API dump: the query is in the file name",
        f'path = "{SERP_NAVER_FILE}"',
        'format = "serp"',
    ]
    return "\n".join(parts) + "\n"


def _follows(rng: np.random.Generator, n: int = 3000, m: int = 3) -> str:
    """A follows graph grown by preferential attachment (Barabasi-Albert, 1999).

    Each new account follows ``m`` existing accounts chosen with probability proportional to
    their followers + 1 (the brand account ``x:lumentea`` starts with a head start of 30, as
    if promoted in-app), and is followed back with probability 0.3.
    """
    ids = ["x:lumentea"] + [f"x:fan{i:04d}" for i in range(1, n)]
    weight = np.ones(n)
    weight[0] = 30.0  # the brand is promoted in-app: new accounts are nudged to follow it
    edges: set[tuple[int, int]] = set()
    for v in range(1, n):
        pool = weight[:v] / weight[:v].sum()
        targets = rng.choice(v, size=min(m, v), replace=False, p=pool)
        for t in targets:
            edges.add((v, int(t)))  # v follows t
            weight[t] += 1
            if rng.random() < 0.3:
                edges.add((int(t), v))
                weight[v] += 1
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(generic.REQUIRED["follows"])
    for a, b in sorted(edges):
        w.writerow([ids[a], ids[b]])
    return buf.getvalue()


# --------------------------------------------------------------------------- comments
# Sentences people write about a tea launch, by language and sentiment. The generator joins
# one or two of them (sometimes of opposite sentiment: "great taste but too pricey"), adds an
# emoji now and then, and mixes in spam with links, as comment exports hold it.
_COMMENT_TEXTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("en", "positive"): (
        "The Spring Matcha tastes amazing, so smooth and not bitter at all",
        "No complaints at all, my latte turned out perfect",
        "Love the new tin, the quality is obvious",
        "Delivery was super fast, arrived in two days",
        "Customer service replied within an hour and fixed my order",
        "Worth every penny, best matcha I have had outside Japan",
        "Never disappointed by Lumen, the free whisk is a nice touch",
        "Great colour and a sweet grassy taste",
    ),
    ("en", "negative"): (
        "Way too expensive for 30 g, the price is hard to justify",
        "My order took three weeks to arrive and the box was crushed",
        "Tastes bitter and dusty, not what the ads promised",
        "Customer service never answered my emails",
        "The tin lid broke the first time I opened it",
        "Sold out again? Really frustrating launch",
        "DOESN'T dissolve properly, clumps every single time",
    ),
    ("en", "neutral"): (
        "Is the Spring Matcha ceremonial grade or culinary?",
        "Does it ship to Canada?",
        "How many grams should I use for one latte?",
        "Ordered one tin, will report back",
        "What is the difference from the regular matcha?",
    ),
    ("zh", "positive"): (
        "抹茶味道很正,一点都不苦,会回购",
        "包装很漂亮,送朋友很有面子",
        "物流很快,两天就到了",
        "客服态度很好,问题马上解决了",
        "性价比不错,做拿铁很香",
        "没有问题,质量很好",
    ),
    ("zh", "negative"): (
        "太贵了,30克卖这个价格不值",
        "快递太慢了,等了两个星期",
        "味道发苦,不推荐",
        "客服一直不回复,很失望",
        "罐子收到就是瘪的,质量太差",
    ),
    ("zh", "neutral"): (
        "请问这款抹茶是礼仪级的吗?",
        "能寄到广州吗?",
        "一罐可以冲多少杯?",
        "已下单,等收货",
    ),
    ("ko", "positive"): (
        "말차 라떼 진짜 맛있어요 또 살게요",
        "배송이 빨라서 좋았어요",
        "포장이 예뻐서 선물용으로 딱이에요",
        "쓴맛이 없고 향이 좋아요",
        "고객센터 응대가 친절했어요",
    ),
    ("ko", "negative"): (
        "가격이 너무 비싸요",
        "배송이 너무 늦어요 일주일 넘게 걸렸어요",
        "맛이 쓰고 가루가 잘 안 녹아요",
        "문의했는데 답변이 없네요 실망이에요",
        "캔이 찌그러져서 왔어요",
    ),
    ("ko", "neutral"): (
        "이거 세레모니얼 등급인가요?",
        "한 통에 몇 잔 나와요?",
        "주문했어요 받아보고 후기 남길게요",
    ),
}
_CONTRAST = {"en": " but ", "zh": ",但是", "ko": " 근데 "}
_EMOJI = {"positive": ("😍", "🍵", "👍", "✨"), "negative": ("😡", "👎", "😤"), "neutral": ("🤔",)}
_SPAM_TEXTS = (
    "Check out my channel and subscribe!! Free matcha giveaway http://bit.ly/{t}",
    "Make $500 a day from home, click here http://earn-fast.example/{t}",
    "加微信领红包,免费试喝 http://t.cn/{t}",
    "구독하고 이벤트 참여하세요 http://bit.ly/{t}",
)
# Platforms of the mentions that are not replies on X: (platform, share, languages).
_MENTION_PLATFORMS = (
    ("weibo", 0.30, ("zh",)),
    ("youtube", 0.20, ("en", "ko")),
    ("instagram", 0.20, ("en", "ko", "zh")),
    ("reddit", 0.10, ("en",)),
    ("naver_blog", 0.20, ("ko",)),
)
_COMMENT_LANG_P = {"en": 0.55, "zh": 0.25, "ko": 0.20}


def _comment_text(rng: np.random.Generator, lang: str, mood: str) -> str:
    """One comment: a sentence of this mood, maybe a contrasting second one, maybe an emoji."""
    pool = _COMMENT_TEXTS[(lang, mood)]
    text = str(pool[rng.integers(len(pool))])
    r = rng.random()
    if mood != "neutral" and r < 0.15:
        other = "negative" if mood == "positive" else "positive"
        pool2 = _COMMENT_TEXTS[(lang, other)]
        text += _CONTRAST[lang] + str(pool2[rng.integers(len(pool2))])
    elif r < 0.35:
        pool2 = _COMMENT_TEXTS[(lang, mood)]
        # a question keeps its own mark: "culinary? What is ...", never "culinary?. What"
        first = sentence_end(text) if lang == "en" else text
        text = f"{first} {pool2[rng.integers(len(pool2))]}"
    if rng.random() < 0.3:
        e = _EMOJI[mood]
        text += ("" if rng.random() < 0.5 else " ") + str(e[rng.integers(len(e))]) * int(
            rng.integers(1, 3)
        )
    return text


def _comments(rng: np.random.Generator, tw: _Tweets, n_replies: int = 1200) -> str:
    """Comments and mentions of the campaign in the ``comments`` format (``mentions.csv``).

    Replies on X answer the brand's campaign-window tweets (their parent is the tweet's id,
    so follow-up opinion can be read); mentions on other platforms are originals, a third of
    them answered by a comment. About 4% are spam; opinion leans positive in launch week and
    turns more negative around the sell-out (delivery and price complaints).
    """
    start = datetime(2026, 3, 1, tzinfo=TZ).astimezone(UTC)
    end = datetime(2026, 4, 1, tzinfo=TZ).astimezone(UTC)
    parents = [k for k, t in enumerate(tw.when) if start <= t < end]
    langs = list(_COMMENT_LANG_P)
    p_lang = list(_COMMENT_LANG_P.values())
    rows: list[list[str]] = []
    n = 0

    def mood_at(when: datetime) -> str:
        late = when >= datetime(2026, 3, 10, tzinfo=UTC)
        p = [0.45, 0.30, 0.25] if late else [0.62, 0.25, 0.13]
        return str(rng.choice(["positive", "neutral", "negative"], p=p))

    def text_at(lang: str, when: datetime) -> str:
        if rng.random() < 0.04:
            pick = _SPAM_TEXTS[rng.integers(len(_SPAM_TEXTS))]
            return pick.format(t=int(rng.integers(10_000, 99_999)))
        return _comment_text(rng, lang, mood_at(when))

    def row(cid, platform, author, when, text, parent="", channel=""):
        rows.append(
            [
                cid,
                platform,
                channel,
                author,
                when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                text,
                parent,
                f"https://{platform}.example/{cid}",
            ]
        )

    for _ in range(n_replies):
        k = parents[int(rng.integers(len(parents)))]
        when = tw.when[k] + timedelta(minutes=float(rng.exponential(240.0)) + 1)
        if when >= end:
            continue
        lang = str(rng.choice(langs, p=p_lang))
        n += 1
        row(
            f"r{n:05d}",
            "x",
            f"fan{int(rng.integers(1, 3000)):04d}",
            when,
            text_at(lang, when),
            str(tw.ids[k]),
        )
    names = [p for p, _, _ in _MENTION_PLATFORMS]
    shares = [s for _, s, _ in _MENTION_PLATFORMS]
    for i in range(700):
        j = int(rng.choice(len(names), p=shares))
        platform, _, pl_langs = _MENTION_PLATFORMS[j]
        lang = str(pl_langs[rng.integers(len(pl_langs))])
        when = start + timedelta(minutes=float(rng.uniform(0, (end - start).total_seconds() / 60)))
        mid = f"m{i + 1:05d}"
        row(mid, platform, f"user{int(rng.integers(1, 5000)):04d}", when, text_at(lang, when))
        if rng.random() < 0.33:
            later = when + timedelta(minutes=float(rng.exponential(300.0)) + 1)
            if later < end:
                row(
                    f"{mid}c",
                    platform,
                    f"user{int(rng.integers(1, 5000)):04d}",
                    later,
                    text_at(lang, later),
                    mid,
                )
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(comments.HEADER)
    w.writerows(rows)
    return buf.getvalue()


# --------------------------------------------------------------------------- search results
# First pages (10 results) of one search per engine, in the layouts the serp importer reads
# (docs/formats-opinion.md). Headlines written for the demo; (title, snippet, negative?) where
# negative marks a result written to read clearly negative for the brand.
SERP_GOOGLE_FILE = "serpapi_google_lumen_tea.json"
SERP_BAIDU_FILE = "baidu_results.json"
SERP_NAVER_QUERY = "루멘티"
SERP_NAVER_FILE = f"{SERP_NAVER_QUERY}_naver_news.json"  # named so by the usual Naver script
SERP_QUERIES = {"google": "lumen tea", "baidu": "路明茶", "naver": SERP_NAVER_QUERY}
#: When the SerpApi search ran (``search_metadata.created_at``), inside the campaign window.
SERP_SEARCHED = datetime(2026, 3, 24, 2, 15, 41, tzinfo=UTC)

_SERP_GOOGLE = (
    (
        "Lumen Tea | Stone-ground Spring Matcha from Uji",
        "Shop Lumen Tea's Spring Matcha, ceremonial grade and stone-ground in Uji. Free bamboo "
        "whisk with launch week orders.",
        "lumentea.example",
        False,
    ),
    (
        "Lumen Tea Spring Matcha review: smooth, sweet and worth it",
        "We loved the Spring Matcha: a bright, creamy cup with no bitterness. A great tea at a "
        "fair price.",
        "teareviewdaily.example",
        False,
    ),
    (
        "Lumen Tea recalls Spring Matcha tins over faulty seals",
        "Customers report damaged tins and stale powder; the company apologised and is "
        "refunding angry buyers.",
        "foodnewswire.example",
        True,
    ),
    (
        "Lumen Tea (@lumentea) / X",
        "The latest posts from Lumen Tea. Teas from Hangzhou, matcha from Uji.",
        "x.example",
        False,
    ),
    (
        "Terrible customer service from Lumen Tea, order never arrived",
        "Worst experience ever. Three weeks late, no reply to emails, and a rude refund "
        "refusal. Avoid.",
        "reviewboard.example",
        True,
    ),
    (
        "How to make an iced matcha latte with Lumen Tea",
        "A simple recipe: two grams of matcha, cold milk and ice. Ready in two minutes.",
        "kitchenjournal.example",
        False,
    ),
    (
        "Lumen Tea opens Hangzhou tasting room to visitors",
        "The tasting room welcomes guests from Tuesday to Sunday with guided tastings of green "
        "and oolong teas.",
        "travelasia.example",
        False,
    ),
    (
        "Is Lumen Tea overpriced? Buyers complain about tiny tins",
        "Disappointed shoppers say the tins are half empty and the price is a rip-off.",
        "shopperforum.example",
        True,
    ),
    (
        "Lumen Tea Spring Matcha sells out in 36 hours",
        "Fans loved the launch and snapped up the stock; a restock is planned for Friday.",
        "retailbeat.example",
        False,
    ),
    (
        "Lumen Tea - Wikipedia",
        "Lumen Tea is a tea company founded in Hangzhou in 2015. Its products include green tea, "
        "oolong and matcha.",
        "en.wikipedia.example",
        False,
    ),
)
# Baidu scrapes keep titles and redirect links only (no snippets), "_site" suffixes included.
_SERP_BAIDU = (
    ("路明茶官网 - 春日抹茶新品上市,欢迎选购", None, False),
    ("路明茶春日抹茶上市,首发周赠送竹制茶筅", None, False),
    ("路明茶抹茶太难喝了,又苦又涩,再也不买了", None, True),
    ("路明茶抹茶拿铁做法分享,在家轻松做出好喝的拿铁", None, False),
    ("路明茶杭州品鉴室开放参观", None, False),
    ("路明茶客服态度恶劣,退款拖了一个月还没到账", None, True),
    ("路明茶春日抹茶大受欢迎,上市36小时售罄,周五补货", None, False),
    ("路明茶_百度百科", None, False),
    ("路明茶春季新品发布会在杭州举行", None, False),
    ("路明茶乌龙茶好喝吗 - 知乎", None, False),
)
# Naver News API items as the API leaves them: <b> highlights, &quot; entities, "..." cuts.
_SERP_NAVER = (
    (
        "<b>루멘티</b>, 봄 한정 말차 출시…우지산 석제 맷돌로 갈아",
        "차 브랜드 <b>루멘티</b>가 봄 한정 말차를 선보였다. 일본 우지에서 석제 맷돌로 갈아낸 "
        "제품으로...",
        False,
    ),
    (
        "<b>루멘티</b> 말차 포장재 결함으로 리콜…소비자 불만 잇따라",
        "<b>루멘티</b>가 봄 말차 캔의 밀봉 불량으로 제품을 회수한다고 밝혔다. 소비자 피해 "
        "신고가...",
        True,
    ),
    (
        "<b>루멘티</b>, 서울 성수동에 팝업스토어 연다",
        "<b>루멘티</b>는 이달 말 성수동에서 시음 행사를 겸한 팝업스토어를 운영한다고 밝혔다...",
        False,
    ),
    (
        "&quot;배송 3주째 감감무소식&quot;…<b>루멘티</b> 고객센터 먹통에 비판 쏟아져",
        "<b>루멘티</b> 주문 고객들이 배송 지연과 환불 거부를 호소하며 비난이 커지고 있다...",
        True,
    ),
    (
        "<b>루멘티</b> 봄 말차, 출시 36시간 만에 완판",
        "<b>루멘티</b>의 봄 한정 말차가 출시 하루 반 만에 초도 물량이 모두 팔렸다...",
        False,
    ),
    (
        "<b>루멘티</b> 말차 이물질 의혹…식약처 조사에 소비자 불안",
        "식품의약품안전처는 <b>루멘티</b> 말차 제품에서 이물질이 나왔다는 신고를 받고 조사에 "
        "나섰다. 위생 논란이...",
        True,
    ),
    (
        "아이스 말차라테 만드는 법…<b>루멘티</b> 레시피 공개",
        "<b>루멘티</b>가 집에서 2분 만에 만드는 아이스 말차라테 레시피를 공개했다...",
        False,
    ),
    (
        "<b>루멘티</b>, 가격 인상 논란…&quot;양은 줄고 값은 올라&quot;",
        "<b>루멘티</b>가 말차 가격을 20% 올리면서 소비자 반발이 커지고 있다...",
        True,
    ),
    (
        "<b>루멘티</b> 창업자 &quot;한국 시장 공략 본격화&quot;",
        "<b>루멘티</b> 창업자는 인터뷰에서 서울과 부산에 직영 매장을 열 계획이라고 말했다...",
        False,
    ),
    (
        "<b>루멘티</b>, 재활용 가능한 말차 캔 도입",
        "<b>루멘티</b>는 봄 말차부터 100% 재활용 가능한 캔을 쓴다고 밝혔다...",
        False,
    ),
)
#: Results written to read clearly negative, per engine (of 10 on each first page).
SERP_NEGATIVE = {
    "google": sum(r[-1] for r in _SERP_GOOGLE),
    "baidu": sum(r[-1] for r in _SERP_BAIDU),
    "naver": sum(r[-1] for r in _SERP_NAVER),
}
_NEWS_SITES = ("teanews", "dailyeconomy", "consumertimes", "foodjournal", "seoulbiz")


def _hex(rng: np.random.Generator, n: int) -> str:
    return "".join(f"{int(b):x}" for b in rng.integers(0, 16, n))


def _serp_google(rng: np.random.Generator) -> str:
    """A SerpApi ``engine=google`` response for "lumen tea" (first page, 10 organic results).

    Keys and their order follow the saved responses under ``shared/data/serp_samples``:
    ``search_metadata``, ``search_parameters``, ``search_information``, ``organic_results``
    (``position``, ``title``, ``link``, ``redirect_link``, ``displayed_link``, ``favicon``,
    an optional publication ``date``, ``snippet``, ``snippet_highlighted_words``,
    ``source``); written with ``json.dump(indent=2)`` (ASCII, ``\\u`` escapes, no final
    newline). The result order is a seeded shuffle of :data:`_SERP_GOOGLE`.
    """
    import json

    q = SERP_QUERIES["google"]
    sid = _hex(rng, 24)
    digest = _hex(rng, 16)
    created = SERP_SEARCHED.strftime("%Y-%m-%d %H:%M:%S UTC")
    qs = q.replace(" ", "+")
    organic = []
    for pos, k in enumerate(rng.permutation(len(_SERP_GOOGLE)), start=1):
        title, snippet, site, _ = _SERP_GOOGLE[int(k)]
        slug = "-".join(title.lower().replace("|", " ").replace("/", " ").split()[:6])
        link = f"https://{site}/{slug}"
        item = {
            "position": pos,
            "title": title,
            "link": link,
            "redirect_link": "https://www.google.com/url?sa=t&source=web&rct=j&url="
            + link.replace(":", "%3A").replace("/", "%2F"),
            "displayed_link": f"https://{site} \u203a {slug}",
            "favicon": f"https://serpapi.com/searches/{sid}/images/{_hex(rng, 32)}.png",
        }
        r = rng.random()
        if r < 0.35:  # publication dates: a few days ago, or a date in March
            item["date"] = f"{int(rng.integers(1, 7))} days ago"
        elif r < 0.7:
            item["date"] = f"Mar {int(rng.integers(1, 20))}, 2026"
        item["snippet"] = snippet
        item["snippet_highlighted_words"] = ["Lumen Tea"]
        item["source"] = site.split(".")[0].replace("-", " ").title()
        organic.append(item)
    doc = {
        "search_metadata": {
            "id": sid,
            "status": "Success",
            "json_endpoint": f"https://serpapi.com/searches/{digest}/{sid}.json",
            "created_at": created,
            "processed_at": created,
            "google_url": f"https://www.google.com/search?q={qs}&oq={qs}&hl=en&gl=us&num=10"
            "&sourceid=chrome&ie=UTF-8",
            "raw_html_file": f"https://serpapi.com/searches/{digest}/{sid}.html",
            "total_time_taken": round(float(rng.uniform(0.8, 2.5)), 2),
        },
        "search_parameters": {
            "engine": "google",
            "q": q,
            "google_domain": "google.com",
            "hl": "en",
            "gl": "us",
            "num": "10",
            "device": "desktop",
        },
        "search_information": {
            "query_displayed": q,
            "total_results": int(rng.integers(20_000, 90_000)),
            "time_taken_displayed": round(float(rng.uniform(0.2, 0.6)), 2),
            "organic_results_state": "Results for exact spelling",
        },
        "organic_results": organic,
    }
    return json.dumps(doc, indent=2)


def _serp_baidu(rng: np.random.Generator) -> str:
    """A Baidu web result list for "路明茶" as scrapers save it: ``[{"title", "link"}]``.

    As the saved scrape under ``shared/data/serp_samples/baidu_naver``: titles only (no
    snippets, no query), every link a ``baidu.com/link?url=`` redirect, raw UTF-8, indent 4,
    no final newline. The campaign names the query (``query = "路明茶"``).
    """
    import json

    chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    items = []
    for k in rng.permutation(len(_SERP_BAIDU)):
        title = _SERP_BAIDU[int(k)][0]
        token = "".join(chars[int(i)] for i in rng.integers(0, len(chars), 64))
        items.append({"title": title, "link": f"http://www.baidu.com/link?url={token}"})
    return json.dumps(items, ensure_ascii=False, indent=4)


def _serp_naver(rng: np.random.Generator) -> str:
    """The Naver News Search API dump for "루멘티" as the usual script saves it.

    ``[{"cnt", "description", "link", "org_link", "pDate", "title"}]``: ``cnt`` the rank
    1-10, newest first, ``pDate`` Korean time ``YYYY-MM-DD HH:MM:SS`` within March 2026,
    ``link == org_link``, ``<b>`` highlights and ``&quot;`` entities as the API leaves them;
    raw UTF-8, indent 4, no final newline. The query is the file name's
    (``루멘티_naver_news.json``).
    """
    import json

    seoul = ZoneInfo("Asia/Seoul")
    start = datetime(2026, 3, 2, 8, 0, tzinfo=seoul)
    minutes = np.sort(rng.uniform(0, 28 * 24 * 60, len(_SERP_NAVER)))[::-1]
    items = []
    for cnt, (k, m) in enumerate(
        zip(rng.permutation(len(_SERP_NAVER)), minutes, strict=True), start=1
    ):
        title, description, _ = _SERP_NAVER[int(k)]
        site = _NEWS_SITES[int(rng.integers(len(_NEWS_SITES)))]
        link = f"https://www.{site}.example/news/articleView.html?idxno={int(rng.integers(10**5, 10**6))}"
        when = (start + timedelta(minutes=float(m))).replace(second=0)
        items.append(
            {
                "cnt": cnt,
                "description": description,
                "link": link,
                "org_link": link,
                "pDate": when.strftime("%Y-%m-%d %H:%M:%S"),
                "title": title,
            }
        )
    return json.dumps(items, ensure_ascii=False, indent=4)
