"""Call decisions explain themselves in distinct Chinese sentences (trained on demo CDR profiles)."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from configs.call import CallConfig, DemoCallsConfig
from configs.sms import LightGBMConfig, SplitConfig
from features.calls.featuriser import build_call_featuriser
from features.calls.profiles import build_profiles
from features.calls.reasons import CALL_REASON_TEMPLATES
from models.scam_model import ScamModel
from training.data.demo_calls import generate_demo_cdrs
from training.fit import fit_scam_model

CONFIG = CallConfig(
    split=SplitConfig(folds=3),
    lightgbm=LightGBMConfig(params={"learning_rate": 0.1, "num_leaves": 7, "min_data_in_leaf": 5, "num_threads": 1,
                                    "feature_fraction": 0.5},  # identical columns both get splits
                            num_boost_round=60, early_stopping_rounds=20),
    max_reasons=20,
)
IDENTIFIER = re.compile(r"[a-z]+_[a-z0-9_]+")


@pytest.fixture(scope="module")
def call_model_and_profiles() -> tuple[ScamModel, pd.DataFrame]:
    tables = generate_demo_cdrs(DemoCallsConfig(normal=120, delivery=20, sales=20, fraud=30, days=14), seed=3)
    profiles = build_profiles(tables["voc"], tables["sms"], tables["user"]).merge(tables["labels"])
    fit = fit_scam_model(profiles, kind="call", featuriser=build_call_featuriser(CONFIG), groups=profiles["phone_no_m"],
                         lightgbm=CONFIG.lightgbm, thresholds=CONFIG.thresholds, split=CONFIG.split,
                         reason_templates=CALL_REASON_TEMPLATES, max_reasons=CONFIG.max_reasons)
    return fit.model, profiles


def test_no_reason_twice_and_none_names_a_column(call_model_and_profiles) -> None:
    model, profiles = call_model_and_profiles
    assert {"voc_user_cnt", "user_cnt", "voc_cnt_per_user", "voc_user_mean_cnt"} <= set(model.feature_names)
    flagged = [d for d in model.decide(profiles) if d.action != "allow"]
    assert flagged and all(d.reasons for d in flagged)
    for decision in flagged:
        # user_cnt == voc_user_cnt and voc_cnt_per_user == voc_user_mean_cnt here: one sentence each
        assert len(set(decision.reasons)) == len(decision.reasons), decision.reasons
        assert not any(IDENTIFIER.search(r) for r in decision.reasons), decision.reasons



def test_profile_mappings_decide_as_the_frame_does(call_model_and_profiles) -> None:
    """Serving scores profiles from the store as mappings, without a frame: same scores, actions,
    reasons and watched values as a frame of the same profiles, columns absent from some
    profiles included, and a reason template naming a record's other column (as the den
    templates do) reads it from either."""
    model, profiles = call_model_and_profiles
    records = [{k: v for k, v in row.items() if not (k.endswith("_cnt") and i % 3 == 0)}
               for i, row in enumerate(profiles.to_dict("records"))]
    frame = pd.DataFrame.from_records(records)
    template = {"voc_user_cnt": "外呼对象 {value:.0f} 个（标签 {label:.0f}）"}
    templated = replace(model, reason_templates={**model.reason_templates, **template})
    for scorer in (model, templated):
        from_frame, from_records = scorer.decide(frame), scorer.decide(records)
        assert any(d.action != "allow" for d in from_frame)
        assert [replace(d, watched=()) for d in from_records] == [replace(d, watched=()) for d in from_frame]
        np.testing.assert_array_equal([d.watched for d in from_records], [d.watched for d in from_frame])
    assert any("（标签 1）" in reason for d in templated.decide(records) for reason in d.reasons)


def test_call_decisions_quote_nothing_and_are_explained_from_their_features_alone(call_model_and_profiles) -> None:
    """Only SMS cue reasons quote words: a call model keeps no text and says what its features say."""
    model, profiles = call_model_and_profiles
    scored = model.scored(profiles)
    assert scored.texts is None
    decisions = model.decide(profiles)
    flagged = np.array([i for i, d in enumerate(decisions) if d.action != "allow"])
    assert len(flagged)
    explained = model.explain_features(scored.features[flagged], profiles.iloc[flagged])
    assert [decisions[i].reasons for i in flagged] == explained
    assert not any("：“" in reason for reasons in explained for reason in reasons)
