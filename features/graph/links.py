"""Links between numbers → a validated, undirected igraph graph with a stable vertex order.

Links come from the GAT-COBO export (``phone_no_m, linked_no_m``) or from raw CDRs
(``phone_no_m, linked_no_m, kind, weight``). Self-links and repeated pairs (in either
direction, with the same ``kind``) are dropped and counted; a pair linked by several kinds
becomes one edge whose weight is their sum (counted as merged, see :func:`clean_links`); numbers
no feature table holds are ordinary vertices (counted), because a fraud ring's unlabelled
members still connect its labelled ones.
"""

from __future__ import annotations

import gc
import random
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property

import igraph as ig
import numpy as np
import pandas as pd
import scipy.sparse as sp

from configs.call import GraphConfig

SOURCE, TARGET = "phone_no_m", "linked_no_m"
OPTIONAL_COLUMNS = ("kind", "weight")


class LinkError(ValueError):
    """Links that cannot make a graph: wrong schema, nothing left, no overlap with the data."""


@dataclass
class LinkReport:
    """What the links held and what was dropped, for logs and the MLflow run."""

    links_read: int = 0
    self_links: int = 0
    duplicate_links: int = 0
    merged_links: int = 0  # rows of another kind for a pair already read: weight added to its edge
    missing_ends: int = 0
    links_kept: int = 0
    vertices: int = 0
    numbers_without_features: int = 0
    numbers_without_links: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class CleanLinks:
    """Links as integer vertex codes into ``names`` (each unordered pair once) with weights."""

    names: pd.Index
    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray


def clean_links(links: pd.DataFrame, report: LinkReport) -> CleanLinks:
    """Validated links: text ids, each unordered pair once, no self-links; ``weight`` numeric.

    A pair repeated with the same ``kind`` (in either direction; any repeat without a ``kind``
    column) is a duplicate: the first row is kept, the repeat dropped and counted. A pair repeated
    with another ``kind`` (a shared IMEI and overlapping callees, say) is more evidence for one
    tie: its rows become one edge weighted by the *sum* of their weights, counted as merged. The
    sum is what every reader of the weights would see with the rows kept as parallel edges — the
    adjacency products, PageRank's walk and Leiden's weighted modularity all add parallel edges —
    without a neighbour counted twice in the degree (a model column, and how the dens page picks
    whom to draw); a maximum would throw the second kind's evidence away. Nothing after cleaning reads ``kind`` (the dens
    page's shared IMEIs come from the CDRs), so the edge keeps no kind.

    Raises:
        LinkError: a required column is missing, ``weight`` is not a positive number, or no
            link survives cleaning.
    """
    missing = [c for c in (SOURCE, TARGET) if c not in links.columns]
    if missing:
        raise LinkError(
            f"links lack required columns {missing} (expected {SOURCE}, {TARGET}[, kind, weight]; got {list(links.columns)[:6]})"
        )
    report.links_read = len(links)
    weight = _weights(links)
    codes, names = pd.factorize(pd.concat([links[SOURCE], links[TARGET]], ignore_index=True).astype(str).str.strip())
    empty = names.isin(["", "nan", "None", "<NA>"])
    codes = np.where(np.isin(codes, np.flatnonzero(empty)), -1, codes)
    a, b = codes[: len(links)], codes[len(links):]
    has_ends = (a >= 0) & (b >= 0)
    report.missing_ends = int((~has_ends).sum())
    is_self = has_ends & (a == b)
    report.self_links = int(is_self.sum())
    candidate = np.flatnonzero(has_ends & ~is_self)
    kind = None if "kind" not in links.columns else pd.factorize(links["kind"], use_na_sentinel=False)[0][candidate]
    repeats = _repeats(a[candidate], b[candidate], kind, len(names))
    report.duplicate_links = int(repeats.duplicate.sum())
    report.merged_links = int(repeats.merged.sum())
    keep = candidate[repeats.first]
    report.links_kept = len(keep)
    if not report.links_kept:
        raise LinkError(
            f"no usable links: {report.links_read} read, {report.self_links} self-links, "
            f"{report.duplicate_links} duplicates, {report.missing_ends} with an empty end"
        )
    edge_weight = repeats.edge_weights(weight[candidate])
    linked = np.zeros(len(names), dtype=bool)
    linked[a[keep]] = linked[b[keep]] = True
    used = np.flatnonzero(linked)
    recode = np.full(len(names), -1)
    recode[used] = np.arange(len(used))
    return CleanLinks(pd.Index(names[used]), recode[a[keep]], recode[b[keep]], edge_weight)


@dataclass(frozen=True)
class _Repeats:
    """Where each link stands among the links of its unordered pair (one entry per link)."""

    pair: np.ndarray  # pair code, numbered in order of first appearance
    first: np.ndarray  # the pair's first row: its edge
    duplicate: np.ndarray  # a later row of a kind the pair already had: dropped
    merged: np.ndarray  # a later row of another kind: its weight goes to the edge

    def edge_weights(self, weight: np.ndarray) -> np.ndarray:
        """Weight of each edge (first rows, in order): its own, plus the merged rows' weights."""
        if not self.merged.any():
            return weight[self.first]
        counted = ~self.duplicate
        return np.bincount(self.pair[counted], weights=weight[counted], minlength=int(self.first.sum()))


def _repeats(a: np.ndarray, b: np.ndarray, kind: np.ndarray | None, vertices: int) -> _Repeats:
    """Each link's place among its pair's links: first, same-kind duplicate or another kind
    (``kind``: integer code of each link's kind, missing kinds one code; None: no kinds).

    Each unordered pair is packed into one int64 key (low end × vertices + high end) and hashed
    once: at 20 M links this is several times faster than finding duplicate rows of a two-column
    frame. With kinds, (pair code × kinds + kind code) is a second packed key, below links × kinds
    so it never overflows.
    """
    key = np.minimum(a, b).astype(np.int64) * vertices + np.maximum(a, b)
    pair = pd.factorize(key)[0]
    # Codes are numbered in order of first appearance: a row is its pair's first where the running
    # maximum of the codes steps up.
    first = np.diff(np.maximum.accumulate(pair), prepend=-1) > 0
    if kind is None:
        return _Repeats(pair, first, ~first, np.zeros(len(pair), dtype=bool))
    # A Series, not an Index: Index.duplicated builds the index's own hash engine first (2x slower).
    duplicate = pd.Series(pair * (int(kind.max(initial=0)) + 1) + kind).duplicated().to_numpy()
    return _Repeats(pair, first, duplicate, ~first & ~duplicate)


def _within(values: pd.Index, unique: pd.Index) -> np.ndarray:
    """``values.isin(unique)`` through ``unique``'s hash index: pandas' ``isin`` on arrow-backed
    strings walks the value set in Python (10 s at a million numbers)."""
    return unique.get_indexer(values) >= 0


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while igraph takes in the edge list.

    python-igraph's stable-ABI wheel turns a numpy edge array into a list of Python pairs; those
    allocations trigger collections that scan the whole heap, which at millions of edges costs
    as much as building the graph. The conversion creates no reference cycles to collect.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _weights(links: pd.DataFrame) -> np.ndarray:
    if "weight" not in links.columns:
        return np.ones(len(links))
    weight = pd.to_numeric(links["weight"], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(weight) | (weight <= 0)
    if bad.any():
        first_line = int(np.flatnonzero(bad)[0]) + 2  # header is line 1
        raise LinkError(f"links column 'weight' must be a positive number; {int(bad.sum())} bad (first: line {first_line})")
    return weight


@dataclass
class CallGraph:
    """Undirected weighted graph over numbers; vertex ``i`` is ``names[i]``.

    Leiden dens depend only on the links, never on labels, so they are computed once per graph.
    """

    graph: ig.Graph
    names: pd.Index
    config: GraphConfig
    edges: CleanLinks = field(repr=False)
    report: LinkReport = field(default_factory=LinkReport)

    @classmethod
    def from_links(cls, links: pd.DataFrame, numbers: Iterable[str], config: GraphConfig) -> CallGraph:
        """Graph over every linked number plus every number of the feature tables (isolated if unlinked).

        Raises:
            LinkError: see :func:`clean_links`; or no linked number appears in ``numbers``.
        """
        report = LinkReport()
        clean = clean_links(links, report)
        numbers = pd.Index(pd.unique(pd.Series(list(numbers), dtype=object).dropna().astype(str)))
        linked = clean.names
        has_features = _within(linked, numbers)
        if len(numbers) and not has_features.any():
            raise LinkError(
                f"links share no number with the data ({len(linked)} linked numbers, {len(numbers)} in the data): "
                "wrong links file?"
            )
        names = linked.append(numbers[~_within(numbers, linked)])
        report.vertices = len(names)
        report.numbers_without_features = int((~has_features).sum()) if len(numbers) else 0
        report.numbers_without_links = len(names) - len(linked)
        with _collector_paused():
            graph = ig.Graph(n=len(names), edges=np.column_stack([clean.source, clean.target]), directed=False)
        graph.es["weight"] = clean.weight
        return cls(graph=graph, names=names, config=config, edges=clean, report=report)

    @property
    def linked_numbers(self) -> int:
        """How many numbers have a link (the first vertices); the rest are unlinked feature rows."""
        return len(self.edges.names)

    @cached_property
    def adjacency(self) -> sp.csr_matrix:
        """Weighted symmetric adjacency (CSR), for neighbour sums as matrix products.

        Built from the cleaned link arrays, not read back from igraph (whose edge list comes back
        as Python tuples: seconds per million edges).
        """
        edges, n = self.edges, len(self.names)
        rows, cols = np.concatenate([edges.source, edges.target]), np.concatenate([edges.target, edges.source])
        return sp.csr_matrix((np.concatenate([edges.weight, edges.weight]), (rows, cols)), shape=(n, n))

    @cached_property
    def dens(self) -> np.ndarray:
        """Leiden community (den) of every vertex; isolated numbers are dens of one.

        igraph's own Leiden (modularity objective, seeded through igraph's random source) finds
        the same partition quality as ``leidenalg`` on this graph (modularity 0.371 both) in a
        fifth of the time, which matters because every command builds the graph afresh.

        Leiden runs on the linked numbers only (the first vertices): it visits vertices in a
        seeded random order, so unlinked numbers of the feature tables — different for training,
        evaluation and each scored batch — would otherwise reshuffle every den (one isolated
        number more moved the real graph's partition to an adjusted Rand index of 0.989).
        """
        linked = self.linked_numbers
        graph = self.graph if linked == self.graph.vcount() else self.graph.induced_subgraph(range(linked))
        ig.set_random_number_generator(random.Random(self.config.seed))
        try:
            partition = graph.community_leiden(
                objective_function="modularity",
                weights="weight",
                resolution=self.config.leiden_resolution,
                n_iterations=self.leiden_iterations,
            )
        finally:
            ig.set_random_number_generator(random)
        membership = np.asarray(partition.membership)
        isolated = np.arange(self.graph.vcount() - linked) + (membership.max() + 1 if linked else 0)
        return np.concatenate([membership, isolated])

    @property
    def leiden_iterations(self) -> int:
        """Leiden passes for this graph: until stable, or a fixed number on a carrier-scale graph."""
        large = self.graph.ecount() > self.config.large_graph_links
        return self.config.leiden_iterations_large_graph if large else self.config.leiden_iterations

    def positions(self, numbers: Iterable[str]) -> np.ndarray:
        """Vertex index of each number (numbers outside the graph → -1)."""
        return self.names.get_indexer(pd.Index(list(numbers), dtype=object).astype(str))
