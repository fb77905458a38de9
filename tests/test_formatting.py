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
