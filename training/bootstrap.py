"""Percentile bootstrap confidence intervals for the AUCs and recall at the blocking point.

A figure measured once on a few thousand rows moves by more than the gaps between models;
the interval says by how much. Resamples are stratified (unwanted and ham rows are drawn
separately, keeping their counts), so no resample lacks a class and the false positive
budget ``floor(FPR × ham rows)`` is the same in every resample. The work is vectorised: a chunk
of resamples is one (resamples × distinct scores) count matrix fed to
:func:`training.metrics.curve_metrics`, so 1,000 resamples of 10k rows take seconds.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from configs.evaluation import EvaluationConfig
from training.metrics import curve_metrics, operating_points, ranking, tie_groups

# Bounds the memory of one chunk: about ten (resamples × rows) matrices of 8-byte cells, so
# ~160 MB at most. The result does not depend on it.
_CELLS_PER_CHUNK = 2_000_000


def intervals(labels: np.ndarray, scores: np.ndarray, evaluation: EvaluationConfig) -> dict[str, float]:
    """ROC-AUC, PR-AUC and recall at each configured FPR, each with ``_ci_low`` / ``_ci_high`` siblings.

    The value is measured on the rows as given; the bounds are percentiles of the bootstrap
    distribution at ``evaluation.bootstrap.level``.
    """
    labels = _checked_labels(labels)
    samples = _resampled(labels, [np.asarray(scores, dtype=float)], evaluation)[0]
    return _with_bounds(_point(labels, scores, evaluation), samples, evaluation.bootstrap.level)


def paired_intervals(
    labels: np.ndarray, scores: np.ndarray, other_scores: np.ndarray, evaluation: EvaluationConfig,
) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """:func:`intervals` of two models scored on the same rows, and of their difference (first − other).

    Both models are measured on the same resamples, so the difference's interval reflects the
    rows on which they disagree, not the noise each figure carries on its own.
    """
    labels = _checked_labels(labels)
    first, other = np.asarray(scores, dtype=float), np.asarray(other_scores, dtype=float)
    if first.shape != other.shape or len(first) != len(labels):
        raise ValueError("paired scores must cover the same rows as the labels")
    samples_first, samples_other = _resampled(labels, [first, other], evaluation)
    level = evaluation.bootstrap.level
    point_first, point_other = _point(labels, first, evaluation), _point(labels, other, evaluation)
    difference = _with_bounds(
        {key: point_first[key] - point_other[key] for key in point_first},
        {key: samples_first[key] - samples_other[key] for key in samples_first}, level,
    )
    return _with_bounds(point_first, samples_first, level), _with_bounds(point_other, samples_other, level), difference


def paired_rate_difference(hits: np.ndarray, other_hits: np.ndarray, evaluation: EvaluationConfig) -> tuple[float, float, float]:
    """Difference of two hit rates on the same rows (first − other), with its percentile bootstrap
    interval: e.g. the recall of two models, each at its own threshold, over the unwanted rows."""
    difference = np.asarray(hits, dtype=float) - np.asarray(other_hits, dtype=float)
    rng = np.random.default_rng(evaluation.bootstrap.seed)
    samples = np.array([difference[rng.integers(0, len(difference), len(difference))].mean()
                        for _ in range(evaluation.bootstrap.resamples)])
    tail = (1 - evaluation.bootstrap.level) / 2 * 100
    return float(difference.mean()), float(np.percentile(samples, tail)), float(np.percentile(samples, 100 - tail))


def _checked_labels(labels: np.ndarray) -> np.ndarray:
    labels = np.asarray(labels).astype(int)
    if not (labels == 1).any() or not (labels == 0).any():
        raise ValueError("confidence intervals need both unwanted and normal rows")
    return labels


def _point(labels: np.ndarray, scores: np.ndarray, evaluation: EvaluationConfig) -> dict[str, float]:
    return {**ranking(labels, scores), **operating_points(labels, scores, evaluation.recall_at_fpr)}


def _with_bounds(point: dict[str, float], samples: dict[str, np.ndarray], level: float) -> dict[str, float]:
    tail = (1 - level) / 2
    result: dict[str, float] = {}
    for key, value in point.items():
        low, high = np.quantile(samples[key], [tail, 1 - tail])
        result |= {key: float(value), f"{key}_ci_low": float(low), f"{key}_ci_high": float(high)}
    return result


def _resampled(labels: np.ndarray, score_sets: Sequence[np.ndarray], evaluation: EvaluationConfig) -> list[dict[str, np.ndarray]]:
    """Per score array, each metric on every bootstrap resample (the same resamples for all arrays)."""
    groups = [tie_groups(scores) for scores in score_sets]
    n_pos = int(labels.sum())
    chunks: list[list[dict[str, np.ndarray]]] = [[] for _ in score_sets]
    for rows in _stratified_draws(labels, evaluation):
        count = len(rows)
        for per_set, (group, distinct) in zip(chunks, groups, strict=True):
            offsets = (np.arange(count) * distinct)[:, None]
            drawn = offsets + group[rows]
            positives = np.bincount(drawn[:, :n_pos].ravel(), minlength=count * distinct).reshape(count, distinct)
            negatives = np.bincount(drawn[:, n_pos:].ravel(), minlength=count * distinct).reshape(count, distinct)
            per_set.append(curve_metrics(positives, negatives, evaluation.recall_at_fpr))
    return [{key: np.concatenate([chunk[key] for chunk in per_set]) for key in per_set[0]} for per_set in chunks]


def _stratified_draws(labels: np.ndarray, evaluation: EvaluationConfig) -> Iterator[np.ndarray]:
    """Chunks of resamples as row-index matrices: unwanted rows drawn first, then ham rows."""
    rng = np.random.default_rng(evaluation.bootstrap.seed)
    unwanted, ham = np.flatnonzero(labels == 1), np.flatnonzero(labels == 0)
    per_chunk = max(1, _CELLS_PER_CHUNK // len(labels))
    left = evaluation.bootstrap.resamples
    while left:
        count = min(per_chunk, left)
        yield np.concatenate([unwanted[rng.integers(0, len(unwanted), (count, len(unwanted)))],
                              ham[rng.integers(0, len(ham), (count, len(ham)))]], axis=1)
        left -= count
