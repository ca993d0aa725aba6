"""Template reputation: "this is confirmed campaign #812 again" as a reason and a floor.

After the model decides, every SMS is reduced to its template (``features.sms.templates``) and
looked up in the worker's in-process index (``serving/template_index``). A match with a
template an analyst confirmed as fraud adds the reason ``与已确认诈骗模板 #812 相同，已见 1,204 条``
and raises the action to at least ``reputation.analyst_floor`` (block by default); a match with an
automatically confirmed one (``serving/campaign_watch``) raises it to at most warn. The score is
raised to the serving model's own cut-off for that action, so score and action stay consistent.
Nothing here ever lowers a decision. A template an analyst marked "not fraud" matches too, and
then nothing is added and the template cannot be confirmed automatically.

The overlay is applied after the decision cache, on every message: a cached decision is the
model's alone, so a confirmation (or its withdrawal) applies to cached messages at once; there
is no cached verdict that could hide it.

Official anti-fraud reminders quote the scripts they warn about; they are never matched and never
confirmed (the model's own reminder cue, ``features.sms.patterns``, decides what is one).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import cache, lru_cache

from datasketch import LeanMinHash

from configs.campaigns import CampaignsConfig, load_campaigns_config
from features.sms.normalise import normalise_text
from features.sms.patterns import ANTI_FRAUD_REMINDER, cue_fires, script_cues
from features.sms.preprocess import NormalisedSms
from features.sms.templates import TemplateSigner, normalised_template, template_text
from models.scam_model import ACTIONS, ALLOW, BLOCK, WARN, Decision, ScamModel
from serving.campaign_watch import CampaignWatch, Candidate
from serving.logs import log_event
from serving.template_index import TemplateIndex, TemplateSync
from serving.template_store import TemplateEntry, TemplateStore, open_template_store

DAY_S = 86_400.0


class TemplateRefused(ValueError):
    """A text that cannot stand for a template (too short, or an official reminder)."""


def is_official_reminder(template: str) -> bool:
    """True for a text that warns about scams (it may quote one) rather than being one."""
    return cue_fires(template, script_cues()[ANTI_FRAUD_REMINDER])


@cache
def _reputation_config() -> CampaignsConfig:
    return load_campaigns_config()


def template_refusal(text: str, config: CampaignsConfig | None = None) -> str | None:
    """Why ``text`` cannot be confirmed as a template, or None when it can."""
    config = config or _reputation_config()
    template = template_text(text)
    if len(template.replace(" ", "")) < config.template.min_template_chars:
        return (f"has {len(template.replace(' ', ''))} characters left once numbers, links and names are masked; "
                f"a template needs at least {config.template.min_template_chars}")
    if is_official_reminder(template):
        return "is an anti-fraud reminder (it warns about a scam); reminders are never confirmed as scam templates"
    return None


def stronger_action(first: str, second: str) -> str:
    return min(first, second, key=ACTIONS.index)


class TemplateReputation:
    """One worker's template reputation: index, sync thread, automatic watch, floors and reasons."""

    def __init__(self, config: CampaignsConfig, store: TemplateStore, clock: Callable[[], float] = time.time) -> None:
        self.config = config.reputation
        self.signer = TemplateSigner(config.template)
        self.clock = clock
        self.index = TemplateIndex(store, self.signer, clock)
        automatic = self.config.automatic
        self.watch = CampaignWatch(automatic, self.signer, clock) if automatic.enabled else None
        # Copies of one campaign often reduce to the same template text: sign each once.
        self._template_signature = lru_cache(maxsize=self.config.signature_cache_entries)(self.signer.template_signature)
        try:
            self.index.refresh()
        except Exception as exc:  # noqa: BLE001 - an unreachable store must not keep SMS scoring down; the sync catches up
            log_event("template_store_unavailable", error=type(exc).__name__)
        self._sync = TemplateSync(self.index, self.config.sync_interval_s, self.config.seen_flush_interval_s)

    def start(self) -> None:
        self._sync.start()

    def stop(self) -> None:
        self._sync.stop()

    def signature(self, text: str) -> tuple[LeanMinHash | None, str]:
        """(signature, template) of one raw message; no signature for short texts and reminders."""
        return self.normalised_signature(normalise_text(text))

    def normalised_signature(self, norm: str) -> tuple[LeanMinHash | None, str]:
        """:meth:`signature` of a message already normalised (by ``features.sms.preprocess``)."""
        return self.template_signature(normalised_template(norm))

    def template_signature(self, template: str) -> tuple[LeanMinHash | None, str]:
        """:meth:`signature` of a message already reduced to its template (``NormalisedSms.templates``)."""
        if is_official_reminder(template):
            return None, template
        return self._template_signature(template), template

    def apply(self, model: ScamModel, messages: NormalisedSms, decisions: Sequence[Decision],
              observe: bool = True) -> list[Decision]:
        """``decisions`` with template floors and reasons applied, in order; ``messages`` are
        the ones the model scored, normalised once for both. ``observe`` False (a shadow
        challenger's decisions): sightings are not counted and the campaign watch sees nothing.
        Each message's template is the one its batch carries (the memory read the same)."""
        return [self._judge(model, template, decision, observe)
                for template, decision in zip(messages.templates, decisions, strict=True)]

    def verdict(self, template: str) -> TemplateEntry | None:
        """The stored entry that decides messages of ``template`` (a :func:`template_text` form), as
        scoring applies it; None when none does (no live match, too short, an official reminder).
        ``yunmao campaigns`` asks this so its page says what the service does, not a look-alike."""
        signature = self.template_signature(template)[0]
        return None if signature is None else self._verdict(signature)

    def _verdict(self, signature: LeanMinHash) -> TemplateEntry | None:
        matches = self.index.matches(signature)
        if not matches:
            return None
        cleared = [entry for entry in matches if entry.label == 0]  # an analyst said "not fraud": that overrides
        return cleared[0] if cleared else min(matches, key=lambda e: ACTIONS.index(e.floor))  # block beats an automatic warn

    def _judge(self, model: ScamModel, template: str, decision: Decision, observe: bool) -> Decision:
        signature = self.template_signature(template)[0]
        if signature is None:
            return decision
        entry = self._verdict(signature)
        if entry is not None:
            return decision if entry.label == 0 else self._raise_to_floor(model, decision, entry, observe)
        if self.watch is not None and observe:
            promoted = self.watch.observe(signature, template, decision.action, decision.fraud_type)
            if promoted is not None:
                self._promote(promoted)
        return decision

    def _raise_to_floor(self, model: ScamModel, decision: Decision, entry: TemplateEntry, observe: bool) -> Decision:
        seen = self.index.count_seen(entry.id) if observe else entry.seen  # type: ignore[arg-type] - stored entries have ids
        reason = getattr(self.config.reasons, entry.confirmed_by).format(id=entry.id, seen=seen)
        action = stronger_action(decision.action, entry.floor)
        cutoff = {BLOCK: model.thresholds.block, WARN: model.thresholds.warn}.get(entry.floor, 0.0)
        head = model.category_head
        category = decision.category
        if head is not None and action != ALLOW and (category == head.ham or decision.action == ALLOW):
            category = head.fraud  # the model let it through (whatever kind it named): the confirmed template says fraud
        return replace(
            decision,
            score=max(decision.score, cutoff),
            action=action,
            category=category,
            fraud_type=decision.fraud_type or entry.fraud_type,
            reasons=[reason, *decision.reasons][: max(model.max_reasons, 1)],
        )

    def _promote(self, candidate: Candidate) -> None:
        """Queue a candidate the model kept blocking as an automatic entry (written by the sync thread)."""
        now = self.clock()
        self.index.queue_save(TemplateEntry(
            signature=candidate.signature.hashvalues,
            template=candidate.template,
            label=1,
            confirmed_by="automatic",
            floor=self.config.automatic_floor,
            first_seen=candidate.events[0][0],
            last_seen=now,
            expires_at=now + self.config.automatic_ttl_days * DAY_S,
            seen=len(candidate.events),
            fraud_type=candidate.fraud_type(),
        ))

    def confirm(self, text: str, label: int, fraud_type: str | None) -> tuple[list[TemplateEntry], bool]:
        """An analyst's verdict on ``text``'s template: label 1 confirms it as fraud (floor
        ``analyst_floor``), label 0 clears it. Every stored entry matching it takes the verdict
        (a new entry when none does); returns them as stored, and whether one was created.

        Raises:
            TemplateRefused: ``text`` cannot stand for a template (see :func:`template_refusal`).
        """
        signature, template = self.signature(text)
        if signature is None:
            raise TemplateRefused(f"text {template_refusal(text) or 'carries no template'}")
        self.index.refresh()
        now = self.clock()
        common = {
            "label": label,
            "confirmed_by": "analyst",
            "floor": self.config.analyst_floor if label else ALLOW,
            "last_seen": now,
            "expires_at": now + self.config.analyst_ttl_days * DAY_S,
            "fraud_type": fraud_type if label else None,
        }
        matches = self.index.matches(signature)
        updated = [replace(entry, **common) for entry in matches] or [
            TemplateEntry(signature=signature.hashvalues, template=template, first_seen=now, **common)  # type: ignore[arg-type]
        ]
        saved = [self.index.store.save(entry) for entry in updated]
        self.index.refresh()
        log_event("template_confirmed", label=label, templates=len(saved), new=not matches)
        return saved, not matches


def open_reputation(config: CampaignsConfig | None = None) -> TemplateReputation | None:
    """The worker's template reputation on the configured store, or None when it is off."""
    config = config or _reputation_config()
    if not config.reputation.enabled:
        return None
    return TemplateReputation(config, open_template_store(config.reputation))
