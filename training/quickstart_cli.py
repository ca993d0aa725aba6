"""``yunmao quickstart`` (what ``make run`` does): demo data → train → register → promote → serve."""

from __future__ import annotations

import typer

from training.cli_support import fail


def quickstart(
    port: int = typer.Option(3000, "--port", min=1, max=65535, help="Port to serve on."),
    serve_after: bool = typer.Option(True, "--serve/--no-serve", help="Start the service when the models are ready."),
) -> None:
    """Demo data → train → register → promote → serve (what `make run` does)."""
    from configs import ConfigError
    from configs.paths import data_dir
    from models.registry import ModelNotFoundError
    from serving.server import run_server
    from training.quickstart import prepare_demo_models

    prepare_demo_models(data_dir() / "demo", lambda line: typer.echo(line, err=True))
    if not serve_after:
        return
    typer.echo(f"serving on http://127.0.0.1:{port} (Ctrl-C to stop)", err=True)
    try:  # the champions just promoted, from the default config, on loopback only
        run_server(host="127.0.0.1", port=port, model_uri=None, workers=None, call_model_uri=None)
    except (ConfigError, ModelNotFoundError, ValueError) as exc:
        fail(exc)
