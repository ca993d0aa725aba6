"""A challenger without a model, for the shadow process (``serving/shadow_process``): it must be
importable and picklable there, so it lives here rather than in the test module."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

# How long a held challenger waits for ``release``: longer than any test holds it on a loaded
# machine, so the test's release (or a stop) ends the hold, not this bound (it was 10 s).
HOLD_S = 60


@dataclass(frozen=True)
class FakeVerdict:
    """A verdict shaped like a model decision (only score and action are read)."""

    score: float | None
    action: str


@dataclass(frozen=True)
class FakeModel:
    """What the shadow process reads of a loaded challenger (without importing the model stack)."""

    name: str
    version: str


@dataclass(frozen=True)
class FakeChallenger:
    """Every record gets ``action`` at ``score``. ``entered`` / ``release`` (multiprocessing
    events): set the first, then wait on the second, before answering; ``fail``: raise instead."""

    action: str = "block"
    score: float = 0.9
    fail: bool = False
    entered: Any = None
    release: Any = None

    def load(self, name: tuple[str, str]) -> FakeModel:
        return FakeModel(*name)

    def open(self):  # noqa: ANN201 - a DecideBatch
        return partial(_decide, self)


def _decide(challenger: FakeChallenger, loaded: FakeModel, records: list[dict]) -> list[FakeVerdict]:
    if challenger.entered is not None:
        challenger.entered.set()
    if challenger.release is not None:
        challenger.release.wait(HOLD_S)
    if challenger.fail:
        raise RuntimeError("challenger exploded")
    return [FakeVerdict(challenger.score, challenger.action) for _ in records]
