"""The elective waiting list: data structure, policies, theatre minutes, monotonicity."""

from __future__ import annotations

import math

import numpy as np
import pytest

import flowsim
from flowsim.errors import ConfigError
from flowsim.interventions import apply_interventions
from flowsim.model.theatres import theatre_plan, weekly_cases
from flowsim.model.waiting_list import BOOKED, REMOVED, WaitingList

WEEK = 7 * 1440.0


# ----------------------------------------------------------------- unit: the list
def test_priority_policy_serves_planned_then_p2_p3_p4_each_in_turn():
    wl = WaitingList(1, 6, "priority", (4 * WEEK, 13 * WEEK, 18 * WEEK))
    # (priority, clock start) for rows 0..5
    for row, (pri, clock) in enumerate(
        [(4, -50.0), (3, -10.0), (2, 0.0), (4, -60.0), (0, 5.0), (3, -20.0)]
    ):
        wl.push(0, pri, clock, row)
    order = [wl.pop(0)[2] for _ in range(6)]
    assert order == [4, 2, 5, 1, 3, 0]
    assert wl.pop(0) is None and wl.n_waiting == 0


def test_longest_wait_and_due_date_policies():
    rows = [(4, -50 * WEEK), (2, -1 * WEEK), (3, -12 * WEEK)]
    lw = WaitingList(1, 3, "longest_wait", (4 * WEEK, 13 * WEEK, 18 * WEEK))
    dd = WaitingList(1, 3, "due_date", (4 * WEEK, 13 * WEEK, 18 * WEEK))
    for row, (pri, clock) in enumerate(rows):
        lw.push(0, pri, clock, row)
        dd.push(0, pri, clock, row)
    assert [lw.pop(0)[2] for _ in range(3)] == [0, 2, 1]
    # due dates: -32, +3 and +1 weeks
    assert [dd.pop(0)[2] for _ in range(3)] == [0, 2, 1]
    with pytest.raises(ValueError, match="policy"):
        WaitingList(1, 1, "shortest_first", (1.0, 1.0, 1.0))


def test_removed_entries_are_skipped_and_counted_once():
    wl = WaitingList(2, 3, "priority", (1.0, 1.0, 1.0))
    wl.push(1, 4, 0.0, 0)
    wl.push(1, 4, 1.0, 1)
    wl.push(2, 4, 2.0, 2)
    assert wl.remove(0) and not wl.remove(0)
    assert wl.status[0] == REMOVED and wl.n_waiting == 2
    assert wl.has_waiting(1)
    item = wl.pop(1)
    assert item[2] == 1 and wl.status[1] == BOOKED
    assert not wl.remove(1)  # booked: no longer removable
    assert not wl.has_waiting(1)
    assert [it[2] for it in wl.waiting_items()] == [2]


def _policy_key(policy, target_min, priority, clock, row):
    """The policies' order written out: planned first, then the policy's key, then
    clock start, then row (the reference the list's one-item-shorter rank must match)."""
    if priority == 0:
        return (0, clock, clock, row)
    key = {"priority": float(priority), "longest_wait": 0.0}.get(policy)
    return (1, clock + target_min[priority - 2] if key is None else key, clock, row)


@pytest.mark.parametrize("policy", ["priority", "longest_wait", "due_date"])
def test_pop_order_is_the_policy_order_with_ties_removals_and_relisting(policy):
    # Clock starts on a coarse grid (many ties), a target that makes due dates tie
    # across priorities, pops interleaved with pushes, removals and relisting.
    rng = np.random.default_rng(7)
    target = (2 * WEEK, 3 * WEEK, 4 * WEEK)
    n = 3000
    wl = WaitingList(1, n, policy, target)
    ref = {}  # row -> reference key of the rows waiting
    pri = rng.choice([0, 2, 3, 4], size=n)
    clock = rng.integers(-20, 20, size=n) * WEEK / 2
    popped, expected = [], []
    for row in range(n):
        wl.push(0, int(pri[row]), float(clock[row]), row)
        ref[row] = _policy_key(policy, target, int(pri[row]), float(clock[row]), row)
        if row % 5 == 4 and wl.remove(row - 2):
            del ref[row - 2]
        if row % 3 == 2:
            item = wl.pop(0)
            expected.append(min(ref.values())[3])
            popped.append(item[2])
            del ref[item[2]]
            assert item[1] == clock[item[2]]
            if row % 9 == 8:  # relisted with its original clock start
                wl.push(0, int(pri[item[2]]), item[1], item[2])
                ref[item[2]] = _policy_key(policy, target, int(pri[item[2]]), item[1], item[2])
    while wl.has_waiting(0):
        expected.append(min(ref.values())[3])
        popped.append(wl.pop(0)[2])
        del ref[popped[-1]]
    assert popped == expected and not ref and wl.n_waiting == 0


@pytest.mark.parametrize("policy", ["priority", "longest_wait", "due_date"])
def test_waiting_items_can_leave_out_planned_cases(policy):
    wl = WaitingList(2, 4, policy, (1.0, 2.0, 3.0))
    for row, (heap, pri) in enumerate([(0, 0), (0, 4), (1, 2), (1, 0)]):
        wl.push(heap, pri, 10.0 * row, row)
    wl.remove(2)
    assert sorted(it[2] for it in wl.waiting_items()) == [0, 1, 3]
    assert [(it[1], it[2]) for it in wl.waiting_items(planned=False)] == [(10.0, 1)]


# ------------------------------------------------------- unit: theatre capacity
def test_theatre_minutes_follow_sessions_utilisation_and_weekend_lists():
    scn = flowsim.load_scenario("configs/worcestershire.yaml")
    el = scn.elective
    plan = theatre_plan(scn)
    usable = el.session_minutes * el.session_utilisation
    g0, p0 = el.groups[0], plan[0]
    assert p0.minutes[0][0] == pytest.approx(g0.day_case_sessions_per_week / 5 * usable)
    assert p0.minutes[1][5] == 0.0 and p0.minutes[1][6] == 0.0
    more = apply_interventions(scn, ["weekend_lists:sessions=20"])
    sat = sum(g.minutes[0][5] + g.minutes[1][5] for g in theatre_plan(more))
    assert sat == pytest.approx(20 * usable)
    assert weekly_cases(theatre_plan(more)) > weekly_cases(plan)
    prod = apply_interventions(scn, ["theatre_productivity:points=10"])
    assert weekly_cases(theatre_plan(prod)) == pytest.approx(
        weekly_cases(plan) * (el.session_utilisation + 0.1) / el.session_utilisation
    )


def test_no_groups_keeps_the_fixed_activity_of_older_scenarios():
    scn = flowsim.load_scenario(
        "configs/worcestershire.yaml",
        overrides={"elective.groups": [], "elective.admissions_per_weekday": 200},
    )
    (g,) = theatre_plan(scn)
    assert g.name == "all"
    assert sum(g.minutes[0]) + sum(g.minutes[1]) == 5 * 200
    with pytest.raises(ConfigError, match="elective.groups"):
        apply_interventions(scn, ["weekend_lists", "independent_sector"])


def test_bad_groups_are_all_reported():
    with pytest.raises(ConfigError) as e:
        flowsim.load_scenario(
            "configs/worcestershire.yaml",
            overrides={
                "elective.p3_fraction": 0.95,
                "elective.groups": [
                    {"name": "a", "referral_share": 0.5},
                    {"name": "a", "referral_share": 0.2},
                ],
            },
        )
    msg = str(e.value)
    assert "sum to 0.7" in msg and "unique" in msg and "p3_fraction" in msg


# ---------------------------------------------- small list on an empty hospital
def _small(**extra):
    over = {
        "run.days": 150,
        "run.warmup_days": 0,
        "run.replications": 1,
        "elective.referrals_per_week": 500,
        "elective.initial_list": 6000,
        "elective.initial_median_wait_weeks": 19,
        "elective.planned_fraction": 0.3,
        # the Worcestershire sessions, scaled down to this smaller list (near capacity)
        "elective.session_utilisation": 0.3,
        **extra,
    }
    return flowsim.load_scenario("configs/validation/_off.yaml", overrides=over)


def test_list_counts_balance_and_cancellations_need_a_full_hospital():
    scn = _small()
    kp = flowsim.simulate(scn, seed=7).kpi_table().set_index("kpi")["value"]
    # an empty hospital always has a bed: nothing is cancelled on the day
    assert kp["elective_cancellations"] == 0
    assert kp["elective_removals"] > 0
    assert kp["elective_list_p2_end"] + kp["elective_list_p3_end"] + kp[
        "elective_list_p4_end"
    ] == pytest.approx(kp["elective_waiting_list_end"])
    # P2 is served first: almost none wait beyond their month under the priority policy
    assert kp["elective_list_p2_end"] < 0.05 * kp["elective_waiting_list_end"]
    assert kp["elective_median_wait_weeks"] <= kp["elective_p92_wait_weeks"]
    assert kp["elective_52w_waiters"] >= kp["elective_65w_waiters"] >= kp["elective_78w_waiters"]


def test_more_theatre_capacity_never_lengthens_waits_crn():
    """A sweep of added sessions with common random numbers (same referrals, same
    uniforms): each step up in capacity treats at least as many and leaves a list
    that waits no longer on any RTT measure."""
    base = _small()
    rows = []
    for extra in (0, 10, 20, 40):
        scn = apply_interventions(
            base, [f"extra_theatre_sessions:day_case={extra},inpatient={extra / 4}"]
        )
        kp = flowsim.simulate(scn, seed=11).kpi_table().set_index("kpi")["value"]
        rows.append(kp)
    for a, b in zip(rows, rows[1:], strict=False):
        assert b["elective_admissions"] >= a["elective_admissions"]
        assert b["elective_pct_within_18w"] >= a["elective_pct_within_18w"] - 1e-9
        assert b["elective_median_wait_weeks"] <= a["elective_median_wait_weeks"] + 1e-9
        assert b["elective_p92_wait_weeks"] <= a["elective_p92_wait_weeks"] + 1e-9
        assert b["elective_52w_waiters"] <= a["elective_52w_waiters"]
        assert b["elective_waiting_list_end"] <= a["elective_waiting_list_end"]
    assert rows[-1]["elective_pct_within_18w"] > rows[0]["elective_pct_within_18w"] + 5
    assert not math.isnan(rows[0]["elective_median_wait_weeks"])


def test_with_more_sessions_everyone_still_waiting_was_waiting_with_fewer():
    """Pathwise, with common random numbers: a fixed list order served with more
    theatre minutes each day leaves a subset of the patients waiting (so nobody waits
    longer). The share within 18 weeks of a smaller list can still fall (only the
    oldest remain); this is the property that cannot."""
    base = _small()
    more = apply_interventions(base, ["extra_theatre_sessions:day_case=15,inpatient=4"])
    left = [
        set(flowsim.simulate(s, seed=3).records.elective["list_patient_id_end"].tolist())
        for s in (base, more)
    ]
    assert left[1] <= left[0]
    assert len(left[1]) < len(left[0])
