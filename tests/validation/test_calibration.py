"""The Worcestershire baseline reproduces the public figures it was built for."""

from __future__ import annotations

import pytest

import flowsim
from flowsim.calibration import calibration_table, fit


@pytest.mark.slow
def test_worcestershire_baseline_within_bands(worcs):
    res = flowsim.run(worcs, replications=3, jobs=2)
    table = calibration_table(res, worcs)
    assert table["within_band"].all(), table.to_string()
    # no replication melts down: every one is inside the 4-hour band too
    w = res.kpis_wide()
    assert w["ed_pct_within_4h"].between(50, 85).all()
    assert res.recommended_warmup_days() <= 1.5 * worcs.run.warmup_days


def test_fit_recovers_a_known_parameter():
    # Tiny M/M/c-like A&E: find the arrival rate that gives a known attendance count.
    scn = flowsim.load_scenario(
        "configs/validation/ed_mmc.yaml",
        overrides={"run.days": 3, "run.warmup_days": 0, "ed.walkin_arrivals_per_day": 200},
    )
    target = 250 * 3  # attendances in 3 days at 250/day
    best, trace = fit(
        scn,
        {"ed.walkin_arrivals_per_day": (100, 400)},
        {"ed_attendances": target},
        replications=1,
        max_evals=25,
    )
    assert best["ed.walkin_arrivals_per_day"] == pytest.approx(250, rel=0.06)
    assert trace["loss"].min() < 0.01


def test_fit_rounds_integer_keys_and_reports_every_bad_argument():
    scn = flowsim.load_scenario(
        "configs/validation/ed_mmc.yaml",
        overrides={"run.days": 2, "run.warmup_days": 0},
    )
    # ed.spaces is an integer field: every trial point must be a whole number of spaces
    best, trace = fit(scn, {"ed.spaces": (3.0, 9.0)}, {"ed_attendances": 500}, 1, max_evals=6)
    assert isinstance(best["ed.spaces"], int)
    assert all(float(v).is_integer() for v in trace["ed.spaces"])
    with pytest.raises(ValueError) as e:
        fit(scn, {"ed.nope": (0, 1), "ed.spaces": (5, 5)}, {"not_a_kpi": 1, "ed_attendances": 0})
    msg = str(e.value)
    for part in ["ed.nope", "LO < HI", "not_a_kpi", "non-zero"]:
        assert part in msg


@pytest.mark.slow
@pytest.mark.parametrize("county", ["worcestershire", "west_norfolk", "leicestershire"])
def test_ambulance_targets_by_policy_era(county):
    # Each figure is compared with a run of its era: before the 45-minute maximum
    # (W14-W16, N21, L20, A5-A7) crews are held until a space is free.
    from flowsim.calibration import AMBULANCE_TARGETS, ERA_HOLD, HOLD, calibration_runs

    targets = AMBULANCE_TARGETS[county]
    assert sum(t.overrides == HOLD for t in targets) >= 5
    scn = flowsim.load_scenario(county)
    table = calibration_runs(scn, replications=2, jobs=2, targets=targets)
    assert len(table) == len(targets)
    assert set(table.loc[table["kpi"].str.contains("handover_over"), "era"]) == {ERA_HOLD}
    for row in table.itertuples():
        # a documented known misfit (docs/validation.md) must stay out on its stated
        # side: a change that brings it in, or pushes it out the other way, is seen here
        if row.known_misfit == "high":
            assert row.model_mean > row.band_high, row
        elif row.known_misfit == "low":
            assert row.model_mean < row.band_low, row
        else:
            assert row.band_low <= row.model_mean <= row.band_high, row
