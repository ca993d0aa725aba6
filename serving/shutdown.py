"""Graceful shutdown: on SIGTERM a worker leaves the load balancer first, then drains.

An orchestrator stops a pod with SIGTERM (Kubernetes sends it to the container's first process,
BentoML's process manager passes it on to every worker) and kills it with SIGKILL after the
grace period. uvicorn, on SIGTERM, stops accepting at once and finishes the requests it has; but
the load balancer learns of the stop only from readiness, so for a few seconds it keeps sending
new connections to a port nobody accepts on any more. So each worker, on the first SIGTERM or
SIGINT:

1. answers ``/readyz`` 503 (:attr:`Drain.draining`) while it keeps serving everything, for
   ``shutdown.drain_s`` seconds: probes see it, the balancer stops sending;
2. then hands the signal to uvicorn's own handler: no new connections, every request already
   accepted runs to its answer (bounded by ``timeout_s``), idle keep-alive connections close;
3. the service's shutdown hook stops its threads, the worker exits, then the server process.

A second signal during the drain is handed on at once (a second Ctrl-C need not wait).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from functools import partial
from types import FrameType

from serving.logs import log_event

DRAIN_SIGNALS = (signal.SIGTERM, signal.SIGINT)

SignalHandler = Callable[[int, FrameType | None], object]


class Drain:
    """One worker's drain: :meth:`install` it once uvicorn has installed its signal handlers
    (the service's ``__init__`` runs in uvicorn's lifespan startup, on the main thread)."""

    def __init__(self, drain_s: float) -> None:
        self.drain_s = drain_s
        self.draining = False

    def install(self) -> None:
        """Put the drain in front of the current SIGTERM/SIGINT handlers. Nothing to do off the
        main thread or where no handler is installed (an in-process test app: no server to stop)."""
        if threading.current_thread() is not threading.main_thread():
            return
        handlers = {sig: signal.getsignal(sig) for sig in DRAIN_SIGNALS}
        if all(callable(handler) for handler in handlers.values()):
            for sig, handler in handlers.items():
                signal.signal(sig, partial(self._on_signal, handler))

    def _on_signal(self, handler: SignalHandler, sig: int, frame: FrameType | None) -> None:
        if self.draining:
            handler(sig, frame)
            return
        self.draining = True
        log_event("drain_started", signal=signal.Signals(sig).name, drain_s=self.drain_s)
        timer = threading.Timer(self.drain_s, handler, (sig, None))
        timer.daemon = True
        timer.start()
