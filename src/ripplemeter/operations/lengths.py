"""Post length counted the way each platform counts it.

* **X** (``x``, ``twitter``): the weighted length of twitter-text v3 (code points in the Latin,
  General Punctuation and similar ranges weigh 1, everything else, CJK included, weighs 2;
  an emoji sequence weighs 2 however many code points it has; every URL, with or without
  ``https://``, weighs 23; text is NFC-normalised first). Limit 280. Computed by the
  ``twitter-text-parser`` package (a port of twitter-text's ``parseTweet``).
* **Mastodon** (``mastodon``): grapheme clusters after every ``http(s)://`` URL is counted
  as 23 characters and every remote mention ``@user@domain`` as ``@user``; limit 500 (the
  default of an instance). Source: Mastodon's ``StatusLengthValidator``
  (app/validators/status_length_validator.rb).
* **Bluesky** (``bluesky``): grapheme clusters of the post text, limit 300, and at most 3000
  UTF-8 bytes. Source: the ``app.bsky.feed.post`` lexicon (``maxGraphemes: 300``,
  ``maxLength: 3000``); URLs are counted as written.

Grapheme clusters are Unicode extended grapheme clusters (UAX #29), counted with the
``regex`` module's ``\\X``.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

__all__ = ["LIMITS", "Length", "count_length", "platform_key"]

#: platform -> (limit, unit) for the text of one post.
LIMITS: dict[str, tuple[int, str]] = {
    "x": (280, "weighted characters"),
    "mastodon": (500, "characters"),
    "bluesky": (300, "graphemes"),
}
BLUESKY_MAX_BYTES = 3000
URL_WEIGHT = 23

_ALIASES = {
    "twitter": "x",
    "x": "x",
    "mastodon": "mastodon",
    "bluesky": "bluesky",
    "bsky": "bluesky",
}

# Mastodon's Account::MENTION_RE: @user or @user@domain not preceded by =, / or a word char
_MASTODON_MENTION = regex.compile(
    r"(?<![=/\w])@(\w+(?:[\w.-]+\w+)?)(?:@[\w.-]+\w+)?", regex.UNICODE
)
_GRAPHEME = regex.compile(r"\X")


@dataclass(frozen=True)
class Length:
    """A post's length as one platform counts it.

    Attributes
    ----------
    platform : str
        ``x``, ``mastodon`` or ``bluesky``.
    length : int
        In ``unit``.
    limit : int
        The platform's limit in the same unit.
    unit : str
        ``weighted characters`` (X), ``characters`` (Mastodon: grapheme clusters) or
        ``graphemes`` (Bluesky).
    utf8_bytes : int
        Bytes of the text in UTF-8 (Bluesky also limits these to 3000).
    """

    platform: str
    length: int
    limit: int
    unit: str
    utf8_bytes: int

    @property
    def over(self) -> int:
        """How far over the limit (0 when within it)."""
        return max(0, self.length - self.limit)

    @property
    def ok(self) -> bool:
        """True when the text fits (and, on Bluesky, fits in 3000 bytes)."""
        if self.platform == "bluesky" and self.utf8_bytes > BLUESKY_MAX_BYTES:
            return False
        return self.length <= self.limit


def platform_key(platform: str) -> str | None:
    """``twitter``/``x`` -> ``x``, ``bsky`` -> ``bluesky``; None for a platform without a
    known text limit (Instagram, Facebook...)."""
    return _ALIASES.get(platform.strip().lower()) if platform else None


def graphemes(text: str) -> int:
    """Number of extended grapheme clusters (UAX #29) in ``text``."""
    return len(_GRAPHEME.findall(text))


def _x_length(text: str) -> int:
    from twitter_text import parse_tweet

    return parse_tweet(text).weightedLength


def _mastodon_length(text: str) -> int:
    from twitter_text import extract_urls_with_indices

    # URLs first (Mastodon extracts them without the protocol-less form), then mentions
    out, last = [], 0
    for u in extract_urls_with_indices(text, extract_urls_without_protocol=False):
        a, b = u["indices"]
        if not regex.match(r"(?i)https?://", u["url"]):
            continue
        out.append(text[last:a])
        out.append("x" * URL_WEIGHT)
        last = b
    out.append(text[last:])
    countable = _MASTODON_MENTION.sub(lambda m: "@" + m.group(1), "".join(out))
    return graphemes(countable)


def count_length(text: str, platform: str) -> Length:
    """Count ``text`` as ``platform`` counts it.

    Parameters
    ----------
    text : str
        The post text as it will be sent.
    platform : str
        ``x`` (or ``twitter``), ``mastodon``, ``bluesky`` (or ``bsky``).

    Returns
    -------
    Length

    Raises
    ------
    OperationsError
        A platform without a known rule (the message names the known ones).

    References
    ----------
    twitter-text v3 ``parseTweet`` and conformance/validate.yml; Mastodon
    ``StatusLengthValidator``; Bluesky lexicon ``app.bsky.feed.post``.
    """
    from ripplemeter.operations import OperationsError

    key = platform_key(platform)
    if key is None:
        raise OperationsError(
            f"no length rule for platform {platform!r}; known: x, mastodon, bluesky"
        )
    limit, unit = LIMITS[key]
    if key == "x":
        n = _x_length(text)
    elif key == "mastodon":
        n = _mastodon_length(text)
    else:
        n = graphemes(text)
    return Length(key, n, limit, unit, len(text.encode("utf-8")))
