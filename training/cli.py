"""The ``yunmao`` command line: thin commands over the library functions.

Heavy imports (MLflow, LightGBM, BentoML) happen inside commands so ``yunmao --help`` is fast.
Commands fail with a one-line message and exit code 2 on bad input, never a traceback.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Literal

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help="yunmao: scam SMS and call interception models.")
data_app = typer.Typer(no_args_is_help=True, help="Demo and canonical data.")
train_app = typer.Typer(no_args_is_help=True, help="Train a model and register it as challenger.")
profiles_app = typer.Typer(no_args_is_help=True, help="Per-number call profiles: build and publish.")
feedback_app = typer.Typer(no_args_is_help=True, help="Analyst and victim feedback.")
app.add_typer(data_app, name="data")
app.add_typer(train_app, name="train")
app.add_typer(profiles_app, name="profiles")
app.add_typer(feedback_app, name="feedback")


def _load_sms_config(config: Path | None):
    from configs import default_config_path, load_config
    from configs.sms import SmsConfig

    return load_config(config or default_config_path("sms"), SmsConfig)


@train_app.command("sms")
def train_sms_command(
    data: list[Path] = typer.Option(..., "--data", help="Labelled file; repeat to mix files and formats."),
    fmt: str = typer.Option("auto", "--format", help="auto, canonical, mudou, sms80w, uci or telecom5."),
    config: Path | None = typer.Option(None, "--config", help="SMS config (default: configs/sms.yaml)."),
    name: str | None = typer.Option(None, "--name", help="Registered model name (default: from config)."),
) -> None:
    """Train the SMS model, log the run to MLflow, register it as challenger. Last line: model URI."""
    from configs import ConfigError
    from training.data.sms import DataFormatError
    from training.train import train_sms

    try:
        outcome = train_sms(data, _load_sms_config(config), fmt, name)
    except (ConfigError, DataFormatError, ValueError) as exc:
        _fail(exc)
    _print_outcome(outcome)


@train_app.command("call")
def train_call_command(
    data: list[Path] = typer.Option(..., "--data", help="CDR folder (voc[, sms, user, app], labels.csv) or profile table; repeatable."),
    fmt: str = typer.Option("auto", "--format", help="auto, cdr or profiles."),
    config: Path | None = typer.Option(None, "--config", help="Call config (default: configs/call.yaml)."),
    name: str | None = typer.Option(None, "--name", help="Registered model name (default: from config)."),
) -> None:
    """Train the call model on per-number profiles, register it as challenger. Last line: model URI."""
    from configs import ConfigError
    from training.train_call import train_call

    if fmt not in ("auto", "cdr", "profiles"):
        _fail(ValueError(f"--format must be auto, cdr or profiles, not {fmt!r}"))
    try:
        outcome = train_call(data, _call_config(config), fmt, name)
    except (ConfigError, ValueError) as exc:  # CdrLoadError is a ValueError
        _fail(exc)
    _print_outcome(outcome)


def _print_outcome(outcome) -> None:
    """Out-of-fold summary as JSON, then the model URI as the last line (scripts read it)."""
    summary = {k: outcome.metrics[k] for k in ("n", "positives", "roc_auc", "pr_auc", "precision", "recall", "fpr", "best_f1")}
    typer.echo(json.dumps({"out_of_fold": summary, "run_id": outcome.run_id}, ensure_ascii=False))
    typer.echo(outcome.model_uri)


@app.command("promote")
def promote(
    name: str = typer.Argument(..., help="Registered model name, e.g. yunmao-sms."),
    version: str = typer.Argument(..., help="Version number to make champion."),
) -> None:
    """Point alias `champion` at NAME/VERSION (the live service picks it up on reload)."""
    from models.registry import CHAMPION, ModelNotFoundError, set_alias

    try:
        set_alias(name, version, CHAMPION)
    except ModelNotFoundError as exc:
        _fail(exc)
    typer.echo(f"models:/{name}@{CHAMPION} -> models:/{name}/{version}")


@app.command("retrain")
def retrain_command(
    kind: Literal["sms", "call"] = typer.Argument(..., help="Which model to retrain."),
    data: list[Path] = typer.Option(..., "--data", help="Base training data; repeatable (as for `yunmao train`)."),
    eval_paths: list[Path] | None = typer.Option(None, "--eval", help="Fixed evaluation set (default: eval_data in the retrain config)."),
    fmt: str = typer.Option("auto", "--format", help="Format of --data files."),
    eval_fmt: str = typer.Option("auto", "--eval-format", help="Format of --eval files."),
    feedback: bool = typer.Option(False, "--feedback", help="Add the feedback store's labelled records to the training data."),
    config: Path | None = typer.Option(None, "--config", help="Retrain config (default: configs/retrain.yaml)."),
    name: str | None = typer.Option(None, "--name", help="Registered model name (default: from the model config)."),
    report: bool = typer.Option(True, "--report/--no-report", help="Log the evaluation report to the challenger's run."),
) -> None:
    """Train a challenger, evaluate it and the champion on one set, promote it if the gates pass.

    Last line: one JSON object (promoted, why, challenger, champion_before, champion_after, metrics).
    Exit 0 whether or not it promoted; 2 on bad input; 3 when another retrain of the model holds the lock.
    """
    from configs import ConfigError
    from configs.retrain import load_retrain_config
    from models.registry import ModelNotFoundError
    from training.retrain import LOCKED_EXIT_CODE, RetrainLocked, RetrainRequest, retrain

    request = RetrainRequest(kind, data, eval_paths, fmt, eval_fmt, feedback, name, report)
    try:
        result = retrain(request, load_retrain_config(config))
    except RetrainLocked as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(LOCKED_EXIT_CODE) from exc
    except (ConfigError, ModelNotFoundError, ValueError) as exc:  # data errors are ValueErrors
        _fail(exc)
    typer.echo(json.dumps(result.as_dict(), ensure_ascii=False))


@app.command("evaluate")
def evaluate(
    model: str = typer.Option(..., "--model", help="models:/NAME/VERSION or models:/NAME@ALIAS."),
    data: list[Path] = typer.Option(..., "--data", help="Labelled file; repeat to mix."),
    fmt: str = typer.Option("auto", "--format", help="SMS formats, or cdr|profiles for call models."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Metrics of a model version on a labelled set (block and warn thresholds, AUCs, fraud types)."""
    from models.registry import ModelNotFoundError, load_scam_model, resolve_model_version
    from training.data.datasets import load_for_model
    from training.evaluate import evaluate_model

    try:
        scam_model = load_scam_model(model)
        frame = load_for_model(scam_model, data, fmt, labelled=True)
        report = {"model": "models:/{}/{}".format(*resolve_model_version(model)), **evaluate_model(scam_model, frame)}
    except (ModelNotFoundError, ValueError) as exc:  # DataFormatError and CdrLoadError are ValueErrors
        _fail(exc)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
        return
    for key, value in report.items():
        typer.echo(f"{key:>22}: {value}")


@app.command("predict")
def predict(
    model: str = typer.Option(..., "--model", help="models:/NAME/VERSION or models:/NAME@ALIAS."),
    data: list[Path] = typer.Option(..., "--data", help="File to score; repeat to mix."),
    out: Path = typer.Option(..., "--out", help="Output .csv, .jsonl or .parquet."),
    fmt: str = typer.Option("auto", "--format", help="SMS formats, or cdr|profiles for call models."),
) -> None:
    """Score a file: id, score, action, fraud_type, fraud_type_score, reasons per record."""
    from models.registry import ModelNotFoundError, load_scam_model
    from training.data.datasets import load_for_model
    from training.predict import predict_records, write_table

    try:
        scam_model = load_scam_model(model)
        frame = load_for_model(scam_model, data, fmt, labelled=False)
        decisions = predict_records(scam_model, frame)
        write_table(decisions, out)
    except (ModelNotFoundError, ValueError) as exc:
        _fail(exc)
    typer.echo(json.dumps({"out": str(out), "rows": len(decisions), **decisions["action"].value_counts().to_dict()}))


@app.command("quickstart")
def quickstart(
    port: int = typer.Option(3000, "--port", min=1, max=65535, help="Port to serve on."),
    serve_after: bool = typer.Option(True, "--serve/--no-serve", help="Start the service when the models are ready."),
) -> None:
    """Demo data → train → register → promote → serve (what `make run` does)."""
    from configs.paths import data_dir
    from training.quickstart import prepare_demo_models

    prepare_demo_models(data_dir() / "demo", lambda line: typer.echo(line, err=True))
    if serve_after:
        typer.echo(f"serving on http://127.0.0.1:{port} (Ctrl-C to stop)", err=True)
        serve(model=None, port=port, workers=None, host="127.0.0.1", call_model=None)


@feedback_app.command("export")
def feedback_export(
    out: Path = typer.Option(..., "--out", help="Output file: .csv, .jsonl or .parquet (canonical labelled format)."),
    since: datetime | None = typer.Option(None, "--since", help="Only feedback received at or after this time (UTC if no zone)."),
    kind: Literal["sms", "call"] = typer.Option("sms", "--kind", help="SMS texts or call profiles."),
    config: Path | None = typer.Option(None, "--config", help="Feedback config (default: configs/feedback.yaml)."),
) -> None:
    """Write the feedback store as a labelled file that `--data` accepts (latest report per id wins)."""
    from configs import ConfigError
    from configs.feedback import load_feedback_config
    from serving.feedback_store import FeedbackStore
    from training.feedback_export import ExportError, export_feedback

    try:
        rows = export_feedback(FeedbackStore(load_feedback_config(config)), out, kind=kind, since=since)
    except (ConfigError, ExportError) as exc:
        _fail(exc)
    typer.echo(json.dumps({"out": str(out), "rows": rows, "kind": kind}, ensure_ascii=False))


@data_app.command("demo")
def data_demo(
    out: Path = typer.Option(..., "--out", help="Folder to write the demo files into (created if absent)."),
    n: int | None = typer.Option(None, "--n", min=10, help="Number of SMS (default: configs/demo.yaml)."),
    seed: int | None = typer.Option(None, "--seed", help="Random seed; the same seed writes the same files."),
) -> None:
    """Write the embedded demo data (synthetic; for the quickstart and tests, never for accuracy claims)."""
    from configs import ConfigError
    from training.data.demo_sms import default_demo_config, write_demo_sms

    from training.data.demo_calls import write_demo_cdrs

    try:
        sms_config = default_demo_config()
        call_config = _call_config(None)
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    seed = sms_config.seed if seed is None else seed
    sms_path = write_demo_sms(out, sms_config.n if n is None else n, seed, sms_config)
    cdr_rows = write_demo_cdrs(out / "cdr", seed, call_config.demo)
    typer.echo(str(sms_path))
    typer.echo(f"call records with labels: {out / 'cdr'} {json.dumps(cdr_rows)}", err=True)


@data_app.command("inspect")
def data_inspect(
    data: list[Path] = typer.Option(..., "--data", help="Labelled file; repeat to mix files and formats."),
    fmt: str = typer.Option("auto", "--format", help="auto, canonical, mudou, sms80w, uci or telecom5."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as one JSON object."),
) -> None:
    """Load labelled files as training would and print what was read, skipped and deduplicated."""
    from training.data.sms import DataFormatError, load_labelled

    try:
        result = load_labelled(data, fmt)
    except (DataFormatError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    report = result.report
    typer.echo(json.dumps(report.as_dict(), ensure_ascii=False) if as_json else report.summary())


def _fail(exc: Exception) -> None:
    """One-line error and exit code 2 (bad input), never a traceback."""
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(2) from exc


def _call_config(config: Path | None):
    from configs import default_config_path, load_config
    from configs.call import CallConfig

    return load_config(config or default_config_path("call"), CallConfig)


@profiles_app.command("build")
def profiles_build(
    cdr: Path = typer.Option(..., "--cdr", help="Directory of CDR tables (voc required; sms/user/app optional)."),
    out: Path = typer.Option(..., "--out", help="Profile table to write: .csv or .parquet."),
    config: Path | None = typer.Option(None, "--config", help="Call config (default: configs/call.yaml)."),
) -> None:
    """Build one profile row per number from raw CDRs (window and definitions from config)."""
    from configs import ConfigError
    from training.data.cdr import CdrLoadError, load_call_training_data
    from training.predict import write_table

    try:
        profiles, report = load_call_training_data(cdr, "cdr", _call_config(config).profiles)
        write_table(profiles, out)
    except (ConfigError, CdrLoadError, ValueError) as exc:
        _fail(exc)
    typer.echo(json.dumps({"out": str(out), "numbers": len(profiles), **report.as_dict()}, ensure_ascii=False))


@profiles_app.command("publish")
def profiles_publish(
    profiles: Path = typer.Option(..., "--profiles", help="Profile table (.csv or .parquet) with phone_no_m."),
    store: str | None = typer.Option(None, "--store", help="sqlite:///PATH or redis://HOST:PORT/DB (default: $YUNMAO_PROFILE_STORE, else config)."),
    config: Path | None = typer.Option(None, "--config", help="Call config (default: configs/call.yaml)."),
) -> None:
    """Load built profiles into the online store the live scorer reads."""
    from configs import ConfigError
    from serving.profile_store import open_profile_store, publish_profiles
    from training.data.cdr import CdrLoadError, load_profile_table

    try:
        table, report = load_profile_table(profiles)
        written = publish_profiles(open_profile_store(_call_config(config).profile_store, store), table)
    except (ConfigError, CdrLoadError, ValueError) as exc:
        _fail(exc)
    typer.echo(json.dumps({"published": written, "store": store or "config", "bad_rows": report.bad_rows}, ensure_ascii=False))



@app.command("serve")
def serve(
    model: str | None = typer.Option(None, "--model", help="SMS model URI (default: $YUNMAO_SMS_MODEL, else configs/serving.yaml)."),
    port: int = typer.Option(3000, "--port", min=1, max=65535, help="TCP port."),
    workers: int | None = typer.Option(None, "--workers", min=1, max=64, help="Worker processes (default: serving config)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind; loopback unless you mean to expose it."),
    call_model: str | None = typer.Option(
        None, "--call-model", help="Call model URI (default: $YUNMAO_CALL_MODEL, else configs/serving.yaml; optional)."
    ),
) -> None:
    """Serve POST /v1/sms/score and /v1/call/score (plus /livez, /readyz, /metrics, /v1/admin/reload) until Ctrl-C."""
    from configs import ConfigError
    from models.registry import ModelNotFoundError
    from serving.server import run_server

    try:
        run_server(host=host, port=port, model_uri=model, workers=workers, call_model_uri=call_model)
    except (ConfigError, ModelNotFoundError, ValueError) as exc:
        _fail(exc)


@app.command("report")
def report(
    model: str = typer.Option(..., "--model", help="Model to evaluate: models:/NAME/VERSION or models:/NAME@ALIAS."),
    data: list[Path] = typer.Option(..., "--data", help="Labelled evaluation data (repeatable)."),
    fmt: str = typer.Option("auto", "--format", help="SMS formats, or cdr|profiles for call models."),
    compare: str | None = typer.Option(None, "--compare", help="Second model to set side by side (e.g. models:/NAME@champion)."),
    out: Path = typer.Option(..., "--out", help="Folder for report.html and metrics.json."),
    config: Path | None = typer.Option(None, "--config", help="Report config (default: configs/report.yaml)."),
) -> None:
    """Evaluation report for analysts: one self-contained HTML file plus metrics.json, also logged to MLflow."""
    from configs import ConfigError
    from configs.report import load_report_config
    from models.registry import ModelNotFoundError
    from training.report.model import report_for_model
    from training.report.plots import FontError

    try:
        files = report_for_model(model, data, fmt, compare, out, load_report_config(config))
    except (ConfigError, ModelNotFoundError, FontError, ValueError) as exc:  # data errors are ValueErrors
        _fail(exc)
    head = files.report.metrics["headline"]
    summary = {"html": str(files.html), "metrics": str(files.metrics), "n": head["n"], "roc_auc": head["roc_auc"],
               "recall_block": head["block"]["recall"], "fpr_block": head["block"]["fpr"],
               "drift_flagged": files.report.metrics["drift_flagged"]}
    typer.echo(json.dumps(summary, ensure_ascii=False))
