"""Calibration: the baseline against the public figures it was built for, and a
simple fitter for unknown parameters.

``TARGETS`` lists, per packaged scenario, the observed figure, the band within which
the model is accepted, and the row of the public-figures table it comes from. The
bands are wider than sampling error: the figures themselves move by several points
a year and some are approximate (see each note).

``fit`` searches named dotted keys (each within bounds) to minimise the sum of
squared relative errors of chosen KPIs, using the same seeds at every trial point
(common random numbers) so that the objective is a deterministic function that
Nelder-Mead can minimise.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from flowsim.config import Scenario, load_scenario
from flowsim.experiment import RunResult, run, summarise
from flowsim.metrics import KPI_INFO


@dataclass(frozen=True)
class Target:
    """An observed figure and the model KPI it is compared with."""

    kpi: str
    observed: float
    low: float
    high: float
    per_day: bool  # the KPI is a period total; compare its daily rate
    source: str


TARGETS: dict[str, tuple[Target, ...]] = {
    "worcestershire": (
        Target(
            "ed_pct_within_4h",
            63.4,
            55.0,
            75.0,
            False,
            "W22: WAHT all-type 4-hour performance FY24/25 63.4% (FY21/22-24/25 64-72%)",
        ),
        Target(
            "acute_occupancy_pct",
            94.0,
            90.0,
            97.0,
            False,
            "W37: G&A occupancy FY23/24 94.2%, FY24/25 94.0% (sitrep)",
        ),
        Target(
            "delayed_patients_mean",
            232.1,
            190.0,
            275.0,
            False,
            "W46: patients not meeting criteria to reside, daily mean FY24/25",
        ),
        Target(
            "emergency_admissions",
            147.0,
            135.0,
            160.0,
            True,
            "W28: total emergency admissions per day FY24/25 (147; 150-156 earlier)",
        ),
        Target(
            "elective_waiting_list_end",
            15000.0,
            12000.0,
            18000.0,
            False,
            "W33 x 27% (D): admitted-pathway share of the WAHT RTT list",
        ),
    ),
}


def calibration_table(
    res: RunResult, scenario: Scenario, targets: tuple[Target, ...] | None = None
) -> pd.DataFrame:
    """Model mean and 95% CI beside each observed figure, with the acceptance band."""
    targets = targets or TARGETS[scenario.name]
    s = summarise(res.kpis).set_index("kpi")
    rows = []
    for t in targets:
        scale = 1.0 / scenario.run.days if t.per_day else 1.0
        r = s.loc[t.kpi]
        mean = r["mean"] * scale
        rows.append(
            {
                "kpi": t.kpi + ("_per_day" if t.per_day else ""),
                "observed": t.observed,
                "band_low": t.low,
                "band_high": t.high,
                "model_mean": mean,
                "model_ci_low": r["ci_low"] * scale,
                "model_ci_high": r["ci_high"] * scale,
                "within_band": bool(t.low <= mean <= t.high),
                "source": t.source,
            }
        )
    return pd.DataFrame(rows)


def plot_calibration(table: pd.DataFrame, ax=None):
    """Model / observed ratio per target with the model's 95% CI and the band."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(10, 3.5))
    y = np.arange(len(table))
    obs = table["observed"].to_numpy()
    ax.barh(
        y,
        table["band_high"] / obs - table["band_low"] / obs,
        left=table["band_low"] / obs,
        color="lightgrey",
        label="acceptance band",
    )
    ax.errorbar(
        table["model_mean"] / obs,
        y,
        xerr=[
            (table["model_mean"] - table["model_ci_low"]) / obs,
            (table["model_ci_high"] - table["model_mean"]) / obs,
        ],
        fmt="o",
        color="C0",
        capsize=3,
        label="model (95% CI)",
    )
    ax.axvline(1.0, color="C3", linewidth=1, label="observed")
    ax.set_yticks(y)
    ax.set_yticklabels(table["kpi"])
    ax.set_xlabel("model / observed")
    ax.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.01, 0.5))
    return ax


def fit(
    scenario: Scenario,
    bounds: Mapping[str, tuple[float, float]],
    targets: Mapping[str, float],
    replications: int = 3,
    seed: int | None = None,
    jobs: int = 1,
    max_evals: int = 40,
) -> tuple[dict[str, float], pd.DataFrame]:
    """Fit dotted keys within bounds so that KPI means match the targets.

    Parameters are searched on [0, 1] (scaled to their bounds) by Nelder-Mead from the
    scenario's current values; each evaluation runs ``replications`` with fixed seeds.
    Keys whose current value is an integer (A&E spaces, beds) are rounded at each
    trial point, which makes the objective a step function in them: give such keys
    bounds wide enough that a step of one is small. Returns the best overrides and the
    trace of evaluations. Raises ValueError listing every unknown key, non-numeric
    key, empty bound or unknown KPI.
    """
    keys = list(bounds)
    raw = scenario.to_dict()

    def current(key: str):
        node = raw
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    problems = []
    for k in keys:
        v = current(k)
        if isinstance(v, bool) or not isinstance(v, int | float):
            problems.append(f"--fit {k}: current value {v!r} is not a number")
        if not bounds[k][0] < bounds[k][1]:
            problems.append(f"--fit {k}: bounds {bounds[k]} must have LO < HI")
    unknown = sorted(set(targets) - set(KPI_INFO))
    problems += [f"--target {k}: not a KPI name (see flowsim.metrics.KPI_INFO)" for k in unknown]
    problems += [f"--target {k}={v}: target must be non-zero" for k, v in targets.items() if v == 0]
    if problems:
        raise ValueError("cannot fit:\n  - " + "\n  - ".join(problems))
    integer = {k: isinstance(current(k), int) for k in keys}
    lo = np.array([bounds[k][0] for k in keys], dtype=float)
    hi = np.array([bounds[k][1] for k in keys], dtype=float)
    x0 = np.clip((np.array([float(current(k)) for k in keys]) - lo) / (hi - lo), 0, 1)
    trace = []

    def objective(z: np.ndarray) -> float:
        z = np.clip(z, 0, 1)
        values = {
            k: int(round(v)) if integer[k] else float(v)
            for k, v in zip(keys, lo + z * (hi - lo), strict=True)
        }
        scn = scenario.with_overrides(values)
        res = run(scn, replications=replications, seed=seed, jobs=jobs)
        means = res.kpis.groupby("kpi")["value"].mean()
        err = sum(((means[k] - v) / v) ** 2 for k, v in targets.items())
        trace.append({**values, **{f"model_{k}": means[k] for k in targets}, "loss": err})
        return err

    optimize.minimize(
        objective,
        x0,
        method="Nelder-Mead",
        options={"maxfev": max_evals, "xatol": 1e-3, "fatol": 1e-5},
    )
    tr = pd.DataFrame(trace)
    best = tr.loc[tr["loss"].idxmin()]
    return {k: int(best[k]) if integer[k] else float(best[k]) for k in keys}, tr


def _parse_fit_args(fit_args: list[str], target_args: list[str]):
    """Parse ``--fit KEY=LO:HI`` and ``--target KPI=VALUE``; every problem at once."""
    problems, bounds, targets = [], {}, {}
    for it in fit_args:
        k, eq, v = it.partition("=")
        parts = v.split(":")
        try:
            if not eq or len(parts) != 2:
                raise ValueError
            bounds[k.strip()] = (float(parts[0]), float(parts[1]))
        except ValueError:
            problems.append(f"--fit {it!r}: must look like KEY=LO:HI with numbers LO < HI")
    for it in target_args:
        k, eq, v = it.partition("=")
        try:
            if not eq:
                raise ValueError
            targets[k.strip()] = float(v)
        except ValueError:
            problems.append(f"--target {it!r}: must look like KPI=VALUE with a number")
    if not target_args:
        problems.append("--target: at least one KPI=VALUE is needed with --fit")
    return bounds, targets, problems


def cmd_calibrate(args: argparse.Namespace) -> int:
    scn = load_scenario(args.config, args.overrides)
    if args.fit:
        bounds, targets, problems = _parse_fit_args(args.fit, args.target)
        if problems:
            print("error: cannot fit:\n  - " + "\n  - ".join(problems), file=sys.stderr)
            return 2
        try:
            best, trace = fit(
                scn,
                bounds,
                targets,
                replications=args.replications or 3,
                jobs=args.jobs,
                max_evals=args.max_evals,
            )
        except ValueError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        print(trace.to_string(index=False))
        print("\nBest: " + " ".join(f"--set {k}={v:.6g}" for k, v in best.items()))
        return 0
    res = run(
        scn,
        replications=args.replications or scn.run.replications,
        jobs=args.jobs,
        progress=not args.no_progress,
    )
    table = calibration_table(res, scn)
    if args.figure:  # the figure is on disk before anything is printed
        import matplotlib

        matplotlib.use("Agg")
        ax = plot_calibration(table)
        ax.set_title(f"{scn.name}: model vs observed")
        ax.figure.tight_layout()
        ax.figure.savefig(args.figure, dpi=110)
    with pd.option_context("display.width", 200, "display.max_colwidth", 60):
        print(table.drop(columns=["source"]).round(2).to_string(index=False))
        print()
        for r in table.itertuples():
            print(f"  {r.kpi}: {r.source}")
    if args.figure:
        print(f"\nFigure written to {args.figure}")
    return 0 if table["within_band"].all() else 1


def register_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "calibrate",
        help="compare a baseline with its public figures, or fit unknown parameters to target KPIs",
    )
    p.add_argument("config", nargs="?", default="worcestershire")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--replications", "-r", type=int, default=None)
    p.add_argument("--jobs", "-j", type=int, default=1)
    p.add_argument("--figure", default=None, help="write the model-vs-observed figure here")
    p.add_argument(
        "--fit",
        action="append",
        default=[],
        metavar="KEY=LO:HI",
        help="parameter to fit within bounds (repeatable)",
    )
    p.add_argument(
        "--target",
        action="append",
        default=[],
        metavar="KPI=VALUE",
        help="KPI mean to match when fitting (repeatable)",
    )
    p.add_argument("--max-evals", type=int, default=40)
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=cmd_calibrate)
