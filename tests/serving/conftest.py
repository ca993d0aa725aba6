"""Fixtures for the service tests: a real (small) registered SMS model and ways to reach it.

``PROMETHEUS_MULTIPROC_DIR`` must exist before ``prometheus_client`` is first imported, because
BentoML serves ``/metrics`` from the multiprocess registry even in-process (``to_asgi()``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="yunmao-prom-"))

TEST_MODEL = "yunmao-sms-serving-test"
# Small but real: the shipped pipeline (jieba, char/word n-grams, stacking, LightGBM, calibration,
# fraud-type head) with fewer features and rounds so the session fixture trains in seconds.
SMALL_SMS_CONFIG = {
    "features": {"char": {"max_features": 3000}, "word": {"max_features": 2000}, "linear_score": {"folds": 2}},
    "lightgbm": {"num_boost_round": 60, "early_stopping_rounds": 20, "params": {"num_threads": 1, "num_leaves": 7, "min_data_in_leaf": 5}},
    "fraud_type": {"lightgbm": {"num_boost_round": 30, "early_stopping_rounds": 10, "params": {"num_threads": 1}}},
}


@pytest.fixture(scope="session")
def demo_frame():
    from training.demo_sms import generate_demo_sms

    return generate_demo_sms(600, 3)


@pytest.fixture(scope="session")
def sms_model_uri(isolated_data_dir: Path, demo_frame) -> str:
    """Train the small model on demo data, register it and make it champion."""
    from configs.sms import SmsConfig
    from models.registry import set_alias
    from training.train import train_sms

    path = isolated_data_dir / "serving-demo.csv"
    demo_frame.to_csv(path, index=False)
    outcome = train_sms([path], SmsConfig.model_validate(SMALL_SMS_CONFIG), name=TEST_MODEL)
    set_alias(outcome.name, outcome.version, "champion")
    return f"models:/{TEST_MODEL}@champion"


def register_copy(source_uri: str, name: str) -> str:
    """Register the model behind ``source_uri`` as a new version of ``name``, make it champion.

    A new version with the same weights is all a reload test needs, at no training cost.
    """
    from mlflow import MlflowClient

    from models.registry import configure_tracking, resolve_model_version, set_alias

    configure_tracking()
    client = MlflowClient()
    src_name, src_version = resolve_model_version(source_uri)
    source = client.get_model_version(src_name, src_version)
    try:
        client.get_registered_model(name)
    except Exception:  # noqa: BLE001 - first copy creates the registered model
        client.create_registered_model(name)
    version = client.create_model_version(name, source.source, run_id=source.run_id)
    set_alias(name, str(version.version), "champion")
    return str(version.version)


@pytest.fixture
def serving_env(monkeypatch: pytest.MonkeyPatch, sms_model_uri: str) -> Iterator[str]:
    """The service's environment for one test: the test model, auth off."""
    monkeypatch.setenv("YUNMAO_SMS_MODEL", sms_model_uri)
    monkeypatch.delenv("YUNMAO_API_KEY", raising=False)
    yield sms_model_uri


def fresh_asgi_app():
    """``YunmaoService.to_asgi()`` that can be built more than once per process.

    BentoML registers its request metrics on prometheus' global registry each time an app is
    built, and a second app collides with the first. ``/metrics`` is served from the
    multiprocess files, not that registry, so emptying it between test apps loses nothing.
    """
    from prometheus_client import REGISTRY

    from serving.service import YunmaoService

    for collector in list(REGISTRY._collector_to_names):
        REGISTRY.unregister(collector)
    return YunmaoService.to_asgi()
