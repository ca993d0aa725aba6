"""Schema of ``configs/serving.yaml``: models, limits, batching, overload, reload, read timeouts, cache, auth, shadow challengers."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from configs import StrictModel, default_config_path, load_config
from configs.paths import data_file
from configs.stores import SharedStoreConfig

SERVING_CONFIG_ENV = "YUNMAO_SERVING_CONFIG"


class LimitsConfig(StrictModel):
    """Input limits: anything beyond them is refused with a 4xx before it reaches the model."""

    max_messages: int = Field(1000, ge=1, le=100_000)
    max_calls: int = Field(1000, ge=1, le=100_000)
    max_text_chars: int = Field(2000, ge=1, le=100_000)
    max_field_chars: int = Field(128, ge=8, le=4096)
    max_body_bytes: int = Field(8 * 1024 * 1024, ge=1024)


class BatchingConfig(StrictModel):
    """Adaptive batching of small requests; large requests bypass it (they are batches already)."""

    max_batch_size: int = Field(256, ge=2, le=10_000)
    max_latency_ms: int = Field(100, ge=1, le=10_000)
    direct_min_messages: int = Field(64, ge=1)  # 1: no batching, every request scored on its own


class OverloadConfig(StrictModel):
    """What a scoring request gets when the worker cannot score it in time (``serving/overload``).

    ``policy``: ``unavailable`` answers 503 with ``Retry-After``; ``allow`` answers every record
    ``allow`` with reason ``overloaded`` in the normal response (fail-open, where a carrier
    prefers letting traffic through to holding it).
    """

    max_in_flight: int = Field(16, ge=1, le=10_000)
    policy: Literal["unavailable", "allow"] = "unavailable"
    retry_after_s: int = Field(1, ge=1, le=3600)
    deadline_header: str = Field("X-Yunmao-Deadline-Ms", pattern=r"^[A-Za-z0-9-]+$")
    # set by the HAProxy front (epoch milliseconds when it received the request, serving/front.py):
    # the hook's budget is counted from then, so time in the front's queue is paid from it too
    received_header: str = Field("X-Yunmao-Received-Ms", pattern=r"^[A-Za-z0-9-]+$")
    max_deadline_ms: int = Field(5000, ge=1, le=600_000)
    answer_margin_ms: float = Field(2, ge=0, le=1000)
    latency_smoothing: float = Field(0.2, gt=0, le=1)


ADDRESS_PATTERN = r"^[0-9A-Za-z.:\[\]-]+:[0-9]{1,5}$"  # HOST:PORT as HAProxy's bind and server lines take it


class FrontConfig(StrictModel):
    """The HAProxy front that sheds a flood before it reaches Python (``serving/front``, docs/overload.md).

    A worker's own admission (``overload``) still costs its event loop a read and an answer for
    every refused request, so a flood of them starves the scored ones; the front holds the
    clients' connections and passes at most ``max_in_flight`` scoring requests to the workers at
    once. A request that waits ``queue_timeout_ms`` for a slot gets the 503 answer the workers
    would give. ``listen`` is where hooks connect; ``backend`` is ``yunmao serve``;
    ``metrics_listen`` serves HAProxy's Prometheus metrics.
    """

    listen: str = Field("0.0.0.0:8080", pattern=ADDRESS_PATTERN)
    backend: str = Field("127.0.0.1:3000", pattern=ADDRESS_PATTERN)
    metrics_listen: str = Field("0.0.0.0:8405", pattern=ADDRESS_PATTERN)
    max_in_flight: int = Field(16, ge=1, le=100_000)
    queue_timeout_ms: int = Field(30, ge=1, le=60_000)
    # A flood's refusal held this long before its 503 (0: none); see configs/serving.yaml front:.
    shed_delay_ms: int = Field(0, ge=0, le=60_000)
    max_connections: int = Field(4096, ge=1, le=1_000_000)
    threads: int = Field(1, ge=1, le=64)


class ReloadConfig(StrictModel):
    """When workers look for a new champion, and how long a reload answer waits for all of them."""

    poll_interval_s: float = Field(0, ge=0, le=86_400)
    sync_interval_s: float = Field(0.25, gt=0, le=60)
    converge_timeout_s: float = Field(20, gt=0, le=600)


class ReadTimeoutsConfig(StrictModel):
    """How long a client may take to send a request; a stalled one is cut off, not held."""

    headers_s: float = Field(10, gt=0, le=600)
    body_s: float = Field(10, gt=0, le=600)
    keep_alive_s: int = Field(5, ge=1, le=600)


class ShutdownConfig(StrictModel):
    """What a worker does on SIGTERM (``serving/shutdown``): answer ``/readyz`` 503 while still
    serving for ``drain_s`` (a load balancer stops sending meanwhile), then stop accepting and
    finish every request already accepted."""

    drain_s: float = Field(1, ge=0, le=300)


class CacheConfig(StrictModel):
    max_entries: int = Field(0, ge=0, le=10_000_000)


class AuthConfig(StrictModel):
    """Bearer keys: ``api_key`` guards ``/v1/`` routes, ``admin_api_key`` guards ``/v1/admin/``
    (see ``serving/auth.py`` for what happens when only one is set)."""

    api_key: str | None = Field(None, min_length=16)
    admin_api_key: str | None = Field(None, min_length=16)


class ShadowModelConfig(StrictModel):
    """One endpoint's shadow challenger (``serving/shadow``): a sampled ``share`` of the records
    the champion answered is scored again by ``model`` in a shadow process, off the request's path;
    at most ``queue_size`` requests wait for it, more are dropped and counted."""

    enabled: bool = False
    model: str = Field("models:/yunmao-sms@challenger", pattern=r"^models:/.+")
    share: float = Field(0.1, gt=0, le=1)
    queue_size: int = Field(1000, ge=1, le=1_000_000)
    keep_text: bool = False  # store the SMS text of each pair (otherwise only its keyed HMAC)


class CallShadowConfig(ShadowModelConfig):
    model: str = Field("models:/yunmao-call@challenger", pattern=r"^models:/.+")


class ShadowConfig(SharedStoreConfig):
    """Shadow challengers of both endpoints and the bounded table of scored pairs every worker
    writes: the SQLite file of ``path``, or (``backend: redis``) the stream ``redis_key`` at ``url``."""

    sms: ShadowModelConfig = ShadowModelConfig()
    call: CallShadowConfig = CallShadowConfig()
    path: str | None = None  # SQLite file; null = <data dir>/shadow.db, relative = under the data dir
    redis_key: str = Field("yunmao:shadow", min_length=1)
    max_rows: int = Field(200_000, ge=100, le=100_000_000)
    busy_timeout_s: float = Field(5, gt=0, le=600)
    max_batch: int = Field(256, ge=1, le=100_000)  # queued records scored in one shadow model call
    max_wait_ms: float = Field(1000, ge=0, le=60_000)  # how long the shadow process collects records for one call
    pipe_bytes: int = Field(1 << 20, ge=4096, le=1 << 30)  # the worker-to-shadow pipe's buffer (Linux F_SETPIPE_SZ)
    nice: int = Field(19, ge=0, le=19)  # added to the shadow process's nice value (lower priority than the worker)
    scheduler: Literal["idle", "nice"] = "idle"  # idle: Linux SCHED_IDLE (runs only on an otherwise idle core)
    idle_gate: bool = False  # score only while the worker has no request in flight
    idle_poll_ms: float = Field(5, gt=0, le=1000)  # how often a gated shadow process looks again
    hmac_key: str | None = Field(None, min_length=16)  # env YUNMAO_SHADOW_KEY overrides

    @model_validator(mode="after")
    def _calls_have_no_text(self) -> ShadowConfig:
        if self.call.keep_text:
            raise ValueError("shadow.call.keep_text must be false: a call has no text, and its number is never stored")
        return self

    def db_path(self) -> Path:
        """The pairs' SQLite file: ``<data dir>/shadow.db`` unless ``path`` says otherwise."""
        return data_file(self.path, "shadow.db")


class ServingConfig(StrictModel):
    sms_model_uri: str = Field("models:/yunmao-sms@champion", min_length=1)
    call_model_uri: str = Field("models:/yunmao-call@champion", min_length=1)
    registry_uri: str | None = Field(None, min_length=1)
    unknown_caller_action: Literal["block", "warn", "allow"] = "allow"
    workers: int = Field(1, ge=1, le=64)
    timeout_s: int = Field(30, ge=1, le=600)
    access_log: bool = False
    # false: the scoring routes bypass BentoML's OpenTelemetry middleware (serving/service.py bentoml_tracing)
    trace_scoring: bool = False
    limits: LimitsConfig = LimitsConfig()
    batching: BatchingConfig = BatchingConfig()
    overload: OverloadConfig = OverloadConfig()
    front: FrontConfig = FrontConfig()
    explain: bool = True
    gc_freeze: bool = True  # freeze the worker's startup heap once it is ready (serving/heap.py)
    max_start_failures: int = Field(3, ge=1, le=1000)  # serving/start_watch.py
    reload: ReloadConfig = ReloadConfig()
    read_timeouts: ReadTimeoutsConfig = ReadTimeoutsConfig()
    shutdown: ShutdownConfig = ShutdownConfig()
    cache: CacheConfig = CacheConfig()
    auth: AuthConfig = AuthConfig()
    shadow: ShadowConfig = ShadowConfig()

    @model_validator(mode="after")
    def _direct_fits_limits(self) -> ServingConfig:
        if self.batching.direct_min_messages > self.limits.max_messages + 1:
            raise ValueError("batching.direct_min_messages must be <= limits.max_messages + 1")
        if self.reload.converge_timeout_s >= self.timeout_s:
            raise ValueError("reload.converge_timeout_s must be < timeout_s (the reload answer waits that long)")
        if self.overload.max_deadline_ms > self.timeout_s * 1000:
            raise ValueError("overload.max_deadline_ms must be <= timeout_s * 1000 (BentoML cuts the request off then)")
        if self.front.max_in_flight > self.workers * self.overload.max_in_flight:
            raise ValueError("front.max_in_flight must be <= workers * overload.max_in_flight (the workers would refuse what the front admits)")
        return self


@lru_cache(maxsize=1)
def load_serving_config() -> ServingConfig:
    """The service's config: ``$YUNMAO_SERVING_CONFIG`` or the shipped ``configs/serving.yaml``.

    Cached because the request schemas and the service class are built from it once per process.
    """
    path = os.environ.get(SERVING_CONFIG_ENV) or default_config_path("serving")
    return load_config(path, ServingConfig)
