"""Logging one training run to MLflow and registering its model as the challenger."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import mlflow
import pandas as pd
from sklearn.metrics import ConfusionMatrixDisplay, PrecisionRecallDisplay

from models.pyfunc import log_scam_model
from models.registry import CHALLENGER, set_alias, use_experiment
from training.fit import FitResult


@dataclass(frozen=True)
class TrainOutcome:
    name: str
    version: str
    run_id: str
    metrics: dict

    @property
    def model_uri(self) -> str:
        return f"models:/{self.name}/{self.version}"


def log_and_register(
    fit: FitResult,
    *,
    experiment: str,
    name: str,
    params: dict,
    data_report: dict,
    input_example: pd.DataFrame,
) -> TrainOutcome:
    """Log params, data counts, validation metrics and plots; register the pyfunc as challenger.

    ``input_example`` is stored in the registry for anyone to read: it must be synthetic,
    never training rows (subscriber texts and numbers).
    """
    use_experiment(experiment)
    with mlflow.start_run() as run, tempfile.TemporaryDirectory() as tmp:
        mlflow.log_params(_flatten(params))
        mlflow.log_dict(data_report, "data_report.json")
        mlflow.log_metrics({"n_train": fit.n_train})
        log_fit_metrics(fit.metrics)
        mlflow.log_metrics({"threshold_block": fit.model.thresholds.block, "threshold_warn": fit.model.thresholds.warn})
        if fit.model.fraud_thresholds is not None:
            cut = fit.model.fraud_thresholds
            mlflow.log_metrics({"fraud_threshold_block": cut.block, "fraud_threshold_warn": cut.warn})
        _log_plots(fit)
        info = log_scam_model(fit.model, input_example, name, Path(tmp))
        version = str(info.registered_model_version)
        set_alias(name, version, CHALLENGER)
        mlflow.set_tag("yunmao.registered_version", version)
        return TrainOutcome(name=name, version=version, run_id=run.info.run_id, metrics=fit.metrics)


def log_fit_metrics(metrics: dict) -> None:
    """The fit's validation metrics under ``oof_<name>`` in the active run: a number as one metric,
    a list of numbers (one per fold or bagged member: ``best_iterations``,
    ``served_member_rounds``) as that metric's history, element ``i`` at step ``i``, which the run
    page charts and ``MlflowClient.get_metric_history`` returns (a runs table shows the last)."""
    numbers, series = {}, {}
    for key, value in _flatten(metrics).items():
        if _is_number(value):
            numbers[f"oof_{key}"] = value
        elif isinstance(value, (list, tuple)) and value and all(map(_is_number, value)):
            series[f"oof_{key}"] = value
    mlflow.log_metrics(numbers)
    for key, values in series.items():
        for step, value in enumerate(values):
            mlflow.log_metric(key, value, step=step)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float))


def _log_plots(fit: FitResult) -> None:
    labels = fit.frame["label"].astype(int).to_numpy()
    fig, ax = plt.subplots(figsize=(5, 4))
    PrecisionRecallDisplay.from_predictions(labels, fit.oof_scores, ax=ax, name="out of fold")
    mlflow.log_figure(fig, "plots/pr_curve.png")
    plt.close(fig)
    for action in ("block", "warn"):
        threshold = getattr(fit.model.thresholds, action)
        fig, ax = plt.subplots(figsize=(4, 4))
        ConfusionMatrixDisplay.from_predictions(
            labels, (fit.oof_scores >= threshold).astype(int), display_labels=["normal", "fraud"], ax=ax
        )
        ax.set_title(f"{action} @ {threshold:.3f}")
        mlflow.log_figure(fig, f"plots/confusion_{action}.png")
        plt.close(fig)


def _flatten(values: dict, prefix: str = "") -> dict:
    flat: dict = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat

