"""``serving.batching.Batcher`` over BentoML's internal ``CorkDispatcher``: what the service
relies on, pinned so a BentoML upgrade that changes it fails here."""

from __future__ import annotations

import asyncio
import time

import pytest

import serving.batching
from serving.batching import Batcher


def test_concurrent_requests_share_model_calls_and_get_their_own_results_back() -> None:
    calls: list[int] = []

    def score(items: list[int]) -> list[int]:
        calls.append(len(items))
        return [item * 10 for item in items]

    batcher: Batcher[int, int] = Batcher(score, max_batch_size=64, max_latency_ms=500)

    async def run() -> list[list[int]]:
        return await asyncio.gather(*(batcher([i, i + 100]) for i in range(40)))

    results = asyncio.run(run())
    assert results == [[i * 10, (i + 100) * 10] for i in range(40)]
    assert sum(calls) == 80 and len(calls) < 40  # requests shared model calls
    assert max(calls) <= 64  # never more than max_batch_size items in one call


def test_a_request_the_dispatcher_refuses_as_overdue_is_scored_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    solo_jobs: list[list[list[int]]] = []
    real_run_in_threadpool = serving.batching.run_in_threadpool

    async def spy(func, jobs):  # the fallback path: Batcher scores the refused request by itself
        solo_jobs.append(jobs)
        return await real_run_in_threadpool(func, jobs)

    monkeypatch.setattr(serving.batching, "run_in_threadpool", spy)

    def slow(items: list[int]) -> list[int]:
        time.sleep(0.05)  # far over the 1 ms budget: the dispatcher refuses the later requests
        return [item + 1 for item in items]

    batcher: Batcher[int, int] = Batcher(slow, max_batch_size=4, max_latency_ms=1)

    async def run() -> list[list[int]]:
        return await asyncio.gather(*(batcher([i]) for i in range(30)))

    assert asyncio.run(run()) == [[i + 1] for i in range(30)]  # none failed
    refused = [jobs for jobs in solo_jobs if jobs != [[0]]]  # request 0 came alone: scored at once, not refused
    assert refused, "no request was refused as overdue: the fallback path went untested"
    assert all(len(jobs) == 1 for jobs in refused)  # each refused request scored on its own


def test_a_lone_request_is_scored_at_once_without_the_dispatcher(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_dispatcher(**_: object) -> None:
        raise AssertionError("a lone request went through the dispatcher's queue")

    monkeypatch.setattr(serving.batching, "CorkDispatcher", no_dispatcher)
    calls: list[list[int]] = []

    def score(items: list[int]) -> list[int]:
        calls.append(items)
        return [item * 10 for item in items]

    batcher: Batcher[int, int] = Batcher(score, max_batch_size=64, max_latency_ms=500)

    async def one_after_another() -> list[list[int]]:
        return [await batcher([i]) for i in range(3)]

    assert asyncio.run(one_after_another()) == [[0], [10], [20]]
    assert calls == [[0], [1], [2]]  # each scored by itself, in order


def test_a_scorer_that_drops_outputs_is_an_error_not_a_misaligned_answer() -> None:
    batcher: Batcher[int, int] = Batcher(lambda items: items[:-1], max_batch_size=8, max_latency_ms=500)
    with pytest.raises(RuntimeError, match="outputs for"):
        asyncio.run(batcher([1, 2]))
