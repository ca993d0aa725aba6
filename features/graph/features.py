"""Graph features of numbers from the call graph and the labels of *other* numbers.

:func:`graph_features` is the one function used for training, evaluation, batch prediction
and profile publication. It sees labels only through ``known`` (number → 0/1): at scoring time
the training labels; in training :func:`out_of_fold_graph_features` calls it once per fold with
that fold's labels removed, so no number's label ever reaches its own features and training
rows see the same kind of input as the unlabelled numbers scored later.

Shares are taken among *labelled* neighbours rather than as raw counts: the training folds know
fewer labels than the deployed model does, and a share does not drift with that.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from features.graph.links import CallGraph

GRAPH_COLUMNS = (
    "graph_degree",
    "graph_labelled_neighbours",
    "graph_fraud_neighbours",
    "graph_fraud_neighbour_share",
    "graph_fraud_two_hop_share",
    "graph_fraud_pagerank",
    "graph_fraud_pagerank_share",
    "graph_den_size",
    "graph_den_labelled",
    "graph_den_known_fraud",
    "graph_den_fraud_share",
    "graph_den_member_score",
)


def graph_features(
    graph: CallGraph,
    numbers: Sequence[str],
    known: pd.Series,
    member_scores: pd.Series | None = None,
) -> pd.DataFrame:
    """One row of :data:`GRAPH_COLUMNS` per number (in order), from links and ``known`` labels.

    Args:
        graph: the call graph (must contain every number; see :meth:`CallGraph.from_links`).
        numbers: the numbers to describe.
        known: label (1 fraud, 0 normal) of the numbers whose label may be used; the caller
            guarantees none of ``numbers`` is in it when they are being trained or scored.
        member_scores: model scores of known numbers, averaged per den (NaN column if None).

    Raises:
        ValueError: a number is not a vertex of the graph.
    """
    rows = graph.positions(numbers)
    if (rows < 0).any():
        first = numbers[int(np.flatnonzero(rows < 0)[0])]
        raise ValueError(f"{int((rows < 0).sum())} numbers are not in the call graph (first {first!r})")
    labelled, fraud = label_vectors(graph, known)
    adjacency = graph.adjacency
    min_labelled = graph.config.min_labelled_for_share
    degree = np.asarray(graph.graph.degree(), dtype=float)
    n_labelled = adjacency @ labelled
    n_fraud = adjacency @ fraud
    # Two-hop sums over paths i-j-k, minus the paths that come back to i itself.
    self_paths = np.asarray(adjacency.multiply(adjacency).sum(axis=1)).ravel()
    two_labelled = adjacency @ n_labelled - self_paths * labelled
    two_fraud = adjacency @ n_fraud - self_paths * fraud
    ppr_fraud, ppr_labelled = _pagerank(graph, np.column_stack([fraud, labelled])).T
    dens = graph.dens
    den_size = np.bincount(dens).astype(float)
    den_labelled = np.bincount(dens, weights=labelled)
    den_fraud = np.bincount(dens, weights=fraud)
    frame = pd.DataFrame(
        {
            "graph_degree": degree,
            "graph_labelled_neighbours": n_labelled,
            "graph_fraud_neighbours": n_fraud,
            "graph_fraud_neighbour_share": _share(n_fraud, n_labelled, min_labelled),
            "graph_fraud_two_hop_share": _share(two_fraud, two_labelled, min_labelled),
            # Scaled by the linked numbers (1.0: an average number's rank), not by every vertex:
            # the unlinked numbers of a scored batch hold no rank and must not change anyone's.
            "graph_fraud_pagerank": ppr_fraud * graph.linked_numbers,
            "graph_fraud_pagerank_share": _share(ppr_fraud * fraud.sum(), ppr_labelled * labelled.sum(), 0),
            "graph_den_size": den_size[dens],
            "graph_den_labelled": den_labelled[dens],
            "graph_den_known_fraud": den_fraud[dens],
            "graph_den_fraud_share": _share(den_fraud, den_labelled, min_labelled)[dens],
            "graph_den_member_score": _den_mean(graph, dens, member_scores),
        }
    )
    return frame.iloc[rows].reset_index(drop=True)


def out_of_fold_graph_features(
    graph: CallGraph,
    numbers: Sequence[str],
    labels: np.ndarray,
    folds: Sequence[tuple[np.ndarray, np.ndarray]],
    known_outside: pd.Series | None = None,
    member_scores: Sequence[pd.Series] | None = None,
) -> pd.DataFrame:
    """Training-time graph features: rows of each fold see only the labels of the other folds.

    ``known_outside`` adds labels of numbers that are not training rows (e.g. confirmed
    feedback). ``member_scores``, one series per fold, are the den members' scores that fold's
    rows may see: scores from models that never trained on that fold's labels (a score of another
    fold's number from a model trained on this fold would carry this fold's labels back into its
    own rows' den member score); they are restricted the same way as the labels.
    """
    numbers = pd.Index(list(numbers), dtype=object).astype(str)
    all_labels = pd.Series(np.asarray(labels, dtype=int), index=numbers)
    if member_scores is not None and len(member_scores) != len(folds):
        raise ValueError(f"{len(member_scores)} member score series for {len(folds)} folds: one per fold")
    out = pd.DataFrame(index=range(len(numbers)), columns=list(GRAPH_COLUMNS), dtype=float)
    for fold, (_, held) in enumerate(folds):
        visible = all_labels.drop(numbers[held])
        if known_outside is not None:
            visible = pd.concat([known_outside.drop(numbers[held], errors="ignore"), visible])
        scores = None if member_scores is None else member_scores[fold].reindex(visible.index).dropna()
        out.iloc[held] = graph_features(graph, numbers[held], visible, scores).to_numpy()
    return out


def label_vectors(graph: CallGraph, known: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """0/1 vectors over vertices: labelled, and labelled fraud (numbers outside the graph ignored)."""
    positions = graph.positions(known.index)
    inside = positions >= 0
    labelled = np.zeros(len(graph.names))
    fraud = np.zeros(len(graph.names))
    labelled[positions[inside]] = 1.0
    fraud[positions[inside]] = np.asarray(known, dtype=float)[inside]
    return labelled, fraud


def _pagerank(graph: CallGraph, seeds: np.ndarray) -> np.ndarray:
    """Personalised PageRank restarting at each column of ``seeds`` (vertices × k; a zero column → zeros).

    All columns in one power iteration over the adjacency the other features already use, instead
    of one igraph call per seed set (each re-reading the graph). The walk is igraph's: follow a
    link with probability ``pagerank_damping`` (in proportion to its weight), else restart at the
    seeds; numbers without links restart at the seeds too. It stops when no column moves by more
    than ``pagerank_tolerance`` (L1); the error then matches igraph's PRPACK solver to ~1e-11.
    """
    damping, tolerance = graph.config.pagerank_damping, graph.config.pagerank_tolerance
    adjacency = graph.adjacency
    strength = np.asarray(adjacency.sum(axis=1)).ravel()
    unlinked = np.flatnonzero(strength == 0)
    # Column j of the walk holds the shares of j's links: the adjacency's entries over j's strength.
    share = np.divide(1.0, strength, out=np.zeros_like(strength), where=strength > 0)
    walk = sp.csr_matrix((adjacency.data * share[adjacency.indices], adjacency.indices, adjacency.indptr), shape=adjacency.shape)
    # One contiguous row per seed set, one sparse product each: scipy's product with an n × k
    # block is ~5x slower than k products with single vectors.
    totals = seeds.sum(axis=0)[:, None]
    restart = np.ascontiguousarray(np.divide(seeds.T, totals, out=np.zeros(seeds.T.shape), where=totals > 0))
    rank = restart.copy()
    # The error shrinks by ``damping`` each step, so this many steps always reach the tolerance.
    for _ in range(math.ceil(math.log(tolerance / 2) / math.log(damping)) + 1):
        stranded = rank[:, unlinked].sum(axis=1, keepdims=True)
        step = damping * np.stack([walk @ row for row in rank]) + (damping * stranded + 1 - damping) * restart
        moved = np.abs(step - rank).sum(axis=1).max()
        rank = step
        if moved < tolerance:
            break
    return rank.T


def _share(part: np.ndarray, whole: np.ndarray, min_whole: float) -> np.ndarray:
    """``part / whole``; NaN (LightGBM's "unknown") where ``whole`` is below ``min_whole`` or zero."""
    share = np.full(len(part), np.nan)
    enough = (whole >= min_whole) & (whole > 0)
    share[enough] = part[enough] / whole[enough]
    return share


def _den_mean(graph: CallGraph, dens: np.ndarray, scores: pd.Series | None) -> np.ndarray:
    """Mean score of each vertex's den over the den members that have a score."""
    if scores is None or scores.empty:
        return np.full(len(dens), np.nan)
    positions = graph.positions(scores.index)
    inside = positions >= 0
    total = np.bincount(dens[positions[inside]], weights=scores.to_numpy(dtype=float)[inside], minlength=dens.max() + 1)
    count = np.bincount(dens[positions[inside]], minlength=dens.max() + 1).astype(float)
    return _share(total, count, 1)[dens]
