"""Meta (Facebook / Instagram) Ads Manager "Export table data" CSV -> ``ad_metrics``.

The export is what Ads Manager writes under *Reports -> Export table data -> .csv*: UTF-8
with a byte-order mark, one row per campaign (or per campaign and breakdown value), the
account total first with an empty campaign name, the currency both inside a header
(``Amount spent (INR)``) and in a ``Currency`` column, and empty cells where a metric does
not apply. Conversions (adds to cart, purchases, ...) go to ``ad_conversions`` in long form.

Reference: Meta Business Help Center, "Export your ad reports" and "About breakdowns";
column meanings as in the Ads Manager column picker.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ripplemeter.errors import FormatError
from ripplemeter.formats import Rows, SourceContext, register
from ripplemeter.formats._io import (
    Table,
    header_has,
    int_series,
    parse_dates,
    parse_numbers,
    read_table,
    read_text,
    require_final_line_break,
)

FORMAT = "meta-ads"

# A trailing ISO 4217 code in parentheses: "Amount spent (INR)", "CPM (...) (USD)".
_CURRENCY_SUFFIX = re.compile(r"^(?P<base>.*?)\s*\((?P<cur>[A-Z]{3})\)$")

#: Header of a campaign-level export with the columns of Ads Manager's "Performance and
#: clicks" preset plus shopping conversions (the layout of the public Teefusion export), in
#: file order. ``{currency}`` stands for the account's ISO 4217 code: see :func:`export_header`.
EXPORT_COLUMNS: tuple[str, ...] = (
    "Campaign name",
    "Reach",
    "Impressions",
    "Frequency",
    "Currency",
    "Amount spent ({currency})",
    "Link clicks",
    "CPC (cost per link click)",
    "Clicks (all)",
    "CPC (all)",
    "CTR (all)",
    "Adds to cart",
    "Cost per add to cart",
    "Checkouts initiated",
    "Cost per checkout initiated",
    "Purchases",
    "Reporting starts",
    "Reporting ends",
)


def export_header(currency: str) -> tuple[str, ...]:
    """:data:`EXPORT_COLUMNS` for an account in ``currency`` (``'Amount spent (USD)'``)."""
    return tuple(h.format(currency=currency) for h in EXPORT_COLUMNS)


#: normalised header -> (ad_metrics column, whole number?)
METRICS: dict[str, tuple[str, bool]] = {
    "reach": ("reach", True),
    "impressions": ("impressions", True),
    "frequency": ("frequency", False),
    "amount spent": ("spend", False),
    "link clicks": ("link_clicks", True),
    "clicks (all)": ("clicks_all", True),
    "cpc (cost per link click)": ("cpc_reported", False),
    "results": ("results", False),
}

#: normalised headers naming what a result is, in order of preference (``Result type`` is
#: the words Ads Manager shows, ``Result indicator`` its action name).
RESULT_TYPE_COLUMNS: tuple[str, ...] = ("result type", "result indicator")

#: normalised header of a conversion count -> (ad_conversions name, header of its cost)
CONVERSIONS: dict[str, tuple[str, str]] = {
    "adds to cart": ("adds_to_cart", "cost per add to cart"),
    "checkouts initiated": ("checkouts_initiated", "cost per checkout initiated"),
    "purchases": ("purchases", "cost per purchase"),
    "leads": ("leads", "cost per lead"),
    "registrations completed": ("registrations_completed", "cost per registration completed"),
    "landing page views": ("landing_page_views", "cost per landing page view"),
    "content views": ("content_views", "cost per content view"),
    "adds of payment info": ("adds_of_payment_info", "cost per add of payment info"),
}

# Columns that are neither a breakdown nor a stored metric (settings, status, ids).
_NOT_BREAKDOWN = {
    "campaign id",
    "ad set name",
    "ad set id",
    "ad name",
    "ad id",
    "campaign delivery",
    "delivery status",
    "delivery level",
    "attribution setting",
    "objective",
    "bid strategy",
    "budget",
    "budget type",
    "ad set budget",
    "starts",
    "ends",
    "result type",
    "result indicator",
    "cost per results",
    "cost per result",
}
_STRUCTURE = {"campaign name", "currency", "reporting starts", "reporting ends"}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d")


def _split_currency(header: str) -> tuple[str, str | None]:
    """``'Amount spent (INR)'`` -> (``'amount spent'``, ``'INR'``); other headers lowercased."""
    m = _CURRENCY_SUFFIX.match(header.strip())
    if m:
        return m.group("base").strip().lower(), m.group("cur")
    return header.strip().lower(), None


def _is_meta_export(lines: list[str]) -> bool:
    return header_has(lines, ("Campaign name", "Reporting starts", "Reporting ends"))


def _looks_like_other_format(path: Path, text: str) -> None:
    """Raise a FormatError naming the likely format when the file is not a Meta export."""
    first = text.lstrip("\ufeff").lstrip().split("\n", 1)[0]
    if first.startswith("#"):
        raise FormatError(
            path,
            row=1,
            message="the file starts with '#' comment lines like a Google Analytics report "
            "download, not a Meta Ads Manager export (no 'Campaign name' column); import it "
            "with --format ga4 or --format ga-universal",
        )


@register(FORMAT, recognise=_is_meta_export)
def read_meta_ads(path: Path, ctx: SourceContext) -> Rows:
    """Meta Ads Manager 'Export table data' CSV -> ad_metrics and ad_conversions rows.

    Parameters
    ----------
    path : Path
        The CSV as downloaded from Ads Manager (UTF-8 with BOM; plain UTF-8 is accepted).
    ctx : SourceContext
        ``platform`` (default ``'meta'``); ``currency`` is used only when neither a header
        nor a ``Currency`` column names one.

    Returns
    -------
    Rows
        ``ad_metrics``: one row per data row, with ``is_total`` TRUE on the account-total row
        (the first data row, whose campaign name is empty; its ``campaign`` is NULL and it
        is never added to the campaign rows). Columns between ``Campaign name`` and the
        first metric (``Age``, ``Gender``, ``Device platform``, ...) become ``breakdown``
        (the lowercased header; several are joined with `` | ``) and ``breakdown_value``.
        Money is in the export's currency; ``frequency`` is impressions per person;
        ``cpc_reported`` is the export's ``CPC (cost per link click)``; ``results`` is its
        ``Results`` (the campaign objective's results) and ``result_type`` what a result is
        on that row (``Result type``, else ``Result indicator``, as exported).
        ``ad_conversions``: one row per data row and conversion column present (adds to
        cart, checkouts initiated, purchases, ...), with ``cost_per`` from the matching
        ``Cost per ...`` column; ``source_row`` equals the ad_metrics row's, so the two
        join on ``(import_id, source_row)``. Empty cells are NULL, never 0.

    Raises
    ------
    FormatError
        Not a comma-separated file (the message names the delimiter found), a required
        column missing (``Campaign name``, ``Amount spent``, ``Reporting starts``,
        ``Reporting ends``), a cell that is not a number or date (file, row, column and
        value named), a ``Currency`` cell that disagrees with the currency in the headers,
        an empty campaign name on a row other than the first, a header without data rows,
        a truncated last line (Ads Manager ends its files with a line break: a file without
        one was cut short, even when its last value still reads as a number).

    Notes
    -----
    Columns the importer does not store (``CPC (all)``, ``CTR (all)``, ``Cost per
    results`` and any unknown metric: the ratios are computed from stored columns) are
    listed in ``Rows.notes``; the stored columns are kept.
    """
    dec = read_text(path)
    text = dec.text
    _looks_like_other_format(path, text)
    table = read_table(
        path,
        text,
        delimiter=",",
        required=("Campaign name", "Reporting starts", "Reporting ends"),
        format_name=FORMAT,
    )
    try:
        rows = _convert(path, table, ctx, dec.note)
    except FormatError as exc:
        if (
            table.rows
            and exc.row == table.rows[-1]
            and not text.endswith(("\n", "\r"))
            and "truncated" not in str(exc)
        ):
            raise FormatError(
                path,
                row=exc.row,
                column=exc.column,
                message=exc.detail + "; the file does not end with a line break, so the last "
                "line looks truncated",
            ) from None
        raise
    # a cut that leaves a shorter but valid number: Ads Manager ends its files with a line break
    require_final_line_break(path, text, table.rows[-1])
    return rows


def _convert(path: Path, table: Table, ctx: SourceContext, enc_note: str | None) -> Rows:
    notes: list[str] = [enc_note] if enc_note else []
    header = table.header
    norm: list[str] = []
    currencies: dict[str, str] = {}  # code -> first header naming it
    for h in header:
        base, cur = _split_currency(h)
        norm.append(base)
        if cur:
            currencies.setdefault(cur, h)
    if len(currencies) > 1:
        raise FormatError(
            path,
            row=table.header_row,
            message="the headers name different currencies: "
            + ", ".join(f"'{h}'" for h in currencies.values()),
        )
    header_currency = next(iter(currencies), None)
    index = {n: i for i, n in reversed(list(enumerate(norm)))}
    if "amount spent" not in index:
        raise FormatError(
            path,
            row=table.header_row,
            column="Amount spent",
            message="missing required column 'Amount spent (<currency>)' for format meta-ads",
        )

    # breakdown columns: between 'Campaign name' and the first known metric / structure column
    camp_i = index["campaign name"]
    breakdown_idx: list[int] = []
    ignored: list[str] = []
    for i in range(camp_i + 1, len(norm)):
        n = norm[i]
        if n in METRICS or n in CONVERSIONS or n in _STRUCTURE or n.startswith("cost per "):
            break
        if n in _NOT_BREAKDOWN or n.startswith(("cpc ", "ctr ", "cpm ")):
            continue
        breakdown_idx.append(i)
    known_cost = {cost for _, cost in CONVERSIONS.values()}
    type_col = next((index[n] for n in RESULT_TYPE_COLUMNS if n in index), None)
    for i, n in enumerate(norm):
        if i in breakdown_idx or n in _STRUCTURE or n in METRICS or i == type_col:
            continue
        if n in CONVERSIONS or n in known_cost:
            continue
        ignored.append(header[i])

    n_rows = len(table.records)
    campaigns = [(r[camp_i] or "").strip() for r in table.records]
    is_total = np.zeros(n_rows, dtype=bool)
    for k, name in enumerate(campaigns):
        if name:
            continue
        if k == 0:
            is_total[k] = True
        else:
            raise FormatError(
                path,
                row=table.rows[k],
                column=header[camp_i],
                message="empty campaign name on a row that is not the first data row; only "
                "the account-total row (the first) may have no campaign name",
            )
    if n_rows and not is_total.any():
        notes.append(f"{path.name}: no account-total row (first row has a campaign name)")

    out = pd.DataFrame(index=range(n_rows))
    out["platform"] = ctx.platform or "meta"
    out["campaign"] = [None if t else c for c, t in zip(campaigns, is_total, strict=True)]
    if breakdown_idx:
        bname = " | ".join(norm[i] for i in breakdown_idx)
        values = []
        names = []
        for rec, total in zip(table.records, is_total, strict=True):
            parts = [rec[i].strip() for i in breakdown_idx]
            if total:
                names.append(None)
                values.append(None)
            else:
                names.append(bname)
                values.append(" | ".join(parts) if any(parts) else None)
        out["breakdown"] = names
        out["breakdown_value"] = values
    else:
        out["breakdown"] = None
        out["breakdown_value"] = None

    starts = parse_dates(
        table, table.column("Reporting starts"), header[index["reporting starts"]], _DATE_FORMATS
    )
    ends = parse_dates(
        table, table.column("Reporting ends"), header[index["reporting ends"]], _DATE_FORMATS
    )
    for k, (s, e) in enumerate(zip(starts, ends, strict=True)):
        if e < s:
            raise FormatError(
                path,
                row=table.rows[k],
                column=header[index["reporting ends"]],
                expected=f"a date on or after the reporting start {s.isoformat()}",
                found=table.records[k][index["reporting ends"]],
            )
    out["reporting_start"] = starts
    out["reporting_end"] = ends

    for n, (col, whole) in METRICS.items():
        if n not in index:
            out[col] = None
            continue
        i = index[n]
        arr = parse_numbers(table, [r[i] for r in table.records], header[i], integer=whole)
        out[col] = (
            int_series(arr)
            if whole
            else pd.array(np.where(np.isnan(arr), None, arr), dtype="Float64")
        )

    out["result_type"] = (
        [(r[type_col].strip() or None) for r in table.records] if type_col is not None else None
    )

    # currency: the Currency column must agree with the currency named in the headers
    cur_values: list[str | None] = []
    if "currency" in index:
        ci = index["currency"]
        for k, rec in enumerate(table.records):
            v = rec[ci].strip().upper()
            if not v:
                cur_values.append(header_currency or ctx.currency)
                continue
            if header_currency and v != header_currency:
                raise FormatError(
                    path,
                    row=table.rows[k],
                    column=header[ci],
                    expected=f"'{header_currency}' as in the header "
                    f"'{currencies[header_currency]}'",
                    found=rec[ci],
                )
            cur_values.append(v)
    else:
        cur_values = [header_currency or ctx.currency] * n_rows
    if any(c is None for c in cur_values):
        notes.append(
            f"{path.name}: no currency in the headers or a Currency column; money columns "
            "have currency NULL (set the source's currency)"
        )
    out["currency"] = cur_values
    out["is_total"] = is_total
    out["source_row"] = table.rows

    conv_frames = []
    for n, (name, cost_name) in CONVERSIONS.items():
        if n not in index:
            continue
        i = index[n]
        vals = parse_numbers(table, [r[i] for r in table.records], header[i])
        if cost_name in index:
            j = index[cost_name]
            costs = parse_numbers(table, [r[j] for r in table.records], header[j])
        else:
            costs = np.full(n_rows, np.nan)
        conv_frames.append(
            pd.DataFrame(
                {
                    "name": name,
                    "value": pd.array(np.where(np.isnan(vals), None, vals), dtype="Float64"),
                    "cost_per": pd.array(np.where(np.isnan(costs), None, costs), dtype="Float64"),
                    "source_row": table.rows,
                }
            )
        )
    # cost columns whose count column is absent are ignored too
    for n, (_, cost_name) in CONVERSIONS.items():
        if cost_name in index and n not in index:
            ignored.append(header[index[cost_name]])

    rows = Rows(notes=notes)
    rows.add("ad_metrics", out)
    if conv_frames:
        rows.add("ad_conversions", pd.concat(conv_frames, ignore_index=True))
    if is_total.any():
        rows.notes.append(
            f"{path.name}: row {table.rows[int(np.argmax(is_total))]} is the account total "
            "(its campaign name is empty): kept once as the total, never added to the campaign rows"
        )
    if ignored:
        rows.notes.append(
            f"{path.name}: columns not stored (derivable from stored ones or not in the "
            "schema): " + ", ".join(f"'{h}'" for h in ignored)
        )
    return rows
