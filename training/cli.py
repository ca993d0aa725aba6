"""The ``yunmao`` command line: thin commands over the library functions.

Heavy imports (MLflow, LightGBM, BentoML) happen inside commands so ``yunmao --help`` is fast.
Commands fail with a one-line message and exit code 2 on bad input, never a traceback.
"""

from __future__ import annotations

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
