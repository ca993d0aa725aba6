"""Automatic confirmation: a template the model keeps blocking becomes a (warn-at-most) entry.

Each worker watches the templates of the messages it scores that match no stored entry. Only a
message the model *blocked* opens a candidate; later messages of that template, whatever the
model did with them, are counted against it. A candidate is promoted when, within
``automatic.window_s``, at least ``automatic.min_blocked`` of its messages were blocked and at most
``automatic.max_allowed_share`` of them were allowed. So a flood the model allows (bank OTPs,
delivery notices) never opens a candidate, and a template the model is unsure about (blocks a
few copies, allows most) never qualifies. The floor an automatic entry gets is capped at warn by
the config schema: the model's own false positives cannot make themselves blocks.

Counts are per worker (no write per message): with W workers a campaign needs up to about W
times ``min_blocked`` messages before one worker promotes it.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter, OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from datasketch import LeanMinHash

from configs.campaigns import AutomaticConfirmation
from features.sms.templates import TemplateSigner
from models.scam_model import ALLOW, BLOCK


@dataclass
class Candidate:
    """A template the model blocked recently, with what it did to each copy since."""

    signature: LeanMinHash
    template: str
    events: deque[tuple[float, str]] = field(default_factory=deque)  # (time, action), oldest first
    actions: Counter[str] = field(default_factory=Counter)  # of ``events``, kept in step (no recount per message)
    fraud_types: Counter[str] = field(default_factory=Counter)

    def record(self, at: float, action: str, window_s: float) -> None:
        """Add one copy and forget those older than ``window_s``."""
        self.events.append((at, action))
        self.actions[action] += 1
        while self.events[0][0] < at - window_s:
            self.actions[self.events.popleft()[1]] -= 1

    def fraud_type(self) -> str | None:
        """The fraud type the model gave most of its blocked copies, if any."""
        return self.fraud_types.most_common(1)[0][0] if self.fraud_types else None


class CampaignWatch:
    """Candidates by key in an LSH index; :meth:`observe` returns one when it qualifies."""

    def __init__(self, config: AutomaticConfirmation, signer: TemplateSigner, clock: Callable[[], float]) -> None:
        self.config = config
        self.signer = signer
        self.clock = clock
        self._lsh = signer.index()
        self._candidates: OrderedDict[int, Candidate] = OrderedDict()  # oldest first
        self._keys = itertools.count()
        self._lock = threading.Lock()

    def observe(self, signature: LeanMinHash, template: str, action: str, fraud_type: str | None) -> Candidate | None:
        """Record what the model did to one message of no known template; the candidate it
        completes (now removed from the watch) or None."""
        now = self.clock()
        with self._lock:
            key = self._best_candidate(signature)
            if key is None:
                if action != BLOCK:
                    return None
                key = self._open(signature, template)
            candidate = self._candidates[key]
            candidate.record(now, action, self.config.window_s)
            if action == BLOCK and fraud_type:
                candidate.fraud_types[fraud_type] += 1
            if not self._qualifies(candidate):
                return None
            self._close(key)
            return candidate

    def _qualifies(self, candidate: Candidate) -> bool:
        allowed_share = candidate.actions[ALLOW] / len(candidate.events)
        return candidate.actions[BLOCK] >= self.config.min_blocked and allowed_share <= self.config.max_allowed_share

    def _best_candidate(self, signature: LeanMinHash) -> int | None:
        threshold = self.signer.config.match_threshold
        scored = [(self.signer.similarity(signature, self._candidates[k].signature), k) for k in self._lsh.query(signature)]
        above = [(similarity, k) for similarity, k in scored if similarity >= threshold]
        return max(above)[1] if above else None

    def _open(self, signature: LeanMinHash, template: str) -> int:
        while len(self._candidates) >= self.config.max_candidates:
            self._close(next(iter(self._candidates)))
        key = next(self._keys)
        self._candidates[key] = Candidate(signature, template)
        self._lsh.insert(key, signature)
        return key

    def _close(self, key: int) -> None:
        del self._candidates[key]
        self._lsh.remove(key)

    def __len__(self) -> int:
        return len(self._candidates)
