"""Memory benchmark: long horizons and many replications.

    python benchmarks/bench_memory.py            # 1- and 5-year horizons; 5/20/40 reps
    python benchmarks/bench_memory.py --full     # also 100 replications of 5 years (long)

Each measurement runs in a fresh process and reports its peak RSS, so the figures
do not contaminate each other. Flat memory means: the parent's peak grows only by
the small per-replication tables it keeps (KPIs and the daily series), and a
worker's peak depends on the horizon, not on how many replications have run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import textwrap
import time

CODE = textwrap.dedent(
    """
    import resource, time
    import flowsim
    scn = flowsim.load_scenario("worcestershire", overrides={"run.days": DAYS,
                                                             "run.warmup_days": 30})
    t0 = time.perf_counter()
    res = flowsim.run(scn, replications=REPS, jobs=JOBS)
    dt = time.perf_counter() - t0
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(dt, own, kids, len(res.daily), res.daily.memory_usage(deep=True).sum() / 2**20)
    """
)


def measure(days: int, reps: int, jobs: int) -> tuple[float, ...]:
    code = CODE.replace("DAYS", str(days)).replace("REPS", str(reps)).replace("JOBS", str(jobs))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return tuple(float(x) for x in out.stdout.split())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="also 100 replications of 5 years")
    args = ap.parse_args()
    cases = [(365, 1, 1), (5 * 365, 1, 1), (90, 5, 2), (90, 20, 2), (90, 40, 2)]
    if args.full:
        cases.append((5 * 365, 100, 2))
    print(
        f"{'horizon':>8s} {'reps':>5s} {'jobs':>4s} {'wall s':>8s} {'parent MB':>10s} "
        f"{'worker MB':>10s} {'daily rows':>11s} {'daily MB':>9s}"
    )
    t0 = time.perf_counter()
    for days, reps, jobs in cases:
        dt, own, kids, rows, daily_mb = measure(days, reps, jobs)
        print(
            f"{days:8d} {reps:5d} {jobs:4d} {dt:8.1f} {own:10.0f} {kids:10.0f} "
            f"{int(rows):11d} {daily_mb:9.1f}"
        )
    print(
        f"\n(total {time.perf_counter() - t0:.0f} s) 'worker MB' is the largest child "
        "process (0 when serial: the parent ran the replication itself)."
    )


if __name__ == "__main__":
    main()
