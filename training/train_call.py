"""``yunmao train call``: CDRs or per-number profiles (+ extra tables, + links) → registered challenger.

With links, the model is fitted in two stages on identical folds: stage one sees only each
number's own columns and yields out-of-fold scores; stage two adds graph features, computed
per fold from the labels of the *other* folds only and from stage-one scores of boosters that
never trained on the fold, so no number's label or score feeds its own features, not even
through a model that learnt from it. The fitted model carries the known-label set its
graph features use at scoring time (:class:`features.graph.knowledge.GraphKnowledge`), and a
flagged number whose den is mostly confirmed fraud (``graph.den_reason_min_share``) leads its
reasons with that den (:data:`features.graph.reasons.GRAPH_LEAD_REASONS`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from configs.call import CallConfig
from features.calls.featuriser import build_call_featuriser
from features.calls.reasons import CALL_REASON_TEMPLATES
from features.graph.features import out_of_fold_graph_features
from features.graph.knowledge import GraphKnowledge
from features.graph.links import CallGraph
from features.graph.reasons import DEN_FRAUD_SHARE, GRAPH_LEAD_REASONS
from training.data.call_tables import join_feature_tables, load_links
from training.data.cdr import load_call_records
from training.fit import FitResult, fit_scam_model, fold_excluded_scores, row_weights
from training.tracking import TrainOutcome, log_and_register

NUMBER_COLUMN = "phone_no_m"


@dataclass
class CallFit:
    """A fitted call model plus what its inputs were (for the MLflow data report).

    ``own_columns``: with a graph, the stage-one model on the numbers' own columns only (the
    no-graph model on identical folds, kept for comparison); None without a graph.
    """

    fit: FitResult
    data_report: dict = field(default_factory=dict)
    own_columns: FitResult | None = None


def load_call_frame(
    paths: Sequence[str | Path], cfg: CallConfig, fmt: str = "auto", features: Sequence[str | Path] = ()
) -> tuple[pd.DataFrame, dict]:
    """Profiles from every ``--data`` path with the ``--features`` tables joined on; plus a load report."""
    frame, loaded = load_call_records(paths, fmt, cfg.profiles)
    frame, feature_reports = join_feature_tables(frame, features)
    report = {"files": [r.as_dict() for r in loaded], "feature_tables": feature_reports, "numbers": len(frame)}
    return frame, report


def fit_call_model(frame: pd.DataFrame, cfg: CallConfig, graph: CallGraph | None = None) -> CallFit:
    """Fit the call model on labelled ``frame``; with a ``graph``, in two stages with graph features.

    ``graph`` must hold every number of ``frame`` (see :meth:`CallGraph.from_links`) and be
    built with ``cfg.graph``; numbers it holds beyond ``frame`` are unlabelled vertices.

    Raises:
        ValueError: a row lacks a label; links unusable (:class:`features.graph.links.LinkError`).
    """
    frame = frame.reset_index(drop=True)
    if "label" not in frame or frame["label"].isna().any():
        raise ValueError("every number needs a label: a profile table's 'label' column or the CDR folder's labels.csv")
    own = _fit(frame, cfg)
    if graph is None:
        return CallFit(own)
    stage = graph_stage(frame, cfg, graph, own)
    fit = _fit(frame, cfg, fold_columns=stage.fold_columns)
    fit.model.graph = stage.knowledge
    fit.model.lead_reasons = GRAPH_LEAD_REASONS
    fit.model.lead_minimums = {DEN_FRAUD_SHARE: cfg.graph.den_reason_min_share}
    return CallFit(fit, {"links": graph.report.as_dict(), "graph_knowledge": stage.knowledge.summary()}, own_columns=own)


@dataclass(frozen=True)
class GraphStage:
    """What stage two takes from stage one: its rows' graph columns per fold, and the known set
    (labels and stage-one out-of-fold scores) the fitted model carries to scoring.

    One object for both, so training's den member scores are made as scoring's are (out of fold,
    from stage one's boosters); tests/quality/test_call_graph.py compares the two sides' columns
    from it. ``own_features``, ``weights``: stage one's input rows and row weights (None: unweighted).
    """

    graph: CallGraph
    numbers: pd.Index
    labels: np.ndarray
    knowledge: GraphKnowledge
    cfg: CallConfig
    own_features: np.ndarray
    weights: np.ndarray | None

    def fold_columns(self, folds: Sequence[tuple[np.ndarray, np.ndarray]]) -> pd.DataFrame:
        """Graph columns of every training row, each fold's rows from the other folds' labels and
        from den member scores that never saw the fold's labels (:meth:`fold_member_scores`)."""
        return out_of_fold_graph_features(
            self.graph, self.numbers, self.labels, folds, member_scores=self.fold_member_scores(folds))

    def fold_member_scores(self, folds: Sequence[tuple[np.ndarray, np.ndarray]]) -> list[pd.Series]:
        """Per fold, stage-one scores of the other folds' numbers from boosters that trained on
        neither that fold nor the number's own (:func:`training.fit.fold_excluded_scores`).

        The scores the model carries to scoring (``knowledge.member_scores``) are out of fold, but
        the score of a number in fold m came from a booster trained on fold k: averaged into the den
        member score of fold k's rows, it would carry their own labels back to them (a second-order
        leak that no PSI shows). A number scored later has its label in none of the scores its den
        averages; training's rows now neither.
        """
        scores = fold_excluded_scores(self.own_features, self.labels, pd.Series(self.numbers), folds,
                                      self.cfg.lightgbm, self.cfg.split, self.weights)
        return [pd.Series(fold_scores, index=self.numbers).dropna() for fold_scores in scores]


def graph_stage(frame: pd.DataFrame, cfg: CallConfig, graph: CallGraph, own: FitResult) -> GraphStage:
    """Stage two's graph inputs from labelled ``frame`` and ``own``, stage one's fit on it.

    Den member scores are stage one's *out-of-fold* scores, in training and at scoring alike: a
    refitted model's scores of its own training numbers are in-sample, not the kind of score a
    training row's den saw. Scoring's are ``own``'s (the model carries them); training's come from
    boosters trained as stage one's are, on neither the row's fold nor the member's
    (:meth:`GraphStage.fold_member_scores`).
    """
    frame = frame.reset_index(drop=True)
    numbers = pd.Index(frame[NUMBER_COLUMN].astype(str))
    labels = frame["label"].astype(int).to_numpy()
    knowledge = GraphKnowledge(
        known=pd.Series(labels, index=numbers), config=cfg.graph, member_scores=pd.Series(own.oof_scores, index=numbers),
        sources={"training": len(labels)}, label_folds=cfg.split.folds,
    )
    return GraphStage(graph, numbers, labels, knowledge, cfg, own.model.featuriser.transform(frame), row_weights(frame))


def _fit(frame: pd.DataFrame, cfg: CallConfig, fold_columns=None) -> FitResult:
    """One fit of the call ScamModel (no MLflow); it keeps ``cfg.profiles`` so raw CDRs scored
    later become profiles exactly as this training built them."""
    fit = fit_scam_model(
        frame,
        kind="call",
        featuriser=build_call_featuriser(cfg),
        groups=frame[NUMBER_COLUMN],
        lightgbm=cfg.lightgbm,
        thresholds=cfg.thresholds,
        split=cfg.split,
        serve=cfg.serve,
        reason_templates=CALL_REASON_TEMPLATES,
        max_reasons=cfg.max_reasons,
        fold_columns=fold_columns,
    )
    return dataclasses.replace(fit, model=dataclasses.replace(fit.model, profile_config=cfg.profiles))


def call_input_example(feature_names: Sequence[str]) -> pd.DataFrame:
    """A made-up profile row with the model's columns (the registry is no place for real numbers)."""
    return pd.DataFrame([{NUMBER_COLUMN: "example-number", **{name: 0.0 for name in feature_names}}])


def train_call(
    paths: Sequence[str | Path],
    cfg: CallConfig,
    fmt: str = "auto",
    name: str | None = None,
    features: Sequence[str | Path] = (),
    links: Sequence[str | Path] = (),
) -> TrainOutcome:
    """Load (building profiles from CDRs when given a CDR folder), fit, log and register."""
    frame, data_report = load_call_frame(paths, cfg, fmt, features)
    graph = CallGraph.from_links(load_links(links), frame[NUMBER_COLUMN].astype(str), cfg.graph) if links else None
    called = fit_call_model(frame, cfg, graph)
    return log_and_register(
        called.fit,
        experiment=cfg.experiment,
        name=name or cfg.name,
        params=cfg.model_dump(mode="json"),
        data_report={**data_report, **called.data_report},
        input_example=call_input_example(called.fit.model.feature_names),
    )
