"""CDRs as a Dask dataset: many CSV or Parquet files, one partition per file, shuffled by number.

The shuffle puts every row of number bucket ``b`` (a stable hash of the number, the same in every
table) into partition ``b`` exactly: ``set_index`` on the bucket with divisions ``0, 1, …, n``.
A ``shuffle(on=bucket)`` would not: Dask hashes the bucket value again (as a float), so buckets
collide — with 2 partitions both went to the second, which then held every call.

Files are found recursively (so a hive-partitioned dataset such as ``voc/month=2020-03/part-0.parquet``
loads) and sorted by path, then each is recognised by its header and validated by the same
:func:`training.data.cdr.validate_table` the one-machine loader uses, with the same per-file
bad-row report. Every row keeps its position (file, row) so that, after the shuffle that puts
all of a number's rows in one partition, each partition can be put back in the one-machine
loader's order: profile features that depend on row order among ties (gaps between calls that
start in the same second) then come out identical.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from configs.cluster import ClusterConfig
from training.data.cdr import SUFFIXES, CdrLoadError, read_header, read_table, table_kind, validate_table
from training.data.report import FileReport

if TYPE_CHECKING:
    import dask.dataframe as dd

ORDER_COLUMNS = ("_file", "_row")
BUCKET_COLUMN = "_bucket"


@dataclass
class DaskCdrTables:
    """Validated tables; once shuffled by ``phone_no_m``, partition ``i`` of every table holds
    the rows of the same numbers. ``reports``: one lazy :class:`FileReport` per file."""

    tables: dict[str, dd.DataFrame]
    reports: list[Any]


def dataset_files(path: str | Path) -> dict[str, list[Path]]:
    """CDR files under ``path`` by table kind, each list sorted by path.

    Raises:
        CdrLoadError: no such path, a file that is not a CDR table, or no voc table.
    """
    path = Path(path)
    if not path.exists():
        raise CdrLoadError(f"{path}: no such file or directory")
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in SUFFIXES) if path.is_dir() else [path]
    by_kind: dict[str, list[Path]] = {}
    for file in files:
        kind = table_kind(read_header(file))
        if kind is None:
            raise CdrLoadError(f"{file}: not a CDR table")
        by_kind.setdefault(kind, []).append(file)
    if "voc" not in by_kind:
        raise CdrLoadError(f"{path}: no voc (call records) table found; files: {[f.name for f in files][:10]}")
    return by_kind


def estimated_rows(path: Path, csv_sample_bytes: int) -> int:
    """Rows of one file without reading it: Parquet's metadata, or a CSV's size scaled by the
    rows in its first ``csv_sample_bytes`` (exact when the file is no longer than that).

    Raises:
        CdrLoadError: the file cannot be read.
    """
    try:
        if path.suffix != ".csv":
            import pyarrow.parquet as pq

            return pq.ParquetFile(path).metadata.num_rows
        size = path.stat().st_size
        with path.open("rb") as file:
            head = file.read(csv_sample_bytes)
    except (OSError, ValueError) as exc:
        raise CdrLoadError(f"{path}: cannot read: {exc}") from exc
    lines = len(head.splitlines())
    if len(head) == size:
        return max(lines - 1, 0)  # the header is not a row
    return math.ceil(size * lines / len(head))


def partition_count(voc_files: list[Path], workers: int, config: ClusterConfig) -> int:
    """Partitions to shuffle the CDRs into: at least ``partitions_per_worker`` per worker, and
    enough that one holds about ``rows_per_partition`` calls at most (numbers are hashed evenly)."""
    calls = sum(estimated_rows(file, config.csv_sample_bytes) for file in voc_files)
    return max(workers * config.partitions_per_worker, math.ceil(calls / config.rows_per_partition))


def with_positions(frame: pd.DataFrame, file_index: int) -> pd.DataFrame:
    """``frame`` with each row's (file, row) position, times in nanoseconds whatever the file held
    (Parquet may store microseconds; every partition must share one schema)."""
    for column in frame.columns[frame.dtypes.map(pd.api.types.is_datetime64_any_dtype)]:
        frame[column] = frame[column].astype("datetime64[ns]")
    frame[ORDER_COLUMNS[0]] = file_index
    frame[ORDER_COLUMNS[1]] = range(len(frame))
    return frame


def load_file(path: Path, kind: str, file_index: int) -> tuple[pd.DataFrame, FileReport]:
    """One file validated as the one-machine loader does, with its rows' positions attached."""
    report = FileReport(path=str(path), format=kind)
    return with_positions(validate_table(kind, read_table(path), report), file_index), report


def number_bucket(frame: pd.DataFrame, npartitions: int) -> pd.DataFrame:
    """``frame`` with the partition its number goes to (a stable hash, the same in every table)."""
    hashes = pd.util.hash_array(frame["phone_no_m"].to_numpy(dtype=object))
    return frame.assign(**{BUCKET_COLUMN: (hashes % npartitions).astype("int64")})


def in_loader_order(frame: pd.DataFrame) -> pd.DataFrame:
    """A shuffled partition back in the one-machine loader's row order, helper columns dropped."""
    ordered = frame.sort_values(list(ORDER_COLUMNS), kind="stable")
    return ordered.drop(columns=[*ORDER_COLUMNS, BUCKET_COLUMN]).reset_index(drop=True)


def table_schema(path: Path, kind: str) -> pd.DataFrame:
    """The empty frame a file of this kind becomes (Dask's schema of it), from its header only."""
    empty = pd.DataFrame({column: pd.Series(dtype="string") for column in read_header(path)})
    return number_bucket(with_positions(validate_table(kind, empty, FileReport(path=str(path), format=kind)), 0), 1)


def by_bucket(table: dd.DataFrame, npartitions: int) -> dd.DataFrame:
    """``table`` with the rows of bucket ``b`` in partition ``b``, for ``b`` in ``0 … npartitions-1``."""
    return table.set_index(BUCKET_COLUMN, divisions=tuple(range(npartitions + 1)), drop=False)


def load_tables(files_by_kind: dict[str, list[Path]], npartitions: int | None) -> DaskCdrTables:
    """Every table of :func:`dataset_files`, validated per file and shuffled by number into
    ``npartitions`` partitions; with None, not shuffled: a table has one partition per file."""
    import dask
    import dask.dataframe as dd

    tables, reports = {}, []
    for kind, files in files_by_kind.items():
        loaded = [dask.delayed(load_file, nout=2)(file, kind, index) for index, file in enumerate(files)]
        reports.extend(report for _, report in loaded)
        schema = table_schema(files[0], kind)
        frames = [dask.delayed(number_bucket)(frame, npartitions or 1) for frame, _ in loaded]
        table = dd.from_delayed(frames, meta=schema, verify_meta=False)
        tables[kind] = table if npartitions is None else by_bucket(table, npartitions)
    return DaskCdrTables(tables=tables, reports=reports)


def load_dataset(path: str | Path, npartitions: int | None) -> DaskCdrTables:
    """:func:`load_tables` of the dataset at ``path``.

    Raises:
        CdrLoadError: see :func:`dataset_files` (unreadable files fail when the job runs).
    """
    return load_tables(dataset_files(path), npartitions)
