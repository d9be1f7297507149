"""Extreme but valid inputs run to the end and report sensible KPIs."""

from __future__ import annotations

import numpy as np
import pytest

import flowsim
from flowsim.records import SRC_ACUTE


@pytest.fixture(scope="module")
def short(worcs):
    return worcs.with_overrides({"run.days": 20, "run.warmup_days": 2})


@pytest.fixture(scope="module")
def base_kpis(short):
    return flowsim.simulate(short, seed=4).kpis


def test_zero_community_beds(short, base_kpis):
    # Discharge-to-assess beds in care homes share the pathway-2 pool with the community
    # hospital beds (issue 16), so "no community beds" means neither.
    s = flowsim.simulate(
        short.with_overrides({"community.beds": 0, "community.d2a_beds": 0}), seed=4
    )
    a = s.records.acute
    p2 = a["pathway"] == 2
    assert p2.sum() > 0 and np.isnan(a["leave"][p2]).all()  # nobody on pathway 2 leaves
    assert s.kpis["delayed_discharge_bed_days"] > base_kpis["delayed_discharge_bed_days"]
    assert np.isnan(s.kpis["community_occupancy_pct"])
    assert s.daily["acute_delayed_p2"].is_monotonic_increasing


def test_all_pathway_zero(short):
    s = flowsim.simulate(
        short.with_overrides(
            {
                "acute.pathway_probs": [1, 0, 0, 0],
                "acute.elective_pathway_probs": [1, 0, 0, 0],
                "acute.initial_delayed": 0,
            }
        ),
        seed=4,
    )
    soc = s.records.social
    assert not (soc["source"] == SRC_ACUTE).any()
    assert np.isnan(s.kpis["discharge_delay_mean_days_p1"])
    assert s.kpis["discharge_delay_mean_days_p0"] < 1.5


def test_no_electives(short):
    s = flowsim.simulate(
        short.with_overrides(
            {
                "elective.referrals_per_week": 0,
                "elective.initial_list": 0,
                "elective.admissions_per_weekday": 0,
            }
        ),
        seed=4,
    )
    k = s.kpis
    assert k["elective_admissions"] == 0 and k["elective_waiting_list_end"] == 0
    assert np.isnan(k["elective_pct_within_18w"]) and k["elective_52w_waiters"] == 0


def test_one_day_horizon_without_warmup(worcs):
    s = flowsim.simulate(worcs.with_overrides({"run.days": 1, "run.warmup_days": 0}), seed=4)
    assert s.kpis["ed_attendances"] > 0 and len(s.daily) == 1


def test_huge_capacities(short):
    s = flowsim.simulate(
        short.with_overrides(
            {
                "acute.beds": 100_000,
                "ed.spaces": 100_000,
                "community.beds": 100_000,
                "ed.clinicians_by_hour": [10_000] * 24,
                "ambulance.handover_staff_by_hour": [10_000] * 24,
                "social_care.home_care_packages": 1_000_000,
                "social_care.care_home_places": 1_000_000,
                "acute.initial_occupancy_pct": 1,
                "community.initial_occupancy_pct": 1,
                "social_care.home_care_initial_occupancy_pct": 1,
                "social_care.care_home_initial_occupancy_pct": 1,
            }
        ),
        seed=4,
    )
    k = s.kpis
    assert k["ed_trolley_waits_12h"] == 0 and k["home_care_wait_mean_days"] == 0
    assert k["home_care_waiting_mean"] == 0 and k["care_home_waiting_mean"] == 0
    assert k["ambulance_handover_mean_min"] == pytest.approx(short.ambulance.handover_process_min)


@pytest.mark.parametrize("corridor", [True, False], ids=["corridor_care", "no_corridor_care"])
def test_tiny_capacities_queues_grow_and_run_ends(short, corridor):
    overrides = {
        "acute.beds": 1,
        "ed.spaces": 1,
        "ed.clinicians_by_hour": [1] * 24,
        "community.beds": 1,
        "social_care.home_care_packages": 1,
        "social_care.care_home_places": 1,
        # the hospital alone: conveyances arrive by themselves, the corridor has no limit
        # (a finite fleet and corridor are tested in tests/model/test_ambulance_*.py)
        "ambulance.service": None,
        "ed.corridor_spaces": None,
        # no receiving nurses: once in the corridor a crew hands over at once (their
        # queue is tested in tests/model/test_handover_staff.py)
        "ambulance.handover_staff_by_hour": None,
    }
    if not corridor:
        overrides["ed.corridor_care_after_min"] = None
    with pytest.warns(UserWarning):
        scn = flowsim.load_scenario(short.to_dict() | {"name": "tiny"}, overrides=overrides)
    s = flowsim.simulate(scn, seed=4)
    d, k = s.daily, s.kpis
    assert d["ed_in_department"].iloc[-1] > d["ed_in_department"].iloc[0] > 100
    assert d["home_care_queue"].iloc[-1] > d["home_care_queue"].iloc[0]
    reported = d[d["day"] >= scn.run.warmup_days]
    assert k["home_care_waiting_mean"] == pytest.approx(reported["home_care_queue"].mean())
    assert k["care_home_waiting_mean"] == pytest.approx(reported["care_home_queue"].mean())
    assert k["home_care_waiting_mean"] > 0
    assert k["ed_pct_within_4h"] < 5
    if corridor:
        # The crew hands over to corridor care once the wait passes the limit, so
        # the ambulance queue stays bounded while the department fills up.
        assert k["ed_corridor_care_pct"] > 90
        assert k["ambulance_handover_mean_min"] == pytest.approx(
            scn.ed.corridor_care_after_min + scn.ambulance.handover_process_min, rel=0.05
        )
    else:
        assert d["ambulances_waiting"].iloc[-1] > d["ambulances_waiting"].iloc[0]
        assert d["ambulances_waiting"].iloc[-1] > 100
        assert k["ed_corridor_care_pct"] == 0
    assert all(isinstance(v, float) for v in k.values())
