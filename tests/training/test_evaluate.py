"""training/evaluate.py: every row of the evaluation file counts; ``unique`` adds the distinct view."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from configs.evaluation import BootstrapConfig, EvaluationConfig
from models.scam_model import ScamModel
from tests.models.category_stand_in import BLOCKED, FRAUD, LOW, WARNED, category_model
from tests.models.conftest import SMALL_SMS_CONFIG
from training.data.demo_sms import generate_demo_sms
from training.evaluate import evaluate_files, evaluate_model
from training.train import fit_sms

EVALUATION = EvaluationConfig(bootstrap=BootstrapConfig(resamples=200))


@pytest.fixture(scope="module")
def model() -> ScamModel:
    return fit_sms(generate_demo_sms(n=400, seed=5), SMALL_SMS_CONFIG).model


@pytest.fixture(scope="module")
def file_with_copies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200 demo messages plus 30 exact copies of the first 30 (a resent campaign): 230 rows."""
    frame = generate_demo_sms(n=200, seed=6)
    copies = frame.head(30).assign(id=lambda f: f["id"] + "-copy")
    path = tmp_path_factory.mktemp("eval") / "eval.csv"
    pd.concat([frame, copies], ignore_index=True).to_csv(path, index=False)
    return path


def test_every_row_is_scored_by_default(model: ScamModel, file_with_copies: Path) -> None:
    rows = pd.read_csv(file_with_copies)
    report = evaluate_files(model, [file_with_copies], evaluation=EVALUATION)
    assert report["rows"] == "every row" and report["n"] == len(rows) == 230
    assert report["positives"] == int(rows["label"].sum())
    assert "unique" not in report
    rounding = 1e-12  # a resampled AUC of exactly 1 may come out as 0.9999999999999998
    for key in ("roc_auc", "pr_auc", "recall_at_fpr_0.001", "recall_at_fpr_0.01"):
        assert report[f"{key}_ci_low"] - rounding <= report[key] <= report[f"{key}_ci_high"] + rounding, key


def test_unique_adds_the_deduplicated_view(model: ScamModel, file_with_copies: Path) -> None:
    report = evaluate_files(model, [file_with_copies], unique=True, evaluation=EVALUATION)
    distinct = report["unique"]
    assert report["n"] == 230
    assert distinct["n"] == 230 - distinct["duplicates_removed"] <= 200
    assert distinct["rows"] == "distinct normalised texts" and "recall_at_fpr_0.001_ci_high" in distinct


def test_unique_is_refused_for_call_models(model: ScamModel, file_with_copies: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model, "kind", "call")
    with pytest.raises(ValueError, match="--unique applies to SMS models only"):
        evaluate_files(model, [file_with_copies], unique=True, evaluation=EVALUATION)


def test_block_and_warn_figures_count_the_actions_the_service_takes() -> None:
    """A ham that only fraud_score's thresholds block is blocked by the service: ``evaluate``
    counts it as a false positive at the block point (a retrain FPR gate must see it), and a scam
    they warn on counts as warned, not let through."""
    rows = [
        (LOW, 0.97, 0),      # ham, unwanted score allows, fraud_score blocks
        (BLOCKED, 0.1, 1),   # scam the unwanted score blocks
        (LOW, 0.7, 1),       # scam only fraud_score's warn threshold catches
        (LOW, 0.1, 1),       # scam nothing catches
        (LOW, 0.1, 0),       # ham left alone
    ]
    frame = pd.DataFrame(rows, columns=["margin", "p_fraud", "label"])
    report = evaluate_model(category_model(FRAUD), frame, EVALUATION)
    assert (report["tp"], report["fp"], report["fn"], report["tn"]) == (1, 1, 2, 1)
    assert (report["warn"]["tp"], report["warn"]["fp"], report["warn"]["fn"]) == (2, 1, 1)
    assert report["threshold"] == 0.9  # still named by the score cut-off


def test_without_fraud_thresholds_the_figures_are_the_score_thresholds() -> None:
    frame = pd.DataFrame([(LOW, 0.97, 0), (BLOCKED, 0.1, 1), (WARNED, 0.7, 1), (LOW, 0.1, 1)], columns=["margin", "p_fraud", "label"])
    report = evaluate_model(category_model(None), frame, EVALUATION)
    assert (report["tp"], report["fp"], report["fn"]) == (1, 0, 2)
    assert (report["warn"]["tp"], report["warn"]["fp"], report["warn"]["fn"]) == (2, 0, 1)
