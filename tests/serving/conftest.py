"""Fixtures for the service tests: real (small) registered SMS and call models, a profile store
with the call model's demo callers, and ways to reach the service.
(``PROMETHEUS_MULTIPROC_DIR`` for in-process apps is set by the root conftest, see there.)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from subprocess import Popen
from typing import TYPE_CHECKING

import pytest

from tests.servers import CONDITION_SECONDS, free_port, port_open, running_server, system_binary

if TYPE_CHECKING:
    import pandas as pd


TEST_MODEL = "yunmao-sms-serving-test"
# Small but real: the shipped pipeline (jieba, char/word n-grams, stacking, LightGBM, calibration,
# fraud-type head) with fewer features and rounds so the session fixture trains in seconds.
SMALL_SMS_CONFIG = {
    "features": {"char": {"max_features": 3000}, "word": {"max_features": 2000}, "linear_score": {"folds": 2}},
    "lightgbm": {"num_boost_round": 60, "early_stopping_rounds": 20,
                 "params": {"num_threads": 1, "num_leaves": 7, "min_data_in_leaf": 5}},
    "fraud_type": {"lightgbm": {"num_boost_round": 30, "early_stopping_rounds": 10, "params": {"num_threads": 1}}},
    "category": {"lightgbm": {"num_boost_round": 30, "early_stopping_rounds": 10, "params": {"num_threads": 1}}},
}


TEST_CALL_MODEL = "yunmao-call-serving-test"
# The demo CDR generator and the shipped call pipeline, with fewer numbers, days, folds and rounds.
SMALL_CALL_CONFIG = {
    "demo": {"normal": 120, "delivery": 12, "sales": 12, "fraud": 20, "simbox_farms": 2, "sims_per_farm": 5, "days": 14},
    "split": {"folds": 2},
    "lightgbm": {"num_boost_round": 60, "early_stopping_rounds": 20,
                 "params": {"num_threads": 1, "num_leaves": 7, "min_child_samples": 5}},
}


@dataclass(frozen=True)
class CallSetup:
    """A registered champion call model and the store holding its demo callers' profiles."""

    uri: str
    store_url: str
    profiles: pd.DataFrame  # the published profiles (labels, den ids, the model's graph columns), one row per demo caller


@pytest.fixture(scope="session")
def call_setup(isolated_data_dir: Path) -> CallSetup:
    """Quickstart's own path on small demo CDRs: links and dens found, a graph call model trained,
    registered and made champion, its scoring-time profiles published to a temp SQLite store."""
    from configs.call import CallConfig
    from models.registry import set_alias
    from training.quickstart import prepare_demo_calls

    store_url = f"sqlite:///{isolated_data_dir / 'serving-profiles.db'}"
    config = CallConfig.model_validate({**SMALL_CALL_CONFIG, "profile_store": {"url": store_url}})
    made = prepare_demo_calls(isolated_data_dir / "serving-calls", 7, config, lambda _: None, name=TEST_CALL_MODEL)
    set_alias(made.outcome.name, made.outcome.version, "champion")
    return CallSetup(f"models:/{TEST_CALL_MODEL}@champion", store_url, made.published)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throwaway ``redis-server`` on a free loopback port (no persistence)."""
    binary = system_binary("redis-server")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(workdir)]
    with running_server(argv, port_open(port), timeout=CONDITION_SECONDS, log=workdir / "redis.log"):
        yield f"redis://127.0.0.1:{port}/0"


@contextmanager
def durable_redis(workdir: Path, port: int):
    """redis-server fsyncing every write to its append-only file in ``workdir``."""
    argv = [system_binary("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "yes", "--appendfsync", "always", "--dir", str(workdir)]
    with running_server(argv, port_open(port), timeout=CONDITION_SECONDS, log=workdir / "redis.log") as proc:
        yield proc


@dataclass(frozen=True)
class DurableRedis:
    url: str
    workdir: Path
    port: int
    proc: Popen[bytes]


@pytest.fixture
def durable(tmp_path: Path) -> Iterator[DurableRedis]:
    port = free_port()
    with durable_redis(tmp_path, port) as proc:
        yield DurableRedis(f"redis://127.0.0.1:{port}/0", tmp_path, port, proc)


@pytest.fixture(scope="session")
def demo_frame():
    from training.data.demo_sms import generate_demo_sms

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


def set_serving_env(mp: pytest.MonkeyPatch, sms_uri: str, calls: CallSetup) -> None:
    """The service's environment: the test models and profile store, auth off."""
    mp.setenv("YUNMAO_SMS_MODEL", sms_uri)
    mp.setenv("YUNMAO_CALL_MODEL", calls.uri)
    mp.setenv("YUNMAO_PROFILE_STORE", calls.store_url)
    mp.delenv("YUNMAO_API_KEY", raising=False)


@pytest.fixture
def serving_env(monkeypatch: pytest.MonkeyPatch, sms_model_uri: str, call_setup: CallSetup) -> Iterator[str]:
    """The service's environment for one test (see :func:`set_serving_env`); yields the SMS URI."""
    set_serving_env(monkeypatch, sms_model_uri, call_setup)
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
