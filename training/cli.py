"""The ``yunmao`` command line: one entry point composing the commands that live beside what they run.

Each command module holds its own flags, help and error handling (``training.cli_support.fail``:
one line on stderr, exit 2); this module only registers them. Heavy imports (MLflow, LightGBM,
BentoML) happen inside commands so ``yunmao --help`` is fast.
"""

from __future__ import annotations

import typer

from training.cli_support import fail
from training.data.cli import data_app, profiles_app
from training.evaluate_cli import evaluate
from training.feedback_export_cli import feedback_app
from training.predict_cli import predict
from training.quickstart_cli import quickstart
from training.report.cli import report
from training.retrain_cli import promote, retrain_command
from training.train_cli import train_app

app = typer.Typer(no_args_is_help=True, add_completion=False, help="yunmao: scam SMS and call interception models.")
app.add_typer(data_app, name="data")
app.add_typer(train_app, name="train")
app.add_typer(profiles_app, name="profiles")
app.add_typer(feedback_app, name="feedback")
app.command("promote")(promote)
app.command("retrain")(retrain_command)
app.command("evaluate")(evaluate)
app.command("predict")(predict)
app.command("quickstart")(quickstart)


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
        fail(exc)


app.command("report")(report)
