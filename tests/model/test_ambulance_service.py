"""The ambulance service: conveyance into A&E, crews as capacity, dispatch by category,
handover policy (hold, or release into a finite corridor) and its cost in response."""

from __future__ import annotations

import numpy as np
import pytest

import flowsim
from flowsim.errors import ConfigError
from flowsim.interventions import apply_interventions
from flowsim.model.ambulance import COMMUNITY_RESPONSE, CONVEYED, HEAR_TREAT, SEE_TREAT
from flowsim.model.system import CountySystem
from flowsim.patients import build_cohorts
from flowsim.streams import Streams

FIXED = {"kind": "fixed"}


@pytest.fixture(scope="module")
def short(worcs):
    return worcs.with_overrides({"run.days": 12, "run.warmup_days": 3})


@pytest.fixture(scope="module")
def base(short):
    return flowsim.simulate(short, seed=11)


def _fixed(minutes: float) -> dict:
    return {**FIXED, "mean": minutes}


def test_conveyed_incidents_are_the_ambulance_arrivals(base):
    a, e = base.records.ambulance, base.records.ed
    at = ~np.isnan(a["at_hospital"])
    assert at.sum() > 1000
    # every conveyed patient who reached hospital has an A&E row with the same id and time
    amb = e["ambulance"]
    rows = dict(zip(e["patient_id"][amb].tolist(), e["arrival"][amb].tolist(), strict=True))
    assert set(a["patient_id"][at].tolist()) == set(rows)
    assert all(rows[p] == t for p, t in zip(a["patient_id"][at], a["at_hospital"][at], strict=True))
    # only conveyed incidents reach hospital; hear and treat never gets a crew
    assert (a["outcome"][at] == CONVEYED).all()
    assert np.isnan(a["dispatch"][a["outcome"] == HEAR_TREAT]).all()


def test_conveyance_rate_matches_the_calibrated_attendances(worcs, base):
    # conveyances per day = incidents x conveyed share = ambulance.arrivals_per_day
    sv = worcs.ambulance.service
    assert sv.incidents_per_day * sv.convey_prob == pytest.approx(
        worcs.ambulance.arrivals_per_day, rel=0.01
    )
    a = base.records.ambulance
    share = (a["outcome"] == CONVEYED).mean()
    # binomial sd of a share over ~4,000 incidents is < 0.01: 4 sd band
    assert share == pytest.approx(sv.convey_prob, abs=0.03)


def test_job_cycle_is_causal_and_handover_precedes_clear(short):
    scn = short.with_overrides({"ambulance.service.turnaround_min": _fixed(18)})
    r = flowsim.simulate(scn, seed=3).records
    a, e = r.ambulance, r.ed
    done = ~np.isnan(a["clear"]) & (a["outcome"] == CONVEYED)
    call, disp, scene, hosp, clear = (
        a[k][done] for k in ("call", "dispatch", "at_scene", "at_hospital", "clear")
    )
    assert (call <= disp).all() and (disp < scene).all() and (scene < hosp).all()
    handover = dict(zip(e["patient_id"].tolist(), e["handover"].tolist(), strict=True))
    ho = np.array([handover[p] for p in a["patient_id"][done]])
    # the crew is clear exactly one turnaround after the hospital takes the patient
    assert np.allclose(clear - ho, 18.0)


def test_ample_crews_respond_in_travel_time_exactly(short):
    scn = short.with_overrides(
        {
            "ambulance.service.crews_by_hour": [1000] * 24,
            "ambulance.service.cat1_travel_min": _fixed(6),
            "ambulance.service.travel_min": _fixed(10),
        }
    )
    k = flowsim.simulate(scn, seed=5).kpis
    assert k["ambulance_cat1_mean_min"] == pytest.approx(6.0)
    assert k["ambulance_cat1_p90_min"] == pytest.approx(6.0)
    assert k["ambulance_cat2_mean_min"] == pytest.approx(10.0)


def test_crews_never_exceed_the_roster_and_cat1_goes_first(short):
    roster = [8] * 24  # far too few crews: long queues by category
    scn = short.with_overrides({"ambulance.service.crews_by_hour": roster})
    s = CountySystem(scn, build_cohorts(scn, Streams(2, 0)))
    s.start()
    s.run()
    assert s.ambulance.crews.peak_in_use <= 8
    a = s.ambulance.records.arrays()
    end = (scn.run.warmup_days + scn.run.days) * 1440.0
    sent = a["outcome"] != HEAR_TREAT
    # waits of calls not yet answered at the end count up to the end (censored)
    resp = np.where(np.isnan(a["at_scene"]), end, a["at_scene"]) - a["call"]
    means = [resp[sent & (a["category"] == c)].mean() for c in (1, 2, 3)]
    assert means[0] < means[1] < means[2]


def test_handover_delay_lengthens_the_next_response(short):
    # Fewer A&E spaces, crews held until a space is free: more crew time at hospital
    # and longer Cat 2 responses for the same 999 calls (common random numbers).
    hold = short.with_overrides({"ed.corridor_care_after_min": None})
    tight = hold.with_overrides({"ed.spaces": 55})
    k0 = flowsim.simulate(hold, seed=8).kpis
    k1 = flowsim.simulate(tight, seed=8).kpis
    assert k1["ambulance_crew_hours_at_hospital"] > 1.2 * k0["ambulance_crew_hours_at_hospital"]
    assert k1["ambulance_cat2_mean_min"] > k0["ambulance_cat2_mean_min"]


def test_release_to_respond_with_unlimited_corridor_caps_handover(short):
    # Without receiving nurses (whose queue comes after the corridor move) a crew waits
    # at most the limit plus the handover itself.
    scn = short.with_overrides(
        {
            "ed.corridor_care_after_min": 45,
            "ed.corridor_spaces": None,
            "ambulance.handover_staff_by_hour": None,
        }
    )
    r = flowsim.simulate(scn, seed=8)
    e = r.records.ed
    ho = (e["handover"] - e["arrival"])[e["ambulance"]]
    assert np.nanmax(ho) <= 45 + scn.ambulance.handover_process_min + 1e-6
    assert r.kpis["ambulance_handover_over_60min_pct"] == 0


def test_a_full_corridor_holds_crews_again(short):
    scn = short.with_overrides(
        {"ed.corridor_care_after_min": 45, "ed.corridor_spaces": 2, "ed.spaces": 55}
    )
    r = flowsim.simulate(scn, seed=8)
    e = r.records.ed
    assert r.kpis["ambulance_handover_over_60min_pct"] > 1
    # never more than 2 patients in the corridor at once
    cor = e["corridor"]
    start, end = e["corridor_from"][cor], e["depart"][cor]
    end = np.where(np.isnan(end), np.inf, end)
    ev = np.concatenate([np.c_[start, np.ones_like(start)], np.c_[end, -np.ones_like(end)]])
    ev = ev[np.lexsort((ev[:, 1], ev[:, 0]))]  # departures before arrivals at equal times
    assert np.cumsum(ev[:, 1]).max() <= 2
    assert r.kpis["ed_corridor_hours"] > 0
    assert r.kpis["ed_corridor_over_1h"] >= r.kpis["ed_corridor_over_4h"]


def test_more_hear_and_treat_removes_conveyances_only(short, base):
    more = apply_interventions(short, ["hear_and_treat:reduction_pct=20"])
    a0, a1 = base.records.ambulance, flowsim.simulate(more, seed=11).records.ambulance
    assert np.array_equal(a0["call"], a1["call"])  # the same calls
    c0, c1 = a0["outcome"] == CONVEYED, a1["outcome"] == CONVEYED
    assert (c1 <= c0).all()  # no incident newly conveyed
    assert c1.sum() == pytest.approx(0.8 * c0.sum(), rel=0.05)
    # the see-and-treat share is unchanged; the cut conveyances became hear and treat
    see0, see1 = (a0["outcome"] == SEE_TREAT).sum(), (a1["outcome"] == SEE_TREAT).sum()
    assert see1 == pytest.approx(see0, rel=0.05)
    assert (a1["outcome"] == HEAR_TREAT).sum() > (a0["outcome"] == HEAR_TREAT).sum()


def test_community_response_takes_cat3_4_without_conveyance(short, base):
    scn = apply_interventions(short, ["urgent_community_response:teams=4"])
    a = flowsim.simulate(scn, seed=11).records.ambulance
    ucr = a["outcome"] == COMMUNITY_RESPONSE
    assert ucr.sum() > 50
    assert (a["category"][ucr] >= 3).all()
    assert np.isnan(a["dispatch"][ucr]).all() and np.isnan(a["at_hospital"][ucr]).all()
    assert (a["outcome"] == CONVEYED).sum() < (base.records.ambulance["outcome"] == CONVEYED).sum()


def test_more_crews_cost_and_shorten_responses(short, base):
    scn = apply_interventions(short, ["more_ambulance_crews:extra=5"])
    assert scn.intervention_cost_gbp_per_year == pytest.approx(5 * 14 * 365 * 340)
    k = flowsim.simulate(scn, seed=11).kpis
    assert k["ambulance_cat2_mean_min"] <= base.kpis["ambulance_cat2_mean_min"]
    assert k["ambulance_crew_utilisation_pct"] < base.kpis["ambulance_crew_utilisation_pct"]


def test_without_the_service_response_kpis_are_nan(short):
    k = flowsim.simulate(short.with_overrides({"ambulance.service": None}), seed=1).kpis
    assert np.isnan(k["ambulance_cat2_mean_min"]) and k["ambulance_incidents"] == 0
    assert k["ambulance_handover_within_30min_pct"] >= 0


def test_bad_service_input_names_every_problem(short):
    with pytest.raises(ConfigError) as e:
        short.with_overrides(
            {
                "ambulance.service.crews_by_hour": [3] * 23,
                "ambulance.service.category_mix": [0.5, 0.5, 0.5, 0.0],
                "ed.corridor_spaces": -1,
            }
        )
    msg = str(e.value)
    for part in ["crews_by_hour", "24 values", "category_mix", "summing to 1", "corridor_spaces"]:
        assert part in msg
