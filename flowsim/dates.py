"""Calendar dates of simulated days.

Simulated day 0 is the first day of ``run.start_month``. The scenario has no year, so
the year is the latest one, not after the calibration year (FY2024/25, D), in which
that first day falls on ``run.start_weekday`` (0 = Monday): the weekday pattern of
demand then lines up with the printed dates. For the default (April, Monday) day 0 is
Monday 1 April 2024.
"""

from __future__ import annotations

import datetime as _dt

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


def scenario_start_date(scenario) -> _dt.date:
    """Date of simulated day 0 of a scenario (from ``run.start_month``/``start_weekday``)."""
    return start_date(scenario.run.start_month, scenario.run.start_weekday)


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
