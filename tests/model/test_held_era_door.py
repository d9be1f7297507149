"""The held era's door (issue 19): a cohorting / handover area of finite capacity that
takes patients off crews, crews of neighbouring divisions (mutual aid), and diversion to
another hospital when the door is full."""

from __future__ import annotations

import numpy as np
import pytest

import flowsim
from flowsim.model.ambulance import CONVEYED
from flowsim.model.system import CountySystem
from flowsim.patients import build_cohorts
from flowsim.streams import Streams

FIXED = {"kind": "fixed"}


@pytest.fixture(scope="module")
def held(worcs):
    """Crews held until a space is free, with too few A&E spaces: crews queue at the door."""
    return worcs.with_overrides(
        {
            "run.days": 12,
            "run.warmup_days": 3,
            "ed.corridor_care_after_min": None,
            "ed.spaces": 55,
            "ambulance.service.turnaround_min": {**FIXED, "mean": 18},
        }
    )


@pytest.fixture(scope="module")
def held_run(held):
    return flowsim.simulate(held, seed=8)


def _max_overlap(start: np.ndarray, end: np.ndarray) -> int:
    """Most intervals [start, end) open at once (an end before a start at equal times)."""
    end = np.where(np.isnan(end), np.inf, end)
    ev = np.concatenate([np.c_[start, np.ones_like(start)], np.c_[end, -np.ones_like(end)]])
    ev = ev[np.lexsort((ev[:, 1], ev[:, 0]))]
    return int(np.cumsum(ev[:, 1]).max())


def test_cohort_area_takes_patients_off_crews_and_never_overfills(held, held_run):
    scn = held.with_overrides({"ambulance.service.cohort_places": 4})
    r = flowsim.simulate(scn, seed=8)
    a, e = r.records.ambulance, r.records.ed
    hmin = scn.ambulance.handover_process_min
    co = ~np.isnan(a["cohort"])
    assert co.sum() > 50
    assert (a["outcome"][co] == CONVEYED).all()
    # the crew hands over to the area (one handover time after it took the place, which is
    # at or after arrival) and is clear one turnaround later
    assert (a["cohort"][co] >= a["at_hospital"][co] + hmin - 1e-9).all()
    np.testing.assert_allclose(a["clear"][co] - a["cohort"][co], 18.0)
    # the A&E record keeps the crew's handover (to the area): hours lost count the crew's wait
    row = {p: k for k, p in enumerate(e["patient_id"].tolist())}
    k = np.array([row[p] for p in a["patient_id"][co]])
    np.testing.assert_array_equal(e["handover"][k], a["cohort"][co])
    # a cohorted patient holds a place from the crew's handover until a space and a
    # receiving nurse take them (the real handover, `triaged` with triage on): at most 4
    # at once, and the area does fill
    assert scn.ed.triage_min is not None
    # (the start is rebuilt as handover minus its time: round-off of a few ulps allowed)
    assert _max_overlap(a["cohort"][co] - hmin + 1e-6, e["triaged"][k]) == 4
    # fewer crew hours at the door, less time lost, quicker responses (same calls)
    k0, k1 = held_run.kpis, r.kpis
    assert k1["ambulance_crew_hours_at_hospital"] < 0.95 * k0["ambulance_crew_hours_at_hospital"]
    assert k1["ambulance_handover_hours_lost"] < k0["ambulance_handover_hours_lost"]
    assert k1["ambulance_cat2_mean_min"] <= k0["ambulance_cat2_mean_min"]
    # the midnight census counts crews still waiting, not patients in the area
    assert r.records.census["ambulances_waiting"].min() >= 0


def test_cohort_area_is_only_for_the_held_era(held):
    # under a maximum the corridor / handover area (ed.corridor_spaces) takes patients
    released = held.with_overrides({"ed.corridor_care_after_min": 45, "ed.corridor_spaces": 4})
    k0 = flowsim.simulate(released, seed=8).kpis
    k1 = flowsim.simulate(
        released.with_overrides({"ambulance.service.cohort_places": 4}), seed=8
    ).kpis
    assert k0 == k1


def test_mutual_aid_answers_when_no_local_crew_is_free(held, held_run):
    scn = held.with_overrides(
        {
            "ambulance.service.crews_by_hour": [12] * 24,
            "ambulance.service.mutual_aid_crews": 3,
            "ambulance.service.mutual_aid_extra_travel_min": 25.0,
            "ambulance.service.cat1_travel_min": {**FIXED, "mean": 6},
            "ambulance.service.travel_min": {**FIXED, "mean": 10},
        }
    )
    closed = scn.with_overrides({"ambulance.service.mutual_aid_crews": 0})
    s = CountySystem(scn, build_cohorts(scn, Streams(8, 0)))
    s.start()
    s.run()
    assert s.ambulance.crews.peak_in_use <= 12
    a = s.ambulance.records.arrays()
    aid = a["mutual_aid"]
    assert aid.sum() > 20
    # a neighbouring crew travels further: exactly the extra on the fixed travel time
    travel = a["at_scene"] - a["dispatch"]
    cat1 = a["category"] == 1
    np.testing.assert_allclose(travel[aid & cat1], 31.0)
    np.testing.assert_allclose(travel[aid & ~cat1], 35.0)
    np.testing.assert_allclose(travel[~aid & ~np.isnan(travel) & ~cat1], 10.0)
    # never more than 3 neighbouring crews on jobs at once (dispatch to clear)
    assert _max_overlap(a["dispatch"][aid], a["clear"][aid]) <= 3
    # ... and only when every local crew is busy: 12 local jobs open at each aid dispatch
    loc = ~aid & ~np.isnan(a["dispatch"])
    ld, lc = a["dispatch"][loc], np.where(np.isnan(a["clear"][loc]), np.inf, a["clear"][loc])
    for t in a["dispatch"][aid][:50]:
        assert ((ld <= t) & (lc > t)).sum() == 12
    k1 = flowsim.simulate(scn, seed=8).kpis
    k0 = flowsim.simulate(closed, seed=8).kpis
    assert k1["ambulance_cat2_mean_min"] < k0["ambulance_cat2_mean_min"]
    # crew utilisation is of the local roster: neighbouring crews' time is not in it
    assert k1["ambulance_crew_utilisation_pct"] <= 100.0


def test_diversion_when_the_door_is_full(held, held_run):
    scn = held.with_overrides(
        {
            "ambulance.service.cohort_places": 2,
            "ambulance.service.divert_when_waiting": 1,
            "ambulance.service.divert_extra_min": 40.0,
        }
    )
    r = flowsim.simulate(scn, seed=8)
    a, e = r.records.ambulance, r.records.ed
    dv = a["diverted"]
    assert dv.sum() > 20
    # a diverted patient never reaches this A&E; the crew is clear after the extra
    # journey, a handover and a turnaround
    assert (a["patient_id"][dv] == -1).all()
    assert not set(a["patient_id"][dv].tolist()) & set(e["patient_id"].tolist())
    hmin = scn.ambulance.handover_process_min
    np.testing.assert_allclose(a["clear"][dv] - a["at_hospital"][dv], 40.0 + hmin + 18.0)
    reached = ~np.isnan(a["at_hospital"]) & ~dv
    assert e["ambulance"].sum() == reached.sum()
    # with the door capped, no handover waits as long as when crews are only held
    assert r.kpis["ambulance_handover_hours_lost"] < held_run.kpis["ambulance_handover_hours_lost"]


def test_cohort_area_intervention_adds_places_in_both_eras(held):
    from flowsim.interventions import apply_interventions

    scn = apply_interventions(held, ["handover_cohort_area:places=3"])
    assert scn.ambulance.service.cohort_places == held.ambulance.service.cohort_places + 3
    assert scn.ed.corridor_spaces == held.ed.corridor_spaces + 3
    assert scn.intervention_cost_gbp_per_year == pytest.approx(3 * 120_000)
    k0 = flowsim.simulate(held, seed=8).kpis
    k1 = flowsim.simulate(scn, seed=8).kpis
    assert k1["ambulance_handover_hours_lost"] < k0["ambulance_handover_hours_lost"]
