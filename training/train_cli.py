"""``yunmao train sms|call``: train a model on labelled data and register it as challenger."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from training.cli_support import FEATURES_OPTION, LINKS_OPTION, call_config, fail, sms_config

train_app = typer.Typer(no_args_is_help=True, help="Train a model and register it as challenger.")

CALL_FORMATS = ("auto", "cdr", "profiles")


@train_app.command("sms")
def train_sms_command(
    data: list[Path] = typer.Option(..., "--data", help="Labelled file; repeat to mix files and formats."),
    fmt: str = typer.Option("auto", "--format", help="auto, canonical, mudou, sms80w, uci or telecom5."),
    config: Path | None = typer.Option(None, "--config", help="SMS config (default: configs/sms.yaml)."),
    name: str | None = typer.Option(None, "--name", help="Registered model name (default: from config)."),
    demo_mix: bool = typer.Option(
        True, "--demo-mix/--no-demo-mix", help="Mix demo generator rows into the data (demo_mix in the config)."
    ),
) -> None:
    """Train the SMS model, log the run to MLflow, register it as challenger. Last line: model URI."""
    from configs import ConfigError
    from training.data.sms import DataFormatError
    from training.train import train_sms

    try:
        outcome = train_sms(data, sms_config(config), fmt, name, demo_mix=demo_mix)
    except (ConfigError, DataFormatError, ValueError) as exc:
        fail(exc)
    _print_outcome(outcome)


@train_app.command("call")
def train_call_command(
    data: list[Path] = typer.Option(
        ..., "--data", help="CDR folder (voc[, sms, user, app], labels.csv) or profile table; repeatable."
    ),
    fmt: str = typer.Option("auto", "--format", help="auto, cdr or profiles."),
    config: Path | None = typer.Option(None, "--config", help="Call config (default: configs/call.yaml)."),
    name: str | None = typer.Option(None, "--name", help="Registered model name (default: from config)."),
    features: list[Path] = FEATURES_OPTION,
    links: list[Path] = LINKS_OPTION,
) -> None:
    """Train the call model on per-number profiles, register it as challenger. Last line: model URI."""
    from configs import ConfigError
    from training.train_call import train_call

    if fmt not in CALL_FORMATS:
        fail(ValueError(f"--format must be auto, cdr or profiles, not {fmt!r}"))
    try:
        outcome = train_call(data, call_config(config), fmt, name, features=features, links=links)
    except (ConfigError, ValueError) as exc:  # CdrLoadError and LinkError are ValueErrors
        fail(exc)
    _print_outcome(outcome)


def _print_outcome(outcome) -> None:
    """Out-of-fold summary as JSON, then the model URI as the last line (scripts read it)."""
    summary = {k: outcome.metrics[k] for k in ("n", "positives", "roc_auc", "pr_auc", "precision", "recall", "fpr", "best_f1")}
    typer.echo(json.dumps({"out_of_fold": summary, "run_id": outcome.run_id}, ensure_ascii=False))
    typer.echo(outcome.model_uri)
