"""Steps that cost no event: far events in day buckets, and the census counts kept
lazily (minors leaving A&E, pathway-0 fit and leaving). Each is compared with what the
eventful version it replaces gives."""

from __future__ import annotations

import numpy as np
import pytest
import simpy

import flowsim
from flowsim.model.engine import FAR_MIN, Clock, DueBuckets
from flowsim.model.system import CountySystem
from flowsim.patients import build_cohorts
from flowsim.streams import Streams


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


def test_due_buckets_take_exactly_the_entries_due_before_each_look():
    # Entries added as time goes on (each due at or after the time it is added), some
    # exactly on bucket edges and on the times looked at; looks at bucket multiples and
    # in between, some twice at the same time. Every look must return exactly the
    # entries due strictly before it, each once.
    rng = np.random.default_rng(11)
    due = DueBuckets(60.0)
    pending: list[tuple[float, int]] = []
    now, k = 0.0, 0
    looks = np.sort(np.concatenate([rng.random(200) * 3000, np.arange(1, 50) * 60.0]))
    for look in looks:
        while now < look:  # add a few entries between looks
            for _ in range(int(rng.integers(0, 4))):
                t = now + float(rng.choice([0.0, 60.0, rng.random() * 400]))
                due.add((t, k))
                pending.append((t, k))
                k += 1
            now = min(look, now + float(rng.random() * 30))
        got = due.take_before(float(look))
        want = [e for e in pending if e[0] < look]
        pending = [e for e in pending if e[0] >= look]
        assert sorted(got) == sorted(want)
        assert len(due) == len(pending)
        assert due.take_before(float(look)) == []  # a second look at once finds nothing
    assert k > 300  # the test added enough entries to mean something


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
