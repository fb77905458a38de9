"""Train the hostility models (English, Chinese, Korean) for issue 12's mistake 5.

Data (read each PROVENANCE.md in ../shared/data; the quirks handled here are named):

* English: ``tweeteval_offensive`` (OLID / OffensEval 2019 sub-task A). The model learns from
  ``train``; the figure is macro-F1 on ``val`` (1,324 tweets). Labels use the corrected
  ``mapping.txt`` (0 not-offensive, 1 offensive). Each line's trailing space is stripped.
* Chinese: ``cold_zh_offensive`` (COLD). The model learns from ``train.csv``; the figure is
  accuracy on ``dev.csv`` (the file, not its ``split`` column, defines the split). Read with
  ``utf-8-sig`` (BOM); the first column is not an id and is ignored.
* Korean: ``korean_hate_speech`` (BEEP!). hostile = ``hate`` in {offensive, hate}, ok =
  none. The held-out part is a seeded, stratified 20% of ``train.tsv`` (the dev set is held
  by the team); parsed with a CSV reader (quoted comments).

In every language exact duplicates inside the training part are kept once (dropped when the
copies disagree on the label), and a training text whose near-duplicate key (case-folded,
NFKC, links and mentions removed, only letters and digits kept) equals that of a held-out
text is removed from training, so no held-out text is seen in training, even re-spaced.

Settings (n-gram ranges, C, the decision threshold) are chosen by 5-fold cross-validation
inside the training part only; the held-out part is scored once, with the float16 weights as
shipped. Logs go to ``training/logs/hostility_<lang>.json``.

Usage: ``nice -n 10 .venv/bin/python training/train_hostility.py [en zh ko]``.

The loaders (:func:`load_split`) use numpy and the standard library only: the tests import
them to re-score the held-out part with the committed weights.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np

from ripplemeter.datasets import data_path

SEED = 20261202
ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "src" / "ripplemeter" / "text" / "models"
LOGS = ROOT / "training" / "logs"

_URL = re.compile(r"(?:https?://|www\.)\S+|\bURL\b", re.IGNORECASE)
_MENTION = re.compile(r"@\w+")
_KEEP = re.compile(r"[^\w]|_", re.UNICODE)


def near_duplicate_key(text: str) -> str:
    """NFKC, case-folded, links/``URL``/mentions removed, only letters and digits kept."""
    t = unicodedata.normalize("NFKC", text).casefold()
    t = _URL.sub(" ", t)
    t = _MENTION.sub(" ", t)
    return _KEEP.sub("", t)


def _dedupe(texts: list[str], labels: list[str]) -> tuple[list[str], list[str], dict]:
    """Exact duplicates kept once; texts whose copies disagree on the label are dropped."""
    seen: dict[str, set[str]] = {}
    order: list[str] = []
    for t, y in zip(texts, labels, strict=True):
        if t not in seen:
            seen[t] = set()
            order.append(t)
        seen[t].add(y)
    keep = [t for t in order if len(seen[t]) == 1]
    conflicting = sum(1 for t in order if len(seen[t]) > 1)
    stats = {"duplicate_rows_removed": len(texts) - len(order), "conflicting_texts": conflicting}
    return keep, [next(iter(seen[t])) for t in keep], stats


def _remove_near(
    train: tuple[list[str], list[str]], held: tuple[list[str], list[str]]
) -> tuple[list[str], list[str], int]:
    keys = {near_duplicate_key(t) for t in held[0]}
    keys.discard("")
    tx, ty = [], []
    for t, y in zip(*train, strict=True):
        if near_duplicate_key(t) in keys:
            continue
        tx.append(t)
        ty.append(y)
    return tx, ty, len(train[0]) - len(tx)


def _en(get) -> tuple[tuple, tuple]:
    folder = Path(get("tweeteval_offensive"))

    def read(split: str) -> tuple[list[str], list[str]]:
        texts = (folder / f"{split}_text.txt").read_text(encoding="utf-8").split("\n")
        labels = (folder / f"{split}_labels.txt").read_text(encoding="utf-8").split()
        texts = [t.removesuffix(" ") for t in texts[: len(labels)]]
        return texts, ["hostile" if v == "1" else "ok" for v in labels]

    return read("train"), read("val")


def _zh(get) -> tuple[tuple, tuple]:
    folder = Path(get("cold_zh_offensive"))

    def read(name: str) -> tuple[list[str], list[str]]:
        text = (folder / name).read_text(encoding="utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        return (
            [r["TEXT"] for r in rows],
            ["hostile" if r["label"] == "1" else "ok" for r in rows],
        )

    return read("train.csv"), read("dev.csv")


def _ko(get) -> tuple[tuple, tuple]:
    folder = Path(get("korean_hate_speech"))
    text = (folder / "train.tsv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter="\t"))
    texts = [r["comments"] for r in rows]
    labels = ["ok" if r["hate"] == "none" else "hostile" for r in rows]
    rng = np.random.default_rng(SEED)
    held = np.zeros(len(rows), dtype=bool)
    for lab in ("hostile", "ok"):  # stratified 20%
        idx = np.flatnonzero(np.asarray(labels) == lab)
        held[rng.choice(idx, size=round(0.2 * idx.size), replace=False)] = True
    tr = (
        [t for t, h in zip(texts, held, strict=True) if not h],
        [y for y, h in zip(labels, held, strict=True) if not h],
    )
    he = (
        [t for t, h in zip(texts, held, strict=True) if h],
        [y for y, h in zip(labels, held, strict=True) if h],
    )
    return tr, he


_LOADERS = {"en": _en, "zh": _zh, "ko": _ko}
HELD_OUT = {
    "en": "tweeteval_offensive val (1,324 tweets)",
    "zh": "cold_zh_offensive dev.csv (6,431 comments)",
    "ko": "korean_hate_speech train.tsv, seeded stratified 20%",
}


def load_split(lang: str, get=data_path) -> tuple[tuple, tuple, dict]:
    """The training part, the held-out part and counts for one language.

    Returns
    -------
    train : (list of str, list of str)
        Texts and labels (``hostile``/``ok``), de-duplicated, near-duplicates of held-out
        texts removed.
    held : (list of str, list of str)
        The held-out texts and labels, as published (blank texts dropped).
    stats : dict
        Counts for the model card.
    """
    train, held = _LOADERS[lang](get)
    held = tuple(
        map(list, zip(*[(t, y) for t, y in zip(*held, strict=True) if t.strip()], strict=True))
    )
    tx, ty, dup = _dedupe(*train)
    tx, ty, near = _remove_near((tx, ty), held)
    stats = {
        "train_rows": len(train[0]),
        **dup,
        "near_duplicates_of_held_out_removed": near,
        "train_used": {"hostile": ty.count("hostile"), "ok": ty.count("ok")},
        "held_out": {"hostile": held[1].count("hostile"), "ok": held[1].count("ok")},
    }
    return (tx, ty), held, stats


# ------------------------------------------------------------------------------ training

#: candidate settings per language, compared by cross-validation inside the training part
GRID = {
    "en": [
        # earlier runs: char 2-5-grams with C = 4 (0.7270) and C = 16 (0.7253), char
        # 1-6-grams with C = 4 (0.7295): training/logs/hostility_en_run1.json, _run2.json
        (dict(bits=20, char_min=1, char_max=6, word_ngrams=2), 4.0),
        (dict(bits=20, char_min=1, char_max=6, word_ngrams=2), 10.0),
    ],
    "zh": [
        (dict(bits=20, char_min=1, char_max=3, char_nospace=True, word_ngrams=0), 4.0),
        (dict(bits=20, char_min=1, char_max=3, char_nospace=True, word_ngrams=0), 16.0),
    ],
    "ko": [
        # earlier runs compared (word_ngrams=0, C=4) 0.7230, (word_ngrams=0, C=16) 0.7279,
        # (word_ngrams=1, C=16) 0.7283 and (word_ngrams=1, C=64) 0.7271:
        # and spaced character 2-5-grams with word unigrams, C = 16 (0.7197):
        # training/logs/hostility_ko_run1.json, _run2.json, _run3.json
        (dict(bits=20, char_min=1, char_max=4, char_nospace=True, word_ngrams=1), 16.0),
        (dict(bits=20, char_min=1, char_max=5, char_nospace=True, word_ngrams=1), 16.0),
    ],
}
#: the figure each language is judged by (issue 12)
METRIC = {"en": "macro_f1", "zh": "accuracy", "ko": "macro_f1"}
FOLDS = 3

#: hard cases (text, expected label) run through the shipped model; misses go to the card
HARD = {
    "en": [
        ("You are a pathetic idiot, nobody asked for your stupid review.", "hostile"),
        ("Shut up and stop whining, loser.", "hostile"),
        ("Maybe learn to read before you complain, moron.", "hostile"),
        ("We're sorry, but we can't offer a refund on this order.", "ok"),
        ("Thank you for the feedback. We disagree, but we will look into it.", "ok"),
        ("Sorry to hear that. Please send us a DM with your order number.", "ok"),
        ("This new flavour is fucking amazing, best thing we've made!", "ok"),
        ("Damn, that was a good game. Well played everyone!", "ok"),
    ],
    "zh": [
        ("你就是个傻逼，滚", "hostile"),
        ("你脑子有病吧，不会用就别买", "hostile"),
        ("垃圾评论，闭嘴吧你", "hostile"),
        ("非常抱歉，这个订单我们无法退款。", "ok"),
        ("谢谢您的反馈，我们会认真改进。", "ok"),
        ("很遗憾给您带来不便，请私信我们订单号。", "ok"),
    ],
    "ko": [
        ("니가뭔데지랄이야병신아", "hostile"),
        ("머리가나쁘면리뷰를쓰지마라", "hostile"),
        ("닥쳐 이 쓰레기야", "hostile"),
        ("죄송하지만 이 주문은 환불이 어렵습니다.", "ok"),
        ("소중한 의견 감사합니다. 더 노력하겠습니다.", "ok"),
        ("불편을 드려 죄송합니다. 주문번호를 메시지로 보내주세요.", "ok"),
    ],
}


def scores(y_true: list[str], y_pred: list[str]) -> dict:
    """Macro-F1, accuracy, and precision/recall/F1 of each class (hostile positive)."""
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    p, r, f, n = precision_recall_fscore_support(y_true, y_pred, labels=["hostile", "ok"])
    out = {
        "macro_f1": round(float(f1_score(y_true, y_pred, average="macro")), 4),
        "accuracy": round(float(accuracy_score(y_true, y_pred)), 4),
    }
    for i, c in enumerate(("hostile", "ok")):
        out[c] = {
            "precision": round(float(p[i]), 4),
            "recall": round(float(r[i]), 4),
            "f1": round(float(f[i]), 4),
            "support": int(n[i]),
        }
    return out


def _metric(lang: str, y: np.ndarray, z: np.ndarray, t: float) -> float:
    from sklearn.metrics import accuracy_score, f1_score

    pred = z > t
    if METRIC[lang] == "accuracy":
        return float(accuracy_score(y, pred))
    return float(f1_score(y, pred, average="macro"))


def speed(fn, texts: list[str], repeat: int = 3) -> dict:
    """Texts per second of ``fn(texts)``, best of ``repeat`` after one warm-up call."""
    fn(texts[:100])
    wall = cpu = float("inf")
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn(texts)
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    return {"wall_clock": round(len(texts) / wall), "cpu_time": round(len(texts) / cpu)}


def train(lang: str) -> dict:
    """Choose settings by CV, fit, save ``hostility-<lang>.npz``, score the held-out part."""
    from sklearn.model_selection import StratifiedKFold

    from ripplemeter.text.features import FeatureConfig
    from ripplemeter.text.hostility import HostilityModel

    t0 = time.time()
    (tx, ty), (hx, hy), stats = load_split(lang)
    print(lang, json.dumps(stats), flush=True)
    y = (np.asarray(ty) == "hostile").astype(int)
    skf = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED)
    folds = list(skf.split(np.zeros(len(y)), y))
    cv = []
    best = None
    for feats, C in GRID[lang]:
        cfg = FeatureConfig(**feats)
        oof = np.zeros(len(y))
        for a, b in folds:
            m = HostilityModel(lang, features=cfg, C=C).fit([tx[i] for i in a], [ty[i] for i in a])
            oof[b] = m.decision_function([tx[i] for i in b])
        value = _metric(lang, y, oof, 0.0)
        cv.append({"features": feats, "C": C, f"cv_{METRIC[lang]}": round(value, 4)})
        print("  cv:", cv[-1], f"{time.time() - t0:.0f}s", flush=True)
        if best is None or value > best[0]:
            best = (value, feats, C, oof)
    _, feats, C, oof = best
    grid = np.round(np.arange(-1.5, 1.501, 0.05), 2)
    by_t = [(_metric(lang, y, oof, t), -abs(t), t) for t in grid]
    cv_value, _, threshold = max(by_t)
    print(f"  threshold {threshold} (cv {METRIC[lang]} {cv_value:.4f})", flush=True)
    model = HostilityModel(lang, features=FeatureConfig(**feats), C=C, threshold=float(threshold))
    model.fit(tx, ty)
    path = MODELS / f"hostility-{lang}.npz"
    model.save(path, name=f"hostility-{lang}", version="1")
    shipped = HostilityModel.from_file(path)
    held = scores(hy, shipped.predict(hx))
    hard = [
        {"text": t, "expected": e, "got": g, "score": round(float(s), 3)}
        for (t, e), g, s in zip(
            HARD[lang],
            shipped.predict([t for t, _ in HARD[lang]]),
            shipped.label_scores([t for t, _ in HARD[lang]])["score"],
            strict=True,
        )
    ]
    record = {
        "lang": lang,
        "held_out": HELD_OUT[lang],
        "data": stats,
        "cv_folds": FOLDS,
        "cv": cv,
        "chosen": {"features": feats, "C": C, "threshold": float(threshold)},
        "cv_at_threshold": round(cv_value, 4),
        "metrics": held,
        "speed_texts_per_second": speed(shipped.predict, hx * 2),
        "hard_cases": hard,
        "size_bytes": path.stat().st_size,
        "trained": time.strftime("%Y-%m-%d"),
        "seed": SEED,
        "seconds": round(time.time() - t0),
    }
    model.save(
        path,
        name=f"hostility-{lang}",
        version="1",
        data=stats,
        metrics=held,
        held_out=HELD_OUT[lang],
        trained=record["trained"],
    )
    record["size_bytes"] = path.stat().st_size
    LOGS.mkdir(exist_ok=True)
    (LOGS / f"hostility_{lang}.json").write_text(
        json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(json.dumps(record["metrics"]), flush=True)
    return record


NAMES = {"en": "English", "zh": "Chinese", "ko": "Korean"}
DATA_TEXT = {
    "en": (
        "`tweeteval_offensive` (TweetEval offensive = OLID / OffensEval 2019 sub-task A;"
        " Zampieri et al., NAACL 2019; Barbieri et al., Findings of EMNLP 2020), corrected"
        " mapping (0 not-offensive, 1 offensive = hostile). Trains on `train`; held out: `val`."
        " Each line's trailing space stripped."
    ),
    "zh": (
        "`cold_zh_offensive` (COLD; Deng et al., EMNLP 2022), Apache-2.0. Trains on"
        " `train.csv`; held out: `dev.csv` (the file defines the split, not its `split`"
        " column). label 1 (offensive) = hostile."
    ),
    "ko": (
        "`korean_hate_speech` (BEEP!; Moon, Cho and Lee, SocialNLP 2020), CC BY-SA 4.0."
        " hostile = `hate` column offensive or hate; ok = none. Held out: a seeded,"
        " stratified 20% of `train.tsv` (the BEEP! dev set is held by the team)."
    ),
}
NOTES = {
    "en": (
        "The two misses are profanity used as praise. OLID's guideline labels any profanity"
        " offensive, whoever it is aimed at, and the model follows its data: a brand reply"
        " that swears is flagged for a person to read."
    ),
    "zh": "",
    "ko": "",
}
TARGET = {
    "en": ("macro_f1", 0.76, "macro-F1"),
    "zh": ("accuracy", 0.81, "accuracy"),
    "ko": ("macro_f1", 0.80, "hostile-vs-none macro-F1"),
}


def _feature_note(lang: str) -> str:
    """The card's paragraph on the Korean features measured by ``ko_feature_experiments.py``."""
    path = LOGS / "ko_feature_experiments.json"
    if lang != "ko" or not path.exists():
        return ""
    r = json.loads(path.read_text(encoding="utf-8"))["hostility_ko"]
    v = {k: r[k]["cv_macro_f1"] for k in r if isinstance(r[k], dict)}
    return f"""
Features beyond these, measured on the same folds with a plain logistic regression (no
naive-Bayes scaling, so its baseline differs from the table: {v["char (shipped features)"]:.4f}
with the shipped features), C 4 or 16 and the best threshold each
(`training/ko_feature_experiments.py`, log `training/logs/ko_feature_experiments.json`):
word 1-2-grams {v["char + word"]:.4f}; jamo 2-6-grams (the text decomposed into its letters)
{v["char + jamo"]:.4f}; both {v["char + word + jamo"]:.4f}; morphemes and their tags from the
Kiwi analyser (kiwipiepy) {v["char + morph"]:.4f}. A gain of about 0.01 at most leaves the
target out of reach; the model is unchanged.
"""


def write_card(lang: str) -> Path:
    """Write ``models/hostility-<lang>.md`` from ``training/logs/hostility_<lang>.json``."""
    r = json.loads((LOGS / f"hostility_{lang}.json").read_text(encoding="utf-8"))
    m = r["metrics"]
    key, goal, name = TARGET[lang]
    f = r["chosen"]["features"]
    if f.get("char_nospace"):
        grams = f"character {f['char_min']}-{f['char_max']}-grams of the text with spaces removed"
    else:
        grams = f"character {f['char_min']}-{f['char_max']}-grams"
    if f.get("word_ngrams"):
        grams = f"word 1-{f['word_ngrams']}-grams and " + grams
    runs = sorted(LOGS.glob(f"hostility_{lang}_run*.json"))
    rows: dict[str, tuple] = {}
    for source in [*runs, LOGS / f"hostility_{lang}.json"]:
        for c in json.loads(source.read_text(encoding="utf-8"))["cv"]:
            value = next(v for k, v in c.items() if k.startswith("cv_"))
            rows[json.dumps([c["features"], c["C"]])] = (c["features"], c["C"], value, source.name)
    cv = "\n".join(f"| {f_} | {c:g} | {v:.4f} | {src} |" for f_, c, v, src in rows.values())
    hard = "\n".join(
        f"| {h['text']} | {h['expected']} | {h['got']} | {h['score']:.3f} |"
        for h in r["hard_cases"]
    )
    misses = [h for h in r["hard_cases"] if h["got"] != h["expected"]]
    verdict = "meets" if m[key] >= goal else "is **below**"
    text = f"""# hostility-{lang} ({NAMES[lang]} hostility detector)

Version 1, trained {r["trained"]}. File `hostility-{lang}.npz` ({r["size_bytes"] / 1e6:.1f} MB,
float16 weights, no pickle). Loaded with `HostilityModel.load("{lang}")`
(`ripplemeter.text.hostility`); runs with numpy and numba only. Labels `hostile`, `ok`;
`score` is the probability of the predicted label (0.5 at the decision threshold).

## Data, split, training

- **Data**: {DATA_TEXT[lang]}
- **De-duplication**: exact duplicate training texts kept once, dropped when copies disagree
  on the label; training texts whose near-duplicate key (NFKC, case-folded, links and
  mentions removed, letters and digits only) equals a held-out text's are removed.
- **Model**: binary logistic regression (scikit-learn, L2, C = {r["chosen"]["C"]:g},
  balanced class weights) over hashed presence features ({grams}; 2^{f["bits"]} signed
  buckets, rows of unit length; `ripplemeter.text.features`), each feature scaled by its
  naive-Bayes log-count ratio (NBSVM, Wang and Manning, ACL 2012), folded into the weights.
- **Tuning**: {r["cv_folds"]}-fold stratified cross-validation inside the training part only
  (seed {r["seed"]}); settings compared by {name} at threshold 0, then the threshold on the
  hostile logit ({r["chosen"]["threshold"]:+.2f}) chosen on the out-of-fold logits
  (cross-validated {name} {r["cv_at_threshold"]:.4f}). The held-out part was scored once,
  with the float16 weights as shipped.
- **Reproduce**: `nice -n 10 .venv/bin/python training/train_hostility.py {lang}`, then
  `.venv/bin/python training/train_hostility.py --cards`.

## Held-out figures ({r["held_out"]})

| figure | value |
| --- | --- |
| macro-F1 | {m["macro_f1"]:.4f} |
| accuracy | {m["accuracy"]:.4f} |
| hostile precision / recall / F1 | {m["hostile"]["precision"]:.4f} / {m["hostile"]["recall"]:.4f} / {m["hostile"]["f1"]:.4f} ({m["hostile"]["support"]} texts) |
| ok precision / recall / F1 | {m["ok"]["precision"]:.4f} / {m["ok"]["recall"]:.4f} / {m["ok"]["f1"]:.4f} ({m["ok"]["support"]} texts) |

Issue 12's target: {name} >= {goal} on the official held-out set (checked by the team).
This held-out figure ({m[key]:.4f}) {verdict} the target. It is measured on data from the
same collection as the training data; the official test sets may score differently.

## Cross-validation

Every setting compared, over the same seeded folds (logs in `training/logs/`):

| features | C | cross-validated {name} | log |
| --- | --- | --- | --- |
{cv}
{_feature_note(lang)}
## Speed

{r["speed_texts_per_second"]["cpu_time"]:,} texts per second of CPU time
({r["speed_texts_per_second"]["wall_clock"]:,} by the wall clock) for `predict` on the held-out
texts, on the shared two-core machine.

## Hard cases (shipped model)

| text | expected | got | score |
| --- | --- | --- | --- |
{hard}

{"Misses: " + str(len(misses)) + " of " + str(len(r["hard_cases"])) + ". " + NOTES[lang] if misses else "No misses."}

## Data counts

```json
{json.dumps(r["data"], indent=1, ensure_ascii=False)}
```
"""
    path = MODELS / f"hostility-{lang}.md"
    path.write_text(text, encoding="utf-8")
    return path


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--cards"]:
        for code in args[1:] or ["en", "zh", "ko"]:
            print(write_card(code))
    else:
        for code in args or ["en", "zh", "ko"]:
            train(code)
            write_card(code)
