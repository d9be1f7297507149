"""Discharge services as capacity (issue 16): waits come from staff and places."""

from __future__ import annotations

import numpy as np
from helpers import cohort, cohorts, run_system, tiny_scenario

from flowsim.patients import Cohort, ReablementAttrs

DAY = 1440.0


def with_services(c: Cohort, work_min: float = 240.0, reab: bool = False) -> Cohort:
    """Give a hand-built cohort the discharge-service attributes."""
    n = len(c)
    c.attrs.assess_work_min = [work_min] * n
    c.attrs.reablement = [reab] * n
    c.attrs.reablement_min = [DAY] * n
    c.attrs.reablement_handon = [False] * n
    return c


def assessors(staff, acute=None, discharge=None, **more):
    """The tiny county with stays of 0 (a direct admission is fit at once), no discharge
    window, and ``staff`` assessors by weekday on a 09:00-17:00 shift; ``acute`` and
    ``discharge`` add to those sections, ``more`` are further sections."""
    return tiny_scenario(
        acute={"emergency_los_days": {"kind": "fixed", "mean": 0}, **(acute or {})},
        discharge={
            "use_window": False,
            "weekend_factor": 1.0,
            "assessment_staff_by_weekday": staff,
            "assessment_shift_start_hour": 9,
            "assessment_shift_hours": 8,
            **(discharge or {}),
        },
        **more,
    )


def p1_cases(n: int) -> Cohort:
    """``n`` pathway-1 direct admissions arriving at 01:00 on day 0, fit at once."""
    return with_services(cohort("direct", [60.0] * n, pathway=[1] * n, los=[0.0] * n))


def test_one_assessor_takes_cases_in_turn_within_the_shift():
    # One assessor on shift 09:00-17:00 every day; cases take 4 h. Three P1 patients
    # fit at 01:00 on day 0 (LOS 0, admit at 60): 09:00-13:00, 13:00-17:00, then the
    # third starts only at the next shift (day 1 09:00) and finishes at 13:00.
    scn = assessors([1] * 7, social_care={"home_care_packages": 10})
    s = run_system(scn, cohorts(direct=p1_cases(3)), until_days=3)
    assert s.acute.records.leave == [13 * 60.0, 17 * 60.0, DAY + 13 * 60.0]
    assert list(s.acute.records.referred) == s.acute.records.leave
    # nobody is assessed outside the shift, and pathway 0 never queues for staff
    assert s.assessment.pool.n_waiting == 0


def test_no_staff_at_weekend_holds_cases_to_monday():
    # Staff Monday-Friday only; the run starts on a Friday: a case fit on Friday
    # evening waits for Monday's 09:00 shift and is done at 13:00.
    scn = assessors(
        [1, 1, 1, 1, 1, 0, 0],
        run={"days": 5, "warmup_days": 0, "replications": 1, "seed": 7, "start_weekday": 4},
    )
    direct = with_services(cohort("direct", [18 * 60.0], pathway=[3], los=[0.0]))
    s = run_system(scn, cohorts(direct=direct), until_days=5)
    assert s.acute.records.leave == [3 * DAY + 13 * 60.0]  # Monday 13:00


def test_duplicated_assessment_queues_twice():
    scn = assessors([1] * 7, discharge={"assessment_rounds": 2})
    direct = with_services(cohort("direct", [60.0], pathway=[3], los=[0.0]))
    s = run_system(scn, cohorts(direct=direct), until_days=2)
    assert s.acute.records.leave == [17 * 60.0]  # two 4-hour rounds in turn


def test_reablement_place_is_held_until_home_care_starts():
    # One reablement place (2 visits/day, 2 per person), one home care package held by
    # a community package for 5 days. A community referral at t=0 takes the place for 1
    # day and hands on to home care: it keeps the place until the package is free on
    # day 5, so the hospital P1 patient fit on day 0 waits until then.
    scn = tiny_scenario(
        acute={"emergency_los_days": {"kind": "fixed", "mean": 0}},
        social_care={
            "home_care_packages": 1,
            "reablement_visits_per_day": 2,
            "reablement_visits_per_person_day": 2.0,
        },
        run={"days": 8, "warmup_days": 0, "replications": 1, "seed": 7},
    )
    bg = cohort("hc_background", [0.0], days=[5 * DAY])
    comm = Cohort("reablement_community", [1.0], ReablementAttrs([DAY], [True], [DAY]))
    direct = with_services(cohort("direct", [2.0], pathway=[1], los=[0.0]), reab=True)
    s = run_system(
        scn, cohorts(direct=direct, hc_background=bg, reablement_community=comm), until_days=8
    )
    assert s.acute.records.granted == [5 * DAY]
    r = s.reablement.records
    assert list(r.source) == [2, 0]
    assert np.allclose(np.array(r.start) - np.array(r.request), [0.0, 5 * DAY - 2.0])


def test_part_time_assessor_works_the_first_part_of_the_shift():
    # 1.5 whole-time equivalents: two on shift 09:00-13:00, one 13:00-17:00. Four P1
    # cases fit at 01:00, 4 h each: two finish at 13:00, the third runs 13:00-17:00 (the
    # part-timer has gone, so only one starts), the fourth waits for the next day.
    scn = assessors([1.5] * 7, social_care={"home_care_packages": 10})
    s = run_system(scn, cohorts(direct=p1_cases(4)), until_days=3)
    assert sorted(s.acute.records.referred) == [13 * 60.0, 13 * 60.0, 17 * 60.0, DAY + 13 * 60.0]


def _push_scenario(escalated: bool, extra: float):
    """One assessor, 4-hour cases, escalation by calendar in every month (or never)."""
    return assessors(
        [1] * 7,
        acute={
            "escalation_trigger": "calendar",
            "escalation_beds": 1 if escalated else 0,
            "escalation_months": list(range(1, 13)),
            "escalation_extra_assessors": extra,
        },
        social_care={"home_care_packages": 10},
    )


def test_escalation_discharge_push_adds_assessors_only_while_escalated():
    # As the one-assessor case above, but while the trust is escalated two more staff
    # join each shift: the three cases fit at 01:00 are all done at 13:00 on day 0.
    s = run_system(_push_scenario(True, 2.0), cohorts(direct=p1_cases(3)), until_days=3)
    assert s.acute.records.leave == [13 * 60.0] * 3
    assert s.assessment.extra == 2.0
    # not escalated: the push never starts (the one assessor takes the cases in turn)
    s = run_system(_push_scenario(False, 2.0), cohorts(direct=p1_cases(3)), until_days=3)
    assert s.acute.records.leave == [13 * 60.0, 17 * 60.0, DAY + 13 * 60.0]
    assert s.assessment.extra == 0.0


def test_escalation_discharge_push_is_costed_per_escalated_day():
    import flowsim

    on = _push_scenario(True, 2.0)
    off = _push_scenario(True, 0.0)
    k_on = flowsim.simulate(on, seed=1).kpis
    k_off = flowsim.simulate(off, seed=1).kpis
    days = k_on["escalation_days"]
    assert days == on.run.days  # escalated at every midnight of the period
    extra = k_on["cost_total_gbp"] - k_off["cost_total_gbp"]
    assert extra == 2.0 * days * on.costs.escalation_assessor_day_gbp
