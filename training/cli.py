"""The ``yunmao`` command line: thin commands over the library functions.

Heavy imports (MLflow, LightGBM, BentoML) happen inside commands so ``yunmao --help`` is fast.
Commands fail with a one-line message and exit code 2 on bad input, never a traceback.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Literal

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help="yunmao: scam SMS and call interception models.")
data_app = typer.Typer(no_args_is_help=True, help="Demo and canonical data.")
train_app = typer.Typer(no_args_is_help=True, help="Train a model and register it as challenger.")
profiles_app = typer.Typer(no_args_is_help=True, help="Per-number call profiles: build and publish.")
feedback_app = typer.Typer(no_args_is_help=True, help="Analyst and victim feedback.")
app.add_typer(data_app, name="data")
app.add_typer(train_app, name="train")
app.add_typer(profiles_app, name="profiles")
app.add_typer(feedback_app, name="feedback")


@feedback_app.command("export")
def feedback_export(
    out: Path = typer.Option(..., "--out", help="Output file: .csv, .jsonl or .parquet (canonical labelled format)."),
    since: datetime | None = typer.Option(None, "--since", help="Only feedback received at or after this time (UTC if no zone)."),
    kind: Literal["sms", "call"] = typer.Option("sms", "--kind", help="SMS texts or call profiles."),
    config: Path | None = typer.Option(None, "--config", help="Feedback config (default: configs/feedback.yaml)."),
) -> None:
    """Write the feedback store as a labelled file that `--data` accepts (latest report per id wins)."""
    from configs import ConfigError
    from configs.feedback import load_feedback_config
    from serving.feedback_store import FeedbackStore
    from training.feedback_export import ExportError, export_feedback

    try:
        rows = export_feedback(FeedbackStore(load_feedback_config(config)), out, kind=kind, since=since)
    except (ConfigError, ExportError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(json.dumps({"out": str(out), "rows": rows, "kind": kind}, ensure_ascii=False))
