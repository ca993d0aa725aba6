"""Start the service as a real HTTP server (what ``yunmao serve`` runs).

The model URI travels to BentoML's worker processes through ``$YUNMAO_SMS_MODEL`` (workers
inherit the environment and re-import the service), and is resolved once here first so a typo
or an empty registry fails in the terminal with one line, not in every worker's log.
"""

from __future__ import annotations

import os

from configs.serving import load_serving_config
from serving.service import SMS_MODEL_ENV, YunmaoService, sms_model_uri


def check_model(uri: str) -> tuple[str, str]:
    """(name, version) the URI names now; raises if the registry has no such model or alias."""
    from models.registry import resolve_model_version

    return resolve_model_version(uri)


def run_server(host: str, port: int, model_uri: str | None = None, workers: int | None = None) -> None:
    """Serve until interrupted; blocks. ``None`` arguments keep the serving config's values."""
    import bentoml

    uri = model_uri or sms_model_uri(load_serving_config())
    check_model(uri)
    os.environ[SMS_MODEL_ENV] = uri
    if workers is not None:
        YunmaoService.config["workers"] = workers
    bentoml.serve(YunmaoService, host=host, port=port, blocking=True)
