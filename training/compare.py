"""yunmao against the baseline on data neither saw: the quality claim behind README's table.

The caller passes every labelled row (``load_labelled(..., dedupe=False)``; an already
deduplicated frame works too). Two views of held-out data (:data:`VIEWS`):

- ``grouped``: held-out parts are chosen by group (normalised text), so no copy of a test message
  is trained on, and each held-out text is scored once (the distinct messages).
- ``random``: stratified random folds over every row, held-out copies included, as the sealed
  hold-outs of issue #11 (random splits of the original sets) are made.

yunmao trains on its development part as ``yunmao train`` would (``cfg.duplicates``); the
baseline on every row of the same part, as a file is given to it. Both fits can also score
rewrites of the held-out rows (``variants``, e.g. obfuscated scam text, training/obfuscate.py),
so one fit measures a model clean and rewritten on identical rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from configs.evaluation import EvaluationConfig, load_evaluation_config
from configs.sms import SmsConfig
from features.sms.normalise import normalise_text
from models.scam_model import FraudTypeHead, Thresholds
from training.baseline import build_baseline
from training.bootstrap import paired_intervals, paired_rate_difference
from training.data.sms.dedupe import drop_duplicates
from training.fit import FitResult
from training.metrics import at_threshold, best_f1, macro_f1, ranking
from training.split import grouped_folds, random_folds
from training.train import fit_sms

COMPARED = ("roc_auc", "pr_auc", "best_f1")
VIEWS = ("grouped", "random")


@dataclass(frozen=True)
class Contender:
    """One model scored on a held-out fold: its scores, and the fraud-type head and thresholds it
    serves (None where it has none, e.g. the baseline). ``featurise`` gives the head its inputs
    when the contender has a featuriser of its own (default: the fold's shipped fit's)."""

    scores: np.ndarray
    fraud_type_head: FraudTypeHead | None = None
    thresholds: Thresholds | None = None
    featurise: Callable[[pd.DataFrame], pd.DataFrame] | None = None


def compare_with_baseline(
    frame: pd.DataFrame, cfg: SmsConfig, folds: int, seed: int, max_folds: int | None = None,
    evaluation: EvaluationConfig | None = None, view: str = "grouped",
    variants: Mapping[str, Callable[[pd.DataFrame], pd.DataFrame]] | None = None,
) -> dict:
    """Outer cross-validation (``view``): each fold is held out once, both models train on the rest.

    Two views of the same held-out rows:

    - ``yunmao`` / ``baseline``: :data:`COMPARED` metrics computed per held-out fold and averaged
      over the folds run (all ``folds`` unless ``max_folds``), so each model's scores are only
      ranked against scores of the same fitted model.
    - ``pooled``: the out-of-fold scores of every held-out fold together, with paired bootstrap
      intervals (:func:`training.bootstrap.paired_intervals`; ``evaluation`` or the shipped
      ``configs/evaluation.yaml``) for each model and for the difference yunmao − baseline. Pooling
      makes the interval reflect every held-out row, and recall at FPR 0.1% needs more ham rows
      than one fold holds to mean anything.
    - ``variants``: per name, a rewrite of the held-out rows (same rows, same order, e.g.
      :func:`training.obfuscate.unwanted_obfuscated`) that the same two fits also score.
      ``result["variants"][name]`` holds both models' pooled intervals on the rewritten rows, their
      paired ``difference`` (yunmao − baseline), and ``drop``: per model, clean − rewritten, paired
      on the same resamples. Per-fold means are under ``"yunmao <name>"`` / ``"baseline <name>"``.
    """
    variants = dict(variants or {})

    def contenders(fit: FitResult, dev: pd.DataFrame, test: pd.DataFrame) -> dict[str, Contender]:
        baseline = build_baseline().fit(dev["text"], dev["label"].astype(int))

        def scored(rows: pd.DataFrame) -> dict[str, np.ndarray]:
            return {"yunmao": fit.model.score(rows), "baseline": baseline.predict_proba(rows["text"])[:, 1]}

        clean = scored(test)
        fold = {"yunmao": Contender(clean["yunmao"], fit.model.fraud_type_head), "baseline": Contender(clean["baseline"])}
        for name, rewrite in variants.items():
            fold |= {_variant(model, name): Contender(scores) for model, scores in scored(rewrite(test)).items()}
        return fold

    pairs = [pair for name in variants for pair in _variant_pairs(name)]
    result = paired_outer_cv(frame, cfg, folds, seed, contenders, max_folds, evaluation, view, pairs)
    if variants:
        result["variants"] = {name: _variant_result(result["pairs"], name) for name in variants}
    return result


def _variant(model: str, name: str) -> str:
    """The contender name of ``model`` scoring the held-out rows rewritten by variant ``name``."""
    return f"{model} {name}"


def _variant_pairs(name: str) -> list[tuple[str, str]]:
    """The paired comparisons a variant needs: the two models on it, and each model clean against it."""
    return [(_variant("yunmao", name), _variant("baseline", name)),
            *((model, _variant(model, name)) for model in ("yunmao", "baseline"))]


def _variant_result(pairs: dict, name: str) -> dict:
    """``compare_with_baseline``'s ``variants[name]``, read off :func:`paired_outer_cv`'s ``pairs``."""
    on_variant, *drops = _variant_pairs(name)
    yunmao, baseline, difference = pairs[on_variant]
    return {"yunmao": yunmao, "baseline": baseline, "difference": difference,
            "drop": {model: pairs[(model, rewritten)][2] for model, rewritten in drops}}


def compare_candidate(
    frame: pd.DataFrame, cfg: SmsConfig, candidate: SmsConfig, folds: int, seed: int, max_folds: int | None = None,
    evaluation: EvaluationConfig | None = None, view: str = "grouped",
) -> dict:
    """A candidate configuration (``candidate``) against the shipped one (``cfg``): each trains on
    the same development part (as its own ``duplicates`` setting keeps it) and scores the same
    held-out rows, so ``difference`` is candidate − shipped, paired; both cut at their own
    warn / block thresholds too."""
    def contenders(fit: FitResult, dev: pd.DataFrame, test: pd.DataFrame) -> dict[str, Contender]:
        challenger = fit_development(dev, candidate).model
        return {name: Contender(model.score(test), model.fraud_type_head, model.thresholds, model.features)
                for name, model in (("candidate", challenger), ("shipped", fit.model))}

    return paired_outer_cv(frame, cfg, folds, seed, contenders, max_folds, evaluation, view)


def compare_refit_with_bag(
    frame: pd.DataFrame, cfg: SmsConfig, folds: int, seed: int, max_folds: int | None = None,
    evaluation: EvaluationConfig | None = None, view: str = "grouped",
) -> dict:
    """The served refitted boosters (``refit``) against the fold boosters averaged (``bag``) of the
    same fit, on the same held-out rows: :func:`paired_outer_cv` with ``cfg.serve`` forced to refit."""
    cfg = serving_refit(cfg)

    def contenders(fit: FitResult, _dev: pd.DataFrame, test: pd.DataFrame) -> dict[str, Contender]:
        return {name: Contender(model.score(test), model.fraud_type_head, model.thresholds)
                for name, model in (("refit", fit.model), ("bag", fit.cross_fitted_model()))}

    return paired_outer_cv(frame, cfg, folds, seed, contenders, max_folds, evaluation, view)


def serving_refit(cfg: SmsConfig) -> SmsConfig:
    """``cfg`` with every head refit (its rounds settings kept): a fit then yields both models."""
    return cfg.model_copy(update={
        "serve": cfg.serve.model_copy(update={"booster": "refit"}),
        "fraud_type": cfg.fraud_type.model_copy(update={"booster": None}),
        "category": cfg.category.model_copy(update={"booster": None}),
    })


def training_rows(dev: pd.DataFrame, cfg: SmsConfig) -> pd.DataFrame:
    """The development rows as ``yunmao train`` with ``cfg`` would keep them (``cfg.duplicates``)."""
    return drop_duplicates(dev, cfg.duplicates.copies, weigh=cfg.duplicates.weighs).frame


def fit_development(dev: pd.DataFrame, cfg: SmsConfig) -> FitResult:
    """``fit_sms`` on the development rows as ``yunmao train`` with ``cfg`` fits a file: the
    boosters on :func:`training_rows`, the template memory (``cfg.memory``) on every row, copies included.
    Without the demo mix ``yunmao train sms`` adds by default (``--no-demo-mix`` is this fit): the
    comparisons measure the data set alone; on mudou the mix costs ROC-AUC 0.0017 (docs/benchmarks.md,
    "Per-set models as `yunmao train sms` fits them")."""
    return fit_sms(training_rows(dev, cfg), cfg, labelled=dev)


def outer_folds(view: str, labels: pd.Series, groups: pd.Series, folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The outer (development, held-out) positions of ``view`` (:data:`VIEWS`).

    Raises:
        ValueError: ``view`` is not one of :data:`VIEWS`.
    """
    if view == "grouped":
        return list(grouped_folds(labels, groups, folds, seed))
    if view == "random":
        return list(random_folds(labels, folds, seed))
    raise ValueError(f"unknown view {view!r}; expected one of {', '.join(VIEWS)}")


def paired_outer_cv(
    frame: pd.DataFrame, cfg: SmsConfig, folds: int, seed: int,
    contenders: Callable[[FitResult, pd.DataFrame, pd.DataFrame], dict[str, Contender]],
    max_folds: int | None = None, evaluation: EvaluationConfig | None = None, view: str = "grouped",
    pairs: Sequence[tuple[str, str]] = (),
) -> dict:
    """Contenders on the same outer folds of ``view``: per fold, :func:`fit_development` on the
    development part, then ``contenders(fit, dev, test)`` scores the
    held-out part (the first two returned are the pair under ``pooled``: first − second is the
    ``difference``); ``dev`` is every development row. Each further pair of contender names in
    ``pairs`` gets its paired intervals too, under ``result["pairs"][pair]``: the
    (first, second, difference) of :func:`training.bootstrap.paired_intervals` on the pooled scores.
    In the grouped view the held-out part is its distinct texts (one row each, labels resolved
    as training resolves them); in the random view, every held-out row. Returns per-fold means of
    :data:`COMPARED` under each name, pooled paired intervals under ``pooled``, fraud-type
    macro-F1 where a contender has a head, and recall / FPR at each contender's own warn and
    block thresholds where it has them."""
    evaluation = evaluation or load_evaluation_config()
    frame = frame.reset_index(drop=True)
    groups = frame["text"].map(normalise_text)
    labels = frame["label"].astype(int)
    per_fold: dict[str, list[dict[str, float]]] = {}
    held_out: list[np.ndarray] = []
    pooled: dict[str, list[np.ndarray]] = {}
    flagged: dict[str, dict[str, list[np.ndarray]]] = {}
    type_true: list[str] = []
    type_pred: dict[str, list[str]] = {}
    for dev_idx, test_idx in outer_folds(view, labels, groups, folds, seed)[:max_folds]:
        dev, test = frame.iloc[dev_idx].reset_index(drop=True), frame.iloc[test_idx].reset_index(drop=True)
        if view == "grouped":
            test = drop_duplicates(test).frame
        fit = fit_development(dev, cfg)
        y_test = test["label"].astype(int).to_numpy()
        fold = contenders(fit, dev, test)
        for name, contender in fold.items():
            per_fold.setdefault(name, []).append(_ranking_and_f1(y_test, contender.scores))
            pooled.setdefault(name, []).append(contender.scores)
            if contender.thresholds is not None:
                for action in ("warn", "block"):
                    cut = getattr(contender.thresholds, action)
                    flagged.setdefault(name, {}).setdefault(action, []).append(contender.scores >= cut)
        held_out.append(y_test)
        heads = {name: c for name, c in fold.items() if c.fraud_type_head is not None}
        if heads:
            classes = next(iter(heads.values())).fraud_type_head.classes
            typed = np.flatnonzero((y_test == 1) & test["fraud_type"].isin(classes).to_numpy())
            type_true += test["fraud_type"].iloc[typed].tolist()
            for name, contender in heads.items():
                features = (contender.featurise or fit.model.features)(test.iloc[typed])
                type_pred.setdefault(name, []).extend(contender.fraud_type_head.predict(features)[0])
    y_pooled = np.concatenate(held_out)
    scores = {name: np.concatenate(parts) for name, parts in pooled.items()}
    first, second = list(scores)[:2]
    first_ci, second_ci, difference = paired_intervals(y_pooled, scores[first], scores[second], evaluation)
    result = {
        "n_held_out": int(len(y_pooled)),
        "positives_held_out": int(y_pooled.sum()),
        "folds_run": len(held_out),
        "view": view,
        **{model: {m: float(np.mean([fold[m] for fold in folds_])) for m in COMPARED} for model, folds_ in per_fold.items()},
        "pooled": {first: first_ci, second: second_ci, "difference": difference},
    }
    if pairs:
        result["pairs"] = {(a, b): paired_intervals(y_pooled, scores[a], scores[b], evaluation) for a, b in pairs}
    for name, predicted in type_pred.items():
        result[name]["fraud_type_macro_f1"] = macro_f1(type_true, predicted)
        result[name]["fraud_type_n"] = len(type_true)
    for name, actions in flagged.items():
        for action, hits in actions.items():
            at = at_threshold(y_pooled, np.concatenate(hits).astype(float), 0.5)
            result[name][f"{action}_recall"], result[name][f"{action}_fpr"] = at["recall"], at["fpr"]
    if len(flagged) == 2:
        result["at_thresholds"] = _paired_at_thresholds(y_pooled, *flagged.values(), evaluation)
    return result


def _paired_at_thresholds(labels: np.ndarray, first: dict, second: dict, evaluation: EvaluationConfig) -> dict:
    """Per action, the paired differences (first − second) of recall (unwanted rows) and FPR (ham
    rows), each contender cut at its own threshold: (difference, interval low, interval high)."""
    out = {}
    for action in first:
        hits, other = np.concatenate(first[action]), np.concatenate(second[action])
        for rate, rows in (("recall", labels == 1), ("fpr", labels == 0)):
            out[f"{action}_{rate}"] = paired_rate_difference(hits[rows], other[rows], evaluation)
    return out


def _ranking_and_f1(labels: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    return {**ranking(labels, scores), "best_f1": best_f1(labels, scores)[0]}
