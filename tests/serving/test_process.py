"""The service's process model against real ``yunmao serve`` instances on loopback ports: a
reload reaches every worker, each instance keeps its own metrics, workers die with the server,
a busy port is one line, and stalled clients are cut off within the configured read timeouts."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml

from configs import default_config_path
from tests.servers import CONDITION_SECONDS, free_port, wait_until
from tests.serving.cases import JSON, body
from tests.serving.conftest import CallSetup, register_copy
from tests.serving.servers import (
    CLI,
    SERVE_STARTUP_SECONDS,
    RunningServer,
    every_worker_logs,
    is_running,
    logged_events,
    serve_env,
    yunmao_serve,
)

API_KEY = "process-key-0123456789abcdef"
AUTH = {"authorization": f"Bearer {API_KEY}"}
ADMIN_KEY = "process-admin-key-0123456789abcdef"
ADMIN_AUTH = {"authorization": f"Bearer {ADMIN_KEY}"}
RELOAD_MODEL = "yunmao-sms-process-test"
HEADERS_S = 1.0
BODY_S = 1.0
RELOAD_CONVERGE_S = 120


@pytest.fixture(scope="module")
def serving_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped serving config with read timeouts short enough for a test to wait them out, and
    a reload answer that waits longer than the shipped 20 s for the other worker to load the new
    version (a bound: it answers as soon as every worker serves it; a loaded machine loads slowly)."""
    config = yaml.safe_load(default_config_path("serving").read_text())
    config["read_timeouts"] = {"headers_s": HEADERS_S, "body_s": BODY_S, "keep_alive_s": 5}
    config["reload"]["converge_timeout_s"] = RELOAD_CONVERGE_S
    config["timeout_s"] = SERVE_STARTUP_SECONDS  # must stay above the converge wait
    path = tmp_path_factory.mktemp("process-config") / "serving.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def server_env(serving_config: Path, call_setup: CallSetup) -> dict[str, str]:
    """The servers here run as shipped: the test session turns heap freezing off for services built
    in pytest's own process (tests/conftest.py), not for real workers, which freeze after startup."""
    return {"YUNMAO_API_KEY": API_KEY, "YUNMAO_ADMIN_API_KEY": ADMIN_KEY,
            "YUNMAO_PROFILE_STORE": call_setup.store_url, "YUNMAO_SERVING_CONFIG": str(serving_config),
            "YUNMAO_SERVING__GC_FREEZE": "true"}


def serve_args(sms_uri: str, call_setup: CallSetup) -> list[str]:
    return ["--model", sms_uri, "--call-model", call_setup.uri]


@pytest.fixture(scope="module")
def two_workers(
    sms_model_uri: str, call_setup: CallSetup, serving_config: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """``yunmao serve --workers 2`` serving its own registered model (so the test can promote)."""
    register_copy(sms_model_uri, RELOAD_MODEL)
    log = tmp_path_factory.mktemp("two-workers") / "serve.log"
    args = serve_args(f"models:/{RELOAD_MODEL}@champion", call_setup)
    with yunmao_serve(args, log, server_env(serving_config, call_setup), workers=2) as server:
        yield server


def score_on_fresh_connection(url: str, message_id: str) -> str:
    """One SMS scored on a new connection (so the kernel may hand it to either worker); the version."""
    content = body({"messages": [{"id": message_id, "text": "您的快递已到，请凭取件码领取"}]})
    response = httpx.post(f"{url}/v1/sms/score", content=content, headers={**JSON, **AUTH}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["model"]["version"]


def scored_log_lines(log: Path, offset: int) -> list[dict[str, object]]:
    return logged_events(log, "sms_scored", offset)


@pytest.mark.slow
def test_every_worker_freezes_its_startup_heap(two_workers: RunningServer) -> None:
    """The shipped ``gc_freeze: true`` reaches each worker of a real multi-worker server (each
    logs ``heap_frozen`` once ready), which in-process tests cannot show."""
    def frozen_pids() -> set[object]:
        return {e["pid"] for e in logged_events(two_workers.log, "heap_frozen")}

    assert wait_until(lambda: frozen_pids() >= set(two_workers.workers), CONDITION_SECONDS), frozen_pids()
    events = logged_events(two_workers.log, "heap_frozen")
    assert all(int(e["objects"]) > 0 for e in events), events  # type: ignore[call-overload]


@pytest.mark.slow
def test_reload_reaches_every_worker_before_it_answers(two_workers: RunningServer, sms_model_uri: str) -> None:
    new_version = register_copy(sms_model_uri, RELOAD_MODEL)
    answer = httpx.post(f"{two_workers.url}/v1/admin/reload", headers=ADMIN_AUTH, timeout=SERVE_STARTUP_SECONDS)
    assert answer.status_code == 200, answer.text
    payload = answer.json()
    assert payload["converged"] is True, payload
    assert {w["pid"] for w in payload["workers"]} == set(two_workers.workers)
    assert {w["sms"] for w in payload["workers"]} == {new_version}

    offset = two_workers.log.stat().st_size

    def all_on_the_new_version() -> None:
        with ThreadPoolExecutor(8) as pool:
            versions = set(pool.map(lambda i: score_on_fresh_connection(two_workers.url, f"after-{i}"), range(16)))
        assert versions == {new_version}  # every response after the answer: no worker left behind

    assert every_worker_logs(two_workers, all_on_the_new_version, offset) == set(two_workers.workers), \
        "the requests did not reach both workers"
    assert {e["version"] for e in scored_log_lines(two_workers.log, offset)} == {new_version}


def decisions_counted(url: str) -> str:
    """The ``yunmao_decisions_total`` samples of an instance's ``/metrics``."""
    return "\n".join(line for line in httpx.get(f"{url}/metrics", timeout=10).text.splitlines()
                     if line.startswith("yunmao_decisions_total{"))


@dataclass(frozen=True)
class SecondInstance:
    server: RunningServer
    first_counted_before_start: str  # the first instance's decision counts just before this one started


@pytest.fixture(scope="module")
def second_instance(
    two_workers: RunningServer, sms_model_uri: str, call_setup: CallSetup, serving_config: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SecondInstance]:
    """Another ``yunmao serve --workers 2`` on the same host, started while ``two_workers`` has
    counted a decision; the kill -9 test ends it (one start serves both tests)."""
    score_on_fresh_connection(two_workers.url, "counted")
    before = decisions_counted(two_workers.url)
    log = tmp_path_factory.mktemp("second-instance") / "serve.log"
    with yunmao_serve(serve_args(sms_model_uri, call_setup), log, server_env(serving_config, call_setup), workers=2) as server:
        yield SecondInstance(server, before)


@pytest.mark.slow
def test_a_second_instance_does_not_wipe_the_first_ones_metrics(two_workers: RunningServer, second_instance: SecondInstance) -> None:
    assert second_instance.first_counted_before_start
    assert decisions_counted(second_instance.server.url) == ""  # the second instance counts only its own decisions
    assert decisions_counted(two_workers.url) == second_instance.first_counted_before_start  # and left the first one's intact


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.mark.slow
def test_kill_9_of_the_server_takes_its_workers_and_frees_the_port(second_instance: SecondInstance) -> None:
    server = second_instance.server  # not used after this test
    assert len(server.workers) == 2 and all(is_running(pid) for pid in server.workers)
    os.killpg(server.proc.pid, signal.SIGKILL)
    server.proc.wait(timeout=CONDITION_SECONDS)
    assert wait_until(lambda: not any(is_running(pid) for pid in server.workers), CONDITION_SECONDS), "the workers outlived the server"
    assert wait_until(lambda: port_is_free(server.port), CONDITION_SECONDS), "the port was not released"


def test_serve_on_a_busy_port_is_one_line_and_exit_2_before_loading_anything() -> None:
    with socket.socket() as holder:  # what a still-running server (or anything else) looks like
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = subprocess.run(
            [str(CLI), "serve", "--port", str(port), "--host", "127.0.0.1", "--model", "models:/never-registered@champion"],
            capture_output=True, text=True, env=serve_env(), timeout=SERVE_STARTUP_SECONDS,
        )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == f"error: port {port} on 127.0.0.1 is already in use (another yunmao serve?)"
    assert result.stdout == ""


@pytest.mark.parametrize(("option", "given", "expected"), [("--model", "call", "sms"), ("--call-model", "sms", "call")])
def test_serve_with_a_model_of_the_other_kind_is_one_line_and_exit_2(sms_model_uri: str, call_setup: CallSetup,
                                                                     option: str, given: str, expected: str) -> None:
    """Was every worker failing its start with a traceback, restarted by BentoML without end: the
    command never returned."""
    uri = {"sms": sms_model_uri, "call": call_setup.uri}[given]
    args = ["--model", uri] if option == "--model" else ["--model", sms_model_uri, "--call-model", uri]
    result = subprocess.run([str(CLI), "serve", "--port", str(free_port()), *args], capture_output=True, text=True,
                            env=serve_env({"YUNMAO_PROFILE_STORE": call_setup.store_url}), timeout=SERVE_STARTUP_SECONDS)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines()[-1] == f"error: {uri} is a {given!r} model; {option} takes a {expected!r} model"


def test_serve_with_a_bad_setting_in_the_environment_refuses_to_start_naming_it() -> None:
    env = serve_env({"YUNMAO_SERVING__WORKERS": "0"})
    result = subprocess.run([str(CLI), "serve", "--port", str(free_port())], capture_output=True, text=True, env=env,
                            timeout=SERVE_STARTUP_SECONDS)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1
    assert "workers: Input should be greater than or equal to 1 (from YUNMAO_SERVING__WORKERS='0')" in result.stderr


@pytest.mark.parametrize(("environ", "message"), [
    ({"YUNMAO_CALL__SPLIT__FOLDS": "abc"}, "configs/call.yaml: invalid config: split.folds"),
    ({"YUNMAO_CAMPAIGNS__TEMPLATE__NUM_PERM": "abc"}, "configs/campaigns.yaml: invalid config: template.num_perm"),
    ({"YUNMAO_FEEDBACK__MAX_BATCH": "abc"}, "configs/feedback.yaml: invalid config: max_batch"),
    ({"YUNMAO_PROFILE_STORE": "bogus://x"}, "unsupported profile store URL 'bogus://x'"),
    ({"YUNMAO_TEMPLATE_STORE": "sqlite:////proc/no-such-folder/templates.db"}, "cannot open a store the workers need"),
], ids=["call_config", "campaigns_config", "feedback_config", "profile_store_url", "template_store_path"])
def test_serve_with_a_setting_only_workers_read_refuses_to_start_naming_it(environ: dict[str, str], message: str) -> None:
    """Was every worker failing its start (or a traceback, for feedback.yaml read on import),
    restarted by BentoML without end: the command never returned."""
    result = subprocess.run([str(CLI), "serve", "--port", str(free_port()), "--model", "models:/never-registered@champion"],
                            capture_output=True, text=True, env=serve_env(environ), timeout=SERVE_STARTUP_SECONDS)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert message in result.stderr.strip().splitlines()[-1], result.stderr


def register_altered_copy(source_uri: str, name: str, folder: Path, alter: Callable[[Path], None]) -> str:
    """A new version of ``name`` made of ``source_uri``'s files (MLmodel, provenance, pickle) as
    ``alter`` leaves them in ``folder``, made champion."""
    import shutil

    from mlflow import MlflowClient
    from mlflow.artifacts import download_artifacts

    from models.registry import configure_tracking, resolve_model_version, set_alias

    configure_tracking()
    client = MlflowClient()
    source = client.get_model_version(*resolve_model_version(source_uri))
    shutil.copytree(download_artifacts(source.source), folder)
    alter(folder)
    client.create_registered_model(name)
    version = client.create_model_version(name, str(folder), run_id=source.run_id)
    set_alias(name, str(version.version), "champion")
    return f"models:/{name}@champion"


def without_artifact(folder: Path) -> None:
    """The pickled model gone (a pruned artifact store): every check before loading passes."""
    (folder / "artifacts" / "scam_model.joblib").unlink()


def trained_by_other_feature_code(folder: Path) -> None:
    """The record of what the feature code made of one probe text changed, as if another
    normaliser had trained the model: the supervisor's checks pass (they run no feature code),
    the workers' do not."""
    from models.provenance import BEHAVIOUR_KEY

    mlmodel = folder / "MLmodel"
    record = yaml.safe_load(mlmodel.read_text(encoding="utf-8"))
    first = next(iter(record["metadata"][BEHAVIOUR_KEY].values()))
    first["normalising"] = "0" * len(first["normalising"])
    mlmodel.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize(("alter", "cause"), [
    (without_artifact, "scam_model.joblib"),
    (trained_by_other_feature_code, "reads text differently from this checkout's: normalising on 1 of"),
], ids=["no-artifact", "other-feature-code"])
def test_workers_that_cannot_start_stop_the_server_with_the_cause_and_exit_2(
    sms_model_uri: str, tmp_path: Path, alter: Callable[[Path], None], cause: str
) -> None:
    """Was a worker restarted every few seconds without end, the command never returning."""
    uri = register_altered_copy(sms_model_uri, f"yunmao-sms-{alter.__name__.replace('_', '-')}", tmp_path / "model", alter)
    port = free_port()
    result = subprocess.run([str(CLI), "serve", "--port", str(port), "--workers", "2", "--model", uri],
                            capture_output=True, text=True, env=serve_env(), timeout=SERVE_STARTUP_SECONDS)
    assert result.returncode == 2, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: workers failed to start 3 times and none started (serving.max_start_failures)"), last
    assert cause in last
    with socket.socket() as probe:  # no worker left holding the port
        probe.bind(("127.0.0.1", port))


@pytest.mark.parametrize(("environ", "message"), [
    ({"YUNMAO_API_KEY": "key-one-0123456789", "YUNMAO_SERVING__AUTH__API_KEY": "key-two-0123456789"},
     "YUNMAO_API_KEY and YUNMAO_SERVING__AUTH__API_KEY are both set, to different values"),
    ({"YUNMAO_ADMIN_API_KEY": "short"}, "auth.admin_api_key: String should have at least 16 characters"),
])
def test_serve_refuses_contradicting_or_weak_keys_from_the_environment(environ: dict[str, str], message: str) -> None:
    result = subprocess.run([str(CLI), "serve", "--port", str(free_port())], capture_output=True, text=True,
                            env=serve_env(environ), timeout=SERVE_STARTUP_SECONDS)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1
    assert message in result.stderr


def test_serve_on_a_host_name_is_one_line_and_exit_2() -> None:
    result = subprocess.run([str(CLI), "serve", "--host", "localhost"], capture_output=True, text=True, env=serve_env(),
                            timeout=SERVE_STARTUP_SECONDS)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == "error: --host must be an IP address such as 127.0.0.1 or 0.0.0.0, not 'localhost'"


def receive(sock: socket.socket, limit_s: float, complete=lambda received: False) -> tuple[bytes, float]:
    """What the server sends until ``complete(received)`` or it closes the connection, and how long
    that took; fails the test if neither happens within ``limit_s``."""
    start = time.monotonic()
    sock.settimeout(limit_s)
    received = b""
    try:
        while chunk := sock.recv(4096):
            received += chunk
            if complete(received):
                break
    except TimeoutError:
        pytest.fail(f"nothing conclusive from the server in {limit_s} s (received {received[:80]!r})")
    return received, time.monotonic() - start


def whole_response(received: bytes) -> bool:
    """One complete HTTP response (headers and Content-Length bytes of body) has arrived."""
    head, _, rest = received.partition(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), None)
    return length is not None and len(rest) >= length


@pytest.mark.slow
@pytest.mark.parametrize(
    "sent",
    [b"", b"POST /v1/sms/score HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl"],
    ids=["nothing", "half-the-headers"],
)
def test_a_connection_without_complete_headers_is_closed_within_the_header_timeout(two_workers: RunningServer, sent: bytes) -> None:
    with socket.create_connection(("127.0.0.1", two_workers.port)) as sock:
        sock.sendall(sent)
        received, waited = receive(sock, HEADERS_S * 3 + 5)
    assert received == b"" and waited <= HEADERS_S + 1  # closed at the first check, HEADERS_S after connecting


@pytest.mark.slow
def test_a_half_sent_body_is_answered_408_within_the_body_timeout(two_workers: RunningServer) -> None:
    head = (
        "POST /v1/sms/score HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {API_KEY}\r\nContent-Length: 200\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", two_workers.port)) as sock:
        sock.sendall(head.encode() + b'{"messages": [{"id": "x", "te')
        received, waited = receive(sock, BODY_S * 3 + 5, whole_response)
    assert received.startswith(b"HTTP/1.1 408"), received[:200]
    assert b"request body not received within" in received
    assert waited <= BODY_S + 1
