"""The ``flowsim`` command line: every subcommand in one module, a thin shell over the API.

Exit codes: 0 success, 1 a check did not pass (calibration outside its band, a
failed sweep point, a queueing check), 2 bad input (every problem listed, no
traceback), 130 interrupted (partial results are reported where they are).

The parser imports nothing heavy: each command imports what it needs when it
runs, so ``flowsim --help`` and shell completion answer at once. Messages go to
standard error through :mod:`logging` (``--quiet``: warnings and errors only;
``--verbose``: debug detail); results go to standard output.
"""

from __future__ import annotations

import argparse
import logging
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from flowsim.errors import ConfigError, Problem

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130

log = logging.getLogger("flowsim")

DEFAULT_SCENARIO = "worcestershire"
EXECUTORS = ("serial", "processes", "dask")
FIGURE_SUFFIXES = (".png", ".pdf", ".svg")


def version() -> str:
    """The flowsim version (the package's ``__version__``, which packaging reads too)."""
    from flowsim import __version__

    return __version__


# --------------------------------------------------------------------- logging


class _StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is at the time (so captured output works)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            print(self.format(record), file=sys.stderr)
        except Exception:  # pragma: no cover - a closed stderr must not raise here
            self.handleError(record)


def _setup_logging(verbosity: int) -> None:
    level = {-1: logging.WARNING, 0: logging.INFO}.get(verbosity, logging.DEBUG)
    if not any(isinstance(h, _StderrHandler) for h in log.handlers):
        handler = _StderrHandler()
        handler.setFormatter(_LevelFormatter())
        log.addHandler(handler)
        log.propagate = False
    log.setLevel(level)


class _LevelFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        msg = record.getMessage()
        if record.levelno >= logging.WARNING:
            return f"{record.levelname.lower()}: {msg}"
        return msg


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    log.warning("%s", message)


# ------------------------------------------------------------ shared options


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Help with each option's default (unless the text states it) and line breaks kept."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        shown = action.default not in (None, False, [], argparse.SUPPRESS)
        if shown and "default" not in text and (action.option_strings or action.nargs == "?"):
            text += " (default: %(default)s)"
        return text


def _common() -> argparse.ArgumentParser:
    """-q/-v, accepted before or after the subcommand."""
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_mutually_exclusive_group()
    g.add_argument(
        "-q",
        "--quiet",
        dest="verbosity",
        action="store_const",
        const=-1,
        default=argparse.SUPPRESS,
        help="only warnings and errors; no progress bar or tables (e.g. flowsim -q run)",
    )
    g.add_argument(
        "-v",
        "--verbose",
        dest="verbosity",
        action="store_const",
        const=1,
        default=argparse.SUPPRESS,
        help="debug detail on standard error (e.g. flowsim -v validate)",
    )
    return p


def _add_scenario_args(p: argparse.ArgumentParser, positional: bool = True) -> None:
    if positional:
        p.add_argument(
            "config",
            nargs="?",
            default=DEFAULT_SCENARIO,
            help="scenario file or packaged name, e.g. west_norfolk or my/scenario.yaml",
        )
    _add_set(p)
    p.add_argument(
        "--intervention",
        dest="interventions",
        action="append",
        default=[],
        metavar="NAME[:k=v,...]",
        help="apply an intervention (repeatable; see `flowsim interventions`), "
        "e.g. --intervention extra_acute_beds:beds=20",
    )


def _add_set(p: argparse.ArgumentParser, what: str = "") -> None:
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help=f"override a config value by dotted key{what} (repeatable; a section given as "
        "a mapping is merged, not replaced), e.g. --set acute.beds=900",
    )


def _add_sim_args(p: argparse.ArgumentParser, seed: bool = True) -> None:
    p.add_argument(
        "--replications",
        "-r",
        type=int,
        default=None,
        help="replications per scenario (1-100,000; default: the file's), e.g. -r 10",
    )
    if seed:
        p.add_argument(
            "--seed",
            type=int,
            default=None,
            help="base random seed (0 to 2**63-1; default: the file's), e.g. --seed 7",
        )
    p.add_argument(
        "--days",
        type=float,
        default=None,
        help="reporting period, days (default: the file's), e.g. --days 90",
    )
    p.add_argument(
        "--warmup-days",
        type=float,
        default=None,
        help="warm-up before reporting, days (default: the file's), e.g. --warmup-days 14",
    )


def _add_exec_args(p: argparse.ArgumentParser, fresh: bool = False) -> None:
    p.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=1,
        help="parallel local worker processes (1-1,024), e.g. -j 4",
    )
    p.add_argument(
        "--executor",
        choices=EXECUTORS,
        default=None,
        help="where replications run (default: serial, or processes when --jobs > 1), "
        "e.g. --executor dask",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        help="Dask scheduler address (default: a local cluster), "
        "e.g. --scheduler tcp://10.0.0.5:8786",
    )
    p.add_argument(
        "--out",
        default="outputs",
        help="folder for outputs (created if missing), e.g. --out results",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar, e.g. in batch jobs")
    if fresh:
        p.add_argument(
            "--fresh",
            action="store_true",
            help="discard finished points and start over (default: resume), e.g. --fresh",
        )


def _check_limits(args: argparse.Namespace) -> None:
    """The config's limits applied to the command-line arguments (every breach at once)."""
    from flowsim.limits import check_run_args

    check_run_args(
        replications=getattr(args, "replications", None),
        seed=getattr(args, "seed", None),
        jobs=getattr(args, "jobs", None),
        days=getattr(args, "days", None),
        warmup_days=getattr(args, "warmup_days", None),
        max_evals=getattr(args, "max_evals", None),
        prefix="--",
    )


def _run_overrides(args: argparse.Namespace) -> list[str]:
    sets = list(args.overrides)
    if args.days is not None:
        sets.append(f"run.days={args.days!r}")
    if args.warmup_days is not None:
        sets.append(f"run.warmup_days={args.warmup_days!r}")
    return sets


def _progress(args: argparse.Namespace) -> bool:
    return not args.no_progress and getattr(args, "verbosity", 0) >= 0


def _quiet(args: argparse.Namespace) -> bool:
    return getattr(args, "verbosity", 0) < 0


# ------------------------------------------------------------------ commands


def cmd_run(args: argparse.Namespace) -> int:
    """``flowsim run``: replications of one scenario; outputs in a new folder."""
    import pandas as pd

    from flowsim.experiment import run
    from flowsim.loading import load_scenario
    from flowsim.outputs import new_run_dir, write_csv, write_json
    from flowsim.report import print_summary, write_run

    scn = load_scenario(args.config, _run_overrides(args), args.interventions)
    reps = scn.run.replications if args.replications is None else args.replications
    log.info(
        "Scenario %s: %d replications of %g days (+%g warm-up)",
        scn.name,
        reps,
        scn.run.days,
        scn.run.warmup_days,
    )
    folder = new_run_dir(args.out, scn.name)
    args._partial_dir = folder
    # Marks the folder as in progress: a reader never mistakes partial results for a run.
    write_json({"complete": False, "replications_planned": reps}, folder / "manifest.json")
    partial = folder / "replications"
    partial.mkdir()
    finished: list[int] = []

    def keep(_: int, r) -> None:
        rows = [{"rep": r.replication, "kpi": k, "value": v} for k, v in r.kpis.items()]
        write_csv(pd.DataFrame(rows), partial / f"rep-{r.replication:04d}-kpis.csv")
        finished.append(r.replication)

    try:
        res = run(
            scn,
            replications=reps,
            seed=args.seed,
            jobs=args.jobs,
            executor=args.executor,
            scheduler=args.scheduler,
            progress=_progress(args),
            on_result=keep,
        )
    except KeyboardInterrupt:
        write_json(
            {
                "complete": False,
                "interrupted": True,
                "replications_planned": reps,
                "replications_finished": sorted(finished),
            },
            folder / "manifest.json",
        )
        raise
    write_run(res, folder=folder)  # results on disk before anything is printed
    if not _quiet(args):
        print_summary(res)
        rec = res.recommended_warmup_days()
        used = scn.run.warmup_days
        verdict = "enough" if used >= rec else "consider a longer warm-up (--warmup-days)"
        print(
            f"Warm-up: {used:g} days used; MSER-5 on the daily census recommends {rec} days "
            f"({verdict})."
        )
    print(f"\nResults written to {folder}")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    """``flowsim validate``: check a scenario, or run the queueing-theory validation."""
    if args.queueing:
        from flowsim.validation import format_checks, queueing_checks

        df = queueing_checks(replications=args.replications, jobs=args.jobs)
        print(format_checks(df))
        return EXIT_OK if df["passed"].all() else EXIT_CHECK_FAILED
    kind = _file_kind(args.config)
    if kind != "scenario":
        print(_validate_study(args.config, kind, _run_overrides(args)))
        return EXIT_OK
    from flowsim.loading import load_scenario

    scn = load_scenario(args.config, _run_overrides(args), args.interventions)
    print(f"{args.config}: valid (scenario '{scn.name}', config hash {scn.config_hash()[:12]})")
    return EXIT_OK


def _file_kind(config: str | None) -> str:
    """What a file given to ``validate`` holds, by its top-level keys: an experiment
    (``scenarios``, as the app reads uploads), a sensitivity study (a key only a study
    has: ``method`` or a Morris/Sobol setting), a sweep (``parameters``), or a scenario
    (anything else, and packaged names)."""
    if not config or not Path(config).is_file():
        return "scenario"
    from flowsim.comparison import is_experiment
    from flowsim.sensitivity import SensitivitySpec
    from flowsim.sweep import SweepSpec
    from flowsim.yamlsafe import YamlSurpriseError, load_file

    try:
        raw = load_file(config)
    except YamlSurpriseError as exc:
        raw = exc.data  # its surprises are reported when the file is read for its kind
    except ConfigError:
        return "scenario"  # the scenario loader reports the file's problems
    if not isinstance(raw, dict):
        return "scenario"
    if is_experiment(raw):
        return "experiment"
    if raw.keys() & (SensitivitySpec.model_fields.keys() - SweepSpec.model_fields.keys()):
        return "sensitivity"
    if "parameters" in raw:
        return "sweep"
    return "scenario"


def _validate_study(config: str, kind: str, overrides: list[str]) -> str:
    """Validate an experiment, sweep or sensitivity file: every scenario an experiment
    or sweep builds, and for a study each parameter at its low and high bound, each
    with ``overrides`` (``--set``, ``--days``) applied. Raises ConfigError naming each
    problem once; returns the line ``validate`` prints."""
    path = Path(config)
    problems: list[Problem] = []

    def attempt(scn, changes) -> None:
        # a problem met again (the same override in every scenario, a key wrong at
        # both bounds) is reported once
        try:
            scn.with_overrides(changes)
        except ConfigError as exc:
            seen = {(q.key, q.rule) for q in problems}
            problems.extend(p for p in exc.problems if (p.key, p.rule) not in seen)

    if kind == "experiment":
        from flowsim.comparison import build_scenarios, load_experiment

        exp, where = load_experiment(path)
        scenarios = build_scenarios(exp, where.parent)
        said = f"experiment '{exp.name}', {len(scenarios)} scenarios, baseline '{exp.baseline}'"
    elif kind == "sweep":
        from flowsim.sweep import base_scenario, design_points, load_sweep, point_scenarios

        spec = load_sweep(path)
        scenarios = point_scenarios(base_scenario(spec, path.parent), design_points(spec))
        said = f"sweep '{spec.name}', {len(scenarios)} design points"
    else:
        from flowsim.sensitivity import as_sweep, load_sensitivity
        from flowsim.sweep import base_scenario

        study = load_sensitivity(path)
        scenarios = [base_scenario(as_sweep(study), path.parent)]
        for key, b in study.parameters.items():
            for value in (b.low, b.high):
                attempt(scenarios[0], {key: round(value) if b.integer else value})
        said = (
            f"sensitivity study '{study.name}', {study.method}, "
            f"{len(study.parameters)} parameters, each at its bounds"
        )
    if overrides:
        for scn in scenarios:
            attempt(scn, overrides)
    if problems:
        raise ConfigError(problems, config)
    return f"{config}: valid ({said})"


def cmd_compare(args: argparse.Namespace) -> int:
    """``flowsim compare``: every scenario of an experiment, paired, with a report."""
    from flowsim.comparison import compare
    from flowsim.report import print_comparison, write_comparison

    res = compare(
        args.experiment,
        replications=args.replications,
        jobs=args.jobs,
        executor=args.executor,
        scheduler=args.scheduler,
        progress=_progress(args),
        overrides=_run_overrides(args),
    )
    folder = write_comparison(res, args.out)  # results on disk before anything is printed
    if not _quiet(args):
        print_comparison(res)
    print(f"\nReport, tables and figures written to {folder}")
    return EXIT_OK


def _spec_changes(
    args: argparse.Namespace, spec: Any, source: Path, update: dict[str, Any] | None = None
) -> Any:
    """A sweep or sensitivity spec with the command line's --replications/--seed/--days/--set.

    Returns ``None`` when the command line changes nothing (the file is used as it is).
    """
    from flowsim.overrides import parse_override

    update = dict(update or {})
    for name in ("replications", "seed", "days", "warmup_days"):
        value = getattr(args, name, None)
        if value is not None:
            update[name] = value
    if args.overrides:
        problems, sets = [], dict(spec.overrides)
        for item in args.overrides:
            try:
                k, v = parse_override(item)
                sets[k] = v
            except ConfigError as exc:
                problems += exc.problems
        if problems:
            raise ConfigError(problems)
        update["overrides"] = sets
    if not update:
        return None
    # A base named relative to the spec file stays found once the spec is passed as data.
    local = source.parent / spec.base
    if local.is_file():
        update["base"] = str(local.resolve())
    return spec.model_copy(update=update)


def _check_spec_limits(spec: Any, path: Path) -> None:
    """A sweep or sensitivity file obeys the config's limits too (replications, seed, days)."""
    from flowsim.limits import check_run_args

    try:
        check_run_args(
            replications=spec.replications,
            seed=spec.seed,
            days=spec.days,
            warmup_days=spec.warmup_days,
        )
    except ConfigError as exc:
        raise ConfigError(exc.problems, str(path)) from None


def _max_runs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def _add_max_runs(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--max-runs",
        type=_max_runs,
        default=None,
        metavar="N",
        help="allow up to N simulations (default flowsim.sweep.DEFAULT_MAX_RUNS); a larger "
        "design is refused before it starts, e.g. --max-runs 5000",
    )


def cmd_sweep(args: argparse.Namespace) -> int:
    """``flowsim sweep``: run or resume a parameter sweep."""
    import pandas as pd

    from flowsim.sweep import design_points, load_sweep, sweep

    path = Path(args.sweep)
    original = load_sweep(path)
    changed = _spec_changes(args, original, path)
    spec = changed or original
    _check_spec_limits(spec, path)
    n = len(design_points(spec))
    log.info(
        "Sweep %s: %d points x %d replications = %d simulations of %s days",
        spec.name,
        n,
        spec.replications,
        n * spec.replications,
        "the file's" if spec.days is None else f"{spec.days:g}",
    )
    args._resume_hint = f"re-run the same command to resume sweep '{spec.name}'"
    res = sweep(
        changed or path,
        **_batch_options(args),
    )
    # every table is on disk before anything is printed: a closed stdout loses nothing
    print(
        f"Sweep: {n} points x {spec.replications} replications; {len(res.skipped)} already "
        f"done, {len(res.recomputed)} recomputed, {len(res.failed)} failed."
    )
    for p, why in sorted(res.recomputed.items()):
        print(f"  point {p} recomputed: its file {why}")
    for p, err in sorted(res.failed.items()):
        print(f"  point {p} failed: {err.strip().splitlines()[-1]}")
    if not _quiet(args):
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
    return EXIT_CHECK_FAILED if res.failed else EXIT_OK


def _batch_options(args: argparse.Namespace) -> dict:
    """The options a sweep and a sensitivity run share: output folder, workers, executor,
    progress, ``--fresh`` and ``--max-runs``."""
    return {
        "out": args.out,
        "jobs": args.jobs,
        "executor": args.executor,
        "scheduler": args.scheduler,
        "progress": _progress(args),
        "fresh": args.fresh,
        "max_runs": args.max_runs,
    }


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """``flowsim sensitivity``: Morris screening or Sobol indices."""
    import pandas as pd

    from flowsim.sensitivity import (
        PointsFailedError,
        load_sensitivity,
        sample,
        sensitivity,
        write_plots,
    )

    path = Path(args.spec)
    original = load_sensitivity(path)
    changed = _spec_changes(args, original, path, {"method": args.method} if args.method else {})
    spec = changed or original
    _check_spec_limits(spec, path)
    n = len(sample(spec))
    log.info(
        "Sensitivity %s (%s): %d design points x %d replications = %d simulations",
        spec.name,
        spec.method,
        n,
        spec.replications,
        n * spec.replications,
    )
    args._resume_hint = f"re-run the same command to resume sensitivity '{spec.name}'"
    try:
        res = sensitivity(
            changed or path,
            **_batch_options(args),
        )
    except PointsFailedError as exc:  # finished points are kept; a re-run retries the rest
        print(f"error: {exc}; {args._resume_hint}", file=sys.stderr)
        return EXIT_CHECK_FAILED
    files = write_plots(res)  # every file is written before anything is printed
    if not _quiet(args):
        with pd.option_context("display.width", 200):
            print(res.indices.round(4).to_string(index=False))
    print(f"\nIndices and plots ({', '.join(files)}) written to {res.folder}")
    return EXIT_OK


def _parse_fit_args(fit_args: list[str], target_args: list[str]):
    """Parse ``--fit KEY=LO:HI`` and ``--target KPI=VALUE``; every problem at once."""
    import math

    problems, bounds, targets = [], {}, {}
    for it in fit_args:
        k, eq, v = it.partition("=")
        parts = v.split(":")
        try:
            if not eq or len(parts) != 2:
                raise ValueError
            lo, hi = float(parts[0]), float(parts[1])
            if not (math.isfinite(lo) and math.isfinite(hi)):
                raise ValueError
            bounds[k.strip()] = (lo, hi)
        except ValueError:
            problems.append(
                Problem("--fit", it, "must look like KEY=LO:HI with finite numbers LO < HI")
            )
    for it in target_args:
        k, eq, v = it.partition("=")
        try:
            if not eq or not math.isfinite(float(v)):
                raise ValueError
            targets[k.strip()] = float(v)
        except ValueError:
            problems.append(Problem("--target", it, "must look like KPI=VALUE with a number"))
    if fit_args and not target_args:
        problems.append(Problem("--target", None, "at least one KPI=VALUE is needed with --fit"))
    return bounds, targets, problems


def _check_figure_path(path: str | None) -> None:
    """A figure path is checked before any simulation, not after."""
    if path is None:
        return
    p = Path(path)
    problems = []
    if p.suffix.lower() not in FIGURE_SUFFIXES:
        problems.append(
            Problem("--figure", path, f"must end in one of {', '.join(FIGURE_SUFFIXES)}")
        )
    if not p.parent.is_dir():
        problems.append(Problem("--figure", path, f"folder {p.parent} does not exist"))
    if problems:
        raise ConfigError(problems)


def cmd_calibrate(args: argparse.Namespace) -> int:
    """``flowsim calibrate``: the baseline against its public figures, or a fit."""
    from flowsim.calibration import (
        TARGETS,
        calibration_runs,
        fit,
        format_calibration,
        plot_calibration,
    )
    from flowsim.loading import load_scenario

    _check_figure_path(args.figure)
    if args.fit or args.target:
        bounds, targets, problems = _parse_fit_args(args.fit, args.target)
        if not args.fit:
            problems.append(Problem("--fit", None, "at least one KEY=LO:HI is needed"))
        if problems:
            raise ConfigError(problems)
    scn = load_scenario(args.config, _run_overrides(args), args.interventions)
    if args.fit:
        try:
            best, trace = fit(
                scn,
                bounds,
                targets,
                replications=args.replications or 3,
                seed=args.seed,
                jobs=args.jobs,
                max_evals=args.max_evals,
            )
        except ValueError as e:
            raise ConfigError([Problem("--fit", args.fit, str(e))]) from None
        print(trace.to_string(index=False))
        print("\nBest: " + " ".join(f"--set {k}={v:.6g}" for k, v in best.items()))
        return EXIT_OK
    if scn.name not in TARGETS:
        raise ConfigError(
            [
                Problem(
                    "config",
                    args.config,
                    f"no calibration targets for scenario '{scn.name}'; targets exist for: "
                    f"{', '.join(TARGETS)} (or fit with --fit/--target)",
                )
            ]
        )
    # one run per policy era of the targets (e.g. before the 45-minute maximum handover)
    table = calibration_runs(
        scn,
        replications=args.replications,
        seed=args.seed,
        jobs=args.jobs,
        progress=_progress(args),
    )
    if args.figure:  # the figure is on disk before anything is printed
        from flowsim.figures import save_figure

        ax = plot_calibration(table)
        ax.set_title(f"{scn.name}: model vs observed")
        save_figure(ax, args.figure)
    print(format_calibration(table))
    if args.figure:
        print(f"\nFigure written to {args.figure}")
    checked = table[table["gap"] == ""]
    return EXIT_OK if checked["within_band"].all() else EXIT_CHECK_FAILED


def cmd_interventions(args: argparse.Namespace) -> int:
    """``flowsim interventions``: the intervention library."""
    from flowsim.interventions import format_library

    print(format_library())
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    """``flowsim schema``: the scenario configuration reference."""
    from flowsim.reference import schema_json, schema_markdown

    print(schema_json() if args.format == "json" else schema_markdown())
    return EXIT_OK


def cmd_kpis(args: argparse.Namespace) -> int:
    """``flowsim kpis``: the KPI table."""
    from flowsim.kpis import kpi_table

    t = kpi_table()
    if args.format == "csv":
        print(t.to_csv(index=False), end="")
    else:
        import pandas as pd

        with pd.option_context("display.width", 250, "display.max_colwidth", 70):
            print(t.to_string(index=False))
    return EXIT_OK


def cmd_completion(args: argparse.Namespace) -> int:
    """``flowsim completion``: a shell completion script on standard output."""
    print(completion_script(build_parser(), args.shell))
    return EXIT_OK


# ------------------------------------------------------------------- parser

#: (name, one-line help, example) for each subcommand; the parser is built from these.
COMMANDS: dict[str, tuple[str, str]] = {
    "run": (
        "run replications of one scenario and write its outputs",
        "flowsim run west_norfolk -r 10 --days 180 --set acute.beds=520 -j 2",
    ),
    "compare": (
        "compare the scenarios of an experiment file (paired, common random numbers)",
        "flowsim compare experiments/worcestershire_summit.yaml -r 10 --days 120",
    ),
    "sweep": (
        "run or resume a parameter sweep (grid or Latin hypercube)",
        "flowsim sweep sweeps/beds.yaml -r 3 --days 90 -j 2",
    ),
    "sensitivity": (
        "Morris screening or Sobol indices (SALib) over a sensitivity file",
        "flowsim sensitivity sensitivity/morris.yaml --method morris -r 2 --days 60",
    ),
    "validate": (
        "check a scenario file (exit 2 listing every error), or with --queueing run the "
        "queueing-theory validation",
        "flowsim validate my_scenario.yaml --set acute.beds=900",
    ),
    "calibrate": (
        "compare a baseline with its public figures, or fit parameters to target KPIs",
        "flowsim calibrate worcestershire --fit acute.emergency_los_days.mean=3:4.5 "
        "--target acute_occupancy_pct=94 -r 2 --days 120",
    ),
    "interventions": ("list the intervention library", "flowsim interventions"),
    "schema": (
        "print the scenario configuration reference (every key, unit, default)",
        "flowsim schema --format markdown",
    ),
    "kpis": ("print the KPI table (label, unit, definition, target row)", "flowsim kpis"),
    "app": (
        "start the summit app in the browser (Streamlit, on this machine by default)",
        "flowsim app --port 8502 --jobs 2",
    ),
    "completion": (
        "print a shell completion script",
        'eval "$(flowsim completion bash)"   # or add it to ~/.bashrc',
    ),
}


def _sub(
    sub: argparse._SubParsersAction, name: str, func: Callable[[argparse.Namespace], int]
) -> argparse.ArgumentParser:
    text, example = COMMANDS[name]
    p = sub.add_parser(
        name,
        help=text,
        description=text[0].upper() + text[1:] + ".",
        epilog=f"example:\n  {example}",
        formatter_class=_Formatter,
        parents=[_common()],
    )
    p.set_defaults(func=func)
    return p


def cmd_app(args: argparse.Namespace) -> int:
    """``flowsim app``: serve the summit app (see :func:`flowsim.app.launch`)."""
    from flowsim.app import launch

    return launch(
        host=args.host,
        port=args.port,
        cache_dir=args.cache_dir,
        jobs=args.jobs,
        executor=args.executor,
        scheduler=args.scheduler,
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``flowsim`` argument parser (explicit: no command is discovered at import)."""
    parser = argparse.ArgumentParser(
        prog="flowsim",
        description="Simulate patient flow across a county health and care system.",
        epilog="examples:\n  flowsim run\n  flowsim run west_norfolk -r 10 --days 180\n"
        "  flowsim COMMAND --help",
        formatter_class=_Formatter,
        parents=[_common()],
    )
    parser.add_argument("--version", action="version", version=f"flowsim {version()}")
    parser.set_defaults(verbosity=0)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = _sub(sub, "run", cmd_run)
    _add_scenario_args(p)
    _add_sim_args(p)
    _add_exec_args(p)

    p = _sub(sub, "compare", cmd_compare)
    p.add_argument(
        "experiment", help="experiment YAML file, e.g. experiments/worcestershire_summit.yaml"
    )
    _add_set(p, " in every scenario")
    _add_sim_args(p, seed=False)
    _add_exec_args(p)

    p = _sub(sub, "sweep", cmd_sweep)
    p.add_argument("sweep", help="sweep YAML file, e.g. sweeps/beds.yaml")
    _add_set(p, " in the base scenario")
    _add_sim_args(p)
    _add_exec_args(p, fresh=True)
    _add_max_runs(p)

    p = _sub(sub, "sensitivity", cmd_sensitivity)
    p.add_argument("spec", help="sensitivity YAML file, e.g. sensitivity/morris.yaml")
    p.add_argument(
        "--method",
        choices=("morris", "sobol"),
        default=None,
        help="override the file's method (default: the file's), e.g. --method sobol",
    )
    _add_set(p, " in the base scenario")
    _add_sim_args(p)
    _add_exec_args(p, fresh=True)
    _add_max_runs(p)

    p = _sub(sub, "validate", cmd_validate)
    _add_scenario_args(p)
    p.add_argument(
        "--queueing",
        action="store_true",
        help="run the model reductions against Erlang B/C and Little's law, "
        "e.g. flowsim validate --queueing -r 20",
    )
    p.add_argument(
        "--replications",
        "-r",
        type=int,
        default=None,
        help="replications per reduction with --queueing, e.g. -r 20",
    )
    p.add_argument(
        "--days", type=float, default=None, help="reporting period, days, e.g. --days 90"
    )
    p.add_argument(
        "--warmup-days", type=float, default=None, help="warm-up, days, e.g. --warmup-days 7"
    )
    p.add_argument(
        "--jobs", "-j", type=int, default=1, help="worker processes with --queueing, e.g. -j 2"
    )

    p = _sub(sub, "calibrate", cmd_calibrate)
    _add_scenario_args(p)
    _add_sim_args(p)
    p.add_argument("--jobs", "-j", type=int, default=1, help="parallel worker processes, e.g. -j 2")
    p.add_argument(
        "--figure",
        default=None,
        help="write the model-vs-observed figure here (.png, .pdf, .svg), "
        "e.g. --figure calibration.png",
    )
    p.add_argument(
        "--fit",
        action="append",
        default=[],
        metavar="KEY=LO:HI",
        help="parameter to fit within bounds (repeatable), "
        "e.g. --fit acute.emergency_los_days.mean=3:4.5",
    )
    p.add_argument(
        "--target",
        action="append",
        default=[],
        metavar="KPI=VALUE",
        help="KPI mean to match when fitting (repeatable), e.g. --target acute_occupancy_pct=94",
    )
    p.add_argument(
        "--max-evals",
        type=int,
        default=40,
        help="most model evaluations when fitting (1-100,000), e.g. --max-evals 60",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar, e.g. in batch jobs")

    _sub(sub, "interventions", cmd_interventions)

    p = _sub(sub, "schema", cmd_schema)
    p.add_argument(
        "--format",
        choices=("json", "markdown"),
        default="json",
        help="JSON Schema, or a Markdown table of dotted keys, e.g. --format markdown",
    )

    p = _sub(sub, "kpis", cmd_kpis)
    p.add_argument(
        "--format",
        choices=("table", "csv"),
        default="table",
        help="a text table or CSV, e.g. --format csv",
    )

    p = _sub(sub, "completion", cmd_completion)
    p.add_argument("shell", choices=("bash", "zsh"), help="the shell, e.g. bash")

    p = _sub(sub, "app", cmd_app)
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on; 127.0.0.1 is this machine only, 0.0.0.0 exposes the app "
        "to the network with no login, e.g. --host 0.0.0.0",
    )
    p.add_argument("--port", type=int, default=8501, help="port, e.g. --port 8502")
    p.add_argument(
        "--cache-dir",
        default="outputs/app-cache",
        help="folder for cached results and uploads, e.g. --cache-dir outputs/summit-cache",
    )
    p.add_argument("--jobs", "-j", type=int, default=2, help="worker processes per run, e.g. -j 2")
    p.add_argument(
        "--executor",
        choices=("serial", "processes", "dask"),
        default=None,
        help="how runs execute, e.g. --executor dask",
    )
    p.add_argument("--scheduler", default=None, help="Dask scheduler address, e.g. tcp://host:8786")
    return parser


# --------------------------------------------------------------- completion


def _options(
    parser: argparse.ArgumentParser,
) -> tuple[list[str], dict[str, list[str]], dict[str, list[str]]]:
    """Top-level words; each subcommand's words; ``"cmd:--option"`` -> its choices."""
    sub_action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    top = [s for a in parser._actions for s in a.option_strings] + list(sub_action.choices)
    per: dict[str, list[str]] = {}
    choices: dict[str, list[str]] = {}
    for name, sp in sub_action.choices.items():
        words = []
        for a in sp._actions:
            words += a.option_strings
            if a.choices and not a.option_strings:
                words += list(a.choices)
            elif a.choices:
                for o in a.option_strings:
                    choices[f"{name}:{o}"] = list(a.choices)
        per[name] = words
    return top, per, choices


def completion_script(parser: argparse.ArgumentParser, shell: str) -> str:
    """A static completion script generated from the parser (no import at TAB time).

    Static rather than argcomplete: completion needs no extra dependency and costs
    nothing when TAB is pressed (argcomplete re-runs the Python entry point).
    """
    top, per, choices = _options(parser)
    cases = "\n".join(f'        {name}) opts="{" ".join(words)}" ;;' for name, words in per.items())
    values = "\n".join(f'        {key}) opts="{" ".join(c)}" ;;' for key, c in choices.items())
    bash = f"""# flowsim {shell} completion (generated by `flowsim completion {shell}`)
_flowsim_complete() {{
    local cur prev cmd opts i
    cur="${{COMP_WORDS[COMP_CWORD]}}"
    prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    cmd=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${{COMP_WORDS[i]}}" in
            -*) ;;
            *) cmd="${{COMP_WORDS[i]}}"; break ;;
        esac
    done
    opts=""
    case "$cmd:$prev" in
{values}
    esac
    if [[ -z "$opts" ]]; then
        case "$cmd" in
{cases}
            *) opts="{" ".join(top)}" ;;
        esac
    fi
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    if [[ ${{#COMPREPLY[@]}} -eq 0 ]]; then
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}}
complete -o filenames -F _flowsim_complete flowsim
"""
    if shell == "zsh":
        return "autoload -U +X bashcompinit && bashcompinit\n" + bash
    return bash


# ---------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (see the module docstring)."""
    parser = build_parser()
    args = parser.parse_args(argv)  # --help and --version exit here, before heavy imports
    from flowsim import executors, outputs, preflight

    _setup_logging(args.verbosity)
    previous = warnings.showwarning
    warnings.showwarning = _show_warning
    try:
        with warnings.catch_warnings(), executors.signals_as_interrupts():
            warnings.simplefilter("default")
            warnings.showwarning = _show_warning
            _check_limits(args)
            preflight.check_args(args)
            return int(args.func(args) or 0)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        executors.quiet_broken_pipe()  # the reader closed stdout; results are on disk
        return EXIT_OK
    except OSError as exc:
        if not outputs.is_disk_error(exc):
            raise
        print(f"error: {outputs.disk_error(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt as exc:
        msg = "interrupted"
        where = getattr(args, "_partial_dir", None)
        if where:
            msg += (
                f"; partial results (finished replications) are in {Path(where)}; "
                "its manifest.json says complete: false"
            )
        hint = getattr(args, "_resume_hint", None)
        if hint:
            msg += f"; finished points are kept: {hint}"
        print(msg, file=sys.stderr)
        return executors.interrupted_exit_code(exc)
    finally:
        warnings.showwarning = previous


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
