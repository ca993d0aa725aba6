"""Call featuriser: per-number profile DataFrame → numeric matrix in a fixed, fitted column order.

Training may see the contest table, extra per-number tables and graph features, or builder
output; every numeric column present at ``fit`` is used unless configured out. Some contest
columns cannot be rebuilt from raw CDRs, so scoring may lack them: the fitted featuriser fills
them with NaN (LightGBM's "unknown") and :meth:`CallFeaturiser.missing_columns` names them so
evaluation and prediction can say so instead of degrading silently. Extra columns are ignored.
The Chinese reason for each column lives in :mod:`features.calls.reasons`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from configs.call import CallConfig
from features.fitted import require_fitted
from features.graph.reasons import DEN_ID

# Ids and labels: a den id is text, but a profile table where no number is in a den holds it as an
# all-NaN column, which is numeric and would otherwise be fitted on.
NON_FEATURE_COLUMNS = frozenset({"phone_no_m", "label", "fraud_type", DEN_ID})


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
        """Fix the column order; ``y`` and ``folds`` are unused (every fold gets every column)."""
        candidates = self.columns if self.columns is not None else _numeric_columns(X)
        chosen = [c for c in candidates if c in X.columns and c not in set(self.exclude)]
        if not chosen:
            raise ValueError("no profile columns to use: the training frame has none of the candidate columns")
        self.columns_ = np.asarray(chosen, dtype=object)
        return self

    def transform(self, X: pd.DataFrame | Sequence[Mapping[str, object]]) -> np.ndarray:
        """Rows × fitted columns, float64, NaN where a value is absent or not a number.

        ``X``: a frame (training, batch scoring), or one mapping per number (serving: profiles
        from the store), read without a frame, since building one and converting it column by
        column cost ~20 ms for one call, all of a call decision's time. Both give the same
        values (``pd.to_numeric(errors="coerce")`` per value)."""
        require_fitted(self, "columns_")
        if not isinstance(X, pd.DataFrame):
            columns = list(self.columns_)
            rows = [[_as_number(record.get(column)) for column in columns] for record in X]
            return np.array(rows, dtype=np.float64).reshape(len(rows), len(columns))
        frame = X.reindex(columns=list(self.columns_))
        return frame.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)

    def missing_columns(self, X: pd.DataFrame) -> list[str]:
        """Columns the model was trained on that ``X`` lacks (scored as unknown)."""
        require_fitted(self, "columns_")
        return [c for c in self.columns_ if c not in X.columns]

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        require_fitted(self, "columns_")
        return self.columns_.copy()


def _as_number(value: object) -> float:
    """One value as the frame path converts it: numbers (and bools) as floats; anything else
    through ``pd.to_numeric(errors="coerce")`` (numeric text parsed, the rest NaN)."""
    if isinstance(value, (int, float, np.number)):
        return float(value)
    if value is None:
        return np.nan
    try:
        return float(pd.to_numeric(value, errors="coerce"))
    except (TypeError, ValueError):  # not a scalar (a list, a mapping): no number
        return np.nan


def _numeric_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in NON_FEATURE_COLUMNS and pd.api.types.is_numeric_dtype(frame[c])]


def build_call_featuriser(config: CallConfig) -> CallFeaturiser:
    """Unfitted featuriser from ``configs/call.yaml`` (the factory the trainer calls)."""
    return CallFeaturiser(exclude=config.features.excluded_columns)
