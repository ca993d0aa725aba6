"""``profiles build --engine dask``: per-number profiles, partition by partition, equal to one machine's.

Runs distributed: reading and validating each file, the shuffle by number, the two global
steps (the data's latest time; distinct numbers per IMEI over the window's calls, a groupby
across partitions) and :func:`features.calls.profiles.build_profiles` on each partition with
those global values passed in. Gathered on the client: the profiles (one row per number, far
fewer than CDR rows) and the labels table, then put in the one-machine row order.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from configs.call import ProfileConfig, WindowConfig
from configs.cluster import ClusterConfig
from features.calls.profiles import PROFILE_COLUMNS, ProfileContext, build_profiles, count_sims_per_imei, in_window, latest_times
from training.data.cdr import attach_labels
from training.data.report import LoadReport
from training.distributed.cdr import ORDER_COLUMNS, dataset_files, in_loader_order, load_tables, partition_count
from training.distributed.cluster import run_partitions, worker_count

if TYPE_CHECKING:
    from distributed import Client

PROFILE_TABLES = ("voc", "sms", "user", "app")
FIRST_SEEN = ("_table", *ORDER_COLUMNS)  # where a number first appears, in the one-machine loader's order


def partition_profiles(
    voc: pd.DataFrame, sms: pd.DataFrame | None, user: pd.DataFrame | None, app: pd.DataFrame | None,
    config: ProfileConfig, context: ProfileContext,
) -> pd.DataFrame:
    """Profiles of the numbers in one shuffled partition, with where each number first appears."""
    tables = (voc, sms, user, app)
    first_seen = pd.concat([table[["phone_no_m", *ORDER_COLUMNS]].sort_values(list(ORDER_COLUMNS)).assign(_table=i)
                            for i, table in enumerate(tables) if table is not None]).drop_duplicates("phone_no_m")
    if first_seen.empty:
        return pd.DataFrame(columns=["phone_no_m", *PROFILE_COLUMNS, *FIRST_SEEN])
    ordered = [None if table is None else in_loader_order(table) for table in tables]
    profiles = build_profiles(*ordered, config=config, context=context)
    return profiles.merge(first_seen[["phone_no_m", *FIRST_SEEN]], on="phone_no_m", how="left")


def calls_in_window(voc: pd.DataFrame, window: WindowConfig, latest: pd.Timestamp) -> pd.DataFrame:
    """The calls of one partition that fall in the profile window."""
    return voc[in_window(voc["start_datetime"], window, latest).to_numpy()]


def build_profiles_dask(
    client: Client, cdr: str | Path, config: ProfileConfig, cluster: ClusterConfig, progress: Callable[[str], None],
) -> tuple[pd.DataFrame, LoadReport]:
    """Profiles of the CDR dataset at ``cdr`` (labels attached) and the load report, computed on ``client``.

    Raises:
        CdrLoadError: no voc table, or a file that is not a CDR table.
        DaskJobError: the cluster lost the job.
    """
    import dask

    files = dataset_files(cdr)
    data = load_tables(files, partition_count(files["voc"], worker_count(client), cluster))
    # Kept in cluster memory (spilled to disk past it) so the global steps and the profiles read the files once.
    tables = dict(zip(data.tables, client.persist(list(data.tables.values())), strict=True))
    reports = client.compute(dask.delayed(list)(data.reports))  # the same file tasks: read once
    voc, sms = tables["voc"], tables.get("sms")
    latest = pd.Timestamp(max(dask.compute(*latest_times(voc, sms))))
    voc_in = voc.map_partitions(calls_in_window, config.window, latest, meta=voc._meta)
    context = ProfileContext(latest=latest, sims_per_imei=count_sims_per_imei(voc_in).compute())
    progress(f"profiles: latest time {latest}, {len(context.sims_per_imei):,} IMEIs; "
             f"{voc.npartitions} partitions by number")
    partitions = {name: tables[name].to_delayed() if name in tables else [None] * voc.npartitions for name in PROFILE_TABLES}
    tasks = [dask.delayed(partition_profiles)(*(partitions[name][i] for name in PROFILE_TABLES), config, context)
             for i in range(voc.npartitions)]
    parts = run_partitions(client, tasks, "profiles", progress)
    profiles = pd.concat([part for part in parts if len(part)] or parts[:1], ignore_index=True).sort_values(list(FIRST_SEEN), ignore_index=True)
    profiles = profiles.drop(columns=list(FIRST_SEEN))
    if "labels" in tables:
        profiles = attach_labels(profiles, in_loader_order(tables["labels"].compute()))
    return profiles, LoadReport(files=reports.result(), rows=len(profiles))
