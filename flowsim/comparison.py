"""Summit experiments: a baseline and named scenarios compared with common random numbers.

An experiment file names a base scenario, settings shared by every scenario, and
the scenarios (interventions and overrides). Every scenario runs the same
replication numbers with the same seed, so replication r of each scenario sees
the same patients, and the difference from baseline is estimated from paired
differences: much tighter than comparing two independent means.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator
from scipy import stats

from flowsim.config import Scenario, load_model_file, load_scenario
from flowsim.errors import ConfigError, Problem
from flowsim.experiment import RunResult, ci95, run, summarise

#: KPIs where a larger value is better (all others: smaller is better).
HIGHER_IS_BETTER = {
    "ed_pct_within_4h",
    "elective_pct_within_18w",
    "emergency_admissions",
    "elective_admissions",
}


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


def load_experiment(path: str | Path) -> tuple[Experiment, Path]:
    """Read and validate an experiment file (YAML via safe_load)."""
    return load_model_file(path, Experiment, "experiment"), Path(path)


def build_scenarios(
    exp: Experiment, relative_to: Path | None = None, extra_overrides: list[str] | None = None
) -> list[Scenario]:
    """One validated Scenario per experiment scenario (baseline first)."""
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

    ``diff_*``: mean of per-replication differences with its 95% t-interval (the
    paired CI, valid because replication r of every scenario shares its random
    numbers). ``unpaired_*``: Welch 95% interval treating the two samples as
    independent, shown to make the gain from common random numbers visible.
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
            mean, sd, lo, hi = ci95(a - b)
            ulo, uhi = _welch(a, b)
            base_mean = float(b.mean()) if b.size else math.nan
            rows.append(
                (
                    scen,
                    kpi,
                    len(a),
                    float(np.mean(b)) if b.size else math.nan,
                    float(np.mean(a)) if a.size else math.nan,
                    mean,
                    lo,
                    hi,
                    ulo,
                    uhi,
                    100.0 * mean / base_mean if base_mean else math.nan,
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
    out["significant"] = (out["diff_ci_low"] > 0) | (out["diff_ci_high"] < 0)
    out["better"] = (
        np.where(out["kpi"].isin(HIGHER_IS_BETTER), out["diff_mean"] > 0, out["diff_mean"] < 0)
        & out["significant"]
    )
    return out


def _welch(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    n1, n2 = a.size, b.size
    if n1 < 2 or n2 < 2:
        return math.nan, math.nan
    v1, v2 = a.var(ddof=1) / n1, b.var(ddof=1) / n2
    se = math.sqrt(v1 + v2)
    d = a.mean() - b.mean()
    if se == 0:
        return d, d
    df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    h = float(stats.t.ppf(0.975, df)) * se
    return d - h, d + h


def cost_effectiveness(
    kpis: pd.DataFrame, scenarios: dict[str, Scenario], baseline: str
) -> pd.DataFrame:
    """Per scenario: intervention cost in the period, delayed bed-days saved (paired mean
    with CI), and cost per delayed bed-day saved (NaN when nothing is saved)."""
    w = kpis.pivot_table(index="rep", columns=["kpi", "scenario"], values="value")
    rows = []
    for name, scn in scenarios.items():
        if name == baseline:
            continue
        saved = (
            w[("delayed_discharge_bed_days", baseline)] - w[("delayed_discharge_bed_days", name)]
        ).to_numpy()
        mean, _, lo, hi = ci95(saved)
        dcost = (w[("cost_total_gbp", name)] - w[("cost_total_gbp", baseline)]).to_numpy()
        cost = scn.intervention_cost_gbp_per_year * scn.run.days / 365.0
        rows.append(
            {
                "scenario": name,
                "interventions": "; ".join(
                    f"{r.name}({', '.join(f'{k}={v:g}' for k, v in r.params.items())})"
                    for r in scn.interventions
                ),
                "intervention_cost_gbp": cost,
                "delayed_bed_days_saved": mean,
                "saved_ci_low": lo,
                "saved_ci_high": hi,
                "gbp_per_delayed_bed_day_saved": cost / mean if mean > 0 else math.nan,
                "net_cost_change_gbp": float(np.mean(dcost)),
            }
        )
    return pd.DataFrame(rows)


def breach_probabilities(kpis: pd.DataFrame, t: Thresholds) -> pd.DataFrame:
    """Share of replications breaching each threshold, per scenario."""
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


@dataclass
class ComparisonResult:
    """Everything a summit comparison produced, as tidy tables plus plot methods."""

    experiment: Experiment
    run: RunResult
    differences: pd.DataFrame
    costs: pd.DataFrame
    breaches: pd.DataFrame

    @property
    def summary(self) -> pd.DataFrame:
        return summarise(self.run.kpis)

    @property
    def kpis(self) -> pd.DataFrame:
        return self.run.kpis

    def plot_forest(self, kpi: str = "delayed_discharge_bed_days", ax=None):
        from flowsim.plots import plot_forest

        return plot_forest(self.differences, kpi, ax=ax)

    def plot_cost_benefit(self, ax=None):
        from flowsim.plots import plot_cost_benefit

        return plot_cost_benefit(self.costs, ax=ax)

    def plot_occupancy(self, axes=None):
        from flowsim.plots import plot_occupancy_panels

        return plot_occupancy_panels(self.run.daily, axes=axes)

    def plot_time_in_department(self, ax=None):
        return self.run.plot_time_in_department(ax=ax)

    def plot_waiting_list(self, ax=None):
        return self.run.plot_daily("elective_waiting_list", ax=ax)

    def plot_delayed_by_pathway(self, ax=None):
        from flowsim.plots import plot_delayed_by_pathway

        return plot_delayed_by_pathway(self.run.daily, ax=ax)


def compare(
    experiment: str | Path | Experiment,
    replications: int | None = None,
    jobs: int = 1,
    executor: str | None = None,
    scheduler: str | None = None,
    progress: bool = False,
    overrides: list[str] | None = None,
) -> ComparisonResult:
    """Run every scenario of an experiment with common random numbers and compare."""
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
    )
    return ComparisonResult(
        experiment=exp,
        run=res,
        differences=paired_differences(res.kpis, exp.baseline),
        costs=cost_effectiveness(res.kpis, res.scenarios, exp.baseline),
        breaches=breach_probabilities(res.kpis, exp.thresholds),
    )


def cmd_compare(args: argparse.Namespace) -> int:
    from flowsim.report import print_comparison, write_comparison

    sets = list(args.overrides)
    if args.days is not None:
        sets.append(f"run.days={args.days}")
    if args.warmup_days is not None:
        sets.append(f"run.warmup_days={args.warmup_days}")
    res = compare(
        args.experiment,
        replications=args.replications,
        jobs=args.jobs,
        executor=args.executor,
        scheduler=args.scheduler,
        progress=not args.no_progress,
        overrides=sets,
    )
    folder = write_comparison(res, args.out)  # results on disk before anything is printed
    print_comparison(res)
    print(f"\nReport, tables and figures written to {folder}")
    return 0


def register_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="compare scenarios of an experiment file (paired, CRN)")
    p.add_argument("experiment", help="experiment YAML file")
    p.add_argument("--replications", "-r", type=int, default=None)
    p.add_argument("--days", type=float, default=None)
    p.add_argument("--warmup-days", type=float, default=None)
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override applied to every scenario",
    )
    p.add_argument("--jobs", "-j", type=int, default=1)
    p.add_argument("--executor", choices=("serial", "processes", "dask"), default=None)
    p.add_argument("--scheduler", default=None)
    p.add_argument("--out", default="outputs")
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=cmd_compare)
