"""The golden run: the default scenario's KPIs on a short fixed-seed run.

Regenerate the stored values (only when a change to the model is meant to move them)::

    python tests/regression/golden.py

and explain in the commit message, KPI by KPI, why each value changed. A change the
commit does not explain is a regression.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import flowsim
from flowsim.metrics import compute_kpis
from flowsim.model import simulate_replication

GOLDEN_PATH = Path(__file__).with_name("golden_worcestershire.json")
#: The run: the packaged default scenario, 60 days after a 30-day warm-up, seed 1.
GOLDEN_RUN = {"scenario": "worcestershire", "days": 60, "warmup_days": 30, "seed": 1}


def golden_kpis() -> dict[str, float]:
    """Compute the golden run's KPIs now (replication 0)."""
    r = GOLDEN_RUN
    scn = flowsim.load_scenario(
        r["scenario"], overrides={"run.days": r["days"], "run.warmup_days": r["warmup_days"]}
    )
    return compute_kpis(simulate_replication(scn, r["seed"], 0), scn)


def write_golden(path: Path = GOLDEN_PATH) -> None:
    """Store the golden run's KPIs as JSON (NaN as null), with the run that made them."""
    kpis = {k: (None if math.isnan(v) else v) for k, v in golden_kpis().items()}
    path.write_text(json.dumps({"run": GOLDEN_RUN, "kpis": kpis}, indent=1) + "\n")


if __name__ == "__main__":
    write_golden()
    print(f"wrote {GOLDEN_PATH.name}; explain every changed value in the commit message")
