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

import serving.overload
from configs.serving import OverloadConfig
from serving.overload import (
    DEADLINE_SCOPE_KEY,
    SHED_SCOPE_KEY,
    Admission,
    BadDeadline,
    OverloadMiddleware,
    Shed,
    parse_deadline_ms,
)

SMS = "/v1/sms/score"
OTHER = "/v1/feedback"
HEADER = "X-Yunmao-Deadline-Ms"
CONFIG = OverloadConfig(max_deadline_ms=800, answer_margin_ms=0)


@pytest.mark.parametrize(("values", "expected"), [
    ([], None), ([b"50"], 50), ([b" 7 "], 7), ([b"0"], 0), ([b"999999"], 800),
    ([b"9" * 5000], 800),  # past Python's int() digit limit: held to the cap, not a ValueError (a 30 s hang, then 500)
    ([b"0" * 5000 + b"7"], 7),
])
def test_deadline_header_is_milliseconds_held_to_the_cap(values: list[bytes], expected: int | None) -> None:
    assert parse_deadline_ms(values, 800) == expected


@pytest.mark.parametrize("values", [[b"-1"], [b"1.5"], [b"50ms"], [b""], ["\u0663".encode()], [b"10", b"20"]])
def test_a_malformed_deadline_header_is_refused(values: list[bytes]) -> None:
    with pytest.raises(BadDeadline):
        parse_deadline_ms(values, 800)


async def _seen_deadline(request: Request) -> JSONResponse:
    seen = {"deadline": request.scope.get(DEADLINE_SCOPE_KEY)}
    if SHED_SCOPE_KEY in request.scope:
        seen["shed"] = request.scope[SHED_SCOPE_KEY]
    return JSONResponse(seen)


@pytest.fixture()
def client(monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setattr(serving.overload, "_current", [])  # no service here unless a test installs a gate
    app = Starlette(routes=[Route(SMS, _seen_deadline, methods=["POST"]), Route(OTHER, _seen_deadline, methods=["POST"])])
    app.add_middleware(OverloadMiddleware, routes=[SMS], config=CONFIG)
    return TestClient(app)


def test_the_deadline_reaches_the_route_counted_from_arrival(client: TestClient) -> None:
    before = time.monotonic()
    deadline = client.post(SMS, headers={HEADER: "300"}).json()["deadline"]
    assert before + 0.3 <= deadline <= time.monotonic() + 0.3
    assert client.post(SMS).json() == {"deadline": None}  # no header: no deadline


@pytest.mark.parametrize("value", ["-5", "soon", "1e3"])
def test_a_bad_deadline_header_gets_400_naming_it(client: TestClient, value: str) -> None:
    response = client.post(SMS, headers={HEADER: value})
    assert response.status_code == 400
    assert [d["field"] for d in response.json()["detail"]] == [HEADER]


RECEIVED = "X-Yunmao-Received-Ms"


def test_behind_the_front_the_budget_counts_from_when_the_front_received_the_request(client: TestClient) -> None:
    """The wait in the front's queue is paid from the hook's budget (docs/overload.md)."""
    received_ms = int(time.time() * 1000) - 120  # the front received it 120 ms ago
    before = time.monotonic()
    deadline = client.post(SMS, headers={HEADER: "300", RECEIVED: str(received_ms)}).json()["deadline"]
    assert before + 0.3 - 0.120 - 0.005 <= deadline <= time.monotonic() + 0.3 - 0.120


def test_a_received_time_ahead_of_the_clock_never_lengthens_the_budget(client: TestClient) -> None:
    before = time.monotonic()
    ahead = str(int(time.time() * 1000) + 60_000)
    deadline = client.post(SMS, headers={HEADER: "300", RECEIVED: ahead}).json()["deadline"]
    assert before + 0.3 <= deadline <= time.monotonic() + 0.3


def test_a_budget_spent_in_the_front_is_an_expired_deadline(client: TestClient) -> None:
    long_ago = str(int(time.time() * 1000) - 5_000)
    deadline = client.post(SMS, headers={HEADER: "300", RECEIVED: long_ago}).json()["deadline"]
    assert deadline <= time.monotonic()


@pytest.mark.parametrize("value", ["-5", "soon", "1.5e12", "9" * 17])
def test_a_bad_received_header_with_a_deadline_gets_400_naming_it(client: TestClient, value: str) -> None:
    response = client.post(SMS, headers={HEADER: "300", RECEIVED: value})
    assert response.status_code == 400
    assert [d["field"] for d in response.json()["detail"]] == [RECEIVED]


def test_without_a_deadline_the_received_header_is_not_read(client: TestClient) -> None:
    assert client.post(SMS, headers={RECEIVED: "soon"}).json() == {"deadline": None}


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


def admitted(deadline: float | None) -> dict[str, object]:
    """The scope of a request OverloadMiddleware admitted with ``deadline``."""
    return {DEADLINE_SCOPE_KEY: deadline}


def test_past_the_in_flight_limit_a_request_is_refused_until_a_slot_frees() -> None:
    gate: Admission[str] = Admission(OverloadConfig(max_in_flight=2))
    gate.enter()
    assert gate.refusal(None, time.monotonic()) is None
    gate.enter()
    assert gate.refusal(None, time.monotonic()) == "in_flight_limit"
    gate.leave()
    assert gate.refusal(None, time.monotonic()) is None


def test_an_expired_deadline_is_answered_without_scoring() -> None:
    gate: Admission[str] = Admission(OverloadConfig())
    assert gate.refusal(time.monotonic() - 0.001, time.monotonic()) == "deadline_expired"
    held = HeldScorer()  # spent while the body was read: the service does not start scoring
    assert asyncio.run(gate.score_request(SMS, held, admitted(time.monotonic()))) == Shed("deadline_expired")
    assert held.calls == 0 and gate.in_flight == 0


def test_a_request_marked_shed_by_the_middleware_is_answered_without_scoring() -> None:
    gate: Admission[str] = Admission(OverloadConfig(policy="allow"))
    held = HeldScorer()
    assert asyncio.run(gate.score_request(SMS, held, {SHED_SCOPE_KEY: "in_flight_limit"})) == Shed("in_flight_limit")
    assert held.calls == 0


def test_the_deadline_answer_comes_while_scoring_holds_a_slot_until_done() -> None:
    async def run() -> None:
        gate: Admission[str] = Admission(OverloadConfig(max_in_flight=2))
        held = HeldScorer()
        assert await gate.score_request(SMS, held, admitted(time.monotonic() + 0.02)) == Shed("deadline_reached")
        assert gate.in_flight == 1  # the work goes on and keeps a slot: the queue stays bounded
        held.release.set()
        for _ in range(100):  # let the background work end (event-loop turns, no time passes)
            if not gate.in_flight:
                break
            await asyncio.sleep(0)
        assert gate.in_flight == 0 and gate.latency_s > 0

    asyncio.run(run())


def test_scored_in_time_the_answer_is_the_scorers() -> None:
    gate: Admission[str] = Admission(OverloadConfig())
    assert asyncio.run(gate.score_request(SMS, scored_at_once, admitted(time.monotonic() + 5))) == "scored"
    assert asyncio.run(gate.score_request(SMS, scored_at_once, admitted(None))) == "scored"


def test_a_request_expected_to_miss_its_deadline_is_refused_before_scoring() -> None:
    gate: Admission[str] = Admission(OverloadConfig(max_in_flight=8))
    gate.latency_s = 0.5  # recent requests took half a second to score
    now = time.monotonic()
    assert gate.refusal(now + 0.1, now) is None  # nothing in flight: no queue to wait behind
    gate.enter()
    assert gate.refusal(now + 0.1, now) == "deadline_predicted"
    assert gate.refusal(now + 1.0, now) is None


async def scored_at_once() -> str:
    return "scored"


@pytest.mark.parametrize("policy", ["unavailable", "allow"])
def test_a_full_gate_refuses_before_the_route_under_503_and_marks_the_request_under_fail_open(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, policy: str
) -> None:
    gate: Admission[str] = Admission(OverloadConfig(max_in_flight=1, policy=policy))
    gate.enter()
    monkeypatch.setattr(serving.overload, "_current", [gate])
    response = client.post(SMS, content=b'{"messages": []}')
    if policy == "unavailable":
        assert response.status_code == 503 and response.headers["retry-after"] == "1"
        assert "in_flight_limit" in response.json()["error"]
    else:  # the route (the service) answers fail-open, naming each record
        assert response.status_code == 200 and response.json() == {"deadline": None, "shed": "in_flight_limit"}
    assert gate.in_flight == 1  # a refused request takes no slot
