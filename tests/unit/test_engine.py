"""Pool semantics and the discharge-window rule, against hand-derived answers."""

from __future__ import annotations

import numpy as np
import pytest
import simpy
from helpers import tiny_scenario

from flowsim.model.discharge_window import DischargeWindow, next_discharge_time
from flowsim.model.engine import FAR_MIN, GRANTED, Clock, Pool

DAY = 1440.0


def test_pool_grants_at_once_when_free_then_queues_fifo():
    pool = Pool("p", 1)
    log = []
    pool.request(lambda: log.append("a"))
    pool.request(lambda: log.append("b"))
    pool.request(lambda: log.append("c"))
    assert log == ["a"] and pool.in_use == 1 and pool.n_waiting == 2
    pool.release()
    assert log == ["a", "b"]
    pool.release()
    assert log == ["a", "b", "c"] and pool.n_waiting == 0
    pool.release()
    assert pool.in_use == 0


def test_pool_serves_more_urgent_level_first():
    pool = Pool("p", 1, levels=2)
    log = []
    pool.request(lambda: log.append("first"))
    pool.request(lambda: log.append("routine"), 1)
    pool.request(lambda: log.append("urgent"), 0)
    pool.release()
    pool.release()
    assert log == ["first", "urgent", "routine"]


def test_capacity_reduction_never_evicts_and_increase_serves_queue():
    pool = Pool("p", 3)
    log = []
    for name in "abcd":
        pool.request(lambda n=name: log.append(n))
    assert log == ["a", "b", "c"]
    pool.set_capacity(1)
    assert pool.in_use == 3  # nobody evicted
    pool.release()
    pool.release()
    assert log == ["a", "b", "c"] and pool.in_use == 1  # still at the new capacity
    pool.set_capacity(2)
    assert log == ["a", "b", "c", "d"] and pool.in_use == 2


def test_ticket_cancel_withdraws_only_queued_requests():
    pool = Pool("p", 1)
    log = []
    first = pool.request(log.append, 0, 1)
    assert first is GRANTED and first.cancel() is False  # granted at once: nothing to cancel
    second = pool.request(log.append, 0, 2)
    third = pool.request(log.append, 0, 3)
    assert second.waiting and second.cancel() is True
    assert second.cancel() is False and pool.n_waiting == 1
    pool.release()
    assert log == [1, 3] and not third.waiting
    assert third.cancel() is False  # already granted
    pool.release()
    assert pool.in_use == 0 and pool.n_waiting == 0


def test_same_grant_function_queued_twice_cancels_the_right_one():
    # Tickets, not the grant function, identify a request: the same bound method
    # queued for two patients cancels only the one whose ticket is used.
    pool = Pool("p", 1)
    log = []
    pool.request(log.append, 0, "a")
    tb = pool.request(log.append, 0, "b")
    pool.request(log.append, 0, "c")
    assert tb.cancel()
    pool.release()
    assert log == ["a", "c"]


def test_cancelling_the_head_removes_it_without_granting_it():
    pool = Pool("p", 1)
    log = []
    pool.request(log.append, 0, "a")
    pool.request(log.append, 0, "b")
    pool.request(log.append, 0, "c")
    assert pool.head().args == ("b",)
    assert pool.head().cancel()
    assert pool.head().args == ("c",) and pool.n_waiting == 1
    pool.release()  # the unit goes to c, never to the withdrawn b
    assert log == ["a", "c"] and pool.head() is None and pool.n_waiting == 0


def test_try_acquire_does_not_jump_a_queue():
    pool = Pool("p", 1)
    pool.request(lambda: None)
    assert pool.try_acquire() is False
    pool.release()
    assert pool.try_acquire() is True


# next_discharge_time(t, u_hour, u_weekend, window_start_min, window_end_min, factor, start_wd)
WS, WE = 10 * 60.0, 20 * 60.0


def test_ready_before_slot_leaves_at_slot():
    # Monday 08:00, slot at 10:00 + 0.5 * 10 h = 15:00
    assert next_discharge_time(8 * 60, 0.5, 0.0, WS, WE, 0.67, 0) == 15 * 60


def test_ready_inside_window_after_slot_leaves_now():
    assert next_discharge_time(16 * 60, 0.5, 0.0, WS, WE, 0.67, 0) == 16 * 60


def test_ready_after_window_leaves_next_morning_slot():
    # Monday 23:00 -> Tuesday slot 10:00 + 0.2 * 10 h = 12:00
    assert next_discharge_time(23 * 60, 0.2, 0.0, WS, WE, 0.67, 0) == DAY + 12 * 60


def test_weekend_skipped_when_uniform_above_factor():
    # start_weekday 0 = Monday, so day 5 is Saturday. Ready Saturday 09:00.
    sat9 = 5 * DAY + 9 * 60
    assert next_discharge_time(sat9, 0.5, 0.9, WS, WE, 0.67, 0) == 7 * DAY + 15 * 60  # Monday
    assert next_discharge_time(sat9, 0.5, 0.5, WS, WE, 0.67, 0) == 5 * DAY + 15 * 60  # Saturday


def test_seven_day_discharge_never_skips():
    sat9 = 5 * DAY + 9 * 60
    assert next_discharge_time(sat9, 0.5, 0.999, WS, WE, 1.0, 0) == 5 * DAY + 15 * 60


@pytest.mark.parametrize("start_weekday, expected_day", [(5, 2), (6, 1), (4, 0)])
def test_start_weekday_shifts_the_calendar(start_weekday, expected_day):
    # Ready at 09:00 on day 0; weekend days are never open (u_weekend 0.99 > factor 0.5).
    t = next_discharge_time(9 * 60, 0.0, 0.99, WS, WE, 0.5, start_weekday)
    assert t == expected_day * DAY + WS


def test_far_events_keep_time_then_insertion_order():
    # Events further ahead than FAR_MIN wait in a second heap; the order must still be
    # time, then insertion, exactly as one SimPy queue would give.
    clock = Clock(simpy.Environment(), 0)
    log = []
    t = 3 * FAR_MIN
    clock.at(t, lambda: log.append(("far", clock.now)))  # far heap
    # due at t too, but scheduled half a day before it: waits in the near queue
    late = FAR_MIN / 2
    clock.at(t - late, lambda: clock.at(late, lambda: log.append(("near-late", clock.now))))
    clock.at(t + 1, lambda: log.append(("far+1", clock.now)))
    clock.at(FAR_MIN / 2, lambda: log.append(("near", clock.now)))
    clock.run(t + 0.5)
    # "near-late" is due at t like "far" but was inserted after it
    assert log == [("near", FAR_MIN / 2), ("far", t), ("near-late", t)]
    assert clock.now == t + 0.5
    clock.run(t + 10)
    assert log[3:] == [("far+1", t + 1)] and clock.now == t + 10


def _mixed_model(env, schedule, now, start):
    """Callbacks scheduled with ``schedule(delay, fn)`` and a SimPy process that
    schedules callbacks too; returns the log it fills."""
    log = []

    def proc(env):
        log.append(("proc-start", now()))
        yield env.timeout(10)
        log.append(("proc", now()))
        schedule(5, lambda: log.append(("cb-from-proc", now())))
        yield env.timeout(20)
        log.append(("proc-end", now()))

    schedule(10, lambda: log.append(("cb-before", now())))
    start(proc(env))  # its first timeout is scheduled when it starts, at time 0
    schedule(10, lambda: log.append(("cb-after", now())))  # ... which is after this
    schedule(30, lambda: log.append(("cb-30", now())))
    schedule(0, lambda: log.append(("cb-0", now())))
    return log


def test_simpy_processes_interleave_with_model_events_as_in_plain_simpy():
    # The model schedules callbacks on the clock's own heap; a SimPy process added to
    # the same environment must run exactly as if every callback were a SimPy timeout.
    env = simpy.Environment()

    def schedule(delay, fn):
        env.timeout(delay).callbacks.append(lambda _ev: fn())

    expected = _mixed_model(env, schedule, lambda: env.now, env.process)
    env.run(until=30)
    expected_30 = list(expected)
    env.run(until=40)

    env = simpy.Environment()
    clock = Clock(env, 0)
    log = _mixed_model(env, clock.at, lambda: clock.now, clock.process)
    clock.run(30)
    assert log == expected_30 and clock.now == env.now == 30
    clock.run(40)
    assert log == expected
    assert [e[0] for e in log] == [
        "proc-start",
        "cb-0",
        "cb-before",
        "cb-after",
        "proc",
        "cb-from-proc",
        "cb-30",
        "proc-end",
    ]


def test_simpy_process_runs_through_public_api_only_and_keeps_time():
    # A process started between runs, on a clock that has already advanced: its
    # timeouts count from the clock's time, and SimPy's time follows the clock's.
    env = simpy.Environment()
    clock = Clock(env, 0)
    log = []
    clock.at(100, log.append, "model-100")
    clock.run(50)
    assert env.now == 50

    def proc(env):
        yield env.timeout(25)
        log.append(("proc", env.now, clock.now))
        clock.at(0, log.append, "scheduled-by-proc")

    clock.process(proc(env))
    clock.run(200)
    assert log == [("proc", 75, 75), "scheduled-by-proc", "model-100"]
    assert env.now == clock.now == 200


def test_events_scheduled_counts_model_events():
    clock = Clock(simpy.Environment(), 0)
    assert clock.events_scheduled == 0
    clock.at(1, print)
    clock.at(2, print)
    assert clock.events_scheduled == 2 and clock.events_scheduled == 2  # reading is free


def test_events_due_at_until_wait_for_the_next_run():
    clock = Clock(simpy.Environment(), 0)
    log = []
    clock.at(5, log.append, "a")
    clock.at(10, log.append, "b")
    clock.run(10)
    assert log == ["a"] and clock.now == 10
    clock.at(0, log.append, "c")  # due now, scheduled after b: runs after it
    clock.run(10.5)
    assert log == ["a", "b", "c"]


def test_chain_calls_back_at_each_time_exactly():
    clock = Clock(simpy.Environment(), 0)
    seen = []
    times = [0.1, 0.7, 0.7, 2.3, 3 * FAR_MIN + 0.3]
    clock.chain(times, lambda tag, i: seen.append((tag, i, clock.now)), "x")
    clock.run(4 * FAR_MIN)
    assert seen == [("x", i, t) for i, t in enumerate(times)]


def test_nan_delay_raises_instead_of_breaking_the_heap():
    clock = Clock(simpy.Environment(), 0)
    with pytest.raises(ValueError, match="nan"):
        clock.at(float("nan"), print)


def test_a_failed_callback_does_not_cut_a_later_run_short():
    clock = Clock(simpy.Environment(), 0)
    log = []

    def boom():
        raise RuntimeError("boom")

    clock.at(1, boom)
    clock.at(2, log.append, "later")
    clock.at(7, log.append, "after the first end")
    with pytest.raises(RuntimeError):
        clock.run(5)
    clock.run(10)  # the first run's end marker (due at 5) must not stop this one
    assert log == ["later", "after the first end"] and clock.now == 10


def test_discharge_window_disabled_leaves_when_ready():
    w = DischargeWindow(tiny_scenario())
    assert not w.enabled and w.leave_time(123.4, 0.9, 0.9) == 123.4


def test_discharge_window_enabled_uses_the_rule():
    scn = tiny_scenario().with_overrides(
        {
            "discharge.use_window": True,
            "discharge.window_start_hour": 10,
            "discharge.window_end_hour": 20,
            "discharge.weekend_factor": 0.67,
        }
    )
    w = DischargeWindow(scn)
    assert w.enabled
    assert w.leave_time(8 * 60, 0.5, 0.0) == next_discharge_time(
        8 * 60, 0.5, 0.0, WS, WE, 0.67, scn.run.weekday0
    )


def test_event_loop_pauses_the_cyclic_collector_and_restores_it():
    """During ``Clock.run`` the collector is off (callbacks see it off); afterwards it is
    back in its previous state, also when a callback raises."""
    import gc

    clock = Clock(simpy.Environment(), start_weekday=0)
    seen: list[bool] = []
    clock.at(1.0, lambda: seen.append(gc.isenabled()))
    assert gc.isenabled()
    clock.run(10.0)
    assert seen == [False]
    assert gc.isenabled()

    def boom() -> None:
        raise RuntimeError("callback failed")

    clock.at(1.0, boom)
    with pytest.raises(RuntimeError):
        clock.run(20.0)
    assert gc.isenabled()

    gc.disable()  # a caller who had it off keeps it off
    try:
        clock.run(30.0)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_arrival_streams_merge_in_time_order_with_heap_events_first_on_ties():
    """Two streams registered before the run interleave by time (the earlier-registered
    stream first at equal times); a heap event due at an arrival's time runs before
    it; events_scheduled counts dispatched arrivals."""
    clock = Clock(simpy.Environment(), 0)
    log = []
    clock.chain([1.0, 3.0, 5.0], lambda tag, i: log.append((tag, i, clock.now)), "a")
    clock.chain([2.0, 3.0], lambda tag, i: log.append((tag, i, clock.now)), "b")
    clock.at(3.0, log.append, "heap@3")
    clock.run(4.0)  # nothing due at 4 or later runs yet
    assert log == [("a", 0, 1.0), ("b", 0, 2.0), "heap@3", ("a", 1, 3.0), ("b", 1, 3.0)]
    assert clock.events_scheduled == 1 + 4
    clock.run(10.0)
    assert log[-1] == ("a", 2, 5.0)


def test_a_stream_chained_between_runs_or_during_one_still_arrives_on_time():
    clock = Clock(simpy.Environment(), 0)
    log = []
    clock.chain([1.0, 6.0], lambda i: log.append(("first", i, clock.now)))
    clock.run(2.0)
    # registered between runs: merged with what is left of the first stream; a time
    # already past arrives now
    clock.chain([1.5, 4.0, 7.0], lambda i: log.append(("second", i, clock.now)))

    def start_third() -> None:  # registered by a running step: chained via the heap
        clock.chain([5.0, 8.0], lambda i: log.append(("third", i, clock.now)))

    clock.at(1.0, start_third)
    clock.run(10.0)
    assert log == [
        ("first", 0, 1.0),
        ("second", 0, 2.0),
        ("second", 1, 4.0),
        ("third", 0, 5.0),
        ("first", 1, 6.0),
        ("second", 2, 7.0),
        ("third", 1, 8.0),
    ]


def test_unsorted_arrival_times_are_refused():
    clock = Clock(simpy.Environment(), 0)
    clock.chain([2.0, 1.0], lambda i: None)
    with pytest.raises(ValueError, match="sorted"):
        clock.run(5.0)


def test_pool_clear_withdraws_every_queued_request():
    pool = Pool("p", 1)
    pool.request(lambda: None)
    tickets = [pool.request(lambda: None) for _ in range(3)]
    pool.clear()
    assert pool.n_waiting == 0 and not any(t.waiting for t in tickets)
    assert pool.in_use == 1  # the unit in use stays in use


def test_a_closed_system_is_freed_without_the_cyclic_collector():
    """After ``close()`` nothing ties the settings to the clock: with the collector
    off (as during a later replication's run) the finished system is freed at once."""
    import gc
    import weakref

    from flowsim.model.system import CountySystem
    from flowsim.patients import build_cohorts
    from flowsim.streams import Streams

    scn = tiny_scenario(run={"days": 5, "warmup_days": 1})
    system = CountySystem(scn, build_cohorts(scn, Streams(1, 0)))
    system.start()
    system.run()
    alive = weakref.ref(system.acute)
    gc.collect()
    gc.disable()
    try:
        system.close()
        del system
        assert alive() is None
    finally:
        gc.enable()


# ---- the weekday-profile discharge rule (issue 16)
def test_open_probabilities_reproduce_the_profile_for_an_even_flow():
    from flowsim.model.discharge_window import open_probabilities, realised_profile

    w48 = [0.96, 1.11, 1.15, 1.15, 1.15, 0.84, 0.64]
    f = open_probabilities(w48)
    assert max(f) == pytest.approx(1.0) and min(f) > 0.0
    assert np.allclose(realised_profile(f), w48, atol=1e-6)
    # by hand: a flat profile needs no backlog, every day clears everyone
    assert open_probabilities([1.0] * 7) == (1.0,) * 7


def test_profile_rule_slots_and_open_hours():
    from flowsim.model.discharge_window import hour_cdf, next_profile_time, slot_minute

    cw = hour_cdf([0.0] * 10 + [1.0] * 10 + [0.0] * 4)  # slots even over 10:00-20:00
    assert slot_minute(0.5, cw) == 15 * 60.0
    always = (1.0,) * 7
    # ready at 08:00 -> the 15:00 slot; ready at 16:00 (after the slot, busy hour) -> at
    # once; ready at 21:00 -> next day's slot
    assert next_profile_time(8 * 60.0, 0.5, 0.3, always, cw, 0) == 15 * 60.0
    assert next_profile_time(16 * 60.0, 0.5, 0.3, always, cw, 0) == 16 * 60.0
    assert next_profile_time(21 * 60.0, 0.5, 0.3, always, cw, 0) == DAY + 15 * 60.0
    # a day closed to everyone (probability 0) is skipped: Tuesday's slot instead
    monday_shut = (0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)
    assert next_profile_time(8 * 60.0, 0.5, 0.3, monday_shut, cw, 0) == DAY + 15 * 60.0


def test_profile_rule_slot_skips_hours_with_no_share_and_days_follow_the_hash():
    import math

    from flowsim.model.discharge_window import hour_cdf, next_profile_time, slot_minute

    cw = hour_cdf([0.0] * 10 + [1.0] * 10 + [0.0] * 4)
    # u on the edge of hours with no share: the hour that has one
    assert slot_minute(0.0, cw) == 10 * 60.0 and slot_minute(cw[11], cw) == 11 * 60.0
    assert slot_minute(1.0 - 1e-12, cw) < 20 * 60.0

    def open_today(u, d, f):  # the day's uniform, as the rule documents it
        x = math.sin(u * 1000.0 + d * 12.9898) * 43758.5453
        return x - math.floor(x) < f

    f, rng = 0.5, np.random.default_rng(3)
    days = rng.integers(0, 400, 200)
    for u_hour, u_day, d0 in zip(rng.random(200), rng.random(200), days, strict=True):
        d = int(d0)
        while not open_today(u_day, d, f):
            d += 1
        want = d * DAY + slot_minute(u_hour, cw)
        assert next_profile_time(d0 * DAY, u_hour, u_day, (f,) * 7, cw, 0) == want


def test_profile_rule_realised_weekday_shares_match_for_an_even_flow():
    # 20,000 patients ready evenly over 10 weeks, each with its own uniforms: the
    # weekday shares of their leaving days follow the profile within sampling error
    # (each share ~2,860 discharges: binomial sd ~1.8%, so 6% is > 3 sd).
    from flowsim.model.discharge_window import hour_cdf, next_profile_time, open_probabilities

    rng = np.random.default_rng(5)
    w48 = [0.96, 1.11, 1.15, 1.15, 1.15, 0.84, 0.64]
    f = open_probabilities(w48)
    cw = hour_cdf([1.0] * 24)
    t = np.sort(rng.uniform(7 * DAY, 77 * DAY, 20_000))
    u = rng.uniform(size=(20_000, 2))
    leave = np.array(
        [next_profile_time(ti, a, b, f, cw, 0) for ti, (a, b) in zip(t, u, strict=True)]
    )
    keep = (leave >= 14 * DAY) & (leave < 70 * DAY)
    counts = np.bincount((leave[keep] // DAY).astype(int) % 7, minlength=7)
    assert np.allclose(counts / counts.mean(), w48, rtol=0.06)
