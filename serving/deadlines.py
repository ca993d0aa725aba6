"""Read deadlines: a client that stalls while sending a request is cut off, not held.

uvicorn (under BentoML) times out idle keep-alive connections (``read_timeouts.keep_alive_s``,
passed by ``serving/server``) but waits forever for request headers and, once the app reads the
body, for the body. So:

* headers: :func:`close_stalled_connections` makes each connection check, every
  ``read_timeouts.headers_s``, that a new request arrived or one is in progress; a connection
  that made no such progress (half-sent headers, or nothing sent at all) is closed. uvicorn has
  no hook for this, so it wraps ``connection_made`` of uvicorn's HTTP protocol class, relying on
  its ``cycle`` / ``cycle.response_complete`` attributes (h11 and httptools both have them);
  ``tests/serving/test_process.py`` pins it against a real server.
* body: :class:`BodyDeadlineMiddleware` answers 408 when the body is not complete within
  ``read_timeouts.body_s`` of the request's start.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from serving.errors import TrackedSend, error_body, send_json
from serving.logs import log_event


def close_stalled_connections(headers_s: float) -> None:
    """In this (worker) process, close connections whose next request's headers take longer
    than ``headers_s``; idempotent."""
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    original = AutoHTTPProtocol.connection_made
    if getattr(original, "headers_deadline", None) is not None:
        return

    def connection_made(protocol: Any, transport: Any) -> None:
        original(protocol, transport)
        protocol.loop.call_later(headers_s, _check_progress, protocol, protocol.cycle, headers_s)

    connection_made.headers_deadline = headers_s  # type: ignore[attr-defined]
    AutoHTTPProtocol.connection_made = connection_made  # type: ignore[method-assign]


def _check_progress(protocol: Any, cycle_before: Any, headers_s: float) -> None:
    """Close the connection if no new request started since the last check and none is running."""
    if protocol.transport.is_closing():
        return
    cycle = protocol.cycle
    waiting_for_headers = cycle is None or cycle.response_complete
    if waiting_for_headers and cycle is cycle_before:
        log_event("connection_closed", reason="request headers not received in time", limit_s=headers_s)
        protocol.transport.close()
        return
    protocol.loop.call_later(headers_s, _check_progress, protocol, cycle, headers_s)


class BodyReadTimeout(Exception):
    """The client did not finish sending the body in time."""


class BodyDeadlineMiddleware:
    """Answer 408 to an HTTP request whose body is not complete ``body_s`` after it started."""

    def __init__(self, app: ASGIApp, body_s: float) -> None:
        self.app = app
        self.body_s = body_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = time.monotonic() + self.body_s
        body_done = False

        async def receive_by_deadline() -> Message:
            """The deadline holds until the last body chunk; later receives (waiting for a
            disconnect) are not limited."""
            nonlocal body_done
            if body_done:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                raise BodyReadTimeout from None
            body_done = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        tracked = TrackedSend(send)
        try:
            await self.app(scope, receive_by_deadline, tracked)
        except BodyReadTimeout:
            log_event("request_rejected", path=scope.get("path", ""), status=408)
            if not tracked.started:
                await send_json(send, 408, error_body(f"request body not received within {self.body_s:g} s"))
