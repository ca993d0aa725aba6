"""``yunmao predict``: score a file with a registered model and write the decisions."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from training.cli_support import (
    ENGINE_OPTION,
    FEATURES_OPTION,
    LINKS_OPTION,
    SCHEDULER_OPTION,
    cluster_config,
    fail,
    progress,
    use_dask,
    warn_bad_rows,
    warn_missing_columns,
    warn_numbers_missing_from_features,
)


def predict(
    model: str = typer.Option(..., "--model", help="models:/NAME/VERSION or models:/NAME@ALIAS."),
    data: list[Path] = typer.Option(..., "--data", help="File to score; repeat to mix. --engine dask: one dataset folder."),
    out: Path = typer.Option(..., "--out", help="Output .csv, .jsonl or .parquet. --engine dask: a Parquet dataset folder."),
    fmt: str = typer.Option("auto", "--format", help="SMS formats, or cdr|profiles for call models."),
    features: list[Path] = FEATURES_OPTION,
    links: list[Path] = LINKS_OPTION,
    engine: str = ENGINE_OPTION,
    scheduler: str | None = SCHEDULER_OPTION,
) -> None:
    """Score a file: id, score, action, fraud_type, fraud_type_score, reasons, category, fraud_score per record."""
    from configs import ConfigError
    from models.registry import ModelNotFoundError, load_scam_model
    from training.distributed.cluster import DaskJobError
    from training.predict import predict_files

    try:
        scam_model = load_scam_model(model)  # here too: a wrong URI fails before any cluster starts
        if use_dask(engine, scheduler):
            summary = _predict_on_dask(model, data, out, fmt, features, links, scheduler)
        else:
            decisions, notes = predict_files(scam_model, data, out, fmt, features, links)
            summary = {"out": str(out), "rows": len(decisions), **decisions["action"].value_counts().to_dict(), **notes}
    except (ModelNotFoundError, ValueError, ConfigError, DaskJobError) as exc:
        fail(exc)
    warn_missing_columns(summary.get("missing_columns", []))
    warn_numbers_missing_from_features(summary)
    warn_bad_rows(summary)
    typer.echo(json.dumps(summary, ensure_ascii=False))


def _predict_on_dask(model: str, data: list[Path], out: Path, fmt: str, features: list[Path], links: list[Path],
                     scheduler: str | None) -> dict:
    """``predict --engine dask``: one dataset folder in, one Parquet dataset folder out."""
    from training.distributed.cluster import dask_client
    from training.distributed.predict import predict_dataset
    from training.tables import refuse_overwriting

    refuse_overwriting(out, data)  # the output folder is renamed into place whole
    if len(data) != 1:
        raise ValueError("--engine dask takes one --data dataset folder")
    if out.suffix:
        raise ValueError(f"{out}: --engine dask writes a Parquet dataset folder; give --out without a suffix")
    with dask_client(scheduler, cluster_config()) as client:
        return predict_dataset(client, model, data[0], out, fmt, features, links, progress)
