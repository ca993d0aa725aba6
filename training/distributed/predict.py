"""``predict --engine dask``: batch scoring of a dataset (many files), one partition per file.

Each worker loads the model once (:func:`worker_model`, cached per process and model URI) and
scores its files with the one-machine :func:`training.predict.predict_files`, writing one
Parquet part per input file into a temporary folder that replaces the output whole at the end.
Call models score profile tables here (build them with ``profiles build --engine dask``).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from models.scam_model import ScamModel
from training.distributed.cluster import run_partitions
from training.distributed.output import PARTIAL_MARK, replaced_whole

if TYPE_CHECKING:
    from distributed import Client


@functools.cache
def worker_model(uri: str) -> ScamModel:
    """The model at ``uri``, loaded once per worker process, whatever its number of partitions."""
    from models.registry import load_scam_model

    return load_scam_model(uri)


def score_file(uri: str, path: Path, out: Path, fmt: str, features: Sequence[Path], links: Sequence[Path]) -> dict:
    """Score one file into the Parquet part ``out``; rows, actions and load notes for the summary."""
    from training.predict import predict_files

    decisions, notes = predict_files(worker_model(uri), [path], out, fmt, features, links)
    return {"rows": len(decisions), "actions": decisions["action"].value_counts().to_dict(), **notes}


def files_to_score(data: Path) -> list[Path]:
    """Files of the dataset at ``data`` in path order (hidden and ``_``-prefixed files skipped).

    Raises:
        ValueError: ``data`` is not a folder or holds no file.
    """
    if not data.is_dir():
        raise ValueError(f"{data}: --engine dask scores a dataset folder (many files); no such folder")
    files = sorted(p for p in data.rglob("*") if p.is_file() and not p.name.startswith((".", "_"))
                   and PARTIAL_MARK not in str(p))
    if not files:
        raise ValueError(f"{data}: no files to score")
    return files


def predict_dataset(
    client: Client, uri: str, data: Path, out: Path, fmt: str, features: Sequence[Path], links: Sequence[Path],
    progress: Callable[[str], None],
) -> dict:
    """Score every file of ``data`` on ``client`` into the Parquet dataset ``out`` (replaced whole).

    Raises:
        ValueError: no files, or CDRs given to a call model.
        DaskJobError: the cluster lost the job (``out`` is left as it was).
    """
    import dask

    if fmt == "cdr":
        raise ValueError("--engine dask scores SMS files or profile tables; build profiles with "
                         "`yunmao profiles build --engine dask` and score them with --format profiles")
    files = files_to_score(data)
    with replaced_whole(out) as tmp:
        tasks = [dask.delayed(score_file)(uri, path, tmp / f"part-{i:05d}.parquet", fmt, tuple(features), tuple(links))
                 for i, path in enumerate(files)]
        results = run_partitions(client, tasks, "predict", progress)
    actions: Counter[str] = Counter()
    for result in results:
        actions.update(result.pop("actions"))
    missing = sorted({column for result in results for column in result.get("missing_columns", [])})
    return {"out": str(out), "files": len(files), "rows": sum(r["rows"] for r in results), **actions,
            **({"missing_columns": missing} if missing else {})}
