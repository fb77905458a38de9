"""The canonical tables: names, types, units and meaning, in one place.

Every importer produces rows for these tables and nothing else; every analysis reads them.
Each table also carries two lineage columns that the workspace fills in:

- ``import_id`` : the import that wrote the row (see the ``imports`` table),
- ``source_row`` : the 1-based row of the source file the row came from (as a spreadsheet
  numbers rows), or NULL when a row is derived from the whole file.

Conventions
-----------
- Ids are namespaced by platform: ``x:1432793754507923461``, ``facebook:uci-row-2``.
- Timestamps are stored as naive ``TIMESTAMP`` values **in UTC**. Sources written in local
  time are converted on import and the import log records from which zone.
- Missing is NULL, never 0.
- Money is in the currency named by the row's ``currency`` column.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """One canonical column.

    Attributes
    ----------
    name : str
    type : str
        DuckDB type.
    unit : str
        Unit ("count", "ratio", "currency", "UTC timestamp", "", ...).
    meaning : str
        What the value is, in one sentence.
    """

    name: str
    type: str
    unit: str
    meaning: str


@dataclass(frozen=True)
class Table:
    """A canonical table: its name, meaning and columns (lineage columns excluded)."""

    name: str
    meaning: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def ddl(self) -> str:
        cols = [f'"{c.name}" {c.type}' for c in self.columns]
        cols += ['"import_id" BIGINT', '"source_row" BIGINT']
        return f'CREATE TABLE IF NOT EXISTS "{self.name}" ({", ".join(cols)})'


def _c(name: str, type_: str, unit: str, meaning: str) -> Column:
    return Column(name, type_, unit, meaning)


COUNT = "count"

ACCOUNTS = Table(
    "accounts",
    "Accounts on any platform: owned, partners, competitors, media, KOLs, the public.",
    (
        _c("account_id", "VARCHAR", "", "platform:native_id"),
        _c("platform", "VARCHAR", "", "x, facebook, instagram, weibo, ..."),
        _c("handle", "VARCHAR", "", "screen name without @"),
        _c("name", "VARCHAR", "", "display name"),
        _c("followers", "BIGINT", COUNT, "followers when observed"),
        _c("verified", "BOOLEAN", "", "platform verification badge"),
        _c("role", "VARCHAR", "", "owned, partner, competitor, media, kol or public"),
        _c("media_type", "VARCHAR", "", "online, print, tv, radio or NULL"),
        _c("is_partner", "BOOLEAN", "", "paid or contracted partner of the campaign"),
        # issue 11, accounts registry (operations/accounts.py): who runs the account, its
        # local time zone and where its credentials live (a reference, never the secret)
        _c("owners", "VARCHAR", "", "team member ids who run the account, comma-separated"),
        _c("timezone", "VARCHAR", "", "IANA time zone the account posts in"),
        _c("credentials_ref", "VARCHAR", "", "env:NAME or file:PATH naming the credentials"),
    ),
)

POSTS = Table(
    "posts",
    "Posts (originals, reposts, replies, quotes) on any platform.",
    (
        _c("post_id", "VARCHAR", "", "platform:native_id"),
        _c("platform", "VARCHAR", "", "platform name"),
        _c("channel", "VARCHAR", "", "microblog, sns, blog, forum, video, news or search"),
        _c("account_id", "VARCHAR", "", "author, platform:native_id"),
        _c("created_at", "TIMESTAMP", "UTC timestamp", "creation time in UTC; NULL if unknown"),
        _c("text", "VARCHAR", "", "post text as exported (untrusted)"),
        _c("lang", "VARCHAR", "", "ISO 639-1 language code when known"),
        _c("url", "VARCHAR", "", "permalink"),
        _c("kind", "VARCHAR", "", "original, repost, comment, reply or quote"),
        _c("parent_id", "VARCHAR", "", "post replied to or reposted"),
        _c("root_id", "VARCHAR", "", "root of the cascade"),
        _c(
            "delay_seconds",
            "DOUBLE",
            "seconds",
            "time after the cascade's root post, when the source gives delays, not times",
        ),
        _c("is_paid", "BOOLEAN", "", "promoted / boosted post; NULL if unknown"),
        _c("campaign_id", "VARCHAR", "", "campaign tag when the source carries one"),
        _c("content_type", "VARCHAR", "", "photo, status, link, video, ... when exported"),
        _c("category", "VARCHAR", "", "the source's own post category, when exported"),
        _c("local_month", "SMALLINT", "month 1-12", "month of posting, when no date exists"),
        _c("local_weekday", "SMALLINT", "1-7", "weekday of posting as the source numbers it"),
        _c("local_hour", "SMALLINT", "hour 0-23", "hour of posting, local to the source"),
        # listening (issue 10): filled by the workspace from `text` at import
        # (ripplemeter.listen.query.search_text); queries search it in SQL and Python
        _c(
            "search_text",
            "VARCHAR",
            "",
            "text normalised for listening queries: NFKC, casefold, white space collapsed, "
            "a space on either side of each Chinese or Japanese character",
        ),
    ),
)

POST_METRICS = Table(
    "post_metrics",
    "Snapshots of post performance as platforms report them; the latest per post is the "
    "default view. Lifetime figures.",
    (
        _c("post_id", "VARCHAR", "", "posts.post_id"),
        _c("observed_at", "TIMESTAMP", "UTC timestamp", "when the figures were true"),
        _c(
            "observed_at_source",
            "VARCHAR",
            "",
            "export_range (end of the export's range) or import_time",
        ),
        _c("impressions", "BIGINT", COUNT, "times the post was shown"),
        _c("reach", "BIGINT", COUNT, "distinct people who saw the post"),
        _c("views", "BIGINT", COUNT, "views (articles, pages)"),
        _c("engagements", "BIGINT", COUNT, "interactions as the platform counts them"),
        _c("engaged_users", "BIGINT", COUNT, "distinct people who interacted"),
        _c("clicks", "BIGINT", COUNT, "all clicks on the post"),
        _c("link_clicks", "BIGINT", COUNT, "clicks on links (X: url clicks)"),
        _c("reposts", "BIGINT", COUNT, "reposts / retweets / shares"),
        _c("replies", "BIGINT", COUNT, "replies / comments"),
        _c("likes", "BIGINT", COUNT, "likes / reactions"),
        _c("saves", "BIGINT", COUNT, "saves / bookmarks"),
        _c("video_views", "BIGINT", COUNT, "video views"),
        _c("media_views", "BIGINT", COUNT, "media views (X)"),
        _c("media_engagements", "BIGINT", COUNT, "media engagements (X)"),
        _c("profile_clicks", "BIGINT", COUNT, "user profile clicks"),
        _c("hashtag_clicks", "BIGINT", COUNT, "hashtag clicks"),
        _c("detail_expands", "BIGINT", COUNT, "detail expands (X)"),
        _c("follows", "BIGINT", COUNT, "follows gained from the post"),
        _c("consumers", "BIGINT", COUNT, "people who clicked anywhere (Facebook)"),
        _c("consumptions", "BIGINT", COUNT, "clicks anywhere (Facebook)"),
        _c("promoted_impressions", "BIGINT", COUNT, "impressions bought by promotion"),
        _c("promoted_engagements", "BIGINT", COUNT, "engagements from promotion"),
        _c("fan_impressions", "BIGINT", COUNT, "impressions by people who like the Page"),
        _c("fan_reach", "BIGINT", COUNT, "reach among people who like the Page"),
        _c("fan_engaged_users", "BIGINT", COUNT, "Page fans who engaged"),
        _c("page_followers", "BIGINT", COUNT, "page total likes/followers at posting"),
    ),
)

ACCOUNT_DAILY = Table(
    "account_daily",
    "Account-level daily activity as a platform reports it (X daily export). Dates are the "
    "platform's own labels (X: UTC days).",
    (
        _c("account_id", "VARCHAR", "", "platform:handle when the export names it"),
        _c("platform", "VARCHAR", "", "platform name"),
        _c("date", "DATE", "date", "the platform's date label"),
        _c("posts_published", "BIGINT", COUNT, "posts published that day"),
        _c("impressions", "BIGINT", COUNT, "organic impressions that day"),
        _c("engagements", "BIGINT", COUNT, "engagements that day"),
        _c("reposts", "BIGINT", COUNT, ""),
        _c("replies", "BIGINT", COUNT, ""),
        _c("likes", "BIGINT", COUNT, ""),
        _c("profile_clicks", "BIGINT", COUNT, ""),
        _c("link_clicks", "BIGINT", COUNT, ""),
        _c("hashtag_clicks", "BIGINT", COUNT, ""),
        _c("detail_expands", "BIGINT", COUNT, ""),
        _c("follows", "BIGINT", COUNT, ""),
        _c("media_views", "BIGINT", COUNT, ""),
        _c("media_engagements", "BIGINT", COUNT, ""),
        _c("promoted_impressions", "BIGINT", COUNT, "NULL when nothing was promoted"),
        _c("promoted_engagements", "BIGINT", COUNT, "NULL when nothing was promoted"),
    ),
)

FOLLOWS = Table(
    "follows",
    "Follow edges: src follows dst, so influence flows dst -> src.",
    (
        _c("src_account_id", "VARCHAR", "", "the follower"),
        _c("dst_account_id", "VARCHAR", "", "the followed account"),
        _c("weight", "DOUBLE", "probability or weight", "optional edge weight"),
    ),
)

SPEND = Table(
    "spend",
    "Media spend by day or reporting period.",
    (
        _c("date", "DATE", "date", "day of spend (or NULL when a period is given)"),
        _c("reporting_start", "DATE", "date", "first day of the period"),
        _c("reporting_end", "DATE", "date", "last day of the period (inclusive)"),
        _c("platform", "VARCHAR", "", ""),
        _c("campaign", "VARCHAR", "", "campaign name as in the ad platform"),
        _c("amount", "DOUBLE", "currency", "money spent"),
        _c("currency", "VARCHAR", "ISO 4217", ""),
        _c("impressions", "BIGINT", COUNT, ""),
        _c("link_clicks", "BIGINT", COUNT, ""),
    ),
)

AD_METRICS = Table(
    "ad_metrics",
    "Ads manager rows: one campaign (optionally one breakdown value) over a reporting period.",
    (
        _c("platform", "VARCHAR", "", "meta, x, ..."),
        _c("campaign", "VARCHAR", "", "campaign name; NULL on the account-total row"),
        _c("breakdown", "VARCHAR", "", "age, gender, device platform, ... or NULL"),
        _c("breakdown_value", "VARCHAR", "", "the breakdown's value"),
        _c("reporting_start", "DATE", "date", ""),
        _c("reporting_end", "DATE", "date", "inclusive"),
        _c("reach", "BIGINT", COUNT, "distinct people reached"),
        _c("impressions", "BIGINT", COUNT, ""),
        _c("frequency", "DOUBLE", "ratio", "impressions / reach"),
        _c("spend", "DOUBLE", "currency", "amount spent"),
        _c("currency", "VARCHAR", "ISO 4217", ""),
        _c("link_clicks", "BIGINT", COUNT, ""),
        _c("clicks_all", "BIGINT", COUNT, ""),
        _c("cpc_reported", "DOUBLE", "currency per click", "the export's own CPC (link clicks)"),
        _c("results", "DOUBLE", COUNT, "results of the campaign's objective ('Results')"),
        _c("result_type", "VARCHAR", "", "'Result type' (else 'Result indicator') as exported"),
        _c("is_total", "BOOLEAN", "", "the export's account-total row"),
    ),
)

AD_CONVERSIONS = Table(
    "ad_conversions",
    "Conversions reported on an ad_metrics row, by name (long form). Joined to ad_metrics on "
    "(import_id, source_row).",
    (
        _c("name", "VARCHAR", "", "adds_to_cart, checkouts_initiated, purchases, ..."),
        _c("value", "DOUBLE", COUNT, ""),
        _c("cost_per", "DOUBLE", "currency", "the export's cost per conversion, if any"),
    ),
)

WEB_METRICS = Table(
    "web_metrics",
    "Aggregated web analytics tables (GA4, Universal Analytics), long form.",
    (
        _c("source", "VARCHAR", "", "ga4 or ga_universal"),
        _c("report", "VARCHAR", "", "report / table title"),
        _c("dimension", "VARCHAR", "", "dimension name (Event name, Day Index, ...)"),
        _c("dimension_value", "VARCHAR", "", "the dimension's value; NULL for totals"),
        _c("period_start", "DATE", "date", ""),
        _c("period_end", "DATE", "date", "inclusive"),
        _c("metric", "VARCHAR", "", "metric name as exported"),
        _c("value", "DOUBLE", "as exported", "ratios as fractions, durations in seconds"),
    ),
)

OUTCOMES = Table(
    "outcomes",
    "Business outcomes by day: registrations, orders, sales, ...",
    (
        _c("date", "DATE", "date", "day, in the campaign's time zone"),
        _c("metric", "VARCHAR", "", "registrations, participants, pv, uv, orders, sales, ..."),
        _c("value", "DOUBLE", "as named", ""),
        _c("source", "VARCHAR", "", "where the figure comes from"),
    ),
)

INDEX_SERIES = Table(
    "index_series",
    "Third-party interest indices (Google Trends, Baidu Index, WeChat Index, Naver DataLab).",
    (
        _c("date", "DATE", "date", "start of the period"),
        _c("period", "VARCHAR", "", "day, week or month"),
        _c("source", "VARCHAR", "", "google_trends, baidu_index, wechat_index, naver_datalab"),
        _c("term", "VARCHAR", "", "search term"),
        _c("geo", "VARCHAR", "", "region as exported (Worldwide, United States, ...)"),
        _c("value", "DOUBLE", "index 0-100", "NULL when below_one"),
        _c("below_one", "BOOLEAN", "", "the export wrote '<1': more than 0, less than 1"),
        # listening (issue 10): pytrends isPartial, a running last period of a download
        _c(
            "is_partial",
            "BOOLEAN",
            "",
            "the period was not over when the data was taken (left out of means by default)",
        ),
    ),
)

INDEX_GEO = Table(
    "index_geo",
    "Google Trends geography breakdown (geoMap).",
    (
        _c("source", "VARCHAR", "", "google_trends"),
        _c("term", "VARCHAR", "", ""),
        _c("period_label", "VARCHAR", "", "date range as written in the header"),
        _c("geo_level", "VARCHAR", "", "Country, Region, City, ... as exported"),
        _c("geo", "VARCHAR", "", "the place"),
        _c("value", "DOUBLE", "index 0-100 or percent share", "NULL when below_one or empty"),
        _c("is_share", "BOOLEAN", "", "value is a percentage share (written with %)"),
        _c("below_one", "BOOLEAN", "", "written as '<1' or '<1%'"),
    ),
)

INDEX_RELATED = Table(
    "index_related",
    "Google Trends related queries or topics (TOP and RISING sections).",
    (
        _c("source", "VARCHAR", "", "google_trends"),
        _c("term", "VARCHAR", "", "the term the export is about, when stated"),
        _c("kind", "VARCHAR", "", "queries or topics"),
        _c("section", "VARCHAR", "", "TOP or RISING"),
        _c("query", "VARCHAR", "", "related query"),
        _c("value", "DOUBLE", "index or percent", "TOP: 0-100; RISING: percent increase"),
        _c("breakout", "BOOLEAN", "", "RISING value written 'Breakout' (> +5000%)"),
    ),
)

RATE_CARDS = Table(
    "rate_cards",
    "Prices used for advertising value equivalent (AVE).",
    (
        _c("platform", "VARCHAR", "", "platform or site"),
        _c("unit", "VARCHAR", "", "per_post, cpm or cpc"),
        _c("price", "DOUBLE", "currency", "price per unit (CPM: per 1,000 impressions)"),
        _c("currency", "VARCHAR", "ISO 4217", ""),
    ),
)

SERP_RESULTS = Table(
    "serp_results",
    "Search-engine result pages as observed.",
    (
        _c("engine", "VARCHAR", "", ""),
        _c("query", "VARCHAR", "", ""),
        _c("observed_at", "TIMESTAMP", "UTC timestamp", ""),
        _c("rank", "INTEGER", "position", "1-based"),
        _c("url", "VARCHAR", "", ""),
        _c("title", "VARCHAR", "", ""),
        _c("snippet", "VARCHAR", "", ""),
        _c("vertical", "VARCHAR", "", "web, news or blog: which of the engine's searches"),
        _c("batch", "INTEGER", "", "1-based result list within the file; ranks restart in each"),
        _c("title_text", "VARCHAR", "", "title for display: tags removed, entities decoded"),
        _c("snippet_text", "VARCHAR", "", "snippet for display: tags removed, entities decoded"),
        _c("published_at", "TIMESTAMP", "UTC timestamp", "publication time the engine shows"),
        _c("is_redirect", "BOOLEAN", "", "url is the engine's redirect link, not the target"),
    ),
)

SEARCH_CONSOLE = Table(
    "search_console",
    "Google Search Console performance exports: the site's own clicks and impressions on "
    "Google Search by query, page, country, device, search appearance or date.",
    (
        _c("report", "VARCHAR", "", "queries, pages, countries, devices, appearance or dates"),
        _c("site", "VARCHAR", "", "the Search Console property, when the source names it"),
        _c("query", "VARCHAR", "", "search query as exported (untrusted)"),
        _c("page", "VARCHAR", "", "page URL as exported"),
        _c("country", "VARCHAR", "", "country as exported"),
        _c("device", "VARCHAR", "", "device as exported"),
        _c("appearance", "VARCHAR", "", "search appearance as exported"),
        _c("date", "DATE", "date", "day (Dates export), Pacific time as Search Console uses"),
        _c("clicks", "BIGINT", COUNT, "clicks from Google Search"),
        _c("impressions", "BIGINT", COUNT, "times a link to the site was shown"),
        _c("ctr", "DOUBLE", "ratio", "clicks / impressions as exported (15.86% -> 0.1586)"),
        _c("position", "DOUBLE", "position", "average topmost position, 1 = first"),
    ),
)

# listening (issue 10): trending-topic lists such as Weibo's trends/hourly
TRENDING_TOPICS = Table(
    "trending_topics",
    "Trending-topic lists as a platform publishes them: one row per topic and list. The "
    "amounts are the platform's own counts for the list's period, not a 0-100 index.",
    (
        _c("source", "VARCHAR", "", "weibo_trends, ..."),
        _c("period", "VARCHAR", "", "hourly, daily or weekly: the list the platform published"),
        _c("listed_at", "TIMESTAMP", "UTC timestamp", "the list's time key, converted to UTC"),
        _c("as_of", "TIMESTAMP", "UTC timestamp", "when the platform answered, in UTC"),
        _c("rank", "INTEGER", "position", "1-based position in the list as published"),
        _c("name", "VARCHAR", "", "topic as shown (untrusted)"),
        _c("query", "VARCHAR", "", "search query the topic links to"),
        _c("amount", "BIGINT", COUNT, "the platform's count for the topic (Weibo: posts)"),
        _c("delta", "BIGINT", COUNT, "change of amount since the previous list"),
    ),
)

ANNOTATIONS = Table(
    "annotations",
    "Labels attached to any subject (posts, accounts) by a model or a person.",
    (
        _c("subject_id", "VARCHAR", "", ""),
        _c("task", "VARCHAR", "", "language, sentiment, aspect, ..."),
        _c("label", "VARCHAR", "", ""),
        _c("score", "DOUBLE", "probability", "probability of the label, when the model gives one"),
        _c("model", "VARCHAR", "", ""),
        _c("model_version", "VARCHAR", "", ""),
        _c("aspect", "VARCHAR", "", "task aspect: the aspect the label (a polarity) is about"),
        _c("annotated_at", "TIMESTAMP", "UTC timestamp", "when the model ran (one per run)"),
    ),
)

# Listening collectors (issue 10, H5a): where each source's stream stopped, so that a killed
# run resumes without losing or duplicating anything; written in the same transaction as the
# page of rows it describes.
COLLECT_CHECKPOINTS = Table(
    "collect_checkpoints",
    "Resume point of each collector stream (one row per source and stream).",
    (
        _c("source_id", "VARCHAR", "", "the source's id in listen.toml"),
        _c("stream", "VARCHAR", "", "query or timeline within the source (tag:x, search:q, feed)"),
        _c("cursor", "VARCHAR", "", "JSON: the collector's paging state (cursor, ETag, ...)"),
        _c("updated_at", "TIMESTAMP", "UTC timestamp", "when the checkpoint was written"),
    ),
)

# Listening collectors (issue 10, H5a): malformed records skipped (with reason and count) and
# source errors, so that nothing is dropped silently.
COLLECT_LOG = Table(
    "collect_log",
    "Records skipped by collectors, with the reason, and errors of sources.",
    (
        _c("source_id", "VARCHAR", "", "the source's id in listen.toml"),
        _c("stream", "VARCHAR", "", "query or timeline within the source; NULL for the source"),
        _c("logged_at", "TIMESTAMP", "UTC timestamp", "when it happened"),
        _c("event", "VARCHAR", "", "skipped or error"),
        _c("reason", "VARCHAR", "", "why, in plain words (never a credential)"),
        _c("count", "BIGINT", COUNT, "records skipped for this reason on this page (1 for errors)"),
    ),
)

# Listening alerts (issue 10, H4): one row per alert event, updated while the event goes on
# (end, peak, version), with the version last delivered; see ripplemeter.listen.deliver.
ALERTS = Table(
    "alerts",
    "Alert events found by ripplemeter.listen.alerts, one row per event (key), kept current.",
    (
        _c("key", "VARCHAR", "", "stable event id: hash of rule, series and start"),
        _c("rule", "VARCHAR", "", "tuned, meltwater, changepoint or negative_share"),
        _c("series", "VARCHAR", "", "the series the rule ran on (a topic id)"),
        _c("start", "TIMESTAMP", "UTC timestamp", "first step of the event"),
        _c("end", "TIMESTAMP", "UTC timestamp", "last step of the event so far"),
        _c("peak_at", "TIMESTAMP", "UTC timestamp", "when the observed value peaked"),
        _c("observed", "DOUBLE", "see unit", "peak value the rule compared"),
        _c("expected", "DOUBLE", "see unit", "baseline at the peak"),
        _c("threshold", "DOUBLE", "see unit", "value the observed one had to exceed"),
        _c("window", "VARCHAR", "", "span the observed value is taken over (1h, 24h, ...)"),
        _c("unit", "VARCHAR", "", "mentions per step, share, ..."),
        _c("post_ids", "VARCHAR", "", "JSON list of the posts that drove it"),
        _c("explanation", "VARCHAR", "", "why it fired, in one sentence"),
        _c("version", "INTEGER", "", "1, then + 1 each time the ongoing event changed"),
        _c("updated_at", "TIMESTAMP", "UTC timestamp", "when the row was last written"),
        _c("delivered_version", "INTEGER", "", "highest version delivered on any channel"),
    ),
)

# Listening alerts (issue 10, H4): every delivery attempt (webhook or e-mail); a 'delivered'
# row is written in the same transaction that marks the alert delivered.
ALERT_DELIVERIES = Table(
    "alert_deliveries",
    "Delivery log of alerts: one row per attempt on a channel.",
    (
        _c("alert_key", "VARCHAR", "", "alerts.key"),
        _c("channel", "VARCHAR", "", "the channel's id in [[alerts.deliver]] (or its kind)"),
        _c("version", "INTEGER", "", "the alert version sent"),
        _c("attempt", "INTEGER", COUNT, "1 for the first try in a run"),
        _c("status", "VARCHAR", "", "delivered, retry or failed"),
        _c("http_status", "INTEGER", "", "webhook answer status, NULL when none"),
        _c("smtp_reply", "VARCHAR", "", "SMTP reply code and text, NULL for webhooks"),
        _c("detail", "VARCHAR", "", "what went wrong, in plain words (never a secret)"),
        _c("at", "TIMESTAMP", "UTC timestamp", "when the attempt ended"),
    ),
)

# Content calendar (issue 11, H8: ripplemeter.operations.calendar). Mutable workspace tables:
# the plan row is updated in place; every change is also written to plan_transitions.
PLANNED_POSTS = Table(
    "planned_posts",
    "Posts planned in the content calendar, one row per plan (current version).",
    (
        _c("plan_id", "VARCHAR", "", "calendar id such as p12"),
        _c("version", "INTEGER", COUNT, "1 when created; every edit adds 1 (approvals name it)"),
        _c(
            "state",
            "VARCHAR",
            "",
            "draft, in_review, approved, scheduled, published, failed or cancelled",
        ),
        _c("text", "VARCHAR", "", "post text as written by the team (untrusted)"),
        _c("link", "VARCHAR", "", "link posted with the text, when given apart from it"),
        _c("media", "VARCHAR", "", "JSON list of media references (paths or URLs)"),
        _c("accounts", "VARCHAR", "", "target account ids, comma-separated"),
        _c("scheduled_at", "TIMESTAMP", "UTC timestamp", "when the post goes out, in UTC"),
        _c("timezone", "VARCHAR", "", "IANA zone the time was planned in (the account's)"),
        _c("campaign_id", "VARCHAR", "", "campaign the post serves"),
        _c("pillar", "VARCHAR", "", "content pillar label"),
        _c("promotional", "BOOLEAN", "", "the post sells (counts toward the content-mix limit)"),
        _c("paid", "BOOLEAN", "", "the post will be paid (boosted, sponsored)"),
        _c("paid_partnership", "BOOLEAN", "", "the post carries the platform's paid label"),
        _c("lang", "VARCHAR", "", "ISO 639-1 language of the text"),
        _c("created_by", "VARCHAR", "", "team member id of the author"),
        _c("created_at", "TIMESTAMP", "UTC timestamp", "when the plan was created"),
        _c("updated_at", "TIMESTAMP", "UTC timestamp", "last change"),
    ),
)

PLANNED_VARIANTS = Table(
    "planned_variants",
    "Per-platform text of a planned post (replaces the main text on that platform).",
    (
        _c("plan_id", "VARCHAR", "", "planned_posts.plan_id"),
        _c("platform", "VARCHAR", "", "x, mastodon, bluesky, instagram, ..."),
        _c("text", "VARCHAR", "", "the text for that platform (untrusted)"),
    ),
)

PLAN_APPROVALS = Table(
    "plan_approvals",
    "Approvals of planned posts; an approval counts for the version it approved only.",
    (
        _c("plan_id", "VARCHAR", "", "planned_posts.plan_id"),
        _c("version", "INTEGER", "", "the version approved"),
        _c("approver", "VARCHAR", "", "team member id"),
        _c("at", "TIMESTAMP", "UTC timestamp", "when approved"),
        _c("comment", "VARCHAR", "", "the approver's comment"),
        _c("voided_at", "TIMESTAMP", "UTC timestamp", "when an edit voided it; NULL while valid"),
    ),
)

PLAN_TRANSITIONS = Table(
    "plan_transitions",
    "The calendar's audit log: every action on a planned post, who, when, from, to.",
    (
        _c("plan_id", "VARCHAR", "", "planned_posts.plan_id"),
        _c("seq", "BIGINT", "", "order of the entry in the workspace (1, 2, ...)"),
        _c(
            "action",
            "VARCHAR",
            "",
            "create, edit, submit, approve, reject, schedule, publish, fail, cancel, import",
        ),
        _c("from_state", "VARCHAR", "", "state before (NULL on create and import)"),
        _c("to_state", "VARCHAR", "", "state after"),
        _c("actor", "VARCHAR", "", "team member id"),
        _c("at", "TIMESTAMP", "UTC timestamp", "when, by the calendar's clock"),
        _c("version", "INTEGER", "", "plan version after the action"),
        _c("comment", "VARCHAR", "", "comment, or the platform's error on fail"),
    ),
)

PLAN_FINDINGS = Table(
    "plan_findings",
    "Linter and length findings stored when a planned post is submitted or approved.",
    (
        _c("plan_id", "VARCHAR", "", "planned_posts.plan_id"),
        _c("version", "INTEGER", "", "the version checked"),
        _c("account_id", "VARCHAR", "", "account whose rules and platform were applied"),
        _c("rule", "VARCHAR", "", "rule id (lint rule or length.<platform>)"),
        _c("severity", "VARCHAR", "", "error or warning"),
        _c("span_start", "INTEGER", "code points", "start of the span in the text, or NULL"),
        _c("span_end", "INTEGER", "code points", "end of the span, or NULL"),
        _c("why", "VARCHAR", "", "the rule in plain words"),
        _c("fix", "VARCHAR", "", "what to do"),
        _c("at", "TIMESTAMP", "UTC timestamp", "when checked"),
    ),
)

PLAN_PUBLICATIONS = Table(
    "plan_publications",
    "Outcome of publishing a planned post on one account: the platform's id and URL, or its error.",
    (
        _c("plan_id", "VARCHAR", "", "planned_posts.plan_id"),
        _c("account_id", "VARCHAR", "", "account published to"),
        _c("status", "VARCHAR", "", "published or failed"),
        _c("platform_post_id", "VARCHAR", "", "the platform's id of the post"),
        _c("url", "VARCHAR", "", "permalink on the platform"),
        _c("error", "VARCHAR", "", "the platform's error message (failed only)"),
        _c("actor", "VARCHAR", "", "team member id (or the publisher's user)"),
        _c("at", "TIMESTAMP", "UTC timestamp", "when recorded"),
    ),
)

# Publishing (issue 11 item 5, H9: ripplemeter.operations.publish). Mutable: a row is written
# BEFORE the platform is called, in its own transaction, and closed with the outcome; a row
# still 'pending' at the next run is reconciled with the platform before anything is sent.
PUBLISH_INTENTS = Table(
    "publish_intents",
    "Publishing intents: one per planned post and account, written before the platform is called.",
    (
        _c("plan_id", "VARCHAR", "", "planned_posts.plan_id"),
        _c("account_id", "VARCHAR", "", "account published to"),
        _c("platform", "VARCHAR", "", "mastodon or bluesky"),
        _c("version", "INTEGER", COUNT, "the plan's version being published"),
        _c("key", "VARCHAR", "", "Mastodon Idempotency-Key or Bluesky record key (TID)"),
        _c("text", "VARCHAR", "", "the exact text sent (untrusted), for reconciliation"),
        _c("status", "VARCHAR", "", "pending, published or failed"),
        _c("attempts", "INTEGER", COUNT, "runs that tried to send it"),
        _c("created_at", "TIMESTAMP", "UTC timestamp", "when the intent was first written"),
        _c("updated_at", "TIMESTAMP", "UTC timestamp", "last change"),
        _c("platform_post_id", "VARCHAR", "", "the platform's id of the post, once known"),
        _c("url", "VARCHAR", "", "permalink on the platform, once known"),
        _c("error", "VARCHAR", "", "the last error, in plain words (never a credential)"),
    ),
)

# Community inbox (issue 12 item 3, H12: ripplemeter.operations.inbox). Append-only: each row is
# one action on an inbox item (a comment, reply or mention addressed to an owned account); the
# item's state is its latest row, or "open"/"replied" (from the posts) when it has none.
INBOX_EVENTS = Table(
    "inbox_events",
    "The inbox's audit log: every assignment, closing, move to private message or reopening.",
    (
        _c("item_id", "VARCHAR", "", "posts.post_id of the comment, reply or mention"),
        _c("seq", "BIGINT", "", "order of the entry in the workspace (1, 2, ...)"),
        _c("action", "VARCHAR", "", "assign, close, private or reopen"),
        _c("from_state", "VARCHAR", "", "state before"),
        _c("to_state", "VARCHAR", "", "open, assigned, replied, closed or private"),
        _c("assignee", "VARCHAR", "", "team member id the item is assigned to, after the action"),
        _c("actor", "VARCHAR", "", "team member id who acted"),
        _c("at", "TIMESTAMP", "UTC timestamp", "when"),
        _c("note", "VARCHAR", "", "comment given with the action"),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        ACCOUNTS,
        POSTS,
        POST_METRICS,
        ACCOUNT_DAILY,
        FOLLOWS,
        SPEND,
        AD_METRICS,
        AD_CONVERSIONS,
        WEB_METRICS,
        OUTCOMES,
        INDEX_SERIES,
        INDEX_GEO,
        INDEX_RELATED,
        RATE_CARDS,
        SERP_RESULTS,
        SEARCH_CONSOLE,
        ANNOTATIONS,
        TRENDING_TOPICS,
        COLLECT_CHECKPOINTS,
        COLLECT_LOG,
        ALERTS,
        ALERT_DELIVERIES,
        PLANNED_POSTS,
        PLANNED_VARIANTS,
        PLAN_APPROVALS,
        PLAN_TRANSITIONS,
        PLAN_FINDINGS,
        PLAN_PUBLICATIONS,
        PUBLISH_INTENTS,
        INBOX_EVENTS,
    )
}

IMPORTS_DDL = """
CREATE TABLE IF NOT EXISTS imports (
    import_id BIGINT PRIMARY KEY,
    path VARCHAR,
    sha256 VARCHAR,
    format VARCHAR,
    context_key VARCHAR,
    rows BIGINT,
    rows_by_table VARCHAR,
    notes VARCHAR,
    source_timezone VARCHAR,
    started_at TIMESTAMP,
    finished_at TIMESTAMP,
    status VARCHAR
)
"""

SCHEMA_VERSION = 1
