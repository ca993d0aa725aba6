"""``yunmao retrain`` and ``yunmao promote``: the champion alias, moved by the gates or by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import typer

from training.cli_support import FEATURES_OPTION, LINKS_OPTION, fail


def promote(
    name: str = typer.Argument(..., help="Registered model name, e.g. yunmao-sms."),
    version: str = typer.Argument(..., help="Version number to make champion."),
) -> None:
    """Point alias `champion` at NAME/VERSION (the live service picks it up on reload)."""
    from models.registry import CHAMPION, ModelNotFoundError, set_alias

    try:
        set_alias(name, version, CHAMPION)
    except ModelNotFoundError as exc:
        fail(exc)
    typer.echo(f"models:/{name}@{CHAMPION} -> models:/{name}/{version}")


def retrain_command(
    kind: Literal["sms", "call"] = typer.Argument(..., help="Which model to retrain."),
    data: list[Path] = typer.Option(..., "--data", help="Base training data; repeatable (as for `yunmao train`)."),
    eval_paths: list[Path] | None = typer.Option(
        None, "--eval", help="Fixed evaluation set (default: eval_data in the retrain config)."
    ),
    fmt: str = typer.Option("auto", "--format", help="Format of --data files."),
    eval_fmt: str = typer.Option("auto", "--eval-format", help="Format of --eval files."),
    feedback: bool = typer.Option(False, "--feedback", help="Add the feedback store's labelled records to the training data."),
    config: Path | None = typer.Option(None, "--config", help="Retrain config (default: configs/retrain.yaml)."),
    name: str | None = typer.Option(None, "--name", help="Registered model name (default: from the model config)."),
    report: bool = typer.Option(True, "--report/--no-report", help="Log the evaluation report to the challenger's run."),
    features: list[Path] = FEATURES_OPTION,
    links: list[Path] = LINKS_OPTION,
) -> None:
    """Train a challenger, evaluate it and the champion on one set, promote it if the gates pass.

    Last line: one JSON object (promoted, why, challenger, champion_before, champion_after, metrics).
    Exit 0 whether or not it promoted; 2 on bad input; 3 when another retrain of the model holds the lock.
    """
    from configs import ConfigError
    from configs.retrain import load_retrain_config
    from models.registry import ModelNotFoundError
    from training.retrain import LOCKED_EXIT_CODE, RetrainLocked, RetrainRequest, retrain

    request = RetrainRequest(kind, data, eval_paths, fmt, eval_fmt, feedback, name, report, features, links)
    try:
        result = retrain(request, load_retrain_config(config))
    except RetrainLocked as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(LOCKED_EXIT_CODE) from exc
    except (ConfigError, ModelNotFoundError, ValueError) as exc:  # data errors are ValueErrors
        fail(exc)
    typer.echo(json.dumps(result.as_dict(), ensure_ascii=False))
