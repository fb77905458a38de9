"""Annotations: language, sentiment, spam and aspects of a workspace's texts, stored once.

:func:`annotate_workspace` finds the texts of a workspace that lack an annotation from the
current models (posts by ``post_id``; search results by their displayed title and snippet),
runs the fast models over them in batches and stores the answers in the ``annotations``
table (``schema.py``) in one transaction, with each model's name and version:

========== ============================== ===================================================
task       label                          score
========== ============================== ===================================================
language   en, zh, ko, ja or und          NULL (language identification gives no probability)
sentiment  negative, neutral or positive  probability of the label
spam       spam or ham                    probability of the label
aspect     positive, negative, neutral,   NULL; ``aspect`` names the aspect. A text in which
           conflict                       no aspect was found gets one row with ``aspect``
                                          NULL and label ``none``, so it is not re-read.
========== ============================== ===================================================

Running again adds nothing: a row is keyed by (subject, task, model, model version), and a
new model version annotates every text again (sections read the latest run,
``annotated_at``). Report sections read annotations and never write them.

Subjects
--------
* a post: ``subject_id = post_id``; its text from its latest import;
* a search result: ``subject_id = "serp:" + md5(title_text + "\\n" + snippet_text)`` (the
  display columns, NULL as empty), the text scored being the title and snippet joined by a
  space. The same headline seen twice is one subject. :func:`serp_subject_id` builds the same
  id as an Ibis expression, so a section joins results to their annotations on any engine.

Korean results of a news search get their ``sentiment`` from the news-tone model
(:mod:`ripplemeter.text.news_tone`, model name ``news-tone-ko``): is the result bad news for
the brand searched (its query)? Its labels are ``negative`` and ``neutral`` (not negative);
the movie-review sentiment model read market-slump headlines as neutral. A news result is one
seen, on at least one row, with ``serp_results.vertical`` 'news' or an engine whose name says
news (``google_news``). The model was written and measured on news only: results of a web or
blog search (pages, people's posts) keep the Korean sentiment model, as posts do (the
news-tone cues, written on stock news, read a cafe visit near 뚝섬 as a fall). When the
news-tone weights are missing or unreadable the run goes on: the news results are read by
the Korean sentiment model (their annotations name it) and a note says so. Search results in
other languages, and posts, keep the sentiment model of their language.

Speed
-----
Identical texts are scored once. Language identification first decides by script alone the
texts written in one script (:func:`script_languages`: Latin letters only -> en, Hangul only
-> ko, Han only -> zh, as lingua restricted to en/zh/ko/ja decides them) and sends only mixed
texts to lingua, which is the slow step on millions of comments. The spam model starts
first: on :data:`PARALLEL_MIN` distinct texts or more it runs in worker processes while
languages and sentiment are found here. Models run in chunks of :data:`CHUNK` texts; the rows
go to DuckDB as Arrow tables.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ripplemeter.errors import RippleError

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir

    from ripplemeter.workspace import Workspace

__all__ = [
    "CHUNK",
    "TASKS",
    "AnnotationResult",
    "annotate_workspace",
    "script_languages",
    "serp_subject_id",
    "serp_subject_sql",
]

TASKS: tuple[str, ...] = ("language", "sentiment", "spam", "aspect")
"""The tasks :func:`annotate_workspace` runs, in order (language decides the other models)."""

CHUNK = 100_000
"""Texts per model call (bounds memory; progress advances per chunk)."""

LANGUAGE_MODEL = "lingua-language-detector"
_SCRIPT_RULES_VERSION = "scripts1"  # bump when script_languages changes what it decides

ProgressFn = Callable[[str, int, int], None]


# ----------------------------------------------------------------------------- subjects
def serp_subject_sql(alias: str = "") -> str:
    """DuckDB SQL for a search result's subject id (see the module notes)."""
    a = f"{alias}." if alias else ""
    return (
        f"'serp:' || md5(coalesce({a}title_text, '') || chr(10) || coalesce({a}snippet_text, ''))"
    )


def serp_subject_id(t: ir.Table) -> ir.StringValue:
    """A search result's subject id as an Ibis expression over ``serp_results`` rows.

    Equals :func:`serp_subject_sql` (DuckDB's and Spark's ``md5`` give the same hex digest).
    """
    import ibis

    body = t.title_text.fill_null("") + "\n" + t.snippet_text.fill_null("")
    return ibis.literal("serp:") + body.hexdigest("md5")


def serp_text(title: str | None, snippet: str | None) -> str:
    """The text scored for a search result: display title and snippet joined by a space."""
    return " ".join(x for x in (title or "", snippet or "") if x).strip()


def _subjects_sql(import_ids: Sequence[int] | None) -> tuple[str, list]:
    where, params = "", []
    if import_ids is not None:
        ids = [int(i) for i in import_ids] or [-1]
        where = f" AND import_id IN ({','.join('?' * len(ids))})"
        params = ids + ids
    # ordered by subject: a GROUP BY's row order changes from run to run (parallel hash
    # aggregation), and with it the chunks, the progress and the order rows are written in
    sql = f"""
        SELECT * FROM (
        SELECT post_id AS subject_id, arg_max(text, import_id) AS text,
               -- news articles and feed items are not comments: no spam check (comments
               -- under a news article keep it)
               bool_or(NOT ((coalesce(platform, '') = 'rss' OR coalesce(channel, '') = 'news')
                            AND coalesce(kind, 'original') = 'original'))
                 AS spam_check
        FROM posts WHERE post_id IS NOT NULL AND text IS NOT NULL
          AND trim(text) <> ''{where}
        GROUP BY post_id
        UNION ALL
        SELECT DISTINCT {serp_subject_sql()} AS subject_id,
               trim(concat_ws(' ', nullif(title_text, ''), nullif(snippet_text, ''))) AS text,
               TRUE AS spam_check
        FROM serp_results
        WHERE trim(concat_ws(' ', nullif(title_text, ''), nullif(snippet_text, ''))) <> ''{where}
        ) ORDER BY subject_id
    """
    return sql, params


# ----------------------------------------------------------------------------- language
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")
_HANGUL = re.compile(r"[\u1100-\u11FF\u3130-\u318F\uA960-\uA97F\uAC00-\uD7A3\uD7B0-\uD7FF]")
_HAN = re.compile(r"[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\U00020000-\U0003134F]")
# a letter of any other script (kana, Cyrillic, Thai, ...): lingua decides
_OTHER = re.compile(
    r"[^\W\d_A-Za-z\u00C0-\u024F\u1100-\u11FF\u3130-\u318F\uA960-\uA97F\uAC00-\uD7A3"
    r"\uD7B0-\uD7FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\U00020000-\U0003134F]"
)
_LATIN_MIN = 3  # as ripplemeter.text.lang: fewer Latin letters than this is undetermined


def script_languages(texts: Sequence[str]) -> list[str | None]:
    """The language of each text that one script decides; None where lingua must.

    Parameters
    ----------
    texts : sequence of str

    Returns
    -------
    list of (str or None)
        ``"en"`` for texts whose letters are all Latin (at least three of them), ``"ko"``
        for Hangul only, ``"zh"`` for Han characters only, ``"und"`` for texts without a
        letter or with fewer than three Latin letters and nothing else; None for texts
        mixing scripts or using another script (kana, ...).

    Notes
    -----
    These are the answers :func:`ripplemeter.text.lang.detect_languages` gives such texts
    (lingua restricted to en/zh/ko/ja reads Latin as English, Hangul as Korean and Han
    without kana as Chinese), found with three regular expressions instead of lingua's
    n-gram models; ``tests/test_annotate.py`` checks the agreement.
    """
    out: list[str | None] = []
    for t in texts:
        if _OTHER.search(t):
            out.append(None)
            continue
        latin = _LATIN.search(t) is not None
        hangul = _HANGUL.search(t) is not None
        han = _HAN.search(t) is not None
        n = latin + hangul + han
        if n == 0:
            out.append("und")
        elif n > 1:
            out.append(None)
        elif hangul:
            out.append("ko")
        elif han:
            out.append("zh")
        else:
            out.append("en" if len(_LATIN.findall(t)) >= _LATIN_MIN else "und")
    return out


def _languages(texts: list[str]) -> np.ndarray:
    from ripplemeter.text.lang import identify_languages

    return np.asarray(identify_languages(texts), dtype=object)


def _language_version() -> str:
    try:
        v = metadata.version("lingua-language-detector")
    except metadata.PackageNotFoundError:  # pragma: no cover - a declared dependency
        v = "unknown"
    return f"{v}+en.zh.ko.ja+latin6+{_SCRIPT_RULES_VERSION}"


# ----------------------------------------------------------------------------- models
def _file_version(path: Any) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()[:12]


@dataclass
class _Model:
    """One model as annotations name it, and the function that applies it."""

    name: str
    version: str
    run: Callable[[list[str]], Any]


def _sentiment_model(lang: str, tier: str) -> _Model:
    from ripplemeter.text.sentiment import SentimentModel, _model_file

    m = SentimentModel.load(lang, tier)
    meta = getattr(m, "meta_", {}) or {}
    name = str(meta.get("name") or f"sentiment-{lang}-{tier}")
    # the weights' hash too: a model retrained under the same version number annotates again
    weights = _file_version(_model_file(f"sentiment-{lang}-{tier}"))
    version = f"{meta['version']}+{weights}" if meta.get("version") else weights
    return _Model(name, version, lambda texts: m.label_scores(texts))


def _news_tone_model(ws: Workspace) -> _Model:
    """The Korean news-tone model for search results (:mod:`ripplemeter.text.news_tone`).

    ``run(subject_ids)`` reads each search result's display title, snippet and query from the
    workspace's ``serp_results`` and returns ``label`` (negative/neutral, neutral meaning not
    negative) and ``score`` (probability of the label). The version is the model card's
    version, the weights' hash and the cues' digest (the cues are code), so retrained weights
    or changed cues annotate again.
    """
    from ripplemeter.text.news_tone import MODEL_NAME, NewsToneModel, cue_digest, model_path

    m = NewsToneModel.load()
    version = f"{m.version}+{_file_version(model_path())}+{cue_digest()}"

    def run(subject_ids: list[str]) -> pd.DataFrame:
        rows = _serp_sources(ws).reindex(subject_ids)
        rows = rows.astype(object).where(rows.notna(), None)
        return m.label_scores(
            rows["title_text"].tolist(), rows["snippet_text"].tolist(), rows["query"].tolist()
        )

    return _Model(MODEL_NAME, version, run)


def _serp_news_subjects(ws: Workspace) -> set[str]:
    """Search-result subjects seen in a news search: ``vertical`` 'news', or an engine whose
    name says news (SerpApi's ``google_news``), on at least one of their rows."""
    rows = ws.con.execute(
        f"""
        SELECT {serp_subject_sql()} AS subject_id FROM serp_results GROUP BY 1
        HAVING bool_or(lower(coalesce(vertical, '')) = 'news'
                       OR lower(coalesce(engine, '')) LIKE '%news%')
        """
    ).fetchall()
    return {r[0] for r in rows}


def _serp_sources(ws: Workspace) -> pd.DataFrame:
    """Display title, snippet and query of each search-result subject, indexed by subject.

    A headline seen under several queries is one subject; its first query by name is used.
    """
    return (
        ws.con.execute(
            f"""
            SELECT {serp_subject_sql()} AS subject_id, any_value(title_text) AS title_text,
                   any_value(snippet_text) AS snippet_text, min(query) AS query
            FROM serp_results GROUP BY 1
            """
        )
        .df()
        .set_index("subject_id")
    )


def _spam_model() -> _Model:
    from ripplemeter.text.spam import MODEL_PATH, SpamFilter

    f = SpamFilter.load()
    version = f.version if f.version and f.version != "0" else _file_version(MODEL_PATH)

    def run(texts: list[str]) -> pd.DataFrame:
        p = f.predict_proba(texts)[:, 1]
        spam = p >= f.threshold
        return pd.DataFrame(
            {"label": np.where(spam, "spam", "ham"), "score": np.where(spam, p, 1 - p)}
        )

    return _Model(f.name, version, run)


def _aspect_model(lang: str, taxonomy: str) -> _Model:
    """The aspect detector for a language and taxonomy.

    The contract with :mod:`ripplemeter.text.aspects`: a function
    ``annotation_model(lang, taxonomy) -> (name, version, run)`` where ``run(texts)`` returns,
    for each text in order, a list of ``(aspect, polarity, score_or_None)``. The model's name
    and version must change when the taxonomy or the weights change.

    Raises
    ------
    RippleError
        The aspects module does not offer that function yet (the run notes it and goes on).
    """
    from ripplemeter.text import aspects as A

    make = getattr(A, "annotation_model", None)
    if make is None:
        raise RippleError("ripplemeter.text.aspects offers no annotation_model(lang, taxonomy)")
    name, version, run = make(lang, taxonomy)
    return _Model(str(name), str(version), run)


PARALLEL_MIN = 40_000
"""Distinct texts from which the spam model runs in worker processes (one per core)."""
_WORKER_CHUNK = 10_000
_WORKER_SPAM = None


def _worker_ignores_ctrl_c() -> None:
    """Worker processes leave Ctrl-C to the main process, which decides what to stop (a
    watcher finishes its round): they share the terminal's process group, so SIGINT reaches
    them too and would break the pool with tracebacks of their own."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _spam_worker(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """In a worker process: P(spam) of texts, with the filter loaded once per process."""
    global _WORKER_SPAM
    if _WORKER_SPAM is None:
        from ripplemeter.text.spam import SpamFilter

        _WORKER_SPAM = SpamFilter.load()
    p = _WORKER_SPAM.predict_proba(texts)[:, 1]
    return p, np.asarray(_WORKER_SPAM.threshold)


class _SpamJob:
    """The spam model over distinct texts: inline, or in worker processes when there are many.

    The spam filter's n-gram features are computed in Python (about 2,000-4,000 texts a
    second on one core), the slowest model here; on :data:`PARALLEL_MIN` texts or more it
    runs in a process pool (spawned, one worker per core) while this process identifies
    languages and scores sentiment, and :meth:`result` collects the answers in order.
    """

    def __init__(self, model: _Model, texts: list[str]) -> None:
        import os

        self.model = model
        self.texts = texts
        self.pool = None
        self.futures: list = []
        cores = os.cpu_count() or 1
        if len(texts) >= PARALLEL_MIN and cores > 1:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor

            self.pool = ProcessPoolExecutor(
                cores, mp_context=mp.get_context("spawn"), initializer=_worker_ignores_ctrl_c
            )
            self.futures = [
                self.pool.submit(_spam_worker, texts[a : a + _WORKER_CHUNK])
                for a in range(0, len(texts), _WORKER_CHUNK)
            ]

    def close(self) -> None:
        """Stop the workers (after a failure elsewhere in the run)."""
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)

    def result(self, used: np.ndarray | None = None) -> pd.DataFrame:
        """Label and score of each text, in order.

        Parameters
        ----------
        used : numpy.ndarray of int, optional
            Positions of the texts whose answers will be used (default all). Run inline, only
            those are scored and the others get a missing label and score; the workers have
            scored every text already.

        Returns
        -------
        pandas.DataFrame
            ``label`` (spam or ham) and ``score`` (probability of the label), one row per text.
        """
        if self.pool is None:
            if used is None or len(used) == len(self.texts):
                return self.model.run(self.texts)
            part = self.model.run([self.texts[i] for i in used])
            label = np.full(len(self.texts), None, dtype=object)
            score = np.full(len(self.texts), np.nan)
            label[used] = part["label"].to_numpy()
            score[used] = part["score"].to_numpy()
            return pd.DataFrame({"label": label, "score": score})
        try:
            parts = [f.result() for f in self.futures]
        finally:
            self.pool.shutdown(cancel_futures=True)
        p = np.concatenate([x[0] for x in parts]) if parts else np.zeros(0)
        spam = p >= float(parts[0][1]) if parts else np.zeros(0, dtype=bool)
        return pd.DataFrame(
            {"label": np.where(spam, "spam", "ham"), "score": np.where(spam, p, 1 - p)}
        )


# ----------------------------------------------------------------------------- result
@dataclass
class AnnotationResult:
    """What :func:`annotate_workspace` did.

    Attributes
    ----------
    subjects : int
        Texts considered (posts with text, distinct search results).
    added : dict[str, int]
        Rows added per task.
    annotated : dict[str, int]
        Texts newly annotated per task (an aspect task adds one row per aspect found).
    distinct_texts : int
        Distinct texts among those annotated (identical texts are scored once).
    seconds : float
        Wall time of the run.
    notes : list[str]
        Plain-language notes (languages without a model, tasks skipped).
    """

    subjects: int = 0
    added: dict[str, int] = field(default_factory=dict)
    annotated: dict[str, int] = field(default_factory=dict)
    distinct_texts: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(self.added.values())


# ----------------------------------------------------------------------------- the run
_COLUMNS = ("subject_id", "task", "label", "score", "model", "model_version", "aspect")


def _existing(ws: Workspace, task: str, pairs: list[tuple[str, str]]) -> set[str]:
    """Subjects already annotated for ``task`` by one of ``(model, version)``."""
    if not pairs:
        return set()
    cond = " OR ".join("(model = ? AND model_version = ?)" for _ in pairs)
    params = [task] + [x for p in pairs for x in p]
    rows = ws.con.execute(
        f"SELECT DISTINCT subject_id FROM annotations WHERE task = ? AND ({cond})", params
    ).fetchnumpy()
    return set(rows["subject_id"].tolist())


def _pending_mask(ids: np.ndarray, done: set[str]) -> np.ndarray:
    if not done:
        return np.ones(len(ids), dtype=bool)
    return np.fromiter((i not in done for i in ids), dtype=bool, count=len(ids))


def _score_unique(model: _Model, texts: np.ndarray) -> pd.DataFrame:
    """Run a label/score model on the distinct texts and spread the answers back."""
    codes, uniques = pd.factorize(texts)
    res = model.run(list(uniques))
    return pd.DataFrame(
        {"label": res["label"].to_numpy()[codes], "score": res["score"].to_numpy()[codes]}
    )


def annotate_workspace(
    ws: Workspace,
    *,
    import_ids: Sequence[int] | None = None,
    tier: str = "fast",
    taxonomy: str = "product",
    tasks: Sequence[str] = TASKS,
    progress: ProgressFn | None = None,
) -> AnnotationResult:
    """Annotate the workspace's texts that lack annotations from the current models.

    Parameters
    ----------
    ws : Workspace
        An open, writable workspace.
    import_ids : sequence of int, optional
        Only texts from these imports (a campaign's sources); default every text.
    tier : {"fast", "accurate"}
        Sentiment tier (:meth:`ripplemeter.text.sentiment.SentimentModel.load`).
    taxonomy : str
        Aspect taxonomy name (``product``, ``semeval14-restaurants``) or path.
    tasks : sequence of str
        A subset of :data:`TASKS`; ``language`` always runs when another task needs it.
    progress : callable, optional
        Called as ``progress(task, done, total)`` while texts are scored.

    Returns
    -------
    AnnotationResult

    Raises
    ------
    RippleError
        An unknown task, or no shipped model for the tier asked for
        (:class:`ripplemeter.text.sentiment.ModelUnavailable`).

    Notes
    -----
    All rows of a run are written in one transaction with one ``annotated_at`` time: an
    interrupted run writes nothing. Texts in a language without a sentiment model (every
    language of :data:`ripplemeter.text.lang.LANGUAGE_NAMES` but English, Chinese and Korean:
    Japanese, and French, German and the other languages read by
    :func:`ripplemeter.text.lang.refine_latin`) get no sentiment; texts of undetermined language (emoji only, a word or two) are scored by the
    English model, which learned emoji from tweets. Korean results of a news search are
    scored by the news-tone model in either tier (web and blog results keep the Korean
    sentiment model; without the news-tone weights the news results do too, with a note: see
    the module notes). The spam model, trained on English
    YouTube comments, scores every text (links and calls to subscribe are what it knows) but
    news articles and feed items (original posts of platform ``rss`` or channel ``news``:
    an article is not a comment; the comments under it are checked, and the filter called 38 of 55 Guardian articles spam) and those in
    French, German, Spanish, Portuguese, Italian or Dutch
    (:data:`ripplemeter.text.lang.OTHER_LATIN`), which it would mostly call spam: they get no
    spam row. It starts before language identification (in worker processes on many texts)
    and their answers are dropped once their language is known.
    """
    unknown = [t for t in tasks if t not in TASKS]
    if unknown:
        raise RippleError(f"unknown annotation task(s) {unknown}: choose from {', '.join(TASKS)}")
    t0 = time.perf_counter()
    res = AnnotationResult()
    sql, params = _subjects_sql(import_ids)
    subj = ws.con.execute(sql, params).fetchnumpy()
    ids = np.asarray(subj["subject_id"], dtype=object)
    texts = np.asarray(subj["text"], dtype=object)
    spam_check = np.asarray(subj["spam_check"], dtype=bool)
    res.subjects = len(ids)
    res.distinct_texts = int(pd.Series(texts).nunique()) if len(texts) else 0
    now = pd.Timestamp.now(tz="UTC").tz_localize(None).floor("us")
    out: list[pa.Table] = []

    def emit(task: str, sid, label, score, model: _Model, aspect=None) -> None:
        n = len(sid)
        if n == 0:
            return
        out.append(
            pa.table(
                {
                    "subject_id": pa.array(sid, pa.string()),
                    "task": pa.array([task] * n, pa.string()),
                    "label": pa.array(label, pa.string()),
                    "score": pa.array(
                        np.full(n, np.nan) if score is None else np.asarray(score, float),
                        pa.float64(),
                        from_pandas=True,
                    ),
                    "model": pa.array([model.name] * n, pa.string()),
                    "model_version": pa.array([model.version] * n, pa.string()),
                    "aspect": pa.array([None] * n if aspect is None else aspect, pa.string()),
                }
            )
        )
        res.added[task] = res.added.get(task, 0) + n

    def tick(task: str, done: int, total: int) -> None:
        if progress:
            progress(task, done, total)

    spam_job = None
    try:
        # -- spam: started first, on every text waiting for it, so that on many texts it runs
        # in worker processes while language and sentiment run here. The answers for texts
        # that turn out to be French, German, Spanish... (OTHER_LATIN) are dropped when the
        # rows are written: the English-trained filter flags most such posts, so they are
        # not checked
        if "spam" in tasks and len(ids):
            spam_model = _spam_model()
            spam_waiting = np.flatnonzero(
                _pending_mask(ids, _existing(ws, "spam", [(spam_model.name, spam_model.version)]))
                & spam_check
            )
            tick("spam", 0, len(spam_waiting))
            spam_codes, spam_uniques = pd.factorize(texts[spam_waiting])
            spam_job = _SpamJob(spam_model, list(spam_uniques))

        # -- language: needed to route every other task
        lang_model = _Model(LANGUAGE_MODEL, _language_version(), _languages)
        langs = np.full(len(ids), None, dtype=object)
        if len(ids):
            known = ws.con.execute(
                "SELECT subject_id, label FROM annotations WHERE task = 'language' AND model = ? "
                "AND model_version = ?",
                [lang_model.name, lang_model.version],
            ).df()
            if len(known):
                m = pd.Series(known["label"].to_numpy(), index=known["subject_id"].to_numpy())
                m = m[~m.index.duplicated()]
                langs = pd.Series(ids).map(m).to_numpy(dtype=object)
            todo = np.flatnonzero(pd.isna(langs))
            for a in range(0, len(todo), CHUNK):
                idx = todo[a : a + CHUNK]
                tick("language", a, len(todo))
                chunk = texts[idx]
                codes, uniques = pd.factorize(chunk)
                langs[idx] = _languages(list(uniques))[codes]
            tick("language", len(todo), len(todo))
            if "language" in tasks:
                emit("language", ids[todo], langs[todo], None, lang_model)
            res.annotated["language"] = len(todo)

        # -- sentiment: one model per language; und -> English, ja -> none. Korean search
        # results get the news-tone model instead (negative news for the searched brand)
        if "sentiment" in tasks and len(ids):
            route = np.where(langs == "und", "en", langs)
            serp_ko = (route == "ko") & np.fromiter(
                (str(i).startswith("serp:") for i in ids), dtype=bool, count=len(ids)
            )
            if serp_ko.any():  # only news results: web pages and blog posts keep sentiment
                serp_ko &= pd.Series(ids).isin(_serp_news_subjects(ws)).to_numpy()
            news = None
            if serp_ko.any():
                from ripplemeter.text.news_tone import NewsToneUnavailable

                try:
                    news = _news_tone_model(ws)
                except NewsToneUnavailable as exc:
                    res.notes.append(
                        f"{int(serp_ko.sum())} Korean news result(s) were read by the Korean "
                        f"sentiment model instead of the news-tone model: {exc}"
                    )
                    serp_ko[:] = False
            models: dict[str, _Model] = {}
            from ripplemeter.text.sentiment import MODEL_LANGUAGES, ModelUnavailable

            for code in MODEL_LANGUAGES:
                if ((route == code) & ~serp_ko).any():
                    try:
                        models[code] = _sentiment_model(code, tier)
                    except ModelUnavailable as exc:
                        if tier != "fast":
                            raise
                        res.notes.append(f"sentiment not annotated for {code}: {exc}")
            done = _existing(ws, "sentiment", [(m.name, m.version) for m in models.values()])
            pending = _pending_mask(ids, done) & ~serp_ko
            news_idx = np.zeros(0, dtype=np.int64)
            if news is not None:
                news_done = _existing(ws, "sentiment", [(news.name, news.version)])
                news_idx = np.flatnonzero(serp_ko & _pending_mask(ids, news_done))
            total = int(sum(((route == c) & pending).sum() for c in models)) + len(news_idx)
            n_done = 0
            if len(news_idx):
                tick("sentiment", n_done, total)
                r = news.run(list(ids[news_idx]))
                emit("sentiment", ids[news_idx], r["label"].to_numpy(), r["score"].to_numpy(), news)
                n_done += len(news_idx)
            for code, model in models.items():
                idx = np.flatnonzero((route == code) & pending)
                for a in range(0, len(idx), CHUNK):
                    part = idx[a : a + CHUNK]
                    tick("sentiment", n_done, total)
                    r = _score_unique(model, texts[part])
                    emit(
                        "sentiment", ids[part], r["label"].to_numpy(), r["score"].to_numpy(), model
                    )
                    n_done += len(part)
            tick("sentiment", total, total)
            res.annotated["sentiment"] = total
            from ripplemeter.text.lang import LANGUAGE_NAMES

            unmodelled = route[~np.isin(route.astype(str), list(MODEL_LANGUAGES))]
            for code, n in pd.Series(unmodelled).value_counts().items():
                if code in LANGUAGE_NAMES:
                    res.notes.append(
                        f"{n} {LANGUAGE_NAMES[code]} text(s) have no sentiment "
                        f"(no {LANGUAGE_NAMES[code]} model)."
                    )

    except BaseException:
        if spam_job is not None:
            spam_job.close()
        raise

    if spam_job is not None:
        # every text but those in a Latin-script language other than English
        from ripplemeter.text.lang import OTHER_LATIN

        keep = ~np.isin(langs[spam_waiting].astype(str), OTHER_LATIN)
        spam_pending, codes = spam_waiting[keep], spam_codes[keep]
        r = spam_job.result(np.unique(codes))
        emit(
            "spam",
            ids[spam_pending],
            r["label"].to_numpy()[codes],
            r["score"].to_numpy()[codes],
            spam_model,
        )
        res.annotated["spam"] = len(spam_pending)
        tick("spam", len(spam_pending), len(spam_pending))

    # -- aspects: one row per aspect found, or one 'none' row
    if "aspect" in tasks and len(ids):
        _annotate_aspects(ws, ids, texts, langs, taxonomy, emit, tick, res)

    # -- store, in one transaction, never twice
    if out:
        table = pa.concat_tables(out)
        _store(ws, table, now)
    res.seconds = time.perf_counter() - t0
    return res


def _annotate_aspects(ws, ids, texts, langs, taxonomy, emit, tick, res) -> None:
    try:
        from ripplemeter.text import aspects as _  # noqa: F401
    except ImportError:
        res.notes.append("aspects not annotated: the aspect detector is not installed")
        return
    route = np.where(langs == "und", "en", langs)
    models: dict[str, _Model] = {}
    for code in ("en", "zh", "ko"):
        if (route == code).any():
            try:
                models[code] = _aspect_model(code, taxonomy)
            except RippleError as exc:
                res.notes.append(f"aspects not annotated for {code}: {exc}")
    done = _existing(ws, "aspect", [(m.name, m.version) for m in models.values()])
    pending = _pending_mask(ids, done)
    total = int(sum(((route == c) & pending).sum() for c in models))
    n_done = 0
    for code, model in models.items():
        idx = np.flatnonzero((route == code) & pending)
        for a in range(0, len(idx), CHUNK):
            part = idx[a : a + CHUNK]
            tick("aspect", n_done, total)
            codes, uniques = pd.factorize(texts[part])
            found = model.run(list(uniques))  # list (per text) of [(aspect, polarity, score)]
            sid, lab, sc, asp = [], [], [], []
            for j, k in enumerate(codes):
                hits = found[k]
                if not hits:
                    sid.append(ids[part[j]])
                    lab.append("none")
                    sc.append(np.nan)
                    asp.append(None)
                for aspect, polarity, score in hits:
                    sid.append(ids[part[j]])
                    lab.append(polarity)
                    sc.append(np.nan if score is None else float(score))
                    asp.append(aspect)
            emit("aspect", np.asarray(sid, dtype=object), lab, sc, model, asp)
            n_done += len(part)
    tick("aspect", total, total)
    res.annotated["aspect"] = total


def _store(ws: Workspace, table: pa.Table, when: pd.Timestamp) -> None:
    con = ws.con
    con.register("_rm_annotations", table)
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(
                """
                INSERT INTO annotations
                    (subject_id, task, label, score, model, model_version, aspect,
                     annotated_at, import_id, source_row)
                SELECT i.subject_id, i.task, i.label, i.score, i.model, i.model_version,
                       i.aspect, ?::TIMESTAMP, NULL, NULL
                FROM _rm_annotations i
                WHERE NOT EXISTS (
                    SELECT 1 FROM annotations a
                    WHERE a.subject_id = i.subject_id AND a.task = i.task
                      AND a.model = i.model AND a.model_version = i.model_version)
                """,
                [when.to_pydatetime()],
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        try:
            con.unregister("_rm_annotations")
        except Exception:  # pragma: no cover - the view may be gone with the connection
            pass
