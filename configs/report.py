"""Schema of ``configs/report.yaml``: threshold grid, list lengths, and drift limits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import Field, model_validator

from configs import StrictModel, default_config_path, load_config


class ThresholdGrid(StrictModel):
    start: float = Field(0.05, gt=0, lt=1)
    stop: float = Field(0.95, gt=0, lt=1)
    step: float = Field(0.05, gt=0, lt=1)

    @model_validator(mode="after")
    def _ordered(self) -> ThresholdGrid:
        if self.stop < self.start:
            raise ValueError("stop must be >= start")
        return self

    def values(self) -> np.ndarray:
        """The grid's thresholds, start to stop inclusive (rounded so 0.1+0.2 prints as 0.3)."""
        count = int(np.floor((self.stop - self.start) / self.step + 1e-9)) + 1
        return np.round(self.start + self.step * np.arange(count), 6)


class DriftConfig(StrictModel):
    bins: int = Field(10, ge=2, le=100)
    score_psi_limit: float = Field(0.2, gt=0)
    feature_psi_limit: float = Field(0.25, gt=0)


class ReportConfig(StrictModel):
    threshold_grid: ThresholdGrid = ThresholdGrid()
    worst_examples: int = Field(50, ge=1, le=1000)
    disagreements: int = Field(50, ge=1, le=1000)
    top_features: int = Field(20, ge=1, le=200)
    drift_features: int = Field(10, ge=0, le=200)
    drift: DriftConfig = DriftConfig()
    calibration_bins: int = Field(10, ge=2, le=100)
    histogram_bins: int = Field(40, ge=5, le=500)


def load_report_config(path: str | Path | None = None) -> ReportConfig:
    """Load and validate the report config (the shipped default when ``path`` is None)."""
    return load_config(path or default_config_path("report"), ReportConfig)
