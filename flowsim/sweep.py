"""Batch parameter sweeps: designs over dotted config keys, resumable on disk.

A sweep file names a base scenario, the parameters to vary (any dotted key, as a
list of values or a low/high range), a design (full-factorial ``grid`` or Latin
hypercube ``lhs``) and replications per point. Every point runs the same
``(seed, replication)`` pairs, so differences between points are paired (unless
``run.seed`` is itself swept, when each point uses its own seed).

The unit of work is one point (all its replications): a worker simulates them,
reduces the records to KPIs and a daily series, and returns only those, so
memory stays flat however many points and replications run. The parent writes
each finished point at once, atomically (temporary file + rename), to
``<out>/<sweep name>/points/``. A point that raises is recorded in
``point-NNNNN.error.json`` and the sweep carries on.

Integrity. Each point file describes itself: its Parquet metadata holds the point
number, the parameter values, the sweep's spec hash, the point's config hash, seed,
replications and a checksum of its table. A re-run of the same sweep skips only the
points whose files pass every check; a file that is truncated, corrupt, copied from
another point or left from other parameter values is recomputed (and reported).
A sweep killed at any moment and restarted ends with the same tables as one that
was never interrupted.

Containment. The sweep's folder is ``<out>/<safe name>`` (see
:func:`flowsim.outputs.child_dir`); every file the sweep writes is listed, with its
checksum, in ``written.jsonl``, and ``fresh=True`` deletes only those files.

Bounded work. The design size is known before the design is built: more than
``max_runs`` simulations (default :data:`DEFAULT_MAX_RUNS`) or more than
:data:`MAX_POINTS` points is refused up front, saying how many there would be.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import math
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from flowsim.config import Scenario, load_model_file, load_scenario
from flowsim.errors import ConfigError, Problem
from flowsim.executors import RunOptions, map_tasks
from flowsim.experiment import RepTask, collect, run_task
from flowsim.kpis import KPI_NAMES
from flowsim.outputs import OutputError, atomic_write_bytes, child_dir

#: Simulations (points x replications) a sweep may run unless the caller insists.
DEFAULT_MAX_RUNS = 2_000
#: Design points a sweep may have at all: each is a validated scenario held in memory.
MAX_POINTS = 20_000
#: Point problems listed in one error (the rest are counted), to keep it on one screen.
MAX_SHOWN_PROBLEMS = 12
#: Parquet metadata key under which a point file describes itself.
POINT_META_KEY = b"flowsim.point"
#: Config keys that are not model parameters and cannot be swept.
NOT_SWEEPABLE = ("name", "description")
#: Keys a sweep honours by changing how a point runs, not the scenario alone.
RUN_KEYS = ("run.seed", "run.replications")


class ParamSpec(BaseModel):
    """One swept parameter: explicit ``values``, or ``low``/``high`` with ``levels``
    (grid) or sampled uniformly (Latin hypercube). ``integer`` rounds the values."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    values: tuple[float | int | bool | str, ...] | None = None
    low: float | None = Field(default=None, allow_inf_nan=False)
    high: float | None = Field(default=None, allow_inf_nan=False)
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

    def size(self) -> int:
        """Number of grid values (known without building them)."""
        return len(self.values) if self.values is not None else (self.levels or 5)

    def grid(self) -> list[Any]:
        """The values of a full-factorial grid."""
        if self.values is not None:
            return list(self.values)
        return [self._cast(v) for v in np.linspace(self.low, self.high, self.size())]

    def from_unit(self, u: np.ndarray) -> list[Any]:
        """Map U(0,1) draws to the parameter's range (or its list of values)."""
        if self.values is not None:
            idx = np.minimum((u * len(self.values)).astype(int), len(self.values) - 1)
            return [self.values[i] for i in idx]
        return [self._cast(v) for v in self.low + u * (self.high - self.low)]

    def largest(self) -> Any:
        """The largest value the parameter can take (for bounding work)."""
        if self.values is not None:
            nums = [v for v in self.values if isinstance(v, (int, float))]
            return max(nums) if nums else None
        return self._cast(self.high)

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
        bad = [k for k in self.parameters if k in NOT_SWEEPABLE]
        if bad:
            raise ValueError(
                f"{', '.join(bad)} cannot be swept: it labels the scenario and changes no "
                "result (the sweep names its points itself)"
            )
        return self

    def spec_hash(self) -> str:
        """SHA-256 of the whole spec: a changed spec is a different sweep."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()

    def n_points(self) -> int:
        """Number of design points, computed without building the design."""
        if self.design == "grid":
            return math.prod(p.size() for p in self.parameters.values())
        return self.samples

    def max_replications(self) -> int:
        """The most replications any point runs (``run.replications`` may be swept)."""
        p = self.parameters.get("run.replications")
        top = p.largest() if p is not None else None
        if isinstance(top, (int, float)) and not isinstance(top, bool) and math.isfinite(top):
            return max(1, int(top))
        return self.replications


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and validate a sweep file (YAML via safe_load)."""
    return load_model_file(path, SweepSpec, "sweep")


def check_design_size(
    points: int, replications: int, max_runs: int | None = None, what: str = "design"
) -> None:
    """Refuse a design before it is built when it is larger than allowed.

    Parameters
    ----------
    points
        Design points the design would have.
    replications
        Replications per point (the largest, if it varies).
    max_runs
        Most simulations (points x replications) allowed; ``None`` for
        :data:`DEFAULT_MAX_RUNS`. Raise it to insist on a large design.
    what
        Key named in the error.

    Raises
    ------
    ConfigError
        Naming the size the design would have and how to insist.
    """
    limit = DEFAULT_MAX_RUNS if max_runs is None else int(max_runs)
    runs = points * replications
    shown = f"{points:,} points x {replications:,} replications = {runs:,} simulations"
    if points > MAX_POINTS:
        raise ConfigError(
            [
                Problem(
                    what,
                    shown,
                    f"more than {MAX_POINTS:,} design points cannot be held; use fewer "
                    "levels, samples or parameters, or split the sweep",
                )
            ]
        )
    if runs > limit:
        raise ConfigError(
            [
                Problem(
                    what,
                    shown,
                    f"more than the limit of {limit:,} simulations; shrink the design, or "
                    f"insist with --max-runs {runs} (API: max_runs={runs})",
                )
            ]
        )


def latin_hypercube(n: int, d: int, seed: int) -> np.ndarray:
    """n points in [0,1)^d, one in each of n equal strata per dimension."""
    rng = np.random.default_rng(seed)
    u = (rng.random((n, d)) + np.arange(n)[:, None]) / n
    for j in range(d):
        u[:, j] = u[rng.permutation(n), j]
    return u


def design_points(spec: SweepSpec, max_runs: int | None = None) -> pd.DataFrame:
    """The sweep's points: one row per point, one column per dotted key.

    The size is checked first (:func:`check_design_size`), so an enormous design is
    refused before any memory is spent on it.
    """
    check_design_size(spec.n_points(), spec.max_replications(), max_runs)
    keys = list(spec.parameters)
    if spec.design == "grid":
        grids = [spec.parameters[k].grid() for k in keys]
        rows = list(itertools.product(*grids))
        return pd.DataFrame(rows, columns=keys)
    u = latin_hypercube(spec.samples, len(keys), spec.design_seed)
    return pd.DataFrame({k: spec.parameters[k].from_unit(u[:, j]) for j, k in enumerate(keys)})


def base_scenario(spec: SweepSpec, relative_to: Path | None = None) -> Scenario:
    """The scenario every point starts from: base file, shared overrides, horizon."""
    base = spec.base
    if relative_to is not None and (relative_to / base).is_file():
        base = str(relative_to / base)
    shared = dict(spec.overrides)
    if spec.days is not None:
        shared["run.days"] = spec.days
    if spec.warmup_days is not None:
        shared["run.warmup_days"] = spec.warmup_days
    return load_scenario(base, shared, spec.interventions)


def _plain(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else v


def point_scenarios(base: Scenario, points: pd.DataFrame) -> list[Scenario]:
    """Validate every point up front: a bad value is a ConfigError naming point and key."""
    out, problems = [], []
    for i, row in points.iterrows():
        values = {k: _plain(v) for k, v in row.items()}
        try:
            out.append(base.with_overrides({**values, "name": base.name}))
        except ConfigError as exc:
            problems += [Problem(f"point {i}: {p.key}", p.value, p.rule) for p in exc.problems]
    if len(problems) > MAX_SHOWN_PROBLEMS:  # one screen, however large the design
        more = len(problems) - MAX_SHOWN_PROBLEMS
        problems = problems[:MAX_SHOWN_PROBLEMS] + [
            Problem("more points", more, "problems like the ones above are not shown")
        ]
    if problems:
        raise ConfigError(problems)
    return out


@dataclass(frozen=True)
class PointTask:
    """One design point to simulate: its scenario, seed and replications."""

    point: int
    scenario: Scenario
    seed: int
    replications: int


@dataclass
class PointResult:
    """What a worker returns for a point: reduced tables, or the error it raised."""

    point: int
    kpis: pd.DataFrame | None = None
    daily: pd.DataFrame | None = None
    error: str | None = None
    meta: list[dict] = field(default_factory=list)


def point_tasks(spec: SweepSpec, scenarios: list[Scenario]) -> list[PointTask]:
    """One task per point. ``run.seed``/``run.replications``, if swept, are honoured."""
    keys = set(spec.parameters)
    return [
        PointTask(
            i,
            s,
            s.run.seed if "run.seed" in keys else spec.seed,
            s.run.replications if "run.replications" in keys else spec.replications,
        )
        for i, s in enumerate(scenarios)
    ]


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


# ------------------------------------------------------------------ point files


def table_checksum(df: pd.DataFrame) -> str:
    """SHA-256 of a table's content (columns and values, as CSV)."""
    return hashlib.sha256(df.to_csv(index=False).encode()).hexdigest()


def point_identity(task: PointTask, spec_hash: str, values: dict[str, Any]) -> dict[str, Any]:
    """What a point file must say about itself to be taken as this point's result."""
    return {
        "point": task.point,
        "values": {k: _plain(v) for k, v in values.items()},
        "spec_hash": spec_hash,
        "config_hash": task.scenario.config_hash(),
        "seed": int(task.seed),
        "replications": int(task.replications),
    }


def point_file_bytes(df: pd.DataFrame, identity: dict[str, Any], kind: str) -> bytes:
    """A Parquet file of ``df`` whose metadata holds ``identity``, ``kind`` and a checksum."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    meta = {**identity, "kind": kind, "checksum": table_checksum(df)}
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), POINT_META_KEY: json.dumps(meta, default=str).encode()}
    )
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def read_point_file(
    path: Path, identity: dict[str, Any], kind: str
) -> tuple[pd.DataFrame | None, str]:
    """Read a point file and check it is this point's result.

    Returns
    -------
    (table, reason)
        The table and ``""`` when every check passes; ``None`` and the reason
        (unreadable, no description, another point, other values, bad checksum)
        otherwise.
    """
    import pyarrow.parquet as pq

    if not path.exists():
        return None, "missing"
    if not path.is_file():
        return None, "not a regular file"
    try:
        table = pq.read_table(path)
    except Exception as exc:  # truncated, empty or garbage: any Arrow error
        return None, f"unreadable ({type(exc).__name__})"
    raw = (table.schema.metadata or {}).get(POINT_META_KEY)
    try:
        meta = json.loads(raw) if raw else None
    except ValueError:
        meta = None
    if not isinstance(meta, dict):
        return None, "does not describe itself (no flowsim metadata)"
    if meta.get("kind") != kind:
        return None, f"holds {meta.get('kind')!r} data, not {kind!r}"
    if meta.get("point") != identity["point"]:
        return None, f"holds point {meta.get('point')}, not point {identity['point']}"
    for key in ("spec_hash", "config_hash", "seed", "replications", "values"):
        if meta.get(key) != json.loads(json.dumps(identity[key], default=str)):
            return None, f"was made with another {key.replace('_', ' ')}"
    df = table.to_pandas()
    if table_checksum(df) != meta.get("checksum"):
        return None, "checksum does not match its content"
    return df, ""


# ------------------------------------------------------------------ the folder

WRITTEN = "written.jsonl"


class SweepFolder:
    """A sweep's folder and the list of files this sweep wrote into it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.points = path / "points"

    def write(self, rel: str, data: bytes) -> None:
        """Write ``rel`` atomically and record it (name and checksum) in ``written.jsonl``."""
        target = self.path / rel
        atomic_write_bytes(target, data)
        line = json.dumps({"file": rel, "sha256": hashlib.sha256(data).hexdigest()})
        try:
            with open(self.path / WRITTEN, "a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        except OSError as exc:
            from flowsim.outputs import disk_error

            raise disk_error(exc, self.path / WRITTEN) from None

    def write_text(self, rel: str, text: str) -> None:
        """Write text (UTF-8) as :meth:`write` does."""
        self.write(rel, text.encode())

    def written(self) -> dict[str, str]:
        """Every file this sweep recorded, with the checksum of its last version."""
        out: dict[str, str] = {}
        try:
            lines = (self.path / WRITTEN).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return out
        for line in lines:
            try:
                rec = json.loads(line)
                out[str(rec["file"])] = str(rec["sha256"])
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a kill
        return out

    def discard(self) -> list[str]:
        """Delete the files this sweep wrote (only those, and only if unchanged)."""
        removed = []
        root = self.path.resolve()
        for rel, digest in self.written().items():
            f = (self.path / rel).resolve()
            if root not in f.parents or not f.is_file() or f.is_symlink():
                continue
            try:
                if hashlib.sha256(f.read_bytes()).hexdigest() == digest:
                    f.unlink()
                    removed.append(rel)
            except OSError:
                continue
        (self.path / WRITTEN).unlink(missing_ok=True)
        return removed


def _prepare_folder(
    folder: Path, spec_hash: str, design: pd.DataFrame, base: Scenario, fresh: bool
) -> SweepFolder:
    sf = SweepFolder(folder)
    marker = folder / "sweep.json"
    ours = marker.exists() or (folder / WRITTEN).exists()
    if folder.is_dir() and not ours and any(folder.iterdir()):
        raise OutputError(
            [
                Problem(
                    "out",
                    str(folder),
                    "this folder exists and was not made by a flowsim sweep; "
                    "use another --out or another sweep name",
                )
            ]
        )
    if folder.exists() and not folder.is_dir():
        raise OutputError([Problem("out", str(folder), "is a file, not a sweep folder")])
    if fresh:
        sf.discard()
    elif marker.exists():
        try:
            old = json.loads(marker.read_text(encoding="utf-8"))
            if not isinstance(old, dict):
                raise ValueError("not an object")
        except (ValueError, UnicodeDecodeError, OSError):
            warnings.warn(
                f"{marker} was unreadable and has been rewritten; every finished point "
                "file is checked on its own before it is reused",
                stacklevel=3,
            )
            old = None
        if old is not None and (
            old.get("spec_hash") != spec_hash or old.get("base_config_hash") != base.config_hash()
        ):
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
    try:
        sf.points.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from flowsim.outputs import disk_error

        raise disk_error(exc, sf.points) from None
    if sf.points.resolve().parent != folder.resolve():  # a link out of the folder
        raise OutputError(
            [Problem("out", str(sf.points), "is a link out of the sweep folder; remove it")]
        )
    blob = {
        "spec_hash": spec_hash,
        "base_config_hash": base.config_hash(),
        "base_config": base.to_dict(),
        "points": len(design),
    }
    sf.write_text("sweep.json", json.dumps(blob, indent=2, sort_keys=True, default=str))
    sf.write_text("design.csv", design.reset_index(names="point").to_csv(index=False))
    return sf


def _parquet_bytes(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue()


@dataclass
class SweepResult:
    """A finished (or resumed) sweep: the design, the tidy results, failures.

    ``skipped`` lists the points whose files were verified and reused;
    ``recomputed`` maps points whose files failed a check to the reason.
    """

    folder: Path
    design: pd.DataFrame
    results: pd.DataFrame  # params..., scenario, point, rep, KPIs (wide)
    failed: dict[int, str]
    skipped: list[int]
    recomputed: dict[int, str] = field(default_factory=dict)

    def long(self) -> pd.DataFrame:
        """Results in long form: one row per point, replication and KPI."""
        params = list(self.design.columns)
        return self.results.melt(
            id_vars=[*params, "scenario", "point", "rep"],
            value_vars=[k for k in KPI_NAMES if k in self.results],
            var_name="kpi",
            value_name="value",
        )

    def point_means(self) -> pd.DataFrame:
        """Mean of every KPI over the replications of each point."""
        params = list(self.design.columns)
        kpis = [k for k in KPI_NAMES if k in self.results]
        return self.results.groupby(["point", *params], sort=True)[kpis].mean().reset_index()

    def plot(self, kpi: str, x: str | None = None, ax=None):
        """Point means of ``kpi`` against parameter ``x``."""
        from flowsim.plots import plot_sweep

        return plot_sweep(self.point_means(), kpi, x or self.design.columns[0], ax=ax)


def execute(
    spec: SweepSpec,
    design: pd.DataFrame,
    base: Scenario,
    folder: str | Path,
    options: RunOptions | None = None,
    fresh: bool = False,
    *,
    jobs: int | None = None,
    executor: str | None = None,
    scheduler: str | None = None,
    progress: bool | None = None,
) -> SweepResult:
    """Run every point of ``design`` without a verified result and assemble the results.

    Parameters
    ----------
    spec, design, base
        The sweep, its points (one row each) and the scenario they start from.
    folder
        The sweep's folder (made safe by the caller).
    options
        How to run the points (or the ``jobs``/``executor``/... keywords).
    fresh
        Delete the files this sweep wrote before, and start over.
    """
    opts = RunOptions.of(
        options, jobs=jobs, executor=executor, scheduler=scheduler, progress=progress
    )
    folder = Path(folder)
    scns = point_scenarios(base, design)
    spec_hash = spec.spec_hash()
    sf = _prepare_folder(folder, spec_hash, design, base, fresh)
    tasks = point_tasks(spec, scns)
    rows = [{k: _plain(v) for k, v in r.items()} for _, r in design.iterrows()]
    ident = [point_identity(t, spec_hash, rows[t.point]) for t in tasks]

    frames: dict[int, pd.DataFrame] = {}
    recomputed: dict[int, str] = {}
    for t in tasks:
        stem = sf.points / f"point-{t.point:05d}"
        kpis, why = read_point_file(Path(f"{stem}.parquet"), ident[t.point], "kpis")
        if kpis is not None:
            _, why = read_point_file(Path(f"{stem}.daily.parquet"), ident[t.point], "daily")
            why = f"daily file {why}" if why else ""
        if not why:
            frames[t.point] = kpis
        elif why != "missing":
            recomputed[t.point] = why
    odd = [p for p, why in recomputed.items() if "regular file" in why]
    if odd:  # a folder where a point file belongs: not ours to replace
        raise OutputError(
            [
                Problem("out", str(sf.points / f"point-{p:05d}.parquet"), "is not a regular file")
                for p in odd
            ]
        )
    done = sorted(frames)
    todo = [t for t in tasks if t.point not in frames]
    failed: dict[int, str] = {}

    def write_point(_: int, r: PointResult) -> None:
        rel = f"points/point-{r.point:05d}"
        if r.error is not None:
            failed[r.point] = r.error
            sf.write_text(
                f"{rel}.error.json", json.dumps({"point": r.point, "error": r.error}, indent=2)
            )
            return
        (sf.path / f"{rel}.error.json").unlink(missing_ok=True)
        # daily first, KPIs last: the KPI file is the marker of a finished point
        sf.write(f"{rel}.daily.parquet", point_file_bytes(r.daily, ident[r.point], "daily"))
        sf.write(f"{rel}.parquet", point_file_bytes(r.kpis, ident[r.point], "kpis"))
        frames[r.point] = r.kpis

    map_tasks(run_point, todo, opts, desc=f"{spec.name}: points", on_result=write_point)
    missing = sorted(set(range(len(tasks))) - set(frames) - set(failed))
    if missing:  # never report "0 failed" for a table that lacks points
        raise RuntimeError(f"sweep points {missing} have neither a result nor an error")
    results = assemble_frames(frames, design)
    sf.write_text("results.csv", results.to_csv(index=False))
    sf.write("results.parquet", _parquet_bytes(results))
    return SweepResult(folder, design, results, failed, done, recomputed)


def assemble_frames(frames: dict[int, pd.DataFrame], design: pd.DataFrame) -> pd.DataFrame:
    """Join verified point tables with their parameters: one wide tidy table."""
    params = list(design.columns)
    if not frames:
        return pd.DataFrame(columns=[*params, "scenario", "point", "rep", *KPI_NAMES])
    long = pd.concat([frames[i] for i in sorted(frames)], ignore_index=True)
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
    options: RunOptions | None = None,
    fresh: bool = False,
    max_runs: int | None = None,
    *,
    jobs: int | None = None,
    executor: str | None = None,
    scheduler: str | None = None,
    progress: bool | None = None,
) -> SweepResult:
    """Run (or resume) a sweep; results land in ``<out>/<safe sweep name>/``.

    Parameters
    ----------
    spec
        A :class:`SweepSpec` or the path of a sweep file.
    out
        Folder under which the sweep's folder is made.
    options
        How to run the points (:class:`~flowsim.executors.RunOptions`); the
        ``jobs``, ``executor``, ``scheduler`` and ``progress`` keywords still work.
    fresh
        Delete the files an earlier run of this sweep wrote, and start over.
    max_runs
        Most simulations allowed (default :data:`DEFAULT_MAX_RUNS`); raise to insist.
    """
    opts = RunOptions.of(
        options, jobs=jobs, executor=executor, scheduler=scheduler, progress=progress
    )
    where = None
    if not isinstance(spec, SweepSpec):
        where = Path(spec).parent
        spec = load_sweep(spec)
    check_spec_limits(spec)
    design = design_points(spec, max_runs)
    base = base_scenario(spec, where)
    folder = child_dir(out, spec.name, "sweep")
    return execute(spec, design, base, folder, opts, fresh)


def check_spec_limits(spec: Any, source: str | None = None) -> None:
    """A sweep or sensitivity spec obeys the limits of :mod:`flowsim.limits` (replications,
    seed, days), in the API as on the command line.

    Raises
    ------
    ConfigError
        Naming every argument out of its limits.
    """
    from flowsim.limits import check_run_args

    try:
        check_run_args(
            replications=spec.replications,
            seed=spec.seed,
            days=spec.days,
            warmup_days=spec.warmup_days,
        )
    except ConfigError as exc:
        raise ConfigError(exc.problems, source or spec.name) from None
