"""Issue 16, second part: D2A beds, community-bed rules, pathway 3, home care split.

Tiny hand-built scenarios whose event times are derived by hand in each test.
"""

from __future__ import annotations

import copy

import pytest
from helpers import cohort, cohorts, run_system, tiny_scenario

from flowsim.config import deep_merge, validate
from flowsim.errors import ConfigError
from flowsim.kpis import BY_NAME

DAY = 1440.0
LOS0 = {"emergency_los_days": {"kind": "fixed", "mean": 0}}


def _p2(times: list[float], d2a: list[bool]):
    c = cohort("direct", times, pathway=[2] * len(times), los=[0.0] * len(times))
    c.attrs.d2a = list(d2a)
    return c


def test_d2a_bed_binds_on_hospital_pathway2_and_not_on_step_up():
    # One D2A bed, five free community hospital beds. Two P2 patients suited to D2A fit
    # at 60 min: the first leaves at once, the second waits until the first's 1-day D2A
    # stay ends at 60 + DAY, although community hospital beds are free. A step-up
    # patient at 30 min takes a community hospital bed (never the D2A bed).
    scn = tiny_scenario(acute=LOS0, community={"d2a_beds": 1, "d2a_share": 1.0})
    step = cohort("community_stepup", [30.0], comm_los=[3 * DAY])
    s = run_system(scn, cohorts(direct=_p2([60.0, 60.0], [True, True]), community_stepup=step))
    assert s.acute.records.granted == [60.0, 60.0 + DAY]
    assert s.community.d2a.peak_in_use == 1
    assert s.community.beds.in_use == 1  # the step-up patient, still in their bed
    # a P2 patient not suited to D2A goes to a community hospital bed at once
    s = run_system(scn, cohorts(direct=_p2([60.0, 60.0], [True, False])))
    assert s.acute.records.granted == [60.0, 60.0]


@pytest.mark.parametrize(
    ("community", "granted"),
    [
        ({"beds": 1, "discharge_priority": True}, 2 * DAY),  # hospital first
        ({"beds": 1, "discharge_priority": False}, 3 * DAY),  # first come, first served
        ({"beds": 2, "hospital_bed_share": 0.5}, 60.0),  # one bed kept for hospital P2
    ],
)
def test_community_bed_rule(community, granted):
    # Step-up A arrives at 0 and stays 2 days; step-up B arrives at 10 min and stays a
    # day; hospital P2 patient C is fit at 60. Hospital first: C takes A's bed at day 2.
    # FIFO: B does, and C waits for B to leave at day 3. Split: C has a bed of its own.
    scn = tiny_scenario(acute=LOS0, community=community, run={"days": 5})
    step = cohort("community_stepup", [0.0, 10.0], comm_los=[2 * DAY, DAY])
    s = run_system(scn, cohorts(direct=_p2([60.0], [False]), community_stepup=step))
    assert s.acute.records.granted == [granted]


def _p3(times: list[float], chc: list[bool], decide: list[float]):
    n = len(times)
    c = cohort("direct", times, pathway=[3] * n, los=[0.0] * n)
    c.attrs.chc = list(chc)
    c.attrs.chc_work_min = [2 * DAY if x else float("nan") for x in chc]
    c.attrs.p3_decide_min = list(decide)
    return c


def test_chc_assessors_are_a_capacity_and_choice_takes_the_patients_time():
    # One CHC assessor, 2 days a case. Two CHC patients fit at 60: places are sought at
    # 60 + 2 days and 60 + 4 days (the second waits for the assessor). A third, not CHC,
    # takes a 1-day choice decision: its place is sought at 60 + 1 day.
    scn = tiny_scenario(
        acute=LOS0,
        discharge={"chc_share": 0.5, "chc_assessors": 1, "choice_share": 0.5},
        run={"days": 6},
    )
    d = _p3([60.0] * 3, [True, True, False], [0.0, 0.0, DAY])
    s = run_system(scn, cohorts(direct=d))
    assert s.acute.records.referred == [60.0 + 2 * DAY, 60.0 + 4 * DAY, 60.0 + DAY]
    assert s.acute.records.granted == s.acute.records.referred  # places were free
    # without assessors CHC is not a capacity: only the decision times remain
    scn = tiny_scenario(acute=LOS0, discharge={"chc_share": 0.5, "choice_share": 0.5})
    s = run_system(scn, cohorts(direct=_p3([60.0] * 3, [True, True, False], [0.0, 0.0, DAY])))
    assert s.acute.records.referred == [60.0, 60.0, 60.0 + DAY]


@pytest.mark.parametrize(("share", "granted"), [(None, 5 * DAY), (0.5, 60.0)])
def test_home_care_split_keeps_packages_for_discharges(share, granted):
    # Two packages; two community requests at 0 and 1 min hold packages for 5 days. Shared:
    # both packages go to them and the P1 patient fit at 60 waits to day 5. Split half and
    # half: the second community request waits; the patient takes the discharge package.
    scn = tiny_scenario(
        acute=LOS0,
        social_care={"home_care_packages": 2, "home_care_hospital_share": share},
        run={"days": 6},
    )
    bg = cohort("hc_background", [0.0, 1.0], days=[5 * DAY, 5 * DAY])
    p1 = cohort("direct", [60.0], pathway=[1], los=[0.0])
    s = run_system(scn, cohorts(direct=p1, hc_background=bg))
    assert s.acute.records.granted == [granted]
    # on day 2 one person waits: the patient (shared: both packages in community use) or
    # the second community request (split: the patient's 1-day package has ended)
    s = run_system(scn, cohorts(direct=p1, hc_background=bg), until_days=2)
    cap, used, queue, *_, community_queue = s.social.snapshot()
    expected = (2, 2, 1, 0) if share is None else (2, 1, 1, 1)
    assert (cap, used, queue, community_queue) == expected


@pytest.mark.parametrize(
    "change",
    [
        {"discharge": {"chc_share": 1.5}},
        {"discharge": {"chc_assessors": -1}},
        {"community": {"d2a_share": -0.1}},
        {"community": {"hospital_bed_share": 2}},
        {"social_care": {"home_care_hospital_share": 1.2}},
        {"social_care": {"care_home_self_funder_share": 1.01}},
    ],
)
def test_new_settings_are_validated(change):
    from helpers import TINY

    with pytest.raises(ConfigError):
        validate(deep_merge(copy.deepcopy(TINY), change))


def test_new_kpis_are_in_the_table():
    for name in (
        "d2a_waiting_mean",
        "community_bed_waiting_from_acute_mean",
        "chc_waiting_mean",
        "delayed_share_awaiting_care_home_pct",
        "delayed_share_awaiting_p2_bed_pct",
    ):
        assert BY_NAME[name].definition


def test_unmet_need_thins_candidates_by_the_people_waiting():
    # One package, held for 5 days by a community request at 0; a second community
    # request at 1 min waits (1 person with unmet need). Rate 0.5 per person-day, ceiling
    # 1 a day: a candidate is admitted if its uniform < 0.5 x waiting / 1. Candidates at
    # 0.5 min (nobody waiting yet, u 0), day 1 (u 0.4: admitted), day 2 (u 0.6: not).
    scn = tiny_scenario(
        social_care={
            "home_care_packages": 1,
            "unmet_need_admissions_per_person_day": 0.5,
            "unmet_need_max_per_day": 1.0,
        },
        run={"days": 4},
    )
    bg = cohort("hc_background", [0.0, 1.0], days=[5 * DAY, 5 * DAY])
    cand = cohort("unmet_need", [0.5, DAY, 2 * DAY])
    cand.attrs.crisis_u = [0.0, 0.4, 0.6]
    s = run_system(scn, cohorts(hc_background=bg, unmet_need=cand))
    assert s.acute.records.request == [DAY]
    assert s.unmet_need.admitted == 1
    assert s.unmet_need.snapshot() == (1,)


def test_unmet_need_feedback_raises_admissions_when_home_care_is_cut():
    # Same seed: with the feedback on (0.01 admissions per person-day, D), cutting home
    # care to 1,500 packages (-35%) makes community referrals queue, and the admissions
    # they generate match rate x person-days waiting (the midnight census mean x days):
    # Poisson, so within 4 sd, plus 10% for a queue counted at midnight but growing
    # through the day. At baseline almost nobody waits, so almost no admissions.
    import flowsim
    from flowsim.metrics import compute_kpis
    from flowsim.model.system import simulate_replication

    rate = 0.01
    sets = ["run.days=60", "run.warmup_days=30"]
    sets.append(f"social_care.unmet_need_admissions_per_person_day={rate}")
    base = flowsim.load_scenario("worcestershire", sets)
    cut = flowsim.load_scenario("worcestershire", [*sets, "social_care.home_care_packages=1500"])
    kb = compute_kpis(simulate_replication(base, 11), base)
    kc = compute_kpis(simulate_replication(cut, 11), cut)
    assert kc["unmet_need_waiting_mean"] > kb["unmet_need_waiting_mean"] + 20
    expected = rate * kc["unmet_need_waiting_mean"] * 60
    assert abs(kc["unmet_need_admissions"] - expected) < 4 * expected**0.5 + 0.1 * expected
    assert kb["unmet_need_admissions"] <= 3
