"""The metric registry: every figure ripplemeter reports is defined here, once.

Each :class:`Metric` carries its formula, unit and source (a vendor's published definition or a
paper) and, where the figure is an aggregate over the latest post snapshots, the SQL expression
that computes it. The report, ``metrics.json`` (under ``definitions``) and the docs all read this
registry, so they cannot disagree.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Metric:
    """A metric definition.

    Attributes
    ----------
    id : str
        Stable identifier used in metrics.json.
    name : str
        Human name shown in the report.
    formula : str
        The formula in words/symbols.
    unit : str
        ``count``, ``ratio``, ``currency``, ``currency per click``, ``index``, ``days``...
    source : str
        Where the definition comes from (vendor definition, paper, or "ripplemeter decision").
    decision : str
        How edge cases are handled (nulls, windows, exclusions); shown in the report.
    sql : str or None
        Aggregate SQL over the latest-snapshot post table (``latest``), when applicable.
    """

    id: str
    name: str
    formula: str
    unit: str
    source: str
    decision: str = ""
    sql: str | None = None

    def definition(self) -> dict:
        """The public part of the definition (for metrics.json)."""
        d = asdict(self)
        d.pop("sql")
        d.pop("id")
        return d


REGISTRY: dict[str, Metric] = {}


def define(metric: Metric) -> Metric:
    """Add a metric to the registry (ids are unique)."""
    if metric.id in REGISTRY:
        raise ValueError(f"metric {metric.id} defined twice")
    REGISTRY[metric.id] = metric
    return metric


def get(metric_id: str) -> Metric:
    """The metric with this id (KeyError if none)."""
    return REGISTRY[metric_id]


@dataclass(frozen=True)
class Ratio:
    """A ratio that is null, with a reason, when it cannot be computed.

    Attributes
    ----------
    value : float or None
    reason : str or None
        Why ``value`` is None (e.g. "denominator is 0").
    """

    value: float | None
    reason: str | None = None


def all_metrics() -> dict[str, Metric]:
    """The whole registry, including the metrics that registered sections declare.

    Loads every registered section first (built-ins and ``ripplemeter.sections`` entry
    points), since registering a section adds the metrics it declares.
    """
    from ripplemeter.evaluate.section import available_sections

    available_sections()
    return dict(REGISTRY)


def registry_markdown() -> str:
    """The registry as a Markdown document (docs/metrics.md is generated from it).

    Metrics are listed by id, alphabetically: the registry's own order is the order in
    which modules happened to be imported, which differs between a CLI run and a test run.
    """
    all_metrics()
    lines = [
        "# Metrics",
        "",
        "Generated from `ripplemeter.evaluate.metrics` by `ripplemeter metrics --markdown`; "
        "the report and metrics.json carry the same definitions. Listed by id, alphabetically.",
        "",
    ]
    for m in sorted(REGISTRY.values(), key=lambda m: m.id):
        lines += [
            f"## {m.name} (`{m.id}`)",
            "",
            f"- **Formula**: {m.formula}",
            f"- **Unit**: {m.unit}",
            f"- **Source**: {m.source}",
        ]
        if m.decision:
            lines.append(f"- **Decision**: {m.decision}")
        lines.append("")
    return "\n".join(lines)


def ratio(num: float | None, den: float | None, *, what: str = "denominator") -> Ratio:
    """num / den, or a null with a reason: never inf, never a silent 0.

    Examples
    --------
    >>> ratio(1, 4).value
    0.25
    >>> ratio(1, 0).reason
    'denominator is 0'
    """
    if num is None or den is None or _isnan(num) or _isnan(den):
        return Ratio(None, f"{what} is missing" if den is None or _isnan(den) else "no data")
    if den == 0:
        return Ratio(None, f"{what} is 0")
    return Ratio(float(num) / float(den))


def _isnan(x: object) -> bool:
    try:
        return math.isnan(float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


LATEST_POSTS = (
    "Posts created in the window [start 00:00, end + 1 day 00:00) in the campaign's time zone, "
    "compared with created_at stored in UTC; each post counted once with its latest snapshot "
    "(lifetime figures). Missing figures are NULL and left out of sums, never counted as 0. "
    "Posts without a creation date are left out and counted separately. When the sources name "
    "the campaign's accounts (role owned or partner in an accounts import), posts of the other "
    "accounts they name (authors of mentions and comments) are left out: listening data, not "
    "the campaign's posts. Posts whose account no accounts row names are kept."
)

_X = "X (Twitter) Analytics help, 'Tweet activity dashboard' definitions"
_HOOT = "Hootsuite, 'How to calculate engagement rate' (engagement rate by impressions/reach)"

POSTS = define(
    Metric(
        "posts",
        "Posts published",
        "count(distinct post_id)",
        "count",
        "ripplemeter decision",
        LATEST_POSTS,
        "count(*)",
    )
)
ORIGINAL_POSTS = define(
    Metric(
        "original_posts",
        "Original posts",
        "count of posts whose kind is 'original' or unknown",
        "count",
        "ripplemeter decision",
        "Replies, reposts and quotes are excluded; posts whose source does not say their kind "
        "count as original.",
        "count(*) FILTER (WHERE kind = 'original' OR kind IS NULL)",
    )
)
IMPRESSIONS = define(
    Metric(
        "impressions",
        "Post impressions",
        "sum(impressions) of the posts created in the window (each post's lifetime figure)",
        "count",
        _X + "; Meta Business Help Center 'Impressions'",
        LATEST_POSTS,
        "sum(impressions)",
    )
)
REACH = define(
    Metric(
        "reach",
        "Post reach (sum over posts)",
        "sum(reach) over posts whose reach is known",
        "count",
        "Meta Business Help Center, 'Reach'",
        "Post reach is summed over posts, so one person reached by two posts counts twice; it is an "
        "upper bound of unique reach. Platforms without reach (X) leave it NULL.",
        "sum(reach)",
    )
)
ENGAGEMENTS = define(
    Metric(
        "engagements",
        "Post engagements",
        "sum(engagements) of the posts created in the window, as each platform reports them",
        "count",
        _X,
        "Engagements are the platform's own total, not always the sum of the parts.",
        "sum(engagements)",
    )
)
REPOSTS = define(
    Metric(
        "reposts",
        "Reposts",
        "sum(reposts)",
        "count",
        _X + " (retweets)",
        LATEST_POSTS,
        "sum(reposts)",
    )
)
REPLIES = define(
    Metric("replies", "Replies", "sum(replies)", "count", _X, LATEST_POSTS, "sum(replies)")
)
LIKES = define(Metric("likes", "Likes", "sum(likes)", "count", _X, LATEST_POSTS, "sum(likes)"))
LINK_CLICKS = define(
    Metric(
        "link_clicks",
        "Link clicks",
        "sum(link_clicks)",
        "count",
        _X + " (url clicks)",
        LATEST_POSTS,
        "sum(link_clicks)",
    )
)
ER_IMPRESSIONS = define(
    Metric(
        "engagement_rate_impressions",
        "Engagement rate (by impressions)",
        "sum(engagements) / sum(impressions)",
        "ratio",
        _HOOT,
        "Over posts with both figures known; null with a reason when impressions sum to 0.",
    )
)
ER_REACH = define(
    Metric(
        "engagement_rate_reach",
        "Engagement rate (by reach)",
        "sum(engagements) / sum(reach)",
        "ratio",
        _HOOT,
        "Only over posts whose reach is known; null when no post has reach.",
    )
)
POSTS_PER_DAY = define(
    Metric(
        "posts_per_day",
        "Posts per day",
        "posts created that day (campaign time zone)",
        "count",
        "ripplemeter decision",
        "A count we derive, so zero-filled over every day of the window.",
    )
)
DAILY_IMPRESSIONS = define(
    Metric(
        "daily_impressions",
        "Account impressions per day (daily export)",
        "mean over the days present of the account-level daily impressions (all of the "
        "account's posts, whenever they were created)",
        "count per day",
        "X Analytics daily account activity export",
        "Platform-reported daily series keep the platform's own date labels (X: UTC days); means are "
        "over the days present, with coverage = days present / days in window. No baseline data: "
        "null with a reason.",
    )
)
DAILY_ENGAGEMENTS = define(
    Metric(
        "daily_engagements",
        "Account engagements per day (daily export)",
        "mean over the days present of the account-level daily engagements",
        "count per day",
        "X Analytics daily account activity export",
        "As for account impressions per day: the platform's own date labels, means over the "
        "days present.",
    )
)
LIFT = define(
    Metric(
        "lift",
        "Lift",
        "campaign / baseline - 1",
        "ratio",
        "ripplemeter decision",
        "Relative change; null with a reason when the baseline is 0 or missing, and the absolute "
        "difference (campaign - baseline) is given beside it.",
    )
)
#: How windows of different length are compared: by their daily rates (stated once here).
DAILY_RATE_BASIS = (
    "Windows of different length are compared by their daily rates, with the totals shown "
    "beside them; with windows of equal length the lift of daily rates equals the lift of "
    "the totals."
)
PER_DAY = define(
    Metric(
        "per_day",
        "Per day",
        "total in the window / days in the window",
        "unit of the figure per day",
        "ripplemeter decision",
        DAILY_RATE_BASIS,
    )
)
POST_LIFT = define(
    Metric(
        "post_lift",
        "Lift per day of the posts' figures",
        "(campaign total / campaign days) / (baseline total / baseline days) - 1, over the "
        "posts created in each window",
        "ratio",
        "ripplemeter decision",
        DAILY_RATE_BASIS
        + " Null with a reason when the baseline is 0 or missing; the difference per day is "
        "given beside it.",
    )
)
DIFFERENCE_PER_DAY = define(
    Metric(
        "difference_per_day",
        "Difference per day",
        "campaign total / campaign days - baseline total / baseline days",
        "unit of the figure per day",
        "ripplemeter decision",
        "Given beside every lift per day, and always when both totals exist, so that a lift "
        "left null (baseline 0) still has a comparison.",
    )
)
ACCOUNT_DAILY_LIFT = define(
    Metric(
        "account_daily_lift",
        "Lift of the account's daily figure (daily export)",
        "campaign daily mean / baseline daily mean - 1 of the account-level daily export, with "
        "a 95% interval",
        "ratio",
        "Welch (1947) unequal-variance comparison of daily means, carried to the ratio by the "
        "delta method on the log scale",
        "Daily means over the days present in each window (coverage shown), so windows of "
        "different length compare fairly. Counts every post of the account seen that day, "
        "not only the posts created in the window.",
    )
)
AVE = define(
    Metric(
        "ave",
        "Advertising value equivalent (AVE)",
        "CPM x impressions / 1000 + CPC x link clicks + per-post price x original posts, per "
        "platform, from the rate cards",
        "currency",
        "Rate-card method; AMEC Barcelona Principles 3.0 (2020): AVE is not the value of "
        "communication and should not be used as such",
        "Counts non-paid posts created in the window with their latest-snapshot lifetime figures. "
        "Promoted impressions and account-level daily impressions are not counted. Per-post prices "
        "count original posts, not replies. Rate cards in another currency need an [[fx]] rate; "
        "none is guessed.",
    )
)
SPEND = define(
    Metric(
        "spend",
        "Media spend",
        "sum(amount spent) over campaign rows inside the window",
        "currency",
        "Meta Ads Manager 'Amount spent'",
        "Rows whose reporting period lies inside the window count; rows straddling it are left out "
        "and named in a warning. The account-total row and breakdown exports are never added.",
    )
)
CPC = define(
    Metric(
        "cpc",
        "Cost per click (CPC, link clicks)",
        "spend / link clicks",
        "currency per click",
        "Meta Ads Manager 'CPC (cost per link click)': amount spent divided by link clicks",
        "From one export's campaign rows (never the account-total row, never breakdown exports); "
        "checked against the export's own CPC column where it has one.",
    )
)
CPC_INDEX = define(
    Metric(
        "cpc_index",
        "CPC index vs benchmark",
        "CPC / benchmark CPC",
        "ratio",
        "ripplemeter decision; benchmark from campaign.toml [benchmarks] cpc",
        "Below 1 means cheaper clicks than the industry benchmark.",
    )
)
AD_REACH = define(
    Metric(
        "ad_reach",
        "Ad reach (account total)",
        "Reach of the export's account-total row",
        "count",
        "Meta Ads Manager 'Reach'",
        "Reach is de-duplicated by the platform; it cannot be added across campaigns, so it is "
        "taken only from a total row.",
    )
)
CONVERSION = define(
    Metric(
        "conversion_lift",
        "Conversion lift",
        "campaign daily mean / baseline daily mean - 1, with a 95% interval",
        "ratio",
        "Welch (1947) unequal-variance comparison of daily means (Welch-Satterthwaite degrees of "
        "freedom), carried to the ratio by the delta method on the log scale, so the interval "
        "stays above -100%; weekday-adjusted estimate by OLS with day-of-week fixed effects and "
        "HC3 errors",
        "Daily means over the days present in each window (coverage shown); days are in the "
        "campaign's time zone.",
    )
)
#: Google Trends writes '<1' for more than 0 and less than 1. In means it counts as this value;
#: lift bounds put it at 0 and at 1. The one place this rule is stated (sections, charts and
#: the definitions below read it).
BELOW_ONE_AS = 0.5

INDEX_LIFT = define(
    Metric(
        "index_lift",
        "Third-party index lift",
        "mean index over periods starting in the campaign window / mean over periods starting in "
        "the baseline - 1",
        "ratio",
        "Google Trends: 'numbers represent search interest relative to the highest point on the "
        "chart for the given region and time' (so each export is scaled on its own)",
        "A period counts in a window when its start date does. Periods are compared only within "
        f"one export. Google Trends '<1' is counted as {BELOW_ONE_AS:g} in the headline, with bounds computed "
        "with '<1' at 0 and at 1.",
    )
)
EXPECTED_SPREAD = define(
    Metric(
        "expected_spread",
        "Expected spread of a seed set",
        "mean number of accounts activated (seeds included) over independent Monte Carlo "
        "simulations of the diffusion model",
        "accounts",
        "Kempe, Kleinberg, Tardos, 'Maximizing the Spread of Influence through a Social "
        "Network', KDD 2003 (independent cascade and linear threshold models)",
        "Seeds chosen by IMM (Tang, Shi, Xiao, SIGMOD 2015, with Chen's 2018 correction) or "
        "OPIM-C (Tang et al., SIGMOD 2018) on reverse-reachable sets; the spread shown is from "
        "a separate Monte Carlo run with another random state, with a 95% interval. A follow "
        "(src follows dst) carries influence from dst to src.",
    )
)

# ---------------------------------------------------------------- detail figures
# Every number the report shows has an id; these define the figures beside the headlines.
DIFFERENCE = define(
    Metric(
        "difference",
        "Difference",
        "campaign - baseline",
        "unit of the compared figure",
        "ripplemeter decision",
        "Given beside every lift, and always when both values exist, so that a lift left null "
        "(baseline 0) still has a comparison.",
    )
)
DAYS_WITH_DATA = define(
    Metric(
        "days_with_data",
        "Days with data",
        "number of days of the window that the series reports",
        "days",
        "ripplemeter decision",
        "Days absent from an export are not counted as 0; means are over the days present.",
    )
)
COVERAGE = define(
    Metric(
        "coverage",
        "Coverage",
        "days with data / days in the window",
        "ratio",
        "ripplemeter decision",
        "Below 1 means the export does not cover the whole window.",
    )
)
UNDATED_POSTS = define(
    Metric(
        "undated_posts",
        "Posts without a creation date",
        "count of posts whose latest row has no created_at",
        "count",
        "ripplemeter decision",
        "Left out of every window figure and counted here (e.g. the UCI Facebook export keeps "
        "only month, weekday and hour).",
    )
)
RATE_CARD_PRICE = define(
    Metric(
        "rate_card_price",
        "Rate-card price",
        "price per unit from [[rate_cards]] or a rate-card import",
        "currency per unit",
        "The brand's or agency's rate card",
        "CPM is per 1,000 impressions; per-post prices apply to original posts.",
    )
)
AVE_QUANTITY = define(
    Metric(
        "ave_quantity",
        "Quantity priced for AVE",
        "impressions (cpm), link clicks (cpc) or original posts (per_post) of non-paid posts "
        "created in the window",
        "count",
        "ripplemeter decision",
        "As in the ave metric: latest-snapshot lifetime figures; a missing figure is not priced.",
    )
)
AVE_PAID_LEFT_OUT = define(
    Metric(
        "ave_paid_left_out",
        "Paid posts left out of AVE",
        "posts, impressions or link clicks (as named) of the paid posts (is_paid) created in "
        "the window",
        "count",
        "ripplemeter decision",
        "Their exposure was bought, so AVE does not price it as if it were earned; the posts "
        "table of the report counts them, so its impressions and link clicks are higher by "
        "these amounts. Latest-snapshot lifetime figures, as for the ave metric.",
    )
)
AVE_OTHER_ACCOUNTS = define(
    Metric(
        "ave_other_accounts",
        "Posts of other accounts priced for AVE",
        "posts, impressions or link clicks (as named) of the non-paid posts created in the "
        "window by accounts that are not the campaign's own (role owned or partner)",
        "count",
        "ripplemeter decision",
        "AVE prices earned exposure too (mentions, comments, replies by other accounts), which "
        "the posts table of the report leaves out; a missing figure adds nothing.",
    )
)
CPC_BENCHMARK = define(
    Metric(
        "cpc_benchmark",
        "CPC benchmark",
        "industry cost per click from campaign.toml [benchmarks] cpc",
        "currency per click",
        "The campaign's own benchmark (e.g. an industry report it cites)",
        "Given by the user, in the campaign currency.",
    )
)
CPC_REPORTED = define(
    Metric(
        "cpc_reported",
        "CPC reported by the export",
        "the export's own 'CPC (cost per link click)' column",
        "currency per click",
        "Meta Ads Manager 'CPC (cost per link click)'",
        "Shown to check our spend / link clicks against the platform's own figure.",
    )
)
AD_LINK_CLICKS = define(
    Metric(
        "ad_link_clicks",
        "Link clicks on ads",
        "sum(link clicks) over the ads rows and spend rows counted for CPC",
        "count",
        "Meta Ads Manager 'Link clicks'",
        "Same rows as spend: inside the window, never the account-total row or breakdowns.",
    )
)
AD_CONVERSIONS = define(
    Metric(
        "ad_conversions",
        "Conversions from ads",
        "sum of a named conversion (purchases, adds to cart, ...) over the counted ads rows",
        "count",
        "Meta Ads Manager conversion columns (as attributed by the platform)",
        "Platform-attributed, with the platform's attribution window; not a measured lift.",
    )
)
COST_PER_CONVERSION = define(
    Metric(
        "cost_per_conversion",
        "Cost per conversion",
        "spend / conversions",
        "currency per conversion",
        "Meta Ads Manager 'Cost per result'",
        "Spend of the same rows as the conversions; null when there are none.",
    )
)
OUTCOME_DAILY_MEAN = define(
    Metric(
        "outcome_daily_mean",
        "Outcome per day",
        "mean over the days present of the daily outcome (summed over sources)",
        "outcome units per day",
        "ripplemeter decision",
        "Days in the campaign's time zone; a day reported twice by one source keeps the later "
        "import.",
    )
)
CONVERSION_WEEKDAY = define(
    Metric(
        "conversion_lift_weekday_adjusted",
        "Conversion lift, weekday-adjusted",
        "beta / (campaign mean - beta) with beta the campaign effect of OLS value ~ campaign + "
        "C(weekday)",
        "ratio",
        "MacKinnon and White (1985) HC3 standard errors; day-of-week fixed effects",
        "Given when both windows have at least 2 days and 14 days in all.",
    )
)
INDEX_MEAN = define(
    Metric(
        "index_mean",
        "Mean index",
        f"mean of the index over the periods starting in the window ('<1' counted as {BELOW_ONE_AS:g})",
        "index (0-100)",
        "Google Trends: values relative to the highest point of the chart",
        "Each export is scaled on its own.",
    )
)
INDEX_BELOW_ONE = define(
    Metric(
        "index_below_one_periods",
        "Periods shown as '<1'",
        "count of periods in either window whose value Google Trends shows as '<1'",
        "periods",
        "Google Trends export",
        "'<1' means more than 0 and less than 1.",
    )
)
SPREAD_GAIN = define(
    Metric(
        "spread_gain_vs_top_degree",
        "Seeding plan's gain over the biggest accounts",
        "expected spread of the plan / expected spread of the top out-degree seeds - 1",
        "ratio",
        "ripplemeter decision; both spreads by independent Monte Carlo runs",
        "Same number of seeds, same diffusion model and probabilities.",
    )
)
MONTE_CARLO_RUNS = define(
    Metric(
        "monte_carlo_runs",
        "Monte Carlo simulations",
        "number of independent diffusion simulations behind an expected spread",
        "count",
        "ripplemeter decision ([seeding] mc_runs); stopping rule: Chow & Robbins, 'On the "
        "Asymptotic Theory of Fixed-Width Sequential Confidence Intervals for the Mean', 1965",
        "Run with another random state than the seed selection, so the spread is not the "
        "selection sample's own estimate. Unless [seeding] mc_runs fixes the number, runs go "
        "in batches of 1,000 and stop once the 95% interval is within 1% of the mean (at most "
        "10,000).",
    )
)
SEED_COUNT = define(
    Metric(
        "seed_count",
        "Seeds",
        "number of accounts in the seed set",
        "accounts",
        "ripplemeter decision",
        "With a budget, as many as the budget buys.",
    )
)
GRAPH_NODES = define(
    Metric(
        "graph_nodes",
        "Accounts in the follow network",
        "distinct accounts in the campaign's follows rows",
        "accounts",
        "ripplemeter decision",
        "",
    )
)
GRAPH_EDGES = define(
    Metric(
        "graph_edges",
        "Follow relationships",
        "distinct follow edges after self-loops are dropped and parallel edges combined",
        "edges",
        "ripplemeter decision",
        "",
    )
)
RR_SETS = define(
    Metric(
        "rr_sets",
        "Reverse-reachable samples",
        "number of RR sets the seed selection drew",
        "count",
        "Borgs, Brautbar, Chayes, Lucier, 'Maximizing Social Influence in Nearly Optimal Time', "
        "SODA 2014",
        "",
    )
)
MARGINAL_GAIN = define(
    Metric(
        "marginal_gain",
        "Marginal gain of a seed",
        "n x (RR sets newly covered by the seed) / RR sets",
        "accounts",
        "Tang, Shi, Xiao, IMM (SIGMOD 2015): coverage estimate of the spread",
        "The selection sample's own estimate, slightly optimistic.",
    )
)
CUMULATIVE_GAIN = define(
    Metric(
        "cumulative_gain",
        "Cumulative gain",
        "sum of the marginal gains of the seeds up to this rank",
        "accounts",
        "Tang, Shi, Xiao, IMM (SIGMOD 2015)",
        "The selection sample's own estimate, slightly optimistic.",
    )
)
SEED_COST = define(
    Metric(
        "seed_cost",
        "Cost of a seed",
        "the account's price from the price list",
        "currency",
        "The campaign's KOL price list",
        "",
    )
)
POST_ENGAGEMENT_RATE = define(
    Metric(
        "post_engagement_rate",
        "Engagement rate of a post",
        "engagements / impressions of one post (latest snapshot)",
        "ratio",
        _HOOT,
        "Null when the post has no impressions figure or 0 impressions.",
    )
)

# ---------------------------------------------------------------- propagation (cascades)
_GOEL = (
    "Goel, Anderson, Hofman, Watts, 'The Structural Virality of Online Diffusion', "
    "Management Science 62(1), 2016"
)
_CASCADE_RULES = (
    "A cascade is a root post and every repost or comment that hangs from it through its "
    "parent (docs/cascades.md). A record whose parent is missing heads a detached fragment, "
    "counted apart: no edge to the root is invented."
)
CASCADES = define(
    Metric(
        "cascades",
        "Cascades",
        "count of root posts with at least one repost or comment",
        "count",
        "ripplemeter decision",
        "Roots created in the campaign window, or whose creation time is unknown; a post "
        "nobody reposted is not a cascade. " + _CASCADE_RULES,
    )
)
CASCADE_SIZE = define(
    Metric(
        "cascade_size",
        "Cascade size",
        "nodes of the cascade tree, the root included",
        "posts",
        _GOEL,
        _CASCADE_RULES,
    )
)
CASCADE_DEPTH = define(
    Metric(
        "cascade_depth",
        "Cascade depth",
        "largest number of hops from the root (the root is at depth 0)",
        "hops",
        _GOEL,
        _CASCADE_RULES,
    )
)
CASCADE_MAX_BREADTH = define(
    Metric(
        "cascade_max_breadth",
        "Maximum breadth",
        "most nodes on one level below the root",
        "posts",
        "Vosoughi, Roy, Aral, 'The spread of true and false news online', Science 359, 2018",
        _CASCADE_RULES,
    )
)
STRUCTURAL_VIRALITY = define(
    Metric(
        "structural_virality",
        "Structural virality",
        "mean shortest-path distance over all pairs of nodes of the cascade tree "
        "(Wiener index / (n (n - 1) / 2))",
        "hops",
        _GOEL,
        "Low (near 2) for a broadcast from one account, high for person-to-person spread; "
        "0 for a root alone. Computed in linear time from subtree sizes.",
    )
)
BROADCAST_SHARE = define(
    Metric(
        "broadcast_share",
        "Broadcast share",
        "share of the non-root nodes that reposted the root directly",
        "ratio",
        _GOEL,
        "The rest spread from repost to repost (viral). Null for a root alone.",
    )
)
CASCADE_T50 = define(
    Metric(
        "cascade_t50",
        "Time to half the final size",
        "seconds after the root until half of the cascade's nodes had appeared",
        "seconds",
        "ripplemeter decision",
        "Null when any node's time is unknown.",
    )
)
CASCADE_T90 = define(
    Metric(
        "cascade_t90",
        "Time to 90% of the final size",
        "seconds after the root until 90% of the cascade's nodes had appeared",
        "seconds",
        "ripplemeter decision",
        "Null when any node's time is unknown.",
    )
)
SPREADER_CARRIED = define(
    Metric(
        "spreader_carried",
        "Spread carried by an account",
        "nodes that hung below the account's repost (its largest in each cascade, summed "
        "over cascades)",
        "posts",
        "ripplemeter decision (tipping-point accounts)",
        "The repost itself is not counted; cascades are disjoint, so nothing counts twice.",
    )
)
CASCADE_ANOMALIES = define(
    Metric(
        "cascade_anomalies",
        "Records needing attention",
        "count of orphan fragments, duplicates, cut cycles or reposts timed before their "
        "parent (by kind)",
        "count",
        "ripplemeter decision",
        "Nothing is silently dropped: each is kept (or kept once) and counted here.",
    )
)
FIRST_APPEARANCE = define(
    Metric(
        "first_appearance",
        "First appearance",
        "seconds after its cascade's root when the account first reposted or commented",
        "seconds",
        "ripplemeter decision (media follow-up)",
        "Null when the post has no time.",
    )
)
SEED_SPREAD_SHARE = define(
    Metric(
        "seed_spread_share",
        "Share of the spread through a seed",
        "posts of the cascades rooted at the account's posts / posts of all cascades",
        "ratio",
        "ripplemeter decision (multi-point seeding)",
        "Cascades are disjoint trees, so the shares add up to 1.",
    )
)
SEED_CASCADES = define(
    Metric(
        "seed_cascades",
        "Cascades started by an account",
        "count of the cascades whose root post the account posted",
        "count",
        "ripplemeter decision (multi-point seeding)",
        "Cascades as in the cascades metric (started in the campaign window, or at an unknown "
        "time); a root post whose account is unknown counts for 'unknown'.",
    )
)
SEED_ACCOUNTS = define(
    Metric(
        "seed_accounts",
        "Accounts that started a cascade",
        "count of distinct accounts that posted the root post of at least one cascade",
        "count",
        "ripplemeter decision (multi-point seeding)",
        "Cascades as in the cascades metric; root posts whose account is unknown are not counted.",
    )
)
SEED_OVERLAP = define(
    Metric(
        "seed_overlap",
        "Plan vs real carriers (Jaccard)",
        "|plan seeds ∩ real carriers| / |plan seeds ∪ real carriers|, with as many real "
        "carriers (by spread carried) as the plan has seeds",
        "ratio",
        "Jaccard (1901) similarity; ripplemeter decision on the carriers",
        "1 when the plan would have picked exactly the accounts that carried the spread.",
    )
)
DIRECT_REPOSTS = define(
    Metric(
        "direct_reposts",
        "Direct reposts of a repost",
        "reposts and comments made from this repost itself (secondary sources)",
        "posts",
        "ripplemeter decision",
        "Ties ranked by the posts below it, then by id.",
    )
)
AUDIENCE_OVERLAP = define(
    Metric(
        "audience_overlap",
        "Audience overlap of two seeds",
        "|A ∩ B| / |A ∪ B| of the two seed accounts' audiences",
        "ratio",
        "Jaccard (1901) similarity",
        "Audiences are followers when the campaign has a follows table, else the accounts "
        "that took part in the cascades each seed started. An account not in the follows "
        "graph has an unknown audience: its pairs have no value.",
    )
)
