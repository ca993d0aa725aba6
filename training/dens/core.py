"""A den's core: the community members the evidence puts in the gang, apart from the people it calls.

Leiden communities of the call graph lump a gang with its victims and other contacts: they are
linked as densely as the gang's own numbers. What tells them apart is whom they are linked to:
a gang number's labelled neighbours are mostly known fraud (its accomplices), a victim's are
mostly ordinary numbers. All of a member's links count, not only those inside its community:
a victim called by one gang member but otherwise living among ordinary numbers has a single
labelled neighbour inside the community, and it is fraud.
A member's own label enters only one way: a known fraud number is core whatever its
neighbours (it is a gang number by the best evidence there is). Otherwise a number whose label
is unknown (or hidden in an evaluation) is judged exactly like a labelled one.
A call model's score, where given, is the second witness: a scored member below the model's
threshold is not core, whatever its neighbours (see :class:`configs.dens.CoreConfig`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from configs.dens import CoreConfig
from features.graph.features import label_vectors
from features.graph.links import CallGraph
from models.scam_model import Thresholds


def core_numbers(graph: CallGraph, known: pd.Series, config: CoreConfig,
                 member_scores: pd.Series | None = None, thresholds: Thresholds | None = None) -> set[str]:
    """Known fraud, and numbers whose labelled neighbours (link weights summed) are enough and mostly
    known fraud and — where ``member_scores`` has them — whose model score reaches ``thresholds``'
    cut for ``config.member_score_action``."""
    labelled, fraud = label_vectors(graph, known)
    labelled_neighbours = graph.adjacency @ labelled
    fraud_neighbours = graph.adjacency @ fraud
    share = np.divide(fraud_neighbours, labelled_neighbours, out=np.zeros_like(fraud_neighbours),
                      where=labelled_neighbours > 0)
    core = (labelled_neighbours >= config.min_labelled_neighbours) & (labelled_neighbours > 0) & (
        share >= config.min_fraud_neighbour_share)
    if member_scores is not None and thresholds is not None and config.member_score_action != "none":
        scores = member_scores.reindex(graph.names).to_numpy(dtype=float)
        core &= ~(scores < getattr(thresholds, config.member_score_action))  # NaN (not scored): neighbours decide
    return set(graph.names[core | (fraud > 0)])


def split_cores(members: list[list[str]], core: set[str], labelled: set[str],
                min_size: int) -> list[tuple[list[str], list[str]]]:
    """(core, contacts) of each community whose core still has ``min_size`` numbers (order kept).

    A community without a single labelled member has no evidence to cut with: it stays whole
    (ranked at the prior), so a new gang nobody has reported yet is still listed.
    """
    split = []
    for numbers in members:
        if labelled.isdisjoint(numbers):
            split.append((numbers, []))
            continue
        inside = [n for n in numbers if n in core]
        if len(inside) >= min_size:
            split.append((inside, [n for n in numbers if n not in core]))
    return split
