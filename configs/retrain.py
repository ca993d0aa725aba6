"""Schema of ``configs/retrain.yaml``: promotion gates as data (metric, rule, tolerance or value),
the shadow-evidence gates of two-phase promotion, the fixed evaluation set and training config
per model kind, and the lock timeout."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from configs import StrictModel, default_config_path, load_config
from configs.paths import PROJECT_ROOT

COMPARATIVE = ("not_lower", "not_higher")


class Gate(StrictModel):
    metric: str = Field(..., pattern=r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$")
    rule: Literal["not_lower", "not_higher", "at_least", "at_most"]
    tolerance: float = Field(0.0, ge=0, le=1)
    value: float | None = None
    # True: the gate applies only where the metric is measured (e.g. fraud.roc_auc needs a
    # category head and an evaluation set with categories).
    if_present: bool = False

    @model_validator(mode="after")
    def _value_for_absolute_rules(self) -> Gate:
        if self.rule in COMPARATIVE and self.value is not None:
            raise ValueError(f"rule {self.rule} compares with the champion; use 'tolerance', not 'value'")
        if self.rule not in COMPARATIVE and self.value is None:
            raise ValueError(f"rule {self.rule} needs a 'value'")
        return self


class PerKind(StrictModel):
    """One optional file per model kind; relative paths are taken from the project root."""

    sms: str | None = None
    call: str | None = None

    def path(self, kind: Literal["sms", "call"]) -> Path | None:
        value = getattr(self, kind)
        if value is None:
            return None
        path = Path(value).expanduser()
        return path if path.is_absolute() else PROJECT_ROOT / path


class ShadowGates(StrictModel):
    """Two-phase promotion: ``yunmao promote`` also needs live shadow evidence for the exact version
    (``serving/shadow``), and ``retrain`` leaves a challenger that passed the offline gates at alias
    ``challenger`` for the service to shadow instead of promoting it."""

    enabled: bool = False
    min_shadow_pairs: int = Field(500, ge=1, le=100_000_000)
    max_block_disagreement: float = Field(0.02, ge=0, le=1)  # share of pairs where exactly one model blocks


class RetrainConfig(StrictModel):
    gates: list[Gate] = Field(..., min_length=1)
    shadow_gates: ShadowGates = ShadowGates()
    eval_data: PerKind = PerKind()
    training_config: PerKind = PerKind()
    lock_timeout_s: float = Field(10.0, ge=0, le=3600)


def load_retrain_config(path: str | Path | None = None) -> RetrainConfig:
    """Load and validate the retraining config (the shipped default when ``path`` is None)."""
    return load_config(path or default_config_path("retrain"), RetrainConfig)
