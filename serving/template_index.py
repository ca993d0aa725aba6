"""Each worker's in-process copy of the template store, kept in step without a restart.

Matching a message must fit the < 1 ms decision budget, so it never leaves the process: the
worker holds every live entry and a MinHash LSH index over their signatures, and a daemon
thread (:class:`TemplateSync`) asks the store every ``reputation.sync_interval_s`` whether its
version counter moved, pulling only the changed entries when it did. Seen counts are added up
here and written every ``reputation.seen_flush_interval_s`` in one batch; automatic entries are
written by that thread too, never by a scoring thread. Expired entries stop
matching at once (each match checks ``expires_at``) and leave the index at the next tick.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable

from datasketch import LeanMinHash

from features.sms.templates import TemplateSigner
from serving.logs import log_event
from serving.template_store import TemplateEntry, TemplateStore


class TemplateIndex:
    """Live entries by id, an LSH index over them, and seen counts not yet written."""

    def __init__(self, store: TemplateStore, signer: TemplateSigner, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.signer = signer
        self.clock = clock
        self._lsh = signer.index()
        self._entries: dict[int, TemplateEntry] = {}
        self._pending_seen: Counter[int] = Counter()
        self._pending_saves: list[TemplateEntry] = []
        self._version = -1
        self._lock = threading.Lock()  # the LSH index is not thread-safe; scoring threads share it
        self._refresh_lock = threading.Lock()  # two refreshes applying changes out of order would regress

    def refresh(self) -> None:
        """Pull the entries written since the version this copy reflects."""
        with self._refresh_lock:
            version, changed = self.store.changes(self._version)
            now = self.clock()
            with self._lock:
                for entry in changed:
                    self._drop(entry.id)  # type: ignore[arg-type] - stored entries have ids
                    if entry.expires_at > now and self._comparable(entry):
                        self._entries[entry.id] = entry  # type: ignore[index]
                        self._lsh.insert(entry.id, self.signer.from_hashvalues(entry.signature))
                self._version = version

    def _comparable(self, entry: TemplateEntry) -> bool:
        """False for an entry signed with another ``template.num_perm`` (config changed since):
        it is skipped, not matched wrongly; confirming the template again re-signs it."""
        if len(entry.signature) == self.signer.config.num_perm:
            return True
        log_event("template_signature_skipped", template_id=entry.id, num_perm=len(entry.signature))
        return False

    def refresh_if_changed(self) -> bool:
        """One cheap read of the store's counter; a full :meth:`refresh` only when it moved."""
        if self.store.version() == self._version:
            return False
        self.refresh()
        return True

    def matches(self, signature: LeanMinHash) -> list[TemplateEntry]:
        """Live entries whose estimated similarity to ``signature`` reaches the match threshold, most similar first."""
        threshold = self.signer.config.match_threshold
        now = self.clock()
        with self._lock:
            candidates = [self._entries[key] for key in self._lsh.query(signature)]
        scored = [(self._similarity(signature, entry), entry) for entry in candidates if entry.expires_at > now]
        return [entry for similarity, entry in sorted(scored, key=lambda pair: -pair[0]) if similarity >= threshold]

    @staticmethod
    def _similarity(signature: LeanMinHash, entry: TemplateEntry) -> float:
        return float((signature.hashvalues == entry.signature).mean())

    def count_seen(self, template_id: int) -> int:
        """Count one more message of the template; returns its seen count including it."""
        with self._lock:
            self._pending_seen[template_id] += 1
            entry = self._entries.get(template_id)
            return (entry.seen if entry else 0) + self._pending_seen[template_id]

    def queue_save(self, entry: TemplateEntry) -> None:
        """Store ``entry`` at the next sync tick, off the scoring thread (a store write can take
        milliseconds; a message must not wait for it)."""
        with self._lock:
            self._pending_saves.append(entry)

    def save_queued(self) -> list[TemplateEntry]:
        """Write the queued entries, then catch up; returns them as stored. Entries that could
        not be written stay queued for the next tick."""
        with self._lock:
            queued, self._pending_saves = self._pending_saves, []
        saved = []
        try:
            for entry in queued:
                saved.append(self.store.save(entry))
        except Exception:
            with self._lock:
                self._pending_saves[:0] = queued[len(saved):]
            raise
        if saved:
            self.refresh()
        return saved

    def flush_seen(self) -> None:
        """Write the seen counts gathered since the last flush in one batch, then catch up."""
        with self._lock:
            pending, self._pending_seen = self._pending_seen, Counter()
        if pending:
            try:
                self.store.add_seen(dict(pending), self.clock())
            except Exception:
                with self._lock:
                    self._pending_seen.update(pending)  # kept for the next flush
                raise
        self.refresh()

    def drop_expired(self) -> None:
        now = self.clock()
        with self._lock:
            for template_id in [i for i, entry in self._entries.items() if entry.expires_at <= now]:
                self._drop(template_id)

    def _drop(self, template_id: int) -> None:
        if self._entries.pop(template_id, None) is not None:
            self._lsh.remove(template_id)

    def __len__(self) -> int:
        return len(self._entries)


class TemplateSync:
    """Daemon thread: follow the store's version, flush seen counts, purge expired entries."""

    def __init__(self, index: TemplateIndex, interval_s: float, flush_interval_s: float) -> None:
        self.index = index
        self.interval_s = interval_s
        self.flush_interval_s = flush_interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._follow, name="yunmao-template-sync", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.interval_s + 5)
        self._tick(flush=True)  # counts gathered since the last flush are not lost on shutdown

    def _follow(self) -> None:
        last_flush = time.monotonic()
        while not self._stop.wait(self.interval_s):
            flush = time.monotonic() - last_flush >= self.flush_interval_s
            if flush:
                last_flush = time.monotonic()
            self._tick(flush)

    def _tick(self, flush: bool) -> None:
        try:
            for entry in self.index.save_queued():
                log_event("template_auto_confirmed", template_id=entry.id, seen=entry.seen)
            if flush:
                self.index.flush_seen()
                self.index.store.purge_expired(self.index.clock())
            else:
                self.index.refresh_if_changed()
            self.index.drop_expired()
        except Exception as exc:  # noqa: BLE001 - the follower must survive a locked or unreachable store
            log_event("template_sync_failed", error=type(exc).__name__)
