"""Label-free structural graph features (``graph.structure``): hand-checked values, no labels involved."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from configs import ConfigError, load_config
from configs.call import CallConfig, GraphConfig
from features.graph.features import GRAPH_COLUMNS, graph_columns, graph_features, out_of_fold_graph_features
from features.graph.links import CallGraph
from features.graph.structure import STRUCTURE_COLUMNS

STRUCTURE = GraphConfig(structure=True)


def triangle_and_star(config: GraphConfig = STRUCTURE) -> CallGraph:
    """Triangle a-b-c; a also linked to hub h, whose other links go to leaves l1-l3; one unlinked number."""
    pairs = [("a", "b"), ("b", "c"), ("c", "a"), ("a", "h"), ("h", "l1"), ("h", "l2"), ("h", "l3")]
    frame = pd.DataFrame(pairs, columns=["phone_no_m", "linked_no_m"])
    return CallGraph.from_links(frame, ["a", "alone"], config)


def test_structural_features_on_a_hand_made_graph() -> None:
    numbers = ["a", "b", "h", "l1", "alone"]
    features = graph_features(triangle_and_star(), numbers, pd.Series(dtype=int)).set_index(pd.Index(numbers))
    expected = pd.DataFrame(
        {
            # a: of its neighbours b, c, h only b-c are linked (1 of 3 pairs); h's leaves know nobody.
            "graph_clustering": [1 / 3, 1.0, 0.0, np.nan, np.nan],
            "graph_neighbour_degree_mean": [(2 + 2 + 4) / 3, (3 + 2) / 2, (3 + 1 + 1 + 1) / 4, 4.0, np.nan],
            "graph_neighbour_degree_max": [4.0, 3.0, 3.0, 4.0, np.nan],
            "graph_core_number": [2.0, 2.0, 1.0, 1.0, 0.0],
            "graph_two_hop_size": [6.0, 3.0, 6.0, 4.0, 0.0],
            "graph_leaf_neighbour_share": [0.0, 0.0, 0.75, 0.0, np.nan],
        },
        index=numbers,
    )
    pd.testing.assert_frame_equal(features[list(STRUCTURE_COLUMNS)], expected)


def test_structural_columns_are_added_only_when_configured() -> None:
    assert graph_columns(GraphConfig()) == GRAPH_COLUMNS
    assert graph_columns(STRUCTURE) == GRAPH_COLUMNS + STRUCTURE_COLUMNS
    plain = graph_features(triangle_and_star(GraphConfig()), ["a"], pd.Series(dtype=int))
    assert list(plain.columns) == list(GRAPH_COLUMNS)
    with_structure = graph_features(triangle_and_star(), ["a"], pd.Series(dtype=int))
    assert list(with_structure.columns) == list(GRAPH_COLUMNS + STRUCTURE_COLUMNS)
    # The label graph features do not change with the option.
    pd.testing.assert_frame_equal(with_structure[list(GRAPH_COLUMNS)], plain)


def test_no_label_reaches_the_structural_features_and_training_sees_scoring_values() -> None:
    graph = triangle_and_star()
    numbers = ["a", "b", "c", "h", "l1", "l2"]
    folds = [(np.array([2, 3, 4, 5]), np.array([0, 1])), (np.array([0, 1, 4, 5]), np.array([2, 3])),
             (np.array([0, 1, 2, 3]), np.array([4, 5]))]
    columns = list(STRUCTURE_COLUMNS)
    one = out_of_fold_graph_features(graph, numbers, np.array([1, 1, 0, 0, 1, 0]), folds)[columns]
    other = out_of_fold_graph_features(graph, numbers, np.array([0, 0, 1, 1, 0, 1]), folds)[columns]
    scoring = graph_features(graph, numbers, pd.Series({"l3": 1}))[columns]
    pd.testing.assert_frame_equal(one, other)
    pd.testing.assert_frame_equal(one, scoring)


def test_structure_option_must_be_a_boolean(tmp_path: Path) -> None:
    path = tmp_path / "call.yaml"
    path.write_text("graph: {structure: sometimes}\n")
    with pytest.raises(ConfigError, match="structure"):
        load_config(path, CallConfig)
