"""``links build --engine dask``: the CDR-derived links, equal to the one-machine build's.

Runs distributed: reading and validating each file, and reducing the calls to their
:func:`~features.graph.cdr_links.call_summary` (calls per number, peer, call type and device;
a groupby across partitions). Gathered on the client: that summary, from which
:func:`~features.graph.cdr_links.build_links` derives the shared-device pairs, the per-caller
MinHash signatures with the LSH search (global by nature: any two callers may match) and the
direct calls. The summary has one row per distinct (number, peer, type, device), so the client
holds the links' inputs, not the raw calls; past that size the MinHash step is the one to
distribute next (signatures per partition of callers, gathered for the LSH).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from configs.call import LinksConfig
from features.graph.cdr_links import build_links, call_summary
from training.data.report import LoadReport
from training.distributed.cdr import load_dataset
from training.distributed.cluster import run_partitions

if TYPE_CHECKING:
    from distributed import Client


def build_links_dask(
    client: Client, cdr: str | Path, config: LinksConfig, progress: Callable[[str], None],
) -> tuple[pd.DataFrame, LoadReport]:
    """Links of the CDR dataset at ``cdr`` and its load report (``rows``: voc rows used).

    Raises:
        CdrLoadError: no voc table, or a file that is not a CDR table.
        DaskJobError: the cluster lost the job.
    """
    import dask

    data = load_dataset(cdr, npartitions=None)
    voc = data.tables["voc"]
    summary = call_summary(voc.drop(columns=[c for c in voc.columns if c.startswith("_")]))
    progress(f"links: summarising calls of {voc.npartitions} files on the cluster")
    reports = client.compute(dask.delayed(list)(data.reports))
    gathered, voc_rows = run_partitions(client, [summary, voc.shape[0]], "links", progress)
    progress(f"links: {voc_rows:,} calls summarised to {len(gathered):,} rows; building links on the client")
    return build_links(gathered, config), LoadReport(files=reports.result(), rows=int(voc_rows))
