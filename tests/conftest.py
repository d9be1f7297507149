"""Shared fixtures (helpers live in tests/helpers.py, importable as ``helpers``)."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def worcs():
    """The packaged Worcestershire baseline."""
    import flowsim

    return flowsim.load_scenario("worcestershire")


@pytest.fixture(scope="session")
def worcs_short(worcs):
    """Worcestershire over a short horizon (fast but with every setting busy)."""
    return worcs.with_overrides({"run.days": 30, "run.warmup_days": 5})
