"""Before/after comparison of daily series with uncertainty.

Two estimators of the relative lift of a daily outcome (campaign / baseline - 1):

- :func:`welch_lift`: Welch's unequal-variance interval on the difference of daily means,
  carried to the ratio by the delta method (the headline, as the metric registry states).
- :func:`weekday_adjusted_lift`: OLS of the daily value on a campaign indicator and
  day-of-week fixed effects, with HC3 standard errors; respects weekly seasonality when the
  two windows hold different mixes of weekdays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class LiftEstimate:
    """Relative lift of a daily series between a baseline and a campaign window.

    Attributes
    ----------
    baseline_daily_mean, campaign_daily_mean : float or None
        Means over the days present in each window.
    lift : float or None
        campaign / baseline - 1; None with ``reasons['lift']`` when the baseline is 0/absent.
    difference : float or None
        campaign - baseline (absolute), always given when both means exist.
    ci95 : list[float] or None
        95% interval of the lift, [low, high].
    method : str
        Name of the interval method.
    baseline_days, campaign_days : int
        Days present.
    baseline_coverage, campaign_coverage : float or None
        Days present / days in the window.
    reasons : dict[str, str]
        Why a field is None.
    """

    baseline_daily_mean: float | None
    campaign_daily_mean: float | None
    lift: float | None
    difference: float | None
    ci95: list[float] | None
    method: str
    baseline_days: int = 0
    campaign_days: int = 0
    baseline_coverage: float | None = None
    campaign_coverage: float | None = None
    reasons: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        d = {
            "baseline_daily_mean": self.baseline_daily_mean,
            "campaign_daily_mean": self.campaign_daily_mean,
            "lift": self.lift,
            "difference": self.difference,
            "ci95": self.ci95,
            "method": self.method,
            "baseline_days": self.baseline_days,
            "campaign_days": self.campaign_days,
            "baseline_coverage": self.baseline_coverage,
            "campaign_coverage": self.campaign_coverage,
        }
        if self.reasons:
            d["reasons"] = dict(self.reasons)
        return d


WELCH = "Welch-Satterthwaite degrees of freedom, delta method on the log ratio of daily means"


def welch_lift(
    baseline: np.ndarray,
    campaign: np.ndarray,
    *,
    baseline_window_days: int | None = None,
    campaign_window_days: int | None = None,
    alpha: float = 0.05,
) -> LiftEstimate:
    """Relative lift of campaign over baseline daily values with a Welch/delta-method interval.

    Parameters
    ----------
    baseline, campaign : ndarray of float, shape (n_b,), (n_c,)
        Daily values present in each window (missing days simply absent).
    baseline_window_days, campaign_window_days : int, optional
        Days in each window, for coverage.
    alpha : float
        1 - confidence level.

    Returns
    -------
    LiftEstimate
        lift = mean_c / mean_b - 1. The interval is ``R exp(+-t se) - 1`` with
        ``R = mean_c / mean_b``, ``se = sqrt(var_c / (n_c mean_c^2) + var_b / (n_b mean_b^2))``
        (the delta-method standard error of ``log R``) and Student's t with the
        Welch-Satterthwaite degrees of freedom of the difference of means. On the log scale
        the interval is asymmetric and never reaches below -100%, which the linear delta
        interval does for noisy, spiky series.

    References
    ----------
    Welch, B. L. "The generalization of 'Student's' problem when several different population
    variances are involved." Biometrika 34 (1947). Delta method for a ratio of independent
    means: e.g. Kohavi et al., "Trustworthy Online Controlled Experiments" (2020), ch. 18.
    """
    b = np.asarray(baseline, dtype=float)
    c = np.asarray(campaign, dtype=float)
    b = b[~np.isnan(b)]
    c = c[~np.isnan(c)]
    reasons: dict[str, str] = {}
    nb, nc = len(b), len(c)
    mb = float(b.mean()) if nb else None
    mc = float(c.mean()) if nc else None
    if mb is None:
        reasons["baseline_daily_mean"] = "no baseline data"
    if mc is None:
        reasons["campaign_daily_mean"] = "no campaign data"
    lift = diff = None
    ci = None
    if mb is not None and mc is not None:
        ch = relative_change(mc, mb, what="baseline daily mean")
        diff = ch.difference
        if ch.lift is None:
            reasons["lift"] = "baseline daily mean is 0; see the absolute difference"
        else:
            lift = ch.lift
            if nb >= 2 and nc >= 2:
                vb, vc = float(b.var(ddof=1)), float(c.var(ddof=1))
                sb, sc = vb / nb, vc / nc
                den = (sb**2 / (nb - 1) if nb > 1 else 0) + (sc**2 / (nc - 1) if nc > 1 else 0)
                df = (sb + sc) ** 2 / den if den > 0 else float(nb + nc - 2)
                from scipy import stats  # imported lazily: heavy, and only needed here

                t = float(stats.t.ppf(1 - alpha / 2, df))
                if mc > 0 and mb > 0:
                    # delta method on log(mc / mb): the interval stays above -100%
                    se_log = math.sqrt(sc / mc**2 + sb / mb**2)
                    ratio = mc / mb
                    ci = [ratio * math.exp(-t * se_log) - 1, ratio * math.exp(t * se_log) - 1]
                else:
                    reasons["ci95"] = "a window's daily mean is not positive; no ratio interval"
            else:
                reasons["ci95"] = "fewer than 2 days in a window"
    if mb is None or mc is None:
        reasons.setdefault("lift", "needs both baseline and campaign data")
    return LiftEstimate(
        mb,
        mc,
        lift,
        diff,
        ci,
        WELCH,
        nb,
        nc,
        nb / baseline_window_days if baseline_window_days else None,
        nc / campaign_window_days if campaign_window_days else None,
        reasons,
    )


WEEKDAY = "OLS with day-of-week fixed effects, HC3 standard errors"


def weekday_adjusted_lift(
    dates_b: pd.Series,
    values_b: np.ndarray,
    dates_c: pd.Series,
    values_c: np.ndarray,
    *,
    alpha: float = 0.05,
) -> LiftEstimate | None:
    """Lift from an OLS model ``value ~ campaign + C(weekday)`` with HC3 errors.

    The campaign effect ``beta`` is the mean daily change after removing weekday effects;
    the lift is ``beta / (campaign_mean - beta)`` (effect over the counterfactual campaign
    mean) and its interval maps the interval of ``beta`` through that monotone function.

    Returns
    -------
    LiftEstimate or None
        None when there are too few days (fewer than 14 in all or fewer than 2 per window).

    References
    ----------
    MacKinnon, J. G. and White, H. "Some heteroskedasticity-consistent covariance matrix
    estimators with improved finite sample properties." J. Econometrics 29 (1985) (HC3).
    """
    import statsmodels.api as sm

    vb = np.asarray(values_b, dtype=float)
    vc = np.asarray(values_c, dtype=float)
    keep_b, keep_c = np.isfinite(vb), np.isfinite(vc)
    dates_b = pd.Series(list(dates_b))[keep_b]
    dates_c = pd.Series(list(dates_c))[keep_c]
    vb, vc = vb[keep_b], vc[keep_c]
    if len(vb) < 2 or len(vc) < 2 or len(vb) + len(vc) < 14:
        return None
    dates = pd.to_datetime(pd.concat([pd.Series(dates_b), pd.Series(dates_c)], ignore_index=True))
    y = np.concatenate([vb, vc])
    treat = np.r_[np.zeros(len(vb)), np.ones(len(vc))]
    wd = pd.get_dummies(dates.dt.day_of_week, prefix="wd", drop_first=True).astype(float)
    X = np.column_stack([np.ones(len(y)), treat, wd.to_numpy()])
    try:
        fit = sm.OLS(y, X).fit(cov_type="HC3")
    except Exception:  # singular design
        return None
    beta = float(fit.params[1])
    lo, hi = (float(x) for x in fit.conf_int(alpha)[1])
    if not all(np.isfinite([beta, lo, hi])):
        return None
    mc = float(vc.mean())
    mb = float(vb.mean())
    reasons: dict[str, str] = {}
    base = mc - beta
    if base <= 0:
        reasons["lift"] = "weekday-adjusted counterfactual mean is not positive"
        lift, ci = None, None
    else:
        lift = beta / base
        ci = [lo / (mc - lo) if mc - lo > 0 else None, hi / (mc - hi) if mc - hi > 0 else None]
        if None in ci:
            ci = None
            reasons["ci95"] = "interval reaches a non-positive counterfactual"
    return LiftEstimate(mb, mc, lift, beta, ci, WEEKDAY, len(vb), len(vc), reasons=reasons)


@dataclass(frozen=True)
class Change:
    """Relative and absolute change of one figure between two windows.

    Attributes
    ----------
    lift : float or None
        ``new / old - 1``; None with ``reason`` when ``old`` is 0 or either is missing.
    difference : float or None
        ``new - old`` when both exist.
    reason : str or None
    """

    lift: float | None
    difference: float | None
    reason: str | None = None


def relative_change(new: float | None, old: float | None, *, what: str = "baseline") -> Change:
    """The one definition of lift in ripplemeter: ``new / old - 1``, beside ``new - old``.

    Parameters
    ----------
    new, old : float or None
        The campaign (or plan) figure and the baseline it is compared with.
    what : str
        Name of ``old`` in the reason given when the lift cannot be computed.

    Returns
    -------
    Change
        Lift null with a reason when ``old`` is 0 or missing (never inf, never a silent 0).

    Examples
    --------
    >>> relative_change(150, 100).lift
    0.5
    >>> relative_change(5, 0).reason
    'baseline is 0'
    """
    from ripplemeter.evaluate.metrics import ratio

    r = ratio(new, old, what=what)
    diff = None
    if new is not None and old is not None:
        diff = new - old  # ints stay ints
        if isinstance(diff, float) and math.isnan(diff):
            diff = None
    return Change(r.value - 1 if r.value is not None else None, diff, r.reason)
