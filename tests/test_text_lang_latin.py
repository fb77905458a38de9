"""Latin-script texts in a language ripplemeter has no model for (French, German, Spanish...)
are recognised as such, left unscored, and not checked for spam by the English filter.

Found by a new user's trial: the listening report read French Mastodon posts with the English
sentiment model (net sentiment -27%) and the English spam filter marked 11 of 20 spam.
Texts written here by hand.
"""

from __future__ import annotations

import pytest

from ripplemeter.campaign import load_campaign
from ripplemeter.text import annotate as A
from ripplemeter.text.lang import (
    LANGUAGE_NAMES,
    OTHER_LATIN,
    detect_languages,
    identify_languages,
    refine_latin,
)
from ripplemeter.workspace import Workspace

OTHER = [
    ("Je suis sur #mastodon depuis hier et je trouve ça très bien", "fr"),
    ("Il y a une instance pour les personnels de l'État", "fr"),
    ("Der Tee ist nicht gut und ich bin enttäuscht", "de"),
    ("El té es muy bueno pero es caro para lo que es", "es"),
    ("o chá não é bom e é muito caro", "pt"),
    ("il tè è molto buono ma non è economico", "it"),
    ("Ich liebe diesen Tee", "de"),  # short: one German function word, no English one
    ("Das ist gut", "de"),
]
ENGLISH = [
    "La La Land was great",
    "Le Creuset pan is amazing, I love it",
    "Die Hard is the best movie of the year",
    "Voted Jean Dujardin is my favorite for Best Actor",
    "no complaints at all",
    "The café's crème brûlée was lovely",
    "Delivery was fast, de nada",
]


@pytest.mark.parametrize(("text", "lang"), OTHER)
def test_other_latin_languages_are_named(text, lang):
    assert lang in OTHER_LATIN and lang in LANGUAGE_NAMES
    assert identify_languages([text]) == [lang]
    assert detect_languages([text]) == [lang]


@pytest.mark.parametrize("text", ENGLISH)
def test_english_with_foreign_names_stays_english(text):
    assert identify_languages([text]) == ["en"]


def test_refine_latin_only_rereads_english():
    texts = ["Der Tee ist nicht gut und ich bin enttäuscht", "抹茶很好喝", "😡😡"]
    assert refine_latin(texts, ["en", "zh", "und"]) == ["de", "zh", "und"]
    assert refine_latin(texts, ["zh", "zh", "und"]) == ["zh", "zh", "und"]  # not re-read


def test_score_texts_leaves_french_unscored():
    pytest.importorskip("numba")
    from ripplemeter.text.sentiment import score_texts

    out = score_texts([OTHER[0][0], "I love this tea"])
    assert out["lang"].tolist() == ["fr", "en"]
    assert out["label"].iloc[0] == "" and out["label"].iloc[1] == "positive"


MENTIONS = """id,platform,channel,author,created_at,text,parent_id,url
e1,mastodon,,amy,2026-03-02 10:00:00,I love the new matcha,,
f1,mastodon,,zoe,2026-03-02 11:00:00,Je suis sur #mastodon depuis hier et je trouve ça très bien,,
f2,mastodon,,luc,2026-03-02 12:00:00,Il y a une instance pour les personnels de l'État,,
"""


def test_annotate_stores_french_without_sentiment_or_spam(tmp_path):
    pytest.importorskip("numba")
    (tmp_path / "mentions.csv").write_text(MENTIONS, encoding="utf-8")
    (tmp_path / "campaign.toml").write_text(
        '[campaign]\nname = "Fr"\nstart = 2026-03-01\nend = 2026-03-31\n'
        '[[sources]]\npath = "mentions.csv"\nformat = "comments"\n'
    )
    camp = load_campaign(tmp_path / "campaign.toml")
    with Workspace(tmp_path / "ws.duckdb") as ws:
        camp.import_sources(ws)
        res = A.annotate_workspace(ws, tasks=("language", "sentiment", "spam"))
        rows = ws.con.execute(
            "SELECT subject_id, task, label FROM annotations ORDER BY subject_id, task"
        ).fetchall()
        assert res.annotated["spam"] == 1
        assert "2 French text(s) have no sentiment (no French model)." in res.notes
        # and a second run adds nothing
        again = A.annotate_workspace(ws, tasks=("language", "sentiment", "spam"))
        assert again.rows == 0 and again.annotated["spam"] == 0
    by = {(s, t): label for s, t, label in rows}
    assert by[("mastodon:f1", "language")] == "fr" and by[("mastodon:f2", "language")] == "fr"
    assert by[("mastodon:e1", "language")] == "en"
    assert {t for s, t in by if s.endswith("f1")} == {"language"}  # no sentiment, no spam
    assert by[("mastodon:e1", "sentiment")] == "positive"
    assert by[("mastodon:e1", "spam")] == "ham"


def test_cli_sentiment_names_the_language_left_blank(tmp_path):
    pytest.importorskip("numba")
    from typer.testing import CliRunner

    from ripplemeter.cli import app

    f = tmp_path / "t.txt"
    f.write_text(f"I love this tea\n{OTHER[0][0]}\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["sentiment", str(f)])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[1:] == [res.stdout.splitlines()[1], ","]
    assert res.stdout.splitlines()[1].startswith("positive,")
    assert "note: 1 text left blank (1 in French, which has no model yet)" in res.stderr


def test_a_series_with_its_own_index_is_read_by_position():
    import pandas as pd

    s = pd.Series(["I love it", "Der Tee ist nicht gut und ich bin enttäuscht"], index=[10, 20])
    assert detect_languages(s) == ["en", "de"]
    assert identify_languages(s) == ["en", "de"]
