"""Plain words for the report page: developer terms in notes and definitions, rewritten.

Import notes and metric definitions are written once, in metrics.json, with the column names,
file paths and model versions a developer needs to trace them. A marketing lead reading
report.html cannot open ``docs/opinion.md`` or a model card path, and ``observed_at is NULL``
or ``1.1+009a78ea2eaf`` says nothing to them. :func:`plain` rewrites those terms for the page
only (the ``plain`` filter of the report templates); metrics.json keeps the exact text.
"""

from __future__ import annotations

import re

from ripplemeter.text.lang import LANGUAGES, language_names

__all__ = ["plain"]

#: The language codes a model stem may carry (``news-tone-ko``), by name.
_LANGUAGES = language_names(LANGUAGES)
_TIME_COLUMNS = {
    "created_at": "creation time",
    "observed_at": "observation time",
    "published_at": "publication time",
}
_MODEL_CARD = re.compile(r"model card (?:text/)?models/([\w.-]+?)(?:\.card)?\.md")
_DOC_PAGE = re.compile(r"\bdocs/([\w-]+)\.md\b")
_MODULE = re.compile(r"\bripplemeter\.text\.(\w+)\b")
_TIME_COLUMN = re.compile(r"\b([a-z]+)_at\b")
_NULL = re.compile(r"\bNULL\b")
#: ``1.1+009a78ea2eaf+dfa78241``: a version with build hashes (the number alone is kept).
_HASHED_VERSION = re.compile(r"\b(\d+(?:\.\d+)*)(?:\+[0-9a-f]{6,})+\b")


def _model_words(stem: str) -> str:
    """``news-tone-ko`` -> ``Korean news-tone model``; ``spam_en`` -> ``English spam model``."""
    parts = re.split(r"[-_]", stem)
    langs = [p for p in parts if p in _LANGUAGES]
    if len(langs) != 1:
        return "model"
    i = parts.index(langs[0])
    task = "-".join(parts[:i])
    tier = parts[i + 1 :]
    if not task:
        return "model"
    words = f"{_LANGUAGES[langs[0]]} {task} model"
    if tier == ["fast"] or tier == ["accurate"]:
        words += f" ({tier[0]} tier)"
    elif tier:
        return "model"
    return words


def _card(m: re.Match) -> str:
    words = _model_words(m.group(1))
    return "the model's card" if words == "model" else f"model card of the {words}"


def plain(text: object) -> object:
    """A note or definition in words a marketing lead reads, for report.html.

    Parameters
    ----------
    text : str
        An import note, a section note or a definition's text (other values are returned as
        they are, so that the filter can take any cell).

    Returns
    -------
    str
        The text with: model card paths as the model's card (``model card
        text/models/news-tone-ko.md`` -> ``model card of the Korean news-tone model``);
        documentation paths as chapters (``docs/opinion.md`` -> ``the opinion chapter of
        ripplemeter's documentation``); module names as models (``ripplemeter.text.aspects``
        -> ``ripplemeter's aspects model``); time columns as words (``created_at`` ->
        ``creation time``); ``NULL`` as ``empty``; hashed versions as their number
        (``1.1+009a78ea2eaf+dfa78241`` -> ``1.1``).
    """
    if not isinstance(text, str):
        return text
    t = _MODEL_CARD.sub(_card, text)
    t = _DOC_PAGE.sub(
        lambda m: f"the {m.group(1).replace('-', ' ')} chapter of ripplemeter's documentation", t
    )
    t = _MODULE.sub(lambda m: f"ripplemeter's {m.group(1)} model", t)
    t = _TIME_COLUMN.sub(
        lambda m: _TIME_COLUMNS.get(m.group(0), m.group(0).replace("_at", " time")), t
    )
    t = _NULL.sub("empty", t)
    return _HASHED_VERSION.sub(r"\1", t)
