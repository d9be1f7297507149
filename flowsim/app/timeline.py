"""Daily series by date, and monthly means, for the page's charts.

Simulated days are put on the calendar by the library's one rule,
:func:`flowsim.dates.scenario_start_date` (1 April 2024, a Monday, for the packaged
counties), so the page's dates are the report's and the tables'.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from flowsim.config import Scenario
from flowsim.dates import scenario_start_date


def daily_means(
    daily: pd.DataFrame, scenario: Scenario, columns: Sequence[str], name: str | None = None
) -> pd.DataFrame:
    """Mean over replications of ``columns`` per reported day, indexed by date.

    ``name`` picks one scenario of a multi-scenario daily table.
    """
    d = daily if name is None else daily[daily["scenario"] == name]
    m = d.groupby("day")[list(columns)].mean()
    m.index = pd.to_datetime(scenario_start_date(scenario)) + pd.to_timedelta(m.index, unit="D")
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
