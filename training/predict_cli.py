"""``yunmao predict``: score a file with a registered model and write the decisions."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from training.cli_support import FEATURES_OPTION, LINKS_OPTION, fail


def predict(
    model: str = typer.Option(..., "--model", help="models:/NAME/VERSION or models:/NAME@ALIAS."),
    data: list[Path] = typer.Option(..., "--data", help="File to score; repeat to mix."),
    out: Path = typer.Option(..., "--out", help="Output .csv, .jsonl or .parquet."),
    fmt: str = typer.Option("auto", "--format", help="SMS formats, or cdr|profiles for call models."),
    features: list[Path] = FEATURES_OPTION,
    links: list[Path] = LINKS_OPTION,
) -> None:
    """Score a file: id, score, action, fraud_type, fraud_type_score, reasons, category, fraud_score per record."""
    from models.registry import ModelNotFoundError, load_scam_model
    from training.predict import predict_files

    try:
        scam_model = load_scam_model(model)
        decisions, notes = predict_files(scam_model, data, out, fmt, features, links)
    except (ModelNotFoundError, ValueError) as exc:
        fail(exc)
    if notes.get("missing_columns"):
        typer.echo(f"warning: scored without {len(notes['missing_columns'])} trained columns (unknown to the model): "
                   f"{notes['missing_columns'][:10]}", err=True)
    typer.echo(json.dumps({"out": str(out), "rows": len(decisions), **decisions["action"].value_counts().to_dict(), **notes},
                          ensure_ascii=False))
