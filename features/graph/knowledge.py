"""What a trained call model knows about other numbers: the labels its graph features may use.

A model version carries its :class:`GraphKnowledge` (pickled with it, summarised in MLflow),
so scoring computes graph features from exactly the known-fraud set the model was trained
against, and an evaluated file's own labels never enter them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from configs.call import GraphConfig
from features.graph.features import graph_features
from features.graph.links import CallGraph

NUMBER_COLUMN = "phone_no_m"


@dataclass
class GraphKnowledge:
    """Known labels (number → 0/1), den member scores and the graph settings of one model.

    ``sources`` counts where the known labels came from, e.g. ``{"training": 4876}``.
    """

    known: pd.Series
    config: GraphConfig
    member_scores: pd.Series | None = None
    sources: dict[str, int] = field(default_factory=dict)

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


def add_graph_features(frame: pd.DataFrame, graph: CallGraph, knowledge: GraphKnowledge) -> pd.DataFrame:
    """``frame`` plus the graph columns, seen from ``knowledge``.

    The frame's own numbers are taken out of the known set first: a number's label (from
    training, or from the file being evaluated) never reaches its own features.
    """
    numbers: Sequence[str] = frame[NUMBER_COLUMN].astype(str).tolist()
    visible = knowledge.known.drop(numbers, errors="ignore")
    scores = None if knowledge.member_scores is None else knowledge.member_scores.reindex(visible.index).dropna()
    columns = graph_features(graph, numbers, visible, scores)
    return pd.concat([frame.drop(columns=columns.columns, errors="ignore").reset_index(drop=True), columns], axis=1)
