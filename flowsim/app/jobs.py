"""Runs in worker processes, so the page never blocks while the model runs.

A :class:`JobManager` owns a ``ProcessPoolExecutor`` (spawned workers: the Streamlit
server is threaded, and forking a threaded process is unsafe). Each job calls the
public API (:func:`flowsim.compare` or :func:`flowsim.run`) in a worker; the run
itself spreads its replications over ``jobs`` processes or a Dask cluster through
the ordinary executors. A job reports progress to a file in the cache folder and
stores its result there; the page polls :meth:`JobManager.status`.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
import time
import warnings
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from flowsim.app.cache import ResultCache
from flowsim.app.settings import AppSettings
from flowsim.comparison import Experiment


class _ProgressFile:
    """A progress-bar stand-in for :func:`flowsim.executors.map_tasks` that writes
    ``done`` and ``total`` to the cache folder as replications finish."""

    def __init__(self, cache: ResultCache, key: str) -> None:
        self.cache, self.key = cache, key
        self.total, self.done = 0, 0

    def __call__(self, total: int, desc: str = "") -> _ProgressFile:
        self.total, self.done = int(total), 0
        self.cache.write_progress(self.key, 0, self.total, desc)
        return self

    def update(self, n: int = 1) -> None:
        self.done += int(n)
        self.cache.write_progress(self.key, self.done, self.total)

    def close(self) -> None:
        pass


def run_comparison_job(exp: Experiment, key: str, cache_dir: str, settings: AppSettings) -> str:
    """Worker: run :func:`flowsim.compare` on ``exp`` and cache the result under ``key``."""
    import flowsim

    cache = ResultCache(cache_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = flowsim.compare(
            exp,
            jobs=settings.jobs,
            executor=settings.executor,
            scheduler=settings.scheduler,
            progress=_ProgressFile(cache, key),
        )
    cache.put(key, res)
    return key


def run_baseline_job(
    base: str,
    overrides: dict[str, Any],
    replications: int,
    seed: int,
    key: str,
    cache_dir: str,
    settings: AppSettings,
) -> str:
    """Worker: run :func:`flowsim.run` on the baseline scenario and cache the result."""
    import flowsim

    cache = ResultCache(cache_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scn = flowsim.load_scenario(base, overrides)
        res = flowsim.run(
            scn,
            replications=replications,
            seed=seed,
            jobs=settings.jobs,
            executor=settings.executor,
            scheduler=settings.scheduler,
            progress=_ProgressFile(cache, key),
        )
    cache.put(key, res)
    return key


@dataclass(frozen=True)
class JobStatus:
    """Where a job stands: ``done`` (cached), ``running``, ``failed`` or ``none``."""

    state: str
    done: int = 0
    total: int = 0
    elapsed_s: float = 0.0
    error: str = ""

    @property
    def fraction(self) -> float:
        """Share of replications finished (0 before the first report)."""
        return self.done / self.total if self.total else 0.0


class JobManager:
    """Worker processes shared by every browser session of one app server.

    Parameters
    ----------
    settings
        Cache folder, executor, scheduler and workers per run.
    max_jobs
        Jobs (comparisons or baseline runs) running at once; more wait in a queue.
    """

    def __init__(self, settings: AppSettings, max_jobs: int = 2) -> None:
        self.settings = settings
        self.cache = ResultCache(settings.cache_dir)
        self._pool = ProcessPoolExecutor(
            max_workers=max_jobs, mp_context=multiprocessing.get_context("spawn")
        )
        self._jobs: dict[str, tuple[Future, float]] = {}
        self._lock = threading.Lock()
        _MANAGERS.append(self)

    def _submit(self, key: str, fn, *args) -> None:
        with self._lock:
            known = self._jobs.get(key)
            if self.cache.has(key) or (known and not known[0].done()):
                return
            self._jobs[key] = (self._pool.submit(fn, *args), time.monotonic())

    def submit_comparison(self, exp: Experiment, key: str) -> None:
        """Start a comparison unless its result is cached or it is already running."""
        self._submit(key, run_comparison_job, exp, key, str(self.settings.cache_dir), self.settings)

    def submit_baseline(
        self, base: str, overrides: dict[str, Any], replications: int, seed: int, key: str
    ) -> None:
        """Start a baseline run unless its result is cached or it is already running."""
        self._submit(
            key,
            run_baseline_job,
            base,
            dict(overrides),
            replications,
            seed,
            key,
            str(self.settings.cache_dir),
            self.settings,
        )

    def status(self, key: str) -> JobStatus:
        """The state of the job for ``key``, with its progress."""
        if self.cache.has(key):
            return JobStatus("done")
        with self._lock:
            known = self._jobs.get(key)
        if known is None:
            return JobStatus("none")
        fut, started = known
        elapsed = time.monotonic() - started
        if fut.done():
            exc = fut.exception()
            if exc is not None:
                return JobStatus("failed", elapsed_s=elapsed, error=_describe(exc))
            return JobStatus("done", elapsed_s=elapsed)
        prog = self.cache.read_progress(key) or (0, 0)
        return JobStatus("running", prog[0], prog[1], elapsed)

    def result(self, key: str) -> Any | None:
        """The cached result of ``key`` (None until the job has finished)."""
        return self.cache.get(key)

    def forget_failure(self, key: str) -> None:
        """Drop a failed job so that it can be submitted again."""
        with self._lock:
            known = self._jobs.get(key)
            if known and known[0].done():
                del self._jobs[key]

    def shutdown(self, kill: bool = False) -> None:
        """Stop the worker processes; ``kill`` also ends jobs still running."""
        procs = list((getattr(self._pool, "_processes", None) or {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        if kill:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.join(timeout=10)
        with contextlib.suppress(ValueError):
            _MANAGERS.remove(self)


#: Every live manager of this process (tests and servers stop them with shutdown_all).
_MANAGERS: list[JobManager] = []


def shutdown_all(kill: bool = True) -> None:
    """Stop the worker processes of every manager made in this process."""
    for m in list(_MANAGERS):
        m.shutdown(kill=kill)


def _describe(exc: BaseException) -> str:
    from flowsim.errors import ConfigError

    if isinstance(exc, ConfigError):  # pickles whole: its message lists every problem
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
