"""Speed and memory benchmark: prints figures and ratios measured in one run.

    python benchmarks/bench_speed.py            # or: make bench
    python benchmarks/bench_speed.py --quick    # shorter horizons, for a smoke test

(a) one Worcestershire baseline replication-year end to end (sampling, simulation,
    KPIs), in patients per second;
(b) the same A&E patients through an idiomatic SimPy reference tandem model written
    here (a Process per patient, simpy.Resource for A&E spaces, acute beds and
    community beds, scalar numpy draws), in patients per second; and the ratio;
(c) cold start (fresh process, empty numba cache) against warm start;
(d) peak memory (max RSS) of a process that runs one replication;
(e) speed-up of ``jobs=2`` over serial for the same replications;
(f) the numba thinning kernel against its numpy equivalent.

The machine may be noisy: ratios are measured within one run, each side timed in
the same process, best of the repeats.
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import tempfile
import textwrap
import time

import numpy as np
import simpy

import flowsim
from flowsim.patients import build_cohorts
from flowsim.streams import Streams


def reference_tandem(scn: flowsim.Scenario, seed: int) -> tuple[int, float]:
    """Idiomatic SimPy: the model's A&E arrivals through A&E spaces -> acute beds ->
    community beds, one Process per patient, simpy.Resource everywhere, scalar draws.
    Returns (patients, seconds)."""
    c = build_cohorts(scn, Streams(seed, 0))
    times = np.sort(np.concatenate([c.ambulance.t, c.walkin.t]))
    horizon = (scn.run.warmup_days + scn.run.days) * 1440.0
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    spaces = simpy.Resource(env, capacity=scn.ed.spaces)
    beds = simpy.Resource(env, capacity=scn.acute.beds)
    community = simpy.Resource(env, capacity=scn.community.beds)
    p_admit = scn.emergency_admissions_per_day() / (
        scn.ambulance.arrivals_per_day + scn.ed.walkin_arrivals_per_day
    )
    ed_mean = scn.ed.assessment_min.expected + scn.ed.majors_treatment_min.expected * 0.5
    los_mean = scn.acute.emergency_los_days.expected * 1440.0
    comm_mean = scn.community.los_days.expected * 1440.0
    p2 = scn.acute.pathway_probs[2]

    def patient(env):
        space = spaces.request()
        yield space
        yield env.timeout(rng.exponential(ed_mean))
        if rng.random() < p_admit:
            bed = beds.request()
            yield bed  # exit block: the A&E space is held until a bed is free
            spaces.release(space)
            yield env.timeout(rng.exponential(los_mean))
            if rng.random() < p2:
                cbed = community.request()
                yield cbed
                beds.release(bed)
                yield env.timeout(rng.exponential(comm_mean))
                community.release(cbed)
            else:
                beds.release(bed)
        else:
            spaces.release(space)

    def arrivals(env):
        last = 0.0
        for t in times:
            yield env.timeout(t - last)
            last = t
            env.process(patient(env))

    t0 = time.perf_counter()
    env.process(arrivals(env))
    env.run(until=horizon)
    return len(times), time.perf_counter() - t0


def model_year(scn: flowsim.Scenario, seed: int) -> tuple[int, float, dict]:
    """End to end: cohorts, simulation and KPIs of one replication."""
    from flowsim.experiment import RepTask, run_task

    t0 = time.perf_counter()
    r = run_task(RepTask(scn, seed, 0))
    dt = time.perf_counter() - t0
    return int(r.meta["arrivals"]), dt, r.meta


COLD = textwrap.dedent(
    """
    import resource, sys, time
    t0 = time.perf_counter()
    import flowsim
    from flowsim.experiment import RepTask, run_task
    scn = flowsim.load_scenario("worcestershire", overrides={"run.days": DAYS})
    t1 = time.perf_counter()
    run_task(RepTask(scn, 1, 0))
    t2 = time.perf_counter()
    run_task(RepTask(scn, 1, 1))
    t3 = time.perf_counter()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(t1 - t0, t2 - t1, t3 - t2, rss)
    """
)


def cold_warm(days: float) -> tuple[float, float, float, float]:
    """A fresh process with an empty numba cache: import, first and second replication
    times, and peak RSS (MB)."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        out = subprocess.run(
            [sys.executable, "-c", COLD.replace("DAYS", str(days))],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
    return tuple(float(x) for x in out.stdout.split())


def thinning(n: int = 4_000_000) -> tuple[float, float]:
    from flowsim.config import DemandCfg
    from flowsim.sampling import RateProfile, thin_numba, thin_numpy

    scn = flowsim.load_scenario("worcestershire")
    prof = RateProfile.build(DemandCfg(hour_of_day=scn.demand.hour_of_day), 400, 0, 4)
    rng = np.random.default_rng(0)
    t = np.sort(rng.random(n)) * 399 * 1440
    u = rng.random(n)
    args = (t, u, 0.3, prof.day_factor, prof.hour_factor, 1.0)
    thin_numba(*args)  # compile (or load from cache)
    best = {}
    for name, fn in (("numba", thin_numba), ("numpy", thin_numpy)):
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            fn(*args)
            times.append(time.perf_counter() - t0)
        best[name] = min(times)
    return best["numba"], best["numpy"]


def parallel(scn: flowsim.Scenario, reps: int) -> tuple[float, float]:
    t0 = time.perf_counter()
    flowsim.run(scn, replications=reps, jobs=1)
    t1 = time.perf_counter()
    flowsim.run(scn, replications=reps, jobs=2)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="90-day horizons (smoke test)")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    days = 90 if args.quick else 365
    scn = flowsim.load_scenario("worcestershire", overrides={"run.days": days})
    print(
        f"flowsim benchmark: Worcestershire, {days} days after {scn.run.warmup_days:g} "
        f"days' warm-up, {os.cpu_count()} CPUs\n"
    )

    model_year(scn, 1)  # warm numba and caches
    m_best, r_best = None, None
    for i in range(args.repeats):
        # Each side starts with no garbage left by the other (a collection of the
        # other side's objects must not land inside this side's timing).
        gc.collect()
        n_m, t_m, meta = model_year(scn, 1 + i)
        gc.collect()
        n_r, t_r = reference_tandem(scn, 1 + i)
        m_best = min(m_best or (1e9, 0, {}), (t_m, n_m, meta))
        r_best = min(r_best or (1e9, 0), (t_r, n_r))
    t_m, n_m, meta = m_best
    t_r, n_r = r_best
    rate_m, rate_r = n_m / t_m, n_r / t_r
    print("(a) county model, end to end (sampling + simulation + KPIs)")
    print(
        f"    {t_m:.2f} s per replication; {n_m:,} patients arriving (start state of "
        f"{meta['patients'] - n_m:,} not counted); {rate_m:,.0f} patients/s; "
        f"{meta['events']:,} events; sampling {meta['sampling_s']:.2f} s, "
        f"simulation {meta['simulation_s']:.2f} s"
    )
    print("(b) idiomatic SimPy reference tandem (A&E -> beds -> community), same A&E patients")
    print(f"    {t_r:.2f} s; {n_r:,} patients; {rate_r:,.0f} patients/s")
    print(
        f"    RATIO county model / reference = {rate_m / rate_r:.2f}x patients per second "
        f"(target >= 2.5x)"
    )

    imp, first, second, rss = cold_warm(days)
    print("(c) cold start (new process, empty numba cache) vs warm start")
    print(
        f"    import + load {imp:.2f} s; first replication {first:.2f} s; "
        f"second {second:.2f} s; cold/warm {first / second:.2f}x"
    )
    print("(d) peak memory of a process running two replications")
    print(f"    max RSS {rss:,.0f} MB")
    reps = 4
    short = scn.with_overrides({"run.days": min(days, 120)})
    ser, par = parallel(short, reps)
    print(
        f"(e) {reps} replications of {min(days, 120)} days: serial {ser:.2f} s, jobs=2 "
        f"{par:.2f} s, speed-up {ser / par:.2f}x"
    )
    nb, npy = thinning()
    print("(f) NHPP thinning of 4M candidates")
    print(f"    numba {nb * 1e3:.1f} ms, numpy {npy * 1e3:.1f} ms, numba gain {npy / nb:.2f}x")


if __name__ == "__main__":
    main()
