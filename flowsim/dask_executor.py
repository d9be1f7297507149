"""Running tasks on a Dask distributed cluster (or a LocalCluster when no address is given)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any


def dask_map(
    fn: Callable,
    tasks: Sequence[Any],
    scheduler: str | None = None,
    jobs: int = 1,
    done: Callable[[int, Any], None] | None = None,
) -> None:
    """Submit every task to Dask and call ``done(i, result)`` as each finishes."""
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(
            n_workers=max(1, int(jobs or 1)),
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
