"""Analyst evaluation report: metrics, plots and one self-contained HTML file.

``build_report`` works on plain inputs (:class:`EvalData`, :class:`ModelRun`) so it is testable
without a model; ``training.report.model.report_for_model`` wires it to registered models.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from configs.evaluation import EvaluationConfig, load_evaluation_config
from configs.report import ReportConfig
from features.labels import shipped_taxonomy
from features.sms.metadata import SENDER_KINDS, sender_kind
from features.sms.normalise import normalise_text
from training.bootstrap import paired_intervals
from training.category_figures import fraud_versus_ham
from training.report import metrics as M
from training.report import plots as P
from training.report.fonts import use_cjk_font
from training.report.html import render_html
from training.report.inputs import EvalData, ModelRun

__all__ = ["EvalData", "ModelRun", "Report", "build_report"]


@dataclass(frozen=True)
class Report:
    """What a report run writes: ``metrics`` (→ metrics.json) and ``html`` (→ report.html)."""

    metrics: dict[str, Any]
    html: str


def _example(data: EvalData, run: ModelRun, index: int) -> dict[str, Any]:
    """One message as shown to analysts: numbers and links masked, with the model's reasons (and,
    from a model with a category head, its category and fraud_score)."""
    example = {
        "id": str(data.ids[index]),
        "label": int(data.labels[index]),
        "score": float(run.scores[index]),
        "action": str(run.actions()[index]),
        "fraud_type": data.fraud_types[index] if data.fraud_types is not None else None,
        "text": normalise_text(str(data.texts[index])),
        "reasons": list(run.reasons[index]) if run.reasons is not None else [],
    }
    if run.categories is not None:
        example |= {"category": run.categories[index], "fraud_score": float(run.fraud_scores[index])}
    return example


def _sender_kinds(data: EvalData, run: ModelRun) -> list[dict[str, Any]]:
    """Per sender kind slice, or nothing when no record carries a sender."""
    if data.senders is None or all(s is None or (isinstance(s, float) and np.isnan(s)) for s in data.senders):
        return []
    rows = M.slice_table(data.labels, run, [sender_kind(s) for s in data.senders])
    return [{**row, "label": SENDER_KINDS.get(row["slice"], row["slice"])} for row in rows]


def _comparison(data: EvalData, run: ModelRun, other: ModelRun, limit: int, evaluation: EvaluationConfig) -> dict[str, Any]:
    """The other model's headline, the paired difference (this model − other, same bootstrap
    resamples) and the messages where their actions differ."""
    indices = M.disagreements(run, other, limit)
    differ = int(np.sum(run.actions() != other.actions()))
    rows = [{**_example(data, run, i), "other_score": float(other.scores[i]), "other_action": str(other.actions()[i])}
            for i in indices]
    two_classes = len(np.unique(data.labels)) == 2
    difference = paired_intervals(data.labels, run.scores, other.scores, evaluation)[2] if two_classes else None
    return {"model": other.name, "headline": M.headline(data.labels, other, evaluation), "difference": difference,
            "disagreement_count": differ, "disagreements": rows}


def report_metrics(data: EvalData, run: ModelRun, config: ReportConfig, other: ModelRun | None = None,
                   evaluation: EvaluationConfig | None = None) -> dict[str, Any]:
    """Every number of the report, JSON-ready (this is ``metrics.json``); bootstrap intervals and
    the FPRs recall is read at come from ``evaluation`` (default: ``configs/evaluation.yaml``)."""
    evaluation = evaluation or load_evaluation_config()
    worst = M.worst_errors(data.labels, run, config.worst_examples)
    drift = M.drift(run, config.drift, config.drift_features)
    return {
        "model": run.name,
        "thresholds": {"block": run.block, "warn": run.warn},
        "recall_at_fpr": list(evaluation.recall_at_fpr),
        "bootstrap": evaluation.bootstrap.model_dump(),
        "headline": M.headline(data.labels, run, evaluation),
        "actions": M.action_mix(data.labels, run),
        "threshold_table": M.threshold_table(data.labels, run, config.threshold_grid.values()),
        "fraud_types": M.fraud_type_recall(data, run),
        # Only from a model with a category head: a call model's report stays as it was.
        **({"categories": M.categories(data, run, shipped_taxonomy(), evaluation)} if run.categories is not None else {}),
        "sender_kinds": _sender_kinds(data, run),
        "importance": [{"feature": n, "importance": v} for n, v in M.top_features(run.importances, config.top_features)],
        "drift": drift,
        "drift_flagged": any(row["flagged"] for row in drift),
        "worst": {kind: [_example(data, run, i) for i in indices] for kind, indices in worst.items()},
        "compare": _comparison(data, run, other, config.disagreements, evaluation) if other is not None else None,
    }


def _fraud_curve(data: EvalData, run: ModelRun, metrics: dict[str, Any]) -> str | None:
    """fraud_score's PR curve on the rows the report ranks it on (fraud vs ham), where it does."""
    if "categories" not in metrics or metrics["categories"]["fraud"] is None:
        return None
    taxonomy = shipped_taxonomy()
    versus, is_fraud = fraud_versus_ham(data.categories, taxonomy.fraud_category, taxonomy.ham_category)
    return P.fraud_score_curve(is_fraud, run.fraud_scores[versus], run.name)


def report_plots(data: EvalData, run: ModelRun, metrics: dict[str, Any], config: ReportConfig,
                 other: ModelRun | None = None) -> dict[str, str | None]:
    """Every figure of the report as a base64 PNG (None where the data has nothing to show)."""
    use_cjk_font()
    runs = [run] if other is None else [run, other]
    two_classes = len(np.unique(data.labels)) == 2
    other_head = metrics["compare"]["headline"] if other is not None else None
    return {
        "curves": P.curves(data.labels, runs) if two_classes else None,
        "fraud_curve": _fraud_curve(data, run, metrics),
        "histogram": P.score_histograms(data.labels, run, config.histogram_bins),
        "other_histogram": P.score_histograms(data.labels, other, config.histogram_bins) if other else None,
        "confusion": P.confusion_matrices(metrics["headline"]["block"], metrics["headline"]["warn"], run.name),
        "other_confusion": P.confusion_matrices(other_head["block"], other_head["warn"], other.name) if other else None,
        "calibration": P.calibration(data.labels, runs, config.calibration_bins),
        "fraud_types": P.horizontal_bars([r["fraud_type"] for r in metrics["fraud_types"]],
                                         [r["recall_block"] for r in metrics["fraud_types"]],
                                         "各诈骗类型的拦截召回率", "召回率 recall@block") if metrics["fraud_types"] else None,
        "importance": P.horizontal_bars([r["feature"] for r in metrics["importance"]],
                                        [r["importance"] for r in metrics["importance"]],
                                        "全局特征重要性 (gain)", "重要性") if metrics["importance"] else None,
    }


def build_report(data: EvalData, run: ModelRun, config: ReportConfig, other: ModelRun | None = None,
                 evaluation: EvaluationConfig | None = None) -> Report:
    """The whole report for ``run`` on ``data`` (and, with ``other``, the side-by-side comparison)."""
    metrics = report_metrics(data, run, config, other, evaluation)
    return Report(metrics=metrics, html=render_html(metrics, report_plots(data, run, metrics, config, other)))
