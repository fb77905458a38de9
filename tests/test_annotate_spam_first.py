"""The spam model starts before language identification (so that on many texts its workers
run beside it), and the answers for texts that turn out French, German... are dropped when
the rows are written: no spam row for them, as when spam started after the language was
known. Texts and expected rows written by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ripplemeter.campaign import load_campaign
from ripplemeter.text import annotate as A
from ripplemeter.workspace import Workspace

MENTIONS = """id,platform,channel,author,created_at,text,parent_id,url
e1,mastodon,,amy,2026-03-02 10:00:00,I love the new matcha,,
e2,mastodon,,bob,2026-03-02 10:30:00,Check out my channel and subscribe!! http://bit.ly/free-matcha,,
f1,mastodon,,zoe,2026-03-02 11:00:00,Je suis sur #mastodon depuis hier et je trouve ça très bien,,
d1,mastodon,,max,2026-03-02 12:00:00,Der Tee ist nicht gut und ich bin enttäuscht,,
e3,mastodon,,cat,2026-03-02 13:00:00,I love the new matcha,,
"""


@pytest.fixture
def ws(tmp_path):
    (tmp_path / "mentions.csv").write_text(MENTIONS, encoding="utf-8")
    (tmp_path / "campaign.toml").write_text(
        '[campaign]\nname = "Mixed"\nstart = 2026-03-01\nend = 2026-03-31\n'
        '[[sources]]\npath = "mentions.csv"\nformat = "comments"\n'
    )
    camp = load_campaign(tmp_path / "campaign.toml")
    with Workspace(tmp_path / "ws.duckdb") as w:
        camp.import_sources(w)
        yield w


def _spam_rows(ws):
    return dict(
        ws.con.execute("SELECT subject_id, label FROM annotations WHERE task = 'spam'").fetchall()
    )


def test_spam_starts_first_and_drops_french_and_german(ws, monkeypatch):
    pytest.importorskip("numba")
    order: list[str] = []
    real_job, real_languages = A._SpamJob, A._languages

    class Job(real_job):
        def __init__(self, model, texts):
            order.append(f"spam {len(texts)}")
            super().__init__(model, texts)

        def result(self, used=None):
            order.append(f"spam result {used.tolist()}")
            return super().result(used)

    def languages(texts):
        order.append("language")
        return real_languages(texts)

    monkeypatch.setattr(A, "_SpamJob", Job)
    monkeypatch.setattr(A, "_languages", languages)
    res = A.annotate_workspace(ws, tasks=("language", "spam"))
    # 5 texts, 4 distinct (e1 = e3), handed to spam before any language is known; only the
    # answers of the two English ones are used (texts in the order of their first subject id:
    # d1, e1, e2, f1)
    assert order == ["spam 4", "language", "spam result [1, 2]"]
    assert _spam_rows(ws) == {"mastodon:e1": "ham", "mastodon:e2": "spam", "mastodon:e3": "ham"}
    assert res.annotated == {"language": 5, "spam": 3}
    assert res.added == {"language": 5, "spam": 3}
    again = A.annotate_workspace(ws, tasks=("language", "spam"))
    assert again.rows == 0 and again.annotated["spam"] == 0


def test_spam_in_worker_processes_drops_them_too(ws, monkeypatch):
    """The worker path (on many texts) scores the French and German texts as well; their
    answers are dropped the same way."""
    pytest.importorskip("numba")
    import os

    if (os.cpu_count() or 1) < 2:
        pytest.skip("the worker path needs two cores")
    monkeypatch.setattr(A, "PARALLEL_MIN", 2)
    monkeypatch.setattr(A, "_WORKER_CHUNK", 3)  # two chunks: 3 texts and 1
    res = A.annotate_workspace(ws, tasks=("language", "spam"))
    assert _spam_rows(ws) == {"mastodon:e1": "ham", "mastodon:e2": "spam", "mastodon:e3": "ham"}
    assert res.annotated["spam"] == 3


def test_inline_result_scores_only_the_texts_used():
    seen: list[list[str]] = []

    def run(texts):
        seen.append(list(texts))
        n = np.array([len(t) for t in texts])
        return pd.DataFrame({"label": np.where(n > 3, "spam", "ham"), "score": n / 10})

    job = A._SpamJob(A._Model("fake", "1", run), ["ab", "abcde", "abcd", "x"])
    out = job.result(np.array([1, 3]))
    assert seen == [["abcde", "x"]]
    assert out["label"].tolist()[1::2] == ["spam", "ham"]
    assert out["score"].tolist()[1::2] == [0.5, 0.1]
    assert out["label"].isna().tolist() == out["score"].isna().tolist() == [True, False] * 2
    seen.clear()
    assert job.result()["label"].tolist() == ["ham", "spam", "spam", "ham"]
    assert seen == [["ab", "abcde", "abcd", "x"]]
