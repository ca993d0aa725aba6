"""The feedback log in Redis, for replicas on several hosts (``url: redis://…`` in feedback.yaml).

Why Redis and not PostgreSQL: a multi-replica deployment already runs Redis for caller profiles
and templates (configs/call.yaml, configs/campaigns.yaml), feedback is small and append-only
(an analyst's labels, not traffic), and a Redis stream is an append-only log by design. What
SQLite promised holds here too:

* all-or-nothing: one Lua script appends a whole batch (and takes its ``seq`` numbers); Redis
  runs a script atomically and writes its effects to the append-only file as one MULTI/EXEC
  block, which it discards on restart if a crash cut it short;
* durable when acknowledged: with ``appendonly yes`` and ``appendfsync always`` Redis fsyncs
  the file before it answers. The store checks both at open (``verify_durability``) and
  refuses a Redis that would lose acknowledged labels in a crash;
* append-only: the store only ever adds entries (deny ``XDEL``/``DEL`` to the service's Redis
  user with an ACL to make it a rule).

Each entry holds ``seq`` and the row as JSON; ``read`` filters by time and kind after reading
the stream in pages (feedback is thousands of rows, not millions).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal

import pandas as pd
import redis

from configs.feedback import FeedbackConfig
from serving.feedback_store import COLUMNS, FeedbackRecord, StoreUnavailable, stored_rows, utc_text

READ_PAGE = 10_000
DURABLE = {"appendonly": "yes", "appendfsync": "always"}
_APPEND = """
local last = redis.call('INCRBY', KEYS[2], #ARGV)
for i = 1, #ARGV do
  redis.call('XADD', KEYS[1], '*', 'seq', last - #ARGV + i, 'row', ARGV[i])
end
return last
"""


class NotDurable(StoreUnavailable):
    """The Redis server would acknowledge a write it can still lose in a crash."""


class RedisFeedbackStore:
    """Append-only feedback stream ``<redis_key>`` (and counter ``<redis_key>:seq``) in Redis."""

    def __init__(self, config: FeedbackConfig, url: str) -> None:
        self.config = config
        self.key = config.redis_key
        self.client = redis.Redis.from_url(url, socket_timeout=config.busy_timeout_s, decode_responses=True)
        self._append = self.client.register_script(_APPEND)
        if config.verify_durability:
            self._check_durable(url)

    def _check_durable(self, url: str) -> None:
        try:
            found = {name: self.client.config_get(name).get(name) for name in DURABLE}
        except redis.RedisError as exc:
            raise StoreUnavailable(
                f"feedback store {url}: cannot check durability ({exc}); set feedback verify_durability: false "
                "only if the provider fsyncs every write"
            ) from exc
        wrong = {name: value for name, value in found.items() if value != DURABLE[name]}
        if wrong:
            settings = ", ".join(f"{name}={value}" for name, value in wrong.items())
            raise NotDurable(
                f"feedback store {url} could lose acknowledged feedback ({settings}); "
                "run redis-server with --appendonly yes --appendfsync always"
            )

    def append_many(self, records: Iterable[FeedbackRecord | Mapping[str, Any]]) -> list[str]:
        """Validate and append ``records`` in one script; fsynced by Redis before this returns."""
        rows = stored_rows(records, self.config)
        if not rows:
            return []
        try:
            self._append(keys=[self.key, f"{self.key}:seq"], args=[json.dumps(row, ensure_ascii=False) for row in rows])
        except redis.RedisError as exc:
            raise StoreUnavailable(str(exc)) from exc
        return [row["id"] for row in rows]

    def read(self, since: datetime | None = None, kind: Literal["sms", "call"] | None = None) -> pd.DataFrame:
        """All stored rows (oldest first), optionally only those received at or after ``since``."""
        rows = [{"seq": int(fields["seq"]), **json.loads(fields["row"])} for fields in self._entries()]
        frame = pd.DataFrame(rows, columns=list(COLUMNS))
        if since is not None:
            frame = frame[frame["received_at"] >= utc_text(since)]
        if kind is not None:
            frame = frame[frame["kind"] == kind]
        return frame.reset_index(drop=True)

    def _entries(self) -> Iterable[dict[str, str]]:
        start = "-"
        while True:
            try:
                page = self.client.xrange(self.key, min=start, count=READ_PAGE)
            except redis.RedisError as exc:
                raise StoreUnavailable(str(exc)) from exc
            yield from (fields for _, fields in page)
            if len(page) < READ_PAGE:
                return
            start = "(" + page[-1][0]
