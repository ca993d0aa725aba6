"""``yunmao report``: the analyst evaluation report of a registered model."""

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


def report(
    model: str = typer.Option(..., "--model", help="Model to evaluate: models:/NAME/VERSION or models:/NAME@ALIAS."),
    data: list[Path] = typer.Option(..., "--data", help="Labelled evaluation data (repeatable)."),
    fmt: str = typer.Option("auto", "--format", help="SMS formats, or cdr|profiles for call models."),
    compare: str | None = typer.Option(None, "--compare", help="Second model to set side by side (e.g. models:/NAME@champion)."),
    out: Path = typer.Option(..., "--out", help="Folder for report.html and metrics.json."),
    config: Path | None = typer.Option(None, "--config", help="Report config (default: configs/report.yaml)."),
    features: list[Path] = FEATURES_OPTION,
    links: list[Path] = LINKS_OPTION,
) -> None:
    """Evaluation report for analysts: one self-contained HTML file plus metrics.json, also logged to MLflow."""
    from configs import ConfigError
    from configs.report import load_report_config
    from models.registry import ModelNotFoundError
    from training.report.fonts import FontError
    from training.report.model import report_for_model

    try:
        files = report_for_model(model, data, fmt, compare, out, load_report_config(config), features, links)
    except (ConfigError, ModelNotFoundError, FontError, ValueError) as exc:  # data errors are ValueErrors
        fail(exc)
    warn_bad_rows(files.notes)
    warn_numbers_missing_from_features(files.notes)
    head = files.report.metrics["headline"]
    warn_one_class(head["one_class"])
    summary = {"html": str(files.html), "metrics": str(files.metrics), "n": head["n"], "roc_auc": head["roc_auc"],
               "recall_block": head["block"]["recall"], "fpr_block": head["block"]["fpr"],
               "drift_flagged": files.report.metrics["drift_flagged"],
               **({"one_class": head["one_class"]} if head["one_class"] else {})}
    typer.echo(json.dumps(summary, ensure_ascii=False))
