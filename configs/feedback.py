"""Schema of ``configs/feedback.yaml``: where feedback is stored and how much one request may carry."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from configs import StrictModel, default_config_path, load_config
from configs.paths import data_file
from configs.stores import REDIS_URL_PATTERN


class FeedbackConfig(StrictModel):
    """Where feedback goes: SQLite (one machine) or, with ``url``, a Redis every replica reaches."""

    path: str | None = None
    url: str | None = Field(None, pattern=REDIS_URL_PATTERN)
    redis_key: str = Field("yunmao:feedback", min_length=1)
    verify_durability: bool = True
    busy_timeout_s: float = Field(30.0, gt=0, le=600)
    max_batch: int = Field(1000, ge=1, le=100_000)
    max_text_chars: int = Field(5000, ge=10, le=1_000_000)

    def db_path(self) -> Path:
        """The SQLite file: the embedded default under the data dir unless ``path`` says otherwise."""
        return data_file(self.path, "feedback.db")


def load_feedback_config(path: str | Path | None = None) -> FeedbackConfig:
    """Load and validate the feedback config (the shipped default when ``path`` is None)."""
    return load_config(path or default_config_path("feedback"), FeedbackConfig)
