"""Bluesky rich-text facets: links, mentions and hashtags with UTF-8 byte offsets.

A Bluesky post carries its text as plain text and marks links, mentions and hashtags as
*facets*: a ``byteSlice`` (``byteStart`` inclusive, ``byteEnd`` exclusive) counted in bytes
of the text's UTF-8 encoding, not in characters, plus a feature
(``app.bsky.richtext.facet#link`` with ``uri``, ``#mention`` with ``did``, ``#tag`` with
``tag``, the tag written without its ``#``).

Python indexes strings by code point, so every span is found on the ``str`` and converted
with ``len(text[:i].encode("utf-8"))``: an emoji such as ☕ (U+2615) is 3 bytes, ☕️ with its
variation selector 6, a CJK character 3, a Hangul syllable 3, a combining acute accent
(U+0301) 2.

Detection follows the rules of Bluesky's own client (the ``RichText.detectFacets`` of
``@atproto/api`` as described in "Links, mentions, and rich text",
https://docs.bsky.app/docs/advanced-guides/post-richtext):

* a mention is ``@`` + a handle (a domain name: labels of letters, digits and hyphens joined
  by dots, at least two labels, the last starting with a letter) after the start of the text,
  a space or ``(``; its DID comes from ``com.atproto.identity.resolveHandle`` and a handle
  that does not resolve is left as plain text, as the official client does;
* a link is an ``http://`` or ``https://`` URL after the start, a space or ``(``; trailing
  ``.,;:!?`` and a ``)`` without its ``(`` are not part of it;
* a hashtag is ``#`` (or the full-width ``＃``) after the start or a space, followed by
  characters other than spaces and invisible joiners, with at least one that is neither a
  digit nor punctuation; trailing punctuation is dropped and a tag longer than 64 characters
  is not a tag (the lexicon's ``maxGraphemes: 64``).

References
----------
Lexicon ``app.bsky.richtext.facet`` (https://github.com/bluesky-social/atproto/blob/main/
lexicons/app/bsky/richtext/facet.json).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import regex

__all__ = ["Facet", "byte_offset", "detect_facets", "to_record"]

_MENTION = regex.compile(
    r"(?:^|(?<=[\s(]))(@((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+"
    r"[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?))(?![\w.-]*[\w-])"
)
_URL = regex.compile(r"(?:^|(?<=[\s(]))(https?://[^\s]+)", regex.IGNORECASE)
_INVIS = "\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2"
_TAG = regex.compile(
    rf"(?:^|(?<=\s))([#＃]((?!\ufe0f)[^\s{_INVIS}]*[^\d\s\p{{P}}{_INVIS}]+[^\s{_INVIS}]*))"
)
_TRAILING_PUNCT = regex.compile(r"\p{P}+$")
TAG_MAX = 64


@dataclass(frozen=True)
class Facet:
    """One facet of a post.

    Attributes
    ----------
    kind : str
        ``link``, ``mention`` or ``tag``.
    byte_start, byte_end : int
        UTF-8 byte offsets in the text, start inclusive, end exclusive.
    start, end : int
        The same span in Python string indices (code points), for messages and tests.
    value : str
        The URL, the handle (without ``@``) or the tag (without ``#``).
    did : str or None
        The mentioned account's DID, once resolved.
    """

    kind: str
    byte_start: int
    byte_end: int
    start: int
    end: int
    value: str
    did: str | None = None

    def feature(self) -> dict:
        """The facet's feature as the lexicon writes it."""
        if self.kind == "link":
            return {"$type": "app.bsky.richtext.facet#link", "uri": self.value}
        if self.kind == "mention":
            return {"$type": "app.bsky.richtext.facet#mention", "did": self.did}
        return {"$type": "app.bsky.richtext.facet#tag", "tag": self.value}


def byte_offset(text: str, index: int) -> int:
    """The UTF-8 byte offset of the code-point ``index`` in ``text``."""
    return len(text[:index].encode("utf-8"))


def _strip_url(url: str) -> str:
    while url and url[-1] in ".,;:!?\"'":
        url = url[:-1]
    if url.endswith(")") and url.count("(") < url.count(")"):
        url = url[:-1]
    return url


def detect_facets(text: str) -> list[Facet]:
    """Links, mentions and hashtags of ``text``, in text order.

    Parameters
    ----------
    text : str
        The post text as it will be sent.

    Returns
    -------
    list of Facet
        Mentions have ``did=None`` until resolved (:func:`to_record` resolves them).
    """
    found: list[Facet] = []
    for m in _URL.finditer(text):
        url = _strip_url(m.group(1))
        if "." not in url.split("://", 1)[1]:
            continue
        s, e = m.start(1), m.start(1) + len(url)
        found.append(Facet("link", byte_offset(text, s), byte_offset(text, e), s, e, url))
    taken = [(f.start, f.end) for f in found]

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    for m in _MENTION.finditer(text):
        s, e = m.start(1), m.end(1)
        if free(s, e):
            found.append(
                Facet("mention", byte_offset(text, s), byte_offset(text, e), s, e, m.group(2))
            )
    for m in _TAG.finditer(text):
        tag = _TRAILING_PUNCT.sub("", m.group(2))
        if not tag or len(regex.findall(r"\X", tag)) > TAG_MAX:
            continue
        s = m.start(1)
        e = s + 1 + len(tag)
        if free(s, e):
            found.append(Facet("tag", byte_offset(text, s), byte_offset(text, e), s, e, tag))
    found.sort(key=lambda f: f.start)
    return found


def to_record(
    facets: list[Facet], resolve: Callable[[str], str | None] | None = None
) -> list[dict]:
    """Facets as ``app.bsky.richtext.facet`` objects for a post record.

    Parameters
    ----------
    facets : list of Facet
    resolve : callable, optional
        handle -> DID (``com.atproto.identity.resolveHandle``), None when the handle does
        not resolve; mentions without a DID are left out (plain text), as Bluesky's client
        does.

    Returns
    -------
    list of dict
        ``{"index": {"byteStart", "byteEnd"}, "features": [...]}`` per facet.
    """
    out = []
    for f in facets:
        if f.kind == "mention":
            did = f.did or (resolve(f.value) if resolve else None)
            if not did:
                continue
            f = Facet(f.kind, f.byte_start, f.byte_end, f.start, f.end, f.value, did)
        out.append(
            {
                "$type": "app.bsky.richtext.facet",
                "index": {"byteStart": f.byte_start, "byteEnd": f.byte_end},
                "features": [f.feature()],
            }
        )
    return out
