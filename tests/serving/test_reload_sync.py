"""The reload board on its own (no server): followers reload when the generation moves, the
reload answer says when a worker lags, and rows of dead workers do not hold it up."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from serving.reload_sync import ReloadBoard, WorkerState, WorkerSync
from tests.servers import CONDITION_SECONDS, wait_until


class FakeSlot:
    """Stands in for a ModelSlot: ``reload()`` moves to the next version of ``versions``."""

    def __init__(self, *versions: str) -> None:
        self.uri = "models:/fake@champion"
        self._versions = list(versions)
        self.version: str | None = self._versions.pop(0)
        self.reloads = 0

    def reload(self) -> None:
        self.reloads += 1
        if self._versions:
            self.version = self._versions.pop(0)


def sync_on(board: ReloadBoard, sms: FakeSlot, converge_timeout_s: float = 5) -> WorkerSync:
    return WorkerSync(board, {"sms": sms, "call": FakeSlot("1")}, interval_s=0.05, converge_timeout_s=converge_timeout_s)  # type: ignore[dict-item]


def test_a_follower_reloads_when_another_worker_announces(tmp_path: Path) -> None:
    board = ReloadBoard.create(tmp_path, workers=1)
    slot = FakeSlot("1", "2")
    follower = sync_on(board, slot)
    follower.start()
    try:
        board.bump()  # what another worker's reload does
        reloaded = [WorkerState(pid=os.getpid(), generation=1, sms="2", call="1")]
        assert wait_until(lambda: board.workers()[0] == reloaded, CONDITION_SECONDS), "the follower did not reload and report"
        assert slot.reloads == 1
    finally:
        follower.stop()


def test_the_answer_is_not_converged_while_a_worker_still_serves_the_old_version(tmp_path: Path) -> None:
    board = ReloadBoard.create(tmp_path, workers=2)
    lagging = WorkerState(pid=os.getppid(), generation=0, sms="1", call="1")  # a live pid that never catches up
    board.report(lagging)
    announcer = sync_on(board, FakeSlot("2"), converge_timeout_s=0.3)
    start = time.monotonic()
    states, converged = announcer.announce()
    assert not converged and 0.3 <= time.monotonic() - start < 3
    assert lagging in states and WorkerState(pid=os.getpid(), generation=1, sms="2", call="1") in states


def test_the_answer_waits_for_a_worker_that_has_not_started_yet(tmp_path: Path) -> None:
    board = ReloadBoard.create(tmp_path, workers=2)
    states, converged = sync_on(board, FakeSlot("2"), converge_timeout_s=0.2).announce()
    assert not converged and len(states) == 1


def test_rows_of_dead_workers_are_dropped(tmp_path: Path) -> None:
    board = ReloadBoard.create(tmp_path, workers=1)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    board.report(WorkerState(pid=dead.pid, generation=0, sms="1", call="1"))
    states, converged = sync_on(board, FakeSlot("2")).announce()
    assert converged and [s.pid for s in states] == [os.getpid()]
