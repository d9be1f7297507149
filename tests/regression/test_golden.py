"""Golden regression: the default scenario's KPIs on a short fixed-seed run, stored in
``golden_worcestershire.json``, compared to 1e-12 relative.

If this fails after a change that is meant to move results, regenerate with
``python tests/regression/golden.py`` and explain every changed KPI in the commit.
"""

from __future__ import annotations

import json
import math

import pytest
from regression.golden import GOLDEN_PATH, GOLDEN_RUN, golden_kpis

REL = 1e-12  # float round-off across numpy/scipy builds; any model change moves far more


@pytest.fixture(scope="module")
def stored() -> dict:
    return json.loads(GOLDEN_PATH.read_text())


def test_golden_file_describes_the_run(stored):
    assert stored["run"] == GOLDEN_RUN
    # a meaningful run: A&E busy, beds used, electives treated
    assert stored["kpis"]["ed_attendances"] > 5000
    assert stored["kpis"]["emergency_admissions"] > 1000


def test_golden_kpis_unchanged(stored):
    now = golden_kpis()
    want = stored["kpis"]
    assert set(now) == set(want), "KPI names changed: regenerate and explain (see module doc)"
    moved = []
    for name, old in want.items():
        new = now[name]
        if old is None:
            if not math.isnan(new):
                moved.append(f"{name}: stored NaN, now {new!r}")
        elif not (new == old or math.isclose(new, old, rel_tol=REL, abs_tol=0.0)):
            moved.append(f"{name}: stored {old!r}, now {new!r}")
    assert not moved, (
        "golden KPIs moved (regenerate with `python tests/regression/golden.py` only if the "
        "change is intended, and explain each value in the commit):\n  " + "\n  ".join(moved)
    )
