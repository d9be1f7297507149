"""Event-scheduling primitives shared by every care setting.

The hot path avoids what is expensive in SimPy: one ``Process`` per patient and
``simpy.Resource`` (whose release scans its users, costly for a 900-bed pool).
Instead a patient's journey is a chain of callbacks on SimPy timeouts, and
capacity is a :class:`Pool`: a counter plus FIFO queues, O(1) per request and
release. Same-time events run in the order they were scheduled, so runs are
exactly reproducible.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from heapq import heappop, heappush

import simpy
from simpy.events import NORMAL

MIN_PER_DAY = 1440.0
#: Events due further ahead than this (minutes) wait in the clock's far heap.
FAR_MIN = MIN_PER_DAY


class Pool:
    """Counted capacity (beds, spaces, packages) with FIFO queues by priority level.

    ``request(grant, level)`` calls ``grant()`` at once when a unit is free and
    nobody is queued; otherwise queues it. ``release()`` hands the unit to the
    first waiter of the most urgent level. Capacity may change over time (rosters,
    escalation beds); a reduction never evicts, it only stops new grants until
    use falls below the new capacity.
    """

    __slots__ = ("name", "capacity", "in_use", "queues", "n_waiting", "peak_in_use")

    def __init__(self, name: str, capacity: int, levels: int = 1) -> None:
        self.name = name
        self.capacity = int(capacity)
        self.in_use = 0
        self.queues: list[deque[tuple[Callable[..., None], tuple]]] = [
            deque() for _ in range(levels)
        ]
        self.n_waiting = 0
        self.peak_in_use = 0

    def request(self, grant: Callable[..., None], level: int = 0, *args: object) -> None:
        """Call ``grant(*args)`` when a unit is this request's (at once if free)."""
        if self.n_waiting == 0 and self.in_use < self.capacity:
            self.in_use += 1
            if self.in_use > self.peak_in_use:
                self.peak_in_use = self.in_use
            grant(*args)
        else:
            self.queues[level].append((grant, args))
            self.n_waiting += 1

    def try_acquire(self) -> bool:
        """Take a unit only if one is free now (no queueing): elective on-the-day admission."""
        if self.n_waiting == 0 and self.in_use < self.capacity:
            self.in_use += 1
            if self.in_use > self.peak_in_use:
                self.peak_in_use = self.in_use
            return True
        return False

    def occupy(self) -> None:
        """Take a unit unconditionally (start-state pre-fill)."""
        self.in_use += 1
        if self.in_use > self.peak_in_use:
            self.peak_in_use = self.in_use

    def release(self) -> None:
        self.in_use -= 1
        self._serve()

    def cancel(self, grant: Callable[[], None], level: int = 0) -> bool:
        """Withdraw a queued request (an elective cancelled on the day). False if
        it was already granted."""
        q = self.queues[level]
        for entry in q:
            if entry[0] is grant:
                q.remove(entry)
                self.n_waiting -= 1
                return True
        return False

    def first_waiting(self, level: int = 0) -> tuple | None:
        """The arguments of the first queued request at ``level`` (None if none)."""
        q = self.queues[level]
        return q[0][1] if q else None

    def withdraw_first(self, level: int = 0) -> None:
        """Remove the first queued request at ``level`` without granting it."""
        self.queues[level].popleft()
        self.n_waiting -= 1

    def set_capacity(self, capacity: int) -> None:
        self.capacity = int(capacity)
        self._serve()

    def _serve(self) -> None:
        while self.n_waiting and self.in_use < self.capacity:
            for q in self.queues:
                if q:
                    grant, args = q.popleft()
                    break
            self.n_waiting -= 1
            self.in_use += 1
            if self.in_use > self.peak_in_use:
                self.peak_in_use = self.in_use
            grant(*args)


class _Call:
    """A model event on SimPy's queue: call ``fn(*args)`` at its time.

    Dispatched by :meth:`Clock.run`, which handles these directly and leaves any other
    SimPy event to ``Environment.step``; two slots and no callback list keep the most
    frequent allocation in the model small.
    """

    __slots__ = ("fn", "args")

    def __init__(self, fn: Callable[..., None], args: tuple) -> None:
        self.fn = fn
        self.args = args


class Clock:
    """The simulation clock (minutes) and calendar helpers."""

    def __init__(self, env: simpy.Environment, start_weekday: int) -> None:
        self.env = env
        self.start_weekday = start_weekday
        self._queue = env._queue
        self._eid = env._eid
        # Events due more than FAR_MIN ahead (long stays in care homes, home care,
        # community beds) wait in a second heap and join SimPy's queue only when they
        # are the earliest event: the queue the run loop pops stays a few hundred
        # entries instead of several thousand.
        self._far: list = []

    @property
    def now(self) -> float:
        return self.env._now

    def at(self, delay: float, fn: Callable[..., None], *args: object) -> None:
        """Call ``fn(*args)`` after ``delay`` minutes: one event on SimPy's queue, no
        Process and no ``Timeout`` (whose construction was the largest single cost per
        event when profiled). Same ordering as ``Environment.schedule``: time, then
        priority (NORMAL), then insertion order."""
        if delay < 0.0:
            delay = 0.0
        heappush(
            self._far if delay > FAR_MIN else self._queue,
            (self.env._now + delay, NORMAL, next(self._eid), _Call(fn, args)),
        )

    def run(self, until: float) -> None:
        """Process events before ``until`` (minutes), then set the clock to ``until``.

        Equivalent to ``env.run(until=until)`` for this model (same order: time,
        priority, insertion), with the per-event bookkeeping of ``Environment.step``
        done inline; the model's own events are dispatched without a callback list.
        Any other SimPy event still goes through ``Environment.step``.
        """
        env = self.env
        q, far = env._queue, self._far
        pop, push, call = heappop, heappush, _Call  # locals: this loop runs once per event
        while True:
            # A far event moves to the queue once nothing there is due before it; keys
            # (time, priority, insertion) are unique, so the order is unchanged.
            if far and (not q or far[0][0] <= q[0][0]):
                push(q, pop(far))
            if not q or q[0][0] >= until:
                break
            ev = q[0][3]
            if type(ev) is call:
                env._now = pop(q)[0]
                ev.fn(*ev.args)
            else:
                env.step()
        env._now = until

    def chain(self, times: list[float], on_arrival: Callable[[int], None]) -> None:
        """Call ``on_arrival(i)`` at each of the sorted ``times``, scheduling one
        arrival at a time so only one event per stream is ever pending."""
        n = len(times)
        if n == 0:
            return

        def arrive(i: int) -> None:
            on_arrival(i)
            if i + 1 < n:
                self.at(times[i + 1] - self.env._now, arrive, i + 1)

        self.at(times[0], arrive, 0)

    def weekday(self, t: float) -> int:
        """0 = Monday ... 6 = Sunday for simulated minute t."""
        return (self.start_weekday + int(t // MIN_PER_DAY)) % 7


def next_discharge_time(
    t: float,
    u_hour: float,
    u_weekend: float,
    window_start_min: float,
    window_end_min: float,
    weekend_factor: float,
    start_weekday: int,
) -> float:
    """When a patient ready to leave at minute ``t`` physically leaves.

    Each patient has a slot in the daily discharge window
    (``window_start + u_hour * window length``). A patient leaves at the first slot
    at or after ``t``, or at ``t`` itself if ``t`` falls in an open window after
    their slot. Saturdays and Sundays are open to this patient only if
    ``u_weekend < weekend_factor``, so the weekend discharge rate is that fraction
    of the weekday rate; seven-day discharge is ``weekend_factor = 1``. A patient
    ready at 23:00 therefore leaves next morning, and one missed on Saturday
    usually waits until Monday.
    """
    d = int(t // MIN_PER_DAY)
    span = window_end_min - window_start_min
    while True:
        day0 = d * MIN_PER_DAY
        if (start_weekday + d) % 7 < 5 or u_weekend < weekend_factor:
            slot = day0 + window_start_min + u_hour * span
            if slot >= t:
                return slot
            if t < day0 + window_end_min:
                return t
        d += 1
