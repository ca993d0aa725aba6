"""Graph features and dens at carrier scale: time and peak memory on synthetic links.

Target (issue #9): 1 M numbers / 20 M links in ≤ 10 min and ≤ 8 GiB. Links are synthetic:
numbers in communities of ~50 with ``--inside`` of links inside a community, the rest random;
a third of numbers labelled (a tenth of those fraud); with ``--kinds K`` each link gets one of K
kinds and a weight in [0.5, 1.5), so a pair drawn twice with two kinds is merged (summed weight)
rather than dropped, as links built from CDRs are. Stages: links → graph
(:class:`CallGraph`), Leiden communities (computed once per graph and cached), graph features
for every number (degree, 1-2 hop shares, personalised PageRank, den columns), dens
(communities ≥ min size, ranked). Peak RSS is the process's maximum resident set (``getrusage``).

Run: .venv/bin/python benchmarks/graph_scale.py --numbers 200000 --links 4000000
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd

from configs import default_config_path, load_config
from configs.call import CallConfig
from configs.dens import DensConfig
from features.graph.features import graph_features
from training.dens.build import DenInputs, den_graph, find_dens


def synthetic_links(numbers: int, links: int, inside: float, seed: int, kinds: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    # Arrow-backed strings taken by index: 20 M object strings would cost more than the graph itself.
    names = pd.Index(np.char.add("n", np.arange(numbers).astype(str)), dtype="str")
    community = rng.integers(0, max(numbers // 50, 1), numbers)
    order = np.argsort(community, kind="stable")
    starts = np.searchsorted(community[order], np.arange(community.max() + 1))
    sizes = np.diff(np.append(starts, numbers))
    source = rng.integers(0, numbers, links)
    local = rng.random(links) < inside
    c = community[source]
    target = rng.integers(0, numbers, links)
    target[local] = order[starts[c[local]] + (rng.random(local.sum()) * sizes[c[local]]).astype(np.int64)]
    frame = pd.DataFrame({"phone_no_m": names.take(source).array, "linked_no_m": names.take(target).array})
    if kinds:
        kind_names = pd.Index(np.char.add("kind", np.arange(kinds).astype(str)), dtype="str")
        frame["kind"] = kind_names.take(rng.integers(0, kinds, links)).array
        frame["weight"] = rng.random(links) + 0.5
    labelled = rng.random(numbers) < 1 / 3
    fraud = (rng.random(numbers) < 0.1).astype(int)
    return frame, pd.Series(fraud[labelled], index=names[labelled])


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=200_000)
    parser.add_argument("--links", type=int, default=4_000_000)
    parser.add_argument("--inside", type=float, default=0.8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--kinds", type=int, default=0, help="kinds of link (0: no kind column)")
    args = parser.parse_args()
    call = load_config(default_config_path("call"), CallConfig)
    dens_config = load_config(default_config_path("dens"), DensConfig)
    started = time.perf_counter()
    stages: dict[str, float] = {}

    def stage(name: str, mark: float) -> None:
        """Print each stage as it ends: a run stopped at the time limit still says where time went."""
        stages[name] = time.perf_counter() - mark
        print(f"{name} {stages[name]:.0f} s  peak RSS {peak_gib():.2f} GiB", flush=True)

    links, known = synthetic_links(args.numbers, args.links, args.inside, args.seed, args.kinds)
    stage("synthesise", started)
    mark = time.perf_counter()
    graph = den_graph(links, known, call, dens_config)
    stage("graph", mark)
    mark = time.perf_counter()
    print(f"Leiden passes: {graph.leiden_iterations} (-1: until stable)", flush=True)
    dens_found = len(np.unique(graph.dens))
    stage("Leiden", mark)
    mark = time.perf_counter()
    features = graph_features(graph, graph.names, known)
    stage("graph features", mark)
    mark = time.perf_counter()
    dens = find_dens(graph, DenInputs(links=links, known=known), dens_config)
    stage("den ranking", mark)
    total = time.perf_counter() - started
    print(f"numbers {graph.report.vertices:,}  links kept {graph.report.links_kept:,} "
          f"(duplicates {graph.report.duplicate_links:,}, merged {graph.report.merged_links:,})  "
          f"feature rows {len(features):,}  communities {dens_found:,}  dens {len(dens):,}")
    print(f"total {total:.0f} s ({total - stages['synthesise']:.0f} s without synthesis)  peak RSS {peak_gib():.2f} GiB")


if __name__ == "__main__":
    main()
