"""``yunmao retrain`` and ``yunmao promote``: the champion alias, moved by the gates or by hand."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Literal

import typer

from training.cli_support import FEATURES_OPTION, LINKS_OPTION, fail

REFUSED_EXIT_CODE = 1  # `promote` refused by the shadow gates (bad input is 2)


def promote(
    name: str = typer.Argument(..., help="Registered model name, e.g. yunmao-sms."),
    version: str = typer.Argument(..., help="Version number to make champion."),
    config: Path | None = typer.Option(None, "--config", help="Retrain config with the shadow gates (default: configs/retrain.yaml)."),
    skip_shadow_gates: bool = typer.Option(
        False, "--skip-shadow-gates", help="Promote without shadow evidence (a rollback to an earlier champion)."
    ),
) -> None:
    """Point alias `champion` at NAME/VERSION (the live service picks it up on reload).

    With two-phase promotion (shadow_gates.enabled in the retrain config) and a champion in place,
    the version must first have been shadowed on live traffic: refused (one line on stderr, exit 1)
    while its shadow pairs are too few or disagree too much on blocking.
    """
    from configs import ConfigError
    from configs.retrain import load_retrain_config
    from models.registry import CHAMPION, ModelNotFoundError, set_alias
    from training.shadow.gates import promotion_evidence

    try:
        gates = load_retrain_config(config).shadow_gates
        verdict = promotion_evidence(name, version, gates) if gates.enabled and not skip_shadow_gates else None
    except (ConfigError, ModelNotFoundError) as exc:
        fail(exc)
    except (sqlite3.Error, RuntimeError) as exc:  # not SQLite, locked, WAL refused; Redis down or not durable
        fail(ValueError(f"cannot read the shadow pairs: {exc}"))
    if verdict is not None and not verdict.passed:
        typer.echo(f"refused: {verdict.why}", err=True)
        raise typer.Exit(REFUSED_EXIT_CODE)
    try:
        set_alias(name, version, CHAMPION)
    except ModelNotFoundError as exc:
        fail(exc)
    if verdict is not None:
        typer.echo(verdict.why)
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
