"""ASGI middleware that checks every request body the service takes before any route sees it.

BentoML answers a pydantic error with a generic 400 and logs the exception, whose text quotes
the offending input (a message text, a phone number); a hand-rolled ``json.loads`` hangs on
JSON nested 10,000 deep. So every JSON route (scoring and feedback alike) goes through this one
path: 415 for a body that is not declared ``application/json`` or is declared compressed, 413
for one over ``limits.max_body_bytes`` (refused while reading, never buffered whole), 400 for unparsable
JSON (pydantic's Rust parser has a nesting and number-size limit, so hostile JSON fails fast; a
lone surrogate escape is named as such, ``serving/json_strict``), 422 naming the invalid field
or a key sent twice in one object (pydantic would keep the last silently). Routes that take no
body (admin reload) get 400 for any body. A route's path with a trailing slash gets a 404 naming
the route (not Starlette's redirect, which hooks do not follow for POST), another method a 405.
Any other path's request passes on, and the router's plain-text 404 (no such route) or 405 (``POST
/livez``) comes back as the JSON error body too (:class:`RouterErrorsAsJson`).
A valid body is passed on unchanged as JSON, and the validated model is left in the scope
under :data:`VALIDATED_BODY`: the feedback handler and the BentoML routes (through
:func:`validated_input`) take it from there, so a request is parsed and validated once.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from difflib import get_close_matches
from typing import Any, TypeVar

import bentoml
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from serving.errors import error_body, send_json, utf8_problem, validation_details, validation_status
from serving.json_strict import duplicate_key, unparsable_named
from serving.logs import log_event
from serving.openapi import SPEC_PATH
from serving.responses import JSON_MEDIA_TYPE
from serving.schemas import ErrorDetail

VALIDATED_BODY = "yunmao.validated_body"
NEAREST_ROUTE_CUTOFF = 0.8  # difflib's similarity ratio: /v1/sms/scor and /v1/sms/score are 0.96, /v1/sms and /v1/call 0.6
ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class JsonBody:
    """A route whose POST body must be JSON valid against ``model`` (``context`` is passed to
    pydantic's validators, e.g. a configured limit)."""

    model: type[BaseModel]
    context: Mapping[str, Any] = field(default_factory=dict)


NO_BODY = None
"""Route table value for a POST route that takes no body."""


class BodyTooLarge(Exception):
    """The body exceeded the configured byte limit while being read."""


class Rejected(Exception):
    """A client error: the status and the problems to report."""

    def __init__(self, status: int, problems: list[ErrorDetail]) -> None:
        super().__init__(status)
        self.status = status
        self.problems = problems


ERROR_TITLES = {
    400: "malformed request",
    404: "not found",
    405: "method not allowed",
    413: "request too large",
    415: "unsupported media type",
    422: "invalid request",
}


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


def is_json_content_type(header: bytes | None) -> bool:
    """``application/json``, optionally with ``charset=utf-8`` (the only encoding we decode)."""
    media_type, *params = (header or b"").decode("latin-1").split(";")
    if media_type.strip().lower() != JSON_MEDIA_TYPE:
        return False
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() != "charset" or value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            return False
    return True


def is_identity_encoding(header: bytes | None) -> bool:
    """No ``Content-Encoding``, or ``identity``: nothing here decompresses, so a gzip body would
    otherwise be refused as "not valid UTF-8", and a plain body mislabelled gzip taken silently."""
    return header is None or header.decode("latin-1").strip().lower() in ("", "identity")


def _body_problem(text: str) -> list[ErrorDetail]:
    return [ErrorDetail(field="<body>", problem=text)]


class RequestValidationMiddleware:
    """Check POST bodies of ``routes`` (path → :class:`JsonBody` or :data:`NO_BODY`); answer
    4xx or pass the request on."""

    def __init__(self, app: ASGIApp, routes: Mapping[str, JsonBody | None], max_body_bytes: int) -> None:
        self.app = app
        self.routes = dict(routes)
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and (meant := self._without_trailing_slash(path)) is not None:
            problem = ErrorDetail(field="<path>", problem=f"no route {path}; the route is {meant}, without the trailing slash")
            log_event("request_rejected", path=meant, status=404, problems=1)
            await send_json(send, 404, error_body(ERROR_TITLES[404], [problem]))
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if path not in self.routes:  # ours are answered below: only other paths pay for the wrapper
            await self.app(scope, receive, RouterErrorsAsJson(send, path, self.routes))
            return
        if scope.get("method") != "POST":  # BentoML's own 405 is plain text; every 4xx here is the JSON error body
            problem = [ErrorDetail(field="<method>", problem=f"{path} takes POST only")]
            await send_json(send, 405, error_body(ERROR_TITLES[405], problem), [(b"allow", b"POST")])
            return
        spec = self.routes[path]
        try:
            if spec is NO_BODY:
                await self._refuse_any_body(receive)
                scope, body = _without_content_type(scope), b""
            else:
                body, validated = await self._parse(scope, receive, spec)
                scope = {**_as_json(scope), VALIDATED_BODY: validated}
        except Rejected as rejected:
            log_event("request_rejected", path=path, status=rejected.status, problems=len(rejected.problems))
            await send_json(send, rejected.status, error_body(ERROR_TITLES[rejected.status], rejected.problems))
            return
        await self.app(scope, _replay(body, receive), send)

    def _without_trailing_slash(self, path: str) -> str | None:
        """The route ``path`` means when it is one of ours plus a trailing slash, else None.

        Starlette answers such a path with a 307 redirect, which many hook clients do not follow
        for a POST (the request fails without saying why); answering it as the route instead
        would give one endpoint two paths, which a proxy's per-path rules would not both cover.
        So it is a 404 naming the route."""
        meant = path.rstrip("/")
        return meant if meant != path and meant in self.routes else None

    @staticmethod
    async def _refuse_any_body(receive: Receive) -> None:
        try:
            await read_body(receive, 0)
        except BodyTooLarge:
            raise Rejected(400, _body_problem("this route takes no body; send none")) from None

    async def _parse(self, scope: Scope, receive: Receive, spec: JsonBody) -> tuple[bytes, BaseModel]:
        """(raw body, validated model), or :class:`Rejected`."""
        headers = dict(scope.get("headers", []))
        if not is_json_content_type(headers.get(b"content-type")):
            raise Rejected(415, [ErrorDetail(field="content-type", problem="must be application/json (charset utf-8)")])
        if not is_identity_encoding(headers.get(b"content-encoding")):
            raise Rejected(415, [ErrorDetail(field="content-encoding", problem="compressed bodies are not accepted; send the JSON uncompressed")])
        declared = headers.get(b"content-length")
        too_large = _body_problem(f"larger than {self.max_body_bytes} bytes")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            raise Rejected(413, too_large)
        try:
            body = await read_body(receive, self.max_body_bytes)
        except BodyTooLarge:
            raise Rejected(413, too_large) from None
        if not body.strip():
            raise Rejected(400, _body_problem("empty body; expected a JSON object"))
        if (problem := utf8_problem(body)) is not None:
            raise Rejected(400, [problem])
        try:
            validated = spec.model.model_validate_json(body, context=dict(spec.context))
        except ValidationError as exc:
            raise _rejection(body, exc) from None
        if (duplicate := duplicate_key(body)) is not None:
            raise Rejected(422, [duplicate])
        return body, validated


class RouterErrorsAsJson:
    """A ``send`` turning the router's plain-text answers to a path no route has (404) or a method
    a route does not take (405, e.g. ``POST /livez``) into the service's JSON error body.

    Every other error of the service is an :class:`ErrorResponse`; a client (or its generated code)
    that parses the body met Starlette's ``Not Found`` text. The 404 names the nearest of the JSON
    routes (a typo: ``/v1/sms/scor``) or lists them all. Only the first answer is looked at, and a
    JSON answer (``/readyz``'s, a route's own) passes unchanged."""

    def __init__(self, send: Send, path: str, routes: Collection[str]) -> None:
        self.send = send
        self.path = path
        self.routes = routes
        self.replacing: Message | None = None

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] in ROUTER_ERRORS and not _is_json(message):
            self.replacing = message
        elif self.replacing is None:
            await self.send(message)
        elif message["type"] == "http.response.body" and not message.get("more_body", False):
            await self._send_replacement(self.replacing)

    async def _send_replacement(self, start: Message) -> None:
        status = start["status"]
        allow = [(b"allow", _sorted_methods(value)) for name, value in start.get("headers", []) if name.lower() == b"allow"]
        if status == 405:
            takes = allow[0][1].decode("latin-1") if allow else "another method"
            problem = ErrorDetail(field="<method>", problem=f"{self.path} takes {takes} only")
        else:
            problem = ErrorDetail(field="<path>", problem=no_route(self.path, self.routes))
        log_event("request_rejected", status=status, problems=1)  # never the path: a client's typo may hold anything
        await send_json(self.send, status, error_body(ERROR_TITLES[status], [problem]), allow)


ROUTER_ERRORS = (404, 405)


def _sorted_methods(allow: bytes) -> bytes:
    """Starlette joins a route's methods from a set, so their order follows string hashing and
    changes between processes ("GET, HEAD" or "HEAD, GET"); a client or a test comparing the
    header sees one order."""
    return b", ".join(sorted(method.strip() for method in allow.split(b",")))


def _is_json(start: Message) -> bool:
    return any(name.lower() == b"content-type" and is_json_content_type(value) for name, value in start.get("headers", []))


def no_route(path: str, routes: Collection[str]) -> str:
    """What a 404 says: the nearest route when ``path`` looks like a typo of one, else them all."""
    nearest = get_close_matches(path, sorted(routes), n=1, cutoff=NEAREST_ROUTE_CUTOFF)
    if nearest:
        return f"no route {path}; did you mean {nearest[0]}? (every route is listed at {SPEC_PATH})"
    return f"no route {path}; the API's routes are {', '.join(sorted(routes))}, all POST (every route is listed at {SPEC_PATH})"


def _rejection(body: bytes, exc: ValidationError) -> Rejected:
    """The answer to a body pydantic refused: unparsable JSON named better where pydantic's
    message misleads (``serving/json_strict``); an invalid one whose key is sent twice blamed on
    that key (the invalid value may be the one pydantic kept of two)."""
    status = validation_status(exc)
    if status == 400:
        return Rejected(400, [named]) if (named := unparsable_named(body)) else Rejected(400, validation_details(exc))
    if status == 422 and (duplicate := duplicate_key(body)) is not None:
        return Rejected(422, [duplicate])
    return Rejected(status, validation_details(exc))


def validated_body(scope: Scope, model: type[ModelT]) -> ModelT:
    """The ``model`` instance :class:`RequestValidationMiddleware` validated for this request.

    Raises:
        LookupError: the route is not in the middleware's table (a wiring mistake).
    """
    body = scope.get(VALIDATED_BODY)
    if not isinstance(body, model):
        raise LookupError(f"{scope.get('path')}: no validated {model.__name__}; is the route in RequestValidationMiddleware's table?")
    return body


def validated_input(model: type[ModelT]) -> type[ModelT]:
    """``model`` as a BentoML route's ``input_spec`` that hands the route the instance this
    middleware validated, instead of BentoML parsing and validating the same body a second time.

    Same fields, so the route's parameters and its OpenAPI schema stay what BentoML derives from
    ``model`` (the name is the one BentoML gives the wrapper it would make itself). A route whose
    path is missing from the middleware's table fails with :func:`validated_body`'s LookupError.
    """

    async def from_http_request(cls: type, request: Request, _serde: object) -> ModelT:
        return validated_body(request.scope, model)

    namespace = {"from_http_request": classmethod(from_http_request), "__module__": model.__module__}
    return type(f"{model.__name__}IODescriptor", (bentoml.IODescriptor, model), namespace)


def _as_json(scope: Scope) -> Scope:
    """The scope with exactly one ``content-type: application/json``: the body was just
    validated as JSON, so BentoML must not pick another deserialiser from a client's header."""
    bare = _without_content_type(scope)
    return {**bare, "headers": [*bare["headers"], (b"content-type", JSON_MEDIA_TYPE.encode())]}


def _without_content_type(scope: Scope) -> Scope:
    """The scope without any ``content-type`` (an empty body must not be parsed as multipart)."""
    return {**scope, "headers": [(k, v) for k, v in scope.get("headers", []) if k != b"content-type"]}


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
