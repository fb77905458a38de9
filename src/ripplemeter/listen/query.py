"""The listening query language: one boolean query, two backends (Python and DuckDB SQL).

A topic's query (``listen.toml``, ``[[topics]] query = ...``) is parsed once with a lark
grammar into a small tree, which compiles to

- :meth:`Query.match`: a boolean mask over a DataFrame of posts (one compiled ``regex``
  pattern per word, phrase or NEAR; a plain substring test first, so most posts never reach
  a regular expression), and
- :meth:`Query.to_sql`: one DuckDB boolean expression over the same columns, using
  ``regexp_matches`` (RE2) on the stored ``posts.search_text``.

Both backends run the *same pattern strings*: the patterns use only what RE2 and the
``regex`` module execute identically (no look-around, no ``\\b``; word boundaries are spelled
out with explicit Unicode classes), so a query selects the same posts in Python and in SQL.

Syntax (see ``docs/listening-queries.md`` for the guide with examples)
---------------------------------------------------------------------
``acme``                 a word, matched whole (``acme`` does not match ``acmex``)
``launch*``              a word beginning with ``launch`` (suffix wildcard only)
``"acme phone"``         an exact phrase (spaces and punctuation between its words are free)
``AND`` ``OR`` ``NOT``   upper case only; ``a b`` is ``a AND b`` (implicit AND)
``( ... )``              grouping; precedence NOT > NEAR > AND > OR
``a NEAR/3 b``           ``a`` and ``b`` (words or phrases) in either order with at most 3
                         words between them; in Chinese and Japanese each character counts as
                         one word
``lang:en``              field filters: ``lang:``, ``platform:``, ``channel:``, ``author:``

Matching rules
--------------
- Text is compared in its search form (:func:`search_text`): NFKC (full-width ``ＡＣＭＥ１``
  is ``acme1``), case-folded, typographic hyphens and apostrophes unified, white space
  collapsed. The query's words go through the same function.
- Chinese and Japanese (Han, Hiragana, Katakana): no word boundaries; a word matches
  anywhere in an unspaced sentence, on characters, with no segmenter.
- Other scripts (Latin, Hangul, Cyrillic, ...): a word matches whole. It may be followed
  by one Korean particle from :data:`PARTICLES` (``acme는``, ``삼성에서``), but not by any
  other letters (``삼성`` does not match the place name ``삼성동``); write ``삼성*`` for
  every word that begins with ``삼성``.
- A word with an inner hyphen is a product code: ``AB-9000`` matches ``AB-9000``,
  ``AB 9000`` and ``AB9000``, but not ``AB-90001``, ``XAB-9000`` nor a code glued to it by a
  further hyphen (``AB-9000-X``, ``X-AB-9000``). ``AB9000`` written without the hyphen
  matches only ``AB9000``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Union

import numpy as np
import pandas as pd
import regex

from ripplemeter.errors import RippleError

__all__ = [
    "FIELDS",
    "MAX_NEAR",
    "PARTICLES",
    "POSTS_RELATION",
    "Query",
    "QuerySyntaxError",
    "parse",
    "search_text",
    "search_texts",
]

# --------------------------------------------------------------------------- search form

_TRANSLATE = {
    **dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2212\ufe63\uff0d"), "-"),
    **dict.fromkeys(map(ord, "\u2019\u2018\u02bc\u0060\u00b4\uff07"), "'"),
    **dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None),
}


def search_text(text: str | None) -> str | None:
    """The normalised form of a post's text that listening queries search.

    Parameters
    ----------
    text : str or None
        Post text as exported.

    Returns
    -------
    str or None
        ``None`` when ``text`` is ``None`` (or not a string, e.g. NaN); else the text after,
        in order: Unicode NFKC (full-width Latin letters and digits become ASCII, half-width
        katakana become full-width, Hangul jamo compose), the hyphen variants
        U+2010-U+2013, U+2212, U+FE63, U+FF0D become ``-``, the typographic apostrophes
        become ``'``, zero-width characters and the soft hyphen are removed, case-folding
        (``str.casefold``, so ``Straße`` is ``strasse``), NFKC again (case-folding can
        leave a non-NFKC string), and every run of white space (line breaks included)
        becomes one space, with none at either end.

    Notes
    -----
    The workspace stores this in ``posts.search_text`` at import, because DuckDB has no
    NFKC function; queries compare against it in both backends.

    References
    ----------
    Unicode Standard Annex #15, Unicode Normalization Forms (NFKC); Unicode 15, section 5.18
    (case folding).
    """
    if not isinstance(text, str):
        return None
    if text.isascii():
        return " ".join(text.lower().split())
    t = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    t = unicodedata.normalize("NFKC", t.casefold())
    return " ".join(t.split())


def search_texts(texts: Iterable[object]) -> list[str | None]:
    """:func:`search_text` over many texts (``None`` for missing ones), in order."""
    return [search_text(t) if isinstance(t, str) else None for t in texts]


# --------------------------------------------------------------------------- pattern parts
# Character classes that RE2 (DuckDB) and the `regex` module read the same way.

_CJK_SET = r"\p{Han}\p{Hiragana}\p{Katakana}ー"
#: one Chinese or Japanese character (each counts as one word)
_C = rf"[{_CJK_SET}]"
#: one character of a spaced-script word: a letter or digit that is not CJK, a mark or "_"
_WD = rf"(?:[^\P{{L}}{_CJK_SET}]|[^\P{{N}}{_CJK_SET}]|[\p{{M}}_])"
#: one separator: neither a letter, a mark, a digit nor "_"
_S = r"[^\p{L}\p{M}\p{N}_]"
#: a separator that is not a hyphen (next to a product code)
_S_CODE = r"[^\p{L}\p{M}\p{N}_\-]"
#: a character that ends a spaced-script word: a separator or a CJK character
_NB = rf"(?:{_S}|{_C})"
_NB_CODE = rf"(?:{_S_CODE}|{_C})"

#: Korean particles (josa) that may follow a word, in the forms accepted after both a
#: consonant and a vowel (the query need not pick the right allomorph). Single: subject
#: 이/가/께서, topic 은/는, object 을/를, possessive 의, location and direction 에/에서/
#: 에게/께/한테/로/으로, comitative 와/과/랑/이랑/하고, 도, 만, 까지, 부터, 처럼, 보다,
#: 마다, 조차, 마저, 밖에, 이나/나, 이라도/라도; stacked with a topic, also or possessive
#: marker (에서는, 에서도, 에서의, 에는, 에도, 에게는, 에게도, 로는, 으로는, 로도, 으로도,
#: 와는, 과는, 와도, 과도, 까지는, 까지도, 부터는, 보다는, 만은, 만의, 만이, 이랑은,
#: 랑은); and the copula forms 이다, 이야, 야, 이에요, 예요, 입니다.
PARTICLES: tuple[str, ...] = (
    "이", "가", "께서", "은", "는", "을", "를", "의", "에", "에서", "에게", "께", "한테",
    "로", "으로", "와", "과", "랑", "이랑", "하고", "도", "만", "까지", "부터", "처럼",
    "보다", "마다", "조차", "마저", "밖에", "이나", "나", "이라도", "라도",
    "에서는", "에서도", "에서의", "에는", "에도", "에게는", "에게도", "로는", "으로는",
    "로도", "으로도", "와는", "과는", "와도", "과도", "까지는", "까지도", "부터는",
    "보다는", "만은", "만의", "만이", "이랑은", "랑은",
    "이다", "이야", "야", "이에요", "예요", "입니다",
)  # fmt: skip
_PART = "(?:" + "|".join(sorted(PARTICLES, key=lambda p: (-len(p), p))) + ")"

#: largest n accepted in NEAR/n (the pattern grows with n; RE2 limits program size)
MAX_NEAR = 30

_META = set("\\.^$|?*+()[]{}")


def _esc(s: str) -> str:
    return "".join("\\" + ch if ch in _META else ch for ch in s)


_RX_C = regex.compile(_C)
_RX_WD = regex.compile(_WD)


def _kind(ch: str) -> str:
    """'c' (CJK character), 'w' (spaced-script word character) or 's' (separator)."""
    if _RX_C.fullmatch(ch):
        return "c"
    if _RX_WD.fullmatch(ch):
        return "w"
    return "s"


# --------------------------------------------------------------------------- the tree


@dataclass(frozen=True)
class Word:
    """One query word in search form; ``wildcard`` when written with a trailing ``*``."""

    text: str
    wildcard: bool = False

    @property
    def is_code(self) -> bool:
        t = self.text
        return any(
            t[i] == "-" and _kind(t[i - 1]) == "w" and _kind(t[i + 1]) == "w"
            for i in range(1, len(t) - 1)
        )

    def core(self) -> str:
        """Pattern of the word itself (inner hyphens between letters/digits optional)."""
        t = self.text
        out = []
        for i, ch in enumerate(t):
            if (
                ch == "-"
                and 0 < i < len(t) - 1
                and _kind(t[i - 1]) == "w"
                and _kind(t[i + 1]) == "w"
            ):
                out.append("(?:-| )?")
            else:
                out.append(_esc(ch))
        return "".join(out)

    def needle(self) -> str:
        """The longest piece of the word every match contains literally."""
        parts = regex.split(r"(?<=\w)-(?=\w)", self.text) if self.is_code else [self.text]
        return max(parts, key=len)


@dataclass(frozen=True)
class Text:
    """A word or a phrase (several words in order)."""

    words: tuple[Word, ...]
    column: int = 0

    @property
    def first(self) -> str:
        return _kind(self.words[0].text[0])

    @property
    def last(self) -> str:
        w = self.words[-1]
        return "w" if (w.wildcard and _kind(w.text[-1]) == "w") else _kind(w.text[-1])

    @property
    def is_code(self) -> bool:
        return self.words[0].is_code or self.words[-1].is_code

    @property
    def guard_left(self) -> bool:
        return self.first == "w"

    @property
    def guard_right(self) -> bool:
        """Whether the character after the match must end a word."""
        w = self.words[-1]
        return _kind(w.text[-1]) == "w"

    def core(self, *, for_near: bool = False) -> str:
        parts = []
        for i, w in enumerate(self.words):
            parts.append(w.core())
            last = i == len(self.words) - 1
            if w.wildcard and _kind(w.text[-1]) == "w" and (not last or for_near):
                parts.append(f"{_WD}*")
            if not last:
                nxt = self.words[i + 1]
                joined = _kind(w.text[-1]) == "w" and _kind(nxt.text[0]) == "w"
                parts.append(f"{_S}+" if joined else f"{_S}*")
        return "".join(parts)

    def left(self) -> str:
        if not self.guard_left:
            return ""
        return f"(?:^|{_NB_CODE if self.is_code else _NB})"

    def right(self) -> str:
        if not self.guard_right or self.words[-1].wildcard:
            return ""
        return f"{_PART}?(?:$|{_NB_CODE if self.is_code else _NB})"

    def pattern(self) -> str:
        return self.left() + self.core() + self.right()

    def needle(self) -> str:
        return max((w.needle() for w in self.words), key=len)

    def __str__(self) -> str:
        s = " ".join(w.text + ("*" if w.wildcard else "") for w in self.words)
        return f'"{s}"' if len(self.words) > 1 else s


@dataclass(frozen=True)
class Near:
    """``a NEAR/n b``: both, in either order, with at most ``n`` words between them."""

    a: Text
    b: Text
    n: int

    def pattern(self) -> str:
        return f"(?:{_near_one(self.a, self.b, self.n)}|{_near_one(self.b, self.a, self.n)})"

    def needle(self) -> str:
        return max((self.a.needle(), self.b.needle()), key=len)

    def __str__(self) -> str:
        return f"{self.a} NEAR/{self.n} {self.b}"


@dataclass(frozen=True)
class Field:
    """A field filter such as ``lang:en`` (value in lower case; ``prefix`` for ``value*``)."""

    name: str
    value: str
    prefix: bool = False

    def __str__(self) -> str:
        v = self.value + ("*" if self.prefix else "")
        return f'{self.name}:"{v}"' if " " in v else f"{self.name}:{v}"


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    part: Node


Node = Union[Text, Near, Field, And, Or, Not]  # noqa: UP007 (runtime alias)


def _gap(n: int, guard_start: bool, guard_end: bool, s_start: str, s_end: str) -> str:
    """Pattern of the text between two NEAR operands holding at most ``n`` words.

    A word is a run of spaced-script word characters or one CJK character; separators do
    not count. ``guard_start``: the gap must not begin with a word character (the operand
    before it ends in one); ``guard_end`` likewise for the gap's end. ``s_start``/``s_end``
    are the separator classes allowed at either end (no hyphen next to a product code).
    """
    unit = f"(?:{_C}|{_WD}+)"

    def body(k: int) -> str:  # separators and at most k words (k may be < 0: nothing)
        if k < 0:
            return None
        return f"{_S}*(?:{unit}{_S}*){{0,{k}}}" if k else f"{_S}*"

    alts: list[str | None]
    if not guard_start and not guard_end:
        return body(n)
    if guard_start and not guard_end:
        b1 = body(n - 1)
        alts = ["", f"{s_start}{body(n)}", f"{_C}{b1}" if b1 is not None else None]
    elif guard_end and not guard_start:
        b1 = body(n - 1)
        alts = ["", f"{body(n)}{s_end}", f"{b1}{_C}" if b1 is not None else None]
    else:
        alts = [
            f"{s_start}" if s_start == s_end else None,
            f"{s_start}{body(n)}{s_end}",
            _C if n >= 1 else None,
            f"{_C}{body(n - 1)}{s_end}" if n >= 1 else None,
            f"{s_start}{body(n - 1)}{_C}" if n >= 1 else None,
            f"{_C}{body(n - 2)}{_C}" if n >= 2 else None,
        ]
        if s_start != s_end:  # a single separator must suit both sides
            alts.append(_S_CODE)
    return "(?:" + "|".join(a for a in alts if a is not None) + ")"


def _near_one(x: Text, y: Text, n: int) -> str:
    """``x`` then ``y`` with at most ``n`` words between."""
    x_end = x.last == "w"  # x's match may end in a word character
    y_start = y.guard_left
    part = f"{_PART}?" if (x.guard_right and not x.words[-1].wildcard) else ""
    gap = _gap(
        n,
        x_end,
        y_start,
        _S_CODE if x.is_code else _S,
        _S_CODE if y.is_code else _S,
    )
    return x.left() + x.core(for_near=True) + part + gap + y.core(for_near=True) + y.right()


# --------------------------------------------------------------------------- errors


class QuerySyntaxError(RippleError):
    """A listening query that cannot be read.

    Parameters
    ----------
    query : str
        The query as written.
    column : int
        1-based position (in characters) of the problem in ``query``.
    message : str
        What is wrong and what was expected, in plain words.
    """

    def __init__(self, query: str, column: int, message: str) -> None:
        self.query = query
        self.column = column
        self.detail = message
        shown = query if len(query) <= 120 else query[:117] + "..."
        super().__init__(f"query '{shown}', column {column}: {message}")


_NAMES = {
    "TERM": "a word",
    "PHRASE": 'a "phrase"',
    "FIELD": "a field filter such as lang:en",
    "LPAR": "'('",
    "RPAR": "')'",
    "NOT": "NOT",
    "AND": "AND",
    "OR": "OR",
    "NEAR": "NEAR/n",
    "$END": "the end of the query",
}


def _found(tok) -> str:
    if tok.type == "$END":
        return "the query ends here"
    return f"found {tok.type if tok.type in ('AND', 'OR', 'NOT') else repr(str(tok))}"


# --------------------------------------------------------------------------- grammar

_GRAMMAR = r"""
start: or_expr
or_expr: and_expr (OR and_expr)*
and_expr: not_expr (AND? not_expr)*
not_expr: NOT not_expr | near_expr
near_expr: atom (NEAR atom)?
atom: TERM | PHRASE | FIELD (TERM | PHRASE) | LPAR or_expr RPAR

OR.3: /OR(?![^\s()"])/
AND.3: /AND(?![^\s()"])/
NOT.3: /NOT(?![^\s()"])/
NEAR.3: /NEAR\/[0-9]+(?![^\s()"])/
FIELD.3: /(?i:lang|platform|channel|author):/
TERM: /[^\s()"]+/
PHRASE: /"[^"]*"/
LPAR: "("
RPAR: ")"
%ignore /\s+/
"""

#: the field filters and the column each one reads
FIELDS: dict[str, tuple[str, ...]] = {
    "lang": ("lang",),
    "platform": ("platform",),
    "channel": ("channel",),
    "author": ("handle", "account_id"),
}


@lru_cache(maxsize=1)
def _parser():
    import lark

    return lark.Lark(_GRAMMAR, parser="lalr", lexer="basic", maybe_placeholders=False)


def parse(text: str) -> Query:
    """Parse a listening query.

    Parameters
    ----------
    text : str
        The query, e.g. ``'(acme OR "acme phone") AND launch* NOT lang:ja'``.

    Returns
    -------
    Query

    Raises
    ------
    QuerySyntaxError
        The query cannot be read; the message names the 1-based column and what was
        expected there (a word, a phrase, ``)`` ...).
    """
    import lark

    if not isinstance(text, str) or not text.strip():
        raise QuerySyntaxError(str(text or ""), 1, "the query is empty; write at least one word")
    try:
        tree = _parser().parse(text)
    except lark.UnexpectedCharacters as exc:
        col = exc.column
        if text[exc.pos_in_stream] == '"':
            raise QuerySyntaxError(
                text, col, 'this quote " opens a phrase that is never closed; add a closing "'
            ) from None
        raise QuerySyntaxError(
            text, col, f"unexpected character {text[exc.pos_in_stream]!r}"
        ) from None
    except lark.UnexpectedToken as exc:
        tok = exc.token
        col = len(text) + 1 if tok.type == "$END" else tok.column
        expected = sorted({_NAMES.get(e, e) for e in exc.expected if e in _NAMES})
        if tok.type == "RPAR" and "')'" not in expected:
            raise QuerySyntaxError(text, col, "this ')' closes no '('") from None
        if tok.type == "NEAR":
            before = text[: tok.start_pos].split()
            if not before or before[-1] in ("AND", "OR", "NOT") or before[-1].endswith("("):
                msg = "NEAR/n needs a word or a phrase on its left"
            else:
                msg = "NEAR/n joins one word or phrase on each side, not another NEAR; use AND"
            raise QuerySyntaxError(text, col, msg) from None
        words = ", ".join(expected[:-1]) + (" or " if len(expected) > 1 else "") + expected[-1]
        raise QuerySyntaxError(text, col, f"expected {words}, but {_found(tok)}") from None
    return Query(text, _Build(text).walk(tree.children[0]))


class _Build:
    """Parse tree -> query tree, with the checks the grammar cannot make."""

    def __init__(self, text: str) -> None:
        self.text = text

    def error(self, col: int, msg: str) -> QuerySyntaxError:
        return QuerySyntaxError(self.text, col, msg)

    def walk(self, t):  # noqa: C901
        kind = t.data
        ch = t.children
        if kind == "or_expr":
            parts = [self.walk(c) for c in ch if not _is_tok(c)]
            return parts[0] if len(parts) == 1 else Or(tuple(parts))
        if kind == "and_expr":
            parts = [self.walk(c) for c in ch if not _is_tok(c)]
            return parts[0] if len(parts) == 1 else And(tuple(parts))
        if kind == "not_expr":
            if _is_tok(ch[0]):
                return Not(self.walk(ch[1]))
            return self.walk(ch[0])
        if kind == "near_expr":
            if len(ch) == 1:
                return self.walk(ch[0])
            a, op, b = ch
            n = int(str(op).split("/", 1)[1])
            if n > MAX_NEAR:
                raise self.error(op.column, f"NEAR/{n} is too wide; at most NEAR/{MAX_NEAR}")
            ta, tb = self.walk(a), self.walk(b)
            for side, node in ((a, ta), (b, tb)):
                if not isinstance(node, Text):
                    col = _first_col(side)
                    raise self.error(col, 'NEAR/n joins a word or a "phrase" on each side')
            return Near(ta, tb, n)
        if kind == "atom":
            first = ch[0]
            if first.type == "LPAR":
                return self.walk(ch[1])
            if first.type == "FIELD":
                return self.field(first, ch[1])
            return self.textnode(first)
        raise AssertionError(kind)  # pragma: no cover

    def textnode(self, tok) -> Text:
        raw = str(tok)
        col = tok.column
        if tok.type == "PHRASE":
            raw = raw[1:-1]
        elif raw.startswith("NEAR/") or raw == "NEAR":
            raise self.error(col, "NEAR needs a number of words, e.g. acme NEAR/5 launch")
        norm = search_text(raw) or ""
        if not norm:
            what = "this phrase is empty" if tok.type == "PHRASE" else "this word is empty"
            raise self.error(col, f"{what}; write the words to search between the quotes")
        words = []
        for w in norm.split(" "):
            wild = w.endswith("*")
            core = w.rstrip("*") if wild else w
            if wild and w.endswith("**") or "*" in core:
                pos = raw.find("*")
                raise self.error(
                    col + (pos + (1 if tok.type == "PHRASE" else 0) if pos >= 0 else 0),
                    "a wildcard * may only end a word (launch*), after at least one letter",
                )
            if not core:
                raise self.error(col, "a wildcard * needs at least one letter before it")
            words.append(Word(core, wild))
        return Text(tuple(words), col)

    def field(self, tok, value) -> Field:
        name = str(tok)[:-1].lower()
        v = str(value)
        if value.type == "PHRASE":
            v = v[1:-1]
        v = unicodedata.normalize("NFKC", v).strip().lower()
        if name == "author":
            v = v.lstrip("@")
        prefix = v.endswith("*")
        v = v.rstrip("*")
        if not v or "*" in v:
            raise self.error(
                value.column, f"{name}: needs a value, such as {name}:{_EXAMPLE[name]}"
            )
        return Field(name, v, prefix)


_EXAMPLE = {"lang": "en", "platform": "mastodon", "channel": "news", "author": "acme"}


def _is_tok(x) -> bool:
    return not hasattr(x, "data")


def _first_col(t) -> int:
    if _is_tok(t):
        return t.column
    return _first_col(t.children[0])


# --------------------------------------------------------------------------- the query


#: The relation a query's SQL reads, built from a workspace's canonical tables: posts with
#: their author's ``handle`` (accounts are keyed by ``account_id``; one handle per account).
POSTS_RELATION = (
    "(SELECT p.*, a.handle FROM posts AS p LEFT JOIN "
    "(SELECT account_id, min(handle) AS handle FROM accounts GROUP BY account_id) AS a "
    "USING (account_id))"
)


@dataclass(frozen=True)
class Query:
    """A parsed listening query (see :func:`parse`).

    Attributes
    ----------
    text : str
        The query as written.
    tree : Node
        The parsed query: ``Text``, ``Near``, ``Field``, ``And``, ``Or``, ``Not`` nodes.
    """

    text: str
    tree: Node

    def __str__(self) -> str:
        return _show(self.tree)

    # ---------------------------------------------------------------- Python
    def match(self, frame: pd.DataFrame) -> np.ndarray:
        """Which posts the query selects.

        Parameters
        ----------
        frame : DataFrame, shape (n_posts, ...)
            Posts with ``search_text`` (or ``text``, normalised here with
            :func:`search_text` where ``search_text`` is missing), and the columns the
            query's field filters read: ``lang``, ``platform``, ``channel``, ``handle``,
            ``account_id``.

        Returns
        -------
        ndarray of bool, shape (n_posts,)
            True for each selected row, in the frame's order.

        Raises
        ------
        RippleError
            A column the query needs is missing from ``frame``.
        """
        n = len(frame)
        texts = _frame_texts(frame) if _uses_text(self.tree) else None
        cols = {}
        for f in _fields(self.tree):
            for c in FIELDS[f]:
                if c not in frame.columns:
                    raise RippleError(
                        f"the query '{self.text}' filters on {f}: but the posts have no "
                        f"'{c}' column"
                    )
                cols[c] = _lower_column(frame[c])
        idx = np.arange(n)
        return _eval(self.tree, idx, texts, cols)

    # ---------------------------------------------------------------- SQL
    def to_sql(self) -> str:
        """The query as one DuckDB boolean expression (never NULL).

        It reads the columns ``search_text``, ``lang``, ``platform``, ``channel``,
        ``handle`` and ``account_id`` of the relation it filters, e.g.
        ``f"SELECT post_id FROM {POSTS_RELATION} WHERE {q.to_sql()}"``. Word, phrase and
        NEAR tests are ``regexp_matches`` calls (RE2) with the same patterns
        :meth:`match` runs; field filters compare ``lower(column)``.
        """
        return _sql(self.tree)

    def patterns(self) -> list[str]:
        """The regular expression of each word, phrase and NEAR in the query (in order)."""
        return [leaf.pattern() for leaf in _leaves(self.tree)]

    def terms(self) -> list[str]:
        """The words and phrases the query looks for (not those under NOT), search form.

        For keeping a topic's own terms whole when tokenising (associated terms).
        """
        out: list[str] = []

        def visit(node: Node, neg: bool) -> None:
            if isinstance(node, Text):
                if not neg:
                    out.append(" ".join(w.text for w in node.words))
            elif isinstance(node, Near):
                visit(node.a, neg)
                visit(node.b, neg)
            elif isinstance(node, (And, Or)):
                for p in node.parts:
                    visit(p, neg)
            elif isinstance(node, Not):
                visit(node.part, not neg)

        visit(self.tree, False)
        return list(dict.fromkeys(out))


def _show(node: Node) -> str:
    if isinstance(node, (Text, Near, Field)):
        return str(node)
    if isinstance(node, Not):
        return f"NOT {_show(node.part)}"
    op = " AND " if isinstance(node, And) else " OR "
    return "(" + op.join(_show(p) for p in node.parts) + ")"


def _leaves(node: Node) -> list[Text | Near]:
    if isinstance(node, (Text, Near)):
        return [node]
    if isinstance(node, Field):
        return []
    if isinstance(node, Not):
        return _leaves(node.part)
    return [x for p in node.parts for x in _leaves(p)]


def _fields(node: Node) -> set[str]:
    if isinstance(node, Field):
        return {node.name}
    if isinstance(node, (Text, Near)):
        return set()
    if isinstance(node, Not):
        return _fields(node.part)
    return set().union(*(_fields(p) for p in node.parts))


def _uses_text(node: Node) -> bool:
    return bool(_leaves(node))


def _frame_texts(frame: pd.DataFrame) -> np.ndarray:
    if "search_text" in frame.columns:
        st = frame["search_text"].to_numpy(dtype=object)
        if "text" in frame.columns:
            missing = np.array([not isinstance(s, str) for s in st])
            if missing.any():
                st = st.copy()
                raw = frame["text"].to_numpy(dtype=object)
                st[missing] = search_texts(raw[missing])
    elif "text" in frame.columns:
        st = np.array(search_texts(frame["text"].to_numpy(dtype=object)), dtype=object)
    else:
        raise RippleError("the posts to match have neither a 'search_text' nor a 'text' column")
    return np.array([s if isinstance(s, str) else "" for s in st], dtype=object)


def _lower_column(s: pd.Series) -> np.ndarray:
    return np.array([v.lower() if isinstance(v, str) else None for v in s], dtype=object)


@lru_cache(maxsize=512)
def _compiled(pattern: str):
    return regex.compile(pattern)


def _eval(node: Node, idx: np.ndarray, texts, cols) -> np.ndarray:
    """Mask over the rows ``idx`` (AND and OR only test the rows still undecided)."""
    if len(idx) == 0:
        return np.zeros(0, dtype=bool)
    if isinstance(node, (Text, Near)):
        needle = node.needle()
        search = _compiled(node.pattern()).search
        sub = texts[idx]
        return np.fromiter(
            ((needle in s) and search(s) is not None for s in sub), dtype=bool, count=len(sub)
        )
    if isinstance(node, Field):
        return _field_mask(node, idx, cols)
    if isinstance(node, Not):
        return ~_eval(node.part, idx, texts, cols)
    if isinstance(node, And):
        mask = np.ones(len(idx), dtype=bool)
        for p in node.parts:
            live = np.flatnonzero(mask)
            if not len(live):
                break
            mask[live] = _eval(p, idx[live], texts, cols)
        return mask
    mask = np.zeros(len(idx), dtype=bool)  # Or
    for p in node.parts:
        live = np.flatnonzero(~mask)
        if not len(live):
            break
        mask[live] = _eval(p, idx[live], texts, cols)
    return mask


def _value_test(f: Field):
    v = f.value
    if f.prefix:
        return lambda s: s is not None and s.startswith(v)
    if f.name == "lang":  # lang:zh is also zh-tw, zh-hans ...
        return lambda s: s is not None and (s == v or s.startswith(v + "-"))
    return lambda s: s is not None and s == v


def _field_mask(f: Field, idx: np.ndarray, cols) -> np.ndarray:
    mask = np.zeros(len(idx), dtype=bool)
    for c in FIELDS[f.name]:
        test = _value_test(f)
        vals = cols[c][idx]
        mask |= np.fromiter((test(s) for s in vals), dtype=bool, count=len(vals))
    return mask


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _sql_field(f: Field) -> str:
    tests = []
    for c in FIELDS[f.name]:
        col = f'lower("{c}")'
        if f.prefix:
            tests.append(f"starts_with({col}, {_lit(f.value)})")
        elif f.name == "lang":
            tests.append(f"({col} = {_lit(f.value)} OR starts_with({col}, {_lit(f.value + '-')}))")
        else:
            tests.append(f"{col} = {_lit(f.value)}")
    return "coalesce(" + " OR ".join(tests) + ", false)"


def _sql(node: Node) -> str:
    if isinstance(node, (Text, Near)):
        return f"regexp_matches(coalesce(\"search_text\", ''), {_lit(node.pattern())})"
    if isinstance(node, Field):
        return _sql_field(node)
    if isinstance(node, Not):
        return f"(NOT {_sql(node.part)})"
    op = " AND " if isinstance(node, And) else " OR "
    return "(" + op.join(_sql(p) for p in node.parts) + ")"
