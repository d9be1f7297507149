"""Type 3 attendances (minor injury units, urgent treatment centres): their own
practitioners, counted in the all-type figures, and the type 1 department unchanged.

The queue case is worked out by hand: one practitioner, known arrival and treatment
times.
"""

from __future__ import annotations

import numpy as np
import pytest
import simpy

import flowsim
from flowsim.errors import ConfigError
from flowsim.model.ed import EmergencyDepartment
from flowsim.model.engine import Clock
from flowsim.patients import Cohort, Type3Attrs

H = 60.0


def _empty_ed_cohort(name: str) -> Cohort:
    # the walk-in / ambulance cohorts of a run with no type 1 attendances
    from flowsim.patients import CareAttrs, EdAttrs

    return Cohort(name, [], EdAttrs([], [], [], [], [], CareAttrs(*([] for _ in range(12)))))


def test_one_practitioner_sees_type3_patients_in_turn(worcs):
    scn = worcs.with_overrides(
        {
            "ed.type3_arrivals_per_day": 100,
            "ed.type3_practitioners_by_hour": [1] * 24,
            "ed.staff_absence_pct_by_month": [0] * 12,
        }
    )
    clock = Clock(simpy.Environment(), 0)
    ed = EmergencyDepartment(clock, scn, acute=None)
    t3 = Cohort("type3", [0.0, 10.0, 20.0, 200.0], Type3Attrs([30.0, 45.0, 5.0, 20.0]))
    t3.pid0 = 1000
    ed.start(_empty_ed_cohort("ambulance"), _empty_ed_cohort("walkin"), type3=t3)
    clock.run(50.0)
    # two type 3 patients present (one seen, one waiting): not in the department's census
    assert ed.type3_staff.in_use == 1 and ed.in_department == 0
    clock.run(10 * H)
    ed.trim_records()
    r = ed.records.arrays()
    # first come, first served by one practitioner:
    # seen 0, 30, 75, 200; leave 30, 75, 80, 220
    assert r["seen"].tolist() == [0.0, 30.0, 75.0, 200.0]
    assert r["depart"].tolist() == [30.0, 75.0, 80.0, 220.0]
    assert r["type3"].all() and not r["majors"].any() and not r["ambulance"].any()
    assert r["patient_id"].tolist() == [1000, 1001, 1002, 1003]
    # never a majors space nor an A&E clinician
    assert ed.spaces.peak_in_use == 0 and ed.clinicians.peak_in_use == 0
    assert ed.type3_staff.peak_in_use == 1
    assert ed.in_department == 0


def test_type3_units_leave_the_type1_patients_unchanged_and_count_in_all_types(worcs_short):
    # no MH presentations: their share of type 1 attendances is scaled with type 3 units
    # (tested below), which would change the type 1 patients
    base = worcs_short.with_overrides({"ed.mh_fraction": 0})
    with3 = base.with_overrides(
        {
            "ed.type3_arrivals_per_day": 150,
            "ed.type3_practitioners_by_hour": [2] * 8 + [10] * 14 + [2] * 2,
        }
    )
    a = flowsim.simulate(base)
    b = flowsim.simulate(with3)
    ka, kb = a.kpis, b.kpis
    # the type 3 patients have their own stream, practitioners and records: the type 1
    # department is untouched (same patients, same times, same KPIs)
    for k in ("ed_type1_attendances", "ed_type1_pct_within_4h", "ed_dta_waits_4h"):
        assert ka[k] == kb[k], k
    assert ka["ed_attendances"] == ka["ed_type1_attendances"]
    n3 = kb["ed_attendances"] - kb["ed_type1_attendances"]
    # 150 a day over 30 days, Poisson with the urgent-care profile (growth, season):
    # within 5 standard deviations (sqrt(4500) = 67) of the mean
    # growth and the month index move the mean by a few percent: allow 6%
    assert abs(n3 - 150 * 30) < 5 * np.sqrt(150 * 30) + 0.06 * 150 * 30
    e = b.records.ed
    m = e["type3"] & (e["arrival"] >= b.records.warmup_min) & (e["arrival"] < b.records.end_min)
    t = e["depart"][m] - e["arrival"][m]
    within3 = float((t <= 240).sum())
    # all-type 4-hour performance is the ratio of the summed counts
    assert kb["ed_pct_within_4h"] == pytest.approx(
        100.0
        * (ka["ed_type1_pct_within_4h"] / 100.0 * ka["ed_type1_attendances"] + within3)
        / kb["ed_attendances"],
        abs=0.05,  # the few attendances still in A&E at the end (censored) aside
    )
    # 12 hours from arrival is a share of type 1 attendances: the same in both runs
    assert ka["ed_12h_from_arrival_pct"] == kb["ed_12h_from_arrival_pct"]


def test_type3_arrivals_need_practitioners(tmp_path):
    with pytest.raises(ConfigError) as e:
        flowsim.load_scenario("worcestershire", overrides={"ed.type3_arrivals_per_day": 50})
    msg = str(e.value)
    assert "type3_practitioners_by_hour" in msg and "50" in msg


def test_practitioner_roster_needs_24_values():
    with pytest.raises(ConfigError) as e:
        flowsim.load_scenario(
            "worcestershire", overrides={"ed.type3_practitioners_by_hour": [1] * 23}
        )
    assert "type3_practitioners_by_hour must have exactly 24 values (got 23)" in str(e.value)


def test_type3_cohort_is_declared_last():
    # the type 3 cohort is declared last, so no earlier cohort's patient ids move
    from dataclasses import fields

    from flowsim.patients import Cohorts

    assert [f.name for f in fields(Cohorts)][-1] == "type3"


def test_twelve_hours_from_arrival_counts_type1_attendances_only(worcs_short):
    # one practitioner for 100 type 3 attendances a day: their queue grows for days, so
    # many wait 12 hours; the NHS measure (and its share) is of type 1 attendances
    scn = worcs_short.with_overrides(
        {"ed.type3_arrivals_per_day": 100, "ed.type3_practitioners_by_hour": [1] * 24}
    )
    r = flowsim.simulate(scn)
    e = r.records.ed
    m = (e["arrival"] >= r.records.warmup_min) & (e["arrival"] < r.records.end_min)
    t = np.where(np.isnan(e["depart"]), r.records.end_min, e["depart"]) - e["arrival"]
    over = m & (t > 12 * H)
    assert (over & e["type3"]).sum() > 100  # the case is a real test
    assert r.kpis["ed_12h_from_arrival"] == (over & ~e["type3"]).sum()
    assert r.kpis["ed_12h_from_arrival_pct"] == pytest.approx(
        100.0 * (over & ~e["type3"]).sum() / (m & ~e["type3"]).sum()
    )
    daily = r.daily
    assert daily["ed_12h_from_arrival"].sum() <= (~e["type3"] & (t > 12 * H)).sum()


def test_type3_practitioners_follow_the_clinicians_absence(worcs):
    # absence 0% Jan-Jun and 50% Jul-Dec: mean 25%, so January's roster is planned at
    # (1 - 0) / (1 - 0.25) = 4/3 of the listed number: 3 practitioners -> 4 on duty
    scn = worcs.with_overrides(
        {
            "ed.type3_arrivals_per_day": 10,
            "ed.type3_practitioners_by_hour": [3] * 24,
            "ed.staff_absence_pct_by_month": [0] * 6 + [50] * 6,
            "run.start_weekday": 0,
        }
    )
    clock = Clock(simpy.Environment(), 0)
    ed = EmergencyDepartment(clock, scn, acute=None)
    ed.start(
        _empty_ed_cohort("ambulance"),
        _empty_ed_cohort("walkin"),
        type3=Cohort("type3", [], Type3Attrs([])),
    )
    month0 = int(ed.months[0])
    expected = {1: 4, 7: 2}.get(month0)
    assert expected is not None, month0  # the run starts in January or July
    assert ed.type3_staff.capacity == expected


def test_utc_streaming_moves_minors_to_the_type3_units(worcs):
    on = {"ed.type3_arrivals_per_day": 200, "ed.type3_practitioners_by_hour": [10] * 24}
    base = flowsim.load_scenario("worcestershire", overrides=on)
    utc = flowsim.load_scenario(
        "worcestershire",
        overrides=on,
        interventions=["urgent_treatment_centre:minors_diverted_pct=20"],
    )
    w, m = base.ed.walkin_arrivals_per_day, base.ed.walkin_majors_fraction
    moved = w * (1 - m) * 0.2
    assert utc.ed.walkin_arrivals_per_day == pytest.approx(w - moved)
    assert utc.ed.type3_arrivals_per_day == pytest.approx(200 + moved)
    grow = (200 + moved) / 200
    assert utc.ed.type3_practitioners_by_hour == tuple([int(np.ceil(10 * grow))] * 24)
    # and the offered load of the practitioners is checked like any capacity
    load, cap = utc.offered_loads()["ed.type3_practitioners_by_hour"]
    assert load == pytest.approx((200 + moved) / 1440 * 45) and cap == np.ceil(10 * grow)


def test_mental_health_presentations_a_day_are_kept_with_type3_units(worcs):
    # M4's share is of all attendances; the MH patients come to the type 1 department,
    # so moving walk-ins to type 3 units must not move MH presentations with them
    from flowsim.patients import build_cohorts, mh_share_of_type1
    from flowsim.streams import Streams

    base = worcs.with_overrides({"run.days": 120, "run.warmup_days": 0})
    split = base.with_overrides(
        {
            "ed.type3_arrivals_per_day": 212.5,
            "ed.type3_practitioners_by_hour": [10] * 24,
            "ed.walkin_arrivals_per_day": base.ed.walkin_arrivals_per_day - 212.5,
        }
    )
    assert mh_share_of_type1(base) == base.ed.mh_fraction
    amb = base.ambulance.conveyances_per_day()
    w = split.ed.walkin_arrivals_per_day
    assert mh_share_of_type1(split) == pytest.approx(
        base.ed.mh_fraction * (w + amb + 212.5) / (w + amb)
    )

    def mh_count(scn):
        c = build_cohorts(scn, Streams(11, 0))
        return sum(np.count_nonzero(np.asarray(x.attrs.mh)) for x in (c.walkin, c.ambulance))

    a, b = mh_count(base), mh_count(split)
    # ~0.03 x 614 x 120 = 2,200 presentations: Poisson sd ~47 each; 5 sd on the difference
    assert abs(a - b) < 5 * np.sqrt(a + b)
    # and without the scaling the split would have lost about a third of them
    assert b > 0.85 * a
