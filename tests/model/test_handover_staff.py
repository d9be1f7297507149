"""Receiving nurses for ambulance handovers (``ambulance.handover_staff_by_hour``) and
the monthly ambulance KPIs (issue 19: handover spread from capacity; KPIs by month)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import tiny_scenario

import flowsim
from flowsim.errors import ConfigError
from flowsim.monthly import monthly_table

BIG = 100_000


def _scenario(staff, **amb):
    """Ambulance arrivals only, every A&E space and clinician free: a handover waits only
    for a receiving nurse (``staff``: one value per hour, or None)."""
    ambulance = {"arrivals_per_day": 150, "handover_process_min": 10, "admit_prob": 0.0}
    ambulance.update(amb)
    if staff is not None:
        ambulance["handover_staff_by_hour"] = staff
    return tiny_scenario(
        ambulance=ambulance,
        ed={"spaces": BIG, "clinicians_by_hour": [BIG] * 24},
        run={"days": 5},
    )


def _handovers(scn, seed=11):
    e = flowsim.simulate(scn, seed=seed).records.ed
    amb = e["ambulance"] & ~np.isnan(e["handover"])
    order = np.argsort(e["arrival"][amb], kind="stable")
    return e["arrival"][amb][order], e["handover"][amb][order]


def test_one_nurse_serves_handovers_first_come_first_served():
    # One nurse, handover 10 min, spaces always free: a single-server queue with fixed
    # service, so each handover ends at max(arrival, previous end) + 10 (Lindley).
    arrival, done = _handovers(_scenario([1] * 24))
    assert arrival.size > 500
    expect = np.empty_like(arrival)
    prev = -np.inf
    for k, t in enumerate(arrival):
        prev = max(t, prev) + 10.0
        expect[k] = prev
    np.testing.assert_allclose(done, expect, rtol=0, atol=1e-6)
    assert (done - arrival).max() > 20.0  # the bunching of arrivals shows as queueing


def test_unlimited_nurses_equal_no_nurse_rule():
    a0, d0 = _handovers(_scenario(None))
    a1, d1 = _handovers(_scenario([BIG] * 24))
    np.testing.assert_allclose(d0 - a0, 10.0)
    np.testing.assert_array_equal(a0, a1)
    np.testing.assert_allclose(d1 - a1, 10.0)


def test_more_nurses_shorten_handovers_and_the_roster_follows_the_hour():
    # Same arrivals (same seed): two nurses never take longer than one for the k-th
    # patient in arrival order, and some take much less.
    a1, d1 = _handovers(_scenario([1] * 24))
    a2, d2 = _handovers(_scenario([2] * 24))
    n = a1.size  # handovers are first come, first served: those done by the end with
    assert a2.size >= n  # one nurse are the first n arrivals, all done with two
    a2, d2 = a2[:n], d2[:n]
    np.testing.assert_array_equal(a1, a2)
    assert np.all(d2 <= d1 + 1e-9) and (d1 - d2).max() > 5.0
    # A nurse only from 08:00 to 20:00: no handover completes between 20:10 and 08:00
    # (the last one started by 20:00 ends by 20:10).
    _, d = _handovers(_scenario([0] * 8 + [1] * 12 + [0] * 4))
    minute = np.mod(d, 1440.0)
    assert np.all((minute >= 8 * 60) & (minute <= 20 * 60 + 10 + 1e-6))


@pytest.mark.parametrize(
    "staff, rule",
    [([1] * 23, "exactly 24 values"), ([0] * 24, "all zero"), ([-1] * 24, "")],
)
def test_bad_handover_staff_is_refused_naming_the_key(staff, rule):
    with pytest.raises(ConfigError) as e:
        _scenario(staff)
    msg = str(e.value)
    assert "handover_staff_by_hour" in msg and rule in msg


@pytest.fixture(scope="module")
def worcs_run():
    scn = flowsim.load_scenario("worcestershire").with_overrides(
        {"run.days": 90, "run.warmup_days": 30, "run.reporting_start_month": 12}
    )
    return flowsim.run(scn, replications=1, seed=5)


def test_monthly_ambulance_kpis_add_up_to_the_period(worcs_run):
    res = worcs_run
    k = res.kpis.set_index("kpi")["value"]
    m = monthly_table(res.daily).set_index("kpi")
    hours = m.loc["ambulance_handover_hours_lost_per_day"]
    assert len(hours) == 3  # December, January, February
    total = float((hours["mean"] * hours["days"]).sum())
    assert total == pytest.approx(k["ambulance_handover_hours_lost"], rel=1e-9)
    d = res.daily
    cat2 = d["amb_cat2_response_min"].sum() / d["amb_cat2_responses"].sum()
    assert cat2 == pytest.approx(k["ambulance_cat2_mean_min"], rel=1e-9)
    over60 = 100.0 * d["amb_handover_over_60"].sum() / d["amb_handovers"].sum()
    assert over60 == pytest.approx(k["ambulance_handover_over_60min_pct"], rel=1e-9)
    for name in (
        "ambulance_handover_within_15min_pct",
        "ambulance_handover_within_30min_pct",
        "ambulance_cat1_mean_min",
    ):
        assert m.loc[name, "mean"].notna().all()


def test_run_report_has_the_monthly_ambulance_figure(worcs_run):
    from flowsim.report import _monthly_figures

    figs = {f.name: f for f in _monthly_figures(worcs_run.daily)}
    assert set(figs) == {"monthly.png", "monthly_ambulance.png"}
    fig = figs["monthly_ambulance.png"].draw()
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert len(titles) == 4
    assert any("Category 2" in t for t in titles) and any("60 minutes" in t for t in titles)
    # without ambulance arrivals there is no ambulance figure
    quiet = worcs_run.daily.assign(amb_handovers=0.0)
    assert [f.name for f in _monthly_figures(quiet)] == ["monthly.png"]


def test_handover_nurses_intervention_adds_staff_and_costs():
    from flowsim.interventions import apply_interventions

    base = _scenario([1] * 24)
    more = apply_interventions(base, ["handover_nurses:nurses=2"])
    assert more.ambulance.handover_staff_by_hour == (3,) * 24
    assert more.intervention_cost_gbp_per_year == pytest.approx(2 * 240_000)
    a1, d1 = _handovers(base)
    a3, d3 = _handovers(more)
    assert np.mean(d3 - a3) < np.mean(d1 - a1)
    none = apply_interventions(_scenario(None), ["handover_nurses"])
    assert none.ambulance.handover_staff_by_hour is None
