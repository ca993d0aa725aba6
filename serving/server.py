"""Start the service as a real HTTP server (what ``yunmao serve`` runs).

Model URIs travel to BentoML's worker processes through ``$YUNMAO_SMS_MODEL`` and
``$YUNMAO_CALL_MODEL`` (workers inherit the environment and re-import the service). The SMS
model is resolved once here first so a typo or an empty registry fails in the terminal with one
line, not in every worker's log; so is a call model named on the command line. The configured
call model may be absent (the call endpoint then answers 503 until one is promoted).
"""

from __future__ import annotations

import os

from configs.serving import load_serving_config
from serving.service import MODEL_ENV, YunmaoService, serving_model_uri


def check_model(uri: str) -> tuple[str, str]:
    """(name, version) the URI names now; raises if the registry has no such model or alias."""
    from models.registry import resolve_model_version

    return resolve_model_version(uri)


def run_server(
    host: str, port: int, model_uri: str | None = None, workers: int | None = None, call_model_uri: str | None = None
) -> None:
    """Serve until interrupted; blocks. ``None`` arguments keep the environment's or config's values."""
    import bentoml

    uri = model_uri or serving_model_uri(load_serving_config(), "sms")
    check_model(uri)
    os.environ[MODEL_ENV["sms"]] = uri
    if call_model_uri is not None:
        check_model(call_model_uri)
        os.environ[MODEL_ENV["call"]] = call_model_uri
    if workers is not None:
        YunmaoService.config["workers"] = workers
    bentoml.serve(YunmaoService, host=host, port=port, blocking=True)
