"""Wire the report to registered models: load, score, explain, write files, log to MLflow.

Only the rows the report shows (worst errors, disagreements) are explained: LightGBM
``pred_contrib`` over a whole evaluation set would cost more than the rest of the report.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from mlflow import MlflowClient

from configs.report import ReportConfig
from models.registry import load_scam_model, resolve_model_version
from models.scam_model import REFERENCE_SCORE, ScamModel, Scored
from training.data.datasets import load_for_model
from training.report import Report, build_report
from training.report import metrics as M
from training.report.inputs import EvalData, ModelRun
from training.tables import write_texts


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    metrics: Path
    report: Report
    notes: dict  # the load's (training.data.datasets.load_for_model): bad rows, missing columns, links


def eval_data(frame: pd.DataFrame) -> EvalData:
    """The report's view of a labelled frame: SMS records, or call profiles (shown by number)."""
    key = "id" if "id" in frame else "phone_no_m"
    return EvalData(
        labels=frame["label"].astype(int).to_numpy(),
        texts=frame["text" if "text" in frame else key].astype(str).tolist(),
        ids=frame[key].astype(str).tolist(),
        fraud_types=_cells(frame, "fraud_type"),
        senders=_cells(frame, "sender"),
        categories=_cells(frame, "category"),
    )


def _cells(frame: pd.DataFrame, column: str) -> list | None:
    """A column's cells with every empty one None (pandas reads them as NaN, which is truthy: an
    empty fraud type was reported as a type "nan"); None without the column."""
    if column not in frame:
        return None
    return [None if pd.isna(value) else value for value in frame[column].tolist()]


def _column(features, index: int) -> np.ndarray:
    column = features[:, index]
    return np.asarray(column.toarray() if sp.issparse(column) else column, dtype=float).ravel()


def model_run(model: ScamModel, name: str, records: pd.DataFrame) -> tuple[ModelRun, Scored]:
    """Score ``records`` once; returns the run (no reasons yet) and what explaining reads (the
    features and, for SMS, the normalised texts a cue's reason quotes)."""
    scored = model.scored(records)
    features, scores = scored.features, scored.scores
    actions, categories, fraud_scores = model.acted(scored)
    reference = dict(model.reference)
    reference_scores = reference.pop(REFERENCE_SCORE, None)
    positions = {feature: j for j, feature in enumerate(model.feature_names)}
    run = ModelRun(
        name=name,
        scores=scores,
        block=model.thresholds.block,
        warn=model.thresholds.warn,
        importances=dict(zip(model.feature_names, model.booster.feature_importance("gain").astype(float), strict=False)),
        features={f: _column(features, positions[f]) for f in reference if f in positions},
        reference_scores=reference_scores,
        reference_features=reference or None,
        served_actions=actions,
        categories=categories if model.category_head is not None else None,
        fraud_scores=fraud_scores,
    )
    return run, scored


def with_reasons(run: ModelRun, model: ScamModel, scored: Scored, rows: Sequence[int], records: pd.DataFrame | None = None) -> ModelRun:
    """``run`` with the model's reasons filled in for ``rows`` (other rows get none): explained as
    :meth:`ScamModel.decide` explains a flagged message, script cues quoting its words."""
    reasons: list[list[str]] = [[] for _ in range(len(run.scores))]
    rows = sorted(set(rows))
    if rows:
        shown = None if records is None else records.iloc[rows]
        texts = None if scored.texts is None else [scored.texts[i] for i in rows]
        for row, explanation in zip(rows, model.explain_features(scored.features[rows], shown, texts), strict=False):
            reasons[row] = explanation
    return ModelRun(**{**run.__dict__, "reasons": reasons})


@dataclass(frozen=True)
class Compared:
    """The second model of a report and the evaluated rows as that model scores them.

    Its own rows, not the first model's: a call model's graph columns come from its own known-fraud
    set (and CDR profiles from its own profile config), so rows featurised for the first model
    would score a challenger on the champion's knowledge, not as ``yunmao evaluate`` scores it.
    """

    model: ScamModel
    name: str
    records: pd.DataFrame


def compared_model(compare_uri: str, kind: str, name: str) -> tuple[ScamModel, str]:
    """The model at ``compare_uri`` and its report name (``NAME vV``), checked to be of ``kind``.

    Raises:
        ValueError: a model of the other kind (a call model scores SMS records as all-unknown: a
            constant score, shown as a comparison otherwise); ``name`` is the first model's.
    """
    other_name, other_version = resolve_model_version(compare_uri)
    model = load_scam_model(f"models:/{other_name}/{other_version}")
    if model.kind != kind:
        raise ValueError(f"--compare {compare_uri} is a {model.kind} model and {name} a {kind} model: "
                         "compare two models of the same kind")
    return model, f"{other_name} v{other_version}"


def aligned(records: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """``other`` (the same file loaded for another model) in the row order of ``records``, so both
    models' scores pair row by row against one set of labels.

    Raises:
        ValueError: the two loads hold different records (e.g. CDR profile windows that keep
            different numbers): the models cannot be compared row by row.
    """
    key = "id" if "id" in records else "phone_no_m"
    keys, other_keys = records[key].astype(str), other[key].astype(str)
    if keys.tolist() == other_keys.tolist():
        return other
    if keys.is_unique and other_keys.is_unique and set(keys) == set(other_keys):
        return other.set_index(other_keys).loc[keys].reset_index(drop=True)
    missing = len(set(keys).symmetric_difference(other_keys))
    raise ValueError(f"the two models read different records from the data ({missing} {key}s in one load only): "
                     "they cannot be compared row by row")


def evaluate_for_report(
    model: ScamModel, name: str, version: str, records: pd.DataFrame, config: ReportConfig,
    other: Compared | None = None,
) -> Report:
    """Build the report of ``model`` (registered as ``name`` ``version``) on labelled ``records``,
    optionally set against ``other`` (scored on its own rows, against the labels of ``records``).

    Raises:
        ValueError: ``other`` read different records (:func:`aligned`).
    """
    other_run = None
    if other is not None:
        other_run, _ = model_run(other.model, other.name, aligned(records, other.records))
    data = eval_data(records)
    run, scored = model_run(model, f"{name} v{version}", records)
    shown = [i for rows in M.worst_errors(data.labels, run, config.worst_examples).values() for i in rows]
    return build_report(data, with_reasons(run, model, scored, shown, records), config, other_run)


def log_report(name: str, version: str, html: Path, metrics: Path) -> str:
    """Attach the report files to the run that produced model ``name`` ``version``; returns the artifact path."""
    run_id = MlflowClient().get_model_version(name, version).run_id
    artifact_path = f"reports/{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%S%fZ')}"
    client = MlflowClient()
    client.log_artifact(run_id, str(html), artifact_path)
    client.log_artifact(run_id, str(metrics), artifact_path)
    client.set_tag(run_id, "yunmao.last_report", artifact_path)
    return artifact_path


def report_for_model(
    model_uri: str,
    data_paths: Sequence[str | Path],
    fmt: str,
    compare_uri: str | None,
    out_dir: Path,
    config: ReportConfig,
    features: Sequence[str | Path] = (),
    links: Sequence[str | Path] = (),
) -> ReportFiles:
    """`yunmao report`: evaluate, write ``report.html`` + ``metrics.json`` in ``out_dir``, log both to MLflow.

    The ``--compare`` model loads and featurises the same files for itself (:class:`Compared`);
    ``metrics.json`` carries the first model's load notes beside its figures and the compared
    model's inside its ``compare`` block (its own missing columns, links and left-out rows).
    """
    name, version = resolve_model_version(model_uri)
    model = load_scam_model(f"models:/{name}/{version}")
    other = compared_model(compare_uri, model.kind, f"{name} v{version}") if compare_uri else None  # before any load

    def rows_for(scorer: ScamModel) -> tuple[pd.DataFrame, dict]:
        frame, notes = load_for_model(scorer, data_paths, fmt, labelled=True, features=features, links=links)
        return frame.reset_index(drop=True), notes

    frame, notes = rows_for(model)
    compared, compared_notes = None, {}
    if other is not None:
        other_model, other_name = other
        other_frame, compared_notes = rows_for(other_model)
        compared = Compared(other_model, other_name, other_frame)
    report = evaluate_for_report(model, name, version, frame, config, compared)
    payload = {**report.metrics, **notes, "model_uri": f"models:/{name}/{version}", "data": [str(p) for p in data_paths]}
    if compared is not None:
        payload["compare"] = {**payload["compare"], **compared_notes}
    written = write_texts(out_dir, {"report.html": report.html, "metrics.json": json.dumps(payload, ensure_ascii=False, indent=1)})
    html, metrics = written["report.html"], written["metrics.json"]
    log_report(name, version, html, metrics)
    return ReportFiles(html=html, metrics=metrics, report=report, notes=notes)
