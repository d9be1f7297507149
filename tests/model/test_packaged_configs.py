"""Every packaged county scenario validates and runs."""

from __future__ import annotations

import pytest

import flowsim


@pytest.mark.parametrize("name", ["worcestershire", "west_norfolk", "leicestershire"])
def test_packaged_scenario_runs(name):
    scn = flowsim.load_scenario(name, overrides={"run.days": 10, "run.warmup_days": 2})
    assert scn.name == name
    k = flowsim.simulate(scn, seed=1).kpis
    assert k["ed_attendances"] > 0 and k["emergency_admissions"] > 0
    assert 50 < k["acute_occupancy_pct"] <= 100
