"""Replications of a scenario: one run, many runs, and their summary with CIs.

Patient-level records are reduced to KPIs and a daily series inside the worker
that simulated them, so memory stays flat however many replications run and
only small tables cross process boundaries. Replication ``r`` of a run with
seed ``s`` always uses streams ``(s, r, name)``: results do not depend on how
many workers ran them or in which order they finished.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from flowsim.config import Scenario
from flowsim.dates import add_dates
from flowsim.elective_trajectory import monthly_list, stack, summarise_trajectory
from flowsim.executors import RunOptions, map_tasks
from flowsim.export import TablesExport
from flowsim.kpi_meta import format_value, headline_kpis, kpi_meta
from flowsim.limits import check_distinct_names, check_run_args
from flowsim.metrics import (
    KPI_INFO,
    KPI_NAMES,
    TID_BINS_H,
    compute_kpis,
    daily_series,
    ed_time_histogram,
)
from flowsim.model import simulate_replication
from flowsim.model.engine import gc_paused
from flowsim.records import Replication, journeys
from flowsim.stats import LEVEL, NO_INTERVAL_REASON, mean_ci
from flowsim.warmup import recommended_warmup_days


@dataclass(frozen=True)
class RepTask:
    """One unit of work: a scenario, a seed and a replication number (picklable)."""

    scenario: Scenario
    seed: int
    replication: int
    point: int = 0


@dataclass
class RepResult:
    """What a worker returns: KPIs, daily series and run metadata of one replication."""

    scenario: str
    point: int
    replication: int
    kpis: dict[str, float]
    daily: pd.DataFrame
    meta: dict
    tid_hist: np.ndarray | None = None
    #: The RTT list at each month end (:func:`flowsim.elective_trajectory.monthly_list`).
    elective_monthly: pd.DataFrame | None = None


def run_task(task: RepTask) -> RepResult:
    """Simulate one replication and reduce it to KPIs and a daily series."""
    with gc_paused():  # no reference cycles here either; see simulate_replication
        return _reduce(task, simulate_replication(task.scenario, task.seed, task.replication))


def _reduce(task: RepTask, rep: Replication) -> RepResult:
    """The KPIs, daily series and tables kept of one replication's records."""
    # MSER-5 on the whole census (warm-up included) while the records are still here.
    rep.meta["mser5_warmup_days"] = recommended_warmup_days(rep.census)
    return RepResult(
        scenario=task.scenario.name,
        point=task.point,
        replication=task.replication,
        kpis=compute_kpis(rep, task.scenario),
        daily=add_dates(
            daily_series(rep, task.scenario.ambulance.handover_target_min), task.scenario
        ),
        meta=rep.meta,
        tid_hist=ed_time_histogram(rep),
        elective_monthly=monthly_list(rep, task.scenario),
    )


def _bounds(kpi: str) -> tuple[float | None, float | None]:
    try:
        m = kpi_meta(kpi)
    except KeyError:
        return None, None
    return m.lower, m.upper


def summarise(kpis_long: pd.DataFrame, by: Sequence[str] = ("scenario",)) -> pd.DataFrame:
    """Mean and 95% CI per KPI (and per ``by`` group) from a tidy KPI table.

    Parameters
    ----------
    kpis_long : pandas.DataFrame
        Tidy table with columns ``by``, ``kpi``, ``value``.
    by : sequence of str
        Grouping columns.

    Returns
    -------
    pandas.DataFrame
        Columns ``by``, ``kpi``, ``n``, ``mean``, ``sd``, ``ci_low``, ``ci_high``,
        ``unit``, ``label``, ``ci_note``. Each interval is the t-interval kept inside the
        KPI's range (:func:`flowsim.stats.mean_ci`): percentages in [0, 100], other
        KPIs >= 0. With one replication ``ci_low``/``ci_high`` are NaN and ``ci_note``
        says why.
    """
    rows = []
    for keys, g in kpis_long.groupby([*by, "kpi"], sort=False):
        keys = keys if isinstance(keys, tuple) else (keys,)
        lo_b, hi_b = _bounds(keys[-1])
        iv = mean_ci(g["value"].to_numpy(), lower=lo_b, upper=hi_b, level=LEVEL)
        note = NO_INTERVAL_REASON if iv.n == 1 else ""
        rows.append((*keys, iv.n, iv.mean, iv.sd, iv.low, iv.high, note))
    out = pd.DataFrame(
        rows, columns=[*by, "kpi", "n", "mean", "sd", "ci_low", "ci_high", "ci_note"]
    )
    out.insert(len(out.columns) - 1, "unit", out["kpi"].map(lambda k: KPI_INFO.get(k, ("", ""))[0]))
    out.insert(len(out.columns) - 1, "label", out["kpi"].map(_label))
    return out


def _label(kpi: str) -> str:
    try:
        return kpi_meta(kpi).label
    except KeyError:
        return kpi


def _kpi_html(values: dict[str, float]) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(kpi_meta(k).label)}</td>"
        f"<td style='text-align:right'>{html.escape(format_value(k, values[k]))}</td>"
        f"<td>{html.escape(kpi_meta(k).unit_text)}</td></tr>"
        for k in headline_kpis()
        if k in values
    )
    return f"<table><tr><th>KPI</th><th>value</th><th>unit</th></tr>{rows}</table>"


@dataclass(repr=False)
class SimulationResult(TablesExport):
    """One replication: its patient-level records, KPIs and daily series.

    Attributes
    ----------
    scenario : Scenario
        The scenario simulated.
    seed, replication : int
        The random-number streams used: ``(seed, replication, name)``.
    records : Replication
        Patient-level record arrays and the midnight census (warm-up included).
    kpis : dict of str to float
        KPI name to value for the reporting period (``kpi_table()`` gives the same
        numbers in the tidy shape of :attr:`RunResult.kpis`).
    daily : pandas.DataFrame
        One row per reported day, with its ``date``.
    """

    scenario: Scenario
    seed: int
    replication: int
    records: Replication
    kpis: dict[str, float]
    daily: pd.DataFrame

    def kpi_table(self) -> pd.DataFrame:
        """The KPIs as a tidy table: ``scenario, point, rep, kpi, value`` (the shape of
        :attr:`RunResult.kpis`)."""
        return pd.DataFrame(
            {
                "scenario": self.scenario.name,
                "point": 0,
                "rep": self.replication,
                "kpi": list(self.kpis),
                "value": list(self.kpis.values()),
            }
        )

    def journeys(self) -> pd.DataFrame:
        """Every patient's journey across settings, one row per event.

        Returns
        -------
        pandas.DataFrame
            ``patient_id, setting, event, time_min`` sorted by patient and time; see
            :func:`flowsim.records.journeys`.
        """
        return journeys(self.records)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the result by name (what ``to_parquet``/``to_excel`` write)."""
        return {"kpis": self.kpi_table(), "daily": self.daily}

    def plot_occupancy(self, ax=None):
        """Acute beds occupied at midnight against date, with the beds available.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on (a new figure if None).

        Returns
        -------
        matplotlib.axes.Axes
        """
        from flowsim.plots import plot_daily

        return plot_daily(self.daily, "acute_occupied", ax=ax)

    def plot_daily(self, column: str = "acute_occupied", ax=None):
        """This replication's daily series of ``column`` against date.

        Raises
        ------
        ValueError
            When ``column`` is not a daily column (the message lists them).
        """
        from flowsim.plots import plot_daily

        return plot_daily(self.daily, column, ax=ax)

    def __repr__(self) -> str:
        k = self.kpis
        return (
            f"SimulationResult(scenario={self.scenario.name!r}, seed={self.seed}, "
            f"replication={self.replication}, days={len(self.daily)}, "
            f"ed_pct_within_4h={k.get('ed_pct_within_4h', float('nan')):.1f}, "
            f"acute_occupancy_pct={k.get('acute_occupancy_pct', float('nan')):.1f})"
        )

    def _repr_html_(self) -> str:
        head = (
            f"<b>SimulationResult</b>: scenario <code>{html.escape(self.scenario.name)}</code>, "
            f"seed {self.seed}, replication {self.replication}, {len(self.daily)} days"
        )
        return f"<div>{head}{_kpi_html(self.kpis)}</div>"


def simulate(
    scenario: Scenario, seed: int | None = None, replication: int = 0, processes=()
) -> SimulationResult:
    """Run one replication and keep its patient-level records (for notebooks and tests).

    ``processes``: SimPy processes ``fn(env, system)`` to run with the model, e.g. a
    surge that opens beds on a date (see ``CountySystem.add_process``).
    """
    seed = scenario.run.seed if seed is None else int(seed)
    rep = simulate_replication(scenario, seed, replication, processes=processes)
    return SimulationResult(
        scenario,
        seed,
        replication,
        rep,
        compute_kpis(rep, scenario),
        add_dates(daily_series(rep, scenario.ambulance.handover_target_min), scenario),
    )


@dataclass(repr=False)
class RunResult(TablesExport):
    """Replications of one or more scenarios.

    Attributes
    ----------
    scenarios : dict of str to Scenario
        The scenarios run, by name.
    seed : int
        Base seed; replication r of every scenario uses streams ``(seed, r, name)``.
    kpis : pandas.DataFrame
        Tidy KPI table: ``scenario, point, rep, kpi, value``.
    daily : pandas.DataFrame
        Daily series of every replication: ``scenario, point, rep, day, date, ...``.
    meta : list of dict
        Run statistics of each replication.
    ed_time_hist : pandas.DataFrame or None
        A&E time-in-department counts per half-hour bin and replication.
    elective_monthly : pandas.DataFrame or None
        The RTT list of every replication at each month end and at the period end:
        ``scenario, point, rep, month, date, day, month_end`` and the list size,
        share within 18 weeks, 52-week waiters and median wait
        (:mod:`flowsim.elective_trajectory`).
    """

    scenarios: dict[str, Scenario]
    seed: int
    kpis: pd.DataFrame
    daily: pd.DataFrame
    meta: list[dict] = field(default_factory=list)
    ed_time_hist: pd.DataFrame | None = None
    elective_monthly: pd.DataFrame | None = None

    @property
    def summary(self) -> pd.DataFrame:
        """Mean and 95% CI per scenario and KPI (see :func:`summarise`)."""
        return summarise(self.kpis)

    @property
    def elective_trajectory(self) -> pd.DataFrame:
        """The monthly RTT list per scenario: mean and 95% CI across replications of
        each month end's list size, share within 18 weeks, 52-week waiters and median
        wait (see :func:`flowsim.elective_trajectory.summarise_trajectory`)."""
        return summarise_trajectory(
            stack([]) if self.elective_monthly is None else self.elective_monthly
        )

    @property
    def replications(self) -> int:
        """Number of replications per scenario."""
        return int(self.kpis["rep"].nunique()) if len(self.kpis) else 0

    def kpi_table(self) -> pd.DataFrame:
        """The tidy KPI table ``scenario, point, rep, kpi, value`` (same as ``kpis``)."""
        return self.kpis

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the result by name (what ``to_parquet``/``to_excel`` write)."""
        out = {
            "summary": self.summary,
            "kpis": self.kpis,
            "kpis_wide": self.kpis_wide(),
            "daily": self.daily,
        }
        if self.ed_time_hist is not None and len(self.ed_time_hist):
            out["ed_time_in_department_hist"] = self.ed_time_hist
        if self.elective_monthly is not None and len(self.elective_monthly):
            out["elective_trajectory"] = self.elective_trajectory
            out["elective_monthly"] = self.elective_monthly
        return out

    def __repr__(self) -> str:
        return (
            f"RunResult(scenarios={list(self.scenarios)}, replications={self.replications}, "
            f"seed={self.seed}, days={self.daily['day'].nunique() if len(self.daily) else 0})"
        )

    def _repr_html_(self) -> str:
        s = self.summary
        s = s[s["kpi"].isin(headline_kpis())]
        piv = s.pivot_table(index="kpi", columns="scenario", values="mean", sort=False)
        rows = "".join(
            f"<tr><td>{html.escape(kpi_meta(k).label_unit)}</td>"
            + "".join(
                f"<td style='text-align:right'>{html.escape(format_value(k, piv.loc[k, c]))}</td>"
                for c in piv.columns
            )
            + "</tr>"
            for k in piv.index
        )
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in piv.columns)
        return (
            f"<div><b>RunResult</b>: {len(self.scenarios)} scenario(s), "
            f"{self.replications} replication(s), seed {self.seed}; mean of headline KPIs"
            f"<table><tr><th>KPI</th>{head}</tr>{rows}</table></div>"
        )

    def recommended_warmup_days(self) -> int:
        """MSER-5 warm-up recommendation: the largest over replications and series."""
        return max((int(m.get("mser5_warmup_days", 0)) for m in self.meta), default=0)

    def kpis_wide(self) -> pd.DataFrame:
        """One row per replication (``scenario, point, rep``), one column per KPI."""
        w = self.kpis.pivot_table(
            index=["scenario", "point", "rep"], columns="kpi", values="value", sort=False
        )
        return w[[k for k in KPI_NAMES if k in w.columns]].reset_index()

    def plot_daily(self, column: str = "acute_occupied", ax=None):
        """Mean daily series of ``column`` per scenario against date, with the
        2.5-97.5 percentile band across replications and capacity/standard lines.

        Parameters
        ----------
        column : str
            A column of ``daily`` (``acute_occupied``, ``acute_delayed``, ...).
        ax : matplotlib.axes.Axes, optional
            Axes to draw on (a new figure if None).

        Returns
        -------
        matplotlib.axes.Axes

        Raises
        ------
        ValueError
            When ``column`` is not a daily column (the message lists them).
        """
        from flowsim.plots import plot_daily_band

        return plot_daily_band(self.daily, column, ax=ax)

    def plot_time_in_department(self, ax=None):
        """Share of A&E attendances by time in department, per scenario, with the
        4-hour and 12-hour lines.

        Returns
        -------
        matplotlib.axes.Axes
        """
        from flowsim.plots import plot_time_in_department

        return plot_time_in_department(self.ed_time_hist, ax=ax)

    def plot_elective_trajectory(self, ax=None):
        """Share of the RTT list within 18 weeks at each month end, per scenario, with
        its 95% CI and the national targets (E47: 65% by March 2026, 92% by March 2029).

        Returns
        -------
        matplotlib.axes.Axes
        """
        from flowsim.elective_plots import plot_elective_trajectory

        return plot_elective_trajectory(self.elective_trajectory, ax=ax)


def collect(
    results: Sequence[RepResult],
) -> tuple[pd.DataFrame, pd.DataFrame, list[dict], pd.DataFrame]:
    """Stack worker results, in task order, into the tidy KPI table, the daily table,
    run metadata and the A&E time-in-department histogram table."""
    rows = []
    dailies = []
    metas = []
    hists = []
    for r in results:
        if r.tid_hist is not None:
            hists.append(
                pd.DataFrame(
                    {
                        "scenario": r.scenario,
                        "point": r.point,
                        "rep": r.replication,
                        "bin_lo_h": TID_BINS_H[:-1],
                        "count": r.tid_hist,
                    }
                )
            )
        rows += [(r.scenario, r.point, r.replication, k, v) for k, v in r.kpis.items()]
        d = r.daily.copy()
        d.insert(0, "rep", r.replication)
        d.insert(0, "point", r.point)
        d.insert(0, "scenario", r.scenario)
        dailies.append(d)
        metas.append(r.meta)
    kpis = pd.DataFrame(rows, columns=["scenario", "point", "rep", "kpi", "value"])
    daily = pd.concat(dailies, ignore_index=True) if dailies else pd.DataFrame()
    hist = pd.concat(hists, ignore_index=True) if hists else pd.DataFrame()
    return kpis, daily, metas, hist


def _task_label(task: RepTask) -> str:
    return f"{task.scenario.name}: replications"


def run(
    scenario: Scenario | Sequence[Scenario],
    replications: int | None = None,
    seed: int | None = None,
    jobs: int | None = None,
    executor: str | None = None,
    scheduler: str | None = None,
    progress: bool | Callable | None = None,
    on_result: Callable[[int, RepResult], None] | None = None,
    options: RunOptions | None = None,
) -> RunResult:
    """Run replications of one or several scenarios with common random numbers.

    Every scenario uses the same ``(seed, replication)`` pairs, so replication r
    of each scenario sees the same patients: differences between scenarios are
    paired. ``jobs > 1`` runs replications in local processes; ``executor="dask"``
    sends them to a Dask cluster (``scheduler`` address, or a LocalCluster).
    ``on_result(i, result)`` is called as each replication finishes.

    Parameters
    ----------
    scenario : Scenario or sequence of Scenario
        What to run (distinct names).
    replications, seed : int, optional
        Default: the first scenario's ``run`` settings.
    jobs, executor, scheduler, progress
        Where and how replications run, as keywords; or give ``options``.
        Progress is on by default in a notebook, off elsewhere; a bar over several
        scenarios is labelled with the scenario of the latest replication.
    on_result : callable, optional
        ``on_result(i, result)`` as each replication finishes.
    options : RunOptions, optional
        The same run options as one object (not together with conflicting keywords).
    """
    scns = [scenario] if isinstance(scenario, Scenario) else list(scenario)
    first = scns[0]
    check_run_args(replications=replications, seed=seed, jobs=jobs)
    opts = RunOptions.of(
        options, jobs=jobs, executor=executor, scheduler=scheduler, progress=progress
    )
    check_distinct_names(scns)
    replications = first.run.replications if replications is None else int(replications)
    seed = first.run.seed if seed is None else int(seed)
    tasks = [RepTask(s, seed, r) for s in scns for r in range(replications)]
    results = map_tasks(
        run_task,
        tasks,
        options=opts,
        desc=f"{first.name}: replications",
        on_result=on_result,
        label=_task_label if len(scns) > 1 else None,
    )
    kpis, daily, metas, hist = collect(results)
    monthly = stack((r.scenario, r.point, r.replication, r.elective_monthly) for r in results)
    return RunResult({s.name: s for s in scns}, seed, kpis, daily, metas, hist, monthly)
