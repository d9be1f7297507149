"""Statistics of replications: confidence intervals, Welch and paired differences, the
validation judge, and the MSER-5 warm-up rule.

Every interval in flowsim's tables comes from here, so they are computed one way.

Intervals of a KPI's mean respect the KPI's range. With 2-5 replications of a skewed
count (12-hour trolley waits) or a percentage near its bound, the t-interval
``mean +/- t se`` runs below zero or above 100. A KPI's interval is therefore the
t-interval intersected with the KPI's range (``[0, 100]`` for percentages, ``>= 0`` for
counts, bed-days, hours and pounds). This keeps the t-interval's coverage exactly: the
true mean lies inside the range, so it lies in the t-interval if and only if it lies in
the intersection; and the result is never wider. Two alternatives were tried and
rejected: a delta-method interval on the log or logit scale stays in range too, but at
two replications (t = 12.7) it stretches a count's upper limit to thousands of times the
mean; a bootstrap cannot reach the tails with 2-10 replications and is too narrow.
Differences between scenarios are unbounded and get the plain (paired) t-interval.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as _st

#: Confidence level of every summary interval in tables and figures.
LEVEL = 0.95

#: Why a summary with fewer than two replications has no interval (tables show this).
NO_INTERVAL_REASON = "one replication: no interval (a CI needs at least 2 replications)"


@dataclass(frozen=True)
class Interval:
    """Mean of a sample with its standard deviation and confidence interval.

    Attributes
    ----------
    n : int
        Number of finite observations.
    mean, sd : float
        Sample mean and standard deviation (``ddof=1``; NaN when ``n < 2``).
    low, high : float
        Confidence limits (NaN when ``n < 2``).
    method : str
        ``"t"``, or ``"t, within range"`` when limits were intersected with a range.
    """

    n: int
    mean: float
    sd: float
    low: float
    high: float
    method: str

    def as_tuple(self) -> tuple[float, float, float, float]:
        """``(mean, sd, low, high)``, the shape :func:`ci95` has always returned."""
        return self.mean, self.sd, self.low, self.high


def _clean(values: Sequence[float] | np.ndarray) -> np.ndarray:
    x = np.asarray(values, dtype=float)
    return x[~np.isnan(x)]


def t_quantile(n: int, level: float = LEVEL) -> float:
    """Two-sided Student t quantile with ``n - 1`` degrees of freedom."""
    return float(_st.t.ppf(0.5 + level / 2.0, n - 1))


def mean_ci(
    values: Sequence[float] | np.ndarray,
    lower: float | None = None,
    upper: float | None = None,
    level: float = LEVEL,
) -> Interval:
    """Mean and confidence interval of a sample, kept inside ``[lower, upper]``.

    Parameters
    ----------
    values : array-like
        One value per replication; NaN values are dropped.
    lower, upper : float, optional
        The KPI's range; the t-interval is intersected with it (see the module
        docstring for why this keeps its coverage).
    level : float
        Confidence level, default 0.95.

    Returns
    -------
    Interval
        ``low``/``high`` are NaN when fewer than two values are finite.
    """
    x = _clean(values)
    n = x.size
    if n == 0:
        return Interval(0, math.nan, math.nan, math.nan, math.nan, "t")
    mean = float(x.mean())
    if n == 1:
        return Interval(1, mean, math.nan, math.nan, math.nan, "t")
    sd = float(x.std(ddof=1))
    se = sd / math.sqrt(n)
    t = t_quantile(n, level)
    lo, hi = mean - t * se, mean + t * se
    if lower is None and upper is None:
        return Interval(n, mean, sd, lo, hi, "t")
    if lower is not None:
        lo, hi = max(lo, float(lower)), max(hi, float(lower))
    if upper is not None:
        lo, hi = min(lo, float(upper)), min(hi, float(upper))
    return Interval(n, mean, sd, lo, hi, "t, within range")


def ci95(values: Sequence[float] | np.ndarray) -> tuple[float, float, float, float]:
    """Mean, standard deviation and the 95% t-interval ``(low, high)`` of a sample.

    Unbounded: use it for differences. For a KPI's own mean use :func:`mean_ci`
    with the KPI's bounds.
    """
    return mean_ci(values).as_tuple()


def welch_ci(a: np.ndarray, b: np.ndarray, level: float = LEVEL) -> tuple[float, float]:
    """Welch interval for ``mean(a) - mean(b)`` treating the samples as independent.

    Parameters
    ----------
    a, b : numpy.ndarray
        The two samples (at least two values each, else the limits are NaN).
    level : float
        Confidence level.

    Returns
    -------
    tuple of float
        ``(low, high)``; both equal the difference when both samples are constant.
    """
    a, b = _clean(a), _clean(b)
    n1, n2 = a.size, b.size
    if n1 < 2 or n2 < 2:
        return math.nan, math.nan
    v1, v2 = a.var(ddof=1) / n1, b.var(ddof=1) / n2
    se = math.sqrt(v1 + v2)
    d = float(a.mean() - b.mean())
    if se == 0:
        return d, d
    df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    h = float(_st.t.ppf(0.5 + level / 2.0, df)) * se
    return d - h, d + h


def welch_p_value(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided Welch t-test p-value of ``mean(a) == mean(b)``."""
    return float(_st.ttest_ind(_clean(a), _clean(b), equal_var=False).pvalue)


def paired_ci(a: np.ndarray, b: np.ndarray, level: float = LEVEL) -> Interval:
    """Mean of the paired differences ``a - b`` with its t-interval.

    Valid for common random numbers: replication r of both scenarios shares its random
    numbers, so the differences are independent across replications. Pairs where
    either value is NaN are dropped.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    ok = ~(np.isnan(a) | np.isnan(b))
    return mean_ci(a[ok] - b[ok], level=level)


def significant(low: float, high: float) -> bool:
    """True when a difference's interval excludes zero (NaN limits: False)."""
    return bool((low > 0) or (high < 0))


# ------------------------------------------------------------------ validation judge

#: Confidence of the validation judge's interval.
JUDGE_CONFIDENCE = 0.999
#: Allowance, as a share of the expected value, for the bias of a finite run started empty.
JUDGE_BIAS_ALLOWANCE = 0.01


def judge(
    values: np.ndarray,
    expected: float,
    confidence: float = JUDGE_CONFIDENCE,
    bias_allowance: float = JUDGE_BIAS_ALLOWANCE,
) -> dict[str, float | bool]:
    """Mean, t-interval and pass/fail of a sample against an expected value.

    A check passes when ``|mean - expected|`` is at most the interval half-width plus
    ``bias_allowance * |expected|``.

    Parameters
    ----------
    values : numpy.ndarray
        One measurement per replication.
    expected : float
        The textbook answer.
    confidence : float
        Confidence level of the interval (default 99.9%).
    bias_allowance : float
        Share of ``|expected|`` added to the tolerance.

    Returns
    -------
    dict
        ``model_mean``, ``ci_low``, ``ci_high``, ``tolerance``, ``passed``.
    """
    iv = mean_ci(values, level=confidence)
    half = (iv.high - iv.mean) if iv.n > 1 else math.nan
    tol = half + bias_allowance * abs(expected)
    return {
        "model_mean": iv.mean,
        "ci_low": iv.low,
        "ci_high": iv.high,
        "tolerance": tol,
        "passed": bool(abs(iv.mean - expected) <= tol),
    }


# ------------------------------------------------------------------ MSER-5


def mser(series: np.ndarray, batch: int = 5) -> int:
    """Warm-up by MSER-5 (White, 1997; Hoad, Robinson & Davies, 2010).

    The series is cut into batches of ``batch`` observations; for each candidate
    truncation point d (in batches, up to half the series)
    ``MSER(d) = sum_{i>d} (Y_i - mean_d)^2 / (n - d)^2``, and the recommendation is
    the d that minimises it, times the batch size.

    Parameters
    ----------
    series : numpy.ndarray
        The output series (NaN values dropped).
    batch : int
        Batch size (5 for MSER-5).

    Returns
    -------
    int
        Number of observations to delete from the start (0 for fewer than 4 batches).
    """
    x = _clean(series)
    n_batches = x.size // batch
    if n_batches < 4:
        return 0
    y = x[: n_batches * batch].reshape(n_batches, batch).mean(axis=1)
    best_d, best = 0, np.inf
    for d in range(n_batches // 2 + 1):
        tail = y[d:]
        stat = float(((tail - tail.mean()) ** 2).sum()) / tail.size**2
        if stat < best:
            best_d, best = d, stat
    return best_d * batch
