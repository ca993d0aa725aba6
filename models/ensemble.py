"""A bag of LightGBM boosters, one per cross-validation fold, used as one booster.

Cross-fitting lets every labelled row serve both for training and, out of fold, for early
stopping, calibration and thresholds — which matters on small sets (a few thousand SMS)
where a single validation split wastes a fifth of the data and leaves few negatives to set a
0.1%-FPR threshold on. Raw scores and SHAP-style contributions are additive, so the bag's
are the means of its members'.
"""

from __future__ import annotations

from dataclasses import dataclass

import lightgbm as lgb
import numpy as np
import scipy.sparse as sp


# Prediction runs single-threaded: a scoring call is one message or a small batch, where an
# OpenMP team costs more than it saves, and serving gets its parallelism from worker processes.
PREDICT_THREADS = 1


@dataclass
class BoosterBag:
    boosters: list[lgb.Booster]

    def predict(self, features, raw_score: bool = False, pred_contrib: bool = False):
        """Mean of the members' predictions (probabilities, raw margins or contributions)."""
        outputs = [
            b.predict(features, raw_score=raw_score, pred_contrib=pred_contrib, num_threads=PREDICT_THREADS)
            for b in self.boosters
        ]
        if sp.issparse(outputs[0]):
            return sum(outputs[1:], outputs[0]) / len(outputs)
        return np.mean(outputs, axis=0)

    def feature_importance(self, importance_type: str = "gain") -> np.ndarray:
        return np.mean([b.feature_importance(importance_type) for b in self.boosters], axis=0)

    @property
    def best_iterations(self) -> list[int]:
        return [b.best_iteration for b in self.boosters]
