"""Schema of ``configs/monitor.yaml``: the decision log, live drift and live precision (issue #13)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator

from configs import StrictModel, default_config_path, load_config
from configs.paths import data_file
from configs.report import DriftConfig
from configs.stores import SharedStoreConfig

MONITOR_CONFIG_ENV = "YUNMAO_MONITOR_CONFIG"
DECISION_KEY_ENV = "YUNMAO_DECISION_KEY"


class DecisionLogConfig(SharedStoreConfig):
    """Where every worker logs its decisions (no text; numbers only as keyed HMAC) and how much:
    the SQLite file of ``path``, or (``backend: redis``) the stream ``redis_key`` at ``url``."""

    enabled: bool = True
    redis_key: str = Field("yunmao:decisions", min_length=1)
    path: str | None = None
    max_rows: int = Field(1_000_000, ge=100, le=100_000_000)
    audit_share: float = Field(0.01, ge=0, le=1)
    flush_interval_s: float = Field(1.0, gt=0, le=60)
    queue_max: int = Field(100_000, ge=100, le=10_000_000)
    busy_timeout_s: float = Field(5.0, gt=0, le=600)

    def db_path(self) -> Path:
        """The SQLite file: ``<data dir>/decisions.db`` unless ``path`` says otherwise."""
        return data_file(self.path, "decisions.db")

    def key_path(self) -> Path:
        """The HMAC key file every worker shares when ``$YUNMAO_DECISION_KEY`` is unset."""
        return self.db_path().with_suffix(".key")


class LiveHealthConfig(StrictModel):
    """Drift and precision over the last ``window_h`` hours, refreshed into the gauges."""

    window_h: float = Field(24, gt=0, le=24 * 90)
    refresh_s: float = Field(60, ge=0, le=86_400)
    min_decisions: int = Field(200, ge=1)
    min_labelled: int = Field(20, ge=1)
    max_rows_read: int = Field(100_000, ge=1000, le=10_000_000)
    late_write_s: float = Field(30, ge=0, le=3600)
    drift: DriftConfig = DriftConfig()


class MonitorConfig(StrictModel):
    decision_log: DecisionLogConfig = DecisionLogConfig()
    live: LiveHealthConfig = LiveHealthConfig()

    @model_validator(mode="after")
    def _late_writes_are_re_read(self) -> MonitorConfig:
        """A decision waits up to one flush interval and one busy timeout before it is written: a
        shorter ``live.late_write_s`` would let the gauges miss it for good."""
        slowest = self.decision_log.flush_interval_s + self.decision_log.busy_timeout_s
        if self.live.late_write_s < slowest:
            raise ValueError(f"live.late_write_s ({self.live.late_write_s:g}) must be at least decision_log.flush_interval_s "
                             f"+ busy_timeout_s ({slowest:g}): decisions written that late would never reach the gauges")
        return self


@lru_cache(maxsize=1)
def load_monitor_config() -> MonitorConfig:
    """``$YUNMAO_MONITOR_CONFIG`` or the shipped ``configs/monitor.yaml`` (cached: read once per process)."""
    return load_config(os.environ.get(MONITOR_CONFIG_ENV) or default_config_path("monitor"), MonitorConfig)
