"""``POST /v1/sms/score`` and ``POST /v1/call/score`` answered by an ASGI handler of our own.

A BentoML route costs, on every request, its router, ``api_endpoint`` (a signature inspection
and a dependency injection per call, a request context, the input and output descriptors) and
its context middleware: about 30 % of a worker's event-loop self time at one client, more than
the answer's JSON (docs/benchmarks.md, HTTP per-request overhead). The scoring routes carry most
of the traffic, so :class:`ScoringMiddleware` answers their POSTs itself, like
``/v1/feedback`` (``serving/feedback``): inside the auth, deadline/overload and validation
middlewares, which run exactly as before, and inside BentoML's outer ones (its request counter
``bentoml_service_request_total``, which the shedding alert divides by, and its timeout).

The service keeps the two routes declared with ``@bentoml.api`` (their OpenAPI entries and
direct calls of the class; other methods and a trailing slash are answered by
``serving/validation``); a POST to
either path never reaches them while a service instance has installed its handler
(:func:`install_scoring`). The answer is what BentoML sent: the same status, JSON body,
``Server`` header and, where the request is traced (``trace_scoring: true``), the same
``X-BentoML-Request-ID`` / ``X-BentoML-Trace-ID`` headers; a failure is logged with its traceback
and answered 500 with BentoML's body.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection

from bentoml._internal.configuration.containers import BentoMLContainer
from bentoml._internal.context import trace_context
from pydantic import BaseModel
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from serving.errors import FAILURE_BODY, send_json

ScoringAnswer = BaseModel | Response
"""A scoring request's answer: the response model (200), or a complete response (a 503)."""
ScoringHandler = Callable[[str, Scope], Awaitable[ScoringAnswer]]
"""The service's handler: (route, scope holding the validated body) → answer."""

SERVER_HEADER = (b"server", b"BentoML Service/yunmao")
"""The ``Server`` header BentoML set on every route's answer (uvicorn's own is off)."""

_logger = logging.getLogger(__name__)
_current: list[ScoringHandler] = []


def install_scoring(handler: ScoringHandler) -> None:
    """Make ``handler`` the one :class:`ScoringMiddleware` calls in this process (the worker's
    service instance installs its own; a later instance, e.g. a test's fresh app, replaces it)."""
    _current[:] = [handler]


class ScoringMiddleware:
    """Answers POSTs to ``routes`` (already authenticated, admitted and validated) through the
    installed handler; every other request, and every request before a service has installed
    one, passes through to BentoML."""

    def __init__(self, app: ASGIApp, routes: Collection[str]) -> None:
        self.app = app
        self.routes = frozenset(routes)
        self._id_formats = BentoMLContainer.logging_formatting.get()
        self._trace_id_header = bool(BentoMLContainer.http.response.trace_id.get())

    def _headers(self) -> list[tuple[bytes, bytes]]:
        """BentoML's own answer headers (``ServiceAppFactory._add_response_headers``): ``Server``,
        and the span's ids when OpenTelemetry traced this request (no id otherwise)."""
        headers = [SERVER_HEADER]
        if trace_context.request_id is not None:
            headers.append((b"x-bentoml-request-id", format(trace_context.request_id, self._id_formats["span_id"]).encode()))
        if self._trace_id_header and trace_context.trace_id is not None:
            headers.append((b"x-bentoml-trace-id", format(trace_context.trace_id, self._id_formats["trace_id"]).encode()))
        return headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST" or scope.get("path") not in self.routes or not _current:
            await self.app(scope, receive, send)
            return
        try:
            answer = await _current[0](scope["path"], scope)
        except Exception:  # noqa: BLE001 - any failure: logged with its traceback, a 500 like BentoML's
            _logger.error("Exception on %s [POST]", scope["path"], exc_info=True)
            await send_json(send, 500, FAILURE_BODY, self._headers())
            return
        if isinstance(answer, BaseModel):
            await send_json(send, 200, answer.model_dump_json().encode("utf-8"), self._headers())
            return
        answer.headers.update({name.decode(): value.decode() for name, value in self._headers()})
        await answer(scope, receive, send)
