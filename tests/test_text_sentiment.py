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
    # measured 0.8140 (version 2: 0.7997, version 1: 0.7828); the target (0.84) is
    # not met yet
    assert ba >= 0.81


def test_korean_star_row_weights_and_nb_scale_by_hand():
    import train_sentiment_ko as ko_train  # numpy at import; scikit-learn only to fit

    stars = np.array([1, 10, 10, 5])
    # n = 4: the one 1-4 star review weighs 4/2/1 = 2, each 9-10 one 4/2/2 = 1, the 5-8 one
    # mid x 4/2/1 = 0.5 x 2 = 1
    assert ko_train.row_weights(stars, 0.5).tolist() == [2.0, 1.0, 1.0, 1.0]
    # two reviews, one feature each: 10 stars count fully positive, 1 star fully negative;
    # add-one counts pos = [2, 1], neg = [1, 2] -> log-ratio [log 2, -log 2]
    import scipy.sparse as sp

    X = sp.csr_matrix(np.array([[0.7, 0.0], [0.0, 0.3]]))
    two = np.array([10, 1])
    np.testing.assert_allclose(ko_train.nb_scale(X, two, 1.0, 1.0), [np.log(2), np.log(2)])
    np.testing.assert_allclose(ko_train.nb_scale(X, two, 1.0, 0.5), [np.log(2) ** 0.5] * 2)
    assert ko_train.nb_scale(X, two, 1.0, 0.0).tolist() == [1.0, 1.0]


@pytest.mark.real_data
def test_korean_fast_is_the_star_ridge_its_header_names(real_data, ko):
    """Version 3 is a ridge regression on the star ratings, thresholded and Platt-scaled into
    the binary format: refit it from the header's settings and compare the shipped weights."""
    pytest.importorskip("sklearn", reason="refitting needs scikit-learn (the train extra)")
    import train_sentiment_ko as ko_train
    from ripplemeter.text.features import featurize

    real_data("nsmc_raw_movie_reviews_sample/raw")
    m = ko.meta_["metrics"]
    assert ko.meta_["version"] == "3"
    split, _ = sentiment_data.ko_split(real_data)
    part = {mid: k for k, rows in split.items() for _, _, mid in rows}
    rows, _ = sentiment_data.ko_star_rows(real_data)
    train = [r for r in rows if part.get(r[2]) == "train"]
    assert sum(7 <= r[1] <= 8 for r in train) == ko.meta_["data"]["train_reviews_7_8_stars"]
    X = featurize([r[0] for r in train], ko.features).tocsr()
    w, b = ko_train.fit_ridge(
        X, np.array([r[1] for r in train]), m["alpha"], m["mid_star_weight"], m["nb_scale_power"]
    )
    a = ko.meta_["metrics"]["platt_slope"]  # rounded to 4 places in the header
    shipped = ko.coef_[:, 0].astype(np.float64)
    scale = np.abs(shipped).max()
    np.testing.assert_allclose(shipped, a * w, rtol=1e-3, atol=2e-3 * scale)
    assert float(ko.intercept_[0]) == pytest.approx(a * (b - m["star_threshold"]), rel=1e-3)
    # the decision rule: positive exactly when the predicted rating reaches the threshold
    texts = [r[0] for r in split["test"][:400]]
    rating = featurize(texts, ko.features) @ w + b
    logit = ko.decision_function(texts)
    clear = np.abs(rating - m["star_threshold"]) > 0.05  # float16 rounding near the line
    assert np.array_equal((logit >= 0)[clear], (rating >= m["star_threshold"])[clear])


def test_a_file_that_is_not_a_model_is_refused_in_one_line(tmp_path):
    bad = tmp_path / "model.npz"
    bad.write_text("not a model", encoding="utf-8")
    with pytest.raises(ModelUnavailable, match="model.npz: not a ripplemeter model file"):
        SentimentModel.from_file(bad)
