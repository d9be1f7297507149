"""A small comparison shared by the report, figure and export tests."""

from __future__ import annotations

import pytest

import flowsim
from flowsim.comparison import Experiment, ScenarioSpec


@pytest.fixture(scope="session")
def small_comparison():
    """Three scenarios, three replications, 12 days: fast, yet every setting is busy."""
    exp = Experiment(
        name="small_summit",
        description="Does discharge to assess or more home care free beds?",
        base="worcestershire",
        replications=3,
        seed=21,
        days=12,
        warmup_days=2,
        scenarios=(
            ScenarioSpec(name="baseline", description="Current capacity."),
            ScenarioSpec(name="d2a", interventions=("discharge_to_assess:assessment_days=1",)),
            ScenarioSpec(name="home_care", interventions=("more_home_care:packages=150",)),
        ),
    )
    return flowsim.compare(exp, jobs=1)
