"""User SimPy processes run with the model through the documented hook."""

from __future__ import annotations

import numpy as np
import pytest

import flowsim

DAY = 1440.0


@pytest.fixture(scope="module")
def scn(worcs_short):
    # A February with 740 base beds: busy enough that beds matter (780 before the issue-16
    # weekday and hourly discharge profile, which frees beds earlier in the day). With escalation by
    # pressure and the issue-16 discharge services the packaged 825 beds leave no waits
    # over 4 hours from decision to admit in a 20-day run (the exit-block misfit,
    # docs/validation.md section 6), so a surge could not show fewer of them.
    return worcs_short.with_overrides(
        {"run.days": 20, "run.warmup_days": 5, "run.reporting_start_month": 2, "acute.beds": 740}
    )


@pytest.fixture(scope="module")
def base(scn):
    return flowsim.simulate(scn, seed=4)


def surge(day: int, beds: int):
    """A process opening ``beds`` surge beds at 08:00 on ``day``."""

    def process(env, system):
        yield env.timeout(day * DAY + 8 * 60)
        system.acute.open_surge_beds(beds)

    return process


def test_surge_opens_beds_on_its_date(scn, base):
    one = flowsim.simulate(scn, seed=4, processes=[surge(10, 60)])
    # beds open net of escalation beds (escalation by pressure follows occupancy, which
    # the surge changes)
    cb, c1 = (r.records.census.set_index("day") for r in (base, one))
    cap_base = cb["acute_beds_available"] - cb["acute_escalation_beds_open"]
    cap = c1["acute_beds_available"] - c1["acute_escalation_beds_open"]
    # the census row of day d is taken at the midnight ending day d
    assert (cap.loc[:9] == cap_base.loc[:9]).all()
    assert (cap.loc[10:] == cap_base.loc[10:] + 60).all()
    # more beds, fewer trolley waits and lower occupancy; same patients (CRN)
    # (the same 999 calls and walk-ins; conveyed patients reach A&E when crews bring
    # them, which depends on handover delays)
    assert np.array_equal(one.records.ambulance["call"], base.records.ambulance["call"])
    walk, walk_base = ~one.records.ed["ambulance"], ~base.records.ed["ambulance"]
    assert np.array_equal(one.records.ed["arrival"][walk], base.records.ed["arrival"][walk_base])
    assert one.kpis["acute_occupancy_pct"] < base.kpis["acute_occupancy_pct"]
    assert one.kpis["ed_dta_waits_4h"] < base.kpis["ed_dta_waits_4h"]


def test_a_process_that_changes_nothing_leaves_results_unchanged(scn, base):
    ticks = []

    def watcher(env, system):
        while True:
            yield env.timeout(0.5 * DAY)
            ticks.append((env.now, system.clock.now, system.acute.beds.in_use))

    one = flowsim.simulate(scn, seed=4, processes=[watcher])
    assert one.kpis == base.kpis or all(
        a == b or (np.isnan(a) and np.isnan(b))
        for a, b in zip(one.kpis.values(), base.kpis.values(), strict=True)
    )
    horizon = (scn.run.warmup_days + scn.run.days) * DAY
    assert [t for t, _, _ in ticks] == [0.5 * DAY * k for k in range(1, int(horizon / DAY * 2))]
    assert all(t == c for t, c, _ in ticks)  # SimPy's time is the model's time
    assert len({n for _, _, n in ticks}) > 5  # it saw the model moving


def test_a_failing_process_raises(scn):
    def broken(env, system):
        yield env.timeout(DAY)
        raise RuntimeError("surge misconfigured")

    with pytest.raises(RuntimeError, match="surge misconfigured"):
        flowsim.simulate(scn, seed=4, processes=[broken])
