"""The stats module: intervals that respect their range, Welch, paired, judge."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as st

from flowsim.stats import (
    NO_INTERVAL_REASON,
    ci95,
    judge,
    mean_ci,
    paired_ci,
    significant,
    welch_ci,
    welch_p_value,
)


def test_unbounded_interval_is_the_t_interval():
    x = np.array([3.0, 5.0, 4.0, 8.0, 6.0])
    lo, hi = st.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=st.sem(x))
    iv = mean_ci(x)
    assert (iv.low, iv.high) == pytest.approx((lo, hi))
    assert ci95(x) == pytest.approx((x.mean(), x.std(ddof=1), lo, hi))


@pytest.mark.parametrize(
    ("values", "lower", "upper"),
    [
        ([100.0, 1300.0], 0.0, None),  # a skewed count with 2 replications (was [-212, 1440])
        ([1.0, 50.0], 0.0, None),  # home_care_waiting_mean was [-15.0, 40.2]
        ([93.0, 99.5], 0.0, 100.0),  # occupancy was 104%
        ([0.0, 0.0, 3.0], 0.0, 100.0),
    ],
)
def test_bounded_interval_stays_in_range_and_holds_the_mean(values, lower, upper):
    plain = mean_ci(values)
    iv = mean_ci(values, lower=lower, upper=upper)
    assert plain.low < lower or (upper is not None and plain.high > upper)  # the old problem
    assert iv.low >= lower and iv.low <= iv.mean <= iv.high
    if upper is not None:
        assert iv.high <= upper
    # clipping only: inside the range the limits are the t-interval's
    assert iv.high == pytest.approx(plain.high if upper is None else min(plain.high, upper))


def test_interval_away_from_bounds_is_unchanged():
    x = [40.0, 42.0, 45.0, 41.0]
    assert mean_ci(x, 0, 100).as_tuple() == pytest.approx(mean_ci(x).as_tuple())


def test_constant_sample_on_the_bound_is_a_point():
    iv = mean_ci([0.0, 0.0, 0.0], lower=0.0)
    assert (iv.low, iv.mean, iv.high) == (0.0, 0.0, 0.0)


def test_one_replication_has_no_interval_and_a_reason():
    iv = mean_ci([7.0], lower=0.0)
    assert iv.n == 1 and iv.mean == 7.0 and math.isnan(iv.low) and math.isnan(iv.high)
    assert "one replication" in NO_INTERVAL_REASON


def test_bounded_interval_coverage_is_the_t_coverage():
    # Counts near zero (Poisson mean 0.8, 4 replications): the clipped interval must cover
    # the true mean at least as often as the t-interval, since clipping never removes the
    # true value. 4,000 trials: the standard error of a coverage near 0.9 is 0.005.
    rng = np.random.default_rng(5)
    hit_t = hit_c = 0
    for _ in range(4000):
        x = rng.poisson(0.8, 4).astype(float)
        a, b = mean_ci(x), mean_ci(x, lower=0.0)
        hit_t += a.low <= 0.8 <= a.high
        hit_c += b.low <= 0.8 <= b.high
    assert hit_c == hit_t


def test_welch_matches_scipy():
    rng = np.random.default_rng(1)
    a, b = rng.normal(10, 2, 8), rng.normal(9, 4, 6)
    ref = st.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert welch_ci(a, b) == pytest.approx((ref.low, ref.high))
    assert welch_p_value(a, b) == pytest.approx(st.ttest_ind(a, b, equal_var=False).pvalue)
    assert all(math.isnan(v) for v in welch_ci(a[:1], b))


def test_paired_ci_is_the_t_interval_of_differences_and_drops_nan_pairs():
    a = np.array([5.0, 6.0, np.nan, 9.0, 7.0])
    b = np.array([4.0, 4.5, 1.0, 8.0, 6.5])
    iv = paired_ci(a, b)
    d = np.array([1.0, 1.5, 1.0, 0.5])
    assert iv.n == 4 and iv.mean == pytest.approx(d.mean())
    assert (iv.low, iv.high) == pytest.approx(ci95(d)[2:])
    assert significant(iv.low, iv.high)
    assert not significant(-1.0, 2.0) and not significant(math.nan, math.nan)


def test_judge_passes_near_and_fails_far():
    rng = np.random.default_rng(3)
    x = rng.normal(1.0, 0.1, 20)
    assert judge(x, 1.0)["passed"]
    assert not judge(x, 1.5)["passed"]
    r = judge(x, 1.0, bias_allowance=0.0)
    assert r["tolerance"] == pytest.approx(r["ci_high"] - r["model_mean"])
    assert not judge(x[:1], 1.0)["passed"]  # one replication cannot pass
