"""How well den ranking finds fraud it was not told about: precision of the top dens on hidden labels.

Mirrors how dens are judged: rank without the hidden numbers' labels, walk the ranking (dens
of ``min_size``+ only) until the dens hold ``hidden_share`` of the hidden numbers, and count
fraud among those hidden numbers. Run per fold of the labelled numbers (each fold hidden in turn).

Den core settings are chosen by nested cross-validation (:func:`nested_precision`): for each
hidden fold, every candidate of ``core_selection`` is tried on inner folds of the *visible*
labels only, and the winner is then measured once on the hidden fold. No hidden label ever
chooses anything about its own fold.

Member scores, where given, are per hidden fold (a call model trained on the visible folds scores
the hidden numbers; the visible numbers carry its out-of-fold scores): :class:`MemberScores`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from configs.dens import DensConfig
from features.graph.links import CallGraph, LinkError
from models.scam_model import Thresholds
from training.dens.build import DenInputs, find_dens


@dataclass(frozen=True)
class MemberScores:
    """Call-model scores by number and the model's thresholds, as ``yunmao dens --model`` has them."""

    scores: pd.Series
    thresholds: Thresholds


@dataclass(frozen=True)
class FoldResult:
    fold: int
    hidden: int
    needed: int
    dens_taken: int
    hidden_in_top: int
    fraud_in_top: int
    setting: str = ""

    @property
    def precision(self) -> float:
        return self.fraud_in_top / self.hidden_in_top if self.hidden_in_top else float("nan")

    @property
    def reached(self) -> bool:
        """Did the top dens hold as many hidden numbers as the judge asks for?"""
        return self.hidden_in_top >= self.needed


def top_dens_precision(graph: CallGraph, links: pd.DataFrame, known: pd.Series, hidden: pd.Series,
                       config: DensConfig, needed: int, scored: MemberScores | None = None) -> tuple[int, int, int]:
    """(dens taken, hidden numbers in them, fraud among those) walking the ranking until ``needed`` hidden numbers.

    A configuration under which no den reaches ``min_size`` takes no den (0, 0, 0).
    """
    try:
        inputs = DenInputs(links=links, known=known)
        if scored is not None:
            inputs.member_scores, inputs.member_thresholds = scored.scores, scored.thresholds
        dens = find_dens(graph, inputs, config)
    except LinkError:
        return 0, 0, 0
    taken = hidden_total = fraud_total = 0
    for den in dens:
        if hidden_total >= needed:
            break
        labels = hidden.reindex(den.members).dropna()
        taken += 1
        hidden_total += len(labels)
        fraud_total += int(labels.sum())
    return taken, hidden_total, fraud_total


def fold_splits(labels: pd.Series, folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(labels)), labels.to_numpy()))


def cross_validated_precision(graph: CallGraph, links: pd.DataFrame, labels: pd.Series, config: DensConfig,
                              folds: int, hidden_share: float, seed: int,
                              scored: Sequence[MemberScores | None] | None = None) -> list[FoldResult]:
    """One :class:`FoldResult` per stratified fold of ``labels`` (that fold's labels hidden), all with ``config``."""
    results = []
    for fold, (seen, held) in enumerate(fold_splits(labels, folds, seed)):
        needed = math.ceil(hidden_share * len(held))
        taken, in_top, fraud = top_dens_precision(graph, links, labels.iloc[seen], labels.iloc[held], config, needed,
                                                  scored[fold] if scored else None)
        results.append(FoldResult(fold, len(held), needed, taken, in_top, fraud, describe_core(config)))
    return results


def describe_core(config: DensConfig) -> str:
    core = config.core
    if not core.enabled:
        return "whole communities"
    return (f"share >= {core.min_fraud_neighbour_share:g}, labelled neighbours >= {core.min_labelled_neighbours:g}, "
            f"scored members >= {core.member_score_action}")


def core_candidates(config: DensConfig) -> list[DensConfig]:
    """``config`` with each pair of ``core_selection`` candidates as its core."""
    selection = config.core_selection
    return [config.model_copy(update={"core": config.core.model_copy(update={
                "enabled": True, "min_fraud_neighbour_share": share, "min_labelled_neighbours": count})})
            for share, count in itertools.product(selection.min_fraud_neighbour_share, selection.min_labelled_neighbours)]


def choose_core(graph: CallGraph, links: pd.DataFrame, labels: pd.Series, config: DensConfig,
                hidden_share: float, seed: int, scored: MemberScores | None = None) -> DensConfig:
    """The candidate core with the best pooled precision over inner folds of ``labels``.

    Candidates whose top dens fall short of ``hidden_share`` of the hidden numbers in any inner
    fold lose to every candidate that does not (a judge counts what the walk must reach);
    among those that all fall short, the one reaching most wins.
    """
    def merit(candidate: DensConfig) -> tuple[bool, float]:
        inner = config.core_selection.inner_folds
        results = cross_validated_precision(graph, links, labels, candidate, inner, hidden_share, seed,
                                            [scored] * inner if scored else None)
        fraud, total = sum(r.fraud_in_top for r in results), sum(r.hidden_in_top for r in results)
        if all(r.reached for r in results):
            return True, fraud / total
        return False, min(r.hidden_in_top / r.needed for r in results)

    return max(core_candidates(config), key=merit)


def nested_precision(graph: CallGraph, links: pd.DataFrame, labels: pd.Series, config: DensConfig,
                     folds: int, hidden_share: float, seed: int,
                     scored: Sequence[MemberScores | None] | None = None) -> list[FoldResult]:
    """Per hidden fold: the core chosen on the other folds' labels alone (:func:`choose_core`), then measured.

    ``scored[fold]``: member scores of that fold's model (trained without the fold's labels).
    """
    results = []
    for fold, (seen, held) in enumerate(fold_splits(labels, folds, seed)):
        visible, hidden = labels.iloc[seen], labels.iloc[held]
        fold_scores = scored[fold] if scored else None
        chosen = choose_core(graph, links, visible, config, hidden_share, seed, fold_scores)
        needed = math.ceil(hidden_share * len(held))
        taken, in_top, fraud = top_dens_precision(graph, links, visible, hidden, chosen, needed, fold_scores)
        results.append(FoldResult(fold, len(held), needed, taken, in_top, fraud, describe_core(chosen)))
    return results
