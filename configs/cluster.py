"""Schema of ``configs/cluster.yaml``: the Dask cluster ``--engine dask`` starts or connects to.

Profiles, links and batch scoring are pandas and LightGBM work that holds the GIL, so a worker
process with one thread is the unit of parallelism (see docs/benchmarks.md, "Dask engine").
"""

from __future__ import annotations

from pydantic import Field

from configs import StrictModel


class ClusterConfig(StrictModel):
    """``workers``: local worker processes without ``--scheduler`` (null: one per core).

    ``partitions_per_worker``: the CDRs are shuffled by number into at least workers × this many
    partitions, so every worker has work.
    ``rows_per_partition``: and into at least calls ÷ this many, so that one profile task's memory
    is bounded by the partition, not by the dataset, whatever the number of workers.
    ``csv_sample_bytes``: CSV files' rows are estimated from their size and this much of their head
    (counting every row would read the whole dataset once more on the client).
    ``connect_timeout_seconds``: how long to try a ``--scheduler`` address before giving up.
    ``memory_limit``: per local worker (Dask syntax: "auto", "4GiB", or 0 for none).
    """

    workers: int | None = Field(None, ge=1, le=1024)
    threads_per_worker: int = Field(1, ge=1, le=256)
    partitions_per_worker: int = Field(2, ge=1, le=1000)
    rows_per_partition: int = Field(2_000_000, ge=1_000, le=1_000_000_000)
    csv_sample_bytes: int = Field(1_048_576, ge=4_096, le=1_073_741_824)
    connect_timeout_seconds: float = Field(10.0, gt=0, le=600)
    memory_limit: str = Field("auto", min_length=1)
