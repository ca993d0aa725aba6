"""``yunmao quickstart`` (what ``make run`` does): demo data → train → register → promote → serve."""

from __future__ import annotations

import typer


def quickstart(
    port: int = typer.Option(3000, "--port", min=1, max=65535, help="Port to serve on."),
    serve_after: bool = typer.Option(True, "--serve/--no-serve", help="Start the service when the models are ready."),
) -> None:
    """Demo data → train → register → promote → serve (what `make run` does)."""
    from configs.paths import data_dir
    from serving.cli import serve
    from training.quickstart import prepare_demo_models

    prepare_demo_models(data_dir() / "demo", lambda line: typer.echo(line, err=True))
    if not serve_after:
        return
    typer.echo(f"serving on http://127.0.0.1:{port} (Ctrl-C to stop)", err=True)
    # the champions just promoted, from the default config, on loopback only
    serve(model=None, port=port, workers=None, host="127.0.0.1", call_model=None)
