"""Structured JSON logs for the service that carry counts, timings and versions, never content.

Interception logs end up in shared log pipelines; a raw phone number or message text there is a
privacy incident. So callers pass only named scalar fields (ids of requests, counts, latency,
model version) and this module refuses anything that looks like message content: strings longer
than a short label are truncated, and digits runs that could be phone numbers are masked.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time

LOGGER_NAME = "yunmao.serving"
_MAX_STR = 64
_DIGITS = re.compile(r"\d{5,}")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, event and the event's fields."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "pid": record.process,  # which worker process of the instance
            "event": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        return json.dumps(payload, ensure_ascii=False, default=str)


def get_logger() -> logging.Logger:
    """The service logger, given its JSON handler on first use (not at import)."""
    logger = logging.getLogger(LOGGER_NAME)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def _safe(value: object) -> object:
    """Numbers and booleans as they are; strings short and with long digit runs masked."""
    if isinstance(value, (bool, int, float)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _safe(v) for k, v in value.items()}
    text = _DIGITS.sub("<digits>", str(value))
    return text if len(text) <= _MAX_STR else text[:_MAX_STR] + "…"


def log_event(event: str, level: int = logging.INFO, **fields: object) -> None:
    """Log ``event`` with scalar ``fields`` made safe (see module docstring)."""
    get_logger().log(level, event, extra={"fields": {k: _safe(v) for k, v in fields.items()}})


def elapsed_ms(start: float) -> float:
    """Milliseconds since ``start`` (a ``time.perf_counter()`` value), rounded for logs."""
    return round((time.perf_counter() - start) * 1000, 2)
