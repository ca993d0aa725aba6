"""Demo CDRs as Parquet datasets whose calls are dealt round-robin into several files, so every
SIM-box farm's IMEI has calls in every file (the case the global SIMs-per-IMEI step is for).

``flat``: every file at the top, which the one-machine loader also reads (the reference);
``hive``: the calls in ``voc/part=N/`` folders, which only the Dask engine reads. Both hold
the rows in the same order, so both engines must give the same profiles and links."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

from configs.call import DemoCallsConfig, GangConfig, HubConfig
from configs.cluster import ClusterConfig
from training.data.demo_calls import write_demo_cdrs
from training.distributed.cluster import SCHEDULER_HTTP_ON_A_FREE_PORT

SMALL = DemoCallsConfig(normal=40, delivery=4, sales=4, fraud=6, simbox_farms=2, sims_per_farm=4, days=10,
                        gangs=GangConfig(count=2, size=4, devices=2), hubs=HubConfig(count=2))
VOC_FILES = 4
TEST_CLUSTER = ClusterConfig(workers=2, partitions_per_worker=2, connect_timeout_seconds=3)


def write_dataset(csv_dir: Path, out: Path, hive: bool, voc_files: int = VOC_FILES) -> Path:
    """The CSV tables of ``csv_dir`` as Parquet under ``out``, voc split round-robin."""
    out.mkdir()
    for csv in sorted(csv_dir.glob("*.csv")):
        frame = pd.read_csv(csv, dtype=str)
        if csv.stem != "voc":
            frame.to_parquet(out / f"{csv.stem}.parquet", index=False)
            continue
        for part in range(voc_files):
            file = out / "voc" / f"part={part}" / "calls.parquet" if hive else out / f"voc-{part}.parquet"
            file.parent.mkdir(parents=True, exist_ok=True)
            frame.iloc[part::voc_files].to_parquet(file, index=False)
    return out


@pytest.fixture(scope="session")
def demo_cdrs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``flat`` and ``hive`` Parquet datasets of the same demo CDRs (see the module docstring)."""
    root = tmp_path_factory.mktemp("dask-cdrs")
    write_demo_cdrs(root / "csv", 7, SMALL)
    return {layout: write_dataset(root / "csv", root / layout, hive=layout == "hive") for layout in ("flat", "hive")}


@contextmanager
def in_process_cluster(workers: int) -> Iterator[object]:
    """A client on an in-process Dask cluster of ``workers`` one-thread workers: no dashboard, and
    the scheduler's HTTP server on a free loopback port."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=False, dashboard_address=None,
                      scheduler_kwargs={"dashboard_address": SCHEDULER_HTTP_ON_A_FREE_PORT}) as cluster, \
            Client(cluster) as dask_client:
        yield dask_client


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    """An in-process Dask cluster of two one-thread workers (starts in about a second)."""
    with in_process_cluster(2) as dask_client:
        yield dask_client
