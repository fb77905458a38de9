"""Sentences joined in code end with one mark: never "culinary?. What" nor "(target 4).." .

A new user's trial of the demo report read "Is the Spring Matcha ceremonial grade or
culinary?. What is the difference from the regular matcha?" in the inbox and the audit's
examples: the demo joined two comment sentences with ". " after a question. The mend is one
helper, :func:`ripplemeter.formatting.sentence_end`, used by the demo's comments, the
summary's cost sentence and every template that wrote ``{{ why }}. ``.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from markupsafe import Markup

from ripplemeter.formatting import sentence_end


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no reach column in the export", "no reach column in the export."),
        ("complaint not answered (target 4)", "complaint not answered (target 4)."),
        ("Is it ceremonial grade or culinary?", "Is it ceremonial grade or culinary?"),
        ("Sold out again!", "Sold out again!"),
        ("the export ends on 31 Mar.", "the export ends on 31 Mar."),
        ("the window is empty.  ", "the window is empty."),
        ("\u201cDoes it ship to Canada?\u201d", "\u201cDoes it ship to Canada?\u201d"),
        ("(see the notes.)", "(see the notes.)"),
        (
            "\u8bf7\u95ee\u662f\u793c\u4eea\u7ea7\u7684\u5417\uff1f",
            "\u8bf7\u95ee\u662f\u793c\u4eea\u7ea7\u7684\u5417\uff1f",
        ),
        ("\u5df2\u4e0b\u5355\u3002", "\u5df2\u4e0b\u5355\u3002"),
        ("wait for it\u2026", "wait for it\u2026"),
        ("", ""),
        (None, ""),
    ],
)
def test_sentence_end_adds_a_full_stop_only_where_none_is(text, expected):
    assert sentence_end(text) == expected


def test_sentence_end_keeps_markup_and_escapes_nothing_twice():
    out = sentence_end(Markup("<b>4</b> hours"))
    assert isinstance(out, Markup) and out == Markup("<b>4</b> hours.")


class _Scripted:
    """A stand-in for numpy's Generator that returns the draws it is given, in order."""

    def __init__(self, randoms, integers):
        self._r, self._i = list(randoms), list(integers)

    def random(self):
        return self._r.pop(0)

    def integers(self, *args):
        return self._i.pop(0)


def test_demo_comment_after_a_question_keeps_the_question_mark():
    from ripplemeter import demo

    # a neutral English comment of two sentences (0.2 < 0.35), no emoji (0.9 >= 0.3):
    # sentence 0 "Is the Spring Matcha ceremonial grade or culinary?" then 4 "What is the
    # difference from the regular matcha?"
    rng = _Scripted([0.2, 0.9], [0, 4])
    assert demo._comment_text(rng, "en", "neutral") == (
        "Is the Spring Matcha ceremonial grade or culinary? "
        "What is the difference from the regular matcha?"
    )
    # a sentence without a mark of its own still gets its full stop: 3 then 1
    rng = _Scripted([0.2, 0.9], [3, 1])
    assert demo._comment_text(rng, "en", "neutral") == (
        "Ordered one tin, will report back. Does it ship to Canada?"
    )
    # Chinese sentences are joined by a space, as before (no Latin full stop added)
    rng = _Scripted([0.2, 0.9], [1, 3])
    assert demo._comment_text(rng, "zh", "neutral") == "能寄到广州吗? 已下单,等收货"


def test_summary_cost_sentence_ends_once():
    from ripplemeter.evaluate import summary

    def cost(reason):
        ev = SimpleNamespace(
            figures=[],
            results={"ads": SimpleNamespace(status="no data", reason=reason, data={})},
        )
        return "".join(summary._cost(summary._Figures(ev)).parts)

    assert cost("no ads export or spend file among the campaign's sources") == (
        "No cost figures: no ads export or spend file among the campaign's sources."
    )
    assert cost("the ads export ends before the window (last day 28 Feb).") == (
        "No cost figures: the ads export ends before the window (last day 28 Feb)."
    )


def test_template_reasons_end_once():
    """exposure.html writes each reason as a sentence: a full stop after "(… figures)", none
    after a reason that has its own."""
    import ripplemeter.report as rep
    from ripplemeter.report.html import _env

    src = (Path(rep.__file__).parent / "templates/sections/exposure.html").read_text("utf-8")
    reasons = {
        "reach": "no reach in the export (X gives impressions only)",
        "link_clicks": "the export has no link clicks before 2021.",
    }
    e = {"posts": 3, "by_platform": [], "undated_posts": 0, "reasons": reasons}
    html = (
        _env()
        .from_string(src)
        .render(
            q={"exposure": e, "baseline_exposure": {"posts": 2}, "exposure_lift": {}},
            c={"days": 31, "baseline_days": 28},
            fig=lambda path, *a, **kw: "N",
            name=lambda k: k.replace("_", " ").capitalize(),
            charts=[],
        )
    )
    assert (
        '<p class="muted">Campaign window: Reach: no reach in the export (X gives impressions '
        "only). Link clicks: the export has no link clicks before 2021. </p>"
    ) in html
