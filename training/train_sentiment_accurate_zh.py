"""Train the Chinese accurate head, version 2 (issue 8): every choice by cross-validation
inside the training part, the held-out part scored once at the end.

Inputs (``train_sentiment_accurate_zh_embed.py`` writes them; all from the fast tier's split,
``sentiment_data.zh_split``):

* the 4,969 ChnSentiCorp training reviews, clipped to 64 characters (``chn_train_c64``);
* 500 waimai and 750 online_shopping training reviews, clipped to 64 (``other_train_c64``);
* 250 of the long (> 64 characters) ChnSentiCorp training reviews under the other clip
  choices: 128 characters (first 88 and last 40) and two windows (first 64, last 64)
  averaged;
* the held-out ChnSentiCorp 20% part (1,243 reviews) clipped to 64, from the version 1
  cache (``zh_held_chnsenticorp``), scored once at the end.

Steps, all on five stratified folds of the training reviews (seeded):

1. **Clip**: the head's cross-validated accuracy on the short reviews plus the 250 long
   ones, each clip choice in turn (the short reviews read the same under all three).
2. **Head**: logistic regression (L2) on the standardised embedding; C, class weights
   (none or balanced) and whether the waimai/online_shopping sample joins the ChnSentiCorp
   reviews, by cross-validated ChnSentiCorp accuracy (the other sets' reviews only ever
   train, never score).
3. **Pool weight**: out-of-fold fast-tier logits (the fast tier refitted five times without
   the fold's reviews, with the shipped settings, ``train_sentiment_zh.fit_fast``) and
   out-of-fold head logits; the run-time pool ``w * z_head + (1 - w) * z_fast`` with ``w``
   on a grid of 0.05 steps, by out-of-fold ChnSentiCorp accuracy.
4. The head is refitted on all its training reviews and shipped; the held-out part is
   scored once with it and the shipped fast model.

Usage: ``.venv/bin/python training/train_sentiment_accurate_zh.py /tmp/emb/zh /tmp/h2_emb``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from ripplemeter.text.accurate import AccurateSentimentModel
from sentiment_data import SEED, zh_split
from train_sentiment_accurate import ZH_BAND, binary_figures, load_part, save_and_reload
from train_sentiment_accurate_zh_embed import load as load_chunks
from train_sentiment_accurate_zh_embed import part_rows
from train_sentiment_zh import SETTING, fit_fast

VERSION = "2"
C_GRID = (0.001, 0.003, 0.01, 0.03, 0.1)
W_GRID = np.round(np.arange(0.0, 1.0001, 0.05), 2)
FOLDS = 5
CLIP = 64  # the clip shipped (see step 1 and the card)


def folds(y: np.ndarray) -> np.ndarray:
    """Fold number of each review (stratified by label, seeded)."""
    f = np.zeros(len(y), dtype=int)
    skf = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED)
    for k, (_, te) in enumerate(skf.split(np.zeros(len(y)), y)):
        f[te] = k
    return f


def head_fit(X, y, C, cw):
    mean, scale = X.mean(axis=0), X.std(axis=0) + 1e-6
    clf = LogisticRegression(C=C, class_weight=cw, max_iter=3000).fit((X - mean) / scale, y)
    return clf, mean, scale


def head_logit(model, X):
    clf, mean, scale = model
    return clf.decision_function((X - mean) / scale)  # positive-class logit


def oof_head(X, y, fold, C, cw, extra=None):
    """Out-of-fold head logits of X's rows; ``extra`` (X, y) rows always train."""
    z = np.zeros(len(y))
    for k in range(FOLDS):
        tr = fold != k
        Xtr, ytr = X[tr], y[tr]
        if extra is not None:
            Xtr, ytr = np.vstack([Xtr, extra[0]]), np.concatenate([ytr, extra[1]])
        z[fold == k] = head_logit(head_fit(Xtr, ytr, C, cw), X[fold == k])
    return z


def acc(y, z) -> float:
    return round(float(np.mean(np.where(z >= 0, "positive", "negative") == y)), 4)


def clip_choice(out: Path, X64, rows, y, fold) -> dict:
    """Step 1: cross-validated accuracy of each clip choice (short reviews + the 250 long)."""
    idx = {r[0]: i for i, r in enumerate(rows)}
    Xc, vrows = load_chunks(out, "chn_train_c128")
    Xh, _ = load_chunks(out, "chn_train_head64")
    Xt, _ = load_chunks(out, "chn_train_tail64")
    n = min(len(Xc), len(Xh), len(Xt))
    long_i = np.array([idx[r[0]] for r in vrows[:n]])
    short = np.array([i for i, r in enumerate(rows) if len(r[0]) <= 64])
    keep = np.concatenate([short, long_i])
    is_long = np.r_[np.zeros(len(short), bool), np.ones(n, bool)]
    variants = {
        "64 characters (first 44 + last 20)": X64[long_i],
        "128 characters (first 88 + last 40)": Xc[:n],
        "two windows (first 64, last 64) averaged": (Xh[:n] + Xt[:n]) / 2,
    }
    table = {"long_reviews": int(n), "short_reviews": int(len(short))}
    for name, XL in variants.items():
        Xv = np.vstack([X64[short], XL])
        best = None
        for C in C_GRID:
            z = oof_head(Xv, y[keep], fold[keep], C, None)
            a = (acc(y[keep], z), acc(y[keep][is_long], z[is_long]))
            if best is None or a[0] > best[0]:
                best = (a[0], a[1], C)
        table[name] = {"cv_accuracy": best[0], "cv_accuracy_long": best[1], "C": best[2]}
        print("clip", name, table[name], flush=True)
    return table


def fast_oof(out: Path, rows, orows, fold, fold_o) -> np.ndarray:
    """Out-of-fold fast logits of the ChnSentiCorp training reviews (cached in ``out``): for
    each fold, the fast tier (shipped setting) refitted on the training part without the
    fold's ChnSentiCorp reviews and without the fold's share of the other sets' sample."""
    cache = out / "fast_oof.json"
    texts = [r[0] for r in rows]
    if cache.exists():
        got = json.loads(cache.read_text(encoding="utf-8"))
        if got["texts"] == texts and got["setting"] == SETTING:
            return np.array(got["z"])
    train, _, _ = zh_split()
    z = np.zeros(len(rows))
    for k in range(FOLDS):
        drop = {r[0] for i, r in enumerate(rows) if fold[i] == k}
        drop |= {r[0] for i, r in enumerate(orows) if fold_o[i] == k}
        fm = fit_fast([r for r in train if r[0] not in drop], SETTING)
        z[fold == k] = fm.decision_function([texts[i] for i in np.flatnonzero(fold == k)])
        y = np.array([r[1] for r in rows])
        print(f"fast fold {k}: {acc(y[fold == k], z[fold == k])}", flush=True)
    cache.write_text(json.dumps({"texts": texts, "setting": SETTING, "z": z.tolist()}))
    return z


def main() -> None:
    if sys.argv[1] == "--fast-oof-only":  # step 3's refits alone, while embeddings run
        out = Path(sys.argv[2])
        rows = [list(r) for r in part_rows("chn_train_c64")]
        orows = [list(r) for r in part_rows("other_train_c64")]
        y, yo = np.array([r[1] for r in rows]), np.array([r[1] for r in orows])
        fast_oof(out, rows, orows, folds(y), folds(yo))
        return
    out, old = Path(sys.argv[1]), Path(sys.argv[2])
    t0 = time.time()
    X, rows = load_chunks(out, "chn_train_c64")
    assert len(X) == 4969, f"chn_train_c64 has {len(X)} of 4,969 rows: embedding unfinished"
    y = np.array([r[1] for r in rows])
    XO, orows = load_chunks(out, "other_train_c64")
    yo = np.array([r[1] for r in orows])
    fold = folds(y)
    fold_o = folds(yo)
    clip_table = clip_choice(out, X, rows, y, fold)

    # step 2: C, class weights, with or without the other sets' sample
    head_table, best = {}, None
    for extra in (False, True):
        for cw in (None, "balanced"):
            for C in C_GRID:
                z = oof_head(X, y, fold, C, cw, (XO, yo) if extra else None)
                a = acc(y, z)
                key = f"C={C:g}, class_weight={cw}, other sets={'yes' if extra else 'no'}"
                head_table[key] = a
                if best is None or a > best[0]:
                    best = (a, C, cw, extra, z)
    _, C, cw, extra, z_head = best
    print("head", C, cw, extra, best[0], flush=True)

    # step 3: out-of-fold fast logits; the fast tier refitted without each fold
    z_fast = fast_oof(out, rows, orows, fold, fold_o)
    train, held, _ = zh_split()
    pool_table = {f"{w:.2f}": acc(y, w * z_head + (1 - w) * z_fast) for w in W_GRID}
    w = float(max(W_GRID, key=lambda v: (pool_table[f"{v:.2f}"], -abs(v - 0.5))))
    print("pool", w, pool_table, flush=True)
    # the alternative: a stack, one logistic regression over the embedding and the
    # out-of-fold fast logit together (ChnSentiCorp reviews only: the others have no
    # out-of-fold fast logit); it folds into the run-time pool when its fast coefficient
    # lies in (0, 1)
    XF = np.hstack([X, z_fast[:, None]])
    stack_table, stack_best = {}, None
    for Cs in C_GRID:
        a = acc(y, oof_head(XF, y, fold, Cs, cw))
        stack_table[f"{Cs:g}"] = a
        if stack_best is None or a > stack_best[0]:
            stack_best = (a, Cs)
    print("stack", stack_table, flush=True)
    use_stack = stack_best[0] > pool_table[f"{w:.2f}"]

    # step 4: the shipped head, all training reviews; held-out scored once
    m = AccurateSentimentModel()
    m.lang, m.kind_, m.trained_classes_ = "zh", "binary", ("negative", "positive")
    if use_stack:
        clf, mean, scale = head_fit(XF, y, stack_best[1], cw)
        b_fast = clf.coef_[0][-1] / scale[-1]
        use_stack = 0.0 < b_fast < 1.0
    if use_stack:
        C = stack_best[1]
        w = float(1.0 - b_fast)
        coef = clf.coef_[0][:-1] / w
        b = (clf.intercept_[0] - clf.coef_[0][-1] * mean[-1] / scale[-1]) / w
        m.coef_ = coef[:, None].astype(np.float32)
        m.intercept_ = np.array([b], dtype=np.float32)
        mean, scale = mean[:-1], scale[:-1]
        extra = False
    else:
        Xtr, ytr = (np.vstack([X, XO]), np.concatenate([y, yo])) if extra else (X, y)
        clf, mean, scale = head_fit(Xtr, ytr, C, cw)
        m.coef_ = clf.coef_[0][:, None].astype(np.float32)
        m.intercept_ = clf.intercept_[:1].astype(np.float32)
    m.mean_, m.scale_ = mean.astype(np.float32), scale.astype(np.float32)
    m.band, m.weight_, m.clip_chars = ZH_BAND, w, CLIP
    path, shipped = save_and_reload(m, "zh")
    HX, hrows = load_part(old, "zh_held_chnsenticorp")
    assert [r[0] for r in hrows] == [t for t, _ in held["chnsenticorp"]]
    res, hy, pb = binary_figures(shipped, HX, hrows, ZH_BAND)
    res["first100_accuracy"] = round(float(np.mean(hy[:100] == pb[:100])), 4)
    metrics = {
        "C": C,
        "class_weight": cw,
        "pool_weight": w,
        "band": list(ZH_BAND),
        "selection": "5-fold cross-validation inside the training part",
        "cv_clip_choice": clip_table,
        "cv_chnsenticorp_accuracy_head": head_table,
        "cv_chnsenticorp_accuracy_by_pool_weight": pool_table,
        "cv_chnsenticorp_accuracy_stack_by_C": stack_table,
        "shipped": "stack (folded into the pool)" if use_stack else "head pooled with weight",
        "cv_chnsenticorp_accuracy_fast_out_of_fold": acc(y, z_fast),
        "chnsenticorp": res,
        "fast_tier_version": shipped.fast_.meta_.get("version"),
    }
    data = {
        "train_chnsenticorp_reviews": len(rows),
        "train_other_reviews": len(orows) if extra else 0,
    }
    shipped.save(
        path,
        name="sentiment-zh-accurate",
        version=VERSION,
        data=data,
        metrics=metrics,
        trained=time.strftime("%Y-%m-%d"),
    )
    print(json.dumps(metrics, indent=1, ensure_ascii=False), flush=True)
    print(f"done in {time.time() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
