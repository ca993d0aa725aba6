"""SMS in, verdicts out: the model's decisions (through its cache) with template reputation on top.

One path for the champion (``serving/service``) and the shadow challenger's process
(``serving/shadow_process``), so the challenger is judged exactly as it would serve. Only the
champion *observes* what it decides (counts template sightings, feeds the automatic campaign
watch): a challenger's blocks must not confirm templates that then change live answers.
"""

from __future__ import annotations

from collections.abc import Sequence

from features.sms.preprocess import normalise_records
from serving.cache import message_keys
from serving.reload import LoadedModel
from serving.reputation import TemplateReputation
from serving.scoring import Record, Verdict, decide


def decide_sms(loaded: LoadedModel, records: Sequence[Record], explain: bool, reputation: TemplateReputation | None,
               observe: bool = True) -> list[Verdict]:
    """One verdict per message, in order, all on ``loaded``; ``observe`` False leaves the
    reputation's sighting counts and campaign watch untouched."""
    messages = normalise_records(records)  # once: for the cache key, the features, the memory and reputation (templates made once too)
    keys = message_keys(messages) if loaded.cache is not None else None
    decisions = decide(loaded, messages, explain, keys)
    if reputation is not None:
        decisions = reputation.apply(loaded.model, messages, decisions, observe)
    return list(decisions)
