"""training/evaluate.py: every row of the evaluation file counts; ``unique`` adds the distinct view."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from configs.evaluation import BootstrapConfig, EvaluationConfig
from models.scam_model import ALLOW, BLOCK, ScamModel
from tests.models.category_stand_in import BLOCKED, FRAUD, LOW, WARNED, category_model
from tests.models.conftest import SMALL_SMS_CONFIG
from training.category_figures import NONE_KEY
from training.data.datasets import load_for_model
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


def test_fraud_types_recount_the_served_actions_of_each_type(model: ScamModel, file_with_copies: Path) -> None:
    """One entry per type of the typed fraud rows, most frequent first, each recall the share of
    that type's rows the served actions block (or warn on or block), recounted row by row."""
    report = json.loads(json.dumps(evaluate_files(model, [file_with_copies], evaluation=EVALUATION), ensure_ascii=False))
    frame, _ = load_for_model(model, [file_with_copies], "auto", labelled=True)
    actions = model.acted(model.scored(frame))[0]
    types = frame["fraud_type"].fillna("").to_numpy()
    typed = (frame["label"].to_numpy() == 1) & (types != "")
    rows = report["fraud_types"]
    assert sorted(r["fraud_type"] for r in rows) == sorted(set(types[typed])) and len(rows) > 1
    assert sum(r["count"] for r in rows) == typed.sum()
    assert [r["count"] for r in rows] == sorted((r["count"] for r in rows), reverse=True)
    for row in rows:
        chosen = typed & (types == row["fraud_type"])
        assert row["count"] == chosen.sum()
        assert 0 <= row["recall_block"] <= row["recall_warn"] <= 1
        assert row["recall_block"] == pytest.approx(np.mean(actions[chosen] == BLOCK))
        assert row["recall_warn"] == pytest.approx(np.mean(actions[chosen] != ALLOW))


def test_without_a_fraud_type_column_fraud_types_is_empty() -> None:
    frame = pd.DataFrame([(BLOCKED, 0.1, 1), (LOW, 0.1, 0)], columns=["margin", "p_fraud", "label"])
    assert evaluate_model(category_model(FRAUD), frame, EVALUATION)["fraud_types"] == []


def test_category_rows_count_what_the_model_called_each_known_category() -> None:
    """Four rows of known category (one unknown, its own last row): the rows over known
    categories sum to them, every row's calls to its count; without a category column, no rows."""
    rows = [
        (BLOCKED, 0.97, 1, "fraud"),  # fraud_score blocks: called fraud
        (BLOCKED, 0.1, 1, "fraud"),   # unwanted, not fraud: called spam
        (LOW, 0.1, 0, "ham"),         # allowed: called ham
        (BLOCKED, 0.1, 1, "spam"),
        (LOW, 0.1, 0, None),
    ]
    frame = pd.DataFrame(rows, columns=["margin", "p_fraud", "label", "category"])
    report = evaluate_model(category_model(FRAUD), frame, EVALUATION)
    table = report["category_rows"]
    assert [r["category"] for r in table] == ["ham", "spam", "fraud", NONE_KEY]  # the taxonomy's order
    assert sum(r["count"] for r in table if r["category"] != NONE_KEY) == report["category_n"] == 4
    assert all(sum(r["called"].values()) == r["count"] for r in table)
    assert table[2]["called"] == {"ham": 0, "spam": 1, "illegal": 0, "fraud": 1} and table[2]["recall"] == 0.5
    assert "category_rows" not in evaluate_model(category_model(FRAUD), frame.drop(columns="category"), EVALUATION)
