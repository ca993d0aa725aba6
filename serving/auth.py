"""Bearer-key authentication for the service's ``/v1/`` routes.

Two keys, each from its shortcut variable first, else the serving config (which
``YUNMAO_SERVING__AUTH__…`` may set; both set to different values is refused at start):

- ``$YUNMAO_API_KEY`` / ``auth.api_key`` guards every ``/v1/`` route (scoring, feedback);
- ``$YUNMAO_ADMIN_API_KEY`` / ``auth.admin_api_key`` guards ``/v1/admin/`` (reload) instead,
  so the key every carrier hook holds cannot swap models.

With an API key but no admin key, admin routes are refused (403): a deployment that protects
scoring must not leave model swaps open by omission. With neither key, auth is off altogether
(a laptop or a test). Health, readiness and metrics stay open so probes and Prometheus need no
secret. A request with more than one ``Authorization`` header is refused (400) rather than
letting one of them win. Comparisons are constant-time (:func:`hmac.compare_digest`) so
response timing does not leak how much of a guess was right.
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass

from pydantic import ValidationError
from starlette.types import ASGIApp, Receive, Scope, Send

from configs import validation_problems
from configs.environment import shortcut_value, variable_name
from configs.serving import AuthConfig, ServingConfig
from serving.errors import error_body, send_json
from serving.logs import log_event
from serving.schemas import ErrorDetail

API_KEY_ENV = "YUNMAO_API_KEY"
ADMIN_API_KEY_ENV = "YUNMAO_ADMIN_API_KEY"
PROTECTED_PREFIX = "/v1/"
ADMIN_PREFIX = "/v1/admin/"
_CHALLENGE = [(b"www-authenticate", b"Bearer")]
_TITLES = {400: "malformed request", 401: "unauthorised", 403: "forbidden"}


@dataclass(frozen=True)
class Keys:
    """The configured keys; None where unset."""

    api: str | None
    admin: str | None


def resolve_keys(config: ServingConfig) -> Keys:
    """The configured keys (a shortcut variable wins over the file), held to the config's bounds.

    Raises:
        ValueError: a shortcut and the setting's own variable disagree, or a key is too short to
            be a secret; the message names the variable.
    """
    auth = config.auth
    keys = {
        "api_key": shortcut_value(API_KEY_ENV, variable_name("serving", ("auth", "api_key")), auth.api_key, os.environ),
        "admin_api_key": shortcut_value(ADMIN_API_KEY_ENV, variable_name("serving", ("auth", "admin_api_key")),
                                        auth.admin_api_key, os.environ),
    }
    try:
        AuthConfig.model_validate(keys)
    except ValidationError as exc:
        raise ValueError(f"{validation_problems(exc, at=('auth',))} (from ${API_KEY_ENV} / ${ADMIN_API_KEY_ENV} or the serving config)") from None
    return Keys(api=keys["api_key"], admin=keys["admin_api_key"])


def is_authorised(header: bytes | None, api_key: str) -> bool:
    """Whether an ``Authorization`` header value carries exactly ``Bearer <api_key>``."""
    scheme, _, token = (header or b"").decode("latin-1").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), api_key.encode())


def refusal(path: str, headers: list[bytes], keys: Keys) -> tuple[int, str] | None:
    """(status, reason) when a request to ``path`` with these ``Authorization`` header values
    must be refused; None when it may pass."""
    if not path.startswith(PROTECTED_PREFIX):
        return None
    if len(headers) > 1:
        return 400, "more than one Authorization header; send exactly one"
    if keys.api is None and keys.admin is None:
        return None
    if path.startswith(ADMIN_PREFIX):
        if keys.admin is None:
            return 403, f"admin routes are disabled: set {ADMIN_API_KEY_ENV} (or auth.admin_api_key) to enable them"
        required = keys.admin
    elif keys.api is None:
        return None
    else:
        required = keys.api
    if not headers or not is_authorised(headers[0], required):
        return 401, "unauthorised: send Authorization: Bearer <API key>"
    return None


class BearerAuthMiddleware:
    """401/403/400 for ``/v1/`` requests refused by :func:`refusal`; everything else passes.

    The keys are read when the app is built (once per worker), so tests and operators can set
    them in the environment before starting without touching code.
    """

    def __init__(self, app: ASGIApp, config: ServingConfig) -> None:
        self.app = app
        self.keys = resolve_keys(config)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = [value for name, value in scope.get("headers", []) if name == b"authorization"]
            refused = refusal(scope.get("path", ""), headers, self.keys)
            if refused is not None:
                status, reason = refused
                log_event("request_unauthorised", path=scope["path"], status=status)
                body = error_body(_TITLES[status], [ErrorDetail(field="authorization", problem=reason)])
                await send_json(send, status, body, _CHALLENGE if status == 401 else None)
                return
        await self.app(scope, receive, send)
