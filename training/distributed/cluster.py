"""The Dask client a job runs on: a ``LocalCluster`` sized to the machine, or a running cluster.

Also the one place that runs a list of partition tasks, logs each partition as it finishes
and turns a cluster failure (a worker lost too often, a scheduler gone) into one clear error.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from configs.cluster import ClusterConfig

if TYPE_CHECKING:
    from distributed import Client

DASK_EXTRA = "--engine dask needs the dask extra: pip install 'yunmao[dask]'"
log = logging.getLogger(__name__)


class DaskJobError(RuntimeError):
    """The cluster could not be used or lost the job; the message says what to check."""


def require_dask() -> None:
    """Fail with the install hint when the ``dask`` extra is absent (one machine needs none)."""
    try:
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as exc:
        raise DaskJobError(f"{DASK_EXTRA} ({exc})") from exc


def local_worker_count(config: ClusterConfig) -> int:
    """Worker processes of a local cluster: the configured count, else one per usable core."""
    return config.workers or len(os.sched_getaffinity(0))


# distributed starts its scheduler's HTTP server (health, metrics) even without a dashboard, on port
# 8787 unless told otherwise: two jobs on one machine (or a job beside a Jupyter dashboard) would
# reach for the same port, and the second gets a warning and a random port anyway.
SCHEDULER_HTTP_ON_A_FREE_PORT = "127.0.0.1:0"


@contextmanager
def dask_client(scheduler: str | None, config: ClusterConfig) -> Iterator[Client]:
    """A client on ``scheduler`` (``tcp://HOST:PORT``), or on a local cluster started for the job.

    Raises:
        DaskJobError: the extra is missing or the scheduler cannot be reached in time.
    """
    require_dask()
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=config.connect_timeout_seconds)
        except (OSError, TimeoutError) as exc:
            raise DaskJobError(f"cannot reach the Dask scheduler at {scheduler} within "
                               f"{config.connect_timeout_seconds:g} s: {exc}") from exc
        with client:
            yield client
        return
    with LocalCluster(n_workers=local_worker_count(config), threads_per_worker=config.threads_per_worker,
                      processes=True, memory_limit=config.memory_limit, dashboard_address=None,
                      scheduler_kwargs={"dashboard_address": SCHEDULER_HTTP_ON_A_FREE_PORT}) as cluster, \
            Client(cluster) as client:
        yield client


def worker_count(client: Client) -> int:
    """Workers the cluster has now (at least 1, so partition counts stay positive)."""
    return max(len(client.scheduler_info()["workers"]), 1)


def run_partitions(client: Client, tasks: Sequence[Any], label: str,
                   progress: Callable[[str], None] = log.info) -> list[Any]:
    """Compute Dask ``tasks`` (one per partition) on ``client``; results in task order.

    Each finished partition is reported through ``progress`` ("profiles: partition 3/8 done"), and
    where stderr is a terminal a ``rich`` progress bar shows the job's partitions as they finish.

    Raises:
        DaskJobError: a task kept killing its workers, or the cluster went away mid-job.
    """
    from distributed import as_completed
    from distributed.client import FutureCancelledError
    from distributed.comm.core import CommClosedError
    from distributed.scheduler import KilledWorker
    from rich.console import Console
    from rich.progress import Progress

    futures = client.compute(list(tasks))
    console = Console(stderr=True)
    try:
        with Progress(console=console, disable=not console.is_terminal) as bar:
            task = bar.add_task(label, total=len(futures))
            for done, _ in enumerate(as_completed(futures), start=1):
                bar.advance(task)
                progress(f"{label}: partition {done}/{len(futures)} done")
        return client.gather(futures)
    except (KilledWorker, FutureCancelledError, CommClosedError, OSError) as exc:
        raise DaskJobError(f"{label}: the Dask job failed ({type(exc).__name__}: {exc}); nothing was written") from exc
    finally:
        client.cancel(futures)
