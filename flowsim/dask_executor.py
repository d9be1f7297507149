"""Running tasks on a Dask distributed cluster (or a LocalCluster when no address is given)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flowsim.errors import ConfigError, Problem
from flowsim.executors import RunOptions, check_scheduler


def dask_map(
    fn: Callable,
    tasks: Sequence[Any],
    scheduler: str | None = None,
    jobs: int | None = None,
    done: Callable[[int, Any], None] | None = None,
    options: RunOptions | None = None,
) -> None:
    """Submit every task to Dask and call ``done(i, result)`` as each finishes.

    A scheduler address is probed first (:func:`flowsim.executors.check_scheduler`),
    so a wrong address fails within ``options.scheduler_timeout_s`` with one message
    instead of a long wait and a traceback.
    """
    opts = RunOptions.of(options, scheduler=scheduler, jobs=jobs)
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise ConfigError(
            [
                Problem(
                    "executor", "dask", "needs the 'distributed' package: pip install distributed"
                )
            ]
        ) from None

    cluster = None
    if opts.scheduler:
        check_scheduler(opts.scheduler, opts.scheduler_timeout_s)
        try:
            client = Client(opts.scheduler, timeout=f"{opts.scheduler_timeout_s}s")
        except Exception as exc:  # noqa: BLE001 - whatever answered, it is not a scheduler
            why = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
            raise ConfigError(
                [
                    Problem(
                        "scheduler",
                        opts.scheduler,
                        f"something answers there but no Dask scheduler could be reached ({why})",
                    )
                ]
            ) from None
    else:
        cluster = LocalCluster(
            n_workers=max(1, opts.workers),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        client = Client(cluster)
    try:
        futures = client.map(fn, list(tasks), pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        for fut in as_completed(futures):
            i = index[fut.key]
            result = fut.result()
            if done is not None:
                done(i, result)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
