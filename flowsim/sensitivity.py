"""Global sensitivity analysis with SALib: Morris screening and Sobol indices.

A sensitivity file names the base scenario, the parameters (dotted keys with
bounds), the KPIs to analyse, and the method. SALib draws the design; each design
point is a sweep point (same machinery: resumable folder, any executor, the same
seeds at every point), and the KPI analysed at a point is its mean over the
replications. Because every point shares its random numbers, the elementary
effects and variance decomposition reflect the parameters, not sampling noise
between points.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from flowsim.config import load_model_file
from flowsim.executors import RunOptions
from flowsim.metrics import KPI_NAMES
from flowsim.outputs import child_dir
from flowsim.sweep import (
    ParamSpec,
    SweepFolder,
    SweepSpec,
    base_scenario,
    check_design_size,
    check_spec_limits,
    execute,
)


class PointsFailedError(RuntimeError):
    """Some design points raised, so no indices can be computed (rerun retries them)."""


class Bounds(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    low: float
    high: float
    integer: bool = False

    @model_validator(mode="after")
    def _check(self) -> Bounds:
        if not self.high > self.low:
            raise ValueError(f"'high' ({self.high}) must be above 'low' ({self.low})")
        return self


class SensitivitySpec(BaseModel):
    """A sensitivity file."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str = Field(default="sensitivity", min_length=1)
    base: str = "worcestershire"
    method: Literal["morris", "sobol"] = "morris"
    replications: int = Field(default=2, gt=0)
    seed: int = 12345
    days: float | None = Field(default=None, gt=0)
    warmup_days: float | None = Field(default=None, ge=0)
    overrides: dict = Field(default_factory=dict)
    parameters: dict[str, Bounds]
    kpis: tuple[str, ...] = ("ed_pct_within_4h", "delayed_patients_mean")
    trajectories: int = Field(default=10, gt=1)  # Morris
    levels: int = Field(default=4, gt=1)  # Morris grid levels
    base_samples: int = Field(default=64, gt=1)  # Sobol (Saltelli N, a power of 2)
    design_seed: int = 0

    @model_validator(mode="after")
    def _check(self) -> SensitivitySpec:
        unknown = [k for k in self.kpis if k not in KPI_NAMES]
        if unknown:
            raise ValueError(f"unknown KPIs {unknown}; known: {', '.join(KPI_NAMES)}")
        if len(self.parameters) < 2:
            raise ValueError("give at least two parameters")
        return self

    def n_points(self) -> int:
        """Model evaluations the SALib design will have, known before drawing it.

        Morris: ``trajectories x (parameters + 1)``; Sobol (first and total order):
        ``base_samples x (parameters + 2)``.
        """
        d = len(self.parameters)
        if self.method == "morris":
            return self.trajectories * (d + 1)
        return self.base_samples * (d + 2)

    def problem(self) -> dict:
        return {
            "num_vars": len(self.parameters),
            "names": list(self.parameters),
            "bounds": [[b.low, b.high] for b in self.parameters.values()],
        }


def load_sensitivity(path: str | Path) -> SensitivitySpec:
    """Read and validate a sensitivity file (YAML via safe_load)."""
    return load_model_file(path, SensitivitySpec, "sensitivity")


def as_sweep(spec: SensitivitySpec, samples: int = 10, design_seed: int = 0) -> SweepSpec:
    """The study as the sweep that runs its design: same base, horizon, seeds,
    overrides and parameter bounds (one rule for running and for ``flowsim validate``)."""
    return SweepSpec(
        name=f"{spec.name}-{spec.method}",
        base=spec.base,
        replications=spec.replications,
        seed=spec.seed,
        days=spec.days,
        warmup_days=spec.warmup_days,
        overrides=spec.overrides,
        parameters={k: ParamSpec(low=b.low, high=b.high) for k, b in spec.parameters.items()},
        design="lhs",
        samples=samples,
        design_seed=design_seed,
    )


def sample(spec: SensitivitySpec, max_runs: int | None = None) -> np.ndarray:
    """The SALib design matrix (rows = model evaluations).

    Its size is checked first (:func:`flowsim.sweep.check_design_size`): a design of
    more than ``max_runs`` simulations is refused before SALib draws it.
    """
    check_design_size(spec.n_points(), spec.replications, max_runs, what=spec.method)
    problem = spec.problem()
    if spec.method == "morris":
        from SALib.sample import morris

        return morris.sample(
            problem, spec.trajectories, num_levels=spec.levels, seed=spec.design_seed
        )
    from SALib.sample import sobol

    return sobol.sample(problem, spec.base_samples, calc_second_order=False, seed=spec.design_seed)


def analyse(spec: SensitivitySpec, X: np.ndarray, Y: dict[str, np.ndarray]) -> pd.DataFrame:
    """Sensitivity indices per KPI and parameter (tidy)."""
    problem = spec.problem()
    rows = []
    for kpi, y in Y.items():
        if spec.method == "morris":
            from SALib.analyze import morris

            r = morris.analyze(problem, X, y, num_levels=spec.levels, seed=spec.design_seed)
            for i, name in enumerate(problem["names"]):
                rows.append(
                    {
                        "kpi": kpi,
                        "parameter": name,
                        "mu": r["mu"][i],
                        "mu_star": r["mu_star"][i],
                        "sigma": r["sigma"][i],
                        "mu_star_conf": r["mu_star_conf"][i],
                    }
                )
        else:
            from SALib.analyze import sobol

            r = sobol.analyze(problem, y, calc_second_order=False, seed=spec.design_seed)
            for i, name in enumerate(problem["names"]):
                rows.append(
                    {
                        "kpi": kpi,
                        "parameter": name,
                        "S1": r["S1"][i],
                        "S1_conf": r["S1_conf"][i],
                        "ST": r["ST"][i],
                        "ST_conf": r["ST_conf"][i],
                    }
                )
    return pd.DataFrame(rows)


@dataclass
class SensitivityResult:
    spec: SensitivitySpec
    design: pd.DataFrame
    outputs: pd.DataFrame  # point, params..., mean KPI per point
    indices: pd.DataFrame
    folder: Path

    def plot(self, kpi: str | None = None, ax=None):
        from flowsim import plots

        kpi = kpi or self.spec.kpis[0]
        if self.spec.method == "morris":
            return plots.plot_tornado(self.indices, kpi, ax=ax)
        return plots.plot_sobol(self.indices, kpi, ax=ax)

    def plot_mu_sigma(self, kpi: str | None = None, ax=None):
        from flowsim.plots import plot_mu_sigma

        return plot_mu_sigma(self.indices, kpi or self.spec.kpis[0], ax=ax)


def sensitivity(
    spec: SensitivitySpec | str | Path,
    out: str | Path = "outputs",
    options: RunOptions | None = None,
    fresh: bool = False,
    max_runs: int | None = None,
    *,
    jobs: int | None = None,
    executor: str | None = None,
    scheduler: str | None = None,
    progress: bool | None = None,
) -> SensitivityResult:
    """Sample, run every point (resumable), and compute the indices.

    Parameters
    ----------
    spec
        A :class:`SensitivitySpec` or the path of a sensitivity file.
    out
        Folder under which ``<safe name>-<method>/`` is made.
    options
        How to run the points (:class:`~flowsim.executors.RunOptions`); the
        ``jobs``, ``executor``, ``scheduler`` and ``progress`` keywords still work.
    fresh
        Delete the files an earlier run of this design wrote, and start over.
    max_runs
        Most simulations allowed (default :data:`flowsim.sweep.DEFAULT_MAX_RUNS`).
    """
    opts = RunOptions.of(
        options, jobs=jobs, executor=executor, scheduler=scheduler, progress=progress
    )
    where = None
    if not isinstance(spec, SensitivitySpec):
        where = Path(spec).parent
        spec = load_sensitivity(spec)
    check_spec_limits(spec)
    X = sample(spec, max_runs)
    names = list(spec.parameters)
    design = pd.DataFrame(X, columns=names)
    for k, b in spec.parameters.items():
        if b.integer:
            design[k] = design[k].round().astype(int)
    sweep_spec = as_sweep(spec, samples=len(design), design_seed=hash_design(X))
    base = base_scenario(sweep_spec, where)
    res = execute(sweep_spec, design, base, child_dir(out, sweep_spec.name), opts, fresh)
    if res.failed:
        raise PointsFailedError(
            f"{len(res.failed)} design points failed ({sorted(res.failed)}); indices need "
            f"every point. Their errors are in {res.folder / 'points'}; run again to retry them"
        )
    means = res.point_means().sort_values("point")
    Y = {k: means[k].to_numpy(float) for k in spec.kpis}
    indices = analyse(spec, X, Y)
    SweepFolder(res.folder).write_text("indices.csv", indices.to_csv(index=False))
    return SensitivityResult(spec, design, means, indices, res.folder)


def hash_design(X: np.ndarray) -> int:
    """A stable integer from the design matrix, so a changed design is a new sweep."""
    import hashlib

    return int.from_bytes(
        hashlib.blake2b(np.ascontiguousarray(X).tobytes(), digest_size=4).digest(), "little"
    )


def write_plots(res: SensitivityResult) -> list[str]:
    """Write every index plot of ``res`` into its folder; returns the file names."""
    from flowsim.figures import save_figure

    names = []
    for kpi in res.spec.kpis:
        figs = [("indices", res.plot)]
        if res.spec.method == "morris":
            figs.append(("mu_sigma", res.plot_mu_sigma))
        for tag, fn in figs:
            name = f"{res.spec.method}_{tag}_{kpi}.png"
            save_figure(fn(kpi), res.folder / name)
            names.append(name)
    return names
