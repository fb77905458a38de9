"""One entry point for the audit's text classifiers: hostility, bait, promotional, question.

Each task is a binary classifier registered in :data:`TASKS` under its name: a loader that
takes a language code (``"en"``, ``"zh"`` or ``"ko"``) and returns a :class:`Classifier`, an
object with ``classes_`` (two labels, the task's label first and ``"ok"`` second) and
``predict_proba(texts)`` (shape ``(n, 2)``, columns in ``classes_`` order). Learned models
(:class:`ripplemeter.text.hostility.HostilityModel`) and rule sets fit the same shape.

:func:`classify` routes each text to its language's classifier (``lang="auto"`` detects the
language of each text with :func:`ripplemeter.text.lang.detect_languages`), and answers the
label of higher probability and that probability, in input order.

A task module registers itself with :func:`register_task`; the loader is only called when a
text of that language is classified, so importing this module stays cheap. A task with tiers
(``hostility``: ``fast`` n-grams or ``accurate`` embeddings pooled with them) registers them
in :data:`TASK_TIERS`; its loader then takes ``(lang, tier)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from ripplemeter.errors import RippleError

__all__ = [
    "LANGUAGES",
    "TASKS",
    "TASK_LABELS",
    "TASK_TIERS",
    "Classifier",
    "ClassifierUnavailable",
    "classify",
    "register_task",
]

LANGUAGES: tuple[str, ...] = ("en", "zh", "ko")
"""Languages the classifiers cover; ``auto`` routes undetermined texts to English."""


class ClassifierUnavailable(RippleError):
    """No classifier for this task or language."""


@runtime_checkable
class Classifier(Protocol):
    """What a task's loader returns.

    Attributes
    ----------
    classes_ : sequence of str, length 2
        The task's label (``"hostile"``, ``"bait"``, ``"promotional"``, ``"question"``) then
        ``"ok"``.
    """

    classes_: Sequence[str]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities, shape ``(len(texts), 2)``, columns in ``classes_`` order."""
        ...


TASKS: dict[str, Callable[[str], Classifier]] = {}
"""Task name -> loader ``loader(lang) -> Classifier``; raise :class:`ClassifierUnavailable`
for a language the task does not cover."""

TASK_LABELS: dict[str, str] = {}
"""Task name -> its positive label (the other label is always ``"ok"``)."""

TASK_TIERS: dict[str, tuple[str, ...]] = {}
"""Task name -> the tiers its loader accepts (``"auto"`` first); tasks without tiers are absent."""

ALL_TASKS: tuple[str, ...] = ("hostility", "bait", "promotional", "question")
"""The tasks of issue 12 (some may not be registered yet)."""


def register_task(
    name: str,
    label: str,
    loader: Callable[..., Classifier],
    tiers: tuple[str, ...] | None = None,
) -> None:
    """Register a task's loader under ``name``.

    Parameters
    ----------
    name : str
        The task name used by :func:`classify` and ``ripplemeter classify --task``.
    label : str
        The task's positive label (``"bait"`` for the task ``bait``); the other is ``"ok"``.
    loader : callable
        ``loader(lang) -> Classifier`` for ``lang`` in :data:`LANGUAGES`; it should cache
        what it loads and raise :class:`ClassifierUnavailable` for a language it lacks.
        With ``tiers``, ``loader(lang, tier)``.
    tiers : tuple of str, optional
        The tiers the loader accepts, ``"auto"`` (the task's own default) first.
    """
    TASKS[name] = loader
    TASK_LABELS[name] = label
    if tiers:
        TASK_TIERS[name] = tuple(tiers)
    else:
        TASK_TIERS.pop(name, None)


def _hostility(lang: str, tier: str = "auto") -> Classifier:
    # auto: the accurate tier (embedding head pooled with n-grams) where its head exists,
    # the fast n-gram model otherwise (the model's note_ says why)
    from ripplemeter.text.hostility import HostilityModel

    return HostilityModel.load(lang, tier)


register_task("hostility", "hostile", _hostility, tiers=("auto", "accurate", "fast"))


def _bait(lang: str) -> Classifier:
    # the five baiting kinds by rules; headline hype stays off on post bodies (see bait.py)
    from ripplemeter.text.bait import BaitDetector

    return BaitDetector(lang=lang)


def _promotional(lang: str) -> Classifier:
    from ripplemeter.text.promotional import PromotionalRules

    return PromotionalRules(lang=lang)


def _question(lang: str) -> Classifier:
    from ripplemeter.text.questions import QuestionRules

    return QuestionRules(lang=lang)


register_task("bait", "bait", _bait)
register_task("promotional", "promotional", _promotional)
register_task("question", "question", _question)


def classify(
    texts: Sequence[str], task: str, lang: str = "auto", tier: str = "auto"
) -> pd.DataFrame:
    """Classify many texts for one task, in input order.

    Parameters
    ----------
    texts : sequence of str
        ``None``/NaN/blank texts are left unclassified.
    task : {"hostility", "bait", "promotional", "question"}
        A task registered in :data:`TASKS`.
    lang : {"auto", "en", "zh", "ko"}
        ``auto`` detects each text's language; texts of undetermined language (emoji only, a
        word or two in Latin letters) go to the English classifier; Japanese texts are left
        unclassified (no Japanese classifiers).
    tier : {"auto", "accurate", "fast"}
        For tasks with tiers (:data:`TASK_TIERS`; ``hostility``): ``auto`` and ``accurate``
        use the accurate model where the language has one and the fast model otherwise,
        ``fast`` always the fast one. Tasks without tiers accept only ``auto``.

    Returns
    -------
    DataFrame with columns ``lang`` (str), ``label`` (str: the task's label or ``"ok"``,
    empty when unclassified) and ``score`` (float in [0.5, 1], the probability of that label;
    NaN when unclassified), one row per text, in order. ``attrs["tiers"]`` maps each
    language used to the tier that answered; ``attrs["notes"]`` lists why a requested tier
    was not used (for example a language without an accurate model).

    Raises
    ------
    ClassifierUnavailable
        If the task is not registered, ``lang`` is not covered or ``tier`` is not one of the
        task's tiers.
    """
    if task not in TASKS:
        known = ", ".join(sorted(TASKS)) or "none"
        pending = [t for t in ALL_TASKS if t not in TASKS]
        more = f" ({', '.join(pending)} not available yet)" if task in pending else ""
        raise ClassifierUnavailable(
            f"no classifier for the task {task!r}{more}: the available tasks are {known}"
        )
    tiers = TASK_TIERS.get(task, ("auto",))
    if tier not in tiers:
        raise ClassifierUnavailable(
            f"the {task} task has no {tier!r} tier: choose {', '.join(tiers)}"
            if len(tiers) > 1
            else f"the {task} task has one model (no tiers): leave the tier as auto"
        )
    texts = list(texts)
    n = len(texts)
    usable = np.array([isinstance(t, str) and t.strip() != "" for t in texts], dtype=bool)
    if lang == "auto":
        from ripplemeter.text.lang import detect_languages

        langs = np.array(detect_languages(texts), dtype=object) if n else np.array([], object)
        route = np.where(langs == "und", "en", langs)
    else:
        if lang not in LANGUAGES:
            raise ClassifierUnavailable(
                f"no {task} classifier for the language {lang!r}: choose auto, "
                f"{', '.join(LANGUAGES)}"
            )
        langs = np.full(n, lang, dtype=object)
        route = langs
    labels = np.full(n, "", dtype=object)
    scores = np.full(n, np.nan)
    used: dict[str, str] = {}
    notes: list[str] = []
    for code in LANGUAGES:
        idx = np.flatnonzero((route == code) & usable)
        if idx.size == 0:
            continue
        model = TASKS[task](code, tier) if task in TASK_TIERS else TASKS[task](code)
        if task in TASK_TIERS:
            used[code] = str(getattr(model, "tier", tier))
            note = getattr(model, "note_", "")
            if note and tier != "fast":
                notes.append(note)
        p = np.asarray(model.predict_proba([texts[i] for i in idx]), dtype=np.float64)
        best = p.argmax(axis=1)
        labels[idx] = np.asarray(list(model.classes_), dtype=object)[best]
        scores[idx] = p[np.arange(idx.size), best]
    res = pd.DataFrame({"lang": langs.astype(str), "label": labels.astype(str), "score": scores})
    res.attrs["tiers"] = used
    res.attrs["notes"] = notes
    return res
