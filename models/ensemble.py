"""A bag of LightGBM boosters, one per cross-validation fold, used as one booster.

Models usually serve a bag of one — a booster refitted on all rows, or the fold boosters merged
into one (``configs/sms.yaml`` ``serve``; training/fit.py, models/merge.py) — which skips the
averaging below.

Cross-fitting lets every labelled row serve both for training and, out of fold, for
calibration and thresholds (early stopping uses a split inside each fold's training part) —
which matters on small sets (a few thousand SMS) where a single validation split wastes a
fifth of the data and leaves few negatives to set a 0.1%-FPR threshold on. Raw scores and SHAP-style contributions are additive, so the bag's
are the means of its members'.

Optionally the boosters start from a base margin read from one feature column (the stacked
linear text model's probability, as a logit): the trees then learn corrections to a smooth
linear ranking instead of re-deriving it from steps, which keeps ranking quality on small
sets. The base margin is part of every prediction and is credited to that column in
explanations.
"""

from __future__ import annotations

import ctypes
import weakref
from dataclasses import dataclass

import lightgbm as lgb
import numpy as np
import scipy.sparse as sp
from lightgbm.basic import _LIB, _InnerPredictor, _safe_call

from models.csr import as_csr, csr_column
from models.shap_table import contribution_table

# Prediction runs single-threaded: a scoring call is one message or a small batch, where an
# OpenMP team costs more than it saves, and serving gets its parallelism from worker processes.
PREDICT_THREADS = 1
_PROBABILITY_CLIP = 1e-6
_PREDICTORS: weakref.WeakKeyDictionary[lgb.Booster, _InnerPredictor] = weakref.WeakKeyDictionary()
# Booster → (models per iteration, features): asked of LightGBM once, not by two C calls per prediction.
_SHAPES: weakref.WeakKeyDictionary[lgb.Booster, tuple[int, int]] = weakref.WeakKeyDictionary()
# LightGBM's C API codes (include/LightGBM/c_api.h), for the one-row entry point below.
NORMAL, RAW_SCORE, CONTRIB = 0, 1, 3
_FLOAT32, _INT32 = 0, 2
# Outputs the single-row entry point gives as ``Booster.predict`` does: raw scores, and the
# probabilities a multiclass head averages (contributions keep their own path, ``BoosterBag``).
_ONE_ROW_KINDS = ({"raw_score": True}, {})
_PREDICT_PARAMETERS = ctypes.c_char_p(f"num_threads={PREDICT_THREADS}".encode())


def predict(booster: lgb.Booster, features, **kind: bool):
    """``booster.predict(features, num_threads=PREDICT_THREADS, **kind)`` with LightGBM's
    predictor built once per booster instead of once per call.

    ``Booster.predict`` builds a new ``_InnerPredictor`` every call (class count, iteration count
    and parameter string through the C API): about 40 µs of the ~140–180 µs a one-row prediction
    of the served 1,323-tree booster takes, paid 3–4 times per message. The cached predictor gets
    the arguments ``Booster.predict`` would pass it, so the outputs are the same
    (tests/models/test_ensemble.py). A fitted booster's trees no longer change, which the cache
    relies on; it holds boosters weakly, so it never keeps a model alive.
    """
    if kind in _ONE_ROW_KINDS and is_one_float32_csr_row(features):
        return predict_row(booster, features, NORMAL if not kind else RAW_SCORE)
    predictor = _PREDICTORS.get(booster)
    if predictor is None:
        predictor = _PREDICTORS[booster] = _InnerPredictor.from_booster(booster, {"num_threads": PREDICT_THREADS})
    return predictor.predict(features, start_iteration=0, num_iteration=booster.best_iteration, **kind)


def predict_row(booster: lgb.Booster, row: sp.csr_matrix, predict_type: int = RAW_SCORE) -> np.ndarray:
    """Raw scores (``RAW_SCORE``) or probabilities (``NORMAL``), shaped as ``Booster.predict`` shapes one row, or dense contributions
    (``CONTRIB``: classes × (features + 1) values) of one float32 CSR row, through LightGBM's
    single-row C entry point (``LGBM_BoosterPredictForCSRSingleRow``).

    ``Booster.predict`` on one row goes through the batch entry point, which per call builds a
    ``Predictor`` (and its feature buffers) and asks the library for the output size, behind
    ~20 Python-side conversions and checks, and returns contributions through LightGBM's sparse
    output (C++ hash maps, then three scipy matrices). The single-row entry point keeps one
    ``Predictor`` per booster and type inside LightGBM (rebuilt only if the iteration count or
    early-stopping settings change) and runs the same tree walk and TreeSHAP, so the values are
    ``Booster.predict``'s (tests/models/test_ensemble.py). Not its ``…Fast`` variant: in LightGBM
    4.7 that returned different raw scores here (docs/benchmarks.md, sessions 11 and 12). Pointers
    go to LightGBM as plain addresses: numpy's ``ctypes.data_as`` builds a pointer object per array
    per call, and the class and feature counts come from :func:`booster_shape`, not the library.

    The kept ``Predictor`` reads the iteration range of the booster's last prediction (LightGBM
    keeps it in the booster, and a batch call resets it), so nothing may predict a booster with
    another ``start_iteration``/``num_iteration`` than :func:`predict` uses — models/shap_table.py
    tabulates trees one by one on a copy for that reason.
    """
    classes, features = booster_shape(booster)
    width = classes * (features + 1) if predict_type == CONTRIB else classes
    out = np.empty(width, dtype=np.float64)
    out_len = ctypes.c_int64(0)
    _safe_call(_LIB.LGBM_BoosterPredictForCSRSingleRow(
        booster._handle, _address(row.indptr), ctypes.c_int(_INT32), _address(row.indices), _address(row.data),
        ctypes.c_int(_FLOAT32), ctypes.c_int64(2), ctypes.c_int64(len(row.data)), ctypes.c_int64(row.shape[1]),
        ctypes.c_int(predict_type), ctypes.c_int(0), ctypes.c_int(booster.best_iteration), _PREDICT_PARAMETERS,
        ctypes.byref(out_len), _address(out)))
    if out_len.value != width:
        raise ValueError(f"LightGBM returned {out_len.value} values for one row, expected {width}")
    return out.reshape(1, -1) if predict_type != CONTRIB and width > 1 else out


def booster_shape(booster: lgb.Booster) -> tuple[int, int]:
    """(models per iteration, features) of a fitted booster, read from LightGBM once per booster
    (held weakly, like the predictor cache: a fitted booster's trees no longer change)."""
    shape = _SHAPES.get(booster)
    if shape is None:
        shape = _SHAPES[booster] = (booster.num_model_per_iteration(), booster.num_feature())
    return shape


def _address(array: np.ndarray) -> ctypes.c_void_p:
    return ctypes.c_void_p(array.ctypes.data)


def is_one_float32_csr_row(features) -> bool:
    """Whether :func:`predict_row` takes ``features`` (one CSR row, float32 values, int32 indices)."""
    return (getattr(features, "format", None) == "csr" and features.shape[0] == 1 and features.data.dtype == np.float32
            and features.indices.dtype == np.int32 and features.indptr.dtype == np.int32)


def base_margin(features, column: int | None) -> np.ndarray | None:
    """Logit of the probability in ``column`` (None: no base margin)."""
    if column is None:
        return None
    values = csr_column(features, column) if sp.issparse(features) else np.asarray(features[:, column]).ravel()
    values = np.clip(values.astype(np.float64), _PROBABILITY_CLIP, 1 - _PROBABILITY_CLIP)
    return np.log(values / (1 - values))


@dataclass
class BoosterBag:
    boosters: list[lgb.Booster]
    base_margin_column: int | None = None

    def raw_margin(self, features) -> np.ndarray:
        """Mean raw score of the members, plus the base margin."""
        margins = [predict(b, features, raw_score=True) for b in self.boosters]
        margin = margins[0] if len(margins) == 1 else np.mean(margins, axis=0)
        base = base_margin(features, self.base_margin_column)
        return margin if base is None else margin + base

    def contributions(self, features) -> sp.csr_matrix:
        """Per-feature contributions to :meth:`raw_margin` (last column: the trees' bias): from the
        served booster's per-tree tables where it has them (``models/shap_table.py``: LightGBM's
        TreeSHAP values, looked up), else from LightGBM's ``pred_contrib``."""
        table = contribution_table(self.boosters[0]) if len(self.boosters) == 1 else None
        if table is not None:
            return self._as_sparse_path_gives_them(table.contributions(features), features)
        return self.lightgbm_contributions(features)

    def prepare_contributions(self) -> None:
        """Build the served booster's contribution tables now (about half a second), so the first
        explained request does not pay for them; nothing for a bag of several."""
        if len(self.boosters) == 1:
            contribution_table(self.boosters[0])

    def lightgbm_contributions(self, features) -> sp.csr_matrix:
        """:meth:`contributions` from LightGBM's ``pred_contrib`` (TreeSHAP run per row)."""
        if len(self.boosters) == 1 and is_one_float32_csr_row(features) and booster_shape(self.boosters[0])[0] == 1:
            return self._row_contributions(features)
        outputs = [as_csr(predict(b, features, pred_contrib=True)) for b in self.boosters]
        contrib = outputs[0] if len(outputs) == 1 else sum(outputs[1:], outputs[0]) / len(outputs)
        base = base_margin(features, self.base_margin_column)
        if base is None:
            return contrib
        # One entry per row, built as CSR arrays directly (no COO detour): a flagged message's
        # reasons paid more for scipy's constructors here than for reading the result.
        indptr = np.arange(len(base) + 1, dtype=np.int32)
        credited = sp.csr_matrix((base, np.full(len(base), self.base_margin_column, dtype=np.int32), indptr), shape=contrib.shape)
        return contrib + credited

    def _row_contributions(self, row: sp.csr_matrix) -> sp.csr_matrix:
        """:meth:`contributions` of one row of a one-booster bag, from LightGBM's dense single-row
        output, as the sparse path gives them (:meth:`_as_sparse_path_gives_them`)."""
        return self._as_sparse_path_gives_them(predict_row(self.boosters[0], row, CONTRIB).reshape(1, -1), row)

    def _as_sparse_path_gives_them(self, values: np.ndarray, features) -> sp.csr_matrix:
        """Dense rows × (features + 1) contributions of ``features`` as the entries LightGBM's sparse
        batch output and scipy's sum leave: values rounded to float32 for float32 input (LightGBM's
        sparse output stores them so), the base margin added in float64, zeros dropped, columns in
        ascending order."""
        if getattr(features, "dtype", None) == np.float32:
            values = values.astype(np.float32).astype(np.float64)
        base = base_margin(features, self.base_margin_column)
        if base is not None:
            values[:, self.base_margin_column] += base
        rows, columns = np.nonzero(values)
        indptr = np.zeros(len(values) + 1, dtype=np.int32)
        np.cumsum(np.bincount(rows, minlength=len(values)), out=indptr[1:])
        return sp.csr_matrix((values[rows, columns], columns.astype(np.int32), indptr), shape=values.shape)

    def feature_importance(self, importance_type: str = "gain") -> np.ndarray:
        return np.mean([b.feature_importance(importance_type) for b in self.boosters], axis=0)

    @property
    def best_iterations(self) -> list[int]:
        return [b.best_iteration for b in self.boosters]

    @property
    def rounds(self) -> list[int]:
        """Rounds each member predicts with (:func:`predicting_rounds`)."""
        return [predicting_rounds(b) for b in self.boosters]


def predicting_rounds(booster: lgb.Booster) -> int:
    """Rounds ``booster`` predicts with: its early-stopping round, or all it has (a refit)."""
    return booster.best_iteration if booster.best_iteration > 0 else booster.current_iteration()
