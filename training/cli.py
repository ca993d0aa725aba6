"""The ``yunmao`` command line: one entry point composing the commands that live beside what they run.

Each command module holds its own flags, help and error handling (``training.cli_support.fail``:
one line on stderr, exit 2); this module only registers them. Heavy imports (MLflow, LightGBM,
BentoML) happen inside commands so ``yunmao --help`` is fast.
"""

from __future__ import annotations

import typer

from serving.cli import front_config, serve
from training.build_cli import build
from training.campaigns.cli import campaigns
from training.data.cli import data_app, profiles_app
from training.dens.cli import dens
from training.evaluate_cli import evaluate
from training.feedback_export_cli import feedback_app
from training.links_cli import links_app
from training.monitor.cli import monitor
from training.predict_cli import predict
from training.quickstart_cli import quickstart
from training.report.cli import report
from training.retrain_cli import promote, retrain_command
from training.shadow.cli import shadow_app
from training.train_cli import train_app

app = typer.Typer(no_args_is_help=True, add_completion=False, help="yunmao: scam SMS and call interception models.")
app.add_typer(data_app, name="data")
app.add_typer(train_app, name="train")
app.add_typer(profiles_app, name="profiles")
app.add_typer(feedback_app, name="feedback")
app.add_typer(links_app, name="links")
app.add_typer(shadow_app, name="shadow")
app.command("promote")(promote)
app.command("retrain")(retrain_command)
app.command("evaluate")(evaluate)
app.command("predict")(predict)
app.command("quickstart")(quickstart)
app.command("serve")(serve)
app.command("front-config")(front_config)
app.command("build")(build)
app.command("report")(report)
app.command("monitor")(monitor)
app.command("dens")(dens)
app.command("campaigns")(campaigns)


if __name__ == "__main__":  # `python -m training.cli …` works like the `yunmao` script
    app()
