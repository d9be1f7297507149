"""Invariants on the real county model: conservation, capacity, causality."""

from __future__ import annotations

import numpy as np
import pytest

import flowsim
from flowsim.model.acute import split_beds
from flowsim.model.system import CountySystem
from flowsim.patients import build_cohorts
from flowsim.streams import Streams


@pytest.fixture(scope="module", params=["baseline", "stressed"])
def system(request, worcs_short):
    scn = worcs_short
    if request.param == "stressed":  # far too few beds: long queues everywhere
        scn = scn.with_overrides({"acute.beds": 600, "community.beds": 100, "ed.spaces": 30})
    s = CountySystem(scn, build_cohorts(scn, Streams(9, 0)))
    s.start()
    s.clock.run((scn.run.warmup_days + scn.run.days) * 1440.0)
    return s


def test_pools_never_exceed_capacity(system):
    a = system.acute
    pools = [
        system.ed.spaces,
        *a.pools,
        a.hub,
        system.community.beds,
        *system.social.pools,
    ]
    # Capacity only changes for acute beds (escalation): each bed group's maximum is its
    # base beds plus its share of the escalation beds (one pool: base + escalation).
    if a.grouped:
        esc = split_beds(a.escalation_beds, a.extra_weights)
        acute_max = [b + e for b, e in zip(a.group_base, esc, strict=True)]
    else:
        acute_max = [a.base_beds + a.escalation_beds]
    for p in pools:
        # peak_in_use is tracked at every grant
        cap = acute_max[a.pools.index(p)] if p in a.pools else p.capacity
        assert p.peak_in_use <= cap, p.name
        assert p.in_use >= 0 and p.n_waiting == sum(len(q) for q in p.queues)


def test_ed_patients_conserved(system):
    n = system.ed.n_arrived  # conveyed patients still with a crew have no row yet
    dep = np.asarray(system.ed.records.depart)[:n]
    assert np.isnan(dep).sum() == system.ed.in_department
    awaiting = np.isnan(dep) & ~np.isnan(np.asarray(system.ed.records.dta)[:n])
    assert awaiting.sum() == system.ed.awaiting_bed


def test_acute_patients_conserved(system):
    admit, leave = np.asarray(system.acute.records.admit), np.asarray(system.acute.records.leave)
    in_bed = (~np.isnan(admit) & np.isnan(leave)).sum()
    a = system.acute
    assert a.hub.capacity == 0  # Worcestershire has no elective hub, so no hub turnaround
    assert in_bed == a.beds.in_use - a.cleaning_general
    fit, left = np.asarray(system.acute.records.fit), np.asarray(system.acute.records.leave)
    delayed_now = (~np.isnan(fit) & np.isnan(left)).sum()
    assert delayed_now == sum(a.delayed)


def test_timestamps_are_causal(system):
    arr, ho, seen, dta, dep = (
        np.asarray(x)
        for x in (
            system.ed.records.arrival,
            system.ed.records.handover,
            system.ed.records.seen,
            system.ed.records.dta,
            system.ed.records.depart,
        )
    )
    with np.errstate(invalid="ignore"):
        assert not (ho < arr).any() and not (seen < arr).any()
        assert not (seen < ho).any() and not (dta < seen).any() and not (dep < arr).any()
        assert not (dep < dta).any()
        req, adm, fit, lv = (
            np.asarray(x)
            for x in (
                system.acute.records.request,
                system.acute.records.admit,
                system.acute.records.fit,
                system.acute.records.leave,
            )
        )
        assert not (adm < req).any() and not (fit < adm).any() and not (lv < fit).any()
        sreq, sst = (
            np.asarray(system.social.records.request),
            np.asarray(system.social.records.start),
        )
        assert not (sst < sreq).any()
        cad, cfit, clv = (
            np.asarray(system.community.records.admit),
            np.asarray(system.community.records.fit),
            np.asarray(system.community.records.leave),
        )
        assert not (cfit < cad).any() and not (clv < cfit).any()


def test_census_consistent(system):
    c = system.census_rows
    import pandas as pd

    df = pd.DataFrame(c)
    occupied, available = df[2], df[1]
    assert (occupied <= available + system.acute.escalation_beds).all()
    assert (df[3] == df[4] + df[5] + df[6] + df[7]).all()  # delayed = sum over pathways
    assert (df.iloc[:, 1:] >= 0).all().all()


def test_kpis_finite_and_in_range(worcs_short):
    k = flowsim.simulate(worcs_short, seed=2).kpis
    for name in ("ed_pct_within_4h", "acute_occupancy_pct", "community_occupancy_pct"):
        assert 0.0 <= k[name] <= 100.0, name
    assert k["ed_attendances"] > 0 and k["emergency_admissions"] > 0
    assert k["delayed_discharge_bed_days"] >= 0 and k["cost_total_gbp"] > 0
