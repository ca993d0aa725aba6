"""``yunmao train call``: CDRs or per-number profiles → fitted call model → registered challenger."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from configs.call import CallConfig
from features.calls.featuriser import build_call_featuriser
from features.calls.reasons import CALL_REASON_TEMPLATES
from training.data.cdr import load_call_training_data
from training.fit import FitResult, fit_scam_model
from training.tracking import TrainOutcome, log_and_register

NUMBER_COLUMN = "phone_no_m"


def train_call(paths: Sequence[str | Path], cfg: CallConfig, fmt: str = "auto", name: str | None = None) -> TrainOutcome:
    """Load (building profiles from CDRs when given a CDR folder), fit, log and register."""
    loaded = [load_call_training_data(path, fmt, cfg.profiles) for path in paths]
    frame = pd.concat([profiles for profiles, _ in loaded], ignore_index=True)
    if "label" not in frame or frame["label"].isna().any():
        raise ValueError("every number needs a label: a profile table's 'label' column or the CDR folder's labels.csv")
    fit = fit_call(frame, cfg)
    return log_and_register(
        fit,
        experiment=cfg.experiment,
        name=name or cfg.name,
        params=cfg.model_dump(mode="json"),
        data_report={"files": [report.as_dict() for _, report in loaded], "numbers": len(frame)},
        input_example=call_input_example(fit.model.feature_names),
    )


def fit_call(frame: pd.DataFrame, cfg: CallConfig) -> FitResult:
    """Fit a call ScamModel on labelled profiles (no MLflow); it keeps ``cfg.profiles`` to build
    profiles from raw CDRs exactly as this training did."""
    fit = fit_scam_model(
        frame,
        kind="call",
        featuriser=build_call_featuriser(cfg),
        groups=frame[NUMBER_COLUMN],
        lightgbm=cfg.lightgbm,
        thresholds=cfg.thresholds,
        split=cfg.split,
        reason_templates=CALL_REASON_TEMPLATES,
        max_reasons=cfg.max_reasons,
    )
    return dataclasses.replace(fit, model=dataclasses.replace(fit.model, profile_config=cfg.profiles))


def call_input_example(feature_names: Sequence[str]) -> pd.DataFrame:
    """A made-up profile row with the model's columns (the registry is no place for real numbers)."""
    return pd.DataFrame([{NUMBER_COLUMN: "example-number", **{name: 0.0 for name in feature_names}}])
