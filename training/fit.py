"""Fitting a ScamModel from labelled records: the part shared by the SMS and call models.

Featuriser fitted on all rows → one LightGBM per grouped fold → Platt calibration and FPR
thresholds on the out-of-fold scores → fraud-type head → category head, with fraud_score
thresholds at FPR targets on its out-of-fold scores of non-fraud rows. Everything tunable arrives as
validated config.

What is served (``ServeConfig``): by default one booster per head refitted on every row for the
median of the fold boosters' early-stopping rounds — one predict call per head at serving time
instead of one per fold — while calibration and thresholds still come from the fold boosters'
out-of-fold scores; or (``bag``) the fold boosters averaged; or (``merged``) the binary fold
boosters merged into one booster that predicts exactly their average, and each head's fold
boosters stacked into one booster whose class probabilities are averaged as the bag's are
(models/merge.py). A refit may instead be calibrated on its own recipe (``calibrate:
fixed_rounds``): each fold's booster retrained as the refit is (its whole training part, the
refit's rounds, no early stopping) gives the out-of-fold margins calibration and thresholds are
set on, so the cut-offs sit on the scale of the booster served.

Out-of-fold scores set calibration and thresholds, so nothing a fold's booster is built from
may have seen that fold's held-out rows: every head's booster (binary, fraud type, category)
early-stops on the same grouped inner split of its own training part, and uses only the columns
the featuriser chose without the held-out labels (``fold_column_masks_``); :func:`fold_rows`
says which rows and columns, once for all heads. Columns only the heads may read
(``head_only_columns_``, the category text scores) are hidden from the binary booster alone.

A frame with a ``weight`` column (``duplicates: {policy: weight}``, training/data/sms/dedupe.py)
weighs its rows in every fit that learns from them: the featuriser's linear text models, each
booster's training and early-stopping sets, the refits, the heads and the Platt calibrator. The
thresholds stay at FPR over rows, each counted once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from itertools import combinations
from typing import Any, NamedTuple

import lightgbm as lgb
import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupShuffleSplit

from configs.sms import (
    CategoryConfig,
    FraudTypeConfig,
    LightGBMConfig,
    ReferenceConfig,
    ServeConfig,
    SplitConfig,
    ThresholdConfig,
)
from features.labels import shipped_taxonomy
from models.ensemble import BoosterBag, base_margin, predicting_rounds
from models.merge import merged_bag, stack_multiclass
from models.scam_model import (
    REFERENCE_SCORE,
    CategoryHead,
    FraudTypeHead,
    MulticlassHead,
    PlattCalibrator,
    ScamModel,
    Thresholds,
)
from models.template_memory import TemplateMemory
from training.data.sms.dedupe import WEIGHT_COLUMN
from training.metrics import binary_report
from training.split import grouped_folds
from training.thresholds import threshold_for_fpr

REFERENCE_SAMPLE = 2000
REFERENCE_TOP_FEATURES = 20
_BASE_PARAMS = {"objective": "binary", "verbosity": -1}


@dataclass(frozen=True)
class FoldBoosters:
    """Each head's cross-fitted boosters, one per fold: what the out-of-fold scores came from."""

    binary: BoosterBag
    fraud_type: list[lgb.Booster] | None = None
    category: list[lgb.Booster] | None = None


@dataclass
class FitResult:
    """The fitted model plus its out-of-fold view of the training data (for logging)."""

    model: ScamModel
    frame: pd.DataFrame
    oof_scores: np.ndarray
    metrics: dict
    n_train: int
    fold_boosters: FoldBoosters | None = None

    def cross_fitted_model(self) -> ScamModel:
        """``model`` serving the fold boosters averaged (``serve: bag``), all else equal: what
        the refitted booster is compared with on identical rows (benchmarks/serve_quality.py)."""
        return self._serving_folds(lambda bag: bag, lambda boosters: {"boosters": boosters, "stacked_members": 1})

    def merged_model(self) -> ScamModel:
        """``model`` serving the fold boosters merged (``serve: merged``), all else equal: the
        bag's outputs from one booster per head (benchmarks/model_predict.py times all three)."""
        return self._serving_folds(merged_bag, _stacked)

    def _serving_folds(
        self, binary: Callable[[BoosterBag], BoosterBag], head: Callable[[list[lgb.Booster]], dict]
    ) -> ScamModel:
        """``model`` with each head's fold boosters, as ``binary`` and ``head`` serve them."""
        folds = self.fold_boosters
        if folds is None:
            return self.model
        model = self.model
        return replace(
            model,
            booster=binary(folds.binary),
            fraud_type_head=model.fraud_type_head and replace(model.fraud_type_head, **head(folds.fraud_type)),
            category_head=model.category_head and replace(model.category_head, **head(folds.category)),
        )


def _stacked(boosters: list[lgb.Booster]) -> dict:
    """A multiclass head's fields (``boosters``, ``stacked_members``) serving ``boosters`` stacked into one (models/merge.py)."""
    return {"boosters": [stack_multiclass(boosters, [predicting_rounds(b) for b in boosters])], "stacked_members": len(boosters)}


def fit_scam_model(
    frame: pd.DataFrame,
    *,
    kind: str,
    featuriser: TransformerMixin,
    groups: pd.Series,
    lightgbm: LightGBMConfig,
    thresholds: ThresholdConfig,
    split: SplitConfig,
    serve: ServeConfig | None = None,
    fraud_type: FraudTypeConfig | None = None,
    category: CategoryConfig | None = None,
    reason_templates: Mapping[str, str] | None = None,
    reason_mask: Callable[[Sequence[str]], np.ndarray] | None = None,
    base_margin_feature: str | None = None,
    max_reasons: int = 5,
    fold_columns: Callable[[list[tuple[np.ndarray, np.ndarray]]], pd.DataFrame] | None = None,
    reference: ReferenceConfig | None = None,
    memory: Callable[[np.ndarray], TemplateMemory] | None = None,
) -> FitResult:
    """Fit every part of a ScamModel on ``frame`` (records with ``label``, maybe ``fraud_type``
    and ``category``).

    ``base_margin_feature`` names a probability feature the boosters start from (see
    :mod:`models.ensemble`). ``metrics`` are out-of-fold: each row is scored by the booster
    that did not train on it; ``serve`` (default: ``ServeConfig()``, a refit) says which boosters
    the model serves and whose out-of-fold margins calibrate it. ``fold_columns`` adds columns
    that must be computed per fold (graph features from other rows' labels): it gets the folds,
    returns one row per record.

    With ``reference``, a grouped share of the rows is held out of the whole fit and the drift
    reference is the finished model's own output on them (:func:`served_reference`); without it
    (call models, whose profile columns are not stacked) it is a sample of out-of-fold scores.

    ``memory`` builds the model's template memory (models/template_memory.py) from the positions in
    ``frame`` of the rows held out for the reference, whole groups (none without ``reference``): it
    must leave their groups' labelled rows uncounted, because those rows are the reference's unseen
    data — counted, every one of them would be "known" and the reference scored as no new message
    is. The model gets the memory before the reference is scored, so the reference is the served
    score, memory included.
    """
    serve = serve or ServeConfig()
    frame = frame.reset_index(drop=True)
    groups = groups.reset_index(drop=True)
    held_out, held_rows = None, np.zeros(0, dtype=np.intp)
    if reference is not None:
        fitted_rows, held_rows = reference_holdout(groups, reference, split.seed)
        held_out = frame.iloc[held_rows].reset_index(drop=True)
        frame, groups = frame.iloc[fitted_rows].reset_index(drop=True), groups.iloc[fitted_rows].reset_index(drop=True)
    labels = frame["label"].astype(int).reset_index(drop=True)
    y = labels.to_numpy()
    weights = row_weights(frame)
    folds = list(grouped_folds(labels, groups, split.folds, split.seed))
    if fold_columns is not None:
        frame = pd.concat([frame, fold_columns(folds).reset_index(drop=True)], axis=1)
    weighted = {} if weights is None else {"sample_weight": weights}
    features = featuriser.fit_transform(frame, y, folds=folds, **weighted)
    feature_names = [str(name) for name in featuriser.get_feature_names_out()]
    base_column = feature_names.index(base_margin_feature) if base_margin_feature else None
    base = base_margin(features, base_column)

    cross_fit = fold_rows(folds, getattr(featuriser, "fold_column_masks_", None), labels, groups, split)
    binary = _BinaryFit(lightgbm, split.seed, features, y, base, weights, getattr(featuriser, "head_only_columns_", None))
    boosters, margins = binary.out_of_fold(cross_fit, binary.early_stopped)
    bag = BoosterBag(boosters, base_margin_column=base_column)
    served, member_rounds = bag, bag.rounds
    if serve.booster == "refit":
        rounds = served_rounds(bag.best_iterations, serve)
        served = BoosterBag([binary.fixed_rounds(np.arange(len(y)), None, rounds)], base_column)
        member_rounds = served.rounds
        if serve.calibrate == "fixed_rounds":
            _, margins = binary.out_of_fold(cross_fit, partial(binary.as_refit, rounds=rounds))
    elif serve.booster == "merged":
        served = merged_bag(bag)

    calibrator = _fit_platt(margins, y, weights)
    scores = calibrator(margins)
    cutoffs = _thresholds_at_fpr(scores, y, thresholds)
    head, type_folds = None, None
    if fraud_type is not None and "fraud_type" in frame:
        head, type_folds = _fit_fraud_type_head(fraud_type, serve, frame, features, cross_fit, split.seed, weights)
    category_head, fraud_cutoffs, category_folds = None, None, None
    if category is not None:
        category_head, fraud_cutoffs, category_folds = _fit_category_head(
            category, serve, frame, features, cross_fit, split.seed, weights
        )
    model = ScamModel(
        kind=kind,
        featuriser=featuriser,
        booster=served,
        calibrator=calibrator,
        thresholds=cutoffs,
        feature_names=feature_names,
        fraud_type_head=head,
        category_head=category_head,
        category_actions=dict(shipped_taxonomy().actions) if category_head is not None else None,
        fraud_thresholds=fraud_cutoffs,
        allowed_category_from_head=shipped_taxonomy().allowed_category == "head",
        reason_templates=dict(reason_templates or {}),
        reason_mask=reason_mask(feature_names) if reason_mask else None,
        max_reasons=max_reasons,
        template_memory=None if memory is None else memory(held_rows),
    )
    model.reference = (
        _reference_sample(served, features, scores, feature_names, split.seed)
        if held_out is None
        else served_reference(model, held_out, reference.top_features)
    )
    metrics = binary_report(y, scores, cutoffs.block, cutoffs.warn)
    metrics["best_iterations"] = bag.best_iterations
    # Per member: a merged booster's own round count is the sum of its members' (their trees in one model).
    metrics["served_member_rounds"] = member_rounds
    return FitResult(model, frame, scores, metrics, n_train=len(frame), fold_boosters=FoldBoosters(bag, type_folds, category_folds))


def row_weights(frame: pd.DataFrame) -> np.ndarray | None:
    """Each row's sample weight from ``frame``'s weight column (a row without one, e.g. the demo mix
    or feedback, counts once); None when the frame has no such column: every fit then runs unweighted."""
    if WEIGHT_COLUMN not in frame:
        return None
    return frame[WEIGHT_COLUMN].astype(float).fillna(1.0).to_numpy()


def _take(weights: np.ndarray | None, rows: np.ndarray) -> np.ndarray | None:
    """``weights`` of ``rows`` (None stays None: unweighted)."""
    return None if weights is None else weights[rows]


def served_rounds(best_iterations: Sequence[int], serve: ServeConfig) -> int:
    """Boosting rounds of a refitted booster: ``serve.rounds_quantile`` of the folds' early-stopping
    rounds (the median by default: fold rounds spread widely, e.g. 22–1,038 on UCI, and the
    median ignores one fold that stopped early or ran long), times ``serve.rounds_scale``; at least 1."""
    return max(1, round(float(np.quantile(best_iterations, serve.rounds_quantile)) * serve.rounds_scale))


def _thresholds_at_fpr(scores: np.ndarray, labels: np.ndarray, cfg: ThresholdConfig) -> Thresholds:
    """Block/warn at ``cfg``'s FPR targets on the negatives (label 0) of ``scores``, floored."""
    return Thresholds(
        block=max(threshold_for_fpr(scores, labels, cfg.block_max_fpr), cfg.block_min_score),
        warn=max(threshold_for_fpr(scores, labels, cfg.warn_max_fpr), cfg.warn_min_score),
    )


class FoldRows(NamedTuple):
    """One cross-fitting fold of every head: the rows its booster fits on and early-stops on (both
    inside the fold's training part), the held-out rows it scores, and the columns it may use
    (None: all)."""

    fit: np.ndarray
    stop: np.ndarray
    held: np.ndarray
    columns: np.ndarray | None


def fold_rows(
    folds: list[tuple[np.ndarray, np.ndarray]],
    column_masks: Sequence[np.ndarray] | None,
    labels: pd.Series,
    groups: pd.Series,
    split: SplitConfig,
) -> list[FoldRows]:
    """Each fold's rows and columns, shared by the binary booster and the multiclass heads.

    Early stopping on the held-out fold would tune each booster to the rows whose scores then
    set calibration and thresholds (and, for the heads, fraud_score's thresholds and the
    out-of-fold figures): one grouped fold of the training part (a 1/``split.folds`` share,
    stratified by ``labels``) stops instead; grouping keeps duplicates from crossing this split too.
    """
    masks = column_masks or [None] * len(folds)
    plan = []
    for (train_idx, held_idx), columns in zip(folds, masks, strict=True):
        inner = grouped_folds(labels.iloc[train_idx], groups.iloc[train_idx], split.folds, split.seed)
        fit_part, stop_part = next(inner)
        plan.append(FoldRows(train_idx[fit_part], train_idx[stop_part], held_idx, columns))
    return plan


@dataclass(frozen=True)
class _BinaryFit:
    """What every booster of the unwanted score learns from: the featurised rows (columns only the
    heads may read hidden from it), labels, base margins (None: none) and weights (None: unweighted),
    with one LightGBM config and seed. The early-stopped fold boosters, the refit and the fold
    boosters trained as the refit is all come from here, so they differ only in rows and rounds."""

    cfg: LightGBMConfig
    seed: int
    features: Any
    y: np.ndarray
    base: np.ndarray | None
    weights: np.ndarray | None
    head_only: np.ndarray | None

    def _usable(self, columns: np.ndarray | None):
        """The features with columns outside ``columns`` (None: all) and the head-only ones zeroed."""
        return _only_columns(self.features, _without(columns, self.head_only))

    def early_stopped(self, rows: FoldRows) -> lgb.Booster:
        """Fold ``rows``' booster: fitted on its fit rows, early-stopped on its stop rows."""
        usable, fit, stop = self._usable(rows.columns), rows.fit, rows.stop
        return _train_booster(
            self.cfg, usable[fit], self.y[fit], usable[stop], self.y[stop], self.seed,
            init_scores=(_take(self.base, fit), _take(self.base, stop)),
            weights=(_take(self.weights, fit), _take(self.weights, stop)),
        )

    def fixed_rounds(self, rows: np.ndarray, columns: np.ndarray | None, rounds: int) -> lgb.Booster:
        """A booster on ``rows`` with ``columns`` (None: all) for ``rounds`` rounds, no early stopping."""
        usable = self._usable(columns)
        return _refit_booster(
            self.cfg, usable[rows], self.y[rows], rounds, self.seed,
            init_score=_take(self.base, rows), weight=_take(self.weights, rows),
        )

    def as_refit(self, rows: FoldRows, rounds: int) -> lgb.Booster:
        """Fold ``rows``' booster trained as the refit is: ``rounds`` rounds on its whole training
        part (fit and stop rows), no early stopping; its held-out margins are then on the refit's scale."""
        return self.fixed_rounds(np.union1d(rows.fit, rows.stop), rows.columns, rounds)

    def out_of_fold(
        self, cross_fit: list[FoldRows], train: Callable[[FoldRows], lgb.Booster]
    ) -> tuple[list[lgb.Booster], np.ndarray]:
        """Each fold's booster from ``train``, and every row's margin (base margin included) from
        the booster of the fold that held it out."""
        boosters, margins = [], np.zeros(len(self.y))
        for rows in cross_fit:
            booster = train(rows)
            base = 0 if self.base is None else self.base[rows.held]
            margins[rows.held] = booster.predict(self.features[rows.held], raw_score=True) + base
            boosters.append(booster)
        return boosters, margins


def fold_excluded_scores(
    features, y: np.ndarray, groups: pd.Series, folds: Sequence[tuple[np.ndarray, np.ndarray]],
    lightgbm: LightGBMConfig, split: SplitConfig, weights: np.ndarray | None = None,
) -> list[np.ndarray]:
    """Per fold k of ``folds``, every row's score from a booster trained on neither fold k nor the
    row's own fold (NaN on fold k's rows), Platt-calibrated on the rows outside fold k.

    Out-of-fold scores of rows outside fold k still come from boosters that trained on fold k's
    labels; wherever such scores feed features of fold k's rows (den member scores of the call
    graph), those rows would read their own labels back. One booster per pair of folds {k, m},
    trained as :func:`fit_scam_model`'s fold boosters are (early-stopped on a grouped inner split of
    its training part), on the rows of neither, scores both: k(k − 1)/2 boosters, not a refit of
    every fold's whole cross-fit. Where the rows of neither fold cannot form that inner split (two
    folds leave none; a tiny set too few of a class), no such score exists: those rows stay NaN
    (a den member without a score), never a score from a booster that saw the fold.
    """
    pairs, splits = [], []  # fold pairs a booster can leave out, and its (training, held-out) rows
    for k, m in combinations(range(len(folds)), 2):
        held = np.union1d(folds[k][1], folds[m][1])
        train = np.setdiff1d(np.arange(len(y)), held)
        if np.bincount(y[train].astype(int), minlength=2).min() >= split.folds:
            pairs.append((k, m))
            splits.append((train, held))
    binary = _BinaryFit(lightgbm, split.seed, features, y, None, weights, None)
    margins: dict[tuple[int, int], np.ndarray] = {}  # (k, m): fold m's margins, from the booster without k and m
    for (k, m), rows in zip(pairs, fold_rows(splits, None, pd.Series(y), groups.reset_index(drop=True), split), strict=True):
        booster = binary.early_stopped(rows)
        for without, scored in ((k, m), (m, k)):
            margins[without, scored] = booster.predict(features[folds[scored][1]], raw_score=True)
    scores = []
    for k in range(len(folds)):
        scored = [m for m in range(len(folds)) if (k, m) in margins]
        fold_scores = np.full(len(y), np.nan)
        rows = np.concatenate([folds[m][1] for m in scored] or [np.zeros(0, dtype=np.intp)])
        if len(np.unique(y[rows])) == 2:  # Platt needs both classes
            margin = np.concatenate([margins[k, m] for m in scored])
            fold_scores[rows] = _fit_platt(margin, y[rows], _take(weights, rows))(margin)
        scores.append(fold_scores)
    return scores


def _without(columns: np.ndarray | None, excluded: np.ndarray | None) -> np.ndarray | None:
    """The ``columns`` mask (None: all) minus the ``excluded`` ones (None: none)."""
    if excluded is None or not excluded.any():
        return columns
    return ~excluded if columns is None else columns & ~excluded


def _only_columns(features, usable: np.ndarray | None):
    """``features`` with columns outside ``usable`` zeroed (constant: a booster cannot split on them)."""
    if usable is None:
        return features
    if sp.issparse(features):
        return sp.csr_matrix(features @ sp.diags(usable.astype(features.dtype)))
    return np.where(usable, features, 0)


def _booster_params(cfg: LightGBMConfig, seed: int, params=None) -> dict:
    return {**_BASE_PARAMS, "seed": seed, **cfg.params, **(params or {})}


def _train_booster(
    cfg: LightGBMConfig, x_train, y_train, x_valid, y_valid, seed: int, params=None, init_scores=None, weights=None
) -> lgb.Booster:
    """A booster early-stopped on the validation set; ``weights`` (train, validation) weigh the rows
    of both, so the rounds are chosen on the loss the booster is trained for."""
    train_init, valid_init = init_scores if init_scores is not None else (None, None)
    train_weight, valid_weight = weights if weights is not None else (None, None)
    train_set = lgb.Dataset(x_train, y_train, init_score=train_init, weight=train_weight)
    valid_set = lgb.Dataset(x_valid, y_valid, reference=train_set, init_score=valid_init, weight=valid_weight)
    return lgb.train(
        _booster_params(cfg, seed, params),
        train_set,
        num_boost_round=cfg.num_boost_round,
        valid_sets=[valid_set],
        callbacks=[lgb.early_stopping(cfg.early_stopping_rounds, verbose=False, min_delta=cfg.early_stopping_min_delta)],
    )


def _refit_booster(
    cfg: LightGBMConfig, x, y, rounds: int, seed: int, params=None, init_score=None, weight=None
) -> lgb.Booster:
    """One booster on every row for a fixed number of ``rounds`` (no early stopping: the folds chose them)."""
    dataset = lgb.Dataset(x, y, init_score=init_score, weight=weight)
    return lgb.train(_booster_params(cfg, seed, params), dataset, num_boost_round=rounds)


def _fit_platt(margin: np.ndarray, labels: np.ndarray, weights: np.ndarray | None = None) -> PlattCalibrator:
    fitted = LogisticRegression(C=1e4).fit(margin.reshape(-1, 1), labels, sample_weight=weights)
    return PlattCalibrator(slope=float(fitted.coef_[0, 0]), intercept=float(fitted.intercept_[0]))


def _fit_fraud_type_head(
    cfg: FraudTypeConfig, serve: ServeConfig, frame: pd.DataFrame, features, cross_fit: list[FoldRows], seed: int,
    weights: np.ndarray | None = None,
) -> tuple[FraudTypeHead | None, list[lgb.Booster] | None]:
    """Head on fraud rows with a known type, and its fold boosters; (None, None) when fewer than
    two usable types. It serves as ``cfg.serving(serve)`` says (its own ``booster``, else
    ``serve.booster``): nothing thresholds its probabilities, so it can be refit while the other heads are not.

    Fraud rows are those of category fraud where categories are known (spam is not fraud and
    has no fraud type), else every label-1 row (data from before the taxonomy).
    """
    is_fraud = frame["label"].astype(int).to_numpy() == 1
    if "category" in frame and frame["category"].notna().any():
        is_fraud = (frame["category"] == shipped_taxonomy().fraud_category).to_numpy()
    fitted = _fit_multiclass(cfg, cfg.serving(serve), frame["fraud_type"].where(is_fraud), features, cross_fit, seed, weights)
    return (None, None) if fitted is None else (FraudTypeHead(fitted.served, fitted.classes, fitted.stacked_members), fitted.boosters)


def _fit_category_head(
    cfg: CategoryConfig, serve: ServeConfig, frame: pd.DataFrame, features, cross_fit: list[FoldRows], seed: int,
    weights: np.ndarray | None = None,
) -> tuple[CategoryHead | None, Thresholds | None, list[lgb.Booster] | None]:
    """Head over the taxonomy's categories on rows whose category is known, fraud_score
    thresholds and the head's fold boosters; all None when fewer than two categories have enough
    rows (e.g. data with 0/1 labels only). The thresholds are None when the head has no fraud
    class or no non-fraud row to measure FPR on."""
    if "category" not in frame:
        return None, None, None
    fitted = _fit_multiclass(cfg, cfg.serving(serve), frame["category"], features, cross_fit, seed, weights)
    if fitted is None:
        return None, None, None
    taxonomy = shipped_taxonomy()
    head = CategoryHead(fitted.served, fitted.classes, fitted.stacked_members, ham=taxonomy.ham_category, fraud=taxonomy.fraud_category)
    return head, fraud_score_thresholds(head, fitted.oof_proba, frame["category"], cfg.fraud_thresholds), fitted.boosters


def fraud_score_thresholds(
    head: CategoryHead, oof_proba: np.ndarray, categories: pd.Series, cfg: ThresholdConfig
) -> Thresholds | None:
    """fraud_score cut-offs at ``cfg``'s FPR targets on the out-of-fold scores of rows whose
    category is known and not fraud (ham, spam, illegal): how many non-fraud messages fraud_score
    alone may act on. Rows of unknown category take no part."""
    known = categories.notna().to_numpy()
    is_fraud = (categories == head.fraud).to_numpy()
    if head.fraud not in head.classes or not (known & ~is_fraud).any():
        return None
    fraud_scores = head.fraud_proba(oof_proba)[known]
    return _thresholds_at_fpr(fraud_scores, is_fraud[known].astype(int), cfg)


@dataclass
class _FittedMulticlass:
    """A head's fold boosters and classes, with each row's probabilities from the booster of the
    fold that held it out (rows × classes): what thresholds on the head's scores are set on; and
    the boosters the head serves (the refit, the fold boosters themselves, or those stacked into one
    booster of ``stacked_members``)."""

    boosters: list[lgb.Booster]
    classes: list[str]
    oof_proba: np.ndarray
    served: list[lgb.Booster]
    stacked_members: int = 1


def _fit_multiclass(
    cfg: FraudTypeConfig, serve: ServeConfig, names: pd.Series, features, cross_fit: list[FoldRows], seed: int,
    weights: np.ndarray | None = None,
) -> _FittedMulticlass | None:
    """Boosters and classes for a head predicting ``names`` (None: row not used); None when fewer
    than two classes have ``min_examples_per_type`` rows.

    Cross-fitted like the binary model (``cross_fit``): one booster per fold, fitted and
    early-stopped on the named rows of that fold's training part, on that fold's columns; every
    held-out row (named or not) gets that booster's probabilities. A fold whose early-stopping
    part has no named row stops on its fitting rows (no leak, just no early stop to speak of).
    Once the inner split has chosen the rounds, the fold's booster is retrained on all its
    training part's named rows for that many rounds: a head's classes are few rows each (a
    fraud type may have dozens), and holding a fifth of them out for stopping alone cost
    fraud-type accuracy on held-out data (0.9739 → 0.9726 on Telecom_Fraud_Texts_5's test).
    """
    counts = names.dropna().value_counts()
    classes = sorted(counts[counts >= cfg.min_examples_per_type].index)
    if len(classes) < 2:
        return None
    typed = names.isin(classes).to_numpy()
    codes = names.map({name: i for i, name in enumerate(classes)}).to_numpy()
    boosters, rounds = [], []
    params = {"objective": "multiclass", "num_class": len(classes)}
    oof_proba = np.zeros((features.shape[0], len(classes)))
    for rows in cross_fit:
        fit_idx, stop_idx = rows.fit[typed[rows.fit]], rows.stop[typed[rows.stop]]
        if len(stop_idx) == 0:
            stop_idx = fit_idx
        usable = _only_columns(features, rows.columns)
        stopped = _train_booster(
            cfg.lightgbm, usable[fit_idx], codes[fit_idx].astype(int), usable[stop_idx], codes[stop_idx].astype(int), seed,
            params=params, weights=(_take(weights, fit_idx), _take(weights, stop_idx)),
        )
        rounds.append(predicting_rounds(stopped))
        train_idx = np.union1d(fit_idx, stop_idx)
        booster = _refit_booster(
            cfg.lightgbm, usable[train_idx], codes[train_idx].astype(int), rounds[-1], seed, params, weight=_take(weights, train_idx)
        )
        oof_proba[rows.held] = MulticlassHead([booster], classes).proba(features[rows.held])
        boosters.append(booster)
    served = boosters
    if serve.booster == "refit":
        rounds = served_rounds(rounds, serve)
        typed_rows = np.flatnonzero(typed)
        served = [_refit_booster(
            cfg.lightgbm, features[typed_rows], codes[typed_rows].astype(int), rounds, seed, params, weight=_take(weights, typed_rows)
        )]
    elif serve.booster == "merged":
        stacked = _stacked(boosters)
        return _FittedMulticlass(boosters, classes, oof_proba, stacked["boosters"], stacked["stacked_members"])
    return _FittedMulticlass(boosters, classes, oof_proba, served)


def _reference_sample(bag: BoosterBag, features, scores: np.ndarray, names: list[str], seed: int) -> dict[str, np.ndarray]:
    """Score and top-feature samples that drift reports compare new data against."""
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(scores), size=min(REFERENCE_SAMPLE, len(scores)), replace=False)
    top = np.argsort(-bag.feature_importance("gain"))[:REFERENCE_TOP_FEATURES]
    sample = features[rows][:, top]
    sample = sample.toarray() if sp.issparse(sample) else np.asarray(sample)
    reference = {names[j]: sample[:, k].astype(np.float32) for k, j in enumerate(top)}
    reference[REFERENCE_SCORE] = scores[rows].astype(np.float32)
    return reference


def reference_holdout(groups: pd.Series, config: ReferenceConfig, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(fitted, held-out) positions: whole groups held out, about ``config.share`` of the rows and
    at most about ``config.max_rows`` of them."""
    share = min(config.share, config.max_rows / max(len(groups), 1))
    splitter = GroupShuffleSplit(n_splits=1, test_size=share, random_state=seed)
    fitted, held = next(splitter.split(np.zeros(len(groups)), groups=groups.to_numpy()))
    return fitted, held


def served_reference(model: ScamModel, records: pd.DataFrame, top_features: int) -> dict[str, np.ndarray]:
    """What drift is measured against: ``model``'s scores and top features (by gain) on ``records``,
    computed exactly as the service computes them (the finished featuriser, the whole bag and the
    template memory, if any).

    Out-of-fold training values are not the same distribution: the stacked linear score there comes
    from fold models and the score from one fold's booster, so live traffic would look drifted on
    the first day (the false alarm this replaced)."""
    features, scores, *_ = model.scored(records)
    top = np.argsort(-model.booster.feature_importance("gain"))[:top_features]
    sample = features[:, top]
    sample = sample.toarray() if sp.issparse(sample) else np.asarray(sample)
    reference = {model.feature_names[j]: sample[:, k].astype(np.float32) for k, j in enumerate(top)}
    reference[REFERENCE_SCORE] = scores.astype(np.float32)
    return reference
