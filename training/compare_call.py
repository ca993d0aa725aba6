"""Call model with graph features against LightGBM on the contest columns, on unseen numbers.

Nested, grouped cross-validation on the labelled numbers: each outer fold's numbers are held
out — their labels reach neither the model nor any graph feature (they stay in the graph as
unlabelled vertices, as sealed numbers do) — and every variant is fitted on the same outer
training numbers by :func:`training.train_call.fit_call_model`, whose inner folds mask labels
out of fold for the graph features. Each variant is then scored exactly as ``yunmao evaluate``
scores a file: F1 at the model's own warn threshold (set on its inner out-of-fold scores).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from configs.call import CallConfig
from configs.sms import LightGBMConfig
from features.graph.knowledge import add_graph_features
from features.graph.links import CallGraph
from training.metrics import at_threshold, ranking
from training.split import grouped_folds
from training.train_call import NUMBER_COLUMN, fit_call_model

REPORTED = ("f1", "precision", "recall", "fpr", "roc_auc", "pr_auc")
DEFAULT_LIGHTGBM = LightGBMConfig(params={"num_threads": 1}, num_boost_round=100, early_stopping_rounds=100)


@dataclass(frozen=True)
class Variant:
    """One model compared: which columns of the frame it may use, its config, whether it sees links."""

    name: str
    columns: tuple[str, ...] | None  # None: every column of the frame
    config: CallConfig
    graph: bool


def contest_baseline(cfg: CallConfig, contest_columns: Sequence[str]) -> Variant:
    """Default LightGBM (100 rounds, library defaults) on the contest table's own columns."""
    return Variant("lightgbm defaults, contest columns", tuple(contest_columns),
                   cfg.model_copy(update={"lightgbm": DEFAULT_LIGHTGBM}), graph=False)


def nested_comparison(
    frame: pd.DataFrame,
    graph: CallGraph,
    variants: Sequence[Variant],
    outer_folds: int,
    seed: int,
    max_folds: int | None = None,
) -> dict[str, dict]:
    """Per-variant metrics on each outer fold, their mean and 95 % t-interval over folds."""
    frame = frame.reset_index(drop=True)
    labels = frame["label"].astype(int)
    folds = list(grouped_folds(labels, frame[NUMBER_COLUMN], outer_folds, seed))[:max_folds]
    per_fold: dict[str, list[dict[str, float]]] = {v.name: [] for v in variants}
    for train_idx, test_idx in folds:
        train, test = frame.iloc[train_idx].reset_index(drop=True), frame.iloc[test_idx].reset_index(drop=True)
        for variant in variants:
            per_fold[variant.name].append(_fit_and_score(variant, train, test, graph))
    return {name: summarise(rows) for name, rows in per_fold.items()}


def _fit_and_score(variant: Variant, train: pd.DataFrame, test: pd.DataFrame, graph: CallGraph) -> dict[str, float]:
    keep = [NUMBER_COLUMN, "label", *(variant.columns or [c for c in train.columns if c not in (NUMBER_COLUMN, "label")])]
    model = fit_call_model(train[keep], variant.config, graph if variant.graph else None).fit.model
    records = test[keep].drop(columns="label")
    if variant.graph:
        records = add_graph_features(records, graph, model.graph)
    scores = model.score(records)
    y = test["label"].astype(int).to_numpy()
    return {**at_threshold(y, scores, model.thresholds.warn), **ranking(y, scores)}


def summarise(rows: Sequence[dict[str, float]]) -> dict:
    """Mean, 95 % t-interval half-width and the per-fold values of each reported metric."""
    out: dict = {"folds": len(rows)}
    for metric in REPORTED:
        values = np.array([row[metric] for row in rows])
        half = float(stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))) if len(values) > 1 else float("nan")
        out[metric] = {"mean": float(values.mean()), "ci95": half, "per_fold": values.round(4).tolist()}
    return out
