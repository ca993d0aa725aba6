"""Metric definitions shared by training, evaluation, reports and retraining gates."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, f1_score, precision_recall_curve, roc_auc_score

from models.scam_model import ALLOW, BLOCK, Thresholds


def at_threshold(labels: np.ndarray, scores: np.ndarray, threshold: float) -> dict[str, float | None]:
    """Precision, recall, F1, FPR and counts when ``score >= threshold`` means fraud.

    A rate the labels cannot define is None, never 0.0, which would read as measured: recall and F1
    on rows without fraud, FPR on rows without normal ones (a one-class file or report slice,
    :func:`one_class`). Precision with nothing flagged is 0.0, as scikit-learn counts it.
    """
    return at_flags(labels, np.asarray(scores) >= threshold, threshold)


def at_flags(labels: np.ndarray, flagged: np.ndarray, threshold: float) -> dict[str, float | None]:
    """:func:`at_threshold`'s figures for the rows ``flagged`` (e.g. those a model's served actions
    block: its score threshold and, with a category head, its fraud_score thresholds);
    ``threshold`` is reported as the score cut-off the flags are named after."""
    labels = np.asarray(labels).astype(int)
    flagged = np.asarray(flagged, dtype=bool)
    tp = int(np.sum(flagged & (labels == 1)))
    fp = int(np.sum(flagged & (labels == 0)))
    fn = int(np.sum(~flagged & (labels == 1)))
    tn = int(np.sum(~flagged & (labels == 0)))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else None
    f1 = None if recall is None else (2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    fpr = fp / (fp + tn) if fp + tn else None
    return {"threshold": float(threshold), "precision": precision, "recall": recall, "f1": f1, "fpr": fpr,
            "tp": tp, "fp": fp, "fn": fn, "tn": tn}


def one_class(labels: np.ndarray) -> str | None:
    """What a labelled set holding a single class cannot measure, or None when it holds both.

    Such a set is still worth evaluating: an all-normal file (a carrier's sample of good traffic)
    measures the false positive rate at the block and warn thresholds, an all-fraud file (victim
    reports) the recall. So ``yunmao evaluate`` and ``yunmao report`` go on, exit 0, and print this
    on stderr and in their output; every figure that needs the missing class is null, not 0.
    """
    labels = np.asarray(labels).astype(int)
    positives, n = int(labels.sum()), len(labels)
    if 0 < positives < n:
        return None
    if positives == 0:
        return (f"only normal rows ({n}): ROC-AUC, PR-AUC, best F1 and recall need fraud rows and are null; "
                "the false positive rate at the block and warn thresholds is measured")
    return (f"only fraud rows ({n}): ROC-AUC, PR-AUC, best F1 and the false positive rate need normal rows and are null; "
            "recall at the block and warn thresholds is measured")


def best_f1(labels: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    """The highest F1 over all thresholds, and the threshold reaching it."""
    precision, recall, thresholds = precision_recall_curve(labels, scores)
    f1 = np.where(precision + recall > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-12), 0.0)[:-1]
    best = int(np.argmax(f1))
    return float(f1[best]), float(thresholds[best])


def ranking(labels: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    """Threshold-free quality: ROC-AUC and PR-AUC (average precision)."""
    return {"roc_auc": float(roc_auc_score(labels, scores)), "pr_auc": float(average_precision_score(labels, scores))}


def recall_key(max_fpr: float) -> str:
    """The result key of recall at ``max_fpr``: ``recall_at_fpr_0.001`` for 0.1%."""
    return f"recall_at_fpr_{max_fpr:g}"


def tie_groups(scores: np.ndarray) -> tuple[np.ndarray, int]:
    """Per row, the index of its score among the distinct scores in descending order, and their count.

    Rows with equal scores share a group: a threshold flags all of them or none.
    """
    distinct, group = np.unique(-np.asarray(scores, dtype=float), return_inverse=True)
    return group.ravel(), len(distinct)


def curve_metrics(positives: np.ndarray, negatives: np.ndarray, max_fprs: tuple[float, ...]) -> dict[str, np.ndarray]:
    """ROC-AUC, PR-AUC (average precision) and recall at each FPR in ``max_fprs``, for many
    weightings of the same scored rows at once.

    ``positives[b, j]`` and ``negatives[b, j]`` are how often weighting ``b`` counts unwanted and
    ham rows of tie group ``j`` (see :func:`tie_groups`; groups in descending score order). With
    every weight 1 this is the plain metric on the rows; a bootstrap resample is a weighting by
    how often each row was drawn. Each returned array holds one value per weighting.

    - ROC-AUC: the share of (unwanted, ham) pairs ordered right, ties counting half (as sklearn).
    - PR-AUC: average precision, the sum over thresholds of precision times the recall gained
      there (sklearn's ``average_precision_score``; no interpolation).
    - Recall at FPR ``f``: a threshold flags every row scoring at or above it. The threshold is
      the lowest score at which the flagged ham rows are at most ``floor(f × ham rows)``, i.e.
      the false positive rate on the evaluated rows stays at or below ``f``. Ties are handled
      conservatively: a group of equal scores that would push the false positives over the limit
      is left unflagged as a whole, with its unwanted rows. With fewer than ``1 / f`` ham rows the
      limit is 0 false positives.
    """
    positives, negatives = np.atleast_2d(positives).astype(float), np.atleast_2d(negatives).astype(float)
    total_pos, total_neg = positives.sum(axis=1), negatives.sum(axis=1)
    true_pos, false_pos = np.cumsum(positives, axis=1), np.cumsum(negatives, axis=1)
    ham_below = total_neg[:, None] - false_pos
    roc_auc = np.sum(positives * (ham_below + 0.5 * negatives), axis=1) / (total_pos * total_neg)
    flagged = true_pos + false_pos
    precision = np.divide(true_pos, flagged, out=np.zeros_like(true_pos), where=flagged > 0)
    result = {"roc_auc": roc_auc, "pr_auc": np.sum(positives * precision, axis=1) / total_pos}
    for max_fpr in max_fprs:
        allowed = np.floor(max_fpr * total_neg + 1e-9)
        usable = np.sum(false_pos <= allowed[:, None], axis=1)  # false_pos never falls: a prefix
        reached = np.take_along_axis(true_pos, np.maximum(usable - 1, 0)[:, None], axis=1)[:, 0]
        result[recall_key(max_fpr)] = np.where(usable > 0, reached, 0.0) / total_pos
    return result


def operating_points(labels: np.ndarray, scores: np.ndarray, max_fprs: tuple[float, ...]) -> dict[str, float]:
    """Recall at each false positive rate in ``max_fprs`` (definition: :func:`curve_metrics`)."""
    labels = np.asarray(labels).astype(int)
    group, groups = tie_groups(scores)
    positives = np.bincount(group[labels == 1], minlength=groups)
    negatives = np.bincount(group[labels == 0], minlength=groups)
    curves = curve_metrics(positives, negatives, max_fprs)
    return {recall_key(f): float(curves[recall_key(f)][0]) for f in max_fprs}


def binary_report(labels: np.ndarray, scores: np.ndarray, block: float, warn: float, actions: np.ndarray | None = None) -> dict:
    """The evaluation contract: n, positives, AUCs, best F1, block-threshold metrics, nested warn;
    on a single class (:func:`one_class`) what needs the other class is None.

    ``actions`` (the model's served actions, :meth:`models.scam_model.ScamModel.acted`): the block
    figures count the rows it blocks and the warn figures those it warns on or blocks, which the
    score thresholds alone miss where fraud_score thresholds or category actions act; without it
    (out-of-fold training scores) the score thresholds decide."""
    labels = np.asarray(labels).astype(int)
    both = one_class(labels) is None
    best, best_threshold = best_f1(labels, scores) if both else (None, None)
    if actions is None:
        actions = Thresholds(block=block, warn=warn).actions(scores)
    actions = np.asarray(actions)
    return {
        "n": int(len(labels)),
        "positives": int(labels.sum()),
        **(ranking(labels, scores) if both else {"roc_auc": None, "pr_auc": None}),
        "best_f1": best,
        "best_f1_threshold": best_threshold,
        **at_flags(labels, actions == BLOCK, block),
        "warn": at_flags(labels, actions != ALLOW, warn),
    }


def macro_f1(true: list[str], predicted: list[str]) -> float:
    return float(f1_score(true, predicted, average="macro"))


def fraud_type_recall(labels: np.ndarray, fraud_types: Iterable[Any] | None, blocked: np.ndarray,
                      acted_on: np.ndarray) -> list[dict[str, Any]]:
    """Per fraud type of the fraud rows that name one: ``count``, ``recall_block`` (the share
    ``blocked``) and ``recall_warn`` (the share ``acted_on``, warned on or blocked), the most
    frequent type first; empty when the data has no fraud types (``fraud_types`` None).

    Overall recall hides a script the model misses whole behind the common ones it catches; the
    report draws these rows and ``yunmao evaluate`` prints them, so both read this one definition.
    """
    if fraud_types is None:
        return []
    types = np.asarray([_type_name(t) for t in fraud_types], dtype=object)
    fraud = np.asarray(labels).astype(int) == 1
    blocked, acted_on = np.asarray(blocked, dtype=bool), np.asarray(acted_on, dtype=bool)
    rows = []
    for fraud_type in sorted(set(types[fraud]) - {""}):
        chosen = fraud & (types == fraud_type)
        rows.append({"fraud_type": fraud_type, "count": int(chosen.sum()),
                     "recall_block": float(np.mean(blocked[chosen])),
                     "recall_warn": float(np.mean(acted_on[chosen]))})
    return sorted(rows, key=lambda row: (-row["count"], row["fraud_type"]))


def _type_name(cell: Any) -> str:
    """The fraud type a cell names, "" for an empty cell: None, or NaN as a frame's empty cell reads
    (counted as a type, it showed as "nan")."""
    return cell if isinstance(cell, str) else ("" if pd.isna(cell) else str(cell))
