"""Plain inputs of an evaluation report: what the data is and what a model said about it.

The report is computed from these alone (arrays, strings, dicts), never from a model object, so
every table and plot can be tested with hand-made numbers; ``training.report.model`` fills them
from a registered model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from models.scam_model import ALLOW, BLOCK, Thresholds


@dataclass(frozen=True)
class EvalData:
    """The labelled evaluation records, in one fixed order shared by every model run."""

    labels: np.ndarray
    texts: Sequence[str]
    ids: Sequence[str]
    fraud_types: Sequence[str | None] | None = None
    senders: Sequence[str | None] | None = None
    # The true taxonomy category of each record (configs/taxonomy.yaml), when the data says; an
    # unknown one is None, or NaN as a frame's empty cell reads (training.category_figures.known_categories).
    categories: Sequence[str | None] | None = None

    def __post_init__(self) -> None:
        n = len(self.labels)
        for name in ("texts", "ids", "fraud_types", "senders", "categories"):
            values = getattr(self, name)
            if values is not None and len(values) != n:
                raise ValueError(f"EvalData.{name} has {len(values)} entries for {n} labels")
        if n == 0:
            raise ValueError("EvalData has no records: nothing to evaluate")
        if not np.isin(self.labels, (0, 1)).all():
            raise ValueError("EvalData.labels must be 0/1")


@dataclass(frozen=True)
class ModelRun:
    """One model's view of ``EvalData``: scores, thresholds and, where available, explanations.

    ``features``/``reference_features`` map a feature name to its values on the evaluated data and
    on the model's training-data sample; ``reference_scores`` are the model's scores on that sample.
    ``served_actions``: what the model answers for each record (its score thresholds, then any
    fraud_score thresholds and category actions, :meth:`models.scam_model.ScamModel.acted`);
    without them the score thresholds decide. ``categories``/``fraud_scores``: the served category
    and P(fraud) of each record, from the same call, given together by models with a category
    head and None for the others (call models, SMS models from before the taxonomy), whose
    report then has no category sections.
    """

    name: str
    scores: np.ndarray
    block: float
    warn: float
    reasons: Sequence[Sequence[str]] | None = None
    importances: Mapping[str, float] | None = None
    features: Mapping[str, np.ndarray] | None = None
    reference_scores: np.ndarray | None = None
    reference_features: Mapping[str, np.ndarray] | None = None
    served_actions: np.ndarray | None = None
    categories: Sequence[str] | None = None
    fraud_scores: np.ndarray | None = None

    def __post_init__(self) -> None:
        if (self.categories is None) != (self.fraud_scores is None):
            raise ValueError("ModelRun.categories and fraud_scores come together (a category head gives both) or not at all")

    def actions(self) -> np.ndarray:
        """block / warn / allow per record, as the model serves them."""
        if self.served_actions is not None:
            return np.asarray(self.served_actions)
        return Thresholds(block=self.block, warn=self.warn).actions(self.scores)

    def blocked(self) -> np.ndarray:
        """Per record: blocked."""
        return self.actions() == BLOCK

    def acted_on(self) -> np.ndarray:
        """Per record: warned on or blocked (what a warn-level figure counts)."""
        return self.actions() != ALLOW
