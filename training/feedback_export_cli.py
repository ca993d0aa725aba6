"""``yunmao feedback export``: the feedback store as a labelled file that ``--data`` accepts."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Literal

import typer

from training.cli_support import fail

feedback_app = typer.Typer(no_args_is_help=True, help="Analyst and victim feedback.")


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
    from serving.feedback_store import StoreUnavailable, open_feedback_store
    from training.feedback_export import ExportError, export_feedback
    from training.tables import OutputError

    try:
        rows = export_feedback(open_feedback_store(load_feedback_config(config)), out, kind=kind, since=since)
    except (ConfigError, ExportError, OutputError, StoreUnavailable) as exc:
        fail(exc)
    typer.echo(json.dumps({"out": str(out), "rows": rows, "kind": kind}, ensure_ascii=False))
