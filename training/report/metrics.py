"""Numbers of an evaluation report: metrics at thresholds, tables, slices, categories, errors and drift.

Every function takes plain arrays and returns JSON-ready dicts/lists (floats or None, never NaN).
Precision, recall, FPR and the AUCs come from ``training.metrics``, the one definition that
training, ``yunmao evaluate`` and the retraining gates share.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from configs.evaluation import EvaluationConfig
from configs.report import DriftConfig
from configs.taxonomy import TaxonomyConfig
from models.drift import SCORE_RANGE, psi
from models.scam_model import ACTIONS
from training import metrics as shared
from training.bootstrap import ranking_with_intervals
from training.category_figures import NONE_KEY, category_columns, category_figures, category_rows, known_categories
from training.report.inputs import EvalData, ModelRun


def _ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator, or None when undefined (a share of nothing is not 0)."""
    return float(numerator / denominator) if denominator else None


def at_threshold(labels: np.ndarray, scores: np.ndarray, threshold: float) -> dict[str, Any]:
    """The shared metric definition at ``threshold`` (``shared.at_threshold``: a rate the labels
    cannot define is None) plus the share of records flagged there (what an operator budgets
    interceptions by). The threshold table reads it here."""
    return at_flags(labels, np.asarray(scores) >= threshold, threshold)


def at_flags(labels: np.ndarray, flagged: np.ndarray, threshold: float) -> dict[str, Any]:
    """:func:`at_threshold`'s cell for the records ``flagged`` (e.g. those the model blocks as
    served), named after the score ``threshold``."""
    return {**shared.at_flags(labels, flagged, threshold), "flagged_share": float(np.mean(flagged))}


def at_actions(labels: np.ndarray, run: ModelRun, chosen: np.ndarray | slice = slice(None)) -> dict[str, dict[str, Any]]:
    """The ``block`` and ``warn`` cells of the ``chosen`` records, counted from the actions the
    model serves (:meth:`ModelRun.actions`): a record fraud_score's thresholds block is blocked
    here too. Headline and slices read it."""
    return {"block": at_flags(labels[chosen], run.blocked()[chosen], run.block),
            "warn": at_flags(labels[chosen], run.acted_on()[chosen], run.warn)}


def ranking(labels: np.ndarray, scores: np.ndarray) -> dict[str, float | None]:
    """ROC-AUC and PR-AUC; None when the data has a single class (a slice may)."""
    if len(np.unique(labels)) < 2:
        return {"roc_auc": None, "pr_auc": None}
    return shared.ranking(labels, scores)


def headline(labels: np.ndarray, run: ModelRun, evaluation: EvaluationConfig) -> dict[str, Any]:
    """Counts, ranking metrics and recall at the configured FPRs with their intervals, the
    confusion at the model's block and warn thresholds, and what a single class leaves undefined."""
    return {
        "n": int(len(labels)),
        "positives": int(labels.sum()),
        **ranking_with_intervals(labels, run.scores, evaluation),
        **at_actions(labels, run),
        "one_class": shared.one_class(labels),
    }


def action_mix(labels: np.ndarray, run: ModelRun) -> list[dict[str, Any]]:
    """How many records each action gets, and how many of those are fraud."""
    actions = run.actions()
    rows = []
    for action in ACTIONS:
        chosen = actions == action
        count, frauds = int(chosen.sum()), int(labels[chosen].sum())
        rows.append({"action": action, "count": count, "share": float(chosen.mean()), "fraud": frauds,
                     "fraud_share": _ratio(frauds, count)})
    return rows


def threshold_table(labels: np.ndarray, run: ModelRun, grid: np.ndarray) -> list[dict[str, Any]]:
    """Metrics over candidate thresholds plus the model's own, marking which is block and warn."""
    marks = {round(run.block, 6): "block", round(run.warn, 6): "warn"}
    thresholds = sorted(set(np.round(grid, 6)) | set(marks))
    return [{**at_threshold(labels, run.scores, t), "mark": marks.get(t, "")} for t in thresholds]


def slice_table(labels: np.ndarray, run: ModelRun, groups: Sequence[Any]) -> list[dict[str, Any]]:
    """Per group (sender kind, …): size, fraud count, the confusion at the block and warn
    thresholds, and what a slice of one class leaves undefined (``one_class``, as the headline)."""
    keys = np.asarray([NONE_KEY if g is None else str(g) for g in groups])
    rows = []
    for key in sorted(set(keys)):
        chosen = keys == key
        rows.append({"slice": str(key), "n": int(chosen.sum()), "positives": int(labels[chosen].sum()),
                     **at_actions(labels, run, chosen), "one_class": shared.one_class(labels[chosen])})
    return rows


def fraud_type_recall(data: EvalData, run: ModelRun) -> list[dict[str, Any]]:
    """Recall at block and warn per fraud type, most frequent type first, counted from the actions
    the model serves (:func:`training.metrics.fraud_type_recall`, as ``yunmao evaluate`` counts it)."""
    return shared.fraud_type_recall(data.labels, data.fraud_types, run.blocked(), run.acted_on())


def categories(data: EvalData, run: ModelRun, taxonomy: TaxonomyConfig, evaluation: EvaluationConfig) -> dict[str, Any]:
    """What the category head of ``run`` says: the categories it called (``columns``, the
    taxonomy's order), how many records it called each (``predicted``) and, when the data knows
    true categories, per true category what it called them (``rows``), category macro-F1 and
    fraud_score's ranking on the fraud vs ham rows (``fraud``, None unless the data has both):
    :func:`training.category_figures.category_figures`, the figures ``yunmao evaluate`` reports.
    Fraud and ham are the taxonomy's, the names training gives the head (training/fit.py)."""
    predicted = list(run.categories)
    columns = category_columns(predicted, taxonomy.categories)
    true = data.categories if data.categories is not None and known_categories(data.categories).any() else None
    figures = {} if true is None else category_figures(
        true, predicted, run.fraud_scores, taxonomy.fraud_category, taxonomy.ham_category, evaluation)
    return {
        "columns": columns,
        "predicted": category_mix(predicted, columns),
        "rows": [] if true is None else category_rows(true, predicted, taxonomy.categories),
        "macro_f1": figures.get("category_macro_f1"),
        "n": figures.get("category_n", 0),
        "fraud": figures.get("fraud"),
    }


def category_mix(predicted: Sequence[str], columns: Sequence[str]) -> list[dict[str, Any]]:
    """How many records the model called each of ``columns``, and their share."""
    predicted = np.asarray(predicted, dtype=object)
    return [{"category": c, "count": int(np.sum(predicted == c)), "share": float(np.mean(predicted == c))} for c in columns]


def worst_errors(labels: np.ndarray, run: ModelRun, limit: int) -> dict[str, list[int]]:
    """Indices of the worst mistakes: legitimate messages acted on (warn or block), highest score
    first, and scams let through (allowed), lowest score first."""
    order = np.argsort(-run.scores, kind="stable")
    acted_on = run.acted_on()
    false_positive = [int(i) for i in order if labels[i] == 0 and acted_on[i]]
    false_negative = [int(i) for i in order[::-1] if labels[i] == 1 and not acted_on[i]]
    return {"false_positives": false_positive[:limit], "false_negatives": false_negative[:limit]}


def disagreements(model: ModelRun, other: ModelRun, limit: int) -> list[int]:
    """Indices where the two models take different actions, largest score gap first."""
    differ = np.flatnonzero(model.actions() != other.actions())
    gap = np.abs(model.scores[differ] - other.scores[differ])
    return [int(i) for i in differ[np.argsort(-gap, kind="stable")][:limit]]


def top_features(importances: Mapping[str, float] | None, limit: int) -> list[tuple[str, float]]:
    """The ``limit`` most important features, most important first."""
    if not importances:
        return []
    return sorted(((str(k), float(v)) for k, v in importances.items()), key=lambda kv: (-kv[1], kv[0]))[:limit]


def drift(run: ModelRun, config: DriftConfig, feature_limit: int) -> list[dict[str, Any]]:
    """PSI of the score and of the most important features against the training-data sample."""
    rows = []
    if run.reference_scores is not None:
        value = psi(run.reference_scores, run.scores, config.bins, fixed_range=SCORE_RANGE)
        rows.append({"name": "score", "psi": value, "limit": config.score_psi_limit,
                     "flagged": value is not None and value > config.score_psi_limit})
    if run.features and run.reference_features:
        names = [name for name, _ in top_features(run.importances, len(run.importances or {}))]
        shared = [n for n in names if n in run.features and n in run.reference_features][:feature_limit]
        for name in shared:
            value = psi(run.reference_features[name], run.features[name], config.bins)
            rows.append({"name": name, "psi": value, "limit": config.feature_psi_limit,
                         "flagged": value is not None and value > config.feature_psi_limit})
    return rows
