"""SIGTERM during load: readiness turns false first, every request accepted before the signal
is answered, then the server exits within the grace period (``serving/shutdown``).

Run with ``-s`` to print the measured figures (docs/benchmarks.md, "Graceful shutdown").
"""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.servers import wait_until
from tests.serving.servers import RunningServer, child_pids, yunmao_serve

CLIENTS = 16
# Long enough for the probe loop to see /readyz 503 and for a request to start and be answered
# while not ready, on a loaded machine where one probe or answer can take a second or more.
DRAIN_S = 5.0
GRACE_S = DRAIN_S + 20  # the test's grace period: drain, the longest request here (a few s on a loaded machine), exit
WARM_REQUESTS = 3 * CLIENTS
SCAM = "您的账户涉嫌洗钱，请立即转账到安全账户"


@dataclass(frozen=True)
class Outcome:
    started: float
    ended: float
    status: int | None  # None: no answer (connection refused or closed unanswered)


def body(size: int) -> dict:
    return {"messages": [{"id": f"m{i}", "text": f"{SCAM} {i}"} for i in range(size)]}


def client_loop(url: str, size: int, stop: threading.Event, outcomes: list[Outcome]) -> None:
    """One closed-loop client: POST, record, repeat until ``stop``; a new connection after an error."""
    client = httpx.Client(timeout=GRACE_S)
    while not stop.is_set():
        started = time.monotonic()
        try:
            status: int | None = client.post(f"{url}/v1/sms/score", json=body(size)).status_code
        except httpx.TransportError:
            status = None
            client.close()
            client = httpx.Client(timeout=GRACE_S)
        outcomes.append(Outcome(started, time.monotonic(), status))
    client.close()


def readiness(url: str) -> int | None:
    try:
        return httpx.get(f"{url}/readyz", timeout=1).status_code
    except httpx.TransportError:
        return None


def rss_mib(pids: tuple[int, ...]) -> float:
    """Resident memory of ``pids`` together (VmRSS, Linux /proc)."""
    total_kib = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total_kib += int(line.split()[1])
    return total_kib / 1024


@pytest.fixture
def server(sms_model_uri: str, tmp_path: Path):
    env = {
        "YUNMAO_SMS_MODEL": sms_model_uri,
        "YUNMAO_SERVING__SHUTDOWN__DRAIN_S": str(DRAIN_S),
        "YUNMAO_SERVING__OVERLOAD__MAX_IN_FLIGHT": str(CLIENTS),  # nothing shed: every answer is the model's
        "YUNMAO_API_KEY": "",
    }
    with yunmao_serve([], tmp_path / "serve.log", env=env, workers=2) as running:
        yield running


@pytest.mark.slow
def test_sigterm_under_load_drains_without_failing_an_accepted_request(server: RunningServer) -> None:
    stop = threading.Event()
    outcomes: list[Outcome] = []
    sizes = [1, 1, 1, 50] * (CLIENTS // 4)  # single messages, and batches that take longer to score
    clients = [threading.Thread(target=client_loop, args=(server.url, size, stop, outcomes)) for size in sizes]
    for thread in clients:
        thread.start()
    try:
        assert wait_until(lambda: len(outcomes) >= WARM_REQUESTS, 60), "load never got going"
        memory = rss_mib((server.proc.pid, *child_pids(server.proc.pid)))
        signalled = time.monotonic()
        os.kill(server.proc.pid, signal.SIGTERM)
        probes: list[tuple[float, int | None]] = []
        while server.proc.poll() is None and time.monotonic() - signalled < GRACE_S:
            probes.append((time.monotonic(), readiness(server.url)))
        exited = time.monotonic()
        assert server.proc.poll() is not None, f"server still running {GRACE_S} s after SIGTERM"
    finally:
        stop.set()
        for thread in clients:
            thread.join()

    accepted = [o for o in outcomes if o.started < signalled]
    failed = [(round(o.started - signalled, 3), o.status) for o in accepted if o.status != 200]
    assert accepted and not failed, f"requests sent before SIGTERM failed (start vs signal, status): {failed}"
    errors = [(round(o.started - signalled, 3), o.status) for o in outcomes if o.status not in (200, None)]
    assert not errors, f"error answers: {errors}"
    unready = next(t for t, status in probes if status == 503)  # readiness false, while still answering
    served_while_unready = [o for o in outcomes if o.started > unready and o.status == 200]
    assert served_while_unready, "no request was served after readiness turned false"
    last_served = max(o.ended for o in outcomes if o.status == 200)
    refused = [o for o in outcomes if o.status is None]
    assert all(o.started > unready for o in refused), "a request was refused before readiness turned false"
    print(
        f"\nshutdown: {len(accepted)} requests accepted before SIGTERM, all 200; readyz 503 after "
        f"{unready - signalled:.3f} s; {len(served_while_unready)} served while not ready; last answer "
        f"{last_served - signalled:.2f} s; exit {exited - signalled:.2f} s (drain {DRAIN_S} s); "
        f"{len(refused)} refused after the drain; server + 2 workers RSS {memory:.0f} MiB"
    )
