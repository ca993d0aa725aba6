"""Links validation: what is dropped is counted, what cannot make a graph fails with a clear message."""

from __future__ import annotations

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
