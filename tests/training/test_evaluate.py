"""training/evaluate.py: every row of the evaluation file counts; ``unique`` adds the distinct view."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from configs.evaluation import BootstrapConfig, EvaluationConfig
from models.scam_model import ScamModel
from tests.models.conftest import SMALL_SMS_CONFIG
from training.data.demo_sms import generate_demo_sms
from training.evaluate import evaluate_files
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
