"""``serving.overload`` without a model: the deadline header, and the worker's admission gate
held deterministically by an event (never a sleep)."""

from __future__ import annotations

import asyncio
import time

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from configs.serving import OverloadConfig
from serving.overload import (
    DEADLINE_SCOPE_KEY,
    Admission,
    BadDeadline,
    RequestDeadlineMiddleware,
    Shed,
    parse_deadline_ms,
)

SMS = "/v1/sms/score"
OTHER = "/v1/feedback"
HEADER = "X-Yunmao-Deadline-Ms"
CONFIG = OverloadConfig(max_deadline_ms=800, answer_margin_ms=0)


@pytest.mark.parametrize(("values", "expected"), [([], None), ([b"50"], 50), ([b" 7 "], 7), ([b"0"], 0), ([b"999999"], 800)])
def test_deadline_header_is_milliseconds_held_to_the_cap(values: list[bytes], expected: int | None) -> None:
    assert parse_deadline_ms(values, 800) == expected


@pytest.mark.parametrize("values", [[b"-1"], [b"1.5"], [b"50ms"], [b""], ["\u0663".encode()], [b"10", b"20"]])
def test_a_malformed_deadline_header_is_refused(values: list[bytes]) -> None:
    with pytest.raises(BadDeadline):
        parse_deadline_ms(values, 800)


async def _seen_deadline(request: Request) -> JSONResponse:
    return JSONResponse({"deadline": request.scope.get(DEADLINE_SCOPE_KEY)})


@pytest.fixture()
def client() -> TestClient:
    app = Starlette(routes=[Route(SMS, _seen_deadline, methods=["POST"]), Route(OTHER, _seen_deadline, methods=["POST"])])
    app.add_middleware(RequestDeadlineMiddleware, routes=[SMS], config=CONFIG)
    return TestClient(app)


def test_the_deadline_reaches_the_route_counted_from_arrival(client: TestClient) -> None:
    before = time.monotonic()
    deadline = client.post(SMS, headers={HEADER: "300"}).json()["deadline"]
    assert before + 0.3 <= deadline <= time.monotonic() + 0.3
    assert client.post(SMS).json() == {"deadline": None}


@pytest.mark.parametrize("value", ["-5", "soon", "1e3"])
def test_a_bad_deadline_header_gets_400_naming_it(client: TestClient, value: str) -> None:
    response = client.post(SMS, headers={HEADER: value})
    assert response.status_code == 400
    assert [d["field"] for d in response.json()["detail"]] == [HEADER]


def test_other_routes_ignore_the_header(client: TestClient) -> None:
    response = client.post(OTHER, headers={HEADER: "soon"})
    assert response.status_code == 200 and response.json() == {"deadline": None}


class HeldScorer:
    """A scorer that starts, says so, and finishes only when released."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        self.started.set()
        await self.release.wait()
        return "scored"


async def scored_at_once() -> str:
    return "scored"


def test_past_the_in_flight_limit_a_request_is_shed_at_once_and_the_slot_frees_after() -> None:
    async def run() -> None:
        gate: Admission[str] = Admission(OverloadConfig(max_in_flight=1))
        held = HeldScorer()
        first = asyncio.ensure_future(gate.run(SMS, held, None))
        await held.started.wait()
        assert await gate.run(SMS, held, None) == Shed("in_flight_limit")
        assert held.calls == 1  # the shed request never reached the scorer
        held.release.set()
        assert await first == "scored"
        assert gate.in_flight == 0
        assert await gate.run(SMS, held, None) == "scored"

    asyncio.run(run())


def test_an_expired_deadline_is_answered_without_scoring() -> None:
    async def run() -> None:
        gate: Admission[str] = Admission(OverloadConfig())
        held = HeldScorer()
        assert await gate.run(SMS, held, time.monotonic()) == Shed("deadline_expired")
        assert held.calls == 0 and gate.in_flight == 0

    asyncio.run(run())


def test_the_deadline_answer_comes_while_scoring_holds_its_slot_until_done() -> None:
    async def run() -> None:
        gate: Admission[str] = Admission(OverloadConfig(max_in_flight=2))
        held = HeldScorer()
        assert await gate.run(SMS, held, time.monotonic() + 0.02) == Shed("deadline_reached")
        assert gate.in_flight == 1  # the work goes on; its slot stays taken: the queue stays bounded
        held.release.set()
        for _ in range(100):  # let the background work end (event-loop turns, no time passes)
            if not gate.in_flight:
                break
            await asyncio.sleep(0)
        assert gate.in_flight == 0
        assert gate.latency_s > 0

    asyncio.run(run())


def test_a_request_expected_to_miss_its_deadline_is_shed_before_scoring() -> None:
    async def run() -> None:
        gate: Admission[str] = Admission(OverloadConfig(max_in_flight=8))
        held = HeldScorer()
        first = asyncio.ensure_future(gate.run(SMS, held, None))
        await held.started.wait()
        gate.latency_s = 0.5  # recent requests took half a second
        assert await gate.run(SMS, held, time.monotonic() + 0.1) == Shed("deadline_predicted")
        assert held.calls == 1
        held.release.set()
        await first
        # nothing in flight: no queue to wait behind, so the prediction does not apply
        assert await gate.run(SMS, scored_at_once, time.monotonic() + 0.1) == "scored"

    asyncio.run(run())
