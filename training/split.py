"""Cross-validation folds: grouped (no duplicate crosses a boundary) and random.

Spam campaigns repeat templates; if copies of one template sit on both sides, validation
measures memory, not generalisation. Rows are grouped by a key (normalised text for SMS,
phone number for calls) and whole groups go to one side, stratified by label.

Random folds are the other view: the sealed hold-outs of issue #11 are random splits of the
original sets, so copies of a campaign do cross into them, and a model that remembers a
repeating campaign is rewarded there. ``benchmarks/quality.py --views`` reports both.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold


def grouped_folds(labels: pd.Series, groups: pd.Series, n_folds: int, seed: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Positional (train, held-out) index pairs; each group lands wholly on one side."""
    y = _checked_labels(labels, n_folds)
    folds = StratifiedGroupKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    yield from folds.split(np.zeros(len(y)), y, groups.to_numpy())


def random_folds(labels: pd.Series, n_folds: int, seed: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Positional (train, held-out) index pairs, stratified by label, shuffled with ``seed``;
    copies of one text may land on both sides, as in a random hold-out."""
    y = _checked_labels(labels, n_folds)
    folds = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    yield from folds.split(np.zeros(len(y)), y)


def _checked_labels(labels: pd.Series, n_folds: int) -> np.ndarray:
    y = labels.to_numpy()
    if np.bincount(y.astype(int), minlength=2).min() < n_folds:
        raise ValueError(f"each class needs at least {n_folds} rows to form {n_folds} folds; add labelled data")
    return y
