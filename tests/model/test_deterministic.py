"""Infinite capacity and fixed durations give known times; extreme settings behave."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import tiny_scenario

import flowsim

BIG = 100_000


def big_capacity(**more):
    base = dict(
        ed={
            "spaces": BIG,
            "clinicians_by_hour": [BIG] * 24,
            "walkin_arrivals_per_day": 200,
            "walkin_majors_fraction": 0.5,
        },
        ambulance={"arrivals_per_day": 100, "admit_prob": 0.5},
        acute={"beds": BIG},
        community={"beds": BIG},
        social_care={"home_care_packages": BIG, "care_home_places": BIG},
        run={"days": 5},
    )
    for k, v in more.items():
        base.setdefault(k, {}).update(v)
    return tiny_scenario(**base)


def test_no_queue_time_in_department_is_exactly_service_times():
    scn = big_capacity()
    r = flowsim.simulate(scn, seed=3).records
    e = r.ed
    done = ~np.isnan(e["depart"])
    tid = (e["depart"] - e["arrival"])[done]
    amb = e["ambulance"][done]
    admitted = ~np.isnan(e["dta"][done])
    majors = e["majors"][done]
    # ambulance: handover 10 + assess 20 + treat 60; walk-in majors 20 + 60; minors 20 + 30.
    assert np.allclose(tid[amb], 90.0)
    assert np.allclose(tid[~amb & majors], 80.0)
    assert np.allclose(tid[~amb & ~majors], 50.0)
    assert admitted.sum() > 0  # admitted patients got a bed at once: no extra time
    k = flowsim.simulate(scn, seed=3).kpis
    assert k["ed_pct_within_4h"] == 100.0 and k["ed_trolley_waits_12h"] == 0
    assert k["ambulance_handover_mean_min"] == pytest.approx(10.0)


def test_no_queue_acute_stay_is_los_plus_assessment():
    # Fixed LOS 1 day, assessments 0, discharge window off: leave = admit + 1 day exactly.
    scn = big_capacity()
    a = flowsim.simulate(scn, seed=4).records.acute
    left = ~np.isnan(a["leave"])
    assert left.sum() > 10
    assert np.allclose(a["leave"][left] - a["admit"][left], 1440.0)
    assert np.allclose(a["leave"][left], a["fit"][left])


def test_zero_acute_beds_with_emergency_demand_is_rejected():
    from flowsim.errors import ConfigError

    with pytest.raises(ConfigError) as e:
        big_capacity(acute={"beds": 0})
    assert e.value.keys == ["acute.beds"]


def test_one_bed_blocks_admissions_and_the_run_still_ends():
    scn = big_capacity(acute={"beds": 1})
    s = flowsim.simulate(scn, seed=5)
    assert s.kpis["emergency_admissions"] <= 5  # LOS 1 day, 5 days, one bed
    waiting = ~np.isnan(s.records.ed["dta"]) & np.isnan(s.records.ed["depart"])
    assert waiting.sum() > 50
    assert s.daily["ed_awaiting_bed"].is_monotonic_increasing
