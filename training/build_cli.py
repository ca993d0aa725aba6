"""``yunmao build``: the command beside the job it runs (``training/bento_build``)."""

from __future__ import annotations

import typer

from training.cli_support import fail


def build(
    sms_model: str | None = typer.Option(None, "--sms-model", help="SMS model URI (default: sms_model_uri of configs/serving.yaml)."),
    call_model: str | None = typer.Option(
        None, "--call-model", help="Call model URI (default: call_model_uri of configs/serving.yaml)."
    ),
    resolve_at_start: bool = typer.Option(
        False, "--resolve-at-start",
        help="Pack no model: the Bento resolves the URIs at start against the registry of its serving config.",
    ),
) -> None:
    """Build the Bento of the service (bentofile.yaml) into BentoML's store ($BENTOML_HOME).

    By default each URI is resolved now and that registry version is packed into the Bento
    (reproducible image; rollback = the previous image tag). Last stdout line: the Bento's tag.
    Bad input (unknown model, wrong kind, a model pickled by another yunmao version) is one line
    on stderr and exit code 2.
    """
    from bentoml.exceptions import BentoMLException

    from configs import ConfigError
    from configs.serving import load_serving_config
    from models.provenance import IncompatibleModelError
    from models.registry import ModelNotFoundError
    from serving.model_source import use_registry
    from training.bento_build import build_bento

    try:
        config = load_serving_config()
        use_registry(config.registry_uri)
        uris = {"sms": sms_model or config.sms_model_uri, "call": call_model or config.call_model_uri}
        built = build_bento(uris, resolve_at_start)
    except (BentoMLException, ConfigError, IncompatibleModelError, ModelNotFoundError, ValueError) as exc:
        fail(exc)
    for kind, uri in built.models.items():
        typer.echo(f"{kind}: {uri}")
    typer.echo(built.tag)
