"""``yunmao monitor``: live model health of the last hours, from the decision log and feedback.

Per model version that decided in the window: decisions and block/warn rates per day, PSI of the
score and watched features against the version's reference (loaded from the registry), and the
precision of block and warn per day, from all feedback quoting a ``decision_id`` and from the
random audit sample alone. The numbers come from :mod:`serving.live_health`, the same functions
that set the service's gauges, so the report and the alerts agree.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from configs.monitor import MonitorConfig
from training.tables import write_texts

if TYPE_CHECKING:  # the service's modules read configs/serving.yaml on import: not at CLI start-up
    from serving.decision_log import DecisionStore
    from serving.feedback_store import FeedbackStore

ReferenceLoader = Callable[[str, str], Mapping[str, np.ndarray]]


class MonitorError(ValueError):
    """Nothing to monitor (no decision log), or a window that cannot be read; the message says why."""


@dataclass(frozen=True)
class MonitorFiles:
    html: Path
    json: Path


def parse_since(text: str) -> float:
    """Hours in a window such as ``24h``, ``90m`` or ``7d``.

    Raises:
        MonitorError: not a positive number followed by m, h or d.
    """
    units = {"m": 1 / 60, "h": 1.0, "d": 24.0}
    number, unit = text[:-1], text[-1:].lower()
    try:
        hours = float(number) * units[unit]
    except (KeyError, ValueError):
        raise MonitorError(f"--since {text!r}: give a duration such as 90m, 24h or 7d") from None
    if not hours > 0:
        raise MonitorError(f"--since {text!r}: the window must be longer than zero")
    return hours


def monitor_report(log: DecisionStore, feedback: FeedbackStore, references: ReferenceLoader, since: datetime,
                   config: MonitorConfig) -> dict[str, Any]:
    """The report's numbers (JSON-ready) for decisions made at or after ``since``."""
    from serving.live_health import decode_watched, drift, labelled, precision_rows

    decisions = decode_watched(log.read(since))
    joined = labelled(decisions, feedback.read(since=since))
    decisions["day"] = pd.to_datetime(decisions["decided_at"], utc=True).dt.strftime("%Y-%m-%d")
    versions = []
    for (name, version), mine in decisions.groupby(["model", "version"], sort=True):
        try:
            reference, problem = references(name, version), None
        except Exception as exc:  # noqa: BLE001 - a deleted or unreachable version: report the rest
            reference, problem = {}, f"reference unavailable: {type(exc).__name__}: {exc}"
        ours = joined[(joined["model"] == name) & (joined["version"] == version)]
        versions.append({
            "model": name, "version": version, "decisions": len(mine),
            "actions_per_day": _actions_per_day(mine),
            "drift": drift(mine, reference, config.live), "drift_problem": problem,
            "precision_per_day": precision_rows(ours, ["day"], config.live.min_labelled),
            "precision": precision_rows(ours, [], config.live.min_labelled),
        })
    return {
        "since": since.isoformat(timespec="seconds"),
        "until": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "decisions": len(decisions),
        "versions": versions,
        "drift_flagged": any(row["flagged"] for v in versions for row in v["drift"]),
    }


def _actions_per_day(decisions: pd.DataFrame) -> list[dict[str, Any]]:
    counts = decisions.groupby(["day", "action"]).size().unstack(fill_value=0)
    return [{"day": day, "decisions": int(row.sum()), **{a: int(row.get(a, 0)) for a in ("block", "warn", "allow")},
             "block_rate": float(row.get("block", 0) / row.sum())} for day, row in counts.iterrows()]


def write_monitor(report: dict[str, Any], out: Path) -> MonitorFiles:
    """``monitor.json`` and the self-contained ``monitor.html`` in ``out``.

    Raises:
        OutputError: ``out`` cannot be created or written (``training.tables.write_texts``).
    """
    from training.monitor.page import render_monitor

    paths = write_texts(out, {"monitor.json": json.dumps(report, ensure_ascii=False, indent=2),
                              "monitor.html": render_monitor(report)})
    return MonitorFiles(paths["monitor.html"], paths["monitor.json"])
