"""The opinion section: what people said about the campaign, on which channels, about what.

Reads the ``annotations`` that :func:`ripplemeter.text.annotate.annotate_workspace` stored
(``ripplemeter report`` runs it before evaluating; the section itself never writes) and
reports, under ``qualitative.*`` in metrics.json:

* **opinion ratios** of the mentions: positive, neutral and negative shares with their
  counts, overall, by channel and by platform; **net sentiment** in its two named variants,
  (P - N) / (P + N) and (P - N) / all;
* **sentiment over time**, per local day of the campaign;
* **follow-up opinion** per channel: the same ratios over the replies and comments that
  answer the campaign's own posts (their parent or root is a post by an ``owned`` account);
* **focus points**: per aspect, positive / negative / neutral (and conflict) counts, with a
  few representative quotes;
* **spam share**: spam is counted apart and left out of every ratio;
* the **negative share of search-engine first pages**: of the results ranked 1-10 for each
  query and engine, the share whose title and snippet read negative.

Which posts are mentions
------------------------
Posts of the campaign's sources created in the campaign window (its UTC bounds), each
counted once (its latest import), leaving out reposts (they repeat another post's words)
and the posts of the campaign's own accounts (``role = owned`` in an accounts import: the
brand's posts are not opinion about it). A mention counts in the ratios when it has a
sentiment annotation and is not spam (a mention without a spam annotation counts as not
spam). The latest annotation run of each text is read (``annotated_at``).

Which search results count
--------------------------
The ``serp_results`` of the campaign's sources whose search time (``observed_at``) lies in
the campaign window, and those without a search time (Naver and Baidu dumps and most scraped
files record none): listing a SERP file among a campaign's sources says it was taken for this
campaign. Results observed outside the window are left out; both counts are in the notes.
A first page is ranks 1..``first_page`` (default 10) of one result list (one query, engine
and list in a file): several lists of the same query are pooled.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from ripplemeter.evaluate.context import EvalContext
from ripplemeter.evaluate.exposure import CAMPAIGN_ROLES
from ripplemeter.evaluate.metrics import Metric, ratio
from ripplemeter.evaluate.section import Figure, SectionResult, register_section
from ripplemeter.formatting import day_span, shorten
from ripplemeter.text.lang import LANGUAGES, language_names

__all__ = ["OpinionSection", "OpinionSettings", "CHANNELS", "opinion_counts"]

#: Channels in the order the report lists them (others follow, then "not given").
CHANNELS: tuple[str, ...] = ("microblog", "sns", "blog", "forum", "video", "news")
POLARITIES: tuple[str, ...] = ("positive", "neutral", "negative")
NOT_GIVEN = "not given"

_SCOPE = (
    "Mentions: posts of the campaign's sources created in the campaign window, each counted "
    "once, without reposts and without the posts of the campaign's own accounts (role owned or "
    "partner, or marked partner: a paid partner's post is not public opinion); spam "
    "left out; sentiment from the shipped fast models (model cards in text/models), the latest "
    "annotation run of each text."
)
_SRC = "ripplemeter decision; labels from the shipped sentiment models (see their model cards)"
_NET_SRC = (
    "Black Box Intelligence help, 'What is Net Sentiment' (% positive - % negative, with and "
    "without neutral mentions); Symanto, 'What is Net Sentiment' ((positive - negative) / all)"
)

POSITIVE_SHARE = Metric(
    "opinion_positive_share",
    "Positive share of mentions",
    "positive / (positive + neutral + negative) mentions, spam left out",
    "ratio",
    _SRC,
    _SCOPE,
)
NEGATIVE_SHARE = Metric(
    "opinion_negative_share",
    "Negative share of mentions",
    "negative / (positive + neutral + negative) mentions, spam left out",
    "ratio",
    _SRC,
    _SCOPE,
)
NEUTRAL_SHARE = Metric(
    "opinion_neutral_share",
    "Neutral share of mentions",
    "neutral / (positive + neutral + negative) mentions, spam left out",
    "ratio",
    _SRC,
    _SCOPE,
)
MENTIONS = Metric(
    "opinion_mentions",
    "Mentions",
    "count of mentions (with the sentiment named, when one is)",
    "count",
    "ripplemeter decision",
    _SCOPE,
)
NET_SENTIMENT = Metric(
    "net_sentiment",
    "Net sentiment (polar mentions)",
    "(positive - negative) / (positive + negative)",
    "ratio",
    _NET_SRC,
    "From -100% (all polar mentions negative) to +100%; neutral mentions left out, so it "
    "moves with the balance of opinion only. Null when no mention is positive or negative.",
)
NET_SENTIMENT_ALL = Metric(
    "net_sentiment_all",
    "Net sentiment (all mentions)",
    "(positive - negative) / (positive + neutral + negative)",
    "ratio",
    _NET_SRC,
    "% positive minus % negative of all mentions with a sentiment: many neutral mentions pull "
    "it towards 0. Null when there is no mention.",
)
SPAM_SHARE = Metric(
    "spam_share",
    "Spam share of mentions",
    "spam mentions / mentions checked for spam",
    "ratio",
    "ripplemeter decision; spam model trained on the UCI YouTube Spam Collection (model card "
    "text/models/spam_en.card.md)",
    "Mentions as for the opinion ratios, before spam is taken out. The spam model learned "
    "English YouTube comments: links, calls to subscribe and giveaways; spam written otherwise "
    "may be missed.",
)
SERP_NEGATIVE_SHARE = Metric(
    "serp_negative_share",
    "Negative share of search first pages",
    "negative results / results with a sentiment, over ranks 1-10 of each query and engine",
    "ratio",
    "ripplemeter decision; title and snippet as displayed, scored by the shipped sentiment "
    "model of their language, Korean news results (web and blog searches apart) by the news-tone model "
    "news-tone-ko (model card text/models/news-tone-ko.md)",
    "Results of the campaign's SERP sources observed in the campaign window or without a "
    "search time; each result list's first page (ranks 1-10) counts, lists of the same query "
    "pooled. Results without a sentiment (a language without a model) are left out of both "
    "counts. Error against hand labels: see docs/opinion.md.",
)
SERP_RESULTS = Metric(
    "serp_first_page_results",
    "First-page search results",
    "count of results ranked 1-10 (with the sentiment named, when one is)",
    "count",
    "ripplemeter decision",
    "Results of the campaign's SERP sources, as for the negative share of first pages.",
)
ASPECT_MENTIONS = Metric(
    "aspect_mentions",
    "Mentions of an aspect",
    "count of mentions that talk about the aspect (by the polarity toward it, when named)",
    "count",
    "ripplemeter decision; aspects from the shipped taxonomy and detector "
    "(ripplemeter.text.aspects)",
    "A mention talking about several aspects counts once for each; spam left out. Polarity is "
    "the sentiment toward that aspect, which may differ from the mention's overall sentiment.",
)


class OpinionSettings(BaseModel):
    """``[opinion]`` in campaign.toml.

    Attributes
    ----------
    first_page : int
        Ranks that make a search engine's first page.
    aspects : int
        Aspects listed in the report, the most mentioned first (all are in metrics.json).
    quotes : int
        Representative quotes per aspect and polarity (positive and negative).
    quote_chars : int
        Longest quote shown; longer texts are cut with an ellipsis.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    first_page: int = Field(10, ge=1, le=100)
    aspects: int = Field(10, ge=1, le=100)
    quotes: int = Field(2, ge=0, le=10)
    quote_chars: int = Field(240, ge=20, le=2000)


# ----------------------------------------------------------------------------- queries
def latest_annotations(ctx: EvalContext, task: str) -> ir.Table:
    """Annotations of one task from each subject's latest run (an Ibis expression).

    The annotations table is not scoped by import (a text's annotation serves every campaign
    that imports it); callers join it to scoped subjects.
    """
    a = ctx.tables.raw("annotations")
    a = a.filter(a.task == task).mutate(
        _at=a.annotated_at.fill_null(ibis.timestamp("1970-01-01 00:00:00"))
    )
    w = ibis.window(group_by="subject_id")
    return a.mutate(_last=a._at.max().over(w)).filter(ibis._._at == ibis._._last)


def _mentions(ctx: EvalContext) -> tuple[ir.Table, dict]:
    """The campaign's mentions in the window, flagged, with their sentiment and spam labels."""
    lp = ctx.tables.latest_posts(ctx.window.campaign)
    acc = ctx.tables.accounts
    owned = acc.filter(acc.role.isin(CAMPAIGN_ROLES) | acc.is_partner.fill_null(False)).account_id
    posts = ctx.tables.posts
    owned_posts = posts.filter(posts.account_id.isin(owned)).post_id
    is_owned = lp.account_id.isin(owned).fill_null(False)
    is_repost = (lp.kind == "repost").fill_null(False)
    counts = lp.aggregate(
        posts=lp.count(),
        owned=is_owned.sum().cast("int64"),
        reposts=(is_repost & ~is_owned).sum().cast("int64"),
    )
    m = lp.filter(~is_owned, ~is_repost).mutate(
        follow_up=(lp.parent_id.isin(owned_posts) | lp.root_id.isin(owned_posts)).fill_null(False)
    )
    sent = latest_annotations(ctx, "sentiment").select(
        _s_id="subject_id", sentiment="label", _s_score="score"
    )
    spam = latest_annotations(ctx, "spam").select(_p_id="subject_id", spam="label")
    m = m.left_join(sent, m.post_id == sent._s_id).left_join(spam, ibis._.post_id == spam._p_id)
    return m.drop("_s_id", "_p_id"), counts


def opinion_counts(frame: pd.DataFrame, by: str | None = None) -> list[dict]:
    """Opinion counts, shares and net sentiment per group of a small count frame.

    Parameters
    ----------
    frame : DataFrame
        Columns ``sentiment`` (positive, neutral, negative or None), ``spam`` (spam, ham or
        None), ``n`` (mentions), and the grouping column ``by`` when given.
    by : str, optional
        Column to group by; None for one overall group.

    Returns
    -------
    list of dict
        Per group: ``mentions`` (all), ``spam``, ``unscored`` (not spam, no sentiment),
        ``positive``, ``neutral``, ``negative``, ``total`` (their sum), the three shares
        (``positive_share`` ...), ``net_sentiment`` ((P - N) / (P + N)),
        ``net_sentiment_all`` ((P - N) / total) and ``reasons`` for nulls.
    """
    groups = [(None, frame)] if by is None else list(frame.groupby(by, dropna=False, sort=False))
    out = []
    for key, g in groups:
        is_spam = g["spam"] == "spam"
        ok = g[~is_spam]
        c = {p: int(ok.loc[ok["sentiment"] == p, "n"].sum()) for p in POLARITIES}
        total = sum(c.values())
        d = {
            "mentions": int(g["n"].sum()),
            "spam": int(g.loc[is_spam, "n"].sum()),
            "checked_for_spam": int(g.loc[g["spam"].notna(), "n"].sum()),
            "unscored": int(ok.loc[~ok["sentiment"].isin(POLARITIES), "n"].sum()),
            **c,
            "total": total,
        }
        reasons = {}
        for p in POLARITIES:
            r = ratio(c[p], total, what="mentions with a sentiment")
            d[f"{p}_share"] = r.value
            if r.reason:
                reasons[f"{p}_share"] = r.reason
        net = ratio(c["positive"] - c["negative"], c["positive"] + c["negative"])
        d["net_sentiment"] = net.value
        if net.reason:
            reasons["net_sentiment"] = "no mention is positive or negative"
        r = ratio(c["positive"] - c["negative"], total, what="mentions with a sentiment")
        d["net_sentiment_all"] = r.value
        if r.reason:
            reasons["net_sentiment_all"] = r.reason
        sp = ratio(d["spam"], d["checked_for_spam"], what="mentions checked for spam")
        d["spam_share"] = sp.value
        if sp.reason:
            reasons["spam_share"] = sp.reason
        d["reasons"] = reasons
        if by is not None:
            key = key[0] if isinstance(key, tuple) else key
            d = {by: NOT_GIVEN if key is None or pd.isna(key) else str(key), **d}
        out.append(d)
    return out


_GROUP_FIGURES = {
    "positive_share": "opinion_positive_share",
    "neutral_share": "opinion_neutral_share",
    "negative_share": "opinion_negative_share",
    "positive": "opinion_mentions",
    "neutral": "opinion_mentions",
    "negative": "opinion_mentions",
    "total": "opinion_mentions",
    "net_sentiment": "net_sentiment",
    "net_sentiment_all": "net_sentiment_all",
}


def _group_figures(prefix: str, d: dict) -> list[Figure]:
    r = d.get("reasons") or {}
    return [
        Figure(f"{prefix}.{k}", mid, d[k], r.get(k) if d[k] is None else None)
        for k, mid in _GROUP_FIGURES.items()
    ]


def _channel_order(name: str) -> tuple[int, str]:
    if name in CHANNELS:
        return (CHANNELS.index(name), name)
    return (len(CHANNELS) + (1 if name == NOT_GIVEN else 0), name)


def aspect_labels() -> dict[str, str]:
    """Aspect id -> the name readers see, from the shipped taxonomies (``product`` first).

    Annotations store aspect ids (``after_sales``); the report shows the taxonomy's label
    ("After-sales service"), or the id with spaces for an aspect no shipped taxonomy names.
    """
    try:
        from ripplemeter.text.aspects import load_taxonomy, taxonomy_names
    except ImportError:  # pragma: no cover - the aspects module ships with the package
        return {}
    out: dict[str, str] = {}
    names = sorted(taxonomy_names(), key=lambda n: (n != "product", n))
    for name in names:
        tax = load_taxonomy(name)
        for aspect in tax.aspects:
            out.setdefault(aspect, tax.label(aspect))
    return out


#: The languages a ``sentiment-<lang>-<tier>`` model name may carry, by name.
_LANGUAGE_NAMES = language_names(LANGUAGES)


#: How each model's reading of search results was checked, in plain words: the hand-label
#: check of the news-tone model is its model card's gold figures (news-tone-ko.md, "Gold
#: figures", log training/logs/news_tone_ko_gold.json: 203 of 215 results agree).
SERP_CHECKS = {
    "news-tone-ko": (
        "checked against hand labels: 94% agreement on 215 Naver News results for Samsung"
    ),
}
#: What each language's sentiment model learned from (the model cards' data sections).
_SENTIMENT_TRAINED_ON = {
    "en": "tweets",
    "zh": "hotel, shopping and food-delivery reviews",
    "ko": "movie reviews",
}


def _sentiment_model(model: str, known) -> tuple[str, str] | None:
    """``(lang, tier)`` of a ``sentiment-<lang>-<tier>`` model name whose lang is in ``known``."""
    parts = model.split("-")
    if len(parts) == 3 and parts[0] == "sentiment" and parts[1] in known:
        return parts[1], parts[2]
    return None


def serp_model_name(model: str) -> str:
    """A model's plain name, as the report's "read by" column shows it.

    Parameters
    ----------
    model : str
        An annotation's model name: ``news-tone-ko`` or ``sentiment-<lang>-<tier>``.

    Returns
    -------
    str
        ``"Korean news-tone model"``, ``"English sentiment model (fast tier)"``; another name
        is returned as it is.
    """
    if model == "news-tone-ko":
        return "Korean news-tone model"
    lt = _sentiment_model(model, _LANGUAGE_NAMES)
    return f"{_LANGUAGE_NAMES[lt[0]]} sentiment model ({lt[1]} tier)" if lt else model


def serp_check(model: str) -> tuple[bool, str]:
    """Whether a model's reading of search results was checked against hand labels, in words.

    Parameters
    ----------
    model : str
        An annotation's model name: ``news-tone-ko`` or ``sentiment-<lang>-<tier>``.

    Returns
    -------
    tuple of (bool, str)
        ``(True, "checked against hand labels: 94% agreement on ...")`` for a model measured
        on search results (:data:`SERP_CHECKS`, from its model card's gold figures), else
        ``(False, "trained on tweets, not checked on search results")``.
    """
    if model in SERP_CHECKS:
        return True, SERP_CHECKS[model]
    lt = _sentiment_model(model, _SENTIMENT_TRAINED_ON)
    if lt:
        return False, f"trained on {_SENTIMENT_TRAINED_ON[lt[0]]}, not checked on search results"
    return False, "not checked on search results"


def serp_reader(model: str) -> str:
    """Plain words for the model that read search results, as the report prints it.

    Parameters
    ----------
    model : str
        An annotation's model name: ``news-tone-ko`` or ``sentiment-<lang>-<tier>``.

    Returns
    -------
    str
        ``"the Korean news-tone model (is the result bad news for the brand searched?)"``,
        ``"the English sentiment model (fast tier)"``; another name is returned as it is.
    """
    if model == "news-tone-ko":
        return "the Korean news-tone model (is the result bad news for the brand searched?)"
    return f"the {serp_model_name(model)}" if _sentiment_model(model, _LANGUAGE_NAMES) else model


def _span(period) -> str:
    """A window as readers write it: ``1 Mar 2026 – 31 Mar 2026``."""
    return day_span(period.start, period.end)


@register_section
class OpinionSection:
    """Opinion and focus points: sentiment, aspects, spam and search first pages."""

    id = "opinion"
    title = "Opinion: what people said"
    order = 72
    metrics = (
        POSITIVE_SHARE,
        NEUTRAL_SHARE,
        NEGATIVE_SHARE,
        MENTIONS,
        NET_SENTIMENT,
        NET_SENTIMENT_ALL,
        SPAM_SHARE,
        SERP_NEGATIVE_SHARE,
        SERP_RESULTS,
        ASPECT_MENTIONS,
    )
    settings = OpinionSettings
    headline_group = "organic"

    def headline(self, res: SectionResult) -> list[tuple[str, str, str]]:
        """At most two cards: net sentiment and the negative share of search first pages."""
        return [
            (
                "qualitative.opinion.overall.net_sentiment",
                "net sentiment of mentions (positive minus negative)",
                "organic",
            ),
            ("qualitative.serp.negative_share", "negative results on search first pages", "search"),
        ]

    def run(self, ctx: EvalContext) -> SectionResult:
        s = ctx.settings_for(self)
        period = ctx.window.campaign
        m, counts_expr = _mentions(ctx)
        counts = counts_expr.to_pandas().iloc[0]
        grouped = (
            m.group_by(["channel", "platform", "follow_up", "sentiment", "spam"])
            .aggregate(n=ibis._.count())
            .to_pandas()
        )
        for col in ("channel", "platform", "sentiment", "spam"):
            grouped[col] = grouped[col].astype(object).where(grouped[col].notna(), None)
        serp = self._serp(ctx, s)
        n_mentions = int(grouped["n"].sum()) if len(grouped) else 0
        scored = int(grouped.loc[grouped["sentiment"].notna(), "n"].sum()) if n_mentions else 0
        if not scored and not serp["scored"]:
            if n_mentions:
                return SectionResult.no_data(
                    f"none of the {n_mentions} mention(s) of the campaign window has a sentiment "
                    "annotation: run `ripplemeter annotate` (the report does it before it "
                    "evaluates)"
                )
            if serp["results"]:
                return SectionResult.no_data(
                    "no first-page search result of the campaign has a sentiment annotation: "
                    "run `ripplemeter annotate`"
                )
            return SectionResult.no_data(
                f"no comments, mentions or search results in the campaign window ({_span(period)})"
            )
        figs: list[Figure] = []
        notes: list[str] = []
        q: dict = {}
        op: dict = {}
        if n_mentions:
            overall = opinion_counts(grouped)[0]
            by_channel = sorted(
                opinion_counts(grouped, "channel"), key=lambda d: _channel_order(d["channel"])
            )
            by_platform = sorted(
                opinion_counts(grouped, "platform"), key=lambda d: (-d["mentions"], d["platform"])
            )
            fu = grouped[grouped["follow_up"]]
            follow_up = (
                sorted(opinion_counts(fu, "channel"), key=lambda d: _channel_order(d["channel"]))
                if len(fu)
                else []
            )
            op = {
                "overall": overall,
                "by_channel": by_channel,
                "by_platform": by_platform,
                "follow_up": follow_up,
                "follow_up_total": opinion_counts(fu)[0] if len(fu) else None,
            }
            figs += _group_figures("qualitative.opinion.overall", overall)
            figs.append(
                Figure(
                    "qualitative.opinion.overall.mentions", "opinion_mentions", overall["mentions"]
                )
            )
            figs.append(
                Figure(
                    "qualitative.opinion.overall.spam",
                    "opinion_mentions",
                    overall["spam"],
                )
            )
            figs.append(
                Figure(
                    "qualitative.opinion.overall.spam_share",
                    "spam_share",
                    overall["spam_share"],
                    overall["reasons"].get("spam_share"),
                )
            )
            for key in ("by_channel", "by_platform", "follow_up"):
                for i, d in enumerate(op[key]):
                    figs += _group_figures(f"qualitative.opinion.{key}.{i}", d)
            if op["follow_up_total"] is not None:
                figs += _group_figures("qualitative.opinion.follow_up_total", op["follow_up_total"])
            q["opinion"] = op
            if overall["unscored"]:
                notes.append(
                    f"{overall['unscored']} mention(s) have no sentiment (a language without a "
                    "model, such as Japanese) and are left out of the opinion ratios."
                )
            if overall["spam"]:
                notes.append(
                    f"{overall['spam']} of {overall['checked_for_spam']} mention(s) read as spam "
                    "and are left out of the opinion ratios."
                )
            if int(counts["owned"]) or int(counts["reposts"]):
                notes.append(
                    f"Left out of the mentions: {int(counts['owned'])} post(s) by the campaign's "
                    f"own accounts and {int(counts['reposts'])} repost(s)."
                )
            daily = self._daily(ctx, m)
            q["over_time"] = [
                {"day": d.isoformat(), **{p: int(r[p]) for p in POLARITIES}}
                for d, r in zip(daily["day"], daily.to_dict("records"), strict=True)
            ]
            aspects = self._aspects(ctx, m, s)
            q["focus_points"] = aspects
            for i, a in enumerate(aspects["aspects"]):
                for k in ("mentions", *POLARITIES, "conflict"):
                    figs.append(
                        Figure(f"qualitative.focus_points.aspects.{i}.{k}", "aspect_mentions", a[k])
                    )
            if aspects["note"]:
                notes.append(aspects["note"])
        else:
            daily = pd.DataFrame(columns=["day", *POLARITIES])
        if serp["results"]:
            q["serp"] = serp["data"]
            figs += serp["figures"]
            notes += serp["notes"]
        return SectionResult(
            figures=figs,
            data={f"qualitative.{k}": v for k, v in q.items()},
            frames={"sentiment_daily": daily},
            notes=notes,
            uses=("opinion_mentions",),
        )

    # ------------------------------------------------------------------ parts
    def _daily(self, ctx: EvalContext, m: ir.Table) -> pd.DataFrame:
        """Mentions per local day and sentiment (spam left out), every day of the window."""
        days = ctx.window.local_days(ctx.window.campaign)
        d = ibis.memtable(days)
        ok = m.filter(m.sentiment.notnull(), (m.spam != "spam").fill_null(True))
        j = ok.join(d, (ok.created_at >= d.lo) & (ok.created_at < d.hi))
        per = j.group_by(["day", "sentiment"]).aggregate(n=ibis._.count()).to_pandas()
        if len(per):
            per["day"] = pd.to_datetime(per["day"]).dt.date
        wide = (
            per.pivot_table(index="day", columns="sentiment", values="n", aggfunc="sum")
            if len(per)
            else pd.DataFrame()
        )
        out = pd.DataFrame({"day": days["day"]})
        for p in POLARITIES:
            col = wide[p].to_dict() if p in wide.columns else {}
            out[p] = [0 if pd.isna(col.get(d)) else int(col[d]) for d in out["day"]]
        pos, neg = out["positive"], out["negative"]
        out["net_sentiment"] = ((pos - neg) / (pos + neg)).where((pos + neg) > 0)
        return out

    def _aspects(self, ctx: EvalContext, m: ir.Table, s: OpinionSettings) -> dict:
        every = latest_annotations(ctx, "aspect")
        a = every.filter(every.aspect.notnull())
        ok = m.filter((m.spam != "spam").fill_null(True)).select(
            "post_id", "text", "created_at", "platform", "channel"
        )
        checked = int(ok.filter(ok.post_id.isin(every.subject_id)).count().to_pyarrow().as_py())
        j = ok.join(a, ok.post_id == a.subject_id)
        counts = j.group_by(["aspect", "label"]).aggregate(n=ibis._.count()).to_pandas()
        rows = []
        labels = aspect_labels() if len(counts) else {}
        for aspect, g in counts.groupby("aspect", sort=False):
            c = {p: int(g.loc[g["label"] == p, "n"].sum()) for p in (*POLARITIES, "conflict")}
            rows.append(
                {
                    "aspect": str(aspect),
                    "label": labels.get(str(aspect)) or str(aspect).replace("_", " "),
                    "mentions": int(g["n"].sum()),
                    **c,
                }
            )
        rows.sort(key=lambda r: (-r["mentions"], r["aspect"]))
        note = None
        if len(rows) > s.aspects:
            note = (
                f"{len(rows)} aspects were found; the report lists the {s.aspects} most "
                "mentioned (metrics.json has them all)."
            )
        shown = rows[: s.aspects]
        if shown and s.quotes:
            w = ibis.window(
                group_by=["aspect", "label"],
                order_by=[ibis.desc(j.score), j.created_at, j.post_id],
            )
            top = (
                j.filter(
                    j.aspect.isin([r["aspect"] for r in shown]),
                    j.label.isin(["positive", "negative"]),
                )
                .mutate(_rn=ibis.row_number().over(w))
                .filter(ibis._._rn < s.quotes)
                .select("aspect", "label", "post_id", "text", "platform", "channel", "_rn")
                .to_pandas()
                .sort_values(["aspect", "label", "_rn"])
            )
            for r in shown:
                for p in ("positive", "negative"):
                    t = top[(top["aspect"] == r["aspect"]) & (top["label"] == p)]
                    r[f"{p}_quotes"] = [
                        {
                            "post_id": x.post_id,
                            "platform": x.platform,
                            "text": shorten(x.text, s.quote_chars, words=False),
                        }
                        for x in t.itertuples()
                    ]
        return {"aspects": rows, "shown": len(shown), "checked": checked, "note": note}

    def _serp(self, ctx: EvalContext, s: OpinionSettings) -> dict:
        from ripplemeter.text.annotate import serp_subject_id

        period = ctx.window.campaign
        t = ctx.tables.serp_results
        inside = t.observed_at.isnull() | (
            (t.observed_at >= period.lo.to_pydatetime())
            & (t.observed_at < period.hi.to_pydatetime())
        )
        c = (
            t.aggregate(
                results=t.count(),
                untimed=t.observed_at.isnull().sum().cast("int64"),
                outside=(~inside).sum().cast("int64"),
            )
            .to_pandas()
            .iloc[0]
        )
        out = {"results": int(c["results"]), "scored": 0, "data": None, "figures": [], "notes": []}
        if not out["results"]:
            return out
        first = t.filter(inside, t.rank <= s.first_page)
        first = first.mutate(_sid=serp_subject_id(first))
        sent = latest_annotations(ctx, "sentiment").select(
            _s_id="subject_id", sentiment="label", _model="model", _model_version="model_version"
        )
        j = first.left_join(sent, first._sid == sent._s_id)
        g = j.group_by(["engine", "query", "sentiment"]).aggregate(n=ibis._.count()).to_pandas()
        # which model scored the first pages (Korean results: the news-tone model)
        per_query = (
            j.filter(j._model.notnull())
            .group_by(["engine", "query", "_model", "_model_version"])
            .aggregate(n=ibis._.count())
            .to_pandas()
        )
        per_query["query"] = (
            per_query["query"].astype(object).where(per_query["query"].notna(), None)
        )
        used = (
            per_query.groupby(["_model", "_model_version"], as_index=False)["n"]
            .sum()
            .sort_values(["n", "_model"], ascending=[False, True])
        )
        scored_by = []
        for r in used.to_dict("records"):
            checked, check = serp_check(str(r["_model"]))
            scored_by.append(
                {
                    "model": str(r["_model"]),
                    "version": str(r["_model_version"]),
                    "results": int(r["n"]),
                    "reader": serp_reader(str(r["_model"])),
                    "name": serp_model_name(str(r["_model"])),
                    "checked": checked,
                    "check": check,
                }
            )

        def read_by(engine, query) -> list[dict]:
            rows = per_query[
                (per_query["engine"] == engine) & (per_query["query"].fillna("") == (query or ""))
            ].sort_values(["n", "_model"], ascending=[False, True])
            return [
                {
                    "model": str(r["_model"]),
                    "version": str(r["_model_version"]),
                    "results": int(r["n"]),
                    "name": serp_model_name(str(r["_model"])),
                }
                for r in rows.to_dict("records")
            ]

        g["sentiment"] = g["sentiment"].astype(object).where(g["sentiment"].notna(), None)
        g["query"] = g["query"].astype(object).where(g["query"].notna(), None)
        lists = (
            j.group_by(["engine", "query"])
            .aggregate(lists=(j.import_id.cast("string") + ":" + j.batch.cast("string")).nunique())
            .to_pandas()
        )

        def summary(part: pd.DataFrame) -> dict:
            results = int(part["n"].sum())
            scored = int(part.loc[part["sentiment"].isin(POLARITIES), "n"].sum())
            neg = int(part.loc[part["sentiment"] == "negative", "n"].sum())
            r = ratio(neg, scored, what="first-page results with a sentiment")
            return {
                "results": results,
                "scored": scored,
                "negative": neg,
                "negative_share": r.value,
                "reasons": {"negative_share": r.reason} if r.reason else {},
            }

        overall = summary(g)
        by_query = []
        for (engine, query), part in g.groupby(["engine", "query"], dropna=False, sort=True):
            query = None if pd.isna(query) else query  # a NaN key is truthy: never "" by `or`
            row = lists[(lists["engine"] == engine) & (lists["query"].fillna("") == (query or ""))]
            by_query.append(
                {
                    "engine": engine,
                    "query": query,
                    "lists": int(row["lists"].iloc[0]) if len(row) else 0,
                    "read_by": read_by(engine, query),
                    **summary(part),
                }
            )
        by_query.sort(key=lambda d: (-d["results"], str(d["engine"]), str(d["query"])))
        data = {
            **overall,
            "first_page": s.first_page,
            "by_query": by_query,
            "scored_by": scored_by,
        }
        figs = [
            Figure(
                "qualitative.serp.negative_share",
                "serp_negative_share",
                overall["negative_share"],
                overall["reasons"].get("negative_share"),
            ),
            Figure("qualitative.serp.results", "serp_first_page_results", overall["results"]),
            Figure("qualitative.serp.negative", "serp_first_page_results", overall["negative"]),
        ]
        for i, d in enumerate(by_query):
            figs += [
                Figure(
                    f"qualitative.serp.by_query.{i}.negative_share",
                    "serp_negative_share",
                    d["negative_share"],
                    d["reasons"].get("negative_share"),
                ),
                Figure(
                    f"qualitative.serp.by_query.{i}.results",
                    "serp_first_page_results",
                    d["results"],
                ),
                Figure(
                    f"qualitative.serp.by_query.{i}.negative",
                    "serp_first_page_results",
                    d["negative"],
                ),
            ]
        notes = []
        if scored_by:
            notes.append(
                "Search results' sentiment: "
                + "; ".join(
                    f"{d['results']} first-page result(s) read by model {d['model']}, "
                    f"the {d['name']}, {d['check']}"
                    for d in scored_by
                )
                + "."
            )
        if int(c["untimed"]):
            notes.append(
                f"{int(c['untimed'])} search result(s) carry no search time; they count as taken "
                "for this campaign, since their files are among its sources."
            )
        if int(c["outside"]):
            notes.append(
                f"{int(c['outside'])} search result(s) were observed outside the campaign window "
                f"({_span(period)}) and are left out."
            )
        if overall["results"] > overall["scored"]:
            notes.append(
                f"{overall['results'] - overall['scored']} first-page result(s) have no sentiment "
                "(no model for their language, or no text) and are left out of the negative share."
            )
        out.update(scored=overall["scored"], data=data, figures=figs, notes=notes)
        return out
