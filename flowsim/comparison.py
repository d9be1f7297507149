"""Summit experiments: a baseline and named scenarios compared with common random numbers.

An experiment file names a base scenario, settings shared by every scenario, and
the scenarios (interventions and overrides). Every scenario runs the same
replication numbers with the same seed, so replication r of each scenario sees
the same patients, and the difference from baseline is estimated from paired
differences: much tighter than comparing two independent means.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from flowsim.config import Scenario, load_model_file, load_scenario
from flowsim.errors import ConfigError, Problem
from flowsim.executors import RunOptions
from flowsim.experiment import RunResult, run, summarise
from flowsim.export import TablesExport
from flowsim.kpi_meta import format_value, headline_kpis, higher_is_better, kpi_meta
from flowsim.stats import ci95, paired_ci, significant, welch_ci

#: The effects a board prices, as (KPI, direction of a gain, annualise?): delayed
#: bed-days and 12-hour waits accumulate over the period (scaled to a year); the 4-hour
#: share and the 52-week waiters are rates and period-end stocks (not scaled).
EFFECTS = (
    ("delayed_discharge_bed_days", -1, True),
    ("ed_pct_within_4h", +1, False),
    ("elective_52w_waiters", -1, False),
)


class ScenarioSpec(BaseModel):
    """One scenario of an experiment: interventions and dotted-key overrides on the base."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str = Field(min_length=1)
    description: str = ""
    interventions: tuple[str, ...] = ()
    overrides: dict[str, Any] = Field(default_factory=dict)


class Thresholds(BaseModel):
    """Breach thresholds: the NHS targets the summit is judged on."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    ed_pct_within_4h_below: float = 78.0  # 2025/26 interim 4-hour target (E46)
    acute_occupancy_pct_above: float = 92.0  # G&A occupancy standard (E49)


class Experiment(BaseModel):
    """An experiment file: base scenario, shared settings, scenarios, thresholds."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str = "experiment"
    description: str = ""
    base: str = "worcestershire"
    replications: int = Field(default=5, gt=0)
    seed: int = Field(default=12345, ge=0)
    days: float | None = Field(default=None, gt=0)
    warmup_days: float | None = Field(default=None, ge=0)
    overrides: dict[str, Any] = Field(default_factory=dict)
    baseline: str = "baseline"
    scenarios: tuple[ScenarioSpec, ...]
    thresholds: Thresholds = Thresholds()

    @model_validator(mode="after")
    def _check(self) -> Experiment:
        names = [s.name for s in self.scenarios]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"scenario names must be unique; repeated: {dup}")
        if self.baseline not in names:
            raise ValueError(f"baseline '{self.baseline}' is not one of the scenarios {names}")
        return self


def is_experiment(raw: dict[str, Any]) -> bool:
    """An experiment file lists ``scenarios``; a scenario file does not."""
    return "scenarios" in raw


def load_experiment(path: str | Path) -> tuple[Experiment, Path]:
    """Read and validate an experiment file (YAML via safe_load)."""
    return load_model_file(path, Experiment, "experiment"), Path(path)


def build_scenarios(
    exp: Experiment,
    relative_to: Path | None = None,
    extra_overrides: Mapping[str, Any] | Sequence[str] | None = None,
) -> list[Scenario]:
    """One validated Scenario per experiment scenario (baseline first).

    ``extra_overrides`` are applied to every scenario: a ``{"dotted.key": value}``
    mapping or ``"dotted.key=value"`` strings, as :func:`flowsim.load_scenario` takes.
    """
    base = exp.base
    if relative_to is not None and (relative_to / base).is_file():
        base = str(relative_to / base)
    shared: dict[str, Any] = dict(exp.overrides)
    if exp.days is not None:
        shared["run.days"] = exp.days
    if exp.warmup_days is not None:
        shared["run.warmup_days"] = exp.warmup_days
    specs = sorted(exp.scenarios, key=lambda s: s.name != exp.baseline)
    out, problems = [], []
    for spec in specs:
        try:
            scn = load_scenario(
                base, {**shared, **spec.overrides, "name": spec.name}, spec.interventions
            )
            if extra_overrides:
                scn = scn.with_overrides(extra_overrides)
            out.append(scn)
        except ConfigError as exc:
            problems += [
                Problem(f"scenarios.{spec.name}.{p.key}", p.value, p.rule) for p in exc.problems
            ]
    if problems:
        raise ConfigError(problems)
    return out


def paired_differences(kpis: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Difference from baseline per scenario and KPI, paired by replication.

    Parameters
    ----------
    kpis : pandas.DataFrame
        Tidy KPI table (``scenario, rep, kpi, value``).
    baseline : str
        Name of the baseline scenario.

    Returns
    -------
    pandas.DataFrame
        ``diff_*``: mean of per-replication differences with its 95% t-interval (the
        paired CI, valid because replication r of every scenario shares its random
        numbers). ``unpaired_*``: Welch 95% interval treating the two samples as
        independent, shown to make the gain from common random numbers visible.
        ``significant``: the paired CI excludes 0; ``better``: significant and in the
        KPI's good direction.
    """
    w = kpis.pivot_table(index=["kpi", "rep"], columns="scenario", values="value", sort=False)
    rows = []
    for scen in w.columns:
        if scen == baseline:
            continue
        for kpi, g in w.groupby(level="kpi", sort=False):
            a = g[scen].to_numpy(float)
            b = g[baseline].to_numpy(float)
            ok = ~(np.isnan(a) | np.isnan(b))
            a, b = a[ok], b[ok]
            iv = paired_ci(a, b)
            ulo, uhi = welch_ci(a, b)
            base_mean = float(b.mean()) if b.size else math.nan
            rows.append(
                (
                    scen,
                    kpi,
                    len(a),
                    base_mean,
                    float(np.mean(a)) if a.size else math.nan,
                    iv.mean,
                    iv.low,
                    iv.high,
                    ulo,
                    uhi,
                    100.0 * iv.mean / base_mean if base_mean else math.nan,
                )
            )
    cols = [
        "scenario",
        "kpi",
        "n",
        "baseline_mean",
        "scenario_mean",
        "diff_mean",
        "diff_ci_low",
        "diff_ci_high",
        "unpaired_ci_low",
        "unpaired_ci_high",
        "diff_pct",
    ]
    out = pd.DataFrame(rows, columns=cols)
    out["significant"] = [
        significant(lo, hi) for lo, hi in zip(out["diff_ci_low"], out["diff_ci_high"], strict=True)
    ]
    hib = out["kpi"].map(higher_is_better).astype(bool)
    out["better"] = (
        np.where(hib, out["diff_mean"] > 0, out["diff_mean"] < 0) & out["significant"]
    ).astype(bool)
    return out


def cost_effectiveness(
    kpis: pd.DataFrame, scenarios: dict[str, Scenario], baseline: str
) -> pd.DataFrame:
    """Per option: its annual cost, its effects, and the cost per unit of each effect.

    Parameters
    ----------
    kpis : pandas.DataFrame
        Tidy KPI table.
    scenarios : dict of str to Scenario
        The scenarios by name (their interventions carry the annual cost).
    baseline : str
        Name of the baseline scenario.

    Returns
    -------
    pandas.DataFrame
        One row per option, sorted by delayed bed-days saved (most first).
        ``intervention_cost_gbp`` is the running cost for the simulated period
        (annual cost x days / 365); ``annual_cost_gbp`` the cost per year.
        ``delayed_bed_days_saved`` (period, paired mean with CI) and
        ``delayed_bed_days_saved_per_year`` (scaled by 365 / days);
        ``ed_4h_points_gained`` (percentage points); ``waiters_52w_fewer`` (at period
        end). ``gbp_per_*`` = annual cost / annual effect, only when the
        improvement's paired 95% CI excludes 0; otherwise NaN and ``*_note`` says why
        ("no clear improvement", or "no running cost").
    """
    w = kpis.pivot_table(index="rep", columns=["kpi", "scenario"], values="value")
    rows = []
    for name, scn in scenarios.items():
        if name == baseline:
            continue
        per_year = 365.0 / scn.run.days
        annual = float(scn.intervention_cost_gbp_per_year)
        row: dict[str, Any] = {
            "scenario": name,
            "interventions": "; ".join(
                f"{r.name}({', '.join(f'{k}={v:g}' for k, v in r.params.items())})"
                for r in scn.interventions
            ),
            "period_days": float(scn.run.days),
            "annual_cost_gbp": annual,
            "intervention_cost_gbp": annual / per_year,
        }
        for kpi, sign, annualise in EFFECTS:
            if (kpi, name) not in w.columns or (kpi, baseline) not in w.columns:
                continue
            gain = sign * (w[(kpi, name)] - w[(kpi, baseline)]).to_numpy(float)
            mean, _, lo, hi = ci95(gain[~np.isnan(gain)])
            key = {
                "delayed_discharge_bed_days": "delayed_bed_days_saved",
                "ed_pct_within_4h": "ed_4h_points_gained",
                "elective_52w_waiters": "waiters_52w_fewer",
            }[kpi]
            row[key] = mean
            row[f"{key}_ci_low"] = lo
            row[f"{key}_ci_high"] = hi
            scale = per_year if annualise else 1.0
            if annualise:
                row[f"{key}_per_year"] = mean * scale
            unit = {
                "delayed_bed_days_saved": "delayed_bed_day_saved",
                "ed_4h_points_gained": "4h_point_gained",
                "waiters_52w_fewer": "52w_waiter_fewer",
            }[key]
            if lo > 0 and annual > 0:
                row[f"gbp_per_{unit}"] = annual / (mean * scale)
                row[f"gbp_per_{unit}_note"] = ""
            else:
                row[f"gbp_per_{unit}"] = math.nan
                row[f"gbp_per_{unit}_note"] = (
                    "no clear improvement" if not lo > 0 else "no running cost"
                )
        dcost = (w[("cost_total_gbp", name)] - w[("cost_total_gbp", baseline)]).to_numpy()
        row["net_cost_change_gbp"] = float(np.mean(dcost))
        row["saved_ci_low"] = row.get("delayed_bed_days_saved_ci_low", math.nan)
        row["saved_ci_high"] = row.get("delayed_bed_days_saved_ci_high", math.nan)
        rows.append(row)
    out = pd.DataFrame(rows)
    if len(out) and "delayed_bed_days_saved" in out:
        out = out.sort_values("delayed_bed_days_saved", ascending=False, kind="stable")
    return out.reset_index(drop=True)


def breach_probabilities(kpis: pd.DataFrame, t: Thresholds) -> pd.DataFrame:
    """Share of replications breaching each standard, per scenario.

    Parameters
    ----------
    kpis : pandas.DataFrame
        Tidy KPI table.
    t : Thresholds
        The standards (4-hour share below, G&A occupancy above).

    Returns
    -------
    pandas.DataFrame
        ``scenario``, ``p_4h_below_<x>``, ``p_occupancy_above_<y>``: shares in [0, 1].
    """
    w = kpis.pivot_table(index=["scenario", "rep"], columns="kpi", values="value", sort=False)
    g = w.groupby(level="scenario", sort=False)
    return pd.DataFrame(
        {
            f"p_4h_below_{t.ed_pct_within_4h_below:g}": g["ed_pct_within_4h"].apply(
                lambda x: float((x < t.ed_pct_within_4h_below).mean())
            ),
            f"p_occupancy_above_{t.acute_occupancy_pct_above:g}": g["acute_occupancy_pct"].apply(
                lambda x: float((x > t.acute_occupancy_pct_above).mean())
            ),
        }
    ).reset_index()


@dataclass(repr=False)
class ComparisonResult(TablesExport):
    """Everything a summit comparison produced: tidy tables plus plot methods.

    Attributes
    ----------
    experiment : Experiment
        The experiment file, validated.
    run : RunResult
        Replications of every scenario (common random numbers).
    differences : pandas.DataFrame
        Paired differences from baseline per scenario and KPI
        (:func:`paired_differences`).
    costs : pandas.DataFrame
        Annual cost, effects and cost per unit of effect per option
        (:func:`cost_effectiveness`).
    breaches : pandas.DataFrame
        Probability of breaching each standard (:func:`breach_probabilities`).
    """

    experiment: Experiment
    run: RunResult
    differences: pd.DataFrame
    costs: pd.DataFrame
    breaches: pd.DataFrame

    @property
    def summary(self) -> pd.DataFrame:
        """Mean and 95% CI per scenario and KPI (intervals kept in each KPI's range)."""
        return summarise(self.run.kpis)

    @property
    def kpis(self) -> pd.DataFrame:
        """The tidy KPI table ``scenario, point, rep, kpi, value``."""
        return self.run.kpis

    @property
    def baseline(self) -> str:
        """Name of the baseline scenario."""
        return self.experiment.baseline

    def colours(self) -> dict[str, str]:
        """The colour of each scenario in every figure (baseline grey)."""
        from flowsim.plots import scenario_colours

        return scenario_colours(list(self.run.scenarios), self.baseline)

    def kpi_table(self) -> pd.DataFrame:
        """The tidy KPI table (the same accessor as on every other result)."""
        return self.run.kpis

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the comparison by name (what ``to_parquet``/``to_excel`` write)."""
        out = {
            "summary": self.summary,
            "differences": self.differences,
            "costs": self.costs,
            "breaches": self.breaches,
            "kpis": self.run.kpis,
            "daily": self.run.daily,
        }
        monthly = self.run.elective_monthly
        if monthly is not None and len(monthly):
            out["elective_trajectory"] = self.run.elective_trajectory
            out["elective_monthly"] = monthly
        return out

    def __repr__(self) -> str:
        return (
            f"ComparisonResult(experiment={self.experiment.name!r}, "
            f"baseline={self.baseline!r}, scenarios={len(self.run.scenarios)}, "
            f"replications={self.run.replications})"
        )

    def _repr_html_(self) -> str:
        d = self.differences
        d = d[d["kpi"].isin(headline_kpis())]
        heads = [k for k in headline_kpis() if k in set(d["kpi"])]
        cells = d.set_index(["scenario", "kpi"])
        rows = []
        for scen in dict.fromkeys(d["scenario"]):
            tds = []
            for k in heads:
                r = cells.loc[(scen, k)]
                mark = "*" if r["significant"] else ""
                txt = format_value(k, r["diff_mean"], signed=True) + mark
                tds.append(f"<td style='text-align:right'>{html.escape(txt)}</td>")
            rows.append(f"<tr><td>{html.escape(str(scen))}</td>{''.join(tds)}</tr>")
        head = "".join(f"<th>{html.escape(kpi_meta(k).label_unit)}</th>" for k in heads)
        return (
            f"<div><b>ComparisonResult</b> <code>{html.escape(self.experiment.name)}</code>: "
            f"{len(self.run.scenarios)} scenarios, {self.run.replications} "
            f"replication{'' if self.run.replications == 1 else 's'}; "
            f"difference from <code>{html.escape(self.baseline)}</code> "
            "(* = paired 95% CI excludes 0)"
            f"<table><tr><th>scenario</th>{head}</tr>{''.join(rows)}</table></div>"
        )

    def plot_forest(self, kpi: str = "delayed_discharge_bed_days", ax=None):
        """Forest plot: paired difference from baseline of ``kpi`` with 95% CIs, sorted.

        Returns
        -------
        matplotlib.axes.Axes
        """
        from flowsim.plots import plot_forest

        return plot_forest(self.differences, kpi, ax=ax, colours=self.colours())

    def plot_cost_benefit(self, ax=None):
        """Annual cost against delayed bed-days saved per year, one point per option.

        Returns
        -------
        matplotlib.axes.Axes
        """
        from flowsim.plots import plot_cost_benefit

        return plot_cost_benefit(self.costs, ax=ax, colours=self.colours())

    def plot_occupancy(self, axes=None):
        """Daily occupancy of acute, community and social care, per scenario.

        Returns
        -------
        numpy.ndarray of matplotlib.axes.Axes
        """
        from flowsim.plots import plot_occupancy_panels

        return plot_occupancy_panels(self.run.daily, axes=axes, scenarios=self.run.scenarios)

    def plot_time_in_department(self, ax=None):
        """Share of A&E attendances by time in department per scenario (4 h and 12 h lines).

        Returns
        -------
        matplotlib.axes.Axes
        """
        return self.run.plot_time_in_department(ax=ax)

    def plot_waiting_list(self, ax=None):
        """The elective waiting list against date per scenario (percentile band).

        Returns
        -------
        matplotlib.axes.Axes
        """
        return self.run.plot_daily("elective_waiting_list", ax=ax)

    def plot_elective_trajectory(self, ax=None):
        """Share of the RTT list within 18 weeks at each month end, one line per
        scenario, with 95% CIs and the E47 targets.

        Returns
        -------
        matplotlib.axes.Axes
        """
        from flowsim.elective_plots import plot_elective_trajectory

        return plot_elective_trajectory(self.run.elective_trajectory, ax=ax, baseline=self.baseline)

    def plot_delayed_by_pathway(self, ax=None):
        """Mean midnight count of delayed patients by discharge pathway, per scenario.

        Returns
        -------
        matplotlib.axes.Axes
        """
        from flowsim.plots import plot_delayed_by_pathway

        return plot_delayed_by_pathway(self.run.daily, ax=ax)

    def plot_system(self, option: str | None = None, axes=None):
        """Where patients wait: the system diagram for the baseline and one option.

        Parameters
        ----------
        option : str, optional
            Scenario to set beside the baseline (default: the option saving the most
            delayed bed-days).
        axes : pair of matplotlib.axes.Axes, optional

        Returns
        -------
        numpy.ndarray of matplotlib.axes.Axes
        """
        from flowsim.plots import plot_system_pair

        if option is None:
            option = str(self.costs["scenario"].iloc[0]) if len(self.costs) else self.baseline
        return plot_system_pair(self.run.daily, self.summary, self.baseline, option, axes=axes)


def compare(
    experiment: str | Path | Experiment,
    replications: int | None = None,
    jobs: int | None = None,
    executor: str | None = None,
    scheduler: str | None = None,
    progress: bool | Callable | None = None,
    overrides: Mapping[str, Any] | Sequence[str] | None = None,
    options: RunOptions | None = None,
) -> ComparisonResult:
    """Run every scenario of an experiment with common random numbers and compare.

    Parameters
    ----------
    experiment : str or Path or Experiment
        An experiment file or a validated :class:`Experiment`.
    replications : int, optional
        Replications per scenario (default: the experiment's).
    jobs, executor, scheduler
        Where replications run (see :func:`flowsim.run`).
    progress : bool or callable
        Show progress (default: on in a notebook), labelled with each scenario.
    overrides : mapping or list of str, optional
        Settings applied to every scenario: ``{"run.days": 30}`` or
        ``["run.days=30"]``, the same forms :func:`flowsim.load_scenario` takes.
    options : RunOptions, optional
        ``jobs``/``executor``/``scheduler``/``progress`` as one object.

    Returns
    -------
    ComparisonResult
    """
    if isinstance(experiment, Experiment):
        exp, where = experiment, None
    else:
        exp, path = load_experiment(experiment)
        where = path.parent
    from flowsim.preflight import experiment_problems  # structure checked before any run

    if experiment_problems(exp):
        raise ConfigError(experiment_problems(exp))
    scns = build_scenarios(exp, where, overrides)
    res = run(
        scns,
        replications=replications or exp.replications,
        seed=exp.seed,
        jobs=jobs,
        executor=executor,
        scheduler=scheduler,
        progress=progress,
        options=options,
    )
    return ComparisonResult(
        experiment=exp,
        run=res,
        differences=paired_differences(res.kpis, exp.baseline),
        costs=cost_effectiveness(res.kpis, res.scenarios, exp.baseline),
        breaches=breach_probabilities(res.kpis, exp.thresholds),
    )
