"""Schema of ``configs/campaigns.yaml``: how messages are reduced to templates and matched.

One campaign is one template re-sent thousands of times with the numbers, names and links changed,
so the template (:mod:`features.sms.templates`) is what campaign grouping and template reputation
both compare.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from configs import StrictModel, default_config_path, load_config


class TemplateConfig(StrictModel):
    """MinHash over character shingles of the masked text; LSH finds matches above a threshold."""

    shingle_chars: int = Field(3, ge=1, le=10)
    num_perm: int = Field(128, ge=16, le=1024)
    match_threshold: float = Field(0.7, gt=0, lt=1)
    min_template_chars: int = Field(12, ge=1)
    seed: int = 1


class ContactsConfig(StrictModel):
    """Contact points (link domains, 微信/QQ handles, callback numbers) that join templates into one campaign.

    A contact quoted by many templates, or an official number/site anyone may quote, is a hub:
    letting it merge would chain unrelated campaigns together (like a bank's line in the call graph).
    """

    max_templates_per_contact: int = Field(5, ge=1)
    min_handle_chars: int = Field(5, ge=1)
    service_number_prefixes: list[str] = Field(default_factory=list)
    service_number_max_digits: int = Field(6, ge=3, le=20)
    service_numbers: list[str] = Field(default_factory=list)
    service_domains: list[str] = Field(default_factory=list)
    second_level_suffixes: list[str] = Field(default_factory=list)

    @field_validator("service_number_prefixes", "service_numbers", "service_domains", "second_level_suffixes", mode="before")
    @classmethod
    def _as_lower_text(cls, values: list) -> list[str]:
        """YAML reads 95588 as a number and a domain may be typed in capitals: compare text, lower case."""
        return [str(value).strip().casefold() for value in values]


class PageConfig(StrictModel):
    """What ``campaigns.html`` shows (``campaigns.json`` lists every campaign)."""

    top_campaigns: int = Field(30, ge=1, le=1000)
    samples: int = Field(6, ge=1, le=100)
    senders_listed: int = Field(10, ge=1)
    contacts_listed: int = Field(10, ge=1)


class GroupingConfig(StrictModel):
    """``yunmao campaigns``: messages sharing a template or a (non-hub) contact point form one campaign."""

    min_size: int = Field(2, ge=2)
    contacts: ContactsConfig = ContactsConfig()
    page: PageConfig = PageConfig()


class ReputationReasons(StrictModel):
    """Reason shown on a message matching a template; ``{id}`` and ``{seen:,}`` are filled in."""

    analyst: str = Field("与已确认诈骗模板 #{id} 相同，已见 {seen:,} 条", min_length=1)
    automatic: str = Field("与疑似诈骗模板 #{id} 相同（模型多次拦截，待分析员确认），已见 {seen:,} 条", min_length=1)


class AutomaticConfirmation(StrictModel):
    """When the model's own blocks make a template an automatic (warn-at-most) entry."""

    enabled: bool = True
    min_blocked: int = Field(20, ge=2)
    window_s: float = Field(3600, gt=0)
    max_allowed_share: float = Field(0.05, ge=0, lt=1)
    max_candidates: int = Field(5000, ge=1)


class ReputationConfig(StrictModel):
    """Template reputation in the service: store, floors, expiry, sync and automatic confirmation.

    ``automatic_floor`` cannot be ``block``: the model's own false positives must not entrench
    themselves; only an analyst's confirmation may block. ``verify_durability``: a Redis store
    refuses to take a confirmation unless the server fsyncs every write (as the SQLite file does);
    off only where the provider persists every write and will not answer ``CONFIG GET``.
    """

    enabled: bool = True
    store_url: str = ""
    key_prefix: str = Field("yunmao:template:", min_length=1)
    analyst_floor: Literal["block", "warn"] = "block"
    automatic_floor: Literal["allow", "warn"] = "warn"
    analyst_ttl_days: float = Field(90, gt=0)
    automatic_ttl_days: float = Field(7, gt=0)
    sync_interval_s: float = Field(0.5, gt=0, le=60)
    seen_flush_interval_s: float = Field(5, gt=0, le=3600)
    busy_timeout_s: float = Field(5, gt=0, le=60)
    verify_durability: bool = True
    signature_cache_entries: int = Field(100_000, ge=0)
    reasons: ReputationReasons = ReputationReasons()
    automatic: AutomaticConfirmation = AutomaticConfirmation()


class CampaignsConfig(StrictModel):
    """Root of ``configs/campaigns.yaml``."""

    template: TemplateConfig = TemplateConfig()
    campaigns: GroupingConfig = GroupingConfig()
    reputation: ReputationConfig = ReputationConfig()


def load_campaigns_config(path: str | Path | None = None) -> CampaignsConfig:
    """Load and validate the campaigns config (the shipped default when ``path`` is None)."""
    return load_config(path or default_config_path("campaigns"), CampaignsConfig)
