"""Report section ``inbox``: volume, reply times in business hours, breaches, unanswered complaints.

The section reads the campaign's posts and accounts (``ctx.tables``, scoped to its imports),
copies them into a scratch in-memory workspace (built once per evaluation and shared with
the ``audit`` section) and runs :func:`ripplemeter.operations.inbox.build_inbox` over the
campaign window. Owned accounts are those the campaign's sources register with the role
``owned`` (an ``accounts`` source). States set with ``ripplemeter inbox assign/close`` live
in the working workspace, not in the campaign's imports, so the section counts an item as
answered only when an owned account replied.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ripplemeter.evaluate.metrics import Metric
from ripplemeter.evaluate.section import Figure, SectionResult, register_section
from ripplemeter.formatting import account_name

__all__ = [
    "InboxSection",
    "Settings",
    "account_names",
    "load_section_standards",
    "local_time",
    "scratch_workspace",
]

INBOX_ITEMS = Metric(
    "inbox_items", "Inbox items", "comments, thread replies and mentions addressed to owned "
    "accounts, created in the campaign window", "count", "ripplemeter decision",
    "Spam included (counted as its own category).",
)  # fmt: skip
INBOX_ANSWERED = Metric(
    "inbox_answered", "Items answered", "items with a reply by an owned account", "count",
    "ripplemeter decision", "A reply after the window still counts (it answers the item).",
)  # fmt: skip
INBOX_MEDIAN = Metric(
    "inbox_median_reply_hours", "Median reply time",
    "median business hours from an item to the first owned reply (answered items)",
    "business hours", "Zendesk first reply time in business hours; calendar of standards.toml",
    "Wall-clock hours when no [business_hours] table is given.",
)  # fmt: skip
INBOX_BREACHES = Metric(
    "inbox_breaches", "Reply-time breaches",
    "complaints and questions answered after the target or unanswered past the deadline at "
    "the window's end", "count", "standards.toml reply_within_hours (default 8 business hours)",
)  # fmt: skip
INBOX_UNANSWERED_COMPLAINTS = Metric(
    "inbox_unanswered_complaints", "Unanswered complaints",
    "complaints (negative, addressed to the brand) without an owned reply", "count",
    "ripplemeter decision",
)  # fmt: skip

INBOX_UNLINKED = Metric(
    "inbox_unlinked_replies", "Replies naming no post",
    "replies by the owned accounts created in the campaign window whose export names no "
    "parent post", "count", "ripplemeter decision",
    "X Analytics exports write replies as '@user ...' rows without the post they answer: "
    "they answer no item, so items they may have answered count as unanswered.",
)  # fmt: skip

INBOX_TARGET = Metric(
    "inbox_reply_target", "Reply-time target",
    "the standard's reply_within_hours (campaign.toml [inbox] reply_within_hours overrides it)",
    "business hours", "standards.toml reply_within_hours", "8 business hours when neither sets it.",
)  # fmt: skip

INBOX_ITEM_HOURS = Metric(
    "inbox_item_hours", "Reply time of an item",
    "business hours from the item to the first owned reply, or to the window's end when "
    "unanswered", "business hours", "standards.toml [business_hours]",
)  # fmt: skip

BINS = ((0, 1), (1, 4), (4, 8), (8, 24), (24, 72), (72, None))


class Settings(BaseModel):
    """``[inbox]`` in campaign.toml."""

    model_config = ConfigDict(extra="forbid")
    standards: str | None = None
    """standards.toml (business hours, reply target), relative to campaign.toml."""
    reply_within_hours: float | None = Field(None, gt=0)
    """Reply-time target overriding the standard's (business hours)."""
    sentiment_tier: Literal["fast", "accurate"] = "fast"
    """Sentiment tier that tells complaints from praise (``accurate``: slower, more exact)."""


def load_section_standards(ctx, path: str | None):
    """The standards file a section's settings name (relative to campaign.toml), or None.

    Without one of its own, a section uses the file ``[calendar] standards`` names, so that
    a campaign names its standard once for the calendar, audit and inbox sections.
    """
    if not path:
        cal = ctx.settings.get("calendar") if ctx.settings else None
        path = getattr(cal, "standards", None)
    if not path:
        return None
    from ripplemeter.operations.standards import load_standards

    p = Path(path)
    if not p.is_absolute() and ctx.campaign_file is not None:
        p = Path(ctx.campaign_file).parent / p
    return load_standards(p)


def scratch_workspace(ctx) -> Any:
    """The campaign's posts, post metrics and accounts in an in-memory workspace (memoised).

    The operations code (inbox, audit) reads a workspace; a section may read only
    ``ctx.tables``, so the scoped tables are copied, once per evaluation.
    """
    key = ("scratch_workspace", "inbox-audit")
    if key in ctx.memo:
        return ctx.memo[key]
    from ripplemeter import schema
    from ripplemeter.workspace import Workspace

    ws = Workspace()
    ws.con.execute("SELECT 1").fetchall()  # finish the schema's last statement before register()
    for name in ("accounts", "posts", "post_metrics"):
        df = ctx.tables[name].to_pandas()
        if df.empty:
            continue
        cols = [
            c for c in [*schema.TABLES[name].column_names, "import_id", "source_row"] if c in df
        ]
        ws.con.register("_rm_scratch", df[cols])
        collist = ", ".join(f'"{c}"' for c in cols)
        ws.con.execute(
            f'INSERT INTO "{name}" ({collist}) SELECT {collist} FROM _rm_scratch'
        ).fetchall()
        ws.con.unregister("_rm_scratch")
    ctx.memo[key] = ws
    return ws


def account_names(ws) -> dict[str, str]:
    """Account id -> how it reads: ``@handle``, else its display name.

    A registered row (an accounts import or ``ripplemeter accounts``: a role other than
    ``public``) wins over what other imports wrote; among equals the latest row. A handle
    that is only the account's numeric native id (``1`` for ``x:1``) is no name. Ids
    without a handle or a name are left out (callers show the id).

    Parameters
    ----------
    ws : Workspace
        Any object with a DuckDB ``con`` holding the ``accounts`` table.

    Returns
    -------
    dict of str to str
        Account id -> ``@handle`` or display name.
    """
    rows = ws.con.execute(
        "SELECT account_id, handle, name FROM accounts "
        "ORDER BY coalesce(role, 'public') <> 'public', import_id NULLS FIRST"
    ).fetchall()
    out: dict[str, str] = {}
    for aid, handle, name in rows:
        shown = account_name(aid, handle, name)
        if shown:
            out[aid] = shown
    return out


def local_time(t, zone: str) -> str:
    """A naive-UTC instant as ``YYYY-MM-DD HH:MM`` in ``zone``.

    Parameters
    ----------
    t : datetime-like
        Naive (read as UTC) or zone-aware.
    zone : str
        IANA zone name, e.g. ``Asia/Shanghai``.

    Returns
    -------
    str
        The local wall-clock time, minutes precision.
    """
    import pandas as pd

    ts = pd.Timestamp(t)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.tz_convert(zone).strftime("%Y-%m-%d %H:%M")


def _owned(ws) -> list[str]:
    from ripplemeter.operations.inbox import owned_accounts

    return owned_accounts(ws)


@register_section
class InboxSection:
    """The community inbox over the campaign window."""

    id = "inbox"
    title = "Community inbox"
    order = 96
    metrics = (
        INBOX_ITEMS, INBOX_ANSWERED, INBOX_MEDIAN, INBOX_BREACHES, INBOX_UNANSWERED_COMPLAINTS,
        INBOX_ITEM_HOURS, INBOX_TARGET, INBOX_UNLINKED,
    )  # fmt: skip
    settings = Settings

    def run(self, ctx) -> SectionResult:
        import datetime as dt

        import numpy as np

        from ripplemeter.operations.inbox import InboxSettings, build_inbox

        st = ctx.settings_for(self)
        ws = scratch_workspace(ctx)
        owned = _owned(ws)
        if not owned:
            return SectionResult.no_data(
                "no owned account among the campaign's sources (add an accounts source with "
                "role = owned)"
            )
        std = load_section_standards(ctx, st.standards)
        cal = None
        target_h = 8.0
        if std is not None:
            if std.file.business_hours is not None:
                cal = std.business_calendar()
            if std.rules_for(None).reply_within_hours is not None:
                target_h = std.rules_for(None).reply_within_hours
        if st.reply_within_hours is not None:
            target_h = st.reply_within_hours
        lo = ctx.window.campaign.lo.to_pydatetime()
        hi = ctx.window.campaign.hi.to_pydatetime()
        settings = InboxSettings(
            target=dt.timedelta(hours=target_h), calendar=cal, now=hi,
            sentiment_tier=st.sentiment_tier,
        )  # fmt: skip
        ib = build_inbox(ws, owned, settings=settings, since=lo, until=hi)
        if ib.empty:
            return SectionResult.no_data(
                "no comment, reply or mention addressed to an owned account in the campaign window"
            )
        counted = ib[ib["category"] != "spam"]
        answered = counted[counted["reply_hours"].notna()]
        med = float(answered["reply_hours"].median()) if len(answered) else None
        breaches = counted[counted["breach"]]
        unc = counted[(counted["category"] == "complaint") & counted["reply_hours"].isna()]
        dist = []
        h = answered["reply_hours"].to_numpy(float)
        for a, b in BINS:
            n = int(np.sum((h >= a) & (h < b))) if b is not None else int(np.sum(h >= a))
            dist.append({"from": a, "to": b, "items": n})

        names = account_names(ws)
        zone = ctx.window.timezone

        def rows(df):
            return [
                {
                    "item_id": r["item_id"],
                    "account": names.get(r["owned_account"], r["owned_account"]),
                    "author": names.get(r["author_id"], r["author_id"])
                    if isinstance(r["author_id"], str) and r["author_id"]
                    else "unknown author",
                    "created_at": r["created_at"].isoformat(),
                    "when": local_time(r["created_at"], zone),
                    "category": r["category"],
                    "text": r["text"] if isinstance(r["text"], str) else "",
                    "url": r["url"] if isinstance(r["url"], str) else None,
                    "hours": float(r["reply_hours"] if r["reply_hours"] == r["reply_hours"] else r["waiting_hours"]),
                    "answered": bool(r["reply_hours"] == r["reply_hours"]),
                }
                for r in df.head(20).to_dict("records")
            ]  # fmt: skip

        data = {
            "items": len(ib),
            "answered": int(len(answered)),
            "median_reply_hours": med,
            "breaches": int(len(breaches)),
            "unanswered_complaints": int(len(unc)),
            "reply_within_hours": target_h,
            "business_hours": cal is not None,
            "timezone": zone,
            "categories": {k: int(v) for k, v in ib["category"].value_counts().items()},
            "distribution": dist,
            "breach_list": rows(breaches),
            "complaint_list": rows(unc),
        }
        figs = [
            Figure("inbox.items", INBOX_ITEMS.id, len(ib)),
            Figure("inbox.answered", INBOX_ANSWERED.id, int(len(answered))),
            Figure(
                "inbox.median_reply_hours",
                INBOX_MEDIAN.id,
                med,
                None if med is not None else "no item was answered by an owned account",
            ),  # fmt: skip
            Figure("inbox.breaches", INBOX_BREACHES.id, int(len(breaches))),
            Figure("inbox.reply_within_hours", INBOX_TARGET.id, float(target_h)),
            Figure("inbox.unanswered_complaints", INBOX_UNANSWERED_COMPLAINTS.id, int(len(unc))),
        ]
        for i, d in enumerate(dist):
            figs.append(Figure(f"inbox.distribution.{i}.items", INBOX_ANSWERED.id, d["items"]))
        for key in ("breach_list", "complaint_list"):
            for i, r in enumerate(data[key]):
                figs.append(Figure(f"inbox.{key}.{i}.hours", INBOX_ITEM_HOURS.id, r["hours"]))
        notes = []
        if cal is None:
            notes.append(
                "reply times are wall-clock hours: no [business_hours] in a standards file"
            )
        unlinked = unlinked_replies(ws, owned, lo, hi)
        data["unlinked_replies"] = unlinked
        figs.append(Figure("inbox.unlinked_replies", INBOX_UNLINKED.id, unlinked))
        if unlinked:
            notes.append(
                f"{unlinked} {'reply' if unlinked == 1 else 'replies'} by the owned accounts in "
                f"the window {'does' if unlinked == 1 else 'do'} not say which post "
                f"{'it answers' if unlinked == 1 else 'they answer'} (the export leaves the "
                "parent out), so no item can be matched to "
                f"{'it' if unlinked == 1 else 'them'}: some items counted unanswered may have "
                "been answered. Import replies with their parent (a comments export with "
                "parent_id) to know."
            )
        return SectionResult(figures=figs, data={"inbox": data}, frames={"inbox": ib}, notes=notes)


def unlinked_replies(ws, owned: list[str], since, until) -> int:
    """How many replies by the owned accounts in ``[since, until]`` name no parent post.

    Such replies (an X export's "@user ..." rows) cannot be matched to the inbox items they
    answer, so the inbox counts those items unanswered; the audit says the same
    (:mod:`ripplemeter.operations.audit`).

    Parameters
    ----------
    ws : Workspace
    owned : list of str
        Owned account ids.
    since, until : datetime
        The window, naive UTC, both ends included.

    Returns
    -------
    int
    """
    if not owned:
        return 0
    (n,) = ws.con.execute(
        "SELECT count(*) FROM posts WHERE kind = 'reply' AND parent_id IS NULL "
        "AND account_id IN (SELECT unnest(?::VARCHAR[])) AND created_at BETWEEN ? AND ?",
        [list(owned), since, until],
    ).fetchone()
    return int(n)
