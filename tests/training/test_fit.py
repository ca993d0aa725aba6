"""training/fit.py: no out-of-fold score comes from a booster that touched its row.

A spy featuriser exposes each row's position as column 0, so the rows every booster trained
and early-stopped on can be read back from what LightGBM was given: the binary booster's and
the category and fraud-type heads' alike (their out-of-fold probabilities set fraud_score's
thresholds and the heads' figures).
"""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.metrics import roc_auc_score

import training.fit as fit_module
from configs.sms import CategoryConfig, FraudTypeConfig, LightGBMConfig, ServeConfig, SplitConfig, ThresholdConfig
from training.data.sms.dedupe import WEIGHT_COLUMN
from training.split import grouped_folds

SPLIT = SplitConfig(folds=3, seed=0)
COLUMNS = ["row", "signal", "noise"]
SMALL_LIGHTGBM = LightGBMConfig(num_boost_round=30, early_stopping_rounds=5, params={"num_threads": 1, "min_data_in_leaf": 5})
HEADS = {
    "fraud_type": FraudTypeConfig(lightgbm=SMALL_LIGHTGBM),
    "category": CategoryConfig(min_examples_per_type=5, lightgbm=SMALL_LIGHTGBM),
}


class RowFeaturiser(TransformerMixin, BaseEstimator):
    """Columns: row position, a label-related signal, noise; ``masks`` stand in for supervised
    selection, ``head_only`` for the category scores only the multiclass heads may read."""

    def __init__(self, masks: list[np.ndarray] | None = None, head_only: np.ndarray | None = None) -> None:
        self.masks = masks
        self.head_only = head_only

    def fit(self, frame: pd.DataFrame, y=None, folds=None) -> RowFeaturiser:
        self.fold_column_masks_ = self.masks
        self.head_only_columns_ = self.head_only
        return self

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        return frame[COLUMNS].to_numpy(dtype=float)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.array(COLUMNS, dtype=object)


def _frame(n_groups: int = 90, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """Duplicate pairs (a group shares its label), signal that separates the classes imperfectly;
    unwanted groups alternate spam and fraud, fraud groups two fraud types."""
    rng = np.random.default_rng(seed)
    group = np.repeat(np.arange(n_groups), 2)
    labels = (group % 3 == 0).astype(int)
    fraud = labels.astype(bool) & (group % 2 == 0)
    police = fraud & (group % 4 == 0)
    frame = pd.DataFrame({
        "row": np.arange(2 * n_groups, dtype=float),
        "signal": labels + fraud + police + rng.normal(0, 0.5, 2 * n_groups),
        "noise": rng.normal(0, 1, 2 * n_groups),
        "label": labels,
        "category": np.where(fraud, "fraud", np.where(labels == 1, "spam", "ham")),
        "fraud_type": np.where(fraud, np.where(police, "冒充公检法", "刷单返利"), None),
    })
    return frame, pd.Series(group)


def _fit(
    monkeypatch, featuriser: RowFeaturiser, serve: ServeConfig | None = None, refits: list | None = None,
    lightgbm: LightGBMConfig = SMALL_LIGHTGBM, heads: dict | None = None, refitted: list | None = None,
) -> tuple[list[tuple[np.ndarray, np.ndarray]], fit_module.FitResult, list]:
    """Fit with spies: ``calls`` gets each fold booster's (fit rows, early-stopping rows), ``refits``
    each fixed-rounds booster's (rows, rounds) and ``refitted`` the booster itself; ``heads`` adds
    the multiclass heads (``HEADS``)."""
    calls = []
    train_booster, refit_booster = fit_module._train_booster, fit_module._refit_booster

    def spy(cfg, x_train, y_train, x_valid, y_valid, *args, **kwargs):
        calls.append((x_train[:, 0].astype(int), x_valid[:, 0].astype(int)))
        return train_booster(cfg, x_train, y_train, x_valid, y_valid, *args, **kwargs)

    def refit_spy(cfg, x, y, rounds, *args, **kwargs):
        (refits if refits is not None else []).append((x[:, 0].astype(int), rounds))
        booster = refit_booster(cfg, x, y, rounds, *args, **kwargs)
        (refitted if refitted is not None else []).append(booster)
        return booster

    monkeypatch.setattr(fit_module, "_train_booster", spy)
    monkeypatch.setattr(fit_module, "_refit_booster", refit_spy)
    frame, groups = _frame()
    result = fit_module.fit_scam_model(
        frame, kind="call", featuriser=featuriser, groups=groups, split=SPLIT, thresholds=ThresholdConfig(), serve=serve,
        lightgbm=lightgbm, **(heads or {}),
    )
    return calls, result, list(grouped_folds(frame["label"], groups, SPLIT.folds, SPLIT.seed))


def test_boosters_early_stop_inside_their_training_part(monkeypatch: pytest.MonkeyPatch) -> None:
    calls, _, folds = _fit(monkeypatch, RowFeaturiser())
    _, groups = _frame()
    assert len(calls) == len(folds)
    for (train, held), (fitted, stopped) in zip(folds, calls, strict=False):
        assert len(stopped) > 0
        assert not set(stopped) & set(held), "early stopping saw the rows its out-of-fold scores come from"
        assert set(fitted) | set(stopped) <= set(train)
        assert not set(groups[fitted]) & set(groups[stopped]), "a duplicate crosses the early-stopping split"


def test_heads_early_stop_inside_their_training_part_on_the_binary_boosters_split(monkeypatch: pytest.MonkeyPatch) -> None:
    """Calls come binary folds, then fraud-type folds, then category folds; each head's
    early-stopping rows are its named rows of the binary booster's early-stopping rows."""
    calls, result, folds = _fit(monkeypatch, RowFeaturiser(), heads=HEADS)
    frame, _ = _frame()
    assert len(calls) == 3 * len(folds)
    assert result.model.fraud_type_head is not None and result.model.category_head is not None
    named = {"fraud_type": frame["fraud_type"].notna().to_numpy(), "category": np.ones(len(frame), dtype=bool)}
    for head_number, head in enumerate(named, start=1):
        for k, (train, held) in enumerate(folds):
            binary_fitted, binary_stopped = calls[k]
            fitted, stopped = calls[head_number * len(folds) + k]
            assert len(stopped) > 0
            assert not set(stopped) & set(held), f"{head} head early-stopped on fold {k}'s held-out rows"
            assert set(fitted) | set(stopped) <= set(train)
            assert set(stopped) == set(binary_stopped[named[head][binary_stopped]])
            assert set(fitted) == set(binary_fitted[named[head][binary_fitted]])


def test_each_head_fold_is_retrained_on_its_whole_training_part_for_the_rounds_its_split_chose(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The inner split only chooses the rounds: the fold's head then learns from all its named
    training rows (a fifth fewer rows cost real fraud-type accuracy), still none held out."""
    refits: list = []
    calls, result, folds = _fit(monkeypatch, RowFeaturiser(), ServeConfig(booster="merged"), refits=refits, heads=HEADS)
    head_folds = [*result.fold_boosters.fraud_type, *result.fold_boosters.category]
    assert len(refits) == len(head_folds) == 2 * len(folds)  # merged: no refit of a whole head
    for k, ((rows, rounds), booster) in enumerate(zip(refits, head_folds, strict=True)):
        fitted, stopped = calls[len(folds) + k]
        held = folds[k % len(folds)][1]
        assert set(rows) == set(fitted) | set(stopped) and not set(rows) & set(held)
        assert booster.current_iteration() == rounds


def test_each_booster_uses_only_its_folds_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fold 0 may not use "signal" (as if selection had needed fold 0's held-out labels to pick it)."""
    masks = [np.array([True, False, True]), *[np.ones(3, dtype=bool)] * (SPLIT.folds - 1)]
    _, result, _ = _fit(monkeypatch, RowFeaturiser(masks), heads=HEADS)
    folds = result.fold_boosters
    for head, boosters in {"binary": folds.binary.boosters, "fraud_type": folds.fraud_type, "category": folds.category}.items():
        gains = [booster.feature_importance("gain") for booster in boosters]
        assert gains[0][COLUMNS.index("signal")] == 0, f"{head} fold 0 split on a column chosen with its held-out labels"
        assert all(gain[COLUMNS.index("signal")] > 0 for gain in gains[1:]), head


def test_head_only_columns_reach_the_heads_and_never_the_binary_booster(monkeypatch: pytest.MonkeyPatch) -> None:
    _, result, _ = _fit(monkeypatch, RowFeaturiser(head_only=np.array([False, True, False])), heads=HEADS)
    folds = result.fold_boosters
    signal = COLUMNS.index("signal")
    assert all(booster.feature_importance("gain")[signal] == 0 for booster in folds.binary.boosters)
    assert all(booster.feature_importance("gain")[signal] > 0 for booster in [*folds.category, *folds.fraud_type])


def test_served_rounds_are_the_configured_quantile_of_the_fold_rounds() -> None:
    spread = [22, 90, 100, 400, 1038]  # UCI-like: one fold stops early, one runs long
    assert fit_module.served_rounds(spread, ServeConfig()) == 100
    assert fit_module.served_rounds(spread, ServeConfig(rounds_quantile=1.0)) == 1038
    assert fit_module.served_rounds(spread, ServeConfig(rounds_scale=1.25)) == 125
    assert fit_module.served_rounds([1, 1, 1], ServeConfig(rounds_scale=0.1)) == 1


def test_refit_serves_one_booster_fitted_on_every_row_for_the_folds_median_rounds(monkeypatch: pytest.MonkeyPatch) -> None:
    refits: list = []
    _, result, _ = _fit(monkeypatch, RowFeaturiser(), refits=refits)
    folds = result.fold_boosters.binary
    assert len(folds.boosters) == SPLIT.folds
    assert len(refits) == 1
    rows, rounds = refits[0]
    assert sorted(rows) == list(range(len(_frame()[0]))), "the refit must see every training row"
    assert rounds == int(np.median(folds.best_iterations))
    assert result.model.booster.rounds == [rounds]
    assert result.metrics["served_member_rounds"] == [rounds]


def test_served_member_rounds_of_a_merged_model_are_its_members_not_their_sum(monkeypatch: pytest.MonkeyPatch) -> None:
    _, result, _ = _fit(monkeypatch, RowFeaturiser(), ServeConfig(booster="merged"))
    members = result.fold_boosters.binary.rounds
    assert len(set(members)) > 1, "members stopped at different rounds: a sum would differ from each"
    assert result.metrics["served_member_rounds"] == members
    assert result.model.booster.rounds == [sum(members)]  # the one merged booster holds every member's trees


def test_refit_and_bag_share_calibration_and_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both come from the early-stopped fold boosters' out-of-fold scores, whatever is served
    (``calibrate: early_stopped``, the default: what every model fitted before that setting did)."""
    assert ServeConfig().calibrate == "early_stopped"
    _, refit, _ = _fit(monkeypatch, RowFeaturiser())
    _, bag, _ = _fit(monkeypatch, RowFeaturiser(), ServeConfig(booster="bag"))
    assert len(bag.model.booster.boosters) == SPLIT.folds
    assert refit.model.calibrator == bag.model.calibrator
    assert refit.model.thresholds == bag.model.thresholds
    np.testing.assert_array_equal(refit.oof_scores, bag.oof_scores)
    frame = _frame()[0]
    np.testing.assert_allclose(refit.cross_fitted_model().score(frame), bag.model.score(frame))


def test_fixed_rounds_calibrates_a_refit_on_fold_boosters_trained_as_the_refit_is(monkeypatch: pytest.MonkeyPatch) -> None:
    """``calibrate: fixed_rounds``: each fold's booster is retrained without early stopping for the
    refit's rounds on its whole training part (fit and stop rows, its own columns), and Platt and the
    thresholds are fitted on those boosters' held-out margins. The early-stopped fold boosters stay the
    fit's fold boosters, and the served refit is the default's."""
    masks = [np.array([True, False, True]), *[np.ones(3, dtype=bool)] * (SPLIT.folds - 1)]
    refits, refitted = [], []
    serve = ServeConfig(booster="refit", calibrate="fixed_rounds")
    _, default, _ = _fit(monkeypatch, RowFeaturiser(masks))  # first: a later _fit's spies wrap this one's
    calls, result, folds = _fit(monkeypatch, RowFeaturiser(masks), serve, refits=refits, refitted=refitted)
    rounds = fit_module.served_rounds(result.fold_boosters.binary.best_iterations, serve)
    assert len(refits) == 1 + SPLIT.folds  # the served refit, then one per fold
    frame = _frame()[0]
    features = frame[COLUMNS].to_numpy(dtype=float)
    margins = np.zeros(len(frame))
    for (train, held), (fitted, stopped), (rows, fold_rounds), booster in zip(folds, calls, refits[1:], refitted[1:], strict=True):
        assert sorted(rows) == sorted({*fitted, *stopped}) and set(rows) <= set(train)
        assert fold_rounds == rounds and booster.current_iteration() == booster.num_trees() == rounds
        margins[held] = booster.predict(features[held], raw_score=True)
    assert refitted[1].feature_importance("gain")[COLUMNS.index("signal")] == 0, "fold 0 split on a column it may not use"
    assert result.model.calibrator == fit_module._fit_platt(margins, frame["label"].to_numpy())
    np.testing.assert_allclose(result.oof_scores, result.model.calibrator(margins))
    assert result.model.thresholds == fit_module._thresholds_at_fpr(result.oof_scores, frame["label"].to_numpy(), ThresholdConfig())
    assert result.model.calibrator != default.model.calibrator
    assert result.fold_boosters.binary.best_iterations == default.fold_boosters.binary.best_iterations
    np.testing.assert_array_equal(result.model.booster.raw_margin(features), default.model.booster.raw_margin(features))


def test_fraud_type_head_refit_serves_that_head_alone_as_one_booster(monkeypatch: pytest.MonkeyPatch) -> None:
    """``fraud_type: {booster: refit}`` beside ``serve: {booster: merged}``: the fraud-type head is one booster
    of about rounds × types trees (not × folds) fitted on every typed row, and its rows are
    probability distributions; the unwanted score and the category head stay merged."""
    refits: list = []
    serve = ServeConfig(booster="merged")
    heads = {**HEADS, "fraud_type": HEADS["fraud_type"].model_copy(update={"booster": "refit"})}
    _, result, _ = _fit(monkeypatch, RowFeaturiser(), serve, refits=refits, heads=heads)
    frame = _frame()[0]
    head = result.model.fraud_type_head
    (booster,) = head.boosters
    assert len(refits) == 2 * SPLIT.folds + 1  # both multiclass heads refit their folds; of whole heads, this one only
    rows, rounds = refits[SPLIT.folds]  # after its fold refits, before the category head's
    assert set(rows) == set(np.flatnonzero(frame["fraud_type"].notna()))
    assert head.stacked_members == 1 and booster.num_trees() == rounds * len(head.classes)
    fold_rounds = [fold.current_iteration() for fold in result.fold_boosters.fraud_type]
    assert rounds == fit_module.served_rounds(fold_rounds, serve)
    proba = head.proba(frame[COLUMNS].to_numpy(dtype=float))
    assert proba.shape == (len(frame), len(head.classes)) and (proba >= 0).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert result.model.category_head.stacked_members == SPLIT.folds
    assert result.model.booster.rounds == [sum(result.fold_boosters.binary.rounds)]


def test_fraud_type_head_booster_unset_serves_that_head_as_serve_says(monkeypatch: pytest.MonkeyPatch) -> None:
    _, result, _ = _fit(monkeypatch, RowFeaturiser(), ServeConfig(booster="merged"), heads=HEADS)
    assert result.model.fraud_type_head.stacked_members == SPLIT.folds


class WeighingRowFeaturiser(RowFeaturiser):
    """:class:`RowFeaturiser` that accepts, and records, the sample weights the fit hands it."""

    def fit(self, frame: pd.DataFrame, y=None, folds=None, sample_weight=None) -> WeighingRowFeaturiser:
        self.sample_weight_ = sample_weight
        return super().fit(frame, y, folds)


@pytest.mark.parametrize("calibrate, fixed_round_folds", [("early_stopped", 0), ("fixed_rounds", SPLIT.folds)])
def test_row_weights_reach_the_featuriser_every_booster_and_the_calibrator(
    monkeypatch: pytest.MonkeyPatch, calibrate: str, fixed_round_folds: int,
) -> None:
    """``duplicates: {policy: weight}`` puts a weight column on the frame: every LightGBM dataset
    (binary and head boosters, their early-stopping sets and refits, the folds trained as the refit
    is) and the Platt fit must weigh each row by it, a row without one (the demo mix) counting once;
    dropping them anywhere fails here."""
    frame, groups = _frame()
    expected = 1 + np.log(1 + frame["row"].to_numpy() % 4)
    expected[::7] = 1.0
    frame[WEIGHT_COLUMN] = np.where(np.arange(len(frame)) % 7 == 0, np.nan, expected)
    datasets: list[tuple[np.ndarray, np.ndarray | None]] = []

    class SpyDataset(lgb.Dataset):
        def __init__(self, data, label=None, *args, weight=None, **kwargs) -> None:
            datasets.append((np.asarray(data)[:, 0].astype(int), weight))
            super().__init__(data, label, *args, weight=weight, **kwargs)

    platt: list = []
    fit_platt = fit_module._fit_platt
    monkeypatch.setattr(fit_module.lgb, "Dataset", SpyDataset)
    monkeypatch.setattr(fit_module, "_fit_platt", lambda margins, y, weights=None: platt.append(weights) or fit_platt(margins, y, weights))
    featuriser = WeighingRowFeaturiser()
    fit_module.fit_scam_model(frame, kind="sms", featuriser=featuriser, groups=groups, split=SPLIT,
                              thresholds=ThresholdConfig(), serve=ServeConfig(booster="refit", calibrate=calibrate),
                              lightgbm=SMALL_LIGHTGBM, **HEADS)
    assert featuriser.sample_weight_ == pytest.approx(expected)
    # per head: a train and an early-stopping set per fold; the heads refit each fold; each head one served refit
    assert len(datasets) == 3 * (2 * SPLIT.folds) + 2 * SPLIT.folds + 3 + fixed_round_folds
    for rows, weight in datasets:
        assert weight is not None and weight == pytest.approx(expected[rows])
    assert len(platt) == 1 and platt[0] == pytest.approx(expected)


def test_a_frame_without_weights_fits_unweighted(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped ``drop`` policy adds no weight column: nothing is weighted, so its models stay as they were."""
    weights: list = []

    class SpyDataset(lgb.Dataset):
        def __init__(self, data, label=None, *args, weight=None, **kwargs) -> None:
            weights.append(weight)
            super().__init__(data, label, *args, weight=weight, **kwargs)

    monkeypatch.setattr(fit_module.lgb, "Dataset", SpyDataset)
    _fit(monkeypatch, RowFeaturiser())
    assert weights and all(weight is None for weight in weights)


def test_fold_excluded_scores_of_a_fold_never_depend_on_its_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    """Den member scores of fold k's rows (the call graph) must not carry fold k's labels: fold k's
    series is NaN on fold k and unchanged when every label of fold k is flipped (other folds'
    series do change: their boosters trained on fold k), from one booster per pair of folds."""
    boosters = []
    train_booster = fit_module._train_booster

    def spy(*args, **kwargs):
        boosters.append(train_booster(*args, **kwargs))
        return boosters[-1]

    monkeypatch.setattr(fit_module, "_train_booster", spy)
    frame, groups = _frame()
    folds = list(grouped_folds(frame["label"], groups, SPLIT.folds, SPLIT.seed))
    features, y = frame[COLUMNS].to_numpy(dtype=float), frame["label"].to_numpy()
    flipped = y.copy()
    flipped[folds[0][1]] = 1 - flipped[folds[0][1]]
    scores, again = (fit_module.fold_excluded_scores(features, labels, groups, folds, SMALL_LIGHTGBM, SPLIT) for labels in (y, flipped))
    assert len(boosters) == 2 * len(folds) * (len(folds) - 1) // 2  # two calls, one booster per pair of folds each
    assert np.isnan(scores[0][folds[0][1]]).all() and np.isfinite(np.delete(scores[0], folds[0][1])).all()
    np.testing.assert_array_equal(scores[0], again[0])
    assert not np.allclose(scores[1], again[1], equal_nan=True)
    outside = np.isfinite(scores[0])
    assert roc_auc_score(y[outside], scores[0][outside]) > 0.8  # they rank as out-of-fold scores do


def test_fold_excluded_scores_are_missing_where_no_booster_can_leave_out_both_folds() -> None:
    """Two folds leave no row outside both: every score is NaN (a den member without a score),
    not an error and not a score from a booster that saw the fold."""
    frame, groups = _frame()
    folds = list(grouped_folds(frame["label"], groups, 2, SPLIT.seed))
    scores = fit_module.fold_excluded_scores(frame[COLUMNS].to_numpy(dtype=float), frame["label"].to_numpy(), groups,
                                             folds, SMALL_LIGHTGBM, SplitConfig(folds=2, seed=0))
    assert len(scores) == 2 and all(np.isnan(fold_scores).all() for fold_scores in scores)
