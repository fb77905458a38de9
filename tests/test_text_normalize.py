"""Normalisation and hashed features: variants that mean the same give the same features."""

from __future__ import annotations

import numpy as np
import pytest

from ripplemeter.text.features import FeatureConfig, featurize
from ripplemeter.text.normalize import normalize, normalize_many

EN = FeatureConfig(bits=18, char_min=2, char_max=5, word_ngrams=2, negation=1)
KO = FeatureConfig(bits=18, char_min=1, char_max=4, char_nospace=True, word_ngrams=0)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("doesn’t work", "doesn't work"),  # U+2019 apostrophe == ASCII
        ("DOESN’T WORK", "doesn't work"),  # capitals never change a word
        ("ok😡😡", "ok 😡 😡"),  # emoji glued to a word
        ("ok😡😡😡😡😡", "ok 😡😡"),  # long repeats cut to two
        ("soooooo good!!!!!!", "soo good!!"),
        ("❤️❤️", "❤❤"),  # variation selector dropped
        ("ＡＢ－９０００", "ab-9000"),  # full-width forms (NFKC)
        ("맛있어욬ㅋㅋ", "맛있어요"),  # laughter fused into the last syllable
        ("맛있어요ㅋㅋㅋㅋ", "맛있어요"),
        ("좋아요ㅎㅎ", "좋아요"),
        ("@SomeBrand love it http://t.co/abc", "@user love it https://x.y/z"),
        ("don\\u2019t", "don't"),  # escapes left in by tweet downloads
    ],
)
def test_same_meaning_same_tokens(a, b):
    assert normalize(a) == normalize(b)


def test_tokens_read_as_expected():
    assert normalize("DOESN’T WORK!!!!!") == "doesn't work ! !"
    assert normalize("ok😡😡") == "ok 😡 😡"
    assert normalize("AB-9000 is fine") == "ab - 9000 is fine"  # digits are never cut
    assert normalize("너무 슬퍼요ㅠㅠㅠㅠ").endswith("\u1172\u1172")  # crying kept as one token
    assert normalize_many(["", None, "   "]) == ["", "", ""]


def test_feature_rows_have_unit_norm_and_empty_text_is_zero():
    X = featurize(["great phone", "", "不推荐"], EN)
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    assert norms[1] == 0
    assert norms[0] == pytest.approx(1.0, abs=0.05)  # up to rare hash collisions
    assert norms[2] == pytest.approx(1.0, abs=0.05)


def test_feature_count_matches_a_hand_count():
    # "ab": tokens [ab]; unigram 1, bigram 1, negation 0; char 2..5-grams over " ab ":
    # 2-grams " a","ab","b " (3), 3-grams " ab","ab " (2), 4-gram " ab " (1) -> 8 distinct
    X = featurize(["ab"], EN)
    assert X.nnz == 8
    assert np.allclose(np.abs(X.data), 1 / np.sqrt(8))


def test_repetition_barely_moves_the_vector():
    one = featurize(["the battery dies by noon"], EN).toarray()[0]
    ten = featurize([" ".join(["the battery dies by noon"] * 10)], EN).toarray()[0]
    cos = float(one @ ten / (np.linalg.norm(one) * np.linalg.norm(ten)))
    assert cos > 0.9


def test_korean_spacing_does_not_change_features():
    spaced = featurize(["배송이 너무 느려요 다시는 안 사요"], KO)
    unspaced = featurize(["배송이너무느려요다시는안사요"], KO)
    assert (spaced != unspaced).nnz == 0
