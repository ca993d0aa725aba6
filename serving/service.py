"""yunmao's BentoML service: ``POST /v1/sms/score``, admin reload, health and metrics.

Start it with ``yunmao serve`` (or ``bentoml serve serving.service:YunmaoService``). Each worker
process loads the model named by ``$YUNMAO_SMS_MODEL`` or ``sms_model_uri`` in the serving
config once, initialises jieba, and runs a warm-up prediction before it reports ready. Requests
pass two ASGI middlewares first: bearer auth, then body validation (see ``serving/validation``).
"""

from __future__ import annotations

import os
import time
from functools import partial
from typing import TYPE_CHECKING

import bentoml
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from configs.serving import ServingConfig, load_serving_config
from features.tokenise import get_tokenizer
from serving.auth import BearerAuthMiddleware
from serving.batching import Batcher
from serving.cache import message_key
from serving.logs import elapsed_ms, log_event
from serving.reload import AliasPoller, LoadedModel, ModelSlot, load_for_serving
from serving.schemas import ScoreResponse, SmsMessage, SmsScoreRequest
from serving.scoring import Record, build_response, decide
from serving.validation import RequestValidationMiddleware

if TYPE_CHECKING:
    from models.scam_model import Decision

SMS_MODEL_ENV = "YUNMAO_SMS_MODEL"
SMS_ROUTE = "/v1/sms/score"

_CONFIG = load_serving_config()


def sms_model_uri(config: ServingConfig) -> str:
    """The SMS model to serve: ``$YUNMAO_SMS_MODEL`` when set, else the config's URI."""
    return os.environ.get(SMS_MODEL_ENV) or config.sms_model_uri


class ReloadResponse(BaseModel):
    sms: str = Field(..., description="Version now serving /v1/sms/score.", examples=["4"])
    previous: str | None = Field(None, examples=["3"])
    swapped: bool = Field(..., description="False when the alias still names the live version.")


@bentoml.service(name="yunmao", workers=_CONFIG.workers, traffic={"timeout": _CONFIG.timeout_s})
class YunmaoService:
    """Real-time scam interception: one model per endpoint, hot-swappable, batched."""

    def __init__(self) -> None:
        self.config = load_serving_config()
        get_tokenizer()  # jieba's dictionary + user dictionary, once per worker
        self.sms = ModelSlot(
            sms_model_uri(self.config),
            partial(load_for_serving, kind="sms", cache_entries=self.config.cache.max_entries),
        )
        self.sms.reload()
        batching = self.config.batching
        self._sms_batcher: Batcher[Record, tuple[LoadedModel, Decision]] = Batcher(
            partial(self._decide_sms, self.sms), batching.max_batch_size, batching.max_latency_ms
        )
        self._poller = AliasPoller(self.sms, self.config.reload.poll_interval_s) if self.config.reload.poll_interval_s else None
        if self._poller is not None:
            self._poller.start()

    def __is_ready__(self) -> bool:
        """Ready once a model is loaded and warmed up (``__init__`` does both before serving)."""
        return self.sms.is_loaded

    @bentoml.on_shutdown
    def _stop_poller(self) -> None:
        if self._poller is not None:
            self._poller.stop()

    def _decide_sms(self, slot: ModelSlot, records: list[Record]) -> list[tuple[LoadedModel, Decision]]:
        """Score one batch on one model version (read once), tagging each decision with it."""
        loaded = slot.current
        decisions = decide(loaded, records, self.config.explain, key=message_key)
        return [(loaded, decision) for decision in decisions]

    @bentoml.api(route=SMS_ROUTE, input_spec=SmsScoreRequest)
    async def score_sms(self, messages: list[SmsMessage]) -> ScoreResponse:
        """Score 1 to ``limits.max_messages`` SMS; results come back in request order."""
        start = time.perf_counter()
        records: list[Record] = [message.model_dump() for message in messages]
        if len(records) >= self.config.batching.direct_min_messages:
            scored = await run_in_threadpool(self._decide_sms, self.sms, records)
        else:
            scored = await self._sms_batcher(records)
        loaded = scored[0][0]
        if any(other is not loaded for other, _ in scored):  # a reload split this request: rescore it whole
            scored = await run_in_threadpool(self._decide_sms, self.sms, records)
            loaded = scored[0][0]
        response = build_response(loaded, [m.id for m in messages], [decision for _, decision in scored])
        log_event(
            "sms_scored",
            messages=len(records),
            blocked=sum(r.action == "block" for r in response.results),
            warned=sum(r.action == "warn" for r in response.results),
            model=loaded.name,
            version=loaded.version,
            latency_ms=elapsed_ms(start),
        )
        return response

    @bentoml.api(route="/v1/admin/reload")
    def reload(self) -> ReloadResponse:
        """Load the version the alias names now and swap it in; in-flight requests finish first."""
        outcome = self.sms.reload()
        return ReloadResponse(sms=outcome.current, previous=outcome.previous, swapped=outcome.swapped)


# Outermost first: unauthenticated requests are refused before their body is even read.
YunmaoService.add_asgi_middleware(BearerAuthMiddleware, config=_CONFIG)
YunmaoService.add_asgi_middleware(
    RequestValidationMiddleware, routes={SMS_ROUTE: SmsScoreRequest}, max_body_bytes=_CONFIG.limits.max_body_bytes
)
