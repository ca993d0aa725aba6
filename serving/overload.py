"""Overload: every scoring request is answered within the hook's deadline, by the model or by policy.

A carrier hook waits tens of milliseconds for a decision; a queue that grows under a flood
answers in seconds, after the hook has given up, and slows every later request too. So each
worker scores at most ``overload.max_in_flight`` requests at once, and a request is answered at
once by ``overload.policy`` (503 + ``Retry-After``, or fail-open ``allow``) when:

* ``in_flight_limit``: the worker already scores ``max_in_flight`` requests;
* ``deadline_expired``: the hook's budget (header ``overload.deadline_header``, milliseconds,
  read by :class:`OverloadMiddleware`) is spent before scoring starts (it was 0, or the
  body and validation took it);
* ``deadline_predicted``: other requests are being scored and the recent scoring latency
  (a moving average) says this one would finish past the deadline;
* ``deadline_reached``: scoring started but the deadline came first. The answer goes out then;
  the scoring finishes in the background and holds its in-flight slot until it does, so shed
  work still counts against the limit and the queue stays bounded.

Shedding must cost far less than scoring, or a flood of shed requests starves the scoring
ones (measured: with every shed request parsed, validated and dispatched by BentoML first, 64
closed-loop clients cut scored decisions/s to 18 % of the 16-client figure). So
:class:`OverloadMiddleware` admits or refuses a request before its body is even read (an
admitted one holds its slot from then until it is answered), and under the 503 policy answers a
refused one at once. The fail-open policy needs each record's id to answer, so there a refused
request is still parsed and validated and the service gives the answer (a costlier shed:
docs/benchmarks.md).

Only the scoring routes are shed. ``/livez`` and ``/readyz`` are not: a shed probe would take
every worker out of the load balancer at once in a flood, turning a slowdown into an outage.
``/metrics`` is not: the operator needs it most during overload. ``/v1/feedback`` is not:
analysts' labels are rare, cheap (one SQLite insert) and not on the hook's path.
``/v1/admin/reload`` is not: rolling out a faster model must work during a flood.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from configs.serving import OverloadConfig
from serving.errors import error_body, send_json, unavailable
from serving.logs import log_event
from serving.metrics import record_in_flight, record_shed
from serving.reload import LoadedModel
from serving.schemas import ErrorDetail, ScoreResponse
from serving.scoring import Unscored, build_response

if TYPE_CHECKING:
    from serving.shadow_process import InFlight

DEADLINE_SCOPE_KEY = "yunmao.deadline"
"""Scope key of a request's deadline (a ``time.monotonic()`` value; None when the hook sent none)."""
SHED_SCOPE_KEY = "yunmao.shed"
"""Scope key of the reason a request is shed, left for the service under the fail-open policy."""

T = TypeVar("T")

OVERLOADED = Unscored(action="allow", reasons=("overloaded",))
"""The fail-open verdict: let the record through, saying it was not scored."""


class BadDeadline(ValueError):
    """A header the deadline is read from is malformed: the hook's budget (not one non-negative
    integer of milliseconds) or the front's received time (not one integer of epoch milliseconds)."""


def parse_deadline_ms(values: list[bytes], max_ms: int) -> int | None:
    """The hook's budget in milliseconds from the header's ``values``, held to ``max_ms``;
    None when the header is absent.

    Raises:
        BadDeadline: sent twice, or not a non-negative integer (``0`` is valid: already spent).
    """
    if not values:
        return None
    if len(values) > 1:
        raise BadDeadline("sent more than once; send exactly one")
    text = values[0].decode("latin-1").strip()
    if not text.isascii() or not text.isdigit():
        raise BadDeadline("must be a non-negative integer of milliseconds, e.g. 50")
    digits = text.lstrip("0") or "0"
    if len(digits) > len(str(max_ms)):  # past the cap whatever its value; int() refuses > 4,300 digits
        return max_ms
    return min(int(digits), max_ms)


EPOCH_MS_DIGITS = 16  # epoch milliseconds have 13 digits until the year 2286; anything longer is not one


def waited_ms(values: list[bytes], now_ms: float) -> float:
    """Milliseconds since the front received the request, from its header's ``values`` (epoch
    milliseconds, written by HAProxy: ``serving/front``); 0 without the header, and for a time
    ahead of ``now_ms`` (clocks apart), so the header can only shorten a budget.

    Raises:
        BadDeadline: sent twice, or not an integer of epoch milliseconds.
    """
    if not values:
        return 0.0
    if len(values) > 1:
        raise BadDeadline("sent more than once; send exactly one")
    text = values[0].decode("latin-1").strip()
    if not text.isascii() or not text.isdigit() or len(text) > EPOCH_MS_DIGITS:
        raise BadDeadline("must be the time received in integer epoch milliseconds, e.g. 1764000000000")
    return max(0.0, now_ms - int(text))


class OverloadMiddleware:
    """On ``routes``: read the hook's deadline header (400 naming it when malformed) and leave the
    deadline in the scope; under the 503 policy, refuse at once, before the body is read, a
    request the worker's gate (:func:`current_gate`) would refuse anyway.

    The clock starts here, before the body is read and validated, so that work is paid from
    the hook's budget too; behind the HAProxy front it started when the front received the
    request (its ``received_header``), so the wait in the front's queue is paid from it as well.
    """

    def __init__(self, app: ASGIApp, routes: Collection[str], config: OverloadConfig) -> None:
        self.app = app
        self.routes = frozenset(routes)
        self.header = config.deadline_header
        self._header_key = config.deadline_header.lower().encode("latin-1")
        self.received_header = config.received_header
        self._received_key = config.received_header.lower().encode("latin-1")
        self.max_ms = config.max_deadline_ms
        self.margin_s = config.answer_margin_ms / 1000

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") not in self.routes:
            await self.app(scope, receive, send)
            return
        arrived = time.monotonic()
        headers = scope.get("headers", [])
        try:
            budget_ms = parse_deadline_ms([value for name, value in headers if name == self._header_key], self.max_ms)
        except BadDeadline as exc:
            await refuse_header(send, scope["path"], self.header, exc)
            return
        if budget_ms is not None:  # the front's arrival time matters only to a budget
            try:
                waited = waited_ms([value for name, value in headers if name == self._received_key], time.time() * 1000)
            except BadDeadline as exc:
                await refuse_header(send, scope["path"], self.received_header, exc)
                return
            budget_ms = max(0.0, budget_ms - waited)
        deadline = None if budget_ms is None else arrived + budget_ms / 1000 - self.margin_s
        scope = {**scope, DEADLINE_SCOPE_KEY: deadline}
        gate = current_gate()
        if gate is None:  # no service in this process (a test app): nothing to admit to
            await self.app(scope, receive, send)
            return
        reason = gate.refusal(deadline, arrived)
        if reason is None:
            gate.enter()
            try:
                await self.app(scope, receive, send)
            finally:
                gate.leave()
        elif gate.policy == "unavailable":
            gate.count_shed(scope["path"], reason)
            await send_refusal(send, reason, gate.retry_after_s)
        else:  # fail-open answers name each record: the service answers once the body is validated
            await self.app({**scope, SHED_SCOPE_KEY: reason}, receive, send)


@dataclass(frozen=True)
class Shed:
    """A request answered by policy instead of by the model, and why."""

    reason: str


class Admission(Generic[T]):
    """One worker's gate in front of scoring: a bounded number of requests in flight, and none
    started that is expected to miss its deadline (see the module docstring for the reasons).

    :class:`OverloadMiddleware` admits a request (:meth:`enter`, before its body is read) and
    frees its slot when it is answered (:meth:`leave`); the service scores it through
    :meth:`score_request`. Runs on the worker's event loop only, so the counters need no lock.
    """

    def __init__(self, config: OverloadConfig, shared_in_flight: InFlight | None = None) -> None:
        self.max_in_flight = config.max_in_flight
        self.shared_in_flight = shared_in_flight  # a copy shadow processes read (shadow.idle_gate); None: not written
        self.policy = config.policy
        self.retry_after_s = config.retry_after_s
        self.smoothing = config.latency_smoothing
        self.in_flight = 0
        self.latency_s = 0.0  # moving average of admitted requests' scoring time

    def refusal(self, deadline: float | None, now: float) -> str | None:
        """Why a request with ``deadline`` arriving at ``now`` would be shed; None if admitted."""
        if self.in_flight >= self.max_in_flight:
            return "in_flight_limit"
        if deadline is None:
            return None
        if now >= deadline:
            return "deadline_expired"
        if self.in_flight and now + self.latency_s > deadline:
            return "deadline_predicted"
        return None

    def enter(self) -> None:
        self.in_flight += 1
        self._published()

    def leave(self) -> None:
        self.in_flight -= 1
        self._published()

    def _published(self) -> None:
        record_in_flight(self.in_flight)
        if self.shared_in_flight is not None:
            self.shared_in_flight.value = self.in_flight

    def count_shed(self, route: str, reason: str) -> Shed:
        record_shed(route, reason, self.policy)
        return Shed(reason)

    async def score_request(self, route: str, score: Callable[[], Awaitable[T]], scope: Scope) -> T | Shed:
        """``await score()`` for a request :class:`OverloadMiddleware` admitted, by its deadline;
        :class:`Shed` for one it marked shed (fail-open), one whose deadline passed while its body
        was read, or one still scoring at its deadline. That scoring goes on in the background and
        holds a slot of its own until done, so shed work still counts against the limit."""
        marked = scope.get(SHED_SCOPE_KEY)
        if marked is not None:
            return self.count_shed(route, marked)
        deadline = scope.get(DEADLINE_SCOPE_KEY)
        started = time.monotonic()
        if deadline is not None and started >= deadline:
            return self.count_shed(route, "deadline_expired")
        task = asyncio.ensure_future(score())
        task.add_done_callback(lambda done: self._learn(route, started, done))
        if deadline is None:
            return await task
        try:
            return await asyncio.wait_for(asyncio.shield(task), deadline - started)
        except TimeoutError:
            self.enter()
            task.add_done_callback(lambda _: self.leave())
            return self.count_shed(route, "deadline_reached")

    def _learn(self, route: str, started: float, task: asyncio.Future[T]) -> None:
        """Learn the scoring latency. A failure is logged here (as well as raised to its request,
        if that still waits), so work whose request was answered at the deadline never fails
        silently."""
        self.latency_s += self.smoothing * (time.monotonic() - started - self.latency_s)
        if not task.cancelled() and (error := task.exception()) is not None:
            log_event("scoring_failed", route=route, error=type(error).__name__)


_current: list[Admission] = []


def install_gate(gate: Admission) -> None:
    """Make ``gate`` the one :class:`OverloadMiddleware` consults in this process (the worker's
    service instance installs its own; a later instance, e.g. a test's fresh app, replaces it)."""
    _current[:] = [gate]


def current_gate() -> Admission | None:
    return _current[0] if _current else None


def deadline_parameter(config: OverloadConfig) -> dict:
    """The hook's deadline header as an OpenAPI header parameter of the scoring routes."""
    answer = "503 with Retry-After" if config.policy == "unavailable" else "every record allowed with reason overloaded"
    return {
        "name": config.deadline_header,
        "in": "header",
        "required": False,
        "description": (
            f"The hook's remaining budget in integer milliseconds (0: already spent; above "
            f"{config.max_deadline_ms} is held to {config.max_deadline_ms}). A request that cannot be scored "
            f"{config.answer_margin_ms} ms before it gets the overload policy's answer at once ({answer}); "
            "a malformed value gets 400 naming the header."
        ),
        "schema": {"type": "integer", "minimum": 0},
    }


async def refuse_header(send: Send, path: str, header: str, exc: BadDeadline) -> None:
    """400 naming the malformed ``header`` (and logged): the hook's bug, said so at once."""
    log_event("request_rejected", path=path, status=400, field=header)
    await send_json(send, 400, error_body("malformed request", [ErrorDetail(field=header, problem=str(exc))]))


def refusal_message(reason: str, retry_after_s: int) -> str:
    return f"overloaded ({reason}): not scored; retry after {retry_after_s} s"


async def send_refusal(send: Send, reason: str, retry_after_s: int) -> None:
    """The 503 policy answer through raw ASGI (the same one :func:`policy_answer` gives)."""
    body = error_body(refusal_message(reason, retry_after_s))
    await send_json(send, 503, body, [(b"retry-after", str(retry_after_s).encode())])


def policy_answer(config: OverloadConfig, loaded: LoadedModel, ids: Sequence[str], shed: Shed) -> ScoreResponse | Response:
    """What a shed request gets: 503 with ``Retry-After``, or (policy ``allow``) every record
    allowed with reason ``overloaded`` in the normal response, tagged with the serving model."""
    if config.policy == "allow":
        return build_response(loaded, ids, [OVERLOADED] * len(ids))
    return unavailable(refusal_message(shed.reason, config.retry_after_s), config.retry_after_s)
