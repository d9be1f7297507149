"""Model reductions against textbook queueing formulas (coded from the formulas, not
from earlier outputs) and the formulas against known published values."""

from __future__ import annotations

import math

import pytest

from flowsim.validation import erlang_b, erlang_c, mmc_mean_wait, queueing_checks


def test_erlang_b_known_values():
    # Direct formula B = (a^c / c!) / sum_k a^k / k!
    for c, a in ((1, 1.0), (5, 3.0), (10, 8.0), (30, 25.0)):
        direct = (a**c / math.factorial(c)) / sum(a**k / math.factorial(k) for k in range(c + 1))
        assert erlang_b(c, a) == pytest.approx(direct, rel=1e-12)
    assert erlang_b(1, 1.0) == 0.5


def test_erlang_c_and_mm1():
    # M/M/1: P(wait) = rho, Wq = rho / (mu - lambda)
    assert erlang_c(1, 0.7) == pytest.approx(0.7)
    assert mmc_mean_wait(1, 0.7, 1.0) == pytest.approx(0.7 / 0.3)
    # M/M/2 with a = 1: C = a^2 / (2 + a) ... = 1/3
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)


@pytest.mark.slow
def test_model_reductions_agree_with_formulas():
    df = queueing_checks(jobs=2)
    failed = df[~df["passed"]]
    assert failed.empty, failed.to_string()
    assert len(df) >= 8
