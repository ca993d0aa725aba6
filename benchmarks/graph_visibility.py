"""What graph features published profiles carry: known labels seen through the links (issue #9).

Every number of ``number_features_extra.csv`` (the 4,876 training numbers among the 6,106) is given
graph columns as ``yunmao profiles build --links --model`` gives them, with the training labels as
the model's known set, once as scoring does (each number's own fold hidden) and once as evaluation
does (every number of the frame hidden). Prints, for each, the share of numbers with a labelled
neighbour (all, and the numbers outside the training table) and with a den fraud share.

    OMP_NUM_THREADS=1 PYTHONPATH=. .venv/bin/python benchmarks/graph_visibility.py
"""

from __future__ import annotations

import pandas as pd

from benchmarks.call_quality import CALLS
from configs import default_config_path, load_config
from configs.call import CallConfig
from features.graph.knowledge import GraphKnowledge, add_graph_features, graph_for


def main() -> None:
    config = load_config(default_config_path("call"), CallConfig)
    train = pd.read_csv(CALLS / "number_features_train.csv", usecols=["phone_no_m", "label"])
    numbers = pd.read_csv(CALLS / "number_features_extra.csv", usecols=["phone_no_m"]).astype(str)
    links = pd.read_parquet(CALLS / "number_links.parquet")
    known = GraphKnowledge(known=pd.Series(train["label"].to_numpy(), index=train["phone_no_m"].astype(str)),
                           config=config.graph, label_folds=config.split.folds)
    graph = graph_for(numbers, links, known)
    unknown = ~numbers["phone_no_m"].isin(known.known.index)
    print(f"{len(numbers)} numbers, {int(unknown.sum())} outside the training table")
    print("| hidden from each number | with a labelled neighbour | of the unknown numbers | den fraud share defined |")
    print("| --- | ---: | ---: | ---: |")
    for name, evaluation in (("every number of the frame (evaluation)", True), ("its own fold (scoring)", False)):
        columns = add_graph_features(numbers, graph, known, evaluation=evaluation)
        seen = columns["graph_labelled_neighbours"] > 0
        print(f"| {name} | {seen.mean():.3f} | {seen[unknown].mean():.3f} | {columns['graph_den_fraud_share'].notna().mean():.3f} |")


if __name__ == "__main__":
    main()
