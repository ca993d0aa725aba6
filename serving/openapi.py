"""The service's OpenAPI document and docs page, as clients really meet the service.

BentoML's ``/docs.json`` knows only its own routes and error bodies: it omits
``/v1/feedback`` (served by a middleware), documents an ``InvalidArgument`` body this service
never sends and none of 401/403/413/415/422. Its ``/`` page loads Google Tag Manager from the
internet. :class:`DocsMiddleware` answers ``/docs.json`` with :func:`service_spec` (BentoML's
document, corrected) and ``/`` with a self-contained page that loads nothing, and hides
BentoML's Swagger assets.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from html import escape
from typing import Any

from pydantic import BaseModel
from starlette.types import ASGIApp, Receive, Scope, Send

from serving.errors import error_body, send_json
from serving.schemas import ErrorDetail, ErrorResponse

Spec = dict[str, Any]
SCHEMA_REF = "#/components/schemas/{model}"
ERROR_REF = {"$ref": "#/components/schemas/ErrorResponse"}
API_VERSION = "v1"  # the /v1/ of every route
SPEC_PATH = "/docs.json"
INDEX_PATH = "/"
HIDDEN_PREFIXES = ("/static_content", "/assets")

ERROR_MEANINGS = {
    400: "Malformed: empty body, invalid JSON or UTF-8, a body starting with a UTF-8 byte order mark, a string "
    "holding an unpaired UTF-16 surrogate escape (detail names its field), a body on a route that takes none, "
    "more than one Authorization header, or a deadline header that is not one integer of milliseconds.",
    401: "Missing or wrong bearer key.",
    403: "Admin routes are disabled (an API key is set but no admin key).",
    404: "This route's path with a trailing slash (detail names the route): answered, not redirected.",
    405: "Another method than POST on this path; the Allow header says POST.",
    413: "Body over limits.max_body_bytes, or too many items in one request.",
    415: "Body not declared as application/json, or declared compressed (Content-Encoding other than identity).",
    422: "A field is invalid, or a key is sent twice in one object; detail names it.",
    503: "Not able to serve now (overloaded, no call model loaded, feedback store busy); retry after Retry-After.",
}


ERROR_HEADERS = {405: {"Allow": {"description": "The methods the path takes.", "schema": {"type": "string", "example": "POST"}}}}


def _error_responses(statuses: list[int]) -> Spec:
    return {
        str(status): {"description": ERROR_MEANINGS[status], "content": {"application/json": {"schema": ERROR_REF}},
                      **({"headers": ERROR_HEADERS[status]} if status in ERROR_HEADERS else {})}
        for status in statuses
    }


def _schemas(*models: type[BaseModel]) -> Spec:
    """Component schemas of ``models`` and every model they reference."""
    schemas: Spec = {}
    for model in models:
        schema = model.model_json_schema(ref_template=SCHEMA_REF)
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    return schemas


def service_spec(
    bentoml_spec: Mapping[str, Any],
    *,
    description: str,
    body_routes: Mapping[str, list[int]],
    extra_operations: Mapping[str, Spec],
    extra_models: tuple[type[BaseModel], ...],
    no_body_routes: tuple[str, ...],
    header_parameters: Mapping[str, list[Spec]] | None = None,
) -> Spec:
    """BentoML's document with every ``/v1/`` route's real error statuses (``body_routes``:
    path → statuses) and :class:`ErrorResponse` body, the middleware-served operations
    (``extra_operations``: path → path item) added, the headers middlewares read
    (``header_parameters``: path → OpenAPI parameters) documented, and BentoML's marketing
    text replaced."""
    spec = copy.deepcopy(dict(bentoml_spec))
    spec["info"] = {"title": spec["info"].get("title", "yunmao"), "version": API_VERSION, "description": description}
    spec["paths"] = {**spec["paths"], **copy.deepcopy(dict(extra_operations))}
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("InvalidArgument", "NotFound", "InternalServerError", "TaskStatusResponse"):
        schemas.pop(unused, None)
    schemas.update(_schemas(ErrorResponse, ErrorDetail, *extra_models))
    for path, statuses in body_routes.items():
        operation = spec["paths"][path]["post"]
        ok = {str(code): response for code, response in operation["responses"].items() if str(code).startswith("2")}
        operation["responses"] = {**ok, **_error_responses(statuses)}
        if headers := (header_parameters or {}).get(path):
            operation["parameters"] = [*operation.get("parameters", []), *copy.deepcopy(headers)]
        if path in no_body_routes:
            operation.pop("requestBody", None)
            schemas.pop(f"{operation.get('x-bentoml-name', '')}__Input", None)
    return spec


def docs_page(spec: Mapping[str, Any]) -> bytes:
    """A plain HTML page listing the routes; it loads no script, style or image."""
    rows = "".join(
        f"<li><code>{escape(method.upper())} {escape(path)}</code></li>"
        for path, item in spec["paths"].items()
        for method in item
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>yunmao</title></head><body>"
        f"<h1>yunmao</h1><ul>{rows}</ul>"
        f"<p>OpenAPI document: <a href='{SPEC_PATH}'>{SPEC_PATH}</a></p></body></html>"
    ).encode()


class DocsMiddleware:
    """Serves ``/docs.json`` and ``/`` from ``build_spec`` (built once, on first use) and hides
    BentoML's Swagger assets; everything else passes through."""

    def __init__(self, app: ASGIApp, build_spec: Callable[[], Spec]) -> None:
        self.app = app
        self.build_spec = build_spec
        self._spec: Spec | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else None
        if path == SPEC_PATH:
            await send_json(send, 200, json.dumps(self._built(), ensure_ascii=False).encode("utf-8"))
        elif path == INDEX_PATH:
            page = docs_page(self._built())
            await send({"type": "http.response.start", "status": 200, "headers": [
                (b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(page)).encode())]})
            await send({"type": "http.response.body", "body": page})
        elif path is not None and path.startswith(HIDDEN_PREFIXES):
            await send_json(send, 404, error_body("not found", [ErrorDetail(field="<path>", problem="no such route")]))
        else:
            await self.app(scope, receive, send)

    def _built(self) -> Spec:
        if self._spec is None:
            self._spec = self.build_spec()
        return self._spec
