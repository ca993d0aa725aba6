"""training/compare_call.py: nested comparison of call-model variants on identical rows, paired."""

from __future__ import annotations

import pytest

from configs.call import GraphConfig
from configs.evaluation import BootstrapConfig, EvaluationConfig
from features.graph.links import CallGraph
from tests.training.test_call_graph_model import CONFIG, numbers_and_links
from training.compare_call import Variant, _graph_for, compare, load_scores, nested_scores, save_scores

EVALUATION = EvaluationConfig(bootstrap=BootstrapConfig(resamples=200, seed=0))


@pytest.fixture(scope="module")
def compared() -> dict[str, dict]:
    frame, links = numbers_and_links()
    graph = CallGraph.from_links(links, frame.phone_no_m, CONFIG.graph)
    shallow = CONFIG.model_copy(update={"lightgbm": CONFIG.lightgbm.model_copy(update={"num_boost_round": 3})})
    variants = [Variant("shipped", None, CONFIG, graph=True), Variant("again", None, CONFIG, graph=True),
                Variant("shallow", None, shallow, graph=False)]
    scored = nested_scores(frame, graph, variants, outer_folds=4, seed=0, max_folds=1)
    return compare(scored, paired=[("again", "shipped"), ("shallow", "shipped")], evaluation=EVALUATION)


def test_the_same_config_twice_differs_by_exactly_zero(compared: dict[str, dict]) -> None:
    difference = compared["again − shipped"]
    assert difference["folds"] == 1
    assert all(value == 0.0 for value in difference["bootstrap"].values())
    assert difference["f1"]["per_fold"] == [0.0]


def test_a_pair_reports_per_fold_differences_and_a_bootstrap_interval(compared: dict[str, dict]) -> None:
    difference = compared["shallow − shipped"]
    per_fold = [a - b for a, b in zip(compared["shallow"]["roc_auc"]["per_fold"], compared["shipped"]["roc_auc"]["per_fold"], strict=True)]
    assert difference["roc_auc"]["per_fold"] == pytest.approx(per_fold, abs=2e-4)  # per_fold values are rounded to 4 places
    bounds = difference["bootstrap"]
    assert bounds["roc_auc"] == pytest.approx(difference["roc_auc"]["mean"])
    assert bounds["roc_auc_ci_low"] < bounds["roc_auc"] < bounds["roc_auc_ci_high"]
    assert bounds["roc_auc_ci_high"] < 0, "3 rounds of 7 leaves rank worse than 40: the interval sees it"


def test_a_variant_with_other_graph_settings_gets_its_own_view_of_the_graph() -> None:
    frame, links = numbers_and_links(60)
    graph = CallGraph.from_links(links, frame.phone_no_m, CONFIG.graph)
    assert _graph_for(Variant("same", None, CONFIG, graph=True), graph) is graph
    damped = CONFIG.model_copy(update={"graph": GraphConfig(pagerank_damping=0.5)})
    seen = _graph_for(Variant("damped", None, damped, graph=True), graph)
    assert seen.config.pagerank_damping == 0.5 and seen.graph is graph.graph


def test_saved_scores_pair_with_a_later_run_and_other_rows_are_refused(tmp_path) -> None:
    frame, links = numbers_and_links(150)
    graph = CallGraph.from_links(links, frame.phone_no_m, CONFIG.graph)
    done: list[int] = []
    shipped = nested_scores(frame, graph, [Variant("shipped", None, CONFIG, graph=False)], outer_folds=3, seed=0, max_folds=2,
                            fold_done=lambda so_far: done.append(len(so_far["shipped"])))
    assert done == [1, 2]  # partial results after each outer fold
    save_scores(shipped, tmp_path / "scores.json")
    reloaded = load_scores(tmp_path / "scores.json")
    later = nested_scores(frame, graph, [Variant("later", None, CONFIG, graph=False)], outer_folds=3, seed=0, max_folds=2)
    result = compare({**reloaded, **later}, paired=[("later", "shipped")], evaluation=EVALUATION)
    assert result["later − shipped"]["bootstrap"]["f1"] == 0.0  # same fit, scores read back exactly
    other_folds = nested_scores(frame, graph, [Variant("later", None, CONFIG, graph=False)], outer_folds=3, seed=1, max_folds=2)
    with pytest.raises(ValueError, match="same numbers"):
        compare({**reloaded, **other_folds}, paired=[("later", "shipped")], evaluation=EVALUATION)
