"""MSER-5 finds an initial transient and not a spurious one."""

from __future__ import annotations

import numpy as np

from flowsim.stats import mser


def test_detects_initial_transient():
    rng = np.random.default_rng(1)
    n = 400
    transient = np.where(np.arange(n) < 60, 50.0 * (1 - np.arange(n) / 60), 0.0)
    x = 100 + transient + rng.normal(0, 2, n)
    d = mser(x)
    assert 40 <= d <= 80 and d % 5 == 0


def test_stationary_series_needs_little_warmup():
    x = 100 + np.random.default_rng(2).normal(0, 2, 400)
    assert mser(x) <= 25  # fixed seed; pure noise needs at most a few batches
    assert mser(np.ones(400)) == 0


def test_short_series():
    assert mser(np.arange(10.0)) == 0
