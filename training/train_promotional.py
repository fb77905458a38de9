"""The promotional-post gold set: its pool of real posts, the seeded draw, and the model's measure.

The gold file (``tests/data/promotional_gold/gold.csv``) stores references, never texts: the
source files' repositories state no licence for the posts inside them (see each data set's
PROVENANCE.md), so the texts are read back from the shared data at run time through
:func:`ripplemeter.datasets.data_path`. A reference is ``<file under the data root>#<key>``
where the key is the post's id in that file (tweet id, status id, ``uri``, comment id...) or,
for files without ids, ``row<k>`` (0-based data record) or ``item<k>`` (0-based list item).

Run ``python training/train_promotional.py draw`` to check that ``gold.csv`` holds the seeded
draw, ``python training/train_promotional.py fresh`` to check ``fresh.csv`` (100 further posts
drawn after the rules were written, :func:`draw_fresh`), ``python training/train_promotional.py
enriched`` to check ``enriched.csv`` (312 posts drawn toward likely-promotional sources,
:func:`draw_enriched`), and
``python training/train_promotional.py measure`` to score the rule set (and a learned model) and
print the model card's figures.
"""

from __future__ import annotations

import csv
import html
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLD_DIR = ROOT / "tests" / "data" / "promotional_gold"
SEED = 20261202

_TAG = re.compile(r"<[^>]+>")


def _clean_html(s: str) -> str:
    s = re.sub(r"<br\s*/?>|</p>\s*<p>", "\n", s or "")
    return html.unescape(_TAG.sub("", s)).strip()


def _x_exports(root: Path):
    for f in sorted((root / "platform_exports/x_twitter_analytics").rglob("*.csv")):
        if f.name.startswith("daily_"):
            continue
        with open(f, encoding="utf-8-sig", newline="") as fh:
            for r in csv.DictReader(fh):
                yield f, r["Tweet id"], r["Tweet text"], "x"


def _mastodon(root: Path):
    for f in sorted((root / "api_samples/mastodon").rglob("*.json")):
        for s in json.loads(f.read_text(encoding="utf-8")):
            yield f, str(s["id"]), _clean_html(s.get("content", "")), "mastodon"


def _bluesky(root: Path):
    for f in sorted((root / "api_samples/bluesky").rglob("*.json")):
        d = json.loads(f.read_text(encoding="utf-8"))
        posts = d.get("posts") or [x["post"] for x in d.get("feed", [])]
        for p in posts:
            yield f, p["uri"], p["record"].get("text", ""), "bluesky"


def _reddit(root: Path):
    for f in sorted((root / "api_samples/reddit").rglob("*.json")):
        d = json.loads(f.read_text(encoding="utf-8"))
        listings = []
        if "interactions" in d:
            for it in d["interactions"]:
                body = it["response"]["body"]["string"]
                try:
                    listings.append(json.loads(body))
                except ValueError:
                    continue
        else:
            listings.append(d)
        for lst in listings:
            stack = lst if isinstance(lst, list) else [lst]
            for node in stack:
                if not isinstance(node, dict) or "data" not in node:
                    continue
                for ch in node["data"].get("children", []) or []:
                    c = ch.get("data", {})
                    if ch.get("kind") == "t3":
                        text = (c.get("title", "") + "\n" + (c.get("selftext") or "")).strip()
                    elif ch.get("kind") == "t1":
                        text = c.get("body", "")
                    else:
                        continue
                    yield f, c["id"], text, "reddit"


def _youtube(root: Path):
    for f in sorted((root / "api_samples/youtube").rglob("*.json")):
        d = json.loads(f.read_text(encoding="utf-8"))
        for it in d.get("items", []):
            sn = it["snippet"]
            if "topLevelComment" in sn:
                c = sn["topLevelComment"]
                yield f, c["id"], c["snippet"]["textOriginal"], "youtube"
            elif isinstance(it.get("id"), dict):
                key = (
                    it["id"].get("videoId")
                    or it["id"].get("channelId")
                    or it["id"].get("playlistId")
                )
                yield f, key, (sn["title"] + "\n" + sn["description"]).strip(), "youtube"


def _weibo_ced(root: Path):
    for f in sorted((root / "weibo_ced_repost_cascades/original-microblog").glob("*.json")):
        d = json.loads(f.read_text(encoding="utf-8"))
        yield f, "post", d.get("text", ""), "weibo"


def _serp(root: Path):
    base = root / "serp_samples"
    for f in sorted((base / "serpapi_json").rglob("*.json")):
        d = json.loads(f.read_text(encoding="utf-8"))
        for r in d.get("organic_results", []):
            yield f, f"position{r['position']}", f"{r['title']}\n{r.get('snippet', '')}", "serp"
    for f in sorted((base / "scraped_serp_csv").rglob("*.csv")):
        with open(f, encoding="utf-8-sig", newline="") as fh:
            for k, r in enumerate(csv.DictReader(fh)):
                text = (r.get("title", "") + "\n" + (r.get("snippet") or "")).strip()
                yield f, f"row{k}", text, "serp"
    with open(base / "baidu_naver/gaoy132_pachong/baidu.csv", encoding="utf-8-sig") as fh:
        for k, r in enumerate(csv.DictReader(fh)):
            yield base / "baidu_naver/gaoy132_pachong/baidu.csv", f"row{k}", r["title"], "serp"
    f = base / "baidu_naver/JeonginWon_pierce-project-backloop/삼성전자_naver_news.json"
    for k, r in enumerate(json.loads(f.read_text(encoding="utf-8"))):
        yield f, f"item{k}", _clean_html(r["title"] + "\n" + r["description"]), "serp"
    f = base / "baidu_naver/jbs1105_test_crawler/naver_blog.csv"
    with open(f, encoding="utf-8-sig", newline="") as fh:
        for k, r in enumerate(csv.DictReader(fh)):
            yield f, f"row{k}", _clean_html(r["title"] + "\n" + r["des"]), "serp"


def _youtube_uci(root: Path):
    # the UCI YouTube Spam Collection (CC BY 4.0): comments under five music videos, each
    # marked spam (CLASS 1) or ham (CLASS 0) by its authors; used only by the enriched draw
    for f in sorted((root / "youtube_spam_collection").glob("Youtube0*.csv")):
        with open(f, encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                yield f, r["COMMENT_ID"], r["CONTENT"], "youtube_uci"


READERS = (_x_exports, _mastodon, _bluesky, _reddit, _youtube, _weibo_ced, _serp, _youtube_uci)


def _lang(text: str) -> str:
    hangul = len(re.findall(r"[\uac00-\ud7a3]", text))
    han = len(re.findall(r"[\u4e00-\u9fff]", text))
    kana = len(re.findall(r"[\u3040-\u30ff]", text))
    if hangul >= 2 and hangul >= han:
        return "ko"
    if kana >= 2:
        return "ja"
    if han >= 2:
        return "zh"
    return "en" if re.search(r"[A-Za-z]{3}", text) else "und"


def pool(root: Path | None = None) -> list[dict]:
    """Every post of the seven sources: ``ref``, ``source``, ``lang``, ``text`` (in file order).

    Raises
    ------
    ripplemeter.datasets.DataUnavailable
        If the shared data is absent.
    """
    from ripplemeter.datasets import data_root

    root = root or data_root()
    rows, seen = [], set()
    for reader in READERS:
        for f, key, text, source in reader(root):
            ref = f"{f.relative_to(root).as_posix()}#{key}"
            if ref in seen or not isinstance(text, str) or not text.strip():
                continue
            seen.add(ref)
            rows.append({"ref": ref, "source": source, "lang": _lang(text), "text": text})
    return rows


def resolve(refs: list[str], root: Path | None = None) -> list[str]:
    """The texts of ``refs`` (references as in the gold file), in order.

    Raises
    ------
    KeyError
        If a reference is not found in the shared data (the message names it).
    """
    by_ref = {r["ref"]: r["text"] for r in pool(root)}
    missing = [r for r in refs if r not in by_ref]
    if missing:
        raise KeyError(f"{len(missing)} references not in the shared data, e.g. {missing[0]}")
    return [by_ref[r] for r in refs]


# how many posts each (source, language) contributes to the draw
QUOTA = {
    ("x", "en"): 80,
    ("mastodon", "en"): 25,
    ("bluesky", "en"): 15,
    ("reddit", "en"): 10,
    ("youtube", "en"): 20,
    ("serp", "en"): 50,
    ("weibo", "zh"): 100,
    ("serp", "zh"): 25,
    ("serp", "ko"): 105,
}


def draw(root: Path | None = None) -> list[dict]:
    """The seeded sample: for each (source, language) in :data:`QUOTA`, ``random.Random(SEED)``
    samples that many posts (all when fewer) from the pool's posts of that kind, after
    dropping exact duplicate texts; the result is shuffled with the same generator."""
    rng = random.Random(SEED)
    rows = pool(root)
    out = []
    for (source, lang), n in QUOTA.items():
        texts, cand = set(), []
        for r in rows:
            if r["source"] == source and r["lang"] == lang and r["text"] not in texts:
                texts.add(r["text"])
                cand.append(r)
        out.extend(rng.sample(cand, min(n, len(cand))))
    rng.shuffle(out)
    return out


def read_gold(path: Path | None = None) -> list[dict]:
    """The gold rows (``n, ref, source, lang, label, split``) of ``gold.csv`` (or of another
    file of the same folder, e.g. ``fresh.csv``, which has no ``split``)."""
    with open(path or GOLD_DIR / "gold.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion ``k / n`` (E. B. Wilson, "Probable inference,
    the law of succession, and statistical inference", JASA 22(158), 1927); ``(nan, nan)`` when
    ``n == 0``."""
    if n == 0:
        return (float("nan"), float("nan"))
    p = k / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / den
    return (max(0.0, centre - half), min(1.0, centre + half))


def prf(gold: list[bool], pred: list[bool]) -> dict:
    """Counts, precision and recall of the positive class, with their 95 % Wilson intervals."""
    tp = sum(g and p for g, p in zip(gold, pred, strict=True))
    fp = sum((not g) and p for g, p in zip(gold, pred, strict=True))
    fn = sum(g and not p for g, p in zip(gold, pred, strict=True))
    return {
        "n": len(gold),
        "positives": sum(gold),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": tp / (tp + fp) if tp + fp else float("nan"),
        "recall": tp / (tp + fn) if tp + fn else float("nan"),
        "precision_ci": wilson(tp, tp + fp),
        "recall_ci": wilson(tp, tp + fn),
    }


def measure(learned: bool = True) -> dict:
    """Score the shipped rules (default weights, no fitting) on each split and language, and
    (``learned``, needs scikit-learn) a character n-gram model trained on the dev split, on the
    held-out split."""
    from ripplemeter.text.promotional import PromotionalRules

    rows = read_gold()
    texts = resolve([r["ref"] for r in rows])
    gold = [r["label"] == "promotional" for r in rows]
    pred = [p == "promotional" for p in PromotionalRules().predict(texts)]
    out: dict = {"rules": {}}
    for split in ("dev", "heldout", "all"):
        for lang in ("all", "en", "zh", "ko"):
            idx = [
                i
                for i, r in enumerate(rows)
                if split in ("all", r["split"]) and lang in ("all", r["lang"])
            ]
            out["rules"][f"{split}/{lang}"] = prf([gold[i] for i in idx], [pred[i] for i in idx])
    # the fresh set: 100 posts drawn after the rules were written, labelled before scoring
    fresh = read_gold(GOLD_DIR / "fresh.csv")
    fp_ = [
        p == "promotional" for p in PromotionalRules().predict(resolve([r["ref"] for r in fresh]))
    ]
    fg = [r["label"] == "promotional" for r in fresh]
    for lang in ("all", "en", "zh", "ko"):
        idx = [i for i, r in enumerate(fresh) if lang in ("all", r["lang"])]
        out["rules"][f"fresh/{lang}"] = prf([fg[i] for i in idx], [fp_[i] for i in idx])
    # the enriched set (v2): 312 posts drawn toward likely-promotional sources; its dev part and
    # the fresh 100 were used to widen the rules, its held-out part was scored once at the end
    enr = read_gold(GOLD_DIR / "enriched.csv")
    eg = [r["label"] == "promotional" for r in enr]
    ep = [p == "promotional" for p in PromotionalRules().predict(resolve([r["ref"] for r in enr]))]
    for split in ("dev", "heldout"):
        for lang in ("all", "en", "zh", "ko"):
            idx = [
                i for i, r in enumerate(enr) if r["split"] == split and lang in ("all", r["lang"])
            ]
            out["rules"][f"enriched_{split}/{lang}"] = prf(
                [eg[i] for i in idx], [ep[i] for i in idx]
            )
    if not learned:
        return out
    # a learned model, only to see whether 27 training positives support one
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    dev = [i for i, r in enumerate(rows) if r["split"] == "dev"]
    test = [i for i, r in enumerate(rows) if r["split"] == "heldout"]
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
    x = vec.fit_transform([texts[i] for i in dev])
    clf = LogisticRegression(C=10.0, class_weight="balanced", max_iter=2000)
    clf.fit(x, [gold[i] for i in dev])
    lp = clf.predict(vec.transform([texts[i] for i in test]))
    out["learned_heldout"] = prf([gold[i] for i in test], [bool(v) for v in lp])
    return out


FRESH_QUOTA = {
    ("x", "en"): 19,
    ("mastodon", "en"): 6,
    ("bluesky", "en"): 3,
    ("reddit", "en"): 2,
    ("youtube", "en"): 5,
    ("serp", "en"): 12,
    ("weibo", "zh"): 23,
    ("serp", "zh"): 6,
    ("serp", "ko"): 24,
}
"""The fresh set's quotas: :data:`QUOTA` scaled to 100 posts."""


def draw_fresh(root: Path | None = None) -> list[dict]:
    """100 posts not in ``gold.csv`` (and whose text is none of its texts), drawn per
    (source, language) of :data:`FRESH_QUOTA` with ``random.Random(20261205)``, shuffled."""
    gold = {r["ref"] for r in read_gold()}
    rows = pool(root)
    gold_texts = {r["text"] for r in rows if r["ref"] in gold}
    rng = random.Random(20261205)
    out = []
    for (source, lang), n in FRESH_QUOTA.items():
        seen, cand = set(gold_texts), []
        for r in rows:
            if (
                r["source"] == source
                and r["lang"] == lang
                and r["ref"] not in gold
                and r["text"] not in seen
            ):
                seen.add(r["text"])
                cand.append(r)
        out.extend(rng.sample(cand, min(n, len(cand))))
    rng.shuffle(out)
    return out


ENRICHED_SEED = 20261206
_PRICE_HINT = re.compile(r"\d+(?:\.\d+)?\s*(?:元|块)|[¥￥]\s*\d")


def _uci_spam_refs(root: Path) -> set[str]:
    out = set()
    for f in sorted((root / "youtube_spam_collection").glob("Youtube0*.csv")):
        with open(f, encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                if r["CLASS"].strip() == "1":
                    out.add(f"{f.relative_to(root).as_posix()}#{r['COMMENT_ID']}")
    return out


def enriched_strata(root: Path | None = None) -> list[tuple[str, int, object]]:
    """The enriched draw's strata: ``(name, quota, predicate(row) -> bool)``, in draw order.

    Enriched toward likely-promotional sources, chosen by where a post comes from (or, for
    Weibo, whether it names a sum of money), never by the rules' words: Weibo originals that
    name a sum (``<digits> 元/块`` or ``¥<digits>``), every remaining Baidu title (a junk-query
    SERP full of shop, listing and gambling pages), Naver blog posts (local shops, florists,
    estate agents around Seoul Forest), comments the UCI YouTube Spam Collection marks as spam
    (its ``CLASS`` 1: many advertise a service), plus a plain random part of each other source
    so that ``ok`` posts of every kind remain. The pool has no marketplace subreddit (the Reddit
    sample is r/AskReddit and a few search results) and no business X account.
    """
    from ripplemeter.datasets import data_root

    spam = _uci_spam_refs(root or data_root())
    blog = "serp_samples/baidu_naver/jbs1105_test_crawler/naver_blog.csv#"
    news = "serp_samples/baidu_naver/JeonginWon_pierce-project-backloop/"

    def kind(source, lang):
        return lambda r: r["source"] == source and r["lang"] == lang

    return [
        (
            "weibo/zh priced",
            45,
            lambda r: kind("weibo", "zh")(r) and bool(_PRICE_HINT.search(r["text"])),
        ),
        (
            "weibo/zh other",
            40,
            lambda r: kind("weibo", "zh")(r) and not _PRICE_HINT.search(r["text"]),
        ),
        ("serp/zh (Baidu)", 40, kind("serp", "zh")),
        ("serp/ko Naver blog", 80, lambda r: kind("serp", "ko")(r) and r["ref"].startswith(blog)),
        ("serp/ko Naver news", 15, lambda r: kind("serp", "ko")(r) and r["ref"].startswith(news)),
        ("youtube_uci/en spam", 50, lambda r: kind("youtube_uci", "en")(r) and r["ref"] in spam),
        ("youtube_uci/en ham", 15, lambda r: kind("youtube_uci", "en")(r) and r["ref"] not in spam),
        ("serp/en", 30, kind("serp", "en")),
        ("x/en", 15, kind("x", "en")),
        ("reddit/en", 10, kind("reddit", "en")),
        ("mastodon/en", 5, kind("mastodon", "en")),
        ("bluesky/en", 3, kind("bluesky", "en")),
    ]


def draw_enriched(root: Path | None = None) -> list[dict]:
    """About 300 posts for the enriched development and held-out sets (``enriched.csv``).

    None is in ``gold.csv`` or ``fresh.csv`` and no text repeats theirs or another drawn one.
    For each stratum of :func:`enriched_strata`, in order, ``random.Random(20261206)`` samples
    its quota (all when fewer) from the candidates in pool order; the result is shuffled with
    the same generator and each row gets its stratum name.
    """
    taken = {r["ref"] for r in read_gold()} | {r["ref"] for r in read_gold(GOLD_DIR / "fresh.csv")}
    rows = pool(root)
    seen = {r["text"] for r in rows if r["ref"] in taken}
    rng = random.Random(ENRICHED_SEED)
    out = []
    for name, n, pred in enriched_strata(root):
        cand = []
        for r in rows:
            if r["ref"] not in taken and r["text"] not in seen and pred(r):
                seen.add(r["text"])
                cand.append(r)
        pick = rng.sample(cand, min(n, len(cand)))
        # texts of candidates not picked may be drawn by a later stratum
        seen -= {r["text"] for r in cand}
        seen |= {r["text"] for r in pick}
        out.extend({**r, "stratum": name} for r in pick)
    rng.shuffle(out)
    return out


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else "measure"
    if cmd == "counts":
        from collections import Counter

        print(Counter((r["source"], r["lang"]) for r in pool()))
    elif cmd == "draw":
        # check that gold.csv holds exactly the seeded draw, in order
        refs = [r["ref"] for r in draw()]
        same = refs == [r["ref"] for r in read_gold()]
        print(f"{len(refs)} posts drawn; gold.csv holds the same references in order: {same}")
    elif cmd == "enriched":
        # check that enriched.csv holds the seeded enriched draw, in order
        refs = [r["ref"] for r in draw_enriched()]
        same = refs == [r["ref"] for r in read_gold(GOLD_DIR / "enriched.csv")]
        print(f"{len(refs)} enriched posts drawn; enriched.csv holds the same in order: {same}")
    elif cmd == "fresh":
        refs = [r["ref"] for r in draw_fresh()]
        same = refs == [r["ref"] for r in read_gold(GOLD_DIR / "fresh.csv")]
        print(
            f"{len(refs)} fresh posts drawn; fresh.csv holds the same references in order: {same}"
        )
    else:
        print(json.dumps(measure(), indent=1))
