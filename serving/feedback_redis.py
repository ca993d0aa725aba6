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

from configs.feedback import FeedbackConfig
from serving.feedback_store import COLUMNS, FeedbackRecord, stored_rows, utc_text
from serving.redis_stream import Durability, RedisStream

DURABLE = Durability({"appendonly": ("yes",), "appendfsync": ("always",)}, "acknowledged feedback",
                     "feedback verify_durability")
_APPEND = """
local last = redis.call('INCRBY', KEYS[2], #ARGV)
for i = 1, #ARGV do
  redis.call('XADD', KEYS[1], '*', 'seq', last - #ARGV + i, 'row', ARGV[i])
end
return last
"""


class RedisFeedbackStore:
    """Append-only feedback stream ``<redis_key>`` (and counter ``<redis_key>:seq``) in Redis."""

    def __init__(self, config: FeedbackConfig, url: str) -> None:
        self.config = config
        self.key = config.redis_key
        self.stream = RedisStream(url, self.key, config.busy_timeout_s, "feedback store", DURABLE)
        self._append = self.stream.client.register_script(_APPEND)
        if config.verify_durability:
            self.stream.check()

    def append_many(self, records: Iterable[FeedbackRecord | Mapping[str, Any]]) -> list[str]:
        """Validate and append ``records`` in one script; fsynced by Redis before this returns."""
        rows = stored_rows(records, self.config)
        if not rows:
            return []
        self.stream.run(self._append, keys=[self.key, f"{self.key}:seq"],
                        args=[json.dumps(row, ensure_ascii=False) for row in rows])
        return [row["id"] for row in rows]

    def read(self, since: datetime | None = None, kind: Literal["sms", "call"] | None = None) -> pd.DataFrame:
        """All stored rows (oldest first), optionally only those received at or after ``since``.

        An entry written before a column existed (``category``) reads None there, as SQLite's NULL.
        """
        rows = [{**dict.fromkeys(COLUMNS), **json.loads(fields["row"]), "seq": int(fields["seq"])}
                for _, fields in self.stream.entries()]
        frame = pd.DataFrame(rows, columns=list(COLUMNS))
        if since is not None:
            frame = frame[frame["received_at"] >= utc_text(since)]
        if kind is not None:
            frame = frame[frame["kind"] == kind]
        return frame.reset_index(drop=True)
