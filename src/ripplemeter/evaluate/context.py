"""What every section may read: :class:`EvalContext` (scope, window, money, tables).

Table access goes through Ibis (:class:`TableAccess`), so that one definition of a figure
compiles to DuckDB SQL today and to Spark SQL for the scale-out engine. Sections pull small
aggregates into pandas (``.to_pandas()``) for statistics.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import ibis
import ibis.expr.types as ir
import pandas as pd
from ibis import _

from ripplemeter import schema

__all__ = ["EvalContext", "Period", "TableAccess", "Window", "count_sum", "latest_posts"]


def count_sum(column: ir.IntegerColumn, where: ir.BooleanValue | None = None) -> ir.IntegerScalar:
    """Sum of a count column as a 64-bit integer (NULL when every value is NULL).

    DuckDB sums BIGINT into HUGEINT, which arrives in pandas as ``decimal.Decimal`` objects
    whenever a group's sum is NULL; the cast keeps counts plain integers on every engine.
    """
    return column.sum(where=where).cast("int64")


@dataclass(frozen=True)
class Period:
    """One window: inclusive local dates and the UTC bounds that cut it.

    Attributes
    ----------
    start, end : datetime.date
        First and last local day, inclusive.
    lo, hi : pandas.Timestamp
        ``[start 00:00, end + 1 day 00:00)`` in the campaign's zone, as naive UTC timestamps
        (the way ``created_at`` is stored).
    days : int
        Days in the window.
    """

    start: dt.date
    end: dt.date
    lo: pd.Timestamp
    hi: pd.Timestamp

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: dt.date) -> bool:
        """Whether a local date lies in the window."""
        return self.start <= day <= self.end

    def label(self) -> str:
        return f"{self.start}..{self.end}"


def utc_bounds(start: dt.date, end: dt.date, timezone: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """``[start 00:00, end + 1 day 00:00)`` in ``timezone`` as naive UTC timestamps."""
    tz = ZoneInfo(timezone)
    lo = dt.datetime.combine(start, dt.time(0), tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    return (
        pd.Timestamp(lo).tz_convert("UTC").tz_localize(None),
        pd.Timestamp(hi).tz_convert("UTC").tz_localize(None),
    )


@dataclass(frozen=True)
class Window:
    """The campaign and baseline windows, computed once.

    Attributes
    ----------
    campaign, baseline : Period
    timezone : str
        IANA zone in which the windows are cut.
    baseline_defaulted : bool
        The baseline was not given: as many days right before the start.
    """

    campaign: Period
    baseline: Period
    timezone: str
    baseline_defaulted: bool = False

    @classmethod
    def from_dates(
        cls,
        start: dt.date,
        end: dt.date,
        baseline_start: dt.date,
        baseline_end: dt.date,
        timezone: str,
        baseline_defaulted: bool = False,
    ) -> Window:
        c = Period(start, end, *utc_bounds(start, end, timezone))
        b = Period(
            baseline_start, baseline_end, *utc_bounds(baseline_start, baseline_end, timezone)
        )
        return cls(c, b, timezone, baseline_defaulted)

    def period(self, name: str) -> Period:
        """``"campaign"`` or ``"baseline"``."""
        return {"campaign": self.campaign, "baseline": self.baseline}[name]

    def local_days(self, period: Period) -> pd.DataFrame:
        """One row per local day of ``period`` with its UTC bounds (columns day, lo, hi).

        Bounds follow the zone's offsets day by day (daylight saving included), so a
        portable range join assigns each UTC timestamp to its local day on any engine.
        """
        days = pd.date_range(period.start, period.end, freq="D").date
        rows = [(d, *utc_bounds(d, d, self.timezone)) for d in days]
        return pd.DataFrame(rows, columns=["day", "lo", "hi"])


def latest_posts(
    posts: ir.Table,
    post_metrics: ir.Table,
    *,
    created_from: pd.Timestamp | None = None,
    created_before: pd.Timestamp | None = None,
) -> ir.Table:
    """One row per post joined to its latest metrics snapshot (an Ibis expression).

    Parameters
    ----------
    posts, post_metrics : ibis Table
        Canonical tables (already restricted to the campaign's imports), with the lineage
        columns ``import_id`` and ``source_row``.
    created_from, created_before : pandas.Timestamp, optional
        Keep only posts created in ``[created_from, created_before)`` (naive UTC).

    Returns
    -------
    ibis Table
        The post's columns (lineage dropped) and the snapshot's figures.

    Notes
    -----
    The latest snapshot is the one with the greatest ``observed_at`` (ties: the later import).
    The post's own fields (text, kind, is_paid, ...) come from the same import as that
    snapshot when it has a ``posts`` row, else from the latest import. With a creation window,
    only posts having some ``posts`` row in the window are ranked (DuckDB turns the semi-join
    into a filter on the metrics scan), then the window is applied again to the latest row:
    the result equals filtering the unrestricted view while ranking a fraction of the rows.
    """
    keep = []
    if created_from is not None:
        keep.append(posts.created_at >= created_from.to_pydatetime())
    if created_before is not None:
        keep.append(posts.created_at < created_before.to_pydatetime())
    if keep:
        ids = posts.filter(*keep).post_id
        posts = posts.filter(posts.post_id.isin(ids))
        post_metrics = post_metrics.filter(post_metrics.post_id.isin(ids))
    mw = ibis.window(
        group_by="post_id",
        order_by=[ibis.desc("observed_at", nulls_first=False), ibis.desc("_m_import")],
    )
    m = (
        post_metrics.drop("source_row")
        .rename(_m_import="import_id")
        .mutate(_rn=ibis.row_number().over(mw))
        .filter(_._rn == 0)
        .drop("_rn")
    )
    pcols = [c for c in posts.columns if c not in ("import_id", "source_row")]
    mcols = [c for c in m.columns if c not in ("post_id", "_m_import")]
    # one join: every posts row of a post meets the post's one latest snapshot; the row kept
    # is the one from the snapshot's own import, else the latest import
    j = posts.left_join(m, posts.post_id == m.post_id)
    same = (j.import_id == j._m_import).fill_null(False)
    pw = ibis.window(group_by="post_id", order_by=[ibis.desc(same), ibis.desc("import_id")])
    out = j.mutate(_rn=ibis.row_number().over(pw)).filter(_._rn == 0).select(*pcols, *mcols)
    if created_from is not None:
        out = out.filter(out.created_at >= created_from.to_pydatetime())
    if created_before is not None:
        out = out.filter(out.created_at < created_before.to_pydatetime())
    return out


class TableAccess:
    """The canonical tables as Ibis expressions, restricted to the campaign's imports.

    Parameters
    ----------
    backend : ibis backend
        A connected backend (DuckDB by default; any backend holding the canonical tables).
    scope : sequence of int or None
        Import ids of the campaign's sources (None: every row; used by benchmarks).
    relations : mapping, optional
        Table name -> Ibis table to use instead of ``backend.table(name)`` (e.g. Parquet
        files read by the backend).

    Notes
    -----
    ``latest_posts(period)`` is materialised once per window (:meth:`materialize`, a
    temporary table in DuckDB) because several sections read it.
    """

    def __init__(
        self,
        backend: Any,
        scope: Sequence[int] | None,
        relations: Mapping[str, ir.Table] | None = None,
    ) -> None:
        self.backend = backend
        self.scope = None if scope is None else tuple(int(i) for i in scope)
        self._relations = dict(relations or {})
        self._latest: dict[tuple, ir.Table] = {}

    def raw(self, name: str) -> ir.Table:
        """A canonical table, unscoped."""
        if name in self._relations:
            return self._relations[name]
        return self.backend.table(name)

    def __getitem__(self, name: str) -> ir.Table:
        """A canonical table restricted to the campaign's imports."""
        if name not in schema.TABLES and name != "imports":
            raise KeyError(f"no canonical table {name!r}")
        t = self.raw(name)
        if self.scope is not None:
            t = t.filter(t.import_id.isin(list(self.scope) or [-1]))
        return t

    def __getattr__(self, name: str) -> ir.Table:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(str(exc)) from None

    def latest_posts(self, period: Period | None = None, *, cache: bool = True) -> ir.Table:
        """Latest-snapshot posts created in ``period`` (every post when None).

        See :func:`latest_posts` for the rules.
        """
        key = (period.lo, period.hi) if period is not None else None
        if key in self._latest:
            return self._latest[key]
        expr = latest_posts(
            self["posts"],
            self["post_metrics"],
            created_from=period.lo if period is not None else None,
            created_before=period.hi if period is not None else None,
        )
        if cache:
            expr = self.materialize(expr, f"_rm_latest_{len(self._latest)}")
            self._latest[key] = expr
        return expr

    def materialize(self, expr: ir.Table, name: str) -> ir.Table:
        """Compute ``expr`` once into a temporary table and return that table.

        On DuckDB a ``CREATE OR REPLACE TEMP TABLE`` from the compiled SQL (Ibis's own
        ``cache()`` drops its tables with a statement DuckDB 2.0 rejects); other engines use
        ``Table.cache()``.
        """
        if getattr(self.backend, "name", "") == "duckdb":
            sql = ibis.to_sql(expr, dialect="duckdb")
            self.backend.con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {sql}')
            return self.backend.table(name)
        return expr.cache()

    def undated_posts(self) -> int:
        """Posts whose latest ``posts`` row has no creation time (read from posts alone)."""
        p = self["posts"]
        cand = p.filter(p.created_at.isnull()).post_id
        w = ibis.window(group_by="post_id", order_by=ibis.desc("import_id"))
        q = (
            p.filter(p.post_id.isin(cand))
            .mutate(_rn=ibis.row_number().over(w))
            .filter((_._rn == 0) & _.created_at.isnull())
        )
        return int(q.count().to_pyarrow().as_py())

    def has_rows(self, name: str) -> bool:
        """Whether the scoped table has any row."""
        return bool(self[name].limit(1).count().to_pyarrow().as_py())


@dataclass
class EvalContext:
    """What every section may read; nothing else.

    Attributes
    ----------
    scope : tuple[int, ...]
        Import ids of this campaign's sources.
    window : Window
        Campaign and baseline: UTC bounds and local dates, computed once.
    currency : str
        ISO 4217 reporting currency.
    fx : Mapping[str, float]
        Units of ``currency`` per unit of another currency (``[[fx]]``); none is guessed.
    tables : TableAccess
        Ibis tables over the canonical schema, filtered to ``scope``.
    benchmarks : Mapping[str, float]
        ``[benchmarks]`` of campaign.toml (e.g. ``cpc``), in ``currency``.
    rate_cards : tuple
        ``[[rate_cards]]`` of campaign.toml (:class:`ripplemeter.campaign.RateCard`).
    settings : Mapping[str, pydantic.BaseModel]
        Section id -> its validated settings table.
    campaign_file : Path or None
        campaign.toml, to name it in messages.
    source_paths : Mapping[int, str]
        Import id -> file path, to name files in messages.
    memo : dict
        Results one section computes and another may reuse within this evaluation (e.g. the
        seeding plan, which the propagation section compares with), keyed by what made them.
    """

    scope: tuple[int, ...]
    window: Window
    currency: str
    fx: Mapping[str, float]
    tables: TableAccess
    benchmarks: Mapping[str, float] = field(default_factory=dict)
    rate_cards: tuple = ()
    settings: Mapping[str, Any] = field(default_factory=dict)
    campaign_file: Path | None = None
    source_paths: Mapping[int, str] = field(default_factory=dict)
    memo: dict = field(default_factory=dict, repr=False)

    def to_rate(self, currency: str | None) -> float | None:
        """Units of the reporting currency per unit of ``currency`` (None: unknown)."""
        if currency is None or currency == self.currency:
            return 1.0
        return self.fx.get(currency)

    def settings_for(self, section: Any) -> Any:
        """The section's validated settings (its model's defaults when the table is absent)."""
        sid = section if isinstance(section, str) else section.id
        if sid in self.settings:
            return self.settings[sid]
        model = getattr(section, "settings", None)
        return model() if model is not None else None

    def source_name(self, import_id: int | None) -> str:
        """The file name of an import, for messages ('?' when unknown)."""
        p = self.source_paths.get(int(import_id)) if import_id is not None else None
        return Path(str(p)).name if p else "?"

    @property
    def campaign_file_name(self) -> str:
        return self.campaign_file.name if self.campaign_file else "campaign.toml"
