"""How well den ranking finds fraud it was not told about: precision of the top dens on hidden labels.

Mirrors how dens are judged: rank without the hidden numbers' labels, walk the ranking (dens
of ``min_size``+ only) until the dens hold ``needed`` hidden numbers, and count fraud among
those hidden numbers. Run per fold of the labelled numbers (each fold hidden in turn).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from configs.dens import DensConfig
from features.graph.links import CallGraph
from training.dens.build import DenInputs, find_dens


@dataclass(frozen=True)
class FoldResult:
    fold: int
    hidden: int
    needed: int
    dens_taken: int
    hidden_in_top: int
    fraud_in_top: int

    @property
    def precision(self) -> float:
        return self.fraud_in_top / self.hidden_in_top if self.hidden_in_top else float("nan")


def top_dens_precision(graph: CallGraph, links: pd.DataFrame, known: pd.Series, hidden: pd.Series,
                       config: DensConfig, needed: int) -> tuple[int, int, int]:
    """(dens taken, hidden numbers in them, fraud among those) walking the ranking until ``needed`` hidden numbers."""
    dens = find_dens(graph, DenInputs(links=links, known=known), config)
    taken = hidden_total = fraud_total = 0
    for den in dens:
        if hidden_total >= needed:
            break
        labels = hidden.reindex(den.members).dropna()
        taken += 1
        hidden_total += len(labels)
        fraud_total += int(labels.sum())
    return taken, hidden_total, fraud_total


def cross_validated_precision(graph: CallGraph, links: pd.DataFrame, labels: pd.Series, config: DensConfig,
                              folds: int, needed_per_fold: int, seed: int) -> list[FoldResult]:
    """One :class:`FoldResult` per stratified fold of ``labels`` (that fold's labels hidden)."""
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    results = []
    for fold, (seen, held) in enumerate(splitter.split(np.zeros(len(labels)), labels.to_numpy())):
        taken, in_top, fraud = top_dens_precision(graph, links, labels.iloc[seen], labels.iloc[held], config, needed_per_fold)
        results.append(FoldResult(fold, len(held), needed_per_fold, taken, in_top, fraud))
    return results
