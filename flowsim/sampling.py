"""Sampling: arrivals by thinning, and inverse-CDF maps from uniforms to attributes.

This is the only module that uses numba. Kernels are pure array functions; the
``*_py`` originals are kept importable so tests can run them uncompiled and the
benchmark can compare the compiled path with the numpy one.

Everything here maps *uniforms* to values, never draws itself, so that common
random numbers survive parameter changes: the same uniform goes through a new
mean or probability, not a new random draw.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit
from scipy.special import gammaincinv, ndtri

from flowsim.config import DemandCfg, Dist

MIN_PER_DAY = 1440.0
MIN_PER_HOUR = 60.0
DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


# ----------------------------------------------------------------- rate profiles


def _norm(values: tuple[float, ...]) -> np.ndarray:
    a = np.asarray(values, dtype=np.float64)
    return a / a.mean()


def month_of_day(n_days: int, start_month: int) -> np.ndarray:
    """Calendar month (1-12) of each simulated day, starting on day 1 of ``start_month``."""
    months = np.empty(n_days, dtype=np.int64)
    d, m = 0, start_month
    while d < n_days:
        k = min(DAYS_IN_MONTH[m - 1], n_days - d)
        months[d : d + k] = m
        d += k
        m = m % 12 + 1
    return months


@dataclass(frozen=True)
class RateProfile:
    """Arrival-rate multipliers: one per simulated day (day of week × month ×
    growth) and one per hour of day. Rate at minute t is
    ``base_per_min * day_factor[t // 1440] * hour_factor[(t // 60) % 24]``."""

    day_factor: np.ndarray
    hour_factor: np.ndarray

    @classmethod
    def build(
        cls,
        demand: DemandCfg,
        n_days: int,
        start_weekday: int,
        start_month: int,
        hourly: bool = True,
        weekdays_only: bool = False,
        months: np.ndarray | None = None,
        month_profile: tuple[float, ...] | None = None,
        grow: bool = True,
    ) -> RateProfile:
        """Build the profile of ``n_days`` days.

        ``months`` gives the calendar month (1-12) of each day (default: day 0 is the
        1st of ``start_month``); ``month_profile`` replaces ``demand.month_of_year``
        (e.g. the admissions profile for direct admissions; ``demand.month_of_year`` is
        detrended, see :func:`detrend_month_index`); ``grow=False`` leaves out
        ``demand.growth_pct_per_year``.
        """
        days = np.arange(n_days)
        dow = _norm(demand.day_of_week)[(days + start_weekday) % 7]
        if weekdays_only:
            dow = np.where((days + start_weekday) % 7 < 5, 7.0 / 5.0, 0.0)
        if months is None:
            months = month_of_day(n_days, start_month)
        profile = (
            detrend_month_index(demand.month_of_year, demand.month_of_year_trend_pct)
            if month_profile is None
            else month_profile
        )
        moy = _norm(profile)[np.asarray(months[:n_days]) - 1]
        rate = demand.growth_pct_per_year if grow else 0.0
        growth = (1.0 + rate / 100.0) ** (days / 365.0)
        hour = _norm(demand.hour_of_day) if hourly else np.ones(24)
        return cls(np.ascontiguousarray(dow * moy * growth), np.ascontiguousarray(hour))


def detrend_month_index(index: tuple[float, ...], trend_pct: float) -> tuple[float, ...]:
    """A calendar-month index (January..December) with the trend of its source taken out.

    The seasonal rows (W10, N7, E6-E7, N8, L8) are mean daily rates of each calendar
    month over financial years (April..March). In a series growing ``trend_pct`` a
    year, the month ``k`` months into the financial year (April ``k = 0``) reads
    ``(1 + trend_pct/100) ** ((k - 5.5) / 12)`` times its seasonal level against the
    year's mean, so that factor is divided out and the index renormalised to its
    mean. The model adds the run's own growth (``demand.growth_pct_per_year``); without
    this the within-year trend of the source years would count twice.

    Parameters
    ----------
    index : tuple of float
        12 values, January..December.
    trend_pct : float
        Growth of the source series, percent a year; 0 returns ``index`` unchanged.

    Returns
    -------
    tuple of float
        12 values with the same mean as ``index``.
    """
    if trend_pct == 0:
        return tuple(index)
    a = np.asarray(index, dtype=np.float64)
    k = (np.arange(12) - 3) % 12  # months into the financial year: April 0 .. March 11
    d = a / (1.0 + trend_pct / 100.0) ** ((k - 5.5) / 12.0)
    return tuple((d * (a.mean() / d.mean())).tolist())


def dominating_rate(rate_max: float) -> float:
    """Round a peak rate (arrivals per minute) up to a power of two.

    Thinning from this rounded rate means that scenarios whose peak rates fall in
    the same power-of-two band generate the *same* candidate arrivals, and a lower
    rate keeps a subset of a higher one: common random numbers hold for demand
    changes, not only for service-time changes.
    """
    if rate_max <= 0:
        return 0.0
    return 2.0 ** math.ceil(math.log2(rate_max))


def thin_py(
    cand_t: np.ndarray,
    u_accept: np.ndarray,
    base_per_min: float,
    day_factor: np.ndarray,
    hour_factor: np.ndarray,
    rate_dom: float,
) -> np.ndarray:
    """Thinning (Lewis & Shedler): keep candidate i when u_i * rate_dom < rate(t_i)."""
    n = cand_t.shape[0]
    keep = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        t = cand_t[i]
        d = int(t // 1440.0)
        h = int(t // 60.0) % 24
        keep[i] = u_accept[i] * rate_dom < base_per_min * day_factor[d] * hour_factor[h]
    return keep


thin_numba = njit(cache=True)(thin_py)


def thin_numpy(cand_t, u_accept, base_per_min, day_factor, hour_factor, rate_dom) -> np.ndarray:
    """Vectorised numpy equivalent of :func:`thin_py` (the path numba is measured against)."""
    d = (cand_t // 1440.0).astype(np.int64)
    h = (cand_t // 60.0).astype(np.int64) % 24
    return u_accept * rate_dom < base_per_min * day_factor[d] * hour_factor[h]


@dataclass(frozen=True)
class Arrivals:
    """Arrival times (minutes) and the candidate index of each arrival, which keys
    that patient's per-decision uniforms."""

    times: np.ndarray
    index: np.ndarray
    n_candidates: int


def nhpp_arrivals(
    rng: np.random.Generator,
    per_day: float,
    profile: RateProfile,
    horizon_min: float,
    use_numba: bool = True,
) -> Arrivals:
    """Non-homogeneous Poisson arrivals on [0, horizon_min) by thinning.

    ``per_day`` is the base daily rate; the profile multiplies it by hour of day,
    day of week, month and growth. Candidates are drawn from a homogeneous process
    at a dominating rate (see :func:`dominating_rate`), sorted, then thinned.
    """
    base = per_day / MIN_PER_DAY
    rate_max = base * float(profile.day_factor.max(initial=0.0)) * float(profile.hour_factor.max())
    rate_dom = dominating_rate(rate_max)
    if rate_dom == 0.0 or horizon_min <= 0:
        empty = np.empty(0)
        return Arrivals(empty, np.empty(0, dtype=np.int64), 0)
    n = int(rng.poisson(rate_dom * horizon_min))
    cand_t = np.sort(rng.random(n)) * horizon_min
    u = rng.random(n)
    kernel = thin_numba if use_numba else thin_numpy
    keep = kernel(cand_t, u, base, profile.day_factor, profile.hour_factor, rate_dom)
    idx = np.flatnonzero(keep)
    return Arrivals(cand_t[idx], idx, n)


# ------------------------------------------------------------ inverse-CDF maps


def lognormal_params(mean: float, cv: float) -> tuple[float, float]:
    """(mu, sigma) of the underlying normal for a lognormal with this mean and cv."""
    s2 = math.log1p(cv * cv)
    return math.log(mean) - s2 / 2.0, math.sqrt(s2)


def ppf(dist: Dist, u: np.ndarray) -> np.ndarray:
    """Map uniforms through the inverse CDF of ``dist`` (same units as the dist)."""
    u = np.asarray(u, dtype=np.float64)
    k = dist.kind
    if k == "fixed":
        return np.full(u.shape, float(dist.mean))
    if k == "exponential":
        return -float(dist.mean) * np.log1p(-u)
    if k == "lognormal":
        mu, s = lognormal_params(dist.mean, dist.cv)
        return np.exp(mu + s * ndtri(u))
    if k == "gamma":
        shape = 1.0 / (dist.cv * dist.cv)
        return dist.mean / shape * gammaincinv(shape, u)
    if k == "empirical":
        cum = np.cumsum(np.asarray(dist.probs, dtype=np.float64))
        cum[-1] = 1.0
        i = np.minimum(np.searchsorted(cum, u, side="right"), len(cum) - 1)
        return np.asarray(dist.values, dtype=np.float64)[i]
    raise ValueError(f"unknown distribution kind {k!r}")


def residual_ppf(dist: Dist, u_len: np.ndarray, u_frac: np.ndarray) -> np.ndarray:
    """Residual (remaining) durations of items found in service in steady state.

    In equilibrium a stay in progress is length-biased (density x f(x) / mean) and
    the elapsed part is a uniform fraction of it, so the remaining part is
    ``U * X*`` with ``X*`` length-biased. For each family X* has a closed form:
    exponential -> memoryless; lognormal(mu, s) -> lognormal(mu + s^2, s);
    gamma(k, theta) -> gamma(k + 1, theta); fixed -> the value; empirical ->
    probabilities re-weighted by value.
    """
    u_len = np.asarray(u_len, dtype=np.float64)
    u_frac = np.asarray(u_frac, dtype=np.float64)
    k = dist.kind
    if k == "exponential":
        return ppf(dist, u_len)
    if k == "fixed":
        return u_frac * float(dist.mean)
    if k == "lognormal":
        mu, s = lognormal_params(dist.mean, dist.cv)
        return u_frac * np.exp(mu + s * s + s * ndtri(u_len))
    if k == "gamma":
        shape = 1.0 / (dist.cv * dist.cv)
        theta = dist.mean / shape
        return u_frac * theta * gammaincinv(shape + 1.0, u_len)
    if k == "empirical":
        v = np.asarray(dist.values, dtype=np.float64)
        w = np.asarray(dist.probs, dtype=np.float64) * v
        if w.sum() <= 0:
            return np.zeros_like(u_len)
        cum = np.cumsum(w / w.sum())
        cum[-1] = 1.0
        i = np.minimum(np.searchsorted(cum, u_len, side="right"), len(cum) - 1)
        return u_frac * v[i]
    raise ValueError(f"unknown distribution kind {k!r}")


def categorical(probs: tuple[float, ...] | np.ndarray, u: np.ndarray) -> np.ndarray:
    """Category index for each uniform: i where cum[i-1] <= u < cum[i].

    A changed probability vector moves only the patients whose uniform lies
    between the old and new cut points, which keeps paired comparisons tight.
    """
    cum = np.cumsum(np.asarray(probs, dtype=np.float64))
    cum[-1] = 1.0
    return np.minimum(np.searchsorted(cum, np.asarray(u), side="right"), len(cum) - 1).astype(
        np.int64
    )
