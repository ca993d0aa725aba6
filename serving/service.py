"""yunmao's BentoML service: ``POST /v1/sms/score``, ``POST /v1/call/score``, ``POST /v1/feedback``,
admin reload and template confirmation (``serving/template_confirm``), health and metrics.

Start it with ``yunmao serve`` (``serving/server``): it gives the instance its own metrics
folder and the reload board that makes ``/v1/admin/reload`` reach every worker, and ties the
workers' lives to its own. ``bentoml serve serving.service:YunmaoService`` runs the same app
without those (a reload then reaches only the worker that takes it), and so does
``bentoml serve yunmao:TAG`` of a Bento built by ``yunmao build``. Each worker process loads the
models named by ``$YUNMAO_SMS_MODEL`` / ``$YUNMAO_CALL_MODEL``, the Bento's arguments
(:class:`BentoArgs`) or the serving config once, initialises jieba, and runs a warm-up
prediction per model before it reports ready.
Requests pass ASGI middlewares first: docs (``serving/openapi``), the body read deadline
(``serving/deadlines``), bearer auth, the hook's deadline header (``serving/overload``), body
validation (``serving/validation``), the scoring routes (``serving/scoring_routes``: answered
there, not by BentoML's route machinery) and the feedback route (``serving/feedback``). Scoring
requests the worker cannot score in time are answered by the overload policy
(``serving/overload``); no other route is shed.

The call model is optional: a deployment may run SMS interception before any call model is
registered. Without one, ``/v1/call/score`` answers 503 naming what is missing and the worker
tries again on every reload (``/v1/admin/reload`` or the poll); ``/readyz`` reports the SMS
model only, so a missing call model never takes SMS interception out of a load balancer.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from functools import partial

import bentoml
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.types import Scope

from configs import default_config_path, load_config
from configs.call import CallConfig
from configs.monitor import load_monitor_config
from configs.serving import ServingConfig, load_serving_config
from features.sms.tokenise import get_tokenizer
from serving.auth import BearerAuthMiddleware
from serving.batching import Batcher
from serving.call_scoring import decide_calls
from serving.deadlines import BodyDeadlineMiddleware, close_stalled_connections
from serving.decision_log import log_scored, worker_decision_log
from serving.errors import FailureMiddleware, unavailable
from serving.feedback import (
    FEEDBACK_PATH,
    FeedbackMiddleware,
    FeedbackRequest,
    FeedbackResponse,
    feedback_body,
    feedback_operation,
    feedback_store,
)
from serving.feedback_store import FeedbackRecord
from serving.heap import freeze_startup_heap
from serving.instance import current_instance_dir
from serving.live_health import LiveHealthRefresher
from serving.logs import elapsed_ms, log_event
from serving.model_source import use_registry
from serving.openapi import DocsMiddleware, Spec, service_spec
from serving.overload import Admission, OverloadMiddleware, Shed, deadline_parameter, install_gate, policy_answer
from serving.process import die_with_server
from serving.profile_store import open_profile_store
from serving.reload import AliasPoller, LoadedModel, ModelSlot, load_for_serving
from serving.reload_sync import WorkerState, open_worker_sync
from serving.reputation import open_reputation
from serving.schemas import CallEvent, CallScoreRequest, ScoreResponse, SmsMessage, SmsScoreRequest
from serving.scoring import Record, Verdict, build_response
from serving.scoring_routes import ScoringAnswer, ScoringMiddleware, install_scoring
from serving.shadow import open_shadows
from serving.shutdown import Drain
from serving.sms_scoring import decide_sms
from serving.start_watch import record_start_failure, record_started
from serving.store_errors import NotDurable
from serving.template_confirm import (
    TEMPLATES_ROUTE,
    ConfirmedTemplate,
    TemplateConfirmRequest,
    TemplateConfirmResponse,
    confirm_response,
)
from serving.template_store import DURABLE as TEMPLATE_STORE_DURABILITY
from serving.validation import NO_BODY, JsonBody, RequestValidationMiddleware, validated_body, validated_input

MODEL_ENV = {"sms": "YUNMAO_SMS_MODEL", "call": "YUNMAO_CALL_MODEL"}
SMS_ROUTE = "/v1/sms/score"
CALL_ROUTE = "/v1/call/score"
RELOAD_ROUTE = "/v1/admin/reload"
ROUTE_KIND = {SMS_ROUTE: "sms", CALL_ROUTE: "call"}  # which shadow challenger a route's answers are offered to

_CONFIG = load_serving_config()

Scored = list[tuple[LoadedModel, Verdict]]
NOT_OVER_HTTP: Scope = {}  # a direct call of the class (tests): no deadline, no admission marks


class BentoArgs(BaseModel):
    """What a Bento built by ``yunmao build`` records about its models (BentoML's template
    arguments, ``bentoml.use_arguments``): ``bento:TAG`` of a model packed into it, or the registry
    URI it resolves at start. Absent outside a Bento (``yunmao serve``, tests)."""

    sms_model: str | None = None
    call_model: str | None = None


_BENTO_ARGS = bentoml.use_arguments(BentoArgs)


def bentoml_tracing(config: ServingConfig) -> dict[str, list[str]]:
    """BentoML's ``tracing`` settings: unless ``trace_scoring``, the scoring routes are left out of
    the OpenTelemetry middleware BentoML puts around every route (a span, its attributes and
    BentoML's ``X-BentoML-Request-ID`` header per request; the URL patterns are regular
    expressions searched in the request's URL, hence the ``$``). Other routes stay traced."""
    return {} if config.trace_scoring else {"excluded_urls": [f"{route}$" for route in ROUTE_KIND]}


def serving_model_uri(config: ServingConfig, kind: str) -> str:
    """The ``kind`` model to serve: ``$YUNMAO_SMS_MODEL`` / ``$YUNMAO_CALL_MODEL`` when set, else
    the Bento's (:class:`BentoArgs`), else the config's ``sms_model_uri`` / ``call_model_uri``."""
    return os.environ.get(MODEL_ENV[kind]) or getattr(_BENTO_ARGS, f"{kind}_model") or getattr(config, f"{kind}_model_uri")


class SlotReload(BaseModel):
    version: str | None = Field(..., description="Version now serving; null when none is loaded.", examples=["4"])
    previous: str | None = Field(None, examples=["3"])
    swapped: bool = Field(..., description="False when the alias still names the live version.")
    problem: str | None = Field(None, description="Why the load failed (the live version, if any, keeps serving).")


class ReloadResponse(BaseModel):
    sms: SlotReload = Field(..., description="What the worker that took this request did.")
    call: SlotReload
    converged: bool = Field(
        ..., description="True once every worker serves these versions; false if reload.converge_timeout_s passed first."
    )
    workers: list[WorkerState] = Field(..., description="Each worker process and the versions it serves.")


def _reload_call(slot: ModelSlot) -> SlotReload:
    """Reload the optional call model; a failure is reported, never raised (SMS must not fail)."""
    previous = slot.version
    try:
        outcome = slot.reload()
    except Exception as exc:  # noqa: BLE001 - no model registered, bad alias, load error: all reported
        log_event("model_reload_failed", uri=slot.uri, error=type(exc).__name__)
        return SlotReload(version=previous, previous=previous, swapped=False, problem=f"{type(exc).__name__}: {exc}")
    return SlotReload(version=outcome.current, previous=outcome.previous, swapped=outcome.swapped)


@bentoml.service(
    name="yunmao",
    workers=_CONFIG.workers,
    traffic={"timeout": _CONFIG.timeout_s},
    logging={"access": {"enabled": _CONFIG.access_log}},
    tracing=bentoml_tracing(_CONFIG),
)
class YunmaoService:
    """Real-time scam interception: one model per endpoint, hot-swappable, batched."""

    def __init__(self) -> None:
        """Start, or leave the cause for ``yunmao serve`` to count (``serving/start_watch``)."""
        try:
            self._start()
        except Exception as exc:
            record_start_failure(current_instance_dir(), exc)
            raise
        record_started(current_instance_dir())

    def _start(self) -> None:
        die_with_server()
        self.config = load_serving_config()
        use_registry(self.config.registry_uri)
        self._drain = Drain(self.config.shutdown.drain_s)
        self._drain.install()
        close_stalled_connections(self.config.read_timeouts.headers_s)
        get_tokenizer()  # jieba's dictionary + user dictionary, once per worker
        self.sms = ModelSlot(
            serving_model_uri(self.config, "sms"),
            partial(load_for_serving, kind="sms", cache_entries=self.config.cache.max_entries),
        )
        self.call = ModelSlot(serving_model_uri(self.config, "call"), partial(load_for_serving, kind="call", cache_entries=0))
        # Challengers scored off the request path, each in a low-priority process of its own
        # (serving/shadow); their names are reloaded here with the champions.
        self._shadows = open_shadows(self.config.shadow, self.config.unknown_caller_action)
        sync = self.config.reload
        self._sync = open_worker_sync(  # before the first load: see WorkerSync
            current_instance_dir(), {"sms": self.sms, "call": self.call, **self._shadows.slots()},
            sync.sync_interval_s, sync.converge_timeout_s,
        )
        self.sms.reload()
        _reload_call(self.call)
        self._shadows.reload()
        self._sync.start()
        self.profiles = open_profile_store(load_config(default_config_path("call"), CallConfig).profile_store)
        self.reputation = open_reputation()
        if self.reputation is not None:
            self.reputation.start()
        batching = self.config.batching
        self._sms_batcher: Batcher[Record, tuple[LoadedModel, Verdict]] = Batcher(
            partial(self._decide_sms, self.sms), batching.max_batch_size, batching.max_latency_ms
        )
        self._call_batcher: Batcher[Record, tuple[LoadedModel, Verdict]] = Batcher(
            partial(self._decide_calls, self.call), batching.max_batch_size, batching.max_latency_ms
        )
        self.decision_log = worker_decision_log()
        self._health = None
        if self.decision_log is not None:
            self.decision_log.start()
            self._health = LiveHealthRefresher(self.decision_log, feedback_store, self._serving, load_monitor_config().live)
            self._health.start()
        self._admission: Admission[tuple[LoadedModel, list[Verdict]]] = Admission(self.config.overload, self._shadows.in_flight)
        install_gate(self._admission)
        install_scoring(self._answer)
        poll_s = self.config.reload.poll_interval_s
        self._poller = AliasPoller([self.sms, self.call, *self._shadows.slots().values()], poll_s) if poll_s else None
        if self._poller is not None:
            self._poller.start()
        self._shadows.start()
        freeze_startup_heap(self.config.gc_freeze)  # last: everything loaded at startup is in it

    def __is_ready__(self) -> bool:
        """Ready once the SMS model is loaded and warmed up (``__init__`` does both before
        serving), until a SIGTERM starts the drain (``serving/shutdown``). The optional call
        model does not count: see the module docstring."""
        return self.sms.is_loaded and not self._drain.draining

    @bentoml.on_shutdown
    def _stop_poller(self) -> None:
        self._sync.stop()
        self._shadows.stop()
        if self.reputation is not None:
            self.reputation.stop()
        if self._poller is not None:
            self._poller.stop()
        if self._health is not None:
            self._health.stop()
        if self.decision_log is not None:
            self.decision_log.stop()

    def _serving(self) -> list[LoadedModel]:
        """The model versions this worker serves now (for the live-health gauges)."""
        return [slot.current for slot in (self.sms, self.call) if slot.is_loaded]

    def _decide_sms(self, slot: ModelSlot, records: list[Record]) -> Scored:
        """Score one batch on one model version (read once), tagging each decision with it;
        template reputation (``serving/reputation``) raises decisions of confirmed templates."""
        loaded = slot.current
        return [(loaded, verdict) for verdict in decide_sms(loaded, records, self.config.explain, self.reputation)]

    def _decide_calls(self, slot: ModelSlot, records: list[Record]) -> Scored:
        """Like :meth:`_decide_sms`, on the callers' profiles from the profile store."""
        loaded = slot.current
        verdicts = decide_calls(loaded, records, self.profiles, self.config.explain, self.config.unknown_caller_action)
        return [(loaded, verdict) for verdict in verdicts]

    async def _score(
        self,
        route: str,
        slot: ModelSlot,
        decide_batch: Callable[[list[Record]], Scored],
        batcher: Batcher[Record, tuple[LoadedModel, Verdict]],
        records: list[Record],
        ids: Sequence[str],
        scope: Scope,
        subject_field: str,
    ) -> ScoringAnswer:
        """Scored through the worker's :class:`~serving.overload.Admission`, or the overload
        policy's answer when it sheds the request; scored decisions go to the decision log, with
        each record's ``subject_field`` (sender, caller) as keyed HMAC. ``scope`` carries the
        deadline and the fail-open shed mark of :class:`~serving.overload.OverloadMiddleware`
        (:data:`NOT_OVER_HTTP`: neither)."""
        outcome = await self._admission.score_request(route, partial(self._scored, decide_batch, batcher, records), scope)
        if isinstance(outcome, Shed):
            return policy_answer(self.config.overload, slot.current, ids, outcome)
        loaded, verdicts = outcome
        self._shadows.offer(ROUTE_KIND[route], loaded, records, verdicts)  # never blocks, never raises
        response = build_response(loaded, ids, verdicts)
        log_scored(self.decision_log, loaded, response.results, verdicts, [r.get(subject_field) for r in records])
        return response

    async def _scored(
        self,
        decide_batch: Callable[[list[Record]], Scored],
        batcher: Batcher[Record, tuple[LoadedModel, Verdict]],
        records: list[Record],
    ) -> tuple[LoadedModel, list[Verdict]]:
        """Small requests through ``batcher``, large ones directly; all on one model version."""
        if len(records) >= self.config.batching.direct_min_messages:
            scored = await run_in_threadpool(decide_batch, records)
        else:
            scored = await batcher(records)
        loaded = scored[0][0]
        if any(other is not loaded for other, _ in scored):  # a reload split this request: rescore it whole
            scored = await run_in_threadpool(decide_batch, records)
            loaded = scored[0][0]
        return loaded, [verdict for _, verdict in scored]

    async def _answer(self, route: str, scope: Scope) -> ScoringAnswer:
        """A scoring POST over HTTP (``serving/scoring_routes``), its body validated once by
        :class:`~serving.validation.RequestValidationMiddleware`."""
        if route == SMS_ROUTE:
            return await self._answer_sms(validated_body(scope, SmsScoreRequest).messages, scope)
        return await self._answer_calls(validated_body(scope, CallScoreRequest).calls, scope)

    async def _answer_sms(self, messages: list[SmsMessage], scope: Scope) -> ScoringAnswer:
        start = time.perf_counter()
        records: list[Record] = [message.model_dump() for message in messages]
        response = await self._score(
            SMS_ROUTE, self.sms, partial(self._decide_sms, self.sms), self._sms_batcher, records,
            [m.id for m in messages], scope, "sender",
        )
        if isinstance(response, ScoreResponse):
            self._log_scored("sms_scored", response, start, messages=len(records))
        return response

    async def _answer_calls(self, calls: list[CallEvent], scope: Scope) -> ScoringAnswer:
        if not self.call.is_loaded:
            return unavailable(
                f"no call model loaded ({self.call.uri}): train one (yunmao train call), promote it to "
                "champion, then POST /v1/admin/reload"
            )
        start = time.perf_counter()
        records: list[Record] = [call.model_dump() for call in calls]
        response = await self._score(
            CALL_ROUTE, self.call, partial(self._decide_calls, self.call), self._call_batcher, records,
            [c.id for c in calls], scope, "caller",
        )
        if isinstance(response, ScoreResponse):
            unknown = sum(r.score is None for r in response.results)
            self._log_scored("calls_scored", response, start, calls=len(records), unknown_callers=unknown)
        return response

    # The two scoring routes stay declared here for their OpenAPI entries, BentoML's answers to
    # other methods, and direct calls of the class; over HTTP their POSTs are answered by
    # ``serving/scoring_routes`` (:meth:`_answer`) and never reach these.
    @bentoml.api(route=SMS_ROUTE, input_spec=validated_input(SmsScoreRequest))
    async def score_sms(self, messages: list[SmsMessage]) -> ScoreResponse:
        """Score 1 to ``limits.max_messages`` SMS; results come back in request order."""
        return await self._answer_sms(messages, NOT_OVER_HTTP)  # type: ignore[return-value]  # a Response: 503

    @bentoml.api(route=CALL_ROUTE, input_spec=validated_input(CallScoreRequest))
    async def score_call(self, calls: list[CallEvent]) -> ScoreResponse:
        """Score 1 to ``limits.max_calls`` calls by their callers' profiles, in request order;
        a caller without a profile gets reason ``insufficient_history`` and a null score."""
        return await self._answer_calls(calls, NOT_OVER_HTTP)  # type: ignore[return-value]  # a Response: 503

    @staticmethod
    def _log_scored(event: str, response: ScoreResponse, start: float, **counts: int) -> None:
        """One structured line per request: counts, model version and latency, never content."""
        log_event(
            event,
            **counts,
            blocked=sum(r.action == "block" for r in response.results),
            warned=sum(r.action == "warn" for r in response.results),
            model=response.model.name,
            version=response.model.version,
            latency_ms=elapsed_ms(start),
        )

    @bentoml.api(route=RELOAD_ROUTE)
    def reload(self) -> ReloadResponse:
        """Load the versions the aliases name now and swap them in; in-flight requests finish
        first. A failed SMS load fails the request; a failed call load is reported in ``call``.

        The other workers follow (``serving/reload_sync``); the answer comes once all serve these
        versions, or after ``reload.converge_timeout_s`` with ``converged: false``."""
        outcome = self.sms.reload()
        sms = SlotReload(version=outcome.current, previous=outcome.previous, swapped=outcome.swapped)
        call = _reload_call(self.call)
        self._shadows.reload()
        workers, converged = self._sync.announce()
        return ReloadResponse(sms=sms, call=call, converged=converged, workers=workers)

    @bentoml.api(route=TEMPLATES_ROUTE, input_spec=validated_input(TemplateConfirmRequest))
    def confirm_template(self, text: str, label: int, fraud_type: str | None = None) -> TemplateConfirmResponse:
        """An analyst confirms ``text``'s template as fraud (``label`` 1: matching messages get
        at least ``reputation.analyst_floor``, block by default, and the template as a reason)
        or clears it (0: no floor, never confirmed automatically). Every worker applies it
        within ``reputation.sync_interval_s``; cached decisions of the template change at once."""
        if self.reputation is None:
            return unavailable("template reputation is off (reputation.enabled in configs/campaigns.yaml)")  # type: ignore[return-value]
        try:
            entries, created = self.reputation.confirm(text, label, fraud_type)
        except NotDurable:  # retrying cannot help: the store's server must be reconfigured
            log_event("template_confirm_failed", error="NotDurable")
            return unavailable(f"template store could lose confirmations in a crash: run its redis-server with "  # type: ignore[return-value]
                               f"{TEMPLATE_STORE_DURABILITY.advice()} (or set reputation.verify_durability: false)")
        except Exception as exc:  # noqa: BLE001 - locked, full or unreachable store: the analyst retries
            log_event("template_confirm_failed", error=type(exc).__name__)
            return unavailable("template store unavailable; retry")  # type: ignore[return-value]
        return confirm_response(entries, created)


def _openapi() -> Spec:
    """BentoML's OpenAPI document corrected to what clients meet (see ``serving/openapi``)."""
    client_errors = [400, 401, 404, 405, 413, 415, 422]  # 404, 405: serving/validation, on every route it checks
    deadline = deadline_parameter(_CONFIG.overload)
    return service_spec(
        YunmaoService.openapi_spec.asdict(),
        description=(__doc__ or "").split("\n\n")[0],
        body_routes={
            SMS_ROUTE: [*client_errors, 503],
            CALL_ROUTE: [*client_errors, 503],
            FEEDBACK_PATH: [*client_errors, 503],
            RELOAD_ROUTE: [400, 401, 403, 404, 405],
            TEMPLATES_ROUTE: [*client_errors, 403, 503],
        },
        extra_operations={FEEDBACK_PATH: feedback_operation()},
        extra_models=(FeedbackRecord, FeedbackRequest, FeedbackResponse, ConfirmedTemplate),
        no_body_routes=(RELOAD_ROUTE,),
        header_parameters={SMS_ROUTE: [deadline], CALL_ROUTE: [deadline]},
    )


# Outermost first: a failure in any of these is answered at once (not after BentoML's timeout);
# docs need no key; every route's body is read under the deadline;
# unauthenticated requests are refused before their body is read; the hook's deadline starts,
# and overload is refused, before the body is read; every body is validated before a route (or the scoring or
# feedback middleware) sees it.
YunmaoService.add_asgi_middleware(FailureMiddleware)
YunmaoService.add_asgi_middleware(DocsMiddleware, build_spec=_openapi)
YunmaoService.add_asgi_middleware(BodyDeadlineMiddleware, body_s=_CONFIG.read_timeouts.body_s)
YunmaoService.add_asgi_middleware(BearerAuthMiddleware, config=_CONFIG)
YunmaoService.add_asgi_middleware(OverloadMiddleware, routes=(SMS_ROUTE, CALL_ROUTE), config=_CONFIG.overload)
YunmaoService.add_asgi_middleware(
    RequestValidationMiddleware,
    routes={
        SMS_ROUTE: JsonBody(SmsScoreRequest),
        CALL_ROUTE: JsonBody(CallScoreRequest),
        FEEDBACK_PATH: feedback_body(),
        RELOAD_ROUTE: NO_BODY,
        TEMPLATES_ROUTE: JsonBody(TemplateConfirmRequest),
    },
    max_body_bytes=_CONFIG.limits.max_body_bytes,
)
YunmaoService.add_asgi_middleware(ScoringMiddleware, routes=(SMS_ROUTE, CALL_ROUTE))
YunmaoService.add_asgi_middleware(FeedbackMiddleware)
