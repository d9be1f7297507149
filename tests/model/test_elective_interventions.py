"""Elective interventions: each changes the keys it names and has a cost."""

from __future__ import annotations

import pytest

import flowsim
from flowsim.interventions import apply_interventions


@pytest.fixture(scope="module")
def w():
    return flowsim.load_scenario("configs/worcestershire.yaml")


def test_sessions_productivity_and_validation_map_to_their_keys(w):
    el = w.elective
    s = apply_interventions(
        w,
        [
            "independent_sector:sessions=8",
            "weekend_lists:sessions=6",
            "theatre_productivity:points=5",
            "validation_sprint:extra_rate=0.1",
            "extra_theatre_sessions:day_case=10,inpatient=4",
        ],
    )
    e = s.elective
    assert e.independent_sector_sessions_per_week == el.independent_sector_sessions_per_week + 8
    assert e.weekend_sessions_per_week == el.weekend_sessions_per_week + 6
    assert e.session_utilisation == pytest.approx(el.session_utilisation + 0.05)
    assert e.removal_rate_per_year == pytest.approx(el.removal_rate_per_year + 0.1)
    dc0 = sum(g.day_case_sessions_per_week for g in el.groups)
    ip0 = sum(g.inpatient_sessions_per_week for g in el.groups)
    assert sum(g.day_case_sessions_per_week for g in e.groups) == pytest.approx(dc0 + 10)
    assert sum(g.inpatient_sessions_per_week for g in e.groups) == pytest.approx(ip0 + 4)
    # pro rata: each group's day-case sessions grow by the same factor
    for a, b in zip(el.groups, e.groups, strict=True):
        assert b.day_case_sessions_per_week == pytest.approx(
            a.day_case_sessions_per_week * (dc0 + 10) / dc0
        )
    expected = 8 * 52 * 4 * 1300 + 6 * 52 * 3000 + 250_000 + 150_000 + 14 * 52 * 3000
    assert s.intervention_cost_gbp_per_year == pytest.approx(expected)


def test_productivity_is_capped_at_full_use(w):
    s = apply_interventions(w, ["theatre_productivity:points=50"])
    assert s.elective.session_utilisation == 1.0
