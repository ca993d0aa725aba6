"""training/split.py: grouped folds (no duplicate group crosses a boundary) and stratified random folds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from training.split import grouped_folds, random_folds


def _data(n_groups: int = 40, seed: int = 0) -> tuple[pd.Series, pd.Series]:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 5, n_groups)
    groups = np.repeat([f"template-{g}" for g in range(n_groups)], sizes)
    labels = np.repeat(np.arange(n_groups) % 3 == 0, sizes).astype(int)  # a group shares its label
    order = rng.permutation(len(groups))
    return pd.Series(labels[order]), pd.Series(groups[order])


@pytest.mark.parametrize("n_folds", [2, 3, 5])
def test_no_group_crosses_folds(n_folds: int) -> None:
    labels, groups = _data()
    held_out_count = np.zeros(len(labels), dtype=int)
    for train, held in grouped_folds(labels, groups, n_folds, seed=1):
        assert not set(groups.iloc[train]) & set(groups.iloc[held])
        assert set(labels.iloc[held]) == {0, 1}  # stratified: both classes in every fold
        held_out_count[held] += 1
    assert (held_out_count == 1).all()  # every row is held out exactly once


def test_folds_are_reproducible_for_a_seed() -> None:
    labels, groups = _data()
    first = [held.tolist() for _, held in grouped_folds(labels, groups, 3, seed=7)]
    again = [held.tolist() for _, held in grouped_folds(labels, groups, 3, seed=7)]
    assert first == again


def test_too_few_rows_of_a_class_is_a_clear_error() -> None:
    labels = pd.Series([1, 1, 0, 0, 0, 0, 0, 0])
    groups = pd.Series([f"g{i}" for i in range(8)])
    with pytest.raises(ValueError, match="at least 3 rows"):
        list(grouped_folds(labels, groups, 3, seed=0))


@pytest.mark.parametrize("n_folds", [2, 4])
def test_random_folds_are_stratified_and_lose_no_row(n_folds: int) -> None:
    labels, _ = _data(n_groups=60)
    held_out_count = np.zeros(len(labels), dtype=int)
    share = labels.mean()
    for train, held in random_folds(labels, n_folds, seed=3):
        assert not set(train) & set(held)
        assert abs(labels.iloc[held].mean() - share) <= 1 / len(held) + 1e-9  # each fold keeps the class share
        held_out_count[held] += 1
    assert (held_out_count == 1).all()  # every row is held out exactly once


def test_random_folds_follow_the_seed_and_let_copies_cross() -> None:
    labels, groups = _data(n_groups=60)
    first = [held.tolist() for _, held in random_folds(labels, 3, seed=7)]
    assert first == [held.tolist() for _, held in random_folds(labels, 3, seed=7)]
    assert first != [held.tolist() for _, held in random_folds(labels, 3, seed=8)]
    crossing = [bool(set(groups.iloc[train]) & set(groups.iloc[held])) for train, held in random_folds(labels, 3, seed=7)]
    assert any(crossing), "random folds ignore groups: that is the view they give"


def test_random_folds_need_enough_rows_of_each_class() -> None:
    with pytest.raises(ValueError, match="at least 3 rows"):
        list(random_folds(pd.Series([1, 1, 0, 0, 0]), 3, seed=0))
