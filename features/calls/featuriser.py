"""Call featuriser: per-number profile DataFrame → numeric matrix in a fixed, fitted column order.

Training may see the contest table, extra per-number tables and graph features, or builder
output; every numeric column present at ``fit`` is used unless configured out. Some contest
columns cannot be rebuilt from raw CDRs, so scoring may lack them: the fitted featuriser fills
them with NaN (LightGBM's "unknown") and :meth:`CallFeaturiser.missing_columns` names them so
evaluation and prediction can say so instead of degrading silently. Extra columns are ignored.
The Chinese reason for each column lives in :mod:`features.calls.reasons`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from configs.call import CallConfig

NON_FEATURE_COLUMNS = frozenset({"phone_no_m", "label", "fraud_type"})


class CallFeaturiser(TransformerMixin, BaseEstimator):
    """Select profile columns in a fixed order; NaN for columns a profile lacks.

    Args:
        columns: candidate columns; None means every numeric column of the training frame
            except ids and labels. At ``fit`` the candidates present become the fixed order.
        exclude: columns never used (ablation, or a column judged unreliable).
    """

    def __init__(self, columns: tuple[str, ...] | None = None, exclude: tuple[str, ...] = ()) -> None:
        self.columns = columns
        self.exclude = exclude

    def fit(self, X: pd.DataFrame, y: object = None, folds: object = None) -> CallFeaturiser:
        """Fix the column order. ``folds`` is accepted like every featuriser's and unused: nothing
        here is learnt from labels, so every fold's booster may use every column."""
        self.fold_column_masks_ = None
        candidates = self.columns if self.columns is not None else _numeric_columns(X)
        chosen = [c for c in candidates if c in X.columns and c not in set(self.exclude)]
        if not chosen:
            raise ValueError("no profile columns to use: the training frame has none of the candidate columns")
        self.columns_ = np.asarray(chosen, dtype=object)
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "columns_")
        frame = X.reindex(columns=list(self.columns_))
        return frame.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)

    def missing_columns(self, X: pd.DataFrame) -> list[str]:
        """Columns the model was trained on that ``X`` lacks (scored as unknown)."""
        check_is_fitted(self, "columns_")
        return [c for c in self.columns_ if c not in X.columns]

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        check_is_fitted(self, "columns_")
        return self.columns_.copy()


def _numeric_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in NON_FEATURE_COLUMNS and pd.api.types.is_numeric_dtype(frame[c])]


def build_call_featuriser(config: CallConfig) -> CallFeaturiser:
    """Unfitted featuriser from ``configs/call.yaml`` (the factory the trainer calls)."""
    return CallFeaturiser(exclude=config.features.excluded_columns)
