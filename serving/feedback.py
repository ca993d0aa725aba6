"""``POST /v1/feedback``: analysts and victim reports label messages and calls.

The body is one record or ``{"records": [...]}``. It is parsed and validated by the same ASGI
path as scoring (:mod:`serving.validation`, with :class:`FeedbackRequest`), so the same body
limit, content-type rule and error body apply. Answers:

- 200: every record is durably stored (committed and fsynced) when this is sent;
- 400 (unparsable JSON), 413 (too large), 415 (not JSON), 422 (invalid field, named):
  nothing from the request was stored;
- 503: the store is busy, unwritable or unreachable; nothing was stored, retry.

Served by :class:`FeedbackMiddleware` inside the auth and validation middlewares (a mounted
sub-app would make ``/v1/feedback`` a redirect to ``/v1/feedback/``, which hooks do not
follow for POST).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from configs.feedback import FeedbackConfig, load_feedback_config
from serving.decision_log import DecisionLog, worker_decision_log
from serving.errors import error_body, send_json, unavailable
from serving.feedback_store import FeedbackError, FeedbackRecord, FeedbackStore, StoreUnavailable, open_feedback_store
from serving.logs import log_event
from serving.metrics import record_unmatched_feedback
from serving.schemas import ErrorDetail
from serving.validation import ERROR_TITLES, JsonBody, validated_body

FEEDBACK_PATH = "/v1/feedback"

_CONFIG = load_feedback_config(None)


class FeedbackRequest(BaseModel):
    """Body of ``POST /v1/feedback``: ``{"records": [...]}`` (1 to ``max_batch`` records,
    stored all-or-nothing) or a single record, taken as a batch of one (so its errors are
    named ``records.0.<field>``)."""

    model_config = ConfigDict(extra="forbid")

    records: list[FeedbackRecord] = Field(..., min_length=1, max_length=_CONFIG.max_batch)

    @model_validator(mode="before")
    @classmethod
    def _single_record_as_batch(cls, value: Any) -> Any:
        if isinstance(value, dict) and "records" not in value:
            return {"records": [value]}
        return value


class FeedbackResponse(BaseModel):
    """Acknowledgement: the records are committed to disk when this is sent."""

    accepted: int = Field(..., examples=[1])
    ids: list[str] = Field(..., examples=[["sms-20240501-000123"]])
    unmatched_decision_ids: list[str] = Field(
        default_factory=list,
        description="Quoted decision_ids the decision log does not hold (pruned, another instance's "
        "where each machine keeps its own SQLite log, never issued, or the log could not be read). "
        "Those records are stored as labels but count toward no live precision.",
        examples=[[]],
    )


class FeedbackUnavailable(RuntimeError):
    """The store could not commit (locked past the timeout, disk full, read-only); retry later."""


def feedback_body(config: FeedbackConfig = _CONFIG) -> JsonBody:
    """How the validation middleware checks this route's body (with the configured text limit)."""
    return JsonBody(FeedbackRequest, {"max_text_chars": config.max_text_chars})


def handle_feedback(request: FeedbackRequest, store: FeedbackStore, decisions: DecisionLog | None = None) -> FeedbackResponse:
    """Append ``request``'s records durably; returns their ids once committed, and the quoted
    decision_ids ``decisions`` does not know.

    An unknown decision_id is accepted and flagged, not refused: the log is bounded and written
    asynchronously, so a real decision may be pruned or not yet committed, and the label is still
    training data; it just joins no decision.

    Raises:
        FeedbackError: the store's own checks refused a record (HTTP 422).
        FeedbackUnavailable: the store could not commit (HTTP 503).
    """
    try:
        ids = store.append_many(request.records)
    except StoreUnavailable as exc:
        raise FeedbackUnavailable(f"feedback store could not commit: {exc}") from exc
    quoted = list(dict.fromkeys(r.decision_id for r in request.records if r.decision_id is not None))
    known = known_decisions(decisions, quoted)
    unmatched = [decision_id for decision_id in quoted if decision_id not in known]
    if unmatched:
        record_unmatched_feedback(len(unmatched))
    return FeedbackResponse(accepted=len(ids), ids=ids, unmatched_decision_ids=unmatched)


def known_decisions(decisions: DecisionLog | None, quoted: list[str]) -> set[str]:
    """Which ``quoted`` decision_ids the log holds; none when there is no log or it cannot be read
    (Redis down: logged). The labels are stored either way: the check only flags them."""
    if decisions is None or not quoted:
        return set()
    try:
        return decisions.known(quoted)
    except StoreUnavailable as exc:
        log_event("decision_log_unavailable", problem=str(exc))
        return set()


@cache
def feedback_store() -> FeedbackStore:
    """One store per worker, opened on the first feedback request (configured SQLite path or Redis URL)."""
    return open_feedback_store(_CONFIG)


class FeedbackMiddleware:
    """Answers POST ``FEEDBACK_PATH`` (already validated); every other request passes through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") != FEEDBACK_PATH or scope.get("method") != "POST":
            await self.app(scope, receive, send)  # other methods: the validation middleware answered 405
            return
        request = validated_body(scope, FeedbackRequest)
        try:
            acknowledged = await run_in_threadpool(handle_feedback, request, feedback_store(), worker_decision_log())
        except FeedbackError as exc:
            await send_json(send, 422, error_body(ERROR_TITLES[422], [ErrorDetail(field="records", problem=str(exc))]))
            return
        except (FeedbackUnavailable, StoreUnavailable) as exc:  # StoreUnavailable: opening failed (server down, not durable)
            log_event("feedback_unavailable", error=type(exc).__name__, problem=str(exc))
            await unavailable("feedback store unavailable; nothing was stored, retry")(scope, receive, send)
            return
        log_event("feedback_stored", records=acknowledged.accepted)
        await send_json(send, 200, acknowledged.model_dump_json().encode("utf-8"))


def feedback_operation() -> dict[str, Any]:
    """The OpenAPI path item of ``POST /v1/feedback`` (success only; errors are added with the
    other routes' in :func:`serving.openapi.service_spec`)."""
    ref = "#/components/schemas/{}".format
    return {
        "post": {
            "tags": ["Service APIs"],
            "operationId": "yunmao__feedback",
            "description": "Store one feedback record, or {\"records\": [...]} all-or-nothing. "
            "200 only once every record is durably stored; on any 4xx nothing was stored.",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"oneOf": [
                    {"$ref": ref(FeedbackRecord.__name__)}, {"$ref": ref(FeedbackRequest.__name__)}]}}},
            },
            "responses": {"200": {"description": "Stored.", "content": {"application/json": {
                "schema": {"$ref": ref(FeedbackResponse.__name__)}}}}},
        }
    }
