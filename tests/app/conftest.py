"""Shared fixtures of the app tests: a tiny comparison run once per session."""

from __future__ import annotations

import pytest

from flowsim.app import options as opt

#: A horizon short enough for tests (days reported, warm-up days, replications).
TINY = opt.RunChoice(replications=2, days=10.0, warmup_days=5.0, seed=7)


def tiny_experiment(*specs: str, base: str = "worcestershire"):
    """An experiment of the baseline and one package per spec, on the tiny horizon."""
    return opt.build_experiment(base, [opt.single_option_package(s) for s in specs], TINY, "t")


@pytest.fixture(scope="session")
def tiny_comparison():
    """A real comparison: baseline, more beds, seven-day discharge, a home-care option."""
    import flowsim

    exp = tiny_experiment(
        "extra_acute_beds:beds=60", "seven_day_discharge", "more_home_care:packages=150"
    )
    return flowsim.compare(exp)
