"""``yunmao shadow report``: champion vs challenger on live traffic (``training/shadow/report``)."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Literal

import typer

from training.cli_support import fail, write_outputs

shadow_app = typer.Typer(no_args_is_help=True, help="Shadow challengers: what they would have answered on live traffic.")


@shadow_app.command("report")
def shadow_report(
    out: Path = typer.Option(..., "--out", help="Folder for shadow.html and shadow.json (created)."),
    kind: Literal["sms", "call"] = typer.Option("sms", "--kind", help="Which endpoint's challenger."),
    since: datetime | None = typer.Option(None, "--since", help="Only pairs scored at or after this time (UTC if no zone)."),
    feedback_config: Path | None = typer.Option(None, "--feedback-config", help="Feedback config (default: configs/feedback.yaml)."),
) -> None:
    """Agreement, score differences, most disagreeing messages and labelled precision/recall per challenger version.

    Reads the pair table of the serving config ($YUNMAO_SERVING_CONFIG or configs/serving.yaml);
    joining feedback labels needs the service's HMAC key ($YUNMAO_SHADOW_KEY or shadow.hmac_key).
    """
    from configs import ConfigError
    from configs.feedback import load_feedback_config
    from configs.report import load_report_config
    from configs.serving import load_serving_config
    from serving.feedback_store import open_feedback_store
    from serving.shadow_store import open_shadow_store
    from training.shadow.report import build_report, render_html

    try:
        store = open_shadow_store(load_serving_config().shadow)
        feedback = open_feedback_store(load_feedback_config(feedback_config))
        report = build_report(store, feedback, kind, since, load_report_config().disagreements)
    except ConfigError as exc:
        fail(exc)
    except (sqlite3.Error, RuntimeError) as exc:  # not SQLite, locked, WAL refused; Redis down or not durable
        fail(ValueError(f"cannot read the shadow pairs or feedback: {exc}"))
    write_outputs(out, {"shadow.json": json.dumps(report, ensure_ascii=False, indent=1), "shadow.html": render_html(report)})
    typer.echo(json.dumps({"out": str(out), "pairs": report["pairs"],
                           "challengers": [f"{c['model']}/{c['version']}" for c in report["challengers"]]}))
