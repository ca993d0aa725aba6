"""Schema of ``configs/evaluation.yaml``: the operating points recall is read at, and the bootstrap."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator

from configs import StrictModel, default_config_path, load_config


class BootstrapConfig(StrictModel):
    """Percentile bootstrap: fewer than ~200 resamples make the 2.5% / 97.5% tails noise."""

    resamples: int = Field(1000, ge=100, le=100_000)
    seed: int = Field(0, ge=0)
    level: float = Field(0.95, ge=0.5, lt=1)


class EvaluationConfig(StrictModel):
    """Root of ``configs/evaluation.yaml``."""

    recall_at_fpr: tuple[float, ...] = Field((0.001, 0.01), min_length=1, max_length=10)
    bootstrap: BootstrapConfig = BootstrapConfig()

    @field_validator("recall_at_fpr")
    @classmethod
    def _rates(cls, rates: tuple[float, ...]) -> tuple[float, ...]:
        if any(not 0 < rate < 1 for rate in rates):
            raise ValueError("each false positive rate must be in (0, 1)")
        if len(set(rates)) != len(rates):
            raise ValueError("false positive rates must be distinct")
        return tuple(sorted(rates))


def load_evaluation_config(path: str | Path | None = None) -> EvaluationConfig:
    """Load and validate the evaluation config (the shipped default when ``path`` is None)."""
    return load_config(path or default_config_path("evaluation"), EvaluationConfig)
