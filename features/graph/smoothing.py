"""Correct & Smooth (Huang et al., 2020) of call scores over the call graph.

A simple model's scores are post-processed with the labels of *other* numbers: *correct*
spreads the known numbers' residual errors (label − out-of-fold score) to their neighbours,
*smooth* spreads the corrected scores with known numbers set to their labels. Both are
sparse matrix products over the row-normalised adjacency with self-loops (no Python loop over
vertices). :func:`correct_and_smooth` sees labels only through ``known``, exactly as
:func:`features.graph.features.graph_features` does: callers take the scored numbers out of it,
so a number's own label never reaches its own score; :func:`out_of_fold_smoothed` does that per
training fold, so thresholds are set on scores of the kind the model produces when scoring.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.metrics import roc_auc_score

from configs.call import CorrectSmoothConfig
from features.graph.links import CallGraph


@dataclass(frozen=True)
class Smoothing:
    """The Correct & Smooth settings one model uses (alphas as chosen on its inner folds)."""

    alpha_correct: float
    alpha_smooth: float
    iterations: int
    scale: float


def normalised_adjacency(graph: CallGraph) -> sp.csr_matrix:
    """Row-normalised adjacency with self-loops, ``(D + I)^-1 (A + I)``: one step replaces a value
    by the weighted mean over the vertex and its neighbours.

    Not the paper's ``D^-1/2 A D^-1/2``: with it an unlinked number's score shrinks to
    ``(1 − alpha)`` of itself and a well-linked one's can pass 1, so scores of numbers with
    different degrees stop being comparable, which is all a warn threshold needs them to be.
    A row-normalised operator keeps a constant constant and leaves unlinked numbers unchanged.
    """
    linked = graph.adjacency + sp.identity(len(graph.names), format="csr")
    strength = np.asarray(linked.sum(axis=1)).ravel()
    return (sp.diags(1.0 / strength) @ linked).tocsr()


def propagate(operator: sp.csr_matrix, start: np.ndarray, alpha: float, iterations: int) -> np.ndarray:
    """``x ← (1 − alpha)·start + alpha·operator·x`` from ``x = start``, ``iterations`` times."""
    spread = start.copy()
    for _ in range(iterations):
        spread = (1 - alpha) * start + alpha * (operator @ spread)
    return spread


def correct_and_smooth(
    graph: CallGraph,
    numbers: Sequence[str],
    scores: np.ndarray,
    known: pd.Series,
    known_scores: pd.Series,
    smoothing: Smoothing,
) -> np.ndarray:
    """Post-processed ``scores`` of ``numbers`` (one per number, in order).

    Args:
        graph: the call graph; every number of ``numbers`` must be a vertex.
        numbers, scores: the scored numbers and the model's calibrated scores of them.
        known: labels (0/1) the post-processing may use; the caller keeps ``numbers`` out of it.
        known_scores: out-of-fold scores of the known numbers (their residuals are corrected).
        smoothing: alphas, steps and correction scale.

    Raises:
        ValueError: a number is not a vertex of the graph.
    """
    rows = graph.positions(numbers)
    if (rows < 0).any():
        raise ValueError(f"{int((rows < 0).sum())} numbers are not in the call graph (first {numbers[int(np.flatnonzero(rows < 0)[0])]!r})")
    positions = graph.positions(known.index)
    inside = positions >= 0
    labelled, labels = positions[inside], np.asarray(known, dtype=float)[inside]
    base = np.full(len(graph.names), labels.mean() if len(labels) else 0.0)
    base[labelled] = known_scores.reindex(known.index).to_numpy(dtype=float)[inside]
    base[rows] = scores
    operator = normalised_adjacency(graph)
    residual = np.zeros(len(graph.names))
    residual[labelled] = labels - base[labelled]
    error = propagate(operator, residual, smoothing.alpha_correct, smoothing.iterations)
    corrected = np.clip(base + smoothing.scale * error, 0.0, 1.0)
    corrected[labelled] = labels
    return propagate(operator, corrected, smoothing.alpha_smooth, smoothing.iterations)[rows]


def out_of_fold_smoothed(
    graph: CallGraph,
    numbers: Sequence[str],
    labels: np.ndarray,
    oof_scores: np.ndarray,
    folds: Sequence[tuple[np.ndarray, np.ndarray]],
    smoothing: Smoothing,
) -> np.ndarray:
    """Training rows' smoothed scores: rows of each fold see only the labels of the other folds."""
    index = pd.Index(list(numbers), dtype=object).astype(str)
    all_labels = pd.Series(np.asarray(labels, dtype=int), index=index)
    all_scores = pd.Series(np.asarray(oof_scores, dtype=float), index=index)
    out = np.zeros(len(index))
    for _, held in folds:
        visible = all_labels.drop(index[held])
        out[held] = correct_and_smooth(graph, index[held].tolist(), all_scores.iloc[held].to_numpy(), visible,
                                       all_scores.drop(index[held]), smoothing)
    return out


def choose_smoothing(
    graph: CallGraph,
    numbers: Sequence[str],
    labels: np.ndarray,
    oof_scores: np.ndarray,
    folds: Sequence[tuple[np.ndarray, np.ndarray]],
    config: CorrectSmoothConfig,
) -> tuple[Smoothing, np.ndarray]:
    """The grid's alphas with the best ROC-AUC of out-of-fold smoothed scores (first on a tie),
    and those scores: a choice made on the training rows' inner folds only."""
    best: tuple[float, Smoothing, np.ndarray] | None = None
    for alpha_correct in config.alpha_correct:
        for alpha_smooth in config.alpha_smooth:
            smoothing = Smoothing(alpha_correct, alpha_smooth, config.iterations, config.scale)
            smoothed = out_of_fold_smoothed(graph, numbers, labels, oof_scores, folds, smoothing)
            auc = float(roc_auc_score(labels, smoothed))
            if best is None or auc > best[0]:
                best = (auc, smoothing, smoothed)
    assert best is not None  # the config's grids are non-empty
    return best[1], best[2]
