"""The ``flowsim`` command line: a thin shell over the Python API.

Exit codes: 0 success, 2 bad input (every problem listed, no traceback),
130 interrupted (partial results are reported where they are).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from flowsim.errors import ConfigError

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


def _add_scenario_args(p: argparse.ArgumentParser, config: bool = True) -> None:
    if config:
        p.add_argument(
            "config",
            nargs="?",
            default="worcestershire",
            help="scenario file or packaged name (default: worcestershire)",
        )
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config value by dotted key, e.g. acute.beds=900 (repeatable)",
    )
    p.add_argument(
        "--intervention",
        dest="interventions",
        action="append",
        default=[],
        metavar="NAME[:k=v,...]",
        help="apply an intervention (repeatable)",
    )


def _add_run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--replications", "-r", type=int, default=None, help="replications per scenario")
    p.add_argument("--seed", type=int, default=None, help="base random seed")
    p.add_argument("--days", type=float, default=None, help="reporting period, days")
    p.add_argument("--warmup-days", type=float, default=None, help="warm-up before reporting, days")
    p.add_argument("--jobs", "-j", type=int, default=1, help="parallel worker processes")
    p.add_argument("--executor", choices=("serial", "processes", "dask"), default=None)
    p.add_argument("--scheduler", default=None, help="Dask scheduler address (tcp://host:port)")
    p.add_argument("--out", default="outputs", help="folder for run outputs (default: outputs)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def _run_overrides(args: argparse.Namespace) -> list[str]:
    sets = list(args.overrides)
    if args.days is not None:
        sets.append(f"run.days={args.days}")
    if args.warmup_days is not None:
        sets.append(f"run.warmup_days={args.warmup_days}")
    return sets


def cmd_run(args: argparse.Namespace) -> int:
    from flowsim.config import load_scenario
    from flowsim.experiment import run
    from flowsim.outputs import new_run_dir, write_csv, write_json
    from flowsim.report import print_summary, write_run

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scn = load_scenario(args.config, _run_overrides(args), args.interventions)
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)
    reps = args.replications or scn.run.replications
    folder = new_run_dir(args.out, scn.name)
    args._partial_dir = folder
    # Marks the folder as in progress: a reader never mistakes partial results for a run.
    write_json({"complete": False, "replications_planned": reps}, folder / "manifest.json")
    partial = folder / "replications"
    partial.mkdir()
    finished = []

    def keep(_: int, r) -> None:
        rows = [{"rep": r.replication, "kpi": k, "value": v} for k, v in r.kpis.items()]
        import pandas as pd

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
            progress=not args.no_progress,
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
    print_summary(res)
    rec = res.recommended_warmup_days()
    used = scn.run.warmup_days
    verdict = "enough" if used >= rec else "consider a longer warm-up (--warmup-days)"
    print(
        f"Warm-up: {used:g} days used; MSER-5 on the daily census recommends {rec} days "
        f"({verdict})."
    )
    write_run(res, folder=folder)
    print(f"\nResults written to {folder}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from flowsim.config import load_scenario

    if args.queueing:
        from flowsim.validation import cmd_queueing

        return cmd_queueing(args)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scn = load_scenario(args.config, args.overrides, args.interventions)
    for w in caught:
        print(f"warning: {w.message}")
    print(f"{args.config}: valid (scenario '{scn.name}', config hash {scn.config_hash()[:12]})")
    return 0


def cmd_app(args: argparse.Namespace) -> int:
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
    parser = argparse.ArgumentParser(
        prog="flowsim",
        description="Simulate patient flow across a county health and care system.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="run replications of one scenario and write its outputs")
    _add_scenario_args(p)
    _add_run_args(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser(
        "validate",
        help="check a scenario file (exit 2 listing every error), or with --queueing run "
        "the queueing-theory validation",
    )
    _add_scenario_args(p)
    p.add_argument(
        "--queueing",
        action="store_true",
        help="run the model reductions against Erlang B/C and Little's law",
    )
    p.add_argument("--replications", "-r", type=int, default=None)
    p.add_argument("--jobs", "-j", type=int, default=1)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser(
        "app",
        help="start the summit app in the browser (Streamlit; needs flowsim[app])",
        description="Serve the summit app on HOST:PORT (default 127.0.0.1:8501, this "
        "machine only; --host 0.0.0.0 exposes it to the network, with no login). "
        "Example: flowsim app --port 8502 --jobs 2",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8501, help="port (default: 8501)")
    p.add_argument(
        "--cache-dir",
        default="outputs/app-cache",
        help="folder for cached results and uploads (default: outputs/app-cache)",
    )
    p.add_argument(
        "--jobs", "-j", type=int, default=2, help="worker processes per run (default: 2)"
    )
    p.add_argument("--executor", choices=("serial", "processes", "dask"), default=None)
    p.add_argument("--scheduler", default=None, help="Dask scheduler address (tcp://host:port)")
    p.set_defaults(func=cmd_app)

    for register in _extensions():
        register(sub)
    return parser


def _extensions():
    """Sub-commands contributed by other modules (compare, sweep, sensitivity, ...)."""
    out = []
    for mod, attr in (
        ("flowsim.interventions", "register_cli"),
        ("flowsim.comparison", "register_cli"),
        ("flowsim.sweep", "register_cli"),
        ("flowsim.sensitivity", "register_cli"),
        ("flowsim.validation", "register_cli"),
        ("flowsim.calibration", "register_cli"),
    ):
        try:
            module = __import__(mod, fromlist=[attr])
        except ImportError:
            continue
        if hasattr(module, attr):
            out.append(getattr(module, attr))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        where = getattr(args, "_partial_dir", None)
        msg = "interrupted"
        if where:
            msg += (
                f"; partial results (finished replications) are in {Path(where)}; "
                "its manifest.json says complete: false"
            )
        print(msg, file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
