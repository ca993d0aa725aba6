"""``yunmao serve`` gives up, saying why, when its workers cannot start.

BentoML's process manager (circus) starts a new worker whenever one exits, without end, and a
worker whose service fails in ``__init__`` exits. A cause no retry heals (a model whose artifact
cannot be loaded, a config only workers read) thus became a server that never served, restarting
a worker every few seconds and filling its log with the same traceback, while an orchestrator
saw a live process. ``yunmao serve`` checks what it can before any worker starts
(``serving/server``); this is the backstop for the rest.

Each worker that fails to start writes the cause in the instance folder (``serving/instance``);
one that starts leaves a mark. Until a worker has started, the server counts the failures, and
at ``max_start_failures`` it stops (SIGTERM to itself: BentoML's arbiter stops the workers and
returns) and ``yunmao serve`` exits 2 with the last cause, one line. Once any worker has started,
a worker lost later is restarted as before: that one did start, so the cause may pass.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from contextlib import suppress
from pathlib import Path

FAILURES_DIR = "start_failures"
STARTED_MARK = "worker_started"
POLL_S = 0.5  # how soon after the last allowed failure the server stops (a worker start takes seconds)
MAX_CAUSE_CHARS = 500  # one line in a terminal; the worker's log keeps the traceback


class WorkersCannotStart(RuntimeError):
    """Workers failed to start ``max_start_failures`` times and none ever started."""


def record_start_failure(instance: Path | None, exc: BaseException) -> None:
    """In a worker whose service failed to start: leave the cause for the server to count.
    Nothing outside ``yunmao serve`` (no instance folder)."""
    if instance is None:
        return
    folder = instance / FAILURES_DIR
    cause = " ".join(f"{type(exc).__name__}: {exc}".split())[:MAX_CAUSE_CHARS]
    with suppress(OSError):  # the worker's own failure is what BentoML logs; never mask it with this one
        folder.mkdir(exist_ok=True)
        (folder / f"{time.time_ns()}-{os.getpid()}").write_text(cause, encoding="utf-8")


def record_started(instance: Path | None) -> None:
    """In a worker whose service started: from now on the server never gives up on its own."""
    if instance is not None:
        (instance / STARTED_MARK).touch()


class StartWatch(threading.Thread):
    """In the server process, a daemon thread: counts its workers' start failures in ``instance``
    and stops the server at ``limit`` of them, unless a worker has started first. It needs no
    stopping: it ends with the process, and does nothing once a worker has started."""

    def __init__(self, instance: Path, limit: int) -> None:
        super().__init__(name="yunmao-start-watch", daemon=True)
        self.instance = instance
        self.limit = limit
        self.cause: str | None = None

    def run(self) -> None:
        folder = self.instance / FAILURES_DIR
        while not (self.instance / STARTED_MARK).exists():
            failures = sorted(folder.glob("*")) if folder.is_dir() else []
            if len(failures) >= self.limit:
                self.cause = failures[-1].read_text(encoding="utf-8")
                os.kill(os.getpid(), signal.SIGTERM)
                return
            time.sleep(POLL_S)

    def check(self) -> None:
        """After the server has stopped.

        Raises:
            WorkersCannotStart: the watch stopped it; the message carries the last cause.
        """
        if self.cause is not None:
            raise WorkersCannotStart(
                f"workers failed to start {self.limit} times and none started (serving.max_start_failures); "
                f"last cause: {self.cause}")
