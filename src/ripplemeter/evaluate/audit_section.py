"""Report section ``audit``: the seven classic mistakes and the account indices of each owned account.

Reads the campaign's posts and accounts through the scratch workspace of
:func:`ripplemeter.evaluate.inbox_section.scratch_workspace` and runs
:func:`ripplemeter.operations.audit.audit_account` for every owned account with a post in
the campaign window, plus :func:`ripplemeter.evaluate.account_indices.account_indices` for the
owned and competitor accounts.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from ripplemeter.evaluate.account_indices import ACCOUNT_INDEX_METRICS
from ripplemeter.evaluate.inbox_section import (
    account_names,
    load_section_standards,
    scratch_workspace,
)
from ripplemeter.evaluate.section import Figure, SectionResult, register_section
from ripplemeter.operations.audit import AUDIT_METRICS

__all__ = ["AuditSection", "Settings", "audit_document"]


def audit_document(res) -> dict:
    """One account's audit as the report's template reads it (``audit.html``).

    :meth:`AuditResult.to_dict` plus what the CLI prints the same way: each measure's value
    as shown (``shown``: ratios as percentages) and ``notes``, the findings that are none of
    the seven mistakes (over-posting), listed apart.

    Parameters
    ----------
    res : ripplemeter.operations.audit.AuditResult

    Returns
    -------
    dict
    """
    from ripplemeter.operations.audit import format_value

    units = {m.id: m.unit for m in AUDIT_METRICS}
    d = res.to_dict()
    for md in d["mistakes"]:
        # the score's unit in words beside it (a ratio is shown as a percentage already)
        unit = units.get(md["metric"])
        md["score_unit"] = None if unit in (None, "ratio") else unit
        for ms in md["measures"]:
            ms["shown"] = format_value(ms["value"], ms["unit"])
    d["notes"] = [n for m in res.mistakes for n in m.notes]
    return d


class Settings(BaseModel):
    """``[audit]`` in campaign.toml."""

    model_config = ConfigDict(extra="forbid")
    standards: str | None = None
    """standards.toml (thresholds, business hours, brand name), relative to campaign.toml."""
    max_findings: int = 5
    """Findings listed per mistake."""


@register_section
class AuditSection:
    """The seven-mistakes audit of the owned accounts over the campaign window."""

    id = "audit"
    title = "Account audit: the seven classic mistakes"
    order = 95
    metrics = (*AUDIT_METRICS, *ACCOUNT_INDEX_METRICS)
    settings = Settings

    def run(self, ctx) -> SectionResult:
        import math

        from ripplemeter.evaluate.account_indices import account_indices
        from ripplemeter.operations.accounts import list_accounts
        from ripplemeter.operations.audit import audit_account

        st = ctx.settings_for(self)
        ws = scratch_workspace(ctx)
        acc = list_accounts(ws)
        owned = acc.loc[acc["role"] == "owned", "account_id"].tolist()
        if not owned:
            return SectionResult.no_data(
                "no owned account among the campaign's sources (add an accounts source with "
                "role = owned)"
            )
        lo = ctx.window.campaign.lo.to_pydatetime()
        hi = ctx.window.campaign.hi.to_pydatetime()
        active = {
            r[0]
            for r in ws.con.execute(
                "SELECT DISTINCT account_id FROM posts WHERE created_at >= ? AND created_at < ?",
                [lo, hi],
            ).fetchall()
        }
        audited = [a for a in owned if a in active]
        if not audited:
            return SectionResult.no_data("no owned account posted in the campaign window")
        std = load_section_standards(ctx, st.standards)
        comp = acc.loc[acc["role"] == "competitor", "account_id"].tolist()
        idx = account_indices(ws, [*audited, *comp], lo, hi).set_index("account_id")
        figs: list[Figure] = []
        accounts = []
        names = account_names(ws)
        for i, a in enumerate(audited):
            res = audit_account(
                ws, a, since=lo, until=hi, standards=std, max_findings=st.max_findings, now=hi,
                timezone=ctx.window.timezone,
            )  # fmt: skip
            d = audit_document(res)
            d["account"] = names.get(a, a)
            p = f"audit.accounts.{i}"
            for j, m in enumerate(res.mistakes):
                figs.append(
                    Figure(
                        f"{p}.mistakes.{j}.score",
                        m.metric,
                        m.score,
                        m.reason if m.score is None else None,
                    )
                )
            row = idx.loc[a]
            ind = {}
            for k in (
                "weibo_bci",
                "wechat_wci",
                "conversation_rate",
                "amplification_rate",
                "applause_rate",
            ):
                v = row[k]
                v = None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
                reason = None
                if v is None:
                    reason = (
                        row["wci_reason"]
                        if k == "wechat_wci"
                        else (
                            row["reason"] or "not a Weibo account"
                            if k == "weibo_bci"
                            else row["reason"] or "no count reported"
                        )
                    )
                ind[k] = v
                figs.append(Figure(f"{p}.indices.{k}", k, v, reason))
            d["indices"] = ind
            accounts.append(d)
        return SectionResult(figures=figs, data={"audit": {"accounts": accounts}})
