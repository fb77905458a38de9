"""The listening section's chart: mentions per day per topic, alert windows marked.

Built from a hand-written listening block (the shape metrics.json has), so every value the
figure must carry is known: the daily counts, the alert's start and end moved from UTC to the
project's zone by hand (Asia/Seoul is UTC+9, no daylight saving), the peak day's count.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

from ripplemeter.report import charts as C


def _block():
    return {
        "timezone": "Asia/Seoul",
        "topic_order": ["lumen", "acme"],
        "topics": {
            "lumen": {
                "name": "Lumen <b>Tea</b>",
                "volume": {
                    "day": [
                        ["2026-03-01", 0],
                        ["2026-03-02", 2],
                        ["2026-03-03", 37],
                        ["2026-03-04", 4],
                    ]
                },
                "alerts": [
                    {
                        "rule": "tuned",
                        # 2026-03-02 15:00 UTC = 2026-03-03 00:00 in Seoul; ends 05:00 Seoul
                        "start": "2026-03-02T15:00:00+00:00",
                        "end": "2026-03-02T20:00:00+00:00",
                        "peak_at": "2026-03-02T18:00:00+00:00",
                    }
                ],
            },
            "acme": {
                "name": "Acme",
                "volume": {
                    "day": [
                        ["2026-03-01", 1],
                        ["2026-03-02", 0],
                        ["2026-03-03", 3],
                        ["2026-03-04", 1],
                    ]
                },
                "alerts": [],
            },
        },
    }


def test_lines_per_topic_alert_frames_and_peak_marker():
    fig = C.listening_volume(_block())
    lines = [t for t in fig.data if t.mode == "lines"]
    assert [t.name for t in lines] == ["Lumen &lt;b&gt;Tea&lt;/b&gt;", "Acme"]  # names escaped
    assert list(lines[0].y) == [0, 2, 37, 4] and list(lines[1].y) == [1, 0, 3, 1]
    assert list(lines[0].x) == [f"2026-03-0{d} 12:00" for d in (1, 2, 3, 4)]
    # one colour per topic, from the series colours, never a window's colour
    colours = [t.line.color for t in lines]
    assert colours == list(C.SERIES_COLOURS[:2])
    assert not {*colours} & {C.BASELINE_COLOUR, C.CAMPAIGN_COLOUR}
    # the alert: a dotted frame in Seoul time, from its start hour to the end of its last hour
    (frame,) = fig.layout.shapes
    assert frame.x0 == "2026-03-03T00:00:00" and frame.x1 == "2026-03-03T06:00:00"
    assert frame.line.color == colours[0] and frame.line.dash == "dot"
    assert frame.fillcolor is None
    # the triangle: on the peak's local day (03:00 on 3 March in Seoul) at that day's count
    (marks,) = [t for t in fig.data if t.mode == "markers"]
    assert list(marks.x) == ["2026-03-03 12:00"] and list(marks.y) == [37]
    assert marks.marker.color == colours[0] and marks.marker.symbol == "triangle-up"
    # round ticks from zero, every count inside the axis, dates read as "1 Mar"
    ya = fig.layout.yaxis
    assert ya.tick0 == 0 and ya.dtick == 10 and ya.range[0] < 0 < 37 < ya.range[1]
    assert fig.layout.xaxis.tickformat == "%-d %b"
    assert fig.layout.xaxis.range[0] < "2026-03-01 12:00" and fig.layout.xaxis.range[1] > (
        "2026-03-04 12:00"
    )
    assert C.caption_of(fig).startswith("How to read this:")


def test_registered_for_the_section_and_absent_without_mentions():
    fn = C.SECTION_CHARTS["listening"]
    res = SimpleNamespace(data={"listening": _block()})
    ((div, fig),) = fn(None, res)
    assert div == "listening-volume" and len(fig.data) == 3
    empty = _block()
    for t in empty["topics"].values():
        t["volume"]["day"] = [[d, 0] for d, _ in t["volume"]["day"]]
    assert fn(None, SimpleNamespace(data={"listening": empty})) == []


def test_years_long_windows_name_the_year():
    b = _block()
    b["topics"]["acme"]["volume"]["day"] = [["2025-01-01", 1], ["2026-03-04", 2]]
    fig = C.listening_volume(b)
    assert fig.layout.xaxis.tickformat == "%b %Y"
    assert math.isclose(fig.layout.yaxis.dtick, 10)
