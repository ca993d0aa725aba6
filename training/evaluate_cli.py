"""``yunmao evaluate``: metrics of a registered model version on a labelled set."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from training.cli_support import fail


def evaluate(
    model: str = typer.Option(..., "--model", help="models:/NAME/VERSION or models:/NAME@ALIAS."),
    data: list[Path] = typer.Option(..., "--data", help="Labelled file; repeat to mix."),
    fmt: str = typer.Option("auto", "--format", help="SMS formats, or cdr|profiles for call models."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Metrics of a model version on a labelled set (block and warn thresholds, AUCs, fraud types)."""
    from models.registry import ModelNotFoundError, load_scam_model, resolve_model_version
    from training.data.datasets import load_for_kind
    from training.evaluate import evaluate_model

    try:
        scam_model = load_scam_model(model)
        frame = load_for_kind(scam_model.kind, data, fmt, labelled=True)
        report = {"model": "models:/{}/{}".format(*resolve_model_version(model)), **evaluate_model(scam_model, frame)}
    except (ModelNotFoundError, ValueError) as exc:  # DataFormatError and CdrLoadError are ValueErrors
        fail(exc)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    for key, value in report.items():
        typer.echo(f"{key:>22}: {value}")
