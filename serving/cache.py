"""A bounded LRU of decisions keyed on what the SMS model actually reads.

Spam campaigns resend one template thousands of times with a different link, number or amount;
once normalised (``features.sms.preprocess``) those copies are identical, so their decision
can be reused. The key also holds the sender kind and hour that the metadata features use, so a
cached decision is exactly the one the model would give (the same campaign from a 106 code and
from a virtual-operator number are different keys). One cache belongs to one model version and
is dropped with it on reload.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Generic, TypeVar

from features.sms.metadata import hour_of_day, sender_kind
from features.sms.preprocess import NormalisedSms

V = TypeVar("V")
CacheKey = tuple[str, str, int]


def message_keys(messages: NormalisedSms) -> list[CacheKey]:
    """(normalised text, sender kind, hour or -1) of each message: read from the text the
    features read, not normalised again."""
    keys = []
    for norm, sender, sent_at in zip(messages.norm, messages.sender, messages.sent_at, strict=True):
        hour = hour_of_day(sent_at)
        keys.append((norm, sender_kind(sender), -1 if math.isnan(hour) else int(hour)))
    return keys


class LruCache(Generic[V]):
    """Thread-safe least-recently-used map holding at most ``max_entries`` values."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[CacheKey, V] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, keys: Sequence[CacheKey]) -> list[V | None]:
        with self._lock:
            found = [self._items.get(key) for key in keys]
            for key, value in zip(keys, found, strict=False):
                if value is not None:
                    self._items.move_to_end(key)
            return found

    def put_many(self, items: Sequence[tuple[CacheKey, V]]) -> None:
        with self._lock:
            for key, value in items:
                self._items[key] = value
                self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
