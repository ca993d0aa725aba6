"""Call model with graph features against LightGBM on the contest columns, on unseen numbers.

Nested, grouped cross-validation on the labelled numbers: each outer fold's numbers are held
out — their labels reach neither the model nor any graph feature (they stay in the graph as
unlabelled vertices, as sealed numbers do) — and every variant is fitted on the same outer
training numbers by :func:`training.train_call.fit_call_model`, whose inner folds mask labels
out of fold for the graph features. Each variant is then scored exactly as ``yunmao evaluate``
scores a file: F1 at the model's own warn threshold (set on its inner out-of-fold scores).

Two variants named as a pair are also compared row by row: the difference of their mean over
outer folds, with a paired bootstrap interval (:func:`training.bootstrap.paired_fold_difference`).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from configs.call import CallConfig
from configs.evaluation import EvaluationConfig, load_evaluation_config
from configs.sms import LightGBMConfig
from features.graph.knowledge import add_graph_features
from features.graph.links import CallGraph
from models.scam_model import ScamModel
from training.bootstrap import FoldPair, paired_fold_difference
from training.metrics import at_threshold, ranking
from training.split import grouped_folds
from training.train_call import NUMBER_COLUMN, fit_call_model

REPORTED = ("f1", "precision", "recall", "fpr", "roc_auc", "pr_auc")
DEFAULT_LIGHTGBM = LightGBMConfig(params={"num_threads": 1}, num_boost_round=100, early_stopping_rounds=100)


@dataclass(frozen=True)
class Variant:
    """One model compared: which columns of the frame it may use, its config, whether it sees links.

    A graph variant also reports its stage-one model (same columns, no graph) as
    ``NAME, no graph``: the same fit, so the graph's own contribution on identical folds.
    """

    name: str
    columns: tuple[str, ...] | None  # None: every column of the frame
    config: CallConfig
    graph: bool


def contest_baseline(cfg: CallConfig, contest_columns: Sequence[str]) -> Variant:
    """Default LightGBM (100 rounds, library defaults) on the contest table's own columns."""
    return Variant("lightgbm defaults, contest columns", tuple(contest_columns),
                   cfg.model_copy(update={"lightgbm": DEFAULT_LIGHTGBM}), graph=False)


@dataclass(frozen=True)
class HeldOutScores:
    """One fitted variant's scores on an outer fold's numbers, and the warn threshold it flags at."""

    numbers: np.ndarray
    labels: np.ndarray
    scores: np.ndarray
    warn: float

    def metrics(self) -> dict[str, float]:
        """The reported metrics: at the warn threshold, and threshold-free."""
        return {**at_threshold(self.labels, self.scores, self.warn), **ranking(self.labels, self.scores)}


def nested_scores(
    frame: pd.DataFrame,
    graph: CallGraph,
    variants: Sequence[Variant],
    outer_folds: int,
    seed: int,
    max_folds: int | None = None,
    with_bag: bool = False,
    fold_done: Callable[[dict[str, list[HeldOutScores]]], None] | None = None,
) -> dict[str, list[HeldOutScores]]:
    """Each variant's scores on each outer fold (and, for a graph variant, its stage one's as
    ``NAME, no graph``); ``with_bag`` adds each fit's fold boosters averaged as ``NAME, fold bag``.
    ``fold_done`` gets the scores so far after each outer fold (a long run's partial results)."""
    frame = frame.reset_index(drop=True)
    labels = frame["label"].astype(int)
    folds = list(grouped_folds(labels, frame[NUMBER_COLUMN], outer_folds, seed))[:max_folds]
    graphs = [_graph_for(variant, graph) for variant in variants]
    scored: dict[str, list[HeldOutScores]] = {}
    for train_idx, test_idx in folds:
        train, test = frame.iloc[train_idx].reset_index(drop=True), frame.iloc[test_idx].reset_index(drop=True)
        for variant, variant_graph in zip(variants, graphs, strict=True):
            for name, held_out in _fit_and_score(variant, train, test, variant_graph, with_bag).items():
                scored.setdefault(name, []).append(held_out)
        if fold_done is not None:
            fold_done(scored)
    return scored


def compare(
    scored: Mapping[str, Sequence[HeldOutScores]],
    paired: Sequence[tuple[str, str]] = (),
    with_bag: bool = False,
    evaluation: EvaluationConfig | None = None,
) -> dict[str, dict]:
    """Per-variant metrics per fold, their mean and 95 % t-interval over folds.

    With ``with_bag`` (issue #12), each ``NAME`` that has a ``NAME, fold bag`` also gets the paired
    per-fold difference ``NAME: refit − bag``. Each ``(first, other)`` of ``paired`` (names as
    scored) adds ``first − other``: the per-fold differences and, under ``bootstrap``, the paired
    bootstrap interval of their mean (``evaluation.bootstrap`` settings; the shipped
    configs/evaluation.yaml by default).

    Raises:
        ValueError: a pair's two variants were not scored on the same numbers, fold by fold.
    """
    pairs = [*paired, *((name, f"{name}, fold bag") for name in scored if with_bag and f"{name}, fold bag" in scored)]
    result = {name: summarise([held_out.metrics() for held_out in rows]) for name, rows in scored.items()}
    for first, other in pairs:
        name = f"{first}: refit − bag" if other == f"{first}, fold bag" else f"{first} − {other}"
        result[name] = _difference(scored[first], scored[other], evaluation or load_evaluation_config())
    return result


def save_scores(scored: Mapping[str, Sequence[HeldOutScores]], path: str | Path) -> None:
    """Write :func:`nested_scores`' output as JSON, so a later run can pair its variants with these
    without refitting them (floats written at full precision)."""
    rows = {name: [{"numbers": s.numbers.tolist(), "labels": s.labels.tolist(), "scores": s.scores.tolist(), "warn": s.warn}
                   for s in folds] for name, folds in scored.items()}
    Path(path).write_text(json.dumps(rows), encoding="utf-8")


def load_scores(path: str | Path) -> dict[str, list[HeldOutScores]]:
    """Read what :func:`save_scores` wrote."""
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    return {name: [HeldOutScores(np.asarray(f["numbers"], dtype=object), np.asarray(f["labels"], dtype=int),
                                 np.asarray(f["scores"], dtype=float), float(f["warn"])) for f in folds]
            for name, folds in rows.items()}


def _graph_for(variant: Variant, graph: CallGraph) -> CallGraph:
    """``graph`` seen with the variant's graph settings (PageRank damping, Leiden resolution, …):
    the same links, its own dens (computed once per variant, not per fold)."""
    return graph if graph.config == variant.config.graph else dataclasses.replace(graph, config=variant.config.graph)


def _difference(first: Sequence[HeldOutScores], other: Sequence[HeldOutScores], evaluation: EvaluationConfig) -> dict:
    """Per-fold differences (first − other) summarised, plus their paired bootstrap interval."""
    if len(first) != len(other) or any(not np.array_equal(a.numbers, b.numbers) for a, b in zip(first, other, strict=False)):
        raise ValueError("paired variants must be scored on the same numbers, fold by fold (same data, folds and seed)")
    rows = [{m: a.metrics()[m] - b.metrics()[m] for m in REPORTED} for a, b in zip(first, other, strict=True)]
    pairs = [FoldPair(a.labels, a.scores, a.warn, b.scores, b.warn) for a, b in zip(first, other, strict=True)]
    return {**summarise(rows), "bootstrap": paired_fold_difference(pairs, evaluation)}


def _fit_and_score(
    variant: Variant, train: pd.DataFrame, test: pd.DataFrame, graph: CallGraph, with_bag: bool = False,
) -> dict[str, HeldOutScores]:
    keep = [NUMBER_COLUMN, "label", *(variant.columns or [c for c in train.columns if c not in (NUMBER_COLUMN, "label")])]
    called = fit_call_model(train[keep], variant.config, graph if variant.graph else None)
    records = test[keep].drop(columns="label")
    y = test["label"].astype(int).to_numpy()
    out = {}
    if called.own_columns is not None:
        out[f"{variant.name}, no graph"] = _held_out(called.own_columns.model, records, y)
        records = add_graph_features(records, graph, called.fit.model.graph, evaluation=True)
    out[variant.name] = _held_out(called.fit.model, records, y)
    if with_bag:
        out[f"{variant.name}, fold bag"] = _held_out(called.fit.cross_fitted_model(), records, y)
    return out


def _held_out(model: ScamModel, records: pd.DataFrame, y: np.ndarray) -> HeldOutScores:
    """``model``'s scores on ``records`` and its own warn threshold (set on its out-of-fold training scores)."""
    return HeldOutScores(records[NUMBER_COLUMN].astype(str).to_numpy(dtype=object), y, model.score(records), model.thresholds.warn)


def summarise(rows: Sequence[dict[str, float]]) -> dict:
    """Mean, 95 % t-interval half-width and the per-fold values of each reported metric."""
    out: dict = {"folds": len(rows)}
    for metric in REPORTED:
        values = np.array([row[metric] for row in rows])
        half = float("nan")
        if len(values) > 1:
            half = float(stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values)))
        out[metric] = {"mean": float(values.mean()), "ci95": half, "per_fold": values.round(4).tolist()}
    return out
