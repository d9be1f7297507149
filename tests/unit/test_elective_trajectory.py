"""The monthly elective table: month-end snapshots of a small synthetic Replication,
checked against a hand computation, and its summary against the t-interval by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from flowsim.elective_trajectory import (
    MEASURES,
    monthly_list,
    snapshot_times,
    stack,
    summarise_trajectory,
)
from flowsim.metrics import elective_kpis
from flowsim.records import Replication

D = 1440.0  # minutes a day
W = 7 * D


@pytest.fixture
def april(worcs):
    """Worcestershire with day 0 on Monday 1 April 2024 (the packaged calendar puts day 0
    a warm-up before 1 April)."""
    return worcs.with_overrides({"run.reporting_start_month": None, "run.start_month": 4})


def _rep() -> Replication:
    """Reporting period day 10 to day 70 of a run starting Monday 1 April 2024.

    Pathways (days): A clock -200, treated day 40 (P3); B planned (priority 0), clock 5,
    admitted 65; C clock 20, removed 50; D clock -400, still waiting; E clock 35,
    treated exactly at the day-61 midnight; F clock 60, still waiting; G clock -100,
    treated in the warm-up (day 5); H clock 25, cancelled once and treated on day 68.
    """
    admit = {  # (clock start, admitted, priority)
        "A": (-200, 40, 3),
        "B": (5, 65, 0),
        "E": (35, 61, 2),
        "G": (-100, 5, 4),
        "H": (25, 68, 4),
    }
    el = {
        "admit_clock": np.array([v[0] * D for v in admit.values()]),
        "admit_t": np.array([v[1] * D for v in admit.values()]),
        "admit_priority": np.array([v[2] for v in admit.values()], dtype=np.int64),
        "cancel_t": np.array([30.4 * D]),  # H, cancelled on the day (relisted, same clock)
        "removal_clock": np.array([20 * D]),
        "removal_t": np.array([50 * D]),
        "list_clock_end": np.array([-400 * D, 60 * D]),  # D, F
        "list_priority_end": np.array([4, 3], dtype=np.int64),
    }
    return Replication(
        warmup_min=10 * D,
        end_min=70 * D,
        meta={},
        ed={},
        acute={},
        community={},
        social={},
        elective=el,
        census=pd.DataFrame(),
    )


def test_month_end_snapshots_equal_the_hand_computation(april):
    m = monthly_list(_rep(), april)  # day 0 = Monday 1 April 2024
    assert list(m["month"]) == ["2024-04", "2024-05", "2024-06"]
    assert list(m["date"]) == [pd.Timestamp(d) for d in ("2024-04-30", "2024-05-31", "2024-06-09")]
    assert list(m["day"]) == [29, 60, 69]
    assert list(m["month_end"]) == [True, True, False]
    # 30 April (t = day 30): A 230 days, C 10, D 430, H 5; E and F not referred yet,
    # B is planned (not RTT), G was treated in the warm-up.
    # 31 May (t = day 61): D 461, F 1, H 36; E left at this very midnight, A and C before.
    # 9 June, period end (t = day 70): D 470, F 10; H treated on day 68.
    expected = [
        (4, 50.0, 1, (10 + 230) / 2 / 7),
        (3, 200.0 / 3, 1, 36 / 7),
        (2, 50.0, 1, (10 + 470) / 2 / 7),
    ]
    for (_, row), (n, pct, w52, median) in zip(m.iterrows(), expected, strict=True):
        assert row["elective_waiting_list_end"] == n
        assert row["elective_pct_within_18w"] == pytest.approx(pct)
        assert row["elective_52w_waiters"] == w52
        assert row["elective_median_wait_weeks"] == pytest.approx(median)


def test_period_end_row_equals_the_period_end_kpis(worcs):
    rep = _rep()
    last = monthly_list(rep, worcs).iloc[-1]
    k = elective_kpis(rep)
    for name in MEASURES:
        assert last[name] == pytest.approx(k[name]), name


def test_snapshot_times_take_the_period_start_and_skip_a_duplicate_period_end():
    day0 = pd.Timestamp("2024-04-01").date()
    # warm-up ends at the 30 April midnight and the run at the 31 May midnight
    t = snapshot_times(30 * D, 61 * D, day0)
    assert list(t["date"].dt.strftime("%Y-%m-%d")) == ["2024-04-30", "2024-05-31"]
    assert list(t["month_end"]) == [True, True] and list(t["t_min"]) == [30 * D, 61 * D]
    # a period inside one month: only its end, which is not a month end
    t = snapshot_times(2 * D, 9.5 * D, day0)
    assert list(t["month_end"]) == [False] and t["day"].item() == 9
    assert t["t_min"].item() == 9.5 * D


def test_an_empty_list_has_no_share_and_no_median(worcs):
    rep = _rep()
    for k in ("admit_clock", "admit_t", "removal_clock", "removal_t", "list_clock_end"):
        rep.elective[k] = np.empty(0)
    rep.elective["admit_priority"] = np.empty(0, dtype=np.int64)
    m = monthly_list(rep, worcs)
    assert (m["elective_waiting_list_end"] == 0).all()
    assert m["elective_pct_within_18w"].isna().all()
    assert m["elective_median_wait_weeks"].isna().all()


def _per_rep(values: dict[str, list[float]]) -> pd.DataFrame:
    tables = []
    for scen, pcts in values.items():
        for r, pct in enumerate(pcts):
            t = pd.DataFrame(
                {
                    "month": ["2025-04", "2025-05"],
                    "date": pd.to_datetime(["2025-04-30", "2025-05-31"]),
                    "day": [29, 60],
                    "month_end": [True, True],
                    "elective_waiting_list_end": [1000.0 + r, 1010.0 + r],
                    "elective_pct_within_18w": [pct, pct + 1.0],
                    "elective_52w_waiters": [10.0 * r, 0.0],
                    "elective_median_wait_weeks": [15.0, 16.0],
                }
            )
            tables.append((scen, 0, r, t))
    return stack(tables)


def test_summary_has_mean_and_t_interval_within_range():
    s = summarise_trajectory(_per_rep({"baseline": [50.0, 52.0, 54.0], "hub": [97.0, 98.0, 99.0]}))
    assert list(dict.fromkeys(s["scenario"])) == ["baseline", "hub"]
    assert set(s["kpi"]) == set(MEASURES) and (s["n"] == 3).all()
    row = s.query(
        "scenario == 'baseline' and month == '2025-04' and kpi == 'elective_pct_within_18w'"
    )
    half = st.t.ppf(0.975, 2) * 2.0 / math.sqrt(3)
    assert row["mean"].item() == pytest.approx(52.0)
    assert row["ci_low"].item() == pytest.approx(52.0 - half)
    assert row["ci_high"].item() == pytest.approx(52.0 + half)
    # a share near 100% keeps its interval at or below 100
    top = s.query("scenario == 'hub' and month == '2025-05' and kpi == 'elective_pct_within_18w'")
    assert top["ci_high"].item() == 100.0 and top["ci_low"].item() < top["mean"].item()
    # a count keeps its interval at or above 0
    w52 = s.query("scenario == 'hub' and month == '2025-04' and kpi == 'elective_52w_waiters'")
    assert w52["mean"].item() == 10.0 and w52["ci_low"].item() == 0.0
    # constant values: a zero-width interval
    med = s.query("month == '2025-05' and kpi == 'elective_median_wait_weeks'")
    assert (med["ci_low"] == 16.0).all() and (med["ci_high"] == 16.0).all()


def test_one_replication_has_no_interval_and_says_why():
    s = summarise_trajectory(_per_rep({"baseline": [50.0]}))
    assert s["ci_low"].isna().all() and s["ci_note"].str.contains("one replication").all()
