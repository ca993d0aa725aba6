"""A second learner family blended with the LightGBM boosters (``blend`` in configs/call.yaml).

The blend lives on the margin (log-odds) scale, where the Platt calibrator and the thresholds
already work: ``(1 - weight) · booster margin + weight · logit(trees' probability)``. Trees'
probabilities are clipped away from 0 and 1 (a leaf of pure rows says 0 or 1), so one confident
forest cannot outvote the boosters without bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.ensemble import ExtraTreesClassifier

PROBABILITY_CLIP = 1e-3  # logit(1e-3) ≈ -6.9: about the range of the boosters' own margins


def tree_margin(trees: ExtraTreesClassifier, features) -> np.ndarray:
    """The trees' fraud probability as a margin (log-odds), clipped."""
    probability = np.clip(trees.predict_proba(features)[:, 1], PROBABILITY_CLIP, 1 - PROBABILITY_CLIP)
    return np.log(probability / (1 - probability))


def blended(booster_margin: np.ndarray, trees_margin: np.ndarray, weight: float) -> np.ndarray:
    """The one blending rule, shared by training (out-of-fold margins) and scoring."""
    return (1 - weight) * booster_margin + weight * trees_margin


@dataclass(frozen=True)
class TreeBlend:
    """The served trees (refitted on every training row) and the weight chosen out of fold (> 0:
    at weight 0 the model serves no trees)."""

    trees: ExtraTreesClassifier
    weight: float

    def margin(self, booster_margin: np.ndarray, features) -> np.ndarray:
        """``booster_margin`` blended with the trees' margin on the same ``features``."""
        return blended(booster_margin, tree_margin(self.trees, features), self.weight)
