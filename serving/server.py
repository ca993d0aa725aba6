"""Start the service as a real HTTP server (what ``yunmao serve`` runs).

Model URIs travel to BentoML's worker processes through ``$YUNMAO_SMS_MODEL`` and
``$YUNMAO_CALL_MODEL`` (workers inherit the environment and re-import the service). The SMS
model is resolved once here first so a typo or an empty registry fails in the terminal with one
line, not in every worker's log; so is a call model named on the command line, and so is a port
already in use. The configured call model may be absent (the call endpoint then answers 503
until one is promoted).

Each instance gets its own folder (``serving/instance``): Prometheus files and the reload board
its workers share (``serving/reload_sync``); workers die with this process (``serving/process``).
"""

from __future__ import annotations

import os
import sqlite3

from configs import default_config_path, load_config
from configs.call import CallConfig
from configs.campaigns import load_campaigns_config
from configs.monitor import load_monitor_config
from configs.serving import ServingConfig, load_serving_config
from serving.auth import resolve_keys
from serving.decision_log import decision_key, open_decision_store
from serving.instance import INSTANCE_DIR_ENV, prepare_instance_dir
from serving.model_source import resolve_model, use_registry
from serving.process import SERVER_PID_ENV, ensure_port_free
from serving.profile_store import open_profile_store
from serving.reload_sync import ReloadBoard
from serving.service import MODEL_ENV, YunmaoService, serving_model_uri
from serving.shadow_store import check_shadow_key, open_shadow_store
from serving.start_watch import StartWatch
from serving.store_errors import StoreUnavailable
from serving.template_store import open_template_store

OPTION = {"sms": "model", "call": "call-model"}  # yunmao serve's option naming each kind's model


def check_model(uri: str, kind: str) -> tuple[str, str]:
    """(name, version) the URI names now; raises if the registry (or, for ``bento:TAG``, BentoML's
    model store) has no such model, version or alias, if this checkout would not score it as it
    was trained (``models/provenance``), or if its record names another ``kind`` (a call model
    given as ``--model``): one line here rather than every worker failing to start, restarted by
    BentoML without end. The feature code's behaviour is left to the workers, which load that code
    anyway (here it would keep jieba's 170 MiB in a process that scores nothing); a model they
    refuse for it stops the server with the cause through ``serving/start_watch``."""
    resolved = resolve_model(uri)
    recorded = resolved.check()
    if recorded is not None and recorded != kind:
        raise ValueError(f"{uri} is a {recorded!r} model; --{OPTION[kind]} takes a {kind!r} model")
    return resolved.name, resolved.version


def check_shared_stores(config: ServingConfig) -> None:
    """Reach the decision log and (with a shadow enabled) the shadow pair table once, here: a Redis
    that is down or would lose writes, or a missing HMAC key, fails ``yunmao serve`` with one line.
    Workers never wait on these stores at start, and a store failing later only loses (and counts)
    what it could not write.

    Raises:
        ConfigError: the decision log's redis backend without ``$YUNMAO_DECISION_KEY``.
        StoreUnavailable: a store cannot be reached, or would lose acknowledged writes.
    """
    log = load_monitor_config().decision_log
    if log.enabled:
        decision_key(log)
        open_decision_store(log).check()
    if config.shadow.sms.enabled or config.shadow.call.enabled:
        open_shadow_store(config.shadow).check()


def check_worker_stores() -> None:
    """Read the configs and open the local stores every worker reads and opens at start, once here
    (the profile store of ``configs/call.yaml``, the template store of ``configs/campaigns.yaml``):
    a bad value or an unwritable SQLite path fails ``yunmao serve`` with one line, not every
    worker, restarted without end. A Redis URL is only parsed: workers connect lazily.

    Raises:
        ConfigError: a config that does not validate; ValueError: an unsupported store URL.
        StoreUnavailable: a SQLite store that cannot be created or opened.
    """
    profiles = load_config(default_config_path("call"), CallConfig).profile_store
    reputation = load_campaigns_config().reputation
    try:
        open_profile_store(profiles)
        if reputation.enabled:
            open_template_store(reputation)
    except (OSError, sqlite3.Error) as exc:
        raise StoreUnavailable(f"cannot open a store the workers need: {exc}") from exc


def run_server(
    host: str, port: int, model_uri: str | None = None, workers: int | None = None, call_model_uri: str | None = None
) -> None:
    """Serve until interrupted; blocks. ``None`` arguments keep the environment's or config's values.

    Raises :class:`serving.process.PortBusy` before loading anything when ``host:port`` is taken,
    and :class:`serving.start_watch.WorkersCannotStart` after stopping when workers failed to
    start ``max_start_failures`` times with none started.
    BentoML's ``serve_http`` is called rather than ``bentoml.serve`` (which wraps it) because
    only it passes uvicorn's keep-alive timeout on.
    """
    from _bentoml_impl.server.serving import serve_http
    from bentoml._internal.configuration.containers import BentoMLContainer
    from bentoml._internal.log import configure_logging

    ensure_port_free(host, port)
    config = load_serving_config()
    use_registry(config.registry_uri)
    resolve_keys(config)  # every worker would fail on these: say it once, here
    check_shadow_key(config.shadow)
    check_shared_stores(config)
    check_worker_stores()
    uri = model_uri or serving_model_uri(config, "sms")
    check_model(uri, "sms")
    os.environ[MODEL_ENV["sms"]] = uri
    if call_model_uri is not None:
        check_model(call_model_uri, "call")
        os.environ[MODEL_ENV["call"]] = call_model_uri
    if workers is not None:
        YunmaoService.config["workers"] = workers
    instance = prepare_instance_dir(host, port)
    ReloadBoard.create(instance, YunmaoService.config["workers"])
    BentoMLContainer.prometheus_multiproc_dir.set(str(instance / "prometheus"))
    os.environ[INSTANCE_DIR_ENV] = str(instance)
    os.environ[SERVER_PID_ENV] = str(os.getpid())
    configure_logging()
    YunmaoService.inject_config()
    watch = StartWatch(instance, config.max_start_failures)
    watch.start()
    serve_http(
        YunmaoService.import_string,
        working_dir=YunmaoService.working_dir,
        host=host,
        port=port,
        timeout_keep_alive=config.read_timeouts.keep_alive_s,
        threaded=False,
    )
    watch.check()
