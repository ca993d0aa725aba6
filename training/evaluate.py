"""``yunmao evaluate``: any model version on any labelled set, as one JSON-able dict."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from configs.evaluation import EvaluationConfig, load_evaluation_config
from features.labels import shipped_taxonomy
from models.scam_model import ALLOW, BLOCK, CategoryHead, ScamModel
from training.bootstrap import ranking_with_intervals
from training.category_figures import category_figures, category_rows, known_categories
from training.data.datasets import describe_bad_rows, load_for_model
from training.data.sms.dedupe import drop_duplicates
from training.metrics import binary_report, fraud_type_recall, macro_f1, one_class


def evaluate_files(
    model: ScamModel, paths: Sequence[str | Path], fmt: str = "auto",
    features: Sequence[str | Path] = (), links: Sequence[str | Path] = (),
    *, unique: bool = False, evaluation: EvaluationConfig | None = None,
) -> dict:
    """:func:`evaluate_model` on every row of labelled files, plus what the model had to score as unknown.

    Every row counts (``n`` is the number of rows read), so the figures compare with another
    tool's on the same file. ``unique`` adds a ``"unique"`` block: the same metrics on the
    distinct normalised texts (the first copy of each, a text labelled both ways counted as
    unwanted), with ``duplicates_removed``.

    Call models: ``features`` tables are joined; graph features use ``links`` and the model's
    known labels only, so the evaluated file's labels cannot reach any score.

    Raises:
        ValueError: unreadable data, or ``unique`` for a call model.
    """
    if unique and model.kind == "call":
        raise ValueError("--unique applies to SMS models only (call data has one row per number already)")
    evaluation = evaluation or load_evaluation_config()
    frame, notes = load_for_model(model, paths, fmt, labelled=True, features=features, links=links)
    try:
        metrics = evaluate_model(model, frame, evaluation)
    except ValueError as exc:  # e.g. one class left: say which rows the load dropped, often the cause
        if (described := describe_bad_rows(notes)) is None:
            raise
        raise ValueError(f"{exc}; {described}") from exc
    report = {"rows": "every row", **metrics, **notes}
    if unique:
        deduplicated = drop_duplicates(frame)
        report["unique"] = {"rows": "distinct normalised texts", "duplicates_removed": deduplicated.duplicates_removed,
                            **evaluate_model(model, deduplicated.frame, evaluation)}
    return report


def evaluate_model(model: ScamModel, frame: pd.DataFrame, evaluation: EvaluationConfig | None = None) -> dict:
    """Ranking metrics and recall at the configured false positive rates, each with bootstrap
    interval bounds (``roc_auc``, ``roc_auc_ci_low``, ``roc_auc_ci_high``, …; ``evaluation`` or the
    shipped ``configs/evaluation.yaml``), block/warn-threshold metrics, recall at block and warn per
    fraud type (``fraud_types``, empty without a fraud_type column), (when typed) fraud-type
    macro-F1 and (when the model and data know categories) the same ranking figures for
    ``fraud_score``, category macro-F1 and ``category_rows``: the report's figures, one definition.

    ``fraud_type_macro_f1`` is measured on the fraud rows whose type the model knows: it
    grades the type head on its own, apart from the block/allow decision. A single class is
    evaluated too, with ``one_class`` saying what it leaves null (:func:`training.metrics.one_class`).
    """
    if frame.empty:
        raise ValueError("no labelled rows to evaluate")
    labels = frame["label"].astype(int).to_numpy()
    evaluation = evaluation or load_evaluation_config()
    scored = model.scored(frame)
    features, scores = scored.features, scored.scores
    actions, categories, fraud_scores = model.acted(scored)
    report = {**binary_report(labels, scores, model.thresholds.block, model.thresholds.warn, actions),
              **ranking_with_intervals(labels, scores, evaluation)}
    if (note := one_class(labels)) is not None:
        report["one_class"] = note
    report["fraud_types"] = fraud_type_recall(labels, frame.get("fraud_type"), actions == BLOCK, actions != ALLOW)
    head = model.fraud_type_head
    if head is not None and "fraud_type" in frame:
        typed = np.flatnonzero((labels == 1) & frame["fraud_type"].isin(head.classes).to_numpy())
        if len(typed):
            predicted, _ = head.predict(features[typed])
            report["fraud_type_macro_f1"] = macro_f1(frame["fraud_type"].iloc[typed].tolist(), predicted)
            report["fraud_type_n"] = int(len(typed))
    if (category_head := model.category_head) is not None and "category" in frame:
        report.update(_category_report(frame["category"].tolist(), categories, fraud_scores, category_head, evaluation))
    if scored.known is not None:
        # Rows whose template the model's memory saw labelled in training: their scores lean on those
        # labels, so on a file that overlaps the training data they measure recall of memory, not the model.
        report["rows_with_template_labelled_in_training"] = int(scored.known.sum())
    return report


def _category_report(true: list[str | None], predicted: list[str | None], fraud_scores: np.ndarray,
                     head: CategoryHead, evaluation: EvaluationConfig) -> dict:
    """:func:`training.category_figures.category_figures` plus, where the data knows a true
    category, ``category_rows``: per true category what the head called it, in the taxonomy's
    order as the report shows it. Macro-F1 says how good the head is; the rows say which
    categories it mistakes for which, what an analyst acts on."""
    figures = category_figures(true, predicted, fraud_scores, head.fraud, head.ham, evaluation)
    if known_categories(true).any():
        figures["category_rows"] = category_rows(true, predicted, shipped_taxonomy().categories)
    return figures
