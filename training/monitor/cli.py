"""``yunmao monitor``: the live-health report (drift, block rate, live precision) of the last hours."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from training.cli_support import fail


def monitor(
    since: str = typer.Option("24h", "--since", help="Window ending now: e.g. 90m, 24h, 7d."),
    out: Path = typer.Option(..., "--out", help="Folder for monitor.html and monitor.json."),
) -> None:
    """Drift of each served model version against its reference, and live precision of block and warn
    per day from feedback quoting decision_id (all of it, and the random audit sample alone)."""
    from configs import ConfigError
    from configs.feedback import load_feedback_config
    from configs.monitor import load_monitor_config
    from models.registry import load_scam_model
    from serving.decision_log import open_decision_store
    from serving.feedback_store import open_feedback_store
    from serving.live_health import window_start
    from serving.store_errors import StoreUnavailable
    from training.monitor import MonitorError, monitor_report, parse_since, write_monitor
    from training.report.fonts import FontError
    from training.tables import OutputError

    try:
        hours = parse_since(since)
        config = load_monitor_config()
        if not config.decision_log.enabled:
            raise MonitorError("decision_log.enabled is false in configs/monitor.yaml: nothing to monitor")
        if config.decision_log.backend == "sqlite" and not config.decision_log.db_path().exists():
            raise MonitorError(f"no decision log at {config.decision_log.db_path()}: has the service run "
                               "with decision_log.enabled (configs/monitor.yaml)?")
        log = open_decision_store(config.decision_log)
        log.check()
        report = monitor_report(log, open_feedback_store(load_feedback_config(None)),
                                lambda name, version: load_scam_model(f"models:/{name}/{version}").reference,
                                window_start(hours), config)
        files = write_monitor(report, out)
    except (ConfigError, MonitorError, FontError, OSError, OutputError, StoreUnavailable) as exc:
        fail(exc)
    typer.echo(json.dumps({"html": str(files.html), "json": str(files.json), "decisions": report["decisions"],
                           "versions": len(report["versions"]), "drift_flagged": report["drift_flagged"]}, ensure_ascii=False))
