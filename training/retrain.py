"""``yunmao retrain``: train a challenger, judge it against the champion, promote only through the gates.

One run, unattended and safe to repeat on a schedule:

1. take a per-model file lock in the data dir, so two runs never race on the same alias
   (a second run waits ``lock_timeout_s`` from ``configs/retrain.yaml``, then gives up:
   :class:`RetrainLocked`, exit code 3 on the command line);
2. train the challenger on the base data (+ feedback) with the kind's config; it is registered
   and gets alias ``challenger`` as any ``yunmao train`` does;
3. score the challenger and the current champion on the same fixed evaluation set, minus the rows
   the challenger trained on, and apply the gates (``training.gates``); from raw CDRs each call
   model is scored on the profiles its own profile config builds, for the same numbers;
4. record the decision, both metric sets, the gate results and the evaluation report on the
   challenger's MLflow run, then move alias ``champion`` if the gates passed — unless two-phase
   promotion is configured (``shadow_gates``): the challenger then stays at alias ``challenger``
   for the service to shadow, and ``yunmao promote`` applies the shadow gates (``training/shadow``).

The only state is the registry: a failed or repeated run leaves at most an extra, unpromoted
version. The running service serves ``models:/NAME@champion``; it picks up a promotion on its
reload poll (``configs/serving.yaml`` ``reload.poll_interval_s`` > 0) or on
``POST /v1/admin/reload``, with no restart and no change here.
"""

from __future__ import annotations

import dataclasses
import json
import math
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import mlflow
import pandas as pd
from filelock import FileLock, Timeout

from configs import default_config_path, load_config
from configs.call import CallConfig
from configs.paths import data_dir
from configs.report import load_report_config
from configs.retrain import RetrainConfig
from configs.sms import SmsConfig
from features.labels import shipped_taxonomy
from models.provenance import IncompatibleModelError
from models.registry import CHAMPION, ModelNotFoundError, check_scorable_here, load_scam_model, resolve_model_version, set_alias
from models.scam_model import ScamModel
from training.data.call_tables import load_links
from training.data.datasets import ready_for_model
from training.evaluate import evaluate_model
from training.gates import GateDecision, decide_promotion
from training.report.model import Compared, evaluate_for_report, log_report
from training.retrain_data import EvalSet, Kind, calls_outside_window_note, evaluation_set, model_rows, training_set
from training.train import train_sms
from training.train_call import train_call

LOCKED_EXIT_CODE = 3
CONFIG_MODELS = {"sms": SmsConfig, "call": CallConfig}


class RetrainLocked(RuntimeError):
    """Another retrain of the same model holds the lock."""


@dataclass(frozen=True)
class RetrainRequest:
    """What ``yunmao retrain`` was asked: ``fmt`` reads ``data``, ``eval_fmt`` the evaluation files."""

    kind: Kind
    data: Sequence[Path]
    eval_paths: Sequence[Path] | None = None
    fmt: str = "auto"
    eval_fmt: str = "auto"
    feedback: bool = False
    name: str | None = None
    report: bool = True
    features: Sequence[Path] = ()  # call models: extra per-number tables (training and evaluation)
    links: Sequence[Path] = ()  # call models: links between numbers for graph features


@dataclass(frozen=True)
class RetrainResult:
    promoted: bool
    why: str
    challenger: str
    champion_before: str | None
    champion_after: str | None
    metrics: dict[str, Any]
    eval_rows: int
    eval_removed_overlap: int
    feedback_rows: int
    run_id: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def model_config(kind: Kind, config: RetrainConfig) -> SmsConfig | CallConfig:
    """The kind's training config: the one ``configs/retrain.yaml`` names, else the shipped default."""
    return load_config(config.training_config.path(kind) or default_config_path(kind), CONFIG_MODELS[kind])


def lock_path(name: str) -> Path:
    return data_dir() / f"retrain-{name}.lock"


def current_champion(name: str) -> str | None:
    """``models:/NAME/V`` the champion alias points at now, or None before the first promotion."""
    try:
        return "models:/{}/{}".format(*resolve_model_version(f"models:/{name}@{CHAMPION}"))
    except ModelNotFoundError:
        return None


def refuse_incomparable_champion(champion: str) -> None:
    """Raise, before any training, when this checkout cannot score ``champion`` (``models:/NAME/V``)
    as it was trained: the gates would compare the challenger with features the champion never saw,
    and this checkout would not serve it either (``models/provenance``).

    Raises:
        IncompatibleModelError: what differs, and how to replace the champion instead.
    """
    try:
        check_scorable_here(*resolve_model_version(champion))
    except IncompatibleModelError as exc:
        raise IncompatibleModelError(
            f"cannot compare a challenger with the champion here: {exc}. To replace it, train a model with this "
            "checkout (yunmao train) and promote it (yunmao promote)"
        ) from exc


def numeric_metrics(metrics: dict[str, Any], prefix: str) -> dict[str, float]:
    """Flatten nested metrics (``warn.recall``) into MLflow metrics, keeping finite numbers only."""
    flat = pd.json_normalize(metrics, sep=".").iloc[0].to_dict()
    return {f"{prefix}{key}": float(value) for key, value in flat.items()
            if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)}


def awaits_shadow(config: RetrainConfig, champion: str | None) -> bool:
    """Two-phase promotion: a challenger passing the offline gates waits for live shadow evidence,
    unless there is no champion yet to shadow it beside."""
    return config.shadow_gates.enabled and champion is not None


def record_decision(result: RetrainResult, decision: GateDecision, inputs: dict[str, Any]) -> None:
    """Decision tags, both metric sets and the gate results on the challenger's run."""
    with mlflow.start_run(run_id=result.run_id):
        mlflow.set_tags({
            "yunmao.retrain.decision": "promoted" if result.promoted else "rejected",
            "yunmao.retrain.why": result.why[:5000],
            "yunmao.retrain.champion_before": result.champion_before or "none",
        })
        mlflow.log_metrics({"eval_rows": result.eval_rows, "eval_removed_overlap": result.eval_removed_overlap,
                            "feedback_rows": result.feedback_rows})
        mlflow.log_metrics(numeric_metrics(result.metrics["challenger"], "eval_challenger_"))
        if result.metrics["champion"] is not None:
            mlflow.log_metrics(numeric_metrics(result.metrics["champion"], "eval_champion_"))
        mlflow.log_dict({**decision.as_dict(), **inputs, "champion_before": result.champion_before},
                        "retrain/gates.json")


def scored_view(model_uri: str, evaluation: EvalSet, links: pd.DataFrame | None) -> tuple[ScamModel, pd.DataFrame, dict]:
    """A model and the evaluation rows as it scores them: call models get the profiles their own
    profile config builds from raw CDRs (:func:`~training.retrain_data.model_rows`; notes count the
    numbers its window leaves without calls) and their own graph columns; every model names the
    messages it allows by the shipped rule (:func:`under_shipped_category_rule`)."""
    model = under_shipped_category_rule(load_scam_model(model_uri))
    if model.kind != "call":
        return model, evaluation.frame, {}
    frame = model_rows(evaluation, model.profile_config)
    notes = calls_outside_window_note(evaluation, frame)
    if links is None:
        return model, frame, notes
    frame, graph_notes = ready_for_model(model, frame, links, evaluation=True)
    return model, frame, {**notes, **graph_notes}


def under_shipped_category_rule(model: ScamModel) -> ScamModel:
    """``model`` naming the messages its thresholds allow as ``configs/taxonomy.yaml``
    ``allowed_category`` says today, whatever rule it was trained under (its actions are the same).

    The rule changes ``category_macro_f1`` without changing a decision: on a ham-heavy set one
    model read 0.048 [0.041, 0.056] lower under ``head`` than under ``ham`` (benchmarks/category_rule.py,
    docs/benchmarks.md), five times the gate's tolerance, so a champion from before the rule would
    refuse a challenger as good as itself. Both are scored alike.
    """
    if model.category_head is None:
        return model
    return dataclasses.replace(model, allowed_category_from_head=shipped_taxonomy().allowed_category == "head")


def evaluate_uri(model_uri: str, evaluation: EvalSet, links: pd.DataFrame | None) -> dict:
    model, frame, notes = scored_view(model_uri, evaluation, links)
    return {**evaluate_model(model, frame), **notes}


def log_eval_report(name: str, version: str, evaluation: EvalSet, champion: str | None, workdir: Path,
                    links: pd.DataFrame | None = None) -> None:
    """The analyst report of the challenger (beside the champion) on the evaluation set, under its run.

    Each model is scored on its own view of the set, as the gates score it (:func:`scored_view`): a
    champion scored on the challenger's graph columns would be judged on the challenger's known set,
    and on the challenger's profiles on a window it was not trained with.
    """
    model, frame, _ = scored_view(f"models:/{name}/{version}", evaluation, links)
    other = None
    if champion is not None:
        champion_model, champion_frame, _ = scored_view(champion, evaluation, links)
        other = Compared(champion_model, "{} v{}".format(*resolve_model_version(champion)), champion_frame)
    report = evaluate_for_report(model, name, version, frame, load_report_config(), other)
    html, metrics = workdir / "report.html", workdir / "metrics.json"
    html.write_text(report.html, encoding="utf-8")
    metrics.write_text(json.dumps(report.metrics, ensure_ascii=False, indent=1), encoding="utf-8")
    log_report(name, version, html, metrics)


def retrain(request: RetrainRequest, config: RetrainConfig) -> RetrainResult:
    """One champion/challenger round (see the module docstring).

    Raises:
        RetrainLocked: another retrain of this model is running.
        ValueError: no evaluation set, unreadable data, or an evaluation set without both classes.
    """
    cfg = model_config(request.kind, config)
    name = request.name or cfg.name
    default_eval = config.eval_data.path(request.kind)
    eval_paths = list(request.eval_paths or ([default_eval] if default_eval else []))
    if not eval_paths:
        raise ValueError(f"no evaluation set: pass --eval or set eval_data.{request.kind} in the retrain config")
    try:
        with FileLock(lock_path(name), timeout=config.lock_timeout_s), tempfile.TemporaryDirectory() as tmp:
            return _retrain_locked(request, eval_paths, config, cfg, name, Path(tmp))
    except Timeout as exc:
        raise RetrainLocked(
            f"another retrain of {name!r} holds {lock_path(name)} (waited {config.lock_timeout_s:g}s); try later"
        ) from exc


def _retrain_locked(request: RetrainRequest, eval_paths: list[Path], config: RetrainConfig,
                    cfg: SmsConfig | CallConfig, name: str, workdir: Path) -> RetrainResult:
    """The round itself, under the lock: inputs are checked before any training starts."""
    kind = request.kind
    if kind == "sms" and (request.features or request.links):
        raise ValueError("--features and --links apply to call models only")
    train = training_set(kind, request.data, request.fmt, cfg, request.feedback, workdir)
    evaluation = evaluation_set(kind, eval_paths, request.eval_fmt, cfg, train.keys, request.features)
    links = load_links(request.links) if request.links else None
    champion = current_champion(name)
    champion_metrics = None
    if champion is not None:
        refuse_incomparable_champion(champion)
        # Scored before the challenger is trained: a champion this set cannot be scored for (its
        # profile view of the CDRs lacks an evaluation number) is refused before an hour of fitting.
        champion_metrics = evaluate_uri(champion, evaluation, links)
    if kind == "call":
        outcome = train_call(train.paths, cfg, train.fmt, name, features=request.features, links=request.links)
    else:
        outcome = train_sms(train.paths, cfg, train.fmt, name)
    challenger_metrics = evaluate_uri(outcome.model_uri, evaluation, links)
    decision = decide_promotion(config.gates, challenger_metrics, champion_metrics)
    promote = decision.promote and not awaits_shadow(config, champion)
    why = decision.why if promote or not decision.promote else (
        f"{decision.why}; two-phase promotion: left at alias challenger for the service to shadow, "
        f"then `yunmao promote {name} {outcome.version}` checks the shadow gates")
    result = RetrainResult(
        promoted=promote,
        why=why,
        challenger=outcome.model_uri,
        champion_before=champion,
        champion_after=outcome.model_uri if promote else champion,
        metrics={"challenger": challenger_metrics, "champion": champion_metrics},
        eval_rows=len(evaluation.frame),
        eval_removed_overlap=evaluation.removed_overlap,
        feedback_rows=train.feedback_rows,
        run_id=outcome.run_id,
    )
    inputs = {"data": [str(p) for p in request.data], "eval": [str(p) for p in eval_paths], "feedback": request.feedback}
    record_decision(result, decision, inputs)
    if request.report:
        log_eval_report(name, outcome.version, evaluation, champion, workdir, links)
    if promote:
        set_alias(name, outcome.version, CHAMPION)
    return result
