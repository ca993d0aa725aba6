"""A real MLflow tracking server works unchanged: only MLFLOW_TRACKING_URI differs."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from configs import default_config_path, load_config
from configs.sms import SmsConfig
from models.registry import load_scam_model
from training.data.demo_sms import generate_demo_sms
from training.train import train_sms

pytestmark = pytest.mark.slow
STARTUP_SECONDS = 90


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("mlflow-server")
    port = free_port()
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "mlflow"), "server",
            "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
            "--backend-store-uri", f"sqlite:///{root / 'server.db'}",
            "--artifacts-destination", str(root / "artifacts"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # the server forks uvicorn and job consumers: stop them as a group
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    else:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail(f"mlflow server did not answer on {url} within {STARTUP_SECONDS}s")
    yield url
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def test_train_register_and_load_through_a_tracking_server(
    mlflow_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server)
    data = tmp_path / "sms.csv"
    generate_demo_sms(800, seed=5).to_csv(data, index=False)
    outcome = train_sms([data], load_config(default_config_path("sms"), SmsConfig), name="yunmao-sms-server")
    registered = httpx.get(
        f"{mlflow_server}/api/2.0/mlflow/registered-models/get", params={"name": "yunmao-sms-server"}, timeout=10
    )
    assert registered.status_code == 200
    assert registered.json()["registered_model"]["aliases"][0]["alias"] == "challenger"
    model = load_scam_model("models:/yunmao-sms-server@challenger")
    assert model.thresholds.block >= model.thresholds.warn
    run = httpx.get(f"{mlflow_server}/api/2.0/mlflow/runs/get", params={"run_id": outcome.run_id}, timeout=10)
    assert run.status_code == 200, "the training run must be tracked on the server, not in the local store"
