"""ripplemeter.formatting: the shared ways a figure or a text reads (expected values by hand)."""

from __future__ import annotations

import numpy as np
import pytest

from ripplemeter.cli.cascades import _num
from ripplemeter.formatting import fmt


@pytest.mark.parametrize(
    "value, default, two_places",
    [
        (1234.5, "1,234", "1,234.50"),  # from 1,000 on fmt drops decimals unless told
        (0.5, "0.5", "0.50"),  # below 1 it keeps 4 significant digits unless told
        (2.13333, "2.13", "2.13"),
        (1234567, "1,234,567", "1,234,567"),  # whole numbers are not given decimals
        (None, "—", "—"),
        (float("nan"), "—", "—"),
        ("x:1", "x:1", "x:1"),
    ],
)
def test_fmt_places(value, default, two_places):
    assert fmt(value) == default
    assert fmt(value, places=2) == two_places


def test_fmt_places_leaves_ratios_as_percentages():
    assert fmt(0.0333, "ratio", places=0) == "3.33%"
    assert fmt(1.0, places=0) == "1"
    assert fmt(-1234.567, places=1) == "-1,234.6"


@pytest.mark.parametrize(
    "value, shown",
    [
        (np.int64(98765), "98,765"),  # numpy counts get separators too
        (np.float64(3.0), "3"),  # a whole virality reads as a whole number
        (2.0, "2"),
        (np.float64(2.136), "2.14"),
        (12345.678, "12,345.68"),
        (np.nan, "—"),
        ("weibo:r1", "weibo:r1"),
    ],
)
def test_cascades_table_cell(value, shown):
    """The cascades table writes a metric as fmt(_num(v), places=2)."""
    assert fmt(_num(value), places=2) == shown


# ------------------------------------------------------------------------- shorten
def test_shorten_fits_or_is_cut_at_a_word():
    from ripplemeter.formatting import shorten

    assert shorten("short  text\n", 60) == "short text"  # white space collapsed, fits
    # 'one two thr' (11 = 12 - 1 for the …) ends inside 'three': back to 'one two'
    assert shorten("one two three four", 12) == "one two…"
    # 'one two three' (13 characters) is followed by a space: no word is cut, none dropped
    assert shorten("one two three four", 14) == "one two three…"
    assert shorten("end of a sentence. More", 20) == "end of a sentence…"  # '.' dropped
    assert shorten("好喝！真的好喝！推荐", 7) == "好喝！真的好…"  # no space: 6 + …
    assert shorten("客服一直不回复！很失望", 9) == "客服一直不回复…"  # '！' at the cut dropped


def test_shorten_options():
    from ripplemeter.formatting import shorten

    text = "Lumen Tea launches a new matcha today"
    # count_ellipsis=False: 20 characters kept ('Lumen Tea launches a'), then …
    assert shorten(text, 20, count_ellipsis=False) == "Lumen Tea launches a…"
    assert shorten(text, 20) == "Lumen Tea launches…"  # 19 kept: 'Lumen Tea launches '
    # words=False: 15 characters whatever they are
    assert shorten(text, 16, words=False) == "Lumen Tea launc…"
    # a word longer than half of what is kept (a web address) is cut at the width
    assert shorten("see https://example.com/a/very/long/path", 16) == "see https://exa…"


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan])
def test_shorten_missing_text_reads_empty(missing):
    from ripplemeter.formatting import shorten

    assert shorten(missing, 10) == ""
    assert shorten(missing, 10, words=False, count_ellipsis=False) == ""


@pytest.mark.parametrize(
    ("seconds", "days_from", "words"),
    [
        (3600, 1, "hour"),
        (86400, 1, "day"),  # an alert's explanation: "mentions per day"
        (86400, 2, "24 hours"),  # an alert message: "in the 24 hours to ..."
        (2 * 86400, 2, "2 days"),
        (36 * 3600, 1, "36 hours"),
        (1800, 1, "30 minutes"),
        (300, 1, "5 minutes"),
        (45, 1, "45 seconds"),
    ],
)
def test_window_words(seconds, days_from, words):
    from ripplemeter.formatting import window_words

    assert window_words(seconds, days_from=days_from) == words
