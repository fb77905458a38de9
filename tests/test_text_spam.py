"""Spam filter: committed weights re-score held-out data to the model card's figure."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import numpy as np
import pytest

from ripplemeter.errors import RippleError
from ripplemeter.text.features import featurize
from ripplemeter.text.ngram_linear import load_linear, prepare, spam_text
from ripplemeter.text.spam import MODEL_PATH, SpamFilter

CARD = MODEL_PATH.with_name("spam_en.card.md")
HELDOUT = MODEL_PATH.with_name("spam_en_heldout.npz")
VIDEOS = ("Psy", "KatyPerry", "LMFAO", "Eminem", "Shakira")


def card_folds() -> dict[str, dict]:
    block = re.search(r"```json\n(.*?)\n```", CARD.read_text(encoding="utf-8"), re.S).group(1)
    return {f["test_video"]: f for f in json.loads(block)["folds"]}


def read_video(path: Path) -> list[tuple[str, int]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return [(r["CONTENT"], int(r["CLASS"])) for r in csv.DictReader(fh)]


def f1(y: list[int], pred: list[int]) -> float:
    tp = sum(1 for a, b in zip(y, pred, strict=True) if a == 1 and b == 1)
    fp = sum(1 for a, b in zip(y, pred, strict=True) if a == 0 and b == 1)
    fn = sum(1 for a, b in zip(y, pred, strict=True) if a == 1 and b == 0)
    return 2 * tp / (2 * tp + fp + fn)


def test_heldout_video_rescored_to_card_figure(real_data):
    """The fold model that never saw Psy scores Psy's comments as the card says."""
    root = real_data("youtube_spam_collection")
    videos = {
        v: read_video(next(root.glob(f"Youtube0{i + 1}-{v}.csv"))) for i, v in enumerate(VIDEOS)
    }
    # comments repeated under two or more videos were removed before the folds
    seen: dict[str, set[str]] = {}
    for v, rows in videos.items():
        for text, _y in rows:
            seen.setdefault(prepare(text), set()).add(v)
    psy = [(t, y) for t, y in videos["Psy"] if len(seen[prepare(t)]) == 1]
    expected = card_folds()["Youtube01-Psy"]
    assert len(psy) == expected["test"]
    assert sum(y for _t, y in psy) == expected["test_spam"]

    model = SpamFilter.load(HELDOUT)
    # the fold's threshold was chosen inside its four training videos, and ships with it
    assert model.threshold == pytest.approx(expected["threshold"])
    pred = [1 if p == "spam" else 0 for p in model.predict([t for t, _y in psy])]
    assert f1([y for _t, y in psy], pred) == pytest.approx(expected["f1"], abs=0.005)


def test_card_and_shipped_model_agree():
    model = SpamFilter.load()
    folds = card_folds()
    assert [f["f1"] for f in model.card["folds"]] == [f["f1"] for f in folds.values()]
    assert len(folds) == 5
    assert MODEL_PATH.stat().st_size < 2_000_000


def test_obvious_spam_and_ham():
    model = SpamFilter.load()
    texts = [
        "Hey guys check out my new channel and please subscribe!! http://bit.ly/abc",
        "Earn money for being online with 0 efforts! visit www.get-paid-now.com",
        "This song never gets old, still listening in 2015",
        "her voice is amazing",
    ]
    assert model.predict(texts) == ["spam", "spam", "ham", "ham"]


def test_probabilities_in_input_order_and_empty_text():
    model = SpamFilter.load()
    texts = ["love it", "subscribe to my channel please", "", None, "love it"]
    p = model.predict_proba(texts)
    assert p.shape == (5, 2)
    assert np.allclose(p.sum(axis=1), 1.0)
    assert np.allclose(p[0], p[4])  # same text, same row, wherever it stands
    assert np.allclose(p[2], p[3])  # None counts as empty text
    assert p[1, 1] > p[0, 1]
    assert model.is_spam(texts).tolist() == [lbl == "spam" for lbl in model.predict(texts)]
    assert model.classes_ == ("ham", "spam")


def test_html_entities_read_as_characters():
    """YouTube exports keep entities: ``don&#39;t`` and ``don't`` are the same comment."""
    model = SpamFilter.load()
    a, b = model.predict_proba(
        ["I don&#39;t like this &gt; check my page", "I don't like this > check my page"]
    )
    assert np.allclose(a, b)


def test_unreadable_model_file(tmp_path):
    bad = tmp_path / "spam.npz"
    bad.write_bytes(b"not a model")
    with pytest.raises(RippleError, match="spam.npz"):
        SpamFilter.load(bad)


def test_links_become_link_words():
    """Links are words for the model: the site's name and, on YouTube, channel or video."""
    assert spam_text("sub http://www.youtube.com/user/abc ok").split() == [
        "sub",
        "zzlink",
        "zzsiteyoutube",
        "zzchannellink",
        "ok",
        "zzlen0",
        "zzsubscribe",  # "sub" is a self-promotion phrase
    ]
    assert spam_text("see https://youtu.be/9bZkp7q19f0").split() == [
        "see",
        "zzlink",
        "zzsiteyoutu",
        "zzvideolink",
        "zzlen0",
    ]
    # a bare domain without http counts as a link; a sentence's full stop does not
    assert spam_text("visit www.get-paid-now.com now").split() == [
        "visit",
        "zzlink",
        "zzsitegetpaidnow",
        "now",
        "zzlen0",
    ]
    assert spam_text("go to bit.ly/xyz").split() == ["go", "to", "zzlink", "zzsitebit", "zzlen0"]
    assert spam_text("great song.love it") == "great song.love it zzlen0"
    assert spam_text("I don&#39;t<br />like") == "I don't like zzlen0"
    # length in steps of 50 characters, capped at 6
    assert spam_text("a" * 120).endswith(" zzlen2")
    assert spam_text("ab " * 400).endswith(" zzlen6")
    assert spam_text(None) == ""


def test_self_promotion_phrases_add_one_word_each():
    """Each kind of promotion phrase adds its word once, after the length word, in a fixed
    order; ordinary comments get none ("check the views" is not "check out")."""
    assert spam_text("Check out my new channel and SUBSCRIBE").split()[-4:] == [
        "zzlen0",
        "zzcheckout",
        "zzsubscribe",
        "zzmychannel",
    ]
    assert spam_text("check my page, earn money with paypal").split()[-4:] == [
        "zzlen0",
        "zzcheckout",
        "zzmychannel",  # "my page"
        "zzmoney",
    ]
    assert spam_text("just came to check the views").split()[-1] == "zzlen0"
    assert spam_text("our video is up").split()[-1] == "zzmychannel"
    # whole words only: "subway", "winner", "checkout" are not the phrases
    assert spam_text("the subway winner at checkout").split()[-1] == "zzlen0"


def test_kernel_scores_equal_sparse_features_times_weights():
    """Run time scores in the numba kernel; training fits on the sparse matrix of the same
    features. Both paths give the same P(spam)."""
    texts = [
        "Check out my channel http://www.youtube.com/user/abc and SUBSCRIBE!!!",
        "this song never gets old",
        "",
        "해피 뉴이어 😀 like 4 like",
    ]
    w = load_linear(MODEL_PATH)
    x = featurize([spam_text(t) for t in texts], w.features)
    z = np.asarray(x @ w.coef["spam"][:, 0].astype(np.float64)).ravel() + w.intercept["spam"][0]
    expected = 1.0 / (1.0 + np.exp(-z))
    got = SpamFilter.load().predict_proba(texts)[:, 1]
    assert np.allclose(got, expected, atol=1e-5)


def test_like_bait_word_by_hand():
    """A comment asking for likes on itself gets ``zzlikebait``; liking the song does not."""
    from ripplemeter.text.spam import bait_words

    for text in [
        "Like this comment for no reason",
        "okay... Thumbs up if you&#39;re watching while youtube still exists.",
        "give it a like",
        "HOW MANY THUMBS UP FOR LOUIS SAVING THE DAY!?!?",
        "Great song. Like if you agree",
        "pls like so more people see this",
    ]:
        assert bait_words(text) == text + " zzlikebait", text
    for text in [
        "I like this song so much",
        "I would like it if they toured again",
        "likes and dislikes are hidden now",
        "the drummer deserves a thumbs up",
    ]:
        assert bait_words(text) == text, text
    assert bait_words(None) is None


def test_like_bait_comment_is_spam_and_word_reaches_the_model():
    model = SpamFilter.load()
    assert model.predict(["Like this comment if you are watching on a phone"]) == ["spam"]
    # the word is what the n-grams read: scoring the rewritten text directly gives the same P
    w = load_linear(MODEL_PATH)
    text = "Like this comment for no reason"
    x = featurize([spam_text(text + " zzlikebait")], w.features)
    z = float(np.asarray(x @ w.coef["spam"][:, 0].astype(np.float64)).ravel()[0])
    z += float(w.intercept["spam"][0])
    assert model.predict_proba([text])[0, 1] == pytest.approx(1 / (1 + np.exp(-z)), abs=1e-5)


def test_embedding_text_by_hand():
    from ripplemeter.text.spam import embedding_text

    assert embedding_text("I don&#39;t<br />like   THIS\n") == "I don't like THIS"
    assert embedding_text(None) == ""
    assert embedding_text("Check http://bit.ly/x") == "Check http://bit.ly/x"


def test_card_records_the_embedding_variant_below_the_shipped_model():
    """The accurate-tier experiment's folds (card) use the same held-out videos and counts as
    the shipped model's folds, and its pooled F1 is below the shipped F1 on some video: the
    reason the card gives for not shipping it."""
    text = CARD.read_text(encoding="utf-8")
    block = re.search(r"```json accurate\n(.*?)\n```", text, re.S)
    if block is None:
        pytest.skip("the card has no accurate-tier section")
    acc = {f["test_video"]: f for f in json.loads(block.group(1))["folds"]}
    fast = card_folds()
    assert set(acc) == set(fast)
    for v, f in acc.items():
        assert (f["test"], f["test_spam"]) == (fast[v]["test"], fast[v]["test_spam"])
    assert any(acc[v]["f1"] < fast[v]["f1"] for v in fast)
