"""Population stability index: how far a live distribution has moved from a model's reference.

Shared by the offline evaluation report (``training/report``) and the live monitor
(``serving/live_health``, ``yunmao monitor``), so an alert and a report never disagree on what
a PSI of 0.2 means.
"""

from __future__ import annotations

import numpy as np

SCORE_RANGE = (0.0, 1.0)


def psi(reference: np.ndarray, current: np.ndarray, bins: int, fixed_range: tuple[float, float] | None = None) -> float | None:
    """Population stability index of ``current`` against ``reference``.

    Bins are cut at reference quantiles (each holds about the same share of the reference), or
    into equal widths over ``fixed_range`` — right for calibrated scores, whose mass sits near 0
    and 1 where quantile edges would crowd together and turn tiny shifts into large PSI. Shares
    are floored at 1e-4 so an empty bin gives a large, finite value. None if either side has no
    finite values.
    """
    reference = np.asarray(reference, dtype=float)
    current = np.asarray(current, dtype=float)
    reference, current = reference[np.isfinite(reference)], current[np.isfinite(current)]
    if not len(reference) or not len(current):
        return None
    if fixed_range is None:
        edges = np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1)[1:-1]))
    else:
        edges = np.linspace(*fixed_range, bins + 1)[1:-1]
    expected = np.bincount(np.searchsorted(edges, reference, side="right"), minlength=len(edges) + 1) / len(reference)
    actual = np.bincount(np.searchsorted(edges, current, side="right"), minlength=len(edges) + 1) / len(current)
    expected, actual = np.maximum(expected, 1e-4), np.maximum(actual, 1e-4)
    return float(np.sum((actual - expected) * np.log(actual / expected)))
