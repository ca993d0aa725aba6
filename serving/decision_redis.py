"""The decision log in Redis (``backend: redis`` in monitor.yaml), for replicas on several hosts.

Every worker of every replica appends to the stream ``<redis_key>``, so the live-health gauges,
``yunmao monitor`` and feedback's decision_id check see all decisions, not one pod's. Keys:

* ``<redis_key>``: the stream, one entry per decision (``seq`` and the row as JSON), trimmed by
  ``XADD MAXLEN ~ max_rows``: Redis drops whole stream nodes, so it holds ``max_rows`` plus at
  most one node (``stream-node-max-entries``, 100 by default) — bounded, and cheap to trim;
* ``<redis_key>:ids``: decision_id → seq (a sorted set) for :meth:`known`, cut to the newest
  ``max_rows`` exactly in the same script;
* ``<redis_key>:watched``: the watched feature names of each model version, as SQLite's
  ``watched_features`` table; ``<redis_key>:seq``: the counter.

A Lua script appends up to ``APPEND_CHUNK`` rows at a time, atomically. Durability as the SQLite file's
``synchronous=NORMAL``: with ``appendonly yes`` and ``appendfsync everysec`` a crash loses at most
the last second; the store checks that once before its first write or read (``verify_durability``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime

import pandas as pd

from configs.monitor import DecisionLogConfig
from serving.decision_log import COLUMNS, decided_since, decision_frame
from serving.redis_stream import READ_PAGE, Durability, RedisStream
from serving.store_errors import StoreUnavailable

DURABLE = Durability({"appendonly": ("yes",), "appendfsync": ("everysec", "always")},
                     "more than the last second of decisions", "monitor decision_log.verify_durability")
_WATCHED_FIELD = "{}\t{}"  # model, version
# Rows per script: Redis runs a script alone, and the profiles and templates scoring reads live
# in the same server: a 100,000-decision backlog must not stall it. 250 rows took ~10 ms of
# Redis time on the loaded 2-core test machine (docs/benchmarks.md, "Decision log in Redis").
APPEND_CHUNK = 250
_APPEND = """
local max_rows = tonumber(ARGV[1])
local versions = tonumber(ARGV[2])
for i = 0, versions - 1 do
  redis.call('HSETNX', KEYS[4], ARGV[3 + 2 * i], ARGV[4 + 2 * i])
end
local first = 3 + 2 * versions
local count = (#ARGV - first + 1) / 2
local last = redis.call('INCRBY', KEYS[2], count)
for i = 0, count - 1 do
  local seq = last - count + 1 + i
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', max_rows, '*', 'seq', seq, 'row', ARGV[first + 1 + 2 * i])
  redis.call('ZADD', KEYS[3], seq, ARGV[first + 2 * i])
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', last - max_rows)
return last
"""


class RedisDecisionStore:
    """The decision log's stream in Redis; one connection pool per worker process."""

    def __init__(self, config: DecisionLogConfig) -> None:
        self.config = config
        self.key = config.redis_key
        durability = DURABLE if config.verify_durability else None
        self.stream = RedisStream(config.redis_url(), self.key, config.busy_timeout_s, "decision log", durability)
        self._append = self.stream.client.register_script(_APPEND)

    def check(self) -> None:
        self.stream.check()

    def append(self, rows: Sequence[tuple], watched: Iterable[tuple[str, str, str]]) -> None:
        self.stream.check()
        versions = [(_WATCHED_FIELD.format(model, version), names) for model, version, names in watched]
        head: list[object] = [self.config.max_rows, len(versions), *(part for version in versions for part in version)]
        keys = [self.key, f"{self.key}:seq", f"{self.key}:ids", f"{self.key}:watched"]
        for start in range(0, len(rows), APPEND_CHUNK):
            chunk = rows[start : start + APPEND_CHUNK]
            encoded = [part for row in chunk for part in (row[0], json.dumps(dict(zip(COLUMNS, row, strict=True)), ensure_ascii=False))]
            try:
                self.stream.run(self._append, keys=keys, args=head + encoded)
            except StoreUnavailable as exc:
                raise StoreUnavailable(f"{exc} ({start} of {len(rows)} rows written)", written=start) from exc

    def known(self, decision_ids: Sequence[str]) -> set[str]:
        self.stream.check()
        if not decision_ids:
            return set()
        scores = self.stream.run(self.stream.client.zmscore, f"{self.key}:ids", list(decision_ids))
        return {decision_id for decision_id, score in zip(decision_ids, scores, strict=True) if score is not None}

    def read(self, since: datetime, limit: int | None = None) -> pd.DataFrame:
        """As SQLite's. Read newest first from the stream's end, until ``limit`` rows or a page's
        worth of consecutive rows decided before ``since`` (the stream is in arrival order, and
        workers' batches arrive up to one flush apart: far fewer rows than a page)."""
        self.stream.check()
        start, rows, older = decided_since(since), [], 0
        for _, fields in self.stream.entries(newest_first=True):
            row = json.loads(fields["row"])
            if row["decided_at"] >= start:
                rows.append(row)
                older = 0
                if limit is not None and len(rows) >= limit:
                    break
            else:
                older += 1
                if older >= READ_PAGE:
                    break
        names = self.stream.run(self.stream.client.hgetall, f"{self.key}:watched")
        return decision_frame([(*(row[c] for c in COLUMNS), names[_WATCHED_FIELD.format(row["model"], row["version"])])
                               for row in reversed(rows)])
