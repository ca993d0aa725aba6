"""Metric definitions shared by training, evaluation, reports and retraining gates."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score, f1_score, precision_recall_curve, roc_auc_score


def at_threshold(labels: np.ndarray, scores: np.ndarray, threshold: float) -> dict[str, float]:
    """Precision, recall, F1, FPR and counts when ``score >= threshold`` means fraud."""
    labels = np.asarray(labels).astype(int)
    flagged = np.asarray(scores) >= threshold
    tp = int(np.sum(flagged & (labels == 1)))
    fp = int(np.sum(flagged & (labels == 0)))
    fn = int(np.sum(~flagged & (labels == 1)))
    tn = int(np.sum(~flagged & (labels == 0)))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    fpr = fp / (fp + tn) if fp + tn else 0.0
    return {"threshold": float(threshold), "precision": precision, "recall": recall, "f1": f1, "fpr": fpr,
            "tp": tp, "fp": fp, "fn": fn, "tn": tn}


def best_f1(labels: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    """The highest F1 over all thresholds, and the threshold reaching it."""
    precision, recall, thresholds = precision_recall_curve(labels, scores)
    f1 = np.where(precision + recall > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-12), 0.0)[:-1]
    best = int(np.argmax(f1))
    return float(f1[best]), float(thresholds[best])


def ranking(labels: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    """Threshold-free quality: ROC-AUC and PR-AUC (average precision)."""
    return {"roc_auc": float(roc_auc_score(labels, scores)), "pr_auc": float(average_precision_score(labels, scores))}


def binary_report(labels: np.ndarray, scores: np.ndarray, block: float, warn: float) -> dict:
    """The evaluation contract: n, positives, AUCs, best F1, block-threshold metrics, nested warn."""
    labels = np.asarray(labels).astype(int)
    block_metrics = at_threshold(labels, scores, block)
    best, best_threshold = best_f1(labels, scores)
    return {
        "n": int(len(labels)),
        "positives": int(labels.sum()),
        **ranking(labels, scores),
        "best_f1": best,
        "best_f1_threshold": best_threshold,
        **block_metrics,
        "warn": at_threshold(labels, scores, warn),
    }


def macro_f1(true: list[str], predicted: list[str]) -> float:
    return float(f1_score(true, predicted, average="macro"))
