"""Small tables users keep themselves: outcomes, spend, rate cards, accounts (CSV or XLSX).

These are not platform exports but sheets a marketing team fills in: daily registrations or
sales from the CRM, media spend from the finance sheet, a rate card from the agency, the list
of owned / partner / competitor accounts. Column names are the canonical ones
(case-insensitive); dates are ``YYYY-MM-DD`` (``YYYY/MM/DD`` and Excel dates accepted).
CSV delimiters (``,`` ``;`` TAB) are sniffed; XLSX is read from the first sheet with row
numbers as the sheet shows them (recognised by its bytes, whatever its name). Sheets kept
in a European locale (``1.234,5``, ``31.03.2026``) are read when the source says so
(``decimal = ","``, ``dayfirst = true``); an undeclared number or date that could be read
two ways is refused with what to declare.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ripplemeter import schema
from ripplemeter.errors import FormatError
from ripplemeter.formats import Rows, SourceContext, register
from ripplemeter.formats._io import Table
from ripplemeter.formats.generic import (
    allowed_values,
    build_frame,
    check_columns,
    convert_column,
    namespace,
    read_tabular,
)

_CURRENCY = re.compile(r"^[A-Z]{3}$")
#: how a hand-made sheet writes numbers and dates: declared per source (decimal, dayfirst)
_OPTIONS = ("decimal", "dayfirst")

OUTCOMES_FORMAT = "outcomes"
#: Header of a long-form outcomes file: one row per day and metric (``source`` optional).
#: ``ripplemeter.demo`` writes its sample with it.
OUTCOMES_COLUMNS: tuple[str, ...] = ("date", "metric", "value", "source")


def _mapping(table: Table, tname: str, columns: list[str] | None = None) -> dict[str, str]:
    """Canonical columns present in the table by name (case-insensitive)."""
    by_lower = {h.lower(): h for h in reversed(table.header)}
    names = columns or schema.TABLES[tname].column_names
    return {c: by_lower[c] for c in names if c in by_lower}


def _platform_column(
    table: Table, df: pd.DataFrame, mapping: dict[str, str], ctx: SourceContext, fmt: str
) -> None:
    """Fill ``platform`` from the file or ``ctx.platform``; every row needs one."""
    if "platform" not in df.columns:
        if not ctx.platform:
            check_columns(table, ["platform"], fmt)
        df["platform"] = ctx.platform
        return
    vals = []
    for k, v in enumerate(df["platform"].tolist()):
        v = v.strip().lower() if isinstance(v, str) else ctx.platform
        if not v:
            raise FormatError(
                table.path,
                row=table.rows[k],
                column=mapping["platform"],
                expected="a platform name (or pass --platform)",
                found="",
            )
        vals.append(v)
    df["platform"] = pd.Series(vals, dtype=object)


def _currency_column(
    table: Table,
    df: pd.DataFrame,
    mapping: dict[str, str],
    ctx: SourceContext,
    notes: list[str],
) -> None:
    """Upper-case ISO 4217 codes; empty -> ctx.currency, else NULL with a note."""
    if "currency" not in df.columns:
        df["currency"] = ctx.currency.upper() if ctx.currency else None
        if not ctx.currency:
            notes.append(f"{table.path.name}: no currency column; currency is NULL")
        return
    vals = []
    empty = 0
    for k, v in enumerate(df["currency"].tolist()):
        if not isinstance(v, str):
            empty += 1
            vals.append(ctx.currency.upper() if ctx.currency else None)
            continue
        code = v.strip().upper()
        if not _CURRENCY.match(code):
            raise FormatError(
                table.path,
                row=table.rows[k],
                column=mapping["currency"],
                expected="a 3-letter currency code such as USD, CNY, KRW",
                found=v,
            )
        vals.append(code)
    if empty and not ctx.currency:
        notes.append(f"{table.path.name}: {empty} rows without a currency (stored as NULL)")
    df["currency"] = pd.Series(vals, dtype=object)


# ---------------------------------------------------------------------------- outcomes


@register(OUTCOMES_FORMAT, options=_OPTIONS)
def read_outcomes(path: Path, ctx: SourceContext) -> Rows:
    """Business outcomes by day (CSV/XLSX: date, metric, value[, source]; or wide) -> outcomes.

    Parameters
    ----------
    path : Path
        Long form: columns ``date``, ``metric``, ``value`` and optionally ``source``, one
        row per day and metric. Wide form (no ``metric``/``value`` columns): ``date``, an
        optional ``source`` and one column per metric, named by the metric
        (``date,registrations,orders``): each cell becomes one outcome.
    ctx : SourceContext
        ``decimal`` and ``dayfirst``: how the sheet writes numbers and dates.

    Returns
    -------
    Rows
        ``outcomes``: ``date`` (a calendar day, in the campaign's time zone), ``metric`` as
        written, ``value`` (``1,234`` and ``12%`` accepted; empty -> NULL), ``source`` from
        the file or, when absent or empty, the file name.

    Raises
    ------
    FormatError
        No ``date`` column, a date not ``YYYY-MM-DD``/``YYYY/MM/DD``, a value that is not
        a number, an empty metric name (file, row, column named).
    """
    table, notes = read_tabular(
        path,
        format_name=OUTCOMES_FORMAT,
        required=["date"],
        decimal=ctx.decimal,
        dayfirst=ctx.dayfirst,
    )
    lowered = {h.lower() for h in table.header}
    by_lower = {h.lower(): h for h in reversed(table.header)}
    if {"metric", "value"} <= lowered:
        mapping = _mapping(table, "outcomes", list(OUTCOMES_COLUMNS))
        df = build_frame(table, "outcomes", mapping, notes=notes)
        for k, m in enumerate(df["metric"].tolist()):
            if not isinstance(m, str):
                raise FormatError(
                    path,
                    row=table.rows[k],
                    column=by_lower["metric"],
                    expected="a metric name",
                    found="",
                )
    else:
        metric_cols = [h for h in table.header if h.lower() not in ("date", "source") and h]
        if not metric_cols:
            raise FormatError(
                path,
                row=table.header_row or None,
                message="expected columns date, metric, value (long form) or date plus one "
                "column per metric (wide form); found only: "
                + ", ".join(f"'{h}'" for h in table.header),
            )
        base = build_frame(table, "outcomes", _mapping(table, "outcomes", ["date", "source"]))
        parts = []
        for h in metric_cols:
            i = table.header.index(h)
            try:
                vals, _ = convert_column(table, [r[i] for r in table.records], h, "DOUBLE")
            except FormatError as exc:
                raise FormatError(
                    path,
                    row=exc.row,
                    column=exc.column,
                    expected=exc.expected,
                    found=exc.found,
                    message=f"{exc.detail}; without 'metric' and 'value' columns every column "
                    "other than date and source is read as one metric's daily numbers (wide "
                    "form)",
                ) from None
            part = base.copy()
            part["metric"] = h
            part["value"] = vals.to_numpy()
            parts.append(part)
        df = pd.concat(parts, ignore_index=True).sort_values(["source_row"], kind="stable")
        df = df.reset_index(drop=True)
        notes.append(
            f"{path.name}: wide form; metrics from the column names: " + ", ".join(metric_cols)
        )
    for k, d in enumerate(df["date"].tolist()):
        if d is None:
            raise FormatError(
                path,
                row=int(df["source_row"].iloc[k]),
                column=by_lower["date"],
                expected="a date (YYYY-MM-DD)",
                found="",
            )
    if "source" not in df.columns:
        df["source"] = path.name
    else:
        df["source"] = df["source"].where(df["source"].notna(), path.name)
    rows = Rows(notes=notes)
    rows.add("outcomes", df)
    return rows


# ---------------------------------------------------------------------------- spend


@register("spend", options=_OPTIONS)
def read_spend(path: Path, ctx: SourceContext) -> Rows:
    """Media spend by day or period (CSV/XLSX) -> spend.

    Parameters
    ----------
    path : Path
        Columns ``amount`` and either ``date`` or ``reporting_start`` + ``reporting_end``
        (inclusive); ``platform`` (or ``ctx.platform``), ``campaign``, ``currency`` (or
        ``ctx.currency``), ``impressions``, ``link_clicks`` optional.
    ctx : SourceContext
        ``platform`` and ``currency`` used where the file has no such column or cell.

    Returns
    -------
    Rows
        ``spend``: one row per record; ``date`` set for daily rows, ``reporting_start`` /
        ``reporting_end`` for period rows. ``amount`` in ``currency`` (ISO 4217, upper
        case; NULL with a note when neither the file nor the context gives one).

    Raises
    ------
    FormatError
        Missing ``amount``, neither ``date`` nor both period columns, a row with neither a
        date nor a full period, a period ending before it starts, a bad number, date or
        currency code (file, row, column named).
    """
    fmt = "spend"
    table, notes = read_tabular(
        path, format_name=fmt, required=["amount"], decimal=ctx.decimal, dayfirst=ctx.dayfirst
    )
    mapping = _mapping(table, "spend")
    has_period = "reporting_start" in mapping and "reporting_end" in mapping
    if "date" not in mapping and not has_period:
        missing = "reporting_end" if "reporting_start" in mapping else "date"
        raise FormatError(
            path,
            row=table.header_row or None,
            column=missing,
            message=f"missing required column '{missing}' for format spend: give a 'date' "
            "column or 'reporting_start' and 'reporting_end'",
        )
    df = build_frame(table, "spend", mapping, notes=notes)
    for c in ("date", "reporting_start", "reporting_end"):
        if c not in df.columns:
            df[c] = pd.Series([None] * len(df), dtype=object)
    for k in range(len(df)):
        d, s, e = df["date"].iloc[k], df["reporting_start"].iloc[k], df["reporting_end"].iloc[k]
        if d is None and (s is None or e is None):
            col = (
                "date"
                if "date" in mapping
                else ("reporting_start" if s is None else "reporting_end")
            )
            raise FormatError(
                path,
                row=table.rows[k],
                column=mapping.get(col, col),
                expected="a date, or a reporting_start and reporting_end",
                found="",
            )
        if s is not None and e is not None and e < s:
            raise FormatError(
                path,
                row=table.rows[k],
                column=mapping["reporting_end"],
                expected=f"a date on or after reporting_start {s.isoformat()}",
                found=e.isoformat(),
            )
    _platform_column(table, df, mapping, ctx, fmt)
    _currency_column(table, df, mapping, ctx, notes)
    for k, a in enumerate(df["amount"].tolist()):
        if a is pd.NA or a is None:
            raise FormatError(
                path, row=table.rows[k], column=mapping["amount"], expected="an amount", found=""
            )
    rows = Rows(notes=notes)
    rows.add("spend", df)
    return rows


# ---------------------------------------------------------------------------- rate cards


@register("rate-card", options=_OPTIONS)
def read_rate_card(path: Path, ctx: SourceContext) -> Rows:
    """Rate card for advertising value equivalent (CSV/XLSX) -> rate_cards.

    Parameters
    ----------
    path : Path
        Columns ``platform`` (a platform or site), ``unit`` (``per_post``, ``cpm`` — per
        1,000 impressions — or ``cpc``; ``per post`` and upper case accepted), ``price``,
        ``currency`` (optional).
    ctx : SourceContext
        ``currency`` used where the file gives none.

    Returns
    -------
    Rows
        ``rate_cards``; currency NULL (with a note) when neither file nor context names one.

    Raises
    ------
    FormatError
        Missing column, a unit outside per_post/cpm/cpc, a negative or non-numeric price.
    """
    fmt = "rate-card"
    table, notes = read_tabular(
        path,
        format_name=fmt,
        required=["platform", "unit", "price"],
        decimal=ctx.decimal,
        dayfirst=ctx.dayfirst,
    )
    mapping = _mapping(table, "rate_cards")
    df = build_frame(table, "rate_cards", mapping, notes=notes)
    units, _ = allowed_values("rate_cards", "unit")
    for k in range(len(df)):
        if not isinstance(df["unit"].iloc[k], str):
            raise FormatError(
                path,
                row=table.rows[k],
                column=mapping["unit"],
                expected="one of " + ", ".join(units),
                found="",
            )
        price = df["price"].iloc[k]
        if price is pd.NA or price < 0:
            raise FormatError(
                path,
                row=table.rows[k],
                column=mapping["price"],
                expected="a price of 0 or more",
                found=table.records[k][table.header.index(mapping["price"])],
            )
    _platform_column(table, df, mapping, ctx, fmt)
    _currency_column(table, df, mapping, ctx, notes)
    rows = Rows(notes=notes)
    rows.add("rate_cards", df)
    return rows


# ---------------------------------------------------------------------------- accounts


@register("accounts", options=_OPTIONS)
def read_accounts(path: Path, ctx: SourceContext) -> Rows:
    """A list of accounts with their role (CSV/XLSX) -> accounts.

    Parameters
    ----------
    path : Path
        Columns ``account_id`` and ``platform`` (or ``ctx.platform``); optional
        ``handle`` (a leading ``@`` is dropped), ``name``, ``role`` (owned, partner,
        competitor, media, kol, public), ``followers``, ``verified``, ``media_type``
        (online, print, tv, radio or empty), ``is_partner`` (true/false, yes/no, 1/0).
    ctx : SourceContext
        ``platform`` where the file has none.

    Returns
    -------
    Rows
        ``accounts`` with ``account_id`` namespaced ``platform:native`` unless it already
        starts with its platform (``x:123`` stays; ``123`` on x becomes ``x:123``).

    Raises
    ------
    FormatError
        Missing ``account_id``, an empty id, a role or media type outside the schema's
        list, a follower count that is not a whole number of 0 or more.
    """
    fmt = "accounts"
    table, notes = read_tabular(
        path, format_name=fmt, required=["account_id"], decimal=ctx.decimal, dayfirst=ctx.dayfirst
    )
    mapping = _mapping(table, "accounts")
    df = build_frame(table, "accounts", mapping, notes=notes)
    _platform_column(table, df, mapping, ctx, fmt)
    ids = []
    for k, (v, p) in enumerate(
        zip(df["account_id"].tolist(), df["platform"].tolist(), strict=True)
    ):
        if not isinstance(v, str):
            raise FormatError(
                path,
                row=table.rows[k],
                column=mapping["account_id"],
                expected="an account id",
                found="",
            )
        ids.append(namespace(v, p))
    df["account_id"] = pd.Series(ids, dtype=object)
    if "handle" in df.columns:
        df["handle"] = pd.Series(
            [v.lstrip("@") if isinstance(v, str) else None for v in df["handle"].tolist()],
            dtype=object,
        )
    if "followers" in df.columns:
        for k, f in enumerate(df["followers"].tolist()):
            if f is not pd.NA and f is not None and f < 0:
                raise FormatError(
                    path,
                    row=table.rows[k],
                    column=mapping["followers"],
                    expected="a follower count of 0 or more",
                    found=str(f),
                )
    _check_account_refs(path, table, df, mapping)
    rows = Rows(notes=notes)
    rows.add("accounts", df)
    return rows


def _check_account_refs(path: Path, table, df: pd.DataFrame, mapping: dict[str, str]) -> None:
    """The registry's checks on ``credentials_ref`` and ``timezone``, per row.

    The same rules as ``ripplemeter accounts import`` (:mod:`ripplemeter.operations.accounts`):
    a credentials reference is ``env:NAME`` or ``file:PATH``, never the secret itself (the
    message does not repeat a value that looks like one); a time zone is an IANA name.
    """
    from ripplemeter.operations import OperationsError
    from ripplemeter.operations.accounts import check_credentials_ref, check_timezone

    for col, check in (("credentials_ref", check_credentials_ref), ("timezone", check_timezone)):
        if col not in df.columns:
            continue
        cleaned = []
        for k, v in enumerate(df[col].tolist()):
            value = v if isinstance(v, str) else None
            try:
                cleaned.append(check(value))
            except OperationsError as exc:
                # the registry's message names the problem without repeating a secret; the
                # column is named once, by the location
                msg = str(exc).removeprefix(f"{col}: ")
                raise FormatError(
                    path, row=table.rows[k], column=mapping[col], message=msg
                ) from None
        df[col] = pd.Series(cleaned, dtype=object)
