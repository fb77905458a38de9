"""Agreement between the two labellers of the promotional gold set (Cohen's kappa).

``python training/promotional_agreement.py show`` prints the 100 second-pass posts
(``n<TAB>text``, no labels) for the blind second labeller, read from the shared data.
``python training/promotional_agreement.py`` reads ``second_pass_labels.csv`` (``n,label`` with
``label`` in ``promotional``/``ok``) when it exists and prints the number of posts compared, the
raw agreement and Cohen's kappa against ``gold.csv``.

With ``--fresh`` both commands use the fresh set instead: ``fresh_input.csv`` (100 posts drawn
after the guideline was written, none quoted in it), ``fresh_second_pass_labels.csv`` and
``fresh.csv``.

Cohen's kappa: ``kappa = (p_o - p_e) / (1 - p_e)`` with ``p_o`` the observed agreement and
``p_e = sum_c p1(c) * p2(c)`` the agreement expected from each labeller's label shares
(J. Cohen, "A coefficient of agreement for nominal scales", Educational and Psychological
Measurement 20(1), 1960).
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

GOLD_DIR = Path(__file__).resolve().parents[1] / "tests" / "data" / "promotional_gold"


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float:
    """Cohen's kappa of two label sequences of equal length (by hand, no library).

    Returns ``nan`` when ``p_e == 1`` (both labellers used one and the same label throughout).

    Raises
    ------
    ValueError
        If the lengths differ or are zero.
    """
    if len(a) != len(b) or not a:
        raise ValueError(f"need two label lists of the same non-zero length ({len(a)}, {len(b)})")
    n = len(a)
    p_o = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    p_e = sum(ca[c] * cb[c] for c in set(ca) | set(cb)) / (n * n)
    if p_e == 1.0:
        return float("nan")
    return (p_o - p_e) / (1.0 - p_e)


def read_labels(path: Path) -> dict[int, str]:
    """``n -> label`` from a CSV with columns ``n`` and ``label``.

    Raises
    ------
    ValueError
        Naming the file and line when a label is not ``promotional``/``ok``.
    """
    out = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            label = (row.get("label") or "").strip()
            if label not in ("promotional", "ok"):
                raise ValueError(
                    f"{path.name}, line {line}, column label: {label!r} is not promotional or ok"
                )
            out[int(row["n"])] = label
    return out


def agreement(
    second: dict[int, str], gold_dir: Path = GOLD_DIR, first_file: str = "gold.csv"
) -> dict:
    """Compare second-pass labels with the first pass (``first_file``) on the shared posts."""
    first = read_labels(gold_dir / first_file)
    ns = sorted(set(second) & set(first))
    a = [first[n] for n in ns]
    b = [second[n] for n in ns]
    return {
        "n": len(ns),
        "raw_agreement": sum(x == y for x, y in zip(a, b, strict=True)) / len(ns) if ns else 0.0,
        "kappa": cohen_kappa(a, b) if ns else float("nan"),
        "first_promotional": a.count("promotional"),
        "second_promotional": b.count("promotional"),
    }


def main(argv: list[str]) -> int:
    fresh = "--fresh" in argv
    argv = [a for a in argv if a != "--fresh"]
    inp, labels, first = (
        ("fresh_input.csv", "fresh_second_pass_labels.csv", "fresh.csv")
        if fresh
        else ("second_pass_input.csv", "second_pass_labels.csv", "gold.csv")
    )
    if argv and argv[0] == "show":
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from train_promotional import resolve

        with open(GOLD_DIR / inp, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        for r, text in zip(rows, resolve([r["ref"] for r in rows]), strict=True):
            print(f"{r['n']}\t{' '.join(text.split())}")
        return 0
    path = GOLD_DIR / labels
    if not path.exists():
        print(
            f"{path} does not exist yet: the blind second pass has not been done", file=sys.stderr
        )
        return 1
    res = agreement(read_labels(path), GOLD_DIR, first)
    print(
        f"posts compared: {res['n']}; promotional first/second: {res['first_promotional']}/"
        f"{res['second_promotional']}; raw agreement {res['raw_agreement']:.3f}; "
        f"Cohen's kappa {res['kappa']:.3f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
