"""Before/after lift estimators, checked by hand, against scipy, and by simulation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ripplemeter.evaluate.lift import weekday_adjusted_lift, welch_lift


def test_welch_lift_by_hand():
    b = np.array([10.0, 12.0, 14.0])
    c = np.array([15.0, 15.0, 18.0])
    est = welch_lift(b, c, baseline_window_days=4, campaign_window_days=3)
    assert est.baseline_daily_mean == 12 and est.campaign_daily_mean == 16
    assert est.lift == pytest.approx(16 / 12 - 1)
    assert est.difference == 4
    # delta method on log(mc/mb): var ~ vc/(nc mc^2) + vb/(nb mb^2), vb = 4, vc = 3
    se = math.sqrt(3 / (3 * 16**2) + 4 / (3 * 12**2))
    df = stats.ttest_ind(c, b, equal_var=False).df  # Welch-Satterthwaite, from scipy
    t = stats.t.ppf(0.975, df)
    assert est.ci95 == pytest.approx(
        [16 / 12 * math.exp(-t * se) - 1, 16 / 12 * math.exp(t * se) - 1]
    )
    assert est.baseline_coverage == 0.75 and est.campaign_coverage == 1.0


def test_interval_never_reaches_below_minus_100_percent():
    """A spiky campaign series (the real X engagements case) made the linear interval < -1."""
    rng = np.random.default_rng(0)
    b = rng.poisson(500, 31).astype(float)
    c = np.r_[rng.poisson(500, 30), 90_000].astype(float)
    lo, hi = welch_lift(b, c).ci95
    assert -1 < lo < welch_lift(b, c).lift < hi


def test_zero_baseline_gives_null_lift_with_reason_and_difference():
    est = welch_lift(np.zeros(5), np.array([1.0, 2.0, 3.0]))
    assert est.lift is None and "0" in est.reasons["lift"]
    assert est.difference == 2.0


def test_missing_baseline_gives_null_with_reason():
    est = welch_lift(np.array([]), np.array([1.0, 2.0]))
    assert est.baseline_daily_mean is None and est.lift is None
    assert est.reasons["baseline_daily_mean"] == "no baseline data"


def test_welch_interval_covers_true_lift_about_95_percent():
    rng = np.random.default_rng(3)
    hits = 0
    n = 400
    for _ in range(n):
        b = rng.poisson(100, 28).astype(float)
        c = rng.poisson(120, 31).astype(float)
        lo, hi = welch_lift(b, c).ci95
        hits += lo <= 0.2 <= hi
    assert 0.91 <= hits / n <= 0.985


def test_weekday_adjusted_recovers_an_additive_effect_under_uneven_weekday_mix():
    wd_effect = np.array([0, 5, 5, 5, 5, 40, 60], dtype=float)  # busy weekends
    bd = pd.Series(pd.date_range("2026-02-02", periods=14, freq="D"))  # two full weeks
    cd = pd.Series(pd.date_range("2026-03-06", periods=10, freq="D"))  # Fri..Sun twice
    vb = 100 + wd_effect[bd.dt.day_of_week.to_numpy()]
    vc = 100 + wd_effect[cd.dt.day_of_week.to_numpy()] + 20
    est = weekday_adjusted_lift(bd, vb, cd, vc)
    assert est.difference == pytest.approx(20)
    assert est.lift == pytest.approx(20 / (vc.mean() - 20))
    naive = welch_lift(vb, vc).lift
    assert abs(naive - est.lift) > 0.05  # the naive lift is biased by the weekday mix
