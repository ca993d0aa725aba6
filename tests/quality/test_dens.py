"""Den ranking on the real Sichuan links, judged on labels it did not see (nested K-fold).

Each of 5 folds of the 4,876 labelled numbers is hidden in turn; the den core setting is chosen
on inner folds of the other 4 folds' labels alone, dens (community cores) are ranked with those
labels and walked (5+ numbers each) until they hold 199 hidden numbers — the share of hidden
numbers the sealed judge asks for (250 of 1,230). Measured (benchmarks/dens_quality.py,
resolution 1.0): fraud share among those numbers 0.933 pooled (95 % CI 0.916-0.947), folds
0.922-0.945, against a base rate of 0.32; one fold's cores ran out at 189 of the 199 hidden
numbers. The issue's 0.95 is NOT reached; these floors guard what is.
"""

from __future__ import annotations

import pytest

from configs import default_config_path, load_config
from configs.call import CallConfig
from configs.dens import DensConfig
from tests.conftest import shared_data
from training.data.call_tables import load_links
from training.dens.build import den_graph, read_labels
from training.dens.evaluation import nested_precision

pytestmark = [pytest.mark.realdata, pytest.mark.slow]
FOLDS, JUDGE_SHARE = 5, 250 / (6106 - 4876)
POOLED_FLOOR, FOLD_FLOOR, REACHED_FLOOR = 0.92, 0.91, 0.9


def test_top_dens_are_mostly_fraud_among_hidden_numbers() -> None:
    data = shared_data("sichuan_fraud_calls")
    links = load_links([data / "number_links.parquet"])
    labels = read_labels([data / "number_features_train.csv"])
    config = load_config(default_config_path("dens"), DensConfig)
    graph = den_graph(links, labels, load_config(default_config_path("call"), CallConfig), config)
    results = nested_precision(graph, links, labels, config, FOLDS, JUDGE_SHARE, seed=0)
    assert all(r.hidden_in_top >= REACHED_FLOOR * r.needed for r in results)
    pooled = sum(r.fraud_in_top for r in results) / sum(r.hidden_in_top for r in results)
    assert pooled >= POOLED_FLOOR
    assert min(r.precision for r in results) >= FOLD_FLOOR
