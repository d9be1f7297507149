"""Limits shared by the scenario schema, the command line and the Python API.

``run.replications`` in a file, ``--replications`` on the command line and
``flowsim.run(replications=...)`` obey the same bounds, so no route around the
config's caps exists. :func:`check_run_args` lists every breach at once.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

from flowsim.errors import ConfigError, Problem

MAX_REPLICATIONS = 100_000
MAX_SEED = 2**63 - 1
MAX_DAYS = 36_500
#: More local worker processes than this is a typo, not a machine.
MAX_JOBS = 1_024
MAX_EVALS = 100_000


def _int_problem(key: str, value: object, lo: int, hi: int) -> Problem | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return Problem(key, value, f"must be a whole number from {lo:,} to {hi:,}")
    if not lo <= value <= hi:
        return Problem(key, value, f"must be from {lo:,} to {hi:,}")
    return None


def _days_problem(key: str, value: object, positive: bool) -> Problem | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or not (value > 0 if positive else value >= 0) or value > MAX_DAYS:
        rule = "> 0" if positive else ">= 0"
        return Problem(key, value, f"must be a finite number of days {rule} and <= {MAX_DAYS:,}")
    return None


def check_run_args(
    replications: object = None,
    seed: object = None,
    jobs: object = None,
    days: object = None,
    warmup_days: object = None,
    max_evals: object = None,
    prefix: str = "",
) -> None:
    """Check run arguments against the shared limits; ``None`` means "not given".

    Parameters
    ----------
    replications, seed, jobs : int, optional
        Replications (1 to ``MAX_REPLICATIONS``), base seed (0 to 2**63 - 1) and
        local worker processes (1 to ``MAX_JOBS``).
    days, warmup_days : float, optional
        Reporting period (> 0) and warm-up (>= 0), days, at most ``MAX_DAYS``.
    max_evals : int, optional
        Calibration evaluations (1 to ``MAX_EVALS``).
    prefix : str
        Put before each key in the message (``"--"`` on the command line).

    Raises
    ------
    ConfigError
        Listing every argument out of its limits.
    """
    checks = [
        ("replications", replications, lambda k, v: _int_problem(k, v, 1, MAX_REPLICATIONS)),
        ("seed", seed, lambda k, v: _int_problem(k, v, 0, MAX_SEED)),
        ("jobs", jobs, lambda k, v: _int_problem(k, v, 1, MAX_JOBS)),
        ("days", days, lambda k, v: _days_problem(k, v, True)),
        (
            "warmup" + ("-" if prefix else "_") + "days",
            warmup_days,
            lambda k, v: _days_problem(k, v, False),
        ),
        (
            "max" + ("-" if prefix else "_") + "evals",
            max_evals,
            lambda k, v: _int_problem(k, v, 1, MAX_EVALS),
        ),
    ]
    problems = [
        p
        for name, value, check in checks
        if value is not None
        for p in [check(prefix + name, value)]
        if p is not None
    ]
    if problems:
        raise ConfigError(problems)


def check_distinct_names(scenarios: Sequence[Any]) -> None:
    """Refuse two different scenarios under one name (they would be pooled as one).

    Raises
    ------
    ConfigError
        Naming each repeated name; the same scenario given twice is also refused,
        since its replications would be counted twice.
    """
    seen: dict[str, int] = {}
    for s in scenarios:
        seen[s.name] = seen.get(s.name, 0) + 1
    problems = [
        Problem(
            "scenario.name",
            name,
            f"{n} scenarios share this name; their results would be pooled as one "
            "(give each a distinct name, e.g. with_overrides({'name': ...}))",
        )
        for name, n in seen.items()
        if n > 1
    ]
    if problems:
        raise ConfigError(problems)


def cpu_count() -> int:
    """Usable CPUs (for messages and defaults)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


__all__ = [
    "MAX_DAYS",
    "MAX_JOBS",
    "MAX_REPLICATIONS",
    "MAX_SEED",
    "check_distinct_names",
    "check_run_args",
]
