"""How accounts read in the report tables (top posts, seeding, propagation), by hand."""

from ripplemeter.evaluate.top_posts import account_label


def test_a_non_numeric_x_id_is_its_handle():
    assert account_label("x:fan0011", {}) == "@fan0011"
    assert account_label("instagram:lumen.tea", {}) == "@lumen.tea"


def test_numbers_and_other_platforms_stay_ids():
    assert account_label("x:1", {}) == "x:1"  # a numeric X id is no handle
    assert account_label("mastodon:110552", {}) == "mastodon:110552"
    assert account_label("weibo:lumentea", {}) == "weibo:lumentea"


def test_a_known_label_wins_and_unknown_is_none():
    assert account_label("x:fan0011", {"x:fan0011": "A Fan"}) == "A Fan"
    assert account_label(None, {}) is None
