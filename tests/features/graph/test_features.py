"""Graph features: what they say about a number, and that its own label never reaches them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from configs.call import GraphConfig
from features.graph.features import GRAPH_COLUMNS, graph_features, out_of_fold_graph_features
from features.graph.links import CallGraph
from features.graph.reasons import DEN_ID, GRAPH_REASON_TEMPLATES
from features.reasons import FALLBACK_SUFFIX, render_reason


def two_dens() -> CallGraph:
    """A ring of 6 fraud-ish numbers (f0..f5, a clique) and 6 normal ones (n0..n5, a clique), one bridge."""
    fraud = [f"f{i}" for i in range(6)]
    normal = [f"n{i}" for i in range(6)]
    pairs = [(a, b) for group in (fraud, normal) for i, a in enumerate(group) for b in group[i + 1:]]
    pairs.append(("f0", "n0"))
    frame = pd.DataFrame(pairs, columns=["phone_no_m", "linked_no_m"])
    return CallGraph.from_links(frame, [*fraud, *normal, "alone"], GraphConfig())


KNOWN = pd.Series({"f1": 1, "f2": 1, "f3": 1, "n1": 0, "n2": 0, "n3": 0, "n4": 1})


def test_a_number_among_known_fraud_scores_high_and_one_among_normals_low() -> None:
    features = graph_features(two_dens(), ["f5", "n5", "alone"], KNOWN).set_index(pd.Index(["f5", "n5", "alone"]))
    assert list(features.columns) == list(GRAPH_COLUMNS)
    assert features.loc["f5", "graph_degree"] == 5
    assert features.loc["f5", "graph_fraud_neighbour_share"] == 1.0
    assert features.loc["n5", "graph_fraud_neighbour_share"] == pytest.approx(0.25)
    assert features.loc["f5", "graph_fraud_pagerank"] > features.loc["n5", "graph_fraud_pagerank"]
    assert features.loc["f5", "graph_fraud_pagerank_share"] > 0.9 > features.loc["n5", "graph_fraud_pagerank_share"]
    assert features.loc["f5", "graph_den_size"] == 6 and features.loc["f5", "graph_den_known_fraud"] == 3
    assert features.loc["f5", "graph_den_fraud_share"] == 1.0
    # An unlinked number: degree 0, a den of one, shares unknown (NaN) rather than 0.
    assert features.loc["alone", "graph_degree"] == 0 and features.loc["alone", "graph_den_size"] == 1
    assert np.isnan(features.loc["alone", "graph_fraud_neighbour_share"])


def test_den_member_score_averages_known_members_only() -> None:
    scores = pd.Series({"f1": 0.9, "f2": 0.7, "n1": 0.1})
    features = graph_features(two_dens(), ["f5", "n5"], KNOWN, scores)
    assert features["graph_den_member_score"].tolist() == pytest.approx([0.8, 0.1])


def test_out_of_fold_features_never_use_the_rows_own_label() -> None:
    graph = two_dens()
    numbers = ["f0", "f1", "f2", "n0", "n1", "n2"]
    labels = np.array([1, 1, 1, 0, 0, 0])
    held = [np.array([0, 3]), np.array([1, 2]), np.array([4, 5])]
    folds = [(np.setdiff1d(np.arange(6), rows), rows) for rows in held]
    flipped = labels.copy()
    flipped[[0, 3]] = 1 - flipped[[0, 3]]  # the labels of fold 0's own rows
    before = out_of_fold_graph_features(graph, numbers, labels, folds)
    after = out_of_fold_graph_features(graph, numbers, flipped, folds)
    pd.testing.assert_frame_equal(before.iloc[[0, 3]], after.iloc[[0, 3]])  # fold 0 rows: unchanged
    assert not before.iloc[[1, 2, 4, 5]].equals(after.iloc[[1, 2, 4, 5]])  # other folds do see them


def test_each_folds_rows_average_their_own_folds_member_scores_of_visible_numbers() -> None:
    """Training passes one member-score series per fold (scores that never saw that fold's labels);
    a fold's rows average only theirs."""
    numbers = ["f0", "f1", "f2", "n0", "n1", "n2"]
    labels = np.array([1, 1, 1, 0, 0, 0])
    held = [np.array([0, 3]), np.array([1, 2, 4, 5])]
    folds = [(np.setdiff1d(np.arange(6), rows), rows) for rows in held]
    per_fold = [pd.Series(0.25, index=numbers), pd.Series(0.75, index=numbers)]
    features = out_of_fold_graph_features(two_dens(), numbers, labels, folds, member_scores=per_fold)
    assert features["graph_den_member_score"].tolist() == [0.25, 0.75, 0.75, 0.25, 0.75, 0.75]
    with pytest.raises(ValueError, match="one per fold"):
        out_of_fold_graph_features(two_dens(), numbers, labels, folds, member_scores=per_fold[:1])


def test_every_graph_feature_has_a_chinese_reason_and_the_den_reads_as_one_sentence() -> None:
    assert {name.removesuffix(FALLBACK_SUFFIX) for name in GRAPH_REASON_TEMPLATES} == set(GRAPH_COLUMNS)
    row = {"graph_den_size": 37, "graph_den_known_fraud": 29}
    assert render_reason("graph_den_fraud_share", 0.78, GRAPH_REASON_TEMPLATES, row) == "同一窝点 37 个号码，其中 29 个已确认诈骗"


@pytest.mark.parametrize("feature", [c for c in GRAPH_COLUMNS if c.startswith("graph_den_")])
def test_a_den_reason_names_the_den_id_a_member_carries_and_reads_without_one(feature: str) -> None:
    """The id is what dens.json and dens.html call the den; a contact or a number in no den has
    none (null in the store comes back as NaN) and reads the sentence without it."""
    row = {"graph_den_size": 37, "graph_den_known_fraud": 29, "graph_den_labelled": 31, "graph_den_fraud_share": 0.9,
           "graph_den_member_score": 0.8}
    named = render_reason(feature, row[feature], GRAPH_REASON_TEMPLATES, {**row, DEN_ID: "den-12"})
    assert named.startswith("同一窝点 den-12") and "{" not in named, named
    for missing in ({}, {DEN_ID: None}, {DEN_ID: float("nan")}):
        plain = render_reason(feature, row[feature], GRAPH_REASON_TEMPLATES, {**row, **missing})
        assert plain.startswith("同一窝点") and "den-" not in plain and "nan" not in plain, plain
    assert render_reason("graph_den_size", 37, GRAPH_REASON_TEMPLATES, {**row, DEN_ID: "den-12"}) == \
        "同一窝点 den-12（含联系人）共 37 个号码，其中 29 个已确认诈骗"


def test_pagerank_feature_is_igraphs_personalised_pagerank_on_a_weighted_graph_with_an_isolated_number() -> None:
    rng = np.random.default_rng(0)
    pairs = rng.integers(0, 60, (200, 2))
    frame = pd.DataFrame({"phone_no_m": [f"v{a}" for a in pairs[:, 0]], "linked_no_m": [f"v{b}" for b in pairs[:, 1]],
                          "weight": rng.uniform(0.5, 3.0, len(pairs))})
    graph = CallGraph.from_links(frame, ["v0", "alone"], GraphConfig())
    known = pd.Series(rng.integers(0, 2, 20), index=[f"v{i}" for i in range(20)]).loc[lambda s: s.index.isin(graph.names)]
    known["alone"] = 1  # a fraud seed with no links: the walk restarts there as igraph's does
    fraud = np.isin(graph.names, known[known == 1].index).astype(float)
    expected = graph.graph.personalized_pagerank(damping=0.85, reset=fraud.tolist(), weights="weight", directed=False)
    features = graph_features(graph, list(graph.names), known)
    np.testing.assert_allclose(features["graph_fraud_pagerank"] / graph.linked_numbers, expected, rtol=1e-8, atol=1e-12)
