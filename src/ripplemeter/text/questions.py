"""Question detection for the community inbox: rules per language, explained by rule and span.

A text is a *question* when it asks something: a question mark (``?``, full-width ``？``) that
is not part of a link's query string, an interrogative construction (English wh-word +
auxiliary, subject-auxiliary inversion at the start of a sentence, "does anyone know"),
Chinese sentence-final particles (吗, 么 after a verb, 呢, 咩) and interrogative words (为什么,
怎么, 什么, 哪, 谁, 多少, A-not-A forms 是不是/有没有...; rhetorical 难道/怎可能), Korean
interrogative endings (-까/-ㅂ니까, -나요, -가요, -죠, -냐, -니?, -는가/-인가, -랴) and
interrogative words (왜, 뭐, 누구, 어디, 언제, 어떻게, 얼마나, 몇).

Interrogative words alone are weak (weight 0.45: "没什么", "얼마나 좋은지"): they make a
question only together with a particle, an ending, or a question mark (noisy-OR, see
:class:`ripplemeter.text.rulesets.RuleSet`). Rhetorical questions count as questions (they
are questions in form; whether one needs a reply is the inbox's decision).

The guideline and the hand-labelled set (210 real comments, 70 per language) are in
``tests/data/questions_gold/``; the figures in ``docs/classifiers.md``.
"""

from __future__ import annotations

from ripplemeter.text.rulesets import Hit, Rule, RuleSet

__all__ = ["QUESTION_RULES", "QuestionRules", "Hit"]

_END = r"(?=[\s.,!?~…:;()\[\]」』'\"ㅋㅎㅠㅜ^;？！。，、～]|$)"
_WH_EN = r"(?:who|what|when|where|why|how|which|whose|whom)"
_AUX = (
    r"(?:is|are|am|was|were|do|does|did|can|could|would|will|should|shall|may|might|have|has|"
    r"had|isn't|aren't|don't|doesn't|didn't|can't|won't|wouldn't|shouldn't|'s|'re)"
)

QUESTION_RULES: tuple[Rule, ...] = (
    Rule("any.question_mark", "any", "question_mark", r"[?？](?![\w%-]+=)", 0.9),
    # ---------------------------------------------------------------- English
    Rule("en.wh_aux", "en", "interrogative", rf"\b{_WH_EN}\s+{_AUX}\b(?!\s+(?:a|an)\s)", 0.8),
    Rule(
        "en.inversion",
        "en",
        "interrogative",
        rf"(?:^|[.!\n]\s*|^(?:@\w+\s+)+)(?:{_AUX})\s+(?:you|i|we|they|he|she|it|there|anyone|"
        r"anybody|someone|somebody|this|that|these|those|my|your|our)\b",
        0.7,
    ),
    Rule(
        "en.request",
        "en",
        "interrogative",
        r"\b(?:any ideas|anyone know|anybody know|does anyone|can someone|can anyone|"
        r"could someone|i wonder (?:if|whether|why|how|what)|wondering (?:if|whether)|"
        r"any (?:one|body) (?:got|have|has|know))\b",
        0.85,
    ),
    # ---------------------------------------------------------------- Chinese
    Rule("zh.particle", "zh", "particle", rf"(?:吗|嗎|(?<![什怎那这多要這])么|咩|呢){_END}", 0.8),
    Rule(
        "zh.a_not_a",
        "zh",
        "interrogative",
        r"是不是|有没有|有沒有|能不能|可不可以|会不会|會不會|要不要|对不对|好不好|行不行|是否",
        0.6,
    ),
    Rule(
        "zh.rhetorical", "zh", "interrogative", r"难道|難道|岂|怎可能|怎么可能|凭什么|憑什麼", 0.7
    ),
    Rule(
        "zh.wh_strong",
        "zh",
        "interrogative",
        r"为什么|為什麼|为何|為何|几点|幾點|多少钱|多少錢|怎么办|怎麼辦|哪里|哪裡|哪儿|什么时候|什麼時候",
        0.6,
    ),
    Rule(
        "zh.wh",
        "zh",
        "wh_word",
        r"为什么|為什麼|为何|怎么|怎麼|怎样|如何|什么|什麼|啥|哪(?:里|裡|儿|個|个|些|位|天|家)?"
        r"|谁|誰|多少|几(?:个|點|点|时|天|岁|号|次|块|位|瓶|年)",
        0.45,
    ),
    # ---------------------------------------------------------------- Korean
    Rule(
        "ko.ending",
        "ko",
        "ending",
        r"(?:(?<!니)까요?|나요|가요|는가|은가|인가|던가|죠|지요|냐|랴|래요)" + _END,
        0.8,
    ),
    Rule("ko.ni", "ko", "ending", r"(?:하|었|았|했|있|없|되|가|오|하)니\s?[?？]", 0.8),
    Rule(
        "ko.wh",
        "ko",
        "wh_word",
        r"왜|뭐(?!든)|무엇|누구|누가|어디|언제|어떻게|어떤|얼마나|몇",
        0.45,
    ),
)
"""The question rules; the question-mark rule applies to every text."""


class QuestionRules(RuleSet):
    """Question detector (scikit-learn style) over :data:`QUESTION_RULES`.

    Parameters
    ----------
    lang : {"auto", "en", "zh", "ko"}
        ``auto`` routes each text by its script.
    threshold : float
        Probability at or above which a text is a ``question``.
    base_rate : float
        Probability of a text with no hit.

    Attributes
    ----------
    classes_ : ("question", "ok")

    Examples
    --------
    >>> QuestionRules().predict(["Where can I buy it", "你们几点开门", "배송은 언제 되나요", "Thanks!"]).tolist()
    ['question', 'question', 'question', 'ok']
    """

    def __init__(self, lang: str = "auto", threshold: float = 0.5, base_rate: float = 0.02):
        super().__init__(QUESTION_RULES, "question", lang, threshold, base_rate)

    def get_params(self, deep: bool = True) -> dict:
        return {"lang": self.lang, "threshold": self.threshold, "base_rate": self.base_rate}
