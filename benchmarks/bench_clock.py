"""Why the model owns its event calendar: one model event through each way of
scheduling it, measured.

    python benchmarks/bench_clock.py [--events N]

Each variant runs the same workload: ``N`` events in 1,000 interleaved chains, each
event scheduling the next of its chain after a pseudo-random delay (a patient's
journey is such a chain). Variants:

(a) the model's :class:`~flowsim.model.engine.Clock` (flat tuples on its own heap);
(b) ``env.timeout(delay)`` with a callback: SimPy's documented call for a delay, and
    the cheapest public one (``env.schedule`` wants an already-triggered event, which
    only the private ``_ok`` makes; a subclass of ``Environment`` would still build one
    event object per model event);
(c) one SimPy ``Process`` per chain, ``yield env.timeout(delay)`` (idiomatic SimPy).

Best of three runs per variant, in one process, so the ratios hold on a busy machine.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import simpy

from flowsim.model.engine import Clock

CHAINS = 1000


def _delays(n: int) -> list[float]:
    return np.random.default_rng(1).exponential(60.0, n).tolist()


def run_clock(n: int) -> float:
    d = _delays(n)
    clock = Clock(simpy.Environment(), 0)
    left = [n]

    def step(i: int) -> None:
        left[0] -= 1
        if left[0] > CHAINS:
            clock.at(d[left[0]], step, i)

    t0 = time.perf_counter()
    for i in range(CHAINS):
        clock.at(d[i], step, i)
    clock.run(sum(d))  # past the last event: every chain is done by then
    return time.perf_counter() - t0


def run_timeout(n: int) -> float:
    d = _delays(n)
    env = simpy.Environment()
    left = [n]

    def step(ev) -> None:
        left[0] -= 1
        if left[0] > CHAINS:
            env.timeout(d[left[0]]).callbacks.append(step)

    t0 = time.perf_counter()
    for i in range(CHAINS):
        env.timeout(d[i]).callbacks.append(step)
    env.run()
    return time.perf_counter() - t0


def run_process(n: int) -> float:
    d = _delays(n)
    env = simpy.Environment()
    left = [n]

    def chain(env, first):
        yield env.timeout(first)
        while True:
            left[0] -= 1
            if left[0] <= CHAINS:
                return
            yield env.timeout(d[left[0]])

    t0 = time.perf_counter()
    for i in range(CHAINS):
        env.process(chain(env, d[i]))
    env.run()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=400_000)
    n = ap.parse_args().events
    variants = {
        "(a) model clock (own heap)": run_clock,
        "(b) SimPy env.timeout + callback": run_timeout,
        "(c) SimPy Process per chain": run_process,
    }
    best = {}
    for _ in range(3):
        for name, fn in variants.items():
            s = fn(n)
            best[name] = min(best.get(name, s), s)
    base = best["(a) model clock (own heap)"]
    print(f"{n:,} events in {CHAINS:,} chains; best of 3")
    for name, s in best.items():
        print(f"  {name:36s} {n / s / 1e6:6.2f} M events/s   {s / base:5.2f}x the clock's time")


if __name__ == "__main__":
    main()
