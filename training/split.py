"""Train/validation splits in which no duplicate crosses the boundary.

Spam campaigns repeat templates; if copies of one template sit on both sides, validation
measures memory, not generalisation. Rows are grouped by a key (normalised text for SMS,
phone number for calls) and whole groups go to one side, stratified by label.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedGroupKFold


def grouped_split(
    labels: pd.Series, groups: pd.Series, validation_fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Positional indices (train, validation); each group lands wholly on one side."""
    n_splits = max(2, round(1 / validation_fraction))
    folds = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    train_idx, valid_idx = next(folds.split(np.zeros(len(labels)), labels.to_numpy(), groups.to_numpy()))
    if len(np.unique(labels.iloc[valid_idx])) < 2 or len(np.unique(labels.iloc[train_idx])) < 2:
        raise ValueError("both classes must appear in training and validation data; add more labelled rows")
    return train_idx, valid_idx
