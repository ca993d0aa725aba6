"""Real processes for tests: system binaries, free loopback ports, waiting on a condition, and
servers started before a test and stopped (with their children) after it.

One place for these so every server test waits the same way: poll a readiness check until a
deadline, fail with the server's log when it dies or never answers, never sleep a fixed time.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

POLL_SECONDS = 0.05
STOP_SECONDS = 30
# The bound on waiting for something a background thread or another process does (a sync, a log
# line, a start): a wait on a condition ends as soon as it holds, so a deadline generous enough for
# a loaded CI machine, where niced and busy processes run late, costs a healthy run nothing.
CONDITION_SECONDS = 60


def system_binary(name: str, package: str | None = None) -> str:
    """Path of ``name`` on PATH; skips the test where it is absent (.ci/run installs it and fails on this skip)."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"needs system binary: {name} (apt-get install {package or name}; .ci/run installs it)")
    return path


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    """Poll ``condition`` until it holds (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_SECONDS)


def http_ok(url: str) -> Callable[[], bool]:
    """Readiness check: GET ``url`` answers 200."""

    def check() -> bool:
        try:
            return httpx.get(url, timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    return check


def port_open(port: int) -> Callable[[], bool]:
    """Readiness check: something accepts TCP connections on loopback ``port``."""

    def check() -> bool:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return True
        except OSError:
            return False

    return check


@contextmanager
def running_server(
    argv: Sequence[str],
    ready: Callable[[], bool],
    *,
    timeout: float,
    log: Path,
    env: dict[str, str] | None = None,
    on_start: Callable[[subprocess.Popen[bytes]], None] | None = None,
    cwd: Path | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``argv`` in its own process group (output to ``log``, in ``cwd``), wait for ``ready``, stop the group after.

    Servers fork workers, so stopping only the parent would leak them: SIGTERM to the group,
    SIGKILL if it has not gone within STOP_SECONDS. ``on_start`` sees the process before the
    readiness wait (a check that needs its pid).
    """
    with log.open("wb") as out:
        proc = subprocess.Popen(list(argv), stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True, cwd=cwd)
    if on_start is not None:
        on_start(proc)
    try:
        started = wait_until(lambda: proc.poll() is not None or ready(), timeout)
        if proc.poll() is not None:
            pytest.fail(f"{argv[0]} exited early ({proc.returncode}):\n{_tail(log)}")
        if not started:
            pytest.fail(f"{argv[0]} not ready within {timeout} s:\n{_tail(log)}")
        yield proc
    finally:
        _stop_group(proc)


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]
