"""Event-scheduling primitives shared by every care setting: the clock and counted pools.

The hot path avoids what is expensive in SimPy: one ``Process`` per patient and
``simpy.Resource`` (whose release scans its users, costly for a 900-bed pool).
Instead a patient's journey is a chain of steps, each a flat tuple on the
:class:`Clock`'s own heap, and capacity is a :class:`Pool`: a counter plus FIFO
queues, O(1) per request and release. Arrival streams (:meth:`Clock.chain`) are
merged up front into one time-sorted stream the loop reads beside the heap, so the
most frequent events never pass through it. ``benchmarks/bench_clock.py`` measures
the choice: a model event through the clock costs a fraction of one through SimPy's
public scheduling calls.

**One callback convention**: a scheduled step is ``fn(*args)``, scheduled with
``clock.at(delay_min, fn, *args)``; a pool grant is ``grant(*args)``, requested with
``pool.request(grant, level, *args)``. Same-time events run in the order they were
scheduled, so runs are exactly reproducible.

**SimPy processes** still run alongside the model, through SimPy's public API only
(``Environment.process``, ``peek``, ``step``, ``run``): :meth:`Clock.process` starts
one, and the clock wakes SimPy whenever SimPy's next event is due.
"""

from __future__ import annotations

import copy
import gc
import itertools
import math
from collections import defaultdict, deque
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from heapq import heapify, heappop, heappush

import numpy as np
import simpy

MIN_PER_DAY = 1440.0
#: Events due further ahead than this (minutes) wait in the clock's far heap.
FAR_MIN = MIN_PER_DAY


class Ticket:
    """A queued request for one unit of a :class:`Pool`; :meth:`cancel` withdraws it."""

    __slots__ = ("pool", "level", "grant", "args", "waiting")

    def __init__(self, pool: Pool, level: int, grant: Callable[..., None], args: tuple) -> None:
        self.pool = pool
        self.level = level
        self.grant = grant
        self.args = args
        #: True while queued; False once granted or cancelled.
        self.waiting = True

    def cancel(self) -> bool:
        """Withdraw the request if it is still queued (an elective cancelled on the day).

        Returns
        -------
        bool
            True if it was withdrawn, False if it had already been granted or cancelled.
        """
        if not self.waiting:
            return False
        self.waiting = False
        self.pool._withdraw(self)
        return True


class Granted:
    """The ticket of a request granted at once: nothing left to cancel (one shared object,
    so an immediate grant allocates nothing)."""

    __slots__ = ()
    waiting = False

    def cancel(self) -> bool:
        return False


#: Returned by :meth:`Pool.request` when the unit was granted at once.
GRANTED = Granted()


class Pool:
    """Counted capacity (beds, spaces, packages) with FIFO queues by priority level.

    ``request(grant, level, *args)`` calls ``grant(*args)`` at once when a unit is free
    and nobody is queued; otherwise it queues. ``release()`` hands the unit to the
    first waiter of the most urgent level (level 0 first). Capacity may change over
    time (rosters, escalation beds); a reduction never evicts, it only stops new
    grants until use falls below the new capacity.
    """

    __slots__ = ("name", "capacity", "in_use", "queues", "n_waiting", "peak_in_use")

    def __init__(self, name: str, capacity: int, levels: int = 1) -> None:
        self.name = name
        self.capacity = int(capacity)
        self.in_use = 0
        self.queues: list[deque[Ticket]] = [deque() for _ in range(levels)]
        self.n_waiting = 0
        self.peak_in_use = 0

    def request(
        self, grant: Callable[..., None], level: int = 0, *args: object
    ) -> Ticket | Granted:
        """Call ``grant(*args)`` when a unit is this request's (at once if free).

        Returns
        -------
        Ticket
            The queued request (``ticket.cancel()`` withdraws it), or :data:`GRANTED`
            if the unit was granted before this call returned.
        """
        n = self.in_use
        if n < self.capacity and not self.n_waiting:
            self.in_use = n = n + 1
            if n > self.peak_in_use:
                self.peak_in_use = n
            grant(*args)
            return GRANTED
        ticket = Ticket(self, level, grant, args)
        self.queues[level].append(ticket)
        self.n_waiting += 1
        return ticket

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
        """Give a unit back; the first waiter of the most urgent level gets it."""
        self.in_use -= 1
        if self.n_waiting:
            self._serve()

    def head(self, level: int = 0) -> Ticket | None:
        """The first queued request at ``level`` (None if nobody waits there)."""
        q = self.queues[level]
        return q[0] if q else None

    def take_head(self, level: int) -> Ticket:
        """Remove and return the first queued request at ``level`` without granting it
        here (another pool's unit is given to it: an outlying patient). Raises
        IndexError if nobody waits there."""
        ticket = self.queues[level].popleft()
        ticket.waiting = False
        self.n_waiting -= 1
        return ticket

    def set_capacity(self, capacity: int) -> None:
        """Change the number of units; waiters are served if the new capacity allows."""
        self.capacity = int(capacity)
        self._serve()

    def clear(self) -> None:
        """Withdraw every queued request (after the last run; see :meth:`Clock.clear`)."""
        for q in self.queues:
            for ticket in q:
                ticket.waiting = False
            q.clear()
        self.n_waiting = 0

    def _withdraw(self, ticket: Ticket) -> None:
        self.queues[ticket.level].remove(ticket)
        self.n_waiting -= 1

    def _serve(self) -> None:
        while self.n_waiting and self.in_use < self.capacity:
            for q in self.queues:
                if q:
                    ticket = q.popleft()
                    break
            ticket.waiting = False
            self.n_waiting -= 1
            self.in_use += 1
            if self.in_use > self.peak_in_use:
                self.peak_in_use = self.in_use
            ticket.grant(*ticket.args)


class DueBuckets:
    """Entries ``(time, ...)`` due at known times, taken out only when someone looks.

    For lazy steps (see :meth:`Clock.on_pause`): work whose time is known, counted in
    by the reader instead of costing an event each. A heap would keep the entries in
    order at O(log n) tuple comparisons per entry; the readers here only count and
    record them (or, for the clock's far events, put them on the heap, which orders
    them), so order is not needed: entries wait in buckets of ``width`` minutes by due
    time, O(1) to add and to take.

    An entry due at ``t`` goes to bucket ``int(t / width)`` (computed as a product):
    a non-decreasing function of ``t``, so an entry due before a time is never in a
    later bucket than that time's, and one in an earlier bucket is due before it,
    whatever the round-off of the bucket bounds.

    Parameters
    ----------
    width : float
        Bucket width (minutes). Readers that look at multiples of it (the midnight
        census, the 4-hourly escalation check) take whole buckets without comparing.
    """

    __slots__ = ("width", "_per_min", "_buckets", "_first")

    def __init__(self, width: float = 60.0) -> None:
        self.width = float(width)
        self._per_min = 1.0 / self.width
        self._buckets: defaultdict[int, list[tuple]] = defaultdict(list)
        self._first = 0  # every bucket before this one has been taken

    def __len__(self) -> int:
        """Entries waiting."""
        return sum(len(b) for b in self._buckets.values())

    def clear(self) -> None:
        """Drop every entry."""
        self._buckets.clear()

    def add(self, entry: tuple) -> None:
        """Add ``entry``, due at ``entry[0]`` (not before the last :meth:`take_before`;
        one that is joins the first bucket not yet taken)."""
        b = int(entry[0] * self._per_min)
        self._buckets[b if b >= self._first else self._first].append(entry)

    def take_before(self, now: float) -> list[tuple]:
        """Remove and return every entry due before ``now`` (one due exactly at ``now``
        stays), in no particular order.

        Steps:

        1. the buckets before ``now``'s bucket are taken whole;
        2. the entries of ``now``'s bucket due before ``now`` are taken.
        """
        buckets = self._buckets
        if not buckets:
            return []
        nb = int(now * self._per_min)
        out: list[tuple] = []
        for j in range(self._first, nb):
            bucket = buckets.pop(j, None)
            if bucket is not None:
                out += bucket
        if nb > self._first:
            self._first = nb
        bucket = buckets.get(nb)
        if bucket:
            keep = [e for e in bucket if e[0] >= now]
            if len(keep) < len(bucket):
                out += [e for e in bucket if e[0] < now]
                buckets[nb] = keep
        return out


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the event loop runs.

    The loop allocates and frees millions of short-lived event tuples, and each
    allocation burst triggers a collection that walks the hundreds of thousands of
    live patient records and events (about 0.5-1 s of a 5 s Worcestershire year,
    measured with ``gc.callbacks``). Journeys create no reference cycles, so
    reference counting frees everything the loop drops; the only cycle is the
    system itself (settings <-> clock), collected as usual once the run is over.
    The collector's previous state is restored on exit, also on error.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _EndOfRun(Exception):  # noqa: N818 (control flow, not an error)
    """Raised by the end-of-run marker to leave :meth:`Clock.run`."""


def _stop() -> None:
    raise _EndOfRun


class Clock:
    """The simulation clock (minutes), the model's event calendar and calendar helpers.

    A model event is one flat tuple ``(time, insertion number, fn, args)`` on a heap
    the clock owns: no ``Process``, no ``Timeout`` and no event object per event.
    Same-time events run in the order they were scheduled.

    Parameters
    ----------
    env : simpy.Environment
        The environment in which SimPy processes added to the model run; the clock
        drives it through SimPy's public API and leaves its time at the clock's time
        after every :meth:`run`.
    start_weekday : int
        Weekday of minute 0 (0 = Monday).
    """

    def __init__(self, env: simpy.Environment, start_weekday: int) -> None:
        self.env = env
        self.start_weekday = start_weekday
        #: Current time (minutes). A plain attribute: the model reads it about once
        #: per event, and a property costs a call each time.
        self.now = float(env.now)
        self._eid = itertools.count()
        self._queue: list = []
        # Events due more than FAR_MIN ahead (long stays in care homes, home care,
        # community beds) wait outside the heap, so the heap every event passes
        # through stays a few hundred entries instead of several thousand. They wait
        # in buckets of FAR_MIN by due time (no ordering needed there: the heap
        # orders them by time and insertion number once they join it). A tick every
        # FAR_MIN moves those due before the next tick into the heap; the tick's
        # insertion number is -1 so it runs before anything due at its time, and
        # anything scheduled far is due after the next tick: order is unchanged.
        self._far = DueBuckets(FAR_MIN)
        heappush(self._queue, (self.now, -1, self._merge_far, ()))
        #: Time of the pending wake-up for SimPy's next event (inf: none pending).
        self._wake_at = math.inf
        # Arrival streams registered with :meth:`chain` before a run are merged into
        # one time-sorted stream that the loop reads beside the heap (see _loop):
        # arrivals, the most frequent events, never pass through the heap.
        self._arr_t: list[float] = [math.inf]  # arrival times, then an inf sentinel
        self._arr_src: list[int] = []  # index into _arr_sources
        self._arr_i: list[int] = []  # the arrival's index in its stream
        # each stream's step with its arguments bound: ``step(i)`` (a partial call
        # passes the arguments on without building a tuple per arrival, as
        # ``fn(*args, i)`` would)
        self._arr_sources: list[Callable[[int], None]] = []
        self._arr_k = 0  # next arrival to dispatch
        self._arr_done = 0  # arrivals dispatched before the last merge
        self._pending_chains: list[tuple[object, Callable[..., None], tuple]] = []
        self._running = False
        self._settle: list[Callable[[], None]] = []

    def on_pause(self, fn: Callable[[], None]) -> None:
        """Call ``fn()`` each time :meth:`run` returns, at the clock's new time.

        For a setting that keeps lazy state (work whose time is known, counted in
        only when someone looks, instead of one event each): ``fn`` brings its
        records and counts up to now, so they read the same after a run as if every
        step had been an event.
        """
        self._settle.append(fn)

    @property
    def events_scheduled(self) -> int:
        """Model events scheduled so far, arrivals dispatched from :meth:`chain` streams
        included (SimPy's own events not counted). Read between runs: while a run is
        going, its dispatched arrivals are counted only when it returns."""
        return next(copy.copy(self._eid)) + self._arr_done + self._arr_k

    def at(self, delay: float, fn: Callable[..., None], *args: object) -> None:
        """Call ``fn(*args)`` after ``delay`` minutes (negative delays count as 0).

        A NaN delay raises: on the heap it would silently break the time order."""
        if delay > FAR_MIN:
            self._far.add((self.now + delay, next(self._eid), fn, args))
        elif delay >= 0.0:
            heappush(self._queue, (self.now + delay, next(self._eid), fn, args))
        elif delay < 0.0:
            heappush(self._queue, (self.now, next(self._eid), fn, args))
        else:
            raise ValueError(f"event delay is {delay!r} (must be a number of minutes) for {fn!r}")

    def at_time(self, t: float, fn: Callable[..., None], *args: object) -> None:
        """Call ``fn(*args)`` at minute ``t`` exactly (not before now): for a step whose
        time was worked out ahead, so that it is due at the very time it would have
        had if scheduled by the step before it."""
        delay = t - self.now
        if delay > FAR_MIN:
            self._far.add((t, next(self._eid), fn, args))
        elif delay >= 0.0:
            heappush(self._queue, (t, next(self._eid), fn, args))
        elif delay < 0.0:
            heappush(self._queue, (self.now, next(self._eid), fn, args))
        else:
            raise ValueError(f"event time is {t!r} (must be a number of minutes) for {fn!r}")

    def _merge_far(self) -> None:
        """Every FAR_MIN: move the far events due before the next tick into the near
        heap (which orders them), then schedule the next tick."""
        q = self._queue
        limit = self.now + FAR_MIN
        for e in self._far.take_before(limit):
            heappush(q, e)
        heappush(q, (limit, -1, self._merge_far, ()))

    # ------------------------------------------------------------ SimPy processes
    def process(self, generator: Generator) -> simpy.Process:
        """Start a SimPy process (a generator over ``env``) that runs with the model.

        Its events interleave with the model's in time order; at the same minute, a
        SimPy event runs after the model events scheduled for that minute before it.
        The process may call any setting's public methods (for example
        ``system.acute.open_surge_beds(40)``) while it runs.
        """
        proc = self.env.process(generator)
        self.sync_simpy()
        return proc

    def sync_simpy(self) -> None:
        """Make sure a wake-up is pending for SimPy's next event (call after scheduling
        SimPy events from outside a SimPy process)."""
        t = self.env.peek()
        if t < self._wake_at:
            self._wake_at = t
            heappush(self._queue, (max(t, self.now), next(self._eid), self._wake_simpy, (t,)))

    def _wake_simpy(self, due: float) -> None:
        """Run every SimPy event due now, then wait for SimPy's next one."""
        if due == self._wake_at:
            self._wake_at = math.inf
        env, now = self.env, self.now
        if now > env.now:
            env.run(until=now)  # no SimPy event is due before now: this moves its clock
        while env.peek() <= now:
            env.step()
        self.sync_simpy()

    def run(self, until: float) -> None:
        """Process events due before ``until`` (minutes), then set the clock to ``until``.

        Equivalent to ``env.run(until=until)`` in plain SimPy: events in time order,
        same-time events in scheduling order, nothing due at ``until`` itself runs yet.
        """
        with gc_paused():
            self._loop(until)
        self.now = float(until)
        if until > self.env.now:
            self.env.run(until=until)  # SimPy has nothing due before ``until``
        for fn in self._settle:
            fn()

    def _loop(self, until: float) -> None:
        """The event loop of :meth:`run`.

        Steps, once per event:

        1. the next arrival of the merged arrival stream is due before the heap's
           first event: set the time, call its step ``fn(*args, i)``;
        2. otherwise pop the heap's first event, set the time, call ``fn(*args)``;
        3. the end marker (due at ``until``, before any event due then) stops the loop.

        A heap event due at the same time as an arrival runs first.
        """
        self.sync_simpy()
        if self._pending_chains:
            self._merge_chains()
        q = self._queue
        pop = heappop  # a local: this loop runs once per event
        arr_t, arr_src, arr_i, sources = self._arr_t, self._arr_src, self._arr_i, self._arr_sources
        k = self._arr_k
        next_t = arr_t[k]
        # The end marker sorts before every event due at ``until`` (insertion -2).
        marker = (until, -2, _stop, ())
        heappush(q, marker)
        self._running = True
        try:
            while True:
                if next_t < q[0][0]:  # the heap is never empty: the marker is in it
                    self.now = next_t
                    step = sources[arr_src[k]]
                    i = arr_i[k]
                    k += 1
                    next_t = arr_t[k]
                    step(i)
                else:
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
        finally:
            self._arr_k = k  # kept in a local while the loop runs: one store per run
            self._running = False

    def _merge_chains(self) -> None:
        """Merge the streams registered since the last run into the arrival stream,
        in time order; at equal times earlier-registered streams come first."""
        k = self._arr_k
        times = [np.asarray(self._arr_t[k:-1], dtype=float)]
        src = [np.asarray(self._arr_src[k:], dtype=np.int64)]
        idx = [np.asarray(self._arr_i[k:], dtype=np.int64)]
        for stream_times, fn, args in self._pending_chains:
            t = np.asarray(stream_times, dtype=float)
            if np.isnan(t).any() or (np.diff(t) < 0).any():
                raise ValueError(f"arrival times for {fn!r} must be sorted numbers")
            keep = t >= self.now  # an arrival before now runs now, as with at()
            t = np.where(keep, t, self.now)
            times.append(t)
            src.append(np.full(len(t), len(self._arr_sources), dtype=np.int64))
            idx.append(np.arange(len(t), dtype=np.int64))
            self._arr_sources.append(partial(fn, *args))
        self._pending_chains = []
        t_all = np.concatenate(times)
        order = np.argsort(t_all, kind="stable")
        self._arr_done += k
        self._arr_t = t_all[order].tolist() + [math.inf]
        self._arr_src = np.concatenate(src)[order].tolist()
        self._arr_i = np.concatenate(idx)[order].tolist()
        self._arr_k = 0

    def clear(self) -> None:
        """Drop every pending event and arrival (after the last run).

        Pending events hold the settings' bound methods, and the settings hold the
        clock: clearing breaks that cycle, so a finished system is freed by reference
        counting at once instead of waiting for the cyclic collector (paused while a
        later replication runs in the same process).
        """
        self._queue.clear()
        self._far.clear()
        self._settle.clear()
        self._pending_chains.clear()
        self._arr_sources.clear()
        self._arr_t, self._arr_src, self._arr_i = [math.inf], [], []
        self._arr_done += self._arr_k
        self._arr_k = 0

    def chain(
        self, times: Sequence[float] | np.ndarray, fn: Callable[..., None], *args: object
    ) -> None:
        """Call ``fn(*args, i)`` at each of the sorted ``times`` (minutes): an arrival
        stream. Each arrival is due at ``times[i]`` exactly.

        Streams registered before :meth:`run` join the clock's merged arrival stream,
        which the loop reads beside the heap, so an arrival costs no heap operation.
        A stream started by a running step (for example a user's process) is chained
        through the heap instead, one pending arrival at a time.
        """
        n = len(times)
        if n == 0:
            return
        if not self._running:
            self._pending_chains.append((times, fn, args))
            return
        if isinstance(times, np.ndarray):
            times = times.tolist()  # the heap compares Python floats
        q, eid, push = self._queue, self._eid, heappush

        def arrive(i: int) -> None:
            fn(*args, i)
            i += 1
            if i < n:
                push(q, (times[i], next(eid), arrive, (i,)))

        self.at(times[0] - self.now, arrive, 0)

    def weekday(self, t: float) -> int:
        """0 = Monday ... 6 = Sunday for simulated minute t."""
        return (self.start_weekday + int(t // MIN_PER_DAY)) % 7
