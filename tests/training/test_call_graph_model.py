"""Call model with extra tables and graph features: fitting, scoring, and label isolation.

Synthetic numbers (fraud ones call each other), small boosters: seconds, not minutes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from configs import default_config_path, load_config
from configs.call import CallConfig
from configs.sms import LightGBMConfig, SplitConfig
from features.graph.features import GRAPH_COLUMNS
from features.graph.links import CallGraph, LinkError
from training.data.call_tables import join_feature_tables, load_links
from training.data.cdr import CdrLoadError
from training.data.datasets import ready_for_model
from training.split import grouped_folds
from training.train_call import fit_call_model, graph_stage

CONFIG = CallConfig(
    features=load_config(default_config_path("call"), CallConfig).features,  # the shipped exclusions
    split=SplitConfig(folds=3, seed=0),
    lightgbm=LightGBMConfig(
        params={"num_leaves": 7, "min_child_samples": 5, "num_threads": 1}, num_boost_round=40, early_stopping_rounds=10
    ),
)


def numbers_and_links(n: int = 240, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    labels = (rng.random(n) < 0.3).astype(int)
    frame = pd.DataFrame({
        "phone_no_m": [f"p{i:04d}" for i in range(n)],
        "label": labels,
        "calls": rng.normal(labels * 1.0, 1.0),
        "arpu": rng.normal(50, 10, n),
    })
    fraud, normal = frame.phone_no_m[labels == 1].to_numpy(), frame.phone_no_m[labels == 0].to_numpy()
    pairs = [rng.choice(fraud, size=(n * 2, 2)), rng.choice(normal, size=(n, 2)), rng.choice(frame.phone_no_m, size=(n // 3, 2))]
    links = pd.DataFrame(np.vstack(pairs), columns=["phone_no_m", "linked_no_m"])
    return frame, links


@pytest.fixture(scope="module")
def fitted():
    frame, links = numbers_and_links()
    train, test = frame.iloc[:180].reset_index(drop=True), frame.iloc[180:].reset_index(drop=True)
    graph = CallGraph.from_links(links, frame.phone_no_m, CONFIG.graph)
    return fit_call_model(train, CONFIG, graph), test, links


def test_a_training_rows_own_label_never_reaches_its_den_member_score() -> None:
    """Stage two's training rows average den member scores of stage one refitted without their
    fold: flipping one row's label leaves every graph column of its fold's rows as it was. (The
    model's own stage-one scores of other folds' numbers come from boosters trained on that row.)"""
    frame, links = numbers_and_links()
    train = frame.iloc[:180].reset_index(drop=True)
    graph = CallGraph.from_links(links, frame.phone_no_m, CONFIG.graph)
    folds = list(grouped_folds(train["label"], train["phone_no_m"], CONFIG.split.folds, CONFIG.split.seed))
    own_fold = folds[0][1]
    flipped = train.copy()
    flipped.loc[own_fold[0], "label"] = 1 - flipped.loc[own_fold[0], "label"]
    before, after = (graph_stage(rows, CONFIG, graph, fit_call_model(rows, CONFIG).fit).fold_columns(folds) for rows in (train, flipped))
    assert before["graph_den_member_score"].notna().mean() > 0.9  # the column is filled, so the check means something
    pd.testing.assert_frame_equal(before.iloc[own_fold], after.iloc[own_fold])
    others = np.setdiff1d(np.arange(len(train)), own_fold)
    assert not np.allclose(before["graph_den_member_score"].iloc[others], after["graph_den_member_score"].iloc[others])


def test_graph_model_records_its_known_labels_and_uses_graph_columns(fitted) -> None:
    called, _, _ = fitted
    model = called.fit.model
    assert set(GRAPH_COLUMNS) - set(CONFIG.features.excluded_columns) <= set(model.feature_names)
    assert "graph_den_known_fraud" not in model.feature_names  # drifts between training and scoring
    assert called.data_report["graph_knowledge"]["known_numbers"] == 180
    assert called.data_report["graph_knowledge"]["sources"] == {"training": 180}
    assert model.graph.member_scores is not None and len(model.graph.member_scores) == 180


def test_shuffling_the_evaluated_files_labels_changes_no_score(fitted) -> None:
    called, test, links = fitted
    model = called.fit.model
    shuffled = test.assign(label=np.random.default_rng(1).permutation(test["label"].to_numpy()))
    flipped = test.assign(label=1 - test["label"])
    scores = [model.score(ready_for_model(model, frame, links, evaluation=True)[0]) for frame in (test, shuffled, flipped)]
    np.testing.assert_array_equal(scores[0], scores[1])
    np.testing.assert_array_equal(scores[0], scores[2])


def graph_columns(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[list(GRAPH_COLUMNS)].reset_index(drop=True)


def test_scored_numbers_keep_their_graph_features_whatever_else_is_in_the_batch(fitted) -> None:
    """``predict`` and ``profiles build`` over a carrier's numbers include the known fraud ones:
    they must not hide those labels from the other numbers (which once left a batch of every
    number with no labelled neighbour at all). A number scored alone, in a batch of the unknown
    numbers, or beside every known number gets the same graph columns."""
    called, test, links = fitted
    model = called.fit.model
    every_number, _ = numbers_and_links()  # the 180 known (training) numbers and the 60 test ones
    alone = pd.concat([graph_columns(ready_for_model(model, test.iloc[[i]], links, evaluation=False)[0]) for i in range(5)])
    batch = graph_columns(ready_for_model(model, test, links, evaluation=False)[0])
    everyone = ready_for_model(model, every_number.drop(columns="label"), links, evaluation=False)[0]
    beside_known = graph_columns(everyone[everyone.phone_no_m.isin(test.phone_no_m)])
    pd.testing.assert_frame_equal(alone.reset_index(drop=True), batch.iloc[:5])
    pd.testing.assert_frame_equal(beside_known, batch)
    assert batch["graph_labelled_neighbours"].gt(0).mean() > 0.9  # the known neighbours are seen


def test_a_known_numbers_own_label_never_reaches_its_scored_features(fitted) -> None:
    """Scoring a known number hides its own fold of the known set (as training did): flipping its
    label changes nothing of its own columns, while a neighbour that is not known sees the flip."""
    import dataclasses

    called, test, links = fitted
    knowledge = called.fit.model.graph
    number = knowledge.known.index[0]
    flipped = dataclasses.replace(knowledge, known=knowledge.known.where(knowledge.known.index != number, 1 - knowledge.known[number]))
    frame = pd.concat([pd.DataFrame({"phone_no_m": [number]}), test[["phone_no_m"]]], ignore_index=True)
    model = called.fit.model
    before = graph_columns(ready_for_model(model, frame, links, evaluation=False)[0])
    after = graph_columns(ready_for_model(dataclasses.replace(model, graph=flipped), frame, links, evaluation=False)[0])
    pd.testing.assert_frame_equal(before.iloc[:1], after.iloc[:1])
    assert not before.iloc[1:].equals(after.iloc[1:])


def test_evaluation_hides_every_number_of_the_evaluated_file(fitted) -> None:
    """``evaluate`` on a file holding known numbers: none of their labels reaches any row, so
    every row is seen as if the file's numbers were unknown."""
    import dataclasses

    called, test, links = fitted
    model = called.fit.model
    train, _ = numbers_and_links()
    evaluated = pd.concat([train.iloc[:60], test])
    seen = graph_columns(ready_for_model(model, evaluated, links, evaluation=True)[0])
    knowledge = model.graph
    unknown = dataclasses.replace(knowledge, known=knowledge.known.drop(train.phone_no_m.iloc[:60]))
    expected = graph_columns(ready_for_model(dataclasses.replace(model, graph=unknown), evaluated, links, evaluation=False)[0])
    pd.testing.assert_frame_equal(seen, expected)


def test_graph_features_help_on_held_out_numbers(fitted) -> None:
    called, test, links = fitted
    model = called.fit.model
    with_links, _ = ready_for_model(model, test, links, evaluation=True)
    without = model.score(test)  # graph columns absent: scored as unknown
    y = test["label"].to_numpy()
    from sklearn.metrics import roc_auc_score

    assert roc_auc_score(y, model.score(with_links)) > roc_auc_score(y, without)


def test_missing_trained_columns_are_named_not_silently_nan(fitted) -> None:
    called, test, links = fitted
    frame, notes = ready_for_model(called.fit.model, test.drop(columns=["arpu"]), links, evaluation=False)
    assert notes["missing_columns"] == ["arpu"]
    assert notes["links"]["links_kept"] > 0
    _, notes = ready_for_model(called.fit.model, test, None, evaluation=False)
    assert set(notes["missing_columns"]) == set(GRAPH_COLUMNS) - set(CONFIG.features.excluded_columns)


def test_links_for_a_model_without_graph_features_is_a_clear_error(fitted) -> None:
    _, test, links = fitted
    train, _ = numbers_and_links(90, seed=3)
    plain = fit_call_model(train, CONFIG).fit.model
    assert plain.graph is None
    with pytest.raises(ValueError, match="without graph features"):
        ready_for_model(plain, test, links, evaluation=False)


def test_extra_tables_join_on_the_number_and_refuse_clashes_and_strangers(tmp_path: Path) -> None:
    frame = pd.DataFrame({"phone_no_m": ["a", "b", "c"], "label": [1, 0, 0], "calls": [1, 2, 3]})
    extra = tmp_path / "extra.csv"
    pd.DataFrame({"phone_no_m": ["a", "b", "z"], "hours": [5, 6, 7]}).to_csv(extra, index=False)
    joined, reports = join_feature_tables(frame, [extra])
    assert joined["hours"].tolist()[:2] == [5, 6] and np.isnan(joined["hours"].iloc[2])
    assert reports[0]["numbers_missing"] == 1
    clash = tmp_path / "clash.csv"
    pd.DataFrame({"phone_no_m": ["a"], "calls": [9]}).to_csv(clash, index=False)
    with pytest.raises(CdrLoadError, match="already present"):
        join_feature_tables(frame, [clash])
    strangers = tmp_path / "strangers.csv"
    pd.DataFrame({"phone_no_m": ["x", "y"], "hours": [1, 2]}).to_csv(strangers, index=False)
    with pytest.raises(CdrLoadError, match="shares no phone_no_m"):
        join_feature_tables(frame, [strangers])


def test_absent_or_unreadable_links_file_is_a_link_error(tmp_path: Path) -> None:
    with pytest.raises(LinkError, match="no such links file"):
        load_links([tmp_path / "absent.parquet"])
    broken = tmp_path / "broken.parquet"
    broken.write_text("not parquet")
    with pytest.raises(LinkError, match="cannot read"):
        load_links([broken])


def test_flagged_numbers_get_chinese_graph_reasons_naming_the_den(fitted) -> None:
    import dataclasses
    import re

    from features.reasons import render_reason

    called, test, links = fitted
    model = dataclasses.replace(called.fit.model, max_reasons=len(called.fit.model.feature_names))
    frame, _ = ready_for_model(model, test, links, evaluation=False)
    reasons = [r for decision in model.decide(frame) for r in decision.reasons]
    assert any("已确认诈骗" in r for r in reasons), reasons[:10]  # graph evidence is given as reasons
    assert not any(r.startswith("graph_") for r in reasons)  # every graph feature reads as a sentence
    # The den's known-fraud count is not a model input (it drifts) but still fills the den sentence.
    assert "graph_den_known_fraud" not in model.feature_names
    row = frame.iloc[0].to_dict()
    sentence = render_reason("graph_den_fraud_share", row["graph_den_fraud_share"], model.reason_templates, row)
    assert re.fullmatch(r"同一窝点 \d+ 个号码，其中 \d+ 个已确认诈骗", sentence), sentence
