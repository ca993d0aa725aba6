"""One JSON serialisation per answer: a response model straight to the bytes sent.

A BentoML route that returns a pydantic model has it validated again (wrapped in BentoML's
output model), dumped to a dict and dumped again to JSON: three passes over every result for
one body. The service's own JSON answers from a BentoML route (e.g. a 503 naming what is
missing) build their model once and go through :func:`json_output`, which BentoML passes through
unchanged; the scoring routes' answers are dumped once by ``serving/scoring_routes``, which
serves them without a BentoML route.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel
from starlette.responses import Response

JSON_MEDIA_TYPE = "application/json"


def json_output(body: BaseModel, status_code: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """``body`` as a complete JSON response (UTF-8, the same JSON BentoML would have sent)."""
    return Response(body.model_dump_json().encode("utf-8"), status_code=status_code, headers=headers, media_type=JSON_MEDIA_TYPE)
