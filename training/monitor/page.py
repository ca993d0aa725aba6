"""``monitor.html``: the monitor report's numbers and PSI charts in one self-contained file."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from training.report.html import template_environment
from training.report.plots import horizontal_bars

_ENV = template_environment("training.monitor")


def render_monitor(report: dict[str, Any]) -> str:
    """Fill ``monitor.html.j2`` with ``report`` (what ``monitor.json`` holds) and a PSI chart per version."""
    charts = {}
    for version in report["versions"]:
        rows = [row for row in version["drift"] if row["psi"] is not None]
        if rows:
            charts[(version["model"], version["version"])] = horizontal_bars(
                [row["name"] for row in rows], [row["psi"] for row in rows],
                f"{version['model']} v{version['version']} PSI", "PSI")
    return _ENV.get_template("monitor.html.j2").render(
        m=report, charts=charts, generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
