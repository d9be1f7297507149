"""Replications of a scenario: one run, many runs, and their summary with CIs.

Patient-level records are reduced to KPIs and a daily series inside the worker
that simulated them, so memory stays flat however many replications run and
only small tables cross process boundaries. Replication ``r`` of a run with
seed ``s`` always uses streams ``(s, r, name)``: results do not depend on how
many workers ran them or in which order they finished.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from flowsim.config import Scenario
from flowsim.executors import map_tasks
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
from flowsim.records import Replication
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


def run_task(task: RepTask) -> RepResult:
    """Simulate one replication and reduce it to KPIs and a daily series."""
    rep = simulate_replication(task.scenario, task.seed, task.replication)
    # MSER-5 on the whole census (warm-up included) while the records are still here.
    rep.meta["mser5_warmup_days"] = recommended_warmup_days(rep.census)
    return RepResult(
        scenario=task.scenario.name,
        point=task.point,
        replication=task.replication,
        kpis=compute_kpis(rep, task.scenario),
        daily=daily_series(rep),
        meta=rep.meta,
        tid_hist=ed_time_histogram(rep),
    )


def ci95(values: Sequence[float]) -> tuple[float, float, float, float]:
    """Mean, standard deviation, and the 95% t-interval (low, high) of a sample."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = x.size
    if n == 0:
        return (math.nan,) * 4
    mean = float(x.mean())
    if n == 1:
        return mean, math.nan, math.nan, math.nan
    sd = float(x.std(ddof=1))
    half = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    return mean, sd, mean - half, mean + half


def summarise(kpis_long: pd.DataFrame, by: Sequence[str] = ("scenario",)) -> pd.DataFrame:
    """Mean and 95% CI per KPI (and per ``by`` group) from a tidy KPI table."""
    rows = []
    for keys, g in kpis_long.groupby([*by, "kpi"], sort=False):
        mean, sd, lo, hi = ci95(g["value"].to_numpy())
        keys = keys if isinstance(keys, tuple) else (keys,)
        rows.append((*keys, len(g), mean, sd, lo, hi))
    out = pd.DataFrame(rows, columns=[*by, "kpi", "n", "mean", "sd", "ci_low", "ci_high"])
    out["unit"] = out["kpi"].map(lambda k: KPI_INFO.get(k, ("", ""))[0])
    return out


@dataclass
class SimulationResult:
    """One replication: its records, KPIs and daily series."""

    scenario: Scenario
    seed: int
    replication: int
    records: Replication
    kpis: dict[str, float]
    daily: pd.DataFrame

    def kpi_table(self) -> pd.DataFrame:
        return pd.DataFrame({"kpi": list(self.kpis), "value": list(self.kpis.values())})

    def plot_occupancy(self, ax=None):
        from flowsim.plots import plot_daily

        return plot_daily(self.daily, "acute_occupied", ax=ax)


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
        scenario, seed, replication, rep, compute_kpis(rep, scenario), daily_series(rep)
    )


@dataclass
class RunResult:
    """Replications of one or more scenarios.

    ``kpis``: tidy table (scenario, point, rep, kpi, value). ``daily``: the daily
    series of every replication (scenario, point, rep, day, ...). ``summary``:
    mean and 95% CI by scenario and KPI.
    """

    scenarios: dict[str, Scenario]
    seed: int
    kpis: pd.DataFrame
    daily: pd.DataFrame
    meta: list[dict] = field(default_factory=list)
    ed_time_hist: pd.DataFrame | None = None

    @property
    def summary(self) -> pd.DataFrame:
        return summarise(self.kpis)

    def recommended_warmup_days(self) -> int:
        """MSER-5 warm-up recommendation: the largest over replications and series."""
        return max((int(m.get("mser5_warmup_days", 0)) for m in self.meta), default=0)

    def kpis_wide(self) -> pd.DataFrame:
        """One row per replication, one column per KPI."""
        w = self.kpis.pivot_table(
            index=["scenario", "point", "rep"], columns="kpi", values="value", sort=False
        )
        return w[[k for k in KPI_NAMES if k in w.columns]].reset_index()

    def plot_daily(self, column: str = "acute_occupied", ax=None):
        from flowsim.plots import plot_daily_band

        return plot_daily_band(self.daily, column, ax=ax)

    def plot_time_in_department(self, ax=None):
        from flowsim.plots import plot_time_in_department

        return plot_time_in_department(self.ed_time_hist, ax=ax)


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


def run(
    scenario: Scenario | Sequence[Scenario],
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    executor: str | None = None,
    scheduler: str | None = None,
    progress: bool | Callable = False,
    on_result: Callable[[int, RepResult], None] | None = None,
) -> RunResult:
    """Run replications of one or several scenarios with common random numbers.

    Every scenario uses the same ``(seed, replication)`` pairs, so replication r
    of each scenario sees the same patients: differences between scenarios are
    paired. ``jobs > 1`` runs replications in local processes; ``executor="dask"``
    sends them to a Dask cluster (``scheduler`` address, or a LocalCluster).
    ``on_result(i, result)`` is called as each replication finishes.
    """
    scns = [scenario] if isinstance(scenario, Scenario) else list(scenario)
    first = scns[0]
    check_run_args(replications=replications, seed=seed, jobs=jobs)
    check_distinct_names(scns)
    replications = first.run.replications if replications is None else int(replications)
    seed = first.run.seed if seed is None else int(seed)
    tasks = [RepTask(s, seed, r) for s in scns for r in range(replications)]
    results = map_tasks(
        run_task,
        tasks,
        jobs=jobs,
        executor=executor,
        scheduler=scheduler,
        progress=progress,
        desc=f"{first.name}: replications",
        on_result=on_result,
    )
    kpis, daily, metas, hist = collect(results)
    return RunResult({s.name: s for s in scns}, seed, kpis, daily, metas, hist)
