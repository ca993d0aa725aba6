"""The shuffle by number gives balanced partitions, sized from the data, that line up across tables.

Issue #14: ``shuffle(on=bucket)`` hashed each bucket again, so partitions came out empty or doubled
and, with 2 partitions, one held every call; and the partition count ignored the data's size.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from pydantic import ValidationError

from configs.call import DemoCallsConfig
from configs.cluster import ClusterConfig
from training.data.cdr import CdrLoadError
from training.data.demo_cdr_dataset import TABLES, write_demo_cdr_dataset
from training.distributed.cdr import dataset_files, estimated_rows, load_dataset, load_tables, partition_count

pytest.importorskip("distributed", reason="the dask extra is part of the test extra")

POPULATION = DemoCallsConfig(normal=600, delivery=12, sales=8, fraud=12, simbox_farms=2, sims_per_farm=5, days=6)


@pytest.fixture(scope="module")
def sharded_cdrs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated dataset of 4 shards × every table (the benchmark's layout, a few thousand numbers' calls)."""
    out = tmp_path_factory.mktemp("sharded-cdrs")
    write_demo_cdr_dataset(out, POPULATION, seed=3, files=4)
    return out


def partitions_of(table) -> list[pd.DataFrame]:
    return [part.compute() for part in table.to_delayed()]


def test_eight_partitions_are_balanced(client, sharded_cdrs: Path) -> None:
    sizes = [len(part) for part in partitions_of(load_dataset(sharded_cdrs, npartitions=8).tables["voc"])]
    assert len(sizes) == 8 and min(sizes) > 0
    assert max(sizes) <= 2 * sum(sizes) / len(sizes), sizes


def test_every_number_of_every_table_is_in_one_and_the_same_partition(client, sharded_cdrs: Path) -> None:
    tables = load_dataset(sharded_cdrs, npartitions=8).tables
    assert set(tables) == set(TABLES)
    partition_of: dict[str, int] = {}
    for kind, table in tables.items():
        for index, part in enumerate(partitions_of(table)):
            for number in part["phone_no_m"].unique():
                assert partition_of.setdefault(number, index) == index, (kind, number)


def test_more_calls_than_the_target_get_more_partitions(client, sharded_cdrs: Path) -> None:
    files = dataset_files(sharded_cdrs)
    calls = sum(len(pd.read_parquet(file)) for file in files["voc"])
    few = ClusterConfig(partitions_per_worker=2, rows_per_partition=calls * 10)
    assert partition_count(files["voc"], workers=1, config=few) == 2
    target = calls // 6
    many = ClusterConfig(partitions_per_worker=2, rows_per_partition=target)
    npartitions = partition_count(files["voc"], workers=1, config=many)
    assert npartitions == math.ceil(calls / target) >= 6  # from the calls, not workers × 2
    sizes = [len(part) for part in partitions_of(load_tables(files, npartitions).tables["voc"])]
    assert sum(sizes) == calls and max(sizes) <= 2 * target, sizes


def test_csv_rows_are_counted_when_short_and_estimated_when_long(tmp_path: Path) -> None:
    """The estimate assumes the head's rows are as long as the rest's (here: all the same length)."""
    frame = pd.DataFrame({"phone_no_m": [f"n{i:06d}" for i in range(5_000)], "call_dur": 60})
    path = tmp_path / "voc.csv"
    frame.to_csv(path, index=False)
    assert estimated_rows(path, csv_sample_bytes=path.stat().st_size) == 5_000
    assert estimated_rows(path, csv_sample_bytes=4_096) == pytest.approx(5_000, rel=0.05)


def test_an_unreadable_parquet_file_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "voc-0.parquet"
    broken.write_bytes(b"not parquet")
    with pytest.raises(CdrLoadError, match="voc-0.parquet: cannot read"):
        estimated_rows(broken, csv_sample_bytes=4_096)


@pytest.mark.parametrize("field", ["rows_per_partition", "csv_sample_bytes"])
def test_partition_sizes_below_their_bounds_are_refused(field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        ClusterConfig(**{field: 0})
