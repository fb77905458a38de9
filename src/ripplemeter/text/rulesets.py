"""Explainable rule sets: named regular expressions per language, combined into a probability.

The promotional, engagement-bait and question detectors (:mod:`ripplemeter.text.promotional`,
:mod:`ripplemeter.text.bait`, :mod:`ripplemeter.text.questions`) are rule sets built on
:class:`RuleSet`: each :class:`Rule` names what it finds (``price``, ``tag_baiting``...), its
language and its *kind* (the family the verdict reports), and every hit is returned with its
character span in the original text, so a finding can quote the words behind it.

Scoring is a noisy-OR over the kinds found: a kind ``k`` with weight ``w_k`` (the probability
that a text showing that kind is positive) gives ``p = 1 - (1 - p0) * prod_k (1 - w_k)`` where
``p0`` is the probability for a text with no hit. :meth:`RuleSet.fit` estimates ``w_k`` from
labelled texts as the Laplace-smoothed share of positives among texts where kind ``k`` fired
(``(pos + 1) / (n + 2)``), and ``p0`` as the smoothed share of positives among texts with no
hit; before ``fit`` the weights given to each rule are used.

References
----------
Pearl, J. *Probabilistic Reasoning in Intelligent Systems*, Morgan Kaufmann 1988, §4.3.2
(the noisy-OR model).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ripplemeter.errors import RippleError

__all__ = ["Hit", "Rule", "RuleSet", "script_language"]

_HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")


def script_language(text: str) -> str:
    """The language a text's script suggests: ``ko`` (any Hangul syllable or jamo, at least as
    many as Han characters), ``zh`` (Han characters, no kana), ``ja`` (kana), else ``en``.

    A cheap router for rule sets (no model): Chinese and Korean rules only fire on their script
    anyway; the English rules run on everything else.
    """
    if not isinstance(text, str):
        return "en"
    hangul = len(_HANGUL.findall(text))
    han = len(_HAN.findall(text))
    if hangul and hangul >= han:
        return "ko"
    if _KANA.search(text):
        return "ja"
    if han:
        return "zh"
    return "en"


@dataclass(frozen=True)
class Rule:
    """One named pattern.

    Parameters
    ----------
    name : str
        What the rule finds, unique in its rule set (``en.price``).
    lang : {"en", "zh", "ko", "any"}
        The language whose texts it applies to (``any``: every text).
    kind : str
        The family reported in a verdict (``price``, ``tag_baiting``, ``question_mark``).
    pattern : str
        A regular expression (Python :mod:`re`, compiled case-insensitive).
    weight : float
        Default probability that a text where this kind fires is positive (used before
        :meth:`RuleSet.fit`; the kind's weight is the highest default among its rules).
    unless : str or None
        A pattern that, when found anywhere in the text, cancels this rule (exemptions such as a
        missing-person appeal asking for shares).
    """

    name: str
    lang: str
    kind: str
    pattern: str
    weight: float = 0.9
    unless: str | None = None

    def compiled(self) -> re.Pattern:
        return re.compile(self.pattern, re.IGNORECASE)


@dataclass(frozen=True)
class Hit:
    """One rule firing on one text: the rule's ``name`` and ``kind``, and the span
    ``text[start:end]`` (``span``) it matched."""

    rule: str
    kind: str
    start: int
    end: int
    span: str


class RuleSet:
    """A binary classifier made of named patterns (scikit-learn style).

    Parameters
    ----------
    rules : sequence of Rule
    label : str
        The positive label (``"promotional"``); the other label is ``"ok"``.
    lang : {"auto", "en", "zh", "ko"}
        ``auto`` routes each text by :func:`script_language`; a fixed code applies that
        language's rules (and the ``any`` rules) to every text.
    threshold : float
        A text is labelled positive when its probability is at least this.
    base_rate : float
        ``p0``, the probability of a text with no hit (before :meth:`fit`).

    Attributes
    ----------
    classes_ : tuple of str
        ``(label, "ok")``: the column order of :meth:`predict_proba`.
    weights_ : dict of str to float
        Weight of each kind.
    """

    def __init__(
        self,
        rules: Sequence[Rule],
        label: str,
        lang: str = "auto",
        threshold: float = 0.5,
        base_rate: float = 0.02,
    ) -> None:
        if lang not in ("auto", "en", "zh", "ko"):
            raise RippleError(f"no rules for the language {lang!r}: choose auto, en, zh or ko")
        self.rules = tuple(rules)
        self.label = label
        self.lang = lang
        self.threshold = threshold
        self.base_rate = base_rate
        self.classes_ = (label, "ok")
        self._compiled = [
            (r, r.compiled(), re.compile(r.unless, re.IGNORECASE) if r.unless else None)
            for r in self.rules
        ]
        self.weights_: dict[str, float] = {}
        for r in self.rules:
            self.weights_[r.kind] = max(self.weights_.get(r.kind, 0.0), r.weight)
        self.base_rate_ = base_rate

    # ------------------------------------------------------------------ explanation
    def _route(self, text: str) -> str:
        return script_language(text) if self.lang == "auto" else self.lang

    def explain(self, text: str) -> list[Hit]:
        """Every hit on one text, in text order (first match of each rule).

        Parameters
        ----------
        text : str
            Anything else counts as empty (no hit).
        """
        if not isinstance(text, str) or not text:
            return []
        lang = self._route(text)
        hits = []
        for rule, rx, unless in self._compiled:
            if rule.lang not in ("any", lang):
                continue
            m = rx.search(text)
            if m is None or (unless is not None and unless.search(text)):
                continue
            hits.append(Hit(rule.name, rule.kind, m.start(), m.end(), m.group(0)))
        hits.sort(key=lambda h: (h.start, h.end))
        return hits

    def kinds(self, text: str) -> list[str]:
        """The distinct kinds found in one text, in the order of their first hit."""
        out: list[str] = []
        for h in self.explain(text):
            if h.kind not in out:
                out.append(h.kind)
        return out

    # ------------------------------------------------------------------ estimator API
    def fit(self, texts: Sequence[str], y: Sequence) -> RuleSet:
        """Estimate each kind's weight and the no-hit rate from labelled texts.

        Parameters
        ----------
        texts : sequence of str, length n
        y : sequence, length n
            The label of each text (``self.label`` or ``"ok"``; booleans/0-1 also accepted,
            true = positive).

        Raises
        ------
        RippleError
            If the lengths differ or a label is neither the task's label nor ``ok``.
        """
        texts = list(texts)
        yy = self._labels(y, len(texts))
        seen: dict[str, list[int]] = {}
        none = [0, 0]
        for t, pos in zip(texts, yy, strict=True):
            ks = self.kinds(t)
            if not ks:
                none[0] += int(pos)
                none[1] += 1
            for k in ks:
                c = seen.setdefault(k, [0, 0])
                c[0] += int(pos)
                c[1] += 1
        for k, (p, n) in seen.items():
            self.weights_[k] = (p + 1) / (n + 2)
        self.base_rate_ = (none[0] + 1) / (none[1] + 2) if none[1] else self.base_rate
        return self

    def _labels(self, y: Sequence, n: int) -> np.ndarray:
        y = list(y)
        if len(y) != n:
            raise RippleError(f"{n} texts but {len(y)} labels: give one label per text")
        out = np.zeros(n, dtype=bool)
        for i, v in enumerate(y):
            if isinstance(v, str):
                if v not in self.classes_:
                    raise RippleError(f"label {i + 1} is {v!r}: expected {self.label!r} or 'ok'")
                out[i] = v == self.label
            else:
                out[i] = bool(v)
        return out

    def proba_one(self, text: str) -> float:
        """The positive probability of one text (noisy-OR over its kinds)."""
        q = 1.0 - self.base_rate_
        for k in self.kinds(text):
            q *= 1.0 - self.weights_.get(k, 0.5)
        return 1.0 - q

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities, shape ``(n, 2)``, columns in :attr:`classes_` order."""
        p = np.array([self.proba_one(t) for t in texts], dtype=np.float64).reshape(-1)
        return np.column_stack([p, 1.0 - p]) if p.size else np.zeros((0, 2))

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """Labels (``self.label`` or ``"ok"``), shape ``(n,)``, dtype object."""
        p = self.predict_proba(texts)[:, 0]
        return np.where(p >= self.threshold, self.label, "ok").astype(object)

    def get_params(self, deep: bool = True) -> dict:
        return {
            "rules": self.rules,
            "label": self.label,
            "lang": self.lang,
            "threshold": self.threshold,
            "base_rate": self.base_rate,
        }
