"""What a shared store (feedback, decision log, shadow pairs) raises when it cannot do its job,
whatever its backend: callers catch these, not SQLite's or Redis's own errors."""

from __future__ import annotations

from urllib.parse import urlsplit


class StoreUnavailable(RuntimeError):
    """The store could not commit or be read (locked past the timeout, disk full, server down).

    ``written``: rows of the failed append that were stored nonetheless (a store writing a large
    batch in parts may have written the first parts).
    """

    def __init__(self, message: str, written: int = 0) -> None:
        super().__init__(message)
        self.written = written


class NotDurable(StoreUnavailable):
    """The Redis server would acknowledge a write it can still lose in a crash."""


def redacted(url: str) -> str:
    """``url`` without its user part (``redis://:secret@host:6379/0`` → ``redis://host:6379/0``), for
    every message and page that names a store: a store URL carries its credentials, and messages
    end up in logs, terminals and shell scroll-back."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


def store_name(store: object) -> str:
    """Where ``store`` is, for a message or a page: a Redis store's URL without its password
    (:func:`redacted`), else a SQLite store's path.

    Read by attribute (every Redis store keeps its ``url``, every SQLite store its ``path``) rather
    than by class, because the stores import this module: it cannot import them back.
    """
    url = getattr(store, "url", None)
    if isinstance(url, str):
        return redacted(url)
    return str(store.path)  # type: ignore[attr-defined] - a store without a URL is a SQLite file
