"""Call featuriser: per-number profile DataFrame → numeric matrix in a fixed, fitted column order.

Training may see the contest table, extra per-number tables and graph features, or builder
output; every numeric column present at ``fit`` is used unless configured out. Some contest
columns cannot be rebuilt from raw CDRs, so scoring may lack them: the fitted featuriser fills
them with NaN (LightGBM's "unknown") and :meth:`CallFeaturiser.missing_columns` names them so
evaluation and prediction can say so instead of degrading silently. Extra columns are ignored.
The Chinese reason for each column lives in :mod:`features.calls.reasons`.

Optionally (``configs/call.yaml`` ``features.select``) only the columns a quick booster finds
most useful are kept: with ~160 columns and a few thousand numbers, columns that carry nothing
still take part in every feature-fraction draw.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import lightgbm as lgb
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
        keep_top: None keeps every candidate. Otherwise ``fit`` (which then needs labels) keeps
            the ``keep_top`` columns with the most gain in a booster of ``selection_rounds``
            rounds and ``selection_params``. Given the cross-fitting ``folds``, each fold chooses
            on its own training rows: the kept columns are the union of the folds' choices and
            the choice on all rows (the refit's), and ``fold_column_masks_[k]`` marks fold
            ``k``'s, so its booster never uses a column its held-out labels helped choose.
    """

    def __init__(
        self,
        columns: tuple[str, ...] | None = None,
        exclude: tuple[str, ...] = (),
        keep_top: int | None = None,
        selection_rounds: int = 300,
        selection_params: Mapping[str, object] | None = None,
    ) -> None:
        self.columns = columns
        self.exclude = exclude
        self.keep_top = keep_top
        self.selection_rounds = selection_rounds
        self.selection_params = selection_params

    def fit(self, X: pd.DataFrame, y: object = None, folds: object = None) -> CallFeaturiser:
        """Fix the column order (and, with ``keep_top``, choose the columns; see the class)."""
        self.fold_column_masks_ = None
        candidates = self.columns if self.columns is not None else _numeric_columns(X)
        chosen = [c for c in candidates if c in X.columns and c not in set(self.exclude)]
        if not chosen:
            raise ValueError("no profile columns to use: the training frame has none of the candidate columns")
        self.columns_ = np.asarray(chosen, dtype=object)
        if self.keep_top is not None:
            if y is None:
                raise ValueError("keep_top chooses columns by their use in a booster: fit needs labels")
            self._select(self.transform(X), np.asarray(y).astype(int), folds or [])
        return self

    def _select(self, matrix: np.ndarray, y: np.ndarray, folds: Sequence[tuple[np.ndarray, np.ndarray]]) -> None:
        """Keep the union of the all-rows and per-fold choices; one mask per fold."""
        on_all = self._top_columns(matrix, y)
        per_fold = [self._top_columns(matrix[train], y[train]) for train, _ in folds]
        kept = np.logical_or.reduce([on_all, *per_fold])
        self.columns_ = self.columns_[kept]
        self.fold_column_masks_ = [fold[kept] for fold in per_fold] or None

    def _top_columns(self, matrix: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Mask of the ``keep_top`` columns with the most gain (ties by position; zero gain never kept)."""
        params = {"objective": "binary", "verbosity": -1, **(self.selection_params or {})}
        booster = lgb.train(params, lgb.Dataset(matrix, y), num_boost_round=self.selection_rounds)
        gain = booster.feature_importance("gain")
        top = np.argsort(-gain, kind="stable")[: self.keep_top]
        mask = np.zeros(matrix.shape[1], dtype=bool)
        mask[top[gain[top] > 0]] = True
        return mask

    def transform(self, X: pd.DataFrame | Sequence[Mapping[str, object]]) -> np.ndarray:
        """Rows × fitted columns, float64, NaN where a value is absent or not a number.

        ``X``: a frame (training, batch scoring), or one mapping per number (serving: profiles
        from the store), read without a frame, since building one and converting it column by
        column cost ~20 ms for one call, all of a call decision's time. Both give the same
        values (``pd.to_numeric(errors="coerce")`` per value)."""
        check_is_fitted(self, "columns_")
        if not isinstance(X, pd.DataFrame):
            columns = list(self.columns_)
            rows = [[_as_number(record.get(column)) for column in columns] for record in X]
            return np.array(rows, dtype=np.float64).reshape(len(rows), len(columns))
        frame = X.reindex(columns=list(self.columns_))
        return frame.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)

    def missing_columns(self, X: pd.DataFrame) -> list[str]:
        """Columns the model was trained on that ``X`` lacks (scored as unknown)."""
        check_is_fitted(self, "columns_")
        return [c for c in self.columns_ if c not in X.columns]

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        check_is_fitted(self, "columns_")
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
    select = config.features.select
    if select is None:
        return CallFeaturiser(exclude=config.features.excluded_columns)
    return CallFeaturiser(exclude=config.features.excluded_columns, keep_top=select.keep,
                          selection_rounds=select.rounds, selection_params=dict(config.lightgbm.params))
