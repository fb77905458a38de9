"""One map of language names (``text.lang.LANGUAGE_NAMES``), read by every module that names a
language; the help texts' list of unscored languages is derived from it and the models'
languages."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from ripplemeter.cli import app
from ripplemeter.cli.text import MODELLED, UNSCORED_LANGUAGES
from ripplemeter.text.lang import (
    LANGUAGE_NAMES,
    LANGUAGES,
    OTHER_LATIN,
    language_names,
    unmodelled_names,
)

UNSCORED = "Japanese, French, German, Spanish, Portuguese, Italian, Dutch"


def test_the_map_names_every_detected_language_in_detection_order():
    assert list(LANGUAGE_NAMES) == [*LANGUAGES, *OTHER_LATIN]
    assert LANGUAGE_NAMES["ja"] == "Japanese" and LANGUAGE_NAMES["nl"] == "Dutch"


def test_language_names_restricts_the_map_in_the_order_given():
    assert language_names(("ko", "en")) == {"ko": "Korean", "en": "English"}
    assert list(language_names(("ko", "en"))) == ["ko", "en"]
    assert language_names(()) == {}
    with pytest.raises(KeyError):
        language_names(("xx",))


def test_unmodelled_names_are_the_others_in_map_order():
    assert unmodelled_names(("en", "zh", "ko")) == UNSCORED.split(", ")
    assert unmodelled_names(("ko", "zh", "en", "ja")) == [
        "French",
        "German",
        "Spanish",
        "Portuguese",
        "Italian",
        "Dutch",
    ]
    assert unmodelled_names(LANGUAGE_NAMES) == []


def test_the_cli_languages_are_the_models_languages():
    from ripplemeter.text.classify import LANGUAGES as CLASSIFY_LANGUAGES
    from ripplemeter.text.sentiment import MODEL_LANGUAGES

    assert MODELLED == MODEL_LANGUAGES == CLASSIFY_LANGUAGES == ("en", "zh", "ko")


def test_the_help_texts_unscored_languages_are_derived_from_the_maps():
    from ripplemeter.text.sentiment import MODEL_LANGUAGES

    left = set(LANGUAGE_NAMES) - set(MODEL_LANGUAGES)
    derived = ", ".join(name for code, name in LANGUAGE_NAMES.items() if code in left)
    assert UNSCORED_LANGUAGES == derived == UNSCORED
    runner = CliRunner()
    for command in ("sentiment", "classify"):
        r = runner.invoke(app, [command, "--help"], terminal_width=300, env={"COLUMNS": "300"})
        assert r.exit_code == 0, r.output
        assert f"texts in a language without a model ({UNSCORED}) are left blank" in r.output


def test_modules_name_languages_from_the_one_map():
    from ripplemeter.evaluate.opinion import serp_model_name, serp_reader
    from ripplemeter.report.wording import plain
    from ripplemeter.text import aspects

    # aspects keeps its public map: the three languages it has terms and cues for
    assert aspects.LANGUAGE_NAMES == {"en": "English", "zh": "Chinese", "ko": "Korean"}
    assert tuple(aspects.LANGUAGE_NAMES) == aspects.LANGS
    # the report's model names: the detector's four languages, no more
    assert serp_model_name("sentiment-ja-fast") == "Japanese sentiment model (fast tier)"
    assert serp_model_name("sentiment-fr-fast") == "sentiment-fr-fast"
    assert serp_reader("sentiment-zh-accurate") == "the Chinese sentiment model (accurate tier)"
    assert plain("see model card text/models/spam_ko.md") == (
        "see model card of the Korean spam model"
    )


def test_the_standard_names_a_french_term_list_french():
    # "names, not ids": a term list for fr reads "French", as the sentiment notes name it
    from ripplemeter.operations.standards import Rules, TermList, describe_rules

    said = describe_rules(Rules(terms={"fr": TermList(banned=["gratuit"], required=["Ripple"])}))
    assert said[:2] == [
        "Never write \u201cgratuit\u201d (French) in any post.",
        "Posts in French must include \u201cRipple\u201d.",
    ]
