"""``yunmao shadow report``: champion vs challenger on live traffic, as ``shadow.json`` and ``shadow.html``.

One section per challenger version found in the pair table: the 3×3 action agreement, the
score-difference summary, the messages they disagree on most (only where ``keep_text`` stored
them; entities masked as in the evaluation report) and, joined with the feedback store through
the records' keyed HMAC, each model's precision and recall on the labelled records. Without the
HMAC key the join cannot be made, and the report says so instead of guessing.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pandas as pd

from configs import ConfigError
from configs.serving import ShadowConfig
from serving.feedback_store import FeedbackStore
from serving.shadow_store import Kind, ShadowStore, shadow_key
from training.report.html import template_environment
from training.shadow.evidence import ACTIONS, by_challenger, feedback_keys

_ENV = template_environment("training.shadow")


def feedback_labels(feedback: FeedbackStore, config: ShadowConfig, kind: Kind) -> tuple[pd.DataFrame | None, str | None]:
    """(record_key, label) of the feedback of ``kind``, or (None, why not) without an HMAC key."""
    try:
        key = shadow_key(config)
    except ConfigError as exc:
        return None, f"no feedback join: {exc}"
    return feedback_keys(feedback.read(kind=kind), kind, key), None


def build_report(store: ShadowStore, feedback: FeedbackStore, kind: Kind, since: datetime | None, limit: int) -> dict[str, Any]:
    """The report's content: one summary per challenger version among the pairs of ``kind`` since ``since``."""
    pairs = store.read(since=since, kind=kind)
    labels, note = feedback_labels(feedback, store.config, kind)
    return {
        "kind": kind,
        "since": since.isoformat() if since else None,
        "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "pairs": len(pairs),
        "feedback_note": note,
        "challengers": by_challenger(pairs, limit, labels) if len(pairs) else [],
    }


def render_html(report: dict[str, Any]) -> str:
    return _ENV.get_template("shadow.html.j2").render(report=report, actions=ACTIONS)
