"""Dates for the daily series, and monthly means, for the page's charts.

The model counts days from its start (day 0 = the 1st of ``run.start_month``, with
``run.start_weekday``). :func:`start_date` puts that on the calendar: the latest
year up to :data:`LATEST_YEAR` in which the 1st of that month fell on that weekday
(1 April 2024, a Monday, for the packaged counties). This is the one function to
repoint when the scenario carries its own start date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from flowsim.config import Scenario

LATEST_YEAR = 2025


def start_date(scenario: Scenario) -> date:
    """Calendar date of simulated day 0."""
    month, weekday = scenario.run.start_month, scenario.run.start_weekday
    for year in range(LATEST_YEAR, LATEST_YEAR - 7, -1):
        d = date(year, month, 1)
        if d.weekday() == weekday:
            return d
    raise AssertionError("every weekday occurs within seven years")  # pragma: no cover


def daily_means(
    daily: pd.DataFrame, scenario: Scenario, columns: Sequence[str], name: str | None = None
) -> pd.DataFrame:
    """Mean over replications of ``columns`` per reported day, indexed by date.

    ``name`` picks one scenario of a multi-scenario daily table.
    """
    d = daily if name is None else daily[daily["scenario"] == name]
    m = d.groupby("day")[list(columns)].mean()
    m.index = pd.to_datetime(start_date(scenario)) + pd.to_timedelta(m.index, unit="D")
    m.index.name = "date"
    return m


def monthly_means(daily_by_date: pd.DataFrame) -> pd.DataFrame:
    """Calendar-month means of a date-indexed table, indexed by month label (Apr 2024).

    Months only partly in the reporting period are averaged over the days they have.
    """
    g = daily_by_date.groupby(daily_by_date.index.to_period("M"))
    out = g.mean()
    out.insert(0, "days", g.size())
    out.index = [p.strftime("%b %Y") for p in out.index]
    out.index.name = "month"
    return out
