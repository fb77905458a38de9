"""Issue 11: post length as each platform counts it, on the platforms' published examples.

Sources of the expected values (each quoted next to its case):

* X: twitter-text's conformance/validate.yml (``lengths`` and ``tweets`` sections, where a
  URL is 23 whatever its length and 280 is the limit) and twitter-text v3's parser tests
  (``TwitterTextParserTest``: an emoji sequence weighs 2, CJK weighs 2);
* Mastodon: spec/validators/status_length_validator_spec.rb (URLs as 23 flat, only the
  front part of a remote username counted, a URL glued to a word is not a link);
* Bluesky: the app.bsky.feed.post lexicon (maxGraphemes 300, maxLength 3000 bytes) and
  UAX #29 grapheme clusters counted by hand.
"""

from __future__ import annotations

import pytest

from ripplemeter.operations import OperationsError
from ripplemeter.operations.lengths import count_length, graphemes

FAMILY = (
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # man ZWJ woman ZWJ girl ZWJ boy
)
LIE = (
    "A lie gets halfway around the world before the truth has a chance to get its pants on. "
    "Winston Churchill (1874-1965) http://bit.ly/dJpywL"
)


# validate.yml `lengths` (v1 section; URLs and Latin text count the same in v3)
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("This is a test.", 15),
        ("http://test.com", 23),
        ("https://test.com", 23),
        ("test.com", 23),  # a URL without protocol is a URL too
        ("Test https://test.com test https://test.com test.com test", 86),
    ],
)
def test_x_conformance_lengths(text, expected):
    assert count_length(text, "x").length == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # TwitterTextParserTest (v3): "H" 1 + cat emoji 2 + U+263A 2 + family sequence 2
        ("H\U0001f431\u263a" + FAMILY, 7),
        # raising hand with skin tone 2 + man singer (man ZWJ microphone) 2
        ("\U0001f64b\U0001f3fd\U0001f468\u200d\U0001f3a4", 4),
        # Hangul syllables are outside the weight-1 ranges: 4 x 2
        ("저찀쯿쿿", 8),
    ],
)
def test_x_weighted_length_v3(text, expected):
    assert count_length(text, "twitter").length == expected


def test_x_limits_from_the_conformance_tweets():
    assert count_length(LIE, "x").ok  # "Valid Tweet: 280 characters"
    assert not count_length(LIE + " " + LIE, "x").ok  # "Invalid Tweet: 281 characters"
    # 140 CJK characters weigh 280 (valid); 141 weigh 282
    assert count_length("の" * 140, "x").length == 280 and count_length("の" * 140, "x").ok
    n = count_length("の" * 141, "x")
    assert (n.length, n.over, n.ok) == (282, 2, False)


def test_mastodon_counts_urls_as_23_flat():
    text = "a" * 476 + " http://" + "b" * 30 + ".com/example"
    # 476 + 1 space + 23 = 500: exactly the limit
    n = count_length(text, "mastodon")
    assert (n.length, n.ok) == (500, True)


def test_mastodon_does_not_shorten_a_url_glued_to_a_word():
    text = "a" * 476 + "http://" + "b" * 30 + ".com/example"
    # counted as written: 476 + 7 + 30 + 12 = 525
    n = count_length(text, "mastodon")
    assert (n.length, n.ok) == (525, False)


def test_mastodon_counts_only_the_front_part_of_remote_usernames():
    text = "a" * 475 + " @alice@" + "b" * 30 + ".com"
    # 475 + " @alice" (7) = 482
    assert count_length(text, "mastodon").length == 482


def test_mastodon_counts_graphemes():
    # e + combining acute is one character, the family sequence one, Korean syllables one each
    assert count_length("e\u0301" + FAMILY + "리플", "mastodon").length == 4
    assert count_length("a" * 500, "mastodon").ok
    assert not count_length("a" * 501, "mastodon").ok


def test_bluesky_graphemes_and_bytes():
    # flag (two regional indicators) 1, e + combining mark 1, family 1, Hangul jamo L+V 1
    text = "\U0001f1f0\U0001f1f7" + "e\u0301" + FAMILY + "\u1100\u1161"
    assert graphemes(text) == 4
    assert count_length(text, "bluesky").length == 4
    assert count_length("a" * 300, "bluesky").ok
    n = count_length("a" * 301, "bluesky")
    assert (n.length, n.over, n.ok) == (301, 1, False)
    # 150 family emoji: 150 graphemes but 150 x 25 bytes = 3750 > 3000
    n = count_length(FAMILY * 150, "bluesky")
    assert (n.length, n.utf8_bytes, n.ok) == (150, 3750, False)
    # URLs count as written on Bluesky
    assert count_length("https://example.com/" + "x" * 30, "bluesky").length == 50


def test_unknown_platform_is_refused():
    with pytest.raises(OperationsError, match="no length rule for platform 'myspace'"):
        count_length("hi", "myspace")
