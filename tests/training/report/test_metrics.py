"""Report numbers on hand-made cases, where the right answer is known."""

from __future__ import annotations

import io

import numpy as np
import pytest

from configs import ConfigError
from configs.evaluation import BootstrapConfig, EvaluationConfig
from configs.report import DriftConfig, ThresholdGrid, load_report_config
from training.report import metrics as M
from training.report.inputs import EvalData, ModelRun

LABELS = np.array([1, 1, 0, 0, 1, 0])
SCORES = np.array([0.95, 0.40, 0.70, 0.10, 0.85, 0.30])
EVALUATION = EvaluationConfig(bootstrap=BootstrapConfig(resamples=200))


def run(scores: np.ndarray = SCORES, **kw) -> ModelRun:
    return ModelRun(name="m", scores=scores, block=kw.pop("block", 0.8), warn=kw.pop("warn", 0.5), **kw)


def test_at_threshold_counts_and_rates() -> None:
    cell = M.at_threshold(LABELS, SCORES, 0.5)
    assert (cell["tp"], cell["fp"], cell["tn"], cell["fn"]) == (2, 1, 2, 1)
    assert cell["precision"] == pytest.approx(2 / 3) and cell["recall"] == pytest.approx(2 / 3)
    assert cell["fpr"] == pytest.approx(1 / 3) and cell["f1"] == pytest.approx(2 / 3)
    assert cell["flagged_share"] == pytest.approx(0.5)


def test_single_class_data_has_no_auc() -> None:
    assert M.ranking(np.array([0, 0]), np.array([0.1, 0.2])) == {"roc_auc": None, "pr_auc": None}
    intervals = M.ranking_with_intervals(np.array([0, 0]), np.array([0.1, 0.2]), EVALUATION)
    assert set(intervals.values()) == {None} and "recall_at_fpr_0.001_ci_high" in intervals


def test_headline_and_action_mix() -> None:
    head = M.headline(LABELS, run(), EVALUATION)
    assert head["n"] == 6 and head["positives"] == 3
    assert head["roc_auc"] == pytest.approx(8 / 9)
    assert head["roc_auc_ci_low"] <= 8 / 9 <= head["roc_auc_ci_high"]
    # the 0.70 ham row outranks the 0.40 unwanted one: with 0 false positives allowed, 2 of 3
    assert head["recall_at_fpr_0.001"] == pytest.approx(2 / 3) and head["recall_at_fpr_0.01"] == pytest.approx(2 / 3)
    assert head["block"]["tp"] == 2 and head["warn"]["fp"] == 1
    mix = {row["action"]: row for row in M.action_mix(LABELS, run())}
    assert [mix[a]["count"] for a in ("block", "warn", "allow")] == [2, 1, 3]
    assert mix["warn"]["fraud_share"] == 0.0 and mix["allow"]["fraud"] == 1


def test_threshold_table_spans_the_grid_and_marks_the_models_thresholds() -> None:
    grid = ThresholdGrid(start=0.1, stop=0.9, step=0.2).values()
    assert grid.tolist() == [0.1, 0.3, 0.5, 0.7, 0.9]
    rows = M.threshold_table(LABELS, run(block=0.8, warn=0.5), grid)
    assert [r["threshold"] for r in rows] == [0.1, 0.3, 0.5, 0.7, 0.8, 0.9]
    assert {r["threshold"]: r["mark"] for r in rows if r["mark"]} == {0.5: "warn", 0.8: "block"}
    shares = [r["flagged_share"] for r in rows]
    assert shares == sorted(shares, reverse=True)


def test_fraud_type_recall_and_slices() -> None:
    data = EvalData(labels=LABELS, texts=["x"] * 6, ids=list("abcdef"),
                    fraud_types=["中奖", "刷单返利", None, None, "中奖", None])
    rows = M.fraud_type_recall(data, run())
    assert rows == [
        {"fraud_type": "中奖", "count": 2, "recall_block": 1.0, "recall_warn": 1.0},
        {"fraud_type": "刷单返利", "count": 1, "recall_block": 0.0, "recall_warn": 0.0},
    ]
    slices = M.slice_table(LABELS, run(), ["mobile", "mobile", "service_code", None, "mobile", "service_code"])
    assert [(s["slice"], s["n"], s["positives"]) for s in slices] == [("(none)", 1, 0), ("mobile", 3, 3), ("service_code", 2, 0)]
    assert slices[1]["block"]["recall"] == pytest.approx(2 / 3)


def test_a_slice_of_one_class_leaves_its_undefined_rate_null_and_says_why() -> None:
    """Was: recall 0.0 on a slice without fraud and FPR 0.0 on one without normal rows, which
    read as measured; the headline already used the null-aware rule (training.metrics.one_class)."""
    slices = {s["slice"]: s for s in M.slice_table(LABELS, run(), ["mobile", "mobile", "service_code", None, "mobile", "service_code"])}
    for cell in ("block", "warn"):
        assert slices["service_code"][cell]["recall"] is None and slices["service_code"][cell]["f1"] is None
        assert isinstance(slices["service_code"][cell]["fpr"], float)  # measured on its normal rows
        assert slices["mobile"][cell]["fpr"] is None and slices["mobile"][cell]["recall"] is not None
    assert slices["service_code"]["one_class"].startswith("only normal rows (2): ")
    assert slices["mobile"]["one_class"].startswith("only fraud rows (3): ")


def test_the_threshold_table_on_one_class_data_has_no_recall() -> None:
    rows = M.threshold_table(np.zeros(6, dtype=int), run(), np.array([0.5]))
    assert {r["recall"] for r in rows} == {None} and all(isinstance(r["fpr"], float) for r in rows)


def test_worst_errors_are_acted_on_negatives_and_let_through_positives() -> None:
    labels = np.array([0, 0, 0, 1, 1, 1, 0])
    scores = np.array([0.9, 0.6, 0.2, 0.1, 0.45, 0.9, 0.55])
    worst = M.worst_errors(labels, run(scores), limit=10)
    assert worst == {"false_positives": [0, 1, 6], "false_negatives": [3, 4]}
    assert M.worst_errors(labels, run(scores), limit=1) == {"false_positives": [0], "false_negatives": [3]}


def test_disagreements_largest_gap_first() -> None:
    a = run(np.array([0.9, 0.6, 0.2, 0.85]))
    b = run(np.array([0.9, 0.3, 0.7, 0.1]))
    assert M.disagreements(a, b, limit=10) == [3, 2, 1]


def test_psi_is_zero_for_the_same_distribution_and_large_for_a_shift() -> None:
    rng = np.random.default_rng(1)
    reference = rng.normal(size=5000)
    assert M.psi(reference, rng.normal(size=5000), 10) < 0.02
    assert M.psi(reference, rng.normal(1.0, size=5000), 10) > 0.5
    assert M.psi(reference, np.array([np.nan]), 10) is None
    # A sparse feature (mostly zero) still gives a finite value.
    assert np.isfinite(M.psi(np.zeros(100), np.ones(100), 10))
    # Bimodal calibrated scores: a slight sharpening is not drift on fixed-width bins.
    scores = np.r_[rng.uniform(0, 0.02, 700), rng.uniform(0.98, 1, 300)]
    assert M.psi(scores, np.clip(scores * 0.99, 0, 1), 10, fixed_range=(0.0, 1.0)) < 0.01


def test_drift_flags_over_the_configured_limits_for_top_features_only() -> None:
    rng = np.random.default_rng(2)
    ref = rng.random(2000)
    model = run(
        rng.random(2000),
        importances={"a": 3.0, "b": 2.0, "c": 1.0},
        features={"a": rng.random(2000) + 0.5, "b": rng.random(2000), "c": rng.random(2000)},
        reference_scores=ref,
        reference_features={"a": rng.random(2000), "b": rng.random(2000), "c": rng.random(2000)},
    )
    rows = M.drift(model, DriftConfig(score_psi_limit=0.2, feature_psi_limit=0.25), feature_limit=2)
    assert [(r["name"], r["flagged"]) for r in rows] == [("score", False), ("a", True), ("b", False)]
    assert M.drift(run(), DriftConfig(), 5) == []


def test_eval_data_refuses_mismatched_lengths_and_bad_labels() -> None:
    with pytest.raises(ValueError, match="texts has 1 entries for 2 labels"):
        EvalData(labels=np.array([0, 1]), texts=["x"], ids=["a", "b"])
    with pytest.raises(ValueError, match="0/1"):
        EvalData(labels=np.array([0, 2]), texts=["x", "y"], ids=["a", "b"])


def test_report_config_loads_and_refuses_bad_numbers(tmp_path) -> None:
    assert load_report_config().worst_examples == 50
    bad = tmp_path / "report.yaml"
    bad.write_text("threshold_grid: {start: 0.9, stop: 0.1}\n")
    with pytest.raises(ConfigError, match="stop must be >= start"):
        load_report_config(bad)
    bad.write_text("drift: {bins: 1}\n")
    with pytest.raises(ConfigError, match="drift.bins"):
        load_report_config(bad)


def test_every_action_figure_counts_what_the_model_serves() -> None:
    """Served actions differ from the score thresholds where fraud_score's thresholds act: the
    0.30 ham blocked by them and the 0.40 scam warned by them count as the hook sees them, in the
    headline, the action mix, the slices, per fraud type and among the worst errors."""
    served = run(served_actions=np.array(["block", "warn", "warn", "allow", "block", "block"]))
    head = M.headline(LABELS, served, EVALUATION)
    assert (head["block"]["tp"], head["block"]["fp"], head["block"]["fn"]) == (2, 1, 1)
    assert (head["warn"]["tp"], head["warn"]["fp"], head["warn"]["fn"]) == (3, 2, 0)
    assert head["block"]["threshold"] == 0.8 and head["block"]["flagged_share"] == pytest.approx(0.5)
    mix = {row["action"]: row["count"] for row in M.action_mix(LABELS, served)}
    assert mix == {"block": 3, "warn": 2, "allow": 1}
    data = EvalData(labels=LABELS, texts=["x"] * 6, ids=list("abcdef"), fraud_types=["中奖", "刷单返利", None, None, "中奖", None])
    assert {r["fraud_type"]: r["recall_warn"] for r in M.fraud_type_recall(data, served)} == {"中奖": 1.0, "刷单返利": 1.0}
    slices = {s["slice"]: s for s in M.slice_table(LABELS, served, ["a", "a", "b", "b", "a", "b"])}
    assert slices["b"]["block"]["fp"] == 1
    assert M.worst_errors(LABELS, served, limit=10) == {"false_positives": [2, 5], "false_negatives": []}


def test_empty_cells_of_a_labelled_file_are_no_fraud_type_and_no_category() -> None:
    """A file where only some scams carry a fraud type: pandas reads the empty cells as NaN, which
    once came out as a fraud type "nan" in the per-type recall table."""
    import pandas as pd

    from training.report.model import eval_data

    frame = pd.DataFrame({"id": list("abcdef"), "text": ["x"] * 6, "label": LABELS,
                          "fraud_type": ["中奖", None, None, None, "中奖", None], "category": ["fraud", None, "ham", "ham", "fraud", "ham"]})
    data = eval_data(pd.read_csv(io.StringIO(frame.to_csv(index=False))))  # as a CSV file reads back
    assert [row["fraud_type"] for row in M.fraud_type_recall(data, run())] == ["中奖"]
    assert data.categories is not None and data.categories[1] is None
