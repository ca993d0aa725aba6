"""Calls in, verdicts out: caller profiles from the online store, scored by the call model.

The call model judges a number by its behaviour over weeks (callees per day, short calls, SIMs
per device), which the carrier's batch job publishes to the profile store; one call at setup
time carries none of that. So scoring a call is: look the caller up (one ``get_many`` per batch,
each distinct caller once), score the profiles found, and give callers the store does not know
an :class:`~serving.scoring.Unscored` verdict with reason ``insufficient_history`` and the
configured action — an unknown number is normal traffic, not an error.

No decision cache here: a caller's decision changes whenever its profile is republished, and
the lookup already collapses repeats within a batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bentoml.exceptions import ServiceUnavailable

from serving.logs import log_event
from serving.metrics import record_profile_lookups
from serving.profile_store import KEY, ProfileStore
from serving.reload import LoadedModel
from serving.scoring import Record, Unscored, Verdict

if TYPE_CHECKING:
    from models.scam_model import Decision

INSUFFICIENT_HISTORY = "insufficient_history"


def lookup_profiles(store: ProfileStore, callers: Sequence[str]) -> dict[str, dict]:
    """Profiles of the ``callers`` the store knows, keyed by number (unknown ones left out).

    Raises:
        ServiceUnavailable: the store could not answer (503: the client may retry; scoring
            without profiles would silently allow every caller).
    """
    try:
        found = store.get_many(callers)
    except Exception as exc:  # noqa: BLE001 - SQLite and Redis fail with unrelated exception types
        log_event("profile_store_failed", error=type(exc).__name__)
        raise ServiceUnavailable("profile store unavailable; retry") from exc
    profiles = {number: profile for number, profile in found.items() if profile is not None}
    record_profile_lookups(found=len(profiles), missing=len(found) - len(profiles))
    return profiles


def decide_calls(
    loaded: LoadedModel, calls: Sequence[Record], store: ProfileStore, explain: bool, unknown_action: str
) -> list[Verdict]:
    """One verdict per call, in order: the model's decision on the caller's profile, or
    ``insufficient_history`` with ``unknown_action`` when the store has no profile for it."""
    callers = list(dict.fromkeys(str(call["caller"]) for call in calls))
    profiles = lookup_profiles(store, callers)
    known = [number for number in callers if number in profiles]
    decisions: dict[str, Decision] = {}
    if known:  # a batch of only new numbers needs no model call at all
        records = [{**profiles[number], KEY: number} for number in known]
        decisions = dict(zip(known, loaded.model.decide(records, explain=explain), strict=False))
    unknown = Unscored(action=unknown_action, reasons=(INSUFFICIENT_HISTORY,))
    return [decisions.get(str(call["caller"]), unknown) for call in calls]
