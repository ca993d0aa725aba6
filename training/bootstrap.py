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
from dataclasses import dataclass

import numpy as np

from configs.evaluation import EvaluationConfig
from training.metrics import at_threshold, curve_metrics, one_class, operating_points, ranking, recall_key, tie_groups

# Bounds the memory of one chunk: about ten (resamples × rows) matrices of 8-byte cells, so
# ~160 MB at most. The result does not depend on it.
_CELLS_PER_CHUNK = 2_000_000


# How far two sums of the same figure may differ by floating-point rounding alone.
_ROUNDING = 1e-12


def intervals(labels: np.ndarray, scores: np.ndarray, evaluation: EvaluationConfig) -> dict[str, float]:
    """ROC-AUC, PR-AUC and recall at each configured FPR, each with ``_ci_low`` / ``_ci_high`` siblings.

    The value is measured on the rows as given; the bounds are percentiles of the bootstrap
    distribution at ``evaluation.bootstrap.level``.
    """
    labels = _checked_labels(labels)
    samples = _resampled(labels, [np.asarray(scores, dtype=float)], evaluation)[0]
    return _with_bounds(_point(labels, scores, evaluation), samples, evaluation.bootstrap.level)


def ranking_with_intervals(labels: np.ndarray, scores: np.ndarray, evaluation: EvaluationConfig) -> dict[str, float | None]:
    """:func:`intervals`, every value None when the labels hold a single class
    (:func:`training.metrics.one_class`: a one-class file or a slice)."""
    if one_class(labels) is not None:
        keys = ("roc_auc", "pr_auc", *map(recall_key, evaluation.recall_at_fpr))
        return {f"{key}{part}": None for key in keys for part in ("", "_ci_low", "_ci_high")}
    return intervals(labels, scores, evaluation)


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


@dataclass(frozen=True)
class FoldPair:
    """Two models' scores on one held-out fold's rows, each with the threshold it flags at."""

    labels: np.ndarray
    first: np.ndarray
    first_threshold: float
    other: np.ndarray
    other_threshold: float


def paired_fold_difference(folds: Sequence[FoldPair], evaluation: EvaluationConfig) -> dict[str, float]:
    """Difference (first − other) of the mean over folds of F1 at each model's own threshold,
    ROC-AUC and PR-AUC, with ``_ci_low`` / ``_ci_high`` percentile bootstrap bounds.

    Cross-validated figures are means over folds, each fold scored by its own model; so rows are
    resampled within each fold (stratified by label), both models on the same draws, and each
    resample's difference is the mean of the folds' differences. Only the held-out rows are
    resampled, not the fits: the interval says how much the rows decide, not the training noise.
    """
    points, samples = [], []
    for index, fold in enumerate(folds):
        labels = _checked_labels(fold.labels)
        if not len(fold.first) == len(fold.other) == len(labels):
            raise ValueError(f"fold {index}: paired scores must cover the same rows as the labels")
        # One seed per fold, shared by both draws below: _stratified_draws is deterministic in it,
        # so the F1 and ranking samples come from the same resamples.
        drawn = evaluation.model_copy(update={"bootstrap": evaluation.bootstrap.model_copy(
            update={"seed": evaluation.bootstrap.seed + index})})
        ranked_first, ranked_other = _resampled(labels, [fold.first, fold.other], drawn)
        f1_first, f1_other = (_resampled_f1(labels, scores >= threshold, drawn)
                              for scores, threshold in ((fold.first, fold.first_threshold), (fold.other, fold.other_threshold)))
        samples.append({"f1": f1_first - f1_other,
                        **{key: ranked_first[key] - ranked_other[key] for key in ("roc_auc", "pr_auc")}})
        first = {**at_threshold(labels, fold.first, fold.first_threshold), **ranking(labels, fold.first)}
        other = {**at_threshold(labels, fold.other, fold.other_threshold), **ranking(labels, fold.other)}
        points.append({key: first[key] - other[key] for key in ("f1", "roc_auc", "pr_auc")})
    if not points:
        raise ValueError("a paired difference needs at least one fold")
    point = {key: float(np.mean([p[key] for p in points])) for key in points[0]}
    mean_samples = {key: np.mean([s[key] for s in samples], axis=0) for key in point}
    return _with_bounds(point, mean_samples, evaluation.bootstrap.level)


def _resampled_f1(labels: np.ndarray, flagged: np.ndarray, evaluation: EvaluationConfig) -> np.ndarray:
    """F1 of ``flagged`` on every bootstrap resample of :func:`_stratified_draws`."""
    n_pos = int(labels.sum())
    chunks = []
    for rows in _stratified_draws(labels, evaluation):
        hits = flagged[rows]
        true_pos = hits[:, :n_pos].sum(axis=1)
        false_pos = hits[:, n_pos:].sum(axis=1)
        denominator = 2 * true_pos + false_pos + (n_pos - true_pos)
        chunks.append(np.divide(2.0 * true_pos, denominator, out=np.zeros(len(rows)), where=denominator > 0))
    return np.concatenate(chunks)


def _checked_labels(labels: np.ndarray) -> np.ndarray:
    labels = np.asarray(labels).astype(int)
    if not (labels == 1).any() or not (labels == 0).any():
        raise ValueError("confidence intervals need both unwanted and normal rows")
    return labels


def _point(labels: np.ndarray, scores: np.ndarray, evaluation: EvaluationConfig) -> dict[str, float]:
    return {**ranking(labels, scores), **operating_points(labels, scores, evaluation.recall_at_fpr)}


def _with_bounds(point: dict[str, float], samples: dict[str, np.ndarray], level: float) -> dict[str, float]:
    """``point`` with the bootstrap percentile bounds of each figure. The resamples' figures are
    summed another way than the point's (scikit-learn's): a bound past the point by rounding alone
    (1.0 against 0.9999999999999999 on a perfect ranking) is the point itself."""
    tail = (1 - level) / 2
    result: dict[str, float] = {}
    for key, value in point.items():
        low, high = np.quantile(samples[key], [tail, 1 - tail])
        if 0 < low - value <= _ROUNDING:
            low = value
        if 0 < value - high <= _ROUNDING:
            high = value
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
