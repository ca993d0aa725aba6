"""``yunmao predict``: score a file with a registered model and write the decisions."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from training.cli_support import fail


def predict(
    model: str = typer.Option(..., "--model", help="models:/NAME/VERSION or models:/NAME@ALIAS."),
    data: list[Path] = typer.Option(..., "--data", help="File to score; repeat to mix."),
    out: Path = typer.Option(..., "--out", help="Output .csv, .jsonl or .parquet."),
    fmt: str = typer.Option("auto", "--format", help="SMS formats, or cdr|profiles for call models."),
) -> None:
    """Score a file: id, score, action, fraud_type, fraud_type_score, reasons, category, fraud_score per record."""
    from models.registry import ModelNotFoundError, load_scam_model
    from training.data.datasets import load_for_model
    from training.predict import predict_records, write_table

    try:
        scam_model = load_scam_model(model)
        frame = load_for_model(scam_model, data, fmt, labelled=False)
        decisions = predict_records(scam_model, frame)
        write_table(decisions, out)
    except (ModelNotFoundError, ValueError) as exc:
        fail(exc)
    typer.echo(json.dumps({"out": str(out), "rows": len(decisions), **decisions["action"].value_counts().to_dict()}))
