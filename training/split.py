"""Cross-validation folds in which no duplicate crosses a boundary.

Spam campaigns repeat templates; if copies of one template sit on both sides, validation
measures memory, not generalisation. Rows are grouped by a key (normalised text for SMS,
phone number for calls) and whole groups go to one side, stratified by label.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold


def grouped_folds(labels: pd.Series, groups: pd.Series, n_folds: int, seed: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Positional (train, held-out) index pairs; each group lands wholly on one side.

    Groups, not rows, are stratified: each group takes its largest label (a duplicate group with
    mixed labels counts as positive) and scikit-learn's ``StratifiedKFold`` deals the groups out.
    ``StratifiedGroupKFold`` balances rows too, but its per-group Python loop took seconds per
    call on ten thousand messages, and training calls it once per fold.
    """
    codes, _ = pd.factorize(pd.Series(groups).reset_index(drop=True), use_na_sentinel=False)
    group_labels = pd.Series(np.asarray(labels)).groupby(codes).max().to_numpy()
    if np.unique(group_labels, return_counts=True)[1].min() < n_folds:
        raise ValueError(f"each class needs at least {n_folds} distinct rows to form {n_folds} folds; add labelled data")
    folds = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    for _, held_groups in folds.split(np.zeros(len(group_labels)), group_labels):
        held = np.isin(codes, held_groups)
        yield np.flatnonzero(~held), np.flatnonzero(held)
