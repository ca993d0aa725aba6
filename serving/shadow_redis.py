"""The shadow pair table in Redis (``shadow.backend: redis``), for replicas on several hosts.

Every worker of every replica appends its pairs to the stream ``shadow.redis_key``, so
``yunmao shadow report`` and promote's shadow gates count the evidence of all of them. A batch
is one MULTI/EXEC (all its pairs or none), each ``XADD MAXLEN ~ max_rows``: Redis trims whole
stream nodes, so the stream holds ``max_rows`` plus at most one node (``stream-node-max-entries``,
100 by default). Entries hold the pair as JSON (no text unless ``keep_text``; the record only as
its keyed HMAC, as in SQLite). Durability as the SQLite table's ``synchronous=NORMAL``:
``appendonly yes`` with ``appendfsync everysec``, checked once before the first write or read.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime

import pandas as pd

from configs.serving import ShadowConfig
from serving.redis_stream import Durability, RedisStream
from serving.shadow_store import COLUMNS, Kind, ShadowPair, scored_since

DURABLE = Durability({"appendonly": ("yes",), "appendfsync": ("everysec", "always")},
                     "more than the last second of shadow pairs", "shadow.verify_durability")


class RedisShadowStore:
    """The pairs' stream in Redis; one connection pool per process."""

    def __init__(self, config: ShadowConfig) -> None:
        self.config = config
        durability = DURABLE if config.verify_durability else None
        self.stream = RedisStream(config.redis_url(), config.redis_key, config.busy_timeout_s, "shadow pair table", durability)

    def check(self) -> None:
        self.stream.check()

    def close(self) -> None:
        self.stream.client.close()

    def append(self, pairs: Sequence[ShadowPair]) -> None:
        if not pairs:
            return
        self.stream.check()
        batch = self.stream.client.pipeline(transaction=True)
        for pair in pairs:
            batch.xadd(self.stream.key, {"row": json.dumps(asdict(pair), ensure_ascii=False)},
                       maxlen=self.config.max_rows, approximate=True)
        self.stream.run(batch.execute)

    def read(self, since: datetime | None = None, kind: Kind | None = None,
             challenger: tuple[str, str] | None = None) -> pd.DataFrame:
        self.stream.check()
        frame = pd.DataFrame([json.loads(fields["row"]) for _, fields in self.stream.entries()], columns=list(COLUMNS))
        if since is not None:
            frame = frame[frame["scored_at"] >= scored_since(since)]
        if kind is not None:
            frame = frame[frame["kind"] == kind]
        if challenger is not None:
            frame = frame[(frame["challenger_model"] == challenger[0]) & (frame["challenger_version"] == challenger[1])]
        return frame.reset_index(drop=True)
