"""A fitted-state check cheap enough for the per-message scoring path."""

from __future__ import annotations

from sklearn.exceptions import NotFittedError


def require_fitted(estimator: object, attribute: str) -> None:
    """Raise sklearn's ``NotFittedError`` (its message too) unless ``estimator`` has ``attribute``.

    What ``check_is_fitted(estimator, attribute)`` decides for our transformers, without its
    estimator-tag lookup, which walks the class hierarchy on every call: four checks cost about
    2 % of one scored message (py-spy, docs/benchmarks.md, session 26)."""
    if not hasattr(estimator, attribute):
        raise NotFittedError(
            f"This {type(estimator).__name__} instance is not fitted yet. Call 'fit' with "
            "appropriate arguments before using this estimator."
        )
