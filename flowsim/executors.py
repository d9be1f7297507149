"""Where tasks run: in this process, in local worker processes, or on Dask.

All executors return results in task order, and each task carries its own seed
and replication number, so the tables are identical whichever executor ran them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

EXECUTORS = ("serial", "processes", "dask")


def _progress_bar(total: int, desc: str, progress: bool | Callable):
    """A tqdm bar (terminal or Jupyter) or None when progress is off."""
    if not progress or total <= 1:
        return None
    if callable(progress):
        return progress(total=total, desc=desc)
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, leave=False)


def resolve_executor(executor: str | None, jobs: int) -> str:
    if executor is None:
        return "processes" if jobs and jobs > 1 else "serial"
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {EXECUTORS}, got {executor!r}")
    return executor


def map_tasks(
    fn: Callable[[T], R],
    tasks: Sequence[T],
    jobs: int = 1,
    executor: str | None = None,
    scheduler: str | None = None,
    progress: bool | Callable = False,
    desc: str = "tasks",
    on_result: Callable[[int, R], None] | None = None,
) -> list[R]:
    """Apply ``fn`` to every task and return the results in task order.

    ``on_result(i, result)`` is called as each task finishes (in completion order),
    which lets sweeps write each finished point at once.
    """
    kind = resolve_executor(executor, jobs)
    bar = _progress_bar(len(tasks), desc, progress)
    out: list[Any] = [None] * len(tasks)

    def done(i: int, r: Any) -> None:
        out[i] = r
        if on_result is not None:
            on_result(i, r)
        if bar is not None:
            bar.update(1)

    try:
        if kind == "serial" or len(tasks) <= 1:
            for i, t in enumerate(tasks):
                done(i, fn(t))
        elif kind == "processes":
            workers = max(
                1, min(int(jobs) if jobs and jobs > 0 else os.cpu_count() or 1, len(tasks))
            )
            pool = ProcessPoolExecutor(max_workers=workers)
            try:
                futs = {pool.submit(fn, t): i for i, t in enumerate(tasks)}
                for f in as_completed(futs):
                    done(futs[f], f.result())
            except BaseException:
                # Ctrl-C or a failure: stop now rather than finish the queued tasks.
                procs = getattr(pool, "_processes", None) or {}
                for proc in list(procs.values()):
                    proc.terminate()
                pool.shutdown(wait=False, cancel_futures=True)
                raise
            pool.shutdown()
        else:
            from flowsim.dask_executor import dask_map

            dask_map(fn, tasks, scheduler=scheduler, jobs=jobs, done=done)
    finally:
        if bar is not None:
            bar.close()
    return out
