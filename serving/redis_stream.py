"""One Redis stream a shared store keeps its rows in: the connection, the durability check, paging.

Feedback (``serving/feedback_redis``), the decision log and the shadow pair table each keep an
append-only log in a Redis stream when replicas run on several hosts. What they share is here:
the client (errors become :class:`~serving.store_errors.StoreUnavailable`), the check that the
server keeps what it acknowledges (``CONFIG GET appendonly/appendfsync``, each store with the
settings its SQLite twin promises), and reading the stream in pages, oldest or newest first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TypeVar

import redis

from serving.store_errors import NotDurable, StoreUnavailable, redacted

READ_PAGE = 10_000  # entries per XRANGE: one round trip per page, a page held in memory at a time
T = TypeVar("T")


@dataclass(frozen=True)
class Durability:
    """The Redis settings a store needs and what a crash loses without them.

    ``required``: setting → the values accepted, the first being the one to advise.
    """

    required: Mapping[str, tuple[str, ...]]
    loses: str  # e.g. "acknowledged feedback"
    off_switch: str  # the setting that turns the check off, e.g. "feedback verify_durability"

    def advice(self) -> str:
        return " ".join(f"--{name} {values[0]}" for name, values in self.required.items())


def require_durability(client: redis.Redis, durability: Durability, what: str, url: str) -> None:
    """Check that the server behind ``client`` keeps what it acknowledges (``CONFIG GET``).

    Raises:
        NotDurable: it is configured to lose acknowledged writes in a crash.
        StoreUnavailable: it will not say how it persists (CONFIG refused: managed Redis, ACL).
        redis.RedisError: it cannot be reached (callers map it as they map their other calls).
    """
    try:
        found = {name: _text(client.config_get(name).get(name)) for name in durability.required}
    except redis.ResponseError as exc:  # reachable, but will not say
        raise StoreUnavailable(
            f"{what} {redacted(url)}: cannot check durability ({exc}); set {durability.off_switch}: false "
            "only if the provider persists every write"
        ) from exc
    wrong = {name: value for name, value in found.items() if value not in durability.required[name]}
    if wrong:
        settings = ", ".join(f"{name}={value}" for name, value in wrong.items())
        raise NotDurable(f"{what} {redacted(url)} could lose {durability.loses} ({settings}); run redis-server with {durability.advice()}")


def _text(value: str | bytes | None) -> str | None:
    """A CONFIG value as text, from a client that decodes responses or one that does not."""
    return value.decode() if isinstance(value, bytes) else value


class RedisStream:
    """The stream ``key`` at ``url``; ``what`` names the store in every error message."""

    def __init__(self, url: str, key: str, timeout_s: float, what: str, durability: Durability | None) -> None:
        self.url, self.key, self.what = url, key, what
        self.client = redis.Redis.from_url(url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s,
                                           decode_responses=True)
        self._durability = durability
        self._checked = False

    def check(self) -> None:
        """Reach the server and check it keeps what it acknowledges (once per stream object; ping
        only when the check is off).

        Raises:
            StoreUnavailable: the server cannot be reached or will not say how it persists.
            NotDurable: it is configured to lose acknowledged writes in a crash.
        """
        if self._checked:
            return
        if self._durability is None:
            self.run(self.client.ping)
        else:
            self.run(require_durability, self.client, self._durability, self.what, self.url)
        self._checked = True

    def run(self, operation: Callable[..., T], *args: object, **kwargs: object) -> T:
        """``operation(*args, **kwargs)`` on the client, a Redis error raised as StoreUnavailable."""
        try:
            return operation(*args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError) as exc:  # refused, unresolvable, timed out
            raise StoreUnavailable(f"{self.what} {redacted(self.url)} is unreachable: {exc}") from exc
        except redis.RedisError as exc:
            raise StoreUnavailable(f"{self.what} {redacted(self.url)}: {exc}") from exc

    def entries(self, newest_first: bool = False) -> Iterator[tuple[str, dict[str, str]]]:
        """(entry id, fields) of every entry, oldest first (or newest first), read a page at a time."""
        bound = "+" if newest_first else "-"
        while True:
            if newest_first:
                page = self.run(self.client.xrevrange, self.key, max=bound, count=READ_PAGE)
            else:
                page = self.run(self.client.xrange, self.key, min=bound, count=READ_PAGE)
            yield from page
            if len(page) < READ_PAGE:
                return
            bound = "(" + page[-1][0]

    def length(self) -> int:
        return self.run(self.client.xlen, self.key)

