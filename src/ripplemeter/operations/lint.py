"""The standards linter: checks a draft against the standard for an account.

Every finding says which rule it breaks (a stable rule id), where (character offsets into
the draft as Python counts them, code points, and the text found there), why, how to fix
it, and how serious it is (``error``: the standard forbids it; ``warning``: advice).

Rule ids
--------
``banned-term``
    A banned term appears (any language's list; every occurrence is a finding).
``required-term``
    A term required for the draft's language is missing (no span).
``disclosure-missing``
    A partner/kol account's post or a paid post carries no disclosure (no span).
``disclosure-late``
    The only disclosure comes after the first 125 characters, where Instagram cuts a
    caption ("... more"); Korea's FTC guideline asks for it at the start (warning).
``hashtag-limit``, ``mention-limit``, ``link-limit``
    One finding per hashtag, mention or link beyond the account's limit, on that entity.

Matching
--------
Draft and terms are compared after NFKC normalisation and case folding, grapheme by
grapheme, with invisible format characters (zero-width spaces and joiners, U+00AD) dropped,
so that full-width ``ＧＵＡＲＡＮＴＥＥＤ``, ``Guaranteed`` and ``guar\\u200banteed`` are all
caught; offsets always point into the draft as written. How a term is matched depends on its
script:

- Chinese or Japanese characters: anywhere (these languages write no spaces);
- Hangul: where it is followed by the end of the word or by Korean particles and endings
  (``최고`` matches ``최고의``, ``최고입니다``, ``국내최고``; not ``최고급``, another word);
- anything else: as a whole word (``cure`` matches ``Cure!`` and ``#cure``, not ``secure``);
  spaces inside a term match any run of white space;
- a term ending in ``*`` matches every word that begins with it (``cure*``: ``cures``,
  ``cured``; ``무료*``: ``무료배송``), as in listening queries. Korean compounds written
  together (``무료배송``) are matched only this way: a morphological analyser (kiwipiepy)
  would split them, but loading it took about 10 s and 500 MB here, too much for linting a
  draft.

Hashtags and mentions are found with twitter-text's rules (``#`` or full-width ``＃`` after
a non-word character, not all digits; ``@handle``, with Mastodon's ``@user@server``), links
with twitter-text's URL extractor (``twitter_text.extract_urls_with_indices``), so the counts
agree with what X, Mastodon and Bluesky turn into links.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import asdict, dataclass
from functools import lru_cache

import regex

from ripplemeter.operations.standards import Rules, Standards, _lang

__all__ = [
    "DISCLOSURE_VISIBLE_CHARS",
    "RULE_IDS",
    "Entities",
    "Finding",
    "draft_language",
    "entities",
    "find_term",
    "findings_json",
    "lint",
]

#: Characters of a caption shown before "... more" on Instagram (Instagram Help Center,
#: captions are truncated after about 125 characters; Hootsuite's caption guide).
DISCLOSURE_VISIBLE_CHARS = 125

RULE_IDS = (
    "banned-term",
    "required-term",
    "disclosure-missing",
    "disclosure-late",
    "hashtag-limit",
    "mention-limit",
    "link-limit",
)

# Korean particles (조사) and the copula's common endings that attach to a noun. A banned
# noun followed by any of these (at most two, after an optional plural 들) is the noun.
_KO_PARTICLES = sorted(
    {
        "이", "가", "은", "는", "을", "를", "의", "에", "에서", "에게", "께", "께서", "한테",
        "와", "과", "도", "만", "로", "으로", "랑", "이랑", "하고", "까지", "부터", "보다",
        "처럼", "같이", "마다", "조차", "밖에", "이나", "나", "든지", "이든지", "야", "아",
        "이야", "요", "이요", "이다", "다", "입니다", "이에요", "예요", "였다", "이었다",
        "인", "이라", "라", "이라고", "라고", "이라는", "라는", "만큼", "이며", "며",
        "이고", "고", "이죠", "죠", "이지만", "지만", "이란", "란",
    },
    key=len,
    reverse=True,
)  # fmt: skip
_KO_TAIL = "(?:들)?(?:" + "|".join(_KO_PARTICLES) + "){0,2}"
_WORD = r"[\p{L}\p{M}\p{N}_]"

_HASHTAG = regex.compile(
    r"(?<![\p{L}\p{M}\p{N}_&/])[#＃](?![\uFE0F\u20E3])([\p{L}\p{M}\p{N}_]*[\p{L}\p{M}][\p{L}\p{M}\p{N}_]*)"
)
_MENTION = regex.compile(
    r"(?<![A-Za-z0-9_!#$%&*@＠.])[@＠]([A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?)"
    r"(?:@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+)?"
)


@dataclass(frozen=True)
class Finding:
    """One way a draft breaks the standard.

    Attributes
    ----------
    rule : str
        Rule id (see :data:`RULE_IDS`).
    severity : str
        ``error`` (the standard forbids it) or ``warning`` (advice).
    start, end : int or None
        Span in the draft, ``draft[start:end]``, in code points (Python string indices);
        None when the finding is about something missing.
    text : str
        ``draft[start:end]`` ("" when there is no span).
    why : str
        The rule in plain words, with what was found.
    fix : str
        What to do.
    """

    rule: str
    severity: str
    start: int | None
    end: int | None
    text: str
    why: str
    fix: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Entities:
    """Hashtags, mentions and links of a text, each as ``(start, end)`` code-point spans."""

    hashtags: tuple[tuple[int, int], ...]
    mentions: tuple[tuple[int, int], ...]
    links: tuple[tuple[int, int], ...]


# ------------------------------------------------------------------ normalisation with offsets
class _Folded:
    """A text NFKC-normalised and case-folded grapheme by grapheme, with offsets back."""

    __slots__ = ("text", "starts", "ends")

    def __init__(self, original: str) -> None:
        out: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        for m in regex.finditer(r"\X", original):
            s, e = m.span()
            g = unicodedata.normalize("NFKC", m.group()).casefold()
            g = unicodedata.normalize("NFC", g)
            for ch in g:
                if unicodedata.category(ch) == "Cf":
                    continue  # zero-width space/joiner, soft hyphen: invisible, never a letter
                out.append(ch)
                starts.append(s)
                ends.append(e)
        self.text = "".join(out)
        self.starts = starts
        self.ends = ends

    def span(self, a: int, b: int) -> tuple[int, int]:
        """Original span of the folded span ``[a, b)`` (b > a)."""
        return self.starts[a], self.ends[b - 1]


def _fold(s: str) -> str:
    return _Folded(s).text


def _script(term: str) -> str:
    if regex.search(r"\p{Hangul}", term):
        return "ko"
    if regex.search(r"[\p{Han}\p{Hiragana}\p{Katakana}]", term):
        return "cjk"
    return "word"


@lru_cache(maxsize=4096)
def _pattern(term: str) -> regex.Pattern:
    folded = _fold(term).strip()
    prefix = folded.endswith("*") and len(folded) > 1
    if prefix:  # "무료*", "cure*": every word that begins with the term
        folded = folded[:-1].rstrip()
    body = r"\s+".join(regex.escape(p) for p in folded.split())
    kind = _script(folded)
    if kind == "cjk":
        return regex.compile(body)
    if prefix:
        body += rf"{_WORD}*"
    if kind == "ko":
        return regex.compile(body if prefix else rf"{body}(?={_KO_TAIL}(?!{_WORD}))")
    left = rf"(?<!{_WORD})" if regex.match(_WORD, folded[0]) else ""
    right = rf"(?!{_WORD})" if regex.match(_WORD, folded[-1]) else ""
    return regex.compile(left + body + right)


def find_term(term: str, text: str) -> list[tuple[int, int]]:
    """Every occurrence of a standards term in a text, as spans into the text as written.

    Parameters
    ----------
    term : str
        A banned or required term, or a disclosure marker.
    text : str
        The draft.

    Returns
    -------
    list of (start, end)
        Code-point spans, ``text[start:end]`` is the occurrence as written (full-width or
        upper-case forms included); a Korean match ends before its particles.

    Notes
    -----
    See the module docstring for how each script is matched. When
    ``ripplemeter.listen.query`` offers term matching, this function is the one to replace.
    """
    return _find(term, _Folded(text))


def _find(term: str, folded: _Folded) -> list[tuple[int, int]]:
    if not _fold(term).strip():
        return []
    return [
        folded.span(*m.span()) for m in _pattern(term).finditer(folded.text) if m.end() > m.start()
    ]


# ------------------------------------------------------------------ entities
def entities(text: str) -> Entities:
    """Hashtags, mentions and links of a draft, as twitter-text finds them.

    Parameters
    ----------
    text : str
        The draft.

    Returns
    -------
    Entities
        Code-point spans (``#tag`` and ``@user`` include their sign). A ``#`` or ``@``
        inside a link is part of the link, not a hashtag or mention.

    Notes
    -----
    Links: ``twitter_text.extract_urls_with_indices`` (twitter-text-parser 3.0, a port of
    twitter-text's URL extractor: with or without a scheme, known TLDs). Hashtags and
    mentions: twitter-text's rules (``twitter-text/rb/lib/twitter-text/regex.rb``), with
    full-width signs and Mastodon's ``@user@server`` form.
    """
    from twitter_text import extract_urls_with_indices

    links = tuple((u["indices"][0], u["indices"][1]) for u in extract_urls_with_indices(text))

    def outside(span: tuple[int, int]) -> bool:
        return not any(a < span[1] and span[0] < b for a, b in links)

    tags = tuple(s for m in _HASHTAG.finditer(text) if outside(s := m.span()))
    ments = tuple(s for m in _MENTION.finditer(text) if outside(s := m.span()))
    return Entities(tags, ments, links)


# ------------------------------------------------------------------ language of a draft
def draft_language(text: str, default: str = "en") -> str:
    """The language of a draft for its required terms: ``ko``, ``zh``, ``ja`` or ``default``.

    Korean, Chinese and Japanese are told apart by their script (Hangul; kana; Han without
    either); a draft in Latin script is taken to be in ``default`` (the brand's
    ``default_language``), since the standard cannot tell English from French by script.
    """
    hangul = len(regex.findall(r"\p{Hangul}", text))
    kana = len(regex.findall(r"[\p{Hiragana}\p{Katakana}]", text))
    han = len(regex.findall(r"\p{Han}", text))
    if hangul and hangul >= han:
        return "ko"
    if kana:
        return "ja"
    if han:
        return "zh"
    return default


# ------------------------------------------------------------------ the linter
def _marker_spans(marker: str, text: str, folded: _Folded, tags: tuple) -> list[tuple[int, int]]:
    if marker[:1] in "#＃":
        want = _fold(marker[1:])
        return [(a, b) for a, b in tags if _fold(text[a + 1 : b]) == want]
    return _find(marker, folded)


def _marker_for(markers: list[str], lang: str) -> str:
    """The disclosure to suggest: the first written in the draft's script, else the first."""
    want = {"ko": "ko", "zh": "cjk", "ja": "cjk"}.get(lang, "word")
    return next((m for m in markers if _script(m) == want), markers[0])


def lint(
    text: str,
    account=None,
    standards: Standards | None = None,
    *,
    role: str | None = None,
    paid: bool = False,
    paid_partnership: bool = False,
    lang: str | None = None,
    rules: Rules | None = None,
) -> list[Finding]:
    """Check a draft against the standard for an account.

    Parameters
    ----------
    text : str
        The draft, as it will be posted.
    account : str or Account, optional
        Account id (``platform:native``) whose overrides apply, or an
        :class:`~ripplemeter.operations.accounts.Account` from the registry (its role is
        used when ``role`` is not given).
    standards : Standards
        The loaded standards.toml (:func:`~ripplemeter.operations.standards.load_standards`).
    role : str, optional
        The account's role (owned, partner, competitor, media, kol): partner and kol posts
        need a disclosure under the default rules. Unknown role: that rule is not checked.
    paid : bool
        The post will be paid (boosted, sponsored): it needs a disclosure.
    paid_partnership : bool
        The post carries the platform's paid-partnership label; it counts as a disclosure
        when the standard's ``disclosure.platform_flag`` is true.
    lang : str, optional
        The draft's language for required terms; by default read from its script
        (:func:`draft_language`).
    rules : Rules, optional
        Rules to use instead of ``standards.rules_for(account)`` (the calendar passes them).

    Returns
    -------
    list of Finding
        In order of position in the draft; findings without a span last. Empty: clean.

    Raises
    ------
    OperationsError
        Neither ``standards`` nor ``rules`` given.

    References
    ----------
    US FTC, "Disclosures 101 for Social Media Influencers" (2019); Korea Fair Trade
    Commission, 추천·보증 등에 관한 표시·광고 심사지침 (2020 revision); China SAMR,
    互联网广告管理办法 (2023), art. 9; twitter-text (entity extraction rules).
    """
    from ripplemeter.operations import OperationsError

    account_id = account if isinstance(account, str) or account is None else account.account_id
    if role is None and account is not None and not isinstance(account, str):
        role = getattr(account, "role", None)
    if rules is None:
        if standards is None:
            raise OperationsError("lint needs the standards (or the rules) to check against")
        rules = standards.rules_for(account_id)
    default_lang = standards.brand.default_language if standards is not None else "en"
    folded = _Folded(text)
    found: list[Finding] = []
    who = f"account {account_id}" if account_id else "this account"

    def add(rule, severity, span, why, fix):
        s, e = span if span else (None, None)
        found.append(Finding(rule, severity, s, e, text[s:e] if span else "", why, fix))

    # banned terms, every language's (a term listed under two languages is reported once)
    seen: set[tuple[int, int, str]] = set()
    for lg, tl in rules.terms.items():
        for term in tl.banned:
            for span in _find(term, folded):
                if (*span, _fold(term)) in seen:
                    continue
                seen.add((*span, _fold(term)))
                written = text[span[0] : span[1]]
                shown = "" if written == term else f", written '{written}'"
                add(
                    "banned-term",
                    "error",
                    span,
                    f"'{term}' is a banned {_lang(lg)} term{shown}",
                    f"remove or reword '{written}'",
                )
    # required terms, the draft's language
    lg = lang or draft_language(text, default_lang)
    tl = rules.terms.get(lg)
    if tl is not None:
        for term in tl.required:
            if not _find(term, folded):
                add(
                    "required-term",
                    "error",
                    None,
                    f"posts in {_lang(lg)} must contain '{term}'; this draft does not",
                    f"add '{term}'",
                )
    # disclosure
    ents = entities(text)
    d = rules.disclosure
    why_needed = []
    if role is not None and role in d.roles:
        why_needed.append(f"posts from {role} accounts")
    if paid and d.paid:
        why_needed.append("paid posts")
    if why_needed and not (paid_partnership and d.platform_flag):
        spans = sorted(s for m in d.markers for s in _marker_spans(m, text, folded, ents.hashtags))
        markers = ", ".join(d.markers)
        flag = " or turn on the platform's paid-partnership label" if d.platform_flag else ""
        if not spans:
            add(
                "disclosure-missing",
                "error",
                None,
                f"{' and '.join(why_needed).capitalize()} must say they are advertising "
                f"({markers}); this draft does not",
                f"add {_marker_for(d.markers, lg)} at the start of the post{flag}",
            )
        elif spans[0][0] >= DISCLOSURE_VISIBLE_CHARS:
            add(
                "disclosure-late",
                "warning",
                spans[0],
                f"the disclosure '{text[spans[0][0] : spans[0][1]]}' starts at character "
                f"{spans[0][0] + 1}, after the first {DISCLOSURE_VISIBLE_CHARS} that a feed "
                "shows before '... more'",
                "move the disclosure to the start of the post",
            )
    # limits
    lim = rules.limits
    for rule, what, limit, spans in (
        ("hashtag-limit", "hashtag", lim.hashtags, ents.hashtags),
        ("mention-limit", "mention", lim.mentions, ents.mentions),
        ("link-limit", "link", lim.links, ents.links),
    ):
        if limit is None or len(spans) <= limit:
            continue
        allowed = f"at most {limit} {what}{'s' if limit != 1 else ''}" if limit else f"no {what}s"
        for k, span in enumerate(spans[limit:], start=limit + 1):
            add(
                rule,
                "error",
                span,
                f"{who} allows {allowed}; this is {what} {k} of {len(spans)}",
                f"remove {len(spans) - limit} {what}{'s' if len(spans) - limit != 1 else ''}",
            )
    found.sort(key=lambda f: (f.start is None, f.start or 0, f.end or 0, f.rule))
    return found


def findings_json(findings: list[Finding]) -> str:
    """Findings as a JSON array (UTF-8 text kept as is), one object per finding."""
    return json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=2)
