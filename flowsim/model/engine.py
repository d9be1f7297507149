"""Event-scheduling primitives shared by every care setting.

The hot path avoids what is expensive in SimPy: one ``Process`` per patient and
``simpy.Resource`` (whose release scans its users, costly for a 900-bed pool).
Instead a patient's journey is a chain of callbacks, each a flat tuple on the
:class:`Clock`'s heap, and capacity is a :class:`Pool`: a counter plus FIFO queues,
O(1) per request and release. The clock runs alongside a SimPy environment, so a
SimPy process added to the model still runs in time order. Same-time events run in
the order they were scheduled, so runs are exactly reproducible.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from heapq import heapify, heappop, heappush

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
        if self.n_waiting:
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


class _EndOfRun(Exception):  # noqa: N818 (control flow, not an error)
    """Raised by the end-of-run marker to leave :meth:`Clock.run`."""


def _stop() -> None:
    raise _EndOfRun


class Clock:
    """The simulation clock (minutes), the model's event calendar and calendar helpers.

    A model event is one flat tuple ``(time, insertion number, fn, args)`` on a heap
    the clock owns: no ``Process``, no ``Timeout`` and no event object per event
    (building a ``Timeout`` was the largest single cost per event when profiled, and a
    wrapper object the next largest). Same-time events run in the order they were
    scheduled, as in SimPy. The SimPy environment keeps the clock's time between runs
    and any SimPy process added to the model still runs, interleaved in time order.
    """

    def __init__(self, env: simpy.Environment, start_weekday: int) -> None:
        self.env = env
        self.start_weekday = start_weekday
        #: Current time (minutes). A plain attribute: the model reads it about once
        #: per event, and a property costs a call each time.
        self.now = float(env.now)
        # One insertion counter with SimPy, so model events and SimPy events scheduled
        # for the same time keep their scheduling order.
        self._eid = env._eid
        self._queue: list = []
        # Events due more than FAR_MIN ahead (long stays in care homes, home care,
        # community beds) wait in a second heap, so the heap every event passes
        # through stays a few hundred entries instead of several thousand. A tick
        # every FAR_MIN moves those due before the next tick into the near heap; the
        # tick's insertion number is -1 so it runs before anything due at its time,
        # and anything scheduled far is due after the next tick: order is unchanged.
        self._far: list = []
        heappush(self._queue, (self.now, -1, self._merge_far, ()))

    def at(self, delay: float, fn: Callable[..., None], *args: object) -> None:
        """Call ``fn(*args)`` after ``delay`` minutes (negative delays count as 0).

        A NaN delay raises: on the heap it would silently break the time order."""
        if delay > FAR_MIN:
            heappush(self._far, (self.now + delay, next(self._eid), fn, args))
        elif delay >= 0.0:
            heappush(self._queue, (self.now + delay, next(self._eid), fn, args))
        elif delay < 0.0:
            heappush(self._queue, (self.now, next(self._eid), fn, args))
        else:
            raise ValueError(f"event delay is {delay!r} (must be a number of minutes) for {fn!r}")

    def _merge_far(self) -> None:
        far, q = self._far, self._queue
        limit = self.now + FAR_MIN
        while far and far[0][0] < limit:
            heappush(q, heappop(far))
        heappush(q, (limit, -1, self._merge_far, ()))

    def run(self, until: float) -> None:
        """Process events due before ``until`` (minutes), then set the clock to ``until``.

        Equivalent to ``env.run(until=until)``: events in time order, same-time events
        in scheduling order, nothing due at ``until`` itself runs yet.
        """
        env = self.env
        q, sq = self._queue, env._queue
        pop = heappop  # a local: this loop runs once per event
        # The end marker sorts before every event due at ``until`` (insertion -2).
        marker = (until, -2, _stop, ())
        heappush(q, marker)
        try:
            while True:
                if sq and self._simpy_first(sq[0], q[0]):
                    env.step()
                    self.now = env._now
                    continue
                t, _, fn, args = pop(q)
                self.now = t
                fn(*args)
        except _EndOfRun:
            pass
        except BaseException:
            # A callback failed (or Ctrl-C): drop the marker so a later run is not cut
            # short at this ``until``.
            q[:] = [e for e in q if e is not marker]
            heapify(q)
            raise
        self.now = env._now = float(until)

    @staticmethod
    def _simpy_first(simpy_head: tuple, head: tuple) -> bool:
        """Whether SimPy's next event (time, priority, id, event) comes before the
        model's next event (time, id, fn, args), which has SimPy's NORMAL priority."""
        if head[1] < 0:  # a clock marker (far tick, end of run) goes first at its time
            return simpy_head[0] < head[0]
        return simpy_head[:3] < (head[0], NORMAL, head[1])

    def chain(self, times: list[float], fn: Callable[..., None], *args: object) -> None:
        """Call ``fn(*args, i)`` at each of the sorted ``times`` (minutes), scheduling one
        arrival at a time so only one event per stream is ever pending. Each arrival
        is due at ``times[i]`` exactly (not at the previous time plus a difference)."""
        n = len(times)
        if n == 0:
            return
        q, eid, push = self._queue, self._eid, heappush

        def arrive(i: int) -> None:
            fn(*args, i)
            i += 1
            if i < n:
                # Arrivals are the most frequent events: pushed here without at().
                push(q, (times[i], next(eid), arrive, (i,)))

        self.at(times[0] - self.now, arrive, 0)

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
