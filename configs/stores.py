"""Where a store the service's workers share lives: an SQLite file on one machine, or a Redis
every replica reaches. Shared by the decision log (``monitor.yaml``) and the shadow pair table
(``serving.yaml`` ``shadow``); the feedback store predates it and picks by ``url`` alone.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from configs import StrictModel

REDIS_URL_PATTERN = r"^(redis|rediss|unix)://"


class SharedStoreConfig(StrictModel):
    """``backend: sqlite`` (the file of the section's ``path``, one machine) or ``backend: redis``
    (``url``, a stream ``redis_key`` every replica writes to).

    ``verify_durability``: refuse a Redis without an append-only file that fsyncs at least every
    second (the promise of the SQLite files' ``synchronous=NORMAL``: a crash may lose the last
    second, never the rest); false only where ``CONFIG GET`` is disabled (managed Redis).
    """

    backend: Literal["sqlite", "redis"] = "sqlite"
    url: str | None = Field(None, pattern=REDIS_URL_PATTERN)
    redis_key: str = Field("yunmao:store", min_length=1)
    verify_durability: bool = True

    @model_validator(mode="after")
    def _url_matches_backend(self) -> SharedStoreConfig:
        if self.backend == "redis":
            self.redis_url()
        if self.backend == "sqlite" and self.url is not None:
            raise ValueError("url is set but backend is sqlite: set backend: redis to use it, or drop url")
        return self

    def redis_url(self) -> str:
        """``url``, which the redis backend is never without (the validator above)."""
        if self.url is None:
            raise ValueError("backend redis needs url (redis://HOST:PORT/DB)")
        return self.url
