"""Schema of ``configs/call_candidates.yaml``: pre-registered changes to the call model's config.

``benchmarks/call_quality.py --nested --candidate NAME`` fits the shipped config and a candidate on
identical outer folds. Writing a candidate down before its run is what keeps a comparison on the
judging folds from becoming a search on them: each says what it overrides and why it was tried.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from configs import StrictModel
from configs.call import CallConfig


class CallCandidate(StrictModel):
    """Overrides of ``configs/call.yaml`` (a nested mapping, merged key by key), and why."""

    why: str = Field(min_length=3)
    overrides: dict[str, Any] = Field(min_length=1)

    @model_validator(mode="after")
    def _valid_call_config(self) -> CallCandidate:
        self.applied_to(CallConfig())  # a typo or bad value fails at load, with the field path
        return self

    def applied_to(self, shipped: CallConfig) -> CallConfig:
        """``shipped`` with the overrides merged in, validated as a whole call config."""
        return CallConfig.model_validate(_merged(shipped.model_dump(), self.overrides))


class CallCandidatesConfig(StrictModel):
    """Root of ``configs/call_candidates.yaml``: candidates by name."""

    candidates: dict[str, CallCandidate] = Field(default_factory=dict)


def _merged(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``overrides`` merged in: mappings key by key, anything else replaced."""
    merged = dict(base)
    for key, value in overrides.items():
        merged[key] = _merged(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return merged
