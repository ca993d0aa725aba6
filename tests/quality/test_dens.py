"""Den ranking on the real Sichuan links, judged on labels it did not see.

Each of 5 folds of the 4,876 labelled numbers is hidden in turn; dens are ranked with the other
labels and walked (5+ numbers each) until they hold 199 hidden numbers — the share of hidden
numbers the sealed judge asks for (250 of 1,230). Measured (benchmarks/dens_quality.py,
resolution 1.0): fraud share among those numbers 0.813 pooled (95 % CI 0.790-0.834), folds
0.762-0.913, against a base rate of 0.32. The issue's 0.95 is NOT reached; these floors guard
what is.
"""

from __future__ import annotations

import math

import pytest

from configs import default_config_path, load_config
from configs.call import CallConfig
from configs.dens import DensConfig
from tests.conftest import shared_data
from training.data.call_tables import load_links
from training.dens.build import den_graph, read_labels
from training.dens.evaluation import cross_validated_precision

pytestmark = [pytest.mark.realdata, pytest.mark.slow]
FOLDS, JUDGE_SHARE = 5, 250 / (6106 - 4876)
POOLED_FLOOR, FOLD_FLOOR = 0.78, 0.72


def test_top_dens_are_mostly_fraud_among_hidden_numbers() -> None:
    data = shared_data("sichuan_fraud_calls")
    links = load_links([data / "number_links.parquet"])
    labels = read_labels([data / "number_features_train.csv"])
    config = load_config(default_config_path("dens"), DensConfig)
    graph = den_graph(links, labels, load_config(default_config_path("call"), CallConfig), config)
    needed = math.ceil(JUDGE_SHARE * len(labels) / FOLDS)
    results = cross_validated_precision(graph, links, labels, config, FOLDS, needed, seed=0)
    assert all(r.hidden_in_top >= needed for r in results)
    pooled = sum(r.fraud_in_top for r in results) / sum(r.hidden_in_top for r in results)
    assert pooled >= POOLED_FLOOR
    assert min(r.precision for r in results) >= FOLD_FLOOR
