"""Turning bad requests into clear 4xx JSON bodies that name the field and the problem.

Pydantic's own error strings echo the offending input; these helpers keep only the location and
the message, so neither a response nor a log line ever carries a message text or phone number.
"""

from __future__ import annotations

import logging

from pydantic import ValidationError
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from serving.responses import json_output
from serving.schemas import ErrorDetail, ErrorResponse

FAILURE_BODY = b'{"error":"An unexpected error has occurred, please check the server log."}'
"""BentoML's answer to a route that raised: clients and tests see the same 500 whichever layer failed."""

_logger = logging.getLogger(__name__)

# Errors on these locations mean "the request is too large", not "the request is malformed".
_TOO_LARGE_TYPES = {"too_long"}


def error_body(error: str, detail: list[ErrorDetail] | None = None) -> bytes:
    """The JSON bytes of an :class:`ErrorResponse`."""
    return ErrorResponse(error=error, detail=detail or []).model_dump_json().encode("utf-8")


def _field(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "<body>"


def validation_status(exc: ValidationError) -> int:
    """400 for unparsable JSON, 413 for too many items in a list, 422 for anything else."""
    types = {err["type"] for err in exc.errors()}
    if "json_invalid" in types:
        return 400
    if any(err["type"] in _TOO_LARGE_TYPES and len(err["loc"]) == 1 for err in exc.errors()):
        return 413
    return 422


def validation_details(exc: ValidationError) -> list[ErrorDetail]:
    """One entry per problem: dotted field path and pydantic's message, never the input value."""
    return [
        ErrorDetail(field=_field(tuple(err["loc"])), problem=err["msg"])
        for err in exc.errors(include_url=False, include_input=False, include_context=False)
    ]


def utf8_problem(body: bytes) -> ErrorDetail | None:
    """Where the body stops being UTF-8, or None when it decodes."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return ErrorDetail(field="<body>", problem=f"not valid UTF-8: byte 0x{body[exc.start]:02x} at offset {exc.start}")
    return None



def unavailable(problem: str, retry_after_s: int = 30) -> Response:
    """A 503 whose body says what is missing. Route code returns it instead of raising
    BentoML's ``ServiceUnavailable``, whose message BentoML replaces with a generic one."""
    return json_output(ErrorResponse(error=problem), status_code=503, headers={"retry-after": str(retry_after_s)})


async def send_json(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """Send a complete JSON response through raw ASGI (used by middlewares, before any route)."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class TrackedSend:
    """A ``send`` that remembers whether the answer has started: a middleware that catches a
    failure answers it only then, never twice."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.started = False

    async def __call__(self, message: Message) -> None:
        self.started = self.started or message["type"] == "http.response.start"
        await self.send(message)


class FailureMiddleware:
    """Any exception escaping the middlewares inside it: its traceback logged, and a JSON 500
    sent at once when no answer has started (one that has is cut off, as uvicorn would).

    Without it an exception raised in one of our middlewares before any answer (a parser bug a
    hostile header reaches) meets BentoML's ``TimeoutMiddleware``, which waits for the first
    ``send``: the client hangs ``timeout_s`` and then gets uvicorn's plain-text 500, and the
    traceback is never logged. Routes BentoML itself dispatches already answer 500 on a failure.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tracked = TrackedSend(send)
        try:
            await self.app(scope, receive, tracked)
        except Exception:
            _logger.error("Exception on %s [%s]", scope.get("path"), scope.get("method"), exc_info=True)
            if tracked.started:
                raise
            await send_json(send, 500, FAILURE_BODY)
