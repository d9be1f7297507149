"""Winter mechanisms (issue 17): seasonal case mix, outbreaks, clinician absence and
escalation by trigger. Each is checked against its own definition, on short runs."""

from __future__ import annotations

import numpy as np
import pytest

import flowsim
from flowsim.interventions import apply_interventions
from flowsim.metrics import compute_kpis
from flowsim.model.system import CountySystem, simulate_replication
from flowsim.patients import Season, build_cohorts
from flowsim.streams import Streams


@pytest.fixture(scope="module")
def winter(worcs):
    """Worcestershire from 1 December (10-day warm-up) for 40 days."""
    return worcs.with_overrides(
        {"run.reporting_start_month": 12, "run.warmup_days": 10, "run.days": 40}
    )


def test_admissions_profile_scales_the_share_admitted(worcs):
    # The share of ambulance arrivals admitted in a month is admit_prob x E7/W10 of it.
    s = worcs.with_overrides({"run.warmup_days": 0, "run.days": 365})
    c = build_cohorts(s, Streams(1, 0))
    season = Season(s, 367)
    t = np.asarray(c.ambulance.t)
    admit = np.asarray(c.ambulance.attrs.admit)
    m = season.month_at(t)
    for month in (0, 6):  # January (winter peak of admissions) and July (attendance peak)
        sel = m == month
        p = s.ambulance.admit_prob * season.conversion[month]
        sd = np.sqrt(p * (1 - p) / sel.sum())
        assert admit[sel].mean() == pytest.approx(p, abs=4 * sd)
    assert season.conversion[0] > 1.0 > season.conversion[6]


def test_los_profile_scales_each_stay_by_its_month(worcs):
    s = worcs.with_overrides({"run.warmup_days": 0, "run.days": 120})
    flat = s.with_overrides({"demand.los_month_of_year": [1.0] * 12})
    a, b = build_cohorts(s, Streams(3, 0)), build_cohorts(flat, Streams(3, 0))
    season = Season(s, 122)
    ratio = np.asarray(a.direct.attrs.los_min) / np.asarray(b.direct.attrs.los_min)
    expect = season.los_factor(np.asarray(a.direct.t))
    np.testing.assert_allclose(ratio, expect, rtol=1e-12)  # same uniforms, scaled stays
    assert not np.allclose(expect, 1.0)


def test_outbreaks_close_beds_and_the_census_shows_them(winter):
    s = winter.with_overrides(
        {"acute.outbreak_events_per_month": [6.0] * 12, "acute.escalation_trigger": "calendar"}
    )
    rep = simulate_replication(s, 5)
    c = rep.census
    assert c["acute_beds_closed"].max() > 0
    assert (c["acute_beds_closed"] % s.acute.outbreak_ward_beds == 0).all()
    # beds available = base + escalation open - closed, every midnight
    expect = s.acute.beds + c["acute_escalation_beds_open"] - c["acute_beds_closed"]
    assert (c["acute_beds_available"] == expect.clip(lower=0)).all()


def test_outbreak_event_rate_follows_the_monthly_rate(worcs):
    rate = [0.0] * 12
    rate[0] = 20.0  # January only, 20 events
    s = worcs.with_overrides(
        {"acute.outbreak_events_per_month": rate, "run.warmup_days": 0, "run.days": 365}
    )
    n = [len(build_cohorts(s, Streams(7, r)).outbreaks) for r in range(5)]
    # Poisson with mean 20 x 31 days / (365.25 / 12) ~ 20.4 per replication
    mean = 20 * 31 / (365.25 / 12)
    assert np.mean(n) == pytest.approx(mean, abs=4 * np.sqrt(mean / 5))


def test_absence_changes_clinicians_on_duty_by_month(worcs):
    s = worcs.with_overrides({"run.reporting_start_month": None, "run.start_month": 1})
    short = s.with_overrides({"run.days": 5, "run.warmup_days": 0})
    system = CountySystem(s, build_cohorts(short, Streams(1, 0)))
    ed = system.ed
    absence = np.asarray(s.ed.staff_absence_pct_by_month) / 100
    factor = (1 - absence) / (1 - absence.mean())
    caps = []
    for hour in range(24 * 31):  # January
        ed._roster_tick(hour)
        caps.append(ed.clinicians.capacity)
    caps = np.asarray(caps).reshape(31, 24).sum(axis=0)
    expect = np.asarray(s.ed.clinicians_by_hour) * 31 * factor[0]
    # error diffusion: each hour's total is within one clinician-hour of its expectation
    assert np.all(np.abs(caps - expect) <= 1.0 + 1e-9)
    assert caps.sum() < 31 * sum(s.ed.clinicians_by_hour)  # January is short-staffed


def test_escalation_by_pressure_opens_beds_only_while_escalated(winter):
    rep = simulate_replication(winter, 11)
    c = rep.census
    esc = c["acute_escalated"] == 1
    assert esc.any(), "a Worcestershire December escalates at least once"
    open_ = c["acute_escalation_beds_open"]
    assert (open_[esc] == winter.acute.escalation_beds).all()
    assert (open_[~esc] == 0).all()


def test_escalation_never_triggered_is_not_charged(winter):
    # A bed base far above demand never reaches the trigger.
    never = winter.with_overrides({"acute.beds": 1400, "acute.initial_occupancy_pct": 60.0})
    more = apply_interventions(never, ["escalation_beds"])
    a, b = flowsim.simulate(never, seed=2), flowsim.simulate(more, seed=2)
    assert a.kpis["escalation_days"] == 0 and b.kpis["escalation_days"] == 0
    assert b.kpis["cost_total_gbp"] == pytest.approx(a.kpis["cost_total_gbp"])
    assert more.intervention_cost_gbp_per_year == 0.0


def test_calendar_escalation_outside_the_window_is_not_charged(worcs):
    # A 60-day run from May with the calendar trigger (Dec-Mar): never active.
    s = worcs.with_overrides(
        {
            "acute.escalation_trigger": "calendar",
            "run.days": 60,
            "run.warmup_days": 10,
            "run.reporting_start_month": 5,
        }
    )
    off = s.with_overrides({"acute.escalation_beds": 0})
    a, b = flowsim.simulate(s, seed=4), flowsim.simulate(off, seed=4)
    assert a.kpis["escalation_days"] == 0 and a.kpis["escalation_bed_days"] == 0
    assert a.kpis["cost_total_gbp"] == pytest.approx(b.kpis["cost_total_gbp"])


def test_escalation_cancels_ordinary_electives(winter):
    keep = winter.with_overrides({"acute.escalation_cancels_electives": False})
    a, b = simulate_replication(winter, 11), simulate_replication(keep, 11)
    ka, kb = (compute_kpis(r, winter) for r in (a, b))
    assert ka["escalation_days"] > 0
    assert ka["elective_cancellations"] > kb["elective_cancellations"]
