"""Exact event logs of tiny systems: every time below is derived by hand."""

from __future__ import annotations

import numpy as np
from helpers import cohort, cohorts, run_system, tiny_scenario

DAY = 1440.0


def ed_log(system):
    return [
        (a, h, s, d)
        for a, h, s, d in zip(
            system.ed.records.arrival,
            system.ed.records.handover,
            system.ed.records.seen,
            system.ed.records.depart,
            strict=True,
        )
    ]


def nan_to_none(x):
    return None if x != x else x


def test_one_space_one_clinician_fifo_walkin_majors():
    # assess 20, treat 60: patient 1 holds the space 0-80, patient 2 gets it at 80
    # (seen 80, leaves 160), patient 3 at 160 (leaves 240).
    scn = tiny_scenario()
    c = cohorts(walkin=cohort("walkin", [0.0, 5.0, 10.0]))
    s = run_system(scn, c, until_days=1)
    assert s.ed.records.seen == [0.0, 80.0, 160.0]
    assert s.ed.records.depart == [80.0, 160.0, 240.0]
    assert s.ed.in_department == 0 and s.ed.spaces.in_use == 0


def test_ambulance_handover_waits_for_space_in_arrival_order():
    # Walk-in A (t=0) holds the space until 80. Walk-in B queues at t=1, ambulance C at t=2.
    # Spaces go in arrival order: B gets it at 80 and leaves 160; C's crew then hands
    # over 160-170, C is seen at 170 and leaves 250.
    scn = tiny_scenario()
    c = cohorts(
        walkin=cohort("walkin", [0.0, 1.0]),
        ambulance=cohort("ambulance", [2.0]),
    )
    s = run_system(scn, c, until_days=1)
    # records are in arrival order: A (0), B (1), C (2)
    assert s.ed.records.arrival == [0.0, 1.0, 2.0]
    assert [nan_to_none(x) for x in s.ed.records.handover] == [None, None, 170.0]
    assert s.ed.records.seen == [0.0, 80.0, 170.0]
    assert s.ed.records.depart == [80.0, 160.0, 250.0]


def test_corridor_care_after_the_limit_frees_the_crew_and_takes_no_space():
    # Corridor care after 30 min. Walk-in A (t=0) holds the only space 0-80 (clinician
    # 0-20). Walk-in B (t=1) and ambulance C (t=2) queue for it. At 31 B goes to the
    # corridor: seen 31, assessed by 51, leaves 111. At 32 C's crew hands over (32-42);
    # C waits for the clinician until 51, assessed by 71, leaves 131. Walk-in D (t=60)
    # queues, gets the space A frees at 80 (before its limit at 90): seen 80, leaves 160.
    # B and C never held a space, so their departures free none.
    scn = tiny_scenario(ed={"corridor_care_after_min": 30})
    c = cohorts(
        walkin=cohort("walkin", [0.0, 1.0, 60.0]),
        ambulance=cohort("ambulance", [2.0]),
    )
    s = run_system(scn, c, until_days=1)
    assert s.ed.records.arrival == [0.0, 1.0, 2.0, 60.0]
    assert s.ed.records.corridor == [False, True, True, False]
    assert [nan_to_none(x) for x in s.ed.records.handover] == [None, None, 42.0, None]
    assert s.ed.records.seen == [0.0, 31.0, 51.0, 80.0]
    assert s.ed.records.depart == [80.0, 111.0, 131.0, 160.0]
    assert s.ed.spaces.in_use == 0 and s.ed.spaces.n_waiting == 0 and not s.ed.corridor


def test_minors_need_no_space_but_wait_for_the_clinician_behind_majors():
    # Majors M at 0 takes space and clinician (assess 0-20). Minor m arrives 1 and waits
    # for the clinician until 20, assess 20-40, treat 30 -> leaves 70, while M leaves 80.
    scn = tiny_scenario()
    c = cohorts(walkin=cohort("walkin", [0.0, 1.0], majors=[True, False], ed_treat=[60.0, 30.0]))
    s = run_system(scn, c, until_days=1)
    assert s.ed.records.seen == [0.0, 20.0]
    assert s.ed.records.depart == [80.0, 70.0]


def test_exit_block_holds_the_space_until_a_bed_is_free():
    # One bed, LOS 1 day. Patient 1 decided to admit at 80, bed at once, leaves A&E at 80.
    # Patient 2 (t=5) gets the space at 80, decision at 160, but the bed is busy until
    # 80 + 1440 = 1520: A&E departure (admission) at 1520, trolley wait 1360 min.
    scn = tiny_scenario(acute={"beds": 1})
    c = cohorts(walkin=cohort("walkin", [0.0, 5.0], admit=[True, True]))
    s = run_system(scn, c, until_days=2)
    assert s.ed.records.dta == [80.0, 160.0]
    assert s.ed.records.depart == [80.0, 1520.0]
    assert s.acute.records.admit == [80.0, 1520.0]
    # Patient 2 becomes fit at 1520 + 1440 = 2960, after the run ends at 2880.
    assert s.acute.records.fit[0] == 1520.0 and np.isnan(s.acute.records.fit[1])
    assert s.acute.records.leave[0] == 1520.0


def test_pathway2_to_community_then_home_care():
    # Direct admission at t=0, LOS 1 day -> fit 1440; pathway 2 assessment 0.5 day -> community
    # bed requested and granted at 2160, leaves acute then. Community LOS 2 days -> fit 5040;
    # onward home care (assessment 0) -> package granted at once, leaves at 5040.
    scn = tiny_scenario()
    direct = cohort("direct", [0.0], pathway=[2], assess=[720.0], comm_los=[2 * DAY], onward=[1])
    s = run_system(scn, cohorts(direct=direct), until_days=4)
    assert (
        s.acute.records.admit,
        s.acute.records.fit,
        s.acute.records.leave,
        s.acute.records.pathway,
    ) == ([0.0], [1440.0], [2160.0], [2])
    assert (s.community.records.admit, s.community.records.fit, s.community.records.leave) == (
        [2160.0],
        [5040.0],
        [5040.0],
    )
    assert s.social.records.request == [5040.0] and s.social.records.start == [5040.0]


def test_delayed_discharge_waits_for_care_home_place():
    # One care-home place, occupied by a background resident until day 3 (4320).
    # Patient fit at 1440 on pathway 3 waits in the acute bed until 4320.
    scn = tiny_scenario(social_care={"care_home_places": 1})
    pre = cohort("ch_prefill", [0.0], days=[3 * DAY])
    direct = cohort("direct", [0.0], pathway=[3])
    s = run_system(scn, cohorts(direct=direct, ch_prefill=pre), until_days=4)
    assert s.acute.records.fit == [1440.0] and s.acute.records.leave == [3 * DAY]
    assert s.acute.delayed == [0, 0, 0, 0]


def test_discharge_window_applies_when_enabled():
    # Window 10:00-20:00, slot u=0.5 -> 15:00. Fit at 1440 + 60 (Tuesday 01:00) -> leaves 15:00.
    scn = tiny_scenario(
        discharge={"use_window": True, "window_start_hour": 10, "window_end_hour": 20}
    )
    direct = cohort("direct", [60.0], dis_hour=[0.5])
    s = run_system(scn, cohorts(direct=direct), until_days=3)
    assert s.acute.records.leave == [DAY + 15 * 60]


def test_elective_scheduler_priority_cancellation_and_relisting():
    # One bed; one ordinary theatre slot per weekday at 07:30 (450 min); cancel after 1 h.
    # List: A clock -100 routine, B clock -300 urgent, C clock -200 routine.
    # Day 0 (Mon): B (urgent) first -> bed, LOS 1.5 days -> leaves day 1 at 19:30 (2610).
    # Day 1: A? no: C has the older clock (-200) -> booked 1890, no bed -> cancelled 1950, relisted.
    # Day 2: C again -> bed free since 2610 -> admitted at 2 * 1440 + 450 = 3330.
    scn = tiny_scenario(
        elective={"admissions_per_weekday": 1, "day_case_fraction": 0.0, "cancel_after_hours": 1},
        acute={"beds": 1, "elective_los_days": {"kind": "fixed", "mean": 1.5}},
        run={"days": 3},
    )
    refs = cohort(
        "referral", [-100.0, -300.0, -200.0], urgent=[False, True, False], los=[1.5 * DAY] * 3
    )
    s = run_system(scn, cohorts(referrals=refs), until_days=3)
    assert s.elective.admissions.admit_t == [450.0, 2 * DAY + 450.0]
    assert s.elective.admissions.admit_clock == [-300.0, -200.0]
    assert s.elective.cancellations.cancel_t == [DAY + 510.0]
    assert list(s.elective.clock_starts()) == [-100.0]


def test_day_cases_need_no_bed():
    scn = tiny_scenario(
        elective={"admissions_per_weekday": 2, "day_case_fraction": 1.0}, acute={"beds": 0}
    )
    refs = cohort("referral", [-5.0, -4.0, -3.0], day_case=[True] * 3)
    s = run_system(scn, cohorts(referrals=refs), until_days=1)
    assert s.elective.admissions.admit_t == [450.0, 450.0] and list(
        s.elective.admissions.admit_day_case
    ) == [True, True]
    assert len(s.elective) == 1


def test_background_demand_competes_for_home_care():
    # One package. Background person at t=10 takes it for 1 day. Patient fit at 1440 on
    # pathway 1 waits until 1450.
    scn = tiny_scenario(social_care={"home_care_packages": 1})
    bg = cohort("hc_background", [10.0], days=[DAY])
    direct = cohort("direct", [0.0], pathway=[1])
    s = run_system(scn, cohorts(direct=direct, hc_background=bg), until_days=3)
    assert s.acute.records.leave == [1450.0]
    waits = np.array(s.social.records.start) - np.array(s.social.records.request)
    assert list(waits) == [0.0, 10.0]
