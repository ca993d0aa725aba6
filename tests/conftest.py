"""Shared fixtures: an isolated data dir / MLflow store for the test session, and the real data path."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

# Services built in the test process must not freeze pytest's heap (serving/heap.py): objects
# frozen there would escape the cycle collector for the rest of the session, and each service
# start would pay a full collection. tests/serving/test_heap.py turns it on where it is tested.
os.environ.setdefault("YUNMAO_SERVING__GC_FREEZE", "false")

from configs.paths import PROJECT_ROOT

if TYPE_CHECKING:
    from models.scam_model import ScamModel

# BentoML serves /metrics from prometheus' multiprocess files even in-process (to_asgi()), and
# prometheus_client picks its value class once, when first imported: the folder must be set
# before ANY test module imports it (tests/deploy imports serving.metrics at collection, before
# tests/serving is reached), so it is set here, in the conftest pytest imports first.
# pytest-xdist workers inherit the controller's folder: each worker gets a subfolder of its own, or
# a gauge summed over live processes (``yunmao_in_flight``, livesum) reads another worker's files.
_PROMETHEUS_DIR = Path(os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="yunmao-prom-")))
if _XDIST_WORKER := os.environ.get("PYTEST_XDIST_WORKER"):
    (_PROMETHEUS_DIR / _XDIST_WORKER).mkdir(exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(_PROMETHEUS_DIR / _XDIST_WORKER)

SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
# pyproject's pytest-timeout default (300 s) bounds every other test. Slow tests (a real server
# plus a full training run) took up to 300 s on a 2-core machine shared with other jobs, so they
# get twice that: still a clear failure for a hang, not for a busy machine.
SLOW_TEST_TIMEOUT_SECONDS = 600
# Module ranks of :func:`_heaviest_first`, the lowest starts first.
_REAL_DATA_FIT, _SLOW, _LIGHT = 0, 1, 2


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give tests marked ``slow`` the longer timeout, unless they set their own; then start the
    heaviest modules first (:func:`_heaviest_first`)."""
    for item in items:
        if item.get_closest_marker("slow") and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(SLOW_TEST_TIMEOUT_SECONDS))
    items[:] = _heaviest_first(items)


def _heaviest_first(items: list[pytest.Item]) -> list[pytest.Item]:
    """``items`` with the modules of the real-data fits first, then the other modules with slow
    tests, then the rest, each group in collection order. pytest-xdist's ``loadscope`` hands out one
    module at a time in this order (pyproject passes ``--no-loadscope-reorder``; its own reorder puts
    modules with many tests first, so the one-test real-data fits of 1–2.5 minutes each came last
    and one worker ran them while the other had finished)."""
    module_rank: dict[str, int] = {}
    for item in items:
        module = _module_of(item)
        module_rank[module] = min(module_rank.get(module, _LIGHT), _heaviness_rank(item))
    return sorted(items, key=lambda item: module_rank[_module_of(item)])  # stable: collection order within a rank


def _heaviness_rank(item: pytest.Item) -> int:
    if item.get_closest_marker("slow"):
        return _REAL_DATA_FIT if item.get_closest_marker("realdata") else _SLOW
    return _LIGHT


def _module_of(item: pytest.Item) -> str:
    return item.nodeid.split("::", 1)[0]


def shared_data(*parts: str) -> Path:
    """Path into ../shared/data; skips the test with a clear reason where it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path} is absent (CI provides ../shared/data)")
    return path


@pytest.fixture(scope="session", autouse=True)
def isolated_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The whole session uses a temporary data dir and SQLite MLflow store, never ./data.

    Tests that need a registry of their own use distinct model names.
    """
    path = tmp_path_factory.mktemp("yunmao-data")
    saved = {key: os.environ.get(key) for key in ("YUNMAO_DATA_DIR", "MLFLOW_TRACKING_URI")}
    os.environ["YUNMAO_DATA_DIR"] = str(path)
    os.environ.pop("MLFLOW_TRACKING_URI", None)
    yield path
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def demo_trained_model(tmp_path_factory: pytest.TempPathFactory) -> ScamModel:
    """The model ``make run`` ships: the shipped demo SMS (``configs/demo.yaml``) written and loaded
    as the quickstart writes and loads them, trained with its configuration (no MLflow). Trained
    once per run (about a minute on one core): every test about the default model's behaviour
    shares it. Under pytest-xdist the first worker to need it trains it and leaves it in the run's
    temp dir for the others, which load it: each worker trained its own until then."""
    import joblib
    from filelock import FileLock

    from training.data.demo_sms import default_demo_config
    from training.quickstart import fit_demo_sms

    def train() -> ScamModel:
        return fit_demo_sms(tmp_path_factory.mktemp("demo"), default_demo_config().seed).model

    if _XDIST_WORKER is None:
        return train()
    run_dir = tmp_path_factory.getbasetemp().parent  # this run's, the parent of every worker's own
    saved = run_dir / "demo-trained-model.joblib"
    with FileLock(run_dir / "demo-trained-model.lock"):
        if not saved.exists():
            joblib.dump(train(), saved)
        return joblib.load(saved)  # every worker tests the same round-tripped model, as the service loads one
