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


def test_the_arrival_profile_and_the_season_use_the_detrended_indices(worcs):
    from flowsim.patients import Season
    from flowsim.sampling import RateProfile

    raw = worcs.with_overrides(
        {"demand.month_of_year_trend_pct": 0, "demand.admissions_month_of_year_trend_pct": 0}
    )
    d = worcs.demand
    assert d.month_of_year_trend_pct > 0 and d.admissions_month_of_year_trend_pct > 0
    n = 400
    season = Season(worcs, n)
    months = season.months
    prof = RateProfile.build(d, n, worcs.run.weekday0, 0, months=months)
    prof_raw = RateProfile.build(raw.demand, n, raw.run.weekday0, 0, months=months)
    att = np.array(detrend_month_index(d.month_of_year, d.month_of_year_trend_pct))
    att_raw = np.array(d.month_of_year)
    want = (att / att.mean()) / (att_raw / att_raw.mean())
    np.testing.assert_allclose(prof.day_factor / prof_raw.day_factor, want[months - 1])
    adm = np.array(
        detrend_month_index(d.admissions_month_of_year, d.admissions_month_of_year_trend_pct)
    )
    np.testing.assert_allclose(season.conversion, (adm / adm.mean()) / (att / att.mean()))
    # the detrended admission index is what direct admissions arrive by
    assert season.admissions_profile == pytest.approx(tuple(adm))


def test_an_admissions_trend_without_an_admissions_index_is_refused():
    import flowsim
    from flowsim.errors import ConfigError

    with pytest.raises(ConfigError) as e:
        flowsim.load_scenario("worcestershire", overrides={"demand.admissions_month_of_year": None})
    msg = str(e.value)
    assert "demand.admissions_month_of_year_trend_pct = 5.67" in msg and "null" in msg
