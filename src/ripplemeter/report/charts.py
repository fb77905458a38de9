"""Plotly figures for the report. Each function takes result DataFrames, returns a Figure.

No untrusted text (post texts) is ever put into a chart.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from ripplemeter.campaign import Campaign
from ripplemeter.evaluate.metrics import BELOW_ONE_AS

_LAYOUT = dict(
    template="plotly_white",
    height=360,
    margin=dict(l=50, r=20, t=50, b=40),
    legend=dict(orientation="h", y=-0.2),
)
CAMPAIGN_FILL = "rgba(255, 159, 64, 0.18)"
BASELINE_FILL = "rgba(99, 132, 255, 0.10)"


def _shade(fig: go.Figure, c: Campaign) -> None:
    fig.add_vrect(
        x0=c.start,
        x1=c.end + dt.timedelta(days=1),
        fillcolor=CAMPAIGN_FILL,
        line_width=0,
        annotation_text="campaign",
        annotation_position="top left",
    )
    fig.add_vrect(
        x0=c.baseline_start,
        x1=c.baseline_end + dt.timedelta(days=1),
        fillcolor=BASELINE_FILL,
        line_width=0,
        annotation_text="baseline",
        annotation_position="top left",
    )


def daily_exposure(
    c: Campaign,
    account_daily: pd.DataFrame,
    posts_campaign: pd.DataFrame,
    posts_baseline: pd.DataFrame,
) -> go.Figure:
    """Daily impressions (account-level when exported, else of posts created that day)."""
    fig = go.Figure()
    if account_daily is not None and len(account_daily):
        d = account_daily.copy()
        d["date"] = pd.to_datetime(d["date"])
        # a row for every day, so that the line breaks where no export covers a day
        full = pd.DataFrame({"date": pd.date_range(d["date"].min(), d["date"].max(), freq="D")})
        d = full.merge(d, on="date", how="left")
        fig.add_trace(
            go.Scatter(
                x=pd.to_datetime(d["date"]),
                y=d["impressions"],
                mode="lines+markers",
                name="account impressions (daily export)",
            )
        )
        if "engagements" in d:
            fig.add_trace(
                go.Scatter(
                    x=pd.to_datetime(d["date"]),
                    y=d["engagements"],
                    mode="lines",
                    name="account engagements",
                    yaxis="y2",
                )
            )
            fig.update_layout(yaxis2=dict(overlaying="y", side="right", title="engagements"))
        title = "Daily account exposure (platform's own daily export)"
    else:
        p = pd.concat([posts_baseline, posts_campaign]).sort_values("date")
        fig.add_trace(
            go.Scatter(
                x=pd.to_datetime(p["date"]),
                y=p["impressions"],
                mode="lines+markers",
                name="impressions of posts created",
            )
        )
        title = "Daily impressions of posts created that day"
    _shade(fig, c)
    fig.update_layout(title=title, yaxis_title="impressions", **_LAYOUT)
    return fig


def posts_per_day(
    c: Campaign, posts_campaign: pd.DataFrame, posts_baseline: pd.DataFrame
) -> go.Figure:
    """Posts per day (zero-filled) over baseline and campaign windows."""
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=pd.to_datetime(posts_baseline["date"]),
            y=posts_baseline["posts"],
            name="baseline",
            marker_color="#6384ff",
        )
    )
    fig.add_trace(
        go.Bar(
            x=pd.to_datetime(posts_campaign["date"]),
            y=posts_campaign["posts"],
            name="campaign",
            marker_color="#ff9f40",
        )
    )
    fig.update_layout(
        title="Posts per day (campaign time zone, zero-filled)", yaxis_title="posts", **_LAYOUT
    )
    return fig


def before_after(rows: list[dict]) -> go.Figure:
    """Relative lift of each series with its 95% interval (error bars).

    Parameters
    ----------
    rows : list of dict
        label, lift, ci95 ([low, high] or None).
    """
    labels = [r["label"] for r in rows]
    lifts = [r["lift"] * 100 if r["lift"] is not None else None for r in rows]
    up = [
        ((r["ci95"][1] - r["lift"]) * 100) if r.get("ci95") and r["lift"] is not None else 0
        for r in rows
    ]
    down = [
        ((r["lift"] - r["ci95"][0]) * 100) if r.get("ci95") and r["lift"] is not None else 0
        for r in rows
    ]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=lifts,
            marker_color="#2a9d8f",
            error_y=dict(type="data", array=up, arrayminus=down, visible=True),
        )
    )
    fig.add_hline(y=0, line_color="#555")
    fig.update_layout(
        title="Before/after: lift of daily means with 95% intervals",
        yaxis_title="lift (%)",
        **_LAYOUT,
    )
    return fig


def index_series(c: Campaign, index: pd.DataFrame) -> go.Figure:
    """Third-party index series with '<1' plotted at ``BELOW_ONE_AS`` and windows shaded."""
    fig = go.Figure()
    for (src, term, geo, _imp), g in index.groupby(
        ["source", "term", "geo", "import_id"], dropna=False
    ):
        g = g.sort_values("date")
        y = g["value"].where(~g["below_one"].fillna(False).astype(bool), BELOW_ONE_AS)
        fig.add_trace(
            go.Scatter(
                x=pd.to_datetime(g["date"]), y=y, mode="lines", name=f"{term} ({geo}) [{src}]"
            )
        )
    lo = min(c.baseline_start, c.start) - dt.timedelta(days=14)
    hi = max(c.end, c.baseline_end) + dt.timedelta(days=14)
    _shade(fig, c)
    fig.update_layout(
        title=f"Third-party indices ('<1' drawn at {BELOW_ONE_AS:g})",
        yaxis_title="index",
        xaxis=dict(range=[lo, hi]),
        **_LAYOUT,
    )
    return fig


def outcomes(c: Campaign, daily: pd.DataFrame) -> go.Figure:
    """Daily outcome series with windows shaded."""
    fig = go.Figure()
    for metric, g in daily.groupby("metric"):
        fig.add_trace(
            go.Scatter(
                x=pd.to_datetime(g["date"]), y=g["value"], mode="lines+markers", name=str(metric)
            )
        )
    _shade(fig, c)
    fig.update_layout(title="Outcomes per day", yaxis_title="value", **_LAYOUT)
    return fig


def seeding_gains(plan: pd.DataFrame) -> go.Figure:
    """Marginal and cumulative expected gain of each seed, in selection order."""
    labels = [f"{r}. {s}" for r, s in zip(plan["rank"], plan["seed"], strict=True)]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(x=labels, y=plan["marginal_gain"], name="marginal gain", marker_color="#2a9d8f")
    )
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=plan["cumulative_gain"],
            name="cumulative",
            mode="lines+markers",
            yaxis="y2",
            line=dict(color="#e76f51"),
        )
    )
    fig.update_layout(
        title="Seeding plan: expected accounts reached, seed by seed",
        yaxis_title="marginal gain (accounts)",
        yaxis2=dict(overlaying="y", side="right", title="cumulative", rangemode="tozero"),
        **_LAYOUT,
    )
    return fig


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


@section_charts("daily_exposure")
def _daily_charts(ev, res) -> list:
    c = ev.campaign
    exp = ev.results.get("exposure")
    ppd = exp.frames["posts_per_day"] if exp else pd.DataFrame()
    bppd = exp.frames["baseline_posts_per_day"] if exp else pd.DataFrame()
    d = ev.metrics()["quantitative"]["daily_exposure"]
    rows = [{"label": f"account {k}", "lift": v["lift"], "ci95": v["ci95"]} for k, v in d.items()]
    return [("daily-exposure", daily_exposure(c, res.frames["account_daily"], ppd, bppd))] + (
        [("daily-before-after", before_after(rows))] if rows else []
    )


@section_charts("outcomes")
def _outcome_charts(ev, res) -> list:
    conv = ev.metrics()["quantitative"]["conversion"]
    rows = [{"label": k, "lift": v["lift"], "ci95": v["ci95"]} for k, v in conv.items()]
    return [
        ("before-after", before_after(rows)),
        ("outcomes", outcomes(ev.campaign, res.frames["outcomes"])),
    ]


@section_charts("indices")
def _index_charts(ev, res) -> list:
    return [("index-series", index_series(ev.campaign, res.frames["index"]))]


@section_charts("seeding")
def _seeding_charts(ev, res) -> list:
    plan = res.frames.get("plan")
    return [("seeding", seeding_gains(plan))] if plan is not None and len(plan) else []


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
    labels = list(shown["account_id"].fillna("?").astype(str)) + [
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
        **{**_LAYOUT, "height": 520},
    )
    return fig


def cascade_breadth(breadth: pd.DataFrame, roots: list[str]) -> go.Figure:
    """Posts per hop from the root for the largest cascades."""
    fig = go.Figure()
    for r in roots:
        b = breadth[breadth["root_id"] == r]
        fig.add_trace(go.Scatter(x=b["level"], y=b["breadth"], mode="lines+markers", name=str(r)))
    fig.update_layout(
        title="Breadth per level of the largest cascades",
        xaxis_title="hops from the root",
        yaxis_title="posts",
        **_LAYOUT,
    )
    return fig


@section_charts("propagation")
def _propagation_charts(ev, res) -> list:
    roots = [c["root_id"] for c in ev.metrics()["propagation"]["top"][:5]]
    out = [("cascade-sunburst", cascade_sunburst(res.frames["largest_cascade"]))]
    b = res.frames["breadth"]
    if len(b):
        out.append(("cascade-breadth", cascade_breadth(b, roots)))
    gr = res.frames.get("growth")
    if gr is not None and len(gr) and gr["seconds"].notna().any():
        fig = go.Figure()
        for r, g in gr.groupby("root_id", sort=False):
            fig.add_trace(go.Scatter(x=g["seconds"] / 3600, y=g["size"], mode="lines", name=str(r)))
        fig.update_layout(
            title="How fast the largest cascades grew",
            xaxis_title="hours after the root post",
            yaxis_title="posts so far",
            **_LAYOUT,
        )
        out.append(("cascade-growth", fig))
    d = res.frames["depths"]
    fig = go.Figure(go.Bar(x=d["depth"], y=d["cascades"], marker_color="#2a9d8f"))
    fig.update_layout(
        title="How deep the cascades went",
        xaxis_title="depth (hops)",
        yaxis_title="cascades",
        **_LAYOUT,
    )
    out.append(("cascade-depths", fig))
    return out
