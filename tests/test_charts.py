"""Charts people can read: checked on the Plotly figure objects themselves.

Colours come from the Okabe-Ito palette and each window keeps one colour in every chart;
every axis holds every point drawn; windows months apart are drawn without the months
between them; ticks are round; each chart has a "How to read this" line; before/after puts
each measure in its own panel whose whiskers are the section's ci95 from metrics.json.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ripplemeter.campaign import Campaign, load_campaign
from ripplemeter.demo import generate_demo
from ripplemeter.pipeline import import_and_evaluate
from ripplemeter.report import charts as C
from ripplemeter.report import write_report

JAN = (dt.date(2021, 1, 1), dt.date(2021, 1, 31))
AUG = (dt.date(2021, 8, 1), dt.date(2021, 8, 31))


def months_apart() -> Campaign:
    """Baseline in January, campaign in August (as the real X exports below)."""
    return Campaign("t", AUG[0], AUG[1], JAN[0], JAN[1], timezone="UTC")


def adjacent() -> Campaign:
    return Campaign(
        "t", dt.date(2026, 3, 1), dt.date(2026, 3, 31), dt.date(2026, 2, 1), dt.date(2026, 2, 28)
    )


def days(lo: dt.date, hi: dt.date) -> list[dt.date]:
    return [lo + dt.timedelta(days=i) for i in range((hi - lo).days + 1)]


# --------------------------------------------------------------------------- figure helpers
def _axis(fig, trace, letter: str):
    ref = getattr(trace, f"{letter}axis", None) or letter
    return fig.layout[f"{letter}axis{ref[1:]}"]


def _ts(x) -> pd.Timestamp:
    return pd.Timestamp(x)


def drawn_points(trace) -> list[tuple]:
    """(position, value_low, value_high) of each finite value, bars from 0, error bars whole.

    Horizontal bars (``orientation="h"``) carry their values on x."""
    horizontal = getattr(trace, "orientation", None) == "h"
    vals, pos = (trace.x, trace.y) if horizontal else (trace.y, trace.x)
    err = trace.error_x if horizontal else trace.error_y
    ys = [np.nan if v is None else float(v) for v in (vals if vals is not None else [])]
    xs = list(pos) if pos is not None else [None] * len(ys)
    up = list(err.array) if err and err.array is not None else None
    dn = list(err.arrayminus) if err and err.arrayminus is not None else None
    out = []
    for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
        if not math.isfinite(y):
            continue
        lo = y - (dn[i] if dn else 0)
        hi = y + (up[i] if up else 0)
        out.append((x, min(lo, y, 0 if trace.type == "bar" else y), max(hi, y)))
    return out


def assert_nothing_clipped(fig) -> None:
    """Every point (bars from 0, error bars whole) lies inside its axes' ranges, with room."""
    for tr in fig.data:
        if tr.type not in ("scatter", "bar"):
            continue
        xa, ya = _axis(fig, tr, "x"), _axis(fig, tr, "y")
        if getattr(tr, "orientation", None) == "h":
            xa, ya = ya, xa  # values on x, categories on y
        pts = drawn_points(tr)
        if ya.range is not None:
            lo, hi = ya.range
            for _, y0, y1 in pts:
                assert lo < y0 and y1 < hi, (tr.name, ya.range, y0, y1)
        if xa.type == "date" and xa.range is not None:
            x0, x1 = (_ts(v) for v in xa.range)
            for x, _, _ in pts:
                assert x0 < _ts(x) < x1, (tr.name, x, xa.range)


def window_colour_of(trace) -> str | None:
    c = None
    if trace.type == "scatter":
        c = trace.line.color
    elif trace.type == "bar":
        c = trace.marker.color
    return c


def colours_used(fig) -> set[str]:
    out = set()
    for tr in fig.data:
        for c in (
            getattr(getattr(tr, "line", None), "color", None),
            getattr(getattr(tr, "marker", None), "color", None),
        ):
            if isinstance(c, str):
                out.add(c.upper())
    for sh in fig.layout.shapes:
        if sh.line and isinstance(sh.line.color, str):
            out.add(sh.line.color.upper())
    return out


PALETTE = {c.upper() for c in C.PALETTE}
FILLS = {C.BASELINE_FILL, C.CAMPAIGN_FILL}


def assert_palette(fig) -> None:
    assert colours_used(fig) <= PALETTE, colours_used(fig) - PALETTE
    for sh in fig.layout.shapes:
        if sh.fillcolor is not None:
            assert sh.fillcolor in FILLS, sh.fillcolor


def assert_round_value_ticks(fig) -> None:
    """Value axes tick from 0 in steps of 1, 2, 2.5 or 5 times a power of ten."""
    n = 0
    for key in fig.layout:
        if not key.startswith(("xaxis", "yaxis")):
            continue
        ax = fig.layout[key]
        if ax.dtick is None:
            continue
        n += 1
        assert ax.tickmode == "linear" and ax.tick0 == 0, key
        step = float(ax.dtick)
        mant = step / 10 ** math.floor(math.log10(step))
        assert any(math.isclose(mant, m) for m in (1, 2, 2.5, 5)), (key, step)
        fmt = ax.tickformat
        assert fmt in (None, ",~s", ",~g") or re.fullmatch(r",\.\d%", fmt), (key, fmt)
    assert n, "no value axis with round ticks"


def window_traces(fig) -> dict[str, set[str]]:
    """Window -> colours of the traces drawn for it (legend group)."""
    out: dict[str, set[str]] = {}
    for tr in fig.data:
        if getattr(tr, "legendgroup", None) in ("baseline", "campaign"):
            out.setdefault(tr.legendgroup, set()).add(window_colour_of(tr).upper())
    return out


# --------------------------------------------------------------------------- units
@pytest.mark.parametrize(
    "span, step",
    [(100, 20), (1236, 250), (30_000, 5_000), (40_000, 10_000), (0.53, 0.1), (7, 1), (12.5, 2.5)],
)
def test_nice_step_is_round(span, step):
    # worked by hand: span / 5, then the nearest (by ratio) 1, 2, 2.5, 5 or 10 times 10^k
    assert C.nice_step(span) == pytest.approx(step)


def test_value_axis_holds_every_value_with_headroom():
    ax = C.value_axis([16, 1252, 840, None, float("nan")], integer=True)
    lo, hi = ax["range"]
    assert lo < 0 < 16 and 1252 < hi
    assert ax["dtick"] == 250 and ax["tick0"] == 0 and ax["tickformat"] == ",~g"
    ax = C.value_axis([0.31, 0.13, 0.53], percent=True)
    assert ax["range"][0] < 0 and 0.53 < ax["range"][1] and ax["tickformat"] == ",.0%"
    ax = C.value_axis([0, 0, 0], integer=True)  # all zero: an axis from 0 to 1, not a dot
    assert ax["range"][0] < 0 and ax["range"][1] > 1 and ax["dtick"] == 1
    ax = C.value_axis([-0.2, 0.05], percent=True)
    assert ax["range"][0] < -0.2 and ax["range"][1] > 0.05
    assert C.value_axis([0.0025, 0.012], percent=True)["tickformat"] == ",.2%"


def test_palette_is_okabe_ito_with_one_colour_per_window():
    assert C.BASELINE_COLOUR == "#0072B2" and C.CAMPAIGN_COLOUR == "#E69F00"
    assert {C.BASELINE_COLOUR, C.CAMPAIGN_COLOUR} <= set(C.OKABE_ITO.values())
    assert len(set(C.OKABE_ITO.values())) == 8
    assert C.WINDOW_COLOURS == {"baseline": "#0072B2", "campaign": "#E69F00"}
    assert set(C.SERIES_COLOURS) == set(C.OKABE_ITO.values())
    # the two windows' colours come last among the series colours
    assert C.SERIES_COLOURS[-2:] == (C.BASELINE_COLOUR, C.CAMPAIGN_COLOUR)


def test_windows_months_apart_are_drawn_without_the_gap():
    c = months_apart()
    assert C.gap(c) == (dt.date(2021, 2, 1), dt.date(2021, 7, 31))
    b = pd.DataFrame({"date": days(*JAN), "posts": range(31)})
    k = pd.DataFrame({"date": days(*AUG), "posts": [3] * 31})
    fig = C.posts_per_day(c, k, b)
    (brk,) = fig.layout.xaxis.rangebreaks
    lo, hi = (_ts(v) for v in brk.bounds)
    # the break covers every day between the windows, and no window day
    # (a day's bar is centred on its midnight, so the break runs from noon to noon)
    assert _ts("2021-01-31") < lo <= _ts("2021-02-01") and _ts("2021-07-31") <= hi < _ts(
        "2021-08-01"
    )
    xs = [_ts(x) for tr in fig.data for x in tr.x]
    assert len(xs) == 62 and not any(lo <= x <= hi for x in xs)
    # the dotted line marks the break, and the caption says so in words
    assert any(sh.line.dash == "dot" for sh in fig.layout.shapes)
    assert "skips the 6 months between the windows" in C.caption_of(fig)
    assert_nothing_clipped(fig)
    assert_palette(fig)


def test_adjacent_windows_need_no_break_and_ticks_read_as_days():
    c = adjacent()
    assert C.gap(c) is None
    b = pd.DataFrame({"date": days(c.baseline_start, c.baseline_end), "posts": 1})
    k = pd.DataFrame({"date": days(c.start, c.end), "posts": 2})
    fig = C.posts_per_day(c, k, b)
    ax = fig.layout.xaxis
    assert not ax.rangebreaks
    assert ax.tickformat == "%-d %b"
    assert ax.ticktext[0] == "1 Feb 2026" and "1 Mar 2026" in ax.ticktext
    assert "8 Feb" in ax.ticktext and "8 Mar" in ax.ticktext
    # ticks only on window days
    assert all(c.baseline_start <= dt.date.fromisoformat(v) <= c.end for v in ax.tickvals)


def test_data_outside_the_windows_is_not_drawn_and_missing_days_break_the_line():
    c = months_apart()
    d = days(dt.date(2020, 12, 20), dt.date(2021, 9, 10))
    frame = pd.DataFrame({"date": d, "impressions": np.arange(len(d)) * 10.0})
    frame["engagements"] = frame["impressions"] / 10
    frame = frame[frame["date"] != dt.date(2021, 8, 10)]  # a day the export does not cover
    fig = C.daily_exposure(c, frame, pd.DataFrame(), pd.DataFrame())
    assert {a.text for a in fig.layout.annotations} >= {
        "Account impressions per day",
        "Account engagements per day",
    }
    for tr in fig.data:
        xs = [_ts(x).date() for x in tr.x]
        w = JAN if tr.legendgroup == "baseline" else AUG
        assert xs == days(*w)  # every window day, nothing outside
        ys = list(tr.y)
        if tr.legendgroup == "campaign":
            assert math.isnan(ys[9])  # 10 Aug missing: a gap, not a bridge
            assert ys[10] == frame.set_index("date").loc[dt.date(2021, 8, 11), tr_col(fig, tr)]
    # own scale per panel: impressions and engagements on different y axes
    assert {tr.yaxis for tr in fig.data} == {"y", "y2"}
    assert window_traces(fig) == {"baseline": {"#0072B2"}, "campaign": {"#E69F00"}}
    assert_nothing_clipped(fig)
    assert_round_value_ticks(fig)
    assert_palette(fig)


def tr_col(fig, tr) -> str:
    return "impressions" if tr.yaxis == "y" else "engagements"


def test_before_after_one_panel_per_measure_each_its_own_scale():
    rows = [
        {"label": "Orders per day", "lift": 0.31, "ci95": [0.13, 0.53], "path": "a.orders"},
        {"label": "Impressions per day", "lift": 2.6, "ci95": [1.25, 4.78], "path": "a.imp"},
        {"label": "Sign-ups per day", "lift": None, "ci95": None, "reason": "baseline is 0"},
    ]
    fig = C.before_after(rows)
    bars = [t for t in fig.data if t.type == "bar"]
    assert len(bars) == 3 and len({t.yaxis for t in bars}) == 3
    small, big = bars[0], bars[1]
    # the +31% bar fills its panel as the +260% bar fills its own
    r_small = _axis(fig, small, "y").range
    r_big = _axis(fig, big, "y").range
    assert 0.31 / r_small[1] > 0.4 and 2.6 / r_big[1] > 0.4
    assert small.error_y.array[0] == pytest.approx(0.53 - 0.31)
    assert small.error_y.arrayminus[0] == pytest.approx(0.31 - 0.13)
    assert {t.marker.color for t in bars} == {C.CAMPAIGN_COLOUR}
    # the lift is written on each panel; a missing one says why
    titles = [a.text for a in fig.layout.annotations]
    assert any("+31% (+13% to +53%)" in t for t in titles)
    assert any("+260% (+125% to +478%)" in t for t in titles)
    assert "baseline is 0" in titles
    # its heading never says "no change" (a change it cannot express in % is still a change)
    head = next(t for t in titles if t.startswith("<b>Sign-ups per day"))
    assert head == "<b>Sign-ups per day</b><br>change in % not computable"
    assert [p["path"] for p in fig.layout.meta["panels"]] == ["a.orders", "a.imp", None]
    # the baseline's 0% line in the baseline colour, in each panel with a lift
    zero = [s for s in fig.layout.shapes if s.y0 == 0 and s.y1 == 0]
    assert len(zero) == 2 and {s.line.color for s in zero} == {C.BASELINE_COLOUR}
    assert_nothing_clipped(fig)
    assert_round_value_ticks(fig)
    assert_palette(fig)
    assert C.caption_of(fig).startswith("How to read this:")


def test_labels_from_the_data_cannot_inject_markup():
    c = adjacent()
    idx = pd.DataFrame(
        {
            "import_id": 1,
            "source": "google_trends",
            "term": "<a href='x'>tea</a>",
            "geo": "Worldwide",
            "period": "day",
            "date": pd.to_datetime(days(c.baseline_start, c.end)),
            "value": 5.0,
            "below_one": False,
        }
    )
    fig = C.index_series(c, idx)
    text = json.dumps(fig.to_plotly_json()["layout"])
    assert "<a href" not in text and "&lt;a href" in text


# --------------------------------------------------------------------------- the demo report
@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("charts")
    camp = load_campaign(generate_demo(tmp / "data", seed=7))
    res = import_and_evaluate(camp, workspace=tmp / "ws.duckdb")
    paths = write_report(res, tmp / "out")
    return res, json.loads(paths.metrics.read_text()), paths


def all_charts(res) -> list[tuple[str, str, object]]:
    out = []
    for sid, r in res.results.items():
        if r.status == "ok":
            out += [(sid, d, f) for d, f in C.charts_for(res, sid)]
    return out


def test_every_demo_chart_is_readable(demo):
    res, _, _ = demo
    charts = all_charts(res)
    ids = {d for _, d, _ in charts}
    assert {"daily-before-after", "before-after", "index-before-after", "outcomes"} <= ids
    assert {"index-series", "posts-per-day", "daily-exposure", "seeding"} <= ids
    colours: dict[str, set[str]] = {}
    for _, d, fig in charts:
        assert (C.caption_of(fig) or "").startswith("How to read this:"), d
        assert_palette(fig)
        assert_nothing_clipped(fig)
        if any(t.type in ("scatter", "bar") for t in fig.data):  # not the sunburst
            assert_round_value_ticks(fig)
        for w, cs in window_traces(fig).items():
            colours.setdefault(w, set()).update(cs)
        xa = fig.layout.xaxis
        if xa.type == "date":
            assert xa.tickformat == "%-d %b", d
    # the same window has the same colour in every chart
    assert colours == {"baseline": {"#0072B2"}, "campaign": {"#E69F00"}}


def _at(doc: dict, path: str):
    node = doc
    for part in path.split("."):
        node = node[part]
    return node


def test_before_after_whiskers_are_the_sections_ci95(demo):
    res, doc, _ = demo
    n = 0
    for _, d, fig in all_charts(res):
        if not d.endswith("before-after"):
            continue
        bars = [t for t in fig.data if t.type == "bar"]
        panels = fig.layout.meta["panels"]
        assert len(bars) == len(panels) and len({t.yaxis for t in bars}) == len(bars)
        for tr, p in zip(bars, panels, strict=True):
            fig_doc = _at(doc, p["path"])
            assert tr.y[0] == pytest.approx(fig_doc["lift"])
            # the metric id is the one the section reports the lift under
            shown = next(f for f in res.figures if f.path == p["path"] + ".lift")
            assert p["metric"] == shown.metric
            interval = fig_doc.get("ci95") if "ci95" in fig_doc else fig_doc.get("lift_bounds")
            if interval and interval[0] != interval[1]:
                lo, hi = interval
                assert tr.y[0] + tr.error_y.array[0] == pytest.approx(hi)
                assert tr.y[0] - tr.error_y.arrayminus[0] == pytest.approx(lo)
                n += 1
            else:
                assert tr.error_y.array is None
    # demo: impressions, engagements, orders, registrations (ci95), "lumen tea" ('<1' bounds)
    assert n == 5


def test_report_prints_a_caption_under_each_chart(demo):
    _, _, paths = demo
    html = paths.html.read_text()
    divs = re.findall(r'<div id="chart-([\w-]+)" class="plotly-graph-div"', html)
    assert len(divs) >= 8
    for d in divs:
        cap = re.search(rf'<p class="chart-caption" id="chart-{d}-caption"[^>]*>([^<]+)</p>', html)
        assert cap and cap.group(1).startswith("How to read this:"), d
        # the caption follows its own chart, before the next one
        assert html.index(f'id="chart-{d}"') < cap.start()


# --------------------------------------------------------------------------- real X exports
@pytest.mark.real_data
def test_real_x_exports_months_apart(tmp_path, real_data):
    """X exports for Aug 2021 against a Jan 2021 baseline: no months of empty axis."""
    sys.path.insert(0, str(Path(__file__).parent))
    from test_evaluate_e2e import x_campaign

    res = import_and_evaluate(load_campaign(x_campaign(tmp_path, real_data)))
    doc = res.metrics()
    charts = all_charts(res)
    series = [(d, f) for _, d, f in charts if f.layout.xaxis.type == "date"]
    assert {d for d, _ in series} >= {"daily-exposure", "posts-per-day", "index-series"}
    for d, fig in series:
        (brk,) = fig.layout.xaxis.rangebreaks
        lo, hi = (_ts(v) for v in brk.bounds)
        assert lo <= _ts("2021-02-01") and hi >= _ts("2021-07-31 12:00"), d
        for tr in fig.data:
            assert not any(lo <= _ts(x) <= hi for x in tr.x), d
        assert_nothing_clipped(fig)
    # the impressions panel holds the peak day of the August export (the spike of 6 Aug)
    daily = res.frame("account_daily")
    peak = float(daily["impressions"].max())
    fig = dict((d, f) for _, d, f in charts)["daily-exposure"]
    assert fig.layout.yaxis.range[1] > peak
    assert max(v for tr in fig.data if tr.yaxis == "y" for v in tr.y if v == v) == peak
    ba = dict((d, f) for _, d, f in charts)["daily-before-after"]
    imp = doc["quantitative"]["daily_exposure"]["impressions"]
    tr = next(t for t in ba.data if t.type == "bar")
    assert tr.y[0] + tr.error_y.array[0] == pytest.approx(imp["ci95"][1])
    assert tr.y[0] - tr.error_y.arrayminus[0] == pytest.approx(imp["ci95"][0])


def test_cascade_and_seeding_charts_keep_the_rules():
    breadth = pd.DataFrame(
        {"root_id": ["r1"] * 3 + ["r2"] * 2, "level": [0, 1, 2, 0, 1], "breadth": [1, 40, 7, 1, 3]}
    )
    growth = pd.DataFrame(
        {"root_id": ["r1"] * 3, "seconds": [0.0, 3600.0, 7200.0], "size": [1, 30, 48]}
    )
    depths = pd.DataFrame({"depth": [1, 2, 3], "cascades": [120, 14, 2]})
    plan = pd.DataFrame(
        {
            "rank": [1, 2, 3],
            "seed": ["x:a", "x:b", "x:c"],
            "marginal_gain": [570.0, 160.0, 20.5],
            "cumulative_gain": [570.0, 730.0, 750.5],
        }
    )
    figs = [
        C.cascade_breadth(breadth, ["r1", "r2"]),
        C.cascade_growth(growth),
        C.cascade_depths(depths),
        C.seeding_gains(plan),
    ]
    for fig in figs:
        assert C.caption_of(fig).startswith("How to read this:")
        assert_palette(fig)
        assert_nothing_clipped(fig)
        assert_round_value_ticks(fig)
        # not a window comparison: none of these uses a window's colour
        assert not colours_used(fig) & {C.BASELINE_COLOUR, C.CAMPAIGN_COLOUR}
    # the seeding panels: marginal gains on one scale, the running total on its own
    s = figs[3]
    assert [t.yaxis for t in s.data] == ["y", "y2"]
    assert s.layout.yaxis.range[1] > 570 and s.layout.yaxis2.range[1] > 750.5
    # hours run to the last repost with room to spare; legends name cascades, not post ids
    g = figs[1]
    assert g.layout.xaxis.range[1] > 2.0 and g.layout.xaxis.range[0] < 0
    named = C.cascade_growth(growth, {"r1": "largest: 48 posts"})
    assert named.data[0].name == "largest: 48 posts" and "r1" in named.data[0].hovertemplate


def test_sunburst_wedges_use_the_palette_not_the_window_colours():
    nodes = pd.DataFrame(
        {
            "post_id": ["p0", "p1", "p2", "p3"],
            "parent_id": [None, "p0", "p0", "p1"],
            "account_id": ["a0", "a1", "a2", "a3"],
            "depth": [0, 1, 1, 2],
            "subtree_size": [4, 2, 1, 1],
        }
    )
    fig = C.cascade_sunburst(nodes)
    way = {c.upper() for c in fig.layout.sunburstcolorway}
    assert way <= PALETTE and not way & {C.BASELINE_COLOUR, C.CAMPAIGN_COLOUR}
    assert fig.layout.extendsunburstcolors is False
    assert C.caption_of(fig).startswith("How to read this:")
