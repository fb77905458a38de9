"""Language identification: en, zh, ko, ja, and und for texts too thin to decide."""

from __future__ import annotations

import pytest

from ripplemeter.text.lang import detect_language, detect_languages


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("no complaints at all, the phone works great", "en"),
        ("never disappointed", "en"),
        ("这个手机不推荐，电池不行", "zh"),
        ("不开心", "zh"),
        ("iPhone 15 很好用", "zh"),  # a brand name in Latin letters inside Chinese
        ("맛있어욬ㅋㅋ", "ko"),
        ("배송이너무느려요", "ko"),  # Korean without spaces
        ("Samsung 갤럭시 최고", "ko"),
        ("ㅋㅋㅋ", "ko"),  # jamo alone are still Korean script
        ("美味しいです", "ja"),
        ("このカメラはとても良い", "ja"),
    ],
)
def test_detects_the_four_languages(text, lang):
    assert detect_language(text) == lang


@pytest.mark.parametrize("text", ["😡😡", "👍", "12345", "!!!", "", "   ", "ok", "AB-9000"])
def test_too_little_to_decide_is_und(text):
    assert detect_language(text) == "und"


def test_vectorised_keeps_order_and_accepts_missing_values():
    texts = ["great phone", None, "不推荐", float("nan"), "맛있어요", "😡"]
    assert detect_languages(texts) == ["en", "und", "zh", "und", "ko", "und"]
