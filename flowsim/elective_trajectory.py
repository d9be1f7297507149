"""The elective waiting list month by month: month-end snapshots and their summary.

The records already hold every RTT pathway that was on the admitted list during a
run as an interval from its clock start to its clock stop: treated (elective
admissions with a clinical priority; planned, non-RTT cases are not RTT pathways),
taken off without treatment (validation, removals), or still waiting when the run
ended (the end list, clock stop never). A pathway cancelled on the day and relisted
keeps its clock, so it is on the list throughout. The list at any instant ``t`` is
every pathway with ``clock start <= t < clock stop``, and each has waited
``t - clock start``. So the list at each month end is rebuilt after the run from
the records, and the event loop keeps no extra census.

A snapshot is taken at each midnight that closes the last day of a calendar month
within the reporting period (the start of the period included), and at the period
end; the period-end row gives the same numbers as the period-end KPIs
(:func:`flowsim.metrics.elective_kpis`). Dates follow :mod:`flowsim.dates`.

One limit: a case booked for theatre and still waiting for a bed when the run ends
is in none of the three tables, so it is missing from every snapshot. With the
packaged counties a booked case is admitted or cancelled by the afternoon
(``schedule_hour`` 7.5 plus ``cancel_after_hours`` at most 8), so no case is
booked at any midnight and the snapshots are exact.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from flowsim.dates import scenario_start_date
from flowsim.kpi_meta import kpi_meta
from flowsim.records import Replication
from flowsim.stats import LEVEL, NO_INTERVAL_REASON, mean_ci

MIN_PER_DAY = 1440.0
WEEK_MIN = 7 * MIN_PER_DAY

#: The measures of each snapshot, named as the period-end KPIs they equal at the end.
MEASURES: tuple[str, ...] = (
    "elective_waiting_list_end",
    "elective_pct_within_18w",
    "elective_52w_waiters",
    "elective_median_wait_weeks",
)

#: The RTT standard: 92% of incomplete pathways within 18 weeks (E47).
RTT_STANDARD_PCT = 92.0
#: National RTT targets (E47): (date, % within 18 weeks, label).
RTT_TARGETS: tuple[tuple[_dt.date, float, str], ...] = (
    (_dt.date(2026, 3, 31), 65.0, "E47 interim target: 65% by Mar 2026"),
    (_dt.date(2029, 3, 31), RTT_STANDARD_PCT, "E47: 92% (RTT standard) by Mar 2029"),
)

#: Columns that place a snapshot in time.
TIME_COLUMNS: tuple[str, ...] = ("month", "date", "day", "month_end")


def rtt_pathways(rep: Replication) -> tuple[np.ndarray, np.ndarray]:
    """Clock start and clock stop (minutes) of every RTT pathway on the list in a run.

    Parameters
    ----------
    rep : Replication
        The records of one replication.

    Returns
    -------
    tuple of numpy.ndarray
        ``(start, stop)``; ``stop`` is ``inf`` for pathways still waiting at the end.
        Treated pathways come from the admissions (planned cases, priority 0, left
        out), removed ones from the removals, waiting ones from the end list.
    """
    el = rep.elective
    rtt = el["admit_priority"] > 0
    end = el["list_clock_end"]
    start = np.concatenate([el["admit_clock"][rtt], el["removal_clock"], end])
    stop = np.concatenate([el["admit_t"][rtt], el["removal_t"], np.full(end.size, np.inf)])
    return start.astype(float), stop.astype(float)


def list_snapshot(start: np.ndarray, stop: np.ndarray, t: float) -> dict[str, float]:
    """The RTT list at instant ``t``: size, share within 18 weeks, 52-week waiters, median.

    Parameters
    ----------
    start, stop : numpy.ndarray
        Clock start and stop of each pathway (:func:`rtt_pathways`).
    t : float
        Minutes from the start of warm-up.

    Returns
    -------
    dict of str to float
        Keyed by :data:`MEASURES`, with the definitions of the KPIs of the same name:
        waiting under 18 weeks, waiting 52 weeks or more, the median time waited so
        far in weeks (NaN for an empty list).
    """
    waited = t - start[(start <= t) & (stop > t)]
    n = waited.size
    nan = math.nan
    return {
        "elective_waiting_list_end": float(n),
        "elective_pct_within_18w": 100.0 * float((waited < 18 * WEEK_MIN).mean()) if n else nan,
        "elective_52w_waiters": float((waited >= 52 * WEEK_MIN).sum()),
        "elective_median_wait_weeks": float(np.median(waited)) / WEEK_MIN if n else nan,
    }


def snapshot_times(warmup_min: float, end_min: float, day0: _dt.date) -> pd.DataFrame:
    """When the month-end snapshots of a reporting period are taken.

    Parameters
    ----------
    warmup_min, end_min : float
        The reporting period, minutes from the start of warm-up.
    day0 : datetime.date
        The date of simulated day 0.

    Returns
    -------
    pandas.DataFrame
        One row per snapshot: ``month`` (``"2024-07"``), ``date`` (the last day the
        snapshot closes), ``day`` (its simulated day, as in the daily table),
        ``month_end`` (False only for a period end that is not a month end) and
        ``t_min`` (the instant, minutes).
    """
    d0 = pd.Timestamp(day0)
    first = math.ceil(warmup_min / MIN_PER_DAY)
    last = math.floor(end_min / MIN_PER_DAY)
    ks = np.arange(first, last + 1)
    next_day = d0 + pd.to_timedelta(ks, unit="D")  # the day that starts at midnight k
    ks = ks[np.asarray(next_day.day) == 1]
    t = (ks * MIN_PER_DAY).astype(float)
    month_end = np.ones(ks.size, dtype=bool)
    if not ks.size or t[-1] < end_min:
        t = np.append(t, float(end_min))
        month_end = np.append(month_end, False)
    day = np.ceil(t / MIN_PER_DAY).astype(np.int64) - 1
    date = d0 + pd.to_timedelta(day, unit="D")
    return pd.DataFrame(
        {
            "month": date.strftime("%Y-%m"),
            "date": date,
            "day": day,
            "month_end": month_end,
            "t_min": t,
        }
    )


def monthly_list(rep: Replication, scenario) -> pd.DataFrame:
    """The RTT list of one replication at each month end of the reporting period.

    Parameters
    ----------
    rep : Replication
        The records.
    scenario : Scenario
        Gives the calendar (:func:`flowsim.dates.scenario_start_date`).

    Returns
    -------
    pandas.DataFrame
        One row per snapshot (see :func:`snapshot_times`): ``month, date, day,
        month_end`` and the :data:`MEASURES` as columns.
    """
    times = snapshot_times(rep.warmup_min, rep.end_min, scenario_start_date(scenario))
    start, stop = rtt_pathways(rep)
    rows = [list_snapshot(start, stop, t) for t in times["t_min"]]
    values = pd.DataFrame(rows, columns=list(MEASURES), index=times.index, dtype=float)
    return pd.concat([times.drop(columns="t_min"), values], axis=1)


def stack(tables: Iterable[tuple[str, int, int, pd.DataFrame | None]]) -> pd.DataFrame:
    """The per-replication tables of a run as one table, led by ``scenario, point, rep``.

    Parameters
    ----------
    tables : iterable of (scenario, point, rep, table)
        Tables from :func:`monthly_list`; None entries are skipped.
    """
    parts = []
    for scenario, point, rep, t in tables:
        if t is None:
            continue
        t = t.copy()
        t.insert(0, "rep", rep)
        t.insert(0, "point", point)
        t.insert(0, "scenario", scenario)
        parts.append(t)
    if not parts:
        cols = ["scenario", "point", "rep", *TIME_COLUMNS, *MEASURES]
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)


def summarise_trajectory(
    monthly: pd.DataFrame, by: Sequence[str] = ("scenario",), level: float = LEVEL
) -> pd.DataFrame:
    """Mean and 95% CI across replications of each measure, per scenario and snapshot.

    Parameters
    ----------
    monthly : pandas.DataFrame
        Per-replication snapshots (:func:`stack`).
    by : sequence of str
        Grouping columns besides the snapshot's time columns.
    level : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        Tidy: ``by``, ``month, date, day, month_end, kpi, n, mean, sd, ci_low,
        ci_high, unit, ci_note``, scenarios in the order they first appear and
        snapshots in date order. Intervals are t-intervals kept within each
        measure's range (:func:`flowsim.stats.mean_ci`); one replication has none.
    """
    keys = [*by, *TIME_COLUMNS]
    rows = []
    for k, g in monthly.groupby(keys, sort=False):
        for kpi in MEASURES:
            m = kpi_meta(kpi)
            iv = mean_ci(g[kpi].to_numpy(float), lower=m.lower, upper=m.upper, level=level)
            note = NO_INTERVAL_REASON if iv.n == 1 else ""
            rows.append((*k, kpi, iv.n, iv.mean, iv.sd, iv.low, iv.high, m.unit, note))
    cols = [*keys, "kpi", "n", "mean", "sd", "ci_low", "ci_high", "unit", "ci_note"]
    return pd.DataFrame(rows, columns=cols)


__all__ = [
    "MEASURES",
    "RTT_STANDARD_PCT",
    "RTT_TARGETS",
    "list_snapshot",
    "monthly_list",
    "rtt_pathways",
    "snapshot_times",
    "stack",
    "summarise_trajectory",
]
