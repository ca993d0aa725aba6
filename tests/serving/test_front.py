"""The HAProxy front (``serving/front.py``, ``yunmao front-config``): its config follows the serving
config, and a real HAProxy started with it admits, queues, sheds and passes what docs/overload.md says.

The behaviour tests put HAProxy before a fake backend whose scoring route holds each request until
the test releases it, so "the workers are busy" is a state the test sets, not a race it hopes for.
"""

from __future__ import annotations

import re
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from configs.serving import ServingConfig, load_serving_config
from serving.front import FrontPolicyError, render_front_config
from tests.deploy.test_alert_rules import HAPROXY_METRICS
from tests.servers import CONDITION_SECONDS, free_port, system_binary, wait_until
from tests.serving.servers import front_before
from training.cli import app

runner = CliRunner()


def serving_config(**front: object) -> ServingConfig:
    """The shipped serving config with ``front`` settings changed."""
    shipped = load_serving_config().model_dump()
    return ServingConfig.model_validate({**shipped, "front": {**shipped["front"], **front}})


def test_the_front_follows_the_serving_config() -> None:
    shipped = load_serving_config().model_dump()
    config = ServingConfig.model_validate({
        **shipped, "timeout_s": 25, "overload": {**shipped["overload"], "retry_after_s": 7},
        "front": {**shipped["front"], "backend": "127.0.0.1:4567", "max_in_flight": 3, "queue_timeout_ms": 25},
    })
    text = render_front_config(config)
    assert "server yunmao 127.0.0.1:4567 maxconn 3\n" in text  # the scoring backend's admission
    assert "server yunmao 127.0.0.1:4567\n" in text  # the never-shed routes' backend: no limit
    assert "timeout queue 25ms" in text
    assert "timeout server 25s" in text
    assert "hdr Retry-After 7" in text


def test_a_fail_open_policy_is_refused_with_the_reason() -> None:
    shipped = load_serving_config().model_dump()
    config = ServingConfig.model_validate({**shipped, "overload": {**shipped["overload"], "policy": "allow"}})
    with pytest.raises(FrontPolicyError, match="answers only 503"):
        render_front_config(config)


def test_a_front_admitting_more_than_the_workers_take_is_refused() -> None:
    shipped = load_serving_config().model_dump()
    too_many = shipped["workers"] * shipped["overload"]["max_in_flight"] + 1
    with pytest.raises(ValidationError, match="front.max_in_flight must be <= workers"):
        serving_config(max_in_flight=too_many)


@pytest.mark.parametrize("address", ["8080", "localhost", "0.0.0.0:80 # x", ""])
def test_a_malformed_address_is_refused(address: str) -> None:
    with pytest.raises(ValidationError, match="listen"):
        serving_config(listen=address)


def test_front_config_command_prints_or_writes_the_config(tmp_path: Path) -> None:
    printed = runner.invoke(app, ["front-config"])
    assert printed.exit_code == 0, printed.output
    assert printed.stdout == render_front_config(load_serving_config())
    written = runner.invoke(app, ["front-config", "--out", str(tmp_path / "haproxy.cfg")])
    assert written.exit_code == 0, written.output
    assert (tmp_path / "haproxy.cfg").read_text(encoding="utf-8") == printed.stdout


@pytest.mark.parametrize("where", ["missing-folder/haproxy.cfg", "."])
def test_front_config_command_fails_in_one_line_where_it_cannot_write(tmp_path: Path, where: str) -> None:
    result = runner.invoke(app, ["front-config", "--out", str(tmp_path / where)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: cannot write --out {tmp_path / where}")
    assert result.stderr.count("\n") == 1


def test_front_config_command_fails_in_one_line_on_a_fail_open_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YUNMAO_SERVING__OVERLOAD__POLICY", "allow")
    load_serving_config.cache_clear()
    try:
        result = runner.invoke(app, ["front-config"])
    finally:
        monkeypatch.delenv("YUNMAO_SERVING__OVERLOAD__POLICY")
        load_serving_config.cache_clear()
    assert result.exit_code == 2
    assert result.stderr.startswith("error: overload.policy is 'allow'")
    assert result.stderr.count("\n") == 1


def test_haproxy_accepts_the_shipped_front_config(tmp_path: Path) -> None:
    haproxy = system_binary("haproxy")
    path = tmp_path / "haproxy.cfg"
    path.write_text(render_front_config(load_serving_config()), encoding="utf-8")
    result = subprocess.run([haproxy, "-c", "-f", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


@dataclass
class HeldBackend:
    """A stand-in for ``yunmao serve``: scoring requests wait until released; other routes answer at once."""

    port: int
    released: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: int = 0
    seen: list[str] = field(default_factory=list)
    received_at: list[str | None] = field(default_factory=list)  # the front's received-time header, per request

    def release(self, count: int = 1) -> None:
        for _ in range(count):
            self.released.release()

    def holding(self, count: int) -> bool:
        with self.lock:
            return self.in_flight == count


def backend_handler(backend: HeldBackend) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - BaseHTTPRequestHandler's signature
            """Quiet: the test reads answers, not an access log."""

        def answer(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            backend.seen.append(f"{self.command} {self.path}")
            backend.received_at.append(self.headers.get(load_serving_config().overload.received_header))
            if self.command == "POST" and self.path.endswith("/score"):
                with backend.lock:
                    backend.in_flight += 1
                backend.released.acquire(timeout=CONDITION_SECONDS)
                with backend.lock:
                    backend.in_flight -= 1
            body = b'{"results": []}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = answer

    return Handler


@contextmanager
def front_before_held_backend(tmp_path: Path, max_in_flight: int, queue_timeout_ms: int,
                              shed_delay_ms: int = 0) -> Iterator[tuple[HeldBackend, str, str]]:
    """(backend, front URL, front metrics URL): HAProxy from ``yunmao front-config``'s rendering."""
    backend = HeldBackend(free_port())
    server = ThreadingHTTPServer(("127.0.0.1", backend.port), backend_handler(backend))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with front_before(f"127.0.0.1:{backend.port}", tmp_path, max_in_flight=max_in_flight,
                          queue_timeout_ms=queue_timeout_ms, shed_delay_ms=shed_delay_ms) as front:
            yield backend, front.url, front.metrics_url
    finally:
        backend.release(64)  # nothing stays held past the test
        server.shutdown()


def score(front: str) -> httpx.Response:
    return httpx.post(f"{front}/v1/sms/score", json={"messages": [{"id": "m1", "text": "x"}]}, timeout=CONDITION_SECONDS)


def test_past_the_limit_a_request_waits_the_queue_timeout_then_gets_the_workers_503(tmp_path: Path) -> None:
    retry_after = load_serving_config().overload.retry_after_s
    with front_before_held_backend(tmp_path, max_in_flight=2, queue_timeout_ms=300) as (backend, front, _), \
            ThreadPoolExecutor(4) as pool:
        held = [pool.submit(score, front) for _ in range(2)]
        assert wait_until(lambda: backend.holding(2), CONDITION_SECONDS)
        refused = score(front)
        assert backend.holding(2)  # the third never reached the backend
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == str(retry_after)
        assert refused.headers["Content-Type"] == "application/json"
        assert refused.json() == {"error": f"overloaded (front: no worker slot in time): not scored; retry after {retry_after} s",
                                  "detail": []}
        assert refused.elapsed.total_seconds() >= 0.3  # it waited for a slot first
        backend.release(2)
        assert [future.result().status_code for future in held] == [200, 200]


def test_a_queued_request_takes_the_next_free_slot(tmp_path: Path) -> None:
    with front_before_held_backend(tmp_path, max_in_flight=1, queue_timeout_ms=CONDITION_SECONDS * 1000) as (backend, front, metrics), \
            ThreadPoolExecutor(4) as pool:
        first = pool.submit(score, front)
        assert wait_until(lambda: backend.holding(1), CONDITION_SECONDS)
        queued: Future[httpx.Response] = pool.submit(score, front)
        assert wait_until(lambda: backend_queue(metrics) == 1, CONDITION_SECONDS)
        backend.release()  # the first answers; the queued one takes its slot
        assert first.result().status_code == 200
        assert wait_until(lambda: backend.holding(1), CONDITION_SECONDS)
        backend.release()
        assert queued.result().status_code == 200
        assert backend.seen.count("POST /v1/sms/score") == 2


def test_health_readiness_metrics_feedback_and_reload_pass_while_scoring_is_full(tmp_path: Path) -> None:
    with front_before_held_backend(tmp_path, max_in_flight=1, queue_timeout_ms=100) as (backend, front, _), \
            ThreadPoolExecutor(2) as pool:
        held = pool.submit(score, front)
        assert wait_until(lambda: backend.holding(1), CONDITION_SECONDS)
        assert score(front).status_code == 503  # scoring is full
        for method, path in [("GET", "/livez"), ("GET", "/readyz"), ("GET", "/metrics"), ("POST", "/v1/feedback"),
                             ("POST", "/v1/admin/reload"), ("GET", "/v1/sms/score")]:
            answer = httpx.request(method, f"{front}{path}", timeout=CONDITION_SECONDS)
            assert answer.status_code == 200, (method, path)
            assert f"{method} {path}" in backend.seen
        backend.release()
        assert held.result().status_code == 200


def backend_queue(metrics_url: str) -> int:
    """Requests waiting in the scoring backend's queue now, from HAProxy's Prometheus exporter."""
    text = httpx.get(metrics_url, timeout=CONDITION_SECONDS).text
    match = re.search(r'^haproxy_backend_current_queue\{proxy="scoring"\} (\d+)', text, re.MULTILINE)
    assert match, "HAProxy exports the scoring backend's queue"
    return int(match.group(1))


def test_the_fronts_refusals_are_counted_in_its_prometheus_metrics(tmp_path: Path) -> None:
    with front_before_held_backend(tmp_path, max_in_flight=1, queue_timeout_ms=50) as (backend, front, metrics), \
            ThreadPoolExecutor(2) as pool:
        held = pool.submit(score, front)
        assert wait_until(lambda: backend.holding(1), CONDITION_SECONDS)
        statuses = [score(front).status_code for _ in range(3)]
        backend.release()
        assert held.result().status_code == 200
        text = httpx.get(metrics, timeout=CONDITION_SECONDS).text
        refused = front_responses_5xx(metrics)
    assert statuses == [503] * 3
    assert all(re.search(rf"^{name}\{{", text, re.MULTILINE) for name in HAPROXY_METRICS)  # what the alert rules read
    assert refused == 3


def front_responses_5xx(metrics_url: str) -> int:
    """The front's 5xx answers so far, as HAProxy's exporter counts them (what the alert rule reads)."""
    text = httpx.get(metrics_url, timeout=CONDITION_SECONDS).text
    refused = re.search(r'^haproxy_frontend_http_responses_total\{proxy="hooks",code="5xx"\} (\d+)', text, re.MULTILINE)
    assert refused, "HAProxy exports the front's answers by status class"
    return int(refused.group(1))


def test_the_front_stamps_when_it_received_a_request_over_any_client_value(tmp_path: Path) -> None:
    """The workers count the hook's deadline from this stamp (serving/overload.py waited_ms)."""
    header = load_serving_config().overload.received_header
    with front_before_held_backend(tmp_path, max_in_flight=1, queue_timeout_ms=100) as (backend, front, _):
        before_ms = time.time() * 1000
        answer = httpx.get(f"{front}/readyz", headers={header: "5"}, timeout=CONDITION_SECONDS)
        after_ms = time.time() * 1000
    assert answer.status_code == 200
    stamp = backend.received_at[-1]
    assert stamp is not None and before_ms - 1 <= int(stamp) <= after_ms + 1


def test_a_worker_still_scoring_at_the_hooks_deadline_is_cut_off_with_a_503(tmp_path: Path) -> None:
    """The backstop for a worker whose own deadline answer is late (its event loop busy): the
    front answers at the hook's deadline, counted from when the request left its queue."""
    overload = load_serving_config().overload
    with front_before_held_backend(tmp_path, max_in_flight=2, queue_timeout_ms=100) as (backend, front, _):
        started = time.monotonic()
        late = httpx.post(f"{front}/v1/sms/score", json={"messages": [{"id": "m1", "text": "x"}]},
                          headers={overload.deadline_header: "300"}, timeout=CONDITION_SECONDS)
        waited = time.monotonic() - started
        assert backend.seen == ["POST /v1/sms/score"]  # the worker had it
        backend.release()
    assert late.status_code == 503
    assert late.headers["Retry-After"] == str(overload.retry_after_s)
    assert late.json()["error"] == f"overloaded (front: no worker answer by the deadline): not scored; retry after {overload.retry_after_s} s"
    assert 0.3 <= waited < CONDITION_SECONDS / 2  # at the deadline, not when the worker finished


@pytest.mark.parametrize("deadline", ["0", "soon", "-5"])
def test_a_spent_or_malformed_deadline_is_left_to_the_worker(tmp_path: Path, deadline: str) -> None:
    """The worker answers those (at once, or 400 naming the header): the front sets no timeout."""
    header = load_serving_config().overload.deadline_header
    with front_before_held_backend(tmp_path, max_in_flight=1, queue_timeout_ms=100) as (backend, front, _), \
            ThreadPoolExecutor(1) as pool:
        answer = pool.submit(httpx.post, f"{front}/v1/sms/score", json={"messages": []}, headers={header: deadline},
                             timeout=CONDITION_SECONDS)
        assert wait_until(lambda: backend.holding(1), CONDITION_SECONDS)
        assert not wait_until(answer.done, 0.5)  # held half a second past a 0-ms budget: not cut off
        backend.release()
        assert answer.result().status_code == 200


def test_in_a_flood_a_request_is_held_then_refused_without_queuing(tmp_path: Path) -> None:
    """``front.shed_delay_ms``: with as many requests queued as may be in flight, the next one is not
    queued but held that long and then answered the same 503, so a client resending at once is slowed;
    a hook that sent its budget still joins the queue (it gets its answer in time to act on it)."""
    overload = load_serving_config().overload
    with front_before_held_backend(tmp_path, max_in_flight=1, queue_timeout_ms=CONDITION_SECONDS * 1000,
                                   shed_delay_ms=400) as (backend, front, metrics), ThreadPoolExecutor(4) as pool:
        held = pool.submit(score, front)
        assert wait_until(lambda: backend.holding(1), CONDITION_SECONDS)
        queued = pool.submit(score, front)
        assert wait_until(lambda: backend_queue(metrics) == 1, CONDITION_SECONDS)
        refused = score(front)
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == str(overload.retry_after_s)
        assert refused.json()["error"] == f"overloaded (front: no worker slot in time): not scored; retry after {overload.retry_after_s} s"
        assert refused.elapsed.total_seconds() >= 0.4
        assert front_responses_5xx(metrics) == 1  # counted where YunmaoFrontShedding looks
        budgeted = pool.submit(httpx.post, f"{front}/v1/sms/score", json={"messages": [{"id": "m1", "text": "x"}]},
                               headers={overload.deadline_header: "60000"}, timeout=CONDITION_SECONDS)
        assert wait_until(lambda: backend_queue(metrics) == 2, CONDITION_SECONDS)
        backend.release(3)
        assert [future.result().status_code for future in (held, queued, budgeted)] == [200, 200, 200]
        assert backend.seen.count("POST /v1/sms/score") == 3  # the held one never reached the backend
