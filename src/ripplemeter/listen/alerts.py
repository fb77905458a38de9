"""Explainable alerts over a count series: seasonal spikes, Meltwater's rule, shifts, negative share.

Every detector takes a count series on a regular time index (5 minutes, an hour, a day...) and
returns :class:`Alert` records. An alert names its rule, the observed value, the expected
value and the threshold it crossed, its time span, and (when a post frame is given) the posts
that drove it. One ongoing event is one alert: while the rule keeps firing (or fires again
within ``merge_gap``), the same alert grows (its ``end`` moves, its peak is updated) and keeps
its ``key``, so a watcher that runs every 15 minutes updates it instead of sending a new one.

Rules
-----
``tuned``
    The seasonal volume-spike rule (:func:`seasonal_baseline`, :func:`detect`): log(1 +
    mentions over a short smoothing window) against its median at the same time of the week
    over the trailing weeks, scaled by the MAD (a robust z-score, i.e. a ratio to the usual
    level), and the highest smoothed volume in ``record_days`` days. Its defaults were chosen by leave-one-series-out on the NAB
    realTweets series (docs/alerts.md).
``meltwater``
    Meltwater's documented spike rule: the 24-hour rolling mean against the mean + k standard
    deviations of that rolling mean over the previous 7 days, after 8 days of warm-up.
``changepoint``
    Sustained shifts in level found by PELT (ruptures) on the log counts.
``negative_share``
    A surge in the share of negative mentions (negative / all) against its trailing baseline.

Scoring against labelled windows (:func:`score_events`) follows the event view of the
Numenta Anomaly Benchmark: a window counts as detected when an alert starts inside it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from ripplemeter.errors import FormatError, RippleError
from ripplemeter.formatting import window_words

RULES = ("tuned", "meltwater", "changepoint", "negative_share")
"""The rule names :func:`detect` accepts."""

_MAD_TO_SD = 1.4826
"""Consistency constant: 1.4826 x MAD estimates the standard deviation of normal data
(Leys et al. 2013)."""


class AlertError(RippleError):
    """A series or a setting that a detector cannot work with (irregular steps, bad rule)."""


# ---------------------------------------------------------------------------- settings
def _duration(value: Any) -> str:
    try:
        td = pd.Timedelta(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"expected a duration such as '1h', '30min' or '7D', found {value!r}"
        ) from None
    if td <= pd.Timedelta(0):
        raise ValueError(f"expected a positive duration, found {value!r}")
    return str(value)


class AlertSettings(BaseModel):
    """The ``[alerts]`` table of listen.toml: which rule, and its parameters.

    Durations are written as pandas understands them (``"1h"``, ``"30min"``, ``"14D"``).
    The defaults of the ``tuned`` rule are the parameters that leave-one-series-out on the
    six NAB realTweets series selected most often (docs/alerts.md shows the table).

    Attributes
    ----------
    rule : str
        ``tuned`` (default), ``meltwater``, ``changepoint`` or ``negative_share``.
    smoothing : str
        ``tuned``: the trailing window whose mean count is compared (default ``"1h"``).
    transform : str
        ``tuned``: ``"log"`` (default) compares log(1 + count over the smoothing window), so
        the threshold is a ratio to the usual level; ``"linear"`` compares the mean count.
    threshold : float
        ``tuned``: robust z-score to exceed: (value - median) / (1.4826 MAD) on the
        ``transform`` scale (default 4 on the log scale, 10 on the linear one, as
        ``ripplemeter alerts detect --scale``).
    record_days : float
        ``tuned``: the smoothed volume must also be the highest of the last ``record_days``
        days (the current hour excluded) times ``record_factor`` (default 14 days).
    record_factor : float
        ``tuned``: see ``record_days`` (default 1.1).
    persistence : int
        ``tuned``: steps in a row the rule must hold before the alert starts (default 1).
    weeks : int
        ``tuned``: trailing weeks of the same hour of the week in the baseline (default 4).
    neighbourhood : str
        ``tuned``: the same time of the week +/- this much counts as "the same hour"
        (default ``"1h"``; for an hourly series ``"1h"`` takes the hours either side).
    min_history : str
        ``tuned``: no alert before this much history (default ``"1D"``).
    k : float
        ``meltwater``: standard deviations above the 7-day mean (default 3).
    min_count : int
        ``tuned`` and ``meltwater``: the rule holds only where at least this many mentions
        fall in the window it compares (the smoothing window for ``tuned``, the trailing 24
        hours for ``meltwater``); default 3. Over a history of zeros Meltwater's threshold is
        mean 0 + k x 0 = 0, so without this floor a single post is an alert. 0 gives the
        rules exactly as published (the NAB benchmark uses 0 for ``meltwater``).
    penalty : float or None
        ``changepoint``: PELT penalty; None = 2 log(n) sigma^2, sigma estimated from the
        first differences by MAD (a BIC-like choice).
    min_size : str
        ``changepoint``: the shortest segment (default ``"12h"``).
    min_change : float
        ``changepoint``: the smallest relative change of level reported (default 0.5 = +50%).
    share_window : str, baseline_days : float, share_threshold : float, min_increase : float,
    min_mentions : int
        ``negative_share``: the share over ``share_window`` against the share over the
        previous ``baseline_days``; binomial z above ``share_threshold``, at least
        ``min_increase`` (absolute) above the baseline and ``min_mentions`` mentions.
    merge_gap : str
        One event while the rule fires again within this gap (default ``"24h"``).
    max_posts : int
        Posts listed per alert (the highest-engagement or latest first; default 20).
    deliver : list
        ``[[alerts.deliver]]``: webhook or e-mail channels
        (:class:`ripplemeter.listen.deliver.WebhookSettings`, ``EmailSettings``).
    """

    model_config = ConfigDict(extra="forbid")

    rule: Literal["tuned", "meltwater", "changepoint", "negative_share"] = "tuned"
    smoothing: str = "1h"
    transform: Literal["log", "linear"] = "log"
    threshold: float = Field(None, gt=0, validate_default=False)  # type: ignore[assignment]
    record_days: float = Field(14.0, ge=0)
    record_factor: float = Field(1.1, gt=0)
    persistence: int = Field(1, ge=1)
    weeks: int = Field(4, ge=2)
    neighbourhood: str = "1h"
    min_history: str = "1D"
    k: float = Field(3.0, gt=0)
    min_count: int = Field(3, ge=0)
    penalty: float | None = Field(None, gt=0)
    min_size: str = "12h"
    min_change: float = Field(0.5, gt=0)
    share_window: str = "6h"
    baseline_days: float = Field(7.0, gt=0)
    share_threshold: float = Field(3.0, gt=0)
    min_increase: float = Field(0.1, ge=0, le=1)
    min_mentions: int = Field(20, ge=1)
    merge_gap: str = "24h"
    max_posts: int = Field(20, ge=0)
    deliver: list[Any] = Field(default_factory=list)

    #: True when ``threshold`` was not given: it then follows ``transform`` (4 log, 10 linear),
    #: also when :func:`detect` changes the scale of these settings
    _threshold_default: bool = PrivateAttr(default=False)

    @model_validator(mode="after")
    def _scale_threshold(self) -> AlertSettings:
        if self.threshold is None:  # the default depends on the scale
            self.threshold = 4.0 if self.transform == "log" else 10.0
            self._threshold_default = True
        return self

    @field_validator("smoothing", "min_size", "share_window", "merge_gap")
    @classmethod
    def _positive_duration(cls, v: str) -> str:
        return _duration(v)

    @field_validator("neighbourhood", "min_history")
    @classmethod
    def _duration_or_zero(cls, v: str) -> str:
        try:
            td = pd.Timedelta(v)
        except (TypeError, ValueError):
            raise ValueError(f"expected a duration such as '1h' or '0h', found {v!r}") from None
        if td < pd.Timedelta(0):
            raise ValueError(f"expected a duration of 0 or more, found {v!r}")
        return str(v)

    @field_validator("deliver", mode="before")
    @classmethod
    def _channels(cls, v: Any) -> list[Any]:
        from ripplemeter.listen.deliver import parse_channels

        return parse_channels(v or [])


# ---------------------------------------------------------------------------- the alert
@dataclass
class Alert:
    """One event found by a rule: what was seen, what was expected, and why it fired.

    Attributes
    ----------
    rule : str
        The rule that fired (``tuned``, ``meltwater``, ``changepoint``, ``negative_share``).
    start, end : pandas.Timestamp
        First and last step of the event (inclusive), in the series' own clock.
    observed : float
        The peak value the rule compared (e.g. mean mentions per step over the smoothing
        window; for ``negative_share`` a share in [0, 1]).
    expected : float
        The baseline at the peak (same unit as ``observed``).
    threshold : float
        The value ``observed`` had to exceed at the peak (same unit).
    window : str
        The span the observed value is taken over (``"1h"``, ``"24h"``, a segment length).
    peak_at : pandas.Timestamp
        When ``observed`` was reached.
    post_ids : list of str
        The posts of the event's span (filled when a post frame is given).
    key : str
        Stable identity: a hash of the rule, the series name and the start. An ongoing event
        keeps its key while it is updated.
    explanation : str
        One plain sentence saying why the alert fired.
    series : str
        The name of the series (a topic id), used in the key and the explanation.
    unit : str
        ``"mentions per step"``, ``"share"`` or ``"mentions per step (segment mean)"``.
    """

    rule: str
    start: pd.Timestamp
    end: pd.Timestamp
    observed: float
    expected: float
    threshold: float
    window: str
    peak_at: pd.Timestamp
    post_ids: list[str] = field(default_factory=list)
    key: str = ""
    explanation: str = ""
    series: str = ""
    unit: str = "mentions per step"

    def __post_init__(self) -> None:
        if not self.key:
            self.key = alert_key(self.rule, self.series, self.start)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict; times are ISO 8601 in the series' own clock (naive stays naive).

        Returns
        -------
        dict
            Keys ``rule``, ``start``, ``end``, ``observed``, ``expected``, ``threshold``,
            ``window``, ``peak_at``, ``key``, ``series``, ``unit``, ``post_ids``,
            ``explanation``.
        """
        return {
            "rule": self.rule,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "observed": _num(self.observed),
            "expected": _num(self.expected),
            "threshold": _num(self.threshold),
            "window": self.window,
            "peak_at": self.peak_at.isoformat(),
            "key": self.key,
            "series": self.series,
            "unit": self.unit,
            "post_ids": list(self.post_ids),
            "explanation": self.explanation,
        }


def _num(x: float) -> float | None:
    return None if x is None or not math.isfinite(float(x)) else round(float(x), 6)


def reader_time(t: Any, timezone: str | None = None) -> str:
    """A time as a marketing lead reads it: ``2 Dec 2026, 05:00 KST``.

    Parameters
    ----------
    t : datetime-like or ISO 8601 str
        A time; an aware one is shown in ``timezone`` (when given) with the zone's
        abbreviation, a naive one as it is (the clock of the file it came from).
    timezone : str, optional
        IANA zone name (the listening project's zone).

    Returns
    -------
    str
        ``"<day> <Mon> <year>, <HH:MM> <zone>"``; zones without a common abbreviation are
        written as an offset (``UTC+08``); naive times have no zone. Machine output (JSON,
        metrics.json) keeps ISO 8601: this is for what people read (report, e-mail, CLI).

    Examples
    --------
    >>> reader_time("2026-12-01T20:00:00+00:00", "Asia/Seoul")
    '2 Dec 2026, 05:00 KST'
    >>> reader_time(pd.Timestamp("2026-11-19 10:00"))
    '19 Nov 2026, 10:00'
    """
    ts = pd.Timestamp(t)
    if ts.tzinfo is not None and timezone:
        ts = ts.tz_convert(timezone)
    text = f"{ts.day} {ts:%b %Y}, {ts:%H:%M}"
    if ts.tzinfo is None:
        return text
    zone = ts.tzname() or ""
    if not zone or zone[0] in "+-":
        off = ts.strftime("%z")  # +0800
        zone = "UTC" + (off[:3] if off[3:] == "00" else f"{off[:3]}:{off[3:]}")
    return f"{text} {zone}"


def alert_key(rule: str, series: str, start: pd.Timestamp) -> str:
    """The stable key of an event: sha256 of ``rule|series|start`` (ISO 8601), 20 hex digits."""
    raw = f"{rule}|{series}|{pd.Timestamp(start).isoformat()}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:20]


# ---------------------------------------------------------------------------- helpers
def series_step(series: pd.Series, *, what: str = "series") -> pd.Timedelta:
    """The constant step of a series' DatetimeIndex.

    Raises
    ------
    AlertError
        If the index is not a DatetimeIndex, has fewer than two rows, is not increasing, or
        its steps differ (the message names the first irregular position).
    """
    idx = series.index
    if not isinstance(idx, pd.DatetimeIndex):
        raise AlertError(
            f"{what}: expected a time index (DatetimeIndex), found {type(idx).__name__}"
        )
    if len(idx) < 2:
        raise AlertError(f"{what}: at least two time steps are needed, found {len(idx)}")
    d = np.diff(idx.as_unit("ns").asi8)
    if (d <= 0).any():
        i = int(np.flatnonzero(d <= 0)[0]) + 1
        raise AlertError(f"{what}: times must increase; position {i + 1} ({idx[i]}) does not")
    if (d != d[0]).any():
        i = int(np.flatnonzero(d != d[0])[0]) + 1
        raise AlertError(
            f"{what}: the steps must be regular ({pd.Timedelta(int(d[0]), 'ns')}); the step "
            f"before {idx[i]} (position {i + 1}) is {pd.Timedelta(int(d[i - 1]), 'ns')}: fill "
            "missing periods with 0 first"
        )
    return pd.Timedelta(int(d[0]), "ns")


def _steps(duration: str | pd.Timedelta, step: pd.Timedelta, minimum: int = 1) -> int:
    return max(minimum, int(pd.Timedelta(duration) / step))


def _runs(cond: np.ndarray, index: pd.DatetimeIndex, gap_steps: int) -> list[tuple[int, int]]:
    """(first, last) positions of the events: true steps less than ``gap_steps`` apart chain."""
    on = np.flatnonzero(cond)
    if len(on) == 0:
        return []
    breaks = np.flatnonzero(np.diff(on) > gap_steps)
    firsts = np.concatenate(([on[0]], on[breaks + 1]))
    lasts = np.concatenate((on[breaks], [on[-1]]))
    return list(zip(firsts.tolist(), lasts.tolist(), strict=True))


def _persist(cond: np.ndarray, m: int) -> np.ndarray:
    if m <= 1:
        return cond
    run = pd.Series(cond.astype(np.int32)).rolling(m, min_periods=m).sum().to_numpy()
    return run >= m


# ---------------------------------------------------------------------------- tuned
@dataclass
class SeasonalBaseline:
    """The per-step quantities of the ``tuned`` rule (all arrays of shape (n,)).

    Attributes
    ----------
    observed : ndarray
        Mean count per step over the trailing smoothing window.
    expected : ndarray
        Median of ``observed`` at the same time of the week over the trailing weeks (or of
        the day, in the fallback), +/- the neighbourhood, in counts per step.
    center, scale : ndarray
        Median and robust scale on the compared scale (``transform``): max(1.4826 MAD, floor),
        the floor being the Poisson standard deviation (linear: sqrt(max(m, 1) / w) for a mean
        of w counts; log: the exact sd of log(1 + X), X ~ Poisson(max(m, 1)), for
        log(1 + sum): :func:`poisson_log1p_sd`) so that
        a flat history does not make every extra mention infinitely surprising.
    w : int
        Steps in the smoothing window.
    transform : str
        ``"log"``: z-scores of log(1 + count over the window), i.e. of ratios to the usual
        level; ``"linear"``: of the mean count itself.
    seasonal : ndarray of str
        ``"week"``, ``"day"`` (fallback while fewer than two weeks of history exist) or
        ``""`` (not enough history).
    smoothing : str
    """

    index: pd.DatetimeIndex
    observed: np.ndarray
    expected: np.ndarray
    center: np.ndarray
    scale: np.ndarray
    seasonal: np.ndarray
    smoothing: str
    w: int = 1
    transform: str = "log"

    @property
    def z(self) -> np.ndarray:
        """Robust z-score (value - center) / scale on the compared scale."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return (self._value(self.observed) - self.center) / self.scale

    def _value(self, x: np.ndarray) -> np.ndarray:
        return np.log1p(x * self.w) if self.transform == "log" else x

    def level(self, z: float) -> np.ndarray:
        """The observed value (counts per step) that has robust z-score ``z`` at each step."""
        v = self.center + z * self.scale
        return np.expm1(v) / self.w if self.transform == "log" else v


def _lag_stack(x: np.ndarray, lags: Iterable[int], nb: int) -> np.ndarray:
    n = len(x)
    cols = []
    for lag in lags:
        for o in range(-nb, nb + 1):
            sh = lag + o
            if sh <= 0 or sh >= n:
                continue
            c = np.full(n, np.nan)
            c[sh:] = x[:-sh]
            cols.append(c)
    if not cols:
        return np.full((n, 1), np.nan)
    return np.column_stack(cols)


def _nanmedian_mad(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        med = np.nanmedian(m, axis=1)
        mad = np.nanmedian(np.abs(m - med[:, None]), axis=1)
    return med, mad


@functools.lru_cache(maxsize=1)
def _poisson_log1p_table() -> tuple[np.ndarray, np.ndarray]:
    from scipy import stats

    ms = np.geomspace(1.0, 1e4, 400)
    sds = np.empty_like(ms)
    for i, m in enumerate(ms):
        k = np.arange(int(m + 12 * np.sqrt(m) + 30) + 1)
        p = stats.poisson.pmf(k, m)
        v = np.log1p(k)
        mu = float(p @ v)
        sds[i] = np.sqrt(float(p @ (v - mu) ** 2))
    return np.log(ms), sds


def poisson_log1p_sd(m: np.ndarray | float) -> np.ndarray:
    """Standard deviation of log(1 + X) for X ~ Poisson(m): the noise floor on the log scale.

    Parameters
    ----------
    m : array_like of float, shape (n,)
        Expected counts (mentions over the compared window), at least 1 (smaller values
        are read as 1: below one mention per window a usual level cannot be told apart).

    Returns
    -------
    ndarray of float, shape (n,)
        Exact to about 1e-4 (interpolated in log m on a table computed from the Poisson
        probabilities for 1 <= m <= 10,000; 1 / sqrt(m), the delta method, above that).
        About 0.49 at m = 1 (the delta method's 1 would put the bar of z = 4 at 54 mentions
        in the window instead of 6), 0.31 at m = 10, 0.166 at m = 36.

    Notes
    -----
    Var(g(X)) ~ g'(m)^2 Var(X) = 1 / m for g = log and large m (the delta method, e.g.
    Casella & Berger, Statistical Inference, 2nd ed., section 5.5.4); it overstates the spread
    of a Poisson count's logarithm several-fold when m is a few mentions, which made quiet
    topics almost alert-proof.
    """
    logm, sds = _poisson_log1p_table()
    x = np.log(np.maximum(np.asarray(m, dtype=float), 1.0))
    out = np.interp(x, logm, sds)
    big = x > logm[-1]
    if np.any(big):
        out = np.where(big, np.exp(-0.5 * x), out)
    return out


def seasonal_baseline(
    series: pd.Series,
    smoothing: str = "1h",
    weeks: int = 4,
    neighbourhood: str = "1h",
    min_history: str = "1D",
    transform: str = "log",
) -> SeasonalBaseline:
    """Robust same-hour-of-the-week baseline of a count series (the ``tuned`` rule's core).

    Parameters
    ----------
    series : pandas.Series, shape (n,)
        Counts per step on a regular DatetimeIndex (any step up to one day).
    smoothing : str
        Trailing window whose mean count is the observed value.
    weeks : int
        Trailing weeks whose same time of week (+/- ``neighbourhood``) form the baseline.
    neighbourhood : str
        Half-width of "the same time" (``"0h"``: the exact step only).
    min_history : str
        Steps with less history get no baseline (NaN).
    transform : {"log", "linear"}
        Compare log(1 + count over the window) (default: a spike is a ratio to the usual
        level, which suits heavy-tailed mention counts) or the mean count itself.

    Returns
    -------
    SeasonalBaseline

    Raises
    ------
    AlertError
        Irregular or non-time index.

    Notes
    -----
    Location and scale are the median and the MAD (x 1.4826), robust to the spikes in the
    history itself (Leys et al. 2013). While fewer than two weeks of history exist, the
    baseline falls back to the same time of **day** over the previous 7 days (daily cycles
    dominate mention volume; weekly ones need two samples before a median means anything).
    With a step longer than a day the baseline is the plain trailing ``weeks`` x 7 steps.

    References
    ----------
    Leys, Ley, Klein, Bernard, Licata. "Detecting outliers: Do not use standard deviation
    around the mean, use absolute deviation around the median." JESP 49(4), 2013.
    """
    step = series_step(series)
    x_raw = series.to_numpy(dtype=float)
    w = _steps(smoothing, step)
    x = pd.Series(x_raw).rolling(w, min_periods=w).mean().to_numpy()
    if transform not in ("log", "linear"):
        raise AlertError(f"transform must be 'log' or 'linear', found {transform!r}")
    y = np.log1p(x * w) if transform == "log" else x
    n = len(x)
    nb = int(pd.Timedelta(neighbourhood) / step)
    day = int(pd.Timedelta("1D") / step)
    pos = np.arange(n)
    if day >= 1:
        week = 7 * day
        med_w, mad_w = _nanmedian_mad(_lag_stack(y, [week * i for i in range(1, weeks + 1)], nb))
        med_d, mad_d = _nanmedian_mad(_lag_stack(y, [day * i for i in range(1, 8)], nb))
        use_week = pos >= 2 * week
        med = np.where(use_week, med_w, med_d)
        mad = np.where(use_week, mad_w, mad_d)
        seasonal = np.where(use_week, "week", "day").astype(object)
    else:
        med, mad = _nanmedian_mad(_lag_stack(y, range(1, 7 * weeks + 1), 0))
        seasonal = np.full(n, "trailing", dtype=object)
    if transform == "log":
        expected = np.expm1(med) / w
        floor = poisson_log1p_sd(np.maximum(expected * w, 1.0))
    else:
        expected = med.astype(float)
        floor = np.sqrt(np.maximum(med, 1.0) / w)
    scale = np.maximum(_MAD_TO_SD * mad, floor)
    hist = (
        _steps(min_history, step, minimum=0) if pd.Timedelta(min_history) > pd.Timedelta(0) else 0
    )
    early = pos < max(hist, w - 1)
    med = med.astype(float)
    med[early] = np.nan
    expected = expected.astype(float)
    expected[early] = np.nan
    seasonal[early | np.isnan(med)] = ""
    eff = w * step
    shown = smoothing if eff == pd.Timedelta(smoothing) else _short_td(eff)
    return SeasonalBaseline(series.index, x, expected, med, scale, seasonal, shown, w, transform)


def tuned_condition(
    base: SeasonalBaseline,
    threshold: float,
    record_days: float,
    record_factor: float,
    persistence: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Where the ``tuned`` rule holds, and the record level at each step.

    Returns
    -------
    cond : ndarray of bool, shape (n,)
    record : ndarray of float, shape (n,)
        ``record_factor`` x the highest smoothed value in the previous ``record_days`` days,
        the last hour excluded (0 when ``record_days`` is 0).
    """
    step = base.index[1] - base.index[0]
    x = base.observed
    if record_days > 0:
        h = _steps("1h", step)
        n = _steps(pd.Timedelta(days=record_days), step)
        rec = pd.Series(x).shift(h).rolling(n, min_periods=1).max().to_numpy() * record_factor
    else:
        rec = np.zeros(len(x))
    with np.errstate(invalid="ignore"):
        cond = (base.z > threshold) & (x >= rec)
    cond = np.nan_to_num(cond, nan=0).astype(bool)
    return _persist(cond, persistence), rec


def _tuned(series: pd.Series, s: AlertSettings, name: str) -> list[Alert]:
    base = seasonal_baseline(
        series, s.smoothing, s.weeks, s.neighbourhood, s.min_history, s.transform
    )
    cond, rec = tuned_condition(base, s.threshold, s.record_days, s.record_factor, s.persistence)
    return tuned_alerts(base, cond, rec, s, name)


def tuned_alerts(
    base: SeasonalBaseline, cond: np.ndarray, record: np.ndarray, s: AlertSettings, name: str = ""
) -> list[Alert]:
    """Turn the ``tuned`` condition into merged, explained alerts (one per event).

    Steps with fewer than ``s.min_count`` mentions over the smoothing window are dropped
    from ``cond`` first.
    """
    idx = base.index
    step = idx[1] - idx[0]
    gap = _steps(s.merge_gap, step)
    z = base.z
    with np.errstate(invalid="ignore"):
        above = np.nan_to_num(z > s.threshold, nan=0).astype(bool)
    if s.min_count > 0:  # at least min_count mentions in the smoothing window
        counts = np.nan_to_num(np.round(base.observed * base.w), nan=0.0)
        cond = cond & (counts >= s.min_count)
        above = above & (counts >= s.min_count)
    # an event runs from the step the rule fired to the last step still above the threshold
    # right after it (the record condition starts an alert; it does not end one: a burst of
    # 40 an hour for four hours is one alert of four hours, not of one)
    group = np.cumsum(~above)
    fired = pd.Series(cond).groupby(group).cummax().to_numpy(dtype=bool)
    extent = cond | (above & fired)
    out = []
    for a, b in _runs(extent, idx, gap):
        # the peak is taken over the steps where the rule held, so that its threshold (the
        # record included) is one the observed value did exceed
        seg = np.where(cond[a : b + 1], base.observed[a : b + 1], -np.inf)
        p = a + int(np.argmax(seg))
        exp = float(base.expected[p])
        thr = max(float(base.level(s.threshold)[p]), float(record[p]))
        unit = "day" if step >= pd.Timedelta(days=1) else "hour"
        season = {
            "week": f"the same {unit} of the week over the previous weeks",
            "day": (
                "the same hour of the day over the previous days"
                if unit == "hour"
                else "the previous days"
            )
            + ", as there are less than two weeks of history",
            "trailing": "the previous periods",
        }.get(str(base.seasonal[p]), "the history")
        over = _fmt_span(base.smoothing)
        expl = (
            f"{name + ': ' if name else ''}{base.observed[p]:.3g} mentions per "
            f"{_fmt_td(step)} on average over the {over} to {reader_time(idx[p] + step)}, "
            f"against {exp:.3g} usual (the median of {season}). It fired at "
            f"{reader_time(idx[a])} because the volume was {z[a]:.1f} typical spreads above "
            f"the usual level{' (on a log scale, so a ratio)' if base.transform == 'log' else ''}"
            f", more than the {s.threshold:g} needed (a robust z-score: the median and the "
            f"median absolute deviation of the history)"
            + (
                f", and it was the highest in {s.record_days:g} days"
                + (f" by {s.record_factor - 1:.0%} or more" if s.record_factor > 1 else "")
                if s.record_days > 0
                else ""
            )
            + (f", with at least {s.min_count} mentions in the {over}" if s.min_count > 0 else "")
            + (f"; it stayed above that level until {reader_time(idx[b])}" if b > a else "")
        )
        out.append(
            Alert(
                rule="tuned",
                start=idx[a],
                end=idx[b],
                observed=float(base.observed[p]),
                expected=exp,
                threshold=thr,
                window=base.smoothing,
                peak_at=idx[p],
                explanation=expl,
                series=name,
            )
        )
    return out


def _short_td(td: pd.Timedelta) -> str:
    sec = int(td.total_seconds())
    for unit, n in (("D", 86400), ("h", 3600), ("min", 60)):
        if sec % n == 0:
            return f"{sec // n}{unit}"
    return f"{sec}s"


def count_series(
    times: pd.Series | pd.DatetimeIndex | Sequence,
    step: str = "1h",
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.Series:
    """Mentions per period from post times: a regular, zero-filled series for :func:`detect`.

    Parameters
    ----------
    times : sequence of datetime-like, shape (n,)
        Post creation times (e.g. ``posts.created_at``), all in one clock.
    step : str
        Period length (``"5min"``, ``"1h"``, ``"1D"``); periods start at multiples of the
        step from midnight (pandas ``floor``).
    start, end : Timestamp, optional
        First period to include, and the time up to which data is complete (e.g. the
        collection time): the period containing ``end`` is still running and is left out,
        since a partial count would look like a dip. Default: the first and last post.

    Returns
    -------
    pandas.Series
        Counts (float) indexed by period start, every period present (0 when no post).
    """
    td = pd.Timedelta(step)
    t = pd.DatetimeIndex(pd.to_datetime(pd.Index(times)))
    if len(t) == 0 and (start is None or end is None):
        raise AlertError("count_series: no post times, and no start and end to span")
    lo = (pd.Timestamp(start) if start is not None else t.min()).floor(td)
    if end is not None:
        hi = pd.Timestamp(end).floor(td) - td  # the period holding `end` is still running
    else:
        hi = t.max().floor(td)
    idx = pd.date_range(lo, hi, freq=td) if hi >= lo else pd.DatetimeIndex([], tz=lo.tz)
    counts = pd.Series(1.0, index=t.floor(td)).groupby(level=0).sum()
    return counts.reindex(idx, fill_value=0.0).astype(float)


def window_timedelta(window: Any) -> pd.Timedelta | None:
    """A window as pandas reads it (``"1h"``, ``"1D"``, ``"0 days 12:00:00"``), if positive.

    Returns
    -------
    pandas.Timedelta or None
        None when ``window`` is not a duration or not longer than zero.
    """
    try:
        td = pd.Timedelta(window)
    except (TypeError, ValueError):
        return None
    return td if td > pd.Timedelta(0) else None


def _fmt_span(window: str) -> str:
    """A pandas window ("1h", "1D", "90min") in words: "hour", "day", "90 minutes"."""
    td = window_timedelta(window)
    return str(window) if td is None else _fmt_td(td)


def _fmt_td(td: pd.Timedelta) -> str:
    return window_words(td.total_seconds())


# ---------------------------------------------------------------------------- meltwater
def meltwater_frame(series: pd.Series, k: float = 3.0, min_count: int = 0) -> pd.DataFrame:
    """The quantities of Meltwater's spike rule at every step.

    Parameters
    ----------
    series : pandas.Series, shape (n,)
        Counts per step on a regular DatetimeIndex (step up to one day).
    k : float
        Standard deviations above the mean.
    min_count : int
        Fires only where the trailing 24 hours hold at least this many counts (0: the rule
        as published; see :class:`AlertSettings`).

    Returns
    -------
    DataFrame, shape (n, 5)
        ``rolling`` (24-hour trailing mean of the counts), ``count`` (their 24-hour sum),
        ``mean`` and ``std`` (of ``rolling`` over the 7 days before the step, the step itself
        excluded; sample standard deviation), ``fires`` (rolling > mean + k std and count >=
        ``min_count``, false during the first 8 days).

    References
    ----------
    Meltwater, "Spike detection" alerts: "a spike is detected when the 24-hour rolling average
    of mentions exceeds the average of the previous seven days by more than k standard
    deviations" (the rule as issue 10 of this project restates it).
    """
    step = series_step(series)
    day = int(pd.Timedelta("1D") / step)
    if day < 1:
        raise AlertError("meltwater: the rule needs a step of one day or less")
    x = series.astype(float)
    r = x.rolling(day, min_periods=day).mean()
    prev = r.shift(1)
    m = prev.rolling(7 * day, min_periods=7 * day).mean()
    sd = prev.rolling(7 * day, min_periods=7 * day).std()
    count = x.rolling(day, min_periods=day).sum()
    fires = (r > m + k * sd).to_numpy().copy()
    fires &= series.index >= series.index[0] + pd.Timedelta("8D")
    if min_count > 0:
        fires &= (count >= min_count).to_numpy()
    return pd.DataFrame(
        {
            "rolling": r.to_numpy(),
            "count": count.to_numpy(),
            "mean": m.to_numpy(),
            "std": sd.to_numpy(),
            "fires": fires,
        },
        index=series.index,
    )


def _meltwater(series: pd.Series, s: AlertSettings, name: str) -> list[Alert]:
    f = meltwater_frame(series, s.k, s.min_count)
    idx = series.index
    out = []
    for a, b in _runs(f["fires"].to_numpy(), idx, 1):
        seg = f["rolling"].to_numpy()[a : b + 1]
        p = a + int(np.nanargmax(seg))
        mean, sd = float(f["mean"].iat[p]), float(f["std"].iat[p])
        out.append(
            Alert(
                rule="meltwater",
                start=idx[a],
                end=idx[b],
                observed=float(f["rolling"].iat[p]),
                expected=mean,
                threshold=mean + s.k * sd,
                window="24h",
                peak_at=idx[p],
                series=name,
                explanation=(
                    f"{name + ': ' if name else ''}the 24-hour average of "
                    f"{f['rolling'].iat[p]:.3g} mentions per {_fmt_td(idx[1] - idx[0])} at "
                    f"{reader_time(idx[p])} exceeded {mean + s.k * sd:.3g} (the previous 7 "
                    f"days' mean {mean:.3g} + {s.k:g} standard deviations {sd:.3g}); it first "
                    f"did at {reader_time(idx[a])}"
                    + (
                        f", with {f['count'].iat[a]:.0f} mentions in the 24 hours then (at least "
                        f"{s.min_count} needed)"
                        if s.min_count > 0
                        else ""
                    )
                ),
            )
        )
    return out


# ---------------------------------------------------------------------------- change points
def _changepoint(series: pd.Series, s: AlertSettings, name: str) -> list[Alert]:
    import ruptures as rpt

    step = series_step(series)
    y = np.log1p(series.to_numpy(dtype=float))
    n = len(y)
    min_size = _steps(s.min_size, step, minimum=2)
    if n < 2 * min_size:
        return []
    if s.penalty is None:
        sigma = float(np.median(np.abs(np.diff(y) - np.median(np.diff(y))))) * _MAD_TO_SD
        sigma = sigma / math.sqrt(2) if sigma > 0 else float(np.std(y)) or 1.0
        pen = 2.0 * math.log(n) * sigma**2
    else:
        pen = float(s.penalty)
    algo = rpt.Pelt(model="l2", min_size=min_size, jump=max(1, min_size // 4)).fit(y)
    bkps = [0] + algo.predict(pen=pen)
    idx = series.index
    counts = series.to_numpy(dtype=float)
    out = []
    for i in range(1, len(bkps) - 1):
        a0, cp, b1 = bkps[i - 1], bkps[i], bkps[i + 1]
        before, after = float(counts[a0:cp].mean()), float(counts[cp:b1].mean())
        base = max(before, 1e-9)
        rel = (after - before) / base
        if abs(rel) < s.min_change:
            continue
        up = rel > 0
        thr = before * (1 + s.min_change) if up else before * (1 - s.min_change)
        out.append(
            Alert(
                rule="changepoint",
                start=idx[cp],
                end=idx[b1 - 1],
                observed=after,
                expected=before,
                threshold=thr,
                window=str(idx[b1 - 1] - idx[cp] + step),
                peak_at=idx[cp],
                series=name,
                unit="mentions per step (segment mean)",
                explanation=(
                    f"{name + ': ' if name else ''}sustained {'rise' if up else 'fall'} from "
                    f"{reader_time(idx[cp])}: {after:.3g} mentions per {_fmt_td(step)} on "
                    f"average until {reader_time(idx[b1 - 1])}, against {before:.3g} in the "
                    f"period before ({rel:+.0%}; reported from a change of "
                    f"{s.min_change:.0%}; change point found by PELT)"
                ),
            )
        )
    return out


# ---------------------------------------------------------------------------- negative share
def _negative_share(
    negative: pd.Series, total: pd.Series | None, s: AlertSettings, name: str
) -> list[Alert]:
    if total is None:
        raise AlertError("negative_share: give the counts of all mentions as total=")
    step = series_step(negative, what="negative counts")
    if not negative.index.equals(total.index):
        raise AlertError("negative_share: negative and total counts must share the same times")
    neg = negative.to_numpy(dtype=float)
    tot = total.to_numpy(dtype=float)
    if (neg > tot).any():
        i = int(np.flatnonzero(neg > tot)[0])
        raise AlertError(
            f"negative_share: at {negative.index[i]} the negative count {neg[i]:g} exceeds the "
            f"total {tot[i]:g}"
        )
    w = _steps(s.share_window, step)
    nb = _steps(pd.Timedelta(days=s.baseline_days), step)
    n_w = pd.Series(neg).rolling(w, min_periods=w).sum().to_numpy()
    t_w = pd.Series(tot).rolling(w, min_periods=w).sum().to_numpy()
    n_b = pd.Series(neg).shift(w).rolling(nb, min_periods=nb).sum().to_numpy()
    t_b = pd.Series(tot).shift(w).rolling(nb, min_periods=nb).sum().to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        share = n_w / t_w
        p0 = n_b / t_b
        se = np.sqrt(np.maximum(p0 * (1 - p0), 1e-12) / t_w)
        thr = np.maximum(p0 + s.share_threshold * se, p0 + s.min_increase)
        cond = (t_w >= s.min_mentions) & (t_b > 0) & (share > thr)
    cond = np.nan_to_num(cond, nan=0).astype(bool)
    idx = negative.index
    out = []
    for a, b in _runs(cond, idx, _steps(s.merge_gap, step)):
        p = a + int(np.nanargmax(np.where(cond[a : b + 1], share[a : b + 1], -1)))
        out.append(
            Alert(
                rule="negative_share",
                start=idx[a],
                end=idx[b],
                observed=float(share[p]),
                expected=float(p0[p]),
                threshold=float(thr[p]),
                window=s.share_window,
                peak_at=idx[p],
                series=name,
                unit="share",
                explanation=(
                    f"{name + ': ' if name else ''}{share[p]:.0%} of the {t_w[p]:.0f} mentions "
                    f"with a sentiment in the {s.share_window} to {reader_time(idx[p] + step)} "
                    f"were negative, against {p0[p]:.0%} "
                    f"over the previous {s.baseline_days:g} days (threshold {thr[p]:.0%}: "
                    f"baseline + {s.share_threshold:g} binomial standard errors, at least "
                    f"+{s.min_increase:.0%})"
                ),
            )
        )
    return out


# ---------------------------------------------------------------------------- entry point
def detect(
    series: pd.Series,
    rule: str = "tuned",
    *,
    settings: AlertSettings | None = None,
    posts: pd.DataFrame | None = None,
    total: pd.Series | None = None,
    name: str = "",
    **params: Any,
) -> list[Alert]:
    """Alerts on a count series, one per event.

    Parameters
    ----------
    series : pandas.Series, shape (n,)
        Counts per step indexed by a regular DatetimeIndex (naive or time-zone aware; the
        alerts keep that clock). For ``negative_share``: the negative counts.
    rule : str
        ``tuned`` (default), ``meltwater``, ``changepoint`` or ``negative_share``.
    settings : AlertSettings, optional
        Parameters; ``params`` override single fields (``threshold=8``).
    posts : DataFrame, optional
        Columns ``post_id`` and ``created_at`` (same clock as the series), optionally
        ``engagements``: each alert lists the posts created within its span, at most
        ``max_posts``, the most engaging (else the latest) first.
    total : pandas.Series, optional
        ``negative_share`` only: counts of all mentions, same index.
    name : str
        The series' name (a topic id): part of each alert's key and explanation.

    Returns
    -------
    list of Alert
        In time order.

    Raises
    ------
    AlertError
        Unknown rule or parameter, irregular or non-time index, negative counts.

    References
    ----------
    Lavin & Ahmad, "Evaluating Real-time Anomaly Detection Algorithms - the Numenta Anomaly
    Benchmark", arXiv:1510.03336, 2015 (the benchmark the defaults are tuned on).
    Truong, Oudre, Vayatis, "Selective review of offline change point detection methods",
    Signal Processing 167, 2020 (ruptures; PELT).
    Leys et al., JESP 49(4), 2013 (median absolute deviation).
    """
    if rule not in RULES:
        raise AlertError(f"unknown alert rule '{rule}'; known rules: {', '.join(RULES)}")
    base = settings or AlertSettings()
    dump = base.model_dump(exclude={"deliver"})
    if base._threshold_default and "threshold" not in params:
        dump.pop("threshold")  # the default follows the scale, which params may change
    try:
        s = AlertSettings.model_validate({**dump, **params, "rule": rule})
    except Exception as exc:  # pydantic.ValidationError
        raise AlertError(f"alert settings: {exc}") from None
    values = pd.to_numeric(series, errors="coerce")
    if values.isna().any():
        i = int(np.flatnonzero(values.isna().to_numpy())[0])
        raise AlertError(f"series: the count at {series.index[i]} is missing or not a number")
    if (values < 0).any():
        i = int(np.flatnonzero((values < 0).to_numpy())[0])
        raise AlertError(f"series: the count at {series.index[i]} is negative")
    if rule == "tuned":
        alerts = _tuned(values, s, name)
    elif rule == "meltwater":
        alerts = _meltwater(values, s, name)
    elif rule == "changepoint":
        alerts = _changepoint(values, s, name)
    else:
        alerts = _negative_share(values, total, s, name)
    if posts is not None:
        attach_posts(alerts, posts, series_step(values), s.max_posts)
    return alerts


def attach_posts(
    alerts: Sequence[Alert], posts: pd.DataFrame, step: pd.Timedelta, max_posts: int = 20
) -> None:
    """Fill each alert's ``post_ids`` with the posts created in its span (in place).

    The span runs from the start of the step at ``start`` (minus the smoothing window, so the
    posts that pushed the first value over the threshold are included) to the end of the
    step at ``end``. The most engaging posts come first when ``engagements`` is a column,
    else the latest.

    Raises
    ------
    AlertError
        If ``posts`` lacks ``post_id`` or ``created_at``.
    """
    missing = [c for c in ("post_id", "created_at") if c not in posts.columns]
    if missing:
        raise AlertError(f"posts: missing column(s) {', '.join(missing)}")
    created = pd.to_datetime(posts["created_at"])
    for a in alerts:
        lo = a.start - (window_timedelta(a.window) or step) + step
        hi = a.end + step
        m = (created >= lo) & (created < hi)
        sel = posts.loc[m.to_numpy()]
        if "engagements" in sel.columns:
            sel = sel.assign(_e=pd.to_numeric(sel["engagements"], errors="coerce").fillna(-1))
            # post id breaks ties (posts without engagement figures all weigh -1), so the
            # same posts are named on every run whatever order the posts came in
            sel = sel.sort_values(
                ["_e", "created_at", "post_id"], ascending=[False, False, True], kind="stable"
            )
        else:
            sel = sel.sort_values(["created_at", "post_id"], ascending=[False, True], kind="stable")
        a.post_ids = [str(p) for p in sel["post_id"].head(max_posts)]


def update_events(previous: Sequence[Alert], current: Sequence[Alert]) -> list[tuple[Alert, str]]:
    """Compare this run's alerts with those already known: new, updated or unchanged.

    An event is the same when its key (rule, series, start) is the same; it is *updated* when
    its end, peak or observed value changed (the event went on or grew).

    Returns
    -------
    list of (Alert, status)
        ``status`` is ``"new"``, ``"updated"`` or ``"unchanged"``, in the order of ``current``.
    """
    known = {a.key: a for a in previous}
    out = []
    for a in current:
        old = known.get(a.key)
        if old is None:
            out.append((a, "new"))
        elif (old.end, old.peak_at, round(old.observed, 9)) != (
            a.end,
            a.peak_at,
            round(a.observed, 9),
        ):
            out.append((a, "updated"))
        else:
            out.append((a, "unchanged"))
    return out


# ---------------------------------------------------------------------------- scoring
@dataclass
class EventScore:
    """Event-level quality of alerts against labelled anomaly windows.

    Attributes
    ----------
    windows : int
        Labelled windows.
    detected : int
        Windows in which at least one alert starts.
    alerts : int
        Alerts after merging those starting less than ``merge`` apart.
    false_alerts : int
        Merged alerts starting outside every window.
    weeks : float
        Length of the scored series in weeks.
    delays : list of pandas.Timedelta
        Per detected window: first alert start minus window start.
    """

    windows: int
    detected: int
    alerts: int
    false_alerts: int
    weeks: float
    delays: list[pd.Timedelta] = field(default_factory=list)

    @property
    def precision(self) -> float:
        """detected / (detected + false alerts): windows count once, however many alerts."""
        d = self.detected + self.false_alerts
        return self.detected / d if d else float("nan")

    @property
    def recall(self) -> float:
        """detected / windows."""
        return self.detected / self.windows if self.windows else float("nan")

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall (0 when both are 0)."""
        p, r = self.precision, self.recall
        if not (math.isfinite(p) and math.isfinite(r)) or p + r == 0:
            return 0.0
        return 2 * p * r / (p + r)

    @property
    def false_per_week(self) -> float:
        """False alerts per series-week."""
        return self.false_alerts / self.weeks if self.weeks else float("nan")

    @property
    def median_delay(self) -> pd.Timedelta | None:
        """Median of ``delays`` (None when nothing was detected)."""
        if not self.delays:
            return None
        return pd.Timedelta(int(np.median([d.value for d in self.delays])), "ns")

    def __add__(self, other: EventScore) -> EventScore:
        return EventScore(
            self.windows + other.windows,
            self.detected + other.detected,
            self.alerts + other.alerts,
            self.false_alerts + other.false_alerts,
            self.weeks + other.weeks,
            self.delays + other.delays,
        )


def merge_starts(starts: Iterable[pd.Timestamp], merge: str = "1h") -> list[pd.Timestamp]:
    """Alert starts with those less than ``merge`` after the previous one dropped (chained)."""
    gap = pd.Timedelta(merge)
    out: list[pd.Timestamp] = []
    last = None
    for t in sorted(pd.Timestamp(t) for t in starts):
        if last is None or t - last >= gap:
            out.append(t)
        last = t
    return out


def score_events(
    starts: Iterable[pd.Timestamp],
    windows: Sequence[tuple[pd.Timestamp, pd.Timestamp]],
    *,
    span: tuple[pd.Timestamp, pd.Timestamp],
    merge: str = "1h",
) -> EventScore:
    """Score alert start times against labelled windows (inclusive bounds).

    Parameters
    ----------
    starts : iterable of Timestamp
        Alert start times.
    windows : sequence of (start, end)
        Labelled anomaly windows, inclusive (NAB's convention).
    span : (first, last)
        The scored series' first and last time (for the false alerts per week).
    merge : str
        Alerts starting less than this after the previous alert are one event.

    Returns
    -------
    EventScore

    Notes
    -----
    A window is detected when a (merged) alert starts inside it; an alert starting outside
    every window is a false alert. Precision counts each detected window once, so a detector
    cannot raise it by alerting repeatedly inside one window. NAB's own score (a sigmoid of
    the position in the window) is not used: the event view is what a listening team sees.

    References
    ----------
    Lavin & Ahmad, "Evaluating Real-time Anomaly Detection Algorithms - the Numenta Anomaly
    Benchmark", arXiv:1510.03336, 2015.
    """
    merged = merge_starts(starts, merge)
    detected: dict[int, pd.Timestamp] = {}
    false = 0
    for t in merged:
        hit = [i for i, (a, b) in enumerate(windows) if a <= t <= b]
        if not hit:
            false += 1
        for i in hit:
            detected.setdefault(i, t)
    delays = [detected[i] - windows[i][0] for i in sorted(detected)]
    weeks = (span[1] - span[0]) / pd.Timedelta("7D")
    return EventScore(len(windows), len(detected), len(merged), false, weeks, delays)


# ---------------------------------------------------------------------------- NAB data
NAB_SERIES = ("AAPL", "AMZN", "FB", "GOOG", "IBM", "KO")
"""The six NAB realTweets series present in the shared data (four more are held out)."""


def load_nab_realtweets(
    symbols: Sequence[str] = NAB_SERIES,
) -> dict[str, tuple[pd.Series, list[tuple[pd.Timestamp, pd.Timestamp]]]]:
    """The NAB realTweets series and their labelled windows, through ``ripplemeter.datasets``.

    Returns
    -------
    dict
        symbol -> (counts per 5 minutes on a naive DatetimeIndex, [(start, end), ...]).

    Raises
    ------
    ripplemeter.datasets.DataUnavailable
        If the data folder is absent.

    References
    ----------
    Lavin & Ahmad 2015 (arXiv:1510.03336); data: numenta/NAB ``data/realTweets``,
    ``labels/combined_windows.json`` (see PROVENANCE.md of ``nab_realtweets``).
    """
    from ripplemeter.datasets import data_path

    root = data_path("nab_realtweets")
    wins = json.loads((root / "combined_windows.realTweets6.json").read_text())
    out = {}
    for sym in symbols:
        rel = f"realTweets/Twitter_volume_{sym}.csv"
        df = pd.read_csv(root / rel)
        s = pd.Series(
            df["value"].to_numpy(dtype=float),
            index=pd.DatetimeIndex(pd.to_datetime(df["timestamp"])),
            name=sym,
        )
        w = [(pd.Timestamp(a), pd.Timestamp(b)) for a, b in wins[rel]]
        out[sym] = (s, w)
    return out


# ---------------------------------------------------------------------------- CSV
def read_series_csv(path: str | Path, time_column: str, value_column: str) -> pd.Series:
    """A count series from a CSV file (one row per period, regular steps).

    Times keep their own clock: naive stays naive, an offset stays (as a fixed-offset zone).

    Raises
    ------
    FormatError
        Missing column, unreadable time or count, irregular or unordered times (the message
        names the file, the spreadsheet row and the column).
    """
    path = Path(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise FormatError(path, message="file not found") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise FormatError(path, message=f"cannot read it as CSV ({exc})") from None
    for col in (time_column, value_column):
        if col not in df.columns:
            raise FormatError(
                path,
                column=col,
                expected=f"a column named '{col}' (columns found: {', '.join(df.columns)})",
            )
    if len(df) < 2:
        raise FormatError(path, message="at least two rows of counts are needed")
    times = []
    for i, v in enumerate(df[time_column]):
        try:
            times.append(pd.Timestamp(v.strip()))
        except (ValueError, TypeError):
            raise FormatError(
                path, row=i + 2, column=time_column, expected="a date or time", found=v
            ) from None
    zones = {str(t.tz) for t in times}
    if len(zones) > 1:
        if "None" in zones:
            raise FormatError(
                path, column=time_column, message="some times have a time zone and some do not"
            )
        times = [t.tz_convert("UTC") for t in times]
    values = pd.to_numeric(df[value_column].str.strip(), errors="coerce")
    bad = values.isna() | (values < 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise FormatError(
            path,
            row=i + 2,
            column=value_column,
            expected="a count (a number of 0 or more)",
            found=df[value_column].iat[i],
        )
    idx = pd.DatetimeIndex(times)
    d = np.diff(idx.as_unit("ns").asi8)
    bad_step = np.flatnonzero((d <= 0) | (d != d[0]))
    if len(bad_step):
        i = int(bad_step[0]) + 1
        raise FormatError(
            path,
            row=i + 2,
            column=time_column,
            expected=(
                f"regular steps of {pd.Timedelta(int(d[0]), 'ns')} in increasing order (fill "
                "missing periods with 0)"
            ),
            found=df[time_column].iat[i],
        )
    return pd.Series(values.to_numpy(dtype=float), index=idx, name=value_column)


def detect_csv(
    path: str | Path,
    time_column: str,
    value_column: str,
    rule: str | None = None,
    **params: Any,
) -> list[Alert]:
    """Alerts on a count series read from a CSV file (the ``ripplemeter alerts detect`` call).

    Parameters
    ----------
    path : str or Path
    time_column, value_column : str
        Header names of the times and the counts.
    rule : str, optional
        A name of :data:`RULES`; ``None`` means ``tuned`` with the shipped defaults.
    **params
        Fields of :class:`AlertSettings` to override (``transform="linear", threshold=10``).

    Returns
    -------
    list of Alert
        One per event; ``Alert.to_json()`` gives the CLI's JSON objects.

    Raises
    ------
    FormatError
        The file cannot be read as a regular count series (see :func:`read_series_csv`).
    AlertError
        Unknown rule.
    """
    if rule is not None and rule not in RULES:
        raise AlertError(f"unknown alert rule '{rule}'; known rules: {', '.join(RULES)}")
    series = read_series_csv(path, time_column, value_column)
    return detect(series, rule or "tuned", name=value_column, **params)
