"""Links validation: what is dropped is counted, what cannot make a graph fails with a clear message."""

from __future__ import annotations

import gc
import random

import igraph as ig
import numpy as np
import pandas as pd
import pytest

from configs.call import GraphConfig
from features.graph.links import CallGraph, LinkError


def links(*pairs: tuple[str, str], **extra: list) -> pd.DataFrame:
    return pd.DataFrame({"phone_no_m": [a for a, _ in pairs], "linked_no_m": [b for _, b in pairs], **extra})


def test_self_and_duplicate_links_are_dropped_and_counted_unknown_numbers_are_vertices() -> None:
    raw = links(("a", "b"), ("b", "a"), ("a", "b"), ("c", "c"), ("b", "x"), ("a", " "))
    graph = CallGraph.from_links(raw, ["a", "b", "c", "lonely"], GraphConfig())
    report = graph.report
    assert (report.links_read, report.self_links, report.duplicate_links, report.missing_ends) == (6, 1, 2, 1)
    assert report.merged_links == 0  # without a kind column every repeat is a duplicate
    assert report.links_kept == 2 and graph.graph.ecount() == 2
    assert report.numbers_without_features == 1  # "x" links but has no feature row
    assert report.numbers_without_links == 2  # "c" (self-link only) and "lonely"
    assert set(graph.names) == {"a", "b", "x", "c", "lonely"}
    assert graph.graph.degree(graph.positions(["lonely"]).tolist()) == [0]


def test_optional_kind_and_weight_columns_are_accepted() -> None:
    raw = links(("a", "b"), ("b", "c"), kind=["call", "sms"], weight=[3, 1.5])
    graph = CallGraph.from_links(raw, ["a", "b", "c"], GraphConfig())
    assert sorted(graph.graph.es["weight"]) == [1.5, 3.0]
    assert graph.adjacency[graph.positions(["a"])[0], graph.positions(["b"])[0]] == 3.0


def weight_between(graph: CallGraph, first: str, second: str) -> float:
    return float(graph.adjacency[graph.positions([first])[0], graph.positions([second])[0]])


def test_a_pair_repeated_with_the_same_kind_is_a_duplicate_in_either_direction() -> None:
    raw = links(("a", "b"), ("b", "a"), ("a", "b"), ("b", "c"),
                kind=["shared_device", "shared_device", "shared_device", "direct_call"], weight=[2, 5, 7, 3])
    graph = CallGraph.from_links(raw, ["a", "b", "c"], GraphConfig())
    report = graph.report
    assert (report.duplicate_links, report.merged_links, report.links_kept) == (2, 0, 2)
    assert weight_between(graph, "a", "b") == 2.0  # the first row's weight, as before kinds merged


def test_a_pair_linked_by_several_kinds_is_one_edge_with_their_weights_summed() -> None:
    raw = links(("a", "b"), ("b", "a"), ("a", "b"), ("c", "a"), ("b", "c"),
                kind=["shared_device", "shared_callees", "shared_device", "direct_call", "direct_call"],
                weight=[2, 0.5, 9, 4, 3])
    graph = CallGraph.from_links(raw, ["a", "b", "c"], GraphConfig())
    report = graph.report
    # (b, a, shared_callees) is merged whichever way round; the second (a, b, shared_device) is a duplicate.
    assert (report.links_read, report.duplicate_links, report.merged_links, report.links_kept) == (5, 1, 1, 3)
    assert report.links_read == (report.missing_ends + report.self_links + report.duplicate_links
                                 + report.merged_links + report.links_kept)
    assert graph.graph.ecount() == 3 and graph.graph.degree(graph.positions(["a"]).tolist()) == [2]
    assert weight_between(graph, "a", "b") == weight_between(graph, "b", "a") == 2.5
    assert weight_between(graph, "a", "c") == 4.0 and weight_between(graph, "b", "c") == 3.0
    assert sorted(graph.graph.es["weight"]) == [2.5, 3.0, 4.0]


def test_a_link_without_a_kind_beside_built_links_counts_as_a_kind_of_its_own() -> None:
    # yunmao dens --links FILE --cdr DIR: the file's rows (no kind) concatenated with the built ones.
    raw = links(("a", "b"), ("b", "a"), ("a", "b"), kind=[None, None, "shared_device"], weight=[1, 1, 3])
    graph = CallGraph.from_links(raw, ["a", "b"], GraphConfig())
    assert (graph.report.duplicate_links, graph.report.merged_links) == (1, 1)
    assert weight_between(graph, "a", "b") == 4.0


@pytest.mark.parametrize(
    ("raw", "numbers", "message"),
    [
        (pd.DataFrame({"src": ["a"], "dst": ["b"]}), ["a"], "lack required columns"),
        (links(("a", "a"), ("b", "b")), ["a"], "no usable links"),
        (links(), ["a"], "no usable links"),
        (links(("p", "q")), ["a", "b"], "share no number"),
        (links(("a", "b"), weight=["heavy"]), ["a"], "weight"),
        (links(("a", "b"), weight=[-1]), ["a"], "weight"),
    ],
)
def test_unusable_links_raise_a_value_error_naming_the_problem(raw: pd.DataFrame, numbers: list[str], message: str) -> None:
    with pytest.raises(LinkError, match=message) as caught:
        CallGraph.from_links(raw, numbers, GraphConfig())
    assert isinstance(caught.value, ValueError)


def leiden_membership(graph: CallGraph, iterations: int) -> list[int]:
    """igraph's Leiden on the graph as CallGraph.dens runs it, with ``iterations`` passes."""
    ig.set_random_number_generator(random.Random(graph.config.seed))
    try:
        return graph.graph.community_leiden(objective_function="modularity", weights="weight",
                                            resolution=graph.config.leiden_resolution, n_iterations=iterations).membership
    finally:
        ig.set_random_number_generator(random)


def noisy_communities(seed: int = 0) -> pd.DataFrame:
    """4,000 links among 400 numbers in 30 communities, half of them across: Leiden needs several passes."""
    rng = np.random.default_rng(seed)
    community = rng.integers(0, 30, 400)
    a = rng.integers(0, 400, 4000)
    inside = [rng.choice(np.flatnonzero(community == community[x])) for x in a]
    b = np.where(rng.random(4000) < 0.5, inside, rng.integers(0, 400, 4000))
    return links(*((f"v{x}", f"v{y}") for x, y in zip(a, b, strict=True)))


@pytest.mark.parametrize(("large_graph_links", "expected_iterations"), [(10_000, -1), (999, 1)])
def test_leiden_runs_until_stable_unless_the_graph_has_more_links_than_large_graph_links(
    large_graph_links: int, expected_iterations: int
) -> None:
    config = GraphConfig(large_graph_links=large_graph_links, leiden_iterations_large_graph=1)
    graph = CallGraph.from_links(noisy_communities(), [], config)
    assert 999 < graph.graph.ecount() < 10_000
    assert leiden_membership(graph, 1) != leiden_membership(graph, -1)  # the pass count matters on this graph
    assert graph.dens.tolist() == leiden_membership(graph, expected_iterations)


def test_unlinked_numbers_leave_every_den_as_it_was_and_are_dens_of_one() -> None:
    """Training, evaluation and each scored batch add different unlinked numbers (feature rows
    without links) to the same links: the dens of the linked numbers must not move with them,
    or den features seen in scoring differ from those the model was trained on."""
    raw = noisy_communities()
    alone = CallGraph.from_links(raw, [], GraphConfig())
    with_unlinked = CallGraph.from_links(raw, ["lonely-1", "v3", "lonely-2"], GraphConfig())
    linked = len(alone.names)
    assert with_unlinked.names[:linked].equals(alone.names)
    assert with_unlinked.dens[:linked].tolist() == alone.dens.tolist()
    lonely = with_unlinked.dens[with_unlinked.positions(["lonely-1", "lonely-2"])]
    assert len(set(lonely)) == 2 and not set(lonely) & set(alone.dens)


@pytest.mark.parametrize("enabled", [True, False])
def test_building_a_graph_leaves_the_garbage_collector_as_it_found_it(enabled: bool) -> None:
    """The collector is paused while igraph takes the edges; a server must not be left without it."""
    (gc.enable if enabled else gc.disable)()
    try:
        CallGraph.from_links(links(("a", "b"), ("b", "c")), ["a"], GraphConfig())
        assert gc.isenabled() is enabled
    finally:
        gc.enable()
