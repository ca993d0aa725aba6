"""Bearer-key authentication for the service's ``/v1/`` routes.

When a key is configured (``$YUNMAO_API_KEY`` first, else ``auth.api_key`` in the serving config)
every request under ``/v1/`` needs ``Authorization: Bearer <key>``; health, readiness and metrics
stay open so probes and Prometheus need no secret. The comparison is constant-time
(:func:`hmac.compare_digest`) so response timing does not leak how much of a guess was right.
"""

from __future__ import annotations

import hmac
import os

from starlette.types import ASGIApp, Receive, Scope, Send

from configs.serving import ServingConfig
from serving.errors import error_body, send_json
from serving.logs import log_event

API_KEY_ENV = "YUNMAO_API_KEY"
PROTECTED_PREFIX = "/v1/"


def resolve_api_key(config: ServingConfig) -> str | None:
    """The configured key (environment wins over the file), or None when auth is off."""
    return os.environ.get(API_KEY_ENV) or config.auth.api_key


def is_authorised(header: bytes | None, api_key: str) -> bool:
    """Whether an ``Authorization`` header value carries exactly ``Bearer <api_key>``."""
    scheme, _, token = (header or b"").decode("latin-1").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), api_key.encode())


class BearerAuthMiddleware:
    """401 for ``/v1/`` requests without the right bearer key; everything else passes.

    The key is read when the app is built (once per worker), so tests and operators can set
    ``YUNMAO_API_KEY`` before starting without touching code.
    """

    def __init__(self, app: ASGIApp, config: ServingConfig) -> None:
        self.app = app
        self.api_key = resolve_api_key(config)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.api_key is None
            or scope["type"] != "http"
            or not scope.get("path", "").startswith(PROTECTED_PREFIX)
            or is_authorised(dict(scope.get("headers", [])).get(b"authorization"), self.api_key)
        ):
            await self.app(scope, receive, send)
            return
        log_event("request_unauthorised", path=scope["path"])
        await send_json(
            send, 401, error_body("unauthorised: send Authorization: Bearer <API key>"), [(b"www-authenticate", b"Bearer")]
        )
