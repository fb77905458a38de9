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
from ripplemeter.text.negative_words import (
    clear_complaint_words,
    complaint_words,
    has_negative_word,
    negative_words,
)


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


# ------------------------------------------------------------------ clear complaint words
@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("배송이 너무 느려요", ["느려"]),
        ("주문한 지 일주일인데 아직 안 왔어요", ["안 왔"]),
        ("포장이 다 찢어져서 왔어요", ["찢어"]),
        ("고객센터 연락이 안 돼요", ["연락이 안 돼"]),  # the phrase, not the bare 안
        ("환불해 주세요", ["환불해 주세요"]),  # a request, not the thanks 환불해 주셨어요
        ("문의했는데 답변이 없네요 실망이에요", ["답변이 없"]),  # 실망 is not a clear one
        ("배송이 너무 늦어요 일주일 넘게 걸렸어요", ["늦어"]),
        ("뒤늦게 본 좋은 영화", []),  # bare 늦: "watched it late"
        ("배송이 늦지 않았어요", []),  # negated
        ("환불도 빨리 해 주셔서 감사합니다", []),  # a refund with thanks
        ("좋지 않아요", []),  # a bare negation
        ("지루했어요", []),  # a complaint word, but about a film, not an order
    ],
)
def test_clear_complaint_words_by_hand(text, words):
    assert clear_complaint_words(text, "ko") == words


def test_complaint_words_leave_out_bare_negations():
    """complaint_words = negative_words without the negations that negate no complaint word."""
    assert negative_words("맛이 쓰고 가루가 잘 안 녹아요", "ko") == ["맛이 쓰", "안"]
    assert complaint_words("맛이 쓰고 가루가 잘 안 녹아요", "ko") == ["맛이 쓰"]
    assert negative_words("客服一直不回复，不好", "zh") == ["不回复", "不"]
    assert complaint_words("客服一直不回复，不好", "zh") == ["不回复"]
    assert clear_complaint_words("客服一直不回复，不好", "zh") == ["不回复"]
    assert complaint_words("有点贵", "zh") == ["有点", "贵"]
    assert clear_complaint_words("有点贵", "zh") == []  # bare 贵 is not a clear one; 太贵 is


def test_words_inside_other_words_are_set_aside():
    """며느리 (daughter-in-law) holds 느리 (slow); 사기 전에 ("before buying") holds 사기
    (fraud): neither is a complaint."""
    assert negative_words("며느리와 시어머니의 팽팽한 대결", "ko") == []
    assert negative_words("사기 전에 고민 많이 했어요", "ko") == []
    assert negative_words("배송이 느리네요", "ko") == ["느리"]


@pytest.mark.real_data
def test_the_figures_of_the_complaint_word_below_note(real_data):
    """The counts written in the COMPLAINT_WORD_BELOW note, recomputed on the training parts
    (NSMC training movies; zh_split training part)."""
    real_data("online_shopping_10_cats/online_shopping_10_cats.train80.csv.gz")
    real_data("nsmc_raw_movie_reviews_sample/raw")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))
    from praise_check_zh_ko import bands, measure_words, word_readings

    texts, y, lab, p, cue = word_readings("ko", get=real_data)
    assert len(texts) == 11929
    assert int((lab != "negative").sum()) == 9690
    ko = measure_words(texts, y, lab, p, cue)
    assert ko["fired"] == {"negative": 1, "neutral": 6, "positive": 2}
    assert ko["precision"] == pytest.approx(1 / 3)
    assert ko["truly_negative_read_non_negative"] == 234
    assert ko["before"]["precision"] == pytest.approx(0.9654, abs=5e-5)
    assert ko["after"]["precision"] == pytest.approx(0.9644, abs=5e-5)
    assert ko["after"]["recall"] == pytest.approx(0.8878, abs=5e-5)
    # the rule adds the same reviews from 0.7 to 1 (movie reviews hold few order words)
    for below in (0.8, 0.9, 1.0):
        assert measure_words(texts, y, lab, p, cue, below)["fired"] == ko["fired"]
    assert measure_words(texts, y, lab, p, cue, 0.6)["fired"]["neutral"] == 5
    # the positive readings by band: 1-4-star reviews below 0.7, almost none above
    low = [n for lo, _hi, n in bands(y, lab, p) if lo < 0.7]
    high = [n for lo, _hi, n in bands(y, lab, p) if lo >= 0.7]
    assert sum(sum(n.values()) for n in low) == 1209
    assert sum(n["negative"] for n in low) == 11
    assert sum(n["neutral"] for n in low) == 141
    assert sum(sum(n.values()) for n in high) == 6083
    assert sum(n["negative"] for n in high) == 1
    assert sum(n["neutral"] for n in high) == 104
    zh = measure_words(*word_readings("zh", get=real_data))
    assert zh["fired"] == {"negative": 24, "neutral": 0, "positive": 105}
    assert zh["precision"] == pytest.approx(24 / 129)
    assert zh["after"]["precision"] == pytest.approx(0.9810, abs=5e-5)
