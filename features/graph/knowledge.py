"""What a trained call model knows about other numbers: the labels its graph features may use.

A model version carries its :class:`GraphKnowledge` (pickled with it, summarised in MLflow),
so scoring computes graph features from exactly the known-fraud set the model was trained
against. Two ways to hide labels, by what the features are for:

- *scoring* (``predict``, ``profiles build``, ``dens``): a number's own label never reaches
  its own features, and nothing else is hidden, so a number's features do not depend on which
  other numbers share its file. A known number is seen with its own fold of the known set
  hidden (folds fixed per number, as in training), an unknown one with every known label;
- *evaluation* (``evaluate``, ``report``, a retrain's gate set): every number of the evaluated
  file is hidden, so the file's own labels never enter any of its scores.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from configs.call import GraphConfig
from features.graph.features import GRAPH_COLUMNS, graph_features
from features.graph.links import CallGraph

NUMBER_COLUMN = "phone_no_m"


@dataclass
class GraphKnowledge:
    """Known labels (number → 0/1), den member scores and the graph settings of one model.

    ``sources`` counts where the known labels came from, e.g. ``{"training": 4876}``.
    ``label_folds``: into how many folds scoring splits the known numbers to hide a known
    number's own fold from it (training's cross-validation folds; models pickled before it: 5).
    """

    known: pd.Series
    config: GraphConfig
    member_scores: pd.Series | None = None
    sources: dict[str, int] = field(default_factory=dict)
    label_folds: int = 5

    def fold_of(self, numbers: pd.Index) -> np.ndarray:
        """Each number's fold of the known set (-1: not known). A hash of the number alone, so a
        number is in the same fold whatever else is scored with it, in every process."""
        folds = (pd.util.hash_pandas_object(numbers, index=False).to_numpy() % np.uint64(self.label_folds)).astype(int)
        return np.where(numbers.isin(self.known.index), folds, -1)

    def without(self, hidden: pd.Index) -> tuple[pd.Series, pd.Series | None]:
        """Known labels and member scores with the ``hidden`` numbers' taken out."""
        visible = self.known.drop(hidden, errors="ignore")
        scores = None if self.member_scores is None else self.member_scores.reindex(visible.index).dropna()
        return visible, scores

    def summary(self) -> dict:
        """Loggable description of the known-fraud set (counts, not numbers)."""
        return {
            "known_numbers": int(len(self.known)),
            "known_fraud": int(self.known.sum()),
            "sources": dict(self.sources),
            "member_scores": 0 if self.member_scores is None else int(len(self.member_scores)),
        }


def graph_for(frame: pd.DataFrame, links: pd.DataFrame, knowledge: GraphKnowledge) -> CallGraph:
    """The call graph over the links plus every number of ``frame`` and of the known set."""
    return CallGraph.from_links(links, [*frame[NUMBER_COLUMN].astype(str), *knowledge.known.index], knowledge.config)


def add_graph_features(frame: pd.DataFrame, graph: CallGraph, knowledge: GraphKnowledge, *, evaluation: bool) -> pd.DataFrame:
    """``frame`` plus the graph columns, seen from ``knowledge``: for ``evaluation`` with every
    number of ``frame`` hidden, else (scoring) with each number's own label hidden (module doc)."""
    numbers = pd.Index(frame[NUMBER_COLUMN].astype(str).tolist(), dtype=object)
    if evaluation:
        columns = graph_features(graph, numbers, *knowledge.without(numbers))
    else:
        columns = _scoring_features(graph, numbers, knowledge)
    return pd.concat([frame.drop(columns=columns.columns, errors="ignore").reset_index(drop=True), columns], axis=1)


def _scoring_features(graph: CallGraph, numbers: pd.Index, knowledge: GraphKnowledge) -> pd.DataFrame:
    """Graph columns of ``numbers``, each seen with its own fold of the known set hidden (every
    known label visible to a number that is not known itself)."""
    folds = knowledge.fold_of(numbers)
    known_folds = knowledge.fold_of(knowledge.known.index)
    out = pd.DataFrame(index=range(len(numbers)), columns=list(GRAPH_COLUMNS), dtype=float)
    for fold in np.unique(folds):
        rows = np.flatnonzero(folds == fold)
        hidden = knowledge.known.index[known_folds == fold] if fold >= 0 else pd.Index([])
        out.iloc[rows] = graph_features(graph, numbers[rows], *knowledge.without(hidden)).to_numpy()
    return out
