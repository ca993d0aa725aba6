"""A real MLflow tracking server works unchanged: only MLFLOW_TRACKING_URI differs."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from models.registry import load_scam_model
from tests.models.conftest import SMALL_SMS_CONFIG
from tests.servers import free_port, http_ok, running_server
from training.data.demo_sms import generate_demo_sms
from training.train import train_sms

pytestmark = pytest.mark.slow
STARTUP_SECONDS = 180  # a bound on the readiness wait: a new SQLite store's migrations run first, slow on a loaded machine


@pytest.fixture(scope="module")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("mlflow-server")
    port = free_port()
    argv = [
        str(Path(sys.executable).parent / "mlflow"), "server",
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
        "--backend-store-uri", f"sqlite:///{root / 'server.db'}",
        "--artifacts-destination", str(root / "artifacts"),
    ]
    url = f"http://127.0.0.1:{port}"
    # yunmao needs tracking and the registry only: no job runner processes (MLflow 3 starts five).
    env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    with running_server(argv, http_ok(f"{url}/health"), timeout=STARTUP_SECONDS, log=root / "server.log", env=env):
        yield url


def test_train_register_and_load_through_a_tracking_server(
    mlflow_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server)
    data = tmp_path / "sms.csv"
    generate_demo_sms(800, seed=5).to_csv(data, index=False)
    outcome = train_sms([data], SMALL_SMS_CONFIG, name="yunmao-sms-server")  # the server is under test, not the model
    registered = httpx.get(
        f"{mlflow_server}/api/2.0/mlflow/registered-models/get", params={"name": "yunmao-sms-server"}, timeout=10
    )
    assert registered.status_code == 200
    assert registered.json()["registered_model"]["aliases"][0]["alias"] == "challenger"
    model = load_scam_model("models:/yunmao-sms-server@challenger")
    assert model.thresholds.block >= model.thresholds.warn
    run = httpx.get(f"{mlflow_server}/api/2.0/mlflow/runs/get", params={"run_id": outcome.run_id}, timeout=10)
    assert run.status_code == 200, "the training run must be tracked on the server, not in the local store"
