"""Tone of Korean news search results toward the brand searched: negative or not.

The opinion section reports the negative share of search first pages. Korean sentiment models
trained on movie reviews read news headlines as neutral ("KOSPI falls below 4,000; Samsung
-2.78%" has no opinion words), so a day of market-slump headlines came out "0% negative".
This model asks the question a marketing lead asks of a results page (the guideline in
``tests/data/naver_news_gold/GUIDELINE.md``): *is this result bad news for the brand that
was searched?* -- its share price falling, a business setback, a threat, criticism or a
lawsuit.

Method
------
An explainable rule lexicon and a logistic head. Each text (display title and snippet,
:func:`ripplemeter.text.annotate.serp_text`) is described by :data:`FEATURES`, binary or
small-count cues written from hand-labelled development results (ranks 216-1000 of the
삼성전자 Naver News dump): the searched brand followed within a few words by a fall ("삼성전자
(-2.88%)", "삼성전자는 2.98% 내린"), by a rise; a market slump in the headline; a price
milestone lost ("10만전자 반납"); selling; controversy, threat, cost and bubble words; neutral
event words. The brand is the search query (its words of two letters or more); without a
query the brand cues are 0. A logistic regression over the cues (weights in
``models/news-tone-ko.npz``, trained by ``training/train_news_tone.py``; settings chosen by
cross-validation grouped by news story) gives the probability of ``negative``;
:meth:`NewsToneModel.explain` lists the cues that fired with their weights.

Labels are ``negative`` and ``neutral``; ``neutral`` here means *not negative* (neutral or
positive news): the guideline, and the share it feeds, are binary.

References
----------
Model card: ``models/news-tone-ko.md`` (data, split, cross-validated and gold figures).
Logistic regression: Cox, D. R. (1958), "The regression analysis of binary sequences",
JRSS B 20(2).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from ripplemeter.errors import RippleError

__all__ = [
    "FEATURES",
    "MODEL_NAME",
    "NewsToneModel",
    "NewsToneUnavailable",
    "brand_terms",
    "cue_digest",
    "model_path",
    "news_features",
]

MODEL_NAME = "news-tone-ko"
"""The name annotations carry (with the card version and the weights' hash as version)."""

_LOCK = threading.Lock()
_CACHE: dict[str, NewsToneModel] = {}


class NewsToneUnavailable(RippleError):
    """The shipped news-tone weights are missing or unreadable."""


# ----------------------------------------------------------------------------- cues
# a dash right after a number is a range ("3-5%", "3 – 5%"), not a minus sign
_PCT_DOWN = r"(?:(?<![\d.%])(?<![\d%] )[-−–]|[▼↓])\s?\d+(?:\.\d+)?\s?%"
_PCT_UP = r"(?:\+|▲|↑)\s?\d+(?:\.\d+)?\s?%"
_FALL = (
    r"하락|급락|폭락|내린|내려|내렸|내리|(?<!m )(?<!m)떨어|밀려|밀리|밀린|약세|빠지|빠져|빠진|"
    r"주저앉|뚝(?!섬)|붕괴|무너|내줘|내줬|내준|반납|이탈|깨졌|깨져|깨지|후퇴|흘러내"
)
_RISE = r"상승|올라|오른|올랐|오르|급등|강세|반등|회복|탈환|되찾|껑충|날아"
_RE_FALL = re.compile(f"{_PCT_DOWN}|{_FALL}")
_RE_RISE = re.compile(f"{_PCT_UP}|{_RISE}")
_RE_PCT_DOWN = re.compile(_PCT_DOWN)
_RE_MARKET = re.compile(r"코스피|코스닥|증시|지수|반도체주|대장주|투톱|\d{3,4}선|\d천선|\d{3,4}피")
_RE_MILESTONE = re.compile(
    r"\d+만\s?[가-힣]{1,3}['’\"”]?.{0,12}?(?:내줘|내줬|내준|반납|붕괴|무너|이탈|깨|밑|아래|옛말|후퇴)"
)
_RE_SELL = re.compile(r"순매도|매도|팔자|팔았|내다팔|비중\s?축소|차익\s?실현")
_RE_CONTROVERSY = re.compile(
    r"논란|의혹|비판|비난|조작|탄압|소송|평결|배상|과징금|리콜|스파이웨어|해킹|정보\s?유출|"
    r"유출\s?피해|노조|특혜|외면|규탄|질타|공식\s?사과"
)
_RE_THREAT = re.compile(
    r"추월|역전|추격|뒤처|뒤진|뒤져|위협|위기|타격|압박|리스크|충격|쇼크|초비상|잠식|경고|공포|"
    r"위태|불안|경계"
)
_RE_COST = re.compile(r"비용|원가|부담|불어나")
_RE_BUBBLE = re.compile(r"거품|버블")
_RE_POSITIVE = re.compile(
    r"투자|착공|재개|환영|상향|수주|협력|출시|체결|호실적|최대(?!\s?폭?\s?(?:낙폭|하락|급락|폭락|손실|적자|"
    r"감소|매도|순매도|규모\s?(?:순)?매도))|개선|증가|성장|수혜|호황|기대|"
    r"인수|파트너"
)
_RE_EVENT = re.compile(r"회장|출국|출장|순방|부고|별세|부친상|이벤트|경품|개소|캠페인|행사")

_WINDOW = 50  # characters after a brand mention searched for a fall or a rise
# a window ends at the next list separator (a comma not inside a number, a middle dot):
# "삼성전자 0.10%, SK하이닉스 -2.64%" says nothing about Samsung falling
_WINDOW_END = re.compile(r",(?!\d)|，|·|、|;")
# the brand overtaken: as object (을/를) or a headline's bare noun ("SK하이닉스, 삼성전자 제치고"),
# or as subject of the passive (추월당해); with 이/가 and an active verb the brand overtakes
_RE_OVERTAKEN = re.compile(r"^[을를]?\s?(?:제치|추월|앞질|따돌)|^[이가]?\s?(?:추월|역전)\s?당")

FEATURES: tuple[str, ...] = (
    "brand_fall",
    "brand_rise",
    "brand_overtaken",
    "brand_in_title",
    "title_brand_fall",
    "title_market_fall",
    "title_fall",
    "title_rise",
    "pct_down",
    "milestone_lost",
    "selling",
    "controversy",
    "threat",
    "title_threat",
    "cost",
    "bubble",
    "positive",
    "event",
)
"""The cues, in the column order of :func:`news_features` and of the weights.

* ``brand_fall`` / ``brand_rise``: within 50 characters after a mention of the brand, a fall
  (a negative percentage such as ``(-2.88%)``, or a fall word: 하락, 급락, 내린, 밀려, 약세,
  반납, 붕괴, 이탈...) comes before any rise (``+1.2%``, 상승, 오른, 급등, 반등, 회복...), or
  the reverse (the window ends at the next list separator: a comma outside a number, a
  middle dot), so "삼성전자 0.10%, SK하이닉스 -2.64%" is no fall of Samsung;
* ``brand_overtaken``: the brand is overtaken ("SK하이닉스가 삼성전자를 제치고", "삼성전자가
  추월당해"), not when it overtakes ("삼성전자가 추월");
* ``brand_in_title``; ``title_brand_fall``: the headline names the brand and a fall word;
* ``title_market_fall``: the headline names the market (코스피, 증시, 지수, 반도체주, "4000선")
  and a fall word; ``title_fall`` / ``title_rise``: any fall / rise word in the headline;
* ``pct_down``: negative percentages in the text (0, 1/3, 2/3 or 1 for three or more); a
  dash right after a number is a range ("3-5%"), not a minus;
* ``milestone_lost``: a price nickname lost ("10만전자 반납", "60만닉스 붕괴");
* ``selling`` (순매도, 매도, 팔자, 차익 실현); ``controversy`` (논란, 의혹, 소송, 과징금, 해킹,
  유출, 노조...); ``threat`` (추월, 역전, 위협, 타격, 압박, 리스크, 쇼크, 불안...) in the text,
  ``title_threat`` in the headline; ``cost`` (비용, 원가, 부담); ``bubble`` (거품, 버블);
* ``positive`` (투자, 착공, 재개, 환영, 상향, 수주, 협력, 출시, 호실적, 증가, 최대 -- but not
  최대 followed by a fall or a loss: 최대 낙폭 "largest fall", 최대 하락, 최대 손실...) and ``event``
  (회장, 출국, 순방, 부고, 이벤트, 경품, 행사...): cues of not-negative news.
"""


def brand_terms(query: str | None) -> tuple[str, ...]:
    """The words that name the searched brand: the query and its words of two letters or more.

    Parameters
    ----------
    query : str or None
        The search query as recorded in ``serp_results.query`` (``"삼성전자"``).

    Returns
    -------
    tuple of str
        Longest first (``("삼성전자",)``; ``"삼성 갤럭시"`` gives ``("삼성 갤럭시", "갤럭시",
        "삼성")``); empty without a query.
    """
    if not query or not query.strip():
        return ()
    q = " ".join(query.split())
    words = {w for w in q.split(" ") if len(w) >= 2}
    words.add(q)
    return tuple(sorted(words, key=lambda w: (-len(w), w)))


def _brand_direction(text: str, terms: tuple[str, ...]) -> tuple[bool, bool, bool]:
    """(a fall follows a brand mention first, a rise does, the brand is overtaken)."""
    fall = rise = overtaken = False
    for term in terms:
        start = 0
        while (i := text.find(term, start)) >= 0:
            start = i + len(term)
            window = text[start : start + _WINDOW]
            overtaken = overtaken or bool(_RE_OVERTAKEN.search(window))
            end = _WINDOW_END.search(window)
            if end:
                window = window[: end.start()]
            f = _RE_FALL.search(window)
            r = _RE_RISE.search(window)
            if f and (not r or f.start() <= r.start()):
                fall = True
            elif r:
                rise = True
    return fall, rise, overtaken


def news_features(
    titles: Sequence[str | None],
    snippets: Sequence[str | None],
    queries: Sequence[str | None] | str | None = None,
) -> np.ndarray:
    """The cues of :data:`FEATURES` for each search result.

    Parameters
    ----------
    titles, snippets : sequence of str or None, length n
        Display title and snippet (markup removed, as ``serp_results.title_text`` /
        ``snippet_text``). A snippet may be None or empty (a title-only result).
    queries : sequence of str or None, or str, optional
        The search query of each result (one string: the same for all). None: no brand cues.

    Returns
    -------
    ndarray of float64, shape (n, len(FEATURES))
        Values in [0, 1].

    Raises
    ------
    ValueError
        If the sequences differ in length.
    """
    n = len(titles)
    if len(snippets) != n:
        raise ValueError(f"{n} titles but {len(snippets)} snippets")
    if queries is None or isinstance(queries, str):
        qs: Sequence[str | None] = [queries] * n
    else:
        qs = queries
        if len(qs) != n:
            raise ValueError(f"{n} titles but {len(qs)} queries")
    out = np.zeros((n, len(FEATURES)), dtype=np.float64)
    term_cache: dict[str | None, tuple[str, ...]] = {}
    for i in range(n):
        title = titles[i] or ""
        snippet = snippets[i] or ""
        text = f"{title} {snippet}".strip()
        q = qs[i]
        terms = term_cache.get(q)
        if terms is None:
            terms = term_cache[q] = brand_terms(q)
        fall, rise, overtaken = _brand_direction(text, terms) if terms else (False,) * 3
        in_title = any(t in title for t in terms)
        t_fall = bool(_RE_FALL.search(title))
        row = (
            fall,
            rise and not fall,
            overtaken,
            in_title,
            in_title and t_fall,
            t_fall and bool(_RE_MARKET.search(title)),
            t_fall,
            bool(_RE_RISE.search(title)),
            min(len(_RE_PCT_DOWN.findall(text)), 3) / 3,
            bool(_RE_MILESTONE.search(text)),
            bool(_RE_SELL.search(text)),
            bool(_RE_CONTROVERSY.search(text)),
            bool(_RE_THREAT.search(text)),
            bool(_RE_THREAT.search(title)),
            bool(_RE_COST.search(text)),
            bool(_RE_BUBBLE.search(text)),
            bool(_RE_POSITIVE.search(text)),
            bool(_RE_EVENT.search(text)),
        )
        out[i] = row
    return out


# ----------------------------------------------------------------------------- model
@dataclass
class NewsToneModel:
    """Logistic head over :data:`FEATURES`: the probability that a result is negative news.

    Attributes
    ----------
    coef : ndarray of float64, shape (len(FEATURES),)
    intercept : float
    threshold : float
        Probability at or above which a result is ``negative`` (chosen by cross-validation).
    version : str
        The model card's version.
    """

    coef: np.ndarray
    intercept: float
    threshold: float
    version: str

    @classmethod
    def load(cls, path=None) -> NewsToneModel:
        """The shipped Korean news-tone model (``models/news-tone-ko.npz``), cached.

        Parameters
        ----------
        path : str or Path, optional
            Another weights file written by ``training/train_news_tone.py``.

        Raises
        ------
        NewsToneUnavailable
            If the file is missing, unreadable or names other cues than :data:`FEATURES`.
        """
        key = str(path) if path is not None else ""
        with _LOCK:
            if key in _CACHE:
                return _CACHE[key]
            p = path if path is not None else model_path()
            try:
                with np.load(p, allow_pickle=False) as z:
                    names = tuple(str(x) for x in z["features"])
                    m = cls(
                        coef=z["coef"].astype(np.float64),
                        intercept=float(z["intercept"]),
                        threshold=float(z["threshold"]),
                        version=str(z["version"]),
                    )
            except (OSError, KeyError, ValueError) as exc:
                raise NewsToneUnavailable(
                    f"the news-tone model {p} cannot be read ({exc}); reinstall ripplemeter or "
                    "run training/train_news_tone.py"
                ) from exc
            if names != FEATURES:
                raise NewsToneUnavailable(
                    f"the news-tone model {p} was trained on other cues ({len(names)}) than this "
                    f"version of ripplemeter ({len(FEATURES)}): run training/train_news_tone.py"
                )
            _CACHE[key] = m
            return m

    def proba(
        self,
        titles: Sequence[str | None],
        snippets: Sequence[str | None],
        queries: Sequence[str | None] | str | None = None,
    ) -> np.ndarray:
        """Probability that each result is negative news for the searched brand.

        Parameters
        ----------
        titles, snippets, queries
            As for :func:`news_features`.

        Returns
        -------
        ndarray of float64, shape (n,)
        """
        x = news_features(titles, snippets, queries)
        z = x @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def label_scores(
        self,
        titles: Sequence[str | None],
        snippets: Sequence[str | None],
        queries: Sequence[str | None] | str | None = None,
    ) -> pd.DataFrame:
        """DataFrame ``label`` (``negative``/``neutral``), ``score`` (probability of that label).

        ``neutral`` means *not negative*; see the module notes.
        """
        p = self.proba(titles, snippets, queries)
        neg = p >= self.threshold
        return pd.DataFrame(
            {"label": np.where(neg, "negative", "neutral"), "score": np.where(neg, p, 1 - p)}
        )

    def explain(self, title: str | None, snippet: str | None, query: str | None = None) -> dict:
        """Why one result got its label: the cues that fired and their weights.

        Returns
        -------
        dict
            ``label``, ``probability`` (of negative), ``cues``: list of (cue, value, weight)
            for the cues that fired, largest contribution first.
        """
        x = news_features([title], [snippet], query)[0]
        p = float(1.0 / (1.0 + np.exp(-(x @ self.coef + self.intercept))))
        cues = [(FEATURES[j], float(x[j]), float(self.coef[j])) for j in np.flatnonzero(x)]
        cues.sort(key=lambda c: -abs(c[1] * c[2]))
        return {
            "label": "negative" if p >= self.threshold else "neutral",
            "probability": p,
            "cues": cues,
        }


def cue_digest() -> str:
    """First 8 hex digits of the sha256 of the cue definitions (:data:`FEATURES`, the window
    and every ``_RE_*`` pattern of this module).

    The cues are code, not weights: annotations carry this digest in their version beside the
    weights' hash, so a changed cue annotates again (:mod:`ripplemeter.text.annotate`).

    Returns
    -------
    str
        8 lowercase hex digits.
    """
    import hashlib

    g = globals()
    parts = [repr(FEATURES), f"window={_WINDOW}"]
    parts += [
        f"{name}={value.pattern}"
        for name, value in sorted(g.items())
        if name.startswith("_RE_") and isinstance(value, re.Pattern)
    ]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:8]


def model_path():
    """Path of the shipped weights, ``ripplemeter/text/models/news-tone-ko.npz``."""
    return resources.files("ripplemeter.text").joinpath("models", f"{MODEL_NAME}.npz")
