"""Choosing block/warn thresholds from false-positive-rate targets on validation data.

Carriers reason in "how many legitimate messages may we touch": a threshold is the lowest
score at which the share of validation negatives at or above it stays within the target.
"""

from __future__ import annotations

import math

import numpy as np


def threshold_for_fpr(scores: np.ndarray, labels: np.ndarray, max_fpr: float) -> float:
    """Lowest threshold ``t`` with FPR(score >= t) <= ``max_fpr`` on these negatives.

    With few negatives the achievable FPRs are coarse (k / n_negatives); the threshold then
    sits just above the highest negative score that must be excluded. Raises when there are
    no negatives to measure FPR on.
    """
    negatives = np.sort(np.asarray(scores, dtype=np.float64)[np.asarray(labels) == 0])[::-1]
    if len(negatives) == 0:
        raise ValueError("cannot pick a threshold for an FPR target without negative examples")
    allowed = math.floor(max_fpr * len(negatives) + 1e-9)
    if allowed >= len(negatives):
        return float(negatives[-1])
    return float(np.nextafter(negatives[allowed], np.inf))
