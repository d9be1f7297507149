"""The Worcestershire baseline reproduces the public figures it was built for."""

from __future__ import annotations

import pytest

import flowsim
from flowsim.calibration import AMBULANCE_TARGETS, TARGETS, calibration_table, fit
from flowsim.monthly import monthly_values


def _hospital_targets(county: str) -> tuple:
    """The county's hospital and discharge targets (its ambulance targets, compared by
    policy era, are checked by ``test_ambulance_targets_by_policy_era``)."""
    amb = AMBULANCE_TARGETS.get(county, ())
    return tuple(t for t in TARGETS[county] if all(t is not a for a in amb))


@pytest.mark.slow
def test_worcestershire_baseline_within_bands(worcs):
    res = flowsim.run(worcs, replications=3, jobs=2)
    targets = _hospital_targets("worcestershire")
    table = calibration_table(res, worcs, targets)
    _check_county(table, "worcestershire")
    # every target is in the table, the monthly ones by their month of the financial year
    assert len(table) == len(targets)
    assert "acute_occupancy_pct (2025-02)" in set(table["kpi"])
    # winter comes out fuller than summer (admissions, stays and closures rise in winter
    # while attendances peak in summer): Dec-Mar above Jun-Aug in every replication
    m = monthly_values(res.daily)
    occ = m[m["kpi"] == "acute_occupancy_pct"].assign(mm=lambda d: d["month"].str[5:].astype(int))
    by_rep = occ.groupby(["rep", occ["mm"].isin([12, 1, 2, 3])])["value"].mean().unstack()
    summer = occ[occ["mm"].isin([6, 7, 8])].groupby("rep")["value"].mean()
    assert (by_rep[True] > summer).all(), by_rep
    # no replication melts down: every one is inside the 4-hour band too
    w = res.kpis_wide()
    assert w["ed_pct_within_4h"].between(50, 85).all()
    assert res.recommended_warmup_days() <= 1.5 * worcs.run.warmup_days


#: Known misfits: targets the model is known to miss (``Target.gap`` says why), by county,
#: with the direction of the miss. They are listed here so that a change that moves one
#: is seen: each must still be missed in the stated direction (the model below the
#: public figure: exit block too weak with one pooled bed base, docs/validation.md
#: section 6). A misfit that comes into band fails this test until it is moved to the
#: checked targets.
KNOWN_MISFITS = {
    "worcestershire": {
        "ed_dta_over_4h_pct",
        "ed_12h_from_arrival_pct (2024-12)",
        "ed_trolley_waits_12h (2025-01)",
        "delayed_patients_mean",
        "ed_mh_12h_pct",
        "ed_mh_24h_pct",
    },
    "west_norfolk": {
        "ed_dta_over_4h_pct",
        "ed_12h_from_arrival_pct (2024-11)",
        "ed_trolley_waits_12h (2024-12)",
        "elective_p92_wait_weeks",
        "ed_mh_12h_pct",
        "ed_mh_24h_pct",
    },
    "leicestershire": {
        "ed_dta_over_4h_pct",
        "ed_trolley_waits_12h (2024-12)",
        "ed_12h_from_arrival_pct (2024-11)",
        "delayed_patients_mean",
        "ed_mh_12h_pct",
        "ed_mh_24h_pct",
    },
}


def _check_county(table, county):
    checked = table[table["known_misfit"] == ""]
    assert len(checked) >= 4 and checked["within_band"].all(), table.to_string()
    gaps = table[table["known_misfit"] != ""]
    assert (gaps["gap"].str.len() > 0).all()  # every known misfit says why
    assert gaps["known_misfit"].isin(["low", "high"]).all()
    missed = gaps[~gaps["within_band"]]
    assert set(missed["kpi"]) == KNOWN_MISFITS[county], table.to_string()
    # every known misfit is out of its band on its stated side (mostly below: too little
    # exit block), never on the other
    low = missed["known_misfit"] == "low"
    assert (missed["model_mean"][low] < missed["band_low"][low]).all(), missed.to_string()
    assert (missed["model_mean"][~low] > missed["band_high"][~low]).all(), missed.to_string()


@pytest.mark.slow
@pytest.mark.parametrize("county", ["west_norfolk", "leicestershire"])
def test_other_counties_within_bands(county):
    scn = flowsim.load_scenario(county)
    res = flowsim.run(scn, replications=2, jobs=2)
    targets = _hospital_targets(county)
    table = calibration_table(res, scn, targets)
    assert len(table) == len(targets)
    # the issue-16 bed targets are checked (N24, L22); delayed patients in West Norfolk (N30)
    checked = set(table[table["known_misfit"] == ""]["kpi"])
    assert "acute_occupancy_pct" in checked
    assert county != "west_norfolk" or "delayed_patients_mean" in checked
    _check_county(table, county)
    if county == "west_norfolk":
        # the home care and care-home pools have headroom over their offered load (the
        # community reablement hand-ons counted): neither fills in the year. Sized at ~101%
        # of load, home care filled in November in one replication and its queue grew to
        # 62 people by March (docs/validation.md, "West Norfolk's runaway winters")
        queues = res.daily.groupby("rep")[["home_care_queue", "care_home_queue"]].max()
        assert (queues <= 5).all().all(), queues


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
    # three replications: West Norfolk's held-era winters run away in most replications
    # but not all, and two leave its Cat 1 mean on the band's edge
    table = calibration_runs(scn, replications=3, jobs=2, targets=targets)
    assert len(table) == len(targets)
    assert set(table.loc[table["kpi"].str.contains("handover_over"), "era"]) == {ERA_HOLD}
    for row in table.itertuples():
        # a documented known misfit (docs/validation.md) must stay out on its stated
        # side: a change that brings it in, or pushes it out the other way, is seen here;
        # and it says why it is missed
        assert not row.known_misfit or row.gap, row
        if row.known_misfit == "high":
            assert row.model_mean > row.band_high, row
        elif row.known_misfit == "low":
            assert row.model_mean < row.band_low, row
        else:
            assert row.band_low <= row.model_mean <= row.band_high, row
