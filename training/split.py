"""Cross-validation folds in which no duplicate crosses a boundary.

Spam campaigns repeat templates; if copies of one template sit on both sides, validation
measures memory, not generalisation. Rows are grouped by a key (normalised text for SMS,
phone number for calls) and whole groups go to one side, stratified by label.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedGroupKFold


def grouped_folds(labels: pd.Series, groups: pd.Series, n_folds: int, seed: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Positional (train, held-out) index pairs; each group lands wholly on one side."""
    y = labels.to_numpy()
    if np.bincount(y.astype(int), minlength=2).min() < n_folds:
        raise ValueError(f"each class needs at least {n_folds} rows to form {n_folds} folds; add labelled data")
    folds = StratifiedGroupKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    yield from folds.split(np.zeros(len(y)), y, groups.to_numpy())

