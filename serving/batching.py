"""Adaptive batching of small scoring requests with BentoML's cork dispatcher, in process.

Why not ``@bentoml.api(batchable=True)`` on an inner method called through ``self.to_async``:
that route re-serialises every request through BentoML's own HTTP client and ASGI stack, which
measured 4.4 ms per call here, most of a 5 ms latency budget. The dispatcher behind
``batchable=True`` (``CorkDispatcher``: it learns the batch cost and waits only while waiting
pays) is used directly instead, with the same ``max_batch_size`` / ``max_latency_ms`` knobs.
It is BentoML-internal; ``tests/serving/test_batching.py`` pins the behaviour relied on here
(requests share model calls, an overdue request is scored alone, outputs stay aligned). Kept by
measurement under the overload limit: scoring each request on its own
(``batching.direct_min_messages: 1``) scored fewer decisions/s at 16 clients (docs/benchmarks.md,
overload section).

When the dispatcher predicts a request would wait past ``max_latency_ms`` (a burst, a model
reload taking the CPU), it refuses it; the request is then scored on its own instead of failed:
carrier hooks rarely retry, and an unbatched answer a little later beats a 503.

A lone request (no other caller of this batcher waiting or being scored) has nothing to share a
model call with, so it skips the dispatcher's queue and is scored on a worker thread at once:
the one-client case pays neither the queue nor the dispatcher's wake-ups (docs/benchmarks.md,
"HTTP per-request overhead"). Admission, deadlines and metrics are the caller's and unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, NoReturn, TypeVar

from bentoml._internal.marshal.dispatcher import CorkDispatcher
from bentoml.exceptions import ServiceUnavailable
from starlette.concurrency import run_in_threadpool

In = TypeVar("In")
Out = TypeVar("Out")


def _overloaded() -> NoReturn:
    raise ServiceUnavailable("the request would wait longer than batching.max_latency_ms")


class Batcher(Generic[In, Out]):
    """``await batcher(items)`` → ``score(all items of the batch)`` sliced back to the caller.

    ``score`` runs on a worker thread, one batch at a time, and must return one output per input
    in order. The dispatcher is created on first use so it binds to the serving event loop.
    """

    def __init__(self, score: Callable[[list[In]], list[Out]], max_batch_size: int, max_latency_ms: int) -> None:
        self._score = score
        self.max_batch_size = max_batch_size
        self.max_latency_ms = max_latency_ms
        self._dispatch: Callable[[list[In]], object] | None = None
        self._callers = 0  # calls of this batcher not yet answered (event loop only: no lock)

    async def __call__(self, items: list[In]) -> list[Out]:
        lone = self._callers == 0
        self._callers += 1
        try:
            return await (self._alone(items) if lone else self._dispatched(items))
        finally:
            self._callers -= 1

    async def _alone(self, items: list[In]) -> list[Out]:
        (outputs,) = await run_in_threadpool(self._run, [items])
        return outputs

    async def _dispatched(self, items: list[In]) -> list[Out]:
        if self._dispatch is None:
            dispatcher = CorkDispatcher(
                max_latency_in_ms=self.max_latency_ms,
                max_batch_size=self.max_batch_size,
                fallback=_overloaded,
                get_batch_size=len,
            )
            self._dispatch = dispatcher(self._run)
        try:
            return await self._dispatch(items)  # type: ignore[misc]
        except ServiceUnavailable:
            return await self._alone(items)

    def _run(self, jobs: Sequence[list[In]]) -> list[list[Out]]:
        flat = [item for job in jobs for item in job]
        outputs = self._score(flat)
        if len(outputs) != len(flat):
            raise RuntimeError(f"batch scorer returned {len(outputs)} outputs for {len(flat)} inputs")
        sliced, start = [], 0
        for job in jobs:
            sliced.append(outputs[start : start + len(job)])
            start += len(job)
        return sliced
