"""Issue #12: the fold bag merged into one booster predicts exactly what the bag predicts."""

from __future__ import annotations

import pickle

import lightgbm as lgb
import numpy as np
import pytest

from configs.sms import ServeConfig
from models.ensemble import BoosterBag
from models.merge import merge_boosters, stack_multiclass
from models.scam_model import MulticlassHead, ScamModel
from tests.conftest import shared_data
from training.data.demo_sms import generate_demo_sms
from training.data.sms.load import load_labelled
from training.fit import FitResult
from training.train import fit_sms

from .conftest import SMALL_SMS_CONFIG

EXACT = 1e-9


def _mean_contributions(boosters: list[lgb.Booster], rounds: list[int], features) -> np.ndarray:
    return np.mean([b.predict(features, pred_contrib=True, num_iteration=n) for b, n in zip(boosters, rounds, strict=True)], axis=0)


def _assert_merged_equals_mean(boosters: list[lgb.Booster], rounds: list[int], features) -> lgb.Booster:
    """The merged booster's raw margin and contributions equal the members' means (each member at
    its own rounds), column for column (contributions include the bias column). Dense rows: LightGBM
    returns sparse multiclass contributions as one matrix per class."""
    features = features.toarray()
    merged = merge_boosters(boosters, rounds)
    bag_margin = np.mean([b.predict(features, raw_score=True, num_iteration=n) for b, n in zip(boosters, rounds, strict=True)], axis=0)
    np.testing.assert_allclose(merged.predict(features, raw_score=True), bag_margin, rtol=0, atol=EXACT)
    merged_contrib = merged.predict(features, pred_contrib=True)
    bag_contrib = _mean_contributions(boosters, rounds, features)
    assert merged_contrib.shape == bag_contrib.shape
    np.testing.assert_allclose(merged_contrib, bag_contrib, rtol=0, atol=EXACT)
    return merged


def test_merged_binary_booster_predicts_the_bag_margin_and_contributions(demo_fit: FitResult, demo_frame) -> None:
    bag = demo_fit.fold_boosters.binary
    features = demo_fit.model.featuriser.transform(demo_frame.head(200))
    assert len(set(bag.rounds)) > 1, "members stopped at different rounds: the test must cover truncation"
    _assert_merged_equals_mean(bag.boosters, bag.rounds, features)


def test_merged_multiclass_booster_predicts_the_bag_raw_margins(demo_fit: FitResult, demo_frame) -> None:
    boosters = demo_fit.fold_boosters.fraud_type
    rounds = BoosterBag(boosters).rounds
    features = demo_fit.model.featuriser.transform(demo_frame.head(200))
    merged = _assert_merged_equals_mean(boosters, rounds, features)
    assert merged.num_model_per_iteration() == boosters[0].num_model_per_iteration() > 2


@pytest.mark.parametrize("head", ["fraud_type", "category"])
def test_stacked_multiclass_head_predicts_the_bag_probabilities(demo_fit: FitResult, demo_frame, head: str) -> None:
    """A head averages its members' probabilities (not margins): the stacked booster serves exactly
    that, in one call."""
    boosters = getattr(demo_fit.fold_boosters, head)
    classes = getattr(demo_fit.model, f"{head}_head").classes
    rounds = [max(1, n - 3 * i) for i, n in enumerate(BoosterBag(boosters).rounds)]  # unequal: padding is exercised
    assert len(set(rounds)) > 1
    stacked = MulticlassHead([stack_multiclass(boosters, rounds)], classes, stacked_members=len(boosters))
    truncated = [lgb.Booster(model_str=b.model_to_string(num_iteration=n)) for b, n in zip(boosters, rounds, strict=True)]
    features = demo_fit.model.featuriser.transform(demo_frame.head(200))
    np.testing.assert_allclose(stacked.proba(features), MulticlassHead(truncated, classes).proba(features), rtol=0, atol=EXACT)


def test_merged_model_serves_exactly_the_bag(demo_fit: FitResult) -> None:
    """``FitResult.merged_model()``, what benchmarks/model_predict.py times as "merged"."""
    _assert_serves_the_bag(demo_fit.merged_model(), demo_fit.cross_fitted_model(), generate_demo_sms(n=200, seed=7))


def test_merged_model_pickles_and_reloads(demo_fit: FitResult) -> None:
    """The merged booster and the stacked heads survive the pickle a registered model is stored as."""
    merged = demo_fit.merged_model()
    rows = generate_demo_sms(n=50, seed=7)
    _assert_serves_the_bag(pickle.loads(pickle.dumps(merged)), merged, rows)


def test_boosters_of_different_inputs_are_refused(demo_fit: FitResult) -> None:
    binary, category = demo_fit.fold_boosters.binary.boosters[0], demo_fit.fold_boosters.category[0]
    with pytest.raises(ValueError, match="differs from booster 0 in num_class"):
        merge_boosters([binary, category], [1, 1])


def test_one_round_count_per_booster_is_required(demo_fit: FitResult) -> None:
    with pytest.raises(ValueError, match="one round count per booster"):
        merge_boosters(demo_fit.fold_boosters.binary.boosters, [1])


def _merged_fit(frame) -> FitResult:
    config = SMALL_SMS_CONFIG.model_copy(update={"serve": ServeConfig(booster="merged")})
    return fit_sms(frame, config)


def _assert_serves_the_bag(model: ScamModel, bag: ScamModel, rows) -> None:
    """One booster per head, and the same scores, reasons, categories and fraud scores as the bag."""
    heads = [h for h in (model.booster, model.fraud_type_head, model.category_head) if h is not None]
    assert [len(h.boosters) for h in heads] == [1] * len(heads)
    # float64 rows: LightGBM returns sparse contributions in the input's dtype, and float32 outputs
    # would differ by their own rounding (about 1e-7 relative), in the bag as much as merged.
    features = model.features(rows).astype(np.float64)
    np.testing.assert_allclose(model.booster.raw_margin(features), bag.booster.raw_margin(features), rtol=0, atol=EXACT)
    np.testing.assert_allclose(model.booster.contributions(features).toarray(), bag.booster.contributions(features).toarray(), rtol=0, atol=EXACT)
    got, expected = model.decide(rows), bag.decide(rows)
    for field in ("score", "fraud_score", "fraud_type_score"):
        pairs = [(getattr(g, field), getattr(e, field)) for g, e in zip(got, expected, strict=True)]
        assert all((g is None) == (e is None) for g, e in pairs)
        known = [(g, e) for g, e in pairs if e is not None]
        if known:
            np.testing.assert_allclose(*zip(*known, strict=True), rtol=0, atol=EXACT)
    assert [(g.action, g.reasons, g.category, g.fraud_type) for g in got] == [(e.action, e.reasons, e.category, e.fraud_type) for e in expected]


def test_serve_merged_fit_serves_exactly_the_bag_on_demo_data(demo_frame) -> None:
    fit = _merged_fit(demo_frame)
    _assert_serves_the_bag(fit.model, fit.cross_fitted_model(), generate_demo_sms(n=200, seed=7))


def test_serve_merged_fit_serves_exactly_the_bag_on_mudou() -> None:
    """Real messages (a few hundred mudou rows, the small config): fold boosters with per-fold
    chi² column masks still merge exactly."""
    frame = load_labelled([shared_data("mudou_spam", "mudou_spam.train")], dedupe=True).frame
    frame = frame.sample(n=700, random_state=0).reset_index(drop=True)
    fit = _merged_fit(frame.iloc[:500])
    _assert_serves_the_bag(fit.model, fit.cross_fitted_model(), frame.iloc[500:].reset_index(drop=True))
