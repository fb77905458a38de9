"""What the inbox's praise check does to Chinese and Korean complaints (issue 12).

The inbox files a negative reading of the fast sentiment model as a complaint; below
``COMPLAINT_SURE`` (0.6) probability of negative it also needs a negative word in the text
(``ripplemeter.operations.inbox.negative_cues``, the lexicon of
``ripplemeter.text.negative_words``). This script reads the texts the shipped fast model
calls negative and counts, before and after the check, how many truly negative and truly
positive texts carry the complaint label: precision of "complaint = negative" and its recall
over all truly negative texts.

Data (training parts only; the held-out parts are never read here):

* Chinese: the training part of ``sentiment_data.zh_split()`` (ChnSentiCorp hotels, waimai
  delivery, online_shopping; 80% of each set by label, seeded); labels positive/negative.
* Korean: the training movies of ``sentiment_data.ko_split()`` (NSMC raw sample): 1-4 stars
  negative, 9-10 positive; 5-6 star reviews (neutral) are counted apart.

The lexicon was written while reading mild readings of these texts: the first sixty of each
group of all rows in a first round, then mostly those of the even-numbered rows (``--show``
prints only those; one last look went over the cleared Chinese texts of all rows holding
不 or 没). So the figures are given for the whole training part, the even rows (read) and the
odd rows (read much less).

The fast models were fitted on these same training parts, so they read them more surely
than they read new text: the share of mild (below 0.6) negative readings here is smaller
than on an inbox. Run ``python training/praise_check_zh_ko.py [--show N]`` from the
repository root (``--show`` prints N mild readings the check clears and keeps, per language
and label). It also prints what the check would do below other values than
``COMPLAINT_SURE`` (0.5 to 0.9, the grid the English value was chosen from), for comparison
only: the inbox uses ``COMPLAINT_SURE`` for every language.

``--complaint-words`` measures the other Korean rule of the inbox instead
(``COMPLAINT_WORD_BELOW``, ``complaint_word_cues``): a text the fast model reads neutral, or
positive below that probability, is a complaint when it holds a clear complaint word. It
prints, for Korean and (for comparison; the inbox does not use it) Chinese, how many
non-negative readings the rule turns into complaints and how many of those are truly
negative (1-4 stars) or positive (9-10 stars): its precision, and its recall gain over the
truly negative texts read non-negative; then the same for other thresholds (0.5 to 0.9, and
1: every positive reading), and how the fast model's positive readings of each probability
band split by truth (the figures the threshold was chosen from). Movie reviews are not
service messages: they hold few of the rule's words, so these figures say what the rule
costs on ordinary text more than what it catches.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ripplemeter.datasets import data_path  # noqa: E402
from ripplemeter.operations.inbox import (  # noqa: E402
    COMPLAINT_SURE,
    COMPLAINT_WORD_BELOW,
    complaint_word_cues,
    negative_cues,
)
from ripplemeter.text.sentiment import SentimentModel  # noqa: E402
from sentiment_data import ko_split, zh_split  # noqa: E402

CEILINGS = (0.5, 0.6, 0.7, 0.8, 0.9)
"""Values of COMPLAINT_SURE tried for comparison (the English check's grid)."""


def rows(lang: str, get=data_path) -> tuple[list[str], np.ndarray]:
    """Texts and labels of the training part of a language (never the held-out part)."""
    if lang == "zh":
        train, _held, _stats = zh_split(get)
        return [t for t, _y, _s in train], np.array([y for _t, y, _s in train])
    split, _stats = ko_split(get)
    return [t for t, _y, _m in split["train"]], np.array([y for _t, y, _m in split["train"]])


def readings(
    lang: str, ceiling: float = COMPLAINT_SURE, get=data_path
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Texts, labels, the fast model's negative readings, their probability, and the check
    (run on the negative readings below ``ceiling``; True elsewhere)."""
    texts, y = rows(lang, get)
    res = SentimentModel.load(lang, "fast").label_scores(texts)
    neg = res["label"].to_numpy() == "negative"
    p = res["score"].to_numpy(float)
    mild = np.flatnonzero(neg & (p < ceiling))
    cue = np.ones(len(texts), dtype=bool)
    cue[mild] = negative_cues([texts[i] for i in mild])
    return texts, y, neg, p, cue


def measure(texts, y, neg, p, cue, lang: str = "", show: int = 0) -> dict:
    """Complaint counts, precision and recall before and after the check."""
    after = neg & cue
    out = {"texts": len(texts), "truly_negative": int((y == "negative").sum())}
    for name, comp in (("before", neg), ("after", after)):
        tp = int((comp & (y == "negative")).sum())
        fp = int((comp & (y == "positive")).sum())
        out[name] = {
            "complaints_truly_negative": tp,
            "complaints_truly_positive": fp,
            "complaints_neutral": int((comp & (y == "neutral")).sum()),
            "precision": tp / (tp + fp) if tp + fp else float("nan"),
            "recall": tp / out["truly_negative"],
        }
    cleared = neg & ~cue
    out["mild_readings"] = {c: int(((y == c) & neg & (p < COMPLAINT_SURE)).sum()) for c in
                            ("negative", "positive", "neutral")}  # fmt: skip
    out["cleared"] = {
        c: int(((y == c) & cleared).sum()) for c in ("negative", "positive", "neutral")
    }
    if show:
        even = np.arange(len(texts)) % 2 == 0
        for c in ("positive", "negative"):
            for what, m in (("cleared", cleared), ("kept", neg & cue & (p < COMPLAINT_SURE))):
                m = m & even
                idx = np.flatnonzero(m & (y == c))[:show]
                print(f"--- {lang} truly {c}, mild, {what} ({int((m & (y == c)).sum())})")
                for i in idx:
                    print(f"  {p[i]:.2f} {texts[i][:120]}")
    return out


WORD_THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
"""Values of COMPLAINT_WORD_BELOW tried (1.0: every positive reading)."""

BANDS = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
"""Edges of the probability bands of the positive readings (the last band holds 1.0)."""


def word_readings(
    lang: str, get=data_path
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Texts, labels, the fast model's labels and their probability, and the clear-complaint-
    word cue (``complaint_word_cues`` read in ``lang``; run on the non-negative readings,
    False elsewhere)."""
    texts, y = rows(lang, get)
    res = SentimentModel.load(lang, "fast").label_scores(texts)
    lab = res["label"].to_numpy().astype(str)
    p = res["score"].to_numpy(float)
    calm = np.flatnonzero(lab != "negative")
    cue = np.zeros(len(texts), dtype=bool)
    cue[calm] = complaint_word_cues([texts[i] for i in calm], langs=(lang,))
    return texts, y, lab, p, cue


def measure_words(texts, y, lab, p, cue, below: float = COMPLAINT_WORD_BELOW) -> dict:
    """What the rule does at ``below``: the readings it turns into complaints by truth, its
    precision (truly negative against truly positive) and recall gain, and the complaint
    label (negative reading, praise check left out) before and after."""
    fired = cue & ((lab == "neutral") | ((lab == "positive") & (p < below)))
    neg, pos = y == "negative", y == "positive"
    calm_neg = int((neg & (lab != "negative")).sum())
    out = {
        "texts": len(texts),
        "truly_negative": int(neg.sum()),
        "truly_negative_read_non_negative": calm_neg,
        "fired": {c: int((fired & (y == c)).sum()) for c in ("negative", "neutral", "positive")},
    }
    f = out["fired"]
    judged = f["negative"] + f["positive"]
    out["precision"] = f["negative"] / judged if judged else float("nan")
    out["recall_gain"] = f["negative"] / calm_neg if calm_neg else float("nan")
    for name, comp in (("before", lab == "negative"), ("after", (lab == "negative") | fired)):
        tp, fp = int((comp & neg).sum()), int((comp & pos).sum())
        out[name] = {"precision": tp / (tp + fp), "recall": tp / out["truly_negative"]}
    return out


def bands(y, lab, p) -> list[tuple[float, float, dict]]:
    """The fast model's positive readings per probability band, by truth."""
    out = []
    for lo, hi in zip(BANDS[:-1], BANDS[1:], strict=True):
        m = (lab == "positive") & (p >= lo) & ((p < hi) | (hi == 1.0))
        out.append((lo, hi, {c: int((m & (y == c)).sum()) for c in ("negative", "neutral",
                                                                       "positive")}))  # fmt: skip
    return out


def main_words(show: int) -> None:
    """Print the figures of the clear-complaint-word rule (``--complaint-words``)."""
    for lang, name in (("ko", "Korean NSMC sample (training movies)"),
                       ("zh", "Chinese reviews (zh_split train; the inbox does not use the "
                              "rule for Chinese)")):  # fmt: skip
        texts, y, lab, p, cue = word_readings(lang)
        r = measure_words(texts, y, lab, p, cue)
        print(
            f"{name}: {r['texts']:,} texts, {r['truly_negative']:,} truly negative, "
            f"{r['truly_negative_read_non_negative']:,} of them read neutral or positive"
        )
        print(
            f"  rule (neutral, or positive below {COMPLAINT_WORD_BELOW}): complaints added "
            f"{r['fired']}; precision {r['precision']:.4f}, recall gain "
            f"{r['fired']['negative']}/{r['truly_negative_read_non_negative']}"
        )
        for k in ("before", "after"):
            print(
                f"  complaint label {k:6s}: precision {r[k]['precision']:.4f}, "
                f"recall {r[k]['recall']:.4f}"
            )
        print("  other thresholds: below, added by truth, precision")
        for c in WORD_THRESHOLDS:
            rc = measure_words(texts, y, lab, p, cue, c)
            print(f"    {c:.1f}  {rc['fired']}  {rc['precision']:.4f}")
        print("  positive readings per probability band, by truth")
        for lo, hi, n in bands(y, lab, p):
            print(f"    [{lo:.1f}, {hi:.1f}{']' if hi == 1.0 else ')'}  {n}")
        if show:
            fired = cue & ((lab == "neutral") | ((lab == "positive") & (p < COMPLAINT_WORD_BELOW)))
            for i in np.flatnonzero(fired)[:show]:
                print(f"    {y[i]:8s} {lab[i]:8s} {p[i]:.2f} {texts[i][:100]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show", type=int, default=0, help="print this many examples per group")
    ap.add_argument(
        "--complaint-words", action="store_true",
        help="measure the clear-complaint-word rule (COMPLAINT_WORD_BELOW) instead",
    )  # fmt: skip
    args = ap.parse_args()
    if args.complaint_words:
        main_words(args.show)
        return
    for lang, name in (("zh", "Chinese reviews (zh_split train)"),
                       ("ko", "Korean NSMC sample (training movies)")):  # fmt: skip
        texts, y, neg, p, cue = readings(lang, max(CEILINGS))
        check = cue | (p >= COMPLAINT_SURE)
        measure(texts, y, neg, p, check, lang, args.show)
        idx = np.arange(len(texts))
        for part, keep in (("all", idx >= 0), ("even rows (read)", idx % 2 == 0),
                           ("odd rows (read less)", idx % 2 == 1)):  # fmt: skip
            sub = [texts[i] for i in np.flatnonzero(keep)]
            r = measure(sub, y[keep], neg[keep], p[keep], check[keep])
            print(f"{name}, {part}: {r['texts']:,} texts, {r['truly_negative']:,} truly negative")
            print(f"  mild negative readings (< {COMPLAINT_SURE}): {r['mild_readings']}")
            print(f"  cleared by the check: {r['cleared']}")
            for k in ("before", "after"):
                v = r[k]
                print(
                    f"  {k:6s} complaints: {v['complaints_truly_negative']:,} truly negative, "
                    f"{v['complaints_truly_positive']:,} truly positive"
                    + (f", {v['complaints_neutral']:,} neutral (5-6 stars)" if lang == "ko" else "")
                    + f"; precision {v['precision']:.4f}, recall {v['recall']:.4f}"
                )
        print("  if the check ran below other values (all rows): ceiling, precision, recall")
        for c in CEILINGS:
            r = measure(texts, y, neg, p, cue | (p >= c))
            print(f"    {c:.1f}  {r['after']['precision']:.4f}  {r['after']['recall']:.4f}")


if __name__ == "__main__":
    main()
