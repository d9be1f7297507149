"""Calendar dates of simulated days.

Simulated day 0 is the first day of ``run.start_month``, or, when
``run.reporting_start_month`` is set, ``warmup_days`` (rounded up to whole days)
before the first day of that month, so that the warm-up ends and the reporting
period starts on it (a financial year: 1 April). The scenario has no year of its own:

- with ``run.start_weekday`` null (the default and the packaged counties), the
  reporting period (or day 0) is in the calibration year, 2024 (FY2024/25, D), and
  day 0's weekday is the one the calendar gives it: 1 April 2024 after any warm-up,
  Monday 1 January 2024 for the packaged 91 days, Wednesday 27 March 2024 for 5;
- with ``run.start_weekday`` set (0 = Monday), the year is the latest one up to 2024
  in which day 0 falls on that weekday, so that the weekday pattern of demand lines
  up with the printed dates.

:func:`day0_weekday` is the weekday every weekday-dependent step uses.

:func:`month_of_days` is the one source of the calendar month of every simulated
day (demand profiles, escalation, monthly tables).
"""

from __future__ import annotations

import datetime as _dt
import math

import numpy as np
import pandas as pd

#: The latest year a run's calendar may start in (the calibration year, D).
LATEST_START_YEAR = 2024


def start_date(start_month: int, start_weekday: int = 0) -> _dt.date:
    """Date of simulated day 0.

    Parameters
    ----------
    start_month : int
        1-12.
    start_weekday : int
        0 = Monday ... 6 = Sunday.

    Returns
    -------
    datetime.date
        The first of ``start_month`` in the latest year up to 2024 on that weekday.
    """
    for year in range(LATEST_START_YEAR, LATEST_START_YEAR - 28, -1):
        d = _dt.date(year, start_month, 1)
        if d.weekday() == start_weekday:
            return d
    return _dt.date(LATEST_START_YEAR, start_month, 1)  # pragma: no cover (28-year cycle)


def reporting_start_date(
    reporting_month: int, warmup_days: float, start_weekday: int | None = 0
) -> tuple[_dt.date, _dt.date]:
    """Day 0 and the first reporting day when the warm-up ends on the 1st of a month.

    Parameters
    ----------
    reporting_month : int
        1-12: the reporting period starts on the first of this month.
    warmup_days : float
        Warm-up length; rounded up to whole days.
    start_weekday : int or None
        Weekday of day 0 (0 = Monday); None: the reporting period starts in 2024 and
        day 0 has the weekday the calendar gives it.

    Returns
    -------
    (datetime.date, datetime.date)
        Day 0 and the first day of the reporting period, in the latest year up to
        2024 (the year the reporting period starts in) that puts day 0 on that weekday.
    """
    lead = _dt.timedelta(days=int(math.ceil(warmup_days)))
    if start_weekday is None:
        first = _dt.date(LATEST_START_YEAR, reporting_month, 1)
        return first - lead, first
    for year in range(LATEST_START_YEAR, LATEST_START_YEAR - 28, -1):
        first = _dt.date(year, reporting_month, 1)
        if (first - lead).weekday() == start_weekday:
            return first - lead, first
    first = _dt.date(LATEST_START_YEAR, reporting_month, 1)  # pragma: no cover
    return first - lead, first  # pragma: no cover


def run_start_date(run) -> _dt.date:
    """Date of simulated day 0 of a scenario's ``run`` settings (see the module
    docstring)."""
    reporting = getattr(run, "reporting_start_month", None)
    if reporting:
        return reporting_start_date(reporting, run.warmup_days, run.start_weekday)[0]
    if run.start_weekday is None:  # the calendar of the calibration year
        return _dt.date(LATEST_START_YEAR, run.start_month, 1)
    return start_date(run.start_month, run.start_weekday)


def day0_weekday(run) -> int:
    """Weekday of simulated day 0 (0 = Monday): ``run.start_weekday``, or, when that is
    null, the weekday of :func:`run_start_date`."""
    if run.start_weekday is not None:
        return int(run.start_weekday)
    return run_start_date(run).weekday()


def scenario_start_date(scenario) -> _dt.date:
    """Date of simulated day 0 of a scenario (see the module docstring)."""
    return run_start_date(scenario.run)


def month_of_days(scenario, n_days: int) -> np.ndarray:
    """Calendar month (1-12) of simulated days ``0 .. n_days - 1`` of a scenario."""
    day0 = pd.Timestamp(scenario_start_date(scenario))
    return (day0 + pd.to_timedelta(np.arange(n_days), unit="D")).month.to_numpy(np.int64)


def add_dates(daily: pd.DataFrame, scenario, column: str = "day") -> pd.DataFrame:
    """A copy of a daily table with a ``date`` column after ``day``.

    Parameters
    ----------
    daily : pandas.DataFrame
        A table with a simulated-day column.
    scenario : Scenario
        Gives the start date.
    column : str
        The day column.
    """
    out = daily.copy()
    day0 = pd.Timestamp(scenario_start_date(scenario))
    dates = day0 + pd.to_timedelta(out[column].to_numpy(float).astype("int64"), unit="D")
    if "date" in out.columns:
        out = out.drop(columns="date")
    out.insert(out.columns.get_loc(column) + 1, "date", dates)
    return out
