"""Real ``yunmao serve`` processes for tests: started in their own session on a free loopback
port, waited for, and killed with every worker even when the test fails."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.serving.conftest import free_port

CLI = Path(sys.executable).with_name("yunmao")


@dataclass(frozen=True)
class RunningServer:
    url: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path
    workers: tuple[int, ...]  # worker pids (children of the server process)


def child_pids(pid: int) -> tuple[int, ...]:
    """Direct children of ``pid`` (Linux /proc)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return tuple(sorted(children))


def is_running(pid: int) -> bool:
    """Alive and not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def serve_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, **(extra or {})}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # the server makes its own
    return env


def wait_until(condition, timeout_s: float, what: str, interval_s: float = 0.2) -> None:
    """Poll ``condition()`` until true; fail naming ``what`` after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() >= deadline:
            pytest.fail(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(interval_s)


@contextmanager
def yunmao_serve(args: list[str], log: Path, env: Mapping[str, str] | None = None, workers: int = 1) -> Iterator[RunningServer]:
    """``yunmao serve ARGS --port P --host 127.0.0.1 --workers N``, ready (``/readyz`` 200 and
    ``workers`` worker processes up); afterwards its process group and workers are killed."""
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(CLI), "serve", *args, "--port", str(port), "--host", "127.0.0.1", "--workers", str(workers)],
            stdout=out, stderr=subprocess.STDOUT, env=serve_env(env), start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    seen_workers: tuple[int, ...] = ()
    try:
        def ready() -> bool:
            nonlocal seen_workers
            assert proc.poll() is None, f"yunmao serve exited early:\n{log.read_text(errors='replace')[-3000:]}"
            seen_workers = child_pids(proc.pid)
            try:
                return len(seen_workers) >= workers and httpx.get(f"{url}/readyz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(ready, 180, f"yunmao serve ready on {url}", interval_s=0.5)
        yield RunningServer(url, port, proc, log, seen_workers)
    finally:
        stop(proc, seen_workers)


def stop(proc: subprocess.Popen[bytes], workers: tuple[int, ...]) -> None:
    """SIGTERM the server's process group, SIGKILL it if it lingers, then any worker left."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    for pid in workers:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
