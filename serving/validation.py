"""ASGI middleware that validates scoring request bodies before BentoML parses them.

BentoML answers a pydantic error with a generic 400 and logs the exception, whose text quotes
the offending input (a message text, a phone number). Validating here first lets every bad
request get the right status (400 unparsable, 413 too large, 422 invalid field) with the field
named, and keeps raw input out of the logs. A valid body is passed on unchanged, as JSON.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from serving.errors import error_body, send_json, utf8_problem, validation_details, validation_status
from serving.logs import log_event
from serving.schemas import ErrorDetail


class BodyTooLarge(Exception):
    """The body exceeded the configured byte limit while being read."""


async def read_body(receive: Receive, max_bytes: int) -> bytes:
    """The whole request body, refusing to buffer more than ``max_bytes``."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_bytes:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


class RequestValidationMiddleware:
    """Validate POST bodies of ``routes`` (path → request model); answer 4xx or pass them on."""

    def __init__(self, app: ASGIApp, routes: Mapping[str, type[BaseModel]], max_body_bytes: int) -> None:
        self.app = app
        self.routes = dict(routes)
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        model = self.routes.get(scope.get("path", "")) if scope["type"] == "http" else None
        if model is None or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        status, detail, body = await self._check(scope, receive, model)
        if status is not None:
            log_event("request_rejected", path=scope["path"], status=status, problems=len(detail))
            await send_json(send, status, error_body(_ERRORS[status], detail))
            return
        await self.app(_as_json(scope), _replay(body, receive), send)

    async def _check(
        self, scope: Scope, receive: Receive, model: type[BaseModel]
    ) -> tuple[int | None, list[ErrorDetail], bytes]:
        """(status or None when valid, problems, body)."""
        declared = dict(scope.get("headers", [])).get(b"content-length")
        limit_problem = [ErrorDetail(field="<body>", problem=f"larger than {self.max_body_bytes} bytes")]
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            return 413, limit_problem, b""
        try:
            body = await read_body(receive, self.max_body_bytes)
        except BodyTooLarge:
            return 413, limit_problem, b""
        if not body.strip():
            return 400, [ErrorDetail(field="<body>", problem="empty body; expected a JSON object")], body
        if (problem := utf8_problem(body)) is not None:
            return 400, [problem], body
        try:
            model.model_validate_json(body)
        except ValidationError as exc:
            return validation_status(exc), validation_details(exc), body
        return None, [], body


_ERRORS = {400: "malformed request", 413: "request too large", 422: "invalid request"}


def _as_json(scope: Scope) -> Scope:
    """The scope with ``content-type: application/json``: the body was just validated as JSON,
    so BentoML must not pick another deserialiser (form, pickle) from a client's header."""
    headers = [(k, v) for k, v in scope.get("headers", []) if k != b"content-type"]
    return {**scope, "headers": [*headers, (b"content-type", b"application/json")]}


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that yields the already-read body once, then defers to the connection
    (so a later read still sees a real disconnect, not an invented one)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
