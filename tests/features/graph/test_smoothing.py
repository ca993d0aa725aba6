"""Correct & Smooth: it moves a number's score towards its neighbours' labels, never its own."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from configs.call import CorrectSmoothConfig
from features.graph.smoothing import Smoothing, choose_smoothing, correct_and_smooth, out_of_fold_smoothed
from tests.features.graph.test_features import two_dens

SMOOTHING = Smoothing(alpha_correct=0.8, alpha_smooth=0.8, iterations=50, scale=1.0)
KNOWN = pd.Series({"f1": 1, "f2": 1, "f3": 1, "n1": 0, "n2": 0, "n3": 0})
# The model under-scores the known fraud numbers and over-scores the known normal ones.
KNOWN_SCORES = pd.Series({"f1": 0.4, "f2": 0.4, "f3": 0.4, "n1": 0.5, "n2": 0.5, "n3": 0.5})


def test_scores_move_towards_the_labels_of_linked_numbers() -> None:
    numbers = ["f5", "n5", "alone"]
    smoothed = correct_and_smooth(two_dens(), numbers, np.array([0.5, 0.5, 0.5]), KNOWN, KNOWN_SCORES, SMOOTHING)
    f5, n5, alone = smoothed
    assert f5 > 0.5 > n5  # among known fraud up, among known normals down
    # An unlinked number has nothing to correct or smooth it: its score is the model's.
    assert alone == pytest.approx(0.5)


def test_correct_spreads_residuals_even_where_labels_agree_with_the_score() -> None:
    """With no smoothing to speak of, only the correction moves a score: known fraud numbers the
    model under-scores pull their neighbour up."""
    weak_smooth = Smoothing(alpha_correct=0.8, alpha_smooth=1e-9, iterations=50, scale=1.0)
    fair = correct_and_smooth(two_dens(), ["f5"], np.array([0.5]), KNOWN, KNOWN.astype(float), weak_smooth)
    under = correct_and_smooth(two_dens(), ["f5"], np.array([0.5]), KNOWN, KNOWN_SCORES, weak_smooth)
    assert fair[0] == pytest.approx(0.5)
    assert under[0] > 0.5


def test_a_rows_own_label_never_changes_its_out_of_fold_score() -> None:
    graph = two_dens()
    numbers = ["f0", "f1", "f2", "n0", "n1", "n2"]
    labels = np.array([1, 1, 1, 0, 0, 0])
    scores = np.array([0.6, 0.5, 0.7, 0.4, 0.3, 0.2])
    held = [np.array([0, 3]), np.array([1, 2]), np.array([4, 5])]
    folds = [(np.setdiff1d(np.arange(6), rows), rows) for rows in held]
    flipped = labels.copy()
    flipped[[0, 3]] = 1 - flipped[[0, 3]]  # the labels of fold 0's own rows
    before = out_of_fold_smoothed(graph, numbers, labels, scores, folds, SMOOTHING)
    after = out_of_fold_smoothed(graph, numbers, flipped, scores, folds, SMOOTHING)
    np.testing.assert_array_equal(before[[0, 3]], after[[0, 3]])  # fold 0 rows: unchanged
    assert not np.allclose(before[[1, 2, 4, 5]], after[[1, 2, 4, 5]])  # other folds do see them


def test_alphas_are_chosen_from_the_grid_by_out_of_fold_ranking() -> None:
    graph = two_dens()
    numbers = ["f0", "f1", "f2", "f3", "n0", "n1", "n2", "n3"]
    labels = np.array([1, 1, 1, 1, 0, 0, 0, 0])
    scores = np.full(8, 0.5)  # the model cannot tell them apart; the graph can
    held = [np.array([0, 4]), np.array([1, 5]), np.array([2, 6]), np.array([3, 7])]
    folds = [(np.setdiff1d(np.arange(8), rows), rows) for rows in held]
    config = CorrectSmoothConfig(enabled=True, alpha_correct=[0.5, 0.8], alpha_smooth=[0.5, 0.8])
    chosen, smoothed = choose_smoothing(graph, numbers, labels, scores, folds, config)
    assert chosen.alpha_correct in (0.5, 0.8) and chosen.alpha_smooth in (0.5, 0.8)
    np.testing.assert_allclose(smoothed, out_of_fold_smoothed(graph, numbers, labels, scores, folds, chosen))
    assert smoothed[:4].min() > smoothed[4:].max()


def test_numbers_outside_the_graph_are_refused() -> None:
    with pytest.raises(ValueError, match="not in the call graph"):
        correct_and_smooth(two_dens(), ["nobody"], np.array([0.5]), KNOWN, KNOWN_SCORES, SMOOTHING)


def test_alphas_outside_zero_one_are_refused() -> None:
    with pytest.raises(ValueError, match="alpha"):
        CorrectSmoothConfig(alpha_smooth=[1.0])
