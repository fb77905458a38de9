"""Sentiment models: the interface, the committed weights' held-out figures, the hard cases.

Only committed weights are loaded (no training dependency). Figures on held-out data are
recomputed here with numpy from the data sets in ../shared/data (skipped when absent) and
must equal the figure written in the model's header and card.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from ripplemeter.text.sentiment import (
    LABELS,
    ModelUnavailable,
    SentimentModel,
    score_texts,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))
import sentiment_data  # noqa: E402  (numpy-only loaders and seeded splits, shared with training)


@pytest.fixture(scope="module")
def en():
    return SentimentModel.load("en", "fast")


@pytest.fixture(scope="module")
def zh():
    return SentimentModel.load("zh", "fast")


@pytest.fixture(scope="module")
def ko():
    return SentimentModel.load("ko", "fast")


def macro_recall(gold, pred, labels):
    g, p = np.asarray(gold), np.asarray(pred)
    return float(np.mean([np.mean(p[g == c] == c) for c in labels]))


# ------------------------------------------------------------------------- the interface
@pytest.mark.parametrize("lang", ["en", "zh", "ko"])
def test_interface(lang):
    m = SentimentModel.load(lang, "fast")
    assert m.classes_ == LABELS
    texts = ["good", "bad", "", "好", "나빠요"]
    p = m.predict_proba(texts)
    assert p.shape == (5, 3)
    assert np.allclose(p.sum(axis=1), 1.0)
    labels = m.predict(texts)
    assert labels == [LABELS[i] for i in p.argmax(axis=1)]
    res = m.label_scores(texts)
    assert res["label"].tolist() == labels
    assert np.allclose(res["score"], p.max(axis=1))  # score = probability of the label
    binary = m.label_scores(texts, binary=True)
    assert set(binary["label"]) <= {"positive", "negative"}
    assert (binary["score"] >= 0.5).all()
    assert binary["label"].tolist() == m.predict_binary(texts)


def test_binary_models_neutral_band_matches_the_argmax(zh):
    lo, hi = zh.band
    texts = ["还行吧", "一般", "很好", "太差了", "不推荐", "价格便宜，质量一般般"]
    p = zh.predict_binary_proba(texts)
    expected = np.where(p <= lo, "negative", np.where(p >= hi, "positive", "neutral"))
    assert zh.predict(texts) == expected.tolist()


def test_unknown_tier_and_language_fail_before_any_work():
    with pytest.raises(ModelUnavailable, match="unknown tier 'best': choose fast or accurate"):
        SentimentModel.load("en", "best")
    with pytest.raises(ModelUnavailable, match="unknown tier 'best'"):
        score_texts(["great"], lang="auto", tier="best")


def test_unknown_language_is_refused():
    with pytest.raises(ModelUnavailable, match="no sentiment model for language 'ja'"):
        SentimentModel.load("ja")


def test_weights_stay_small():
    import ripplemeter.text

    folder = Path(ripplemeter.text.__file__).parent / "models"
    total = sum(f.stat().st_size for f in folder.glob("sentiment-*.npz"))
    assert total < 20e6
    for lang in ("en", "zh", "ko"):
        card = (folder / f"sentiment-{lang}-fast.md").read_text(encoding="utf-8")
        assert "Held-out figures" in card and "known misses" in card.lower()


def test_score_texts_routes_by_language_and_keeps_order():
    texts = [
        "I love this phone",
        "太差了，不推荐",
        "시간 낭비였어요 최악",
        "",
        "美味しい",
        "😍😍",
    ]
    res = score_texts(texts)
    assert res["lang"].tolist() == ["en", "zh", "ko", "und", "ja", "und"]
    assert res["label"].tolist()[:3] == ["positive", "negative", "negative"]
    assert res["label"].iloc[3] == "" and np.isnan(res["score"].iloc[3])  # empty: unscored
    assert res["label"].iloc[4] == "" and np.isnan(res["score"].iloc[4])  # no Japanese model
    assert res["label"].iloc[5] != ""  # emoji only: und, scored by the English model


# ------------------------------------------------------------- held-out figures, re-scored
@pytest.mark.real_data
def test_english_val_macro_recall_matches_the_card(real_data, en):
    real_data("tweeteval_sentiment/val_text.txt")
    x, y = sentiment_data.en_val(real_data)
    figure = macro_recall(y, en.predict(x), LABELS)
    assert figure == pytest.approx(en.meta_["metrics"]["val_macro_recall"], abs=5e-5)
    assert figure >= 0.65


@pytest.mark.real_data
def test_chinese_held_out_accuracy_matches_the_card(real_data, zh):
    real_data("online_shopping_10_cats/online_shopping_10_cats.train80.csv.gz")
    _, held, _ = sentiment_data.zh_split(real_data)
    for name in ("chnsenticorp", "waimai"):
        x = [t for t, _ in held[name]]
        y = np.array([v for _, v in held[name]])
        acc = float(np.mean(np.array(zh.predict_binary(x)) == y))
        assert acc == pytest.approx(zh.meta_["metrics"][name]["accuracy"], abs=5e-5)
    # measured 0.8825 on ChnSentiCorp; the target (0.90) is not met yet
    assert zh.meta_["metrics"]["chnsenticorp"]["accuracy"] >= 0.88


@pytest.mark.real_data
def test_korean_held_out_movies_balanced_accuracy_matches_the_card(real_data, ko):
    real_data("nsmc_raw_movie_reviews_sample/raw")
    split, _ = sentiment_data.ko_split(real_data)
    test = [r for r in split["test"] if r[1] != "neutral"]
    ba = macro_recall(
        [r[1] for r in test], ko.predict_binary([r[0] for r in test]), ("negative", "positive")
    )
    assert ba == pytest.approx(ko.meta_["metrics"]["test_balanced_accuracy"], abs=5e-5)
    # measured 0.7997 (version 1: 0.7828); the target (0.84) is not met yet
    assert ba >= 0.79


def test_a_file_that_is_not_a_model_is_refused_in_one_line(tmp_path):
    bad = tmp_path / "model.npz"
    bad.write_text("not a model", encoding="utf-8")
    with pytest.raises(ModelUnavailable, match="model.npz: not a ripplemeter model file"):
        SentimentModel.from_file(bad)
