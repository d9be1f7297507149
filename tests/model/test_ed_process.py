"""The A&E process of issue 17 item 3: SDEC routing, mental-health bed waits, the stages.

The small cases are worked out by hand: one SDEC chair with known hours, one MH bed with
known stays.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import simpy

import flowsim
from flowsim.errors import ConfigError
from flowsim.model.engine import Clock
from flowsim.model.mental_health import MentalHealthBeds
from flowsim.model.sdec import SameDayCare
from flowsim.patients import Cohort, StayAttrs
from flowsim.records import KIND_DIRECT, KIND_ED

H = 60.0


def _clock() -> Clock:
    return Clock(simpy.Environment(), 0)  # day 0 is a Monday


def _at(clock: Clock, t: float, fn, *args) -> None:
    clock.at(t - clock.now, fn, *args)


def test_sdec_takes_a_patient_only_when_open_taking_and_a_chair_is_free(worcs):
    scn = worcs.with_overrides(
        {
            "sdec.chairs": 1,
            "sdec.open_hour_by_weekday": [8, 8, 8, 8, 8, 0, 0],
            "sdec.close_hour_by_weekday": [20, 20, 20, 20, 20, 0, 0],  # closed at weekends
            "sdec.last_referral_before_close_h": 2,
        }
    )
    clock = _clock()
    sd = SameDayCare(clock, scn, acute=None)
    taken: list[tuple[float, bool]] = []

    def ask(stay: float) -> None:
        taken.append((clock.now, sd.take(stay)))

    _at(clock, 7 * H, ask, 60.0)  # closed: before 08:00
    _at(clock, 9 * H, ask, 120.0)  # open, chair free: taken until 11:00
    _at(clock, 10 * H, ask, 60.0)  # the one chair is busy: full
    _at(clock, 11 * H + 1, ask, 300.0)  # chair free again: taken until 16:01
    _at(clock, 17 * H, ask, 60.0)  # the chair freed at 16:01: taken
    _at(clock, 18.5 * H, ask, 60.0)  # within 2 h of closing: not taking patients
    _at(clock, 9 * H, ask, -1.0)  # unsuitable patient (stay -1): never taken
    _at(clock, 5 * 24 * H + 9 * H, ask, 60.0)  # Saturday: closed all day
    clock.run(6 * 24 * H)
    # in time order (at 09:00 the unsuitable patient sorts first)
    assert [ok for _, ok in sorted(taken)] == [False, False, True, False, True, True, False, False]
    # chair-minutes: 120 + 300 + 60; open chair-minutes over Mon-Fri: 5 x 12 h x 1 chair
    assert sd.managed == 3 and sd.chair_min == 480.0
    census = sd.snapshot()
    assert census[1:] == (3, 480, 5 * 12 * 60)


def test_direct_referral_goes_to_a_bed_when_sdec_cannot_take_it(worcs):
    scn = worcs.with_overrides({"sdec.chairs": 1})

    class Beds:
        def __init__(self) -> None:
            self.direct: list[int] = []

        def arrive_direct(self, c: Cohort, i: int) -> None:
            self.direct.append(i)

    clock = _clock()
    beds = Beds()
    sd = SameDayCare(clock, scn, acute=beds)
    c = Cohort("direct", [], SimpleNamespace(sdec_min=[100.0, 100.0, -1.0]))
    _at(clock, 10 * H, sd.arrive_direct, c, 0)  # taken (Monday 10:00, chair free)
    _at(clock, 10 * H + 5, sd.arrive_direct, c, 1)  # full: admitted
    _at(clock, 13 * H, sd.arrive_direct, c, 2)  # not suitable: admitted
    _at(clock, 3 * H, sd.arrive_direct, c, 0)  # closed (03:00): admitted
    clock.run(24 * H)
    assert sorted(beds.direct) == [0, 1, 2] and sd.managed == 1


def test_mh_bed_waits_worked_by_hand(worcs):
    # One bed, occupied at the start for 100 min. A community referral at t=10 and an A&E
    # patient at t=20 both wait; A&E is served first: bed at 100 (stay 50, leaves 150),
    # then the community referral at 150.
    scn = worcs.with_overrides({"mental_health.beds": 1})
    clock = _clock()
    mh = MentalHealthBeds(clock, scn)
    log: list[tuple[str, float]] = []
    mh.start(Cohort("mh_prefill", [0.0], StayAttrs([100.0])), Cohort("c", [], StayAttrs([])))
    comm = Cohort("mh_community", [10.0], StayAttrs([500.0]))
    _at(clock, 10.0, mh._community, comm, 0)
    _at(clock, 20.0, mh.request_from_ed, "p", 50.0, lambda p: log.append((p, clock.now)))
    clock.at(60.0, lambda: log.append(("census", mh.snapshot())))
    clock.at(149.0, lambda: log.append(("census", mh.snapshot())))
    clock.at(151.0, lambda: log.append(("census", mh.snapshot())))
    clock.run(1000.0)
    assert log[0] == ("census", (1, 1, 1, 1))  # bed full, one of each waiting
    assert log[1] == ("p", 100.0)
    assert log[2] == ("census", (1, 1, 0, 1))
    assert log[3] == ("census", (1, 1, 0, 0))  # the community referral has the bed


@pytest.fixture(scope="module")
def mh_run(worcs_short):
    scn = worcs_short.with_overrides(
        {
            "ed.mh_bed_prob": 0.1,
            "mental_health.beds": 3,
            "mental_health.los_days": {"kind": "fixed", "mean": 2},
        }
    )
    return scn, flowsim.simulate(scn, seed=5)


def test_mh_patients_wait_in_ae_for_a_bed(mh_run):
    scn, res = mh_run
    e = res.records.ed
    mh = e["mh"]
    # about 3% of attendances (M4)
    assert 0.02 < mh.mean() < 0.04
    wants = ~np.isnan(e["mh_bed_request"])
    assert wants.sum() > 10 and not (wants & ~mh).any()
    assert np.isnan(e["dta"][wants]).all()  # an MH bed, not an acute one
    gone = wants & ~np.isnan(e["depart"])
    # three beds of 2-day stays (1.5 a day) for ~2 requests a day: the queue grows, so most
    # wait a long time for one, holding their majors space meanwhile
    wait = e["depart"][gone] - e["mh_bed_request"][gone]
    assert (wait >= 0).all() and np.median(wait) > 12 * 60
    assert e["majors"][wants].all()
    assert res.kpis["ed_mh_24h_pct"] > 0


def test_stages_recorded_in_order(mh_run):
    _, res = mh_run
    e = res.records.ed
    walk = ~e["ambulance"] & ~np.isnan(e["seen"])
    assert (e["triaged"][walk] >= e["arrival"][walk]).all()
    assert (e["seen"][walk] >= e["triaged"][walk]).all()
    amb = e["ambulance"] & ~np.isnan(e["handover"])
    assert (e["triaged"][amb] == e["handover"][amb]).all()
    sdec = e["sdec"]
    assert sdec.any() and np.isnan(e["dta"][sdec]).all()
    assert (e["depart"][sdec] >= e["seen"][sdec]).all()


def _bed_requests(res) -> int:
    a = res.records.acute
    return int(np.isin(a["kind"], (KIND_ED, KIND_DIRECT)).sum())


def test_more_sdec_capacity_lowers_bed_requests(worcs_short):
    # the same patients (common random numbers) with more chairs / longer hours
    base = flowsim.simulate(worcs_short, seed=11)
    more = flowsim.simulate(worcs_short.with_overrides({"sdec.chairs": 30}), seed=11)
    none = flowsim.simulate(worcs_short.with_overrides({"sdec.chairs": 0}), seed=11)
    assert _bed_requests(more) < _bed_requests(base) < _bed_requests(none)
    assert more.kpis["sdec_managed"] > base.kpis["sdec_managed"] > 0
    assert none.kpis["sdec_managed"] == 0
    assert 0 < base.kpis["sdec_utilisation_pct"] <= 100


def test_admissions_follow_e12_by_arrival_hour(worcs):
    from flowsim.patients import build_cohorts
    from flowsim.streams import Streams

    scn = worcs.with_overrides({"run.days": 60, "run.warmup_days": 0})
    c = build_cohorts(scn, Streams(3, 0))
    t = np.asarray(c.walkin.t)
    adm = np.asarray(c.walkin.attrs.admit)
    block = ((t % 1440) // 360).astype(int)
    share = np.bincount(block[adm], minlength=4) / adm.sum()
    assert share == pytest.approx(scn.ed.admitted_arrival_share_by_6h, abs=0.02)


@pytest.mark.parametrize(
    "overrides, words",
    [
        ({"sdec.open_hour_by_weekday": [8] * 6}, "exactly 7 values"),
        ({"sdec.close_hour_by_weekday": [7] * 7}, "closes before it opens"),
        ({"sdec.close_hour_by_weekday": [25] * 7}, "sdec.close_hour_by_weekday"),
        ({"ed.admitted_arrival_share_by_6h": [0.3, 0.3, 0.3, 0.3]}, "must sum to 1"),
        ({"ed.mh_fraction": 1.5}, "ed.mh_fraction"),
        ({"mental_health.beds": -1}, "mental_health.beds"),
    ],
)
def test_bad_ed_process_settings_are_config_errors(worcs, overrides, words):
    with pytest.raises(ConfigError) as e:
        worcs.with_overrides(overrides)
    assert words in str(e.value)


def test_mh_beds_without_mh_patients_run(worcs_short):
    # an MH pool but no MH presentations: community admissions only, A&E unaffected
    scn = worcs_short.with_overrides({"ed.mh_fraction": 0.0, "run.days": 5})
    res = flowsim.simulate(scn, seed=2)
    assert res.kpis["ed_mh_attendances"] == 0
    assert res.kpis["mh_bed_occupancy_pct"] > 0
