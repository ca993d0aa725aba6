"""The shadow challenger's own process: what it receives, how it scores, and what it writes.

A challenger scored on a thread of the worker shares the worker's interpreter lock and memory
with the champion: a champion request that arrives during a batch of shadow featurisation waits
for the thread to yield (Python's switch interval is 5 ms), and a challenger that crashes or
grows takes the worker with it. So each worker starts one process per challenger
(``serving/shadow``) and hands it sampled records over a bounded pipe (``serving/shadow_pipe``);
the process starts at a
lower priority (``shadow.nice``, and Linux SCHED_IDLE with ``shadow.scheduler: idle``), so the
kernel's scheduler, not the interpreter lock, keeps it out of the champion's way: it scores on
cores the champion leaves idle. With ``shadow.idle_gate`` it also holds each batch until its
worker has no request in flight. (Measured at share 0.1,
the thread's share of the lock was below what py-spy resolves; what the benchmark shows and does
not settle is in docs/benchmarks.md, shadow section.)

The process loads the challenger version each job names (the worker's :class:`ShadowSlot`
resolves the alias, this process unpickles the model), scores batches of up to
``shadow.max_batch`` records (or what arrived within ``shadow.max_wait_ms``) through the
endpoint's own decision path without reasons (:class:`ServedChallenger`), and writes what the
worker used to: the pair metrics (Prometheus multiprocess files, merged with the workers') and
the pair table (:class:`~serving.shadow_store.ShadowStore`, one connection held for the process's
life: reopening the SQLite file per batch cost an open, WAL setup and a checkpoint with the WAL
file's unlink each time). It dies with its worker (``PR_SET_PDEATHSIG``) and never outlives a stop
(:meth:`serving.shadow.ShadowScorer.stop`, which closes the pipe).
"""

from __future__ import annotations

import itertools
import queue
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from multiprocessing.context import SpawnContext
from typing import TYPE_CHECKING, Protocol

from configs.serving import ShadowConfig
from serving.logs import log_event
from serving.process import die_with
from serving.shadow_metrics import DROP_MODEL_FAILED, DROP_STORE_FAILED, record_dropped, record_pair
from serving.shadow_pipe import FrameReceiver
from serving.shadow_store import Kind, ShadowPair, now_iso, open_shadow_store, record_content, record_key

if TYPE_CHECKING:  # the models' stack is imported where a challenger is loaded, not to start the process
    from serving.reload import LoadedModel
    from serving.scoring import Record, Verdict

ModelName = tuple[str, str]  # (registered name, version)
DecideBatch = Callable[["LoadedModel", list["Record"]], list["Verdict"]]


@dataclass(frozen=True)
class ShadowJob:
    """Sampled records of one request, the champion's (score, action) on each, and the
    challenger version the worker's slot named when it sampled them."""

    champion: ModelName
    challenger: ModelName
    records: list[Record]
    verdicts: list[tuple[float | None, str]]


@dataclass(frozen=True)
class Preload:
    """Load this challenger version now (sent on every reload of an enabled slot): the first
    sampled records after a swap need not wait for the unpickling, and a failed load is retried."""

    challenger: ModelName


class Challenger(Protocol):
    """How the shadow process loads and runs a challenger; picklable (it travels to the process)."""

    def load(self, name: ModelName) -> LoadedModel: ...

    def open(self) -> DecideBatch:
        """Called once in the shadow process: open what deciding needs (stores, tokeniser)."""
        ...


@dataclass(frozen=True)
class ServedChallenger:
    """The endpoint's own decision path, as the service runs it, without reasons (nobody reads
    a challenger's) and without observing (``serving/sms_scoring``)."""

    kind: Kind
    unknown_caller_action: str = "allow"

    def load(self, name: ModelName) -> LoadedModel:
        from serving.model_source import resolve_model
        from serving.reload import load_for_serving

        return load_for_serving(resolve_model("models:/{}/{}".format(*name)), kind=self.kind, cache_entries=0)

    def open(self) -> DecideBatch:
        if self.kind == "sms":
            from features.sms.tokenise import get_tokenizer
            from serving.reputation import open_reputation
            from serving.sms_scoring import decide_sms

            get_tokenizer()
            reputation = open_reputation()
            if reputation is not None:
                reputation.start()  # follows analysts' confirmations; a daemon thread of this process
            return partial(_decide_sms, decide_sms, reputation)
        from configs import default_config_path, load_config
        from configs.call import CallConfig
        from serving.call_scoring import decide_calls
        from serving.profile_store import open_profile_store

        store = open_profile_store(load_config(default_config_path("call"), CallConfig).profile_store)
        return partial(_decide_calls, decide_calls, store, self.unknown_caller_action)


def _decide_sms(decide_sms, reputation, loaded: LoadedModel, records: list[Record]) -> list[Verdict]:  # noqa: ANN001
    return decide_sms(loaded, records, False, reputation, observe=False)


def _decide_calls(decide_calls, store, unknown_action: str, loaded: LoadedModel, records: list[Record]) -> list[Verdict]:  # noqa: ANN001
    return decide_calls(loaded, records, store, False, unknown_action)


def _cannot_decide(loaded: LoadedModel, records: list[Record]) -> list[Verdict]:
    raise RuntimeError("the challenger's decision path could not be opened (logged as shadow_open_failed)")


class Finished:
    """Jobs the shadow process has finished (scored, or dropped and counted), shared with the
    worker so tests and benchmarks can wait for the queue to drain. Only the process writes it;
    the request path never touches it."""

    def __init__(self, context: SpawnContext) -> None:
        self._count = context.Value("q", 0, lock=False)
        self._changed = context.Condition()

    def add(self, jobs: int) -> None:
        with self._changed:
            self._count.value += jobs
            self._changed.notify_all()

    def wait_for(self, jobs: int, timeout_s: float) -> bool:
        """True once at least ``jobs`` are finished; False after ``timeout_s``."""
        with self._changed:
            return self._changed.wait_for(lambda: self._count.value >= jobs, timeout_s)


@dataclass(frozen=True)
class ShadowProcessArgs:
    """Everything the shadow process is started with (pickled to it once)."""

    kind: Kind
    challenger: Challenger
    config: ShadowConfig
    key: bytes
    parent_pid: int


class InFlight(Protocol):
    """The worker's count of requests being scored (a ``multiprocessing`` shared int)."""

    value: int


def run_shadow_process(args: ShadowProcessArgs, jobs: FrameReceiver, finished: Finished,
                       worker_in_flight: InFlight | None) -> None:
    """The shadow process's main (started at its lower priority): score the jobs sent until the
    worker closes the pipe."""
    die_with(args.parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a terminal's Ctrl-C is the server's to handle
    _ShadowLoop(args, jobs, finished, worker_in_flight).run()


class _ShadowLoop:
    def __init__(self, args: ShadowProcessArgs, jobs: FrameReceiver, finished: Finished,
                 worker_in_flight: InFlight | None) -> None:
        self.kind = args.kind
        self.challenger = args.challenger
        self.keep_text = getattr(args.config, args.kind).keep_text
        self.max_batch = args.config.max_batch
        self.max_wait_s = args.config.max_wait_ms / 1000
        self.key = args.key
        self.idle_poll_s = args.config.idle_poll_ms / 1000
        self.worker_in_flight = worker_in_flight  # None without shadow.idle_gate
        self.jobs = jobs
        self.finished = finished
        self.store = open_shadow_store(args.config)
        try:
            self.decide = args.challenger.open()
        except Exception as exc:  # noqa: BLE001 - say why once; every sample is then dropped and counted
            log_event("shadow_open_failed", kind=self.kind, error=type(exc).__name__)
            self.decide = _cannot_decide
        self.loaded: LoadedModel | None = None
        self.failed: ModelName | None = None  # a version that failed to load: not retried until preloaded again

    def run(self) -> None:
        try:
            self._run()
        finally:
            self.store.close()

    def _run(self) -> None:
        while True:
            try:
                message = self.jobs.get()
            except EOFError:  # the worker stopped the shadow (or died)
                return
            if isinstance(message, Preload):
                self.failed = None
                self._model(message.challenger)
                continue
            batch, stopping = self._collect(message)  # type: ignore[arg-type]
            try:
                for challenger, group in itertools.groupby(batch, key=lambda job: job.challenger):
                    self._wait_for_idle_worker()
                    self._score(challenger, list(group))
            finally:
                self.finished.add(len(batch))
            if stopping:
                return

    def _collect(self, first: ShadowJob) -> tuple[list[ShadowJob], bool]:
        """``first`` and the jobs that follow it within ``max_wait_s``, up to ``max_batch`` records;
        and whether the worker closed the pipe meanwhile."""
        batch = [first]
        size = len(first.records)
        deadline = time.monotonic() + self.max_wait_s
        while size < self.max_batch:
            try:
                more = self.jobs.get(max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            except EOFError:
                return batch, True
            if isinstance(more, Preload):
                continue  # the jobs name their version; a preload in the middle of a batch adds nothing
            batch.append(more)  # type: ignore[arg-type]
            size += len(more.records)  # type: ignore[attr-defined]
        return batch, False

    def _wait_for_idle_worker(self) -> None:
        """With ``shadow.idle_gate``: return once the worker has no request in flight. Polled, not
        notified: a notification would cost every request a cross-process call; the poll costs
        only this process, and only while it holds a batch. Meanwhile the queue fills and drops."""
        while self.worker_in_flight is not None and self.worker_in_flight.value > 0:
            time.sleep(self.idle_poll_s)

    def _model(self, name: ModelName) -> LoadedModel | None:
        """The loaded challenger ``name``, loading it if another (or none) is loaded."""
        if self.loaded is not None and (self.loaded.name, self.loaded.version) == name:
            return self.loaded
        if name == self.failed:
            return None
        try:
            self.loaded = self.challenger.load(name)
        except Exception as exc:  # noqa: BLE001 - unreadable artifact, wrong kind: the shadow's sample is lost, nothing else
            log_event("shadow_load_failed", kind=self.kind, model=name[0], version=name[1], error=type(exc).__name__)
            self.failed = name
            return None
        return self.loaded

    def _score(self, challenger: ModelName, jobs: list[ShadowJob]) -> None:
        """Score the jobs' records in one challenger call; count and store each pair."""
        records = [record for job in jobs for record in job.records]
        loaded = self._model(challenger)
        try:
            if loaded is None:
                raise LookupError(f"challenger {challenger} is not loaded")
            verdicts = self.decide(loaded, records)
        except Exception as exc:  # noqa: BLE001 - a failing challenger loses its sample, nothing else
            log_event("shadow_failed", kind=self.kind, records=len(records), error=type(exc).__name__)
            record_dropped(self.kind, DROP_MODEL_FAILED, len(records))
            return
        champions = [(job.champion, verdict) for job in jobs for verdict in job.verdicts]
        scored_at = now_iso()
        pairs = []
        for record, (champion, mine), theirs in zip(records, champions, verdicts, strict=True):
            record_pair(self.kind, mine, (theirs.score, theirs.action))
            pairs.append(ShadowPair(
                kind=self.kind,
                record_key=record_key(self.key, self.kind, record_content(self.kind, record)),
                champion_model=champion[0], champion_version=champion[1],
                champion_score=mine[0], champion_action=mine[1],
                challenger_model=loaded.name, challenger_version=loaded.version,
                challenger_score=theirs.score, challenger_action=theirs.action,
                text=str(record["text"]) if self.keep_text else None,
                scored_at=scored_at,
            ))
        try:
            self.store.append(pairs)
        except Exception as exc:  # noqa: BLE001 - locked past the timeout, disk full: counted, not raised
            log_event("shadow_store_failed", kind=self.kind, records=len(pairs), error=type(exc).__name__)
            record_dropped(self.kind, DROP_STORE_FAILED, len(pairs))
