"""The report's category sections: what a category head called each record, graded as ``yunmao
evaluate`` grades it, and absent for models without a head."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pandas as pd
import pytest

from configs.evaluation import BootstrapConfig, EvaluationConfig
from configs.report import ReportConfig
from features.labels import shipped_taxonomy
from models.scam_model import ScamModel
from training.bootstrap import intervals
from training.data.demo_sms import generate_demo_sms
from training.evaluate import evaluate_model
from training.report import build_report
from training.report import metrics as M
from training.report.inputs import EvalData, ModelRun
from training.report.model import evaluate_for_report

EVALUATION = EvaluationConfig(bootstrap=BootstrapConfig(resamples=200))
TRUE = ["ham", "ham", "spam", "fraud", "fraud", None]
CALLED = ["ham", "spam", "spam", "fraud", "ham", "fraud"]
FRAUD_SCORES = np.array([0.1, 0.3, 0.4, 0.9, 0.2, 0.8])
LABELS = np.array([0, 0, 1, 1, 1, 1])
SCORES = np.array([0.1, 0.6, 0.7, 0.95, 0.3, 0.85])


def data(categories: list[str | None] | None = TRUE) -> EvalData:
    return EvalData(labels=LABELS, texts=[f"短信 {i}" for i in range(6)], ids=list("abcdef"), categories=categories)


def run(head: bool = True) -> ModelRun:
    return ModelRun(name="m", scores=SCORES, block=0.8, warn=0.5,
                    categories=CALLED if head else None, fraud_scores=FRAUD_SCORES if head else None)


def test_each_true_category_row_counts_what_the_model_called_it() -> None:
    table = M.categories(data(), run(), shipped_taxonomy(), EVALUATION)
    assert table["columns"] == ["ham", "spam", "illegal", "fraud"]  # the taxonomy's order, every category
    assert table["rows"] == [
        {"category": "ham", "count": 2, "called": {"ham": 1, "spam": 1, "illegal": 0, "fraud": 0}, "recall": 0.5},
        {"category": "spam", "count": 1, "called": {"ham": 0, "spam": 1, "illegal": 0, "fraud": 0}, "recall": 1.0},
        {"category": "fraud", "count": 2, "called": {"ham": 1, "spam": 0, "illegal": 0, "fraud": 1}, "recall": 0.5},
        {"category": "(none)", "count": 1, "called": {"ham": 0, "spam": 0, "illegal": 0, "fraud": 1}, "recall": None},
    ]
    assert [(r["category"], r["count"]) for r in table["predicted"]] == [("ham", 2), ("spam", 2), ("illegal", 0), ("fraud", 2)]
    assert table["predicted"][0]["share"] == pytest.approx(1 / 3)
    # On the 5 rows of known category, F1 ham 1/2, spam 2/3, fraud 2/3.
    assert table["macro_f1"] == pytest.approx((1 / 2 + 2 / 3 + 2 / 3) / 3) and table["n"] == 5


def test_fraud_score_is_ranked_on_the_fraud_and_ham_rows_as_evaluate_ranks_it() -> None:
    """Rows a, b (ham) and d, e (fraud): 3 of the 4 (fraud, ham) pairs are ordered right; the
    spam row's 0.4 and the unknown row's 0.8 do not count."""
    fraud = M.categories(data(), run(), shipped_taxonomy(), EVALUATION)["fraud"]
    assert fraud["roc_auc"] == pytest.approx(3 / 4) and fraud["n"] == 4
    assert fraud == {**intervals(np.array([0, 0, 1, 1]), np.array([0.1, 0.3, 0.9, 0.2]), EVALUATION), "n": 4}
    assert "recall_at_fpr_0.001_ci_high" in fraud


def test_without_true_categories_the_table_is_the_predicted_mix_only() -> None:
    for categories in (None, [None] * 6, [float("nan")] * 6):  # no column, or a column nobody filled
        table = M.categories(data(categories), run(), shipped_taxonomy(), EVALUATION)
        assert table["rows"] == [] and table["macro_f1"] is None and table["fraud"] is None and table["n"] == 0
        assert [r["count"] for r in table["predicted"]] == [2, 2, 0, 2]


def test_fraud_score_needs_both_fraud_and_ham_rows() -> None:
    table = M.categories(data(["spam", "spam", "spam", "fraud", "fraud", None]), run(), shipped_taxonomy(), EVALUATION)
    assert table["fraud"] is None and table["macro_f1"] is not None


def test_categories_and_fraud_scores_come_together() -> None:
    with pytest.raises(ValueError, match="categories and fraud_scores come together"):
        ModelRun(name="m", scores=SCORES, block=0.8, warn=0.5, categories=CALLED)


def test_the_sections_are_there_only_with_a_category_head() -> None:
    """With a head: the category table, fraud_score's figures and curve, and each worst example's
    category and fraud_score. Without one (call models, models from before the taxonomy), on the
    same data: none of it, not even an empty table."""
    config = ReportConfig()
    headed = build_report(data(), run(), config, evaluation=EVALUATION)
    metrics = json.loads(json.dumps(headed.metrics))  # what metrics.json holds
    assert metrics["categories"]["rows"][0]["called"] == {"ham": 1, "spam": 1, "illegal": 0, "fraud": 0}
    assert metrics["categories"]["fraud"]["roc_auc"] == pytest.approx(3 / 4)
    (false_positive,) = metrics["worst"]["false_positives"]  # the 0.6 ham the model called spam
    assert (false_positive["id"], false_positive["category"], false_positive["fraud_score"]) == ("b", "spam", 0.3)
    for shown in ("类别 · Categories (ham / spam / illegal / fraud)", "category macro-F1: <b>0.6111</b>",
                  "诈骗分 fraud_score · P(fraud) on fraud vs ham rows", "fraud_score PR curve",
                  "<th>类别 category</th><th>诈骗分 fraud_score</th>", "<td>spam</td><td>0.3000</td>"):
        assert shown in headed.html, shown
    (curve,) = [png for alt, png in _images(headed.html) if alt.startswith("fraud_score")]
    assert base64.b64decode(curve)[:4] == b"\x89PNG"

    plain = build_report(data(), run(head=False), config, evaluation=EVALUATION)
    assert "categories" not in plain.metrics
    assert "category" not in plain.metrics["worst"]["false_positives"][0]
    for absent in ("Categories", "fraud_score", "category"):
        assert absent not in plain.html, absent


def test_without_true_categories_the_page_shows_the_mix_and_no_fraud_score_figures() -> None:
    page = build_report(data(None), run(), ReportConfig(), evaluation=EVALUATION).html
    assert "No true categories in this data: the predicted mix only." in page and "模型判定 predicted mix" in page
    assert "on fraud vs ham rows" not in page and "fraud_score PR curve" not in page


def test_a_fitted_model_s_report_grades_categories_as_evaluate_does(demo_trained_model: ScamModel) -> None:
    """The shipped demo model (category head) on demo messages of known category: the report's
    macro-F1, fraud_score figures, per-category table and per-fraud-type recall are evaluate's,
    from one definition."""
    frame = generate_demo_sms(n=120, seed=6)
    report = evaluate_for_report(demo_trained_model, "m", "1", frame, ReportConfig())
    evaluated = evaluate_model(demo_trained_model, frame)
    table = report.metrics["categories"]
    assert table["macro_f1"] == evaluated["category_macro_f1"] and table["n"] == evaluated["category_n"] == len(frame)
    assert table["fraud"] == evaluated["fraud"]
    assert sum(row["count"] for row in table["rows"]) == len(frame)
    assert table["rows"] == evaluated["category_rows"]
    assert report.metrics["fraud_types"] == evaluated["fraud_types"] != []
    assert {r["category"] for r in table["rows"]} == set(pd.unique(frame["category"]))
    assert "fraud_score PR curve" in report.html


def _images(page: str) -> list[tuple[str, str]]:
    """(alt, base64 PNG) of each image of the page."""
    return re.findall(r'<img alt="([^"]*)" src="data:image/png;base64,([^"]*)">', page)
