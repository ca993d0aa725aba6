"""Request/response schema and handler logic for ``POST /v1/feedback``.

The BentoML service mounts :func:`handle_feedback` behind the same auth as scoring; keeping the
logic here (no BentoML import) lets it be tested directly and keeps the service file thin.
Error contract for the service:

- :class:`~serving.feedback_store.FeedbackError` → HTTP 400 with ``str(exc)`` (bad field; the
  message names the record and field). Nothing from that request was stored.
- :class:`FeedbackUnavailable` → HTTP 503 (store busy or unwritable); nothing was stored and the
  client should retry. Only a 200 response means the records are durably stored.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

from serving.feedback_store import FeedbackError, FeedbackRecord, FeedbackStore


class FeedbackBatch(BaseModel):
    """Several feedback records in one request, stored all-or-nothing."""

    records: list[FeedbackRecord] = Field(..., min_length=1)


FeedbackRequest = FeedbackRecord | FeedbackBatch
"""The body of ``POST /v1/feedback``: one record, or ``{"records": [...]}``."""


class FeedbackResponse(BaseModel):
    """Acknowledgement: the records are committed to disk when this is sent."""

    accepted: int = Field(..., examples=[1])
    ids: list[str] = Field(..., examples=[["sms-20240501-000123"]])


class FeedbackUnavailable(RuntimeError):
    """The store could not commit (locked past the timeout, disk full, read-only); retry later."""


def _records(payload: FeedbackRecord | FeedbackBatch | Mapping[str, Any]) -> list[FeedbackRecord | Mapping[str, Any]]:
    """The records a payload carries, whichever of the two request shapes it has."""
    if isinstance(payload, FeedbackBatch):
        return list(payload.records)
    if isinstance(payload, FeedbackRecord):
        return [payload]
    if not isinstance(payload, Mapping):
        raise FeedbackError(f"request body must be a JSON object, got {type(payload).__name__}")
    if "records" not in payload:
        return [payload]
    records = payload["records"]
    if set(payload) != {"records"}:
        raise FeedbackError("a batch request has only the key 'records'")
    if not isinstance(records, list) or not records:
        raise FeedbackError("'records' must be a non-empty list of feedback records")
    return records


def handle_feedback(payload: FeedbackRecord | FeedbackBatch | Mapping[str, Any], store: FeedbackStore) -> FeedbackResponse:
    """Validate ``payload`` and append its records durably; returns their ids once committed.

    Raises:
        FeedbackError: the payload is malformed (HTTP 400).
        FeedbackUnavailable: the store could not commit (HTTP 503).
    """
    records = _records(payload)
    try:
        ids = store.append_many(records)
    except sqlite3.Error as exc:
        raise FeedbackUnavailable(f"feedback store could not commit: {exc}") from exc
    return FeedbackResponse(accepted=len(ids), ids=ids)
