"""Fitting a ScamModel from labelled records: the part shared by the SMS and call models.

Split (grouped, so no duplicate crosses) → fit featuriser on the training part → LightGBM
with early stopping on validation → Platt calibration → thresholds from FPR targets →
optional fraud-type head. Everything tunable arrives as validated config.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import lightgbm as lgb
import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from configs.sms import FraudTypeConfig, LightGBMConfig, SplitConfig, ThresholdConfig
from models.scam_model import FraudTypeHead, PlattCalibrator, ScamModel, Thresholds
from training.metrics import binary_report
from training.split import grouped_split
from training.thresholds import threshold_for_fpr

REFERENCE_SAMPLE = 2000
REFERENCE_TOP_FEATURES = 20
_BASE_PARAMS = {"objective": "binary", "verbosity": -1}


@dataclass
class FitResult:
    model: ScamModel
    validation: pd.DataFrame
    validation_scores: np.ndarray
    metrics: dict
    n_train: int


def fit_scam_model(
    frame: pd.DataFrame,
    *,
    kind: str,
    featuriser: Pipeline,
    groups: pd.Series,
    lightgbm: LightGBMConfig,
    thresholds: ThresholdConfig,
    split: SplitConfig,
    fraud_type: FraudTypeConfig | None = None,
    reason_templates: Mapping[str, str] | None = None,
    reason_mask: Callable[[Sequence[str]], np.ndarray] | None = None,
    max_reasons: int = 5,
) -> FitResult:
    """Fit every part of a ScamModel on ``frame`` (records with ``label``, maybe ``fraud_type``)."""
    labels = frame["label"].astype(int)
    train_idx, valid_idx = grouped_split(labels, groups, split.validation_fraction, split.seed)
    train, valid = frame.iloc[train_idx], frame.iloc[valid_idx]
    y_train, y_valid = labels.iloc[train_idx].to_numpy(), labels.iloc[valid_idx].to_numpy()

    x_train = featuriser.fit_transform(train, y_train)
    x_valid = featuriser.transform(valid)
    booster = _train_booster(lightgbm, x_train, y_train, x_valid, y_valid, split.seed)

    margin = booster.predict(x_valid, raw_score=True)
    calibrator = _fit_platt(margin, y_valid)
    valid_scores = calibrator(margin)
    cutoffs = Thresholds(
        block=max(threshold_for_fpr(valid_scores, y_valid, thresholds.block_max_fpr), thresholds.block_min_score),
        warn=max(threshold_for_fpr(valid_scores, y_valid, thresholds.warn_max_fpr), thresholds.warn_min_score),
    )
    head = None
    if fraud_type is not None and "fraud_type" in frame:
        head = _fit_fraud_type_head(fraud_type, train, x_train, valid, x_valid, split.seed)
    feature_names = [str(name) for name in featuriser.get_feature_names_out()]
    model = ScamModel(
        kind=kind,
        featuriser=featuriser,
        booster=booster,
        calibrator=calibrator,
        thresholds=cutoffs,
        feature_names=feature_names,
        fraud_type_head=head,
        reason_templates=dict(reason_templates or {}),
        reason_mask=reason_mask(feature_names) if reason_mask else None,
        max_reasons=max_reasons,
        reference=_reference_sample(booster, x_valid, valid_scores, feature_names, split.seed),
    )
    metrics = binary_report(y_valid, valid_scores, cutoffs.block, cutoffs.warn)
    metrics["best_iteration"] = booster.best_iteration
    return FitResult(model, valid, valid_scores, metrics, n_train=len(train))


def _train_booster(cfg: LightGBMConfig, x_train, y_train, x_valid, y_valid, seed: int, params=None) -> lgb.Booster:
    params = {**_BASE_PARAMS, "seed": seed, **cfg.params, **(params or {})}
    train_set = lgb.Dataset(x_train, y_train, free_raw_data=True)
    valid_set = lgb.Dataset(x_valid, y_valid, reference=train_set)
    return lgb.train(
        params,
        train_set,
        num_boost_round=cfg.num_boost_round,
        valid_sets=[valid_set],
        callbacks=[lgb.early_stopping(cfg.early_stopping_rounds, verbose=False)],
    )


def _fit_platt(margin: np.ndarray, labels: np.ndarray) -> PlattCalibrator:
    fitted = LogisticRegression(C=1e4).fit(margin.reshape(-1, 1), labels)
    return PlattCalibrator(slope=float(fitted.coef_[0, 0]), intercept=float(fitted.intercept_[0]))


def _fit_fraud_type_head(
    cfg: FraudTypeConfig, train: pd.DataFrame, x_train, valid: pd.DataFrame, x_valid, seed: int
) -> FraudTypeHead | None:
    """Multiclass head on fraud rows with a known type; None when fewer than two usable types."""
    counts = train.loc[train["label"].astype(int) == 1, "fraud_type"].dropna().value_counts()
    classes = sorted(counts[counts >= cfg.min_examples_per_type].index)
    if len(classes) < 2:
        return None
    index = {name: i for i, name in enumerate(classes)}

    def rows(frame: pd.DataFrame) -> np.ndarray:
        return np.flatnonzero(frame["fraud_type"].isin(classes).to_numpy() & (frame["label"].astype(int) == 1).to_numpy())

    tr, va = rows(train), rows(valid)
    if len(va) == 0:  # no typed fraud in validation: early stopping watches the training rows
        x_valid, valid, va = x_train, train, tr
    booster = _train_booster(
        cfg.lightgbm,
        x_train[tr],
        train["fraud_type"].iloc[tr].map(index).to_numpy(),
        x_valid[va],
        valid["fraud_type"].iloc[va].map(index).to_numpy(),
        seed,
        params={"objective": "multiclass", "num_class": len(classes)},
    )
    return FraudTypeHead(booster=booster, classes=classes)


def _reference_sample(
    booster: lgb.Booster, features, scores: np.ndarray, names: list[str], seed: int
) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(scores), size=min(REFERENCE_SAMPLE, len(scores)), replace=False)
    top = np.argsort(-booster.feature_importance("gain"))[:REFERENCE_TOP_FEATURES]
    sample = features[rows][:, top]
    sample = sample.toarray() if sp.issparse(sample) else np.asarray(sample)
    reference = {names[j]: sample[:, k].astype(np.float32) for k, j in enumerate(top)}
    reference["score"] = scores[rows].astype(np.float32)
    return reference
