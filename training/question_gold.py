"""The question-detection gold set: a seeded draw of real comments in English, Chinese, Korean.

``tests/data/questions_gold/gold.csv`` stores references (``<file under the data root>#<key>``)
and hand labels, never texts (the Weibo and API-sample sources state no licence for the posts;
see each PROVENANCE.md); the texts are read back with :func:`resolve`.

Pool: English: Reddit comments and titles, YouTube comments and X export tweets (the pool of
``train_promotional.py``); Chinese: the repost/comment records of the Weibo CED cascades
(``weibo_ced_repost_cascades/*-repost/*.json``, key = ``mid``), non-empty text after removing
``//@user:`` repost chains; Korean: the comments of ``korean_hate_speech/train.tsv``
(key = ``row<k>``). :func:`draw` samples :data:`PER_LANG` texts per language with
``random.Random(SEED)`` (exact duplicates dropped first).

Run ``python training/question_gold.py measure`` to score the rules on the gold set.
"""

from __future__ import annotations

import csv
import json
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "data" / "questions_gold" / "gold.csv"
SEED = 20261204
PER_LANG = 70
_CHAIN = re.compile(r"//@[^:：]{1,30}[:：].*$", re.DOTALL)


def _weibo_comment(text: str) -> str:
    return _CHAIN.sub("", text or "").strip()


def pool(root: Path | None = None) -> list[dict]:
    """Candidate comments: ``ref``, ``lang``, ``text``."""
    from ripplemeter.datasets import data_root
    from train_promotional import pool as post_pool

    root = root or data_root()
    rows = [
        {"ref": r["ref"], "lang": "en", "text": r["text"]}
        for r in post_pool(root)
        if r["lang"] == "en" and r["source"] in ("reddit", "youtube", "x")
    ]
    for folder in ("rumor-repost", "non-rumor-repost"):
        for f in sorted((root / "weibo_ced_repost_cascades" / folder).glob("*.json")):
            for rec in json.loads(f.read_text(encoding="utf-8")):
                t = _weibo_comment(rec.get("text", ""))
                if len(t) >= 2:
                    rows.append(
                        {
                            "ref": f"{f.relative_to(root).as_posix()}#{rec['mid']}",
                            "lang": "zh",
                            "text": t,
                        }
                    )
    f = root / "korean_hate_speech" / "train.tsv"
    with open(f, encoding="utf-8", newline="") as fh:
        for k, r in enumerate(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)):
            rows.append(
                {"ref": f"korean_hate_speech/train.tsv#row{k}", "lang": "ko", "text": r["comments"]}
            )
    return rows


def draw(root: Path | None = None) -> list[dict]:
    """:data:`PER_LANG` comments per language (en, zh, ko in that order), seeded."""
    rng = random.Random(SEED)
    rows = pool(root)
    out = []
    for lang in ("en", "zh", "ko"):
        seen, cand = set(), []
        for r in rows:
            if r["lang"] == lang and r["text"] not in seen:
                seen.add(r["text"])
                cand.append(r)
        out.extend(rng.sample(cand, PER_LANG))
    return out


def resolve(refs: list[str], root: Path | None = None) -> list[str]:
    """Texts of the references, in order (as :func:`pool` yields them)."""
    by = {r["ref"]: r["text"] for r in pool(root)}
    return [by[r] for r in refs]


def read_gold() -> list[dict]:
    with open(GOLD, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def measure() -> dict:
    """Precision, recall and accuracy of :class:`ripplemeter.text.questions.QuestionRules`
    on the gold set, overall and per language."""
    from ripplemeter.text.questions import QuestionRules

    rows = read_gold()
    texts = resolve([r["ref"] for r in rows])
    pred = QuestionRules().predict(texts)
    out = {}
    for lang in ("all", "en", "zh", "ko"):
        idx = [i for i, r in enumerate(rows) if lang in ("all", r["lang"])]
        g = [rows[i]["label"] == "question" for i in idx]
        p = [pred[i] == "question" for i in idx]
        tp = sum(a and b for a, b in zip(g, p, strict=True))
        fp = sum((not a) and b for a, b in zip(g, p, strict=True))
        fn = sum(a and not b for a, b in zip(g, p, strict=True))
        out[lang] = {
            "n": len(idx),
            "questions": sum(g),
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "precision": tp / (tp + fp) if tp + fp else float("nan"),
            "recall": tp / (tp + fn) if tp + fn else float("nan"),
            "accuracy": sum(a == b for a, b in zip(g, p, strict=True)) / len(idx),
        }
    return out


if __name__ == "__main__":
    if sys.argv[1:] == ["show"]:
        for i, r in enumerate(draw()):
            print(f"{i}|{r['lang']}|{' '.join(r['text'].split())[:240]}")
    else:
        print(json.dumps(measure(), indent=1))
