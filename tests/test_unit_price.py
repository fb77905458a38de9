"""Prices per click, unit or result: 2 decimals, 2 significant digits below 0.10 (by hand)."""

import pytest

from ripplemeter.evaluate.ads import COST_PER_RESULT
from ripplemeter.evaluate.metrics import CPC
from ripplemeter.formatting import format_value, unit_price


@pytest.mark.parametrize(
    "v, shown",
    [
        (0.814, "0.81"),
        (1234.5, "1,234.50"),
        (0.0432, "0.043"),
        (0.00517, "0.0052"),
        (0.09996, "0.10"),
        (0.0, "0.00"),
    ],
)
def test_unit_price(v, shown):
    assert unit_price(v) == shown
    assert format_value(v, "cpc", "currency per click") == shown
    assert format_value(v, "rate_card_price", "currency per unit") == shown
    # the registry's own units, so a renamed unit cannot slip past the price format
    assert format_value(v, "cost_per_result", COST_PER_RESULT.unit) == shown
    assert format_value(v, "cpc", CPC.unit) == shown
