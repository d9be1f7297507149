"""Issue 18: each county's baseline RTT list sits in its public bands (short run)."""

from __future__ import annotations

import pytest

import flowsim
from flowsim.calibration import ELECTIVE_TARGETS, calibration_table


@pytest.mark.slow
@pytest.mark.parametrize("county", sorted(ELECTIVE_TARGETS))
def test_elective_baseline_within_bands(county):
    # Two replications of 240 days after the warm-up: the list is near its stationary
    # state from the start, so a short run is enough for the bands. One replication is
    # not: replications differ by about +/- 2 points on the 18-week share and +/- 1 week
    # on the median, and Worcestershire's share (46.2% in the full-year table) sits 1.2
    # points above its band's floor (one 240-day replication read 44.9%, two 45.4%).
    scn = flowsim.load_scenario(f"configs/{county}.yaml", overrides={"run.days": 240})
    res = flowsim.run(scn, replications=2, jobs=2)
    table = calibration_table(res, scn, ELECTIVE_TARGETS[county])
    assert table["within_band"].all(), table.to_string()
    kp = res.kpis_wide().iloc[0]
    assert kp["elective_52w_waiters"] > 0  # every county has 52-week waiters
