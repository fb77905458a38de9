"""Account indices: Weibo BCI, WeChat WCI (Qingbo v14.2) and Kaushik's per-post rates.

Functions compute one index from its inputs (so that each can be checked by hand);
:func:`account_indices` reads them from a workspace for a set of accounts and a period.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ripplemeter.evaluate.metrics import Metric

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ripplemeter.workspace import Workspace

__all__ = [
    "ACCOUNT_INDEX_METRICS",
    "account_indices",
    "bci",
    "kaushik_rates",
    "wci",
]

BCI = Metric(
    "weibo_bci", "Weibo BCI (blog communication index)",
    "(0.2 W1 + 0.8 W2) x 160; W1 = ln(posts + 1); W2 = 0.4 ln(reposts + 1) + 0.4 ln(comments "
    "+ 1) + 0.2 ln(likes + 1), over the period", "index",
    "Qingbo (gsdata.cn) BCI, the Weibo communication index as Qingbo publishes it",
    "Posts = the account's originals and reposts in the period; reposts, comments and likes "
    "= the sums of the latest snapshot of each of those posts; null when no post has them.",
)  # fmt: skip
WCI = Metric(
    "wechat_wci", "WeChat WCI (Qingbo v14.2)",
    "(0.6 S(R/d, Z/d, L/d) + 0.2 S(R/n, Z/n, L/n) + 0.1 S(Rt/d, Zt/d, Lt/d) + 0.1 S(Rmax, "
    "Zmax, Lmax))^2 x 12, S(r, z, l) = 0.85 ln(r + 1) + 0.09 ln(10 z + 1) + 0.06 ln(10 l + 1)",
    "index",
    "Qingbo (gsdata.cn) WCI v14.2: R, Z, L total reads, 在看 and likes; n articles; d days; "
    "t headline articles; max the best article",
    "Null with a reason when the workspace holds no WeChat article reads (the shared data "
    "has none).",
)  # fmt: skip
CONVERSATION = Metric(
    "conversation_rate", "Conversation rate", "comments (replies) / posts", "per post",
    "A. Kaushik, 'Best Social Media Metrics: Conversation, Amplification, Applause, Economic "
    "Value' (Occam's Razor, 2011)", "Null when the account has no post with a reply count.",
)  # fmt: skip
AMPLIFICATION = Metric(
    "amplification_rate", "Amplification rate", "reposts (shares) / posts", "per post",
    "A. Kaushik, Occam's Razor, 2011", "Null when no post has a repost count.",
)  # fmt: skip
APPLAUSE = Metric(
    "applause_rate", "Applause rate", "likes (favourites) / posts", "per post",
    "A. Kaushik, Occam's Razor, 2011", "Null when no post has a like count.",
)  # fmt: skip
ACCOUNT_INDEX_METRICS: tuple[Metric, ...] = (BCI, WCI, CONVERSATION, AMPLIFICATION, APPLAUSE)


def bci(posts: int, reposts: float, comments: float, likes: float) -> float:
    """Weibo BCI of an account over a period.

    Parameters
    ----------
    posts : int
        Posts in the period (originals and reposts), >= 0.
    reposts, comments, likes : float
        Totals over those posts, >= 0.

    Returns
    -------
    float
        ``(0.2 W1 + 0.8 W2) x 160`` with ``W1 = ln(posts + 1)`` and
        ``W2 = 0.4 ln(reposts + 1) + 0.4 ln(comments + 1) + 0.2 ln(likes + 1)``.

    Raises
    ------
    ValueError
        A negative input.

    References
    ----------
    Qingbo (gsdata.cn) Weibo communication index BCI.
    """
    if min(posts, reposts, comments, likes) < 0:
        raise ValueError("BCI inputs must be counts >= 0")
    w1 = math.log(posts + 1)
    w2 = 0.4 * math.log(reposts + 1) + 0.4 * math.log(comments + 1) + 0.2 * math.log(likes + 1)
    return (0.2 * w1 + 0.8 * w2) * 160


def _s(r: float, z: float, l_: float) -> float:
    return 0.85 * math.log(r + 1) + 0.09 * math.log(10 * z + 1) + 0.06 * math.log(10 * l_ + 1)


def wci(
    *,
    reads: float,
    zaikan: float,
    likes: float,
    articles: int,
    days: int,
    headline_reads: float,
    headline_zaikan: float,
    headline_likes: float,
    max_reads: float,
    max_zaikan: float,
    max_likes: float,
) -> float:
    """WeChat WCI v14.2 of an official account over ``days`` days.

    Parameters
    ----------
    reads, zaikan, likes : float
        Totals R, Z (在看 "wow") and L over the ``articles`` (n) of the period.
    articles : int
        n, > 0.
    days : int
        d: 7 for a week, 30 for a month, 365 for a year, else the real count; > 0.
    headline_reads, headline_zaikan, headline_likes : float
        Rt, Zt, Lt: totals over the headline (first) articles.
    max_reads, max_zaikan, max_likes : float
        Rmax, Zmax, Lmax of the best article (Qingbo writes 100001 for "100k+").

    Returns
    -------
    float
        ``(0.6 S(R/d, Z/d, L/d) + 0.2 S(R/n, Z/n, L/n) + 0.1 S(Rt/d, Zt/d, Lt/d)
        + 0.1 S(Rmax, Zmax, Lmax))^2 x 12`` with
        ``S(r, z, l) = 0.85 ln(r + 1) + 0.09 ln(10 z + 1) + 0.06 ln(10 l + 1)``.

    Raises
    ------
    ValueError
        ``articles`` or ``days`` not positive, or a negative count.

    Notes
    -----
    The weights are those of Qingbo's v14.2 as re-published with its variable list
    (R, Z, L, d, n, Rt/Zt/Lt, Rmax/Zmax/Lmax). The issue's wording (0.70/0.09/0.06/0.15
    with a fourth ratio) describes an older revision; the v14.2 text has three terms per
    sub-index, 0.85/0.09/0.06 (see docs/audit.md).

    References
    ----------
    Qingbo (gsdata.cn), WCI v14.2 (清博指数 微信传播指数 WCI V14.2).
    """
    if articles <= 0 or days <= 0:
        raise ValueError("WCI needs at least one article and one day")
    vals = (reads, zaikan, likes, headline_reads, headline_zaikan, headline_likes)
    if min(*vals, max_reads, max_zaikan, max_likes) < 0:
        raise ValueError("WCI inputs must be counts >= 0")
    d, n = float(days), float(articles)
    total = (
        0.6 * _s(reads / d, zaikan / d, likes / d)
        + 0.2 * _s(reads / n, zaikan / n, likes / n)
        + 0.1 * _s(headline_reads / d, headline_zaikan / d, headline_likes / d)
        + 0.1 * _s(max_reads, max_zaikan, max_likes)
    )
    return total**2 * 12


def kaushik_rates(
    posts: int, comments: float | None, reposts: float | None, likes: float | None
) -> dict[str, float | None]:
    """Kaushik's conversation, amplification and applause rates (per post).

    Parameters
    ----------
    posts : int
        Posts of the account in the period.
    comments, reposts, likes : float or None
        Totals over those posts; None when the platform did not report them.

    Returns
    -------
    dict
        ``conversation_rate``, ``amplification_rate``, ``applause_rate``: total / posts, or
        None when ``posts`` is 0 or the total is None.

    References
    ----------
    A. Kaushik, "Best Social Media Metrics: Conversation, Amplification, Applause, Economic
    Value", Occam's Razor, 2011.
    """

    def r(x):
        return None if x is None or posts <= 0 else float(x) / posts

    return {
        "conversation_rate": r(comments),
        "amplification_rate": r(reposts),
        "applause_rate": r(likes),
    }


_SQL = """
WITH p AS (
    SELECT * EXCLUDE (rn) FROM (
        SELECT post_id, account_id, platform, created_at, parent_id, kind,
               row_number() OVER (PARTITION BY post_id ORDER BY import_id DESC) AS rn
        FROM posts
    ) WHERE rn = 1
), m AS (
    SELECT * EXCLUDE (rn) FROM (
        SELECT post_id, reposts, replies, likes,
               row_number() OVER (PARTITION BY post_id ORDER BY observed_at DESC NULLS LAST,
                                  import_id DESC) AS rn
        FROM post_metrics
    ) WHERE rn = 1
)
SELECT p.account_id, any_value(p.platform) AS platform, count(*) AS posts,
       sum(m.reposts) AS reposts, sum(m.replies) AS comments, sum(m.likes) AS likes
FROM p LEFT JOIN m USING (post_id)
WHERE p.created_at >= ? AND p.created_at < ?
  AND (p.parent_id IS NULL OR p.kind IN ('original', 'repost', 'quote'))
GROUP BY p.account_id
"""


def account_indices(
    ws: Workspace, accounts: Sequence[str], since: dt.datetime, until: dt.datetime
) -> pd.DataFrame:
    """BCI, WCI and Kaushik's rates for each account over ``[since, until)``.

    Parameters
    ----------
    ws : Workspace
    accounts : sequence of str
        Account ids (owned and competitors).
    since, until : datetime
        Naive UTC.

    Returns
    -------
    DataFrame
        One row per account: ``account_id``, ``platform``, ``posts``, ``reposts``,
        ``comments``, ``likes`` (sums of the latest snapshots; NaN when none reported),
        ``weibo_bci`` (Weibo accounts only), ``wechat_wci`` (NaN) with ``wci_reason``,
        ``conversation_rate``, ``amplification_rate``, ``applause_rate``, and ``reason``
        (why a figure is null).
    """
    import numpy as np
    import pandas as pd

    agg = ws.con.execute(_SQL, [since, until]).df().set_index("account_id")
    rows = []
    for acc in accounts:
        platform = acc.split(":", 1)[0]
        if acc in agg.index:
            a = agg.loc[acc]
            n = int(a["posts"])
            vals = {
                k: (None if pd.isna(a[k]) else float(a[k]))
                for k in ("reposts", "comments", "likes")
            }
        else:
            n, vals = 0, {"reposts": None, "comments": None, "likes": None}
        reasons = []
        b = None
        if platform == "weibo":
            if n and all(v is not None for v in vals.values()):
                b = bci(n, vals["reposts"], vals["comments"], vals["likes"])
            elif n:
                reasons.append("BCI: the posts carry no repost, comment or like counts")
            else:
                reasons.append("BCI: no post in the period")
        rates = kaushik_rates(n, vals["comments"], vals["reposts"], vals["likes"])
        if not n:
            reasons.append("rates: no post in the period")
        rows.append(
            {
                "account_id": acc,
                "platform": platform,
                "posts": n,
                **{k: (np.nan if v is None else v) for k, v in vals.items()},
                "weibo_bci": np.nan if b is None else b,
                "wechat_wci": np.nan,
                "wci_reason": "no WeChat article reads in the workspace (WCI needs reads, 在看 "
                "and likes per article)",
                **{k: (np.nan if v is None else v) for k, v in rates.items()},
                "reason": "; ".join(reasons) or None,
            }
        )
    return pd.DataFrame(rows)
