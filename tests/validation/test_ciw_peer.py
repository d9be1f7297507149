"""Peer check: the same tandem network with blocking after service in ciw and flowsim.

A&E spaces (c=4) -> acute beds (c=12, no waiting room: a patient whose treatment is
finished keeps the A&E space until a bed is free) -> community beds (c=10, likewise
for the acute bed) -> exit. Poisson arrivals 1/h; exponential services 2 h, 10 h, 8 h.
Both simulators run 20 replications of 100 days after 10 days' warm-up; each mean is
compared with a Welch test, failing only below p = 0.001 (fixed seeds, so the test is
deterministic; a true difference of the size of one standard error is detected well).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from flowsim.validation import load_reduction, measure

HOURS = 24.0
ciw = pytest.importorskip("ciw")


def ciw_replication(seed: int, warmup_h: float, end_h: float) -> dict[str, float]:
    net = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=1.0), None, None],
        service_distributions=[
            ciw.dists.Exponential(rate=1 / 2.0),
            ciw.dists.Exponential(rate=1 / 10.0),
            ciw.dists.Exponential(rate=1 / 8.0),
        ],
        routing=[[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]],
        number_of_servers=[4, 12, 10],
        queue_capacities=[float("inf"), 0, 0],
    )
    ciw.seed(seed)
    q = ciw.Simulation(net)
    q.simulate_until_max_time(end_h)
    recs = [r for r in q.get_all_records() if warmup_h <= r.arrival_date < end_h]
    n1 = [r for r in recs if r.node == 1]
    n2 = [r for r in recs if r.node == 2]
    return {
        "ed_wait_for_space_h": float(np.mean([r.waiting_time for r in n1])),
        "ed_blocked_h": float(np.mean([r.time_blocked for r in n1])),
        "p_blocked_ed": float(np.mean([r.time_blocked > 1e-9 for r in n1])),
        "acute_stay_h": float(np.mean([r.service_time + r.time_blocked for r in n2])),
    }


@pytest.mark.slow
def test_tandem_with_blocking_matches_ciw():
    scn = load_reduction("tandem")
    reps = 20
    warm, end = scn.run.warmup_days * HOURS, (scn.run.warmup_days + scn.run.days) * HOURS
    fs = measure("tandem", replications=reps, jobs=2)
    cw = [ciw_replication(1000 + r, warm, end) for r in range(reps)]
    for q in ("ed_wait_for_space_h", "ed_blocked_h", "p_blocked_ed", "acute_stay_h"):
        a = fs[q].to_numpy()
        b = np.array([c[q] for c in cw])
        p = stats.ttest_ind(a, b, equal_var=False).pvalue
        assert p > 0.001, (q, a.mean(), b.mean(), p)
        # the blocking is real in this network, not a trivial zero
        assert b.mean() > 0
