"""training/tracking.py: what a run puts in the registry for everyone to read holds no training row."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import mlflow
import pandas as pd
import pytest
from mlflow import MlflowClient
from mlflow.models import Model

from models.registry import use_experiment
from tests.models.conftest import SMALL_SMS_CONFIG
from tests.training.test_fit import RowFeaturiser, _frame
from training.data.demo_sms import generate_demo_sms
from training.fit import FitResult, fit_scam_model
from training.tracking import log_and_register, log_fit_metrics
from training.train import SMS_INPUT_EXAMPLE, fit_sms
from training.train_call import call_input_example


def _logged_example(fit: FitResult, example: pd.DataFrame, name: str) -> pd.DataFrame:
    outcome = log_and_register(fit, experiment=name, name=name, params={}, data_report={}, input_example=example)
    logged = Model.load(outcome.model_uri).load_input_example(outcome.model_uri)
    assert isinstance(logged, pd.DataFrame) and len(logged)
    return logged


@pytest.mark.slow
def test_sms_example_is_no_training_message() -> None:
    frame = generate_demo_sms(n=300, seed=4)
    logged = _logged_example(fit_sms(frame, SMALL_SMS_CONFIG), SMS_INPUT_EXAMPLE, "example-sms")
    assert list(logged.columns) == ["id", "text", "sender", "receiver", "sent_at"]
    for column in ("id", "text", "sender", "receiver"):
        assert not set(logged[column].dropna()) & set(frame[column].dropna()), column


def _small_call_fit() -> tuple[FitResult, pd.DataFrame]:
    frame, groups = _frame()
    frame["phone_no_m"] = [f"number-{i}" for i in range(len(frame))]
    fit = fit_scam_model(frame, kind="call", featuriser=RowFeaturiser(), groups=groups, lightgbm=SMALL_SMS_CONFIG.lightgbm,
                         thresholds=SMALL_SMS_CONFIG.thresholds, split=SMALL_SMS_CONFIG.split)
    return fit, frame


@pytest.mark.slow
def test_call_example_has_the_model_columns_and_no_training_number() -> None:
    fit, frame = _small_call_fit()
    logged = _logged_example(fit, call_input_example(fit.model.feature_names), "example-call")
    assert list(logged.columns) == ["phone_no_m", *fit.model.feature_names]
    assert not set(logged["phone_no_m"]) & set(frame["phone_no_m"])
    training_rows = {tuple(row) for row in frame[fit.model.feature_names].to_numpy()}
    assert not {tuple(row) for row in logged[fit.model.feature_names].to_numpy()} & training_rows


@pytest.mark.slow
def test_logged_model_pins_the_libraries_scoring_imports() -> None:
    """An environment rebuilt from the model's requirements.txt (``mlflow models serve``) can unpickle and score it."""
    fit, _ = _small_call_fit()
    outcome = log_and_register(fit, experiment="requirements", name="requirements", params={}, data_report={},
                               input_example=call_input_example(fit.model.feature_names))
    requirements = Path(mlflow.artifacts.download_artifacts(f"{outcome.model_uri}/requirements.txt")).read_text().split()
    for library in ("lightgbm", "jieba", "scikit-learn", "pandas"):
        assert f"{library}=={version(library)}" in requirements, requirements


def test_list_valued_fit_metrics_reach_mlflow_one_step_per_element() -> None:
    fit, _ = _small_call_fit()
    assert len(fit.metrics["best_iterations"]) > 1  # one per fold: a list worth logging element by element
    use_experiment("fit-metrics")
    with mlflow.start_run() as run:
        log_fit_metrics(fit.metrics)
    client = MlflowClient()
    for name in ("best_iterations", "served_member_rounds"):
        history = sorted((m.step, m.value) for m in client.get_metric_history(run.info.run_id, f"oof_{name}"))
        assert history == list(enumerate(map(float, fit.metrics[name]))), name
    assert client.get_run(run.info.run_id).data.metrics["oof_roc_auc"] == pytest.approx(fit.metrics["roc_auc"])
