"""Plotly figures for the report. Each function takes result DataFrames, returns a Figure.

Rules every chart here keeps, so that a marketing lead can read it without help:

- One colour per window in every chart (:data:`BASELINE_COLOUR`, :data:`CAMPAIGN_COLOUR`),
  from the Okabe-Ito palette, which stays distinct under the common colour-vision
  deficiencies; other series take :data:`SERIES_COLOURS`.
- Over time, only the two windows are drawn: when days lie between them, the axis jumps
  over them (a Plotly ``rangebreak``, marked by a dotted line), so that months apart do not
  become months of empty axis.
- Value axes carry round ticks (1, 2, 2.5 or 5 times a power of ten, from zero) and a range
  that holds every point drawn, with headroom; dates read as "1 Mar".
- Before/after puts each measure in its own small panel on its own scale, so that a +31%
  outcome is as visible as a +260% exposure lift.
- Each figure carries a one-line "How to read this" (:func:`with_caption`), which the HTML
  report prints under it.

No untrusted text (post texts) is ever put into a chart; names from the data (search terms,
outcome names) are HTML-escaped, since Plotly reads a few tags in labels.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Iterable, Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ripplemeter.campaign import Campaign
from ripplemeter.evaluate.metrics import BELOW_ONE_AS

# ---------------------------------------------------------------------------- palette
#: The Okabe-Ito palette (Okabe & Ito, "Color Universal Design", 2008; Wong, "Points of
#: view: Color blindness", Nature Methods 8, 2011): eight colours that stay distinct for
#: readers with protanopia, deuteranopia or tritanopia.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
#: The baseline window, in every chart.
BASELINE_COLOUR = OKABE_ITO["blue"]
#: The campaign window, in every chart.
CAMPAIGN_COLOUR = OKABE_ITO["orange"]
#: Window -> colour (keys as the report names the windows).
WINDOW_COLOURS: dict[str, str] = {"baseline": BASELINE_COLOUR, "campaign": CAMPAIGN_COLOUR}
#: Series that are not a window (seeds, cascades, ads breakdowns), in this order. The window
#: colours come last, so that a chart of other things does not look like a window comparison.
SERIES_COLOURS: tuple[str, ...] = (
    OKABE_ITO["bluish_green"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["black"],
    OKABE_ITO["yellow"],
    OKABE_ITO["blue"],
    OKABE_ITO["orange"],
)
#: Reference marks (the line where the axis jumps over the days between windows).
NEUTRAL_COLOUR = "#999999"
#: Every colour a chart here may use.
PALETTE: frozenset[str] = frozenset({*OKABE_ITO.values(), NEUTRAL_COLOUR})


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r}, {g}, {b}, {alpha})"


#: Light fills that shade each window behind the data (the window colours, translucent).
BASELINE_FILL = _rgba(BASELINE_COLOUR, 0.08)
CAMPAIGN_FILL = _rgba(CAMPAIGN_COLOUR, 0.12)
WINDOW_FILLS: dict[str, str] = {"baseline": BASELINE_FILL, "campaign": CAMPAIGN_FILL}

#: Date ticks, as a reader writes a day ("1 Mar").
DATE_TICKFORMAT = "%-d %b"
DATE_HOVERFORMAT = "%a %-d %b %Y"

_LAYOUT = dict(
    template="plotly_white",
    colorway=list(SERIES_COLOURS),
    height=360,
    margin=dict(l=60, r=20, t=60, b=40),
    legend=dict(orientation="h", y=-0.15, yanchor="top"),
)


def _layout(**over) -> dict:
    return {**_LAYOUT, **over}


def _esc(text: object) -> str:
    """A name from the data as plain text in a Plotly label (its few tags neutralised)."""
    return html.escape(str(text), quote=False)


# ---------------------------------------------------------------------------- captions
def with_caption(fig: go.Figure, text: str) -> go.Figure:
    """Attach the one-line "How to read this" that the report prints under ``fig``.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
    text : str
        One plain sentence for a marketing lead; "How to read this:" is added in front.

    Returns
    -------
    Figure
        ``fig`` itself, its ``layout.meta["caption"]`` set.
    """
    meta = dict(fig.layout.meta or {})
    meta["caption"] = text
    fig.layout.meta = meta
    return fig


def caption_of(fig: go.Figure) -> str | None:
    """The caption attached by :func:`with_caption`, or None."""
    meta = fig.layout.meta
    return meta.get("caption") if isinstance(meta, dict) else None


# ---------------------------------------------------------------------------- value axes
_NICE = (1.0, 2.0, 2.5, 5.0, 10.0)


def nice_step(span: float, target: int = 5) -> float:
    """The round tick step (1, 2, 2.5 or 5 times a power of ten) nearest ``span / target``.

    Parameters
    ----------
    span : float
        Width of the data range (> 0; anything else gives 1).
    target : int
        Ticks wanted over ``span``.

    Returns
    -------
    float
    """
    if not (span > 0 and math.isfinite(span)):
        return 1.0
    raw = span / target
    mag = 10.0 ** math.floor(math.log10(raw))
    return min((m * mag for m in _NICE), key=lambda s: abs(math.log(s / raw)))


def _finite(values: Iterable) -> list[float]:
    out = []
    for v in values:
        if v is None:
            continue
        try:
            f = float(v)
        except (TypeError, ValueError):
            continue
        if math.isfinite(f):
            out.append(f)
    return out


def _percent_decimals(step: float) -> int:
    pct = step * 100
    for d in range(5):
        if abs(round(pct, d) - pct) < 1e-9 * max(1.0, abs(pct)):
            return d
    return 4


def value_axis(
    values: Iterable, *, integer: bool = False, percent: bool = False, headroom: float = 0.1
) -> dict:
    """Settings of a value axis that holds every value, with round ticks from zero.

    Parameters
    ----------
    values : iterable of float
        Every value drawn on the axis (None and NaN ignored); zero is always included.
    integer : bool
        Counts: the tick step is at least 1.
    percent : bool
        Values are ratios (0.31 = +31%): ticks read as signed percentages.
    headroom : float
        Share of the data range left free above and below, so that no line or marker sits
        on the edge.

    Returns
    -------
    dict
        ``range``, ``tickmode="linear"``, ``tick0=0``, ``dtick`` (a :func:`nice_step`) and
        ``tickformat`` for Plotly's ``update_yaxes``.
    """
    v = _finite(values) + [0.0]
    lo, hi = min(v), max(v)
    if hi - lo <= 0:  # every value is 0: show 0 to 1
        hi = 1.0
    span = hi - lo
    step = nice_step(span)
    if integer and step < 1:
        step = 1.0
    pad = headroom * span
    rng = [lo - pad if lo < 0 else -pad / 2, hi + pad]
    if percent:
        fmt = f",.{_percent_decimals(step)}%"
    elif step >= 1000:
        fmt = ",~s"  # 30k, 1.5M
    else:
        fmt = ",~g"
    return dict(range=rng, tickmode="linear", tick0=0, dtick=step, tickformat=fmt, zeroline=True)


# ---------------------------------------------------------------------------- windows and dates
def _day(x) -> dt.date:
    return pd.Timestamp(x).date()


def windows(c: Campaign) -> list[tuple[str, dt.date, dt.date]]:
    """The two windows as (name, first day, last day), in date order."""
    w = [("baseline", c.baseline_start, c.baseline_end), ("campaign", c.start, c.end)]
    return sorted(w, key=lambda x: x[1])


def window_of(day: dt.date, c: Campaign) -> str | None:
    """'campaign', 'baseline' or None for a local date."""
    if c.start <= day <= c.end:
        return "campaign"
    if c.baseline_start <= day <= c.baseline_end:
        return "baseline"
    return None


def gap(c: Campaign) -> tuple[dt.date, dt.date] | None:
    """First and last day strictly between the two windows, or None when they touch."""
    (_, _, end1), (_, start2, _) = windows(c)
    if (start2 - end1).days <= 1:
        return None
    return end1 + dt.timedelta(days=1), start2 - dt.timedelta(days=1)


def _half(day: dt.date, sign: int) -> str:
    """Noon before (-1) or after (+1) a day's midnight: where a day's bar ends."""
    t = dt.datetime.combine(day, dt.time()) + sign * dt.timedelta(hours=12)
    return t.strftime("%Y-%m-%d %H:%M")


def span_words(start: dt.date, end: dt.date) -> str:
    """'1–31 Jan 2021', '1 Feb – 3 Mar 2026', '20 Dec 2025 – 5 Jan 2026'."""
    if start.year != end.year:
        return f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"
    if start.month != end.month:
        return f"{start.day} {start:%b} – {end.day} {end:%b %Y}"
    if start == end:
        return f"{start.day} {start:%b %Y}"
    return f"{start.day}–{end.day} {end:%b %Y}"


def _duration_words(days: int) -> str:
    if days >= 60:
        return f"{round(days / 30.44)} months"
    if days >= 14:
        return f"{round(days / 7)} weeks"
    return f"{days} day{'s' if days != 1 else ''}"


def window_label(name: str, c: Campaign) -> str:
    """'baseline, 1–31 Jan 2021'."""
    start, end = (c.start, c.end) if name == "campaign" else (c.baseline_start, c.baseline_end)
    return f"{name}, {span_words(start, end)}"


def _date_ticks(c: Campaign) -> tuple[list[str], list[str]]:
    """Tick days: each window's first day, then every few days; the first tick of each
    window carries its year."""
    ws = windows(c)
    total = sum((e - s).days + 1 for _, s, e in ws)
    step = 1 if total <= 10 else 2 if total <= 24 else 7 if total <= 100 else 14
    if total > 200:
        step = 28
    vals, text = [], []
    for k, (_, s, e) in enumerate(ws):
        d = s
        first = True
        # the last tick of the first window stays clear of the second window's first tick
        last = e - dt.timedelta(days=step / 2) if k == 0 and step > 1 else e
        while d <= last:
            vals.append(d.isoformat())
            text.append(f"{d.day} {d:%b %Y}" if first else f"{d.day} {d:%b}")
            first = False
            d += dt.timedelta(days=step)
    return vals, text


def time_axis(c: Campaign) -> dict:
    """Settings of a date axis over the two windows, jumping over the days between them.

    Returns
    -------
    dict
        ``range`` (half a day beyond each end, so the first and last bars are whole),
        ``rangebreaks`` (one, over the days between the windows, when there are any), tick
        days (each window's first day, then every few days) and ``tickformat`` "1 Mar".
    """
    ws = windows(c)
    ax = dict(
        type="date",
        range=[_half(ws[0][1], -1), _half(ws[1][2], +1)],
        tickformat=DATE_TICKFORMAT,
        hoverformat=DATE_HOVERFORMAT,
        showgrid=False,
    )
    vals, text = _date_ticks(c)
    ax.update(tickmode="array", tickvals=vals, ticktext=text)
    g = gap(c)
    if g is not None:
        ax["rangebreaks"] = [dict(bounds=[_half(g[0], -1), _half(g[1], +1)])]
    else:
        ax["rangebreaks"] = []
    return ax


def _gap_caption(c: Campaign) -> str:
    g = gap(c)
    if g is None:
        return ""
    days = (g[1] - g[0]).days + 1
    return (
        f" The dotted line is where the axis skips the {_duration_words(days)} between the windows."
    )


def _windows_caption(c: Campaign) -> str:
    return (
        f"blue is the baseline ({span_words(c.baseline_start, c.baseline_end)}), orange the "
        f"campaign ({span_words(c.start, c.end)})"
    )


def _window_panels(
    c: Campaign,
    panels: Sequence[tuple[str, pd.DataFrame]],
    *,
    title: str,
    caption: str,
    bars: bool = False,
    daily: bool = True,
    integer: bool = True,
    hover_unit: str = "",
) -> go.Figure:
    """Stacked panels over the two windows, each its own y scale, coloured by window.

    Parameters
    ----------
    panels : sequence of (title, DataFrame with columns date, value)
        Rows outside both windows are not drawn (they are in no comparison).
    bars : bool
        Bars (counts per day) rather than lines.
    daily : bool
        One value per day expected: a missing day breaks the line rather than bridging it.
    """
    n = max(len(panels), 1)
    fig = make_subplots(
        rows=n,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=min(0.12, 0.3 / n) if n > 1 else 0.0,
        subplot_titles=[t for t, _ in panels] if n > 1 else None,
    )
    g = gap(c)
    for i, (_t, frame) in enumerate(panels, start=1):
        d = frame[["date", "value"]].copy()
        d["date"] = pd.to_datetime(d["date"])
        d["value"] = pd.to_numeric(d["value"], errors="coerce").astype(float)
        d["_w"] = [window_of(x.date(), c) for x in d["date"]]
        drawn: list[float] = []
        for name, start, end in windows(c):
            w = d[d["_w"] == name].sort_values("date")
            if daily:
                days = pd.DataFrame({"date": pd.date_range(start, end, freq="D")})
                w = days.merge(w[["date", "value"]], on="date", how="left")
            drawn += list(w["value"])
            colour = WINDOW_COLOURS[name]
            common = dict(
                x=w["date"],
                y=w["value"],
                name=window_label(name, c),
                legendgroup=name,
                showlegend=i == 1,
                hovertemplate=f"%{{x|{DATE_HOVERFORMAT}}}: %{{y:,.4~g}}{hover_unit}"
                f"<extra>{name}</extra>",
            )
            if bars:
                fig.add_trace(go.Bar(marker_color=colour, **common), row=i, col=1)
            else:
                many = len(w) > 62
                fig.add_trace(
                    go.Scatter(
                        mode="lines" if many else "lines+markers",
                        line=dict(color=colour, width=2),
                        marker=dict(color=colour, size=5),
                        cliponaxis=False,
                        connectgaps=False,
                        **common,
                    ),
                    row=i,
                    col=1,
                )
            fig.add_vrect(
                x0=_half(start, -1),
                x1=_half(end, +1),
                fillcolor=WINDOW_FILLS[name],
                line_width=0,
                layer="below",
                row=i,
                col=1,
            )
        fig.update_yaxes(value_axis(drawn, integer=integer), row=i, col=1)
        if g is not None:
            fig.add_vline(
                x=_half(g[0], -1),
                line=dict(color=NEUTRAL_COLOUR, dash="dot", width=1.5),
                row=i,
                col=1,
            )
    fig.update_xaxes(time_axis(c))
    if n == 1 and panels:
        fig.update_yaxes(title_text=panels[0][0], row=1, col=1)
    fig.update_layout(
        title=title,
        bargap=0.15,
        **_layout(height=max(360, 110 + 190 * n)),
    )
    return with_caption(fig, caption + _gap_caption(c))


# ---------------------------------------------------------------------------- over time
def daily_exposure(
    c: Campaign,
    account_daily: pd.DataFrame | None,
    posts_campaign: pd.DataFrame,
    posts_baseline: pd.DataFrame,
) -> go.Figure:
    """Daily impressions and engagements over the two windows, one panel each.

    Parameters
    ----------
    c : Campaign
    account_daily : DataFrame or None
        The platform's daily account export (columns date, impressions, engagements); when
        absent or empty, the impressions of posts created each day are drawn instead.
    posts_campaign, posts_baseline : DataFrame
        Posts per local day (columns date, impressions) of each window.

    Returns
    -------
    Figure
        One panel per measure, each on its own scale, coloured by window.
    """
    if account_daily is not None and len(account_daily):
        d = account_daily
        panels = [("Account impressions per day", d.rename(columns={"impressions": "value"}))]
        if "engagements" in d and d["engagements"].notna().any():
            panels.append(
                ("Account engagements per day", d.rename(columns={"engagements": "value"}))
            )
        return _window_panels(
            c,
            panels,
            title="Daily account exposure (the platform's own daily export)",
            caption=(
                f"How to read this: each panel is one measure per day on its own scale; "
                f"{_windows_caption(c)}; gaps in a line are days the export does not cover."
            ),
        )
    p = pd.concat([posts_baseline, posts_campaign])
    return _window_panels(
        c,
        [("Impressions of posts created that day", p.rename(columns={"impressions": "value"}))],
        title="Daily impressions of the posts created each day",
        caption=(
            f"How to read this: each point is the impressions, to date, of the posts created "
            f"that day; {_windows_caption(c)}."
        ),
    )


def posts_per_day(
    c: Campaign, posts_campaign: pd.DataFrame, posts_baseline: pd.DataFrame
) -> go.Figure:
    """Posts per local day (zero-filled) over the two windows, bars coloured by window."""
    p = pd.concat([posts_baseline, posts_campaign])
    return _window_panels(
        c,
        [("Posts", p.rename(columns={"posts": "value"}))],
        title=f"Posts per day ({c.timezone} time)",
        caption=(
            f"How to read this: each bar is one day's posts, counted in {c.timezone} time; "
            f"{_windows_caption(c)}."
        ),
        bars=True,
    )


def index_series(c: Campaign, index: pd.DataFrame) -> go.Figure:
    """Search-interest indices over the two windows, one panel per term (own scale).

    '<1' periods are drawn at ``BELOW_ONE_AS`` (the registry's rule); only the periods that
    start inside a window are drawn, as the section compares them.
    """
    panels = []
    groups = list(index.groupby(["source", "term", "geo", "import_id"], dropna=False))
    seen: dict[tuple, int] = {}
    for (src, term, geo, _imp), _g in groups:
        seen[(src, term, geo)] = seen.get((src, term, geo), 0) + 1
    for (src, term, geo, imp), g in groups:
        g = g.sort_values("date")
        y = g["value"].where(~g["below_one"].fillna(False).astype(bool), BELOW_ONE_AS)
        name = f"“{_esc(term)}”" + (f" ({_esc(geo)})" if pd.notna(geo) and geo != "" else "")
        if seen[(src, term, geo)] > 1:
            name += f", import {imp}"
        where = _esc(_SOURCE_NAMES.get(str(src), str(src).replace("_", " ")))
        panels.append((f"{name} · {where}", pd.DataFrame({"date": g["date"], "value": y})))
    daily = all(str(p) == "day" for p in index.get("period", pd.Series(["day"])))
    return _window_panels(
        c,
        panels,
        title="Search interest in each window",
        caption=(
            f"How to read this: one panel per search term, each on its own scale (100 = the "
            f"term's busiest {'day' if daily else 'period'} in that export, '<1' drawn at "
            f"{BELOW_ONE_AS:g}); {_windows_caption(c)}."
        ),
        daily=daily,
        integer=False,
    )


#: Index sources as readers know them (the ``source`` column of ``index_series``).
_SOURCE_NAMES = {
    "google_trends": "Google Trends",
    "baidu_index": "Baidu Index",
    "wechat_index": "WeChat Index",
    "naver_datalab": "Naver DataLab",
}


def outcomes(c: Campaign, daily: pd.DataFrame) -> go.Figure:
    """Daily outcomes (orders, registrations, ...) over the two windows, one panel each."""
    panels = [
        (f"{_esc(str(m).replace('_', ' ').capitalize())} per day", g[["date", "value"]])
        for m, g in daily.groupby("metric", sort=True)
    ]
    integer = bool(len(daily)) and bool((daily["value"].dropna() % 1 == 0).all())
    return _window_panels(
        c,
        panels,
        title="Outcomes per day",
        caption=(
            f"How to read this: one panel per outcome, each on its own scale; "
            f"{_windows_caption(c)}; a gap in a line is a day with no figure."
        ),
        integer=integer,
    )


# ---------------------------------------------------------------------------- before / after
def _pct_words(x: float) -> str:
    p = x * 100
    return f"{p:+,.0f}%" if abs(p) >= 10 else f"{p:+.1f}%"


def _num(x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return "—"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.1f}"


BEFORE_AFTER_CAPTION = (
    "How to read this: one panel per measure, each on its own scale; the bar is the change in "
    "the daily average over the baseline (0%), the whisker its 95% interval."
)


def before_after(
    rows: list[dict],
    *,
    title: str = "Before/after: change in the daily average, with 95% intervals",
    caption: str = BEFORE_AFTER_CAPTION,
    interval: str = "95% interval",
) -> go.Figure:
    """One small panel per measure: the lift with its interval, each on its own scale.

    Parameters
    ----------
    rows : list of dict
        One per measure: ``label`` (str), ``lift`` (ratio, or None), ``ci95`` ([low, high]
        ratios, or None), and optionally ``baseline_mean`` and ``campaign_mean`` (written
        under the bar), ``unit`` (words after the means, default "a day"), ``reason`` (why
        the lift is missing), ``path`` and ``metric`` (the figure's place in metrics.json and
        its registry id, kept in ``layout.meta["panels"]``).
    title, caption : str
    interval : str
        What the whiskers are, for the hover text.

    Returns
    -------
    Figure
        Panels in rows of at most four; each bar (campaign colour) rises from the baseline's
        0% line (baseline colour); whiskers run from ``ci95[0]`` to ``ci95[1]``.
    """
    n = max(len(rows), 1)
    cols = min(n, 4)
    nrows = math.ceil(n / cols)
    titles = []
    for r in rows:
        head = f"<b>{_esc(r['label'])}</b>"
        if r.get("lift") is not None:
            head += f"<br>{_pct_words(r['lift'])}"
            if r.get("ci95"):
                lo, hi = r["ci95"]
                head += f" ({_pct_words(lo)} to {_pct_words(hi)})"
        else:
            head += "<br>change in % not computable"
        titles.append(head)
    fig = make_subplots(
        rows=nrows,
        cols=cols,
        subplot_titles=titles or None,
        horizontal_spacing=0.1 if cols > 1 else 0.0,
        vertical_spacing=0.3 / nrows if nrows > 1 else 0.0,
    )
    panels = []
    for k, r in enumerate(rows):
        row, col = k // cols + 1, k % cols + 1
        lift, ci = r.get("lift"), r.get("ci95")
        unit = r.get("unit", "a day")
        b, cm = r.get("baseline_mean"), r.get("campaign_mean")
        xlab = f"{_num(b)} → {_num(cm)} {unit}" if b is not None or cm is not None else " "
        panels.append({"path": r.get("path"), "metric": r.get("metric"), "label": r["label"]})
        if lift is None:
            fig.add_trace(
                go.Bar(x=[xlab], y=[None], showlegend=False, marker_color=CAMPAIGN_COLOUR),
                row=row,
                col=col,
            )
            fig.add_annotation(
                text=_esc(r.get("reason") or "no change figure"),
                xref="x domain" if k == 0 else f"x{k + 1} domain",
                yref="y domain" if k == 0 else f"y{k + 1} domain",
                x=0.5,
                y=0.5,
                showarrow=False,
                font=dict(color=NEUTRAL_COLOUR),
            )
            fig.update_yaxes(
                value_axis([0], percent=True),
                showticklabels=False,
                showgrid=False,
                zeroline=False,
                row=row,
                col=col,
            )
            continue
        err = None
        if ci:
            err = dict(
                type="data",
                array=[ci[1] - lift],
                arrayminus=[lift - ci[0]],
                color=OKABE_ITO["black"],
                thickness=2,
                width=10,
                visible=True,
            )
        hover = f"{_pct_words(lift)}"
        if ci:
            hover += f"<br>{interval}: {_pct_words(ci[0])} to {_pct_words(ci[1])}"
        fig.add_trace(
            go.Bar(
                x=[xlab],
                y=[lift],
                width=[0.5],
                marker_color=CAMPAIGN_COLOUR,
                error_y=err,
                showlegend=False,
                name=_esc(r["label"]),
                hovertemplate=hover + "<extra></extra>",
                cliponaxis=False,
            ),
            row=row,
            col=col,
        )
        fig.add_hline(y=0, line=dict(color=BASELINE_COLOUR, width=2), row=row, col=col)
        fig.update_yaxes(value_axis([lift, *(ci or [])], percent=True), row=row, col=col)
    fig.update_layout(
        title=title,
        **_layout(
            height=150 + 290 * nrows,
            margin=dict(l=60, r=20, t=100, b=50),
            showlegend=False,
        ),
    )
    fig.update_annotations(font_size=13)
    fig.layout.meta = {"panels": panels}
    return with_caption(fig, caption)


def _metric_at(res, path: str, default: str) -> str:
    """The registry id of the figure the section reports at ``path``."""
    for f in res.figures:
        if f.path == path:
            return f.metric
    return default


def _means_row(label: str, path: str, metric: str, d: dict) -> dict:
    return {
        "label": label,
        "lift": d.get("lift"),
        "ci95": d.get("ci95"),
        "baseline_mean": d.get("baseline_daily_mean"),
        "campaign_mean": d.get("campaign_daily_mean"),
        "reason": (d.get("reasons") or {}).get("lift"),
        "path": path,
        "metric": metric,
    }


# ---------------------------------------------------------------------------- other charts
def seeding_gains(plan: pd.DataFrame) -> go.Figure:
    """Marginal and cumulative expected gain of each seed, in selection order (two panels)."""
    labels = [f"{r}. {_esc(s)}" for r, s in zip(plan["rank"], plan["seed"], strict=True)]
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12,
        subplot_titles=["Accounts each seed adds", "Accounts reached so far"],
    )
    fig.add_trace(
        go.Bar(
            x=labels,
            y=plan["marginal_gain"],
            name="accounts this seed adds",
            marker_color=SERIES_COLOURS[0],
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=plan["cumulative_gain"],
            name="accounts reached so far",
            mode="lines+markers",
            line=dict(color=SERIES_COLOURS[1], width=2),
            cliponaxis=False,
        ),
        row=2,
        col=1,
    )
    fig.update_yaxes(value_axis(plan["marginal_gain"]), row=1, col=1)
    fig.update_yaxes(value_axis(plan["cumulative_gain"]), row=2, col=1)
    fig.update_layout(
        title="Seeding plan: expected accounts reached, seed by seed",
        **_layout(height=520, showlegend=False),
    )
    return with_caption(
        fig,
        "How to read this: the top bars are how many more accounts each seed is expected to "
        "reach on top of the seeds before it; the line below adds them up.",
    )


def cascade_sunburst(nodes: pd.DataFrame, max_depth: int = 6, max_children: int = 12) -> go.Figure:
    """The largest cascade as a sunburst: each ring a hop from the root, each wedge a post
    sized by the posts that came through it.

    Only what a reader can see is embedded, so the page stays light at any size: rings down
    to ``max_depth`` hops, and under each post its ``max_children`` largest reposts, the rest
    folded into one "others" wedge of the same total.
    """
    n = nodes[nodes["depth"] <= max_depth].copy()
    n["parent_id"] = n["parent_id"].where(n["parent_id"].notna(), "")
    n = n.sort_values(["depth", "subtree_size", "post_id"], ascending=[True, False, True])
    n["_rank"] = n.groupby("parent_id", sort=False).cumcount()
    shown = n[(n["depth"] == 0) | (n["_rank"] < max_children)]
    kept = set(shown["post_id"])
    shown = shown[(shown["parent_id"] == "") | shown["parent_id"].isin(kept)]
    folded = n[(n["depth"] > 0) & (n["_rank"] >= max_children) & n["parent_id"].isin(kept)]
    others = (
        folded.groupby("parent_id", sort=False)
        .agg(subtree_size=("subtree_size", "sum"), count=("post_id", "size"))
        .reset_index()
    )
    ids = list(shown["post_id"].astype(str)) + [f"{p}/others" for p in others["parent_id"]]
    parents = list(shown["parent_id"].astype(str)) + list(others["parent_id"].astype(str))
    labels = [_esc(a) for a in shown["account_id"].fillna("?").astype(str)] + [
        f"{c} more" for c in others["count"]
    ]
    values = list(shown["subtree_size"]) + list(others["subtree_size"])
    fig = go.Figure(
        go.Sunburst(
            ids=ids,
            parents=parents,
            labels=labels,
            values=values,
            branchvalues="total",
            hovertemplate="%{label}<br>%{value} posts came through here<extra></extra>",
        )
    )
    fig.update_layout(
        title=f"Largest cascade: who reposted whom (first {max_depth} hops, "
        f"{max_children} largest reposts under each post)",
        sunburstcolorway=list(SERIES_COLOURS[:6]),  # not the window colours
        extendsunburstcolors=False,
        **_layout(height=520),
    )
    return with_caption(
        fig,
        "How to read this: the centre is the first post; each ring outward is one more hop of "
        "reposting, and a wedge's size is the number of posts that came through that account.",
    )


def cascade_breadth(
    breadth: pd.DataFrame, roots: list[str], names: dict[str, str] | None = None
) -> go.Figure:
    """Posts per hop from the root for the largest cascades.

    Parameters
    ----------
    breadth : DataFrame
        Columns root_id, level (hops from the root), breadth (posts at that level).
    roots : list of str
        The cascades to draw, largest first.
    names : dict, optional
        root_id -> the name a reader sees in the legend (default: the root id).
    """
    names = names or {}
    fig = go.Figure()
    ys: list[float] = []
    for k, r in enumerate(roots):
        b = breadth[breadth["root_id"] == r]
        ys += list(b["breadth"])
        fig.add_trace(
            go.Scatter(
                x=b["level"],
                y=b["breadth"],
                mode="lines+markers",
                name=_esc(names.get(r, r)),
                hovertemplate=f"{_esc(r)}<br>%{{x}} hops: %{{y:,}} posts<extra></extra>",
                line=dict(color=SERIES_COLOURS[k % len(SERIES_COLOURS)], width=2),
                cliponaxis=False,
            )
        )
    fig.update_xaxes(title_text="hops from the first post", tickmode="linear", tick0=0, dtick=1)
    fig.update_yaxes(title_text="posts", **value_axis(ys, integer=True))
    fig.update_layout(title="Breadth per level of the largest cascades", **_layout())
    return with_caption(
        fig,
        "How to read this: each line is one of the largest cascades; the higher a point, the "
        "more posts sat that many reposts away from the first post.",
    )


def cascade_growth(growth: pd.DataFrame, names: dict[str, str] | None = None) -> go.Figure:
    """Posts so far against hours after the root post, for the largest cascades.

    Parameters
    ----------
    growth : DataFrame
        Columns root_id, seconds (after the root post), size (posts so far).
    names : dict, optional
        root_id -> the name a reader sees in the legend (default: the root id).
    """
    names = names or {}
    fig = go.Figure()
    ys: list[float] = []
    hours: list[float] = []
    for k, (r, g) in enumerate(growth.groupby("root_id", sort=False)):
        ys += list(g["size"])
        hours += list(g["seconds"] / 3600)
        fig.add_trace(
            go.Scatter(
                x=g["seconds"] / 3600,
                y=g["size"],
                mode="lines",
                name=_esc(names.get(r, r)),
                line=dict(color=SERIES_COLOURS[k % len(SERIES_COLOURS)], width=2),
                hovertemplate=f"{_esc(r)}<br>after %{{x:,.1f}} h: %{{y:,}} posts<extra></extra>",
            )
        )
    fig.update_xaxes(title_text="hours after the first post", **value_axis(hours, headroom=0.03))
    fig.update_yaxes(title_text="posts so far", **value_axis(ys, integer=True))
    fig.update_layout(title="How fast the largest cascades grew", **_layout())
    return with_caption(
        fig,
        "How to read this: each line is one cascade; it climbs as reposts arrive, and flattens "
        "when the cascade stops growing.",
    )


def cascade_depths(depths: pd.DataFrame) -> go.Figure:
    """Cascades per depth (hops of the longest repost chain)."""
    fig = go.Figure(go.Bar(x=depths["depth"], y=depths["cascades"], marker_color=SERIES_COLOURS[0]))
    fig.update_xaxes(title_text="depth (hops)", tickmode="linear", tick0=0, dtick=1)
    fig.update_yaxes(title_text="cascades", **value_axis(depths["cascades"], integer=True))
    fig.update_layout(title="How deep the cascades went", **_layout())
    return with_caption(
        fig,
        "How to read this: each bar counts the cascades whose longest chain of reposts was that "
        "many hops; most stop at one hop (direct reposts of the first post).",
    )


# ---------------------------------------------------------------- charts per section
#: Section id -> function(evaluation, section result) -> list of (div id, Figure).
SECTION_CHARTS: dict = {}


def section_charts(section_id: str):
    """Decorator: register the chart builder of a section (outside sections may too)."""

    def deco(fn):
        SECTION_CHARTS[section_id] = fn
        return fn

    return deco


def charts_for(evaluation, section_id: str) -> list[tuple[str, go.Figure]]:
    """The charts of one section (none when the section registered no builder)."""
    fn = SECTION_CHARTS.get(section_id)
    return fn(evaluation, evaluation[section_id]) if fn else []


@section_charts("exposure")
def _exposure_charts(ev, res) -> list:
    c = ev.campaign
    ppd, bppd = res.frames["posts_per_day"], res.frames["baseline_posts_per_day"]
    if not (ppd.posts.sum() + bppd.posts.sum()):
        return []
    out = []
    daily = ev.frame("account_daily")
    if daily is None or not len(daily):
        out.append(("daily-exposure", daily_exposure(c, None, ppd, bppd)))
    out.append(("posts-per-day", posts_per_day(c, ppd, bppd)))
    return out


_DAILY_LABELS = {
    "impressions": "Account impressions per day",
    "engagements": "Account engagements per day",
}


@section_charts("daily_exposure")
def _daily_charts(ev, res) -> list:
    c = ev.campaign
    exp = ev.results.get("exposure")
    ppd = exp.frames["posts_per_day"] if exp else pd.DataFrame()
    bppd = exp.frames["baseline_posts_per_day"] if exp else pd.DataFrame()
    d = res.data["quantitative.daily_exposure"]
    rows = [
        _means_row(
            _DAILY_LABELS.get(k, f"Account {k} per day"),
            f"quantitative.daily_exposure.{k}",
            _metric_at(res, f"quantitative.daily_exposure.{k}.lift", "lift"),
            v,
        )
        for k, v in d.items()
    ]
    return [("daily-exposure", daily_exposure(c, res.frames["account_daily"], ppd, bppd))] + (
        [("daily-before-after", before_after(rows))] if rows else []
    )


@section_charts("outcomes")
def _outcome_charts(ev, res) -> list:
    conv = res.data["quantitative.conversion"]
    rows = [
        _means_row(
            f"{str(k).replace('_', ' ').capitalize()} per day",
            f"quantitative.conversion.{k}",
            _metric_at(res, f"quantitative.conversion.{k}.lift", "conversion_lift"),
            v,
        )
        for k, v in conv.items()
    ]
    return [
        ("before-after", before_after(rows)),
        ("outcomes", outcomes(ev.campaign, res.frames["outcomes"])),
    ]


INDEX_BEFORE_AFTER_CAPTION = (
    "How to read this: one panel per search term, each on its own scale; the bar is the change "
    "in average interest over the baseline (0%), the whisker its range with '<1' as 0 or 1."
)


@section_charts("indices")
def _index_charts(ev, res) -> list:
    rows = []
    for src, terms in res.data["quantitative.third_party"].items():
        for k, v in terms.items():
            bounds = v.get("lift_bounds")
            if bounds and bounds[0] == bounds[1]:
                bounds = None  # no '<1' period: nothing to bound
            rows.append(
                {
                    "label": f"“{v['term']}” ({v['geo']})",
                    "lift": v.get("lift"),
                    "ci95": bounds,
                    "baseline_mean": v.get("baseline_mean"),
                    "campaign_mean": v.get("campaign_mean"),
                    "unit": "mean index",
                    "reason": (v.get("reasons") or {}).get("lift"),
                    "path": f"quantitative.third_party.{src}.{k}",
                    "metric": _metric_at(
                        res, f"quantitative.third_party.{src}.{k}.lift", "index_lift"
                    ),
                }
            )
    out = []
    if rows:
        out.append(
            (
                "index-before-after",
                before_after(
                    rows,
                    title="Search interest: change in the average, baseline to campaign",
                    caption=INDEX_BEFORE_AFTER_CAPTION,
                    interval="with '<1' as 0 or as 1",
                ),
            )
        )
    out.append(("index-series", index_series(ev.campaign, res.frames["index"])))
    return out


@section_charts("seeding")
def _seeding_charts(ev, res) -> list:
    plan = res.frames.get("plan")
    return [("seeding", seeding_gains(plan))] if plan is not None and len(plan) else []


@section_charts("propagation")
def _propagation_charts(ev, res) -> list:
    top = res.data["propagation"]["top"][:5]
    roots = [c["root_id"] for c in top]
    names = {
        c["root_id"]: f"{'largest' if i == 0 else f'no. {i + 1}'}: {c['size']:,} posts"
        for i, c in enumerate(top)
    }
    out = [("cascade-sunburst", cascade_sunburst(res.frames["largest_cascade"]))]
    b = res.frames["breadth"]
    if len(b):
        out.append(("cascade-breadth", cascade_breadth(b, roots, names)))
    gr = res.frames.get("growth")
    if gr is not None and len(gr) and gr["seconds"].notna().any():
        out.append(("cascade-growth", cascade_growth(gr, names)))
    out.append(("cascade-depths", cascade_depths(res.frames["depths"])))
    return out


@section_charts("ads")
def _ads_breakdown_charts(ev, res) -> list:
    """Paid media by breakdown value (age, gender, device, placement, ...): spend, link
    click-through rate and cost per link click, one small panel each on its own scale."""
    d = ev.metrics()["quantitative"]["cpc"]
    cur = _esc(d["currency"])
    out = []
    for i, b in enumerate(d["breakdowns"]):
        f = res.frames.get(f"breakdown_{i}")
        if f is None or not len(f):
            continue
        labels = [_esc(v) for v in f["label"]]
        name = _esc(b["label"]).lower()
        panels = (
            ("spend", f"Spend ({cur})", ",.2f", " " + cur, False),
            ("ctr", "Link click-through rate (CTR)", ".2%", "", True),
            ("cpc", f"Cost per link click ({cur})", ",.2f", " " + cur, False),
        )
        fig = make_subplots(
            rows=1,
            cols=3,
            shared_yaxes=True,
            horizontal_spacing=0.05,
            subplot_titles=[title for _, title, *_ in panels],
        )
        for k, (col, _title, fmt, unit, pct) in enumerate(panels, start=1):
            values = [None if pd.isna(v) else float(v) for v in f[col]]
            fig.add_trace(
                go.Bar(
                    y=labels,
                    x=values,
                    orientation="h",
                    marker_color=SERIES_COLOURS[0],
                    hovertemplate=f"%{{y}}: %{{x:{fmt}}}{unit}<extra></extra>",
                ),
                row=1,
                col=k,
            )
            axis = value_axis(values)
            if pct:
                axis["tickformat"] = f",.{_percent_decimals(axis['dtick'])}%"
            fig.update_xaxes(**axis, row=1, col=k)
        fig.update_yaxes(autorange="reversed", type="category")
        fig.update_layout(
            **_layout(
                title=f"Paid media by {name}",
                showlegend=False,
                height=max(240, 110 + 30 * len(labels)),
                margin=dict(l=110, r=20, t=80, b=40),
            )
        )
        out.append(
            (
                f"ads-breakdown-{i}",
                with_caption(
                    fig,
                    f"How to read this: one bar per {name}, each panel on its own scale; "
                    "where a bar is long in "
                    "the spend panel but short in the cost-per-click panel, the money bought "
                    "clicks cheaply.",
                ),
            )
        )
    return out


@section_charts("opinion")
def _opinion_charts(ev, res) -> list:
    """Mentions per local day of the campaign by sentiment (stacked), spam left out."""
    d = res.frames.get("sentiment_daily")
    if d is None or not len(d) or not int(d[["positive", "neutral", "negative"]].sum().sum()):
        return []
    fig = go.Figure()
    for col, colour in (
        ("negative", OKABE_ITO["vermillion"]),
        ("neutral", NEUTRAL_COLOUR),
        ("positive", OKABE_ITO["bluish_green"]),
    ):
        fig.add_trace(
            go.Bar(
                x=[str(x) for x in d["day"]],
                y=d[col],
                name=col,
                marker_color=colour,
                hovertemplate=f"%{{x|{DATE_HOVERFORMAT}}}: %{{y:,}} {col}<extra></extra>",
            )
        )
    totals = d[["positive", "neutral", "negative"]].sum(axis=1)
    fig.update_xaxes(type="date", tickformat=DATE_TICKFORMAT)
    fig.update_yaxes(title_text="mentions", **value_axis(totals, integer=True))
    fig.update_layout(barmode="stack", title="Mentions per day by sentiment", **_layout())
    return [
        (
            "opinion-over-time",
            with_caption(
                fig,
                "How to read this: each bar is one day of the campaign in its own time zone, "
                "split into negative (bottom), neutral and positive mentions; spam is left out.",
            ),
        )
    ]


# ---------------------------------------------------------------- listening
def _local_naive(iso: str, timezone: str) -> pd.Timestamp:
    t = pd.Timestamp(iso)
    return (t.tz_convert(timezone) if t.tzinfo is not None else t).tz_localize(None)


def listening_volume(listening: dict) -> go.Figure:
    """Mentions per day per topic, with each alert's window marked.

    Parameters
    ----------
    listening : dict
        The listening section's ``listening`` block of metrics.json: ``timezone``,
        ``topic_order`` and, per topic, ``name``, ``volume.day`` (``[day, mentions]`` pairs,
        every local day of the window) and ``alerts`` (``start``, ``end``, ``peak_at``, ISO
        8601 with offset; ``rule``).

    Returns
    -------
    plotly.graph_objects.Figure
        One line per topic (:data:`SERIES_COLOURS`, never a window colour); each alert is a
        dotted outline from its start to its end in the topic's colour, and a triangle at
        the day of its peak, at that day's mentions. Days are local days in ``timezone``,
        each drawn at its noon so that an alert's hours frame the day they fall in.
    """
    tz = listening.get("timezone") or "UTC"
    topics = listening.get("topics") or {}
    order = listening.get("topic_order") or list(topics)
    colours = SERIES_COLOURS[:6]
    fig = go.Figure()
    values: list[float] = []
    first = last = None
    for i, tid in enumerate(order):
        t = topics[tid]
        colour = colours[i % len(colours)]
        days_ = [d for d, _ in t["volume"]["day"]]
        noons = [f"{d} 12:00" for d in days_]  # a day's point at its middle, under its hours
        counts = [n for _, n in t["volume"]["day"]]
        values += counts
        if days_:
            first = min(first or days_[0], days_[0])
            last = max(last or days_[-1], days_[-1])
        name = _esc(t.get("name", tid))
        fig.add_trace(
            go.Scatter(
                x=noons,
                y=counts,
                mode="lines",
                name=name,
                legendgroup=f"topic-{tid}",
                line=dict(color=colour, width=2),
                hovertemplate="%{x|"
                + DATE_HOVERFORMAT
                + "}: %{y:,} mentions<extra>"
                + name
                + "</extra>",
            )
        )
        by_day = dict(zip(days_, counts, strict=True))
        px, py, ptext = [], [], []
        for a in t.get("alerts") or []:
            s = _local_naive(a["start"], tz)
            e = _local_naive(a["end"], tz) + pd.Timedelta(hours=1)
            fig.add_vrect(
                x0=s.isoformat(),
                x1=e.isoformat(),
                line=dict(color=colour, width=1, dash="dot"),
                layer="below",
            )
            peak = _local_naive(a.get("peak_at") or a["start"], tz).date().isoformat()
            px.append(f"{peak} 12:00")
            py.append(by_day.get(peak, 0))
            ptext.append(f"{_esc(a['rule'])} alert, {s:%-d %b %H:%M} to {e:%-d %b %H:%M}")
        if px:
            fig.add_trace(
                go.Scatter(
                    x=px,
                    y=py,
                    mode="markers",
                    name=f"alert: {name}",
                    legendgroup=f"topic-{tid}",
                    marker=dict(color=colour, symbol="triangle-up", size=11),
                    text=ptext,
                    hovertemplate="%{text}<extra>" + name + "</extra>",
                )
            )
    span = (pd.Timestamp(last) - pd.Timestamp(first)).days if first else 0
    pad = pd.Timedelta(days=max(1, span // 50))
    xr = [(pd.Timestamp(first) - pad).isoformat(), (pd.Timestamp(last) + pad).isoformat()]
    fig.update_layout(
        **_layout(title=f"Mentions per day by topic ({_esc(tz)} days), alert windows marked")
    )
    fig.update_xaxes(
        type="date",
        range=xr if first else None,
        tickformat=DATE_TICKFORMAT if span <= 300 else "%b %Y",
        hoverformat=DATE_HOVERFORMAT,
    )
    fig.update_yaxes(title="mentions per day", **value_axis(values, integer=True))
    return with_caption(
        fig,
        f"How to read this: each line is one topic's mentions per day ({tz} days); a dotted "
        "frame in the topic's colour spans an alert, from the hour it started to the hour it "
        "ended, and the triangle sits on the day it peaked (the section's alert tables say why).",
    )


@section_charts("listening")
def _listening_charts(ev, res) -> list:
    L = res.data.get("listening") or {}
    if not L.get("topics") or not any(
        n for t in L["topics"].values() for _, n in t["volume"]["day"]
    ):
        return []
    return [("listening-volume", listening_volume(L))]
