"""Steps that cost no event: units given back at a known time (TimedPool), far events
in day buckets, and the census counts kept lazily (minors leaving A&E, pathway-0 fit
and leaving). Each is compared with the eventful version it replaces."""

from __future__ import annotations

import numpy as np
import pytest
import simpy

import flowsim
from flowsim.model.engine import FAR_MIN, Clock, Pool, TimedPool
from flowsim.model.system import CountySystem
from flowsim.patients import build_cohorts
from flowsim.streams import Streams


def _queue_log(lazy: bool, seed: int) -> list[tuple[int, float]]:
    """A two-level queue with random arrivals, service times and an hourly roster:
    the grant time of every customer, with units given back lazily or by events."""
    rng = np.random.default_rng(seed)
    n = 400
    arrive = np.sort(rng.random(n) * 2000.0).tolist()
    level = (rng.random(n) < 0.3).astype(int).tolist()
    service = rng.exponential(25.0, n).tolist()
    roster = rng.integers(1, 5, 40).tolist()
    clock = Clock(simpy.Environment(), 0)
    pool = TimedPool("c", roster[0], 2, clock) if lazy else Pool("c", roster[0], levels=2)
    log: list[tuple[int, float]] = []

    def granted(i: int) -> None:
        log.append((i, clock.now))
        if lazy:
            pool.release_at(clock.now + service[i])
        else:
            clock.at(service[i], pool.release)

    def arrival(i: int) -> None:
        pool.request(granted, level[i], i)

    def tick(h: int) -> None:
        pool.set_capacity(roster[h % len(roster)])
        clock.at(60.0, tick, h + 1)

    clock.chain(arrive, arrival)
    clock.at(60.0, tick, 1)
    clock.run(5000.0)
    return log


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_timed_pool_grants_exactly_as_release_events_do(seed):
    lazy, eventful = _queue_log(True, seed), _queue_log(False, seed)
    assert len(eventful) == 400  # everyone is served within the horizon
    assert lazy == eventful


def test_timed_pool_wakes_a_waiter_at_the_release_time_worked_by_hand():
    # One unit. A takes it at 0 until 10; B asks at 5 and waits; B has it at 10 until
    # 30; C asks at 12, has it at 30. Nothing else is scheduled: the wake-ups do it.
    clock = Clock(simpy.Environment(), 0)
    pool = TimedPool("c", 1, 1, clock)
    log = []

    def take(name: str, until: float) -> None:
        log.append((name, clock.now))
        pool.release_at(until)

    pool.request(take, 0, "A", 10.0)
    clock.at(5.0, pool.request, take, 0, "B", 30.0)
    clock.at(12.0, pool.request, take, 0, "C", 45.0)
    clock.run(7.0)
    assert pool.busy == 1 and pool.n_waiting == 1
    clock.run(100.0)
    assert log == [("A", 0.0), ("B", 10.0), ("C", 30.0)]
    assert pool.busy == 0 and pool.n_waiting == 0


def test_far_events_in_buckets_run_in_time_then_insertion_order():
    # Many events far ahead (several buckets, some exactly on bucket edges and on
    # each other's times), scheduled from inside the run too: the order must be the
    # one a single heap of (time, insertion) gives.
    rng = np.random.default_rng(5)
    clock = Clock(simpy.Environment(), 0)
    got, want = [], []
    times = np.concatenate(
        [rng.random(300) * 9 * FAR_MIN, np.arange(1, 8) * FAR_MIN, [3 * FAR_MIN] * 3]
    )
    for k, t in enumerate(times):
        clock.at(float(t), lambda k=k: got.append((clock.now, k)))
        want.append((max(float(t), 0.0), k))

    def later(k: int, t: float) -> None:  # scheduled at 0.5 days for t ahead
        clock.at(t - clock.now, lambda: got.append((clock.now, k)))

    for j, t in enumerate(rng.random(50) * 5 * FAR_MIN + 2 * FAR_MIN):
        k = 1000 + j
        clock.at(0.5 * FAR_MIN, later, k, float(t))
        want.append((float(t), k))
    clock.run(10 * FAR_MIN)
    # insertion order: the first batch in k order, the second batch after all of them
    assert got == sorted(want, key=lambda e: (e[0], e[1] >= 1000, e[1]))


@pytest.fixture(scope="module")
def short_run():
    scn = flowsim.load_scenario("worcestershire", overrides={"run.days": 60, "run.warmup_days": 30})
    system = CountySystem(scn, build_cohorts(scn, Streams(3, 0)))
    system.start()
    system.run()
    return system


def test_census_of_minors_leaving_without_an_event_matches_the_records(short_run):
    s = short_run
    r = s.ed.records
    n = s.ed.n_arrived
    arrival = np.asarray(r.arrival)[:n]
    triaged = np.asarray(r.triaged)[:n]
    ambulance = np.asarray(r.ambulance)[:n].astype(bool)
    # counted in from the end of triage for walk-ins (triage is on in the county)
    joined = np.where(ambulance, arrival, triaged)
    depart = np.asarray(r.depart)[:n]
    census = _census(s)
    for day in range(5, 85, 8):
        t = (day + 1) * 1440.0
        want = int(((joined < t) & ~(depart < t)).sum())
        assert census.loc[day, "ed_in_department"] == want


def test_census_of_pathway0_fit_and_leaving_without_events_matches_the_records(short_run):
    s = short_run
    r = s.acute.records
    pw = np.asarray(r.pathway)
    fit, leave = np.asarray(r.fit), np.asarray(r.leave)
    census = _census(s)
    checked = 0
    for day in range(5, 85, 8):
        t = (day + 1) * 1440.0
        want = int(((pw == 0) & (fit < t) & ~(leave < t)).sum())
        assert census.loc[day, "acute_delayed_p0"] == want
        checked += want > 0
    assert checked >= 5  # the counts are not all zero


def _census(s: CountySystem):
    """The midnight census by day label (row d: the midnight ending day d)."""
    return s.replication({}).census.set_index("day")
