"""``campaigns.html``: the analyst's page — top campaigns with samples, their differences highlighted.

Self-contained like the dens page: no script, stylesheet or image from elsewhere, and the bundled
CJK font embedded as a subset (:func:`training.report.fonts.embedded_font_face`) so Chinese
renders on any viewer. Message texts come from senders, so the template autoescapes everything.
"""

from __future__ import annotations

import difflib
from datetime import datetime, timezone
from typing import Any

from configs.campaigns import PageConfig
from training.campaigns.ranking import Campaign
from training.report.fonts import embedded_font_face
from training.report.html import template_environment

_ENV = template_environment("training.campaigns")


def highlighted(representative: str, text: str) -> list[dict[str, Any]]:
    """``text`` cut into pieces, each marked ``changed`` where it differs from ``representative``.

    What a campaign varies (number, name, link) is what an analyst looks for; what it keeps is
    the template. Text only in the representative is not shown (the representative is shown whole).
    """
    matcher = difflib.SequenceMatcher(None, representative, text, autojunk=False)
    return [{"text": text[j1:j2], "changed": tag != "equal"}
            for tag, _, _, j1, j2 in matcher.get_opcodes() if j2 > j1]


def render_page(campaigns: list[Campaign], config: PageConfig, sources: dict[str, Any],
                store: dict[str, Any] | None = None) -> str:
    """The whole page for the first ``config.top_campaigns`` campaigns (``campaigns`` sorted by rank);
    ``store`` (:func:`training.campaigns.confirmed.store_summary`): the template store was read,
    so every campaign shows what the store decides for it."""
    rows = []
    for campaign in campaigns[: config.top_campaigns]:
        representative = campaign.samples[0]["text"]
        samples = [{**sample, "pieces": highlighted(representative, sample["text"])} for sample in campaign.samples]
        rows.append({"c": campaign, "samples": samples})
    context = {"rows": rows, "total": len(campaigns), "sources": sources, "store": store,
               "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    template = _ENV.get_template("campaigns.html.j2")
    # Rendered twice: the first pass collects the characters the embedded font must cover.
    text = template.render(font_face="", **context)
    return template.render(font_face=embedded_font_face(text), **context)
