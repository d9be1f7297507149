"""Checks made before any simulation, so a bad input fails in a second, not after the run.

The command line calls :func:`check_args` on its parsed arguments before it runs a
command. Every problem found is collected into one
:class:`~flowsim.errors.ConfigError` (exit status 2, one message, no traceback):
an output folder that is a file, a device, unwritable or on a full disk; a figure
path whose folder does not exist or whose format matplotlib cannot write; run
options that contradict each other or a Dask scheduler that does not answer;
``--max-evals`` below 1; an experiment with no scenario to compare with its
baseline or with a threshold that is not a finite number.
"""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path
from typing import Any

from flowsim.errors import ConfigError, Problem

#: Figure formats matplotlib's Agg backend writes (checked without importing it).
FIGURE_FORMATS = (
    "eps",
    "jpeg",
    "jpg",
    "pdf",
    "pgf",
    "png",
    "ps",
    "raw",
    "rgba",
    "svg",
    "svgz",
    "tif",
    "tiff",
    "webp",
)


def figure_path_problems(path: str | Path, key: str = "figure") -> list[Problem]:
    """Problems with a figure path: its folder must exist and its suffix be a format."""
    raw = str(path)
    if not raw or "\0" in raw:
        return [Problem(key, raw, "must be a file path such as figures/calibration.png")]
    p = Path(raw)
    out = []
    suffix = p.suffix.lower().lstrip(".")
    if suffix not in FIGURE_FORMATS:
        out.append(
            Problem(key, raw, f"the file name must end in one of .{', .'.join(FIGURE_FORMATS)}")
        )
    parent = p.parent if str(p.parent) else Path(".")
    if p.is_dir():
        out.append(Problem(key, raw, "is a folder; give a file name"))
    elif not parent.is_dir():
        out.append(Problem(key, raw, f"its folder {parent} does not exist; create it first"))
    elif not os.access(parent, os.W_OK | os.X_OK):
        out.append(Problem(key, raw, f"its folder {parent} is not writable"))
    return out


#: Sub-command argument that names the input file of each command.
INPUT_ARGS = ("config", "sweep", "spec", "experiment")
#: Largest input file read (a scenario, sweep or experiment file is a few kB).
MAX_INPUT_BYTES = 5 * 1024 * 1024


def input_file_problems(path: str | Path, key: str) -> list[Problem]:
    """Problems with an input file that exists: too large, or not UTF-8 text.

    A name that is not an existing file (a packaged scenario name, a typo) is left
    to the loader, which lists the known names.
    """
    p = Path(str(path).replace("\0", ""))
    if "\0" in str(path) or not p.is_file():
        return []
    try:
        size = p.stat().st_size
        if size > MAX_INPUT_BYTES:
            return [
                Problem(
                    key,
                    str(path),
                    f"is {size / 2**20:.1f} MB; an input file is at most "
                    f"{MAX_INPUT_BYTES / 2**20:.0f} MB of YAML",
                )
            ]
        data = p.read_bytes()
    except OSError as exc:
        return [Problem(key, str(path), f"cannot be read: {exc.strerror or exc}")]
    if b"\0" in data:
        return [Problem(key, str(path), "is a binary file, not YAML text")]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [
            Problem(key, str(path), f"is not UTF-8 text (byte {exc.start}); save it as UTF-8 YAML")
        ]
    return []


def experiment_problems(exp: Any) -> list[Problem]:
    """Structure an experiment needs before it is worth simulating.

    ``exp`` is an :class:`flowsim.comparison.Experiment` (or anything with
    ``scenarios``, ``baseline`` and ``thresholds``). At least one scenario besides
    the baseline is needed, and every threshold must be a finite number.
    """
    out = []
    names = [s.name for s in getattr(exp, "scenarios", ())]
    if len([n for n in names if n != exp.baseline]) < 1:
        out.append(
            Problem(
                "scenarios",
                names,
                f"an experiment compares scenarios with its baseline '{exp.baseline}'; "
                "add at least one other scenario",
            )
        )
    thresholds = getattr(exp, "thresholds", None)
    for k, v in (thresholds.model_dump() if thresholds is not None else {}).items():
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
            out.append(Problem(f"thresholds.{k}", v, "must be a finite number"))
    return out


def calibrate_problems(args: argparse.Namespace) -> list[Problem]:
    """``calibrate`` without ``--fit`` needs observed figures for the scenario's name."""
    if getattr(args, "command", None) != "calibrate" or getattr(args, "fit", None):
        return []
    from flowsim.calibration import TARGETS
    from flowsim.config import load_scenario

    scn = load_scenario(args.config, getattr(args, "overrides", []))
    if scn.name in TARGETS:
        return []
    return [
        Problem(
            "name",
            scn.name,
            "calibrate compares a county with its public figures; there are figures for "
            f"{', '.join(sorted(TARGETS))} only (use --fit with --target for another)",
        )
    ]


def run_option_problems(args: argparse.Namespace) -> list[Problem]:
    """Problems with ``--jobs``/``--executor``/``--scheduler``, probing the scheduler."""
    from flowsim.executors import RunOptions, check_scheduler

    kw = {k: getattr(args, k) for k in ("jobs", "executor", "scheduler") if hasattr(args, k)}
    if not kw:
        return []
    try:
        opts = RunOptions(**{k: v for k, v in kw.items() if v is not None})
    except ConfigError as exc:
        return [Problem(f"--{p.key}", p.value, p.rule) for p in exc.problems]
    if opts.scheduler is not None:
        try:
            check_scheduler(opts.scheduler, opts.scheduler_timeout_s)
        except ConfigError as exc:
            return [Problem(f"--{p.key}", p.value, p.rule) for p in exc.problems]
    return []


def check_args(args: argparse.Namespace) -> None:
    """Check a command's arguments before any work; raise one ConfigError listing all.

    Looks only at the arguments a command has (``out``, ``figure``, ``jobs``,
    ``executor``, ``scheduler``, ``max_evals``, ``experiment``), so it serves every
    sub-command.
    """
    from flowsim.outputs import preflight_out_dir

    problems: list[Problem] = []
    for key in INPUT_ARGS:
        value = getattr(args, key, None)
        if isinstance(value, str):
            problems += input_file_problems(value, key)
    if problems:
        raise ConfigError(problems)
    problems += run_option_problems(args)
    figure = getattr(args, "figure", None)
    if figure is not None:
        problems += figure_path_problems(figure, "--figure")
    try:
        problems += calibrate_problems(args)
    except ConfigError as exc:
        problems += exc.problems
    max_evals = getattr(args, "max_evals", None)
    if max_evals is not None and max_evals < 1:
        problems.append(Problem("--max-evals", max_evals, "must be at least 1"))
    experiment = getattr(args, "experiment", None)
    if experiment is not None and getattr(args, "command", None) == "compare":
        from flowsim.comparison import load_experiment

        try:
            exp, _ = load_experiment(experiment)
            problems += experiment_problems(exp)
        except ConfigError as exc:
            problems += exc.problems
    if problems:
        raise ConfigError(problems)
    out = getattr(args, "out", None)
    if out is not None:
        preflight_out_dir(out)  # creates nothing: a refused command leaves no folder
