"""The worker's startup heap is frozen out of full garbage collections (serving/heap.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from configs import default_config_path, load_config
from configs.serving import ServingConfig
from serving.heap import freeze_startup_heap
from tests.serving.conftest import fresh_asgi_app


@pytest.fixture
def unfrozen_after() -> Iterator[None]:
    """Give pytest's heap back to the collector whatever the test did."""
    yield
    gc.unfreeze()


def in_oldest_generation(obj: object) -> bool:
    return any(candidate is obj for candidate in gc.get_objects(generation=2))


def test_objects_alive_at_the_freeze_leave_the_collectors_generations(unfrozen_after: None) -> None:
    startup = [{"key": i} for i in range(1000)]  # containers: the kind a collection walks
    gc.collect()
    assert in_oldest_generation(startup)
    frozen = freeze_startup_heap(True)
    # Not equal: a frozen object can still be freed by reference counting (another thread's, or
    # log_event's temporaries, dropped after the freeze), so the permanent generation can only
    # shrink between the two reads; nothing joins it without another freeze.
    assert frozen >= gc.get_freeze_count() >= len(startup)
    assert not in_oldest_generation(startup)
    later = [{"key": -1}]
    gc.collect()
    assert in_oldest_generation(later)  # what requests allocate afterwards is still collected


def test_disabled_it_leaves_the_heap_as_it_is(unfrozen_after: None) -> None:
    gc.unfreeze()  # from an empty permanent generation: one left by earlier tests could only shrink
    assert freeze_startup_heap(False) == 0
    assert gc.get_freeze_count() == 0


def test_the_shipped_config_freezes_a_ready_worker(serving_env: str, monkeypatch: pytest.MonkeyPatch,
                                                   unfrozen_after: None) -> None:
    from serving import service

    shipped = load_config(default_config_path("serving"), ServingConfig, environ={})
    assert shipped.gc_freeze
    config = service.load_serving_config().model_copy(update={"gc_freeze": True})  # the test env turns it off
    monkeypatch.setattr(service, "load_serving_config", lambda: config)
    gc.unfreeze()
    with TestClient(fresh_asgi_app()) as client:
        assert client.get("/readyz").status_code == 200
        assert gc.get_freeze_count() > 0
