"""Issue #12: a fitted SMS model serves one refitted booster per head, not the fold bag."""

from __future__ import annotations

from training.data.demo_sms import generate_demo_sms
from training.fit import FitResult

from .conftest import SMALL_SMS_CONFIG


def test_every_head_serves_one_booster_while_the_fold_boosters_stay_comparable(demo_fit: FitResult) -> None:
    model, bag = demo_fit.model, demo_fit.cross_fitted_model()
    folds = SMALL_SMS_CONFIG.split.folds
    served = (model.booster.boosters, model.fraud_type_head.boosters, model.category_head.boosters)
    assert [len(boosters) for boosters in served] == [1, 1, 1]
    kept = (bag.booster.boosters, bag.fraud_type_head.boosters, bag.category_head.boosters)
    assert [len(boosters) for boosters in kept] == [folds] * 3
    assert (bag.calibrator, bag.thresholds, bag.fraud_thresholds) == (model.calibrator, model.thresholds, model.fraud_thresholds)


def test_refit_and_bag_rank_fresh_messages_alike(demo_fit: FitResult) -> None:
    """Same training rows, same rounds on average: on messages neither saw they flag nearly the
    same rows (the real-data comparison with intervals is benchmarks/quality.py --serve)."""
    fresh = generate_demo_sms(n=400, seed=7)
    refit, bag = demo_fit.model.decide(fresh, explain=False), demo_fit.cross_fitted_model().decide(fresh, explain=False)
    agree = sum(r.action == b.action for r, b in zip(refit, bag, strict=True)) / len(fresh)
    assert agree >= 0.95
