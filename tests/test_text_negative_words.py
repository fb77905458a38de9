"""The inbox's praise check in Chinese and Korean (issue 12): the negative-word lexicon.

Every expected word list below was read off the text by hand: which words of the text say
something bad, and which negations negate a complaint word (a double negative) or sit inside
praise (不错, 没问题, 괜찮아요, 나쁘지 않아요).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ripplemeter.operations.inbox import COMPLAINT_SURE, classify_items, negative_cues
from ripplemeter.text.negative_words import has_negative_word, negative_words


# ------------------------------------------------------------------ the lexicon, by hand
@pytest.mark.parametrize(
    "text",
    [
        "不错",
        "服务不错，没问题",
        "没有任何问题，不愧是老牌子",
        "别提多好喝了",
        "特别好喝",  # the 别 of 特别 negates nothing
        "一点都不慢",  # negated complaint word: 慢
        "不贵，还送了小样",
        "快递小哥辛苦了",  # 苦 inside 辛苦
        "抹茶很细腻",  # 腻 inside 细腻
        "客服一个小时就回复了，还帮我改了订单",
        "退款已经到账了，谢谢",  # a refund with thanks
    ],
)
def test_chinese_praise_holds_no_negative_word(text):
    assert negative_words(text, "zh") == []


@pytest.mark.parametrize(
    "text",
    [
        "괜찮아요",
        "나쁘지 않아요",  # 나쁘 negated by 지 않: a double negative
        "가격도 안 비싸요",  # 비싸 negated by 안
        "배송이 늦지 않았어요",
        "기대 못지않게 맛있어요",
        "문제없이 잘 받았어요",
        "고객센터가 한 시간 만에 답해주고 주문도 고쳐줬어요",
        "교환 신청했는데 하루 만에 처리됐어요",  # a return, settled
        "한 달 동안 잘 썼어요",  # 안 inside 동안
    ],
)
def test_korean_praise_holds_no_negative_word(text):
    assert negative_words(text, "ko") == []


@pytest.mark.parametrize(
    ("text", "lang", "words"),
    [
        ("等了两个星期还没到，太失望了", "zh", ["等了", "还没到", "失望"]),
        ("味道一般，有点贵", "zh", ["一般", "有点", "贵"]),
        ("客服一直不回复", "zh", ["不回复"]),  # a taxonomy cue (customer service)
        ("不好喝", "zh", ["不"]),  # a negation of praise
        ("特别差", "zh", ["差"]),  # 特别 is set aside, 差 is not negated by its 别
        ("还没退款", "zh", ["没", "退款"]),  # a topic word counts negated, and so does 没
        ("我要投诉", "zh", ["投诉"]),
        ("배송이 너무 느려요", "ko", ["느려"]),
        ("배송이 좀 느렸어요", "ko", ["느렸"]),
        ("주문한 지 일주일인데 아직 안 왔어요", "ko", ["안 왔"]),
        ("맛이 별로예요", "ko", ["별로"]),
        ("좋지 않아요", "ko", ["않"]),  # a negation of praise
        ("환불 요청했는데 아직도 안 해줘요", "ko", ["환불", "안"]),
        ("최악이에요 돈 아깝", "ko", ["최악", "돈 아깝"]),  # 돈 아깝: a taxonomy cue
    ],
)
def test_complaints_hold_their_negative_words(text, lang, words):
    assert negative_words(text, lang) == words
    assert has_negative_word(text, lang)


def test_positive_compounds_are_not_negative_words():
    """The brief's compounds: 不错, 没问题, 괜찮아요 hold no negative word, alone or in a
    sentence; their negated forms do."""
    for text in ("不错", "没问题", "真不错，没问题"):
        assert not has_negative_word(text, "zh")
    for text in ("괜찮아요", "정말 괜찮아요"):
        assert not has_negative_word(text, "ko")
    assert negative_words("不太不错", "zh") == ["不"]  # 不 before 太, 不错 set aside
    assert negative_words("괜찮지 않아요", "ko") == ["않"]


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="no negative-word lexicon for 'ja'"):
        negative_words("美味しいです", "ja")


def test_negative_cues_route_by_language():
    """English by VADER (unchanged), Chinese and Korean by the lexicon, Japanese unchecked."""
    texts = [
        "The tin lid broke the first time I opened it",  # VADER: 'broke'
        "Customer service replied within an hour and fixed my order",
        "客服帮我查了物流",
        "包装破了，茶叶漏了一地",
        "고객센터 응대가 친절했어요",
        "캔이 찌그러져서 왔어요",  # 찌그러: a taxonomy cue (packaging)
        "美味しいです",  # Japanese: no lexicon, the model's reading stands
        None,
    ]
    assert negative_cues(texts) == [True, False, False, True, False, True, True, False]


# ------------------------------------------------------------------ with the shipped models
def _mild(texts):
    """The fast tier's reading of each text: negative, below COMPLAINT_SURE (the check runs)."""
    from ripplemeter.operations.inbox import default_predictor

    assert default_predictor(texts, "sentiment") == ["negative"] * len(texts)
    p = default_predictor(texts, "negative_probability")
    assert all(0.0 < v < COMPLAINT_SURE for v in p), p


def test_praise_read_mildly_negative_is_no_complaint():
    """Chinese and Korean praise that the fast tier reads negative below 0.6 (0.47-0.55 on
    2 December 2026) holds no negative word, so it is not queued as a complaint."""
    praise = [
        "我的订单今天到了",  # "my order arrived today"
        "客服帮我查了物流",  # "customer service tracked my parcel for me"
        "退款已经到账了，谢谢",  # "the refund has arrived, thanks"
        "평점 조금더 높아도 될 것 같은데",  # "it deserves a slightly higher rating"
    ]
    _mild(praise)
    assert classify_items(praise) == ["other"] * len(praise)


def test_real_complaints_stay_complaints():
    """Mild complaints (read negative below 0.6) keep the label through their negative word;
    strong ones (0.9 and more) never meet the check."""
    mild = ["送餐有点慢", "抹茶有点苦", "맛이 별로예요"]
    _mild(mild)
    strong = ["客服回复太慢了", "太差了，再也不买了", "최악이에요 환불해 주세요"]
    assert classify_items(mild + strong) == ["complaint"] * (len(mild) + len(strong))


# ------------------------------------------------------------------ the measured figures
@pytest.mark.real_data
def test_the_figures_of_the_complaint_sure_note(real_data):
    """The counts written in the COMPLAINT_SURE note, recomputed on the training parts."""
    real_data("online_shopping_10_cats/online_shopping_10_cats.train80.csv.gz")
    real_data("nsmc_raw_movie_reviews_sample/raw")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))
    from praise_check_zh_ko import measure, readings

    zh = measure(*readings("zh", get=real_data))
    assert zh["cleared"] == {"negative": 161, "positive": 10, "neutral": 0}
    assert zh["before"]["precision"] == pytest.approx(22632 / (22632 + 334))
    assert zh["after"]["precision"] == pytest.approx(22471 / (22471 + 324))
    assert zh["after"]["recall"] == pytest.approx(22471 / 23298)
    ko = measure(*readings("ko", get=real_data))
    assert ko["cleared"] == {"negative": 33, "positive": 9, "neutral": 54}
    assert ko["after"]["precision"] == pytest.approx(1810 / (1810 + 57))
    assert ko["after"]["recall"] == pytest.approx(1810 / 2077)
