"""``POST /v1/feedback``: analysts and victim reports label messages and calls.

An ASGI middleware on the BentoML service, inside the bearer-auth middleware so the same key
guards it, around :func:`serving.feedback_api.handle_feedback`. (A mounted sub-app would make
``/v1/feedback`` a redirect to ``/v1/feedback/``, which hooks do not follow for POST.) Only a
200 means the records are durably stored; 400/422 mean nothing was stored; 503 means retry.
"""

from __future__ import annotations

import json
from functools import cache

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from configs.feedback import load_feedback_config
from serving.errors import error_body
from serving.feedback_api import FeedbackUnavailable, handle_feedback
from serving.feedback_store import FeedbackError, FeedbackStore
from serving.logs import log_event
from serving.schemas import ErrorDetail

FEEDBACK_PATH = "/v1/feedback"


@cache
def feedback_store() -> FeedbackStore:
    """One store per worker, opened on the first feedback request (configured path)."""
    return FeedbackStore(load_feedback_config(None))


async def post_feedback(request: Request) -> Response:
    """Validate and durably append one record or ``{"records": [...]}``."""
    try:
        payload = json.loads((await request.body()).decode("utf-8"))
    except UnicodeDecodeError:
        return _error(400, "body is not UTF-8")
    except json.JSONDecodeError as exc:
        return _error(400, f"body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
    try:
        acknowledged = await run_in_threadpool(handle_feedback, payload, feedback_store())
    except FeedbackError as exc:
        return _error(422, str(exc))
    except FeedbackUnavailable:
        return _error(503, "feedback store unavailable; nothing was stored, retry")
    log_event("feedback_stored", records=acknowledged.accepted)
    return Response(acknowledged.model_dump_json(), media_type="application/json")


def _error(status: int, message: str) -> Response:
    return Response(
        error_body("invalid feedback" if status < 500 else "unavailable", [ErrorDetail(field="<body>", problem=message)]),
        status_code=status,
        media_type="application/json",
    )


class FeedbackMiddleware:
    """Answers ``FEEDBACK_PATH`` itself (POST only); every other request passes through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") != FEEDBACK_PATH:
            await self.app(scope, receive, send)
            return
        if scope.get("method") != "POST":
            response = _error(405, "use POST")
        else:
            response = await post_feedback(Request(scope, receive))
        await response(scope, receive, send)
