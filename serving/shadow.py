"""Shadow challengers: a sampled share of live traffic scored again by the challenger, off the request's path.

The champion answers as always. Once it has, :meth:`Shadows.offer` samples ``share`` of the
scored records and hands them, with the champion's verdicts, to the worker's shadow process
over a bounded pipe without waiting (``serving/shadow_pipe``: pickled and written by the request
thread itself, no feeder thread; a full pipe drops them and counts it). That process
(``serving/shadow_process``), one per worker and endpoint, runs at a lower priority: it scores
them with the challenger, records each pair in the metrics (``serving/shadow_metrics``) and the
bounded pair table (``serving/shadow_store``). Nothing the challenger does — slow, raising,
missing, crashed — reaches the request: the request path only draws random numbers and writes
a sample to a pipe, and the challenger no longer shares the worker's interpreter lock.

The challenger's name lives in a :class:`ShadowSlot` in the worker, reloaded with the champions
(``/v1/admin/reload``, the reload board, the alias poller); the slot only resolves the alias, the
shadow process loads the version each job names. Unlike a champion's slot, a failed reload
disables it: when the alias is deleted the evidence must stop, not go on accruing to the old
version. It is enabled again by the first reload that resolves what the alias names.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence

from configs.serving import ShadowConfig, ShadowModelConfig
from serving.logs import log_event
from serving.model_source import ResolvedModel
from serving.reload import LoadedModel, ModelSlot, ReloadOutcome
from serving.scoring import Record, Verdict
from serving.shadow_metrics import DROP_QUEUE_FULL, record_dropped, record_enabled, record_sampled
from serving.shadow_pipe import frame_pipe
from serving.shadow_process import (
    Challenger,
    Finished,
    InFlight,
    Preload,
    ServedChallenger,
    ShadowJob,
    ShadowProcessArgs,
    run_shadow_process,
)
from serving.shadow_store import Kind, open_shadow_store, shadow_key

# spawn, not fork: a worker has threads (event loop, batcher, syncs), and a fork copies their
# locks in whatever state they are in; a fresh interpreter imports its own.
_CONTEXT = multiprocessing.get_context("spawn")
STOP_KILL_S = 2  # after a stop's timeout, how long a terminated shadow process gets before SIGKILL


def new_in_flight(config: ShadowConfig) -> InFlight | None:
    """With ``shadow.idle_gate``: a count of requests in flight that shadow processes started by
    this worker can read (no lock: one writer, the worker's event loop; readers only compare it
    with 0). None without the gate: nothing reads it, so the worker need not write it per request."""
    return _CONTEXT.RawValue("i", 0) if config.idle_gate else None


def named_only(resolved: ResolvedModel) -> LoadedModel:
    """The resolved version's name, not the model: the shadow process loads that (a copy in the
    worker too would double its memory for nothing)."""
    return LoadedModel(resolved.name, resolved.version, model=None, cache=None)  # type: ignore[arg-type]


class ShadowSlot(ModelSlot):
    """A challenger's slot: enabled only while its last reload resolved what the alias names."""

    def __init__(self, kind: Kind, uri: str, loader: Callable[[ResolvedModel], LoadedModel] = named_only) -> None:
        super().__init__(uri, loader)
        self.kind = kind
        self.enabled = False
        self.on_reloaded: Callable[[], None] | None = None  # after each successful reload (ShadowScorer sets it)
        record_enabled(kind, False)

    def reload(self) -> ReloadOutcome:
        """As :meth:`ModelSlot.reload`; a failure also disables the shadow (logged once) and re-raises."""
        try:
            outcome = super().reload()
        except Exception as exc:
            if self.enabled or self.version is None:
                log_event("shadow_disabled", kind=self.kind, uri=self.uri, error=type(exc).__name__)
            self.enabled = False
            record_enabled(self.kind, False)
            raise
        if not self.enabled:
            log_event("shadow_enabled", kind=self.kind, uri=self.uri, version=outcome.current)
        self.enabled = True
        record_enabled(self.kind, True)
        if self.on_reloaded is not None:
            self.on_reloaded()
        return outcome


class ShadowScorer:
    """One endpoint's challenger: the sampler on the request path and the shadow process behind it."""

    def __init__(self, slot: ShadowSlot, config: ShadowConfig, challenger: Challenger, key: bytes,
                 draw: Callable[[], float] = random.random, worker_in_flight: InFlight | None = None) -> None:
        self.slot = slot
        # the worker's requests in flight, read by the process's idle gate (Shadows shares one)
        self.worker_in_flight = worker_in_flight if worker_in_flight is not None else new_in_flight(config)
        self.config: ShadowModelConfig = getattr(config, slot.kind)
        self._nice = config.nice
        self._scheduler = config.scheduler
        self._pipe_bytes = config.pipe_bytes
        self._draw = draw
        # Kept for the process's life: Process.start drops its own reference to its arguments, and
        # the new process opens the locks and events in them after start returns.
        self._args = ShadowProcessArgs(slot.kind, challenger, config, key, os.getpid())
        self._queued_lock = threading.Lock()
        self._revive_lock = threading.Lock()
        self._prepare()
        slot.on_reloaded = self._reloaded  # whoever reloads it: admin route, reload board, alias poller

    def _prepare(self) -> None:
        """A new pipe and a new (not yet started) shadow process reading it."""
        self._jobs, self._receiver = frame_pipe(_CONTEXT, self.config.queue_size, self._pipe_bytes)
        self._finished = Finished(_CONTEXT)
        with self._queued_lock:
            self._queued = 0  # jobs sent on this pipe
        self.process = _CONTEXT.Process(target=run_shadow_process, args=(self._args, self._receiver, self._finished, self.worker_in_flight),
                                        name=f"yunmao-shadow-{self.kind}", daemon=True)

    @property
    def kind(self) -> Kind:
        return self.slot.kind

    def offer(self, champion: LoadedModel, records: Sequence[Record], verdicts: Sequence[Verdict]) -> None:
        """Sample the records the champion scored and send them; never blocks, never raises."""
        try:
            if not self.slot.enabled:
                return
            chosen = [i for i, verdict in enumerate(verdicts) if verdict.score is not None and self._draw() < self.config.share]
            if not chosen:
                return
            record_sampled(self.kind, len(chosen))
            challenger = self.slot.current
            job = ShadowJob((champion.name, champion.version), (challenger.name, challenger.version),
                            [dict(records[i]) for i in chosen], [(verdicts[i].score, verdicts[i].action) for i in chosen])
            if not self._jobs.send(job):
                record_dropped(self.kind, DROP_QUEUE_FULL, len(chosen))
                return
            with self._queued_lock:
                self._queued += 1
        except Exception as exc:  # noqa: BLE001 - the champion's answer must go out whatever sampling does
            log_event("shadow_offer_failed", kind=self.kind, error=type(exc).__name__)

    def preload(self) -> None:
        """Ask the shadow process to load the version the slot names now (dropped if the pipe is full:
        the waiting jobs name the version, and the process loads it on the first of them)."""
        if self.slot.enabled:
            self._jobs.send(Preload((self.slot.current.name, self.slot.current.version)))

    def start(self) -> None:
        """Start the shadow process below this worker's priority, imports included: ``shadow.nice``
        added to its nice value and, with ``shadow.scheduler: idle``, under SCHED_IDLE. It is started
        from a thread that lowers its own priority first (on Linux a nice value and a scheduling
        policy belong to a thread, and a new process inherits its creator's), so the worker keeps its own."""
        if sys.platform.startswith("linux"):
            starter = threading.Thread(target=self._start_lowered, name=f"yunmao-shadow-start-{self.kind}")
            starter.start()
            starter.join()
        else:  # os.nice would lower the whole worker here
            log_event("shadow_not_niced", kind=self.kind, reason="per-thread nice values are Linux-only", platform=sys.platform)
            self.process.start()
        self._receiver.close()  # the process has its own copy: with the worker's closed, a dead reader fails the write
        self.preload()

    def _start_lowered(self) -> None:
        os.nice(self._nice)
        if self._scheduler == "idle":
            try:
                os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
            except OSError as exc:  # a sandbox's seccomp filter, say: the nice value still holds
                log_event("shadow_not_idle", kind=self.kind, reason="SCHED_IDLE refused; nice only", error=exc.strerror)
        self.process.start()

    def _reloaded(self) -> None:
        """After every successful reload of the slot: the process preloads what it names, or, if
        it has died (killed for memory, crashed; its samples meanwhile dropped as ``queue_full``),
        a new one is started."""
        try:
            if self.process.is_alive():
                self.preload()
            else:
                self._revive()
        except Exception as exc:  # noqa: BLE001 - a reload must not fail on the shadow process (retried next reload)
            log_event("shadow_revive_failed", kind=self.kind, error=type(exc).__name__)

    def _revive(self) -> None:
        with self._revive_lock:
            if self.process.pid is None or self.process.is_alive():  # not started yet, or revived meanwhile
                return
            log_event("shadow_process_died", kind=self.kind, exitcode=self.process.exitcode)
            self._jobs.close()
            self._prepare()
            self.start()

    def stop(self, timeout_s: float = 5) -> None:
        """Close the pipe: the shadow process scores what was sent and leaves at its end; one that
        does not stop within ``timeout_s`` is terminated, then killed."""
        if self.process.pid is None:  # never started
            return
        self._jobs.close()
        self.process.join(timeout_s)
        if self.process.is_alive():
            log_event("shadow_process_terminated", kind=self.kind, pid=self.process.pid)
            self.process.terminate()
            self.process.join(STOP_KILL_S)
            if self.process.is_alive():
                self.process.kill()
                self.process.join()

    def wait_idle(self, timeout_s: float) -> bool:
        """True once every job sent has been scored (or dropped); False after ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        if not self._jobs.flush(timeout_s):  # a partly written frame's rest, which no request may send now
            return False
        with self._queued_lock:
            queued = self._queued
        return self._finished.wait_for(queued, max(0.0, deadline - time.monotonic()))


class Shadows:
    """A worker's shadow challengers by endpoint kind (only the enabled ones in the config)."""

    def __init__(self, scorers: Mapping[Kind, ShadowScorer], in_flight: InFlight | None = None) -> None:
        self.scorers = dict(scorers)
        self.in_flight = in_flight
        """The worker's requests in flight (its overload gate writes it; every shadow process's idle
        gate reads it); None when no shadow is enabled or ``shadow.idle_gate`` is off."""

    def slots(self) -> dict[str, ModelSlot]:
        """The challengers' slots, named for the reload board (``shadow_sms``, ``shadow_call``)."""
        return {f"shadow_{kind}": scorer.slot for kind, scorer in self.scorers.items()}

    def offer(self, kind: Kind, champion: LoadedModel, records: Sequence[Record], verdicts: Sequence[Verdict]) -> None:
        scorer = self.scorers.get(kind)
        if scorer is not None:
            scorer.offer(champion, records, verdicts)

    def reload(self) -> None:
        """Reload every challenger; a failure disables that shadow (logged by the slot), never raises."""
        for scorer in self.scorers.values():
            try:
                scorer.slot.reload()
            except Exception:  # noqa: BLE001, S110 - ShadowSlot.reload logged it and disabled the shadow
                pass

    def start(self) -> None:
        for scorer in self.scorers.values():
            scorer.start()

    def stop(self) -> None:
        for scorer in self.scorers.values():
            scorer.stop()


def open_shadows(config: ShadowConfig, unknown_caller_action: str = "allow") -> Shadows:
    """The enabled challengers of ``config`` (not loaded yet: call :meth:`Shadows.reload`, then
    :meth:`Shadows.start` to start their processes).

    Raises:
        ConfigError: a shadow is enabled and no HMAC key is set.
    """
    kinds: list[Kind] = [kind for kind in ("sms", "call") if getattr(config, kind).enabled]
    if not kinds:
        return Shadows({})
    key = shadow_key(config)
    open_shadow_store(config)  # the table exists (or the path is unusable) before any process starts
    in_flight = new_in_flight(config)
    return Shadows({
        kind: ShadowScorer(ShadowSlot(kind, getattr(config, kind).model), config, ServedChallenger(kind, unknown_caller_action),
                           key, worker_in_flight=in_flight)
        for kind in kinds
    }, in_flight)
