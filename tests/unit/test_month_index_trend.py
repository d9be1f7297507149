"""Monthly indices averaged over growing financial years, with the trend taken out.

The public seasonal rows are mean daily rates by calendar month over three financial
years. Built here from a known daily series (a seasonal shape times steady growth),
the index computed the same way must come back to the seasonal shape once
``detrend_month_index`` removes the growth."""

import numpy as np
import pandas as pd
import pytest

from flowsim.sampling import detrend_month_index


def _index_over_financial_years(seasonal: np.ndarray, growth_pct: float) -> tuple:
    """Mean daily rate of each calendar month over FY2016/17-2018/19, normalised."""
    days = pd.date_range("2016-04-01", "2019-03-31", freq="D")
    t_years = (days - days[0]).days.to_numpy() / 365.25
    rate = seasonal[days.month.to_numpy() - 1] * (1 + growth_pct / 100) ** t_years
    by_month = pd.Series(rate).groupby(days.month.to_numpy()).mean().to_numpy()
    return tuple(by_month / by_month.mean())


@pytest.mark.parametrize("growth", [2.67, 5.67, 15.6])
def test_pure_growth_reads_as_a_spurious_season_and_detrending_removes_it(growth):
    flat = np.ones(12)
    index = np.array(_index_over_financial_years(flat, growth))
    # the trend alone makes March read above April by about a year's growth
    assert index[2] / index[3] == pytest.approx((1 + growth / 100) ** (11 / 12), rel=0.01)
    out = np.array(detrend_month_index(tuple(index), growth))
    assert np.abs(out / out.mean() - 1).max() < 0.003


def test_a_seasonal_shape_survives_and_the_mean_is_kept():
    shape = np.array([1.04, 1.03, 1.02, 0.96, 0.98, 0.99, 1.0, 0.95, 0.99, 1.0, 1.02, 1.02])
    index = np.array(_index_over_financial_years(shape, 5.0))
    out = np.array(detrend_month_index(tuple(index), 5.0))
    assert out.mean() == pytest.approx(index.mean())
    np.testing.assert_allclose(out / out.mean(), shape / shape.mean(), atol=0.003)
    # and without detrending the shape is visibly off in April and March
    assert abs(index[3] / index.mean() - shape[3] / shape.mean()) > 0.015


def test_zero_trend_returns_the_index_unchanged():
    idx = (0.96, 0.98, 1.0, 0.99, 1.04, 1.03, 1.06, 0.98, 1.0, 1.01, 0.99, 0.98)
    assert detrend_month_index(idx, 0.0) == idx
