"""Shares with an explicit "unknown": the one division every graph feature uses."""

from __future__ import annotations

import numpy as np


def share(part: np.ndarray, whole: np.ndarray, min_whole: float) -> np.ndarray:
    """``part / whole``; NaN (LightGBM's "unknown") where ``whole`` is below ``min_whole`` or zero."""
    result = np.full(len(part), np.nan)
    enough = (whole >= min_whole) & (whole > 0)
    result[enough] = part[enough] / whole[enough]
    return result
