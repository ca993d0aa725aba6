"""Schema of ``configs/campaigns.yaml``: how messages are reduced to templates and matched.

One campaign is one template re-sent thousands of times with the numbers, names and links changed,
so the template (:mod:`features.sms.templates`) is what campaign grouping and template reputation
both compare.
"""

from __future__ import annotations

from pydantic import Field

from configs import StrictModel


class TemplateConfig(StrictModel):
    """MinHash over character shingles of the masked text; LSH finds matches above a threshold."""

    shingle_chars: int = Field(3, ge=1, le=10)
    num_perm: int = Field(128, ge=16, le=1024)
    match_threshold: float = Field(0.7, gt=0, lt=1)
    min_template_chars: int = Field(12, ge=1)
    seed: int = 1


class CampaignsConfig(StrictModel):
    """Root of ``configs/campaigns.yaml``."""

    template: TemplateConfig = TemplateConfig()
