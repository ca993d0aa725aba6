"""Label-free shape of each number's place in the call graph (``graph.structure`` in configs/call.yaml).

The label graph features say *whom* a number is linked to; these say *how*: whether its
contacts know each other (clustering: a SIM-box calls strangers, a gang's numbers share victims
and form cliques), whether it sits among hubs or among leaves (neighbour degrees), deep in a
dense core or on the fringe (k-core), how far two hops reach. They use no label at all, so
out-of-fold training and scoring see exactly the same values; they depend only on the links
and are computed once per graph (:attr:`CallGraph.structure`). Links are taken as unweighted:
the shape, not the call volume, which the own columns carry.
"""

from __future__ import annotations

import igraph as ig
import numpy as np
import pandas as pd
import scipy.sparse as sp

from features.graph.ratios import share

STRUCTURE_COLUMNS = (
    "graph_clustering",
    "graph_neighbour_degree_mean",
    "graph_neighbour_degree_max",
    "graph_core_number",
    "graph_two_hop_size",
    "graph_leaf_neighbour_share",
)


def structural_features(graph: ig.Graph, adjacency: sp.csr_matrix) -> pd.DataFrame:
    """One row of :data:`STRUCTURE_COLUMNS` per vertex (in vertex order).

    ``adjacency`` is the graph's symmetric adjacency (any positive weights; only the pattern is
    used). Undefined values are NaN, LightGBM's "unknown": clustering below two neighbours, the
    neighbour columns of a number without links.
    """
    pattern = adjacency.copy().tocsr()
    pattern.data = np.ones_like(pattern.data)
    degree = np.asarray(pattern.sum(axis=1)).ravel()
    neighbour_degree_sum = pattern @ degree
    # Row-wise maximum of the neighbours' degrees: the pattern's entries scaled column by column.
    neighbour_degree_max = pattern.multiply(degree[None, :]).tocsr().max(axis=1).toarray().ravel()
    return pd.DataFrame(
        {
            "graph_clustering": graph.transitivity_local_undirected(mode="nan"),
            "graph_neighbour_degree_mean": share(neighbour_degree_sum, degree, 1),
            "graph_neighbour_degree_max": np.where(degree > 0, neighbour_degree_max, np.nan),
            "graph_core_number": np.asarray(graph.coreness(), dtype=float),
            "graph_two_hop_size": np.asarray(graph.neighborhood_size(order=2), dtype=float) - 1,
            "graph_leaf_neighbour_share": share(pattern @ (degree == 1).astype(float), degree, 1),
        }
    )
