"""Shadow challengers: a sampled share of live traffic scored again by the challenger, off the request's path.

The champion answers as always. Once it has, :meth:`Shadows.offer` samples ``share`` of the
scored records and puts them on the worker's bounded queue without waiting (a full queue drops
them and counts it); a daemon thread per endpoint collects queued records for up to
``shadow.max_wait_ms`` or ``shadow.max_batch`` records, scores them with the challenger through the endpoint's own decision path,
and records each pair in the metrics (``serving/shadow_metrics``) and the bounded pair table
(``serving/shadow_store``). Nothing the challenger does — slow, raising, missing — reaches the
request: the request path only draws random numbers and appends to a queue. The challenger shares the worker's
cores and interpreter lock with the champion, so it is scored in batches (one model call per
batch, without reasons) to keep what it takes from the champion small.

The challenger lives in a :class:`ShadowSlot`, reloaded with the champions (``/v1/admin/reload``,
the reload board, the alias poller). Unlike a champion's slot, a failed reload disables it: when
the alias is deleted the evidence must stop, not go on accruing to the old version. It is enabled
again by the first reload that loads what the alias names.
"""

from __future__ import annotations

import queue
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from configs.serving import ShadowConfig, ShadowModelConfig
from serving.logs import log_event
from serving.model_source import ResolvedModel
from serving.reload import LoadedModel, ModelSlot, ReloadOutcome, load_for_serving
from serving.scoring import Record, Verdict
from serving.shadow_metrics import (
    DROP_MODEL_FAILED,
    DROP_QUEUE_FULL,
    DROP_STORE_FAILED,
    record_dropped,
    record_enabled,
    record_pair,
    record_sampled,
)
from serving.shadow_store import Kind, ShadowPair, ShadowStore, now_iso, open_shadow_store, record_content, record_key, shadow_key

Scored = list[tuple[LoadedModel, Verdict]]
DecideBatch = Callable[[ModelSlot, list[Record]], Scored]


class ShadowSlot(ModelSlot):
    """A challenger's slot: enabled only while its last reload loaded what the alias names."""

    def __init__(self, kind: Kind, uri: str, loader: Callable[[ResolvedModel], LoadedModel] | None = None) -> None:
        super().__init__(uri, loader or partial(load_for_serving, kind=kind, cache_entries=0))
        self.kind = kind
        self.enabled = False
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
        return outcome


@dataclass(frozen=True)
class _Job:
    """Sampled records of one request and the champion's verdicts on them."""

    champion: LoadedModel
    records: list[Record]
    verdicts: list[Verdict]


_STOP = object()


class ShadowScorer:
    """One endpoint's challenger: the sampler on the request path and the worker thread behind it."""

    def __init__(self, slot: ShadowSlot, config: ShadowModelConfig, decide_batch: DecideBatch, store: ShadowStore,
                 key: bytes, max_batch: int, max_wait_s: float, draw: Callable[[], float] = random.random) -> None:
        self.slot = slot
        self.config = config
        self._decide_batch = decide_batch
        self._store = store
        self._key = key
        self._max_batch = max_batch
        self._max_wait_s = max_wait_s
        self._draw = draw
        self._queue: queue.Queue[object] = queue.Queue(config.queue_size)
        self._pending = 0  # jobs queued and not yet finished
        self._idle = threading.Condition()
        self._thread = threading.Thread(target=self._run, name=f"yunmao-shadow-{slot.kind}", daemon=True)

    @property
    def kind(self) -> Kind:
        return self.slot.kind

    def offer(self, champion: LoadedModel, records: Sequence[Record], verdicts: Sequence[Verdict]) -> None:
        """Sample the records the champion scored and queue them; never blocks, never raises."""
        try:
            if not self.slot.enabled:
                return
            chosen = [i for i, verdict in enumerate(verdicts) if verdict.score is not None and self._draw() < self.config.share]
            if not chosen:
                return
            record_sampled(self.kind, len(chosen))
            job = _Job(champion, [records[i] for i in chosen], [verdicts[i] for i in chosen])
            with self._idle:
                self._pending += 1
            try:
                self._queue.put_nowait(job)
            except queue.Full:
                self._finished(1)
                record_dropped(self.kind, DROP_QUEUE_FULL, len(chosen))
        except Exception as exc:  # noqa: BLE001 - the champion's answer must go out whatever sampling does
            log_event("shadow_offer_failed", kind=self.kind, error=type(exc).__name__)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = 5) -> None:
        """Stop the thread after the batch in hand; queued records are abandoned."""
        while True:
            try:
                self._queue.put_nowait(_STOP)
                break
            except queue.Full:
                try:
                    self._queue.get_nowait()
                except queue.Empty:
                    pass
        self._thread.join(timeout_s)

    def wait_idle(self, timeout_s: float) -> bool:
        """True once every queued record has been scored (or dropped); False after ``timeout_s``."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout_s)

    def _finished(self, jobs: int) -> None:
        with self._idle:
            self._pending -= jobs
            self._idle.notify_all()

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is _STOP:
                return
            jobs = [job]
            size = len(job.records)  # type: ignore[attr-defined]
            deadline = time.monotonic() + self._max_wait_s
            stopping = False
            while size < self._max_batch and not stopping:
                try:
                    more = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                stopping = more is _STOP
                if not stopping:
                    jobs.append(more)
                    size += len(more.records)  # type: ignore[attr-defined]
            try:
                self._score(jobs)  # type: ignore[arg-type]
            finally:
                self._finished(len(jobs))
            if stopping:
                return

    def _score(self, jobs: list[_Job]) -> None:
        """Score the jobs' records in one challenger call; count and store each pair."""
        records = [record for job in jobs for record in job.records]
        try:
            scored = self._decide_batch(self.slot, records)
        except Exception as exc:  # noqa: BLE001 - a failing challenger loses its sample, nothing else
            log_event("shadow_failed", kind=self.kind, records=len(records), error=type(exc).__name__)
            record_dropped(self.kind, DROP_MODEL_FAILED, len(records))
            return
        champions = [(job.champion, verdict) for job in jobs for verdict in job.verdicts]
        scored_at = now_iso()
        pairs = []
        for record, (champion, mine), (challenger, theirs) in zip(records, champions, scored, strict=True):
            record_pair(self.kind, (mine.score, mine.action), (theirs.score, theirs.action))
            pairs.append(ShadowPair(
                kind=self.kind,
                record_key=record_key(self._key, self.kind, record_content(self.kind, record)),
                champion_model=champion.name, champion_version=champion.version,
                champion_score=mine.score, champion_action=mine.action,
                challenger_model=challenger.name, challenger_version=challenger.version,
                challenger_score=theirs.score, challenger_action=theirs.action,
                text=str(record["text"]) if self.config.keep_text else None,
                scored_at=scored_at,
            ))
        try:
            self._store.append(pairs)
        except Exception as exc:  # noqa: BLE001 - locked past the timeout, disk full: counted, not raised
            log_event("shadow_store_failed", kind=self.kind, records=len(pairs), error=type(exc).__name__)
            record_dropped(self.kind, DROP_STORE_FAILED, len(pairs))


class Shadows:
    """A worker's shadow challengers by endpoint kind (only the enabled ones in the config)."""

    def __init__(self, scorers: Mapping[Kind, ShadowScorer]) -> None:
        self.scorers = dict(scorers)

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


def open_shadows(config: ShadowConfig, decide_batch: Mapping[Kind, DecideBatch]) -> Shadows:
    """The enabled challengers of ``config`` (not loaded yet: call :meth:`Shadows.reload`).

    Raises:
        ConfigError: a shadow is enabled and no HMAC key is set.
    """
    kinds: list[Kind] = [kind for kind in ("sms", "call") if getattr(config, kind).enabled]
    if not kinds:
        return Shadows({})
    key = shadow_key(config)
    store = open_shadow_store(config)
    return Shadows({
        kind: ShadowScorer(ShadowSlot(kind, getattr(config, kind).model), getattr(config, kind), decide_batch[kind],
                           store, key, config.max_batch, config.max_wait_ms / 1000)
        for kind in kinds
    })
