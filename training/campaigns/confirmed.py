"""Which campaigns the service's template store already decides, so an analyst starts on the rest.

An analyst confirms a campaign through ``POST /v1/admin/templates``; the service then names it by
the store's template id (``与已确认诈骗模板 #812 相同``), not by the campaign id on the page. Here
every template of every campaign is looked up with the service's own lookup
(:meth:`serving.reputation.TemplateReputation.verdict`: same signature, same LSH index, same
match threshold, expiry, "not fraud" override and official-reminder rule), so ``confirmed``
says what the service does with the campaign's next copy, and the two ids are tied together.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from serving.reputation import TemplateReputation
from serving.store_errors import store_name
from serving.template_store import TemplateEntry
from training.campaigns.ranking import Campaign

ANALYST = "analyst"


def confirmation(reputation: TemplateReputation, templates: Mapping[str, int]) -> dict[str, Any] | None:
    """The stored entry deciding most of a campaign's messages (``templates``: template → messages),
    with ``messages`` the number it decides; None when the store decides none of them.

    A campaign joined by a contact point may hold several wordings, and the service matches each
    message's own template: a confirmed wording leaves the others unmatched, which ``messages``
    below ``size`` shows. Ties go to an analyst's entry over an automatic one, then the older id.
    """
    entries: dict[int, TemplateEntry] = {}
    decided: Counter[int] = Counter()
    for template, messages in templates.items():
        entry = reputation.verdict(template)
        if entry is not None and entry.id is not None:
            entries[entry.id] = entry
            decided[entry.id] += messages
    if not decided:
        return None
    best = max(decided, key=lambda key: (decided[key], entries[key].confirmed_by == ANALYST, -key))
    entry = entries[best]
    return {"template_id": entry.id, "label": entry.label, "fraud_type": entry.fraud_type,
            "source": entry.confirmed_by, "floor": entry.floor, "seen": entry.seen,
            "expires_at": entry.expires, "messages": decided[best]}


def mark_confirmed(campaigns: Sequence[Campaign], reputation: TemplateReputation) -> None:
    """Set every campaign's ``confirmed`` (and ``checked``, so a null is listed as "none")."""
    for campaign in campaigns:
        campaign.confirmed = confirmation(reputation, campaign.template_counts)
        campaign.checked = True


def awaits_analyst(campaign: Campaign) -> bool:
    """No analyst's verdict yet: nothing in the store, or only an automatic (warn-at-most,
    short-lived) entry, which asks an analyst to confirm it."""
    return campaign.confirmed is None or campaign.confirmed["source"] != ANALYST


def store_summary(campaigns: Sequence[Campaign], reputation: TemplateReputation, top: int) -> dict[str, Any]:
    """What was read and what is left: of the first ``top`` campaigns (the page's), how many await
    an analyst — the ones to look at next. ``applied_by_service``: the config's
    ``reputation.enabled``; when false the service stores confirmations but applies none, so
    ``confirmed`` says what it would do, not what it does."""
    shown = campaigns[:top]
    return {"store": store_name(reputation.index.store), "applied_by_service": reputation.config.enabled,
            "read_at": datetime.fromtimestamp(reputation.clock(), timezone.utc).isoformat(timespec="seconds"),
            "live_entries": len(reputation.index), "top": len(shown),
            "unconfirmed_in_top": sum(awaits_analyst(campaign) for campaign in shown)}
