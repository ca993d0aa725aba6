"""``yunmao evaluate``: metrics of a registered model version on a labelled set."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from training.cli_support import (
    FEATURES_OPTION,
    LINKS_OPTION,
    fail,
    warn_bad_rows,
    warn_numbers_missing_from_features,
    warn_one_class,
)


def evaluate(
    model: str = typer.Option(..., "--model", help="models:/NAME/VERSION or models:/NAME@ALIAS."),
    data: list[Path] = typer.Option(..., "--data", help="Labelled file; repeat to mix."),
    fmt: str = typer.Option("auto", "--format", help="SMS formats, or cdr|profiles for call models."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    unique: bool = typer.Option(
        False, "--unique", help="Also evaluate the distinct normalised texts (SMS): a 'unique' block beside every-row figures."),
    features: list[Path] = FEATURES_OPTION,
    links: list[Path] = LINKS_OPTION,
) -> None:
    """Metrics of a model version on every row of a labelled set: AUCs and recall at FPR 0.1% / 1% with
    bootstrap intervals (configs/evaluation.yaml), block and warn thresholds, fraud types."""
    from models.registry import ModelNotFoundError, load_scam_model, resolve_model_version
    from training.evaluate import evaluate_files

    try:
        scam_model = load_scam_model(model)
        report = {"model": "models:/{}/{}".format(*resolve_model_version(model)),
                  **evaluate_files(scam_model, data, fmt, features, links, unique=unique)}
    except (ModelNotFoundError, ValueError) as exc:  # DataFormatError, CdrLoadError and ConfigError are ValueErrors
        fail(exc)
    warn_bad_rows(report)
    warn_numbers_missing_from_features(report)
    warn_one_class(report.get("one_class"))
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    for key, value in _flat(report).items():
        typer.echo(f"{key:>34}: {value}")


def _flat(report: dict, prefix: str = "") -> dict:
    """Nested blocks (``warn``, ``fraud``, ``unique``) as dotted keys, one figure per line; a table
    (``fraud_types``, ``category_rows``: a list of rows named by their first field) one row per line."""
    flat: dict = {}
    for key, value in report.items():
        if isinstance(value, dict):
            flat |= _flat(value, f"{prefix}{key}.")
        elif isinstance(value, list) and value and all(isinstance(row, dict) for row in value):
            flat |= {f"{prefix}{key}.{name}": line for name, line in map(_table_row, value)}
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _table_row(row: dict) -> tuple[str, str]:
    """(the row's name — its first field's value —, its other fields as ``field=value`` pairs)."""
    (_, name), *fields = row.items()
    return str(name), ", ".join(f"{field}={_short(value)}" for field, value in fields)


def _short(value: object) -> str:
    """A figure to four decimals; a nested count table as ``name=count`` pairs."""
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={v}" for k, v in value.items()) + "}"
    return str(value)
