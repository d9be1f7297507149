"""Batch parameter sweeps: designs over dotted config keys, resumable on disk.

A sweep file names a base scenario, the parameters to vary (any dotted key, as a
list of values or a low/high range), a design (full-factorial ``grid`` or Latin
hypercube ``lhs``) and replications per point. Every point runs the same
``(seed, replication)`` pairs, so differences between points are paired.

The unit of work is one point (all its replications): a worker simulates them,
reduces the records to KPIs and a daily series, and returns only those, so
memory stays flat however many points and replications run. The parent writes
each finished point at once, atomically (temporary file + rename), to
``<out>/<sweep name>/points/``. Re-running the same sweep skips finished points;
a sweep killed at any moment and restarted ends with the same tables as one that
was never interrupted. A point that raises is recorded in ``point-NNNNN.error.json``
and the sweep carries on.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from flowsim.config import Scenario, load_model_file, load_scenario
from flowsim.errors import ConfigError, Problem
from flowsim.executors import map_tasks
from flowsim.experiment import RepTask, collect, run_task
from flowsim.kpis import KPI_NAMES
from flowsim.outputs import atomic_write_bytes, write_csv, write_json


class ParamSpec(BaseModel):
    """One swept parameter: explicit ``values``, or ``low``/``high`` with ``levels``
    (grid) or sampled uniformly (Latin hypercube). ``integer`` rounds the values."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    values: tuple[float | int | bool | str, ...] | None = None
    low: float | None = None
    high: float | None = None
    levels: int | None = Field(default=None, gt=1)
    integer: bool = False

    @model_validator(mode="after")
    def _check(self) -> ParamSpec:
        if self.values is None and (self.low is None or self.high is None):
            raise ValueError("give either 'values' or both 'low' and 'high'")
        if self.values is not None and len(self.values) == 0:
            raise ValueError("'values' must not be empty")
        if self.low is not None and self.high is not None and self.high < self.low:
            raise ValueError(f"'high' ({self.high}) is below 'low' ({self.low})")
        return self

    def grid(self) -> list[Any]:
        if self.values is not None:
            return list(self.values)
        n = self.levels or 5
        return [self._cast(v) for v in np.linspace(self.low, self.high, n)]

    def from_unit(self, u: np.ndarray) -> list[Any]:
        """Map U(0,1) draws to the parameter's range (or its list of values)."""
        if self.values is not None:
            idx = np.minimum((u * len(self.values)).astype(int), len(self.values) - 1)
            return [self.values[i] for i in idx]
        return [self._cast(v) for v in self.low + u * (self.high - self.low)]

    def _cast(self, v: float) -> float | int:
        return int(round(float(v))) if self.integer else float(v)


class SweepSpec(BaseModel):
    """A sweep file."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str = Field(default="sweep", min_length=1)
    description: str = ""
    base: str = "worcestershire"
    replications: int = Field(default=3, gt=0)
    seed: int = Field(default=12345, ge=0)
    days: float | None = Field(default=None, gt=0)
    warmup_days: float | None = Field(default=None, ge=0)
    overrides: dict[str, Any] = Field(default_factory=dict)
    interventions: tuple[str, ...] = ()
    design: Literal["grid", "lhs"] = "grid"
    samples: int = Field(default=10, gt=0)  # Latin hypercube points
    design_seed: int = 0
    parameters: dict[str, ParamSpec]

    @model_validator(mode="after")
    def _check(self) -> SweepSpec:
        if not self.parameters:
            raise ValueError("'parameters' must name at least one dotted key")
        return self

    def spec_hash(self) -> str:
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and validate a sweep file (YAML via safe_load)."""
    return load_model_file(path, SweepSpec, "sweep")


def latin_hypercube(n: int, d: int, seed: int) -> np.ndarray:
    """n points in [0,1)^d, one in each of n equal strata per dimension."""
    rng = np.random.default_rng(seed)
    u = (rng.random((n, d)) + np.arange(n)[:, None]) / n
    for j in range(d):
        u[:, j] = u[rng.permutation(n), j]
    return u


def design_points(spec: SweepSpec) -> pd.DataFrame:
    """The sweep's points: one row per point, one column per dotted key."""
    keys = list(spec.parameters)
    if spec.design == "grid":
        grids = [spec.parameters[k].grid() for k in keys]
        rows = list(itertools.product(*grids))
        return pd.DataFrame(rows, columns=keys)
    u = latin_hypercube(spec.samples, len(keys), spec.design_seed)
    return pd.DataFrame({k: spec.parameters[k].from_unit(u[:, j]) for j, k in enumerate(keys)})


def base_scenario(spec: SweepSpec, relative_to: Path | None = None) -> Scenario:
    base = spec.base
    if relative_to is not None and (relative_to / base).is_file():
        base = str(relative_to / base)
    shared = dict(spec.overrides)
    if spec.days is not None:
        shared["run.days"] = spec.days
    if spec.warmup_days is not None:
        shared["run.warmup_days"] = spec.warmup_days
    return load_scenario(base, shared, spec.interventions)


def point_scenarios(base: Scenario, points: pd.DataFrame) -> list[Scenario]:
    """Validate every point up front: a bad value is a ConfigError naming point and key."""
    out, problems = [], []
    for i, row in points.iterrows():
        values = {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
        try:
            out.append(base.with_overrides({**values, "name": base.name}))
        except ConfigError as exc:
            problems += [Problem(f"point {i}: {p.key}", p.value, p.rule) for p in exc.problems]
    if problems:
        raise ConfigError(problems)
    return out


@dataclass(frozen=True)
class PointTask:
    point: int
    scenario: Scenario
    seed: int
    replications: int


@dataclass
class PointResult:
    point: int
    kpis: pd.DataFrame | None = None
    daily: pd.DataFrame | None = None
    error: str | None = None
    meta: list[dict] = field(default_factory=list)


def run_point(task: PointTask) -> PointResult:
    """All replications of one point, reduced to KPIs and daily series (in a worker)."""
    try:
        results = [
            run_task(RepTask(task.scenario, task.seed, r, task.point))
            for r in range(task.replications)
        ]
        kpis, daily, metas, _ = collect(results)
        return PointResult(task.point, kpis, daily, None, metas)
    except Exception:  # a failed point is recorded and the sweep carries on
        return PointResult(task.point, error=traceback.format_exc())


def _parquet_bytes(df: pd.DataFrame) -> bytes:
    import io

    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue()


@dataclass
class SweepResult:
    """A finished (or resumed) sweep: the design, the tidy results, failures."""

    folder: Path
    design: pd.DataFrame
    results: pd.DataFrame  # params..., scenario, point, rep, KPIs (wide)
    failed: dict[int, str]
    skipped: list[int]

    def long(self) -> pd.DataFrame:
        params = list(self.design.columns)
        return self.results.melt(
            id_vars=[*params, "scenario", "point", "rep"],
            value_vars=[k for k in KPI_NAMES if k in self.results],
            var_name="kpi",
            value_name="value",
        )

    def point_means(self) -> pd.DataFrame:
        params = list(self.design.columns)
        kpis = [k for k in KPI_NAMES if k in self.results]
        return self.results.groupby(["point", *params], sort=True)[kpis].mean().reset_index()

    def plot(self, kpi: str, x: str | None = None, ax=None):
        from flowsim.plots import plot_sweep

        return plot_sweep(self.point_means(), kpi, x or self.design.columns[0], ax=ax)


def _prepare_folder(
    folder: Path, spec_hash: str, design: pd.DataFrame, base: Scenario, fresh: bool
) -> None:
    (folder / "points").mkdir(parents=True, exist_ok=True)
    marker = folder / "sweep.json"
    if marker.exists() and not fresh:
        old = json.loads(marker.read_text())
        if old.get("spec_hash") != spec_hash or old.get("base_config_hash") != base.config_hash():
            raise ConfigError(
                [
                    Problem(
                        "out",
                        str(folder),
                        "this folder holds a different sweep (its spec or base config changed); "
                        "use another --out, or --fresh to discard its points",
                    )
                ]
            )
    if fresh:
        for f in (folder / "points").iterdir():
            f.unlink()
    write_json(
        {
            "spec_hash": spec_hash,
            "base_config_hash": base.config_hash(),
            "base_config": base.to_dict(),
            "points": len(design),
        },
        marker,
    )
    write_csv(design.reset_index(names="point"), folder / "design.csv")


def execute(
    spec: SweepSpec,
    design: pd.DataFrame,
    base: Scenario,
    folder: str | Path,
    jobs: int = 1,
    executor: str | None = None,
    scheduler: str | None = None,
    progress: bool = False,
    fresh: bool = False,
) -> SweepResult:
    """Run every unfinished point of ``design`` and assemble the results."""
    folder = Path(folder)
    scns = point_scenarios(base, design)
    _prepare_folder(folder, spec.spec_hash(), design, base, fresh)
    pts = folder / "points"
    done = {int(p.name[6:11]) for p in pts.glob("point-*.parquet") if ".daily." not in p.name}
    todo = [
        PointTask(i, s, spec.seed, spec.replications) for i, s in enumerate(scns) if i not in done
    ]
    failed: dict[int, str] = {}

    def write_point(_: int, r: PointResult) -> None:
        stem = pts / f"point-{r.point:05d}"
        if r.error is not None:
            failed[r.point] = r.error
            write_json({"point": r.point, "error": r.error}, f"{stem}.error.json")
            return
        Path(f"{stem}.error.json").unlink(missing_ok=True)
        # daily first, KPIs last: the KPI file is the marker of a finished point
        atomic_write_bytes(f"{stem}.daily.parquet", _parquet_bytes(r.daily))
        atomic_write_bytes(f"{stem}.parquet", _parquet_bytes(r.kpis))

    map_tasks(
        run_point,
        todo,
        jobs=jobs,
        executor=executor,
        scheduler=scheduler,
        progress=progress,
        desc=f"{spec.name}: points",
        on_result=write_point,
    )
    results = assemble(folder, design)
    write_csv(results, folder / "results.csv")
    atomic_write_bytes(folder / "results.parquet", _parquet_bytes(results))
    return SweepResult(folder, design, results, failed, sorted(done))


def assemble(folder: Path, design: pd.DataFrame) -> pd.DataFrame:
    """Join every finished point file with its parameters: one wide tidy table."""
    frames = []
    for p in sorted((folder / "points").glob("point-*.parquet")):
        if ".daily." in p.name:
            continue
        frames.append(pd.read_parquet(p))
    params = list(design.columns)
    if not frames:
        return pd.DataFrame(columns=[*params, "scenario", "point", "rep", *KPI_NAMES])
    long = pd.concat(frames, ignore_index=True)
    wide = long.pivot_table(
        index=["scenario", "point", "rep"], columns="kpi", values="value", sort=True
    ).reset_index()
    wide.columns.name = None
    wide = wide.merge(design.reset_index(names="point"), on="point", how="left")
    cols = [*params, "scenario", "point", "rep", *[k for k in KPI_NAMES if k in wide]]
    return wide[cols].sort_values(["point", "rep"]).reset_index(drop=True)


def sweep(
    spec: SweepSpec | str | Path,
    out: str | Path = "outputs",
    jobs: int = 1,
    executor: str | None = None,
    scheduler: str | None = None,
    progress: bool = False,
    fresh: bool = False,
) -> SweepResult:
    """Run (or resume) a sweep; results land in ``<out>/<sweep name>/``."""
    where = None
    if not isinstance(spec, SweepSpec):
        where = Path(spec).parent
        spec = load_sweep(spec)
    base = base_scenario(spec, where)
    design = design_points(spec)
    return execute(
        spec, design, base, Path(out) / spec.name, jobs, executor, scheduler, progress, fresh
    )


def cmd_sweep(args: argparse.Namespace) -> int:
    res = sweep(
        args.sweep,
        out=args.out,
        jobs=args.jobs,
        executor=args.executor,
        scheduler=args.scheduler,
        progress=not args.no_progress,
        fresh=args.fresh,
    )
    n = len(res.design)
    print(
        f"Sweep: {n} points x replications; {len(res.skipped)} already done, "
        f"{len(res.failed)} failed."
    )
    for p, err in sorted(res.failed.items()):
        print(f"  point {p} failed: {err.strip().splitlines()[-1]}")
    means = res.point_means()
    show = [
        c
        for c in (
            "ed_pct_within_4h",
            "delayed_patients_mean",
            "acute_occupancy_pct",
            "cost_total_gbp",
        )
        if c in means
    ]
    with pd.option_context("display.width", 200):
        print(means[["point", *res.design.columns, *show]].round(2).to_string(index=False))
    print(f"\nResults written to {res.folder} (results.parquet, results.csv, points/)")
    return 1 if res.failed else 0


def add_executor_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--jobs", "-j", type=int, default=1, help="local worker processes")
    p.add_argument("--executor", choices=("serial", "processes", "dask"), default=None)
    p.add_argument(
        "--scheduler", default=None, help="Dask scheduler address; a LocalCluster when omitted"
    )
    p.add_argument("--out", default="outputs")
    p.add_argument("--fresh", action="store_true", help="discard finished points and start over")
    p.add_argument("--no-progress", action="store_true")


def register_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sweep", help="run or resume a parameter sweep (grid or Latin hypercube)")
    p.add_argument("sweep", help="sweep YAML file")
    add_executor_args(p)
    p.set_defaults(func=cmd_sweep)
